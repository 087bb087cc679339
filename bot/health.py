"""Optional HTTP endpoint on localhost: /healthz and Prometheus /metrics (filled in by operations)."""

from __future__ import annotations

from typing import Any


async def start(daemon: Any) -> Any:
    return None
