"""The long-running parts: the scheduler daemon (``scraper run``), the one-pass
``scraper poll`` and ``scraper status``; the extraction workers are :mod:`scraper.pool`.

Everything is built inside the entry functions and passed down; nothing runs at import::

    exit_code = asyncio.run(Daemon(Path("sources.yaml"), Path("output")).run())
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from scraper.config import Config, ExtractionSettings, SourceConfig, load_config
from scraper.errors import ConfigError
from scraper.models import format_time, parse_time
from scraper.poller import FeedReport, Poller, open_poller
from scraper.pool import ExtractorPool
from scraper.report import Round
from scraper.store import FeedStatus, Store, open_state_readonly, read_statuses

__all__ = [
    "Daemon",
    "poll_once",
    "status_rows",
]

log = logging.getLogger(__name__)


SHUTDOWN_GRACE = 7.0  # seconds in-flight polls get to commit after SIGTERM (exit within 10 s)


# -- the daemon -------------------------------------------------------------------------


def _jitter(interval: float) -> float:
    return min(interval * 0.1, 60.0)


class Daemon:
    """``scraper run``: one APScheduler job per enabled source, sharing one fetcher (and so
    its global and per-host limits), one extraction pool and one store.

    On SIGHUP the sources, their schedules and the polling limits (``max_revisions``,
    ``max_page_retries``, ``max_backoff``) and ``extract_time_limit`` take effect for the
    passes and pages that start after it. The fetch settings, ``extract_workers`` and
    ``extract_tasks_per_worker`` size the fetcher and the pool, which have requests and
    pages in flight: those wait for a restart (a warning says so)."""

    def __init__(
        self, config_path: Path, output: Path, *,
        pool_factory: Callable[[ExtractionSettings], ExtractorPool] = (
            ExtractorPool.from_settings),
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.config_path = config_path
        self.output = output
        self._pool_factory = pool_factory
        self._now = now
        self.round = Round()
        self._polling: set[str] = set()  # sources whose poll is running
        self.config: Config | None = None
        self.sources: dict[str, SourceConfig] = {}
        self.stop = asyncio.Event()
        self.scheduler: AsyncIOScheduler | None = None
        self.poller: Poller | None = None
        self.pool: ExtractorPool | None = None
        self._running: set[asyncio.Task[Any]] = set()

    async def run(self) -> int:
        """Run until SIGTERM or SIGINT; return the exit status."""
        config = load_config(self.config_path)
        loop = asyncio.get_running_loop()
        store = Store.open(self.output)
        pool = self.pool = self._pool_factory(config.extraction)
        try:
            async with open_poller(config, store, pool, stop=self.stop) as poller:
                self.poller = poller
                self.scheduler = AsyncIOScheduler(event_loop=loop, timezone=UTC)
                self.apply(config)
                self.scheduler.start()
                for signum in (signal.SIGTERM, signal.SIGINT):
                    loop.add_signal_handler(signum, self.request_stop, signum)
                loop.add_signal_handler(signal.SIGHUP, self.reload)
                log.info("daemon started: %d sources, output %s", len(self.sources),
                         self.output, extra={"event": "start", "sources": len(self.sources)})
                await self._rounds()
                await self._shutdown()
                self.end_round()
        finally:
            for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                loop.remove_signal_handler(signum)
            pool.close()
            store.close()
        log.info("daemon stopped", extra={"event": "stop"})
        return 0

    def request_stop(self, signum: int | None = None) -> None:
        """Stop scheduling; polls in flight commit what they have and end."""
        if not self.stop.is_set():
            name = signal.Signals(signum).name if signum else "request"
            log.info("stopping (%s)", name, extra={"event": "stopping"})
        self.stop.set()

    async def _shutdown(self) -> None:
        # Pause, not shut down, first: APScheduler's shutdown cancels running coroutine jobs,
        # which would throw away pages already fetched instead of committing them.
        if self.scheduler is not None:
            self.scheduler.pause()
        running = set(self._running)
        if running:
            _, late = await asyncio.wait(running, timeout=SHUTDOWN_GRACE)
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late, timeout=1.0)
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)

    def reload(self) -> None:
        """SIGHUP: read the sources file again; keep the old configuration if it is invalid."""
        try:
            config = load_config(self.config_path)
        except ConfigError as exc:
            log.error("reload failed, keeping the previous configuration: %s", exc,
                      extra={"event": "reload_failed"})
            return
        self.apply(config)
        log.info("configuration reloaded: %d sources", len(self.sources),
                 extra={"event": "reload", "sources": len(self.sources)})

    def apply(self, config: Config) -> None:
        """Make the scheduled jobs match ``config`` (add, remove and reschedule) and pass on
        the limits that can change while running."""
        running = self.config
        if running is not None:
            if config.fetch != running.fetch:
                log.warning("fetch settings changed; they take effect at the next restart",
                            extra={"event": "reload"})
            if config.archive != running.archive:
                log.warning("archive settings changed; they take effect at the next restart",
                            extra={"event": "reload"})
            pool_size = (running.extraction.workers, running.extraction.tasks_per_worker)
            if (config.extraction.workers, config.extraction.tasks_per_worker) != pool_size:
                log.warning("extract_workers or extract_tasks_per_worker changed; they take "
                            "effect at the next restart", extra={"event": "reload"})
            # What stays in self.config is what runs, so the next reload compares with it.
            config = replace(
                config, fetch=running.fetch, archive=running.archive, extraction=replace(
                    config.extraction, workers=running.extraction.workers,
                    tasks_per_worker=running.extraction.tasks_per_worker))
        self.config = config
        if self.poller is not None:
            self.poller.settings = config.poll
        if self.pool is not None:
            self.pool.time_limit = config.extraction.time_limit
        wanted = {s.name: s for s in config.sources if s.enabled}
        old = self.sources
        self.sources = wanted
        scheduler = self.scheduler
        if scheduler is None:
            return
        for name in old.keys() - wanted.keys():
            scheduler.remove_job(name)
        for name, source in wanted.items():
            trigger = IntervalTrigger(seconds=source.interval, jitter=_jitter(source.interval),
                                      timezone=UTC)
            if name not in old:
                # Two instances: a poll that fires while the last one runs is counted as
                # skipped by _job itself, not logged by APScheduler on every tick.
                scheduler.add_job(
                    self._job, trigger, args=(name,), id=name, name=name, max_instances=2,
                    coalesce=True, misfire_grace_time=max(1, int(source.interval)),
                    next_run_time=datetime.now(UTC),
                )
            elif old[name].interval != source.interval:
                scheduler.reschedule_job(name, trigger=trigger)

    async def _rounds(self) -> None:
        """Until stopped: one summary line per round, as long as the shortest interval."""
        while not self.stop.is_set():
            length = max(10.0, min((s.interval for s in self.sources.values()), default=60.0))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), length)
            if not self.stop.is_set():
                self.end_round()

    def end_round(self) -> None:
        """Log the round's line (when anything happened in it) and start the next one."""
        tally, self.round = self.round, Round()
        if tally.empty:
            return
        now = self._now()
        due = self.next_due(now)
        log.info(tally.line(due, now), extra={
            "event": "round", "feeds": tally.feeds, "not_modified": tally.not_modified,
            "new": tally.new, "updated": tally.updated, "failed": tally.failed,
            "page_failures": tally.page_failures, "skipped": dict(tally.skipped),
            "next_due": format_time(due) if due else None})

    def next_due(self, now: datetime) -> datetime | None:
        """When the next feed poll is due: its source's next run, or later for a feed that
        backs off (None without sources)."""
        if self.poller is None or self.scheduler is None:
            return None
        due: list[datetime] = []
        for name, source in self.sources.items():
            job = self.scheduler.get_job(name)
            run = job.next_run_time if job is not None and job.next_run_time else now
            for feed in source.feeds:
                state = self.poller.store.feed(name, feed)
                backoff = parse_time(state.next_poll) if state and state.next_poll else now
                due.append(max(run, backoff))
        return min(due, default=None)

    async def _job(self, name: str) -> None:
        source = self.sources.get(name)
        if source is None or self.stop.is_set() or self.poller is None:
            return
        if name in self._polling:
            self.round.skip(name)
            return
        self._polling.add(name)
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            await self.poller.poll_source(
                source, only_due=True, tolerance=_jitter(source.interval) + 1.0,
                on_feed=self.round.add)
        except asyncio.CancelledError:
            # Only a shutdown whose grace ran out cancels a poll: what it had not committed
            # is polled again on the next start, so this is not an error worth a traceback.
            log.warning("poll of %s abandoned at shutdown", name, extra={"source": name})
        except Exception:  # one source's bug must not stop the others
            log.exception("polling %s failed", name, extra={"source": name})
        finally:
            self._polling.discard(name)
            if task is not None:
                self._running.discard(task)


# -- scraper poll -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PollOutcome:
    """What ``scraper poll`` did."""

    reports: tuple[FeedReport, ...]

    @property
    def failed(self) -> bool:
        """True when any feed could not be read."""
        return any(not r.ok for r in self.reports)


def select_sources(config: Config, names: Sequence[str]) -> list[SourceConfig]:
    """The sources ``--source`` names (all enabled ones without it); ConfigError for a name
    the file does not have."""
    if not names:
        return [s for s in config.sources if s.enabled]
    by_name = {s.name: s for s in config.sources}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise ConfigError(f"no source named {', '.join(map(repr, unknown))}",
                          file=str(config.path))
    return [by_name[n] for n in dict.fromkeys(names)]


async def poll_once(
    config: Config, sources: Sequence[SourceConfig], output: Path, *,
    progress: Progress | None = None, extractor: ExtractorPool | None = None,
) -> PollOutcome:
    """One pass over every feed of ``sources`` (due or not), sources concurrently, with the
    limits of ``config.poll`` and (unless ``extractor`` is given) ``config.extraction``.
    A second SIGINT or SIGTERM cancels the pass (CancelledError)."""
    pool = extractor or ExtractorPool.from_settings(config.extraction)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()

    def on_signal() -> None:
        # The first signal lets the pages in flight finish; a second one means now.
        if stop.is_set() and main is not None:
            main.cancel()
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, on_signal)
    task_id = progress.add_task("polling", total=sum(len(s.feeds) for s in sources)) if (
        progress) else None

    def advance(report: FeedReport) -> None:
        if progress is not None and task_id is not None:
            progress.advance(task_id)

    try:
        with Store.open(output) as store:
            async with open_poller(config, store, pool, stop=stop) as poller:
                results = await asyncio.gather(
                    *(poller.poll_source(s, on_feed=advance) for s in sources))
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
        if extractor is None:
            pool.close()
    return PollOutcome(tuple(r for reports in results for r in reports))


def poll_progress(console: Console) -> Progress:
    """The progress bar of ``scraper poll`` (shown only on a terminal)."""
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console, disable=not console.is_terminal)


# -- scraper status ---------------------------------------------------------------------


def status_rows(output: Path, now: datetime | None = None) -> list[FeedStatus] | None:
    """Every feed's state under ``output`` (None when nothing was ever polled there)."""
    today = format_time(now or datetime.now(UTC))[:10]
    with open_state_readonly(output) as conn:
        return None if conn is None else read_statuses(conn, today)
