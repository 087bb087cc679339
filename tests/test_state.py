"""The state file: atomic writes, the previous good copy, loud recovery, schema and lock checks, retention."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from state.records import SCHEMA_VERSION, OutboxEntry, Seen, SourceState, State, StateError, StoryRecord
from state.store import StateLockedError, StateStore
from tests.conftest import REPO, clean_env

DAY = 86400.0


def sample_state(tag: str = "a") -> State:
    state = State()
    state.mark_seen(f"https://www.kwangju.co.kr/article.php?aid={tag}1", "광주일보", True, now=1_790_000_000)
    state.mark_seen(f"https://www.mdilbo.com/detail/{tag}2", "무등일보", False, now=1_790_000_100)
    state.source("광주일보").etag = f'W/"{tag}"'
    state.stories["s1"] = StoryRecord(
        id="s1",
        title="광주 AI 데이터센터",
        url="https://www.kwangju.co.kr/1",
        outlet="광주일보",
        published_at=1_790_000_000.0,
        first_seen=1_790_000_050.0,
        also=[["무등일보", "https://www.mdilbo.com/detail/2", "같은 소식"]],
        message_id=7,
    )
    state.outbox.append(
        OutboxEntry(
            id="p-s1",
            kind="post",
            text="<b>광주</b>",
            created_at=1_790_000_060.0,
            story_id="s1",
            status="sent",
            message_id=7,
            lost_answers=1,
        )
    )
    state.meta["tag"] = tag
    return state


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "state.json"


def test_a_saved_state_loads_back_equal(path: Path) -> None:
    state = sample_state()
    StateStore(path).save(state)

    loaded = StateStore(path).load()

    assert loaded == state
    assert loaded.seen["https://www.mdilbo.com/detail/a2"] == Seen(1_790_000_100, "무등일보", False)


def test_an_unchanged_state_is_not_written_again(path: Path) -> None:
    """The daemon saves before every delivery run; with nothing changed the file is left alone."""
    store = StateStore(path)
    state = sample_state("a")
    store.save(state)
    written = os.stat(path)

    store.save(state)
    assert (os.stat(path).st_ino, os.stat(path).st_mtime_ns) == (written.st_ino, written.st_mtime_ns)
    assert not path.with_name("state.json.bak").exists()

    state.meta["tag"] = "b"
    store.save(state)
    assert os.stat(path).st_ino != written.st_ino
    assert json.loads(path.read_text("utf-8"))["meta"]["tag"] == "b"

    path.write_text("{}", encoding="utf-8")  # someone else wrote the file: the next save puts it right
    store.save(state)
    assert json.loads(path.read_text("utf-8"))["meta"]["tag"] == "b"


def test_files_in_the_older_seen_layout_still_load(path: Path) -> None:
    path.parent.mkdir(parents=True)
    older = {
        "schema_version": 1,
        "created_at": 1.0,
        "seen": {"https://x.kr/1": [5, "광주일보", True]},
        "outbox": [{"id": "p", "kind": "post", "text": "t", "created_at": 2.0, "from_the_future": 1}],
    }
    path.write_text(json.dumps(older), encoding="utf-8")

    state = StateStore(path).load()

    assert state.seen == {"https://x.kr/1": Seen(5, "광주일보", True)}
    assert state.outbox[0].status == "pending" and state.outbox[0].lost_answers == 0


def test_save_is_atomic_and_leaves_no_temp_files(path: Path) -> None:
    store = StateStore(path)
    store.save(sample_state("a"))
    before = path.read_bytes()
    broken = sample_state("b")
    broken.meta["not json"] = object()  # saving fails half-way through

    with pytest.raises(TypeError):
        store.save(broken)

    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["state.json"]


def test_the_previous_good_copy_is_kept_as_bak(path: Path) -> None:
    store = StateStore(path)
    store.save(sample_state("a"))
    store.save(sample_state("b"))

    assert json.loads(path.with_name("state.json.bak").read_text("utf-8"))["meta"]["tag"] == "a"
    assert json.loads(path.read_text("utf-8"))["meta"]["tag"] == "b"

    restarted = StateStore(path)
    restarted.load()
    restarted.save(sample_state("c"))
    assert json.loads(path.with_name("state.json.bak").read_text("utf-8"))["meta"]["tag"] == "b"


def test_a_truncated_file_falls_back_to_the_backup_loudly(
    path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = StateStore(path)
    store.save(sample_state("a"))
    store.save(sample_state("b"))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # a crash or a full disk cut it short

    restarted = StateStore(path)
    with caplog.at_level(logging.ERROR, logger="state.store"):
        state = restarted.load()

    assert state.meta["tag"] == "a"
    note = restarted.recovery_note
    assert note and "restored the previous good copy state.json.bak" in note
    assert "unreadable" in caplog.text
    restarted.save(state)  # the next save must not put the broken file in place of the good backup
    assert json.loads(path.with_name("state.json.bak").read_text("utf-8"))["meta"]["tag"] == "a"


def test_a_missing_file_with_a_backup_is_restored(path: Path) -> None:
    store = StateStore(path)
    store.save(sample_state("a"))
    store.save(sample_state("b"))
    path.unlink()

    restarted = StateStore(path)
    assert restarted.load().meta["tag"] == "a"
    assert restarted.recovery_note and "missing" in restarted.recovery_note


def test_a_truncated_file_without_backup_starts_a_recovered_baseline(path: Path) -> None:
    StateStore(path).save(sample_state("a"))  # the first save has nothing to back up
    data = path.read_bytes()
    path.write_bytes(data[:40])

    store = StateStore(path)
    state = store.load()

    assert state.baseline == "recovered" and state.seen == {} and state.outbox == []
    assert store.recovery_note and "posts nothing" in store.recovery_note
    kept = [p for p in path.parent.iterdir() if p.name.startswith("state.json.corrupt-")]
    assert len(kept) == 1 and kept[0].read_bytes() == data[:40]  # kept for a post-mortem, not deleted


UNUSABLE = [
    pytest.param(b"", id="empty"),
    pytest.param(b"{}", id="no-schema"),
    pytest.param(b"[1, 2]", id="not-an-object"),
    pytest.param(b"\x00\x00\x00", id="nul-bytes"),
    pytest.param(b'{"schema_version": 1, "seen_columns": {"url": ["u"]}}', id="broken-columns"),
]


@pytest.mark.parametrize("content", UNUSABLE)
def test_unusable_content_never_passes_as_a_fresh_new_state(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(content)

    store = StateStore(path)
    state = store.load()

    assert state.baseline == "recovered" and store.recovery_note


def test_a_newer_schema_is_refused_and_left_alone(path: Path) -> None:
    path.parent.mkdir(parents=True)
    newer = json.dumps({"schema_version": SCHEMA_VERSION + 1, "seen_columns": {}}).encode()
    path.write_bytes(newer)

    with pytest.raises(StateError, match=r"schema version 2, newer than this bot understands \(1\)"):
        StateStore(path).load()
    assert path.read_bytes() == newer


def test_a_second_store_on_the_same_file_is_locked_out(path: Path) -> None:
    with StateStore(path):
        with pytest.raises(StateLockedError) as err:
            StateStore(path).acquire()
        assert str(path) in str(err.value) and f"pid {os.getpid()}" in str(err.value)
    with StateStore(path) as again:  # released on exit
        again.save(sample_state())


LOCKER = textwrap.dedent("""
    import sys, time
    from state.store import StateStore, StateLockedError
    store = StateStore(sys.argv[1])
    try:
        store.acquire()
    except StateLockedError as exc:
        print(exc, file=sys.stderr)
        sys.exit(3)
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
""")


def test_a_second_process_is_locked_out_with_a_clear_message(path: Path) -> None:
    with StateStore(path):
        other = subprocess.run(
            [sys.executable, "-c", LOCKER, str(path), "0"],
            cwd=REPO,
            env=clean_env(),
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert other.returncode == 3
    expected = f"the state file {path} is in use by another gwangju-ai-watch process (pid {os.getpid()})"
    assert expected in other.stderr


def test_a_lock_held_by_another_process_keeps_this_one_out(path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(path), "30"], cwd=REPO, env=clean_env(), stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(StateLockedError, match=f"pid {holder.pid}"):
            StateStore(path).acquire()
    finally:
        holder.kill()
        holder.wait(10)
        if holder.stdout:
            holder.stdout.close()
    with StateStore(path):  # a killed holder's lock dies with it
        pass


def test_an_unusable_state_folder_is_a_state_error(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(StateError, match="cannot open the state folder"):
        StateStore(tmp_path / "a-file" / "state.json").acquire()


def test_prune_forgets_old_entries_but_keeps_pending_sends() -> None:
    now = 1_800_000_000.0
    state = State()
    state.mark_seen("https://x.kr/old", "광주일보", False, now=now - 91 * DAY)
    state.mark_seen("https://x.kr/new", "광주일보", True, now=now - 89 * DAY)
    for sid, age in (("old", 91), ("new", 1)):
        state.stories[sid] = StoryRecord(
            id=sid,
            title=sid,
            url=f"https://x.kr/{sid}",
            outlet="광주일보",
            published_at=None,
            first_seen=now - age * DAY,
        )
    state.outbox = [
        OutboxEntry(id="sent-old", kind="post", text="t", created_at=now - 91 * DAY, status="sent"),
        OutboxEntry(id="failed-old", kind="post", text="t", created_at=now - 91 * DAY, status="failed"),
        OutboxEntry(id="pending-old", kind="post", text="t", created_at=now - 91 * DAY),
        OutboxEntry(id="sent-new", kind="post", text="t", created_at=now - DAY, status="sent"),
    ]

    removed = state.prune(90, now=now)

    assert removed == 1
    assert list(state.seen) == ["https://x.kr/new"]
    assert list(state.stories) == ["new"]
    assert [e.id for e in state.outbox] == ["pending-old", "sent-new"]


def test_retention_bounds_the_file(path: Path) -> None:
    now = time.time()
    state = State()
    for i in range(2000):
        state.mark_seen(f"https://x.kr/{i}", "광주일보", False, now=now - (i % 200) * DAY)
    store = StateStore(path)
    store.save(state)
    big = path.stat().st_size

    state.prune(30, now=now)
    store.save(state)

    assert len(state.seen) == 300  # 10 URLs for each of the ages 0..29 days
    assert path.stat().st_size < big / 5


def test_source_state_survives_a_round_trip(path: Path) -> None:
    state = State()
    state.sources["광주일보"] = SourceState(first_poll_at=1.0, etag='"x"', consecutive_failures=2, alerted=True)
    StateStore(path).save(state)
    assert StateStore(path).load().sources["광주일보"] == state.sources["광주일보"]
