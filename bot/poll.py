"""Stage 1 of a cycle: fetch and parse each source once (`poll_all`), never raising.

A poll is conditional (ETag / Last-Modified remembered per source) and a listing whose bytes are those
of the last poll is not parsed again. Parsing goes through the `Parsers` handed in (`bot.parsing`).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import time
from collections.abc import Mapping, Sequence

from bot.parsing import InlineParsers, Parsers, ParseTimeout
from bot.sources import Problem, SourceConfig, SourcePoll
from scrapers.fetch import Fetcher, FetchError
from state.records import SourceState, State

log = logging.getLogger(__name__)

_INLINE = InlineParsers()


def layout_broken_message(memory: SourceState) -> str:
    return (
        f"found no articles, although earlier polls found {memory.last_item_count or 'some'}: "
        "the page layout may have changed (or the page is empty)"
    )


async def poll_source(
    fetcher: Fetcher,
    source: SourceConfig,
    memory: SourceState | None,
    *,
    conditional: bool = True,
    env: Mapping[str, str] | None = None,
    parsers: Parsers = _INLINE,
) -> SourcePoll:
    """Fetch and parse one source. Never raises: a failure becomes `SourcePoll.error`."""
    poll = SourcePoll(source)
    kind = source.kind
    started = time.monotonic()
    try:
        url, headers = kind.request(source, os.environ if env is None else env)
        remembered = memory if conditional else None
        result = await fetcher.fetch(
            url,
            etag=remembered.etag if remembered else None,
            last_modified=remembered.last_modified if remembered else None,
            encoding=source.encoding,
            headers=headers,
            robots=kind.robots,
        )
        poll.status, poll.etag, poll.last_modified = result.status, result.etag, result.last_modified
        if not result.not_modified:
            poll.body_hash = hashlib.blake2b(result.body, digest_size=16).hexdigest()
        if result.not_modified or (remembered and remembered.had_items and poll.body_hash == remembered.body_hash):
            poll.not_modified = True  # 304, or the very bytes of the last poll (servers without ETag)
        else:
            poll.items = await parsers.listing(source, result)
            if not poll.items and memory is not None and memory.had_items:
                poll.error_kind, poll.error = Problem.LAYOUT, layout_broken_message(memory)
    except FetchError as exc:
        poll.error_kind, poll.error, poll.status = exc.kind, str(exc), exc.status
    except ParseTimeout as exc:
        poll.error_kind, poll.error = Problem.SLOW, str(exc)
    except Exception as exc:  # a parser failure must not stop the other sources
        poll.error_kind = kind.problem(exc)
        if poll.error_kind is Problem.BUG:
            log.exception("source %s: unexpected error while parsing", source.name)
            poll.error = f"internal error while parsing ({type(exc).__name__}: {exc})"
        else:
            poll.error = str(exc)
    poll.elapsed = time.monotonic() - started
    return poll


async def poll_all(
    fetcher: Fetcher,
    sources: Sequence[SourceConfig],
    state: State | None,
    *,
    conditional: bool = True,
    env: Mapping[str, str] | None = None,
    parsers: Parsers = _INLINE,
) -> list[SourcePoll]:
    """Poll sources concurrently (the fetcher caps concurrency per host)."""
    return list(
        await asyncio.gather(
            *(
                poll_source(
                    fetcher,
                    s,
                    state.sources.get(s.name) if state else None,
                    conditional=conditional,
                    env=env,
                    parsers=parsers,
                )
                for s in sources
            )
        )
    )
