"""The operator's feedback as a labelled set: evaluate-relevance, evaluate-stories and suggest-terms on
feedback files written here (our own invented headlines), driven through the command line."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from bot.feedback import Example, FeedbackLog, Label
from bot.relevance import Detector, evaluate
from bot.suggest import Change, merge, to_toml
from tests.conftest import run_cli

AT = 1_764_634_500.0  # 2025-12-02 09:15 KST

# Invented cases the shipped rules get wrong from title + lead.
QUANTUM = Example(  # missed: a place and an infrastructure word the term lists do not know
    "https://news.example/q1",
    "광산구에 양자컴퓨터 냉각시설 착공",
    "광산구 평동산단에 양자컴퓨터 냉각시설이 들어선다.",
    Label.MISSED,
    "not relevant: place only",
    AT,
    111,
)
FLATS = Example(  # posted, wrongly: flats near the data centre are not AI infrastructure
    "https://news.example/w1",
    "광주 AI 데이터센터 인근 아파트 분양 흥행",
    "광주 AI 데이터센터 인근 아파트 청약에 사람이 몰렸다.",
    Label.WRONG,
    "부동산 기사",
    AT + 120,
    111,
    story="s-7",
)
GPU = Example(  # posted by hand, and today's rules agree
    "https://news.example/p1", "광주 국가AI데이터센터 GPU 증설", "", Label.POST, "", AT + 240, 111
)


def write_feedback(path: Path, *examples: Example) -> Path:
    log = FeedbackLog(path)
    for example in examples:
        log.append(example)
    return path


def snippet_of(out: str) -> str:
    """The ready [relevance] table at the end of suggest-terms' output."""
    return out[out.index("\n[relevance]\n") :]


def test_the_log_appends_to_a_file_that_has_lines_and_closes_a_torn_one(tmp_path: Path) -> None:
    path = write_feedback(tmp_path / "feedback.jsonl", QUANTUM, GPU)
    with path.open("ab") as fh:
        fh.write(b'{"url": "https://news.example/torn", "ti')  # a crash mid-write
    FeedbackLog(path).append(FLATS)
    lines = path.read_bytes().split(b"\n")
    assert lines[2] == b'{"url": "https://news.example/torn", "ti' and lines[-1] == b""
    assert [e.url for e in FeedbackLog(path).read()] == [QUANTUM.url, GPU.url, FLATS.url]


def test_evaluate_relevance_scores_the_feedback_file_and_lists_the_cases_still_wrong(tmp_path: Path) -> None:
    first_word = Example(QUANTUM.url, QUANTUM.title, QUANTUM.lead, Label.MISSED, "", AT - 60)
    path = write_feedback(tmp_path / "feedback.jsonl", first_word, QUANTUM, FLATS, GPU)
    result = run_cli("evaluate-relevance", str(path))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("scored: 3 (pos 2, neg 1; 2 with text")
    assert "precision 0.500  recall 0.500  F1 0.500  (tp 1, fp 1, fn 1, tn 0)" in out
    false_pos, false_neg = out.split("false negatives: ")
    assert f"[{FLATS.url}] {FLATS.title}" in false_pos and "operator: wrong 2025-12-02T09:17+09:00 — 부동산 기사" in out
    assert f"[{QUANTUM.url}] {QUANTUM.title}" in false_neg and GPU.url not in out
    assert "feedback: 3 examples (missed 1, post 1, wrong 1) from 4 lines; 1 superseded" in out
    assert "2 of 3 still wrong" in out and "1 now right" in out


def test_a_torn_last_line_is_ignored_with_a_warning(tmp_path: Path) -> None:
    path = write_feedback(tmp_path / "feedback.jsonl", QUANTUM, FLATS)
    with path.open("ab") as fh:
        fh.write(GPU.to_line().encode()[:40])
    result = run_cli("evaluate-relevance", str(path))
    assert result.returncode == 0, result.stderr
    assert "the last line, torn by a crash: not a whole line, ignored" in result.stderr
    assert result.stdout.startswith("scored: 2 (pos 1, neg 1;")
    assert "2 examples (missed 1, wrong 1) from 2 lines; 0 superseded by a later line for the same URL, 1 broken" in (
        result.stdout
    )


def test_a_broken_line_inside_a_labelled_set_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text('{"title": "광주 AI 데이터센터", "label": "pos"}\n{"title": \n{"title": "x", "label": "neg"}\n')
    result = run_cli("evaluate-relevance", str(path))
    assert result.returncode == 2
    assert f"{path} line 2: not JSON" in result.stderr


def test_several_files_are_reported_one_by_one_then_together(tmp_path: Path) -> None:
    labelled = tmp_path / "set.jsonl"
    rows = [
        {"id": "a", "title": "광주 국가AI데이터센터 2단계 착공", "label": "pos"},
        {"id": "b", "title": "경기 광주시 오포 데이터센터 주민 반발", "label": "neg"},
    ]
    labelled.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    feedback = write_feedback(tmp_path / "feedback.jsonl", QUANTUM, FLATS)
    alone = run_cli("evaluate-relevance", str(labelled))
    assert alone.stdout.strip() == evaluate(rows, Detector()).format()  # one set: the report as it always was
    both = run_cli("evaluate-relevance", str(labelled), str(feedback))
    assert both.returncode == 0, both.stderr
    sections = re.split(r"^== ", both.stdout, flags=re.M)
    assert [s.splitlines()[0] for s in sections[1:]] == [str(labelled), str(feedback), "all 2 files"]
    assert sections[1].split("\n", 1)[1].rstrip("\n") == alone.stdout.rstrip("\n")
    assert "scored: 4 (pos 2, neg 2;" in sections[3] and "(tp 1, fp 1, fn 1, tn 1)" in sections[3]


def test_evaluate_stories_scores_only_feedback_lines_with_a_gold_event(tmp_path: Path) -> None:
    path = write_feedback(tmp_path / "feedback.jsonl", QUANTUM, FLATS, GPU)
    bare = run_cli("evaluate-stories", str(path))
    assert bare.returncode == 0, bare.stderr
    assert "0 carry an 'event'" in bare.stdout and "nothing to score" in bare.stdout
    assert "precision" not in bare.stdout  # not a meaningless 1.000

    # Events added by hand. The `story` the bot recorded says the opposite of the gold events: the same
    # story for two events, two stories for one event. It must not be read as gold.
    same = "광주 국가AI데이터센터 GPU 2천장 증설 확정"
    rows = [
        {**json.loads(GPU.to_line()), "title": same, "event": "gpu", "story": "s-1"},
        {**json.loads(GPU.to_line()), "url": "https://news.example/p2", "title": same, "event": "gpu", "story": "s-2"},
        {**json.loads(QUANTUM.to_line()), "event": "quantum", "story": "s-1"},
    ]
    labelled = tmp_path / "labelled.jsonl"
    labelled.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    scored = run_cli("evaluate-stories", str(labelled))
    assert scored.returncode == 0, scored.stderr
    assert scored.stdout.startswith("records: 3  gold pairs: 1  predicted pairs: 1\npairwise precision: 1.000")
    assert "3 carry an 'event' and are scored" in scored.stdout


def number_of(out: str, text: str) -> int:
    """The number of the suggestion whose first line contains `text`."""
    found = [int(n) for n, line in re.findall(r"^(\d+)\. (.*)$", out, flags=re.M) if text in line]
    assert len(found) == 1, out
    return found[0]


def block_of(out: str, n: int) -> str:
    return out.split(f"\n{n}. ", 1)[1].split("\n   override: ", 1)[0]


def test_suggest_terms_proposes_a_term_that_fixes_a_miss_and_breaks_no_set(tmp_path: Path) -> None:
    feedback = write_feedback(tmp_path / "feedback.jsonl", QUANTUM, FLATS, GPU)
    result = run_cli("suggest-terms", str(feedback), "--per-case", "10")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "3 feedback example(s); today's rules (title + lead) get 2 wrong (1 missed, 1 wrongly relevant)" in out
    assert "tests/fixtures/relevance/cases.jsonl" in out and "\n1. add " in out  # the best breaks nothing
    n = number_of(out, '"양자컴퓨터" as an infrastructure term')
    block = block_of(out, n)
    assert f"fixes 1 feedback case(s): [{QUANTUM.url}]" in block and "breaks 0, fixes 0" in block
    assert "? unsupported" in out.split(f"\n{n}. ")[1].splitlines()[0]  # a new word: no labelled example has it
    # The flats are an exclusion the shipped sets support: recommended without asking.
    flats = number_of(out, '"아파트" as an application term')
    assert f"recommended (safe and supported; --pick N[,N…] to choose others): {flats};" in out

    picked = run_cli("suggest-terms", str(feedback), "--pick", f"{flats},{n}")
    assert picked.returncode == 0, picked.stderr
    assert f"picked: {flats}, {n}; measured together: fixes 2 of 2 feedback cases, breaks 0" in picked.stdout
    snippet = snippet_of(picked.stdout)
    table = tomllib.loads(snippet)["relevance"]
    assert [g["terms"] for g in table["groups"]] == [["아파트"], ["양자컴퓨터"]]

    # The loop closed: the snippet in a config, the same cases judged again, and the sets as before.
    config = tmp_path / "config.toml"
    config.write_text(snippet, encoding="utf-8")
    after = run_cli("--config", str(config), "evaluate-relevance", str(feedback))
    assert after.returncode == 0, after.stderr
    assert "(tp 2, fp 0, fn 0, tn 1)" in after.stdout and "0 of 3 still wrong" in after.stdout
    for name in ("cases.jsonl", "holdout3.jsonl", "holdout4.jsonl"):
        path = Path("tests/fixtures/relevance") / name
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        before_rep, after_rep = evaluate(rows, Detector()), evaluate(rows, Detector(table))
        assert (after_rep.tp, after_rep.fp, after_rep.fn) == (before_rep.tp, before_rep.fp, before_rep.fn)
    assert run_cli("suggest-terms", str(feedback), "--pick", "999").returncode == 2


def test_a_suggestion_that_breaks_the_labelled_sets_is_marked_and_ranked_down(tmp_path: Path) -> None:
    feedback = write_feedback(tmp_path / "feedback.jsonl", QUANTUM)
    own = tmp_path / "own.jsonl"
    rows = [  # a talk about quantum computers is not infrastructure: adding 양자컴퓨터 as infra breaks it
        {"id": "n1", "title": "광주 북구, 양자컴퓨터 원리 강연회", "label": "neg"},
        {"id": "p1", "title": "광주 AI 데이터센터 전력 공급 확정", "label": "pos"},
        {"id": "p2", "title": "광주 AI 데이터센터 냉각시설 증설", "label": "pos"},  # vouches for 냉각시설
    ]
    own.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    result = run_cli("suggest-terms", str(feedback), "--sets", str(own), "--per-case", "20", "--top", "50")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    breaking = number_of(out, '"양자컴퓨터" as an infrastructure term')
    safe = number_of(out, '"냉각시설" as an infrastructure term')
    assert safe == 1 and breaking > safe
    items = re.findall(r"^(\d+)\. (.*)$", out, flags=re.M)
    assert all(line.startswith("✗ breaks") for n, line in items if int(n) >= breaking)
    assert "broken: [n1] 광주 북구, 양자컴퓨터 원리 강연회 (neg, now judged wrong)" in block_of(out, breaking)
    assert "precision 1.000 → 0.667" in block_of(out, breaking)
    assert "the term is in 1 pos and 0 neg examples" in block_of(out, safe)
    assert "recommended (safe and supported; --pick N[,N…] to choose others): 1;" in out
    table = tomllib.loads(snippet_of(out))["relevance"]
    assert table == {"groups": [{"category": "infra", "label": "냉각시설", "terms": ["냉각시설"]}]}


def test_suggestions_keep_the_configs_own_overrides_in_the_snippet(tmp_path: Path) -> None:
    feedback = write_feedback(tmp_path / "feedback.jsonl", FLATS)
    config = tmp_path / "config.toml"
    config.write_text('[relevance]\nremove_terms = ["도시"]\nextra_terms = { "metro:광주광역시" = ["치평동"] }\n')
    own = tmp_path / "own.jsonl"
    own.write_text(json.dumps({"title": "광주 아파트 매매가 상승", "label": "neg"}, ensure_ascii=False) + "\n")
    result = run_cli("--config", str(config), "suggest-terms", str(feedback), "--sets", str(own), str(feedback))
    assert result.returncode == 0, result.stderr
    assert "measured on 1 scored examples of 1 labelled set(s)" in result.stdout  # not the feedback twice
    assert "replace that table with it" in result.stdout
    table = tomllib.loads(snippet_of(result.stdout))["relevance"]
    assert table["remove_terms"][0] == "도시" and table["extra_terms"]["metro:광주광역시"] == ["치평동"]
    assert Detector(table).classify(FLATS.title, FLATS.lead).relevant is False


@pytest.mark.parametrize(
    "change",
    [
        Change("add", "metro", '치"평\\동'),
        Change("add", "application", "분양", weight=-5.0),
        Change("remove", "ecosystem", "도시", "AI도시"),
        Change("add", "name", "광주요"),
    ],
    ids=["quoted-metro", "strong-application", "removal", "name"],
)
def test_every_change_writes_a_table_the_detector_accepts(change: Change) -> None:
    base = {"threshold": 2.5, "weights": {"ecosystem": 0.5}, "extra_terms": {"metro:광주광역시": ["치평동"]}}
    table = merge(base, [change.fragment()])
    parsed = tomllib.loads(to_toml("relevance", table))["relevance"]
    assert parsed == table
    Detector(parsed)
