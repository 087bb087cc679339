"""Generated Korean news pages for the benchmarks: NDSoft-style article lists of about 100 KB and articles.

Deterministic: the same article id always gets the same headline, so a page that moves on (new
articles on top) shows the old ones unchanged, as a real listing does. Headlines are ordinary local
news (traffic, weather, culture, sports, district notices, some of them in 광주); with `relevant_every`
every n-th article id is an AI-infrastructure story about 광주, whose article page says so in its body.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from scrapers.dates import KST

PAGE_BYTES = 100_000
ITEMS_PER_PAGE = 25
OUTLETS = [
    "빛고을데일리",
    "무등타임스",
    "남도저널",
    "영산강신문",
    "호남경제",
    "서남일보",
    "금남로뉴스",
    "전남투데이",
    "광산일보",
    "충장신문",
    "목포저널",
    "순천데일리",
]
SECTIONS = ["정치", "경제", "사회", "문화", "스포츠", "지역", "교육", "오피니언"]
PLACES = [
    "광주 북구",
    "광주 남구",
    "광주 서구",
    "광산구",
    "목포시",
    "순천시",
    "여수시",
    "나주시",
    "담양군",
    "화순군",
    "전남도",
    "무안군",
    "해남군",
    "광양시",
    "곡성군",
    "구례군",
]
SUBJECTS = [
    "겨울철 한파 대비 취약계층 점검",
    "시내버스 노선 개편안 공개",
    "전통시장 활성화 축제 개막",
    "도서관 야간 개방 확대",
    "어린이 보호구역 과속 단속 강화",
    "청년 월세 지원 신청 접수",
    "하천 정비사업 착공",
    "노인 일자리 박람회 개최",
    "김장 나눔 행사 열려",
    "생활체육 대회 성료",
    "미세먼지 저감 대책 발표",
    "문화재 야행 관람객 몰려",
    "농산물 직거래 장터 운영",
    "폭설 대비 제설 장비 점검",
    "지방의회 예산 심의 돌입",
    "주민자치 우수사례 선정",
    "공공 산후조리원 건립 추진",
    "도로 포장 공사로 일부 구간 통제",
    "상수도 요금 동결 결정",
    "고교 신입생 배정 결과 발표",
    "청소년 오케스트라 정기 공연",
    "프로축구 홈 개막전 매진",
    "야구장 리모델링 설계 공모",
    "한우 브랜드 가격 안정 대책",
    "섬 지역 여객선 증편",
]
TAILS = ["", "…주민 호응", "…내달까지", "…예산 12억 투입", "…현장 점검", "…시민 의견 수렴", "…올해 첫 시행"]
RELEVANT = [
    "{co}, 광주 국가 AI 데이터센터에 GPU {g}장 공급",
    "광주시·{co}, AI 집적단지 {n}차 사업 협약",
    "{co} 광주 인공지능 데이터센터 입주…{g}억 투자",
    "광주 AI 컴퓨팅센터 {n}단계에 {co} 참여",
    "{co}, 광주 첨단3지구에 AI 연구소 개소",
]
COMPANY_SYLLABLES = "가나다라마바사아자차카타파하한국대성진우현서윤태"
COMPANY_SUFFIXES = ["테크", "AI", "클라우드", "시스템즈", "랩스", "네트웍스"]
LEAD = (
    "지역 주민과 관계 기관이 참여한 가운데 관련 사업이 차례로 추진되고 있으며 담당 부서는 "
    "시민 불편을 최소화하기 위해 현장 안내를 강화하겠다고 밝혔다."
)


SHARED_BASE = 10**12  # ids from here on are one host's wire copies: relevant, listed on every section


def relevant(article_id: int, relevant_every: int = 0) -> bool:
    return article_id >= SHARED_BASE or (bool(relevant_every) and article_id % relevant_every == 0)


def shared_ids(host_index: int, shared: int) -> list[int]:
    """The relevant articles every section page of a host lists (a wire story on many sections)."""
    return [SHARED_BASE + host_index * 1000 + k for k in range(shared)]


def headline(article_id: int, relevant_every: int = 0) -> str:
    rng = random.Random(article_id)
    if relevant(article_id, relevant_every):
        company = "".join(rng.choices(COMPANY_SYLLABLES, k=2)) + rng.choice(COMPANY_SUFFIXES)
        return rng.choice(RELEVANT).format(co=company, n=rng.randint(2, 9), g=rng.randint(10, 99) * 100)
    return f"{rng.choice(PLACES)}, {rng.choice(SUBJECTS)}{rng.choice(TAILS)}"


def _when(article_id: int, now: datetime) -> datetime:
    return now - timedelta(minutes=(article_id % 997) % 600)


def _filler(n_bytes: int, seed: int) -> str:
    """Inline script and style of the kind CMS pages carry (ad slots, tracking, menus)."""
    rng = random.Random(seed)
    lines: list[str] = []
    size = 0
    k = 0
    while size < n_bytes:
        k += 1
        line = (
            f"  window.adSlots.push({{id:'slot-{k}',unit:'/{rng.randrange(10**8)}/news_{k % 7}',"
            f"sizes:[[300,250],[728,90]],refresh:{rng.randint(30, 90)},lazy:true}});\n"
        )
        lines.append(line)
        size += len(line.encode())
    return "".join(lines)


def listing_page(
    host_index: int,
    page_index: int,
    newest_id: int,
    *,
    relevant_every: int = 0,
    now: datetime | None = None,
    size: int = PAGE_BYTES,
    shared: int = 0,
) -> bytes:
    """One article list: ITEMS_PER_PAGE items with ids newest_id, newest_id-1, ..., padded to `size` bytes;
    with `shared`, the host's shared articles first (`shared_ids`)."""
    now = now or datetime.now(KST)
    outlet = OUTLETS[host_index % len(OUTLETS)]
    section = SECTIONS[page_index % len(SECTIONS)]
    list_url = "/news/articleList.html?sc_section_code=S"
    nav = "".join(f'<li><a href="{list_url}1N{i}&amp;view_type=sm">{SECTIONS[i % 8]} {i}</a></li>' for i in range(60))
    items = []
    for article_id in [*shared_ids(host_index, shared), *range(newest_id, newest_id - ITEMS_PER_PAGE, -1)]:
        title = headline(article_id, relevant_every)
        when = _when(article_id, now).strftime("%Y.%m.%d %H:%M")
        href = f"/news/articleView.html?idxno={article_id}"
        thumb = f"/news/thumbnail/{article_id}_sm.jpg"
        items.append(
            f'<li>\n<a href="{href}" class="thumb"><img src="{thumb}" alt=""></a>\n'
            f'<h4 class="titles"><a href="{href}" target="_top">{title}</a></h4>\n'
            f'<p class="lead line-6x2"><a href="{href}" target="_top" class="line-height-3-2x">'
            f"{LEAD}</a></p>\n"
            f'<span class="byline"><em>{section}</em><em>김기자 기자</em><em>{when}</em></span>\n</li>\n'
        )
    popular = "".join(
        f'<li><span class="number">{i + 1}</span><a href="/news/articleView.html?idxno={old}">{headline(old)}</a></li>'
        for i, old in enumerate(range(newest_id - 200, newest_id - 210, -1))
    )
    paging = "".join(f'<li><a href="{list_url}{page_index}&amp;page={p}">{p}</a></li>' for p in range(2, 11))
    head = (
        '<!DOCTYPE html>\n<html lang="ko">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{section} - {outlet}</title>\n"
        f'<link rel="canonical" href="{list_url}{page_index}&amp;view_type=sm">\n'
        "<script>\n window.adSlots = [];\n"
    )
    rest = (
        '</script>\n</head>\n<body>\n<div id="user-wrap">\n'
        f'<header id="user-header"><h1 class="logo"><a href="/">{outlet}</a></h1>\n'
        f'<nav id="user-nav"><ul class="nav-menu">{nav}</ul></nav></header>\n'
        '<div id="user-container"><div class="float-center max-width-1080">\n'
        '<section id="section-list" class="user-section">'
        f'<header class="box-title"><h3>{section}</h3></header>\n'
        f'<ul class="type2">\n{"".join(items)}</ul>\n'
        f'<div class="paging"><ul>{paging}</ul></div></section>\n'
        '<aside id="aside-wrap" class="side-wrap"><article class="box-skin">'
        '<header class="header"><h3>많이 본 뉴스</h3></header>'
        f'<ol class="auto-article">{popular}</ol></article></aside>\n</div></div>\n'
        f'<footer id="user-footer"><address>광주광역시 동구 금남로 000 · {outlet}</address>'
        '<a href="https://www.ndsoft.co.kr">Powered by NDSoft</a></footer>\n</div>\n</body>\n</html>\n'
    )
    pad = size - len(head.encode()) - len(rest.encode())
    return (head + _filler(max(pad, 0), host_index * 1000 + page_index) + rest).encode()


def article_page(article_id: int, *, relevant_every: int = 0, now: datetime | None = None) -> bytes:
    """The article behind a listing item: headline, date, and a body that agrees with the headline."""
    now = now or datetime.now(KST)
    title = headline(article_id, relevant_every)
    sentence = (
        "광주광역시는 첨단3지구 국가 AI 데이터센터에 고성능 GPU를 추가로 구축하고 인공지능 기업의 "
        "입주를 지원한다고 밝혔다. "
        if relevant(article_id, relevant_every)
        else f"{LEAD} "
    )
    paragraphs = "".join(f"<p>{sentence}관계자는 {i + 1}단계 일정도 함께 공개했다.</p>\n" for i in range(12))
    when = _when(article_id, now).isoformat()
    return (
        f'<!DOCTYPE html>\n<html lang="ko"><head><meta charset="utf-8"><title>{title}</title>\n'
        f'<meta property="og:title" content="{title}">\n'
        f'<meta property="article:published_time" content="{when}">\n</head><body>\n'
        f'<article id="article-view"><h3 class="heading">{title}</h3>\n'
        f'<article id="article-view-content-div" itemprop="articleBody">\n{paragraphs}</article></article>\n'
        "</body></html>\n"
    ).encode()
