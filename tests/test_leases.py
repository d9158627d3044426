"""Per-host politeness across processes (scraper.fetch.leases): two limiters on one database
stand for two workers. The waits are the database's, so these compare the order and spacing
of events on one monotonic clock rather than injecting one."""

from __future__ import annotations

import asyncio
import itertools
import time

import psycopg

from scraper.errors import RobotsDisallowed
from scraper.fetch import Fetcher, FetchSettings
from scraper.fetch.leases import ClusterLimiter
from tests.httpserver import LoopbackServer, Reply


def _settings(delay: float, concurrency: int = 1) -> FetchSettings:
    return FetchSettings(per_host_delay=delay, per_host_concurrency=concurrency)


async def _request(limiter: ClusterLimiter, host: str, log: list[tuple[float, float]],
                   busy: float = 0.0) -> None:
    async with limiter.slot(host) as started:
        entered = time.monotonic()
        await asyncio.sleep(busy)  # the server thinking before it answers
        log.append((entered, time.monotonic()))  # taken before the lease is given back
        await started()


def test_two_workers_space_their_requests_to_a_host_by_the_delay(pg_url: str) -> None:
    async def run() -> list[tuple[float, float]]:
        settings = _settings(0.05, concurrency=2)
        log: list[tuple[float, float]] = []
        async with await ClusterLimiter.connect(pg_url, settings, "w1") as one, \
                await ClusterLimiter.connect(pg_url, settings, "w2") as two:
            await asyncio.gather(*(_request(limiter, "a.example", log, busy=0.01)
                                   for limiter in (one, two) for _ in range(4)))
        return log

    log = sorted(asyncio.run(run()))
    assert len(log) == 8
    for (_, answered), (entered, _) in itertools.pairwise(log):
        assert entered - answered >= 0.05


def test_hosts_do_not_wait_for_each_other(pg_url: str) -> None:
    async def run() -> list[str]:
        order: list[str] = []
        async with await ClusterLimiter.connect(pg_url, _settings(30.0), "w1") as one:
            for host in ("a.example", "b.example", "c.example"):
                async with one.slot(host) as started:
                    await started()
                    order.append(host)
        return order

    assert asyncio.run(asyncio.wait_for(run(), 20)) == ["a.example", "b.example", "c.example"]


def test_a_dead_workers_leases_free_the_host_when_they_expire(pg_url: str) -> None:
    async def run() -> tuple[str, str]:
        dying = await ClusterLimiter.connect(pg_url, _settings(0.0), "dead", lease_time=0.5)
        held = dying.slot("a.example")
        await held.__aenter__()  # in the middle of a request...
        await dying.aclose()  # ...when the process dies: nothing is given back
        async with await psycopg.AsyncConnection.connect(pg_url) as conn, \
                await ClusterLimiter.connect(pg_url, _settings(0.0), "alive",
                                             lease_time=0.5) as alive:
            cursor = await conn.execute("SELECT holder FROM host_slots")
            before = await cursor.fetchone()
            async with alive.slot("a.example"):
                cursor = await conn.execute("SELECT holder FROM host_slots")
                after = await cursor.fetchone()
        assert before is not None and after is not None
        return before[0], after[0]

    assert asyncio.run(asyncio.wait_for(run(), 20)) == ("dead", "alive")


def test_a_crawl_delay_one_worker_read_holds_for_the_others(pg_url: str) -> None:
    async def run() -> float:
        log: list[tuple[float, float]] = []
        async with await ClusterLimiter.connect(pg_url, _settings(0.0), "w1") as one, \
                await ClusterLimiter.connect(pg_url, _settings(0.0), "w2") as two:
            one.set_crawl_delay("a.example", 0.3)  # only w1 has read the robots.txt
            await _request(one, "a.example", log)
            await _request(two, "a.example", log)
        return log[1][0] - log[0][1]

    assert asyncio.run(asyncio.wait_for(run(), 20)) >= 0.3


def test_robots_txt_read_by_one_worker_serves_the_others(pg_url: str,
                                                          server: LoopbackServer) -> None:
    server.route("/robots.txt", Reply(200, b"User-agent: *\nDisallow: /private/\n",
                                      content_type="text/plain"))
    server.route("/a", Reply(200, b"<html><body><p>A page.</p></body></html>"))
    settings = FetchSettings(per_host_delay=0.0, allow_private_networks=True, max_attempts=1)

    async def run() -> list[str]:
        outcomes = []
        for name in ("w1", "w2"):
            async with await ClusterLimiter.connect(pg_url, settings, name) as limiter, \
                    Fetcher(settings, limiter=limiter, shared_robots=limiter) as fetcher:
                outcomes.append(str((await fetcher.fetch(server.url("/a"))).status))
                try:
                    await fetcher.fetch(server.url("/private/b"))
                except RobotsDisallowed:
                    outcomes.append("disallowed")
        return outcomes

    assert asyncio.run(asyncio.wait_for(run(), 30)) == ["200", "disallowed"] * 2
    assert len(server.requests_for("/robots.txt")) == 1  # w2 used what w1 read
    assert server.requests_for("/private/b") == []
