"""Optional HTTP endpoint for monitoring, bound to loopback: `/healthz` and Prometheus `/metrics`.

Enabled by `[health] http_listen = "127.0.0.1:9108"`. `/healthz` answers 200 while the bot is polling
(a cycle finished within the last three longest source intervals, or it started recently) and 503
otherwise, with a one-line reason. `/metrics` is the Prometheus text format (prometheus-client), built
from one `bot.status.StatusSnapshot` per scrape.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.coverage import CoverageReport
from bot.digest import check_hhmm
from bot.status import StatusSnapshot

if TYPE_CHECKING:
    from prometheus_client.core import Metric

log = logging.getLogger(__name__)

LOOPBACK = ("127.0.0.1", "localhost", "::1")
_REASONS = {200: "OK", 404: "Not Found", 405: "Method Not Allowed", 503: "Service Unavailable"}


def _check_listen(value: object) -> str | None:
    host, _, port = str(value).rpartition(":")
    if host.strip("[]") not in LOOPBACK or not port.isdigit():
        return 'must be a loopback address with a port, like "127.0.0.1:9108" (it is not meant for the open network)'
    return None


@dataclass(frozen=True, slots=True)
class HealthConfig:
    """`[health]` of the config."""

    failure_threshold: int = field(default=3, metadata={"min": 1})  # failures in a row before an alert
    http_listen: str | None = field(default=None, metadata={"check": _check_listen})  # /healthz, /metrics
    coverage_time: str | None = field(default="09:00", metadata={"check": check_hhmm})  # daily audit, KST
    coverage_days: float = field(default=30.0, metadata={"min": 1, "max": 365})  # the audit's period


class _SnapshotCollector:
    def __init__(self, snap: StatusSnapshot, report: CoverageReport) -> None:
        self.snap, self.report = snap, report

    def collect(self) -> Iterator[Metric]:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        snap, rt = self.snap, self.snap.runtime
        failing = len(snap.failing)
        gauges = (
            ("gwatch_up", "1 while the daemon runs", 1),
            ("gwatch_uptime_seconds", "seconds since start", snap.now - rt.started_at),
            ("gwatch_sources", "configured sources", len(snap.sources)),
            ("gwatch_sources_failing", "sources whose last poll failed", failing),
            ("gwatch_sources_ok", "sources whose last poll succeeded", len(snap.sources) - failing),
            ("gwatch_items_seen", "article URLs remembered as seen", snap.seen),
            ("gwatch_stories", "stories remembered", snap.stories),
            ("gwatch_posts_sent", "posts confirmed by Telegram (within retention)", snap.posts_sent),
            ("gwatch_posts_pending", "outbox entries waiting to be sent", snap.pending),
            ("gwatch_posts_failed", "outbox entries parked after a permanent error", snap.failed),
            ("gwatch_cycle_duration_seconds", "duration of the last poll", rt.last_cycle_duration),
            ("gwatch_paused", "1 while delivery is paused", int(snap.paused)),
        )
        for name, doc, value in gauges:
            yield GaugeMetricFamily(name, doc, value=value)
        yield from self.coverage()
        yield CounterMetricFamily("gwatch_cycles", "source polls run since start", value=rt.cycles)
        yield CounterMetricFamily(
            "gwatch_cycle_seconds", "time spent in polls since start", value=rt.cycle_seconds_total
        )

    def coverage(self) -> Iterator[Metric]:
        """The coverage audit's figures (bot.coverage), per source and per search-only outlet."""
        from prometheus_client.core import GaugeMetricFamily

        report = self.report
        days = f"{report.days:g}"
        stories = GaugeMetricFamily(
            "gwatch_source_stories", f"relevant stories a source listed in the last {days} days", labels=["source"]
        )
        delay = GaugeMetricFamily(
            "gwatch_source_post_delay_seconds",
            f"publication to post, stories a source found first, last {days} days",
            labels=["source", "quantile"],
        )
        for s in report.sources:
            stories.add_metric([s.name], s.stories)
            for quantile, value in (("0.5", s.median_delay), ("0.9", s.p90_delay)):
                if value is not None:
                    delay.add_metric([s.name, quantile], value)
        outlets = GaugeMetricFamily(
            "gwatch_search_only_stories",
            f"relevant stories only search-type sources found in the last {days} days, by outlet",
            labels=["outlet"],
        )
        for gap in report.search_only:
            outlets.add_metric([gap.outlet], gap.stories)
        yield stories
        yield delay
        yield outlets
        yield GaugeMetricFamily(
            "gwatch_sources_silent", f"sources with no relevant story in {days} days", value=len(report.silent)
        )


def metrics_text(snap: StatusSnapshot, report: CoverageReport) -> tuple[bytes, str]:
    """The exposition (text format 0.0.4) and its content type. prometheus-client is imported here, not
    at start-up: most commands never serve metrics."""
    from prometheus_client.core import CollectorRegistry
    from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, generate_latest

    registry = CollectorRegistry(auto_describe=False)
    registry.register(_SnapshotCollector(snap, report))
    return generate_latest(registry), CONTENT_TYPE_PLAIN_0_0_4


def health(snap: StatusSnapshot) -> tuple[int, str]:
    rt = snap.runtime
    allowed = 3 * snap.longest_interval_seconds + 60
    if rt.last_cycle_at is None:
        if snap.now - rt.started_at < allowed:
            return 200, "starting"
        return 503, "no poll has finished since start"
    if snap.now - rt.last_cycle_at > allowed:
        return 503, f"no poll finished in {int(snap.now - rt.last_cycle_at)} s"
    return 200, "ok"


class HealthServer:
    def __init__(self, server: asyncio.Server) -> None:
        self.server = server

    async def stop(self) -> None:
        self.server.close()
        await self.server.wait_closed()


async def start(
    listen: str | None, status: Callable[[], StatusSnapshot], coverage: Callable[[], CoverageReport]
) -> HealthServer | None:
    """Serve /healthz and /metrics on `listen`; `coverage` (the audit, for /metrics only) is asked for
    only when /metrics is."""
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
            body, ctype = b"", "text/plain; charset=utf-8"
            if method not in ("GET", "HEAD"):
                code, body = 405, b"method not allowed\n"
            elif path == "/healthz":
                code, reason = health(status())
                body = (reason + "\n").encode()
            elif path == "/metrics":
                code = 200
                body, ctype = metrics_text(status(), coverage())
            else:
                code, body = 404, b"not found\n"
            head = (
                f"HTTP/1.1 {code} {_REASONS[code]}\r\nContent-Type: {ctype}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            ).encode("ascii")
            writer.write(head + (b"" if method == "HEAD" else body))
            await writer.drain()
        except (TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, host.strip("[]") or "127.0.0.1", int(port))
    log.info("health endpoint on http://%s/healthz and /metrics", listen)
    return HealthServer(server)
