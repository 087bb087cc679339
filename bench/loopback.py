"""Loopback news servers for the benchmarks, run as their own process so their CPU is not the bot's.

Run: python -m bench.loopback --hosts 10 --pages 100 --delay 0.2 [--rolling 2] [--relevant-every 0]
Prints one JSON line when ready: {"bases": ["http://127.0.0.2:PORT", ...], "loopback": "addresses"|"ports"}.
Each base is one host (one loopback address, or one port on 127.0.0.1 where extra addresses cannot be
bound). Every host answers, after `delay` seconds each:

- ``/robots.txt``: allows everything;
- ``/news/articleList.html?sc_section_code=S<j>`` for j < pages: a ~100 KB NDSoft-style article list
  (gzip when the client accepts it, as news sites do). Static by default; with ``--rolling K`` each
  request of a list shows K articles more than the one before (new articles on top);
- ``/news/articleView.html?idxno=<id>``: that article.

Control (never delayed, never counted): ``/__bench/stats`` (JSON: requests per kind, most in flight at
once), ``/__bench/reset``, ``/__bench/delay?s=0.2``. A small asyncio HTTP/1.1 server with keep-alive,
so thousands of waiting requests cost the server nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import gzip
import json
import socket
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bench import pages

REPO = Path(__file__).resolve().parents[1]
ROBOTS = b"User-agent: *\nAllow: /\n"
ARTICLES_PER_PAGE_SPAN = 1_000_000  # article ids of one listing live in their own range


@dataclass
class HostStats:
    requests: dict[str, int] = field(default_factory=dict)
    articles: dict[str, int] = field(default_factory=dict)  # article path -> requests
    in_flight: int = 0
    max_in_flight: int = 0
    bytes_sent: int = 0

    def as_json(self) -> dict[str, object]:
        return {
            "requests": dict(self.requests),
            "total": sum(self.requests.values()),
            "distinct_articles": len(self.articles),
            "most_requests_of_one_article": max(self.articles.values(), default=0),
            "max_in_flight": self.max_in_flight,
            "bytes_sent": self.bytes_sent,
        }


class Site:
    """What one host serves, and what it saw."""

    def __init__(self, index: int, server: Servers) -> None:
        self.index = index
        self.server = server
        self.stats = HostStats()
        self.polls: dict[int, int] = {}  # listing page -> times served (rolling mode)

    def newest_id(self, page: int) -> int:
        base = (self.index * 1000 + page + 1) * ARTICLES_PER_PAGE_SPAN
        return base + pages.ITEMS_PER_PAGE + self.polls.get(page, 0) * self.server.rolling

    def route(self, target: str) -> tuple[str, int, bytes, str, bool]:
        """(kind, status, body, content type, may be gzipped) for a path."""
        parts = urlsplit(target)
        query = parse_qs(parts.query)
        if parts.path == "/robots.txt":
            return "robots", 200, ROBOTS, "text/plain", False
        if parts.path == "/news/articleList.html":
            code = query.get("sc_section_code", ["S-1"])[0]
            page = int(code[1:]) if code[1:].isdigit() else -1
            if 0 <= page < self.server.pages:
                return "listing", 200, self.server.listing(self, page), "text/html; charset=utf-8", True
        if parts.path == "/news/articleView.html" and query.get("idxno", [""])[0].isdigit():
            body = pages.article_page(int(query["idxno"][0]), relevant_every=self.server.relevant_every)
            return "article", 200, body, "text/html; charset=utf-8", False
        return "other", 404, b"not found", "text/plain", False


class Servers:
    def __init__(
        self, hosts: int, pages_per_host: int, delay: float, rolling: int, relevant_every: int, shared: int = 0
    ) -> None:
        self.pages = pages_per_host
        self.delay = delay
        self.rolling = rolling
        self.relevant_every = relevant_every
        self.shared = shared
        self.sites = [Site(i, self) for i in range(hosts)]
        self._static: dict[tuple[int, int], bytes] = {}
        if not rolling:  # build every page up front, so serving costs nothing during a run
            for site in self.sites:
                for page in range(pages_per_host):
                    self._static[(site.index, page)] = gzip.compress(
                        pages.listing_page(
                            site.index, page, site.newest_id(page), relevant_every=relevant_every, shared=shared
                        ),
                        compresslevel=6,
                        mtime=0,
                    )

    def listing(self, site: Site, page: int) -> bytes:
        cached = self._static.get((site.index, page))
        if cached is not None:
            return cached
        body = pages.listing_page(
            site.index, page, site.newest_id(page), relevant_every=self.relevant_every, shared=self.shared
        )
        site.polls[page] = site.polls.get(page, 0) + 1
        return gzip.compress(body, compresslevel=1, mtime=0)

    def control(self, target: str) -> bytes:
        parts = urlsplit(target)
        if parts.path == "/__bench/reset":
            for site in self.sites:
                site.stats = HostStats()
        elif parts.path == "/__bench/delay":
            self.delay = float(parse_qs(parts.query)["s"][0])
        return json.dumps({"delay": self.delay, "hosts": [s.stats.as_json() for s in self.sites]}).encode()

    async def handle(self, site: Site, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                fields = (ln.partition(":") for ln in lines[1:] if ln)
                headers = {k.strip().lower(): v.strip() for k, _, v in fields}
                if int(headers.get("content-length", "0") or 0):
                    await reader.readexactly(int(headers["content-length"]))
                keep_alive = headers.get("connection", "").lower() != "close"
                extra = ""
                if target.startswith("/__bench/"):
                    status, body, ctype = 200, self.control(target), "application/json"
                else:
                    stats = site.stats
                    stats.in_flight += 1
                    stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
                    try:
                        kind, status, body, ctype, gzipped = site.route(target)
                        stats.requests[kind] = stats.requests.get(kind, 0) + 1
                        if kind == "article":
                            stats.articles[target] = stats.articles.get(target, 0) + 1
                        if gzipped:
                            if "gzip" in headers.get("accept-encoding", ""):
                                extra = "Content-Encoding: gzip\r\n"
                            else:
                                body = gzip.decompress(body)
                        if self.delay:
                            await asyncio.sleep(self.delay)
                    finally:
                        stats.in_flight -= 1
                    stats.bytes_sent += len(body)
                reply = (
                    f"HTTP/1.1 {status} {'OK' if status == 200 else 'Not Found'}\r\n"
                    f"Content-Type: {ctype}\r\nContent-Length: {len(body)}\r\n{extra}"
                    f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n\r\n"
                ).encode()
                writer.write(reply if method == "HEAD" else reply + body)
                await writer.drain()
                if not keep_alive:
                    break
        writer.close()


def loopback_hosts(count: int) -> tuple[list[str], str]:
    """127.0.0.2 … 127.0.0.(count+1) when they can be bound, else `count` times 127.0.0.1."""
    addresses = [f"127.0.0.{i}" for i in range(2, count + 2)]
    try:
        for address in addresses:
            with socket.socket() as probe:
                probe.bind((address, 0))
    except OSError:
        return ["127.0.0.1"] * count, "ports"
    return addresses, "addresses"


async def serve(args: argparse.Namespace) -> None:
    servers = Servers(args.hosts, args.pages, args.delay, args.rolling, args.relevant_every, args.shared)
    addresses, mode = loopback_hosts(args.hosts)
    bases = []
    running = []
    for site, address in zip(servers.sites, addresses, strict=True):
        server = await asyncio.start_server(
            functools.partial(servers.handle, site), address, 0, backlog=4096, limit=1 << 16
        )
        port = server.sockets[0].getsockname()[1]
        bases.append(f"http://{address}:{port}")
        running.append(server)
    print(json.dumps({"bases": bases, "loopback": mode}), flush=True)
    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    loop.add_reader(sys.stdin.fileno(), done.set)  # the parent closes our stdin (or dies): stop
    await done.wait()
    for server in running:
        server.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="loopback news servers for the benchmarks")
    parser.add_argument("--hosts", type=int, default=10)
    parser.add_argument("--pages", type=int, default=100, help="listing pages per host")
    parser.add_argument("--delay", type=float, default=0.2, help="seconds before each answer")
    parser.add_argument("--rolling", type=int, default=0, help="new articles per request of a listing")
    parser.add_argument("--relevant-every", type=int, default=0, help="every n-th article id is relevant")
    parser.add_argument("--shared", type=int, default=0, help="relevant articles every section of a host lists")
    asyncio.run(serve(parser.parse_args(argv)))
    return 0


@contextmanager
def servers(
    hosts: int,
    pages: int,
    delay: float,
    rolling: int = 0,
    relevant_every: int = 0,
    shared: int = 0,
    env: Mapping[str, str] | None = None,
) -> Iterator[dict[str, Any]]:
    """Start these servers in their own process; yield its {"bases", "loopback"}; stop it after."""
    command = [
        sys.executable, "-m", "bench.loopback",
        *("--hosts", str(hosts), "--pages", str(pages), "--delay", str(delay)),
        *("--rolling", str(rolling), "--relevant-every", str(relevant_every), "--shared", str(shared)),
    ]  # fmt: skip
    proc = subprocess.Popen(
        command,
        cwd=REPO,
        env=None if env is None else dict(env),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("the loopback servers did not start")
        yield json.loads(line)
    finally:
        if proc.stdin:
            proc.stdin.close()  # tells the servers to stop
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout:
            proc.stdout.close()


if __name__ == "__main__":
    raise SystemExit(main())
