"""Dates as Korean pages and feeds write them, to aware datetimes in Asia/Seoul.

Owner: the parsing work of issue #3. Forms: `2025.02.05 17:15`, `입력 2025-02-05 17:15`,
`2025년 2월 5일 오후 5시 15분`, `3시간 전`, `어제`, RFC 822 (RSS), ISO 8601 (meta tags). A time
without an offset is KST.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

KST = ZoneInfo("Asia/Seoul")


def parse_date(text: str | None, *, now: datetime | None = None) -> datetime | None:
    """The first date (and time) in `text`, aware in KST; None when there is none."""
    raise NotImplementedError
