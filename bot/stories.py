"""Copies of one event across outlets are one story; every merge and every refusal says why.

A wire copy republished by several papers, or one press release rewritten by each of them, shares
its rare words, its names, figures, quotes and dates. Two different events on the same topic share
only the topic words (광주, AI, 컴퓨팅센터 …), or they share the words but differ in what happened.

**Text.** Titles and leads are folded so that rewrites look alike: datelines, bylines and punctuation
go, usual short forms become one spelling (인공지능 = AI, 예비타당성조사 = 예타, 광주광역시 = 광주:
EQUIVALENTS), 1천500 is read as 1500 and particles are dropped from word ends. The lead is the first
sentence of the article text, taken by `lead_of` — the one function the pipeline and `group` share
(`story_key` builds a key from a title and a text with it).

**Evidence for a pair** (`compare`): the IDF-weighted Dice coefficient of the character bigrams of
the titles and, when both have a lead, of title + lead (the pair's similarity is the larger); the IDF
comes from the other items at hand (the stories in the index, or the batch being grouped) plus
pseudo-documents of the topic and headline vocabulary, so topic words weigh little even with a short
history, and what two items share must weigh at least MIN_EVIDENCE unseen bigrams. Further signals:
publication times (a day apart or less, unknown), the same outlet (an outlet rarely runs two copies of
one event: it needs near-identical text), shared figures with units, amounts on both sides none of
them shared, a shared named person, a shared quotation (speech, in double quotes), a shared day of the
month. A logistic model (WEIGHTS, log-odds set by hand on the tuning sets and checked against a fit by
`python -m evaluation.calibrate_stories --fit`) turns them into a probability; a pair merges when it
reaches BAR.

**Contradictions** veto a merge whatever is shared: another figure in the same unit (120㎿ vs 60㎿,
CES 2025 vs 2026, 1단계 vs 2단계); another milestone (신청 vs 선정, 선임 vs 취임, 개막 vs 폐막);
an announcement of an event against the report that it was held (개최한다 vs 개최했다, or an item
naming a day still to come against an item published on or after that day); a statement or reaction
(성명, 환영 …) against the news it reacts to, or two statements by different speakers; an editorial,
column or interview against a news report, or two from different outlets; different places (광주 vs
부산); different people named as the speakers of the two headlines.

Precision matters more than recall: a wrong merge hides a story, a missed merge only posts twice.

**StoryIndex** holds the keys of recent stories (a story's first copy and its later copies), their
bigram statistics and an inverted index from rare bigrams to keys; the caller owns it, adds stories as
they are posted and expires old ones. `find(key)` returns a `Match` (story id, score, the `Evidence`)
or None; `decide(key)` also returns the evidence of the closest candidates that were refused. The
module is pure: no state, no I/O.
"""

from __future__ import annotations

import dataclasses
import heapq
import itertools
import json
import math
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from bot.summarize import first_sentence
from scrapers.dates import KST
from scrapers.text import MAX_TITLE_CHARS


@dataclass(frozen=True, slots=True)
class StoriesConfig:
    """`[stories]` of the config."""

    window_hours: float = field(default=72.0, metadata={"min": 1})  # copies within this are one story


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


#: Milestones of one project or event, by kind. Two items naming milestones, none of a common kind,
#: report different steps (applied vs selected, appointed vs inaugurated, opened vs closed), however
#: much else they share. Matched on folded text without spaces, in the title and the lead.
MILESTONES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("applied", ("신청", "지원서", "도전장", "응모", "입찰", "응찰")),
    ("passed", ("통과", "선정", "확정", "가결", "의결", "승인", "문턱", "지정", "뽑았", "뽑혀")),
    ("failed", ("탈락", "부결", "무산", "고배", "보류", "삭감", "감액", "불발", "유찰", "실패")),
    ("groundbreaking", ("착공", "기공")),
    ("opened", ("준공", "완공", "개소", "개관", "개원", "개교", "개막", "개최")),
    ("closed", ("폐막", "폐회", "마무리")),
    ("call", ("모집", "공모", "접수", "선발")),
    ("graduated", ("수료", "졸업", "학위", "배출")),
    ("started", ("시작", "개시", "착수", "돌입", "개통", "입교")),
    ("changed", ("확대", "연장", "증편", "증액", "축소", "중단")),
    ("appointed", ("선임", "임명", "내정", "선출")),
    ("inaugurated", ("취임", "부임")),
    ("resigned", ("퇴임", "사퇴", "사임", "이임")),
    ("declared", ("선포", "선언")),
    ("shortlisted", ("압축",)),
)

#: A reaction to an event (a statement welcoming a decision, a protest against it) is news of its own:
#: a title with one of these and a title without any are about different events. Words that also
#: report what a speaker said (촉구, 비판, 우려) are left out: a speech and its report share them or not.
REACTIONS: tuple[str, ...] = ("환영", "규탄", "반발", "유감", "논평", "성명", "반겨")
#: Documents a lead says were issued: the item reports a statement (its speaker is the event).
STATEMENT_LEAD = re.compile(r"성명|논평|입장문|건의문|호소문|결의문|환영의 뜻|환영한다고")

#: Opinion and interview pieces: never the same event as a news report, nor as another outlet's piece.
OPINION_TITLE = re.compile(
    r"사설|칼럼|기고|시론|기자수첩|취재수첩|데스크|논단|오피니언|독자투고|기자의\s?눈|\[?\s*시평|\[?\s*포럼\s*\]"
)
INTERVIEW_TITLE = re.compile(r"인터뷰|대담")

#: Announced vs held: verbs of an event still to come, and of an event that took place. An item whose
#: title or lead only announces and an item that only reports it held are different events.
PLANNED_EVENT = re.compile(
    r"개최한다|개최할|개최키로|개최\s?예정|열린다|(?<!문\s)(?<!문)연다|갖는다|가질\s?예정|출범한다|출범할|"
    r"착공한다|착공할|착공\s?예정|착수한다|진행한다|체결한다|체결할|선포한다|연다고"
)
HELD_EVENT = re.compile(r"개최했|열렸|열었|가졌|출범했|착공했|치렀|체결했|선포했|진행했|마쳤|성료")

#: Roles that follow a person's name in Korean news (강기정 시장, 우상호 정무수석, 오상진 … 단장).
ROLES: tuple[str, ...] = (
    "대통령", "국무총리", "총리", "부총리", "장관", "차관", "수석", "비서관", "실장", "국장", "청장",
    "시장", "도지사", "지사", "군수", "구청장", "의원", "의장", "부의장", "위원장", "총장", "원장",
    "단장", "소장", "센터장", "대표", "회장", "사장", "이사장", "교수", "박사", "부위원장",
)  # fmt: skip
#: Family names: a three-syllable word starting with one of these and followed by a role is a name.
SURNAMES = frozenset(
    "김이박최정강조윤장임한오서신권황안송류유전홍고문양손배백허남심노하곽성차주우구민진나지엄채원천방공현함변염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용예경봉"
)
#: Three-syllable words that look like a surname and a given name but are not names.
NOT_NAMES = frozenset(
    {
        "이사회", "시의회", "도의회", "구의회", "전남도", "정부는", "이번에", "한국전", "최종적",
        "최대한", "강조했", "조성한", "임시회", "유치위", "전문가", "전국민", "안전한", "신임단", "오는날",
        "고위급", "장성군", "전라도", "문화계", "송년사", "신년사", "이사장", "한국형", "정보통",
    }
)  # fmt: skip

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


#: Decision: a pair merges when the model's probability reaches BAR. WEIGHTS are log-odds per signal,
#: set by hand: about 20 per unit of similarity, so that a pair a day apart or less merges from a
#: similarity of about 0.40, further apart from 0.45, undated from 0.55, from the same outlet only near
#: 0.85; shared figures, people, quotations and days lower that by 0.03–0.08 each, amounts with none in
#: common raise it by 0.3. Chosen on the tuning part of evaluation/manifests/stories-gwangju.jsonl,
#: ../shared/corpus/stories-dev.jsonl and tests/fixtures/stories/ (`python -m evaluation.calibrate_stories
#: --fit` compares them with a logistic fit and shows the figures around BAR); never on the frozen part.
WEIGHTS: Mapping[str, float] = {
    "intercept": -9.0,
    "similarity": 20.0,
    "within_a_day": 1.0,
    "time_unknown": -2.0,
    "same_outlet": -8.0,
    "shared_figures": 1.0,
    "unshared_amounts": -6.0,
    "shared_person": 1.0,
    "shared_quote": 1.5,
    "shared_day": 0.5,
}
BAR = 0.5
MIN_EVIDENCE = 3.0  # shared weight, in units of a bigram seen nowhere else, below which nothing is shared
PREFILTER_MIN_SHARED = 3  # raw shared bigrams below which a pair is not scored at all
PRUNE_MIN_DOCS = 200  # history size from which candidates must share a distinctive bigram
DISTINCTIVE_FRACTION = 0.02  # "distinctive": found in at most this share of the stored items
DISTINCTIVE_MAX = 24  # how many of the rarest bigrams of a new key look up candidates
SCORED_CANDIDATES = 40  # how many of the closest candidates (plain Dice) get the full comparison
EXPLAINED_REFUSALS = 3  # how many refused candidates `decide` reports
LEAD_MAX_CHARS = 400

# -- text ------------------------------------------------------------------------------------------

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
_PARTICLE = re.compile(  # at a word's end: AI로 = AI, 광주시는 = 광주시
    r"(?:(?<=[가-힣]{2})|(?<=[a-z0-9]))(?:" + "|".join(PARTICLES) + r")(?= |$)"
)
_MILESTONE_KIND = {word: kind for kind, words in MILESTONES for word in words}
_MILESTONE = re.compile("|".join(sorted(map(re.escape, _MILESTONE_KIND), key=len, reverse=True)))
_PLANNED_BEFORE = re.compile(
    r"(?:\d+(?:년|월)|이달|연내|내년|상반기|하반기)(?:중|말|초|께|안|내)?$"
)  # "2027년 개교", "1월 중 착공"
_PLANNED_AFTER = re.compile(r"(?:목표|예정|계획|앞둬|앞둔|추진|한다|할|키로|하기로|식을연다|식을개최한다|절차)")
_QUOTE = re.compile(r'[“"]([^“”"]{4,})[”"]')  # speech: headlines put names and terms in single quotes
_NAME_WORD = re.compile(r"(?<![가-힣])([가-힣]{3})(?![가-힣])")
_ROLE_AFTER = re.compile(r"\s*(?:\S{0,14}\s)?\S{0,16}?(?:" + "|".join(sorted(ROLES, key=len, reverse=True)) + ")")
_DAY = re.compile(
    r"(지난|오는|내달|다음\s?달)?\s?(?:(\d{1,2})월\s?)?(\d{1,2})일(?!\s?(?:까지|부터|간|째|마감|기한|자))"
)
_SUBJECT = re.compile(r"^\s*(.{2,40}?)(?:은|는|이|가)\s")
_OUTLET_NOISE = re.compile(r"\(.*?\)|via.*$|\s+")


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
    return _normalise_folded(_fold(text))


def _normalise_folded(folded: str) -> str:
    return _PARTICLE.sub("", " ".join(_NOT_WORD.sub(" ", folded).split()))


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
            grams.update(map(str.__add__, word, word[1:]))
    return frozenset(grams)


def figures(text: str) -> frozenset[tuple[str, str]]:
    """(value, unit) pairs; unit "" for a bare number such as a year in "CES 2025"."""
    return _figures_folded(_fold(text))


def _figures_folded(folded: str) -> frozenset[tuple[str, str]]:
    found = {(year, "") for year in _BARE_YEAR.findall(folded)}
    for value, unit in _UNIT_FIGURE.findall(folded):
        if "." in value:
            value = value.rstrip("0").rstrip(".")
        found.add((value, UNIT_ALIASES.get(unit, unit)))
    return frozenset(found)


def milestones(text: str) -> frozenset[str]:
    """The kinds of MILESTONES `text` names as reached (not as planned: 2027년 개교 목표, 개최한다)."""
    return _milestones(_fold(text))[0]


def _milestones(folded: str) -> tuple[frozenset[str], frozenset[str]]:
    """(kinds named as reached, kinds named as planned) in `_fold`ed text."""
    squeezed = _NOT_WORD.sub("", folded)
    reached: set[str] = set()
    planned: set[str] = set()
    for match in _MILESTONE.finditer(squeezed):
        kind = _MILESTONE_KIND[match[0]]
        if _PLANNED_BEFORE.search(squeezed, 0, match.start()) or _PLANNED_AFTER.match(squeezed, match.end()):
            planned.add(kind)
        else:
            reached.add(kind)
    return frozenset(reached), frozenset(planned)


_PLACE_WORDS = {place + suffix: place for place in PLACES for suffix in PLACE_SUFFIXES}


def places(normalised: str) -> frozenset[str]:
    """The PLACES a normalised text names as words of their own (not 대전 inside 대전환)."""
    return frozenset(_PLACE_WORDS[word] for word in normalised.split() if word in _PLACE_WORDS)


def persons(text: str) -> frozenset[str]:
    """Names of people: a three-syllable word starting with a family name and followed by a role
    (강기정 시장, 우상호 대통령실 정무수석)."""
    text = _BRACKETED.sub(" ", _BYLINE.sub(" ", text))
    found = set()
    for match in _NAME_WORD.finditer(text):
        name = match[1]
        if _looks_like_name(name) and _ROLE_AFTER.match(text, match.end()):
            found.add(name)
    return frozenset(found)


def _looks_like_name(word: str) -> bool:
    return word[0] in SURNAMES and word not in NOT_NAMES and word[:2] not in PLACES


def speakers(title: str, lead: str = "") -> frozenset[str]:
    """Who a headline names as its speaker or actor, outside its quotations: a name with a role, a name
    followed by a quotation (우상호 “…”), or a name followed by a comma (이재명, …) that the lead names
    with a role (so that 지스트, or 연구팀, is not taken for a person). A name inside a quotation is
    what someone said, not who said it."""
    title = _BRACKETED.sub(" ", _BYLINE.sub(" ", title))
    inside = [m.span() for m in _QUOTE.finditer(title)]
    confirmed = persons(lead) if lead else frozenset()
    found = set()
    for match in _NAME_WORD.finditer(title):
        name = match[1]
        if not _looks_like_name(name) or any(start <= match.start() < end for start, end in inside):
            continue
        after = title[match.end() : match.end() + 3].lstrip()
        if (
            _ROLE_AFTER.match(title, match.end())
            or after.startswith(("“", '"'))
            or (after.startswith(",") and name in confirmed)
        ):
            found.add(name)
    return frozenset(found)


def quotes(text: str) -> tuple[frozenset[str], ...]:
    """Bigram sets of the quoted passages (at least four characters) of `text`."""
    found = []
    for match in _QUOTE.finditer(text):
        grams = bigrams(normalise(match[1]))
        if len(grams) >= 4:
            found.append(grams)
    return tuple(found)


def kind_of(title: str) -> str:
    """ "opinion" (editorial, column, contribution), "interview" or "news"."""
    if OPINION_TITLE.search(title):
        return "opinion"
    if INTERVIEW_TITLE.search(title):
        return "interview"
    return "news"


def lead_of(text: str) -> str:
    """The lead the grouping compares: the first sentence of an article's text (or a listing snippet),
    at most LEAD_MAX_CHARS characters. The pipeline and `group` both take it from here."""
    text = (text or "").strip()
    if not text:
        return ""
    return (first_sentence(text) or text)[:LEAD_MAX_CHARS].strip()


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=KST)  # naive times in Korean news are KST


def _resolve_day(published: date, marker: str | None, month: int | None, day: int) -> date | None:
    """The calendar day a "N일" mention means, read against the publication day: "지난 N일" and a day
    not after today are this month (or the last), "오는 N일" and a later day are to come."""
    year, mon = published.year, published.month
    if month is not None:
        mon = month
        if month - published.month > 6:
            year -= 1
        elif published.month - month > 6:
            year += 1
    elif marker in ("내달", "다음달", "다음 달"):
        mon += 1
    elif marker == "지난" and day > published.day:
        mon -= 1
    if mon == 0:
        year, mon = year - 1, 12
    elif mon == 13:
        year, mon = year + 1, 1
    try:
        return date(year, mon, day)
    except ValueError:
        return None


def _days(text: str, published: date | None) -> tuple[frozenset[date], frozenset[date]]:
    """(days the text names that had come by publication, days still to come)."""
    if published is None:
        return frozenset(), frozenset()
    past: set[date] = set()
    future: set[date] = set()
    for marker, month, day in _DAY.findall(text):
        resolved = _resolve_day(published, marker or None, int(month) if month else None, int(day))
        if resolved is None:
            continue
        (future if resolved > published else past).add(resolved)
    return frozenset(past), frozenset(future)


def _outlet_name(outlet: str) -> str:
    return _OUTLET_NOISE.sub("", unicodedata.normalize("NFKC", outlet or "").casefold())


def _subject(lead: str) -> frozenset[str]:
    """Bigrams of who the lead's first sentence is about (its first subject phrase)."""
    match = _SUBJECT.match(_BRACKETED.sub(" ", _BYLINE.sub(" ", lead)))
    return bigrams(normalise(match[1])) if match else frozenset()


# -- keys ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Features:
    """What comparison needs, computed once per key."""

    title: frozenset[str]  # bigrams of the title
    full: frozenset[str]  # bigrams of title + lead (the title's when there is no lead)
    words: frozenset[str]  # normalised words of the title and lead, for the explanations
    has_lead: bool
    figures: frozenset[tuple[str, str]]
    milestones: frozenset[str]  # MILESTONES kinds the title and lead name as reached
    planned_milestones: frozenset[str]  # … and as planned
    reaction: bool  # a statement or a reaction (REACTIONS in the title, STATEMENT_LEAD in the lead)
    kind: str  # "news", "opinion" or "interview"
    places: frozenset[str]  # PLACES the title names
    persons: frozenset[str]  # people named in the title and lead
    speakers: frozenset[str]  # people the title names (as speakers or with a role)
    quotes: tuple[frozenset[str], ...]
    announces: bool  # the title or lead announces an event to come (개최한다, 열린다 …)
    reports_held: bool  # … or reports it held (개최했다, 열렸다 …)
    subject: frozenset[str]  # bigrams of the lead's subject phrase
    time: float | None  # POSIX seconds of publication; naive times are read as KST
    day: date | None  # KST day of publication
    past_days: frozenset[date]  # days of the month the title and lead name, resolved, up to publication
    future_days: frozenset[date]  # … and after it


@dataclass(frozen=True, slots=True)
class StoryKey:
    """One stored or incoming item. Its comparison features are computed once, at construction."""

    id: str
    title: str
    lead: str  # first sentence of the text or the snippet (`lead_of`); "" when unknown
    published_at: datetime | None
    url: str = ""
    outlet: str = ""
    features: Features = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "features", features_of(self.title, self.lead, self.published_at))


def story_key(
    id: str, title: str, text: str = "", published_at: datetime | None = None, *, url: str = "", outlet: str = ""
) -> StoryKey:
    """The key of an item from its title and its text (article body, snippet, or a stored lead): the one
    place where text becomes what grouping compares, for the pipeline and for `group` alike. The title is
    cut at MAX_TITLE_CHARS, as the scrapers cut it: `group` reads titles of any length."""
    title = title.strip()[:MAX_TITLE_CHARS].rstrip()
    return StoryKey(id=id, title=title, lead=lead_of(text), published_at=published_at, url=url, outlet=outlet)


def features_of(title: str, lead: str = "", published_at: datetime | None = None) -> Features:
    """What comparison needs of an item; computed once per StoryKey (the index keeps the keys)."""
    moment = _aware(published_at)
    day = moment.astimezone(KST).date() if moment is not None else None
    text = _text_features(title, lead)
    past, future = _days(f"{title}\n{lead}", day)
    return Features(
        **text,
        time=moment.timestamp() if moment is not None else None,
        day=day,
        past_days=past,
        future_days=future,
    )


def _text_features(title: str, lead: str) -> dict[str, Any]:
    """Everything but the time-dependent fields."""
    folded_title, folded_lead = _fold(title), _fold(lead)
    folded_both = f"{folded_title}\n{folded_lead}"
    norm_title = _normalise_folded(folded_title)
    norm_lead = _normalise_folded(folded_lead)
    title_grams = bigrams(norm_title)
    full = bigrams(f"{norm_title} {norm_lead}") if norm_lead else title_grams
    both = f"{title}\n{lead}"
    reached, planned = _milestones(folded_both)
    reaction = any(word in norm_title for word in REACTIONS) or bool(STATEMENT_LEAD.search(lead))
    return {
        "title": title_grams,
        "full": full,
        "words": frozenset(w for w in f"{norm_title} {norm_lead}".split() if len(w) >= 2),
        "has_lead": bool(norm_lead),
        "figures": _figures_folded(folded_both),
        "milestones": reached,
        "planned_milestones": planned - reached,
        "reaction": reaction,
        "kind": kind_of(title),
        "places": places(norm_title),
        "persons": persons(both),
        "speakers": speakers(title, lead),
        "quotes": quotes(both),
        "announces": bool(PLANNED_EVENT.search(both)),
        "reports_held": bool(HELD_EVENT.search(both)),
        "subject": _subject(lead),
    }


# -- comparison ------------------------------------------------------------------------------------


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


_TOPIC_BIGRAMS = frozenset().union(*(bigrams(normalise(w)) for w in TOPIC_VOCABULARY + NEWS_VOCABULARY))


def _weighted_dice(
    grams_a: frozenset[str], grams_b: frozenset[str], background: _Background, mine: int, theirs: int
) -> tuple[float, frozenset[str]]:
    """IDF-weighted Dice and the shared bigrams; 0 when what they share weighs less than MIN_EVIDENCE
    unseen bigrams (only topic words in common: any two items on the subject share that much)."""
    shared = grams_a & grams_b
    if not shared:
        return 0.0, shared
    weight = background.weight
    inter = sum(weight(g, mine + theirs) for g in shared)
    if inter < MIN_EVIDENCE * weight("", mine + theirs):
        return 0.0, shared
    mass_a = inter + sum(weight(g, mine) for g in grams_a - shared)
    mass_b = inter + sum(weight(g, theirs) for g in grams_b - shared)
    return 2 * inter / (mass_a + mass_b), shared


def _unit_figures(found: frozenset[tuple[str, str]]) -> frozenset[tuple[str, str]]:
    return frozenset(f for f in found if f[1])


def _figure_conflicts(a: frozenset[tuple[str, str]], b: frozenset[tuple[str, str]]) -> list[str]:
    """Units both name, with no value of that unit in common: "120mw vs 60mw"."""
    units_a: dict[str, set[str]] = {}
    for value, unit in a:
        units_a.setdefault(unit, set()).add(value)
    units_b: dict[str, set[str]] = {}
    for value, unit in b:
        units_b.setdefault(unit, set()).add(value)
    return [
        f"{'/'.join(sorted(units_a[u]))}{u} vs {'/'.join(sorted(units_b[u]))}{u}"
        for u in sorted(units_a.keys() & units_b.keys())
        if not units_a[u] & units_b[u]
    ]


def _shared_quote(a: tuple[frozenset[str], ...], b: tuple[frozenset[str], ...]) -> bool:
    """A quotation one item carries is (nearly all) inside one the other carries."""
    return any(len(qa & qb) >= 0.8 * min(len(qa), len(qb)) for qa in a for qb in b)


def contradictions(a: StoryKey, b: StoryKey) -> list[str]:
    """Counter-evidence that outweighs any text in common, each as "kind: detail"."""
    fa, fb = a.features, b.features
    found = [f"figure: {c}" for c in _figure_conflicts(fa.figures, fb.figures)]
    if fa.milestones and fb.milestones and fa.milestones.isdisjoint(fb.milestones):
        found.append(f"milestone: {'/'.join(sorted(fa.milestones))} vs {'/'.join(sorted(fb.milestones))}")
    for x, y in ((fa, fb), (fb, fa)):
        if x.planned_milestones & y.milestones:
            found.append(f"planned vs reached: {'/'.join(sorted(x.planned_milestones & y.milestones))}")
            break
    if (fa.announces and not fa.reports_held and fb.reports_held and not fb.announces) or (
        fb.announces and not fb.reports_held and fa.reports_held and not fa.announces
    ):
        found.append("announced vs held")
    for x, y in ((fa, fb), (fb, fa)):
        to_come = [d for d in x.future_days if y.day is not None and y.day >= d]
        if to_come:
            found.append(f"announced for {min(to_come).isoformat()}, the other published on or after it")
            break
    if fa.reaction != fb.reaction:
        found.append("statement or reaction vs the news itself")
    elif fa.reaction and fa.subject and fb.subject and not fa.subject & fb.subject:
        found.append("statements by different speakers")
    if fa.kind != fb.kind:
        found.append(f"{fa.kind} vs {fb.kind}")
    elif fa.kind != "news" and _outlet_name(a.outlet) != _outlet_name(b.outlet):
        found.append(f"{fa.kind} pieces of two outlets")
    if fa.places and fb.places and fa.places.isdisjoint(fb.places):
        found.append(f"place: {'/'.join(sorted(fa.places))} vs {'/'.join(sorted(fb.places))}")
    if fa.speakers and fb.speakers and fa.speakers.isdisjoint(fb.speakers):
        found.append(f"speaker: {'/'.join(sorted(fa.speakers))} vs {'/'.join(sorted(fb.speakers))}")
    return found


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a pair merges or not: the model's probability against the bar, what the pair shares and
    what contradicts it. `contradicts` non-empty means no merge whatever the score."""

    story_id: str  # the compared key's story
    title: str  # the compared key's title
    score: float
    bar: float | None  # None: the pair is outside the time window
    signals: Mapping[str, float]
    shared: tuple[str, ...]
    contradicts: tuple[str, ...]

    @property
    def merges(self) -> bool:
        return self.bar is not None and not self.contradicts and self.score >= self.bar

    def as_dict(self) -> dict[str, Any]:
        return {
            "story": self.story_id,
            "title": self.title,
            "score": round(self.score, 3),
            "bar": self.bar,
            "merges": self.merges,
            "shared": list(self.shared),
            "contradicts": list(self.contradicts),
            "signals": {k: round(v, 3) for k, v in self.signals.items() if v},
        }

    def summary(self) -> str:
        """One log-line fragment: "story s1 0.93≥0.50 shared: …; contradicts: …"."""
        verdict = (
            "outside window" if self.bar is None else f"{self.score:.2f}{'≥' if self.merges else '<'}{self.bar:.2f}"
        )
        parts = [f"story {self.story_id} {verdict}"]
        if self.shared:
            parts.append("shared: " + ", ".join(self.shared))
        if self.contradicts:
            parts.append("contradicts: " + "; ".join(self.contradicts))
        return " ".join(parts[:1]) + (" " + "; ".join(parts[1:]) if parts[1:] else "")


def signals(
    a: StoryKey, b: StoryKey, background: _Background, *, a_counted: bool = False, b_counted: bool = True
) -> tuple[dict[str, float], tuple[str, ...]]:
    """The model's inputs for a pair, and what the pair shares in words.

    `a_counted`/`b_counted` say whether each key is itself part of `background` (it is left out)."""
    fa, fb = a.features, b.features
    mine, theirs = int(a_counted), int(b_counted)
    title_sim, title_shared = _weighted_dice(fa.title, fb.title, background, mine, theirs)
    lead_sim = 0.0
    shared_grams = title_shared
    if fa.has_lead and fb.has_lead:
        lead_sim, shared_grams = _weighted_dice(fa.full, fb.full, background, mine, theirs)
    both_timed = fa.time is not None and fb.time is not None
    shared_figures = fa.figures & fb.figures
    shared_persons = fa.persons & fb.persons
    quote = _shared_quote(fa.quotes, fb.quotes)
    shared_days = fa.past_days & fb.past_days
    values = {
        "title_similarity": title_sim,
        "lead_similarity": lead_sim,
        "similarity": max(title_sim, lead_sim),
        "within_a_day": float(both_timed and abs(fa.time - fb.time) <= 24 * 3600),  # type: ignore[operator]
        "time_unknown": float(not both_timed),
        "same_outlet": float(bool(a.outlet) and _outlet_name(a.outlet) == _outlet_name(b.outlet)),
        "shared_figures": float(min(len(shared_figures), 2)),
        "unshared_amounts": float(
            not shared_figures and bool(_unit_figures(fa.figures)) and bool(_unit_figures(fb.figures))
        ),
        "shared_person": float(bool(shared_persons)),
        "shared_quote": float(quote),
        "shared_day": float(bool(shared_days)),
    }
    shared: list[str] = []
    if title_sim > 0 or lead_sim > 0:
        words = fa.words & fb.words if fa.has_lead and fb.has_lead else _title_words(a) & _title_words(b)
        in_pair = mine + theirs
        rare = sorted(words, key=lambda w: (-sum(background.weight(g, in_pair) for g in bigrams(w)), w))[:6]
        shared.append("words " + " ".join(rare) if rare else f"{len(shared_grams)} bigrams")
    shared += [f"figure {v}{u}" for v, u in sorted(shared_figures)]
    shared += [f"person {p}" for p in sorted(shared_persons)]
    if quote:
        shared.append("a quotation")
    shared += [f"day {d.isoformat()}" for d in sorted(shared_days)]
    return values, tuple(shared)


def _title_words(key: StoryKey) -> frozenset[str]:
    return frozenset(w for w in normalise(key.title).split() if len(w) >= 2)


def probability(values: Mapping[str, float]) -> float:
    """The model: logistic in WEIGHTS. 0 when nothing rare is shared in words."""
    if values["title_similarity"] <= 0 and values["lead_similarity"] <= 0:
        return 0.0
    z = WEIGHTS["intercept"] + sum(WEIGHTS.get(name, 0.0) * value for name, value in values.items())
    return 1 / (1 + math.exp(-z))


def compare(
    a: StoryKey,
    b: StoryKey,
    background: _Background,
    window_hours: float = 72.0,
    *,
    a_counted: bool = False,
    b_counted: bool = True,
) -> Evidence:
    """The evidence that `a` is a copy of `b`'s event."""
    fa, fb = a.features, b.features
    if fa.time is not None and fb.time is not None and abs(fa.time - fb.time) > window_hours * 3600:
        return Evidence(b.id, b.title, 0.0, None, {}, (), ())
    values, shared = signals(a, b, background, a_counted=a_counted, b_counted=b_counted)
    return Evidence(b.id, b.title, probability(values), BAR, values, shared, tuple(contradictions(a, b)))


# -- the index ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Match:
    """The story a new key belongs to, the model's probability and the evidence of the best copy."""

    story_id: str
    score: float
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class Decision:
    """What `StoryIndex.decide` found: the match (or None) and the closest candidates it refused,
    best first, each with its evidence; `log_line()` is a one-line account for the log."""

    match: Match | None
    refused: tuple[Evidence, ...]

    def log_line(self) -> str:
        head = f"joins {self.match.evidence.summary()}" if self.match else "new story"
        if self.refused:
            head += " | refused " + " | ".join(e.summary() for e in self.refused)
        return head

    def as_dict(self) -> dict[str, Any]:
        return {
            "story": self.match.story_id if self.match else None,
            "evidence": self.match.evidence.as_dict() if self.match else None,
            "refused": [e.as_dict() for e in self.refused],
        }


@dataclass(slots=True)
class _Entry:
    story_id: str
    key: StoryKey
    at: float | None  # when it entered the history (the story's first_seen), for expiry


class StoryIndex:
    """The keys of recent stories, their bigram statistics and an inverted index from bigrams to keys.

    The caller owns it: it builds one from its stored stories (`add` each story's keys), adds a story's
    key when it posts or groups one, and calls `expire` to forget stories older than the window. `find`
    and `decide` never change it. A story may have several keys (its first copy and later copies'
    headlines); a new item joins the story of its best match unless another key of that story
    contradicts it."""

    def __init__(self, window_hours: float = 72.0, *, background: _Background | None = None) -> None:
        self.window_hours = window_hours
        self._fixed_background = background is not None
        self._background = background if background is not None else _Background()
        self._entries: dict[int, _Entry] = {}
        self._by_story: dict[str, list[int]] = {}
        self._postings: dict[str, set[int]] = {}
        self._next = 0

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, story_id: str, key: StoryKey, at: float | None = None) -> None:
        """Remember `key` as a copy of story `story_id`; `at` (POSIX seconds, default the key's
        publication time) is what `expire` compares."""
        if key.id != story_id:
            key = StoryKey(story_id, key.title, key.lead, key.published_at, key.url, key.outlet)
        n = self._next
        self._next += 1
        self._entries[n] = _Entry(story_id, key, at if at is not None else key.features.time)
        self._by_story.setdefault(story_id, []).append(n)
        for gram in key.features.full:
            self._postings.setdefault(gram, set()).add(n)
        if not self._fixed_background:
            self._background.add(key.features.full)

    def expire(self, before: float) -> int:
        """Forget the keys that entered before `before` (POSIX seconds); how many were dropped."""
        old = [n for n, entry in self._entries.items() if entry.at is not None and entry.at < before]
        for n in old:
            self._drop(n)
        return len(old)

    def remove_story(self, story_id: str) -> None:
        for n in list(self._by_story.get(story_id, ())):
            self._drop(n)

    def _drop(self, n: int) -> None:
        entry = self._entries.pop(n)
        ids = self._by_story[entry.story_id]
        ids.remove(n)
        if not ids:
            del self._by_story[entry.story_id]
        for gram in entry.key.features.full:
            holders = self._postings.get(gram)
            if holders is not None:
                holders.discard(n)
                if not holders:
                    del self._postings[gram]
        if not self._fixed_background:
            self._background.remove(entry.key.features.full)

    def keys(self, story_id: str) -> list[StoryKey]:
        return [self._entries[n].key for n in self._by_story.get(story_id, ())]

    def _candidates(self, key: StoryKey) -> Iterator[int]:
        grams = key.features.full
        background = self._background
        if background.docs >= PRUNE_MIN_DOCS:  # a copy shares some of its rarest bigrams with its story
            limit = background.docs * DISTINCTIVE_FRACTION
            df = background.df
            rare = sorted((count, g) for g in grams if 0 < (count := df.get(g, 0)) <= limit)
            grams = frozenset(g for _, g in rare[:DISTINCTIVE_MAX])
        seen: set[int] = set()
        for gram in grams:
            for n in self._postings.get(gram, ()):
                if n not in seen:
                    seen.add(n)
                    yield n

    def _compared(self, key: StoryKey, *, counted: bool) -> list[tuple[int, Evidence]]:
        """Evidence against the closest keys (plain bigram Dice first, cheap), best score first."""
        fa = key.features
        window = self.window_hours * 3600
        ranked: list[tuple[float, int]] = []
        for n in self._candidates(key):
            fb = self._entries[n].key.features
            if fa.time is not None and fb.time is not None and abs(fa.time - fb.time) > window:
                continue
            grams_a, grams_b = (fa.full, fb.full) if fa.has_lead and fb.has_lead else (fa.title, fb.title)
            shared = len(grams_a & grams_b)
            if shared >= PREFILTER_MIN_SHARED:
                ranked.append((2 * shared / (len(grams_a) + len(grams_b)), -n))
        compared = []
        for _, minus_n in heapq.nlargest(SCORED_CANDIDATES, ranked):
            other = self._entries[-minus_n].key
            compared.append((-minus_n, compare(key, other, self._background, self.window_hours, a_counted=counted)))
        compared.sort(key=lambda pair: (-pair[1].score, pair[0]))
        return compared

    def decide(self, key: StoryKey, *, counted: bool = False) -> Decision:
        """The story `key` belongs to, with the evidence, and the best candidates refused.

        `counted`: the key is itself part of the background statistics (batch grouping)."""
        refused: list[Evidence] = []
        match = None
        seen: set[str] = set()
        for n, evidence in self._compared(key, counted=counted):
            story_id = self._entries[n].story_id
            if story_id in seen:  # a story is judged by its closest key (and all its keys' contradictions)
                continue
            seen.add(story_id)
            if match is None and evidence.merges:
                against = [
                    f"another copy ({other.title}) — {c}"
                    for other in self.keys(story_id)
                    if other is not self._entries[n].key
                    for c in contradictions(key, other)
                ]
                if not against:
                    match = Match(story_id, evidence.score, evidence)
                    continue
                evidence = dataclasses.replace(evidence, contradicts=tuple(against))
            if len(refused) < EXPLAINED_REFUSALS and (evidence.score > 0 or evidence.contradicts):
                refused.append(evidence)
        return Decision(match, tuple(refused))

    def find(self, key: StoryKey) -> Match | None:
        """The story `key` is a copy of, or None. Precision over recall."""
        return self.decide(key).match


class StoredStory(Protocol):
    """What the index needs of a stored story (state.records.StoryRecord has these fields)."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def lead(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def outlet(self) -> str: ...
    @property
    def published_at(self) -> float | None: ...
    @property
    def first_seen(self) -> float: ...
    @property
    def also(self) -> Sequence[Sequence[str]]:  # (outlet, url, title[, lead]) per later copy
        ...


def story_keys(story: StoredStory) -> list[StoryKey]:
    """The keys of a stored story: its first copy (with its lead) and each later copy's headline (with
    its lead when the record kept one), so that a third outlet's rewrite can match the second's
    wording. Times are the story's publication time, else when it was first seen."""
    return [first_key(story), *(copy_key(story, entry) for entry in story.also if len(entry) >= 3)]


def _story_time(story: StoredStory) -> datetime:
    return datetime.fromtimestamp(story.published_at or story.first_seen, KST)


def first_key(story: StoredStory, *, lead: bool = True) -> StoryKey:
    """The key of a stored story's first copy (`story_keys(story)[0]`); of its title alone when `lead` is
    False."""
    text = story.lead if lead else ""
    return story_key(story.id, story.title, text, _story_time(story), url=story.url, outlet=story.outlet)


def copy_key(story: StoredStory, entry: Sequence[str]) -> StoryKey:
    """The key of one later copy of a stored story, `entry` one of its `also` (outlet, url, title[,
    lead]): for the newest, `copy_key(story, story.also[-1])` is `story_keys(story)[-1]`."""
    text = entry[3] if len(entry) >= 4 else ""
    return story_key(story.id, entry[2], text, _story_time(story), url=entry[1], outlet=entry[0])


def build_index(stories: Iterable[StoredStory], window_hours: float, now: float) -> StoryIndex:
    """A StoryIndex of the stored stories first seen within `window_hours` before `now` (POSIX
    seconds), each with all its keys, entered at its first_seen (what `expire` compares)."""
    index = StoryIndex(window_hours)
    cutoff = now - window_hours * 3600
    for story in stories:
        if story.first_seen >= cutoff:
            for key in story_keys(story):
                index.add(story.id, key, at=story.first_seen)
    return index


def find_story(new: StoryKey, existing: list[StoryKey], window_hours: float = 72.0) -> str | None:
    """The id of the existing story `new` is a copy of, or None — a StoryIndex built for one call.

    `existing` holds one key per stored item, each with its story's id. Kept for callers that have not
    moved to an index they own; building the index costs a pass over `existing` per call."""
    index = StoryIndex(window_hours)
    for key in existing:
        index.add(key.id, key)
    match = index.find(new)
    return match.story_id if match else None


# -- batch grouping (the `group` subcommand) and evaluation ------------------------------------------


def _parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return _aware(datetime.fromisoformat(str(value)))
    except ValueError:
        return None


def key_from_record(record: Mapping[str, Any], id: str) -> StoryKey:
    """A key from a `group` input line (`title`, `text`, `published_at`, `outlet`, `url`)."""
    return story_key(
        id,
        str(record.get("title") or ""),
        str(record.get("text") or ""),
        _parse_time(record.get("published_at")),
        url=str(record.get("url") or ""),
        outlet=str(record.get("outlet") or ""),
    )


def group_decisions(records: list[dict[str, Any]], window_hours: float = 72.0) -> list[tuple[str, Decision]]:
    """A story label and the decision per record, same order; equal labels = one story ("s-" + its
    first member's id). Records are taken in order, as the daemon would see them; the whole batch serves
    as background for the word weights."""
    keys = [key_from_record(r, str(r["id"]) if r.get("id") is not None else str(i)) for i, r in enumerate(records)]
    background = _Background()
    for key in keys:
        background.add(key.features.full)
    index = StoryIndex(window_hours, background=background)
    out = []
    for key in keys:
        decision = index.decide(key, counted=True)
        label = decision.match.story_id if decision.match else f"s-{key.id}"
        index.add(label, key)
        out.append((label, decision))
    return out


def group(records: list[dict[str, Any]], window_hours: float = 72.0) -> list[str]:
    """A story label per record, same order (see `group_decisions`)."""
    return [label for label, _ in group_decisions(records, window_hours)]


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


def pairwise(ids: Sequence[str], gold: Sequence[Any], predicted: Sequence[Any]) -> StoryReport:
    """Pairwise agreement of two labelings of the same items."""
    gold_pairs = n_predicted = true = 0
    false_merges: list[tuple[str, str]] = []
    missed: list[tuple[str, str]] = []
    for i, j in itertools.combinations(range(len(ids)), 2):
        same_gold = gold[i] == gold[j]
        same = predicted[i] == predicted[j]
        gold_pairs += same_gold
        n_predicted += same
        true += same_gold and same
        if same and not same_gold:
            false_merges.append((ids[i], ids[j]))
        elif same_gold and not same:
            missed.append((ids[i], ids[j]))
    return StoryReport(len(ids), gold_pairs, n_predicted, true, tuple(false_merges), tuple(missed))


def evaluate(records: list[dict[str, Any]], window_hours: float = 72.0) -> StoryReport:
    """Score `group` on records carrying a gold `event`; `date` is read when `published_at` is absent."""
    inputs = [{**r, "published_at": r.get("published_at", r.get("date"))} for r in records]
    labels = group(inputs, window_hours)
    return pairwise([str(r.get("id")) for r in records], [r.get("event") for r in records], labels)


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
