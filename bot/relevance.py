"""Is this about AI infrastructure in 광주광역시? A verdict with a score and the reasons."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Verdict:
    relevant: bool
    score: float
    reasons: tuple[str, ...]  # which signals fired, human-readable
    topics: tuple[str, ...] = ()  # matched topic tags, e.g. ("데이터센터", "GPU") for hashtags
    undecided: bool = False  # the text given cannot decide (e.g. title without place): read the body


class Detector:
    """Built once from the term lists (bot/relevance_terms.toml) plus config overrides."""

    def __init__(self, overrides: dict[str, Any] | None = None) -> None:
        raise NotImplementedError

    def classify(self, title: str, text: str | None = None) -> Verdict:
        raise NotImplementedError
