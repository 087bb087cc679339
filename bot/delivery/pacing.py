"""Flood limits, planned rather than only reacted to: per chat, at most `max_per_window` sends in any
window and a minimum spacing between two sends, with the recent send times kept in the state so that a
restart does not burst.

Times are recorded when Telegram's answer arrives, which is after the server saw the request, so the
server's view of the spacing is never tighter than ours. A send recorded after "now" (the wall clock
stepped back since) counts as sent now.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from bot import backoff
from bot.delivery.settings import DeliveryConfig
from bot.senders import FloodLimits
from state.records import State


class FloodLimiter:
    """At most `max_per_window` sends per `window` seconds and `min_interval` between sends, one chat."""

    def __init__(self, max_per_window: int, window: float, min_interval: float, history: Iterable[float] = ()) -> None:
        self.max_per_window = max(1, max_per_window)
        self.window = window
        self.min_interval = min_interval
        self.sends: deque[float] = deque(sorted(history)[-self.max_per_window :], maxlen=self.max_per_window)
        self.blocked_until = 0.0  # set by a RetryAfter
        self.blocked_for = 0.0  # the wait it was set for

    def block(self, now: float, wait: float) -> None:
        self.blocked_until, self.blocked_for = now + wait, wait

    def next_slot(self, now: float) -> float:
        """The earliest time a send may start."""
        self.blocked_until = backoff.corrected(self.blocked_until, self.blocked_for, now) or 0.0
        at = max(now, self.blocked_until)
        if self.sends:
            at = max(at, min(self.sends[-1], now) + self.min_interval)
            if len(self.sends) >= self.max_per_window:
                at = max(at, min(self.sends[0], now) + self.window)
        return at

    def record(self, at: float) -> None:
        self.sends.append(at)


class Pacing:
    """The limiters of every chat of one delivery run: the channel's from the config, private chats'
    (admin alerts) from the sender's limits, none at all for a sender without limits (printing)."""

    def __init__(
        self, state: State, limits: FloodLimits | None, config: DeliveryConfig, window: float, channel: int | str
    ) -> None:
        self.state, self.limits, self.config, self.window = state, limits, config, window
        self.channel = channel
        self.limiters: dict[str, FloodLimiter] = {}

    def __call__(self, chat: int | str) -> FloodLimiter:
        key = str(chat)
        lim = self.limiters.get(key)
        if lim is None:
            history = self.state.delivery_sends.get(key, [])
            if self.limits is None:
                lim = FloodLimiter(1, 0.0, 0.0)
            elif chat == self.channel:
                lim = FloodLimiter(self.config.max_per_minute, self.window, self.config.min_interval_seconds, history)
            else:
                lim = FloodLimiter(self.limits.channel_per_minute, self.window, self.limits.private_interval, history)
            self.limiters[key] = lim
        return lim

    def sent(self, chat: int | str, at: float) -> None:
        lim = self(chat)
        lim.record(at)
        if self.limits is not None:
            self.state.delivery_sends[str(chat)] = list(lim.sends)
