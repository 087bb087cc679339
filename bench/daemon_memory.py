"""Memory of the daemon over many consecutive cycles: does it grow?

Run: python -m bench.daemon_memory --cycles 1000 --every 100 [--trace] URL... (JSON lines, one per report)
One process keeps what the daemon keeps for its lifetime: one `Fetcher`, one `Detector`, one state
and its `StateStore`. Each cycle is a real `Cycle` over every URL against loopback servers that show
new articles on every poll (some of them relevant: those are read, summarised, grouped, queued and
delivered by `deliver_pending` through the dry-run sender into /dev/null). Time is simulated, so that
1,000 cycles cover days: each cycle advances the clock by `--minutes` (delivery waits advance it
too), and every simulated 24 hours `State.prune` runs with `--retention-days`, as the daemon's
retention job does. With retention short, the state reaches its steady size early in the run, so any
later growth of RSS would be a leak, not data.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import tempfile
import time
import tracemalloc
from pathlib import Path

from bench.cycle import bench_config, cpu_seconds, peak_rss_mb, quiet_logging, rss_mb
from bot.config import Config, DeliveryConfig, StateConfig
from bot.delivery import deliver_pending
from bot.pipeline import Cycle
from bot.relevance import Detector
from bot.senders import DryRunSender
from scrapers.fetch import Fetcher
from state.store import StateStore


class SimClock:
    """Wall-clock-like time that moves only when told to (and when delivery sleeps)."""

    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)


async def run(
    urls: list[str], cycles: int, every: int, minutes: float, retention_days: float, folder: Path, trace: bool = False
) -> None:
    base = bench_config(urls, 4, folder / "state.json")
    config = Config(
        sources=base.sources,
        fetch=base.fetch,
        state=StateConfig(path=base.state.path, retention_days=retention_days),
        delivery=DeliveryConfig(backfill_hours=24.0),
    )
    clock = SimClock(time.time())
    devnull = open(os.devnull, "w")  # noqa: SIM115 - closed below
    deliver = functools.partial(
        deliver_pending,
        sender=DryRunSender(devnull),
        chat_id="@bench",
        delivery_config=config.delivery,
        clock=clock,
        sleep=clock.sleep,
    )
    detector = Detector(config.relevance)
    start = clock()
    settled: tracemalloc.Snapshot | None = None
    next_prune = start + 86400
    started_wall, started_cpu = time.perf_counter(), cpu_seconds()
    try:
        with StateStore(config.state.path) as store:
            state = store.load()
            async with Fetcher(config.fetch) as fetcher:
                posts = 0
                for k in range(1, cycles + 1):
                    report = await Cycle(config, state, store, fetcher, detector, deliver, clock=clock).run()
                    posts += report.queued_posts
                    clock.now += minutes * 60
                    if clock() >= next_prune:
                        state.prune(config.state.retention_days, clock())
                        store.save(state)
                        next_prune += 86400
                    if trace and k == cycles // 3:
                        settled = tracemalloc.take_snapshot()
                    if k % every == 0 or k == 1:
                        print(
                            json.dumps(
                                {
                                    "cycle": k,
                                    "rss_mb": round(rss_mb(), 1),
                                    "peak_rss_mb": round(peak_rss_mb(), 1),
                                    "seen": len(state.seen),
                                    "stories": len(state.stories),
                                    "outbox": len(state.outbox),
                                    "posts": posts,
                                    "state_kb": round(store.path.stat().st_size / 1000),
                                    "wall": round(time.perf_counter() - started_wall, 2),
                                    "cpu": round(cpu_seconds() - started_cpu, 2),
                                    "simulated_days": round((clock() - start) / 86400, 2),
                                }
                            ),
                            flush=True,
                        )
        if settled is not None:
            growth = tracemalloc.take_snapshot().compare_to(settled, "lineno")
            print(
                json.dumps(
                    {
                        "trace_from_cycle": cycles // 3,
                        "growth": [
                            {"where": str(s.traceback), "kb": round(s.size_diff / 1000, 1), "blocks": s.count_diff}
                            for s in growth[:12]
                        ],
                    }
                ),
                flush=True,
            )
    finally:
        devnull.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="daemon memory over consecutive cycles")
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--cycles", type=int, default=1000)
    parser.add_argument("--every", type=int, default=100)
    parser.add_argument("--minutes", type=float, default=10.0, help="simulated minutes between cycles")
    parser.add_argument("--retention-days", type=float, default=1.0)
    parser.add_argument(
        "--trace", action="store_true", help="tracemalloc: print what grew between a third of the run and its end"
    )
    args = parser.parse_args(argv)
    quiet_logging()
    if args.trace:
        tracemalloc.start()
    with tempfile.TemporaryDirectory(prefix="bench-daemon-") as folder:
        asyncio.run(
            run(args.urls, args.cycles, args.every, args.minutes, args.retention_days, Path(folder), args.trace)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
