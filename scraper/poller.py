"""One polling pass over the feeds of a source: conditional GET, parse, read the known
state, fetch and extract the pages the decide step wants, then hand one batch per feed to
the store.

    poller = Poller(store, fetcher, extractor)
    reports = await poller.poll_source(source)

What each entry writes is decided by :func:`scraper.records.decide` (its module has the
table); the poller does the I/O around it: one read of the known state per feed, the
fetches, the decisions in feed order, one commit.

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
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, Protocol

from scraper.archive import ArchivedPage, open_archive
from scraper.config import Config, PollSettings, SourceConfig
from scraper.errors import (
    ArchiveError,
    ExtractionError,
    FeedError,
    FetchError,
    HTTPStatusError,
    NotText,
    ScraperError,
)
from scraper.feeds import MAX_ENTRIES, FeedEntry, ParsedFeed, parse_feed
from scraper.fetch import Fetcher, FetchResult
from scraper.models import Article, Counters, ExtractRules, PageFields, format_time, parse_time
from scraper.records import Decision, Failure, Known, Limits, Page, decide
from scraper.store import ArticleState, Batch, EntryLink, FeedState, StateStore

if TYPE_CHECKING:
    from scraper.fetch.leases import ClusterLimiter
    from scraper.pool import ExtractorPool

__all__ = ["Extractor", "FeedReport", "PageFetcher", "PollSettings", "Poller", "is_due",
           "open_poller"]

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


# (html, url, rules, content_type) -> PageFields; raises ExtractionError (also on a time-out).
Extractor = Callable[[bytes, str, ExtractRules, "str | None"], Awaitable[PageFields]]


@dataclass(frozen=True, slots=True)
class FeedReport:
    """The outcome of polling one feed (one log line, one row of the summary table)."""

    source: str
    feed_url: str
    status: int | None  # HTTP status of the feed, None when no answer came
    error: str | None = None  # why the feed failed; None when it was read (or was a 304)
    counts: Counters = field(default_factory=Counters)  # what this poll added to the state's
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


@dataclass(eq=False)
class _Pass:
    """What one feed pass decided, turned into a Batch and a FeedReport at the end."""

    counts: Counters = field(default_factory=Counters)
    records: list[Article] = field(default_factory=list)
    articles: dict[str, ArticleState] = field(default_factory=dict)
    entries: list[EntryLink] = field(default_factory=list)
    aliases: list[tuple[str, str]] = field(default_factory=list)
    claims: set[str] = field(default_factory=set)  # article ids this pass is fetching

    def add(self, decision: Decision) -> None:
        self.counts = self.counts.add(decision.counts)
        if decision.record is not None:
            self.records.append(decision.record)
        if decision.article is not None:
            self.articles[decision.article.id] = decision.article
        if decision.entry is not None:
            self.entries.append(decision.entry)
        self.aliases.extend(decision.aliases)


class FeedParser(Protocol):
    """Parses a feed off the event loop (see ExtractorPool.parse_feed)."""

    def __call__(self, content: bytes, url: str, headers: Mapping[str, str], *,
                 max_entries: int = ...) -> Awaitable[ParsedFeed]: ...


async def parse_in_thread(content: bytes, url: str, headers: Mapping[str, str], *,
                          time_limit: float = 30.0,
                          max_entries: int = MAX_ENTRIES) -> ParsedFeed:
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
            value, error = parse_feed(content, url, dict(headers),
                                      max_entries=max_entries), None
        except Exception as exc:
            value, error = None, exc
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(settle, value, error)

    threading.Thread(target=work, name="parse-feed", daemon=True).start()
    try:
        return await asyncio.wait_for(done, time_limit)
    except TimeoutError:
        raise FeedError(url, f"feed parsing took over {time_limit:g} s") from None


class _GroupCommit:
    """Feed batches committed in groups, off the event loop, for either store. A commit
    that records lines waits for fsyncs (the files, the state's log or the database's
    answer): milliseconds, or longer when another worker holds an article's lock, in which
    the loop would stand still. Here it runs in a thread while the batches of the feeds
    that finish meanwhile queue up; they go as the next group, in one transaction with one
    fsync per file (``StateStore.commit_many``). Each caller still returns only once its
    batch is durable, so nothing is reported, released or read as done before it is."""

    def __init__(self, store: StateStore) -> None:
        self._store = store
        self._queue: list[tuple[Batch, asyncio.Future[tuple[Article, ...]]]] = []
        self._flushing: asyncio.Task[None] | None = None

    async def commit(self, batch: Batch) -> tuple[Article, ...]:
        """Make ``batch`` durable (with the others that wait); the records left out."""
        done: asyncio.Future[tuple[Article, ...]] = (
            asyncio.get_running_loop().create_future())
        self._queue.append((batch, done))
        if self._flushing is None:
            self._flushing = asyncio.ensure_future(self._flush())
        return await done

    async def _flush(self) -> None:
        try:
            while self._queue:
                group, self._queue = self._queue, []
                try:
                    results = await asyncio.to_thread(
                        self._store.commit_many, [batch for batch, _ in group])
                except Exception as exc:  # a StoreError: every caller of the group raises it
                    for _, done in group:
                        if not done.done():
                            done.set_exception(exc)
                    continue
                except BaseException:
                    self._queue[:0] = group
                    raise
                for (_, done), left_out in zip(group, results, strict=True):
                    if not done.done():
                        done.set_result(left_out)
        finally:
            # Left early (the loop is shutting down): nobody will commit what waits.
            for _, done in self._queue:
                done.cancel()
            self._queue = []
            self._flushing = None


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
        self._group = _GroupCommit(store)

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
            return await self._failed(source, state, status, exc.reason, retry_after, started,
                                settings)
        except Exception as exc:
            # Counted and backed off like any failure, so a feed that trips a bug is seen in
            # `scraper status` instead of failing silently on every tick.
            log.exception("unexpected error fetching the feed %s", feed_url,
                          extra={"source": source.name, "feed": feed_url})
            return await self._failed(source, state, None, f"unexpected error: {exc!r}", None,
                                started, settings)
        if result.status == 304:
            return await self._not_modified(source, state, result, started, settings)
        try:
            feed = await self.parse_feed(result.content, result.url, result.headers,
                                         max_entries=settings.max_feed_entries)
        except FeedError as exc:
            return await self._failed(source, state, result.status, exc.reason, None, started,
                                settings)
        if feed.cut:
            log.warning("feed %s lists %d entries: read the newest %d, left out %d "
                        "(settings: max_feed_entries)", feed_url, len(feed.entries) + feed.cut
                        + feed.duplicate_ids + feed.dropped, settings.max_feed_entries,
                        feed.cut, extra={"source": source.name, "feed": feed_url,
                                         "cut": feed.cut})
        if feed.bozo:
            log.warning("feed %s is malformed but usable: %s", feed_url, feed.bozo_reason,
                        extra={"source": source.name, "feed": feed_url})
        done = await self._entries(source, feed_url, feed.entries, settings)
        try:
            counts = done.counts
            # Validators are kept only when nothing waits: a 304 would hide what was left.
            keep_validators = not (counts.deferred or counts.pending or counts.changes_capped)
            now = self._now()
            delay = self._success_delay(source, result, settings)
            new_state = replace(
                state,
                etag=result.headers.get("etag") if keep_validators else None,
                last_modified=result.headers.get("last-modified") if keep_validators else None,
                last_poll=format_time(now), last_status=result.status, consecutive_errors=0,
                next_poll=format_time(now + timedelta(seconds=delay)), last_error=None,
            )
            counts = replace(counts, polls=1, bozo=int(feed.bozo), entries_cut=feed.cut)
            left_out = await self._commit(Batch(
                feed=new_state, counters=counts, records=tuple(done.records),
                articles=tuple(done.articles.values()), entries=tuple(done.entries),
                aliases=tuple(done.aliases),
            ))
        finally:
            self._release(done)
        self._left_out(source, feed_url, left_out)
        return self._report(FeedReport(
            source.name, feed_url, result.status, None, counts.left_out(left_out),
            self._monotonic() - started, new_state.next_poll, feed.duplicate_ids, feed.dropped,
        ))

    # -- the feed ---------------------------------------------------------------------

    async def _commit(self, batch: Batch) -> tuple[Article, ...]:
        return await self._group.commit(batch)

    @staticmethod
    def _success_delay(source: SourceConfig, result: FetchResult,
                       settings: PollSettings) -> float:
        max_age = _max_age(result.headers)
        if max_age is None:
            return source.interval
        return max(source.interval, min(max_age, settings.max_cache_delay))

    async def _not_modified(self, source: SourceConfig, state: FeedState, result: FetchResult,
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
        counts = Counters(polls=1, not_modified=1)
        await self._commit(Batch(feed=new_state, counters=counts))
        return self._report(FeedReport(
            source.name, state.feed_url, 304, counts=counts,
            duration=self._monotonic() - started, next_poll=new_state.next_poll,
        ))

    async def _failed(self, source: SourceConfig, state: FeedState, status: int | None, reason: str,
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
        counts = Counters(polls=1, failures=1)
        await self._commit(Batch(feed=new_state, counters=counts))
        return self._report(FeedReport(
            source.name, state.feed_url, status, reason, counts,
            duration=self._monotonic() - started, next_poll=new_state.next_poll,
        ))

    def _report(self, report: FeedReport) -> FeedReport:
        level = logging.INFO if report.ok else logging.WARNING
        counts = report.counts
        log.log(
            level,
            "poll source=%s feed=%s status=%s new=%d updated=%d skipped=%d failed=%d "
            "duration=%.2fs%s%s",
            report.source, report.feed_url, report.status if report.status else "-",
            counts.new, counts.updated, counts.skipped, counts.page_failures, report.duration,
            f" duplicates={report.duplicates} dropped={report.dropped}"
            if report.duplicates or report.dropped else "",
            f" error={report.error!r}" if report.error else "",
            # The poll event's fields, as the log has always named them.
            extra={
                "event": "poll", "source": report.source, "feed": report.feed_url,
                "status": report.status, "new": counts.new, "updated": counts.updated,
                "skipped": counts.skipped, "failed": counts.page_failures,
                "feed_only": counts.feed_only, "gave_up": counts.gave_up,
                "capped": counts.revisions_capped, "deferred": counts.deferred,
                "bozo": bool(counts.bozo), "duration": round(report.duration, 3),
                "error": report.error, "next_poll": report.next_poll,
                "duplicates": report.duplicates, "dropped": report.dropped,
                "changes_capped": counts.changes_capped, "cut": counts.entries_cut,
            },
        )
        return report

    # -- the entries ------------------------------------------------------------------

    def _log_decision(self, source: SourceConfig, feed_url: str, decision: Decision) -> None:
        if decision.message is None:
            return
        record = decision.record or decision.article
        log.log(logging.WARNING if decision.warn else logging.INFO, "%s", decision.message,
                extra={"source": source.name, "feed": feed_url, "url": decision.link,
                       "id": record.id if record is not None else None})

    async def _entries(self, source: SourceConfig, feed_url: str,
                       entries: tuple[FeedEntry, ...], settings: PollSettings) -> _Pass:
        """Read the known state once, decide, fetch what is wanted, decide again."""
        limits = Limits(
            max_revisions=settings.max_revisions, max_page_retries=settings.max_page_retries,
            max_articles_per_poll=source.max_articles_per_poll,
            max_changes_per_poll=settings.max_changes_per_poll, accepts=source.accepts,
        )
        done = _Pass()
        # No await from here to the claims: the ids other passes are fetching stay as read.
        known = Known.read(self.store, source.name, feed_url, entries, busy=self._claims)
        known.ration(entries, limits)
        now = self._now()
        work: list[tuple[FeedEntry, Decision]] = []
        try:
            for entry in entries:
                decision = decide(entry, known, None, limits, now)
                known.absorb(decision)
                if decision.action == "fetch":
                    for ident in decision.claims:
                        self._claims[ident] = done
                    done.claims |= decision.claims
                    work.append((entry, decision))
                else:
                    done.add(decision)
            outcomes = await self._fetch_all(source, feed_url, work)
            pages = [o for o in outcomes.values() if isinstance(o, Page)]
            missing = known.missing(pages)
            if missing:
                # The pages' canonical URLs may name articles no entry led to.
                known.merge(self.store.read_known(feed_url, (), (), missing))
            now = self._now()
            for entry, planned in work:
                outcome = outcomes.get(id(planned))
                if outcome is None:
                    done.counts = done.counts.add(("deferred",))  # stopped before it came
                    continue
                decision = decide(entry, known, outcome, limits, now)
                known.absorb(decision)
                self._log_decision(source, feed_url, decision)
                done.add(decision)
        except BaseException:
            self._release(done)
            raise
        return done

    def _release(self, done: _Pass) -> None:
        for ident in done.claims:
            if self._claims.get(ident) is done:
                del self._claims[ident]
        done.claims.clear()

    def _left_out(self, source: SourceConfig, feed_url: str,
                  records: tuple[Article, ...]) -> None:
        """Log the records the store refused as already written (see Store.commit)."""
        for record in records:
            log.warning("article %s revision %d was already written; not written again",
                        record.id, record.revision,
                        extra={"source": source.name, "feed": feed_url, "id": record.id})

    async def _archive(self, source: SourceConfig, feed_url: str, entry: FeedEntry,
                       link: str, result: FetchResult) -> None:
        """Keep the raw page (settings ``archive: warc``), with the entry that led to it so
        that ``scraper reextract`` can fill a record from it as this poll does."""
        if self.archive is None:
            return
        try:
            # In a thread: compressing a page takes milliseconds (5 ms for 290 KB), which
            # zlib spends without the GIL, so the event loop goes on with other feeds.
            await asyncio.to_thread(self.archive.write, ArchivedPage(
                url=result.url, status=result.status, headers=result.headers,
                content=result.content, fetched_at=result.fetched_at,
                requested_url=link, source=source.name, feed_url=feed_url,
                entry=asdict(entry)))
        except ArchiveError as exc:
            # The archive is a copy for later; the records are the output that must go on.
            log.error("page %s not archived: %s", link, exc,
                      extra={"source": source.name, "feed": feed_url, "url": link})

    async def _fetch_page(self, source: SourceConfig, feed_url: str, entry: FeedEntry,
                          link: str) -> Page | Failure:
        try:
            result = await self.fetcher.fetch(
                link, kind="page", user_agent=source.user_agent,
                allow_private_networks=source.allow_private_networks,
            )
            await self._archive(source, feed_url, entry, link, result)
            article = await self.extractor(
                result.content, result.url, source.extract, result.headers.get("content-type"),
            )
        except FetchError as exc:
            return self._page_failure(exc.reason, exc, source, feed_url, link)
        except NotText as exc:
            # Garbage (random bytes, an image) served as a page: named, never an ok record.
            return self._page_failure(f"not HTML or text: {exc.reason}", exc, source,
                                      feed_url, link)
        except ExtractionError as exc:
            return self._page_failure(f"extraction failed: {exc.reason}", exc, source,
                                      feed_url, link)
        except Exception as exc:
            # A bug met on one page (untrusted input reaches a lot of code) must not keep
            # the rest of the feed from being written; it is not the page's failure either,
            # so no feed_only record: counted, logged, and the page is tried again.
            log.exception("unexpected error on the page %s", link,
                          extra={"source": source.name, "url": link})
            return Failure(f"unexpected error: {exc!r}", bug=True)
        return Page(article, result.url, result.fetched_at)

    @staticmethod
    def _page_failure(reason: str, exc: ScraperError, source: SourceConfig, feed_url: str,
                      link: str) -> Failure:
        """The failure of a page, its error naming the page, source and feed (the log line
        of a failure found in a pool worker would otherwise name only the page)."""
        return Failure(reason, error=str(exc.located(url=link, source=source.name,
                                                     feed=feed_url)))

    async def _fetch_all(self, source: SourceConfig, feed_url: str,
                         work: list[tuple[FeedEntry, Decision]]) -> dict[int, Page | Failure]:
        """Fetch and extract every page concurrently (the fetcher's limits pace them); the
        outcomes by ``id()`` of the decision that asked for them.

        On a stop request, pages in flight get ``stop_grace`` seconds to finish; what is left
        waits for a later pass (nothing of it is recorded, so nothing is lost)."""
        if not work:
            return {}
        tasks: dict[asyncio.Future[Page | Failure], Decision] = {
            asyncio.ensure_future(self._fetch_page(source, feed_url, entry, d.link or "")): d
            for entry, d in work}
        stopper: asyncio.Future[Any] = asyncio.ensure_future(self.stop.wait())
        try:
            pending: set[asyncio.Future[Any]] = set(tasks)
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
        done: dict[int, Page | Failure] = {}
        for task, decision in tasks.items():
            if task.cancelled():
                continue
            exc = task.exception()
            if exc is not None:
                raise exc
            done[id(decision)] = task.result()
        return done


@contextlib.asynccontextmanager
async def open_poller(config: Config, store: StateStore, pool: ExtractorPool, *,
                      stop: asyncio.Event | None = None, limiter: ClusterLimiter | None = None,
                      worker: str = "local") -> AsyncIterator[Poller]:
    """The poller of ``scraper run``, ``poll`` and ``worker``: pages and feeds go to
    ``pool``, requests to a fetcher of ``config.fetch`` (paced by the cluster's ``limiter``
    in the distributed mode), raw pages to the archive ``config`` asks for (files named by
    ``worker``); the fetcher and the archive are closed after it."""
    async with contextlib.AsyncExitStack() as closing:
        archive = open_archive(config, store.output, worker=worker)
        if archive is not None:
            closing.enter_context(archive)
        fetcher = await closing.enter_async_context(
            Fetcher(config.fetch, limiter=limiter, shared_robots=limiter))
        yield Poller(store, fetcher, pool, config.poll, stop=stop, feed_parser=pool.parse_feed,
                     archive=archive)
