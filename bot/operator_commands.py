"""What admins can see and do (bot.admin.Controls): the daemon's status and pause, and the operator's
loop, in which an admin reports a miss or a wrong post in one command and the bot learns.

    /missed URL   what happened to an article the channel did not get: which source listed it and when,
                  the verdict and its reasons (today's rules, on the article as it reads now), or that no
                  source covers its site (with the command that finds a feed to add); offers /post
    /post URL     publish it now, as a normal post: grouped, summarised, through the outbox
    /wrong X      take a post off the channel (X: the article URL, a t.me link to the post, or a reply
                  to the post forwarded to the bot): deleted, or after 48 h edited to a correction
    /story URL    which story and storyline an article went to, and why
    /coverage     the coverage audit (bot.coverage)

Each /missed, /post and /wrong appends a labelled example to the feedback file (bot.feedback) before it
answers, and the label acts at once through `Corrections`: a URL marked wrong is never posted again, a
missed or posted headline makes the next copies of its story relevant.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Protocol
from urllib.parse import urlsplit

from bot import outbox, render
from bot.articles import ArticleReader, Page
from bot.config import Config
from bot.coverage import CoverageReport, audit
from bot.delivery import requeue_failed
from bot.feedback import Corrections, Example, FeedbackLog, Label
from bot.relevance import Detector, Verdict
from bot.sources import Candidate, SourceConfig
from bot.status import Runtime, StatusSnapshot, snapshot
from bot.stories import lead_of
from scrapers.dates import KST
from scrapers.discover import DiscoverError, discover, rank
from scrapers.gnews import describe_health
from scrapers.models import ListingItem
from scrapers.urls import canonical_url, clean_link
from state.records import State, StoryRecord

ADMIN_SOURCE = "운영자"  # the source name of an article an admin posted by hand
DISCOVER_TRIES = 6  # feeds and list pages /missed tries on a site no source covers
_MESSAGE_LINK = re.compile(r"^https?://t\.me/(?:c/\d+|[A-Za-z][\w]{3,})/(\d+)(?:[/?#].*)?$")


class ByHand(Protocol):
    def publish_by_hand(self, c: Candidate, reason: str) -> tuple[StoryRecord, bool]: ...


def message_id_of(link: str) -> int | None:
    """The post id of a t.me link to a channel post (https://t.me/name/123, https://t.me/c/1234/123)."""
    match = _MESSAGE_LINK.match(link.strip())
    return int(match[1]) if match else None


def _site(url: str) -> str:
    """The site of a URL: its host (and port, if any), without www. or m."""
    host = urlsplit(url).netloc.lower().rsplit("@", 1)[-1]
    return host[4:] if host.startswith("www.") else host[2:] if host.startswith("m.") else host


class OperatorCommands:
    def __init__(
        self,
        config: Config,
        state: State,
        detector: Detector,
        corrections: Corrections,
        feedback: FeedbackLog,
        *,
        runtime: Runtime,
        reader: Callable[[], ArticleReader | None],
        newsroom: Callable[[], ByHand],
        check: Callable[[str], Awaitable[str]],
        commit: Callable[[], object],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config, self.state, self.detector, self.runtime = config, state, detector, runtime
        self.corrections, self.feedback = corrections, feedback
        self.reader, self.newsroom, self._check, self.commit, self.clock = reader, newsroom, check, commit, clock

    # -- the daemon ----------------------------------------------------------------------------------
    def status(self) -> StatusSnapshot:
        gnews = describe_health(self.state.gnews_health) if self.state.gnews_health else None
        return snapshot(self.config.sources, self.state, self.runtime, self.clock(), gnews)

    def latest(self, n: int) -> Sequence[StoryRecord]:
        return sorted(self.state.stories.values(), key=lambda s: s.first_seen, reverse=True)[:n]

    def set_paused(self, paused: bool) -> int:
        self.state.paused = paused
        self.commit()
        return len(self.state.pending())

    def retry_failed(self) -> int:
        count = requeue_failed(self.state)
        self.commit()
        return count

    async def check(self, url: str) -> str:
        return await self._check(url)

    def channel_ids(self) -> set[int | str]:
        chat = self.config.telegram.chat_id
        ids: set[int | str] = {*self.state.channel_migrated_to.values()}
        if chat is not None:
            ids |= {chat, str(chat).lstrip("@")}
        return ids

    # -- helpers -------------------------------------------------------------------------------------
    async def read(self, url: str) -> Page:
        reader = self.reader()
        if reader is None:
            return Page(None, None, "the bot is stopping")
        return await reader.read(url)

    def record(self, example: Example) -> None:
        self.feedback.append(example)  # durable before the command answers
        self.corrections.add(example)

    # -- the commands --------------------------------------------------------------------------------
    async def missed(self, url: str, by: int | None) -> str:
        page = await self.read(url)
        article = page.article
        title = article.title if article and article.title else ""
        text = article.text if article else ""
        identity = canonical_url(article.url) if article and article.url else canonical_url(url)
        urls = {identity, canonical_url(url), clean_link(url), *([page.link] if page.link else [])}
        story = self.state.story_with(*urls)
        seen = next((self.state.seen[u] for u in urls if u in self.state.seen), None)
        verdict = (
            self.detector.classify(title, text) if title else Verdict(False, 0.0, ("the article could not be read",))
        )
        site = _site(page.link or url)
        listing = tuple(s.name for s in self.config.sources if _site(s.url) == site)
        facts = render.MissedFacts(
            now=self.clock(),
            title=title,
            host=site,
            error=page.error,
            story=(story.title, story.link or story.url) if story else None,
            seen=(float(seen.first_seen), seen.source, seen.relevant) if seen else None,
            listing_sources=listing,
            suggestions=() if listing or story or seen else await self.feeds_of(page.link or url),
            relevant=verdict.relevant,
            undecided=verdict.undecided,
            reasons=verdict.reasons,
        )
        self.record(
            Example(
                url=identity,
                title=title,
                lead=lead_of(text),
                label=Label.MISSED,
                reason="; ".join(verdict.reasons) or (page.error or ""),
                at=self.clock(),
                by=by,
                source=seen.source if seen else None,
                story=story.id if story else None,
            )
        )
        return render.missed_reply(url, facts)

    async def feeds_of(self, url: str) -> tuple[str, ...]:
        """The best feeds and list pages of the article's site, as `discover` finds them (a few tries)."""
        reader = self.reader()
        if reader is None:
            return ()
        parts = urlsplit(url)
        try:
            found = await discover(reader.fetcher, f"{parts.scheme}://{parts.netloc}/", max_tries=DISCOVER_TRIES)
        except DiscoverError:
            return ()
        best = rank(found.found, datetime.fromtimestamp(self.clock(), KST))
        return tuple(f"{f.type} {f.url} ({f.items}건)" for f in best[:3] if f.items)

    async def post(self, url: str, by: int | None) -> str:
        page = await self.read(url)
        article = page.article
        if article is None:
            return render.missed_reply(
                url,
                render.MissedFacts(self.clock(), "", _site(url), page.error, None, None, (), (), False, False, ()),
            )
        link = page.link or clean_link(url)
        item = ListingItem(
            title=article.title or link, url=canonical_url(url), published_at=article.published_at, link=link
        )
        candidate = Candidate(
            item,
            SourceConfig(name=ADMIN_SOURCE, url=link),
            self.detector.classify(item.title, article.text),
            first_poll=False,
            article=article,
            url=canonical_url(article.url) if article.url else item.url,
            link=link,
        )
        story, new = self.newsroom().publish_by_hand(candidate, f"posted by admin {by}")
        self.record(
            Example(
                url=candidate.url,
                title=item.title,
                lead=lead_of(article.text),
                label=Label.POST,
                reason="posted by hand",
                at=self.clock(),
                by=by,
                story=story.id,
            )
        )
        self.commit()
        return render.posted_reply(story.title, story.link or story.url, queued=new)

    def wrong(self, target: str | int, by: int | None) -> str:
        story = self.story_for(target)
        url = target if isinstance(target, str) else None
        if story is None and url is None:
            return render.WRONG_UNKNOWN
        if story is not None:
            story.retracted = True
            posted = outbox.queue_retraction(self.state, story, self.clock()) is not None
            example = Example(
                url=story.url,
                title=story.title,
                lead=story.lead,
                label=Label.WRONG,
                reason="marked wrong by an admin",
                at=self.clock(),
                by=by,
                source=story.sources[0] if story.sources else None,
                story=story.id,
            )
        else:
            assert url is not None
            posted = False
            example = Example(
                canonical_url(url), "", "", Label.WRONG, "marked wrong before it was posted", self.clock(), by
            )
        self.record(example)
        self.commit()
        return render.wrong_reply(example.title or example.url, example.url, posted)

    def story_for(self, target: str | int) -> StoryRecord | None:
        """The story a URL, a t.me link to its post, or a post id stands for."""
        if isinstance(target, int):
            return self.state.story_with_message(target)
        message = message_id_of(target)
        if message is not None:
            return self.state.story_with_message(message)
        return self.state.story_with(canonical_url(target), clean_link(target))

    def story(self, url: str) -> str:
        story = self.story_for(url)
        if story is None:
            return render.STORY_UNKNOWN
        thread = [s for s in self.state.stories.values() if (s.storyline or s.id) == (story.storyline or story.id)]
        first = self.state.stories.get(story.storyline or story.id)
        name = first.title if first is not None and len(thread) > 1 else None
        return render.story_reply(story, name, len(thread))

    def coverage(self) -> str:
        return render.coverage_reply(self.coverage_report())

    def coverage_report(self) -> CoverageReport:
        """The coverage audit over `[health] coverage_days`, as the daily report and /metrics give it."""
        return audit(self.config.sources, self.state, self.clock(), self.config.health.coverage_days)
