"""Listing recognition measured on the labelled pages: recall and junk share, per page and in total.

    python -m evaluation.listing [--split tune|frozen|all] [--verbose] [--page ID]

Reads evaluation/manifests/listing_pages.json and the local copies in evaluation/local/pages/
(rebuilt by `python -m evaluation.fetch_listing_pages`; absent pages are skipped with a note). Each page
is parsed by `scrapers.listing.parse_listing` with no selectors, as a catalogue source without
selectors is. A found item matches an expected article when its URL (or the link as the page wrote
it) is the expected URL or one of the URLs under which the page links to that article, compared
without scheme, `www.`/`m.` prefix, fragment and parameter order. Each expected article matches once:
a second item for the same article is junk, as is an item that matches none.

    recall     = expected articles found / expected articles
    junk share = found items that match no (new) expected article / found items
    short      = matched items whose title is shorter than the longest link text the page gives the
                 article (also a headline with its lede run in: a rough count)
    cut        = matched items whose title ends in '…' or '..' although the page gives the article an
                 uncut text longer than the part before the ellipsis
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from scrapers.decode import decode
from scrapers.listing import parse_listing

ROOT = Path(__file__).parent
MANIFEST = ROOT / "manifests" / "listing_pages.json"
LOCAL = ROOT / "local" / "pages"


def cut_stem(title: str) -> str | None:
    """The part before a trailing '…' or '..' of a title, else None."""
    stripped = title.rstrip()
    if not stripped.endswith(("…", "..")):
        return None
    return stripped.rstrip(".…").rstrip()


def url_key(url: str) -> str:
    """A URL without scheme, host prefix, fragment and parameter order: the comparison form."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    for prefix in ("www.", "m."):
        if host.startswith(prefix):
            host = host[len(prefix) :]
    query = "&".join(f"{k}={v}" for k, v in sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return f"{host}{parts.path or '/'}" + (f"?{query}" if query else "")


@dataclass
class Result:
    page_id: str
    kind: str
    split: str
    expected: int
    found: int
    matched: int
    missed: list[str]
    junk: list[str]
    cut_titles: int = 0  # matched items whose title is shorter than the page's fullest title for them
    ellipsis_titles: int = 0  # matched items with a title cut by '…' while the page has it uncut

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    @property
    def junk_share(self) -> float:
        return (self.found - self.matched) / self.found if self.found else 0.0


def evaluate_page(entry: dict[str, object], html_bytes: bytes) -> Result:
    expected = entry["expected"]
    assert isinstance(expected, list)
    owner: dict[str, int] = {}
    for position, article in enumerate(expected):
        for url in [article["url"], *article.get("aliases", [])]:
            owner.setdefault(url_key(url), position)
    items = parse_listing(decode(html_bytes), str(entry["url"]))
    taken: set[int] = set()
    junk: list[str] = []
    cut = ellipsis = 0
    for item in items:
        index: int | None = owner.get(url_key(item.url))
        if index is None and item.link:
            index = owner.get(url_key(item.link))
        if index is None or index in taken:
            junk.append(f"{item.url}  |{item.title[:60]}|")
            continue
        taken.add(index)
        full = expected[index].get("title_chars")
        if isinstance(full, int) and len(item.title) < full - 2:
            cut += 1
        stem = cut_stem(item.title)
        if stem is not None and expected[index].get("title_whole") and isinstance(full, int) and full > len(stem):
            ellipsis += 1
    missed = [str(a["url"]) for i, a in enumerate(expected) if i not in taken]
    return Result(
        str(entry["id"]),
        str(entry["kind"]),
        str(entry["split"]),
        len(expected),
        len(items),
        len(taken),
        missed,
        junk,
        cut,
        ellipsis,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=("tune", "frozen", "all"), default="all")
    parser.add_argument("--page", default=None, help="only this page id")
    parser.add_argument("--verbose", action="store_true", help="list missed and junk links")
    args = parser.parse_args(argv)
    pages = json.loads(MANIFEST.read_text(encoding="utf-8"))["pages"]
    results: list[Result] = []
    header = f"{'page':34} {'kind':5} {'split':6} {'expected':>8} {'found':>6} {'recall':>7} {'junk':>6}"
    print(f"{header} {'short':>5} {'cut':>4}")
    for entry in pages:
        if args.split != "all" and entry["split"] != args.split:
            continue
        if args.page and entry["id"] != args.page:
            continue
        local = LOCAL / f"{entry['id']}.html"
        if not local.is_file():
            print(f"{entry['id']:34} absent: rebuild with python -m evaluation.fetch_listing_pages")
            continue
        result = evaluate_page(entry, local.read_bytes())
        results.append(result)
        print(
            f"{result.page_id:34} {result.kind:5} {result.split:6} {result.expected:8d} {result.found:6d}"
            f" {result.recall:7.1%} {result.junk_share:6.1%} {result.cut_titles:5d} {result.ellipsis_titles:4d}"
        )
        if args.verbose:
            for line in result.missed:
                print(f"    missed {line}")
            for line in result.junk:
                print(f"    junk   {line}")
    if results:
        expected = sum(r.expected for r in results)
        found = sum(r.found for r in results)
        matched = sum(r.matched for r in results)
        worst_recall = min(r.recall for r in results)
        worst_junk = max(r.junk_share for r in results)
        print(
            f"{'total (' + str(len(results)) + ' pages)':34} {'':5} {'':6} {expected:8d} {found:6d}"
            f" {matched / expected if expected else 1:7.1%} {(found - matched) / found if found else 0:6.1%}"
        )
        print(f"worst page: recall {worst_recall:.1%}, junk {worst_junk:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
