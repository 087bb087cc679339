"""Article extraction on real saved pages (../shared/fixtures/real, used in place) and our own pages.

For each real article page the manifest gives the expected title, publication time, og:url, the
length of the text under the page's body selector and how that text starts. The manifest's
`body_starts_with` is the raw text of the container, so it still holds what a reader never wants:
photo captions, player notices, datelines. The table below names those pieces (each must really be
in the manifest's text); after removing them, the rest must be where our text starts.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from bot.summarize import split_sentences, summarize
from scrapers.article import extract_text, parse_article
from scrapers.dates import KST
from scrapers.models import Article

REAL = Path(__file__).parents[1].parent / "shared" / "fixtures" / "real"
OWN = Path(__file__).parent / "fixtures" / "articles"


@dataclass(frozen=True)
class Expect:
    lead: str  # how our text starts (read off the page)
    dropped: tuple[str, ...] = ()  # junk at the start of the manifest's body text
    outlet: str | None = None  # when it is not og:site_name (portals name the original outlet)
    fetched_url: str | None = None  # when og:url names the site, not the article
    byline_time: str | None = None  # read off the page's byline where the manifest gives no time
    length_ratio: tuple[float, float] = (0.5, 1.1)  # our text length / manifest body_text_chars
    canonical: str | None = None  # when <link rel=canonical> differs from og:url
    compare_chars: int | None = None  # compare only this much of the manifest's start


EXPECT: dict[str, Expect] = {
    "naver-news-article-read-legacy.html": Expect(
        lead="경기도 연천군은 20일 군청 상황실에서",
        dropped=("// flash 오류를 우회하기 위한 함수 추가\nfunction _flash_removeCallback() {}", "(연천=연합뉴스)"),
        outlet="연합뉴스",
        byline_time="2017-04-20T15:53:00+09:00",
    ),
    "naver-news-mnews-article-2026.html": Expect(
        lead="김승룡 소방청장 직무대행\n지난해 3월, 경북 영남 지역을",
        dropped=("김승룡 소방청장 직무대행.",),
        outlet="뉴스1",
        byline_time="2026-02-12T10:30:00+09:00",
    ),
    "naver-sports-article.html": Expect(
        lead="지아니 인판티노 국제축구연맹(FIFA) 회장이",
        dropped=("▲ 지아니 인판니노 FIFA 회장", "[스포티비뉴스=유현태 기자]"),
        outlet="스포티비뉴스",
        byline_time="2017-05-12T14:09:00+09:00",
    ),
    "daum-news-article-2018.html": Expect(
        lead="안철수 바른미래당 서울시장 후보는 15일",
        # the whole manifest start is the photo caption (with its own byline)
        dropped=(
            "【서울=뉴시스】홍효식 기자 = 바른미래당 안철수 서울시장 후보 겸 인재영입위원장이 16일 오후 "
            "서울 여의도 국회에서 열린 인재영입 발표에서 모두",
        ),
        outlet="뉴시스",
    ),
    "kbs-news-article-2023.html": Expect(
        lead="멕시코 도로 한복판에서 대거 행방이",
        byline_time="2023-04-07T08:26:22+09:00",
    ),
    "sbs-news-article-2023.html": Expect(lead="지난 5일 저녁 50대 남성 A 씨가"),
    "mbc-news-article-2023.html": Expect(lead="캐나다 연방정부 공무원 15만 명이", dropped=("사진제공 : 연합뉴스",)),
    "mbn-news-article-2023.html": Expect(
        canonical="https://mbn.co.kr/news/society/4917663",
        lead="정부와 부산시가 '2030년 세계박람회' 유치에",
        dropped=(
            "VOD 시청 안내어도비 플래시 플레이어 서비스 종료에 따라현재 브라우저 버전에서는 서비스가 "
            "원할하지 않습니다.아래 버튼을 클릭하셔서 브라우저 업",
        ),
    ),
    "tvchosun-news-article-2023.html": Expect(lead="최근 현역생활을 연장하기로 한 김연경이", dropped=("/연합뉴스",)),
    "yonhapnewstv-article-2023.html": Expect(
        lead="그룹 아스트로의 문빈이 어제(19일)",
        dropped=(
            "브라우저가 video 태그를 지원하지 않습니다.죄송하지만 다른 브라우저를 사용하여 주십시오.닫기",
            "'영원한 25살' 아스트로 문빈 사망…\"사실 많이",  # the headline repeated
        ),
    ),
    "hankookilbo-article-2025-honam.html": Expect(lead="이틀간의 영남 공략을 마친 이재명"),
    "mk-article-2025.html": Expect(lead="이재명 제21대 대통령선거 당선자\n가난에 공장에서 일한"),
    "jnilbo-article-ndsoft-2025.html": Expect(
        lead="프로축구 광주FC가 창단 첫 코리아컵 우승을",
        dropped=(
            "프로축구 광주FC가 6일 오후 1시 30분 서울월드컵경기장에서 열린 하나은행 코리아컵 결승전에서 "
            "전북에 1-2로 패배했다. 사진은 이날 동점골을",
        ),
    ),
    "gwangju-go-kr-press-release-ai.html": Expect(
        lead="광주광역시(시장 강기정)는 5일 북구 오룡동",
        dropped=(
            "김영문 광주시문화경제부시장이 5일 북구 오룡동 인공지능산업융합사업단 컨퍼런스홀에서 열린 "
            "‘제5회 인공지능인의 날’에 참석해 인공지능 관련 산·학",
        ),
    ),
    "jeonnam-go-kr-press-release.html": Expect(
        lead="- 무술목·경도·돌산·여수세계박람회장 등",
        dropped=("해수부 복합해양레저관광도시 공모에 여수시 선정",),  # the headline repeated
        outlet="전라남도청",
        fetched_url="https://www.jeonnam.go.kr/M7116/boardView.do?seq=1960422&menuId=jeonnam0202000000",
    ),
    "mokpo-go-kr-press-release.html": Expect(
        lead="목포향기나는교회(담임목사 박진)는 지난 8일",
        fetched_url="http://www.mokpo.go.kr/www/mokpo_news/press_release/report_material?mode=view&idx=541194",
    ),
    "seoul-go-kr-news-wordpress.html": Expect(
        lead="2026년 1월 주요 시민안내사항을 알려드립니다.",
        outlet="서울특별시",
        # the manifest's start ends in the label of a '바로보기' button, which is not article text
        compare_chars=-2,
        # The manifest's selector also counts the rating form and comment rules under the notice.
        length_ratio=(0.02, 0.1),
    ),
}


def _manifest() -> list[dict[str, object]]:
    if not (REAL / "MANIFEST.json").exists():
        return []
    entries = json.loads((REAL / "MANIFEST.json").read_text("utf-8"))
    return [e for e in entries if e["kind"] == "article"]


ARTICLES = _manifest()
ARTICLE_IDS = [str(e["file"]) for e in ARTICLES]


@pytest.fixture(scope="module", autouse=True)
def _need_real_fixtures() -> None:
    if not ARTICLES:
        pytest.skip("../shared/fixtures/real is not here")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _read(entry: dict[str, object]) -> str:
    return (REAL / str(entry["file"])).read_text("utf-8", errors="replace")


def _parse(entry: dict[str, object]) -> Article:
    expect = EXPECT[str(entry["file"])]
    return parse_article(_read(entry), expect.fetched_url or str(entry["og_url"]))


def test_every_manifest_article_has_expectations() -> None:
    assert sorted(EXPECT) == sorted(ARTICLE_IDS)


@pytest.mark.parametrize("entry", ARTICLES, ids=ARTICLE_IDS)
def test_title_is_the_headline_without_the_site_name(entry: dict[str, object]) -> None:
    expected = str(entry["title"])
    site = entry.get("og_site_name")
    if site:  # the manifest keeps the page's " | 한국일보" / " - 매일경제" suffix for some pages
        expected = re.sub(rf"\s+[-|]\s+{re.escape(str(site))}$", "", expected)
    assert _parse(entry).title == expected


@pytest.mark.parametrize("entry", ARTICLES, ids=ARTICLE_IDS)
def test_text_starts_where_the_article_starts(entry: dict[str, object]) -> None:
    expect = EXPECT[str(entry["file"])]
    text = _parse(entry).text
    rest = _squash(str(entry["body_starts_with"]))[: expect.compare_chars]
    for junk in expect.dropped:
        assert _squash(junk) in rest, "the table names junk the manifest does not have"
        rest = rest.replace(_squash(junk), "", 1)
        assert _squash(junk) not in _squash(text)
    assert _squash(text).startswith(rest)
    assert text.startswith(expect.lead)
    containers = LexborHTMLParser(_read(entry)).css(str(entry["body_selector"]))
    assert _squash(expect.lead.split("\n")[-1]) in _squash(" ".join(n.text() for n in containers))


@pytest.mark.parametrize("entry", ARTICLES, ids=ARTICLE_IDS)
def test_text_length_is_close_to_the_body_container(entry: dict[str, object]) -> None:
    low, high = EXPECT[str(entry["file"])].length_ratio
    ratio = len(_parse(entry).text) / int(str(entry["body_text_chars"]))
    assert low <= ratio <= high


@pytest.mark.parametrize("entry", ARTICLES, ids=ARTICLE_IDS)
def test_text_has_no_junk(entry: dict[str, object]) -> None:
    text = _parse(entry).text
    for junk in ("ⓒ", "©", "무단전재", "무단 전재", "재배포", "관련기사", "Copyright", "<끝>", "function "):
        assert junk not in text
    lines = text.split("\n")
    assert not re.match(r"^.{0,40}기자\s*=", lines[0])
    assert not any(re.search(r"[\w.+-]+@[\w-]+\.[a-z]{2,}", line) for line in lines)
    assert not any(re.fullmatch(r"[\[【]\s*(앵커|기자|앵커멘트)\s*[\]】]", line) for line in lines)
    assert all(line == line.strip() and "  " not in line for line in lines)


@pytest.mark.parametrize("entry", ARTICLES, ids=ARTICLE_IDS)
def test_canonical_url_and_outlet(entry: dict[str, object]) -> None:
    expect = EXPECT[str(entry["file"])]
    article = _parse(entry)
    assert article.url == (expect.canonical or expect.fetched_url or entry["og_url"])
    assert article.outlet == (expect.outlet or entry["og_site_name"])


def _manifest_time(value: str) -> tuple[datetime | None, date | None]:
    """The manifest's `published`: a full time (ISO, or 'YYYY-MM-DD HH:MM' in KST) or a day."""
    match = re.match(r"(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?", value)
    assert match, value
    day, clock, zone = match.groups()
    if not clock:
        return None, date.fromisoformat(day)
    zone = {"Z": "+00:00"}.get(zone or "", zone or "")
    if len(zone) == 5:
        zone = f"{zone[:3]}:{zone[3:]}"
    parsed = datetime.fromisoformat(f"{day}T{clock}{zone}")
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=KST)), None


@pytest.mark.parametrize("entry", ARTICLES, ids=ARTICLE_IDS)
def test_publication_time(entry: dict[str, object]) -> None:
    published = _parse(entry).published_at
    expect = EXPECT[str(entry["file"])]
    if entry["published"]:
        moment, day = _manifest_time(str(entry["published"]))
        assert published is not None
        if moment:
            assert published == moment
        else:
            assert published.astimezone(KST).date() == day
    elif expect.byline_time:
        assert published == datetime.fromisoformat(expect.byline_time)
    else:
        assert published is None  # mokpo: the page shows no date at all


@pytest.mark.parametrize("entry", ARTICLES, ids=ARTICLE_IDS)
def test_summary_of_a_real_page(entry: dict[str, object]) -> None:
    article = _parse(entry)
    summary = summarize(article.text, title=article.title, fallback=article.description)
    sentences = split_sentences(summary)
    assert 0 < len(summary) <= 300
    assert 1 <= len(sentences) <= 3
    assert all(_squash(s) in _squash(article.text) for s in sentences)
    assert "기자 =" not in summary and "@" not in summary


@pytest.mark.parametrize("entry", ARTICLES, ids=ARTICLE_IDS)
def test_fallback_alone_finds_the_same_article(entry: dict[str, object]) -> None:
    """A layout the body table does not know gets the density fallback: on every real page it
    must still find every paragraph the table finds, and no footer junk."""
    article = _parse(entry)
    fallback = extract_text(LexborHTMLParser(_read(entry)), title=article.title, known_layouts=False)
    for line in article.text.split("\n"):
        assert line in fallback.split("\n")
    for junk in ("ⓒ", "무단전재", "무단 전재", "관련기사", "@"):
        assert junk not in fallback


# ---------------------------------------------------------------- our own pages


def _own(name: str, url: str = "https://ai-news.example/news/1024?from=list") -> Article:
    return parse_article((OWN / name).read_text("utf-8"), url)


def test_page_with_only_json_ld() -> None:
    article = _own("jsonld-only.html")
    assert article.title == "광주 국가AI컴퓨팅센터, GPU 1,946개 추가 확보"
    assert article.url == "https://ai-news.example/news/1024"
    assert article.outlet == "광주AI신문"
    assert article.published_at == datetime(2025, 2, 5, 17, 15, tzinfo=KST)
    assert article.description == "광주 국가AI컴퓨팅센터가 GPU 1,946개를 추가로 확보했다."
    assert article.text == (
        "광주 국가AI컴퓨팅센터가 GPU 1,946개를 추가로 확보해 연산 능력을 88.5PF까지 늘린다고 5일 밝혔다.\n"
        "센터는 인공지능 집적단지 2단계 사업과 연계해 데이터센터 증설도 추진한다. "
        "광주시 관계자는 “지역 기업의 GPU 수요가 92.3% 늘었다”고 말했다."
    )


def test_unknown_layout_falls_back_to_the_densest_block() -> None:
    article = _own("unknown-layout.html", "https://bitgoeul.example/news/77")
    assert article.title == "광주, 인공지능 집적단지 2단계 예타 통과"
    assert article.outlet == "빛고을데일리"
    assert article.url == "https://bitgoeul.example/news/77"
    assert article.published_at == datetime(2025, 2, 5, 17, 15, tzinfo=KST)
    lines = article.text.split("\n")
    assert lines[0] == "광주시가 추진하는 인공지능 집적단지 2단계 사업이 예비타당성조사를 통과했다."
    assert lines[-1] == "시는 올해 상반기 안에 기본계획을 수립하고, 하반기에는 GPU 클러스터 설계에 착수한다."
    assert len(lines) == 4
    for junk in ("조감도", "정치", "많이 본 뉴스", "관련기사", "ⓒ", "hong@", "구독", "등록번호"):
        assert junk not in article.text


def test_summary_of_the_unknown_layout_leads_with_the_news() -> None:
    article = _own("unknown-layout.html", "https://bitgoeul.example/news/77")
    summary = summarize(article.text, title=article.title)
    assert summary.startswith("광주시가 추진하는 인공지능 집적단지 2단계 사업이 예비타당성조사를 통과했다.")
    assert 2 <= len(split_sentences(summary)) <= 3


def test_a_long_sentence_that_mentions_copyright_is_prose_not_a_footer() -> None:
    sentence = (
        "AI 학습 데이터를 둘러싼 분쟁이 늘면서 저작권자 단체와 데이터센터 운영사들은 무단전재와 재배포 금지 "
        "조항을 학습에도 적용할지를 두고 광주 국가AI컴퓨팅센터 개소를 앞두고 협의를 이어가고 있으며, "
        "정부는 올해 안에 가이드라인을 내놓고 업계와 창작자 양쪽의 의견을 들어 세부 기준을 정하겠다는 방침을 "
        "거듭 밝혔다."
    )
    page = (
        "<html><head><meta property='og:title' content='AI 학습과 저작권'></head><body>"
        f"<div id='article-view-content-div'><p>광주에서 열린 토론회에는 300명이 참석했다.</p><p>{sentence}</p>"
        "<p>토론회는 오후 6시에 끝났다.</p><p>저작권자 ⓒ 광주AI신문 무단전재 및 재배포 금지</p>"
        "<p>관련기사</p><p><a href='/1'>다른 기사</a></p></div></body></html>"
    )
    text = parse_article(page, "https://ai-news.example/news/1").text
    assert text.split("\n") == ["광주에서 열린 토론회에는 300명이 참석했다.", sentence, "토론회는 오후 6시에 끝났다."]
