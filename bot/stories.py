"""Copies of one event across outlets are one story.

A wire copy republished by several papers, or one press release rewritten by each of them, shares
its rare words: names, places, figures, the verb of what happened. Two different events on the same
topic share only the topic words (광주, AI, 컴퓨팅센터 …), which every relevant article carries.

Text is first normalised so that rewrites look alike: datelines, bylines and punctuation go, the usual
short forms are folded into one spelling (인공지능 = AI, 특별위원회 = 특위, 예비타당성조사 = 예타,
광주광역시 = 광주, 尹 = 윤, 첫 삽 = 착공: EQUIVALENTS), 1천500 is read as 1500, and particles are dropped
from word ends (광주시는 = 광주). Two items are then compared by a weighted Dice coefficient over the
character bigrams of each word (Hangul, Latin and digit runs apart, so spacing does not matter), on the
titles and, when both have one, also on title + lead; the better of the two counts. A bigram's weight is
its inverse document frequency among the other items at hand (the stored stories, or the batch being
grouped), plus a few pseudo-documents made of the topic and headline vocabulary below, so that those
words weigh little even when there is little history. On top of that:

- two items published more than the window apart never merge; the bar is lower for items a day apart
  or less and higher when either publication time is unknown;
- what they share must weigh at least MIN_EVIDENCE unseen bigrams: a headline made of topic words
  only (광주, 국가 AI컴퓨팅센터 유치 추진) is like every other one and joins none;
- counter-evidence blocks the merge whatever else is shared: a figure with the same unit but another
  value (120㎿ vs 60㎿, CES 2025 vs 2026, 1단계 vs 2단계), another milestone (신청 vs 통과, 개막 vs
  폐막), a reaction against the event itself (… 환영), another place (광주 vs 부산);
- a shared figure is extra evidence; two titles that each name amounts, none the same, lose some;
- an item never joins a story one of whose copies it contradicts (`group`; `find_story` checks all
  the keys of the story it picks).

Precision matters more than recall: a wrong merge hides a story, a missed merge only posts twice.
Measured with `python -m bot.stories FILE` on ../shared/corpus/stories-dev.jsonl and on our own sets in
tests/fixtures/stories/.
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

#: Spellings folded together before comparison: one meaning, several surfaces in Korean news copy
#: (full names and their usual short forms, Hanja initials, loanword spellings, headline idioms for a
#: common verb). Applied in order to lower-cased NFKC text, so a longer variant comes before a shorter
#: one it contains.
EQUIVALENTS: tuple[tuple[str, str], ...] = (
    # places and institutions
    ("광주광역시", "광주"),
    ("광주시", "광주"),
    ("전라남도", "전남"),
    ("전남도", "전남"),
    ("광주과학기술원", "gist"),
    ("광주과기원", "gist"),
    ("지스트", "gist"),
    ("한국전력공사", "한전"),
    ("한국전력", "한전"),
    ("과학기술정보통신부", "과기정통부"),
    ("과기부", "과기정통부"),
    ("기획재정부", "기재부"),
    ("산업통상자원부", "산업부"),
    ("더불어민주당", "민주당"),
    ("인공지능산업융합사업단", "aica"),
    # common nouns and their abbreviations
    ("인공지능", "ai"),
    ("특별위원회", "특위"),
    ("상임위원회", "상임위"),
    ("예비타당성조사", "예타"),
    ("예비타당성", "예타"),
    ("영재학교", "영재고"),
    ("업무협약", "협약"),
    ("양해각서", "협약"),
    ("mou", "협약"),
    ("메가와트", "mw"),
    ("기가와트", "gw"),
    ("스타트업", "창업기업"),
    ("국회의원", "의원"),
    # Hanja initials in headlines (尹 대통령 = 윤 대통령)
    ("尹", "윤"),
    ("李", "이"),
    ("文", "문"),
    ("朴", "박"),
    ("韓", "한"),
    ("與", "여당"),
    ("野", "야당"),
    ("美", "미국"),
    ("中", "중국"),
    ("日", "일본"),
    # headline idioms for the same act
    ("첫 삽", "착공"),
    ("첫삽", "착공"),
    ("막 올라", "개막"),
    ("막올라", "개막"),
    ("막 내려", "폐막"),
    ("막내려", "폐막"),
    ("성료", "폐막"),
    ("맞손", "협약"),
    ("손잡", "협약"),
    ("닻 올려", "출범"),
    ("닻올려", "출범"),
    ("발족", "출범"),
    ("문 열어", "개소"),
    ("문 연다", "개소"),
    ("문 열었다", "개소"),
    ("넘어서", "돌파"),
    ("넘었다", "돌파"),
    ("깎았다", "삭감"),
    ("깎아", "삭감"),
    ("뽑았다", "선정"),
    ("뽑혀", "선정"),
    ("돕는다", "지원"),
)

#: Milestones of one project or event. Two items naming milestones, none of them in a common group,
#: report different steps (applied vs passed, construction started vs opened, fair opened vs closed),
#: however much else they share. Matched on folded text without spaces.
MILESTONES: tuple[tuple[str, ...], ...] = (
    ("신청", "지원서", "도전장"),
    ("통과", "선정", "확정", "가결", "의결", "승인", "문턱", "지정", "뽑았", "뽑혀"),
    ("탈락", "부결", "무산", "고배", "보류", "삭감", "감액"),
    ("착공", "기공"),
    ("준공", "완공", "개소", "개관", "개원", "개교", "개막", "개최"),
    ("폐막", "폐회", "마무리"),
    ("모집", "공모", "접수", "선발"),
    ("수료", "졸업", "학위"),
    ("시작", "개시", "착수", "돌입", "개통"),
    ("확대", "연장", "증편", "증액", "축소", "중단"),
)

#: A reaction to an event (a statement welcoming a decision, a protest against it) is news of its own:
#: a title with one of these and a title without any are about different events. Words that also
#: report what a speaker said (촉구, 비판, 우려) are left out: a speech and its report share them or not.
REACTIONS: tuple[str, ...] = ("환영", "규탄", "반발", "유감", "논평", "성명", "반겨")

#: Regions and cities as headlines name them (after folding: 광주광역시 = 광주, 전라남도 = 전남). Two
#: titles that each name a place, none in common, are about different places' news (광주 vs 부산
#: 규제자유특구). Words that are also common nouns are left out (경기 = economy, 진도 = progress).
PLACES: frozenset[str] = frozenset(
    {
        "서울",
        "부산",
        "대구",
        "인천",
        "광주",
        "대전",
        "울산",
        "세종",
        "경기도",
        "강원",
        "충북",
        "충남",
        "전북",
        "전남",
        "경북",
        "경남",
        "제주",
        "호남",
        "영남",
        "수도권",
        "나주",
        "목포",
        "여수",
        "순천",
        "광양",
        "담양",
        "화순",
        "장성",
        "해남",
        "무안",
        "완도",
        "고흥",
        "보성",
        "장흥",
        "영암",
        "함평",
        "곡성",
        "구례",
        "신안",
        "전주",
        "익산",
        "군산",
        "창원",
        "포항",
        "구미",
        "천안",
        "청주",
        "수원",
        "성남",
        "용인",
        "고양",
        "판교",
    }
)
#: What may follow a place name in one word: 부산시, 전남도, 광주의회, 나주혁신도시 stay places.
PLACE_SUFFIXES: tuple[str, ...] = ("", "시", "도", "군", "구", "권", "의회", "시의회", "도의회", "혁신도시")

#: Words every relevant article tends to carry; their bigrams count as seen in a few extra documents,
#: so they weigh little while the item history is still short.
TOPIC_VOCABULARY: tuple[str, ...] = (
    "광주",
    "광주시",
    "전남",
    "호남",
    "ai",
    "국가",
    "컴퓨팅",
    "컴퓨팅센터",
    "데이터센터",
    "센터",
    "gpu",
    "npu",
    "반도체",
    "인프라",
    "사업",
    "추진",
    "유치",
    "조성",
    "산업",
    "도시",
    "중심도시",
    "집적단지",
    "클러스터",
    "기업",
    "정부",
    "시장",
    "지역",
    "첨단",
    "기술",
    "개최",
    "확보",
    "지원",
)
#: Headline verbs and frames of any news story (협약 체결, 본격 추진, 박차, 최종 확정 …): like the topic
#: words, they say what kind of thing happened, not which event, so they weigh little too. What tells two
#: such events apart is who and what: the names and figures.
NEWS_VOCABULARY: tuple[str, ...] = (
    "협약",
    "체결",
    "협력",
    "발표",
    "참여",
    "성공",
    "돌파",
    "출범",
    "본격",
    "최종",
    "시동",
    "나선다",
    "나서",
    "박차",
    "강화",
    "계획",
    "밝혔다",
    "가동",
    "속도",
    "적극",
    "검토",
    "마련",
    "선정",
    "확정",
    "개막",
    "시작",
    "도입",
    "추가",
    "확대",
    "방문",
    "점검",
    "논의",
    "예정",
    "목표",
    "위해",
    "위한",
    "대한",
    "관련",
    "올해",
    "내년",
    "공식",
    "선포",
    "행사",
    "열려",
    "열어",
    "개소",
    "개관",
    "총력",
    "청신호",
    "기대",
)
TOPIC_PSEUDO_DOCUMENTS = 4

#: Units after a figure. Same unit + different value = different facts. Days and clock times are left
#: out on purpose: copies of one event often differ in them (발표일, 시행일).
FIGURE_UNITS: tuple[str, ...] = (
    "조원",
    "억원",
    "만원",
    "천원",
    "조",
    "억",
    "만",
    "천",
    "원",
    "mw",
    "gw",
    "kw",
    "kv",
    "pf",
    "tb",
    "%",
    "명",
    "곳",
    "개사",
    "개",
    "단계",
    "년",
    "기",
    "대",
    "호",
    "차",
    "건",
    "배",
    "위",
    "층",
    "장",
    "회",
    "주년",
)
#: Units written differently for the same count (50곳 = 50개 = 50개사 of firms; 6000억원 = 6000억).
UNIT_ALIASES: Mapping[str, str] = {"조원": "조", "억원": "억", "만원": "만", "천원": "천", "곳": "개", "개사": "개"}

#: Decision thresholds, chosen on the stories dev set and tests/fixtures/stories/cases.jsonl
#: (`python -m bot.stories FILE`).
THRESHOLD_CLOSE = 0.40  # both publication times known and at most CLOSE_HOURS apart
THRESHOLD = 0.45  # both publication times known and within the window
THRESHOLD_UNDATED = 0.55  # at least one publication time unknown
CLOSE_HOURS = 24.0
SHARED_FIGURE_BONUS = 0.05  # per shared figure (an amount, or a year as in CES 2026), at most two
UNSHARED_FIGURES_PENALTY = 0.30  # both name figures with units, none in common: likely different facts
MIN_EVIDENCE = 3.0  # shared weight, in units of a bigram seen nowhere else, below which nothing merges
PREFILTER_MIN_SHARED = 3  # raw shared bigrams below which a pair is not scored at all
PRUNE_MIN_DOCS = 200  # history size from which candidates must share a distinctive bigram
DISTINCTIVE_FRACTION = 0.02  # "distinctive": found in at most this share of the stored items
DISTINCTIVE_MAX = 24  # how many of the rarest shared bigrams a candidate is checked against
SCORED_CANDIDATES = 40  # how many of the closest candidates (plain Dice) get the weighted score

# -- features --------------------------------------------------------------------------------------

# [광주], 【광주】, (광주=연합뉴스); "홍길동 기자 =" and e-mail addresses
_BRACKETED = re.compile(r"\[[^\]]*\]|【[^】]*】|〔[^〕]*〕|\((?:[^()]*=[^()]*)\)")
_BYLINE = re.compile(r"[가-힣]{2,4}\s?(?:기자|특파원|통신원)\s?=|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_ELLIPSIS = re.compile(r"\.{2,}|[~～]")  # "확보…2027년": the figure after it must still be found
_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3}(?!\d))")
_NOT_WORD = re.compile(r"[\W_]+")
_UNIT_FIGURE = re.compile(
    r"(?:(?<![\w.])|(?<=제))(\d+(?:\.\d+)?)\s?("
    + "|".join(sorted(map(re.escape, FIGURE_UNITS), key=len, reverse=True))
    + r")(?![a-z])"
)
_BARE_YEAR = re.compile(  # "CES 2025", "CES 2026서"; not dates or times (2025.02.05, 17:15)
    r"(?<![\w.:/-])((?:19|20)\d\d)(?:에서|[서에의은는이가을를도와과로])?(?![\w.:/-])"
)
_KOREAN_THOUSANDS = re.compile(r"(?<![\d.])(\d{1,3})천(\d{3})?(?!\d)")  # 1천500명 -> 1500명, 3천억 -> 3000억
#: Particles (josa) dropped from the end of a word, longest first, so 광주시는/광주시가/광주서 compare equal.
PARTICLES: tuple[str, ...] = (
    "에서는",
    "으로는",
    "에게서",
    "으로서",
    "으로써",
    "이라며",
    "에서",
    "에게",
    "으로",
    "까지",
    "부터",
    "처럼",
    "보다",
    "이라",
    "와의",
    "과의",
    "에는",
    "에도",
    "은",
    "는",
    "이",
    "가",
    "을",
    "를",
    "에",
    "의",
    "와",
    "과",
    "도",
    "로",
    "서",
)
_PARTICLE = re.compile(r"(?:(?<=[가-힣]{2})|(?<=[a-z0-9]))(?:" + "|".join(PARTICLES) + r")$")  # AI로 = AI
_MILESTONE_WORDS = {word: i for i, words in enumerate(MILESTONES) for word in words}
_MILESTONE = re.compile("|".join(sorted(map(re.escape, _MILESTONE_WORDS), key=len, reverse=True)))
_PLANNED_BEFORE = re.compile(r"\d+(?:년|월)$")  # "2027년 개교": a plan, not the milestone reached
_PLANNED_AFTER = re.compile(r"^(?:목표|예정|계획|앞둬|앞둔|추진)")


def _fold(text: str) -> str:
    """Lower-cased NFKC text without datelines, bylines or thousands separators, equivalents folded."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _ELLIPSIS.sub(" ", text)
    text = _BRACKETED.sub(" ", text)
    text = _BYLINE.sub(" ", text)
    text = _THOUSANDS.sub("", text)
    text = _KOREAN_THOUSANDS.sub(lambda m: str(int(m[1]) * 1000 + int(m[2] or 0)), text)
    for variant, canonical in EQUIVALENTS:
        text = text.replace(variant, canonical)
    return text


def normalise(text: str) -> str:
    """`_fold` without punctuation and word-final particles: the text bigrams are taken from."""
    return " ".join(_PARTICLE.sub("", word) for word in _NOT_WORD.sub(" ", _fold(text)).split())


_RUN = re.compile(r"[가-힣]+|[a-z]+|\d+|[^\s가-힣a-z\d]+")  # Hangul, Latin and digit runs: AI컴퓨팅 = AI 컴퓨팅


def bigrams(normalised: str) -> frozenset[str]:
    """Character bigrams within each run of Hangul, Latin or digits; a one-character run counts as itself.

    Bigrams do not cross words: the junctions of neighbouring words (광주 국가 → 주국) say nothing about
    the event and would differ between rewrites that order words differently. Splitting at script changes
    keeps 국가AI컴퓨팅센터 and 국가 AI 컴퓨팅센터 alike, whatever the outlet's spacing."""
    grams: set[str] = set()
    for word in _RUN.findall(normalised):
        if len(word) < 2:
            grams.add(word)
        else:
            grams.update(word[i : i + 2] for i in range(len(word) - 1))
    return frozenset(grams)


def figures(text: str) -> frozenset[tuple[str, str]]:
    """(value, unit) pairs; unit "" for a bare number such as a year in "CES 2025"."""
    folded = _fold(text)
    found = {(year, "") for year in _BARE_YEAR.findall(folded)}
    for value, unit in _UNIT_FIGURE.findall(folded):
        if "." in value:
            value = value.rstrip("0").rstrip(".")
        found.add((value, UNIT_ALIASES.get(unit, unit)))
    return frozenset(found)


def milestones(text: str) -> frozenset[int]:
    """Indexes of the MILESTONES groups `text` names as reached (not as planned: 2027년 개교 목표)."""
    squeezed = _NOT_WORD.sub("", _fold(text))
    found = set()
    for match in _MILESTONE.finditer(squeezed):
        if _PLANNED_BEFORE.search(squeezed, 0, match.start()) or _PLANNED_AFTER.match(squeezed, match.end()):
            continue
        found.add(_MILESTONE_WORDS[match[0]])
    return frozenset(found)


_PLACE_WORDS = {place + suffix: place for place in PLACES for suffix in PLACE_SUFFIXES}


def places(normalised: str) -> frozenset[str]:
    """The PLACES a normalised text names as words of their own (not 대전 inside 대전환)."""
    return frozenset(_PLACE_WORDS[word] for word in normalised.split() if word in _PLACE_WORDS)


_TOPIC_BIGRAMS = frozenset().union(*(bigrams(normalise(w)) for w in TOPIC_VOCABULARY + NEWS_VOCABULARY))


@dataclass(frozen=True, slots=True)
class Features:
    """What comparison needs, computed once per key."""

    title: frozenset[str]  # bigrams of the title
    full: frozenset[str]  # bigrams of title + lead (the title's when there is no lead)
    has_lead: bool
    figures: frozenset[tuple[str, str]]
    milestones: frozenset[int]  # MILESTONES groups the title names as reached
    reaction: bool  # the title names a reaction (REACTIONS)
    places: frozenset[str]  # PLACES the title names
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


@functools.lru_cache(maxsize=2048)  # about the stories of one grouping window
def features_of(title: str, lead: str = "", published_at: datetime | None = None) -> Features:
    """Cached: callers (bot.pipeline) rebuild their keys from the stored stories on every call."""
    moment = _aware(published_at)
    return Features(*_text_features(title, lead), time=moment.timestamp() if moment is not None else None)


@functools.lru_cache(maxsize=2048)  # about the stories of one grouping window
def _text_features(
    title: str, lead: str
) -> tuple[frozenset[str], frozenset[str], bool, frozenset[tuple[str, str]], frozenset[int], bool, frozenset[str]]:
    """Cached apart from the time: copies of a wire story often carry the same title and lead."""
    norm_title = normalise(title)
    norm_lead = normalise(lead)
    title_grams = bigrams(norm_title)
    full = bigrams(f"{norm_title} {norm_lead}") if norm_lead else title_grams
    reaction = any(word in norm_title for word in REACTIONS)
    return (
        title_grams,
        full,
        bool(norm_lead),
        figures(f"{title}\n{lead}"),
        milestones(title),
        reaction,
        places(norm_title),
    )


def make_key(
    id: str, title: str, lead: str = "", published_at: datetime | None = None, *, url: str = "", outlet: str = ""
) -> StoryKey:
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


def _pair_views(fa: Features, fb: Features) -> tuple[tuple[frozenset[str], frozenset[str]], ...]:
    """What to compare: the titles, and title + lead as well when both have a lead. Rewrites often keep
    the headline's words but reword the lead, or lead with the same press-release sentence under a new
    headline; either is evidence. Without a lead on both sides, titles only: a missing lead costs nothing."""
    if fa.has_lead and fb.has_lead:
        return (fa.title, fb.title), (fa.full, fb.full)
    return ((fa.title, fb.title),)


def _contradict(fa: Features, fb: Features) -> bool:
    """Counter-evidence that outweighs any text in common: another amount in the same unit, another
    milestone, a reaction against no reaction, another place."""
    return (
        _conflicting(fa.figures, fb.figures)
        or bool(fa.milestones and fb.milestones and fa.milestones.isdisjoint(fb.milestones))
        or fa.reaction != fb.reaction
        or bool(fa.places and fb.places and fa.places.isdisjoint(fb.places))
    )


def _unit_figures(found: frozenset[tuple[str, str]]) -> frozenset[tuple[str, str]]:
    return frozenset(f for f in found if f[1])


def _weighted_dice(
    grams_a: frozenset[str], grams_b: frozenset[str], background: _Background, mine: int, theirs: int
) -> float:
    """IDF-weighted Dice; 0 when what they share weighs less than MIN_EVIDENCE unseen bigrams."""
    shared = grams_a & grams_b
    if not shared:
        return 0.0
    weight = background.weight
    inter = sum(weight(g, mine + theirs) for g in shared)
    if inter < MIN_EVIDENCE * weight("", mine + theirs):
        return 0.0  # only topic words in common: any two items on the subject share that much
    mass_a = inter + sum(weight(g, mine) for g in grams_a - shared)
    mass_b = inter + sum(weight(g, theirs) for g in grams_b - shared)
    return 2 * inter / (mass_a + mass_b)


def similarity(
    a: StoryKey, b: StoryKey, background: _Background, *, a_counted: bool = False, b_counted: bool = True
) -> float:
    """Weighted Dice of the two keys' bigrams plus figure evidence; -1 for a figure or milestone conflict.

    `a_counted`/`b_counted` say whether each key is itself part of `background` (it is left out)."""
    fa, fb = a.features, b.features
    if _contradict(fa, fb):
        return -1.0
    mine, theirs = int(a_counted), int(b_counted)
    score = max(_weighted_dice(ga, gb, background, mine, theirs) for ga, gb in _pair_views(fa, fb))
    if score <= 0:
        return score
    shared_figures = len(fa.figures & fb.figures)
    if shared_figures:
        return score + SHARED_FIGURE_BONUS * min(shared_figures, 2)
    if _unit_figures(fa.figures) and _unit_figures(fb.figures):
        return score - UNSHARED_FIGURES_PENALTY  # each names an amount, and not the same one
    return score


def _threshold(a: Features, b: Features, window_seconds: float) -> float | None:
    """The bar for this pair, or None when they are too far apart in time to be one story."""
    if a.time is None or b.time is None:
        return THRESHOLD_UNDATED
    apart = abs(a.time - b.time)
    if apart > window_seconds:
        return None
    return THRESHOLD_CLOSE if apart <= CLOSE_HOURS * 3600 else THRESHOLD


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


def _matches(
    new: StoryKey, candidates: Sequence[StoryKey], background: _Background, window: timedelta, *, new_counted: bool
) -> list[StoryKey]:
    """The candidates above their bar, best first. Candidates are first ranked by plain bigram Dice (set
    sizes only, cheap) and only the best few get the weighted score: a copy shares most of its text."""
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
        grams_a, grams_b = _pair_views(fa, fb)[-1]  # title + lead when both have one: it contains the title
        shared = len(grams_a & grams_b)
        if shared >= PREFILTER_MIN_SHARED:
            ranked.append((2 * shared / (len(grams_a) + len(grams_b)), i, bar))
    scored: list[tuple[float, int]] = []
    for _, i, bar in heapq.nlargest(SCORED_CANDIDATES, ranked):
        score = similarity(new, candidates[i], background, a_counted=new_counted)
        if score >= bar:
            scored.append((score, i))
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return [candidates[i] for _, i in scored]


def _consistent(new: StoryKey, members: Iterable[StoryKey]) -> bool:
    """No member of the story contradicts `new`: a chain of likenesses must not join a story to an
    item that one of its copies rules out (a call for applicants joining its own results via a
    headline that names neither)."""
    fa = new.features
    return not any(_contradict(fa, member.features) for member in members)


class _BackgroundCache:
    """Background statistics of the last `existing` list, updated by difference between calls.

    The pipeline calls find_story with nearly the same list every time (one story more, a few
    expired), so recounting every bigram of thousands of keys per call would dominate the cost. Keys
    rebuilt from the same stored records share their (cached) bigram sets, which is what is compared."""

    def __init__(self) -> None:
        self.background = _Background()
        self.counted: Counter[frozenset[str]] = Counter()  # by value: several keys may share a story id
        self.last: list[frozenset[str]] = []

    def for_keys(self, keys: Sequence[StoryKey]) -> _Background:
        fulls = [key.features.full for key in keys]
        seen = len(self.last)
        if len(fulls) >= seen and all(map(operator.is_, fulls, self.last)):
            tail = fulls[seen:]  # the usual case: keys appended
            for grams in tail:
                self.background.add(grams)
            self.counted.update(tail)
        else:
            current = Counter(fulls)
            for grams, count in current.items():
                for _ in range(count - self.counted.get(grams, 0)):
                    self.background.add(grams)
            for grams, count in self.counted.items():
                for _ in range(count - current.get(grams, 0)):
                    self.background.remove(grams)
            self.counted = current
        self.last = fulls
        return self.background


_cache = _BackgroundCache()


def find_story(new: StoryKey, existing: list[StoryKey], window_hours: float = 72.0) -> str | None:
    """The id of the existing story `new` is a copy of, or None. Precision over recall.

    `existing` holds one key per stored item (a story's first copy and its later copies may all be
    there, each with the story's id); the best-scoring key above the bar wins, unless another key of
    its story contradicts `new` (another figure, milestone or place), then the next best."""
    if not existing:
        return None
    background = _cache.for_keys(existing)
    for match in _matches(new, existing, background, timedelta(hours=window_hours), new_counted=False):
        if _consistent(new, (key for key in existing if key.id == match.id)):
            return match.id
    return None


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
    return make_key(
        id,
        str(record.get("title") or ""),
        lead[:300],
        _parse_time(record.get("published_at")),
        outlet=str(record.get("outlet") or ""),
    )


def group(records: list[dict[str, Any]], window_hours: float = 72.0) -> list[str]:
    """A story label per record, same order; equal labels = one story ("s-" + its first member's id).

    Records are taken in order, as the daemon would see them; each joins the story of its best match
    among the earlier ones that no member of that story contradicts. The whole batch serves as
    background for the word weights."""
    keys = [key_from_record(r, str(r["id"]) if r.get("id") is not None else str(i)) for i, r in enumerate(records)]
    background = _Background()
    for key in keys:
        background.add(key.features.full)
    window = timedelta(hours=window_hours)
    labels: list[str] = []
    label_of: dict[int, str] = {}
    members: dict[str, list[StoryKey]] = {}
    for i, key in enumerate(keys):
        stories = (label_of[id(match)] for match in _matches(key, keys[:i], background, window, new_counted=True))
        label = next((story for story in stories if _consistent(key, members[story])), f"s-{key.id}")
        label_of[id(key)] = label
        members.setdefault(label, []).append(key)
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
            f"records: {self.records}  gold pairs: {self.gold_pairs}  predicted pairs: {self.predicted_pairs}",
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
