"""Hostile inputs for the parsers, and how long each takes: `python -m bench.hostile`.

Each case builds its input in memory (nothing is committed), hands it to one parser entry point and
reports the seconds spent and a short summary of what came out. Every case runs in its own child
process with a time limit, because a regular expression that backtracks exponentially, or a C
parser doing quadratic work, cannot be interrupted from inside: past the limit the case is reported
as a hang.

    python -m bench.hostile                     # every case, limit 60 s each
    python -m bench.hostile --limit 20 --case doctype_brackets --case comment_run
    python -m bench.hostile --repo /tmp/before  # the same cases against another checkout's scrapers/

tests/test_hostile_inputs.py runs the same cases with a generous limit, as a hang guard.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ARTICLE_URL = "https://www.outlet.example/news/articleView.html?idxno=1"
FEED_URL = "https://www.outlet.example/rss/allArticle.xml"
BODY = "광주광역시 국가AI데이터센터에 GPU를 추가로 구축한다고 밝혔다. "


def _page(body: str, head: str = "") -> str:
    return f"<!doctype html><html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"


# -- the cases: each returns a one-line summary of the parser's answer ------------------------------


def doctype_brackets() -> str:
    """The 120-byte page of issue 12: a DOCTYPE opening forty `[a]` subsets, never closed."""
    from scrapers.feeds import looks_like_feed

    body = b"<!DOCTYPE " + b"[a]" * 40
    return f"looks_like_feed={looks_like_feed(body)} ({len(body)} bytes)"


def comment_run() -> str:
    """Forty empty comments before text: each `<!--.*?-->` could also swallow the next ones."""
    from scrapers.feeds import looks_like_feed

    body = b"<!---->" * 40 + "광주".encode()
    return f"looks_like_feed={looks_like_feed(body)} ({len(body)} bytes)"


def unclosed_items() -> str:
    """The 1.5 MB feed of issue 12: 68,000 `<item>`s, none closed."""
    from scrapers.feeds import FeedError, parse_feed

    body = b"<rss><channel>" + b"<item><title>t</title>" * 68_000
    try:
        items = parse_feed(body, FEED_URL)
    except FeedError as exc:
        return f"FeedError: {str(exc)[:60]} ({len(body)} bytes)"
    return f"{len(items)} items ({len(body)} bytes)"


def unclosed_items_with_links() -> str:
    """68,000 unclosed items that each have a title and a link (4.8 MB): the item cap applies."""
    from scrapers.feeds import parse_feed

    body = "<rss><channel>" + "".join(
        f"<item><title>광주 AI {i}</title><link>https://www.outlet.example/n/{i}</link>" for i in range(68_000)
    )
    items = parse_feed(body.encode(), FEED_URL)
    return f"{len(items)} items ({len(body.encode())} bytes)"


def unclosed_cdata() -> str:
    """A broken feed with 100,000 CDATA sections that are never closed (the repair step splits on them)."""
    from scrapers.feeds import FeedError, parse_feed

    head = "<rss><channel><item><title>t</title><link>https://a.example/1</link></item>"
    body = (head + "<![CDATA[ & " * 100_000).encode()
    try:
        items = parse_feed(body, FEED_URL)
    except FeedError as exc:
        return f"FeedError: {str(exc)[:40]}"
    return f"{len(items)} items"


def nested_descriptions() -> str:
    """300 items whose descriptions are 40 KB of nested `<div>`s (HTML parsed for the snippet)."""
    from scrapers.feeds import parse_feed

    description = "<![CDATA[" + "<div>광주 " * 5000 + "]]>"
    items = "".join(
        f"<item><title>t{i}</title><link>https://a.example/{i}</link><description>{description}</description></item>"
        for i in range(300)
    )
    parsed = parse_feed(f"<rss><channel>{items}</channel></rss>".encode(), FEED_URL)
    return f"{len(parsed)} items, snippet {len(parsed[0].snippet or '')} chars"


def huge_attribute() -> str:
    """An article whose og:title, og:site_name and a div attribute are 5 MB each."""
    from scrapers.article import parse_article

    blob = "가" * 5_000_000
    other = "나" * 5_000_000
    head = f"<meta property='og:title' content='{blob}'><meta property='og:site_name' content='{other}'>"
    article = parse_article(_page(f"<div data-x='{blob}'><p>{BODY * 3}</p></div>", head), ARTICLE_URL)
    return f"title {len(article.title)} chars, text {len(article.text)} chars"


def deep_nesting() -> str:
    """An article page of 100,000 nested `<div>`s, each with a little text."""
    from scrapers.article import parse_article

    article = parse_article(_page("<div>가나다 " * 100_000 + BODY * 3 + "</div>" * 100_000), ARTICLE_URL)
    return f"text {len(article.text)} chars"


def one_line_article() -> str:
    """A 5 MB article body that is a single line of text."""
    from scrapers.article import parse_article

    line = BODY * (5_000_000 // len(BODY.encode()))
    article = parse_article(_page(f"<div id='article-view-content-div'><p>{line}</p></div>"), ARTICLE_URL)
    return f"text {len(article.text)} chars"


def hashtag_line() -> str:
    """An article whose last line is sixty `#` and a word: the old hashtag pattern was `(#\\S+\\s*)+`."""
    from scrapers.article import parse_article

    body = f"<div id='article-view-content-div'><p>{BODY * 3}</p><p>{'#' * 60} a</p></div>"
    article = parse_article(_page(body), ARTICLE_URL)
    return f"text {len(article.text)} chars"


def unicode_space_line() -> str:
    """A body line of 200,000 EM QUADs (U+2001, whitespace that the old line tidy-up left alone)."""
    from scrapers.article import parse_article

    body = f"<div id='article-view-content-div'><p>{BODY * 3}</p><p>가{chr(0x2001) * 200_000}x</p></div>"
    article = parse_article(_page(body), ARTICLE_URL)
    return f"text {len(article.text)} chars"


def json_ld_spaces() -> str:
    """JSON-LD articleBody with a run of a million spaces (the old split was `\\s*\\n\\s*`)."""
    from scrapers.article import parse_article

    ld = json.dumps({"@type": "NewsArticle", "headline": "광주 AI", "articleBody": "광주" + " " * 1_000_000 + BODY})
    article = parse_article(_page("", f"<script type='application/ld+json'>{ld}</script>"), ARTICLE_URL)
    return f"text {len(article.text)} chars"


def byline_spaces() -> str:
    """A byline label followed by a million spaces (the old byline pattern had `\\s*[:：]?\\s*`)."""
    from scrapers.article import parse_article

    article = parse_article(_page(f"<div>입력{' ' * 1_000_000}x</div><p>{BODY}</p>"), ARTICLE_URL)
    return f"published_at={article.published_at}"


def json_deep() -> str:
    """JSON nested 100,000 deep: in an article's JSON-LD and as a Naver API answer."""
    from scrapers.article import parse_article
    from scrapers.naver_api import NaverResponseError, parse_response

    deep = "[" * 100_000 + "]" * 100_000
    page = _page(f"<div><p>{BODY * 3}</p></div>", f"<script type='application/ld+json'>{deep}</script>")
    article = parse_article(page, ARTICLE_URL)
    try:
        parse_response(('{"items":' + deep + "}").encode())
    except NaverResponseError as exc:
        return f"text {len(article.text)} chars; naver: {exc}"
    return f"text {len(article.text)} chars; naver: read"


def robots_stars() -> str:
    """A robots.txt rule of fifty `*a` and a `b`, asked about a path of a hundred `a`s."""
    from scrapers.robots import RobotsRules

    rules = RobotsRules.parse("User-agent: *\nDisallow: /" + "*a" * 50 + "b\n")
    return f"allows={rules.allows('/' + 'a' * 100, 'bot')}"


def naver_title_angles() -> str:
    """A Naver API answer whose title is a million `<` and no `>`."""
    from scrapers.naver_api import parse_response

    answer = {"items": [{"title": "<" * 1_000_000 + "광주", "link": "https://a.example/1", "description": ""}]}
    items = parse_response(json.dumps(answer).encode())
    return f"{len(items)} items, title {len(items[0].title)} chars"


def amp_cache_dots() -> str:
    """An AMP-cache link whose path is 100,000 dotted labels without a slash."""
    from scrapers.urls import aggregator_target

    return f"target={aggregator_target('https://x.cdn.ampproject.org/c/' + 'a.' * 100_000)}"


CASES: dict[str, Callable[[], str]] = {
    f.__name__: f
    for f in (
        doctype_brackets,
        comment_run,
        unclosed_items,
        unclosed_items_with_links,
        unclosed_cdata,
        nested_descriptions,
        huge_attribute,
        deep_nesting,
        one_line_article,
        hashtag_line,
        unicode_space_line,
        json_ld_spaces,
        byline_spaces,
        json_deep,
        robots_stars,
        naver_title_angles,
        amp_cache_dots,
    )
}


def run_case(name: str) -> tuple[float, str]:
    """Run one case here, in this process: (seconds, summary). The parsers are imported (and their
    one-time tables built) before the clock starts."""
    import scrapers.article
    import scrapers.feeds
    import scrapers.naver_api
    import scrapers.robots
    import scrapers.urls

    scrapers.naver_api.clean_text("x")
    started = time.perf_counter()
    summary = CASES[name]()
    return time.perf_counter() - started, summary


def run_isolated(name: str, limit: float, repo: Path = REPO) -> tuple[float | None, str]:
    """Run one case in a child process with `repo` first on the import path; (None, "hang") past `limit`."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(repo), str(REPO)])}
    code = (
        "import json, sys; sys.path[:0] = sys.argv[2:]; from bench.hostile import run_case; "
        "print(json.dumps(run_case(sys.argv[1])))"
    )
    try:
        proc = subprocess.run(
            [sys.executable, "-c", code, name, str(repo), str(REPO)],
            capture_output=True,
            text=True,
            timeout=limit,
            env=env,
            cwd=REPO,
        )
    except subprocess.TimeoutExpired:
        return None, f"no answer within {limit:g} s"
    if proc.returncode != 0:
        return None, "error: " + (proc.stderr.strip().splitlines() or ["?"])[-1][:100]
    seconds, summary = json.loads(proc.stdout.strip().splitlines()[-1])
    return float(seconds), str(summary)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hostile", description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", action="append", choices=sorted(CASES), help="run only this case (repeatable)")
    parser.add_argument("--limit", type=float, default=60.0, help="seconds before a case counts as a hang")
    parser.add_argument("--repo", type=Path, default=REPO, help="checkout whose scrapers/ is measured")
    args = parser.parse_args(argv)
    print(f"| case | seconds (limit {args.limit:g} s) | result |")
    print("| --- | --- | --- |")
    for name in args.case or list(CASES):
        seconds, summary = run_isolated(name, args.limit, args.repo)
        shown = f"{seconds:.3f}" if seconds is not None else "**error**" if summary.startswith("error") else "**hang**"
        print(f"| {name} | {shown} | {summary} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
