"""Read one article page: title, publication time, outlet, main text."""

from __future__ import annotations

from scrapers.models import Article


def parse_article(html: str, url: str) -> Article:
    raise NotImplementedError
