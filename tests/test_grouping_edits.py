"""A later copy of a story edits the first post ("같은 소식: …"); it never becomes a second post."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.conftest import clean_env, run_cli, write_config
from tests.servers.telegram_api import TelegramApiServer
from tests.sites import DATACENTER_BODY, Outlets, Story


def test_a_later_copy_edits_the_post(tmp_path: Path, telegram: TelegramApiServer) -> None:
    first = Story(
        "kwangju",
        "dc",
        "광주 국가AI데이터센터, GPU 1000장 추가 구축…지역 기업 지원",
        DATACENTER_BODY,
        timedelta(hours=2),
        True,
    )
    with Outlets([first]) as outlets:
        urls = outlets.listing_urls
        config = write_config(
            tmp_path / "config.toml",
            telegram=telegram,
            sources={"광주일보": (urls["광주일보"], "html"), "남도일보": (urls["남도일보"], "html")},
        )
        env = clean_env(TELEGRAM_BOT_TOKEN=telegram.token)
        assert run_cli("once", "--config", str(config), env=env).returncode == 0
        [post] = telegram.stored(telegram.channel_id)
        assert "같은 소식" not in post.html

        outlets.add(
            Story(
                "namdo",
                "dc-copy",
                "광주 국가AI데이터센터에 GPU 1000장 추가…AI 기업 지원 확대",
                [
                    "[광주=뉴시스] 박지영 기자 = 광주광역시가 국가AI데이터센터에 그래픽처리장치(GPU) 1,000장을 "
                    "추가로 구축해 지역 인공지능 기업에 제공한다고 5일 밝혔다.",
                    "데이터센터 연산 능력은 88.5PF에서 120PF로 늘어난다.",
                ],
                timedelta(minutes=30),
                True,
            )
        )
        result = run_cli("once", "--config", str(config), env=env)
        assert result.returncode == 0, result.stderr
        assert len(telegram.calls_to("sendMessage")) == 1  # no second post
        edits = telegram.calls_to("editMessageText")
        assert len(edits) == 1 and str(edits[0].params["message_id"]) == str(post.message_id)
        shown = telegram.channel_content(telegram.channel_id)[post.message_id]
        assert "같은 소식" in shown and outlets.article_url("dc-copy") in shown and "남도일보" in shown

        # Nothing more on the next run.
        assert run_cli("once", "--config", str(config), env=env).returncode == 0
        assert len(telegram.calls_to("editMessageText")) == 1
        assert len(telegram.calls_to("sendMessage")) == 1
