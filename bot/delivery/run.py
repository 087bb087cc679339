"""One delivery run: the outbox in order, each failure met by its reaction (see the package docstring)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot import backoff, outbox, render
from bot.delivery.pacing import FloodLimiter, Pacing
from bot.delivery.pauses import Pauses
from bot.delivery.settings import MAX_ERROR_TEXT, RETRY_AFTER_MARGIN, DeliveryConfig
from bot.senders import FailureKind, Sender, SendFailure
from scrapers.dates import KST
from state.records import OutboxEntry, OutboxKind, OutboxStatus, State
from state.store import StateStore, StateWriteError

log = logging.getLogger("bot.delivery")


@dataclass(slots=True)
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    pending: int = 0  # still pending when the run ended
    retries: int = 0
    waited: float = 0.0  # seconds slept for flood limits, retry_after and backoff
    possible_duplicates: int = 0  # sent after a lost answer: the first attempt may have been posted too
    alerts_queued: int = 0
    stopped: str | None = None  # why the run stopped early (e.g. the token was rejected)
    state_error: str | None = None  # the state file could not be written: only alerts were sent
    errors: list[str] = field(default_factory=list)

    def summary_line(self) -> str:
        return (
            f"delivery: sent={self.sent} failed={self.failed} pending={self.pending} "
            f"retries={self.retries} waited={self.waited:.1f}s "
            f"possible_duplicates={self.possible_duplicates}"
        )


class _Outcome(StrEnum):
    SENT = "sent"
    RETRY_NOW = "retry-now"  # retry_after / migrated: send again after the wait already applied
    BACKOFF = "backoff"  # transient: not_before set
    FAILED = "failed"
    CHAT_BLOCKED = "chat-blocked"
    SKIP = "skip"
    STOP = "stop"


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How one delivery run goes (deliver_pending's keyword arguments)."""

    channel: int | str
    config: DeliveryConfig
    admins: tuple[int, ...]
    link_preview: bool
    clock: Callable[[], float]
    sleep: Callable[[float], Awaitable[Any]]
    window: float  # the flood window of max_per_minute (shorter only in tests)
    backoff_base: float
    backoff_max: float
    deadline: float | None  # a clock time not to wait past


class _Run:
    """One `deliver_pending` call: the queue in order, the reaction to each failure, the report."""

    def __init__(self, state: State, store: StateStore, sender: Sender, options: RunOptions) -> None:
        self.state, self.store, self.sender, self.options = state, store, sender, options
        self.config, self.clock = options.config, options.clock
        self.channel: int | str = state.channel_migrated_to.get(str(options.channel), options.channel)
        self.pacing = Pacing(state, sender.limits, options.config, options.window, self.channel)
        self.pauses = Pauses(state, options.config.refusal_pause_seconds)
        self.report = DeliveryReport()
        self.unreachable = 0  # consecutive attempts that could not connect, for their backoff
        self.durable = True  # the last save succeeded

    # -- helpers -----------------------------------------------------------------------------------
    def target(self, entry: OutboxEntry) -> int | str:
        return self.channel if entry.chat_id is None else entry.chat_id

    def save(self) -> None:
        """Save; when the file cannot be written, note it and carry on with alerts only."""
        try:
            self.store.save(self.state)
        except StateWriteError as exc:
            if self.durable:
                log.error("delivery: %s; only admin alerts go out until it can be written", exc)
            self.durable = False
            self.report.state_error = str(exc)
            return
        self.durable = True

    def not_before(self, entry: OutboxEntry) -> float:
        """When the entry may be tried again (0.0: any time)."""
        entry.not_before = backoff.corrected(entry.not_before, entry.wait, self.clock())
        return entry.not_before or 0.0

    async def wait_until(self, at: float) -> bool:
        """Sleep until `at`; False (without sleeping) if that is past the run's deadline."""
        delay = at - self.clock()
        if delay <= 0:
            return True
        if self.options.deadline is not None and at > self.options.deadline:
            return False
        await self.options.sleep(delay)
        self.report.waited += delay
        return True

    def queue_alert(self, text: str) -> None:
        self.report.alerts_queued += outbox.queue_alert(self.state, self.options.admins, text, self.clock())

    def waiting_for(self, chat: int | str) -> int:
        return sum(1 for e in self.state.pending() if self.target(e) == chat)

    def refused(self, entry: OutboxEntry, chat: int | str, error: str) -> _Outcome:
        """A chat that refuses the bot: an alert for an admin who blocked it is dropped; anything else
        waits, and the admins are told once, when the pause begins."""
        block, began = self.pauses.refuse_chat(chat, error, self.clock())
        log.warning("delivery: %s refused our messages (%s); next try in %.0f s", chat, error, block.pause)
        if entry.kind is OutboxKind.ALERT:
            self.park(entry, error, alert=False)
        else:
            entry.last_error = error
            if began:
                retry_at = datetime.fromtimestamp(block.until, KST)
                self.queue_alert(render.chat_refused_alert(chat, error, self.waiting_for(chat), retry_at))
        self.save()
        return _Outcome.CHAT_BLOCKED

    def park(self, entry: OutboxEntry, error: str, *, alert: bool) -> None:
        entry.status = OutboxStatus.FAILED
        entry.last_error = error
        self.report.failed += 1
        self.report.errors.append(f"{entry.id}: {error}")
        log.error("delivery: %s %s parked as failed: %s", entry.kind, entry.id, error)
        if alert and entry.kind is not OutboxKind.ALERT:
            story = self.state.stories.get(entry.story_id or "")
            what = f"{story.title} {story.link or story.url}" if story else entry.id
            self.queue_alert(render.parked_alert(entry.kind, what, error))

    # -- the token -----------------------------------------------------------------------------------
    async def token_usable(self) -> bool:
        """False while the bot token is known to be rejected; when its pause is over, one probe (getMe)."""
        if not self.state.token_block:
            return True
        if self.pauses.token_until(self.clock()) > self.clock():
            self.report.stopped = f"the bot token was rejected ({self.state.token_block.error}); checked again later"
            return False
        try:
            await self.sender.probe()
        except SendFailure as failure:
            if failure.kind is FailureKind.TOKEN_REJECTED:
                self.token_rejected(str(failure))
            else:
                self.report.stopped = f"could not check the bot token ({failure}); trying again later"
            return False
        log.warning("delivery: the bot token is accepted again; sending what waited")
        self.pauses.accept_token()
        self.save()
        return True

    def token_rejected(self, error: str) -> None:
        block = self.pauses.reject_token(error, self.clock())
        self.report.stopped = (
            f"the bot token was rejected ({error}); nothing is sent until it is accepted again "
            f"(checked again in {block.pause:.0f} s)"
        )
        log.error("delivery: %s", self.report.stopped)
        self.save()

    # -- one entry ---------------------------------------------------------------------------------
    def replied_message(self, entry: OutboxEntry) -> int | None:
        """The channel message a post answers: the post of the story it continues, when that was sent."""
        story = self.state.stories.get(entry.reply_to or "")
        return story.message_id if story is not None and entry.to_channel else None

    def edit_target(self, entry: OutboxEntry) -> tuple[int | None, _Outcome | None]:
        """The message an edit applies to, or the outcome when there is none to edit (yet)."""
        story = self.state.stories.get(entry.story_id or "")
        if story is None:
            self.park(entry, "the story to edit is gone", alert=False)
            return None, _Outcome.FAILED
        if story.message_id is None:
            if any(e.story_id == story.id and e.kind is OutboxKind.POST and e.pending for e in self.state.outbox):
                return None, _Outcome.SKIP
            self.park(entry, "the post to edit was never sent", alert=False)
            return None, _Outcome.FAILED
        return story.message_id, None

    async def attempt(self, entry: OutboxEntry) -> _Outcome:
        chat = self.target(entry)
        if entry.kind is OutboxKind.RETRACT:
            return await self.retract(entry, chat)
        message_id: int | None = None
        if entry.kind is OutboxKind.EDIT:
            message_id, outcome = self.edit_target(entry)
            if outcome is not None:
                return outcome
        lim = self.pacing(chat)
        if not await self.wait_until(lim.next_slot(self.clock())):
            return _Outcome.STOP
        try:
            if message_id is not None:
                await self.sender.edit(chat, message_id, entry.text, link_preview=self.options.link_preview)
            else:
                message_id = await self.sender.send(
                    chat, entry.text, link_preview=self.options.link_preview, reply_to=self.replied_message(entry)
                )
        except SendFailure as failure:
            return self.react(entry, chat, lim, failure, message_id)
        return self.confirm(entry, chat, message_id)

    async def retract(self, entry: OutboxEntry, chat: int | str) -> _Outcome:
        """Take a story's post off the channel: delete it, or where Telegram will not (after 48 hours)
        edit it to a one-line correction."""
        story = self.state.stories.get(entry.story_id or "")
        if story is None or story.message_id is None:
            return self.confirm(entry, chat, None)  # never reached the channel
        lim = self.pacing(chat)
        if not await self.wait_until(lim.next_slot(self.clock())):
            return _Outcome.STOP
        try:
            try:
                await self.sender.delete(chat, story.message_id)
            except SendFailure as failure:
                if failure.kind is not FailureKind.MESSAGE_REJECTED:
                    raise
                log.warning("delivery: post %s cannot be deleted (%s); editing it to a correction", story.id, failure)
                await self.sender.edit(chat, story.message_id, render.RETRACTION_NOTE, link_preview=False)
        except SendFailure as failure:
            if failure.kind not in (FailureKind.MESSAGE_GONE, FailureKind.NOT_MODIFIED):
                return self.react(entry, chat, lim, failure, story.message_id)
        return self.confirm(entry, chat, story.message_id)

    def react(
        self, entry: OutboxEntry, chat: int | str, lim: FloodLimiter, failure: SendFailure, message_id: int | None
    ) -> _Outcome:
        error = str(failure)[:MAX_ERROR_TEXT]
        match failure.kind:
            case FailureKind.RETRY_AFTER:
                wait = (failure.retry_after or 0.0) + RETRY_AFTER_MARGIN
                lim.block(self.clock(), wait)
                self.report.retries += 1
                log.warning("delivery: flood control on %s, waiting %.1f s", chat, wait)
                entry.last_error, entry.not_before, entry.wait = error, lim.blocked_until, wait
                self.save()
                if self.options.deadline is not None and lim.blocked_until > self.options.deadline:
                    return _Outcome.STOP
                return _Outcome.RETRY_NOW
            case FailureKind.MIGRATED if failure.new_chat_id is not None and failure.new_chat_id != chat:
                self.migrated(entry, chat, failure.new_chat_id)
                return _Outcome.RETRY_NOW
            case FailureKind.NOT_MODIFIED if entry.kind is OutboxKind.EDIT:
                return self.confirm(entry, chat, message_id)
            case FailureKind.CHAT_REFUSED:
                return self.refused(entry, chat, error)
            case FailureKind.TOKEN_REJECTED:
                entry.last_error = error
                self.token_rejected(error)
                return _Outcome.STOP
            case FailureKind.MESSAGE_REJECTED | FailureKind.NOT_MODIFIED:
                self.park(entry, error, alert=entry.kind is not OutboxKind.EDIT)
                self.save()
                return _Outcome.FAILED
        return self.transient(entry, chat, failure.kind, error)

    def migrated(self, entry: OutboxEntry, chat: int | str, new_chat: int) -> None:
        self.report.retries += 1
        log.warning("delivery: chat %s migrated to %s; update [telegram] chat_id", chat, new_chat)
        if entry.chat_id is None:
            self.state.channel_migrated_to[str(self.channel)] = new_chat
            self.channel = self.pacing.channel = new_chat
            self.queue_alert(render.chat_migrated_alert(chat, new_chat))
        else:
            entry.chat_id = new_chat
        self.save()

    def confirm(self, entry: OutboxEntry, chat: int | str, message_id: int | None) -> _Outcome:
        now = self.clock()
        self.pacing.sent(chat, now)
        entry.status = OutboxStatus.SENT
        entry.message_id = message_id
        entry.sent_at = now
        entry.not_before = None
        if entry.lost_answers:
            self.report.possible_duplicates += 1
            log.warning(
                "delivery: %s %s sent after %d lost answer(s): it may appear more than once",
                entry.kind,
                entry.id,
                entry.lost_answers,
            )
        if entry.kind is OutboxKind.POST and entry.story_id in self.state.stories and message_id is not None:
            self.state.stories[entry.story_id].message_id = message_id
        self.report.sent += 1
        if self.pauses.restore_chat(chat):  # this was the probe: what waited follows
            log.warning("delivery to %s works again", chat)
            if chat == self.channel:
                self.queue_alert(render.chat_restored_alert(chat, self.waiting_for(chat) + 1))
        self.save()  # durable right after Telegram confirmed: a crash from here on cannot repeat it
        return _Outcome.SENT

    def transient(self, entry: OutboxEntry, chat: int | str, kind: FailureKind, error: str) -> _Outcome:
        """Back off and retry later. Attempts that never reached Telegram (no connection: our network
        or theirs is down) are not held against the entry, so an outage does not park the whole queue."""
        now = self.clock()
        entry.last_error = error
        self.report.retries += 1
        if kind is FailureKind.NOT_SENT:
            self.unreachable += 1
            failures = self.unreachable
        else:
            entry.attempts += 1
            failures = entry.attempts
        if kind is FailureKind.ANSWER_LOST:
            entry.lost_answers += 1
            self.pacing.sent(chat, now)
        if entry.attempts >= self.config.max_attempts:
            self.park(
                entry,
                f"gave up after {entry.attempts} attempts: {entry.last_error}",
                alert=entry.kind is not OutboxKind.ALERT,
            )
            self.save()
            return _Outcome.FAILED
        delay = backoff.delay(self.options.backoff_base, failures, self.options.backoff_max)
        entry.not_before, entry.wait = now + delay, delay
        if self.unreachable >= self.config.max_attempts:
            self.report.stopped = (
                f"Telegram could not be reached {self.unreachable} times in a row "
                f"({entry.last_error}); what is pending waits for the next run"
            )
            log.error("delivery: %s", self.report.stopped)
            self.save()
            return _Outcome.STOP
        log.warning(
            "delivery: %s %s failed (%s; %d counted attempts); retry in %.1f s",
            entry.kind,
            entry.id,
            entry.last_error,
            entry.attempts,
            delay,
        )
        self.save()
        return _Outcome.BACKOFF

    # -- the queue ---------------------------------------------------------------------------------
    def fold_backlog(self) -> None:
        """More than `backlog_digest_threshold` posts waiting: send them as one digest post instead.
        One save makes the switch atomic."""
        threshold = self.config.backlog_digest_threshold
        posts = [
            e
            for e in self.state.outbox
            if e.pending and e.kind is OutboxKind.POST and e.to_channel and e.story_id in self.state.stories
        ]
        if threshold <= 0 or len(posts) <= threshold:
            return
        views = [render.view_of(self.state.stories[e.story_id or ""]) for e in posts]
        text = render.render_digest(datetime.fromtimestamp(self.clock(), KST).date(), views)
        if text is None:
            return
        outbox.fold_into_backlog_digest(self.state, posts, text, self.clock())
        log.warning("delivery: %d posts waiting (more than %d): sending them as one digest", len(posts), threshold)
        self.save()

    async def run(self) -> DeliveryReport:
        self.save()  # what is pending must be on disk before anything is sent
        if self.durable:
            self.fold_backlog()
        if not await self.token_usable():
            self.report.pending = len(self.state.pending())
            return self.report
        stopped_chats: set[str] = set()  # chats whose head entry cannot go out in this run
        while True:
            entry = self.next_entry(stopped_chats)
            if entry is None:
                break
            chat = self.target(entry)
            not_before = self.not_before(entry)
            if not_before and not await self.wait_until(not_before):
                stopped_chats.add(str(chat))
                continue
            outcome = await self.attempt(entry)
            if outcome is _Outcome.STOP:
                if self.report.stopped:
                    break
                stopped_chats.add(str(chat))
            elif outcome is _Outcome.SKIP:
                stopped_chats.add(f"skip:{entry.id}")
            elif outcome is _Outcome.CHAT_BLOCKED:
                stopped_chats.add(str(chat))
        self.report.pending = len(self.state.pending())
        return self.report

    def next_entry(self, stopped: set[str]) -> OutboxEntry | None:
        """The entry to send next: of each chat's first pending entry, the one that may go soonest.

        Entries of one chat go strictly in outbox order (a chat whose head entry backs off waits); between
        chats, an alert to an admin can go while the channel waits out its flood spacing. While the state
        cannot be written, only alerts go.
        """
        now = self.clock()
        heads: dict[str, OutboxEntry] = {}
        for entry in self.state.outbox:
            if not entry.pending or f"skip:{entry.id}" in stopped:
                continue
            if not self.durable and entry.kind is not OutboxKind.ALERT:
                continue
            chat = self.target(entry)
            key = str(chat)
            if key in stopped or key in heads:
                continue
            if self.pauses.chat_until(chat, now) > now:
                stopped.add(key)
                continue
            heads[key] = entry

        def ready_at(entry: OutboxEntry) -> float:
            return max(self.not_before(entry), self.pacing(self.target(entry)).next_slot(now))

        return min(heads.values(), key=ready_at, default=None)  # ties: the earlier in the outbox


def requeue_failed(state: State, entry_ids: Iterable[str] | None = None) -> int:
    """Put parked (failed) entries back in the queue, e.g. after fixing a post Telegram refused.

    All of them, or those in `entry_ids`; alerts stay parked. Also lifts the pause of refused chats and
    of a rejected token, so the next delivery tries at once.
    Returns how many entries were requeued; the caller saves the state.
    """
    wanted = None if entry_ids is None else set(entry_ids)
    count = 0
    for entry in state.outbox:
        if (
            entry.status is OutboxStatus.FAILED
            and entry.kind is not OutboxKind.ALERT
            and (wanted is None or entry.id in wanted)
        ):
            entry.status, entry.attempts, entry.not_before = OutboxStatus.PENDING, 0, None
            count += 1
    state.blocked_chats.clear()
    state.token_block = None
    return count


async def deliver_pending(
    state: State,
    store: StateStore,
    sender: Sender,
    *,
    chat_id: int | str,
    delivery_config: DeliveryConfig,
    admin_chat_ids: Iterable[int] = (),
    link_preview: bool = False,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    window_seconds: float = 60.0,
    backoff_base: float = 5.0,
    backoff_max: float = 900.0,
    deadline: float | None = None,
) -> DeliveryReport:
    """Send or apply every pending outbox entry, in order; save after each confirmed send.

    `chat_id` is the channel (entries with ``chat_id=None``). `window_seconds` is the flood window for
    ``max_per_minute`` (shorter only in tests). `deadline` (a `clock` time): don't wait past it; what
    is left stays pending for the next run. Never raises for Telegram errors; they end up in the report,
    the entries and (for parked entries) admin alerts.
    """
    options = RunOptions(
        chat_id,
        delivery_config,
        tuple(admin_chat_ids),
        link_preview,
        clock,
        sleep,
        window_seconds,
        backoff_base,
        backoff_max,
        deadline,
    )
    run = _Run(state, store, sender, options)
    report = await run.run()
    if report.sent or report.failed or report.retries:
        log.info("%s", report.summary_line())
    return report
