"""Bulk re-extraction (``scraper reextract``): archived pages in, records out where the
extractor's output changed.

Two steps. :func:`scan` reads the inputs (WARC files of the page archive, saved ``.html`` and
``.html.gz`` files, folders of them) and keeps the newest fetch of each page: an article
fetched at three polls is re-extracted once, from its last page, since only that one can
say what the article is now (the archive's index says what a WARC file holds without
inflating it). :class:`Reextraction` then has each kept page read and extracted (in the
extraction process pool) and hands the result to the poller's decide step,
:func:`scraper.records.decide`, as if that fetch had just come back, with the archived feed
entry and what the output directory's state knows; so the rules are the poller's:

* the article is known (by the feed entry, the link followed or the page's canonical URL)
  and the content hash is the same: nothing is written (``unchanged``);
* known, and the hash changed (or the poll only had a ``feed_only`` record): a record with
  ``revision + 1`` (``revised``), unless the article is at ``max_revisions`` (``capped``);
* not known: revision 1 (``new``).

Only decisions that write a record are committed (in batches, to the same store): a page
that did not change leaves the state as the polls left it. A record keeps the archived
``fetched_at`` (the time the page was fetched, so it goes to that day's file). A page
archived without a feed entry is keyed by its own address, and a page with no address at
all (a saved file without a canonical link) is a failure: its id would be a digest of its
text, new whenever the extractor changes.

Each page is a :class:`PageRef` (file and record offset), which is what a job queue hands
to a worker: the distributed mode runs :meth:`Reextraction.page` on the workers instead of
:meth:`Reextraction.run` locally.

    plan = scan([Path("output/archive")])
    with Store.open(Path("output")) as store:
        summary = asyncio.run(Reextraction(store, run=pool.call).run(plan))
"""

from __future__ import annotations

import asyncio
import functools
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from rich.progress import Progress
from rich.table import Table

from scraper.archive import (
    ArchivedPage,
    Extracted,
    ExtractFunction,
    PageRef,
    read_and_extract,
    read_index,
    read_warc,
)
from scraper.config import Config, ExtractionSettings, PollSettings, SourceConfig
from scraper.errors import ArchiveError, ExtractionError
from scraper.feeds import FeedEntry
from scraper.models import ExtractRules, PageFields, article_id
from scraper.records import Decision, Known, Limits, Page, decide, page_id
from scraper.store import ArticleState, Batch, EntryLink, StateStore, Store
from scraper.urls import canonicalize

__all__ = [
    "Plan",
    "Reextraction",
    "Summary",
    "find_inputs",
    "reextract_into",
    "render_summary",
    "rules_by_source",
    "scan",
]

WARC_SUFFIXES = (".warc", ".warc.gz")
HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
BATCH = 100  # records per commit: each commit fsyncs, one per page would cost more than I/O

Verdict = Literal["new", "revised", "unchanged", "capped"]
# Runs a job (a picklable call) somewhere and gives its result: ExtractorPool.call runs it in
# a worker process under the extraction time limit (ExtractionError past it), run_inline here.
Runner = Callable[[Callable[[], Extracted], str], Awaitable[Extracted]]


async def run_inline(call: Callable[[], Extracted], label: str) -> Extracted:
    """A Runner without a pool: the job runs in the event loop's thread."""
    return call()


@dataclass(slots=True)
class Plan:
    """What :func:`scan` found: the pages to re-extract, in file order, and the tally."""

    pages: list[PageRef] = field(default_factory=list)
    read: int = 0  # pages found
    superseded: int = 0  # older fetches of a page fetched again later
    failures: list[tuple[str, str]] = field(default_factory=list)  # (file, why)


@dataclass(slots=True)
class Summary:
    """What a re-extraction did (the table ``scraper reextract`` prints)."""

    read: int = 0
    superseded: int = 0
    new: int = 0
    revised: int = 0
    unchanged: int = 0
    capped: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (file or URL, why)

    @property
    def written(self) -> int:
        """Records written."""
        return self.new + self.revised

    @property
    def failed(self) -> int:
        """Files or pages that could not be read or extracted."""
        return len(self.failures)


def _is_warc(path: Path) -> bool:
    return path.name.endswith(WARC_SUFFIXES)


def _is_html(path: Path) -> bool:
    return path.name.lower().endswith(HTML_SUFFIXES)


def find_inputs(paths: Iterable[Path]) -> list[Path]:
    """The WARC and HTML files among ``paths``, folders searched recursively, sorted within
    each folder (WARC file names start with a time stamp, so that is fetch order)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*")
                            if p.is_file() and (_is_warc(p) or _is_html(p)))
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def _key(requested_url: str | None, url: str) -> str:
    link = requested_url or url
    return canonicalize(link) or link


def _listing(path: Path) -> Iterator[tuple[str, datetime, int]]:
    """(key, fetched_at, offset) of each page of a WARC file: from its index when that
    covers the file, else read from the file (ArchiveError when it is damaged)."""
    entries = read_index(path)
    if entries is not None:
        for entry in entries:
            yield _key(entry.requested_url, entry.url), entry.fetched_at, entry.offset
        return
    for page in read_warc(path):
        yield _key(page.requested_url, page.url), page.fetched_at, page.offset


def scan(paths: Iterable[Path], *, on_file: Callable[[Path], None] | None = None) -> Plan:
    """List every input's pages once (a WARC file from its index when it has a whole one)
    and keep the newest fetch of each page (by the link the poller followed, else the URL).
    A damaged or truncated file is a failure named in the plan; the pages before the damage
    are kept."""
    plan = Plan()
    newest: dict[str, tuple[datetime, int, PageRef]] = {}
    order = 0
    for path in find_inputs(paths):
        if _is_html(path):
            plan.read += 1
            order += 1
            newest[f"file:{path}"] = (datetime.min.replace(tzinfo=UTC), order, PageRef(path))
        elif _is_warc(path):
            try:
                for key, fetched_at, offset in _listing(path):
                    plan.read += 1
                    order += 1
                    seen = newest.get(key)
                    if seen is not None:
                        plan.superseded += 1
                        if seen[0] > fetched_at:
                            continue
                    newest[key] = (fetched_at, order, PageRef(path, offset))
            except ArchiveError as exc:
                plan.failures.append((str(path), exc.reason))
        else:
            plan.failures.append((str(path), "not a WARC (.warc, .warc.gz) or HTML "
                                              "(.html, .html.gz) file"))
        if on_file is not None:
            on_file(path)
    plan.pages = [ref for _, _, ref in sorted(newest.values(), key=lambda v: v[1])]
    return plan


def entry_of(page: ArchivedPage) -> FeedEntry | None:
    """The feed entry the poller archived with the page (None without one, or a broken one)."""
    data = page.entry
    if not data:
        return None
    names = {f.name for f in fields(FeedEntry)}
    values: dict[str, Any] = {k: (tuple(v) if isinstance(v, list) else v)
                              for k, v in data.items() if k in names}
    try:
        return FeedEntry(**values)
    except TypeError:
        return None


def _entry_for(archived: ArchivedPage, page: PageFields) -> FeedEntry | None:
    """The entry the page came through; for a page archived without one (``scraper
    scrape``, a saved file, another crawler's WARC) an entry of its own address, so that the
    decide step keys it by its link as the poller does. None when it has no address."""
    entry = entry_of(archived)
    if entry is not None:
        return entry
    link = archived.requested_url or archived.url or page.canonical_url
    return FeedEntry(entry_id=link, link=link) if link else None


class Reextraction:
    """Re-extracts pages into a store; one instance per output directory and run.

    ``run`` runs each page's job (:func:`read_and_extract` with ``extract``, by default
    :func:`scraper.extract.extract`); ``rules`` are the ``extract:`` rules by source name."""

    def __init__(self, store: StateStore, *, run: Runner = run_inline,
                 extract: ExtractFunction | None = None,
                 limits: PollSettings | None = None,
                 rules: Mapping[str, ExtractRules] | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC),
                 window: int = 8, batch: int = BATCH) -> None:
        self.store = store
        self.run_job = run
        self.extract = extract
        settings = limits or PollSettings()
        # The revision rules of the poll; its per-poll caps bound fetches, and a
        # re-extraction fetches nothing.
        self.limits = Limits(max_revisions=settings.max_revisions,
                             max_page_retries=settings.max_page_retries)
        self.rules = dict(rules or {})
        self._now = now
        self.window = window
        self.batch = batch
        self.summary = Summary()
        # What this run decided and has not committed yet; it wins over the store's state.
        self._pending: list[Decision] = []
        self._states: dict[str, ArticleState] = {}
        self._aliases: dict[str, str] = {}
        self._entries: dict[tuple[str, str], EntryLink] = {}

    async def run(self, plan: Plan, *,
                  on_page: Callable[[PageRef], None] | None = None) -> Summary:
        """Re-extract every page of ``plan`` (``window`` at a time in the pool), decide in
        plan order, commit in batches; return the summary."""
        summary = self.summary
        summary.read += plan.read
        summary.superseded += plan.superseded
        summary.failures += plan.failures
        flight: deque[tuple[PageRef, asyncio.Future[Extracted]]] = deque()
        try:
            for ref in plan.pages:
                flight.append((ref, asyncio.ensure_future(self._extract(ref))))
                while len(flight) >= self.window:
                    await self._settle(*flight.popleft(), on_page)
            while flight:
                await self._settle(*flight.popleft(), on_page)
        finally:
            for _, task in flight:
                task.cancel()
            self.flush()
        return summary

    async def page(self, ref: PageRef) -> Verdict | None:
        """Re-extract one page and commit at once (a job of a distributed worker); the
        verdict, None when the page failed (see ``summary.failures``)."""
        verdict = await self._settle(ref, asyncio.ensure_future(self._extract(ref)), None)
        self.flush()
        return verdict

    async def _extract(self, ref: PageRef) -> Extracted:
        call = functools.partial(read_and_extract, ref, self.rules, self.extract)
        try:
            return await self.run_job(call, _where(ref))
        except ExtractionError as exc:  # a time-out, or a worker that died
            return str(exc)

    async def _settle(self, ref: PageRef, task: asyncio.Future[Extracted],
                      on_page: Callable[[PageRef], None] | None) -> Verdict | None:
        outcome = await task
        if on_page is not None:
            on_page(ref)
        if isinstance(outcome, str):
            self.summary.failures.append((_where(ref), outcome))
            return None
        archived, article = outcome
        entry = _entry_for(archived, article)
        if entry is None:
            # Its id would be a digest of its text, which changes with the extractor: a new
            # article on every run. Keyed by an address, the run can tell what changed.
            self.summary.failures.append((_where(ref), "the page has neither a URL nor a "
                                                       "canonical link to be known by"))
            return None
        decision = self._decide(archived, entry, article)
        verdict = _verdict(decision)
        if verdict is None:
            self.summary.failures.append((_where(ref), decision.message or "not decided"))
            return None
        self._count(verdict, +1)
        if decision.action == "write":
            # Only what writes a record is committed: a page that did not change leaves the
            # state as the polls left it (its entry's fingerprint, its last_seen).
            self._hold(decision)
            if len(self._pending) >= self.batch:
                self.flush()
        return verdict

    def _decide(self, archived: ArchivedPage, entry: FeedEntry,
                article: PageFields) -> Decision:
        """The decide step of the poller on the archived page, as if this fetch had just
        come back: one read of what the state knows, plus what this run decided."""
        source = archived.source or ""
        feed_url = archived.feed_url or ""
        page = Page(article, archived.url or entry.link or "", archived.fetched_at)
        known = Known.read(self.store, source, feed_url, [entry])
        missing = known.missing([page])
        if missing:
            # The page's canonical URL may name an article its link did not lead to.
            known.merge(self.store.read_known(feed_url, (), (), missing))
        self._overlay(known, feed_url, entry, page)
        decision = decide(entry, known, page, self.limits, self._now())
        if archived.feed_url is None:
            # Not from a feed: no source or feed in the record (it goes to _unsourced/) and
            # in the state, and no entry link for the entry made up above.
            decision = replace(
                decision, entry=None,
                record=decision.record and replace(
                    decision.record, source=archived.source, feed_url=None),
                article=decision.article and replace(
                    decision.article, source=archived.source, feed_url=None))
        return decision

    def _overlay(self, known: Known, feed_url: str, entry: FeedEntry, page: Page) -> None:
        seen = self._entries.get((feed_url, entry.entry_id))
        if seen is not None:
            known.entries[entry.entry_id] = seen
        links = {canonicalize(u) for u in (entry.link, page.url, page.article.canonical_url)
                 if u}
        for url in links:
            if url in self._aliases:
                known.aliases[url] = self._aliases[url]
        wanted = ({*known.articles, *known.aliases.values(), page_id(page)}
                  | {article_id(url) for url in links}
                  | ({seen.article_id} if seen is not None else set()))
        for ident in wanted:
            if ident in self._states:
                known.articles[ident] = self._states[ident]

    def _hold(self, decision: Decision) -> None:
        self._pending.append(decision)
        if decision.article is not None:
            self._states[decision.article.id] = decision.article
        if decision.entry is not None:
            self._entries[(decision.entry.feed_url, decision.entry.entry_id)] = decision.entry
        for url, ident in decision.aliases:
            self._aliases.setdefault(url, ident)

    def _count(self, verdict: Verdict, step: int) -> None:
        setattr(self.summary, verdict, getattr(self.summary, verdict) + step)

    def flush(self) -> None:
        """Commit the decisions not committed yet (StoreError when the output cannot be
        written)."""
        if not self._pending:
            return
        decisions, self._pending = self._pending, []
        left_out = self.store.commit(Batch(
            feed=None, records=tuple(d.record for d in decisions if d.record is not None),
            articles=_latest(d.article for d in decisions if d.article is not None),
            entries=tuple(d.entry for d in decisions if d.entry is not None),
            aliases=tuple(a for d in decisions for a in d.aliases)))
        self._states.clear()
        self._aliases.clear()
        self._entries.clear()
        for record in left_out:
            # Written meanwhile by another process at this revision: nothing new here.
            self._count("new" if record.revision == 1 else "revised", -1)
            self.summary.unchanged += 1


def _verdict(decision: Decision) -> Verdict | None:
    """What a decision on a fetched page means for a re-extraction."""
    counts = set(decision.counts)
    if decision.action == "write":
        return "new" if "new" in counts else "revised"
    if "revisions_capped" in counts:
        return "capped"
    if "skipped" in counts:
        return "unchanged"
    return None


def _latest(states: Iterable[ArticleState]) -> tuple[ArticleState, ...]:
    latest: dict[str, ArticleState] = {}
    for state in states:
        latest[state.id] = state
    return tuple(latest.values())


def _where(ref: PageRef) -> str:
    return f"{ref.path}" + (f"@{ref.offset}" if ref.offset is not None else "")


def rules_by_source(sources: Sequence[SourceConfig]) -> dict[str, ExtractRules]:
    """The ``extract:`` rules of each source of a sources file, by source name."""
    return {s.name: s.extract for s in sources}


# -- scraper reextract ------------------------------------------------------------------


async def reextract_into(
    paths: Sequence[Path], output: Path, *, config: Config | None = None,
    workers: int | None = None, progress: Progress | None = None,
    run: Runner | None = None, extract: ExtractFunction | None = None,
) -> Summary:
    """Scan ``paths`` and re-extract their pages into ``output`` (its state and files),
    with the ``extract:`` rules and ``max_revisions`` of ``config`` when given, in a pool of
    ``workers`` processes (unless ``run`` is given)."""
    from scraper.pool import ExtractorPool  # the pool's machinery, only when it runs

    inputs = find_inputs(paths)  # folders walked once: for the bar's total and the scan
    reading = progress.add_task("reading", total=len(inputs)) if progress else None
    plan = scan(inputs, on_file=lambda _: progress.advance(reading) if (
        progress is not None and reading is not None) else None)
    extracting = progress.add_task("extracting", total=len(plan.pages)) if progress else None
    settings = config.extraction if config is not None else ExtractionSettings()
    pool = None
    if run is None:
        count = workers or settings.workers or ExtractorPool.default_workers(alone=True)
        pool = ExtractorPool.from_settings(replace(settings, workers=count))
        run = pool.call
    try:
        with Store.open(output) as store:
            reextraction = Reextraction(
                store, run=run, extract=extract,
                limits=config.poll if config is not None else None,
                rules=rules_by_source(config.sources) if config is not None else None,
                window=2 * (pool.workers if pool is not None else 4))
            return await reextraction.run(
                plan, on_page=lambda _: progress.advance(extracting) if (
                    progress is not None and extracting is not None) else None)
    finally:
        if pool is not None:
            pool.close()


def render_summary(summary: Summary) -> Table:
    """The table printed at the end of ``scraper reextract`` (one row per count, so that it
    fits a narrow terminal)."""
    table = Table(title="reextract summary")
    table.add_column("pages")
    table.add_column("count", justify="right")
    for label, count in (
        ("read", summary.read),
        ("superseded by a later fetch", summary.superseded),
        ("written", summary.written),
        ("  new articles", summary.new),
        ("  new revisions", summary.revised),
        ("unchanged", summary.unchanged),
        ("at the revision cap", summary.capped),
        ("failed", summary.failed),
    ):
        table.add_row(label, str(count))
    return table
