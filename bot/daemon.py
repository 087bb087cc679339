"""`run`: the long-running bot.

APScheduler 3 (AsyncIOScheduler) runs one job per source at the source's interval (with jitter,
one instance at a time, coalesced, with a misfire grace), a daily retention job and, when enabled, the
daily digest. A delivery loop drains the outbox whenever a poll queued something. Admin commands are
served over long polling (bot.admin, through the `Controls` this class implements). SIGTERM or SIGINT
stops it within seconds: a send in flight is allowed to finish (or stays pending), the state is saved,
the exit code is 0 — or 3, with a sentence, when the state file could not be written at the end.

When the state file cannot be written (a full disk), nothing that could not be recorded is sent:
polling goes on in memory, the outbox is kept in memory, only admin alerts go out (one when it starts,
one when it is over), and everything waiting is sent once a save succeeds again.

The scheduler runs on the wall clock. A watchdog compares it with the monotonic clock; when the wall
clock jumps (an NTP correction), every source's next poll is rescheduled from now, so a clock stepped
back two hours does not stop polling for two hours.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot import admin, digest, health, outbox, render
from bot.app import build_sender, make_deliver
from bot.articles import ArticleReader
from bot.config import Config
from bot.delivery import DeliveryReport
from bot.feedback import Corrections, FeedbackLog, path_beside
from bot.newsroom import Newsroom
from bot.operator_commands import OperatorCommands
from bot.parsing import WorkerParsers
from bot.pipeline import Cycle
from bot.poll import poll_source
from bot.relevance import Detector
from bot.source_health import poll_due
from bot.sources import SourceConfig
from bot.status import Runtime
from bot.stories import build_index
from scrapers.dates import KST
from scrapers.fetch import Fetcher
from state.records import State
from state.store import StateStore, StateWriteError

log = logging.getLogger(__name__)

STOP_GRACE_SECONDS = 8.0  # how long a send in flight may take to finish after SIGTERM
DELIVERY_POLL_SECONDS = 5.0
FIRST_POLL_STAGGER_SECONDS = 0.2  # between the first polls of consecutive sources at start-up
RETENTION_FIRST_RUN_MINUTES = 5
CLOCK_CHECK_SECONDS = 15.0  # how often the wall clock is compared with the monotonic clock
CLOCK_STEP_SECONDS = 30.0  # a disagreement larger than this is a step of the wall clock


def clock_step(wall_before: float, mono_before: float, wall_now: float, mono_now: float) -> float:
    """How far the wall clock jumped between two readings, beyond the time that passed (< 0: back)."""
    return (wall_now - wall_before) - (mono_now - mono_before)


class Daemon:
    def __init__(self, config: Config, store: StateStore, state: State) -> None:
        self.config = config
        self.store = store
        self.state = state
        state.token_block = None  # a restart is when a fixed token is put in: try it at once
        self.detector = Detector(config.relevance)
        self.stories = build_index(state.stories.values(), config.stories.window_hours, time.time())
        self.sender = build_sender(config)
        self.deliver = make_deliver(config, self.sender)
        self.runtime = Runtime()
        self.stopping = asyncio.Event()
        self.wake_delivery = asyncio.Event()
        self.fetcher: Fetcher | None = None
        self.reader: ArticleReader | None = None  # one for all cycles: an article listed twice is read once
        self.feedback = FeedbackLog(path_beside(store.path))
        self.corrections = Corrections(self.feedback, window_hours=config.stories.window_hours)
        self.operator = OperatorCommands(
            config,
            state,
            self.detector,
            self.corrections,
            self.feedback,
            runtime=self.runtime,
            reader=lambda: self.reader,
            newsroom=lambda: Newsroom(self.state, self.stories, time.time),
            check=self.check,
            commit=self.commit,
        )
        self.parsers = WorkerParsers(deadline=config.fetch.parse_timeout_seconds)
        self.polls_in_flight: set[asyncio.Task[object]] = set()
        self.scheduler = AsyncIOScheduler(timezone=KST)
        self.state_error: str | None = None  # why the state file cannot be written, while it cannot

    # -- the state file -----------------------------------------------------------------------------
    def save(self) -> bool:
        """Save the state; False (and the admins told, once) when the file cannot be written."""
        try:
            self.store.save(self.state)
        except StateWriteError as exc:
            self.state_unwritable(str(exc))
            return False
        self.state_writable()
        return True

    def state_unwritable(self, error: str) -> None:
        if self.state_error is None:
            log.error("state: %s; nothing is sent that could not be recorded, polling goes on in memory", error)
            self.alert(render.state_unwritable_alert(error))
        self.state_error = error

    def state_writable(self) -> None:
        if self.state_error is not None:
            self.state_error = None
            log.warning("state: the state file can be written again; sending what waited")
            self.alert(render.state_writable_alert(len(self.state.pending())))

    def alert(self, text: str) -> None:
        outbox.queue_alert(self.state, self.config.telegram.admin_chat_ids, text, time.time())
        self.wake_delivery.set()

    # -- jobs -----------------------------------------------------------------------------------
    async def poll(self, source: SourceConfig) -> None:
        """The job of one source: one cycle over it (skipped while it backs off after failures)."""
        if self.stopping.is_set() or self.fetcher is None:
            return
        if not poll_due(self.state.sources.get(source.name), time.time()):
            log.debug("source %s: backing off", source.name)
            return
        cycle = self.cycle()
        task = asyncio.current_task()
        if task is not None:
            self.polls_in_flight.add(task)
        try:
            report = await cycle.run([source])
        except StateWriteError as exc:  # what the poll found stays in memory, unsent
            self.state_unwritable(str(exc))
            return
        except Exception:
            log.exception("source %s: the cycle failed", source.name)
            return
        finally:
            if task is not None:
                self.polls_in_flight.discard(task)
        self.runtime.cycle_done(time.time(), report.duration)
        if self.state.pending():
            self.wake_delivery.set()

    def cycle(self) -> Cycle:
        """A cycle over this daemon's state, with the parts it keeps for its life."""
        assert self.fetcher is not None
        return Cycle(
            self.config,
            self.state,
            self.store,
            self.fetcher,
            self.detector,
            None,
            stories=self.stories,
            parsers=self.parsers,
            reader=self.reader,
            corrections=self.corrections,
        )

    def commit(self) -> None:
        """Save what a command changed and deliver what it queued."""
        self.save()
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
                report = await self.deliver(self.state, self.store)
            except Exception:
                log.exception("delivery failed; what was not confirmed stays in the outbox")
                continue
            if isinstance(report, DeliveryReport) and report.state_error:
                self.state_unwritable(report.state_error)
            elif self.state_error is not None:
                self.save()

    async def watch_clock(self) -> None:
        """Reschedule the polls when the wall clock steps (see the module docstring)."""
        wall, mono = time.time(), time.monotonic()
        while not self.stopping.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), CLOCK_CHECK_SECONDS)
            now_wall, now_mono = time.time(), time.monotonic()
            step = clock_step(wall, mono, now_wall, now_mono)
            wall, mono = now_wall, now_mono
            if abs(step) > CLOCK_STEP_SECONDS:
                log.warning("the wall clock jumped %+.0f s; polls rescheduled from now", step)
                self.reschedule()

    def reschedule(self) -> None:
        """Every source's next poll from now (staggered), whatever the scheduler had computed."""
        now = datetime.now(KST)
        for n, source in enumerate(self.config.sources):
            job = self.scheduler.get_job(f"source:{source.name}")
            if job is not None:
                job.modify(next_run_time=now + timedelta(seconds=n * FIRST_POLL_STAGGER_SECONDS))

    def retention(self) -> None:
        removed = self.state.prune(self.config.state.retention_days)
        self.save()
        log.info("retention: forgot %d seen entries older than %g days", removed, self.config.state.retention_days)

    def queue_digest(self) -> None:
        """The scheduled messages: the daily digest and weekly summary, the daily coverage audit."""
        if digest.queue_due(self.config, self.state, time.time()):
            self.commit()

    async def check(self, url: str) -> str:
        """The answer to /check: a listing parsed on demand."""
        if self.fetcher is None:
            return render.CHECK_UNAVAILABLE
        poll = await poll_source(
            self.fetcher, SourceConfig(name="check", url=url), None, conditional=False, parsers=self.parsers
        )
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
        self.scheduler.add_job(self.queue_digest, "interval", seconds=30, id="reports", coalesce=True, max_instances=1)

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
            self.reader = ArticleReader(fetcher, self.parsers)
            self.announce()
            self.schedule()
            self.scheduler.start()
            delivery = asyncio.create_task(self.delivery_loop(), name="delivery")
            watchdog = asyncio.create_task(self.watch_clock(), name="clock")
            services = [
                await admin.start(self.config.telegram, self.operator, trust_env=self.config.fetch.trust_env),
                await health.start(self.config.health.http_listen, self.operator.status, self.operator.coverage_report),
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
            await watchdog
            await self.parsers.close()
            self.fetcher = None
        with contextlib.suppress(Exception):
            await self.sender.close()
        try:
            self.store.save(self.state)
        except StateWriteError:
            log.error("stopped without saving: what was found since the last save is found again next run")
            raise
        log.info("stopped; state saved to %s", self.store.path)


def run_daemon(config: Config) -> int:
    with StateStore(config.state.path) as store:
        state = store.load()
        if store.recovery_note:
            log.error("%s", store.recovery_note)
        asyncio.run(Daemon(config, store, state).main())
    return 0
