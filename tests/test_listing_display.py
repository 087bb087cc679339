"""Titles, ledes and outlet names of listing items are display text (`scrapers.text.clean_display_text`).

A list page is third-party markup: a right-to-left override (U+202E) turns a headline around in the
channel, a zero-width space inside 광주 hides the word from the relevance filter, decomposed Hangul
looks right and matches nothing, a "title" of Hangul fillers is blank. The same cleaning as for feed
and article titles applies, in automatic recognition and with configured selectors alike.
"""

from __future__ import annotations

import unicodedata

from scrapers.listing import parse_listing
from scrapers.models import Selectors
from scrapers.text import MAX_TITLE_CHARS

LIST_URL = "https://news.example.kr/news/articleList.html?sc_section_code=S1N1"
RLO, ZWSP, FILLER = "\u202e", "\u200b", "\u3164"


def _list_page(rows: list[tuple[str, str]]) -> str:
    items = "".join(
        f'<li><a href="/news/articleView.html?idxno={1000 + i}"><strong>{title}</strong>'
        f'<p class="lead">{lede}</p></a></li>'
        for i, (title, lede) in enumerate(rows)
    )
    paging = '<div class="paging"><a href="/news/articleList.html?page=2">2</a></div>'
    return f'<html><body><ul class="list">{items}</ul>{paging}</body></html>'


def test_titles_and_ledes_come_out_display_clean() -> None:
    decomposed = unicodedata.normalize("NFD", "광주시, 인공지능 집적단지 2단계 사업 확정")
    html = _list_page(
        [
            (f"광{ZWSP}주 AI 데이터센터 착공식 열려", f"착공식에는 {RLO}시장과 기업 대표들이 참석했다고 밝혔다"),
            (decomposed, "집적단지 2단계 사업이 예비타당성 조사를 통과했다고 시가 밝혔다"),
            (f"{RLO}광주과학기술원 AI 대학원 개원", "대학원은 올해 첫 신입생을 받는다고 학교가 밝혔다"),
            (FILLER * 12, "제목이 보이지 않는 항목의 요약 문장이 여기에 들어간다"),
        ]
    )

    items = parse_listing(html, LIST_URL)

    assert [item.title for item in items] == [
        "광주 AI 데이터센터 착공식 열려",
        "광주시, 인공지능 집적단지 2단계 사업 확정",
        "광주과학기술원 AI 대학원 개원",
    ]  # the blank one is no article
    assert unicodedata.is_normalized("NFC", items[1].title)
    assert items[0].snippet == "착공식에는 시장과 기업 대표들이 참석했다고 밝혔다"
    assert [item.url for item in items] == [
        f"https://news.example.kr/news/articleView.html?idxno={n}" for n in (1000, 1001, 1002)
    ]


def test_an_overlong_title_is_cut_to_the_display_limit() -> None:
    html = _list_page(
        [
            ("광주 " + "인공지능 " * 200, "너무 긴 제목의 기사 요약 문장이 여기에 들어간다"),
            ("광주 AI 집적단지 입주 기업 모집", "입주 기업 모집 공고의 요약 문장이 여기에 들어간다"),
        ]
    )

    items = parse_listing(html, LIST_URL)

    assert len(items) == 2
    assert len(items[0].title) == MAX_TITLE_CHARS
    assert items[0].title.endswith("…")
    assert items[0].title.startswith("광주 인공지능 인공지능")
    assert items[1].title == "광주 AI 집적단지 입주 기업 모집"


def test_configured_selectors_give_display_clean_titles_and_ledes() -> None:
    html = _list_page(
        [
            (f"{RLO}광{ZWSP}주 AI 반도체 팹 유치 추진", f"시가 팹 유치를 {ZWSP}추진한다고 밝혔다"),
            (FILLER * 12, "제목이 보이지 않는 항목의 요약 문장"),
        ]
    )
    selectors = Selectors(item="ul.list li", title="strong", snippet="p.lead")

    items = parse_listing(html, LIST_URL, selectors)

    assert [(item.title, item.snippet) for item in items] == [
        ("광주 AI 반도체 팹 유치 추진", "시가 팹 유치를 추진한다고 밝혔다")
    ]
