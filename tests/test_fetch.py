"""The fetcher against a real news site on loopback: what a polite, bounded client must do.

Every test starts `tests.servers.news_site.NewsSite` and asserts on what crossed the wire.
"""

from __future__ import annotations

import asyncio
import gzip
import itertools
import socket
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import brotli
import pytest

from bot.config import FetchConfig
from scrapers.fetch import Fetcher, FetchError
from scrapers.robots import RobotsRules
from tests.servers.news_site import NewsSite, Page, Request

REAL = Path(__file__).parents[1].parent / "shared" / "fixtures" / "real"
MB = 1_000_000
HANGUL_PAGE = (
    "<html><head>{meta}<title>광주 AI 데이터센터 착공</title></head><body><p>인공지능 집적단지</p></body></html>"
)


def config(**overrides: Any) -> FetchConfig:
    """Test defaults: no proxies from the environment, no politeness pauses unless a test asks."""
    values: dict[str, Any] = {"trust_env": False, "min_host_delay_seconds": 0.0, "timeout_seconds": 5.0}
    values.update(overrides)
    return FetchConfig(**values)


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with NewsSite() as s:
        yield s


async def fetch_error(fetcher: Fetcher, url: str) -> FetchError:
    with pytest.raises(FetchError) as caught:
        await fetcher.fetch(url)
    return caught.value


# -- decoding ---------------------------------------------------------------------------------------


async def test_euc_kr_page_with_charset_only_in_meta_decodes(site: NewsSite) -> None:
    meta = '<meta http-equiv="Content-Type" content="text/html; charset=euc-kr">'
    site.add("/board", Page(HANGUL_PAGE.format(meta=meta).encode("euc-kr"), content_type="text/html"))
    async with Fetcher(config()) as fetcher:
        result = await fetcher.fetch(site.url("/board"))
    assert "광주 AI 데이터센터 착공" in result.text
    assert "\ufffd" not in result.text


@pytest.mark.parametrize(
    ("header", "meta", "encoding"),
    [
        ("text/html; charset=euc-kr", '<meta charset="utf-8">', "euc-kr"),
        ("text/html; charset=utf-8", '<meta charset="euc-kr">', "utf-8"),
    ],
    ids=["header-euc-kr-beats-meta-utf8", "header-utf8-beats-meta-euc-kr"],
)
async def test_header_charset_wins_over_meta(site: NewsSite, header: str, meta: str, encoding: str) -> None:
    site.add("/p", Page(HANGUL_PAGE.format(meta=meta).encode(encoding), content_type=header))
    async with Fetcher(config()) as fetcher:
        result = await fetcher.fetch(site.url("/p"))
    assert "광주 AI 데이터센터 착공" in result.text


async def test_encoding_override_beats_everything(site: NewsSite) -> None:
    body = HANGUL_PAGE.format(meta="").encode("euc-kr")
    site.add("/p", Page(body, content_type="text/html; charset=utf-8"))
    async with Fetcher(config()) as fetcher:
        result = await fetcher.fetch(site.url("/p"), encoding="cp949")
    assert "광주 AI 데이터센터 착공" in result.text


async def test_invalid_bytes_in_euc_kr_page_become_replacement_characters(site: NewsSite) -> None:
    good = HANGUL_PAGE.format(meta='<meta charset="euc-kr">').encode("euc-kr")
    broken = good.replace(" 집적단지".encode("euc-kr"), b"\xff\x80 " + "집적단지".encode("euc-kr"))
    site.add("/p", Page(broken, content_type="text/html"))
    async with Fetcher(config()) as fetcher:
        result = await fetcher.fetch(site.url("/p"))
    assert "인공지능\ufffd\ufffd 집적단지" in result.text
    assert "광주 AI 데이터센터 착공" in result.text


@pytest.mark.parametrize(
    ("name", "content_type", "expected"),
    [
        ("naver-blog-rss-euckr.xml", "application/xml", "<rss"),
        ("acnnewswire-rss-euckr.xml", "text/xml", "<rss"),
        ("naver-news-section-list-ls2d-politics.html", "text/html", "정치 홈 : 네이버 뉴스"),
    ],
    ids=["euc-kr-rss-xml-declaration", "euc-kr-rss-text-xml", "utf8-bytes-declaring-euc-kr"],
)
async def test_real_saved_pages_come_through_readable(
    site: NewsSite, name: str, content_type: str, expected: str
) -> None:
    path = REAL / name
    if not path.exists():
        pytest.skip("../shared/fixtures/real is absent")
    body = path.read_bytes()
    site.add("/real", Page(body, content_type=content_type))
    async with Fetcher(config()) as fetcher:
        result = await fetcher.fetch(site.url("/real"))
    assert result.body == body
    assert expected in result.text
    hangul = sum("가" <= ch <= "힣" for ch in result.text)
    assert hangul > 20 and result.text.count("\ufffd") == 0


async def test_empty_page_is_returned_without_error(site: NewsSite) -> None:
    site.add("/empty", Page(b""))
    async with Fetcher(config()) as fetcher:
        result = await fetcher.fetch(site.url("/empty"))
    assert (result.status, result.body, result.text, result.not_modified) == (200, b"", "", False)


# -- compression ------------------------------------------------------------------------------------

PAGE = HANGUL_PAGE.format(meta='<meta charset="utf-8">').encode() * 50


@pytest.mark.parametrize(
    ("coding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda b: zlib.compress(b)[2:-4]),  # raw deflate, as some servers send it
        ("br", brotli.compress),
    ],
    ids=["gzip", "deflate-zlib", "deflate-raw", "brotli"],
)
async def test_compressed_pages_are_decoded(site: NewsSite, coding: str, compress: Any) -> None:
    site.add("/z", Page(compress(PAGE), headers={"Content-Encoding": coding}))
    async with Fetcher(config()) as fetcher:
        result = await fetcher.fetch(site.url("/z"))
    assert result.body == PAGE
    assert "광주 AI 데이터센터 착공" in result.text
    sent = next(r for r in site.requests if r.path == "/z")
    assert {"gzip", "deflate", "br"} <= {c.strip() for c in sent.headers["accept-encoding"].split(",")}


async def test_damaged_gzip_is_a_clear_error(site: NewsSite) -> None:
    damaged = b"\x1f\x8b\x08\x00garbage that is not deflate" * 10
    site.add("/z", Page(damaged, headers={"Content-Encoding": "gzip"}))
    async with Fetcher(config()) as fetcher:
        error = await fetch_error(fetcher, site.url("/z"))
    assert error.kind == "network"
    assert "compressed" in str(error)


# -- size cap ---------------------------------------------------------------------------------------


def fifty_megabytes() -> Iterator[bytes]:
    piece = ("<p>광주 인공지능 데이터센터</p>\n" * 2000).encode()[: 64 * 1024]
    sent = 0
    while sent < 50 * MB:
        yield piece
        sent += len(piece)


@pytest.mark.parametrize(
    "page",
    [
        Page(stream=fifty_megabytes),
        Page(stream=fifty_megabytes, headers={"Content-Length": str(50 * MB)}),
        Page(gzip.compress(b" " * 50 * MB, compresslevel=9), headers={"Content-Encoding": "gzip"}),
    ],
    ids=["chunked-50MB", "declared-50MB", "gzip-bomb-50MB-from-50KB"],
)
async def test_fifty_megabyte_response_is_stopped_at_the_cap(site: NewsSite, page: Page) -> None:
    site.add("/huge", page)
    async with Fetcher(config()) as fetcher:
        started = time.monotonic()
        error = await fetch_error(fetcher, site.url("/huge"))
        elapsed = time.monotonic() - started
        # Again with allocation tracing on (it slows the run tenfold, so it is not timed).
        tracemalloc.start()
        try:
            traced = await fetch_error(fetcher, site.url("/huge?traced"))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert error.kind == traced.kind == "too_large"
    assert str(error) == "the response is larger than 8 MB; stopped reading"
    assert elapsed < 2.0
    assert peak < 20 * MB  # the cap (8 MB) plus pieces in flight, never the whole 50 MB
    assert site.bytes_sent["/huge"] < 50 * MB  # both runs together: less than one whole body sent


async def test_page_just_under_the_cap_is_read_whole(site: NewsSite) -> None:
    body = b"<html>" + b"a" * (1000 - 13) + b"</html>"
    site.add("/ok", Page(body))
    async with Fetcher(config(max_bytes=1000)) as fetcher:
        assert (await fetcher.fetch(site.url("/ok"))).body == body
    site.add("/ok", Page(body + b"!"))
    async with Fetcher(config(max_bytes=1000)) as fetcher:
        assert (await fetch_error(fetcher, site.url("/ok"))).kind == "too_large"


# -- redirects --------------------------------------------------------------------------------------


def onward(req: Request) -> Page:
    n = int(req.path.partition("n=")[2] or 0)
    return Page(status=302, headers={"Location": f"/endless?n={n + 1}"})


async def test_endless_redirect_stops_after_max_redirects(site: NewsSite) -> None:
    site.add("/endless", onward)
    async with Fetcher(config(max_redirects=8)) as fetcher:
        error = await fetch_error(fetcher, site.url("/endless"))
    assert error.kind == "redirects"
    assert "more than 8" in str(error)
    assert sum(r.path.startswith("/endless") for r in site.requests) == 9


async def test_redirect_loop_is_named_a_loop(site: NewsSite) -> None:
    site.add("/a", Page(status=301, headers={"Location": "/b"}))
    site.add("/b", Page(status=302, headers={"Location": site.url("/a")}))
    async with Fetcher(config(max_redirects=4)) as fetcher:
        error = await fetch_error(fetcher, site.url("/a"))
    assert error.kind == "redirects"
    assert "loop" in str(error)


async def test_redirects_are_followed_to_the_final_url(site: NewsSite) -> None:
    site.add("/old", Page(status=301, headers={"Location": "/mid?x=1"}))
    site.add("/mid", Page(status=307, headers={"Location": "/news/articleView.html?idxno=7"}))
    site.add("/news/articleView.html", Page(b"<html>article 7</html>"))
    async with Fetcher(config()) as fetcher:
        result = await fetcher.fetch(site.url("/old"))
    assert result.url == site.url("/news/articleView.html?idxno=7")
    assert result.text == "<html>article 7</html>"


async def test_redirect_to_another_scheme_is_refused(site: NewsSite) -> None:
    site.add("/ftp", Page(status=302, headers={"Location": "ftp://example.org/file"}))
    async with Fetcher(config()) as fetcher:
        error = await fetch_error(fetcher, site.url("/ftp"))
    assert error.kind == "redirects"


# -- not text ---------------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (PNG, "image/png"),
        (PNG, "application/octet-stream"),
        (b"%PDF-1.7\n" + bytes(range(256)) * 8, "application/pdf"),
        (bytes(range(256)) * 8, "text/html"),  # a page that says HTML but carries NUL-laden bytes
        (b"\x00\x01\x02garbage", ""),
    ],
    ids=["png", "octet-stream-binary", "pdf", "html-type-binary-bytes", "no-type-nul-bytes"],
)
async def test_binary_garbage_is_not_text(site: NewsSite, body: bytes, content_type: str) -> None:
    site.add("/bin", Page(body, content_type=content_type))
    async with Fetcher(config()) as fetcher:
        error = await fetch_error(fetcher, site.url("/bin"))
    assert error.kind == "not_text"


async def test_endless_binary_stream_is_refused_after_the_first_kilobytes(site: NewsSite) -> None:
    site.add("/video", Page(stream=lambda: iter([PNG] * 100_000), content_type="video/mp4"))
    async with Fetcher(config()) as fetcher:
        error = await fetch_error(fetcher, site.url("/video"))
    assert error.kind == "not_text"
    assert site.bytes_sent.get("/video", 0) < 50 * MB


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"<!DOCTYPE html><html><body>\xea\xb4\x91\xec\xa3\xbc</body></html>", "application/octet-stream"),
        (b'<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>', "application/octet-stream"),
        (b'{"items": []}', "application/json"),
        (b"<html><body>" + b"x" * 500 + b"\x00" + b"y" * 600 + b"</body></html>", "text/html"),
    ],
    ids=["html-sent-as-octet-stream", "rss-sent-as-octet-stream", "json-api", "html-with-a-stray-nul"],
)
async def test_pages_and_feeds_with_odd_types_are_accepted(site: NewsSite, body: bytes, content_type: str) -> None:
    site.add("/odd", Page(body, content_type=content_type))
    async with Fetcher(config()) as fetcher:
        assert (await fetcher.fetch(site.url("/odd"))).body == body


# -- network failures -------------------------------------------------------------------------------


async def test_slow_server_times_out(site: NewsSite) -> None:
    site.add("/slow", Page(b"<html>late</html>", delay=2.0))
    async with Fetcher(config(timeout_seconds=0.5)) as fetcher:
        started = time.monotonic()
        error = await fetch_error(fetcher, site.url("/slow"))
    assert error.kind == "timeout"
    assert time.monotonic() - started < 1.5


async def test_trickling_body_times_out_as_a_whole(site: NewsSite) -> None:
    """Each byte arrives well within the timeout, but the page as a whole does not."""
    site.add("/trickle", Page(stream=lambda: iter([b"<p>x</p>"] * 100), chunk_delay=0.1))
    async with Fetcher(config(timeout_seconds=1.0)) as fetcher:
        started = time.monotonic()
        error = await fetch_error(fetcher, site.url("/trickle"))
    assert error.kind == "timeout"
    assert time.monotonic() - started < 2.5


async def test_refused_connection_is_connect() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again before the fetch: nothing listens there
    async with Fetcher(config(respect_robots=False)) as fetcher:
        error = await fetch_error(fetcher, f"http://127.0.0.1:{port}/")
    assert error.kind == "connect"


async def test_unresolvable_host_is_dns() -> None:
    # A label starting with '-' is not a valid host name: the system resolver rejects it locally,
    # without a query leaving the machine.
    async with Fetcher(config()) as fetcher:
        error = await fetch_error(fetcher, "http://-no-such-host-.example/news")
    assert error.kind == "dns"
    assert "could not be resolved" in str(error)


async def test_dropped_connection_is_network(site: NewsSite) -> None:
    site.add("/drop", Page(drop=True))
    async with Fetcher(config()) as fetcher:
        error = await fetch_error(fetcher, site.url("/drop"))
    assert error.kind == "network"


@pytest.mark.parametrize(
    ("status", "sentence"),
    [
        (404, "the server answered 404 Not Found"),
        (500, "the server answered 500 Internal Server Error"),
        (403, "the server answered 403 Forbidden"),
    ],
    ids=["404", "500", "403"],
)
async def test_http_errors_carry_status_and_a_sentence(site: NewsSite, status: int, sentence: str) -> None:
    site.add("/err", Page(b"<html>error</html>", status=status))
    async with Fetcher(config()) as fetcher:
        error = await fetch_error(fetcher, site.url("/err"))
    assert (error.kind, error.status, str(error)) == ("http", status, sentence)


@pytest.mark.parametrize("url", ["ftp://example.org/x", "not a url", "http:///nohost"], ids=["ftp", "text", "no-host"])
async def test_non_http_addresses_are_refused(url: str) -> None:
    async with Fetcher(config()) as fetcher:
        assert (await fetch_error(fetcher, url)).kind == "url"


# -- Retry-After ------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 503])
async def test_retry_after_stops_all_requests_to_the_host_until_it_passes(site: NewsSite, status: int) -> None:
    site.add("/list", Page(status=status, headers={"Retry-After": "1"}))
    site.add("/other", Page(b"<html>other</html>"))
    async with Fetcher(config()) as fetcher:
        first = await fetch_error(fetcher, site.url("/list"))
        assert (first.kind, first.status, first.retry_after) == ("http", status, 1.0)
        second = await fetch_error(fetcher, site.url("/other"))
        assert second.kind == "backoff"
        assert second.retry_after is not None and 0 < second.retry_after <= 1.0
        assert site.hits("/other") == 0  # refused here, nothing sent
        await asyncio.sleep(1.05)
        assert (await fetcher.fetch(site.url("/other"))).text == "<html>other</html>"
    assert site.hits("/other") == 1


async def test_retry_after_as_http_date(site: NewsSite) -> None:
    from email.utils import formatdate

    site.add("/list", Page(status=429, headers={"Retry-After": formatdate(time.time() + 30, usegmt=True)}))
    async with Fetcher(config()) as fetcher:
        error = await fetch_error(fetcher, site.url("/list"))
    assert error.retry_after is not None and 25 < error.retry_after <= 30


async def test_429_without_retry_after_still_pauses_the_host(site: NewsSite) -> None:
    site.add("/list", Page(status=429))
    async with Fetcher(config()) as fetcher:
        first = await fetch_error(fetcher, site.url("/list"))
        second = await fetch_error(fetcher, site.url("/list"))
    assert (first.kind, first.status, first.retry_after) == ("http", 429, 60.0)
    assert second.kind == "backoff"
    assert site.hits("/list") == 1


async def test_a_paused_host_is_not_forgotten_among_many_hosts() -> None:
    with NewsSite() as busy, NewsSite() as a, NewsSite() as b, NewsSite() as c:
        busy.add("/", Page(status=503, headers={"Retry-After": "60"}))
        for s in (a, b, c):
            s.add("/", Page(b"<html>ok</html>"))
        async with Fetcher(config(), max_hosts=2) as fetcher:
            await fetch_error(fetcher, busy.url("/"))
            for s in (a, b, c):
                await fetcher.fetch(s.url("/"))
            assert (await fetch_error(fetcher, busy.url("/"))).kind == "backoff"
    assert busy.hits("/") == 1


async def test_backoff_is_per_host() -> None:
    with NewsSite() as busy, NewsSite() as calm:
        busy.add("/", Page(status=429, headers={"Retry-After": "60"}))
        calm.add("/", Page(b"<html>calm</html>"))
        async with Fetcher(config()) as fetcher:
            await fetch_error(fetcher, busy.url("/"))
            assert (await fetch_error(fetcher, busy.url("/"))).kind == "backoff"
            assert (await fetcher.fetch(calm.url("/"))).text == "<html>calm</html>"


# -- conditional requests ---------------------------------------------------------------------------


STAMP = "Wed, 05 Feb 2025 08:15:00 GMT"


def versioned(req: Request) -> Page:
    """A list page at version "v1": a conditional request that names it gets 304."""
    if req.headers.get("if-none-match") == '"v1"' or req.headers.get("if-modified-since") == STAMP:
        return Page(status=304, headers={"ETag": '"v1"'})
    return Page(b"<html>list v1</html>", headers={"ETag": '"v1"', "Last-Modified": STAMP})


async def test_conditional_request_gets_not_modified(site: NewsSite) -> None:
    site.add("/list", versioned)
    async with Fetcher(config()) as fetcher:
        first = await fetcher.fetch(site.url("/list"))
        assert (first.not_modified, first.text, first.etag) == (False, "<html>list v1</html>", '"v1"')
        assert first.last_modified == "Wed, 05 Feb 2025 08:15:00 GMT"
        again = await fetcher.fetch(site.url("/list"), etag=first.etag)
        by_date = await fetcher.fetch(site.url("/list"), last_modified=first.last_modified)
    assert (again.not_modified, again.status, again.text, again.etag) == (True, 304, "", '"v1"')
    assert by_date.not_modified and by_date.last_modified == "Wed, 05 Feb 2025 08:15:00 GMT"
    sent = [r.headers for r in site.requests if r.path == "/list"]
    assert "if-none-match" not in sent[0]
    assert sent[1]["if-none-match"] == '"v1"'
    assert sent[2]["if-modified-since"] == "Wed, 05 Feb 2025 08:15:00 GMT"


# -- politeness -------------------------------------------------------------------------------------


async def test_per_host_concurrency_cap(site: NewsSite) -> None:
    site.add("/slow", Page(b"<html>slow</html>", delay=0.3))
    async with Fetcher(config(per_host_concurrency=2)) as fetcher:
        results = await asyncio.gather(*(fetcher.fetch(site.url(f"/slow?i={i}")) for i in range(6)))
    assert len(results) == 6
    assert site.max_in_flight == 2  # never more, and the cap does allow two at once


async def test_hosts_are_fetched_concurrently() -> None:
    with NewsSite() as one, NewsSite() as two, NewsSite() as three:
        for s in (one, two, three):
            s.add("/slow", Page(b"<html>slow</html>", delay=0.5))
        async with Fetcher(config(per_host_concurrency=1, respect_robots=False)) as fetcher:
            started = time.monotonic()
            await asyncio.gather(*(fetcher.fetch(s.url("/slow")) for s in (one, two, three)))
            elapsed = time.monotonic() - started
    assert elapsed < 1.2  # three 0.5 s pages in parallel, not 1.5 s in a row


async def test_minimum_delay_between_requests_to_one_host(site: NewsSite) -> None:
    site.add("/p", Page(b"<html>p</html>"))
    async with Fetcher(config(min_host_delay_seconds=0.3, per_host_concurrency=4, respect_robots=False)) as f:
        await asyncio.gather(*(f.fetch(site.url(f"/p?i={i}")) for i in range(4)))
    starts = sorted(r.at for r in site.requests)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert len(gaps) == 3
    assert min(gaps) >= 0.28


async def test_user_agent_is_sent_as_configured(site: NewsSite) -> None:
    site.add("/p", Page(b"<html>p</html>"))
    cfg = config(user_agent="gwangju-ai-watch/9.9", contact_url="https://example.org/bot")
    async with Fetcher(cfg) as fetcher:
        await fetcher.fetch(site.url("/p"))
    agents = {r.headers["user-agent"] for r in site.requests}
    assert agents == {"gwangju-ai-watch/9.9 (+https://example.org/bot)"}  # robots.txt request too


# -- robots.txt -------------------------------------------------------------------------------------

ROBOTS = """\
User-agent: *
Disallow: /

User-agent: gwangju-ai-watch
Disallow: /private/
Disallow: /*print=
Allow: /private/press$
"""


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/news/articleView.html?idxno=1", True),
        ("/private/notes", False),
        ("/news/articleView.html?idxno=1&print=1", False),
        ("/private/press", True),
    ],
    ids=["article", "private", "print-wildcard", "allow-anchored"],
)
async def test_robots_txt_decides(site: NewsSite, path: str, allowed: bool) -> None:
    site.add("/robots.txt", Page(ROBOTS.encode(), content_type="text/plain"))
    site.add(path.split("?")[0], Page(b"<html>ok</html>"))
    async with Fetcher(config()) as fetcher:
        if allowed:
            assert (await fetcher.fetch(site.url(path))).text == "<html>ok</html>"
        else:
            error = await fetch_error(fetcher, site.url(path))
            assert (error.kind, str(error)) == (
                "robots",
                "robots.txt of the site disallows this URL for our User-Agent",
            )
    assert sum(r.path == path for r in site.requests) == (1 if allowed else 0)


async def test_robots_txt_is_read_once_per_host(site: NewsSite) -> None:
    site.add("/robots.txt", Page(ROBOTS.encode(), content_type="text/plain"))
    site.add("/a", Page(b"<html>a</html>"))
    async with Fetcher(config()) as fetcher:
        await asyncio.gather(*(fetcher.fetch(site.url(f"/a?i={i}")) for i in range(5)))
        await fetch_error(fetcher, site.url("/private/x"))
    assert site.hits("/robots.txt") == 1


async def test_robots_can_be_switched_off(site: NewsSite) -> None:
    site.add("/robots.txt", Page(ROBOTS.encode(), content_type="text/plain"))
    site.add("/private/x", Page(b"<html>x</html>"))
    async with Fetcher(config(respect_robots=False)) as fetcher:
        assert (await fetcher.fetch(site.url("/private/x"))).text == "<html>x</html>"
    assert site.hits("/robots.txt") == 0


@pytest.mark.parametrize(
    "robots",
    [Page(status=404), Page(status=503), Page(b"<html>a soft 404 page</html>"), Page(drop=True)],
    ids=["absent-404", "unavailable-503", "html-instead-of-robots", "connection-dropped"],
)
async def test_unreadable_robots_txt_allows(site: NewsSite, robots: Page) -> None:
    site.add("/robots.txt", robots)
    site.add("/a", Page(b"<html>a</html>"))
    async with Fetcher(config()) as fetcher:
        assert (await fetcher.fetch(site.url("/a"))).text == "<html>a</html>"
    assert site.hits("/robots.txt") == 1


async def test_robots_crawl_delay_spaces_requests(site: NewsSite) -> None:
    site.add("/robots.txt", Page(b"User-agent: *\nCrawl-delay: 0.5\n", content_type="text/plain"))
    site.add("/a", Page(b"<html>a</html>"))
    async with Fetcher(config(per_host_concurrency=3)) as fetcher:
        await asyncio.gather(*(fetcher.fetch(site.url(f"/a?i={i}")) for i in range(3)))
    starts = sorted(r.at for r in site.requests if r.path.startswith("/a"))
    assert min(b - a for a, b in itertools.pairwise(starts)) >= 0.45


@pytest.mark.parametrize(
    ("robots", "path", "allowed"),
    [
        ("User-agent: *\nDisallow: /", "/x", False),
        ("User-agent: *\nDisallow:", "/x", True),
        ("User-agent: *\nDisallow: /\nAllow: /news", "/news/1", True),  # longest match, not first
        ("User-agent: *\nAllow: /\nDisallow: /admin", "/admin/login", False),
        ("User-agent: *\nDisallow: /*.pdf$", "/files/a.pdf", False),
        ("User-agent: *\nDisallow: /*.pdf$", "/files/a.pdf?x=1", True),
        ("User-agent: *\nDisallow: /*?sid=", "/list?sid=abc&page=2", False),
        ("User-agent: *\nDisallow: /*?sid=", "/list?page=2&sid=abc", True),  # '?sid=' is literal
        ("User-agent: *\nAllow: /p\nDisallow: /p", "/p", True),  # a tie goes to Allow
        ("User-agent: Googlebot\nDisallow: /", "/x", True),  # rules for someone else
        ("User-agent: GWANGJU-AI-WATCH/1.0\nDisallow: /x\n\nUser-agent: *\nDisallow: /", "/y", True),
        ("User-agent: a\nUser-agent: gwangju-ai-watch\nDisallow: /x", "/x", False),  # grouped agents
        ("User-agent: *\nDisallow: /뉴스", "/%EB%89%B4%EC%8A%A4/1", False),  # non-ASCII rule
        ("User-agent: *\nDisallow: /", "/robots.txt", True),
        ("# nothing but a comment", "/x", True),
    ],
    ids=[
        "disallow-all",
        "empty-disallow",
        "longest-wins",
        "allow-first-still-longest",
        "pdf-anchored",
        "pdf-anchor-with-query",
        "wildcard-query",
        "wildcard-query-elsewhere",
        "tie-allow",
        "other-agent",
        "our-group-case-version",
        "grouped-agents",
        "hangul-path",
        "robots-itself",
        "comment-only",
    ],
)
def test_robots_rules(robots: str, path: str, allowed: bool) -> None:
    assert RobotsRules.parse(robots).allows(path, "gwangju-ai-watch") is allowed


# -- extra headers (API keys) -----------------------------------------------------------------------


async def test_extra_headers_go_to_the_origin_only() -> None:
    with NewsSite() as api, NewsSite() as elsewhere:
        api.add("/search", Page(status=302, headers={"Location": "/search/v2"}))
        api.add("/search/v2", Page(status=302, headers={"Location": elsewhere.url("/out")}))
        elsewhere.add("/out", Page(b'{"items": []}', content_type="application/json"))
        async with Fetcher(config()) as fetcher:
            result = await fetcher.fetch(api.url("/search"), headers={"X-Naver-Client-Secret": "s3cret"})
    assert result.text == '{"items": []}'
    assert [r.headers.get("x-naver-client-secret") for r in api.requests if r.path.startswith("/search")] == [
        "s3cret",
        "s3cret",
    ]
    assert all("x-naver-client-secret" not in r.headers for r in elsewhere.requests)
    assert all("x-naver-client-secret" not in r.headers for r in api.requests if r.path == "/robots.txt")


async def test_robots_can_be_skipped_for_one_call(site: NewsSite) -> None:
    site.add("/robots.txt", Page(b"User-agent: *\nDisallow: /\n", content_type="text/plain"))
    site.add("/v1/search", Page(b'{"items": []}', content_type="application/json"))
    async with Fetcher(config()) as fetcher:
        assert (await fetch_error(fetcher, site.url("/v1/search"))).kind == "robots"
        assert (await fetcher.fetch(site.url("/v1/search"), robots=False)).text == '{"items": []}'


# -- POST (for APIs that answer a form) -------------------------------------------------------------


async def test_post_sends_the_body_and_reads_the_answer(site: NewsSite) -> None:
    site.add("/api", Page(b")]}'\n\n[]", content_type="application/json; charset=utf-8"))
    async with Fetcher(config()) as fetcher:
        result = await fetcher.post(site.url("/api?rpcids=x"), b"f.req=%5B%5D", headers={"X-Same-Domain": "1"})
    assert result.status == 200 and result.text == ")]}'\n\n[]"
    (request,) = [r for r in site.requests if r.method == "POST"]
    assert request.body == b"f.req=%5B%5D"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded;charset=UTF-8"
    assert request.headers["x-same-domain"] == "1"


async def test_post_does_not_follow_a_redirect(site: NewsSite) -> None:
    site.add("/api", Page(status=302, headers={"Location": "/sorry"}))
    async with Fetcher(config()) as fetcher:
        with pytest.raises(FetchError) as caught:
            await fetcher.post(site.url("/api"), b"x")
    assert caught.value.kind == "redirects" and "/sorry" in str(caught.value)
    assert site.hits("/sorry") == 0


async def test_post_keeps_the_size_cap_and_the_host_pause(site: NewsSite) -> None:
    site.add("/big", Page(b"x" * 5000, content_type="text/plain"))
    site.add("/busy", Page(status=429, headers={"Retry-After": "30"}))
    async with Fetcher(config()) as fetcher:
        with pytest.raises(FetchError) as too_large:
            await fetcher.post(site.url("/big"), b"x", max_bytes=1000)
        with pytest.raises(FetchError) as busy:
            await fetcher.post(site.url("/busy"), b"x")
        with pytest.raises(FetchError) as paused:
            await fetcher.fetch(site.url("/big"))
    assert too_large.value.kind == "too_large"
    assert busy.value.status == 429 and busy.value.retry_after == 30
    assert paused.value.kind == "backoff"


async def test_post_obeys_robots_txt(site: NewsSite) -> None:
    site.add("/robots.txt", Page(b"User-agent: *\nDisallow: /_/\n", content_type="text/plain"))
    site.add("/_/api", Page(b"{}"))
    async with Fetcher(config(respect_robots=True)) as fetcher:
        with pytest.raises(FetchError) as caught:
            await fetcher.post(site.url("/_/api"), b"x")
        allowed = await fetcher.post(site.url("/_/api"), b"x", robots=False)
    assert caught.value.kind == "robots"
    assert allowed.status == 200 and site.hits("/_/api") == 1
