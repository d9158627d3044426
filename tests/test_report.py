"""What the operator sees, exactly: the daemon's line per round (skipped polls counted, not
logged each time), the end of `scraper poll`, `scraper status` as plain text in a pipe and as
JSON, and `scraper scrape` pointing a feed to `scraper poll`."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from scraper.cli import main
from scraper.config import load_config
from scraper.daemon import Daemon, status_rows
from scraper.models import Article, Counters
from scraper.poller import FeedReport
from scraper.report import (
    Round,
    plain_table,
    poll_footer,
    status_json,
    status_table,
    status_text,
    summary_table,
    summary_text,
)
from scraper.store import Batch, FeedState, Store
from tests.httpserver import LoopbackServer, Reply
from tests.test_poll import RSS_TYPE, Item, rss

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _text(table: object) -> str:
    console = Console(width=250, record=True, file=io.StringIO())
    console.print(table)
    return console.export_text()


# -- the daemon's round line -------------------------------------------------------------


def test_round_line_counts_feeds_304s_new_updated_failed_and_skips() -> None:
    tally = Round()
    assert tally.empty
    tally.add(FeedReport("alpha", "http://x/1", 304))
    tally.add(FeedReport("alpha", "http://x/2", 200, counts=Counters(new=3, updated=1,
                                                                     page_failures=2)))
    tally.add(FeedReport("beta", "http://y/1", None, "connection refused"))
    tally.skip("gamma")
    tally.skip("gamma")
    tally.skip("beta")
    assert tally.line(NOW + timedelta(minutes=29), NOW) == (
        "round: 3 feeds polled, 1 not modified, 3 new, 1 updated, 1 failed, 2 pages failed, "
        "3 polls skipped: still running (beta, gamma x2); "
        "next due 2026-03-01T12:29:00Z (in 29m)")


def test_round_line_when_every_feed_failed() -> None:
    tally = Round()
    for n in range(16):
        tally.add(FeedReport("s", f"http://x/{n}", 503, "HTTP 503"))
    assert tally.line(None, NOW) == (
        "round: 16 feeds polled, 0 not modified, 0 new, 0 updated, 16 failed; next due -")


SOURCES = """\
sources:
  - name: alpha
    feeds: [http://127.0.0.1:9/a, http://127.0.0.1:9/b]
    interval: 30m
"""


class _Job:
    next_run_time = NOW + timedelta(minutes=30)


class _Scheduler:
    def get_job(self, name: str) -> _Job:
        return _Job()


class _Poller:
    def __init__(self, store: Store) -> None:
        self.store = store


def test_daemon_logs_one_line_per_round_with_the_next_feed_due(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(SOURCES)
    with Store.open(tmp_path / "out") as store:
        # One feed backs off past the source's next run; the other is due with that run.
        store.commit(Batch(feed=FeedState("alpha", "http://127.0.0.1:9/a",
                                          next_poll="2026-03-01T14:00:00Z")))
        daemon = Daemon(path, tmp_path / "out", now=lambda: NOW)
        daemon.apply(load_config(path))
        daemon.poller = _Poller(store)  # type: ignore[assignment]
        daemon.scheduler = _Scheduler()  # type: ignore[assignment]
        caplog.set_level(logging.INFO, logger="scraper.daemon")
        daemon.end_round()  # nothing happened: no line
        daemon.round.add(FeedReport("alpha", "http://127.0.0.1:9/b", 304))
        daemon.end_round()
    assert [r.getMessage() for r in caplog.records] == [
        "round: 1 feeds polled, 1 not modified, 0 new, 0 updated, 0 failed; "
        "next due 2026-03-01T12:30:00Z (in 30m)"]
    assert caplog.records[0].__dict__["event"] == "round"
    assert daemon.round.empty


def test_a_poll_that_fires_while_the_last_runs_is_counted_not_run(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(SOURCES)
    daemon = Daemon(path, tmp_path / "out")
    daemon.apply(load_config(path))

    class NoPoller:
        async def poll_source(self, *args: object, **kwargs: object) -> list[FeedReport]:
            raise AssertionError("a second poll of the source started")

    daemon.poller = NoPoller()  # type: ignore[assignment]
    daemon._polling.add("alpha")
    asyncio.run(daemon._job("alpha"))
    asyncio.run(daemon._job("alpha"))
    assert daemon.round.skipped == {"alpha": 2}


# -- scraper poll ------------------------------------------------------------------------

REPORTS = (
    FeedReport("alpha", "http://x/f", 200, None, Counters(new=2, updated=1, skipped=3)),
    FeedReport("beta", "http://y/f", None, "connection refused"),
    *(FeedReport("gamma", f"http://z/{n}", 304) for n in range(998)),
)


def test_summary_shows_the_feeds_that_did_something_and_one_line_for_the_rest() -> None:
    assert summary_text(REPORTS) == (
        "source  feed        status              new  updated  skipped  failed\n"
        "alpha   http://x/f  200                 2    1        3        0\n"
        "beta    http://y/f  connection refused  0    0        0        0\n"
        "998 more feeds read with nothing new")
    rows = [[cell.strip() for cell in line.split("│")[1:-1]]
            for line in _text(summary_table(REPORTS)).splitlines() if line.startswith("│")]
    assert rows == [
        ["alpha", "http://x/f", "200", "2", "1", "3", "0"],
        ["beta", "http://y/f", "connection refused", "0", "0", "0", "0"],
    ]
    assert "998 more feeds read with nothing new" in _text(summary_table(REPORTS))


def test_poll_footer_says_how_many_records_and_where() -> None:
    assert poll_footer(REPORTS, Path("out")) == (
        "1000 feeds polled, 1 failed; wrote 3 records (2 new, 1 updated) to "
        "out/<source>/<UTC day>.jsonl; state in out/state.sqlite3")
    assert poll_footer(REPORTS[2:4], Path("out")) == (
        "2 feeds polled, 0 failed; no records written; state in out/state.sqlite3")


def test_scraper_poll_ends_with_its_summary_and_where_it_wrote(
        server: LoopbackServer, tmp_path: Path) -> None:
    server.route("/feed", Reply(200, rss([Item("g1", server.url("/story"), "Story")]),
                                content_type=RSS_TYPE))
    server.route("/quiet", Reply(200, rss([]), content_type=RSS_TYPE))
    server.route("/story", Reply(200, b"<html><body><article><h1>Story</h1><p>Text of the "
                                      b"story.</p></article></body></html>"))
    path = tmp_path / "sources.yaml"
    path.write_text(f"""\
settings: {{per_host_delay: 0s, respect_robots: false}}
sources:
  - name: alpha
    feeds: [{server.url("/feed")}, {server.url("/quiet")}]
    allow_private_networks: true
""")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["poll", "--sources", str(path), "--output", str(out)])
    assert result.exit_code == 0, result.output
    feed = server.url("/feed")
    assert result.stdout.splitlines() == [
        "source  feed" + " " * (len(feed) - 2) + "status  new  updated  skipped  failed",
        f"alpha   {feed}  200     1    0        0        0",
        "1 more feeds read with nothing new",
        f"2 feeds polled, 0 failed; wrote 1 records (1 new, 0 updated) to "
        f"{out}/<source>/<UTC day>.jsonl; state in {out}/state.sqlite3",
    ]


# -- scraper status ----------------------------------------------------------------------


def _polled(out: Path) -> None:
    article = Article(id="1" * 32, url="http://x/a", canonical_url="http://x/a", source="alpha",
                      feed_url="http://x/f", fetched_at="2026-03-01T11:00:00Z")
    with Store.open(out, now=lambda: NOW) as store:
        store.commit(Batch(
            feed=FeedState("alpha", "http://x/f", last_poll="2026-03-01T11:00:00Z",
                           last_status=200, next_poll="2026-03-01T12:15:00Z"),
            counters=Counters(polls=1, new=2),
            records=(article, Article(id="2" * 32, url="u", canonical_url="u", source="alpha",
                                      feed_url="http://x/f",
                                      fetched_at="2026-02-28T10:00:00Z")),
        ))
        store.commit(Batch(feed=FeedState(
            "beta", "http://y/f", last_poll="2026-03-01T11:59:00Z", consecutive_errors=3,
            next_poll="2026-03-01T14:00:00Z", last_error="connection refused"),
            counters=Counters(polls=1, failures=1, deferred=4)))


def test_status_rows_read_while_the_writer_holds_the_lock(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert status_rows(out) is None
    _polled(out)
    with Store.open(out, now=lambda: NOW):
        rows = status_rows(out, NOW)
    assert rows is not None
    assert [(r.state.source, r.state.consecutive_errors, r.written_today, r.written_total)
            for r in rows] == [("alpha", 0, 1, 2), ("beta", 3, 0, 0)]


def test_status_as_plain_text_is_aligned_and_never_wrapped(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _polled(out)
    rows = status_rows(out, NOW)
    assert rows is not None
    assert status_text(rows, NOW).splitlines() == [
        "source  feed        last poll                       status  errors  "
        "next poll                      today  total  left out            last error",
        "alpha   http://x/f  2026-03-01T11:00:00Z (60m ago)  200     0       "
        "2026-03-01T12:15:00Z (in 15m)  1      2",
        "beta    http://y/f  2026-03-01T11:59:00Z (60s ago)  -       3       "
        "2026-03-01T14:00:00Z (in 2h)   0      0      4 entries deferred  connection refused",
    ]
    text = _text(status_table(rows, NOW))
    assert "2026-03-01T14:00:00Z (in 2h)" in text and "connection refused" in text


def test_status_json_gives_each_feeds_state_and_counters(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _polled(out)
    rows = status_rows(out, NOW)
    assert rows is not None
    feeds = json.loads(status_json(rows))
    assert feeds[1] == {
        "source": "beta", "feed": "http://y/f", "etag": None, "last_modified": None,
        "last_poll": "2026-03-01T11:59:00Z", "last_status": None, "consecutive_errors": 3,
        "next_poll": "2026-03-01T14:00:00Z", "last_error": "connection refused",
        "written_today": 0, "written_total": 0,
        "counters": {"polls": 1, "failures": 1, "not_modified": 0, "bozo": 0, "new": 0,
                     "updated": 0, "feed_only": 0, "page_failures": 0, "gave_up": 0,
                     "revisions_capped": 0, "changes_capped": 0, "deferred": 4,
                     "entries_cut": 0},
    }
    assert [f["source"] for f in feeds] == ["alpha", "beta"]


def test_scraper_status_in_a_pipe_and_as_json(tmp_path: Path) -> None:
    out = tmp_path / "out"
    runner = CliRunner()
    assert runner.invoke(main, ["status", "--output", str(out)]).stdout == (
        f"nothing has been polled into {out} yet\n")
    assert runner.invoke(main, ["status", "--json", "--output", str(out)]).stdout == "[]\n"
    _polled(out)
    plain = runner.invoke(main, ["status", "--output", str(out)])
    assert plain.exit_code == 0
    lines = plain.stdout.splitlines()
    assert lines[0].split() == ["source", "feed", "last", "poll", "status", "errors", "next",
                                "poll", "today", "total", "left", "out", "last", "error"]
    assert len(lines) == 3 and "│" not in plain.stdout
    assert lines[2].endswith("4 entries deferred  connection refused")
    as_json = runner.invoke(main, ["status", "--json", "--output", str(out)])
    assert [(f["source"], f["consecutive_errors"]) for f in json.loads(as_json.stdout)] == [
        ("alpha", 0), ("beta", 3)]


def test_plain_table_pads_every_column_but_the_last() -> None:
    assert plain_table(("a", "bb"), [("xyz", "1"), ("", "")]).split("\n") == [
        "a    bb", "xyz  1", ""]


# -- scraper scrape on a feed ------------------------------------------------------------


def test_scrape_on_a_feed_says_to_use_poll(server: LoopbackServer) -> None:
    feed = rss([Item("g1", server.url("/story"), "Story")])
    server.route("/rss", Reply(200, feed, content_type=RSS_TYPE))
    server.route("/rss-as-html", Reply(200, feed, content_type="text/html"))
    result = CliRunner().invoke(main, ["scrape", "--delay", "0", "--ignore-robots",
                                       server.url("/rss"), server.url("/rss-as-html")])
    assert result.exit_code == 1
    hint = "feeds are read by `scraper poll` (add the feed to sources.yaml)"
    assert result.stderr.splitlines() == [
        f"scraper: {server.url('/rss')}: a feed (content type application/rss+xml), not an "
        f"HTML page; {hint}",
        f"scraper: {server.url('/rss-as-html')}: a feed (RSS, Atom or RDF), not an HTML "
        f"page; {hint}",
    ]
    assert result.stdout == ""
