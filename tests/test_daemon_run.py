"""``scraper run`` and ``scraper poll`` as subprocesses against a server on 127.0.0.1: SIGTERM
shutdown, ``kill -9`` and restart, SIGHUP reload, and a daemon that survives bad feeds.

These wait on a real process, so they poll its output files with a deadline instead of
injecting a clock."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from scraper.models import article_id
from tests.httpserver import LoopbackServer, Reply, Request
from tests.test_poll import RSS_TYPE, Item, page, rss

# Each test starts `scraper` processes (a second or two of start-up each).
pytestmark = pytest.mark.slow

SETTINGS = """\
settings:
  per_host_delay: 0s
  respect_robots: false
  max_attempts: 1
  deadline: 2s
defaults:
  allow_private_networks: true
  interval: 1h
sources:
"""


def _source(name: str, *feeds: str) -> str:
    return f"  - name: {name}\n    feeds: [{', '.join(feeds)}]\n"


class Scraper:
    """A ``scraper`` subprocess with its stderr in a file."""

    def __init__(self, tmp: Path, *args: str) -> None:
        stamp = time.monotonic_ns()
        self.log = tmp / f"stderr-{stamp}.log"
        self.out = tmp / f"stdout-{stamp}.log"
        with self.log.open("wb") as err, self.out.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", "from scraper.cli import main; main()", *args],
                stdout=out, stderr=err, cwd=tmp, env={**os.environ, "COLUMNS": "250"},
            )

    def stderr(self) -> str:
        return self.log.read_text(errors="replace")

    def stdout(self) -> str:
        return self.out.read_text(errors="replace")

    def wait(self, timeout: float) -> int:
        return self.proc.wait(timeout)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.wait(10)


def wait_for(condition: Callable[[], bool], timeout: float = 20.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def records(out: Path) -> list[dict[str, Any]]:
    """Every complete record under ``out``; a torn line fails the test."""
    result = []
    for path in sorted(out.rglob("*.jsonl")):
        for line in path.read_bytes().splitlines(keepends=True):
            if not line.endswith(b"\n"):
                continue  # being written right now, or torn: checked at the end
            result.append(json.loads(line))
    return result


def assert_whole(out: Path) -> None:
    for path in out.rglob("*.jsonl"):
        data = path.read_bytes()
        assert data == b"" or data.endswith(b"\n"), f"torn line in {path}"
        for line in data.splitlines():
            json.loads(line)


@pytest.fixture
def released() -> Iterator[threading.Event]:
    event = threading.Event()
    yield event
    event.set()


@pytest.fixture
def procs() -> Iterator[list[Scraper]]:
    started: list[Scraper] = []
    yield started
    for proc in started:
        proc.kill()


def _stories(server: LoopbackServer, prefix: str, count: int) -> list[Item]:
    items = []
    for n in range(count):
        path = f"/{prefix}/{n}"
        server.route(path, Reply(200, page(f"{prefix} story {n}", f"Text of {prefix} {n}.")))
        items.append(Item(f"{prefix}-{n}", server.url(path), f"{prefix} {n}"))
    return items


def test_sigterm_finishes_in_flight_records_and_exits_0(
        server: LoopbackServer, tmp_path: Path, released: threading.Event,
        procs: list[Scraper]) -> None:
    items = _stories(server, "a", 3)

    def hang(request: Request) -> Reply:
        released.wait(30)
        return Reply(200, page("Late", "Late."))

    server.route("/hang", hang)
    server.route("/feed", Reply(200, rss([*items, Item("h", server.url("/hang"), "H")]),
                                content_type=RSS_TYPE))
    sources = tmp_path / "sources.yaml"
    # The hanging page outlasts the shutdown grace (3 s), not the other way round.
    sources.write_text(SETTINGS.replace("deadline: 2s", "deadline: 30s")
                       + _source("alpha", server.url("/feed")))
    out = tmp_path / "out"
    daemon = Scraper(tmp_path, "run", "--sources", str(sources), "--output", str(out))
    procs.append(daemon)
    wait_for(lambda: len({r.path for r in server.requests}) == 5, what="all pages requested")
    daemon.proc.send_signal(signal.SIGTERM)
    assert daemon.wait(10) == 0  # not waiting for the hanging page (30 s)
    assert_whole(out)
    assert [r["headline"] for r in records(out)] == ["a story 0", "a story 1", "a story 2"]
    log = daemon.stderr()
    assert "stopping (SIGTERM)" in log and "daemon stopped" in log
    assert "Traceback" not in log


def test_kill_9_and_restart_loses_and_tears_nothing(
        server: LoopbackServer, tmp_path: Path, procs: list[Scraper]) -> None:
    feeds = []
    expected = set()
    for f in range(4):
        items = _stories(server, f"s{f}", 15)
        expected |= {article_id(i.link) for i in items}
        server.route(f"/feed{f}", Reply(200, rss(items), content_type=RSS_TYPE))
        feeds.append(_source(f"src{f}", server.url(f"/feed{f}")))
    sources = tmp_path / "sources.yaml"
    sources.write_text(SETTINGS + "".join(feeds))
    out = tmp_path / "out"
    args = ("run", "--sources", str(sources), "--output", str(out))
    first = Scraper(tmp_path, *args)
    procs.append(first)
    wait_for(lambda: len(records(out)) >= 15, what="the first records")
    workers = _children(first.proc.pid)
    assert workers  # the extraction pool (and multiprocessing's resource tracker)
    first.proc.kill()  # SIGKILL: no cleanup at all
    first.wait(10)
    # The orphaned workers notice and exit instead of idling forever.
    wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in workers), timeout=10,
             what="the orphaned workers to exit")
    # What a crash in the middle of a write leaves behind, for the restart to repair.
    torn = sorted(out.rglob("*.jsonl"))[0]
    with torn.open("ab") as handle:
        handle.write(b'{"schema":1,"id":"torn')
    second = Scraper(tmp_path, *args)
    procs.append(second)
    wait_for(lambda: {r["id"] for r in records(out)} == expected, what="every article")
    # The first run may have written everything before its kill: the SIGTERM must still
    # find the second one running (its handlers are set when it logs its start).
    wait_for(lambda: "daemon started" in second.stderr(), what="the second start")
    second.proc.send_signal(signal.SIGTERM)
    assert second.wait(10) == 0
    assert_whole(out)
    written = records(out)
    assert {r["id"] for r in written} == expected
    # at-least-once: a record may repeat (same id and revision), never differ
    assert {(r["id"], r["revision"]) for r in written} == {(i, 1) for i in expected}
    assert "removed a torn last line of 22 bytes" in second.stderr()


def test_sighup_reload_keeps_old_config_when_invalid(
        server: LoopbackServer, tmp_path: Path, procs: list[Scraper]) -> None:
    server.route("/alpha", Reply(200, rss(_stories(server, "a", 2)), content_type=RSS_TYPE))
    server.route("/beta", Reply(200, rss(_stories(server, "b", 2)), content_type=RSS_TYPE))
    sources = tmp_path / "sources.yaml"
    sources.write_text(SETTINGS + _source("alpha", server.url("/alpha")))
    out = tmp_path / "out"
    daemon = Scraper(tmp_path, "run", "--sources", str(sources), "--output", str(out),
                     "--json-logs")
    procs.append(daemon)
    wait_for(lambda: len(records(out)) == 2, what="alpha's records")
    sources.write_text(SETTINGS + _source("alpha", server.url("/alpha")) + "    colour: red\n")
    daemon.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: "reload failed" in daemon.stderr(), what="the reload error")
    sources.write_text(SETTINGS + _source("alpha", server.url("/alpha"))
                       + _source("beta", server.url("/beta")))
    daemon.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: len(records(out)) == 4, what="beta's records")
    daemon.proc.send_signal(signal.SIGTERM)
    assert daemon.wait(10) == 0
    assert sorted(r["headline"] for r in records(out)) == [
        "a story 0", "a story 1", "b story 0", "b story 1"]
    logs = [json.loads(line) for line in daemon.stderr().splitlines()]
    [failed] = [x for x in logs if x.get("event") == "reload_failed"]
    assert "'colour'" in failed["message"] and failed["level"] == "error"
    assert [x["sources"] for x in logs if x.get("event") == "reload"] == [2]
    # alpha polled once: the failed reload did not drop or re-add its job
    assert len(server.requests_for("/alpha")) == 1


def test_daemon_survives_garbage_hanging_and_refused(
        server: LoopbackServer, tmp_path: Path, released: threading.Event,
        procs: list[Scraper]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        refused = f"http://127.0.0.1:{probe.getsockname()[1]}/feed"

    def hang(request: Request) -> Reply:
        released.wait(30)
        return Reply(200, b"")

    server.route("/garbage", Reply(200, b"\x89PNG not a feed at all", content_type="text/xml"))
    server.route("/hang", hang)
    good = _stories(server, "g", 2)
    server.route("/good", Reply(200, rss([Item("h", server.url("/hang"), "Hanging"), *good]),
                                content_type=RSS_TYPE))
    sources = tmp_path / "sources.yaml"
    sources.write_text(SETTINGS + _source("bad", server.url("/garbage"), refused)
                       + _source("good", server.url("/good")))
    out = tmp_path / "out"
    daemon = Scraper(tmp_path, "run", "--sources", str(sources), "--output", str(out),
                     "--json-logs")
    procs.append(daemon)
    wait_for(lambda: len(records(out)) == 3, what="the good source's records")
    daemon.proc.send_signal(signal.SIGTERM)
    assert daemon.wait(10) == 0
    assert sorted((r["headline"], r["status"]) for r in records(out)) == [
        ("Hanging", "feed_only"), ("g story 0", "ok"), ("g story 1", "ok")]
    polls = {x["feed"]: x for x in map(json.loads, daemon.stderr().splitlines())
             if x.get("event") == "poll"}
    assert {feed: (p["status"], p["new"], p["failed"], p["error"] is None)
            for feed, p in polls.items()} == {
        server.url("/garbage"): (200, 0, 0, False),
        refused: (None, 0, 0, False),
        server.url("/good"): (200, 3, 1, True),
    }


def test_poll_command_summary_and_exit_status(
        server: LoopbackServer, tmp_path: Path, procs: list[Scraper]) -> None:
    server.route("/good", Reply(200, rss(_stories(server, "g", 2)), content_type=RSS_TYPE))
    server.route("/broken", Reply(503, b"down", content_type="text/plain"))
    sources = tmp_path / "sources.yaml"
    sources.write_text(SETTINGS + _source("good", server.url("/good"))
                       + _source("broken", server.url("/broken")))
    out = tmp_path / "out"
    poll = Scraper(tmp_path, "poll", "--sources", str(sources), "--output", str(out),
                   "--source", "good")
    procs.append(poll)
    assert poll.wait(30) == 0
    assert len(records(out)) == 2
    poll = Scraper(tmp_path, "poll", "--sources", str(sources), "--output", str(out))
    procs.append(poll)
    assert poll.wait(30) == 1
    # Not a terminal: plain text; the feed that brought nothing new is folded into a line.
    header, *summary, quiet, footer = poll.stdout().splitlines()
    assert header.split() == ["source", "feed", "status", "new", "updated", "skipped", "failed"]
    assert [_cells(row) for row in summary] == [
        ["broken", server.url("/broken"), _cells(summary[0])[2], "0", "0", "0", "0"]]
    assert _cells(summary[0])[2].startswith("503 HTTP 503")
    assert quiet == "1 more feeds read with nothing new"
    assert footer == (f"2 feeds polled, 1 failed; no records written; state in "
                      f"{out}/state.sqlite3")
    status = Scraper(tmp_path, "status", "--output", str(out))
    procs.append(status)
    assert status.wait(30) == 0
    rows = [_cells(line) for line in status.stdout().splitlines()[1:]]
    assert [(r[0], r[1], r[3], r[4], r[6], r[7]) for r in rows] == [
        ("broken", server.url("/broken"), "503", "1", "0", "0"),
        ("good", server.url("/good"), "200", "0", "2", "2")]


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (Linux /proc)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def _cells(line: str) -> list[str]:
    """The cells of a line of plain-text table (columns apart by two spaces or more)."""
    return re.split(r" {2,}", line.strip())


def test_run_refuses_a_bad_config_and_a_busy_output(
        server: LoopbackServer, tmp_path: Path, procs: list[Scraper]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(SETTINGS + _source("alpha", server.url("/feed")) + "    colour: red\n")
    out = tmp_path / "out"
    refused = Scraper(tmp_path, "run", "--sources", str(bad), "--output", str(out))
    procs.append(refused)
    assert refused.wait(20) == 2
    assert refused.stderr().startswith(f"scraper: run: {bad}: source 'alpha': key 'colour': ")
    server.route("/feed", Reply(200, rss([]), content_type=RSS_TYPE))
    good = tmp_path / "sources.yaml"
    good.write_text(SETTINGS + _source("alpha", server.url("/feed")))
    first = Scraper(tmp_path, "run", "--sources", str(good), "--output", str(out))
    procs.append(first)
    wait_for(lambda: "poll source=alpha" in first.stderr(), what="the first poll")
    second = Scraper(tmp_path, "run", "--sources", str(good), "--output", str(out))
    procs.append(second)
    assert second.wait(20) == 2
    assert second.stderr().endswith(
        f"scraper: run: {out} is in use by another scraper process\n")
    first.proc.send_signal(signal.SIGTERM)
    assert first.wait(10) == 0


def test_run_keeps_polling_and_writes_what_the_feed_adds(
        server: LoopbackServer, tmp_path: Path, procs: list[Scraper]) -> None:
    items = _stories(server, "n", 3)
    feeds = [rss(items[:1]), rss(items[:2]), rss(items)]

    def feed(request: Request) -> Reply:
        version = len(server.requests_for("/feed")) - 1  # a new version on every poll
        return Reply(200, feeds[min(version, 2)], headers={"ETag": f'"v{version}"'},
                     content_type=RSS_TYPE)

    server.route("/feed", feed)
    sources = tmp_path / "sources.yaml"
    sources.write_text(SETTINGS.replace("interval: 1h", "interval: 1s")
                       + _source("alpha", server.url("/feed")))
    out = tmp_path / "out"
    daemon = Scraper(tmp_path, "run", "--sources", str(sources), "--output", str(out))
    procs.append(daemon)
    wait_for(lambda: len(records(out)) == 3, what="the third story")
    daemon.proc.send_signal(signal.SIGTERM)
    assert daemon.wait(10) == 0
    assert [r["headline"] for r in records(out)] == ["n story 0", "n story 1", "n story 2"]
    assert [len(server.requests_for(f"/n/{n}")) for n in range(3)] == [1, 1, 1]
    # each poll was conditional on the validator of the one before
    assert [r.headers.get("if-none-match") for r in server.requests_for("/feed")][:3] == [
        None, '"v0"', '"v1"']
