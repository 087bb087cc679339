"""Where fetched pages are parsed: a `Parsers` object the cycle is handed.

`WorkerParsers` parses in worker processes, each page with a deadline: a page that would take the
parser minutes (or forever) costs its source one failed poll, never the event loop — polling of other
sources, delivery, admin commands and shutdown go on. A worker past its deadline is killed and replaced.
Threads would not do: a parser stuck in C code or in a regular expression holds the GIL.

`InlineParsers` parses on the calling thread with no deadline, for one-off commands (`parse`) and for
tests of the parsers themselves.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import pickle
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, Protocol

from bot.sources import KINDS, SourceConfig
from scrapers.article import parse_article
from scrapers.models import Article, FetchResult, ListingItem

log = logging.getLogger(__name__)

PARSE_WORKERS = 2
DEFAULT_DEADLINE_SECONDS = 20.0


class ParseTimeout(Exception):
    """A page took longer than the deadline to parse; its worker was replaced."""


class Parsers(Protocol):
    async def listing(self, source: SourceConfig, result: FetchResult) -> list[ListingItem]: ...

    async def article(self, result: FetchResult) -> Article: ...

    async def close(self) -> None: ...


class InlineParsers:
    """Parses on the calling thread, with no deadline."""

    async def listing(self, source: SourceConfig, result: FetchResult) -> list[ListingItem]:
        return source.kind.parse(source, result)

    async def article(self, result: FetchResult) -> Article:
        return parse_article(result.text, result.url)

    async def close(self) -> None:
        return None


# -- the worker side ---------------------------------------------------------------------------------


def _parse_listing(source: SourceConfig, result: FetchResult) -> list[ListingItem]:
    return KINDS[source.type].parse(source, result)


def _parse_article(result: FetchResult) -> Article:
    return parse_article(result.text, result.url)


_TASKS: dict[str, Callable[..., Any]] = {"listing": _parse_listing, "article": _parse_article}


def _serve(conn: Connection) -> None:
    """A worker's loop: (task, args) in, ("ok", result) or ("error", exception) out."""
    while True:
        try:
            task, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer: tuple[str, Any] = ("ok", _TASKS[task](*args))
        except Exception as exc:
            answer = ("error", exc)
        try:
            conn.send(answer)
        except (pickle.PicklingError, TypeError, AttributeError):  # an exception that cannot travel
            conn.send(("error", RuntimeError(f"{type(answer[1]).__name__}: {answer[1]}")))


# -- the event-loop side -----------------------------------------------------------------------------


class _Worker:
    def __init__(self, context: multiprocessing.context.BaseContext) -> None:
        parent, child = context.Pipe()
        self.conn: Connection = parent
        self.process: BaseProcess = context.Process(target=_serve, args=(child,), daemon=True)  # type: ignore[attr-defined]
        self.process.start()
        child.close()

    async def run(self, task: str, args: tuple[Any, ...], deadline: float) -> Any:
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[tuple[str, Any]] = loop.create_future()

        def readable() -> None:
            loop.remove_reader(self.conn.fileno())
            try:
                answer.set_result(self.conn.recv())
            except (EOFError, OSError) as exc:
                answer.set_exception(RuntimeError(f"the parser process died ({exc or type(exc).__name__})"))

        self.conn.send((task, args))
        loop.add_reader(self.conn.fileno(), readable)
        try:
            status, value = await asyncio.wait_for(answer, deadline)
        finally:
            with contextlib.suppress(ValueError, OSError):
                loop.remove_reader(self.conn.fileno())
        if status == "error":
            raise value
        return value

    def kill(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.process.kill()
            self.process.join(5)
        self.conn.close()


class WorkerParsers:
    """Up to `workers` parser processes, started when first needed; each page gets `deadline` seconds."""

    def __init__(self, workers: int = PARSE_WORKERS, deadline: float = DEFAULT_DEADLINE_SECONDS) -> None:
        self.deadline = deadline
        self.size = max(1, workers)
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(["bot.parsing"])
        self._idle: asyncio.Queue[_Worker] | None = None
        self._all: list[_Worker] = []

    async def listing(self, source: SourceConfig, result: FetchResult) -> list[ListingItem]:
        items: list[ListingItem] = await self._run("listing", (source, result), result.url)
        return items

    async def article(self, result: FetchResult) -> Article:
        article: Article = await self._run("article", (result,), result.url)
        return article

    async def _run(self, task: str, args: tuple[Any, ...], url: str) -> Any:
        if self._idle is None:
            self._idle = asyncio.Queue()
            for _ in range(self.size):
                self._start()
        worker = await self._idle.get()
        try:
            value = await worker.run(task, args, self.deadline)
        except (TimeoutError, asyncio.CancelledError) as exc:
            # Busy for good or abandoned mid-page: its answer would come to the next caller. Replace it.
            self._replace(worker)
            if isinstance(exc, asyncio.CancelledError):
                raise
            log.warning("parsing %s took longer than %g s; the parser process was replaced", url, self.deadline)
            raise ParseTimeout(f"the page took longer than {self.deadline:g} s to parse and was skipped") from None
        except RuntimeError:
            if not worker.process.is_alive():
                self._replace(worker)
                raise
            self._idle.put_nowait(worker)
            raise
        except BaseException:
            self._idle.put_nowait(worker)
            raise
        self._idle.put_nowait(worker)
        return value

    def _start(self) -> None:
        assert self._idle is not None
        worker = _Worker(self._context)
        self._all.append(worker)
        self._idle.put_nowait(worker)

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        self._all.remove(worker)
        self._start()

    async def close(self) -> None:
        for worker in self._all:
            worker.kill()
        self._all.clear()
        self._idle = None
