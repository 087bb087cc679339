"""Where messages go, and the one vocabulary of what can go wrong on the way (no Telegram library here).

A `Sender` sends and edits messages. The Telegram sender (`bot.telegram_client`) translates every
python-telegram-bot error into a `SendFailure` at its boundary, so delivery decides on a `FailureKind`,
never on a library's exception types or message texts:

    RETRY_AFTER       flood control: wait `retry_after` seconds, send the same message again
    MIGRATED          the group became a supergroup: send to `new_chat_id`
    CHAT_REFUSED      the bot was removed from the chat, lacks rights, or the chat does not exist:
                      a person can fix it; nothing can go to that chat until then
    MESSAGE_REJECTED  Telegram refused this message's content (bad markup, too long): only this one fails
    NOT_MODIFIED      an edit to the text the message already has: nothing to do
    MESSAGE_GONE      the message to edit or delete does not exist (any more)
    TOKEN_REJECTED    the bot token was revoked or is wrong: nothing can be sent until it is fixed
    NOT_SENT          the request certainly did not reach Telegram (no connection, no free connection)
    SERVER_ERROR      Telegram answered with a server error: the message was not posted
    ANSWER_LOST       the request may have reached Telegram but no answer came (a read timeout, a
                      dropped connection): the message may have been posted
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol, TextIO


@dataclass(frozen=True, slots=True)
class TelegramConfig:
    """`[telegram]` of the config."""

    bot_token: str | None = None  # TELEGRAM_BOT_TOKEN in the environment wins over this
    chat_id: str | int | None = None  # the channel: "@name" or -100…
    api_base_url: str = field(default="https://api.telegram.org", metadata={"url": True})
    admin_chat_ids: tuple[int, ...] = ()  # who may use admin commands and receives alerts
    link_previews: bool = False
    admin_commands: bool = True

    @property
    def dry_run(self) -> bool:
        return not self.bot_token


class FailureKind(StrEnum):
    RETRY_AFTER = "retry-after"
    MIGRATED = "migrated"
    CHAT_REFUSED = "chat-refused"
    MESSAGE_REJECTED = "message-rejected"
    NOT_MODIFIED = "not-modified"
    MESSAGE_GONE = "message-gone"
    TOKEN_REJECTED = "token-rejected"
    NOT_SENT = "transient-before-send"
    SERVER_ERROR = "server-error"
    ANSWER_LOST = "transient-answer-lost"


class SendFailure(Exception):
    """A send or edit did not (certainly) succeed; `str()` is what Telegram or the network said, with
    the token scrubbed."""

    def __init__(
        self,
        kind: FailureKind,
        message: str,
        *,
        retry_after: float | None = None,
        new_chat_id: int | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.retry_after = retry_after
        self.new_chat_id = new_chat_id


@dataclass(frozen=True, slots=True)
class FloodLimits:
    """How fast one chat may receive messages."""

    channel_per_minute: int  # the channel (a group-like chat)
    private_interval: float  # seconds between two messages to a private chat (admin alerts)


class Sender(Protocol):
    """Where messages go. Raises `SendFailure` and nothing else for a failed send or edit."""

    limits: FloodLimits | None  # None: no flood limits (printing)

    async def send(self, chat_id: int | str, text: str, *, link_preview: bool, reply_to: int | None = None) -> int:
        """Send; `reply_to`: a message of the same chat to answer (sent as no reply if it is gone)."""
        ...

    async def edit(self, chat_id: int | str, message_id: int, text: str, *, link_preview: bool) -> None: ...

    async def delete(self, chat_id: int | str, message_id: int) -> None:
        """Delete a message (raises SendFailure MESSAGE_REJECTED when Telegram will not, e.g. after 48 h)."""
        ...

    async def probe(self) -> None:
        """Check that the bot token is accepted (raises SendFailure when not)."""
        ...

    async def close(self) -> None: ...


class DryRunSender:
    """Prints each message instead of sending it (no bot token); returns made-up increasing ids."""

    limits: FloodLimits | None = None

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out if out is not None else sys.stdout
        self._next_id = 1

    async def send(self, chat_id: int | str, text: str, *, link_preview: bool, reply_to: int | None = None) -> int:
        message_id = self._next_id
        self._next_id += 1
        answer = f" in reply to #{reply_to}" if reply_to is not None else ""
        self._print(f"message #{message_id} to {chat_id}{answer}", text)
        return message_id

    async def edit(self, chat_id: int | str, message_id: int, text: str, *, link_preview: bool) -> None:
        self._print(f"edit of message #{message_id} in {chat_id}", text)

    async def delete(self, chat_id: int | str, message_id: int) -> None:
        self._print(f"delete of message #{message_id} in {chat_id}", "")

    async def probe(self) -> None:
        return None

    def _print(self, head: str, text: str) -> None:
        rule = "─" * 60
        head_line = f"┌─ dry run: {head} {rule[: max(0, 44 - len(head))]}"
        print(f"{head_line}\n{text}\n└{rule}", file=self.out, flush=True)

    async def close(self) -> None:
        return None
