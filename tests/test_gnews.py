"""Google News links resolved to publisher URLs, against a loopback fake of Google's two endpoints.

The links stay `https://news.google.com/rss/articles/…` as feeds carry them; the resolver is pointed
at the fake by its `base_url`. Every request goes through the real `Fetcher`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from bot.config import FetchConfig
from scrapers.feeds import parse_feed
from scrapers.fetch import Fetcher
from scrapers.gnews import (
    GoogleNewsResolver,
    ResolverHealth,
    build_batch_request,
    describe_health,
    parse_article_page,
    parse_batch_response,
    with_publisher_url,
)
from scrapers.urls import aggregator_target, google_news_token, needs_online_resolution
from tests.servers.google_news import GoogleNewsFake, opaque_token, signature
from tests.servers.telegram_api import TelegramApiServer

# A pre-2024 token: base64url of `08 13 22 <len>` and the outlet URL itself.
OLD_STYLE = "https://news.google.com/rss/articles/CBMiGWh0dHBzOi8vd3d3LmEuZXhhbXBsZS9uLzHSAQA?oc=5"


def config(**overrides: Any) -> FetchConfig:
    values: dict[str, Any] = {"trust_env": False, "min_host_delay_seconds": 0.0, "timeout_seconds": 5.0}
    values.update(overrides)
    return FetchConfig(**values)


@pytest.fixture
def google() -> Iterator[GoogleNewsFake]:
    with GoogleNewsFake() as fake:
        yield fake


# -- which links need it ---------------------------------------------------------------------------


def test_opaque_tokens_need_online_resolution_and_old_ones_decode_offline() -> None:
    opaque = f"https://news.google.com/rss/articles/{opaque_token('x')}?oc=5"
    assert needs_online_resolution(opaque)
    assert aggregator_target(opaque) is None
    assert not needs_online_resolution(OLD_STYLE)
    assert aggregator_target(OLD_STYLE) == "https://www.a.example/n/1"
    assert not needs_online_resolution("https://www.a.example/n/1")
    assert not needs_online_resolution("https://news.google.com/rss/search?q=%EA%B4%91%EC%A3%BC")
    assert google_news_token("https://news.google.com/articles/CBMiAB12cd?hl=ko") == "CBMiAB12cd"
    assert google_news_token("https://news.google.com/read/CBMiAB12cd") == "CBMiAB12cd"


# -- resolving ----------------------------------------------------------------------------------------


async def test_links_resolve_to_publisher_urls_in_one_batch_call(google: GoogleNewsFake) -> None:
    links = [google.publish(f"https://www.outlet{i}.example/news/{i}") for i in range(5)]
    cache: dict[str, dict[str, Any]] = {}
    async with Fetcher(config()) as fetcher:
        resolver = GoogleNewsResolver(fetcher, cache, base_url=google.base_url)
        resolved = await resolver.resolve([*links, OLD_STYLE, "https://www.b.example/x"])
    assert resolved == {link: f"https://www.outlet{i}.example/news/{i}" for i, link in enumerate(links)}
    assert google.count("GET", "/rss/articles/") == 5
    assert google.count("POST") == 1 and google.entries_per_batch == [5]
    assert not resolver.health.failing and resolver.health.resolved_total == 5
    json.dumps(cache)  # plain data, for the state file
    assert {entry["url"] for entry in cache.values()} == set(resolved.values())


async def test_a_link_is_resolved_once_then_served_from_the_cache(google: GoogleNewsFake) -> None:
    link = google.publish("https://www.outlet.example/1")
    cache: dict[str, dict[str, Any]] = {}
    async with Fetcher(config()) as fetcher:
        first = await GoogleNewsResolver(fetcher, cache, base_url=google.base_url).resolve([link])
        # a new resolver (a restart) with the cache from the state: no request at all
        again = GoogleNewsResolver(fetcher, json.loads(json.dumps(cache)), base_url=google.base_url)
        second = await again.resolve([link, link.replace("?oc=5", "?hl=ko&gl=KR&ceid=KR:ko")])
    assert first == {link: "https://www.outlet.example/1"}
    assert set(second.values()) == {"https://www.outlet.example/1"} and len(second) == 2
    assert google.count("GET", "/rss/") == 1 and google.count("POST") == 1
    assert again.cached(link) == "https://www.outlet.example/1"


async def test_tokens_are_sent_several_per_call(google: GoogleNewsFake) -> None:
    links = [google.publish(f"https://www.o.example/{i}") for i in range(7)]
    async with Fetcher(config()) as fetcher:
        resolver = GoogleNewsResolver(fetcher, base_url=google.base_url, batch_size=3)
        resolved = await resolver.resolve(links)
    assert len(resolved) == 7
    assert google.entries_per_batch == [3, 3, 1]


async def test_one_call_looks_up_at_most_max_per_call_and_the_rest_next_time(google: GoogleNewsFake) -> None:
    links = [google.publish(f"https://www.o.example/{i}") for i in range(5)]
    async with Fetcher(config()) as fetcher:
        resolver = GoogleNewsResolver(fetcher, base_url=google.base_url, max_per_call=2)
        assert len(await resolver.resolve(links)) == 2
        assert len(await resolver.resolve(links)) == 4
        assert len(await resolver.resolve(links)) == 5
    assert google.count("GET", "/rss/") == 5


async def test_a_token_google_refuses_is_not_asked_again_at_once(google: GoogleNewsFake) -> None:
    good = google.publish("https://www.o.example/good")
    bad = google.publish("https://www.o.example/bad")
    google.refuse.add(google_news_token(bad) or "")
    cache: dict[str, dict[str, Any]] = {}
    async with Fetcher(config()) as fetcher:
        resolver = GoogleNewsResolver(fetcher, cache, base_url=google.base_url)
        assert await resolver.resolve([good, bad]) == {good: "https://www.o.example/good"}
        assert await resolver.resolve([good, bad]) == {good: "https://www.o.example/good"}
    assert not resolver.health.failing  # one refusal is not the service failing
    assert resolver.health.refused_total == 1
    assert cache[google_news_token(bad) or ""]["url"] is None
    assert google.count("GET", "/rss/") == 2 and google.count("POST") == 1


def test_chunked_answers_are_read_too(google: GoogleNewsFake) -> None:
    links = [google.publish(f"https://www.o.example/{i}") for i in range(3)]
    tokens = [google_news_token(link) or "" for link in links]
    form = build_batch_request([(str(n), t, "100", signature(t, 100), "KR:ko") for n, t in enumerate(tokens, 1)])
    calls = json.loads(unquote(form.removeprefix("f.req=")))[0]
    answer = google.batch_answer(calls, chunked=True)
    assert answer.startswith(")]}'\n\n") and answer.count("\n") > 4
    assert parse_batch_response(answer) == {str(n): f"https://www.o.example/{n - 1}" for n in (1, 2, 3)}


# -- faults: the item keeps its Google link, and health says so ---------------------------------------


async def test_429_keeps_the_links_reports_failing_and_recovers(google: GoogleNewsFake) -> None:
    links = [google.publish(f"https://www.o.example/{i}") for i in range(4)]
    google.fault = "429"
    google.retry_after = 1
    async with Fetcher(config()) as fetcher:
        resolver = GoogleNewsResolver(fetcher, base_url=google.base_url)
        assert await resolver.resolve(links) == {}
        health = resolver.health
        assert health.failing and health.consecutive_failures == 1
        assert health.last_error is not None and "429" in health.last_error
        assert "resolving is failing" in describe_health(health)
        # the first 429 stops the call: not every page is asked for
        assert google.count("GET", "/rss/") < 4
        assert await resolver.resolve(links) == {}  # the host is paused: nothing is sent
        assert resolver.health.consecutive_failures == 2
        google.fault = None
        await asyncio.sleep(1.1)  # Retry-After
        resolved = await resolver.resolve(links)
    assert len(resolved) == 4
    assert not resolver.health.failing
    assert "resolving works" in describe_health(resolver.health.to_dict())


@pytest.mark.parametrize("fault", ["sorry", "batch-format", "batch-500"])
async def test_a_changed_format_is_a_failure_and_nothing_is_cached_as_refused(
    google: GoogleNewsFake, fault: str
) -> None:
    links = [google.publish(f"https://www.o.example/{i}") for i in range(3)]
    google.fault = fault
    cache: dict[str, dict[str, Any]] = {}
    async with Fetcher(config()) as fetcher:
        resolver = GoogleNewsResolver(fetcher, cache, base_url=google.base_url)
        assert await resolver.resolve(links) == {}
        assert resolver.health.failing
        assert all(entry.get("url") for entry in cache.values())  # no refusal remembered
        google.fault = None
        assert len(await resolver.resolve(links)) == 3  # tried again at once, and it works
    assert not resolver.health.failing


async def test_health_survives_the_state_file(google: GoogleNewsFake) -> None:
    link = google.publish("https://www.o.example/1")
    google.fault = "batch-500"
    async with Fetcher(config()) as fetcher:
        resolver = GoogleNewsResolver(fetcher, base_url=google.base_url)
        await resolver.resolve([link])
        saved = json.loads(json.dumps(resolver.health.to_dict()))
        later = GoogleNewsResolver(fetcher, base_url=google.base_url, health=saved)
    assert later.health == resolver.health and later.health.failing
    assert ResolverHealth.from_dict(None) == ResolverHealth()
    assert describe_health(None) == "Google News links: not resolved yet"


@pytest.mark.parametrize("closed", ["/rss/articles/", "/_/"])
async def test_robots_txt_of_the_service_is_obeyed(google: GoogleNewsFake, closed: str) -> None:
    link = google.publish("https://www.o.example/1")
    google.robots_txt = f"User-agent: *\nDisallow: {closed}\n"
    async with Fetcher(config(respect_robots=True)) as fetcher:
        resolver = GoogleNewsResolver(fetcher, base_url=google.base_url)
        assert await resolver.resolve([link]) == {}
    assert resolver.health.failing and "robots.txt" in (resolver.health.last_error or "")
    assert google.count("POST") == 0
    if closed == "/rss/articles/":
        assert google.count("GET", "/rss/") == 0


# -- the formats -------------------------------------------------------------------------------------


def test_article_page_attributes_are_read() -> None:
    page = (
        '<html><body><c-wiz><div jscontroller="x" data-n-a-id="T2" data-n-a-ts="1" data-n-a-sg="S1"></div>'
        '<div jscontroller="y" data-n-a-id="T1" data-n-a-ts="1700000000" data-n-a-sg="AU_yqLsig"></div>'
        "</c-wiz></body></html>"
    )
    assert parse_article_page(page, "T1") == (None, "AU_yqLsig", "1700000000")
    assert parse_article_page(page, "other") == (None, "S1", "1")
    assert parse_article_page('<c-wiz><a data-n-au="https://www.o.example/a?x=1&amp;y=2">x</a></c-wiz>') == (
        "https://www.o.example/a?x=1&y=2",
        None,
        None,
    )
    assert parse_article_page("<html><body>sorry</body></html>") == (None, None, None)


def test_batch_answer_shapes() -> None:
    good = ')]}\'\n\n[["wrb.fr","Fbv4je","[\\"garturlres\\",\\"https://www.o.example/x\\",1]",null,null,null,"1"],'
    good += '["wrb.fr","Fbv4je",null,null,null,[3],"2"],["di",20],["af.httprm",19,"-30",33]]'
    assert parse_batch_response(good) == {"1": "https://www.o.example/x", "2": None}
    single = (
        ')]}\'\n\n[["wrb.fr","Fbv4je","[\\"garturlres\\",\\"https://www.o.example/y\\",1]",null,null,null,"generic"]]'
    )
    assert parse_batch_response(single)["1"] == "https://www.o.example/y"
    for broken in ("<html>sorry</html>", ')]}\'\n\n[["di",3]]', ')]}\'\n\n[["wrb.fr","Xq7nHd",null]]'):
        with pytest.raises(ValueError):
            parse_batch_response(broken)


async def test_a_feed_item_resolved_points_at_the_publisher(google: GoogleNewsFake) -> None:
    link = google.publish("https://m.outlet.example/news/articleView.html?idxno=7&utm_source=google")
    feed = (
        "<rss><channel><item><title>광주 AI 데이터센터 착공 - 예시일보</title>"
        f"<link>{link}</link><source url='https://www.outlet.example'>예시일보</source></item></channel></rss>"
    )
    (item,) = parse_feed(feed.encode(), "https://news.google.com/rss/search?q=x")
    assert needs_online_resolution(item.url)
    async with Fetcher(config()) as fetcher:
        resolved = await GoogleNewsResolver(fetcher, base_url=google.base_url).resolve([item.url])
    moved = with_publisher_url(item, resolved[item.url])
    assert moved.url == "https://www.outlet.example/news/articleView.html?idxno=7"
    assert moved.fetch_url == "https://m.outlet.example/news/articleView.html?idxno=7"
    assert (moved.title, moved.outlet) == ("광주 AI 데이터센터 착공", "예시일보")


# -- in the pipeline -----------------------------------------------------------------------------------


def gnews_feed(items: list[tuple[str, str, str]]) -> bytes:
    when = format_datetime(datetime.now(UTC) - timedelta(hours=1))
    rows = "".join(
        f"<item><title>{t} - {o}</title><link>{link}</link><pubDate>{when}</pubDate>"
        f"<source url='https://x'>{o}</source></item>"
        for t, link, o in items
    )
    return f"<rss version='2.0'><channel><title>Google News</title>{rows}</channel></rss>".encode()


def test_a_cycle_reads_the_publishers_article_once_and_posts_its_link(
    tmp_path: Path, google: GoogleNewsFake, telegram: TelegramApiServer
) -> None:
    from tests.conftest import clean_env, run_cli, write_config
    from tests.servers.news_site import NewsSite, Page

    outlet, search = NewsSite().start(), NewsSite().start()
    try:
        body = "<p>광주광역시는 국가AI데이터센터에 GPU 2천장을 추가로 들인다고 밝혔다.</p><p>기업 지원을 늘린다.</p>"
        head = "<head><title>광주 AI데이터센터 GPU 2천장 추가</title></head>"
        outlet.add(
            "/news/articleView.html?idxno=4242",
            Page(f"<html>{head}<body><article>{body}</article></body></html>".encode()),
        )
        target = outlet.url("/news/articleView.html?idxno=4242")
        own = [("광주 AI데이터센터 GPU 2천장 추가", target, "예시일보")]  # the outlet's own feed lists it too
        outlet.add("/rss.xml", Page(gnews_feed(own), "application/rss+xml"))
        link = google.publish(target)
        search.add(
            "/rss", Page(gnews_feed([("광주 AI데이터센터 GPU 2천장 추가", link, "예시일보")]), "application/rss+xml")
        )
        sources = {"구글 뉴스": (search.url("/rss"), "rss"), "예시일보": (outlet.url("/rss.xml"), "rss")}
        config = write_config(tmp_path / "config.toml", sources=sources, telegram=telegram)
        text = config.read_text().replace("[fetch]\n", f'[fetch]\ngoogle_news_url = "{google.base_url}"\n')
        config.write_text(text)
        env = clean_env(TELEGRAM_BOT_TOKEN=telegram.token)
        assert run_cli("once", "--config", str(config), env=env).returncode == 0
        [post] = telegram.sent_messages(telegram.channel_id)
        assert target.replace("&", "&amp;") in post and "news.google.com" not in post  # the publisher's link
        assert "GPU 2천장을 추가로" in post  # summarised from the article
        assert outlet.hits("/news/articleView.html?idxno=4242") == 1  # read once for both sources
        check = run_cli("check", "--config", str(config), env=env)
        assert "Google News links: resolving works" in check.stdout
    finally:
        outlet.stop()
        search.stop()


def test_when_resolving_fails_the_item_keeps_its_link_and_check_says_so(
    tmp_path: Path, google: GoogleNewsFake, telegram: TelegramApiServer
) -> None:
    from tests.conftest import clean_env, run_cli, write_config
    from tests.servers.news_site import NewsSite, Page

    search = NewsSite().start()
    try:
        link = google.publish("https://www.outlet.example/news/articleView.html?idxno=99")
        items = [("광주 국가AI데이터센터 GPU 증설 확정", link, "예시일보")]
        search.add("/rss", Page(gnews_feed(items), "application/rss+xml"))
        google.fault = "batch-format"
        sources = {"구글 뉴스": (search.url("/rss"), "rss")}
        config = write_config(tmp_path / "config.toml", sources=sources, telegram=telegram)
        text = config.read_text().replace("[fetch]\n", f'[fetch]\ngoogle_news_url = "{google.base_url}"\n')
        config.write_text(text)
        env = clean_env(TELEGRAM_BOT_TOKEN=telegram.token)
        assert run_cli("once", "--config", str(config), env=env).returncode == 0
        [post] = telegram.sent_messages(telegram.channel_id)  # decided from its title
        assert "news.google.com/rss/articles/" in post
        check = run_cli("check", "--config", str(config), env=env)
        assert "resolving is failing" in check.stdout
    finally:
        search.stop()
