"""The distributed mode: any number of ``scraper worker`` processes on a Procrastinate job
queue kept in the same PostgreSQL database as the state.

* :func:`dispatch` (``scraper dispatch``, and a periodic job the workers run among
  themselves, deferred once per period however many workers run) enqueues one
  ``poll_feed`` job per due feed of the sources file, leaving out feeds that already have a
  job waiting or running; it holds an advisory lock while it does, so two dispatches at once
  cannot enqueue a feed twice.
* A worker runs ``poll_feed`` jobs with the same :class:`~scraper.poller.Poller` (and so the
  same decisions) as ``scraper run``, on a :class:`~scraper.pgstore.PgStore` (its own output
  segments, the shared state) and a fetcher whose per-host politeness is the cluster's
  (:mod:`scraper.fetch.leases`). The job's feed is checked again at the start: a feed
  polled since it was dispatched is not polled twice.
* Jobs of one feed carry a Procrastinate lock (two never run at once). A worker that dies
  stops its heartbeat; the periodic ``retry_stalled`` job gives its jobs back to the queue
  once its heartbeat is ``stalled_after`` seconds old, and another worker runs them.
* :func:`enqueue_reextraction` (``scraper reextract --db``) defers ``reextract_pages`` jobs,
  a few archived pages each; a worker runs :meth:`~scraper.reextract.Reextraction.page` on
  each page with its own store, so the revision rules are those of a local re-extraction.
  The archive files are read at the path the command saw: the workers must see them there.

    asyncio.run(run_worker(url, config, Path("output")))
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import procrastinate
import psycopg
from procrastinate import jobs as procrastinate_jobs

from scraper.archive import PageRef
from scraper.config import Config, SourceConfig
from scraper.errors import ConfigError, StoreError
from scraper.models import parse_time
from scraper.pgstore import PgStore, migrate
from scraper.poller import FeedReport, Poller, is_due, open_poller
from scraper.reextract import Reextraction, Runner, Summary, rules_by_source, run_inline

__all__ = ["POLL_TASK", "QUEUE", "REEXTRACT_TASK", "Dispatched", "WorkerOptions", "build_app",
           "dispatch", "enqueue_reextraction", "prepare_database", "run_worker"]

log = logging.getLogger(__name__)

QUEUE = "scraper"
POLL_TASK = "scraper.poll_feed"
REEXTRACT_TASK = "scraper.reextract_pages"
REEXTRACT_BATCH = 20  # pages per job: one job per page would cost a queue round trip each
_LOCK_DISPATCH = 4  # advisory lock namespace (see scraper.pgstore for the others)
_DEFER_CHUNK = 1000  # jobs per insert: one statement each, not one per feed


@dataclass(frozen=True, slots=True)
class WorkerOptions:
    """How a worker runs (``scraper worker`` options)."""

    name: str | None = None  # None: <host>-<n>, the first free
    concurrency: int = 8  # feeds polled at once by this worker
    dispatch_every: int = 10  # seconds between the periodic dispatches (divides 60)
    stalled_after: float = 30.0  # seconds without a heartbeat before a worker's jobs move
    heartbeat: float = 5.0  # seconds between this worker's heartbeats


@dataclass(frozen=True, slots=True)
class Dispatched:
    """What one dispatch did."""

    feeds: int  # feeds of the enabled sources
    due: int  # of which due now
    queued: int  # jobs enqueued
    busy: int  # due feeds left alone: a job of theirs is waiting or running


def _feed_lock(source: str, feed_url: str) -> str:
    return f"feed:{source}\n{feed_url}"


def _every(seconds: int) -> str:
    """A cron line with Procrastinate's sixth (seconds) column."""
    if not 1 <= seconds <= 60 or 60 % seconds:
        raise ConfigError(f"an interval of {seconds} s does not divide a minute")
    return f"* * * * * */{seconds}" if seconds < 60 else "* * * * *"


def build_app(url: str, options: WorkerOptions | None = None) -> procrastinate.App:
    """The Procrastinate app of the cluster: the poll task, and the periodic dispatch and
    stalled-job retry. The tasks find this process's objects in the job context."""
    options = options or WorkerOptions()
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=url))

    @app.task(name=POLL_TASK, queue=QUEUE, pass_context=True,
              retry=procrastinate.RetryStrategy(max_attempts=5, exponential_wait=2))
    async def poll_feed(context: procrastinate.JobContext, source: str,
                        feed_url: str) -> None:
        runtime: Runtime = context.additional_context["scraper"]
        await runtime.poll(source, feed_url)

    @app.task(name=REEXTRACT_TASK, queue=QUEUE, pass_context=True,
              retry=procrastinate.RetryStrategy(max_attempts=5, exponential_wait=2))
    async def reextract_pages(context: procrastinate.JobContext,
                              pages: list[list[str | int | None]]) -> None:
        runtime: Runtime = context.additional_context["scraper"]
        await runtime.reextract([_ref(page) for page in pages])

    @app.periodic(cron=_every(options.dispatch_every), periodic_id="dispatch")
    @app.task(name="scraper.dispatch", queue=QUEUE, queueing_lock="scraper.dispatch",
              pass_context=True)
    async def dispatch_task(context: procrastinate.JobContext, timestamp: int) -> None:
        runtime: Runtime = context.additional_context["scraper"]
        done = await dispatch(context.app, url, runtime.config, runtime.now())
        if done.queued:
            log.info("dispatched %d of %d due feeds", done.queued, done.due,
                     extra={"event": "dispatch", "queued": done.queued, "due": done.due})

    @app.periodic(cron=_every(options.dispatch_every), periodic_id="retry_stalled")
    @app.task(name="scraper.retry_stalled", queue=QUEUE, queueing_lock="scraper.retry_stalled",
              pass_context=True)
    async def retry_stalled(context: procrastinate.JobContext, timestamp: int) -> None:
        manager = context.app.job_manager
        stalled = await manager.get_stalled_jobs(seconds_since_heartbeat=options.stalled_after)
        for job in stalled:
            log.warning("job %s (%s) of a dead worker goes back to the queue", job.id,
                        job.task_name, extra={"event": "stalled", "job": job.id})
            await manager.retry_job(job)

    return app


async def prepare_database(url: str) -> None:
    """Create the state's and Procrastinate's tables when the database lacks them (once,
    under a lock, whichever process comes first)."""
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=url))
    schema = app.schema_manager.get_schema()
    try:
        with psycopg.connect(url, autocommit=True) as sync_conn:
            migrate(sync_conn)
        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn, \
                conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(1, 0)")
            cursor = await conn.execute("SELECT to_regclass('procrastinate_jobs')")
            row = await cursor.fetchone()
            if row is None or row[0] is None:
                await conn.execute(schema)
    except psycopg.Error as exc:
        raise StoreError(f"cannot prepare the job queue in the state database: {exc}") from exc


async def dispatch(app: procrastinate.App, url: str, config: Config,
                   now: datetime) -> Dispatched:
    """Enqueue one poll job per due feed of ``config``'s enabled sources that has no job
    waiting or running."""
    feeds = [(s.name, f) for s in config.sources if s.enabled for f in s.feeds]
    try:
        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn, \
                conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(%s, 0)", (_LOCK_DISPATCH,))
            cursor = await conn.execute("SELECT source, feed_url, next_poll FROM feeds")
            next_poll = {(r[0], r[1]): r[2] for r in await cursor.fetchall()}
            cursor = await conn.execute(
                "SELECT args->>'source', args->>'feed_url' FROM procrastinate_jobs "
                "WHERE task_name = %s AND status IN ('todo', 'doing')", (POLL_TASK,))
            busy = {(r[0], r[1]) for r in await cursor.fetchall()}
            due = [key for key in feeds if _due(next_poll.get(key), now)]
            todo = [key for key in due if key not in busy]
            for start in range(0, len(todo), _DEFER_CHUNK):
                await app.job_manager.batch_defer_jobs_async(
                    [_poll_job(source, feed_url)
                     for source, feed_url in todo[start:start + _DEFER_CHUNK]],
                    connection=conn)
    except psycopg.Error as exc:
        raise StoreError(f"cannot dispatch the due feeds: {exc}") from exc
    return Dispatched(len(feeds), len(due), len(todo), len(due) - len(todo))


def _due(next_poll: str | None, now: datetime) -> bool:
    return next_poll is None or parse_time(next_poll) <= now


def _poll_job(source: str, feed_url: str) -> procrastinate_jobs.Job:
    return procrastinate_jobs.Job(
        queue=QUEUE, task_name=POLL_TASK, lock=_feed_lock(source, feed_url),
        queueing_lock=None, task_kwargs={"source": source, "feed_url": feed_url})


async def enqueue_reextraction(app: procrastinate.App, pages: Sequence[PageRef],
                               batch: int = REEXTRACT_BATCH) -> int:
    """Defer one ``reextract_pages`` job per ``batch`` pages (in plan order); the number of
    jobs. Paths are made absolute: a worker reads them as they are."""
    jobs = [procrastinate_jobs.Job(
        queue=QUEUE, task_name=REEXTRACT_TASK, lock=None, queueing_lock=None,
        task_kwargs={"pages": [[str(ref.path.absolute()), ref.offset]
                               for ref in pages[start:start + batch]]})
        for start in range(0, len(pages), batch)]
    try:
        for start in range(0, len(jobs), _DEFER_CHUNK):
            await app.job_manager.batch_defer_jobs_async(jobs[start:start + _DEFER_CHUNK])
    except psycopg.Error as exc:
        raise StoreError(f"cannot enqueue the re-extraction jobs: {exc}") from exc
    return len(jobs)


def _ref(page: list[str | int | None]) -> PageRef:
    path, offset = page
    return PageRef(Path(str(path)), offset if isinstance(offset, int) else None)


class Runtime:
    """What the tasks of one worker process use: its configuration, store and poller, and
    the runner of extraction jobs (the worker's pool)."""

    def __init__(self, config: Config, store: PgStore, poller: Poller,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC),
                 run: Runner = run_inline) -> None:
        self.config = config
        self.store = store
        self.poller = poller
        self.now = now
        self.run = run
        self.sources: dict[str, SourceConfig] = {s.name: s for s in config.sources}

    async def poll(self, source_name: str, feed_url: str) -> FeedReport | None:
        """Poll one feed if it is still in the sources file and still due."""
        source = self.sources.get(source_name)
        if source is None or not source.enabled or feed_url not in source.feeds:
            log.warning("job for %s %s dropped: not an enabled feed of the sources file",
                        source_name, feed_url, extra={"source": source_name, "feed": feed_url})
            return None
        state = self.store.feed(source_name, feed_url)
        if not is_due(state, self.now()):
            return None  # polled since it was dispatched (a retried job of a dead worker)
        report = await self.poller.poll_feed(source, feed_url, state)
        counts = report.counts
        log.info("%s %s: %s, %d new, %d updated, %d failed", source_name, feed_url,
                 report.error or report.status, counts.new, counts.updated,
                 counts.page_failures,
                 extra={"event": "feed", "source": source_name, "feed": feed_url,
                        "new": counts.new, "updated": counts.updated})
        return report

    async def reextract(self, pages: Sequence[PageRef]) -> Summary:
        """Re-extract archived pages into this worker's store, each committed at once (a
        retried job finds the pages done before as unchanged)."""
        # A fresh Reextraction per job: what it remembers of the state must not outlive
        # the job, as other workers commit meanwhile.
        reextraction = Reextraction(self.store, run=self.run, limits=self.config.poll,
                                    rules=rules_by_source(self.config.sources), now=self.now)
        for ref in pages:
            await reextraction.page(ref)
        summary = reextraction.summary
        for where, why in summary.failures:
            log.warning("reextract %s: %s", where, why, extra={"event": "reextract_failed"})
        log.info("reextracted %d pages: %d new, %d revised, %d unchanged, %d failed",
                 len(pages), summary.new, summary.revised, summary.unchanged, summary.failed,
                 extra={"event": "reextract", "new": summary.new, "revised": summary.revised})
        return summary


async def run_worker(url: str, config: Config, output: Path,
                     options: WorkerOptions | None = None) -> int:
    """Run one worker until SIGTERM or SIGINT (then the jobs in flight finish)."""
    from scraper.fetch.leases import ClusterLimiter
    from scraper.pool import ExtractorPool

    options = options or WorkerOptions()
    await prepare_database(url)
    app = build_app(url, options)
    store = PgStore.open(url, output, worker=options.name)
    pool = None
    limiter = None
    try:
        limiter = await ClusterLimiter.connect(url, config.fetch, holder=store.worker)
        pool = ExtractorPool.from_settings(config.extraction)
        async with app.open_async(), open_poller(config, store, pool, limiter=limiter,
                                                  worker=store.worker) as poller:
            runtime = Runtime(config, store, poller, run=pool.call)
            log.info("worker %s started: output %s", store.worker, output,
                     extra={"event": "start", "worker": store.worker})
            await app.run_worker_async(
                queues=[QUEUE], name=store.worker, concurrency=options.concurrency,
                additional_context={"scraper": runtime}, delete_jobs="successful",
                update_heartbeat_interval=options.heartbeat,
                stalled_worker_timeout=options.stalled_after)
    finally:
        if pool is not None:
            pool.close()
        if limiter is not None:
            await limiter.aclose()
        store.close()
    log.info("worker %s stopped", store.worker, extra={"event": "stop"})
    return 0

