"""The daily digest: one message listing the day's stories, due at the configured time (KST).

`maybe_queue_digest` is called with the current time by every cycle of `once` and by a job of the
daemon; it queues the digest of the day once, at or after the configured time, and skips a day
without stories. The clock is a parameter, so tests can move it.
"""

from __future__ import annotations

from datetime import date, datetime

from bot import render
from bot.config import DigestConfig
from scrapers.dates import KST
from state.store import OutboxEntry, State, StoryRecord


def story_view(story: StoryRecord) -> render.PostView:
    """The renderer's view of a remembered story."""
    return render.PostView(
        title=story.title,
        url=story.link or story.url,
        outlet=story.outlet,
        published_at=datetime.fromtimestamp(story.published_at, KST) if story.published_at else None,
        summary=story.summary,
        topics=tuple(story.topics),
        also=tuple((o, u) for o, u, *_ in story.also),
    )


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
    if local.date().isoformat() in state.meta.get("digest_dates", []):
        return None
    return local.date()


def maybe_queue_digest(config: DigestConfig, state: State, now: float) -> bool:
    """Queue today's digest if it is due; True when a message was queued."""
    day = due_day(config, state, now)
    if day is None:
        return False
    done = state.meta.setdefault("digest_dates", [])
    done.append(day.isoformat())
    del done[:-30]
    stories = stories_of_day(state, day)
    text = render.render_digest(day, [story_view(s) for s in stories]) if stories else None
    if text is None:
        return False
    for story in stories:
        story.digest_date = day.isoformat()
    state.outbox.append(OutboxEntry(id=f"d-{day.isoformat()}", kind="digest", text=text, created_at=now))
    return True
