"""Article links on a listing page: by configured CSS selectors, or recognised automatically.

Automatic recognition, in five steps:

1. Candidates: links whose URL looks like one article (an id parameter such as `idxno`, `aid`, `nttId`,
   `seq`, or a name ending in one with a long number, `g_serial`, `B_NUM`; an `/article/123`, dated or
   numbered path; a view page with a long number in a parameter), a `javascript:`/onclick link that
   quotes such a URL, or a redirect wrapper (`…?url=`) around one. An article needs a headline somewhere
   on the page (a link text, image alt or title attribute of at least `MIN_HEADLINE` characters);
   'more', paging, share, app-store and community-board links are not articles.
2. Items and groups: a link's *item* is its highest ancestor that links to no other article (a `<li>`,
   a `<tr>`, a card); the item's parent is the *group*. A list of articles is a group of items; every
   box of a repeated class is a group of its own.
3. Groups in site furniture (menus, footers, paging, banners, ads, share and comment boxes; by tag,
   class/id words and box headings) or with menu-length texts are dropped. What the page is decides
   the rest; the page's address is the one it declares (canonical link, og:url), else the fetched URL:
   - the site's home page (the root or an index page, with or without paging) keeps every other group:
     main lists, side columns (`aside`), hidden tabs, tickers, briefs, related links under a story,
     every box of a repeated class, most-read boxes — but not the publisher's own notices (a box headed
     공지사항/알립니다/社告 that is not the page's main list). On an aggregator's page (most links lead
     to other sites: search results) the clusters of other outlets' coverage hanging off each result
     are dropped, as on list pages;
   - a list page (paging that leads to pages: URLs or a page script, not slider dots) keeps only the
     groups in the region shared by the largest group and the paging, without most-read boxes and
     notices, and drops plain lists hanging off a headed item (related-article clusters);
   - any other page (a section front) keeps its own lists and the related links under their stories,
     without side columns, most-read boxes and notices: the side columns of a section hold other
     sections' news.
   A link inside furniture is dropped even when its group reaches beyond it (a header holding a menu
   and a breaking-news ticker).
   Most-read and ranking boxes (by class words and headings) are kept on home pages as companions of a
   page's own lists: a page whose only article groups are such boxes lists nothing (an article or
   error page with a ranking widget is not a listing). Their items are older; the pipeline's
   seen-memory and age window keep old items from being posted again.
4. One item per article, in page order: links to one path with the same identifying parameters are one
   article whatever box or tracking codes they carry, written with the parameters all of them share.
   A site that serves an article under a section prefix as well (`/cloud/news/articleView.html?idxno=1`
   beside `/news/articleView.html?idxno=1`: same host, same identifying parameters, one path ending
   with the whole other) lists it once, under the shorter path. Paths that merely share a file name
   (`/board1/view.do?seq=5`, `/board2/view.do?seq=5`: two boards numbering their posts apart) stay apart.
5. Per article: the title (a heading in or around the link, else the first headline-length link text,
   else an image's alt or the link's title; a title cut with '…' is completed from a fuller text, title
   attribute or alt of another link to the same article), the date (`<time datetime>`, else a short
   date-bearing element of the item or of a meta row next to it) and the lede.

Titles, ledes and outlet names go out through `scrapers.text.clean_display_text` (no bidi controls or
invisible characters, NFC; a title at most `MAX_TITLE_CHARS`): a title that is nothing but such
characters is no title, and the item is dropped.

Bounded whatever the input: a page of more than `MAX_UNCAPPED_TAGS` tags is depth-capped
(`scrapers.markup.limit_nesting`, links kept) before the tree is built; at most `MAX_LINKS` link
elements are examined and `MAX_ITEMS` items returned per page; texts and attributes are read up to
`MAX_TEXT` characters, at most `MAX_WALK` elements inside one link, item or box, and URLs up to
`MAX_URL` characters. Walks up the tree are iterative and remembered per element, so every per-link
and per-group step is linear in the page (no scan of all links per URL, no walk per pair of groups).
The patterns and words are data (`listing_rules.toml`), kept apart from this logic; no pattern nests
quantifiers.
"""

from __future__ import annotations

import re
import statistics
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache, lru_cache
from itertools import islice
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from scrapers.dates import parse_date
from scrapers.markup import limit_nesting
from scrapers.models import ListingItem
from scrapers.text import MAX_TITLE_CHARS, clean_display_text
from scrapers.urls import (
    IDENTIFYING_PARAMS,
    REDIRECT_PARAMS,
    aggregator_target,
    canonical_url,
    clean_link,
    declared_url,
    registrable_domain,
)

_RULES_PATH = Path(__file__).with_name("listing_rules.toml")

MIN_HEADLINE = 8  # characters: shorter link texts are menu entries, names, 'more' links
MIN_GROUP_MEDIAN = 10  # a group whose typical link text is shorter is a menu or a list of names
MAX_DATE_TEXT = 40
MAX_DATE_LABEL = 25  # characters around a date in its element: '작성일', a reporter's name, '|'
MAX_RANKING = 12  # articles in a most-read box; a longer 'best' list that outgrows every other is the main one

# Bounds per page (hostile or broken input): real pages have a few hundred to a few thousand links and
# list at most a few hundred articles (a portal home: ~250).
MAX_LINKS = 20_000  # link elements examined, in page order
MAX_ITEMS = 500  # articles returned
MAX_TEXT = 2_000  # characters of a link text, attribute or script read
MAX_URL = 2_048  # longer hrefs are not article links
MAX_WALK = 400  # elements read inside one link, item, heading box or paging block
MAX_PAGING_BLOCKS = 50
MAX_SMALL = 40  # elements in a date or lede element
MAX_LINK_WALK = 120  # elements of a link read for its text (a card: thumbnail, badges, title, lede, date)
MAX_MORE_TEXT = 60  # 'more', paging and share links are short
MAX_DOWN = 16  # levels a headline is looked for inside a link made of nested blocks
# Pages with more tags than this are depth-capped before the tree is built; real list pages have 2,000-8,000
# (the labelled set's largest, 7,747). 10,000 unclosed <div>s take ~60 ms to build, 40,000 over 3 s.
MAX_UNCAPPED_TAGS = 10_000

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # seen in real pages' ledes
# Texts are cleaned (single spaces) and cut to MAX_TEXT before these run; runs of digits are matched
# with bounded repeats so that a long run costs linear time.
_DATE_LIKE = re.compile(
    r"(?:(?:19|20)\d\d\s?[.\-/년]\s?\d{1,2}\s?[.\-/월]\s?\d{1,2}\s?일?\.?"
    r"|\b\d{1,2}[.\-/]\d{1,2}\b(?:\s\d{1,2}:\d\d)?"
    r"|\b\d{1,2}:\d\d(?::\d\d)?\b"
    r"|(?<!\d)\d{1,4}\s?(?:초|분|시간|일|주|개월|달)\s?전|어제|오늘|그제)"
)
_TIME_ONLY = re.compile(r"^\D{0,12}\d{1,2}:\d\d(?::\d\d)?\s?$")
_EDGE_DATE = re.compile(
    r"^\s?(?:(?:19|20)\d\d[.\-/]\d{1,2}[.\-/]\d{1,2}\.?)(?:\s?\d{1,2}:\d\d)?\s?"
    r"|\s?(?:(?:19|20)\d\d[.\-/]\d{1,2}[.\-/]\d{1,2}\.?)(?:\s?\d{1,2}:\d\d)?\s?$"
)
_JS_URL = re.compile(r"""['"]((?:https?://|/|\./|\.\./)[^'"\s]+|[\w\-]+\.(?:do|html?|php|jsp|asp)\?[^'"\s]*)['"]""")
_CLASS_WORDS = re.compile(r"[\s_\-]+")
_WORD_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])")
_TOKEN = re.compile(r"[\w:.\-]+", re.ASCII)
_DIGITS4 = re.compile(r"\d{4}", re.ASCII)
_ID_VALUE = re.compile(r"\??[A-Za-z]{0,4}\d{2,}")  # a stray "?" before the id is seen in real links


class SelectorsLike(Protocol):
    """The shape of `bot.config.Selectors`."""

    @property
    def item(self) -> str: ...
    @property
    def title(self) -> str | None: ...
    @property
    def link(self) -> str | None: ...
    @property
    def date(self) -> str | None: ...
    @property
    def snippet(self) -> str | None: ...


@dataclass(frozen=True)
class _Rules:
    id_params: frozenset[str]
    id_param_suffixes: tuple[str, ...]
    article_path: re.Pattern[str]
    view_page: re.Pattern[str]
    not_article: re.Pattern[str]
    slug_dirs: frozenset[str]
    paging_params: frozenset[str]
    home_path: re.Pattern[str]
    more_link_text: re.Pattern[str]
    furniture_tags: frozenset[str]
    furniture_words: frozenset[str]
    furniture_word_parts: re.Pattern[str]
    furniture_headings: tuple[str, ...]
    paging_words: frozenset[str]
    popular_words: frozenset[str]
    popular_headings: tuple[str, ...]
    notice_headings: tuple[str, ...]
    max_heading_length: int
    paging: re.Pattern[str]
    paging_prefilter: str  # CSS: the elements whose class or id could match `paging`
    paging_script: re.Pattern[str]
    page_number: re.Pattern[str]
    heading_tags: frozenset[str]
    heading_classes: tuple[str, ...]
    snippet_tags: frozenset[str]
    snippet_classes: tuple[str, ...]
    date_tags: frozenset[str]
    date_classes: tuple[str, ...]
    outlet_classes: re.Pattern[str]
    hidden_classes: frozenset[str]
    # Verdicts per class attribute: a page repeats a few dozen class names over thousands of elements.
    _heading_class: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)
    _hidden_class: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    def is_heading(self, node: LexborNode) -> bool:
        """Whether the node itself (not something inside it) is a heading."""
        if node.tag in self.heading_tags:
            return True
        classes = (node.attributes.get("class") or "")[:MAX_TEXT]
        known = self._heading_class.get(classes)
        if known is None:
            # Whole words of the class, so that generated class names ('xTitQ3') do not count.
            words = [w.lower() for w in _CLASS_WORDS.split(classes) if w]
            known = any(w.startswith(h) for w in words for h in self.heading_classes)
            if len(self._heading_class) < 4096:
                self._heading_class[classes] = known
        return known

    def is_hidden(self, node: LexborNode) -> bool:
        classes = (node.attributes.get("class") or "")[:MAX_TEXT]
        known = self._hidden_class.get(classes)
        if known is None:
            known = not self.hidden_classes.isdisjoint(classes.split())
            if len(self._hidden_class) < 4096:
                self._hidden_class[classes] = known
        return known


def _alternation(patterns: Iterable[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


@cache
def _rules() -> _Rules:
    data: dict[str, Any] = tomllib.loads(_RULES_PATH.read_text(encoding="utf-8"))
    url, boxes, titles = data["url"], data["containers"], data["titles"]
    return _Rules(
        id_params=frozenset(p.lower() for p in url["id_params"]),
        id_param_suffixes=tuple(s.lower() for s in url["id_param_suffixes"]),
        article_path=_alternation(url["article_path"]),
        view_page=_alternation(url["view_page"]),
        not_article=_alternation(url["not_article"]),
        slug_dirs=frozenset(url["slug_dirs"]),
        paging_params=frozenset(url["paging_params"]),
        home_path=_alternation(url["home_path"]),
        more_link_text=_alternation(url["more_link_text"]),
        furniture_tags=frozenset(boxes["furniture_tags"]),
        furniture_words=frozenset(w.lower() for w in boxes["furniture_words"]),
        furniture_word_parts=re.compile("|".join(re.escape(w.lower()) for w in boxes["furniture_word_parts"])),
        furniture_headings=tuple(boxes["furniture_headings"]),
        paging_words=frozenset(w.lower() for w in boxes["paging_words"]),
        popular_words=frozenset(w.lower() for w in boxes["popular_words"]),
        popular_headings=tuple(boxes["popular_headings"]),
        notice_headings=tuple(boxes["notice_headings"]),
        max_heading_length=int(boxes["max_heading_length"]),
        paging=_alternation(boxes["paging"]),
        paging_prefilter=", ".join(f"[class*={h} i], [id*={h} i]" for h in boxes["paging_hints"]),
        paging_script=re.compile(boxes["paging_script"], re.IGNORECASE),
        page_number=re.compile(boxes["page_number"]),
        heading_tags=frozenset(titles["heading_tags"]),
        heading_classes=tuple(titles["heading_classes"]),
        snippet_tags=frozenset(titles["snippet_tags"]),
        snippet_classes=tuple(titles["snippet_classes"]),
        date_tags=frozenset(titles["date_tags"]),
        date_classes=tuple(titles["date_classes"]),
        outlet_classes=_alternation(titles["outlet_classes"]),
        hidden_classes=frozenset(titles["hidden_classes"]),
    )


# ---------------------------------------------------------------------------------------------- helpers


def _clean(text: str | None) -> str:
    # str.split() splits on exactly what the regex `\s` matches, and is several times faster than re.sub.
    return " ".join(_CONTROL.sub("", (text or "")[: MAX_TEXT * 4]).split())[:MAX_TEXT]


def _attr(node: LexborNode, name: str) -> str:
    """An attribute's value, cut to MAX_TEXT characters."""
    return (node.attributes.get(name) or "")[:MAX_TEXT]


def _absolute(href: str, base_url: str) -> str:
    """Absolute canonical URL of a link."""
    return canonical_url(href, base_url)


def _descendants(node: LexborNode, limit: int = MAX_WALK) -> Iterator[LexborNode]:
    """The first `limit` elements inside a node, in page order (cheaper than a CSS query for a few tag
    names, and bounded)."""
    inside = node.traverse()
    next(inside)  # the node itself
    return islice((found for found in inside if found.is_element_node), limit)  # traverse() yields comments too


def _matching(nodes: Iterable[LexborNode], tags: frozenset[str], classes: tuple[str, ...]) -> Iterator[LexborNode]:
    """The nodes that have one of the tags or a class attribute containing one of the words, as the CSS
    `tag, [class*=word]` would find them (case-sensitive), without compiling a selector per call."""
    in_class = _substrings(classes).search
    for node in nodes:
        if node.tag in tags:
            yield node
        else:
            found = node.attributes.get("class")
            if found and in_class(found[:MAX_TEXT]):
                yield node


@cache
def _substrings(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(word) for word in words))


def _small(node: LexborNode) -> bool:
    """Whether an element holds few elements (a date, a lede): its text is then cheap to read whole."""
    return sum(1 for _ in _descendants(node, MAX_SMALL + 1)) <= MAX_SMALL


def _has_inner(node: LexborNode, tags: frozenset[str]) -> bool:
    return any(found.tag in tags for found in _descendants(node))


def _inner_headings(node: LexborNode) -> Iterator[LexborNode]:
    """Descendants with a heading tag or a class containing a heading word."""
    rules = _rules()
    return _matching(_descendants(node), rules.heading_tags, rules.heading_classes)


def _inner_snippets(node: LexborNode) -> Iterator[LexborNode]:
    """Descendants with a lede tag or a class containing a lede word."""
    rules = _rules()
    return _matching(_descendants(node), rules.snippet_tags, rules.snippet_classes)


def _words(node: LexborNode) -> frozenset[str]:
    """Lower-cased words of a node's class and id ('side-bg' -> side, bg; 'auto-hotB' -> auto, hot, b)."""
    attrs = node.attributes
    classes, ident = attrs.get("class"), attrs.get("id")
    if not classes and not ident:
        return frozenset()
    return _words_of(f"{(classes or '')[:MAX_TEXT]} {(ident or '')[:MAX_TEXT]}")


@lru_cache(maxsize=4096)
def _words_of(raw: str) -> frozenset[str]:
    return frozenset(w.lower() for w in _WORD_SPLIT.split(raw) if w)


def _link_target(node: LexborNode) -> str | None:
    """The URL a link leads to: its href, or a URL quoted in a javascript: href or onclick."""
    href = (node.attributes.get("href") or "").strip()
    low = href[:16].lower()
    if href and not low.startswith(("javascript:", "#", "mailto:", "tel:", "data:")):
        return href
    script = f"{href[:MAX_TEXT]} {_attr(node, 'onclick')}"
    match = _JS_URL.search(script)
    return match.group(1) if match else None


def _is_id_param(name: str, value: str) -> bool:
    """Whether a query parameter (name lower-cased) carries one article's number."""
    rules = _rules()
    if name in rules.id_params:
        return _ID_VALUE.fullmatch(value) is not None
    return name.endswith(rules.id_param_suffixes) and _has_long_number(value)


def _is_long_number(value: str) -> bool:
    return len(value) >= 4 and value.isascii() and value.isdigit()


def _has_long_number(value: str) -> bool:
    """A number of 4 digits or more, or a short token that holds one (`tv:jrnnhb4:youtube:530001`)."""
    return _is_long_number(value) or (
        len(value) <= 80 and _TOKEN.fullmatch(value) is not None and _DIGITS4.search(value) is not None
    )


def _is_weak_id_param(name: str, value: str) -> bool:
    """Another parameter with a long number (`volumeNo=12109964`, `gid=52311`, also `menuNo=200218`):
    an article's number on a view page, a menu's elsewhere."""
    return _is_long_number(value) and name.lower() not in _rules().paging_params


@lru_cache(maxsize=8192)
def url_score(url: str) -> int:
    """How much a URL looks like one article's page: >= 2 is an article, <= 0 is not (remembered per URL)."""
    rules = _rules()
    parts = urlsplit(url[:MAX_URL])
    if parts.scheme not in ("http", "https"):
        return -1
    target = f"{parts.path}?{parts.query}" if parts.query else parts.path
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = [(key.lower(), value) for key, value in pairs]
    has_id = any(_is_id_param(key, value) for key, value in query)
    score = 2 if has_id else 1 if any(_is_weak_id_param(key, value) for key, value in pairs) else 0
    if rules.article_path.search(parts.path):
        score += 2
    if rules.view_page.search(target):
        score += 1
    segments = [s for s in parts.path.split("/") if s]
    if score == 0 and len(segments) >= 2 and segments[-2].lower() in rules.slug_dirs and segments[-1].count("-") >= 2:
        score += 2  # /news/a-headline-written-as-a-slug
    if rules.not_article.search(target):
        score -= 3
    if not has_id and any(key in rules.paging_params for key, _ in query):
        score -= 3
    return score


@lru_cache(maxsize=8192)
def _identity(url: str) -> str:
    """The article a URL names on this page: host, path and identifying parameters (the long numbers of
    other parameters only when it has none). Box and tracking codes (`?mc=em_001`, `&section=…`,
    `&g_menu=025100` beside `g_serial`) do not make another article."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    ids = sorted(
        (key, value)
        for key, value in pairs
        if _is_id_param(key.lower(), value) or (key.lower() in IDENTIFYING_PARAMS and value)
    )
    if not ids:
        ids = sorted((key, value) for key, value in pairs if _is_weak_id_param(key, value))
    if not ids and not _rules().article_path.search(parts.path) and url_score(url) < 2:
        return url
    return f"{parts.netloc}{parts.path}?" + "&".join(f"{key}={value}" for key, value in ids)


def _same_article_under_prefixes(links: list[_Link]) -> list[_Link]:
    """`links`, with the key of a link whose path is another link's path under a prefix (same host, same
    identifying parameters, `/cloud/news/view?no=1` and `/news/view?no=1`) set to the shorter one's."""
    by_ids: dict[tuple[str, str, str], set[str]] = {}  # (host, last path segment, ids) -> paths
    for link in links:
        host_path, _, ids = link.key.partition("?")
        if ids:  # only links named by parameters: a path-only key is the whole identity
            host, _, path = host_path.partition("/")
            by_ids.setdefault((host, path.rpartition("/")[2], ids), set()).add("/" + path)
    renamed: dict[str, str] = {}
    for (host, _name, ids), paths in by_ids.items():
        if len(paths) < 2:
            continue
        for path in paths:
            shorter = [p for p in paths if len(p) < len(path) and path.endswith(p)]
            if shorter:  # a segment boundary: the shorter path starts with "/"
                renamed[f"{host}{path}?{ids}"] = f"{host}{min(shorter, key=len)}?{ids}"
    if renamed:
        for link in links:
            link.key = renamed.get(link.key, link.key)
    return links


def _shared_url(urls: Sequence[str]) -> str:
    """One URL for links to one article: the URL of the shortest path (the first of them) with only the
    parameters all of them carry."""
    first = min(urls, key=lambda url: len(urlsplit(url).path))
    if all(url == first for url in urls):
        return first
    parts = urlsplit(first)
    common = set(_pairs(first))
    for url in urls[1:]:
        common &= set(_pairs(url))
    query = "&".join(pair for pair in _pairs(first) if pair in common)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def _pairs(url: str) -> list[str]:
    query = urlsplit(url).query
    return [pair for pair in query.split("&") if pair] if query else []


def _cut_stem(title: str) -> str | None:
    """The part before a trailing '…' or '..' of a title the site shortened, else None."""
    stripped = title.rstrip()
    if stripped.endswith("…"):
        stem = stripped[:-1]
    elif stripped.endswith(".."):
        stem = stripped.rstrip(".")
    else:
        return None
    stem = stem.rstrip()
    return stem if len(stem) >= 4 else None


# ---------------------------------------------------------------------------------------------- links


@dataclass
class _Link:
    node: LexborNode
    order: int
    url: str  # canonical URL of this link
    key: str  # the article it names (see _identity)
    text: str  # the link's own visible text (screen-reader-only text removed)
    alt: str  # alt of an image inside, when the link has no text
    title_attr: str  # the link's title attribute
    wrapped: bool = False  # the page links to a redirect wrapper around `url`
    headed: bool | None = field(default=None, repr=False)  # see _headed
    item: LexborNode | None = field(default=None, repr=False)  # see _group_links

    @property
    def label(self) -> str:
        return self.text or self.alt or self.title_attr


@dataclass
class _Group:
    container: LexborNode
    links: list[_Link] = field(default_factory=list)
    box: str = ""  # "", "popular" or "notice" (see _box_kind)
    heading_share: float | None = field(default=None, repr=False)  # see _heading_share, once links are in

    @property
    def keys(self) -> list[str]:
        return list(dict.fromkeys(link.key for link in self.links))


_MEDIA_TAGS = frozenset({"img", "picture", "video"})
_CONTAINER_TAGS = frozenset({"a", "p", "div", "li", "td"})  # a date element holding these is no leaf
_BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "section",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
    }
)


def _visible_text(node: LexborNode, limit: int = MAX_WALK) -> str:
    """Text as a reader sees it: block elements apart, inline ones joined, screen-reader text dropped.

    Reads at most `limit` elements and MAX_TEXT characters, walking with a stack (no recursion)."""
    rules = _rules()
    parts: list[str] = []
    size = 0
    seen = 0
    stack: list[tuple[Iterator[LexborNode], bool]] = [(node.iter(include_text=True), False)]
    while stack:
        children, block = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if block:
                parts.append(" ")
            continue
        if child.is_text_node:
            piece = child.text(deep=False) or ""
            parts.append(piece)
            size += len(piece)
            if size > MAX_TEXT:
                break
        elif child.is_element_node:
            seen += 1
            if seen > limit:
                break
            if rules.is_hidden(child):
                continue
            inner_block = child.tag in _BLOCK_TAGS
            if inner_block:
                parts.append(" ")
            stack.append((child.iter(include_text=True), inner_block))
    return _clean("".join(parts))


def _anchor_holders(nodes: Sequence[LexborNode]) -> set[int]:
    """The elements (by id) that hold an `<a>`: a walk up from each one, stopping where an earlier walk
    has been."""
    holders: set[int] = set()
    for node in nodes:
        if node.tag != "a":
            continue
        parent = node.parent
        while parent is not None and parent.mem_id not in holders:
            holders.add(parent.mem_id)
            parent = parent.parent
    return holders


def _collect_links(tree: LexborHTMLParser, base_url: str) -> list[_Link]:
    rules = _rules()
    nodes = tree.css("a, [onclick]")[:MAX_LINKS]
    holders = _anchor_holders(nodes)
    links: list[_Link] = []
    for order, node in enumerate(nodes):
        if node.tag != "a" and node.mem_id in holders:  # an onclick box around real links
            continue
        target = _link_target(node)
        if not target or len(target) > MAX_URL:
            continue
        url = _absolute(target, base_url)
        wrapped = False
        if url_score(url) < 2:
            inner = _unwrapped(url)
            if inner is None or url_score(inner) < 2:
                continue
            url, wrapped = inner, True  # a redirect wrapper around an article
        text = _visible_text(node, MAX_LINK_WALK)
        if text and len(text) <= MAX_MORE_TEXT and rules.more_link_text.search(text):
            continue
        alt = ""
        if not text:
            for inner_node in _descendants(node, 50):
                if inner_node.tag == "img" and inner_node.attributes.get("alt"):
                    alt = _clean(inner_node.attributes.get("alt"))
                    break
        title = _clean(_attr(node, "title"))
        links.append(_Link(node, order, url, _identity(url), text, alt, title, wrapped))
    return links


def _unwrapped(url: str) -> str | None:
    """The URL a redirect wrapper (`/redirect?url=…`, an aggregator's link) leads to, absolute."""
    query = url.partition("?")[2]  # canonical URLs have no fragment
    if not query or not ("=http" in query or "=%2F" in query or "=%2f" in query or "=/" in query):
        return None
    return _unwrapped_query(url, query)


@lru_cache(maxsize=1024)
def _unwrapped_query(url: str, query: str) -> str | None:
    inner = aggregator_target(url)
    if inner is not None:
        return inner
    for name, value in parse_qsl(query):
        if name.lower() in REDIRECT_PARAMS and value.startswith("/") and not value.startswith("//"):
            return canonical_url(value, url)  # a path on the wrapper's own site
    return None


@lru_cache(maxsize=4096)
def _headline_length(text: str) -> int:
    """Length without a date glued to either end (remembered: each link text is measured several times)."""
    return len(_EDGE_DATE.sub("", text))


# ---------------------------------------------------------------------------------------------- groups


_TOP_TAGS = ("html", "-document", None)  # where a walk up the page stops
_MANY = "\x00many"  # more than one article under an element (no key holds a NUL)


def _group_links(links: list[_Link]) -> list[_Group]:
    """Group links by the parent of their item (the highest ancestor that holds only their article)."""
    # Per element: the one article linked under it, or _MANY. A walk up from a link stops where nothing
    # can change any more (the element already holds this article, or many): deep pages stay cheap.
    under: dict[int, str] = {}
    for link in links:
        node: LexborNode | None = link.node
        while node is not None and node.tag not in _TOP_TAGS:
            seen = under.get(node.mem_id)
            if seen == link.key or seen is _MANY:
                break
            under[node.mem_id] = link.key if seen is None else _MANY
            node = node.parent
    # Per element on a walk: its (item, container); remembered, so links of one article deep in one
    # chain do not walk it again each.
    placed: dict[int, tuple[LexborNode, LexborNode | None]] = {}
    rows: dict[int, LexborNode] = {}  # the row found for an item of the page's only article
    groups: dict[int, _Group] = {}
    for link in links:
        path: list[LexborNode] = []
        node = link.node
        found: tuple[LexborNode, LexborNode | None] | None = None
        while True:
            known = placed.get(node.mem_id)
            if known is not None:
                found = known
                break
            path.append(node)
            parent = node.parent
            if parent is None or parent.tag in _TOP_TAGS or under.get(parent.mem_id) is _MANY:
                found = (node, parent if parent is not None and parent.tag not in _TOP_TAGS else None)
                break
            node = parent
        for step in path:
            placed[step.mem_id] = found
        item, container = found
        if container is None:
            # The only article on the page: its row or list entry is the item of a list of one.
            row = rows.get(item.mem_id)
            if row is None:
                row, steps = link.node, 0
                up = link.node.parent
                while up is not None and up.tag not in _TOP_TAGS and steps < MAX_WALK:
                    if up.tag in ("tr", "li", "article", "dl"):
                        row = up
                        break
                    up, steps = up.parent, steps + 1
                rows[item.mem_id] = row
            item, container = row, row.parent
        if container is None:
            continue
        link.item = item
        groups.setdefault(container.mem_id, _Group(container)).links.append(link)
    return sorted(groups.values(), key=lambda g: g.links[0].order)


_HEADING_BOX_TAGS = frozenset({"h2", "h3", "h4", "h5", "strong", "dt", "header"})


def _box_headings(node: LexborNode) -> Iterator[tuple[str, bool]]:
    """The short texts just before a box that may label it, nearest first, each with whether it is
    marked up as a heading (a heading-like element, or one holding one within its first 40 elements).
    Looks at four elements at most; a text longer than a heading is a headline of the box before."""
    rules = _rules()
    sibling = node.prev
    steps = 0
    while sibling is not None and steps < 4:
        if sibling.is_element_node:
            steps += 1
            raw = sibling.text() or ""
            if len(raw) <= rules.max_heading_length * 10:
                text = _clean(raw)
                if text and len(text) <= rules.max_heading_length:
                    marked = rules.is_heading(sibling) or any(
                        inner.tag in _HEADING_BOX_TAGS or "tit" in _attr(inner, "class")
                        for inner in _descendants(sibling, 40)
                    )
                    yield text, marked
        sibling = sibling.prev


class _Boxes:
    """Verdicts on the boxes around groups, remembered per element (one walk per element, not per group)."""

    FURNITURE, POPULAR, NOTICE = "furniture", "popular", "notice"

    def __init__(self) -> None:
        self._chain: dict[int, bool] = {}  # furniture by tag or class words, here or above
        self._heading: dict[int, str] = {}  # the verdict of the box heading before the element

    def in_furniture(self, node: LexborNode) -> bool:
        """Whether the element or one above it is furniture by tag or class/id words."""
        return self._furniture_chain(node)

    def _furniture_chain(self, node: LexborNode) -> bool:
        rules = _rules()
        path: list[LexborNode] = []
        current: LexborNode | None = node
        verdict = False
        while current is not None and current.tag not in ("html", "body", "-document"):
            known = self._chain.get(current.mem_id)
            if known is not None:
                verdict = known
                break
            path.append(current)
            if current.tag in rules.furniture_tags or _furniture_words(current):
                verdict = True
                break
            current = current.parent
        for step in path:
            self._chain[step.mem_id] = verdict
        return verdict

    def _heading_kind(self, node: LexborNode) -> str:
        """What the label just before the element says the box is: the first short text with a word of
        furniture, most-read or notice boxes, up to the first text marked up as a heading."""
        known = self._heading.get(node.mem_id)
        if known is None:
            rules = _rules()
            known = ""
            for heading, marked in _box_headings(node):
                if any(word in heading for word in rules.furniture_headings):
                    known = self.FURNITURE
                elif any(word in heading for word in rules.popular_headings):
                    known = self.POPULAR
                elif any(word in heading for word in rules.notice_headings):
                    known = self.NOTICE
                if known or marked:
                    break
            self._heading[node.mem_id] = known
        return known

    def kind(self, group: _Group) -> str:
        """furniture, popular, notice or '' for a box of articles."""
        if self._furniture_chain(group.container):
            return self.FURNITURE
        rules = _rules()
        kind = ""
        node: LexborNode | None = group.container
        for depth in range(6):
            if node is None or node.tag in ("html", "body", "-document"):
                break
            words = _words(node)
            if depth < 3 and not words.isdisjoint(rules.paging_words):
                return self.FURNITURE
            if not kind and not words.isdisjoint(rules.popular_words):
                kind = self.POPULAR
            if depth < 4:
                heading = self._heading_kind(node)
                if heading == self.FURNITURE:
                    return heading
                if heading and not kind:
                    kind = heading
            node = node.parent
        return kind


def _furniture_words(node: LexborNode) -> bool:
    """Whether a class or id word of the element names furniture (a menu, footer, banner, share box)."""
    words = _words(node)
    return bool(words) and _furniture_verdict(words)


@lru_cache(maxsize=4096)
def _furniture_verdict(words: frozenset[str]) -> bool:
    rules = _rules()
    return not words.isdisjoint(rules.furniture_words) or any(rules.furniture_word_parts.search(w) for w in words)


def _group_median(group: _Group) -> float:
    best: dict[str, int] = {}
    for link in group.links:
        length = _headline_length(link.label)
        if length > best.get(link.key, -1):
            best[link.key] = length
    return statistics.median(best.values())


def _contains(outer: LexborNode, inner: LexborNode) -> bool:
    node: LexborNode | None = inner
    while node is not None:
        if node.mem_id == outer.mem_id:
            return True
        node = node.parent
    return False


def _ancestors(node: LexborNode) -> list[LexborNode]:
    out = []
    parent = node.parent
    while parent is not None and parent.tag not in _TOP_TAGS:
        out.append(parent)
        parent = parent.parent
    return out


def _common_ancestor(a: LexborNode, b: LexborNode) -> LexborNode | None:
    seen = {n.mem_id for n in [a, *_ancestors(a)]}
    for node in [b, *_ancestors(b)]:
        if node.mem_id in seen:
            return node
    return None


class _Inside:
    """Whether elements lie inside one element, remembered per element on the walks up."""

    def __init__(self, outer: LexborNode) -> None:
        self._known: dict[int, bool] = {outer.mem_id: True}

    def __call__(self, node: LexborNode) -> bool:
        path: list[int] = []
        current: LexborNode | None = node
        verdict = False
        while current is not None:
            known = self._known.get(current.mem_id)
            if known is not None:
                verdict = known
                break
            path.append(current.mem_id)
            current = current.parent
        for mem_id in path:
            self._known[mem_id] = verdict
        return verdict


# ---------------------------------------------------------------------------------------------- paging


_PAGING_HOLDERS = frozenset({"div", "p", "ul", "span", "td", "nav"})


def _paging_blocks(tree: LexborHTMLParser) -> list[LexborNode]:
    """Elements whose class or id names paging, else elements holding a run of links labelled 1, 2, 3…"""
    rules = _rules()
    found = []
    for node in islice(tree.css(rules.paging_prefilter), MAX_PAGING_BLOCKS * 4):
        if rules.paging.search(f"{_attr(node, 'class')} {_attr(node, 'id')}"):
            found.append(node)
            if len(found) >= MAX_PAGING_BLOCKS:
                break
    if found:
        return found
    # No paging class: the near ancestors of number links that hold few other links.
    numbers: dict[int, int] = {}
    totals: dict[int, int] = {}
    holders: dict[int, LexborNode] = {}
    for a in tree.css("a")[:MAX_LINKS]:
        number = rules.page_number.fullmatch(_clean((a.text() or "")[:40])) is not None
        up, steps = a.parent, 0
        while up is not None and up.tag not in _TOP_TAGS and steps < 4:
            if up.tag in _PAGING_HOLDERS:
                totals[up.mem_id] = totals.get(up.mem_id, 0) + 1
                if number:
                    holders.setdefault(up.mem_id, up)
                    numbers[up.mem_id] = numbers.get(up.mem_id, 0) + 1
            up, steps = up.parent, steps + 1
    for key, holder in holders.items():
        if numbers[key] >= 3 and totals[key] <= numbers[key] + 8:
            found.append(holder)
            if len(found) >= MAX_PAGING_BLOCKS:
                break
    return found


@dataclass
class _Paging:
    blocks: list[LexborNode]


def _list_paging(tree: LexborHTMLParser, largest: _Group) -> _Paging | None:
    """The paging of a list: blocks not around the largest group with at least two page-number links that
    lead to a page (a URL, or a script function named for pages). Slider dots and tab numbers are not
    paging."""
    rules = _rules()
    paging = _Paging([])
    for block in _paging_blocks(tree):
        if _contains(block, largest.container):
            continue  # a box whose class names paging around the list itself
        count = 0
        for a in (n for n in islice(block.traverse(), MAX_WALK) if n.tag == "a"):
            if not rules.page_number.fullmatch(_clean((a.text() or "")[:40])):
                continue
            href = (a.attributes.get("href") or "").strip()[:MAX_URL]
            to_page = bool(href) and not href[:11].lower().startswith(("#", "javascript:"))
            if to_page or rules.paging_script.search(f"{href[:MAX_TEXT]} {_attr(a, 'onclick')}"):
                count += 1
        if count >= 2:
            paging.blocks.append(block)
    return paging if paging.blocks else None


def _is_home(address: str) -> bool:
    """Whether an address is a site's root or index page."""
    parts = urlsplit(canonical_url(address))
    return not parts.query and _rules().home_path.fullmatch(parts.path or "/") is not None


# ---------------------------------------------------------------------------------------------- choice


def _headed(link: _Link) -> bool:
    """Whether a link is, sits in or holds a heading (worked out once per link)."""
    if link.headed is None:
        rules = _rules()
        parent = link.node.parent
        link.headed = (
            rules.is_heading(link.node)
            or (parent is not None and rules.is_heading(parent))
            or next(_inner_headings(link.node), None) is not None
        )
    return link.headed


def _headed_keys(group: _Group) -> set[str]:
    return {link.key for link in group.links if _headed(link)}


def _heading_share(group: _Group) -> float:
    """Share of the group's articles whose link is, sits in or holds a heading (h3, strong, .tit)."""
    if group.heading_share is None:
        group.heading_share = len(_headed_keys(group)) / len(group.keys)
    return group.heading_share


def _without_trailing_plain(group: _Group) -> _Group:
    """In a list whose articles mostly have headings, plain links after a headed one are related
    articles hanging off it (one-item 'related' clusters); drop them."""
    keys = group.keys
    headed = _headed_keys(group)
    if len(headed) == len(keys) or len(headed) * 2 < len(keys):
        return group
    first_headed = min(k.order for k in group.links if k.key in headed)
    keep = [k for k in group.links if k.key in headed or k.order < first_headed]
    return _Group(group.container, keep, group.box)


def _without_subordinate(groups: list[_Group]) -> list[_Group]:
    """Drop plain lists nested after a headed item of another list ('related articles' under one story).

    Per element, the earliest headed group whose container holds it, remembered along the walks up."""
    headed_at: dict[int, int] = {}  # container -> first link order, for groups that are mostly headed
    for group in groups:
        if _heading_share(group) >= 0.5:
            order = group.links[0].order
            headed_at[group.container.mem_id] = min(order, headed_at.get(group.container.mem_id, order))
    if not headed_at:
        return groups
    above: dict[int, float] = {}  # element -> earliest headed group among its ancestors (inclusive)
    nothing = float("inf")

    def earliest(node: LexborNode | None) -> float:
        path: list[LexborNode] = []
        value = nothing
        while node is not None and node.tag not in _TOP_TAGS:
            known = above.get(node.mem_id)
            if known is not None:
                value = known
                break
            path.append(node)
            node = node.parent
        for step in reversed(path):
            value = min(value, headed_at.get(step.mem_id, nothing))
            above[step.mem_id] = value
        return value

    kept = []
    for group in groups:
        if _heading_share(group) < 0.5 and earliest(group.container.parent) < group.links[0].order:
            continue
        kept.append(group)
    return kept


def _mostly_elsewhere(groups: Sequence[_Group], address: str) -> bool:
    """Whether most articles the groups link to are on other sites than the page's (an aggregator)."""
    domain = registrable_domain(urlsplit(canonical_url(address)).hostname or "")
    keys = {link.key: link.url for group in groups for link in group.links}
    away = sum(registrable_domain(urlsplit(url).hostname or "") != domain for url in keys.values())
    return away * 2 > len(keys)


def _in_aside(node: LexborNode) -> bool:
    """Whether an element sits in a side column (`<aside>`, or a class or id word 'aside')."""
    current: LexborNode | None = node
    while current is not None and current.tag not in _TOP_TAGS:
        if current.tag == "aside" or "aside" in _words(current):
            return True
        current = current.parent
    return False


def _size(group: _Group) -> tuple[int, int]:
    """Articles in a group; the earlier of two groups of one size is the larger."""
    return len(group.keys), -group.links[0].order


def _choose_groups(tree: LexborHTMLParser, groups: list[_Group], address: str) -> list[_Group]:
    """The groups of articles the page lists; `address` is the page's own URL (module docstring, step 3)."""
    boxes = _Boxes()
    content = []
    for group in groups:
        # A group's container may sit outside the menu that holds one of its items (a header holding
        # a menu and a ticker): each link's own chain is looked at.
        group.links = [link for link in group.links if not boxes.in_furniture(link.node)]
        if not group.links or _group_median(group) < MIN_GROUP_MEDIAN:
            continue
        kind = boxes.kind(group)
        if kind == _Boxes.FURNITURE:
            continue
        group.box = kind
        content.append(group)
    own = [g for g in content if g.box != _Boxes.POPULAR]
    if not own:
        return []  # a ranking widget alone is not a listing
    largest = max(own, key=_size)
    top = max(content, key=_size)
    if top.box == _Boxes.POPULAR and len(top.keys) > max(MAX_RANKING, len(largest.keys)):
        # Longer than any ranking box and than every other list: the page's main list under a class
        # word such as 'best' or 'hot'.
        top.box, largest = "", top
        own = [g for g in content if g.box != _Boxes.POPULAR]
    if _is_home(address):
        # The site's home page, also one with paging (a blog home, a box of notices with pages): every
        # box of articles, but not the publisher's notices.
        kept = [g for g in content if g.box != _Boxes.NOTICE or g is largest]
        if not _mostly_elsewhere(kept, address):
            return kept
        # An aggregator's page (search results): its results, without the clusters of other outlets'
        # coverage hanging off each one.
        return [_without_trailing_plain(g) for g in _without_subordinate(kept)]
    paging = _list_paging(tree, largest)
    # A section or list page: its own lists, without most-read boxes and notices.
    content = [g for g in own if g.box != _Boxes.NOTICE or g is largest]
    if paging is None:
        # A section front: side columns hold other sections' news.
        kept = [g for g in content if not _in_aside(g.container)]
        return kept or content
    content = [_without_trailing_plain(g) for g in _without_subordinate(content)]
    # A list page: the groups in the region that holds both the main list and its paging.
    regions = [_common_ancestor(largest.container, p) for p in paging.blocks]
    tight = [r for r in regions if r is not None and r.tag not in ("html", "body")]
    if not tight:
        return content
    region = max(tight, key=lambda r: len(_ancestors(r)))
    inside = _Inside(region)
    return [g for g in content if inside(g.container)]


# ---------------------------------------------------------------------------------------------- items


def _split_date(text: str) -> str:
    """A headline without a date glued to its start or end ('2025-12-10완도군, ...')."""
    stripped = _EDGE_DATE.sub("", text).strip()
    return stripped or text


def _title_in_link(link: _Link) -> tuple[str, str | None]:
    """The headline inside a link, and what else the link says (a lede), if anything."""
    text = link.text
    if not text:
        return _split_date(link.alt or link.title_attr), None
    heading = None
    for node in _inner_headings(link.node):
        candidate = _visible_text(node)
        if _headline_length(candidate) >= 4:
            heading = candidate
            break
    if heading is None:
        heading = _first_headline_leaf(link.node, text)
    title = _split_date(heading)
    lede = None
    if heading != text:
        blocks = (_visible_text(node) for node in _inner_snippets(link.node))
        lede = next((b for b in blocks if len(b) >= 20 and heading not in b), None)
        if lede is None:
            rest = _clean(text.replace(heading, " ", 1))
            lede = rest if len(rest) >= 20 else None
    return title, lede


def _blocks(node: LexborNode) -> list[tuple[LexborNode, str]]:
    rules = _rules()
    blocks: list[tuple[LexborNode, str]] = []
    for child in islice(node.iter(include_text=True), MAX_WALK):
        if child.is_text_node:
            piece = _clean(child.text(deep=False))
        elif child.is_element_node and not rules.is_hidden(child):
            piece = _visible_text(child)
        else:
            continue
        if piece:
            blocks.append((child, piece))
    return blocks


def _first_headline_leaf(node: LexborNode, text: str) -> str:
    """In a link made of several blocks (thumbnail, play time, title, lede), the first headline-length
    block that is not a date; a single block is looked into. Goes down at most MAX_DOWN levels."""
    for _ in range(MAX_DOWN):
        blocks = _blocks(node)
        if len(blocks) == 1 and blocks[0][0].is_element_node:
            node, text = blocks[0]
            continue
        if len(blocks) <= 1:
            return text
        for child, piece in blocks:
            if child.is_element_node and _has_inner(child, _MEDIA_TAGS):
                continue  # a thumbnail with its badges ('동영상 03:20')
            if len(_DATE_LIKE.sub("", piece).strip()) >= MIN_HEADLINE:
                if child.is_element_node and next(_descendants(child), None) is not None:
                    node, text = child, piece
                    break
                return piece
        else:
            return text
    return text


def _item_date(item: LexborNode, title: str, now: datetime | None) -> datetime | None:
    """A machine-readable `<time datetime>`, else the first element of the item that holds a date and
    little else."""
    rules = _rules()
    elements = [node for node in islice(item.traverse(), MAX_WALK) if node.is_element_node]  # the item included
    for node in elements:
        if node.tag == "time" and "datetime" in node.attributes:
            found = parse_date(_attr(node, "datetime")[:100], now=now)
            if found is not None:
                return found
    for node in _matching(elements, rules.date_tags, rules.date_classes):
        if node.tag != "time" and _has_inner(node, _CONTAINER_TAGS):
            continue  # only leaves: a container's text mixes the date with the title
        if not _small(node):
            continue
        text = _clean(node.text())
        if not text or len(text) > MAX_DATE_TEXT or text in title:
            continue
        match = _DATE_LIKE.search(text)
        if match is None or len(text) - len(match.group(0)) > MAX_DATE_LABEL:
            continue
        if _TIME_ONLY.match(text) and _in_link(node, item):
            continue  # a video's running time on a thumbnail
        found = parse_date(text, now=now)
        if found is not None:
            return found
    return None


def _item_outlet(item: LexborNode) -> str | None:
    """The outlet an aggregator names next to an article ('연합뉴스'), if any."""
    rules = _rules()
    for node in islice(item.traverse(), MAX_WALK):
        classes = _attr(node, "class") if node.is_element_node else ""
        if classes and rules.outlet_classes.search(classes):
            text = _visible_text(node)
            if 2 <= len(text) <= 20 and not _DATE_LIKE.search(text):
                return text
    return None


def _sibling_element(node: LexborNode, step: int) -> LexborNode | None:
    """The nearest element before (step -1) or after (step 1) the node."""
    sibling = node.prev if step < 0 else node.next
    while sibling is not None and not sibling.is_element_node:
        sibling = sibling.prev if step < 0 else sibling.next
    return sibling


def _in_link(node: LexborNode, item: LexborNode) -> bool:
    current: LexborNode | None = node
    while current is not None and current.mem_id != item.mem_id:
        if current.tag == "a":
            return True
        current = current.parent
    return False


def _item_snippet(item: LexborNode, links: Sequence[_Link], title: str) -> str | None:
    for link in links[1:]:
        if link.text and link.text != title and len(link.text) >= 20:
            return link.text
    for node in _inner_snippets(item):
        if not _small(node):
            continue
        text = _clean(node.text())
        if len(text) >= 20 and title not in text and not _DATE_LIKE.fullmatch(text):
            return text
    return None


def _around(item: LexborNode, key: str, link_keys: dict[int, str]) -> Iterator[LexborNode]:
    """The item, then the elements just before and after it that link to no other article: card layouts
    put the outlet and time in a row of their own next to the title. Lazy: most items hold their date."""
    yield item
    for step in (-1, 1):
        node = _sibling_element(item, step)
        if node is None:
            continue
        inside = list(islice(node.traverse(), MAX_WALK + 1))
        if len(inside) <= MAX_WALK and all(link_keys.get(n.mem_id, key) == key for n in inside if n.tag == "a"):
            yield node


def _extract(
    groups: list[_Group],
    every: dict[str, list[_Link]],
    link_keys: dict[int, str],
    page_host: str | None,
    now: datetime | None,
) -> list[tuple[str, ListingItem]]:
    """One item per article, in page order: the first group that lists it decides its title and date.

    `every` holds every article link of the page by article; `link_keys` maps them (by node) to it."""
    placed: dict[str, tuple[int, _Group]] = {}
    for group in groups:
        for link in group.links:
            if link.key not in placed or link.order < placed[link.key][0]:
                placed[link.key] = (link.order, group)
    by_key: dict[tuple[int, str], list[_Link]] = {}
    for group in groups:
        for link in group.links:
            by_key.setdefault((id(group), link.key), []).append(link)
    items: list[tuple[str, ListingItem]] = []
    for key, (_order, group) in sorted(placed.items(), key=lambda kv: kv[1][0]):
        if len(items) >= MAX_ITEMS:
            break
        links = by_key[id(group), key]
        item = links[0].item or links[0].node
        others = every.get(key, links)
        title, lede = _best_title(links)
        if _headline_length(title) < MIN_HEADLINE:  # a thumbnail: the headline is in another link
            title, lede = max((title, lede), _best_title(others), key=lambda found: _headline_length(found[0]))
        title = clean_display_text(_completed(title, others), limit=MAX_TITLE_CHARS)
        if not title:
            continue
        url = _shared_url([link.url for link in others])
        snippet = clean_display_text(lede or _item_snippet(item, links, title)) or None
        around = _around(item, key, link_keys)
        published = next((d for d in (_item_date(n, title, now) for n in around) if d is not None), None)
        outlet = None
        if urlsplit(url).hostname != page_host:
            outlet = next((o for o in (_item_outlet(n) for n in _around(item, key, link_keys)) if o), None)
        outlet = clean_display_text(outlet, limit=MAX_TITLE_CHARS) or None
        items.append((key, ListingItem(title, url, published, snippet, outlet)))
    return items


def _best_title(links: Sequence[_Link]) -> tuple[str, str | None]:
    """Prefer a link that is (or sits in) a heading, then the first headline-length link text, then any
    link text, then an image alt or title attribute."""
    rules = _rules()

    def in_heading(link: _Link) -> bool:
        parent = link.node.parent
        return rules.is_heading(link.node) or (parent is not None and rules.is_heading(parent))

    ranked = (
        [link for link in links if link.text and in_heading(link) and _headline_length(link.text) >= 4],
        [link for link in links if _headline_length(link.text) >= MIN_HEADLINE],
        [link for link in links if link.text],
        [link for link in links if link.alt or link.title_attr],
    )
    for tier in ranked:
        if tier:
            return _title_in_link(tier[0])
    return "", None


def _completed(title: str, links: Sequence[_Link]) -> str:
    """A title the site cut ('… 착공…') made whole from a fuller text, title attribute or alt of a link
    to the same article that starts with it."""
    stem = _cut_stem(title)
    if stem is None:
        return title
    best, length = title, len(stem)
    for link in links[:50]:
        for text in (link.title_attr, link.text, link.alt):
            candidate = _split_date(text) if text else ""
            if len(candidate) > length and candidate.startswith(stem) and _cut_stem(candidate) is None:
                best, length = candidate, len(candidate)
    return best


# ---------------------------------------------------------------------------------------------- modes


def _by_selectors(
    tree: LexborHTMLParser, base_url: str, selectors: SelectorsLike, now: datetime | None
) -> list[ListingItem]:
    items: dict[str, ListingItem] = {}
    for node in tree.css(selectors.item):
        if len(items) >= MAX_ITEMS:
            break
        link = node.css_first(selectors.link) if selectors.link else None
        if link is None:
            link = node if node.tag == "a" else node.css_first("a[href], [onclick]")
        if link is None:
            continue
        target = _link_target(link)
        if not target or len(target) > MAX_URL:
            continue
        url = _absolute(target, base_url)
        title_node = node.css_first(selectors.title) if selectors.title else None
        if title_node is not None:
            title = _visible_text(title_node)
        else:
            text = _visible_text(link)
            title, _ = _title_in_link(_Link(link, 0, url, url, text, "", ""))
        title = clean_display_text(title, limit=MAX_TITLE_CHARS)
        if not title or url in items:
            continue
        date_node = node.css_first(selectors.date) if selectors.date else None
        published = None
        if date_node is not None:
            published = parse_date(_clean(_attr(date_node, "datetime") or date_node.text()), now=now)
        snippet_node = node.css_first(selectors.snippet) if selectors.snippet else None
        snippet = clean_display_text(_clean(snippet_node.text())) if snippet_node is not None else None
        items[url] = _with_link(
            ListingItem(title=title, url=url, published_at=published, snippet=snippet or None),
            clean_link(target, base_url),
        )
    return list(items.values())


def parse_listing(
    html: str, base_url: str, selectors: SelectorsLike | None = None, *, now: datetime | None = None
) -> list[ListingItem]:
    """The articles a listing page links to, in page order, without menus, paging, footers, ads and
    notices (module docstring: what a home page and a list page keep).

    `selectors` is a `bot.config.Selectors` (item, title, link, date, snippet) or None for automatic
    recognition. `now` anchors relative dates ('3시간 전'); the current time when None. Raises
    ValueError when a configured selector is not valid CSS.
    """
    tree = LexborHTMLParser(_depth_capped(html))
    for junk in tree.css("script, style, noscript, template"):
        junk.decompose()
    if selectors is not None:
        try:
            return _by_selectors(tree, base_url, selectors, now)
        except SelectolaxError as exc:
            raise ValueError(f"invalid CSS selector in {selectors!r}: {exc}") from exc
    links = _same_article_under_prefixes(_collect_links(tree, base_url))
    every: dict[str, list[_Link]] = {}
    for link in links:
        every.setdefault(link.key, []).append(link)
    strong = {key for key, found in every.items() if any(_headline_length(k.label) >= MIN_HEADLINE for k in found)}
    links = [link for link in links if link.key in strong]
    link_keys = {link.node.mem_id: link.key for link in links}
    page_host = urlsplit(canonical_url(base_url)).hostname
    address = declared_url(tree, base_url) or base_url  # a section page may be fetched by its site's root URL
    groups = _choose_groups(tree, _group_links(links), address)
    items = _extract(groups, every, link_keys, page_host, now)
    written: dict[str, str] = {}  # the first link to each listed article, as the page wrote it
    for key, _item in items:
        first = every[key][0]
        target = first.url if first.wrapped else (_link_target(first.node) or first.url)
        written[key] = clean_link(target, base_url)
    return [_with_link(item, written.get(key)) for key, item in items]


def _depth_capped(html: str) -> str:
    """`html` as `scrapers.markup.limit_nesting` caps it (building a tree costs time per level of nesting
    for every block), with every link kept wherever it sits, as a browser shows it. A page of at most
    `MAX_UNCAPPED_TAGS` tags is left as it is: however it nests, its tree costs at most tens of
    milliseconds, less than the depth pass over every real page would (~2 ms per page of 3,000-4,000
    tags)."""
    if html.count("<") <= MAX_UNCAPPED_TAGS:
        return html
    return limit_nesting(html, keep=_LINKS)


_LINKS = frozenset({"a"})


def _with_link(item: ListingItem, link: str | None) -> ListingItem:
    """Keep the link as the page wrote it when the canonical URL differs from it (scrapers.models)."""
    return replace(item, link=link) if link and link != item.url else item
