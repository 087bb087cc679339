"""The command line of CONTRACT.md, driven as operators and acceptance checks drive it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import clean_env, run_cli
from tests.sites import Outlets


def test_classify_answers_each_line_in_order() -> None:
    lines = [
        {"id": 1, "title": "광주 국가AI데이터센터에 GPU 1000장 추가 구축"},
        {"id": "b", "title": "경기 광주시 오포읍 데이터센터 건립 반대 집회"},
        {"id": 3, "title": "AI페퍼스, 홈에서 3연승 질주"},
        {
            "id": 4,
            "title": "세계 10위 인공지능 데이터센터 착수식",
            "text": "광주광역시 북구 첨단3지구 인공지능 집적단지에서 국가AI데이터센터 착수식이 열렸다. " * 5,
        },
    ]
    result = run_cli("classify", stdin="\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n")
    assert result.returncode == 0, result.stderr
    out = result.json_lines()
    assert [o["id"] for o in out] == [1, "b", 3, 4]
    assert [o["relevant"] for o in out] == [True, False, False, True]
    for o in out:
        assert set(o) == {"id", "relevant", "score", "reasons"}
        assert isinstance(o["score"], float) and o["reasons"] and all(isinstance(r, str) for r in o["reasons"])


def test_group_puts_copies_of_one_event_together() -> None:
    lines = [
        {"id": "a", "title": "광주시의회, 'AI 실증도시 특별위원회' 출범", "published_at": "2025-10-24T10:00:00+09:00"},
        {"id": "b", "title": "광주 AI영재고 설립비 국비 70%·시비 30%…2027년 개교", "outlet": "뉴시스"},
        {
            "id": "c",
            "title": "광주시의회, '인공지능 실증도시 특별위원회' 공식 출범",
            "published_at": "2025-10-24T15:00:00+09:00",
            "outlet": "노컷뉴스",
        },
    ]
    result = run_cli("group", stdin="\n".join(json.dumps(x, ensure_ascii=False) for x in lines))
    assert result.returncode == 0, result.stderr
    out = result.json_lines()
    assert [o["id"] for o in out] == ["a", "b", "c"]
    assert out[0]["story"] == out[2]["story"] != out[1]["story"]


def test_parse_listing_and_article_of_real_pages(real_fixtures: Path) -> None:
    listing = run_cli(
        "parse",
        "listing",
        str(real_fixtures / "psychiatricnews-ndsoft-legacy-articlelist-2018.html"),
        "--base-url",
        "http://www.psychiatricnews.net/news/articleList.html",
    )
    assert listing.returncode == 0, listing.stderr
    items = listing.json_lines()
    assert len(items) == 20
    assert all(set(i) == {"title", "url", "published_at", "snippet"} and i["url"].startswith("https://") for i in items)
    assert all(i["published_at"] and i["published_at"].endswith("+09:00") for i in items)

    article = run_cli("parse", "article", str(real_fixtures / "jnilbo-article-ndsoft-2025.html"))
    assert article.returncode == 0, article.stderr
    data = json.loads(article.stdout)
    assert set(data) == {"title", "published_at", "text", "summary"}
    assert data["title"] == "광주FC, 퇴장 악재속 코리아컵 준우승"
    assert data["published_at"].startswith("2025-12-06T16:43")
    assert data["summary"] and len(data["summary"]) <= 300 and data["summary"] in data["text"].replace("\n", " ")


def test_parse_listing_of_a_url_and_a_feed(outlets: Outlets) -> None:
    result = run_cli("parse", "listing", outlets.listing_urls["남도일보"])
    assert result.returncode == 0, result.stderr
    titles = [i["title"] for i in result.json_lines()]
    assert "첨단3지구 AI 집적단지 입주 기업 100곳 돌파" in titles and len(titles) == 3  # EUC-KR board
    feed = run_cli("parse", "listing", outlets.listing_urls["뉴스피드"])
    assert feed.returncode == 0 and len(feed.json_lines()) == 3


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("[telegram]\nchat_idd = 1\n", "chat_idd"),
        ("[[sources]]\nname = 'x'\nurl = 'ftp://x'\n", "url must start with http"),
        ("[[sources]]\nname = 'x'\nurl = 'https://x.kr'\ninterval_minutes = 0\n", "interval_minutes"),
        ("[delivery]\nbackfill_hours = 'soon'\n", "backfill_hours"),
        ("this is not toml = = =\n", "not valid TOML"),
        ("[health]\nhttp_listen = '0.0.0.0:9108'\n", "loopback"),
        ("[relevance]\nthreshhold = 3\n", "threshhold"),
    ],
    ids=[
        "unknown-key",
        "bad-url",
        "zero-interval",
        "wrong-type",
        "not-toml",
        "health-on-open-network",
        "relevance-override-typo",
    ],
)
def test_a_bad_config_exits_2_naming_the_key_and_file(tmp_path: Path, config: str, expected: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(config, encoding="utf-8")
    for command in (["once"], ["check"], ["run"]):
        result = run_cli(*command, "--config", str(path))
        assert result.returncode == 2, (command, result.stderr)
        assert expected in result.stderr and "bad.toml" in result.stderr


def test_relative_state_path_is_relative_to_the_config_file(tmp_path: Path, outlets: Outlets) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    (folder / "config.toml").write_text(
        f"[state]\npath = 'data/s.json'\n[fetch]\ntrust_env = false\nmin_host_delay_seconds = 0.0\n"
        f"[[sources]]\nname = 'n'\nurl = '{outlets.listing_urls['뉴스피드']}'\ntype = 'rss'\n",
        encoding="utf-8",
    )
    result = run_cli("once", "--config", "etc/config.toml", cwd=tmp_path, env=clean_env())
    assert result.returncode == 0, result.stderr
    assert (folder / "data" / "s.json").is_file()
    assert "<b><a href=" in result.stdout  # no token: the would-be posts are printed
