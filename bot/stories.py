"""Copies of one event across outlets are one story.

A wire copy republished by several papers, or one press release rewritten by each of them, shares
its rare words: names, places, figures, the verb of what happened. Two different events on the same
topic share only the topic words (광주, AI, 컴퓨팅센터 …), which every relevant article carries.

So two items are compared by a weighted Dice coefficient over the character bigrams of their
normalised title (and lead, when both have one). A bigram's weight is its inverse document frequency
among the other items at hand (the stored stories, or the batch being grouped), plus a few
pseudo-documents made of the topic vocabulary below, so that topic words weigh little even when
there is little history. On top of that:

- two items published more than the window apart never merge;
- a figure with the same unit but a different value (120㎿ vs 60㎿, CES 2025 vs CES 2026, 1단계 vs
  2단계) marks different events and blocks the merge;
- a shared figure with a unit is extra evidence;
- when either publication time is unknown the window cannot help, so the bar is higher.

Precision matters more than recall: a wrong merge hides a story, a missed merge only posts twice.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import json
import math
import operator
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

KST = ZoneInfo("Asia/Seoul")

# -- data ------------------------------------------------------------------------------------------

#: Spellings folded together before comparison (same meaning, different surface).
EQUIVALENTS: tuple[tuple[str, str], ...] = (
    ("인공지능", "ai"),
    ("광주광역시", "광주시"),
    ("메가와트", "mw"),
)

#: Words every relevant article tends to carry; their bigrams count as seen in a few extra documents,
#: so they weigh little while the item history is still short.
TOPIC_VOCABULARY: tuple[str, ...] = (
    "광주", "광주시", "전남", "호남", "ai", "국가", "컴퓨팅", "컴퓨팅센터", "데이터센터", "센터",
    "gpu", "npu", "반도체", "인프라", "사업", "추진", "유치", "조성", "산업", "도시", "중심도시",
    "집적단지", "클러스터", "기업", "정부", "시장", "지역", "첨단", "기술", "개최", "확보", "지원",
)
TOPIC_PSEUDO_DOCUMENTS = 4

#: Units after a figure. Same unit + different value = different facts. Days and clock times are left
#: out on purpose: copies of one event often differ in them (발표일, 시행일).
FIGURE_UNITS: tuple[str, ...] = (
    "조원", "억원", "만원", "천원", "조", "억", "만", "천", "원", "mw", "gw", "kw", "pf", "tb", "%",
    "명", "곳", "개사", "개", "단계", "년", "기", "대", "호", "차", "건", "배", "위", "층",
)

#: Decision thresholds, chosen on the stories dev set (see `python -m bot.stories FILE`).
THRESHOLD = 0.40  # both publication times known and within the window
THRESHOLD_UNDATED = 0.60  # at least one publication time unknown
SHARED_FIGURE_BONUS = 0.05  # per shared figure with a unit, at most two
PREFILTER_MIN_SHARED = 3  # raw shared bigrams below which a pair is not scored at all
PRUNE_MIN_DOCS = 200  # history size from which candidates must share a distinctive bigram
DISTINCTIVE_FRACTION = 0.02  # "distinctive": found in at most this share of the stored items
DISTINCTIVE_MAX = 24  # how many of the rarest shared bigrams a candidate is checked against
SCORED_CANDIDATES = 40  # how many of the closest candidates (plain Dice) get the weighted score

# -- features --------------------------------------------------------------------------------------

# [광주], 【광주】, (광주=연합뉴스); "홍길동 기자 =" and e-mail addresses
_BRACKETED = re.compile(r"\[[^\]]*\]|【[^】]*】|〔[^〕]*〕|\((?:[^()]*=[^()]*)\)")
_BYLINE = re.compile(r"[가-힣]{2,4}\s?(?:기자|특파원|통신원)\s?=|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3}(?!\d))")
_NOT_WORD = re.compile(r"[\W_]+")
_UNIT_FIGURE = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?)\s?(" + "|".join(sorted(map(re.escape, FIGURE_UNITS), key=len, reverse=True))
    + r")(?![a-z])"
)
_BARE_YEAR = re.compile(  # "CES 2025", "CES 2026서"; not dates or times (2025.02.05, 17:15)
    r"(?<![\w.:/-])((?:19|20)\d\d)(?:에서|[서에의은는이가을를도와과로])?(?![\w.:/-])"
)


def _fold(text: str) -> str:
    """Lower-cased NFKC text without datelines, bylines or thousands separators, equivalents folded."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _BRACKETED.sub(" ", text)
    text = _BYLINE.sub(" ", text)
    text = _THOUSANDS.sub("", text)
    for variant, canonical in EQUIVALENTS:
        text = text.replace(variant, canonical)
    return text


def normalise(text: str) -> str:
    """`_fold` without punctuation: the text bigrams are taken from."""
    return " ".join(_NOT_WORD.sub(" ", _fold(text)).split())


def bigrams(normalised: str) -> frozenset[str]:
    """Character bigrams with the spaces removed (Korean spacing varies between outlets)."""
    squeezed = normalised.replace(" ", "")
    if len(squeezed) < 2:
        return frozenset({squeezed}) if squeezed else frozenset()
    return frozenset(squeezed[i : i + 2] for i in range(len(squeezed) - 1))


def figures(text: str) -> frozenset[tuple[str, str]]:
    """(value, unit) pairs; unit "" for a bare number such as a year in "CES 2025"."""
    folded = _fold(text)
    found = {(year, "") for year in _BARE_YEAR.findall(folded)}
    for value, unit in _UNIT_FIGURE.findall(folded):
        if "." in value:
            value = value.rstrip("0").rstrip(".")
        found.add((value, _UNIT_ALIASES.get(unit, unit)))
    return frozenset(found)


_UNIT_ALIASES = {"조원": "조", "억원": "억", "만원": "만", "천원": "천"}  # 6000억원 = 6000억
_TOPIC_BIGRAMS = frozenset().union(*(bigrams(normalise(w)) for w in TOPIC_VOCABULARY))


@dataclass(frozen=True, slots=True)
class Features:
    """What comparison needs, computed once per key."""

    title: frozenset[str]  # bigrams of the title
    full: frozenset[str]  # bigrams of title + lead (the title's when there is no lead)
    has_lead: bool
    figures: frozenset[tuple[str, str]]
    time: float | None  # POSIX seconds of publication; naive times are read as KST


@dataclass(frozen=True, slots=True)
class StoryKey:
    """One stored or incoming item. Its comparison features are computed once, at construction."""

    id: str
    title: str
    lead: str  # first sentence of the text or the snippet; "" when unknown
    published_at: datetime | None
    url: str = ""
    outlet: str = ""
    features: Features = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "features", features_of(self.title, self.lead, self.published_at))


@functools.lru_cache(maxsize=20_000)
def features_of(title: str, lead: str = "", published_at: datetime | None = None) -> Features:
    """Cached: callers (bot.pipeline) rebuild their keys from the stored stories on every call."""
    moment = _aware(published_at)
    return Features(*_text_features(title, lead), time=moment.timestamp() if moment is not None else None)


@functools.lru_cache(maxsize=20_000)
def _text_features(title: str, lead: str) -> tuple[
    frozenset[str], frozenset[str], bool, frozenset[tuple[str, str]]
]:
    """Cached apart from the time: copies of a wire story often carry the same title and lead."""
    norm_title = normalise(title)
    norm_lead = normalise(lead)
    title_grams = bigrams(norm_title)
    full = bigrams(f"{norm_title} {norm_lead}") if norm_lead else title_grams
    return title_grams, full, bool(norm_lead), figures(f"{title}\n{lead}")


def make_key(id: str, title: str, lead: str = "", published_at: datetime | None = None, *,
             url: str = "", outlet: str = "") -> StoryKey:
    """Shorthand for StoryKey with keyword-free optional fields."""
    return StoryKey(id=id, title=title, lead=lead, published_at=published_at, url=url, outlet=outlet)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=KST)  # naive times in Korean news are KST


# -- scoring ---------------------------------------------------------------------------------------


class _Background:
    """Document frequencies of bigrams among the items a pair is compared against."""

    def __init__(self) -> None:
        self.df: Counter[str] = Counter()
        self.docs = 0

    def add(self, grams: Iterable[str]) -> None:
        self.df.update(grams)
        self.docs += 1

    def remove(self, grams: Iterable[str]) -> None:
        self.df.subtract(grams)
        self.docs -= 1

    def weight(self, gram: str, in_pair: int) -> float:
        """Inverse document frequency among the other documents (the pair itself left out)."""
        prior = TOPIC_PSEUDO_DOCUMENTS if gram in _TOPIC_BIGRAMS else 0
        others = self.docs - in_pair
        df = max(self.df.get(gram, 0) - in_pair, 0) + prior
        return math.log((others + TOPIC_PSEUDO_DOCUMENTS + 1) / (df + 1))


def _conflicting(a: frozenset[tuple[str, str]], b: frozenset[tuple[str, str]]) -> bool:
    """Both name a figure in the same unit and no value of that unit is shared."""
    units_a: dict[str, set[str]] = {}
    for value, unit in a:
        units_a.setdefault(unit, set()).add(value)
    units_b: dict[str, set[str]] = {}
    for value, unit in b:
        units_b.setdefault(unit, set()).add(value)
    return any(not (units_a[u] & units_b[u]) for u in units_a.keys() & units_b.keys())


def _pair_grams(fa: Features, fb: Features) -> tuple[frozenset[str], frozenset[str]]:
    """Title + lead when both have a lead; otherwise titles only, so a missing lead costs nothing."""
    return (fa.full, fb.full) if fa.has_lead and fb.has_lead else (fa.title, fb.title)


def similarity(a: StoryKey, b: StoryKey, background: _Background, *, a_counted: bool = False,
               b_counted: bool = True) -> float:
    """Weighted Dice of the two keys' bigrams plus shared-figure evidence; -1 for a figure conflict.

    `a_counted`/`b_counted` say whether each key is itself part of `background` (it is left out)."""
    fa, fb = a.features, b.features
    if _conflicting(fa.figures, fb.figures):
        return -1.0
    grams_a, grams_b = _pair_grams(fa, fb)
    shared = grams_a & grams_b
    if not shared:
        return 0.0
    mine = int(a_counted)
    theirs = int(b_counted)
    weight = background.weight
    inter = sum(weight(g, mine + theirs) for g in shared)
    mass_a = inter + sum(weight(g, mine) for g in grams_a - shared)
    mass_b = inter + sum(weight(g, theirs) for g in grams_b - shared)
    if mass_a + mass_b <= 0:
        return 0.0
    shared_figures = sum(1 for _, unit in fa.figures & fb.figures if unit)
    return 2 * inter / (mass_a + mass_b) + SHARED_FIGURE_BONUS * min(shared_figures, 2)


def _threshold(a: Features, b: Features, window_seconds: float) -> float | None:
    """The bar for this pair, or None when they are too far apart in time to be one story."""
    if a.time is None or b.time is None:
        return THRESHOLD_UNDATED
    if abs(a.time - b.time) > window_seconds:
        return None
    return THRESHOLD


def _distinctive(grams: frozenset[str], background: _Background) -> frozenset[str] | None:
    """With a long history, the rarest of `grams` that some stored item shares (at most
    DISTINCTIVE_MAX, each in at most DISTINCTIVE_FRACTION of the items). A copy shares most of its
    text, so it shares some of these; candidates sharing none need no scoring. None: do not prune."""
    if background.docs < PRUNE_MIN_DOCS:
        return None
    limit = background.docs * DISTINCTIVE_FRACTION
    df = background.df
    rare = sorted((count, g) for g in grams if 0 < (count := df.get(g, 0)) <= limit)
    return frozenset(g for _, g in rare[:DISTINCTIVE_MAX])


def _best_match(new: StoryKey, candidates: Sequence[StoryKey], background: _Background, window: timedelta,
                *, new_counted: bool) -> StoryKey | None:
    """The best candidate above its bar. Candidates are first ranked by plain bigram Dice (set sizes
    only, cheap) and only the best few get the weighted score: a copy shares most of its text."""
    fa = new.features
    window_seconds = window.total_seconds()
    gate = _distinctive(fa.full, background)
    if gate is not None:
        candidates = [key for key in candidates if not gate.isdisjoint(key.features.full)]
    ranked: list[tuple[float, int, float]] = []
    for i, key in enumerate(candidates):
        fb = key.features
        bar = _threshold(fa, fb, window_seconds)
        if bar is None:
            continue
        grams_a, grams_b = _pair_grams(fa, fb)
        shared = len(grams_a & grams_b)
        if shared >= PREFILTER_MIN_SHARED:
            ranked.append((2 * shared / (len(grams_a) + len(grams_b)), i, bar))
    best: StoryKey | None = None
    best_score = 0.0
    for _, i, bar in heapq.nlargest(SCORED_CANDIDATES, ranked):
        score = similarity(new, candidates[i], background, a_counted=new_counted)
        if score >= bar and score > best_score:
            best, best_score = candidates[i], score
    return best


class _BackgroundCache:
    """Background statistics of the last `existing` list, updated by difference between calls.

    The pipeline calls find_story with nearly the same list every time (one story more, a few
    expired), so recounting every bigram of thousands of keys per call would dominate the cost."""

    def __init__(self) -> None:
        self.background = _Background()
        self.counted: Counter[frozenset[str]] = Counter()  # by value: several keys may share a story id
        self.last: list[StoryKey] = []

    def for_keys(self, keys: Sequence[StoryKey]) -> _Background:
        seen = len(self.last)
        if len(keys) >= seen and all(map(operator.is_, keys, self.last)):
            tail = [key.features.full for key in keys[seen:]]  # the usual case: keys appended
            for grams in tail:
                self.background.add(grams)
            self.counted.update(tail)
        else:
            current = Counter(key.features.full for key in keys)
            for grams, count in current.items():
                for _ in range(count - self.counted.get(grams, 0)):
                    self.background.add(grams)
            for grams, count in self.counted.items():
                for _ in range(count - current.get(grams, 0)):
                    self.background.remove(grams)
            self.counted = current
        self.last = list(keys)
        return self.background


_cache = _BackgroundCache()


def find_story(new: StoryKey, existing: list[StoryKey], window_hours: float = 72.0) -> str | None:
    """The id of the existing story `new` is a copy of, or None. Precision over recall.

    `existing` holds one key per stored item (a story's first copy and its later copies may all be
    there, each with the story's id); the best-scoring key above the bar wins."""
    if not existing:
        return None
    background = _cache.for_keys(existing)
    match = _best_match(new, existing, background, timedelta(hours=window_hours), new_counted=False)
    return match.id if match is not None else None


# -- batch grouping (the `group` subcommand) and evaluation ------------------------------------------


def _parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return _aware(datetime.fromisoformat(str(value)))
    except ValueError:
        return None


def key_from_record(record: Mapping[str, Any], id: str) -> StoryKey:
    """A key from a `group` input line: the lead is the first sentence of `text`, if any."""
    text = str(record.get("text") or "").strip()
    lead = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0] if text else ""
    return make_key(id, str(record.get("title") or ""), lead[:300], _parse_time(record.get("published_at")),
                    outlet=str(record.get("outlet") or ""))


def group(records: list[dict[str, Any]], window_hours: float = 72.0) -> list[str]:
    """A story label per record, same order; equal labels = one story ("s-" + its first member's id).

    Records are taken in order, as the daemon would see them; each joins the story of its best match
    among the earlier ones. The whole batch serves as background for the word weights."""
    keys = [key_from_record(r, str(r["id"]) if r.get("id") is not None else str(i))
            for i, r in enumerate(records)]
    background = _Background()
    for key in keys:
        background.add(key.features.full)
    window = timedelta(hours=window_hours)
    labels: list[str] = []
    label_of: dict[int, str] = {}
    for i, key in enumerate(keys):
        earlier = keys[:i]
        match = _best_match(key, earlier, background, window, new_counted=True)
        label = label_of[id(match)] if match is not None else f"s-{key.id}"
        label_of[id(key)] = label
        labels.append(label)
    return labels


@dataclass(frozen=True, slots=True)
class StoryReport:
    """Pairwise precision/recall: a pair is predicted together when both got the same story label."""

    records: int
    gold_pairs: int
    predicted_pairs: int
    true_pairs: int
    false_merges: tuple[tuple[str, str], ...]
    missed: tuple[tuple[str, str], ...]

    @property
    def precision(self) -> float:
        return self.true_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.true_pairs / self.gold_pairs if self.gold_pairs else 1.0

    def format(self) -> str:
        lines = [
            f"records: {self.records}  gold pairs: {self.gold_pairs}  "
            f"predicted pairs: {self.predicted_pairs}",
            f"pairwise precision: {self.precision:.3f}  recall: {self.recall:.3f}  "
            f"({self.true_pairs} of {self.gold_pairs} gold pairs found)",
        ]
        lines += [f"  false merge: {a} + {b}" for a, b in self.false_merges]
        lines += [f"  missed: {a} + {b}" for a, b in self.missed]
        return "\n".join(lines)


def evaluate(records: list[dict[str, Any]], window_hours: float = 72.0) -> StoryReport:
    """Score `group` on records carrying a gold `event`; `date` is read when `published_at` is absent."""
    inputs = [{**r, "published_at": r.get("published_at", r.get("date"))} for r in records]
    labels = group(inputs, window_hours)
    ids = [str(r.get("id")) for r in records]
    gold_pairs = predicted = true = 0
    false_merges: list[tuple[str, str]] = []
    missed: list[tuple[str, str]] = []
    for (i, a), (j, b) in itertools.combinations(enumerate(records), 2):
        gold = a.get("event") == b.get("event")
        same = labels[i] == labels[j]
        gold_pairs += gold
        predicted += same
        true += gold and same
        if same and not gold:
            false_merges.append((ids[i], ids[j]))
        elif gold and not same:
            missed.append((ids[i], ids[j]))
    return StoryReport(len(records), gold_pairs, predicted, true, tuple(false_merges), tuple(missed))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m bot.stories STORIES.jsonl", file=sys.stderr)
        return 2
    with open(args[0], encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    print(evaluate(records).format())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
