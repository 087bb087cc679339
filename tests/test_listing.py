"""Listing pages: the articles a reader would click, and nothing from menus, 'most read' boxes, paging
or footers.

Real pages (../shared/fixtures/real, used in place): for every `listing` entry of the manifest the
automatic recognition must find exactly `expected_article_count` articles and every sample link with
its text as the title. Our own pages (tests/fixtures/listings) pin the whole output: titles, absolute
URLs, dates and ledes, in page order. Two of them (a Gnuboard board, a WordPress archive) are of CMS
families the recogniser was not written against: they were written after it and passed as they are
(the WordPress page only once `<time datetime>` was preferred over a date written out in words).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest

from bot.config import Selectors
from scrapers.dates import KST
from scrapers.decode import decode
from scrapers.listing import parse_listing, url_score
from scrapers.models import ListingItem
from scrapers.urls import canonical_url, clean_link

REAL = Path(__file__).parents[1].parent / "shared" / "fixtures" / "real"
OWN = Path(__file__).parent / "fixtures" / "listings"
NOW = datetime(2025, 2, 5, 12, 0, tzinfo=KST)


# ------------------------------------------------------------------------------------------ real pages


def _real_listings() -> list[Any]:
    manifest = REAL / "MANIFEST.json"
    if not manifest.is_file():
        return [pytest.param(None, marks=pytest.mark.skip(reason="../shared/fixtures/real is not here"))]
    entries = json.loads(manifest.read_text(encoding="utf-8"))
    return [pytest.param(e, id=e["file"]) for e in entries if e["kind"] == "listing"]


def _base_url(entry: dict[str, Any]) -> str:
    """Where the page lived: the notes name it when relative links need a folder, else the site root.

    (`source_url` is where the saved copy is kept on GitHub, not the page's own address.)"""
    named = re.search(r"resolve against (https?://\S+)", entry.get("notes", ""))
    if named:
        return named.group(1)
    return "https://" + entry["site"].split()[0] + "/"


def _squash(text: str) -> str:
    # The manifest's link texts are the link's text nodes joined without spaces; ours keep the
    # spaces a reader sees. Compare without whitespace.
    return re.sub(r"\s+", "", text)


def _title_matches(title: str, link_text: str) -> bool:
    """Our title is the link's text, or the headline part of it.

    Some links hold more than the headline: a lede after it (Naver home, korea.kr), a date before it
    (Wando photo news). Some texts are cut by the site ('실시간...'); the full headline then comes
    from the link's title attribute and starts with the cut text.
    """
    ours, theirs = _squash(title), _squash(link_text)
    if ours == theirs:
        return True
    if len(ours) >= 8 and (theirs.startswith(ours) or theirs.endswith(ours)):
        return True
    cut = re.sub(r"(?:\.{2,}|…)$", "", theirs)
    return cut != theirs and ours.startswith(cut)


@pytest.mark.parametrize("entry", _real_listings())
def test_real_listing_page_yields_exactly_its_articles(entry: dict[str, Any]) -> None:
    base = _base_url(entry)
    items = parse_listing(decode((REAL / entry["file"]).read_bytes()), base)

    assert len(items) == entry["expected_article_count"]
    assert len({item.url for item in items}) == len(items)
    by_url = {item.url: item for item in items}
    for sample in entry["sample_links"]:
        url = canonical_url(urljoin(base, sample["href"]), base)
        assert url in by_url, f"{sample['text']!r} ({url}) not found"
        assert _title_matches(by_url[url].title, sample["text"]), (by_url[url].title, sample["text"])


@pytest.mark.parametrize(
    ("page", "url", "outlet"),
    [
        pytest.param(
            "naver-search-news-ai-2026.html", "https://www.hankyung.com/article/2026052462771", "한국경제", id="search"
        ),
        pytest.param(
            "naver-news-section-politics-2022.html",
            "https://n.news.naver.com/mnews/article/025/0003249579?sid=100",
            "중앙일보",
            id="section-cluster",
        ),
        pytest.param(
            "naver-news-section-list-ls2d-politics.html",
            "https://news.naver.com/main/read.naver?mode=LS2D&mid=shm&sid1=100&sid2=267&oid=421&aid=0002484966",
            "뉴스1",
            id="legacy-list",
        ),
    ],
)
def test_an_aggregator_list_names_each_articles_outlet(page: str, url: str, outlet: str) -> None:
    """Read off the page: the press name printed with the result (span.writing, .cluster_text_press,
    the search result's profile line)."""
    if not (REAL / page).is_file():
        pytest.skip("../shared/fixtures/real is not here")
    items = parse_listing(decode((REAL / page).read_bytes()), "https://news.naver.com/")

    assert {item.url: item.outlet for item in items}[canonical_url(url)] == outlet
    assert all(item.outlet for item in items)


# ------------------------------------------------------------------------------------------ own pages


def _item(title: str, href: str, base: str, date: str | None, snippet: str | None) -> ListingItem:
    published = datetime.fromisoformat(date) if date else None
    url, link = canonical_url(href, base), clean_link(href, base)
    return ListingItem(title, url, published, snippet, link=link if link != url else None)


NDSOFT_BASE = "https://www.bitgoeul-daily.example/news/articleList.html?sc_section_code=S1N2&view_type=sm"
GOV_BASE = "https://www.bitgoeul.example/boardList.do?boardId=BD_0000000027&pageId=www101"
CARD_BASE = "https://namdo-tech.example/section/ai"
GNUBOARD_BASE = "https://gwangsan-village.example/bbs/board.php?bo_table=news"
WORDPRESS_BASE = "https://mudeung-insight.example/category/ai-industry/"

OWN_PAGES = {
    "ndsoft-modern-articlelist": (
        NDSOFT_BASE,
        [
            (
                "광주 AI 데이터센터 2단계 착공…GPU 1만장 규모",
                "/news/articleView.html?idxno=91234",
                "2025-02-05T17:15:00+09:00",
                "국가 AI 데이터센터 2단계 사업이 광주 첨단3지구에서 착공식을 열고 본격적인 공사에 들어갔다.",
            ),
            (
                "인공지능산업융합사업단, 지역 기업 실증 지원 확대",
                "/news/articleView.html?idxno=91230",
                "2025-02-05T14:02:00+09:00",
                "인공지능산업융합사업단이 올해 광주 지역 AI 기업 120곳의 실증을 지원한다고 5일 밝혔다.",
            ),
            (
                "광주시, 'AI 반도체 팹리스' 유치 협약",
                "/news/articleView.html?idxno=91221",
                "2025-02-04T18:40:00+09:00",
                "광주광역시가 AI 반도체 설계 기업 세 곳과 첨단산단 입주 협약을 맺었다.",
            ),
            (
                "설 대목 끝난 전통시장, 온누리상품권 환급 행사 연장",
                "/news/articleView.html?idxno=91207",
                "2025-02-04T09:30:00+09:00",
                "광주 지역 전통시장 12곳에서 진행된 온누리상품권 환급 행사가 이달 말까지 연장된다.",
            ),
        ],
    ),
    "gov-board-boardlist": (
        GOV_BASE,
        [
            (
                "광주시, 국가 AI컴퓨팅센터 유치 전담팀 가동",
                "/boardView.do?pageId=www101&boardId=BD_0000000027&seq=21180&movePage=1",
                "2025-02-05T00:00:00+09:00",
                None,
            ),
            (
                "첨단3지구 AI 집적단지 기반시설 공사 준공",
                "/boardView.do?pageId=www101&boardId=BD_0000000027&seq=21179&movePage=1",
                "2025-02-05T00:00:00+09:00",
                None,
            ),
            (  # its link is `javascript:void(0)` with onclick="location.href='...'"
                "빛고을 시민 안전보험 보장 항목 확대 시행",
                "/boardView.do?pageId=www101&boardId=BD_0000000027&seq=21176&movePage=1",
                "2025-02-04T00:00:00+09:00",
                None,
            ),
            (  # the '새글' (new) badge is not part of the title
                "2025년 상반기 공공근로 참여자 모집",
                "/boardView.do?pageId=www101&boardId=BD_0000000027&seq=21171&movePage=1",
                "2025-02-03T00:00:00+09:00",
                None,
            ),
        ],
    ),
    "card-list": (
        CARD_BASE,
        [
            (
                "광주 AI 데이터센터, 민간 클라우드 기업 3곳 입주 확정",
                "/article/202502050012",
                "2025-02-05T09:30:00+09:00",
                "국가 AI 데이터센터에 민간 클라우드 기업 세 곳이 입주를 확정하면서 가동률이 크게 오를 전망이다.",
            ),
            (
                "전남대·광주과기원, AI 융합 인재 공동 양성 협약",
                "/article/202502050007",
                "2025-02-05T07:10:00+09:00",
                "두 대학이 인공지능 융합 대학원 과정을 함께 운영하고 학점을 상호 인정하기로 했다.",
            ),
            (  # '3시간 전' at NOW (12:00)
                '"GPU 확보가 관건"…지역 스타트업 연산 자원 지원 요구',
                "/article/202502040031",
                "2025-02-05T09:00:00+09:00",
                "광주 지역 AI 스타트업들이 고성능 연산 자원 공동 이용 확대를 요구하고 나섰다.",
            ),
        ],
    ),
    # Not a family the recogniser was written against: a Gnuboard board with year-less dates.
    "gnuboard-board-list": (
        GNUBOARD_BASE,
        [
            (
                "하남산단 AI 제조혁신센터 주민 설명회 열려",
                "board.php?bo_table=news&wr_id=412",
                "2025-02-05T00:00:00+09:00",
                None,
            ),
            (
                "송정역 일대 보행로 정비 공사 3월 착공",
                "board.php?bo_table=news&wr_id=409",
                "2025-02-04T00:00:00+09:00",
                None,
            ),
            (
                "광산구 청년 창업공간 2기 입주팀 발표",
                "board.php?bo_table=news&wr_id=405",
                "2025-02-03T00:00:00+09:00",
                None,
            ),
        ],
    ),
    # Nor a WordPress archive: dated slug URLs, <time datetime>, a 'recent posts' widget.
    "wordpress-archive": (
        WORDPRESS_BASE,
        [
            (
                "광주 AI 집적단지 2단계, 무엇을 남기고 무엇을 바꾸나",
                "/2025/02/05/gwangju-ai-cluster-phase-two/",
                "2025-02-05T08:00:00+09:00",
                "1단계 사업이 남긴 데이터센터와 실증 인프라를 2단계가 어떻게 이어받을지 쟁점을 정리했다.",
            ),
            (
                "데이터센터 전력 수요, 호남 송전망은 버틸 수 있나",
                "/2025/02/03/power-grid-for-data-centers/",
                "2025-02-03T19:20:00+09:00",
                "대규모 데이터센터가 몰리는 호남권의 송전 여력과 한전의 증설 계획을 살펴봤다.",
            ),
            (
                '지역 AI 스타트업 대표 5인 인터뷰: "인재보다 연산이 부족하다"',
                "/2025/01/28/ai-startups-interview/",
                "2025-01-28T10:05:00+09:00",
                "광주에 자리 잡은 AI 스타트업 대표들에게 지금 가장 부족한 자원이 무엇인지 물었다.",
            ),
        ],
    ),
}


@pytest.mark.parametrize("page", list(OWN_PAGES))
def test_own_listing_page_yields_its_articles_and_nothing_else(page: str) -> None:
    """Each page also has a menu, a 'most read' or 'popular' box, paging, a login link and a footer,
    some with headline-length article links: none of them may appear."""
    base, rows = OWN_PAGES[page]
    html = (OWN / f"{page}.html").read_text(encoding="utf-8")

    items = parse_listing(html, base, now=NOW)

    assert items == [_item(title, urljoin(base, href), base, date, lede) for title, href, date, lede in rows]


def test_a_page_of_menus_and_footers_has_no_articles() -> None:
    html = """<html><body>
      <nav class="gnb"><a href="/news/articleView.html?idxno=11">광주 AI 데이터센터 착공 소식 바로가기</a>
        <a href="/news/articleView.html?idxno=12">인공지능 특별위원회 출범 안내 보기</a></nav>
      <div class="rank-box"><h3>많이 본 뉴스</h3><ol>
        <li><a href="/news/articleView.html?idxno=21">무등산 국립공원 탐방객 역대 최다 기록</a></li>
        <li><a href="/news/articleView.html?idxno=22">광주 도시철도 2호선 개통 앞두고 시운전</a></li></ol></div>
      <footer><a href="/news/articleView.html?idxno=31">청소년 보호 정책 및 책임자 안내</a>
        <a href="/news/articleView.html?idxno=32">기사 제보 및 정정 보도 청구 안내</a></footer>
    </body></html>"""

    assert parse_listing(html, "https://www.example.kr/") == []


def test_a_board_that_opens_posts_only_through_a_script_function_is_skipped() -> None:
    """`fn_view('1234')` needs the site's script to build the request; there is no URL to follow."""
    rows = "".join(
        f'<tr><td><a href="#" onclick="fn_view(\'{n}\'); return false;">보도자료 제목 {n}번 게시물 안내</a></td>'
        f"<td>2025-02-0{n}</td></tr>"
        for n in range(1, 4)
    )
    html = f"<html><body><table><tbody>{rows}</tbody></table></body></html>"

    assert parse_listing(html, "https://www.example.go.kr/board/list.do") == []


def test_a_board_with_a_single_post_lists_it() -> None:
    html = """<html><body>
      <nav class="gnb"><a href="/news/articleList.html?sc_section_code=S1N1">정치 기사 목록 보기</a></nav>
      <table class="board"><tbody><tr>
        <td><a href="/news/articleView.html?idxno=12345">광주 AI 데이터센터 착공식 열려</a></td><td>2025.02.05</td>
      </tr></tbody></table>
    </body></html>"""

    items = parse_listing(html, "https://www.example.kr/news/articleList.html")

    assert [(i.title, i.url, i.published_at) for i in items] == [
        (
            "광주 AI 데이터센터 착공식 열려",
            canonical_url("https://www.example.kr/news/articleView.html?idxno=12345"),
            datetime(2025, 2, 5, tzinfo=KST),
        )
    ]


# ------------------------------------------------------------------------------------------ selectors


def test_configured_selectors_take_the_item_title_link_date_and_snippet() -> None:
    html = (OWN / "card-list.html").read_text(encoding="utf-8")
    selectors = Selectors(
        item="article.card", title="h3.card-title", link="h3 a", date="time, .date", snippet=".card-excerpt"
    )

    items = parse_listing(html, CARD_BASE, selectors, now=NOW)

    assert items == [_item(*row[:2], CARD_BASE, *row[2:]) for row in OWN_PAGES["card-list"][1]]


def test_selectors_without_title_and_link_use_the_items_first_link() -> None:
    html = (OWN / "gov-board-boardlist.html").read_text(encoding="utf-8")

    items = parse_listing(html, GOV_BASE, Selectors(item="table.board_list tbody tr", date="td.date"))

    expected = [_item(*row[:2], GOV_BASE, *row[2:]) for row in OWN_PAGES["gov-board-boardlist"][1]]
    assert items == expected


def test_a_selector_that_is_not_css_is_reported_with_the_selectors() -> None:
    with pytest.raises(ValueError, match=r"li\[\["):
        parse_listing("<ul><li><a href='/a'>x</a></li></ul>", CARD_BASE, Selectors(item="li[["))


def test_selectors_that_match_nothing_give_nothing() -> None:
    html = (OWN / "card-list.html").read_text(encoding="utf-8")

    assert parse_listing(html, CARD_BASE, Selectors(item="div.no-such-list li")) == []


# ------------------------------------------------------------------------------------------ URLs


@pytest.mark.parametrize(
    ("url", "article"),
    [
        pytest.param("https://www.siminsori.com/news/articleView.html?idxno=201595", True, id="ndsoft-view"),
        pytest.param("https://n.news.naver.com/mnews/article/025/0003249579?sid=100", True, id="naver-mnews"),
        pytest.param("https://www.gwangju.go.kr/boardView.do?boardId=BD_0000000027&seq=21180", True, id="board"),
        pytest.param("https://www.wando.go.kr/wando/sub.cs?m=1023&nttId=10010538", True, id="egov-nttid"),
        pytest.param("https://www.naju.go.kr/www/reporting/coverage?idx=591764&mode=view", True, id="idx-view"),
        pytest.param("https://www.hankyung.com/article/2026052462771", True, id="article-path"),
        pytest.param("https://news.example.kr/2025/02/05/gwangju-ai-hub/", True, id="dated-path"),
        pytest.param("https://www.siminsori.com/news/articleList.html?sc_section_code=S1N1", False, id="list"),
        pytest.param("https://www.gwangju.go.kr/boardList.do?boardId=BD_0000000027&movePage=2", False, id="paging"),
        pytest.param("https://www.siminsori.com/member/login.html", False, id="login"),
        pytest.param("https://www.gwangju.go.kr/fileDownload.do?seq=16222", False, id="download"),
        pytest.param("https://www.example.kr/", False, id="home"),
    ],
)
def test_article_urls_are_told_from_other_links(url: str, article: bool) -> None:
    assert (url_score(url) >= 2) is article
