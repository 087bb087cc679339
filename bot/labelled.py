"""Labelled files for the evaluations: the hand-labelled sets and the operator's feedback file, read alike.

A labelled set is JSON lines with ``label`` pos/neg/borderline (relevance) or ``event`` (stories). The
feedback file (bot/feedback.py) is JSON lines with ``label`` missed/post/wrong; each such line is read
through ``Example`` and becomes a labelled record: missed and post are pos, wrong is neg, the stored
title and lead are what today's rules judge again (``text`` is the lead: the body is never kept). A file
may mix both kinds of line.

Reading rules, the same as the bot's own (``FeedbackLog``): a last line torn by a crash (no newline, not
JSON) is ignored with a warning in any file. In a file with feedback lines every other broken line is
ignored with a warning too; in a plain labelled set it is an error (a set is written by hand, and a line
silently dropped would change its figures).

The feedback file is append-only, so a URL can appear more than once (/missed, then /post). The last
line for a URL is the operator's last word; earlier ones are counted as superseded and not scored twice.

Stories: a feedback line carries no gold event of its own. Its ``story`` is the bot's *decision* and is
never used as gold; a line scores grouping only when someone added an ``event`` to it (by hand, in a
copy of the file), like the lines of a stories set.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.feedback import Example, Label
from bot.relevance import Detector, EvalReport, evaluate, ratio
from scrapers.dates import KST

log = logging.getLogger(__name__)

FEEDBACK_LABELS = frozenset(str(label) for label in Label)
REPO = Path(__file__).resolve().parents[1]


class LabelledFileError(ValueError):
    """A labelled set that cannot be read: names the file and the line."""


@dataclass(slots=True)
class LabelledFile:
    name: str
    records: list[dict[str, Any]]  # set lines as written, feedback lines as labelled records
    feedback_lines: Counter[str] = field(default_factory=Counter)  # per operator label, before de-duplication
    superseded: int = 0  # feedback lines overridden by a later line for the same URL
    ignored: int = 0  # broken lines ignored with a warning

    @property
    def feedback(self) -> list[dict[str, Any]]:
        return [r for r in self.records if r.get("feedback")]


def feedback_record(example: Example, raw: dict[str, Any]) -> dict[str, Any]:
    """An operator's example as a labelled record: `id` is its URL, `text` its lead, `label` pos/neg.

    `feedback`, `reason` and `at` say what the operator did; `event`, `published_at` and `outlet` are
    kept when a line carries them (the stories evaluation reads them). `story` is not kept: it is the
    bot's own grouping, not a gold label.
    """
    record = example.as_labelled()
    record["feedback"] = str(example.label)
    record["reason"] = example.reason
    record["at"] = datetime.fromtimestamp(example.at, KST).isoformat(timespec="minutes") if example.at else ""
    for key in ("event", "published_at", "outlet"):
        if raw.get(key) is not None:
            record[key] = raw[key]
    return record


def parse_labelled(name: str, raw: bytes) -> LabelledFile:
    """The records of one file's bytes (see the module docstring for the reading rules)."""
    lines = raw.split(b"\n")
    parsed: list[tuple[int, dict[str, Any]]] = []
    broken: list[tuple[int, str]] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except ValueError as exc:
            broken.append((number, f"not JSON ({exc})"))
            continue
        if not isinstance(data, dict):
            broken.append((number, "not a JSON object"))
            continue
        parsed.append((number, data))
    is_feedback = any(data.get("label") in FEEDBACK_LABELS for _, data in parsed)
    result = LabelledFile(name, [])
    for number, why in broken:
        torn = number == len(lines)  # the last line, with no newline after it
        if not torn and not is_feedback:
            raise LabelledFileError(f"{name} line {number}: {why}")
        where = "the last line, torn by a crash" if torn else f"line {number}"
        log.warning("%s: %s: not a whole line, ignored (%s)", name, where, why)
        result.ignored += 1

    latest: dict[str, int] = {}  # URL → index in result.records of its feedback record
    for number, data in parsed:
        if data.get("label") not in FEEDBACK_LABELS:
            result.records.append(data)
            continue
        try:
            example = Example.from_json(data)
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("%s: line %d is not a whole feedback example, ignored (%s)", name, number, exc)
            result.ignored += 1
            continue
        result.feedback_lines[str(example.label)] += 1
        record = feedback_record(example, data)
        if example.url in latest:
            result.records[latest[example.url]] = {}  # the operator's later word replaces it
            result.superseded += 1
        latest[example.url] = len(result.records)
        result.records.append(record)
    result.records = [r for r in result.records if r]
    return result


def read_labelled(path: Path) -> LabelledFile:
    """Read one labelled set or feedback file; OSError and LabelledFileError go to the caller."""
    return parse_labelled(str(path), path.read_bytes())


def default_sets() -> list[Path]:
    """The labelled relevance sets at hand: the shared development corpus when this checkout sits next to
    it, and the sets of tests/fixtures/relevance/ (both absent from an installed package)."""
    shared = REPO.parent / "shared" / "corpus" / "relevance-dev.jsonl"
    fixtures = sorted((REPO / "tests" / "fixtures" / "relevance").glob("*.jsonl"))
    return [p for p in (shared, *fixtures) if p.is_file()]


# -- relevance ---------------------------------------------------------------------------------------


def feedback_summary(files: list[LabelledFile], detector: Detector) -> list[str]:
    """What the operator reported, and how today's rules judge those cases again (title + lead)."""
    lines_by_label: Counter[str] = Counter()
    for f in files:
        lines_by_label.update(f.feedback_lines)
    records = [r for f in files for r in f.feedback]
    superseded = sum(f.superseded for f in files)
    ignored = sum(f.ignored for f in files)
    kinds = Counter(r["feedback"] for r in records)
    said = ", ".join(f"{label} {kinds[label]}" for label in sorted(FEEDBACK_LABELS) if kinds[label])
    out = [
        f"feedback: {len(records)} examples ({said or 'none'}) from {sum(lines_by_label.values())} lines"
        f"; {superseded} superseded by a later line for the same URL, {ignored} broken lines ignored"
    ]
    if not records:
        return out
    rep = evaluate(records, detector)
    still = rep.fp + rep.fn
    out += [
        f"feedback, re-judged by today's rules from the stored title and lead: precision "
        f"{ratio(rep.tp, rep.tp + rep.fp)}  recall {ratio(rep.tp, rep.tp + rep.fn)}  "
        f"(tp {rep.tp}, fp {rep.fp}, fn {rep.fn}, tn {rep.tn})",
        f"  {still} of {len(records)} still wrong (missed or posted wrongly again; listed above with "
        f"'operator:'), {len(records) - still} now right",
    ]
    return out


def _totals(report: EvalReport) -> str:
    return "\n".join(report.format().splitlines()[:2])


def relevance_report(files: list[LabelledFile], detector: Detector) -> str:
    """The evaluate-relevance report: one file as before (plus its feedback), several file by file and
    then all together."""
    if len(files) == 1:
        f = files[0]
        text = evaluate(f.records, detector).format()
        if f.feedback or f.feedback_lines or f.ignored:
            text += "\n" + "\n".join(feedback_summary(files, detector))
        return text
    parts = []
    for f in files:
        parts.append(f"== {f.name}")
        parts.append(evaluate(f.records, detector).format())
        if f.feedback or f.feedback_lines:
            parts += feedback_summary([f], detector)
    parts.append(f"== all {len(files)} files")
    parts.append(_totals(evaluate([r for f in files for r in f.records], detector)))
    if sum(bool(f.feedback_lines) for f in files) > 1:
        parts += feedback_summary(files, detector)
    return "\n".join(parts)


# -- stories -----------------------------------------------------------------------------------------


def stories_records(files: list[LabelledFile]) -> tuple[list[dict[str, Any]], list[str]]:
    """The records the stories evaluation scores, and a note on the feedback lines (empty without any).

    Set lines are kept as they are. A feedback line is scored only when it carries an ``event``; its
    ``story`` (the bot's own decision) is never gold.
    """
    records: list[dict[str, Any]] = []
    feedback = with_event = 0
    for f in files:
        for r in f.records:
            if not r.get("feedback"):
                records.append(r)
                continue
            feedback += 1
            if r.get("event") is not None:
                with_event += 1
                records.append(r)
    if not feedback and not any(f.feedback_lines or f.ignored for f in files):
        return records, []
    note = [
        f"feedback: {feedback} examples; {with_event} carry an 'event' and are scored with the other lines, "
        f"{feedback - with_event} carry none and are not scored (the 'story' a feedback line records is the "
        'bot\'s own grouping, not a gold event: add "event" to lines in a copy of the file to score them)'
    ]
    return records, note
