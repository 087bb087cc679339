"""`check`: validate the config, fetch and parse every source once, print a table. Changes nothing."""

from __future__ import annotations

import asyncio
import sys
import time
import unicodedata
from typing import TextIO

from bot.config import Config
from bot.parsing import WorkerParsers
from bot.poll import poll_all
from bot.sources import SourcePoll
from scrapers.fetch import Fetcher
from scrapers.gnews import describe_health
from state.records import OutboxStatus, State
from state.store import StateStore


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit(text: str, width: int) -> str:
    out, used = "", 0
    for ch in text:
        w = _width(ch)
        if used + w > width:
            return out[: max(0, len(out) - 1)] + "…" + " " * (width - used)
        out, used = out + ch, used + w
    return out + " " * (width - used)


def _age(seconds: float) -> str:
    if seconds < 3600:
        return f"{int(seconds // 60)}m"
    if seconds < 86400 * 2:
        return f"{int(seconds // 3600)}h"
    return f"{int(seconds // 86400)}d"


def format_table(polls: list[SourcePoll], state: State | None, now: float) -> str:
    header = ["source", "items", "newest item", "age", "HTTP", "time", "status"]
    widths = [22, 5, 40, 5, 4, 6, 0]
    lines = ["  ".join(_fit(h, w) if w else h for h, w in zip(header, widths, strict=True))]
    for poll in polls:
        newest = max(
            (i for i in poll.items if i.published_at),
            key=lambda i: i.published_at,  # type: ignore[arg-type,return-value]
            default=None,
        )
        first = newest or (poll.items[0] if poll.items else None)
        age = _age(now - newest.published_at.timestamp()) if newest and newest.published_at else "-"
        status = "ok" if poll.ok else f"ERROR: {poll.error}"
        memory = state.sources.get(poll.source.name) if state else None
        if poll.ok and memory and memory.consecutive_failures:
            status += f" (recovered after {memory.consecutive_failures} failed polls)"
        cells = [
            poll.source.name,
            str(len(poll.items)),
            first.title if first else "-",
            age,
            str(poll.status or "-"),
            f"{poll.elapsed:.1f}s",
            status,
        ]
        lines.append("  ".join(_fit(c, w) if w else c for c, w in zip(cells, widths, strict=True)))
    return "\n".join(lines)


async def _check(config: Config, state: State | None) -> list[SourcePoll]:
    parsers = WorkerParsers(deadline=config.fetch.parse_timeout_seconds)
    try:
        async with Fetcher(config.fetch) as fetcher:
            return await poll_all(fetcher, config.sources, state, conditional=False, parsers=parsers)
    finally:
        await parsers.close()


def run_check(config: Config, *, strict: bool = False, out: TextIO = sys.stdout) -> int:
    """Print the per-source table and the delivery backlog. Exit 1 only with --strict and a failure."""
    state = None
    if config.state.path.exists():
        store = StateStore(config.state.path)  # read only: no lock, no save
        state = store.load()
    print(
        f"config: {config.path or 'built-in defaults'} — {len(config.sources)} sources, "
        f"delivery {'dry run (no bot token)' if config.telegram.dry_run else 'to ' + str(config.telegram.chat_id)}",
        file=out,
    )
    polls = asyncio.run(_check(config, state))
    print(format_table(polls, state, time.time()), file=out)
    failed = [p for p in polls if not p.ok]
    if state is not None and (state.gnews_health or state.gnews_cache):
        print(describe_health(state.gnews_health), file=out)
    if state is not None:
        stuck = [e for e in state.outbox if e.status is OutboxStatus.FAILED]
        print(f"outbox: {state.count(OutboxStatus.PENDING)} pending, {len(stuck)} failed", file=out)
        for entry in stuck:
            print(f"  failed {entry.kind} {entry.id}: {entry.last_error}", file=out)
        for chat, block in state.blocked_chats.items():
            print(f"  chat {chat} refused delivery: {block.error} (paused, retried automatically)", file=out)
    print(f"{len(polls) - len(failed)} of {len(polls)} sources ok", file=out)
    return 1 if strict and failed else 0
