"""Turn a person's reading of a saved page into the manifest's expected links: a labelling aid.

For each page a label spec (evaluation/listing_labels.py: selectors and URL shapes only, no page
text) says, from reading the markup, which URL shape is one article on that site
(`articles`: regular expressions with a group that identifies the article), which boxes do not
count under the counting rule (`exclude`: CSS selectors of furniture, notices, ads), which articles
are left out by hand (`drop`), how a redirect wrapper hides the target (`unwrap`), and how the
canonical URL of an article is written (`canonical`). The tool applies the spec and writes the
expected articles with every URL under which the page links to each of them (`aliases`) and a
title (the longest link text that is not a lede or a cut title). It uses nothing of
scrapers.listing: the labels are not the recogniser's output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode


@dataclass
class Spec:
    base: str
    # (regex over the absolute href whose group 1 identifies the article, canonical URL format with {key})
    articles: list[tuple[str, str]]
    exclude: list[str] = field(default_factory=list)  # CSS selectors whose links do not count
    drop: list[str] = field(default_factory=list)  # identity keys left out by hand
    unwrap: str | None = None  # query parameter of a redirect wrapper that holds the target
    scope: str | None = None  # CSS selector of the region that counts (list pages: the main list)


def _inside(node: LexborNode, marked: set[int]) -> bool:
    current: LexborNode | None = node
    while current is not None:
        if current.mem_id in marked:
            return True
        current = current.parent
    return False


def _text(node: LexborNode) -> str:
    text = " ".join(node.text().split())
    if not text:
        img = node.css_first("img")
        if img is not None:
            text = " ".join((img.attributes.get("alt") or "").split())
    return text


def label(html: str, spec: Spec) -> list[dict[str, object]]:
    tree = LexborHTMLParser(html)
    for junk in tree.css("script, style, noscript, template"):
        junk.decompose()
    excluded = {n.mem_id for sel in spec.exclude for n in tree.css(sel)}
    scoped = {n.mem_id for n in tree.css(spec.scope)} if spec.scope else None
    patterns = [(re.compile(regex), canonical) for regex, canonical in spec.articles]
    titles_of: dict[str, list[str]] = {}
    aliases_of: dict[str, set[str]] = {}
    for node in tree.css("a"):
        href = (node.attributes.get("href") or "").strip()
        if not href or href.lower().startswith(("javascript:", "#", "mailto:")):
            continue
        absolute = urljoin(spec.base, href)
        target = absolute
        if spec.unwrap:
            inner = dict(parse_qsl(urlsplit(absolute).query)).get(spec.unwrap)
            if inner:
                target = urljoin(spec.base, unquote(inner))
        hit = next(((m, c) for p, c in patterns if (m := p.search(target)) is not None), None)
        if hit is None or _inside(node, excluded):
            continue
        if scoped is not None and not _inside(node, scoped):
            continue
        match, canonical = hit
        key = match.group(1)
        if key in spec.drop:
            continue
        url = canonical.format(key=key)
        aliases = aliases_of.setdefault(url, set())
        aliases.add(absolute)
        if target != absolute:
            aliases.add(target)
        text = " ".join(node.text().split())
        titles_of.setdefault(url, []).append(text if text else "\x00" + _text(node))  # an alt as a last resort
    out: list[dict[str, object]] = []
    for url, titles in titles_of.items():
        raw = [t for t in titles if t.strip("\x00")]
        texts = [t for t in raw if not t.startswith("\x00")]
        whole = [t for t in texts if not re.search(r"(…|\.\.)$", t) and len(t) <= 120]
        title = max(whole or texts or [t[1:] for t in raw] or [""], key=len)
        others = sorted(a for a in aliases_of[url] if a != url)
        out.append({"url": url, "title": title, "aliases": others, "title_whole": bool(whole)})
    return out
