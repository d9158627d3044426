"""robots.txt rules (parsed by Protego) and their cache, one entry per scheme+host+port.

What a robots.txt answer means follows RFC 9309: a 2xx body gives the rules, a 4xx means
there are none, a 5xx or an unreachable server means nothing may be fetched for now::

    rules = await cache.rules("https://example.com", load)
    refusal = rules.refusal_for(url, "scraper/0.1")
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from protego import Protego

from scraper.errors import FetchError, RobotsDisallowed

__all__ = ["ALLOW_ALL", "Refusal", "RobotsCache", "RobotsRules", "SharedRobots", "parse_robots"]

_MAX_ENTRIES = 10_000


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a URL may not be fetched, as the error to raise."""

    error: type[FetchError]
    reason: str


@dataclass(frozen=True, slots=True)
class RobotsRules:
    """The rules of one site: a parser, or a blanket refusal, or (neither) allow all."""

    parser: Protego | None = None
    refusal: Refusal | None = None
    body: bytes | None = None  # what the parser read, to share the rules with other workers

    def refusal_for(self, url: str, agent: str) -> Refusal | None:
        """None if ``agent`` may fetch ``url``, else the reason it may not."""
        if self.refusal is not None:
            return self.refusal
        if self.parser is not None and not self.parser.can_fetch(url, agent):
            return Refusal(RobotsDisallowed,
                           f"robots.txt disallows this URL for user agent {agent!r}")
        return None

    def crawl_delay(self, agent: str) -> float | None:
        """The Crawl-delay that applies to ``agent``, if any."""
        return self.parser.crawl_delay(agent) if self.parser is not None else None


ALLOW_ALL = RobotsRules()


def parse_robots(body: bytes) -> RobotsRules:
    """Rules from a robots.txt body (RFC 9309 says UTF-8; bad bytes are replaced)."""
    return RobotsRules(parser=Protego.parse(body.decode("utf-8", "replace")), body=body)


class SharedRobots(Protocol):
    """robots.txt answers shared by the workers of a cluster (``scraper.fetch.leases``):
    a body (None: no rules, allow all) still fresh, fetched by any worker."""

    async def get(self, site: str) -> bytes | Literal[False] | None:
        """The shared body of ``site``'s robots.txt; False when none is fresh."""
        ...

    async def put(self, site: str, body: bytes | None, ttl: float) -> None:
        """Share a body read now (None for a robots.txt that gives no rules)."""
        ...


@dataclass(frozen=True, slots=True)
class _Entry:
    rules: RobotsRules
    expires: float


class RobotsCache:
    """Keeps each site's rules for ``ttl`` seconds (``error_ttl`` for a refusal, so a
    site whose robots.txt failed is asked again sooner). One load per site at a time."""

    def __init__(self, *, ttl: float, error_ttl: float, clock: Callable[[], float]) -> None:
        self._ttl = ttl
        self._error_ttl = min(error_ttl, ttl)
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def rules(self, site: str, load: Callable[[], Awaitable[RobotsRules]]) -> RobotsRules:
        """The cached rules of ``site``, calling ``load`` when they are missing or stale."""
        cached = self._fresh(site)
        if cached is not None:
            return cached
        lock = self._locks.setdefault(site, asyncio.Lock())
        async with lock:
            cached = self._fresh(site)
            if cached is not None:
                return cached
            rules = await load()
            if len(self._entries) >= _MAX_ENTRIES:
                self._forget_stale()
            ttl = self._error_ttl if rules.refusal is not None else self._ttl
            self._entries[site] = _Entry(rules, self._clock() + ttl)
            return rules

    def _fresh(self, site: str) -> RobotsRules | None:
        entry = self._entries.get(site)
        if entry is None or entry.expires <= self._clock():
            return None
        return entry.rules

    def _forget_stale(self) -> None:
        now = self._clock()
        for site, entry in list(self._entries.items()):
            if entry.expires <= now:
                del self._entries[site]
                lock = self._locks.get(site)
                if lock is not None and not lock.locked():
                    del self._locks[site]
