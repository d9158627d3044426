"""The extraction pool: workers that start before their first task, a time limit that times
the work, killed and dying workers, recycling by task count and by memory, and errors that
come back from a worker as the same class with their fields."""

from __future__ import annotations

import asyncio
import functools
import gc
import mmap
import multiprocessing
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from scraper import pool as pool_module
from scraper.config import load_config
from scraper.daemon import poll_once
from scraper.errors import ExtractionError, FeedError
from scraper.extract import extract
from scraper.models import ExtractRules, PageFields
from scraper.pool import ExtractorPool
from tests import worker_start
from tests.httpserver import LoopbackServer, Reply
from tests.test_poll import RSS_TYPE, Item, rss

pytestmark = pytest.mark.slow  # every test here starts worker processes

PAGE = (b"<html><head><title>T</title></head><body><article><h1>Pool story</h1>"
        b"<p>Text from a worker process.</p></article></body></html>")
RULES = ExtractRules()


def slow_or_dying_extract(html: bytes, url: str | None = None, rules: ExtractRules | None = None,
                          *, content_type: str | None = None) -> PageFields:
    """Runs in the pool's workers (spawned, so it must be importable): hangs on HANG, dies
    on DIE, raises on FAIL, else extracts."""
    if b"HANG" in html:
        threading.Event().wait()  # never set: only the time limit ends this task
    if b"DIE" in html:
        os._exit(3)
    if b"FAIL" in html:
        raise ValueError("a bug met on this page")
    return extract(html, url, rules, content_type=content_type)


_LEAKED: list[bytes] = []


def pid_extract(html: bytes, url: str | None = None, rules: ExtractRules | None = None,
                *, content_type: str | None = None) -> PageFields:
    """Runs in the pool's workers: says which process it ran in; LEAK makes it keep 64 MB."""
    if b"LEAK" in html:
        _LEAKED.append(b"x" * (64 * 1024 * 1024))
    return PageFields(canonical_url=url, body=str(os.getpid()))


def _pids(pool: ExtractorPool, pages: list[bytes]) -> list[str]:
    async def go() -> list[str]:
        try:
            return [(await pool(page, f"http://127.0.0.1/{n}", RULES, None)).body
                    for n, page in enumerate(pages)]
        finally:
            pool.close()

    return asyncio.run(go())


def test_pool_recycles_workers_after_their_share_of_tasks() -> None:
    pool = ExtractorPool(1, max_tasks_per_child=2, func=pid_extract)
    pids = _pids(pool, [PAGE] * 6)
    assert [pids[0], pids[2], pids[4]] == [pids[1], pids[3], pids[5]]
    assert len(set(pids)) == 3
    assert str(os.getpid()) not in pids
    assert [s.tasks for s in pool.retired] == [2, 2, 2]


def test_pool_recycles_a_worker_whose_memory_grew() -> None:
    pool = ExtractorPool(1, max_growth=32 * 1024 * 1024, func=pid_extract)
    pids = _pids(pool, [PAGE, PAGE, b"LEAK", PAGE, PAGE])
    assert pids[0] == pids[1] == pids[2] != pids[3] == pids[4]
    assert [s.tasks for s in pool.retired] == [3]
    grown = pool.retired[0]
    assert grown.rss - grown.start_rss > 32 * 1024 * 1024 < grown.peak_rss - grown.start_rss


def test_a_page_larger_than_the_pipe_buffer_comes_back_whole() -> None:
    # The page travels as raw bytes after its call; the worker gets every byte of it.
    story = "".join(f"<p>Paragraph {n} of a long story, told at length.</p>" for n in range(20000))
    page = f"<html><body><article><h1>Long story</h1>{story}</article></body></html>".encode()
    assert len(page) > 1024 * 1024

    async def go() -> tuple[PageFields, int]:
        pool = ExtractorPool(1)
        try:
            fields = await pool(page, "http://127.0.0.1/long", RULES, "text/html")
            return fields, await pool.call(gc.get_freeze_count, "freeze count")
        finally:
            pool.close()

    fields, frozen = asyncio.run(go())
    assert fields == extract(page, "http://127.0.0.1/long", RULES, content_type="text/html")
    assert fields.body.count("Paragraph") == 20000
    assert frozen > 10000  # the worker's imports are out of the collector's sight


def test_pages_go_through_shared_memory_or_the_pipe_by_size(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # A page within the shared memory is read from it, one larger comes through the pipe;
    # a shorter page after a longer one is read to its own end, not the longer one's.
    monkeypatch.setattr(pool_module, "_SHARED_PAGE_BYTES", 64 * 1024)
    long = PAGE.replace(b"<p>", b"<p>" + b"Long text. " * 10000)
    medium = PAGE.replace(b"<p>", b"<p>" + b"Some text. " * 1000)
    pages = [long, medium, PAGE, long.replace(b"Pool story", b"Second long"), PAGE]
    assert len(long) > 64 * 1024 > len(medium) > len(PAGE)

    async def go() -> list[PageFields]:
        pool = ExtractorPool(1)
        try:
            return [await pool(page, f"http://127.0.0.1/{n}", RULES, None)
                    for n, page in enumerate(pages)]
        finally:
            pool.close()

    assert asyncio.run(go()) == [extract(page, f"http://127.0.0.1/{n}", RULES)
                                 for n, page in enumerate(pages)]


@pytest.mark.parametrize("failing", ["memfd_create", "ftruncate"])
def test_without_shared_memory_to_spare_pages_go_through_the_pipe(
        monkeypatch: pytest.MonkeyPatch, failing: str) -> None:
    # No descriptor or memory to spare for a worker's shared memory (EMFILE, ENOMEM): the
    # worker started takes its pages through the pipe instead of the OSError escaping.
    def refuse(*args: object) -> None:
        raise OSError(24, "Too many open files")

    monkeypatch.setattr(pool_module.os, failing, refuse)

    async def go() -> PageFields:
        pool = ExtractorPool(1)
        try:
            return await pool(PAGE, "http://127.0.0.1/1", RULES, None)
        finally:
            pool.close()

    assert asyncio.run(go()) == extract(PAGE, "http://127.0.0.1/1", RULES)


def test_memory_reader_follows_the_resident_size() -> None:
    memory = pool_module._memory_reader()
    rss, peak = memory()
    # Fresh pages of a mapping of its own, each written, so resident: a bytes object could
    # reuse heap memory an earlier test freed that is still resident, and not grow the RSS.
    size = 64 * 1024 * 1024
    block = mmap.mmap(-1, size)
    for offset in range(0, size, mmap.PAGESIZE):
        block[offset] = 1
    grown, grown_peak = memory()
    assert grown - rss > 60 * 1024 * 1024
    assert grown_peak >= grown and grown_peak >= peak
    fields = dict(line.split(":", 1) for line in
                  Path("/proc/self/status").read_text().splitlines())
    assert abs(int(fields["VmRSS"].split()[0]) * 1024 - memory()[0]) < 4 * 1024 * 1024
    assert abs(int(fields["VmHWM"].split()[0]) * 1024 - memory()[1]) < 4 * 1024 * 1024
    block.close()


def test_pool_time_limit_kills_only_the_hung_worker() -> None:
    async def go() -> tuple[list[str], int]:
        pool = ExtractorPool(2, time_limit=1.5, func=slow_or_dying_extract)
        try:
            results = await asyncio.gather(
                pool(b"HANG" + PAGE, "http://127.0.0.1/hang", RULES, None),
                pool(PAGE, "http://127.0.0.1/ok", RULES, "text/html"),
                return_exceptions=True,
            )
            after = await pool(PAGE, "http://127.0.0.1/after", RULES, None)
            messages = [str(r) if isinstance(r, Exception) else r.canonical_url for r in results]
            return [*messages, after.headline or ""], pool.killed
        finally:
            pool.close()

    messages, killed = asyncio.run(go())
    assert messages == ["http://127.0.0.1/hang: extraction took over 1.5 s",
                        "http://127.0.0.1/ok", "Pool story"]
    assert killed == 1


def test_pool_survives_a_dying_worker() -> None:
    async def go() -> tuple[str, str | None]:
        pool = ExtractorPool(1, time_limit=20, func=slow_or_dying_extract)
        try:
            with pytest.raises(ExtractionError) as caught:
                await pool(b"DIE" + PAGE, "http://127.0.0.1/die", RULES, None)
            after = await pool(PAGE, "http://127.0.0.1/after", RULES, None)
            return str(caught.value), after.headline
        finally:
            pool.close()

    assert asyncio.run(go()) == ("http://127.0.0.1/die: the extraction worker died",
                                 "Pool story")


def test_a_bug_in_the_worker_is_an_extraction_error_naming_the_page() -> None:
    async def go() -> ExtractionError:
        pool = ExtractorPool(1, func=slow_or_dying_extract)
        try:
            with pytest.raises(ExtractionError) as caught:
                await pool(b"FAIL" + PAGE, "http://127.0.0.1/bug", RULES, None)
            return caught.value
        finally:
            pool.close()

    error = asyncio.run(go())
    assert error.url == "http://127.0.0.1/bug"
    assert str(error) == ("http://127.0.0.1/bug: extractor failed: "
                          "ValueError('a bug met on this page')")


def test_pool_parses_feeds_in_a_worker_and_feed_errors_come_back_whole() -> None:
    feed = rss([Item("g1", "http://127.0.0.1/a", "A")])

    async def go() -> tuple[list[tuple[str, str | None]], FeedError]:
        pool = ExtractorPool(1, time_limit=20)
        try:
            parsed = await pool.parse_feed(feed, "http://127.0.0.1/feed",
                                           {"content-type": RSS_TYPE})
            with pytest.raises(FeedError) as caught:
                await pool.parse_feed(b"<html><body>x</body></html>",
                                      "http://127.0.0.1/page", {})
            return [(e.link, e.title) for e in parsed.entries], caught.value
        finally:
            pool.close()

    entries, error = asyncio.run(go())
    assert entries == [("http://127.0.0.1/a", "A")]
    assert (error.url, error.feed, error.reason) == (
        "http://127.0.0.1/page", "http://127.0.0.1/page",
        "not a feed: the response is an HTML page")


def test_worker_start_up_has_its_own_bound_and_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKER_START", "hang")

    async def go() -> str:
        pool = ExtractorPool(1, time_limit=60, start_limit=1.0, func=worker_start.extract)
        try:
            with pytest.raises(ExtractionError) as caught:
                await pool(PAGE, "http://127.0.0.1/a", RULES, None)
            return str(caught.value)
        finally:
            pool.close()

    assert asyncio.run(go()) == ("http://127.0.0.1/a: no extraction worker started within "
                                 "1 s (the machine is overloaded)")


def test_a_worker_that_cannot_start_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKER_START", "fail")

    async def go() -> str:
        pool = ExtractorPool(1, func=worker_start.extract)
        try:
            with pytest.raises(ExtractionError) as caught:
                await pool(PAGE, "http://127.0.0.1/a", RULES, None)
            return str(caught.value)
        finally:
            pool.close()

    assert asyncio.run(go()) == (
        "http://127.0.0.1/a: the extraction worker could not start: "
        "ImportError('the extractor cannot be imported here')")


def test_a_one_second_limit_gives_a_small_page_its_record_on_the_first_poll(
        server: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The worker takes longer to start than the limit, as on a loaded machine; only the work
    # on the feed and on the page counts against the limit.
    monkeypatch.setenv("WORKER_START", "slow")
    server.route("/feed", Reply(200, rss([Item("g1", server.url("/story"), "Story")]),
                                content_type=RSS_TYPE))
    server.route("/story", Reply(200, PAGE, content_type="text/html"))
    path = tmp_path / "sources.yaml"
    path.write_text(f"""\
settings: {{per_host_delay: 0s, respect_robots: false, extract_time_limit: 1s}}
sources:
  - name: alpha
    feeds: [{server.url("/feed")}]
    allow_private_networks: true
""")
    config = load_config(path)
    assert config.extraction.time_limit == 1.0
    pool = ExtractorPool(1, time_limit=config.extraction.time_limit, func=worker_start.extract)
    try:
        outcome = asyncio.run(poll_once(config, config.sources, tmp_path / "out",
                                        extractor=pool))
    finally:
        pool.close()
    assert [(r.error, r.counts.new, r.counts.page_failures) for r in outcome.reports] == [
        (None, 1, 0)]
    (written,) = (tmp_path / "out" / "alpha").glob("*.jsonl")
    assert '"status":"ok"' in written.read_text()


def test_workers_import_only_what_extraction_needs() -> None:
    probe = """
import asyncio
from scraper.models import ExtractRules
from scraper.pool import ExtractorPool
from tests.worker_start import loaded_modules

async def go() -> str:
    pool = ExtractorPool(1, func=loaded_modules)
    try:
        return (await pool(b"<p>x</p>", "http://127.0.0.1/", ExtractRules(), None)).body
    finally:
        pool.close()

print(asyncio.run(go()))
"""
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True)
    loaded = set(result.stdout.split())
    assert {"scraper.extract", "scraper.feeds", "feedparser", "selectolax"} <= loaded
    heavy = {"scraper.cli", "scraper.daemon", "scraper.poller", "scraper.store",
             "scraper.fetch", "httpx", "httpcore", "tenacity", "protego", "apscheduler",
             "rich", "pygments", "click", "sqlite3"}
    assert loaded.isdisjoint(heavy), sorted(loaded & heavy)


def test_workers_do_not_run_the_program_script(tmp_path: Path) -> None:
    """Started from a script (``scraper`` is a console script importing the CLI), a worker
    runs neither the script nor what it imports."""
    script = tmp_path / "console.py"
    script.write_text("""
import asyncio
import scraper.cli
from scraper.models import ExtractRules
from scraper.pool import ExtractorPool
from tests.worker_start import loaded_modules

async def go() -> str:
    pool = ExtractorPool(1, func=loaded_modules)
    try:
        return (await pool(b"<p>x</p>", "http://127.0.0.1/", ExtractRules(), None)).body
    finally:
        pool.close()

if __name__ == "__main__":
    print(__file__, asyncio.run(go()))
""")
    root = Path(__file__).parent.parent
    # A script's own folder, not the working directory, starts its sys.path: the tests
    # package is found through PYTHONPATH, as it would not be in a clean checkout otherwise.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                            check=True, cwd=root, env=env)
    path, *loaded = result.stdout.split()
    assert path == str(script)  # the script's own name is back once the worker started
    assert "scraper.extract" in loaded
    assert not {"scraper.cli", "scraper.daemon", "rich"} & set(loaded)


def test_a_worker_whose_daemon_hung_up_ends_quietly(capfd: pytest.CaptureFixture[str]) -> None:
    """A daemon killed (kill -9) while a worker computes: the worker's answer meets a closed
    pipe. It used to die with a BrokenPipeError traceback on the daemon's stderr."""
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    worker = context.Process(target=pool_module._serve, args=(theirs, os.getpid(), ()))
    worker.start()
    theirs.close()
    assert ours.recv()[:2] == (True, None)  # ready
    ours.send(functools.partial(int, "7"))  # in the pipe before the daemon goes
    ours.close()
    worker.join(60)
    assert worker.exitcode == 0
    assert "Traceback" not in capfd.readouterr().err


def test_four_polls_at_once_with_the_default_limits_lose_no_healthy_feed(
        server: LoopbackServer, tmp_path: Path) -> None:
    # Four pools of default size start their workers together on the machine's cores; the
    # start-up of one must not count against another's task (issue 10).
    for feed in range(2):
        items = [Item(f"f{feed}-{n}", server.url(f"/story/{feed}/{n}"), f"Story {feed}.{n}")
                 for n in range(5)]
        server.route(f"/feed/{feed}", Reply(200, rss(items), content_type=RSS_TYPE))
        for n in range(5):
            server.route(f"/story/{feed}/{n}", Reply(200, PAGE.replace(
                b"Pool story", f"Story {feed}.{n}".encode()), content_type="text/html"))
    path = tmp_path / "sources.yaml"
    path.write_text(f"""\
settings: {{per_host_delay: 0s, respect_robots: false}}
sources:
  - name: alpha
    feeds: [{server.url("/feed/0")}, {server.url("/feed/1")}]
    allow_private_networks: true
""")
    config = load_config(path)

    async def four() -> list[list[tuple[str | None, int, int]]]:
        outcomes = await asyncio.gather(*(
            poll_once(config, config.sources, tmp_path / f"out{i}") for i in range(4)))
        return [[(r.error, r.counts.new, r.counts.page_failures) for r in o.reports]
                for o in outcomes]

    assert asyncio.run(four()) == [[(None, 5, 0), (None, 5, 0)]] * 4


@pytest.mark.parametrize(("cpus", "alone", "expected"), [
    (None, False, 1), (1, False, 1), (2, False, 1), (4, False, 3), (16, False, 4),
    (None, True, 1), (1, True, 1), (2, True, 2), (4, True, 4), (16, True, 4),
])
def test_default_workers_leave_a_core_to_the_poll(
        monkeypatch: pytest.MonkeyPatch, cpus: int | None, alone: bool, expected: int) -> None:
    monkeypatch.setattr(pool_module.os, "cpu_count", lambda: cpus)
    assert ExtractorPool.default_workers(alone=alone) == expected
