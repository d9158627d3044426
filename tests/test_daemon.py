"""The daemon's parts in-process (the extraction pool is tests/test_pool.py): the job
table kept in step with the sources file (SIGHUP reload), JSON logs, the poll summary and the
status table."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
from datetime import UTC
from pathlib import Path

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from scraper.config import ExtractionSettings, PollSettings, load_config
from scraper.daemon import (
    Daemon,
    poll_once,
    select_sources,
)
from scraper.errors import ConfigError
from scraper.logs import configure_logging
from scraper.pool import ExtractorPool
from tests.httpserver import LoopbackServer, Reply
from tests.test_poll import RSS_TYPE, Item, rss

# -- reload -----------------------------------------------------------------------------

SOURCES = """\
settings:
  per_host_delay: 0s
sources:
  - name: alpha
    feeds: [http://127.0.0.1:9/alpha]
    interval: 15m
  - name: beta
    feeds: [http://127.0.0.1:9/beta]
    interval: 1h
  - name: paused
    enabled: false
    feeds: [http://127.0.0.1:9/paused]
"""

CHANGED = """\
settings:
  per_host_delay: 0s
sources:
  - name: alpha
    feeds: [http://127.0.0.1:9/alpha, http://127.0.0.1:9/alpha2]
    interval: 5m
  - name: gamma
    feeds: [http://127.0.0.1:9/gamma]
"""


def _jobs(scheduler: AsyncIOScheduler) -> dict[str, float]:
    return {job.id: job.trigger.interval.total_seconds() for job in scheduler.get_jobs()}


def test_reload_adds_removes_and_reschedules_jobs(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(SOURCES)

    async def go() -> None:
        daemon = Daemon(path, tmp_path / "out")
        daemon.scheduler = AsyncIOScheduler(timezone=UTC)
        daemon.apply(load_config(path))
        assert _jobs(daemon.scheduler) == {"alpha": 900.0, "beta": 3600.0}
        job = daemon.scheduler.get_job("alpha")
        # A second instance only counts itself as skipped (Daemon._job): no APScheduler warning.
        assert (job.max_instances, job.coalesce) == (2, True)
        assert job.trigger.jitter == 60.0

        path.write_text(SOURCES.replace("interval: 15m", "interval: fortnightly"))
        with caplog.at_level(logging.ERROR, logger="scraper.daemon"):
            daemon.reload()
        assert _jobs(daemon.scheduler) == {"alpha": 900.0, "beta": 3600.0}
        [record] = caplog.records
        assert record.getMessage().startswith(
            "reload failed, keeping the previous configuration: ")
        assert "'alpha'" in record.getMessage() and "'interval'" in record.getMessage()

        path.write_text(CHANGED)
        daemon.reload()
        assert _jobs(daemon.scheduler) == {"alpha": 300.0, "gamma": 900.0}
        assert daemon.sources["alpha"].feeds == ("http://127.0.0.1:9/alpha",
                                                 "http://127.0.0.1:9/alpha2")

    asyncio.run(go())


def test_select_sources(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(SOURCES)
    config = load_config(path)
    assert [s.name for s in select_sources(config, [])] == ["alpha", "beta"]
    chosen = select_sources(config, ["paused", "alpha", "paused"])
    assert [s.name for s in chosen] == ["paused", "alpha"]
    with pytest.raises(ConfigError, match="no source named 'nope'"):
        select_sources(config, ["nope"])


# -- logs, tables ---------------------------------------------------------------------


def test_json_logs_carry_the_poll_fields() -> None:
    stream = io.StringIO()
    configure_logging(True, stream=stream)
    try:
        logging.getLogger("scraper.poller").info(
            "poll source=%s", "alpha", extra={"source": "alpha", "feed": "http://x/f",
                                              "status": 304, "new": 0})
    finally:
        logging.getLogger().handlers.clear()
    data = json.loads(stream.getvalue())
    assert {k: data[k] for k in ("level", "logger", "message", "source", "feed", "status",
                                 "new")} == {
        "level": "info", "logger": "scraper.poller", "message": "poll source=alpha",
        "source": "alpha", "feed": "http://x/f", "status": 304, "new": 0}
    assert data["time"].endswith("Z")


# -- limits from the sources file ---------------------------------------------------------

LIMITS = """\
settings:
  per_host_delay: 0s
  respect_robots: false
  max_attempts: 1
  max_revisions: 2
  max_page_retries: 0
  max_backoff: 2h
  extract_time_limit: 5s
  extract_workers: 1
  extract_tasks_per_worker: 7
sources:
  - name: alpha
    feeds: [{feed}]
    allow_private_networks: true
"""


def test_run_uses_the_file_limits_and_sighup_applies_the_safe_ones(
        server: LoopbackServer, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    server.route("/feed", Reply(200, rss([]), content_type=RSS_TYPE))
    path = tmp_path / "sources.yaml"
    path.write_text(LIMITS.format(feed=server.url("/feed")))
    built: list[ExtractionSettings] = []

    def pool_factory(settings: ExtractionSettings) -> ExtractorPool:
        built.append(settings)
        return ExtractorPool.from_settings(settings)

    async def go() -> int:
        daemon = Daemon(path, tmp_path / "out", pool_factory=pool_factory)
        task = asyncio.create_task(daemon.run())
        while daemon.scheduler is None or not daemon.scheduler.running:
            await asyncio.sleep(0)
        assert built == [ExtractionSettings(time_limit=5.0, workers=1, tasks_per_worker=7)]
        assert daemon.poller is not None and daemon.pool is not None
        assert daemon.poller.settings == PollSettings(max_revisions=2, max_page_retries=0,
                                                      max_backoff=7200.0)
        assert (daemon.pool.workers, daemon.pool.time_limit) == (1, 5.0)

        path.write_text(LIMITS.format(feed=server.url("/feed"))
                        .replace("max_revisions: 2", "max_revisions: 4")
                        .replace("extract_time_limit: 5s", "extract_time_limit: 9s")
                        .replace("extract_workers: 1", "extract_workers: 3")
                        .replace("per_host_delay: 0s", "per_host_delay: 1s"))
        with caplog.at_level(logging.WARNING, logger="scraper.daemon"):
            daemon.reload()
        assert daemon.poller.settings == PollSettings(max_revisions=4, max_page_retries=0,
                                                      max_backoff=7200.0)
        assert (daemon.pool.workers, daemon.pool.time_limit) == (1, 9.0)
        assert daemon.config is not None
        assert daemon.config.extraction == ExtractionSettings(
            time_limit=9.0, workers=1, tasks_per_worker=7)
        assert daemon.config.fetch.per_host_delay == 0.0
        assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING] == [
            "fetch settings changed; they take effect at the next restart",
            "extract_workers or extract_tasks_per_worker changed; they take effect at the "
            "next restart"]
        daemon.request_stop()
        return await task

    assert asyncio.run(go()) == 0
    assert built == [ExtractionSettings(time_limit=5.0, workers=1, tasks_per_worker=7)]


def test_poll_once_uses_the_file_limits(
        server: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server.route("/feed", Reply(200, rss([Item("1", server.url("/gone"), "Gone")]),
                                content_type=RSS_TYPE))
    server.route("/gone", Reply(404, b"no"))
    path = tmp_path / "sources.yaml"
    path.write_text(LIMITS.format(feed=server.url("/feed")))
    config = load_config(path)
    built: list[ExtractionSettings] = []
    from_settings = ExtractorPool.from_settings

    def spy(settings: ExtractionSettings) -> ExtractorPool:
        built.append(settings)
        return from_settings(settings)

    monkeypatch.setattr(ExtractorPool, "from_settings", spy)
    outcome = asyncio.run(poll_once(config, config.sources, tmp_path / "out"))
    assert built == [ExtractionSettings(time_limit=5.0, workers=1, tasks_per_worker=7)]
    [report] = outcome.reports
    # max_page_retries: 0 from the file: the page that failed is given up at once.
    counts = report.counts
    assert (counts.new, counts.page_failures, counts.feed_only, counts.gave_up) == (1, 1, 1, 1)


@pytest.mark.parametrize("content", [b"", b"this is not a database at all, just text" * 200])
def test_status_on_a_damaged_state_database_says_what_to_do(
        tmp_path: Path, content: bytes) -> None:
    from click.testing import CliRunner

    from scraper.cli import main

    (tmp_path / "state.sqlite3").write_bytes(content)
    result = CliRunner().invoke(main, ["status", "--output", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output == (
        f"scraper: status: cannot read the state database {tmp_path / 'state.sqlite3'}: "
        f"{'no such table: written' if not content else 'file is not a database'} (if a "
        "daemon is starting, try again; otherwise the state is damaged: move it aside and "
        "run the daemon to start a new one (records already written stay))\n")


def test_a_second_signal_cancels_poll_once(server: LoopbackServer, tmp_path: Path) -> None:
    import signal
    import threading

    hit, released = threading.Event(), threading.Event()

    def hang(_: object) -> Reply:
        hit.set()
        released.wait(30)
        return Reply(200, rss([]), content_type=RSS_TYPE)

    server.route("/feed", hang)
    path = tmp_path / "sources.yaml"
    path.write_text(LIMITS.format(feed=server.url("/feed")))
    config = load_config(path)

    async def go() -> None:
        task = asyncio.ensure_future(poll_once(config, config.sources, tmp_path / "out"))
        await asyncio.to_thread(hit.wait, 10)
        os.kill(os.getpid(), signal.SIGINT)
        await asyncio.sleep(0)
        assert not task.done()  # the first signal waits for the work in flight
        os.kill(os.getpid(), signal.SIGINT)
        with pytest.raises(asyncio.CancelledError):
            await task

    try:
        asyncio.run(go())
    finally:
        released.set()


# -- the poller of run, poll and worker -------------------------------------------------


class _Pool:
    """Stands for ExtractorPool: nothing is extracted here, only the wiring is looked at."""

    async def __call__(self, *args: object) -> None:
        raise AssertionError("no page is extracted")

    async def parse_feed(self, *args: object, **kwargs: object) -> None:
        raise AssertionError("no feed is parsed")


class _Output:
    def __init__(self, output: Path) -> None:
        self.output = output


def test_open_poller_wires_the_pool_the_settings_and_the_archive(tmp_path: Path) -> None:
    from datetime import datetime

    from scraper.archive import ArchivedPage, read_warc
    from scraper.config import ArchiveSettings, Config
    from scraper.poller import open_poller

    pool = _Pool()
    stop = asyncio.Event()
    config = Config(tmp_path / "sources.yaml", (), poll=PollSettings(max_revisions=4),
                    archive=ArchiveSettings("warc", max_size=10_000))
    page = ArchivedPage(url="https://example.com/a", status=200, headers={},
                        content=b"<p>Text.</p>", fetched_at=datetime(2026, 3, 1, tzinfo=UTC))

    async def go(config: Config) -> None:
        store = _Output(tmp_path / "out")
        async with open_poller(config, store, pool, stop=stop,  # type: ignore[arg-type]
                               worker="w7") as poller:
            assert (poller.store, poller.extractor, poller.stop) == (store, pool, stop)
            assert poller.parse_feed == pool.parse_feed
            assert poller.settings is config.poll
            assert poller.fetcher.settings == config.fetch  # type: ignore[attr-defined]
            if poller.archive is not None:
                assert poller.archive.max_size == 10_000  # type: ignore[attr-defined]
                poller.archive.write(page)

    asyncio.run(go(config))
    (warc,) = (tmp_path / "out" / "archive").glob("*.warc.gz")
    assert warc.name.startswith("w7-")
    assert [p.url for p in read_warc(warc)] == ["https://example.com/a"]
    asyncio.run(go(Config(tmp_path / "sources.yaml", ())))  # archive off
    assert len(list((tmp_path / "out" / "archive").iterdir())) == 2  # the file and its index
