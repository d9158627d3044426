"""Polite, bounded, safe HTTP fetching (httpx + tenacity).

Interface contract (implemented by the fetch work; used by the CLI and the daemon)::

    async with Fetcher(FetchSettings(...)) as fetcher:
        result = await fetcher.fetch(url, kind="page", trusted=True)
        result.text()   # decoded with BOM > Content-Type charset > <meta> > detection

Errors are the FetchError subclasses of :mod:`scraper.errors`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Literal

from scraper.encoding import decode_html

__all__ = ["FetchResult", "FetchSettings", "Fetcher"]

DEFAULT_USER_AGENT = "scraper/0.1 (news-feed scraper; +https://github.com/news-scraper/scraper)"


@dataclass(frozen=True, slots=True)
class FetchSettings:
    """Every knob of the fetcher; the defaults are what a polite crawler uses."""

    user_agent: str = DEFAULT_USER_AGENT
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    deadline: float = 60.0  # total seconds for one attempt, headers and body included
    max_bytes: int = 10_000_000  # counted on decoded bytes
    max_redirects: int = 10
    max_attempts: int = 3
    backoff_base: float = 1.0
    max_retry_after: float = 120.0
    respect_robots: bool = True
    robots_ttl: float = 86_400.0
    max_connections: int = 16  # all hosts together
    per_host_concurrency: int = 2
    per_host_delay: float = 1.0  # minimum seconds between request starts to one host
    allow_private_networks: bool = False


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A response that passed every check (status 2xx, or 304 for conditional requests)."""

    requested_url: str
    url: str  # after redirects
    status: int
    headers: Mapping[str, str]  # lower-cased names
    content: bytes
    fetched_at: datetime  # UTC

    def text(self) -> str:
        """The body decoded as a browser would."""
        return decode_html(self.content, self.headers.get("content-type"))


class Fetcher:
    """Shared by all jobs of a process: its per-host limits and robots cache are global."""

    def __init__(
        self,
        settings: FetchSettings | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.settings = settings or FetchSettings()
        self._clock = clock
        self._sleep = sleep
        self._now = now

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pools."""

    async def fetch(
        self,
        url: str,
        *,
        kind: Literal["page", "feed"] = "page",
        trusted: bool = False,
        headers: Mapping[str, str] | None = None,
        user_agent: str | None = None,
        allow_private_networks: bool | None = None,
    ) -> FetchResult:
        """Fetch ``url``; raise a :class:`~scraper.errors.FetchError` subclass on failure.

        ``kind`` picks the accepted content types (HTML for pages, XML/RSS/Atom for feeds).
        ``trusted`` (a URL a person typed) skips the private-address guard for that URL's
        own host. ``headers`` are extra request headers (``If-None-Match`` ...); a 304
        answer is returned as a result with empty content.
        """
        raise NotImplementedError
