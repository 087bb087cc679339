"""Hostile inputs: every parser finishes quickly whatever the page, feed or file.

The cases live in `bench.hostile` (where `python -m bench.hostile` times them); each runs here in a
child process with a generous limit that only guards against a hang (an exponential regular
expression cannot be interrupted from inside the process). The inputs are generated, not committed.
On the code before these fixes, every case marked "hang" in BENCHMARKS.md ran past a minute.
"""

from __future__ import annotations

import re

import pytest

from bench.hostile import CASES, run_isolated
from scrapers.article import _rules
from scrapers.text import clean_display_text, is_invisible

HANG_GUARD_SECONDS = 30.0

# What each case must produce, so that a fast answer is also a right one.
EXPECTED = {
    "doctype_brackets": r"looks_like_feed=False",
    "comment_run": r"looks_like_feed=False",
    "unclosed_items": r"^0 items|FeedError",
    "unclosed_items_with_links": r"^1000 items",  # the item cap (scrapers.feeds.MAX_ITEMS)
    "unclosed_cdata": r"^1 items",
    "nested_descriptions": r"^300 items, snippet 300 chars",
    "huge_attribute": r"title 500 chars, text [1-9]\d* chars",
    "deep_nesting": r"text [1-9]\d* chars",
    "one_line_article": r"text 200000 chars",  # scrapers.article.MAX_TEXT_CHARS
    "hashtag_line": r"text [1-9]\d* chars",
    "unicode_space_line": r"text [1-9]\d* chars",
    "json_ld_spaces": r"text [1-9]\d* chars",
    "byline_spaces": r"published_at=None",
    "json_deep": r"text [1-9]\d* chars; naver: .*too deep",
    "robots_stars": r"allows=True",
    "naver_title_angles": r"1 items, title 500 chars",  # scrapers.text.MAX_TITLE_CHARS
    "amp_cache_dots": r"target=None",
}


def test_every_case_has_an_expectation() -> None:
    assert set(EXPECTED) == set(CASES)


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_input_is_parsed_quickly(name: str) -> None:
    seconds, summary = run_isolated(name, HANG_GUARD_SECONDS)
    assert seconds is not None, f"{name}: {summary}"
    assert re.search(EXPECTED[name], summary), summary


# -- line patterns of article_rules.toml: each tried on hostile lines ------------------------------

HOSTILE_LINES = [
    "#" * 199 + " ",
    "#a" * 99 + " x",
    "(" * 199 + "x",
    "[" + "1-" * 99,
    "[" + "12-3456 " * 24 + "x",
    " " * 199 + "x",
    "가" * 4 + " " * 195 + "x",
    "가나 " * 66 + "x",
    "@." * 99 + "x",
    "a@" * 99 + "!",
    "사진" + " " * 190 + "x",
    "<" * 199,
]


@pytest.mark.parametrize("kind", ["drop_lines", "cut_lines", "trim_line_ends"])
def test_article_line_patterns_do_not_backtrack(kind: str) -> None:
    """Each pattern on lines up to the longest it is applied to, 200 times: well under a second.
    A pattern with nested quantifiers (the old `^(#\\S+\\s*)+$`) takes hours on the first line."""
    import time

    patterns = getattr(_rules(), kind)
    started = time.perf_counter()
    for pattern in patterns:
        for line in HOSTILE_LINES:
            for _ in range(200 // len(HOSTILE_LINES) + 1):
                pattern.search(line)
    assert time.perf_counter() - started < 5.0


# -- text defanged for display ----------------------------------------------------------------------

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        pytest.param("광주 \u202eAI센터\u202c 착공", "광주 AI센터 착공", id="override"),
        pytest.param("\u2067광주\u2069 데이터센터", "광주 데이터센터", id="isolate"),
        pytest.param("광\u200b주 AI", "광주 AI", id="zero-width-space"),
        pytest.param("\ufeff광주\u00ad시", "광주시", id="bom-soft-hyphen"),
        pytest.param("광주\u3164\u3164 AI", "광주 AI", id="hangul-filler"),
        pytest.param("광주\x1b[31m AI\x7f", "광주[31m AI", id="controls"),
        pytest.param("  광주\n\t AI  ", "광주 AI", id="whitespace"),
        pytest.param("\u1100\u116a\u11bc주", "광주", id="nfc"),
        pytest.param("개발자 👩\u200d💻 광주", "개발자 👩\u200d💻 광주", id="zwj-in-emoji-kept"),
        pytest.param("광\u200d주", "광주", id="zwj-stray"),
        pytest.param("\ud800광주", "광주", id="lone-surrogate"),
        pytest.param(None, "", id="none"),
    ],
)
def test_clean_display_text(raw: str | None, shown: str) -> None:
    assert clean_display_text(raw) == shown


def test_every_bidi_control_and_format_character_goes() -> None:
    import sys
    import unicodedata

    assert all(is_invisible(ch) for ch in BIDI)
    format_chars = [chr(cp) for cp in range(sys.maxunicode + 1) if unicodedata.category(chr(cp)) == "Cf"]
    assert len(format_chars) > 100
    assert [ch for ch in format_chars if ch != "\u200d" and not is_invisible(ch)] == []
    assert clean_display_text("".join(format_chars)) == ""


def test_multiline_keeps_paragraphs_and_limit_cuts() -> None:
    assert clean_display_text("첫 문단\u202e\n\n\n 둘째  문단 ", multiline=True) == "첫 문단\n둘째 문단"
    assert clean_display_text("가" * 600, limit=500) == "가" * 499 + "…"


def test_parsers_defang_what_they_return() -> None:
    from scrapers.article import parse_article
    from scrapers.feeds import parse_feed
    from scrapers.naver_api import parse_response

    evil = "광주 AI\u202e센터\u200b"
    feed = (
        f"<rss><channel><item><title>{evil}</title><link>https://a.example/1</link>"
        f"<description>{evil} 요약</description><source url='https://a.example'>{evil}일보</source></item>"
        "</channel></rss>"
    ).encode()
    (item,) = parse_feed(feed, "https://a.example/rss")
    assert (item.title, item.snippet, item.outlet) == ("광주 AI센터", "광주 AI센터 요약", "광주 AI센터일보")
    page = (
        f"<html><head><meta property='og:title' content='{evil}'><meta property='og:site_name' content='{evil}일보'>"
        f"<meta property='og:description' content='{evil} 설명'></head><body>"
        f"<div id='article-view-content-div'><p>{evil} 본문입니다. " + "광주광역시 인공지능 " * 10 + "</p></div>"
        "</body></html>"
    )
    article = parse_article(page, "https://a.example/1")
    assert article.title == "광주 AI센터"
    assert article.outlet == "광주 AI센터일보" and article.description == "광주 AI센터 설명"
    assert "\u202e" not in article.text and "\u200b" not in article.text
    (naver,) = parse_response(
        ('{"items":[{"title":"' + evil + '","link":"https://a.example/2","description":"' + evil + '"}]}').encode()
    )
    assert (naver.title, naver.snippet) == ("광주 AI센터", "광주 AI센터")
