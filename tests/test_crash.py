"""Killed in the middle of delivery, run again: nothing lost, nothing repeated but what Telegram
accepted while its answer was lost.

`once` runs as a real process; the fake Bot API answers slowly so the kill lands while a send is in
flight. SIGKILL gives the bot no chance to clean up: what survives is what it had made durable.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import REPO, clean_env, run_cli, wait_for, write_config
from tests.servers.telegram_api import Fault, TelegramApiServer
from tests.sites import Outlets, Story, default_stories, sources_of

MORE = [
    Story(
        "kwangju",
        "phase2",
        "광주 AI 집적단지 2단계 사업에 4000억 투입…AX 실증밸리 조성",
        [
            "광주광역시는 인공지능 집적단지 2단계 사업인 AX 실증밸리 조성에 4000억원을 투입한다고 밝혔다.",
            "사업은 첨단3지구를 중심으로 추진된다.",
        ],
        timedelta(minutes=50),
        True,
    ),
    Story(
        "namdo",
        "voucher",
        "인공지능산업융합사업단, 광주 AI 스타트업 30곳에 GPU 바우처 지원",
        [
            "인공지능산업융합사업단은 광주 지역 AI 스타트업 30곳에 국가AI데이터센터 GPU 이용 바우처를 지원한다.",
            "기업당 지원 규모는 최대 5천만원이다.",
        ],
        timedelta(minutes=40),
        True,
    ),
    Story(
        "feed",
        "gist",
        "광주과학기술원, 첨단 AI 컴퓨팅 실습센터 개소…인재 500명 양성",
        [
            "광주과학기술원(GIST)이 광주 첨단3지구에 AI 컴퓨팅 실습센터를 열었다.",
            "센터는 해마다 인공지능 인재 500명을 길러낼 계획이다.",
        ],
        timedelta(minutes=30),
        True,
    ),
]
EXPECTED = ["dc", "cluster", "power", "phase2", "voucher", "gist"]


def posted_keys(outlets: Outlets, telegram: TelegramApiServer) -> list[str]:
    """Which stories the channel received, in order, one entry per accepted sendMessage."""
    keys = []
    for text in telegram.sent_messages(telegram.channel_id):
        found = [k for k in EXPECTED if f'href="{outlets.article_url(k)}"' in text.split("\n", 1)[0]]
        assert len(found) == 1, text
        keys.append(found[0])
    return keys


@pytest.mark.parametrize(
    "accepted", [False, True], ids=["killed-before-telegram-accepts", "killed-after-telegram-accepted"]
)
def test_sigkill_mid_delivery_then_rerun(tmp_path: Path, telegram: TelegramApiServer, accepted: bool) -> None:
    with Outlets(default_stories() + MORE) as outlets:
        config = write_config(
            tmp_path / "config.toml",
            telegram=telegram,
            sources=sources_of(outlets),
        )
        # The third send hangs for a long time, before or after the server has taken the message.
        telegram.fail_next("sendMessage", Fault.slow(0.01), Fault.slow(0.01), Fault.slow(30, process_first=accepted))
        env = clean_env(TELEGRAM_BOT_TOKEN=telegram.token)
        with (tmp_path / "killed.log").open("wb") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "bot", "once", "--config", str(config)],
                cwd=REPO,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        try:
            wait_for(lambda: len(telegram.calls_to("sendMessage")) >= 3)
            time.sleep(0.2)
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
        finally:
            if proc.poll() is None:
                proc.kill()
        before = posted_keys(outlets, telegram)
        assert len(before) == (3 if accepted else 2)

        # The state on disk is whole: it parses, and the unconfirmed posts are pending in it.
        state = json.loads((tmp_path / "state" / "state.json").read_text(encoding="utf-8"))
        statuses = [e["status"] for e in state["outbox"] if e["kind"] == "post"]
        assert statuses.count("sent") == 2 and statuses.count("pending") == len(EXPECTED) - 2

        result = run_cli("once", "--config", str(config), env=env)
        assert result.returncode == 0, result.stderr
        after = posted_keys(outlets, telegram)
        assert sorted(set(after)) == sorted(EXPECTED), "every story delivered"
        repeats = len(after) - len(set(after))
        # A repeat only where Telegram accepted a message whose answer never arrived.
        assert repeats == (1 if accepted else 0), after

        # And a third run sends nothing at all.
        calls = len(telegram.calls_to("sendMessage"))
        assert run_cli("once", "--config", str(config), env=env).returncode == 0
        assert len(telegram.calls_to("sendMessage")) == calls


def test_truncated_state_never_reposts_history(tmp_path: Path, outlets: Outlets, telegram: TelegramApiServer) -> None:
    config = write_config(
        tmp_path / "config.toml",
        telegram=telegram,
        sources=sources_of(outlets),
    )
    env = clean_env(TELEGRAM_BOT_TOKEN=telegram.token)
    assert run_cli("once", "--config", str(config), env=env).returncode == 0
    sent = len(telegram.sent_messages(telegram.channel_id))
    assert sent == 3

    state_file = tmp_path / "state" / "state.json"
    for leftover in state_file.parent.glob("state.json.bak"):
        leftover.unlink()  # no good copy either: the worst case
    data = state_file.read_bytes()
    state_file.write_bytes(data[: len(data) // 2])

    result = run_cli("once", "--config", str(config), env=env)
    assert result.returncode == 0, result.stderr
    assert "state.json" in result.stderr and "baseline" in result.stderr  # said loudly
    assert len(telegram.sent_messages(telegram.channel_id)) == sent  # history not posted again


def test_two_processes_cannot_share_a_state_file(tmp_path: Path, outlets: Outlets, telegram: TelegramApiServer) -> None:
    urls = outlets.listing_urls
    config = write_config(tmp_path / "config.toml", telegram=telegram, sources={"광주일보": (urls["광주일보"], "html")})
    env = clean_env(TELEGRAM_BOT_TOKEN=telegram.token)
    with (tmp_path / "daemon.log").open("wb") as log:
        daemon = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--config", str(config)],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    try:
        wait_for(lambda: (tmp_path / "state" / "state.json.lock").exists())
        time.sleep(0.5)
        result = run_cli("once", "--config", str(config), env=env)
        assert result.returncode == 3
        assert "in use by another gwangju-ai-watch process" in result.stderr
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(20)
