"""Admin commands over long polling on the same Bot API, answered only in `admin_chat_ids`.

/status    uptime, last poll, per-source health, pending posts
/sources   every source with its last result
/latest N  the last N stories (default 5)
/pause     stop delivering (polling goes on; posts wait in the outbox)
/resume    deliver again
/retry     put posts that Telegram refused for good back in the queue
/check URL fetch and parse a listing page on demand
/missed URL, /post URL, /wrong URL|t.me link|reply, /story URL, /coverage: the operator's loop
           (bot.operator_commands)

Messages from any other chat match no handler and are ignored without an answer. The commands act
through `Controls` (the daemon implements it); their wording is the renderer's.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, Protocol

from telegram import LinkPreviewOptions, MessageOriginChannel, Update
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, CommandHandler, ContextTypes, filters
from telegram.request import HTTPXRequest

from bot import render
from bot.logs import scrub
from bot.senders import TelegramConfig
from bot.status import StatusSnapshot
from state.records import StoryRecord

log = logging.getLogger(__name__)

LATEST_DEFAULT, LATEST_MAX = 5, 30


class Controls(Protocol):
    """What admin commands can see and do."""

    def status(self) -> StatusSnapshot: ...

    def latest(self, n: int) -> Sequence[StoryRecord]: ...

    def set_paused(self, paused: bool) -> int:
        """Pause or resume delivery; returns how many entries are waiting."""
        ...

    def retry_failed(self) -> int:
        """Requeue parked posts; returns how many."""
        ...

    async def check(self, url: str) -> str:
        """The /check answer for a listing URL."""
        ...

    async def missed(self, url: str, by: int | None) -> str: ...

    async def post(self, url: str, by: int | None) -> str: ...

    def wrong(self, target: str | int, by: int | None) -> str:
        """`target`: an article URL, a t.me link to the post, or the post's message id."""
        ...

    def story(self, url: str) -> str: ...

    def coverage(self) -> str: ...

    def channel_ids(self) -> set[int | str]:
        """The channel's ids (configured and migrated-to), to recognise its forwarded posts."""
        ...


Answer = Callable[[Controls, Update, list[str]], Awaitable[str]]  # the reply to one command


def _url(args: list[str]) -> str | None:
    return args[0] if args and args[0].startswith(("http://", "https://")) else None


def _admin(update: Update) -> int | None:
    return update.effective_chat.id if update.effective_chat else None


async def _status(controls: Controls, update: Update, args: list[str]) -> str:
    return render.status_reply(controls.status())


async def _sources(controls: Controls, update: Update, args: list[str]) -> str:
    return render.sources_reply(controls.status())


async def _latest(controls: Controls, update: Update, args: list[str]) -> str:
    n = int(args[0]) if args and args[0].isdigit() else LATEST_DEFAULT
    return render.latest_reply(controls.latest(max(1, min(n, LATEST_MAX))))


async def _pause(controls: Controls, update: Update, args: list[str]) -> str:
    controls.set_paused(True)
    log.warning("delivery paused by admin %s", _admin(update))
    return render.PAUSED_REPLY


async def _resume(controls: Controls, update: Update, args: list[str]) -> str:
    waiting = controls.set_paused(False)
    log.warning("delivery resumed by admin %s", _admin(update))
    return render.resumed_reply(waiting)


async def _retry(controls: Controls, update: Update, args: list[str]) -> str:
    return render.retried_reply(controls.retry_failed())


async def _check(controls: Controls, update: Update, args: list[str]) -> str:
    url = _url(args)
    return await controls.check(url) if url else render.CHECK_USAGE


async def _missed(controls: Controls, update: Update, args: list[str]) -> str:
    url = _url(args)
    return await controls.missed(url, _admin(update)) if url else render.URL_USAGE.format(command="missed")


async def _post(controls: Controls, update: Update, args: list[str]) -> str:
    url = _url(args)
    return await controls.post(url, _admin(update)) if url else render.URL_USAGE.format(command="post")


async def _wrong(controls: Controls, update: Update, args: list[str]) -> str:
    """By URL or t.me link, or as a reply to a channel post forwarded to the bot."""
    target: str | int | None = _url(args)
    replied = update.effective_message.reply_to_message if update.effective_message else None
    origin = replied.forward_origin if replied is not None else None
    if target is None and isinstance(origin, MessageOriginChannel):
        ours = controls.channel_ids()
        if origin.chat.id not in ours and origin.chat.username not in ours:
            return render.WRONG_NOT_OURS
        target = origin.message_id
    return controls.wrong(target, _admin(update)) if target is not None else render.WRONG_USAGE


async def _story(controls: Controls, update: Update, args: list[str]) -> str:
    url = _url(args)
    return controls.story(url) if url else render.URL_USAGE.format(command="story")


async def _coverage(controls: Controls, update: Update, args: list[str]) -> str:
    return controls.coverage()


COMMANDS: dict[str, Answer] = {
    "status": _status,
    "sources": _sources,
    "latest": _latest,
    "pause": _pause,
    "resume": _resume,
    "retry": _retry,
    "check": _check,
    "missed": _missed,
    "post": _post,
    "wrong": _wrong,
    "story": _story,
    "coverage": _coverage,
}


class AdminService:
    def __init__(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        self.app = app

    async def stop(self) -> None:
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()


def _handler(
    answer: Answer, controls: Controls
) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]:
    async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        text = await answer(controls, update, list(context.args or []))
        if update.effective_message is not None:
            await update.effective_message.reply_text(
                text, parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
            )

    return handle


def build_application(
    tg: TelegramConfig, controls: Controls, *, trust_env: bool
) -> Application[Any, Any, Any, Any, Any, Any]:
    """PTB's Application on the same Bot API, one handler per command, for the admin chats only."""
    app = (
        ApplicationBuilder()
        .token(tg.bot_token or "")
        .base_url(f"{tg.api_base_url}/bot")
        .base_file_url(f"{tg.api_base_url}/file/bot")
        .request(HTTPXRequest(httpx_kwargs={"trust_env": trust_env}))
        .get_updates_request(HTTPXRequest(httpx_kwargs={"trust_env": trust_env}))
        .job_queue(None)
        .build()
    )
    admins = filters.Chat(chat_id=list(tg.admin_chat_ids))
    for name, answer in COMMANDS.items():
        app.add_handler(CommandHandler(name, _handler(answer, controls), filters=admins))

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        # PTB's own texts may carry the token (InvalidToken quotes it): scrubbed here, not only by the
        # root handler's filter, which exists only when started from the command line.
        log.warning("admin command failed: %s", _described(context.error, tg.bot_token))

    app.add_error_handler(on_error)
    return app


def _described(exc: BaseException | None, token: str | None) -> str:
    return scrub(f"{type(exc).__name__}: {exc}", token)


async def start(tg: TelegramConfig, controls: Controls, *, trust_env: bool) -> AdminService | None:
    if tg.dry_run or not tg.admin_commands or not tg.admin_chat_ids:
        return None
    app = build_application(tg, controls, trust_env=trust_env)
    try:
        await app.initialize()
        await app.updater.start_polling(timeout=10, allowed_updates=["message"])  # type: ignore[union-attr]
        await app.start()
    except Exception as exc:
        # The channel posts do not depend on admin commands: keep running without them.
        log.error("admin commands unavailable: %s", _described(exc, tg.bot_token))
        with contextlib.suppress(Exception):
            await app.bot.request.shutdown()  # the connection the failed getMe opened
        return None
    log.info("admin commands on for %d chat(s)", len(tg.admin_chat_ids))
    return AdminService(app)
