"""Dispatch and the poll task of the distributed mode, in-process on a real PostgreSQL (the
worker processes themselves are in test_distributed.py)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import psycopg
import pytest

from scraper.config import Config, SourceConfig, load_config
from scraper.errors import ConfigError
from scraper.pgstore import PgStore
from scraper.poller import FeedReport, Poller
from scraper.store import Batch, FeedState
from scraper.worker import Dispatched, Runtime, build_app, dispatch, prepare_database
from tests.httpserver import LoopbackServer

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
SOURCES = """\
defaults:
  allow_private_networks: true
sources:
  - name: alpha
    feeds: [http://127.0.0.1:9/a.xml, http://127.0.0.1:9/b.xml]
  - name: beta
    feeds: [http://127.0.0.1:9/c.xml]
  - name: paused
    enabled: false
    feeds: [http://127.0.0.1:9/d.xml]
"""


def _config(tmp_path: Path) -> Config:
    path = tmp_path / "sources.yaml"
    path.write_text(SOURCES)
    return load_config(path)


def _dispatch(url: str, config: Config, now: datetime = NOW) -> Dispatched:
    async def once() -> Dispatched:
        await prepare_database(url)
        app = build_app(url)
        async with app.open_async():
            return await dispatch(app, url, config, now)

    return asyncio.run(once())


def _queued(url: str) -> list[tuple[str, str, str]]:
    with psycopg.connect(url) as conn:
        return [(r[0], r[1], r[2]) for r in conn.execute(
            "SELECT args->>'source', args->>'feed_url', lock FROM procrastinate_jobs "
            "WHERE task_name = 'scraper.poll_feed' ORDER BY id")]


def test_dispatch_queues_each_due_feed_once(pg_url: str, tmp_path: Path) -> None:
    config = _config(tmp_path)
    assert _dispatch(pg_url, config) == Dispatched(feeds=3, due=3, queued=3, busy=0)
    # Queued already (or running): a second dispatch, from any process, adds nothing.
    assert _dispatch(pg_url, config) == Dispatched(feeds=3, due=3, queued=0, busy=3)
    assert _queued(pg_url) == [
        ("alpha", "http://127.0.0.1:9/a.xml", "feed:alpha\nhttp://127.0.0.1:9/a.xml"),
        ("alpha", "http://127.0.0.1:9/b.xml", "feed:alpha\nhttp://127.0.0.1:9/b.xml"),
        ("beta", "http://127.0.0.1:9/c.xml", "feed:beta\nhttp://127.0.0.1:9/c.xml")]


def test_a_feed_polled_lately_is_not_due(pg_url: str, tmp_path: Path) -> None:
    config = _config(tmp_path)
    asyncio.run(prepare_database(pg_url))
    with PgStore.open(pg_url, tmp_path / "out", worker="w1") as store:
        store.commit(Batch(feed=FeedState("alpha", "http://127.0.0.1:9/a.xml",
                                          next_poll="2026-03-01T12:15:00Z")))
        store.commit(Batch(feed=FeedState("beta", "http://127.0.0.1:9/c.xml",
                                          next_poll="2026-03-01T11:59:59Z")))
    assert _dispatch(pg_url, config) == Dispatched(feeds=3, due=2, queued=2, busy=0)
    assert [f for _, f, _ in _queued(pg_url)] == ["http://127.0.0.1:9/b.xml",
                                                  "http://127.0.0.1:9/c.xml"]


class _Poller:
    """Stands for the Poller: records the feeds it was asked to poll."""

    def __init__(self) -> None:
        self.polled: list[tuple[str, str]] = []

    async def poll_feed(self, source: SourceConfig, feed_url: str,
                        state: FeedState | None = None) -> FeedReport:
        self.polled.append((source.name, feed_url))
        return FeedReport(source.name, feed_url, 200)


def test_a_job_polls_only_a_due_feed_of_an_enabled_source(pg_url: str, tmp_path: Path) -> None:
    config = _config(tmp_path)
    poller = _Poller()
    with PgStore.open(pg_url, tmp_path / "out", worker="w1") as store:
        store.commit(Batch(feed=FeedState("alpha", "http://127.0.0.1:9/b.xml",
                                          next_poll="2026-03-01T13:00:00Z")))
        runtime = Runtime(config, store, cast(Poller, poller), now=lambda: NOW)

        async def jobs() -> list[Any]:
            return [await runtime.poll("alpha", "http://127.0.0.1:9/a.xml"),
                    # polled since it was dispatched (a dead worker's job run again)
                    await runtime.poll("alpha", "http://127.0.0.1:9/b.xml"),
                    # left the sources file, or disabled, since it was dispatched
                    await runtime.poll("alpha", "http://127.0.0.1:9/gone.xml"),
                    await runtime.poll("paused", "http://127.0.0.1:9/d.xml")]

        reports = asyncio.run(jobs())
    assert poller.polled == [("alpha", "http://127.0.0.1:9/a.xml")]
    assert [r is not None for r in reports] == [True, False, False, False]


def test_the_dispatch_period_must_divide_a_minute() -> None:
    from scraper.worker import WorkerOptions

    with pytest.raises(ConfigError, match="does not divide a minute"):
        build_app("postgresql://127.0.0.1:9/x", WorkerOptions(dispatch_every=7))


def test_dispatch_command_says_what_it_queued(pg_url: str, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from scraper.cli import main

    (tmp_path / "sources.yaml").write_text(SOURCES)
    args = ["dispatch", "--db", pg_url, "--sources", str(tmp_path / "sources.yaml")]
    first = CliRunner().invoke(main, args)
    second = CliRunner().invoke(main, args)
    assert (first.exit_code, first.output) == (
        0, "3 feeds queued (3 due of 3, 0 already queued or running)\n")
    assert second.output == "0 feeds queued (3 due of 3, 3 already queued or running)\n"
    failed = CliRunner().invoke(main, ["dispatch", "--db", "postgresql://u:pw@127.0.0.1:9/x",
                                       "--sources", str(tmp_path / "sources.yaml")])
    assert failed.exit_code == 2
    assert "scraper: dispatch: cannot" in failed.output and "pw" not in failed.output


def test_status_reads_the_distributed_state(pg_url: str, tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from scraper.cli import main
    from scraper.models import Counters

    before = CliRunner().invoke(main, ["status", "--db", pg_url])
    assert (before.exit_code, before.output) == (
        0, "nothing has been polled into that database yet\n")
    with PgStore.open(pg_url, tmp_path / "out", worker="w1") as store:
        store.commit(Batch(feed=FeedState("alpha", "http://127.0.0.1:9/a.xml", last_status=200),
                           counters=Counters(polls=1, not_modified=1)))
    after = CliRunner().invoke(main, ["status", "--db", pg_url, "--json"])
    (row,) = json.loads(after.output)
    assert (row["source"], row["feed"], row["last_status"]) == (
        "alpha", "http://127.0.0.1:9/a.xml", 200)
    assert (row["counters"]["polls"], row["counters"]["not_modified"]) == (1, 1)


def test_reextract_on_the_workers_revises_only_what_the_extractor_changed(
        pg_url: str, tmp_path: Path, server: LoopbackServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """`reextract --db` over an archive a distributed poll wrote: jobs in the queue, a worker
    (in-process) runs them on its own segments with the decide step of the poll."""
    import importlib
    from dataclasses import replace

    from click.testing import CliRunner

    from scraper.archive import WarcArchive
    from scraper.cli import main
    from scraper.fetch import Fetcher
    from scraper.models import ExtractRules, PageFields, article_id
    from scraper.pgstore import iter_committed
    from scraper.worker import QUEUE, enqueue_reextraction
    from tests.test_archive import site
    from tests.test_poll import FETCH, Clock, _no_sleep, inline_extract

    clock = Clock()
    out = tmp_path / "out"
    config = _config(tmp_path)
    src = site(server)
    asyncio.run(prepare_database(pg_url))

    async def poll() -> None:
        with PgStore.open(pg_url, out, worker="poller", now=clock.now) as store, \
                WarcArchive(out / "archive", now=clock.now) as archive:
            async with Fetcher(FETCH, now=clock.now, sleep=_no_sleep) as fetcher:
                poller = Poller(store, fetcher, inline_extract, now=clock.now,
                                monotonic=lambda: 0.0, archive=archive)
                await poller.poll_source(src)

    def work() -> None:
        async def run() -> None:
            app = build_app(pg_url)
            with PgStore.open(pg_url, out, worker="w1", now=clock.now) as store:
                runtime = Runtime(config, store, cast(Poller, None), now=clock.now)
                async with app.open_async():
                    await app.run_worker_async(queues=[QUEUE], wait=False,
                                               additional_context={"scraper": runtime},
                                               delete_jobs="successful")

        asyncio.run(run())

    def left() -> int:
        """Re-extraction jobs still in the queue (a successful one is deleted)."""
        with psycopg.connect(pg_url) as conn:
            row = conn.execute("SELECT count(*) FROM procrastinate_jobs WHERE task_name = "
                               "'scraper.reextract_pages'").fetchone()
        return int(row[0]) if row else -1

    def pages() -> list[tuple[str, int, str]]:
        return sorted((r["id"], r["revision"], r["body"]) for r in iter_committed(out, pg_url)
                      if r["status"] == "ok")

    asyncio.run(poll())
    polled = pages()
    assert [i for i, _, _ in polled] == sorted(
        [article_id(server.url("/news/dam")), article_id(server.url("/news/flood"))])

    enqueued = CliRunner().invoke(main, ["reextract", str(out / "archive"), "--db", pg_url])
    assert (enqueued.exit_code, enqueued.output) == (
        0, "1 jobs enqueued for 2 pages (2 read, 0 superseded by a later fetch)\n")
    assert left() == 1
    work()
    assert left() == 0
    assert pages() == polled  # nothing changed: no new revision, the same ids

    extract_module = importlib.import_module("scraper.extract")
    extract = extract_module.extract

    def better(html: bytes, url: str, rules: ExtractRules, *,
               content_type: str | None) -> PageFields:
        article = extract(html, url, rules, content_type=content_type)
        if "flood" in url:
            article = replace(article, body=article.body + "\n\nA paragraph found now.")
        return article

    monkeypatch.setattr(extract_module, "extract", better)

    async def enqueue() -> int:
        from scraper.reextract import scan

        app = build_app(pg_url)
        async with app.open_async():
            return await enqueue_reextraction(app, scan([out / "archive"]).pages, batch=1)

    assert asyncio.run(enqueue()) == 2  # one job per page
    assert left() == 2
    work()
    assert left() == 0
    flood = article_id(server.url("/news/flood"))
    assert pages() == sorted([*polled, (flood, 2, next(
        b for i, _, b in polled if i == flood) + "\n\nA paragraph found now.")])
