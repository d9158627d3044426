"""A loopback news site spread over several hosts (127.0.0.1, 127.0.0.2, ...), and worker
processes of the distributed mode against it: shared by tests/test_distributed.py and
benchmarks/distributed_bench.py.

Every story is listed in two feeds (usually of two hosts), so workers polling different
feeds reach the same story at the same time."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from scraper.models import article_id
from tests.httpserver import LoopbackServer, Reply, Request
from tests.test_poll import RSS_TYPE, Item, page, rss


@dataclass
class Site:
    """``hosts`` servers, ``feeds`` feeds spread over them, ``stories`` stories in two feeds."""

    hosts: list[LoopbackServer]
    feed_urls: list[str]
    story_urls: list[str]

    @classmethod
    def build(cls, hosts: int, feeds: int, stories: int) -> Site:
        servers = [LoopbackServer(f"127.0.0.{i + 1}") for i in range(hosts)]
        story_urls = []
        for j in range(stories):
            server = servers[j % hosts]
            path = f"/story/{j}"
            server.route(path, Reply(200, page(f"Story number {j}", f"The text of story {j}.")))
            story_urls.append(server.url(path))
        listed: list[list[int]] = [[] for _ in range(feeds)]
        for j in range(stories):
            first = j % feeds
            second = (j * 7 + 3) % feeds
            listed[first].append(j)
            if second != first:
                listed[second].append(j)
        feed_urls = []
        for f in range(feeds):
            server = servers[f % hosts]
            path = f"/feed/{f}.xml"
            items = [Item(f"story-{j}", story_urls[j], f"Story number {j}") for j in listed[f]]
            server.route(path, Reply(200, rss(items), content_type=RSS_TYPE))
            feed_urls.append(server.url(path))
        return cls(servers, feed_urls, story_urls)

    def sources_yaml(self, delay: float, concurrency: int = 2) -> str:
        """One source per host, polled once (interval 1h)."""
        lines = [
            "settings:",
            f"  per_host_delay: {delay:g}s",
            f"  per_host_concurrency: {concurrency}",
            "  respect_robots: false",
            "  max_attempts: 2",
            "  deadline: 10s",
            "  extract_workers: 1",
            "defaults:",
            "  allow_private_networks: true",
            "  interval: 1h",
            "sources:",
        ]
        for h, server in enumerate(self.hosts):
            feeds = [u for u in self.feed_urls if u.startswith(server.base + "/")]
            lines.append(f"  - name: host{h}")
            lines.append(f"    feeds: [{', '.join(feeds)}]")
        return "\n".join(lines) + "\n"

    def story_ids(self) -> set[str]:
        return {article_id(u) for u in self.story_urls}

    def requests(self) -> list[tuple[str, Request]]:
        """Every request any host saw, with the host's base URL."""
        return [(s.base, r) for s in self.hosts for r in list(s.requests)]

    def smallest_gap(self) -> float:
        """The smallest time between two requests to one host (inf with fewer than two)."""
        smallest = float("inf")
        for server in self.hosts:
            times = sorted(r.received for r in list(server.requests))
            for earlier, later in itertools.pairwise(times):
                smallest = min(smallest, later - earlier)
        return smallest

    def close(self) -> None:
        for server in self.hosts:
            server.close()


# Kills the worker with SIGKILL right after its second batch is fsynced, before the commit.
CRASH_AFTER_FSYNC = """
import os, signal
from scraper import pgstore
real = pgstore._Segments.write
calls = []
def write(self, records):
    sizes = real(self, records)
    if records:
        calls.append(1)
        if len(calls) >= 2:
            os.kill(os.getpid(), signal.SIGKILL)
    return sizes
pgstore._Segments.write = write
from scraper.cli import main
main()
"""

PLAIN = "from scraper.cli import main; main()"


@dataclass
class Worker:
    """A ``scraper worker`` subprocess with its stderr in a file."""

    name: str
    proc: subprocess.Popen[bytes]
    log: Path
    started: float = field(default_factory=time.monotonic)

    @classmethod
    def start(cls, folder: Path, db: str, sources: Path, output: Path, name: str, *,
              script: str = PLAIN, concurrency: int = 4, stalled_after: float = 3.0,
              env: dict[str, str] | None = None) -> Worker:
        log = folder / f"worker-{name}-{time.monotonic_ns()}.log"
        with log.open("wb") as err:
            proc = subprocess.Popen(
                [sys.executable, "-c", script, "worker", "--db", db, "--sources", str(sources),
                 "--output", str(output), "--worker-name", name, "--concurrency",
                 str(concurrency), "--dispatch-every", "1", "--stalled-after",
                 str(stalled_after)],
                stdout=subprocess.DEVNULL, stderr=err, cwd=folder,
                env={**os.environ, **(env or {})},
            )
        return cls(name, proc, log)

    def stderr(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.kill()
            raise


def wait_until(condition: Callable[[], bool], timeout: float, what: str,
               workers: Sequence[Worker] = ()) -> None:
    """Check ``condition`` every 0.1 s until it holds; fail (with the workers' logs) when it
    has not after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline or (workers and all(
                w.proc.poll() is not None for w in workers)):
            logs = "\n".join(f"--- {w.name}\n{w.stderr()[-3000:]}" for w in workers)
            raise AssertionError(f"{what}: not done after {timeout:g} s, or no worker left"
                                 f"\n{logs}")
        time.sleep(0.1)


def all_polled(db: str, feeds: int) -> bool:
    """True when every feed was polled and no poll job waits or runs."""
    try:
        with psycopg.connect(db) as conn:
            polled = conn.execute(
                "SELECT count(*) FROM feeds WHERE last_poll IS NOT NULL").fetchone()
            open_jobs = conn.execute(
                "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'scraper.poll_feed' "
                "AND status IN ('todo', 'doing')").fetchone()
    except psycopg.errors.UndefinedTable:
        return False
    return bool(polled and open_jobs and polled[0] == feeds and open_jobs[0] == 0)


def workers_up(db: str, count: int) -> bool:
    """True when ``count`` workers have registered with the job queue."""
    try:
        with psycopg.connect(db) as conn:
            row = conn.execute("SELECT count(*) FROM procrastinate_workers").fetchone()
    except psycopg.errors.UndefinedTable:
        return False
    return bool(row and row[0] >= count)


def dispatch(db: str, sources: Path, folder: Path) -> str:
    """Run ``scraper dispatch`` once; its stdout."""
    done = subprocess.run([sys.executable, "-c", PLAIN, "dispatch", "--db", db, "--sources",
                           str(sources)], capture_output=True, text=True, cwd=folder,
                          check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout
