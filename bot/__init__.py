"""gwangju-ai-watch: the bot that posts Gwangju AI-infrastructure news to a Telegram channel.

The pipeline, one stage per module:
fetch (scrapers.fetch) → parse listing (scrapers.listing / scrapers.feeds) → judge relevance
(bot.relevance) → fetch and read the article (scrapers.article) → summarise (bot.summarize) →
group into stories (bot.stories) → render (bot.render) → deliver (bot.delivery) → record (state).
`bot.pipeline` runs one cycle of it; `bot.daemon` runs it on a schedule.
"""

__version__ = "0.1.0"
