"""Storylines: a new story continues the thread of the stories it shares a project, an institution or a
person with, as a reply to the thread's latest post; it never joins a thread by wording alone, nor one
about another project of the same kind. Items written for these tests in the style of Korean news."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.stories import KST, StoryKey, story_key
from bot.storylines import Posted, StorylineDecision, assign, entity_words, project_conflicts, recent

DAY = 86400.0
T0 = datetime(2025, 10, 1, 9, 0, tzinfo=KST)


def key(story_id: str, title: str, lead: str, days: float) -> StoryKey:
    return story_key(story_id, title, lead, T0 + timedelta(days=days))


def posted(story_id: str, storyline: str, title: str, lead: str, days: float, topics: tuple[str, ...]) -> Posted:
    return Posted(
        story_id, storyline, key(story_id, title, lead, days), topics, (T0 + timedelta(days=days)).timestamp()
    )


HISTORY = [
    posted(
        "s1",
        "bid",
        "광주시 ‘국가 AI컴퓨팅센터’ 유치위원회 출범",
        "광주광역시가 국가AI컴퓨팅센터 유치위원회를 출범하고 본격적인 유치전에 뛰어들었다.",
        0,
        ("컴퓨팅센터", "기업유치"),
    ),
    posted(
        "s2",
        "academy",
        "광주 인공지능사관학교 5기 330명 입교식",
        "광주인공지능사관학교가 5기 교육생 330명의 입교식을 열었다.",
        3,
        ("인재",),
    ),
    posted(
        "s3",
        "bid",
        "광주시, 국가AI컴퓨팅센터 유치 서명운동 10만명 돌파",
        "광주시가 국가AI컴퓨팅센터 유치를 위해 벌인 범시민 서명운동 참여자가 10만명을 넘어섰다.",
        10,
        ("컴퓨팅센터", "기업유치"),
    ),
]


def now(days: float) -> float:
    return (T0 + timedelta(days=days)).timestamp()


def test_a_new_event_of_a_thread_continues_it_as_a_reply_to_its_latest_post() -> None:
    new = key(
        "s9",
        "“국가AI컴퓨팅센터 반드시 광주로” 광주시의회 공동성명",
        "광주시의회가 국가AI컴퓨팅센터의 광주 설립을 촉구하는 공동성명을 발표했다.",
        12,
    )
    decision = assign("s9", new, ("컴퓨팅센터",), HISTORY, now(12))
    assert decision.continues
    assert decision.storyline_id == "bid"
    assert decision.reply_to == "s3"  # the latest post of the thread, whichever story linked it
    assert decision.related in ("s1", "s3")
    assert decision.score >= decision.bar
    assert any(s.startswith("entity ") and "컴퓨팅센터" in s for s in decision.shared)
    assert "reply to s3" in decision.log_line()
    assert decision.as_dict()["storyline"] == "bid"


def test_an_unrelated_story_starts_its_own_storyline() -> None:
    new = key("s9", "광주 AI 모빌리티 국가시범도시 본격 추진", "광주시와 국토부가 AI 모빌리티 시범도시를 추진한다.", 12)
    decision = assign("s9", new, ("AI도시",), HISTORY, now(12))
    assert decision == StorylineDecision(
        "s9", False, None, decision.related, decision.score, decision.bar, decision.shared, decision.signals
    )
    assert decision.reply_to is None
    assert decision.log_line().startswith("new storyline s9")


def test_another_project_of_the_same_kind_is_a_new_thread() -> None:
    new = key(
        "s9",
        "광주시, 국가NPU컴퓨팅센터 유치 총력",
        "광주시가 국가NPU컴퓨팅센터 유치를 위해 국회 예결위 논의에 대응하고 있다.",
        30,
    )
    assert project_conflicts(new, HISTORY[0].key) == ["국가npu컴퓨팅센터 vs ai컴퓨팅센터"]
    decision = assign("s9", new, ("컴퓨팅센터", "NPU"), HISTORY, now(30))
    assert not decision.continues
    assert any(s.startswith("other project") for s in decision.shared)


def test_wording_alone_does_not_make_a_thread() -> None:
    new = key("s9", "광주시, AI 중심도시 도약 본격 추진", "광주시가 AI 중심도시로 도약하기 위해 본격 추진한다.", 12)
    decision = assign("s9", new, ("AI도시",), HISTORY, now(12))
    assert not decision.continues
    assert decision.score == 0.0


def test_a_quiet_storyline_closes_after_the_window() -> None:
    new = key("s9", "국가AI컴퓨팅센터 광주 유치 촉구", "광주 시민단체가 국가AI컴퓨팅센터 광주 유치를 촉구했다.", 80)
    assert [p.story_id for p in recent(HISTORY, now(80), 60)] == []
    assert [p.story_id for p in recent(HISTORY, now(65), 60)] == ["s1", "s3"]  # open while it moves
    assert not assign("s9", new, (), HISTORY, now(80), window_days=60).continues
    assert assign("s9", new, (), HISTORY, now(65), window_days=60).continues


def test_a_story_is_never_its_own_thread() -> None:
    decision = assign("s3", HISTORY[2].key, HISTORY[2].topics, HISTORY, now(10))
    assert decision.related != "s3"


def test_entity_words_leave_out_generic_words_figures_and_predicates() -> None:
    words = entity_words(key("x", "광주 국가AI컴퓨팅센터 120㎿ 확보했다", "", 0))
    assert "국가ai컴퓨팅센터" in words
    assert not words & {"광주", "120mw", "확보했다", "ai"}
