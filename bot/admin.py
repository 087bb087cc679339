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

import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, Protocol

from telegram import LinkPreviewOptions, MessageOriginChannel, Update
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, CommandHandler, ContextTypes, filters
from telegram.request import HTTPXRequest

from bot import render
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


Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


class AdminService:
    def __init__(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        self.app = app

    async def stop(self) -> None:
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()


def _who(update: Update) -> object:
    return update.effective_chat.id if update.effective_chat else "?"


def _admin(update: Update) -> int | None:
    return update.effective_chat.id if update.effective_chat else None


def build_application(
    tg: TelegramConfig, controls: Controls, *, trust_env: bool
) -> Application[Any, Any, Any, Any, Any, Any]:
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

    async def reply(update: Update, text: str) -> None:
        if update.effective_message is not None:
            await update.effective_message.reply_text(
                text, parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
            )

    async def on_status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await reply(update, render.status_reply(controls.status()))

    async def on_sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await reply(update, render.sources_reply(controls.status()))

    async def on_latest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        args = context.args or []
        n = int(args[0]) if args and args[0].isdigit() else LATEST_DEFAULT
        await reply(update, render.latest_reply(controls.latest(max(1, min(n, LATEST_MAX)))))

    async def on_pause(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        controls.set_paused(True)
        log.warning("delivery paused by admin %s", _who(update))
        await reply(update, render.PAUSED_REPLY)

    async def on_resume(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        waiting = controls.set_paused(False)
        log.warning("delivery resumed by admin %s", _who(update))
        await reply(update, render.resumed_reply(waiting))

    async def on_retry(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await reply(update, render.retried_reply(controls.retry_failed()))

    async def on_check(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        args = context.args or []
        if not args or not args[0].startswith(("http://", "https://")):
            await reply(update, render.CHECK_USAGE)
            return
        await reply(update, await controls.check(args[0]))

    def url_argument(context: ContextTypes.DEFAULT_TYPE) -> str | None:
        args = context.args or []
        return args[0] if args and args[0].startswith(("http://", "https://")) else None

    async def on_missed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        url = url_argument(context)
        if url is None:
            await reply(update, render.URL_USAGE.format(command="missed"))
            return
        await reply(update, await controls.missed(url, _admin(update)))

    async def on_post(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        url = url_argument(context)
        if url is None:
            await reply(update, render.URL_USAGE.format(command="post"))
            return
        await reply(update, await controls.post(url, _admin(update)))

    async def on_wrong(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        target: str | int | None = url_argument(context)
        replied = update.effective_message.reply_to_message if update.effective_message else None
        origin = replied.forward_origin if replied is not None else None
        if target is None and isinstance(origin, MessageOriginChannel):
            if origin.chat.id not in controls.channel_ids() and origin.chat.username not in controls.channel_ids():
                await reply(update, render.WRONG_NOT_OURS)
                return
            target = origin.message_id
        if target is None:
            await reply(update, render.WRONG_USAGE)
            return
        await reply(update, controls.wrong(target, _admin(update)))

    async def on_story(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        url = url_argument(context)
        await reply(update, controls.story(url) if url else render.URL_USAGE.format(command="story"))

    async def on_coverage(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await reply(update, controls.coverage())

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.warning("admin command failed: %s: %s", type(context.error).__name__, context.error)

    handlers: dict[str, Handler] = {
        "status": on_status,
        "sources": on_sources,
        "latest": on_latest,
        "pause": on_pause,
        "resume": on_resume,
        "retry": on_retry,
        "check": on_check,
        "missed": on_missed,
        "post": on_post,
        "wrong": on_wrong,
        "story": on_story,
        "coverage": on_coverage,
    }
    admins = filters.Chat(chat_id=list(tg.admin_chat_ids))
    for name, callback in handlers.items():
        app.add_handler(CommandHandler(name, callback, filters=admins))
    app.add_error_handler(on_error)
    return app


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
        log.error("admin commands unavailable: %s: %s", type(exc).__name__, exc)
        return None
    log.info("admin commands on for %d chat(s)", len(tg.admin_chat_ids))
    return AdminService(app)
