"""A broken source alerts the admins once, and again when it recovers — through the real Bot API wire."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import clean_env, run_cli, write_config
from tests.servers.news_site import Page
from tests.servers.telegram_api import TelegramApiServer
from tests.sites import Outlets


def test_failing_source_alerts_once_then_on_recovery(
    tmp_path: Path, outlets: Outlets, telegram: TelegramApiServer
) -> None:
    urls = outlets.listing_urls
    config = write_config(
        tmp_path / "config.toml",
        telegram=telegram,
        sources={"광주일보": (urls["광주일보"], "html")},
        extra="[health]\nfailure_threshold = 2\n",
    )
    env = clean_env(TELEGRAM_BOT_TOKEN=telegram.token)
    site = outlets.sites["kwangju"]
    good = site.routes["/news/articleList.html"]
    site.add("/news/articleList.html", Page(b"down for maintenance", status=503))

    def admin_messages() -> list[str]:
        return telegram.sent_messages(telegram.admin_id)

    assert run_cli("once", "--config", str(config), env=env).returncode == 0
    assert admin_messages() == []  # one failure is not yet a pattern
    assert run_cli("once", "--config", str(config), env=env).returncode == 0
    assert len(admin_messages()) == 1
    assert "광주일보" in admin_messages()[0] and "503" in admin_messages()[0]
    assert run_cli("once", "--config", str(config), env=env).returncode == 0
    assert len(admin_messages()) == 1  # said once, not every cycle

    site.add("/news/articleList.html", good)
    assert run_cli("once", "--config", str(config), env=env).returncode == 0
    assert len(admin_messages()) == 2 and "복구" in admin_messages()[1]
    # The first successful poll is the source's first poll: its recent relevant story is posted.
    [post] = telegram.sent_messages(telegram.channel_id)
    assert outlets.article_url("dc") in post


def test_layout_change_alerts_at_once(tmp_path: Path, outlets: Outlets, telegram: TelegramApiServer) -> None:
    urls = outlets.listing_urls
    config = write_config(tmp_path / "config.toml", telegram=telegram, sources={"남도일보": (urls["남도일보"], "html")})
    env = clean_env(TELEGRAM_BOT_TOKEN=telegram.token)
    assert run_cli("once", "--config", str(config), env=env).returncode == 0
    outlets.sites["namdo"].add("/board/list.php", Page("<html><body>새 디자인</body></html>".encode()))
    assert run_cli("once", "--config", str(config), env=env).returncode == 0
    [alert] = telegram.sent_messages(telegram.admin_id)
    assert "남도일보" in alert and "layout" in alert
