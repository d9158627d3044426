"""Per-host politeness shared by every caller of one Fetcher.

Each host gets at most ``concurrency`` requests in flight and at least ``delay`` seconds
(or its robots.txt Crawl-delay, if longer) between two request starts; all hosts together
get at most ``total`` requests in flight::

    async with limiter.slot("example.com"):
        ...  # one HTTP request
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Protocol

__all__ = ["HostLimiter", "Limiter", "Started"]

# Called by the holder of a slot once the server has answered (headers in): a limiter shared
# by many processes spaces the next request to the host from there (see scraper.fetch.leases).
Started = Callable[[], Awaitable[None]]


class Limiter(Protocol):
    """What the fetcher needs of per-host politeness: this module's :class:`HostLimiter`
    for one process, ``scraper.fetch.leases.ClusterLimiter`` for many."""

    def set_crawl_delay(self, host: str, seconds: float | None) -> None:
        """Apply a robots.txt Crawl-delay to ``host``."""

    def slot(self, host: str) -> AbstractAsyncContextManager[Started]:
        """Wait for a free slot on ``host`` and for its delay, then hold the slot."""
        ...


async def _nothing() -> None:
    return None

# Past this many hosts, idle ones are forgotten so a long-running daemon does not grow.
_MAX_IDLE_GATES = 4096


@dataclass(eq=False)
class _Gate:
    semaphore: asyncio.Semaphore
    last_start: float | None = None
    crawl_delay: float = 0.0
    users: int = 0


class HostLimiter:
    """Hands out request slots; the injected clock and sleep make it testable."""

    def __init__(self, *, concurrency: int, delay: float, total: int, max_crawl_delay: float,
                 clock: Callable[[], float], sleep: Callable[[float], Awaitable[None]]) -> None:
        self._concurrency = max(1, concurrency)
        self._delay = max(0.0, delay)
        self._max_crawl_delay = max_crawl_delay
        self._clock = clock
        self._sleep = sleep
        self._total = asyncio.Semaphore(max(1, total))
        self._gates: dict[str, _Gate] = {}

    def set_crawl_delay(self, host: str, seconds: float | None) -> None:
        """Apply a robots.txt Crawl-delay to ``host`` (capped; None removes it)."""
        self._gate(host).crawl_delay = min(max(seconds or 0.0, 0.0), self._max_crawl_delay)

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[Started]:
        """Wait for a free slot on ``host`` and for its delay, then hold the slot (the
        delay runs from the start of the last request: nothing to do once started)."""
        gate = self._gate(host)
        gate.users += 1
        try:
            async with gate.semaphore:
                now = self._clock()
                start = now if gate.last_start is None else max(
                    now, gate.last_start + max(self._delay, gate.crawl_delay))
                # Reserved before sleeping, so concurrent callers line up one delay apart.
                gate.last_start = start
                if start > now:
                    await self._sleep(start - now)
                async with self._total:
                    yield _nothing
        finally:
            gate.users -= 1

    def _gate(self, host: str) -> _Gate:
        gate = self._gates.get(host)
        if gate is None:
            if len(self._gates) >= _MAX_IDLE_GATES:
                self._forget_idle()
            gate = self._gates[host] = _Gate(asyncio.Semaphore(self._concurrency))
        return gate

    def _forget_idle(self) -> None:
        now = self._clock()
        for host, gate in list(self._gates.items()):
            last = gate.last_start
            if gate.users == 0 and (last is None or last + self._delay + gate.crawl_delay <= now):
                del self._gates[host]
