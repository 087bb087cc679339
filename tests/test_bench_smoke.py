"""The benchmark harness itself, run tiny (N=5, a few daemon cycles): it must run end to end, count
what crossed the wire, and write its tables. No timing is asserted; `make bench` is where figures live."""

from __future__ import annotations

from pathlib import Path

import pytest

import bench.__main__ as harness

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict:  # type: ignore[type-arg]
    out = tmp_path_factory.mktemp("bench") / "latest.md"
    argv = [
        "--quick",
        "--sizes",
        "5",
        "--delay",
        "0.05",
        "--cycles",
        "4",
        "--every",
        "2",
        "--daemon-sources",
        "2",
        "--state-sizes",
        "500",
        "--no-urlwatch",
        "--out",
        str(out),
    ]
    figures = harness.run(harness.parse_args(argv), "python -m bench " + " ".join(argv))
    figures["out"] = out
    return figures


def test_one_cycle_fetches_each_listing_once_plus_one_robots_per_host(results: dict) -> None:  # type: ignore[type-arg]
    first = results["cycles"][5]["bot"]["first"]
    hosts = first["server"]["hosts"]
    assert first["failed"] == 0
    assert sum(h["requests"].get("listing", 0) for h in hosts) == 5
    assert sum(h["requests"].get("robots", 0) for h in hosts) == 5  # five sources on five of the ten hosts
    assert first["new"] == 5 * 25 and first["articles"] == 0  # every headline screened, none relevant


def test_the_next_cycle_reads_robots_from_memory_and_finds_nothing_new(results: dict) -> None:  # type: ignore[type-arg]
    following = results["cycles"][5]["bot"]["next"]
    assert sum(h["total"] for h in following["server"]["hosts"]) == 5
    assert following["new"] == 0


def test_fetching_alone_makes_the_same_requests(results: dict) -> None:  # type: ignore[type-arg]
    fetch_only = results["cycles"][5]["bot"]["fetch_only"]
    assert fetch_only["failed"] == 0
    assert sum(h["total"] for h in fetch_only["server"]["hosts"]) == 10


def test_the_floor_is_robots_then_the_listings(results: dict) -> None:  # type: ignore[type-arg]
    assert results["cycles"][5]["floor"] == pytest.approx(0.05 * 2)
    assert harness.bot_floor(200, 10, 4, 0.2) == pytest.approx(0.2 * 6)


def test_the_daemon_run_reports_memory_while_the_state_grows(results: dict) -> None:  # type: ignore[type-arg]
    rows = results["daemon"]
    assert [r["cycle"] for r in rows] == [1, 2, 4]
    assert all(r["rss_mb"] > 0 for r in rows)
    assert rows[-1]["seen"] > rows[0]["seen"]  # the listings moved on between polls


def test_micro_figures_cover_the_generated_page_and_both_state_directions(results: dict) -> None:  # type: ignore[type-arg]
    micro = results["micro"]
    assert micro["listings"][0].items == 25
    assert micro["titles_per_second"] > 0
    assert set(micro["state"][500]) >= {"save_wall", "load_wall", "size_mb"}


def test_the_tables_are_written_as_markdown(results: dict) -> None:  # type: ignore[type-arg]
    text = Path(results["out"]).read_text(encoding="utf-8")
    assert "### One cycle, bot" in text and "### Daemon memory" in text and "### Targets" in text
    assert "| 5 | 10 |" in text  # N=5, ten requests (five robots.txt, five listings)


def test_the_overlap_bench_counts_each_article_read(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from bench import overlap

    assert overlap.main(["--sources", "8", "--hosts", "2", "--shared", "3", "--delay", "0.0"]) == 0
    [line] = capsys.readouterr().out.strip().splitlines()
    result = json.loads(line)
    assert (result["candidates"], result["distinct_articles_listed"]) == (24, 6)
    assert result["distinct_articles_read"] == result["article_requests"] == 6  # each once
