"""The one backoff rule: the first delay after one failure, doubling with each failure in a row, capped.

Used for sources that keep failing, posts Telegram could not take, and chats that refuse the bot.
Saved deadlines are wall-clock times; `due` also treats a deadline further away than the largest delay
it could have been given as passed, so a wall clock stepped back (an NTP correction) cannot hold
anything for hours.
"""

from __future__ import annotations

_MAX_EXPONENT = 30  # 2**30 × any first delay is far past every cap


def delay(first: float, failures: int, cap: float) -> float:
    """Seconds to wait after `failures` (≥ 1) failures in a row: first, 2×first, 4×first … ≤ cap."""
    return float(min(cap, first * 2 ** min(max(failures, 1) - 1, _MAX_EXPONENT)))


def due(deadline: float | None, now: float, longest: float) -> bool:
    """Whether a deadline set at most `longest` seconds ahead has passed (or lies impossibly far ahead)."""
    return deadline is None or deadline <= now or deadline - now > longest
