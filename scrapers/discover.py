"""`discover URL`: from an outlet's home page to ready `[[sources]]` entries.

1. The home page is fetched and read for candidates (`page_candidates`, pure):
   - feeds it declares: `<link rel="alternate" type="application/rss+xml|atom+xml|rdf+xml">`;
   - feed links in the page (`…/rss/allArticle.xml`, `/feed`, `rss.php?bo_table=…`) and RSS index
     pages (`/rss/`, `rssIndex.html`), whose own feed links are read in turn;
   - feeds the site's CMS is known to serve (`CMS_FEEDS`): NDSoft `/rss/allArticle.xml` and one feed
     per section code seen in its menus (`/rss/S1N2.xml`), WordPress `/feed/`, Gnuboard
     `/bbs/rss.php?bo_table=…` per board, and the usual `/rss`, `/rss.xml`, `/feed`, `/atom.xml`;
   - list pages its navigation links to: NDSoft `articleList.html` (all articles, then sections, then
     sub-sections), Gnuboard boards, `…list.php`/`…List.do` boards, WordPress categories;
   - the home page itself (many outlets' freshest list).
2. Each candidate is fetched through the shared `Fetcher` (robots.txt, per-host pace), at most
   `max_tries` of them, feeds first: a feed is counted with `scrapers.feeds.parse_feed`, a list page
   with `scrapers.listing.parse_listing`. A guessed feed path that answers with HTML is dropped.
3. The results are ranked (`rank`): feeds before list pages, fresh before stale (newest item within
   `STALE_DAYS`), more items first. `to_toml` writes them as `[[sources]]` entries.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, quote, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from scrapers.dates import KST
from scrapers.feeds import FeedError, looks_like_feed, parse_feed
from scrapers.fetch import Fetcher, FetchError
from scrapers.listing import parse_listing
from scrapers.markup import limit_nesting
from scrapers.text import clean_display_text
from scrapers.urls import canonical_url, registrable_domain

MAX_TRIES = 24  # candidates fetched per discover run (each is one polite request)
MAX_LIST_PAGES = 10  # list pages among them
MAX_LINKS = 5000  # links of the home page read (real ones have a few hundred)
MAX_SECTION_FEEDS = 6  # NDSoft section feeds (Gnuboard board feeds) guessed from menu links
STALE_DAYS = 30  # a source whose newest item is older than this ranks after fresh ones
INTERVALS = {"rss": 10, "html": 15}  # minutes, as in bot/catalogue.toml

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml", "text/xml")
# Paths worth a try on any site, and per CMS (recognised by the markers below).
GENERIC_FEEDS = ("/rss", "/rss.xml", "/feed", "/atom.xml", "/index.xml")
CMS_FEEDS = {
    "ndsoft": ("/rss/allArticle.xml",),
    "wordpress": ("/feed/",),
    "gnuboard": (),  # per board: /bbs/rss.php?bo_table=…
}
# Substrings (of the lower-cased page) that give a CMS away; plain `in` tests, no pattern to backtrack.
_CMS_MARKERS = {
    "ndsoft": ("/news/articlelist.html", "/news/articleview.html", "ndsoft.co.kr"),
    "wordpress": ("wp-content/", "wp-includes/", 'content="wordpress'),
    "gnuboard": ("/bbs/board.php?bo_table=",),
}
_FEED_HREF = re.compile(r"(?:\.xml|/rss/?|/feed/?|/atom/?|rss\.php|/rss\.do)(?:$|\?)", re.IGNORECASE)
_RSS_INDEX_HREF = re.compile(r"(?:^/rss/?$|rss_?index|/rss\.html?$|/rss/index|/com/rss)", re.IGNORECASE)
_LIST_PATH = re.compile(
    r"/news/articleList\.html$|/bbs/board\.php$|list\.(?:php|do|html?|asp|jsp)$|/list/?$|/category/[^/]+/?$"
    r"|/section/[^/]+/?$",
    re.IGNORECASE,
)
# A link with one of these in its query is an article or a post, not a list.
_ARTICLE_PARAMS = frozenset({
    "idxno", "wr_id", "nttid", "nttno", "aid", "articleid", "article_id", "art_id", "newsid", "news_id", "seq",
    "idx", "no", "num", "uid", "docid", "arcid", "ncd", "bbsno", "dataid",
})  # fmt: skip
_SECTION_PARAMS = ("sc_section_code", "sc_sub_section_code", "sc_serial_code", "bo_table", "cate", "category")
_NDSOFT_SECTION = re.compile(r"^S1N\d+$")


@dataclass(frozen=True, slots=True)
class Candidate:
    url: str
    kind: str  # "feed", "rss-index" or "list"
    label: str = ""  # the link's text or title: a section name
    rank: int = 0  # lower is tried first within its kind


@dataclass(frozen=True, slots=True)
class Found:
    url: str  # where the feed or page was read (after redirects)
    type: str  # "rss" or "html"
    items: int
    newest: datetime | None
    label: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "url": self.url,
            "type": self.type,
            "items": self.items,
            "newest": self.newest.isoformat() if self.newest else None,
        }


@dataclass
class Discovery:
    home: str
    site_name: str
    found: list[Found] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (url, why), for stderr


class DiscoverError(Exception):
    """The home page itself could not be read; the message says why."""


# -- the home page: candidates (pure) ---------------------------------------------------------------


def home_tree(html: str) -> LexborHTMLParser:
    """A home page's tree (depth-capped, `scrapers.markup`), for `site_name` and `page_candidates`."""
    return LexborHTMLParser(limit_nesting(html))


def site_name(html: str, tree: LexborHTMLParser | None = None) -> str:
    """The outlet's name from og:site_name, else the page title's last part (`… - 예시일보`). `tree`:
    the page's `home_tree`, when the caller has it."""
    tree = home_tree(html) if tree is None else tree
    node = tree.css_first('meta[property="og:site_name"]')
    name = clean_display_text(node.attributes.get("content") if node else "", limit=40)
    if name:
        return name
    title = tree.css_first("title")
    text = clean_display_text(title.text() if title else "", limit=80)
    parts = [p.strip() for p in re.split(r"\s[-|:<>]\s", text) if p.strip()]
    return parts[-1] if parts else ""


def cms_of(html: str) -> set[str]:
    """The CMS families whose markers the page carries."""
    head = html[:400_000].lower()
    return {name for name, markers in _CMS_MARKERS.items() if any(m in head for m in markers)}


def page_candidates(html: str, page_url: str, tree: LexborHTMLParser | None = None) -> list[Candidate]:
    """Feeds, RSS index pages and list pages a home page points to, plus the CMS's usual feeds.

    In the order to try them: declared feeds, linked feeds, RSS index pages, guessed feeds, list
    pages (all-articles list first, then top sections in menu order, then sub-sections), the home.
    `tree`: the page's `home_tree`, when the caller has it.
    """
    tree = home_tree(html) if tree is None else tree
    site = _site_of(page_url)
    out: list[Candidate] = []
    for node in tree.css("link[rel][href]"):
        attrs = node.attributes
        rel = (attrs.get("rel") or "").lower().split()
        kind = (attrs.get("type") or "").split(";")[0].strip().lower()
        if "alternate" in rel and kind in FEED_TYPES:
            out.append(Candidate(_absolute(attrs.get("href") or "", page_url), "feed", _label(attrs.get("title"))))
    section_codes: dict[str, None] = {}  # insertion-ordered sets: menu order, linear on any page
    boards: dict[str, None] = {}
    lists: list[Candidate] = []
    for node in tree.css("a[href]")[:MAX_LINKS]:
        href = (node.attributes.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        url = _absolute(href, page_url)
        if _site_of(url) != site:
            continue
        parts = urlsplit(url)
        label = _label(node.text(separator=" ") or node.attributes.get("title"))
        if _RSS_INDEX_HREF.search(parts.path):
            out.append(Candidate(url, "rss-index", label))
        elif _FEED_HREF.search(parts.path + ("?" if parts.query else "")):
            out.append(Candidate(url, "feed", label))
        elif _LIST_PATH.search(parts.path):
            params = {k.lower(): v for k, v in parse_qsl(parts.query)}
            if _ARTICLE_PARAMS & params.keys():
                continue
            code = params.get("sc_section_code", "")
            if _NDSOFT_SECTION.match(code):
                section_codes.setdefault(code)
            if params.get("bo_table"):
                boards.setdefault(params["bo_table"])
            lists.append(Candidate(url, "list", label, _list_rank(params)))
    root = f"{urlsplit(page_url).scheme}://{urlsplit(page_url).netloc}"
    cms = cms_of(html)
    guessed = [path for name in sorted(cms) for path in CMS_FEEDS[name]]
    if "ndsoft" in cms:
        guessed += [f"/rss/{code}.xml" for code in list(section_codes)[:MAX_SECTION_FEEDS]]
    if "gnuboard" in cms:
        guessed += [f"/bbs/rss.php?bo_table={quote(board)}" for board in list(boards)[:MAX_SECTION_FEEDS]]
    guessed += list(GENERIC_FEEDS)
    out += [Candidate(root + path, "rss-index" if _RSS_INDEX_HREF.search(path) else "feed") for path in guessed]
    lists.sort(key=lambda c: c.rank)  # stable: menu order within a rank
    out += lists
    out.append(Candidate(page_url, "list", "", 9))
    return _unique(out)


def feed_links(html: str, page_url: str) -> list[Candidate]:
    """The feed links on an RSS index page (NDSoft's `/rss/`, a site's `rss.html`)."""
    tree = LexborHTMLParser(limit_nesting(html))
    out = [
        Candidate(_absolute(node.attributes.get("href") or "", page_url), "feed", _label(node.text(separator=" ")))
        for node in tree.css("a[href]")[:MAX_LINKS]
        if _FEED_HREF.search(urlsplit(_absolute(node.attributes.get("href") or "", page_url)).path)
    ]
    return _unique(out)


def _list_rank(params: dict[str, str]) -> int:
    """All-articles list first, then sections, then sub-sections and series, then other boards."""
    if "sc_sub_section_code" in params or "sc_serial_code" in params:
        return 2
    if "sc_section_code" in params or any(p in params for p in _SECTION_PARAMS):
        return 1
    return 0


def _unique(candidates: Iterable[Candidate]) -> list[Candidate]:
    seen: set[str] = set()
    out: list[Candidate] = []
    for c in candidates:
        key = _key(c.url)
        if c.url.startswith(("http://", "https://")) and key not in seen:
            seen.add(key)
            out.append(c)
    return out


def _key(url: str) -> str:
    """One spelling per candidate: canonical, without a trailing slash (`/feed` and `/feed/` are one)."""
    return canonical_url(url).rstrip("/")


def _absolute(href: str, base: str) -> str:
    try:
        return urljoin(base, href.strip()).split("#", 1)[0]
    except ValueError:
        return ""


def _site_of(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return registrable_domain(host) if "." in host else host


def _label(text: str | None) -> str:
    return clean_display_text(text, limit=40)


# -- ranking and output (pure) ---------------------------------------------------------------------


def rank(found: Iterable[Found], now: datetime) -> list[Found]:
    """Best first: feeds before list pages, fresh before stale, more items first, newer first."""
    horizon = now - timedelta(days=STALE_DAYS)

    def key(f: Found) -> tuple[int, int, int, int, float]:
        fresh = f.newest is not None and f.newest >= horizon
        return (f.items == 0, f.type != "rss", not fresh, -f.items, -(f.newest.timestamp() if f.newest else 0.0))

    return sorted(found, key=key)


def to_toml(found: Iterable[Found], site: str, today: datetime) -> str:
    """`[[sources]]` entries for the sources that had items, named after the site and section."""
    entries: list[str] = []
    names: set[str] = set()
    for f in found:
        if f.items == 0:
            continue
        name = _entry_name(site, f, names)
        names.add(name)
        newest = f.newest.isoformat(timespec="minutes") if f.newest else "no dates"
        comment = f"found by discover on {today:%Y-%m-%d}: {f.items} items, newest {newest}"
        entries.append(
            "\n".join(
                [
                    "[[sources]]",
                    f"name = {_toml_string(name)}",
                    f"url = {_toml_string(f.url)}",
                    f'type = "{f.type}"',
                    f"interval_minutes = {INTERVALS[f.type]}",
                    f"comment = {_toml_string(comment)}",
                ]
            )
        )
    return "\n\n".join(entries) + ("\n" if entries else "")


def _entry_name(site: str, f: Found, taken: set[str]) -> str:
    base = site or urlsplit(f.url).hostname or "source"
    label = f.label if f.label and f.label not in base else ""
    name = f"{base} {label}".strip() if label else (f"{base} RSS" if f.type == "rss" else base)
    if name in taken and f.type == "html":
        name = f"{name} 목록"  # the list page of a section whose feed took the plain name
    n = 2
    unique = name
    while unique in taken:
        unique = f"{name} ({n})"
        n += 1
    return unique


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(ch if ch >= " " else f"\\u{ord(ch):04x}" for ch in escaped) + '"'


# -- the run ---------------------------------------------------------------------------------------


async def discover(fetcher: Fetcher, url: str, *, max_tries: int = MAX_TRIES, now: datetime | None = None) -> Discovery:
    """Find and try the feeds and list pages of the outlet whose home page is `url`.

    Raises DiscoverError when the home page cannot be fetched; every other failure is a `skipped`
    entry. Candidates are fetched one after another (they share one host, and the Fetcher spaces
    requests to it anyway), at most `max_tries`.
    """
    now = now or datetime.now(KST)
    try:
        home = await fetcher.fetch(url)
    except FetchError as exc:
        raise DiscoverError(f"cannot read {url}: {exc}") from exc
    tree = home_tree(home.text)
    result = Discovery(home.url, site_name(home.text, tree))
    if looks_like_feed(home.body):  # handed a feed: just count it
        result.found.append(_count_feed(home.body, home.url, home.content_type, ""))
        return result
    queue = deque(page_candidates(home.text, home.url, tree))
    tried: set[str] = set()
    lists_tried = 0
    tries = 0
    read_home = False
    while queue and tries < max_tries:
        candidate = queue.popleft()
        key = _key(candidate.url)
        if key in tried:
            continue
        if candidate.kind == "list" and candidate.url == home.url:
            tried.add(key)
            result.found.append(_count_listing(home.text, home.url, "", now))
            read_home = True
            continue
        if candidate.kind == "list" and lists_tried >= MAX_LIST_PAGES:
            continue
        tried.add(key)
        tries += 1
        try:
            page = await fetcher.fetch(candidate.url)
        except FetchError as exc:
            result.skipped.append((candidate.url, str(exc)))
            continue
        final = _key(page.url)
        if final != key and final in tried:
            continue  # a redirect to something already read (`/feed` → `/feed/`)
        tried.add(final)
        if looks_like_feed(page.body):
            result.found.append(_count_feed(page.body, page.url, page.content_type, candidate.label))
            continue
        if candidate.kind == "rss-index":
            links = [c for c in feed_links(page.text, page.url) if _key(c.url) not in tried]
            queue.extendleft(reversed(links))  # its feeds next
            continue
        if candidate.kind == "feed":
            result.skipped.append((candidate.url, "not a feed (an HTML page)"))
            continue
        lists_tried += 1
        result.found.append(_count_listing(page.text, page.url, candidate.label, now))
    if not read_home:
        result.found.append(_count_listing(home.text, home.url, "", now))
    result.found = rank(result.found, now)
    return result


def _count_feed(body: bytes, url: str, content_type: str | None, label: str) -> Found:
    try:
        items = parse_feed(body, url, content_type)
    except FeedError:
        items = []
    return Found(url, "rss", len(items), _newest(i.published_at for i in items), label)


def _count_listing(html: str, url: str, label: str, now: datetime) -> Found:
    try:
        items = parse_listing(html, url, now=now)
    except ValueError:
        items = []
    return Found(url, "html", len(items), _newest(i.published_at for i in items), label)


def _newest(dates: Iterable[datetime | None]) -> datetime | None:
    known = [d for d in dates if d is not None]
    return max(known) if known else None
