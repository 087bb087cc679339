"""Parsing off the event loop: worker processes with a deadline per page (bot.parsing)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.parsing import InlineParsers, ParseTimeout, WorkerParsers
from bot.poll import poll_source
from bot.sources import Problem, SourceConfig
from scrapers.feeds import FeedError
from scrapers.fetch import FetchConfig, Fetcher
from scrapers.models import FetchResult
from tests.conftest import clean_env, run_cli, write_config
from tests.servers.news_site import NewsSite, Page
from tests.servers.telegram_api import TelegramApiServer
from tests.sites import Outlets

LIST_PAGE = (
    "<html><body><ul>"
    + "".join(
        f'<li><a href="/news/articleView.html?idxno={1000 + n}">광주 인공지능 집적단지 소식 {n}번째 기사 제목</a></li>'
        for n in range(1, 21)
    )
    + "</ul></body></html>"
)


def big_page(links: int) -> str:
    """A list page far larger than any real one: many boxes of many links."""
    rows = "".join(
        f'<div class="box{n % 50}"><a href="/news/articleView.html?idxno={n}">광주 AI 데이터센터 기사 제목 {n}</a>'
        f'<span class="date">2026-11-30 10:{n % 60:02d}</span></div>'
        for n in range(links)
    )
    return f"<html><body>{rows}</body></html>"


def result(text: str, url: str = "https://www.example.kr/news/articleList.html") -> FetchResult:
    return FetchResult(url, 200, text.encode(), text, "text/html", None, None, False, 0.0)


@pytest.fixture
async def workers() -> AsyncIterator[WorkerParsers]:
    parsers = WorkerParsers(workers=1, deadline=10.0)
    yield parsers
    await parsers.close()


SOURCE = SourceConfig(name="t", url="https://www.example.kr/news/articleList.html")


async def test_a_worker_gives_what_the_parser_gives(workers: WorkerParsers) -> None:
    page = result(LIST_PAGE)
    assert await workers.listing(SOURCE, page) == await InlineParsers().listing(SOURCE, page)
    article = result(
        "<html><head><title>광주 AI</title></head><body><article><p>광주광역시는 밝혔다.</p></article></body></html>"
    )
    assert await workers.article(article) == await InlineParsers().article(article)


async def test_a_parser_error_arrives_as_itself(workers: WorkerParsers) -> None:
    feed = SourceConfig(name="f", url="https://x.kr/rss", type="rss")
    with pytest.raises(FeedError):
        await workers.listing(feed, result("<html>not a feed</html>"))
    assert len(await workers.listing(SOURCE, result(LIST_PAGE))) == 20  # the worker carries on


async def test_a_page_past_its_deadline_costs_one_poll_and_the_worker_is_replaced() -> None:
    parsers = WorkerParsers(workers=1, deadline=0.2)
    try:
        slow = result(big_page(40_000))
        started = time.monotonic()
        with pytest.raises(ParseTimeout):
            await parsers.listing(SOURCE, slow)
        assert time.monotonic() - started < 3
        assert len(await parsers.listing(SOURCE, result(LIST_PAGE))) == 20  # a fresh worker
    finally:
        await parsers.close()


async def test_the_event_loop_runs_while_a_page_is_parsed(workers: WorkerParsers) -> None:
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    started = time.monotonic()
    items = await workers.listing(SOURCE, result(big_page(3_000)))
    took = time.monotonic() - started
    task.cancel()
    assert items and took > 0.2
    assert ticks >= took / 0.01 * 0.5  # the loop kept turning: inline, it would not have ticked at all


async def test_a_slow_page_is_a_failed_poll_with_a_sentence() -> None:
    site = NewsSite().start()
    site.add("/list", Page(big_page(40_000).encode(), content_type="text/html; charset=utf-8"))
    parsers = WorkerParsers(workers=1, deadline=0.2)
    try:
        config = FetchConfig(trust_env=False, min_host_delay_seconds=0.0, respect_robots=False)
        async with Fetcher(config) as fetcher:
            poll = await poll_source(fetcher, SourceConfig(name="big", url=site.url("/list")), None, parsers=parsers)
    finally:
        await parsers.close()
        site.stop()
    assert poll.error_kind is Problem.SLOW and "took longer than 0.2 s to parse" in (poll.error or "")


def test_one_slow_page_does_not_stop_the_other_sources(tmp_path: Path, telegram: TelegramApiServer) -> None:
    site = NewsSite().start()
    site.add("/list", Page(big_page(40_000).encode(), content_type="text/html; charset=utf-8"))
    try:
        with Outlets() as outlets:
            sources = {"광주일보": (outlets.listing_urls["광주일보"], "html"), "huge": (site.url("/list"), "html")}
            config = write_config(tmp_path / "config.toml", sources=sources, telegram=telegram)
            config.write_text(config.read_text().replace("[fetch]\n", "[fetch]\nparse_timeout_seconds = 0.3\n"))
            result_ = run_cli("once", "--config", str(config), env=clean_env(TELEGRAM_BOT_TOKEN=telegram.token))
    finally:
        site.stop()
    assert result_.returncode == 0
    assert "source failed: huge: the page took longer than 0.3 s to parse" in result_.stderr
    assert len(telegram.sent_messages(telegram.channel_id)) >= 1  # 광주일보's story went out
