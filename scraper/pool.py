"""The extraction process pool: pages extracted and feeds parsed in worker processes, each
task bounded by a time limit that starts when a worker begins it::

    pool = ExtractorPool(2, time_limit=30.0)
    article = await pool(html, url, rules, "text/html")          # ExtractionError on failure
    feed = await pool.parse_feed(content, feed_url, headers)      # FeedError on failure
    pool.close()

Each worker is a spawned process that imports the extractor and the feed parser while it
starts, says it is ready, then takes one task at a time over its own pipe. This module is
what a worker loads, so it imports no more than that: not the CLI, the scheduler, rich, the
fetcher or the store. A task is sent only to a worker that is ready and idle, so its time
limit measures the work on it, not a process start or imports; starting a worker has its own
bound (``start_limit``) and its own message. A task over its limit costs that one worker
(killed and replaced), not the tasks of the others. A worker is replaced after
``max_tasks_per_child`` tasks, or sooner once its resident memory has grown by
``max_growth`` bytes since it started (a slow leak in a parser stays bounded).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import importlib
import logging
import mmap
import multiprocessing
import os
import pickle
import resource
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from multiprocessing import reduction
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING, Any, TypeVar

from scraper.errors import ExtractionError, FeedError, ScraperError

if TYPE_CHECKING:
    from scraper.config import ExtractionSettings
    from scraper.feeds import ParsedFeed
    from scraper.models import ExtractRules, PageFields

__all__ = ["ExtractorPool", "WorkerStats"]

log = logging.getLogger(__name__)

# What a worker imports while it starts, so that no task pays for it.
_PRELOAD = ("scraper.extract", "scraper.feeds")
_MIB = 1024 * 1024
_SHARED_PAGE_BYTES = 16 * _MIB  # pages are capped at 10 MB by default

T = TypeVar("T")


@dataclass(slots=True)
class WorkerStats:
    """One worker process as the pool last heard from it."""

    pid: int
    tasks: int = 0
    start_rss: int = 0  # resident bytes when it was ready
    rss: int = 0  # resident bytes after its last task
    peak_rss: int = 0  # the most it ever held


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    conn: Connection
    stats: WorkerStats = field(init=False)
    pages: mmap.mmap | None = None  # the memory it shares for pages (see _share_pages)

    def __post_init__(self) -> None:
        self.stats = WorkerStats(self.process.pid or 0)

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
        self.conn.close()
        self.process.join(2.0)
        self._unmap()

    def retire(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)  # the worker's loop ends on it
        self.conn.close()
        self.process.join(0)  # reaped now if it has exited, else at the next start
        self._unmap()

    def _unmap(self) -> None:
        if self.pages is not None:
            self.pages.close()
            self.pages = None


class _WorkerGone(Exception):
    """The worker process ended or was killed before it answered."""


class ExtractorPool:
    """Runs extraction and feed parsing in worker processes, ``workers`` tasks at a time."""

    def __init__(
        self, workers: int | None = None, *, time_limit: float = 30.0,
        max_tasks_per_child: int = 5000, max_growth: int = 512 * _MIB,
        start_limit: float = 60.0, func: Callable[..., PageFields] | None = None,
    ) -> None:
        self.workers = workers or self.default_workers()
        self.time_limit = time_limit
        self.start_limit = start_limit
        self._max_tasks = max_tasks_per_child
        self._max_growth = max_growth
        self._func = func
        self._context = multiprocessing.get_context("spawn")
        self._preload = tuple(dict.fromkeys(
            (*_PRELOAD, func.__module__) if func is not None else _PRELOAD))
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._slots = asyncio.Semaphore(self.workers)
        self._closed = False
        self.killed = 0  # workers killed for running over the time limit
        self.retired: list[WorkerStats] = []  # workers replaced after their share of tasks

    @classmethod
    def from_settings(cls, settings: ExtractionSettings) -> ExtractorPool:
        """The pool ``settings:`` asks for (``extract_workers`` and so on)."""
        return cls(settings.workers, time_limit=settings.time_limit,
                   max_tasks_per_child=settings.tasks_per_worker)

    @staticmethod
    def default_workers(*, alone: bool = False) -> int:
        """One worker per CPU but one, at most four. A poll's own loop (fetching, the state,
        the trips to the workers) takes about half of its CPU: with a worker on every core
        beside it, each article cost 8 % more CPU (daemon_bench, 2 cores) for 9 % more
        articles/s, and fetching, not extraction, sets a daemon's pace. ``alone``: nothing
        runs beside the pool (``scraper reextract``), one worker per CPU."""
        cpus = os.cpu_count() or 1
        return max(1, min(4, cpus if alone else cpus - 1))

    def stats(self) -> list[WorkerStats]:
        """The live workers, idle and busy."""
        return [w.stats for w in (*self._idle, *self._busy)]

    async def __call__(self, html: bytes, url: str | None, rules: ExtractRules,
                       content_type: str | None) -> PageFields:
        """Extract one page in a worker; ExtractionError on failure or time-out. ``url`` is
        None for a saved page of unknown address (``scraper reextract``)."""
        if self._func is None:
            from scraper.extract import extract as func
        else:
            func = self._func
        call = _BodyFirst(func, (url, rules), {"content_type": content_type}, html)
        try:
            result: PageFields = await self._run(call, "extraction")
        except ScraperError as exc:
            raise exc.located(url=url) from None
        except _Failed as failed:
            raise ExtractionError(failed.reason, url=url) from None
        except Exception as exc:  # a parser bug on one page must not stop the feed
            raise ExtractionError(f"extractor failed: {exc!r}", url=url) from None
        return result

    async def call(self, func: Callable[[], T], label: str) -> T:
        """Run ``func`` (picklable) in a worker under the same time limit; ExtractionError
        naming ``label`` on a time-out or a dead worker. ``scraper reextract`` runs its jobs
        (read a page from the archive, extract it) this way."""
        try:
            result: T = await self._run(func, "extraction")
        except _Failed as failed:
            raise ExtractionError(f"{label}: {failed.reason}") from None
        return result

    async def parse_feed(self, content: bytes, url: str, headers: Mapping[str, str], *,
                         max_entries: int | None = None) -> ParsedFeed:
        """Parse a feed in a worker: a pathological feed costs a worker, not the event loop
        (FeedError on failure or time-out). ``max_entries``: see ``feeds.parse_feed``."""
        from scraper.feeds import MAX_ENTRIES, parse_feed

        call = functools.partial(parse_feed, content, url, dict(headers),
                                 max_entries=max_entries or MAX_ENTRIES)
        try:
            result: ParsedFeed = await self._run(call, "feed parsing")
        except FeedError:
            raise
        except _Failed as failed:
            raise FeedError(url, failed.reason) from None
        except Exception as exc:
            raise FeedError(url, f"the feed parser failed: {exc!r}") from None
        return result

    async def _run(self, call: Callable[[], Any], what: str) -> Any:
        async with self._slots:
            for attempt in (1, 2):
                worker = self._idle.pop() if self._idle else await self._start()
                self._busy.add(worker)
                try:
                    answer = await self._ask(worker, call, what)
                except _WorkerGone:
                    self._busy.discard(worker)
                    worker.kill()
                    if attempt == 2:
                        raise _Failed(f"the {what} worker died") from None
                    continue
                except BaseException:
                    self._busy.discard(worker)
                    worker.kill()
                    raise
                self._busy.discard(worker)
                self._keep_or_retire(worker)
                ok, value = answer
                if not ok:
                    raise value
                return value
        raise AssertionError("unreachable")

    async def _ask(self, worker: _Worker, call: Callable[[], Any],
                   what: str) -> tuple[bool, Any]:
        try:
            if not isinstance(call, _BodyFirst):
                worker.conn.send(call)
            elif worker.pages is not None and len(call.body) <= len(worker.pages):
                call.size = len(call.body)
                worker.pages[:call.size] = call.body
                worker.conn.send(call)
            else:
                # The page goes as raw bytes after its call, not pickled with it: pickling
                # would copy it once more here and once more in the worker.
                call.size = None
                worker.conn.send(call)
                worker.conn.send_bytes(call.body)
        except (OSError, ValueError):
            raise _WorkerGone from None
        try:
            ok, value, memory = await _receive(worker.conn, self.time_limit)
        except TimeoutError:
            self.killed += 1
            log.warning("extraction worker %d killed: %s took over %g s", worker.stats.pid,
                        what, self.time_limit, extra={"event": "worker_killed"})
            raise _Failed(f"{what} took over {self.time_limit:g} s") from None
        worker.stats.tasks += 1
        worker.stats.rss, worker.stats.peak_rss = memory
        return ok, value

    async def _start(self) -> _Worker:
        if self._closed:
            raise _Failed("the extraction pool is closed")
        ours, theirs = self._context.Pipe()
        process = self._context.Process(
            target=_serve, args=(theirs, os.getpid(), self._preload), daemon=True,
            name="scraper-extract")
        if self._func is not None and self._func.__module__ == "__main__":
            process.start()  # the function is the script's own: the worker needs the script
        else:
            with _script_hidden():
                process.start()
        theirs.close()
        worker = _Worker(process, ours)
        try:
            ok, value, memory = await _receive(ours, self.start_limit)
        except TimeoutError:
            worker.kill()
            raise _Failed(f"no extraction worker started within {self.start_limit:g} s "
                          "(the machine is overloaded)") from None
        except _WorkerGone:
            worker.kill()
            raise _Failed(f"the extraction worker could not start (exit code "
                          f"{process.exitcode})") from None
        if not ok:
            worker.kill()
            raise _Failed(f"the extraction worker could not start: {value!r}")
        worker.stats.rss, worker.stats.peak_rss = memory
        worker.stats.start_rss = worker.stats.rss
        worker.pages = _share_pages(ours, process.pid or 0)
        return worker

    def _keep_or_retire(self, worker: _Worker) -> None:
        stats = worker.stats
        grown = stats.rss - stats.start_rss > self._max_growth
        if self._closed or grown or stats.tasks >= self._max_tasks:
            self.retired.append(stats)
            worker.retire()
        else:
            self._idle.append(worker)

    def close(self) -> None:
        """Stop the workers now (a busy one is killed, not waited for)."""
        self._closed = True
        for worker in self._idle:
            worker.retire()
        for worker in self._busy:
            worker.kill()
        self._idle.clear()


@contextlib.contextmanager
def _script_hidden() -> Iterator[None]:
    """Hide the program's main script while a worker is spawned. Spawning runs the script
    the daemon was started from in the new process before anything else (for ``scraper``
    its console script, which imports the CLI and with it the scheduler, rich, the fetcher
    and the store); a worker runs functions of importable modules, never of the script."""
    main = sys.modules.get("__main__")
    if main is None:
        yield
        return
    saved: dict[str, Any] = {
        name: main.__dict__[name] for name in ("__file__", "__spec__") if name in main.__dict__}
    main.__dict__.pop("__file__", None)
    main.__spec__ = None
    try:
        yield
    finally:
        main.__dict__.pop("__spec__", None)
        main.__dict__.update(saved)


class _Failed(Exception):
    """The pool could not get an answer; ``reason`` says why (turned into the caller's
    ExtractionError or FeedError, which name the URL)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def _receive(conn: Connection, timeout: float) -> tuple[bool, Any, tuple[int, int]]:
    """The worker's next answer: (ok, value or exception, (resident, peak resident) bytes)."""
    # A bare future and timer rather than asyncio.wait_for, which wraps the wait in a task
    # of its own: this runs once per page, and the time limit almost never fires.
    loop = asyncio.get_running_loop()
    answered: asyncio.Future[bool] = loop.create_future()
    fd = conn.fileno()
    loop.add_reader(fd, _settle, answered, True)
    timer = loop.call_later(timeout, _settle, answered, False)
    try:
        if not await answered:
            raise TimeoutError
    finally:
        timer.cancel()
        loop.remove_reader(fd)
    try:
        answer: tuple[bool, Any, tuple[int, int]] = conn.recv()
    except (EOFError, OSError):
        raise _WorkerGone from None
    return answer


def _settle(future: asyncio.Future[bool], readable: bool) -> None:
    if not future.done():
        future.set_result(readable)


class _BodyFirst:
    """A task whose first argument is a page: ``func(body, *args, **kwargs)``. The page is
    never pickled with it: it waits at the start of the memory shared with the worker when
    ``size`` is a number, else it follows on the pipe as raw bytes."""

    __slots__ = ("args", "body", "func", "kwargs", "size")

    def __init__(self, func: Callable[..., Any], args: tuple[Any, ...],
                 kwargs: dict[str, Any], body: bytes = b"", size: int | None = None) -> None:
        self.func = func
        self.args = args
        self.kwargs = kwargs
        self.body = body
        self.size = size

    def __call__(self) -> Any:
        return self.func(self.body, *self.args, **self.kwargs)

    def __reduce__(self) -> tuple[type[_BodyFirst], tuple[Any, ...]]:
        return _BodyFirst, (self.func, self.args, self.kwargs, b"", self.size)


class _Pages:
    """Tells a worker that the file descriptor of the memory it shares for pages, ``size``
    bytes, follows on the pipe."""

    __slots__ = ("size",)

    def __init__(self, size: int) -> None:
        self.size = size

    def __reduce__(self) -> tuple[type[_Pages], tuple[int]]:
        return _Pages, (self.size,)


def _share_pages(conn: Connection, pid: int) -> mmap.mmap | None:
    """Memory shared with a worker for the pages it is given (Linux: an anonymous memfd,
    freed with the last process that maps it, so nothing is left behind by a kill -9).
    Through the socket a page cost 0.1 ms a copy for the kernel's buffers and wakeups; here
    it costs a copy in and a copy out. Pages larger than this go through the socket; pages
    touch the memory only as far as they reach. None when the system has no memfd, or it
    cannot be had now (no descriptor or memory to spare): the worker, already started, takes
    its pages through the pipe rather than being left running outside the pool."""
    if not hasattr(os, "memfd_create"):
        return None
    try:
        fd = os.memfd_create("scraper-pages", os.MFD_CLOEXEC)
    except OSError:
        return None
    try:
        try:
            os.ftruncate(fd, _SHARED_PAGE_BYTES)
            pages = mmap.mmap(fd, _SHARED_PAGE_BYTES)
        except OSError:
            return None
        try:
            conn.send(_Pages(_SHARED_PAGE_BYTES))
            reduction.send_handle(conn, fd, pid)
        except (OSError, ValueError):
            pages.close()
            return None  # the worker is gone: its first task finds out
    finally:
        os.close(fd)
    return pages


# -- the worker side --------------------------------------------------------------------


def _serve(conn: Connection, parent: int, preload: tuple[str, ...]) -> None:
    """A worker's life: import, say ready, then answer tasks until told to stop."""
    _exit_with_parent(parent)
    memory = _memory_reader()
    try:
        for name in preload:
            importlib.import_module(name)
    except Exception as exc:
        _send(conn, (False, _picklable(exc), memory()))
        return
    # What the imports made lives as long as the worker: out of the collector's sight, the
    # full collections that extraction's garbage sets off do not walk it again each time.
    gc.freeze()
    if not _send(conn, (True, None, memory())):
        return
    pages: mmap.mmap | None = None
    while True:
        try:
            call = conn.recv()
            if type(call) is _Pages:
                fd = reduction.recv_handle(conn)
                pages = mmap.mmap(fd, call.size)
                os.close(fd)
                continue
            if type(call) is _BodyFirst:
                call.body = (conn.recv_bytes() if call.size is None or pages is None
                             else pages[:call.size])
        except (EOFError, OSError):
            return
        if call is None:
            return
        try:
            answer: tuple[bool, Any] = (True, call())
        except Exception as exc:
            answer = (False, _picklable(exc))
        if not _send(conn, (*answer, memory())):
            return


def _send(conn: Connection, message: tuple[Any, ...]) -> bool:
    """Send to the daemon; False when it hung up (killed, or it gave up on this worker):
    the worker then ends quietly, not with a traceback on the daemon's stderr."""
    try:
        conn.send(message)
    except OSError:  # BrokenPipeError, ConnectionResetError
        return False
    return True


def _picklable(exc: Exception) -> Exception:
    try:
        pickle.dumps(exc)
    except Exception:
        return RuntimeError(repr(exc))
    return exc


def _memory_reader() -> Callable[[], tuple[int, int]]:
    """A function giving this process's resident bytes, now and at most. It keeps
    /proc/self/status open and reads it again from the start each time (the kernel writes
    it anew on every read): opening it and splitting it into fields cost 60 us a task."""
    try:
        fd = os.open("/proc/self/status", os.O_RDONLY)
    except OSError:
        return _peak_only

    def memory() -> tuple[int, int]:
        status = os.pread(fd, 8192, 0)
        return _kib(status, b"\nVmRSS:"), _kib(status, b"\nVmHWM:")

    return memory


def _kib(status: bytes, name: bytes) -> int:
    start = status.index(name) + len(name)
    return int(status[start:status.index(b"kB", start)]) * 1024


def _peak_only() -> tuple[int, int]:
    # Not Linux: the peak is all there is. (On Linux, ru_maxrss would be no use: it keeps
    # the peak of the process the worker was spawned from.)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak *= 1 if sys.platform == "darwin" else 1024
    return peak, peak


def _exit_with_parent(parent: int) -> None:
    """Exit when the daemon is gone. After a ``kill -9`` nothing tells the workers, which
    would otherwise wait on their pipe forever, one set per restart."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
