"""The `naver_api` source type: what goes to Naver, and what its answers become."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from scrapers import naver_api, urls
from scrapers.models import ListingItem

FIXTURES = Path(__file__).parent / "fixtures" / "naver_api"
KEYS = {"NAVER_CLIENT_ID": "id-abc", "NAVER_CLIENT_SECRET": "secret-xyz"}
KST = timedelta(hours=9)


def canonical(url: str) -> str:
    """What the project calls this URL's identity."""
    return urls.canonical_url(url)


@pytest.fixture(scope="module")
def items() -> list[ListingItem]:
    return naver_api.parse_response((FIXTURES / "news_gwangju_ai.json").read_bytes())


# --- build_request ---------------------------------------------------------------------------


def test_request_asks_for_the_newest_50_articles_matching_the_query() -> None:
    url, _ = naver_api.build_request("광주 AI 데이터센터", KEYS)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "openapi.naver.com", "/v1/search/news.json")
    assert parse_qs(parts.query) == {"query": ["광주 AI 데이터센터"], "display": ["50"], "sort": ["date"]}
    assert url.isascii() and " " not in url


def test_request_carries_the_keys_from_the_environment_as_headers() -> None:
    _, headers = naver_api.build_request("국가AI컴퓨팅센터 광주", KEYS)
    assert headers["X-Naver-Client-Id"] == "id-abc"
    assert headers["X-Naver-Client-Secret"] == "secret-xyz"


def test_query_characters_that_mean_something_in_urls_are_escaped() -> None:
    url, _ = naver_api.build_request("AI&GPU #광주 = 1+1?", KEYS)
    assert parse_qs(urlsplit(url).query)["query"] == ["AI&GPU #광주 = 1+1?"]


def test_the_endpoint_can_point_at_another_server() -> None:
    env = {**KEYS, "NAVER_NEWS_API_URL": "http://127.0.0.1:8765/v1/search/news.json"}
    url, _ = naver_api.build_request("광주 AI", env)
    assert url.startswith("http://127.0.0.1:8765/v1/search/news.json?")
    url, _ = naver_api.build_request("광주 AI", KEYS, base_url="http://127.0.0.1:9/x")
    assert url.startswith("http://127.0.0.1:9/x?")


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        pytest.param({}, ["NAVER_CLIENT_ID", "NAVER_CLIENT_SECRET"], id="no-keys"),
        pytest.param({"NAVER_CLIENT_ID": "id-abc"}, ["NAVER_CLIENT_SECRET"], id="no-secret"),
        pytest.param({"NAVER_CLIENT_SECRET": "s"}, ["NAVER_CLIENT_ID"], id="no-id"),
        pytest.param(
            {"NAVER_CLIENT_ID": " ", "NAVER_CLIENT_SECRET": ""},
            ["NAVER_CLIENT_ID", "NAVER_CLIENT_SECRET"],
            id="blank-keys",
        ),
    ],
)
def test_missing_keys_are_a_clear_error_naming_the_variables(env: dict[str, str], missing: list[str]) -> None:
    with pytest.raises(naver_api.NaverCredentialsError) as caught:
        naver_api.build_request("광주 AI 데이터센터", env)
    message = str(caught.value)
    for name in missing:
        assert name in message
    for name in {"NAVER_CLIENT_ID", "NAVER_CLIENT_SECRET"} - set(missing):
        assert name not in message


def test_the_secret_never_appears_in_the_url() -> None:
    url, _ = naver_api.build_request("광주", KEYS)
    assert "secret-xyz" not in url and "id-abc" not in url


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"query": "  "}, id="empty-query"),
        pytest.param({"query": "광주", "display": 0}, id="display-0"),
        pytest.param({"query": "광주", "display": 101}, id="display-101"),
        pytest.param({"query": "광주", "sort": "popular"}, id="unknown-sort"),
    ],
)
def test_bad_request_parameters_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        naver_api.build_request(env=KEYS, **kwargs)  # type: ignore[arg-type]


# --- parse_response --------------------------------------------------------------------------


def test_every_usable_item_becomes_a_listing_item_in_naver_order(items: list[ListingItem]) -> None:
    assert [item.title for item in items] == [
        '광주 국가AI데이터센터 GPU 증설…"AX 실증밸리 핵심 인프라"',
        "AI 데이터센터 유치戰 <호남권> 재생에너지 & 전력망이 관건",
        "[단독] 광주 인공지능 집적단지 2단계 예타 통과",
        "국가AI컴퓨팅센터 후속 사업… 광주 'AI 3대 강국' 거점 노린다",
        "AICA, 지역 기업 AI 바우처 2차 공모",
    ]


def test_the_outlets_own_link_is_preferred_over_naver_s_copy(items: list[ListingItem]) -> None:
    assert items[0].url == canonical("https://www.namdonews.com/news/articleView.html?idxno=870112")
    assert "naver.com" not in items[0].url


def test_naver_s_link_is_used_when_there_is_no_original(items: list[ListingItem]) -> None:
    assert items[2].url == canonical("https://n.news.naver.com/mnews/article/003/0012999999?sid=102")


def test_urls_are_the_project_s_canonical_form(items: list[ListingItem]) -> None:
    raw = "https://www.gjdream.com/news/articleView.html?idxno=671234&utm_source=naver&utm_medium=search"
    assert items[3].url == canonical(raw)
    assert "idxno=671234" in items[3].url


def test_snippets_are_plain_text_and_empty_ones_are_none(items: list[ListingItem]) -> None:
    assert items[0].snippet is not None
    assert items[0].snippet.startswith("광주광역시와 인공지능산업융합사업단은 24일")
    assert "'AX 실증밸리'" in items[0].snippet
    assert items[1].snippet == (
        '전력 수요가 큰 AI 데이터센터를 두고 지자체 간 경쟁이 치열한 가운데 "전력망"이 변수로 떠올랐다.'
    )
    assert items[3].snippet is None
    for item in items:
        assert "<b>" not in item.title and "&quot;" not in item.title
        assert item.snippet is None or ("<b>" not in item.snippet and "&" not in item.snippet)


def test_pubdate_becomes_an_aware_time_in_seoul(items: list[ListingItem]) -> None:
    first = items[0].published_at
    assert first is not None
    assert first.utcoffset() == KST
    assert first == datetime.fromisoformat("2026-11-24T09:10:00+09:00")
    assert items[2].published_at == datetime.fromisoformat("2026-11-23T21:05:00+09:00")


def test_an_unreadable_pubdate_leaves_the_time_unknown(items: list[ListingItem]) -> None:
    assert items[4].title.startswith("AICA")
    assert items[4].published_at is None


def test_an_item_without_a_title_or_link_is_skipped() -> None:
    body = (
        b'{"items": [{"title": "", "originallink": "https://a.example/1", "link": "", "pubDate": ""},'
        b' {"title": "\\uad11\\uc8fc", "originallink": "", "link": "", "pubDate": ""},'
        b' {"title": "ok", "originallink": "javascript:void(0)", "link": "https://b.example/2"}]}'
    )
    assert [(i.title, i.url) for i in naver_api.parse_response(body)] == [("ok", canonical("https://b.example/2"))]


def test_an_empty_result_is_an_empty_listing() -> None:
    body = b'{"lastBuildDate": "Tue, 24 Nov 2026 09:15:02 +0900", "total": 0, "display": 0, "items": []}'
    assert naver_api.parse_response(body) == []


def test_naver_s_error_payload_is_reported_with_its_code_and_message() -> None:
    with pytest.raises(naver_api.NaverResponseError) as caught:
        naver_api.parse_response((FIXTURES / "error_authentication.json").read_bytes())
    assert "024" in str(caught.value)
    assert "Authentication failed" in str(caught.value)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"<html><body>502 Bad Gateway</body></html>", id="html"),
        pytest.param(b"\xff\xfe\x00garbage", id="binary"),
        pytest.param(b"", id="empty"),
        pytest.param(b"[1, 2, 3]", id="json-list"),
        pytest.param(b'{"total": 3}', id="no-items"),
    ],
)
def test_a_body_that_is_not_a_search_answer_is_a_clear_error(body: bytes) -> None:
    with pytest.raises(naver_api.NaverResponseError):
        naver_api.parse_response(body)
