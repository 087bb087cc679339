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

import re
from collections.abc import Sequence

from scrapers.article import BYLINE_PREFIX

DEFAULT_TERMS: tuple[str, ...] = (
    "데이터센터", "컴퓨팅센터", "GPU", "NPU", "인공지능", "AI", "집적단지", "실증밸리", "광주",
    "슈퍼컴퓨터", "클라우드", "초거대", "연산", "반도체",
)  # fmt: skip

_OPEN_CLOSE = {"“": "”", "‘": "’", "(": ")", "[": "]", "「": "」", "『": "』", "【": "】", "<": ">", "《": "》"}
_SYMMETRIC = {'"', "'"}
_CLOSERS = set(_OPEN_CLOSE.values()) | _SYMMETRIC
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
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
_CAPTION_END = r"(/\s?[가-힣A-Za-z]{1,15}(\s?제공)?|제공\)?|\bDB\)?)$"
_CAPTION = re.compile(rf"(사진\s*=|사진제공|{_CAPTION_END})")
_CAPTION_LINE = re.compile(_CAPTION_END)  # "조감도. /광주시 제공": the whole line is a caption


def _protected(line: str) -> tuple[list[bool], set[int]]:
    """Which positions lie inside a matched quote or bracket pair, and where the pairs close.
    Unmatched marks (an apostrophe, a stray bracket) protect nothing."""
    inside = [False] * len(line)
    closes: set[int] = set()
    stack: list[tuple[str, int]] = []
    for i, ch in enumerate(line):
        if ch in _SYMMETRIC:
            if stack and stack[-1][0] == ch:
                _, start = stack.pop()
                closes.add(i)
                for j in range(start + 1, i):
                    inside[j] = True
            elif not (ch == "'" and 0 < i < len(line) - 1 and line[i - 1].isalpha() and line[i + 1].isalpha()):
                stack.append((ch, i))
        elif ch in _OPEN_CLOSE:
            stack.append((ch, i))
        elif ch in _CLOSERS:
            for depth in range(len(stack) - 1, -1, -1):
                if _OPEN_CLOSE.get(stack[depth][0]) == ch:
                    _, start = stack[depth]
                    del stack[depth:]
                    closes.add(i)
                    for j in range(start + 1, i):
                        inside[j] = True
                    break
    return inside, closes


def _word_before(line: str, end: int) -> str:
    """The token ending at `end` (exclusive), e.g. 'U.S' before the final dot of 'U.S.'."""
    start = end
    while start > 0 and (line[start - 1].isalnum() or line[start - 1] == "."):
        start -= 1
    return line[start:end]


def _ends_sentence(line: str, dot: int) -> bool:
    """Whether the full stop at `dot` ends a sentence, judged by its neighbours."""
    before = line[dot - 1] if dot > 0 else ""
    after = line[dot + 1 :].lstrip()
    if before.isdigit() and (not after or after[0].isdigit() or after[0] == "("):
        return not after  # 2025. 3. 14.(금), 1. 2. 3.
    word = _word_before(line, dot)
    if word.isdigit() and len(word) <= 2:
        before_number = line[: dot - len(word)].rstrip()
        if not before_number or before_number[-1] in _TERMINAL or before_number[-1] in _CLOSERS:
            return False  # "1. 개요": a numbered item, not the end of a sentence
    latin = bool(word) and word[-1].isascii() and word[-1].isalpha()
    # U.S., Ph.D., vs., No., initials
    return not (latin and (word.lower() in _ABBREVIATIONS or len(word) == 1 or "." in word))


def _split_line(line: str) -> list[str]:
    inside, closes = _protected(line)
    cuts: list[int] = []
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
                cuts.append(i + 1)  # “…하겠다.” 이어
            i += 1
            continue
        j = i
        while j + 1 < n and (line[j + 1] in _TERMINAL or (line[j + 1] == "." and line[j] == ".")):
            j += 1  # ?!, ..., ?..
        nxt = line[j + 1] if j + 1 < n else ""
        if ch == "." and j == i and not _ends_sentence(line, i):
            pass
        elif not nxt or nxt.isspace():
            cuts.append(j + 1)
        elif ch == "." and j == i and line[i - 1 : i] in _KOREAN_ENDINGS and (_HANGUL.match(nxt) or nxt in "“‘\"'"):
            cuts.append(j + 1)  # 열렸다.이 자리에는
        i = j + 1
    sentences, start = [], 0
    for cut in [*cuts, n]:
        piece = line[start:cut].strip()
        if piece:
            sentences.append(piece)
        start = cut
    # "▲ 항목 ▲ 항목": each marker starts an item of a list.
    return [item.strip() for s in sentences for item in re.split(r"\s+(?=▲)", s) if item.strip()]


def split_sentences(text: str) -> list[str]:
    """Sentences of `text` in order; a line break always ends a sentence."""
    return [s for line in text.splitlines() if line.strip() for s in _split_line(" ".join(line.split()))]


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
        and not _EMAIL.search(sentence)
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
