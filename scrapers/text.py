"""Scraped text made safe to show: `clean_display_text`.

Titles, outlet names and summaries come from pages we do not control. Some carry characters that
are invisible but change what a reader sees or what a filter matches:

- bidirectional controls (U+202A–U+202E embeddings and overrides, U+2066–U+2069 isolates, U+200E/
  U+200F marks, U+061C): an RLO (U+202E) makes "광주 AI센터 txt.exe" read backwards in the channel;
- other format characters (Unicode category Cf): zero-width space U+200B, zero-width non-joiner
  U+200C, word joiner U+2060, soft hyphen U+00AD, BOM U+FEFF, the tag characters U+E0000–U+E007F…
  A zero-width space inside "광주" hides the word from the relevance filter; removing it joins what
  a reader already sees joined. Korean text never needs U+200B or U+200C to render.
- control characters (Cc) other than tab and line feed, lone surrogates (Cs: not encodable, a send
  would fail) and the noncharacters U+FFFE/U+FFFF;
- the blank Hangul fillers U+3164, U+FFA0, U+115F, U+1160 (letters, but they render as nothing and
  are a favourite of spam names).

Kept: the zero-width joiner U+200D between two emoji (👩‍💻 is one picture, not two), variation
selectors, private-use characters (icon fonts draw them). The result is NFC-normalised (pages from
some editors send decomposed Hangul jamo, which look the same but match nothing) and its whitespace
collapsed: to single spaces, or, with `multiline=True`, to single spaces within lines and one
line break between non-empty lines.

The work is one pass of one regular expression over the text (a character class, no nesting), so it
is linear whatever the input.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import cache

# Invisible Hangul fillers (category Lo, so not caught by the category rule).
HANGUL_FILLERS = "\u115f\u1160\u3164\uffa0"
ZWJ = "\u200d"
MAX_TITLE_CHARS = 500  # a title longer than this is not a headline; it is cut, with "…"
_KEEP_CONTROLS = "\t\n"
# Planes scanned for Cf/Cc/Cs characters: BMP, SMP (musical and shorthand format controls) and
# plane 14 (tags); the other planes hold no such characters.
_SCANNED = ((0, 0x20000), (0xE0000, 0xE1000))
_EMOJI = r"\u2190-\u21ff\u2300-\u23ff\u2460-\u27bf\u2900-\u2bff\u3030\u303d\u3297\u3299\ufe0f\U0001f000-\U0001faff"
_STRAY_ZWJ = re.compile(rf"(?<![{_EMOJI}]){ZWJ}|{ZWJ}(?![{_EMOJI}])")
_HSPACE = re.compile(r"[^\S\n]+")
_LINES = re.compile(r" ?\n[\s]*")


def _ranges(chars: list[int]) -> str:
    """A regex character class body for sorted code points, as ranges."""
    parts: list[str] = []
    start = prev = chars[0]
    for cp in [*chars[1:], -1]:
        if cp == prev + 1:
            prev = cp
            continue
        parts.append(re.escape(chr(start)) if start == prev else f"{re.escape(chr(start))}-{re.escape(chr(prev))}")
        start = prev = cp
    return "".join(parts)


@cache
def _invisible() -> re.Pattern[str]:
    """Every character to drop, from this Python's Unicode database (built once, ~30 ms)."""
    chars: list[int] = []
    for low, high in _SCANNED:
        for cp in range(low, min(high, sys.maxunicode + 1)):
            ch = chr(cp)
            if ch == ZWJ or ch in _KEEP_CONTROLS:
                continue
            if unicodedata.category(ch) in ("Cf", "Cc", "Cs") or ch in HANGUL_FILLERS:
                chars.append(cp)
    chars += [0xFFFE, 0xFFFF]
    return re.compile(f"[{_ranges(sorted(set(chars)))}]")


def strip_invisible(text: str) -> str:
    """`text` without the characters `clean_display_text` drops (bidi and other format characters,
    controls but tab and line feed, Hangul fillers); nothing else changed."""
    return _invisible().sub("", text)


def is_invisible(ch: str) -> bool:
    """Would `clean_display_text` drop this character (ZWJ aside, which depends on its neighbours)?"""
    return _invisible().fullmatch(ch) is not None


def clean_display_text(text: str | None, *, multiline: bool = False, limit: int | None = None) -> str:
    """`text` without bidi controls, invisible format and control characters, NFC, whitespace tidied.

    `None` gives "". With `multiline=False` (titles, outlet names) every run of whitespace, line
    breaks included, becomes one space; with `multiline=True` (article text, summaries) line breaks
    survive, one between two non-empty lines. With `limit`, a longer result is cut to `limit`
    characters, the last one "…".
    """
    if not text:
        return ""
    if limit is not None:
        text = text[: limit * 4]  # what whitespace and invisible characters could shrink to `limit`
    text = strip_invisible(text)
    if ZWJ in text:
        text = _STRAY_ZWJ.sub("", text)
    text = unicodedata.normalize("NFC", text)
    text = " ".join(text.split()) if not multiline else _LINES.sub("\n", _HSPACE.sub(" ", text)).strip()
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text
