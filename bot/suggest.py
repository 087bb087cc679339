"""From the operator's corrections to proposed rule changes, each measured before anyone applies it.

``suggest-terms FEEDBACK`` reads the feedback file (bot/feedback.py), re-judges its cases with today's
rules (title + lead, as ``evaluate-relevance`` does) and, for each case they still get wrong, proposes
single changes in the ``[relevance]`` override format (bot/relevance.py's docstring):

* a **missed** (or /post) case the rules call not relevant: words of its title and lead that no term
  list knows, added as an ecosystem term (counts next to AI), an infrastructure term (a topic on its
  own) or a place in 광주광역시; and the removal of a term that pulled it down (an application,
  sports, 경기 광주 or other-region term that fired);
* a **wrong** case the rules call relevant: unknown words added as an application term (subtracts;
  also a strong variant), as a 경기 광주 marker, or, for a word built on 광주 (광주XX), as a name that
  is no place; and the removal of a term that pushed it up.

Every change is **measured**: a Detector with the config's overrides plus that change judges the
labelled sets and the feedback cases again (only the examples containing the term can change, so only
those are re-judged). A suggestion is shown when it fixes at least one feedback case. It is ranked by
what it breaks (anything broken is marked ✗ and comes last), then by support (a word that no labelled
example on the side it pushes towards contains, fixing a single case, is marked "? unsupported": the
figures cannot vouch for a word the sets never saw), then feedback cases fixed, labelled examples
fixed, how mild the change is, whether the word is in a title, and how often it appears on the right
side of the sets. Numbers follow that ranking, so they are stable between runs on the same files.

A greedy pick of the safe, supported suggestions (each fixing a case the previous ones did not), or
the operator's ``--pick``, is measured together and printed as a ready ``[relevance]`` table that
keeps the config's own overrides. Nothing is applied: the operator reviews, puts the table in the
config and restarts.

Headline filler (추진, 개최, 박차 …), predicate forms (…한다, …된) and numbers are never proposed:
they fix one case by accident and would fire on any headline.
"""

from __future__ import annotations

import copy
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from bot.relevance import Detector, normalize, ratio

# Existing groups a term joins (by "category:label", the extra_terms key); other additions are new groups.
EXTEND = {"metro": "metro:광주광역시", "gyeonggi": "gyeonggi:경기광주", "name": "name:다른이름"}
STRONG = -5.0  # the weight of a strong application group: outweighs a place plus an infrastructure term
# Categories whose terms push a verdict down (removal candidates for a miss) or up (for a wrong post).
DOWN = frozenset({"application", "sports", "gyeonggi", "elsewhere", "avian", "name"})
UP = frozenset({"metro", "metro_weak", "district", "facility", "name_infra", "ai", "ai_abbrev", "ax", "infra"})
UP |= frozenset({"support", "ecosystem"})
# How mild a change is (lower first when all else is equal).
_MILDNESS = {"ecosystem": 0, "application": 0, "metro": 1, "name": 1, "infra": 2, "gyeonggi": 2}
_WHAT = {
    "ecosystem": "an ecosystem term (counts next to AI or infrastructure words)",
    "infra": "an infrastructure term (a topic on its own, weight 3)",
    "metro": "a place in 광주광역시",
    "application": "an application term (subtracts: AI used somewhere, not AI infrastructure)",
    "gyeonggi": "a marker of 경기도 광주시 (excludes)",
    "name": "a name containing 광주 that is no place",
}


def _words(text: str) -> list[str]:
    return text.split()


_PARTICLES = (  # longest first
    *_words("에서는 으로는"),
    *_words("에서 으로 에게 까지 부터 보다 처럼"),
    *_words("은 는 이 가 을 를 의 에 와 과 도 로 만"),
)
_PREDICATE_ENDINGS = ("다", "한", "된", "할", "될", "해", "돼", "며", "는", "던", "려", "겠")
STOPWORDS = frozenset(
    _words("""
    추진 개최 선정 본격 박차 착수 돌입 확대 강화 지원 협력 발표 계획 성공 최초 전국 올해 내년 지난해 위해 대한
    관련 통해 오늘 이번 지난 최대 기념 참석 개막 출범 가동 완료 마련 제시 논의 모색 기대 전망 주목 속도 총력
    눈길 화제 단독 종합 속보 사진 영상 기자 뉴스 대표 시장 의원 정부 국가 사업 프로젝트 센터 분야 최고 세계
    글로벌 국내 지역 신규 추가 확보 구축 조성 건립 설립 공모 선포 체결 성과 결과 방안 필요 가능 우려 문제 과제
    시민 주민 관계자 참여 운영 개발 진행 예정 시작 본격화 첫 등 및 또 더 위한 대해 따라 함께 모두 가장 이후
    착공 준공 완공 개소 개관 개장 기공식 준공식 개소식 인근 일대 들어서
    """)
)


# -- the changes -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Change:
    """One proposed override: add `term` to a category, or remove an existing term."""

    kind: str  # "add" | "remove"
    category: str  # where the term goes, or where the removed term was
    term: str
    label: str = ""  # the removed term's group
    weight: float | None = None  # a new group's own weight (the strong application variant)

    def fragment(self) -> dict[str, Any]:
        """The [relevance] override that makes this change."""
        if self.kind == "remove":
            return {"remove_terms": [self.term]}
        if self.category in EXTEND:
            return {"extra_terms": {EXTEND[self.category]: [self.term]}}
        group: dict[str, Any] = {"category": self.category, "label": self.term, "terms": [self.term]}
        if self.weight is not None:
            group["weight"] = self.weight
        return {"groups": [group]}

    def describe(self) -> str:
        if self.kind == "remove":
            return f'remove the term "{self.term}" ({self.category} {self.label})'
        strong = f" with weight {self.weight:g}" if self.weight is not None else ""
        return f'add "{self.term}" as {_WHAT[self.category]}{strong}'

    def key(self) -> tuple[str, str, str, str, float]:
        return (self.kind, self.category, self.term, self.label, self.weight or 0.0)

    @property
    def mildness(self) -> int:
        if self.kind == "remove":
            return 3
        return _MILDNESS[self.category] + (2 if self.weight is not None else 0)

    @property
    def makes_relevant(self) -> bool:
        """Does the change push verdicts up (an added topic or place, a removed exclusion)?"""
        if self.kind == "remove":
            return self.category in DOWN
        return self.category in ("ecosystem", "infra", "metro")


def merge(base: dict[str, Any], fragments: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The config's [relevance] overrides with the fragments added (lists extended, tables merged)."""
    out = copy.deepcopy(base)
    for fragment in fragments:
        for key, value in fragment.items():
            if key == "extra_terms":
                table = out.setdefault("extra_terms", {})
                for name, terms in value.items():
                    table[name] = [*table.get(name, []), *(t for t in terms if t not in table.get(name, []))]
            elif key in ("remove_terms", "groups"):
                out[key] = [*out.get(key, []), *(v for v in value if v not in out.get(key, []))]
            elif key == "weights":
                out[key] = {**out.get(key, {}), **value}
            else:
                out[key] = value
    return out


# -- candidate words ---------------------------------------------------------------------------------

_WORD = re.compile(r"\w+")


def _strip_particle(word: str) -> str:
    for particle in _PARTICLES:
        if word.endswith(particle) and len(word) - len(particle) >= 2:
            return word[: -len(particle)]
    return word


def _acceptable(word: str) -> bool:
    return (
        len(word) >= 2
        and not word[0].isdigit()
        and word not in STOPWORDS
        and not (len(word) > 2 and word.endswith(_PREDICATE_ENDINGS))
        and not (len(word) == 2 and word.endswith(("다", "한", "된")))
    )


def _unknown_parts(detector: Detector, token: str) -> list[str]:
    """The pieces of a token no term covers (normalised), particles stripped: "반도체팹을" → ["반도체팹"]."""
    norm = normalize(token)
    parts, at = [], 0
    for m in detector.find_terms(norm):
        parts.append(norm[at : m.start])
        at = max(at, m.end)
    parts.append(norm[at:])
    return [w for w in (_strip_particle(p.strip()) for p in parts) if _acceptable(w)]


def candidate_words(detector: Detector, text: str) -> list[str]:
    """Words of `text` that no term list knows: single words, and two spaced words that are both unknown
    plain words, no particle ("스마트 팩토리" → "스마트팩토리"), in order of appearance."""
    text = unicodedata.normalize("NFKC", text)
    tokens = list(_WORD.finditer(text))
    words: list[str] = []
    plain: list[bool] = []  # an unknown word as it stands: no particle, no known term inside
    for m in tokens:
        word = normalize(m.group())
        plain.append(_acceptable(word) and _strip_particle(word) == word and not detector.find_terms(word))
        words += _unknown_parts(detector, m.group())
    for i in range(1, len(tokens)):
        a, b = tokens[i - 1], tokens[i]
        if plain[i - 1] and plain[i] and text[a.end() : b.start()] == " ":
            pair = _strip_particle(normalize(a.group() + b.group()))
            if _acceptable(pair) and not detector.find_terms(pair):
                words.append(pair)
    return list(dict.fromkeys(words))


def place_names(detector: Detector, text: str) -> list[str]:
    """Words built on 광주 that are more than 광주 (광주신협, 광주요): candidates for "a name, no place"."""
    out = []
    for m in _WORD.finditer(unicodedata.normalize("NFKC", text)):
        word = _strip_particle(normalize(m.group()))
        found = detector.find_terms(word)
        on_gwangju = any(t.category == "metro_weak" for t in found)
        only_known = all(t.category in ("metro_weak", "ai_abbrev", "ai") for t in found)
        if on_gwangju and only_known and sum(t.end - t.start for t in found) < len(word):  # 광주 and more
            out.append(word)
    return list(dict.fromkeys(out))


def changes_for(detector: Detector, case: Case) -> Iterator[Change]:
    """The single changes that might turn this case's verdict."""
    title, text = str(case.record.get("title") or ""), str(case.record.get("text") or "")
    both = f"{title}\n{text}"
    found = [*detector.find_terms(title), *detector.find_terms(text)]
    if case.gold:
        for word in candidate_words(detector, both):
            for category in ("ecosystem", "infra", "metro"):
                yield Change("add", category, word)
        for t in found:
            if t.category in DOWN:
                yield Change("remove", t.category, t.term, t.label)
    else:
        for word in candidate_words(detector, both):
            yield Change("add", "application", word)
            yield Change("add", "application", word, weight=STRONG)
            yield Change("add", "gyeonggi", word)
        for word in place_names(detector, both):
            yield Change("add", "name", word)
        for t in found:
            if t.category in UP:
                yield Change("remove", t.category, t.term, t.label)


# -- measuring ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Case:
    """One labelled example: a line of a set or an operator's feedback."""

    record: dict[str, Any]
    gold: bool
    feedback: bool
    haystack: str  # normalised title and text: only a case containing a changed term can change

    @property
    def line(self) -> str:
        rid = self.record.get("id")
        said = f" ({self.record['feedback']})" if self.feedback else ""
        return f"[{rid}] {self.record.get('title', '')}{said}" if rid is not None else f"{self.record.get('title')}"


@dataclass(frozen=True, slots=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @classmethod
    def of(cls, cases: Sequence[Case], right: Sequence[bool]) -> Counts:
        tp = sum(c.gold and r for c, r in zip(cases, right, strict=True))
        fn = sum(c.gold and not r for c, r in zip(cases, right, strict=True))
        fp = sum(not c.gold and not r for c, r in zip(cases, right, strict=True))
        tn = sum(not c.gold and r for c, r in zip(cases, right, strict=True))
        return cls(tp, fp, fn, tn)

    def precision(self) -> str:
        return ratio(self.tp, self.tp + self.fp)

    def recall(self) -> str:
        return ratio(self.tp, self.tp + self.fn)


@dataclass(slots=True)
class Effect:
    """What a change (or several) does, measured."""

    changes: tuple[Change, ...]
    fixed: list[Case]  # feedback cases wrong before, right after
    broken_feedback: list[Case]
    set_fixed: list[Case]
    set_broken: list[Case]
    sets_before: Counts
    sets_after: Counts
    seen_pos: int = 0  # labelled set examples containing the term
    seen_neg: int = 0
    in_title: bool = False  # the term is in the title of a case it fixes (not only in a lead)

    @property
    def broken(self) -> int:
        return len(self.set_broken) + len(self.broken_feedback)

    @property
    def evidence(self) -> int:
        """Labelled examples on the side the change pushes towards, less those on the other side."""
        if self.changes[0].makes_relevant:
            return self.seen_pos - self.seen_neg
        return self.seen_neg - self.seen_pos

    @property
    def supported(self) -> bool:
        """The sets vouch for the word: it is in a labelled example on the side the change pushes
        towards, or it fixes more than one feedback case. A word no labelled example contains is
        unmeasured, however clean its figures."""
        side = self.seen_pos if self.changes[0].makes_relevant else self.seen_neg
        return side > 0 or len(self.fixed) > 1

    def rank(self) -> tuple[int, int, int, int, int, int, bool, int, list[tuple[str, str, str, str, float]]]:
        change = self.changes[0]
        return (
            self.broken > 0,
            not self.supported,
            -len(self.fixed),
            self.broken,
            -len(self.set_fixed),
            change.mildness,
            not self.in_title,
            -self.evidence,
            [c.key() for c in self.changes],
        )


class Bench:
    """The labelled sets and feedback cases, judged once by the config's rules; then any change."""

    def __init__(
        self, base: dict[str, Any], feedback: Sequence[dict[str, Any]], sets: Sequence[Sequence[dict[str, Any]]]
    ) -> None:
        self.base = base
        self.detector = Detector(base)
        cases = [self._case(r, True) for r in feedback]
        cases += [self._case(r, False) for records in sets for r in records]
        self.cases = [c for c in cases if c is not None]
        self.right = [self._judge(self.detector, c) for c in self.cases]
        self.set_index = [i for i, c in enumerate(self.cases) if not c.feedback]
        self.feedback_index = [i for i, c in enumerate(self.cases) if c.feedback]

    def _case(self, record: dict[str, Any], feedback: bool) -> Case | None:
        label, title = record.get("label"), record.get("title")
        if label not in ("pos", "neg") or not isinstance(title, str):
            return None  # borderline and unlabelled lines are not scored
        text = str(record.get("text") or "")[: self.detector.body_chars]
        return Case(record, label == "pos", feedback, f"{normalize(title)}\n{normalize(text)}")

    @staticmethod
    def _judge(detector: Detector, case: Case) -> bool:
        return detector.classify(case.record["title"], case.record.get("text") or None).relevant == case.gold

    def wrong_feedback(self) -> list[Case]:
        return [self.cases[i] for i in self.feedback_index if not self.right[i]]

    def counts(self, right: Sequence[bool], feedback: bool) -> Counts:
        index = self.feedback_index if feedback else self.set_index
        return Counts.of([self.cases[i] for i in index], [right[i] for i in index])

    def measure(self, changes: Sequence[Change]) -> Effect | None:
        """The effect of the changes together; None when the detector refuses them (a term already
        in another group, a label that does not exist)."""
        try:
            detector = Detector(merge(self.base, (c.fragment() for c in changes)))
        except ValueError:
            return None
        keys = [normalize(c.term).strip() for c in changes]
        right = list(self.right)
        seen_pos = seen_neg = 0
        for i, case in enumerate(self.cases):
            if any(k in case.haystack for k in keys):
                right[i] = self._judge(detector, case)
                if not case.feedback:
                    seen_pos += case.gold
                    seen_neg += not case.gold
        changed = [i for i in range(len(self.cases)) if right[i] != self.right[i]]
        return Effect(
            changes=tuple(changes),
            fixed=[self.cases[i] for i in changed if right[i] and self.cases[i].feedback],
            broken_feedback=[self.cases[i] for i in changed if not right[i] and self.cases[i].feedback],
            set_fixed=[self.cases[i] for i in changed if right[i] and not self.cases[i].feedback],
            set_broken=[self.cases[i] for i in changed if not right[i] and not self.cases[i].feedback],
            sets_before=self.counts(self.right, False),
            sets_after=self.counts(right, False),
            seen_pos=seen_pos,
            seen_neg=seen_neg,
        )


# -- the result --------------------------------------------------------------------------------------


@dataclass(slots=True)
class Suggestions:
    feedback_name: str
    set_names: list[str]
    bench: Bench
    ranked: list[Effect]  # best first, one per (kind, term); numbered from 1 in this order
    unfixed: list[Case]  # wrong feedback cases no single change fixes
    base: dict[str, Any]

    def shown(self, top: int, per_case: int) -> list[int]:
        """Indexes of the best `top`, at most `per_case` for any one feedback case (one case's many words
        must not hide the others' suggestions)."""
        count: dict[int, int] = {}
        out = []
        for i, effect in enumerate(self.ranked):
            if any(count.get(id(c), 0) < per_case for c in effect.fixed):
                out.append(i)
                for c in effect.fixed:
                    count[id(c)] = count.get(id(c), 0) + 1
        return out[:top]

    def recommended(self) -> list[int]:
        """Indexes of a greedy pick of the safe, supported suggestions, each fixing a case the previous
        ones did not."""
        chosen: list[int] = []
        covered: set[int] = set()
        for i, effect in enumerate(self.ranked):
            if effect.broken or not effect.supported:
                break  # ranked: every later one is unsupported or breaks something
            new = {id(c) for c in effect.fixed} - covered
            if new:
                chosen.append(i)
                covered |= new
        return chosen

    def format(self, top: int = 20, per_case: int = 3, pick: Sequence[int] | None = None) -> str:
        """The report; `pick` (suggestion numbers) replaces the automatic choice for the snippet."""
        bench = self.bench
        wrong = bench.wrong_feedback()
        total = len(bench.feedback_index)
        missed = sum(c.gold for c in wrong)
        sets = bench.counts(bench.right, False)
        fb = bench.counts(bench.right, True)
        out = [
            f"suggest-terms: {self.feedback_name}: {total} feedback example(s); today's rules (title + lead) get "
            f"{len(wrong)} wrong ({missed} missed, {len(wrong) - missed} wrongly relevant)",
            f"measured on {len(bench.set_index)} scored examples of {len(self.set_names)} labelled set(s) "
            f"({', '.join(self.set_names) or 'none'}) and the feedback cases",
            f"today: labelled sets precision {sets.precision()} recall {sets.recall()} · feedback precision "
            f"{fb.precision()} recall {fb.recall()}",
            "Nothing is applied. Review each suggestion; the snippet at the end adds the chosen ones to your config.",
            "",
        ]
        if not wrong:
            out.append("Today's rules get every feedback case right: nothing to suggest.")
            return "\n".join(out)
        for n in pick or ():
            if not 1 <= n <= len(self.ranked):
                raise ValueError(f"--pick {n}: there are suggestions 1 to {len(self.ranked)}")
        shown = sorted({*self.shown(top, per_case), *(n - 1 for n in pick or ())})
        for i in shown:
            out += _effect_lines(i + 1, self.ranked[i])
        if len(self.ranked) > len(shown):
            out.append(
                f"({len(self.ranked) - len(shown)} more that fix a case; --per-case {len(self.ranked)} "
                f"--top {len(self.ranked)} shows them all)"
            )
        if not self.ranked:
            out.append("No single change fixes a feedback case.")
        if self.unfixed:
            out += [
                "",
                f"no single change fixes {len(self.unfixed)} case(s) (they may need a place and a topic term together, "
                "or the article body):",
                *(f"  {c.line}" for c in self.unfixed),
            ]
        out.append("")
        chosen = [n - 1 for n in pick] if pick else self.recommended()
        if not chosen:
            out.append(
                "Nothing is recommended: no suggestion both breaks nothing and is supported by the labelled sets. "
                "After reviewing, choose with --pick N[,N…] to get them measured together and a snippet."
            )
            return "\n".join(out)
        measured = bench.measure([self.ranked[i].changes[0] for i in chosen])
        assert measured is not None  # each was accepted alone; extra terms and groups do not collide
        numbers = ", ".join(str(i + 1) for i in chosen)
        how = "picked" if pick else "recommended (safe and supported; --pick N[,N…] to choose others)"
        out += [
            f"{how}: {numbers}; measured together: fixes {len(measured.fixed)} of {len(wrong)} feedback cases, "
            f"breaks {measured.broken} ({len(measured.set_broken)} labelled, {len(measured.broken_feedback)} "
            f"feedback); labelled sets precision {measured.sets_before.precision()} → "
            f"{measured.sets_after.precision()}, recall {measured.sets_before.recall()} → "
            f"{measured.sets_after.recall()}",
            *(f"  broken: {case.line}" for case in [*measured.set_broken, *measured.broken_feedback]),
            "",
            "# This table keeps the [relevance] overrides your config has now: replace that table with it,"
            if self.base
            else "# Add to your config file,",
            "# then check with `evaluate-relevance` on your sets and restart the bot.",
            to_toml("relevance", merge(self.base, (c.fragment() for c in measured.changes))),
        ]
        return "\n".join(out)


def _effect_lines(n: int, e: Effect) -> list[str]:
    change = e.changes[0]
    mark = f"✗ breaks {e.broken} — " if e.broken else ("" if e.supported else "? unsupported — ")
    fixed = ", ".join(c.line for c in e.fixed[:3]) + (", …" if len(e.fixed) > 3 else "")
    side = "relevant" if change.makes_relevant else "not relevant"
    lines = [
        f"{n}. {mark}{change.describe()}",
        f"   fixes {len(e.fixed)} feedback case(s): {fixed}",
        f"   labelled sets: precision {e.sets_before.precision()} → {e.sets_after.precision()}, recall "
        f"{e.sets_before.recall()} → {e.sets_after.recall()}; breaks {len(e.set_broken)}, fixes "
        f"{len(e.set_fixed)}; the term is in {e.seen_pos} pos and {e.seen_neg} neg examples",
    ]
    if not e.supported and not e.broken:
        lines.append(f"   no {side} labelled example contains it: the sets cannot vouch for the word itself")
    for case in [*e.set_broken[:3], *e.broken_feedback[:3]]:
        lines.append(f"   broken: {case.line} ({'pos' if case.gold else 'neg'}, now judged wrong)")
    if len(e.set_broken) > 3:
        lines.append(f"   … and {len(e.set_broken) - 3} more labelled examples")
    lines.append(f"   override: {_inline(change.fragment())}")
    return lines


# -- TOML --------------------------------------------------------------------------------------------

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _string(key)


def _string(s: str) -> str:
    return json.dumps(s, ensure_ascii=False).replace("\x7f", "\\u007f")  # JSON escapes are TOML escapes


def _value(v: Any, inline: bool = False) -> str:
    """A TOML value; a list of tables is written one table a line unless `inline`."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(x, True)}" for k, x in v.items()) + " }"
    if isinstance(v, list):
        if not inline and any(isinstance(x, dict) for x in v):
            return "[\n" + "".join(f"    {_value(x)},\n" for x in v) + "]"
        return "[" + ", ".join(_value(x, True) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} as TOML")


def _inline(table: dict[str, Any]) -> str:
    return "; ".join(f"{_key(k)} = {_value(v, True)}" for k, v in table.items())


def to_toml(name: str, table: dict[str, Any]) -> str:
    """`table` as a TOML table named `name` (the shapes of the [relevance] overrides)."""
    return "\n".join([f"[{name}]", *(f"{_key(k)} = {_value(v)}" for k, v in table.items())])


# -- the whole -------------------------------------------------------------------------------------


def suggest(
    feedback_name: str,
    feedback: Sequence[dict[str, Any]],
    sets: Sequence[tuple[str, Sequence[dict[str, Any]]]],
    base: dict[str, Any] | None = None,
) -> Suggestions:
    """Propose and measure changes for the feedback cases today's rules (config overrides `base`) get wrong.

    `feedback` are labelled records (``label`` pos/neg, ``title``, ``text`` = lead, ``feedback`` = the
    operator's label); `sets` are (name, records) of labelled sets.
    """
    base = base or {}
    bench = Bench(base, feedback, [records for _, records in sets])
    proposed = {change: None for case in bench.wrong_feedback() for change in changes_for(bench.detector, case)}
    best: dict[tuple[str, str], Effect] = {}
    for change in proposed:
        effect = bench.measure([change])
        if effect is None or not effect.fixed:
            continue
        term = normalize(change.term)
        effect.in_title = any(term in normalize(c.record["title"]) for c in effect.fixed)
        key = (change.kind, normalize(change.term))
        if key not in best or effect.rank() < best[key].rank():
            best[key] = effect
    ranked = sorted(best.values(), key=Effect.rank)
    fixable = {id(c) for e in ranked for c in e.fixed}
    unfixed = [c for c in bench.wrong_feedback() if id(c) not in fixable]
    return Suggestions(feedback_name, [name for name, _ in sets], bench, ranked, unfixed, base)
