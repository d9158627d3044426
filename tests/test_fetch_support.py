"""Helpers shared by the fetcher tests (tests/test_fetch*.py); no tests here."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from typing import Any, TypeVar

from scraper.fetch import Fetcher, FetchResult, FetchSettings
from tests.httpserver import LoopbackServer, Reply, Request

T = TypeVar("T")

NOW = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
HTML = b"<!DOCTYPE html><html><head><title>Story</title></head><body><p>Text.</p></body></html>"
UA = "scraper/0.1 (news-feed scraper; +https://github.com/news-scraper/scraper)"

# Most tests want no politeness delay and exact backoffs; the ones about those set them.
QUICK = FetchSettings(per_host_delay=0.0, backoff_jitter=0.0)


class FakeTime:
    """An injected clock: ``sleep`` records the wait and moves the clock, instantly."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def make_fetcher(settings: FetchSettings = QUICK, time_: FakeTime | None = None,
                 **kwargs: Any) -> Fetcher:
    time_ = time_ or FakeTime()
    return Fetcher(settings, clock=time_.clock, sleep=time_.sleep, now=lambda: NOW, **kwargs)


def run(coro: Awaitable[T]) -> T:
    async def main() -> T:
        return await coro
    return asyncio.run(main())


def fetch_once(url: str, settings: FetchSettings = QUICK, time_: FakeTime | None = None,
               *, fetcher_kwargs: dict[str, Any] | None = None, **kwargs: Any) -> FetchResult:
    """One fetch with a fresh fetcher (fake time, fixed ``now``)."""
    async def go() -> FetchResult:
        async with make_fetcher(settings, time_, **(fetcher_kwargs or {})) as fetcher:
            return await fetcher.fetch(url, **kwargs)
    return asyncio.run(go())


def paths(server: LoopbackServer) -> list[str]:
    return [r.path for r in server.requests]


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def counting_body(total: int, chunk: int = 64 * 1024) -> tuple[Iterator[bytes], list[int]]:
    """A lazily generated body of ``total`` bytes and a one-item list counting what was
    actually produced (the server only pulls chunks as it writes them)."""
    produced = [0]

    def gen() -> Iterator[bytes]:
        first = b"<html><body>"
        produced[0] += len(first)
        yield first
        while produced[0] < total:
            produced[0] += chunk
            yield b"x" * chunk
    return gen(), produced


class InFlight:
    """A handler that holds each request a little while and records how many overlap."""

    def __init__(self, hold: float = 0.1, body: bytes = HTML) -> None:
        self.hold = hold
        self.body = body
        self.current = 0
        self.peak = 0
        self._lock = threading.Lock()

    def __call__(self, request: Request) -> Reply:
        with self._lock:
            self.current += 1
            self.peak = max(self.peak, self.current)
        time.sleep(self.hold)  # the server's thread, not the code under test
        with self._lock:
            self.current -= 1
        return Reply(body=self.body)


def recording(time_: FakeTime, log: list[tuple[str, float]],
              reply: Reply) -> Callable[[Request], Reply]:
    """A handler that notes the fake time at which each request arrived."""
    def handle(request: Request) -> Reply:
        log.append((request.path, time_.now))
        return reply
    return handle
