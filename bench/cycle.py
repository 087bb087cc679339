"""One bot cycle over N listing URLs, measured from inside a fresh process (the harness starts one per N).

Run: python -m bench.cycle --per-host 4 [--control BASE] [--parsers workers|inline] URL... (or --urls-file
FILE); prints one JSON object.
It runs the real `Cycle` (poll every source, parse, screen every new headline, save the state twice)
with a fresh state and the daemon's parsers (`bot.parsing.WorkerParsers`: pages parsed in worker
processes, whose CPU is counted with the bot's; `--parsers inline` parses on the event loop, as
`once` does), then a second cycle with the same fetcher and state (everything seen: the steady
state of a daemon). Logging is set up as the command line does (INFO, every skipped headline is a
line), written to /dev/null. Delivery is not wired: the bench listings carry no relevant headline,
so a cycle queues nothing (the report's `candidates` and `articles` say so).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import resource
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from bot.config import Config, FetchConfig, SourceConfig, StateConfig
from bot.logs import setup_logging
from bot.parsing import InlineParsers, Parsers, WorkerParsers
from bot.pipeline import Cycle, CycleReport
from bot.relevance import Detector
from scrapers.fetch import GLOBAL_CONCURRENCY, Fetcher
from state.store import StateStore


def rss_mb() -> float:
    """Resident set size now, in MB (Linux /proc; peak RSS where that is missing)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    except OSError:
        return peak_rss_mb()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3  # KB on Linux


def cpu_seconds() -> float:
    """CPU of this process and of its live children (the parser processes), user and system."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime + sum(_children_cpu().values())


def _children_cpu() -> dict[int, float]:
    import psutil  # in the bench and test extras

    out: dict[int, float] = {}
    for child in psutil.Process().children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.Error:  # gone meanwhile
            continue
        out[child.pid] = times.user + times.system
    return out


def children_memory_mb() -> dict[str, float]:
    """Memory of the live child processes (parser workers and their forkserver), in MB: resident set
    size, and proportional set size (pages shared between them counted once in all, where Linux says)."""
    import psutil

    rss = pss = 0
    for child in psutil.Process().children(recursive=True):
        try:
            info = child.memory_full_info()
        except psutil.Error:
            continue
        rss += info.rss
        pss += getattr(info, "pss", info.rss)
    return {"rss": rss / 1e6, "pss": pss / 1e6}


def quiet_logging() -> None:
    """The command line's logging (INFO), into /dev/null: its cost is counted, its lines are not kept."""
    setup_logging(False)
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 - lives as long as the process


def bench_config(urls: list[str], per_host: int, state_path: Path) -> Config:
    sources = tuple(SourceConfig(name=f"bench-{i:04d}", url=url) for i, url in enumerate(urls))
    fetch = FetchConfig(per_host_concurrency=per_host, min_host_delay_seconds=0.0, respect_robots=True, trust_env=False)
    return Config(sources=sources, state=StateConfig(path=state_path), fetch=fetch)


def _summary(report: CycleReport, wall: float, cpu: float) -> dict[str, Any]:
    return {
        "wall": wall,
        "cpu": cpu,
        "sources": len(report.polls),
        "failed": len(report.failed_sources),
        "items": sum(len(p.items) for p in report.polls),
        "new": report.new_items,
        "relevant": report.relevant,
        "articles": report.articles_fetched,
        "errors": sorted({p.error or "" for p in report.failed_sources})[:3],
    }


def server_stats(control: str | None) -> dict[str, Any] | None:
    """What the loopback servers saw since the last call (then their counters start again)."""
    if control is None:
        return None
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{control}/__bench/stats", timeout=10) as answer:
        stats = json.loads(answer.read())
    opener.open(f"{control}/__bench/reset", timeout=10).close()
    return stats


async def measure(
    urls: list[str],
    per_host: int,
    folder: Path,
    control: str | None = None,
    max_connections: int = GLOBAL_CONCURRENCY,
    parsers_kind: str = "workers",
) -> dict[str, Any]:
    config = bench_config(urls, per_host, folder / "state.json")
    server_stats(control)
    out: dict[str, Any] = {"rss_before": rss_mb(), "parsers": parsers_kind}
    parsers: Parsers = (
        WorkerParsers(deadline=config.fetch.parse_timeout_seconds) if parsers_kind == "workers" else InlineParsers()
    )
    with StateStore(config.state.path) as store:
        state = store.load()
        detector = Detector(config.relevance)
        wall, cpu = time.perf_counter(), cpu_seconds()  # worker start-up is part of a first cycle
        try:
            async with Fetcher(config.fetch, max_connections=max_connections) as fetcher:
                report = await Cycle(config, state, store, fetcher, detector, None, parsers=parsers).run()
                out["first"] = _summary(report, time.perf_counter() - wall, cpu_seconds() - cpu)
                out["first"]["server"] = server_stats(control)
                wall, cpu = time.perf_counter(), cpu_seconds()
                report = await Cycle(config, state, store, fetcher, detector, None, parsers=parsers).run()
                out["next"] = _summary(report, time.perf_counter() - wall, cpu_seconds() - cpu)
                out["next"]["server"] = server_stats(control)
            out["workers"] = children_memory_mb()
            out["workers_cpu"] = sum(_children_cpu().values())
        finally:
            await parsers.close()
        out["seen"] = len(state.seen)
        out["state_bytes"] = config.state.path.stat().st_size
    out["rss_after"] = rss_mb()
    out["peak_rss"] = peak_rss_mb()
    return out


async def measure_fetch_only(
    urls: list[str], per_host: int, control: str | None = None, max_connections: int = GLOBAL_CONCURRENCY
) -> dict[str, Any]:
    """The same requests through the same `Fetcher`, nothing parsed: what fetching alone costs."""
    config = bench_config(urls, per_host, Path("unused.json"))
    server_stats(control)
    wall, cpu = time.perf_counter(), cpu_seconds()
    async with Fetcher(config.fetch, max_connections=max_connections) as fetcher:
        results = await asyncio.gather(*(fetcher.fetch(url) for url in urls), return_exceptions=True)
    out: dict[str, Any] = {
        "wall": time.perf_counter() - wall,
        "cpu": cpu_seconds() - cpu,
        "failed": sum(isinstance(r, BaseException) for r in results),
        "bytes": sum(len(r.body) for r in results if not isinstance(r, BaseException)),
    }
    out["server"] = server_stats(control)
    out["peak_rss"] = peak_rss_mb()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="one measured bot cycle over the given listing URLs")
    parser.add_argument("urls", nargs="*")
    parser.add_argument("--urls-file", type=Path)
    parser.add_argument("--per-host", type=int, default=4)
    parser.add_argument("--control", help="a loopback server base URL, to read what the servers saw")
    parser.add_argument("--fetch-only", action="store_true", help="fetch every URL, parse nothing")
    parser.add_argument(
        "--parsers",
        choices=("workers", "inline"),
        default="workers",
        help="parse in worker processes as the daemon does (default), or on the event loop as `once` does",
    )
    parser.add_argument(
        "--max-connections",
        type=int,
        default=GLOBAL_CONCURRENCY,
        help="the fetcher's global cap (the product's default unless given)",
    )
    args = parser.parse_args(argv)
    urls = list(args.urls)
    if args.urls_file:
        urls += [u for u in args.urls_file.read_text().split() if u]
    quiet_logging()
    if args.fetch_only:
        figures = asyncio.run(measure_fetch_only(urls, args.per_host, args.control, args.max_connections))
        print(json.dumps(figures))
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-cycle-") as folder:
        result = asyncio.run(
            measure(urls, args.per_host, Path(folder), args.control, args.max_connections, args.parsers)
        )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
