"""Korean sentence splitting and a short extractive summary."""

from __future__ import annotations


def split_sentences(text: str) -> list[str]:
    raise NotImplementedError


def summarize(text: str, *, title: str = "", fallback: str | None = None, max_chars: int = 300) -> str:
    """2–3 whole sentences, lead-biased, within max_chars; `fallback` (description or snippet) when
    the text gives nothing usable."""
    raise NotImplementedError
