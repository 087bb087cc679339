"""`discover URL [--toml]`: an outlet's feeds and list pages found, tried and ranked.

End to end against a fake NDSoft-style outlet on loopback (`NewsSite`); the pure parts against small
pages and, when ../shared is present, a real NDSoft home page.
"""

from __future__ import annotations

import html
import tomllib
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from bot.config import load_config
from scrapers.dates import KST
from scrapers.discover import Candidate, Found, cms_of, feed_links, page_candidates, rank, site_name, to_toml
from tests.conftest import run_cli, write_config
from tests.servers.news_site import NewsSite, Page, Request

NOW = datetime.now(KST)
SECTIONS = {"S1N1": "정치", "S1N2": "경제"}


def _feed(items: list[tuple[str, str, datetime]], title: str) -> Page:
    entries = "".join(
        f"<item><title>{html.escape(t)}</title><link>{html.escape(link)}</link>"
        f"<pubDate>{format_datetime(when)}</pubDate></item>"
        for t, link, when in items
    )
    channel = f"<channel><title>{title}</title>{entries}</channel>"
    doc = f"<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'>{channel}</rss>"
    return Page(doc.encode(), content_type="application/rss+xml; charset=utf-8")


def _list_page(section: str | None, n: int) -> Page:
    rows = "".join(
        f"""<li><h4 class="titles"><a href="/news/articleView.html?idxno={100 * (i + 1) + len(section or "")}">
광주 인공지능 산업 소식 {section or "전체"} {i}번째 기사 제목입니다</a></h4>
<span class="byline"><em>{(NOW - timedelta(hours=i + 1)).strftime("%Y.%m.%d %H:%M")}</em></span></li>"""
        for i in range(n)
    )
    title = f"{section or '전체기사'} - 광주AI일보"
    doc = f"""<!doctype html><html><head><meta charset="utf-8"><title>{title}</title></head>
<body><nav id="gnb"><a href="/">홈</a></nav><section id="section-list"><ul class="type1">{rows}</ul></section>
<div class="pagination"><a href="?page=1">1</a><a href="?page=2">2</a><a href="?page=3">3</a></div></body></html>"""
    return Page(doc.encode())


def _home() -> Page:
    nav = "".join(
        f'<li><a href="/news/articleList.html?sc_section_code={code}&view_type=sm">{name}</a></li>'
        for code, name in SECTIONS.items()
    )
    doc = f"""<!doctype html><html><head><meta charset="utf-8"><title>광주AI일보</title>
<meta property="og:site_name" content="광주AI일보">
<link rel="alternate" type="application/rss+xml" title="전체기사" href="/rss/allArticle.xml">
</head><body><nav id="gnb"><ul><li><a href="/news/articleList.html?view_type=sm">전체기사</a></li>{nav}
<li><a href="/news/articleView.html?idxno=5">광주 AI 데이터센터 착공 소식을 전합니다</a></li></ul></nav>
<a href="/rss/">RSS</a><a href="https://www.facebook.com/gwangjuai">페이스북</a>
<footer><a href="https://www.ndsoft.co.kr">NDSoft</a></footer></body></html>"""
    return Page(doc.encode())


@pytest.fixture
def outlet() -> Iterator[NewsSite]:
    with NewsSite() as site:
        base = site.url("")
        site.add("/", _home())
        fresh = [
            (f"광주 AI 소식 {i}", f"{base}/news/articleView.html?idxno={i}", NOW - timedelta(hours=i)) for i in range(5)
        ]
        site.add("/rss/allArticle.xml", _feed(fresh, "광주AI일보 전체기사"))
        stale = [
            (f"옛 정치 소식 {i}", f"{base}/news/articleView.html?idxno={50 + i}", NOW - timedelta(days=60))
            for i in range(8)
        ]
        site.add("/rss/S1N1.xml", _feed(stale, "광주AI일보 정치"))
        # /rss/S1N2.xml is absent (404); /feed answers with an HTML page, not a feed
        site.add("/feed", Page(b"<html><body>not here</body></html>"))
        site.add(
            "/rss/",
            Page(
                b'<html><body><a href="/rss/allArticle.xml">all</a><a href="/rss/S1N1.xml">politics</a></body></html>'
            ),
        )

        def articles(request: Request) -> Page:
            for code in SECTIONS:
                if f"sc_section_code={code}" in request.path:
                    return _list_page(code, 3)
            return _list_page(None, 6)

        site.add("/news/articleList.html", articles)
        yield site


def test_discover_prints_each_source_tried_best_first(outlet: NewsSite, tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.toml", sources={})
    result = run_cli("discover", outlet.url("/"), "--config", str(config))
    assert result.returncode == 0, result.stderr
    lines = result.json_lines()
    for line in lines:
        assert set(line) == {"url", "type", "items", "newest"}
        assert line["type"] in ("rss", "html") and isinstance(line["items"], int)
    first = lines[0]
    assert first["url"] == outlet.url("/rss/allArticle.xml") and first["type"] == "rss" and first["items"] == 5
    assert datetime.fromisoformat(first["newest"]) > NOW - timedelta(hours=1, minutes=1)
    urls = [line["url"] for line in lines]
    # the stale section feed comes after the fresh one, though it has more items
    assert urls.index(outlet.url("/rss/S1N1.xml")) == 1
    lists = [line for line in lines if line["type"] == "html"]
    assert outlet.url("/news/articleList.html?view_type=sm") in [line["url"] for line in lists]
    assert {line["items"] for line in lists if "sc_section_code" in line["url"]} == {3}
    assert outlet.url("/") in [line["url"] for line in lists]  # the home page is a candidate too
    # the HTML at /feed and the absent section feed are not sources; they are said on stderr
    assert outlet.url("/feed") not in urls and outlet.url("/rss/S1N2.xml") not in urls
    assert "skipped" in result.stderr and "S1N2.xml" in result.stderr
    # politely: robots.txt first, every candidate once
    paths = [r.path for r in outlet.requests]
    assert paths[0] == "/robots.txt"
    assert len(paths) == len(set(paths))


def test_discover_toml_entries_load_as_a_config(outlet: NewsSite, tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.toml", sources={})
    result = run_cli("discover", outlet.url("/"), "--toml", "--config", str(config))
    assert result.returncode == 0, result.stderr
    entries = tomllib.loads(result.stdout)["sources"]
    assert entries[0] == {
        "name": "광주AI일보 전체기사",
        "url": outlet.url("/rss/allArticle.xml"),
        "type": "rss",
        "interval_minutes": 10,
        "comment": entries[0]["comment"],
    }
    assert entries[0]["comment"].startswith(f"found by discover on {NOW:%Y-%m-%d}: 5 items, newest ")
    assert len({e["name"] for e in entries}) == len(entries)
    assert {e["type"] for e in entries} == {"rss", "html"}
    assert "경제" in {e["name"].split()[-1] for e in entries}
    pasted = tmp_path / "pasted.toml"
    pasted.write_text(config.read_text(encoding="utf-8") + "\n" + result.stdout, encoding="utf-8")
    loaded = load_config(pasted)
    assert [s.url for s in loaded.sources] == [e["url"] for e in entries]


def test_discover_of_an_unreachable_home_page_says_so(tmp_path: Path) -> None:
    config = write_config(tmp_path / "config.toml", sources={})
    with NewsSite() as site:
        url = site.url("/")
    result = run_cli("discover", url, "--config", str(config))  # the server is gone
    assert result.returncode == 1
    assert "cannot read" in result.stderr and result.stdout == ""
    assert run_cli("discover", "www.example.com", "--config", str(config)).returncode == 2


# -- the pure parts ------------------------------------------------------------------------------------


def test_candidates_of_a_wordpress_and_a_gnuboard_page() -> None:
    wordpress = (
        '<html><head><meta name="generator" content="WordPress 6.5">'
        '<link rel="stylesheet" href="/wp-content/themes/x.css"></head><body>'
        '<a href="/category/news/">뉴스</a><a href="/2025/01/02/post-1/">광주 AI 글</a></body></html>'
    )
    kinds = [(c.kind, c.url) for c in page_candidates(wordpress, "https://blog.example.kr/")]
    assert cms_of(wordpress) == {"wordpress"}
    assert ("feed", "https://blog.example.kr/feed/") in kinds
    assert ("list", "https://blog.example.kr/category/news/") in kinds
    assert all("post-1" not in url for _, url in kinds)
    gnuboard = (
        '<html><body><a href="/bbs/board.php?bo_table=news">보도자료</a>'
        '<a href="/bbs/board.php?bo_table=news&wr_id=7">광주 AI 보도자료 제목</a></body></html>'
    )
    urls = [c.url for c in page_candidates(gnuboard, "https://www.gun.example.kr/")]
    assert cms_of(gnuboard) == {"gnuboard"}
    assert "https://www.gun.example.kr/bbs/rss.php?bo_table=news" in urls
    assert "https://www.gun.example.kr/bbs/board.php?bo_table=news" in urls
    assert not any("wr_id" in url for url in urls)


def test_declared_feeds_come_first_and_other_sites_are_ignored() -> None:
    page = (
        '<html><head><link rel="alternate" type="application/atom+xml" href="https://cdn.outlet.example/atom.xml">'
        '</head><body><a href="https://other.example/rss.xml">x</a>'
        '<a href="/news/articleList.html?sc_sub_section_code=S2N9">하위</a>'
        '<a href="/news/articleList.html?sc_section_code=S1N3">상위</a></body></html>'
    )
    candidates = page_candidates(page, "https://www.outlet.example/")
    assert candidates[0].url == "https://cdn.outlet.example/atom.xml"
    assert all("other.example" not in c.url for c in candidates)
    lists = [c.label for c in candidates if c.kind == "list"]
    assert lists.index("상위") < lists.index("하위")
    assert feed_links('<a href="/rss/S1N1.xml">정치</a><a href="/about">x</a>', "https://a.example/rss/") == [
        Candidate("https://a.example/rss/S1N1.xml", "feed", "정치")
    ]


def test_rank_and_toml_names() -> None:
    old = NOW - timedelta(days=90)
    found = [
        Found("https://a.example/list", "html", 20, NOW, "전체기사"),
        Found("https://a.example/rss/S1N1.xml", "rss", 50, old, "정치"),
        Found("https://a.example/rss/all.xml", "rss", 30, NOW, ""),
        Found("https://a.example/empty", "html", 0, None, ""),
    ]
    ranked = rank(found, NOW)
    assert [f.url.rsplit("/", 1)[-1] for f in ranked] == ["all.xml", "S1N1.xml", "list", "empty"]
    text = to_toml(ranked, "예시일보", NOW)
    names = [e["name"] for e in tomllib.loads(text)["sources"]]
    assert names == ["예시일보 RSS", "예시일보 정치", "예시일보 전체기사"]
    assert to_toml([], "예시일보", NOW) == ""


def test_real_ndsoft_home_page_candidates(real_fixtures: Path) -> None:
    page = (real_fixtures / "siminsori-gwangju-ndsoft-home-2018.html").read_text("utf-8")
    assert site_name(page) == "시민의소리" and cms_of(page) == {"ndsoft"}
    candidates = page_candidates(page, "http://www.siminsori.com/")
    urls = [c.url for c in candidates]
    assert "http://www.siminsori.com/rss/" in urls  # the RSS index the page links
    assert "http://www.siminsori.com/rss/allArticle.xml" in urls
    lists = [c for c in candidates if c.kind == "list"]
    assert lists[0].url == "http://www.siminsori.com/news/articleList.html?view_type=sm"
    assert lists[0].label == "전체기사"
    assert {"정치", "경제", "사회"} <= {c.label for c in lists}
