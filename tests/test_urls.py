"""One article, one URL: canonical forms, aggregator wrappers and the page's own canonical link."""

from __future__ import annotations

from pathlib import Path

import pytest

from scrapers.decode import decode
from scrapers.urls import aggregator_target, canonical_url, page_canonical

REAL = Path(__file__).parents[1].parent / "shared" / "fixtures" / "real"

CANONICAL = [
    # tracking and session noise goes
    ("utm parameters and fragment", "https://www.etnews.com/20210205000123?utm_source=naver&utm_medium=news#c",
     "https://www.etnews.com/20210205000123"),
    ("ref=naver on an outlet link", "https://biz.heraldcorp.com/article/10471898?ref=naver",
     "https://biz.heraldcorp.com/article/10471898"),
    ("fbclid, gclid, NaPm", "https://www.kjdaily.com/article/1?fbclid=abc&gclid=x&NaPm=ct%3Dm0",
     "https://www.kjdaily.com/article/1"),
    ("jsessionid path parameter and PHPSESSID", "http://www.example.com/view.jsp;jsessionid=ABCDEF0123?id=5&PHPSESSID=x",
     "https://www.example.com/view.jsp?id=5"),
    ("long sid is a session", "https://www.example.com/view?sid=0123456789abcdef0123&id=3",
     "https://www.example.com/view?id=3"),
    ("short sid is a section and stays", "https://www.example.com/list?sid=100",
     "https://www.example.com/list?sid=100"),
    # identifying parameters stay, list state goes
    ("NDSoft idxno kept, section and view type dropped",
     "https://www.siminsori.com/news/articleView.html?idxno=201595&sc_section_code=S1N1&view_type=sm",
     "https://www.siminsori.com/news/articleView.html?idxno=201595"),
    ("gnuboard ids kept and sorted, page dropped", "http://www.example.co.kr/bbs/board.php?wr_id=5&bo_table=news&page=3",
     "https://www.example.co.kr/bbs/board.php?bo_table=news&wr_id=5"),
    ("korea.kr newsId kept, search form dropped",
     "https://www.korea.kr/briefing/pressReleaseView.do?newsId=156738805&pageIndex=1&repCodeType=&repCode="
     "&startDate=2025-01-07&endDate=2026-01-07&srchWord=&period=",
     "https://www.korea.kr/briefing/pressReleaseView.do?newsId=156738805"),
    ("wando nttId and board kept", "https://www.wando.go.kr/wando/sub.cs?m=1023&nttId=10010538&pBoardId=BBSMSTR_36",
     "https://www.wando.go.kr/wando/sub.cs?m=1023&nttId=10010538&pBoardId=BBSMSTR_36"),
    ("naju idx and mode=view kept", "https://www.naju.go.kr/www/administration/reporting/coverage?mode=view&idx=591764",
     "https://www.naju.go.kr/www/administration/reporting/coverage?idx=591764&mode=view"),
    ("KBS ncd kept", "https://news.kbs.co.kr/news/view.do?ncd=7645555&ref=A",
     "https://news.kbs.co.kr/news/view.do?ncd=7645555"),
    ("SBS news_id kept", "https://news.sbs.co.kr/news/endPage.do?news_id=N1007161547&plink=ORI",
     "https://news.sbs.co.kr/news/endPage.do?news_id=N1007161547&plink=ORI"),
    # host and scheme variants
    ("http mobile host", "http://m.etnews.com/20210205000123", "https://www.etnews.com/20210205000123"),
    ("bare registrable domain gets www", "https://mbn.co.kr/news/society/4917663",
     "https://www.mbn.co.kr/news/society/4917663"),
    ("mobile. prefix", "http://mobile.newsis.com/view.html?ar_id=NISX2025", "https://www.newsis.com/view.html?ar_id=NISX2025"),
    ("www kept under a country second level", "https://www.collector.com.tr/963470370",
     "https://www.collector.com.tr/963470370"),
    ("deeper host only loses m.", "https://m.sports.khan.co.kr/article/1", "https://sports.khan.co.kr/article/1"),
    ("upper-case scheme and host", "HTTPS://WWW.Example.COM/a", "https://www.example.com/a"),
    ("default port dropped", "https://www.example.com:443/a", "https://www.example.com/a"),
    ("NDSoft mobile host", "http://m.siminsori.com/news/articleView.html?idxno=201595",
     "https://www.siminsori.com/news/articleView.html?idxno=201595"),
    ("NDSoft AMP page", "https://www.siminsori.com/news/articleViewAmp.html?idxno=201595",
     "https://www.siminsori.com/news/articleView.html?idxno=201595"),
    ("article.html CMS mobile page", "https://www.hellot.net/mobile/article.html?no=76118",
     "https://www.hellot.net/news/article.html?no=76118"),
    ("Naver legacy read.naver", "https://news.naver.com/main/read.naver?mode=LS2D&mid=shm&sid1=100&sid2=267&oid=421&aid=0002484966",
     "https://n.news.naver.com/article/421/0002484966"),
    ("Naver mobile read.nhn", "https://m.news.naver.com/read.nhn?oid=025&aid=0003249579&sid1=100",
     "https://n.news.naver.com/article/025/0003249579"),
    ("Naver mnews with sid", "https://n.news.naver.com/mnews/article/025/0003249579?sid=100",
     "https://n.news.naver.com/article/025/0003249579"),
    ("Daum news.v host and from flag", "https://news.v.daum.net/v/20250205171500123?f=o",
     "https://v.daum.net/v/20250205171500123"),
    ("Gwangju city board: ids only", "https://www.gwangju.go.kr/boardView.do?pageId=www789&boardId=BD_0000000027&seq=21180",
     "https://www.gwangju.go.kr/boardView.do?boardId=BD_0000000027&seq=21180"),
    ("Google News token loses oc", "https://news.google.com/rss/articles/CBMiwwFBVV95?oc=5",
     "https://news.google.com/rss/articles/CBMiwwFBVV95"),
    # encoding
    ("Hangul in path and query", "https://www.example.com/기사?q=인공지능 센터",
     "https://www.example.com/%EA%B8%B0%EC%82%AC?q=%EC%9D%B8%EA%B3%B5%EC%A7%80%EB%8A%A5%20%EC%84%BC%ED%84%B0"),
    ("percent escapes upper-cased, EUC-KR bytes untouched", "https://www.example.com/s?kw=%b1%a4%c1%d6",
     "https://www.example.com/s?kw=%B1%A4%C1%D6"),
    ("empty path", "https://www.example.com", "https://www.example.com/"),
    # left alone
    ("loopback test server keeps http and port", "http://127.0.0.1:8123/news/1?utm_source=x&id=1",
     "http://127.0.0.1:8123/news/1?id=1"),
    ("localhost keeps its form", "http://localhost/a", "http://localhost/a"),
    ("explicit port keeps scheme and host", "http://www.example.com:8080/a", "http://www.example.com:8080/a"),
    ("mailto", "mailto:news@example.com", "mailto:news@example.com"),
    ("broken IPv6 literal comes back unchanged", "http://[bad/x", "http://[bad/x"),
]  # fmt: skip


@pytest.mark.parametrize(("url", "expected"), [c[1:] for c in CANONICAL], ids=[c[0] for c in CANONICAL])
def test_canonical_form(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_canonical_is_idempotent() -> None:
    for _, url, _expected in CANONICAL:
        once = canonical_url(url)
        assert canonical_url(once) == once


SAME_ARTICLE = [
    ("etnews mobile and desktop", "http://m.etnews.com/20210205000123", "https://www.etnews.com/20210205000123"),
    ("MBN og:url and canonical", "http://www.mbn.co.kr/news/society/4917663", "https://mbn.co.kr/news/society/4917663"),
    ("Naver legacy and new", "https://news.naver.com/main/read.naver?mode=LSD&mid=sec&oid=001&aid=0009205077&sid1=001",
     "https://n.news.naver.com/mnews/article/001/0009205077?sid=001"),
    ("Daum old and new host", "https://news.v.daum.net/v/oU43f89lSh", "https://v.daum.net/v/oU43f89lSh"),
    ("query order", "https://www.example.co.kr/bbs/board.php?bo_table=news&wr_id=5",
     "https://www.example.co.kr/bbs/board.php?wr_id=5&bo_table=news"),
    ("Newsis mobile AMP and desktop", "https://mobile.newsis.com/view_amp.html?ar_id=NISX20251002_0003354432",
     "https://www.newsis.com/view/NISX20251002_0003354432"),
    ("Newsis old desktop and new", "https://www.newsis.com/view/?id=NISX20251002_0003354432&pID=10800",
     "https://www.newsis.com/view/NISX20251002_0003354432"),
    ("Hankyung AMP and article", "https://hankyung.com/amp/202305155072Y", "https://www.hankyung.com/article/202305155072Y"),
    ("Nocut mobile AMP and article", "https://m.nocutnews.co.kr/news/amp/6418191", "https://www.nocutnews.co.kr/news/6418191"),
    ("FN AMP and article", "https://fnnews.com/ampNews/202401101441205304", "https://www.fnnews.com/news/202401101441205304"),
    ("Aju mobile AMP and article", "https://m.ajunews.com/amp/20240409123621823", "https://www.ajunews.com/view/20240409123621823"),
    ("광주일보 print page, img host and mobile", "http://img.kwangju.co.kr/print.php?aid=1768380600794438277",
     "http://m.kwangju.co.kr/article.php?aid=1768380600794438277"),
    ("광남일보 print and article", "http://www.gwangnam.co.kr/print.php?aid=1761215338520199000",
     "http://m.gwangnam.co.kr/article.php?aid=1761215338520199000"),
    ("NDSoft reply ordering", "http://www.ksilbo.net/news/articleView.html?idxno=15165&replyAll=&reply_sc_order_by=C",
     "https://ksilbo.net/news/articleView.html?idxno=15165"),
    ("Gwangju city list link and the article's og:url",
     "https://www.gwangju.go.kr/boardView.do?pageId=&boardId=BD_0000000027&seq=21180&movePage=1&recordCnt=10",
     "https://www.gwangju.go.kr/boardView.do?pageId=www789&boardId=BD_0000000027&seq=21180"),
]  # fmt: skip


@pytest.mark.parametrize(("a", "b"), [c[1:] for c in SAME_ARTICLE], ids=[c[0] for c in SAME_ARTICLE])
def test_variants_of_one_article_are_equal(a: str, b: str) -> None:
    assert canonical_url(a) == canonical_url(b)


DIFFERENT = [
    ("different idxno", "https://www.jnilbo.com/news/articleView.html?idxno=1",
     "https://www.jnilbo.com/news/articleView.html?idxno=2"),
    ("different Naver press", "https://n.news.naver.com/article/001/0009205077",
     "https://n.news.naver.com/article/002/0009205077"),
    ("different gnuboard board", "https://www.example.co.kr/bbs/board.php?bo_table=a&wr_id=5",
     "https://www.example.co.kr/bbs/board.php?bo_table=b&wr_id=5"),
    ("different site", "https://www.kjdaily.com/article/1", "https://www.kwangju.co.kr/article/1"),
]  # fmt: skip


@pytest.mark.parametrize(("a", "b"), [c[1:] for c in DIFFERENT], ids=[c[0] for c in DIFFERENT])
def test_different_articles_stay_different(a: str, b: str) -> None:
    assert canonical_url(a) != canonical_url(b)


RELATIVE = [
    ("root-relative", "/news/articleView.html?idxno=201595", "http://www.siminsori.com/",
     "https://www.siminsori.com/news/articleView.html?idxno=201595"),
    ("document-relative", "articleView.html?idxno=7883", "http://www.psychiatricnews.net/news/articleList.html?page=2",
     "https://www.psychiatricnews.net/news/articleView.html?idxno=7883"),
    ("parent-relative", "../view.php?id=1", "https://www.example.com/a/b/list.php", "https://www.example.com/a/view.php?id=1"),
    ("protocol-relative", "//m.etnews.com/1", "https://www.etnews.com/", "https://www.etnews.com/1"),
    ("query-only", "?idx=591764&mode=view", "https://www.naju.go.kr/www/administration/reporting/coverage?mode=list",
     "https://www.naju.go.kr/www/administration/reporting/coverage?idx=591764&mode=view"),
    ("absolute ignores base", "https://www.mk.co.kr/news/politics/11333783", "https://www.example.com/",
     "https://www.mk.co.kr/news/politics/11333783"),
    ("loopback base", "/article/7?utm_medium=rss", "http://127.0.0.1:5000/list", "http://127.0.0.1:5000/article/7"),
]  # fmt: skip


@pytest.mark.parametrize(("href", "base", "expected"), [c[1:] for c in RELATIVE], ids=[c[0] for c in RELATIVE])
def test_relative_links_resolve(href: str, base: str, expected: str) -> None:
    assert canonical_url(href, base) == expected


# Real Google News tokens (2023): protobuf 08 13 22 <len> <url>; the 2026 token from the real feed is opaque.
OLD_TOKEN = (
    "https://news.google.com/rss/articles/CBMiS2h0dHBzOi8vd3d3Lndhc2hpbmd0b25wb3N0LmNvbS93b3JsZC8yMDIzLzEwLzE5L2lz"
    "cmFlbC1uZXdzLWhhbWFzLXdhci1nYXphL9IBAA?oc=5"
)
NEW_TOKEN = (
    "https://news.google.com/rss/articles/CBMiwwFBVV95cUxQa2dqd043R002YmtMMzRmUTQ5RFRPMEZPbzZIWlRFZlhFRlFpUjJoTnIxU0d"
    "fbEtRTVJUaGsxY0xHR2Q2M2ZzdmRuQ2pHYmw1VElfa0tBUDAySTFaZUVMV3llUG52cDF0cWlzcTBxTE5lNkNuUDZjcG11eGNVNXE2RWdnUG9STn"
    "pacnVQV1JCRFlKcGo0bDJPdUpXWXFyZE1CbHl3Vkx5VGtTeFM5ZGdmLVB4VEtIMW41WEZOOXgydkFleFE?oc=5"
)
AGGREGATORS = [
    ("old Google News token carries the URL", OLD_TOKEN,
     "https://www.washingtonpost.com/world/2023/10/19/israel-news-hamas-war-gaza/"),
    ("new Google News token is opaque", NEW_TOKEN, None),
    ("Google News token that is not base64", "https://news.google.com/rss/articles/@@@", None),
    ("Naver article is the article", "https://n.news.naver.com/article/003/0011013914", None),
    ("Naver legacy read is the article", "https://news.naver.com/main/read.naver?oid=001&aid=0009205077", None),
    ("Daum article is the article", "https://v.daum.net/v/20250205171500123", None),
    ("google.com/url redirect", "https://www.google.com/url?sa=t&url=https%3A%2F%2Fm.etnews.com%2F2021%3Futm_source%3Dx",
     "https://www.etnews.com/2021"),
    ("facebook u= redirect", "https://l.facebook.com/l.php?u=https%3A%2F%2Fwww.kjdaily.com%2Farticle%2F1&h=AT0",
     "https://www.kjdaily.com/article/1"),
    ("AMP cache", "https://www-aitimes-kr.cdn.ampproject.org/c/s/www.aitimes.kr/news/articleViewAmp.html?idxno=34616",
     "https://www.aitimes.kr/news/articleView.html?idxno=34616"),
    ("url= that is not a URL", "https://www.example.com/share?url=abc", None),
    ("ordinary outlet article", "https://www.etnews.com/20210205000123", None),
]  # fmt: skip


@pytest.mark.parametrize(("url", "expected"), [c[1:] for c in AGGREGATORS], ids=[c[0] for c in AGGREGATORS])
def test_aggregator_target(url: str, expected: str | None) -> None:
    assert aggregator_target(url) == expected


PAGES = [
    ("canonical link", '<link rel="canonical" href="https://www.jnilbo.com/news/articleView.html?idxno=9">',
     None, "https://www.jnilbo.com/news/articleView.html?idxno=9"),
    ("og:url when no canonical", '<meta property="og:url" content="http://m.etnews.com/2021?utm_source=x">',
     None, "https://www.etnews.com/2021"),
    ("canonical before og:url", '<meta property="og:url" content="https://a.example.com/2">'
     '<link rel="Canonical" href="https://a.example.com/1">', None, "https://a.example.com/1"),
    ("site root canonical skipped for og:url", '<link rel="canonical" href="https://www.gwangju.go.kr">'
     '<meta property="og:url" content="https://www.gwangju.go.kr/boardView.do?boardId=B&amp;seq=21180">',
     None, "https://www.gwangju.go.kr/boardView.do?boardId=B&seq=21180"),
    ("section root og:url is not the article", '<meta property="og:url" content="http://www.mokpo.go.kr/www">',
     "https://www.mokpo.go.kr/www/open_administration/city_news/press_release?idx=1&mode=view", None),
    ("relative canonical with the fetched URL", '<link rel="canonical" href="/news/articleView.html?idxno=5">',
     "https://www.siminsori.com/news/articleView.html?idxno=5&page=2",
     "https://www.siminsori.com/news/articleView.html?idxno=5"),
    ("relative canonical without it", '<link rel="canonical" href="/news/articleView.html?idxno=5">', None, None),
    ("nothing", "<html><head><title>x</title></head></html>", None, None),
    ("empty href", '<link rel="canonical" href=" ">', None, None),
]  # fmt: skip


@pytest.mark.parametrize(("html", "base", "expected"), [c[1:] for c in PAGES], ids=[c[0] for c in PAGES])
def test_page_canonical(html: str, base: str | None, expected: str | None) -> None:
    assert page_canonical(html, base=base) == expected


REAL_PAGES = [
    ("jnilbo-article-ndsoft-2025.html", "https://www.jnilbo.com/news/articleView.html?idxno=90000015817"),
    ("gwangju-go-kr-press-release-ai.html", "https://www.gwangju.go.kr/boardView.do?boardId=BD_0000000027&seq=21180"),
    ("naver-news-article-read-legacy.html", "https://n.news.naver.com/article/001/0009205077"),
    ("naver-news-mnews-article-2026.html", "https://n.news.naver.com/article/421/0008770777"),
    ("daum-news-article-2018.html", "https://v.daum.net/v/oU43f89lSh"),
    ("mbn-news-article-2023.html", "https://www.mbn.co.kr/news/society/4917663"),
    ("jeonnam-go-kr-press-release.html", None),
]


@pytest.mark.parametrize(("name", "expected"), REAL_PAGES, ids=[n for n, _ in REAL_PAGES])
def test_page_canonical_on_real_pages(name: str, expected: str | None) -> None:
    path = REAL / name
    if not path.exists():
        pytest.skip("../shared/fixtures/real is not here")
    assert page_canonical(decode(path.read_bytes())) == expected
