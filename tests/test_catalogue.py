"""The shipped source catalogue: what an operator gets without naming a single source."""

from __future__ import annotations

import tomllib
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from bot.config import CATALOGUE_PATH, SOURCE_TYPES, SourceConfig, load_catalogue, load_config

GOOGLE_NEWS = "news.google.com"
RAW = tomllib.loads(CATALOGUE_PATH.read_text(encoding="utf-8"))["sources"]
SOURCES = load_catalogue()


def by_name() -> dict[str, SourceConfig]:
    return {source.name: source for source in SOURCES}


def is_public_board(source: SourceConfig) -> bool:
    host = urlsplit(source.url).hostname or ""
    return host.endswith((".go.kr", "aica-gj.kr"))


def test_the_catalogue_loads_through_the_config_loader_with_at_least_25_sources() -> None:
    assert len(SOURCES) >= 25
    assert len(SOURCES) == len(RAW)
    assert sum(source.enabled for source in SOURCES) >= 25


def test_names_and_urls_are_unique() -> None:
    names = [source.name for source in SOURCES]
    urls = [source.url for source in SOURCES]
    assert len(set(names)) == len(names)
    assert len(set(urls)) == len(urls)


@pytest.mark.parametrize("raw", RAW, ids=[raw["name"] for raw in RAW])
def test_every_entry_says_how_it_was_checked(raw: dict[str, object]) -> None:
    comment = raw.get("comment")
    assert isinstance(comment, str)
    assert len(comment.strip()) >= 30
    assert any(word in comment for word in ("verified", "partly", "documentation")), comment


@pytest.mark.parametrize("source", SOURCES, ids=[source.name for source in SOURCES])
def test_every_source_has_a_known_type_and_a_usable_url(source: SourceConfig) -> None:
    assert source.type in SOURCE_TYPES
    if source.type == "naver_api":
        assert "://" not in source.url and source.url.strip() == source.url and source.url
    else:
        parts = urlsplit(source.url)
        assert parts.scheme in ("http", "https")
        assert parts.hostname and "." in parts.hostname
        assert source.url.isascii() and " " not in source.url


@pytest.mark.parametrize("source", SOURCES, ids=[source.name for source in SOURCES])
def test_intervals_are_sensible_for_the_kind_of_source(source: SourceConfig) -> None:
    if GOOGLE_NEWS in source.url:
        assert 10 <= source.interval_minutes <= 15
    elif is_public_board(source) or "korea.kr" in source.url:
        assert 30 <= source.interval_minutes <= 60
    else:
        assert 5 <= source.interval_minutes <= 30


GOOGLE = [source for source in SOURCES if GOOGLE_NEWS in source.url]


@pytest.mark.parametrize("source", GOOGLE, ids=[source.name for source in GOOGLE])
def test_google_news_searches_are_korean_and_properly_encoded(source: SourceConfig) -> None:
    parts = urlsplit(source.url)
    assert (parts.scheme, parts.path) == ("https", "/rss/search")
    params = parse_qs(parts.query)
    assert params["hl"] == ["ko"] and params["gl"] == ["KR"] and params["ceid"] == ["KR:ko"]
    (query,) = params["q"]
    assert any("\uac00" <= ch <= "\ud7a3" for ch in query), "the query is Korean text"
    raw_q = parts.query.split("&")[0].removeprefix("q=")
    assert raw_q == quote(query, safe=""), "q is the percent-encoded UTF-8 of the query"
    assert query in source.name


def test_google_news_covers_the_topic_s_key_terms() -> None:
    queries = {parse_qs(urlsplit(source.url).query)["q"][0] for source in GOOGLE}
    for term in (
        "광주 AI 데이터센터",
        "국가AI컴퓨팅센터 광주",
        "광주 인공지능 집적단지",
        "AX 실증밸리",
        "인공지능산업융합사업단",
    ):
        assert term in queries


def test_naver_api_sources_are_off_by_default_and_hold_a_query() -> None:
    naver = [source for source in SOURCES if source.type == "naver_api"]
    assert naver
    for source in naver:
        assert source.enabled is False
        assert any("\uac00" <= ch <= "\ud7a3" for ch in source.url)


@pytest.mark.parametrize(
    ("group", "needle"),
    [
        pytest.param("local", "kwangju.co.kr", id="광주일보"),
        pytest.param("local", "mdilbo.com", id="무등일보"),
        pytest.param("local", "namdonews.com", id="남도일보"),
        pytest.param("local", "jnilbo.com", id="전남일보"),
        pytest.param("local", "gjdream.com", id="광주드림"),
        pytest.param("local", "gwangnam.co.kr", id="광남일보"),
        pytest.param("wire", "yna.co.kr/local/gwangju-jeonnam", id="연합뉴스-광주전남"),
        pytest.param("wire", "newsis.com/region", id="뉴시스-광주전남"),
        pytest.param("wire", "news1.kr/local/gwangju-jeonnam", id="뉴스1-광주전남"),
        pytest.param("trade", "aitimes.com", id="AI타임스"),
        pytest.param("trade", "etnews.com", id="전자신문"),
        pytest.param("trade", "zdkorea", id="지디넷코리아"),
        pytest.param("trade", "dt.co.kr", id="디지털타임스"),
        pytest.param("public", "gwangju.go.kr", id="광주광역시-보도자료"),
        pytest.param("public", "aica-gj.kr", id="인공지능산업융합사업단"),
        pytest.param("public", "dept_msit", id="과학기술정보통신부"),
        pytest.param("public", "korea.kr/rss/pressrelease", id="정책브리핑"),
    ],
)
def test_the_outlets_the_issue_names_are_in_the_catalogue(group: str, needle: str) -> None:
    assert any(needle in source.url and source.enabled for source in SOURCES), f"{group}: {needle}"


def test_without_a_config_the_enabled_catalogue_is_what_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_config(None, env={})
    assert [source.name for source in config.sources] == [s.name for s in SOURCES if s.enabled]
    assert all(source.type != "naver_api" for source in config.sources)
    assert config.telegram.dry_run


def test_an_operator_turns_a_naver_search_on_by_naming_it_in_their_config(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        "catalogue = true\n"
        "[telegram]\n"
        'api_base_url = "https://api.telegram.org"\n'
        "[[sources]]\n"
        'name = "네이버뉴스: 광주 AI 데이터센터"\n'
        'url = "광주 AI 데이터센터"\n'
        'type = "naver_api"\n'
        "interval_minutes = 10\n"
        "enabled = true\n",
        encoding="utf-8",
    )
    config = load_config(path, env={})
    names = [source.name for source in config.sources]
    assert names.count("네이버뉴스: 광주 AI 데이터센터") == 1
    assert by_name()["광주광역시 보도자료"].name in names
    assert len(config.sources) == sum(s.enabled for s in SOURCES) + 1
