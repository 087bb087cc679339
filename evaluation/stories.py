"""Story grouping measured on the labelled Gwangju headlines (evaluation/manifests/stories-gwangju.jsonl).

    python -m evaluation.stories                      # frozen and tune, titles only and with leads
    python -m evaluation.stories --split tune --errors  # the mistakes, for the tuning part only

The manifest holds ids, URLs, outlets, dates, titles and the event and storyline labels; the leads
(third-party text) live in the git-ignored evaluation/local/stories-gwangju-leads.jsonl, rebuilt by
`python -m evaluation.rebuild_stories_leads`. Without that file only the titles-only figures are
printed. The frozen part's mistakes are never printed: rules are not adjusted to it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.stories import StoryReport, evaluate

ROOT = Path(__file__).resolve().parent
MANIFEST = ROOT / "manifests" / "stories-gwangju.jsonl"
LEADS = ROOT / "local" / "stories-gwangju-leads.jsonl"
SPLITS = ("frozen", "tune")


def _lines(path: Path) -> Iterable[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def load_manifest(path: Path = MANIFEST) -> list[dict[str, Any]]:
    return list(_lines(path))


def load_leads(path: Path = LEADS) -> dict[str, str] | None:
    """id -> lead, or None when the local file has not been built."""
    if not path.exists():
        return None
    return {str(row["id"]): str(row.get("lead") or "") for row in _lines(path)}


def records(manifest: list[dict[str, Any]], split: str, leads: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """`group`/`evaluate` input lines for one split; with `leads`, each line carries its lead as `text`."""
    out = []
    for row in manifest:
        if split != "all" and row["split"] != split:
            continue
        record: dict[str, Any] = {k: row[k] for k in ("id", "title", "outlet", "event", "storyline") if k in row}
        record["published_at"] = row.get("published_at") or row.get("date")
        if leads is not None:
            record["text"] = leads.get(str(row["id"]), "")
        out.append(record)
    return out


def report(manifest: list[dict[str, Any]], split: str, leads: dict[str, str] | None) -> StoryReport:
    return evaluate(records(manifest, split, leads))


def _line(split: str, mode: str, rep: StoryReport) -> str:
    return (
        f"{split:6} {mode:6}  records {rep.records:3}  gold pairs {rep.gold_pairs:3}  "
        f"predicted {rep.predicted_pairs:3}  "
        f"precision {rep.precision:.3f}  recall {rep.recall:.3f}"
    )


@dataclass(frozen=True, slots=True)
class Run:
    """What an evaluation over the manifest runs on: its rows, the leads, the modes and splits asked for."""

    manifest: list[dict[str, Any]]
    leads: dict[str, str] | None
    modes: list[str]
    splits: list[str]
    errors: bool


def command_line(prog: str, description: str, errors_help: str, argv: list[str] | None) -> Run | None:
    """The options both evaluations take (`--split`, `--mode`, `--errors`, `--manifest`, `--leads`), read
    and checked; None (with the reason on stderr) when `--errors` is asked for beyond the tune split."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--split", choices=(*SPLITS, "all"), default=None, help="default: frozen and tune")
    parser.add_argument("--mode", choices=("titles", "leads", "both"), default="both")
    parser.add_argument("--errors", action="store_true", help=f"{errors_help} (tune split only)")
    parser.add_argument("--manifest", type=Path, default=MANIFEST)
    parser.add_argument("--leads", type=Path, default=LEADS)
    args = parser.parse_args(argv)
    if args.errors and args.split != "tune":
        print(
            "--errors is only available with --split tune: the frozen part is never read for mistakes", file=sys.stderr
        )
        return None
    leads = load_leads(args.leads)
    modes = ["titles", "leads"] if args.mode == "both" else [args.mode]
    if "leads" in modes and leads is None:
        print(f"note: {args.leads} is absent (rebuild with python -m evaluation.rebuild_stories_leads); titles only")
        modes = ["titles"]
    splits = [args.split] if args.split else list(SPLITS)
    return Run(load_manifest(args.manifest), leads, modes, splits, args.errors)


def main(argv: list[str] | None = None) -> int:
    run = command_line("python -m evaluation.stories", __doc__.split("\n")[0], "list false merges and misses", argv)
    if run is None:
        return 2
    for split in run.splits:
        for mode in run.modes:
            rep = report(run.manifest, split, run.leads if mode == "leads" else None)
            print(_line(split, mode, rep))
            if run.errors:
                print("\n".join(rep.format().splitlines()[2:]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
