"""Copies of one event across outlets are one story."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class StoryKey:
    id: str
    title: str
    lead: str  # first sentence of the text or the snippet; "" when unknown
    published_at: datetime | None
    url: str = ""
    outlet: str = ""


def find_story(new: StoryKey, existing: list[StoryKey], window_hours: float = 72.0) -> str | None:
    """The id of the existing story `new` is a copy of, or None. Precision over recall."""
    raise NotImplementedError
