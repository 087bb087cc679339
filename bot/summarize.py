"""Korean sentence splitting and a short extractive summary.

The splitter is a small rule set for news prose (measured against kss and kiwi on news text, a regex
splitter did as well as kiwi): a
sentence ends at `.`, `?`, `!` or `…` followed by a space, outside any quote or bracket pair,
unless the full stop belongs to a number (88.5PF, 2025. 3. 14.) or an abbreviation (U.S., No.1);
a quote that ends a sentence (`…하겠다.” 이어`) ends it after the closing mark, and a quote that
is reported (`…있다.”라고 말했다`) does not. A missing space after a Korean sentence ending
(`열렸다.이 자리에는`) still splits.

The summary takes 2–3 whole sentences, lead first, preferring sentences that carry the topic's
terms and the title's words, and skipping datelines, photo captions and bare quotes.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence

from scrapers.article import BYLINE_PREFIX

DEFAULT_TERMS: tuple[str, ...] = (
    "데이터센터", "컴퓨팅센터", "GPU", "NPU", "인공지능", "AI", "집적단지", "실증밸리", "광주",
    "슈퍼컴퓨터", "클라우드", "초거대", "연산", "반도체",
)  # fmt: skip

_OPEN_CLOSE = {"“": "”", "‘": "’", "(": ")", "[": "]", "「": "」", "『": "』", "【": "】", "<": ">", "《": "》"}
_SYMMETRIC = {'"', "'"}
_CLOSERS = set(_OPEN_CLOSE.values()) | _SYMMETRIC
_OPENER_OF = {close: open_ for open_, close in _OPEN_CLOSE.items()}
_TERMINAL = ".?!…"
# Abbreviations whose full stop never ends a sentence (lower-cased, without the final dot).
_ABBREVIATIONS = {
    "u.s", "u.k", "u.n", "e.u", "ph.d", "vs", "no", "inc", "co", "corp", "ltd", "dr", "mr", "mrs", "ms",
    "jr", "sr", "st", "etc", "e.g", "i.e", "p.m", "a.m", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "fig", "vol", "gov", "approx", "dept", "univ", "est",
}  # fmt: skip
# Korean sentence endings that may be followed by the next sentence with no space: "열렸다.이 자리".
_KOREAN_ENDINGS = set("다요죠까오라네함음임됨짐")
_HANGUL = re.compile(r"[가-힣]")
# An e-mail address in a sentence (only whether there is one is asked): found wherever `[\w.+-]+@…` is,
# by the last character of the local part alone, so that a search stays linear on a long run of word
# characters (with the whole local part it is quadratic there).
_EMAIL = re.compile(r"[\w.+-]@[\w-]+\.[\w.]+")
_CAPTION_END = r"(/\s?[가-힣A-Za-z]{1,15}(\s?제공)?|제공\)?|\bDB\)?)$"
_CAPTION = re.compile(rf"(사진\s*=|사진제공|{_CAPTION_END})")
_CAPTION_LINE = re.compile(_CAPTION_END)  # "조감도. /광주시 제공": the whole line is a caption


def _protected(line: str) -> tuple[list[bool], set[int]]:
    """Which positions lie inside a matched quote or bracket pair, and where the pairs close.
    Unmatched marks (an apostrophe, a stray bracket) protect nothing.

    Linear in the line, however the marks nest: a closer looks down the stack only when its opener is
    on it (and drops what it passes), and the inside of each pair is marked in a difference array."""
    marks = [0] * (len(line) + 1)  # +1 where a pair's inside starts, -1 where it ends
    closes: set[int] = set()
    stack: list[tuple[str, int]] = []
    open_on_stack = dict.fromkeys(_OPEN_CLOSE, 0)  # how many of each opener the stack holds
    for i, ch in enumerate(line):
        if ch in _SYMMETRIC:
            if stack and stack[-1][0] == ch:
                _, start = stack.pop()
                closes.add(i)
                marks[start + 1] += 1
                marks[i] -= 1
            elif not (ch == "'" and 0 < i < len(line) - 1 and line[i - 1].isalpha() and line[i + 1].isalpha()):
                stack.append((ch, i))
        elif ch in _OPEN_CLOSE:
            stack.append((ch, i))
            open_on_stack[ch] += 1
        elif ch in _CLOSERS and open_on_stack[_OPENER_OF[ch]]:
            opener = _OPENER_OF[ch]
            while True:  # the closest such opener, and every mark opened after it, leave the stack
                mark, start = stack.pop()
                if mark in open_on_stack:
                    open_on_stack[mark] -= 1
                if mark == opener:
                    break
            closes.add(i)
            marks[start + 1] += 1
            marks[i] -= 1
    inside = [depth > 0 for depth in itertools.accumulate(marks[:-1])]
    return inside, closes


def _word_before(line: str, end: int) -> tuple[str, bool]:
    """The token ending at `end` (exclusive), e.g. 'U.S' before the final dot of 'U.S.', and whether it
    holds a full stop. Of a token that does, only the part after its last full stop is returned ('S'):
    that is all `_ends_sentence` reads of it, and the walk back stays short on a run of dotted tokens."""
    start = end
    while start > 0:
        ch = line[start - 1]
        if ch == ".":
            return line[start:end], True
        if not ch.isalnum():
            break
        start -= 1
    return line[start:end], False


def _ends_sentence(line: str, dot: int) -> bool:
    """Whether the full stop at `dot` ends a sentence, judged by its neighbours."""
    before = line[dot - 1] if dot > 0 else ""
    following = dot + 1  # the first character after the full stop and any spaces
    while following < len(line) and line[following].isspace():
        following += 1
    after = line[following] if following < len(line) else ""
    if before.isdigit() and (not after or after.isdigit() or after == "("):
        return not after  # 2025. 3. 14.(금), 1. 2. 3.
    word, dotted = _word_before(line, dot)
    if not dotted and word.isdigit() and len(word) <= 2:
        preceding = dot - len(word)  # just after the last character before the number and any spaces
        while preceding > 0 and line[preceding - 1].isspace():
            preceding -= 1
        if not preceding or line[preceding - 1] in _TERMINAL or line[preceding - 1] in _CLOSERS:
            return False  # "1. 개요": a numbered item, not the end of a sentence
    latin = bool(word) and word[-1].isascii() and word[-1].isalpha()
    # U.S., Ph.D., vs., No., initials
    return not (latin and (dotted or word.lower() in _ABBREVIATIONS or len(word) == 1))


def _cuts(line: str, inside: list[bool], closes: set[int]) -> Iterator[int]:
    """Where the sentences of `line` end, in order (`inside`, `closes`: `_protected(line)`)."""
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if inside[i] or ch not in _TERMINAL:
            if (
                i in closes
                and i > 0
                and line[i - 1] in _TERMINAL
                and (i + 1 == n or line[i + 1].isspace())
                and (line[i - 1] != "." or _ends_sentence(line, i - 1))
            ):
                yield i + 1  # “…하겠다.” 이어
            i += 1
            continue
        j = i
        while j + 1 < n and (line[j + 1] in _TERMINAL or (line[j + 1] == "." and line[j] == ".")):
            j += 1  # ?!, ..., ?..
        nxt = line[j + 1] if j + 1 < n else ""
        if ch == "." and j == i and not _ends_sentence(line, i):
            pass
        elif not nxt or nxt.isspace():
            yield j + 1
        elif ch == "." and j == i and line[i - 1 : i] in _KOREAN_ENDINGS and (_HANGUL.match(nxt) or nxt in "“‘\"'"):
            yield j + 1  # 열렸다.이 자리에는
        i = j + 1


def _line_sentences(line: str) -> Iterator[str]:
    """The sentences of one line, in order, found as far as they are read."""
    inside, closes = _protected(line)
    start = 0
    for cut in itertools.chain(_cuts(line, inside, closes), (len(line),)):
        piece = line[start:cut].strip()
        if piece:
            # "▲ 항목 ▲ 항목": each marker starts an item of a list.
            yield from (item.strip() for item in re.split(r"\s+(?=▲)", piece) if item.strip())
        start = cut


def _split_line(line: str) -> list[str]:
    return list(_line_sentences(line))


def _sentences(text: str) -> Iterator[str]:
    for line in text.splitlines():
        if line.strip():
            yield from _line_sentences(" ".join(line.split()))


def split_sentences(text: str) -> list[str]:
    """Sentences of `text` in order; a line break always ends a sentence."""
    return list(_sentences(text))


def first_sentence(text: str) -> str:
    """The first of `split_sentences(text)`, or "" when there is none: only the first line that is not
    blank is split, and only as far as its first sentence ends."""
    return next(_sentences(text), "")


def _bigrams(text: str) -> set[str]:
    squashed = re.sub(r"\W", "", text.lower())
    return {squashed[i : i + 2] for i in range(len(squashed) - 1)}


def _is_quote_only(sentence: str) -> bool:
    """A sentence that is a quotation with at most a short reporting verb: “…”고 말했다."""
    match = re.match(r"^[“\"‘']", sentence)
    if not match:
        return False
    closing = max(sentence.rfind("”"), sentence.rfind('"'), sentence.rfind("’"))
    return closing > 0 and len(sentence) - closing <= 15


def _usable(sentence: str) -> bool:
    return (
        len(sentence) >= 12
        and len(_HANGUL.findall(sentence)) >= 5
        and not ("@" in sentence and _EMAIL.search(sentence))
        and not _CAPTION.search(sentence)
        and (sentence[-1] in _TERMINAL or (sentence[-1] in _CLOSERS and sentence[-2:-1] in set(_TERMINAL)))
    )


def _candidates(text: str) -> list[str]:
    """Usable sentences of `text`: datelines stripped, headings, captions and bylines skipped."""
    found: list[str] = []
    for line in text.splitlines():
        line = BYLINE_PREFIX.sub("", " ".join(line.split()), count=1).strip()
        if not line or line.startswith(("▲", "※", "-", "■", "◆", "△")) or _CAPTION_LINE.search(line):
            continue
        found += [s for s in _split_line(line) if _usable(s)]
    return found


def _trim(text: str, max_chars: int) -> str:
    """`text` cut to fit: whole sentences if any fit, else at the last clause boundary, with "…"."""
    kept = ""
    for sentence in split_sentences(text):
        joined = f"{kept} {sentence}".strip()
        if len(joined) > max_chars:
            break
        kept = joined
    if kept:
        return kept
    head = text[: max_chars - 1]
    clause = max(head.rfind(", "), head.rfind("며 "), head.rfind("고 "), head.rfind("서 "), head.rfind(" "))
    if clause > max_chars // 2:
        head = head[: clause + 1]
    return head.rstrip(" ,") + "…"


def _whole_sentences(snippet: str) -> str:
    """A description or listing snippet without the cut-off tail that sites end it with ("신...")."""
    sentences = split_sentences(" ".join(snippet.split()))
    if len(sentences) > 1 and sentences[-1].endswith(("...", "…")):
        sentences.pop()
    return " ".join(sentences)


def summarize(
    text: str,
    *,
    title: str = "",
    fallback: str | None = None,
    max_chars: int = 300,
    terms: Sequence[str] = DEFAULT_TERMS,
) -> str:
    """2–3 whole sentences, lead-biased, within max_chars; `fallback` (description or snippet) when
    the text gives nothing usable."""
    fallback = _whole_sentences(fallback or "")
    sentences = _candidates(text or "")
    if sum(len(s) for s in sentences) < 40:
        return _trim(fallback, max_chars) if fallback else _trim(" ".join(sentences), max_chars) if sentences else ""
    # A story that opens with a bare quote leads with the first reported sentence instead.
    while len(sentences) > 1 and _is_quote_only(sentences[0]) and not _is_quote_only(sentences[1]):
        sentences.pop(0)
    lead = sentences[0]
    if len(lead) > max_chars:
        shorter = min([lead, fallback] if fallback else [lead], key=len)
        return _trim(shorter, max_chars)
    title_grams = _bigrams(title)
    scored: list[tuple[float, int]] = []
    for index, sentence in enumerate(sentences[1:], start=1):
        score = 2.0 / (1 + 0.5 * index)  # lead bias: 2nd sentence 1.33, 3rd 1.0, 10th 0.36
        score += 0.6 * min(3, sum(term.lower() in sentence.lower() for term in terms))
        if title_grams:
            grams = _bigrams(sentence)
            score += 2.0 * len(grams & title_grams) / max(1, min(len(grams), len(title_grams)))
        if _is_quote_only(sentence):
            score -= 1.5
        scored.append((score, index))
    chosen = [0]
    length = len(lead)
    for _, index in sorted(scored, key=lambda pair: (-pair[0], pair[1])):
        if len(chosen) == 3:
            break
        if length + 1 + len(sentences[index]) <= max_chars:
            chosen.append(index)
            length += 1 + len(sentences[index])
    return " ".join(sentences[i] for i in sorted(chosen))
