"""Google News link resolution: our resolver beside googlenewsdecoder, against the loopback fake.

    python -m bench.gnews_compare [--tokens 50] [--delay 0.2]

googlenewsdecoder (PyPI) is not a dependency of the project; install it in a scratch venv and run
this module with that venv's Python from the repository root (our code is imported from here):

    python3 -m venv /tmp/gnd && /tmp/gnd/bin/pip install googlenewsdecoder
    /tmp/gnd/bin/python -m bench.gnews_compare

Without it, only our resolver is measured. The fake (`tests.servers.google_news`) answers after
`--delay` seconds. googlenewsdecoder calls `https://news.google.com` by name; its httpx client is
replaced by one whose transport rewrites that origin to the fake (same library, same redirects and
timeouts; HTTP/2 is not negotiated on plain-HTTP loopback either way). Each run reports the requests
the fake counted, the wall time, and how many links came back right.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from bot.config import FetchConfig
from scrapers.fetch import Fetcher
from scrapers.gnews import GoogleNewsResolver
from tests.servers.google_news import GoogleNewsFake


@dataclass
class Run:
    name: str
    seconds: float
    pages: int
    posts: int
    other: int
    correct: int
    total: int


def _count(fake: GoogleNewsFake) -> tuple[int, int, int]:
    pages = fake.count("GET", "/rss/articles/") + fake.count("GET", "/articles/")
    posts = fake.count("POST")
    return pages, posts, len(fake.requests) - pages - posts


def _measure(name: str, fake: GoogleNewsFake, expected: dict[str, str], work: Callable[[], dict[str, str]]) -> Run:
    fake.requests.clear()
    started = time.perf_counter()
    got = work()
    seconds = time.perf_counter() - started
    pages, posts, other = _count(fake)
    correct = sum(1 for link, url in expected.items() if got.get(link) == url)
    return Run(name, seconds, pages, posts, other, correct, len(expected))


def _ours(fake: GoogleNewsFake, links: list[str], **fetch: Any) -> dict[str, str]:
    async def go() -> dict[str, str]:
        values: dict[str, Any] = {"trust_env": False, "timeout_seconds": 10.0, **fetch}
        async with Fetcher(FetchConfig(**values)) as fetcher:
            resolver = GoogleNewsResolver(fetcher, {}, base_url=fake.base_url)
            return await resolver.resolve(links)

    return asyncio.run(go())


class _Rewrite(httpx.BaseTransport):
    def __init__(self, base: httpx.URL) -> None:
        self.base = base
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "news.google.com":
            request.url = request.url.copy_with(scheme=self.base.scheme, host=self.base.host, port=self.base.port)
        return self.inner.handle_request(request)


class _AsyncRewrite(httpx.AsyncBaseTransport):
    def __init__(self, base: httpx.URL) -> None:
        self.base = base
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "news.google.com":
            request.url = request.url.copy_with(scheme=self.base.scheme, host=self.base.host, port=self.base.port)
        return await self.inner.handle_async_request(request)


def _decoded(links: list[str], results: list[dict[str, Any]]) -> dict[str, str]:
    return {link: r["decoded_url"] for link, r in zip(links, results, strict=True) if r.get("success")}


def _theirs_list(fake: GoogleNewsFake, links: list[str]) -> dict[str, str]:
    from googlenewsdecoder import GoogleDecoder

    with GoogleDecoder() as decoder:
        decoder.client.close()
        decoder.client = httpx.Client(transport=_Rewrite(httpx.URL(fake.base_url)), follow_redirects=True, timeout=10)
        return _decoded(links, decoder.decode_google_news_urls(links))


def _theirs_one_by_one(fake: GoogleNewsFake, links: list[str]) -> dict[str, str]:
    from googlenewsdecoder import GoogleDecoder

    with GoogleDecoder() as decoder:
        decoder.client.close()
        decoder.client = httpx.Client(transport=_Rewrite(httpx.URL(fake.base_url)), follow_redirects=True, timeout=10)
        return _decoded(links, [decoder.decode_google_news_url(link) for link in links])


def _theirs_async(fake: GoogleNewsFake, links: list[str]) -> dict[str, str]:
    from googlenewsdecoder import GoogleDecoderAsync

    async def go() -> dict[str, str]:
        async with GoogleDecoderAsync() as decoder:
            await decoder.client.aclose()
            decoder.client = httpx.AsyncClient(
                transport=_AsyncRewrite(httpx.URL(fake.base_url)), follow_redirects=True, timeout=10
            )
            return _decoded(links, await decoder.decode_google_news_urls(links, concurrency=8))

    return asyncio.run(go())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.gnews_compare", description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokens", type=int, default=50)
    parser.add_argument("--delay", type=float, default=0.2, help="seconds the fake waits before each answer")
    args = parser.parse_args(argv)
    runs: list[Run] = []
    with GoogleNewsFake(delay=args.delay) as fake:
        expected = {fake.publish(f"https://www.outlet{i % 7}.example/news/{i}"): "" for i in range(args.tokens)}
        expected = {link: fake.articles[link.split("/")[-1].split("?")[0]] for link in expected}
        links = list(expected)
        runs.append(
            _measure(
                "ours, politeness off (2 per host, no spacing)",
                fake,
                expected,
                lambda: _ours(fake, links, min_host_delay_seconds=0.0, per_host_concurrency=2),
            )
        )
        runs.append(
            _measure(
                "ours, 8 per host, no spacing",
                fake,
                expected,
                lambda: _ours(fake, links, min_host_delay_seconds=0.0, per_host_concurrency=8),
            )
        )
        runs.append(
            _measure("ours, default politeness (2 per host, 1 s apart)", fake, expected, lambda: _ours(fake, links))
        )
        if importlib.util.find_spec("googlenewsdecoder") is not None:
            from importlib.metadata import version

            v = version("googlenewsdecoder")
            runs.append(
                _measure(
                    f"googlenewsdecoder {v}, list (pages in turn, one POST)",
                    fake,
                    expected,
                    lambda: _theirs_list(fake, links),
                )
            )
            runs.append(
                _measure(
                    f"googlenewsdecoder {v}, async list (8 pages at once, one POST)",
                    fake,
                    expected,
                    lambda: _theirs_async(fake, links),
                )
            )
            runs.append(
                _measure(
                    f"googlenewsdecoder {v}, one URL per call",
                    fake,
                    expected,
                    lambda: _theirs_one_by_one(fake, links),
                )
            )
        else:
            print("googlenewsdecoder is not installed here: only our resolver is measured (see the docstring)")
    print(f"{args.tokens} Google News links, fake answering after {args.delay:g} s\n")
    print("| resolver | seconds | article pages | batchexecute calls | other requests | resolved right |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for run in runs:
        print(
            f"| {run.name} | {run.seconds:.2f} | {run.pages} | {run.posts} | {run.other} | {run.correct}/{run.total} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
