"""Feeds: bytes plus response headers in, entries out (feedparser never fetches anything).

Interface contract::

    feed = parse_feed(content, url, headers)     # raises FeedError when unusable
    for entry in feed.entries: entry.entry_id, entry.link ...
    article = feed_only_article(entry, feed_url=..., source=...)
    article = fill_from_entry(article, entry)    # feed data fills what the page lacks
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from scraper.models import Article

__all__ = ["FeedEntry", "ParsedFeed", "feed_only_article", "fill_from_entry", "parse_feed"]


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a feed, normalized."""

    entry_id: str  # GUID/id, else the link
    link: str | None  # absolute, canonicalized
    title: str | None = None
    summary: str | None = None  # plain text
    authors: tuple[str, ...] = ()
    published: str | None = None  # ISO 8601, UTC with Z
    updated: str | None = None  # ISO 8601, UTC with Z
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    url: str
    title: str | None
    format: str  # feedparser's version: rss20, atom10, rss10 ...
    entries: tuple[FeedEntry, ...]
    bozo: bool = False
    bozo_reason: str | None = None
    duplicate_ids: int = 0  # entries dropped because their id repeated


def parse_feed(content: bytes, url: str, headers: Mapping[str, str]) -> ParsedFeed:
    """Parse a feed; a bozo feed with entries is returned (bozo set), an unusable one raises."""
    raise NotImplementedError


def feed_only_article(entry: FeedEntry, *, feed_url: str, source: str | None) -> Article:
    """The record written when the page itself cannot be had: ``status="feed_only"``."""
    raise NotImplementedError


def fill_from_entry(article: Article, entry: FeedEntry) -> Article:
    """Fill headline, published, authors and summary the page lacks from the feed entry."""
    raise NotImplementedError
