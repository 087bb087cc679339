"""The bot's memory: one JSON file with a schema version (see `state.store`)."""

from state.store import (
    SCHEMA_VERSION,
    OutboxEntry,
    SourceState,
    State,
    StateError,
    StateLockedError,
    StateStore,
    StoryRecord,
)

__all__ = [
    "SCHEMA_VERSION",
    "OutboxEntry",
    "SourceState",
    "State",
    "StateError",
    "StateLockedError",
    "StateStore",
    "StoryRecord",
]
