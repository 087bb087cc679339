"""A user's view of `once`: three outlets and a Bot API server on loopback, the bot run as a process.

The outlets (tests/sites.py) carry nine articles: four relevant new stories, one of them reported twice
(two headlines on two outlets) and one reached twice (the feed links a board article with tracking
parameters), one relevant story too old for the backfill window, and three look-alikes that are not
about Gwangju AI infrastructure (경기 광주시, the volleyball team AI페퍼스, bird flu).
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from tests.conftest import clean_env, run_cli, write_config
from tests.servers.news_site import Page, Request
from tests.servers.telegram_api import TelegramApiServer
from tests.sites import Outlets, Story, sources_of


def once(config: Path, telegram: TelegramApiServer | None) -> tuple[int, str, str]:
    env = clean_env(TELEGRAM_BOT_TOKEN=telegram.token) if telegram else clean_env()
    result = run_cli("once", "--config", str(config), env=env)
    return result.returncode, result.stdout, result.stderr


def test_once_posts_each_relevant_new_story_exactly_once(
    tmp_path: Path, outlets: Outlets, telegram: TelegramApiServer
) -> None:
    config = write_config(tmp_path / "config.toml", sources=sources_of(outlets), telegram=telegram)

    code, _, err = once(config, telegram)
    assert code == 0, err
    posts = telegram.sent_messages(telegram.channel_id)
    assert len(posts) == 3, "\n---\n".join(posts) + "\n" + err

    by_story = {
        "dc": [p for p in posts if outlets.article_url("dc") in p],
        "cluster": [p for p in posts if outlets.article_url("cluster") in p],
        "power": [p for p in posts if outlets.article_url("power") in p],
    }
    assert all(len(found) == 1 for found in by_story.values()), by_story
    # Each post carries a summary taken from its article page, not just the headline.
    assert "88.5PF" in by_story["dc"][0] or "1,000장" in by_story["dc"][0]
    assert "150곳" in by_story["cluster"][0] or "GPU 자원" in by_story["cluster"][0]
    assert "정부 공모" in by_story["power"][0] or "한국전력" in by_story["power"][0]
    # The EUC-KR board's headline arrives intact.
    assert "첨단3지구 AI 집적단지 입주 기업 100곳 돌파" in by_story["cluster"][0]
    # The second outlet's copy of the data-centre story is named in the same post, not posted again.
    assert outlets.article_url("dc-copy") in by_story["dc"][0]
    assert "남도일보" in by_story["dc"][0]
    for text in posts:
        for wrong in ("AI페퍼스", "오포읍", "고병원성", "예비타당성"):
            assert wrong not in text

    # A second run finds nothing new and posts nothing; unchanged lists are not even parsed again.
    calls_before = len(telegram.calls_to("sendMessage"))
    code, _, err = once(config, telegram)
    assert code == 0, err
    assert len(telegram.calls_to("sendMessage")) == calls_before
    assert err.count("(not modified)") == 3, err

    # A new article appears on one outlet: exactly one new post, for it.
    outlets.add(
        Story(
            "kwangju",
            "talent",
            "광주 AI 인재 양성 사관학교 3기 수료…GPU 실습 확대",
            [
                "광주광역시와 인공지능산업융합사업단은 AI 사관학교 3기 수료식을 열었다고 밝혔다.",
                "수료생들은 국가AI데이터센터의 GPU로 실습했다.",
            ],
            timedelta(minutes=10),
            True,
        )
    )
    code, _, err = once(config, telegram)
    assert code == 0, err
    new_posts = telegram.sent_messages(telegram.channel_id)[3:]
    assert len(new_posts) == 1, new_posts
    assert outlets.article_url("talent") in new_posts[0]

    state = json.loads((tmp_path / "state" / "state.json").read_text(encoding="utf-8"))
    assert state["schema_version"] == 1
    assert telegram.token not in (tmp_path / "state" / "state.json").read_text(encoding="utf-8")
    assert telegram.token not in err


def test_without_a_token_the_posts_are_printed(tmp_path: Path, outlets: Outlets) -> None:
    config = write_config(tmp_path / "config.toml", sources=sources_of(outlets))
    code, out, err = once(config, None)
    assert code == 0, err
    assert outlets.article_url("dc") in out
    assert outlets.article_url("cluster") in out
    assert outlets.article_url("power") in out
    assert "AI페퍼스" not in out


def test_a_failing_source_is_reported_and_does_not_stop_the_others(
    tmp_path: Path, outlets: Outlets, telegram: TelegramApiServer
) -> None:
    sources = sources_of(outlets)
    sources["없는신문"] = (outlets.sites["feed"].url("/no-such-list.html"), "html")
    config = write_config(tmp_path / "config.toml", sources=sources, telegram=telegram)
    code, _, err = once(config, telegram)
    assert code == 0, err
    assert "없는신문" in err and "404" in err
    assert len(telegram.sent_messages(telegram.channel_id)) == 3


def test_backfill_zero_posts_nothing_from_a_first_poll(
    tmp_path: Path, outlets: Outlets, telegram: TelegramApiServer
) -> None:
    config = write_config(tmp_path / "config.toml", sources=sources_of(outlets), telegram=telegram)
    config.write_text(
        config.read_text(encoding="utf-8").replace("backfill_hours = 24", "backfill_hours = 0"), encoding="utf-8"
    )
    code, _, err = once(config, telegram)
    assert code == 0, err
    assert telegram.sent_messages(telegram.channel_id) == []


def test_old_news_newly_listed_is_recorded_not_posted(
    tmp_path: Path, outlets: Outlets, telegram: TelegramApiServer
) -> None:
    config = write_config(tmp_path / "config.toml", sources=sources_of(outlets), telegram=telegram)
    assert once(config, telegram)[0] == 0
    posted = len(telegram.sent_messages(telegram.channel_id))
    outlets.add(
        Story(
            "kwangju",
            "archive",
            "광주 AI 데이터센터 착공식 열려…GPU 기반 인프라 구축 시작",
            ["광주광역시 국가AI데이터센터 착공식이 열렸다."],
            timedelta(days=30),
            True,
        )
    )
    code, _, err = once(config, telegram)
    assert code == 0, err
    assert len(telegram.sent_messages(telegram.channel_id)) == posted
    assert "older than max_age_hours" in err


def test_the_next_poll_is_conditional_and_a_304_costs_nothing(
    tmp_path: Path, outlets: Outlets, telegram: TelegramApiServer
) -> None:
    site = outlets.sites["kwangju"]
    listing = site.routes["/news/articleList.html"]
    assert isinstance(listing, Page)
    tagged = Page(listing.body, headers={"ETag": '"v1"', "Last-Modified": "Thu, 26 Nov 2026 01:00:00 GMT"})

    def conditional(request: Request) -> Page:
        if request.headers.get("if-none-match") == '"v1"':
            return Page(b"", status=304, headers={"ETag": '"v1"'})
        return tagged

    site.add("/news/articleList.html", conditional)
    config = write_config(
        tmp_path / "config.toml", telegram=telegram, sources={"광주일보": (outlets.listing_urls["광주일보"], "html")}
    )
    assert once(config, telegram)[0] == 0
    posted = len(telegram.sent_messages(telegram.channel_id))
    assert posted == 1
    code, _, err = once(config, telegram)
    assert code == 0, err
    polls = [r for r in site.requests if r.path == "/news/articleList.html"]
    assert polls[-1].headers.get("if-none-match") == '"v1"'
    assert polls[-1].headers.get("if-modified-since") == "Thu, 26 Nov 2026 01:00:00 GMT"
    assert "not modified" in err
    assert len(telegram.sent_messages(telegram.channel_id)) == posted
    state = json.loads((tmp_path / "state" / "state.json").read_text(encoding="utf-8"))
    assert state["sources"]["광주일보"]["consecutive_failures"] == 0


def test_a_new_event_of_a_storyline_is_posted_as_a_reply(tmp_path: Path, telegram: TelegramApiServer) -> None:
    bid = Story(
        "kwangju",
        "bid",
        "광주시, 국가AI컴퓨팅센터 유치 범시민 추진위원회 출범",
        ["광주광역시는 국가AI컴퓨팅센터 유치를 위한 범시민 추진위원회를 출범했다고 밝혔다."],
        timedelta(hours=30),
        True,
    )
    with Outlets([bid]) as outlets:
        config = write_config(tmp_path / "config.toml", sources=sources_of(outlets), telegram=telegram)
        config.write_text(config.read_text().replace("backfill_hours = 24", "backfill_hours = 48"))
        assert once(config, telegram)[0] == 0
        outlets.add(
            Story(
                "namdo",
                "signatures",
                "국가AI컴퓨팅센터 광주 유치 서명운동 10만명 돌파",
                ["국가AI컴퓨팅센터 광주 유치를 바라는 시민 서명이 10만명을 넘었다고 광주광역시가 밝혔다."],
                timedelta(minutes=10),
                True,
            )
        )
        assert once(config, telegram)[0] == 0
    first, reply = [c for c in telegram.calls_to("sendMessage") if c.params.get("chat_id") == telegram.channel_id]
    assert "reply_parameters" not in first.params
    assert reply.params["reply_parameters"]["allow_sending_without_reply"] is True
    [bid_post, thread_post] = telegram.stored()
    assert reply.params["reply_parameters"]["message_id"] == bid_post.message_id
    assert thread_post.reply_to == bid_post.message_id
