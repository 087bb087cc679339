"""Article reads: each distinct article once per cycle, the budget to relevant titles first and shared
across hosts (bot.articles.plan), and one read for concurrent asks (bot.articles.ArticleReader)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from bot.articles import ArticleReader, plan
from bot.parsing import InlineParsers
from bot.relevance import Verdict
from bot.sources import Candidate, SourceConfig
from scrapers.fetch import FetchConfig, Fetcher
from scrapers.models import ListingItem
from tests.conftest import clean_env, run_cli, write_config
from tests.servers.news_site import NewsSite, Page
from tests.servers.telegram_api import TelegramApiServer
from tests.sites import Outlets, Story

RELEVANT = Verdict(relevant=True, score=1.0, reasons=("test",))
UNDECIDED = Verdict(relevant=False, score=0.4, reasons=("test",), undecided=True)


def candidate(url: str, verdict: Verdict = RELEVANT, source: str = "s") -> Candidate:
    item = ListingItem(title=f"제목 {url}", url=url)
    return Candidate(item, SourceConfig(name=source, url="https://list.kr/"), verdict, first_poll=False)


def test_one_read_per_article_whatever_the_number_of_sources_listing_it() -> None:
    copies = [candidate("https://a.kr/1", source=f"section {n}") for n in range(7)]
    chosen = plan([*copies, candidate("https://a.kr/2")], limit=60)
    assert [len(group) for group in chosen] == [7, 1]


def test_relevant_titles_come_before_undecided_ones() -> None:
    undecided = [candidate(f"https://a.kr/u{n}", UNDECIDED) for n in range(5)]
    relevant = [candidate(f"https://b.kr/r{n}") for n in range(3)]
    chosen = plan([*undecided, *relevant], limit=4)
    assert [g[0].item.url for g in chosen] == [*(c.item.url for c in relevant), "https://a.kr/u0"]


def test_one_busy_site_cannot_take_the_whole_budget() -> None:
    busy = [candidate(f"https://busy.kr/{n}") for n in range(50)]
    quiet = [candidate("https://quiet.kr/1"), candidate("https://other.kr/1")]
    chosen = plan([*busy, *quiet], limit=6)
    hosts = [g[0].item.url.split("/")[2] for g in chosen]
    assert hosts.count("quiet.kr") == 1 and hosts.count("other.kr") == 1 and len(chosen) == 6


async def test_concurrent_asks_for_one_article_fetch_it_once() -> None:
    site = NewsSite().start()
    site.add("/a/1", Page("<html><body><article><p>광주 AI</p></article></body></html>".encode(), delay=0.2))
    try:
        config = FetchConfig(trust_env=False, min_host_delay_seconds=0.0, respect_robots=False)
        async with Fetcher(config) as fetcher:
            reader = ArticleReader(fetcher, InlineParsers())
            pages = await asyncio.gather(*(reader.read(site.url("/a/1")) for _ in range(5)))
    finally:
        site.stop()
    assert site.hits("/a/1") == 1 and all(p.article is not None for p in pages)


def test_a_cycle_reads_an_article_listed_by_several_sources_once(tmp_path: Path, telegram: TelegramApiServer) -> None:
    hour = timedelta(hours=1)
    story = Story(
        "namdo", "dc", "광주 국가AI데이터센터 GPU 추가 구축", ["광주광역시 국가AI데이터센터 GPU 구축."], hour, True
    )
    feed = Story("feed", "dc-feed", "광주 국가AI데이터센터 GPU 추가 구축 - 남도일보", [], hour, True, link="namdo:dc")
    with Outlets([story, feed]) as outlets:
        urls = outlets.listing_urls
        sources = {
            "남도일보": (urls["남도일보"], "html"),
            "뉴스피드": (urls["뉴스피드"], "rss"),  # links the same article, with tracking parameters
            "남도 전체": (urls["남도일보"] + "?all=1", "html"),  # the same list under another address
        }
        config = write_config(tmp_path / "config.toml", sources=sources, telegram=telegram)
        assert (
            run_cli("once", "--config", str(config), env=clean_env(TELEGRAM_BOT_TOKEN=telegram.token)).returncode == 0
        )
        path = outlets.article_path(story)
        assert outlets.sites["namdo"].hits(path) == 1
    assert len(telegram.sent_messages(telegram.channel_id)) == 1
