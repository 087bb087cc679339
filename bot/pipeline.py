"""One cycle of the bot, stage by stage (`Cycle.run` is that order and nothing else).

    poll sources (bot.poll) ─► source health (bot.source_health) ─► screen new items by title
    ─► resolve aggregator links (scrapers.gnews) ─► read candidate articles, each once (bot.articles)
    ─► decide: post or record (bot.decide)
    ─► publish: group into stories and storylines, queue posts, replies and edits (bot.newsroom)
    ─► scheduled messages (bot.digest)
    ─► save: every post is durable as pending ─► deliver (handed in) ─► save

Everything that talks to the outside (the fetcher, the delivery stage, the clock, the parsers of
`bot.parsing`) is handed in, so tests drive a cycle against real loopback servers and a fixed clock.
One failing source or one bad page never stops the rest: failures are kept in the source's state and
in the cycle report.
This module imports no Telegram code: delivery is a callable, alerts are outbox entries.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field

from bot import outbox, render
from bot.articles import ArticleReader, read_articles
from bot.config import Config
from bot.decide import Action, Decision, Facts, PostingPolicy, decide
from bot.digest import queue_due
from bot.feedback import Corrections
from bot.newsroom import Newsroom
from bot.parsing import InlineParsers, Parsers
from bot.poll import poll_all
from bot.relevance import Detector, Verdict
from bot.source_health import after_poll
from bot.sources import Candidate, SourceConfig, SourcePoll
from bot.stories import StoryIndex, build_index
from scrapers.fetch import Fetcher
from scrapers.gnews import GoogleNewsResolver, ResolverHealth, describe_health, with_publisher_url
from scrapers.urls import needs_online_resolution
from state.records import Baseline, Seen, State
from state.store import StateStore

log = logging.getLogger(__name__)

Deliver = Callable[[State, StateStore], Awaitable[object] | object]


@dataclass(slots=True)
class CycleReport:
    polls: list[SourcePoll] = field(default_factory=list)
    new_items: int = 0
    relevant: int = 0
    queued_posts: int = 0
    queued_edits: int = 0
    backfilled: int = 0  # relevant but old (first poll, recovered baseline, max age): recorded only
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


class Cycle:
    """One pass over the given sources. Build one per cycle; `await cycle.run()`."""

    def __init__(
        self,
        config: Config,
        state: State,
        store: StateStore,
        fetcher: Fetcher,
        detector: Detector,
        deliver: Deliver | None,
        *,
        stories: StoryIndex | None = None,
        clock: Callable[[], float] = time.time,
        env: Mapping[str, str] | None = None,
        parsers: Parsers | None = None,
        reader: ArticleReader | None = None,
        corrections: Corrections | None = None,
    ) -> None:
        self.config = config
        self.state = state
        self.store = store
        self.fetcher = fetcher
        self.detector = detector
        self.deliver = deliver
        self.clock = clock
        if stories is None:  # `once`: built for this run; the daemon hands in the one it keeps
            stories = build_index(state.stories.values(), config.stories.window_hours, clock())
        self.stories = stories
        self.env = env
        self.parsers = parsers or InlineParsers()
        self.reader = reader or ArticleReader(fetcher, self.parsers)
        self.corrections = corrections or Corrections(window_hours=config.stories.window_hours)
        self.policy = PostingPolicy(config.delivery.backfill_hours, config.delivery.max_age_hours)
        self.report = CycleReport()
        self.newsroom = Newsroom(state, self.stories, clock)

    async def run(self, sources: Iterable[SourceConfig] | None = None) -> CycleReport:
        started = time.monotonic()
        polls = await self.poll(self.config.sources if sources is None else sources)
        self.record_health(polls)
        candidates = self.screen(polls)
        await self.resolve_links(candidates)
        await self.read(candidates)
        self.forget_old_stories()
        for candidate in self.in_publication_order(candidates):
            self.apply(candidate, self.decide(candidate))
        self.queue_digest()
        self.save()  # posts are durable as pending before any send
        await self.deliver_pending()
        self.report.queued_posts, self.report.queued_edits = self.newsroom.counts.posts, self.newsroom.counts.edits
        self.report.duration = time.monotonic() - started
        log.info("%s", self.report.summary_line())
        return self.report

    # -- the stages -------------------------------------------------------------------------------
    async def poll(self, sources: Iterable[SourceConfig]) -> list[SourcePoll]:
        self.report.polls = await poll_all(self.fetcher, list(sources), self.state, env=self.env, parsers=self.parsers)
        return self.report.polls

    def record_health(self, polls: list[SourcePoll]) -> None:
        for poll in polls:
            name = poll.source.name
            change = after_poll(
                self.state.source(name), poll, self.clock(), failure_threshold=self.config.health.failure_threshold
            )
            self.state.sources[name] = change.memory
            if poll.ok:
                log.info(
                    "source %s: ok, %d items%s in %.2fs",
                    name,
                    len(poll.items),
                    " (not modified)" if poll.not_modified else "",
                    poll.elapsed,
                )
            else:
                log.warning(
                    "source %s: failed (%s, %d in a row): %s",
                    name,
                    poll.error_kind,
                    change.memory.consecutive_failures,
                    poll.error,
                )
            if change.alert is not None:
                self.alert(render.source_alert_text(change.alert))

    def screen(self, polls: list[SourcePoll]) -> list[Candidate]:
        """New items of each fresh listing: the irrelevant ones recorded, the rest kept as candidates."""
        out: list[Candidate] = []
        for poll in polls:
            if not poll.fresh:
                continue
            memory = self.state.source(poll.source.name)
            first_poll = memory.first_poll_at is None
            if first_poll:
                memory.first_poll_at = self.clock()
            for item in poll.items:
                if self.decided(item.url, poll.source.name) is not None:
                    continue
                self.report.new_items += 1
                verdict = self.detector.classify(item.title, item.snippet)
                if self.corrections.is_wrong(item.url):
                    verdict = Verdict(False, 0.0, ("marked wrong by an operator",))
                elif not verdict.relevant and (missed := self.corrections.missed_story(
                    item.title, item.snippet or "", item.published_at
                )):  # fmt: skip
                    vouched = f"the same story as {missed.url}, marked {missed.label} by an operator"
                    out.append(Candidate(item, poll.source, verdict, first_poll, vouched=vouched))
                    continue
                if verdict.relevant or verdict.undecided:
                    out.append(Candidate(item, poll.source, verdict, first_poll))
                    continue
                log.info("skip %r (%s): %s", item.title, poll.source.name, ", ".join(verdict.reasons) or "no signal")
                self.state.mark_seen(item.url, poll.source.name, False, self.clock())
        return out

    def decided(self, url: str, source: str) -> Seen | None:
        """What was decided about `url` before, if anything; a relevant article listed again counts
        `source` among its story's sources."""
        seen = self.state.seen.get(url)
        if seen is not None and seen.relevant:
            self.newsroom.listed_again(url, source)
        return seen

    async def resolve_links(self, candidates: list[Candidate]) -> None:
        """Google News links to their publishers' URLs, so that the article is read (once, with the
        outlet's own copy) and deduplicated by its URL. What cannot be resolved keeps its Google link
        and is decided from its title and snippet; the admins hear when resolving keeps failing."""
        links = [c.item.url for c in candidates if needs_online_resolution(c.item.url)]
        if not links:
            return
        resolver = GoogleNewsResolver(
            self.fetcher,
            self.state.gnews_cache,
            base_url=self.config.fetch.google_news_url,
            health=self.state.gnews_health,
            clock=self.clock,
        )
        resolved = await resolver.resolve(links)
        self.state.gnews_health = resolver.health.to_dict()
        kept = []
        for c in candidates:
            google = c.item.url
            if google in resolved:
                c.item = with_publisher_url(c.item, resolved[google])
                c.url, c.link, c.aliases = c.item.url, c.item.fetch_url, (*c.aliases, google)
                if (seen := self.decided(c.url, c.source.name)) is not None:  # the outlet's own listing brought it
                    self.state.mark_seen(google, c.source.name, seen.relevant, self.clock())
                    continue
            kept.append(c)
        candidates[:] = kept
        self.gnews_alert(resolver.health)

    def gnews_alert(self, health: ResolverHealth) -> None:
        failing = health.consecutive_failures >= self.config.health.failure_threshold
        if failing != self.state.gnews_alerted:
            self.state.gnews_alerted = failing
            self.alert(render.gnews_alert(describe_health(health), failing))

    async def read(self, candidates: list[Candidate]) -> None:
        reading = await read_articles(self.reader, candidates, self.config.fetch.max_articles_per_cycle)
        self.report.articles_fetched += reading.fetched
        self.report.article_errors += reading.errors

    def forget_old_stories(self) -> None:
        self.newsroom.forget_before(self.clock() - self.config.stories.window_hours * 3600)

    def in_publication_order(self, candidates: list[Candidate]) -> list[Candidate]:
        """Oldest first, so the channel reads in order; undated ones last."""
        now = self.clock()
        return sorted(candidates, key=lambda c: c.published_epoch or now)

    def decide(self, c: Candidate) -> Decision:
        if self.corrections.is_wrong(c.url, c.link):
            return Decision(Action.NOT_RELEVANT, "marked wrong by an operator")
        if c.vouched:
            c.verdict = Verdict(True, c.verdict.score, (*c.verdict.reasons, c.vouched), c.verdict.topics)
        elif c.article and c.article.text:
            # With the body in hand the body decides, both ways: it names the place a headline left
            # out, and it can show that a title's "광주" is 경기 광주.
            c.verdict = self.detector.classify(c.item.title, c.article.text)
        relevant = (
            c.verdict.relevant if c.vouched or (c.article and c.article.text) or not c.verdict.undecided else None
        )
        facts = Facts(
            relevant=relevant,
            tries=self.state.undecided_tries.get(c.item.url, 0),
            already_seen=self.state.is_seen(c.url),
            first_poll=c.first_poll,
            recovered_baseline=self.state.baseline is Baseline.RECOVERED,
            published_at=c.published_epoch,
            now=self.clock(),
        )
        return decide(facts, self.policy)

    def apply(self, c: Candidate, decision: Decision) -> None:
        """Carry out a decision: remember the URL, count it, and post (or join a story) when it says so."""
        if decision.action is Action.RETRY_LATER:
            self.state.undecided_tries[c.item.url] = self.state.undecided_tries.get(c.item.url, 0) + 1
            return
        self.state.undecided_tries.pop(c.item.url, None)
        relevant = decision.action is not Action.NOT_RELEVANT
        for url in {c.item.url, c.url, *c.aliases}:
            self.state.mark_seen(url, c.source.name, relevant, self.clock())
        if not relevant:
            read = " after reading the article" if c.article and c.article.text else ""
            reasons = ", ".join(c.verdict.reasons) or decision.reason
            log.info("skip %r (%s)%s: %s", c.item.title, c.source.name, read, reasons)
            return
        self.report.relevant += 1
        if decision.action is Action.POST:
            self.newsroom.publish(c)
            return
        if decision.action is Action.RECORD_OLD:
            self.report.backfilled += 1
        else:
            self.newsroom.listed_again(c.url, c.source.name)  # a posted article another source listed
        log.info("%s %r (%s): %s", decision.action, c.item.title, c.source.name, decision.reason)

    def queue_digest(self) -> None:
        queue_due(self.config, self.state, self.clock())

    def save(self) -> None:
        self.store.save(self.state)

    async def deliver_pending(self) -> None:
        """Hand the outbox to delivery, when this cycle delivers (the daemon delivers on its own), and
        save what it recorded."""
        if self.deliver is None:
            return
        result = self.deliver(self.state, self.store)
        self.report.delivery = await result if inspect.isawaitable(result) else result
        self.save()

    def alert(self, text: str) -> None:
        log.error("alert: %s", text.replace("\n", " | "))
        outbox.queue_alert(self.state, self.config.telegram.admin_chat_ids, text, self.clock())
