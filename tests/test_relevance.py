"""The relevance detector: 광주광역시 AI-infrastructure stories in, everything that only looks like one out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.relevance import Detector, Verdict, evaluate, normalize

REPO = Path(__file__).parents[1]
OWN = REPO / "tests" / "fixtures" / "relevance"
SHARED = REPO.parent / "shared"
DEV_SET = SHARED / "corpus" / "relevance-dev.jsonl"
REAL = SHARED / "fixtures" / "real"


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector()


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def reasons_of(v: Verdict) -> str:
    return " ; ".join(v.reasons)


# --- hard negatives, one table per family ---------------------------------------------------------------

GYEONGGI = {
    "data-centre hearing in 오포": "경기 광주시 오포읍 데이터센터 주민설명회 무산",
    "곤지암 without 광주": "곤지암 AI 데이터센터 건립 놓고 주민 반발",
    "퇴촌 with particle": "퇴촌면에 들어설 데이터센터를 반대한다",
    "경기도 광주시의회": "경기도 광주시의회, 데이터센터 입지 제한 조례 심의",
    "glued 경기광주": "경기광주 남한산성에 AI 해설 로봇 배치",
    "the mayor of 경기 광주": "방세환 광주시장, AI 기반 스마트도시 비전 발표",
    "English": "Data center plan in Gwangju, Gyeonggi Province draws protests",
}


@pytest.mark.parametrize("title", GYEONGGI.values(), ids=GYEONGGI.keys())
def test_gyeonggi_gwangju_is_not_gwangju(detector: Detector, title: str) -> None:
    v = detector.classify(title)
    assert not v.relevant, reasons_of(v)
    assert any(r.startswith("exclude:경기광주(") for r in v.reasons), reasons_of(v)


OTHER_NAMES = {
    "광주FC": "광주FC, AI 영상분석으로 전술 훈련 고도화",
    "광주비엔날레": "광주비엔날레, AI 작가 작품 첫 전시",
    "광주은행 chatbot": "광주은행, AI 신용평가 모델 도입",
    "광주신세계": "광주신세계, AI 쇼핑 도우미 도입",
}


@pytest.mark.parametrize("title", OTHER_NAMES.values(), ids=OTHER_NAMES.keys())
def test_gwangju_inside_another_name_is_no_place(detector: Detector, title: str) -> None:
    v = detector.classify(title)
    assert not v.relevant, reasons_of(v)
    assert not any(r.startswith("place:") for r in v.reasons), reasons_of(v)
    assert any(r.startswith("skip:") for r in v.reasons), reasons_of(v)


def test_gwangju_bank_counts_when_the_story_is_ai_infrastructure(detector: Detector) -> None:
    v = detector.classify("광주은행, AI 데이터센터 입주기업에 500억 금융지원")
    assert v.relevant, reasons_of(v)
    assert "place:광주광역시?(광주은행)" in v.reasons


VOLLEYBALL = {
    "a win": "AI페퍼스, 홈 개막전서 GS칼텍스 3-1 제압",
    "spaced team name": "'AI 페퍼스' 박정아, 올스타 팬투표 1위",
    "with 광주": "여자배구 AI페퍼스 3연승…광주 배구 열기 후끈",
    "sponsor name": "페퍼저축은행 AI페퍼스, 새 사령탑 선임",
    "first home game": "AI페퍼스 역사적 첫 경기 … 광주, 배구 열기 ‘후끈’",
}


@pytest.mark.parametrize("title", VOLLEYBALL.values(), ids=VOLLEYBALL.keys())
def test_the_volleyball_team_ai_peppers_is_not_ai(detector: Detector, title: str) -> None:
    v = detector.classify(title)
    assert not v.relevant, reasons_of(v)
    assert "topic:AI" not in v.reasons
    assert any(r.startswith("exclude:배구(") for r in v.reasons), reasons_of(v)


AVIAN = {
    "고병원성 AI": "광주 광산구 오리농장서 고병원성 AI 의심축 발생",
    "AI 항원": "광주 북구 가금농가 AI 항원 검출…방역 비상",
    "특별방역": "광주시, 겨울철 AI 특별방역 대책 추진",
    "조류 폐사체": "광주 남구 상가서 발견된 조류 폐사체서 AI 검출",
    "H5N1": "광주서 조류인플루엔자 H5N1 확인…이동제한 조치",
}


@pytest.mark.parametrize("title", AVIAN.values(), ids=AVIAN.keys())
def test_ai_meaning_avian_influenza_is_not_ai(detector: Detector, title: str) -> None:
    v = detector.classify(title)
    assert not v.relevant, reasons_of(v)
    assert "topic:AI" not in v.reasons
    assert any(r.startswith("exclude:조류인플루엔자(") for r in v.reasons), reasons_of(v)


ELSEWHERE = {
    "전남 해남": ("전남 해남 솔라시도에 AI 데이터센터 유치", "elsewhere:전남"),
    "광양 (not 광주)": ("광양 황금산단에 7500억 ‘클라우드 데이터센터’ 구축", "elsewhere:전남"),
    "부산": ("이지스자산운용, 부산에 1.8조원 AI데이터센터 건립", "elsewhere:부산"),
    "대구 북구청 is not 광주 북구": ("대구 북구청, AI 민원 안내 로봇 도입", "elsewhere:대구"),
    "서울 강북구": ("서울 강북구, AI 데이터센터 유치 나서", "elsewhere:서울"),
}


@pytest.mark.parametrize(("title", "reason"), ELSEWHERE.values(), ids=ELSEWHERE.keys())
def test_ai_infrastructure_elsewhere_is_decided_without_the_body(detector: Detector, title: str, reason: str) -> None:
    v = detector.classify(title)
    assert not v.relevant and not v.undecided, reasons_of(v)
    assert reason in v.reasons


def test_a_shared_sub_place_next_to_another_region_is_left_to_the_body(detector: Detector) -> None:
    v = detector.classify("장성군, 첨단3지구 장성 구역에 데이터센터 유치")
    assert not v.relevant and v.undecided, reasons_of(v)


AI_SERVICES = {
    "AI 행정": "광주시, ‘AI 행정혁신’ 시동…업무 자동화로 시민 체감 서비스 업그레이드",
    "민원 챗봇": "광주 남구청, 생성형 AI 민원 상담 챗봇 운영",
    "traffic lights": "광주 교통 분야에 인공지능 도입...교차로에 신호등까지",
    "care": "광주 서구, AI 돌봄 로봇 어르신 300가구 보급",
    "school": "광주시교육청, AI 디지털교과서 전면 도입",
    "festival": "광주 AI 음악 페스티벌 이번 주말 개최",
}


@pytest.mark.parametrize("title", AI_SERVICES.values(), ids=AI_SERVICES.keys())
def test_ai_services_and_events_in_gwangju_are_not_infrastructure(detector: Detector, title: str) -> None:
    v = detector.classify(title)
    assert not v.relevant, reasons_of(v)
    assert any(r.startswith("exclude:") for r in v.reasons), reasons_of(v)


NATIONAL = {
    "GPU deal": "“AI GPU 26만장 대규모 공급”…엔비디아, 정부·대기업 손잡고 14조원 AI 인프라 출격",
    "computing-centre call": "정부, GPU 1만장 추가 확보…국가AI컴퓨팅센터 사업자 공모",
}


@pytest.mark.parametrize("title", NATIONAL.values(), ids=NATIONAL.keys())
def test_national_ai_infrastructure_without_a_place_asks_for_the_body(detector: Detector, title: str) -> None:
    v = detector.classify(title)
    assert not v.relevant and v.undecided, reasons_of(v)
    assert "undecided:장소 없음" in v.reasons


# --- positives: particles, spacing, English/Korean forms ---------------------------------------------------

SPELLINGS = {
    "glued": "광주AI데이터센터 GPU 증설",
    "spaced": "광주 AI 데이터 센터 GPU 증설",
    "particles": "광주시는 AI데이터센터를 키운다",
    "Korean forms": "광주광역시, 인공지능 데이터센터 그래픽처리장치 증설",
    "full-width": "광주 ＡＩ 데이터센터 ＧＰＵ 증설",
    "English": "Gwangju to expand GPU capacity at National AI Data Center",
}


@pytest.mark.parametrize("title", SPELLINGS.values(), ids=SPELLINGS.keys())
def test_spelling_variants_are_one_story(detector: Detector, title: str) -> None:
    v = detector.classify(title)
    assert v.relevant, reasons_of(v)
    assert "데이터센터" in v.topics


POSITIVES = {
    "cluster phase 2 on 첨단3지구": ("첨단3지구 AI 집적단지 2단계 사업 예타 통과", "place:광주광역시(첨단3지구"),
    "AX valley": ("광주 'AX실증밸리' 국무회의 통과… “AI 생태계 구축”", "topic:AX실증밸리"),
    "agency by abbreviation": ("AICA, 'AI 실증 인프라' 기업 지원 확대", "place:광주광역시(AICA)"),
    "GIST": ("GIST, AI 컴퓨팅 인프라 공동 활용 협약", "place:광주광역시(GIST)"),
    "NPU computing centre": ("“광주가 최적지”…NPU컴퓨팅센터 구축 논의 본격화", "topic:NPU"),
    "power for the centres": ("광산구에 AI데이터센터 전력 공급할 변전소 신설", "topic:전력"),
    "mayor by name": ("이용섭 광주시장 “지속가능한 인공지능 생태계 조성”", "place:광주광역시(이용섭)"),
    "startup camp": ("지역 대학생들 AI 창업캠프 발길", "place:광주광역시(AI 창업캠프)"),
    "lost bid is news too": ("국가AI컴퓨팅센터 유치, 광주 울고·전남은 웃고", "topic:컴퓨팅센터"),
}


@pytest.mark.parametrize(("title", "reason"), POSITIVES.values(), ids=POSITIVES.keys())
def test_gwangju_ai_infrastructure_is_relevant(detector: Detector, title: str, reason: str) -> None:
    v = detector.classify(title)
    assert v.relevant, reasons_of(v)
    assert any(r.startswith(reason) for r in v.reasons), reasons_of(v)


def test_reasons_and_topics_explain_the_decision(detector: Detector) -> None:
    v = detector.classify("첨단3지구 국가AI데이터센터 GPU 확충…광주 AI 인재 양성도")
    assert v.relevant and not v.undecided
    assert v.reasons[0] == "place:광주광역시(첨단3지구,국가AI데이터센터)"
    assert {"topic:AI", "topic:데이터센터", "topic:GPU", "topic:인재"} <= set(v.reasons)
    assert v.topics == ("데이터센터", "GPU", "인재")
    assert v.score >= 2 + 3 + 3


def test_a_bare_gwangju_is_taken_as_the_metropolitan_city_but_the_body_should_confirm(detector: Detector) -> None:
    v = detector.classify("광주시, AI 데이터센터 건립 추진")
    assert v.relevant and v.undecided
    assert "place:광주광역시?(광주시)" in v.reasons


BARE_AI = {
    "recycling bins": "광주 서구, AI 스마트 분리수거함 설치",
    "jobs fair": "광주 북구, AI 노인 일자리 박람회 개최",
    "survey": '광주 시민 10명 중 6명 "생성형 AI 써봤다"',
}


@pytest.mark.parametrize("title", BARE_AI.values(), ids=BARE_AI.keys())
def test_a_bare_ai_used_somewhere_in_gwangju_asks_for_the_body(detector: Detector, title: str) -> None:
    v = detector.classify(title)
    assert not v.relevant and v.undecided, reasons_of(v)
    assert "undecided:AI 활용 기사일 수 있음, 본문 확인" in v.reasons


@pytest.mark.parametrize(
    "title",
    [
        "광주 AI 기술, 세계 홀렸다",
        "광주의 인공지능, 어디까지 왔나",
        "광주광역시 AI 현장 '북적'",
        "'모두의 AI 광주' 비전 선포",
    ],
)
def test_gwangjus_own_ai_is_the_ai_industry(detector: Detector, title: str) -> None:
    assert detector.classify(title).relevant, reasons_of(detector.classify(title))


def test_the_body_shows_whether_a_bare_ai_is_industry(detector: Detector) -> None:
    title = "광주 서구, AI 스마트 분리수거함 설치"
    service = (
        "광주 서구는 아파트 단지 20곳에 AI 분리수거함을 설치했다고 밝혔다. 분리수거함은 AI 카메라로 "
        "플라스틱과 캔을 구별해 주민에게 포인트를 준다. 구는 재활용률이 30% 높아질 것으로 본다. "
        "주민들은 포인트를 지역화폐로 바꿔 쓸 수 있다. 구는 내년에 설치 단지를 두 배로 늘릴 계획이다. "
        '구 관계자는 "주민 참여가 늘고 있다"고 말했다. 설치 장소는 구청 누리집에서 확인할 수 있다.'
    )
    industry = service + (
        " 분리수거함은 광주 AI 집적단지에 입주한 스타트업이 만들었다. 이 스타트업은 "
        "국가AI데이터센터의 GPU로 모델을 학습했고, 지난해 시리즈A 투자를 유치했다. "
        "회사는 올해 매출이 세 배로 늘었다며 다른 스타트업과 함께 해외 진출도 준비하고 있다."
    )
    assert not detector.classify(title, service).relevant
    read = detector.classify(title, industry)
    assert read.relevant and "GPU" in read.topics, read.reasons


def test_latin_terms_match_whole_words_only(detector: Detector) -> None:
    for title in ("광주 KAIST 분원 설립", "광주에 OpenAI 직원 방문", "광주 KIA 우승 축하"):
        v = detector.classify(title)
        assert "topic:AI" not in v.reasons, (title, v.reasons)


def test_normalisation_joins_korean_spacing_and_keeps_latin_words_apart() -> None:
    assert normalize("AI 데이터 센터를") == "ai데이터센터를"
    assert normalize("ＡＩ  GPU\n구축") == "ai gpu구축"
    assert normalize("첨단 3지구") == "첨단3지구"


# --- the body decides what the title cannot --------------------------------------------------------

WITH_TEXT = {r["id"]: r for r in load(OWN / "with_text.jsonl")}


@pytest.mark.parametrize("rid", WITH_TEXT, ids=[f"{r['id']}-{r['family']}-{r['label']}" for r in WITH_TEXT.values()])
def test_the_body_decides(detector: Detector, rid: str) -> None:
    r = WITH_TEXT[rid]
    v = detector.classify(r["title"], r["text"])
    assert v.relevant == (r["label"] == "pos"), (r["why"], v.reasons)
    assert not v.undecided, v.reasons


def test_the_body_turns_a_weak_title_around_both_ways(detector: Detector) -> None:
    title = "광주시, 데이터센터 건립 주민설명회 개최"
    assert detector.classify(title).relevant  # from the title alone: 광주 taken as 광주광역시
    gyeonggi = detector.classify(title, WITH_TEXT["t01"]["text"])
    assert not gyeonggi.relevant and any(r.startswith("body:exclude:경기광주(") for r in gyeonggi.reasons)
    metro = detector.classify(title, WITH_TEXT["t02"]["text"])
    assert metro.relevant and any(r.startswith("body:place:광주광역시(") for r in metro.reasons)


def test_a_snippet_that_cannot_place_a_title_leaves_it_undecided(detector: Detector) -> None:
    v = detector.classify("대규모 AI 데이터센터 착공", "GPU 5만장 규모의 데이터센터가 첫 삽을 떴다.")
    assert not v.relevant and v.undecided


def test_a_gwangju_startup_story_without_the_word_ai_asks_for_the_body(detector: Detector) -> None:
    v = detector.classify("광주테크노파크, 스타트업 투자 '마중물' 펀드 조성")
    assert not v.relevant and v.undecided
    assert "undecided:AI 언급 없음(창업,투자), 본문 확인" in v.reasons
    assert not detector.classify("광주 시내버스 파업 11년 만에 돌입").undecided  # nothing to look for


def test_a_snippet_cannot_confirm_a_bare_gwangju_but_an_article_can(detector: Detector) -> None:
    title = "광주시, AI 데이터센터 건립 추진"
    assert detector.classify(title, "시는 데이터센터 건립을 추진한다고 밝혔다.").undecided
    assert not detector.classify(title, WITH_TEXT["t02"]["text"]).undecided


@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/fixtures/real absent")
def test_a_real_press_release_body_confirms_the_place() -> None:
    from selectolax.lexbor import LexborHTMLParser

    page = LexborHTMLParser((REAL / "gwangju-go-kr-press-release-ai.html").read_bytes().decode("utf-8"))
    head, view = page.css_first(".board_view_head h6"), page.css_first(".board_view")
    assert head is not None and view is not None
    title, body = head.text().strip(), view.text(separator="\n")
    detector = Detector()
    assert title == "광주 인공지능인들, AI산업 상생발전 다짐"
    alone, read = detector.classify(title), detector.classify(title, body)
    assert alone.relevant and alone.undecided
    assert read.relevant and not read.undecided and read.score > alone.score
    assert any(r.startswith("body:place:광주광역시(") and "강기정" in r for r in read.reasons)


# --- measured floors ------------------------------------------------------------------------------------


@pytest.mark.skipif(not DEV_SET.is_file(), reason="../shared/corpus absent")
def test_dev_set_floor_from_titles_alone(detector: Detector) -> None:
    records = [{k: v for k, v in r.items() if k != "text"} for r in load(DEV_SET)]
    report = evaluate(records, detector)
    assert report.tp + report.fn == 33 and report.fp + report.tn == 43
    assert report.precision >= 0.95, report.format()
    assert report.recall >= 0.92, report.format()


OWN_SETS = ["cases.jsonl", "holdout.jsonl", "holdout2.jsonl", "holdout3.jsonl", "holdout4.jsonl", "with_text.jsonl"]


@pytest.mark.parametrize("name", OWN_SETS)
def test_own_labelled_sets_floor(detector: Detector, name: str) -> None:
    report = evaluate(load(OWN / name), detector)
    assert report.precision >= 0.95, report.format()
    assert report.recall >= 0.92, report.format()


def test_own_cases_cover_every_hard_negative_family() -> None:
    cases = load(OWN / "cases.jsonl")
    assert len(cases) >= 80 and all(c.get("why") for c in cases)
    families = {c["family"] for c in cases if c["label"] == "neg"}
    assert {"gyeonggi", "name", "sports", "avian", "elsewhere", "national", "application"} <= families


# --- evaluation report ------------------------------------------------------------------------------


def test_evaluation_counts_mistakes_and_reports_borderline_apart(detector: Detector) -> None:
    records = [
        {"id": "a", "title": "광주 AI 데이터센터 GPU 증설", "label": "pos"},
        {"id": "b", "title": "AI페퍼스, 현대건설에 0-3 패", "label": "pos"},  # mislabelled on purpose
        {"id": "c", "title": "부산 AI 데이터센터 착공", "label": "neg"},
        {"id": "d", "title": "광주 AI 중심도시 비전 선포", "label": "neg"},  # mislabelled on purpose
        {"id": "e", "title": "광주 자율주행+AI 산업 방향은 맞다", "label": "borderline"},
    ]
    report = evaluate(records, detector)
    assert (report.tp, report.fp, report.fn, report.tn) == (1, 1, 1, 1)
    assert report.precision == report.recall == report.f1 == 0.5
    assert [r["id"] for r, _ in report.mistakes] == ["b", "d"]
    assert [r["id"] for r, _ in report.borderline] == ["e"]
    text = report.format()
    assert "precision 0.500  recall 0.500  F1 0.500" in text
    assert "[b] AI페퍼스" in text and "[d] 광주 AI 중심도시" in text
    assert "borderline (not scored): 1, called relevant: 1" in text


def test_evaluation_rejects_unknown_labels(detector: Detector) -> None:
    with pytest.raises(ValueError, match="record 1"):
        evaluate([{"title": "x", "label": "maybe"}], detector)


def test_module_prints_the_report(tmp_path: Path) -> None:
    f = tmp_path / "set.jsonl"
    f.write_text(
        json.dumps({"title": "광주 AI 데이터센터", "label": "pos"}, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    out = subprocess.run(
        [sys.executable, "-m", "bot.relevance", str(f)], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    assert "precision 1.000  recall 1.000  F1 1.000" in out


# --- config overrides -------------------------------------------------------------------------------------


def test_extra_terms_extend_a_list() -> None:
    title = "치평동에 AI 데이터센터"
    assert not Detector().classify(title).relevant
    v = Detector({"extra_terms": {"metro:광주광역시": ["치평동"]}}).classify(title)
    assert v.relevant and "place:광주광역시(치평동)" in v.reasons


def test_weights_and_thresholds_change_decisions() -> None:
    title = "광주 남구청, AI 민원 챗봇 운영"
    assert not Detector().classify(title).relevant
    assert Detector({"weights": {"application": 0}}).classify(title).relevant
    weak = "광주, AI 중심도시 도약"
    assert Detector().classify(weak).relevant
    assert not Detector({"threshold": 4}).classify(weak).relevant


def test_new_groups_and_removed_terms() -> None:
    title = "광주에 양자컴퓨터 도입 추진"
    assert not Detector().classify(title).relevant
    v = Detector({"groups": [{"category": "infra", "label": "양자컴퓨팅", "terms": ["양자컴퓨터"]}]}).classify(title)
    assert v.relevant and "양자컴퓨팅" in v.topics
    assert not Detector({"remove_terms": ["AI창업캠프", "AI 창업캠프"]}).classify("AI 창업캠프 발길").relevant


@pytest.mark.parametrize(
    "overrides, key",
    [
        ({"treshold": 2}, "treshold"),
        ({"threshold": "high"}, "threshold"),
        ({"weights": {"nonsense": 1}}, "nonsense"),
        ({"extra_terms": {"없는라벨": ["x"]}}, "없는라벨"),
        ({"groups": [{"category": "infra", "label": "x"}]}, "terms"),
        ({"extra_terms": {"AI": ["광주"]}}, "광주"),  # one term, two meanings
    ],
)
def test_bad_overrides_name_the_key(overrides: dict[str, Any], key: str) -> None:
    with pytest.raises(ValueError, match=key):
        Detector(overrides)
