"""The stage after "post": a relevant new article becomes a story (or joins one) and its post is queued.

`Newsroom.publish` groups the article with the stories of the grouping window (bot.stories: a copy of a
story already posted edits that post to name the new outlet), or opens a new story: summarised, given
its storyline (bot.storylines: a new event of an ongoing thread is posted as a reply to the thread's
latest post) and queued in the outbox. Every decision is logged and kept on the story (`/story`).
The newsroom is pure state work: no network, no Telegram; the cycle hands it the candidates and the
admins' /post hands it an article read on demand.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from bot import outbox, storylines
from bot.relevance import Verdict
from bot.sources import Candidate
from bot.stories import StoryIndex, story_key, story_keys
from bot.summarize import summarize
from state.records import Copy, Seen, State, StoryRecord

log = logging.getLogger("bot.pipeline")


def story_id_for(url: str) -> str:
    return "s" + hashlib.sha1(url.encode("utf-8")).hexdigest()[:12]


@dataclass(slots=True)
class Published:
    posts: int = 0
    edits: int = 0


class Newsroom:
    def __init__(self, state: State, stories: StoryIndex, clock: Callable[[], float]) -> None:
        self.state, self.stories, self.clock = state, stories, clock
        self.counts = Published()
        self._story_of_url: dict[str, StoryRecord] | None = None  # built when first needed, then kept

    def publish(self, c: Candidate) -> StoryRecord:
        """The candidate as a new story (its post queued) or as a copy of the story it belongs to."""
        now = self.clock()
        article, item = c.article, c.item
        title = (article.title if article and article.title else item.title).strip()
        outlet = item.outlet or (article.outlet if article and article.outlet else None) or c.source.outlet_name
        text = article.text if article and article.text else (item.snippet or "")
        key = story_key("", title, text, c.published_at, url=c.url, outlet=outlet)
        grouping = self.stories.decide(key)
        if grouping.match is not None:
            story = self.state.stories[grouping.match.story_id]
            story.listed_by(c.source.name)
            if not story.has_copy(c.url, c.link):
                story.also.append(Copy(outlet, c.link, title, key.lead))
                self._remember(story)
                self.stories.add(story.id, story_keys(story)[-1], at=story.first_seen)
                story.note(f"copy {c.link} ({outlet}, {c.source.name}): {grouping.log_line()}")
                log.info(
                    "group %r (%s) with story %s %r: %s", title, outlet, story.id, story.title, grouping.log_line()
                )
                if not story.retracted and outbox.queue_update(self.state, story, now) is not None:
                    self.counts.edits += 1
            return story
        story = StoryRecord(
            id=story_id_for(c.url),
            title=title,
            url=c.url,
            link=c.link,
            outlet=outlet,
            published_at=c.published_epoch,
            first_seen=now,
            summary=summarize(
                article.text if article else "",
                title=title,
                fallback=(article.description if article and article.description else None) or item.snippet,
            ),
            lead=key.lead,
            topics=list(c.verdict.topics),
            sources=[c.source.name],
        )
        thread = self.storyline_of(story, now)
        reason = ", ".join(c.verdict.reasons)
        story.note(f"posted from {c.source.name}: {reason}; {grouping.log_line()}; {thread.log_line()}")
        self.state.stories[story.id] = story
        self._remember(story)
        self.stories.add(story.id, story_keys(story)[0], at=now)
        outbox.queue_post(self.state, story, now, reply_to=thread.reply_to if thread.continues else None)
        self.counts.posts += 1
        log.info("post %r (%s): %s; %s; %s", title, outlet, reason, grouping.log_line(), thread.log_line())
        return story

    def publish_by_hand(self, c: Candidate, reason: str) -> tuple[StoryRecord, bool]:
        """An article an admin posts (/post): grouped, summarised and queued like any other, whatever the
        filter said. Returns its story and whether it is new (False: it was already one)."""
        c.verdict = Verdict(True, c.verdict.score, (*c.verdict.reasons, reason), c.verdict.topics)
        now = self.clock()
        for url in {c.item.url, c.url}:
            self.state.seen[url] = Seen(int(now), c.source.name, True)
        self.state.undecided_tries.pop(c.item.url, None)
        existing = self.state.story_with(c.url, c.link)
        return (existing, False) if existing is not None else (self.publish(c), True)

    def storyline_of(self, story: StoryRecord, now: float) -> storylines.StorylineDecision:
        """The thread a new story continues. Threads are found from headlines (see bot.storylines.BAR)."""
        history = [storylines.posted(s, s.topics, s.storyline, lead=False) for s in self.state.stories.values()]
        key = storylines.posted(story, story.topics, lead=False).key
        decision = storylines.assign(story.id, key, story.topics, history, now)
        story.storyline = decision.storyline_id
        return decision

    def listed_again(self, url: str, source: str) -> None:
        """A source lists an article already decided about: the story that holds it counts the source
        (the coverage audit's "stories a source contributed")."""
        if self._story_of_url is None:
            self._story_of_url = {}
            for known in self.state.stories.values():  # oldest first: a URL ends with its newest story
                self._remember(known)
        story = self._story_of_url.get(url)
        if story is not None:
            story.listed_by(source)

    def _remember(self, story: StoryRecord) -> None:
        """Keep the URL table of `listed_again` up to date (once it is built) with `story`'s URLs."""
        if self._story_of_url is not None:
            for u in (story.url, story.link, *(c.url for c in story.also)):
                if u:
                    self._story_of_url[u] = story

    def forget_before(self, moment: float) -> None:
        """Stories first seen before `moment` can no longer take copies."""
        self.stories.expire(moment)
