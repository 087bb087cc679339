"""Korean sentence splitting (a gold table of the traps in news prose) and the short summary."""

from __future__ import annotations

import pytest

from bot.summarize import split_sentences, summarize

# (id, text, expected sentences)
GOLD: list[tuple[str, str, list[str]]] = [
    ("two plain", "광주시가 발표했다. 센터는 내년에 문을 연다.", ["광주시가 발표했다.", "센터는 내년에 문을 연다."]),
    (
        "quote then 라며",
        "강 시장은 “광주가 AI 수도가 될 것”이라며 “기업 유치에 속도를 내겠다”고 말했다. 이어 현장을 둘러봤다.",
        ["강 시장은 “광주가 AI 수도가 될 것”이라며 “기업 유치에 속도를 내겠다”고 말했다.", "이어 현장을 둘러봤다."],
    ),
    (
        "quote then 고 강조했다",
        "그는 “연산 자원이 부족하다”고 강조했다. 시는 대책을 내놨다.",
        ["그는 “연산 자원이 부족하다”고 강조했다.", "시는 대책을 내놨다."],
    ),
    (
        "full stop inside a quote",
        "관계자는 “전력은 충분히 확보돼 있다. 걱정하지 않아도 된다”고 말했다. 공사는 3월에 시작된다.",
        ["관계자는 “전력은 충분히 확보돼 있다. 걱정하지 않아도 된다”고 말했다.", "공사는 3월에 시작된다."],
    ),
    (
        "full stop before a reported quote's close",
        "그는 “준비는 끝났다.”라고 말했다. 이어 질문을 받았다.",
        ["그는 “준비는 끝났다.”라고 말했다.", "이어 질문을 받았다."],
    ),
    (
        "sentence that is a whole quote",
        "“광주가 해냈다.” 이어 박수가 터져 나왔다.",
        ["“광주가 해냈다.”", "이어 박수가 터져 나왔다."],
    ),
    (
        "straight quotes",
        'A 씨는 "밤을 잘라 먹겠다. 칼을 달라"고 했다. 경찰이 출동했다.',
        ['A 씨는 "밤을 잘라 먹겠다. 칼을 달라"고 했다.', "경찰이 출동했다."],
    ),
    (
        "decimal with unit",
        "성능은 88.5PF에 이른다. 국내 최대 규모다.",
        ["성능은 88.5PF에 이른다.", "국내 최대 규모다."],
    ),
    ("thousands separator", "GPU 1,946개가 들어간다. 전력은 40MW다.", ["GPU 1,946개가 들어간다.", "전력은 40MW다."]),
    ("percent", "가동률은 92.3%다. 지난해보다 높다.", ["가동률은 92.3%다.", "지난해보다 높다."]),
    (
        "dotted date",
        "협약은 2025.02.05 체결됐다. 효력은 즉시 발생한다.",
        ["협약은 2025.02.05 체결됐다.", "효력은 즉시 발생한다."],
    ),
    (
        "spaced date with weekday",
        "개소식은 2025. 3. 14.(금) 열린다. 누구나 참석할 수 있다.",
        ["개소식은 2025. 3. 14.(금) 열린다.", "누구나 참석할 수 있다."],
    ),
    (
        "brackets with a full stop inside",
        "센터(연면적 1만㎡. 지상 4층)가 들어선다. 완공은 2027년이다.",
        ["센터(연면적 1만㎡. 지상 4층)가 들어선다.", "완공은 2027년이다."],
    ),
    ("U.S.", "U.S. 정부도 관심을 보였다. 협상은 계속된다.", ["U.S. 정부도 관심을 보였다.", "협상은 계속된다."]),
    (
        "Ph.D.",
        "김 박사(Ph.D.)는 이를 설계했다. 그는 GIST 출신이다.",
        ["김 박사(Ph.D.)는 이를 설계했다.", "그는 GIST 출신이다."],
    ),
    (
        "Ph.D. outside brackets",
        "Ph.D. 과정 학생 20명이 참여한다. 모집은 다음 달이다.",
        ["Ph.D. 과정 학생 20명이 참여한다.", "모집은 다음 달이다."],
    ),
    (
        "vs.",
        "광주 vs. 부산 구도가 됐다. 결과는 연말에 나온다.",
        ["광주 vs. 부산 구도가 됐다.", "결과는 연말에 나온다."],
    ),
    (
        "No.1",
        "광주는 AI 분야 No.1 도시를 목표로 한다. 투자도 늘린다.",
        ["광주는 AI 분야 No.1 도시를 목표로 한다.", "투자도 늘린다."],
    ),
    (
        "Inc.",
        "엔비디아(NVIDIA Inc.) 관계자도 참석했다. 행사는 오후에 끝났다.",
        ["엔비디아(NVIDIA Inc.) 관계자도 참석했다.", "행사는 오후에 끝났다."],
    ),
    (
        "Inc. outside brackets",
        "Acme Inc. 관계자도 참석했다. 행사는 오후에 끝났다.",
        ["Acme Inc. 관계자도 참석했다.", "행사는 오후에 끝났다."],
    ),
    (
        "URL",
        "자세한 내용은 www.gwangju.go.kr 에서 볼 수 있다. 문의는 전화로 받는다.",
        ["자세한 내용은 www.gwangju.go.kr 에서 볼 수 있다.", "문의는 전화로 받는다."],
    ),
    (
        "e-mail",
        "제보는 ai.news@gwangju.example 로 받는다. 익명도 가능하다.",
        ["제보는 ai.news@gwangju.example 로 받는다.", "익명도 가능하다."],
    ),
    ("missing space", "행사가 열렸다.이 자리에는 300명이 왔다.", ["행사가 열렸다.", "이 자리에는 300명이 왔다."]),
    ("question", "왜 광주인가? 답은 전력에 있다.", ["왜 광주인가?", "답은 전력에 있다."]),
    ("exclamation", "드디어 문을 열었다! 시민들은 환호했다.", ["드디어 문을 열었다!", "시민들은 환호했다."]),
    ("interrobang", "정말 가능할까?! 전문가들은 반신반의한다.", ["정말 가능할까?!", "전문가들은 반신반의한다."]),
    ("ellipsis", "기대가 크다… 하지만 과제도 많다.", ["기대가 크다…", "하지만 과제도 많다."]),
    (
        "ellipsis inside a headline-like phrase",
        "발견…“여행객 아닌 이민자”라고 밝혔다.",
        ["발견…“여행객 아닌 이민자”라고 밝혔다."],
    ),
    (
        "line break ends a sentence",
        "첫 문단의 마지막 문장\n둘째 문단이다. 끝이다.",
        ["첫 문단의 마지막 문장", "둘째 문단이다.", "끝이다."],
    ),
    ("apostrophe", "Korea's AI hub가 된다. 시의 목표다.", ["Korea's AI hub가 된다.", "시의 목표다."]),
    (
        "single quotes",
        "'AI 실증밸리'는 완성됐다. 다음은 '2단계'다.",
        ["'AI 실증밸리'는 완성됐다.", "다음은 '2단계'다."],
    ),
    (
        "numbered item",
        "1. 사업 개요를 설명한다. 2. 일정은 다음과 같다.",
        ["1. 사업 개요를 설명한다.", "2. 일정은 다음과 같다."],
    ),
    ("list markers", "주요 내용은 ▲GPU 확충 ▲전력 공급이다.", ["주요 내용은", "▲GPU 확충", "▲전력 공급이다."]),
]


@pytest.mark.parametrize(("text", "expected"), [(t, e) for _, t, e in GOLD], ids=[i for i, _, _ in GOLD])
def test_split_sentences_gold(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_gold_table_covers_enough_cases() -> None:
    assert len(GOLD) >= 25


ARTICLE = """[광주=뉴시스] 홍길동 기자 = 광주시가 국가AI컴퓨팅센터 유치에 성공했다고 5일 밝혔다.
센터에는 GPU 1,946개가 들어서며 연산 능력은 88.5PF에 이른다. 시는 인공지능 집적단지와 연계해 데이터센터를 늘린다.
“정말 기쁘다”고 말했다.
행사에는 시민 300여명이 참석했다. 날씨는 맑았다.
강기정 시장은 “광주가 대한민국 AI 수도로 도약하는 발판이 마련됐다”며 “기업 유치에 속도를 내겠다”고 말했다.
홍길동 기자 hong@newsis.com"""

TITLE = "광주, 국가AI컴퓨팅센터 유치 성공…GPU 1,946개"


def test_summary_is_two_or_three_whole_sentences_from_the_text_within_300_chars() -> None:
    summary = summarize(ARTICLE, title=TITLE)
    sentences = split_sentences(summary)
    assert len(summary) <= 300
    assert 2 <= len(sentences) <= 3
    whole_text_sentences = set(split_sentences(ARTICLE.replace("[광주=뉴시스] 홍길동 기자 = ", "")))
    assert all(s in whole_text_sentences for s in sentences)


def test_summary_starts_with_the_lead_not_the_byline() -> None:
    summary = summarize(ARTICLE, title=TITLE)
    assert summary.startswith("광주시가 국가AI컴퓨팅센터 유치에 성공했다고 5일 밝혔다.")
    assert "기자 =" not in summary and "@" not in summary


def test_summary_prefers_topic_sentences_over_quotes_and_small_talk() -> None:
    summary = summarize(ARTICLE, title=TITLE)
    assert "GPU 1,946개" in summary
    assert "정말 기쁘다" not in summary
    assert "날씨는 맑았다" not in summary


def test_summary_respects_a_smaller_budget_with_whole_sentences() -> None:
    summary = summarize(ARTICLE, title=TITLE, max_chars=120)
    assert len(summary) <= 120
    assert summary.endswith(".")
    assert all(s in ARTICLE for s in split_sentences(summary))


@pytest.mark.parametrize("text", ["", "   \n ", "사진=연합뉴스", "홍길동 기자 hong@newsis.com"], ids=repr)
def test_fallback_is_used_when_the_text_gives_nothing(text: str) -> None:
    fallback = "광주 국가AI컴퓨팅센터가 GPU를 추가로 확보했다."
    assert summarize(text, title=TITLE, fallback=fallback) == fallback


def test_no_text_and_no_fallback_gives_empty_summary() -> None:
    assert summarize("", title=TITLE) == ""


def test_long_fallback_is_cut_at_a_sentence_boundary() -> None:
    fallback = "첫 문장은 짧다. " + "둘째 문장은 아주 길어서 " * 30 + "끝난다."
    summary = summarize("", fallback=fallback, max_chars=100)
    assert summary == "첫 문장은 짧다."


def test_overlong_lead_uses_the_shorter_fallback() -> None:
    lead = "광주시는 " + "인공지능 집적단지와 데이터센터를 " * 20 + "추진한다고 밝혔다."
    text = lead + "\n둘째 문장이다. 셋째 문장이다."
    fallback = "광주시가 인공지능 집적단지 2단계 사업을 추진한다."
    assert summarize(text, fallback=fallback) == fallback


def test_overlong_lead_without_fallback_is_trimmed_at_a_clause_with_ellipsis() -> None:
    lead = "광주시는 " + "인공지능 집적단지와 데이터센터를 잇는 사업을, " * 20 + "추진한다고 밝혔다."
    summary = summarize(lead, max_chars=100)
    assert len(summary) <= 100
    assert summary.endswith("…")
    assert lead.startswith(summary[:-1].rstrip())


@pytest.mark.parametrize(
    "dateline",
    [
        "[광주=뉴시스] 홍길동 기자 = ",
        "(광주=연합뉴스) 홍길동 이순신 기자 = ",
        "【광주=뉴시스】홍길동 기자 = ",
        "[아시아경제 호남취재본부 홍길동 기자] ",
        "(광주=연합뉴스) ",
        "홍길동·김철수 기자 = ",
    ],
)
def test_summary_strips_the_dateline_of_the_lead(dateline: str) -> None:
    text = dateline + "광주시가 AI 데이터센터 착공식을 열었다고 5일 밝혔다.\n센터에는 GPU 2,000개가 들어간다."
    assert summarize(text) == "광주시가 AI 데이터센터 착공식을 열었다고 5일 밝혔다. 센터에는 GPU 2,000개가 들어간다."


def test_summary_skips_photo_captions_and_subheadings() -> None:
    text = (
        "인공지능 집적단지 조감도. /광주시 제공\n"
        "2단계 사업 예타 통과\n"
        "광주시가 인공지능 집적단지 2단계 사업의 예비타당성조사를 통과했다.\n"
        "사업비는 6,000억 원이다."
    )
    assert (
        summarize(text) == "광주시가 인공지능 집적단지 2단계 사업의 예비타당성조사를 통과했다. 사업비는 6,000억 원이다."
    )


def test_summary_of_a_story_opening_with_a_bare_quote_leads_with_the_report() -> None:
    text = (
        "“광주가 AI 수도가 될 것이다.”\n"
        "강기정 광주시장이 5일 국가AI컴퓨팅센터 착공식에서 이렇게 말했다.\n"
        "센터에는 GPU 1,946개가 들어간다."
    )
    summary = summarize(text, title="광주 국가AI컴퓨팅센터 착공")
    assert summary.startswith("강기정 광주시장이 5일 국가AI컴퓨팅센터 착공식에서 이렇게 말했다.")


def test_fallback_loses_the_cut_off_tail_of_a_meta_description() -> None:
    description = "멕시코에서 실종자들이 모두 발견됐습니다. ‘몸값 요구’ 신..."
    assert summarize("", fallback=description) == "멕시코에서 실종자들이 모두 발견됐습니다."
