"""Stage 3 of a cycle: read the article page of each candidate, within the per-cycle budget.

A candidate is a new item whose title was relevant or could not decide. Reading gives the article's
own title, time, outlet and text (the body decides relevance when the title could not, and feeds the
summary and grouping), and its canonical URL, which becomes the candidate's identity.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime

from bot.parsing import Parsers
from bot.relevance import Verdict
from bot.sources import SourceConfig
from scrapers.fetch import Fetcher, FetchError
from scrapers.models import Article, ListingItem
from scrapers.urls import canonical_url, clean_link

log = logging.getLogger(__name__)

ARTICLE_CONCURRENCY = 6


@dataclass(slots=True)
class Candidate:
    """A new, possibly relevant item on its way to becoming a post."""

    item: ListingItem
    source: SourceConfig
    verdict: Verdict
    first_poll: bool
    article: Article | None = None
    url: str = ""  # identity: the article's canonical URL once read, else the listing URL
    link: str = ""  # what the post links to: the page as fetched (after redirects), else the listing link

    def __post_init__(self) -> None:
        self.url = self.url or self.item.url
        self.link = self.link or self.item.fetch_url

    @property
    def published_at(self) -> datetime | None:
        if self.article and self.article.published_at:
            return self.article.published_at
        return self.item.published_at

    @property
    def published_epoch(self) -> float | None:
        moment = self.published_at
        return moment.timestamp() if moment else None


@dataclass(slots=True)
class Reading:
    fetched: int = 0
    errors: int = 0


async def read_articles(
    fetcher: Fetcher,
    candidates: list[Candidate],
    limit: int,
    *,
    parsers: Parsers,
) -> Reading:
    """Fetch and parse the candidates' articles, at most `limit` of them (the rest are dropped from
    `candidates`: they stay unseen and come back next cycle). Never raises for a page."""
    reading = Reading()
    if len(candidates) > limit:
        log.warning("%d candidates this cycle; reading the first %d, the rest next cycle", len(candidates), limit)
        del candidates[limit:]
    slots = asyncio.Semaphore(ARTICLE_CONCURRENCY)

    async def read(c: Candidate) -> None:
        async with slots:
            try:
                result = await fetcher.fetch(c.item.fetch_url, encoding=c.source.encoding)
                c.link = clean_link(result.url)
                c.article = await parsers.article(result)
                reading.fetched += 1
            except FetchError as exc:
                reading.errors += 1
                log.warning("article %s (%s): %s", c.item.url, c.source.name, exc)
            except Exception as exc:  # a bad page must not stop the cycle
                reading.errors += 1
                log.warning(
                    "article %s (%s): could not parse (%s: %s)", c.item.url, c.source.name, type(exc).__name__, exc
                )
        if c.article and c.article.url:
            c.url = canonical_url(c.article.url)

    await asyncio.gather(*(read(c) for c in candidates))
    return reading
