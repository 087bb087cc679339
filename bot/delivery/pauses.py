"""Pauses of delivery that a person can end: a chat that refuses the bot (removed from the channel, no
rights, chat not found) and a token Telegram rejects. Nothing waiting is given up: each pause doubles
with every refusal in a row (from `refusal_pause_seconds` up to 6 hours), and when it runs out the next
attempt is the probe. Pauses live in the state, with the delay they were set for, so that a restart
keeps them and a wall clock stepped back cannot stretch them (bot.backoff.corrected).
"""

from __future__ import annotations

from bot import backoff
from bot.delivery.settings import CHAT_PAUSE_MAX_SECONDS
from state.records import ChatBlock, State


def _next(block: ChatBlock | None, error: str, now: float, first_pause: float) -> ChatBlock:
    refusals = 1 if block is None else block.refusals + 1
    pause = backoff.delay(first_pause, refusals, CHAT_PAUSE_MAX_SECONDS)
    return ChatBlock(
        since=block.since if block else now, until=now + pause, pause=pause, error=error, refusals=refusals
    )


def _until(block: ChatBlock | None, now: float) -> float:
    if block is None:
        return 0.0
    block.until = backoff.corrected(block.until, block.pause, now) or 0.0
    return block.until


class Pauses:
    def __init__(self, state: State, first_pause: float) -> None:
        self.state, self.first_pause = state, first_pause

    def chat_until(self, chat: int | str, now: float) -> float:
        """When a refusing chat is tried again (0.0: it is not paused)."""
        return _until(self.state.blocked_chats.get(str(chat)), now)

    def refuse_chat(self, chat: int | str, error: str, now: float) -> tuple[ChatBlock, bool]:
        """Pause (or pause longer) a chat that refused a message; True when this began the pause."""
        before = self.state.blocked_chats.get(str(chat))
        block = self.state.blocked_chats[str(chat)] = _next(before, error, now, self.first_pause)
        return block, before is None

    def restore_chat(self, chat: int | str) -> bool:
        """The chat took a message: True when it had been paused."""
        return self.state.blocked_chats.pop(str(chat), None) is not None

    def token_until(self, now: float) -> float:
        """When a rejected token is checked again (0.0: it is not known to be rejected)."""
        return _until(self.state.token_block, now)

    def reject_token(self, error: str, now: float) -> ChatBlock:
        block = self.state.token_block = _next(self.state.token_block, error, now, self.first_pause)
        return block

    def accept_token(self) -> None:
        self.state.token_block = None
