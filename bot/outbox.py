"""Every outbox entry is made here: one id scheme (``<kind>-<what>``), typed kinds, text rendered once.

post-<story>             a story's channel post
edit-<story>-<copies>    the post again, after a later copy joined the story
digest-<YYYY-MM-DD>      the daily digest
digest-backlog-<random>  posts waiting after an outage, folded into one message
weekly-<YYYY-MM-DD>      the weekly summary
alert-<random>           an operational message, one per admin chat
report-<what>-<random>   a report for the admins (the coverage audit), one per admin chat
retract-<story>          take a story's post off the channel (an operator's /wrong)
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import date

from bot import render
from state.records import OutboxEntry, OutboxKind, OutboxStatus, State, StoryRecord


def queue_post(state: State, story: StoryRecord, now: float, *, reply_to: str | None = None) -> OutboxEntry:
    """A story's post; `reply_to`: the story whose post it answers in the channel (its storyline)."""
    entry = OutboxEntry(
        id=f"post-{story.id}",
        kind=OutboxKind.POST,
        text=render.render_post(render.view_of(story)),
        created_at=now,
        story_id=story.id,
        reply_to=reply_to,
    )
    state.outbox.append(entry)
    return entry


def queue_update(state: State, story: StoryRecord, now: float) -> OutboxEntry | None:
    """The story changed (a copy joined it): give a post not sent yet the new text, or queue an edit of
    the sent one. Returns the new edit entry, or None when a pending entry took the new text."""
    text = render.render_post(render.view_of(story))
    for entry in _waiting(state, {story.id}):
        entry.text = text  # not sent yet: send the grouped version straight away
        return None
    entry = OutboxEntry(
        id=f"edit-{story.id}-{len(story.also)}",
        kind=OutboxKind.EDIT,
        text=text,
        created_at=now,
        story_id=story.id,
    )
    state.outbox.append(entry)
    return entry


def queue_scheduled(state: State, what: str, day: date, text: str, now: float) -> OutboxEntry:
    """A scheduled channel message (`what`: "digest" for the day's, "weekly" for the week's), one per day."""
    entry = OutboxEntry(id=f"{what}-{day.isoformat()}", kind=OutboxKind.DIGEST, text=text, created_at=now)
    state.outbox.append(entry)
    return entry


def queue_report(state: State, admin_chat_ids: Sequence[int], html_text: str, what: str, now: float) -> int:
    """A report for the admins (already HTML, e.g. the coverage audit), one per admin chat."""
    return _to_admins(state, admin_chat_ids, f"report-{what}", html_text, now)


def queue_retraction(state: State, story: StoryRecord, now: float) -> OutboxEntry | None:
    """Take a story off the channel: posts and edits not sent yet are dropped; a sent post is deleted
    (or corrected) by a retract entry. None when nothing had reached the channel."""
    for entry in _waiting(state, {story.id}):
        entry.status = OutboxStatus.DROPPED
        entry.last_error = "the story was marked wrong before it was sent"
    if story.message_id is None:
        return None
    entry = OutboxEntry(id=f"retract-{story.id}", kind=OutboxKind.RETRACT, text="", created_at=now, story_id=story.id)
    state.outbox.append(entry)
    return entry


def fold_into_backlog_digest(state: State, posts: list[OutboxEntry], text: str, now: float) -> OutboxEntry:
    """Replace waiting `posts` (and pending edits of their stories) by one digest message, placed where
    the first of them was in the queue."""
    digest = OutboxEntry(
        id=f"digest-backlog-{uuid.uuid4().hex[:12]}", kind=OutboxKind.DIGEST, text=text, created_at=now
    )
    state.outbox.insert(state.outbox.index(posts[0]), digest)
    for entry in _waiting(state, {e.story_id for e in posts}):
        entry.status = OutboxStatus.FOLDED
        entry.last_error = f"sent as part of the backlog digest {digest.id}"
    return digest


def queue_alert(state: State, admin_chat_ids: Iterable[int], text: str, now: float) -> int:
    """An operational alert (`render.render_alert` of `text`) for each admin chat; how many were queued."""
    return _to_admins(state, admin_chat_ids, "alert", render.render_alert(text), now)


def _to_admins(state: State, admin_chat_ids: Iterable[int], prefix: str, text: str, now: float) -> int:
    """One alert entry per admin chat, each with its own id; how many were queued."""
    count = 0
    for admin in admin_chat_ids:
        state.outbox.append(
            OutboxEntry(
                id=f"{prefix}-{uuid.uuid4().hex[:12]}", kind=OutboxKind.ALERT, text=text, created_at=now, chat_id=admin
            )
        )
        count += 1
    return count


def _waiting(state: State, story_ids: set[str | None]) -> Iterator[OutboxEntry]:
    """Posts and edits of these stories not sent yet, in queue order."""
    for entry in state.outbox:
        if entry.pending and entry.kind in (OutboxKind.POST, OutboxKind.EDIT) and entry.story_id in story_ids:
            yield entry
