"""Article links on a listing page: by configured CSS selectors, or recognised automatically."""

from __future__ import annotations

from scrapers.models import ListingItem


def parse_listing(html: str, base_url: str, selectors: object | None = None) -> list[ListingItem]:
    """The articles on a list page, in page order, without menus, 'most read' boxes, paging or footers.

    `selectors` is a `bot.config.Selectors` (item, title, link, date, snippet) or None for automatic
    recognition.
    """
    raise NotImplementedError
