"""Check the grouping model's weights and bar (bot.stories.WEIGHTS, BAR) on the sets they were tuned on.

    python -m evaluation.calibrate_stories          # precision/recall of the current weights for a range of bars
    python -m evaluation.calibrate_stories --fit    # also a logistic fit, for comparison with the weights

The sets are only those the rules were already tuned on: the `tune` part of
evaluation/manifests/stories-gwangju.jsonl (once with its leads, once titles only),
../shared/corpus/stories-dev.jsonl and tests/fixtures/stories/*.jsonl. The frozen part is never read.

WEIGHTS were set by hand, in log-odds, from the tuning pairs: the fitted weights are printed beside
them. The fit is a logistic regression over every pair within the time window that no contradiction
vetoes and that shares rare words, with a Gaussian prior centred on the hand weights (L2 toward them),
by Newton's method. With some 170 such pairs, four in five of them same-event, the fit leans toward
merging (it does not see that one wrong merge joins whole groups); the table shows what that costs.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot import stories
from evaluation.stories import load_leads, load_manifest, records

REPO = Path(__file__).resolve().parent.parent
FIXTURES = sorted((REPO / "tests" / "fixtures" / "stories").glob("*.jsonl"))
DEV = REPO.parent / "shared" / "corpus" / "stories-dev.jsonl"
FEATURES = [name for name in stories.WEIGHTS if name != "intercept"]
L2 = 1.0  # prior precision: each weight a priori within about ±1 of its hand value
BARS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def _jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def training_sets() -> dict[str, list[dict[str, Any]]]:
    """name -> records with gold `event`, as `evaluate` reads them."""
    sets: dict[str, list[dict[str, Any]]] = {}
    manifest = load_manifest()
    leads = load_leads()
    sets["tune-titles"] = records(manifest, "tune")
    if leads is not None:
        sets["tune-leads"] = records(manifest, "tune", leads)
    if DEV.is_file():
        sets["dev"] = _jsonl(DEV)
    for path in FIXTURES:
        sets[f"fixtures/{path.stem}"] = _jsonl(path)
    return sets


def examples(recs: list[dict[str, Any]]) -> list[tuple[list[float], int]]:
    """(signal vector, same event) for every candidate pair of a set, the later item first."""
    inputs = [{**r, "published_at": r.get("published_at", r.get("date"))} for r in recs]
    keys = [stories.key_from_record(r, str(r.get("id", i))) for i, r in enumerate(inputs)]
    background = stories._Background()
    for key in keys:
        background.add(key.features.full)
    out = []
    for (i, a), (j, b) in itertools.combinations(enumerate(keys), 2):
        later, earlier = b, a
        evidence = stories.compare(later, earlier, background, a_counted=True)
        if evidence.bar is None or evidence.contradicts:
            continue
        values = evidence.signals
        if values["title_similarity"] <= 0 and values["lead_similarity"] <= 0:
            continue
        out.append(([values[name] for name in FEATURES], int(recs[i].get("event") == recs[j].get("event"))))
    return out


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting."""
    n = len(vector)
    a = [[*row, vector[i]] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(n):
            if r != col and a[col][col]:
                factor = a[r][col] / a[col][col]
                a[r] = [x - factor * y for x, y in zip(a[r], a[col], strict=True)]
    return [a[i][n] / a[i][i] if a[i][i] else 0.0 for i in range(n)]


def fit(data: Sequence[tuple[list[float], int]], l2: float = L2, iterations: int = 30) -> list[float]:
    """Logistic regression weights [intercept, *FEATURES] (the intercept is not penalised)."""
    dims = len(FEATURES) + 1
    prior = [stories.WEIGHTS["intercept"], *(stories.WEIGHTS[name] for name in FEATURES)]
    w = prior[:]
    rows = [([1.0, *x], y) for x, y in data]
    for _ in range(iterations):
        gradient = [0.0] * dims
        hessian = [[0.0] * dims for _ in range(dims)]
        for x, y in rows:
            p = 1 / (1 + math.exp(-max(-30.0, min(30.0, sum(wi * xi for wi, xi in zip(w, x, strict=True))))))
            for i in range(dims):
                gradient[i] += (p - y) * x[i]
                for j in range(dims):
                    hessian[i][j] += p * (1 - p) * x[i] * x[j]
        for i in range(1, dims):
            gradient[i] += l2 * (w[i] - prior[i])
            hessian[i][i] += l2
        for i in range(dims):
            hessian[i][i] += 1e-6
        step = _solve(hessian, gradient)
        w = [wi - si for wi, si in zip(w, step, strict=True)]
        if max(abs(s) for s in step) < 1e-6:
            break
    return w


def figures(sets: dict[str, list[dict[str, Any]]]) -> dict[str, tuple[float, float]]:
    return {name: (rep.precision, rep.recall) for name, rep in ((n, stories.evaluate(r)) for n, r in sets.items())}


def _table(sets: dict[str, list[dict[str, Any]]], bars: Sequence[float]) -> None:
    names = list(sets)
    print("bar   " + "  ".join(f"{n[-14:]:>14}" for n in names))
    saved = stories.BAR
    try:
        for bar in bars:
            stories.BAR = bar
            row = figures(sets)
            print(f"{bar:.2f}  " + "  ".join(f"{row[n][0]:.3f}/{row[n][1]:.3f}".rjust(14) for n in names))
    finally:
        stories.BAR = saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation.calibrate_stories")
    parser.add_argument("--fit", action="store_true", help="also fit the weights and show their figures")
    args = parser.parse_args(argv)
    sets = training_sets()
    print(f"current weights, bar {stories.BAR} (precision/recall):")
    _table(sets, BARS)
    if args.fit:
        data = [example for recs in sets.values() for example in examples(recs)]
        positives = sum(y for _, y in data)
        print(f"\n{len(data)} candidate pairs from {len(sets)} sets, {positives} of them same-event")
        w = fit(data)
        fitted = {"intercept": w[0], **dict(zip(FEATURES, w[1:], strict=True))}
        for name, value in fitted.items():
            print(f"  {name:18} hand {stories.WEIGHTS[name]:6.2f}  fitted {value:6.2f}")
        saved = stories.WEIGHTS
        stories.WEIGHTS = {name: round(value, 2) for name, value in fitted.items()}
        try:
            print("fitted weights (precision/recall):")
            _table(sets, BARS)
        finally:
            stories.WEIGHTS = saved
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
