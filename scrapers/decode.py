"""Bytes to text for Korean pages.

Order: an explicit override, the HTTP header charset, the document's own declaration (`<meta>`
or the XML declaration), then UTF-8 if the bytes are valid UTF-8, else CP949. EUC-KR is read as
CP949, its superset, so the extra Hangul that sites put in "EUC-KR" pages survives.

A declaration that the bytes contradict (a page re-saved as UTF-8 that still says euc-kr) loses
to the bytes: valid UTF-8 with Hangul is never valid CP949 Hangul of the same length.
"""

from __future__ import annotations

import codecs
import re

# `[^<>]` rather than `[^>]`: a run of `<meta` without `>` is then scanned once, not once per `<meta`.
_META_CHARSET = re.compile(rb"""<meta[^<>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""<\?xml[^<>]+encoding\s*=\s*["']([A-Za-z0-9_\-.]+)["']""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)

# Korean legacy labels all mean "CP949 family"; decode with the superset.
_ALIASES = {
    "euc-kr": "cp949",
    "euckr": "cp949",
    "euc_kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "ksc5601": "cp949",
    "x-windows-949": "cp949",
    "windows-949": "cp949",
    "uhc": "cp949",
    "ms949": "cp949",
}


_WEAK_HEADER_CHARSETS = {"latin-1", "iso8859-1", "ascii", "cp1252"}


def normalize_charset(label: str | None) -> str | None:
    """A Python codec name for a charset label, or None if the label is unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def header_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    m = _HEADER_CHARSET.search(content_type)
    return normalize_charset(m.group(1)) if m else None


def declared_charset(body: bytes) -> str | None:
    """The charset the document declares in its first 4 KB (`<meta>` or `<?xml encoding>`)."""
    head = body[:4096]
    m = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    return normalize_charset(m.group(1).decode("ascii", "replace")) if m else None


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode(body: bytes, content_type: str | None = None, override: str | None = None) -> str:
    """Decode a page or feed. Never raises: undecodable bytes become U+FFFD."""
    if body.startswith(codecs.BOM_UTF8):
        return body[len(codecs.BOM_UTF8) :].decode("utf-8", "replace")
    from_header = header_charset(content_type)
    if from_header in _WEAK_HEADER_CHARSETS:
        # Servers send these as a default, not as knowledge of the page: let the page speak.
        from_header = None
    candidates = [normalize_charset(override), from_header, declared_charset(body)]
    for charset in candidates:
        if not charset:
            continue
        if charset == "cp949" and _is_utf8(body) and not body.isascii():
            # Declared EUC-KR but the bytes are UTF-8 (re-saved pages, misconfigured servers).
            return body.decode("utf-8")
        if charset != "utf-8" or _is_utf8(body):
            return body.decode(charset, "replace")
        break  # declared UTF-8 but it is not: fall through to sniffing
    if _is_utf8(body):
        return body.decode("utf-8")
    return body.decode("cp949", "replace")
