"""The pipeline's decisions as tables: post or record (`bot.decide`), and source health after a poll
(`bot.source_health`). Pure functions: no servers, no clock, milliseconds for the whole file."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from bot import backoff
from bot.decide import UNDECIDED_TRIES, Action, Facts, PostingPolicy, decide, trusted_time
from bot.source_health import MAX_BACKOFF, SourceAlertKind, after_poll, poll_due
from bot.sources import Problem, SourceConfig, SourcePoll
from scrapers.dates import KST
from scrapers.models import FetchErrorKind, ListingItem
from state.records import SourceState

NOW = 1_800_000_000.0
HOUR = 3600.0
POLICY = PostingPolicy(backfill_hours=24, max_age_hours=168)
BASE = Facts(
    relevant=True,
    tries=0,
    already_seen=False,
    first_poll=False,
    recovered_baseline=False,
    published_at=NOW - HOUR,
    now=NOW,
)

DECISIONS = [
    ("new relevant item on a later poll", {}, Action.POST),
    ("not relevant", {"relevant": False}, Action.NOT_RELEVANT),
    ("undecided, first failed read", {"relevant": None}, Action.RETRY_LATER),
    ("undecided, second failed read", {"relevant": None, "tries": UNDECIDED_TRIES - 2}, Action.RETRY_LATER),
    ("undecided, last failed read", {"relevant": None, "tries": UNDECIDED_TRIES - 1}, Action.NOT_RELEVANT),
    ("seen through another source", {"already_seen": True}, Action.DUPLICATE),
    ("seen, even on a first poll", {"already_seen": True, "first_poll": True}, Action.DUPLICATE),
    ("first poll, inside the backfill window", {"first_poll": True}, Action.POST),
    ("first poll, older than backfill", {"first_poll": True, "published_at": NOW - 25 * HOUR}, Action.RECORD_OLD),
    ("first poll, undated", {"first_poll": True, "published_at": None}, Action.RECORD_OLD),
    ("first poll, typo'd future year", {"first_poll": True, "published_at": NOW + 3e9}, Action.RECORD_OLD),
    ("first poll, dated minutes ahead (clock skew)", {"first_poll": True, "published_at": NOW + 300}, Action.POST),
    ("first poll after the state was lost", {"first_poll": True, "recovered_baseline": True}, Action.RECORD_OLD),
    ("first poll after the state was lost, future", {"first_poll": True, "recovered_baseline": True,
                                                      "published_at": NOW + 9 * HOUR}, Action.RECORD_OLD),
    ("later poll after the state was lost", {"recovered_baseline": True}, Action.POST),
    ("later poll, older than max_age", {"published_at": NOW - 169 * HOUR}, Action.RECORD_OLD),
    ("later poll, undated", {"published_at": None}, Action.POST),
    ("later poll, dated in the future", {"published_at": NOW + 2 * HOUR}, Action.POST),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "expected"), [d[1:] for d in DECISIONS], ids=[d[0] for d in DECISIONS])
def test_post_or_record(changes: dict[str, object], expected: Action) -> None:
    decision = decide(replace(BASE, **changes), POLICY)  # type: ignore[arg-type]
    assert decision.action is expected
    assert decision.reason


def test_backfill_zero_posts_nothing_from_a_first_poll() -> None:
    policy = PostingPolicy(backfill_hours=0, max_age_hours=168)
    for published in (NOW - 1, NOW, NOW + 60, NOW + 86400 * 365 * 70, None):
        assert decide(replace(BASE, first_poll=True, published_at=published), policy).action is Action.RECORD_OLD


def test_a_future_time_is_not_trusted() -> None:
    assert trusted_time(NOW + 2 * HOUR, NOW) is None
    assert trusted_time(NOW - 2 * HOUR, NOW) == NOW - 2 * HOUR


SOURCE = SourceConfig(name="광주일보", url="https://www.kwangju.co.kr/list", interval_minutes=10)
ITEM = ListingItem(
    title="광주 AI 데이터센터", url="https://x.kr/1", published_at=datetime(2026, 12, 1, 9, 0, tzinfo=KST)
)


def ok(**changes: object) -> SourcePoll:
    return replace(SourcePoll(SOURCE, items=[ITEM], status=200, etag='"e"', body_hash="h"), **changes)  # type: ignore[arg-type]


def failed(kind: FetchErrorKind | Problem = FetchErrorKind.TIMEOUT) -> SourcePoll:
    return SourcePoll(SOURCE, status=None, error="no answer within 20 s", error_kind=kind)


def test_success_resets_failures_and_keeps_validators() -> None:
    memory = SourceState(consecutive_failures=2, backoff_until=NOW + 600, last_error="x")
    change = after_poll(memory, ok(), NOW, failure_threshold=3)
    new = change.memory
    assert (new.consecutive_failures, new.backoff_until, new.last_error) == (0, None, None)
    assert (new.etag, new.body_hash, new.last_item_count, new.had_items) == ('"e"', "h", 1, True)
    assert new.newest_item_at == ITEM.published_at.timestamp()  # type: ignore[union-attr]
    assert change.alert is None
    assert memory.consecutive_failures == 2  # the old memory is left as it was


def test_not_modified_keeps_the_item_count() -> None:
    memory = SourceState(last_item_count=20, had_items=True)
    new = after_poll(memory, ok(items=[], not_modified=True), NOW, failure_threshold=3).memory
    assert (new.last_item_count, new.had_items) == (20, True)


HEALTH = [
    # (failures before, alerted before, poll, threshold) -> (failures after, alert, backs off)
    ("first network failure", 0, False, failed(), 3, 1, None, True),
    ("threshold reached: alert once", 2, False, failed(), 3, 3, SourceAlertKind.FAILING, True),
    ("past the threshold, already alerted", 5, True, failed(), 3, 6, None, True),
    ("layout change: alert now, no backoff", 0, False, failed(Problem.LAYOUT), 3, 1, SourceAlertKind.FAILING, False),
    ("recovery after an alert", 4, True, ok(), 3, 0, SourceAlertKind.RECOVERED, False),
    ("recovery without an alert", 1, False, ok(), 3, 0, None, False),
]  # fmt: skip


@pytest.mark.parametrize(
    ("before", "alerted", "poll", "threshold", "after", "alert", "backs_off"),
    [h[1:] for h in HEALTH],
    ids=[h[0] for h in HEALTH],
)
def test_source_health(
    before: int,
    alerted: bool,
    poll: SourcePoll,
    threshold: int,
    after: int,
    alert: SourceAlertKind | None,
    backs_off: bool,
) -> None:
    change = after_poll(
        SourceState(consecutive_failures=before, alerted=alerted), poll, NOW, failure_threshold=threshold
    )
    assert change.memory.consecutive_failures == after
    assert (change.alert.kind if change.alert else None) is alert
    assert (change.memory.backoff_until is not None) is backs_off
    if change.alert is not None and alert is SourceAlertKind.FAILING:
        assert change.alert.error == poll.error and change.alert.url == SOURCE.url


def test_backoff_doubles_from_twice_the_interval_up_to_the_cap() -> None:
    memory = SourceState()
    waits = []
    for _ in range(12):
        memory = after_poll(memory, failed(), NOW, failure_threshold=3).memory
        waits.append(memory.backoff_until - NOW)  # type: ignore[operator]
    assert waits[:4] == [1200, 2400, 4800, 9600]
    assert max(waits) == MAX_BACKOFF


def test_a_backoff_is_never_longer_than_it_was_set_for_when_the_clock_steps_back() -> None:
    memory = SourceState(last_attempt_at=NOW, backoff_until=NOW + 1200)  # 20 minutes from the failure
    assert not poll_due(memory, NOW + 1199) and poll_due(replace(memory), NOW + 1200)
    stepped = NOW - 2 * HOUR  # NTP moved the wall clock two hours back right after the failure
    assert not poll_due(memory, stepped)  # the scheduler asks: noticed, the deadline is moved
    assert not poll_due(memory, stepped + 1199)
    assert poll_due(memory, stepped + 1200)  # 20 minutes later by any clock, not 2 h 20
    unknown = SourceState(backoff_until=NOW + MAX_BACKOFF + 7200)  # no attempt time: at most the cap
    assert not poll_due(unknown, NOW) and poll_due(unknown, NOW + MAX_BACKOFF)
    assert poll_due(None, NOW)


def test_backoff_delay_and_deadlines() -> None:
    assert [backoff.delay(5, n, 60) for n in range(1, 7)] == [5, 10, 20, 40, 60, 60]
    assert backoff.delay(5, 10_000, 60) == 60
    assert backoff.corrected(None, 10, NOW) is None
    assert backoff.corrected(NOW + 5, 10, NOW) == NOW + 5
    assert backoff.corrected(NOW + 7200 + 10, 10, NOW) == NOW + 10
