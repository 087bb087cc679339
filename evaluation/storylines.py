"""Storyline assignment measured on the labelled Gwangju headlines (evaluation/manifests/stories-gwangju.jsonl).

    python -m evaluation.storylines                     # frozen and tune, titles only and with leads
    python -m evaluation.storylines --split tune --errors

Each labelled event is one story (grouping is taken as given here: its gold events), represented by
its earliest copy: its title, its lead (from the git-ignored local file, in the `leads` mode), its
relevance topics from bot.relevance, and its day as the time it was posted. Stories are fed to
`bot.storylines.assign` in time order, each seeing the ones before it with the storyline ids assigned
so far. Events without a date are left out (their place in time is unknown). Pairwise precision and
recall over events: a pair is predicted together when both got the same storyline, gold together when
both carry the same `storyline` label. The frozen part's mistakes are never printed.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.relevance import Detector
from bot.stories import story_key
from bot.storylines import WINDOW_DAYS, Posted, assign
from evaluation.stories import command_line
from scrapers.dates import KST


@dataclass(frozen=True, slots=True)
class StorylineReport:
    events: int
    undated: int
    gold_pairs: int
    predicted_pairs: int
    true_pairs: int
    reachable_pairs: int  # gold pairs linked by a chain of the storyline's events, each within the window
    true_reachable: int
    false_links: tuple[tuple[str, str], ...]
    missed: tuple[tuple[str, str], ...]

    @property
    def precision(self) -> float:
        return self.true_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.true_pairs / self.gold_pairs if self.gold_pairs else 1.0

    @property
    def reachable_recall(self) -> float:
        """Recall over the gold pairs a windowed assignment can link at all."""
        return self.true_reachable / self.reachable_pairs if self.reachable_pairs else 1.0


def _day(value: Any) -> float | None:
    if not value:
        return None
    moment = datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=KST)
    return moment.timestamp()


def stories_of(manifest: Sequence[dict[str, Any]], split: str) -> list[dict[str, Any]]:
    """One row per event of `split` (its earliest dated copy), in time order; undated events dropped."""
    by_event: dict[str, list[dict[str, Any]]] = {}
    for row in manifest:
        if split == "all" or row["split"] == split:
            by_event.setdefault(row["event"], []).append(row)
    firsts = []
    for rows in by_event.values():
        dated = [r for r in rows if _day(r.get("date")) is not None]
        if dated:
            firsts.append(min(dated, key=lambda r: (str(r["date"]), r["id"])))
    return sorted(firsts, key=lambda r: (str(r["date"]), r["id"]))


def _segments(rows: Sequence[dict[str, Any]], window_days: float) -> dict[str, tuple[str, int]]:
    """event -> (gold storyline, segment): a storyline's events (in time order) start a new segment
    after a gap longer than the window."""
    out: dict[str, tuple[str, int]] = {}
    last: dict[str, tuple[float, int]] = {}
    for row in rows:
        when = _day(row["date"]) or 0.0
        previous = last.get(row["storyline"])
        number = 0 if previous is None else previous[1] + (when - previous[0] > window_days * 86400)
        last[row["storyline"]] = (when, number)
        out[row["event"]] = (row["storyline"], number)
    return out


def run(
    manifest: Sequence[dict[str, Any]],
    split: str,
    leads: dict[str, str] | None,
    detector: Detector,
    window_days: float = WINDOW_DAYS,
) -> tuple[StorylineReport, list[tuple[dict[str, Any], str, str]]]:
    """The report, and (row, predicted storyline, decision log line) per story."""
    rows = stories_of(manifest, split)
    events = {row["event"] for row in manifest if split == "all" or row["split"] == split}
    history: list[Posted] = []
    out = []
    for row in rows:
        lead = leads.get(str(row["id"]), "") if leads is not None else ""
        posted_at = _day(row["date"])
        assert posted_at is not None
        key = story_key(row["event"], row["title"], lead, datetime.fromtimestamp(posted_at, KST))
        topics = detector.classify(row["title"], lead or None).topics
        decision = assign(row["event"], key, topics, history, posted_at, window_days)
        history.append(Posted(row["event"], decision.storyline_id, key, tuple(topics), posted_at))
        out.append((row, decision.storyline_id, decision.log_line()))
    segment = _segments(rows, window_days)
    gold = predicted = true = reachable = true_reachable = 0
    false_links: list[tuple[str, str]] = []
    missed: list[tuple[str, str]] = []
    for (a, sa, _), (b, sb, _) in itertools.combinations(out, 2):
        same_gold = a["storyline"] == b["storyline"]
        same = sa == sb
        gold += same_gold
        predicted += same
        true += same_gold and same
        linkable = same_gold and segment[a["event"]] == segment[b["event"]]
        reachable += linkable
        true_reachable += linkable and same
        if same and not same_gold:
            false_links.append((a["event"], b["event"]))
        elif same_gold and not same:
            missed.append((a["event"], b["event"]))
    report = StorylineReport(
        len(out),
        len(events) - len(out),
        gold,
        predicted,
        true,
        reachable,
        true_reachable,
        tuple(false_links),
        tuple(missed),
    )
    return report, out


def main(argv: list[str] | None = None) -> int:
    run_ = command_line("python -m evaluation.storylines", __doc__.split("\n")[0], "the decisions and mistakes", argv)
    if run_ is None:
        return 2
    detector = Detector()
    for split in run_.splits:
        for mode in run_.modes:
            rep, decisions = run(run_.manifest, split, run_.leads if mode == "leads" else None, detector)
            print(
                f"{split:6} {mode:6}  events {rep.events:3} (+{rep.undated} undated, left out)  "
                f"gold pairs {rep.gold_pairs:3}  predicted {rep.predicted_pairs:3}  "
                f"precision {rep.precision:.3f}  recall {rep.recall:.3f}  "
                f"(within-window recall {rep.reachable_recall:.3f} of {rep.reachable_pairs})"
            )
            if run_.errors:
                for row, storyline, line in decisions:
                    print(f"  {row['date']} {row['storyline']:24} -> {storyline:28} {row['title'][:40]} | {line}")
                for a, b in rep.false_links:
                    print(f"  false link: {a} + {b}")
                for a, b in rep.missed:
                    print(f"  missed: {a} + {b}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
