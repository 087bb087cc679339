"""Optional HTTP endpoint for monitoring, bound to localhost: `/healthz` and Prometheus `/metrics`.

Enabled by `[health] http_listen = "127.0.0.1:9108"`. `/healthz` answers 200 while the bot is polling
(a cycle finished within the last three longest source intervals, or it started recently) and 503
otherwise, with a one-line reason. `/metrics` is the Prometheus text format.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.daemon import Daemon

log = logging.getLogger(__name__)

_REASONS = {200: "OK", 404: "Not Found", 405: "Method Not Allowed", 503: "Service Unavailable"}


def metrics_text(daemon: Daemon) -> str:
    state, rt, now = daemon.state, daemon.runtime, time.time()
    failing = sum(
        1 for s in daemon.config.sources if (m := state.sources.get(s.name)) is not None and m.consecutive_failures > 0
    )
    pending = sum(1 for e in state.outbox if e.status == "pending")
    failed = sum(1 for e in state.outbox if e.status == "failed")
    sent = sum(1 for e in state.outbox if e.status == "sent" and e.kind == "post")
    last = rt.last_cycle.duration if rt.last_cycle else 0.0
    rows = [
        ("gwatch_up", "gauge", "1 while the daemon runs", 1),
        ("gwatch_uptime_seconds", "gauge", "seconds since start", round(now - rt.started_at, 3)),
        ("gwatch_sources", "gauge", "configured sources", len(daemon.config.sources)),
        ("gwatch_sources_failing", "gauge", "sources whose last poll failed", failing),
        ("gwatch_sources_ok", "gauge", "sources whose last poll succeeded", len(daemon.config.sources) - failing),
        ("gwatch_items_seen", "gauge", "article URLs remembered as seen", len(state.seen)),
        ("gwatch_stories", "gauge", "stories remembered", len(state.stories)),
        ("gwatch_posts_sent", "gauge", "posts confirmed by Telegram (within retention)", sent),
        ("gwatch_posts_pending", "gauge", "outbox entries waiting to be sent", pending),
        ("gwatch_posts_failed", "gauge", "outbox entries parked after a permanent error", failed),
        ("gwatch_cycles_total", "counter", "source polls run since start", rt.cycles),
        ("gwatch_cycle_duration_seconds", "gauge", "duration of the last poll", round(last, 4)),
        ("gwatch_cycle_seconds_total", "counter", "time spent in polls since start", round(rt.cycle_seconds_total, 4)),
        ("gwatch_paused", "gauge", "1 while delivery is paused", int(bool(state.meta.get("paused")))),
    ]
    out = []
    for name, kind, doc, value in rows:
        out += [f"# HELP {name} {doc}", f"# TYPE {name} {kind}", f"{name} {value}"]
    return "\n".join(out) + "\n"


def health(daemon: Daemon) -> tuple[int, str]:
    now, rt = time.time(), daemon.runtime
    longest = max((s.interval_minutes * 60 for s in daemon.config.sources), default=600.0)
    allowed = 3 * longest + 60
    if rt.last_cycle_at is None:
        if now - rt.started_at < allowed:
            return 200, "starting"
        return 503, "no poll has finished since start"
    if now - rt.last_cycle_at > allowed:
        return 503, f"no poll finished in {int(now - rt.last_cycle_at)} s"
    return 200, "ok"


class HealthServer:
    def __init__(self, daemon: Daemon, server: asyncio.base_events.Server) -> None:
        self.daemon = daemon
        self.server = server

    async def stop(self) -> None:
        self.server.close()
        await self.server.wait_closed()


async def start(daemon: Daemon) -> HealthServer | None:
    listen = daemon.config.health.http_listen
    if not listen:
        return None
    host, _, port = listen.rpartition(":")

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readline(), 5)
            while (await asyncio.wait_for(reader.readline(), 5)) not in (b"\r\n", b"\n", b""):
                pass
            parts = request.decode("latin-1").split()
            method, path = (parts[0], parts[1].split("?")[0]) if len(parts) >= 2 else ("", "")
            if method not in ("GET", "HEAD"):
                status, body, ctype = 405, "method not allowed\n", "text/plain"
            elif path == "/healthz":
                status, reason = health(daemon)
                body, ctype = reason + "\n", "text/plain"
            elif path == "/metrics":
                status, body, ctype = 200, metrics_text(daemon), "text/plain; version=0.0.4"
            else:
                status, body, ctype = 404, "not found\n", "text/plain"
            data = body.encode("utf-8")
            head = (
                f"HTTP/1.1 {status} {_REASONS[status]}\r\nContent-Type: {ctype}; charset=utf-8\r\n"
                f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n"
            ).encode("ascii")
            writer.write(head + (b"" if method == "HEAD" else data))
            await writer.drain()
        except (TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, host or "127.0.0.1", int(port))
    log.info("health endpoint on http://%s/healthz and /metrics", listen)
    return HealthServer(daemon, server)
