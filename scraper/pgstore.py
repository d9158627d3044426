"""The state store of the distributed mode: the same interface as :class:`scraper.store.Store`,
with the state in PostgreSQL (shared by every worker) and one output segment per worker.

Each worker appends its records to its own files, ``<output>/<source>/<YYYY-MM-DD>/<worker>.jsonl``
(no two processes ever write one file), and records the length of each file in the table
``segments`` in the transaction that records the batch's state. A batch is made durable in
this order: lines written, files fsynced, then the state and the lengths committed. So:

* what lies in a segment up to its committed length is committed; a reader reads each segment
  up to that length (:func:`committed_segments`, :func:`iter_committed`) and never sees a
  record the state does not hold;
* a worker killed between its fsync and its commit leaves a tail past the committed length,
  which readers ignore, and which the worker cuts when it starts again under the same name;
  the batch's work is done again (by whichever worker polls the feed next) and written as
  new lines, so nothing is lost.

Two workers that reach one story at once (it is listed in two feeds) write it once: a commit
takes a transaction-scoped advisory lock per article id it writes, a record's or a state's
(all of them first, in the order of their keys, so two commits cannot deadlock), before it
reads the revision the state holds, and a record whose id the state holds at that revision or
a later one is left out, as in the embedded store. Every worker of a fleet must lock an
article under the same key (:func:`article_lock_key`): a worker of a version that keyed it
otherwise (``hashtext``, before) would not wait for the others, nor they for it.

The poller hands the batches of several feeds to :meth:`PgStore.commit_many` at once (one
transaction), from a thread. Commits run on the connection that holds the worker's name,
reads on a second one: a read of the event loop never sees a commit half done, nor waits
for one.

A worker name is held with a session advisory lock for as long as the worker's connection
lives: two live processes can never share a name (and so a file), and a dead worker's name
is free at once for its restart::

    store = PgStore.open("postgresql://localhost/scraper", Path("output"), worker="w1")
    store.commit(Batch(records=(article,), feed=feed_state, ...))
    store.close()
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import socket
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg.rows import dict_row, tuple_row

from scraper.errors import StoreError
from scraper.models import KEPT_COUNTERS, Article, format_time
from scraper.store import (
    ArticleState,
    Batch,
    EntryLink,
    FeedState,
    FeedStatus,
    Snapshot,
    append_records,
    article_state_of,
    as_params,
    entry_link_of,
    feed_state_of,
    feed_statuses,
    fsync_dir,
    record_place,
)

__all__ = ["PG_SCHEMA_VERSION", "PgStore", "Segment", "article_lock_key", "committed_segments",
           "iter_committed", "migrate", "read_statuses"]

log = logging.getLogger(__name__)

PG_SCHEMA_VERSION = 1

# Namespaces of the two-key advisory locks (the second key is a hash of the name). 2 was the
# articles' before they took one-key locks (article_lock_key); PostgreSQL keeps the one-key
# (bigint) and two-key (int, int) locks apart, so these never meet an article's.
_LOCK_SCHEMA = 1
_LOCK_WORKER = 3


def article_lock_key(article_id: str) -> int:
    """The key of an article's advisory lock (``pg_advisory_xact_lock(bigint)``): the first
    8 bytes of the id's BLAKE2b digest as a signed 64-bit integer.

    Computed here, not by the database (``hashtext``), so that a commit sorts the very keys it
    locks: locks taken in ascending key order cannot cross between two commits, whatever the
    order of the ids. Stable across processes, machines and Python versions (unlike
    ``hash()``); two ids that share a key merely wait for each other::

        conn.execute("SELECT pg_advisory_xact_lock(%s)", (article_lock_key(article.id),))
    """
    digest = hashlib.blake2b(article_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS scraper_schema (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS feeds (
    source TEXT NOT NULL,
    feed_url TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    last_poll TEXT,
    last_status INTEGER,
    consecutive_errors INTEGER NOT NULL DEFAULT 0,
    next_poll TEXT,
    last_error TEXT,
    {", ".join(f"{name} INTEGER NOT NULL DEFAULT 0" for name in KEPT_COUNTERS)},
    PRIMARY KEY (source, feed_url)
);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    canonical_url TEXT,
    source TEXT,
    feed_url TEXT,
    content_hash TEXT,
    revision INTEGER NOT NULL,
    entry_updated TEXT,
    status TEXT NOT NULL,
    page_failures INTEGER NOT NULL DEFAULT 0,
    gave_up BOOLEAN NOT NULL DEFAULT FALSE,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS entries (
    feed_url TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    article_id TEXT NOT NULL,
    updated TEXT,
    fingerprint TEXT,
    PRIMARY KEY (feed_url, entry_id)
);
CREATE TABLE IF NOT EXISTS aliases (
    url TEXT PRIMARY KEY,
    article_id TEXT NOT NULL
);
-- One row per record written: (id, revision) is unique, the last guard against a repeat.
CREATE TABLE IF NOT EXISTS written (
    id TEXT NOT NULL,
    revision INTEGER NOT NULL,
    source TEXT,
    feed_url TEXT,
    day TEXT NOT NULL,
    written_at TEXT NOT NULL,
    worker TEXT NOT NULL,
    PRIMARY KEY (id, revision)
);
CREATE INDEX IF NOT EXISTS written_by_feed ON written (source, feed_url, day);
-- The committed length of every segment: what a reader may read of it.
CREATE TABLE IF NOT EXISTS segments (
    path TEXT PRIMARY KEY,
    worker TEXT NOT NULL,
    size BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS segments_by_worker ON segments (worker);
-- Added since version 1 was first created (each a no-op on a database that has it).
ALTER TABLE entries ADD COLUMN IF NOT EXISTS fingerprint TEXT;
{"".join(f"ALTER TABLE feeds ADD COLUMN IF NOT EXISTS {name} INTEGER NOT NULL DEFAULT 0;"
         for name in ("changes_capped", "deferred", "entries_cut"))}
"""


# Every table, index and column _SCHEMA makes: on a database that has them all, a start runs
# no DDL. ALTER TABLE (even ADD COLUMN IF NOT EXISTS) and CREATE INDEX lock their table
# first, so a worker or dispatch starting while others commit could deadlock with them (the
# ALTERs lock entries, then feeds; a commit writes feeds, then entries).
_RELATIONS = ("scraper_schema", "feeds", "articles", "entries", "aliases", "written",
              "written_by_feed", "segments", "segments_by_worker")
_COLUMNS = ("entries.fingerprint", *(f"feeds.{name}" for name in KEPT_COUNTERS))


def migrate(conn: psycopg.Connection[Any]) -> None:
    """Create the tables (once, whichever worker comes first) or check their version."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s, 0)", (_LOCK_SCHEMA,))
        with conn.cursor(row_factory=tuple_row) as cursor:
            current = cursor.execute(
                "SELECT (SELECT count(*) FROM unnest(%(relations)s::text[]) AS r "
                "        WHERE to_regclass(r) IS NOT NULL) = %(r)s "
                "   AND (SELECT count(*) FROM information_schema.columns "
                "        WHERE table_schema = current_schema() "
                "          AND table_name || '.' || column_name = ANY(%(columns)s)) = %(c)s",
                {"relations": list(_RELATIONS), "r": len(_RELATIONS),
                 "columns": list(_COLUMNS), "c": len(_COLUMNS)}).fetchone()
        if not (current and current[0]):
            conn.execute(_SCHEMA)
        with conn.cursor(row_factory=tuple_row) as cursor:
            row = cursor.execute("SELECT version FROM scraper_schema").fetchone()
        if row is None:
            conn.execute("INSERT INTO scraper_schema (version) VALUES (%s)",
                         (PG_SCHEMA_VERSION,))
        elif row[0] != PG_SCHEMA_VERSION:
            raise StoreError(f"the database's scraper schema is version {row[0]}, not "
                             f"{PG_SCHEMA_VERSION}; this program cannot use it")


_WORKER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def _check_worker_name(name: str) -> str:
    if not _WORKER_NAME.fullmatch(name):
        raise StoreError(f"worker name {name!r} cannot name a file: use letters, digits, "
                         "'.', '_' and '-' (at most 64)")
    return name


@dataclass(frozen=True, slots=True)
class Segment:
    """One worker's file of one source and day, and its committed length in bytes."""

    path: str  # relative to the output folder
    worker: str
    size: int


class _Segments:
    """Appends lines to one worker's segment files, keeping their descriptors open."""

    def __init__(self, output: Path, worker: str) -> None:
        self._output = output
        self._worker = worker
        self._fds: dict[Path, int] = {}

    def path_for(self, article: Article) -> Path:
        directory, day = record_place(article)
        return self._output / directory / day / f"{self._worker}.jsonl"

    def _fd(self, path: Path) -> int:
        fd = self._fds.get(path)
        if fd is None:
            fresh = [p for p in (path.parent.parent, path.parent) if not p.exists()]
            path.parent.mkdir(parents=True, exist_ok=True)
            for made in fresh:  # a new name must survive a crash, or its lines could vanish
                fsync_dir(made.parent)
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
            fsync_dir(path.parent)
            self._fds[path] = fd
        return fd

    def write(self, records: Sequence[Article]) -> dict[Path, int]:
        """Write and fsync every record (see :func:`scraper.store.append_records`)."""
        return append_records(records, self.path_for, self._fd, self._output)

    def close(self) -> None:
        for fd in self._fds.values():
            with contextlib.suppress(OSError):
                os.close(fd)
        self._fds.clear()


# The records of one batch of a commit: (to write, left out as written before).
_Split = tuple[tuple[Article, ...], tuple[Article, ...]]


def _connect(url: str) -> psycopg.Connection[dict[str, Any]]:
    try:
        return psycopg.connect(url, autocommit=True, row_factory=dict_row)
    except psycopg.Error as exc:
        raise StoreError(f"cannot connect to the state database {_safe_url(url)}: {exc}") from exc


def _safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", url)


class PgStore:
    """The state in PostgreSQL and the records in this worker's segments."""

    def __init__(self, url: str, output: Path, worker: str,
                 conn: psycopg.Connection[dict[str, Any]],
                 now: Callable[[], datetime] | None = None,
                 reader: psycopg.Connection[dict[str, Any]] | None = None) -> None:
        self.url = url
        self.output = output
        self.worker = worker
        # Commits run on ``_connection`` (which holds the worker's name), one at a time and
        # in a thread of their own when the poller groups them (see commit_many); reads on
        # ``_reading``. On one connection a read made during a commit would run inside its
        # transaction, seeing its rows before they are committed, and would wait on the
        # loop for the commit's statements (an article lock another worker holds, say).
        self._connection = conn
        self._reading = reader or conn
        self._commit_lock = threading.Lock()
        self._segments = _Segments(output, worker)
        self._now = now or (lambda: datetime.now(UTC))
        # Set when a commit failed after its lines may have reached the files: the next
        # commit first cuts them (else its committed length would take them in).
        self._unsettled = False

    @classmethod
    def open(cls, url: str, output: Path, *, worker: str | None = None,
             now: Callable[[], datetime] | None = None) -> PgStore:
        """Connect, create the tables if needed, hold the worker's name and cut the tails
        its previous run left past the committed lengths.

        Without ``worker`` the name is ``<host>-<n>`` with the smallest ``n`` no live worker
        holds, so that a restarted worker takes back (and repairs) a dead one's segments.
        """
        conn = _connect(url)
        reader = None
        try:
            migrate(conn)
            name = _claim_name(conn, worker)
            reader = _connect(url)
            store = cls(url, output, name, conn, now, reader)
            store.cut_tails()
        except BaseException as exc:
            for opened in (conn, reader):
                if opened is not None:
                    opened.close()
            if isinstance(exc, psycopg.Error):
                raise StoreError(
                    f"cannot open the state database {_safe_url(url)}: {exc}") from exc
            raise
        return store

    def close(self) -> None:
        """Close the files and the connections (which frees the worker's name), after the
        commit in progress, if any."""
        with self._commit_lock:
            self._segments.close()
            for conn in dict.fromkeys((self._reading, self._connection)):
                with contextlib.suppress(psycopg.Error):
                    conn.close()

    @property
    def _conn(self) -> psycopg.Connection[dict[str, Any]]:
        """The connection, opened again if the last one was lost (a database restart, a
        network cut): the worker's name is taken back, and the next commit first cuts
        what a commit cut off by the loss left in the files."""
        if self._connection.broken:
            conn = _connect(self.url)
            try:
                _claim_name(conn, self.worker)
            except BaseException:
                conn.close()
                raise
            log.warning("reconnected to the state database as worker %s", self.worker,
                        extra={"worker": self.worker})
            self._connection = conn
            self._unsettled = True
        return self._connection

    @property
    def _reader(self) -> psycopg.Connection[dict[str, Any]]:
        """The connection of the reads, opened again if the last one was lost."""
        if self._reading.broken:
            self._reading = _connect(self.url)
        return self._reading

    def __enter__(self) -> PgStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def cut_tails(self) -> list[tuple[Path, int]]:
        """Cut this worker's segments back to their committed lengths (a crash between the
        fsync and the commit leaves lines past them); return the files cut and the bytes
        removed. Files of this worker the state has no length for were never committed."""
        committed = {row["path"]: row["size"] for row in self._conn.execute(
            "SELECT path, size FROM segments WHERE worker = %s", (self.worker,))}
        found = {p.relative_to(self.output).as_posix()
                 for p in self.output.glob(f"*/*/{self.worker}.jsonl")}
        cut = []
        for name in sorted(found):
            path = self.output / name
            keep = committed.get(name, 0)
            size = path.stat().st_size
            if size > keep:
                with path.open("r+b") as handle:
                    handle.truncate(keep)
                    os.fsync(handle.fileno())
                log.warning("cut %d uncommitted bytes from %s (a crash before the commit)",
                            size - keep, path, extra={"file": str(path), "bytes": size - keep})
                cut.append((path, size - keep))
            elif size < keep:
                raise StoreError(f"{path} is shorter ({size} bytes) than its committed length "
                                 f"({keep}): records were lost outside this program; restore "
                                 "the file, or run this worker under another name")
        return cut

    # -- reading ------------------------------------------------------------------------

    def feed(self, source: str, feed_url: str) -> FeedState | None:
        """The state of one feed, None before its first poll."""
        row = self._reader.execute(
            "SELECT * FROM feeds WHERE source = %s AND feed_url = %s", (source, feed_url),
        ).fetchone()
        return feed_state_of(row) if row else None

    def article(self, article_id: str) -> ArticleState | None:
        """The state of one article by id."""
        row = self._reader.execute("SELECT * FROM articles WHERE id = %s",
                                   (article_id,)).fetchone()
        return article_state_of(row) if row else None

    def entry(self, feed_url: str, entry_id: str) -> EntryLink | None:
        """What a feed entry led to before, if it was seen."""
        row = self._reader.execute(
            "SELECT * FROM entries WHERE feed_url = %s AND entry_id = %s", (feed_url, entry_id),
        ).fetchone()
        return entry_link_of(row) if row else None

    def read_known(self, feed_url: str, entry_ids: Iterable[str], urls: Iterable[str],
                   ids: Iterable[str]) -> Snapshot:
        """One read for the decide step: as :meth:`scraper.store.Store.read_known`."""
        conn = self._reader
        entries = [entry_link_of(row) for row in conn.execute(
            "SELECT * FROM entries WHERE feed_url = %s AND entry_id = ANY(%s)",
            (feed_url, list(dict.fromkeys(entry_ids))))]
        aliases = [(row["url"], row["article_id"]) for row in conn.execute(
            "SELECT url, article_id FROM aliases WHERE url = ANY(%s)",
            (list(dict.fromkeys(urls)),))]
        wanted = {*ids, *(e.article_id for e in entries), *(a for _, a in aliases)}
        articles = [article_state_of(row) for row in conn.execute(
            "SELECT * FROM articles WHERE id = ANY(%s)", (list(wanted),))]
        return Snapshot(tuple(entries), tuple(articles), tuple(aliases))

    # -- writing ------------------------------------------------------------------------

    def commit(self, batch: Batch) -> tuple[Article, ...]:
        """Make a batch durable: records first (written and fsynced), then the state and
        the segments' lengths, in one transaction.

        Returns the records left out because they were written before (by this worker or
        another): as :meth:`scraper.store.Store.commit`.
        """
        return self.commit_many((batch,))[0]

    def commit_many(self, batches: Sequence[Batch]) -> list[tuple[Article, ...]]:
        """Make several batches durable together, as :meth:`commit` does one after the
        other (a record of an earlier batch counts as written before), with one fsync per
        file and one transaction for all; the records left out of each. All or nothing: on
        failure none of them is recorded. Safe to call from another thread than the one
        that reads (one commit at a time): as :meth:`scraper.store.Store.commit_many`."""
        with self._commit_lock:
            return self._commit_many(batches)

    def _commit_many(self, batches: Sequence[Batch]) -> list[tuple[Article, ...]]:
        try:
            if self._unsettled:
                self.cut_tails()
                self._unsettled = False
            with self._conn.transaction():
                self._lock_articles(batches)
                splits = self._written_before(batches)
                sizes = self._segments.write([r for records, _ in splits for r in records])
                self._record_state(batches, splits, sizes)
        except BaseException as exc:
            # The lines may be in the files without their commit (or with it, if only the
            # answer to COMMIT was lost): the committed lengths in the database tell.
            self._unsettled = True
            with contextlib.suppress(psycopg.Error, StoreError, OSError):
                self.cut_tails()
                self._unsettled = False
            if isinstance(exc, psycopg.Error):
                raise StoreError(
                    f"cannot commit the state in {_safe_url(self.url)}: {exc}") from exc
            raise
        return [left_out for _, left_out in splits]

    def _lock_articles(self, batches: Sequence[Batch]) -> None:
        """Hold the lock of every article the batches write (a record's or only its state's:
        a page unchanged, an entry linked) until the commit; the keys sorted across the
        group, so that two commits that share articles take their locks in the same order
        and cannot deadlock, neither on these locks nor on the article rows, which a commit
        writes only once it holds them all. The keys themselves are sorted, not the ids:
        the ids' order is not their keys' order."""
        keys = {article_lock_key(r.id) for batch in batches for r in batch.records}
        keys.update(article_lock_key(a.id) for batch in batches for a in batch.articles)
        for key in sorted(keys):
            self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (key,))

    def _written_before(self, batches: Sequence[Batch]) -> list[_Split]:
        """Split each batch's records into those to write and those written before: by
        the state, or by an earlier record of the group."""
        latest = {row["id"]: row["revision"] for row in self._conn.execute(
            "SELECT id, revision FROM articles WHERE id = ANY(%s)",
            (list({r.id for batch in batches for r in batch.records}),))}
        splits = []
        for batch in batches:
            kept = []
            left_out = []
            for record in batch.records:
                if record.revision <= latest.get(record.id, 0):
                    left_out.append(record)
                else:
                    kept.append(record)
                    latest[record.id] = record.revision
            splits.append((tuple(kept), tuple(left_out)))
        return splits

    def _record_state(self, batches: Sequence[Batch], splits: Sequence[_Split],
                      sizes: dict[Path, int]) -> None:
        """Record the state of every batch of the group. The rows of each table go in one
        order, sorted by key across the group (among equal keys in the batches' order, as
        commits one after the other would write them): two commits that share rows take
        them in the same order, table after table, and neither waits for a row the other
        holds while holding one it wants."""
        conn = self._conn
        written_at = format_time(self._now())
        feeds: list[dict[str, Any]] = []
        articles: list[dict[str, Any]] = []
        entries: list[EntryLink] = []
        aliases: list[tuple[str, str]] = []
        records: list[Article] = []
        for batch, (kept, left_out) in zip(batches, splits, strict=True):
            if batch.feed is not None:  # None: a batch that polled no feed (scraper reextract)
                feeds.append({**as_params(batch.feed),
                              **as_params(batch.counters.left_out(left_out))})
            # An article whose records were all left out keeps the state of the one written.
            stale = {r.id for r in left_out} - {r.id for r in kept}
            articles.extend(as_params(a) for a in batch.articles if a.id not in stale)
            entries.extend(batch.entries)
            # Sorted whole within a batch, as a commit of one batch always did (the same
            # URL for two articles: the smaller id's alias is taken).
            aliases.extend(sorted(batch.aliases))
            records.extend(kept)
        feeds.sort(key=lambda f: (f["source"], f["feed_url"]))
        entries.sort(key=lambda e: (e.feed_url, e.entry_id))
        # Sorted too: two commits that add one URL for two articles (their ids locked
        # apart) insert it in the same order, so neither waits for the other's next row.
        aliases.sort(key=lambda a: a[0])
        increments = ", ".join(f"{n} = feeds.{n} + %({n})s" for n in KEPT_COUNTERS)
        for params in feeds:
            conn.execute(
                "INSERT INTO feeds (source, feed_url) VALUES (%(source)s, %(feed_url)s) "
                "ON CONFLICT (source, feed_url) DO NOTHING", params,
            )
            conn.execute(
                "UPDATE feeds SET etag = %(etag)s, last_modified = %(last_modified)s, "
                "last_poll = %(last_poll)s, last_status = %(last_status)s, "
                "consecutive_errors = %(consecutive_errors)s, next_poll = %(next_poll)s, "
                f"last_error = %(last_error)s, {increments} "
                "WHERE source = %(source)s AND feed_url = %(feed_url)s",
                params,
            )
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO articles (id, canonical_url, source, feed_url, content_hash, "
                "revision, entry_updated, status, page_failures, gave_up, first_seen, "
                "last_seen) VALUES (%(id)s, %(canonical_url)s, %(source)s, %(feed_url)s, "
                "%(content_hash)s, %(revision)s, %(entry_updated)s, %(status)s, "
                "%(page_failures)s, %(gave_up)s, %(first_seen)s, %(last_seen)s) "
                "ON CONFLICT (id) DO UPDATE SET canonical_url = excluded.canonical_url, "
                "content_hash = excluded.content_hash, revision = excluded.revision, "
                "entry_updated = excluded.entry_updated, status = excluded.status, "
                "page_failures = excluded.page_failures, gave_up = excluded.gave_up, "
                "last_seen = excluded.last_seen "
                # A state read before another worker's commit must not take an article back.
                "WHERE excluded.revision >= articles.revision",
                articles,
            )
            cur.executemany(
                "INSERT INTO entries (feed_url, entry_id, article_id, updated, fingerprint) "
                "VALUES (%(feed_url)s, %(entry_id)s, %(article_id)s, %(updated)s, "
                "%(fingerprint)s) ON CONFLICT (feed_url, entry_id) DO UPDATE SET "
                "article_id = excluded.article_id, updated = excluded.updated, "
                "fingerprint = excluded.fingerprint",
                [as_params(e) for e in entries],
            )
            cur.executemany(
                "INSERT INTO aliases (url, article_id) VALUES (%s, %s) "
                "ON CONFLICT (url) DO NOTHING", aliases,
            )
            cur.executemany(
                "INSERT INTO written (id, revision, source, feed_url, day, written_at, worker) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [(r.id, r.revision, r.source, r.feed_url, (r.fetched_at or "")[:10],
                  written_at, self.worker) for r in records],
            )
            cur.executemany(
                "INSERT INTO segments (path, worker, size) VALUES (%s, %s, %s) "
                "ON CONFLICT (path) DO UPDATE SET size = excluded.size",
                [(path.relative_to(self.output).as_posix(), self.worker, size)
                 for path, size in sizes.items()],
            )

    # -- status -------------------------------------------------------------------------

    def statuses(self, today: str) -> list[FeedStatus]:
        """Every feed's state and counts, ``today`` being the UTC day ``YYYY-MM-DD``."""
        return _read_statuses(self._reader, today)


def _read_statuses(conn: psycopg.Connection[dict[str, Any]], today: str) -> list[FeedStatus]:
    written = conn.execute(
        "SELECT source, feed_url, count(*) FILTER (WHERE day = %s) AS today, "
        "count(*) AS total FROM written GROUP BY source, feed_url", (today,)).fetchall()
    return feed_statuses(conn.execute("SELECT * FROM feeds ORDER BY source, feed_url"), written)


def read_statuses(url: str, today: str) -> list[FeedStatus] | None:
    """Rows of ``scraper status --db``: every feed's state and counts, read without taking a
    worker's name (None when no worker or dispatch has created the tables yet)."""
    with _connect(url) as conn:
        try:
            return _read_statuses(conn, today)
        except psycopg.errors.UndefinedTable:
            return None
        except psycopg.Error as exc:
            raise StoreError(f"cannot read the state in {_safe_url(url)}: {exc}") from exc


def _claim_name(conn: psycopg.Connection[dict[str, Any]], worker: str | None) -> str:
    """Hold a worker name for the life of ``conn``: the given one, or the first free
    ``<host>-<n>``."""
    def take(name: str) -> bool:
        row = conn.execute("SELECT pg_try_advisory_lock(%s, hashtext(%s)) AS held",
                           (_LOCK_WORKER, name)).fetchone()
        return bool(row and row["held"])

    if worker is not None:
        name = _check_worker_name(worker)
        if not take(name):
            raise StoreError(f"worker name {name!r} is held by a running worker: give this "
                             "one another name (--worker-name), or none to get a free one")
        return name
    host = re.sub(r"[^A-Za-z0-9._-]", "-", socket.gethostname())[:48] or "worker"
    n = 1
    while not take(f"{host}-{n}"):
        n += 1
    return f"{host}-{n}"


def committed_segments(url: str) -> list[Segment]:
    """Every segment and its committed length: what a reader may read of each file."""
    with _connect(url) as conn:
        return [Segment(row["path"], row["worker"], row["size"]) for row in conn.execute(
            "SELECT path, worker, size FROM segments ORDER BY path")]


def iter_committed(output: Path, url: str) -> Iterator[dict[str, Any]]:
    """The committed records of every segment under ``output`` (a tail a crash left past the
    committed length is not read), for consumers and tests."""
    for segment in committed_segments(url):
        with (output / segment.path).open("rb") as handle:
            data = handle.read(segment.size)
        for line in data.splitlines(keepends=True):
            yield json.loads(line)
