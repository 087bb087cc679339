"""Time saving and loading the state file with 10,000 and 100,000 seen URLs (target: 100k saved ≤ 0.3 s).

Run: .venv/bin/python -m bench.bench_state [--sizes 10000 100000] [--repeat 5]
Each size: a state with that many seen entries (realistic article URLs from a handful of outlets),
200 stories and 50 outbox entries, saved through `StateStore.save` (temp file, fsync, .bak link,
rename, folder fsync) and loaded through `StateStore.load`. Wall time is what the daemon waits; CPU
time is shown too because wall time moves with the machine's load.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from state.records import OutboxEntry, Seen, State, StoryRecord
from state.store import StateStore

OUTLETS = ["광주일보", "무등일보", "남도일보", "전남일보", "광주매일신문", "뉴시스 광주전남", "연합뉴스"]
HOSTS = [
    "www.kwangju.co.kr/article.php?aid=",
    "www.mdilbo.com/detail/",
    "www.namdonews.com/news/articleView.html?idxno=",
    "www.jnilbo.com/view/media/view?code=",
    "www.kjdaily.com/article.php?aid=",
    "www.newsis.com/view/NISX2026",
    "www.yna.co.kr/view/AKR2026",
]
TARGET_SAVE_100K = 0.3


def build_state(n_seen: int, seed: int = 7) -> State:
    rng = random.Random(seed)
    state = State()
    now = time.time()
    for i in range(n_seen):
        k = rng.randrange(len(HOSTS))
        url = f"https://{HOSTS[k]}{1_700_000_000 + i * 7919 + rng.randrange(7919)}"
        state.seen[url] = Seen(int(now - rng.uniform(0, 90 * 86400)), OUTLETS[k], rng.random() < 0.05)
    for i in range(200):
        state.stories[f"s{i:012x}"] = StoryRecord(
            id=f"s{i:012x}",
            title="광주 국가 AI컴퓨팅센터 유치 확정 " * 2,
            url=f"https://news.example/{i}",
            outlet=OUTLETS[i % len(OUTLETS)],
            published_at=now,
            first_seen=now,
            summary="요약 " * 60,
            lead="리드 문장 " * 20,
            topics=["AI 데이터센터"],
            message_id=i + 1,
        )
    for i in range(50):
        state.outbox.append(
            OutboxEntry(
                id=f"p-{i}",
                kind="post",
                text="<b>제목</b>\n요약 " * 40,
                created_at=now,
                story_id=f"s{i:012x}",
                status="sent",
                message_id=i + 1,
            )
        )
    return state


def measure(n_seen: int, repeat: int) -> dict[str, float]:
    state = build_state(n_seen)
    with tempfile.TemporaryDirectory() as folder:
        store = StateStore(Path(folder) / "state.json")
        saves: list[tuple[float, float]] = []
        for i in range(repeat):
            state.meta["bench_round"] = i  # a change each time: an unchanged state is not written again
            wall, cpu = time.perf_counter(), time.process_time()
            store.save(state)
            saves.append((time.perf_counter() - wall, time.process_time() - cpu))
        size = store.path.stat().st_size
        loads: list[tuple[float, float]] = []
        for _ in range(repeat):
            reader = StateStore(store.path)
            wall, cpu = time.perf_counter(), time.process_time()
            loaded = reader.load()
            loads.append((time.perf_counter() - wall, time.process_time() - cpu))
            assert len(loaded.seen) == n_seen and reader.recovery_note is None
    return {
        "save_wall": statistics.median(s[0] for s in saves),
        "save_cpu": statistics.median(s[1] for s in saves),
        "load_wall": statistics.median(s[0] for s in loads),
        "load_cpu": statistics.median(s[1] for s in loads),
        "size_mb": size / 1e6,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    print(f"state file save/load, median of {args.repeat} runs")
    heads = ("file MB", "save wall s", "save cpu s", "load wall s", "load cpu s")
    print(f"{'seen':>9} " + " ".join(f"{h:>12}" for h in heads))
    results = {}
    for n in args.sizes:
        r = results[n] = measure(n, args.repeat)
        print(
            f"{n:>9,} {r['size_mb']:>12.1f} {r['save_wall']:>12.3f} {r['save_cpu']:>12.3f} "
            f"{r['load_wall']:>12.3f} {r['load_cpu']:>12.3f}"
        )
    if 100_000 in results:
        ok = results[100_000]["save_wall"] <= TARGET_SAVE_100K
        print(f"target: 100,000 seen saved in <= {TARGET_SAVE_100K} s: {'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
