"""The distributed mode end to end: ``scraper worker`` processes on one PostgreSQL against a
loopback site of several hosts, ``scraper dispatch``, and workers killed mid-run.

These wait on real processes, so they check the database with a deadline instead of
injecting a clock; the politeness check compares the gaps the servers saw with the delay."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from scraper.pgstore import committed_segments, iter_committed
from tests.distsite import (
    CRASH_AFTER_FSYNC,
    Site,
    Worker,
    all_polled,
    dispatch,
    wait_until,
    workers_up,
)

pytestmark = pytest.mark.slow

DELAY = 0.1


@pytest.fixture
def site() -> Iterator[Site]:
    built = Site.build(hosts=3, feeds=12, stories=36)
    try:
        yield built
    finally:
        built.close()


def _sources(tmp_path: Path, site: Site) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(site.sources_yaml(DELAY))
    return path


def _check_once_each(site: Site, output: Path, db: str) -> list[dict[str, object]]:
    records = list(iter_committed(output, db))
    keys = Counter((r["id"], r["revision"]) for r in records)
    assert [k for k, n in keys.items() if n > 1] == []  # no (id, revision) twice
    assert {r["id"] for r in records} == site.story_ids()  # none lost
    assert {r["revision"] for r in records} == {1}
    assert {r["status"] for r in records} == {"ok"}
    return records


@pytest.mark.timeout(300)
def test_three_workers_over_ten_hosts_write_every_story_once_and_keep_the_host_delay(
        pg_url: str, tmp_path: Path) -> None:
    # The run (500 feeds) made smaller for CI; benchmarks/distributed_bench.py runs it
    # at full size.
    site = Site.build(hosts=10, feeds=40, stories=80)
    sources = _sources(tmp_path, site)
    output = tmp_path / "out"
    # No worker dies here, so none may be taken for dead: a commit (fsync included) runs on
    # the worker's event loop, and on a loaded machine it can hold the heartbeat for the
    # kill tests' 3 s; the others would then poll its feeds a second time.
    workers = [Worker.start(tmp_path, pg_url, sources, output, f"w{i}", stalled_after=120.0)
               for i in range(3)]
    try:
        # The workers dispatch every second too: whichever comes first queues a feed.
        dispatch(pg_url, sources, tmp_path)
        wait_until(lambda: all_polled(pg_url, 40), 240, "all feeds polled", workers)
    finally:
        codes = [w.stop() for w in workers]
        site.close()
    assert codes == [0, 0, 0]
    records = _check_once_each(site, output, pg_url)
    # Exactly one poll per due feed, however many workers and dispatches (the workers
    # dispatch every second too).
    feed_requests = Counter(f"{base}{r.path}" for base, r in site.requests()
                            if r.path.startswith("/feed/"))
    assert feed_requests == Counter(site.feed_urls)
    assert site.smallest_gap() >= DELAY
    # Each worker wrote its own segments (how many wrote depends on who started first).
    segments = committed_segments(pg_url)
    assert {s.path.rsplit("/", 1)[1] for s in segments} <= {"w0.jsonl", "w1.jsonl", "w2.jsonl"}
    assert all(s.path.endswith(f"/{s.worker}.jsonl") for s in segments)
    assert len(records) == 80


@pytest.mark.timeout(300)
def test_a_worker_killed_mid_run_loses_nothing_and_its_jobs_finish_elsewhere(
        pg_url: str, tmp_path: Path, site: Site) -> None:
    sources = _sources(tmp_path, site)
    output = tmp_path / "out"
    workers = [Worker.start(tmp_path, pg_url, sources, output, f"w{i}") for i in range(3)]
    try:
        wait_until(lambda: workers_up(pg_url, 3), 180, "workers up", workers)
        dispatch(pg_url, sources, tmp_path)
        first: list[str] = []

        def one_committed() -> bool:
            with psycopg.connect(pg_url) as conn:
                row = conn.execute("SELECT worker FROM written LIMIT 1").fetchone()
            first.extend([row[0]] if row else [])
            return bool(first)

        wait_until(one_committed, 180, "a worker committed a batch", workers)
        victim = next(w for w in workers if w.name == first[0])
        victim.kill()
        wait_until(lambda: all_polled(pg_url, 12), 180, "all feeds polled", workers)
    finally:
        for worker in workers:
            if worker.proc.poll() is None:
                worker.stop()
    _check_once_each(site, output, pg_url)
    assert site.smallest_gap() >= DELAY


@pytest.mark.timeout(300)
def test_a_worker_killed_between_fsync_and_commit_leaves_a_tail_that_is_ignored_then_cut(
        pg_url: str, tmp_path: Path, site: Site) -> None:
    sources = _sources(tmp_path, site)
    output = tmp_path / "out"
    crashing = Worker.start(tmp_path, pg_url, sources, output, "w0", script=CRASH_AFTER_FSYNC)
    workers = [crashing]
    try:
        dispatch(pg_url, sources, tmp_path)
        wait_until(lambda: crashing.proc.poll() is not None, 180, "w0 killed itself", workers)
        assert crashing.proc.returncode == -9
        workers.append(Worker.start(tmp_path, pg_url, sources, output, "w1"))
        wait_until(lambda: all_polled(pg_url, 12), 180, "all feeds polled", workers)
        # The crashed batch's lines are in w0's files, past their committed length.
        on_disk = sum(len(p.read_bytes().splitlines()) for p in output.glob("*/*/w0.jsonl"))
        with psycopg.connect(pg_url) as conn:
            committed = conn.execute(
                "SELECT count(*) FROM written WHERE worker = 'w0'").fetchone()
        assert committed is not None and on_disk > committed[0]
        _check_once_each(site, output, pg_url)
        # w0 back under its name: its tail is cut before it writes anything.
        workers.append(Worker.start(tmp_path, pg_url, sources, output, "w0"))
        wait_until(lambda: "uncommitted bytes" in workers[-1].stderr(), 120, "tail cut",
                   workers)
        on_disk = sum(len(p.read_bytes().splitlines()) for p in output.glob("*/*/w0.jsonl"))
        assert on_disk == committed[0]
    finally:
        for worker in workers:
            if worker.proc.poll() is None:
                worker.stop()
    _check_once_each(site, output, pg_url)
