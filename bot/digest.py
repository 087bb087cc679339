"""The daily digest and the weekly summary, due at their configured times (KST).

The daily digest lists the day's stories grouped by storyline (bot.storylines); the weekly summary (off
by default) gives the week's storylines in a few lines with their counts, in the digest's style.
`maybe_queue_digest` / `maybe_queue_weekly` are called with the current time by every cycle and by a
job of the daemon; each queues its message once, at or after its time, and skips a period without
stories. The clock is a parameter, so tests can move it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

from bot import coverage, outbox, render
from bot.sources import SourceConfig
from scrapers.dates import KST
from state.records import State, StoryRecord

KEEP_DAYS = 30  # how many digest dates are remembered (enough to never queue one twice)


def check_hhmm(value: object) -> str | None:
    try:
        hh, mm = (int(x) for x in str(value).split(":"))
    except ValueError:
        return "must be HH:MM (KST)"
    return None if 0 <= hh < 24 and 0 <= mm < 60 else "must be HH:MM (KST)"


@dataclass(frozen=True, slots=True)
class DigestConfig:
    """`[delivery] digest` of the config."""

    enabled: bool = False
    time: str = field(default="21:00", metadata={"check": check_hhmm})  # KST, HH:MM


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _check_weekday(value: object) -> str | None:
    return None if value in WEEKDAYS else f"must be one of {', '.join(WEEKDAYS)}"


@dataclass(frozen=True, slots=True)
class WeeklyConfig:
    """`[delivery] weekly` of the config: the week's storylines, for the channel."""

    enabled: bool = False
    weekday: str = field(default="sun", metadata={"check": _check_weekday})
    time: str = field(default="20:00", metadata={"check": check_hhmm})  # KST, HH:MM


def stories_of_day(state: State, day: date) -> list[StoryRecord]:
    """The stories first seen on `day` (KST), oldest first (those marked wrong left out)."""
    found = [
        s for s in state.stories.values() if datetime.fromtimestamp(s.first_seen, KST).date() == day and not s.retracted
    ]
    return sorted(found, key=lambda s: s.first_seen)


def threads_of(state: State, stories: Sequence[StoryRecord]) -> list[tuple[str, list[StoryRecord]]]:
    """`stories` grouped by storyline, in the order each storyline first appears; a storyline is named
    after its first story (which may be older than these)."""
    threads: dict[str, list[StoryRecord]] = {}
    for story in stories:
        threads.setdefault(story.storyline or story.id, []).append(story)
    named = []
    for storyline, members in threads.items():
        first = state.stories.get(storyline)
        named.append((first.title if first is not None else members[0].title, members))
    return named


def _due(at: str, now: float, done: list[str], key: str, weekday: str | None = None) -> date | None:
    """The KST day of `now` when a daily (or weekly, on `weekday`) message due at `at` (HH:MM) is due and
    `key` + that day is not in `done` yet; then it is marked done (the last KEEP_DAYS kept)."""
    local = datetime.fromtimestamp(now, KST)
    hh, mm = (int(x) for x in at.split(":"))
    mark = f"{key}{local.date().isoformat()}"
    if (local.hour, local.minute) < (hh, mm) or mark in done:
        return None
    if weekday is not None and WEEKDAYS[local.weekday()] != weekday:
        return None
    done.append(mark)
    del done[:-KEEP_DAYS]
    return local.date()


def maybe_queue_digest(config: DigestConfig, state: State, now: float) -> bool:
    """Queue today's digest if it is due; True when a message was queued."""
    day = _due(config.time, now, state.digest_dates, "") if config.enabled else None
    if day is None:
        return False
    stories = stories_of_day(state, day)
    threads = [(name, [render.view_of(s) for s in members]) for name, members in threads_of(state, stories)]
    text = render.render_digest_by_storyline(day, threads) if stories else None
    if text is None:
        return False
    for story in stories:
        story.digest_date = day.isoformat()
    outbox.queue_scheduled(state, "digest", day, text, now)
    return True


def maybe_queue_weekly(config: WeeklyConfig, state: State, now: float) -> bool:
    """Queue the weekly summary if it is due (its weekday, at or after its time, not yet done)."""
    day = _due(config.time, now, state.report_dates, "weekly:", config.weekday) if config.enabled else None
    if day is None:
        return False
    since = now - 7 * 86400
    stories = sorted(
        (s for s in state.stories.values() if s.first_seen >= since and not s.retracted), key=lambda s: s.first_seen
    )
    threads = [
        (name, len(members), render.view_of(members[-1]))
        for name, members in sorted(threads_of(state, stories), key=lambda t: (-len(t[1]), -t[1][-1].first_seen))
    ]
    text = render.render_weekly(day - timedelta(days=6), day, threads)
    if text is None:
        return False
    outbox.queue_scheduled(state, "weekly", day, text, now)
    return True


class _Scheduled(Protocol):
    @property
    def digest(self) -> DigestConfig: ...
    @property
    def weekly(self) -> WeeklyConfig: ...


class _Reports(Protocol):
    """What the coverage report needs of the config."""

    @property
    def sources(self) -> tuple[SourceConfig, ...]: ...
    @property
    def health(self) -> CoverageSettings: ...
    @property
    def telegram(self) -> Admins: ...


class ScheduledConfig(_Reports, Protocol):
    """What the scheduled messages need of the config (bot.config.Config)."""

    @property
    def delivery(self) -> _Scheduled: ...


class CoverageSettings(Protocol):
    @property
    def coverage_time(self) -> str | None: ...
    @property
    def coverage_days(self) -> float: ...


class Admins(Protocol):
    @property
    def admin_chat_ids(self) -> tuple[int, ...]: ...


def maybe_queue_coverage(config: _Reports, state: State, now: float) -> bool:
    """The daily coverage audit for the admins, at [health] coverage_time (KST), once a day, from the
    bot's second day on (a first day has nothing to audit)."""
    at = config.health.coverage_time
    if not at or not config.telegram.admin_chat_ids or now - state.created_at < 86400:
        return False
    if _due(at, now, state.report_dates, "coverage:") is None:
        return False
    report = coverage.audit(config.sources, state, now, config.health.coverage_days)
    outbox.queue_report(state, config.telegram.admin_chat_ids, render.coverage_reply(report), "coverage", now)
    return True


def queue_due(config: ScheduledConfig, state: State, now: float) -> bool:
    """Every scheduled message that is due: the daily digest, the weekly summary, the coverage audit."""
    queued = maybe_queue_digest(config.delivery.digest, state, now)
    queued = maybe_queue_weekly(config.delivery.weekly, state, now) or queued
    return maybe_queue_coverage(config, state, now) or queued
