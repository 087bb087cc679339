"""Three small outlets for end-to-end tests, each its own `NewsSite` server on loopback.

- 광주일보: a UTF-8 NDSoft-style article list (`/news/articleList.html`).
- 남도일보: a table board in EUC-KR whose charset is declared only in `<meta>` (the server sends
  `Content-Type: text/html` with no charset).
- 뉴스피드: an RSS 2.0 feed (`/rss.xml`).

They carry overlapping stories, as real outlets do: one wire story appears on two lists under two
headlines, and the feed links one board article with tracking parameters added. Dates are relative to
the moment the site is built, so the backfill window can be tested.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from zoneinfo import ZoneInfo

from tests.servers.news_site import NewsSite, Page

KST = ZoneInfo("Asia/Seoul")


@dataclass
class Story:
    outlet: str  # "kwangju" | "namdo" | "feed"
    key: str
    title: str
    body: list[str]  # paragraphs
    age: timedelta
    relevant: bool
    link: str | None = None  # for the feed: where the item points (default: its own article page)


DATACENTER_BODY = [
    "[광주=뉴스1] 김민수 기자 = 광주광역시는 국가AI데이터센터에 그래픽처리장치(GPU) 1,000장을 추가로 구축해 "
    "지역 인공지능 기업에 제공한다고 5일 밝혔다.",
    "추가 구축으로 데이터센터의 연산 능력은 88.5PF에서 120PF로 늘어난다.",
    "시는 첨단3지구 인공지능 집적단지 입주 기업을 우선 지원할 계획이다.",
    "“지역 AI 기업이 수도권에 가지 않고도 충분한 컴퓨팅 자원을 쓰게 될 것”이라고 시 관계자는 말했다.",
    "ⓒ 광주일보 무단전재 및 재배포 금지",
]


def default_stories() -> list[Story]:
    hour = timedelta(hours=1)
    return [
        Story(
            "kwangju",
            "dc",
            "광주 국가AI데이터센터, GPU 1000장 추가 구축…지역 기업 지원",
            DATACENTER_BODY,
            2 * hour,
            True,
        ),
        Story(
            "kwangju",
            "pepper",
            "AI페퍼스, 흥국생명 꺾고 3연승…광주 홈 팬 열광",
            ["광주 페퍼스타디움에서 열린 경기에서 AI페퍼스가 승리했다."],
            3 * hour,
            False,
        ),
        Story(
            "kwangju",
            "old",
            "광주시, 인공지능 집적단지 2단계 예비타당성 조사 통과",
            ["광주광역시의 인공지능 집적단지 2단계 사업이 예비타당성 조사를 통과했다."],
            timedelta(days=10),
            True,
        ),
        Story(
            "namdo",
            "dc-copy",
            "광주 국가AI데이터센터에 GPU 1000장 추가…AI 기업 지원 확대",
            [
                "[광주=뉴시스] 박지영 기자 = 광주광역시가 국가AI데이터센터에 그래픽처리장치(GPU) 1,000장을 추가로 "
                "구축해 지역 인공지능 기업에 제공한다고 5일 밝혔다.",
                "데이터센터 연산 능력은 88.5PF에서 120PF로 늘어난다.",
            ],
            90 * timedelta(minutes=1),
            True,
        ),
        Story(
            "namdo",
            "cluster",
            "첨단3지구 AI 집적단지 입주 기업 100곳 돌파",
            [
                "광주 첨단3지구 인공지능 산업융합 집적단지에 입주한 기업이 100곳을 넘어섰다고 "
                "인공지능산업융합사업단이 밝혔다.",
                "사업단은 입주 기업에 GPU 자원과 실증 공간을 제공하고 있다.",
                "올해 안에 150곳까지 늘리는 것이 목표다.",
            ],
            4 * hour,
            True,
        ),
        Story(
            "namdo",
            "gyeonggi",
            "경기 광주시 오포읍 데이터센터 건립 주민설명회 무산",
            ["경기도 광주시 오포읍에 추진 중인 데이터센터 건립 주민설명회가 주민 반발로 무산됐다."],
            5 * hour,
            False,
        ),
        Story(
            "feed",
            "cluster-via-feed",
            "첨단3지구 AI 집적단지 입주 기업 100곳 돌파 - 남도일보",
            [],
            4 * hour,
            True,
            link="namdo:cluster",
        ),
        Story(
            "feed",
            "power",
            '국가AI컴퓨팅센터 광주 유치 청신호…한전 "전력 120㎿ 공급 가능"',
            [
                "광주광역시가 추진하는 국가AI컴퓨팅센터 유치에 필요한 전력 120㎿를 공급할 수 있다는 한국전력의 "
                "기술 검토 결과가 나왔다.",
                "시는 이를 토대로 정부 공모에 대응할 계획이다.",
                "전력 확보는 컴퓨팅센터 입지 평가의 핵심 항목이다.",
            ],
            1 * hour,
            True,
        ),
        Story(
            "feed",
            "birdflu",
            "광주 북구 오리농장 고병원성 AI 확진…방역 비상",
            ["광주 북구의 한 오리농장에서 고병원성 조류인플루엔자(AI)가 확진됐다."],
            6 * hour,
            False,
        ),
    ]


class Outlets:
    """Builds and serves the three outlets; `add(story)` publishes a new article while running."""

    def __init__(self, stories: list[Story] | None = None, now: datetime | None = None) -> None:
        self.sites = {name: NewsSite().start() for name in ("kwangju", "namdo", "feed")}
        self.now = now or datetime.now(KST)
        self.stories: list[Story] = []
        self._ids: dict[str, int] = {}
        for story in stories if stories is not None else default_stories():
            self.add(story)

    def close(self) -> None:
        for site in self.sites.values():
            site.stop()

    def __enter__(self) -> Outlets:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- URLs -----------------------------------------------------------------------------------
    def article_path(self, story: Story) -> str:
        n = self._ids[story.key]
        if story.outlet == "kwangju":
            return f"/news/articleView.html?idxno={n}"
        if story.outlet == "namdo":
            return f"/board/view.php?no={n}"
        return f"/article/{n}.html"

    def article_url(self, key: str) -> str:
        story = next(s for s in self.stories if s.key == key)
        return self.sites[story.outlet].url(self.article_path(story))

    @property
    def listing_urls(self) -> dict[str, str]:
        return {
            "광주일보": self.sites["kwangju"].url("/news/articleList.html"),
            "남도일보": self.sites["namdo"].url("/board/list.php"),
            "뉴스피드": self.sites["feed"].url("/rss.xml"),
        }

    # -- publishing -----------------------------------------------------------------------------
    def add(self, story: Story) -> None:
        self._ids[story.key] = 1000 + len(self._ids)
        self.stories.append(story)
        if story.body:
            self.sites[story.outlet].add(self.article_path(story), self._article_page(story))
        self._publish_lists()

    def _when(self, story: Story) -> datetime:
        return self.now - story.age

    def _article_page(self, story: Story) -> Page:
        when = self._when(story).isoformat(timespec="seconds")
        paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in story.body)
        outlet = {"kwangju": "광주일보", "namdo": "남도일보", "feed": "뉴스피드"}[story.outlet]
        doc = f"""<!doctype html><html lang="ko"><head>
<meta charset="{"euc-kr" if story.outlet == "namdo" else "utf-8"}">
<title>{html.escape(story.title)} - {outlet}</title>
<meta property="og:title" content="{html.escape(story.title)}">
<meta property="og:site_name" content="{outlet}">
<meta property="article:published_time" content="{when}">
<meta property="og:description" content="{html.escape(story.body[0][:120])}">
</head><body>
<header><nav><a href="/">홈</a> <a href="/news">뉴스</a> <a href="/sports">스포츠</a></nav></header>
<article><h1>{html.escape(story.title)}</h1>
<div class="byline">입력 {self._when(story).strftime("%Y.%m.%d %H:%M")}</div>
<div id="article-view-content-div">{paragraphs}</div></article>
<aside><h3>많이 본 뉴스</h3><ul><li><a href="/x/1">다른 기사 하나</a></li></ul></aside>
<footer>Copyright ⓒ {outlet}. All rights reserved.</footer></body></html>"""
        if story.outlet == "namdo":
            return Page(doc.encode("cp949"), content_type="text/html")
        return Page(doc.encode("utf-8"))

    def _publish_lists(self) -> None:
        self.sites["kwangju"].add("/news/articleList.html", self._ndsoft_list())
        self.sites["namdo"].add("/board/list.php", self._board_list())
        self.sites["feed"].add("/rss.xml", self._feed())

    def _ndsoft_list(self) -> Page:
        rows = []
        for s in sorted((s for s in self.stories if s.outlet == "kwangju"), key=lambda s: s.age):
            rows.append(f"""<li><h4 class="titles"><a href="{self.article_path(s)}">
{html.escape(s.title)}</a></h4><p class="lead">{html.escape(s.body[0][:80])}</p>
<span class="byline"><em>광주일보</em> <em>{self._when(s).strftime("%Y.%m.%d %H:%M")}</em></span></li>""")
        doc = f"""<!doctype html><html><head><meta charset="utf-8"><title>전체기사 - 광주일보</title></head><body>
<nav id="gnb"><ul><li><a href="/news/articleList.html?sc_section_code=S1N1">정치</a></li>
<li><a href="/news/articleList.html?sc_section_code=S1N2">경제</a></li>
<li><a href="/news/articleList.html?sc_section_code=S1N3">사회</a></li></ul></nav>
<section id="section-list"><ul class="type1">{"".join(rows)}</ul></section>
<div id="sections"><h3>많이 본 기사</h3><ul><li><a href="/news/articleView.html?idxno=7">
광주 도심 축제 성황리에 마무리…시민 5만명 몰려</a></li></ul></div>
<div class="pagination"><a href="?page=1">1</a><a href="?page=2">2</a><a href="?page=3">3</a></div>
<footer><a href="/com/about.html">회사소개</a> <a href="/com/privacy.html">개인정보처리방침</a></footer>
</body></html>"""
        return Page(doc.encode("utf-8"))

    def _board_list(self) -> Page:
        rows = []
        for s in sorted((s for s in self.stories if s.outlet == "namdo"), key=lambda s: s.age):
            n = self._ids[s.key]
            rows.append(f"""<tr><td class="num">{n}</td>
<td class="subject"><a href="/board/view.php?no={n}">{html.escape(s.title)}</a></td>
<td class="writer">남도일보</td><td class="date">{self._when(s).strftime("%Y-%m-%d %H:%M")}</td></tr>""")
        doc = f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=euc-kr">
<title>남도일보 - 최신기사</title></head><body>
<div id="menu"><a href="/">홈</a> | <a href="/board/list.php?cat=1">지역</a> |
<a href="/board/list.php?cat=2">경제</a></div>
<table class="board_list"><thead><tr><th>번호</th><th>제목</th><th>글쓴이</th><th>날짜</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table>
<div class="paging"><a href="/board/list.php?page=2">다음</a></div>
<div id="footer">남도일보 | 광주광역시 | 무단전재 금지</div></body></html>"""
        return Page(doc.encode("cp949"), content_type="text/html")

    def _feed(self) -> Page:
        items = []
        for s in sorted((s for s in self.stories if s.outlet == "feed"), key=lambda s: s.age):
            if s.link and s.link.startswith("namdo:"):
                target = next(t for t in self.stories if t.key == s.link.split(":", 1)[1])
                link = self.article_url(target.key) + "&utm_source=rss&utm_medium=feed"
            else:
                link = self.article_url(s.key)
            items.append(f"""<item><title>{html.escape(s.title)}</title><link>{html.escape(link)}</link>
<description>{html.escape(s.body[0][:100] if s.body else "")}</description>
<pubDate>{format_datetime(self._when(s))}</pubDate></item>""")
        doc = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>뉴스피드</title><link>{self.sites["feed"].url("/")}</link>
<description>지역 뉴스</description>{"".join(items)}</channel></rss>"""
        return Page(doc.encode("utf-8"), content_type="application/rss+xml; charset=utf-8")


def sources_of(outlets: Outlets) -> dict[str, tuple[str, str]]:
    """The three outlets as sources {name: (url, type)}, for `tests.conftest.write_config`."""
    urls = outlets.listing_urls
    return {
        "광주일보": (urls["광주일보"], "html"),
        "남도일보": (urls["남도일보"], "html"),
        "뉴스피드": (urls["뉴스피드"], "rss"),
    }
