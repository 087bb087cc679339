"""Source health after each poll, as a pure decision: what to remember, when to poll again, what to tell.

- success: failures reset, backoff lifted, the conditional-request validators and the listing's hash
  kept, and a recovery alert if the admins had been told it was broken;
- failure: one more failure in a row; network and server errors back off exponentially (the first
  delay twice the source's interval, at most `MAX_BACKOFF`), a broken layout does not (polling less
  often would not fix it); the admins are alerted once, when `failure_threshold` failures in a row are
  reached — at once for a layout change.

The cycle applies the decision (`HealthChange`) to the state and queues the alert; the wording of the
alert is the renderer's (`bot.render.source_alert_text`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum

from bot import backoff
from bot.sources import Problem, SourcePoll
from state.records import SourceState

MAX_BACKOFF = 6 * 3600.0


class SourceAlertKind(StrEnum):
    FAILING = "failing"
    RECOVERED = "recovered"


@dataclass(frozen=True, slots=True)
class SourceAlert:
    kind: SourceAlertKind
    source: str
    url: str
    failures: int = 0
    error: str = ""


@dataclass(frozen=True, slots=True)
class HealthChange:
    memory: SourceState  # what to remember from now on (a new object; the old one is untouched)
    alert: SourceAlert | None


def after_poll(memory: SourceState, poll: SourcePoll, now: float, *, failure_threshold: int) -> HealthChange:
    """The source's memory after `poll`, and the alert it calls for."""
    new = dataclasses.replace(memory, last_attempt_at=now, last_status=poll.status)
    new.last_duration = round(poll.elapsed, 3)
    source = poll.source
    if poll.ok:
        if poll.etag or poll.last_modified:
            new.etag, new.last_modified = poll.etag, poll.last_modified
        new.last_ok_at = now
        if poll.body_hash:
            new.body_hash = poll.body_hash
        if not poll.not_modified:
            new.last_item_count = len(poll.items)
            new.had_items = new.had_items or bool(poll.items)
            dated = [i.published_at for i in poll.items if i.published_at]
            if dated:
                new.newest_item_at = max(dated).timestamp()
        alert = SourceAlert(SourceAlertKind.RECOVERED, source.name, source.url) if memory.alerted else None
        new.alerted = False
        new.consecutive_failures = 0
        new.last_error = None
        new.backoff_until = None
        return HealthChange(new, alert)
    new.consecutive_failures += 1
    new.last_error = poll.error
    layout = poll.error_kind is Problem.LAYOUT
    if not layout:
        new.backoff_until = now + backoff.delay(2 * source.interval_minutes * 60, new.consecutive_failures, MAX_BACKOFF)
    alert = None
    if new.consecutive_failures >= (1 if layout else failure_threshold) and not new.alerted:
        new.alerted = True
        alert = SourceAlert(
            SourceAlertKind.FAILING, source.name, source.url, new.consecutive_failures, poll.error or ""
        )
    return HealthChange(new, alert)


def poll_due(memory: SourceState | None, now: float) -> bool:
    """Whether a source may be polled now (it is not backing off). A backoff deadline that a clock step
    back put too far ahead is corrected in `memory`."""
    if memory is None or memory.backoff_until is None:
        return True
    set_for = memory.backoff_until - memory.last_attempt_at if memory.last_attempt_at else MAX_BACKOFF
    if memory.last_attempt_at and memory.last_attempt_at > now:  # the clock went back since
        memory.last_attempt_at = now
    memory.backoff_until = backoff.corrected(memory.backoff_until, min(set_for, MAX_BACKOFF), now)
    return memory.backoff_until is None or memory.backoff_until <= now
