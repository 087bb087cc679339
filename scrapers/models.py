"""The records that flow out of the scrapers into the pipeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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
