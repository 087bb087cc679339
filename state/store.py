"""One JSON file holds everything the bot remembers; this module reads and writes it safely.

Layout (schema version 1)::

    {"schema_version": 1, "created_at": ..., "baseline": "new" | "recovered",
     "sources": {name: SourceState},          # per-source polling memory and health
     "seen_columns": {"url": [...], "first_seen": [...], "source": [index into source_names],
                      "relevant": [0 | 1], "source_names": [...]},
     "stories": {story_id: StoryRecord},      # what was (or will be) posted, for grouping and edits
     "outbox":  [OutboxEntry],                # posts and edits, pending until Telegram confirms
     "meta":    {...}}                        # small daemon bits: paused, digest dates, update offset

In memory ``State.seen`` is ``{canonical_url: [first_seen_epoch, source_name, relevant]}`` (also what
`State.to_json` returns); on disk it is stored as columns, which halves the time to write 100,000 of
them. Files with the older ``"seen": {url: [...]}`` form load too.

Safety:
- writes go to a temp file in the same folder, are fsynced, renamed over the file, and the folder is
  fsynced; the previous good file is kept as ``<name>.bak``;
- a lock file (``<name>.lock``, flock) keeps a second process off the same state;
- a truncated or corrupt file falls back to ``.bak`` loudly; with no good copy the store starts a
  *recovered* baseline: every source's next poll records what it sees without posting, so history is
  never posted again;
- a file written by a newer schema is refused.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import json
import logging
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1


class StateError(Exception):
    """The state file cannot be used (newer schema, unreadable folder, ...)."""


class StateLockedError(StateError):
    """Another process holds the state file."""


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
    also: list[list[str]] = field(default_factory=list)  # [[outlet, url, title], ...] later copies
    message_id: int | None = None  # the channel post, once sent
    digest_date: str | None = None  # KST date (YYYY-MM-DD) whose digest listed it


@dataclass(slots=True)
class OutboxEntry:
    """A message to send (kind "post"/"digest"/"alert") or a post to edit (kind "edit").

    Written as pending before the send and as sent (with message_id) after, each time durably.
    """

    id: str
    kind: str
    text: str
    created_at: float
    story_id: str | None = None
    chat_id: str | int | None = None  # None = the channel
    status: str = "pending"  # pending | sent | failed
    attempts: int = 0
    last_error: str | None = None
    not_before: float | None = None  # epoch; retry backoff and flood-wait
    message_id: int | None = None
    sent_at: float | None = None
    lost_answers: int = 0  # attempts that timed out or were cut off: Telegram may have posted them


@dataclass(slots=True)
class State:
    schema_version: int = SCHEMA_VERSION
    created_at: float = field(default_factory=time.time)
    baseline: str = "new"  # "recovered": built after losing the state; first polls post nothing
    sources: dict[str, SourceState] = field(default_factory=dict)
    seen: dict[str, list[Any]] = field(default_factory=dict)
    stories: dict[str, StoryRecord] = field(default_factory=dict)
    outbox: list[OutboxEntry] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    # -- seen ---------------------------------------------------------------------------------
    def is_seen(self, url: str) -> bool:
        return url in self.seen

    def mark_seen(self, url: str, source: str, relevant: bool, now: float | None = None) -> None:
        if url not in self.seen:
            self.seen[url] = [int(now if now is not None else time.time()), source, bool(relevant)]

    def source(self, name: str) -> SourceState:
        st = self.sources.get(name)
        if st is None:
            st = self.sources[name] = SourceState()
        return st

    def pending(self) -> list[OutboxEntry]:
        return [e for e in self.outbox if e.status == "pending"]

    def prune(self, retention_days: float, now: float | None = None) -> int:
        """Forget seen URLs, stories and finished outbox entries older than the retention window."""
        now = time.time() if now is None else now
        cutoff = now - retention_days * 86400
        before = len(self.seen)
        self.seen = {u: e for u, e in self.seen.items() if e[0] >= cutoff}
        self.stories = {k: s for k, s in self.stories.items() if s.first_seen >= cutoff}
        self.outbox = [e for e in self.outbox if e.status == "pending" or e.created_at >= cutoff]
        return before - len(self.seen)

    # -- JSON ---------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "created_at": self.created_at,
            "baseline": self.baseline,
            "sources": {k: asdict(v) for k, v in self.sources.items()},
            "seen": self.seen,
            "stories": {k: asdict(v) for k, v in self.stories.items()},
            "outbox": [asdict(e) for e in self.outbox],
            "meta": self.meta,
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
        return cls(
            schema_version=SCHEMA_VERSION,
            created_at=float(data.get("created_at", time.time())),
            baseline=str(data.get("baseline", "new")),
            sources={k: _from_dict(SourceState, v) for k, v in data.get("sources", {}).items()},
            seen=_seen_from_columns(data["seen_columns"]) if "seen_columns" in data else dict(data.get("seen", {})),
            stories={k: _from_dict(StoryRecord, v) for k, v in data.get("stories", {}).items()},
            outbox=[_from_dict(OutboxEntry, e) for e in data.get("outbox", [])],
            meta=dict(data.get("meta", {})),
        )


def _seen_columns(seen: dict[str, list[Any]]) -> dict[str, list[Any]]:
    names: dict[str, int] = {}
    values = list(seen.values())
    sources = [names.setdefault(v[1], len(names)) for v in values]
    return {
        "url": list(seen),
        "first_seen": [v[0] for v in values],
        "source": sources,
        "relevant": [1 if v[2] else 0 for v in values],
        "source_names": list(names),
    }


def _seen_from_columns(cols: dict[str, list[Any]]) -> dict[str, list[Any]]:
    names = cols["source_names"]
    return {
        url: [first, names[source], bool(relevant)]
        for url, first, source, relevant in zip(
            cols["url"], cols["first_seen"], cols["source"], cols["relevant"], strict=True
        )
    }


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Building or walking 100k small lists triggers many useless cyclic-GC passes; skip them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _encode(state: State) -> bytes:
    with _gc_paused():
        data = state.to_json()
        data["seen_columns"] = _seen_columns(data.pop("seen"))
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class StateStore:
    """Owns one state file: lock it, load it, save it atomically.

    Use as a context manager (takes the lock) or call `acquire()` / `release()`.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.backup_path = self.path.with_name(self.path.name + ".bak")
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self._lock_fd: int | None = None
        self.recovery_note: str | None = None  # set when load() had to fall back; say it loudly
        self._current_is_good = False  # the file on disk was read or written whole by this store

    # -- lock -----------------------------------------------------------------------------------
    def acquire(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StateError(f"cannot open the state folder {self.path.parent}: {exc.strerror}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = ""
            with contextlib.suppress(OSError):
                other = os.read(fd, 64).decode("ascii", "replace").strip()
            os.close(fd)
            who = f" (pid {other})" if other else ""
            raise StateLockedError(
                f"the state file {self.path} is in use by another gwangju-ai-watch process{who}; "
                "stop it first or give this one its own [state] path"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._lock_fd = fd

    def release(self) -> None:
        if self._lock_fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> StateStore:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    # -- load / save ----------------------------------------------------------------------------
    def _read(self, path: Path) -> State:
        with path.open("rb") as fh:
            raw = fh.read()
        with _gc_paused():
            return State.from_json(json.loads(raw))

    def load(self) -> State:
        """Read the state; fall back to the backup, then to a recovered baseline, saying so loudly."""
        self.recovery_note = None
        if not self.path.exists() and not self.backup_path.exists():
            return State()
        problem = None
        if self.path.exists():
            try:
                state = self._read(self.path)
                self._current_is_good = True
                return state
            except StateError:
                raise
            except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
                problem = f"{self.path} is unreadable ({type(exc).__name__}: {exc})"
        else:
            problem = f"{self.path} is missing but its backup exists"
        if self.backup_path.exists():
            try:
                state = self._read(self.backup_path)
            except StateError:
                raise
            except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
                problem += f"; the backup {self.backup_path.name} is unreadable too ({type(exc).__name__})"
            else:
                self.recovery_note = f"{problem}; restored the previous good copy {self.backup_path.name}"
                log.error("state: %s", self.recovery_note)
                return state
        self.recovery_note = (
            f"{problem}; started a fresh baseline: the next poll of each source records what it sees "
            "and posts nothing, so no history is posted again"
        )
        log.error("state: %s", self.recovery_note)
        corrupt = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
        with contextlib.suppress(OSError):
            os.replace(self.path, corrupt)
        return State(baseline="recovered")

    def save(self, state: State) -> None:
        """Write atomically: temp file + fsync, keep the old file as .bak, rename, fsync the folder."""
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True)
        payload = _encode(state)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
            if self._current_is_good and self.path.exists():
                # Keep the file being replaced (read or written whole by us) as the previous good copy.
                # A hard link, so that the state file itself exists at every instant.
                link_tmp = self.backup_path.with_name(self.backup_path.name + ".tmp")
                with contextlib.suppress(OSError):
                    os.unlink(link_tmp)
                with contextlib.suppress(OSError):
                    os.link(self.path, link_tmp)
                    os.replace(link_tmp, self.backup_path)
            os.replace(tmp, self.path)
            self._current_is_good = True
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        _fsync_dir(folder)
