"""What a source is (`SourceConfig`) and the one registry of source kinds (`KINDS`).

A kind says how a source's `url` is turned into a request and how the answer becomes listing items.
Adding a kind means adding one `SourceKind` here; the config check, the poll and `check` read it.

- ``html``: a list page (or a home page); automatic recognition unless `selectors` are given. A body
  that turns out to be a feed is read as one.
- ``rss``: an RSS 0.9x/1.0/2.0 or Atom feed.
- ``naver_api``: Naver's news search API; `url` is the query, keys come from ``NAVER_CLIENT_ID`` /
  ``NAVER_CLIENT_SECRET`` (an API called with keys is not crawling: no robots.txt).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from bot.relevance import Verdict
from scrapers import naver_api
from scrapers.feeds import FeedError, looks_like_feed, parse_feed
from scrapers.listing import parse_listing
from scrapers.models import Article, FetchErrorKind, FetchResult, ListingItem, Selectors


@dataclass(frozen=True, slots=True)
class SourceConfig:
    """One `[[sources]]` entry."""

    name: str
    url: str
    type: str = "html"  # a key of KINDS
    interval_minutes: float = field(default=10.0, metadata={"min": 0.01})
    selectors: Selectors | None = None
    encoding: str | None = None  # overrides charset detection
    outlet: str | None = None  # shown in posts; defaults to the source name
    enabled: bool = True
    search: bool | None = None  # a search-type source (the coverage audit); None: naver_api, Google News

    @property
    def outlet_name(self) -> str:
        return self.outlet or self.name

    @property
    def kind(self) -> SourceKind:
        return KINDS[self.type]


Request = tuple[str, Mapping[str, str] | None]  # URL and extra headers


def _plain_request(source: SourceConfig, env: Mapping[str, str]) -> Request:
    return source.url, None


def _naver_request(source: SourceConfig, env: Mapping[str, str]) -> Request:
    return naver_api.build_request(source.url, env)


def _parse_page(source: SourceConfig, result: FetchResult) -> list[ListingItem]:
    if looks_like_feed(result.body):
        return parse_feed(result.body, result.url, result.content_type)
    return parse_listing(result.text, result.url, source.selectors)


def _parse_feed(source: SourceConfig, result: FetchResult) -> list[ListingItem]:
    return parse_feed(result.body, result.url, result.content_type)


def _parse_naver(source: SourceConfig, result: FetchResult) -> list[ListingItem]:
    return naver_api.parse_response(result.body)


class Problem(StrEnum):
    """Why a poll failed, beyond the fetch errors (`scrapers.fetch.FetchErrorKind`)."""

    LAYOUT = "layout"  # no articles where earlier polls found some
    FEED = "feed"  # the answer is not a usable feed / API answer
    CONFIG = "config"  # the source is misconfigured (a selector that is not CSS, missing API keys)
    BUG = "bug"  # our parser failed
    SLOW = "slow"  # parsing the page took longer than its deadline


_PAGE_ERRORS: tuple[tuple[type[Exception], Problem], ...] = ((FeedError, Problem.FEED), (ValueError, Problem.CONFIG))


@dataclass(frozen=True, slots=True)
class SourceKind:
    name: str
    http_url: bool  # `url` must be an http(s) address
    robots: bool  # obey the site's robots.txt
    request: Callable[[SourceConfig, Mapping[str, str]], Request]
    parse: Callable[[SourceConfig, FetchResult], list[ListingItem]]
    # Exceptions of the request builder or parser that are the source's problem, not a bug; the first
    # matching class wins.
    errors: tuple[tuple[type[Exception], Problem], ...] = _PAGE_ERRORS

    def problem(self, exc: Exception) -> Problem:
        return next((problem for cls, problem in self.errors if isinstance(exc, cls)), Problem.BUG)


KINDS: dict[str, SourceKind] = {
    kind.name: kind
    for kind in (
        SourceKind("html", http_url=True, robots=True, request=_plain_request, parse=_parse_page),
        SourceKind("rss", http_url=True, robots=True, request=_plain_request, parse=_parse_feed),
        SourceKind(
            "naver_api",
            http_url=False,
            robots=False,
            request=_naver_request,
            parse=_parse_naver,
            errors=(
                (naver_api.NaverCredentialsError, Problem.CONFIG),
                (naver_api.NaverApiError, Problem.FEED),
                (ValueError, Problem.CONFIG),
            ),
        ),
    )
}


@dataclass(slots=True)
class SourcePoll:
    """The outcome of polling one source once."""

    source: SourceConfig
    items: list[ListingItem] = field(default_factory=list)
    status: int | None = None
    error: str | None = None  # plain language, for operators
    error_kind: FetchErrorKind | Problem | None = None
    elapsed: float = 0.0
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def fresh(self) -> bool:
        """Succeeded with a listing that was parsed (not a 304 or the same bytes again)."""
        return self.ok and not self.not_modified


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
    vouched: str | None = None  # an operator's label that makes it relevant whatever the body says
    aliases: tuple[str, ...] = ()  # other URLs it was listed under (a Google News link): seen with it

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
