"""The PostgreSQL state store of the distributed mode: the same behaviour as the embedded store
(run on both), per-worker segments with committed lengths, tails cut, one write per story
when two workers race for it."""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

from scraper.errors import StoreError
from scraper.models import Article, Counters, article_id, record_line
from scraper.pgstore import (
    PgStore,
    article_lock_key,
    committed_segments,
    iter_committed,
    migrate,
)
from scraper.store import (
    ArticleState,
    Batch,
    EntryLink,
    FeedState,
    Snapshot,
    StateStore,
    Store,
)

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
FEED = "http://127.0.0.1/feed"


def _article(url: str, *, revision: int = 1, body: str = "Body text.",
             status: str = "ok") -> Article:
    return Article(id=article_id(url), url=url, canonical_url=url, source="alpha",
                   feed_url=FEED, headline="Héadline", body=body, revision=revision,
                   status=status, fetched_at="2026-03-01T12:00:00Z")  # type: ignore[arg-type]


def _state(article: Article, content_hash: str = "h1") -> ArticleState:
    return ArticleState(article.id, article.canonical_url, "alpha", FEED, content_hash,
                        article.revision, None, article.status, 0, False,
                        "2026-03-01T12:00:00Z", "2026-03-01T12:00:00Z")


def _feed(**changes: Any) -> FeedState:
    values: dict[str, Any] = {"etag": '"v1"', "last_poll": "2026-03-01T12:00:00Z",
                              "last_status": 200, "next_poll": "2026-03-01T12:15:00Z"}
    values.update(changes)
    return FeedState("alpha", FEED, **values)


def _batch(*records: Article, counters: Counters | None = None,
           **feed: Any) -> Batch:
    return Batch(feed=_feed(**feed), counters=counters or Counters(polls=1, new=len(records)),
                 records=records, articles=tuple(_state(r) for r in records),
                 entries=tuple(EntryLink(FEED, r.url, r.id, None) for r in records),
                 aliases=tuple((r.url, r.id) for r in records))


@pytest.fixture(params=["sqlite", "postgresql"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path
               ) -> Iterator[Callable[[], StateStore]]:
    """Opens a store of each backend on one output folder (and one database)."""
    opened: list[StateStore] = []

    if request.param == "sqlite":
        def make() -> StateStore:
            opened.append(Store.open(tmp_path / "out", now=lambda: NOW))
            return opened[-1]
    else:
        url = request.getfixturevalue("pg_url")

        def make() -> StateStore:
            opened.append(PgStore.open(url, tmp_path / "out", worker="w1", now=lambda: NOW))
            return opened[-1]
    yield make
    for store in opened:
        store.close()


# -- the same behaviour on both backends ----------------------------------------------------


def test_state_round_trip_on_both_backends(open_store: Callable[[], StateStore]) -> None:
    a = _article("http://127.0.0.1/a")
    store = open_store()
    assert store.feed("alpha", FEED) is None
    left_out = store.commit(_batch(a))
    assert left_out == ()
    assert store.feed("alpha", FEED) == _feed()
    assert store.article(a.id) == _state(a)
    assert store.entry(FEED, a.url) == EntryLink(FEED, a.url, a.id, None)
    assert store.read_known("", (), [a.url, "http://127.0.0.1/other"], ()) == Snapshot(
        articles=(_state(a),), aliases=((a.url, a.id),))
    (status,) = store.statuses("2026-03-01")
    assert (status.counters.polls, status.counters.new) == (1, 1)
    assert (status.written_today, status.written_total) == (1, 1)
    store.close()
    again = open_store()  # the state outlives the process
    assert again.article(a.id) == _state(a)


@pytest.mark.parametrize(("changes", "error"), [
    ({"fetched_at": None}, "has no fetched_at; cannot place it"),
    ({"source": ".."}, "source name '..' cannot be used as a directory"),
    ({"source": "a/b"}, "source name 'a/b' cannot be used as a directory"),
])
def test_a_record_that_cannot_name_a_file_is_refused_on_both_backends(
        open_store: Callable[[], StateStore], tmp_path: Path, changes: dict[str, Any],
        error: str) -> None:
    store = open_store()
    bad = replace(_article("http://127.0.0.1/a"), **changes)
    with pytest.raises(StoreError, match=re.escape(error)):
        store.commit(_batch(bad))
    assert store.article(bad.id) is None
    assert sorted(p.name for p in (tmp_path / "out").rglob("*.jsonl")) == []


def test_the_decide_steps_read_on_both_backends(open_store: Callable[[], StateStore]) -> None:
    """read_known: one read gives the feed's entries asked for (with their fingerprints),
    the aliases of the URLs asked for, and the articles all of them lead to."""
    a, b, c = (_article(f"http://127.0.0.1/{n}") for n in "abc")
    other = EntryLink("http://127.0.0.1/other-feed", "a-guid", a.id, None, "f0")
    store = open_store()
    store.commit(Batch(
        feed=_feed(), counters=Counters(polls=1, changes_capped=2, entries_cut=5),
        records=(a, b, c), articles=tuple(_state(r) for r in (a, b, c)),
        entries=(EntryLink(FEED, "a-guid", a.id, "2026-03-01T11:00:00Z", "f1"), other),
        aliases=(("http://127.0.0.1/amp/b", b.id),)))
    known = store.read_known(FEED, ["a-guid", "unseen"],
                             ["http://127.0.0.1/amp/b", "http://127.0.0.1/none"], [c.id, "x"])
    assert known.entries == (EntryLink(FEED, "a-guid", a.id, "2026-03-01T11:00:00Z", "f1"),)
    assert known.aliases == (("http://127.0.0.1/amp/b", b.id),)
    assert sorted(known.articles, key=lambda s: s.id) == sorted(
        (_state(a), _state(b), _state(c)), key=lambda s: s.id)
    assert store.read_known(FEED, [], [], []) == Snapshot()
    (status,) = store.statuses("2026-03-01")
    assert (status.counters.changes_capped, status.counters.entries_cut) == (2, 5)


def test_a_record_written_before_is_left_out_and_not_counted(
        open_store: Callable[[], StateStore]) -> None:
    a = _article("http://127.0.0.1/a")
    a2 = _article("http://127.0.0.1/a", revision=2, body="New text.")
    store = open_store()
    store.commit(_batch(a))
    assert store.commit(_batch(a)) == (a,)
    assert store.commit(_batch(a2, counters=Counters(polls=1, updated=1))) == ()
    # A stale state read by a slower poll does not take the article back to revision 1.
    assert store.commit(_batch(a, counters=Counters(polls=1, new=1))) == (a,)
    assert store.article(a.id) == _state(a2)
    (status,) = store.statuses("2026-03-01")
    assert status.counters == Counters(polls=4, new=1, updated=1)
    assert status.written_total == 2


def test_a_batch_without_a_feed_leaves_the_feeds_alone(
        open_store: Callable[[], StateStore]) -> None:
    """What `scraper reextract` commits: records and article state, no feed poll."""
    a = _article("http://127.0.0.1/a")
    a2 = _article("http://127.0.0.1/a", revision=2, body="Re-extracted text.")
    store = open_store()
    store.commit(_batch(a))
    assert store.commit(Batch(feed=None, records=(a2,), articles=(_state(a2, "h2"),))) == ()
    assert store.article(a.id) == _state(a2, "h2")
    assert store.feed("alpha", FEED) == _feed()
    (status,) = store.statuses("2026-03-01")
    assert (status.counters.polls, status.counters.updated, status.written_total) == (1, 0, 2)


def test_counters_add_up_and_validators_follow_the_last_poll(
        open_store: Callable[[], StateStore]) -> None:
    store = open_store()
    store.commit(_batch(counters=Counters(polls=1, failures=1), etag=None, last_status=500,
                        consecutive_errors=1, last_error="HTTP 500"))
    store.commit(_batch(counters=Counters(polls=1, not_modified=1), last_status=304))
    assert store.feed("alpha", FEED) == _feed(last_status=304)
    (status,) = store.statuses("2026-03-02")
    assert status.counters == Counters(polls=2, failures=1, not_modified=1)
    assert (status.written_today, status.written_total) == (0, 0)


def test_a_group_commit_is_commits_one_after_the_other_on_both_backends(
        open_store: Callable[[], StateStore], tmp_path: Path) -> None:
    """commit_many, the poller's one path on either store: a record the state holds is
    left out, so is one an earlier batch of the group writes (its article state stands as
    that batch left it), the counters add up without them, and the validators are the last
    batch's."""
    old, a, b = (_article(f"http://127.0.0.1/{n}") for n in ("old", "a", "b"))
    again = replace(a, body="A text polled by another feed.")
    store = open_store()
    store.commit(_batch(old))
    left_out = store.commit_many([
        _batch(old, a),
        Batch(feed=_feed(), counters=Counters(polls=1, new=2), records=(again, b),
              articles=(_state(again, "h2"), _state(b))),
        _batch(counters=Counters(polls=1, not_modified=1), etag='"v3"', last_status=304),
    ])
    assert left_out == [(old,), (again,), ()]
    assert store.article(a.id) == _state(a)
    assert store.article(b.id) == _state(b)
    assert store.feed("alpha", FEED) == _feed(etag='"v3"', last_status=304)
    (status,) = store.statuses("2026-03-01")
    assert status.counters == Counters(polls=4, new=3, not_modified=1)  # skipped: not kept
    assert status.written_total == 3
    assert [json.loads(line)["id"] for path in sorted((tmp_path / "out").rglob("*.jsonl"))
            for line in path.read_bytes().splitlines()] == [old.id, a.id, b.id]


# -- segments ---------------------------------------------------------------------------------


def test_each_worker_appends_to_its_own_segment_with_its_committed_length(
        pg_url: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    a, b = _article("http://127.0.0.1/a"), _article("http://127.0.0.1/b")
    with PgStore.open(pg_url, out, worker="w1") as one, \
            PgStore.open(pg_url, out, worker="w2") as two:
        one.commit(_batch(a))
        two.commit(_batch(b))
    assert (out / "alpha/2026-03-01/w1.jsonl").read_bytes() == record_line(a)
    assert (out / "alpha/2026-03-01/w2.jsonl").read_bytes() == record_line(b)
    assert [(s.path, s.worker, s.size) for s in committed_segments(pg_url)] == [
        ("alpha/2026-03-01/w1.jsonl", "w1", len(record_line(a))),
        ("alpha/2026-03-01/w2.jsonl", "w2", len(record_line(b)))]
    assert [r["id"] for r in iter_committed(out, pg_url)] == [a.id, b.id]


def test_a_tail_past_the_committed_length_is_ignored_then_cut_on_restart(
        pg_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    out = tmp_path / "out"
    a, b = _article("http://127.0.0.1/a"), _article("http://127.0.0.1/b")
    with PgStore.open(pg_url, out, worker="w1") as store:
        store.commit(_batch(a))
    segment = out / "alpha/2026-03-01/w1.jsonl"
    # What a worker killed between its fsync and its commit leaves: lines, no state.
    with segment.open("ab") as handle:
        handle.write(record_line(b) + b'{"torn')
    assert [r["id"] for r in iter_committed(out, pg_url)] == [a.id]
    with PgStore.open(pg_url, out, worker="w1") as store:
        assert segment.read_bytes() == record_line(a)
        assert store.article(b.id) is None
        store.commit(_batch(b))  # done again by whoever polls the feed next
    assert segment.read_bytes() == record_line(a) + record_line(b)
    assert "cut" in caplog.text and "uncommitted bytes" in caplog.text


def test_a_file_of_a_worker_that_never_committed_is_emptied(pg_url: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    segment = out / "alpha/2026-03-01/w1.jsonl"
    segment.parent.mkdir(parents=True)
    segment.write_bytes(record_line(_article("http://127.0.0.1/a")))
    with PgStore.open(pg_url, out, worker="w1") as store:
        assert [p.name for p, _ in store.cut_tails()] == []  # already cut by open
    assert segment.read_bytes() == b""


def test_a_segment_shorter_than_committed_is_refused(pg_url: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with PgStore.open(pg_url, out, worker="w1") as store:
        store.commit(_batch(_article("http://127.0.0.1/a")))
    (out / "alpha/2026-03-01/w1.jsonl").write_bytes(b"")
    with pytest.raises(StoreError, match=r"shorter .* than its committed length"):
        PgStore.open(pg_url, out, worker="w1")


def test_a_failed_commit_leaves_no_tail(pg_url: str, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    a, b = _article("http://127.0.0.1/a"), _article("http://127.0.0.1/b")
    with PgStore.open(pg_url, out, worker="w1") as store:
        store.commit(_batch(a))

        def broken(*args: Any) -> None:
            raise psycopg.OperationalError("server closed the connection")

        monkeypatch.setattr(store, "_record_state", broken)
        with pytest.raises(StoreError, match="cannot commit the state"):
            store.commit(_batch(b))
        assert (out / "alpha/2026-03-01/w1.jsonl").read_bytes() == record_line(a)
        monkeypatch.undo()
        store.commit(_batch(b))
    assert [r["id"] for r in iter_committed(out, pg_url)] == [a.id, b.id]


def test_a_failed_group_commit_records_none_of_its_batches(pg_url: str,
                                                          tmp_path: Path) -> None:
    """All or nothing: the database refuses the second batch's feed after the first
    batch's rows are written and both batches' lines are in the segment. Neither batch is
    recorded, the lines are cut back to the committed length, and the next commit goes on
    from there."""
    out = tmp_path / "out"
    a, b, c = (_article(f"http://127.0.0.1/{n}") for n in "abc")
    beta = replace(_feed(etag='"v2"'), source="beta")
    with PgStore.open(pg_url, out, worker="w1", now=lambda: NOW) as store:
        store.commit(_batch(a))
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute("ALTER TABLE feeds ADD CONSTRAINT no_beta CHECK (source <> 'beta')")
        group = [_batch(b, etag='"v2"'), Batch(feed=beta, counters=Counters(polls=1, new=1),
                                               records=(c,), articles=(_state(c),))]
        with pytest.raises(StoreError, match="no_beta"):
            store.commit_many(group)
        assert store.feed("alpha", FEED) == _feed()
        assert (store.article(b.id), store.article(c.id), store.entry(FEED, b.url)) == (
            None, None, None)
        [status] = store.statuses("2026-03-01")
        assert (status.counters, status.written_total) == (Counters(polls=1, new=1), 1)
        assert (out / "alpha/2026-03-01/w1.jsonl").read_bytes() == record_line(a)
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute("ALTER TABLE feeds DROP CONSTRAINT no_beta")
        assert store.commit_many(group) == [(), ()]
        assert store.feed("beta", FEED) == beta
    assert [r["id"] for r in iter_committed(out, pg_url)] == [a.id, b.id, c.id]


# -- names --------------------------------------------------------------------------------------


def test_a_live_worker_name_is_refused_and_a_dead_ones_is_free(pg_url: str,
                                                              tmp_path: Path) -> None:
    first = PgStore.open(pg_url, tmp_path / "out", worker="w1")
    with pytest.raises(StoreError, match="held by a running worker"):
        PgStore.open(pg_url, tmp_path / "out", worker="w1")
    first.close()
    PgStore.open(pg_url, tmp_path / "out", worker="w1").close()


def test_unnamed_workers_take_the_first_free_number(pg_url: str, tmp_path: Path) -> None:
    one = PgStore.open(pg_url, tmp_path / "out")
    two = PgStore.open(pg_url, tmp_path / "out")
    assert one.worker.endswith("-1") and two.worker.endswith("-2")
    one.close()
    three = PgStore.open(pg_url, tmp_path / "out")
    assert three.worker == one.worker  # a dead worker's segments are taken back
    two.close()
    three.close()


def test_bad_worker_names_are_refused(pg_url: str, tmp_path: Path) -> None:
    for name in ("../x", "", "a/b", ".hidden"):
        with pytest.raises(StoreError, match="cannot name a file"):
            PgStore.open(pg_url, tmp_path / "out", worker=name)


def test_an_unreachable_database_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"cannot connect .*:\*\*\*@127.0.0.1:9/"):
        PgStore.open("postgresql://u:secret@127.0.0.1:9/x?connect_timeout=5", tmp_path)


# -- two workers, one story ---------------------------------------------------------------------


def test_a_story_reached_by_two_workers_at_once_is_written_once(
        pg_url: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    story = _article("http://127.0.0.1/story")
    one = PgStore.open(pg_url, out, worker="w1")
    two = PgStore.open(pg_url, out, worker="w2")
    results: dict[str, tuple[Article, ...]] = {}
    _second_waits_for_first(pg_url, one, lambda: results.update(w1=one.commit(_batch(story))),
                            lambda: results.update(w2=two.commit(_batch(story))))
    one.close()
    two.close()
    assert results == {"w1": (), "w2": (story,)}
    assert [r["id"] for r in iter_committed(out, pg_url)] == [story.id]
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT new FROM feeds").fetchone() == (1,)  # w2's not counted


def test_commits_sharing_articles_without_records_wait_for_each_other(
        pg_url: str, tmp_path: Path) -> None:
    """Two polls that only remember articles (pages unchanged, entries linked) update their
    rows too: the second commit waits for the first on the articles' locks, taken before any
    row, instead of each holding one row and waiting for the other's (a deadlock, with the
    rows written in opposite orders)."""
    out = tmp_path / "out"
    a, b = _article("http://127.0.0.1/a"), _article("http://127.0.0.1/b")
    one = PgStore.open(pg_url, out, worker="w1")
    two = PgStore.open(pg_url, out, worker="w2")
    one.commit(_batch(a, b))
    seen_by = {name: tuple(replace(_state(x), last_seen=f"2026-03-01T12:0{n}:00Z")
                           for x in (a, b)) for n, name in ((1, "w1"), (2, "w2"))}
    _second_waits_for_first(pg_url, one,
                            lambda: one.commit(Batch(feed=None, articles=seen_by["w1"])),
                            lambda: two.commit(Batch(feed=None, articles=seen_by["w2"][::-1])))
    assert [one.article(x.id) for x in (a, b)] == list(seen_by["w2"])  # the later commit's
    one.close()
    two.close()


def test_a_group_commit_locks_every_article_of_the_group_sorted_before_any_row(
        pg_url: str, tmp_path: Path) -> None:
    """The article locks of a group commit are those of all its batches, taken in one
    sorted order of their keys before anything is written: held up on the last key by
    another session, it holds the locks of every key before it and has written no row and
    no line."""
    out = tmp_path / "out"
    first, middle, last = sorted((_article(f"http://127.0.0.1/{n}") for n in "abcd"),
                                 key=lambda r: article_lock_key(r.id))[:3]
    store = PgStore.open(pg_url, out, worker="w1", now=lambda: NOW)
    # The batches' order is not the keys': the last key comes in the first batch, and the
    # middle one only as an article state (a page unchanged).
    group = [_batch(last), _batch(first), Batch(feed=None, articles=(_state(middle),))]
    with _commit_held_up(pg_url, store, article_lock_key(last.id), group) as (pid, results):
        assert _article_locks(pg_url, pid) == [(article_lock_key(first.id), True),
                                               (article_lock_key(middle.id), True),
                                               (article_lock_key(last.id), False)]
        with psycopg.connect(pg_url, autocommit=True) as watcher:
            # A transaction gets its id (a lock on it) at its first row written.
            assert watcher.execute("SELECT count(*) FROM pg_locks WHERE pid = %s "
                                   "AND locktype = 'transactionid'", (pid,)).fetchone() == (0,)
        assert list(out.rglob("*.jsonl")) == []
    assert results == [[(), (), ()]]
    assert store.article(middle.id) == _state(middle)
    store.close()
    assert sorted(r["id"] for r in iter_committed(out, pg_url)) == [first.id, last.id]


def test_article_locks_go_in_the_order_of_their_keys_not_of_the_ids(
        pg_url: str, tmp_path: Path) -> None:
    """Only the order of the keys themselves keeps two commits from crossing (in id order,
    two ids that shared a hashtext key let two commits take one pair of keys in opposite
    orders). Of two articles whose keys run opposite to their ids, a commit held up on the
    larger key (the smaller id's) already holds the smaller key; in id order it would wait
    on the larger key first, holding nothing."""
    out = tmp_path / "out"
    by_id = sorted((_article(f"http://127.0.0.1/{n}") for n in range(10)), key=lambda r: r.id)
    # Any pair whose keys run against their ids (about half of all pairs).
    low_id, high_id = next((x, y) for x, y in itertools.combinations(by_id, 2)
                           if article_lock_key(x.id) > article_lock_key(y.id))
    store = PgStore.open(pg_url, out, worker="w1", now=lambda: NOW)
    with _commit_held_up(pg_url, store, article_lock_key(low_id.id),
                         [_batch(low_id, high_id)]) as (pid, results):
        assert _article_locks(pg_url, pid) == [(article_lock_key(high_id.id), True),
                                               (article_lock_key(low_id.id), False)]
    assert results == [[()]]
    store.close()
    assert sorted(r["id"] for r in iter_committed(out, pg_url)) == [low_id.id, high_id.id]


@contextlib.contextmanager
def _commit_held_up(url: str, store: PgStore, key: int, group: list[Batch]
                    ) -> Iterator[tuple[int, list[object]]]:
    """Commit ``group`` on ``store`` in a thread while another session holds the article
    lock ``key``; inside, the commit waits for it (yields the commit's backend pid and the
    list that gets the commit's result), on leaving it is let go and has finished."""
    with psycopg.connect(url) as holder:
        holder.execute("SELECT pg_advisory_xact_lock(%s)", (key,))
        results: list[object] = []
        committing = threading.Thread(target=lambda: results.append(store.commit_many(group)))
        committing.start()
        try:
            _wait_for_a_blocked_lock(url)
            yield store._conn.info.backend_pid, results
        finally:
            holder.rollback()
            committing.join(60)


def _article_locks(url: str, pid: int) -> list[tuple[int, bool]]:
    """The article locks (one-key advisory locks) that backend ``pid`` holds or waits for,
    as (key, granted) in key order. pg_locks shows a bigint key as its high 32 bits
    (classid) and low 32 bits (objid), with objsubid 1 (2 for a two-key lock)."""
    with psycopg.connect(url, autocommit=True) as watcher:
        rows = watcher.execute(
            "SELECT classid::bigint, objid::bigint, granted FROM pg_locks WHERE pid = %s "
            "AND locktype = 'advisory' AND objsubid = 1", (pid,)).fetchall()
    unsigned = [((high << 32) | low, granted) for high, low, granted in rows]
    return sorted((key - (1 << 64) if key >= 1 << 63 else key, granted)
                  for key, granted in unsigned)


def _second_waits_for_first(url: str, one: PgStore, first: Callable[[], object],
                            second: Callable[[], object]) -> None:
    """Run ``first`` (a commit of ``one``), hold its transaction once its lines are written
    (as a slow disk would), run ``second`` (another worker's commit) until it waits for an
    advisory lock, then let both finish."""
    written = threading.Event()
    release = threading.Event()
    write = one._segments.write

    def held(records: Any) -> dict[Path, int]:
        sizes = write(records)
        written.set()
        release.wait(60)
        return sizes

    one._segments.write = held  # type: ignore[method-assign]
    threads = [threading.Thread(target=first)]
    threads[0].start()
    assert written.wait(60)
    threads.append(threading.Thread(target=second))
    threads[1].start()
    _wait_for_a_blocked_lock(url)
    release.set()
    for thread in threads:
        thread.join(60)


def _wait_for_a_blocked_lock(url: str) -> None:
    """Until a session waits for an advisory lock (w2 behind w1's article lock)."""
    with psycopg.connect(url, autocommit=True) as conn:
        for _ in range(6000):
            row = conn.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                               "AND NOT granted").fetchone()
            if row and row[0]:
                return
            threading.Event().wait(0.01)
    raise AssertionError("the second commit never waited for the first")



def test_reextraction_goes_through_either_backend(open_store: Callable[[], StateStore],
                                                  tmp_path: Path) -> None:
    """A page of the archive is one job: re-extracted and committed by whichever store
    the worker has (the seam of `scraper reextract --db`)."""
    import asyncio

    from scraper.archive import ArchivedPage, WarcArchive
    from scraper.reextract import Reextraction, scan
    from tests.test_poll import page

    url = "http://127.0.0.1/news/dam"
    with WarcArchive(tmp_path / "archive", now=lambda: NOW) as archive:
        archive.write(ArchivedPage(url=url, status=200, headers={},
                                   content=page("Dam opens", "The dam opened."),
                                   fetched_at=NOW, requested_url=url, source="alpha",
                                   feed_url=FEED, entry={"entry_id": "g1", "link": url}))
    (ref,) = scan([tmp_path / "archive"]).pages
    store = open_store()

    async def twice() -> list[str | None]:
        run = Reextraction(store, now=lambda: NOW)
        return [await run.page(ref), await run.page(ref)]

    assert asyncio.run(twice()) == ["new", "unchanged"]
    state = store.article(article_id(url))
    assert state is not None and state.revision == 1
    seen = store.entry(FEED, "g1")
    assert seen is not None and (seen.feed_url, seen.entry_id, seen.article_id) == (
        FEED, "g1", article_id(url))


def test_a_lost_connection_is_opened_again_and_the_name_taken_back(
        pg_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    out = tmp_path / "out"
    a, b = _article("http://127.0.0.1/a"), _article("http://127.0.0.1/b")
    with PgStore.open(pg_url, out, worker="w1") as store:
        store.commit(_batch(a))
        with psycopg.connect(pg_url, autocommit=True) as admin:  # a database restart
            admin.execute("SELECT pg_terminate_backend(%s)",
                          (store._conn.info.backend_pid,))
        with pytest.raises(StoreError, match="cannot commit the state"):
            store.commit(_batch(b))  # the loss is noticed here; the job is retried
        store.commit(_batch(b))
        with pytest.raises(StoreError, match="held by a running worker"):
            PgStore.open(pg_url, out, worker="w1")
    assert [r["id"] for r in iter_committed(out, pg_url)] == [a.id, b.id]
    assert "reconnected to the state database as worker w1" in caplog.text


def test_a_start_on_a_current_schema_takes_no_table_lock(pg_url: str, tmp_path: Path) -> None:
    """A worker or dispatch starting while another worker commits: its schema check must not
    wait for the tables (the ALTERs it ran every time deadlocked with a commit, seen in a full
    run: 'deadlock detected' from scraper dispatch)."""
    PgStore.open(pg_url, tmp_path, worker="w1").close()
    with psycopg.connect(pg_url) as committing, \
            psycopg.connect(pg_url, autocommit=True) as starting:
        # A commit in progress: feeds and entries written, not yet committed.
        committing.execute("INSERT INTO feeds (source, feed_url) VALUES ('s', 'http://f/')")
        committing.execute("INSERT INTO entries (feed_url, entry_id, article_id) "
                           "VALUES ('http://f/', 'e', 'a')")
        starting.execute("SET lock_timeout = '20s'")  # the old code waited on the locks
        migrate(starting)
        committing.rollback()
