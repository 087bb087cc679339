"""The records that flow out of the scrapers into the pipeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class ListingItem:
    """One article link found on a listing page or in a feed."""

    title: str
    url: str  # absolute and canonical (scrapers.urls.canonical_url)
    published_at: datetime | None = None  # aware, Asia/Seoul
    snippet: str | None = None
    outlet: str | None = None  # set when the listing names the outlet (aggregators, RSS <source>)
    link: str | None = None  # the link as the page wrote it (scrapers.urls.clean_link), when it differs

    @property
    def fetch_url(self) -> str:
        """Where to fetch the article: the site's own link (the canonical form may name a host variant
        the site does not serve)."""
        return self.link or self.url


@dataclass(frozen=True, slots=True)
class Article:
    """What an article page says about itself."""

    url: str  # canonical URL: the page's canonical/og:url when it names one, else the fetched URL
    title: str
    published_at: datetime | None
    text: str  # main text, paragraphs separated by "\n"
    description: str | None = None  # og:description / meta description
    outlet: str | None = None  # og:site_name and the like


@dataclass(frozen=True, slots=True)
class Selectors:
    """CSS selectors for a list page whose articles automatic recognition gets wrong."""

    item: str
    title: str | None = None
    link: str | None = None
    date: str | None = None
    snippet: str | None = None


class FetchErrorKind(StrEnum):
    DNS = "dns"  # the host name could not be resolved
    CONNECT = "connect"  # the server refused the connection or could not be reached
    TIMEOUT = "timeout"  # no answer, or the page did not arrive, within `timeout_seconds`
    HTTP = "http"  # the server answered 4xx/5xx (`status`; `retry_after` when the host is now paused)
    BACKOFF = "backoff"  # not sent: the host asked us to wait (`retry_after`: seconds still to wait)
    TOO_LARGE = "too_large"  # the body is larger than `max_bytes`
    REDIRECTS = "redirects"  # too many redirects, a loop, or a redirect to a non-http(s) address
    ROBOTS = "robots"  # the site's robots.txt disallows the URL for our User-Agent
    NOT_TEXT = "not_text"  # binary data (an image, a PDF, …), not a page or a feed
    URL = "url"  # the address is not an http(s) URL
    NETWORK = "network"  # the connection broke off, or the compressed body was damaged


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A page or feed as fetched (`scrapers.fetch.Fetcher.fetch`)."""

    url: str  # final URL after redirects
    status: int
    body: bytes
    text: str  # decoded with scrapers.decode (empty when not_modified)
    content_type: str | None
    etag: str | None
    last_modified: str | None
    not_modified: bool
    elapsed: float  # seconds on the wire, all hops together, not counting politeness waits
