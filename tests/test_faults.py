"""Faults found from the outside (issue 12), each run against the loopback fakes as an operator meets it:
a full disk, a bot removed from the channel, a revoked token, items dated in the future, titles that
try to reverse what subscribers read, and configs that make no sense."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import cast

import pytest

from bot import admin
from bot.config import ConfigError, load_config
from bot.senders import TelegramConfig
from tests import small_disk
from tests.conftest import REPO, BotProcess, clean_env, run_cli, wait_for, write_config
from tests.servers.telegram_api import TelegramApiServer
from tests.sites import Outlets, Story, sources_of

needs_small_disk = pytest.mark.skipif(
    not small_disk.available(), reason="this machine cannot mount a tmpfs in a user namespace"
)


def new_story(key: str, title: str) -> Story:
    body = [
        f"광주광역시는 {title} 소식을 밝혔다. 국가AI데이터센터와 인공지능 집적단지 관련 내용이다.",
        "시 관계자가 설명했다.",
    ]
    return Story("namdo", key, title, body, timedelta(minutes=1), True)


# -- a full disk ----------------------------------------------------------------------------------------


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[small_disk.SmallDisk]:
    with small_disk.SmallDisk(tmp_path / "disk") as d:
        yield d


@needs_small_disk
def test_once_on_a_full_disk_posts_nothing_and_says_so_in_a_sentence(
    tmp_path: Path, outlets: Outlets, telegram: TelegramApiServer, disk: small_disk.SmallDisk
) -> None:
    config = write_config(tmp_path / "config.toml", sources=sources_of(outlets), telegram=telegram)
    config.write_text(config.read_text().replace('path = "state/state.json"', f'path = "{disk.path}/state.json"'))
    disk.fill()

    result = subprocess.run(
        disk.command([sys.executable, "-m", "bot", "once", "--config", str(config)]),
        cwd=REPO,
        env=clean_env(TELEGRAM_BOT_TOKEN=telegram.token),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    assert "state error: cannot" in result.stderr and "No space left on device" in result.stderr
    assert telegram.sent_messages(telegram.channel_id) == []


@needs_small_disk
def test_a_daemon_on_a_full_disk_sends_nothing_unrecorded_alerts_once_and_loses_nothing(
    tmp_path: Path, outlets: Outlets, telegram: TelegramApiServer, disk: small_disk.SmallDisk
) -> None:
    config = write_config(tmp_path / "config.toml", sources=sources_of(outlets), telegram=telegram)
    config.write_text(config.read_text().replace('path = "state/state.json"', f'path = "{disk.path}/state.json"'))
    channel = lambda: telegram.sent_messages(telegram.channel_id)  # noqa: E731
    admin = lambda: telegram.sent_messages(telegram.admin_id)  # noqa: E731
    bot = BotProcess(["run", "--config", str(config)], tmp_path / "run1.log", telegram, disk.command)
    try:
        wait_for(lambda: len(channel()) >= 3, what="the first posts")
        disk.fill()
        outlets.add(new_story("full1", "광주 AI 인재 양성 아카데미 1기 수료식 개최"))
        wait_for(lambda: any("상태 파일을 쓸 수 없습니다" in a for a in admin()), what="the alert")
        time.sleep(4)  # several polls and delivery wake-ups with the disk full
        assert len(channel()) == 3  # the new story was found, but is not sent while it cannot be recorded
        assert sum("상태 파일을 쓸 수 없습니다" in a for a in admin()) == 1  # said once

        disk.free()
        wait_for(lambda: len(channel()) == 4, what="the post that waited")
        assert outlets.article_url("full1") in channel()[3]
        wait_for(lambda: any("다시 쓸 수 있습니다" in a for a in admin()), what="the recovery alert")

        disk.fill()  # full again, and the operator stops it before space returns
        outlets.add(new_story("full2", "광주 첨단3지구 AI 창업 지원센터 문 열어"))
        wait_for(lambda: sum("상태 파일을 쓸 수 없습니다" in a for a in admin()) == 2, what="the second alert")
        code = bot.stop()
    finally:
        bot.kill()
    assert code == 3
    assert "state error: cannot write the state file" in bot.output() and "Traceback" not in bot.output()
    assert len(channel()) == 4

    disk.free()  # the next run finds what could not be recorded, and posts it once
    again = BotProcess(["run", "--config", str(config)], tmp_path / "run2.log", telegram, disk.command)
    try:
        wait_for(lambda: len(channel()) == 5, what="the story found while the disk was full")
        time.sleep(3)
        assert again.stop() == 0
    finally:
        again.kill()
    posts = channel()
    assert outlets.article_url("full2") in posts[4]
    for key in ("dc", "cluster", "power", "full1", "full2"):
        assert sum(outlets.article_url(key) in p for p in posts) == 1, key  # each exactly once


# -- Telegram refusing ----------------------------------------------------------------------------------


def test_a_removed_bot_keeps_every_post_and_sends_them_when_re_added(
    tmp_path: Path, outlets: Outlets, telegram: TelegramApiServer
) -> None:
    config = write_config(
        tmp_path / "config.toml",
        sources=sources_of(outlets),
        telegram=telegram,
        extra="refusal_pause_seconds = 1\n",  # appended to [delivery]
    )
    telegram.chats[telegram.channel_id].bot_status = "kicked"
    bot = BotProcess(["run", "--config", str(config)], tmp_path / "run.log", telegram)
    admin = lambda: telegram.sent_messages(telegram.admin_id)  # noqa: E731
    try:
        wait_for(lambda: any("텔레그램 전송 불가" in a for a in admin()), what="the alert")
        time.sleep(6)  # pauses of 1, 2, 4 s: a few probes at most, no storm, no second alert
        refused = [c for c in telegram.calls_to("sendMessage") if c.params.get("chat_id") == telegram.channel_id]
        assert 1 <= len(refused) <= 4
        assert sum("텔레그램 전송 불가" in a for a in admin()) == 1

        telegram.chats[telegram.channel_id].bot_status = "administrator"  # re-added by an admin
        wait_for(lambda: len(telegram.sent_messages(telegram.channel_id)) >= 3, what="the posts that waited")
        wait_for(lambda: any("복구" in a for a in admin()), what="the recovery alert")
        assert bot.stop() == 0
    finally:
        bot.kill()
    posts = telegram.sent_messages(telegram.channel_id)
    for key in ("dc", "cluster", "power"):
        assert sum(outlets.article_url(key) in p for p in posts) == 1, key
    state = json.loads((tmp_path / "state" / "state.json").read_text(encoding="utf-8"))
    assert [e["status"] for e in state["outbox"] if e["chat_id"] is None] == ["sent"] * 3


def test_a_revoked_token_is_probed_with_backoff_not_on_every_wake_up(
    tmp_path: Path, outlets: Outlets, telegram: TelegramApiServer
) -> None:
    config = write_config(
        tmp_path / "config.toml", sources=sources_of(outlets), telegram=telegram, extra="refusal_pause_seconds = 3\n"
    )
    telegram.token_revoked = True
    bot = BotProcess(["run", "--config", str(config)], tmp_path / "run.log", telegram)
    try:
        time.sleep(8)  # polls every 3 s wake delivery many times over
        assert 1 <= len(telegram.calls_to("getMe")) <= 4  # admin commands' start + probes at 0, 3, 9 s
        assert telegram.calls_to("sendMessage") == []
        telegram.token_revoked = False
        wait_for(lambda: len(telegram.sent_messages(telegram.channel_id)) >= 3, what="the posts after the fix")
        assert bot.stop() == 0
    finally:
        bot.kill()
    assert "token was rejected" in bot.output() and telegram.token not in bot.output()


async def test_a_rejected_token_is_not_quoted_when_admin_commands_cannot_start(
    telegram: TelegramApiServer, caplog: pytest.LogCaptureFixture
) -> None:
    """PTB's InvalidToken quotes the token; the admin service logs it scrubbed even without the command
    line's log filter (as when the bot is embedded or run under another logging set-up)."""
    telegram.token_revoked = True
    tg = TelegramConfig(
        bot_token=telegram.token,
        chat_id=telegram.channel_id,
        api_base_url=telegram.api_root,
        admin_chat_ids=(telegram.admin_id,),
    )
    with caplog.at_level(logging.INFO):
        service = await admin.start(tg, cast(admin.Controls, None), trust_env=False)

    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("bot"))  # httpx: bot.logs
    assert service is None
    assert "admin commands unavailable: InvalidToken" in ours
    assert telegram.token not in ours and telegram.token.split(":")[1] not in ours


# -- time -------------------------------------------------------------------------------------------------


def test_items_dated_in_the_future_are_never_backfilled(tmp_path: Path, telegram: TelegramApiServer) -> None:
    typo = -timedelta(days=365 * 73)  # a typo'd year: 2099
    time_zone_slip = -timedelta(hours=9)  # a feed that wrote KST times as UTC
    stories = [
        Story(
            "kwangju", "typo", "광주 국가AI데이터센터 GPU 증설 완료", ["광주광역시 국가AI데이터센터 증설."], typo, True
        ),
        Story(
            "namdo", "tz", "광주 AI 집적단지 2단계 착수", ["광주광역시 인공지능 집적단지 2단계."], time_zone_slip, True
        ),
    ]
    with Outlets(stories) as outlets:
        config = write_config(tmp_path / "config.toml", sources=sources_of(outlets), telegram=telegram)
        config.write_text(config.read_text().replace("backfill_hours = 24", "backfill_hours = 0"))
        env = clean_env(TELEGRAM_BOT_TOKEN=telegram.token)
        assert run_cli("once", "--config", str(config), env=env).returncode == 0
        assert telegram.sent_messages(telegram.channel_id) == []  # backfill_hours = 0 posts nothing

        state_file = tmp_path / "state" / "state.json"
        state_file.write_bytes(state_file.read_bytes()[:100])  # lost: the recovered baseline posts nothing
        for leftover in state_file.parent.glob("state.json.bak"):
            leftover.unlink()
        assert run_cli("once", "--config", str(config), env=env).returncode == 0
        assert telegram.sent_messages(telegram.channel_id) == []


# -- what subscribers read --------------------------------------------------------------------------------


def test_bidirectional_overrides_never_reach_the_channel(tmp_path: Path, telegram: TelegramApiServer) -> None:
    title = "광주 AI 데이터센터 \u202eGPU 증설\u202c 확정\u2066"
    story = Story(
        "kwangju", "bidi", title, ["광주광역시 국가AI데이터센터에 GPU를\u202e 증설한다."], timedelta(hours=1), True
    )
    with Outlets([story]) as outlets:
        config = write_config(tmp_path / "config.toml", sources=sources_of(outlets), telegram=telegram)
        assert (
            run_cli("once", "--config", str(config), env=clean_env(TELEGRAM_BOT_TOKEN=telegram.token)).returncode == 0
        )
    [post] = telegram.sent_messages(telegram.channel_id)
    assert "광주 AI 데이터센터 GPU 증설 확정" in post
    assert not any(ch in post for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


# -- configs that make no sense ---------------------------------------------------------------------------

BAD_CONFIGS = [
    ("[fetch]\ntimeout_seconds = -5", "[fetch]: timeout_seconds must be at least"),
    ("[fetch]\nmax_bytes = 0", "[fetch]: max_bytes must be at least"),
    ("[state]\nretention_days = -1", "[state]: retention_days must be at least"),
    ("[delivery]\nmax_attempts = 0", "[delivery]: max_attempts must be at least 1"),
    ("[delivery]\nmax_per_minute = 50", "[delivery]: max_per_minute must be at most 20"),
    ("[delivery]\nmin_interval_seconds = -1", "[delivery]: min_interval_seconds must be at least 0"),
    ("[delivery.digest]\ntime = '25:00'", "[delivery] digest: time must be HH:MM"),
    ("[health]\nfailure_threshold = 0", "[health]: failure_threshold must be at least 1"),
    ("[health]\nhttp_listen = '0.0.0.0:9108'", "[health]: http_listen must be a loopback address"),
    ("[stories]\nwindow_hours = 0", "[stories]: window_hours must be at least 1"),
    ("[fetch]\ntimeout_seconds = 'soon'", "[fetch]: timeout_seconds must be a number"),
    ("[telegram]\nadmin_chat_ids = [true]", "[telegram]: admin_chat_ids must be an integer"),
    ("[telegram]\napi_base_url = 'api.telegram.org'", "[telegram]: api_base_url must start with http"),
    ('[[sources]]\nname = "x"\nurl = "https://x.kr/"\nencoding = "euc-krr"', "(x): encoding 'euc-krr' is not"),
    ('[[sources]]\nname = "x"\nurl = "https://x.kr/"\ninterval_minutes = 0', "(x): interval_minutes must be at least"),
    ('[[sources]]\nname = "x"\nurl = "https://x.kr/"\ntype = "atom"', "(x): type must be one of html, rss, naver_api"),
]


@pytest.mark.parametrize(("toml", "message"), BAD_CONFIGS, ids=[m for _, m in BAD_CONFIGS])
def test_a_config_that_makes_no_sense_is_refused_naming_the_key_and_file(
    tmp_path: Path, toml: str, message: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(toml + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    assert str(path) in str(caught.value) and message in str(caught.value), str(caught.value)


def test_global_flags_work_before_and_after_the_subcommand(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[[sources]]\nname = "x"\nurl = "http://127.0.0.1:9/"\n[fetch]\ntimeout_seconds = 1.0\n')
    for args in (["-v", "check", "--config", str(path)], ["check", "-v", "--config", str(path)],
                 ["--config", str(path), "-v", "check"]):  # fmt: skip
        result = run_cli(*args)
        assert result.returncode == 0 and " DEBUG " in result.stderr, (args, result.stderr[-500:])
    quiet = run_cli("check", "--config", str(path))
    assert " DEBUG " not in quiet.stderr


def test_a_clock_step_is_measured_against_the_monotonic_clock() -> None:
    from bot.daemon import clock_step

    assert clock_step(1000.0, 50.0, 1015.0, 65.0) == 0.0  # 15 s passed by both clocks
    assert clock_step(1000.0, 50.0, 1015.0 - 7200, 65.0) == -7200.0  # NTP moved it back two hours
    assert clock_step(1000.0, 50.0, 1015.0 + 90, 65.0) == 90.0


async def test_after_a_clock_step_every_poll_is_rescheduled_from_now(tmp_path: Path) -> None:
    from datetime import datetime

    from bot.daemon import Daemon
    from scrapers.dates import KST
    from state.store import StateStore

    path = tmp_path / "config.toml"
    path.write_text(
        "".join(
            f'[[sources]]\nname = "s{n}"\nurl = "http://127.0.0.1:9/{n}"\ninterval_minutes = 10\n' for n in range(3)
        )
    )
    config = load_config(path, env={})
    with StateStore(tmp_path / "state.json") as store:
        daemon = Daemon(config, store, store.load())
        daemon.schedule()
        daemon.scheduler.start(paused=True)
        try:
            later = datetime.now(KST) + timedelta(hours=2, minutes=10)  # what a step back leaves behind
            for job in daemon.scheduler.get_jobs():
                if job.id.startswith("source:"):
                    job.modify(next_run_time=later)
            daemon.reschedule()
            runs = [job.next_run_time for job in daemon.scheduler.get_jobs() if job.id.startswith("source:")]
        finally:
            daemon.scheduler.shutdown(wait=False)
    assert len(runs) == 3 and all(run < datetime.now(KST) + timedelta(seconds=5) for run in runs)
