"""What the bot remembers, as typed records: pure data and its JSON form, no I/O (that is `state.store`).

Layout of the JSON document (schema version 1)::

    {"schema_version": 1, "created_at": ..., "baseline": "new" | "recovered",
     "sources": {name: SourceState},          # per-source polling memory and health
     "seen_columns": {"url": [...], "first_seen": [...], "source": [index into source_names],
                      "relevant": [0 | 1], "source_names": [...]},
     "stories": {story_id: StoryRecord},      # what was (or will be) posted, for grouping and edits
     "outbox":  [OutboxEntry],                # posts, edits, digests and alerts until Telegram confirms
     "meta":    {...}}                        # the daemon's small bits (see `State.from_json`)

In memory ``State.seen`` maps a canonical URL to a `Seen` record; on disk it is stored as columns,
which halves the time to write 100,000 of them (`state.store`). Files with the older
``"seen": {url: [first_seen, source, relevant]}`` form load too. A story's later copies are `Copy`
records, written as ``[outlet, url, title]`` lists. Both record types are named tuples, so the JSON
form is the one earlier versions wrote.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from typing import Any, NamedTuple

SCHEMA_VERSION = 1


class StateError(Exception):
    """The state file cannot be used (newer schema, unreadable folder, full disk, ...)."""


class OutboxKind(StrEnum):
    POST = "post"  # a story's message in the channel
    EDIT = "edit"  # a new text for a story's message (a later copy joined it)
    DIGEST = "digest"  # the daily digest, the weekly summary, or a backlog folded into one message
    ALERT = "alert"  # an operational message to an admin chat
    RETRACT = "retract"  # delete a story's post (an operator's /wrong); edit it to a correction if it cannot be


class OutboxStatus(StrEnum):
    PENDING = "pending"  # to be sent (saved before any attempt)
    SENT = "sent"  # Telegram confirmed it (message_id set)
    FAILED = "failed"  # Telegram refused its content for good; /retry puts it back
    FOLDED = "folded"  # a post sent as part of a backlog digest instead
    DROPPED = "dropped"  # withdrawn before it was sent (the story was marked wrong)


class Baseline(StrEnum):
    NEW = "new"
    RECOVERED = "recovered"  # built after losing the state: first polls record, post nothing


class Seen(NamedTuple):
    """One URL the bot has decided about."""

    first_seen: int  # epoch seconds
    source: str  # the source that listed it first
    relevant: bool


class Copy(NamedTuple):
    """A later outlet's copy of a story."""

    outlet: str
    url: str
    title: str
    lead: str = ""  # the first sentence of its text, for grouping the next copies


MAX_NOTES = 12


def _from_dict(cls: type, data: dict[str, Any]) -> Any:
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names})


@dataclass(slots=True)
class SourceState:
    """What the bot remembers about one source between polls."""

    first_poll_at: float | None = None  # epoch of the first successful poll; None = never polled
    etag: str | None = None
    last_modified: str | None = None
    last_attempt_at: float | None = None
    last_ok_at: float | None = None
    last_status: int | None = None
    last_error: str | None = None
    consecutive_failures: int = 0
    last_item_count: int = 0
    had_items: bool = False  # the source has returned items before (so zero items means a broken layout)
    newest_item_at: float | None = None
    alerted: bool = False  # admins were told it is broken; cleared (with a recovery notice) when it works
    backoff_until: float | None = None
    last_duration: float | None = None
    body_hash: str | None = None  # of the last listing body: the same bytes again need no parsing


@dataclass(slots=True)
class StoryRecord:
    """One story: the first copy that was posted plus the other outlets that carried it."""

    id: str
    title: str
    url: str  # canonical: the identity
    outlet: str
    published_at: float | None  # epoch
    first_seen: float
    link: str = ""  # what the post links to (the page as the site serves it); "" = url
    summary: str = ""
    lead: str = ""
    topics: list[str] = field(default_factory=list)
    also: list[Copy] = field(default_factory=list)  # later copies, in the order they were found
    message_id: int | None = None  # the channel post, once sent
    digest_date: str | None = None  # KST date (YYYY-MM-DD) whose digest listed it
    storyline: str = ""  # the thread it belongs to (bot.storylines): the id of the thread's first story
    sources: list[str] = field(default_factory=list)  # the sources that listed it (copies too), first first
    why: list[str] = field(default_factory=list)  # the decisions about it, as logged (for /story)
    retracted: bool = False  # an operator marked it wrong (/wrong)

    def __post_init__(self) -> None:
        self.also = [c if isinstance(c, Copy) else Copy(*c[:4]) for c in self.also if len(c) >= 3]

    def has_copy(self, *urls: str) -> bool:
        """Whether the story already holds one of `urls` (as its own URL or link, or a later copy's)."""
        return self.url in urls or self.link in urls or any(c.url in urls for c in self.also)

    def listed_by(self, source: str) -> None:
        if source not in self.sources:
            self.sources.append(source)

    def note(self, why: str) -> None:
        """Remember a decision about the story (the last MAX_NOTES)."""
        self.why.append(why)
        del self.why[:-MAX_NOTES]


@dataclass(slots=True)
class OutboxEntry:
    """A message to send (a post, digest or alert) or a post to edit.

    Written as pending before the send and as sent (with message_id) after, each time durably.
    """

    id: str
    kind: OutboxKind
    text: str
    created_at: float
    story_id: str | None = None
    chat_id: str | int | None = None  # None = the channel
    status: OutboxStatus = OutboxStatus.PENDING
    attempts: int = 0
    last_error: str | None = None
    not_before: float | None = None  # epoch; retry backoff and flood-wait
    wait: float = 0.0  # the delay `not_before` was set for (see bot.backoff.until)
    message_id: int | None = None
    sent_at: float | None = None
    lost_answers: int = 0  # attempts that timed out or were cut off: Telegram may have posted them
    reply_to: str | None = None  # a story whose channel post this post answers (its storyline's latest)

    def __post_init__(self) -> None:
        self.kind = OutboxKind(self.kind)
        self.status = OutboxStatus(self.status)

    @property
    def pending(self) -> bool:
        return self.status is OutboxStatus.PENDING

    @property
    def to_channel(self) -> bool:
        return self.chat_id is None


@dataclass(slots=True)
class ChatBlock:
    """A chat that refused our messages (bot removed, chat not found), or the bot token that Telegram
    rejected: sends wait until `until`, then one attempt is the probe; each refusal in a row doubles
    `pause`."""

    since: float
    until: float
    pause: float
    error: str
    refusals: int = 1  # in a row


@dataclass(slots=True)
class State:
    schema_version: int = SCHEMA_VERSION
    created_at: float = field(default_factory=time.time)
    baseline: Baseline = Baseline.NEW
    sources: dict[str, SourceState] = field(default_factory=dict)
    seen: dict[str, Seen] = field(default_factory=dict)
    stories: dict[str, StoryRecord] = field(default_factory=dict)
    outbox: list[OutboxEntry] = field(default_factory=list)
    # The daemon's small bits, stored under "meta" with the same keys as before they had types.
    paused: bool = False  # delivery paused by an admin
    digest_dates: list[str] = field(default_factory=list)  # KST days whose digest was queued
    report_dates: list[str] = field(default_factory=list)  # "coverage:<day>", "weekly:<day>": reports made
    undecided_tries: dict[str, int] = field(default_factory=dict)  # URL -> failed article reads
    delivery_sends: dict[str, list[float]] = field(default_factory=dict)  # chat -> recent send times
    blocked_chats: dict[str, ChatBlock] = field(default_factory=dict)
    token_block: ChatBlock | None = None  # the bot token was rejected: nothing is sent until a probe passes
    channel_migrated_to: dict[str, int | str] = field(default_factory=dict)
    gnews_cache: dict[str, dict[str, Any]] = field(default_factory=dict)  # token -> publisher URL (scrapers.gnews)
    gnews_health: dict[str, Any] = field(default_factory=dict)  # whether resolving works
    gnews_alerted: bool = False  # the admins were told resolving fails
    meta: dict[str, Any] = field(default_factory=dict)  # anything else under "meta", kept as it is

    # -- seen ---------------------------------------------------------------------------------
    def is_seen(self, url: str) -> bool:
        return url in self.seen

    def mark_seen(self, url: str, source: str, relevant: bool, now: float | None = None) -> None:
        if url not in self.seen:
            self.seen[url] = Seen(int(now if now is not None else time.time()), source, bool(relevant))

    def story_with(self, *urls: str) -> StoryRecord | None:
        """The story holding one of `urls` (its own or a copy's), newest first."""
        return next((s for s in reversed(self.stories.values()) if s.has_copy(*urls)), None)

    def story_with_message(self, message_id: int) -> StoryRecord | None:
        return next((s for s in self.stories.values() if s.message_id == message_id), None)

    def source(self, name: str) -> SourceState:
        st = self.sources.get(name)
        if st is None:
            st = self.sources[name] = SourceState()
        return st

    # -- outbox -------------------------------------------------------------------------------
    def pending(self) -> list[OutboxEntry]:
        return [e for e in self.outbox if e.status is OutboxStatus.PENDING]

    def count(self, status: OutboxStatus, kind: OutboxKind | None = None) -> int:
        return sum(1 for e in self.outbox if e.status is status and (kind is None or e.kind is kind))

    def prune(self, retention_days: float, now: float | None = None) -> int:
        """Forget seen URLs, stories and finished outbox entries older than the retention window."""
        now = time.time() if now is None else now
        cutoff = now - retention_days * 86400
        before = len(self.seen)
        self.seen = {u: e for u, e in self.seen.items() if e.first_seen >= cutoff}
        self.stories = {k: s for k, s in self.stories.items() if s.first_seen >= cutoff}
        self.outbox = [e for e in self.outbox if e.pending or e.created_at >= cutoff]
        return before - len(self.seen)

    # -- JSON ---------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        meta = dict(self.meta)
        meta.update(
            paused=self.paused,
            digest_dates=self.digest_dates,
            report_dates=self.report_dates,
            article_tries=self.undecided_tries,
            delivery_sends=self.delivery_sends,
            delivery_blocked={k: asdict(v) for k, v in self.blocked_chats.items()},
            delivery_token_block=asdict(self.token_block) if self.token_block else None,
            channel_migrated_to=self.channel_migrated_to,
            gnews_cache=self.gnews_cache,
            gnews_health=self.gnews_health,
            gnews_alerted=self.gnews_alerted,
        )
        return {
            "schema_version": self.schema_version,
            "created_at": self.created_at,
            "baseline": str(self.baseline),
            "sources": {k: asdict(v) for k, v in self.sources.items()},
            "seen": self.seen,
            "stories": {k: asdict(v) for k, v in self.stories.items()},
            "outbox": [asdict(e) for e in self.outbox],
            "meta": meta,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> State:
        if not isinstance(data, dict) or not isinstance(data.get("schema_version"), int):
            raise ValueError("not a state file (no schema_version)")
        version = data["schema_version"]
        if version > SCHEMA_VERSION:
            raise StateError(
                f"state file has schema version {version}, newer than this bot understands "
                f"({SCHEMA_VERSION}); upgrade the bot or point it at another state file"
            )
        meta = dict(data.get("meta", {}))
        return cls(
            schema_version=SCHEMA_VERSION,
            created_at=float(data.get("created_at", time.time())),
            baseline=Baseline(data.get("baseline", "new")),
            sources={k: _from_dict(SourceState, v) for k, v in data.get("sources", {}).items()},
            seen=seen_from_columns(data["seen_columns"])
            if "seen_columns" in data
            else {url: Seen(int(v[0]), str(v[1]), bool(v[2])) for url, v in data.get("seen", {}).items()},
            stories={k: _from_dict(StoryRecord, v) for k, v in data.get("stories", {}).items()},
            outbox=[_from_dict(OutboxEntry, e) for e in data.get("outbox", [])],
            paused=bool(meta.pop("paused", False)),
            digest_dates=list(meta.pop("digest_dates", [])),
            report_dates=list(meta.pop("report_dates", [])),
            undecided_tries=dict(meta.pop("article_tries", {})),
            delivery_sends={k: [float(t) for t in v] for k, v in meta.pop("delivery_sends", {}).items()},
            blocked_chats={k: _from_dict(ChatBlock, v) for k, v in meta.pop("delivery_blocked", {}).items()},
            token_block=_from_dict(ChatBlock, block) if (block := meta.pop("delivery_token_block", None)) else None,
            channel_migrated_to=dict(meta.pop("channel_migrated_to", {})),
            gnews_cache=dict(meta.pop("gnews_cache", {})),
            gnews_health=dict(meta.pop("gnews_health", {})),
            gnews_alerted=bool(meta.pop("gnews_alerted", False)),
            meta=meta,
        )


def seen_columns(seen: dict[str, Seen]) -> dict[str, list[Any]]:
    """The on-disk form of `State.seen`: one list per field, sources as indexes into their names."""
    names: dict[str, int] = {}
    values = list(seen.values())
    return {
        "url": list(seen),
        "first_seen": [v.first_seen for v in values],
        "source": [names.setdefault(v.source, len(names)) for v in values],
        "relevant": [1 if v.relevant else 0 for v in values],
        "source_names": list(names),
    }


def seen_from_columns(cols: dict[str, list[Any]]) -> dict[str, Seen]:
    names = cols["source_names"]
    return {
        url: Seen(first, names[source], bool(relevant))
        for url, first, source, relevant in zip(
            cols["url"], cols["first_seen"], cols["source"], cols["relevant"], strict=True
        )
    }
