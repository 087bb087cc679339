"""Telegram message text (parse_mode=HTML), as pure functions.

Every scraped string (title, outlet, URL, summary, topic) goes through `html.escape(quote=True)`, and
the only tags written are b, a and i, so no page can inject markup. Telegram limits a message to 4096
characters counted after parsing (tags removed, entities decoded, surrounding whitespace trimmed, in
code points); `visible_length` counts the same way. Over the limit, the summary is trimmed first (at
a sentence end, else with "…"), then the 'also reported by' list ("외 N곳"). Trimming happens on the
raw strings before escaping, so a tag or an entity is never cut.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.coverage import CoverageReport
from bot.source_health import SourceAlert, SourceAlertKind
from bot.status import StatusSnapshot
from scrapers.dates import KST
from scrapers.models import ListingItem
from scrapers.text import strip_invisible
from state.records import StoryRecord

MAX_TEXT_LENGTH = 4096  # telegram.constants.MessageLimit.MAX_TEXT_LENGTH
MAX_RAW_BYTES = 32768  # the Bot API refuses longer raw text before parsing it

# Caps on single fields, so that only the summary and the lists can ever need trimming.
MAX_TITLE = 300
MAX_OUTLET = 60
MAX_TAG = 40
MAX_TAGS = 10
MAX_URL = 2000  # longer links are dropped (the text stays), not cut
MAX_ALSO = 10  # other outlets listed by name; the rest are counted ("외 N곳")

ELLIPSIS = "…"
DIGEST_HEADER = "오늘의 광주 AI 인프라 소식"
ALSO_LABEL = "같은 소식"
ALERT_PREFIX = "⚠️ "


@dataclass(frozen=True, slots=True)
class PostView:
    title: str
    url: str
    outlet: str
    published_at: datetime | None
    summary: str
    topics: tuple[str, ...] = ()
    also: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (outlet, url) of later copies


def view_of(story: StoryRecord) -> PostView:
    """The renderer's view of a remembered story."""
    return PostView(
        title=story.title,
        url=story.link or story.url,
        outlet=story.outlet,
        published_at=datetime.fromtimestamp(story.published_at, KST) if story.published_at else None,
        summary=story.summary,
        topics=tuple(story.topics),
        also=tuple((c.outlet, c.url) for c in story.also),
    )


# -- counting like Telegram ------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]*>")
_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _decode(match: re.Match[str]) -> str:
    name, dec, hexa = match.groups()
    if name:
        return _NAMED[name]
    code = int(dec) if dec else int(hexa, 16)
    if 0 < code < 0x110000 and not 0xD800 <= code < 0xE000:
        return chr(code)
    return match.group(0)  # not a character: Telegram keeps it literally


def visible_text(html_text: str) -> str:
    """The text Telegram shows: tags removed, its entities decoded, surrounding whitespace trimmed."""
    return _ENTITY.sub(_decode, _TAG.sub("", html_text)).strip()


def visible_length(html_text: str) -> int:
    """Telegram's length of a parse_mode=HTML message: code points of `visible_text`."""
    return len(visible_text(html_text))


def _fits(html_text: str) -> bool:
    return visible_length(html_text) <= MAX_TEXT_LENGTH and len(html_text.encode()) <= MAX_RAW_BYTES


# -- cleaning and cutting raw strings --------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")  # become a space
_SENTENCE_END = re.compile(r"[.!?。…][\"'”’)\]]*(?=\s|$)")


def _line(text: str) -> str:
    """One display line: control characters made spaces, invisible ones (bidi overrides that could make
    a title read backwards, zero-width and other format characters: `scrapers.text`) dropped,
    whitespace collapsed."""
    return " ".join(strip_invisible(_CONTROL.sub(" ", text)).split())


def _paragraphs(text: str) -> str:
    """Multi-line text: each line collapsed, empty lines dropped."""
    lines = (_line(part) for part in text.replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def _cut(text: str, limit: int) -> str:
    """`text` within `limit` code points, with "…" when cut (at a space when one is near)."""
    if len(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return ELLIPSIS[:limit]
    head = text[: limit - len(ELLIPSIS)]
    space = head.rfind(" ")
    if not text[len(head)].isspace() and space >= len(head) * 0.6:  # do not end inside a word
        head = head[:space]
    return head.rstrip() + ELLIPSIS


def trim_summary(text: str, limit: int) -> str:
    """`text` within `limit` code points: whole sentences when they fill at least half of it, else
    cut with "…"."""
    if len(text) <= limit:
        return text
    last_end = 0
    for match in _SENTENCE_END.finditer(text):
        if match.end() > limit:
            break
        last_end = match.end()
    if last_end and last_end >= limit // 2:
        return text[:last_end].rstrip()
    return _cut(text, limit)


def _safe_url(url: str) -> str | None:
    """The URL when it can be a link: http(s), no spaces, sane length; otherwise None (no link).
    It is still escaped where it is written."""
    url = url.strip()
    if (
        len(url) > MAX_URL
        or _CONTROL.search(url)
        or strip_invisible(url) != url
        or not re.match(r"https?://\S+$", url, re.IGNORECASE)
    ):
        return None
    return url


def _link(text: str, url: str) -> str:
    """`text` escaped, linked to `url` when that is a safe link."""
    safe = _safe_url(url)
    if safe is None:
        return html.escape(text, quote=True)
    return f'<a href="{html.escape(safe, quote=True)}">{html.escape(text, quote=True)}</a>'


def _kst(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=KST)  # naive times from Korean pages are KST
    return moment.astimezone(KST).strftime("%Y.%m.%d %H:%M")


def hashtag(topic: str) -> str:
    """A topic as a Telegram hashtag body: letters, digits, underscores ("AI 데이터센터" → AI데이터센터)."""
    return re.sub(r"[^\w]", "", _line(topic).replace(" ", ""))[:MAX_TAG]


def _tags(topics: Sequence[str]) -> list[str]:
    seen: list[str] = []
    for topic in topics:
        tag = hashtag(topic)
        if tag and not tag.isdigit() and tag not in seen:
            seen.append(tag)
    return seen[:MAX_TAGS]


# -- the post --------------------------------------------------------------------------------------


def _also_line(also: Sequence[tuple[str, str]], shown: int) -> str:
    links = [_link(_cut(_line(outlet) or "링크", MAX_OUTLET), url) for outlet, url in also[:shown]]
    rest = len(also) - shown
    if rest > 0:
        links.append(f"외 {rest}곳")
    return f"{ALSO_LABEL}: " + " · ".join(links)


def _compose(post: PostView, summary: str, also_shown: int) -> str:
    title = _cut(_line(post.title), MAX_TITLE) or _line(post.url)[:MAX_TITLE] or "(제목 없음)"
    lines = [f"<b>{_link(title, post.url)}</b>"]
    byline = [html.escape(_cut(_line(post.outlet), MAX_OUTLET), quote=True)] if _line(post.outlet) else []
    if post.published_at is not None:
        byline.append(_kst(post.published_at))
    if byline:
        lines.append(" · ".join(byline))
    if summary:
        lines += ["", html.escape(summary, quote=True)]
    tail = []
    tags = _tags(post.topics)
    if tags:
        tail.append(" ".join("#" + html.escape(t, quote=True) for t in tags))
    if post.also and also_shown >= 0:
        tail.append(_also_line(post.also, also_shown))
    if tail:
        lines += ["", *tail]
    return "\n".join(lines)


def render_post(post: PostView) -> str:
    """The channel post for one story: bold linked title, outlet · KST time, summary, hashtags and
    the other outlets that carried it. Always within Telegram's limits."""
    summary = _paragraphs(post.summary)
    also_shown = min(len(post.also), MAX_ALSO)
    text = _compose(post, summary, also_shown)
    if _fits(text):
        return text
    overflow = visible_length(text) - MAX_TEXT_LENGTH
    if overflow > 0:
        summary = trim_summary(summary, max(len(summary) - overflow, 0))
        text = _compose(post, summary, also_shown)
    while not _fits(text) and also_shown > 0:
        also_shown = _fewer(also_shown, lambda n: _fits(_compose(post, summary, n)))
        text = _compose(post, summary, also_shown)
    if not _fits(text):
        summary = trim_summary(summary, max(len(summary) - (visible_length(text) - MAX_TEXT_LENGTH), 0))
        text = _compose(post, summary, also_shown)
    if not _fits(text):  # only when the also-list alone is too big in raw bytes: leave it out
        text = _compose(post, summary, -1)
    return text


def _fewer(count: int, fits: Callable[[int], bool]) -> int:
    """The largest n < count with fits(n), by bisection; 0 when none."""
    low, high = 0, count - 1
    if fits(high):
        return high
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return low


# -- the digest and alerts -------------------------------------------------------------------------


def _digest_line(post: PostView) -> str:
    title = _cut(_line(post.title), MAX_TITLE) or "(제목 없음)"
    line = "• " + _link(title, post.url)
    outlet = _cut(_line(post.outlet), MAX_OUTLET)
    return f"{line} — {html.escape(outlet, quote=True)}" if outlet else line


def render_digest(day: date, posts: list[PostView]) -> str | None:
    """One message listing the day's stories as linked lines; None on a day without any."""
    return render_digest_by_storyline(day, [("", [p]) for p in posts])


def render_digest_by_storyline(day: date, threads: Sequence[tuple[str, Sequence[PostView]]]) -> str | None:
    """The day's digest with its stories grouped by storyline (bot.storylines): each thread of two or
    more stories under its name in bold (the caller's choice, e.g. the title of the storyline's first
    post), its stories as indented linked lines; a thread of one story is a plain line. Threads keep
    the order given. Over the limit, the last lines are dropped and counted ("외 N건"). None on a day
    without stories."""
    lines: list[str] = []
    for name, posts in threads:
        if not posts:
            continue
        if len(posts) == 1:
            lines.append(_digest_line(posts[0]))
            continue
        title = _cut(_line(name), MAX_TITLE) or "(제목 없음)"
        lines.append(f"<b>▸ {html.escape(title, quote=True)}</b> ({len(posts)}건)")
        lines += ["  " + _digest_line(p) for p in posts]
    stories = sum(len(posts) for _, posts in threads)
    if not stories:
        return None
    header = f"<b>{DIGEST_HEADER} ({day:%Y.%m.%d})</b>"

    def compose(shown: int) -> str:
        body = lines[:shown]
        hidden = stories - sum(1 for line in body if line.lstrip().startswith("• "))
        return "\n".join([header, "", *body, *([f"외 {hidden}건"] if hidden > 0 else [])])

    if _fits(compose(len(lines))):
        return compose(len(lines))
    return compose(_fewer(len(lines), lambda n: _fits(compose(n))))


WEEKLY_HEADER = "이번 주 광주 AI 인프라 소식"


def render_weekly(first: date, last: date, threads: Sequence[tuple[str, int, PostView]]) -> str | None:
    """The week's storylines (most stories first): each its name, its count and its latest post as a
    link; None for a week without stories."""
    if not threads:
        return None
    header = f"<b>{WEEKLY_HEADER} ({first:%m.%d}–{last:%m.%d})</b>"
    lines = []
    for name, count, latest in threads:
        title = _cut(_line(name), MAX_TITLE) or "(제목 없음)"
        if count == 1:
            lines.append(_digest_line(latest))
        else:
            latest_title = _cut(_line(latest.title), 80) or "(제목 없음)"
            lines.append(
                f"• <b>{html.escape(title, quote=True)}</b> {count}건 — 최근: {_link(latest_title, latest.url)}"
            )

    def compose(shown: int) -> str:
        rest = len(lines) - shown
        return "\n".join([header, "", *lines[:shown], *([f"외 {rest}개 이야기"] if rest > 0 else [])])

    if _fits(compose(len(lines))):
        return compose(len(lines))
    return compose(_fewer(len(lines), lambda n: _fits(compose(n))))


RETRACTION_NOTE = "정정: 관련 없는 기사로 삭제"  # what a post becomes when Telegram will not delete it


def render_alert(text: str) -> str:
    """An operational alert for the admins: the text escaped, prefixed with ⚠️, within the limit."""
    body = _paragraphs(text) or "(no details)"
    return html.escape(ALERT_PREFIX + _cut(body, MAX_TEXT_LENGTH - len(ALERT_PREFIX)), quote=True)


# -- what the operators read (alerts; the wording of admin replies is below) ----------------------------


def source_alert_text(alert: SourceAlert) -> str:
    if alert.kind is SourceAlertKind.RECOVERED:
        return f"소스 복구: {alert.source} — 다시 정상적으로 수집됩니다."
    return f"소스 장애: {alert.source} — {alert.failures}회 연속 실패.\n{alert.error}\n{alert.url}"


def chat_refused_alert(chat: int | str, error: str, waiting: int, retry_at: datetime) -> str:
    """The channel refuses the bot: nothing is given up; what waits goes out once it is fixed."""
    return (
        f"텔레그램 전송 불가 ({chat}): {error}.\n"
        f"대기 중인 메시지 {waiting}건은 그대로 보관되며, 봇을 채널에 다시 추가하거나 권한을 복구하면 "
        f"자동으로 전송됩니다 (다음 확인 {retry_at.astimezone(KST):%H:%M}, 이후 간격을 늘려 계속 확인). "
        "/retry 로 바로 다시 시도할 수 있습니다."
    )


def chat_restored_alert(chat: int | str, waiting: int) -> str:
    return f"텔레그램 전송 복구 ({chat}): 대기 중이던 메시지 {waiting}건을 이어서 전송합니다."


def state_unwritable_alert(error: str) -> str:
    return (
        f"상태 파일을 쓸 수 없습니다: {error}.\n"
        "기록할 수 없는 게시는 보내지 않습니다. 수집은 메모리에서 계속하고, 디스크에 다시 쓸 수 있게 되면 "
        "대기 중인 게시를 이어서 보냅니다. 이 상태로 종료하면 그동안 찾은 기사는 다음 실행에서 다시 찾습니다."
    )


def state_writable_alert(waiting: int) -> str:
    return f"상태 파일을 다시 쓸 수 있습니다. 대기 중인 메시지 {waiting}건을 보냅니다."


def gnews_alert(health: str, failing: bool) -> str:
    if failing:
        return (
            f"구글 뉴스 링크를 원문 주소로 바꾸지 못하고 있습니다: {health}. 해당 기사는 제목과 요약으로만 판단합니다."
        )
    return f"구글 뉴스 링크 변환이 다시 됩니다: {health}."


def chat_migrated_alert(old: int | str, new: int | str) -> str:
    return (
        f"채널이 새 ID로 옮겨졌습니다: {old} → {new}. 지금은 새 ID로 보내고 있습니다. "
        f"설정의 chat_id를 {new}로 바꾸세요."
    )


def parked_alert(kind: str, what: str, error: str) -> str:
    """A message Telegram refused for good; `what` names it (a post's headline and link)."""
    return f"메시지 전송 실패 ({kind}: {what}): {error}"


# -- admin command replies (HTML) ------------------------------------------------------------------


def ago(epoch: float | None, now: float) -> str:
    if not epoch:
        return "없음"
    seconds = max(0, int(now - epoch))
    if seconds < 120:
        return f"{seconds}초 전"
    if seconds < 7200:
        return f"{seconds // 60}분 전"
    if seconds < 172800:
        return f"{seconds // 3600}시간 전"
    return f"{seconds // 86400}일 전"


def _clip(text: str) -> str:
    limit = MAX_TEXT_LENGTH - 100
    return text if len(text) <= limit else text[:limit].rsplit("\n", 1)[0] + "\n…"


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def status_reply(snap: StatusSnapshot) -> str:
    failing = snap.failing
    lines = [
        "<b>상태</b>",
        f"가동: {ago(snap.runtime.started_at, snap.now).replace(' 전', '')}째",
        f"마지막 수집: {ago(snap.runtime.last_cycle_at, snap.now)}",
        f"소스: {len(snap.sources) - len(failing)}개 정상, {len(failing)}개 장애",
        f"대기 중인 게시: {snap.pending}건" + (" (일시정지됨)" if snap.paused else ""),
        f"실패한 게시: {snap.failed}건",
    ]
    for chat, block in snap.blocked_chats.items():
        lines.append(f"• 채널 {_esc(chat)} 전송 거부: {_esc(block.error)}")
    if snap.gnews:
        lines.append(f"• {_esc(snap.gnews)}")
    for s in failing:
        lines.append(f"• {_esc(s.name)}: {s.consecutive_failures}회 실패 — {_esc(s.last_error or '')}")
    return _clip("\n".join(lines))


def sources_reply(snap: StatusSnapshot) -> str:
    lines = [f"<b>소스 {len(snap.sources)}개</b>"]
    for s in snap.sources:
        if not s.polled:
            health = "아직 수집 전"
        elif s.failing:
            health = f"장애 {s.consecutive_failures}회: {s.last_error or ''}"
        else:
            health = f"정상, {s.last_item_count}건, {ago(s.last_ok_at, snap.now)}"
        lines.append(f"• {_esc(s.name)} ({s.type}, {s.interval_minutes:g}분): {_esc(health)}")
    return _clip("\n".join(lines))


def latest_reply(stories: Sequence[StoryRecord]) -> str:
    if not stories:
        return "아직 게시한 소식이 없습니다."
    lines = [f"<b>최근 소식 {len(stories)}건</b>"]
    for s in stories:
        when = datetime.fromtimestamp(s.published_at or s.first_seen, KST).strftime("%m.%d %H:%M")
        lines.append(f"• {_link(_cut(_line(s.title), MAX_TITLE), s.link or s.url)} — {_esc(s.outlet)} {when}")
    return _clip("\n".join(lines))


CHECK_SHOWN = 10  # items listed in the answer to /check


def check_reply(
    url: str, error: str | None, elapsed: float, found: int, shown: Sequence[tuple[ListingItem, bool]]
) -> str:
    """The answer to /check: how many items the listing has and the first few (★ relevant), or the error."""
    if error is not None:
        return f"❌ {_esc(url)}\n{_esc(error)}"
    lines = [f"✅ {_esc(url)}: 기사 {found}건 ({elapsed:.1f}초)"]
    for item, relevant in shown[:CHECK_SHOWN]:
        lines.append(f"{'★' if relevant else '·'} {_link(_cut(_line(item.title), MAX_TITLE), item.url)}")
    return _clip("\n".join(lines))


CHECK_USAGE = "사용법: /check https://목록-페이지-주소"
CHECK_UNAVAILABLE = "지금은 확인할 수 없습니다 (종료 중)."
PAUSED_REPLY = "⏸ 게시를 멈췄습니다. 새 소식은 대기열에 쌓입니다. /resume 으로 재개합니다."


def resumed_reply(pending: int) -> str:
    return f"▶️ 게시를 재개합니다. 대기 중 {pending}건."


def retried_reply(count: int) -> str:
    return f"🔁 실패한 게시 {count}건을 다시 대기열에 넣었습니다."


# -- the operator's loop: /missed, /post, /wrong, /story, /coverage ------------------------------------


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))}분"
    if seconds < 86400 * 2:
        return f"{seconds / 3600:.1f}시간"
    return f"{seconds / 86400:.1f}일"


def coverage_reply(report: CoverageReport) -> str:
    lines = [f"<b>수집 점검 (최근 {report.days:g}일)</b>", f"게시한 관련 소식 {report.stories}건"]
    if report.search_only:
        lines += ["", "<b>검색으로만 찾은 매체</b> (직접 소스로 추가를 검토하세요: "
                  "<code>gwangju-ai-watch discover 매체주소 --toml</code>)"]  # fmt: skip
        for gap in report.search_only:
            missed = " — 소스가 있는데 놓침" if gap.has_source else ""
            example = gap.examples[0] if gap.examples else None
            link = f": {_link(_cut(_line(example[0]), 60), example[1])}" if example else ""
            lines.append(f"• {_esc(gap.outlet)} {gap.stories}건{missed}{link}")
    lines += ["", "<b>소스별</b> (소식 수 · 게시까지 중앙값 / 90%)"]
    for s in sorted(report.sources, key=lambda s: (-s.stories, s.name)):
        if s.stories:
            kind = " [검색]" if s.search else ""
            delays = f"{_duration(s.median_delay)} / {_duration(s.p90_delay)}" if s.first else "먼저 찾은 소식 없음"
            lines.append(f"• {_esc(s.name)}{kind}: {s.stories}건 · {delays}")
    if report.silent:
        lines += ["", f"<b>{report.days:g}일간 관련 소식이 없는 소스</b> {len(report.silent)}개: "
                  + ", ".join(_esc(name) for name in report.silent)]  # fmt: skip
    return _clip("\n".join(lines))


@dataclass(frozen=True, slots=True)
class MissedFacts:
    """What the bot knows about an article an admin says it missed."""

    now: float
    title: str
    host: str
    error: str | None  # why the article could not be read
    story: tuple[str, str] | None  # (title, link) of the story it is already part of
    seen: tuple[float, str, bool] | None  # (when, source, relevant) it was first decided about
    listing_sources: tuple[str, ...]  # sources on the article's site
    suggestions: tuple[str, ...]  # feeds or list pages of the site worth adding
    relevant: bool
    undecided: bool
    reasons: tuple[str, ...]


def missed_reply(url: str, found: MissedFacts) -> str:
    """What happened to an article an admin says the bot missed."""
    lines = [f"<b>놓친 기사 확인</b>: {_link(_cut(_line(found.title or url), MAX_TITLE), url)}"]
    if found.error:
        lines.append(f"기사를 읽지 못했습니다: {_esc(found.error)}")
    if found.story is not None:
        lines.append(f"이미 게시한 소식입니다: {_link(_cut(_line(found.story[0]), 80), found.story[1])}")
    elif found.seen is not None:
        when, source, relevant = found.seen
        verdict = "관련 기사로 기록(오래된 기사라 게시하지 않음)" if relevant else "관련 없는 기사로 판단"
        lines.append(f"{_esc(source)}에서 {ago(when, found.now)} 수집했고, {verdict}했습니다.")
    elif found.listing_sources:
        lines.append(
            f"이 매체를 싣는 소스({_esc(', '.join(found.listing_sources))})가 있지만 아직 이 기사를 보지 못했습니다."
        )
    else:
        lines.append(f"이 매체({_esc(found.host)})를 싣는 소스가 없습니다. 소스로 추가하려면:")
        lines.append(f"<code>gwangju-ai-watch discover https://{_esc(found.host)}/ --toml</code>")
        for suggestion in found.suggestions[:3]:
            lines.append(f"• {_esc(suggestion)}")
    verdict_text = "관련 있음" if found.relevant else ("판단 보류" if found.undecided else "관련 없음")
    lines.append(f"지금 규칙의 판단: {verdict_text} — {_esc(', '.join(found.reasons) or '신호 없음')}")
    if found.story is None:
        lines.append(f"지금 게시하려면: /post {_esc(url)}")
    lines.append("이 사례는 피드백 파일에 기록했습니다.")
    return _clip("\n".join(lines))


def posted_reply(title: str, url: str, queued: bool) -> str:
    if not queued:
        return f"이미 게시된 소식입니다: {_link(_cut(_line(title), MAX_TITLE), url)}"
    return f"게시 대기열에 넣었습니다: {_link(_cut(_line(title), MAX_TITLE), url)}\n피드백 파일에 기록했습니다."


def wrong_reply(title: str, url: str, posted: bool) -> str:
    action = "채널에서 삭제합니다 (48시간이 지난 글은 정정 문구로 바꿉니다)" if posted else "게시하지 않습니다"
    return (
        f"잘못 게시된 소식으로 표시했습니다: {_link(_cut(_line(title), MAX_TITLE), url)}\n"
        f"{action}. 이 기사는 다시 게시하지 않으며, 피드백 파일에 기록했습니다."
    )


WRONG_USAGE = (
    "사용법: /wrong 기사주소 | /wrong https://t.me/채널/글번호 | 채널 글을 전달받은 뒤 그 글에 답장으로 /wrong"
)
WRONG_UNKNOWN = "그 기사나 글로 게시한 소식을 찾지 못했습니다."
WRONG_NOT_OURS = "이 채널의 글이 아닙니다. 봇이 게시하는 채널의 글을 전달해 주세요."
URL_USAGE = "사용법: /{command} https://기사-주소"


def story_reply(story: StoryRecord, thread_title: str | None, thread_size: int) -> str:
    lines = [f"<b>소식 {story.id}</b>: {_link(_cut(_line(story.title), MAX_TITLE), story.link or story.url)}"]
    lines.append(f"매체: {_esc(story.outlet)} · 수집한 소스: {_esc(', '.join(story.sources) or '-')}")
    if story.also:
        lines.append("같은 소식: " + ", ".join(_link(_cut(_line(c.outlet), MAX_OUTLET), c.url) for c in story.also))
    if thread_title is not None:
        lines.append(f"이야기 줄기: {_esc(_cut(_line(thread_title), 80))} ({thread_size}건)")
    if story.retracted:
        lines.append("운영자가 잘못된 게시로 표시했습니다.")
    if story.why:
        lines += ["", "<b>판단 근거</b>", *(f"• {_esc(_cut(_line(w), 400))}" for w in story.why)]
    return _clip("\n".join(lines))


STORY_UNKNOWN = "그 주소로 만든 소식이 없습니다. 놓친 기사라면 /missed 로 확인하세요."
