"""Dates as Korean news pages, lists and feeds write them, read against a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from scrapers.dates import KST, parse_date

NOW = datetime(2025, 2, 5, 20, 0, tzinfo=KST)  # a Wednesday evening in Gwangju


def kst(*args: int) -> datetime:
    return datetime(*args, tzinfo=KST)


CASES = [
    ("dotted date and time", "2025.02.05 17:15", kst(2025, 2, 5, 17, 15)),
    ("dotted date only", "2025.02.05", kst(2025, 2, 5)),
    ("dotted date with seconds", "2025.02.05 17:15:42", kst(2025, 2, 5, 17, 15, 42)),
    ("입력 with dashes", "입력 2025-02-05 17:15", kst(2025, 2, 5, 17, 15)),
    ("입력 then 수정", "입력 2025.02.05 17:15 수정 2025.02.06 09:00", kst(2025, 2, 5, 17, 15)),
    ("수정 then 입력", "수정 2025.02.06 09:00 입력 2025.02.05 17:15", kst(2025, 2, 5, 17, 15)),
    ("등록 after 최종수정", "최종수정 : 2025-02-06 09:00 | 등록 : 2025-02-05 17:15", kst(2025, 2, 5, 17, 15)),
    ("승인", "승인 2025.02.05 17:15", kst(2025, 2, 5, 17, 15)),
    ("기사입력 with slashes", "기사입력 2025/02/05 17:15", kst(2025, 2, 5, 17, 15)),
    ("only a 수정 date", "수정 2025.02.06 09:00", kst(2025, 2, 6, 9, 0)),
    ("spaced dots", "2025. 2. 5. 17:15", kst(2025, 2, 5, 17, 15)),
    ("spaced dots with weekday", "2025. 3. 14.(금)", kst(2025, 3, 14)),
    ("weekday then morning time", "2025. 3. 14.(금) 오전 9:30", kst(2025, 3, 14, 9, 30)),
    ("Korean date", "2025년 2월 5일", kst(2025, 2, 5)),
    ("Korean date and afternoon time", "2025년 2월 5일 오후 5시 15분", kst(2025, 2, 5, 17, 15)),
    ("Korean hour only", "2025년 2월 5일 오후 5시", kst(2025, 2, 5, 17, 0)),
    ("오후 with a clock time", "2025.02.05 오후 05:15", kst(2025, 2, 5, 17, 15)),
    ("오후 12 is noon", "2025.02.05 오후 12:10", kst(2025, 2, 5, 12, 10)),
    ("오전 12 is midnight", "2025.02.05 오전 12:10", kst(2025, 2, 5, 0, 10)),
    ("two-digit year", "25.02.05", kst(2025, 2, 5)),
    ("two-digit year with time", "25/02/05 17:15", kst(2025, 2, 5, 17, 15)),
    ("month-day with dash, this year", "02-05", kst(2025, 2, 5)),
    ("month-day with dot, this year", "02.05", kst(2025, 2, 5)),
    ("month-day later than today is last year", "12.31", kst(2024, 12, 31)),
    ("month-day with time", "02.04 17:15", kst(2025, 2, 4, 17, 15)),
    ("29 February goes back to a leap year", "02.29", kst(2024, 2, 29)),
    ("Korean month-day", "2월 5일 오후 5시", kst(2025, 2, 5, 17, 0)),
    ("hours ago", "3시간 전", kst(2025, 2, 5, 17, 0)),
    ("minutes ago", "30분 전", kst(2025, 2, 5, 19, 30)),
    ("days ago", "1일 전", kst(2025, 2, 4, 20, 0)),
    ("just now", "방금 전", NOW),
    ("yesterday is its start", "어제", kst(2025, 2, 4)),
    ("yesterday with a time", "어제 17:15", kst(2025, 2, 4, 17, 15)),
    ("bare clock time is today", "17:15", kst(2025, 2, 5, 17, 15)),
    ("bare clock time still ahead is yesterday", "23:59", kst(2025, 2, 4, 23, 59)),
    ("RFC 822 in GMT", "Wed, 05 Feb 2025 08:15:00 GMT", kst(2025, 2, 5, 17, 15)),
    ("RFC 822 with +0900", "Wed, 05 Feb 2025 17:15:00 +0900", kst(2025, 2, 5, 17, 15)),
    ("RFC 822 offset without a space", "Sat, 31 Dec 2005 13:47:03+0900", kst(2005, 12, 31, 13, 47, 3)),
    ("RFC 822 named US zone", "Tue, 04 Feb 2025 22:15:00 EST", kst(2025, 2, 5, 12, 15)),
    ("RFC 822 without a zone is KST", "Wed, 05 Feb 2025 17:15:00", kst(2025, 2, 5, 17, 15)),
    ("ISO with offset", "2025-02-05T17:15:00+09:00", kst(2025, 2, 5, 17, 15)),
    ("ISO in UTC", "2025-02-05T08:15:00Z", kst(2025, 2, 5, 17, 15)),
    ("ISO compact offset and fraction", "2025-02-05T17:15:00.5+0900", kst(2025, 2, 5, 17, 15, 0, 500000)),
    ("ISO naive is KST", "2025-02-05T17:15:00", kst(2025, 2, 5, 17, 15)),
    ("English month name", "Feb 5, 2025 5:15 PM", kst(2025, 2, 5, 17, 15)),
    ("KBS: time in parentheses", "입력 2023.04.07 (08:26)", kst(2023, 4, 7, 8, 26)),
    ("Naver: dot after the day, 오후", "기사입력 2017.05.12. 오후 02:09", kst(2017, 5, 12, 14, 9)),
    ("Yonhap News TV: 송고시간", "송고시간 2023-04-20 13:24:13", kst(2023, 4, 20, 13, 24, 13)),
    ("NDSoft 발행일 with weekday after", "발행일: 2025-12-06 17:25 (토)", kst(2025, 12, 6, 17, 25)),
    ("NDSoft list: bare weekday", "2018.3.6 화 18:30", kst(2018, 3, 6, 18, 30)),
    ("weekday word", "2025년 2월 5일 수요일 오후 5:15", kst(2025, 2, 5, 17, 15)),
    ("Naver home list: month-day in Korean", "02월 04일 22:23", kst(2025, 2, 4, 22, 23)),
    ("compact digits in a meta tag", "20250205171500", kst(2025, 2, 5, 17, 15)),
    ("Korean date with weekday then time", "2025년 02월 05일 (수) 17:15", kst(2025, 2, 5, 17, 15)),
    ("trailing dot then time", "2025.02.05. 17:15", kst(2025, 2, 5, 17, 15)),
    ("Java timestamp", "2025-02-05 17:15:00.0", kst(2025, 2, 5, 17, 15)),
    ("full-width digits", "２０２５．０２．０５", kst(2025, 2, 5)),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_reads_the_publication_time(text: str, expected: datetime) -> None:
    got = parse_date(text, now=NOW)
    assert got == expected
    assert got is not None and got.utcoffset() == timedelta(hours=9)


NOT_DATES = [
    ("empty", ""),
    ("None", None),
    ("month 13", "2025.13.05"),
    ("30 February", "2025.02.30"),
    ("hour 25", "2025.02.05 25:00"),
    ("decimal numbers in a headline", "광주 AI센터 88.5PF 1.5배 확장"),
    ("percent", "점유율 12.05%"),
    ("plain words", "광주광역시 인공지능 데이터센터"),
    ("phone number", "문의 062-613-2114"),
    ("date-like article id inside text", "기사번호 20210205000123"),
    ("impossible compact date", "20251345"),
    ("binary noise", "\x00\x01\ufffd\ufffd"),
]


@pytest.mark.parametrize("text", [c[1] for c in NOT_DATES], ids=[c[0] for c in NOT_DATES])
def test_no_date_is_none(text: str | None) -> None:
    assert parse_date(text, now=NOW) is None


def test_naive_now_means_kst() -> None:
    assert parse_date("3시간 전", now=datetime(2025, 2, 5, 20, 0)) == kst(2025, 2, 5, 17, 0)


def test_now_in_another_zone_is_converted() -> None:
    utc_now = datetime(2025, 1, 1, 16, 0, tzinfo=UTC)  # already 2 January in Seoul
    assert parse_date("01.02", now=utc_now) == kst(2025, 1, 2)


def test_default_now_is_the_real_clock() -> None:
    got = parse_date("방금 전")
    assert got is not None and abs(got - datetime.now(KST)) < timedelta(minutes=1)
