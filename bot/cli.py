"""The command line (see CONTRACT.md): run, once, check, classify, group, parse, and evaluations.

Exit codes: 0 done (a cycle that ran is done even if some sources failed); 2 bad config or usage;
3 unusable or locked state file.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from bot import __version__
from bot.config import Config, ConfigError, load_config
from bot.logs import setup_logging
from state.store import StateError

log = logging.getLogger("bot")

EXIT_OK, EXIT_FAILED, EXIT_CONFIG, EXIT_STATE = 0, 1, 2, 3


def _json_lines(stream: TextIO) -> Iterator[dict[str, Any]]:
    for n, line in enumerate(stream, 1):
        line = line.strip()
        if not line:
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"stdin line {n}: not JSON ({exc.msg})") from None
        if not isinstance(record, dict):
            raise ConfigError(f"stdin line {n}: expected a JSON object")
        yield record


def _print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


# -- subcommands ----------------------------------------------------------------------------------


def cmd_classify(config: Config, args: argparse.Namespace) -> int:
    from bot.relevance import Detector

    detector = Detector(config.relevance)
    for record in _json_lines(sys.stdin):
        verdict = detector.classify(str(record.get("title") or ""), record.get("text") or None)
        _print_json(
            {
                "id": record.get("id"),
                "relevant": verdict.relevant,
                "score": round(verdict.score, 4),
                "reasons": list(verdict.reasons),
            }
        )
    return EXIT_OK


def cmd_group(config: Config, args: argparse.Namespace) -> int:
    from bot.stories import group

    records = list(_json_lines(sys.stdin))
    for record, story in zip(records, group(records, config.story_window_hours), strict=True):
        _print_json({"id": record.get("id"), "story": story})
    return EXIT_OK


async def _read_source(config: Config, source: str, base_url: str | None) -> tuple[bytes, str | None, str]:
    """Bytes, content type and base URL of a file path or an http(s) URL."""
    if source.startswith(("http://", "https://")):
        from scrapers.fetch import Fetcher

        async with Fetcher(config.fetch) as fetcher:
            result = await fetcher.fetch(source)
        return result.body, result.content_type, base_url or result.url
    path = Path(source)
    body = path.read_bytes()
    if base_url is None:
        base_url = _document_url(body)
        if base_url is None:
            print(
                "note: the file names no URL of its own (<base>, canonical, og:url); relative links are "
                "skipped unless --base-url is given",
                file=sys.stderr,
            )
    return body, None, base_url or path.resolve().as_uri()


def _document_url(body: bytes) -> str | None:
    """The URL a saved page names for itself: `<base href>`, canonical link or og:url (absolute only)."""
    from selectolax.lexbor import LexborHTMLParser

    from scrapers.decode import decode

    tree = LexborHTMLParser(decode(body[:200_000]))
    for selector, attribute in (
        ("base[href]", "href"),
        ("link[rel=canonical]", "href"),
        ('meta[property="og:url"]', "content"),
    ):
        node = tree.css_first(selector)
        value = (node.attributes.get(attribute) or "").strip() if node is not None else ""
        if value.startswith(("http://", "https://")):
            return value
    return None


def cmd_parse(config: Config, args: argparse.Namespace) -> int:
    from scrapers.decode import decode
    from scrapers.fetch import FetchError

    try:
        body, content_type, base = asyncio.run(_read_source(config, args.source, args.base_url))
    except (OSError, FetchError) as exc:
        print(f"error: cannot read {args.source}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if args.what == "listing":
        from scrapers.feeds import FeedError, looks_like_feed, parse_feed
        from scrapers.listing import parse_listing

        try:
            if looks_like_feed(body):
                items = parse_feed(body, base, content_type)
            else:
                items = parse_listing(decode(body, content_type), base)
        except FeedError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_FAILED
        for item in items:
            _print_json(
                {
                    "title": item.title,
                    "url": item.url,
                    "published_at": item.published_at.isoformat() if item.published_at else None,
                    "snippet": item.snippet,
                }
            )
        return EXIT_OK
    from bot.summarize import summarize
    from scrapers.article import parse_article

    article = parse_article(decode(body, content_type), base)
    _print_json(
        {
            "title": article.title,
            "published_at": article.published_at.isoformat() if article.published_at else None,
            "text": article.text,
            "summary": summarize(article.text, title=article.title, fallback=article.description),
        }
    )
    return EXIT_OK


def cmd_discover(config: Config, args: argparse.Namespace) -> int:
    """Feeds and list pages of an outlet, tried and counted: JSON lines, or `[[sources]]` with --toml.
    Exit 1 when the home page cannot be read or nothing with items was found."""
    from datetime import datetime

    from scrapers.dates import KST
    from scrapers.discover import DiscoverError, discover, to_toml
    from scrapers.fetch import Fetcher

    if not args.url.startswith(("http://", "https://")):
        print(f"error: discover needs an http(s) URL, got {args.url!r}", file=sys.stderr)
        return EXIT_CONFIG
    now = datetime.now(KST)

    async def run() -> Any:
        async with Fetcher(config.fetch) as fetcher:
            return await discover(fetcher, args.url, max_tries=args.max_tries, now=now)

    try:
        result = asyncio.run(run())
    except DiscoverError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    for url, why in result.skipped:
        print(f"skipped {url}: {why}", file=sys.stderr)
    if args.toml:
        sys.stdout.write(to_toml(result.found, result.site_name, now))
    else:
        for found in result.found:
            _print_json(found.to_json())
    if not any(found.items for found in result.found):
        print("note: no feed or list page with articles was found", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def cmd_once(config: Config, args: argparse.Namespace) -> int:
    from bot.app import run_once

    return run_once(config, dry_run=args.dry_run)


def cmd_run(config: Config, args: argparse.Namespace) -> int:
    from bot.daemon import run_daemon

    return run_daemon(config)


def cmd_check(config: Config, args: argparse.Namespace) -> int:
    from bot.check import run_check

    return run_check(config, strict=args.strict)


def cmd_evaluate_relevance(config: Config, args: argparse.Namespace) -> int:
    from bot.relevance import Detector, evaluate

    with open(args.file, encoding="utf-8") as fh:
        report = evaluate(_json_lines(fh), Detector(config.relevance))
    print(report.format())
    return EXIT_OK


def cmd_evaluate_stories(config: Config, args: argparse.Namespace) -> int:
    from bot.stories import evaluate

    with open(args.file, encoding="utf-8") as fh:
        report = evaluate(list(_json_lines(fh)))
    print(report.format())
    return EXIT_OK


# -- wiring -------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="PATH", help="TOML config (default: ./config.toml, else built-in)")
    common.add_argument("-v", "--verbose", action="store_true", help="debug logging")

    parser = argparse.ArgumentParser(
        prog="gwangju-ai-watch",
        parents=[common],
        description="Posts news about AI infrastructure in Gwangju (광주광역시) to a Telegram channel.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("run", parents=[common], help="the daemon: poll on schedule, deliver, answer admins")
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("once", parents=[common], help="one full cycle over every source, then exit")
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="print the would-be posts instead of sending, and leave the state file untouched",
    )
    p.set_defaults(func=cmd_once)
    p = sub.add_parser("check", parents=[common], help="fetch and parse every source once and report")
    p.add_argument("--strict", action="store_true", help="exit 1 when any source fails")
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("classify", parents=[common], help="relevance of JSON lines on stdin")
    p.set_defaults(func=cmd_classify)
    p = sub.add_parser("group", parents=[common], help="story grouping of JSON lines on stdin")
    p.set_defaults(func=cmd_group)
    p = sub.add_parser("parse", parents=[common], help="parse a listing or an article (file or URL)")
    p.add_argument("what", choices=["listing", "article"])
    p.add_argument("source", metavar="SOURCE", help="a file path or an http(s) URL")
    p.add_argument("--base-url", metavar="URL", help="resolve relative links against this URL")
    p.set_defaults(func=cmd_parse)
    p = sub.add_parser(
        "discover", parents=[common], help="find an outlet's feeds and list pages, try them, print [[sources]]"
    )
    p.add_argument("url", metavar="URL", help="the outlet's home page")
    p.add_argument("--toml", action="store_true", help="print ready [[sources]] entries instead of JSON lines")
    p.add_argument(
        "--max-tries", type=int, default=24, metavar="N", help="candidates fetched at most (default 24, politely)"
    )
    p.set_defaults(func=cmd_discover)
    p = sub.add_parser(
        "evaluate-relevance", parents=[common], help="precision/recall of the relevance filter on labelled JSON lines"
    )
    p.add_argument("file", metavar="FILE")
    p.set_defaults(func=cmd_evaluate_relevance)
    p = sub.add_parser(
        "evaluate-stories",
        parents=[common],
        help="pairwise precision/recall of story grouping on JSON lines with 'event'",
    )
    p.add_argument("file", metavar="FILE")
    p.set_defaults(func=cmd_evaluate_stories)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    token = os.environ.get("TELEGRAM_BOT_TOKEN", "")
    setup_logging(args.verbose, [token])
    try:
        config = load_config(args.config)
        setup_logging(args.verbose, [token, config.telegram.bot_token or ""])
        return int(args.func(config, args))
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except StateError as exc:
        print(f"state error: {exc}", file=sys.stderr)
        return EXIT_STATE
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
