"""What a home page, a section front and a list page keep (scrapers.listing, step 3 of the recogniser).

One small home page carries every kind of box the counting rule names (evaluation/manifests/README.md):
a main list, a top story with related links, a side column (`aside`), a tab box with a hidden tab, a
headline list without a heading, repeated section boxes, briefs, a most-read box — and what is not an
article: navigation, a footer, an ad box, the paper's notices (알립니다), a login link and links to list
pages. The same markup as a section front (it declares a section address) drops the side column and the
most-read box; with paging it is a list page and keeps only its main list.
"""

from __future__ import annotations

from scrapers.listing import parse_listing

HOME = "https://www.mudeung-daily.example/"
SECTION = "https://www.mudeung-daily.example/news/articleList.html?sc_section_code=S1N1"


def _a(n: int, title: str, extra: str = "") -> str:
    return f'<a href="/news/articleView.html?idxno={n}"{extra}>{title}</a>'


def _page(head: str = "", paging: str = "") -> str:
    return f"""<html><head>{head}</head><body>
    <header id="header"><nav class="gnb"><ul>
      <li><a href="/news/articleList.html?sc_section_code=S1N1">정치</a></li>
      <li><a href="/news/articleList.html?sc_section_code=S1N2">경제</a></li>
      <li>{_a(9001, "메뉴 속 기획 기사 바로 가기 안내")}</li></ul></nav>
      <div class="ticker"><ul><li>{_a(101, "속보: 광주 AI 데이터센터 전력 공급 확정")}</li></ul></div>
      <a href="/member/login.html">로그인 하고 구독하기 바로 가기</a>
    </header>
    <div id="container"><div class="main-col">
      <div class="top-story"><h2>{_a(201, "광주 인공지능 집적단지 2단계 예산 확보")}</h2>
        <p>{_a(201, "광주시가 인공지능 집적단지 2단계 사업 예산을 확보했다 본문 요약", ' class="lede"')}</p>
        <ul class="sub">
          <li>{_a(202, "집적단지 입주 기업 120곳 넘어서")}</li>
          <li>{_a(203, "데이터센터 냉각 설비 두고 논란 이어져")}</li></ul></div>
      <div class="latest"><ul>
        <li>{_a(301, "전남 해상풍력 송전망 연결 지연")}</li>
        <li>{_a(302, "광주 도시철도 2호선 시운전 시작")}</li>
        <li>{_a(303, "무등산 탐방객 역대 최다 기록 경신")}</li>
        <li>{_a(304, "지역 대학 AI 학과 신입생 모집 마감…")}</li></ul>
      {paging}</div>
      <div class="tab-box"><ul class="tabs"><li><a href="#t1">경제</a></li><li><a href="#t2">사회</a></li></ul>
        <div id="t1"><ul><li>{_a(401, "지역 중소기업 수출 실적 두 자릿수 증가")}</li>
          <li>{_a(402, "광주 소비자물가 석 달 연속 상승")}</li></ul></div>
        <div id="t2" style="display:none"><ul><li>{_a(403, "광산구 복지관 새 단장 마치고 개관")}</li>
          <li>{_a(404, "북구 청소년 문화의 집 프로그램 확대")}</li></ul></div></div>
      <div class="section-box"><h3>문화</h3><ul><li>{_a(501, "비엔날레 관람객 30만 명 돌파 눈앞")}</li>
        <li>{_a(502, "5·18 기념 음악회 금남로에서 열려")}</li></ul></div>
      <div class="section-box"><h3>스포츠</h3><ul><li>{_a(503, "타이거즈 개막 3연승 신바람 이어가")}</li>
        <li>{_a(504, "광주FC 홈 개막전 매진 사례 기록")}</li></ul></div>
    </div>
    <aside class="side-col">
      <div class="column-box"><h3>칼럼</h3><ul><li>{_a(601, "[시론] 데이터센터와 지역 전력의 미래")}</li>
        <li>{_a(602, "[기자수첩] 인공지능 도시의 조건을 묻다")}</li></ul></div>
      <div class="most-read"><h3>많이 본 뉴스</h3><ol><li>{_a(701, "광주 AI 데이터센터 착공 1년 무엇이 달라졌나")}</li>
        <li>{_a(301, "전남 해상풍력 송전망 연결 지연")}</li></ol></div>
      <div class="ad-box"><a href="/news/articleView.html?idxno=801">광고: 분양 정보 한눈에 보기 바로 가기</a></div>
      <div class="notice-box"><h3>알립니다</h3><ul><li>{_a(901, "본지 창간 30주년 기념 사진 공모전 안내")}</li>
        <li>{_a(902, "독자위원회 위원 모집 공고 안내입니다")}</li></ul></div>
    </aside></div>
    <footer>{_a(990, "청소년 보호 정책 및 책임자 안내 페이지")}</footer>
    </body></html>"""


def _ids(items: list) -> list[int]:  # type: ignore[type-arg]
    return [int(item.url.rsplit("=", 1)[1]) for item in items]


def test_a_home_page_keeps_every_box_of_articles_and_nothing_else() -> None:
    items = parse_listing(_page(), HOME)

    main = [101, 201, 202, 203, 301, 302, 303, 304, 401, 402, 403, 404, 501, 502, 503, 504]
    assert _ids(items) == [*main, 601, 602, 701]


def test_a_section_front_drops_its_side_column_and_most_read_box() -> None:
    head = f'<link rel="canonical" href="{SECTION}">'

    items = parse_listing(_page(head), HOME)  # fetched by the site's root URL, declaring its own address

    assert _ids(items) == [101, 201, 202, 203, 301, 302, 303, 304, 401, 402, 403, 404, 501, 502, 503, 504]


def test_a_list_page_keeps_the_region_of_its_main_list_and_paging() -> None:
    paging = '<div class="paging"><a href="?page=1">1</a><a href="?page=2">2</a><a href="?page=3">3</a></div>'

    items = parse_listing(_page(paging=paging), SECTION)

    assert _ids(items) == [301, 302, 303, 304]


def test_one_item_per_article_with_its_full_title() -> None:
    html = f"""<html><body><div class="main"><ul>
      <li>{_a(11, "광주 AI 집적단지 2단계…")}</li>
      <li>{_a(12, "무등산 국립공원 탐방로 정비")}</li></ul></div>
      <div class="photo"><ul>
      <li><a href="/news/articleView.html?idxno=11&amp;box=photo_01"><img src="a.jpg" alt="사진"></a>
        <a href="/news/articleView.html?idxno=11&amp;box=photo_02">광주 AI 집적단지 2단계 예산 확보</a></li>
      <li><a href="/news/articleView.html?idxno=13&amp;box=photo_03">송정역 복합환승센터 착공 확정</a></li></ul></div>
      <div class="wrapped"><ul><li><a href="/tools/redirect.html?url=%2Fnews%2FarticleView.html%3Fidxno%3D14">
        전남도 청년 일자리 사업 설명회</a></li><li>{_a(15, "나주 혁신도시 이전 기관 채용 확대")}</li></ul></div>
      </body></html>"""

    items = parse_listing(html, HOME)

    assert [(item.title, item.url) for item in items] == [
        ("광주 AI 집적단지 2단계 예산 확보", "https://www.mudeung-daily.example/news/articleView.html?idxno=11"),
        ("무등산 국립공원 탐방로 정비", "https://www.mudeung-daily.example/news/articleView.html?idxno=12"),
        # one link: its parameters as written (scrapers.urls decides which parameters are noise)
        (
            "송정역 복합환승센터 착공 확정",
            "https://www.mudeung-daily.example/news/articleView.html?box=photo_03&idxno=13",
        ),
        ("전남도 청년 일자리 사업 설명회", "https://www.mudeung-daily.example/news/articleView.html?idxno=14"),
        ("나주 혁신도시 이전 기관 채용 확대", "https://www.mudeung-daily.example/news/articleView.html?idxno=15"),
    ]


def test_an_article_under_a_section_prefix_is_listed_once_under_the_shorter_path() -> None:
    """A site serving one article as `/news/…?idxno=21` and `/cloud/news/…?idxno=21` lists it once; two
    boards that number their posts apart (`/notice/view.do?seq=105231`, `/press/view.do?seq=105231`) stay two."""
    html = f"""<html><body><div class="main"><ul>
      <li>{_a(21, "광주 국가AI데이터센터 GPU 추가 구축")}</li>
      <li>{_a(22, "첨단3지구 인공지능 기업 입주 본격화")}</li></ul></div>
      <div class="cloud"><h3>클라우드</h3><ul>
      <li><a href="/cloud/news/articleView.html?idxno=21">광주 국가AI데이터센터 GPU 추가 구축</a></li>
      <li><a href="/cloud/news/articleView.html?idxno=23">클라우드 보안 인증 제도 개편 추진</a></li></ul></div>
      <div class="boards"><h3>기관 소식</h3><ul>
      <li><a href="/notice/view.do?seq=105231">인공지능 실증 사업 참여 기업 모집 공고</a></li>
      <li><a href="/press/view.do?seq=105231">AI 집적단지 기업 지원 보도 설명 자료</a></li></ul></div>
      </body></html>"""

    urls = [item.url.removeprefix("https://www.mudeung-daily.example") for item in parse_listing(html, HOME)]

    assert urls == [
        "/news/articleView.html?idxno=21",
        "/news/articleView.html?idxno=22",
        "/cloud/news/articleView.html?idxno=23",
        "/notice/view.do?seq=105231",
        "/press/view.do?seq=105231",
    ]
