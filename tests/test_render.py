"""The channel message: exact golden files for the usual shapes, and properties every message keeps.

Golden files live in tests/golden/. After a deliberate change to the layout, rewrite them with
`UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_render.py` and review the diff.
"""

from __future__ import annotations

import os
import random
from datetime import UTC, date, datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bot.render import (
    MAX_TEXT_LENGTH,
    PostView,
    render_alert,
    render_digest,
    render_post,
    trim_summary,
    visible_length,
    visible_text,
)
from tests.servers.telegram_api import parse_html

GOLDEN = Path(__file__).with_name("golden")
KST_TZ = timezone(timedelta(hours=9))

NORMAL = PostView(
    title="광주에 국가AI컴퓨팅센터 들어선다…GPU 1만장 규모",
    url="https://www.kwangju.co.kr/article.php?aid=1738743300780001234",
    outlet="광주일보",
    published_at=datetime(2025, 2, 5, 8, 15, tzinfo=UTC),  # 17:15 KST
    summary="광주시가 국가AI컴퓨팅센터 유치에 성공했다. 센터에는 GPU 1만장 규모의 연산 자원이 들어선다.",
    topics=("데이터센터", "GPU"),
)
GROUPED = PostView(
    title="광주시, AI 2단계 사업 예타 면제 최종 확정",
    url="https://www.newsis.com/view/NISX20250822_0003300001",
    outlet="뉴시스",
    published_at=datetime(2025, 8, 22, 14, 30, tzinfo=KST_TZ),
    summary="광주시의 인공지능 2단계 사업이 예비타당성조사 면제를 최종 확정받았다. 총사업비는 6,000억원이다.",
    topics=("AI 집적단지", "AX 실증밸리"),
    also=(
        ("광주일보", "http://m.kwangju.co.kr/article.php?aid=1755852600788383277"),
        ("KBC광주방송", "http://www.kjbbs.co.kr/bbs/board.php?bo_table=sub03_01&wr_id=6447"),
    ),
)
HOSTILE = PostView(
    title='<script>alert("x")</script> & <b>굵게</b> "따옴표" \'홑따옴표\'',
    url='https://evil.example/?a=1&b="2"&c=<3>',
    outlet='A&B <i>뉴스</i> "社"',
    published_at=None,
    summary='요약에 <a href="javascript:alert(1)">링크</a>와 &amp; 그리고 &lt;tag&gt; 와 & 홀로.',
    topics=("<GPU>", "데이터 센터", "A&B"),
    also=(("<b>또</b>", 'javascript:alert("also")'), ('"인용"&', "https://ok.example/a?b=1&c=2")),
)
_SENTENCES = [
    "광주시는 {n}차 설명회에서 국가AI컴퓨팅센터 조성 계획을 자세히 밝혔다.",
    "시 관계자는 “전력과 부지, 인재가 모두 준비돼 있다”고 강조했다.",
    "센터에는 GPU {n}00장 규모의 연산 자원이 단계적으로 들어설 예정이다.",
]
LONG_SUMMARY = " ".join(_SENTENCES[i % 3].format(n=i + 1) for i in range(260))
LONG = PostView(
    title="광주 AI 데이터센터, 긴 요약",
    url="https://example.kr/long",
    outlet="예시일보",
    published_at=datetime(2025, 2, 5, 17, 15),
    summary=LONG_SUMMARY,
    topics=("데이터센터",),
)
DIGEST_POSTS = [
    NORMAL,
    GROUPED,
    PostView(
        title="CES 2026서 ‘광주공동관’ 개관",
        url="https://www.wikitree.co.kr/articles/1108469",
        outlet="위키트리",
        published_at=None,
        summary="",
    ),
    PostView(
        title="<광주> AI영재고 & 첨단3지구",
        url="https://example.kr/a?x=1&y=2",
        outlet='"따옴표" 신문',
        published_at=None,
        summary="",
    ),
]

GOLDEN_CASES = {
    "post_normal": lambda: render_post(NORMAL),
    "post_grouped": lambda: render_post(GROUPED),
    "post_hostile": lambda: render_post(HOSTILE),
    "post_long_summary": lambda: render_post(LONG),
    "digest": lambda: render_digest(date(2025, 2, 5), DIGEST_POSTS),
    "alert": lambda: render_alert('source 광주일보 failed 3 times: <html> 502 & "Bad Gateway"'),
}


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_golden(name: str) -> None:
    rendered = GOLDEN_CASES[name]()
    assert rendered is not None
    path = GOLDEN / f"{name}.html"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(rendered, encoding="utf-8")
    assert rendered == path.read_text(encoding="utf-8")


def test_the_normal_post_reads_as_specified() -> None:
    lines = render_post(NORMAL).split("\n")
    assert lines[0] == (
        '<b><a href="https://www.kwangju.co.kr/article.php?aid=1738743300780001234">'
        "광주에 국가AI컴퓨팅센터 들어선다…GPU 1만장 규모</a></b>"
    )
    assert lines[1] == "광주일보 · 2025.02.05 17:15"
    assert lines[2] == "" and lines[4] == ""
    assert lines[5] == "#데이터센터 #GPU"


def test_a_grouped_post_links_the_other_outlets_with_escaped_urls() -> None:
    last = render_post(GROUPED).split("\n")[-1]
    assert last == (
        '같은 소식: <a href="http://m.kwangju.co.kr/article.php?aid=1755852600788383277">광주일보</a>'
        ' · <a href="http://www.kjbbs.co.kr/bbs/board.php?bo_table=sub03_01&amp;wr_id=6447">'
        "KBC광주방송</a>"
    )


def test_hostile_strings_stay_text() -> None:
    rendered = render_post(HOSTILE)
    shown = visible_text(rendered)
    assert '<script>alert("x")</script>' in shown
    assert "javascript:" not in rendered.split("</b>")[0]  # the title link is the safe one
    assert 'href="javascript' not in rendered
    assert "&amp;amp;" in rendered  # a literal "&amp;" in the summary is shown as typed
    assert tags_of(rendered) == [("b", ()), ("a", ("href",)), ("a", ("href",))]


def test_a_long_summary_is_cut_at_a_sentence_end_to_fit() -> None:
    rendered = render_post(LONG)
    assert len(LONG_SUMMARY) > 10_000
    assert visible_length(rendered) <= MAX_TEXT_LENGTH
    summary = rendered.split("\n\n")[1]
    assert LONG_SUMMARY.startswith(summary)
    assert summary.endswith(("다.", "했다."))
    assert visible_length(rendered) > MAX_TEXT_LENGTH - 100  # trimmed, not gutted
    assert rendered.endswith("\n\n#데이터센터")


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        pytest.param("첫 문장이다. 둘째 문장이다.", 100, "첫 문장이다. 둘째 문장이다.", id="fits"),
        pytest.param("첫 문장이다. 둘째 문장이다.", 12, "첫 문장이다.", id="whole-sentences"),
        pytest.param("“인용이다.” 다음 문장.", 8, "“인용이다.”", id="sentence-ending-in-a-quote"),
        pytest.param("마침표 없는 아주 긴 한 문장", 10, "마침표 없는 아주…", id="no-sentence-end-cut-with-ellipsis"),
        pytest.param("GPU 88.5PF 규모다. 끝.", 12, "GPU 88.5PF…", id="decimal-point-is-not-an-end"),
        pytest.param("GPU 88.5PF 규모다.", 7, "GPU 88…", id="cut-right-after-a-decimal-point"),
        pytest.param(
            "짧다. " + "아주 긴 둘째 문장 " * 5,
            40,
            "짧다. 아주 긴 둘째 문장 아주 긴 둘째 문장 아주 긴 둘째 문장 아주…",
            id="one-short-sentence-does-not-gut-the-summary",
        ),
    ],
)
def test_trim_summary(text: str, limit: int, expected: str) -> None:
    assert trim_summary(text, limit) == expected
    assert len(trim_summary(text, limit)) <= limit


def test_many_other_outlets_are_counted_not_listed() -> None:
    post = PostView(
        title="t",
        url="https://a.kr/1",
        outlet="o",
        published_at=None,
        summary="s",
        also=tuple((f"신문{i}", f"https://n{i}.kr/x") for i in range(25)),
    )
    last = render_post(post).split("\n")[-1]
    assert last.count("<a ") == 10
    assert last.endswith(" · 외 15곳")


def test_the_summary_is_trimmed_before_the_other_outlets() -> None:
    post = PostView(
        title="t",
        url="https://a.kr/1",
        outlet="o",
        published_at=None,
        summary="가나다. " * 3000,
        also=(("광주일보", "https://k.kr/1"), ("뉴시스", "https://n.kr/2")),
    )
    rendered = render_post(post)
    assert visible_length(rendered) <= MAX_TEXT_LENGTH
    assert rendered.endswith('같은 소식: <a href="https://k.kr/1">광주일보</a> · <a href="https://n.kr/2">뉴시스</a>')


def test_digest_is_none_on_an_empty_day() -> None:
    assert render_digest(date(2025, 2, 5), []) is None


def test_a_long_digest_drops_lines_from_the_end() -> None:
    posts = [
        PostView(
            title=f"{i}번째 광주 AI 데이터센터 소식 " + "가" * 80,
            url=f"https://n.kr/{i}",
            outlet="뉴시스",
            published_at=None,
            summary="",
        )
        for i in range(200)
    ]
    rendered = render_digest(date(2025, 2, 5), posts)
    assert rendered is not None
    assert visible_length(rendered) <= MAX_TEXT_LENGTH
    lines = rendered.split("\n")
    shown = sum(1 for line in lines if line.startswith("• "))
    assert 0 < shown < 200
    assert lines[-1] == f"외 {200 - shown}건"
    assert lines[2].startswith('• <a href="https://n.kr/0">0번째')


# -- properties for any input -----------------------------------------------------------------------

ALLOWED = {"b", "a", "i"}


class _TagCollector(HTMLParser):
    """Python's HTML parser as an independent reader: records tags and checks they nest."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, tuple[str, ...]]] = []
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, tuple(name for name, _ in attrs)))
        self.stack.append(tag)
        if tag == "a" and not (dict(attrs).get("href") or "").startswith(("http://", "https://")):
            self.errors.append(f"link to {dict(attrs).get('href')!r}")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(f"unbalanced </{tag}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.errors.append(f"self-closing <{tag}/>")

    def handle_comment(self, data: str) -> None:
        self.errors.append("comment")

    def handle_decl(self, decl: str) -> None:
        self.errors.append("declaration")


def tags_of(rendered: str) -> list[tuple[str, tuple[str, ...]]]:
    collector = _TagCollector()
    collector.feed(rendered)
    collector.close()
    assert not collector.errors, collector.errors
    assert not collector.stack, f"unclosed {collector.stack}"
    assert {tag for tag, _ in collector.tags} <= ALLOWED
    return collector.tags


HOSTILE_PIECES = [
    "<",
    ">",
    "&",
    '"',
    "'",
    "&amp;",
    "&lt;",
    "&#x27;",
    "&#0;",
    "&nbsp;",
    "<b>",
    "</a>",
    "<!--",
    "-->",
    "<script>",
    "javascript:",
    "\n",
    "\r\n",
    "\x00",
    "\x0b",
    "\u200b",
    "\ud800",
    " ",
    "  ",
    "광주",
    "AI",
    "데이터센터",
    "다.",
    "…",
    "“",
    "”",
    "👍",
    "👨‍👩‍👧",
    "e\u0301",
    "#",
    "https://x.kr/?a=1&b=2",
    "한국어 문장이다. ",
]


def _hostile(rng: random.Random, max_pieces: int) -> str:
    pieces = rng.choices(HOSTILE_PIECES, k=rng.randint(0, max_pieces))
    if rng.random() < 0.2:
        pieces.append(rng.choice(HOSTILE_PIECES) * rng.randint(500, 6000))
    return "".join(pieces)


def _random_post(rng: random.Random) -> PostView:
    url = rng.choice(
        [
            "https://news.kr/a?id=1&x=2",
            "javascript:alert(1)",
            "",
            _hostile(rng, 5),
            "https://x.kr/" + "a" * rng.choice([10, 3000]),
        ]
    )
    return PostView(
        title=_hostile(rng, 20),
        url=url,
        outlet=_hostile(rng, 6),
        published_at=rng.choice([None, datetime(2025, 2, 5, 17, 15), datetime(2025, 2, 5, 8, 15, tzinfo=UTC)]),
        summary=_hostile(rng, 400),
        topics=tuple(_hostile(rng, 3) for _ in range(rng.randint(0, 15))),
        also=tuple(
            (_hostile(rng, 4), rng.choice([url, "https://o.kr/" + _hostile(rng, 3)]))
            for _ in range(rng.choice([0, 1, 3, 40]))
        ),
    )


def assert_telegram_accepts(rendered: str) -> None:
    tags_of(rendered)
    shown, _entities = parse_html(rendered)  # the tdlib-like parser of the fake Bot API server
    assert shown == visible_text(rendered)
    assert 0 < len(shown) <= MAX_TEXT_LENGTH
    assert len(rendered.encode("utf-8")) <= 32768


@pytest.mark.parametrize("seed", range(40))
def test_any_post_is_valid_telegram_html_within_the_limit(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(10):
        assert_telegram_accepts(render_post(_random_post(rng)))


@pytest.mark.parametrize("seed", range(10))
def test_any_digest_is_valid_telegram_html_within_the_limit(seed: int) -> None:
    rng = random.Random(1000 + seed)
    posts = [_random_post(rng) for _ in range(rng.choice([1, 5, 300]))]
    rendered = render_digest(date(2025, 2, 5), posts)
    assert rendered is not None
    assert_telegram_accepts(rendered)


@pytest.mark.parametrize("seed", range(5))
def test_any_alert_is_valid_telegram_html_within_the_limit(seed: int) -> None:
    rendered = render_alert(_hostile(random.Random(2000 + seed), 3000))
    assert rendered.startswith("⚠️ ")
    assert_telegram_accepts(rendered)


@pytest.mark.parametrize(
    ("html_text", "expected"),
    [
        pytest.param("<b>굵게</b>", 2, id="tags-do-not-count"),
        pytest.param("a &amp; b &lt;c&gt; &quot;", 11, id="entities-count-once"),
        pytest.param("&#x1F44D;&#128077;", 2, id="numeric-entities"),
        pytest.param("&nbsp;", 6, id="unsupported-entity-kept-literally"),
        pytest.param("  \n 글 \n ", 1, id="surrounding-whitespace-trimmed"),
        pytest.param("👨‍👩‍👧", 5, id="code-points-not-graphemes"),
    ],
)
def test_visible_length_counts_like_telegram(html_text: str, expected: int) -> None:
    assert visible_length(html_text) == expected
    assert len(parse_html(html_text)[0]) == expected


def test_digest_by_storyline_puts_a_thread_under_its_name() -> None:
    from bot.render import render_digest_by_storyline

    def post(i: int) -> PostView:
        return PostView(
            title=f"소식 {i} <광주>", url=f"https://n.kr/{i}", outlet="뉴시스", published_at=None, summary=""
        )

    rendered = render_digest_by_storyline(
        date(2025, 10, 23), [("국가AI컴퓨팅센터 <유치>", [post(1), post(2)]), ("한 건", [post(3)]), ("빈", [])]
    )
    assert rendered == "\n".join(
        [
            "<b>오늘의 광주 AI 인프라 소식 (2025.10.23)</b>",
            "",
            "<b>▸ 국가AI컴퓨팅센터 &lt;유치&gt;</b> (2건)",
            '  • <a href="https://n.kr/1">소식 1 &lt;광주&gt;</a> — 뉴시스',
            '  • <a href="https://n.kr/2">소식 2 &lt;광주&gt;</a> — 뉴시스',
            '• <a href="https://n.kr/3">소식 3 &lt;광주&gt;</a> — 뉴시스',
        ]
    )
    assert render_digest_by_storyline(date(2025, 10, 23), [("빈", [])]) is None


def test_a_long_digest_by_storyline_drops_lines_and_counts_the_stories_left_out() -> None:
    from bot.render import render_digest_by_storyline

    threads = [
        (
            f"줄기 {t}",
            [
                PostView(
                    title=f"{t}-{i} " + "가" * 80,
                    url=f"https://n.kr/{t}/{i}",
                    outlet="뉴시스",
                    published_at=None,
                    summary="",
                )
                for i in range(5)
            ],
        )
        for t in range(40)
    ]
    rendered = render_digest_by_storyline(date(2025, 2, 5), threads)
    assert rendered is not None
    assert visible_length(rendered) <= MAX_TEXT_LENGTH
    lines = rendered.split("\n")
    shown = sum(1 for line in lines if line.lstrip().startswith("• "))
    assert 0 < shown < 200
    assert lines[-1] == f"외 {200 - shown}건"
