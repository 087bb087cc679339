"""The daemon as an operator runs it: a subprocess against loopback outlets and a fake Bot API."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO, clean_env, wait_for, write_config
from tests.servers.telegram_api import TelegramApiServer
from tests.sites import Outlets, Story, sources_of

STRANGER = 555000111


class Daemon:
    def __init__(self, config: Path, telegram: TelegramApiServer, log: Path) -> None:
        self.log = log
        with log.open("ab") as sink:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot", "run", "--config", str(config)],
                cwd=REPO,
                env=clean_env(TELEGRAM_BOT_TOKEN=telegram.token),
                stdout=subprocess.DEVNULL,
                stderr=sink,
            )

    def stop(self, timeout: float = 15.0) -> tuple[int, float]:
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout)
        return code, time.monotonic() - started

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def setup(tmp_path: Path, outlets: Outlets, telegram: TelegramApiServer) -> Iterator[tuple[Path, Path]]:
    config = write_config(
        tmp_path / "config.toml",
        telegram=telegram,
        sources=sources_of(outlets),
        extra='[health]\nhttp_listen = "127.0.0.1:0"\n',
    )
    yield config, tmp_path / "daemon.log"


def test_daemon_posts_answers_admins_stops_cleanly_and_never_repeats(
    setup: tuple[Path, Path], outlets: Outlets, telegram: TelegramApiServer
) -> None:
    config, log = setup
    config.write_text(config.read_text(encoding="utf-8").replace('http_listen = "127.0.0.1:0"\n', ""), encoding="utf-8")
    daemon = Daemon(config, telegram, log)
    try:
        channel = lambda: telegram.sent_messages(telegram.channel_id)  # noqa: E731
        wait_for(lambda: len(channel()) >= 3, what="the first three posts")

        outlets.add(
            Story(
                "namdo",
                "new",
                "광주 AI 데이터센터 전력 인입 공사 착공…2027년 완공 목표",
                [
                    "광주광역시는 국가AI데이터센터 증설에 필요한 전력 인입 공사를 시작했다고 밝혔다.",
                    "공사는 2027년 완공을 목표로 한다.",
                ],
                timedelta(minutes=1),
                True,
            )
        )
        wait_for(lambda: len(channel()) >= 4, what="the new article's post")
        assert outlets.article_url("new") in channel()[3]

        telegram.push_command(STRANGER, "/status")
        telegram.push_command(telegram.admin_id, "/status")
        wait_for(lambda: telegram.sent_messages(telegram.admin_id), what="the /status answer")
        answer = telegram.sent_messages(telegram.admin_id)[0]
        assert "상태" in answer and "소스" in answer and "대기" in answer
        time.sleep(1.0)
        assert [c for c in telegram.calls_to("sendMessage") if str(c.params.get("chat_id")) == str(STRANGER)] == []

        code, took = daemon.stop()
        assert code == 0 and took < 10, (code, took, log.read_text(encoding="utf-8"))
    finally:
        daemon.kill()
    state = json.loads((config.parent / "state" / "state.json").read_text(encoding="utf-8"))
    assert state["schema_version"] == 1 and all(e["status"] == "sent" for e in state["outbox"])

    posted = len(telegram.sent_messages(telegram.channel_id))
    again = Daemon(config, telegram, log)
    try:
        time.sleep(8)  # more than two poll intervals
        assert len(telegram.sent_messages(telegram.channel_id)) == posted
        assert again.stop()[0] == 0
    finally:
        again.kill()
    assert telegram.token not in log.read_text(encoding="utf-8")


def test_health_endpoint_and_metrics(setup: tuple[Path, Path], telegram: TelegramApiServer) -> None:
    config, log = setup
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config.write_text(config.read_text(encoding="utf-8").replace("127.0.0.1:0", f"127.0.0.1:{port}"), encoding="utf-8")
    daemon = Daemon(config, telegram, log)
    try:
        wait_for(lambda: len(telegram.sent_messages(telegram.channel_id)) >= 3, what="posts")
        delay = 'gwatch_source_post_delay_seconds{quantile="0.5",source="광주일보"}'
        with httpx.Client(trust_env=False, timeout=5) as client:
            health = client.get(f"http://127.0.0.1:{port}/healthz")
            # a post reaches the fake server a moment before the daemon records it as sent
            wait_for(lambda: delay in client.get(f"http://127.0.0.1:{port}/metrics").text, what="post delays")
            metrics = client.get(f"http://127.0.0.1:{port}/metrics").text
        assert health.status_code == 200
        assert "gwatch_sources 3" in metrics
        assert "gwatch_posts_pending 0" in metrics or "gwatch_posts_sent 3" in metrics
        assert "gwatch_cycle_duration_seconds" in metrics
        assert 'gwatch_source_stories{source="광주일보"}' in metrics  # the coverage audit's figures
        seconds = float(metrics.split(delay, 1)[1].split()[0])
        assert 7200 <= seconds < 7500  # the page dates the story two hours before the post
        assert daemon.stop()[0] == 0
    finally:
        daemon.kill()


def test_admin_commands_pause_resume_latest_sources_check(
    setup: tuple[Path, Path], outlets: Outlets, telegram: TelegramApiServer
) -> None:
    config, log = setup
    config.write_text(config.read_text(encoding="utf-8").replace('http_listen = "127.0.0.1:0"\n', ""), encoding="utf-8")
    daemon = Daemon(config, telegram, log)
    admin = telegram.admin_id

    def answers() -> list[str]:
        return telegram.sent_messages(admin)

    def ask(command: str) -> str:
        before = len(answers())
        telegram.push_command(admin, command)
        wait_for(lambda: len(answers()) > before, what=f"the answer to {command}")
        return answers()[before]

    try:
        wait_for(lambda: len(telegram.sent_messages(telegram.channel_id)) >= 3, what="the first posts")
        assert "멈췄습니다" in ask("/pause")
        outlets.add(
            Story(
                "kwangju",
                "paused",
                "광주 AI 집적단지에 GPU 클라우드 센터 추가 개소",
                ["광주광역시는 인공지능 집적단지에 GPU 클라우드 센터를 추가로 열었다고 밝혔다."],
                timedelta(minutes=1),
                True,
            )
        )
        time.sleep(8)  # two poll intervals: found and queued, but not sent
        assert len(telegram.sent_messages(telegram.channel_id)) == 3
        assert "대기 중" in ask("/resume")
        wait_for(lambda: len(telegram.sent_messages(telegram.channel_id)) == 4, what="the held post")

        latest = ask("/latest 2")
        assert "GPU 클라우드 센터" in latest and latest.count("<a href=") == 2
        sources = ask("/sources")
        assert all(name in sources for name in ("광주일보", "남도일보", "뉴스피드"))
        checked = ask(f"/check {outlets.listing_urls['남도일보']}")
        assert "첨단3지구 AI 집적단지 입주 기업 100곳 돌파" in checked
        assert daemon.stop()[0] == 0
    finally:
        daemon.kill()
