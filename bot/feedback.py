"""The operator's corrections, kept as labelled examples in a file beside the state.

Every /missed, /post and /wrong appends one JSON line to ``<state folder>/feedback.jsonl``:

    {"url": ..., "title": ..., "lead": ..., "label": "missed" | "post" | "wrong", "reason": ...,
     "at": "2026-12-02T09:15:00+09:00", "by": 111111111, "source": ..., "story": ...}

``lead`` is the first sentence of the article (what grouping compares), never the body. The file is
append-only: each line is written whole with one ``write`` and fsynced before the command answers. A
line torn by a crash mid-write (kill -9, power loss) is the last line and has no newline: it is ignored
with a warning, and every complete line before it counts.

The labels act at once (a URL marked wrong is never posted again; a missed or posted title makes the
next copies of the same story relevant), and the file is a labelled set: ``evaluate-relevance`` and
``evaluate-stories`` read it like their own sets (missed and post count as pos, wrong as neg).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from bot.stories import StoryIndex, story_key
from scrapers.dates import KST
from scrapers.urls import canonical_url
from state.records import StateError

log = logging.getLogger(__name__)

FILE_NAME = "feedback.jsonl"


class Label(StrEnum):
    MISSED = "missed"  # relevant, and the bot did not post it
    POST = "post"  # posted by hand (/post): relevant
    WRONG = "wrong"  # posted, and not relevant

    @property
    def relevant(self) -> bool:
        return self is not Label.WRONG

    @property
    def gold(self) -> str:
        """The label of the labelled sets (pos / neg)."""
        return "pos" if self.relevant else "neg"


@dataclass(frozen=True, slots=True)
class Example:
    url: str
    title: str
    lead: str
    label: Label
    reason: str
    at: float  # epoch
    by: int | None = None  # the admin chat
    source: str | None = None  # a source that listed it, if any
    story: str | None = None  # the story it was posted as or grouped with, if any

    def to_line(self) -> str:
        data: dict[str, Any] = asdict(self)
        data["label"] = str(self.label)
        data["at"] = datetime.fromtimestamp(self.at, KST).isoformat(timespec="seconds")
        return json.dumps(data, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Example:
        at = data.get("at")
        when = datetime.fromisoformat(at).timestamp() if isinstance(at, str) else float(at or 0)
        return cls(
            url=str(data["url"]),
            title=str(data.get("title") or ""),
            lead=str(data.get("lead") or ""),
            label=Label(data["label"]),
            reason=str(data.get("reason") or ""),
            at=when,
            by=data.get("by"),
            source=data.get("source"),
            story=data.get("story"),
        )

    def as_labelled(self) -> dict[str, Any]:
        """The line as the evaluations read it (`id`, `title`, `text`, `label` pos/neg)."""
        return {"id": self.url, "title": self.title, "text": self.lead, "label": self.label.gold, "url": self.url}


def path_beside(state_path: Path) -> Path:
    return state_path.with_name(FILE_NAME)


class FeedbackLog:
    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, example: Example) -> None:
        """Write one whole line and fsync it; raises StateError (a sentence) when it cannot be written."""
        line = example.to_line().encode("utf-8")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)  # read: a torn end
            try:
                self._end_torn_line(fd)
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise StateError(f"cannot write the feedback file {self.path}: {exc.strerror or exc}") from exc

    def _end_torn_line(self, fd: int) -> None:
        """A line torn by a crash is closed with a newline first, so the new line stays whole."""
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            os.write(fd, b"\n")

    def read(self) -> list[Example]:
        return list(self)

    def __iter__(self) -> Iterator[Example]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:
            raise StateError(f"cannot read the feedback file {self.path}: {exc.strerror or exc}") from exc
        lines = raw.split(b"\n")
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                yield Example.from_json(json.loads(line))
            except (ValueError, KeyError, TypeError) as exc:
                where = "the last line, torn by a crash" if number == len(lines) else f"line {number}"
                log.warning("feedback file %s: %s is not a whole example, ignored (%s)", self.path, where, exc)


class Corrections:
    """What the operator's labels change in the next decisions, at once:

    - a URL marked wrong is never posted again (`is_wrong`);
    - a headline marked missed (or posted by hand) makes the next copies of the same story relevant
      (`missed_story`: grouping's own test of "the same story", bot.stories)."""

    def __init__(self, examples: Iterable[Example] = (), window_hours: float = 72.0) -> None:
        self.wrong: set[str] = set()
        self.missed = StoryIndex(window_hours)
        self._examples: dict[str, Example] = {}
        for example in examples:
            self.add(example)

    def add(self, example: Example) -> None:
        if example.label is Label.WRONG:
            self.wrong.add(canonical_url(example.url))
            return
        self._examples[example.url] = example
        when = datetime.fromtimestamp(example.at, KST)
        self.missed.add(example.url, story_key(example.url, example.title, example.lead, when), at=example.at)

    def is_wrong(self, *urls: str) -> bool:
        return any(canonical_url(url) in self.wrong for url in urls)

    def missed_story(self, title: str, text: str, published_at: datetime | None) -> Example | None:
        """The missed (or hand-posted) example this headline is another copy of, if any."""
        if not self._examples:
            return None
        match = self.missed.find(story_key("", title, text, published_at))
        return self._examples.get(match.story_id) if match else None
