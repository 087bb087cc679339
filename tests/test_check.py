"""`check` as an operator uses it: one row per source, a plain-language reason for every failure, and
bad input at one source affecting only that source.

Each bad source is a real misbehaving server on loopback; `check` runs as a process.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import clean_env, run_cli, write_config
from tests.servers.news_site import NewsSite, Page
from tests.sites import Outlets

GOOD_FEED = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>
<item><title>광주 AI 데이터센터 소식</title><link>{url}/news/1</link></item></channel></rss>"""


def endless() -> Iterator[bytes]:
    chunk = b"<p>" + "광주".encode() * 5000 + b"</p>"
    for _ in range(10_000):  # about 300 MB if nobody stops reading
        yield chunk


@pytest.fixture
def bad_site() -> Iterator[NewsSite]:
    with NewsSite() as site:
        site.add("/huge", Page(stream=endless))
        site.add("/loop", Page(status=302, headers={"Location": "/loop2"}))
        site.add("/loop2", Page(status=302, headers={"Location": "/loop"}))
        site.add("/binary", Page(bytes(range(256)) * 400, content_type="application/octet-stream"))
        site.add("/empty", Page(b"", content_type="text/html"))
        site.add(
            "/broken-euckr",
            Page(
                "<html><head><meta charset='euc-kr'></head><body><ul><li><a href='/news/articleView.html?idxno=1001'>"
                "광주 인공지능 집적단지 기업 입주 확대</a></li><li><a href='/news/articleView.html?idxno=1002'>"
                "광주 AI 데이터센터 GPU 추가 도입 확정</a></li></ul></body></html>".encode("cp949")
                + b"\xff\xfe\x80 broken bytes",
                content_type="text/html",
            ),
        )
        site.add("/not-xml.rss", Page(b"<html><body>this is not a feed</body></html>", content_type="text/html"))
        site.add("/good.xml", Page(GOOD_FEED.format(url=site.url("")).encode(), content_type="application/rss+xml"))
        site.add("/gone", Page(b"gone", status=404))
        yield site


def test_check_explains_each_failure_and_the_rest_still_work(tmp_path: Path, bad_site: NewsSite) -> None:
    sources = {
        "huge": (bad_site.url("/huge"), "html"),
        "loop": (bad_site.url("/loop"), "html"),
        "binary": (bad_site.url("/binary"), "html"),
        "empty": (bad_site.url("/empty"), "html"),
        "broken": (bad_site.url("/broken-euckr"), "html"),
        "notxml": (bad_site.url("/not-xml.rss"), "rss"),
        "gone": (bad_site.url("/gone"), "html"),
        "nohost": ("http://no-such-host.invalid/list", "html"),
        "good": (bad_site.url("/good.xml"), "rss"),
    }
    config = write_config(tmp_path / "config.toml", sources=sources)
    text = config.read_text(encoding="utf-8")
    text = text.replace("timeout_seconds = 5.0", "timeout_seconds = 5.0\nmax_bytes = 2000000")
    config.write_text(text, encoding="utf-8")
    result = run_cli("check", "--config", str(config), env=clean_env())
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line for line in result.stdout.splitlines() if line.split() and line.split()[0] in sources}
    assert set(rows) == set(sources), result.stdout
    assert "larger than" in rows["huge"]
    assert "redirect" in rows["loop"]
    assert "not a web page or feed" in rows["binary"]
    assert "404" in rows["gone"]
    assert "resolved" in rows["nohost"]
    assert "not XML" in rows["notxml"] or "not a feed" in rows["notxml"] or "no <rss>" in rows["notxml"]
    # An EUC-KR page with some invalid bytes still yields its articles.
    assert " ok" in rows["broken"] and rows["broken"].split()[1] == "2"
    assert " ok" in rows["good"] and rows["good"].split()[1] == "1"
    assert rows["empty"].split()[1] == "0"
    assert "3 of 9 sources ok" in result.stdout

    strict = run_cli("check", "--strict", "--config", str(config), env=clean_env())
    assert strict.returncode == 1


def test_check_changes_no_state_and_posts_nothing(tmp_path: Path, outlets: Outlets) -> None:
    urls = outlets.listing_urls
    config = write_config(tmp_path / "config.toml", sources={"광주일보": (urls["광주일보"], "html")})
    result = run_cli("check", "--config", str(config), env=clean_env())
    assert result.returncode == 0, result.stderr
    assert "광주일보" in result.stdout and " ok" in result.stdout
    assert not (tmp_path / "state" / "state.json").exists()
    assert "<b>" not in result.stdout  # no would-be posts


def test_zero_items_after_items_is_reported_as_a_layout_change(tmp_path: Path, outlets: Outlets) -> None:
    urls = outlets.listing_urls
    config = write_config(tmp_path / "config.toml", sources={"광주일보": (urls["광주일보"], "html")})
    assert run_cli("once", "--config", str(config), env=clean_env()).returncode == 0
    outlets.sites["kwangju"].add("/news/articleList.html", Page("<html><body><p>점검 중</p></body></html>".encode()))
    result = run_cli("check", "--config", str(config), env=clean_env())
    assert "layout may have changed" in result.stdout, result.stdout
    once = run_cli("once", "--config", str(config), env=clean_env())
    assert "layout may have changed" in once.stderr
    state = json.loads((tmp_path / "state" / "state.json").read_text(encoding="utf-8"))
    assert state["sources"]["광주일보"]["consecutive_failures"] == 1
