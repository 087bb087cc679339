"""Admin commands over long polling (filled in by the operations work)."""

from __future__ import annotations

from typing import Any


async def start(daemon: Any) -> Any:
    return None
