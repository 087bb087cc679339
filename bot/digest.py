"""The daily digest: one message listing the day's stories, queued at the configured KST time."""

from __future__ import annotations

from datetime import date, datetime

from bot import render
from bot.pipeline import Cycle
from scrapers.dates import KST
from state.store import OutboxEntry, State


def stories_of_day(state: State, day: date) -> list[str]:
    """Ids of the stories first seen on `day` (KST), oldest first."""
    ids = [
        s.id for s in state.stories.values()
        if datetime.fromtimestamp(s.first_seen, KST).date() == day
    ]
    return sorted(ids, key=lambda i: state.stories[i].first_seen)


def queue_digest(state: State, day: date, now: float) -> bool:
    """Queue the digest of `day` once; nothing on a day without stories. True when queued."""
    done = state.meta.setdefault("digest_dates", [])
    key = day.isoformat()
    if key in done:
        return False
    ids = stories_of_day(state, day)
    text = render.render_digest(day, [Cycle.view(state.stories[i]) for i in ids]) if ids else None
    done.append(key)
    del done[:-30]
    if text is None:
        return False
    for i in ids:
        state.stories[i].digest_date = key
    state.outbox.append(OutboxEntry(id=f"d-{key}", kind="digest", text=text, created_at=now))
    return True
