"""One polling pass over the feeds of a source: conditional GET, parse, dedupe, fetch and
extract the new pages, decide revisions, then hand one batch per feed to the store.

    poller = Poller(store, fetcher, extractor)
    reports = await poller.poll_source(source)

The decisions, per feed entry (in feed order):

* known by ``(feed_url, entry_id)`` or by URL, ``updated`` unchanged: skipped;
* known, ``updated`` changed: page fetched again; a new content hash is written as
  ``revision + 1`` (up to ``max_revisions``), an unchanged one writes nothing;
* known as ``feed_only`` with page retries left: page fetched again; on success an ``ok``
  record with ``revision + 1``; after ``max_page_retries`` failed retries, given up;
* new: page fetched and extracted (in the process pool); the page's canonical URL may show
  it is an article already known from another feed, which is then not written again; when
  the page cannot be had, a ``feed_only`` record is written from the entry;
* claimed by another feed pass running at the same time (another source's feed lists the
  same article): left for the next pass, so the page is fetched and written once.

Claims are what keeps concurrent polls (``asyncio.gather`` over sources, overlapping
scheduler jobs) from fetching and writing one article twice: a pass claims the id of every
article it is about to fetch, in the event loop's one thread, before its first ``await``,
and releases them once its batch is committed. The store checks again inside the
transaction that records the batch, so a record of an id and revision already recorded is
never written, whatever went before.

The feed's validators (ETag, Last-Modified) are kept only when the pass handled every entry:
if entries were left for later (``max_articles_per_poll``, a shutdown) or pages wait for a
retry, the next request is unconditional, otherwise a 304 would hide them.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol

from scraper.archive import ArchivedPage
from scraper.config import PollSettings, SourceConfig
from scraper.errors import ArchiveError, ExtractionError, FeedError, FetchError, HTTPStatusError
from scraper.feeds import FeedEntry, ParsedFeed, feed_only_article, fill_from_entry, parse_feed
from scraper.fetch import FetchResult
from scraper.models import Article, ExtractRules, article_id
from scraper.store import (
    ArticleState,
    Batch,
    EntryLink,
    FeedCounters,
    FeedState,
    StateStore,
    format_time,
    parse_time,
)
from scraper.urls import canonicalize, is_http_url

__all__ = ["Extractor", "FeedReport", "PageFetcher", "PollSettings", "Poller", "is_due"]

log = logging.getLogger(__name__)


class PageFetcher(Protocol):
    """What the poller needs of :class:`scraper.fetch.Fetcher`."""

    async def fetch(
        self, url: str, *, kind: Literal["page", "feed"] = "page", trusted: bool = False,
        headers: Mapping[str, str] | None = None, user_agent: str | None = None,
        allow_private_networks: bool | None = None,
    ) -> FetchResult: ...


class PageArchive(Protocol):
    """What the poller needs of :class:`scraper.archive.WarcArchive`."""

    def write(self, page: ArchivedPage) -> None: ...


# (html, url, rules, content_type) -> Article; raises ExtractionError (also on a time-out).
Extractor = Callable[[bytes, str, ExtractRules, "str | None"], Awaitable[Article]]


@dataclass(frozen=True, slots=True)
class FeedReport:
    """The outcome of polling one feed (one log line, one row of the summary table)."""

    source: str
    feed_url: str
    status: int | None  # HTTP status of the feed, None when no answer came
    error: str | None = None  # why the feed failed; None when it was read (or was a 304)
    new: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0  # pages that could not be fetched or extracted
    feed_only: int = 0
    gave_up: int = 0
    capped: int = 0
    deferred: int = 0  # entries left for the next pass
    bozo: bool = False
    duration: float = 0.0
    next_poll: str | None = None
    duplicates: int = 0  # feed entries dropped because their id repeated
    dropped: int = 0  # feed entries dropped as unusable (no link, no title)

    @property
    def ok(self) -> bool:
        """True when the feed was fetched and parsed (page failures aside)."""
        return self.error is None


_MAX_AGE = re.compile(r"(?:^|,)\s*(?:s-)?max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


def _max_age(headers: Mapping[str, str]) -> float | None:
    value = headers.get("cache-control")
    if not value or "no-store" in value.lower():
        return None
    match = _MAX_AGE.search(value)
    return float(match.group(1)) if match else None


def is_due(state: FeedState | None, now: datetime, tolerance: float = 0.0) -> bool:
    """True when a feed should be polled at ``now`` (``tolerance`` seconds early is fine:
    the scheduler's jitter must not push every poll to the tick after)."""
    if state is None or state.next_poll is None:
        return True
    return parse_time(state.next_poll) <= now + timedelta(seconds=tolerance)


@dataclass
class _Work:
    """One entry that needs its page fetched."""

    entry: FeedEntry
    link: str
    action: Literal["new", "retry", "update"]
    known: ArticleState | None
    result: FetchResult | None = None
    article: Article | None = None
    error: str | None = None
    bug: bool = False  # the error is ours, not the page's


@dataclass(eq=False)
class _Pass:
    """The mutable tally of one feed poll, turned into a Batch and a FeedReport at the end.

    ``settings`` are those of the poller when the pass began: a reload (SIGHUP) changes the
    limits of later passes, never half of one."""

    settings: PollSettings
    records: list[Article] = field(default_factory=list)
    articles: dict[str, ArticleState] = field(default_factory=dict)
    entries: list[EntryLink] = field(default_factory=list)
    aliases: list[tuple[str, str]] = field(default_factory=list)
    new: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    feed_only: int = 0
    gave_up: int = 0
    capped: int = 0
    deferred: int = 0
    pending_retries: int = 0
    claims: set[str] = field(default_factory=set)  # article ids this pass is fetching


class FeedParser(Protocol):
    """Parses a feed off the event loop (see ExtractorPool.parse_feed)."""

    def __call__(self, content: bytes, url: str,
                 headers: Mapping[str, str]) -> Awaitable[ParsedFeed]: ...


async def parse_in_thread(content: bytes, url: str, headers: Mapping[str, str], *,
                          time_limit: float = 30.0) -> ParsedFeed:
    """parse_feed in a daemon thread, given up after ``time_limit`` seconds (FeedError).

    A daemon thread, not the loop's executor: asyncio.run waits for executor threads at
    exit, and a thread stuck in a pathological feed must not hold up a shutdown."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[ParsedFeed] = loop.create_future()

    def settle(value: ParsedFeed | None, error: BaseException | None) -> None:
        if done.done():
            return
        if error is not None:
            done.set_exception(error)
        else:
            done.set_result(value)  # type: ignore[arg-type]

    def work() -> None:
        try:
            value, error = parse_feed(content, url, dict(headers)), None
        except Exception as exc:
            value, error = None, exc
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(settle, value, error)

    threading.Thread(target=work, name="parse-feed", daemon=True).start()
    try:
        return await asyncio.wait_for(done, time_limit)
    except TimeoutError:
        raise FeedError(url, f"feed parsing took over {time_limit:g} s") from None


class Poller:
    """Polls feeds into a store. One Poller serves every source of a process."""

    def __init__(
        self,
        store: StateStore,
        fetcher: PageFetcher,
        extractor: Extractor,
        settings: PollSettings | None = None,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        monotonic: Callable[[], float] = time.monotonic,
        stop: asyncio.Event | None = None,
        stop_grace: float = 3.0,
        feed_parser: FeedParser | None = None,
        parse_time_limit: float = 30.0,
        archive: PageArchive | None = None,
    ) -> None:
        self.store = store
        self.fetcher = fetcher
        self.extractor = extractor
        self.settings = settings or PollSettings()
        self._now = now
        self._monotonic = monotonic
        self.stop = stop or asyncio.Event()
        self.stop_grace = stop_grace
        self.parse_feed: FeedParser = feed_parser or functools.partial(
            parse_in_thread, time_limit=parse_time_limit)
        self.archive = archive
        # article id -> the pass fetching it; shared by every poll of this poller.
        self._claims: dict[str, _Pass] = {}

    async def poll_source(
        self, source: SourceConfig, *, only_due: bool = False, tolerance: float = 0.0,
        on_feed: Callable[[FeedReport], None] | None = None,
    ) -> list[FeedReport]:
        """Poll the feeds of ``source`` one after the other (so that an article in two of
        its feeds is seen as known by the second); with ``only_due``, feeds whose backoff
        has not expired are left alone."""
        reports = []
        for feed_url in source.feeds:
            if self.stop.is_set():
                break
            state = self.store.feed(source.name, feed_url)
            if only_due and not is_due(state, self._now(), tolerance):
                continue
            report = await self.poll_feed(source, feed_url, state)
            reports.append(report)
            if on_feed:
                on_feed(report)
        return reports

    async def poll_feed(
        self, source: SourceConfig, feed_url: str, state: FeedState | None = None,
    ) -> FeedReport:
        """Poll one feed and commit its batch; feed failures are reported, not raised
        (a StoreError is raised: nothing can go on without the output)."""
        started = self._monotonic()
        settings = self.settings
        state = state or self.store.feed(source.name, feed_url) or FeedState(
            source.name, feed_url)
        headers = {}
        if state.etag:
            headers["If-None-Match"] = state.etag
        if state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
        try:
            result = await self.fetcher.fetch(
                feed_url, kind="feed", headers=headers, user_agent=source.user_agent,
                allow_private_networks=source.allow_private_networks,
            )
        except FetchError as exc:
            status = exc.status if isinstance(exc, HTTPStatusError) else None
            retry_after = exc.retry_after if isinstance(exc, HTTPStatusError) else None
            return self._failed(source, state, status, exc.reason, retry_after, started,
                                settings)
        except Exception as exc:
            # Counted and backed off like any failure, so a feed that trips a bug is seen in
            # `scraper status` instead of failing silently on every tick.
            log.exception("unexpected error fetching the feed %s", feed_url,
                          extra={"source": source.name, "feed": feed_url})
            return self._failed(source, state, None, f"unexpected error: {exc!r}", None,
                                started, settings)
        if result.status == 304:
            return self._not_modified(source, state, result, started, settings)
        try:
            feed = await self.parse_feed(result.content, result.url, result.headers)
        except FeedError as exc:
            return self._failed(source, state, result.status, exc.reason, None, started,
                                settings)
        if feed.bozo:
            log.warning("feed %s is malformed but usable: %s", feed_url, feed.bozo_reason,
                        extra={"source": source.name, "feed": feed_url})
        tally = _Pass(settings)
        try:
            await self._entries(source, feed_url, feed.entries, tally)
            keep_validators = not tally.deferred and not tally.pending_retries
            now = self._now()
            delay = self._success_delay(source, result, settings)
            new_state = replace(
                state,
                etag=result.headers.get("etag") if keep_validators else None,
                last_modified=result.headers.get("last-modified") if keep_validators else None,
                last_poll=format_time(now), last_status=result.status, consecutive_errors=0,
                next_poll=format_time(now + timedelta(seconds=delay)), last_error=None,
            )
            counters = FeedCounters(
                polls=1, bozo=int(feed.bozo), new=tally.new, updated=tally.updated,
                feed_only=tally.feed_only, page_failures=tally.failed, gave_up=tally.gave_up,
                revisions_capped=tally.capped,
            )
            left_out = self.store.commit(Batch(
                feed=new_state, counters=counters, records=tuple(tally.records),
                articles=tuple(tally.articles.values()), entries=tuple(tally.entries),
                aliases=tuple(tally.aliases),
            ))
        finally:
            self._release(tally)
        self._left_out(source, feed_url, tally, left_out)
        return self._report(FeedReport(
            source.name, feed_url, result.status, None, tally.new, tally.updated,
            tally.skipped, tally.failed, tally.feed_only, tally.gave_up, tally.capped,
            tally.deferred, feed.bozo, self._monotonic() - started, new_state.next_poll,
            feed.duplicate_ids, feed.dropped,
        ))

    # -- the feed ---------------------------------------------------------------------

    @staticmethod
    def _success_delay(source: SourceConfig, result: FetchResult,
                       settings: PollSettings) -> float:
        max_age = _max_age(result.headers)
        if max_age is None:
            return source.interval
        return max(source.interval, min(max_age, settings.max_cache_delay))

    def _not_modified(self, source: SourceConfig, state: FeedState, result: FetchResult,
                      started: float, settings: PollSettings) -> FeedReport:
        now = self._now()
        delay = self._success_delay(source, result, settings)
        new_state = replace(
            state,
            etag=result.headers.get("etag") or state.etag,
            last_modified=result.headers.get("last-modified") or state.last_modified,
            last_poll=format_time(now), last_status=304, consecutive_errors=0,
            next_poll=format_time(now + timedelta(seconds=delay)), last_error=None,
        )
        self.store.commit(Batch(feed=new_state, counters=FeedCounters(polls=1, not_modified=1)))
        return self._report(FeedReport(
            source.name, state.feed_url, 304, duration=self._monotonic() - started,
            next_poll=new_state.next_poll,
        ))

    def _failed(self, source: SourceConfig, state: FeedState, status: int | None, reason: str,
                retry_after: float | None, started: float,
                settings: PollSettings) -> FeedReport:
        errors = state.consecutive_errors + 1
        cap = settings.max_backoff
        # The first failure waits two intervals, then four...: a feed that is down for a day
        # is asked about a dozen times, not a hundred. A cap set below the interval must not
        # make a failing feed polled more often than a healthy one.
        delay = max(min(source.interval * 2.0 ** min(errors, 32), cap), source.interval)
        if retry_after is not None:
            delay = max(delay, min(retry_after, cap))
        now = self._now()
        new_state = replace(
            state, last_poll=format_time(now), last_status=status, consecutive_errors=errors,
            next_poll=format_time(now + timedelta(seconds=delay)), last_error=reason,
        )
        self.store.commit(Batch(feed=new_state, counters=FeedCounters(polls=1, failures=1)))
        return self._report(FeedReport(
            source.name, state.feed_url, status, reason, duration=self._monotonic() - started,
            next_poll=new_state.next_poll,
        ))

    def _report(self, report: FeedReport) -> FeedReport:
        level = logging.INFO if report.ok else logging.WARNING
        log.log(
            level,
            "poll source=%s feed=%s status=%s new=%d updated=%d skipped=%d failed=%d "
            "duration=%.2fs%s%s",
            report.source, report.feed_url, report.status if report.status else "-",
            report.new, report.updated, report.skipped, report.failed, report.duration,
            f" duplicates={report.duplicates} dropped={report.dropped}"
            if report.duplicates or report.dropped else "",
            f" error={report.error!r}" if report.error else "",
            extra={
                "event": "poll", "source": report.source, "feed": report.feed_url,
                "status": report.status, "new": report.new, "updated": report.updated,
                "skipped": report.skipped, "failed": report.failed,
                "feed_only": report.feed_only, "gave_up": report.gave_up,
                "capped": report.capped, "deferred": report.deferred, "bozo": report.bozo,
                "duration": round(report.duration, 3), "error": report.error,
                "next_poll": report.next_poll, "duplicates": report.duplicates,
                "dropped": report.dropped,
            },
        )
        return report

    # -- the entries ------------------------------------------------------------------

    def _known(self, tally: _Pass, feed_url: str, entry: FeedEntry,
               link: str) -> tuple[ArticleState | None, EntryLink | None]:
        seen = self.store.entry(feed_url, entry.entry_id)
        if seen is not None:
            known = tally.articles.get(seen.article_id) or self.store.article(seen.article_id)
            if known is not None:
                return known, seen
        link_id = article_id(link)
        known = (tally.articles.get(link_id) or self.store.article_for_url(link)
                 or self.store.article(link_id))
        return known, None

    def _plan(self, source: SourceConfig, feed_url: str, entries: tuple[FeedEntry, ...],
              tally: _Pass) -> list[_Work]:
        work: list[_Work] = []
        planned: set[str] = set()
        cap = source.max_articles_per_poll
        for entry in entries:
            link = canonicalize(entry.link) if entry.link else None
            if link is None or not is_http_url(link) or not source.accepts(link):
                tally.skipped += 1
                continue
            if link in planned:
                tally.skipped += 1  # twice in one feed: the first one carries it
                continue
            known, seen = self._known(tally, feed_url, entry, link)
            action: Literal["new", "retry", "update"] | None
            if known is None:
                action = "new"
            elif (known.status == "feed_only" and not known.gave_up
                  and known.page_failures <= tally.settings.max_page_retries):
                action = "retry"
            elif seen is not None and entry.updated and entry.updated != seen.updated:
                action = "update"
            else:
                action = None
            if action is None:
                assert known is not None
                tally.skipped += 1
                if seen is None:
                    # Same article from another feed (or a new GUID): remember this entry too.
                    tally.entries.append(EntryLink(feed_url, entry.entry_id, known.id,
                                                   entry.updated))
                continue
            ids = {article_id(link)} | ({known.id} if known else set())
            owners = {self._claims.get(i) for i in ids} - {None}
            if tally in owners:
                # Another link of an article this pass is already fetching.
                assert known is not None
                tally.skipped += 1
                tally.entries.append(EntryLink(feed_url, entry.entry_id, known.id,
                                               entry.updated))
                continue
            if owners:
                # Another feed's pass (another source's) is fetching this article right now.
                # Its commit makes it known; the next pass of this feed links the entry to it.
                tally.deferred += 1
                continue
            if cap is not None and len(work) >= cap:
                tally.deferred += 1
                continue
            planned.add(link)
            for i in ids:
                self._claims[i] = tally
            tally.claims |= ids
            work.append(_Work(entry, link, action, known))
        return work

    def _release(self, tally: _Pass) -> None:
        for i in tally.claims:
            if self._claims.get(i) is tally:
                del self._claims[i]
        tally.claims.clear()

    def _left_out(self, source: SourceConfig, feed_url: str, tally: _Pass,
                  records: tuple[Article, ...]) -> None:
        """Count the records the store refused as already written (see Store.commit)."""
        for record in records:
            log.warning("article %s revision %d was already written; not written again",
                        record.id, record.revision,
                        extra={"source": source.name, "feed": feed_url, "id": record.id})
            if record.revision == 1:
                tally.new -= 1
                if record.status == "feed_only":
                    tally.feed_only -= 1
            else:
                tally.updated -= 1
            tally.skipped += 1

    def _archive(self, source: SourceConfig, feed_url: str, item: _Work,
                 result: FetchResult) -> None:
        """Keep the raw page (settings ``archive: warc``), with the entry that led to it so
        that ``scraper reextract`` can fill a record from it as this poll does."""
        if self.archive is None:
            return
        try:
            self.archive.write(ArchivedPage(
                url=result.url, status=result.status, headers=result.headers,
                content=result.content, fetched_at=result.fetched_at,
                requested_url=item.link, source=source.name, feed_url=feed_url,
                entry=asdict(item.entry)))
        except ArchiveError as exc:
            # The archive is a copy for later; the records are the output that must go on.
            log.error("page %s not archived: %s", item.link, exc,
                      extra={"source": source.name, "feed": feed_url, "url": item.link})

    async def _fetch_page(self, source: SourceConfig, feed_url: str, item: _Work) -> None:
        try:
            result = await self.fetcher.fetch(
                item.link, kind="page", user_agent=source.user_agent,
                allow_private_networks=source.allow_private_networks,
            )
            item.result = result
            self._archive(source, feed_url, item, result)
            article = await self.extractor(
                result.content, result.url, source.extract, result.headers.get("content-type"),
            )
            if not (article.body or "").strip():
                # An empty or script-only page (a consent wall, a JS app) is a failed page:
                # recorded from the feed and retried, not kept as an "ok" article forever.
                item.error = "the page has no article text"
                return
            item.article = article
        except FetchError as exc:
            item.error = exc.reason
        except ExtractionError as exc:
            item.error = f"extraction failed: {exc}"
        except Exception as exc:
            # A bug met on one page (untrusted input reaches a lot of code) must not keep
            # the rest of the feed from being written; it is not the page's failure either,
            # so no feed_only record: counted, logged, and the page is tried again.
            log.exception("unexpected error on the page %s", item.link,
                          extra={"source": source.name, "url": item.link})
            item.error = f"unexpected error: {exc!r}"
            item.bug = True

    async def _fetch_all(self, source: SourceConfig, feed_url: str,
                         work: list[_Work]) -> list[_Work]:
        """Fetch and extract every page concurrently (the fetcher's limits pace them).

        On a stop request, pages in flight get ``stop_grace`` seconds to finish; what is left
        waits for a later pass (nothing of it is recorded, so nothing is lost)."""
        if not work:
            return []
        tasks: dict[asyncio.Future[Any], _Work] = {
            asyncio.ensure_future(self._fetch_page(source, feed_url, item)): item
            for item in work}
        stopper: asyncio.Future[Any] = asyncio.ensure_future(self.stop.wait())
        try:
            pending = set(tasks)
            while pending and not self.stop.is_set():
                _, pending = await asyncio.wait(
                    pending | {stopper}, return_when=asyncio.FIRST_COMPLETED)
                pending.discard(stopper)
            if pending:
                await asyncio.wait(pending, timeout=self.stop_grace)
        finally:
            stopper.cancel()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, stopper, return_exceptions=True)
        done = []
        for task, item in tasks.items():
            if task.cancelled() or (item.article is None and item.error is None):
                continue
            exc = task.exception()
            if exc is not None:
                raise exc
            done.append(item)
        return done

    async def _entries(self, source: SourceConfig, feed_url: str,
                       entries: tuple[FeedEntry, ...], tally: _Pass) -> None:
        # No await between the claims taken in _plan and the check they guard.
        work = self._plan(source, feed_url, entries, tally)
        done = await self._fetch_all(source, feed_url, work)
        tally.deferred += len(work) - len(done)
        now = format_time(self._now())
        for item in done:
            self._settle(source, feed_url, item, tally, now)

    def _remember(self, tally: _Pass, feed_url: str, item: _Work, state: ArticleState,
                  *, alias_canonical: bool = True) -> None:
        tally.articles[state.id] = state
        tally.entries.append(EntryLink(feed_url, item.entry.entry_id, state.id,
                                       item.entry.updated))
        tally.aliases.append((item.link, state.id))
        if alias_canonical and state.canonical_url and state.canonical_url != item.link:
            tally.aliases.append((state.canonical_url, state.id))

    def _settle(self, source: SourceConfig, feed_url: str, item: _Work, tally: _Pass,
                now: str) -> None:
        """Decide what one fetched (or failed) entry writes, in feed order."""
        known = item.known
        if item.article is not None and item.result is not None:
            page = item.article
            record = replace(
                fill_from_entry(page, item.entry), source=source.name, feed_url=feed_url,
                url=item.result.url, status="ok",
                fetched_at=format_time(item.result.fetched_at),
            )
            match = None
            if known is None or page.id != known.id:
                # The page's rel=canonical may name an article already known by another URL.
                match = tally.articles.get(page.id) or self.store.article(page.id)
            if match is not None and (match.content_hash == record.content_hash
                                      or match.canonical_url == item.link):
                tally.skipped += 1
                if known is None:
                    self._remember(tally, feed_url, item, replace(match, last_seen=now))
                else:
                    # This link's own article is the other one: nothing left to retry.
                    self._remember(tally, feed_url, item, replace(
                        known, last_seen=now, entry_updated=item.entry.updated,
                        gave_up=known.gave_up or known.status == "feed_only"))
                return
            if known is None and match is not None:
                # A canonical shared by different pages (a home page, one URL for a whole
                # section) would merge them all into one: this page is keyed by its own link.
                own = article_id(item.link)
                known = tally.articles.get(own) or self.store.article(own)
                record = replace(record, id=own)
            record = replace(record, id=known.id if known else record.id,
                             revision=known.revision + 1 if known else 1)
            alias_canonical = match is None or match.id == record.id
            if known is not None and known.status == "ok" and (
                    record.content_hash == known.content_hash):
                tally.skipped += 1
                self._remember(tally, feed_url, item, replace(known, last_seen=now,
                                                              entry_updated=item.entry.updated))
                return
            if known is not None and known.revision >= tally.settings.max_revisions:
                tally.capped += 1
                log.info("revision cap reached for %s (%s)", record.canonical_url, record.id,
                         extra={"source": source.name, "feed": feed_url, "id": record.id})
                self._remember(tally, feed_url, item, replace(known, last_seen=now,
                                                              entry_updated=item.entry.updated))
                return
            tally.records.append(record)
            if known is None:
                tally.new += 1
            else:
                tally.updated += 1
            self._remember(tally, feed_url, item, ArticleState(
                id=record.id, canonical_url=record.canonical_url, source=source.name,
                feed_url=feed_url, content_hash=record.content_hash, revision=record.revision,
                entry_updated=item.entry.updated, status="ok", page_failures=0, gave_up=False,
                first_seen=known.first_seen if known else now, last_seen=now,
            ), alias_canonical=alias_canonical)
            return
        tally.failed += 1
        if item.bug:
            # Nothing recorded; the feed's validators are dropped so the entry comes back.
            tally.pending_retries += 1
            return
        log.warning("page %s failed: %s", item.link, item.error,
                    extra={"source": source.name, "feed": feed_url, "url": item.link})
        if known is None:
            record = replace(
                feed_only_article(item.entry, feed_url=feed_url, source=source.name),
                id=article_id(item.link), url=item.link, canonical_url=item.link,
                status="feed_only", revision=1, fetched_at=now,
            )
            tally.records.append(record)
            tally.new += 1
            tally.feed_only += 1
            # With max_page_retries 0 the first failure is final: counted as given up, and
            # the feed's validators are kept (no retry waits behind them).
            gave_up = tally.settings.max_page_retries == 0
            if gave_up:
                tally.gave_up += 1
            else:
                tally.pending_retries += 1
            self._remember(tally, feed_url, item, ArticleState(
                id=record.id, canonical_url=item.link, source=source.name, feed_url=feed_url,
                content_hash=record.content_hash, revision=1, entry_updated=item.entry.updated,
                status="feed_only", page_failures=1, gave_up=gave_up, first_seen=now,
                last_seen=now,
            ))
            return
        if item.action == "retry":
            failures = known.page_failures + 1
            gave_up = failures > tally.settings.max_page_retries
            if gave_up:
                tally.gave_up += 1
                log.warning("giving up on the page %s after %d failures", item.link, failures,
                            extra={"source": source.name, "feed": feed_url, "url": item.link})
            else:
                tally.pending_retries += 1
            self._remember(tally, feed_url, item, replace(
                known, page_failures=failures, gave_up=gave_up, last_seen=now))
            return
        # An update whose page failed: the last record stands; the entry's new date is kept
        # so that a page gone for good is not fetched again on every poll.
        self._remember(tally, feed_url, item, replace(known, last_seen=now,
                                                      entry_updated=item.entry.updated))

