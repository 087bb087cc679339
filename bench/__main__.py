"""The benchmark: one command, `make bench` (or `python -m bench`), Markdown tables on stdout.

    python -m bench [--quick] [--sizes 50,200,1000] [--delay 0.2] [--hosts 10] [--per-host 4]
                    [--cycles 1000] [--every 100] [--no-urlwatch] [--out bench/results/latest.md]

1. Cycle: loopback news servers (`bench.loopback`, their own process) on 127.0.0.2 … 127.0.0.11, each
   answering after `--delay` seconds. For each N, a fresh process (`bench.cycle`) runs one bot cycle
   over N listing URLs spread evenly over the hosts, then a second cycle (everything already seen).
   Reported: wall, CPU, peak RSS, requests the servers counted, and the network floor for the setup.
   Then urlwatch (`bench.urlwatch_run`) watches the same N URLs, twice, measured the same way.
2. Micro (`bench.micro`): CPU per 100 KB listing parsed and classified, titles per second, state
   load and save at 10,000 and 100,000 seen entries.
3. Daemon memory (`bench.daemon_memory`): RSS over `--cycles` consecutive cycles against servers
   whose listings move on every poll, reported every `--every` cycles.
The results also go to `--out` (bench/results/ is not committed).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import loopback, micro, urlwatch_run
from bench.pages import ITEMS_PER_PAGE as ITEMS
from bot.parsing import PARSE_WORKERS

REPO = Path(__file__).parents[1]
TARGET_FLOOR_RATIO = 1.5
TARGET_MS_PER_100KB = 2.0
TARGET_PEAK_RSS_MB = 150.0
TARGET_STATE_SAVE_S = 0.3
TARGET_FLAT_MB = 5.0  # RSS growth allowed over the second part of the daemon run


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    targets: list[tuple[str, str, bool | None]] = field(default_factory=list)

    def emit(self, text: str = "") -> None:
        print(text, flush=True)
        self.lines.append(text)

    def table(self, header: list[str], rows: list[list[str]]) -> None:
        self.emit("| " + " | ".join(header) + " |")
        self.emit("|" + "|".join(" --- " for _ in header) + "|")
        for row in rows:
            self.emit("| " + " | ".join(row) + " |")
        self.emit()


# -- the machine ----------------------------------------------------------------------------------


def machine() -> list[tuple[str, str]]:
    cpu = "unknown"
    memory = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return [
        ("CPU", f"{cpu} × {os.cpu_count()}"),
        ("RAM", memory),
        ("OS", f"{platform.system()} {platform.release()}"),
        ("Python", platform.python_version()),
        ("load average at start", load),
    ]


# -- processes ------------------------------------------------------------------------------------


def child(args: list[str]) -> tuple[str, dict[str, float]]:
    """Run `python -m <args>` in the repo; (stdout, {wall, cpu, peak_rss}) of the whole process."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", *args], cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    with proc.stdout:
        out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"python -m {args[0]} exited with {proc.returncode}")
    return out, {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak_rss": usage.ru_maxrss / 1e3}


# -- 1. the cycle ---------------------------------------------------------------------------------


def listing_urls(bases: list[str], n: int) -> list[str]:
    """N listing URLs, round robin over the hosts (source i on host i mod hosts)."""
    hosts = len(bases)
    return [f"{bases[i % hosts]}/news/articleList.html?sc_section_code=S{i // hosts}" for i in range(n)]


def bot_floor(n: int, hosts: int, per_host: int, delay: float) -> float:
    """robots.txt first (one request per host), then the host's listings, `per_host` at a time."""
    busiest = math.ceil(n / hosts)
    return delay * (1 + math.ceil(busiest / per_host))


def urlwatch_floor(n: int, delay: float, workers: int = 10) -> float:
    return delay * math.ceil(n / workers)


def server_total(stats: dict[str, Any] | None) -> tuple[int, int]:
    """(requests, most in flight at one host)."""
    if not stats:
        return 0, 0
    return (sum(h["total"] for h in stats["hosts"]), max(h["max_in_flight"] for h in stats["hosts"]))


def run_cycles(report: Report, args: argparse.Namespace, sizes: list[int]) -> dict[int, dict[str, Any]]:
    results: dict[int, dict[str, Any]] = {}
    pages = math.ceil(max(sizes) / args.hosts)
    with loopback.servers(args.hosts, pages, args.delay) as info:
        bases = info["bases"]
        control = bases[0]
        kind = "distinct addresses" if info["loopback"] == "addresses" else "ports on 127.0.0.1"
        report.emit(
            f"Loopback hosts: {len(bases)} ({kind}: {bases[0]} … {bases[-1]}), answer delay "
            f"{args.delay:g} s, ~100 KB listing pages (sent gzip'd) with {ITEMS} headlines each, "
            "none of them relevant."
        )
        report.emit()
        for n in sizes:
            urls = listing_urls(bases, n)
            with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as fh:
                fh.write("\n".join(urls))
            try:
                out, proc = child(
                    [
                        "bench.cycle",
                        "--per-host",
                        str(args.per_host),
                        "--parsers",
                        args.parsers,
                        "--control",
                        control,
                        "--urls-file",
                        fh.name,
                    ]
                )
                fetch_out, _ = child(
                    [
                        "bench.cycle",
                        "--fetch-only",
                        "--per-host",
                        str(args.per_host),
                        "--control",
                        control,
                        "--urls-file",
                        fh.name,
                    ]
                )
            finally:
                os.unlink(fh.name)
            bot = json.loads(out)
            bot["fetch_only"] = json.loads(fetch_out)
            uw = None
            if not args.no_urlwatch:
                urlwatch_run_stats(control)
                uw = urlwatch_run.run(urls)
                if uw is not None:
                    uw["first"]["server"] = urlwatch_run_stats(control)
                    uw["filtered"] = urlwatch_run.run(urls, filtered=True)
                    urlwatch_run_stats(control)
            results[n] = {
                "bot": bot,
                "proc": proc,
                "urlwatch": uw,
                "floor": bot_floor(n, len(bases), args.per_host, args.delay),
                "uw_floor": urlwatch_floor(n, args.delay),
            }
            first = bot["first"]
            other = f"urlwatch {uw['first']['wall']:.2f} s wall" if uw else "urlwatch not run"
            print(f"  N={n}: bot {first['wall']:.2f} s wall, {first['cpu']:.2f} s CPU; {other}", file=sys.stderr)
    return results


def urlwatch_run_stats(control: str) -> dict[str, Any]:
    from bench.cycle import server_stats

    stats = server_stats(control)
    assert stats is not None
    return stats


def report_cycles(report: Report, args: argparse.Namespace, results: dict[int, dict[str, Any]]) -> None:
    report.emit(
        f"### One cycle, bot (per-host concurrency {args.per_host}, no spacing between requests, robots.txt obeyed, "
        + (
            f"pages parsed in {PARSE_WORKERS} worker processes as the daemon does)"
            if args.parsers == "workers"
            else "pages parsed on the event loop as `once` does)"
        )
    )
    report.emit()
    rows = []
    for n, r in results.items():
        bot, first, nxt = r["bot"], r["bot"]["first"], r["bot"]["next"]
        requests, in_flight = server_total(first["server"])
        next_requests, _ = server_total(nxt["server"])
        rows.append(
            [
                f"{n:,}",
                f"{requests:,}",
                f"{r['floor']:.2f}",
                f"{first['wall']:.2f}",
                f"{first['wall'] / r['floor']:.2f}×",
                f"{first['cpu']:.2f}",
                f"{first['cpu'] / n * 1000:.1f}",
                f"{nxt['wall']:.2f} ({next_requests:,} req)",
                f"{nxt['cpu']:.2f}",
                f"{r['proc']['peak_rss']:.0f}"
                + (f" + {bot['workers']['pss']:.0f}" if bot.get("workers", {}).get("pss") else ""),
                f"{in_flight}",
                f"{first['failed']}",
                f"{first['new']:,} / {first['articles']}",
            ]
        )
    report.table(
        [
            "N",
            "requests",
            "floor s",
            "wall s",
            "wall ÷ floor",
            "CPU s",
            "CPU ms/source",
            "next cycle wall s",
            "next CPU s",
            "peak RSS MB (+ parser processes, PSS)",
            "max in flight/host",
            "failed",
            "new headlines / articles read",
        ],
        rows,
    )
    report.emit("Fetching alone (the same URLs through the same `Fetcher`, nothing parsed), for comparison:")
    report.emit()
    rows = []
    for n, r in results.items():
        f = r["bot"]["fetch_only"]
        requests, _ = server_total(f["server"])
        rows.append(
            [
                f"{n:,}",
                f"{requests:,}",
                f"{r['floor']:.2f}",
                f"{f['wall']:.2f}",
                f"{f['wall'] / r['floor']:.2f}×",
                f"{f['cpu']:.2f}",
                f"{f['cpu'] / n * 1000:.1f}",
                str(f["failed"]),
            ]
        )
    report.table(["N", "requests", "floor s", "wall s", "wall ÷ floor", "CPU s", "CPU ms/source", "failed"], rows)
    if not any(r["urlwatch"] for r in results.values()):
        report.emit("urlwatch: not installed (`make bench` installs it), not compared.")
        report.emit()
        return
    report.emit("### Side by side with urlwatch: the same N URLs, first and second run")
    report.emit()
    rows = []
    for n, r in results.items():
        uw, proc, bot = r["urlwatch"], r["proc"], r["bot"]
        if uw is None:
            continue
        uw_requests, _ = server_total(uw["first"].get("server"))
        bot_process_cpu = proc["cpu"] + bot.get("workers_cpu", 0.0)  # wait4 does not see the parser processes
        bot_memory = proc["peak_rss"] + bot.get("workers", {}).get("pss", 0.0)
        rows.append(
            [
                f"{n:,}",
                f"{r['floor']:.2f} / {r['uw_floor']:.2f}",
                f"{bot['first']['wall']:.2f} / {uw['first']['wall']:.2f}",
                f"{bot['next']['wall']:.2f} / {uw['next']['wall']:.2f}",
                f"{bot_process_cpu:.2f} / {uw['first']['cpu'] + uw['next']['cpu']:.2f}",
                f"{bot_memory:.0f} / {uw['peak_rss']:.0f}",
                f"{uw_requests:,}",
            ]
        )
    report.table(
        [
            "N",
            "floor s bot / urlwatch",
            "1st wall s bot / urlwatch",
            "2nd wall s bot / urlwatch",
            "CPU s, both runs, bot / urlwatch",
            "peak MB bot (+ parser PSS) / urlwatch",
            "urlwatch requests (both runs)",
        ],
        rows,
    )
    rows = []
    for n, r in results.items():
        uw = r["urlwatch"]
        if uw is None or uw.get("filtered") is None:
            continue
        f = uw["filtered"]
        rows.append(
            [
                f"{n:,}",
                f"{f['first']['wall']:.2f}",
                f"{f['next']['wall']:.2f}",
                f"{f['first']['cpu'] + f['next']['cpu']:.2f}",
                f"{f['peak_rss']:.0f}",
            ]
        )
    if rows:
        report.emit(
            "urlwatch with the filters a user would add to watch headlines only (`css: h4.titles a`, `html2text`):"
        )
        report.emit()
        report.table(["N", "1st wall s", "2nd wall s", "CPU s, both runs", "peak RSS MB"], rows)
    report.emit(
        "The bot's walls are its cycles inside one process; its CPU and memory are the whole process "
        "(start-up, both cycles) and its parser processes (their CPU, and their memory as PSS at the end). "
        "urlwatch's are two whole processes. urlwatch runs 10 threads over "
        "all hosts at once (its floor: delay × ⌈N ÷ 10⌉); the bot runs per-host caps (its floor: "
        "delay × "
        f"(1 + ⌈N/hosts ÷ {args.per_host}⌉), robots.txt first)."
    )
    report.emit()


# -- 2. micro -------------------------------------------------------------------------------------


def run_micro(report: Report, args: argparse.Namespace) -> dict[str, Any]:
    quick = args.quick
    report.emit("### Listing pages parsed and classified (decode, `parse_listing`, `classify` per item)")
    report.emit()
    figures = micro.listing_figures(0.3 if quick else 1.5)
    report.emit(
        "Warm: the page parsed again, as a re-polled listing is (its links are in the URL caches). "
        "Cold: the caches emptied before each parse, as for a page seen for the first time."
    )
    report.emit()
    report.table(
        [
            "page",
            "what",
            "KB",
            "items",
            "CPU ms/page",
            "of which parse",
            "CPU ms per 100 KB (warm)",
            "CPU ms per 100 KB (cold)",
        ],
        [
            [
                f.name,
                f.kind,
                f"{f.kb:.0f}",
                str(f.items),
                f"{f.ms_per_page:.1f}",
                f"{f.parse_ms:.1f}",
                f"{f.ms_per_100kb:.1f}",
                f"{f.cold_ms_per_100kb:.1f}",
            ]
            for f in figures
        ],
    )
    count, rate = micro.titles_per_second(1 if quick else 3)
    report.emit(f"Titles classified per second (title only, {count:,} real headlines cycled): **{rate:,.0f}**")
    report.emit()
    report.emit("### State file (`StateStore.save` with fsync and .bak, `StateStore.load`), median of runs")
    report.emit()
    state = micro.state_figures(tuple(args.state_size_list), repeat=3 if quick else 5)
    report.table(
        ["seen entries", "file MB", "save wall s", "save CPU s", "load wall s", "load CPU s"],
        [
            [
                f"{n:,}",
                f"{s['size_mb']:.1f}",
                f"{s['save_wall']:.3f}",
                f"{s['save_cpu']:.3f}",
                f"{s['load_wall']:.3f}",
                f"{s['load_cpu']:.3f}",
            ]
            for n, s in state.items()
        ],
    )
    return {"listings": figures, "titles_per_second": rate, "state": state}


# -- 3. daemon memory -----------------------------------------------------------------------------


def run_daemon(report: Report, args: argparse.Namespace) -> list[dict[str, Any]]:
    n = min(args.daemon_sources, args.hosts)
    report.emit(
        f"### Daemon memory over {args.cycles:,} consecutive cycles ({n} sources on "
        f"{n} hosts, no delay, 2 new headlines per source per poll, every 37th relevant "
        "and posted through the dry-run sender; simulated 10 minutes between cycles, "
        "retention 1 day)"
    )
    report.emit()
    with loopback.servers(n, 1, 0.0, rolling=2, relevant_every=37) as info:
        urls = listing_urls(info["bases"], n)
        out, _ = child(["bench.daemon_memory", "--cycles", str(args.cycles), "--every", str(args.every), *urls])
    rows = [json.loads(line) for line in out.splitlines() if line.strip()]
    report.table(
        ["cycle", "RSS MB", "seen", "stories", "outbox", "posts", "state KB", "simulated days", "wall s", "CPU s"],
        [
            [
                f"{r['cycle']:,}",
                f"{r['rss_mb']:.1f}",
                f"{r['seen']:,}",
                str(r["stories"]),
                str(r["outbox"]),
                str(r["posts"]),
                str(r["state_kb"]),
                f"{r['simulated_days']:.1f}",
                f"{r['wall']:.1f}",
                f"{r['cpu']:.1f}",
            ]
            for r in rows
        ],
    )
    return rows


# -- targets --------------------------------------------------------------------------------------


def judge(
    report: Report,
    args: argparse.Namespace,
    cycles: dict[int, dict[str, Any]],
    micro_results: dict[str, Any] | None,
    daemon: list[dict[str, Any]] | None,
) -> None:
    rows: list[list[str]] = []

    def add(target: str, measured: str, held: bool | None) -> None:
        rows.append([target, measured, "n/a" if held is None else ("held" if held else "**missed**")])

    if 200 in cycles and args.hosts == 10 and args.delay == 0.2:
        r = cycles[200]
        ratio = r["bot"]["first"]["wall"] / r["floor"]
        add(
            f"200 sources, 10 hosts, 0.2 s: wall ≤ {TARGET_FLOOR_RATIO}× floor",
            f"{r['bot']['first']['wall']:.2f} s ÷ {r['floor']:.2f} s = {ratio:.2f}×",
            ratio <= TARGET_FLOOR_RATIO,
        )
    if micro_results:
        generated, *real = micro_results["listings"]
        worst = (
            f"worst real page {max(f.ms_per_100kb for f in real):.1f} ms"
            if real
            else "no real pages (../shared/fixtures/real not found)"
        )
        add(
            f"≤ {TARGET_MS_PER_100KB:g} ms CPU per 100 KB listing parsed and classified",
            f"{generated.ms_per_100kb:.1f} ms warm, {generated.cold_ms_per_100kb:.1f} ms cold (generated NDSoft "
            f"list); {worst} (warm)",
            all(f.ms_per_100kb <= TARGET_MS_PER_100KB for f in micro_results["listings"]),
        )
        if 100_000 in micro_results["state"]:
            save = micro_results["state"][100_000]["save_wall"]
            add(f"100,000-entry state saved in ≤ {TARGET_STATE_SAVE_S} s", f"{save:.3f} s", save <= TARGET_STATE_SAVE_S)
    if 1000 in cycles:
        peak = cycles[1000]["proc"]["peak_rss"]
        workers = cycles[1000]["bot"].get("workers", {}).get("pss", 0.0)
        measured = f"{peak + workers:.0f} MB" + (
            f" ({peak:.0f} MB the bot's process, {workers:.0f} MB PSS its parser processes)" if workers else ""
        )
        target = f"peak RSS ≤ {TARGET_PEAK_RSS_MB:.0f} MB at 1,000 sources, parser processes included"
        add(target, measured, peak + workers <= TARGET_PEAK_RSS_MB)
    if daemon and len(daemon) >= 3:
        settled = daemon[len(daemon) // 3]  # the state reached its steady size well before this point
        growth = daemon[-1]["rss_mb"] - settled["rss_mb"]
        add(
            f"flat daemon memory (≤ {TARGET_FLAT_MB:g} MB growth after the state settles)",
            f"{settled['rss_mb']:.1f} MB at cycle {settled['cycle']} → {daemon[-1]['rss_mb']:.1f} MB "
            "at cycle "
            f"{daemon[-1]['cycle']} ({growth:+.1f} MB)",
            growth <= TARGET_FLAT_MB,
        )
    if rows:
        report.emit("### Targets")
        report.emit()
        report.table(["target", "measured", ""], rows)


# -- main -----------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="sizes 50,200, 200 daemon cycles, shorter micro")
    parser.add_argument("--sizes", help="comma-separated source counts (default 50,200,1000)")
    parser.add_argument("--delay", type=float, default=0.2, help="server answer delay, seconds")
    parser.add_argument("--hosts", type=int, default=10)
    parser.add_argument("--per-host", type=int, default=4, help="the bot's per-host concurrency")
    parser.add_argument("--cycles", type=int, help="daemon memory cycles (default 1000, quick 200)")
    parser.add_argument("--every", type=int, help="report daemon memory every this many cycles")
    parser.add_argument("--daemon-sources", type=int, default=5, help="sources in the daemon memory run")
    parser.add_argument("--state-sizes", default="10000,100000", help="seen entries for the state figures")
    parser.add_argument(
        "--parsers",
        choices=("workers", "inline"),
        default="workers",
        help="the cycle's parsers: worker processes as the daemon (default), or the event loop as `once`",
    )
    parser.add_argument("--no-urlwatch", action="store_true")
    parser.add_argument("--no-micro", action="store_true")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "latest.md")
    args = parser.parse_args(argv)
    sizes = args.sizes or ("50,200" if args.quick else "50,200,1000")
    args.size_list = [int(s) for s in sizes.split(",") if s.strip()]
    args.state_size_list = [int(s) for s in args.state_sizes.split(",") if s.strip()]
    args.cycles = args.cycles or (200 if args.quick else 1000)
    args.every = args.every or max(1, args.cycles // 10)
    return args


def run(args: argparse.Namespace, command: str) -> dict[str, Any]:
    """Run every part, print the tables, write them to `args.out`; the raw figures are returned."""
    report = Report()
    started = time.perf_counter()
    report.emit(f"## gwangju-ai-watch benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    report.emit()
    report.emit(f"Command: `{command}`")
    report.emit()
    report.table(["machine", ""], [[k, v] for k, v in machine()])
    cycles = run_cycles(report, args, args.size_list)
    report_cycles(report, args, cycles)
    micro_results = None if args.no_micro else run_micro(report, args)
    daemon = run_daemon(report, args)
    judge(report, args, cycles, micro_results, daemon)
    report.emit(f"Benchmark run time: {time.perf_counter() - started:.0f} s")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(report.lines) + "\n", encoding="utf-8")
    print(f"written to {args.out}", file=sys.stderr)
    return {"cycles": cycles, "micro": micro_results, "daemon": daemon, "markdown": report.lines}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    run(parse_args(argv), " ".join(["python -m bench", *argv]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
