"""Article links on a listing page: by configured CSS selectors, or recognised automatically.

Automatic recognition, in four steps:

1. Candidates: links whose URL looks like one article (an id parameter such as `idxno`, `aid`, `nttId`,
   `seq`; an `/article/123` or dated path; a view page), a `javascript:`/onclick link that quotes such a
   URL, and whose text (or image alt) could be a headline. 'More', paging and share links are not.
2. Items and groups: a link's *item* is its highest ancestor that links to no other candidate (a `<li>`,
   a `<tr>`, a card); the item's parent is the *group*. A list of articles is a group of items.
3. Groups in site furniture (menus, 'most read' boxes, footers, paging; by tag, class/id words and box
   headings) or with menu-length texts are dropped, and so are plain lists hanging off a headed item
   (a portal's 'related articles' cluster). On a page with paging (a list page) only the groups in the
   region shared by the largest group and the paging are kept: side columns go. On a page without
   paging (a home or section page) every remaining group is kept.
4. Per article (deduplicated by URL, in page order): the title (a heading in or around the link, else
   the first headline-length link text, else an image's alt; a title attribute completes a cut title),
   the date (`<time datetime>`, else a short date-bearing element of the item or of a meta row next to
   it) and the lede.

The patterns and words are data (`listing_rules.toml`), kept apart from this logic."""

from __future__ import annotations

import re
import statistics
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from scrapers.dates import parse_date
from scrapers.models import ListingItem
from scrapers.urls import canonical_url, clean_link

_RULES_PATH = Path(__file__).with_name("listing_rules.toml")

MIN_HEADLINE = 8  # characters: shorter link texts are menu entries, names, 'more' links
MAX_HEADLINE = 300
MIN_GROUP_MEDIAN = 10  # a group whose typical link text is shorter is a menu or a list of names
MAX_DATE_TEXT = 40

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # seen in real pages' ledes
_DATE_LIKE = re.compile(
    r"(?:(?:19|20)\d\d\s*[.\-/년]\s*\d{1,2}\s*[.\-/월]\s*\d{1,2}\s*일?\.?"
    r"|\b\d{1,2}[.\-/]\d{1,2}\b(?:\s+\d{1,2}:\d\d)?"
    r"|\b\d{1,2}:\d\d(?::\d\d)?\b"
    r"|\d+\s*(?:초|분|시간|일|주|개월|달)\s*전|어제|오늘|그제)"
)
_TIME_ONLY = re.compile(r"^\D{0,12}\d{1,2}:\d\d(?::\d\d)?\s*$")
MAX_DATE_LABEL = 25  # characters around a date in its element: '작성일', a reporter's name, '|'

_EDGE_DATE = re.compile(
    r"^\s*(?:(?:19|20)\d\d[.\-/]\d{1,2}[.\-/]\d{1,2}\.?)(?:\s*\d{1,2}:\d\d)?\s*"
    r"|\s*(?:(?:19|20)\d\d[.\-/]\d{1,2}[.\-/]\d{1,2}\.?)(?:\s*\d{1,2}:\d\d)?\s*$"
)
_ELLIPSIS = re.compile(r"\s*(?:\.{2,}|…)\s*$")
_JS_URL = re.compile(r"""['"]((?:https?://|/|\./|\.\./)[^'"\s]+|[\w\-]+\.(?:do|html?|php|jsp|asp)\?[^'"\s]*)['"]""")
_CLASS_WORDS = re.compile(r"[\s_\-]+")
_WORD_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])")


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
    article_path: re.Pattern[str]
    view_page: re.Pattern[str]
    not_article: re.Pattern[str]
    slug_dirs: frozenset[str]
    paging_params: frozenset[str]
    more_link_text: re.Pattern[str]
    furniture_tags: frozenset[str]
    furniture_words: frozenset[str]
    furniture_headings: tuple[str, ...]
    max_heading_length: int
    paging: re.Pattern[str]
    paging_prefilter: str  # CSS: the elements whose class or id could match `paging`
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
        classes = node.attributes.get("class") or ""
        known = self._heading_class.get(classes)
        if known is None:
            # Whole words of the class, so that generated class names ('xTitQ3') do not count.
            words = [w.lower() for w in _CLASS_WORDS.split(classes) if w]
            known = any(w.startswith(h) for w in words for h in self.heading_classes)
            self._heading_class[classes] = known
        return known

    def is_hidden(self, node: LexborNode) -> bool:
        classes = node.attributes.get("class") or ""
        known = self._hidden_class.get(classes)
        if known is None:
            known = not self.hidden_classes.isdisjoint(classes.split())
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
        article_path=_alternation(url["article_path"]),
        view_page=_alternation(url["view_page"]),
        not_article=_alternation(url["not_article"]),
        slug_dirs=frozenset(url["slug_dirs"]),
        paging_params=frozenset(url["paging_params"]),
        more_link_text=_alternation(url["more_link_text"]),
        furniture_tags=frozenset(boxes["furniture_tags"]),
        furniture_words=frozenset(w.lower() for w in boxes["furniture_words"]),
        furniture_headings=tuple(boxes["furniture_headings"]),
        max_heading_length=int(boxes["max_heading_length"]),
        paging=_alternation(boxes["paging"]),
        paging_prefilter=", ".join(f"[class*={h} i], [id*={h} i]" for h in boxes["paging_hints"]),
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
    return " ".join(_CONTROL.sub("", text or "").split())


def _absolute(href: str, base_url: str) -> str:
    """Absolute canonical URL of a link."""
    return canonical_url(href, base_url)


def _inner(node: LexborNode, selector: str) -> list[LexborNode]:
    """Descendants matching a selector (lexbor's `css` also returns the node itself)."""
    return [found for found in node.css(selector) if found.mem_id != node.mem_id]


def _descendants(node: LexborNode) -> Iterator[LexborNode]:
    """The elements inside a node, in page order (cheaper than a CSS query for a few tag names)."""
    inside = node.traverse()
    next(inside)  # the node itself
    return (found for found in inside if found.is_element_node)  # traverse() also yields comments


def _matching(nodes: Iterable[LexborNode], tags: frozenset[str], classes: tuple[str, ...]) -> Iterator[LexborNode]:
    """The nodes that have one of the tags or a class attribute containing one of the words, as the CSS
    `tag, [class*=word]` would find them (case-sensitive), without compiling a selector per call."""
    in_class = _substrings(classes).search
    for node in nodes:
        if node.tag in tags:
            yield node
        else:
            found = node.attributes.get("class")
            if found and in_class(found):
                yield node


@cache
def _substrings(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(word) for word in words))


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


def _words(node: LexborNode) -> set[str]:
    """Lower-cased words of a node's class and id ('side-bg' -> side, bg; 'auto-hotB' -> auto, hot, b)."""
    attrs = node.attributes
    raw = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
    return {w.lower() for w in _WORD_SPLIT.split(raw) if w}


def _link_target(node: LexborNode) -> str | None:
    """The URL a link leads to: its href, or a URL quoted in a javascript: href or onclick."""
    href = (node.attributes.get("href") or "").strip()
    low = href.lower()
    if href and not low.startswith(("javascript:", "#", "mailto:", "tel:", "data:")):
        return href
    script = f"{href} {node.attributes.get('onclick') or ''}"
    match = _JS_URL.search(script)
    return match.group(1) if match else None


@lru_cache(maxsize=8192)
def url_score(url: str) -> int:
    """How much a URL looks like one article's page: >= 2 is an article, <= 0 is not (remembered per URL)."""
    rules = _rules()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return -1
    target = f"{parts.path}?{parts.query}" if parts.query else parts.path
    query = [(key.lower(), value) for key, value in parse_qsl(parts.query, keep_blank_values=True)]
    has_id = any(key in rules.id_params and re.fullmatch(r"[A-Za-z]{0,4}\d{2,}", value) for key, value in query)
    score = 2 if has_id else 0
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


# ---------------------------------------------------------------------------------------------- links


@dataclass
class _Link:
    node: LexborNode
    order: int
    url: str
    text: str  # the link's own visible text (screen-reader-only text removed)
    alt: str  # alt of an image inside, when the link has no text
    headed: bool | None = field(default=None, repr=False)  # see _headed


@dataclass
class _Group:
    container: LexborNode
    links: list[_Link] = field(default_factory=list)
    heading_share: float | None = field(default=None, repr=False)  # see _heading_share, once links are in

    @property
    def urls(self) -> list[str]:
        return list(dict.fromkeys(link.url for link in self.links))


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


def _visible_text(node: LexborNode) -> str:
    """Text as a reader sees it: block elements apart, inline ones joined, screen-reader text dropped."""
    rules = _rules()
    inside = node.traverse()
    next(inside)  # the node itself
    special = [n for n in inside if n.tag in _BLOCK_TAGS or rules.is_hidden(n)]
    if not special:
        return _clean(node.text())  # all inline and visible: its text as it stands
    # Only elements holding a block or hidden element need a walk child by child; the text of the others
    # is read as it stands.
    mixed = {node.mem_id}
    for found in special:
        up = found.parent
        while up is not None and up.mem_id not in mixed:
            mixed.add(up.mem_id)
            up = up.parent
    parts: list[str] = []

    def walk(current: LexborNode) -> None:
        for child in current.iter(include_text=True):
            if child.is_text_node:
                parts.append(child.text(deep=False) or "")
            elif child.is_element_node:
                if rules.is_hidden(child):
                    continue
                block = child.tag in _BLOCK_TAGS
                if block:
                    parts.append(" ")
                if child.mem_id in mixed:
                    walk(child)
                else:
                    parts.append(child.text())
                if block:
                    parts.append(" ")

    walk(node)
    return _clean("".join(parts))


def _collect_links(tree: LexborHTMLParser, base_url: str) -> list[_Link]:
    rules = _rules()
    links: list[_Link] = []
    for order, node in enumerate(tree.css("a, [onclick]")):
        if node.tag != "a" and node.css_first("a") is not None:  # an onclick box around real links
            continue
        target = _link_target(node)
        if not target:
            continue
        url = _absolute(target, base_url)
        if url_score(url) < 2:
            continue
        text = _visible_text(node)
        if text and rules.more_link_text.search(text):
            continue
        alt = ""
        if not text:
            img = node.css_first("img[alt]")
            alt = _clean(img.attributes.get("alt")) if img is not None else ""
        links.append(_Link(node, order, url, text, alt))
    return links


@lru_cache(maxsize=2048)
def _headline_length(text: str) -> int:
    """Length without a date glued to either end (remembered: each link text is measured several times)."""
    return len(_EDGE_DATE.sub("", text))


# ---------------------------------------------------------------------------------------------- groups


def _ancestors(node: LexborNode) -> list[LexborNode]:
    out = []
    parent = node.parent
    while parent is not None and parent.tag not in _TOP_TAGS:
        out.append(parent)
        parent = parent.parent
    return out


_TOP_TAGS = ("html", "-document", None)  # where a walk up the page stops (see _ancestors)
_MANY = "\x00many"  # more than one URL under an element (no URL holds a NUL)


def _group_links(links: list[_Link]) -> list[_Group]:
    """Group links by the parent of their item (the highest ancestor that holds only their URL)."""
    # Per element: the one URL linked under it, or _MANY. A walk up from a link stops where nothing
    # can change any more (the element already holds this URL, or many): deep pages stay cheap.
    under: dict[int, str] = {}
    for link in links:
        node: LexborNode | None = link.node
        while node is not None and node.tag not in _TOP_TAGS:
            seen = under.get(node.mem_id)
            if seen == link.url or seen is _MANY:
                break
            under[node.mem_id] = link.url if seen is None else _MANY
            node = node.parent
    groups: dict[int, _Group] = {}
    for link in links:
        container: LexborNode | None = link.node.parent
        while container is not None and container.tag not in _TOP_TAGS and under[container.mem_id] is not _MANY:
            container = container.parent
        if container is None or container.tag in _TOP_TAGS:
            # The only article on the page: its row or list entry is the item of a list of one.
            chain = [link.node, *_ancestors(link.node)]
            row = next((n for n in chain[1:] if n.tag in ("tr", "li", "article", "dl")), chain[0])
            container = row.parent
        if container is None:
            continue
        groups.setdefault(container.mem_id, _Group(container)).links.append(link)
    return sorted(groups.values(), key=lambda g: g.links[0].order)


def _item_of(link: _Link, container: LexborNode) -> LexborNode:
    node = link.node
    while node.parent is not None and node.parent.mem_id != container.mem_id:
        node = node.parent
    return node


def _box_heading(node: LexborNode, heading_selector: str) -> str:
    """Text of the short heading that labels a box: a heading-like element among the few elements just
    before the node."""
    sibling = node.prev
    steps = 0
    while sibling is not None and steps < 4:
        if sibling.is_element_node:
            steps += 1
            if _rules().is_heading(sibling) or sibling.css_first(heading_selector) is not None:
                text = _clean(sibling.text())
                if len(text) <= _rules().max_heading_length:
                    return text
        sibling = sibling.prev
    return ""


def _is_furniture(group: _Group, memo: dict[tuple[int, bool], bool]) -> bool:
    """Whether the group sits in site furniture: by tag or class/id words of it or an ancestor, or by the
    heading of one of its four nearest boxes. `memo` keeps verdicts per node for the page's other groups."""
    rules = _rules()
    node: LexborNode | None = group.container
    depth = 0
    while node is not None and node.tag not in ("html", "body", "-document"):
        key = (node.mem_id, False)
        if key not in memo:
            memo[key] = node.tag in rules.furniture_tags or bool(_words(node) & rules.furniture_words)
        if memo[key]:
            return True
        if depth < 4:
            key = (node.mem_id, True)
            if key not in memo:
                heading = _box_heading(node, "h2, h3, h4, h5, strong, dt, header, [class*=tit]")
                memo[key] = any(word in heading for word in rules.furniture_headings)
            if memo[key]:
                return True
        node = node.parent
        depth += 1
    return False


def _group_median(group: _Group) -> float:
    lengths = []
    for url in group.urls:
        best = max(_headline_length(link.text or link.alt) for link in group.links if link.url == url)
        lengths.append(best)
    return statistics.median(lengths)


_PAGE_NUMBER = re.compile(r"\d{1,3}")
_PAGING_HOLDERS = frozenset({"div", "p", "ul", "span", "td", "nav"})


def _paging_nodes(tree: LexborHTMLParser) -> list[LexborNode]:
    rules = _rules()
    found = []
    for node in tree.css(rules.paging_prefilter):
        raw = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"
        if rules.paging.search(raw) and node.css_first("a"):
            found.append(node)
    if found:
        return found
    # No paging class: a run of links labelled 1, 2, 3 ... is paging too. Only the ancestors of such
    # links can be paging; visiting each link's chain top-down, in page order, lists them in page order.
    numbers: dict[int, int] = {}
    holders: dict[int, LexborNode] = {}
    for a in tree.css("a"):
        if not _PAGE_NUMBER.fullmatch(_clean(a.text())):
            continue
        for node in reversed(_ancestors(a)):
            if node.tag in _PAGING_HOLDERS:
                holders.setdefault(node.mem_id, node)
                numbers[node.mem_id] = numbers.get(node.mem_id, 0) + 1
    for key, node in holders.items():
        if numbers[key] >= 3 and len(node.css("a")) <= numbers[key] + 8:
            found.append(node)
    return found


def _contains(outer: LexborNode, inner: LexborNode) -> bool:
    node: LexborNode | None = inner
    while node is not None:
        if node.mem_id == outer.mem_id:
            return True
        node = node.parent
    return False


def _common_ancestor(a: LexborNode, b: LexborNode) -> LexborNode | None:
    seen = {n.mem_id for n in [a, *_ancestors(a)]}
    for node in [b, *_ancestors(b)]:
        if node.mem_id in seen:
            return node
    return None


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


def _heading_share(group: _Group) -> float:
    """Share of the group's articles whose link is, sits in or holds a heading (h3, strong, .tit)."""
    if group.heading_share is not None:
        return group.heading_share
    urls = group.urls
    group.heading_share = sum(any(_headed(k) for k in group.links if k.url == url) for url in urls) / len(urls)
    return group.heading_share


def _without_trailing_plain(group: _Group) -> _Group:
    """In a list whose articles mostly have headings, plain links after a headed one are related
    articles hanging off it (one-item 'related' clusters); drop them."""
    urls = group.urls
    headed = {url for url in urls if any(_headed(k) for k in group.links if k.url == url)}
    if len(headed) == len(urls) or len(headed) * 2 < len(urls):
        return group
    first_headed = min(k.order for k in group.links if k.url in headed)
    keep = [k for k in group.links if k.url in headed or k.order < first_headed]
    return _Group(group.container, keep)


def _subordinate(group: _Group, others: Sequence[_Group]) -> bool:
    """A plain list nested after a headed item of another list: 'related articles' under one story."""
    if _heading_share(group) >= 0.5:
        return False
    return any(
        other is not group
        and other.links[0].order < group.links[0].order
        and _heading_share(other) >= 0.5
        and _contains(other.container, group.container)
        for other in others
    )


def _choose_groups(tree: LexborHTMLParser, groups: list[_Group]) -> list[_Group]:
    furniture: dict[tuple[int, bool], bool] = {}
    content = [g for g in groups if not _is_furniture(g, furniture) and _group_median(g) >= MIN_GROUP_MEDIAN]
    content = [_without_trailing_plain(g) for g in content if not _subordinate(g, content)]
    if not content:
        return []
    largest = max(content, key=lambda g: (len(g.urls), -g.links[0].order))
    paging = [p for p in _paging_nodes(tree) if not _contains(p, largest.container)]
    if not paging:
        return content
    # A list page: keep the groups in the region that holds both the main list and its paging.
    regions = [_common_ancestor(largest.container, p) for p in paging]
    tight = [r for r in regions if r is not None and r.tag not in ("html", "body")]
    if not tight:
        return content
    region = max(tight, key=lambda r: len(_ancestors(r)))
    return [g for g in content if _contains(region, g.container)]


# ---------------------------------------------------------------------------------------------- items


def _split_date(text: str) -> str:
    """A headline without a date glued to its start or end ('2025-12-10완도군, ...')."""
    stripped = _EDGE_DATE.sub("", text).strip()
    return stripped or text


def _title_in_link(link: _Link) -> tuple[str, str | None]:
    """The headline inside a link, and what else the link says (a lede), if anything."""
    text = link.text
    if not text:
        return _split_date(link.alt), None
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
    full = _clean(link.node.attributes.get("title"))
    if _ELLIPSIS.search(title) and full.startswith(_ELLIPSIS.sub("", title)):
        title = full
    return title, lede


def _first_headline_leaf(node: LexborNode, text: str) -> str:
    """In a link made of several blocks (thumbnail, play time, title, lede), the first headline-length
    block that is not a date; a single block is looked into."""
    rules = _rules()
    blocks: list[tuple[LexborNode, str]] = []
    for child in node.iter(include_text=True):
        if child.is_text_node:
            piece = _clean(child.text(deep=False))
        elif child.is_element_node and not rules.is_hidden(child):
            piece = _visible_text(child)
        else:
            continue
        if piece:
            blocks.append((child, piece))
    if len(blocks) == 1 and blocks[0][0].is_element_node:
        return _first_headline_leaf(blocks[0][0], blocks[0][1])
    if len(blocks) <= 1:
        return text
    for child, piece in blocks:
        if child.is_element_node and _has_inner(child, _MEDIA_TAGS):
            continue  # a thumbnail with its badges ('동영상 03:20')
        if len(_DATE_LIKE.sub("", piece).strip()) >= MIN_HEADLINE:
            if child.is_element_node and next(_descendants(child), None) is not None:
                return _first_headline_leaf(child, piece)
            return piece
    return text


def _item_date(item: LexborNode, title: str, now: datetime | None) -> datetime | None:
    """A machine-readable `<time datetime>`, else the first element of the item that holds a date and
    little else."""
    rules = _rules()
    elements = [node for node in item.traverse() if node.is_element_node]  # the item itself included
    for node in elements:
        if node.tag == "time" and "datetime" in node.attributes:
            found = parse_date(node.attributes.get("datetime"), now=now)
            if found is not None:
                return found
    for node in _matching(elements, rules.date_tags, rules.date_classes):
        text = _clean(node.text())
        if not text or len(text) > MAX_DATE_TEXT or text in title:
            continue
        match = _DATE_LIKE.search(text)
        if match is None or len(text) - len(match.group(0)) > MAX_DATE_LABEL:
            continue
        if node.tag != "time" and _has_inner(node, _CONTAINER_TAGS):
            continue  # only leaves: a container's text mixes the date with the title
        if _TIME_ONLY.match(text) and _in_link(node, item):
            continue  # a video's running time on a thumbnail
        found = parse_date(text, now=now)
        if found is not None:
            return found
    return None


def _item_outlet(item: LexborNode) -> str | None:
    """The outlet an aggregator names next to an article ('연합뉴스'), if any."""
    rules = _rules()
    for node in item.css("[class]"):
        if rules.outlet_classes.search(node.attributes.get("class") or ""):
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
        text = _clean(node.text())
        if len(text) >= 20 and title not in text and not _DATE_LIKE.fullmatch(text):
            return text
    return None


def _around(item: LexborNode, url: str, link_urls: dict[int, str]) -> Iterator[LexborNode]:
    """The item, then the elements just before and after it that link to no other article: card layouts
    put the outlet and time in a row of their own next to the title. Lazy: most items hold their date."""
    yield item
    for step in (-1, 1):
        node = _sibling_element(item, step)
        if node is not None and not any(link_urls.get(a.mem_id, url) != url for a in node.css("a")):
            yield node


def _extract(
    groups: list[_Group], link_urls: dict[int, str], page_host: str | None, now: datetime | None
) -> list[ListingItem]:
    """One item per URL, in page order: the first group that lists it decides its title and date.

    `link_urls` maps every article link on the page (by node) to its URL."""
    placed: dict[str, tuple[int, _Group]] = {}
    for group in groups:
        for link in group.links:
            if link.url not in placed or link.order < placed[link.url][0]:
                placed[link.url] = (link.order, group)
    by_url: dict[tuple[int, str], list[_Link]] = {}
    for group in groups:
        for link in group.links:
            by_url.setdefault((id(group), link.url), []).append(link)
    items = []
    for url, (_order, group) in sorted(placed.items(), key=lambda kv: kv[1][0]):
        links = by_url[id(group), url]
        item = _item_of(links[0], group.container)
        title, lede = _best_title(links)
        if not title:
            continue
        snippet = lede or _item_snippet(item, links, title)
        around = _around(item, url, link_urls)
        published = next((d for d in (_item_date(n, title, now) for n in around) if d is not None), None)
        outlet = None
        if urlsplit(url).hostname != page_host:
            outlet = next((o for o in (_item_outlet(n) for n in _around(item, url, link_urls)) if o), None)
        items.append(ListingItem(title, url, published, snippet, outlet))
    return items


def _best_title(links: Sequence[_Link]) -> tuple[str, str | None]:
    """Prefer a link that is (or sits in) a heading, then the first headline-length link text, then any
    link text, then an image alt."""
    rules = _rules()

    def in_heading(link: _Link) -> bool:
        parent = link.node.parent
        return rules.is_heading(link.node) or (parent is not None and rules.is_heading(parent))

    ranked = (
        [link for link in links if link.text and in_heading(link) and _headline_length(link.text) >= 4],
        [link for link in links if _headline_length(link.text) >= MIN_HEADLINE],
        [link for link in links if link.text],
        [link for link in links if link.alt],
    )
    for tier in ranked:
        if tier:
            return _title_in_link(tier[0])
    return "", None


# ---------------------------------------------------------------------------------------------- modes


def _by_selectors(
    tree: LexborHTMLParser, base_url: str, selectors: SelectorsLike, now: datetime | None
) -> list[ListingItem]:
    items: dict[str, ListingItem] = {}
    for node in tree.css(selectors.item):
        link = node.css_first(selectors.link) if selectors.link else None
        if link is None:
            link = node if node.tag == "a" else node.css_first("a[href], [onclick]")
        if link is None:
            continue
        target = _link_target(link)
        if not target:
            continue
        url = _absolute(target, base_url)
        title_node = node.css_first(selectors.title) if selectors.title else None
        if title_node is not None:
            title = _visible_text(title_node)
        else:
            text = _visible_text(link)
            title, _ = _title_in_link(_Link(link, 0, url, text, ""))
        if not title or url in items:
            continue
        date_node = node.css_first(selectors.date) if selectors.date else None
        published = None
        if date_node is not None:
            published = parse_date(_clean(date_node.attributes.get("datetime") or date_node.text()), now=now)
        snippet_node = node.css_first(selectors.snippet) if selectors.snippet else None
        snippet = _clean(snippet_node.text()) if snippet_node is not None else None
        items[url] = _with_link(
            ListingItem(title=title, url=url, published_at=published, snippet=snippet or None),
            clean_link(target, base_url),
        )
    return list(items.values())


def parse_listing(
    html: str, base_url: str, selectors: SelectorsLike | None = None, *, now: datetime | None = None
) -> list[ListingItem]:
    """The articles on a list page, in page order, without menus, 'most read' boxes, paging or footers.

    `selectors` is a `bot.config.Selectors` (item, title, link, date, snippet) or None for automatic
    recognition. `now` anchors relative dates ('3시간 전'); the current time when None. Raises
    ValueError when a configured selector is not valid CSS.
    """
    tree = LexborHTMLParser(html)
    for junk in tree.css("script, style, noscript, template"):
        junk.decompose()
    if selectors is not None:
        try:
            return _by_selectors(tree, base_url, selectors, now)
        except SelectolaxError as exc:
            raise ValueError(f"invalid CSS selector in {selectors!r}: {exc}") from exc
    links = [link for link in _collect_links(tree, base_url) if _headline_length(link.text or link.alt) <= MAX_HEADLINE]
    strong = {link.url for link in links if _headline_length(link.text or link.alt) >= MIN_HEADLINE}
    links = [link for link in links if link.url in strong]
    link_urls = {link.node.mem_id: link.url for link in links}
    page_host = urlsplit(canonical_url(base_url)).hostname
    items = _extract(_choose_groups(tree, _group_links(links)), link_urls, page_host, now)
    wanted = {item.url for item in items}
    written: dict[str, str] = {}  # the first link to each listed article, as the page wrote it
    for link in links:
        if link.url in wanted and link.url not in written:
            written[link.url] = clean_link(_link_target(link.node) or link.url, base_url)
    return [_with_link(item, written.get(item.url)) for item in items]


def _with_link(item: ListingItem, link: str | None) -> ListingItem:
    """Keep the link as the page wrote it when the canonical URL differs from it (scrapers.models)."""
    return replace(item, link=link) if link and link != item.url else item
