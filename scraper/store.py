"""The crash-safe output: JSON Lines files for the records, SQLite for the polling state.

Records go to ``<output>/<source>/<YYYY-MM-DD>.jsonl`` (the UTC day of ``fetched_at``), one
line each, written with a single ``os.write`` on a file opened ``O_APPEND`` so that readers
tailing the file never see half a record. The state lives in ``<output>/state.sqlite3`` (WAL
mode). A batch is made durable in this order: lines written, files fsynced, then the state
committed together with the length of every file it wrote. (A commit that records no
line is not fsynced: see Store.commit.) A record whose ``id`` the state
already holds at that ``revision`` or a later one is left out, checked inside the transaction
that records the batch: two polls that raced for one article write it once.

The files are the truth about what was written. A crash between the fsync and the commit
leaves lines past the committed lengths: on open (and before the next batch, after a commit
that failed) those lines are read and taken into the state (the ``written`` table, and the
revision and content hash of articles the state knows) before anything new is written. A
later record of such an article that repeats the text found in the files is left out; one
with another text gets the next revision. So one (``id``, ``revision``) never has two texts,
whatever the crash::

    store = Store.open(Path("output"))
    store.commit(Batch(records=(article,), feed=feed_state, ...))
    store.close()
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from scraper.errors import StoreError
from scraper.models import (
    KEPT_COUNTERS,
    Article,
    ArticleState,
    Counters,
    EntryLink,
    Snapshot,
    format_time,
    record_line,
)

__all__ = [
    "SCHEMA_VERSION",
    "ArticleState",
    "Batch",
    "EntryLink",
    "FeedState",
    "FeedStatus",
    "Row",
    "Snapshot",
    "StateStore",
    "Store",
    "append_records",
    "article_state_of",
    "as_params",
    "entry_link_of",
    "feed_state_of",
    "feed_statuses",
    "fsync_dir",
    "iter_records",
    "open_state_readonly",
    "read_statuses",
    "record_place",
    "repair_torn_lines",
]

log = logging.getLogger(__name__)

SCHEMA_VERSION = 3
STATE_FILE = "state.sqlite3"
LOCK_FILE = ".lock"
UNSOURCED = "_unsourced"

_SCHEMA = """
CREATE TABLE feeds (
    source TEXT NOT NULL,
    feed_url TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    last_poll TEXT,
    last_status INTEGER,
    consecutive_errors INTEGER NOT NULL DEFAULT 0,
    next_poll TEXT,
    last_error TEXT,
    polls INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    not_modified INTEGER NOT NULL DEFAULT 0,
    bozo INTEGER NOT NULL DEFAULT 0,
    new INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    feed_only INTEGER NOT NULL DEFAULT 0,
    page_failures INTEGER NOT NULL DEFAULT 0,
    gave_up INTEGER NOT NULL DEFAULT 0,
    revisions_capped INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (source, feed_url)
);
CREATE TABLE articles (
    id TEXT PRIMARY KEY,
    canonical_url TEXT,
    source TEXT,
    feed_url TEXT,
    content_hash TEXT,
    revision INTEGER NOT NULL,
    entry_updated TEXT,
    status TEXT NOT NULL,
    page_failures INTEGER NOT NULL DEFAULT 0,
    gave_up INTEGER NOT NULL DEFAULT 0,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL
);
CREATE TABLE entries (
    feed_url TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    article_id TEXT NOT NULL,
    updated TEXT,
    PRIMARY KEY (feed_url, entry_id)
);
CREATE TABLE aliases (
    url TEXT PRIMARY KEY,
    article_id TEXT NOT NULL
);
CREATE TABLE written (
    id TEXT NOT NULL,
    revision INTEGER NOT NULL,
    source TEXT,
    feed_url TEXT,
    day TEXT NOT NULL,
    written_at TEXT NOT NULL
);
CREATE INDEX written_by_feed ON written (source, feed_url, day);
"""

# Version 2: what each record written was (its text's hash and status, so that a later record
# of the same id and revision can be told a repeat or a different text), and how long each
# output file was at the last commit (what lies past it was written by a batch that a crash
# kept from committing).
_SCHEMA_2 = """
ALTER TABLE written ADD COLUMN content_hash TEXT;
ALTER TABLE written ADD COLUMN status TEXT;
CREATE INDEX written_by_id ON written (id, revision);
CREATE TABLE files (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL
);
"""

# Version 3: the entries' fingerprints (a feed entry changed in place is fetched again) and
# the counts of entries the poll limits left out.
_SCHEMA_3 = """
ALTER TABLE feeds ADD COLUMN changes_capped INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feeds ADD COLUMN deferred INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feeds ADD COLUMN entries_cut INTEGER NOT NULL DEFAULT 0;
ALTER TABLE entries ADD COLUMN fingerprint TEXT;
"""


@dataclass(frozen=True, slots=True)
class FeedState:
    """What the poller remembers of one feed of one source."""

    source: str
    feed_url: str
    etag: str | None = None
    last_modified: str | None = None
    last_poll: str | None = None
    last_status: int | None = None
    consecutive_errors: int = 0
    next_poll: str | None = None
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class Batch:
    """Everything one feed poll changes, made durable together by :meth:`Store.commit`.

    ``feed`` is None for a batch that polled no feed (``scraper reextract``): the feeds'
    state and counters are then left as they are."""

    feed: FeedState | None
    counters: Counters = field(default_factory=Counters)
    records: tuple[Article, ...] = ()
    articles: tuple[ArticleState, ...] = ()
    entries: tuple[EntryLink, ...] = ()
    aliases: tuple[tuple[str, str], ...] = ()  # (url, article_id)


@dataclass(frozen=True, slots=True)
class FeedStatus:
    """One row of ``scraper status``."""

    state: FeedState
    counters: Counters
    written_today: int
    written_total: int


class Row(Protocol):
    """A row of the state read by column name: ``sqlite3.Row`` or a psycopg dict row."""

    def __getitem__(self, column: str, /) -> Any: ...


# The state's rows as objects, for both stores (their tables have the same columns).


def feed_state_of(row: Row) -> FeedState:
    """A row of ``feeds`` as the feed's state."""
    return FeedState(**{f.name: row[f.name] for f in fields(FeedState)})


def article_state_of(row: Row) -> ArticleState:
    """A row of ``articles`` as the article's state (SQLite keeps ``gave_up`` as 0 or 1)."""
    values = {f.name: row[f.name] for f in fields(ArticleState)}
    values["gave_up"] = bool(values["gave_up"])
    return ArticleState(**values)


def entry_link_of(row: Row) -> EntryLink:
    """A row of ``entries`` as the entry's link."""
    return EntryLink(row["feed_url"], row["entry_id"], row["article_id"], row["updated"],
                     row["fingerprint"])


def as_params(obj: Any) -> dict[str, Any]:
    """A state record's fields by name, the named parameters of a statement."""
    return {f.name: getattr(obj, f.name) for f in fields(obj)}


def feed_statuses(feeds: Iterable[Row], written: Iterable[Row]) -> list[FeedStatus]:
    """Rows of ``scraper status``: every row of ``feeds`` (in order) with its counters and
    the records written for it, ``written`` giving ``source``, ``feed_url``, ``today`` and
    ``total`` per feed."""
    counts = {(row["source"], row["feed_url"]): (row["today"] or 0, row["total"])
              for row in written}
    result = []
    for row in feeds:
        state = feed_state_of(row)
        counters = Counters(**{n: row[n] for n in KEPT_COUNTERS})
        written_today, total = counts.get((state.source, state.feed_url), (0, 0))
        result.append(FeedStatus(state, counters, written_today, total))
    return result


class StateStore(Protocol):
    """What the poller needs of a store; two backends have it: :class:`Store` (SQLite and
    local day files, the embedded default) and ``scraper.pgstore.PgStore`` (PostgreSQL and
    one segment per worker, the distributed mode). Both leave out a record whose id the
    state holds at that revision or later, checked in the transaction that records it."""

    output: Path

    def feed(self, source: str, feed_url: str) -> FeedState | None:
        """The state of one feed, None before its first poll."""
        ...

    def article(self, article_id: str) -> ArticleState | None:
        """The state of one article by id."""
        ...

    def entry(self, feed_url: str, entry_id: str) -> EntryLink | None:
        """What a feed entry led to before, if it was seen."""
        ...

    def read_known(self, feed_url: str, entry_ids: Iterable[str], urls: Iterable[str],
                   ids: Iterable[str]) -> Snapshot:
        """What the decide step needs of one feed, in one read (``records.StateReader``)."""
        ...

    def commit(self, batch: Batch) -> tuple[Article, ...]:
        """Make a batch durable; return the records left out as written before."""
        ...

    def commit_many(self, batches: Sequence[Batch]) -> list[tuple[Article, ...]]:
        """Make several batches durable in one transaction, all or nothing, as commits one
        after the other would (a record of an earlier batch counts as written before); the
        records left out of each. Safe to call from a thread while another reads."""
        ...

    def statuses(self, today: str) -> list[FeedStatus]:
        """Every feed's state and counts."""
        ...

    def close(self) -> None:
        """Release files, connection and locks."""
        ...


def fsync_dir(path: Path) -> None:
    """Make a new name in ``path`` survive a crash."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _repair_one(path: Path) -> int:
    """Cut a last line that lacks its newline; return the number of bytes removed."""
    with path.open("r+b") as handle:
        size = handle.seek(0, os.SEEK_END)
        if size == 0:
            return 0
        handle.seek(size - 1)
        if handle.read(1) == b"\n":
            return 0
        # Walk back in blocks to the last newline: records are small, one block usually does.
        end = size
        keep = 0
        block = 65536
        while end > 0:
            start = max(0, end - block)
            handle.seek(start)
            chunk = handle.read(end - start)
            index = chunk.rfind(b"\n")
            if index >= 0:
                keep = start + index + 1
                break
            end = start
        handle.truncate(keep)
        handle.flush()
        os.fsync(handle.fileno())
        return size - keep


def repair_torn_lines(output: Path) -> list[tuple[Path, int]]:
    """Remove the torn last line (no trailing newline) a crash may leave in any output file;
    return the files repaired and the bytes removed from each."""
    repaired = []
    for path in sorted(output.glob("*/*.jsonl")):
        removed = _repair_one(path)
        if removed:
            log.warning("removed a torn last line of %d bytes from %s", removed, path,
                        extra={"file": str(path), "bytes": removed})
            repaired.append((path, removed))
    return repaired


def record_place(article: Article) -> tuple[str, str]:
    """The folder (the record's source) and the UTC day a record is filed under, in either
    store; StoreError when one of them cannot name a file."""
    day = (article.fetched_at or "")[:10]
    if len(day) != 10:
        raise StoreError(f"record {article.id} has no fetched_at; cannot place it")
    directory = article.source or UNSOURCED
    if directory in ("", ".", "..") or "/" in directory or "\0" in directory:
        raise StoreError(f"source name {directory!r} cannot be used as a directory")
    return directory, day


def append_records(records: Sequence[Article], path_for: Callable[[Article], Path],
                   fd_for: Callable[[Path], int], where: Path) -> dict[Path, int]:
    """Append every record to its file (``path_for``, opened by ``fd_for``) and fsync the
    files touched; return their lengths after it. On failure cut back what was written of
    this batch, so no file keeps a torn or uncommitted tail. Both state stores write so."""
    touched: dict[Path, tuple[int, int]] = {}
    try:
        for article in records:
            path = path_for(article)
            fd = fd_for(path)
            if path not in touched:
                touched[path] = (fd, os.fstat(fd).st_size)
            data = record_line(article)
            written = os.write(fd, data)
            while written < len(data):  # only on a full disk or a signal mid-write
                written += os.write(fd, data[written:])
        sizes = {}
        for path, (fd, _size) in touched.items():
            os.fsync(fd)
            sizes[path] = os.fstat(fd).st_size
    except OSError as exc:
        for fd, size in touched.values():
            with contextlib.suppress(OSError):
                os.ftruncate(fd, size)
        raise StoreError(f"cannot write records under {where}: {exc}") from exc
    return sizes


class _Writer:
    """Appends lines to the day files, keeping the descriptors of files written recently."""

    def __init__(self, output: Path, max_open: int = 64) -> None:
        self._output = output
        self._max_open = max_open
        self._fds: dict[Path, int] = {}

    def _fd(self, path: Path) -> int:
        fd = self._fds.get(path)
        if fd is not None:
            return fd
        created_dir = not path.parent.exists()
        if created_dir:
            path.parent.mkdir(parents=True, exist_ok=True)
            fsync_dir(self._output)
        created = not path.exists()
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
        if created:
            # The new name must survive a crash too, or its fsynced lines could vanish.
            fsync_dir(path.parent)
        self._fds[path] = fd
        return fd

    def path_for(self, article: Article) -> Path:
        directory, day = record_place(article)
        return self._output / directory / f"{day}.jsonl"

    def write(self, records: Sequence[Article]) -> dict[Path, int]:
        """Write every record and fsync the files touched (see :func:`append_records`)."""
        sizes = append_records(records, self.path_for, self._fd, self._output)
        self._evict(sizes)
        return sizes

    def _evict(self, keep: Mapping[Path, object]) -> None:
        """A day file is written only on its day (give or take a late record): past the
        limit, close the descriptors this batch did not use. Only after its fsync: closing
        one mid-batch could let its number be reused and a file go unsynced."""
        if len(self._fds) <= self._max_open:
            return
        for path in [p for p in self._fds if p not in keep]:
            with contextlib.suppress(OSError):
                os.close(self._fds.pop(path))

    def close(self) -> None:
        for fd in self._fds.values():
            with contextlib.suppress(OSError):
                os.close(fd)
        self._fds.clear()


def _connect(path: Path, *, readonly: bool = False,
             any_thread: bool = False) -> sqlite3.Connection:
    if readonly:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    else:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=not any_thread)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA busy_timeout = 5000")
    return conn


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version == SCHEMA_VERSION:
        return
    if version == 0:
        script = _SCHEMA + _SCHEMA_2 + _SCHEMA_3
    elif version == 1:
        # No file lengths yet: the first open reads every file once and takes in what the
        # state lacks (the tails of crashes before this version).
        script = _SCHEMA_2 + _SCHEMA_3
    elif version == 2:
        script = _SCHEMA_3
    else:
        raise StoreError(f"{path}: state schema version {version} is not {SCHEMA_VERSION}; "
                         "this program cannot read it")
    # One script, one transaction: a crash mid-way leaves the version it started from.
    conn.executescript(
        f"BEGIN IMMEDIATE;{script}PRAGMA user_version = {SCHEMA_VERSION};COMMIT;"
    )


# (revision in the state, latest revision in the files, its text's hash and status)
_Revisions = tuple[int, int, str | None, str | None]


class Store:
    """The records and the state of one output directory; one process writes it at a time."""

    def __init__(self, output: Path, conn: sqlite3.Connection, lock_fd: int,
                 now: Callable[[], datetime] | None = None,
                 reader: sqlite3.Connection | None = None) -> None:
        self.output = output
        # Commits run on ``_conn`` (in a thread of their own when the poller groups them,
        # see commit_many), reads on ``_reader``: a read never sees a commit half done.
        self._conn = conn
        self._reader = reader or conn
        self._commit_lock = threading.Lock()
        self._lock_fd = lock_fd
        self._writer = _Writer(output)
        self._now = now or (lambda: datetime.now(UTC))
        # Set when a commit failed after its lines may have reached the files: the next
        # commit first takes those lines into the state, as an open after a crash does.
        self._unsettled = False
        self._synced = True  # the connection's synchronous level is FULL (else NORMAL)

    @classmethod
    def open(cls, output: Path, *, now: Callable[[], datetime] | None = None) -> Store:
        """Open (creating) ``output``: take its lock, repair torn lines, open the state.

        ``now`` is a clock returning an aware datetime (injected by tests).
        """
        try:
            output.mkdir(parents=True, exist_ok=True)
            lock_fd = os.open(output / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise StoreError(f"cannot open the output directory {output}: {exc}") from exc
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(lock_fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise StoreError(f"{output} is in use by another scraper process") from exc
            raise StoreError(f"cannot lock {output}: {exc}") from exc
        try:
            repair_torn_lines(output)
            path = output / STATE_FILE
            conn = _connect(path, any_thread=True)
            conn.execute("PRAGMA journal_mode = WAL")
            # FULL: a committed state must not be rolled back by a power cut, or records
            # already in the files would be written again on every such crash. Commits that
            # record no line go without (see Store.commit).
            conn.execute("PRAGMA synchronous = FULL")
            _migrate(conn, path)
            reader = _connect(path)
        except (OSError, sqlite3.Error) as exc:
            os.close(lock_fd)
            raise StoreError(f"cannot open the state in {output}: {exc}") from exc
        except StoreError:
            os.close(lock_fd)
            raise
        store = cls(output, conn, lock_fd, now, reader)
        try:
            store._settle()
        except (OSError, sqlite3.Error) as exc:
            store.close()
            raise StoreError(f"cannot read back the records in {output}: {exc}") from exc
        except BaseException:
            store.close()
            raise
        return store

    def close(self) -> None:
        """Close files, database and lock (after the commit in progress, if any)."""
        with self._commit_lock:
            self._writer.close()
            for conn in dict.fromkeys((self._reader, self._conn)):
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
        with contextlib.suppress(OSError):
            os.close(self._lock_fd)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading ------------------------------------------------------------------------

    def feed(self, source: str, feed_url: str) -> FeedState | None:
        """The state of one feed, None before its first poll."""
        row = self._reader.execute(
            "SELECT * FROM feeds WHERE source = ? AND feed_url = ?", (source, feed_url),
        ).fetchone()
        return feed_state_of(row) if row else None

    def article(self, article_id: str) -> ArticleState | None:
        """The state of one article by id."""
        row = self._reader.execute("SELECT * FROM articles WHERE id = ?",
                                   (article_id,)).fetchone()
        return article_state_of(row) if row else None

    def entry(self, feed_url: str, entry_id: str) -> EntryLink | None:
        """What a feed entry led to before, if it was seen."""
        row = self._reader.execute(
            "SELECT * FROM entries WHERE feed_url = ? AND entry_id = ?", (feed_url, entry_id),
        ).fetchone()
        return entry_link_of(row) if row else None

    def read_known(self, feed_url: str, entry_ids: Iterable[str], urls: Iterable[str],
                   ids: Iterable[str]) -> Snapshot:
        """One read for the decide step: the entries of ``feed_url`` among ``entry_ids``,
        the aliases of ``urls``, and the articles they and ``ids`` lead to."""
        conn = self._reader
        entries = [entry_link_of(row) for chunk in _chunks(entry_ids) for row in conn.execute(
            f"SELECT * FROM entries WHERE feed_url = ? AND entry_id IN ({_marks(chunk)})",
            (feed_url, *chunk))]
        aliases = [(row["url"], row["article_id"]) for chunk in _chunks(urls)
                   for row in conn.execute(
                       f"SELECT url, article_id FROM aliases WHERE url IN ({_marks(chunk)})",
                       chunk)]
        wanted = {*ids, *(e.article_id for e in entries), *(a for _, a in aliases)}
        articles = [article_state_of(row) for chunk in _chunks(wanted) for row in conn.execute(
            f"SELECT * FROM articles WHERE id IN ({_marks(chunk)})", chunk)]
        return Snapshot(tuple(entries), tuple(articles), tuple(aliases))

    # -- writing ------------------------------------------------------------------------

    def commit(self, batch: Batch) -> tuple[Article, ...]:
        """Make a batch durable: records first (written and fsynced), then the state.

        Returns the records left out because they were written before: the state holds
        their ``id`` at that ``revision`` or later (another poll won the race), or an earlier
        record of the batch has it. Their article state is not touched (the one written
        stands) and the batch's ``new``/``updated``/``feed_only`` counters do not count
        them; the batch's entries and aliases are recorded all the same.
        """
        return self.commit_many((batch,))[0]

    def commit_many(self, batches: Sequence[Batch]) -> list[tuple[Article, ...]]:
        """Make several batches durable together, as :meth:`commit` does one after the
        other (a record of an earlier batch counts as written before), with one fsync per
        file and one state commit for all; the records left out of each. All or nothing:
        on failure none of them is recorded. Safe to call from another thread than the
        one that reads (one commit at a time)."""
        with self._commit_lock:
            return self._commit_many(batches)

    def _commit_many(self, batches: Sequence[Batch]) -> list[tuple[Article, ...]]:
        conn = self._conn
        # A commit that records lines (or takes in a tail) is fsynced: the state must stay
        # durable with the files. One that records none (a 304, a failed feed, entries
        # seen) is not: in WAL a power cut can then take back only the last such commits,
        # never one before a synced commit (its fsync covers the log up to it), so the
        # state is at worst behind, never ahead of the files, and the feeds concerned are
        # polled again. A process crash loses neither. This is most of a round's cost
        # when every feed answers 304.
        synced = any(batch.records for batch in batches) or self._unsettled
        try:
            if synced != self._synced:
                conn.execute(f"PRAGMA synchronous = {'FULL' if synced else 'NORMAL'}")
                self._synced = synced
            # The write lock is taken before the check and held until the state is
            # committed, so nothing can record the article in between.
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot commit the state in {self.output}: {exc}") from exc
        try:
            if self._unsettled:
                self._take_in_tails()
            latest: dict[str, _Revisions] = {}
            plans = [self._plan(batch, latest) for batch in batches]
            sizes = self._writer.write([r for plan in plans for r in plan.records])
            for index, (batch, plan) in enumerate(zip(batches, plans, strict=True)):
                self._record_state(batch, plan, sizes if index == len(plans) - 1 else {})
            conn.execute("COMMIT")
        except BaseException as exc:
            self._unsettled = True
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error | OSError):
                raise StoreError(f"cannot commit the state in {self.output}: {exc}") from exc
            raise
        self._unsettled = False
        return [tuple(plan.left_out) for plan in plans]

    # -- what the files hold ------------------------------------------------------------

    def _settle(self) -> None:
        """Take the lines written after the last commit into the state, in one transaction."""
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            self._take_in_tails()
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise

    def _take_in_tails(self) -> None:
        """Read every output file past its committed length and record what is there
        (inside the caller's transaction), then record the files' lengths."""
        conn = self._conn
        committed = {row["path"]: row["size"]
                     for row in conn.execute("SELECT path, size FROM files")}
        sizes: dict[str, int] = {}
        taken = 0
        for path in sorted(self.output.glob("*/*.jsonl")):
            name = path.relative_to(self.output).as_posix()
            start = committed.get(name, 0)
            size = path.stat().st_size
            if start > size:
                # Cut or replaced by someone else: what it holds now is read again.
                start = 0
            if start < size:
                with path.open("rb") as handle:
                    handle.seek(start)
                    for line in handle:
                        if not line.endswith(b"\n"):
                            break
                        taken += self._take_in(line, path)
                        start += len(line)
                    # The crash may have come between the write and its fsync: the lines
                    # may still be only in the page cache. Synced before the state records
                    # them, so a power cut cannot leave the state ahead of the files.
                    os.fsync(handle.fileno())
            sizes[name] = start
        gone = set(committed) - set(sizes)
        conn.executemany("DELETE FROM files WHERE path = ?", [(name,) for name in gone])
        conn.executemany(
            "INSERT INTO files (path, size) VALUES (?, ?) "
            "ON CONFLICT (path) DO UPDATE SET size = excluded.size",
            [(name, size) for name, size in sizes.items() if committed.get(name) != size],
        )
        if taken:
            log.warning("took %d records written before a crash into the state", taken,
                        extra={"records": taken})

    def _take_in(self, line: bytes, path: Path) -> int:
        """Record one line of the files unless the state has it; 1 if it was taken in."""
        try:
            record = json.loads(line)
            key = (record["id"], record["revision"])
            if not (isinstance(key[0], str) and type(key[1]) is int):
                raise TypeError("id or revision of the wrong type")
        except (ValueError, TypeError, KeyError) as exc:
            log.warning("skipped an unreadable line in %s: %s", path, exc,
                        extra={"file": str(path)})
            return 0
        conn = self._conn
        article_id, revision = key
        text_hash, status = record.get("content_hash"), record.get("status")
        if conn.execute("SELECT 1 FROM written WHERE id = ? AND revision = ?",
                        key).fetchone():
            # Rows of version 1 lack the text's hash: the first read of the files fills it.
            conn.execute("UPDATE written SET content_hash = ?, status = ? WHERE id = ? AND "
                         "revision = ? AND content_hash IS NULL", (text_hash, status, *key))
            return 0
        conn.execute(
            "INSERT INTO written (id, revision, source, feed_url, day, written_at, "
            "content_hash, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (article_id, revision, record.get("source"), record.get("feed_url"),
             str(record.get("fetched_at") or "")[:10], format_time(self._now()), text_hash,
             status),
        )
        # An article the state knows is now at this revision, as the lost commit would have
        # left it. One it does not know stays unknown, so that its feed entry is read again;
        # its next record is checked against the files (see _plan).
        conn.execute(
            "UPDATE articles SET revision = :revision, content_hash = :hash, status = :status, "
            "page_failures = CASE WHEN :status = 'ok' THEN 0 ELSE page_failures END, "
            "gave_up = CASE WHEN :status = 'ok' THEN 0 ELSE gave_up END "
            "WHERE id = :id AND revision < :revision",
            {"id": article_id, "revision": revision, "hash": text_hash,
             "status": status if status in ("ok", "feed_only") else "ok"},
        )
        return 1

    def _plan(self, batch: Batch, latest: dict[str, _Revisions]) -> _Plan:
        """Decide what of ``batch`` is written, against the state, the files and
        ``latest`` (the revisions of the batches planned before it in this commit, which
        this one adds to).

        Per record, with S the revision the state holds for its id and W the latest one the
        files hold (S <= W; W > S only for records of a batch that a crash kept from being
        committed): up to S, left out (written before); up to W, left out when its text is
        W's or when it is a feed_only record (the page failed now: the text written stands),
        otherwise written as revision W + 1; past W, written as it is."""
        plan = _Plan(articles={a.id: a for a in batch.articles})
        stale: set[str] = set()
        for record in batch.records:
            if record.id not in latest:
                latest[record.id] = self._revisions(record.id)
            in_state, in_files, text_hash, status = latest[record.id]
            if record.revision <= in_state:
                plan.left_out.append(record)
                stale.add(record.id)
                continue
            if record.revision <= in_files:
                if record.content_hash == text_hash or record.status == "feed_only":
                    plan.left_out.append(record)
                    plan.found.add(record.id)
                    state = plan.articles.get(record.id)
                    if state is not None:
                        plan.articles[record.id] = _as_written(state, in_files, text_hash,
                                                               status)
                    latest[record.id] = (in_files, in_files, text_hash, status)
                    continue
                log.warning("article %s revision %d in the files has another text (written "
                            "before a crash); this one is revision %d", record.id,
                            record.revision, in_files + 1, extra={"id": record.id})
                plan.renumbered.append(record)
                record = replace(record, revision=in_files + 1)
                state = plan.articles.get(record.id)
                if state is not None:
                    plan.articles[record.id] = replace(state, revision=record.revision)
            plan.records.append(record)
            latest[record.id] = (record.revision, record.revision, record.content_hash,
                                 record.status)
        # An article whose records were all left out keeps the state of the one written.
        for article_id in stale - {r.id for r in plan.records} - plan.found:
            plan.articles.pop(article_id, None)
        return plan

    def _revisions(self, article_id: str) -> _Revisions:
        """(revision in the state, latest revision in the files, its hash and status)."""
        row = self._conn.execute("SELECT revision FROM articles WHERE id = ?",
                                 (article_id,)).fetchone()
        in_state = row["revision"] if row else 0
        row = self._conn.execute(
            "SELECT revision, content_hash, status FROM written WHERE id = ? "
            "ORDER BY revision DESC LIMIT 1", (article_id,)).fetchone()
        if row is None or row["revision"] <= in_state:
            return in_state, in_state, None, None
        return in_state, row["revision"], row["content_hash"], row["status"]

    def _record_state(self, batch: Batch, plan: _Plan, sizes: Mapping[Path, int]) -> None:
        conn = self._conn
        written_at = format_time(self._now())
        counters = batch.counters.left_out(plan.left_out)
        for record in plan.renumbered:
            if record.revision == 1:  # written as a later revision: an update after all
                counters = counters.add(("new",), -1).add(("updated",))
        records = plan.records
        feed = batch.feed
        if feed is not None:
            conn.execute(
                "INSERT INTO feeds (source, feed_url) VALUES (?, ?) "
                "ON CONFLICT (source, feed_url) DO NOTHING", (feed.source, feed.feed_url),
            )
            increments = ", ".join(f"{n} = {n} + :{n}" for n in KEPT_COUNTERS)
            conn.execute(
                "UPDATE feeds SET etag = :etag, last_modified = :last_modified, "
                "last_poll = :last_poll, last_status = :last_status, "
                "consecutive_errors = :consecutive_errors, next_poll = :next_poll, "
                f"last_error = :last_error, {increments} "
                "WHERE source = :source AND feed_url = :feed_url",
                {**as_params(feed), **as_params(counters)},
            )
        conn.executemany(
            "INSERT INTO articles (id, canonical_url, source, feed_url, content_hash, "
            "revision, entry_updated, status, page_failures, gave_up, first_seen, "
            "last_seen) VALUES (:id, :canonical_url, :source, :feed_url, :content_hash, "
            ":revision, :entry_updated, :status, :page_failures, :gave_up, :first_seen, "
            ":last_seen) ON CONFLICT (id) DO UPDATE SET canonical_url = "
            "excluded.canonical_url, content_hash = excluded.content_hash, "
            "revision = excluded.revision, entry_updated = excluded.entry_updated, "
            "status = excluded.status, page_failures = excluded.page_failures, "
            "gave_up = excluded.gave_up, last_seen = excluded.last_seen "
            # A state read before another poll's commit must not take an article back.
            "WHERE excluded.revision >= articles.revision",
            [as_params(a) for a in plan.articles.values()],
        )
        conn.executemany(
            "INSERT OR REPLACE INTO entries (feed_url, entry_id, article_id, updated, "
            "fingerprint) VALUES (:feed_url, :entry_id, :article_id, :updated, :fingerprint)",
            [as_params(e) for e in batch.entries],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO aliases (url, article_id) VALUES (?, ?)", batch.aliases,
        )
        conn.executemany(
            "INSERT INTO written (id, revision, source, feed_url, day, written_at, "
            "content_hash, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(r.id, r.revision, r.source, r.feed_url, (r.fetched_at or "")[:10], written_at,
              r.content_hash, r.status) for r in records],
        )
        conn.executemany(
            "INSERT INTO files (path, size) VALUES (?, ?) "
            "ON CONFLICT (path) DO UPDATE SET size = excluded.size",
            [(path.relative_to(self.output).as_posix(), size) for path, size in sizes.items()],
        )

    # -- status -------------------------------------------------------------------------

    def statuses(self, today: str) -> list[FeedStatus]:
        """Every feed's state and counts, ``today`` being the UTC day ``YYYY-MM-DD``."""
        return read_statuses(self._reader, today)


@dataclass(slots=True)
class _Plan:
    """What Store.commit writes of a batch and which article states it records."""

    articles: dict[str, ArticleState]
    records: list[Article] = field(default_factory=list)
    left_out: list[Article] = field(default_factory=list)
    renumbered: list[Article] = field(default_factory=list)  # as the batch had them
    found: set[str] = field(default_factory=set)  # ids whose record the files held


def _as_written(state: ArticleState, revision: int, text_hash: str | None,
                status: str | None) -> ArticleState:
    """The state of an article whose latest record is the one the files hold."""
    state = replace(state, revision=revision, content_hash=text_hash or state.content_hash)
    if status == "ok":
        state = replace(state, status="ok", page_failures=0, gave_up=False)
    return state


# SQLite allows 32766 parameters per statement; far fewer keeps each statement cheap.
_CHUNK = 500


def _chunks(values: Iterable[str]) -> Iterator[list[str]]:
    unique = list(dict.fromkeys(values))
    for start in range(0, len(unique), _CHUNK):
        yield unique[start:start + _CHUNK]


def _marks(chunk: Sequence[str]) -> str:
    return ", ".join("?" * len(chunk))


def read_statuses(conn: sqlite3.Connection, today: str) -> list[FeedStatus]:
    """Rows of ``scraper status`` from an open state database."""
    written = conn.execute("SELECT source, feed_url, SUM(day = ?) AS today, COUNT(*) AS total "
                           "FROM written GROUP BY source, feed_url", (today,)).fetchall()
    return feed_statuses(conn.execute("SELECT * FROM feeds ORDER BY source, feed_url"), written)


@contextlib.contextmanager
def open_state_readonly(output: Path) -> Iterator[sqlite3.Connection | None]:
    """The state database of ``output`` for reading while a daemon writes it; None if the
    directory has never been polled."""
    path = output / STATE_FILE
    if not path.exists():
        yield None
        return
    hint = ("if a daemon is starting, try again; otherwise the state is damaged: move it "
            "aside and run the daemon to start a new one (records already written stay)")
    try:
        conn = _connect(path, readonly=True)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot read the state database {path}: {exc} ({hint})") from exc
    try:
        yield conn
    except sqlite3.Error as exc:
        # Raised by the first query on a file that is not (or not yet) a state database.
        raise StoreError(f"cannot read the state database {path}: {exc} ({hint})") from exc
    finally:
        conn.close()


def iter_records(path: Path) -> Iterable[dict[str, Any]]:
    """The records of one output file (complete lines only), for consumers and tests."""
    with path.open("rb") as handle:
        for line in handle:
            if line.endswith(b"\n"):
                yield json.loads(line)
