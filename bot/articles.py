"""Stage 3 of a cycle: read the article page of each candidate, within the per-cycle budget.

A candidate is a new item whose title was relevant or could not decide. Reading gives the article's
own title, time, outlet and text (the body decides relevance when the title could not, and feeds the
summary and grouping), and its canonical URL, which becomes the candidate's identity.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.parsing import Parsers
from bot.sources import Candidate
from scrapers.fetch import Fetcher, FetchError
from scrapers.models import Article
from scrapers.urls import canonical_url, clean_link, needs_online_resolution

log = logging.getLogger(__name__)

ARTICLE_CONCURRENCY = 6


@dataclass(frozen=True, slots=True)
class Page:
    """What reading one article URL gave."""

    link: str | None  # the page as fetched (after redirects), cleaned; None when it could not be fetched
    article: Article | None
    error: str | None = None


@dataclass(slots=True)
class Reading:
    fetched: int = 0  # distinct article pages read
    errors: int = 0


class ArticleReader:
    """Reads article pages; a URL being read when another caller asks for it is read once for both
    (the daemon's cycles run concurrently, one per source, and several sources list the same article)."""

    def __init__(self, fetcher: Fetcher, parsers: Parsers, concurrency: int = ARTICLE_CONCURRENCY) -> None:
        self.fetcher = fetcher
        self.parsers = parsers
        self._slots = asyncio.Semaphore(concurrency)
        self._reading: dict[str, asyncio.Future[Page]] = {}

    async def read(self, url: str, encoding: str | None = None) -> Page:
        shared = self._reading.get(url)
        if shared is not None:
            return await asyncio.shield(shared)
        future: asyncio.Future[Page] = asyncio.get_running_loop().create_future()
        self._reading[url] = future
        try:
            page = await self._read(url, encoding)
            future.set_result(page)
            return page
        except BaseException as exc:  # cancelled: whoever shares it must not wait for ever
            future.set_exception(exc)
            future.exception()  # retrieved here, so an unshared failure is not reported as unhandled
            raise
        finally:
            del self._reading[url]

    async def _read(self, url: str, encoding: str | None) -> Page:
        async with self._slots:
            try:
                result = await self.fetcher.fetch(url, encoding=encoding)
            except FetchError as exc:
                return Page(None, None, str(exc))
            try:
                return Page(clean_link(result.url), await self.parsers.article(result))
            except Exception as exc:  # a bad page must not stop the cycle
                return Page(clean_link(result.url), None, f"could not parse ({type(exc).__name__}: {exc})")


def plan(candidates: list[Candidate], limit: int) -> list[list[Candidate]]:
    """Which articles to read this cycle: one read per distinct URL (the candidates that share it read
    it together), relevant titles before undecided ones, and within each, hosts taken in turn so that
    one busy site cannot use up the budget of `limit` reads."""
    groups: dict[str, list[Candidate]] = {}
    for c in candidates:
        if needs_online_resolution(c.item.fetch_url):  # an aggregator link left unresolved: a script
            continue  # redirect, not the article; it is decided on its title and snippet
        groups.setdefault(c.item.url, []).append(c)
    chosen: list[list[Candidate]] = []
    for tier in (
        [g for g in groups.values() if any(c.verdict.relevant for c in g)],
        [g for g in groups.values() if not any(c.verdict.relevant for c in g)],
    ):
        by_host: dict[str, list[list[Candidate]]] = {}
        for group in tier:
            by_host.setdefault(urlsplit(group[0].item.fetch_url).hostname or "", []).append(group)
        queues = list(by_host.values())
        while queues and len(chosen) < limit:
            for queue in queues:
                if queue and len(chosen) < limit:
                    chosen.append(queue.pop(0))
            queues = [q for q in queues if q]
    return chosen


async def read_articles(reader: ArticleReader, candidates: list[Candidate], limit: int) -> Reading:
    """Read the candidates' articles, each distinct one once, at most `limit` of them (`plan`). The
    candidates left out are removed from `candidates`: they stay unseen and come back next cycle.
    Never raises for a page."""
    chosen = plan(candidates, limit)
    keep = {id(c) for group in chosen for c in group}
    keep |= {id(c) for c in candidates if needs_online_resolution(c.item.fetch_url)}  # decided unread
    if len(keep) < len(candidates):  # over the budget: the rest wait for the next cycle
        log.warning(
            "%d candidates (%d articles) this cycle; reading %d, the rest next cycle",
            len(candidates),
            len({c.item.url for c in candidates}),
            len(chosen),
        )
        candidates[:] = [c for c in candidates if id(c) in keep]
    reading = Reading()

    async def read(group: list[Candidate]) -> None:
        first = group[0]
        page = await reader.read(first.item.fetch_url, first.source.encoding)
        if page.article is not None:
            reading.fetched += 1
        else:
            reading.errors += 1
            log.warning("article %s (%s): %s", first.item.url, ", ".join(c.source.name for c in group), page.error)
        for c in group:
            c.link = page.link or c.link
            c.article = page.article
            if page.article and page.article.url:
                c.url = canonical_url(page.article.url)

    await asyncio.gather(*(read(group) for group in chosen))
    return reading
