"""`run`: the long-running bot.

APScheduler 3 (AsyncIOScheduler) runs one job per source at the source's interval (with jitter,
one instance at a time, coalesced, with a misfire grace), a daily retention job and, when enabled, the
daily digest. A delivery loop drains the outbox whenever a poll queued something. Admin commands are
served over long polling (bot.admin, through the `Controls` this class implements). SIGTERM or SIGINT
stops it within seconds: a send in flight is allowed to finish (or stays pending), the state is saved,
the exit code is 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Sequence
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot import admin, digest, health, render
from bot.app import build_sender, make_deliver
from bot.config import Config
from bot.delivery import requeue_failed
from bot.pipeline import Cycle
from bot.poll import poll_source
from bot.relevance import Detector
from bot.source_health import poll_due
from bot.sources import SourceConfig
from bot.status import Runtime, StatusSnapshot, snapshot
from bot.story_index import StoryIndex
from scrapers.dates import KST
from scrapers.fetch import Fetcher
from state.records import State, StoryRecord
from state.store import StateStore

log = logging.getLogger(__name__)

STOP_GRACE_SECONDS = 8.0  # how long a send in flight may take to finish after SIGTERM
DELIVERY_POLL_SECONDS = 5.0
FIRST_POLL_STAGGER_SECONDS = 0.2  # between the first polls of consecutive sources at start-up
RETENTION_FIRST_RUN_MINUTES = 5


class Daemon:
    def __init__(self, config: Config, store: StateStore, state: State) -> None:
        self.config = config
        self.store = store
        self.state = state
        self.detector = Detector(config.relevance)
        self.stories = StoryIndex.from_stories(state.stories.values(), config.stories.window_hours)
        self.sender = build_sender(config)
        self.deliver = make_deliver(config, self.sender)
        self.runtime = Runtime()
        self.stopping = asyncio.Event()
        self.wake_delivery = asyncio.Event()
        self.fetcher: Fetcher | None = None
        self.polls_in_flight: set[asyncio.Task[object]] = set()
        self.scheduler = AsyncIOScheduler(timezone=KST)

    # -- jobs -----------------------------------------------------------------------------------
    async def poll(self, source: SourceConfig) -> None:
        """The job of one source: one cycle over it (skipped while it backs off after failures)."""
        if self.stopping.is_set() or self.fetcher is None:
            return
        if not poll_due(self.state.sources.get(source.name), time.time()):
            log.debug("source %s: backing off", source.name)
            return
        cycle = Cycle(self.config, self.state, self.store, self.fetcher, self.detector, None, stories=self.stories)
        task = asyncio.current_task()
        if task is not None:
            self.polls_in_flight.add(task)
        try:
            report = await cycle.run([source])
        except Exception:
            log.exception("source %s: the cycle failed", source.name)
            return
        finally:
            if task is not None:
                self.polls_in_flight.discard(task)
        self.runtime.cycle_done(time.time(), report.duration)
        if self.state.pending():
            self.wake_delivery.set()

    async def delivery_loop(self) -> None:
        while not self.stopping.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.wake_delivery.wait(), DELIVERY_POLL_SECONDS)
            self.wake_delivery.clear()
            if self.stopping.is_set():
                break
            if self.state.paused or not self.state.pending():
                continue
            try:
                await self.deliver(self.state, self.store)
            except Exception:
                log.exception("delivery failed; pending posts stay in the outbox")

    def retention(self) -> None:
        removed = self.state.prune(self.config.state.retention_days)
        self.stories.forget_except(self.state.stories)
        self.store.save(self.state)
        log.info("retention: forgot %d seen entries older than %g days", removed, self.config.state.retention_days)

    def queue_digest(self) -> None:
        if digest.maybe_queue_digest(self.config.delivery.digest, self.state, time.time()):
            self.store.save(self.state)
            self.wake_delivery.set()

    # -- admin controls (bot.admin.Controls) ------------------------------------------------------
    def status(self) -> StatusSnapshot:
        return snapshot(self.config.sources, self.state, self.runtime, time.time())

    def latest(self, n: int) -> Sequence[StoryRecord]:
        return sorted(self.state.stories.values(), key=lambda s: s.first_seen, reverse=True)[:n]

    def set_paused(self, paused: bool) -> int:
        self.state.paused = paused
        self.store.save(self.state)
        if not paused:
            self.wake_delivery.set()
        return len(self.state.pending())

    def retry_failed(self) -> int:
        count = requeue_failed(self.state)
        self.store.save(self.state)
        self.wake_delivery.set()
        return count

    async def check(self, url: str) -> str:
        if self.fetcher is None:
            return render.CHECK_UNAVAILABLE
        poll = await poll_source(self.fetcher, SourceConfig(name="check", url=url), None, conditional=False)
        shown = [(i, self.detector.classify(i.title, i.snippet).relevant) for i in poll.items[: render.CHECK_SHOWN]]
        return render.check_reply(url, poll.error, poll.elapsed, len(poll.items), shown)

    # -- life cycle -----------------------------------------------------------------------------
    def schedule(self) -> None:
        now = datetime.now(KST)
        for n, source in enumerate(self.config.sources):
            seconds = max(source.interval_minutes * 60, 1.0)
            self.scheduler.add_job(
                self.poll,
                "interval",
                args=[source],
                id=f"source:{source.name}",
                seconds=seconds,
                jitter=min(seconds * 0.1, 30.0),
                max_instances=1,
                coalesce=True,
                misfire_grace_time=max(int(seconds / 2), 1),
                # Stagger the first polls so start-up is not a burst against every site at once.
                next_run_time=now + timedelta(seconds=min(n * FIRST_POLL_STAGGER_SECONDS, seconds)),
            )
        self.scheduler.add_job(
            self.retention,
            "interval",
            hours=24,
            id="retention",
            coalesce=True,
            next_run_time=now + timedelta(minutes=RETENTION_FIRST_RUN_MINUTES),
        )
        if self.config.delivery.digest.enabled:
            self.scheduler.add_job(
                self.queue_digest, "interval", seconds=30, id="digest", coalesce=True, max_instances=1
            )

    def announce(self) -> None:
        """The start-up lines a person wants to read."""
        sources = self.config.sources
        intervals = sorted({s.interval_minutes for s in sources})
        tg = self.config.telegram
        log.info("config: %s", self.config.path or "built-in defaults")
        log.info(
            "sources: %d (%s), polled every %s minutes",
            len(sources),
            ", ".join(f"{sum(1 for s in sources if s.type == t)} {t}" for t in sorted({s.type for s in sources})),
            "/".join(f"{i:g}" for i in intervals) if len(intervals) <= 4 else f"{intervals[0]:g}–{intervals[-1]:g}",
        )
        log.info("delivery: %s", "dry run (no bot token): posts are printed" if tg.dry_run else f"to {tg.chat_id}")
        log.info("state: %s (%d seen, %d stories, %d pending)", self.store.path, len(self.state.seen),
                 len(self.state.stories), len(self.state.pending()))  # fmt: skip

    async def main(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stopping.set)
        async with Fetcher(self.config.fetch) as fetcher:
            self.fetcher = fetcher
            self.announce()
            self.schedule()
            self.scheduler.start()
            delivery = asyncio.create_task(self.delivery_loop(), name="delivery")
            services = [
                await admin.start(self.config.telegram, self, trust_env=self.config.fetch.trust_env),
                await health.start(self.config.health.http_listen, self.status),
            ]
            await self.stopping.wait()
            log.info("stopping")
            self.scheduler.shutdown(wait=False)
            # A poll in flight is abandoned at its current await: its state changes happen between
            # awaits, so the state stays consistent, and its items are simply polled again next time.
            for task in list(self.polls_in_flight):
                task.cancel()
            await asyncio.gather(*self.polls_in_flight, return_exceptions=True)
            self.wake_delivery.set()
            try:
                await asyncio.wait_for(delivery, STOP_GRACE_SECONDS)
            except TimeoutError:
                log.warning("a send was still in flight after %gs; it stays pending", STOP_GRACE_SECONDS)
            for service in services:
                if service is not None:
                    with contextlib.suppress(Exception):
                        await service.stop()
            self.fetcher = None
        with contextlib.suppress(Exception):
            await self.sender.close()
        self.store.save(self.state)
        log.info("stopped; state saved to %s", self.store.path)


def run_daemon(config: Config) -> int:
    with StateStore(config.state.path) as store:
        state = store.load()
        if store.recovery_note:
            log.error("%s", store.recovery_note)
        asyncio.run(Daemon(config, store, state).main())
    return 0
