"""Read one article page: title, publication time, outlet, main text.

Metadata comes from the page's own declarations first (Open Graph, `article:*`, twitter cards,
JSON-LD NewsArticle), then from visible elements (known title elements, Korean bylines such as
`입력 2025.02.05 17:15`). The main text comes from the first known CMS body container listed in
`article_rules.toml`, else JSON-LD `articleBody`, else the block of the page that holds the most
Hangul outside links. Photo captions, bylines, copyright lines, related-article lists and promos
are removed by the junk selectors and line patterns in the same file.

Bounded work whatever the page: whitespace runs are collapsed before any pattern sees the text,
metadata values are cut at `MAX_META_CHARS`, the text at `MAX_TEXT_CHARS`, the tree is walked
without recursion, and the line patterns in article_rules.toml must not nest quantifiers (a test
runs each of them on hostile lines). Title, outlet, description and text go through
`scrapers.text.clean_display_text`.
"""

from __future__ import annotations

import html as htmllib
import json
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scrapers.dates import KST, parse_date
from scrapers.markup import limit_nesting
from scrapers.models import Article
from scrapers.text import MAX_TITLE_CHARS, clean_display_text
from scrapers.urls import declared_url

# Characters kept of one metadata value (a title, a description, a site name).
MAX_META_CHARS = 2000
# Characters kept of an article's main text (the longest real articles run to about 30,000).
MAX_TEXT_CHARS = 200_000

_HANGUL = re.compile(r"[가-힣]")
_LD_SENTENCE_GAP = re.compile(r"(?<=[.!?])[^\S\n]{2,}")  # JSON-LD bodies that mark paragraphs by spaces
# Every whitespace but the line break (and the zero-width space) becomes one space: the line patterns
# of article_rules.toml then never meet a long run (`\s*` beside an optional part is quadratic on one).
_SPACES = re.compile(r"(?:[^\S\n]|\u200b)+")
_ARTICLE_TYPES = {"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting"}
# Elements whose start and end break a line; everything else flows inline.
_BLOCK_TAGS = {
    "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section",
    "article", "blockquote", "dd", "dt", "dl", "header", "pre", "hr", "main", "center", "tbody",
}  # fmt: skip
# Containers the density fallback never picks: they are paragraphs or inline runs inside a body.
_INLINE_TAGS = {"p", "span", "b", "strong", "em", "i", "u", "font", "a", "sup", "sub", "mark", "small", "br"}
# Junk elements that some sites wrap around the whole page (board views inside one <form>): removed
# inside a body, but not a reason to ignore everything they contain when looking for the body.
_PAGE_WRAPPERS = {"form"}
# Leading dateline / byline of a news lead: "[광주=뉴시스] 홍길동 기자 = ", "(연천=연합뉴스) ",
# "【서울=뉴시스】이근홍 기자 = ", "[스포티비뉴스=유현태 기자] ", "[아시아경제 홍길동 기자] ",
# "홍길동 기자 = ".
BYLINE_PREFIX = re.compile(
    r"^\s*(?:[\[(【<][^\[\]()【】<>]{0,30}(?:=[^\[\]()【】<>]{0,30}|(?:기자|특파원|통신원))[\])】>]\s*)?"
    r"(?:[가-힣]{2,4}(?:(?:[·ㆍ,]\s?|\s)[가-힣]{2,4})*\s*(?:기자|특파원|통신원)\s*=\s*)?"
)


@dataclass(frozen=True, slots=True)
class _Rules:
    body: tuple[tuple[str, bool], ...]
    min_hangul: int
    title_selectors: tuple[str, ...]
    aggregators: tuple[str, ...]
    junk_selector: str
    density_junk_selector: str
    drop_lines: tuple[re.Pattern[str], ...]
    cut_lines: tuple[re.Pattern[str], ...]
    trim_line_ends: tuple[re.Pattern[str], ...]
    max_drop_line: int
    max_cut_line: int
    date_byline: re.Pattern[str]


@cache
def _rules() -> _Rules:
    data = tomllib.loads(resources.files("scrapers").joinpath("article_rules.toml").read_text("utf-8"))
    labels = "|".join(sorted(map(re.escape, data["date"]["labels"]), key=len, reverse=True))
    return _Rules(
        body=tuple((b["selector"], bool(b.get("all", False))) for b in data["body"]),
        min_hangul=int(data["min_hangul"]),
        title_selectors=tuple(data["title"]["selectors"]),
        aggregators=tuple(a.lower() for a in data["outlet"]["aggregators"]),
        junk_selector=", ".join(data["junk"]["selectors"]),
        density_junk_selector=", ".join(s for s in data["junk"]["selectors"] if s not in _PAGE_WRAPPERS),
        drop_lines=tuple(re.compile(p, re.IGNORECASE) for p in data["junk"]["drop_lines"]),
        cut_lines=tuple(re.compile(p, re.IGNORECASE) for p in data["junk"]["cut_lines"]),
        trim_line_ends=tuple(re.compile(p) for p in data["junk"]["trim_line_ends"]),
        max_drop_line=int(data["junk"]["max_drop_line"]),
        max_cut_line=int(data["junk"]["max_cut_line"]),
        date_byline=re.compile(
            rf"(?:{labels})\s*(?:[:：]\s*)?"
            r"(\d{4}\s*[.\-/년]\s*\d{1,2}\s*[.\-/월]\s*\d{1,2}\s*[.일]?"
            r"(?:\s*\(?[월화수목금토일]\)?)?(?:\s*\(?(?:오전|오후|AM|PM)?\s*\d{1,2}\s*[:시]\s*\d{2}(?::\d{2})?\)?)?)"
        ),
    )


def parse_article(html: str, url: str) -> Article:
    """Everything the pipeline needs from one article page; `url` is where it was fetched from."""
    tree = LexborHTMLParser(limit_nesting(html))
    meta = _meta(tree)
    ld = _json_ld_article(tree)
    title = _title(tree, meta, ld)
    text = extract_text(tree, title=title, ld=ld)
    description = _description(meta, ld)
    outlet = _outlet(tree, meta, ld)
    return Article(
        url=declared_url(tree, url) or url,
        title=clean_display_text(title, limit=MAX_TITLE_CHARS),
        published_at=_published(tree, meta, ld),
        text=clean_display_text(text, multiline=True),
        description=clean_display_text(description) or None,
        outlet=clean_display_text(outlet, limit=MAX_TITLE_CHARS) or None,
    )


# ---------------------------------------------------------------- metadata


def _clean(value: str | None) -> str:
    """Unescaped (pages double-escape `&#039;`), whitespace collapsed to single spaces, at most
    `MAX_META_CHARS` characters."""
    if not value:
        return ""
    return " ".join(htmllib.unescape(value[: MAX_META_CHARS * 2]).split())[:MAX_META_CHARS]


def _meta(tree: LexborHTMLParser) -> dict[str, str]:
    """First non-empty content per meta key (`property`, `name` or `itemprop`), keys lower-cased."""
    found: dict[str, str] = {}
    for node in tree.css("meta[content]"):
        attrs = node.attributes
        key = attrs.get("property") or attrs.get("name") or attrs.get("itemprop")
        content = _clean(attrs.get("content"))
        if key and content and key.lower() not in found:
            found[key.lower()] = content
    return found


def _json_objects(value: Any) -> Iterator[dict[str, Any]]:
    """The objects in a JSON-LD value, lists and `@graph`s opened, in document order (no recursion:
    a page may nest its lists as deep as the JSON parser allows)."""
    stack: list[Any] = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, list):
            stack.extend(reversed(current))
        elif isinstance(current, dict):
            yield current
            if "@graph" in current:
                stack.append(current["@graph"])


def _json_ld_article(tree: LexborHTMLParser) -> dict[str, Any]:
    """The page's JSON-LD NewsArticle (or Article, BlogPosting); {} when there is none."""
    return next(_json_ld_of(tree, _ARTICLE_TYPES), {})


def _json_ld_organization(tree: LexborHTMLParser) -> str | None:
    """The name of the page's JSON-LD Organization: who runs the site (a city hall's boards)."""
    for obj in _json_ld_of(tree, {"Organization", "GovernmentOrganization", "NewsMediaOrganization"}):
        if name := _ld_str(obj, "name"):
            return name
    return None


def _json_ld_of(tree: LexborHTMLParser, wanted: set[str]) -> Iterator[dict[str, Any]]:
    for node in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(node.text(), strict=False)
        except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser goes
            continue
        for obj in _json_objects(data):
            types = obj.get("@type")
            types = set(types) if isinstance(types, list) else {types}
            if types & wanted:
                yield obj


def _ld_str(ld: dict[str, Any], *path: str) -> str:
    value: Any = ld
    for key in path:
        if isinstance(value, list):
            value = value[0] if value else None
        value = value.get(key) if isinstance(value, dict) else None
    return _clean(value) if isinstance(value, str) else ""


def _site_names(tree: LexborHTMLParser, meta: dict[str, str], ld: dict[str, Any]) -> set[str]:
    names = {meta.get("og:site_name", ""), _ld_str(ld, "publisher", "name"), meta.get("application-name", "")}
    twitter = meta.get("twitter:site", "")
    if twitter and not twitter.startswith(("@", "http")):
        names.add(twitter)
    page_title = tree.css_first("title")
    if page_title:
        parts = re.split(r"\s+[-|:<]\s+", _clean(page_title.text()))
        if len(parts) > 1:
            names.add(parts[-1])
    return {n for n in names if n}


def _strip_site_suffix(title: str, sites: set[str]) -> str:
    """'기사 제목 - 매일경제' → '기사 제목' when the suffix is one of the page's own site names."""
    for site in sites:
        match = re.search(rf"\s*[-|:·]\s*{re.escape(site)}\s*$", title)
        if match and match.start() > 0:
            return title[: match.start()].strip()
    return title


def _title(tree: LexborHTMLParser, meta: dict[str, str], ld: dict[str, Any]) -> str:
    sites = _site_names(tree, meta, ld)
    candidates: list[str] = []
    # Portal templates put the site's own title in og:title on pages typed "website".
    if meta.get("og:type", "").lower() != "website":
        candidates.append(meta.get("og:title", ""))
    candidates += [meta.get("twitter:title", ""), _ld_str(ld, "headline")]
    candidates += [_clean(n.text()) for sel in _rules().title_selectors if (n := tree.css_first(sel))]
    h1s = tree.css("h1")
    if len(h1s) == 1:
        candidates.append(_clean(h1s[0].text()))
    page_title = tree.css_first("title")
    if page_title:
        # NDSoft and board templates: "제목 < 섹션 < 기사본문 - 신문사"
        candidates.append(_clean(page_title.text()).split(" < ")[0])
    for candidate in candidates:
        title = _strip_site_suffix(candidate, sites)
        if title and title not in sites and not re.search(r"[-|:<]\s*$", title) and len(title) >= 4:
            return title
    return ""


def _description(meta: dict[str, str], ld: dict[str, Any]) -> str | None:
    if meta.get("og:type", "").lower() == "website":
        return _ld_str(ld, "description") or None  # the site's blurb, not the article's
    for value in (
        meta.get("og:description"),
        meta.get("description"),
        meta.get("twitter:description"),
        _ld_str(ld, "description"),
    ):
        # Some boards put base64 blobs there: no spaces, no Hangul.
        if value and (" " in value or _HANGUL.search(value)):
            return value
    return None


def _outlet(tree: LexborHTMLParser, meta: dict[str, str], ld: dict[str, Any]) -> str | None:
    """The outlet's name; for a portal page, the outlet that wrote the copy."""
    twitter = meta.get("twitter:site", "")
    names = [meta.get("og:site_name", ""), _ld_str(ld, "publisher", "name")]
    names.append(twitter if not twitter.startswith(("@", "http")) else "")
    names.append(_json_ld_organization(tree) or "")
    page_title = tree.css_first("title")
    if page_title:
        # "제목 < 섹션 < 서울특별시", "제목 - 신문사"
        parts = re.split(r"\s+[-|<]\s+", _clean(page_title.text()))
        names.append(parts[-1] if len(parts) > 1 and len(parts[-1]) <= 20 else "")
    name = next((n for n in names if n), "")
    aggregators = _rules().aggregators
    if not name or any(a in name.lower() for a in aggregators):
        for value in (meta.get("og:article:author", ""), meta.get("twitter:creator", "")):
            parts = [p.strip() for p in value.split("|") if p.strip()]
            original = [p for p in parts if not any(a in p.lower() for a in aggregators)]
            if original and not original[0].startswith(("@", "http")):
                return original[0]
    return name or None


def _to_datetime(value: str) -> datetime | None:
    value = value.strip()
    if re.fullmatch(r"\d{14}", value):  # og:regDate 20180516162312
        value = f"{value[:4]}-{value[4:6]}-{value[6:8]}T{value[8:10]}:{value[10:12]}:{value[12:]}"
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return parse_date(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=KST)


def _published(tree: LexborHTMLParser, meta: dict[str, str], ld: dict[str, Any]) -> datetime | None:
    values = [
        meta.get("article:published_time"),
        meta.get("article:published"),
        _ld_str(ld, "datePublished"),
        meta.get("pubdate"),
        meta.get("publishdate"),
        meta.get("date"),
        meta.get("datepublished"),
        meta.get("og:regdate"),
    ]
    node = tree.css_first("[itemprop=datePublished]")
    if node:
        values.append(node.attributes.get("datetime") or node.attributes.get("content") or node.text())
    time_node = tree.css_first("time[datetime]")
    for value in values:
        if value and (parsed := _to_datetime(value)):
            return parsed
    body = " ".join(_visible_text(tree).split())
    for match in _rules().date_byline.finditer(body):
        parsed = parse_date(match.group(1).replace("(", " ").replace(")", " "))
        if parsed:
            return parsed
    if time_node:
        return _to_datetime(time_node.attributes.get("datetime") or "")
    return None


def _visible_text(tree: LexborHTMLParser) -> str:
    body = tree.body
    if body is None:
        return ""
    clone = LexborHTMLParser(body.html or "")
    for node in clone.css("script, style, noscript, template"):
        node.decompose()
    return clone.body.text(separator=" ") if clone.body else ""


# ---------------------------------------------------------------- main text


def extract_text(
    tree: LexborHTMLParser, *, title: str = "", ld: dict[str, Any] | None = None, known_layouts: bool = True
) -> str:
    """The article's main text, paragraphs joined with "\\n"; "" when the page has none.
    `known_layouts=False` skips the body-container table (to measure the fallbacks alone)."""
    rules = _rules()
    for selector, join_all in rules.body if known_layouts else ():
        nodes = tree.css(selector) if join_all else [n for n in [tree.css_first(selector)] if n]
        if not nodes:
            continue
        text = _clean_lines(_lines_of(nodes, rules.junk_selector), title)
        if len(_HANGUL.findall(text)) >= rules.min_hangul:
            return text
    ld_body = (ld or {}).get("articleBody")
    if isinstance(ld_body, str) and ld_body.strip():
        lines = [
            (" ".join(part.split()), False)
            for line in htmllib.unescape(ld_body[:MAX_TEXT_CHARS]).split("\n")
            for part in _LD_SENTENCE_GAP.split(line)
            if part.strip()
        ]
        text = _clean_lines(lines, title)
        if text:
            return text
    node = _densest_block(tree, rules.density_junk_selector)
    return _clean_lines(_lines_of([node], rules.junk_selector), title) if node else ""


def _lines_of(nodes: Iterable[LexborNode], junk_selector: str) -> list[tuple[str, bool]]:
    """Lines of visible text under `nodes`, each with whether it is entirely link text."""
    lines: list[tuple[str, bool]] = []
    for node in nodes:
        copy = LexborHTMLParser(f"<div>{node.html or ''}</div>").css_first("div")
        if copy is None:
            continue
        for junk in copy.css(junk_selector):
            junk.decompose()
        segments: list[tuple[str, bool]] = []
        _walk(copy, segments, in_link=False)
        current: list[tuple[str, bool]] = []
        for segment in [*segments, ("\n", False)]:
            if segment[0] != "\n":
                current.append(segment)
                continue
            line = _SPACES.sub(" ", "".join(s for s, _ in current)).strip()
            if line:
                link_only = all(link for s, link in current if s.strip())
                lines.append((line, link_only))
            current = []
    return lines


def _walk(node: LexborNode, out: list[tuple[str, bool]], *, in_link: bool) -> None:
    """Text runs and line breaks under `node`, in document order. An explicit stack instead of
    recursion: a page of 100,000 nested tags is just a deep stack, not a RecursionError."""
    stack: list[tuple[Iterator[LexborNode], bool, tuple[str, bool] | None]] = [
        (node.iter(include_text=True), in_link, None)
    ]
    while stack:
        children, link, closing = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if closing is not None:
                out.append(closing)
            continue
        tag = child.tag
        if tag == "-text":
            out.append((child.text_content or "", link))
        elif tag == "br":
            out.append(("\n", False))
        elif tag and not tag.startswith("-"):
            block = tag in _BLOCK_TAGS
            if block:
                out.append(("\n", False))
            after = ("\n", False) if block else ((" ", link) if tag in ("td", "th") else None)
            stack.append((child.iter(include_text=True), link or tag == "a", after))


def _clean_lines(lines: list[tuple[str, bool]], title: str) -> str:
    """Drop junk lines, stop at the copyright line, strip the lead's dateline."""
    rules = _rules()
    title_key = re.sub(r"\W", "", title)
    kept: list[str] = []
    size = 0
    for index, (raw, link_only) in enumerate(lines):
        if size >= MAX_TEXT_CHARS:
            break
        line = raw[: MAX_TEXT_CHARS - size]
        for pattern in rules.trim_line_ends:
            line = pattern.sub("", line)
        # A long line is prose, whatever words it has.
        if len(line) <= rules.max_cut_line and any(p.search(line) for p in rules.cut_lines):
            if index > 0:
                break
            continue
        if link_only or (len(line) <= rules.max_drop_line and any(p.search(line) for p in rules.drop_lines)):
            continue
        if not kept and title_key and re.sub(r"\W", "", line) == title_key:
            continue  # the headline repeated as the body's first line
        kept.append(line)
        size += len(line) + 1
    while kept:
        stripped = BYLINE_PREFIX.sub("", kept[0], count=1).strip()
        if stripped:
            kept[0] = stripped
            break
        kept.pop(0)  # a line that was only a byline
    return "\n".join(kept)


def _densest_block(tree: LexborHTMLParser, junk_selector: str) -> LexborNode | None:
    """The body of a layout none of the rules knows: the element that gathers the most Hangul
    outside links, menus and junk. Each run of text counts fully for its nearest block, 3/4 for
    that block's parent and 1/2 for the grandparent, so a container of many paragraphs outscores
    any single paragraph and a page wrapper does not outscore the body it wraps."""
    body = tree.body
    if body is None:
        return None
    excluded = {n.mem_id for n in tree.css(f"header, nav, footer, aside, a, {junk_selector}")}
    inside = _Inside(excluded)
    blocks: dict[int, LexborNode | None] = {}  # text's parent → its nearest block element
    scores: dict[int, float] = {}
    nodes: dict[int, LexborNode] = {}
    for text_node in body.traverse(include_text=True):
        if text_node.tag != "-text":
            continue
        hangul = len(_HANGUL.findall(text_node.text_content or ""))
        parent = text_node.parent
        if not hangul or parent is None or inside(parent):
            continue
        block = _nearest_block(parent, blocks)
        for weight in (1.0, 0.75, 0.5):
            if block is None or block.tag in ("body", "html"):
                break
            scores[block.mem_id] = scores.get(block.mem_id, 0.0) + weight * hangul
            nodes[block.mem_id] = block
            block = block.parent
    if not scores:
        return None
    return nodes[max(scores, key=scores.__getitem__)]


def _nearest_block(node: LexborNode, memo: dict[int, LexborNode | None]) -> LexborNode | None:
    """`node` or its nearest ancestor that is not an inline element; remembered along the way, so
    the text of a page of deeply nested spans is not climbed again for every run."""
    path: list[int] = []
    current: LexborNode | None = node
    found: LexborNode | None = None
    while current is not None:
        if current.mem_id in memo:
            found = memo[current.mem_id]
            break
        if current.tag not in _INLINE_TAGS:
            found = current
            break
        path.append(current.mem_id)
        current = current.parent
    for key in path:
        memo[key] = found
    return found


class _Inside:
    """Is an element inside (or one of) the `excluded` elements? Each element's answer is remembered,
    so the whole page costs one climb per element, not one per text run times the depth."""

    def __init__(self, excluded: set[int]) -> None:
        self.excluded = excluded
        self.memo: dict[int, bool] = {}

    def __call__(self, node: LexborNode) -> bool:
        path: list[int] = []
        current: LexborNode | None = node
        result = False
        while current is not None and current.tag != "body":
            key = current.mem_id
            if key in self.memo:
                result = self.memo[key]
                break
            if key in self.excluded:
                result = True
                break
            path.append(key)
            current = current.parent
        for key in path:
            self.memo[key] = result
        return result
