"""Per-host politeness for a cluster of workers: lease rows in PostgreSQL.

A worker may send a request to a host only while it holds one of the host's
``per_host_concurrency`` slot leases and the host's launch lease; both are rows with an
expiry, so a worker that dies holding them frees the host once they expire (a request
cannot outlive its ``deadline``, the leases last a little longer). The launch lease is given
back once the server has answered (headers in), and the next request to the host may start
``per_host_delay`` seconds after that (or the host's robots.txt Crawl-delay, if longer, as
any worker learned it). So between two requests to one host, whichever workers send them,
the server sees at least the delay::

    limiter = await ClusterLimiter.connect(url, settings, holder="w1")
    async with Fetcher(settings, limiter=limiter) as fetcher: ...
    await limiter.aclose()

The database's clock is the one clock: waits are computed by the server, so workers on
machines whose clocks disagree still space their requests.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, Literal

import psycopg

from scraper.config import FetchSettings
from scraper.errors import StoreError
from scraper.fetch.politeness import Started

__all__ = ["ClusterLimiter"]

# Longest single wait between two tries for a lease: a lease given back early (the holder
# finished) is noticed within this.
_MAX_WAIT = 0.25
# Shortest: a busy host is not asked more often than this by one waiting request.
_MIN_WAIT = 0.005

_TABLES = """
CREATE TABLE IF NOT EXISTS host_slots (
    host TEXT NOT NULL,
    slot INTEGER NOT NULL,
    holder TEXT NOT NULL,
    expires TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (host, slot)
);
CREATE TABLE IF NOT EXISTS robots (
    site TEXT PRIMARY KEY,
    body BYTEA,
    expires TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS host_pace (
    host TEXT PRIMARY KEY,
    launching_until TIMESTAMPTZ NOT NULL DEFAULT '-infinity',
    next_start TIMESTAMPTZ NOT NULL DEFAULT '-infinity',
    crawl_delay DOUBLE PRECISION NOT NULL DEFAULT 0
);
"""

# One round trip per try: a free (or expired) slot of the host, taken; 0 rows when all are
# held. Two workers taking the same slot at once: one insert wins, the other's conflict
# update finds the lease alive and returns nothing.
_TAKE_SLOT = """
INSERT INTO host_slots (host, slot, holder, expires)
SELECT %(host)s, s, %(holder)s, clock_timestamp() + make_interval(secs => %(ttl)s)
FROM generate_series(0, %(slots)s - 1) AS s
WHERE NOT EXISTS (SELECT 1 FROM host_slots h WHERE h.host = %(host)s AND h.slot = s
                  AND h.expires > clock_timestamp())
ORDER BY s LIMIT 1
ON CONFLICT (host, slot) DO UPDATE SET holder = excluded.holder, expires = excluded.expires
WHERE host_slots.expires <= clock_timestamp()
RETURNING slot
"""

# The launch lease: taken when no launch is in flight and the host's next start has come;
# otherwise the seconds until that may be so.
_TAKE_LAUNCH = """
WITH taken AS (
    UPDATE host_pace SET launching_until = clock_timestamp() + make_interval(secs => %(ttl)s)
    WHERE host = %(host)s AND launching_until <= clock_timestamp()
      AND next_start <= clock_timestamp()
    RETURNING 0::float8 AS wait
)
SELECT wait FROM taken
UNION ALL
SELECT CASE WHEN launching_until > clock_timestamp() THEN -1
            ELSE GREATEST(0.001, EXTRACT(EPOCH FROM GREATEST(next_start, clock_timestamp())
                                                     - clock_timestamp())) END::float8
FROM host_pace WHERE host = %(host)s AND NOT EXISTS (SELECT 1 FROM taken)
"""

_LAUNCHED = """
UPDATE host_pace SET launching_until = '-infinity',
    crawl_delay = GREATEST(crawl_delay, %(crawl_delay)s),
    next_start = clock_timestamp()
        + make_interval(secs => GREATEST(%(delay)s, %(crawl_delay)s, crawl_delay))
WHERE host = %(host)s
"""


class ClusterLimiter:
    """Hands out request slots for the whole cluster (see the module's docstring), and
    shares robots.txt answers between the workers (a ``SharedRobots``)."""

    def __init__(self, url: str, conn: psycopg.AsyncConnection[Any], settings: FetchSettings,
                 holder: str, *, lease_time: float | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._url = url
        self._conn = conn
        self._holder = holder
        self._slots = max(1, settings.per_host_concurrency)
        self._delay = max(0.0, settings.per_host_delay)
        self._max_crawl_delay = settings.max_crawl_delay
        # A lease outlives the longest request, so only a dead holder's lease expires.
        self._ttl = settings.deadline + 10.0 if lease_time is None else lease_time
        self._sleep = sleep
        self._total = asyncio.Semaphore(max(1, settings.max_connections))
        self._crawl_delays: dict[str, float] = {}
        self._local: dict[str, tuple[asyncio.Semaphore, asyncio.Lock]] = {}
        self._known_hosts: set[str] = set()

    @classmethod
    async def connect(cls, url: str, settings: FetchSettings, holder: str,
                      lease_time: float | None = None) -> ClusterLimiter:
        """A limiter on its own connection to the state database at ``url``."""
        conn = None
        try:
            conn = await psycopg.AsyncConnection.connect(url, autocommit=True)
            async with conn.transaction():
                # The same lock as the state's schema: one worker creates the tables.
                await conn.execute("SELECT pg_advisory_xact_lock(1, 0)")
                await conn.execute(_TABLES)
        except psycopg.Error as exc:
            if conn is not None:
                await conn.close()
            raise StoreError(f"cannot use the state database for host leases: "
                             f"{exc}") from exc
        return cls(url, conn, settings, holder, lease_time=lease_time)

    async def aclose(self) -> None:
        """Close the connection (leases still held expire on their own)."""
        await self._conn.close()

    async def __aenter__(self) -> ClusterLimiter:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def set_crawl_delay(self, host: str, seconds: float | None) -> None:
        """Apply a robots.txt Crawl-delay to ``host`` (capped); shared with the cluster when
        this worker next gives back the host's launch lease."""
        self._crawl_delays[host] = min(max(seconds or 0.0, 0.0), self._max_crawl_delay)

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[Started]:
        """Wait for a slot lease and the launch lease of ``host``; hold the slot until the
        block ends, the launch until ``started`` is awaited (or the block ends).

        The requests of this process line up locally first (as many as the host has slots,
        one at a time for the launch), so that only those that could go next ask the
        database: a hundred pages of one host waiting in one worker cost one query per try,
        not a hundred."""
        local = self._local.get(host)
        if local is None:
            local = self._local[host] = (asyncio.Semaphore(self._slots), asyncio.Lock())
        slots, launch = local
        async with self._total, slots:
            slot = await self._take_slot(host)
            launching = False  # True while this holds the host's launch lease

            async def started() -> None:
                nonlocal launching
                if launching:
                    launching = False
                    launch.release()
                    await self._execute(_LAUNCHED, {
                        "host": host, "delay": self._delay,
                        "crawl_delay": self._crawl_delays.get(host, 0.0)})

            try:
                await launch.acquire()
                try:
                    await self._take_launch(host)
                except BaseException:
                    launch.release()
                    raise
                launching = True
                yield started
            finally:
                try:
                    await asyncio.shield(started())
                finally:
                    await asyncio.shield(self._execute(
                        "DELETE FROM host_slots WHERE host = %s AND slot = %s AND holder = %s",
                        (host, slot, self._holder)))

    async def get(self, site: str) -> bytes | Literal[False] | None:
        """robots.txt shared by the cluster (see ``scraper.fetch.robots.SharedRobots``)."""
        row = await self._fetchone("SELECT body FROM robots WHERE site = %s "
                                   "AND expires > clock_timestamp()", (site,))
        return False if row is None else (None if row[0] is None else bytes(row[0]))

    async def put(self, site: str, body: bytes | None, ttl: float) -> None:
        """Share a robots.txt body read now, for ``ttl`` seconds."""
        await self._execute(
            "INSERT INTO robots (site, body, expires) VALUES "
            "(%(site)s, %(body)s, clock_timestamp() + make_interval(secs => %(ttl)s)) "
            "ON CONFLICT (site) DO UPDATE SET body = excluded.body, expires = excluded.expires",
            {"site": site, "body": body, "ttl": ttl})

    async def _take_slot(self, host: str) -> int:
        params = {"host": host, "holder": self._holder, "ttl": self._ttl,
                  "slots": self._slots}
        while True:
            row = await self._fetchone(_TAKE_SLOT, params)
            if row is not None:
                return int(row[0])
            # Every slot is in a request; none can start before the delay has passed.
            await self._sleep(self._busy_wait())

    async def _take_launch(self, host: str) -> None:
        if host not in self._known_hosts:
            await self._execute("INSERT INTO host_pace (host) VALUES (%s) "
                                "ON CONFLICT (host) DO NOTHING", (host,))
            self._known_hosts.add(host)
        params = {"host": host, "ttl": self._ttl}
        while True:
            row = await self._fetchone(_TAKE_LAUNCH, params)
            wait = float(row[0]) if row is not None else _MIN_WAIT
            if wait == 0.0:
                return
            # -1: a request is being launched; the next start comes a delay after its answer.
            await self._sleep(self._busy_wait() if wait < 0 else min(_MAX_WAIT, wait))

    def _busy_wait(self) -> float:
        return min(_MAX_WAIT, max(_MIN_WAIT, self._delay))

    async def _live(self) -> psycopg.AsyncConnection[Any]:
        """The connection, opened again if the last one was lost (the leases it held expire
        on their own)."""
        if self._conn.broken:
            self._conn = await psycopg.AsyncConnection.connect(self._url, autocommit=True)
        return self._conn

    async def _execute(self, query: str, params: Any) -> None:
        try:
            await (await self._live()).execute(query, params)
        except psycopg.Error as exc:
            raise StoreError(f"host leases: {exc}") from exc

    async def _fetchone(self, query: str, params: Any) -> tuple[Any, ...] | None:
        try:
            cursor = await (await self._live()).execute(query, params)
            return await cursor.fetchone()
        except psycopg.Error as exc:
            raise StoreError(f"host leases: {exc}") from exc
