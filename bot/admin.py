"""Admin commands over long polling on the same Bot API, answered only in `admin_chat_ids`.

/status    uptime, last poll, per-source health, pending posts
/sources   every source with its last result
/latest N  the last N stories (default 5)
/pause     stop delivering (polling goes on; posts wait in the outbox)
/resume    deliver again
/retry     put posts that Telegram refused for good back in the queue (e.g. after re-adding the bot)
/check URL fetch and parse a listing page on demand

Messages from any other chat match no handler and are ignored without an answer.
"""

from __future__ import annotations

import html
import logging
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

from telegram import LinkPreviewOptions, Update
from telegram.constants import MessageLimit, ParseMode
from telegram.ext import Application, ApplicationBuilder, CommandHandler, ContextTypes, filters
from telegram.request import HTTPXRequest

from bot.delivery import blocked_chats, requeue_failed
from scrapers.dates import KST

if TYPE_CHECKING:
    from bot.daemon import Daemon

log = logging.getLogger(__name__)

COMMANDS = ("status", "sources", "latest", "pause", "resume", "retry", "check")


def _ago(epoch: float | None, now: float) -> str:
    if not epoch:
        return "없음"
    seconds = max(0, int(now - epoch))
    if seconds < 120:
        return f"{seconds}초 전"
    if seconds < 7200:
        return f"{seconds // 60}분 전"
    if seconds < 172800:
        return f"{seconds // 3600}시간 전"
    return f"{seconds // 86400}일 전"


def _clip(text: str) -> str:
    limit = MessageLimit.MAX_TEXT_LENGTH - 100
    return text if len(text) <= limit else text[:limit].rsplit("\n", 1)[0] + "\n…"


def status_text(daemon: Daemon) -> str:
    now, rt, state = time.time(), daemon.runtime, daemon.state
    failing = [s for s in daemon.config.sources if (m := state.sources.get(s.name)) and m.consecutive_failures]
    lines = [
        "<b>상태</b>",
        f"가동: {_ago(rt.started_at, now).replace(' 전', '')}째",
        f"마지막 수집: {_ago(rt.last_cycle_at, now)}",
        f"소스: {len(daemon.config.sources) - len(failing)}개 정상, {len(failing)}개 장애",
        f"대기 중인 게시: {len(state.pending())}건" + (" (일시정지됨)" if state.meta.get("paused") else ""),
        f"실패한 게시: {sum(1 for e in state.outbox if e.status == 'failed')}건",
    ]
    for chat, info in blocked_chats(state).items():
        lines.append(f"• 채널 {html.escape(chat)} 전송 거부: {html.escape(str(info.get('error', '')))}")
    for s in failing:
        m = state.sources[s.name]
        lines.append(f"• {html.escape(s.name)}: {m.consecutive_failures}회 실패 — {html.escape(m.last_error or '')}")
    return _clip("\n".join(lines))


def sources_text(daemon: Daemon) -> str:
    now = time.time()
    lines = [f"<b>소스 {len(daemon.config.sources)}개</b>"]
    for s in daemon.config.sources:
        m = daemon.state.sources.get(s.name)
        if m is None or m.last_attempt_at is None:
            health = "아직 수집 전"
        elif m.consecutive_failures:
            health = f"장애 {m.consecutive_failures}회: {m.last_error or ''}"
        else:
            health = f"정상, {m.last_item_count}건, {_ago(m.last_ok_at, now)}"
        lines.append(f"• {html.escape(s.name)} ({s.type}, {s.interval_minutes:g}분): {html.escape(health)}")
    return _clip("\n".join(lines))


def latest_text(daemon: Daemon, n: int) -> str:
    stories = sorted(daemon.state.stories.values(), key=lambda s: s.first_seen, reverse=True)[:n]
    if not stories:
        return "아직 게시한 소식이 없습니다."
    lines = [f"<b>최근 소식 {len(stories)}건</b>"]
    for s in stories:
        when = datetime.fromtimestamp(s.published_at or s.first_seen, KST).strftime("%m.%d %H:%M")
        lines.append(
            f'• <a href="{html.escape(s.link or s.url)}">{html.escape(s.title)}</a> — {html.escape(s.outlet)} {when}'
        )
    return _clip("\n".join(lines))


async def check_text(daemon: Daemon, url: str) -> str:
    from bot.config import SourceConfig
    from bot.pipeline import poll_source

    if daemon.fetcher is None:
        return "지금은 확인할 수 없습니다 (종료 중)."
    source = SourceConfig(name="check", url=url, type="html")
    poll = await poll_source(daemon.fetcher, source, None, conditional=False)
    if not poll.ok:
        return f"❌ {html.escape(url)}\n{html.escape(poll.error or '')}"
    lines = [f"✅ {html.escape(url)}: 기사 {len(poll.items)}건 ({poll.elapsed:.1f}초)"]
    for item in poll.items[:10]:
        verdict = daemon.detector.classify(item.title, item.snippet)
        mark = "★" if verdict.relevant else "·"
        lines.append(f'{mark} <a href="{html.escape(item.url)}">{html.escape(item.title)}</a>')
    return _clip("\n".join(lines))


class AdminService:
    def __init__(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        self.app = app

    async def stop(self) -> None:
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()


def build_application(daemon: Daemon) -> Application[Any, Any, Any, Any, Any, Any]:
    tg = daemon.config.telegram
    trust_env = daemon.config.fetch.trust_env
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

    async def reply(update: Update, text: str) -> None:
        if update.effective_message is not None:
            await update.effective_message.reply_text(
                text, parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
            )

    async def on_status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await reply(update, status_text(daemon))

    async def on_sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await reply(update, sources_text(daemon))

    async def on_latest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        args = context.args or []
        n = int(args[0]) if args and args[0].isdigit() else 5
        await reply(update, latest_text(daemon, max(1, min(n, 30))))

    async def on_pause(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        daemon.state.meta["paused"] = True
        daemon.store.save(daemon.state)
        log.warning("delivery paused by admin %s", update.effective_chat.id if update.effective_chat else "?")
        await reply(update, "⏸ 게시를 멈췄습니다. 새 소식은 대기열에 쌓입니다. /resume 으로 재개합니다.")

    async def on_resume(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        daemon.state.meta["paused"] = False
        daemon.store.save(daemon.state)
        daemon.wake_delivery.set()
        log.warning("delivery resumed by admin %s", update.effective_chat.id if update.effective_chat else "?")
        await reply(update, f"▶️ 게시를 재개합니다. 대기 중 {len(daemon.state.pending())}건.")

    async def on_retry(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        count = requeue_failed(daemon.state)
        daemon.store.save(daemon.state)
        daemon.wake_delivery.set()
        await reply(update, f"🔁 실패한 게시 {count}건을 다시 대기열에 넣었습니다.")

    async def on_check(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        args = context.args or []
        if not args or not args[0].startswith(("http://", "https://")):
            await reply(update, "사용법: /check https://목록-페이지-주소")
            return
        await reply(update, await check_text(daemon, args[0]))

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.warning("admin command failed: %s: %s", type(context.error).__name__, context.error)

    for name, callback in (
        ("status", on_status),
        ("sources", on_sources),
        ("latest", on_latest),
        ("pause", on_pause),
        ("resume", on_resume),
        ("retry", on_retry),
        ("check", on_check),
    ):
        app.add_handler(CommandHandler(name, callback, filters=admins))
    app.add_error_handler(on_error)
    return app


async def start(daemon: Daemon) -> AdminService | None:
    tg = daemon.config.telegram
    if tg.dry_run or not tg.admin_commands or not tg.admin_chat_ids:
        return None
    app = build_application(daemon)
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
