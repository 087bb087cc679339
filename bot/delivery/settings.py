"""Delivery's settings (`[delivery]` of the config) and the limits it works within."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.digest import DigestConfig, WeeklyConfig

CHANNEL_MAX_PER_MINUTE = 20  # telegram.constants.FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP (a test checks)
RETRY_AFTER_MARGIN = 0.5  # seconds added to Telegram's retry_after
CHAT_PAUSE_MAX_SECONDS = 6 * 3600.0  # longest pause of a chat (or token) that refuses us
MAX_ERROR_TEXT = 500


@dataclass(frozen=True, slots=True)
class DeliveryConfig:
    """`[delivery]` of the config. `metadata` holds the range the loader checks."""

    backfill_hours: float = field(default=24.0, metadata={"min": 0})  # a source's first poll posts newer
    max_age_hours: float = field(default=168.0, metadata={"min": 0.1})  # later: older is recorded, not posted
    max_per_minute: int = field(default=CHANNEL_MAX_PER_MINUTE, metadata={"min": 1, "max": CHANNEL_MAX_PER_MINUTE})
    min_interval_seconds: float = field(default=3.0, metadata={"min": 0, "max": 3600})
    max_attempts: int = field(default=8, metadata={"min": 1})  # transient failures before a post is parked
    backlog_digest_threshold: int = field(default=0, metadata={"min": 0})  # > 0: a larger backlog, one digest
    once_max_seconds: float = field(default=300.0, metadata={"min": 1})  # `once` stops delivering after this
    # A chat that refuses the bot (removed, no rights, not found) or a rejected token: the first pause
    # before trying again; it doubles with each refusal in a row, up to 6 hours.
    refusal_pause_seconds: float = field(default=600.0, metadata={"min": 1, "max": CHAT_PAUSE_MAX_SECONDS})
    digest: DigestConfig = field(default_factory=DigestConfig)
    weekly: WeeklyConfig = field(default_factory=WeeklyConfig)
