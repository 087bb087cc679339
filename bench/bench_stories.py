"""Time story grouping: one new item against 5,000 stored ones (the daemon's worst case).

Run: .venv/bin/python -m bench.bench_stories
Budget: a median under BUDGET_MS for one new item against 5,000 stored ones through the StoryIndex the
caller owns (built once per cycle from the stored stories, then asked once per new item). Also timed:
building that index from the stored records (once per cycle), and `find_story`, the compatibility call
that builds an index from a list on every call (what bot.pipeline does until it owns an index).
Synthetic items: topic words every item shares, plus names and figures drawn from a few thousand
made-up words, so that most pairs share some bigrams as real same-topic news does.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import datetime, timedelta

from bot.stories import StoryIndex, StoryKey, find_story, story_key
from scrapers.dates import KST

TOPIC = ["광주", "AI", "데이터센터", "국가", "컴퓨팅센터", "GPU", "유치", "사업", "추진", "인공지능"]
SYLLABLES = [chr(c) for c in range(0xAC00, 0xD7A4, 97)]
BUDGET_MS = 50.0
CALLS = 30


def _verdict(median_ms: float) -> str:
    return "within" if median_ms < BUDGET_MS else "OVER"


def _word(rng: random.Random) -> str:
    return "".join(rng.choices(SYLLABLES, k=rng.randint(2, 4)))


def _item(rng: random.Random, vocabulary: list[str], i: int, now: datetime) -> StoryKey:
    title = " ".join(rng.sample(TOPIC, 3) + rng.sample(vocabulary, 4) + [f"{rng.randint(1, 900)}억"])
    lead = " ".join(rng.sample(TOPIC, 4) + rng.sample(vocabulary, 14)) + "라고 밝혔다."
    return StoryKey(f"a{i}", title, lead, now - timedelta(hours=rng.uniform(0, 70)))


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def main() -> None:
    rng = random.Random(5)
    vocabulary = [_word(rng) for _ in range(3000)]
    now = datetime(2025, 2, 5, 12, tzinfo=KST)
    existing = [_item(rng, vocabulary, i, now) for i in range(5000)]

    # The cycle start: keys rebuilt from the stored records (title, lead, time), the index built.
    stored = [(k.id, k.title, k.lead, k.published_at) for k in existing]
    start = time.perf_counter()
    index = StoryIndex(72.0)
    for story_id, title, lead, published in stored:
        index.add(story_id, story_key(story_id, title, lead, published))
    print(f"index built from {len(stored)} stored records (once per cycle): {_ms(start):.1f} ms")

    timings = []
    for j in range(CALLS):
        copy = existing[rng.randrange(len(existing))]
        new = StoryKey(f"n{j}", "[광주] " + copy.title, copy.lead, now)
        start = time.perf_counter()
        match = index.find(new)
        timings.append(_ms(start))
        assert match is not None and match.story_id == copy.id, (match, copy.id)
        fresh = _item(rng, vocabulary, 5000 + j, now)  # the history moves on between calls
        existing.append(fresh)
        index.add(fresh.id, fresh)
    median = statistics.median(timings)
    print(
        f"1 new vs {len(index)} stored, StoryIndex.find: median {median:.1f} ms, max {max(timings):.1f} ms "
        f"({CALLS} calls, each finding its copy; {_verdict(median)} {BUDGET_MS:.0f} ms)"
    )

    timings = []
    for j in range(5):
        copy = existing[rng.randrange(len(existing))]
        new = StoryKey(f"m{j}", copy.title + " (종합)", copy.lead, now)
        start = time.perf_counter()
        found = find_story(new, existing)
        timings.append(_ms(start))
        assert found == copy.id, (found, copy.id)
    median = statistics.median(timings)
    print(
        f"same through find_story (an index built per call, the compatibility path): median {median:.1f} ms, "
        f"max {max(timings):.1f} ms (5 calls)"
    )


if __name__ == "__main__":
    main()
