"""Dates as Korean pages and feeds write them, to aware datetimes in Asia/Seoul.

Forms: `2025.02.05 17:15`, `입력 2025-02-05 17:15 수정 …`, `기사입력 2025/02/05`, `2025. 3. 14.(금)`,
`2025년 2월 5일 오후 5시 15분`, `25.02.05`, `02.05` (lists, no year), `3시간 전`, `어제`, RFC 822 (RSS),
ISO 8601 and `20250205171500` (meta tags). A time without an offset is KST; a date without a time is midnight KST.

Pure regex and zoneinfo: dateparser was measured and misses every string with a label word (입력,
승인). `parse_date` never raises; an impossible date is None.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

KST = ZoneInfo("Asia/Seoul")
MAX_CHARS = 2000  # of a date string looked at (a byline, a feed's <pubDate>, a list cell)

# Label words before a date. The first date after a publication label is the publication time,
# wherever it stands; a date after a modification label is taken only when nothing else is there.
PUBLISHED_LABELS = (
    "기사입력", "최초입력", "입력", "등록", "승인", "작성", "게재", "발행", "송고", "published",
)  # fmt: skip
MODIFIED_LABELS = ("수정", "업데이트", "갱신", "편집", "updated", "modified")

RFC822_ZONES = {
    "UT": 0, "UTC": 0, "GMT": 0, "Z": 0,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    "KST": 9, "JST": 9,
}  # fmt: skip
MONTHS = {
    m: i
    for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)
}

RELATIVE_UNITS = {
    "초": timedelta(seconds=1), "분": timedelta(minutes=1), "시간": timedelta(hours=1),
    "일": timedelta(days=1), "주": timedelta(weeks=1), "개월": timedelta(days=30), "달": timedelta(days=30),
    "sec": timedelta(seconds=1), "min": timedelta(minutes=1), "hour": timedelta(hours=1),
    "day": timedelta(days=1), "week": timedelta(weeks=1),
}  # fmt: skip
DAY_WORDS = {"오늘": 0, "금일": 0, "어제": 1, "전일": 1, "그제": 2, "그저께": 2, "today": 0, "yesterday": 1}

# A clock time after a date: `17:15`, `17:15:30`, `오후 5:15`, `오후 5시 15분`, `05:15 PM`.
_TIME = r"""
    (?:(?P<ap>오전|오후|AM|PM|am|pm|a\.m\.|p\.m\.)\s*)?
    (?:(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?
      |(?P<kH>\d{1,2})\s*시(?:\s*(?P<kM>\d{1,2})\s*분)?(?:\s*(?P<kS>\d{1,2})\s*초)?)
    (?:\s*(?P<ap2>AM|PM|am|pm)\b)?
"""
_OPT_TIME = rf"(?:[\sT,(]*(?:\([^)\d]{{1,4}}\)\s*)?{_TIME})?"
_WEEKDAY = r"(?:\s*\([^)\d]{1,4}\)|\s*[월화수목금토일](?:요일)?(?![가-힣]))?"  # `(금)`, `(Fri)`, `화`, `수요일`

_ISO = re.compile(
    r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})[T ](?P<H>\d{2}):(?P<M>\d{2})"
    r"(?::(?P<S>\d{2})(?:[.,](?P<f>\d{1,6})\d*)?)?\s?(?P<tz>Z|[+-]\d{2}:?\d{2})?(?![\d:])"
)
_RFC822 = re.compile(
    r"(?:\b[A-Za-z]{3},?\s*)?(?<!\d)(?P<d>\d{1,2})\s+(?P<mon>[A-Za-z]{3})[a-z]*\.?\s+(?P<y>\d{4}|\d{2})"
    r"(?:\s+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
    r"\s*(?P<tz>[+-]\d{4}|(?-i:[A-Z]{1,5})\b)?",
    re.IGNORECASE,
)
_ENGLISH = re.compile(  # `Feb 5, 2025 17:15` as English-language pages write it
    r"\b(?P<mon>[A-Za-z]{3})[a-z]*\.?\s+(?P<d>\d{1,2}),\s*(?P<y>\d{4})" + _OPT_TIME, re.VERBOSE
)
_YMD = re.compile(
    r"(?<!\d)(?P<y>\d{4})\s*(?:[.\-/]|년)\s*(?P<m>\d{1,2})\s*(?:[.\-/]|월)\s*(?P<d>\d{1,2})(?!\d)"
    r"\s*(?:일|\.)?" + _WEEKDAY + _OPT_TIME,
    re.VERBOSE,
)
_YY_MD = re.compile(
    r"(?<![\d.])(?P<y>\d{2})(?P<sep>[.\-/])(?P<m>\d{2})(?P=sep)(?P<d>\d{2})(?![\d%])\.?" + _WEEKDAY + _OPT_TIME,
    re.VERBOSE,
)
_MD = re.compile(r"(?<![\d.\-/])(?P<m>\d{2})[.\-/](?P<d>\d{2})(?![\d%]|[.\-/]\d)" + _WEEKDAY + _OPT_TIME, re.VERBOSE)
_KOREAN_MD = re.compile(r"(?<!\d)(?P<m>\d{1,2})\s*월\s*(?P<d>\d{1,2})\s*일" + _WEEKDAY + _OPT_TIME, re.VERBOSE)
_AGO = re.compile(
    r"(?<!\d)(?P<n>\d{1,6})\s*(?P<unit>초|분|시간|일|주|개월|달)\s*전"
    r"|(?<!\d)(?P<en>\d{1,6})\s*(?P<eunit>sec|min|hour|day|week)[a-z]*\s+ago",
    re.IGNORECASE,
)
_JUST_NOW = re.compile(r"방금(?:\s*전)?|just now", re.IGNORECASE)
_DAY_WORD = re.compile(
    r"(?P<w>" + "|".join(sorted(DAY_WORDS, key=len, reverse=True)) + ")" + _OPT_TIME, re.VERBOSE | re.I
)
_COMPACT = re.compile(r"(?P<y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})(?:(?P<H>\d{2})(?P<M>\d{2})(?P<S>\d{2})?)?")
_TIME_ONLY = re.compile(r"\s*" + _TIME + r"\s*", re.VERBOSE)
_LABELS_AND_BRACKETS = re.compile(
    r"[\[\]()<>|·]|일시|날짜|" + "|".join(PUBLISHED_LABELS + MODIFIED_LABELS), re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class _Found:
    start: int
    end: int
    rank: int  # lower wins when two forms start at the same place with the same length
    value: datetime


def _clock(m: re.Match[str]) -> time | None:
    """The time of day in a match of `_TIME` (midnight when there is none); None when impossible."""
    groups = m.groupdict()
    hour_s = groups.get("H") or groups.get("kH")
    if hour_s is None:
        return time(0, 0)
    hour = int(hour_s)
    minute = int(groups.get("M") or groups.get("kM") or 0)
    second = int(groups.get("S") or groups.get("kS") or 0)
    ampm = (groups.get("ap") or groups.get("ap2") or "").lower().replace(".", "")
    if ampm:
        if not 1 <= hour <= 12:
            return None
        if ampm in ("오후", "pm"):
            hour = hour % 12 + 12
        elif ampm in ("오전", "am"):
            hour = hour % 12
    try:
        return time(hour, minute, second)
    except ValueError:
        return None


def _at(day: date | None, m: re.Match[str]) -> datetime | None:
    clock = _clock(m)
    if day is None or clock is None:
        return None
    return datetime.combine(day, clock, tzinfo=KST)


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _from_iso(m: re.Match[str], now: datetime) -> datetime | None:
    day = _day(int(m["y"]), int(m["m"]), int(m["d"]))
    if day is None:
        return None
    try:
        micro = int((m["f"] or "0").ljust(6, "0"))
        clock = time(int(m["H"]), int(m["M"]), int(m["S"] or 0), micro)
    except ValueError:
        return None
    tz = m["tz"]
    if not tz:
        return datetime.combine(day, clock, tzinfo=KST)
    if tz == "Z":
        offset = timedelta(0)
    else:
        sign = -1 if tz[0] == "-" else 1
        digits = tz[1:].replace(":", "")
        offset = sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    if abs(offset) >= timedelta(hours=24):
        return None
    return datetime.combine(day, clock, tzinfo=timezone(offset)).astimezone(KST)


def _from_rfc822(m: re.Match[str], now: datetime) -> datetime | None:
    month = MONTHS.get(m["mon"].lower())
    if month is None:
        return None
    year = int(m["y"])
    if len(m["y"]) == 2:
        year += 2000 if year < 50 else 1900
    day = _day(year, month, int(m["d"]))
    if day is None:
        return None
    try:
        clock = time(int(m["H"] or 0), int(m["M"] or 0), int(m["S"] or 0))
    except ValueError:
        return None
    tz = (m["tz"] or "").upper()
    if tz[:1] in "+-" and tz:
        hours, minutes = int(tz[1:3]), int(tz[3:5])
        if hours > 23 or minutes > 59:
            return None
        offset = (-1 if tz[0] == "-" else 1) * timedelta(hours=hours, minutes=minutes)
    elif tz in RFC822_ZONES:
        offset = timedelta(hours=RFC822_ZONES[tz])
    else:
        return datetime.combine(day, clock, tzinfo=KST)  # no zone, or one we do not know: KST
    return datetime.combine(day, clock, tzinfo=timezone(offset)).astimezone(KST)


def _from_english(m: re.Match[str], now: datetime) -> datetime | None:
    month = MONTHS.get(m["mon"].lower())
    return _at(_day(int(m["y"]), month, int(m["d"])) if month else None, m)


def _from_ymd(m: re.Match[str], now: datetime) -> datetime | None:
    return _at(_day(int(m["y"]), int(m["m"]), int(m["d"])), m)


def _from_yy_md(m: re.Match[str], now: datetime) -> datetime | None:
    year = 2000 + int(m["y"])
    if year > now.year + 1:
        year -= 100
    return _at(_day(year, int(m["m"]), int(m["d"])), m)


def _from_md(m: re.Match[str], now: datetime) -> datetime | None:
    """Month and day without a year: the most recent such day that is not after today."""
    month, day = int(m["m"]), int(m["d"])
    today = now.date()
    for year in range(today.year, today.year - 8, -1):
        candidate = _day(year, month, day)
        if candidate is not None and candidate <= today:
            return _at(candidate, m)
        if candidate is None and not (month == 2 and day == 29):
            return None
    return None


def _from_ago(m: re.Match[str], now: datetime) -> datetime | None:
    count, unit = (m["n"], m["unit"]) if m["n"] else (m["en"], m["eunit"].lower())
    try:
        return now - int(count) * RELATIVE_UNITS[unit]
    except OverflowError:
        return None


def _from_just_now(m: re.Match[str], now: datetime) -> datetime | None:
    return now


def _from_day_word(m: re.Match[str], now: datetime) -> datetime | None:
    """`어제` alone is the start of yesterday (the time within the day is unknown); `어제 17:15` is exact."""
    return _at(now.date() - timedelta(days=DAY_WORDS[m["w"].lower()]), m)


_Parser = Callable[[re.Match[str], datetime], datetime | None]
_FORMS: tuple[tuple[re.Pattern[str], _Parser], ...] = (
    (_ISO, _from_iso),
    (_RFC822, _from_rfc822),
    (_ENGLISH, _from_english),
    (_YMD, _from_ymd),
    (_YY_MD, _from_yy_md),
    (_AGO, _from_ago),
    (_JUST_NOW, _from_just_now),
    (_DAY_WORD, _from_day_word),
    (_MD, _from_md),
    (_KOREAN_MD, _from_md),
)


def _candidates(text: str, now: datetime) -> Iterator[_Found]:
    """Every date form in `text` that makes a real date, overlaps resolved (earliest, then longest)."""
    found: list[_Found] = []
    for rank, (pattern, parse) in enumerate(_FORMS):
        for m in pattern.finditer(text):
            value = parse(m, now)
            if value is not None:
                found.append(_Found(m.start(), m.end(), rank, value))
    found.sort(key=lambda f: (f.start, -(f.end - f.start), f.rank))
    end = -1
    for f in found:
        if f.start >= end:
            end = f.end
            yield f


def _has_label(text: str, labels: tuple[str, ...]) -> bool:
    lowered = text.lower()
    return any(label in lowered for label in labels)


def parse_date(text: str | None, *, now: datetime | None = None) -> datetime | None:
    """The publication date (and time) in `text`, aware in KST; None when there is none.

    `now` anchors relative forms (`3시간 전`, `어제`) and dates without a year; naive means KST.
    With several dates, the one after a publication label (입력, 등록, 승인, 기사입력) wins, then the
    first one not after a modification label (수정), then the first.
    """
    if not text:
        return None
    if now is None:
        now = datetime.now(KST)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=KST)
    else:
        now = now.astimezone(KST)
    # Whitespace runs become one space before any pattern sees the text: the patterns put `\s*`
    # next to optional parts, which is cheap on one space and quadratic on ten thousand.
    text = " ".join(unicodedata.normalize("NFKC", text[:MAX_CHARS]).split())[:MAX_CHARS]
    found = list(_candidates(text, now))
    if not found:
        compact = _COMPACT.fullmatch(text.strip())  # `20250205171500` in meta tags; never inside prose
        if compact:
            return _from_ymd(compact, now)
        m = _TIME_ONLY.fullmatch(_LABELS_AND_BRACKETS.sub(" ", text).strip(" :"))
        clock = _clock(m) if m and (m["H"] or m["kH"]) else None
        if clock is None:
            return None
        today = datetime.combine(now.date(), clock, tzinfo=KST)
        # A bare clock time in a list is today's, unless that is still ahead: then yesterday's.
        return today if today <= now + timedelta(minutes=10) else today - timedelta(days=1)
    before = 0
    first_unlabelled: _Found | None = None
    for f in found:
        label = text[before : f.start]
        before = f.end
        if _has_label(label, PUBLISHED_LABELS):
            return f.value
        if first_unlabelled is None and not _has_label(label, MODIFIED_LABELS):
            first_unlabelled = f
    return (first_unlabelled or found[0]).value
