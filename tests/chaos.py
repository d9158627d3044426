"""The daemon under a kill -9 loop and hostile servers, and every promise of the README checked
on what it leaves behind. Used by tests/test_chaos.py (a small run) and benchmarks/chaos.py
(the full run, with its figures).

One LoopbackServer serves:

* healthy sources: Atom feeds of stories whose pages change, and which gain a story, between
  kills (the entry's ``updated`` moves with the text, so the poller reads them again);
* hostile feeds: a gzip bomb, an endless body, a drip-feed, a redirect loop, random bytes, a
  server error; each must fail, be counted and backed off, and stay scheduled;
* a feed of hostile pages (the same, plus 100,000 nested elements): each page must end as a
  record of the feed entry or be refused, without stopping the feed.

``scraper run`` is started; once every healthy feed has committed a poll in this run, some
pages change, and the daemon is killed with SIGKILL while it fetches them again (or a moment
after, during the extraction, the write or the commit), or, every other time, as soon as an
output file grows (between the write of a batch and its state commit, when the watcher is
quick enough), and so on ``kills`` times. Then a last
run is left to catch up and is stopped with SIGTERM. After every kill the output files are
checked (whole lines, one text per (id, revision)); at the end everything else.
"""

from __future__ import annotations

import functools
import gzip
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from scraper.errors import StoreError
from scraper.models import article_id, parse_time
from scraper.store import open_state_readonly, read_statuses
from tests.httpserver import LoopbackServer, Reply, Request

ATOM_TYPE = "application/atom+xml; charset=utf-8"
INTERVAL = 2.0  # seconds between polls of a source (failing feeds: 2, 4, 8 ... times that)
HOSTILE_FEEDS = ("bomb", "endless", "drip", "loop", "garbage", "error")
HOSTILE_PAGES = ("bomb", "endless", "drip", "loop", "garbage", "nested")

SETTINGS = f"""\
settings:
  per_host_delay: 0s
  respect_robots: false
  max_attempts: 1
  deadline: 2s
  max_bytes: 2000000
  max_revisions: 1000     # the cap is not under test here: every change must be written
defaults:
  allow_private_networks: true
  interval: {INTERVAL:g}s
sources:
"""


def _page(title: str, text: str) -> bytes:
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}'
            f"</title></head><body><article><h1>{title}</h1><p>{text}</p><p>Officials said "
            "the work would be finished next spring, weather permitting.</p></article>"
            "</body></html>").encode()


def _atom(entries: list[tuple[str, str, str, str]]) -> bytes:
    """Entries are (id, link, title, updated)."""
    body = "".join(
        f'<entry><id>{guid}</id><link rel="alternate" href="{link}"/><title>{title}</title>'
        f"<updated>{updated}</updated><published>2026-03-01T09:00:00Z</published></entry>"
        for guid, link, title, updated in entries)
    return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            "<title>Chaos</title><id>urn:chaos</id><updated>2026-03-01T10:00:00Z</updated>"
            f"{body}</feed>").encode()


def _endless() -> Iterator[bytes]:
    yield b"<html><body>"
    while True:
        yield b"x" * 65536


def _drip() -> Iterator[bytes]:
    yield b"<html>"
    for _ in range(100):
        yield b"x"


def _hostile(server: LoopbackServer, path: str, kind: str, rng: random.Random) -> None:
    """Route ``path`` to one of the hostile replies."""
    if kind == "bomb":
        bomb = gzip.compress(b"<html>" + bytes(50_000_000), compresslevel=9)
        server.route(path, Reply(body=bomb, headers={"Content-Encoding": "gzip"}))
    elif kind == "endless":
        server.route(path, lambda request: Reply(body=_endless()))
    elif kind == "drip":
        server.route(path, lambda request: Reply(body=_drip(), chunk_delay=0.1))
    elif kind == "loop":
        server.route(path, Reply(302, b"", headers={"Location": server.url(path)}))
    elif kind == "garbage":
        server.route(path, Reply(body=rng.randbytes(200_000), content_type="text/xml"))
    elif kind == "error":
        server.route(path, Reply(500, b"internal error", content_type="text/plain"))
    elif kind == "nested":
        server.route(path, Reply(body=b"<div>" * 100_000 + b"<p>deep</p>"))
    else:
        raise ValueError(kind)


class Site:
    """The healthy stories: (source, n) -> version, the text and feed following it. Each
    source starts with ``stories`` stories; ``change`` may add one."""

    def __init__(self, server: LoopbackServer, sources: int, stories: int) -> None:
        self.server = server
        self.sources = [f"news{s}" for s in range(sources)]
        self.count = dict.fromkeys(self.sources, 0)
        self.version: dict[tuple[str, int], int] = {}
        self._lock = threading.Lock()
        self._fetched = 0  # page requests so far
        self._trap: tuple[int, float, Callable[[], None]] | None = None
        for name in self.sources:
            server.route(f"/{name}/feed", self._feed_handler(name))
            for _ in range(stories):
                self._add(name)

    def _add(self, name: str) -> None:
        n = self.count[name]
        self.count[name] += 1
        self.version[(name, n)] = 0
        self.server.route(f"/{name}/{n}", self._page_handler(name, n))

    def link(self, name: str, n: int) -> str:
        return self.server.url(f"/{name}/{n}")

    def text(self, name: str, n: int) -> str:
        return f"Story {n} of {name}, version {self.version[(name, n)]}."

    def _page_handler(self, name: str, n: int) -> Callable[[Request], Reply]:
        def handler(request: Request) -> Reply:
            with self._lock:
                text = self.text(name, n)
                self._fetched += 1
                trap = self._trap
                if trap is not None and self._fetched >= trap[0]:
                    self._trap = None
                    # The kill comes while this page is in flight, or a moment after it is
                    # served (the extraction, the write, the commit of its batch).
                    timer = threading.Timer(trap[1], trap[2])
                    timer.daemon = True
                    timer.start()
            return Reply(body=_page(f"{name} story {n}", text))

        return handler

    def _feed_handler(self, name: str) -> Callable[[Request], Reply]:
        def handler(request: Request) -> Reply:
            with self._lock:
                entries = []
                for n in range(self.count[name]):
                    version = self.version[(name, n)]  # the entry's date moves with the text
                    entries.append((f"urn:{name}:{n}", self.link(name, n), f"{name} story {n}",
                                    f"2026-03-01T{10 + version // 60:02d}:{version % 60:02d}"
                                    ":00Z"))
            return Reply(body=_atom(entries), content_type=ATOM_TYPE)

        return handler

    def arm(self, pages: int, delay: float, action: Callable[[], None]) -> None:
        """Call ``action`` ``delay`` seconds after the ``pages``-th page request from now."""
        with self._lock:
            self._trap = (self._fetched + pages, delay, action)

    def change(self, rng: random.Random, share: float, *, grow: bool = False) -> int:
        """Give a new text (and a new ``updated``) to about ``share`` of the stories, and to
        one story of each source at least (so that every feed has pages to fetch again);
        with ``grow``, add a story to each source too, else change the stories added last
        (new to the state unless their batch was committed). Returns the pages changed."""
        changed = 0
        with self._lock:
            for name in self.sources:
                count = self.count[name]
                picked = {n for n in range(count) if rng.random() < share}
                if not grow:
                    picked.add(count - 1)
                for n in picked or {rng.randrange(count)}:
                    self.version[(name, n)] += 1
                    changed += 1
                if grow:
                    self._add(name)
                    changed += 1
        return changed

    def expected(self) -> dict[str, str]:
        """id -> the body the latest record of each story must have."""
        return {article_id(self.link(name, n)): self.text(name, n) for (name, n) in self.version}


class Daemon:
    """``scraper run`` as a subprocess, its stderr in a file."""

    def __init__(self, work: Path, sources: Path, output: Path, number: int) -> None:
        self.log = work / f"run-{number:02d}.log"
        with self.log.open("wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", "from scraper.cli import main; main()", "run",
                 "--sources", str(sources), "--output", str(output)],
                stdout=subprocess.DEVNULL, stderr=err, cwd=work,
                env={**os.environ, "COLUMNS": "250"},
            )

    def stderr(self) -> str:
        return self.log.read_text(errors="replace")


def wait_for(condition: Callable[[], bool], timeout: float, what: str,
             proc: subprocess.Popen[bytes] | None = None) -> None:
    """A hang guard: fails when ``condition`` is not met within ``timeout`` seconds (or the
    process it waits on has exited)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"the daemon exited ({proc.returncode}) waiting for {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} within {timeout:g} s (a hang?)")
        time.sleep(0.05)


def read_records(output: Path, *, torn: bool = False) -> list[dict[str, Any]]:
    """Every record of the output files; an unreadable line fails, and so does a torn last
    line unless ``torn`` (right after a kill, before the restart that cuts it)."""
    records = []
    for path in sorted(output.glob("*/*.jsonl")):
        data = path.read_bytes()
        if torn:
            data = data[:data.rfind(b"\n") + 1]
        assert data == b"" or data.endswith(b"\n"), f"torn last line in {path}"
        records += [json.loads(line) for line in data.splitlines()]
    return records


def check_revisions(records: list[dict[str, Any]]) -> int:
    """One text per (id, revision), revisions 1, 2, 3 ... without a gap; returns the number of
    exact repeats."""
    texts: dict[tuple[str, int], str] = {}
    repeats = 0
    for record in records:
        key = (record["id"], record["revision"])
        if key in texts:
            assert texts[key] == record["content_hash"], f"two texts under {key}"
            repeats += 1
        texts[key] = record["content_hash"]
    revisions: dict[str, set[int]] = {}
    for article, revision in texts:
        revisions.setdefault(article, set()).add(revision)
    for article, seen in revisions.items():
        assert seen == set(range(1, max(seen) + 1)), f"revisions of {article}: {sorted(seen)}"
    return repeats


@dataclass
class Figures:
    """What a chaos run did and found."""

    kills: int = 0
    changes: int = 0  # story texts changed (and stories added) between kills
    records: int = 0
    articles: int = 0
    revisions: int = 0  # records of a revision above 1
    repeats: int = 0  # exact repeats of an (id, revision)
    torn_lines_cut: int = 0
    taken_in: int = 0  # records found past the last commit on a restart
    renumbered: int = 0  # records given the next revision: the files had another text
    feed_only: int = 0
    hostile_feeds: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        """The figures as lines of text, for the script's report."""
        rows = [f"kills (SIGKILL mid-poll): {self.kills}",
                f"story texts changed or stories added between kills: {self.changes}",
                f"records written: {self.records} for {self.articles} articles "
                f"({self.revisions} of a revision above 1, {self.feed_only} feed_only)",
                f"exact repeats of an (id, revision): {self.repeats}; two texts under one: 0",
                f"torn last lines cut on restart: {self.torn_lines_cut}",
                f"records taken into the state from past the last commit: {self.taken_in}",
                f"records given the next revision (another text under theirs in the files): "
                f"{self.renumbered}",
                "hostile feeds (consecutive errors, failures, last error):"]
        rows += [f"  {feed}: {errors}, {failures}, {error}"
                 for feed, (errors, failures, error) in sorted(self.hostile_feeds.items())]
        rows.append(f"wall time: {self.seconds:.0f} s")
        return rows


def run_chaos(work: Path, *, kills: int, sources: int, stories: int, seed: int = 1,
              share: float = 0.3, progress: Callable[[str], None] | None = None) -> Figures:
    """Run the kill loop in ``work`` and check every promise; returns the figures."""
    started = time.monotonic()
    rng = random.Random(seed)
    say = progress or (lambda text: None)
    server = LoopbackServer()
    procs: list[Daemon] = []
    try:
        site = Site(server, sources, stories)
        for kind in HOSTILE_FEEDS:
            _hostile(server, f"/hostile/{kind}", kind, rng)
        entries = []
        for kind in HOSTILE_PAGES:
            _hostile(server, f"/bad/{kind}", kind, rng)
            entries.append((f"urn:bad:{kind}", server.url(f"/bad/{kind}"), f"Bad {kind}",
                            "2026-03-01T10:00:00Z"))
        server.route("/bad/feed", Reply(body=_atom(entries), content_type=ATOM_TYPE))
        config = SETTINGS + "".join(
            f"  - name: {name}\n    feeds: [{server.url(f'/{name}/feed')}]\n"
            for name in site.sources)
        hostile_urls = [server.url(f"/hostile/{kind}") for kind in HOSTILE_FEEDS]
        config += f"  - name: hostile\n    feeds: [{', '.join(hostile_urls)}]\n"
        config += f"  - name: badpages\n    feeds: [{server.url('/bad/feed')}]\n"
        sources_file = work / "sources.yaml"
        sources_file.write_text(config)
        output = work / "output"
        figures = Figures()
        feeds = [server.url(f"/{name}/feed") for name in site.sources]
        for number in range(kills):
            polled = _polled_again(output, feeds)
            daemon = Daemon(work, sources_file, output, number)
            procs.append(daemon)
            wait_for(polled, 120, "a committed poll of every healthy feed", daemon.proc)
            changed = site.change(rng, share, grow=True)
            figures.changes += changed
            if number % 2:
                site.arm(rng.randint(1, changed), rng.choice((0.0, rng.uniform(0.0, 0.3))),
                         functools.partial(_kill, daemon.proc))
            else:
                _kill_on_write(output, daemon.proc)
            wait_for(functools.partial(_exited, daemon.proc), 120,
                     "the kill while the changed pages are fetched or written")
            assert daemon.proc.returncode == -signal.SIGKILL, daemon.proc.returncode
            figures.kills += 1
            # Pages change before the restart too: one whose record the killed run wrote but
            # did not commit must come back as the next revision, not a second text under
            # the revision written.
            figures.changes += site.change(rng, share / 2)
            records = read_records(output, torn=True)
            check_revisions(records)
            say(f"kill {number + 1}/{kills}: {len(records)} records")
        # The last run catches up with every change, then stops cleanly.
        polled = _polled_again(output, [*feeds, server.url("/bad/feed")])
        last = Daemon(work, sources_file, output, kills)
        procs.append(last)
        wait_for(polled, 120, "a committed poll of every feed with entries", last.proc)
        expected = site.expected()

        def caught_up() -> bool:
            latest: dict[str, tuple[int, str]] = {}
            for record in read_records(output, torn=True):
                if record["id"] in expected and record["revision"] >= latest.get(
                        record["id"], (0, ""))[0]:
                    latest[record["id"]] = (record["revision"], record["body"])
            return all(expected[i] in latest.get(i, (0, ""))[1] for i in expected)

        wait_for(caught_up, 300, "catching up with every story", last.proc)
        bad_feed = server.url("/bad/feed")
        wait_for(lambda: sum(1 for r in read_records(output, torn=True)
                             if r["feed_url"] == bad_feed) == len(HOSTILE_PAGES),
                 120, "a record of every hostile page", last.proc)
        last.proc.send_signal(signal.SIGTERM)
        assert last.proc.wait(30) == 0, "the last run did not stop cleanly on SIGTERM"
        say("stopped cleanly")
        _check_end(output, site, server, procs, figures)
        figures.seconds = time.monotonic() - started
        return figures
    finally:
        for daemon in procs:
            if daemon.proc.poll() is None:
                daemon.proc.kill()
                daemon.proc.wait(30)
        server.close()


def _kill(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)


def _kill_on_write(output: Path, proc: subprocess.Popen[bytes]) -> None:
    """Kill ``proc`` as soon as an output file grows: the lines of a batch are written, its
    fsync and state commit (a few milliseconds) may not be done yet."""
    sizes = {path: path.stat().st_size for path in output.glob("*/*.jsonl")}

    def watch() -> None:
        while proc.poll() is None:
            if any(path.stat().st_size > sizes.get(path, 0)
                   for path in output.glob("*/*.jsonl")):
                _kill(proc)
                return
            time.sleep(0.001)

    threading.Thread(target=watch, daemon=True).start()


def _exited(proc: subprocess.Popen[bytes]) -> bool:
    return proc.poll() is not None


def _polled_again(output: Path, feeds: list[str]) -> Callable[[], bool]:
    """A condition: every feed of ``feeds`` has committed a poll since now."""
    before = _polls(output, feeds)
    return lambda: all(n > before[f] for f, n in _polls(output, feeds).items())


def _polls(output: Path, feeds: list[str]) -> dict[str, int]:
    """The committed poll count of each feed (0 before the first)."""
    polls = dict.fromkeys(feeds, 0)
    try:
        with open_state_readonly(output) as conn:
            rows = read_statuses(conn, "2026-03-01") if conn is not None else []
    except StoreError:
        rows = []  # a daemon starting: the file is there, its tables not yet
    for row in rows:
        if row.state.feed_url in polls:
            polls[row.state.feed_url] = row.counters.polls
    return polls


def _check_end(output: Path, site: Site, server: LoopbackServer, procs: list[Daemon],
               figures: Figures) -> None:
    records = read_records(output)
    figures.records = len(records)
    figures.repeats = check_revisions(records)
    figures.articles = len({r["id"] for r in records})
    figures.revisions = sum(1 for r in records if r["revision"] > 1)
    figures.feed_only = sum(1 for r in records if r["status"] == "feed_only")
    # Nothing lost: every story's latest record is its page's last text, fetched whole.
    latest: dict[str, dict[str, Any]] = {}
    for record in records:
        if record["revision"] >= latest.get(record["id"], {"revision": 0})["revision"]:
            latest[record["id"]] = record
    for article, text in site.expected().items():
        assert latest[article]["status"] == "ok" and text in latest[article]["body"], article
    # Every hostile page ended as the feed entry's record (or was read as what it is).
    bad = {r["url"] for r in records if r["feed_url"] == server.url("/bad/feed")}
    assert bad == {server.url(f"/bad/{kind}") for kind in HOSTILE_PAGES}
    # Failing feeds: failed, counted, backed off, still scheduled.
    with open_state_readonly(output) as conn:
        assert conn is not None
        rows = {row.state.feed_url: row for row in read_statuses(conn, "2026-03-01")}
    for kind in HOSTILE_FEEDS:
        row = rows[server.url(f"/hostile/{kind}")]
        state = row.state
        assert state.last_error and state.consecutive_errors >= 1 and row.counters.failures >= 1
        assert state.last_poll is not None and state.next_poll is not None
        waited = parse_time(state.next_poll) - parse_time(state.last_poll)
        assert waited >= timedelta(seconds=2 * INTERVAL), (kind, waited)
        figures.hostile_feeds[kind] = (state.consecutive_errors, row.counters.failures,
                                       state.last_error)
    for name in site.sources:
        assert rows[server.url(f"/{name}/feed")].state.consecutive_errors == 0
    # No traceback, no hang (every run started; the last one stopped on SIGTERM).
    for daemon in procs:
        log = daemon.stderr()
        assert "Traceback" not in log, f"a traceback in {daemon.log}"
        figures.torn_lines_cut += log.count("removed a torn last line")
        figures.taken_in += sum(
            int(line.split("took ", 1)[1].split()[0]) for line in log.splitlines()
            if "records written before a crash into the state" in line)
        figures.renumbered += log.count("has another text (written before a crash)")
    assert "daemon stopped" in procs[-1].stderr()
