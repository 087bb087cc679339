"""The only module that talks to news sites: one shared httpx.AsyncClient, polite and bounded."""

from __future__ import annotations

from dataclasses import dataclass


class FetchError(Exception):
    """A fetch failed. `kind` is one of: dns, connect, timeout, http, too_large, redirects, robots,
    not_text, network. `str(error)` is a plain-language sentence an operator understands."""

    def __init__(self, kind: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status


@dataclass(frozen=True, slots=True)
class FetchResult:
    url: str  # final URL after redirects
    status: int
    body: bytes
    text: str  # decoded with scrapers.decode (empty when not_modified)
    content_type: str | None
    etag: str | None
    last_modified: str | None
    not_modified: bool
    elapsed: float  # seconds


class Fetcher:
    """Shared client: per-host concurrency cap and minimum delay, timeouts, size cap, redirects,
    honest User-Agent, robots.txt, Retry-After, conditional requests. Use `async with Fetcher(...)`.
    """

    def __init__(self, config: object) -> None:  # bot.config.FetchConfig
        raise NotImplementedError

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        encoding: str | None = None,
    ) -> FetchResult:
        raise NotImplementedError

    async def aclose(self) -> None:
        raise NotImplementedError
