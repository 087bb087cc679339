"""What the sources miss, measured from what the bot posted: the coverage audit (pure).

Over the last `days` days of stories (those an operator marked wrong left out):

- **search-only outlets**: relevant stories that only search-type sources (Google News, Naver search)
  found, grouped by the outlet that published them — outlets to consider as direct sources (`discover`
  finds their feeds and list pages). An outlet that has a direct source and still appears here is one
  whose source missed those stories;
- **per source**: the stories it listed (first or as a copy), and for the stories it found first, the
  delay from publication to the post (median and 90th percentile, nearest rank);
- **silent sources**: sources that listed no relevant story at all.

The same figures go to the admins once a day, answer /coverage, and are exposed on /metrics.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.sources import SourceConfig
from state.records import OutboxKind, OutboxStatus, State, StoryRecord

SEARCH_HOSTS = frozenset({"news.google.com", "search.naver.com", "openapi.naver.com", "m.search.naver.com"})
EXAMPLES = 3


def is_search(source: SourceConfig) -> bool:
    """A search-type source: it finds other outlets' articles by keyword (Naver API, Google News, …)."""
    if source.search is not None:
        return source.search
    return source.type == "naver_api" or (urlsplit(source.url).hostname or "") in SEARCH_HOSTS


@dataclass(frozen=True, slots=True)
class SourceFigures:
    name: str
    search: bool
    stories: int  # relevant stories it listed in the period (first or as a copy)
    first: int  # of which it was the first to list
    median_delay: float | None  # seconds from publication to post, for the stories it found first
    p90_delay: float | None


@dataclass(frozen=True, slots=True)
class OutletGap:
    outlet: str
    stories: int
    examples: tuple[tuple[str, str], ...]  # (title, link) of a few of them
    has_source: bool  # a direct source for this outlet exists (and missed these)


@dataclass(frozen=True, slots=True)
class CoverageReport:
    days: float
    stories: int
    sources: tuple[SourceFigures, ...]
    search_only: tuple[OutletGap, ...]

    @property
    def silent(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.sources if s.stories == 0)


def percentile(values: Sequence[float], share: float) -> float | None:
    """Nearest-rank percentile (share in 0..1)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def audit(sources: Sequence[SourceConfig], state: State, now: float, days: float) -> CoverageReport:
    """The audit over the `days` before `now` (`[health] coverage_days`)."""
    since = now - days * 86400
    stories = [s for s in state.stories.values() if s.first_seen >= since and not s.retracted and s.sources]
    posted_at = {
        e.story_id: e.sent_at
        for e in state.outbox
        if e.kind is OutboxKind.POST and e.status is OutboxStatus.SENT and e.sent_at is not None
    }
    figures = []
    for source in sources:
        listed = [s for s in stories if source.name in s.sources]
        first = [s for s in listed if s.sources[0] == source.name]
        delays = [d for s in first if (d := _delay(s, posted_at)) is not None]
        figures.append(
            SourceFigures(
                name=source.name,
                search=is_search(source),
                stories=len(listed),
                first=len(first),
                median_delay=statistics.median(delays) if delays else None,
                p90_delay=percentile(delays, 0.9),
            )
        )
    return CoverageReport(days, len(stories), tuple(figures), _search_only(sources, stories))


def _delay(story: StoryRecord, posted_at: Mapping[str | None, float | None]) -> float | None:
    sent = posted_at.get(story.id)
    if sent is None or story.published_at is None or sent < story.published_at:
        return None
    return sent - story.published_at


def _search_only(sources: Sequence[SourceConfig], stories: Sequence[StoryRecord]) -> tuple[OutletGap, ...]:
    search = {s.name for s in sources if is_search(s)}
    direct_outlets = {s.outlet_name for s in sources if s.name not in search}
    by_outlet: dict[str, list[StoryRecord]] = {}
    for story in stories:
        if all(name in search for name in story.sources):
            by_outlet.setdefault(story.outlet, []).append(story)
    gaps = [
        OutletGap(
            outlet=outlet,
            stories=len(found),
            examples=tuple((s.title, s.link or s.url) for s in found[:EXAMPLES]),
            has_source=outlet in direct_outlets,
        )
        for outlet, found in by_outlet.items()
    ]
    return tuple(sorted(gaps, key=lambda g: (-g.stories, g.outlet)))
