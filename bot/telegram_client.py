"""The Telegram side of delivery: python-telegram-bot behind the `bot.senders.Sender` seam.

Messages go to ``{api_base_url}/bot<token>/`` with parse_mode HTML. Every error python-telegram-bot
raises is translated here into a `SendFailure` (`classify`), by the exception's type and, for network
errors, by the httpx exception it was raised from (``__cause__``): a request that never left (no
connection could be made, none was free) is told apart from one whose answer was lost. Only for 400
answers, where the Bot API gives nothing but a description, is the description read.

``PTB_TIMEDELTA=1`` is set (with ``setdefault``, before PTB is imported) so that
``RetryAfter.retry_after`` is a ``timedelta`` and reading it emits no deprecation warning. The
``httpx`` logger logs request URLs, which contain the token, at INFO, and PTB's ``telegram.Bot`` logs
its base URL at DEBUG: httpx is turned down here (and `bot.logs` turns both down), and every error text
leaving this module is scrubbed.
"""

from __future__ import annotations

import logging
import os
from datetime import timedelta

os.environ.setdefault("PTB_TIMEDELTA", "1")  # before PTB builds any RetryAfter (see the docstring)

import httpx
import telegram
from telegram.constants import FloodLimit, ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.request import HTTPXRequest

from bot.logs import keep_token_out_of_logs, scrub
from bot.senders import FailureKind, FloodLimits, SendFailure, TelegramConfig

log = logging.getLogger(__name__)
keep_token_out_of_logs()  # wherever this sender is used (`bot.logs` quietens them further for the commands)

TELEGRAM_LIMITS = FloodLimits(
    channel_per_minute=FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP,
    private_interval=1.0 / FloodLimit.MESSAGES_PER_SECOND_PER_CHAT,
)
# Descriptions of 400 answers that mean "this chat cannot take messages from the bot", not "this message".
_CHAT_REFUSALS = ("chat not found", "need administrator rights", "have no rights to send", "not enough rights")
_NOT_MODIFIED = "message is not modified"
_GONE = ("message to edit not found", "message to delete not found")
# httpx errors raised before the request could have been sent.
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol,
               httpx.LocalProtocolError, httpx.ProxyError)  # fmt: skip


def retry_after_seconds(exc: RetryAfter) -> float:
    value: timedelta | float = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def classify(exc: BaseException, token: str | None = None) -> SendFailure:
    """The `SendFailure` for an exception raised while sending (PTB's or the network's)."""
    text = scrub(f"{type(exc).__name__}: {exc}", token)
    if isinstance(exc, RetryAfter):
        return SendFailure(FailureKind.RETRY_AFTER, text, retry_after=retry_after_seconds(exc))
    if isinstance(exc, ChatMigrated):
        return SendFailure(FailureKind.MIGRATED, text, new_chat_id=int(exc.new_chat_id))
    if isinstance(exc, InvalidToken):
        return SendFailure(FailureKind.TOKEN_REJECTED, text)
    if isinstance(exc, Forbidden):
        return SendFailure(FailureKind.CHAT_REFUSED, text)
    if isinstance(exc, BadRequest):
        low = exc.message.lower()
        if _NOT_MODIFIED in low:
            return SendFailure(FailureKind.NOT_MODIFIED, text)
        if any(gone in low for gone in _GONE):
            return SendFailure(FailureKind.MESSAGE_GONE, text)
        if any(refusal in low for refusal in _CHAT_REFUSALS):
            return SendFailure(FailureKind.CHAT_REFUSED, text)
        return SendFailure(FailureKind.MESSAGE_REJECTED, text)
    cause = exc.__cause__
    if isinstance(exc, NetworkError):
        if isinstance(cause, _NEVER_SENT):
            return SendFailure(FailureKind.NOT_SENT, text)
        if cause is None or isinstance(cause, TelegramError):
            # PTB made it from an HTTP status (5xx, an HTML error page): Telegram answered, posted nothing.
            return SendFailure(FailureKind.SERVER_ERROR, text)
        return SendFailure(FailureKind.ANSWER_LOST, text)  # read timeout, dropped connection, …
    if isinstance(exc, TelegramError):
        # "Invalid server response": a 2xx whose body could not be read — the message may be posted.
        return SendFailure(FailureKind.ANSWER_LOST if isinstance(cause, ValueError) else FailureKind.SERVER_ERROR, text)
    if isinstance(exc, OSError):
        return SendFailure(FailureKind.NOT_SENT, text)
    return SendFailure(FailureKind.SERVER_ERROR, text)


class TelegramSender:
    """Sends through python-telegram-bot; raises only `SendFailure`."""

    limits: FloodLimits | None = TELEGRAM_LIMITS

    def __init__(
        self,
        config: TelegramConfig,
        *,
        trust_env: bool = True,
        read_timeout: float = 15.0,
        write_timeout: float = 15.0,
        connect_timeout: float = 10.0,
        pool_timeout: float = 5.0,
    ) -> None:
        if not config.bot_token:
            raise ValueError("TelegramSender needs a bot token (without one, use DryRunSender)")
        self.token: str | None = config.bot_token
        self._request = HTTPXRequest(
            connection_pool_size=8,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
            httpx_kwargs={"trust_env": trust_env},
        )
        self.bot = telegram.Bot(
            config.bot_token, base_url=f"{config.api_base_url.rstrip('/')}/bot", request=self._request
        )
        self._initialized = False

    async def _ready(self) -> None:
        if not self._initialized:
            await self.bot.initialize()  # getMe: a rejected token shows up here as InvalidToken
            self._initialized = True

    async def send(self, chat_id: int | str, text: str, *, link_preview: bool, reply_to: int | None = None) -> int:
        reply = None
        if reply_to is not None:  # a thread's earlier post; if it was deleted, the post goes out anyway
            reply = telegram.ReplyParameters(reply_to, allow_sending_without_reply=True)
        try:
            await self._ready()
            message = await self.bot.send_message(
                chat_id,
                text,
                parse_mode=ParseMode.HTML,
                link_preview_options=telegram.LinkPreviewOptions(is_disabled=not link_preview),
                reply_parameters=reply,
            )
        except Exception as exc:
            raise classify(exc, self.token) from exc
        return message.message_id

    async def edit(self, chat_id: int | str, message_id: int, text: str, *, link_preview: bool) -> None:
        try:
            await self._ready()
            await self.bot.edit_message_text(
                text,
                chat_id=chat_id,
                message_id=message_id,
                parse_mode=ParseMode.HTML,
                link_preview_options=telegram.LinkPreviewOptions(is_disabled=not link_preview),
            )
        except Exception as exc:
            raise classify(exc, self.token) from exc

    async def delete(self, chat_id: int | str, message_id: int) -> None:
        try:
            await self._ready()
            await self.bot.delete_message(chat_id, message_id)
        except Exception as exc:
            raise classify(exc, self.token) from exc

    async def probe(self) -> None:
        try:
            if self._initialized:
                await self.bot.get_me()
            else:
                await self._ready()
        except Exception as exc:
            raise classify(exc, self.token) from exc

    async def close(self) -> None:
        if self._initialized:
            await self.bot.shutdown()
            self._initialized = False
        else:  # initialize() may have failed half-way (e.g. a rejected token): close the connections
            await self._request.shutdown()

    async def __aenter__(self) -> TelegramSender:
        await self._ready()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
