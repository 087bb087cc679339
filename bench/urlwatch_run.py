"""urlwatch (from PyPI) watching the same URLs, measured from outside as a child process.

urlwatch runs every job in a pool of 10 threads (`urlwatch.worker.MAX_WORKERS`), with no per-host
cap and no robots.txt. Its files (urls, config, hooks, cache) live in a temporary folder, HOME points
there too, and proxy variables are removed so loopback is reached directly. Its default config is
used (the stdout reporter on), with stdout sent to /dev/null. Two runs, like the bot's two cycles:
the first finds every page new, the second compares every page with its cache.

`filtered=True` gives each job the filters a user would add to watch headlines, not the whole page:
``css: h4.titles a`` then ``html2text``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


def urlwatch_command() -> list[str] | None:
    """How to start urlwatch from this interpreter's environment, or None when it is not installed."""
    beside = Path(sys.executable).with_name("urlwatch")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("urlwatch")
    return [found] if found else None


def clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k.lower() not in PROXY_VARIABLES}
    env["HOME"] = str(home)
    env["XDG_CONFIG_HOME"] = str(home / ".config")
    env["XDG_CACHE_HOME"] = str(home / ".cache")
    return env


def write_jobs(path: Path, urls: list[str], filtered: bool) -> None:
    docs = []
    for i, url in enumerate(urls):
        job: dict[str, object] = {"name": f"bench-{i:04d}", "url": url}
        if filtered:
            job["filter"] = [{"css": "h4.titles a"}, "html2text"]
        docs.append(json.dumps(job, ensure_ascii=False))  # JSON is YAML
    path.write_text("\n---\n".join(docs) + "\n", encoding="utf-8")


def timed_run(command: list[str], env: dict[str, str], cwd: Path) -> dict[str, float]:
    """Wall, CPU (user + system) and peak RSS of one child process, from wait4."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    with proc.stderr:
        stderr = proc.stderr.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"urlwatch exited with {proc.returncode}: {stderr[-500:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak_rss": usage.ru_maxrss / 1e3}


def run(urls: list[str], *, filtered: bool = False) -> dict[str, Any] | None:
    """Two urlwatch runs over `urls`; None when urlwatch is not installed."""
    command = urlwatch_command()
    if command is None:
        return None
    with tempfile.TemporaryDirectory(prefix="bench-urlwatch-") as tmp:
        folder = Path(tmp)
        write_jobs(folder / "urls.yaml", urls, filtered)
        (folder / "hooks.py").write_text("")
        command = [
            *command,
            "--urls",
            str(folder / "urls.yaml"),
            "--config",
            str(folder / "config.yaml"),
            "--hooks",
            str(folder / "hooks.py"),
            "--cache",
            str(folder / "cache.db"),
        ]
        env = clean_env(folder)
        first = timed_run(command, env, folder)
        following = timed_run(command, env, folder)
    return {"first": first, "next": following, "peak_rss": max(first["peak_rss"], following["peak_rss"])}
