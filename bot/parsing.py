"""Where fetched pages are parsed: a `Parsers` object the cycle is handed.

`InlineParsers` parses on the calling thread, for one-off commands and tests of the parsers.
"""

from __future__ import annotations

from typing import Protocol

from bot.sources import SourceConfig
from scrapers.article import parse_article
from scrapers.models import Article, FetchResult, ListingItem


class Parsers(Protocol):
    async def listing(self, source: SourceConfig, result: FetchResult) -> list[ListingItem]: ...

    async def article(self, result: FetchResult) -> Article: ...


class InlineParsers:
    """Parses on the calling thread, with no deadline."""

    async def listing(self, source: SourceConfig, result: FetchResult) -> list[ListingItem]:
        return source.kind.parse(source, result)

    async def article(self, result: FetchResult) -> Article:
        return parse_article(result.text, result.url)
