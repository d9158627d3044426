"""The raw page archive (WARC, written by the poller) and ``scraper reextract`` over it, against
a real HTTP server on 127.0.0.1, with an injected clock and the extractor run in-process."""

from __future__ import annotations

import asyncio
import gzip
import os
import shutil
import tempfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from warcio.archiveiterator import ArchiveIterator

from scraper.archive import (
    ArchivedPage,
    PageRef,
    WarcArchive,
    index_path,
    read_index,
    read_warc,
    read_warc_at,
)
from scraper.cli import main
from scraper.config import PollSettings, SourceConfig
from scraper.errors import ArchiveError
from scraper.extract import extract
from scraper.fetch import Fetcher
from scraper.models import ExtractRules, PageFields, article_id
from scraper.poller import FeedReport, Poller
from scraper.reextract import (
    Reextraction,
    Summary,
    reextract_into,
    run_inline,
    scan,
)
from scraper.store import Store
from tests.httpserver import LoopbackServer, Reply
from tests.test_poll import (
    FETCH,
    START,
    Clock,
    Item,
    _no_sleep,
    conditional,
    inline_extract,
    page,
    rss,
    source,
    written,
)

DAM = page("Dam opens", "The dam opened on Monday.")
FLOOD = page("Flood warning", "The river rose overnight.")


def poll(out: Path, clock: Clock, src: SourceConfig,
         archive: WarcArchive | None) -> list[FeedReport]:
    async def go() -> list[FeedReport]:
        with Store.open(out, now=clock.now) as store:
            async with Fetcher(FETCH, now=clock.now, sleep=_no_sleep) as fetcher:
                poller = Poller(store, fetcher, inline_extract, now=clock.now,
                                monotonic=lambda: 0.0, archive=archive)
                return await poller.poll_source(src)

    return asyncio.run(go())


def reextract(out: Path, clock: Clock, *archives: Path, extract: Any = None,
              limits: PollSettings | None = None) -> Summary:
    async def go() -> Summary:
        with Store.open(out, now=clock.now) as store:
            run = Reextraction(store, extract=extract, limits=limits, now=clock.now)
            return await run.run(scan(archives))

    return asyncio.run(go())


def site(server: LoopbackServer) -> SourceConfig:
    """A feed of three stories: the dam page served gzip-encoded, the flood page plain, and
    a third whose page is gone (404: fetched, not archived)."""
    server.route("/feed.xml", conditional(rss([
        Item("g1", server.url("/news/dam"), "Dam opens"),
        Item("g2", server.url("/news/flood"), "Flood warning"),
        Item("g3", server.url("/news/gone"), "Gone story"),
    ]), '"v1"'))
    server.route("/news/dam", Reply(200, gzip.compress(DAM), headers={
        "Content-Encoding": "gzip", "X-Served-By": "loopback"}))
    server.route("/news/flood", Reply(200, FLOOD))
    server.route("/news/gone", Reply(404, b"not here"))
    return source(server, "/feed.xml", name="alpha")


def warcs(directory: Path) -> list[Path]:
    """The WARC files of an archive folder (their indexes left out)."""
    return sorted(directory.glob("*.warc.gz"))


def records(out: Path) -> list[dict[str, Any]]:
    return sorted((r for rs in written(out).values() for r in rs),
                  key=lambda r: (r["id"], r["revision"]))


@pytest.fixture
def clock() -> Clock:
    return Clock()


# -- writing ----------------------------------------------------------------------------


def test_a_poll_archives_exactly_the_pages_it_fetched(
        server: LoopbackServer, tmp_path: Path, clock: Clock) -> None:
    src = site(server)
    out = tmp_path / "output"
    with WarcArchive(out / "archive", now=clock.now) as archive:
        poll(out, clock, src, archive)
        assert archive.pages == 2
    (path,) = sorted(warcs(out / "archive"))
    assert path.name == "local-20260301120000-00001.warc.gz"

    with path.open("rb") as handle:
        kinds = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"))
                 for r in ArchiveIterator(handle)]
    dam, flood = server.url("/news/dam"), server.url("/news/flood")
    # The two pages are fetched concurrently: either may finish (and be archived) first,
    # but each one's three records stay together.
    triplets = sorted(kinds[i:i + 3] for i in range(0, len(kinds), 3))
    assert triplets == [[("response", dam), ("request", dam), ("metadata", dam)],
                        [("response", flood), ("request", flood), ("metadata", flood)]]

    pages = sorted(read_warc(path), key=lambda p: p.url)
    assert [(p.url, p.status, p.content) for p in pages] == [(dam, 200, DAM),
                                                             (flood, 200, FLOOD)]
    # The body is stored decoded, and the headers say so: no Content-Encoding, the length
    # of what is stored; the server's other headers as sent.
    assert pages[0].headers["content-length"] == str(len(DAM))
    assert "content-encoding" not in pages[0].headers
    assert pages[0].headers["x-served-by"] == "loopback"
    assert pages[0].headers["content-type"] == "text/html; charset=utf-8"
    assert pages[0].fetched_at == clock.now()
    assert (pages[0].source, pages[0].feed_url, pages[0].requested_url) == (
        "alpha", server.url("/feed.xml"), dam)
    assert pages[0].entry is not None and pages[0].entry["title"] == "Dam opens"
    assert read_warc_at(path, pages[1].offset).content == FLOOD

    # The next poll fetches nothing new (304), so nothing new is archived.
    with WarcArchive(out / "archive", now=clock.now) as archive:
        poll(out, clock, src, archive)
        assert archive.pages == 0
    assert sorted(warcs(out / "archive")) == [path]


@pytest.mark.slow  # worker processes
def test_archive_warc_in_the_sources_file_archives_a_poll(
        server: LoopbackServer, tmp_path: Path) -> None:
    """The setting, read from the file, reaches the poll: `scraper poll` with archive: warc
    and a size small enough that every page starts a new file."""
    from scraper.config import load_config
    from scraper.daemon import poll_once

    src = site(server)
    path = tmp_path / "sources.yaml"
    path.write_text(
        "settings:\n  per_host_delay: 0s\n  respect_robots: false\n  max_attempts: 1\n"
        "  extract_workers: 1\n  archive: warc\n  archive_max_size: 1kb\n"
        f"sources:\n  - name: alpha\n    feeds: [{src.feeds[0]}]\n"
        "    allow_private_networks: true\n")
    config = load_config(path)
    asyncio.run(poll_once(config, config.sources, tmp_path / "out"))
    files = sorted(warcs(tmp_path / "out" / "archive"))
    assert len(files) == 2
    assert sorted(p.url for f in files for p in read_warc(f)) == [
        server.url("/news/dam"), server.url("/news/flood")]

    off = tmp_path / "off.yaml"
    off.write_text(path.read_text().replace("archive: warc", "archive: null"))
    config = load_config(off)
    asyncio.run(poll_once(config, config.sources, tmp_path / "out2"))
    assert not (tmp_path / "out2" / "archive").exists()


def test_pages_written_from_several_threads_are_all_whole(tmp_path: Path, clock: Clock) -> None:
    """The poller writes from threads (compression off the event loop): every page ends up
    whole in one file, and each file's index covers it."""
    from concurrent.futures import ThreadPoolExecutor

    pages = [ArchivedPage(url=f"https://example.com/{n}", status=200, headers={},
                          content=DAM + str(n).encode(), fetched_at=clock.now())
             for n in range(24)]
    with WarcArchive(tmp_path / "a", max_size=20_000, now=clock.now) as archive, \
            ThreadPoolExecutor(4) as threads:
        list(threads.map(archive.write, pages))
    files = warcs(tmp_path / "a")
    assert len(files) > 1
    read = [p for f in files for p in read_warc(f)]
    assert sorted((p.url, p.content) for p in read) == sorted((p.url, p.content) for p in pages)
    assert all(read_index(f) is not None for f in files)


def test_scrape_archives_the_pages_it_fetched(server: LoopbackServer, tmp_path: Path) -> None:
    site(server)
    urls = [server.url("/news/dam"), server.url("/news/gone")]
    result = CliRunner().invoke(main, ["scrape", *urls, "--ignore-robots", "--delay", "0",
                                       "--attempts", "1", "--archive", str(tmp_path / "a")])
    assert result.exit_code == 1  # the 404
    (path,) = warcs(tmp_path / "a")
    (archived,) = read_warc(path)
    assert (archived.url, archived.requested_url, archived.content) == (urls[0], urls[0], DAM)
    assert archived.source is None and archived.entry is None


def test_the_archive_rotates_by_size(tmp_path: Path, clock: Clock) -> None:
    directory = tmp_path / "archive"
    pages = [ArchivedPage(url=f"https://example.com/{n}", status=200, headers={},
                          content=os.urandom(3000), fetched_at=clock.now())
             for n in range(5)]
    with WarcArchive(directory, worker="w2", max_size=5000, now=clock.now) as archive:
        for item in pages:
            archive.write(item)
    files = sorted(warcs(directory))
    # A file is closed once it passed 5000 bytes: two pages (of incompressible bytes) each.
    assert [f.name for f in files] == [f"w2-20260301120000-0000{n}.warc.gz" for n in (1, 2, 3)]
    assert [[p.url for p in read_warc(f)] for f in files] == [
        [pages[0].url, pages[1].url], [pages[2].url, pages[3].url], [pages[4].url]]
    assert all(f.stat().st_size >= 5000 for f in files[:2])
    # Each file has its index: the pages' offsets and URLs, covering the file exactly.
    for f in files:
        index = read_index(f)
        assert index is not None
        assert [(e.offset, e.url, e.fetched_at) for e in index] == [
            (p.offset, p.url, p.fetched_at) for p in read_warc(f)]
    # A new writer never appends to a file of an earlier one.
    with WarcArchive(directory, worker="w2", max_size=5000, now=clock.now) as archive:
        archive.write(pages[0])
    assert len(list(warcs(directory))) == 4
    with pytest.raises(ArchiveError, match="worker name"):
        WarcArchive(directory, worker="../w")


# -- re-extraction ----------------------------------------------------------------------


def test_reextract_over_the_archive_gives_the_polls_records(
        server: LoopbackServer, tmp_path: Path, clock: Clock) -> None:
    src = site(server)
    out = tmp_path / "output"
    with WarcArchive(out / "archive", now=clock.now) as archive:
        poll(out, clock, src, archive)
    polled = records(out)
    assert sorted(r["status"] for r in polled) == ["feed_only", "ok", "ok"]

    # Into the same output: nothing changed, nothing written.
    clock.advance(3600)
    summary = reextract(out, clock, out / "archive")
    assert (summary.read, summary.unchanged, summary.written, summary.failed) == (2, 2, 0, 0)
    assert records(out) == polled

    # Into a fresh output: the same records the poll wrote for the pages, field by field
    # (ids, the entry's summary filled in as the poll did, fetched_at of the fetch).
    fresh = tmp_path / "fresh"
    summary = reextract(fresh, clock, out / "archive")
    assert (summary.new, summary.written) == (2, 2)
    assert records(fresh) == [r for r in polled if r["status"] == "ok"]
    assert {r["id"] for r in records(fresh)} == {
        article_id(server.url("/news/dam")), article_id(server.url("/news/flood"))}


def test_reextract_writes_a_revision_where_the_extractor_output_changed(
        server: LoopbackServer, tmp_path: Path, clock: Clock) -> None:
    src = site(server)
    out = tmp_path / "output"
    with WarcArchive(out / "archive", now=clock.now) as archive:
        poll(out, clock, src, archive)
    polled = {r["id"]: r for r in records(out)}

    def better(html: bytes, url: str, rules: ExtractRules, *,
               content_type: str | None) -> PageFields:
        article = extract(html, url, rules, content_type=content_type)
        if "flood" in url:  # the "improved" extractor changes one page's text
            article = replace(article, body=article.body + "\n\nA paragraph found now.")
        return article

    summary = reextract(out, clock, out / "archive", extract=better)
    assert (summary.revised, summary.unchanged, summary.new) == (1, 1, 0)
    flood = article_id(server.url("/news/flood"))
    revised = [r for r in records(out) if r["revision"] == 2]
    assert [r["id"] for r in revised] == [flood]
    assert revised[0]["body"].endswith("A paragraph found now.")
    assert {k: v for k, v in revised[0].items() if k not in ("body", "word_count",
                                                            "content_hash", "revision")} == {
        k: v for k, v in polled[flood].items() if k not in ("body", "word_count",
                                                           "content_hash", "revision")}
    with Store.open(out, now=clock.now) as store:
        state = store.article(flood)
        assert state is not None and state.revision == 2

    # Run again: the store now holds that output.
    summary = reextract(out, clock, out / "archive", extract=better)
    assert (summary.revised, summary.unchanged) == (0, 2)
    # The revision cap of the poller holds here too.
    summary = reextract(out, clock, out / "archive", limits=PollSettings(max_revisions=2))
    assert (summary.capped, summary.unchanged, summary.revised) == (1, 1, 0)


def test_a_bug_on_one_page_is_a_counted_failure(
        server: LoopbackServer, tmp_path: Path, clock: Clock) -> None:
    src = site(server)
    out = tmp_path / "output"
    with WarcArchive(out / "archive", now=clock.now) as archive:
        poll(out, clock, src, archive)

    def buggy(html: bytes, url: str, rules: ExtractRules, *,
              content_type: str | None) -> PageFields:
        if "flood" in url:
            raise RuntimeError("a bug")
        return extract(html, url, rules, content_type=content_type)

    summary = reextract(tmp_path / "fresh", clock, out / "archive", extract=buggy)
    assert (summary.new, summary.failed) == (1, 1)
    ((where, why),) = summary.failures
    assert where.startswith(str(out / "archive"))
    assert why == "unexpected error: RuntimeError('a bug')"


def test_reextract_keeps_the_newest_fetch_of_a_page(tmp_path: Path, clock: Clock) -> None:
    url = "https://example.com/news/dam"
    entry = {"entry_id": "g1", "link": url, "title": "Dam opens"}

    def fetched(content: bytes, hours: int) -> ArchivedPage:
        return ArchivedPage(url=url, status=200, headers={"content-type": "text/html"},
                            content=content, requested_url=url, source="alpha",
                            feed_url="https://example.com/feed", entry=entry,
                            fetched_at=clock.now() + timedelta(hours=hours))

    old = tmp_path / "old"
    new = tmp_path / "new"
    with WarcArchive(old, now=clock.now) as archive:
        archive.write(fetched(DAM, 0))
    with WarcArchive(new, now=clock.now) as archive:
        archive.write(fetched(page("Dam opens", "The dam opened on Tuesday."), 5))
        archive.write(fetched(page("Dam opens", "An early draft."), -5))
    out = tmp_path / "output"
    summary = reextract(out, clock, old)
    assert summary.new == 1
    summary = reextract(out, clock, old, new)
    # Three fetches of one page: only the newest (Tuesday) is read again.
    assert (summary.read, summary.superseded, summary.revised) == (3, 2, 1)
    last = records(out)[-1]
    assert (last["revision"], last["fetched_at"]) == (2, "2026-03-01T17:00:00Z")
    assert last["body"].startswith("The dam opened on Tuesday.")


def test_scan_reads_the_index_and_falls_back_to_the_warc(
        tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = tmp_path / "archive"
    with WarcArchive(directory, now=clock.now) as archive:
        for n in range(3):
            archive.write(replace(ARCHIVED, url=f"{URL}/{n}", requested_url=f"{URL}/{n}",
                                  content=DAM))
    (path,) = warcs(directory)
    index = index_path(path)
    offsets = [p.offset for p in read_warc(path)]
    with monkeypatch.context() as patch:
        # With a whole index, the WARC itself is not read.
        patch.setattr("scraper.reextract.read_warc", None)
        from_index = scan([directory])
    assert [r.offset for r in from_index.pages] == offsets
    lines = index.read_bytes().splitlines(keepends=True)
    index.write_bytes(b"".join(lines[:2]))  # behind the file (a crash between the writes)
    assert read_index(path) is None
    assert scan([directory]).pages == from_index.pages
    index.write_bytes(b"not json\n")
    assert read_index(path) is None
    assert scan([directory]).pages == from_index.pages
    index.unlink()
    assert scan([directory]).pages == from_index.pages
    # A WARC cut short under a whole index: the index no longer covers it, the cut is found.
    index.write_bytes(b"".join(lines))
    path.write_bytes(path.read_bytes()[:-30])
    plan = scan([directory])
    assert [f for f, _ in plan.failures] == [str(path)]
    assert len(plan.pages) == 2


def test_reextract_reads_folders_of_saved_pages(tmp_path: Path, clock: Clock) -> None:
    saved = tmp_path / "saved"
    (saved / "deep").mkdir(parents=True)
    (saved / "dam.html").write_bytes(page("Dam opens", "The dam opened.",
                                          canonical="https://example.com/dam"))
    (saved / "deep" / "flood.html.gz").write_bytes(gzip.compress(page(
        "Flood warning", "The river rose.", canonical="https://example.com/flood")))
    (saved / "notes.txt").write_text("not a page")
    (saved / "broken.html.gz").write_bytes(b"\x1f\x8b\x08\x00broken")
    os.utime(saved / "dam.html", (1772366400, 1772366400))  # 2026-03-01T12:00:00Z
    out = tmp_path / "output"
    summary = reextract(out, clock, saved)
    assert (summary.read, summary.new) == (3, 2)
    assert summary.failures == [(str(saved / "broken.html.gz"),
                                 summary.failures[0][1])]
    assert summary.failures[0][1].startswith("damaged gzip")
    got = {r["canonical_url"]: r for r in records(out)}
    assert set(got) == {"https://example.com/dam", "https://example.com/flood"}
    dam = got["https://example.com/dam"]
    assert (dam["id"], dam["source"], dam["fetched_at"], dam["headline"]) == (
        article_id("https://example.com/dam"), None, "2026-03-01T12:00:00Z", "Dam opens")
    assert list((out / "_unsourced").iterdir())
    with Store.open(out, now=clock.now) as store:
        state = store.article(dam["id"])
        assert state is not None and (state.source, state.feed_url) == (None, None)
        assert store.entry("", "https://example.com/dam") is None
    assert reextract(out, clock, saved).unchanged == 2


def test_a_truncated_or_corrupt_warc_is_a_named_counted_failure(
        server: LoopbackServer, tmp_path: Path, clock: Clock) -> None:
    src = site(server)
    out = tmp_path / "output"
    with WarcArchive(out / "archive", now=clock.now) as archive:
        poll(out, clock, src, archive)
    (path,) = warcs(out / "archive")
    data = path.read_bytes()
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / "a-truncated.warc.gz").write_bytes(data[:len(data) - 40])
    (damaged / "b-garbage.warc").write_bytes(b"this is not a WARC file\r\n\r\n")
    flipped = bytearray(data)
    flipped[len(data) // 4] ^= 0xFF
    (damaged / "c-flipped.warc.gz").write_bytes(bytes(flipped))

    plan = scan([damaged])
    assert sorted(f for f, _ in plan.failures) == sorted(
        str(damaged / n) for n in ("a-truncated.warc.gz", "b-garbage.warc", "c-flipped.warc.gz"))
    reasons = dict(plan.failures)
    assert "truncated" in reasons[str(damaged / "a-truncated.warc.gz")]
    # The truncated file's first page is whole and still read.
    assert [r.path.name for r in plan.pages][:1] == ["a-truncated.warc.gz"]

    with pytest.raises(ArchiveError) as caught:
        list(read_warc(damaged / "b-garbage.warc"))
    assert caught.value.path == str(damaged / "b-garbage.warc")


def _valid_warc() -> bytes:
    directory = Path(tempfile.mkdtemp())
    with WarcArchive(directory, now=lambda: START) as archive:
        for n in range(2):
            archive.write(ArchivedPage(
                url=f"https://example.com/{n}", status=200, headers={"content-type": "text/html"},
                content=DAM, fetched_at=START, source="alpha", entry={"entry_id": str(n)}))
    (path,) = warcs(directory)
    data = path.read_bytes()
    shutil.rmtree(directory)
    return data


VALID_WARC = _valid_warc()


@st.composite
def _damaged(draw: st.DrawFn) -> bytes:
    """A valid WARC cut short, with bytes flipped or inserted, or bytes of no format."""
    kind = draw(st.sampled_from(["cut", "flip", "insert", "random", "plain"]))
    if kind == "random":
        return draw(st.binary(max_size=600))
    data = bytearray(VALID_WARC if kind != "plain" else gzip.decompress(VALID_WARC))
    if kind in ("cut", "plain"):
        return bytes(data[:draw(st.integers(0, len(data)))])
    at = draw(st.integers(0, len(data) - 1))
    if kind == "flip":
        data[at] ^= draw(st.integers(1, 255))
    else:
        data[at:at] = draw(st.binary(min_size=1, max_size=20))
    return bytes(data)


@pytest.mark.slow  # many hypothesis examples
@settings(max_examples=200, derandomize=True, database=None, deadline=None)
@given(content=_damaged())
def test_a_damaged_warc_reads_as_pages_or_an_archive_error(content: bytes) -> None:
    """Whatever the bytes, read_warc gives pages or raises ArchiveError naming the file,
    never another exception (warcio meets them with whatever its code trips on)."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "x.warc.gz"
        path.write_bytes(content)
        try:
            pages = list(read_warc(path))
        except ArchiveError as exc:
            assert exc.path == str(path)
            return
        assert all(isinstance(p, ArchivedPage) for p in pages)
        assert len(pages) <= 2


@pytest.mark.slow  # worker processes
def test_the_reextract_command(server: LoopbackServer, tmp_path: Path, clock: Clock) -> None:
    """End to end: the command with its process pool, the summary, and a failure reported
    by file name with exit status 1 (no traceback)."""
    src = site(server)
    out = tmp_path / "output"
    with WarcArchive(out / "archive", now=clock.now) as archive:
        poll(out, clock, src, archive)
    (path,) = warcs(out / "archive")
    bad = tmp_path / "bad.warc.gz"
    bad.write_bytes(path.read_bytes()[:100])
    before = written(out)
    result = CliRunner().invoke(main, ["reextract", str(out / "archive"), str(bad),
                                       "--output", str(out), "--workers", "1"])
    assert result.exit_code == 1, result.output
    assert f"scraper: {bad}: truncated" in result.output
    assert "Traceback" not in result.output
    assert "reextract summary" in result.output
    counts = {" ".join(cells[:-1]): cells[-1] for line in result.output.splitlines()
              if (cells := line.strip("│ ").replace("│", " ").split()) and "│" in line}
    assert (counts["read"], counts["unchanged"], counts["failed"]) == ("2", "2", "1")
    assert written(out) == before

    result = CliRunner().invoke(main, ["reextract", str(out / "archive"),
                                       "--output", str(tmp_path / "fresh"), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert len(records(tmp_path / "fresh")) == 2


def test_reextract_into_reads_rules_from_the_sources_file(tmp_path: Path, clock: Clock) -> None:
    html = (b'<html><head><link rel="canonical" href="https://example.com/a"></head><body>'
            b'<article><h1>Title</h1><p>Keep this text here.</p>'
            b'<p class="promo">Subscribe to our newsletter now.</p></article></body></html>')
    with WarcArchive(tmp_path / "archive", now=clock.now) as archive:
        archive.write(ArchivedPage(url="https://example.com/a", status=200, headers={},
                                   content=html, fetched_at=clock.now(), source="alpha"))
    (tmp_path / "sources.yaml").write_text(
        "sources:\n  - name: alpha\n    feeds: [https://example.com/feed]\n"
        "    extract:\n      remove: ['.promo']\n")
    from scraper.config import load_config

    config = load_config(tmp_path / "sources.yaml")

    async def go() -> Summary:
        return await reextract_into([tmp_path / "archive"], tmp_path / "out", config=config,
                                    run=run_inline)

    summary = asyncio.run(go())
    assert summary.new == 1
    (record,) = records(tmp_path / "out")
    assert record["body"] == "Keep this text here."


# -- through the decide step -------------------------------------------------------------

URL = "https://example.com/a"
ARCHIVED = ArchivedPage(url=URL, status=200, headers={}, content=b"",
                        fetched_at=datetime(2026, 3, 1, 12, tzinfo=UTC), requested_url=URL,
                        source="alpha", feed_url="https://example.com/feed",
                        entry={"entry_id": "g1", "link": URL, "title": "From the feed",
                               "summary": "Feed summary.", "authors": ["Jane Doe"]})


def test_a_page_the_poll_could_not_fetch_becomes_an_ok_revision(
        server: LoopbackServer, tmp_path: Path, clock: Clock) -> None:
    """The poll wrote a feed_only record for a page that failed; an archive that has the
    page (another crawler's, a later fetch) turns it into revision 2, ok, filled from the
    entry as the poller fills it."""
    src = site(server)
    out = tmp_path / "output"
    poll(out, clock, src, None)
    gone = server.url("/news/gone")
    (feed_only,) = [r for r in records(out) if r["status"] == "feed_only"]
    with WarcArchive(tmp_path / "archive", now=clock.now) as archive:
        archive.write(replace(
            ARCHIVED, url=gone, requested_url=gone, feed_url=server.url("/feed.xml"),
            content=page("", "The story was found again."),
            entry={"entry_id": "g3", "link": gone, "title": "Gone story"}))
    summary = reextract(out, clock, tmp_path / "archive")
    assert (summary.revised, summary.new) == (1, 0)
    last = [r for r in records(out) if r["id"] == feed_only["id"]][-1]
    assert (last["revision"], last["status"]) == (2, "ok")
    assert last["headline"] == "Gone story"  # the page has none: the entry's
    assert last["body"].startswith("The story was found again.")
    with Store.open(out, now=clock.now) as store:
        state = store.article(feed_only["id"])
        assert state is not None and (state.status, state.revision) == ("ok", 2)


def test_a_page_without_address_is_a_named_failure(tmp_path: Path, clock: Clock) -> None:
    (tmp_path / "saved").mkdir()
    (tmp_path / "saved" / "a.html").write_bytes(page("Dam opens", "No canonical link."))
    summary = reextract(tmp_path / "out", clock, tmp_path / "saved")
    assert summary.failures == [(str(tmp_path / "saved" / "a.html"),
                                 "the page has neither a URL nor a canonical link to be "
                                 "known by")]
    assert written(tmp_path / "out") == {}


def test_page_ref_is_the_unit_of_work(tmp_path: Path, clock: Clock) -> None:
    """What a distributed worker gets: a file and an offset, re-extracted and committed."""
    with WarcArchive(tmp_path / "archive", now=clock.now) as archive:
        archive.write(replace(ARCHIVED, content=DAM))
    (path,) = warcs(tmp_path / "archive")
    (ref,) = scan([path]).pages
    assert ref == PageRef(path, 0)

    async def go() -> tuple[str | None, str | None]:
        with Store.open(tmp_path / "out", now=clock.now) as store:
            run = Reextraction(store, now=clock.now)
            return await run.page(ref), await run.page(ref)

    assert asyncio.run(go()) == ("new", "unchanged")
    assert [r["revision"] for r in records(tmp_path / "out")] == [1]

