"""Typed configuration, built once at start-up from a TOML file (see CONTRACT.md and README).

Each table belongs to the layer that uses it, which declares its settings as a frozen dataclass with
the defaults (written once, there) and, in each field's `metadata`, the range or check the loader
applies: ``min`` / ``max`` (inclusive), ``check`` (a function returning a complaint or None).

    [telegram]  bot.senders.TelegramConfig     [delivery]  bot.delivery.DeliveryConfig (+ digest)
    [state]     state.store.StateConfig        [fetch]     scrapers.fetch.FetchConfig
    [health]    bot.health.HealthConfig        [stories]   bot.stories.StoriesConfig
    [relevance] overrides of bot/relevance_terms.toml      [[sources]] bot.sources.SourceConfig

Errors name the file, the table and the key. Relative paths are relative to the config file's folder.
Without a config file: the shipped source catalogue (`bot/catalogue.toml`) and dry-run delivery.
"""

from __future__ import annotations

import codecs
import dataclasses
import os
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from bot.delivery import DeliveryConfig
from bot.digest import DigestConfig
from bot.health import HealthConfig
from bot.senders import TelegramConfig
from bot.sources import KINDS, SourceConfig
from bot.stories import StoriesConfig
from scrapers.fetch import FetchConfig
from scrapers.models import Selectors
from state.store import StateConfig

CATALOGUE_PATH = Path(__file__).with_name("catalogue.toml")
SOURCE_TYPES = tuple(KINDS)
TOKEN_ENV = "TELEGRAM_BOT_TOKEN"

__all__ = [
    "CATALOGUE_PATH",
    "SOURCE_TYPES",
    "Config",
    "ConfigError",
    "DeliveryConfig",
    "DigestConfig",
    "FetchConfig",
    "HealthConfig",
    "Selectors",
    "SourceConfig",
    "StateConfig",
    "StoriesConfig",
    "TelegramConfig",
    "load_catalogue",
    "load_config",
]


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file and the key."""


@dataclass(frozen=True, slots=True)
class Config:
    sources: tuple[SourceConfig, ...]
    telegram: TelegramConfig = field(default_factory=TelegramConfig)
    state: StateConfig = field(default_factory=StateConfig)
    delivery: DeliveryConfig = field(default_factory=DeliveryConfig)
    fetch: FetchConfig = field(default_factory=FetchConfig)
    health: HealthConfig = field(default_factory=HealthConfig)
    stories: StoriesConfig = field(default_factory=StoriesConfig)
    relevance: dict[str, Any] = field(default_factory=dict)  # overrides of bot/relevance_terms.toml
    path: Path | None = None


# -- reading one table into its settings dataclass ----------------------------------------------------

T = TypeVar("T")
_SCALARS: dict[type, str] = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}


def _describe(kinds: tuple[type, ...]) -> str:
    return " or ".join(_SCALARS.get(k, k.__name__) for k in kinds)


def _value(value: Any, hint: Any, where: str, key: str) -> Any:
    """`value` checked against the annotation `hint` (and converted: int → float, list → tuple, str → Path)."""
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        scalars = tuple(a for a in options if a in _SCALARS)
        if len(options) == 1:
            return _value(value, options[0], where, key)
        if not isinstance(value, scalars) or (isinstance(value, bool) and bool not in scalars):
            raise ConfigError(f"{where}: {key} must be {_describe(scalars)}, got {value!r}")
        return value
    if origin is tuple:
        (item, _ellipsis) = typing.get_args(hint)
        if not isinstance(value, list):
            raise ConfigError(f"{where}: {key} must be a list")
        return tuple(_value(v, item, where, key) for v in value)
    if hint is Path:
        return Path(_value(value, str, where, key)).expanduser()
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: {key} must be a table")
        return _table(value, typing.cast(type, hint), f"{where} {key}")
    if isinstance(value, bool) != (hint is bool) or not isinstance(value, (int, float) if hint is float else hint):
        raise ConfigError(f"{where}: {key} must be {_describe((hint,))}, got {value!r}")
    return float(value) if hint is float else value


def _in_range(value: Any, meta: typing.Mapping[str, Any], where: str, key: str) -> None:
    if "min" in meta and value < meta["min"]:
        raise ConfigError(f"{where}: {key} must be at least {meta['min']}, got {value!r}")
    if "max" in meta and value > meta["max"]:
        raise ConfigError(f"{where}: {key} must be at most {meta['max']}, got {value!r}")
    if "check" in meta and (complaint := meta["check"](value)):
        raise ConfigError(f"{where}: {key} {complaint}, got {value!r}")
    if meta.get("url") and not str(value).startswith(("http://", "https://")):
        raise ConfigError(f"{where}: {key} must start with http:// or https://, got {value!r}")


def _table(raw: dict[str, Any], cls: type[T], where: str, *, skip: frozenset[str] = frozenset()) -> T:
    """An instance of the settings dataclass `cls` from a TOML table; absent keys keep the defaults."""
    known = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    extra = sorted(set(raw) - set(known) - skip)
    if extra:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(extra)}")
    hints = typing.get_type_hints(cls)
    values = {}
    for name, value in raw.items():
        if name in skip:
            continue
        values[name] = _value(value, hints[name], where, name)
        if values[name] is not None:
            _in_range(values[name], known[name].metadata, where, name)
    return cls(**values)


def _sub(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: [{key}] must be a table")
    return value


# -- the tables that need more than their dataclass -------------------------------------------------------


def _telegram(raw: dict[str, Any], where: str, env: dict[str, str]) -> TelegramConfig:
    tg = _table(raw, TelegramConfig, where)
    token = env.get(TOKEN_ENV) or tg.bot_token
    tg = dataclasses.replace(tg, bot_token=token or None, api_base_url=tg.api_base_url.rstrip("/"))
    if tg.bot_token and tg.chat_id is None:
        raise ConfigError(f"{where}: chat_id is required when a bot token is set")
    return tg


def _source(raw: Any, where: str) -> SourceConfig:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: each [[sources]] entry must be a table")
    for key in ("name", "url"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise ConfigError(f"{where}: {key} is required and must be a non-empty string")
    where = f"{where} ({raw['name'].strip()})"
    if "selectors" in raw and not (
        isinstance(raw["selectors"], dict) and isinstance(raw["selectors"].get("item"), str)
    ):
        raise ConfigError(f'{where}: selectors must be a table with at least item = "CSS"')
    source = _table(raw, SourceConfig, where, skip=frozenset({"comment"}))
    source = dataclasses.replace(source, name=source.name.strip(), url=source.url.strip())
    kind = KINDS.get(source.type)
    if kind is None:
        raise ConfigError(f"{where}: type must be one of {', '.join(KINDS)}, got {source.type!r}")
    if kind.http_url and not source.url.startswith(("http://", "https://")):
        raise ConfigError(f"{where}: url must start with http:// or https://, got {source.url!r}")
    if source.encoding is not None:
        try:
            codecs.lookup(source.encoding)
        except LookupError:
            raise ConfigError(f"{where}: encoding {source.encoding!r} is not an encoding Python knows") from None
    return source


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


def _relevance(raw: dict[str, Any], where: str) -> dict[str, Any]:
    if raw:
        from bot.relevance import Detector  # the detector knows its own override keys

        try:
            Detector(raw)
        except ValueError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    return raw


def load_catalogue(path: Path = CATALOGUE_PATH) -> list[SourceConfig]:
    """The shipped source catalogue."""
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    return _sources(data.get("sources", []), str(path))


def _parse(data: dict[str, Any], where: str, base: Path, env: dict[str, str]) -> Config:
    tables = {"telegram", "state", "delivery", "fetch", "health", "relevance", "stories"}
    extra = sorted(set(data) - tables - {"sources", "catalogue"})
    if extra:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(extra)}")
    state = _table(_sub(data, "state", where), StateConfig, f"{where} [state]")
    sources = _sources(data.get("sources", []), where)
    if not sources or data.get("catalogue") is True:
        own = {s.name for s in sources}
        sources = [s for s in load_catalogue() if s.name not in own] + sources
    return Config(
        sources=tuple(s for s in sources if s.enabled),
        telegram=_telegram(_sub(data, "telegram", where), f"{where} [telegram]", env),
        state=dataclasses.replace(state, path=state.path if state.path.is_absolute() else base / state.path),
        delivery=_table(_sub(data, "delivery", where), DeliveryConfig, f"{where} [delivery]"),
        fetch=_table(_sub(data, "fetch", where), FetchConfig, f"{where} [fetch]"),
        health=_table(_sub(data, "health", where), HealthConfig, f"{where} [health]"),
        stories=_table(_sub(data, "stories", where), StoriesConfig, f"{where} [stories]"),
        relevance=_relevance(_sub(data, "relevance", where), f"{where} [relevance]"),
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
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: cannot be read ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: not valid TOML: {exc}") from None
    return dataclasses.replace(_parse(data, str(p), p.resolve().parent, env), path=p)
