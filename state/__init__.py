"""The bot's memory: typed records (`state.records`) in one JSON file (`state.store`)."""

from state.records import (
    SCHEMA_VERSION,
    Baseline,
    ChatBlock,
    Copy,
    OutboxEntry,
    OutboxKind,
    OutboxStatus,
    Seen,
    SourceState,
    State,
    StateError,
    StoryRecord,
)
from state.store import StateConfig, StateLockedError, StateStore, StateWriteError

__all__ = [
    "SCHEMA_VERSION",
    "Baseline",
    "ChatBlock",
    "Copy",
    "OutboxEntry",
    "OutboxKind",
    "OutboxStatus",
    "Seen",
    "SourceState",
    "State",
    "StateConfig",
    "StateError",
    "StateLockedError",
    "StateStore",
    "StateWriteError",
    "StoryRecord",
]
