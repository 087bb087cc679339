"""Getting news off the web: fetch pages, decode them, find the articles on listings and feeds,
and read an article page.

Pure parsers take bytes or text and return records (`scrapers.models`); only `scrapers.fetch`
touches the network.
"""
