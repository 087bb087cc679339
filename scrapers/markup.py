"""HTML made safe to hand to a parser: `limit_nesting`.

The HTML tree builder checks, for every block-level start tag (`<div>`, `<section>`, `<ul>`…),
whether a `<p>` is open, by scanning the stack of open elements: work proportional to the depth.
A page of 100,000 unclosed `<div>`s (600 KB) therefore costs lexbor about ten seconds, and an
8 MB one hours. Browsers cap the depth of the tree (Blink at 512); we do the same before parsing.

`limit_nesting` is one forward pass over the tags: start tags that would open an element deeper
than `MAX_DEPTH` are dropped, and so is one end tag for each of them; text, void elements and
elements whose end tag is optional (`<p>`, `<li>`, `<td>`…, closed by their next sibling) are kept.
Comments and the contents of `<script>`, `<style>` and the like are skipped, as the tokenizer does.
Elements named in `keep` are kept at any depth: a caller that needs every link passes `{"a"}` (links
do not nest, a second `<a>` closes the first, so keeping them adds one level at most).
Real pages nest 20-60 deep, so for them the result is the input itself.
"""

from __future__ import annotations

import re

MAX_DEPTH = 512
_TAG = re.compile(r"<(?:(?P<end>/?)(?P<name>[A-Za-z][A-Za-z0-9:-]*)|!--)")
_VOID = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
    "param", "keygen", "basefont", "bgsound", "frame",
})  # fmt: skip
# Closed implicitly by a sibling or the parent's end: they do not pile up even when never closed.
_OPTIONAL_END = frozenset({
    "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "rb", "rt", "rp", "rtc", "thead",
    "tbody", "tfoot", "colgroup", "caption", "html", "head", "body",
})  # fmt: skip
_RAW_TEXT = frozenset({"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"})
_RAW_END = {name: re.compile(rf"</{name}[\s/>]", re.IGNORECASE) for name in _RAW_TEXT}


def limit_nesting(html: str, max_depth: int = MAX_DEPTH, keep: frozenset[str] = frozenset()) -> str:
    """`html` with the start tags that would nest deeper than `max_depth` removed (and as many end
    tags after them), except those of the elements named (in lower case) in `keep`; the text is all
    kept. Linear in the length of `html`."""
    if html.count("<") <= max_depth:
        return html  # too few tags to nest that deep
    depth = dropped = 0
    cuts: list[tuple[int, int]] = []
    pos = 0
    while (m := _TAG.search(html, pos)) is not None:
        if m.group(0) == "<!--":
            close = html.find("-->", m.end())
            if close < 0:
                break
            pos = close + 3
            continue
        close = html.find(">", m.end())
        if close < 0:
            break
        pos = close + 1
        name = m["name"].lower()
        if name in _VOID or name in _OPTIONAL_END or name in keep or (m["end"] and name in _RAW_TEXT):
            continue
        if m["end"]:
            if dropped:
                cuts.append((m.start(), pos))
                dropped -= 1
            elif depth:
                depth -= 1
            continue
        if name in _RAW_TEXT:
            raw_end = _RAW_END[name].search(html, pos)
            pos = raw_end.start() if raw_end else len(html)
            continue
        if html[close - 1] == "/":
            continue  # `<x/>`: foreign or sloppy; HTML would open it, but it rarely nests
        if depth >= max_depth:
            cuts.append((m.start(), pos))
            dropped += 1
        else:
            depth += 1
    if not cuts:
        return html
    pieces: list[str] = []
    last = 0
    for start, end in cuts:
        pieces.append(html[last:start])
        last = end
    pieces.append(html[last:])
    return "".join(pieces)
