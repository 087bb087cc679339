"""Wiring: build the stages from the config and run a cycle (`once`); shared by the daemon."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import sys
import time
from collections.abc import Awaitable, Callable
from typing import TextIO

from bot.config import Config
from bot.delivery import deliver_pending
from bot.feedback import Corrections, FeedbackLog, path_beside
from bot.parsing import WorkerParsers
from bot.pipeline import Cycle, CycleReport
from bot.relevance import Detector
from bot.senders import DryRunSender, Sender
from scrapers.fetch import Fetcher
from state.records import State
from state.store import StateStore

log = logging.getLogger(__name__)


class PreviewStore(StateStore):
    """A store that reads the real state file but never writes it (`once --dry-run`)."""

    def save(self, state: State) -> None:
        pass


def build_sender(config: Config, dry_run: bool = False) -> Sender:
    if dry_run or config.telegram.dry_run:
        return DryRunSender(sys.stdout)
    from bot.telegram_client import TelegramSender  # the Telegram library only when it is used

    return TelegramSender(config.telegram, trust_env=config.fetch.trust_env)


def make_deliver(
    config: Config, sender: Sender, *, deadline: float | None = None
) -> Callable[[State, StateStore], Awaitable[object]]:
    """The delivery stage bound to the config. `deadline` (epoch): stop waiting then; the rest stays
    pending for the next cycle (`once`). The daemon delivers without one and cancels on shutdown."""
    return functools.partial(
        deliver_pending,
        sender=sender,
        deadline=deadline,
        chat_id=config.telegram.chat_id if config.telegram.chat_id is not None else "dry-run",
        delivery_config=config.delivery,
        admin_chat_ids=config.telegram.admin_chat_ids,
        link_preview=config.telegram.link_previews,
    )


def print_report(report: CycleReport, out: TextIO = sys.stderr) -> None:
    """What `once` tells the operator: the cycle's counts and every failing source."""
    print(report.summary_line(), file=out)
    for poll in report.failed_sources:
        print(f"source failed: {poll.source.name}: {poll.error} ({poll.source.url})", file=out)


async def _once(config: Config, store: StateStore, dry_run: bool) -> CycleReport:
    state = store.load()
    if store.recovery_note:
        print(f"warning: {store.recovery_note}", file=sys.stderr)
    state.token_block = None  # a run started by hand tries the token again
    sender = build_sender(config, dry_run)
    parsers = WorkerParsers(deadline=config.fetch.parse_timeout_seconds)
    try:
        async with Fetcher(config.fetch) as fetcher:
            deliver = make_deliver(config, sender, deadline=time.time() + config.delivery.once_max_seconds)
            corrections = Corrections(FeedbackLog(path_beside(store.path)), window_hours=config.stories.window_hours)
            cycle = Cycle(
                config,
                state,
                store,
                fetcher,
                Detector(config.relevance),
                deliver,
                parsers=parsers,
                corrections=corrections,
            )
            return await cycle.run()
    finally:
        await parsers.close()
        with contextlib.suppress(Exception):
            await sender.close()


def run_once(config: Config, dry_run: bool = False) -> int:
    """One full cycle; exit 0 when it ran, whatever individual sources did."""
    if dry_run:  # a preview: reads the state, holds no lock, writes nothing
        report = asyncio.run(_once(config, PreviewStore(config.state.path), dry_run))
    else:
        with StateStore(config.state.path) as store:
            report = asyncio.run(_once(config, store, dry_run))
    print_report(report)
    return 0
