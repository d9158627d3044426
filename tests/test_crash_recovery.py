"""A crash between a batch's fsync and its state commit, then a page that changes before the
restart: one text per (id, revision), the new text as the next revision (README, "Reading the
output"). The crash is the state rewound to before the poll, as a kill -9 leaves it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from scraper.models import article_id
from tests.httpserver import LoopbackServer, Reply
from tests.test_poll import (
    ATOM_TYPE,
    Clock,
    Item,
    atom,
    body_of,
    page,
    paths,
    run_poll,
    source,
    written,
)

STATE = ("state.sqlite3", "state.sqlite3-wal", "state.sqlite3-shm")


def one_text_per_revision(out: Path) -> dict[tuple[str, int], str]:
    """The body of every (id, revision) in all output files; fails on two different texts."""
    texts: dict[tuple[str, int], str] = {}
    for records in written(out).values():
        for record in records:
            key = (record["id"], record["revision"])
            assert texts.setdefault(key, record["body"]) == record["body"], key
    return texts


def save_state(out: Path, to: Path) -> None:
    to.mkdir()
    for name in STATE:
        if (out / name).exists():
            shutil.copy2(out / name, to / name)


def rewind_state(out: Path, saved: Path | None) -> None:
    """The state as it was before the last poll (None: before the first one)."""
    for name in STATE:
        (out / name).unlink(missing_ok=True)
        if saved is not None and (saved / name).exists():
            shutil.copy2(saved / name, out / name)


def _feed(server: LoopbackServer, updated: str) -> None:
    server.route("/feed", Reply(200, atom([Item("tag:1", server.url("/live"), "Live",
                                                updated)]), content_type=ATOM_TYPE))


def _rows(out: Path) -> list[tuple[Any, ...]]:
    return [(r["id"], r["revision"], r["status"], r["body"])
            for r in written(out)["alpha/2026-03-01.jsonl"]]


def test_a_new_article_whose_commit_was_lost_then_changed_is_revision_2(
        server: LoopbackServer, tmp_path: Path) -> None:
    out, clock, live = tmp_path / "output", Clock(), server.url("/live")
    src = source(server, "/feed")
    _feed(server, "2026-03-01T10:00:00Z")
    server.route("/live", Reply(200, page("Live", "First version.")))
    run_poll(out, clock, src)
    rewind_state(out, None)
    clock.advance(900)
    server.route("/live", Reply(200, page("Live", "Second version.")))
    [report] = run_poll(out, clock, src)
    assert report.error is None
    assert _rows(out) == [(article_id(live), 1, "ok", body_of("First version.")),
                          (article_id(live), 2, "ok", body_of("Second version."))]
    one_text_per_revision(out)
    # The state now knows revision 2: the unchanged page writes nothing more.
    clock.advance(900)
    _feed(server, "2026-03-01T12:30:00Z")
    [report] = run_poll(out, clock, src)
    assert (report.counts.new, report.counts.updated, report.counts.skipped) == (0, 0, 1)
    assert len(_rows(out)) == 2


def test_a_new_article_whose_commit_was_lost_unchanged_is_not_written_again(
        server: LoopbackServer, tmp_path: Path) -> None:
    out, clock, live = tmp_path / "output", Clock(), server.url("/live")
    src = source(server, "/feed")
    _feed(server, "2026-03-01T10:00:00Z")
    server.route("/live", Reply(200, page("Live", "First version.")))
    run_poll(out, clock, src)
    rewind_state(out, None)
    clock.advance(900)
    [report] = run_poll(out, clock, src)
    assert (report.counts.new, report.counts.updated, report.counts.skipped) == (0, 0, 1)
    assert _rows(out) == [(article_id(live), 1, "ok", body_of("First version."))]
    # Taken into the state: the next poll does not even fetch the page.
    clock.advance(900)
    server.requests.clear()
    run_poll(out, clock, src)
    assert paths(server) == ["/feed"]


def test_an_update_whose_commit_was_lost_then_changed_again_is_revision_3(
        server: LoopbackServer, tmp_path: Path) -> None:
    out, clock, live = tmp_path / "output", Clock(), server.url("/live")
    src = source(server, "/feed")
    _feed(server, "2026-03-01T10:00:00Z")
    server.route("/live", Reply(200, page("Live", "First version.")))
    run_poll(out, clock, src)
    save_state(out, tmp_path / "before-update")
    clock.advance(900)
    _feed(server, "2026-03-01T12:10:00Z")
    server.route("/live", Reply(200, page("Live", "Second version.")))
    run_poll(out, clock, src)
    rewind_state(out, tmp_path / "before-update")
    clock.advance(900)
    _feed(server, "2026-03-01T12:20:00Z")
    server.route("/live", Reply(200, page("Live", "First version.")))  # taken back
    [report] = run_poll(out, clock, src)
    assert (report.counts.new, report.counts.updated) == (0, 1)
    assert _rows(out) == [(article_id(live), 1, "ok", body_of("First version.")),
                          (article_id(live), 2, "ok", body_of("Second version.")),
                          (article_id(live), 3, "ok", body_of("First version."))]
    one_text_per_revision(out)


def test_a_failed_page_after_a_lost_commit_leaves_the_text_written(
        server: LoopbackServer, tmp_path: Path) -> None:
    out, clock, live = tmp_path / "output", Clock(), server.url("/live")
    src = source(server, "/feed")
    _feed(server, "2026-03-01T10:00:00Z")
    server.route("/live", Reply(200, page("Live", "First version.")))
    run_poll(out, clock, src)
    rewind_state(out, None)
    clock.advance(900)
    server.route("/live", Reply(503, b"down"))
    [report] = run_poll(out, clock, src)
    assert report.counts.page_failures == 1
    assert _rows(out) == [(article_id(live), 1, "ok", body_of("First version."))]
    # The text in the files stands; the page is not retried as if it had never been read.
    clock.advance(900)
    server.requests.clear()
    run_poll(out, clock, src)
    assert paths(server) == ["/feed"]
