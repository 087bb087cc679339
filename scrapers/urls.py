"""Canonical article URLs: the identity of an article across listings, feeds and restarts."""

from __future__ import annotations


def canonical_url(url: str, base: str | None = None) -> str:
    """Absolute, with tracking parameters dropped and identifying ones kept, scheme and host unified."""
    raise NotImplementedError


def aggregator_target(url: str) -> str | None:
    """For a redirect wrapper of an aggregator (Google News, Naver, Daum), the outlet URL when the
    wrapper URL itself carries it; else None (the article page's canonical link decides later)."""
    raise NotImplementedError
