"""The layering, checked from the source: lower layers never import upper ones, pure modules do no I/O.

scrapers/, state/   never import bot/ (and scrapers/ never imports state/)
pure modules        import no network, Telegram, scheduler or file-store code, directly or through
                    another module of ours
bot.pipeline        imports no Telegram code (delivery is handed in), so a cycle does not load PTB
"""

from __future__ import annotations

import ast
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from tests.conftest import REPO, clean_env

PACKAGES = ("bot", "scrapers", "state")
IO_MODULES = ("httpx", "telegram", "apscheduler", "socket", "subprocess", "prometheus_client", "asyncio")
OUR_IO_MODULES = (
    "scrapers.fetch", "state.store", "bot.delivery", "bot.telegram_client", "bot.daemon", "bot.admin",
    "bot.health", "bot.app", "bot.poll", "bot.pipeline", "bot.check", "bot.cli", "bot.articles", "bot.config",
    "bot.parsing", "bot.feedback", "bot.operator_commands", "bot.delivery.run", "bot.labelled",
    "scrapers.discover", "scrapers.gnews",
)  # fmt: skip
PURE = (
    "bot.decide", "bot.source_health", "bot.backoff", "bot.outbox", "bot.render", "bot.status", "bot.relevance",
    "bot.summarize", "bot.digest", "bot.sources", "bot.senders", "bot.stories", "bot.storylines", "bot.coverage",
    "bot.delivery.settings", "bot.delivery.pacing", "bot.delivery.pauses", "bot.suggest", "scrapers.markup",
    "bot.newsroom",
    "scrapers.text",
    "bot.logs", "state.records", "scrapers.models", "scrapers.listing", "scrapers.feeds", "scrapers.article",
    "scrapers.dates", "scrapers.urls", "scrapers.decode", "scrapers.naver_api", "scrapers.robots",
)  # fmt: skip


def module_path(name: str) -> Path:
    base = REPO.joinpath(*name.split("."))
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


@cache
def imports_of(name: str) -> frozenset[str]:
    """Every module `name` imports at run time (imports under `if TYPE_CHECKING:` are not)."""
    tree = ast.parse(module_path(name).read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            node.body = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return frozenset(m for m in found if m.split(".")[0] not in PACKAGES or module_path(m).is_file())


def ours(name: str) -> bool:
    return name.split(".")[0] in PACKAGES and module_path(name).is_file()


def closure(name: str) -> set[str]:
    seen, todo = set(), [name]
    while todo:
        current = todo.pop()
        for dep in imports_of(current):
            if dep not in seen:
                seen.add(dep)
                if ours(dep):
                    todo.append(dep)
    return seen


def all_modules() -> list[str]:
    """Every module of the packages; a package's __init__ is named as the package (bot.delivery)."""
    names = []
    for pkg in PACKAGES:
        for path in (REPO / pkg).rglob("*.py"):
            parts = path.relative_to(REPO).with_suffix("").parts
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" and len(parts) > 2 else parts))
    return sorted(names)


@pytest.mark.parametrize("module", [m for m in all_modules() if not m.startswith("bot.")])
def test_lower_layers_do_not_import_the_bot(module: str) -> None:
    upward = {m for m in imports_of(module) if m.split(".")[0] == "bot"}
    if module.startswith("scrapers."):
        upward |= {m for m in imports_of(module) if m.split(".")[0] == "state"}
    assert not upward, f"{module} imports {sorted(upward)}"


@pytest.mark.parametrize("module", PURE)
def test_pure_modules_do_no_io(module: str) -> None:
    reached = closure(module)
    io = sorted(m for m in reached if m.split(".")[0] in IO_MODULES or m in OUR_IO_MODULES)
    assert not io, f"{module} reaches {io}"


def test_every_module_is_classified() -> None:
    entry_points = {"bot.__init__", "bot.__main__", "scrapers.__init__", "state.__init__"}
    unclassified = set(all_modules()) - set(PURE) - set(OUR_IO_MODULES) - entry_points
    assert not unclassified, f"say whether these are pure or do I/O: {sorted(unclassified)}"


def test_a_cycle_does_not_load_the_telegram_library() -> None:
    code = "import sys, bot.pipeline, bot.app; print(sorted(m for m in sys.modules if m.split('.')[0] == 'telegram'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=clean_env(), check=True)
    assert out.stdout.strip() == "[]"
