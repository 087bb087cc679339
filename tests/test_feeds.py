"""Feeds as sites serve them: real saved feeds, every RSS flavour and Atom, legacy encodings, broken XML."""

from __future__ import annotations

import gzip
import json
import random
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from scrapers.dates import KST
from scrapers.feeds import FeedError, looks_like_feed, parse_feed
from scrapers.models import ListingItem

OWN = Path(__file__).parent / "fixtures" / "feeds"
REAL = Path(__file__).parents[1].parent / "shared" / "fixtures" / "real"
BASE = "https://www.base.example/rss/all.xml"


def _real_feeds() -> list[dict[str, Any]]:
    manifest = REAL / "MANIFEST.json"
    if not manifest.exists():
        return []
    return [entry for entry in json.loads(manifest.read_text("utf-8")) if entry["kind"] == "rss"]


def own(name: str) -> list[ListingItem]:
    return parse_feed((OWN / name).read_bytes(), BASE)


# --- real feeds -------------------------------------------------------------------------------------

REAL_FEEDS = _real_feeds()


@pytest.mark.parametrize("entry", REAL_FEEDS or [None], ids=[e["file"] for e in REAL_FEEDS] or ["absent"])
def test_real_feed_parses_like_the_manifest_says(entry: dict[str, Any] | None) -> None:
    if entry is None:
        pytest.skip("../shared/fixtures/real is not here")
    body = (REAL / entry["file"]).read_bytes()
    assert looks_like_feed(body)
    items = parse_feed(body, entry.get("source_url", BASE))
    assert len(items) == entry["item_count"]
    if "item_count_via_etree" in entry:
        assert len(items) == entry["item_count_via_etree"]
    if "first_item_title" in entry:
        first = items[0]
        # Google News titles carry " - <outlet>"; the parser moves that suffix into `outlet`.
        shown = first.title if first.outlet is None else f"{first.title} - {first.outlet}"
        assert shown == entry["first_item_title"]
    for item in items:
        assert item.title and "\ufffd" not in item.title
        assert item.url.startswith(("http://", "https://"))
        assert item.published_at is not None and item.published_at.tzinfo is not None


def test_real_euc_kr_blog_feed_reads_hangul_dates_and_links() -> None:
    path = REAL / "naver-blog-rss-euckr.xml"
    if not path.exists():
        pytest.skip("../shared/fixtures/real is not here")
    first = parse_feed(path.read_bytes(), "http://blog.rss.naver.com/alphathinker.xml")[0]
    assert first.url == "https://blog.naver.com/alphathinker/40002716789"
    assert first.published_at == datetime(2004, 5, 23, 19, 57, 35, tzinfo=KST)
    assert first.snippet is not None and first.snippet.startswith("실바 메서드 코리아(Silva Method Korea)에서는 2003년")


def test_real_google_news_feed_names_the_outlet_and_keeps_no_link_list_as_snippet() -> None:
    path = REAL / "google-news-rss-search-en-2026.xml"
    if not path.exists():
        pytest.skip("../shared/fixtures/real is not here")
    items = parse_feed(path.read_bytes(), "https://news.google.com/rss/search?q=x")
    first = items[0]
    assert first.title == "Trump again shrinks two national monuments in Utah"
    assert first.outlet == "The Washington Post"
    assert first.snippet is None
    # 2026 tokens are opaque: the item keeps the Google link (without ?oc=5), to be resolved on the page.
    assert first.url.startswith("https://news.google.com/rss/articles/CBMi") and "?" not in first.url
    assert all(item.outlet for item in items)


# --- our own fixtures -------------------------------------------------------------------------------


def test_atom_feed() -> None:
    items = own("atom.xml")
    # the third entry has no link and is skipped
    assert [i.title for i in items] == ["광주 국가AI컴퓨팅센터 유치 확정", "AI 데이터센터 집적단지 착공"]
    first, second = items
    assert first.url == "https://www.base.example/news/articleView.html?idxno=101"  # rel=alternate, relative
    assert first.published_at == datetime(2025, 2, 5, 17, 15, tzinfo=KST)  # published, not updated
    assert first.snippet == "광주광역시가 국가AI컴퓨팅센터를 유치했다. GPU 1,946개 규모."
    assert first.outlet == "광주매일"
    assert second.url == "https://www.example-gwangju.kr/news/articleView.html?idxno=102"  # m. host unified
    assert second.published_at == datetime(2025, 2, 4, 17, 0, tzinfo=KST)  # updated, in UTC
    assert second.snippet == "첨단3지구에 AI 데이터센터가 들어선다."


def test_utf8_rss_with_html_in_descriptions() -> None:
    first, second, third = own("rss-utf8-html.xml")
    assert first.title == '광주 AI 집적단지 2단계 예타 통과…"GPU 확충"'
    assert first.url == "https://www.namdo-ai.example/news/articleView.html?idxno=5001"
    assert first.snippet == (
        '광주광역시의 인공지능 산업융합 집적단지 2단계 사업이 예비타당성조사를 통과했다. R&D 예산 "4천억원".'
    )
    assert first.published_at == datetime(2025, 2, 5, 17, 15, tzinfo=KST)  # dc:date
    assert second.title == "데이터센터 전력 문제 & 해법"
    assert second.url == "https://www.base.example/news/articleView.html?idxno=5000"
    assert second.snippet == "전력 수급 문제를 짚었다. <특별기획>"
    assert second.published_at == datetime(2025, 2, 5, 17, 15, tzinfo=KST)  # pubDate in GMT
    assert third.snippet is not None and len(third.snippet) <= 301 and third.snippet.endswith("…")


def test_cp949_feed_declared_euc_kr_keeps_the_extra_hangul() -> None:
    body = (OWN / "rss-cp949.xml").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        body.decode("euc_kr")  # the fixture really holds CP949-only syllables
    first, second = parse_feed(body, BASE)
    assert first.title == "똠방각하, 광주 AI센터 방문"
    assert first.snippet == "뷁! 똠방각하가 쀍 하고 광주를 찾았다."
    assert first.url == "https://www.cp949-news.example/news/read.php?no=77"
    assert second.title == "펲시 없는 행사"


def test_cp949_feed_with_a_wrong_header_charset_still_reads() -> None:
    body = (OWN / "rss-cp949.xml").read_bytes()
    items = parse_feed(body, BASE, content_type="text/xml; charset=ISO-8859-1")
    assert items[0].title == "똠방각하, 광주 AI센터 방문"


def test_malformed_feed_keeps_the_readable_items() -> None:
    items = own("rss-malformed.xml")
    # Bare `&`, `&nbsp;`/`&ldquo;` and a control character are repaired; the item with a broken tag
    # and the item cut off at the end are dropped; the others survive.
    assert [i.title for i in items] == ["광주 R&D 특구 & AI 실증단지 지정", "AI 영재고 설립 추진"]
    assert items[0].url == "https://www.mudeung-ai.example/news/view.php?idx=301"
    assert items[0].snippet == "광주시는 5일 “AI 실증단지”를 지정했다.© 무등AI신문"
    assert items[0].published_at == datetime(2025, 2, 5, 17, 15, tzinfo=KST)


def test_rss_091_with_netscape_doctype_and_html_entities() -> None:
    (item,) = own("rss091-doctype-entities.xml")
    assert item.title == "Gwangju café opens an AI lab — again"
    assert item.snippet == "An AI lab in Gwangju…"
    assert item.published_at is None


def test_rss_10_rdf() -> None:
    (item,) = own("rdf-rss10.xml")
    assert item.title == "광주 AI 반도체 협력"
    assert item.url == "https://www.rdf-news.example/a/1"
    assert item.published_at == datetime(2025, 2, 5, 17, 15, tzinfo=KST)


def test_korean_google_news_search_feed() -> None:
    first, second = own("google-news-ko.xml")
    assert (first.title, first.outlet) == ("광주 국가AI컴퓨팅센터 유치 확정", "광주일보")
    # an older token carries the outlet URL: the item points at the outlet, tracking dropped
    assert first.url == "https://www.kwangju.co.kr/article.php?aid=1738739700780000006"
    assert first.snippet is None
    # only the last " - " is the outlet; a dash inside the headline stays
    assert (second.title, second.outlet) == ('"AI 중심도시 - 광주" 비전 선포', "남도일보")
    assert second.url.startswith("https://news.google.com/rss/articles/")


def test_an_article_listed_twice_comes_once() -> None:
    body = (
        "<rss version='2.0'><channel>"
        "<item><title>광주 AI 센터</title><link>https://m.a.example/news/1?utm_source=rss</link></item>"
        "<item><title>광주 AI 센터 (속보)</title><link>https://www.a.example/news/1</link></item>"
        "<item><title>다른 기사</title><link>https://www.a.example/news/2</link></item>"
        "</channel></rss>"
    ).encode()
    assert [i.title for i in parse_feed(body, BASE)] == ["광주 AI 센터", "다른 기사"]


def test_entity_declaration_text_inside_an_item_is_only_text() -> None:
    body = (
        "<rss version='2.0'><channel><item><title>XML 보안</title><link>https://www.a.example/x</link>"
        '<description><![CDATA[<!ENTITY lol "lol"> 선언을 막는 방법]]></description></item></channel></rss>'
    ).encode()
    (item,) = parse_feed(body, BASE)  # not refused: only a DOCTYPE can declare entities
    assert item.title == "XML 보안"
    assert item.snippet == "선언을 막는 방법"  # in HTML, `<!ENTITY …>` is a bogus comment


def test_empty_but_valid_feed_has_no_items() -> None:
    assert parse_feed(b"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title></channel></rss>", BASE) == []


# --- what is not a feed ----------------------------------------------------------------------------

NOT_FEEDS = [
    ("empty", b"", "the feed is empty"),
    ("whitespace", b" \r\n\t", "the feed is empty"),
    ("HTML page", (OWN / "not-a-feed.html").read_bytes(), "no <rss>, <feed> or <rdf:RDF> root"),
    ("JSON", b'{"items": []}', "the feed is not XML"),
    ("random bytes", random.Random(7).randbytes(3000), "the feed is not XML"),
    ("PNG", b"\x89PNG\r\n\x1a\n" + random.Random(1).randbytes(200), "the feed is not XML"),
    ("gzip without Content-Encoding", gzip.compress((OWN / "atom.xml").read_bytes()), "the feed is not XML"),
    ("markup garbage", b"<a" + random.Random(3).randbytes(500), "no <rss>, <feed> or <rdf:RDF> root"),
    ("truncated root", b"<rss", "the feed is not XML"),
    ("other XML", b"<?xml version='1.0'?><urlset><url><loc>x</loc></url></urlset>", "no <rss>, <feed>"),
    ("entity bomb", (OWN / "entity-bomb.xml").read_bytes(), "declares XML entities"),
]


@pytest.mark.parametrize(("body", "message"), [c[1:] for c in NOT_FEEDS], ids=[c[0] for c in NOT_FEEDS])
def test_not_a_feed_is_a_plain_feed_error(body: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message.replace("(", r"\(")) as error:
        parse_feed(body, BASE)
    assert isinstance(error.value, ValueError)


@pytest.mark.parametrize("seed", range(40))
def test_binary_garbage_never_crashes(seed: int) -> None:
    rng = random.Random(seed)
    prefix = rng.choice([b"", b"<rss>", b"<?xml version='1.0' encoding='euc-kr'?><rss><item><title>", b"<feed"])
    body = prefix + rng.randbytes(rng.randrange(1, 4000))
    try:
        items = parse_feed(body, BASE)
    except FeedError:
        return
    assert all(isinstance(item, ListingItem) for item in items)


LOOKS = [
    ("RSS with declaration and comment", b"<?xml version='1.0'?>\n<!-- hi -->\n<rss version='2.0'>", True),
    ("Atom with BOM", b"\xef\xbb\xbf<feed xmlns='http://www.w3.org/2005/Atom'>", True),
    ("RSS behind a stylesheet instruction", b"<?xml version='1.0'?><?xml-stylesheet href='s.xsl'?><rss>", True),
    ("RDF", b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>", True),
    ("RSS 0.91 doctype", b'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "x.dtd"><rss>', True),
    ("HTML", b"<!DOCTYPE html><html><head>", False),
    ("XHTML with declaration", b"<?xml version='1.0'?><html xmlns='http://www.w3.org/1999/xhtml'>", False),
    ("text", "광주 AI".encode(), False),
    ("the HTML fixture", (OWN / "not-a-feed.html").read_bytes(), False),
    ("random bytes", random.Random(7).randbytes(3000), False),
    ("gzip of a feed", gzip.compress((OWN / "atom.xml").read_bytes()), False),
]


@pytest.mark.parametrize(("body", "expected"), [c[1:] for c in LOOKS], ids=[c[0] for c in LOOKS])
def test_looks_like_feed(body: bytes, expected: bool) -> None:
    assert looks_like_feed(body) is expected
