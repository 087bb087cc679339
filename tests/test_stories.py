"""Story grouping: copies of one event across outlets are one story; different events never merge.

The items below are written for these tests in the style of Korean regional news (wire copy with a
dateline, a paper's rewrite of the same press release, a follow-up with a different figure).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.stories import KST, StoryKey, evaluate, figures, find_story, group, main, normalise
from tests.conftest import SHARED, run_cli

STORIES_DEV = SHARED / "corpus" / "stories-dev.jsonl"
OWN_CASES = Path(__file__).parent / "fixtures" / "stories" / "cases.jsonl"
HOLDOUT = Path(__file__).parent / "fixtures" / "stories" / "holdout.jsonl"
HOLDOUT2 = Path(__file__).parent / "fixtures" / "stories" / "holdout2.jsonl"

T0 = datetime(2025, 10, 13, 10, 0, tzinfo=KST)

# One event: KEPCO confirms 120 MW for the computing-center site. Three outlets, three prefixes.
POWER_WIRE = {
    "id": "wire",
    "outlet": "뉴시스",
    "published_at": "2025-10-13T10:00:00+09:00",
    "title": "[광주=뉴시스] 광주시, 국가AI컴퓨팅센터 전력 120㎿ 확보…유치 청신호",
    "text": "[광주=뉴시스] 박상수 기자 = 광주시는 한국전력공사의 기술 검토 결과 첨단3지구 부지에 "
    "최대 120㎿의 전력을 공급할 수 있다는 회신을 받았다고 13일 밝혔다. 시는 유치 활동을 강화한다.",
}
POWER_REPUBLISHED = {
    "id": "repub",
    "outlet": "지역일보",
    "published_at": "2025-10-13T11:30:00+09:00",
    "title": "【광주】 광주시, 국가AI컴퓨팅센터 전력 120㎿ 확보…유치 ‘청신호’",
    "text": "광주시는 한국전력공사의 기술 검토 결과 첨단3지구 부지에 최대 120㎿의 전력을 공급할 수 있다는 "
    "회신을 받았다고 13일 밝혔다.",
}
POWER_YONHAP = {
    "id": "yonhap",
    "outlet": "연합뉴스",
    "published_at": "2025-10-13T15:00:00+09:00",
    "title": "(광주=연합뉴스) 국가AI컴퓨팅센터 광주 유치전 청신호…한전 “최대 120MW 공급 가능”",
    "text": "(광주=연합뉴스) 김민지 기자 = 한국전력공사가 광주 첨단3지구에 최대 120MW의 전력을 "
    "공급할 수 있다는 기술 검토 결과를 광주시에 회신했다.",
}
# Same project, different events within the window.
SIGNATURES = {
    "id": "signatures",
    "outlet": "광주일보",
    "published_at": "2025-10-14T09:00:00+09:00",
    "title": "광주시, 국가AI컴퓨팅센터 유치 서명운동 10만명 돌파",
    "text": "광주시가 국가AI컴퓨팅센터 유치를 위해 벌인 범시민 서명운동 참여자가 10만명을 넘어섰다고 14일 밝혔다.",
}
MORE_POWER = {
    "id": "more-power",
    "outlet": "광남일보",
    "published_at": "2025-10-15T10:00:00+09:00",
    "title": "광주시, 국가AI컴퓨팅센터 전력 60㎿ 추가 확보",
    "text": "광주시는 한국전력공사와 협의해 첨단3지구 부지에 60㎿의 전력을 추가로 확보했다고 15일 밝혔다.",
}
CONFIRMED = {
    "id": "confirmed",
    "published_at": "2025-08-22T10:00:00+09:00",
    "title": "광주 AI 2단계 사업 예타 면제 최종 확정",
    "text": "광주시의 인공지능 2단계 사업이 과학기술정보통신부 국가연구개발사업 평가위원회에서 "
    "예비타당성조사 면제가 최종 확정됐다.",
}
WELCOMED = {
    "id": "welcomed",
    "published_at": "2025-08-24T10:00:00+09:00",
    "title": '광주 시민단체 "AI 2단계 사업 예타 면제 환영"',
    "text": "광주 시민사회단체총연합회는 24일 성명을 내고 인공지능 2단계 사업의 예비타당성조사 면제 확정을 "
    "환영한다고 밝혔다.",
}
PHASE_ONE = {
    "id": "phase-one",
    "published_at": "2025-08-23T10:00:00+09:00",
    "title": "광주 AI 1단계 사업 예타 면제 최종 확정",
    "text": "광주시의 인공지능 1단계 사업이 예비타당성조사 면제가 최종 확정됐다.",
}


def at(record: dict[str, Any], when: str | None) -> dict[str, Any]:
    return {**record, "id": f"{record['id']}@{when}", "published_at": when}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param(POWER_WIRE, POWER_REPUBLISHED, id="wire-copy-republished-with-other-prefix"),
        pytest.param(POWER_WIRE, POWER_YONHAP, id="same-press-release-rewritten-by-another-agency"),
        pytest.param(POWER_REPUBLISHED, POWER_YONHAP, id="two-rewrites"),
        pytest.param({**POWER_WIRE, "text": None}, {**POWER_REPUBLISHED, "text": None}, id="titles-only"),
        pytest.param(at(POWER_WIRE, None), at(POWER_REPUBLISHED, None), id="times-unknown"),
    ],
)
def test_copies_of_one_event_are_one_story(first: dict[str, Any], second: dict[str, Any]) -> None:
    assert group([first, second]) == [f"s-{first['id']}"] * 2


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param(POWER_WIRE, SIGNATURES, id="same-project-other-milestone"),
        pytest.param(POWER_WIRE, MORE_POWER, id="same-project-different-figure"),
        pytest.param(CONFIRMED, WELCOMED, id="decision-vs-reaction-to-it"),
        pytest.param(CONFIRMED, PHASE_ONE, id="phase-1-vs-phase-2"),
        pytest.param(
            {**POWER_WIRE, "title": "CES 2025 광주공동관 개관", "text": None},
            {**POWER_REPUBLISHED, "title": "CES 2026 광주공동관 개관", "text": None},
            id="same-fair-different-year",
        ),
    ],
)
def test_different_events_on_one_topic_stay_apart(first: dict[str, Any], second: dict[str, Any]) -> None:
    assert group([first, second]) == [f"s-{first['id']}", f"s-{second['id']}"]


# Other news of the same weeks on the same subject: the words every item carries weigh little among them.
BACKGROUND = [
    {"id": f"bg{i}", "title": title, "published_at": f"2025-11-{day:02d}T09:00:00+09:00"}
    for i, (day, title) in enumerate(
        [
            (3, "광주시, AI 실증도시 조성 본격 추진"),
            (4, "광주 국가AI컴퓨팅센터 유치 총력"),
            (4, "광주시의회 행정사무감사…AI산업 점검"),
            (5, "광주 AI기업 해외 박람회 참가 지원"),
            (5, "전남 AI 데이터센터 유치전 가열"),
            (6, "광주시, AI 인재 양성 협약"),
        ]
    )
]


def _day(when: str | None) -> str | None:
    return None if when is None else f"2025-11-{when}"


def pair(
    title_a: str,
    title_b: str,
    *,
    when_a: str | None = "05",
    when_b: str | None = "05",
    lead_a: str | None = None,
    lead_b: str | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two items on one day of November 2025 ("05"), or undated (None)."""
    return (
        {"id": "a", "title": title_a, "text": lead_a, "published_at": _day(when_a)},
        {"id": "b", "title": title_b, "text": lead_b, "published_at": _day(when_b)},
    )


def together(items: tuple[dict[str, Any], dict[str, Any]]) -> bool:
    labels = group([*BACKGROUND, *items])
    return labels[-1] == labels[-2]


@pytest.mark.parametrize(
    "items",
    [
        pytest.param(
            pair("광주시의회 인공지능 특별위원회 첫 회의", "광주시의회 AI특위 첫 회의 열어"),
            id="full-and-short-committee-name",
        ),
        pytest.param(
            pair(
                "광주광역시, 국가 AI 컴퓨팅센터 부지로 첨단3지구 확정",
                "광주시 국가AI컴퓨팅센터 부지 첨단3지구로 최종 확정",
            ),
            id="city-name-and-spacing",
        ),
        pytest.param(pair("광주 AI영재학교 신입생 모집", "광주AI영재고, 첫 신입생 모집 나서"), id="school-short-form"),
        pytest.param(
            pair("광주 AI반도체 실증센터 예비타당성조사 면제", "AI반도체 실증센터 예타 면제…광주 숨통", when_b=None),
            id="feasibility-study-short-form-undated",
        ),
        pytest.param(
            pair("尹대통령, 광주 인공지능 기업인과 간담회", "윤 대통령, 광주서 AI 기업인 간담회"), id="hanja-initial"
        ),
        pytest.param(
            pair("광주 AI 창업기업 1천500곳 돌파", "광주 인공지능 스타트업 1,500개사 넘었다"),
            id="korean-thousands-and-counters",
        ),
        pytest.param(
            pair(
                "광주시, AI데이터센터 전용 변전소 착공…2028년 준공 목표", "AI데이터센터 전용 변전소 첫 삽", when_b="06"
            ),
            id="a-planned-completion-is-not-a-milestone-reached",
        ),
    ],
)
def test_rewrites_with_short_forms_and_spacing_are_one_story(items: tuple[dict[str, Any], dict[str, Any]]) -> None:
    assert together(items)


@pytest.mark.parametrize(
    "items",
    [
        pytest.param(
            pair("광주 AI반도체 실증센터 예타 신청", "광주 AI반도체 실증센터 예타 통과", when_a=None),
            id="applied-vs-passed",
        ),
        pytest.param(
            pair("광주 AI 창업박람회 개막", "광주 AI 창업박람회 폐막…3천명 방문", when_b="07"),
            id="fair-opens-vs-closes",
        ),
        pytest.param(
            pair("광주 AI 창업기업 1천500곳 돌파", "광주 AI 창업기업 투자유치 1조 돌파"),
            id="two-figures-in-different-units",
        ),
        pytest.param(
            pair("광주 AI반도체 실증센터 예타 면제 확정", '시민단체 "AI반도체 실증센터 예타 면제 환영"'),
            id="decision-vs-welcome",
        ),
        pytest.param(
            pair("광주시-네이버, AI 실증 협약", "광주시-카카오, AI 실증 협약", when_b="06"),
            id="same-kind-of-agreement-other-partner",
        ),
        pytest.param(
            pair(
                "광주, 국가AI컴퓨팅센터 유치 추진",
                "광주시, 국가AI컴퓨팅센터 유치 서명운동 돌입",
                when_a=None,
                when_b=None,
            ),
            id="a-headline-of-topic-words-only-joins-nothing",
        ),
        pytest.param(pair("광주 'AI 교육 특구' 지정", "대구 'AI 교육 특구' 지정"), id="same-news-other-city"),
        pytest.param(
            pair("광주시의회 산업건설위, AI 조례 가결", "광주시의회 산업건설위, AI 예산 삭감"),
            id="same-council-committee-other-agenda-item",
        ),
    ],
)
def test_other_events_on_the_same_subject_stay_apart(items: tuple[dict[str, Any], dict[str, Any]]) -> None:
    assert not together(items)


PRESS_RELEASE_LEAD_A = (
    "[광주=뉴시스] 김하늘 기자 = 광주시는 한국전력공사와 함께 첨단3지구 국가AI컴퓨팅센터 부지에 "
    "154㎸ 전용 변전소를 짓기로 합의했다고 18일 밝혔다."
)
PRESS_RELEASE_LEAD_B = (
    "광주시와 한국전력공사가 첨단3지구 국가AI컴퓨팅센터 부지에 154㎸ 전용 변전소를 건설하기로 합의했다."
)


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        pytest.param(
            pair(
                "국가AI컴퓨팅센터 전력 걱정 덜었다",
                "광주시·한전, 전용 변전소 짓는다",
                lead_a=PRESS_RELEASE_LEAD_A,
                lead_b=PRESS_RELEASE_LEAD_B,
            ),
            True,
            id="unlike-headlines-over-one-press-release",
        ),
        pytest.param(
            pair("국가AI컴퓨팅센터 전력 걱정 덜었다", "광주시·한전, 전용 변전소 짓는다"),
            False,
            id="the-same-headlines-without-their-leads",
        ),
        pytest.param(
            pair(
                "광주시-한전, AI센터 전용 변전소 합의",
                "광주시·한전, AI센터 전용 변전소 짓는다",
                lead_a=PRESS_RELEASE_LEAD_A,
            ),
            True,
            id="a-lead-on-one-side-only-costs-nothing",
        ),
        pytest.param(
            pair(
                "광주시-한전, AI센터 전용 변전소 합의",
                "광주시-한전, AI센터 전용 변전소 합의",
                lead_a=PRESS_RELEASE_LEAD_A,
                lead_b="광주시와 한국전력공사가 첨단3지구 부지에 345㎸ 변전소를 짓기로 합의했다.",
            ),
            False,
            id="leads-with-a-different-amount",
        ),
    ],
)
def test_leads(items: tuple[dict[str, Any], dict[str, Any]], expected: bool) -> None:
    assert together(items) is expected


def test_a_story_does_not_take_an_item_one_of_its_copies_rules_out() -> None:
    """The results headline that names no milestone is like both the results and the call for applicants;
    the call must not join the results' story through it."""
    results = {"id": "results", "title": "광주 AI 바우처 지원 기업 120곳 선정", "published_at": "2025-11-05"}
    plain = {"id": "plain", "title": "광주 AI 바우처 지원 기업 120곳 뽑아", "published_at": "2025-11-05"}
    call = {"id": "call", "title": "광주 AI 바우처 지원 기업 120곳 모집", "published_at": None}
    labels = group([*BACKGROUND, results, plain, call])
    assert labels[-3:] == ["s-results", "s-results", "s-call"]
    history = [key(record) for record in BACKGROUND]
    assert find_story(key(call), [*history, key(plain, "story-1")]) == "story-1"
    assert find_story(key(call), [*history, key(results, "story-1"), key(plain, "story-1")]) is None


def test_find_story_uses_the_leads_it_is_given() -> None:
    """The daemon's path: one stored key per story, with the lead of its first copy."""
    first, second = pair(
        "국가AI컴퓨팅센터 전력 걱정 덜었다",
        "광주시·한전, 전용 변전소 짓는다",
        lead_a=PRESS_RELEASE_LEAD_A,
        lead_b=PRESS_RELEASE_LEAD_B,
    )
    existing = [key(record, f"story-{record['id']}") for record in [*BACKGROUND, first]]
    assert find_story(key(second), existing) == "story-a"
    assert find_story(key({**second, "text": None}), existing) is None


def test_a_mixed_batch_keeps_order_and_labels_each_story_by_its_first_copy() -> None:
    batch = [POWER_WIRE, SIGNATURES, POWER_REPUBLISHED, MORE_POWER, POWER_YONHAP, CONFIRMED, WELCOMED]
    assert group(batch) == ["s-wire", "s-signatures", "s-wire", "s-more-power", "s-wire", "s-confirmed", "s-welcomed"]


@pytest.mark.parametrize(
    ("hours_later", "window_hours", "together"),
    [
        pytest.param(71, 72.0, True, id="inside-default-window"),
        pytest.param(73, 72.0, False, id="just-outside-default-window"),
        pytest.param(24 * 7, 72.0, False, id="a-week-later"),
        pytest.param(24 * 7, 24 * 8, True, id="a-week-later-with-wider-window"),
        pytest.param(25, 24, False, id="narrow-window"),
    ],
)
def test_the_time_window_is_respected(hours_later: float, window_hours: float, together: bool) -> None:
    later = (T0 + timedelta(hours=hours_later)).isoformat()
    labels = group([at(POWER_WIRE, T0.isoformat()), at(POWER_REPUBLISHED, later)], window_hours)
    assert (labels[0] == labels[1]) is together


def test_naive_and_date_only_times_are_read_as_kst() -> None:
    # 2025-10-13 00:00 KST is 2025-10-12 15:00 UTC: 71 h before 10-15 14:00 UTC, 80 h before 23:00 UTC.
    near = group([at(POWER_WIRE, "2025-10-13"), at(POWER_REPUBLISHED, "2025-10-15T14:00:00+00:00")])
    far = group([at(POWER_WIRE, "2025-10-13"), at(POWER_REPUBLISHED, "2025-10-15T23:00:00+00:00")])
    assert near[0] == near[1]
    assert far[0] != far[1]


def key(record: dict[str, Any], story_id: str | None = None) -> StoryKey:
    when = record.get("published_at")
    lead = (record.get("text") or "").split(". ")[0]
    return StoryKey(
        story_id or record["id"],
        record["title"],
        lead,
        datetime.fromisoformat(when) if when else None,
        outlet=record.get("outlet", ""),
    )


def test_find_story_names_the_story_a_new_copy_belongs_to() -> None:
    existing = [key(SIGNATURES), key(POWER_WIRE, "story-7"), key(MORE_POWER), key(CONFIRMED)]
    assert find_story(key(POWER_YONHAP), existing) == "story-7"
    assert find_story(key(WELCOMED), existing) is None
    assert find_story(key(POWER_YONHAP), []) is None


def test_find_story_follows_a_history_that_changes_between_calls() -> None:
    history = [key(SIGNATURES), key(MORE_POWER)]
    assert find_story(key(POWER_YONHAP), history) is None
    history.append(key(POWER_WIRE, "story-9"))  # appended in place, as the daemon does
    assert find_story(key(POWER_YONHAP), history) == "story-9"
    assert find_story(key(POWER_YONHAP), history[1:]) == "story-9"  # the oldest expired
    assert find_story(key(POWER_YONHAP), [key(SIGNATURES)]) is None


def test_find_story_honours_its_window() -> None:
    existing = [key(POWER_WIRE, "story-1")]
    week_later = StoryKey("n", POWER_YONHAP["title"], "", T0 + timedelta(days=7))
    assert find_story(week_later, existing) is None
    assert find_story(week_later, existing, window_hours=24 * 8) == "story-1"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("[광주=뉴시스] 광주시, 1,946개 GPU 확보!", "광주 1946개 gpu 확보", id="dateline-thousands-punct"),
        pytest.param("【광주】 ‘인공지능’ 집적단지", "ai 집적단지", id="fullwidth-brackets-and-equivalent"),
        pytest.param("(광주=연합뉴스) 최대 120㎿", "최대 120mw", id="agency-dateline-and-unit-sign"),
        pytest.param("[광주=뉴시스] 박상수 기자 = 광주시는 (abc@newsis.com)", "광주", id="byline-and-email"),
        pytest.param(
            "광주광역시의회 인공지능 실증도시 특별위원회",
            "광주의회 ai 실증도시 특위",
            id="city-name-and-committee-short-forms",
        ),
        pytest.param("尹대통령, 예비타당성조사 면제 검토", "윤대통령 예타 면제 검토", id="hanja-initial-and-예타"),
        pytest.param("광주과학기술원·지스트·GIST", "gist gist gist", id="one-institute-three-names"),
        pytest.param("구직자 1천500명, 3천억 투입", "구직자 1500명 3000억 투입", id="korean-thousands"),
        pytest.param("광주시가 센터를 광주서 연다", "광주 센터 광주 연다", id="particles-dropped"),
        pytest.param("AI로 GPU를 CES 2026서", "ai gpu ces 2026", id="particles-after-latin-and-digits"),
        pytest.param("AX 실증밸리~AI영재고 첫 삽", "ax 실증밸리 ai영재고 착공", id="tilde-and-headline-idiom"),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("최대 120㎿ 확보", {("120", "mw")}, id="unit-sign"),
        pytest.param("6,000억원 투입", {("6000", "억")}, id="money"),
        pytest.param("총 6000억 규모", {("6000", "억")}, id="money-without-won"),
        pytest.param("88.5PF·92.3%", {("88.5", "pf"), ("92.3", "%")}, id="decimals"),
        pytest.param("CES 2026서 개관", {("2026", "")}, id="bare-year-with-particle"),
        pytest.param("13일 17:15 2025.02.05 첨단3지구", set(), id="days-times-dates-and-names-are-not-figures"),
        pytest.param("AI 2단계", {("2", "단계")}, id="phase"),
        pytest.param("내년 AI 예산 3천억 확보", {("3000", "억")}, id="korean-thousands-money"),
        pytest.param("기업 50곳·50개사·50개", {("50", "개")}, id="firms-counted-alike"),
        pytest.param("GPU 1,000장 추가", {("1000", "장")}, id="gpu-count"),
        pytest.param("변전소 착공…2027년 준공", {("2027", "년")}, id="figure-after-an-ellipsis"),
        pytest.param("제5회 광주 AI 페스티벌", {("5", "회")}, id="edition"),
    ],
)
def test_figures(text: str, expected: set[tuple[str, str]]) -> None:
    assert figures(text) == expected


def test_evaluate_counts_pairs() -> None:
    records = [
        {**POWER_WIRE, "event": "power"},
        {**POWER_REPUBLISHED, "event": "power"},
        {**POWER_YONHAP, "event": "power"},
        {**SIGNATURES, "event": "signatures"},
        {**MORE_POWER, "event": "more"},
        {**CONFIRMED, "event": "phase2"},
        {**WELCOMED, "event": "phase2"},  # gold says one event; the grouping keeps them apart
    ]
    report = evaluate(records)
    assert (report.gold_pairs, report.predicted_pairs, report.true_pairs) == (4, 3, 3)
    assert report.precision == 1.0
    assert report.recall == 0.75
    assert report.missed == (("confirmed", "welcomed"),)
    assert "pairwise precision: 1.000  recall: 0.750" in report.format()


@pytest.fixture(scope="module")
def stories_dev() -> list[dict[str, Any]]:
    if not STORIES_DEV.is_file():
        pytest.skip("../shared/corpus/stories-dev.jsonl is not present")
    with STORIES_DEV.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def test_dev_set_floor(stories_dev: list[dict[str, Any]]) -> None:
    """Real headlines grouped by event: merges must be right (≥ 0.97) and some must happen."""
    report = evaluate(stories_dev)
    assert report.precision >= 0.97, report.format()
    assert report.recall >= 0.40, report.format()


def test_own_set_floor() -> None:
    """Our own labelled headlines (tests/fixtures/stories/cases.jsonl): rewrites across outlets, and hard
    negatives such as the same project's next milestone, another event the same day, the same council
    on another agenda item. Written before the grouping was tuned on them."""
    with OWN_CASES.open(encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    assert len(records) >= 60
    report = evaluate(records)
    assert report.precision >= 0.97, report.format()
    assert report.recall >= 0.82, report.format()


@pytest.mark.parametrize(
    ("path", "recall_floor"),
    [
        # Written after the first tuning round; first measured at precision 0.500, recall 0.556, which led
        # to the place and story-consistency rules.
        pytest.param(HOLDOUT, 0.65, id="holdout"),
        # Written after all other tuning; first measured at precision 0.818, recall 0.529: one council
        # committee's budget increase merged with its vote the next day, which led to 증액 as a milestone.
        pytest.param(HOLDOUT2, 0.50, id="holdout2"),
    ],
)
def test_held_out_set_floor(path: Path, recall_floor: float) -> None:
    """Our later labelled sets (tests/fixtures/stories/holdout*.jsonl), each written without looking at
    how the grouping would score it."""
    with path.open(encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    report = evaluate(records)
    assert report.precision >= 0.97, report.format()
    assert report.recall >= recall_floor, report.format()


def test_dev_set_report_from_the_command_line(
    stories_dev: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(STORIES_DEV)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"records: {len(stories_dev)}")
    assert "pairwise precision: " in out


@pytest.mark.slow
def test_group_subcommand(tmp_path: Path) -> None:
    lines = [POWER_WIRE, SIGNATURES, {**POWER_REPUBLISHED, "id": 7}, {"id": "bare", "title": "광주 AI"}]
    stdin = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines)
    result = run_cli("group", stdin=stdin, cwd=tmp_path)  # no config.toml there: built-in defaults
    assert result.returncode == 0, result.stderr
    assert result.json_lines() == [
        {"id": "wire", "story": "s-wire"},
        {"id": "signatures", "story": "s-signatures"},
        {"id": 7, "story": "s-wire"},
        {"id": "bare", "story": "s-bare"},
    ]
