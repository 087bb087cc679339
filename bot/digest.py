"""The daily digest: one message listing the day's stories, due at the configured time (KST).

`maybe_queue_digest` is called with the current time by every cycle and by a job of the daemon; it
queues the digest of the day once, at or after the configured time, and skips a day without stories.
The clock is a parameter, so tests can move it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from bot import outbox, render
from scrapers.dates import KST
from state.records import State, StoryRecord

KEEP_DAYS = 30  # how many digest dates are remembered (enough to never queue one twice)


def _check_time(value: object) -> str | None:
    try:
        hh, mm = (int(x) for x in str(value).split(":"))
    except ValueError:
        return "must be HH:MM (KST)"
    return None if 0 <= hh < 24 and 0 <= mm < 60 else "must be HH:MM (KST)"


@dataclass(frozen=True, slots=True)
class DigestConfig:
    """`[delivery] digest` of the config."""

    enabled: bool = False
    time: str = field(default="21:00", metadata={"check": _check_time})  # KST, HH:MM


def stories_of_day(state: State, day: date) -> list[StoryRecord]:
    """The stories first seen on `day` (KST), oldest first."""
    found = [s for s in state.stories.values() if datetime.fromtimestamp(s.first_seen, KST).date() == day]
    return sorted(found, key=lambda s: s.first_seen)


def due_day(config: DigestConfig, state: State, now: float) -> date | None:
    """The day whose digest is due at `now`, or None (disabled, too early, or already done)."""
    if not config.enabled:
        return None
    local = datetime.fromtimestamp(now, KST)
    hh, mm = (int(x) for x in config.time.split(":"))
    if (local.hour, local.minute) < (hh, mm):
        return None
    if local.date().isoformat() in state.digest_dates:
        return None
    return local.date()


def maybe_queue_digest(config: DigestConfig, state: State, now: float) -> bool:
    """Queue today's digest if it is due; True when a message was queued."""
    day = due_day(config, state, now)
    if day is None:
        return False
    state.digest_dates.append(day.isoformat())
    del state.digest_dates[:-KEEP_DAYS]
    stories = stories_of_day(state, day)
    text = render.render_digest(day, [render.view_of(s) for s in stories]) if stories else None
    if text is None:
        return False
    for story in stories:
        story.digest_date = day.isoformat()
    outbox.queue_daily_digest(state, day, text, now)
    return True
