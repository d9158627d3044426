"""The article record (schema version 1), the values it is built from, and what the state
remembers of articles and feed entries (the decide step reads it, the stores keep it).

``Article.to_dict()`` gives exactly the JSON object documented in the README and in
``scraper/schema/article.schema.json``; nothing else leaves the package as a raw dict.

>>> a = Article(url="https://example.com/a", canonical_url="https://example.com/a",
...             id=article_id("https://example.com/a"), headline="Hi", body="Text.")
>>> a.to_dict()["headline"]
'Hi'
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from typing import Any, Literal

__all__ = [
    "KEPT_COUNTERS",
    "SCHEMA_VERSION",
    "Article",
    "ArticleState",
    "Counters",
    "EntryLink",
    "ExtractRules",
    "Image",
    "PageFields",
    "Snapshot",
    "article_id",
    "content_hash",
    "format_time",
    "parse_time",
    "record_line",
]

SCHEMA_VERSION = 1

Status = Literal["ok", "feed_only"]

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def format_time(moment: datetime) -> str:
    """UTC ``YYYY-MM-DDTHH:MM:SSZ``: the one time format of ``fetched_at`` and the state."""
    return moment.astimezone(UTC).strftime(_TIME_FORMAT)


def parse_time(text: str) -> datetime:
    """Inverse of :func:`format_time`."""
    return datetime.strptime(text, _TIME_FORMAT).replace(tzinfo=UTC)


def article_id(key: str) -> str:
    """Stable id of an article: the first 128 bits of SHA-256 of its canonical URL, in hex."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def content_hash(headline: str | None, body: str | None) -> str:
    """Digest of what a reader sees (headline and body); a change means a new revision."""
    text = f"{headline or ''}\n\n{body or ''}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Image:
    """An image of the article: the caption without its credit, the credit without its label."""

    url: str | None = None
    caption: str | None = None
    credit: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "caption": self.caption, "credit": self.credit}


@dataclass(frozen=True, slots=True)
class ExtractRules:
    """Per-source CSS selectors (from ``sources.yaml``) that win over the generic extractor."""

    headline: str | None = None
    body: str | None = None
    caption: str | None = None
    remove: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.headline or self.body or self.caption or self.remove)


@dataclass(frozen=True, slots=True)
class PageFields:
    """What a page says about itself: the output of ``extract()``, without an identity.

    The record's id, revision, status, source, feed, URL and fetch time are set once, by
    the decide step (``scraper.records``): ``records.one_off(page, url)`` for a page taken
    on its own, ``records.decide`` for a feed's. ``notes`` says why fields are empty when
    extraction could not find them (for logs); it is not part of the record.
    """

    canonical_url: str | None = None
    headline: str | None = None
    summary: str | None = None
    dateline: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None
    modified: str | None = None
    language: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    images: tuple[Image, ...] = ()
    body: str = ""
    paywalled: bool | None = None
    notes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def content_hash(self) -> str:
        """See :func:`content_hash`."""
        return content_hash(self.headline, self.body)


@dataclass(frozen=True, slots=True)
class Article:
    """One normalized article record.

    ``notes`` says why fields are empty when extraction could not find them (for logs);
    it is not part of the record.
    """

    id: str
    url: str | None
    canonical_url: str | None
    revision: int = 1
    status: Status = "ok"
    source: str | None = None
    feed_url: str | None = None
    headline: str | None = None
    summary: str | None = None
    dateline: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None
    modified: str | None = None
    language: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    images: tuple[Image, ...] = ()
    body: str = ""
    paywalled: bool | None = None
    fetched_at: str | None = None
    notes: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def of(cls, page: PageFields, *, id: str, url: str | None, **identity: Any) -> Article:
        """The record of ``page`` under an identity (for the decide step)."""
        return cls(id=id, url=url, **identity,
                   **{f.name: getattr(page, f.name) for f in fields(PageFields)})

    @property
    def word_count(self) -> int:
        """Number of whitespace-separated words in the body."""
        return len(self.body.split())

    @property
    def content_hash(self) -> str:
        """See :func:`content_hash`."""
        return content_hash(self.headline, self.body)

    def to_dict(self) -> dict[str, Any]:
        """The record, with exactly the fields of schema version 1, in schema order."""
        return {
            "schema": SCHEMA_VERSION,
            "id": self.id,
            "revision": self.revision,
            "status": self.status,
            "source": self.source,
            "url": self.url,
            "canonical_url": self.canonical_url,
            "feed_url": self.feed_url,
            "headline": self.headline,
            "summary": self.summary,
            "dateline": self.dateline,
            "authors": list(self.authors),
            "published": self.published,
            "modified": self.modified,
            "language": self.language,
            "section": self.section,
            "tags": list(self.tags),
            "images": [image.to_dict() for image in self.images],
            "body": self.body,
            "word_count": self.word_count,
            "content_hash": self.content_hash,
            "paywalled": self.paywalled,
            "fetched_at": self.fetched_at,
        }


def record_line(article: Article) -> bytes:
    """One record as it is written (the stores' files, ``scraper extract`` and ``scrape``):
    compact JSON, UTF-8, one trailing newline."""
    text = json.dumps(article.to_dict(), ensure_ascii=False, separators=(",", ":"))
    return (text + "\n").encode("utf-8")


# -- what feed polls count ----------------------------------------------------------

# A pass's own count, not kept among a feed's totals in the state.
_PASS_ONLY = {"kept": False}


@dataclass(frozen=True, slots=True)
class Counters:
    """What feed polls counted, each thing under one name: the decide step's counts of a
    pass's entries (``Decision.counts`` names these fields), a feed poll's report, and a
    feed's totals in the state, which keep every field but ``skipped`` and ``pending``."""

    polls: int = 0
    failures: int = 0  # polls whose feed could not be had
    not_modified: int = 0
    bozo: int = 0  # polls of a malformed but usable feed
    new: int = 0
    updated: int = 0
    skipped: int = field(default=0, metadata=_PASS_ONLY)  # entries with nothing to write
    feed_only: int = 0
    page_failures: int = 0  # pages that could not be fetched or extracted
    gave_up: int = 0
    revisions_capped: int = 0
    changes_capped: int = 0  # changed entries left for later: over the per-poll cap
    deferred: int = 0  # entries left for a later poll (max_articles_per_poll, a shutdown)
    pending: int = field(default=0, metadata=_PASS_ONLY)  # pages waiting for a retry
    entries_cut: int = 0  # entries of oversized feeds not read (beyond max_feed_entries)

    def add(self, names: Iterable[str], sign: int = 1) -> Counters:
        """These counts with one added to (``sign`` -1: taken from) each of ``names``."""
        changes: dict[str, int] = {}
        for name in names:
            changes[name] = changes.get(name, getattr(self, name)) + sign
        return replace(self, **changes) if changes else self

    def __add__(self, other: Counters) -> Counters:
        return Counters(**{f.name: getattr(self, f.name) + getattr(other, f.name)
                           for f in fields(self)})

    def left_out(self, records: Iterable[Article]) -> Counters:
        """These counts with ``records``, which a store left out as written before (another
        poll won the race), counted as skipped instead of what they were counted as:
        revision 1 a new article (a feed_only one too), a later one an update."""
        counts = self
        for record in records:
            if record.revision > 1:
                taken: tuple[str, ...] = ("updated",)
            elif record.status == "feed_only":
                taken = ("new", "feed_only")
            else:
                taken = ("new",)
            counts = counts.add(taken, -1).add(("skipped",))
        return counts


KEPT_COUNTERS = tuple(f.name for f in fields(Counters) if f.metadata.get("kept", True))


# -- what the state remembers (read by the decide step, kept by the stores) ---------


@dataclass(frozen=True, slots=True)
class ArticleState:
    """What the poller remembers of one article (keyed by its id)."""

    id: str
    canonical_url: str | None
    source: str | None
    feed_url: str | None
    content_hash: str | None
    revision: int
    entry_updated: str | None
    status: str
    page_failures: int
    gave_up: bool
    first_seen: str
    last_seen: str


@dataclass(frozen=True, slots=True)
class EntryLink:
    """A feed entry and the article it led to, with the entry's ``updated`` and its
    fingerprint (see ``records.fingerprint``) when last seen: kept per entry, as two feeds
    may date and word the same article differently."""

    feed_url: str
    entry_id: str
    article_id: str
    updated: str | None
    fingerprint: str | None = None


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What the state holds about some entries, URLs and article ids (one read)."""

    entries: tuple[EntryLink, ...] = ()
    articles: tuple[ArticleState, ...] = ()
    aliases: tuple[tuple[str, str], ...] = ()  # (url, article_id)
