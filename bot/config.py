"""Typed configuration, built once at start-up from a TOML file (see CONTRACT.md and README).

Errors name the key and the file. Relative paths are relative to the config file's folder.
Without a config file: the shipped source catalogue (`bot/catalogue.toml`) and dry-run delivery.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CATALOGUE_PATH = Path(__file__).with_name("catalogue.toml")
SOURCE_TYPES = ("html", "rss", "naver_api")
DEFAULT_API_BASE_URL = "https://api.telegram.org"
DEFAULT_USER_AGENT = "gwangju-ai-watch/0.1 (+https://github.com/gwangju-ai-watch/gwangju-ai-watch)"


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file and the key."""


@dataclass(frozen=True, slots=True)
class Selectors:
    item: str
    title: str | None = None
    link: str | None = None
    date: str | None = None
    snippet: str | None = None


@dataclass(frozen=True, slots=True)
class SourceConfig:
    name: str
    url: str
    type: str = "html"
    interval_minutes: float = 10.0
    selectors: Selectors | None = None
    encoding: str | None = None
    outlet: str | None = None  # shown in posts; defaults to the source name
    enabled: bool = True

    @property
    def outlet_name(self) -> str:
        return self.outlet or self.name


@dataclass(frozen=True, slots=True)
class TelegramConfig:
    bot_token: str | None = None
    chat_id: str | int | None = None
    api_base_url: str = DEFAULT_API_BASE_URL
    admin_chat_ids: tuple[int, ...] = ()
    link_previews: bool = False
    admin_commands: bool = True

    @property
    def dry_run(self) -> bool:
        return not self.bot_token


@dataclass(frozen=True, slots=True)
class StateConfig:
    path: Path = Path("state/state.json")
    retention_days: float = 90.0


@dataclass(frozen=True, slots=True)
class DigestConfig:
    enabled: bool = False
    time: str = "21:00"  # KST, HH:MM


@dataclass(frozen=True, slots=True)
class DeliveryConfig:
    backfill_hours: float = 24.0
    max_age_hours: float = 168.0  # a new-to-us item published longer ago than this is recorded, not posted
    max_per_minute: int = 20
    min_interval_seconds: float = 3.0
    max_attempts: int = 8  # transient failures before an item is parked as failed and the admins alerted
    backlog_digest_threshold: int = 0  # > 0: a backlog larger than this goes out as one digest post
    once_max_seconds: float = 300.0  # `once` stops delivering after this; the rest stays pending
    digest: DigestConfig = field(default_factory=DigestConfig)


@dataclass(frozen=True, slots=True)
class FetchConfig:
    user_agent: str = DEFAULT_USER_AGENT
    contact_url: str | None = None
    timeout_seconds: float = 20.0
    max_bytes: int = 8_000_000
    max_redirects: int = 8
    per_host_concurrency: int = 2
    min_host_delay_seconds: float = 1.0
    respect_robots: bool = True
    max_articles_per_cycle: int = 60
    trust_env: bool = True  # honour HTTP(S)_PROXY from the environment


@dataclass(frozen=True, slots=True)
class HealthConfig:
    failure_threshold: int = 3  # consecutive failures before the admins are alerted
    http_listen: str | None = None  # e.g. "127.0.0.1:9108" for /healthz and /metrics


@dataclass(frozen=True, slots=True)
class Config:
    sources: tuple[SourceConfig, ...]
    telegram: TelegramConfig = field(default_factory=TelegramConfig)
    state: StateConfig = field(default_factory=StateConfig)
    delivery: DeliveryConfig = field(default_factory=DeliveryConfig)
    fetch: FetchConfig = field(default_factory=FetchConfig)
    health: HealthConfig = field(default_factory=HealthConfig)
    relevance: dict[str, Any] = field(default_factory=dict)  # overrides of bot/relevance_terms.toml
    story_window_hours: float = 72.0
    path: Path | None = None


def _table(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: [{key}] must be a table")
    return value


def _typed(table: dict[str, Any], key: str, kind: type | tuple[type, ...], default: Any, where: str) -> Any:
    if key not in table:
        return default
    value = table[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if float in kinds and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if isinstance(value, bool) and bool not in kinds:
        raise ConfigError(f"{where}: {key} must be {' or '.join(k.__name__ for k in kinds)}, not a boolean")
    if not isinstance(value, kinds):
        raise ConfigError(f"{where}: {key} must be {' or '.join(k.__name__ for k in kinds)}, got {value!r}")
    return value


def _unknown(table: dict[str, Any], known: set[str], where: str) -> None:
    extra = sorted(set(table) - known)
    if extra:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(extra)}")


def _source(raw: Any, where: str) -> SourceConfig:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: each [[sources]] entry must be a table")
    known = {"name", "url", "type", "interval_minutes", "selectors", "encoding", "outlet", "enabled", "comment"}
    _unknown(raw, known, where)
    for key in ("name", "url"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise ConfigError(f"{where}: {key} is required and must be a non-empty string")
    name = raw["name"].strip()
    where = f"{where} ({name})"
    kind = _typed(raw, "type", str, "html", where)
    if kind not in SOURCE_TYPES:
        raise ConfigError(f"{where}: type must be one of {', '.join(SOURCE_TYPES)}, got {kind!r}")
    url = raw["url"].strip()
    if kind != "naver_api" and not url.startswith(("http://", "https://")):
        raise ConfigError(f"{where}: url must start with http:// or https://, got {url!r}")
    interval = _typed(raw, "interval_minutes", float, 10.0, where)
    if interval <= 0:
        raise ConfigError(f"{where}: interval_minutes must be positive, got {interval}")
    selectors = None
    if "selectors" in raw:
        sel = raw["selectors"]
        if not isinstance(sel, dict) or not isinstance(sel.get("item"), str):
            raise ConfigError(f'{where}: selectors must be a table with at least item = "CSS"')
        _unknown(sel, {"item", "title", "link", "date", "snippet"}, f"{where} selectors")
        selectors = Selectors(**{k: str(v) for k, v in sel.items()})
    return SourceConfig(
        name=name,
        url=url,
        type=kind,
        interval_minutes=interval,
        selectors=selectors,
        encoding=_typed(raw, "encoding", str, None, where),
        outlet=_typed(raw, "outlet", str, None, where),
        enabled=_typed(raw, "enabled", bool, True, where),
    )


def _sources(raw_list: Any, where: str) -> list[SourceConfig]:
    if not isinstance(raw_list, list):
        raise ConfigError(f"{where}: sources must be an array of tables ([[sources]])")
    sources = [_source(raw, f"{where} sources[{i}]") for i, raw in enumerate(raw_list)]
    seen: set[str] = set()
    for s in sources:
        if s.name in seen:
            raise ConfigError(f"{where}: two sources are named {s.name!r}; names must be unique")
        seen.add(s.name)
    return sources


def load_catalogue(path: Path = CATALOGUE_PATH) -> list[SourceConfig]:
    """The shipped source catalogue."""
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    return _sources(data.get("sources", []), str(path))


def _parse(data: dict[str, Any], where: str, base: Path, env: dict[str, str]) -> Config:
    _unknown(
        data,
        {"telegram", "state", "delivery", "fetch", "health", "relevance", "stories", "sources", "catalogue"},
        where,
    )
    tg = _table(data, "telegram", where)
    _unknown(
        tg,
        {"bot_token", "chat_id", "api_base_url", "admin_chat_ids", "link_previews", "admin_commands"},
        f"{where} [telegram]",
    )
    admin_ids = _typed(tg, "admin_chat_ids", list, [], f"{where} [telegram]")
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in admin_ids):
        raise ConfigError(f"{where} [telegram]: admin_chat_ids must be a list of numeric chat ids")
    token = env.get("TELEGRAM_BOT_TOKEN") or _typed(tg, "bot_token", str, None, f"{where} [telegram]")
    telegram = TelegramConfig(
        bot_token=token or None,
        chat_id=_typed(tg, "chat_id", (str, int), None, f"{where} [telegram]"),
        api_base_url=_typed(tg, "api_base_url", str, DEFAULT_API_BASE_URL, f"{where} [telegram]").rstrip("/"),
        admin_chat_ids=tuple(admin_ids),
        link_previews=_typed(tg, "link_previews", bool, False, f"{where} [telegram]"),
        admin_commands=_typed(tg, "admin_commands", bool, True, f"{where} [telegram]"),
    )
    if telegram.bot_token and telegram.chat_id is None:
        raise ConfigError(f"{where} [telegram]: chat_id is required when a bot token is set")

    st = _table(data, "state", where)
    _unknown(st, {"path", "retention_days"}, f"{where} [state]")
    state_path = Path(_typed(st, "path", str, "state/state.json", f"{where} [state]")).expanduser()
    state = StateConfig(
        path=state_path if state_path.is_absolute() else base / state_path,
        retention_days=_typed(st, "retention_days", float, 90.0, f"{where} [state]"),
    )

    dl = _table(data, "delivery", where)
    w = f"{where} [delivery]"
    _unknown(
        dl,
        {
            "backfill_hours",
            "max_age_hours",
            "max_per_minute",
            "min_interval_seconds",
            "max_attempts",
            "backlog_digest_threshold",
            "once_max_seconds",
            "digest",
        },
        w,
    )
    dg = _table(dl, "digest", w)
    _unknown(dg, {"enabled", "time"}, f"{w} digest")
    digest_time = _typed(dg, "time", str, "21:00", f"{w} digest")
    try:
        hh, mm = (int(x) for x in digest_time.split(":"))
        if not (0 <= hh < 24 and 0 <= mm < 60):
            raise ValueError
    except ValueError:
        raise ConfigError(f"{w} digest: time must be HH:MM (KST), got {digest_time!r}") from None
    delivery = DeliveryConfig(
        backfill_hours=_typed(dl, "backfill_hours", float, 24.0, w),
        max_age_hours=_typed(dl, "max_age_hours", float, 168.0, w),
        max_per_minute=_typed(dl, "max_per_minute", int, 20, w),
        min_interval_seconds=_typed(dl, "min_interval_seconds", float, 3.0, w),
        max_attempts=_typed(dl, "max_attempts", int, 8, w),
        backlog_digest_threshold=_typed(dl, "backlog_digest_threshold", int, 0, w),
        once_max_seconds=_typed(dl, "once_max_seconds", float, 300.0, w),
        digest=DigestConfig(enabled=_typed(dg, "enabled", bool, False, f"{w} digest"), time=digest_time),
    )
    if delivery.backfill_hours < 0:
        raise ConfigError(f"{w}: backfill_hours must be >= 0")
    if not 1 <= delivery.max_per_minute <= 20:
        raise ConfigError(f"{w}: max_per_minute must be between 1 and 20 (Telegram's channel limit)")

    ft = _table(data, "fetch", where)
    w = f"{where} [fetch]"
    defaults = FetchConfig()
    _unknown(ft, set(FetchConfig.__slots__), w)
    fetch = FetchConfig(
        **{
            name: _typed(
                ft,
                name,
                type(getattr(defaults, name)) if getattr(defaults, name) is not None else str,
                getattr(defaults, name),
                w,
            )
            for name in FetchConfig.__slots__
        }
    )

    hl = _table(data, "health", where)
    _unknown(hl, {"failure_threshold", "http_listen"}, f"{where} [health]")
    health = HealthConfig(
        failure_threshold=_typed(hl, "failure_threshold", int, 3, f"{where} [health]"),
        http_listen=_typed(hl, "http_listen", str, None, f"{where} [health]"),
    )
    if health.http_listen is not None:
        host, _, port = health.http_listen.rpartition(":")
        if host.strip("[]") not in ("127.0.0.1", "localhost", "::1") or not port.isdigit():
            raise ConfigError(
                f"{where} [health]: http_listen must be a loopback address with a port, like "
                f'"127.0.0.1:9108" (it is not meant for the open network), got {health.http_listen!r}'
            )

    stories = _table(data, "stories", where)
    _unknown(stories, {"window_hours"}, f"{where} [stories]")

    relevance = _table(data, "relevance", where)
    if relevance:
        from bot.relevance import Detector  # the detector knows its own override keys

        try:
            Detector(relevance)
        except ValueError as exc:
            raise ConfigError(f"{where} [relevance]: {exc}") from None

    sources = _sources(data.get("sources", []), where)
    if not sources or data.get("catalogue") is True:
        own = {s.name for s in sources}
        sources = [s for s in load_catalogue() if s.name not in own] + sources
    return Config(
        sources=tuple(s for s in sources if s.enabled),
        telegram=telegram,
        state=state,
        delivery=delivery,
        fetch=fetch,
        health=health,
        relevance=relevance,
        story_window_hours=_typed(stories, "window_hours", float, 72.0, f"{where} [stories]"),
        path=None,
    )


def load_config(path: str | Path | None = None, env: dict[str, str] | None = None) -> Config:
    """Load the config at `path`; without one, ./config.toml if present, else the built-in defaults."""
    env = dict(os.environ) if env is None else env
    if path is None and Path("config.toml").is_file():
        path = "config.toml"
    if path is None:
        return _parse({}, "built-in defaults", Path.cwd(), env)
    p = Path(path)
    try:
        with p.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{p}: no such config file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: not valid TOML: {exc}") from None
    cfg = _parse(data, str(p), p.resolve().parent, env)
    return Config(**{**{f: getattr(cfg, f) for f in Config.__slots__}, "path": p})
