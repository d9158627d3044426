"""The decide step: what one feed entry writes, given what the state knows. Pure: no I/O,
no clock of its own (lemon24/reader's "decider" is the model).

The poller reads the known state of a feed once (:class:`Known`), then for each entry in
feed order asks ``decide(entry, known, None, limits, now)`` whether its page is wanted,
fetches the wanted pages, and asks ``decide(entry, known, outcome, limits, now)`` again with
what the fetch gave; after each decision it calls ``known.absorb(decision)`` so that later
entries see what earlier ones decided, and it commits the decisions in one batch::

    known = Known.read(state_reader, source, feed_url, feed.entries)
    known.ration(feed.entries, limits)                      # which changed entries to refetch
    first = decide(entry, known, None, limits, now)         # "fetch" or a final decision
    last = decide(entry, known, Page(page, url, at), limits, now)

The decision table, per entry (``link`` is the entry's canonicalized link):

=================================================  ============================  ================
entry and state                                    decision                      counter
=================================================  ============================  ================
no usable link, or refused by the source's rules   nothing                       skipped
link already taken by an earlier entry of the feed nothing                       skipped
unknown                                            fetch; ok record, revision 1  new
unknown, page failed                               feed_only record, revision 1  new,
                                                                                 feed_only,
                                                                                 page_failures
known, fingerprint unchanged                       nothing                       skipped
known by link or alias only (another feed, a new   entry linked to the article   skipped
GUID)
feed_only with retries left                        fetch; ok record, revision+1  updated
feed_only, page failed again                       retry counted; given up past  page_failures
                                                   ``max_page_retries``          (gave_up)
fingerprint changed (title, link, summary,         fetch; a new content hash is  updated
published or updated)                              revision+1
  ... same content hash                            entry's new fingerprint kept  skipped
  ... revision cap reached                         entry's new fingerprint kept  revisions_capped
  ... beyond ``max_changes_per_poll`` this pass    left for a later poll (those  changes_capped
                                                   refreshed longest ago first)
  ... page failed                                  the last record stands        page_failures
page's canonical URL is a known article            entry linked to it            skipped
  (same text, or it is this link's own article)
page's canonical URL is known, other text          keyed by its own link         new
  (a canonical shared by a whole section)
article being fetched by another feed's pass       left for a later poll         deferred
over ``max_articles_per_poll``                     left for a later poll         deferred
a bug of ours on the page                          nothing; retried next poll    page_failures
=================================================  ============================  ================

The same story in two feeds: the second feed finds the article by its link (or by the
claim of the pass fetching it) and only links its entry to it. ``decide`` assigns id,
revision, status, source, feed_url, url and ``fetched_at`` of every record, those of the
one-off commands too (``entry`` None, see :func:`one_off`); extraction gives the page's
fields and nothing else. A second state backend serves the same step by
implementing :class:`StateReader`.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal, Protocol

from scraper.models import (
    Article,
    ArticleState,
    EntryLink,
    PageFields,
    Snapshot,
    article_id,
    format_time,
)
from scraper.urls import canonicalize, is_http_url

if TYPE_CHECKING:
    # Only its type: the one-off commands use this module without the feed parser.
    from scraper.feeds import FeedEntry

__all__ = [
    "Decision",
    "Failure",
    "Known",
    "Limits",
    "Page",
    "StateReader",
    "decide",
    "fingerprint",
    "one_off",
]

def fingerprint(entry: FeedEntry) -> str:
    """Digest of what a feed says about an entry: title, link, summary and its dates.

    A change means the story may have changed (RSS items carry no ``updated``: a live
    story moves its ``pubDate`` and rewrites its title in place).
    """
    text = "\x1f".join(value or "" for value in (
        entry.title, entry.link, entry.summary, entry.published, entry.updated))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Limits:
    """The limits one feed pass decides under (from ``settings:`` and the source)."""

    max_revisions: int = 10
    max_page_retries: int = 3
    max_articles_per_poll: int | None = None  # pages fetched per feed pass
    max_changes_per_poll: int = 20  # changed entries fetched again per feed pass
    accepts: Callable[[str], bool] = field(default=lambda url: True, compare=False)


@dataclass(frozen=True, slots=True)
class Page:
    """A page fetched and extracted: the page's fields, its final URL and when it came
    (both None for a saved file read with no ``--url``: it was not fetched)."""

    article: PageFields
    url: str | None
    fetched_at: datetime | None


@dataclass(frozen=True, slots=True)
class Failure:
    """A page that could not be had; ``bug`` when the error is ours, not the page's;
    ``error``: the error as it names itself with its place (page, source, feed), when the
    poller located it."""

    reason: str
    bug: bool = False
    error: str | None = None


Outcome = Page | Failure | None

Action = Literal["fetch", "write", "remember", "skip", "defer"]

@dataclass(frozen=True, slots=True)
class Decision:
    """What one entry writes and remembers.

    ``action`` is ``fetch`` (the page is wanted: decide again with the outcome), ``write``
    (``record`` is written), ``remember`` (state only), ``skip`` or ``defer`` (nothing, the
    entry waits for a later poll). ``claims`` are the article ids a fetch stands for;
    ``counts`` names the :class:`~scraper.models.Counters` the entry adds one to.
    """

    action: Action
    counts: tuple[str, ...] = ()
    link: str | None = None
    record: Article | None = None
    article: ArticleState | None = None
    entry: EntryLink | None = None
    aliases: tuple[tuple[str, str], ...] = ()
    claims: frozenset[str] = frozenset()
    reason: Literal["new", "retry", "update"] | None = None  # why a page is fetched
    message: str | None = None  # what the log should say about this entry
    warn: bool = False


class StateReader(Protocol):
    """What the decide step needs read from a state backend, in one call per feed."""

    def read_known(self, feed_url: str, entry_ids: Iterable[str], urls: Iterable[str],
                   ids: Iterable[str]) -> Snapshot: ...


@dataclass(eq=False)
class Known:
    """What the state knows that one feed's entries may touch, plus what this pass has
    decided so far (``absorb``). ``busy`` are ids another pass is fetching right now.
    ``source`` and ``feed_url`` are None for a page taken alone (see :func:`one_off`)."""

    source: str | None
    feed_url: str | None
    entries: dict[str, EntryLink] = field(default_factory=dict)  # by entry_id, this feed
    articles: dict[str, ArticleState] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)  # url -> article id
    busy: frozenset[str] = frozenset()
    planned: set[str] = field(default_factory=set)  # links this pass fetches
    claimed: set[str] = field(default_factory=set)  # ids this pass fetches
    fetches: int = 0
    changes: int = 0
    # The changed entries that may be fetched again this pass (see ``ration``); None: the
    # first ``max_changes_per_poll`` in feed order.
    change_slots: frozenset[str] | None = None

    @classmethod
    def read(cls, reader: StateReader, source: str, feed_url: str,
             entries: Iterable[FeedEntry], busy: Iterable[str] = ()) -> Known:
        """One read of everything ``entries`` may meet in the state."""
        entry_ids: list[str] = []
        links: list[str] = []
        for entry in entries:
            entry_ids.append(entry.entry_id)
            link = _link(entry)
            if link is not None:
                links.append(link)
        known = cls(source, feed_url, busy=frozenset(busy))
        known.merge(reader.read_known(feed_url, entry_ids, links,
                                      [article_id(link) for link in links]))
        return known

    def ration(self, entries: Iterable[FeedEntry], limits: Limits) -> None:
        """Choose which changed entries get the ``max_changes_per_poll`` fetches: those whose
        article was refreshed longest ago, so that a feed rewriting its first entries on
        every poll does not keep the changes of the later ones waiting for ever."""
        changed = []
        for position, entry in enumerate(entries):
            link = _link(entry)
            if link is None:
                continue
            article, seen = self._article_for(entry, link)
            if article is not None and seen is not None and _reason(
                    entry, article, seen, limits) == "update":
                changed.append((article.last_seen, position, entry.entry_id))
        changed.sort()
        self.change_slots = frozenset(ident for *_, ident in
                                      changed[:limits.max_changes_per_poll])

    def missing(self, pages: Iterable[Page]) -> list[str]:
        """Ids of fetched pages (by their canonical URL) the state was not asked about."""
        return [i for i in {page_id(p) for p in pages} if i not in self.articles]

    def merge(self, snapshot: Snapshot) -> None:
        """Take in what a read of the state gave (what this pass decided wins)."""
        for entry in snapshot.entries:
            self.entries.setdefault(entry.entry_id, entry)
        for state in snapshot.articles:
            self.articles.setdefault(state.id, state)
        for url, ident in snapshot.aliases:
            self.aliases.setdefault(url, ident)

    def absorb(self, decision: Decision) -> None:
        """Remember ``decision`` for the entries after it."""
        if decision.action == "fetch":
            assert decision.link is not None
            self.planned.add(decision.link)
            self.claimed |= decision.claims
            self.fetches += 1
            if decision.reason == "update":
                self.changes += 1
            return
        if decision.article is not None:
            self.articles[decision.article.id] = decision.article
        if decision.entry is not None:
            self.entries[decision.entry.entry_id] = decision.entry
        for url, ident in decision.aliases:
            self.aliases.setdefault(url, ident)

    def _article_for(self, entry: FeedEntry, link: str
                     ) -> tuple[ArticleState | None, EntryLink | None]:
        seen = self.entries.get(entry.entry_id)
        if seen is not None:
            known = self.articles.get(seen.article_id)
            if known is not None:
                return known, seen
        link_id = article_id(link)
        if link_id in self.articles:
            return self.articles[link_id], None
        alias = self.aliases.get(link)
        return (self.articles.get(alias) if alias else None), None


def _link(entry: FeedEntry | None) -> str | None:
    if entry is None or not entry.link:
        return None
    return _canonical_link(entry.link)


# An entry's link is asked for four times in a poll (Known.read, ration, and decide before
# and after its page): parsed once. Pure, and the feeds of one poll fit many times over.
@functools.lru_cache(maxsize=4096)
def _canonical_link(link: str) -> str | None:
    link = canonicalize(link)
    return link if is_http_url(link) else None


def page_id(page: Page) -> str:
    """The id a page gives itself: from its canonical URL, else from where it was found,
    else (a saved file with no address) from its text."""
    return article_id(page.article.canonical_url or page.url or page.article.body)


def decide(entry: FeedEntry | None, known: Known, outcome: Outcome, limits: Limits,
           now: datetime) -> Decision:
    """Decide what ``entry`` writes (see the module's table). With ``outcome`` None: is the
    page wanted (action ``fetch``), or is the entry settled without it?

    ``entry`` None: a page taken outside any feed (``scraper extract`` and ``scrape``, see
    :func:`one_off`), against nothing known: its record as the page is, revision 1, or
    nothing when the page could not be had (there is no feed entry to record instead)."""
    if entry is None:
        return _settle_alone(known, outcome)
    link = _link(entry)
    if link is None or not limits.accepts(link):
        return Decision("skip", ("skipped",))
    article, seen = known._article_for(entry, link)
    if outcome is None:
        return _plan(entry, link, article, seen, known, limits)
    stamp = format_time(now)
    if isinstance(outcome, Page) and not outcome.article.body.strip():
        # An empty or script-only page (a consent wall, a JS app) is a failed page: recorded
        # from the feed and retried, not kept as an "ok" article forever.
        outcome = Failure("the page has no article text")
    if isinstance(outcome, Page):
        return _settle_page(entry, link, article, known, outcome, limits, stamp)
    return _settle_failure(entry, link, article, known, outcome, limits, stamp)


def _plan(entry: FeedEntry, link: str, article: ArticleState | None, seen: EntryLink | None,
          known: Known, limits: Limits) -> Decision:
    if link in known.planned:
        return Decision("skip", ("skipped",))  # twice in one feed: the first carries it
    print_ = fingerprint(entry)
    reason = _reason(entry, article, seen, limits)
    if reason is None:
        assert article is not None
        if seen is None or seen.fingerprint != print_:
            # Same article from another feed (or a new GUID, or a state written before
            # fingerprints): remember this entry as it reads now.
            return Decision("remember", ("skipped",), link=link,
                            entry=_entry_link(known, entry, article.id))
        return Decision("skip", ("skipped",))
    ids = frozenset({article_id(link)} | ({article.id} if article else set()))
    if ids & known.claimed:
        # Another link of an article this pass is already fetching.
        assert article is not None
        return Decision("remember", ("skipped",), link=link,
                        entry=_entry_link(known, entry, article.id))
    if ids & known.busy:
        # Another feed's pass is fetching this article right now: its commit makes it
        # known, and the next pass of this feed links the entry to it.
        return Decision("defer", ("deferred",))
    if reason == "update" and (
            known.changes >= limits.max_changes_per_poll
            or (known.change_slots is not None and entry.entry_id not in known.change_slots)):
        # A feed that rewrites every entry on every poll must not cause a fetch storm.
        return Decision("defer", ("changes_capped",))
    cap = limits.max_articles_per_poll
    if cap is not None and known.fetches >= cap:
        return Decision("defer", ("deferred",))
    return Decision("fetch", link=link, claims=ids, reason=reason)


def _reason(entry: FeedEntry, article: ArticleState | None, seen: EntryLink | None,
            limits: Limits) -> Literal["new", "retry", "update"] | None:
    """Why the entry's page is wanted, if it is."""
    if article is None:
        return "new"
    if (article.status == "feed_only" and not article.gave_up
            and article.page_failures <= limits.max_page_retries):
        return "retry"
    if seen is not None and _changed(entry, seen, fingerprint(entry)):
        return "update"
    return None


def _changed(entry: FeedEntry, seen: EntryLink, print_: str) -> bool:
    if seen.fingerprint is None:
        # Linked before fingerprints were kept: only the entry's date can tell.
        return bool(entry.updated) and entry.updated != seen.updated
    return seen.fingerprint != print_


def _entry_link(known: Known, entry: FeedEntry, ident: str) -> EntryLink:
    assert known.feed_url is not None  # a feed's entry is decided with its feed known
    return EntryLink(known.feed_url, entry.entry_id, ident, entry.updated, fingerprint(entry))


def _remember(known: Known, entry: FeedEntry, link: str, state: ArticleState,
              counts: tuple[str, ...], *, record: Article | None = None,
              alias_canonical: bool = True, message: str | None = None,
              warn: bool = False) -> Decision:
    aliases = [(link, state.id)]
    if alias_canonical and state.canonical_url and state.canonical_url != link:
        aliases.append((state.canonical_url, state.id))
    return Decision("write" if record is not None else "remember", counts, link=link,
                    record=record, article=state, entry=_entry_link(known, entry, state.id),
                    aliases=tuple(aliases), message=message, warn=warn)


def _settle_page(entry: FeedEntry, link: str, article: ArticleState | None, known: Known,
                 page: Page, limits: Limits, now: str) -> Decision:
    record = _identify(fill_from_entry(page.article, entry), page, known)
    match = None
    if article is None or record.id != article.id:
        # The page's rel=canonical may name an article already known by another URL.
        match = known.articles.get(record.id)
    if match is not None and (match.content_hash == record.content_hash
                              or match.canonical_url == link):
        if article is None:
            return _remember(known, entry, link, replace(match, last_seen=now), ("skipped",))
        # This link's own article is the other one: nothing left to retry.
        return _remember(known, entry, link, replace(
            article, last_seen=now, entry_updated=entry.updated,
            gave_up=article.gave_up or article.status == "feed_only"), ("skipped",))
    if article is None and match is not None:
        # A canonical shared by different pages (a home page, one URL for a whole section)
        # would merge them all into one: this page is keyed by its own link.
        own = article_id(link)
        article = known.articles.get(own)
        record = replace(record, id=own)
    record = replace(record, id=article.id if article else record.id,
                     revision=article.revision + 1 if article else 1)
    alias_canonical = match is None or match.id == record.id
    if article is not None and article.status == "ok" and (
            record.content_hash == article.content_hash):
        return _remember(known, entry, link, replace(
            article, last_seen=now, entry_updated=entry.updated), ("skipped",))
    if article is not None and article.revision >= limits.max_revisions:
        return _remember(known, entry, link, replace(
            article, last_seen=now, entry_updated=entry.updated), ("revisions_capped",),
            message=f"revision cap reached for {record.canonical_url} ({record.id})")
    state = ArticleState(
        id=record.id, canonical_url=record.canonical_url, source=known.source,
        feed_url=known.feed_url, content_hash=record.content_hash, revision=record.revision,
        entry_updated=entry.updated, status="ok", page_failures=0, gave_up=False,
        first_seen=article.first_seen if article else now, last_seen=now,
    )
    return _remember(known, entry, link, state, ("updated",) if article else ("new",),
                     record=record, alias_canonical=alias_canonical)


def _settle_failure(entry: FeedEntry, link: str, article: ArticleState | None, known: Known,
                    failure: Failure, limits: Limits, now: str) -> Decision:
    if failure.bug:
        # Not the page's failure: no feed_only record; the feed's validators are dropped
        # so that the entry comes back on the next poll.
        return Decision("skip", ("page_failures", "pending"), link=link)
    message = (f"page failed: {failure.error}" if failure.error
               else f"page {link} failed: {failure.reason}")
    if article is None:
        record = replace(
            feed_only_article(entry, link, known), status="feed_only", revision=1,
            fetched_at=now,
        )
        # With max_page_retries 0 the first failure is final: counted as given up, and the
        # feed's validators are kept (no retry waits behind them).
        gave_up = limits.max_page_retries == 0
        state = ArticleState(
            id=record.id, canonical_url=link, source=known.source, feed_url=known.feed_url,
            content_hash=record.content_hash, revision=1, entry_updated=entry.updated,
            status="feed_only", page_failures=1, gave_up=gave_up, first_seen=now,
            last_seen=now,
        )
        return _remember(known, entry, link, state, (
            "page_failures", "new", "feed_only", "gave_up" if gave_up else "pending"),
            record=record, message=message, warn=True)
    if article.status == "feed_only" and not article.gave_up:
        failures = article.page_failures + 1
        gave_up = failures > limits.max_page_retries
        if gave_up:
            message += f"; giving up on it after {failures} failures"
        return _remember(known, entry, link, replace(
            article, page_failures=failures, gave_up=gave_up, last_seen=now),
            ("page_failures", "gave_up" if gave_up else "pending"), message=message, warn=True)
    # An update whose page failed: the last record stands; the entry's fingerprint is kept
    # so that a page gone for good is not fetched again on every poll.
    return _remember(known, entry, link, replace(
        article, last_seen=now, entry_updated=entry.updated), ("page_failures",),
        message=message, warn=True)


def _settle_alone(known: Known, outcome: Outcome) -> Decision:
    if not isinstance(outcome, Page):
        return Decision("skip", ("page_failures",), message=outcome.reason if outcome else None,
                        warn=outcome is not None)
    # Kept even without text (unlike a feed's page, which has a feed_only record and its
    # retries instead): the person who asked for it sees what the page gave.
    return Decision("write", ("new",), link=outcome.url,
                    record=_identify(outcome.article, outcome, known))


def _identify(page: PageFields, outcome: Page, known: Known) -> Article:
    """The page's fields plus the record's identity: the one place id, url, status,
    source, feed and fetch time are set (revision 1; the caller numbers a later one)."""
    fetched_at = outcome.fetched_at
    return Article.of(
        page, id=page_id(outcome), url=outcome.url, status="ok", source=known.source,
        feed_url=known.feed_url, fetched_at=format_time(fetched_at) if fetched_at else None,
        revision=1,
    )


def fill_from_entry(article: PageFields, entry: FeedEntry | None) -> PageFields:
    """Fill headline, published, authors and summary the page lacks from the feed entry."""
    if entry is None:
        return article
    changes: dict[str, object] = {}
    if not article.headline and entry.title:
        changes["headline"] = entry.title
    if not article.published and entry.published:
        changes["published"] = entry.published
    if not article.authors and entry.authors:
        changes["authors"] = entry.authors
    if not article.summary and entry.summary:
        changes["summary"] = entry.summary
    return replace(article, **changes) if changes else article  # type: ignore[arg-type]


def feed_only_article(entry: FeedEntry, link: str, known: Known) -> Article:
    """The record written when the page itself cannot be had: ``status="feed_only"``.

    The body stays empty: the feed's summary is in ``summary``, not passed off as the text.
    """
    return Article(
        id=article_id(link), url=link, canonical_url=link, status="feed_only",
        source=known.source, feed_url=known.feed_url, headline=entry.title,
        summary=entry.summary, authors=entry.authors, published=entry.published,
        modified=entry.updated if entry.updated != entry.published else None, tags=entry.tags,
    )


def one_off(page: PageFields, url: str | None, fetched_at: datetime | None = None,
            source: str | None = None) -> Article:
    """The record of a page taken outside any feed (``scraper extract`` and ``scrape``),
    as :func:`decide` writes it against nothing known: revision 1, ``ok``, keyed by its
    canonical URL, else ``url``, else its text.

    >>> from scraper.extract import extract
    >>> record = one_off(extract("<article><p>Text.</p></article>"), "https://example.com/a")
    >>> record.id == article_id("https://example.com/a"), record.revision
    (True, 1)
    """
    # The decision of a page taken alone stamps nothing with ``now``: its record's time
    # is its fetch's, and a saved file has none.
    decision = decide(None, Known(source, None), Page(page, url, fetched_at), Limits(),
                      fetched_at or _NO_TIME)
    assert decision.record is not None  # a page taken alone is always written
    return decision.record


_NO_TIME = datetime.fromtimestamp(0, UTC)
