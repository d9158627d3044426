"""The decide step, row by row of its table: no server, no database, no clock."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import pytest

from scraper.feeds import FeedEntry
from scraper.models import Article, Counters, PageFields, article_id, content_hash
from scraper.records import (
    Decision,
    Failure,
    Known,
    Limits,
    Page,
    decide,
    fill_from_entry,
    fingerprint,
    one_off,
)
from scraper.store import ArticleState, EntryLink, Snapshot

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
STAMP = "2026-03-01T12:00:00Z"
FETCHED = datetime(2026, 3, 1, 11, 59, 30, tzinfo=UTC)
FEED = "https://news.example/feed"
OTHER_FEED = "https://other.example/feed"
LINK = "https://news.example/story"
LINK_ID = article_id(LINK)
CANONICAL = "https://news.example/canonical-story"

ENTRY = FeedEntry(entry_id="guid-1", link=LINK, title="Dam opens", summary="A dek.",
                  authors=("Jane Doe",), published="2026-03-01T09:00:00Z")
CHANGED = replace(ENTRY, title="Dam opens, thousands cheer",
                  published="2026-03-01T11:00:00Z")


def page(body: str = "The dam opened.", headline: str = "Dam opens",
         canonical: str | None = LINK, **fields: object) -> Page:
    # What extract() gives: the page's fields (its id is the decide step's business).
    article = PageFields(canonical_url=canonical, headline=headline, body=body,
                         **fields)  # type: ignore[arg-type]
    return Page(article, LINK, FETCHED)


def state(ident: str = LINK_ID, *, revision: int = 1, status: str = "ok",
          body: str = "The dam opened.", failures: int = 0, gave_up: bool = False,
          canonical: str = LINK, feed: str = FEED) -> ArticleState:
    return ArticleState(
        id=ident, canonical_url=canonical, source="news", feed_url=feed,
        content_hash=content_hash("Dam opens", body) if status == "ok"
        else content_hash("Dam opens", ""),
        revision=revision, entry_updated=None, status=status, page_failures=failures,
        gave_up=gave_up, first_seen="2026-02-28T08:00:00Z", last_seen="2026-02-28T08:00:00Z")


def seen(entry: FeedEntry = ENTRY, ident: str = LINK_ID) -> EntryLink:
    return EntryLink(FEED, entry.entry_id, ident, entry.updated, fingerprint(entry))


def known(*articles: ArticleState, entries: tuple[EntryLink, ...] = (),
          aliases: tuple[tuple[str, str], ...] = (), busy: frozenset[str] = frozenset()
          ) -> Known:
    result = Known("news", FEED, busy=busy)
    result.merge(Snapshot(entries, articles, aliases))
    return result


@dataclass(frozen=True)
class Row:
    """One row of the decision table: the entry and the state in, both decisions out."""

    entry: FeedEntry
    known: Known
    plan: str  # the first decision's action (with its reason for a fetch)
    outcome: Page | Failure | None = None
    final: str | None = None  # the second decision's action
    counts: tuple[str, ...] = ()
    record: tuple[str, int, str] | None = None  # (id, revision, status) written
    linked: str | None = None  # the article id the entry is linked to
    limits: Limits = field(default_factory=Limits)


ROWS = {
    "new": Row(ENTRY, known(), "fetch:new", page(), "write", ("new",),
               (LINK_ID, 1, "ok"), LINK_ID),
    "unchanged": Row(ENTRY, known(state(), entries=(seen(),)), "skip", counts=("skipped",)),
    "entry changed, same content": Row(
        CHANGED, known(state(), entries=(seen(),)), "fetch:update", page(), "remember",
        ("skipped",), None, LINK_ID),
    "changed content": Row(
        CHANGED, known(state(), entries=(seen(),)), "fetch:update",
        page("The dam opened to cheers."), "write", ("updated",), (LINK_ID, 2, "ok"),
        LINK_ID),
    "atom updated changed": Row(
        replace(ENTRY, updated="2026-03-01T11:30:00Z"), known(state(), entries=(seen(),)),
        "fetch:update", page("Revised text."), "write", ("updated",), (LINK_ID, 2, "ok"),
        LINK_ID),
    "feed_only": Row(ENTRY, known(), "fetch:new", Failure("404 Not Found"), "write",
                     ("page_failures", "new", "feed_only", "pending"), (LINK_ID, 1, "feed_only"),
                     LINK_ID),
    "empty page is feed_only": Row(ENTRY, known(), "fetch:new", page(body=" "), "write",
                                   ("page_failures", "new", "feed_only", "pending"),
                                   (LINK_ID, 1, "feed_only"), LINK_ID),
    "feed_only retried, page comes": Row(
        ENTRY, known(state(status="feed_only", failures=1), entries=(seen(),)),
        "fetch:retry", page(), "write", ("updated",), (LINK_ID, 2, "ok"), LINK_ID),
    "feed_only retried, fails again": Row(
        ENTRY, known(state(status="feed_only", failures=1), entries=(seen(),)),
        "fetch:retry", Failure("timed out"), "remember", ("page_failures", "pending"), None,
        LINK_ID),
    "page retry exhausted": Row(
        ENTRY, known(state(status="feed_only", failures=3), entries=(seen(),)),
        "fetch:retry", Failure("timed out"), "remember", ("page_failures", "gave_up"), None,
        LINK_ID),
    "given up: no more fetches": Row(
        ENTRY, known(state(status="feed_only", failures=4, gave_up=True),
                     entries=(seen(),)), "skip", counts=("skipped",)),
    "retries 0: given up at once": Row(
        ENTRY, known(), "fetch:new", Failure("404 Not Found"), "write",
        ("page_failures", "new", "feed_only", "gave_up"), (LINK_ID, 1, "feed_only"), LINK_ID,
        Limits(max_page_retries=0)),
    "revision cap reached": Row(
        CHANGED, known(state(revision=10), entries=(seen(),)), "fetch:update",
        page("Yet another text."), "remember", ("revisions_capped",), None, LINK_ID),
    "update whose page failed": Row(
        CHANGED, known(state(), entries=(seen(),)), "fetch:update", Failure("500"),
        "remember", ("page_failures",), None, LINK_ID),
    "alias of a known canonical URL": Row(
        ENTRY, known(state(article_id(CANONICAL), canonical=CANONICAL)), "fetch:new",
        page(canonical=CANONICAL), "remember", ("skipped",), None, article_id(CANONICAL)),
    "canonical shared by other text": Row(
        ENTRY, known(state(article_id(CANONICAL), canonical=CANONICAL, body="Other.")),
        "fetch:new", page(canonical=CANONICAL), "write", ("new",), (LINK_ID, 1, "ok"),
        LINK_ID),
    "same story in two feeds": Row(
        ENTRY, known(state(feed=OTHER_FEED)), "remember", counts=("skipped",),
        linked=LINK_ID),
    "known by an alias": Row(
        ENTRY, known(state(article_id(CANONICAL), canonical=CANONICAL),
                     aliases=((LINK, article_id(CANONICAL)),)), "remember",
        counts=("skipped",), linked=article_id(CANONICAL)),
    "refused by the source's rules": Row(
        ENTRY, known(), "skip", counts=("skipped",),
        limits=Limits(accepts=lambda url: "/video/" in url)),
    "no link": Row(replace(ENTRY, link=None), known(), "skip", counts=("skipped",)),
    "fetched by another pass": Row(ENTRY, known(busy=frozenset({LINK_ID})), "defer",
                                   counts=("deferred",)),
    "a bug of ours": Row(ENTRY, known(), "fetch:new", Failure("KeyError", bug=True),
                         "skip", ("page_failures", "pending")),
}


@pytest.mark.parametrize("row", ROWS.values(), ids=ROWS.keys())
def test_decision_table(row: Row) -> None:
    first = decide(row.entry, row.known, None, row.limits, NOW)
    assert (f"{first.action}:{first.reason}" if first.action == "fetch" else first.action
            ) == row.plan
    last = first
    if first.action == "fetch":
        assert row.outcome is not None
        row.known.absorb(first)
        last = decide(row.entry, row.known, row.outcome, row.limits, NOW)
        assert last.action == row.final
    assert last.counts == row.counts
    if row.record is None:
        assert last.record is None
    else:
        assert last.record is not None
        assert (last.record.id, last.record.revision, last.record.status) == row.record
        assert (last.record.source, last.record.feed_url) == ("news", FEED)
    if row.linked is None:
        assert last.entry is None
    else:
        assert last.entry == EntryLink(FEED, row.entry.entry_id, row.linked,
                                       row.entry.updated, fingerprint(row.entry))


def test_new_record_has_its_identity_and_feed_fills_what_the_page_lacks() -> None:
    fields = page(headline="", body="The dam opened.")
    decision = decide(ENTRY, known(), fields, Limits(), NOW)
    assert decision.record == Article(
        id=LINK_ID, url=LINK, canonical_url=LINK, revision=1, status="ok", source="news",
        feed_url=FEED, headline="Dam opens", summary="A dek.", authors=("Jane Doe",),
        published="2026-03-01T09:00:00Z", body="The dam opened.",
        fetched_at="2026-03-01T11:59:30Z")
    assert decision.article == ArticleState(
        id=LINK_ID, canonical_url=LINK, source="news", feed_url=FEED,
        content_hash=content_hash("Dam opens", "The dam opened."), revision=1,
        entry_updated=None, status="ok", page_failures=0, gave_up=False, first_seen=STAMP,
        last_seen=STAMP)
    assert decision.aliases == ((LINK, LINK_ID),)


def test_feed_only_record_is_the_entry() -> None:
    entry = replace(ENTRY, updated="2026-03-01T10:00:00Z", tags=("World",))
    decision = decide(entry, known(), Failure("404 Not Found"), Limits(), NOW)
    assert decision.record == Article(
        id=LINK_ID, url=LINK, canonical_url=LINK, status="feed_only", source="news",
        feed_url=FEED, headline="Dam opens", summary="A dek.", authors=("Jane Doe",),
        published="2026-03-01T09:00:00Z", modified="2026-03-01T10:00:00Z", tags=("World",),
        fetched_at=STAMP)
    assert decision.message == f"page {LINK} failed: 404 Not Found"


def test_a_link_twice_in_one_feed_is_fetched_once() -> None:
    state_ = known()
    first = decide(ENTRY, state_, None, Limits(), NOW)
    state_.absorb(first)
    again = decide(replace(ENTRY, entry_id="guid-2"), state_, None, Limits(), NOW)
    assert (first.action, again.action, again.counts) == ("fetch", "skip", ("skipped",))


def test_max_articles_per_poll_defers_the_rest() -> None:
    state_ = known()
    actions = []
    for n in range(4):
        entry = replace(ENTRY, entry_id=f"g{n}", link=f"{LINK}/{n}")
        decision = decide(entry, state_, None, Limits(max_articles_per_poll=2), NOW)
        state_.absorb(decision)
        actions.append((decision.action, decision.counts))
    assert actions == [("fetch", ()), ("fetch", ()), ("defer", ("deferred",)),
                       ("defer", ("deferred",))]


def test_changed_entries_fetched_again_are_capped_per_poll() -> None:
    entries = [replace(ENTRY, entry_id=f"g{n}", link=f"{LINK}/{n}") for n in range(5)]
    state_ = known(*(state(article_id(e.link or "")) for e in entries),
                   entries=tuple(seen(e, article_id(e.link or "")) for e in entries))
    actions = []
    for entry in entries:
        decision = decide(replace(entry, title="Rewritten"), state_, None,
                          Limits(max_changes_per_poll=3), NOW)
        state_.absorb(decision)
        actions.append(decision.action)
    assert actions == ["fetch", "fetch", "fetch", "defer", "defer"]
    assert decide(replace(entries[4], title="Rewritten"), state_, None,
                  Limits(max_changes_per_poll=3), NOW).counts == ("changes_capped",)


def test_a_state_without_fingerprints_goes_by_the_entry_date() -> None:
    old = EntryLink(FEED, "guid-1", LINK_ID, "2026-03-01T10:00:00Z")
    same = replace(ENTRY, updated="2026-03-01T10:00:00Z")
    decision = decide(same, known(state(), entries=(old,)), None, Limits(), NOW)
    # Not fetched again, but the fingerprint is kept from now on.
    assert (decision.action, decision.entry) == ("remember", EntryLink(
        FEED, "guid-1", LINK_ID, "2026-03-01T10:00:00Z", fingerprint(same)))
    moved = replace(ENTRY, updated="2026-03-01T11:00:00Z")
    assert decide(moved, known(state(), entries=(old,)), None, Limits(), NOW).reason == (
        "update")


def test_fingerprint_covers_title_link_summary_and_dates() -> None:
    prints = {fingerprint(e) for e in (
        ENTRY, replace(ENTRY, title="x"), replace(ENTRY, link=LINK + "/x"),
        replace(ENTRY, summary="x"), replace(ENTRY, published="2026-03-02T00:00:00Z"),
        replace(ENTRY, updated="2026-03-02T00:00:00Z"))}
    assert len(prints) == 6
    # What the feed does not show a reader (authors, tags) is not a change of the story.
    assert fingerprint(replace(ENTRY, authors=(), tags=("x",))) == fingerprint(ENTRY)


def test_counts_add_and_sum() -> None:
    counts = Counters().add(("new", "feed_only", "new"))
    assert counts == Counters(new=2, feed_only=1)
    assert counts.add(("new",), -1) + Counters(skipped=1) == Counters(new=1, feed_only=1,
                                                                  skipped=1)


def test_one_off_records_are_keyed_by_canonical_then_url_then_text() -> None:
    fields = page().article
    assert one_off(fields, LINK, FETCHED) == Article(
        id=LINK_ID, url=LINK, canonical_url=LINK, headline="Dam opens",
        body="The dam opened.", fetched_at="2026-03-01T11:59:30Z")
    bare = replace(fields, canonical_url=None)
    assert one_off(bare, None).id == article_id("The dam opened.")
    assert one_off(bare, "https://x.example/a").id == article_id("https://x.example/a")


def test_a_page_taken_alone_is_decided_by_decide_against_nothing_known() -> None:
    # No feed entry: the record is the page's fields as they are (nothing filled from a
    # feed), with the identity the decide step gives every record.
    fields = replace(page(headline="", summary=None).article, canonical_url=CANONICAL)
    decision = decide(None, Known(None, None), Page(fields, LINK, FETCHED), Limits(), NOW)
    assert (decision.action, decision.counts, decision.link) == ("write", ("new",), LINK)
    assert decision.record == Article(
        id=article_id(CANONICAL), url=LINK, canonical_url=CANONICAL, revision=1, status="ok",
        source=None, feed_url=None, headline="", body="The dam opened.",
        fetched_at="2026-03-01T11:59:30Z")
    assert decision.article is None and decision.entry is None and decision.aliases == ()
    assert one_off(fields, LINK, FETCHED) == decision.record


def test_a_page_taken_alone_is_kept_without_text_and_a_failure_writes_nothing() -> None:
    empty = replace(page().article, body="")
    decision = decide(None, Known("news", None), Page(empty, None, None), Limits(), NOW)
    assert decision.record == Article(id=LINK_ID, url=None, canonical_url=LINK,
                                      source="news", headline="Dam opens", body="")
    assert one_off(empty, None, source="news") == decision.record
    failed = decide(None, Known(None, None), Failure("404 Not Found"), Limits(), NOW)
    assert (failed.action, failed.counts, failed.record) == ("skip", ("page_failures",), None)
    assert (failed.message, failed.warn) == ("404 Not Found", True)


def test_decisions_never_fetch_without_a_link() -> None:
    decision: Decision = decide(ENTRY, known(), None, Limits(), NOW)
    assert decision.link == LINK and decision.claims == frozenset({LINK_ID})


def test_fill_from_entry_fills_only_what_the_page_lacks() -> None:
    fields = replace(page(headline="").article, summary=None, tags=("Page tag",))
    assert fill_from_entry(fields, ENTRY) == replace(
        fields, headline="Dam opens", authors=("Jane Doe",), summary="A dek.",
        published="2026-03-01T09:00:00Z")


def test_fill_from_entry_keeps_what_the_page_has() -> None:
    fields = page(headline="Page headline", authors=("Page Author",), summary="Page dek.",
                  published="2026-03-01T08:00:00Z").article
    assert fill_from_entry(fields, ENTRY) is fields
    assert fill_from_entry(fields, FeedEntry(entry_id="e", link=None)) is fields


def test_changed_entries_refreshed_longest_ago_get_the_fetches() -> None:
    entries = [replace(ENTRY, entry_id=f"g{n}", link=f"{LINK}/{n}") for n in range(4)]
    ages = ["2026-03-01T11:00:00Z", "2026-03-01T08:00:00Z", "2026-03-01T10:00:00Z",
            "2026-03-01T09:00:00Z"]
    state_ = known(*(replace(state(article_id(e.link or "")), last_seen=age)
                     for e, age in zip(entries, ages, strict=True)),
                   entries=tuple(seen(e, article_id(e.link or "")) for e in entries))
    changed = [replace(e, title="Rewritten") for e in entries]
    limits = Limits(max_changes_per_poll=2)
    state_.ration(changed, limits)
    actions = []
    for entry in changed:
        decision = decide(entry, state_, None, limits, NOW)
        state_.absorb(decision)
        actions.append(decision.action)
    assert actions == ["defer", "fetch", "defer", "fetch"]
