"""What the operator sees: the daemon's line per scheduling round, the summary and the last
words of ``scraper poll``, and ``scraper status`` as a table (rich on a terminal, plain text
otherwise) or JSON::

    tally = Round()
    tally.add(report); tally.skip("rudaw")
    log.info(tally.line(next_due, now))   # 'round: 16 feeds polled, 12 not modified, ...'
    print(status_text(rows, now))          # `scraper status | cat`: aligned, never wrapped

Every function here is pure: it turns reports and states into text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from rich.table import Table

from scraper.models import KEPT_COUNTERS, format_time, parse_time
from scraper.poller import FeedReport
from scraper.store import FeedStatus

__all__ = [
    "Round",
    "ago",
    "plain_table",
    "poll_footer",
    "status_json",
    "status_table",
    "status_text",
    "summary_table",
    "summary_text",
]

@dataclass
class Round:
    """The tally of one scheduling round of the daemon: what its feed polls did, and the
    polls skipped because the source's previous poll was still running."""

    feeds: int = 0
    not_modified: int = 0
    new: int = 0
    updated: int = 0
    failed: int = 0  # feeds that could not be read
    page_failures: int = 0
    skipped: dict[str, int] = field(default_factory=dict)  # source -> polls skipped

    def add(self, report: FeedReport) -> None:
        """Count one feed poll."""
        self.feeds += 1
        self.not_modified += report.status == 304
        self.new += report.counts.new
        self.updated += report.counts.updated
        self.failed += not report.ok
        self.page_failures += report.counts.page_failures

    def skip(self, source: str) -> None:
        """Count a poll of ``source`` not started: its previous one was still running."""
        self.skipped[source] = self.skipped.get(source, 0) + 1

    @property
    def empty(self) -> bool:
        """True when nothing happened in the round."""
        return not self.feeds and not self.skipped

    def line(self, next_due: datetime | None, now: datetime) -> str:
        """The round in one line, for example ``round: 16 feeds polled, 0 not modified,
        0 new, 0 updated, 16 failed; next due 2026-03-01T12:29:00Z (in 29m)``."""
        text = (f"round: {self.feeds} feeds polled, {self.not_modified} not modified, "
                f"{self.new} new, {self.updated} updated, {self.failed} failed")
        if self.page_failures:
            text += f", {self.page_failures} pages failed"
        if self.skipped:
            sources = ", ".join(f"{name} x{n}" if n > 1 else name
                                for name, n in sorted(self.skipped.items()))
            text += (f", {sum(self.skipped.values())} polls skipped: still running "
                     f"({sources})")
        due = ago(format_time(next_due), now) if next_due else "-"
        return f"{text}; next due {due}"


def ago(text: str | None, now: datetime) -> str:
    """A stored time with how far it is from ``now``: ``2026-03-01T11:00:00Z (60m ago)``."""
    if not text:
        return "-"
    try:
        moment = parse_time(text)
    except ValueError:
        return text
    delta = moment - now
    seconds = abs(delta) // timedelta(seconds=1)
    span = (f"{seconds}s" if seconds < 120 else f"{seconds // 60}m" if seconds < 7200
            else f"{seconds // 3600}h")
    return f"{text} ({'in ' + span if delta > timedelta(0) else span + ' ago'})"


def plain_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """Columns aligned with spaces, nothing cut or wrapped (for pipes, files and grep)."""
    table = [list(headers), *(list(row) for row in rows)]
    widths = [max(len(row[i]) for row in table) for i in range(len(headers))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(
        row, widths, strict=True)).rstrip() for row in table)


# -- scraper poll -----------------------------------------------------------------------

_SUMMARY = ("source", "feed", "status", "new", "updated", "skipped", "failed")


def _quiet(report: FeedReport) -> bool:
    """A feed that was read and brought nothing: one line for all of them, not a row each
    (a poll of 1,000 feeds that answer 304 would otherwise print 1,000 rows)."""
    counts = report.counts
    return report.ok and not (counts.new or counts.updated or counts.page_failures)


def _summary_rows(reports: Sequence[FeedReport]) -> tuple[list[list[str]], int]:
    rows = []
    for r in reports:
        if _quiet(r):
            continue
        status = str(r.status) if r.status else "-"
        if r.error:
            status = f"{status} {r.error}" if r.status else r.error
        counts = r.counts
        rows.append([r.source, r.feed_url, status, str(counts.new), str(counts.updated),
                     str(counts.skipped), str(counts.page_failures)])
    return rows, sum(map(_quiet, reports))


def _quiet_line(quiet: int) -> str:
    return f"{quiet} more feeds read with nothing new" if quiet else ""


def summary_table(reports: Sequence[FeedReport]) -> Table:
    """The table printed at the end of ``scraper poll`` on a terminal: the feeds that wrote,
    failed or lost pages, then one line for the rest."""
    rows, quiet = _summary_rows(reports)
    table = Table(title="poll summary", caption=_quiet_line(quiet) or None)
    for column in _SUMMARY:
        table.add_column(column, overflow="fold",
                         justify="right" if column not in ("source", "feed") else "left")
    for row in rows:
        table.add_row(*row)
    return table


def summary_text(reports: Sequence[FeedReport]) -> str:
    """The same summary as plain text (stdout is not a terminal)."""
    rows, quiet = _summary_rows(reports)
    text = plain_table(_SUMMARY, rows) if rows else ""
    return "\n".join(part for part in (text, _quiet_line(quiet)) if part)


def poll_footer(reports: Sequence[FeedReport], output: Path) -> str:
    """The last line of ``scraper poll``: how many records, and where."""
    new = sum(r.counts.new for r in reports)
    updated = sum(r.counts.updated for r in reports)
    failed = sum(not r.ok for r in reports)
    feeds = f"{len(reports)} feeds polled, {failed} failed"
    if not new + updated:
        return f"{feeds}; no records written; state in {output / 'state.sqlite3'}"
    return (f"{feeds}; wrote {new + updated} records ({new} new, {updated} updated) to "
            f"{output}/<source>/<UTC day>.jsonl; state in {output / 'state.sqlite3'}")


# -- scraper status ---------------------------------------------------------------------

_STATUS = ("source", "feed", "last poll", "status", "errors", "next poll", "today", "total",
           "left out", "last error")


def _left_out(row: FeedStatus) -> str:
    """What the poll limits kept from being fetched, in total (empty when nothing)."""
    counters = row.counters
    parts = [f"{n} {what}" for n, what in (
        (counters.changes_capped, "changed entries over the cap"),
        (counters.deferred, "entries deferred"),
        (counters.entries_cut, "entries beyond max_feed_entries"),
    ) if n]
    return "; ".join(parts)


def _status_cells(row: FeedStatus, now: datetime) -> list[str]:
    s = row.state
    return [s.source, s.feed_url, ago(s.last_poll, now),
            str(s.last_status) if s.last_status else "-", str(s.consecutive_errors),
            ago(s.next_poll, now), str(row.written_today), str(row.written_total),
            _left_out(row), s.last_error or ""]


def status_table(rows: Sequence[FeedStatus], now: datetime) -> Table:
    """The table of ``scraper status`` on a terminal."""
    table = Table(title="feeds")
    for column in _STATUS:
        # A feed URL cut with an ellipsis cannot be copied; fold it instead.
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*_status_cells(row, now))
    return table


def status_text(rows: Sequence[FeedStatus], now: datetime) -> str:
    """``scraper status`` when stdout is not a terminal: one line per feed, aligned."""
    return plain_table(_STATUS, (_status_cells(row, now) for row in rows))


def status_json(rows: Sequence[FeedStatus]) -> str:
    """``scraper status --json``: one object per feed, its state and its counters."""
    feeds: list[dict[str, Any]] = []
    for row in rows:
        state = asdict(row.state)
        feed = {"source": state.pop("source"), "feed": state.pop("feed_url"), **state}
        feeds.append({**feed, "written_today": row.written_today,
                      "written_total": row.written_total,
                      "counters": {n: getattr(row.counters, n) for n in KEPT_COUNTERS}})
    return json.dumps(feeds, ensure_ascii=False, indent=2)
