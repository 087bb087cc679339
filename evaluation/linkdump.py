"""Every link of a saved page with its place in the page: an aid for labelling by hand.

    python -m evaluation.linkdump evaluation/local/pages/PAGE.html BASE_URL [--grep TEXT]

Prints one line per `<a>` (and onclick element) in page order: its index, the absolute href, the link
text (or image alt), and the chain of its ancestors' tag.class#id up to the body. It deliberately uses
nothing of scrapers.listing: labels are a person's reading of the page, not the recogniser's output.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser, LexborNode


def _label(node: LexborNode) -> str:
    attrs = node.attributes
    out = node.tag or "?"
    if attrs.get("id"):
        out += f"#{attrs['id']}"
    if attrs.get("class"):
        out += "." + ".".join((attrs.get("class") or "").split())
    if "display:none" in (attrs.get("style") or "").replace(" ", ""):
        out += "[hidden]"
    return out


def _chain(node: LexborNode) -> str:
    parts = []
    parent = node.parent
    while parent is not None and parent.tag not in ("body", "html", "-document", None):
        parts.append(_label(parent))
        parent = parent.parent
    return " < ".join(parts)


def dump(html: str, base: str) -> list[tuple[int, str, str, str]]:
    tree = LexborHTMLParser(html)
    for junk in tree.css("script, style, noscript, template"):
        junk.decompose()
    rows = []
    for index, node in enumerate(tree.css("a")):
        href = (node.attributes.get("href") or "").strip()
        text = " ".join(node.text().split())
        if not text:
            img = node.css_first("img")
            text = "[img] " + (img.attributes.get("alt") or "") if img is not None else ""
        onclick = node.attributes.get("onclick") or ""
        absolute = urljoin(base, href) if href and not href.lower().startswith("javascript") else href + " " + onclick
        rows.append((index, absolute, text, _chain(node)))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("page", type=Path)
    parser.add_argument("base")
    parser.add_argument("--grep", default=None)
    args = parser.parse_args(argv)
    html = args.page.read_text(encoding="utf-8", errors="replace")
    for index, href, text, chain in dump(html, args.base):
        line = f"{index:4d} {href}  |{text[:70]}|  {chain[:160]}"
        if args.grep is None or args.grep in line:
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
