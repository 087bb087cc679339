"""Micro figures: CPU per 100 KB listing parsed and classified, titles per second, state load and save.

Listing pages: real saved listings from ../shared/fixtures/real (when that folder is present) and the
generated 100 KB NDSoft list the cycle bench serves. One pass over a page is what a cycle does with
it: decode the bytes, `parse_listing`, and `Detector.classify(title, snippet)` for every item.
CPU is `time.process_time` over repeated passes, divided per 100 KB of page bytes.
Titles per second: `bench.bench_relevance.headlines()` (the real dev set cycled to 10,000).
State: `bench.bench_state.measure` (save and load through `StateStore`, median of runs).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from bench import bench_relevance, bench_state, pages
from bot.relevance import Detector
from scrapers import listing, urls
from scrapers.decode import decode
from scrapers.listing import parse_listing
from scrapers.models import ListingItem

REAL = Path(__file__).parents[1].parent / "shared" / "fixtures" / "real"
REAL_LISTINGS = [  # (file, the address it was saved from, stands for)
    ("naver-news-section-politics-2022.html", "https://news.naver.com/main/main.naver?sid1=100", "portal section list"),
    ("siminsori-gwangju-ndsoft-home-2018.html", "http://www.siminsori.com/", "NDSoft outlet front page"),
    (
        "gwangju-go-kr-board-list-notice.html",
        "https://www.gwangju.go.kr/boardList.do?boardId=BD_0000000027",
        "city hall board",
    ),
    ("korea-kr-press-release-list.html", "https://www.korea.kr/briefing/pressReleaseList.do", "government press list"),
]


@dataclass(frozen=True, slots=True)
class ListingFigure:
    name: str
    kind: str
    kb: float
    items: int
    ms_per_page: float
    parse_ms: float  # of which parse_listing (decode included)
    cold_ms_per_page: float  # the same with the URL and listing caches emptied first: a page seen for the first time

    @property
    def ms_per_100kb(self) -> float:
        return self.ms_per_page * 100 / self.kb

    @property
    def cold_ms_per_100kb(self) -> float:
        return self.cold_ms_per_page * 100 / self.kb


def clear_parse_caches() -> None:
    """Empty the bounded caches of the URL and listing code (what a page seen for the first time meets)."""
    for module in (urls, listing):
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)) and value.cache_parameters()["maxsize"] is not None:
                value.cache_clear()


def listing_pages() -> list[tuple[str, str, str, bytes]]:
    """(name, url, what it stands for, bytes): the generated page, then every real listing present."""
    out = [
        (
            "generated NDSoft list",
            "http://127.0.0.2/news/articleList.html?sc_section_code=S1",
            "the cycle bench's page",
            pages.listing_page(0, 1, 5_000_025),
        )
    ]
    for file, url, kind in REAL_LISTINGS:
        path = REAL / file
        if path.is_file():
            out.append((file, url, kind, path.read_bytes()))
    return out


def listing_figure(
    name: str, url: str, kind: str, body: bytes, detector: Detector, min_seconds: float
) -> ListingFigure:
    def parse() -> list[ListingItem]:
        return parse_listing(decode(body, "text/html"), url)

    items = parse()
    rounds, spent, parse_spent = 0, 0.0, 0.0
    while spent < min_seconds or rounds < 3:
        start = time.process_time()
        found = parse()
        middle = time.process_time()
        for item in found:
            detector.classify(item.title, item.snippet)
        end = time.process_time()
        spent += end - start
        parse_spent += middle - start
        rounds += 1
    cold_rounds, cold_spent = 0, 0.0
    while cold_spent < min_seconds or cold_rounds < 3:
        clear_parse_caches()
        start = time.process_time()
        for item in parse():
            detector.classify(item.title, item.snippet)
        cold_spent += time.process_time() - start
        cold_rounds += 1
    return ListingFigure(
        name,
        kind,
        len(body) / 1000,
        len(items),
        spent / rounds * 1000,
        parse_spent / rounds * 1000,
        cold_spent / cold_rounds * 1000,
    )


def listing_figures(min_seconds: float = 1.0) -> list[ListingFigure]:
    detector = Detector()
    return [listing_figure(name, url, kind, body, detector, min_seconds) for name, url, kind, body in listing_pages()]


def titles_per_second(rounds: int = 3) -> tuple[int, float]:
    """(titles, titles per second, median of rounds) for title-only classification."""
    titles = bench_relevance.headlines()
    detector = Detector()
    runs = []
    for _ in range(rounds):
        start = time.process_time()
        for title in titles:
            detector.classify(title)
        runs.append(time.process_time() - start)
    runs.sort()
    return len(titles), len(titles) / runs[len(runs) // 2]


def state_figures(sizes: tuple[int, ...] = (10_000, 100_000), repeat: int = 5) -> dict[int, dict[str, float]]:
    return {n: bench_state.measure(n, repeat) for n in sizes}


def main() -> None:
    """`python -m bench.micro`: the listing figures alone (the full report is `python -m bench`)."""
    print(f"{'page':<40} {'kind':<28} {'KB':>6} {'items':>5} {'ms/100KB':>8} {'parse ms':>8} {'cold ms/100KB':>13}")
    for f in listing_figures():
        print(
            f"{f.name:<40} {f.kind:<28} {f.kb:>6.0f} {f.items:>5} {f.ms_per_100kb:>8.2f} {f.parse_ms:>8.2f}"
            f" {f.cold_ms_per_100kb:>13.2f}"
        )


if __name__ == "__main__":
    main()
