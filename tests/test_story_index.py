"""The story index the caller owns (issue 11): add, expire, find and decide, each decision explained;
and the one function that turns a title and a text into a key, for the pipeline and `group` alike.

Items are written for these tests in the style of Korean regional news; see tests/test_stories.py for
the grouping rules on pairs.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.stories import (
    BAR,
    KST,
    StoryIndex,
    StoryKey,
    contradictions,
    group_decisions,
    key_from_record,
    lead_of,
    milestones,
    quotes,
    speakers,
    story_key,
)

T0 = datetime(2025, 10, 13, 10, 0, tzinfo=KST)

WIRE_TEXT = (
    "[광주=뉴시스] 박상수 기자 = 광주시는 한국전력공사의 기술 검토 결과 첨단3지구 부지에 최대 120㎿의 "
    "전력을 공급할 수 있다는 회신을 받았다고 13일 밝혔다. 시는 유치 활동을 강화한다."
)
REWRITE_TEXT = (
    "광주시는 한국전력공사의 기술 검토 결과 첨단3지구 부지에 최대 120㎿의 전력을 공급할 수 있다는 "
    "회신을 받았다고 13일 밝혔다."
)


def wire(at: datetime = T0) -> StoryKey:
    return story_key("wire", "[광주=뉴시스] 광주시, 국가AI컴퓨팅센터 전력 120㎿ 확보…유치 청신호", WIRE_TEXT, at)


def rewrite(at: datetime = T0 + timedelta(hours=2), outlet: str = "지역일보") -> StoryKey:
    title = "【광주】 광주시, 국가AI컴퓨팅센터 전력 120㎿ 확보…유치 ‘청신호’"
    return story_key("rewrite", title, REWRITE_TEXT, at, outlet=outlet)


def more_power() -> StoryKey:
    return story_key(
        "more",
        "광주시, 국가AI컴퓨팅센터 전력 60㎿ 추가 확보",
        "광주시는 한국전력공사와 협의해 첨단3지구 부지에 60㎿의 전력을 추가로 확보했다고 15일 밝혔다.",
        T0 + timedelta(days=2),
    )


def signatures() -> StoryKey:
    return story_key(
        "signatures",
        "광주시, 국가AI컴퓨팅센터 유치 서명운동 10만명 돌파",
        "광주시가 국가AI컴퓨팅센터 유치를 위해 벌인 범시민 서명운동 참여자가 10만명을 넘어섰다고 14일 밝혔다.",
        T0 + timedelta(days=1),
    )


def index_of(*stories: tuple[str, StoryKey]) -> StoryIndex:
    index = StoryIndex(72.0)
    for story_id, key in stories:
        index.add(story_id, key)
    return index


def test_find_returns_the_story_with_its_score_and_evidence() -> None:
    index = index_of(("s-sig", signatures()), ("s-wire", wire()), ("s-more", more_power()))
    match = index.find(rewrite())
    assert match is not None
    assert match.story_id == "s-wire"
    assert BAR <= match.score <= 1.0
    assert match.evidence.merges and match.evidence.story_id == "s-wire"
    assert "figure 120mw" in match.evidence.shared
    assert any(item.startswith("words ") and "첨단3지구" in item for item in match.evidence.shared)
    assert match.evidence.contradicts == ()


def test_find_does_not_change_the_index() -> None:
    index = index_of(("s-wire", wire()))
    assert len(index) == 1
    index.find(rewrite())
    index.decide(more_power())
    assert len(index) == 1
    assert [k.title for k in index.keys("s-wire")] == [wire().title]


def test_a_refusal_says_what_contradicted() -> None:
    index = index_of(("s-wire", wire()))
    decision = index.decide(more_power())
    assert decision.match is None
    [refused] = decision.refused
    assert refused.story_id == "s-wire"
    assert any(c.startswith("figure: 60mw vs 120mw") for c in refused.contradicts)
    assert "new story | refused story s-wire" in decision.log_line()
    assert "contradicts: figure: 60mw vs 120mw" in decision.log_line()
    record = json.loads(json.dumps(decision.as_dict(), ensure_ascii=False))
    assert record["story"] is None
    assert record["refused"][0]["merges"] is False


def test_a_merge_is_logged_with_what_was_shared() -> None:
    decision = index_of(("s-wire", wire())).decide(rewrite())
    assert decision.match is not None
    line = decision.log_line()
    assert line.startswith("joins story s-wire ")
    assert "figure 120mw" in line
    assert decision.as_dict()["evidence"]["merges"] is True


def test_a_story_is_found_through_any_of_its_keys() -> None:
    """A third outlet may rewrite the second copy's headline rather than the first's."""
    first = story_key("a", "광주 AI 집적단지 2단계 사업 본격 착수", "", T0)
    second = story_key("b", "AX 실증밸리 6000억 투입…광주 AI 2단계 첫발", "", T0 + timedelta(hours=3))
    third = story_key("c", "광주 AX 실증밸리 6000억 투입 첫발", "", T0 + timedelta(hours=5))
    index = index_of(("s-a", signatures()), ("s-1", first))
    assert index.find(third) is None
    index.add("s-1", second)
    match = index.find(third)
    assert match is not None and match.story_id == "s-1"
    assert [k.id for k in index.keys("s-1")] == ["s-1", "s-1"]


def test_a_story_one_of_whose_keys_contradicts_is_refused() -> None:
    results = story_key("results", "광주 AI 바우처 지원 기업 120곳 선정", "", T0)
    plain = story_key("plain", "광주 AI 바우처 지원 기업 120곳 뽑아", "", T0)
    call = story_key("call", "광주 AI 바우처 지원 기업 120곳 모집", "", T0)
    assert index_of(("s-1", plain)).find(call) is not None
    decision = index_of(("s-1", results), ("s-1", plain)).decide(call)
    assert decision.match is None
    assert any("milestone: call vs passed" in c for e in decision.refused for c in e.contradicts)


def test_expire_forgets_stories_that_entered_before_the_cut() -> None:
    index = StoryIndex(72.0)
    index.add("s-wire", wire(), at=T0.timestamp())
    index.add("s-sig", signatures(), at=(T0 + timedelta(days=1)).timestamp())
    assert index.expire((T0 + timedelta(hours=1)).timestamp()) == 1
    assert len(index) == 1
    assert index.find(rewrite()) is None
    assert index.keys("s-wire") == []
    assert index.expire((T0 + timedelta(hours=1)).timestamp()) == 0


def test_remove_story_and_add_again() -> None:
    index = index_of(("s-wire", wire()))
    index.remove_story("s-wire")
    assert len(index) == 0 and index.find(rewrite()) is None
    index.add("s-other", wire())
    match = index.find(rewrite())
    assert match is not None and match.story_id == "s-other"


def test_the_index_honours_its_window() -> None:
    index = index_of(("s-wire", wire()))
    late = rewrite(at=T0 + timedelta(days=4))
    assert index.find(late) is None
    wide = StoryIndex(24 * 5)
    wide.add("s-wire", wire())
    assert wide.find(late) is not None


def test_the_same_outlet_needs_near_identical_copy() -> None:
    """An outlet rarely carries two copies of one event: a second item of its own with the same topic
    but another lead is a later article, not a copy."""
    first = story_key(
        "first",
        "광주시 ‘국가 AI컴퓨팅센터’ 유치위원회 출범",
        "광주광역시가 국가 AI컴퓨팅센터 유치위원회를 출범하고, 본격적인 유치전에 뛰어들었다.",
        None,
        outlet="국민일보",
    )
    later = story_key(
        "later",
        "광주 ‘국가AI컴퓨팅센터 유치위원회’ 출범…유치 사활",
        "‘인공지능(AI) 중심도시’ 를 표방하는 광주광역시가 국가AI컴퓨팅센터 유치에 사활을 건다.",
        None,
        outlet="국민일보",
    )
    other_outlet = story_key("other", later.title, later.lead, None, outlet="아시아경제")
    background = [("s-sig", signatures()), ("s-more", more_power())]
    assert index_of(*background, ("s-first", first)).find(later) is None
    same = index_of(*background, ("s-first", first)).decide(later)
    assert same.refused and same.refused[0].signals["same_outlet"] == 1.0
    assert index_of(*background, ("s-first", first)).find(other_outlet) is not None


def test_story_key_takes_the_lead_with_lead_of() -> None:
    key = story_key("k", "  제목  ", WIRE_TEXT, T0, url="https://e.com/1", outlet="뉴시스")
    assert key.title == "제목"
    assert key.lead == lead_of(WIRE_TEXT)
    assert key.lead.endswith("13일 밝혔다.")
    assert "시는 유치 활동을" not in key.lead
    assert (key.url, key.outlet) == ("https://e.com/1", "뉴시스")


def test_lead_of() -> None:
    assert lead_of("") == ""
    assert lead_of("한 문장뿐") == "한 문장뿐"
    assert lead_of("첫 문장이다. 둘째 문장이다.") == "첫 문장이다."
    assert len(lead_of("가" * 1000)) == 400


def test_group_builds_keys_as_the_pipeline_does() -> None:
    """`group` lines carry the text (article body or lead); the key is made by the same story_key."""
    record: dict[str, Any] = {
        "id": 7,
        "title": "광주시, 국가AI컴퓨팅센터 전력 120㎿ 확보",
        "text": WIRE_TEXT,
        "published_at": "2025-10-13T10:00:00+09:00",
        "outlet": "뉴시스",
        "url": "https://e.com/7",
    }
    key = key_from_record(record, "7")
    assert key == story_key("7", record["title"], WIRE_TEXT, T0, url="https://e.com/7", outlet="뉴시스")
    labels = group_decisions([record, {**record, "id": 8, "outlet": "지역일보", "url": "https://e.com/8"}])
    assert [label for label, _ in labels] == ["s-7", "s-7"]
    assert labels[1][1].match is not None and labels[0][1].match is None


@pytest.mark.parametrize(
    ("title", "lead", "expected"),
    [
        pytest.param("우상호 “이 대통령, 광주 불발 안타까워”", "", {"우상호"}, id="name-before-a-quotation"),
        pytest.param("“이재명 대통령 광주와 약속 꼭 지킨다”", "", set(), id="a-name-inside-a-quotation-is-said"),
        pytest.param("강기정 시장, AI 중심도시 선언", "", {"강기정"}, id="name-with-a-role"),
        pytest.param(
            "지스트, 전력 소모 90% 줄인 AI 칩 개발", "지스트 연구팀은 …", set(), id="an-institute-is-no-person"
        ),
        pytest.param(
            "이재명, 광주 약속 재확인", "이재명 대통령은 …", {"이재명"}, id="name-with-comma-confirmed-by-lead"
        ),
        pytest.param("이재명, 광주 약속 재확인", "", set(), id="name-with-comma-unconfirmed"),
    ],
)
def test_speakers(title: str, lead: str, expected: set[str]) -> None:
    assert speakers(title, lead) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("데이터센터 1월 중 착공", set(), id="a-month-with-중-is-a-plan"),
        pytest.param("광주시가 이달 중 데이터센터를 착공한다.", set(), id="착공한다-is-a-plan"),
        pytest.param("광주 데이터센터 착공", {"groundbreaking"}, id="reached"),
        pytest.param("AI영재고 2027년 개교", set(), id="a-year-is-a-plan"),
        pytest.param("GIST 총장 선임 절차 착수", {"started"}, id="procedure-started-not-appointed"),
    ],
)
def test_milestones_reached_not_planned(text: str, expected: set[str]) -> None:
    assert milestones(text) == expected


def test_single_quotes_are_names_not_quotations() -> None:
    assert quotes("광주 ‘국가AI컴퓨팅센터 유치위원회’ 출범") == ()
    assert len(quotes("강기정 “AI 산업 중심은 광주” 재확인")) == 1


def test_announcement_against_the_report_it_was_held() -> None:
    notice = story_key("n", "광주 AI 포럼 15일 개최", "광주시는 15일 AI 포럼을 개최한다고 밝혔다.", T0)
    held = story_key("h", "광주 AI 포럼 개최", "광주시는 15일 AI 포럼을 개최했다고 밝혔다.", T0 + timedelta(days=2))
    found = contradictions(notice, held)
    assert "announced vs held" in found
    assert any(c.startswith("announced for 2025-10-15") for c in found)


def test_an_editorial_is_not_the_news_nor_another_paper_s_editorial() -> None:
    news = story_key("a", "광주 AX 실증밸리 예타 면제 확정", "", T0)
    editorial = story_key("b", "[사설] 광주 AX 실증밸리 예타 면제 확정, 이제부터다", "", T0, outlet="광주일보")
    other = story_key("c", "[사설] AX 실증밸리 예타 면제 확정의 의미", "", T0, outlet="무등일보")
    assert "opinion vs news" in contradictions(editorial, news)
    assert "opinion pieces of two outlets" in contradictions(editorial, other)


def test_the_closest_copy_merging_is_not_enough_when_another_copy_contradicts() -> None:
    results = story_key("results", "광주 AI 바우처 지원 기업 120곳 최종 선정", "", T0)
    plain = story_key("plain", "광주 AI 바우처 지원 기업 120곳", "", T0)
    call = story_key("call", "광주 AI 바우처 지원 기업 120곳 모집", "", T0)
    decision = index_of(("s-1", results), ("s-1", plain)).decide(call)
    assert decision.match is None
    [refused] = decision.refused
    assert refused.story_id == "s-1" and refused.score >= BAR
    assert refused.contradicts == (
        "another copy (광주 AI 바우처 지원 기업 120곳 최종 선정) — milestone: call vs passed",
    )


def test_an_index_built_from_stored_records() -> None:
    """The pipeline's path: the index is built from state.store.StoryRecord objects at the start of a
    cycle, each story with its first copy's lead and its later copies' headlines."""
    from bot.stories import build_index, story_keys
    from state.records import StoryRecord

    now = (T0 + timedelta(hours=6)).timestamp()
    first = wire()
    record = StoryRecord(
        id="s-wire",
        title=first.title,
        url="https://newsis.com/1",
        outlet="뉴시스",
        published_at=T0.timestamp(),
        first_seen=T0.timestamp(),
        lead=first.lead,
        also=[["지역일보", "https://local.kr/2", "국가AI컴퓨팅센터 120㎿ 전력 확보한 광주, 유치전 청신호"]],
    )
    old = StoryRecord(
        id="s-old",
        title=signatures().title,
        url="https://kwangju.co.kr/3",
        outlet="광주일보",
        published_at=None,
        first_seen=now - 5 * 86400,
    )
    keys = story_keys(record)
    assert [k.title for k in keys] == [first.title, record.also[0][2]]
    assert keys[0].lead == first.lead and keys[1].lead == ""
    assert keys[1].outlet == "지역일보" and keys[1].published_at == keys[0].published_at
    index = build_index([record, old], 72.0, now)
    assert len(index) == 2 and index.keys("s-old") == []
    match = index.find(rewrite())
    assert match is not None and match.story_id == "s-wire"
