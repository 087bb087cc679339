"""Is this about AI infrastructure in 광주광역시? A verdict with a score and the reasons.

A verdict combines two questions, each answered from term lists (``bot/relevance_terms.toml``):

* **place** — 광주광역시 (its districts, places, institutions, mayors, and the facilities only it has,
  like 국가AI데이터센터 or AX 실증밸리), against 경기도 광주시 (오포, 곤지암, 경기 광주 …), "광주" inside
  other names (광주FC, 광주비엔날레; 광주은행 only counts next to AI infrastructure) and other regions.
  A bare 광주/광주시 is taken as 광주광역시, the far more common subject of AI news.
* **topic** — AI infrastructure and its ecosystem: infra terms (데이터센터, 컴퓨팅센터, GPU, …) count on
  their own; the AI words count once; support and ecosystem terms (전력, 부지, 창업, 인재, 예타, …) add
  only next to AI or infra; AI *applications* (행정, 민원 챗봇, 교통, 교육, 행사) and sports subtract.
  "AI" stops meaning artificial intelligence next to bird-flu words (고병원성, 조류, 가금 …), and the
  volleyball team AI페퍼스 never contributes its "AI". A *bare* AI (no infra, ecosystem or facility
  word beside it) is 광주's AI industry only when it is written as such — "광주 AI", "광주의 인공지능",
  "AI 광주"; "광주 서구, AI 분리수거함" is AI used somewhere in 광주, which the article must settle.

An item is relevant when the place is 광주광역시, the topic score reaches ``topic_min`` and place score +
topic score reaches ``threshold``.

**Title first, body when needed.** ``classify(title)`` decides from the title. When the title has strong
topic signals but no place (or an ambiguous one), the verdict is ``undecided=True`` with
``relevant=False``; so is a 광주 title with only a bare AI, or with ecosystem words but no AI word
(광주테크노파크 … 스타트업 투자 펀드). A title whose only place is a bare 광주 is ``relevant=True`` *and*
``undecided=True``: the body should confirm it is not 경기 광주. Text shorter than ``snippet_chars`` is
taken for a listing snippet and may leave a verdict undecided; a longer text is the article and has the
final say. The pipeline reads the article for every relevant or undecided item and calls
``classify(title, text)`` again: the body then names the place a headline left out, shows a "광주시"
to be 경기 광주 (more 경기 광주 markers than unmistakable 광주광역시 ones), turns a bare "AI" into bird
flu, shows whether a bare AI is industry, or supplies the topic of a title that has none.

**Config overrides** — the ``[relevance]`` table of the config is ``Detector(overrides)``:

    threshold = 2.0              # place + topic score needed
    topic_min = 1.0              # topic score needed
    undecided_topic_min = 2.0    # topic score that makes a placeless title undecided
    body_place_min = 2           # bare-광주 mentions a body needs to place a placeless title
    body_ai_min = 2              # AI mentions a body needs to give a topicless title its topic
    body_chars = 8000            # how much of a body is read
    snippet_chars = 250          # a shorter text is a snippet: the verdict may still be undecided
    weights = { application = -3.0, ecosystem = 0.5 }     # per category
    extra_terms = { "데이터센터" = ["AIDC"], "metro:광주광역시" = ["치평동"] }   # by label or category:label
    remove_terms = ["도시"]
    groups = [{ category = "infra", label = "양자컴퓨터", terms = ["양자컴퓨터"] }]  # new groups

Unknown keys and bad values raise ``ValueError`` naming the key.

Run ``python -m bot.relevance FILE`` to evaluate on labelled JSON lines (see ``evaluate``).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

TERMS_FILE = Path(__file__).with_name("relevance_terms.toml")

PLACE_GWANGJU = ("metro", "facility")  # unmistakable 광주광역시
CATEGORIES = frozenset(
    {
        "metro",
        "metro_weak",
        "district",
        "facility",
        "name_infra",
        "gyeonggi",
        "name",
        "elsewhere",
        "avian",
        "sports",
        "ai",
        "ai_abbrev",
        "ax",
        "infra",
        "support",
        "ecosystem",
        "application",
    }
)
_TOPICS = ("ai", "ai_abbrev", "ax", "infra", "support", "ecosystem")  # what `implies` may name
_ADJACENT = {"metro": "metro", "metro_weak": "place", "ai": "ai", "ai_abbrev": "ai", "ax": "ai"}
_GLUE = ("", " ", "의", "형")  # what may stand between 광주 and AI in "광주 AI", "광주의 AI", "광주형 AI"
_SETTINGS = frozenset(
    {
        "threshold",
        "topic_min",
        "undecided_topic_min",
        "body_place_min",
        "body_ai_min",
        "body_chars",
        "snippet_chars",
    }
)


class TermMatch(NamedTuple):
    """One term found in a normalised text: where, which group, and the term as first written."""

    start: int
    end: int
    category: str
    label: str
    term: str


@dataclass(frozen=True, slots=True)
class Verdict:
    relevant: bool
    score: float
    reasons: tuple[str, ...]  # which signals fired, human-readable
    topics: tuple[str, ...] = ()  # matched topic tags, e.g. ("데이터센터", "GPU") for hashtags
    undecided: bool = False  # the text given cannot decide (e.g. title without place): read the body


# -- normalisation and matching ------------------------------------------------------------------------

_HANGUL_SPACE = re.compile(r" (?=[\uac00-\ud7a3])|(?<=[\uac00-\ud7a3]) ")


def normalize(text: str) -> str:
    """NFKC, lower case, and no spaces next to Hangul: "AI 데이터 센터를" → "ai데이터센터를".

    Korean compounds are spaced freely and particles attach to words, so matching the space-free form
    makes every spacing variant one term; spaces between Latin words stay, so "AI GPU" is two words.
    """
    s = " ".join(unicodedata.normalize("NFKC", text).lower().split())
    return _HANGUL_SPACE.sub("", s)


def _end_guard(last: str) -> str:
    if "a" <= last <= "z":
        return "(?![a-z])"
    if last.isdigit():
        return "(?![0-9])"
    return ""


def _start_guard(first: str) -> str:
    """Checked after a term's first character: the character before the term is not of its kind."""
    if "a" <= first <= "z":
        return "(?<![a-z].)"
    if first.isdigit():
        return "(?<![0-9].)"
    return ""


def _compile(terms: Iterable[str]) -> re.Pattern[str]:
    """One regex for many literals: a trie (shared prefixes, longest match first).

    Every branch starts with a literal character, so `re` can skip positions that cannot start any
    term; word-boundary checks for Latin terms come after that first character for the same reason.
    """
    root: dict[str, Any] = {}
    for term in terms:
        node = root
        for ch in term:
            node = node.setdefault(ch, {})
        node[""] = True

    def emit(node: dict[str, Any], last: str, depth: int) -> str:
        alts = [
            re.escape(ch) + (_start_guard(ch) if depth == 0 else "") + emit(child, ch, depth + 1)
            for ch, child in sorted(node.items())
            if ch
        ]
        if "" in node:
            alts.append(_end_guard(last))  # after the longer continuations: longest match wins
        if len(alts) == 1:
            return alts[0]
        return "(?:" + "|".join(alts) + ")"

    return re.compile(emit(root, "", 0) if root else "(?!)")


# -- term groups -------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Group:
    category: str
    label: str
    weight: float
    tag: str
    implies: list[str]
    terms: list[str]  # as written (display form)
    own_weight: bool = False  # the group set its weight; a category weight override leaves it alone


class _Hits:
    """What one text matched: group index → every matched term (display form), and groups by category."""

    __slots__ = ("by_category", "own_ai", "terms")

    def __init__(self) -> None:
        self.terms: dict[int, list[str]] = {}
        self.by_category: dict[str, list[int]] = {}
        self.own_ai = False  # "광주 AI", "광주의 인공지능", "AI 광주": the place's own AI, not AI used there

    def count(self, gi: int) -> int:
        return len(self.terms[gi])


def _load_groups(data: dict[str, Any], where: str) -> list[_Group]:
    weights = data.get("weights", {})
    groups: list[_Group] = []
    for i, g in enumerate(data.get("group", [])):
        groups.append(_make_group(g, weights, f"{where}: group {i + 1}"))
    return groups


def _make_group(g: Any, weights: dict[str, float], where: str) -> _Group:
    if not isinstance(g, dict):
        raise ValueError(f"{where}: a group must be a table")
    unknown = set(g) - {"category", "label", "weight", "tag", "implies", "terms"}
    if unknown:
        raise ValueError(f"{where}: unknown key {sorted(unknown)[0]!r}")
    category, label, terms = g.get("category"), g.get("label"), g.get("terms")
    if category not in CATEGORIES:
        raise ValueError(f"{where}: category must be one of {sorted(CATEGORIES)}, not {category!r}")
    if not isinstance(label, str) or not label:
        raise ValueError(f"{where}: label must be a non-empty string")
    if not isinstance(terms, list) or not all(isinstance(t, str) and t.strip() for t in terms):
        raise ValueError(f"{where}: terms must be a list of non-empty strings")
    weight = g.get("weight", weights.get(category, 0.0))
    if not isinstance(weight, int | float) or isinstance(weight, bool):
        raise ValueError(f"{where}: weight must be a number")
    implies = g.get("implies", [])
    if not isinstance(implies, list) or not all(isinstance(x, str) for x in implies):
        raise ValueError(f"{where}: implies must be a list of labels")
    return _Group(category, label, float(weight), str(g.get("tag", label)), list(implies), list(terms), "weight" in g)


# -- the detector ------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Place:
    kind: str  # gwangju | gwangju_weak | gyeonggi | ambiguous | elsewhere | none
    score: float = 0.0


@dataclass(slots=True)
class _Topic:
    score: float = 0.0
    core: bool = False
    penalised: bool = False
    infra: bool = False
    tags: list[str] = field(default_factory=list)
    latent: float = 0.0  # what the add-ons would add if the text named AI (startups, funds, …)
    latent_labels: list[str] = field(default_factory=list)
    ai_part: float = 0.0  # the share of the score that is the bare AI word
    bare: bool = False  # AI/AX and nothing else: as likely AI *used* somewhere as AI industry


@cache
def _terms_data() -> dict[str, Any]:
    """The shipped term lists, read once (a Detector copies what it changes: many can be built cheaply)."""
    with TERMS_FILE.open("rb") as fh:
        return tomllib.load(fh)


class Detector:
    """Built once from the term lists (bot/relevance_terms.toml) plus config overrides."""

    def __init__(self, overrides: dict[str, Any] | None = None) -> None:
        data = _terms_data()
        settings = dict(data.get("settings", {}))
        weights: dict[str, float] = dict(data.get("weights", {}))
        groups = _load_groups(data, TERMS_FILE.name)
        self._apply_overrides(overrides or {}, settings, weights, groups)
        self.threshold = float(settings["threshold"])
        self.topic_min = float(settings["topic_min"])
        self.undecided_topic_min = float(settings["undecided_topic_min"])
        self.body_place_min = int(settings["body_place_min"])
        self.body_ai_min = int(settings["body_ai_min"])
        self.body_chars = int(settings["body_chars"])
        self.snippet_chars = int(settings["snippet_chars"])

        self._groups = groups
        first_by_label: dict[str, int] = {}  # implied signals are topics
        for gi, g in enumerate(groups):
            if g.category in _TOPICS:
                first_by_label.setdefault(g.label, gi)
        self._lookup: dict[str, tuple[int, str, tuple[int, ...]]] = {}
        for gi, g in enumerate(groups):
            implied = []
            for label in g.implies:
                if label not in first_by_label:
                    raise ValueError(f"relevance: group {g.label!r} implies unknown label {label!r}")
                implied.append(first_by_label[label])
            for term in g.terms:
                key = normalize(term).strip()
                if not key:
                    continue
                if key in self._lookup and self._lookup[key][0] != gi:
                    other = groups[self._lookup[key][0]]
                    raise ValueError(
                        f"relevance: term {term!r} is in both {other.label!r} "
                        f"({other.category}) and {g.label!r} ({g.category})"
                    )
                self._lookup.setdefault(key, (gi, term, tuple(implied)))  # shown as first spelled
        self._regex = _compile(self._lookup)
        self._categories = [g.category for g in groups]

    @staticmethod
    def _apply_overrides(
        over: dict[str, Any], settings: dict[str, Any], weights: dict[str, float], groups: list[_Group]
    ) -> None:
        where = "[relevance]"
        for key, value in over.items():
            if key in _SETTINGS:
                if not isinstance(value, int | float) or isinstance(value, bool):
                    raise ValueError(f"{where}: {key} must be a number")
                settings[key] = value
            elif key == "weights":
                if not isinstance(value, dict):
                    raise ValueError(f"{where}: weights must be a table of category = number")
                for cat, w in value.items():
                    if cat not in CATEGORIES:
                        raise ValueError(f"{where}: weights.{cat}: unknown category")
                    if not isinstance(w, int | float) or isinstance(w, bool):
                        raise ValueError(f"{where}: weights.{cat} must be a number")
                    weights[cat] = float(w)
                    for g in groups:
                        if g.category == cat and not g.own_weight:
                            g.weight = float(w)
            elif key == "extra_terms":
                if not isinstance(value, dict):
                    raise ValueError(f"{where}: extra_terms must be a table of label = [terms]")
                for name, terms in value.items():
                    if not isinstance(terms, list) or not all(isinstance(t, str) and t for t in terms):
                        raise ValueError(f"{where}: extra_terms.{name} must be a list of strings")
                    cat, _, label = name.rpartition(":")
                    match = [g for g in groups if g.label == label and (not cat or g.category == cat)]
                    if not match:
                        raise ValueError(f"{where}: extra_terms.{name}: no group with that label")
                    match[0].terms.extend(terms)
            elif key == "remove_terms":
                if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
                    raise ValueError(f"{where}: remove_terms must be a list of strings")
                gone = {normalize(t) for t in value}
                for g in groups:
                    g.terms = [t for t in g.terms if normalize(t) not in gone]
            elif key == "groups":
                if not isinstance(value, list):
                    raise ValueError(f"{where}: groups must be a list of tables")
                for i, g in enumerate(value):
                    groups.append(_make_group(g, weights, f"{where} groups[{i}]"))
            else:
                raise ValueError(f"{where}: unknown key {key!r}")

    # -- scanning ----------------------------------------------------------------------------------
    def _scan(self, text: str) -> _Hits:
        hits = _Hits()
        terms, by_category, categories, lookup = hits.terms, hits.by_category, self._categories, self._lookup
        place_at = ai_at = (-9, -9)  # (start, end) of the last place word and of the last AI word
        for m in self._regex.finditer(text):
            gi, term, implied = lookup[m.group()]
            for g in (gi, *implied) if implied else (gi,):
                seen = terms.get(g)
                if seen is None:
                    terms[g] = [term]
                    by_category.setdefault(categories[g], []).append(g)
                else:
                    seen.append(term)
            kind = _ADJACENT.get(categories[gi])
            if kind == "metro":  # only the city's full name: a district has no AI industry of its own
                kind = "place" if m.group().endswith(("광역시", "metropolitan city")) else None
            if kind is not None and not hits.own_ai:
                if kind == "place":
                    place_at = m.span()
                    hits.own_ai = text[ai_at[1] : place_at[0]] in _GLUE and ai_at[1] >= 0
                else:
                    ai_at = m.span()
                    hits.own_ai = text[place_at[1] : ai_at[0]] in _GLUE and place_at[1] >= 0
        return hits

    def find_terms(self, text: str) -> list[TermMatch]:
        """Every term of the lists found in `text`, as the detector matches it (positions in the
        normalised text, longest match first)."""
        found = []
        for m in self._regex.finditer(normalize(text)):
            gi, term, _ = self._lookup[m.group()]
            found.append(TermMatch(m.start(), m.end(), self._groups[gi].category, self._groups[gi].label, term))
        return found

    @staticmethod
    def _in(hits: _Hits, *categories: str) -> list[int]:
        if len(categories) == 1:
            return hits.by_category.get(categories[0], [])
        return [gi for c in categories for gi in hits.by_category.get(c, ())]

    def _count(self, hits: _Hits, *categories: str) -> int:
        return sum(len(hits.terms[gi]) for gi in self._in(hits, *categories))

    def _terms(self, hits: _Hits, gis: Sequence[int], limit: int = 4) -> str:
        terms = list(dict.fromkeys(t for gi in gis for t in hits.terms[gi]))
        return ",".join(terms[:limit]) + (",…" if len(terms) > limit else "")

    # -- judging -----------------------------------------------------------------------------------
    def _place(self, h: _Hits, infra: bool, reasons: list[str]) -> _Place:
        get, groups = h.by_category.get, self._groups
        strong = [*get("metro", ()), *get("facility", ())]
        gyeonggi, elsewhere = get("gyeonggi"), get("elsewhere")
        weak = [
            *get("metro_weak", ()),
            *(() if elsewhere else get("district", ())),
            *(get("name_infra", ()) if infra else ()),
        ]
        for gi in [*get("name", ()), *(() if infra else get("name_infra", ()))]:
            reasons.append(f"skip:{self._terms(h, [gi])}")
        if gyeonggi:
            reasons.append(f"exclude:경기광주({self._terms(h, gyeonggi)})")
            if get("metro"):
                reasons.append(f"place:광주광역시({self._terms(h, strong)})")
                return _Place("ambiguous")
            return _Place("gyeonggi")
        if strong:
            reasons.append(f"place:광주광역시({self._terms(h, strong)})")
            # A sub-place or facility may be shared or borrowed (첨단3지구 reaches into 장성군): when another
            # region is named and "광주" itself is not, the title cannot say whose it is.
            if (
                elsewhere
                and not weak
                and not any("광주" in t or "gwangju" in t.lower() for gi in strong for t in h.terms[gi])
            ):
                reasons.append(f"elsewhere:{','.join(groups[gi].label for gi in elsewhere)}")
                return _Place("ambiguous")
            return _Place("gwangju", max(groups[gi].weight for gi in strong))
        if weak:
            reasons.append(f"place:광주광역시?({self._terms(h, weak)})")
            return _Place("gwangju_weak", max(groups[gi].weight for gi in weak))
        if elsewhere:
            reasons.append(f"elsewhere:{','.join(groups[gi].label for gi in elsewhere)}")
            return _Place("elsewhere")
        return _Place("none")

    def _topic(
        self,
        h: _Hits,
        reasons: list[str],
        prefix: str = "",
        avian: bool = False,
        min_count: int = 1,
        penalty_min: int = 1,
        addon_min: int = 1,
    ) -> _Topic:
        get, g = h.by_category.get, self._groups
        t = _Topic()
        if avian:
            reasons.append(f"{prefix}exclude:조류인플루엔자({self._terms(h, get('avian', ()))})")
        ai = [*get("ai", ()), *(() if avian else get("ai_abbrev", ()))]
        if ai and sum(h.count(gi) for gi in ai) >= min_count:
            t.ai_part = max(g[gi].weight for gi in ai)
            t.score += t.ai_part
            t.core = True
            reasons.append(f"{prefix}topic:AI")
        infra = get("infra", ())
        for gi in [*get("ax", ()), *infra]:
            t.score += g[gi].weight
            t.core = True
            reasons.append(f"{prefix}topic:{g[gi].label}")
            if g[gi].tag not in t.tags:
                t.tags.append(g[gi].tag)
        addons = [gi for gi in (*get("support", ()), *get("ecosystem", ())) if h.count(gi) >= addon_min]
        t.latent = sum(g[gi].weight for gi in addons)
        t.latent_labels = [g[gi].label for gi in addons]
        if t.core:
            for gi in addons:
                t.score += g[gi].weight
                reasons.append(f"{prefix}topic:{g[gi].label}")
                if g[gi].tag not in t.tags:
                    t.tags.append(g[gi].tag)
        t.infra = bool(infra)
        t.bare = t.core and not infra and not (addons and t.core)
        for gi in [*get("application", ()), *get("sports", ())]:
            if h.count(gi) >= penalty_min:
                t.score += g[gi].weight
                t.penalised = True
                reasons.append(f"{prefix}exclude:{g[gi].label}({self._terms(h, [gi])})")
        return t

    def _body_place(self, b: _Hits, title_place: _Place, reasons: list[str]) -> _Place:
        """The body's word on a place the title left open (bare 광주, none, ambiguous)."""
        strong_n = self._count(b, *PLACE_GWANGJU)
        weak_gis = self._in(b, "metro_weak") + self._in(b, "district")
        weak_n = sum(b.count(gi) for gi in weak_gis)
        gy = self._in(b, "gyeonggi")
        gy_n = self._count(b, "gyeonggi")
        elsewhere_max = max((b.count(gi) for gi in self._in(b, "elsewhere")), default=0)
        if gy_n > strong_n:
            reasons.append(f"body:exclude:경기광주({self._terms(b, gy)}×{gy_n})")
            return _Place("gyeonggi")
        strong = self._in(b, *PLACE_GWANGJU)
        if strong:
            reasons.append(f"body:place:광주광역시({self._terms(b, strong)}×{strong_n})")
        if title_place.kind == "gwangju_weak":
            return _Place("gwangju", 2.0) if strong else title_place
        if (strong_n >= 1 or weak_n >= self.body_place_min) and strong_n + weak_n >= elsewhere_max:
            if not strong:
                reasons.append(f"body:place:광주광역시?({self._terms(b, weak_gis)}×{weak_n})")
            return _Place("gwangju", 2.0 if strong else 1.0)
        elsewhere = self._in(b, "elsewhere")
        if title_place.kind == "none" and elsewhere:
            reasons.append(f"body:elsewhere:{','.join(self._groups[gi].label for gi in elsewhere)}")
            return _Place("elsewhere")
        return title_place

    def classify(self, title: str, text: str | None = None) -> Verdict:
        """Judge a title, and with `text` (a snippet or the article body) let the text decide what the
        title could not."""
        reasons: list[str] = []
        topic_reasons: list[str] = []
        th = self._scan(normalize(title))
        bh = self._scan(normalize(text[: self.body_chars])) if text else None

        avian = bool(self._in(th, "avian"))
        if bh is not None and not avian and not self._in(bh, "ai"):
            avian = self._count(bh, "avian") >= 2  # a body about bird flu: the title's bare "AI" is flu
        topic = self._topic(th, topic_reasons, avian=avian)
        place = self._place(th, topic.infra, reasons)
        reasons += topic_reasons

        # A bare "AI" next to a place is as often AI *used* there (a district's AI bins, a museum's AI
        # show) as the place's AI industry; only "광주 AI …" (the place's own AI) settles it.
        bare_ai = topic.bare and not topic.penalised and not th.own_ai and not th.by_category.get("facility")
        if bh is not None:
            if place.kind in ("gwangju_weak", "none", "ambiguous"):
                place = self._body_place(bh, place, reasons)
            if not topic.core and not topic.penalised and not avian:
                topic = self._topic(bh, reasons, prefix="body:", min_count=self.body_ai_min, penalty_min=2, addon_min=2)
            elif bare_ai:
                body = self._topic(bh, reasons, prefix="body:", min_count=self.body_ai_min, penalty_min=2, addon_min=2)
                extra = body.score - body.ai_part
                if extra > 0:  # the article speaks of industry, infrastructure, companies
                    topic.score += extra
                    topic.tags += [tag for tag in body.tags if tag not in topic.tags]
                    bare_ai = False

        placed = place.kind in ("gwangju", "gwangju_weak")
        score = place.score + topic.score
        relevant = placed and topic.score >= self.topic_min and score >= self.threshold and not bare_ai
        undecided = False
        if text is None or len(text) < self.snippet_chars:  # a longer text is the article: final say
            if place.kind in ("none", "ambiguous") and topic.score >= self.undecided_topic_min:
                undecided = True
                reasons.append("undecided:장소 없음" if place.kind == "none" else "undecided:장소 애매")
            elif place.kind == "gwangju_weak" and relevant:
                undecided = True
                reasons.append("undecided:광주=광주광역시 추정, 본문 확인")
            elif placed and bare_ai:
                undecided = True
                reasons.append("undecided:AI 활용 기사일 수 있음, 본문 확인")
            elif (
                placed
                and not topic.core
                and not topic.penalised
                and not avian
                and topic.latent >= self.undecided_topic_min
            ):
                undecided = True
                reasons.append(f"undecided:AI 언급 없음({','.join(topic.latent_labels)}), 본문 확인")
        return Verdict(relevant, round(score, 3), tuple(reasons), tuple(topic.tags) if relevant else (), undecided)


# -- evaluation --------------------------------------------------------------------------------------


def ratio(numerator: int, denominator: int) -> str:
    """A precision or recall as printed: three decimals, "n/a" over nothing."""
    return f"{numerator / denominator:.3f}" if denominator else "n/a"


@dataclass(slots=True)
class EvalReport:
    """Precision/recall of a detector on labelled records; borderline records are only reported."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    mistakes: list[tuple[dict[str, Any], Verdict]] = field(default_factory=list)
    borderline: list[tuple[dict[str, Any], Verdict]] = field(default_factory=list)
    undecided: int = 0  # scored records whose verdict said "read the body"
    with_text: int = 0  # scored records classified with their text

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def format(self) -> str:
        scored = self.tp + self.fp + self.fn + self.tn
        lines = [
            f"scored: {scored} (pos {self.tp + self.fn}, neg {self.fp + self.tn}; "
            f"{self.with_text} with text, {self.undecided} undecided)",
            f"precision {self.precision:.3f}  recall {self.recall:.3f}  F1 {self.f1:.3f}  "
            f"(tp {self.tp}, fp {self.fp}, fn {self.fn}, tn {self.tn})",
        ]
        for kind, want in (("false positives", "neg"), ("false negatives", "pos")):
            items = [(r, v) for r, v in self.mistakes if r["label"] == want]
            lines.append(f"{kind}: {len(items)}")
            lines += [_line(r, v) for r, v in items]
        called = sum(v.relevant for _, v in self.borderline)
        lines.append(f"borderline (not scored): {len(self.borderline)}, called relevant: {called}")
        lines += [_line(r, v) for r, v in self.borderline]
        return "\n".join(lines)


def _line(record: dict[str, Any], v: Verdict) -> str:
    rid = f"[{record['id']}] " if record.get("id") is not None else ""
    call = "relevant" if v.relevant else "not relevant"
    flag = ", undecided" if v.undecided else ""
    why = "; ".join(v.reasons) or "no signal"
    line = f"  {rid}{record['title']}\n      → {call}{flag} ({v.score:g}): {why}"
    if record.get("feedback"):  # an operator's correction (bot/feedback.py): what they said, when
        said = f"{record['feedback']} {record.get('at') or ''}".rstrip()
        line += f"\n      operator: {said}" + (f" — {record['reason']}" if record.get("reason") else "")
    return line


def evaluate(records: Iterable[dict[str, Any]], detector: Detector) -> EvalReport:
    """Score `detector` on records {"title", "label": "pos"|"neg"|"borderline", "text"?}.

    The verdict's `relevant` is the call: with no text, a title whose only place is a bare 광주 counts
    as relevant and a title without any place as not relevant, whatever `undecided` says.
    """
    report = EvalReport()
    for i, record in enumerate(records, 1):
        label = record.get("label")
        if label not in ("pos", "neg", "borderline") or not isinstance(record.get("title"), str):
            raise ValueError(f"record {i}: needs a string 'title' and label pos/neg/borderline")
        text = record.get("text") or None
        verdict = detector.classify(record["title"], text)
        if label == "borderline":
            report.borderline.append((record, verdict))
            continue
        report.with_text += text is not None
        report.undecided += verdict.undecided
        if label == "pos":
            if verdict.relevant:
                report.tp += 1
            else:
                report.fn += 1
                report.mistakes.append((record, verdict))
        elif verdict.relevant:
            report.fp += 1
            report.mistakes.append((record, verdict))
        else:
            report.tn += 1
    return report


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.relevance", description=evaluate.__doc__)
    parser.add_argument("file", help="labelled JSON lines")
    args = parser.parse_args(argv)
    with open(args.file, encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    print(evaluate(records, Detector()).format())
    return 0


if __name__ == "__main__":
    sys.exit(_main())
