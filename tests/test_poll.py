"""The polling logic against a real HTTP server on 127.0.0.1: exact records written and
exact requests made, with an injected clock (nothing sleeps)."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from scraper.config import SourceConfig, load_config
from scraper.daemon import status_rows
from scraper.errors import StoreError
from scraper.extract import extract
from scraper.fetch import Fetcher, FetchSettings
from scraper.models import Counters, ExtractRules, PageFields, article_id, content_hash
from scraper.poller import FeedReport, Poller, PollSettings, is_due
from scraper.report import status_table, status_text
from scraper.store import Batch, EntryLink, FeedState, Store
from tests.httpserver import LoopbackServer, Reply, Request

START = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
FETCH = FetchSettings(per_host_delay=0.0, respect_robots=False, max_attempts=1,
                      allow_private_networks=True, read_timeout=5.0, deadline=5.0)
RSS_TYPE = "application/rss+xml; charset=utf-8"
ATOM_TYPE = "application/atom+xml; charset=utf-8"


class Clock:
    """The injected clock: moves only when the test says so."""

    def __init__(self, start: datetime = START) -> None:
        self.moment = start

    def now(self) -> datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)


async def _no_sleep(_: float) -> None:
    return None


async def inline_extract(html: bytes, url: str, rules: ExtractRules,
                         content_type: str | None) -> PageFields:
    """The extractor without the process pool (the pool has its own tests)."""
    return extract(html, url, rules, content_type=content_type)


@dataclass(frozen=True)
class Item:
    guid: str
    link: str
    title: str
    updated: str = "2026-03-01T10:00:00Z"


def rss(items: Iterable[Item]) -> bytes:
    body = "".join(
        f"<item><guid isPermaLink=\"false\">{i.guid}</guid><link>{i.link}</link>"
        f"<title>{i.title}</title><description>Summary of {i.title}.</description>"
        f"<pubDate>Sun, 01 Mar 2026 09:00:00 GMT</pubDate></item>" for i in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Test</title><link>http://example.com/</link>{body}</channel></rss>").encode()


def atom(items: Iterable[Item]) -> bytes:
    body = "".join(
        f'<entry><id>{i.guid}</id><link rel="alternate" href="{i.link}"/>'
        f"<title>{i.title}</title><updated>{i.updated}</updated>"
        f"<published>2026-03-01T09:00:00Z</published></entry>" for i in items)
    return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>Test</title><id>urn:test</id><updated>2026-03-01T10:00:00Z</updated>"
            f"{body}</feed>").encode()


def rdf(items: Iterable[Item]) -> bytes:
    body = "".join(
        f'<item rdf:about="{i.link}"><title>{i.title}</title><link>{i.link}</link></item>'
        for i in items)
    return ('<?xml version="1.0" encoding="utf-8"?><rdf:RDF '
            'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns="http://purl.org/rss/1.0/"><channel rdf:about="http://example.com/">'
            "<title>Test</title><link>http://example.com/</link></channel>"
            f"{body}</rdf:RDF>").encode()


def page(title: str, text: str, canonical: str | None = None) -> bytes:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}'
            f"</title>{link}</head><body><article><h1>{title}</h1><p>{text}</p>"
            "<p>Officials said it would irrigate thousands of hectares of farmland.</p>"
            "</article></body></html>").encode()


def body_of(text: str) -> str:
    return f"{text}\n\nOfficials said it would irrigate thousands of hectares of farmland."


def conditional(body: bytes, etag: str, content_type: str = RSS_TYPE,
                extra: dict[str, str] | None = None) -> Any:
    """A feed route honouring If-None-Match, as a real server does."""
    headers = {"ETag": etag, "Last-Modified": "Sun, 01 Mar 2026 10:00:00 GMT", **(extra or {})}

    def handler(request: Request) -> Reply:
        if request.headers.get("if-none-match") == etag:
            return Reply(304, b"", headers=headers, content_type=None)
        return Reply(200, body, headers=headers, content_type=content_type)

    return handler


def source(server: LoopbackServer, *feeds: str, name: str = "alpha",
           **changes: Any) -> SourceConfig:
    return SourceConfig(name=name, feeds=tuple(server.url(f) for f in feeds), interval=900.0,
                        allow_private_networks=True, **changes)


def run_poll(out: Path, clock: Clock, *sources: SourceConfig,
             settings: PollSettings | None = None, extractor: Any = inline_extract,
             only_due: bool = False, stop: asyncio.Event | None = None,
             failing: frozenset[str] = frozenset()) -> list[FeedReport]:
    async def go() -> list[FeedReport]:
        with Store.open(out, now=clock.now) as store:
            async with Fetcher(FETCH, now=clock.now, sleep=_no_sleep) as real:
                fetcher = Buggy(real, failing) if failing else real
                poller = Poller(store, fetcher, extractor, settings, now=clock.now,
                                monotonic=lambda: 0.0, stop=stop)
                reports = []
                for s in sources:
                    reports += await poller.poll_source(s, only_due=only_due)
                return reports

    return asyncio.run(go())


class Buggy:
    """A fetcher with a bug: the URLs in ``failing`` raise what no fetcher should."""

    def __init__(self, inner: Fetcher, failing: frozenset[str]) -> None:
        self.inner = inner
        self.failing = failing

    async def fetch(self, url: str, **options: Any) -> Any:
        if url in self.failing:
            raise RuntimeError("bug")
        return await self.inner.fetch(url, **options)


def written(out: Path) -> dict[str, list[dict[str, Any]]]:
    """Every output file (relative path) and its records, checking each line is whole."""
    result = {}
    for path in sorted(out.rglob("*.jsonl")):
        data = path.read_bytes()
        assert data.endswith(b"\n")
        result[str(path.relative_to(out))] = [json.loads(x) for x in data.splitlines()]
    return result


def feed_state(out: Path, clock: Clock, name: str, url: str) -> FeedState | None:
    with Store.open(out, now=clock.now) as store:
        return store.feed(name, url)


def paths(server: LoopbackServer) -> list[str]:
    return [r.path for r in server.requests]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "output"


@pytest.fixture
def released() -> Iterator[threading.Event]:
    """For routes that hang until the test ends."""
    event = threading.Event()
    yield event
    event.set()


# -- first poll, second poll -----------------------------------------------------------


def test_first_poll_writes_exact_records(server: LoopbackServer, out: Path, clock: Clock) -> None:
    dam = server.url("/news/dam")
    server.route("/feed.xml", conditional(rss([
        Item("g1", dam + "?utm_source=rss", "Dam opens"),
    ]), '"v1"'))
    server.route("/news/dam", Reply(200, page(
        "Dam opens in Erbil", "ERBIL, Kurdistan Region - The new dam opened on Monday.", dam)))
    [report] = run_poll(out, clock, source(server, "/feed.xml"))
    assert report == FeedReport("alpha", server.url("/feed.xml"), 200, None,
                                Counters(polls=1, new=1), next_poll="2026-03-01T12:15:00Z")
    body = body_of("The new dam opened on Monday.")
    assert written(out) == {"alpha/2026-03-01.jsonl": [{
        "schema": 1, "id": article_id(dam), "revision": 1, "status": "ok", "source": "alpha",
        "url": dam, "canonical_url": dam, "feed_url": server.url("/feed.xml"),
        "headline": "Dam opens in Erbil", "summary": "Summary of Dam opens.",
        "dateline": "ERBIL, Kurdistan Region", "authors": [],
        "published": "2026-03-01T09:00:00Z", "modified": None, "language": "en",
        "section": None, "tags": [], "images": [], "body": body, "word_count": 16,
        "content_hash": content_hash("Dam opens in Erbil", body), "paywalled": None,
        "fetched_at": "2026-03-01T12:00:00Z",
    }]}
    assert paths(server) == ["/feed.xml", "/news/dam"]
    assert "if-none-match" not in server.requests[0].headers


def test_second_poll_of_unchanged_feed_is_one_conditional_request(
        server: LoopbackServer, out: Path, clock: Clock) -> None:
    server.route("/feed.xml", conditional(rss([
        Item("g1", server.url("/a"), "A"), Item("g2", server.url("/b"), "B")]), '"v1"'))
    server.route("/a", Reply(200, page("Story A", "Text of story A.")))
    server.route("/b", Reply(200, page("Story B", "Text of story B.")))
    src = source(server, "/feed.xml")
    run_poll(out, clock, src)
    before = written(out)
    assert len(server.requests) == 3
    server.requests.clear()
    clock.advance(900)
    [report] = run_poll(out, clock, src)
    assert report == FeedReport("alpha", server.url("/feed.xml"), 304, None,
                                Counters(polls=1, not_modified=1),
                                next_poll="2026-03-01T12:30:00Z")
    [request] = server.requests
    assert request.path == "/feed.xml"
    assert request.headers["if-none-match"] == '"v1"'
    assert request.headers["if-modified-since"] == "Sun, 01 Mar 2026 10:00:00 GMT"
    assert written(out) == before


def test_unchanged_feed_without_validators_writes_nothing_new(
        server: LoopbackServer, out: Path, clock: Clock) -> None:
    server.route("/feed.xml", Reply(200, rss([Item("g1", server.url("/a"), "A")]),
                                    content_type=RSS_TYPE))
    server.route("/a", Reply(200, page("Story A", "Text of story A.")))
    src = source(server, "/feed.xml")
    run_poll(out, clock, src)
    clock.advance(900)
    [report] = run_poll(out, clock, src)
    assert (report.status, report.counts.new, report.counts.skipped) == (200, 0, 1)
    assert paths(server) == ["/feed.xml", "/a", "/feed.xml"]
    assert len(written(out)["alpha/2026-03-01.jsonl"]) == 1


@pytest.mark.parametrize(("builder", "content_type"), [
    (rss, RSS_TYPE), (atom, ATOM_TYPE), (rdf, "application/rdf+xml")],
    ids=["rss", "atom", "rdf"])
def test_each_feed_flavour(server: LoopbackServer, out: Path, clock: Clock, builder: Any,
                           content_type: str) -> None:
    server.route("/feed", Reply(200, builder([Item("u1", server.url("/one"), "One"),
                                              Item("u2", server.url("/two"), "Two")]),
                                content_type=content_type))
    server.route("/one", Reply(200, page("First story", "Text one.")))
    server.route("/two", Reply(200, page("Second story", "Text two.")))
    [report] = run_poll(out, clock, source(server, "/feed"))
    assert (report.status, report.counts.new, report.counts.page_failures) == (200, 2, 0)
    records = written(out)["alpha/2026-03-01.jsonl"]
    assert [(r["id"], r["headline"], r["body"], r["status"]) for r in records] == [
        (article_id(server.url("/one")), "First story", body_of("Text one."), "ok"),
        (article_id(server.url("/two")), "Second story", body_of("Text two."), "ok"),
    ]
    assert sorted(paths(server)) == ["/feed", "/one", "/two"]


# -- dedupe ---------------------------------------------------------------------------


def test_same_article_from_two_feeds_and_twice_in_one_is_written_once(
        server: LoopbackServer, out: Path, clock: Clock) -> None:
    a = server.url("/a")
    server.route("/rss", Reply(200, rss([
        Item("r1", a + "?utm_medium=rss#top", "A"), Item("r2", a, "A again"),
        Item("r3", server.url("/b"), "B")]), content_type=RSS_TYPE))
    server.route("/atom", Reply(200, atom([
        Item("tag:a", a + "?utm_source=atom", "A")]), content_type=ATOM_TYPE))
    server.route("/a", Reply(200, page("Story A", "Text A.")))
    server.route("/b", Reply(200, page("Story B", "Text B.")))
    reports = run_poll(out, clock, source(server, "/rss", "/atom"))
    assert [(r.counts.new, r.counts.skipped) for r in reports] == [(2, 1), (0, 1)]
    records = written(out)["alpha/2026-03-01.jsonl"]
    assert [r["id"] for r in records] == [article_id(a), article_id(server.url("/b"))]
    assert paths(server).count("/a") == 1
    clock.advance(900)
    reports = run_poll(out, clock, source(server, "/rss", "/atom"))
    assert [(r.counts.new, r.counts.skipped) for r in reports] == [(0, 3), (0, 1)]
    assert paths(server).count("/a") == 1


def test_pages_with_one_canonical_url_are_one_article(
        server: LoopbackServer, out: Path, clock: Clock) -> None:
    canonical = server.url("/story")
    server.route("/feed", Reply(200, rss([Item("1", server.url("/amp/story"), "S"),
                                          Item("2", server.url("/m/story"), "S")]),
                                content_type=RSS_TYPE))
    server.route("/amp/story", Reply(200, page("Story", "Text.", canonical)))
    server.route("/m/story", Reply(200, page("Story", "Text.", canonical)))
    [report] = run_poll(out, clock, source(server, "/feed"))
    assert (report.counts.new, report.counts.skipped) == (1, 1)
    [record] = written(out)["alpha/2026-03-01.jsonl"]
    assert (record["id"], record["url"], record["canonical_url"]) == (
        article_id(canonical), server.url("/amp/story"), canonical)


def test_entries_filtered_by_source_rules_are_skipped(
        server: LoopbackServer, out: Path, clock: Clock) -> None:
    import re

    server.route("/feed", Reply(200, rss([Item("1", server.url("/news/a"), "A"),
                                          Item("2", server.url("/video/b"), "B")]),
                                content_type=RSS_TYPE))
    server.route("/news/a", Reply(200, page("A", "Text.")))
    [report] = run_poll(out, clock, source(server, "/feed",
                                           exclude=(re.compile(r"/video/"),)))
    assert (report.counts.new, report.counts.skipped) == (1, 1)
    assert paths(server) == ["/feed", "/news/a"]


# -- revisions ------------------------------------------------------------------------


def _revision_feed(server: LoopbackServer, updated: str) -> None:
    server.route("/feed", Reply(200, atom([Item("tag:1", server.url("/live"), "Live",
                                                updated)]), content_type=ATOM_TYPE))


def test_revisions(server: LoopbackServer, out: Path, clock: Clock) -> None:
    src = source(server, "/feed")
    _revision_feed(server, "2026-03-01T10:00:00Z")
    server.route("/live", Reply(200, page("Live", "First version.")))
    run_poll(out, clock, src)
    # updated changed, content changed: revision 2
    clock.advance(900)
    _revision_feed(server, "2026-03-01T12:10:00Z")
    server.route("/live", Reply(200, page("Live", "Second version.")))
    [report] = run_poll(out, clock, src)
    assert (report.counts.new, report.counts.updated, report.counts.skipped) == (0, 1, 0)
    # updated changed, content the same: nothing
    clock.advance(900)
    _revision_feed(server, "2026-03-01T12:20:00Z")
    [report] = run_poll(out, clock, src)
    assert (report.counts.new, report.counts.updated, report.counts.skipped) == (0, 0, 1)
    # updated unchanged: not even fetched
    clock.advance(900)
    [report] = run_poll(out, clock, src)
    assert (report.counts.updated, report.counts.skipped) == (0, 1)
    assert paths(server) == ["/feed", "/live", "/feed", "/live", "/feed", "/live", "/feed"]
    records = written(out)["alpha/2026-03-01.jsonl"]
    assert [(r["id"], r["revision"], r["body"], r["fetched_at"]) for r in records] == [
        (article_id(server.url("/live")), 1, body_of("First version."), "2026-03-01T12:00:00Z"),
        (article_id(server.url("/live")), 2, body_of("Second version."),
         "2026-03-01T12:15:00Z"),
    ]


def test_revision_cap_stops_a_jittering_page(
        server: LoopbackServer, out: Path, clock: Clock) -> None:
    src = source(server, "/feed")
    settings = PollSettings(max_revisions=2)
    capped = []
    for n in range(4):
        _revision_feed(server, f"2026-03-01T1{n}:00:00Z")
        server.route("/live", Reply(200, page("Live", f"Version {n}.")))
        [report] = run_poll(out, clock, src, settings=settings)
        capped.append((report.counts.new, report.counts.updated, report.counts.revisions_capped))
        clock.advance(900)
    assert capped == [(1, 0, 0), (0, 1, 0), (0, 0, 1), (0, 0, 1)]
    assert [r["revision"] for r in written(out)["alpha/2026-03-01.jsonl"]] == [1, 2]
    with Store.open(out) as store:
        assert store.statuses("2026-03-01")[0].counters.revisions_capped == 2


# -- feed_only and recovery -------------------------------------------------------------


def test_feed_only_record_then_recovery(server: LoopbackServer, out: Path, clock: Clock) -> None:
    paywalled = server.url("/paywalled")
    server.route("/feed", conditional(rss([Item("p1", paywalled, "Paywalled story")]), '"v1"'))
    server.route("/paywalled", [Reply(403, b"forbidden"),
                                Reply(200, page("Paywalled story", "Now readable."))])
    src = source(server, "/feed")
    [report] = run_poll(out, clock, src)
    assert (report.counts.new, report.counts.page_failures, report.counts.feed_only) == (1, 1, 1)
    [record] = written(out)["alpha/2026-03-01.jsonl"]
    assert record == {
        "schema": 1, "id": article_id(paywalled), "revision": 1, "status": "feed_only",
        "source": "alpha", "url": paywalled, "canonical_url": paywalled,
        "feed_url": server.url("/feed"), "headline": "Paywalled story",
        "summary": "Summary of Paywalled story.", "dateline": None, "authors": [],
        "published": "2026-03-01T09:00:00Z", "modified": None, "language": None,
        "section": None, "tags": [], "images": [], "body": "", "word_count": 0,
        "content_hash": content_hash("Paywalled story", ""), "paywalled": None,
        "fetched_at": "2026-03-01T12:00:00Z",
    }
    # A page waiting for a retry: the feed's validators are not kept (a 304 would hide it).
    state = feed_state(out, clock, "alpha", server.url("/feed"))
    assert state is not None and state.etag is None
    clock.advance(900)
    server.requests.clear()
    [report] = run_poll(out, clock, src)
    assert (report.counts.new, report.counts.updated, report.counts.page_failures) == (0, 1, 0)
    assert [(r.path, r.headers.get("if-none-match")) for r in server.requests] == [
        ("/feed", None), ("/paywalled", None)]
    records = written(out)["alpha/2026-03-01.jsonl"]
    assert [(r["id"], r["revision"], r["status"], r["body"]) for r in records] == [
        (article_id(paywalled), 1, "feed_only", ""),
        (article_id(paywalled), 2, "ok", body_of("Now readable.")),
    ]
    # Recovered: validators kept again, the next poll is one conditional request.
    clock.advance(900)
    server.requests.clear()
    [report] = run_poll(out, clock, src)
    assert report.status == 304
    assert [(r.path, r.headers.get("if-none-match")) for r in server.requests] == [
        ("/feed", '"v1"')]


def test_page_retries_are_bounded(server: LoopbackServer, out: Path, clock: Clock) -> None:
    server.route("/feed", conditional(rss([Item("p1", server.url("/gone"), "Gone")]), '"v1"'))
    server.route("/gone", Reply(404, b"no"))
    src = source(server, "/feed")
    results = []
    for _ in range(5):
        [report] = run_poll(out, clock, src, settings=PollSettings(max_page_retries=2))
        counts = report.counts
        results.append((report.status, counts.new, counts.page_failures, counts.gave_up))
        clock.advance(900)
    assert results == [(200, 1, 1, 0), (200, 0, 1, 0), (200, 0, 1, 1), (304, 0, 0, 0),
                       (304, 0, 0, 0)]
    assert paths(server).count("/gone") == 3
    assert len(written(out)["alpha/2026-03-01.jsonl"]) == 1
    with Store.open(out) as store:
        assert store.statuses("2026-03-01")[0].counters.gave_up == 1


def test_extraction_failure_gives_a_feed_only_record(
        server: LoopbackServer, out: Path, clock: Clock) -> None:
    from scraper.errors import ExtractionError

    async def broken(html: bytes, url: str, rules: ExtractRules, ct: str | None) -> PageFields:
        raise ExtractionError(f"{url}: extraction took over 30 s")

    server.route("/feed", Reply(200, rss([Item("1", server.url("/a"), "A")]),
                                content_type=RSS_TYPE))
    server.route("/a", Reply(200, page("A", "Text.")))
    [report] = run_poll(out, clock, source(server, "/feed"), extractor=broken)
    assert (report.counts.new, report.counts.page_failures, report.counts.feed_only) == (1, 1, 1)
    [record] = written(out)["alpha/2026-03-01.jsonl"]
    assert (record["status"], record["headline"]) == ("feed_only", "A")


# -- feed failures and backoff ----------------------------------------------------------


def test_backoff_grows_caps_and_resets(server: LoopbackServer, out: Path, clock: Clock) -> None:
    server.route("/feed", Reply(500, b"oops", content_type="text/plain"))
    src = source(server, "/feed")
    next_polls = []
    for _ in range(8):
        [report] = run_poll(out, clock, src, only_due=True)
        assert report.status == 500
        assert report.error is not None and report.error.startswith("HTTP 500")
        state = feed_state(out, clock, "alpha", server.url("/feed"))
        assert state is not None
        next_polls.append((state.consecutive_errors, state.next_poll))
        # not due yet: the next pass leaves the feed alone
        assert run_poll(out, clock, src, only_due=True) == []
        assert state.next_poll is not None
        clock.moment = datetime.strptime(state.next_poll, "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=UTC)
    assert next_polls == [
        (1, "2026-03-01T12:30:00Z"),  # 2 x 15 min
        (2, "2026-03-01T13:30:00Z"),  # 4 x
        (3, "2026-03-01T15:30:00Z"),  # 8 x
        (4, "2026-03-01T19:30:00Z"),  # 16 x
        (5, "2026-03-02T03:30:00Z"),  # 32 x
        (6, "2026-03-02T19:30:00Z"),  # 64 x = 16 h
        (7, "2026-03-03T19:30:00Z"),  # capped at 24 h
        (8, "2026-03-04T19:30:00Z"),
    ]
    assert len(server.requests) == 8
    server.route("/feed", Reply(200, rss([]), content_type=RSS_TYPE))
    [report] = run_poll(out, clock, src, only_due=True)
    state = feed_state(out, clock, "alpha", server.url("/feed"))
    assert state is not None
    assert (report.status, state.consecutive_errors, state.last_error, state.next_poll) == (
        200, 0, None, "2026-03-04T19:45:00Z")


def test_retry_after_and_cache_control(server: LoopbackServer, out: Path, clock: Clock) -> None:
    src = source(server, "/feed")
    server.route("/feed", Reply(429, b"slow down", headers={"Retry-After": "7200"},
                                content_type="text/plain"))
    [report] = run_poll(out, clock, src)
    assert (report.status, report.next_poll) == (429, "2026-03-01T14:00:00Z")
    server.route("/feed", Reply(200, rss([]), headers={"Cache-Control": "public, max-age=3600"},
                                content_type=RSS_TYPE))
    [report] = run_poll(out, clock, src)
    assert report.next_poll == "2026-03-01T13:00:00Z"
    # a huge max-age is bounded: the feed is not forgotten for a year
    server.route("/feed", Reply(200, rss([]), headers={"Cache-Control": "max-age=31536000"},
                                content_type=RSS_TYPE))
    [report] = run_poll(out, clock, src)
    assert report.next_poll == "2026-03-01T18:00:00Z"
    # a max-age below the interval does not make us poll faster
    server.route("/feed", Reply(200, rss([]), headers={"Cache-Control": "max-age=60"},
                                content_type=RSS_TYPE))
    [report] = run_poll(out, clock, src)
    assert report.next_poll == "2026-03-01T12:15:00Z"


def test_is_due_tolerates_scheduler_jitter() -> None:
    state = FeedState("a", "u", next_poll="2026-03-01T12:15:00Z")
    assert not is_due(state, START + timedelta(minutes=14))
    assert is_due(state, START + timedelta(minutes=14), tolerance=60)
    assert is_due(None, START)


def test_garbage_refused_and_failing_feeds_do_not_stop_the_others(
        server: LoopbackServer, out: Path, clock: Clock) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        refused = f"http://127.0.0.1:{probe.getsockname()[1]}/feed"
    server.route("/garbage", Reply(200, b"\x00\x01 this is not a feed <<<",
                                   content_type="application/rss+xml"))
    server.route("/good", Reply(200, rss([Item("1", server.url("/a"), "A")]),
                                content_type=RSS_TYPE))
    server.route("/a", Reply(200, page("A", "Text.")))
    src = replace(source(server, "/garbage", "/good"),
                  feeds=(server.url("/garbage"), refused, server.url("/good")))
    reports = run_poll(out, clock, src)
    assert [(r.feed_url, r.status, r.counts.new, r.ok) for r in reports] == [
        (server.url("/garbage"), 200, 0, False), (refused, None, 0, False),
        (server.url("/good"), 200, 1, True)]
    assert reports[1].error is not None and reports[0].error is not None
    with Store.open(out) as store:
        states = {s.state.feed_url: s.state for s in store.statuses("2026-03-01")}
    assert states[refused].consecutive_errors == 1
    assert states[server.url("/garbage")].last_error == reports[0].error
    assert len(written(out)["alpha/2026-03-01.jsonl"]) == 1


def test_bozo_feed_is_used_and_counted(server: LoopbackServer, out: Path, clock: Clock) -> None:
    broken = rss([Item("1", server.url("/a"), "A &amp; B")]).replace(b"</channel></rss>", b"")
    server.route("/feed", Reply(200, broken, content_type=RSS_TYPE))
    server.route("/a", Reply(200, page("A", "Text.")))
    [report] = run_poll(out, clock, source(server, "/feed"))
    assert (report.ok, report.counts.bozo, report.counts.new) == (True, True, 1)
    with Store.open(out) as store:
        assert store.statuses("2026-03-01")[0].counters.bozo == 1


# -- limits and stopping ----------------------------------------------------------------


def test_max_articles_per_poll_defers_the_rest(
        server: LoopbackServer, out: Path, clock: Clock) -> None:
    server.route("/feed", conditional(rss([Item(str(n), server.url(f"/{n}"), f"S{n}")
                                           for n in range(3)]), '"v1"'))
    for n in range(3):
        server.route(f"/{n}", Reply(200, page(f"Story {n}", f"Text {n}.")))
    src = source(server, "/feed", max_articles_per_poll=2)
    [first] = run_poll(out, clock, src)
    clock.advance(900)
    [second] = run_poll(out, clock, src)
    clock.advance(900)
    [third] = run_poll(out, clock, src)
    assert [(r.status, r.counts.new, r.counts.deferred) for r in (first, second, third)] == [
        (200, 2, 1), (200, 1, 0), (304, 0, 0)]
    assert [r["headline"] for r in written(out)["alpha/2026-03-01.jsonl"]] == [
        "Story 0", "Story 1", "Story 2"]


def test_stop_commits_finished_pages_and_leaves_the_rest(
        server: LoopbackServer, out: Path, clock: Clock, released: threading.Event) -> None:
    def hang(request: Request) -> Reply:
        released.wait(10)
        return Reply(200, page("Late", "Late."))

    server.route("/feed", conditional(rss([Item("1", server.url("/fast"), "Fast"),
                                           Item("2", server.url("/slow"), "Slow")]), '"v1"'))
    server.route("/fast", Reply(200, page("Fast", "Fast text.")))
    server.route("/slow", hang)
    stop = asyncio.Event()

    async def extract_then_stop(html: bytes, url: str, rules: ExtractRules,
                                ct: str | None) -> PageFields:
        stop.set()  # SIGTERM arrives while /slow is still in flight
        return await inline_extract(html, url, rules, ct)

    async def go() -> list[FeedReport]:
        nonlocal stop
        stop = asyncio.Event()
        with Store.open(out, now=clock.now) as store:
            async with Fetcher(FETCH, now=clock.now, sleep=_no_sleep) as fetcher:
                poller = Poller(store, fetcher, extract_then_stop, now=clock.now,
                                monotonic=lambda: 0.0, stop=stop, stop_grace=0.0)
                return await poller.poll_source(source(server, "/feed"))

    [report] = asyncio.run(go())
    assert (report.counts.new, report.counts.deferred) == (1, 1)
    assert [r["headline"] for r in written(out)["alpha/2026-03-01.jsonl"]] == ["Fast"]
    state = feed_state(out, clock, "alpha", server.url("/feed"))
    assert state is not None and state.etag is None
    released.set()
    clock.advance(900)
    [report] = run_poll(out, clock, source(server, "/feed"))
    assert (report.status, report.counts.new, report.counts.skipped) == (200, 1, 1)


def test_an_unexpected_error_is_one_failure_not_a_stuck_feed(
        server: LoopbackServer, out: Path, clock: Clock, caplog: pytest.LogCaptureFixture,
) -> None:
    server.route("/feed", Reply(200, rss([Item("1", server.url("/bug"), "Bug"),
                                          Item("2", server.url("/fine"), "Fine")]),
                                content_type=RSS_TYPE))
    server.route("/fine", Reply(200, page("Fine", "Fine text.")))
    server.route("/other", Reply(200, rss([]), content_type=RSS_TYPE))
    src = source(server, "/other", "/feed")
    with caplog.at_level(logging.ERROR, logger="scraper.poller"):
        reports = run_poll(out, clock, src,
                           failing=frozenset({server.url("/bug"), server.url("/other")}))
    assert [(r.status, r.error, r.counts.new, r.counts.page_failures) for r in reports] == [
        (None, "unexpected error: RuntimeError('bug')", 0, 0), (200, None, 1, 1)]
    # Our bug is not the page's failure: no feed_only record, and the page is tried again.
    assert [r["url"] for r in written(out)["alpha/2026-03-01.jsonl"]] == [server.url("/fine")]
    assert [r.getMessage() for r in caplog.records] == [
        f"unexpected error fetching the feed {server.url('/other')}",
        f"unexpected error on the page {server.url('/bug')}"]
    assert caplog.records[1].exc_info is not None
    clock.advance(3600)
    server.route("/bug", Reply(200, page("Bug", "Bug text.")))
    reports = run_poll(out, clock, source(server, "/feed"))
    assert [(r.counts.new, r.counts.page_failures, r.counts.skipped) for r in reports] == [
        (1, 0, 1)]
    assert [r["url"] for r in written(out)["alpha/2026-03-01.jsonl"]] == [
        server.url("/fine"), server.url("/bug")]


# -- limits from the sources file ---------------------------------------------------------


def poll_settings(tmp_path: Path, settings: str) -> PollSettings:
    """The polling limits a sources file's ``settings:`` block gives."""
    path = tmp_path / "sources.yaml"
    path.write_text(f"settings:\n{settings}sources:\n  - name: alpha\n"
                    "    feeds: [https://example.com/feed]\n", encoding="utf-8")
    return load_config(path).poll


def test_max_revisions_1_in_the_file_stops_a_second_revision(
        server: LoopbackServer, out: Path, clock: Clock, tmp_path: Path) -> None:
    settings = poll_settings(tmp_path, "  max_revisions: 1\n")
    src = source(server, "/feed")
    _revision_feed(server, "2026-03-01T10:00:00Z")
    server.route("/live", Reply(200, page("Live", "First version.")))
    [first] = run_poll(out, clock, src, settings=settings)
    clock.advance(900)
    _revision_feed(server, "2026-03-01T12:10:00Z")
    server.route("/live", Reply(200, page("Live", "Second version.")))
    [second] = run_poll(out, clock, src, settings=settings)
    assert [(r.counts.new, r.counts.updated, r.counts.revisions_capped)
            for r in (first, second)] == [(1, 0, 0), (0, 0, 1)]
    assert [(r["revision"], r["body"]) for r in written(out)["alpha/2026-03-01.jsonl"]] == [
        (1, body_of("First version."))]
    assert paths(server) == ["/feed", "/live", "/feed", "/live"]


def test_max_page_retries_0_in_the_file_gives_up_at_once(
        server: LoopbackServer, out: Path, clock: Clock, tmp_path: Path) -> None:
    settings = poll_settings(tmp_path, "  max_page_retries: 0\n")
    server.route("/feed", conditional(rss([Item("p1", server.url("/gone"), "Gone")]), '"v1"'))
    server.route("/gone", Reply(404, b"no"))
    src = source(server, "/feed")
    results = []
    for _ in range(2):
        [report] = run_poll(out, clock, src, settings=settings)
        counts = report.counts
        results.append((report.status, counts.new, counts.page_failures, counts.feed_only,
                        counts.gave_up))
        clock.advance(900)
    # Given up on the first failure: the feed's validators are kept, so the second poll is
    # a 304 and the page is not asked for again.
    assert results == [(200, 1, 1, 1, 1), (304, 0, 0, 0, 0)]
    assert paths(server) == ["/feed", "/gone", "/feed"]
    assert [r["status"] for r in written(out)["alpha/2026-03-01.jsonl"]] == ["feed_only"]
    with Store.open(out) as store:
        assert store.statuses("2026-03-01")[0].counters.gave_up == 1


@pytest.mark.parametrize(("max_backoff", "expected"), [
    ("1h", ["2026-03-01T12:30:00Z", "2026-03-01T13:30:00Z", "2026-03-01T14:30:00Z"]),
    # A cap below the interval does not make a failing feed polled more often.
    ("1m", ["2026-03-01T12:15:00Z", "2026-03-01T12:30:00Z", "2026-03-01T12:45:00Z"]),
])
def test_max_backoff_in_the_file_caps_the_backoff(
        server: LoopbackServer, out: Path, clock: Clock, tmp_path: Path, max_backoff: str,
        expected: list[str]) -> None:
    settings = poll_settings(tmp_path, f"  max_backoff: {max_backoff}\n")
    server.route("/feed", Reply(500, b"oops", content_type="text/plain"))
    next_polls = []
    for _ in range(3):
        [report] = run_poll(out, clock, source(server, "/feed"), settings=settings)
        assert report.next_poll is not None
        next_polls.append(report.next_poll)
        clock.moment = datetime.strptime(report.next_poll, "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=UTC)
    assert next_polls == expected


# -- concurrent polls of sources that share an article -------------------------------------


def run_concurrently(out: Path, clock: Clock, *sources: SourceConfig, pollers: int = 1,
                     on_feed: Any = None) -> list[FeedReport]:
    """Poll ``sources`` at the same time (``asyncio.gather``), as ``scraper poll`` and
    overlapping daemon jobs do; with ``pollers=2`` each source gets its own Poller (so no
    shared claims) over the one store."""
    async def go() -> list[FeedReport]:
        with Store.open(out, now=clock.now) as store:
            async with Fetcher(FETCH, now=clock.now, sleep=_no_sleep) as fetcher:
                made = [Poller(store, fetcher, inline_extract, now=clock.now,
                               monotonic=lambda: 0.0) for _ in range(pollers)]
                results = await asyncio.gather(*(
                    made[n % pollers].poll_source(s, on_feed=on_feed)
                    for n, s in enumerate(sources)))
        return [r for reports in results for r in reports]

    return asyncio.run(go())


def _shared_feeds(server: LoopbackServer, shared: str) -> tuple[SourceConfig, SourceConfig]:
    server.route("/one", Reply(200, rss([Item("one-1", shared + "?utm_source=one", "Shared")]),
                               content_type=RSS_TYPE))
    server.route("/two", Reply(200, atom([Item("tag:two", shared, "Shared")]),
                               content_type=ATOM_TYPE))
    return source(server, "/one", name="one"), source(server, "/two", name="two")


def _gated(reply: Reply, gate: threading.Event) -> Any:
    """A page that answers only once ``gate`` is set (at the latest after 5 s)."""
    def handler(request: Request) -> Reply:
        gate.wait(5)
        return reply
    return handler


_CommitMany = Callable[[Callable[[list[Batch]], list[tuple[Any, ...]]], list[Batch],
                        threading.Event], list[tuple[Any, ...]]]


def _three_polls_at_once(server: LoopbackServer, out: Path, clock: Clock,
                         commit_many: _CommitMany
                         ) -> tuple[list[str], dict[str, list[FeedReport] | BaseException]]:
    """Sources a, b and c, one story each, polled at once, with the store's commit_many
    replaced by ``commit_many(real, batches, all_queued)``. The first batch handed to the
    poller's commit goes alone; the two others are handed over only once its commit runs
    in the thread, and ``all_queued`` is set when both wait in the queue. The sources in
    the order they handed their batch over, and each source's reports (or what its poll
    raised)."""
    for name in "abc":
        server.route(f"/{name}", Reply(200, rss([Item(f"{name}-1", server.url(f"/p/{name}"),
                                                      f"Story {name}")]), content_type=RSS_TYPE))
        server.route(f"/p/{name}", Reply(200, page(f"Story {name}", f"Text {name}.")))
    handed: list[str] = []
    all_queued = threading.Event()

    async def go() -> list[list[FeedReport] | BaseException]:
        loop = asyncio.get_running_loop()
        first_runs = asyncio.Event()
        queued: list[str] = []
        with Store.open(out, now=clock.now) as store:
            real_commit_many = store.commit_many

            def wrapped(batches: list[Batch]) -> list[tuple[Any, ...]]:
                loop.call_soon_threadsafe(first_runs.set)
                return commit_many(real_commit_many, batches, all_queued)

            store.commit_many = wrapped  # type: ignore[method-assign]
            async with Fetcher(FETCH, now=clock.now, sleep=_no_sleep) as fetcher:
                poller = Poller(store, fetcher, inline_extract, now=clock.now,
                                monotonic=lambda: 0.0)
                real_commit = poller._commit

                async def commit(batch: Batch) -> tuple[Any, ...]:
                    name = batch.feed.source if batch.feed else ""
                    handed.append(name)
                    if len(handed) == 1:
                        return await real_commit(batch)
                    await first_runs.wait()
                    task = asyncio.ensure_future(real_commit(batch))
                    await asyncio.sleep(0)  # the task queues its batch before this resumes
                    queued.append(name)
                    if len(queued) == 2:
                        all_queued.set()
                    return await task

                poller._commit = commit  # type: ignore[method-assign]
                return await asyncio.gather(*(
                    poller.poll_source(source(server, f"/{n}", name=n)) for n in "abc"),
                    return_exceptions=True)

    results = asyncio.run(go())
    return handed, dict(zip("abc", results, strict=True))


def test_feeds_done_while_a_commit_runs_are_committed_together_off_the_loop(
        server: LoopbackServer, out: Path, clock: Clock) -> None:
    """Three sources at once: the first batch is committed in a thread (not on the event
    loop) and held there until the two others wait in the queue; those two then go as one
    group. Every record is written, each feed reported once."""
    groups: list[tuple[bool, list[str]]] = []
    loop_thread = threading.get_ident()  # asyncio.run runs the loop in this thread

    def commit_many(real: Callable[[list[Batch]], list[tuple[Any, ...]]],
                    batches: list[Batch], all_queued: threading.Event
                    ) -> list[tuple[Any, ...]]:
        if not groups:
            all_queued.wait(5)
        groups.append((threading.get_ident() != loop_thread,
                       [b.feed.source for b in batches if b.feed is not None]))
        return real(batches)

    handed, results = _three_polls_at_once(server, out, clock, commit_many)
    assert groups == [(True, handed[:1]), (True, handed[1:])]
    assert {name: [(r.source, r.counts.new) for r in reports]  # type: ignore[union-attr]
            for name, reports in results.items()} == {n: [(n, 1)] for n in "abc"}
    assert sorted(written(out)) == ["a/2026-03-01.jsonl", "b/2026-03-01.jsonl",
                                    "c/2026-03-01.jsonl"]


def test_a_failed_group_commit_fails_its_polls_only_and_the_next_group_is_committed(
        server: LoopbackServer, out: Path, clock: Clock) -> None:
    """The first group's commit fails (a StoreError, as when the disk is full): its poll
    raises it and records nothing, and the batches queued meanwhile still go as the next
    group, written and reported."""
    calls: list[int] = []

    def commit_many(real: Callable[[list[Batch]], list[tuple[Any, ...]]],
                    batches: list[Batch], all_queued: threading.Event
                    ) -> list[tuple[Any, ...]]:
        calls.append(len(batches))
        if len(calls) == 1:
            all_queued.wait(5)
            raise StoreError("cannot commit the state: disk full")
        return real(batches)

    handed, results = _three_polls_at_once(server, out, clock, commit_many)
    assert calls == [1, 2]
    failed = results.pop(handed[0])
    assert isinstance(failed, StoreError)
    assert {name: [(r.source, r.counts.new) for r in reports]  # type: ignore[union-attr]
            for name, reports in results.items()} == {n: [(n, 1)] for n in handed[1:]}
    assert sorted(written(out)) == sorted(f"{n}/2026-03-01.jsonl" for n in handed[1:])
    with Store.open(out, now=clock.now) as store:
        assert store.feed(handed[0], server.url(f"/{handed[0]}")) is None


def test_a_pgstore_commit_runs_off_the_loop_which_reads_the_state_meanwhile(
        server: LoopbackServer, out: Path, clock: Clock, pg_url: str) -> None:
    """The distributed store's commits go through the commit thread too: while one waits
    for an article that another worker's commit holds, the event loop goes on, and a read
    of the store (on a connection of its own) gives the state as it was before."""
    import psycopg

    from scraper.pgstore import PgStore, article_lock_key
    from tests.test_pgstore import _wait_for_a_blocked_lock

    server.route("/feed", Reply(200, rss([Item("a-1", server.url("/p/a"), "Story a")]),
                                content_type=RSS_TYPE))
    server.route("/p/a", Reply(200, page("Story a", "Text a.")))
    alpha = source(server, "/feed")
    served = threading.Event()
    seen: list[FeedState | None] = []

    async def go() -> list[FeedReport]:
        with PgStore.open(pg_url, out, worker="w1", now=clock.now) as store, \
                psycopg.connect(pg_url) as other:
            other.execute("SELECT pg_advisory_xact_lock(%s)",
                          (article_lock_key(article_id(server.url("/p/a"))),))

            def let_go_at_last() -> None:
                # A loop that stood still in the commit would never read below: the other
                # worker lets go after a while all the same, and the read comes too late.
                if not served.wait(30):
                    other.rollback()

            threading.Thread(target=let_go_at_last).start()

            async def read_meanwhile() -> None:
                await asyncio.to_thread(_wait_for_a_blocked_lock, pg_url)
                seen.append(store.feed("alpha", alpha.feeds[0]))
                served.set()
                other.rollback()

            async with Fetcher(FETCH, now=clock.now, sleep=_no_sleep) as fetcher:
                poller = Poller(store, fetcher, inline_extract, now=clock.now,
                                monotonic=lambda: 0.0)
                reports, _ = await asyncio.gather(poller.poll_source(alpha),
                                                  read_meanwhile())
            assert store.feed("alpha", alpha.feeds[0]) is not None
            return reports

    reports = asyncio.run(go())
    assert seen == [None]
    assert [(r.source, r.counts.new) for r in reports] == [("alpha", 1)]
    assert [(path, [r["headline"] for r in records]) for path, records in
            written(out).items()] == [("alpha/2026-03-01/w1.jsonl", ["Story a"])]


def test_same_article_in_two_sources_polled_at_once_is_fetched_and_written_once(
        server: LoopbackServer, out: Path, clock: Clock) -> None:
    shared = server.url("/shared")
    one, two = _shared_feeds(server, shared)
    reported = threading.Event()
    # The page answers only after a feed poll has reported, so both polls are under way
    # while it is being fetched: a second fetch of it would wait here too.
    server.route("/shared", _gated(Reply(200, page("Shared story", "Shared text.")), reported))
    reports = run_concurrently(out, clock, one, two, on_feed=lambda r: reported.set())
    assert sorted((r.counts.new, r.counts.skipped, r.counts.deferred, r.counts.page_failures)
                  for r in reports) == [(0, 0, 1, 0), (1, 0, 0, 0)]
    assert paths(server).count("/shared") == 1
    [(path, [record])] = written(out).items()
    winner = next(r.source for r in reports if r.counts.new)
    assert path == f"{winner}/2026-03-01.jsonl"
    assert (record["id"], record["source"], record["status"], record["headline"]) == (
        article_id(shared), winner, "ok", "Shared story")
    # The deferring feed kept no validators; its next pass links its entry to the article.
    clock.advance(900)
    reports = run_concurrently(out, clock, one, two)
    assert [(r.counts.new, r.counts.skipped, r.counts.deferred) for r in reports] == [
        (0, 1, 0), (0, 1, 0)]
    assert paths(server).count("/shared") == 1
    assert [len(records) for records in written(out).values()] == [1]
    with Store.open(out) as store:
        first, second = store.entry(one.feeds[0], "one-1"), store.entry(two.feeds[0], "tag:two")
    assert first is not None and second is not None
    assert first.fingerprint is not None and second.fingerprint is not None
    assert replace(first, fingerprint=None) == EntryLink(
        one.feeds[0], "one-1", article_id(shared), None)
    assert replace(second, fingerprint=None) == EntryLink(
        two.feeds[0], "tag:two", article_id(shared), "2026-03-01T10:00:00Z")


def test_same_failing_page_in_two_sources_polled_at_once_is_one_feed_only_record(
        server: LoopbackServer, out: Path, clock: Clock) -> None:
    shared = server.url("/shared")
    reported = threading.Event()
    server.route("/shared", _gated(Reply(403, b"forbidden"), reported))
    reports = run_concurrently(out, clock, *_shared_feeds(server, shared),
                               on_feed=lambda r: reported.set())
    assert sorted((r.counts.new, r.counts.feed_only, r.counts.deferred, r.counts.page_failures)
                  for r in reports) == [(0, 0, 1, 0), (1, 1, 0, 1)]
    assert paths(server).count("/shared") == 1
    [records] = written(out).values()
    assert [(r["id"], r["status"]) for r in records] == [(article_id(shared), "feed_only")]


def test_same_update_in_two_sources_polled_at_once_is_one_revision(
        server: LoopbackServer, out: Path, clock: Clock) -> None:
    # Source one lists the article by its canonical URL, source two by an AMP URL: the
    # claim is on the article, not on the link.
    story, amp = server.url("/story"), server.url("/amp/story")

    def feeds(updated: str) -> None:
        server.route("/one", Reply(200, atom([Item("tag:one", story, "S", updated)]),
                                   content_type=ATOM_TYPE))
        server.route("/two", Reply(200, atom([Item("tag:two", amp, "S", updated)]),
                                   content_type=ATOM_TYPE))

    feeds("2026-03-01T10:00:00Z")
    server.route("/story", Reply(200, page("Story", "First version.", story)))
    server.route("/amp/story", Reply(200, page("Story", "First version.", story)))
    one, two = source(server, "/one", name="one"), source(server, "/two", name="two")
    run_poll(out, clock, one, two)
    assert [len(r) for r in written(out).values()] == [1]
    clock.advance(900)
    feeds("2026-03-01T12:10:00Z")
    reported = threading.Event()
    for path in ("/story", "/amp/story"):
        server.route(path, _gated(Reply(200, page("Story", "Second version.", story)),
                                  reported))
    server.requests.clear()
    reports = run_concurrently(out, clock, one, two, on_feed=lambda r: reported.set())
    assert sorted((r.counts.updated, r.counts.deferred) for r in reports) == [(0, 1), (1, 0)]
    assert len([p for p in paths(server) if p in ("/story", "/amp/story")]) == 1
    records = [r for rs in written(out).values() for r in rs]
    assert sorted((r["revision"], r["body"]) for r in records) == [
        (1, body_of("First version.")), (2, body_of("Second version."))]


def test_pollers_without_shared_claims_still_write_once(
        server: LoopbackServer, out: Path, clock: Clock, caplog: pytest.LogCaptureFixture,
) -> None:
    # Two Pollers over one store do not see each other's claims: both fetch the page, and
    # the store's check at commit time is what keeps the second record out.
    shared = server.url("/shared")
    both = threading.Barrier(2, timeout=5)

    def when_both_asked(request: Request) -> Reply:
        both.wait()
        return Reply(403, b"forbidden")

    server.route("/shared", when_both_asked)
    with caplog.at_level(logging.WARNING, logger="scraper.poller"):
        reports = run_concurrently(out, clock, *_shared_feeds(server, shared), pollers=2)
    assert sorted((r.counts.new, r.counts.feed_only, r.counts.skipped, r.counts.page_failures)
                  for r in reports) == [(0, 0, 1, 1), (1, 1, 0, 1)]
    assert paths(server).count("/shared") == 2
    [records] = written(out).values()
    assert [(r["id"], r["status"]) for r in records] == [(article_id(shared), "feed_only")]
    assert [r.getMessage() for r in caplog.records if "already written" in r.getMessage()] == [
        f"article {article_id(shared)} revision 1 was already written; not written again"]
    with Store.open(out) as store:
        counters = [row.counters for row in store.statuses("2026-03-01")]
    assert sorted((c.new, c.feed_only, c.page_failures) for c in counters) == [
        (0, 0, 1), (1, 1, 1)]


def test_two_links_of_one_article_in_one_feed_are_fetched_once_on_update(
        server: LoopbackServer, out: Path, clock: Clock) -> None:
    story, amp = server.url("/story"), server.url("/amp/story")

    def feed(updated: str) -> None:
        server.route("/feed", Reply(200, atom([Item("tag:1", story, "S", updated),
                                               Item("tag:2", amp, "S", updated)]),
                                    content_type=ATOM_TYPE))

    src = source(server, "/feed")
    feed("2026-03-01T10:00:00Z")
    for path in ("/story", "/amp/story"):
        server.route(path, Reply(200, page("Story", "First version.", story)))
    run_poll(out, clock, src)
    clock.advance(900)
    feed("2026-03-01T12:10:00Z")
    for path in ("/story", "/amp/story"):
        server.route(path, Reply(200, page("Story", "Second version.", story)))
    server.requests.clear()
    [report] = run_poll(out, clock, src)
    assert (report.counts.updated, report.counts.skipped, report.counts.deferred) == (1, 1, 0)
    assert paths(server) == ["/feed", "/story"]
    # Both entries carry the new date: the next poll fetches no page.
    clock.advance(900)
    server.requests.clear()
    [report] = run_poll(out, clock, src)
    assert (report.counts.updated, report.counts.skipped) == (0, 2)
    assert paths(server) == ["/feed"]
    assert [(r["revision"], r["body"]) for r in written(out)["alpha/2026-03-01.jsonl"]] == [
        (1, body_of("First version.")), (2, body_of("Second version."))]


# -- a pathological feed ---------------------------------------------------------------


@pytest.mark.slow
def test_deeply_nested_description_blocks_neither_other_sources_nor_the_run(
        server: LoopbackServer, out: Path, clock: Clock) -> None:
    """100k nested <div>s in one description took the parser 12 s on the event loop."""
    nested = ("<div>" * 100_000 + "deep" + "</div>" * 100_000).replace(
        "<", "&lt;").replace(">", "&gt;")
    bad = rss([Item("1", server.url("/b"), "B")]).replace(
        b"Summary of B.", nested.encode())
    server.route("/bad", Reply(200, bad, content_type=RSS_TYPE))
    server.route("/good", Reply(200, rss([Item("1", server.url("/a"), "A")]),
                                content_type=RSS_TYPE))
    server.route("/a", Reply(200, page("A", "Text.")))
    server.route("/b", Reply(200, page("B", "Text.")))

    async def go() -> list[FeedReport]:
        with Store.open(out, now=clock.now) as store:
            async with Fetcher(FETCH, now=clock.now, sleep=_no_sleep) as fetcher:
                poller = Poller(store, fetcher, inline_extract, now=clock.now,
                                monotonic=lambda: 0.0)
                reports = await asyncio.gather(
                    poller.poll_source(source(server, "/bad", name="bad")),
                    poller.poll_source(source(server, "/good", name="good")))
                return [r for rs in reports for r in rs]

    reports = asyncio.run(go())
    assert [(r.source, r.ok, r.counts.new) for r in reports] == [
        ("bad", True, 1), ("good", True, 1)]
    [b] = written(out)["bad/2026-03-01.jsonl"]
    assert b["summary"] is None or "deep" not in b["summary"]


def test_a_feed_whose_parse_hangs_is_a_counted_failure_and_others_go_on(
        server: LoopbackServer, out: Path, clock: Clock, released: threading.Event,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import scraper.poller

    real = scraper.poller.parse_feed

    def parse(content: bytes, url: str, headers: Any, **options: Any) -> Any:
        if url.endswith("/stuck"):
            released.wait(30)
        return real(content, url, headers, **options)

    monkeypatch.setattr(scraper.poller, "parse_feed", parse)
    server.route("/stuck", Reply(200, rss([Item("1", server.url("/b"), "B")]),
                                 content_type=RSS_TYPE))
    server.route("/good", Reply(200, rss([Item("1", server.url("/a"), "A")]),
                                content_type=RSS_TYPE))
    server.route("/a", Reply(200, page("A", "Text.")))

    async def go() -> list[FeedReport]:
        with Store.open(out, now=clock.now) as store:
            async with Fetcher(FETCH, now=clock.now, sleep=_no_sleep) as fetcher:
                poller = Poller(store, fetcher, inline_extract, now=clock.now,
                                monotonic=lambda: 0.0, parse_time_limit=0.05)
                stuck = asyncio.ensure_future(
                    poller.poll_source(source(server, "/stuck", name="stuck")))
                good = await poller.poll_source(source(server, "/good", name="good"))
                assert not stuck.done() or stuck.result()[0].error is not None
                return await stuck + good

    reports = asyncio.run(go())
    assert [(r.source, r.status, r.error, r.counts.new) for r in reports] == [
        ("stuck", 200, "feed parsing took over 0.05 s", 0), ("good", 200, None, 1)]
    state = feed_state(out, clock, "stuck", server.url("/stuck"))
    assert state is not None and state.consecutive_errors == 1
    assert paths(server).count("/b") == 0


# -- canonicals shared by many pages, empty pages ----------------------------------------


@pytest.mark.parametrize("canonical", ["/", "/section"])
def test_pages_sharing_one_canonical_are_each_written(
        server: LoopbackServer, out: Path, clock: Clock, canonical: str) -> None:
    links = [server.url(f"/news/{n}") for n in ("a", "b", "c")]
    server.route("/feed", Reply(200, rss([Item(f"g{n}", link, f"Story {n}")
                                          for n, link in enumerate(links)]),
                                content_type=RSS_TYPE))
    for n, link in enumerate(links):
        server.route(link.removeprefix(server.url("")),
                     Reply(200, page(f"Story {n}", f"Text {n}.", canonical=canonical)))
    [report] = run_poll(out, clock, source(server, "/feed"))
    assert (report.counts.new, report.counts.skipped, report.counts.page_failures) == (3, 0, 0)
    records = written(out)["alpha/2026-03-01.jsonl"]
    assert [(r["headline"], r["body"], r["status"], r["revision"]) for r in records] == [
        (f"Story {n}", body_of(f"Text {n}."), "ok", 1) for n in range(3)]
    assert len({r["id"] for r in records}) == 3
    # Pages after the first are keyed by their own link.
    assert [r["id"] for r in records[1:]] == [article_id(link) for link in links[1:]]
    # A second poll of the same feed writes nothing more.
    clock.advance(3600)
    [again] = run_poll(out, clock, source(server, "/feed"))
    assert (again.counts.new, again.counts.updated) == (0, 0)
    assert len(written(out)["alpha/2026-03-01.jsonl"]) == 3


def test_an_empty_page_is_feed_only_and_retried(
        server: LoopbackServer, out: Path, clock: Clock) -> None:
    link = server.url("/a")
    server.route("/feed", Reply(200, rss([Item("g1", link, "A")]), content_type=RSS_TYPE))
    server.route("/a", Reply(200, b"<!doctype html><html><head><title>A</title></head><body>"
                                  b"<script>render()</script></body></html>"))
    [first] = run_poll(out, clock, source(server, "/feed"))
    assert (first.counts.new, first.counts.page_failures, first.counts.feed_only) == (1, 1, 1)
    server.route("/a", Reply(200, page("A", "Text.")))
    clock.advance(3600)
    [second] = run_poll(out, clock, source(server, "/feed"))
    assert (second.counts.new, second.counts.updated, second.counts.page_failures) == (0, 1, 0)
    records = written(out)["alpha/2026-03-01.jsonl"]
    assert [(r["id"], r["status"], r["revision"], r["body"]) for r in records] == [
        (article_id(link), "feed_only", 1, ""),
        (article_id(link), "ok", 2, body_of("Text."))]


def test_a_retry_whose_canonical_is_already_written_is_not_written_again(
        server: LoopbackServer, out: Path, clock: Clock) -> None:
    main, amp = server.url("/a"), server.url("/amp/a")
    server.route("/one", Reply(200, rss([Item("g1", main, "A")]), content_type=RSS_TYPE))
    server.route("/two", Reply(200, rss([Item("g2", amp, "A")]), content_type=RSS_TYPE))
    server.route("/a", Reply(200, page("A", "Text.", canonical=main)))
    server.route("/amp/a", Reply(503, b"busy"))
    first = run_poll(out, clock, source(server, "/one", "/two"))
    assert [(r.counts.new, r.counts.feed_only) for r in first] == [(1, 0), (1, 1)]
    server.route("/amp/a", Reply(200, page("A", "Text.", canonical=main)))
    clock.advance(3600)
    second = run_poll(out, clock, source(server, "/one", "/two"))
    assert [(r.counts.new, r.counts.updated, r.counts.skipped) for r in second] == [
        (0, 0, 1), (0, 0, 1)]
    records = written(out)["alpha/2026-03-01.jsonl"]
    assert [(r["id"], r["status"], r["revision"]) for r in records] == [
        (article_id(main), "ok", 1), (article_id(amp), "feed_only", 1)]
    # The feed_only article is settled: a third poll does not fetch its page again.
    clock.advance(3600)
    before = paths(server).count("/amp/a")
    run_poll(out, clock, source(server, "/one", "/two"))
    assert paths(server).count("/amp/a") == before


def test_duplicate_and_dropped_entries_are_counted_in_the_poll_line(
        server: LoopbackServer, out: Path, clock: Clock, caplog: pytest.LogCaptureFixture,
) -> None:
    feed = rss([Item("g1", server.url("/a"), "A"), Item("g1", server.url("/a2"), "A again")])
    feed = feed.replace(b"</channel>", b"<item><description>No link, no title.</description>"
                                       b"</item></channel>")
    server.route("/feed", Reply(200, feed, content_type=RSS_TYPE))
    server.route("/a", Reply(200, page("A", "Text.")))
    with caplog.at_level(logging.INFO, logger="scraper.poller"):
        [report] = run_poll(out, clock, source(server, "/feed"))
    assert (report.counts.new, report.duplicates, report.dropped) == (1, 1, 1)
    [line] = [r for r in caplog.records if r.getMessage().startswith("poll ")]
    assert line.getMessage() == (
        f"poll source=alpha feed={server.url('/feed')} status=200 new=1 updated=0 skipped=0 "
        "failed=0 duration=0.00s duplicates=1 dropped=1")
    assert (line.__dict__["duplicates"], line.__dict__["dropped"]) == (1, 1)


# -- entries changed in place ---------------------------------------------------------


def _live_rss(server: LoopbackServer, title: str, pub_date: str, n: int = 1) -> None:
    items = "".join(
        f"<item><guid>live-{i}</guid><link>{server.url(f'/live/{i}')}</link>"
        f"<title>{title} {i}</title><pubDate>{pub_date}</pubDate></item>" for i in range(n))
    server.route("/feed", Reply(200, (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        f"<link>http://example.com/</link>{items}</channel></rss>").encode(),
        content_type=RSS_TYPE))


def test_rss_item_changed_in_place_is_revision_2_and_unchanged_costs_no_page(
        server: LoopbackServer, out: Path, clock: Clock) -> None:
    """RSS items carry no `updated`: a live story rewrites its title and moves its pubDate
    under the same guid and link."""
    src = source(server, "/feed")
    _live_rss(server, "Dam opens", "Sun, 01 Mar 2026 09:00:00 GMT")
    server.route("/live/0", Reply(200, page("Dam opens", "First version.")))
    run_poll(out, clock, src)
    clock.advance(900)
    _live_rss(server, "Dam opens, thousands cheer", "Sun, 01 Mar 2026 12:10:00 GMT")
    server.route("/live/0", Reply(200, page("Dam opens, thousands cheer", "Second version.")))
    [report] = run_poll(out, clock, src)
    assert (report.counts.new, report.counts.updated, report.counts.skipped) == (0, 1, 0)
    clock.advance(900)
    [report] = run_poll(out, clock, src)
    assert (report.counts.new, report.counts.updated, report.counts.skipped) == (0, 0, 1)
    assert paths(server) == ["/feed", "/live/0", "/feed", "/live/0", "/feed"]
    records = written(out)["alpha/2026-03-01.jsonl"]
    assert [(r["id"], r["revision"], r["headline"]) for r in records] == [
        (article_id(server.url("/live/0")), 1, "Dam opens"),
        (article_id(server.url("/live/0")), 2, "Dam opens, thousands cheer"),
    ]


def test_a_feed_rewriting_every_entry_is_fetched_within_the_cap_and_counted(
        server: LoopbackServer, out: Path, clock: Clock) -> None:
    src = source(server, "/feed")
    settings = PollSettings(max_changes_per_poll=2)
    for i in range(5):
        server.route(f"/live/{i}", Reply(200, page(f"Story {i}", f"Text {i}.")))
    _live_rss(server, "Story", "Sun, 01 Mar 2026 09:00:00 GMT", n=5)
    run_poll(out, clock, src, settings=settings)
    for minute in (10, 20):
        clock.advance(900)
        _live_rss(server, f"Story at {minute}", f"Sun, 01 Mar 2026 12:{minute}:00 GMT", n=5)
        [report] = run_poll(out, clock, src, settings=settings)
        # Two entries fetched again (their pages did not change), three left for later.
        counts = report.counts
        assert (counts.updated, counts.skipped, counts.changes_capped) == (0, 2, 3)
    pages = [p for p in paths(server) if p.startswith("/live/")]
    # The entries refreshed longest ago go first: the third poll takes the two left over.
    assert (sorted(pages[5:7]), sorted(pages[7:])) == (
        ["/live/0", "/live/1"], ["/live/2", "/live/3"])
    rows = status_rows(out, clock.now())
    assert rows is not None and rows[0].counters.changes_capped == 6
    console = Console(record=True, width=400)
    console.print(status_table(rows, clock.now()))
    assert "6 changed entries over the cap" in console.export_text()
    assert "6 changed entries over the cap" in status_text(rows, clock.now())


# -- huge feeds, garbage pages ---------------------------------------------------------


@pytest.mark.slow
def test_a_feed_of_50000_items_is_read_newest_first_within_the_caps(
        server: LoopbackServer, out: Path, clock: Clock,
        caplog: pytest.LogCaptureFixture) -> None:
    """Oldest first in the document, as some archives list them: the newest are its end."""
    total, read, fetched = 50_000, 40, 5
    start = datetime(2020, 1, 1, tzinfo=UTC)
    items = "".join(
        f"<item><guid>g{i}</guid><title>Story {i}</title><link>{server.url(f'/s/{i}')}</link>"
        f"<pubDate>{(start + timedelta(minutes=i)).strftime('%a, %d %b %Y %H:%M:%S GMT')}"
        "</pubDate></item>" for i in range(total))
    server.route("/feed", Reply(200, (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
        f"{items}</channel></rss>").encode(), content_type=RSS_TYPE))
    for i in range(total - read, total):
        server.route(f"/s/{i}", Reply(200, page(f"Story {i}", f"Text of story {i}.")))
    src = source(server, "/feed", max_articles_per_poll=fetched)
    with caplog.at_level(logging.WARNING, logger="scraper.poller"):
        [report] = run_poll(out, clock, src, settings=PollSettings(max_feed_entries=read))
    counts = report.counts
    assert (report.error, report.status, counts.new, counts.deferred, counts.entries_cut) == (
        None, 200, fetched, read - fetched, total - read)
    newest = [f"/s/{i}" for i in range(total - read, total - read + fetched)]
    assert sorted(p for p in paths(server) if p != "/feed") == newest
    assert [r["url"] for r in written(out)["alpha/2026-03-01.jsonl"]] == [
        server.url(p) for p in newest]
    assert f"read the newest {read}, left out {total - read}" in caplog.text
    rows = status_rows(out, clock.now())
    assert rows is not None
    assert (rows[0].counters.failures, rows[0].counters.entries_cut) == (0, total - read)
    assert f"{total - read} entries beyond max_feed_entries" in status_text(rows, clock.now())


def test_random_bytes_served_as_a_page_are_a_named_failure_not_an_ok_record(
        server: LoopbackServer, out: Path, clock: Clock,
        caplog: pytest.LogCaptureFixture) -> None:
    noise = random.Random(7).randbytes(1 << 20)
    server.route("/feed.xml", Reply(200, rss([Item("g1", server.url("/noise"), "Noise")]),
                                    content_type=RSS_TYPE))
    server.route("/noise", Reply(200, noise, content_type="text/html; charset=utf-8"))
    with caplog.at_level(logging.WARNING, logger="scraper.poller"):
        [report] = run_poll(out, clock, source(server, "/feed.xml"))
    assert (report.counts.new, report.counts.feed_only, report.counts.page_failures) == (1, 1, 1)
    [record] = written(out)["alpha/2026-03-01.jsonl"]
    assert (record["status"], record["body"], record["headline"]) == ("feed_only", "", "Noise")
    assert (f"page failed: {server.url('/noise')}: not HTML or text: binary data: "
            in caplog.text)
    assert f"(source alpha, feed {server.url('/feed.xml')})" in caplog.text


def test_a_failed_page_is_logged_with_its_source_and_feed(
        server: LoopbackServer, out: Path, clock: Clock,
        caplog: pytest.LogCaptureFixture) -> None:
    server.route("/feed.xml", Reply(200, rss([Item("g1", server.url("/gone"), "Gone")]),
                                    content_type=RSS_TYPE))
    server.route("/gone", Reply(404, b"not here", content_type="text/html"))
    with caplog.at_level(logging.WARNING, logger="scraper.poller"):
        [report] = run_poll(out, clock, source(server, "/feed.xml", name="beta"))
    assert (report.counts.feed_only, report.counts.page_failures) == (1, 1)
    assert [r.getMessage() for r in caplog.records if "page failed" in r.getMessage()] == [
        f"page failed: {server.url('/gone')}: HTTP 404 Not Found (source beta, feed "
        f"{server.url('/feed.xml')})"]
