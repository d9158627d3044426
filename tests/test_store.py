"""The store: file layout, line format, durability order, torn-line repair, state round trip."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scraper.errors import StoreError
from scraper.models import (
    KEPT_COUNTERS,
    Article,
    Counters,
    article_id,
    format_time,
    parse_time,
    record_line,
)
from scraper.store import (
    SCHEMA_VERSION,
    ArticleState,
    Batch,
    EntryLink,
    FeedState,
    FeedStatus,
    Snapshot,
    Store,
    _Writer,
    feed_statuses,
    repair_torn_lines,
)

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


def _article(url: str, *, source: str | None = "alpha", fetched_at: str = "2026-03-01T12:00:00Z",
             revision: int = 1, body: str = "Body text.") -> Article:
    return Article(id=article_id(url), url=url, canonical_url=url, source=source,
                   feed_url="http://127.0.0.1/feed", headline="Héadline", body=body,
                   revision=revision, fetched_at=fetched_at)


def _feed(source: str = "alpha") -> FeedState:
    return FeedState(source, "http://127.0.0.1/feed", etag='"v1"', last_poll="2026-03-01T12:00:00Z",
                     last_status=200, next_poll="2026-03-01T12:15:00Z")


def _open(tmp_path: Path) -> Store:
    return Store.open(tmp_path / "out", now=lambda: NOW)


def test_time_format_round_trip() -> None:
    assert format_time(NOW) == "2026-03-01T12:00:00Z"
    assert parse_time("2026-03-01T12:00:00Z") == NOW


def test_record_line_is_compact_utf8_with_one_newline() -> None:
    line = record_line(_article("http://127.0.0.1/a"))
    assert line.endswith(b'"fetched_at":"2026-03-01T12:00:00Z"}\n')
    assert line.count(b"\n") == 1
    assert "Héadline".encode() in line  # not \u00e9
    assert b'", "' not in line and b'": ' not in line


def test_records_go_to_source_and_utc_day_files(tmp_path: Path) -> None:
    a = _article("http://127.0.0.1/a")
    b = _article("http://127.0.0.1/b", fetched_at="2026-03-02T00:00:01Z")
    c = _article("http://127.0.0.1/c", source=None)
    with _open(tmp_path) as store:
        store.commit(Batch(feed=_feed(), records=(a, b, c)))
    out = tmp_path / "out"
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*.jsonl")) == [
        "_unsourced/2026-03-01.jsonl", "alpha/2026-03-01.jsonl", "alpha/2026-03-02.jsonl"]
    assert (out / "alpha/2026-03-01.jsonl").read_bytes() == record_line(a)
    assert (out / "alpha/2026-03-02.jsonl").read_bytes() == record_line(b)
    assert (out / "_unsourced/2026-03-01.jsonl").read_bytes() == record_line(c)


def test_batches_append_in_order(tmp_path: Path) -> None:
    a, b = _article("http://127.0.0.1/a"), _article("http://127.0.0.1/b")
    with _open(tmp_path) as store:
        store.commit(Batch(feed=_feed(), records=(a,)))
    with _open(tmp_path) as store:
        store.commit(Batch(feed=_feed(), records=(b, replace(a, revision=2))))
    lines = (tmp_path / "out/alpha/2026-03-01.jsonl").read_bytes().splitlines(keepends=True)
    assert lines == [record_line(a), record_line(b), record_line(replace(a, revision=2))]


def test_state_round_trip(tmp_path: Path) -> None:
    url = "http://127.0.0.1/a"
    state = ArticleState(id=article_id(url), canonical_url=url, source="alpha",
                         feed_url="http://127.0.0.1/feed", content_hash="h", revision=1,
                         entry_updated="2026-03-01T11:00:00Z", status="feed_only",
                         page_failures=1, gave_up=False, first_seen="2026-03-01T12:00:00Z",
                         last_seen="2026-03-01T12:00:00Z")
    link = EntryLink("http://127.0.0.1/feed", "guid-1", state.id, "2026-03-01T11:00:00Z")
    with _open(tmp_path) as store:
        assert store.feed("alpha", "http://127.0.0.1/feed") is None
        store.commit(Batch(feed=_feed(), counters=Counters(polls=1, new=1),
                           articles=(state,), entries=(link,), aliases=((url, state.id),)))
        store.commit(Batch(feed=_feed(), counters=Counters(polls=1, not_modified=1)))
    with _open(tmp_path) as store:
        assert store.feed("alpha", "http://127.0.0.1/feed") == _feed()
        assert store.article(state.id) == state
        assert store.read_known("", (), [url, "http://127.0.0.1/other"], ()) == Snapshot(
            articles=(state,), aliases=((url, state.id),))
        assert store.entry("http://127.0.0.1/feed", "guid-1") == link
        [row] = store.statuses("2026-03-01")
        assert row.counters == Counters(polls=2, not_modified=1, new=1)


def _state(article: Article, source: str, content_hash: str) -> ArticleState:
    return ArticleState(id=article.id, canonical_url=article.canonical_url, source=source,
                        feed_url="http://127.0.0.1/feed", content_hash=content_hash,
                        revision=article.revision, entry_updated=None, status=article.status,
                        page_failures=0, gave_up=False, first_seen="2026-03-01T12:00:00Z",
                        last_seen="2026-03-01T12:00:00Z")


def test_a_record_already_written_is_left_out_in_the_same_transaction(tmp_path: Path) -> None:
    url = "http://127.0.0.1/a"
    first = _article(url)
    race = _article(url, source="beta", body="Other text.")
    link = EntryLink("http://127.0.0.1/feed", "beta-guid", first.id, None)
    with _open(tmp_path) as store:
        assert store.commit(Batch(
            feed=_feed(), counters=Counters(polls=1, new=1), records=(first,),
            articles=(_state(first, "alpha", "h1"),))) == ()
        # Another source's poll that raced for the same article: its record is refused.
        assert store.commit(Batch(
            feed=_feed("beta"), counters=Counters(polls=1, new=1), records=(race,),
            articles=(_state(race, "beta", "h2"),), entries=(link,),
            aliases=(("http://127.0.0.1/amp/a", first.id),))) == (race,)
        assert store.article(first.id) == _state(first, "alpha", "h1")
        assert store.entry("http://127.0.0.1/feed", "beta-guid") == link
        assert store.read_known("", (), ["http://127.0.0.1/amp/a"], ()) == Snapshot(
            articles=(_state(first, "alpha", "h1"),),
            aliases=(("http://127.0.0.1/amp/a", first.id),))
        # A later revision is written; an earlier one, or the same twice in a batch, is not.
        second = replace(race, revision=2)
        old = replace(first, body="Stale.")
        assert store.commit(Batch(
            feed=_feed("beta"), counters=Counters(polls=1, updated=2, new=1),
            records=(second, replace(second, body="Twice."), old),
            articles=(_state(second, "beta", "h3"),))) == (replace(second, body="Twice."), old)
        latest = store.article(first.id)
        assert latest is not None and (latest.revision, latest.content_hash) == (2, "h3")
        # A state of an earlier revision (read before that commit) does not take it back.
        store.commit(Batch(feed=_feed(), articles=(_state(first, "alpha", "h1"),)))
        assert store.article(first.id) == latest
        rows = {r.state.source: r for r in store.statuses("2026-03-01")}
    assert (tmp_path / "out/alpha/2026-03-01.jsonl").read_bytes() == record_line(first)
    assert (tmp_path / "out/beta/2026-03-01.jsonl").read_bytes() == record_line(second)
    assert (rows["alpha"].counters, rows["alpha"].written_total) == (
        Counters(polls=1, new=1), 1)
    assert (rows["beta"].counters, rows["beta"].written_total) == (
        Counters(polls=2, updated=1), 1)


def test_a_feed_only_record_left_out_is_not_counted(tmp_path: Path) -> None:
    record = replace(_article("http://127.0.0.1/a"), status="feed_only")
    batch = Batch(feed=_feed(), counters=Counters(polls=1, new=1, feed_only=1,
                                                      page_failures=1),
                  records=(record,), articles=(_state(record, "alpha", "h"),))
    with _open(tmp_path) as store:
        assert store.commit(batch) == ()
        assert store.commit(batch) == (record,)
        [row] = store.statuses("2026-03-01")
    assert (row.counters, row.written_total) == (
        Counters(polls=2, new=1, feed_only=1, page_failures=2), 1)


def test_status_counts_written_today_and_in_total(tmp_path: Path) -> None:
    records = (_article("http://127.0.0.1/a", fetched_at="2026-02-28T23:59:59Z"),
               _article("http://127.0.0.1/b"), _article("http://127.0.0.1/c"))
    with _open(tmp_path) as store:
        store.commit(Batch(feed=_feed(), records=records))
        [row] = store.statuses("2026-03-01")
    assert (row.written_today, row.written_total) == (2, 3)


def test_state_is_wal_and_versioned(tmp_path: Path) -> None:
    _open(tmp_path).close()
    conn = sqlite3.connect(tmp_path / "out/state.sqlite3")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="state schema version 99 is not 3"):
        _open(tmp_path)


# Back from version 3 to version 2.
_UNDO_3 = ("ALTER TABLE feeds DROP COLUMN changes_capped; "
           "ALTER TABLE feeds DROP COLUMN deferred; ALTER TABLE feeds DROP COLUMN entries_cut; "
           "ALTER TABLE entries DROP COLUMN fingerprint; ")


def test_a_version_2_state_is_migrated_keeping_its_rows(tmp_path: Path) -> None:
    link = EntryLink("http://127.0.0.1/feed", "guid-1", "a" * 32, "2026-03-01T11:00:00Z")
    with _open(tmp_path) as store:
        store.commit(Batch(feed=_feed(), counters=Counters(polls=1), entries=(link,)))
    conn = sqlite3.connect(tmp_path / "out/state.sqlite3")
    conn.executescript(_UNDO_3 + "PRAGMA user_version = 2;")
    conn.close()
    with _open(tmp_path) as store:
        assert store.entry(link.feed_url, link.entry_id) == link
        [row] = store.statuses("2026-03-01")
    assert row.counters == Counters(polls=1)
    conn = sqlite3.connect(tmp_path / "out/state.sqlite3")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
    conn.close()


def test_a_second_writer_is_refused(tmp_path: Path) -> None:
    with _open(tmp_path), pytest.raises(StoreError, match="in use by another scraper process"):
        _open(tmp_path)


def test_torn_last_line_is_cut_and_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    out = tmp_path / "out"
    good = record_line(_article("http://127.0.0.1/a"))
    (out / "alpha").mkdir(parents=True)
    (out / "alpha/2026-03-01.jsonl").write_bytes(good + good[:37])
    (out / "alpha/2026-02-28.jsonl").write_bytes(good)
    (out / "beta").mkdir()
    (out / "beta/2026-03-01.jsonl").write_bytes(b'{"id":"torn, no line at all')
    with caplog.at_level(logging.WARNING, logger="scraper.store"):
        store = _open(tmp_path)
    assert (out / "alpha/2026-03-01.jsonl").read_bytes() == good
    assert (out / "alpha/2026-02-28.jsonl").read_bytes() == good
    assert (out / "beta/2026-03-01.jsonl").read_bytes() == b""
    assert [r.getMessage() for r in caplog.records] == [
        f"removed a torn last line of 37 bytes from {out}/alpha/2026-03-01.jsonl",
        f"removed a torn last line of 27 bytes from {out}/beta/2026-03-01.jsonl",
        # The whole lines of files the state does not know (the same record twice here).
        "took 1 records written before a crash into the state",
    ]
    b = _article("http://127.0.0.1/b")
    store.commit(Batch(feed=_feed(), records=(b,)))
    store.close()
    assert (out / "alpha/2026-03-01.jsonl").read_bytes() == good + record_line(b)


def test_repair_walks_back_past_a_long_torn_line(tmp_path: Path) -> None:
    path = tmp_path / "s" / "2026-03-01.jsonl"
    path.parent.mkdir()
    path.write_bytes(b"{}\n" + b"x" * 200_000)
    assert repair_torn_lines(tmp_path) == [(path, 200_000)]
    assert path.read_bytes() == b"{}\n"
    assert repair_torn_lines(tmp_path) == []


def test_state_is_committed_only_after_the_lines_are_durable(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        calls.append("fsync")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    store = _open(tmp_path)
    real_record_state = store._record_state

    def record_state(batch: Batch, *args: Any) -> None:
        calls.append("commit")
        real_record_state(batch, *args)

    monkeypatch.setattr(store, "_record_state", record_state)
    calls.clear()
    store.commit(Batch(feed=_feed(), records=(_article("http://127.0.0.1/a"),)))
    # file fsync, then the commit (directory fsyncs for the new file come first)
    assert calls[-2:] == ["fsync", "commit"]
    store.close()


def test_reads_while_a_commit_runs_in_a_thread_see_the_state_before_it(tmp_path: Path) -> None:
    """The poller commits in a thread while the event loop reads: a read made after the
    commit has written its rows, but before it is committed, sees the state without them
    (reads go through a second connection), and the state with them once it is."""
    store = _open(tmp_path)
    a = _article("http://127.0.0.1/a")
    written_rows, go_on = threading.Event(), threading.Event()
    real_record_state = store._record_state

    def record_state(*args: Any) -> None:
        real_record_state(*args)
        written_rows.set()
        go_on.wait(5)

    store._record_state = record_state  # type: ignore[method-assign]
    committing = threading.Thread(target=store.commit_many, args=([Batch(
        feed=_feed(), counters=Counters(polls=1, new=1), records=(a,),
        articles=(_state(a, "alpha", "h1"),))],))
    committing.start()
    try:
        assert written_rows.wait(5)
        assert (store.article(a.id), store.feed("alpha", "http://127.0.0.1/feed"),
                store.statuses("2026-03-01")) == (None, None, [])
    finally:
        go_on.set()
        committing.join()
    assert store.article(a.id) == _state(a, "alpha", "h1")
    assert [(r.counters.new, r.written_total) for r in store.statuses("2026-03-01")] == [(1, 1)]
    store.close()


def test_batches_committed_together_are_one_transaction_with_one_fsync_per_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """commit_many: what sequential commits would leave (a record of an earlier batch of
    the group counts as written), the files fsynced once each, all or nothing."""
    store = _open(tmp_path)
    a, b = _article("http://127.0.0.1/a"), _article("http://127.0.0.1/b", source="beta")
    race = _article("http://127.0.0.1/a", source="beta", body="Other text.")
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd))[1])
    store.commit(Batch(feed=_feed(), records=(_article("http://127.0.0.1/0"),)))
    beta_file = tmp_path / "out/beta/2026-03-01.jsonl"
    beta_file.parent.mkdir()
    beta_file.touch()  # both files exist: no directory fsyncs below
    synced.clear()
    left_out = store.commit_many([
        Batch(feed=_feed(), counters=Counters(polls=1, new=1), records=(a,),
              articles=(_state(a, "alpha", "h1"),)),
        Batch(feed=_feed("beta"), counters=Counters(polls=1, new=2), records=(b, race),
              articles=(_state(b, "beta", "h2"), _state(race, "beta", "h3"))),
        Batch(feed=_feed("gamma"), counters=Counters(polls=1, not_modified=1)),
    ])
    assert left_out == [(), (race,), ()]
    assert len(synced) == 2  # the two day files, each once
    assert [r.state.source for r in store.statuses("2026-03-01")] == ["alpha", "beta", "gamma"]
    assert store.article(a.id) == _state(a, "alpha", "h1")
    rows = {r.state.source: (r.counters.new, r.written_total)
            for r in store.statuses("2026-03-01")}
    assert rows == {"alpha": (1, 2), "beta": (1, 1), "gamma": (0, 0)}

    def broken(batch: Batch, *args: Any) -> None:
        if batch.feed is not None and batch.feed.source == "beta":
            raise sqlite3.OperationalError("disk I/O error")

    c = _article("http://127.0.0.1/c")
    with monkeypatch.context() as patch:
        patch.setattr(store, "_record_state", broken)
        with pytest.raises(StoreError):
            store.commit_many([Batch(feed=_feed(), counters=Counters(polls=1, new=1),
                                     records=(c,)),
                               Batch(feed=_feed("beta"), counters=Counters(polls=1))])
    # Neither batch is recorded (alpha's state stands as it was); c's line reached the file
    # before the failure and is taken in by the next commit, as after a crash.
    assert {r.state.source: r.counters.polls for r in store.statuses("2026-03-01")} == {
        "alpha": 1, "beta": 1, "gamma": 1}
    assert store.article(c.id) is None
    store.commit(Batch(feed=_feed("gamma")))
    assert {r.state.source: r.written_total for r in store.statuses("2026-03-01")} == {
        "alpha": 3, "beta": 1, "gamma": 0}
    store.close()


def test_only_commits_that_record_lines_are_fsynced(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The synchronous level each commit runs at (2 FULL: the log fsynced at the commit;
    1 NORMAL: not), read inside the transaction: a batch of records, one without (a 304),
    and one without that follows a failed commit (it takes a tail of the files in)."""
    store = _open(tmp_path)
    levels: list[int] = []
    real_record_state = store._record_state

    def record_state(batch: Batch, *args: Any) -> None:
        levels.append(store._conn.execute("PRAGMA synchronous").fetchone()[0])
        real_record_state(batch, *args)

    monkeypatch.setattr(store, "_record_state", record_state)
    store.commit(Batch(feed=_feed(), records=(_article("http://127.0.0.1/a"),)))
    store.commit(Batch(feed=_feed(), counters=Counters(polls=1, not_modified=1)))
    store.commit(Batch(feed=_feed(), counters=Counters(polls=1, not_modified=1)))
    store._unsettled = True  # as after a commit that failed past its write
    store.commit(Batch(feed=_feed(), counters=Counters(polls=1, not_modified=1)))
    store.commit(Batch(feed=_feed(), records=(_article("http://127.0.0.1/b"),)))
    assert levels == [2, 1, 1, 2, 2]
    store.close()


def _crash_after_the_write(store: Store, monkeypatch: pytest.MonkeyPatch,
                           batch: Batch) -> None:
    """Commit ``batch`` as far as its fsynced lines, then die before the state commit."""

    def crash(batch: Batch, *args: Any) -> None:
        raise KeyboardInterrupt  # stands for the process dying after the fsync

    with monkeypatch.context() as patch:
        patch.setattr(store, "_record_state", crash)
        with pytest.raises(KeyboardInterrupt):
            store.commit(batch)


def _lines(path: Path) -> list[tuple[str, int, str]]:
    return [(r["id"], r["revision"], r["body"])
            for r in map(json.loads, path.read_bytes().splitlines())]


def test_a_record_written_before_a_crash_is_taken_in_and_not_repeated(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a = _article("http://127.0.0.1/a")
    store = _open(tmp_path)
    _crash_after_the_write(store, monkeypatch, Batch(
        feed=_feed(), counters=Counters(polls=1, new=1), records=(a,),
        articles=(_state(a, "alpha", a.content_hash),)))
    store.close()
    with _open(tmp_path) as store:
        assert store.feed("alpha", "http://127.0.0.1/feed") is None  # nothing committed
        # The files hold it; the article stays unknown so that its entry is read again.
        assert store.article(a.id) is None
        assert [(r.written_today, r.written_total) for r in store.statuses("2026-03-01")] == []
        # The same text again (the page unchanged): left out, and now in the state.
        assert store.commit(Batch(feed=_feed(), counters=Counters(polls=1, new=1),
                                  records=(a,),
                                  articles=(_state(a, "alpha", a.content_hash),))) == (a,)
        assert store.article(a.id) == _state(a, "alpha", a.content_hash)
        [row] = store.statuses("2026-03-01")
    assert (row.counters, row.written_total) == (Counters(polls=1), 1)
    assert _lines(tmp_path / "out/alpha/2026-03-01.jsonl") == [(a.id, 1, "Body text.")]


def test_a_changed_text_after_a_crash_is_the_next_revision(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a = _article("http://127.0.0.1/a")
    changed = _article("http://127.0.0.1/a", body="Changed text.")
    store = _open(tmp_path)
    _crash_after_the_write(store, monkeypatch, Batch(feed=_feed(), records=(a,)))
    store.close()
    with _open(tmp_path) as store:
        # The poller, which does not know the article, offers the new text as revision 1.
        assert store.commit(Batch(
            feed=_feed(), counters=Counters(polls=1, new=1), records=(changed,),
            articles=(_state(changed, "alpha", changed.content_hash),))) == ()
        state = store.article(a.id)
        assert state is not None and (state.revision, state.content_hash) == (
            2, changed.content_hash)
        [row] = store.statuses("2026-03-01")
    assert (row.counters, row.written_total) == (Counters(polls=1, updated=1), 2)
    assert _lines(tmp_path / "out/alpha/2026-03-01.jsonl") == [
        (a.id, 1, "Body text."), (a.id, 2, "Changed text.")]


def test_a_crashed_update_moves_the_known_article_to_the_revision_in_the_files(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _article("http://127.0.0.1/a")
    second = _article("http://127.0.0.1/a", revision=2, body="Second.")
    with _open(tmp_path) as store:
        store.commit(Batch(feed=_feed(), records=(first,),
                           articles=(_state(first, "alpha", first.content_hash),)))
        _crash_after_the_write(store, monkeypatch, Batch(
            feed=_feed(), records=(second,),
            articles=(_state(second, "alpha", second.content_hash),)))
        # The failed commit is settled before the next one, in the same process too.
        assert store.commit(Batch(feed=_feed(), records=(second,))) == (second,)
    with _open(tmp_path) as store:
        state = store.article(first.id)
        assert state is not None and (state.revision, state.content_hash) == (
            2, second.content_hash)
        # The page back at its first text is a new revision, not "unchanged".
        third = _article("http://127.0.0.1/a", revision=3)
        assert store.commit(Batch(feed=_feed(), records=(third,))) == ()
    assert _lines(tmp_path / "out/alpha/2026-03-01.jsonl") == [
        (first.id, 1, "Body text."), (first.id, 2, "Second."), (first.id, 3, "Body text.")]


def test_a_failed_page_after_a_crash_does_not_replace_the_text_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a = _article("http://127.0.0.1/a")
    failed = replace(_article("http://127.0.0.1/a", body=""), status="feed_only")
    store = _open(tmp_path)
    _crash_after_the_write(store, monkeypatch, Batch(feed=_feed(), records=(a,)))
    store.close()
    with _open(tmp_path) as store:
        state = replace(_state(failed, "alpha", failed.content_hash), page_failures=1)
        assert store.commit(Batch(feed=_feed(), counters=Counters(
            polls=1, new=1, feed_only=1, page_failures=1), records=(failed,),
            articles=(state,))) == (failed,)
        # The ok text in the files stands, and its article is not retried.
        assert store.article(a.id) == replace(state, content_hash=a.content_hash,
                                              status="ok", page_failures=0)
    assert _lines(tmp_path / "out/alpha/2026-03-01.jsonl") == [(a.id, 1, "Body text.")]


def test_the_state_rebuilt_from_the_files_when_it_is_lost(tmp_path: Path) -> None:
    a, b = _article("http://127.0.0.1/a"), _article("http://127.0.0.1/b")
    b2 = _article("http://127.0.0.1/b", revision=2, body="B two.")
    with _open(tmp_path) as store:
        store.commit(Batch(feed=_feed(), records=(a, b)))
        store.commit(Batch(feed=_feed(), records=(b2,)))
    for name in ("state.sqlite3", "state.sqlite3-wal", "state.sqlite3-shm"):
        (tmp_path / "out" / name).unlink(missing_ok=True)
    with _open(tmp_path) as store:
        [row] = store.statuses("2026-03-01") or [None]  # no feed state, written rows only
    assert row is None
    with _open(tmp_path) as store:
        new_b = _article("http://127.0.0.1/b", body="B three.")
        assert store.commit(Batch(feed=_feed(), records=(a, new_b))) == (a,)
        [row] = store.statuses("2026-03-01")
        assert row.written_total == 4
    assert _lines(tmp_path / "out/alpha/2026-03-01.jsonl") == [
        (a.id, 1, "Body text."), (b.id, 1, "Body text."), (b.id, 2, "B two."),
        (b.id, 3, "B three.")]


def test_a_version_1_state_takes_in_the_files_once(tmp_path: Path) -> None:
    a, b = _article("http://127.0.0.1/a"), _article("http://127.0.0.1/b")
    with _open(tmp_path) as store:
        store.commit(Batch(feed=_feed(), records=(a,)))
    out = tmp_path / "out"
    # Back to the version 1 schema, with b written by a batch whose commit was lost.
    conn = sqlite3.connect(out / "state.sqlite3")
    conn.executescript("DROP TABLE files; DROP INDEX written_by_id; "
                       "ALTER TABLE written DROP COLUMN content_hash; "
                       "ALTER TABLE written DROP COLUMN status; " + _UNDO_3 +
                       "PRAGMA user_version = 1;")
    conn.close()
    with (out / "alpha/2026-03-01.jsonl").open("ab") as handle:
        handle.write(record_line(b))
    with _open(tmp_path) as store:
        assert store.commit(Batch(feed=_feed(), records=(a, replace(b, body="B two.")))) == (
            a,)
    assert _lines(out / "alpha/2026-03-01.jsonl") == [
        (a.id, 1, "Body text."), (b.id, 1, "Body text."), (b.id, 2, "B two.")]


def test_lines_past_the_commit_are_read_once(tmp_path: Path,
                                             caplog: pytest.LogCaptureFixture) -> None:
    a, b = _article("http://127.0.0.1/a"), _article("http://127.0.0.1/b")
    with _open(tmp_path) as store:
        store.commit(Batch(feed=_feed(), records=(a,)))
    path = tmp_path / "out/alpha/2026-03-01.jsonl"
    with path.open("ab") as handle:
        handle.write(record_line(b) + b"not json\n")
    with caplog.at_level(logging.WARNING, logger="scraper.store"):
        _open(tmp_path).close()
        _open(tmp_path).close()
    assert [r.getMessage() for r in caplog.records] == [
        f"skipped an unreadable line in {path}: Expecting value: line 1 column 1 (char 0)",
        "took 1 records written before a crash into the state",
    ]


def test_failed_write_cuts_back_the_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b, c = (_article(f"http://127.0.0.1/{x}") for x in "abc")
    store = _open(tmp_path)
    store.commit(Batch(feed=_feed(), records=(a,)))
    real_write = os.write
    writes = []

    def write(fd: int, data: bytes) -> int:
        writes.append(data)
        if len(writes) == 2:
            real_write(fd, data[:10])
            raise OSError(28, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)
    with pytest.raises(StoreError, match="No space left on device"):
        store.commit(Batch(feed=_feed(), records=(b, c)))
    monkeypatch.setattr(os, "write", real_write)
    store.close()
    assert (tmp_path / "out/alpha/2026-03-01.jsonl").read_bytes() == record_line(a)


def test_a_record_without_fetched_at_is_refused(tmp_path: Path) -> None:
    with _open(tmp_path) as store, pytest.raises(StoreError, match="has no fetched_at"):
        store.commit(Batch(feed=_feed(), records=(replace(_article("http://x/a"),
                                                          fetched_at=None),)))


@pytest.mark.slow
@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(st.binary(min_size=0, max_size=300).map(lambda b: b.replace(b"\n", b"")),
                      max_size=8),
       cut=st.integers(min_value=0, max_value=3000))
def test_repair_keeps_exactly_the_whole_lines(tmp_path: Path, lines: list[bytes],
                                              cut: int) -> None:
    """Wherever a crash cuts the file, repair leaves the whole lines before the cut."""
    data = b"".join(line + b"\n" for line in lines)
    cut = min(cut, len(data))
    path = tmp_path / "s" / "2026-03-01.jsonl"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data[:cut])
    repair_torn_lines(tmp_path)
    assert path.read_bytes() == data[:data.rfind(b"\n", 0, cut) + 1]


def test_descriptors_of_the_batch_are_not_evicted_before_its_fsync(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With more day files open than the cache holds, a batch used to close descriptors it
    had written (EBADF, or a reused number leaving a file unsynced)."""
    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    out = tmp_path / "out"
    writer = _Writer(out, max_open=2)
    try:
        writer.write([_article(f"http://127.0.0.1/old{d}", fetched_at=f"2026-02-0{d}T12:00:00Z")
                      for d in (1, 2, 3)])
        days = [f"2026-03-0{d}" for d in (1, 2, 3, 4, 5)]
        synced.clear()
        writer.write([_article(f"http://127.0.0.1/{day}", fetched_at=f"{day}T23:59:59Z")
                      for day in days])
        assert sorted(p for p in synced if p.endswith(".jsonl")) == [
            str(out / "alpha" / f"{day}.jsonl") for day in days]
        assert sorted(writer._fds) == [out / "alpha" / f"{day}.jsonl" for day in days]
    finally:
        writer.close()
    for day in days:
        lines = (out / "alpha" / f"{day}.jsonl").read_bytes().splitlines()
        assert [json.loads(x)["url"] for x in lines] == [f"http://127.0.0.1/{day}"]


def test_a_tail_taken_in_is_fsynced_before_the_state_records_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The crash may have come between the write and its fsync: the tail's file is synced
    before the state that records it is committed, so the state is never ahead of it."""
    a, b = _article("http://127.0.0.1/a"), _article("http://127.0.0.1/b")
    with _open(tmp_path) as store:
        store.commit(Batch(feed=_feed(), records=(a,)))
    day = tmp_path / "out/alpha/2026-03-01.jsonl"
    with day.open("ab") as handle:  # a line past the committed length, as a crash leaves it
        handle.write(record_line(b))
    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr("scraper.store.os.fsync", fsync)
    with _open(tmp_path) as store:
        assert store.commit(Batch(feed=_feed(), records=(b,))) == (b,)  # taken in: left out
    assert str(day) in synced


def test_feed_statuses_shape_the_rows_of_either_store() -> None:
    # What both stores read: a feeds row with every counter, and the records written per
    # feed (SQLite's SUM gives None for today when no row is of today).
    feed = {**{f: None for f in ("etag", "last_modified", "last_poll", "last_status",
                                 "next_poll", "last_error")},
            "source": "alpha", "feed_url": "http://x/1", "consecutive_errors": 2,
            **{name: 0 for name in KEPT_COUNTERS}, "polls": 3, "deferred": 1}
    quiet = {**feed, "feed_url": "http://x/2"}
    written = [{"source": "alpha", "feed_url": "http://x/1", "today": None, "total": 5}]
    assert feed_statuses([feed, quiet], written) == [
        FeedStatus(FeedState("alpha", "http://x/1", consecutive_errors=2),
                   Counters(polls=3, deferred=1), 0, 5),
        FeedStatus(FeedState("alpha", "http://x/2", consecutive_errors=2),
                   Counters(polls=3, deferred=1), 0, 0)]
