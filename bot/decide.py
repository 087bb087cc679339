"""Post or record: the decision about one new article, as a pure function of what is known about it.

    NOT_RELEVANT   the article (or, unread, its title) is not about Gwangju's AI infrastructure
    RETRY_LATER    the title could not decide and the article could not be read: leave it unseen and
                   try again next cycle, at most `UNDECIDED_TRIES` times in all
    DUPLICATE      relevant, but the same article was already seen through another source
    RECORD_OLD     relevant, but old news: on a source's first poll older than the backfill window (or
                   undated) — anything, when the state was lost and rebuilt (a recovered baseline); on
                   later polls older than max_age_hours
    POST           a new story (or a new copy of one)

A publication time in the future (a feed's time-zone slip, a typo'd year) is not trusted: the item is
treated as undated.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

UNDECIDED_TRIES = 3  # an unreadable article whose title could not decide is tried this often
FUTURE_SLACK_SECONDS = 600.0  # a publication time this far ahead of our clock is still believed


class Action(StrEnum):
    POST = "post"
    RECORD_OLD = "record"
    DUPLICATE = "duplicate"
    NOT_RELEVANT = "skip"
    RETRY_LATER = "retry"


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    reason: str


@dataclass(frozen=True, slots=True)
class PostingPolicy:
    backfill_hours: float
    max_age_hours: float


@dataclass(frozen=True, slots=True)
class Facts:
    """What the cycle knows about one candidate when it decides."""

    relevant: bool | None  # the verdict: from the body when it was read, else from the title; None = undecided
    tries: int  # earlier cycles that could not read the article of this undecided title
    already_seen: bool  # its canonical URL was seen before (another source, this cycle or earlier)
    first_poll: bool  # found on its source's first successful poll
    recovered_baseline: bool  # the state was lost and rebuilt: first polls record everything, post nothing
    published_at: float | None  # epoch
    now: float


def trusted_time(published_at: float | None, now: float) -> float | None:
    """The publication time, or None when it lies in the future."""
    if published_at is None or published_at > now + FUTURE_SLACK_SECONDS:
        return None
    return published_at


def decide(facts: Facts, policy: PostingPolicy) -> Decision:
    if facts.relevant is None:
        if facts.tries + 1 >= UNDECIDED_TRIES:
            return Decision(Action.NOT_RELEVANT, f"article unreadable {UNDECIDED_TRIES} times, title alone undecided")
        return Decision(Action.RETRY_LATER, "title undecided and the article could not be read")
    if not facts.relevant:
        return Decision(Action.NOT_RELEVANT, "not relevant")
    if facts.already_seen:
        return Decision(Action.DUPLICATE, "same article already seen through another source")
    published = trusted_time(facts.published_at, facts.now)
    if facts.first_poll:
        if facts.recovered_baseline:
            return Decision(Action.RECORD_OLD, "first poll after the state was lost: recorded, not posted")
        if policy.backfill_hours <= 0:
            return Decision(Action.RECORD_OLD, "first poll, and backfill_hours = 0")
        if published is None or published < facts.now - policy.backfill_hours * 3600:
            return Decision(Action.RECORD_OLD, "first poll, older than the backfill window or undated")
    elif published is not None and published < facts.now - policy.max_age_hours * 3600:
        return Decision(Action.RECORD_OLD, "older than max_age_hours")
    return Decision(Action.POST, "new")
