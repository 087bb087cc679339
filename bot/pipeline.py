"""One cycle of the bot, stage by stage.

    poll sources ─► new items ─► relevance screen (title + snippet) ─► read candidate articles
    ─► relevance with the body where the title could not decide ─► summarise ─► group into stories
    ─► queue posts and edits in the outbox (saved) ─► deliver (each send saved) ─► record

Everything that talks to the outside (the fetcher, the Telegram sender, the clock) is handed in, so
tests drive a cycle against real loopback servers and a fixed clock. One failing source or one bad
page never stops the rest: failures are kept in the source's state and in the cycle report.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot import render
from bot.config import Config, SourceConfig
from bot.delivery import queue_alert
from bot.digest import maybe_queue_digest, story_view
from bot.relevance import Detector, Verdict
from bot.stories import StoryKey, find_story
from bot.summarize import split_sentences, summarize
from scrapers import naver_api
from scrapers.article import parse_article
from scrapers.dates import KST
from scrapers.feeds import FeedError, looks_like_feed, parse_feed
from scrapers.fetch import Fetcher, FetchError, FetchResult
from scrapers.listing import parse_listing
from scrapers.models import Article, ListingItem
from scrapers.urls import canonical_url, clean_link
from state.store import OutboxEntry, SourceState, State, StateStore, StoryRecord

log = logging.getLogger(__name__)

ARTICLE_CONCURRENCY = 6
UNDECIDED_ARTICLE_TRIES = 3  # an unreadable article whose title could not decide is retried this often


# -- polling ------------------------------------------------------------------------------------


@dataclass(slots=True)
class SourcePoll:
    """The outcome of polling one source once."""

    source: SourceConfig
    items: list[ListingItem] = field(default_factory=list)
    status: int | None = None
    error: str | None = None  # plain language, for operators
    error_kind: str | None = None
    elapsed: float = 0.0
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def parse_source_body(source: SourceConfig, result: FetchResult) -> list[ListingItem]:
    """Listing items from a fetched source, by the source's type (and what the body turns out to be)."""
    if source.type == "naver_api":
        return naver_api.parse_response(result.body)
    if source.type == "rss" or looks_like_feed(result.body):
        return parse_feed(result.body, result.url, result.content_type)
    return parse_listing(result.text, result.url, source.selectors)


async def poll_source(
    fetcher: Fetcher,
    source: SourceConfig,
    memory: SourceState | None,
    *,
    conditional: bool = True,
    env: dict[str, str] | None = None,
) -> SourcePoll:
    """Fetch and parse one source. Never raises: a failure becomes `SourcePoll.error`."""
    poll = SourcePoll(source)
    started = time.monotonic()
    try:
        url, headers = source.url, None
        if source.type == "naver_api":
            url, headers = naver_api.build_request(source.url, os.environ if env is None else env)
        result = await fetcher.fetch(
            url,
            etag=memory.etag if conditional and memory else None,
            last_modified=memory.last_modified if conditional and memory else None,
            encoding=source.encoding,
            headers=headers,
            robots=source.type != "naver_api",  # an API called with keys is not crawling
        )
        poll.status, poll.etag, poll.last_modified = result.status, result.etag, result.last_modified
        if not result.not_modified:
            poll.body_hash = hashlib.blake2b(result.body, digest_size=16).hexdigest()
        if result.not_modified or (
            conditional and memory is not None and memory.had_items and poll.body_hash == memory.body_hash
        ):
            # 304, or the very bytes of the last poll (servers without ETag): nothing new to parse.
            poll.not_modified = True
        else:
            poll.items = parse_source_body(source, result)
            if not poll.items and memory is not None and memory.had_items:
                poll.error_kind = "layout"
                poll.error = (
                    f"found no articles, although earlier polls found {memory.last_item_count or 'some'}: "
                    "the page layout may have changed (or the page is empty)"
                )
    except FetchError as exc:
        poll.error_kind, poll.error, poll.status = exc.kind, str(exc), exc.status
    except FeedError as exc:
        poll.error_kind, poll.error = "feed", str(exc)
    except naver_api.NaverCredentialsError as exc:
        poll.error_kind, poll.error = "config", str(exc)
    except naver_api.NaverApiError as exc:
        poll.error_kind, poll.error = "feed", str(exc)
    except ValueError as exc:  # e.g. a configured selector that is not CSS
        poll.error_kind, poll.error = "config", str(exc)
    except Exception as exc:  # a parser bug must not stop the other sources
        log.exception("source %s: unexpected error while parsing", source.name)
        poll.error_kind, poll.error = "bug", f"internal error while parsing ({type(exc).__name__}: {exc})"
    poll.elapsed = time.monotonic() - started
    return poll


async def poll_all(
    fetcher: Fetcher,
    sources: Sequence[SourceConfig],
    state: State | None,
    *,
    conditional: bool = True,
    env: dict[str, str] | None = None,
) -> list[SourcePoll]:
    """Poll sources concurrently (the fetcher caps concurrency per host)."""
    return list(
        await asyncio.gather(
            *(
                poll_source(fetcher, s, state.sources.get(s.name) if state else None, conditional=conditional, env=env)
                for s in sources
            )
        )
    )


# -- the cycle ----------------------------------------------------------------------------------


@dataclass(slots=True)
class Candidate:
    """A new, possibly relevant item on its way to becoming a post."""

    item: ListingItem
    source: SourceConfig
    verdict: Verdict
    first_poll: bool
    article: Article | None = None
    url: str = ""  # identity: the article's canonical URL once read, else the listing URL
    link: str = ""  # what the post links to: the page as fetched (after redirects), else the listing link

    @property
    def published_at(self) -> datetime | None:
        if self.article and self.article.published_at:
            return self.article.published_at
        return self.item.published_at


@dataclass(slots=True)
class CycleReport:
    polls: list[SourcePoll] = field(default_factory=list)
    new_items: int = 0
    relevant: int = 0
    queued_posts: int = 0
    queued_edits: int = 0
    backfilled: int = 0  # relevant but older than the backfill window on a first poll: recorded only
    articles_fetched: int = 0
    article_errors: int = 0
    delivery: object | None = None
    duration: float = 0.0

    @property
    def failed_sources(self) -> list[SourcePoll]:
        return [p for p in self.polls if not p.ok]

    def summary_line(self) -> str:
        return (
            f"cycle: sources={len(self.polls)} failed={len(self.failed_sources)} new={self.new_items} "
            f"relevant={self.relevant} posts={self.queued_posts} edits={self.queued_edits} "
            f"backfilled={self.backfilled} articles={self.articles_fetched} "
            f"article_errors={self.article_errors} duration={self.duration:.2f}s"
        )


_KEYS: dict[tuple[str, int], StoryKey] = {}  # (story id, copy) -> key; keys precompute features: reuse them


def _story_keys(story: StoryRecord) -> list[StoryKey]:
    """Grouping keys of a story: its first copy (with the lead) and each later copy's headline, so a third
    outlet's rewrite can match the second's wording."""
    when = datetime.fromtimestamp(story.published_at or story.first_seen, KST)
    copies = [(story.title, story.lead, story.url, story.outlet)]
    copies += [(entry[2], "", entry[1], entry[0]) for entry in story.also if len(entry) >= 3]
    keys = []
    for n, (title, lead, url, outlet) in enumerate(copies):
        key = _KEYS.get((story.id, n))
        if key is None or key.title != title:
            if len(_KEYS) > 50_000:
                _KEYS.clear()
            key = _KEYS[(story.id, n)] = StoryKey(
                id=story.id, title=title, lead=lead, published_at=when, url=url, outlet=outlet
            )
        keys.append(key)
    return keys


def story_id_for(url: str) -> str:
    return "s" + hashlib.sha1(url.encode("utf-8")).hexdigest()[:12]


def _epoch(dt: datetime | None) -> float | None:
    return dt.timestamp() if dt else None


def _lead(article: Article | None, item: ListingItem) -> str:
    text = article.text if article and article.text else (item.snippet or "")
    sentences = split_sentences(text) if text else []
    return sentences[0] if sentences else ""


class Cycle:
    """One pass over the given sources. Build one per cycle; `await cycle.run()`."""

    def __init__(
        self,
        config: Config,
        state: State,
        store: StateStore,
        fetcher: Fetcher,
        detector: Detector,
        deliver: Callable[[State, StateStore], object] | None,
        *,
        clock: Callable[[], float] = time.time,
        env: dict[str, str] | None = None,
    ) -> None:
        self.config = config
        self.state = state
        self.store = store
        self.fetcher = fetcher
        self.detector = detector
        self.deliver = deliver
        self.clock = clock
        self.env = env
        self.report = CycleReport()

    async def run(self, sources: Iterable[SourceConfig] | None = None) -> CycleReport:
        started = time.monotonic()
        sources = list(self.config.sources if sources is None else sources)
        polls = await poll_all(self.fetcher, sources, self.state, env=self.env)
        self.report.polls = polls
        candidates: list[Candidate] = []
        for poll in polls:
            self._record_health(poll)
            if poll.ok and not poll.not_modified:
                candidates.extend(self._screen(poll))
        await self._read_articles(candidates)
        self._queue(candidates)
        maybe_queue_digest(self.config.delivery.digest, self.state, self.clock())
        self.store.save(self.state)  # posts are durable as pending before any send
        if self.deliver is not None:
            result = self.deliver(self.state, self.store)
            if asyncio.iscoroutine(result):
                result = await result
            self.report.delivery = result
        self.store.save(self.state)
        self.report.duration = time.monotonic() - started
        log.info("%s", self.report.summary_line())
        return self.report

    # -- health ---------------------------------------------------------------------------------
    def _record_health(self, poll: SourcePoll) -> None:
        now = self.clock()
        mem = self.state.source(poll.source.name)
        mem.last_attempt_at = now
        mem.last_status = poll.status
        mem.last_duration = round(poll.elapsed, 3)
        if poll.ok:
            if poll.etag or poll.last_modified:
                mem.etag, mem.last_modified = poll.etag, poll.last_modified
            mem.last_ok_at = now
            if poll.body_hash:
                mem.body_hash = poll.body_hash
            if not poll.not_modified:
                mem.last_item_count = len(poll.items)
                mem.had_items = mem.had_items or bool(poll.items)
                dated = [i.published_at for i in poll.items if i.published_at]
                if dated:
                    mem.newest_item_at = max(dated).timestamp()
            if mem.alerted:
                self._alert(f"소스 복구: {poll.source.name} — 다시 정상적으로 수집됩니다.")
                mem.alerted = False
            mem.consecutive_failures = 0
            mem.last_error = None
            mem.backoff_until = None
            log.info(
                "source %s: ok, %d items%s in %.2fs",
                poll.source.name,
                len(poll.items),
                " (not modified)" if poll.not_modified else "",
                poll.elapsed,
            )
            return
        mem.consecutive_failures += 1
        mem.last_error = poll.error
        # A broken layout is not a reason to poll less often; network and server errors are.
        if poll.error_kind not in ("layout",):
            delay = min(poll.source.interval_minutes * 60 * 2 ** min(mem.consecutive_failures, 8), 6 * 3600)
            mem.backoff_until = now + delay
        log.warning(
            "source %s: failed (%s, %d in a row): %s",
            poll.source.name,
            poll.error_kind,
            mem.consecutive_failures,
            poll.error,
        )
        threshold = 1 if poll.error_kind == "layout" else self.config.health.failure_threshold
        if mem.consecutive_failures >= threshold and not mem.alerted:
            mem.alerted = True
            self._alert(
                f"소스 장애: {poll.source.name} — {mem.consecutive_failures}회 연속 실패.\n"
                f"{poll.error}\n{poll.source.url}"
            )

    def _alert(self, text: str) -> None:
        log.error("alert: %s", text.replace("\n", " | "))
        queue_alert(self.state, self.config.telegram.admin_chat_ids, text, self.clock())

    # -- screening ------------------------------------------------------------------------------
    def _screen(self, poll: SourcePoll) -> list[Candidate]:
        """New items of one source: record the irrelevant ones, keep the candidates."""
        mem = self.state.source(poll.source.name)
        first_poll = mem.first_poll_at is None
        if first_poll:
            mem.first_poll_at = self.clock()
        out: list[Candidate] = []
        for item in poll.items:
            if self.state.is_seen(item.url):
                continue
            self.report.new_items += 1
            verdict = self.detector.classify(item.title, item.snippet)
            if verdict.relevant or verdict.undecided:
                out.append(Candidate(item, poll.source, verdict, first_poll, url=item.url, link=item.fetch_url))
                continue
            log.info("skip %r (%s): %s", item.title, poll.source.name, ", ".join(verdict.reasons) or "no signal")
            self.state.mark_seen(item.url, poll.source.name, False, self.clock())
        return out

    # -- articles -------------------------------------------------------------------------------
    async def _read_articles(self, candidates: list[Candidate]) -> None:
        limit = self.config.fetch.max_articles_per_cycle
        if len(candidates) > limit:
            log.warning("%d candidates this cycle; reading the first %d, the rest next cycle", len(candidates), limit)
            del candidates[limit:]
        sem = asyncio.Semaphore(ARTICLE_CONCURRENCY)

        async def read(c: Candidate) -> None:
            async with sem:
                try:
                    result = await self.fetcher.fetch(c.item.fetch_url, encoding=c.source.encoding)
                    c.link = clean_link(result.url)
                    c.article = parse_article(result.text, result.url)
                    self.report.articles_fetched += 1
                except FetchError as exc:
                    self.report.article_errors += 1
                    log.warning("article %s (%s): %s", c.item.url, c.source.name, exc)
                except Exception as exc:  # a bad page must not stop the cycle
                    self.report.article_errors += 1
                    log.warning(
                        "article %s (%s): could not parse (%s: %s)", c.item.url, c.source.name, type(exc).__name__, exc
                    )

        await asyncio.gather(*(read(c) for c in candidates))
        for c in candidates:
            if c.article and c.article.url:
                c.url = canonical_url(c.article.url)

    # -- stories and the outbox -----------------------------------------------------------------
    def _decide(self, c: Candidate) -> bool | None:
        """True: post; False: record as not relevant; None: leave unseen and try again next cycle."""
        if c.article and c.article.text:
            # With the body in hand the body decides, both ways: it names the place a headline left
            # out, and it can show that a title's "광주" is 경기 광주.
            c.verdict = self.detector.classify(c.item.title, c.article.text)
            if not c.verdict.relevant:
                log.info(
                    "skip %r (%s) after reading the article: %s",
                    c.item.title,
                    c.source.name,
                    ", ".join(c.verdict.reasons) or "no signal",
                )
            return c.verdict.relevant
        if c.verdict.relevant:
            return True  # the title decided; post with the listing snippet
        tries = self.state.meta.setdefault("article_tries", {})
        tries[c.item.url] = tries.get(c.item.url, 0) + 1
        if tries[c.item.url] >= UNDECIDED_ARTICLE_TRIES:
            del tries[c.item.url]
            log.info(
                "skip %r (%s): article unreadable %d times, title alone undecided",
                c.item.title,
                c.source.name,
                UNDECIDED_ARTICLE_TRIES,
            )
            return False
        return None

    def _queue(self, candidates: list[Candidate]) -> None:
        now = self.clock()
        backfill = self.config.delivery.backfill_hours * 3600
        max_age = self.config.delivery.max_age_hours * 3600
        # Oldest first, so the channel reads in order.
        candidates.sort(key=lambda c: _epoch(c.published_at) or now)
        for c in candidates:
            decision = self._decide(c)
            if decision is None:
                continue
            relevant = bool(decision)
            # Seen already: the same article reached through another source (this cycle or before).
            already = self.state.is_seen(c.url)
            for u in {c.item.url, c.url}:
                self.state.mark_seen(u, c.source.name, relevant, now)
            if not relevant:
                continue
            self.report.relevant += 1
            if already:
                log.info("skip %r (%s): same article already seen through another source", c.item.title, c.source.name)
                continue
            published = _epoch(c.published_at)
            if c.first_poll or self.state.baseline == "recovered":
                window = 0 if self.state.baseline == "recovered" else backfill
                if published is None or published < now - window:
                    self.report.backfilled += 1
                    log.info("record %r (%s): first poll, older than the backfill window", c.item.title, c.source.name)
                    continue
            elif published is not None and published < now - max_age:
                # New to us but old news: an archive page or a reshuffled list, not a story to post.
                self.report.backfilled += 1
                log.info(
                    "record %r (%s): published %s, older than max_age_hours",
                    c.item.title,
                    c.source.name,
                    c.published_at,
                )
                continue
            self._add_to_story(c, now)

    def _add_to_story(self, c: Candidate, now: float) -> None:
        article, item = c.article, c.item
        title = (article.title if article and article.title else item.title).strip()
        outlet = item.outlet or (article.outlet if article and article.outlet else None) or c.source.outlet_name
        lead = _lead(article, item)
        key = StoryKey(id="", title=title, lead=lead, published_at=c.published_at, url=c.url, outlet=outlet)
        window = self.config.story_window_hours
        recent = [k for s in self.state.stories.values() if s.first_seen >= now - window * 3600 for k in _story_keys(s)]
        match = find_story(key, recent, window)
        reason = ", ".join(c.verdict.reasons)
        if match is not None:
            story = self.state.stories[match]
            if story.url == c.url or any(entry[1] in (c.url, c.link) for entry in story.also):
                return
            story.also.append([outlet, c.link, title])
            log.info("group %r (%s) with story %s %r: %s", title, outlet, story.id, story.title, reason)
            self._queue_edit(story, now)
            return
        summary = summarize(
            article.text if article else "",
            title=title,
            fallback=(article.description if article and article.description else None) or item.snippet,
        )
        story = StoryRecord(
            id=story_id_for(c.url),
            title=title,
            url=c.url,
            link=c.link,
            outlet=outlet,
            published_at=_epoch(c.published_at),
            first_seen=now,
            summary=summary,
            lead=lead,
            topics=list(c.verdict.topics),
        )
        self.state.stories[story.id] = story
        self.state.outbox.append(
            OutboxEntry(
                id=f"p-{story.id}",
                kind="post",
                text=render.render_post(story_view(story)),
                created_at=now,
                story_id=story.id,
            )
        )
        self.report.queued_posts += 1
        log.info("post %r (%s): %s", title, outlet, reason)

    def _queue_edit(self, story: StoryRecord, now: float) -> None:
        text = render.render_post(story_view(story))
        for entry in self.state.outbox:
            if entry.story_id == story.id and entry.status == "pending" and entry.kind in ("post", "edit"):
                entry.text = text  # not sent yet: send the grouped version straight away
                return
        self.state.outbox.append(
            OutboxEntry(id=f"e-{story.id}-{len(story.also)}", kind="edit", text=text, created_at=now, story_id=story.id)
        )
        self.report.queued_edits += 1
