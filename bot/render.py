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
from zoneinfo import ZoneInfo

KST = ZoneInfo("Asia/Seoul")
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

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b\u2028\u2029\ufeff\ud800-\udfff]")
_SENTENCE_END = re.compile(r"[.!?。…][\"'”’)\]]*(?=\s|$)")


def _line(text: str) -> str:
    """One display line: control characters dropped, whitespace collapsed."""
    return " ".join(_CONTROL.sub(" ", text).split())


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
    if len(url) > MAX_URL or _CONTROL.search(url) or not re.match(r"https?://\S+$", url, re.IGNORECASE):
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
    if not posts:
        return None
    header = f"<b>{DIGEST_HEADER} ({day:%Y.%m.%d})</b>"
    lines = [_digest_line(p) for p in posts]

    def compose(shown: int) -> str:
        body = lines[:shown] + ([f"외 {len(lines) - shown}건"] if shown < len(lines) else [])
        return "\n".join([header, "", *body])

    if _fits(compose(len(lines))):
        return compose(len(lines))
    return compose(_fewer(len(lines), lambda n: _fits(compose(n))))


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


def render_alert(text: str) -> str:
    """An operational alert for the admins: the text escaped, prefixed with ⚠️, within the limit."""
    body = _paragraphs(text) or "(no details)"
    return html.escape(ALERT_PREFIX + _cut(body, MAX_TEXT_LENGTH - len(ALERT_PREFIX)), quote=True)
