"""Time `find_story`: one new item against 5,000 stored ones (the daemon's worst case).

Run: .venv/bin/python bench/bench_stories.py
Budget: a median under BUDGET_MS for one new item against 5,000 stored ones, on either path below.
Synthetic items: topic words every item shares, plus names and figures drawn from a few thousand
made-up words, so that most pairs share some bigrams as real same-topic news does.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import datetime, timedelta

from bot.stories import KST, StoryKey, find_story

TOPIC = ["광주", "AI", "데이터센터", "국가", "컴퓨팅센터", "GPU", "유치", "사업", "추진", "인공지능"]
SYLLABLES = [chr(c) for c in range(0xAC00, 0xD7A4, 97)]
BUDGET_MS = 50.0


def _verdict(median_ms: float) -> str:
    return "within" if median_ms < BUDGET_MS else "OVER"


def _word(rng: random.Random) -> str:
    return "".join(rng.choices(SYLLABLES, k=rng.randint(2, 4)))


def _item(rng: random.Random, vocabulary: list[str], i: int, now: datetime) -> StoryKey:
    title = " ".join(rng.sample(TOPIC, 3) + rng.sample(vocabulary, 4) + [f"{rng.randint(1, 900)}억"])
    lead = " ".join(rng.sample(TOPIC, 4) + rng.sample(vocabulary, 14)) + "라고 밝혔다."
    return StoryKey(f"a{i}", title, lead, now - timedelta(hours=rng.uniform(0, 70)))


def main() -> None:
    rng = random.Random(5)
    vocabulary = [_word(rng) for _ in range(3000)]
    now = datetime(2025, 2, 5, 12, tzinfo=KST)
    existing = [_item(rng, vocabulary, i, now) for i in range(5000)]
    start = time.perf_counter()
    find_story(_item(rng, vocabulary, -1, now), existing)
    print(f"first call (counts the history): {(time.perf_counter() - start) * 1000:.1f} ms")
    timings = []
    for j in range(30):
        copy = existing[rng.randrange(len(existing))]
        new = StoryKey(f"n{j}", "[광주] " + copy.title, copy.lead, now)
        existing.append(_item(rng, vocabulary, 5000 + j, now))  # the history moves on between calls
        start = time.perf_counter()
        found = find_story(new, existing)
        timings.append((time.perf_counter() - start) * 1000)
        assert found == copy.id, (found, copy.id)
    median = statistics.median(timings)
    print(
        f"1 new vs {len(existing)} stored: median {median:.1f} ms, "
        f"max {max(timings):.1f} ms (30 calls, each finding its copy; {_verdict(median)} {BUDGET_MS:.0f} ms)"
    )

    # bot.pipeline rebuilds the keys from its stored stories on every call; time that too.
    stored = [(k.id, k.title, k.lead, k.published_at) for k in existing]
    timings = []
    for j in range(30):
        record = stored[rng.randrange(len(stored))]
        new = StoryKey(f"m{j}", record[1] + " (종합)", record[2], now)
        start = time.perf_counter()
        found = find_story(new, [StoryKey(*s) for s in stored])
        timings.append((time.perf_counter() - start) * 1000)
        assert found == record[0], (found, record[0])
    median = statistics.median(timings)
    print(
        f"same, keys rebuilt from stored records on each call: median {median:.1f} ms, "
        f"max {max(timings):.1f} ms ({_verdict(median)} {BUDGET_MS:.0f} ms)"
    )


if __name__ == "__main__":
    main()
