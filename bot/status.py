"""One snapshot of how the bot is doing, for /status, /sources, /metrics, /healthz and `check`.

Built by `snapshot` from the config, the state and what the daemon knows about itself (`Runtime`);
every count of pending or failed posts is made here and nowhere else.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from bot.sources import SourceConfig
from state.records import ChatBlock, OutboxKind, OutboxStatus, State


@dataclass(slots=True)
class Runtime:
    """What the daemon knows about itself since it started."""

    started_at: float = field(default_factory=time.time)
    cycles: int = 0
    last_cycle_at: float | None = None
    last_cycle_duration: float = 0.0
    cycle_seconds_total: float = 0.0

    def cycle_done(self, at: float, duration: float) -> None:
        self.cycles += 1
        self.last_cycle_at = at
        self.last_cycle_duration = duration
        self.cycle_seconds_total += duration


@dataclass(frozen=True, slots=True)
class SourceStatus:
    name: str
    type: str
    url: str
    interval_minutes: float
    polled: bool  # polled at least once
    consecutive_failures: int
    last_error: str | None
    last_item_count: int
    last_ok_at: float | None

    @property
    def failing(self) -> bool:
        return self.consecutive_failures > 0


@dataclass(frozen=True, slots=True)
class StatusSnapshot:
    now: float
    runtime: Runtime
    sources: tuple[SourceStatus, ...]
    pending: int  # outbox entries waiting to be sent
    failed: int  # parked after a permanent refusal
    posts_sent: int  # posts confirmed by Telegram (within retention)
    paused: bool
    blocked_chats: dict[str, ChatBlock]
    seen: int
    stories: int
    gnews: str | None  # whether Google News links are resolved (scrapers.gnews), once any were met

    @property
    def failing(self) -> list[SourceStatus]:
        return [s for s in self.sources if s.failing]

    @property
    def longest_interval_seconds(self) -> float:
        return max((s.interval_minutes * 60 for s in self.sources), default=600.0)


def snapshot(
    sources: tuple[SourceConfig, ...], state: State, runtime: Runtime, now: float, gnews: str | None = None
) -> StatusSnapshot:
    """`gnews`: the sentence on Google News link resolution (scrapers.gnews.describe_health), if any."""
    rows = []
    for source in sources:
        memory = state.sources.get(source.name)
        rows.append(
            SourceStatus(
                name=source.name,
                type=source.type,
                url=source.url,
                interval_minutes=source.interval_minutes,
                polled=memory is not None and memory.last_attempt_at is not None,
                consecutive_failures=memory.consecutive_failures if memory else 0,
                last_error=memory.last_error if memory else None,
                last_item_count=memory.last_item_count if memory else 0,
                last_ok_at=memory.last_ok_at if memory else None,
            )
        )
    return StatusSnapshot(
        now=now,
        runtime=runtime,
        sources=tuple(rows),
        pending=state.count(OutboxStatus.PENDING),
        failed=state.count(OutboxStatus.FAILED),
        posts_sent=state.count(OutboxStatus.SENT, OutboxKind.POST),
        paused=state.paused,
        blocked_chats=dict(state.blocked_chats),
        seen=len(state.seen),
        stories=len(state.stories),
        gnews=gnews,
    )
