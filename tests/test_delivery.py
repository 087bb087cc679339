"""Delivery against a fake Bot API server on loopback: PTB talks real HTTP to it.

Every test asserts on what the server received: nothing lost, in order, a repeat only where an answer
was lost after Telegram accepted the message.
"""

from __future__ import annotations

import io
import itertools
import json
import logging
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from bot.config import DeliveryConfig, TelegramConfig
from bot.delivery import deliver_pending, requeue_failed
from bot.logs import scrub
from bot.senders import DryRunSender
from bot.telegram_client import TelegramSender
from state.records import OutboxEntry, State, StoryRecord
from state.store import StateStore
from tests.servers.telegram_api import CHANNEL_USERNAME, Call, Chat, Fault, TelegramApiServer

FAST = DeliveryConfig(max_per_minute=20, min_interval_seconds=0.0, max_attempts=4)
BACKOFF = 0.05  # seconds; the first retry after a transient failure


@pytest.fixture
def tg() -> Iterator[TelegramApiServer]:
    with TelegramApiServer() as server:
        yield server


@pytest.fixture
def store(tmp_path: Path) -> Iterator[StateStore]:
    with StateStore(tmp_path / "state.json") as s:
        yield s


def telegram_config(tg: TelegramApiServer, token: str | None = None) -> TelegramConfig:
    return TelegramConfig(
        bot_token=token or tg.token, chat_id=tg.channel_id, api_base_url=tg.api_root, admin_chat_ids=(tg.admin_id,)
    )


@pytest.fixture
async def sender(tg: TelegramApiServer) -> AsyncIterator[TelegramSender]:
    s = TelegramSender(telegram_config(tg), trust_env=False, read_timeout=0.5, connect_timeout=1.0)
    yield s
    await s.close()


def queue_posts(state: State, texts: list[str]) -> list[OutboxEntry]:
    entries = []
    for n, text in enumerate(texts):
        story = StoryRecord(
            id=f"s{len(state.stories)}",
            title=f"title {n}",
            url=f"https://news.example/{n}",
            outlet="광주일보",
            published_at=None,
            first_seen=time.time(),
        )
        state.stories[story.id] = story
        entry = OutboxEntry(id=f"p-{story.id}", kind="post", text=text, created_at=time.time(), story_id=story.id)
        state.outbox.append(entry)
        entries.append(entry)
    return entries


async def deliver(
    state: State,
    store: StateStore,
    sender: object,
    tg: TelegramApiServer,
    config: DeliveryConfig = FAST,
    **kwargs: object,
):  # type: ignore[no-untyped-def]
    return await deliver_pending(
        state,
        store,
        sender,
        chat_id=tg.channel_id,  # type: ignore[arg-type]
        delivery_config=config,
        admin_chat_ids=(tg.admin_id,),
        backoff_base=BACKOFF,
        **kwargs,
    )  # type: ignore[arg-type]


def on_disk(store: StateStore) -> dict:  # type: ignore[type-arg]
    return json.loads(store.path.read_text("utf-8"))


def settled(tg: TelegramApiServer, timeout: float = 5.0) -> None:
    """Wait until the server has finished every request it received (answered or dropped)."""
    deadline = time.monotonic() + timeout
    while any(c.status is None and c.fault != "drop_before" for c in tg.calls):
        assert time.monotonic() < deadline, "the fake server did not finish its requests"
        time.sleep(0.02)


def sends(tg: TelegramApiServer, chat_id: int) -> list[Call]:
    return [c for c in tg.calls_to("sendMessage") if c.params.get("chat_id") == chat_id]


async def test_posts_arrive_in_order_with_html_intact(tg, store, sender):
    state = State()
    texts = [
        '<b>광주 AI 데이터센터 착공</b>\n요약 &amp; 전망 <a href="https://news.example/a?x=1&amp;y=2">광주일보</a>',
        "<b>두 번째 소식</b> — 국가 AI컴퓨팅센터",
        "<i>세 번째</i> &lt;특보&gt;",
    ]
    entries = queue_posts(state, texts)
    store.save(state)

    report = await deliver(state, store, sender, tg)

    assert tg.sent_messages(tg.channel_id) == texts
    assert [e.status for e in entries] == ["sent"] * 3
    assert [e.message_id for e in entries] == [1, 2, 3]
    assert [state.stories[e.story_id].message_id for e in entries] == [1, 2, 3]
    assert (report.sent, report.failed, report.pending, report.retries) == (3, 0, 0, 0)
    first = tg.stored(tg.channel_id)[0]
    assert first.text.startswith("광주 AI 데이터센터 착공\n요약 & 전망 광주일보")
    link = {"type": "text_link", "offset": 23, "length": 4, "url": "https://news.example/a?x=1&y=2"}
    assert link in first.entities
    assert all(c.params["parse_mode"] == "HTML" for c in sends(tg, tg.channel_id))
    assert all(c.params["link_preview_options"] == {"is_disabled": True} for c in sends(tg, tg.channel_id))
    assert [e["status"] for e in on_disk(store)["outbox"]] == ["sent"] * 3


FAULTS = [
    # id, faults on the first calls, copies the server ends up with, possible duplicates reported.
    # A connection closed without an answer looks the same to the client whether the server processed
    # the message or not, so both drops are reported as possible duplicates; only one of them is.
    pytest.param([Fault.retry_after(1)], 1, 0, id="429-retry-after-1"),
    pytest.param([Fault.server_error()], 1, 0, id="500"),
    pytest.param([Fault.server_error(), Fault.server_error()], 1, 0, id="500-twice"),
    pytest.param([Fault.bad_gateway_html()], 1, 0, id="502-html-page"),
    pytest.param([Fault.drop_before()], 1, 1, id="drop-before-processing"),
    pytest.param([Fault.drop_after()], 2, 1, id="drop-after-accepting"),
    pytest.param([Fault.slow(1.2)], 2, 1, id="slow-answer-beyond-read-timeout"),
    pytest.param([Fault.slow(1.2, process_first=False)], 2, 1, id="slow-then-processed-after-timeout"),
]


@pytest.mark.parametrize(("faults", "copies", "duplicates"), FAULTS)
async def test_transient_fault_is_retried_until_delivered(tg, store, sender, faults, copies, duplicates):
    state = State()
    [entry] = queue_posts(state, ["<b>한 건</b> 광주 AI 소식"])
    store.save(state)
    tg.fail_next("sendMessage", *faults)

    started = time.monotonic()
    report = await deliver(state, store, sender, tg)
    settled(tg)  # a slow handler may still be working on the request the client gave up on

    assert tg.sent_messages(tg.channel_id) == ["<b>한 건</b> 광주 AI 소식"] * copies
    assert entry.status == "sent"
    stored = {m.message_id: m.sent_html for m in tg.stored(tg.channel_id)}
    assert stored[entry.message_id] == "<b>한 건</b> 광주 AI 소식"
    assert report.possible_duplicates == duplicates
    assert entry.lost_answers == duplicates
    assert len(sends(tg, tg.channel_id)) == len(faults) + 1
    assert report.retries == len(faults)
    attempts = [c.at for c in sends(tg, tg.channel_id)]
    if faults[0].status == 429:
        assert attempts[1] - attempts[0] >= 1.0  # waited the retry_after Telegram gave
        assert report.waited >= 1.0
    else:
        # never resent blindly: at least the backoff between two attempts
        assert all(b - a >= BACKOFF * 0.9 for a, b in itertools.pairwise(attempts))
    assert time.monotonic() - started < 10
    assert on_disk(store)["outbox"][0]["status"] == "sent"


async def test_transient_failures_give_up_after_max_attempts_and_alert(tg, store, sender):
    state = State()
    [entry] = queue_posts(state, ["never gets through"])
    tg.fail_next("sendMessage", *[Fault.server_error()] * 3)

    config = DeliveryConfig(max_attempts=3, min_interval_seconds=0)
    report = await deliver(state, store, sender, tg, config=config)

    assert entry.status == "failed"
    assert "gave up after 3 attempts" in (entry.last_error or "")
    assert tg.sent_messages(tg.channel_id) == []
    assert len(sends(tg, tg.channel_id)) == 3
    [alert] = tg.sent_messages(tg.admin_id)
    assert "title 0" in alert and "Internal Server Error" in alert
    assert (report.sent, report.failed, report.alerts_queued) == (1, 1, 1)  # the alert is the one sent


async def test_a_removed_bot_keeps_every_post_and_sends_them_all_when_re_added(tg, store, sender):
    tg.chats[tg.channel_id].bot_status = "left"  # the bot was removed from the channel
    state = State()
    entries = queue_posts(state, ["one", "two", "three"])

    await deliver(state, store, sender, tg)
    await deliver(state, store, sender, tg)  # a second run right after: the channel is paused

    assert len(sends(tg, tg.channel_id)) == 1  # no retry storm
    assert [e.status for e in entries] == ["pending"] * 3  # nothing given up
    assert entries[0].last_error == "Forbidden: Forbidden: bot is not a member of the channel chat"
    assert on_disk(store)["meta"]["delivery_blocked"][str(tg.channel_id)]["refusals"] == 1
    [alert] = tg.sent_messages(tg.admin_id)
    assert "bot is not a member of the channel chat" in alert and "3건" in alert and "자동으로 전송" in alert

    # Still out when the pause runs out: the probe is refused, the pause doubles, no second alert.
    await deliver(state, store, sender, tg, clock=lambda: time.time() + 601)
    assert len(sends(tg, tg.channel_id)) == 2 and len(tg.sent_messages(tg.admin_id)) == 1
    assert state.blocked_chats[str(tg.channel_id)].pause == 1200

    tg.chats[tg.channel_id].bot_status = "administrator"  # re-added; the next probe is an hour later
    report = await deliver(state, store, sender, tg, clock=lambda: time.time() + 3600)

    assert tg.sent_messages(tg.channel_id) == ["one", "two", "three"]
    assert [e.status for e in entries] == ["sent", "sent", "sent"]
    restored = tg.sent_messages(tg.admin_id)[1]
    assert "복구" in restored and "3건" in restored
    assert report.pending == 0 and state.blocked_chats == {}


async def test_chat_not_found_waits_for_the_chat(tg, store, sender):
    state = State()
    [entry] = queue_posts(state, ["to a chat that does not exist (yet)"])
    missing = -1009999999999

    async def run(clock: float = 0.0) -> None:
        await deliver_pending(
            state,
            store,
            sender,
            chat_id=missing,
            delivery_config=FAST,
            admin_chat_ids=(tg.admin_id,),
            backoff_base=BACKOFF,
            clock=lambda: time.time() + clock,
        )

    await run()
    await run()

    assert entry.status == "pending" and entry.last_error == "BadRequest: Chat not found"
    assert len(sends(tg, missing)) == 1  # refused once, then paused
    assert "Chat not found" in tg.sent_messages(tg.admin_id)[0]

    tg.add_chat(Chat(missing, "channel", title="created later"))
    await run(clock=700)
    assert entry.status == "sent" and tg.sent_messages(missing) == ["to a chat that does not exist (yet)"]


async def test_a_revoked_token_pauses_delivery_and_a_probe_resumes_it(tg, store, sender):
    state = State()
    entries = queue_posts(state, ["one", "two"])
    tg.token_revoked = True

    first = await deliver(state, store, sender, tg)
    again = await deliver(state, store, sender, tg)  # at once: no call at all

    assert first.stopped and "rejected" in first.stopped and again.stopped
    assert len(tg.calls) == 1  # one getMe; no getMe on every wake-up
    assert [e.status for e in entries] == ["pending", "pending"]

    await deliver(state, store, sender, tg, clock=lambda: time.time() + 601)  # still revoked: one probe
    assert len(tg.calls_to("getMe")) == 2 and state.token_block and state.token_block.pause == 1200

    tg.token_revoked = False  # a new token in place (here: the same one accepted again)
    report = await deliver(state, store, sender, tg, clock=lambda: time.time() + 3600)
    assert tg.sent_messages(tg.channel_id) == ["one", "two"] and report.stopped is None
    assert state.token_block is None


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        pytest.param("<p>문단</p>", 'Can\'t parse entities: unsupported start tag "p" at byte offset 0', id="bad-html"),
        pytest.param("<b>닫히지 않음", 'Can\'t find end tag corresponding to start tag "b"', id="unclosed-tag"),
        pytest.param("가" * 4097, "Message is too long", id="too-long"),
    ],
)
async def test_rejected_message_is_parked_and_the_rest_go_out(tg, store, sender, bad, error):
    state = State()
    entries = queue_posts(state, ["앞 소식", bad, "뒤 소식"])

    report = await deliver(state, store, sender, tg)

    assert tg.sent_messages(tg.channel_id) == ["앞 소식", "뒤 소식"]
    assert [e.status for e in entries] == ["sent", "failed", "sent"]
    assert error.lower() in (entries[1].last_error or "").lower()
    assert len(sends(tg, tg.channel_id)) == 3  # the rejected one was tried once
    [alert] = tg.sent_messages(tg.admin_id)
    assert "title 1" in alert and "https://news.example/1" in alert  # which post: headline and link
    assert report.failed == 1


async def test_failing_alerts_do_not_loop(tg, store, sender):
    tg.chats[tg.admin_id].bot_status = "kicked"  # the admin blocked the bot
    state = State()
    entries = queue_posts(state, ["<p>rejected</p>"])

    report = await deliver(state, store, sender, tg)
    await deliver(state, store, sender, tg)

    assert entries[0].status == "failed"
    alerts = [e for e in state.outbox if e.kind == "alert"]
    assert [a.status for a in alerts] == ["failed"]
    assert len(sends(tg, tg.admin_id)) == 1
    assert report.pending == 0


async def test_chat_migrated_switches_to_the_new_chat(tg, store, sender):
    new_id = -1005555555555
    tg.add_chat(Chat(new_id, "supergroup", title="migrated"))
    tg.fail_next("sendMessage", Fault.migrated(new_id))
    state = State()
    queue_posts(state, ["first"])

    await deliver(state, store, sender, tg)
    queue_posts(state, ["second"])
    await deliver(state, store, sender, tg)  # a later run starts with the new id

    assert tg.sent_messages(new_id) == ["first", "second"]
    channel_calls = [c.params["chat_id"] for c in tg.calls_to("sendMessage") if c.params["chat_id"] != tg.admin_id]
    assert channel_calls == [tg.channel_id, new_id, new_id]
    [alert] = tg.sent_messages(tg.admin_id)  # the admins are told to update the config, once
    assert str(new_id) in alert and "chat_id" in alert


def max_in_window(times: list[float], window: float) -> int:
    return max((sum(1 for t in times if s <= t < s + window) for s in times), default=0)


async def test_a_burst_of_40_goes_out_in_order_without_429(store, tmp_path):
    window = 2.0
    with TelegramApiServer(rate_limit=(20, window)) as tg:
        sender = TelegramSender(telegram_config(tg), trust_env=False, read_timeout=2.0)
        state = State()
        texts = [f"<b>소식 {n}</b>" for n in range(40)]
        queue_posts(state, texts)
        config = DeliveryConfig(max_per_minute=20, min_interval_seconds=0.01)
        try:
            report = await deliver(state, store, sender, tg, config=config, window_seconds=window)
        finally:
            await sender.close()

    assert tg.sent_messages(tg.channel_id) == texts
    assert [c.status for c in tg.calls_to("sendMessage")] == [200] * 40
    assert max_in_window([c.at for c in tg.calls_to("sendMessage")], window) <= 20
    assert report.sent == 40 and report.retries == 0 and report.waited > 0


async def test_without_planning_the_fake_answers_429_and_delivery_still_completes(store):
    # The same burst with the limiter's window shrunk to nothing: the fake's flood limit bites.
    with TelegramApiServer(rate_limit=(5, 1.0)) as tg:
        sender = TelegramSender(telegram_config(tg), trust_env=False, read_timeout=2.0)
        state = State()
        texts = [f"n{n}" for n in range(8)]
        queue_posts(state, texts)
        try:
            report = await deliver(state, store, sender, tg, config=FAST, window_seconds=0.001)
        finally:
            await sender.close()

    assert 429 in [c.status for c in tg.calls_to("sendMessage")]
    assert tg.sent_messages(tg.channel_id) == texts  # each exactly once, in order
    assert report.retries >= 1 and report.possible_duplicates == 0


async def test_a_restart_does_not_burst(store):
    window = 1.5
    with TelegramApiServer(rate_limit=(5, window)) as tg:
        config = DeliveryConfig(max_per_minute=5, min_interval_seconds=0.0)
        state = State()
        queue_posts(state, [f"a{n}" for n in range(5)])
        first = TelegramSender(telegram_config(tg), trust_env=False)
        await deliver(state, store, first, tg, config=config, window_seconds=window)
        await first.close()

        restarted = store.load()  # a new process: only what the file says
        queue_posts(restarted, ["b0", "b1"])
        second = TelegramSender(telegram_config(tg), trust_env=False)
        await deliver(restarted, store, second, tg, config=config, window_seconds=window)
        await second.close()

    calls = tg.calls_to("sendMessage")
    assert [c.status for c in calls] == [200] * 7
    assert calls[5].at - calls[0].at >= window
    assert tg.sent_messages(tg.channel_id) == [f"a{n}" for n in range(5)] + ["b0", "b1"]


async def test_state_is_saved_after_each_send(tg, store, sender):
    state = State()
    queue_posts(state, ["m0", "m1", "m2", "m3"])
    store.save(state)
    sent_on_disk: list[int] = []

    def look_at_the_file(call: Call) -> None:
        if call.method == "sendMessage":
            sent_on_disk.append(sum(e["status"] == "sent" for e in on_disk(store)["outbox"]))

    tg.on_request = look_at_the_file
    await deliver(state, store, sender, tg)

    assert sent_on_disk == [0, 1, 2, 3]  # when send k arrives, the k-1 before it are already durable
    assert [e["message_id"] for e in on_disk(store)["outbox"]] == [1, 2, 3, 4]


async def test_edits_follow_their_post(tg, store, sender):
    state = State()
    [post] = queue_posts(state, ["<b>원문</b>"])
    state.outbox.append(
        OutboxEntry(
            id="e1",
            kind="edit",
            text="<b>원문</b>\n다른 보도: 무등일보",
            created_at=time.time(),
            story_id=post.story_id,
        )
    )
    state.outbox.append(
        OutboxEntry(
            id="e2",
            kind="edit",
            text="<b>원문</b>\n다른 보도: 무등일보",
            created_at=time.time(),
            story_id=post.story_id,
        )
    )

    await deliver(state, store, sender, tg)

    assert tg.channel_content() == {1: "<b>원문</b>\n다른 보도: 무등일보"}
    assert [e.status for e in state.outbox] == ["sent", "sent", "sent"]  # the unchanged re-edit is done
    assert [c.method for c in tg.calls if c.method != "getMe"] == ["sendMessage", "editMessageText", "editMessageText"]


async def test_deadline_leaves_the_rest_pending(tg, store, sender):
    state = State()
    entries = queue_posts(state, ["now", "later"])
    config = DeliveryConfig(max_per_minute=20, min_interval_seconds=30.0)

    report = await deliver(state, store, sender, tg, config=config, deadline=time.time() + 1)

    assert [e.status for e in entries] == ["sent", "pending"]
    assert report.pending == 1 and report.waited == 0
    assert tg.sent_messages(tg.channel_id) == ["now"]


async def test_dry_run_prints_each_message_and_sends_nothing(store):
    out = io.StringIO()
    state = State()
    entries = queue_posts(state, ["<b>하나</b>", "둘"])

    started = time.monotonic()
    await deliver_pending(state, store, DryRunSender(out), chat_id="dry-run", delivery_config=DeliveryConfig())

    assert time.monotonic() - started < 1  # no flood spacing for printing
    printed = out.getvalue()
    assert printed.index("<b>하나</b>") < printed.index("둘")
    assert printed.count("dry run: message #") == 2
    assert [e.message_id for e in entries] == [1, 2]


async def test_the_token_never_leaks(tg, store, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    state = State()
    queue_posts(state, ["a", "<p>b</p>", "c"])
    tg.fail_next("sendMessage", Fault.server_error(), Fault.drop_after(), Fault.slow(0.8))
    good = TelegramSender(telegram_config(tg), trust_env=False, read_timeout=0.4)
    wrong_token = "987654321:AAH-not-the-right-token-ZZZZZZZZZZZZ"
    wrong = TelegramSender(telegram_config(tg, wrong_token), trust_env=False)
    try:
        await deliver(state, store, good, tg)
        queue_posts(state, ["d"])
        report = await deliver(state, store, wrong, tg)
    finally:
        await good.close()
        await wrong.close()

    assert report.stopped and "rejected" in report.stopped
    assert any(e.status == "failed" for e in state.outbox)
    captured = capsys.readouterr()
    texts = [caplog.text, captured.out, captured.err, store.path.read_text("utf-8"), report.stopped]
    for token in (tg.token, wrong_token):
        secret = token.split(":", 1)[1]
        for text in texts:
            assert token not in text and secret not in text
    assert "<token>" in report.stopped


def test_scrub_replaces_the_token_in_every_form():
    token = "123456:ABCdefGHIjklMNO"
    text = f"POST https://api.telegram.org/bot{token}/sendMessage; bot123456%3AABCdefGHIjklMNO; ABCdefGHIjklMNO"
    assert scrub(text, token) == ("POST https://api.telegram.org/bot<token>/sendMessage; bot<token>; <token>")
    assert scrub("nothing secret", None) == "nothing secret"


async def test_a_large_backlog_goes_out_as_one_digest(tg, store, sender):
    state = State()
    posts = queue_posts(state, [f"<b>소식 {n}</b>" for n in range(5)])
    state.outbox.append(
        OutboxEntry(id="e-s0", kind="edit", text="<b>소식 0</b> 추가", created_at=time.time(), story_id="s0")
    )
    config = DeliveryConfig(backlog_digest_threshold=3, min_interval_seconds=0)

    report = await deliver(state, store, sender, tg, config=config)

    [digest] = tg.sent_messages(tg.channel_id)
    for n in range(5):
        assert f'<a href="https://news.example/{n}">title {n}</a>' in digest
    assert [e.status for e in posts] + [state.outbox[-1].status] == ["folded"] * 6
    assert state.outbox[0].kind == "digest" and state.outbox[0].status == "sent"
    assert report.sent == 1 and report.pending == 0


async def test_a_backlog_within_the_threshold_goes_out_post_by_post(tg, store, sender):
    state = State()
    queue_posts(state, ["a", "b", "c"])
    config = DeliveryConfig(backlog_digest_threshold=3, min_interval_seconds=0)

    await deliver(state, store, sender, tg, config=config)

    assert tg.sent_messages(tg.channel_id) == ["a", "b", "c"]


async def test_an_unreachable_telegram_parks_nothing_and_stops_the_run(tg, store):
    import socket

    with socket.socket() as s:  # a port where nothing listens
        s.bind(("127.0.0.1", 0))
        dead_port = s.getsockname()[1]
    cfg = TelegramConfig(bot_token=tg.token, chat_id=tg.channel_id, api_base_url=f"http://127.0.0.1:{dead_port}")
    down = TelegramSender(cfg, trust_env=False, connect_timeout=1.0)
    state = State()
    entries = queue_posts(state, ["x", "y"])
    try:
        report = await deliver(state, store, down, tg, config=DeliveryConfig(max_attempts=3))
    finally:
        await down.close()

    assert report.stopped and "could not be reached 3 times" in report.stopped
    assert [(e.status, e.attempts, e.lost_answers) for e in entries] == [("pending", 0, 0)] * 2
    assert tg.calls == []

    up = TelegramSender(telegram_config(tg), trust_env=False)
    try:
        await deliver(state, store, up, tg, clock=lambda: time.time() + 60)
    finally:
        await up.close()
    assert tg.sent_messages(tg.channel_id) == ["x", "y"]


async def test_an_alert_goes_out_while_the_channel_waits_its_spacing(tg, store, sender):
    state = State()
    queue_posts(state, ["p1", "p2", "p3"])
    state.outbox.append(OutboxEntry(id="a1", kind="alert", text="⚠️ 경고", created_at=time.time(), chat_id=tg.admin_id))
    config = DeliveryConfig(min_interval_seconds=0.5)

    await deliver(state, store, sender, tg, config=config)

    order = [c.params["chat_id"] for c in tg.calls_to("sendMessage")]
    assert order == [tg.channel_id, tg.admin_id, tg.channel_id, tg.channel_id]
    channel_times = [c.at for c in sends(tg, tg.channel_id)]
    assert all(b - a >= 0.5 for a, b in itertools.pairwise(channel_times))


# -- the fake server itself: it answers like the real Bot API ------------------------------------------


def api(tg: TelegramApiServer, method: str, **kwargs: object) -> httpx.Response:
    with httpx.Client(trust_env=False, timeout=5) as client:
        return client.post(f"{tg.base_url}{tg.token}/{method}", **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "description"),
    [
        pytest.param("<p>x</p>", 'can\'t parse entities: Unsupported start tag "p" at byte offset 0', id="p"),
        pytest.param("가 < 나", 'can\'t parse entities: Unsupported start tag "" at byte offset 4', id="stray-lt"),
        pytest.param(
            "<b>x</i>",
            'can\'t parse entities: Unmatched end tag at byte offset 4, expected "</b>", found "</i>"',
            id="unmatched",
        ),
        pytest.param("x</b>", "can't parse entities: Unexpected end tag at byte offset 1", id="unexpected-end"),
        pytest.param(
            "<b>x", "can't parse entities: Can't find end tag corresponding to start tag \"b\"", id="unclosed"
        ),
        pytest.param(
            "<span>x</span>",
            'can\'t parse entities: Tag "span" must have class "tg-spoiler" at byte offset 0',
            id="span",
        ),
        pytest.param("", "message text is empty", id="empty"),
        pytest.param("  <b> </b> ", "text must be non-empty", id="blank-after-parsing"),
        pytest.param("&amp;" * 4097, "message is too long", id="4097-visible"),
    ],
)
def test_the_fake_rejects_messages_like_telegram(tg, text, description):
    data = {"chat_id": str(tg.channel_id), "text": text, "parse_mode": "HTML"}
    response = api(tg, "sendMessage", data=data)

    assert response.status_code == 400
    assert response.json() == {"ok": False, "error_code": 400, "description": f"Bad Request: {description}"}


def test_the_fake_counts_visible_characters_and_accepts_json_bodies(tg):
    ok = api(
        tg,
        "SENDMESSAGE",
        json={"chat_id": f"@{CHANNEL_USERNAME}", "text": "<b>" + "&lt;" * 4096 + "</b>", "parse_mode": "html"},
    )

    assert ok.status_code == 200
    message = ok.json()["result"]
    assert message["chat"]["type"] == "channel" and message["sender_chat"]["id"] == tg.channel_id
    assert message["text"] == "<" * 4096
    assert message["entities"] == [{"type": "bold", "offset": 0, "length": 4096}]
    assert tg.channel_content(visible=True) == {1: "<" * 4096}


def test_the_fake_routes_and_authenticates_like_telegram(tg):
    with httpx.Client(trust_env=False, timeout=5) as client:
        wrong_token = client.post(f"{tg.base_url}123:wrong/getMe")
        no_method = client.post(f"{tg.base_url}{tg.token}/sendPigeon")
        outside = client.post(f"http://127.0.0.1:{tg.port}/favicon.ico")
    me = api(tg, "getme")

    assert (wrong_token.status_code, wrong_token.json()["description"]) == (401, "Unauthorized")
    assert (no_method.status_code, no_method.json()["description"]) == (404, "Not Found: method not found")
    assert outside.status_code == 404
    assert me.json()["result"]["username"] == tg.bot_username and me.json()["result"]["is_bot"] is True


def test_the_fake_long_polls_updates_and_honours_the_offset(tg):
    started = time.monotonic()
    assert api(tg, "getUpdates", data={"timeout": "1"}).json() == {"ok": True, "result": []}
    assert time.monotonic() - started >= 0.9

    first = tg.push_command(tg.admin_id, "/status now")
    [update] = api(tg, "getUpdates", data={"timeout": "1"}).json()["result"]
    assert update["update_id"] == first
    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 7}]
    assert update["message"]["from"]["id"] == tg.admin_id
    assert api(tg, "getUpdates", data={"offset": str(first + 1), "timeout": "0"}).json()["result"] == []


def test_the_fake_refuses_edits_that_change_nothing_or_miss(tg):
    api(tg, "sendMessage", data={"chat_id": str(tg.channel_id), "text": "<b>a</b>", "parse_mode": "HTML"})
    same = api(
        tg,
        "editMessageText",
        data={"chat_id": str(tg.channel_id), "message_id": "1", "text": "<b>a</b>", "parse_mode": "HTML"},
    )
    missing = api(tg, "editMessageText", data={"chat_id": str(tg.channel_id), "message_id": "9", "text": "b"})

    assert same.status_code == 400
    assert same.json()["description"].startswith("Bad Request: message is not modified")
    assert missing.json()["description"] == "Bad Request: message to edit not found"


async def test_retry_lifts_the_pause_of_a_refusing_channel_at_once(tg, store, sender):
    tg.chats[tg.channel_id].bot_status = "member"  # in the channel but without the right to post
    state = State()
    entries = queue_posts(state, ["one", "two"])
    await deliver(state, store, sender, tg)
    assert [e.status for e in entries] == ["pending", "pending"]
    assert "Need administrator rights" in state.blocked_chats[str(tg.channel_id)].error

    tg.chats[tg.channel_id].bot_status = "administrator"
    assert requeue_failed(state) == 0  # nothing was parked; the pause is lifted
    await deliver(state, store, sender, tg)

    assert tg.sent_messages(tg.channel_id) == ["one", "two"]
    assert state.blocked_chats == {}


async def test_a_clock_stepped_back_two_hours_holds_nothing(tg, store, sender):
    """Send times and backoff deadlines are saved as wall-clock times; an NTP correction that moves the
    clock two hours back must not make delivery wait two hours for its own history."""
    config = DeliveryConfig(max_per_minute=20, min_interval_seconds=3.0, max_attempts=4)
    state = State()
    waits: list[float] = []

    async def no_sleep(delay: float) -> None:
        waits.append(delay)

    queue_posts(state, ["before the step"])
    await deliver(state, store, sender, tg, config=config, sleep=no_sleep)
    tg.fail_next("sendMessage", Fault.server_error())  # leaves the next entry backing off
    queue_posts(state, ["backing off"])
    await deliver(state, store, sender, tg, config=config, sleep=no_sleep, deadline=time.time() - 1)

    stepped_back = store.load()  # a restart after the step: only what the file says
    queue_posts(stepped_back, ["after the step"])
    report = await deliver(
        stepped_back, store, sender, tg, config=config, sleep=no_sleep, clock=lambda: time.time() - 7200
    )

    assert tg.sent_messages(tg.channel_id) == ["before the step", "backing off", "after the step"]
    assert report.pending == 0
    assert max(waits) <= 3.0  # the spacing between two posts, never the two hours


# -- what a failure is: by type and cause, never by message text -------------------------------------


def _raised(exc: BaseException, cause: BaseException | None) -> BaseException:
    exc.__cause__ = cause
    return exc


def _classification_cases() -> list[object]:
    import httpx
    from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut

    from bot.senders import FailureKind as K

    request = httpx.Request("POST", "https://api.telegram.org/bot1:x/sendMessage")
    return [
        pytest.param(_raised(TimedOut(), httpx.ConnectTimeout("", request=request)), K.NOT_SENT, id="connect-timeout"),
        pytest.param(_raised(NetworkError("x"), httpx.ConnectError("", request=request)), K.NOT_SENT, id="refused"),
        pytest.param(_raised(TimedOut("Pool timeout"), httpx.PoolTimeout("")), K.NOT_SENT, id="pool-timeout"),
        pytest.param(_raised(TimedOut(), httpx.ReadTimeout("", request=request)), K.ANSWER_LOST, id="read-timeout"),
        pytest.param(_raised(TimedOut(), httpx.WriteTimeout("", request=request)), K.ANSWER_LOST, id="write-timeout"),
        pytest.param(_raised(NetworkError("x"), httpx.RemoteProtocolError("")), K.ANSWER_LOST, id="dropped"),
        pytest.param(NetworkError("Internal Server Error (500)"), K.SERVER_ERROR, id="5xx-answer"),
        pytest.param(RetryAfter(3), K.RETRY_AFTER, id="429"),
        pytest.param(ChatMigrated(-1002), K.MIGRATED, id="migrated"),
        pytest.param(Forbidden("Forbidden: bot was kicked from the channel chat"), K.CHAT_REFUSED, id="kicked"),
        pytest.param(BadRequest("Chat not found"), K.CHAT_REFUSED, id="chat-not-found"),
        pytest.param(BadRequest("need administrator rights in the channel chat"), K.CHAT_REFUSED, id="no-rights"),
        pytest.param(BadRequest("Can't parse entities: unsupported start tag"), K.MESSAGE_REJECTED, id="rejected"),
        pytest.param(BadRequest("Message is not modified: specified new message content"), K.NOT_MODIFIED, id="same"),
        pytest.param(BadRequest("Message to delete not found"), K.MESSAGE_GONE, id="gone"),
        pytest.param(InvalidToken(), K.TOKEN_REJECTED, id="token"),
    ]  # fmt: skip


@pytest.mark.parametrize(("exc", "kind"), _classification_cases())
def test_every_failure_is_classified_by_type_and_cause(exc: BaseException, kind: object) -> None:
    from bot.telegram_client import classify

    failure = classify(exc, "1:secret-token-value")
    assert failure.kind is kind
    if kind.name == "RETRY_AFTER":  # type: ignore[attr-defined]
        assert failure.retry_after == 3.0


def test_flood_limits_are_telegrams_own_constants() -> None:
    from telegram.constants import FloodLimit

    from bot.delivery import CHANNEL_MAX_PER_MINUTE
    from bot.telegram_client import TELEGRAM_LIMITS

    assert CHANNEL_MAX_PER_MINUTE == FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP == TELEGRAM_LIMITS.channel_per_minute
    assert TELEGRAM_LIMITS.private_interval == 1 / FloodLimit.MESSAGES_PER_SECOND_PER_CHAT


async def test_a_post_continuing_a_storyline_replies_to_its_latest_post(tg, store, sender):
    state = State()
    first, second, third = queue_posts(state, ["the thread's first event", "its next event", "and the next"])
    second.reply_to = first.story_id
    third.reply_to = second.story_id
    await deliver(state, store, sender, tg, sleep=_no_wait)

    calls = [c for c in tg.calls_to("sendMessage") if c.params.get("chat_id") == tg.channel_id]
    assert calls[0].params.get("reply_parameters") is None
    assert calls[1].params["reply_parameters"]["message_id"] == first.message_id
    assert calls[1].params["reply_parameters"]["allow_sending_without_reply"] is True
    assert [m.reply_to for m in tg.stored()] == [None, first.message_id, second.message_id]


async def test_a_deleted_post_does_not_stop_its_reply(tg, store, sender):
    state = State()
    [first] = queue_posts(state, ["the thread's first event"])
    await deliver(state, store, sender, tg, sleep=_no_wait)
    tg.messages[(tg.channel_id, first.message_id)].deleted = True  # an admin deleted it in Telegram
    [third] = queue_posts(state, ["a later event"])
    third.reply_to = first.story_id

    report = await deliver(state, store, sender, tg, sleep=_no_wait)

    assert third.status == "sent" and report.failed == 0
    assert tg.stored()[-1].reply_to is None  # sent as a plain post


async def _no_wait(delay: float) -> None:
    return None
