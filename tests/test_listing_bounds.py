"""Listing recognition stays bounded whatever the page holds (issue 12, item 3).

Hostile pages built here: a 5 MB page of 100,000 article links, very deep nesting, thousands of boxes,
nested onclick boxes, huge attributes and texts. Each must come back in seconds with at most
`MAX_ITEMS` items; the time bounds are generous hang guards, not benchmarks (before the bounds, the
100,000-link page took over nine minutes). The patterns of the recogniser must not nest quantifiers.
"""

from __future__ import annotations

import re
import time
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parser  # type: ignore[attr-defined]
from typing import Any

from scrapers import listing
from scrapers.listing import MAX_ITEMS, parse_listing
from scrapers.markup import limit_nesting

BASE = "https://news.example.kr/"
HANG_GUARD = 30.0  # seconds; each page below parses in about a second on a shared two-core machine


def _timed(html: str, base: str = BASE) -> tuple[list[Any], float]:
    start = time.perf_counter()
    items = parse_listing(html, base)
    return items, time.perf_counter() - start


def test_a_5_mb_page_of_100000_links_parses_in_seconds() -> None:
    rows = "".join(
        f'<li><a href="/news/articleView.html?idxno={100000 + i}">오늘의 기사 제목 {100000 + i}</a></li>'
        for i in range(100_000)
    )
    html = f"<html><body><ul>{rows}</ul></body></html>"
    assert len(html.encode()) > 5_000_000

    items, seconds = _timed(html)

    assert seconds < HANG_GUARD
    assert len(items) == MAX_ITEMS
    assert items[0].url == "https://news.example.kr/news/articleView.html?idxno=100000"
    assert items[0].title == "오늘의 기사 제목 100000"


def test_a_link_under_20000_nested_elements_is_found() -> None:
    depth = 20_000
    link = '<a href="/news/articleView.html?idxno=12345">깊은 곳에 놓인 기사 제목입니다</a>'
    html = "<html><body>" + "<div><span>" * depth + link + "</span></div>" * depth + "</body></html>"

    items, seconds = _timed(html)

    assert seconds < HANG_GUARD
    assert [item.title for item in items] == ["깊은 곳에 놓인 기사 제목입니다"]


def test_the_depth_cap_drops_deep_start_tags_and_keeps_the_named_ones() -> None:
    html = "<div>" * 5 + '<a href="/x">기사</a>' + "</div>" * 5

    assert limit_nesting(html, max_depth=3) == "<div>" * 3 + "기사" + "</div>" * 3
    assert limit_nesting(html, max_depth=3, keep=frozenset({"a"})) == (
        "<div>" * 3 + '<a href="/x">기사</a>' + "</div>" * 3
    )


def test_200000_unclosed_blocks_before_a_list_cost_no_quadratic_time() -> None:
    """The tree builder scans the open elements at every block start tag: without the depth cap
    (`scrapers.markup.limit_nesting`) 100,000 unclosed `<div>`s took 26 s, and the time grows with the
    square of the count."""
    rows = "".join(
        f'<li><a href="/news/articleView.html?idxno={1000 + i}">닫히지 않은 상자 아래 기사 {i}번</a></li>'
        for i in range(30)
    )
    html = "<html><body>" + "<div>" * 200_000 + f"<ul>{rows}</ul></body></html>"

    items, seconds = _timed(html)

    assert seconds < HANG_GUARD
    assert [item.title for item in items] == [f"닫히지 않은 상자 아래 기사 {i}번" for i in range(30)]


def test_a_page_too_small_for_the_depth_pass_stays_cheap_however_it_nests() -> None:
    """Pages of at most `MAX_UNCAPPED_TAGS` tags skip the depth pass (it would cost every real page
    ~2 ms): all unclosed, that many blocks build in well under a second (~60 ms here)."""
    rows = "".join(
        f'<li><a href="/news/articleView.html?idxno={1000 + i}">얕지 않은 상자 아래 기사 {i}번</a></li>'
        for i in range(30)
    )
    html = "<html><body>" + "<div>" * (listing.MAX_UNCAPPED_TAGS - 200) + f"<ul>{rows}</ul></body></html>"
    assert html.count("<") <= listing.MAX_UNCAPPED_TAGS

    items, seconds = _timed(html)

    assert seconds < HANG_GUARD / 10
    assert len(items) == 30


def test_a_list_inside_deep_nesting_keeps_its_order() -> None:
    rows = "".join(
        f'<li><a href="/news/articleView.html?idxno={1000 + i}">깊은 목록의 기사 {i}번 제목</a></li>'
        for i in range(3000)
    )
    html = "<html><body>" + "<div>" * 5000 + f"<ul>{rows}</ul>" + "</div>" * 5000 + "</body></html>"

    items, seconds = _timed(html)

    assert seconds < HANG_GUARD
    assert [item.title for item in items[:3]] == [
        "깊은 목록의 기사 0번 제목",
        "깊은 목록의 기사 1번 제목",
        "깊은 목록의 기사 2번 제목",
    ]
    assert len(items) == MAX_ITEMS


def test_5000_nested_onclick_boxes_stay_bounded() -> None:
    """Every box is a link of its own around all the boxes inside it: each link's text is read only
    up to a bound, not through the whole page below it."""
    count = 5000
    boxes = "".join(
        f"<div onclick=\"location.href='/news/articleView.html?idxno={1000 + i}'\">상자 안 기사 제목 {i} "
        for i in range(count)
    )
    html = "<html><body>" + boxes + "</div>" * count + "</body></html>"

    items, seconds = _timed(html)

    assert seconds < HANG_GUARD
    assert 0 < len(items) <= MAX_ITEMS


def test_thousands_of_boxes_give_their_articles_in_page_order() -> None:
    box = (
        '<div class="box{i}"><h3>섹션 {i}</h3><ul>'
        '<li><a href="/news/articleView.html?idxno={a}">상자 {i}의 첫째 기사 제목</a></li>'
        '<li><a href="/news/articleView.html?idxno={b}">상자 {i}의 둘째 기사 제목</a></li></ul></div>'
    )
    html = (
        "<html><body>"
        + "".join(box.format(i=i, a=10000 + 2 * i, b=10001 + 2 * i) for i in range(5000))
        + "</body></html>"
    )

    items, seconds = _timed(html)

    assert seconds < HANG_GUARD
    assert len(items) == MAX_ITEMS
    assert [item.title for item in items[:3]] == [
        "상자 0의 첫째 기사 제목",
        "상자 0의 둘째 기사 제목",
        "상자 1의 첫째 기사 제목",
    ]


def test_huge_attributes_are_read_only_in_part() -> None:
    huge = "가" * 5_000_000
    html = (
        "<html><body><ul>"
        f'<li><a href="/news/articleView.html?idxno=12345" title="{huge}">제목 속성이 아주 긴 기사</a></li>'
        f'<li><a href="/news/articleView.html?idxno={"9" * 5_000_000}">주소가 아주 긴 링크입니다</a></li>'
        f'<li><a href="#" onclick="location.href=\'{"a" * 5_000_000}">스크립트가 아주 긴 링크</a></li>'
        f'<li class="{"pag " * 1_000_000}"><a href="/news/articleView.html?idxno=12346">클래스가 아주 긴 기사</a></li>'
        "</ul></body></html>"
    )

    items, seconds = _timed(html)

    assert seconds < HANG_GUARD
    assert [item.title for item in items] == ["제목 속성이 아주 긴 기사", "클래스가 아주 긴 기사"]


def test_long_runs_of_digits_and_dots_in_link_texts() -> None:
    """Texts that would make a date or ellipsis pattern with nested or unbounded repeats backtrack."""
    rows = "".join(
        f'<li><a href="/news/articleView.html?idxno={1000 + i}">{"1" * 50_000} 분 전 {"." * 20_000}x</a></li>'
        for i in range(100)
    )

    items, seconds = _timed(f"<html><body><ul>{rows}</ul></body></html>")

    assert seconds < HANG_GUARD
    assert len(items) == 100


def test_many_paging_blocks_and_number_links() -> None:
    blocks = "".join(
        f'<div class="paging"><a href="?page={i}">1</a><a href="?page={i + 1}">2</a></div>'
        f'<ul><li><a href="/news/articleView.html?idxno={10000 + i}">페이지 사이의 기사 제목 {i}</a></li></ul>'
        for i in range(3000)
    )
    numbers = (
        "<div>" * 2000 + "".join(f'<a href="?page={i}">{i % 100 + 1}</a>' for i in range(50_000)) + "</div>" * 2000
    )

    items, seconds = _timed(f"<html><body>{blocks}{numbers}</body></html>", "https://news.example.kr/news/list.html")

    assert seconds < HANG_GUARD
    assert len(items) <= MAX_ITEMS


# ------------------------------------------------------------------------------------------ patterns


def _nests_repeats(pattern: str) -> bool:
    """Whether a repeat that can match more than once holds another such repeat ((a+)+, (\\w+\\s)*)."""

    def walk(items: Any, inside: bool) -> bool:
        for op, av in items:
            if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT):
                _low, high, sub = av
                many = high > 1
                if inside and many:
                    return True
                if walk(sub, inside or many):
                    return True
            elif op == sre_constants.SUBPATTERN:
                if walk(av[3], inside):
                    return True
            elif op == sre_constants.BRANCH:
                if any(walk(branch, inside) for branch in av[1]):
                    return True
            elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT) and walk(av[1], inside):
                return True
        return False

    return walk(sre_parser.parse(pattern), False)


def test_the_nesting_check_sees_nested_repeats() -> None:
    assert _nests_repeats(r"(a+)+$")
    assert _nests_repeats(r"(?:\w+\s?)*x")
    assert not _nests_repeats(r"(?:\.\./)?[^'\"\s]+")
    assert not _nests_repeats(r"\d{1,4}\s?(?:초|분)\s?전")


def test_no_pattern_of_the_recogniser_nests_repeats() -> None:
    rules = listing._rules()
    patterns = [value for value in vars(listing).values() if isinstance(value, re.Pattern)]
    patterns += [value for value in vars(rules).values() if isinstance(value, re.Pattern)]
    assert len(patterns) > 15
    nested = [p.pattern for p in patterns if _nests_repeats(p.pattern)]
    assert nested == []
