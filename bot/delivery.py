"""Deliver the outbox to Telegram: in order, within flood limits, durably, and without retry storms.

The outbox (``state.outbox``) holds posts, digests, alerts and edits. An entry is saved as *pending*
before anything is sent and as *sent* (with its ``message_id``) right after Telegram confirms it, one
``store.save`` per confirmed send, so a crash at any moment loses nothing: whatever is still pending is
sent by the next run.

Repeats. The Bot API has no idempotency key. When a request times out or the connection drops after
Telegram accepted the message, we cannot know whether it was posted; the entry is resent after a
pause (never immediately), so a duplicate is possible exactly in that case and no other. Such sends
are counted in `DeliveryReport.possible_duplicates`.

Flood limits are planned, not only reacted to: per chat, at most ``max_per_minute`` sends in any
``window_seconds`` (60 s; shorter in tests) and at least ``min_interval_seconds`` between two sends
(admin chats: one a second). Each chat's entries go strictly in order; an alert may go between two
channel posts while the channel waits out its spacing.
The recent send times are kept in ``state.meta["delivery_sends"]`` so a restart does not burst.
Reactions, by error:

- 429 ``RetryAfter``: wait the time given (+ a margin) and send the same entry again;
- timeouts, network errors, 5xx: back off exponentially (``not_before``), count ``attempts``; after
  ``max_attempts`` the entry is parked as *failed* and the admins are alerted. Attempts that could
  not even connect are not counted against the entry; ``max_attempts`` of them in a row end the run
  (everything stays pending);
- ``ChatMigrated``: switch to the new chat id and send again;
- ``Forbidden``, "chat not found", "need administrator rights": the entry is parked as *failed*, the
  admins are alerted once, and that chat is paused (doubling pause) so the rest of the queue waits
  instead of failing one by one;
- any other 400 (bad HTML, too long): the entry is parked as *failed*, the admins are alerted;
- edit of an unchanged message: treated as done. Alerts that fail are never alerted about.

With ``backlog_digest_threshold > 0``, a backlog of more posts than that (say after an outage) is
folded into one digest post (`render.render_digest`); the folded entries get status ``folded``.

``python-telegram-bot`` is used with ``PTB_TIMEDELTA=1`` (set here with ``setdefault`` before PTB
reads it): ``RetryAfter.retry_after`` is then a ``timedelta`` and reading it emits no deprecation
warning. The ``httpx`` logger logs request URLs, which contain the token, at INFO, and PTB's
``telegram.Bot`` logs its base URL at DEBUG: they are turned down to WARNING and INFO here, and every
error text this module stores or logs goes through `scrub`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
import uuid
import warnings
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, TextIO

os.environ.setdefault("PTB_TIMEDELTA", "1")  # before PTB builds any RetryAfter (see the docstring)

import telegram
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from bot import render
from bot.config import DeliveryConfig, TelegramConfig
from bot.logs import scrub
from scrapers.dates import KST
from state.store import OutboxEntry, State, StateStore

log = logging.getLogger(__name__)
# httpx logs every request URL at INFO and PTB's Bot logs its base URL at DEBUG: both contain the token.
logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("httpcore").setLevel(logging.WARNING)
logging.getLogger("telegram").setLevel(logging.INFO)

RETRY_AFTER_MARGIN = 0.5  # seconds added to Telegram's retry_after
CHAT_PAUSE_SECONDS = 600.0  # first pause of a chat that refuses us (Forbidden / not found); doubles
CHAT_PAUSE_MAX_SECONDS = 6 * 3600.0
_SENDS_KEY = "delivery_sends"
_BLOCKED_KEY = "delivery_blocked"
_CHAT_ERRORS = ("chat not found", "need administrator rights", "have no rights to send", "not enough rights")


def retry_after_seconds(exc: RetryAfter) -> float:
    """Seconds to wait from a RetryAfter, whether PTB gives an int or a timedelta, without warnings."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: Any = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


# -- senders -------------------------------------------------------------------------------------------


class Sender(Protocol):
    """Where messages go. Raises `telegram.error.TelegramError` subclasses on failure."""

    async def send(self, chat_id: int | str, text: str, *, link_preview: bool) -> int: ...

    async def edit(self, chat_id: int | str, message_id: int, text: str, *, link_preview: bool) -> None: ...

    async def close(self) -> None: ...


class TelegramSender:
    """Sends through python-telegram-bot to ``{api_base_url}/bot<token>/`` with parse_mode HTML."""

    def __init__(
        self,
        config: TelegramConfig,
        *,
        trust_env: bool = True,
        read_timeout: float = 15.0,
        write_timeout: float = 15.0,
        connect_timeout: float = 10.0,
        pool_timeout: float = 5.0,
    ) -> None:
        if not config.bot_token:
            raise ValueError("TelegramSender needs a bot token (without one, use DryRunSender)")
        self.token = config.bot_token
        request = HTTPXRequest(
            connection_pool_size=8,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
            httpx_kwargs={"trust_env": trust_env},
        )
        self._request = request
        base_url = f"{config.api_base_url.rstrip('/')}/bot"
        self.bot = telegram.Bot(self.token, base_url=base_url, request=request)
        self._initialized = False

    async def _ready(self) -> None:
        if not self._initialized:
            await self.bot.initialize()  # getMe: a rejected token shows up here as InvalidToken
            self._initialized = True

    async def send(self, chat_id: int | str, text: str, *, link_preview: bool) -> int:
        await self._ready()
        message = await self.bot.send_message(
            chat_id,
            text,
            parse_mode=ParseMode.HTML,
            link_preview_options=telegram.LinkPreviewOptions(is_disabled=not link_preview),
        )
        return message.message_id

    async def edit(self, chat_id: int | str, message_id: int, text: str, *, link_preview: bool) -> None:
        await self._ready()
        await self.bot.edit_message_text(
            text,
            chat_id=chat_id,
            message_id=message_id,
            parse_mode=ParseMode.HTML,
            link_preview_options=telegram.LinkPreviewOptions(is_disabled=not link_preview),
        )

    async def close(self) -> None:
        if self._initialized:
            await self.bot.shutdown()
            self._initialized = False
        else:  # initialize() may have failed half-way (e.g. a rejected token): close the connections
            await self._request.shutdown()

    async def __aenter__(self) -> TelegramSender:
        await self._ready()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


class DryRunSender:
    """Prints each message instead of sending it (no bot token); returns made-up increasing ids."""

    flood_limited = False  # printing needs no spacing

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out if out is not None else sys.stdout
        self._next_id = 1

    async def send(self, chat_id: int | str, text: str, *, link_preview: bool) -> int:
        message_id = self._next_id
        self._next_id += 1
        self._print(f"message #{message_id} to {chat_id}", text)
        return message_id

    async def edit(self, chat_id: int | str, message_id: int, text: str, *, link_preview: bool) -> None:
        self._print(f"edit of message #{message_id} in {chat_id}", text)

    def _print(self, head: str, text: str) -> None:
        rule = "─" * 60
        head_line = f"┌─ dry run: {head} {rule[: max(0, 44 - len(head))]}"
        print(f"{head_line}\n{text}\n└{rule}", file=self.out, flush=True)

    async def close(self) -> None:
        return None


# -- flood limits --------------------------------------------------------------------------------------


class FloodLimiter:
    """At most `max_per_window` sends per `window` seconds and `min_interval` between sends, one chat.

    Times are recorded when Telegram's answer arrives, which is after the server saw the request, so the
    server's view of the spacing is never tighter than ours.
    """

    def __init__(self, max_per_window: int, window: float, min_interval: float, history: Iterable[float] = ()) -> None:
        self.max_per_window = max(1, max_per_window)
        self.window = window
        self.min_interval = min_interval
        self.sends: deque[float] = deque(sorted(history)[-self.max_per_window :], maxlen=self.max_per_window)
        self.blocked_until = 0.0  # set by a RetryAfter

    def next_slot(self, now: float) -> float:
        """The earliest time a send may start."""
        at = max(now, self.blocked_until)
        if self.sends:
            at = max(at, self.sends[-1] + self.min_interval)
            if len(self.sends) >= self.max_per_window:
                at = max(at, self.sends[0] + self.window)
        return at

    def record(self, at: float) -> None:
        self.sends.append(at)


# -- the report ----------------------------------------------------------------------------------------


@dataclass(slots=True)
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    pending: int = 0  # still pending when the run ended
    retries: int = 0
    waited: float = 0.0  # seconds slept for flood limits, retry_after and backoff
    possible_duplicates: int = 0  # sent after a timeout/drop: the first attempt may have been posted too
    alerts_queued: int = 0
    stopped: str | None = None  # why the run stopped early (e.g. the token was rejected)
    errors: list[str] = field(default_factory=list)

    def summary_line(self) -> str:
        return (
            f"delivery: sent={self.sent} failed={self.failed} pending={self.pending} "
            f"retries={self.retries} waited={self.waited:.1f}s "
            f"possible_duplicates={self.possible_duplicates}"
        )


# -- delivery ------------------------------------------------------------------------------------------


class _Outcome:
    SENT = "sent"
    RETRY_NOW = "retry-now"  # retry_after / migrated: send again after the wait already applied
    BACKOFF = "backoff"  # transient: not_before set
    FAILED = "failed"
    CHAT_BLOCKED = "chat-blocked"
    SKIP = "skip"
    STOP = "stop"


def _answer_lost(exc: BaseException) -> bool:
    """True when the request may have reached Telegram and been accepted although we got no answer.

    PTB maps every httpx timeout to TimedOut (the pool timeout excepted, which it says was not sent) and
    other transport errors to NetworkError("httpx.<Class>: ..."); a refused connection never arrived.
    """
    if isinstance(exc, TimedOut):
        return not _never_arrived(exc)
    if isinstance(exc, NetworkError) and not isinstance(exc, BadRequest):
        return str(exc).startswith("httpx.") and not _never_arrived(exc)
    return False


def _never_arrived(exc: BaseException) -> bool:
    """The request was certainly not received: no connection could be made, or none was free."""
    text = str(exc)
    if isinstance(exc, TimedOut):
        return "pool timeout" in text.lower()
    return isinstance(exc, NetworkError) and text.startswith(("httpx.ConnectError", "httpx.ConnectTimeout"))


def _chat_key(chat_id: int | str) -> str:
    return str(chat_id)


def _is_chat_error(message: str) -> bool:
    low = message.lower()
    return any(text in low for text in _CHAT_ERRORS)


class _Run:
    """One `deliver_pending` call: the limiters, the report and the decisions per error."""

    def __init__(
        self,
        state: State,
        store: StateStore,
        sender: Sender,
        chat_id: int | str,
        config: DeliveryConfig,
        admin_chat_ids: Iterable[int],
        link_preview: bool,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[Any]],
        window_seconds: float,
        backoff_base: float,
        backoff_max: float,
        deadline: float | None,
    ) -> None:
        self.state, self.store, self.sender = state, store, sender
        self.channel: int | str = state.meta.get("channel_migrated_to", {}).get(str(chat_id), chat_id)
        self.config = config
        self.admins = list(admin_chat_ids)
        self.link_preview = link_preview
        self.clock, self.sleep = clock, sleep
        self.window = window_seconds
        self.backoff_base, self.backoff_max = backoff_base, backoff_max
        self.deadline = deadline
        self.token = getattr(sender, "token", None)
        self.report = DeliveryReport()
        self.limiters: dict[str, FloodLimiter] = {}
        self.unreachable = 0  # consecutive attempts that could not connect, for their backoff

    # -- helpers -----------------------------------------------------------------------------------
    def target(self, entry: OutboxEntry) -> int | str:
        return self.channel if entry.chat_id is None else entry.chat_id

    def limiter(self, chat: int | str) -> FloodLimiter:
        key = _chat_key(chat)
        lim = self.limiters.get(key)
        if lim is None:
            history = self.state.meta.get(_SENDS_KEY, {}).get(key, [])
            if not getattr(self.sender, "flood_limited", True):
                lim = FloodLimiter(1, 0.0, 0.0)
            elif chat == self.channel:
                lim = FloodLimiter(self.config.max_per_minute, self.window, self.config.min_interval_seconds, history)
            else:  # private chats (admin alerts): about one message a second
                lim = FloodLimiter(20, self.window, 1.0, history)
            self.limiters[key] = lim
        return lim

    def remember_send(self, chat: int | str, at: float) -> None:
        lim = self.limiter(chat)
        lim.record(at)
        if getattr(self.sender, "flood_limited", True):
            self.state.meta.setdefault(_SENDS_KEY, {})[_chat_key(chat)] = list(lim.sends)

    def save(self) -> None:
        self.store.save(self.state)

    def error_text(self, exc: BaseException) -> str:
        return scrub(f"{type(exc).__name__}: {exc}", self.token)[:500]

    async def wait_until(self, at: float) -> bool:
        """Sleep until `at`; False (without sleeping) if that is past the run's deadline."""
        delay = at - self.clock()
        if delay <= 0:
            return True
        if self.deadline is not None and at > self.deadline:
            return False
        await self.sleep(delay)
        self.report.waited += delay
        return True

    def queue_alert(self, text: str) -> None:
        self.report.alerts_queued += queue_alert(self.state, self.admins, text, self.clock())

    def blocked_until(self, chat: int | str) -> float:
        info = self.state.meta.get(_BLOCKED_KEY, {}).get(_chat_key(chat))
        return float(info["until"]) if info else 0.0

    def block_chat(self, chat: int | str, error: str, alert_kind: str) -> None:
        blocked = self.state.meta.setdefault(_BLOCKED_KEY, {})
        info = blocked.get(_chat_key(chat))
        now = self.clock()
        pause = CHAT_PAUSE_SECONDS if info is None else min(CHAT_PAUSE_MAX_SECONDS, float(info["pause"]) * 2)
        blocked[_chat_key(chat)] = {
            "since": info["since"] if info else now,
            "until": now + pause,
            "pause": pause,
            "error": error,
        }
        if info is None and alert_kind != "alert":
            waiting = sum(1 for e in self.state.pending() if self.target(e) == chat)
            self.queue_alert(
                f"텔레그램 전송 불가 ({chat}): {error}. 대기 중인 메시지 {waiting}건은 채널 권한이 복구되면 전송됩니다."
            )

    def unblock_chat(self, chat: int | str) -> None:
        blocked = self.state.meta.get(_BLOCKED_KEY, {})
        if blocked.pop(_chat_key(chat), None) is not None:
            log.warning("delivery to %s works again", chat)
            if chat == self.channel:
                self.queue_alert(f"텔레그램 전송 복구 ({chat}).")

    def park(self, entry: OutboxEntry, error: str, *, alert: bool) -> None:
        entry.status = "failed"
        entry.last_error = error
        self.report.failed += 1
        self.report.errors.append(f"{entry.id}: {error}")
        log.error("delivery: %s %s parked as failed: %s", entry.kind, entry.id, error)
        if alert and entry.kind != "alert":
            self.queue_alert(f"메시지 전송 실패 ({entry.kind} {entry.id}): {error}")

    # -- one entry ---------------------------------------------------------------------------------
    async def attempt(self, entry: OutboxEntry) -> str:
        chat = self.target(entry)
        message_id: int | None = None
        if entry.kind == "edit":
            story = self.state.stories.get(entry.story_id or "")
            if story is None:
                self.park(entry, "the story to edit is gone", alert=False)
                return _Outcome.FAILED
            if story.message_id is None:
                post_pending = any(
                    e.story_id == story.id and e.kind == "post" and e.status == "pending" for e in self.state.outbox
                )
                if post_pending:
                    return _Outcome.SKIP
                self.park(entry, "the post to edit was never sent", alert=False)
                return _Outcome.FAILED
            message_id = story.message_id
        lim = self.limiter(chat)
        if not await self.wait_until(lim.next_slot(self.clock())):
            return _Outcome.STOP
        try:
            if entry.kind == "edit":
                assert message_id is not None
                await self.sender.edit(chat, message_id, entry.text, link_preview=self.link_preview)
            else:
                message_id = await self.sender.send(chat, entry.text, link_preview=self.link_preview)
        except RetryAfter as exc:
            wait = retry_after_seconds(exc) + RETRY_AFTER_MARGIN
            lim.blocked_until = self.clock() + wait
            self.report.retries += 1
            log.warning("delivery: flood control on %s, waiting %.1f s", chat, wait)
            entry.last_error = self.error_text(exc)
            entry.not_before = lim.blocked_until
            self.save()
            if self.deadline is not None and lim.blocked_until > self.deadline:
                return _Outcome.STOP
            return _Outcome.RETRY_NOW
        except ChatMigrated as exc:
            if exc.new_chat_id == chat:  # a server that keeps saying so must not loop us
                return self.transient(entry, chat, exc)
            self.report.retries += 1
            log.warning("delivery: chat %s migrated to %s; update [telegram] chat_id", chat, exc.new_chat_id)
            if entry.chat_id is None:
                self.state.meta.setdefault("channel_migrated_to", {})[str(self.channel)] = exc.new_chat_id
                self.channel = exc.new_chat_id
            else:
                entry.chat_id = exc.new_chat_id
            self.save()
            return _Outcome.RETRY_NOW
        except Forbidden as exc:
            return self.refused(entry, chat, self.error_text(exc))
        except BadRequest as exc:
            text = str(exc)
            if entry.kind == "edit" and "message is not modified" in text.lower():
                return self.confirm(entry, chat, message_id)
            if _is_chat_error(text):
                return self.refused(entry, chat, self.error_text(exc))
            self.park(entry, self.error_text(exc), alert=entry.kind != "edit")
            self.save()
            return _Outcome.FAILED
        except InvalidToken as exc:
            self.report.stopped = f"the bot token was rejected ({self.error_text(exc)}); nothing more is sent"
            log.error("delivery: %s", self.report.stopped)
            return _Outcome.STOP
        except (TimedOut, NetworkError, TelegramError) as exc:
            return self.transient(entry, chat, exc)
        except (OSError, ValueError, RuntimeError) as exc:  # not from Telegram: treat as transient, bounded
            return self.transient(entry, chat, exc)
        return self.confirm(entry, chat, message_id)

    def confirm(self, entry: OutboxEntry, chat: int | str, message_id: int | None) -> str:
        now = self.clock()
        self.remember_send(chat, now)
        entry.status = "sent"
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
        if entry.kind == "post" and entry.story_id in self.state.stories and message_id is not None:
            self.state.stories[entry.story_id].message_id = message_id
        self.unblock_chat(chat)
        self.save()  # durable right after Telegram confirmed: a crash from here on cannot repeat it
        self.report.sent += 1
        return _Outcome.SENT

    def refused(self, entry: OutboxEntry, chat: int | str, error: str) -> str:
        self.park(entry, error, alert=False)
        self.block_chat(chat, error, entry.kind)
        self.save()
        return _Outcome.CHAT_BLOCKED

    def transient(self, entry: OutboxEntry, chat: int | str, exc: BaseException) -> str:
        """Back off and retry later. Attempts that never reached Telegram (no connection: our network
        or theirs is down) are not held against the entry, so an outage does not park the whole queue."""
        now = self.clock()
        entry.last_error = self.error_text(exc)
        self.report.retries += 1
        if _never_arrived(exc):
            self.unreachable += 1
            failures = self.unreachable
        else:
            entry.attempts += 1
            failures = entry.attempts
        if _answer_lost(exc):
            entry.lost_answers += 1
            self.remember_send(chat, now)
        if entry.attempts >= self.config.max_attempts:
            self.park(
                entry, f"gave up after {entry.attempts} attempts: {entry.last_error}", alert=entry.kind != "alert"
            )
            self.save()
            return _Outcome.FAILED
        delay = min(self.backoff_max, self.backoff_base * 2 ** (failures - 1))
        entry.not_before = now + delay
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

        The folded posts (and pending edits of their stories) get status "folded"; the digest takes the
        place of the first of them in the queue. One save makes the switch atomic.
        """
        threshold = self.config.backlog_digest_threshold
        posts = [
            e
            for e in self.state.outbox
            if e.status == "pending" and e.kind == "post" and e.chat_id is None and e.story_id in self.state.stories
        ]
        if threshold <= 0 or len(posts) <= threshold:
            return
        stories = [self.state.stories[e.story_id or ""] for e in posts]
        views = [
            render.PostView(
                title=s.title,
                url=s.url,
                outlet=s.outlet,
                published_at=datetime.fromtimestamp(s.published_at, KST) if s.published_at else None,
                summary=s.summary,
                topics=tuple(s.topics),
                also=tuple((o, u) for o, u, *_ in s.also),
            )
            for s in stories
        ]
        text = render.render_digest(datetime.fromtimestamp(self.clock(), KST).date(), views)
        if text is None:
            return
        now = self.clock()
        digest = OutboxEntry(id=f"backlog-{uuid.uuid4().hex[:12]}", kind="digest", text=text, created_at=now)
        self.state.outbox.insert(self.state.outbox.index(posts[0]), digest)
        folded = {s.id for s in stories}
        for entry in self.state.outbox:
            if entry.status == "pending" and entry.kind in ("post", "edit") and entry.story_id in folded:
                entry.status = "folded"
                entry.last_error = f"sent as part of the backlog digest {digest.id}"
        log.warning("delivery: %d posts waiting (more than %d): sending them as one digest", len(posts), threshold)
        self.save()

    async def run(self) -> DeliveryReport:
        self.fold_backlog()
        stopped_chats: set[str] = set()  # chats whose head entry cannot go out in this run
        while True:
            entry = self.next_entry(stopped_chats)
            if entry is None:
                break
            chat = self.target(entry)
            if entry.not_before and not await self.wait_until(entry.not_before):
                stopped_chats.add(_chat_key(chat))
                continue
            outcome = await self.attempt(entry)
            if outcome == _Outcome.STOP:
                if self.report.stopped:
                    break
                stopped_chats.add(_chat_key(chat))
            elif outcome == _Outcome.SKIP:
                stopped_chats.add(f"skip:{entry.id}")
            elif outcome == _Outcome.CHAT_BLOCKED:
                stopped_chats.add(_chat_key(chat))
        self.report.pending = len(self.state.pending())
        return self.report

    def next_entry(self, stopped: set[str]) -> OutboxEntry | None:
        """The entry to send next: of each chat's first pending entry, the one that may go soonest.

        Entries of one chat go strictly in outbox order (a chat whose head entry backs off waits); between
        chats, an alert to an admin can go while the channel waits out its flood spacing.
        """
        now = self.clock()
        heads: dict[str, OutboxEntry] = {}
        for entry in self.state.outbox:
            if entry.status != "pending" or f"skip:{entry.id}" in stopped:
                continue
            chat = self.target(entry)
            key = _chat_key(chat)
            if key in stopped or key in heads:
                continue
            if self.blocked_until(chat) > now:
                stopped.add(key)
                continue
            heads[key] = entry

        def ready_at(entry: OutboxEntry) -> float:
            return max(entry.not_before or 0.0, self.limiter(self.target(entry)).next_slot(now))

        return min(heads.values(), key=ready_at, default=None)  # ties: the earlier in the outbox


def requeue_failed(state: State, entry_ids: Iterable[str] | None = None) -> int:
    """Put parked (failed) entries back in the queue, e.g. after the bot was re-added to the channel.

    All of them, or those in `entry_ids`; alerts stay parked. Also lifts the pause of refused chats.
    Returns how many entries were requeued; the caller saves the state.
    """
    wanted = None if entry_ids is None else set(entry_ids)
    count = 0
    for entry in state.outbox:
        if entry.status == "failed" and entry.kind != "alert" and (wanted is None or entry.id in wanted):
            entry.status, entry.attempts, entry.not_before = "pending", 0, None
            count += 1
    state.meta.pop(_BLOCKED_KEY, None)
    return count


def queue_alert(state: State, admin_chat_ids: Iterable[int], text: str, now: float) -> int:
    """Put an operational alert in the outbox for each admin chat; returns how many were queued."""
    count = 0
    for admin in admin_chat_ids:
        state.outbox.append(
            OutboxEntry(
                id=f"alert-{uuid.uuid4().hex[:12]}",
                kind="alert",
                text=render.render_alert(text),
                created_at=now,
                chat_id=admin,
            )
        )
        count += 1
    return count


def blocked_chats(state: State) -> dict[str, dict[str, Any]]:
    """Chats that refused us (Forbidden / chat not found): chat → {since, until, pause, error}."""
    return dict(state.meta.get(_BLOCKED_KEY, {}))


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
    run = _Run(
        state,
        store,
        sender,
        chat_id,
        delivery_config,
        admin_chat_ids,
        link_preview,
        clock,
        sleep,
        window_seconds,
        backoff_base,
        backoff_max,
        deadline,
    )
    report = await run.run()
    if report.sent or report.failed or report.retries:
        log.info("%s", report.summary_line())
    return report
