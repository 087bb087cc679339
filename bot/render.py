"""Telegram message text (HTML parse mode), as pure functions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class PostView:
    title: str
    url: str
    outlet: str
    published_at: datetime | None
    summary: str
    topics: tuple[str, ...] = ()
    also: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (outlet, url) of later copies


def render_post(post: PostView) -> str:
    raise NotImplementedError


def render_digest(day: date, posts: list[PostView]) -> str | None:
    raise NotImplementedError
