"""The `naver_api` source type: Naver's news search Open API as a listing.

A `naver_api` source's `url` is the search query itself (`url = "광주 AI 데이터센터"`). The pipeline
builds the request with `build_request`, fetches it with its own HTTP client and turns the body into
listing items with `parse_response`; nothing here touches the network.

The API (developers.naver.com, "검색 > 뉴스"; the same contract is served by NAVER API HUB at
`/search/v1/news`):

    GET https://openapi.naver.com/v1/search/news.json?query=<UTF-8, URL-encoded>&display=50&sort=date
    X-Naver-Client-Id: <client id>          (an application registered with the "검색" API)
    X-Naver-Client-Secret: <client secret>

`display` is 1-100 (default 10), `start` 1-1000, `sort` is `sim` (relevance, default) or `date`
(newest first). All search categories share a quota of 25,000 calls a day. The answer:

    {"lastBuildDate": "Tue, 24 Nov 2026 09:15:02 +0900", "total": 1843, "start": 1, "display": 50,
     "items": [{"title": "...<b>광주</b> AI 데이터센터...",
                "originallink": "https://www.outlet.example/news/articleView.html?idxno=1",
                "link": "https://n.news.naver.com/mnews/article/001/0000000001?sid=105",
                "description": "...&quot;quoted&quot; ...",
                "pubDate": "Tue, 24 Nov 2026 09:10:00 +0900"}]}

`title` and `description` carry `<b>` around the query terms and HTML entities. `originallink` is
the outlet's own URL (empty for some items); `link` is Naver's copy when the outlet is a Naver
partner, else the same as `originallink`. Errors come back as `{"errorMessage": "...",
"errorCode": "SE01"}` with a 4xx/5xx status (SE01-SE06 bad request, 024 authentication failed,
010 quota exceeded).
"""

from __future__ import annotations

import email.utils
import html
import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from scrapers import dates, urls
from scrapers.models import ListingItem
from scrapers.text import MAX_TITLE_CHARS, clean_display_text

NEWS_SEARCH_URL = "https://openapi.naver.com/v1/search/news.json"
CLIENT_ID_ENV = "NAVER_CLIENT_ID"
CLIENT_SECRET_ENV = "NAVER_CLIENT_SECRET"
# Points the source type at another server (a test server on loopback, a proxy) without code changes.
API_URL_ENV = "NAVER_NEWS_API_URL"
DEFAULT_DISPLAY = 50
MAX_DISPLAY = 100
SORTS = ("date", "sim")
MAX_SNIPPET_CHARS = 1000  # Naver's descriptions run to about 200; anything longer is cut

_TAG = re.compile(r"<[^<>]*>")  # not `[^>]*`: a run of `<` without `>` would be rescanned per `<`
_SPACE = re.compile(r"\s+")


class NaverApiError(Exception):
    """A `naver_api` source cannot be used; the message says why in plain words."""


class NaverCredentialsError(NaverApiError):
    """The API keys are not in the environment."""


class NaverResponseError(NaverApiError, ValueError):
    """The body is not a news search answer (not JSON, an error payload, no `items`)."""


def build_request(
    query: str,
    env: Mapping[str, str],
    *,
    display: int = DEFAULT_DISPLAY,
    sort: str = "date",
    start: int = 1,
    base_url: str | None = None,
) -> tuple[str, dict[str, str]]:
    """The URL and headers of a news search for `query`, keys taken from `env`.

    Raises `NaverCredentialsError` naming the missing variable(s) when the keys are absent, and
    `ValueError` for an empty query or out-of-range paging. The headers hold the secret: never log them.
    """
    query = query.strip()
    if not query:
        raise ValueError("a naver_api source needs a search query in its url, got an empty string")
    if not 1 <= display <= MAX_DISPLAY:
        raise ValueError(f"display must be between 1 and {MAX_DISPLAY}, got {display}")
    if not 1 <= start <= 1000:
        raise ValueError(f"start must be between 1 and 1000, got {start}")
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}, got {sort!r}")
    client_id = (env.get(CLIENT_ID_ENV) or "").strip()
    client_secret = (env.get(CLIENT_SECRET_ENV) or "").strip()
    missing = [name for name, value in ((CLIENT_ID_ENV, client_id), (CLIENT_SECRET_ENV, client_secret)) if not value]
    if missing:
        raise NaverCredentialsError(
            f"the Naver news search API needs the environment variable(s) {' and '.join(missing)} "
            "(an application with the 검색 API at https://developers.naver.com/apps/)"
        )
    endpoint = base_url or (env.get(API_URL_ENV) or "").strip() or NEWS_SEARCH_URL
    params = {"query": query, "display": display, "start": start, "sort": sort}
    if start == 1:
        del params["start"]
    separator = "&" if "?" in endpoint else "?"
    url = f"{endpoint}{separator}{urlencode(params)}"
    headers = {
        "X-Naver-Client-Id": client_id,
        "X-Naver-Client-Secret": client_secret,
        "Accept": "application/json",
    }
    return url, headers


def parse_response(body: bytes) -> list[ListingItem]:
    """The articles of a news search answer, newest first as Naver sends them.

    Titles and snippets lose their `<b>` markup and HTML entities; the URL is the outlet's own
    (`originallink`) when there is one, else Naver's `link`. Raises `NaverResponseError` for a body
    that is not a search answer, including Naver's error payloads.
    """
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NaverResponseError(f"the Naver API answer is not JSON: {exc}") from exc
    except RecursionError as exc:
        raise NaverResponseError("the Naver API answer nests its JSON too deep to read") from exc
    if not isinstance(data, dict):
        raise NaverResponseError("the Naver API answer is not a JSON object")
    if "errorCode" in data or "errorMessage" in data:
        raise NaverResponseError(
            f"the Naver API refused the request: {data.get('errorMessage') or 'no message'} "
            f"(errorCode {data.get('errorCode') or '?'})"
        )
    raw_items = data.get("items")
    if not isinstance(raw_items, list):
        raise NaverResponseError("the Naver API answer has no 'items' list")
    items: list[ListingItem] = []
    seen: set[str] = set()
    for raw in raw_items:
        item = _item(raw)
        if item is not None and item.url not in seen:
            seen.add(item.url)
            items.append(item)
    return items


def _item(raw: Any) -> ListingItem | None:
    if not isinstance(raw, dict):
        return None
    title = clean_text(raw.get("title"), limit=MAX_TITLE_CHARS)
    target = _first_http(raw.get("originallink"), raw.get("link"))
    if not title or target is None:
        return None
    url = urls.canonical_url(target)
    return ListingItem(
        title=title,
        url=url,
        link=link if (link := urls.clean_link(target)) != url else None,
        published_at=_published(raw.get("pubDate")),
        snippet=clean_text(raw.get("description"), limit=MAX_SNIPPET_CHARS) or None,
    )


def clean_text(value: Any, limit: int | None = None) -> str:
    """Text without markup: tags dropped first, then entities decoded (so `&lt;b&gt;` stays text),
    then defanged for display (`scrapers.text.clean_display_text`), at most `limit` characters."""
    if not isinstance(value, str):
        return ""
    if limit is not None:
        value = value[: limit * 8]  # room for the markup and entities that will go
    return clean_display_text(_SPACE.sub(" ", html.unescape(_TAG.sub("", value))), limit=limit)


def _first_http(*candidates: Any) -> str | None:
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.strip().lower().startswith(("http://", "https://")):
            return html.unescape(candidate.strip())
    return None


def _published(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    parsed = dates.parse_date(value)
    if parsed is not None:
        return parsed
    try:
        fallback = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if fallback.tzinfo is None:
        return fallback.replace(tzinfo=dates.KST)
    return fallback.astimezone(dates.KST)
