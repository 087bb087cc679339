"""Google News article links resolved to the publisher's URL, through the shared `Fetcher`.

Since mid-2024 the links in Google News RSS feeds (`https://news.google.com/rss/articles/CBMi…`)
carry an opaque token (`AU_yqL…` inside the base64) instead of the outlet's URL; a plain GET of the
link gets a page that redirects by script. Tokens from before still carry the URL and are decoded
offline by `scrapers.urls.aggregator_target`; `scrapers.urls.needs_online_resolution` tells the two
apart. For the opaque ones Google's own web client makes two calls, and so do we (the protocol is
not documented; this is what the public decoders, googlenewsdecoder among them, rely on):

1. GET `{base}/rss/articles/{token}?hl=…&gl=…&ceid=…` (the locale of the link, else Korean). The
   page's `<c-wiz>` holds an element with `data-n-a-id="{token}"`, `data-n-a-ts="{timestamp}"` and
   `data-n-a-sg="{signature}"`. (`/articles/{token}` sends non-browser clients to a "sorry" page.)
   Older pages name the target outright in `data-n-au`; a redirect off Google is the target too.
2. POST `{base}/_/DotsSplashUi/data/batchexecute`, form field `f.req` = JSON
   `[[["Fbv4je", "<inner>", null, "<id>"], …]]`, one entry per token (several tokens per call:
   `batch_size`), inner = JSON `["garturlreq", <client context>, token, timestamp, signature]`.
   The answer is `)]}'`, a blank line and a JSON array of rows, one per entry:
   `["wrb.fr", "Fbv4je", "[\\"garturlres\\",\\"<publisher URL>\\",1]", null, null, null, "<id>"]`,
   or with a null payload and an error code (`[3]`) in the sixth cell when Google refuses one, then
   `["di", n]` and `["af.httprm", …]`. With `rt=c` the rows come as length-prefixed chunks; both
   framings are read.

Every request goes through `scrapers.fetch.Fetcher`: robots.txt, the per-host slots and spacing,
Retry-After (a 429 pauses the host; the rest of the batch is not sent), timeouts and size caps.

Results go into a plain JSON-able cache that the caller keeps (in the state file): token →
`{"url": publisher URL or null, "at": epoch seconds[, "error": why]}`. A resolved token is never
asked again (until it is pruned, after `CACHE_DAYS`); one Google refused is asked again after
`RETRY_REFUSED_SECONDS`. `GoogleNewsResolver.health` (also plain JSON) says whether resolving works:
consecutive failed calls, the last error and when; `describe_health` turns it into the sentence
`check` and `/status` print. When resolving fails the caller keeps the Google link.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from selectolax.lexbor import LexborHTMLParser

from scrapers.dates import KST
from scrapers.fetch import Fetcher, FetchError
from scrapers.markup import limit_nesting
from scrapers.models import ListingItem
from scrapers.urls import canonical_url, clean_link, google_news_target, google_news_token

log = logging.getLogger(__name__)

GOOGLE_NEWS = "https://news.google.com"
BATCH_PATH = "/_/DotsSplashUi/data/batchexecute"
RPC_ID = "Fbv4je"
BATCH_SIZE = 20  # tokens per batchexecute call
MAX_PER_CALL = 60  # tokens looked up by one `resolve` call; the rest wait for the next
CACHE_DAYS = 60  # a resolved token is kept this long after it was last needed
MAX_CACHE_ENTRIES = 20_000
RETRY_REFUSED_SECONDS = 6 * 3600.0  # a token Google refused (or whose page had no signature)
MAX_ANSWER_BYTES = 2_000_000  # batchexecute answers are a few KB per token
MAX_URL_CHARS = 4096
DEFAULT_LOCALE = ("ko", "KR", "KR:ko")  # hl, gl, ceid when the link names none
# The client context the web client sends with `garturlreq` (placeholders where it sends its own
# experiment ids); only the locale in it varies.
_CONTEXT_HEAD: list[Any] = ["X", "X", ["X", "X"], None, None, 1, 1]
_CONTEXT_TAIL: list[Any] = [None, 1, None, None, None, None, None, 0, 1]
_CONTEXT_REST: list[Any] = ["X", "X", 1, [1, 1, 1], 1, 1, None, 0, 0, None, 0]
_XSSI_PREFIX = ")]}'"

Cache = dict[str, dict[str, Any]]


@dataclass
class ResolverHealth:
    """Whether resolving works, as plain data (`to_dict`/`from_dict` for the state file)."""

    consecutive_failures: int = 0  # `resolve` calls in a row that hit a failure of the service
    last_error: str | None = None  # plain language
    last_error_at: float | None = None  # epoch seconds
    last_success_at: float | None = None
    resolved_total: int = 0
    refused_total: int = 0  # tokens Google (or its page) would not resolve

    @property
    def failing(self) -> bool:
        return self.consecutive_failures > 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ResolverHealth:
        if not data:
            return cls()
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)


def describe_health(health: ResolverHealth | dict[str, Any] | None) -> str:
    """One line for `check` and `/status`: "Google News links: resolving works (…)" or "… is failing …"."""
    if not isinstance(health, ResolverHealth):
        health = ResolverHealth.from_dict(health)
    if health.failing:
        when = _clock_time(health.last_error_at)
        return (
            f"Google News links: resolving is failing ({health.consecutive_failures} attempt"
            f"{'s' if health.consecutive_failures != 1 else ''} in a row, last at {when}: {health.last_error}); "
            "items keep their Google links"
        )
    if health.last_success_at is None:
        return "Google News links: not resolved yet"
    return (
        f"Google News links: resolving works (last at {_clock_time(health.last_success_at)}, "
        f"{health.resolved_total} resolved, {health.refused_total} refused)"
    )


def _clock_time(at: float | None) -> str:
    return datetime.fromtimestamp(at, KST).strftime("%Y-%m-%d %H:%M") if at else "?"


@dataclass
class _Tally:
    resolved: int = 0
    refused: int = 0


@dataclass
class _Pending:
    token: str
    link: str
    signature: str | None = None
    timestamp: str | None = None


class _ServiceFailure(Exception):
    """The service failed as a whole (429, a network error, an answer in a format we do not know):
    stop this call, keep the Google links, report it."""


class GoogleNewsResolver:
    """Resolves Google News article links to publisher URLs; one per daemon, shared across cycles.

    `cache` is the caller's dict (kept in the state), changed in place; `health` likewise can be
    handed in as the dict last saved. `base_url` points the resolver at another server (tests use a
    loopback fake) while the links themselves stay `https://news.google.com/...`.
    """

    def __init__(
        self,
        fetcher: Fetcher,
        cache: Cache | None = None,
        *,
        base_url: str = GOOGLE_NEWS,
        batch_size: int = BATCH_SIZE,
        max_per_call: int = MAX_PER_CALL,
        health: dict[str, Any] | None = None,
        clock: Callable[[], float] = time.time,
        robots: bool = True,
    ) -> None:
        if batch_size < 1 or max_per_call < 1:
            raise ValueError("batch_size and max_per_call must be at least 1")
        self.fetcher = fetcher
        self.cache: Cache = cache if cache is not None else {}
        self.base_url = base_url.rstrip("/")
        self.batch_size = batch_size
        self.max_per_call = max_per_call
        self.health = ResolverHealth.from_dict(health)
        self.clock = clock
        self.robots = robots
        self.requests = 0  # requests sent by this resolver (pages and batch calls), for reports

    # -- the public call ----------------------------------------------------------------------------

    def cached(self, link: str) -> str | None:
        """The publisher URL for `link` if it is already known (no network)."""
        token = google_news_token(link)
        entry = self.cache.get(token) if token else None
        url = entry.get("url") if entry else None
        return url if isinstance(url, str) else None

    async def resolve(self, links: Iterable[str]) -> dict[str, str]:
        """{link: publisher URL} for the links among `links` that need online resolution and are, or
        now get, resolved. Other links, and those that fail, are left out: the caller keeps them.

        Never raises for the service's failures (they go to `health`); at most `max_per_call` tokens
        are looked up, the oldest first in the order given, the rest on the next call.
        """
        now = self.clock()
        resolved: dict[str, str] = {}
        pending: dict[str, _Pending] = {}
        wanted: dict[str, list[str]] = {}
        for link in links:
            token = google_news_token(link)
            if token is None or google_news_target(token) is not None:  # not one only Google can resolve
                continue
            wanted.setdefault(token, []).append(link)
            entry = self.cache.get(token)
            if entry is not None:
                url = entry.get("url")
                if isinstance(url, str):
                    entry["at"] = now  # still needed: keep it from being pruned
                    continue
                if now - float(entry.get("at") or 0) < RETRY_REFUSED_SECONDS:
                    continue
            if token not in pending and len(pending) < self.max_per_call:
                pending[token] = _Pending(token, link)
        if pending:
            await self._lookup(list(pending.values()), now)
        for token, token_links in wanted.items():
            entry = self.cache.get(token)
            url = entry.get("url") if entry else None
            if isinstance(url, str):
                for link in token_links:
                    resolved[link] = url
        self._prune(now)
        return resolved

    # -- the two steps ------------------------------------------------------------------------------

    async def _lookup(self, pending: list[_Pending], now: float) -> None:
        tally = _Tally()
        failure: str | None = None
        try:
            ready = await self._read_pages(pending, now, tally)
            for start in range(0, len(ready), self.batch_size):
                batch = ready[start : start + self.batch_size]
                answers = await self._batch(batch)
                for n, item in enumerate(batch, 1):
                    url = answers.get(str(n))
                    if url:
                        self._remember(item.token, url, now)
                        tally.resolved += 1
                    else:
                        self._refuse(item.token, now, "Google did not resolve this link")
                        tally.refused += 1
        except _ServiceFailure as exc:
            failure = str(exc)
        health = self.health
        health.resolved_total += tally.resolved
        health.refused_total += tally.refused
        if failure is not None:
            health.consecutive_failures += 1
            health.last_error, health.last_error_at = failure, now
            log.warning("Google News links: resolving failed (%s); items keep their Google links", failure)
        else:
            health.consecutive_failures = 0
            health.last_success_at = now
        log.info("Google News links: %d asked, %d resolved, %d refused", len(pending), tally.resolved, tally.refused)

    async def _read_pages(self, pending: list[_Pending], now: float, tally: _Tally) -> list[_Pending]:
        """Step 1 for every token, a few at a time (the Fetcher keeps the host's pace); the tokens
        ready for batchexecute. Raises `_ServiceFailure` at the first failure of the service (the
        pages not yet asked for are not asked), or when no page carried the signature at all."""
        gate = asyncio.Semaphore(max(1, self.fetcher.config.per_host_concurrency))
        stop: list[str] = []
        outcomes: dict[str, str] = {}  # token → "ready", "resolved", "refused" or "no-signature"

        async def read(item: _Pending) -> None:
            async with gate:
                if stop:
                    return
                try:
                    outcomes[item.token] = await self._read_page(item, now)
                except _ServiceFailure as exc:
                    stop.append(str(exc))

        await asyncio.gather(*(read(item) for item in pending))
        kinds = list(outcomes.values())
        tally.resolved += kinds.count("resolved")
        tally.refused += kinds.count("refused")
        if stop:
            raise _ServiceFailure(stop[0])
        if "no-signature" in kinds and not {"ready", "resolved"} & set(kinds):
            # Not one page had it: the format changed, or a consent or "sorry" page stands in front.
            # Nothing is cached as refused, so the links are tried again on the next call.
            raise _ServiceFailure("the article pages no longer carry the signature (data-n-a-sg): the format changed")
        for token, kind in outcomes.items():
            if kind == "no-signature":
                self._refuse(token, now, "the article page carries no signature")
                tally.refused += 1
        return [item for item in pending if item.signature is not None]

    async def _read_page(self, item: _Pending, now: float) -> str:
        url = self._page_url(item)
        self.requests += 1
        try:
            result = await self.fetcher.fetch(url, robots=self.robots)
        except FetchError as exc:
            if exc.kind == "http" and exc.status in (404, 410):
                self._refuse(item.token, now, f"the article page answered {exc.status}")
                return "refused"
            raise _ServiceFailure(f"{_short(url)}: {exc}") from exc
        if not _same_site(result.url, self.base_url):
            if _is_google_gate(result.url):
                raise _ServiceFailure(f"Google sent the request to {_short(result.url)} (a sorry or consent page)")
            # Redirected off Google News to a site of its own: that is the publisher's page.
            self._remember(item.token, result.url, now)
            return "resolved"
        direct, signature, timestamp = parse_article_page(result.text, item.token)
        if direct:
            self._remember(item.token, direct, now)
            return "resolved"
        if signature and timestamp:
            item.signature, item.timestamp = signature, timestamp
            return "ready"
        return "no-signature"

    async def _batch(self, batch: list[_Pending]) -> dict[str, str]:
        """Step 2 for a few tokens: {entry id ("1", "2", …): publisher URL}."""
        url = f"{self.base_url}{BATCH_PATH}?" + urlencode({"rpcids": RPC_ID, "hl": _locale(batch[0].link)[0]})
        body = build_batch_request(
            [
                (str(n), i.token, i.timestamp or "", i.signature or "", _locale(i.link)[2])
                for n, i in enumerate(batch, 1)
            ]
        )
        self.requests += 1
        try:
            result = await self.fetcher.post(
                url,
                body.encode(),
                headers={"Referer": f"{self.base_url}/", "X-Same-Domain": "1"},
                robots=self.robots,
                max_bytes=MAX_ANSWER_BYTES,
            )
        except FetchError as exc:
            raise _ServiceFailure(f"{_short(url)}: {exc}") from exc
        try:
            answers = parse_batch_response(result.text)
        except ValueError as exc:
            raise _ServiceFailure(f"the batchexecute answer is not in the format we know ({exc})") from exc
        return {key: value for key, value in answers.items() if value and _acceptable(value, self.base_url)}

    # -- cache --------------------------------------------------------------------------------------

    def _remember(self, token: str, url: str, now: float) -> None:
        if _acceptable(url, self.base_url):
            self.cache[token] = {"url": url, "at": now}

    def _refuse(self, token: str, now: float, why: str) -> None:
        self.cache[token] = {"url": None, "at": now, "error": why}

    def _prune(self, now: float) -> None:
        """Drop entries unused for `CACHE_DAYS` and, past `MAX_CACHE_ENTRIES`, the oldest."""
        horizon = now - CACHE_DAYS * 86400
        for token in [t for t, e in self.cache.items() if float(e.get("at") or 0) < horizon]:
            del self.cache[token]
        excess = len(self.cache) - MAX_CACHE_ENTRIES
        if excess > 0:
            oldest = sorted(self.cache, key=lambda t: float(self.cache[t].get("at") or 0))[:excess]
            for token in oldest:
                del self.cache[token]

    def _page_url(self, item: _Pending) -> str:
        hl, gl, ceid = _locale(item.link)
        return f"{self.base_url}/rss/articles/{quote(item.token, safe='')}?" + urlencode(
            {"hl": hl, "gl": gl, "ceid": ceid}
        )


def with_publisher_url(item: ListingItem, publisher_url: str) -> ListingItem:
    """The listing item pointing at the publisher: `url` its canonical form (the identity that
    deduplicates it against the outlet's own feed), `link` the URL to fetch; title, date, snippet and
    outlet stay as the feed gave them."""
    url = canonical_url(publisher_url)
    link = clean_link(publisher_url)
    return replace(item, url=url, link=link if link != url else None)


# -- the formats, as pure functions ---------------------------------------------------------------------


def parse_article_page(html: str, token: str | None = None) -> tuple[str | None, str | None, str | None]:
    """(direct publisher URL, signature, timestamp) from a Google News article page; Nones when absent.

    The element is the one inside `<c-wiz>` with `data-n-a-sg` (the one whose `data-n-a-id` is
    `token`, when several are there); `data-n-au` names the target outright on older pages.
    """
    tree = LexborHTMLParser(limit_nesting(html))
    for node in tree.css("[data-n-au]"):
        direct = (node.attributes.get("data-n-au") or "").strip()
        if direct.lower().startswith(("http://", "https://")):
            return direct, None, None
    candidates = tree.css("c-wiz [data-n-a-sg]") or tree.css("[data-n-a-sg]")
    chosen = next((n for n in candidates if token and n.attributes.get("data-n-a-id") == token), None)
    chosen = chosen or (candidates[0] if candidates else None)
    if chosen is None:
        return None, None, None
    signature = (chosen.attributes.get("data-n-a-sg") or "").strip() or None
    timestamp = (chosen.attributes.get("data-n-a-ts") or "").strip() or None
    return None, signature, timestamp


def build_batch_request(entries: Iterable[tuple[str, str, str, str, str]]) -> str:
    """The form body of one batchexecute call: entries of (id, token, timestamp, signature, ceid)."""
    calls = []
    for entry_id, token, timestamp, signature, ceid in entries:
        context = [[*_CONTEXT_HEAD, ceid, *_CONTEXT_TAIL], *_CONTEXT_REST]
        stamp: int | str = int(timestamp) if timestamp.isdigit() else timestamp
        inner = json.dumps(["garturlreq", context, token, stamp, signature], separators=(",", ":"))
        calls.append([RPC_ID, inner, None, entry_id])
    return "f.req=" + quote(json.dumps([calls], separators=(",", ":")), safe="")


def parse_batch_response(text: str) -> dict[str, str | None]:
    """{entry id: publisher URL, or None when Google refused that entry} from a batchexecute answer.

    Reads the plain framing (`)]}'`, a blank line, one JSON array) and the chunked one (`rt=c`:
    a length line before each JSON array). Raises ValueError when the text holds no row of our call.
    """
    body = text.lstrip()
    if body.startswith(_XSSI_PREFIX):
        body = body[len(_XSSI_PREFIX) :]
    answers: dict[str, str | None] = {}
    seen_row = False
    for row in _rows(body):
        if not (isinstance(row, list) and len(row) >= 3 and row[0] == "wrb.fr" and row[1] == RPC_ID):
            continue
        seen_row = True
        entry_id = str(row[6]) if len(row) > 6 and row[6] is not None else "generic"
        answers[entry_id] = _publisher_url(row[2])
    if not seen_row:
        raise ValueError(f"no {RPC_ID} row in the answer (it starts {text[:40]!r})")
    if "generic" in answers and "1" not in answers:
        answers["1"] = answers["generic"]  # a one-entry call may be answered under "generic"
    return answers


def _rows(body: str) -> Iterator[Any]:
    """Every row of every JSON array in the answer, skipping the chunk-length lines of `rt=c`."""
    decoder = json.JSONDecoder()
    pos, end = 0, len(body)
    while pos < end:
        while pos < end and (body[pos].isspace() or body[pos].isdigit()):
            pos += 1
        if pos >= end:
            return
        try:
            value, pos = decoder.raw_decode(body, pos)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not JSON at offset {pos}: {exc.msg}") from exc
        except RecursionError as exc:
            raise ValueError("JSON nested too deep") from exc
        if isinstance(value, list):
            yield from value


def _publisher_url(payload: Any) -> str | None:
    if not isinstance(payload, str):
        return None
    try:
        data = json.loads(payload)
    except (ValueError, RecursionError):
        return None
    if isinstance(data, list) and len(data) >= 2 and data[0] == "garturlres" and isinstance(data[1], str):
        return data[1]
    return None


def _acceptable(url: str, base_url: str) -> bool:
    """A publisher URL we may use: http(s), not Google News itself, not absurdly long."""
    if len(url) > MAX_URL_CHARS or not url.lower().startswith(("http://", "https://")):
        return False
    host = (urlsplit(url).hostname or "").lower()
    return bool(host) and host != "news.google.com" and not _is_google_gate(url) and not _same_site(url, base_url)


def _is_google_gate(url: str) -> bool:
    """google.com's "sorry" (unusual traffic) and consent pages, on any country domain."""
    host = (urlsplit(url).hostname or "").lower()
    labels = host.split(".")
    return "google" in labels[-3:-1] and (host.startswith(("consent.", "www.google.")) or host.startswith("google."))


def _same_site(url: str, base_url: str) -> bool:
    a, b = urlsplit(url), urlsplit(base_url)
    return (a.hostname or "").lower() == (b.hostname or "").lower() and a.port == b.port


def _locale(link: str) -> tuple[str, str, str]:
    """(hl, gl, ceid) of a Google News link, else `DEFAULT_LOCALE`."""
    params = dict(parse_qsl(urlsplit(link).query))
    hl, gl, ceid = DEFAULT_LOCALE
    return params.get("hl") or hl, params.get("gl") or gl, params.get("ceid") or ceid


def _short(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname}{parts.path[:40]}"
