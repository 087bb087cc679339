"""Canonical article URLs: the identity of an article across listings, feeds and restarts.

The rule, in order:

1. Absolute (joined with the page it was found on); scheme and host lower-case; default port, fragment
   and `;jsessionid=` path parameters dropped; characters outside URL syntax percent-encoded (UTF-8).
2. Query: tracking and session parameters dropped (`TRACKING_PARAMS`, `SESSION_PARAMS`, per-host
   `HOST_NOISE_PARAMS`). When an identifying parameter (`IDENTIFYING_PARAMS`) is present, list-state
   parameters (`LIST_STATE_PARAMS`: page number, search box) and empty ones go too, and a site in
   `SITE_ID_PARAMS` keeps only its ids. The rest is kept and sorted by name.
3. Host variants: `m.`, `mobile.` and `www.` are one site. A registrable domain (`etnews.com`,
   `kjdaily.co.kr`) is written `www.<domain>`, because that is the form desktop links use and that
   resolves; a deeper host (`m.news.naver.com`) just loses the prefix (`news.naver.com`). `HOST_ALIASES`
   overrides both. Public hosts are written `https` (the sites we follow all serve it; an http link
   and an https link to one article must be equal). Loopback, IP and dotless hosts and URLs with an
   explicit port keep their scheme and host as they are: test servers and intranets.
4. Known URL shapes of one article are rewritten to one form (`PATH_REWRITES`): Naver's legacy
   `read.naver?oid=&aid=` and `mnews/article` to `n.news.naver.com/article/{oid}/{aid}`, Daum to
   `v.daum.net/v/{id}`, NDSoft AMP pages to `articleView.html`, the `/mobile/article.html?no=` CMS to
   its desktop `/news/article.html?no=`, and the AMP/print pages of outlets that cover Gwangju
   (Newsis, Hankyung, Nocut, FN, Aju, 광주일보, 광남일보) to their article pages.

The result is also the URL that is fetched, so nothing here invents a URL a browser would not reach.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser

# --- data -------------------------------------------------------------------------------------------

TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid",
    "igshid", "igsh", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "vero_id",
    "ref", "ref_src", "ref_url", "referrer", "from", "sns", "share", "shared", "cmpid", "ocid", "spm",
    "napm", "kakao_from", "fromsource", "rccode", "tracking", "trk", "src_type", "sc_type",
    "nt_medium", "nt_source", "nt_campaign", "nt_content",
})  # fmt: skip
TRACKING_PREFIXES = ("utm_", "at_", "mtm_", "pk_", "hmb_", "stm_")
SESSION_PARAMS = frozenset({"jsessionid", "phpsessid", "sessionid", "session_id", "cfid", "cftoken"})
# `sid` is a section id on some sites (Naver: sid=100) and a session elsewhere: a session id is long.
SESSION_IF_LONG = frozenset({"sid", "sessid", "ssid"})
SESSION_MIN_LENGTH = 16
_SESSION_PATH_PARAM = re.compile(r";(?:jsessionid|phpsessid|sessionid)=[^/?#;]*", re.IGNORECASE)

# Names that point at one article; their presence makes list-state and empty parameters droppable.
IDENTIFYING_PARAMS = frozenset({
    "idxno", "aid", "oid", "no", "seq", "nttid", "nttno", "newsid", "news_id", "ncd", "wr_id", "bo_table",
    "idx", "art_id", "article_id", "articleid", "artid", "num", "uid", "bbsno", "dataid", "boardseq",
    "contentid", "cid", "docid", "arcid", "key", "code", "id",
})  # fmt: skip
LIST_STATE_PARAMS = frozenset({
    "page", "pageindex", "pageno", "pagenum", "pageunit", "pagesize", "movepage", "recordcnt", "cpage",
    "curpage", "currentpage", "listcnt", "rows", "startdate", "enddate", "srchword", "searchword",
    "searchcnd", "searchcondition", "searchkeyword", "searchtype", "searchfield", "skey", "sfield", "sword",
    "sc_area", "sc_word", "sc_section_code", "sc_sub_section_code", "sc_serial_code", "sc_order_by",
    "sc_level", "sc_view_level", "sc_multi_code", "view_type", "total", "list_type", "period",
    "repcodetype", "repcode", "sort", "order", "orderby", "replyall", "reply_sc_order_by",
})  # fmt: skip

# Per host (after the host rule): parameters that never identify an article there.
HOST_NOISE_PARAMS: dict[str, frozenset[str]] = {
    "n.news.naver.com": frozenset({"sid", "type", "cds", "ntype", "rc", "lfrom", "mode", "mid", "sid1"}),
    "v.daum.net": frozenset({"f"}),
    "news.google.com": frozenset({"oc"}),
}
# Per registrable domain and path: the only parameters that identify an article. The listing links
# carry an empty `pageId=` and paging state; the article's own og:url carries `pageId=www789`.
SITE_ID_PARAMS: dict[tuple[str, str], tuple[str, ...]] = {
    ("gwangju.go.kr", "/boardView.do"): ("boardId", "seq"),
}

HOST_PREFIXES = ("www.", "m.", "mobile.")
HOST_ALIASES: dict[str, str] = {  # host without prefix → canonical host
    "news.v.daum.net": "v.daum.net",
    "m.v.daum.net": "v.daum.net",
    "news.daum.net": "v.daum.net",
    "img.kwangju.co.kr": "www.kwangju.co.kr",  # 광주일보 serves its articles on this host too
}
# Two-label public suffixes (the part of a host a registrant cannot own).
PUBLIC_SUFFIXES_2 = frozenset({
    "co.kr", "or.kr", "go.kr", "ne.kr", "re.kr", "pe.kr", "ac.kr", "mil.kr", "hs.kr", "ms.kr", "es.kr",
    "sc.kr", "kg.kr", "seoul.kr", "busan.kr", "daegu.kr", "incheon.kr", "gwangju.kr", "daejeon.kr",
    "ulsan.kr", "gyeonggi.kr", "gangwon.kr", "chungbuk.kr", "chungnam.kr", "jeonbuk.kr", "jeonnam.kr",
    "gyeongbuk.kr", "gyeongnam.kr", "jeju.kr", "sejong.kr",
})  # fmt: skip
# `<one of these>.<two-letter country>` is a public suffix too: co.uk, com.tr, or.jp, …
GENERIC_SECOND_LEVELS = frozenset({"com", "net", "org", "co", "or", "ne", "ac", "go", "gov", "edu", "mil"})


@dataclass(frozen=True, slots=True)
class PathRewrite:
    """One article, two URL shapes: URLs whose host and path match are rewritten to `target`.

    `target` is formatted with the path's named groups and the `params` taken from the query;
    `only_target` drops every other parameter (the target is the whole identity).
    """

    host: re.Pattern[str]
    path: re.Pattern[str]
    target: str  # "host/path?query" without scheme
    params: tuple[str, ...] = ()
    only_target: bool = False


PATH_REWRITES: tuple[PathRewrite, ...] = (
    PathRewrite(
        re.compile(r"(?:n\.)?news\.naver\.com"),
        re.compile(r"/main/read\.(?:naver|nhn)|/read\.nhn|/main/read\.nhn"),
        "n.news.naver.com/article/{oid}/{aid}",
        params=("oid", "aid"),
        only_target=True,
    ),
    PathRewrite(
        re.compile(r"n\.news\.naver\.com"),
        re.compile(r"/mnews/article/(?P<oid>\d+)/(?P<aid>\d+)/?"),
        "n.news.naver.com/article/{oid}/{aid}",
    ),
    PathRewrite(re.compile(r"v\.daum\.net"), re.compile(r"/v/(?P<id>[\w-]+)/?"), "v.daum.net/v/{id}", only_target=True),
    # AMP and print pages of outlets seen in Gwangju coverage (stories-dev corpus) → their article page
    PathRewrite(
        re.compile(r"www\.newsis\.com"),
        re.compile(r"/view_amp\.html"),
        "{host}/view/{ar_id}",
        params=("ar_id",),
        only_target=True,
    ),
    PathRewrite(
        re.compile(r"www\.newsis\.com"), re.compile(r"/view/?"), "{host}/view/{id}", params=("id",), only_target=True
    ),
    PathRewrite(
        re.compile(r"www\.hankyung\.com"), re.compile(r"/amp/(?P<id>\w+)"), "{host}/article/{id}", only_target=True
    ),
    PathRewrite(
        re.compile(r"www\.nocutnews\.co\.kr"),
        re.compile(r"/news/amp/(?P<id>\d+)"),
        "{host}/news/{id}",
        only_target=True,
    ),
    PathRewrite(
        re.compile(r"www\.fnnews\.com"), re.compile(r"/ampNews/(?P<id>\d+)"), "{host}/news/{id}", only_target=True
    ),
    PathRewrite(
        re.compile(r"www\.ajunews\.com"), re.compile(r"/amp/(?P<id>\d+)"), "{host}/view/{id}", only_target=True
    ),
    PathRewrite(re.compile(r"www\.wowtv\.co\.kr"), re.compile(r"/NewsCenter/AMP/Read"), "{host}/NewsCenter/News/Read"),
    PathRewrite(re.compile(r"www\.(?:kwangju|gwangnam)\.co\.kr"), re.compile(r"/print\.php"), "{host}/article.php"),
    PathRewrite(  # NDSoft AMP page
        re.compile(r".+"), re.compile(r"(?P<dir>/news)/articleViewAmp\.html"), "{host}{dir}/articleView.html"
    ),
    PathRewrite(  # the `article.html?no=` CMS (hellot, taxtimes, …): mobile page → desktop page
        re.compile(r".+"), re.compile(r"/mobile/article\.html"), "{host}/news/article.html"
    ),
)

# Redirect wrappers: a query parameter that carries the whole outlet URL.
REDIRECT_PARAMS = ("url", "u", "q", "target", "dest", "destination", "redirect", "redirect_url", "link")
# Aggregator pages that ARE the article (Naver and Daum host the text): no outlet URL behind them.
AGGREGATOR_ARTICLE_HOSTS = re.compile(r"(?:n\.|m\.|sports\.|entertain\.)?news\.naver\.com|(?:news\.)?v\.daum\.net")
_GOOGLE_NEWS_TOKEN = re.compile(r"/(?:__i/)?(?:rss/)?(?:read|articles)/(?P<token>[A-Za-z0-9_-]{8,})")
_AMP_CACHE = re.compile(r"/[cv]/(?P<secure>s/)?(?P<rest>(?P<host>[^/]+)/.*)")

# --- canonical_url --------------------------------------------------------------------------------------

_UNSAFE = re.compile(r"[^A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
_PERCENT = re.compile(r"%[0-9a-fA-F]{2}")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _encode(part: str) -> str:
    """Percent-encode what a URL cannot hold literally (spaces, Hangul); normalise %xx to upper case."""
    if "%" not in part and _UNSAFE.search(part) is None:
        return part
    part = _UNSAFE.sub(lambda m: quote(m.group(0), safe=""), part)
    return _PERCENT.sub(lambda m: m.group(0).upper(), part)


@lru_cache(maxsize=1024)
def _is_public_name(host: str) -> bool:
    """A DNS name on the internet (not an IP address, not `localhost`, not a dotless intranet name)."""
    if "." not in host or host.endswith((".localhost", ".local", ".test", ".internal")):
        return False
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return True
    return False


@lru_cache(maxsize=1024)
def registrable_domain(host: str) -> str:
    """`news.kbs.co.kr` → `kbs.co.kr`, `m.etnews.com` → `etnews.com` (with a small public-suffix table)."""
    labels = host.split(".")
    two_level = ".".join(labels[-2:]) in PUBLIC_SUFFIXES_2 or (
        len(labels) > 2 and labels[-2] in GENERIC_SECOND_LEVELS and len(labels[-1]) == 2
    )
    suffix_len = 2 if two_level else 1
    return ".".join(labels[-(suffix_len + 1) :])


@lru_cache(maxsize=1024)
def canonical_host(host: str) -> str:
    """One spelling for the desktop, mobile and www variants of a site's host."""
    host = host.lower().rstrip(".")
    if not _is_public_name(host):
        return host
    bare = host
    while bare.startswith(HOST_PREFIXES) and bare.count(".") > 1:
        bare = bare.split(".", 1)[1]
    if bare in HOST_ALIASES:
        return HOST_ALIASES[bare]
    if host in HOST_ALIASES:
        return HOST_ALIASES[host]
    return f"www.{bare}" if registrable_domain(bare) == bare else bare


_Pairs = list[tuple[str, str | None]]  # (name, value); value None for a bare `?name`


def _split_query(query: str) -> _Pairs:
    pairs: _Pairs = []
    for piece in query.split("&"):
        if piece:
            name, eq, value = piece.partition("=")
            pairs.append((name, value if eq else None))
    return pairs


@lru_cache(maxsize=4096)
def _name(raw: str) -> str:
    return unquote(raw).lower()


def _is_noise(name: str, value: str | None, host: str) -> bool:
    if name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES) or name in SESSION_PARAMS:
        return True
    if name in SESSION_IF_LONG and len(value or "") >= SESSION_MIN_LENGTH:
        return True
    return name in HOST_NOISE_PARAMS.get(host, ())


def _clean_query(pairs: _Pairs, host: str, path: str) -> _Pairs:
    kept = [(n, v) for n, v in pairs if not _is_noise(_name(n), v, host)]
    site_ids = SITE_ID_PARAMS.get((registrable_domain(host), path))
    if site_ids and any(n in site_ids for n, _ in kept):
        return [(n, v) for n, v in kept if n in site_ids]
    if any(_name(n) in IDENTIFYING_PARAMS and v for n, v in kept):
        kept = [(n, v) for n, v in kept if v and _name(n) not in LIST_STATE_PARAMS]
    return kept


@lru_cache(maxsize=1024)
def _rewrites_for(host: str) -> tuple[PathRewrite, ...]:
    """The rewrites whose host pattern takes this host, in their order."""
    return tuple(rule for rule in PATH_REWRITES if rule.host.fullmatch(host))


def _rewrite(host: str, path: str, pairs: _Pairs) -> tuple[str, str, _Pairs]:
    for rule in _rewrites_for(host):
        m = rule.path.fullmatch(path)
        if not m:
            continue
        values = dict(pairs)
        if any(not values.get(p) for p in rule.params):
            continue
        fields = {**m.groupdict(), **{p: values[p] for p in rule.params}, "host": host}
        target = rule.target.format(**fields)
        new_host, _, new_path = target.partition("/")
        rest: _Pairs = [] if rule.only_target else [(n, v) for n, v in pairs if n not in rule.params]
        return new_host, "/" + new_path, _clean_query(rest, new_host, "/" + new_path)
    return host, path, pairs


def canonical_url(url: str, base: str | None = None) -> str:
    """Absolute, with tracking parameters dropped and identifying ones kept, scheme and host unified.

    Anything that is not an http(s) URL (mailto:, javascript:) comes back joined but otherwise as it is.
    Results are remembered (a listing polled every few minutes repeats most of its links; the section
    pages of one site share their path-absolute links).
    """
    if base and url.startswith("/") and not url.startswith("//"):
        base = _site_root(base)
    return _canonical_url(url, base)


@lru_cache(maxsize=1024)
def _site_root(base: str) -> str:
    """`scheme://host/` of a web page: all that a path-absolute link (`/news/1`) takes from the page."""
    try:
        parts = urlsplit(base.strip())
    except ValueError:
        return base
    if parts.scheme in _DEFAULT_PORTS and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}/"
    return base


@lru_cache(maxsize=8192)  # about 3 MB when full
def _canonical_url(url: str, base: str | None) -> str:
    url = url.strip()
    try:
        if base:
            url = urljoin(base.strip(), url)
        elif url.startswith("//"):
            url = "https:" + url
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return url
    host = parts.hostname.rstrip(".")
    if port == _DEFAULT_PORTS[scheme]:
        port = None
    if port is None and _is_public_name(host):
        scheme, host = "https", canonical_host(host)
    path = _encode(_SESSION_PATH_PARAM.sub("", parts.path)) or "/"
    pairs = [(_encode(n), None if v is None else _encode(v)) for n, v in _split_query(parts.query)]
    pairs = _clean_query(pairs, host, path)
    host, path, pairs = _rewrite(host, path, pairs)
    pairs.sort(key=lambda p: (_name(p[0]), p[0], p[1] or ""))
    netloc = host if port is None else f"{host}:{port}"
    if ":" in host and not host.startswith("["):
        netloc = f"[{host}]" if port is None else f"[{host}]:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    query = "&".join(n if v is None else f"{n}={v}" for n, v in pairs)
    return urlunsplit((scheme, netloc, path, query, ""))


def clean_link(url: str, base: str | None = None) -> str:
    """A link to fetch and to show: absolute, without fragment, tracking and session parameters, but with
    the scheme, host and other parameters as the site wrote them (`canonical_url` is the identity and
    may name a host variant the site does not serve). Results are remembered, as `canonical_url`'s are."""
    return _clean_link(url, base)


@lru_cache(maxsize=2048)  # called for the articles listed, not for every link
def _clean_link(url: str, base: str | None) -> str:
    url = url.strip()
    try:
        if base:
            url = urljoin(base.strip(), url)
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.scheme.lower() not in _DEFAULT_PORTS or not parts.hostname:
        return url
    host = parts.hostname.rstrip(".").lower()
    pairs = [(n, v) for n, v in _split_query(parts.query) if not _is_noise(_name(n), v, host)]
    query = "&".join(n if v is None else f"{n}={v}" for n, v in pairs)
    path = _SESSION_PATH_PARAM.sub("", parts.path) or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc, path, query, ""))


# --- aggregators ----------------------------------------------------------------------------------------


def _varint(raw: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while pos < len(raw):
        byte = raw[pos]
        value |= (byte & 0x7F) << shift
        pos += 1
        if not byte & 0x80:
            break
        shift += 7
    return value, pos


def google_news_target(token: str) -> str | None:
    """The outlet URL inside a Google News article token, when the token carries it.

    Tokens up to 2024 are base64url protobuf: `08 13 22 <length> <url> …`. Newer ones hold an opaque
    id (`AU_yqL…`) in that field; only Google's servers can resolve those, so they give None.
    """
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None
    if raw.startswith(b"\x08\x13\x22"):
        length, start = _varint(raw, 3)
        field = raw[start : start + length]
        if field.startswith((b"http://", b"https://")):
            return field.decode("utf-8", "replace")
    m = re.search(rb"https?://[\x21-\x7e]+", raw)
    return m.group(0).decode("ascii") if m else None


def google_news_token(url: str) -> str | None:
    """The article token of a Google News article link (`news.google.com/rss/articles/{token}`,
    `/articles/{token}`, `/read/{token}`), else None."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if (parts.hostname or "").lower() != "news.google.com":
        return None
    m = _GOOGLE_NEWS_TOKEN.fullmatch(parts.path.rstrip("/"))
    return m["token"] if m else None


def needs_online_resolution(url: str) -> bool:
    """True for an aggregator link whose target only the aggregator's servers know: a Google News
    article link with an opaque token (2024 on). `aggregator_target` decodes the others offline;
    `scrapers.gnews.GoogleNewsResolver` resolves these."""
    token = google_news_token(url)
    return token is not None and google_news_target(token) is None


def aggregator_target(url: str) -> str | None:
    """For a redirect wrapper of an aggregator (Google News, Naver, Daum), the outlet URL when the
    wrapper URL itself carries it; else None (the article page's canonical link decides later).

    Naver (`n.news.naver.com`, `news.naver.com/main/read.naver`) and Daum (`v.daum.net/v/…`) pages
    are the articles themselves: None.
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if not host or AGGREGATOR_ARTICLE_HOSTS.fullmatch(host):
        return None
    target: str | None = None
    if host == "news.google.com":
        m = _GOOGLE_NEWS_TOKEN.match(parts.path)
        target = google_news_target(m["token"]) if m else None
    elif host.endswith(".cdn.ampproject.org"):
        m = _AMP_CACHE.fullmatch(parts.path)
        if m and "." in m["host"]:
            target = ("https://" if m["secure"] else "http://") + m["rest"]
            target += f"?{parts.query}" if parts.query else ""
    else:
        values = {_name(n): unquote((v or "").replace("+", " ")) for n, v in _split_query(parts.query)}
        for name in REDIRECT_PARAMS:
            value = values.get(name, "").strip()
            if value.lower().startswith(("http://", "https://")):
                target = value
                break
    return canonical_url(target) if target else None


# --- article pages --------------------------------------------------------------------------------------


def _is_parent_of(candidate: str, page: str) -> bool:
    """A site or section root that a page names as its canonical (some CMSs do this on every page)."""
    try:
        c, p = urlsplit(candidate), urlsplit(page)
    except ValueError:
        return False
    if c.hostname != p.hostname or c.query:
        return False
    c_path = c.path.rstrip("/")
    p_path = p.path.rstrip("/")
    return p_path.startswith(c_path + "/") or (p_path == c_path and bool(p.query))


def declared_url(tree: LexborHTMLParser, base: str | None = None) -> str | None:
    """The URL a page declares for itself — `<link rel=canonical>`, else `og:url` — made absolute
    against `base` but otherwise as written.

    Skips a declaration that is a site root (`https://www.gwangju.go.kr` on every page of that site)
    or, given the fetched URL as `base`, a parent of it. A relative link needs `base`, else it is skipped.
    """
    candidates = [
        node.attributes.get("href")
        for node in tree.css("link[rel]")
        if "canonical" in (node.attributes.get("rel") or "").lower().split()
    ]
    candidates += [node.attributes.get("content") for node in tree.css('meta[property="og:url"]')]
    candidates += [node.attributes.get("content") for node in tree.css('meta[name="og:url"]')]
    for raw in candidates:
        if not raw or not raw.strip():
            continue
        raw = raw.strip()
        if base is None and not raw.lower().startswith(("http://", "https://", "//")):
            continue
        absolute = urljoin(base, raw) if base else ("https:" + raw if raw.startswith("//") else raw)
        canonical = canonical_url(absolute)
        try:
            parts = urlsplit(canonical)
            if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
                continue
        except ValueError:
            continue
        if parts.path in ("", "/") and not parts.query:
            continue
        if base is not None and _is_parent_of(canonical, canonical_url(base)):
            continue
        return absolute
    return None


def page_canonical(html: str, base: str | None = None) -> str | None:
    """The page's own article URL (`declared_url`), canonicalised."""
    found = declared_url(LexborHTMLParser(html), base)
    return canonical_url(found) if found else None
