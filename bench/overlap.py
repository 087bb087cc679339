"""One cycle over many sources that list the same articles: each distinct article must be read once.

Run: python -m bench.overlap [--sources 200] [--hosts 10] [--shared 7] [--delay 0.2] [--repo DIR]

Loopback servers (bench.loopback, in their own process) serve `sources / hosts` section list pages per
host, politeness pauses off; every section of a host lists the same `shared` relevant articles on top
(a wire story run on every section), so a cycle meets sources × shared candidates that stand for
hosts × shared distinct articles. One fresh cycle of the real `Cycle` (parsers in worker processes, as
`once` and `run` use them; delivery not wired) is measured from a child process per repository
(`--repo` runs another checkout's code, e.g. an older commit, side by side); the servers count the
requests per article. The network floor is the time the same requests need at the per-host cap with
no work between them: one round for robots.txt, the list pages in rounds of `per_host`, then the
articles read (at most the per-cycle budget) in rounds of `per_host`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import loopback
from bench.cycle import server_stats

REPO = Path(__file__).resolve().parents[1]

CHILD = r"""
import asyncio, json, sys, tempfile, time
from pathlib import Path
from bot.config import Config, FetchConfig, SourceConfig, StateConfig
from bot.pipeline import Cycle
from bot.relevance import Detector
from bench.cycle import quiet_logging
from scrapers.fetch import Fetcher
from state.store import StateStore
urls, per_host = json.loads(Path(sys.argv[1]).read_text()), int(sys.argv[2])
quiet_logging()
async def main(folder):
    sources = tuple(SourceConfig(name=f"s{i:04d}", url=u) for i, u in enumerate(urls))
    fetch = FetchConfig(per_host_concurrency=per_host, min_host_delay_seconds=0.0, trust_env=False)
    config = Config(sources=sources, state=StateConfig(path=Path(folder) / "state.json"), fetch=fetch)
    try:  # the product's parsers where the checkout has them
        from bot.parsing import WorkerParsers
        parsers = WorkerParsers()
    except ImportError:
        parsers = None
    with StateStore(config.state.path) as store:
        state = store.load()
        async with Fetcher(config.fetch) as fetcher:
            kwargs = {"parsers": parsers} if parsers is not None else {}
            started = time.perf_counter()
            report = await Cycle(config, state, store, fetcher, Detector(), None, **kwargs).run()
            wall = time.perf_counter() - started
        if parsers is not None:
            await parsers.close()
    import bot
    print(json.dumps({"code": bot.__file__, "wall": wall, "new": report.new_items, "relevant": report.relevant,
                      "articles": report.articles_fetched, "posts": report.queued_posts,
                      "budget": config.fetch.max_articles_per_cycle}))
with tempfile.TemporaryDirectory() as folder:
    asyncio.run(main(folder))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.overlap", description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=200)
    parser.add_argument("--hosts", type=int, default=10)
    parser.add_argument("--shared", type=int, default=7, help="relevant articles each host lists on every section")
    parser.add_argument("--delay", type=float, default=0.2)
    parser.add_argument("--per-host", type=int, default=4)
    parser.add_argument("--repo", type=Path, action="append", help="checkouts to measure (default: this one)")
    parser.add_argument(
        "--python",
        default=sys.executable,
        help="interpreter for the measured cycles: one with the dependencies but without this project installed "
        "(an editable install would load this checkout whatever --repo says)",
    )
    args = parser.parse_args(argv)
    pages = math.ceil(args.sources / args.hosts)
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    with loopback.servers(
        args.hosts, pages, args.delay, shared=args.shared, env={**env, "PYTHONPATH": str(REPO)}
    ) as info:
        bases = info["bases"]
        # One outlet's sections side by side, as a catalogue lists them.
        urls = [f"{bases[i // pages]}/news/articleList.html?sc_section_code=S{i % pages}" for i in range(args.sources)]
        for repo in args.repo or [REPO]:
            measure(args, repo, urls, bases[0], pages, env)
    return 0


def measure(
    args: argparse.Namespace, repo: Path, urls: list[str], control: str, pages: int, env: dict[str, str]
) -> None:
    """One cycle of `repo`'s code over `urls` in a fresh interpreter; one JSON line of what the servers saw."""
    neutral = tempfile.mkdtemp(prefix="bench-overlap-")  # no package of ours in the child's first path entry
    server_stats(control)  # read and reset: this repo's cycle starts from zero
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as listed:
        json.dump(urls, listed)
    child = subprocess.run(
        [args.python, "-c", CHILD, listed.name, str(args.per_host)],
        cwd=neutral, env={**env, "PYTHONPATH": f"{repo}:{REPO}"}, capture_output=True, text=True,
    )  # fmt: skip
    os.unlink(listed.name)
    if child.returncode != 0:
        print(f"{repo}: the cycle failed:\n{child.stderr[-2000:]}", file=sys.stderr)
        return
    result = json.loads(child.stdout.strip().splitlines()[-1])
    if not result["code"].startswith(str(repo)):
        print(f"{repo}: the interpreter loaded {result['code']} instead; see --python", file=sys.stderr)
        return
    stats = server_stats(control)
    assert stats is not None
    hosts = stats["hosts"]
    assert isinstance(hosts, list)
    read = sum(h["requests"].get("article", 0) for h in hosts)
    distinct = sum(h["distinct_articles"] for h in hosts)
    worst = max(h["most_requests_of_one_article"] for h in hosts)
    per_host_articles = math.ceil(min(args.hosts * args.shared, result["budget"]) / args.hosts)
    rounds = 1 + math.ceil(pages / args.per_host) + math.ceil(per_host_articles / args.per_host)
    floor = rounds * args.delay
    print(json.dumps({
        "repo": str(repo), "sources": args.sources, "hosts": args.hosts,
        "candidates": args.sources * args.shared, "distinct_articles_listed": args.hosts * args.shared,
        "article_requests": read, "distinct_articles_read": distinct, "most_requests_of_one_article": worst,
        "wall": round(result["wall"], 2), "network_floor": round(floor, 2),
        "times_floor": round(result["wall"] / floor, 2) if floor else None, "posts_queued": result["posts"],
    }))  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
