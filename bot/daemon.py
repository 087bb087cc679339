"""`run`: the long-running bot.

APScheduler 3 (AsyncIOScheduler) runs one job per source at the source's interval (with jitter,
one instance at a time, coalesced, with a misfire grace), a daily retention job and, when enabled, the
daily digest. A delivery loop drains the outbox whenever a poll queued something. Admin commands are
served over long polling (bot.admin). SIGTERM or SIGINT stops it within seconds: a send in flight is
allowed to finish (or stays pending), the state is saved, the exit code is 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot import digest
from bot.app import build_sender, make_deliver
from bot.config import Config, SourceConfig
from bot.pipeline import Cycle, CycleReport
from bot.relevance import Detector
from scrapers.dates import KST
from scrapers.fetch import Fetcher
from state.store import State, StateStore

log = logging.getLogger(__name__)

STOP_GRACE_SECONDS = 8.0  # how long a send in flight may take to finish after SIGTERM
DELIVERY_POLL_SECONDS = 5.0


@dataclass(slots=True)
class Runtime:
    """What the daemon knows about itself, for /status and /metrics."""

    started_at: float = field(default_factory=time.time)
    cycles: int = 0
    last_cycle_at: float | None = None
    last_cycle: CycleReport | None = None
    cycle_seconds_total: float = 0.0


class Daemon:
    def __init__(self, config: Config, store: StateStore, state: State) -> None:
        self.config = config
        self.store = store
        self.state = state
        self.detector = Detector(config.relevance)
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
        """The job of one source: one cycle over it (backed off while it keeps failing)."""
        if self.stopping.is_set() or self.fetcher is None:
            return
        memory = self.state.sources.get(source.name)
        if memory and memory.backoff_until and memory.backoff_until > time.time():
            log.debug(
                "source %s: backing off until %s",
                source.name,
                datetime.fromtimestamp(memory.backoff_until, KST).isoformat(timespec="seconds"),
            )
            return
        cycle = Cycle(self.config, self.state, self.store, self.fetcher, self.detector, None)
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
        self.runtime.cycles += 1
        self.runtime.last_cycle_at = time.time()
        self.runtime.last_cycle = report
        self.runtime.cycle_seconds_total += report.duration
        if self.state.pending():
            self.wake_delivery.set()

    async def delivery_loop(self) -> None:
        while not self.stopping.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.wake_delivery.wait(), DELIVERY_POLL_SECONDS)
            self.wake_delivery.clear()
            if self.stopping.is_set():
                break
            if self.state.meta.get("paused") or not self.state.pending():
                continue
            try:
                await self.deliver(self.state, self.store)
            except Exception:
                log.exception("delivery failed; pending posts stay in the outbox")

    def retention(self) -> None:
        removed = self.state.prune(self.config.state.retention_days)
        self.store.save(self.state)
        log.info("retention: forgot %d seen entries older than %g days", removed, self.config.state.retention_days)

    def queue_digest(self) -> None:
        if digest.maybe_queue_digest(self.config.delivery.digest, self.state, time.time()):
            self.store.save(self.state)
            self.wake_delivery.set()

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
                next_run_time=now + timedelta(seconds=min(n * 0.2, seconds)),
            )
        self.scheduler.add_job(
            self.retention,
            "interval",
            hours=24,
            id="retention",
            coalesce=True,
            next_run_time=now + timedelta(minutes=5),
        )
        if self.config.delivery.digest.enabled:
            self.scheduler.add_job(
                self.queue_digest, "interval", seconds=30, id="digest", coalesce=True, max_instances=1
            )

    async def main(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stopping.set)
        from bot import admin, health

        async with Fetcher(self.config.fetch) as fetcher:
            self.fetcher = fetcher
            self.schedule()
            self.scheduler.start()
            delivery = asyncio.create_task(self.delivery_loop(), name="delivery")
            services = [await admin.start(self), await health.start(self)]
            log.info(
                "running: %d sources, delivery %s",
                len(self.config.sources),
                "dry run" if self.config.telegram.dry_run else f"to {self.config.telegram.chat_id}",
            )
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
