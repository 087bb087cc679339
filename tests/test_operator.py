"""The operator's loop end to end: an admin's /missed, /post, /wrong, /story and /coverage against the
running daemon, the fake Bot API and loopback outlets; what crossed the wire, the state and the feedback
file after. A stranger's commands are ignored."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.feedback import Example, FeedbackLog, Label
from tests.conftest import REPO, BotProcess, clean_env, wait_for, write_config
from tests.servers.news_site import NewsSite, Page
from tests.servers.telegram_api import CHANNEL_USERNAME, TelegramApiServer
from tests.sites import Outlets, Story

STRANGER = 555000111
MISSED = Story(  # relevant to a person, but its headline gives the filter nothing
    "namdo",
    "missed",
    "엔비디아 출신 연구진, 지역 스타트업 합류",
    [
        "광주 첨단3지구 인공지능 집적단지에 입주한 스타트업에 엔비디아 출신 연구진이 합류했다.",
        "이들은 국가AI데이터센터의 GPU 자원을 활용해 반도체 설계 모델을 개발한다.",
    ],
    timedelta(minutes=30),
    True,
)


@pytest.fixture
def running(tmp_path: Path, outlets: Outlets, telegram: TelegramApiServer) -> Iterator[BotProcess]:
    outlets.add(MISSED)
    urls = outlets.listing_urls
    config = write_config(
        tmp_path / "config.toml",
        telegram=telegram,
        sources={k: (urls[k], "rss" if k == "뉴스피드" else "html") for k in ("광주일보", "남도일보", "뉴스피드")},
    )
    bot = BotProcess(["run", "--config", str(config)], tmp_path / "run.log", telegram)
    wait_for(lambda: len(telegram.sent_messages(telegram.channel_id)) >= 3, what="the first posts")
    yield bot
    bot.kill()


def feed_of(link: str) -> bytes:
    item = f"<item><title>광주시, AI컴퓨팅센터 전담 조직 신설</title><link>{link}</link></item>"
    return f"<rss version='2.0'><channel><title>다른일보</title>{item}</channel></rss>".encode()


def ask(telegram: TelegramApiServer, command: str, **kwargs: object) -> str:
    before = len(telegram.sent_messages(telegram.admin_id))
    telegram.push_command(telegram.admin_id, command, **kwargs)  # type: ignore[arg-type]
    wait_for(lambda: len(telegram.sent_messages(telegram.admin_id)) > before, what=f"the answer to {command}")
    return telegram.sent_messages(telegram.admin_id)[before]


def message_of(telegram: TelegramApiServer, url: str) -> int:
    return next(m.message_id for m in telegram.stored() if url.replace("&", "&amp;") in m.sent_html)


def test_an_admin_corrects_the_channel_and_the_bot_learns(
    tmp_path: Path, outlets: Outlets, telegram: TelegramApiServer, running: BotProcess
) -> None:
    channel = lambda: telegram.sent_messages(telegram.channel_id)  # noqa: E731
    missed_url = outlets.article_url("missed")
    assert not any(missed_url in p for p in channel())  # the filter skipped it

    # /missed: what happened, and the way to post it
    answer = ask(telegram, f"/missed {missed_url}")
    assert "남도일보에서" in answer and "관련 없는 기사로 판단" in answer
    assert "지금 규칙의 판단" in answer and f"/post {missed_url}".replace("&", "&amp;") in answer

    # ... and the next copy of that story, from another outlet, is posted although its headline says nothing
    outlets.add(
        Story(
            "kwangju",
            "missed-copy",
            "엔비디아 출신 연구진 지역 스타트업에 합류",
            MISSED.body,
            timedelta(minutes=5),
            True,
        )
    )
    wait_for(lambda: any(outlets.article_url("missed-copy") in p for p in channel()), what="the copy's post")

    # an article on a site no source covers: /missed says so, /post publishes it
    elsewhere = NewsSite().start()
    try:
        body = "<p>광주광역시가 국가AI컴퓨팅센터 유치를 위해 전담 조직을 꾸렸다.</p><p>조직은 전력과 부지를 맡는다.</p>"
        head = "<head><title>광주시, AI컴퓨팅센터 전담 조직 신설</title></head>"
        elsewhere.add("/news/7001", Page(f"<html>{head}<body><article>{body}</article></body></html>".encode()))
        page = elsewhere.url("/news/7001")
        elsewhere.add("/rss/allArticle.xml", Page(feed_of(elsewhere.url("/news/7001")), "application/rss+xml"))
        declared = b'<link rel="alternate" type="application/rss+xml" href="/rss/allArticle.xml">'
        elsewhere.add("/", Page(b"<html><head>" + declared + b"</head><body></body></html>"))
        answer = ask(telegram, f"/missed {page}")
        assert "싣는 소스가 없습니다" in answer and "discover" in answer
        assert f"rss {elsewhere.url('/rss/allArticle.xml')} (1건)" in answer  # the feed to add
        answer = ask(telegram, f"/post {page}")
        assert "게시 대기열에 넣었습니다" in answer
        wait_for(lambda: any(page in p for p in channel()), what="the hand-posted article")
    finally:
        elsewhere.stop()

    # /wrong by URL: deleted from the channel
    dc = outlets.article_url("dc")
    dc_message = message_of(telegram, dc)
    assert "잘못 게시된 소식으로 표시" in ask(telegram, f"/wrong {dc}")
    wait_for(lambda: dc_message not in telegram.channel_content(), what="the deletion")
    assert [c.params["message_id"] for c in telegram.calls_to("deleteMessage")] == [dc_message]

    # /wrong as a reply to a channel post forwarded to the bot
    power_message = message_of(telegram, outlets.article_url("power"))
    forwarded = telegram.forwarded_from_channel(telegram.admin_id, power_message)
    ask(telegram, "/wrong", reply_to=forwarded)
    wait_for(lambda: power_message not in telegram.channel_content(), what="the second deletion")

    # /wrong by a t.me link, on a post too old to delete: edited to a correction
    telegram.delete_window = 0.0
    cluster_message = message_of(telegram, outlets.article_url("cluster"))
    ask(telegram, f"/wrong https://t.me/{CHANNEL_USERNAME}/{cluster_message}")
    wait_for(
        lambda: telegram.channel_content(visible=True).get(cluster_message) == "정정: 관련 없는 기사로 삭제",
        what="the correction",
    )

    # /wrong before an article is posted: it never is
    later = f"{outlets.sites['namdo'].url('/board/view.php')}?no={1000 + len(outlets.stories)}"
    ask(telegram, f"/wrong {later}")
    outlets.add(
        Story("namdo", "later", "광주 국가AI데이터센터 GPU 2배로 늘린다", MISSED.body, timedelta(minutes=1), True)
    )
    assert outlets.article_url("later") == later
    time.sleep(7)  # two polls of every source
    assert not any(later in p for p in channel())

    # /story and /coverage
    story = ask(telegram, f"/story {outlets.article_url('missed-copy')}")
    assert "판단 근거" in story and "광주일보" in story and "marked missed" in story
    assert "수집 점검" in ask(telegram, "/coverage")

    # a stranger is ignored
    deletes = len(telegram.calls_to("deleteMessage"))
    telegram.push_command(STRANGER, f"/wrong {outlets.article_url('missed-copy')}")
    time.sleep(2)
    assert len(telegram.calls_to("deleteMessage")) == deletes
    assert not [c for c in telegram.calls_to("sendMessage") if str(c.params.get("chat_id")) == str(STRANGER)]

    assert running.stop() == 0
    examples = FeedbackLog(tmp_path / "state" / "feedback.jsonl").read()
    assert [e.label for e in examples] == [Label.MISSED, Label.MISSED, Label.POST, *[Label.WRONG] * 4]
    assert all(e.by == telegram.admin_id for e in examples)
    assert examples[0].title == MISSED.title and examples[0].lead.startswith("광주 첨단3지구")
    state = json.loads((tmp_path / "state" / "state.json").read_text(encoding="utf-8"))
    retracts = [e for e in state["outbox"] if e["kind"] == "retract"]
    assert [e["status"] for e in retracts] == ["sent"] * 3


def test_the_feedback_file_keeps_every_whole_line_through_kill_9(tmp_path: Path) -> None:
    path = tmp_path / "feedback.jsonl"
    writer = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from bot.feedback import Example, FeedbackLog, Label\n"
        "log = FeedbackLog(Path(sys.argv[1]))\n"
        "n = 0\n"
        "while True:\n"
        "    log.append(Example(f'https://x.kr/{n}', '광주 AI ' * 40, '리드 ' * 100, Label.MISSED, 'r', time.time()))\n"
        "    n += 1\n"
    )
    for _ in range(3):  # three writers killed at a random moment, one after another on the same file
        proc = subprocess.Popen([sys.executable, "-c", writer, str(path)], cwd=REPO, env=clean_env())
        time.sleep(0.4)
        proc.kill()
        proc.wait()
    examples = FeedbackLog(path).read()
    lines = path.read_bytes().split(b"\n")
    assert len(examples) >= len([line for line in lines if line]) - 3  # at most one torn line per kill
    assert examples and all(e.label is Label.MISSED for e in examples)


def test_a_torn_last_line_is_ignored_with_a_warning_and_the_next_line_stays_whole(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "feedback.jsonl"
    log = FeedbackLog(path)
    log.append(Example("https://x.kr/1", "광주 AI", "리드", Label.WRONG, "r", 1_800_000_000.0))
    with path.open("ab") as fh:
        fh.write(b'{"url": "https://x.kr/2", "title": "\xea\xb4\x91')  # what a crash mid-write leaves
    assert [e.url for e in log.read()] == ["https://x.kr/1"]
    assert "torn by a crash" in caplog.text

    log.append(Example("https://x.kr/3", "광주 AI", "리드", Label.POST, "r", 1_800_000_100.0))
    assert [e.url for e in log.read()] == ["https://x.kr/1", "https://x.kr/3"]
