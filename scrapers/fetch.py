"""The only module that talks to news sites: one shared httpx.AsyncClient, polite and bounded.

Politeness, per host: at most `per_host_concurrency` requests in flight, at least
`min_host_delay_seconds` (or the site's robots.txt `Crawl-delay`, up to a minute) between the starts
of two requests, robots.txt obeyed, and after a 429/503 with `Retry-After` no request until that
time has passed (a 429 without it: a minute). Across hosts requests run concurrently up to a global
cap. How soon to retry a failing source is the pipeline's decision, not this module's.

Bounds: every exchange (one redirect hop) must finish within `timeout_seconds`, bodies are streamed
and decompressed in small pieces and reading stops past `max_bytes`, so neither a 50 MB page nor a
gzip bomb is ever held in memory. Redirects are followed here, hop by hop, so each hop passes the
same robots and politeness checks.

Errors: every failure is a `FetchError` whose `kind` a program can branch on and whose text an
operator can read. URLs are logged at DEBUG only; extra request headers (API keys) never are.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
import zlib
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from types import TracebackType
from typing import Protocol

import httpx

from scrapers.decode import decode
from scrapers.models import FetchErrorKind, FetchResult
from scrapers.robots import RobotsRules

try:
    import brotli
except ImportError:  # pragma: no cover - httpx[brotli] is a dependency
    brotli = None

log = logging.getLogger(__name__)

ROBOTS_TOKEN = "gwangju-ai-watch"  # the product token robots.txt files address us by
GLOBAL_CONCURRENCY = 64  # requests in flight across all hosts (the per-host cap is what is polite)
ROBOTS_TTL = 6 * 3600.0  # a robots.txt that was read (or is absent) is asked for again after this
ROBOTS_RETRY_TTL = 10 * 60.0  # robots.txt unavailable (5xx, timeout): allow for now, ask again soon
ROBOTS_MAX_BYTES = 512_000  # RFC 9309 asks crawlers to read at least 500 KiB
ROBOTS_MAX_REDIRECTS = 5  # RFC 9309: follow at least five
MAX_RETRY_AFTER = 24 * 3600.0  # a Retry-After further away than this is read as this
DEFAULT_429_WAIT = 60.0  # a 429 without Retry-After still means "slow down"
MAX_REMEMBERED_HOSTS = 2000  # past this, idle hosts and stale robots.txt entries are forgotten
MAX_CRAWL_DELAY = 60.0
_PIECE = 64 * 1024  # most bytes one decompression step may produce
_SNIFF_BYTES = 1024
_REDIRECTS = {301, 302, 303, 307, 308}
_BROTLI_BOUNDED = brotli is not None and hasattr(brotli.Decompressor(), "can_accept_more_data")
ACCEPT_ENCODING = "gzip, deflate, br" if _BROTLI_BOUNDED else "gzip, deflate"
_DECOMPRESS_ERRORS: tuple[type[Exception], ...] = (zlib.error,) + ((brotli.error,) if brotli else ())
_ACCEPT = "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,application/xml;q=0.9,*/*;q=0.8"


DEFAULT_USER_AGENT = "gwangju-ai-watch/0.1 (+https://github.com/gwangju-ai-watch/gwangju-ai-watch)"


@dataclass(frozen=True, slots=True)
class FetchConfig:
    """`[fetch]` of the config: how the bot fetches. `metadata` holds the range the loader checks."""

    user_agent: str = DEFAULT_USER_AGENT
    contact_url: str | None = None  # appended to the User-Agent
    timeout_seconds: float = field(default=20.0, metadata={"min": 0.1, "max": 600})
    max_bytes: int = field(default=8_000_000, metadata={"min": 10_000})
    max_redirects: int = field(default=8, metadata={"min": 0, "max": 30})
    per_host_concurrency: int = field(default=2, metadata={"min": 1, "max": 16})
    min_host_delay_seconds: float = field(default=1.0, metadata={"min": 0, "max": 600})
    respect_robots: bool = True
    max_articles_per_cycle: int = field(default=60, metadata={"min": 1})
    parse_timeout_seconds: float = field(default=20.0, metadata={"min": 0.01, "max": 600})  # per page
    google_news_url: str = field(default="https://news.google.com", metadata={"url": True})  # resolves its links
    trust_env: bool = True  # honour HTTP(S)_PROXY from the environment


class FetchError(Exception):
    """A fetch failed; `kind` (a `FetchErrorKind`) is what a program branches on, and `str(error)` a
    plain-language sentence an operator understands."""

    def __init__(
        self,
        kind: FetchErrorKind | str,
        message: str,
        status: int | None = None,
        *,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = FetchErrorKind(kind)
        self.status = status
        self.retry_after = retry_after


@dataclass
class _Host:
    """What we remember about one host (name plus any explicit port)."""

    slots: asyncio.Semaphore
    spacing: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_start: float = 0.0  # monotonic time before which no request may start
    blocked_until: float = 0.0  # monotonic time set by Retry-After
    users: int = 0  # requests waiting for or holding a slot


@dataclass
class _Robots:
    rules: RobotsRules
    expires: float  # monotonic
    crawl_delay: float = 0.0


@dataclass(frozen=True, slots=True)
class _Answer:
    """One exchange: a final answer, or `location` to go to next."""

    url: httpx.URL
    status: int
    headers: httpx.Headers
    body: bytes
    elapsed: float
    location: httpx.URL | None = None


class Fetcher:
    """Shared client: per-host concurrency cap and minimum delay, timeouts, size cap, redirects,
    honest User-Agent, robots.txt, Retry-After, conditional requests. Use `async with Fetcher(...)`.

    `transport` replaces httpx's network transport (rarely needed; tests use real loopback servers).
    """

    def __init__(
        self,
        config: FetchConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        max_connections: int = GLOBAL_CONCURRENCY,
        http2: bool = False,
        robots_token: str = ROBOTS_TOKEN,
        max_hosts: int = MAX_REMEMBERED_HOSTS,
    ) -> None:
        self.config = config
        self.max_hosts = max_hosts
        self.robots_token = robots_token
        self.user_agent = user_agent_header(config)
        self._client = httpx.AsyncClient(
            headers={
                "User-Agent": self.user_agent,
                "Accept": _ACCEPT,
                "Accept-Language": "ko-KR,ko;q=0.9,en;q=0.5",
                "Accept-Encoding": ACCEPT_ENCODING,
            },
            timeout=httpx.Timeout(config.timeout_seconds),
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
            follow_redirects=False,
            http2=http2,
            trust_env=config.trust_env,
            transport=transport,
        )
        self._global = asyncio.Semaphore(max_connections)
        self._hosts: dict[str, _Host] = {}
        self._robots: dict[str, _Robots] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        encoding: str | None = None,
        headers: Mapping[str, str] | None = None,
        robots: bool = True,
    ) -> FetchResult:
        """GET `url`, following redirects. Sends If-None-Match / If-Modified-Since when given;
        a 304 comes back as `not_modified=True`. `encoding` overrides charset detection.

        `headers` are extra request headers (API keys, say): sent only to the origin of `url`, never
        logged, dropped when a redirect leads elsewhere. `robots=False` skips robots.txt for this
        call, for API endpoints called with keys, which robots.txt does not govern.
        Raises FetchError for every failure."""
        current = _parse_url(url)
        origin = _origin(current)
        extra = dict(headers or {})
        conditional: dict[str, str] = {}
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        visited = [current]
        elapsed = 0.0
        while True:
            if robots and self.config.respect_robots and not await self._robots_allow(current):
                raise FetchError("robots", "robots.txt of the site disallows this URL for our User-Agent")
            sent = {**extra, **conditional} if _origin(current) == origin else conditional
            answer = await self._exchange(current, sent, self.config.max_bytes, want_text=True)
            elapsed += answer.elapsed
            if answer.location is None:
                break
            if len(visited) > self.config.max_redirects:
                raise FetchError("redirects", _redirect_message(visited, answer.location))
            current = answer.location
            visited.append(current)

        content_type = answer.headers.get("content-type")
        not_modified = answer.status == 304
        log.debug("fetched %s: %s, %d bytes, %.2f s", answer.url, answer.status, len(answer.body), elapsed)
        return FetchResult(
            url=str(answer.url),
            status=answer.status,
            body=answer.body,
            text="" if not_modified else decode(answer.body, content_type, override=encoding),
            content_type=content_type,
            etag=answer.headers.get("etag") or (etag if not_modified else None),
            last_modified=answer.headers.get("last-modified") or (last_modified if not_modified else None),
            not_modified=not_modified,
            elapsed=elapsed,
        )

    async def post(
        self,
        url: str,
        content: bytes,
        *,
        content_type: str = "application/x-www-form-urlencoded;charset=UTF-8",
        headers: Mapping[str, str] | None = None,
        robots: bool = True,
        max_bytes: int | None = None,
    ) -> FetchResult:
        """POST `content` to `url` under the same rules as `fetch`: robots.txt (unless `robots=False`),
        the host's slots, spacing and Retry-After pauses, the timeout, and the size cap (`max_bytes`
        may lower it, never raise it). For APIs that answer a form (Google's batchexecute).

        A redirect is not followed (it would turn the POST into a GET somewhere else): it is a
        `FetchError` of kind "redirects". Raises FetchError for every failure, as `fetch` does."""
        current = _parse_url(url)
        if robots and self.config.respect_robots and not await self._robots_allow(current):
            raise FetchError("robots", "robots.txt of the site disallows this URL for our User-Agent")
        cap = self.config.max_bytes if max_bytes is None else min(max_bytes, self.config.max_bytes)
        sent = {**(headers or {}), "Content-Type": content_type}
        answer = await self._exchange(current, sent, cap, want_text=True, method="POST", content=content)
        if answer.location is not None:
            raise FetchError(
                "redirects", f"the server answered the POST with a redirect to {answer.location}", answer.status
            )
        content_type_in = answer.headers.get("content-type")
        log.debug("posted to %s: %s, %d bytes, %.2f s", answer.url, answer.status, len(answer.body), answer.elapsed)
        return FetchResult(
            url=str(answer.url),
            status=answer.status,
            body=answer.body,
            text=decode(answer.body, content_type_in),
            content_type=content_type_in,
            etag=answer.headers.get("etag"),
            last_modified=answer.headers.get("last-modified"),
            not_modified=False,
            elapsed=answer.elapsed,
        )

    # -- one exchange -------------------------------------------------------------------------------

    async def _exchange(
        self,
        url: httpx.URL,
        headers: dict[str, str],
        max_bytes: int,
        *,
        want_text: bool,
        method: str = "GET",
        content: bytes | None = None,
    ) -> _Answer:
        """One request under the host's politeness rules; the body read within the size cap."""
        host = self._host(url)
        async with self._turn(url, host):
            request = self._client.build_request(method, url, headers=headers, content=content)
            started = time.monotonic()
            try:
                async with asyncio.timeout(self.config.timeout_seconds):
                    response = await self._client.send(request, stream=True)
                    try:
                        answer = await self._answer(url, response, host, max_bytes, want_text, started)
                    finally:
                        await response.aclose()
            except TimeoutError as exc:
                raise FetchError(
                    "timeout", f"the page did not arrive within {self.config.timeout_seconds:g} s"
                ) from exc
            except httpx.TimeoutException as exc:
                raise FetchError(
                    "timeout", f"the site did not answer within {self.config.timeout_seconds:g} s"
                ) from exc
            except httpx.ConnectError as exc:
                if _caused_by(exc, socket.gaierror):
                    raise FetchError("dns", f"the host name could not be resolved ({url.host})") from exc
                raise FetchError(
                    "connect", f"the server {_authority(url)} refused the connection or could not be reached"
                ) from exc
            except httpx.HTTPError as exc:
                raise FetchError("network", f"the connection broke off: {exc or type(exc).__name__}") from exc
        return answer

    async def _answer(
        self,
        url: httpx.URL,
        response: httpx.Response,
        host: _Host,
        max_bytes: int,
        want_text: bool,
        started: float,
    ) -> _Answer:
        status = response.status_code
        if status in _REDIRECTS and "location" in response.headers:
            try:
                location = url.join(response.headers["location"].strip())
            except httpx.InvalidURL as exc:
                raise FetchError("redirects", "the site redirected to an address that is not valid") from exc
            if location.scheme not in ("http", "https"):
                raise FetchError("redirects", f"the site redirected to an address we do not fetch: {location}")
            return _Answer(url, status, response.headers, b"", time.monotonic() - started, location)
        if status == 304:
            return _Answer(url, status, response.headers, b"", time.monotonic() - started)
        if not 200 <= status < 300:
            raise self._status_error(url, response, host)
        body = await _read_body(response, max_bytes, want_text)
        return _Answer(url, status, response.headers, body, time.monotonic() - started)

    def _status_error(self, url: httpx.URL, response: httpx.Response, host: _Host) -> FetchError:
        status = response.status_code
        phrase = response.reason_phrase or _phrase(status)
        retry_after = None
        if status in (429, 503):
            retry_after = _retry_after(response.headers.get("retry-after"))
        if status == 429 and retry_after is None:
            retry_after = DEFAULT_429_WAIT
        if retry_after:
            host.blocked_until = max(host.blocked_until, time.monotonic() + retry_after)
            log.info("%s asked us to wait %.0f s (HTTP %d)", _authority(url), retry_after, status)
            return FetchError(
                "http",
                f"the server answered {status} {phrase} and asked us to wait {retry_after:.0f} s",
                status,
                retry_after=retry_after,
            )
        return FetchError("http", f"the server answered {status} {phrase}".rstrip(), status)

    # -- politeness ---------------------------------------------------------------------------------

    def _host(self, url: httpx.URL) -> _Host:
        key = _authority(url)
        host = self._hosts.get(key)
        if host is None:
            if len(self._hosts) >= self.max_hosts:
                self._forget_idle()
            host = self._hosts[key] = _Host(asyncio.Semaphore(max(1, self.config.per_host_concurrency)))
        return host

    def _forget_idle(self) -> None:
        """A daemon meets many hosts through aggregators' links over months: drop what no longer
        matters (no request in flight, no pause pending, robots.txt entry expired)."""
        now = time.monotonic()
        for key, host in list(self._hosts.items()):
            if host.users == 0 and host.next_start <= now and host.blocked_until <= now:
                del self._hosts[key]
        for origin, robots in list(self._robots.items()):
            lock = self._robots_locks.get(origin)
            if robots.expires <= now and not (lock and lock.locked()):
                del self._robots[origin]
                self._robots_locks.pop(origin, None)

    @asynccontextmanager
    async def _turn(self, url: httpx.URL, host: _Host) -> AsyncIterator[None]:
        """Wait for a free slot at the host, the host's spacing, then a global slot."""
        _refuse_if_blocked(url, host)
        robots = self._robots.get(_origin(url))
        gap = max(self.config.min_host_delay_seconds, robots.crawl_delay if robots else 0.0)
        host.users += 1
        try:
            async with host.slots:
                async with host.spacing:
                    wait = host.next_start - time.monotonic()
                    if wait > 0:
                        await asyncio.sleep(wait)
                    host.next_start = time.monotonic() + gap
                _refuse_if_blocked(url, host)
                async with self._global:
                    yield
        finally:
            host.users -= 1

    async def _robots_allow(self, url: httpx.URL) -> bool:
        origin = _origin(url)
        robots = self._robots.get(origin)
        if robots is None or robots.expires <= time.monotonic():
            lock = self._robots_locks.setdefault(origin, asyncio.Lock())
            async with lock:
                robots = self._robots.get(origin)
                if robots is None or robots.expires <= time.monotonic():
                    robots = self._robots[origin] = await self._read_robots(
                        url.copy_with(path="/robots.txt", query=None, fragment=None)
                    )
        target = url.raw_path.decode("ascii", "replace")
        return robots.rules.allows(target, self.robots_token)

    async def _read_robots(self, robots_url: httpx.URL) -> _Robots:
        """Fetch and parse robots.txt. Absent (4xx) allows all for a long while; unavailable (5xx,
        timeout, broken connection) allows all for now and is asked for again soon."""
        now = time.monotonic()
        current = robots_url
        try:
            for _ in range(ROBOTS_MAX_REDIRECTS + 1):
                answer = await self._exchange(current, {}, ROBOTS_MAX_BYTES, want_text=False)
                if answer.location is None:
                    break
                current = answer.location
            else:
                return _Robots(RobotsRules(), now + ROBOTS_TTL)
        except FetchError as exc:
            if exc.kind in ("dns", "connect"):
                raise  # the host is unreachable: the page would fail the same way
            absent = exc.kind == "http" and exc.status is not None and 400 <= exc.status < 500
            absent = absent and exc.status != 429
            log.debug("robots.txt at %s: %s", robots_url, exc)
            return _Robots(RobotsRules(), now + (ROBOTS_TTL if absent else ROBOTS_RETRY_TTL))
        rules = RobotsRules.parse(answer.body.decode("utf-8", "replace"))
        delay = min(rules.crawl_delay(self.robots_token) or 0.0, MAX_CRAWL_DELAY)
        return _Robots(rules, now + ROBOTS_TTL, delay)


def user_agent_header(config: FetchConfig) -> str:
    """`config.user_agent`, with `config.contact_url` appended when it is not already in it."""
    agent = config.user_agent.strip()
    if config.contact_url and config.contact_url not in agent:
        agent = f"{agent} (+{config.contact_url})"
    return agent


# -- helpers ----------------------------------------------------------------------------------------


def _parse_url(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise FetchError("url", f"the address is not a valid URL: {url!r}") from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise FetchError("url", f"the address is not an http(s) URL: {url!r}")
    return parsed


def _authority(url: httpx.URL) -> str:
    """Host name plus the port when one is given explicitly: the unit of politeness."""
    return f"{url.host}:{url.port}" if url.port else url.host


def _origin(url: httpx.URL) -> str:
    return f"{url.scheme}://{_authority(url)}"


def _refuse_if_blocked(url: httpx.URL, host: _Host) -> None:
    remaining = host.blocked_until - time.monotonic()
    if remaining > 0:
        raise FetchError(
            "backoff",
            f"{_authority(url)} asked us to wait; next request allowed in {remaining:.0f} s",
            retry_after=remaining,
        )


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    """Is an exception of `kind` anywhere in the chain (httpcore also wraps the cause in `args`)?"""
    pending: list[BaseException] = [exc]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, kind):
            return True
        linked = [current.__cause__, current.__context__, *current.args]
        pending.extend(e for e in linked if isinstance(e, BaseException))
    return False


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), capped."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            return None
        seconds = when.timestamp() - time.time()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def _redirect_message(visited: list[httpx.URL], nxt: httpx.URL) -> str:
    hops = len(visited) - 1
    if nxt in visited:
        return f"the site redirects in a loop (back to {nxt}); stopped after {hops} redirects"
    return f"the site redirected more than {hops} times; stopped"


def _megabytes(n: int) -> str:
    return f"{n / 1_000_000:g} MB" if n >= 1_000_000 else f"{n / 1000:g} KB"


# -- body: bounded decompression and a text sniff -------------------------------------------------


class _Decoder(Protocol):
    def feed(self, data: bytes) -> Iterator[bytes]: ...
    def flush(self) -> Iterator[bytes]: ...


class _Identity:
    def feed(self, data: bytes) -> Iterator[bytes]:
        if data:
            yield data

    def flush(self) -> Iterator[bytes]:
        return iter(())


class _Zlib:
    """gzip or deflate, producing at most `_PIECE` bytes per step (a bomb never inflates at once)."""

    def __init__(self, gzip: bool) -> None:
        self._gzip = gzip
        self._first = True
        self._d = zlib.decompressobj(16 + zlib.MAX_WBITS if gzip else zlib.MAX_WBITS)

    def feed(self, data: bytes) -> Iterator[bytes]:
        while True:
            try:
                out = self._d.decompress(data, _PIECE)
            except zlib.error:
                if self._gzip or not self._first:
                    raise
                # "deflate" that is raw deflate without the zlib header: servers send both.
                self._first = False
                self._d = zlib.decompressobj(-zlib.MAX_WBITS)
                continue
            self._first = False
            if out:
                yield out
            data = self._d.unconsumed_tail
            if self._gzip and self._d.eof and self._d.unused_data[:2] == b"\x1f\x8b":
                data = self._d.unused_data  # another gzip member follows
                self._d = zlib.decompressobj(16 + zlib.MAX_WBITS)
                continue
            if not data and len(out) < _PIECE:
                return

    def flush(self) -> Iterator[bytes]:
        out = self._d.flush()
        if out:
            yield out


class _Brotli:
    def __init__(self) -> None:
        self._d = brotli.Decompressor()

    def feed(self, data: bytes) -> Iterator[bytes]:
        out = self._d.process(data, output_buffer_limit=_PIECE)
        if out:
            yield out
        while not self._d.can_accept_more_data():
            out = self._d.process(b"", output_buffer_limit=_PIECE)
            if not out:
                return
            yield out

    def flush(self) -> Iterator[bytes]:
        return iter(())


class _Chain:
    """Content-Encoding lists codings in the order applied; undo them in reverse."""

    def __init__(self, decoders: list[_Decoder]) -> None:
        self._decoders = decoders

    def feed(self, data: bytes) -> Iterator[bytes]:
        return self._through(0, self._decoders[0].feed(data))

    def flush(self) -> Iterator[bytes]:
        for i, decoder in enumerate(self._decoders):
            yield from self._through(i + 1, decoder.flush())

    def _through(self, i: int, pieces: Iterator[bytes]) -> Iterator[bytes]:
        if i == len(self._decoders):
            yield from pieces
            return
        for piece in pieces:
            yield from self._through(i + 1, self._decoders[i].feed(piece))


def _decoder(content_encoding: str | None) -> _Decoder:
    decoders: list[_Decoder] = []
    for coding in reversed((content_encoding or "").lower().split(",")):
        coding = coding.strip()
        if coding in ("gzip", "x-gzip"):
            decoders.append(_Zlib(gzip=True))
        elif coding == "deflate":
            decoders.append(_Zlib(gzip=False))
        elif coding == "br" and _BROTLI_BOUNDED:
            decoders.append(_Brotli())
        # identity and codings we never asked for: bytes as they are (the sniff judges them)
    if not decoders:
        return _Identity()
    return decoders[0] if len(decoders) == 1 else _Chain(decoders)


async def _read_body(response: httpx.Response, max_bytes: int, want_text: bool) -> bytes:
    """The decoded body, reading no further than `max_bytes`; binary data stops at the first KB."""
    too_large = FetchError("too_large", f"the response is larger than {_megabytes(max_bytes)}; stopped reading")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_large
    content_type = response.headers.get("content-type")
    decoder = _decoder(response.headers.get("content-encoding"))
    parts: list[bytes] = []
    size = 0
    sniffed = not want_text

    def take(pieces: Iterator[bytes]) -> None:
        nonlocal size
        try:
            for piece in pieces:
                size += len(piece)
                if size > max_bytes:
                    raise too_large
                parts.append(piece)
        except _DECOMPRESS_ERRORS as exc:
            raise FetchError("network", "the compressed response was damaged and could not be unpacked") from exc

    async for raw in response.aiter_raw():
        take(decoder.feed(raw))
        if not sniffed and size >= _SNIFF_BYTES:
            _check_text(b"".join(parts)[:_SNIFF_BYTES], content_type)
            sniffed = True
    take(decoder.flush())
    body = b"".join(parts)
    if not sniffed and body:
        _check_text(body[:_SNIFF_BYTES], content_type)
    return body


_TEXT_SUBTYPES = ("html", "xml", "json", "javascript", "plain", "csv")


def _check_text(head: bytes, content_type: str | None) -> None:
    """Refuse bytes that are neither a page nor a feed: a binary content type or NUL bytes, unless
    the bytes themselves start like HTML/XML (servers do send pages as application/octet-stream)."""
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    major, _, subtype = mime.partition("/")
    binary_type = bool(mime) and major != "text" and not any(s in subtype for s in _TEXT_SUBTYPES)
    if not (binary_type or b"\x00" in head):
        return
    start = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if start.startswith(b"<") and head.count(b"\x00") * 100 < len(head):
        return  # markup, perhaps with a stray NUL; UTF-16 or binary would be full of them
    raise FetchError("not_text", f"the response is not a web page or feed ({mime or 'binary data'})")
