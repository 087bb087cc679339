"""robots.txt rules as RFC 9309 defines them, for one crawler token.

`urllib.robotparser` is not used: it takes the first matching rule instead of the longest, and reads
`*` and `$` literally, so `Disallow: /*?sid=` (common on Korean CMS sites) would never match and
`Allow: /` placed before a `Disallow` would open the whole site. Here the longest matching pattern
wins, an `Allow` wins a tie, `*` matches any run of characters and a final `$` anchors the end.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from urllib.parse import quote

_SAFE = "/?=&;:@!$'()*+,%~-._#[]"  # characters kept as they are when percent-encoding a path
_PERCENT = re.compile(r"%[0-9a-fA-F]{2}")


def _normalize(path: str) -> str:
    """Percent-encode non-ASCII (as UTF-8) and upper-case escapes so rule and URL compare alike."""
    return _PERCENT.sub(lambda m: m.group(0).upper(), quote(path, safe=_SAFE))


@dataclass(frozen=True, slots=True)
class _Rule:
    allow: bool
    pattern: str  # normalized, as written (its length decides which rule wins)
    parts: tuple[str, ...]  # the pattern split at `*`
    anchored: bool  # the pattern ended with `$`

    @classmethod
    def build(cls, allow: bool, value: str) -> _Rule:
        pattern = _normalize(value)
        anchored = pattern.endswith("$")
        body = pattern[:-1] if anchored else pattern
        return cls(allow, pattern, tuple(body.split("*")), anchored)

    def matches(self, path: str) -> bool:
        """Does the rule match `path` (from its start)? Each piece between stars is found at its
        leftmost place after the previous one, which is enough for `*`-only patterns: a string
        search per piece, never the backtracking a regex of `.*a.*a.*a…` would do."""
        first, *rest = self.parts
        if not path.startswith(first):
            return False
        if not rest:
            return not self.anchored or path == first
        pos = len(first)
        *middle, last = rest
        for piece in middle:
            found = path.find(piece, pos)
            if found < 0:
                return False
            pos = found + len(piece)
        if self.anchored:
            return path.endswith(last) and len(path) - len(last) >= pos
        return path.find(last, pos) >= 0


@dataclass
class _Group:
    agents: list[str] = field(default_factory=list)  # lower-case product tokens, or "*"
    rules: list[_Rule] = field(default_factory=list)
    crawl_delay: float | None = None


@dataclass(frozen=True, slots=True)
class RobotsRules:
    """The parsed rules of one robots.txt. `RobotsRules.parse("")` allows everything."""

    groups: tuple[_Group, ...] = ()

    @classmethod
    def parse(cls, text: str) -> RobotsRules:
        groups: list[_Group] = []
        current: _Group | None = None
        in_agent_lines = False
        for raw in text.splitlines():
            line = raw.split("#", 1)[0].strip()
            if ":" not in line:
                continue
            key, value = (part.strip() for part in line.split(":", 1))
            key = key.lower()
            if key in ("user-agent", "useragent"):
                if current is None or not in_agent_lines:
                    current = _Group()
                    groups.append(current)
                current.agents.append(_product_token(value))
                in_agent_lines = True
                continue
            in_agent_lines = False
            if current is None:
                continue  # rules before any user-agent line belong to no group
            if key in ("allow", "disallow") and value:
                current.rules.append(_Rule.build(key == "allow", value))
            elif key in ("crawl-delay", "crawldelay"):
                with contextlib.suppress(ValueError):
                    current.crawl_delay = max(0.0, float(value))
        return cls(tuple(groups))

    def _groups_for(self, token: str) -> list[_Group]:
        token = token.lower()
        mine = [g for g in self.groups if token in g.agents]
        return mine or [g for g in self.groups if "*" in g.agents]

    def allows(self, path: str, token: str) -> bool:
        """May `token` fetch `path` (the URL's path plus `?query`)? Longest match wins, Allow on ties."""
        if path.split("?", 1)[0] == "/robots.txt":
            return True
        target = _normalize(path or "/")
        best: _Rule | None = None
        for group in self._groups_for(token):
            for rule in group.rules:
                if not rule.matches(target):
                    continue
                if (
                    best is None
                    or len(rule.pattern) > len(best.pattern)
                    or (len(rule.pattern) == len(best.pattern) and rule.allow)
                ):
                    best = rule
        return best is None or best.allow

    def crawl_delay(self, token: str) -> float | None:
        """The non-standard `Crawl-delay` for `token` in seconds, when the file gives one."""
        delays = [g.crawl_delay for g in self._groups_for(token) if g.crawl_delay is not None]
        return max(delays) if delays else None


def _product_token(value: str) -> str:
    """`Googlebot/2.1 (+http://…)` → `googlebot`; `*` stays `*`."""
    token = value.split("/", 1)[0].split()[0] if value.split() else ""
    return token.lower()
