"""The command line (see CONTRACT.md): run, once, check, classify, group, parse, and evaluations.

Exit codes: 0 done (a cycle that ran is done even if some sources failed); 2 bad config or usage;
3 unusable or locked state file.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from bot import __version__
from bot.config import Config, ConfigError, load_config
from bot.logs import setup_logging
from state.records import StateError

if TYPE_CHECKING:
    from bot.labelled import LabelledFile

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
    from bot.stories import group_decisions

    records = list(_json_lines(sys.stdin))
    for record, (story, decision) in zip(records, group_decisions(records, config.stories.window_hours), strict=True):
        line: dict[str, Any] = {"id": record.get("id"), "story": story}
        if args.explain:
            line["why"] = decision.as_dict()
        _print_json(line)
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
    from scrapers.markup import limit_nesting

    tree = LexborHTMLParser(limit_nesting(decode(body[:200_000])))
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


def _labelled_files(names: list[str]) -> list[LabelledFile]:
    from bot.labelled import LabelledFileError, read_labelled

    files = []
    for name in names:
        try:
            files.append(read_labelled(Path(name)))
        except OSError as exc:
            raise ConfigError(f"cannot read {name}: {exc.strerror or exc}") from None
        except LabelledFileError as exc:
            raise ConfigError(str(exc)) from None
    return files


def cmd_evaluate_relevance(config: Config, args: argparse.Namespace) -> int:
    from bot.labelled import relevance_report
    from bot.relevance import Detector

    files = _labelled_files(args.files)
    try:
        report = relevance_report(files, Detector(config.relevance))
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    print(report)
    return EXIT_OK


def cmd_evaluate_stories(config: Config, args: argparse.Namespace) -> int:
    from bot.labelled import stories_records
    from bot.stories import evaluate

    records, note = stories_records(_labelled_files(args.files))
    if args.split:
        records = [r for r in records if r.get("split") == args.split]
    if args.leads:
        with open(args.leads, encoding="utf-8") as fh:
            leads = {str(r.get("id")): str(r.get("lead") or "") for r in _json_lines(fh)}
        records = [{**r, "text": leads.get(str(r.get("id")), r.get("text") or "")} for r in records]
    if note and len(records) < 2:  # a report on fewer than two lines would read "precision 1.000"
        print("\n".join([*note, f"nothing to score: {len(records)} line(s) with a gold 'event'"]))
        return EXIT_OK
    report = evaluate(records)
    if args.split == "frozen":  # the frozen part's mistakes are not shown: nothing is tuned to them
        report = dataclasses.replace(report, false_merges=(), missed=())
    print("\n".join([report.format(), *note]))
    return EXIT_OK


def cmd_suggest_terms(config: Config, args: argparse.Namespace) -> int:
    from bot.labelled import default_sets
    from bot.suggest import suggest

    set_names = args.sets if args.sets is not None else [os.path.relpath(p) for p in default_sets()]
    same = Path(args.feedback).resolve()
    set_names = [n for n in set_names if Path(n).resolve() != same]  # its cases are the feedback cases
    feedback, *sets = _labelled_files([args.feedback, *set_names])
    if not feedback.feedback:
        print(f"{args.feedback}: no feedback examples (missed, post or wrong lines): nothing to suggest")
        return EXIT_OK
    labelled = [(f.name, f.records) for f in sets]
    own = [r for r in feedback.records if not r.get("feedback")]  # labelled lines mixed into the file
    if own:
        labelled.append((feedback.name, own))
    try:
        result = suggest(feedback.name, feedback.feedback, labelled, config.relevance)
    except ValueError as exc:  # a labelled line without title or label
        raise ConfigError(str(exc)) from None
    try:
        print(result.format(top=args.top, per_case=args.per_case, pick=args.pick))
    except ValueError as exc:  # a --pick number that is not in the list
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    return EXIT_OK


# -- wiring -------------------------------------------------------------------------------------


def _global_options(*, in_subcommand: bool) -> argparse.ArgumentParser:
    """--config and -v, accepted before or after the subcommand. After it they must not reset what was
    given before it, so there they have no default of their own."""
    options = argparse.ArgumentParser(add_help=False)
    keep: dict[str, Any] = {"default": argparse.SUPPRESS} if in_subcommand else {}
    options.add_argument("--config", metavar="PATH", help="TOML config (default: ./config.toml, else built-in)", **keep)
    options.add_argument("-v", "--verbose", action="store_true", help="debug logging", **keep)
    return options


def _numbers(text: str) -> list[int]:
    try:
        return [int(n) for n in text.split(",") if n.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers like 1,3: {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    common = _global_options(in_subcommand=True)
    parser = argparse.ArgumentParser(
        prog="gwangju-ai-watch",
        parents=[_global_options(in_subcommand=False)],
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
    p.add_argument("--explain", action="store_true", help="add 'why': what each line shared or contradicted")
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
    p.add_argument("files", metavar="FILE", nargs="+", help="labelled JSON lines, or the feedback file")
    p.set_defaults(func=cmd_evaluate_relevance)
    p = sub.add_parser(
        "evaluate-stories",
        parents=[common],
        help="pairwise precision/recall of story grouping on JSON lines with 'event'",
    )
    p.add_argument("files", metavar="FILE", nargs="+", help="JSON lines with 'event', or the feedback file")
    p.add_argument("--split", choices=["frozen", "tune"], help="only the lines of this split (a manifest's 'split')")
    p.add_argument("--leads", metavar="FILE", help="JSON lines {id, lead}: each line's lead, used as its text")
    p.set_defaults(func=cmd_evaluate_stories)
    p = sub.add_parser(
        "suggest-terms",
        parents=[common],
        help="term changes proposed from the feedback file, each measured on the labelled sets; applies nothing",
    )
    p.add_argument("feedback", metavar="FEEDBACK", help="the feedback file (feedback.jsonl beside the state)")
    p.add_argument(
        "--sets",
        metavar="FILE",
        nargs="+",
        help="labelled relevance sets to measure on (default: ../shared/corpus/relevance-dev.jsonl when "
        "present and tests/fixtures/relevance/*.jsonl)",
    )
    p.add_argument("--top", type=int, default=20, metavar="N", help="show at most N suggestions (default 20)")
    p.add_argument(
        "--per-case", type=int, default=3, metavar="N", help="and at most N for any one feedback case (default 3)"
    )
    p.add_argument(
        "--pick",
        metavar="N[,N...]",
        type=_numbers,
        help="measure these suggestions together and print their snippet (instead of the recommended ones)",
    )
    p.set_defaults(func=cmd_suggest_terms)
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
