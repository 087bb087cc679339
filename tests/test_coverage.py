"""The coverage audit's figures, checked on a scripted week of polls with a controllable clock.

Three sources on loopback: a direct outlet's feed, a search feed (a Google-News-like search listing
several outlets, `search = true`), and a list page that never carries a relevant story. Each day of
the week the outlet publishes a story that its feed delivers some minutes later and the search feed
repeats; on three days a story of an outlet no direct source covers appears in the search feed only.
Every figure of the audit is then known in advance."""

from __future__ import annotations

import asyncio
import functools
import io
from datetime import datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path

from bot.config import load_config
from bot.coverage import audit
from bot.delivery import deliver_pending
from bot.pipeline import Cycle
from bot.relevance import Detector
from bot.senders import DryRunSender
from scrapers.dates import KST
from scrapers.fetch import Fetcher
from state.store import StateStore
from tests.servers.news_site import NewsSite, Page

START = datetime(2026, 11, 23, 0, 0, tzinfo=KST)  # a Monday
DIRECT = [  # the outlet's stories, one a day, each found by its feed this many minutes after 09:00
    ("광주 국가AI데이터센터 GPU 500장 추가 도입", 10),
    ("첨단3지구 AI 집적단지 입주기업 120곳 돌파", 20),
    ("광주시, AX 실증밸리 예비타당성조사 면제 확정", 5),
    ("국가AI컴퓨팅센터 광주 유치 추진단 출범", 40),
    ("광주과학기술원 AI대학원 GPU 클러스터 가동", 15),
    ("광주 AI 스타트업 전용 데이터센터 착공", 30),
    ("한전, 광주 AI데이터센터에 전력 60㎿ 공급 확정", 25),
]
ELSEWHERE = {  # stories of an outlet no direct source covers, in the search feed only
    1: "전남 AI 반도체 설계센터, 광주 첨단에 문 연다",
    3: "광주 AI 인재 양성 아카데미 2기 수료",
    5: "광주시-엔비디아, AI 인프라 협약 체결",
}
SEARCH_DELAY = timedelta(minutes=30)


def article(title: str, published: datetime) -> Page:
    body = f"<p>광주광역시는 {escape(title)} 소식을 밝혔다.</p><p>국가AI데이터센터와 인공지능 집적단지 관련이다.</p>"
    head = f'<title>{escape(title)}</title><meta property="article:published_time" content="{published.isoformat()}">'
    return Page(f"<html><head>{head}</head><body><article>{body}</article></body></html>".encode())


def feed(items: list[tuple[str, str, datetime, str]]) -> Page:
    rows = "".join(
        f"<item><title>{escape(t)}</title><link>{escape(u)}</link><pubDate>{format_datetime(p)}</pubDate>"
        f"<source url='{escape(u)}'>{escape(o)}</source></item>"
        for t, u, p, o in items
    )
    return Page(f"<rss version='2.0'><channel><title>t</title>{rows}</channel></rss>".encode(), "application/rss+xml")


def test_a_week_of_polls_gives_the_audit_it_should(tmp_path: Path) -> None:
    outlet, other, search, quiet = (NewsSite().start() for _ in range(4))
    weather = "<li><a href='/news/articleView.html?idxno=1234'>오늘의 날씨 맑음, 나들이 좋아요</a></li>"
    quiet.add("/list", Page(f"<html><body><ul>{weather}</ul></body></html>".encode()))
    config_path = tmp_path / "config.toml"
    config_path.write_text(
        "[state]\npath = 'state.json'\n[fetch]\ntrust_env = false\nmin_host_delay_seconds = 0.0\n"
        "[delivery]\nbackfill_hours = 48\nmin_interval_seconds = 0.0\n"
        f"[[sources]]\nname = '광주일보'\nurl = '{outlet.url('/rss.xml')}'\ntype = 'rss'\n"
        f"[[sources]]\nname = '구글 뉴스 검색'\nurl = '{search.url('/rss')}'\ntype = 'rss'\nsearch = true\n"
        f"[[sources]]\nname = '조용한 소스'\nurl = '{quiet.url('/list')}'\n",
        encoding="utf-8",
    )
    config = load_config(config_path, env={})
    direct_items: list[tuple[str, str, datetime, str]] = []
    search_items: list[tuple[str, str, datetime, str]] = []
    try:
        with StateStore(tmp_path / "state.json") as store:
            state = store.load()
            state.created_at = START.timestamp()

            async def cycle_at(moment: datetime, names: set[str]) -> None:
                clock = moment.timestamp
                sender = DryRunSender(io.StringIO())
                deliver = functools.partial(
                    deliver_pending, sender=sender, chat_id="@c", delivery_config=config.delivery, clock=clock
                )
                async with Fetcher(config.fetch) as fetcher:
                    cycle = Cycle(config, state, store, fetcher, Detector(), deliver, clock=clock)
                    await cycle.run([s for s in config.sources if s.name in names])

            async def week() -> None:
                for day, (title, minutes) in enumerate(DIRECT):
                    nine = START + timedelta(days=day, hours=9)
                    path = f"/news/articleView.html?idxno={100 + day}"
                    outlet.add(path, article(title, nine))
                    direct_items.insert(0, (title, outlet.url(path), nine, "광주일보"))
                    search_items.insert(0, (title, outlet.url(path), nine, "광주일보"))
                    if day in ELSEWHERE:
                        path = f"/news/{500 + day}"
                        other.add(path, article(ELSEWHERE[day], nine + timedelta(hours=1)))
                        search_items.insert(0, (ELSEWHERE[day], other.url(path), nine + timedelta(hours=1), "전남매일"))
                    outlet.add("/rss.xml", feed(direct_items))
                    search.add("/rss", feed(search_items))
                    await cycle_at(nine + timedelta(minutes=minutes), {"광주일보", "조용한 소스"})
                    await cycle_at(nine + timedelta(hours=1) + SEARCH_DELAY, {"구글 뉴스 검색"})

            asyncio.run(week())
            report = audit(config.sources, state, (START + timedelta(days=7, hours=9)).timestamp(), days=30)
    finally:
        for site in (outlet, other, search, quiet):
            site.stop()

    figures = {s.name: s for s in report.sources}
    assert report.stories == len(DIRECT) + len(ELSEWHERE)
    direct = figures["광주일보"]
    assert (direct.stories, direct.first, direct.search) == (7, 7, False)
    assert direct.median_delay == 20 * 60 and direct.p90_delay == 40 * 60  # of 5 10 15 20 25 30 40 minutes
    found_by_search = figures["구글 뉴스 검색"]
    assert (found_by_search.stories, found_by_search.first, found_by_search.search) == (10, 3, True)
    assert found_by_search.median_delay == found_by_search.p90_delay == SEARCH_DELAY.total_seconds()
    assert report.silent == ("조용한 소스",)
    [gap] = report.search_only
    assert (gap.outlet, gap.stories, gap.has_source) == ("전남매일", 3, False)
