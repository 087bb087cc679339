"""RSS (0.9x, 1.0, 2.0) and Atom feeds, whatever their encoding.

The bytes are decoded first (`scrapers.decode`: EUC-KR read as CP949, which expat cannot do), the XML
declaration dropped, and the text parsed with `xml.etree`. Real feeds are often not well-formed XML:
bare `&`, HTML entities (`&nbsp;`), control characters. Those are repaired outside CDATA sections and
the parse retried; if the document is still broken (a truncated download, one bad item), each
`<item>`/`<entry>` is parsed on its own and the readable ones are kept.

A document with a DOCTYPE that declares entities is refused (no entity expansion, so no "billion
laughs"); expat never fetches external DTDs.

Bounded work whatever the bytes: the prolog and the item blocks of a broken document are found by
forward-only scanners (no regular expression that can backtrack over untrusted text), at most
`MAX_ITEMS` items are read, and each field's text is cut at `MAX_FIELD_CHARS` before it is parsed as
HTML. Titles, outlets and snippets go through `scrapers.text.clean_display_text`.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator

from selectolax.lexbor import LexborHTMLParser

from scrapers.dates import parse_date
from scrapers.decode import decode
from scrapers.markup import limit_nesting
from scrapers.models import ListingItem
from scrapers.text import MAX_TITLE_CHARS, clean_display_text
from scrapers.urls import aggregator_target, canonical_url, clean_link

SNIPPET_CHARS = 300
# Items read from one feed, in feed order (feeds list the newest first; real ones carry 10-500).
MAX_ITEMS = 1000
# Characters of one field (title, description) read; a snippet is cut to SNIPPET_CHARS anyway.
MAX_FIELD_CHARS = 20_000
# The prolog (declaration, comments, DOCTYPE) is looked for in the first this many characters.
PROLOG_CHARS = 65536
# Feeds whose descriptions are only a list of links to the same and related stories (no text).
LINK_LIST_DESCRIPTION_HOSTS = ("news.google.com",)
# Feeds whose titles end with " - <outlet>" (the outlet also in <source>).
OUTLET_SUFFIX_HOSTS = ("news.google.com",)

DATE_FIELDS = ("pubDate", "date", "published", "issued", "updated", "modified", "created")
SNIPPET_FIELDS = ("description", "summary", "encoded", "content")

_NAME = re.compile(r"[A-Za-z_][\w:.\-]*")
_DOCTYPE_STOP = re.compile(r"[\[>]")
_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*\?>")
_ENTITY_DECLARATION = re.compile(r"<!ENTITY", re.IGNORECASE)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BARE_AMP = re.compile(r"&(?!(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);)")
_NAMED_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
# An item's start or end tag (`<item>`, `</entry >`, `<atom:entry …>`); not `<items>`.
_ITEM_TAG = re.compile(r"<(?P<end>/?)(?P<tag>(?:[A-Za-z_][\w.\-]*:)?(?:item|entry))(?=[\s/>])")
_XMLNS = re.compile(r"""\sxmlns(?::\w+)?\s*=\s*(?:"[^"]*"|'[^']*')""")
_TAG = re.compile(r"</?[A-Za-z!][^<>]*>")  # `<타워>` in a Korean title is text, not a tag
_SPACES = re.compile(r"\s+")
_BLOCK_END = re.compile(r"<br\s*/?>|</(?:p|div|li|tr|td|th|h[1-6]|blockquote|table|ul|ol|dd|dt)\s*>", re.I)


class FeedError(ValueError):
    """The bytes are not an RSS or Atom feed; the message says why in plain words."""


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _root(text: str) -> tuple[str, int] | None:
    """The first element's name and offset, after the XML declaration, processing instructions,
    comments and DOCTYPE (with its internal subset), looked for in the first `PROLOG_CHARS`.

    A forward-only scanner: every step moves past what it read, so the work is linear.
    """
    end = min(len(text), PROLOG_CHARS)
    i = 0
    while True:
        while i < end and text[i].isspace():
            i += 1
        if i >= end or text[i] != "<":
            return None
        if text.startswith("<?", i):
            close = text.find("?>", i + 2, end)
            i = close + 2
        elif text.startswith("<!--", i):
            close = text.find("-->", i + 4, end)
            i = close + 3
        elif text[i + 2 : i + 9].upper() == "DOCTYPE" and text.startswith("<!", i):
            close = _doctype_end(text, i + 9, end)
            i = close + 1
        else:
            m = _NAME.match(text, i + 1, end)
            return (m.group(0), i + 1) if m else None
        if close < 0:
            return None


def _doctype_end(text: str, start: int, end: int) -> int:
    """The offset of the `>` that closes a DOCTYPE, skipping `[…]` internal subsets; -1 if none."""
    pos = start
    while True:
        stop = _DOCTYPE_STOP.search(text, pos, end)
        if stop is None:
            return -1
        if stop.group(0) == ">":
            return stop.start()
        close = text.find("]", stop.end(), end)
        if close < 0:
            return -1
        pos = close + 1


def _root_name(text: str) -> str | None:
    root = _root(text)
    return root[0] if root else None


def _is_feed_root(name: str) -> bool:
    return name.rsplit(":", 1)[-1] in ("rss", "feed", "RDF")


def looks_like_feed(body: bytes) -> bool:
    """True when the document's first element is `<rss>`, `<feed>` or `<rdf:RDF>` (any encoding)."""
    name = _root_name(decode(body[:65536]))
    return name is not None and _is_feed_root(name)


def _repair(text: str) -> str:
    """Escape bare `&` and turn HTML entities into characters, outside CDATA sections."""

    def fix(chunk: str) -> str:
        chunk = _BARE_AMP.sub("&amp;", chunk)
        return _NAMED_ENTITY.sub(
            lambda m: m.group(0) if m[1] in _XML_ENTITIES else _xml_escape(html.unescape(m.group(0))), chunk
        )

    return "".join(part if cdata else fix(part) for part, cdata in _cdata_split(text))


def _cdata_split(text: str) -> Iterator[tuple[str, bool]]:
    """The text in pieces, each flagged whether it is a CDATA section (an unclosed one runs to the end)."""
    pos = 0
    while True:
        start = text.find("<![CDATA[", pos)
        if start < 0:
            yield text[pos:], False
            return
        yield text[pos:start], False
        close = text.find("]]>", start + 9)
        if close < 0:
            yield text[start:], True
            return
        yield text[start : close + 3], True
        pos = close + 3


def _xml_escape(text: str) -> str:
    if text.startswith("&") and text.endswith(";"):  # an unknown entity: keep it visible, as text
        return "&amp;" + text[1:]
    return text.replace("&", "&amp;").replace("<", "&lt;")


def _item_blocks(text: str) -> Iterator[str]:
    """The `<item>`/`<entry>` blocks of a broken document, in order, at most `MAX_ITEMS`.

    One pass over the start and end tags. An item that is never closed ends where the next one
    starts (its end tag is supplied); one still open at the end of the document is dropped (a
    truncated download).
    """
    count = 0
    start = -1
    tag = ""
    for m in _ITEM_TAG.finditer(text):
        if m["end"]:
            if start >= 0 and m["tag"] == tag:
                close = text.find(">", m.end())
                if close < 0:
                    return
                yield text[start : close + 1]
                count += 1
                start = -1
        else:
            if start >= 0:
                yield f"{text[start : m.start()]}</{tag}>"
                count += 1
            start, tag = m.start(), m["tag"]
        if count >= MAX_ITEMS:
            return


def _parse_items_one_by_one(text: str) -> list[ET.Element]:
    """The items of a broken document, each parsed alone with the root's namespace declarations."""
    root = _root(text)
    namespaces = ""
    if root is not None:
        close = text.find(">", root[1])
        if close >= 0:
            namespaces = "".join(_XMLNS.findall(text, root[1], close))
    items: list[ET.Element] = []
    for block in _item_blocks(text):
        try:
            wrapper = ET.fromstring(f"<wrapper{namespaces}>{block}</wrapper>")
        except (ET.ParseError, ValueError):
            continue
        items.extend(wrapper)
    return items


def _to_tree(body: bytes, content_type: str | None) -> tuple[ET.Element | None, list[ET.Element]]:
    """The parsed root, or (None, the items that could be read) when the document is broken."""
    if not body.strip():
        raise FeedError("the feed is empty")
    text = decode(body, content_type)
    root = _root(text)
    if root is None:
        raise FeedError(f"the feed is not XML: it starts with {body.lstrip()[:16]!r}")
    name, root_at = root
    if not _is_feed_root(name):
        kind = " (an HTML page)" if name.lower() == "html" else ""
        raise FeedError(f"no <rss>, <feed> or <rdf:RDF> root: the document starts with <{name}>{kind}")
    if _ENTITY_DECLARATION.search(text, 0, root_at):
        raise FeedError("the feed declares XML entities in a DOCTYPE; refused")
    text = _CONTROL.sub("", _XML_DECLARATION.sub("", text, count=1))
    try:
        return ET.fromstring(text), []
    except (ET.ParseError, ValueError):
        pass
    repaired = _repair(text)
    try:
        return ET.fromstring(repaired), []
    except (ET.ParseError, ValueError) as exc:
        items = _parse_items_one_by_one(repaired)
        if not items:
            raise FeedError(f"the feed is not XML: {exc}") from exc
        return None, items


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if _local(child.tag) == name]


def _child(element: ET.Element, *names: str) -> ET.Element | None:
    for name in names:
        for child in element:
            if _local(child.tag) == name:
                return child
    return None


def _text(element: ET.Element | None) -> str:
    """The element's text, at most `MAX_FIELD_CHARS` characters of it."""
    if element is None:
        return ""
    parts: list[str] = []
    size = 0
    for part in element.itertext():
        parts.append(part)
        size += len(part)
        if size >= MAX_FIELD_CHARS:
            break
    return "".join(parts)[:MAX_FIELD_CHARS].strip()


def _plain(markup: str) -> str:
    """Text of an HTML fragment (tags and scripts dropped, entities resolved), whitespace collapsed.

    Line breaks and block ends become spaces; inline tags (`<b>광주</b>를`) join without one.
    """
    if "<" in markup and _TAG.search(markup):
        tree = LexborHTMLParser(limit_nesting(f"<div>{_BLOCK_END.sub(' ', markup)}</div>"))
        tree.strip_tags(["script", "style", "noscript"])
        markup = tree.body.text(separator="") if tree.body is not None else _TAG.sub(" ", markup)
    else:
        markup = html.unescape(markup)
    return _SPACES.sub(" ", markup).strip()


def _trim(text: str, limit: int = SNIPPET_CHARS) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit * 0.6 else cut).rstrip(" ,.·") + "…"


def _items(root: ET.Element) -> list[ET.Element]:
    kind = _local(root.tag)
    if kind == "rss":
        channel = _child(root, "channel")
        found = _children(channel if channel is not None else root, "item")
        return (found or _children(root, "item"))[:MAX_ITEMS]
    if kind == "feed":
        return _children(root, "entry")[:MAX_ITEMS]
    if kind == "RDF":
        return _children(root, "item")[:MAX_ITEMS]
    raise FeedError(f"no <rss>, <feed> or <rdf:RDF> root: the document's root is <{kind}>")


def _link(item: ET.Element) -> str:
    orig = _child(item, "origLink")  # FeedBurner keeps the outlet's URL here
    if orig is not None and _text(orig):
        return _text(orig)
    links = _children(item, "link")
    for link in links:  # Atom: rel="alternate" (the default), HTML if several
        href = link.get("href")
        if href and link.get("rel", "alternate") == "alternate":
            return href
    for link in links:
        if _text(link):
            return _text(link)
        if link.get("href"):
            return link.get("href", "")
    guid = _child(item, "guid", "id")
    value = _text(guid)
    if guid is not None and guid.get("isPermaLink", "true") != "false" and value.startswith(("http", "/")):
        return value
    return ""


def _published(item: ET.Element) -> str:
    for name in DATE_FIELDS:
        value = _text(_child(item, name))
        if value:
            return value
    return ""


def _outlet(item: ET.Element) -> str | None:
    source = _child(item, "source")
    if source is None:
        return None
    title = _child(source, "title")  # Atom <source><title>
    name = clean_display_text(_plain(_text(title) if title is not None else _text(source)), limit=MAX_TITLE_CHARS)
    return name or None


def _item(item: ET.Element, base_url: str) -> ListingItem | None:
    raw_link = _link(item)
    if not raw_link:
        return None
    url = canonical_url(raw_link, base_url)
    if not url.startswith(("http://", "https://")):
        return None  # javascript:, mailto:, or unreadable
    host_tail = url.split("/")[2] if url.count("/") >= 2 else ""
    target = aggregator_target(url)
    link = target or clean_link(raw_link, base_url)
    url = target or url
    title = clean_display_text(_plain(_text(_child(item, "title"))), limit=MAX_TITLE_CHARS)
    outlet = _outlet(item)
    if host_tail in OUTLET_SUFFIX_HOSTS and " - " in title:
        head, _, tail = title.rpartition(" - ")
        if outlet is None or tail.strip() == outlet:
            title, outlet = head.strip(), tail.strip()
    snippet: str | None = None
    if host_tail not in LINK_LIST_DESCRIPTION_HOSTS:
        for name in SNIPPET_FIELDS:
            text = clean_display_text(_plain(_text(_child(item, name))))
            if text:
                snippet = _trim(text)
                break
    if not title:
        if not snippet:
            return None
        title = _trim(snippet, 100)
    return ListingItem(
        title=title,
        url=url,
        published_at=parse_date(_published(item)),
        snippet=snippet,
        outlet=outlet,
        link=link if link != url else None,
    )


def _listing(elements: Iterable[ET.Element], base_url: str) -> list[ListingItem]:
    """Items in feed order; an article listed twice (same canonical URL) is kept once, the first time."""
    items: list[ListingItem] = []
    seen: set[str] = set()
    for element in elements:
        item = _item(element, base_url)
        if item is not None and item.url not in seen:
            seen.add(item.url)
            items.append(item)
    return items


def parse_feed(body: bytes, base_url: str, content_type: str | None = None) -> list[ListingItem]:
    """The items of a feed, in feed order. Raises `FeedError` (a ValueError) with a plain message when
    it is not one. A well-formed feed without items gives an empty list."""
    root, loose_items = _to_tree(body, content_type)
    if root is None:
        return _listing(loose_items, base_url)
    return _listing(_items(root), base_url)
