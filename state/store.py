"""The state file: one JSON document (`state.records`) read and written safely.

Safety:
- writes go to a temp file in the same folder, are fsynced, renamed over the file, and the folder is
  fsynced; the previous good file is kept as ``<name>.bak``;
- a lock file (``<name>.lock``, flock) keeps a second process off the same state;
- a truncated or corrupt file falls back to ``.bak`` loudly; with no good copy the store starts a
  *recovered* baseline: every source's next poll records what it sees without posting, so history is
  never posted again;
- a save whose bytes equal what this store last wrote, to a file nobody has touched since, writes
  nothing (the daemon saves before each delivery run, every few seconds while a paused chat has posts
  waiting); after a failed write the next save always writes;
- a file written by a newer schema is refused;
- every failure to read, lock or write is a `StateError` whose text is one sentence for the operator
  (a full disk included), never a bare OSError.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import hashlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from state.records import Baseline, State, StateError, seen_columns

log = logging.getLogger(__name__)


class StateLockedError(StateError):
    """Another process holds the state file."""


class StateWriteError(StateError):
    """The state file could not be written (a full disk, a read-only folder, ...)."""

    def __init__(self, path: Path, exc: OSError) -> None:
        reason = exc.strerror or str(exc)
        super().__init__(f"cannot write the state file {path}: {reason}")
        self.errno = exc.errno


@dataclass(frozen=True, slots=True)
class StateConfig:
    """`[state]` of the config."""

    path: Path = Path("state/state.json")
    retention_days: float = field(default=90.0, metadata={"min": 1})  # older seen URLs and stories go


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
        data["seen_columns"] = seen_columns(data.pop("seen"))
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _identity(path: Path) -> tuple[int, int, int]:
    """Which file is at `path` and whether it changed: inode, size, modification time (all 0 if none)."""
    try:
        st = os.stat(path)
    except OSError:
        return (0, 0, 0)
    return (st.st_ino, st.st_size, st.st_mtime_ns)


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
        self._written: tuple[bytes, tuple[int, int, int]] | None = None  # digest and file identity of the last save

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
        try:
            os.ftruncate(fd, 0)
            os.write(fd, str(os.getpid()).encode())
        except OSError as exc:
            os.close(fd)
            raise StateError(f"cannot write the lock file {self.lock_path}: {exc.strerror}") from exc
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
        try:
            with path.open("rb") as fh:
                raw = fh.read()
        except OSError as exc:  # not a damaged file but one we may not read: never replace it
            raise StateError(f"cannot read the state file {path}: {exc.strerror or exc}") from exc
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
            except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
                problem = f"{self.path} is unreadable ({type(exc).__name__}: {exc})"
        else:
            problem = f"{self.path} is missing but its backup exists"
        if self.backup_path.exists():
            try:
                state = self._read(self.backup_path)
            except StateError:
                raise
            except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
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
        return State(baseline=Baseline.RECOVERED)

    def save(self, state: State) -> None:
        """Write atomically: temp file + fsync, keep the old file as .bak, rename, fsync the folder.

        Nothing is written when the bytes equal this store's last save and the file is still the one it
        wrote. Raises `StateWriteError` (one sentence: which file, what the system said) when the file
        cannot be written; the file on disk is then still the last good one."""
        payload = _encode(state)
        digest = hashlib.blake2b(payload, digest_size=16).digest()
        if self._written is not None and self._written == (digest, _identity(self.path)):
            return  # these very bytes are on disk already
        self._written = None
        folder = self.path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=folder)
        except OSError as exc:
            raise StateWriteError(self.path, exc) from exc
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
        except BaseException as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            if isinstance(exc, OSError):
                raise StateWriteError(self.path, exc) from exc
            raise
        _fsync_dir(folder)
        self._written = (digest, _identity(self.path))
