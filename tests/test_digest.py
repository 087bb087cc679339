"""The daily digest goes out at its KST time, once, and not on a day without stories.

The clock is moved by hand; the digest crosses the wire to the fake Bot API through the real sender.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

from bot.config import DeliveryConfig, DigestConfig, TelegramConfig
from bot.delivery import deliver_pending
from bot.digest import WeeklyConfig, maybe_queue_digest, maybe_queue_weekly
from bot.telegram_client import TelegramSender
from scrapers.dates import KST
from state.records import State, StoryRecord
from state.store import StateStore
from tests.servers.telegram_api import TelegramApiServer

DIGEST = DigestConfig(enabled=True, time="21:00")


def at(text: str) -> float:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=KST).timestamp()


def story(n: int, seen: str, title: str) -> StoryRecord:
    return StoryRecord(
        id=f"s{n}",
        title=title,
        url=f"https://news.example.kr/articleView.html?idxno={n}",
        outlet="광주일보",
        published_at=at(seen),
        first_seen=at(seen),
        summary="요약.",
        message_id=n,
    )


def state_with_stories() -> State:
    state = State()
    for s in (
        story(1, "2026-11-25 23:30", "어제 소식: 광주 AI 데이터센터 착공"),
        story(2, "2026-11-26 09:10", "광주 국가AI컴퓨팅센터 유치 확정"),
        story(3, "2026-11-26 15:45", "첨단3지구 AI 집적단지 기업 100곳 <돌파> & 확대"),
    ):
        state.stories[s.id] = s
    return state


def test_due_only_at_or_after_the_configured_time_and_once_a_day() -> None:
    state = state_with_stories()
    assert not maybe_queue_digest(DIGEST, state, at("2026-11-26 20:59"))
    assert state.outbox == []
    assert maybe_queue_digest(DIGEST, state, at("2026-11-26 21:00"))
    assert not maybe_queue_digest(DIGEST, state, at("2026-11-26 21:30"))  # once
    assert [e.kind for e in state.outbox] == ["digest"]
    text = state.outbox[0].text
    assert "광주 국가AI컴퓨팅센터 유치 확정" in text and "idxno=2" in text and "idxno=3" in text
    assert "어제 소식" not in text  # yesterday's story belongs to yesterday's digest
    assert "&lt;돌파&gt; &amp; 확대" in text  # scraped text escaped


def test_skipped_on_a_day_without_stories_and_off_when_disabled() -> None:
    state = state_with_stories()
    assert not maybe_queue_digest(DIGEST, state, at("2026-11-27 21:05"))
    assert state.outbox == []
    assert not maybe_queue_digest(DigestConfig(enabled=False), state_with_stories(), at("2026-11-26 22:00"))


async def test_the_digest_reaches_the_channel(tmp_path: Path, telegram: TelegramApiServer) -> None:
    state = state_with_stories()
    store = StateStore(tmp_path / "state.json")
    assert maybe_queue_digest(DIGEST, state, at("2026-11-26 21:01"))
    sender = TelegramSender(
        TelegramConfig(bot_token=telegram.token, chat_id=telegram.channel_id, api_base_url=telegram.api_root),
        trust_env=False,
    )
    try:
        report = await deliver_pending(
            state, store, sender, chat_id=telegram.channel_id, delivery_config=DeliveryConfig(min_interval_seconds=0)
        )
    finally:
        await sender.close()
    assert report.sent == 1
    [sent] = telegram.sent_messages(telegram.channel_id)
    assert "첨단3지구 AI 집적단지 기업 100곳" in sent and "2026.11.26" in sent


def test_the_digest_groups_a_storyline_under_its_name() -> None:
    state = state_with_stories()
    state.stories["s2"].storyline = "s1"  # both continue the thread yesterday's story started
    state.stories["s3"].storyline = "s1"
    assert maybe_queue_digest(DIGEST, state, at("2026-11-26 21:00"))
    text = state.outbox[0].text
    assert "<b>▸ 어제 소식: 광주 AI 데이터센터 착공</b> (2건)" in text
    assert text.index("유치 확정") > text.index("▸") and text.index("100곳") > text.index("유치 확정")


WEEKLY = WeeklyConfig(enabled=True, weekday="thu", time="20:00")


def test_the_weekly_summary_lists_the_weeks_storylines_with_counts() -> None:
    state = state_with_stories()
    state.stories["s3"].storyline = "s2"
    state.stories["old"] = replace(story(9, "2026-11-10 10:00", "지난달 소식"), id="old")
    assert not maybe_queue_weekly(WeeklyConfig(), state, at("2026-11-26 20:00"))  # off by default
    assert not maybe_queue_weekly(WEEKLY, state, at("2026-11-26 19:59"))
    assert not maybe_queue_weekly(WEEKLY, state, at("2026-11-25 20:30"))  # a Wednesday
    assert maybe_queue_weekly(WEEKLY, state, at("2026-11-26 20:00"))
    assert not maybe_queue_weekly(WEEKLY, state, at("2026-11-26 21:00"))  # once
    [entry] = state.outbox
    assert entry.kind == "digest" and entry.chat_id is None
    lines = entry.text.split("\n")
    assert lines[0] == "<b>이번 주 광주 AI 인프라 소식 (11.20–11.26)</b>"
    assert lines[2].startswith("• <b>광주 국가AI컴퓨팅센터 유치 확정</b> 2건 — 최근: <a href=")
    assert "어제 소식" in lines[3] and "지난달 소식" not in entry.text
