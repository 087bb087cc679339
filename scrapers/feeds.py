"""RSS (0.9x, 2.0) and Atom feeds, whatever their encoding."""

from __future__ import annotations

from scrapers.models import ListingItem


def looks_like_feed(body: bytes) -> bool:
    raise NotImplementedError


def parse_feed(body: bytes, base_url: str, content_type: str | None = None) -> list[ListingItem]:
    """The items of a feed. Raises `FeedError` (a ValueError) with a plain message when it is not one."""
    raise NotImplementedError


class FeedError(ValueError):
    pass
