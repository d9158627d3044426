"""Bulk re-extraction (``scraper reextract``): archived pages in, records out where the
extractor's output changed.

Two steps. :func:`scan` reads the inputs (WARC files of the page archive, saved ``.html`` and
``.html.gz`` files, folders of them) and keeps the newest fetch of each page: an article
fetched at three polls is re-extracted once, from its last page, since only that one can
say what the article is now. :class:`Reextraction` then extracts each kept page (in the
extraction process pool), decides against the state of the output directory, and commits
in batches to the same store, with the same revision rules as the poller:

* the article is known (by the feed entry, the link followed, the final URL or the page's
  canonical URL) and the content hash is the same: nothing is written (``unchanged``);
* known, and the hash changed: a record with ``revision + 1`` (``revised``), unless the
  article is at ``max_revisions`` (``capped``);
* not known: revision 1 (``new``).

The record is filled from the archived feed entry exactly as the poll filled it, and keeps
the archived ``fetched_at`` (the time the page was fetched, so it goes to that day's file).

Each page is a :class:`PageRef` (file and record offset), which is what a job queue hands
to a worker: the distributed mode runs :meth:`Reextraction.page` on the workers instead of
:meth:`Reextraction.run` locally.

    plan = scan([Path("output/archive")])
    with Store.open(Path("output")) as store:
        summary = asyncio.run(Reextraction(store, pool).run(plan))
"""

from __future__ import annotations

import asyncio
import functools
import logging
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
from scraper.models import Article, ExtractRules
from scraper.records import fill_from_entry
from scraper.store import ArticleState, Batch, EntryLink, StateStore, Store, format_time
from scraper.urls import canonicalize

__all__ = [
    "Decision",
    "Plan",
    "Reextraction",
    "Summary",
    "decide",
    "find_inputs",
    "reextract_into",
    "render_summary",
    "rules_by_source",
    "scan",
]

log = logging.getLogger(__name__)

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
    """Read every input once and keep the newest fetch of each page (by the link the poller
    followed, else the URL). A damaged or truncated file is a failure named in the plan;
    the pages before the damage are kept."""
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


@dataclass(frozen=True, slots=True)
class Decision:
    """What one re-extracted page writes: a record (or none) and the article's new state."""

    verdict: Verdict
    record: Article | None
    state: ArticleState
    entries: tuple[EntryLink, ...] = ()
    aliases: tuple[tuple[str, str], ...] = ()


def decide(page: Article, archived: ArchivedPage, known: ArticleState | None,
           limits: PollSettings, now: str) -> Decision:
    """The poller's revision rules applied to a page read from the archive (no I/O).

    ``page`` is the extractor's output, ``known`` the article's state in the store (or
    None), ``now`` the time written as ``last_seen`` of a new article."""
    entry = entry_of(archived)
    record = fill_from_entry(page, entry) if entry is not None else page
    url = archived.url or page.canonical_url or page.url
    record = replace(record, source=archived.source, feed_url=archived.feed_url, url=url,
                     status="ok", fetched_at=format_time(archived.fetched_at))
    if known is None:
        record = replace(record, revision=1)
        state = ArticleState(
            id=record.id, canonical_url=record.canonical_url, source=record.source,
            feed_url=record.feed_url, content_hash=record.content_hash, revision=1,
            entry_updated=entry.updated if entry else None, status="ok", page_failures=0,
            gave_up=False, first_seen=now, last_seen=now)
        aliases = [(link, record.id) for link in dict.fromkeys(
            canonicalize(u) for u in (archived.requested_url, url, record.canonical_url) if u)
            if link]
        entries = (EntryLink(archived.feed_url, entry.entry_id, record.id, entry.updated),) if (
            entry is not None and archived.feed_url) else ()
        return Decision("new", record, state, entries, tuple(aliases))
    if known.status == "ok" and known.content_hash == record.content_hash:
        return Decision("unchanged", None, known)
    if known.revision >= limits.max_revisions:
        return Decision("capped", None, known)
    record = replace(record, id=known.id, revision=known.revision + 1)
    state = replace(known, content_hash=record.content_hash, revision=record.revision,
                    canonical_url=record.canonical_url, status="ok", page_failures=0,
                    gave_up=False)
    return Decision("revised", record, state)


def _lookup(store: StateStore, archived: ArchivedPage) -> ArticleState | None:
    """The article the poller recorded for this page, found as the poller finds it."""
    entry = entry_of(archived)
    if entry is not None and archived.feed_url:
        seen = store.entry(archived.feed_url, entry.entry_id)
        if seen is not None and (known := store.article(seen.article_id)) is not None:
            return known
    for url in (archived.requested_url, archived.url):
        link = canonicalize(url) if url else None
        if link and (known := store.article_for_url(link)) is not None:
            return known
    return None


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
        self.limits = limits or PollSettings()
        self.rules = dict(rules or {})
        self._now = now
        self.window = window
        self.batch = batch
        self.summary = Summary()
        self._states: dict[str, ArticleState] = {}  # decided in this run, maybe not committed
        self._pending: list[Decision] = []

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
        decision = self._decide(archived, article)
        self._count(decision.verdict, +1)
        self._states[decision.state.id] = decision.state
        if decision.record is not None:
            self._pending.append(decision)
            if len(self._pending) >= self.batch:
                self.flush()
        return decision.verdict

    def _decide(self, archived: ArchivedPage, article: Article) -> Decision:
        known = _lookup(self.store, archived)
        if known is None:
            # Not reached by its links: perhaps the page names an article known by another
            # URL through its canonical link.
            known = self._states.get(article.id) or self.store.article(article.id)
        elif known.id in self._states:
            known = self._states[known.id]
        return decide(article, archived, known, self.limits, format_time(self._now()))

    def _count(self, verdict: Verdict, step: int) -> None:
        setattr(self.summary, verdict, getattr(self.summary, verdict) + step)

    def flush(self) -> None:
        """Commit the decisions not committed yet (StoreError when the output cannot be
        written)."""
        if not self._pending:
            return
        decisions, self._pending = self._pending, []
        records = tuple(d.record for d in decisions if d.record is not None)
        left_out = self.store.commit(Batch(
            feed=None, records=records, articles=_latest(d.state for d in decisions),
            entries=tuple(e for d in decisions for e in d.entries),
            aliases=tuple(a for d in decisions for a in d.aliases)))
        for record in left_out:
            # Written meanwhile by another process at this revision: nothing new here.
            self._count("new" if record.revision == 1 else "revised", -1)
            self.summary.unchanged += 1


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

    reading = progress.add_task("reading", total=len(find_inputs(paths))) if progress else None
    plan = scan(paths, on_file=lambda _: progress.advance(reading) if (
        progress is not None and reading is not None) else None)
    extracting = progress.add_task("extracting", total=len(plan.pages)) if progress else None
    settings = config.extraction if config is not None else ExtractionSettings()
    pool = None
    if run is None:
        pool = ExtractorPool(workers or settings.workers, time_limit=settings.time_limit,
                             max_tasks_per_child=settings.tasks_per_worker)
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
    """The table printed at the end of ``scraper reextract``."""
    table = Table(title="reextract summary")
    for column in ("pages read", "superseded", "written", "new", "revised", "unchanged",
                   "capped", "failed"):
        table.add_column(column, justify="right")
    table.add_row(*(str(n) for n in (
        summary.read, summary.superseded, summary.written, summary.new, summary.revised,
        summary.unchanged, summary.capped, summary.failed)))
    return table
