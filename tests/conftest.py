"""Shared fixtures: the real-page folder, loopback servers, and running the command line as a user does."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.servers.telegram_api import TelegramApiServer
from tests.sites import Outlets

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
REAL = SHARED / "fixtures" / "real"


@pytest.fixture(scope="session")
def real_fixtures() -> Path:
    """`../shared/fixtures/real`, used in place; tests that need it skip when it is absent."""
    if not (REAL / "MANIFEST.json").is_file():
        pytest.skip("../shared/fixtures/real is not present")
    return REAL


@pytest.fixture
def telegram() -> Iterator[TelegramApiServer]:
    with TelegramApiServer() as server:
        yield server


@pytest.fixture
def outlets() -> Iterator[Outlets]:
    with Outlets() as o:
        yield o


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str

    def json_lines(self) -> list[dict]:
        return [json.loads(line) for line in self.stdout.splitlines() if line.strip()]


def wait_for(predicate: Callable[[], object], timeout: float = 60.0, what: str = "condition") -> None:
    """Poll until `predicate()` is true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for a child bot process: no proxies, no token unless given."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy") and k != "TELEGRAM_BOT_TOKEN"
    }
    env["PYTHONPATH"] = str(REPO)
    env.update(extra)
    return env


def run_cli(
    *args: str,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    cwd: Path | None = None,
    timeout: float = 120,
) -> Result:
    """Run `python -m bot ARGS` as a user would, and capture what it printed."""
    proc = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env or clean_env(),
        cwd=cwd or REPO,
        timeout=timeout,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def write_config(
    path: Path, *, sources: dict[str, tuple[str, str]], telegram: TelegramApiServer | None = None, extra: str = ""
) -> Path:
    """A config for tests: the given sources {name: (url, type)}, fast and polite to loopback."""
    lines = []
    if telegram is not None:
        lines += [
            "[telegram]",
            f"chat_id = {telegram.channel_id}",
            f'api_base_url = "{telegram.api_root}"',
            f"admin_chat_ids = [{telegram.admin_id}]",
            "",
        ]
    lines += [
        "[state]",
        'path = "state/state.json"',
        "",
        "[fetch]",
        "trust_env = false",
        "min_host_delay_seconds = 0.0",
        "timeout_seconds = 5.0",
        "",
        "[delivery]",
        "backfill_hours = 24",
        "min_interval_seconds = 0.05",
        "",
    ]
    lines.append(extra)
    for name, (url, kind) in sources.items():
        lines += [
            "[[sources]]",
            f'name = "{name}"',
            f'url = "{url}"',
            f'type = "{kind}"',
            "interval_minutes = 0.05",
            "",
        ]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


class BotProcess:
    """`python -m bot ARGS` as a long-running process (the daemon), its stderr in `log`; `wrap` puts a
    command in front of it (e.g. `nsenter` into a small disk's namespace)."""

    def __init__(
        self,
        args: list[str],
        log: Path,
        telegram: TelegramApiServer,
        wrap: Callable[[list[str]], list[str]] | None = None,
    ) -> None:
        argv = [sys.executable, "-m", "bot", *args]
        self.log = log
        with log.open("ab") as sink:
            self.proc = subprocess.Popen(
                wrap(argv) if wrap else argv,
                cwd=REPO,
                env=clean_env(TELEGRAM_BOT_TOKEN=telegram.token),
                stdout=subprocess.DEVNULL,
                stderr=sink,
            )

    def stop(self, timeout: float = 20.0) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")
