"""The one backoff rule, and deadlines that survive a wall clock stepped back.

`delay`: the first delay after one failure, doubling with each failure in a row, capped. Used for
sources that keep failing, posts Telegram could not take, and chats (or a token) that refuse the bot.

Saved deadlines are wall-clock times, the only clock that survives a restart. Each is kept with the
delay it was set for. A deadline further ahead than that delay can only mean the clock stepped back (an
NTP correction) after it was set; `corrected` then moves it to that delay from now, and the caller
stores the result, so a step back costs at most one delay instead of the delay plus the step.
"""

from __future__ import annotations

_MAX_EXPONENT = 30  # 2**30 × any first delay is far past every cap


def delay(first: float, failures: int, cap: float) -> float:
    """Seconds to wait after `failures` (≥ 1) failures in a row: first, 2×first, 4×first … ≤ cap."""
    return float(min(cap, first * 2 ** min(max(failures, 1) - 1, _MAX_EXPONENT)))


def corrected(deadline: float | None, delay: float, now: float) -> float | None:
    """`deadline`, or `now + delay` when it lies further ahead than `delay` (store what this returns)."""
    if deadline is None or deadline - now <= max(delay, 0.0):
        return deadline
    return now + max(delay, 0.0)
