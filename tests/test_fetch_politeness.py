"""Per-host politeness shared by all callers of one Fetcher: a delay between request starts
to one host, a cap on requests in flight per host, and a global cap."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from scraper.errors import HTTPStatusError
from scraper.fetch import FetchSettings
from tests.httpserver import LoopbackServer, Reply
from tests.test_fetch_support import HTML, QUICK, FakeTime, InFlight, make_fetcher, recording, run

NO_ROBOTS = replace(QUICK, respect_robots=False)


def _fetch_all(settings: FetchSettings, urls: list[str], clock: FakeTime | None = None) -> None:
    async def go() -> None:
        async with make_fetcher(settings, clock) as fetcher:
            await asyncio.gather(*(fetcher.fetch(url, allow_private_networks=True)
                                   for url in urls))
    run(go())


def test_a_list_of_urls_on_one_host_is_not_a_burst(server: LoopbackServer) -> None:
    clock = FakeTime()
    seen: list[tuple[str, float]] = []
    server.route("/story", recording(clock, seen, Reply(body=HTML)))
    settings = replace(NO_ROBOTS, per_host_delay=2.0, per_host_concurrency=1)

    _fetch_all(settings, [server.url(f"/story?n={n}") for n in range(6)], clock)

    assert [when for _, when in seen] == [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
    assert sorted(path for path, _ in seen) == [f"/story?n={n}" for n in range(6)]
    assert clock.sleeps == [2.0] * 5


def test_the_delay_counts_from_the_previous_start(server: LoopbackServer) -> None:
    clock = FakeTime()
    seen: list[tuple[str, float]] = []
    server.route("/story", recording(clock, seen, Reply(body=HTML)))
    settings = replace(NO_ROBOTS, per_host_delay=2.0)

    async def go() -> None:
        async with make_fetcher(settings, clock) as fetcher:
            await fetcher.fetch(server.url("/story"), allow_private_networks=True)
            clock.now += 1.5  # the caller was busy elsewhere
            await fetcher.fetch(server.url("/story"), allow_private_networks=True)
            clock.now += 5.0
            await fetcher.fetch(server.url("/story"), allow_private_networks=True)
    run(go())

    assert [when for _, when in seen] == [0.0, 2.0, 7.0]
    assert clock.sleeps == [0.5]


def test_requests_in_flight_per_host_are_capped(server: LoopbackServer) -> None:
    handler = InFlight()
    server.route("/story", handler)

    _fetch_all(replace(NO_ROBOTS, per_host_concurrency=2),
               [server.url(f"/story?n={n}") for n in range(6)])

    assert len(server.requests) == 6
    assert handler.peak == 2


def test_hosts_do_not_wait_for_each_other(server: LoopbackServer) -> None:
    handler = InFlight()
    server.route("/story", handler)
    hosts = ["127.0.0.1", "localhost"]

    _fetch_all(replace(NO_ROBOTS, per_host_concurrency=1),
               [f"http://{host}:{server.port}/story?n={n}" for n in range(2) for host in hosts])

    assert len(server.requests) == 4
    assert handler.peak == 2


def test_all_hosts_together_are_capped(server: LoopbackServer) -> None:
    handler = InFlight()
    server.route("/story", handler)
    hosts = ["127.0.0.1", "localhost"]

    _fetch_all(replace(NO_ROBOTS, per_host_concurrency=2, max_connections=1),
               [f"http://{host}:{server.port}/story?n={n}" for n in range(2) for host in hosts])

    assert len(server.requests) == 4
    assert handler.peak == 1


def test_robots_txt_and_retries_take_their_turn_too(server: LoopbackServer) -> None:
    clock = FakeTime()
    seen: list[tuple[str, float]] = []
    server.route("/robots.txt", recording(clock, seen, Reply(404, content_type="text/plain")))
    server.route("/story", recording(clock, seen, Reply(503)))
    settings = replace(QUICK, per_host_delay=3.0, max_attempts=2)

    async def go() -> None:
        async with make_fetcher(settings, clock) as fetcher:
            with pytest.raises(HTTPStatusError):
                await fetcher.fetch(server.url("/story"), trusted=True)
    run(go())

    # robots.txt at 0; the page at 3; the retry's 1 s backoff ends at 4, the host delay at 6
    assert seen == [("/robots.txt", 0.0), ("/story", 3.0), ("/story", 6.0)]
    assert clock.sleeps == [3.0, 1.0, 2.0]
