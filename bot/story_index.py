"""The stories a new article is matched against, owned by the caller (the daemon keeps one for its life,
`once` builds one per run) and built from the state.

It keeps one grouping key per stored copy (a story's first copy with its lead, and each later copy's
headline) so that the features of each are computed once, and hands `bot.stories.find_story` the keys of
the stories still inside the grouping window.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from bot.stories import StoryKey, find_story
from scrapers.dates import KST
from state.records import StoryRecord


@dataclass(frozen=True, slots=True)
class StoriesConfig:
    """`[stories]` of the config."""

    window_hours: float = field(default=72.0, metadata={"min": 1})  # copies within this are one story


def _keys_of(story: StoryRecord) -> list[StoryKey]:
    when = datetime.fromtimestamp(story.published_at or story.first_seen, KST)
    keys = [
        StoryKey(id=story.id, title=story.title, lead=story.lead, published_at=when, url=story.url, outlet=story.outlet)
    ]
    keys += [
        StoryKey(id=story.id, title=c.title, lead="", published_at=when, url=c.url, outlet=c.outlet) for c in story.also
    ]
    return keys


class StoryIndex:
    def __init__(self, window_hours: float) -> None:
        self.window_hours = window_hours
        self._keys: dict[str, list[StoryKey]] = {}  # story id -> its keys, first copy first
        self._first_seen: dict[str, float] = {}

    @classmethod
    def from_stories(cls, stories: Iterable[StoryRecord], window_hours: float) -> StoryIndex:
        index = cls(window_hours)
        for story in stories:
            index.add(story)
        return index

    def add(self, story: StoryRecord) -> None:
        """Index a story, or re-index it after a copy joined it."""
        self._keys[story.id] = _keys_of(story)
        self._first_seen[story.id] = story.first_seen

    def forget_except(self, story_ids: Iterable[str]) -> None:
        """Drop the stories the state no longer holds (retention)."""
        keep = set(story_ids)
        for story_id in [s for s in self._keys if s not in keep]:
            del self._keys[story_id], self._first_seen[story_id]

    def find(self, key: StoryKey, now: float) -> str | None:
        """The id of the story `key` is a copy of, among those first seen within the window."""
        since = now - self.window_hours * 3600
        recent = [k for story_id, keys in self._keys.items() if self._first_seen[story_id] >= since for k in keys]
        return find_story(key, recent, self.window_hours)
