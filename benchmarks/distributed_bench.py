"""The distributed mode against a loopback site of several hosts (issue 11).

1. Guarantees at full size: 3 worker processes, 500 feeds over 10 hosts (127.0.0.1-10), every
   story in two feeds; run plain, with one worker SIGKILLed mid-run, and with one killed between
   its fsync and its commit. Each run checks: every story written exactly once within the
   committed lengths (no id lost, no (id, revision) twice), and the smallest gap between two
   requests to one host at least the configured delay (plain run: one request per feed).
2. Throughput with 1, 2 and 3 workers on the same site: articles/s from dispatch to the last
   commit (worker start-up excluded), and the CPU per article of the workers and their
   extraction pools (PostgreSQL's own CPU is not included).
3. Dispatch cost for 20,000 feeds: one ``dispatch`` that enqueues them all, and one that finds
   them all queued already.

    python benchmarks/distributed_bench.py                  # everything, defaults as above
    python benchmarks/distributed_bench.py --skip-faults --workers 1 2 3

On a 2-core machine shared with other work, expect no linear scaling: the figures are printed
(with the CPU per article) so that they can be read on bigger machines. Uses
``$SCRAPER_TEST_PG_URL`` or starts a throwaway PostgreSQL (tests/pgserver.py).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

# The repository root, so that ``scraper`` and ``tests`` import when run as a script.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg

from scraper.config import load_config
from scraper.pgstore import iter_committed
from scraper.worker import build_app, dispatch, prepare_database
from tests import pgserver
from tests.distsite import (
    CRASH_AFTER_FSYNC,
    PLAIN,
    Site,
    Worker,
    all_polled,
    wait_until,
    workers_up,
)


@dataclass
class Run:
    name: str
    records: int
    seconds: float
    cpu: float
    problems: list[str]
    smallest_gap: float


def _new_database(server_url: str) -> str:
    name = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" STRATEGY FILE_COPY')
    return urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))


def _committed_by(db: str, worker: str) -> bool:
    try:
        with psycopg.connect(db) as conn:
            row = conn.execute("SELECT count(*) FROM written WHERE worker = %s",
                               (worker,)).fetchone()
    except psycopg.errors.UndefinedTable:
        return False
    return bool(row and row[0])


def run_once(server_url: str, folder: Path, args: argparse.Namespace, workers: int,
             fault: str | None = None) -> Run:
    """One run on a fresh site and database; ``fault`` is None, "kill" or "fsync"."""
    site = Site.build(args.hosts, args.feeds, args.stories)
    db = _new_database(server_url)
    folder.mkdir(parents=True)
    sources = folder / "sources.yaml"
    sources.write_text(site.sources_yaml(args.delay, concurrency=2))
    output = folder / "out"
    config = load_config(sources)
    asyncio.run(prepare_database(db))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    procs = [Worker.start(folder, db, sources, output, f"w{i}", concurrency=args.concurrency,
                          script=CRASH_AFTER_FSYNC if fault == "fsync" and i == 0 else PLAIN)
             for i in range(workers)]
    try:
        wait_until(lambda: workers_up(db, workers), 300, "workers up", procs)
        started = time.monotonic()

        async def enqueue() -> None:
            app = build_app(db)
            async with app.open_async():
                await dispatch(app, db, config, datetime.now(UTC))

        asyncio.run(enqueue())
        if fault == "kill":
            wait_until(lambda: _committed_by(db, "w0"), 300, "w0 committed", procs)
            procs[0].kill()
        wait_until(lambda: all_polled(db, args.feeds), 1800, "all feeds polled", procs)
        seconds = time.monotonic() - started
    finally:
        for proc in procs:
            if proc.proc.poll() is None:
                proc.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    records = list(iter_committed(output, db))
    problems = []
    keys = Counter((r["id"], r["revision"]) for r in records)
    repeated = [k for k, n in keys.items() if n > 1]
    if repeated:
        problems.append(f"{len(repeated)} (id, revision) written twice")
    missing = site.story_ids() - {r["id"] for r in records}
    if missing:
        problems.append(f"{len(missing)} stories lost")
    gap = site.smallest_gap()
    if gap < args.delay:
        problems.append(f"smallest gap to one host {gap:.4f} s < delay {args.delay} s")
    if fault is None:
        polls = Counter(f"{base}{r.path}" for base, r in site.requests()
                        if r.path.startswith("/feed/"))
        if polls != Counter(site.feed_urls):
            problems.append("a feed was not polled exactly once")
    site.close()
    name = f"{workers} workers" + (f", {fault}" if fault else "")
    return Run(name, len(records), seconds, cpu, problems, gap)


def dispatch_cost(server_url: str, folder: Path, feeds: int) -> tuple[float, float, float]:
    """(seconds to load the sources file, to enqueue all, to find all queued)."""
    db = _new_database(server_url)
    folder.mkdir(parents=True)
    sources = folder / "sources.yaml"
    per_source = 100
    lines = ["defaults:", "  allow_private_networks: true", "sources:"]
    for s in range(feeds // per_source):
        urls = ", ".join(f"http://127.0.0.1:9/{s}/{f}.xml" for f in range(per_source))
        lines.append(f"  - name: s{s}\n    feeds: [{urls}]")
    sources.write_text("\n".join(lines) + "\n")
    asyncio.run(prepare_database(db))
    started = time.perf_counter()
    config = load_config(sources)
    loaded = time.perf_counter() - started

    async def twice() -> tuple[float, float]:
        app = build_app(db)
        async with app.open_async():
            first = time.perf_counter()
            done = await dispatch(app, db, config, datetime.now(UTC))
            assert done.queued == feeds, done
            second = time.perf_counter()
            again = await dispatch(app, db, config, datetime.now(UTC))
            assert again.queued == 0 and again.busy == feeds, again
            return second - first, time.perf_counter() - second

    enqueue, requeue = asyncio.run(twice())
    return loaded, enqueue, requeue


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=10)
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--stories", type=int, default=1000)
    parser.add_argument("--delay", type=float, default=0.05, help="per_host_delay, seconds")
    parser.add_argument("--concurrency", type=int, default=8, help="feeds per worker at once")
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2, 3])
    parser.add_argument("--dispatch-feeds", type=int, default=20_000)
    parser.add_argument("--skip-faults", action="store_true")
    args = parser.parse_args()

    server = None
    server_url = os.environ.get("SCRAPER_TEST_PG_URL")
    if not server_url:
        server = pgserver.start(Path(tempfile.mkdtemp(prefix="scraper-bench-pg-")))
        server_url = server.url
    failed = False
    try:
        with tempfile.TemporaryDirectory(prefix="distributed-bench-") as tmp:
            root = Path(tmp)
            print(f"site: {args.feeds} feeds over {args.hosts} hosts, {args.stories} stories "
                  f"(each in two feeds), per_host_delay {args.delay} s")
            runs = []
            if not args.skip_faults:
                for fault in (None, "kill", "fsync"):
                    run = run_once(server_url, root / f"faults-{fault}", args, 3, fault)
                    runs.append(run)
                    verdict = "ok" if not run.problems else "FAILED: " + "; ".join(run.problems)
                    failed |= bool(run.problems)
                    print(f"guarantees, {run.name}: {run.records} records, smallest gap "
                          f"{run.smallest_gap:.3f} s: {verdict}")
            print(f"{'workers':>8} {'articles':>9} {'seconds':>8} {'articles/s':>11} "
                  f"{'CPU ms/article':>15}")
            base = None
            for count in args.workers:
                run = run_once(server_url, root / f"rate-{count}", args, count)
                failed |= bool(run.problems)
                rate = run.records / run.seconds
                base = base or rate
                print(f"{count:>8} {run.records:>9} {run.seconds:>8.1f} {rate:>11.1f} "
                      f"{1000 * run.cpu / max(1, run.records):>15.1f}   x{rate / base:.2f}"
                      + ("" if not run.problems else "  " + "; ".join(run.problems)))
            if args.dispatch_feeds:
                loaded, enqueue, requeue = dispatch_cost(server_url, root / "dispatch",
                                                         args.dispatch_feeds)
                print(f"dispatch of {args.dispatch_feeds} feeds: {enqueue:.2f} s to enqueue all "
                      f"({1000 * enqueue / args.dispatch_feeds:.3f} ms per feed), "
                      f"{requeue:.2f} s when all are queued already; loading the sources "
                      f"file {loaded:.2f} s")
    finally:
        if server is not None:
            server.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
