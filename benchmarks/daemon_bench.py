"""Daemon benchmark on real pages: a cold ``poll`` and a round of 304s, each measured against
the floor a bare client sets in the same run.

    python benchmarks/daemon_bench.py ../shared/corpus/fundus-dev [--feeds 1000]
        [--entries 1] [--sources 50] [--workers N] [--concurrent-polls 4] [--json]

A site on 127.0.0.1 (its own process) serves ``feeds`` RSS feeds of ``entries`` items; every
item links to its own URL, whose page is one of the corpus pages (``.html.gz``), taken in
turn, with the page's canonical URL rewritten to that URL so that every copy is an article
of its own. Then, in one run, because absolute times on a shared machine are noisy:

1. cold poll: ``poll_once`` over every feed (real fetcher, extraction pool, store), as
   ``scraper poll`` does; the CPU of this process and of the pool's workers per article,
   with and without the workers' start-up (measured first, apart);
2. floor: the same page URLs fetched with a bare ``httpx.AsyncClient`` at the same
   concurrency, plus ``extract()`` on each page in this process; CPU per article;
3. 304 round: ``poll_once`` again (every feed answers 304 to its ETag), against the same
   conditional requests made by the bare client at the same concurrency; wall time;
4. the summary of that round as ``scraper poll`` prints it (rich table and plain text);
5. with ``--concurrent-polls N``: N cold polls at once of the first ``--concurrent-sources``
   sources, each with the default extraction limits and its own pool and output (issue 10:
   no healthy feed may be lost).

It prints the two ratios (targets: cold CPU <= 1.5x the floor, 304 round <= 2x the bare
client), articles per second, CPU ms per article, and the peak RSS of this process and of
each extraction worker. Exit 1 when a feed or page failed or a record is missing.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import io
import json
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from html import escape as html_escape
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx

# The loopback server of the tests serves the site: run from a checkout, the repository root
# must be importable (a script's own directory is what Python puts on sys.path).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.console import Console

from scraper.config import Config, FetchSettings, SourceConfig
from scraper.daemon import poll_once
from scraper.extract import extract
from scraper.pool import ExtractorPool
from scraper.report import summary_table, summary_text
from tests.httpserver import LoopbackServer, Reply, Request

CONCURRENCY = 16  # requests in flight, for the scraper (per_host_concurrency) and the floor
ETAG = '"v1"'


def _feed(base: str, feed: int, entries: int) -> bytes:
    items = "".join(
        f"<item><guid>f{feed}-e{e}</guid><link>{base}/p/{feed}/{e}</link>"
        f"<title>Story {feed}.{e}</title><description>Summary {feed}.{e}</description>"
        "<pubDate>Sun, 01 Mar 2026 09:00:00 GMT</pubDate></item>" for e in range(entries))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>F{feed}'
            f"</title><link>http://example.com/</link>{items}</channel></rss>").encode()


_HOME = "http://bench.invalid/page"  # where a template's own URL goes


def _corpus(folder: Path) -> list[bytes]:
    """Each page of the corpus as a template whose canonical URL is _HOME, so that a copy
    served at another URL is an article of its own, not an alias of the original. A page
    whose canonical link cannot be rewritten that way (a relative one, another spelling) has
    it taken out; a page that still names another canonical URL is left out."""
    pages = []
    for path in sorted(folder.glob("*.html.gz")):
        html = gzip.decompress(path.read_bytes())
        canonical = extract(html, None).canonical_url
        for form in {canonical, html_escape(canonical or "", quote=False)} - {None, ""}:
            html = html.replace(str(form).encode(), _HOME.encode())
        if extract(html, _HOME).canonical_url != _HOME:
            html = html.replace(b"canonical", b"was-canonical")
        if extract(html, _HOME).canonical_url == _HOME:
            pages.append(html)
    return pages


def serve(folder: Path, feeds: int, entries: int, conn: Connection) -> None:
    """The site, in its own process so that serving does not compete with the scraper for
    the interpreter lock: every feed (304 to its ETag) and every page."""
    server = LoopbackServer()
    corpus = _corpus(folder)
    for feed in range(feeds):
        body = _feed(server.base, feed, entries)

        def feed_route(request: Request, body: bytes = body) -> Reply:
            if request.headers.get("if-none-match") == ETAG:
                return Reply(304, b"", headers={"ETag": ETAG}, content_type=None)
            return Reply(200, body, headers={"ETag": ETAG}, content_type="application/rss+xml")

        server.route(f"/feed/{feed}", feed_route)
        for e in range(entries):
            path = f"/p/{feed}/{e}"
            html = corpus[(feed * entries + e) % len(corpus)]
            server.route(path, Reply(200, html.replace(_HOME.encode(), server.url(path).encode()),
                                     content_type="text/html"))
    conn.send((server.base, len(corpus)))
    conn.recv()  # until the benchmark is done
    server.close()


def _worker_cpu(pool: ExtractorPool) -> float:
    """CPU seconds (user + system) of the pool's live workers, from /proc (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stats in pool.stats():
        fields = Path(f"/proc/{stats.pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


async def _bare(urls: list[str], headers: dict[str, str]) -> list[bytes]:
    """Every URL fetched by a bare httpx client, CONCURRENCY at a time."""
    slots = asyncio.Semaphore(CONCURRENCY)
    limits = httpx.Limits(max_connections=CONCURRENCY)
    async with httpx.AsyncClient(limits=limits, headers=headers) as client:

        async def one(url: str) -> bytes:
            async with slots:
                return (await client.get(url)).content

        return await asyncio.gather(*(one(u) for u in urls))


def _mb(n: int) -> float:
    return round(n / 2**20, 1)


async def _concurrent(config: Config, sources: list[SourceConfig], n: int) -> list[int]:
    """Feeds lost (failed) by each of ``n`` cold polls run at once with the default limits
    (a time limit that counted a worker's start-up failed healthy feeds here)."""
    with tempfile.TemporaryDirectory() as tmp:
        outcomes = await asyncio.gather(*(
            poll_once(config, sources, Path(tmp) / f"out{i}") for i in range(n)))
    return [sum(not r.ok for r in o.reports) for o in outcomes]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="folder of .html.gz pages (fundus-dev)")
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=1, help="articles per feed")
    parser.add_argument("--sources", type=int, default=50, help="the feeds are split among")
    parser.add_argument("--workers", type=int, default=None, help="extraction processes")
    parser.add_argument("--concurrent-polls", type=int, default=0,
                        help="also run this many cold polls at once (default limits)")
    parser.add_argument("--concurrent-sources", type=int, default=5,
                        help="the first sources, polled by each of the concurrent polls")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    spawn = multiprocessing.get_context("spawn")
    parent, child = spawn.Pipe()
    site = spawn.Process(target=serve, args=(args.corpus, args.feeds, args.entries, child))
    site.start()
    try:
        base, corpus_pages = parent.recv()
        per = -(-args.feeds // args.sources)
        sources = [
            SourceConfig(name=f"source{s}", allow_private_networks=True, feeds=tuple(
                f"{base}/feed/{f}" for f in range(s * per, min(args.feeds, (s + 1) * per))))
            for s in range(args.sources) if s * per < args.feeds]
        settings = FetchSettings(per_host_delay=0.0, respect_robots=False,
                                 per_host_concurrency=CONCURRENCY, max_connections=CONCURRENCY)
        config = Config(Path("bench.yaml"), tuple(sources), settings)
        pages = [f"{base}/p/{f}/{e}" for f in range(args.feeds) for e in range(args.entries)]
        feeds = [url for s in sources for url in s.feeds]
        result = asyncio.run(_measure(args, config, sources, pages, feeds))
        result["corpus_pages"] = corpus_pages
    finally:
        parent.send("done")
        site.join(10)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>28}: {value}")
    # A page the extractor finds no text in is a feed_only record, counted in failed_pages
    # (one corpus page is such a page): it is the extractor's verdict, not a lost page.
    lost = result["failed_feeds"] or any(result.get("concurrent_polls_lost", []))
    if lost or result["records_written"] != len(pages):
        sys.exit(1)


async def _measure(args: argparse.Namespace, config: Config, sources: list[SourceConfig],
                   pages: list[str], feeds: list[str]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp)
        pool = ExtractorPool(args.workers)
        try:
            # Workers started first, so that their start-up (a process, the extractor's
            # imports) is shown apart: a daemon pays it once, `scraper poll` on every run.
            cpu, wall = time.process_time(), time.perf_counter()
            await asyncio.gather(*(pool.parse_feed(_feed("http://127.0.0.1/", 0, 1),
                                                   "http://127.0.0.1/f", {})
                                   for _ in range(pool.workers)))
            # The workers' CPU is counted from their own reading at the start, not from a
            # sum with this process's start-up CPU in it.
            started_workers_cpu = _worker_cpu(pool)
            start_cpu = time.process_time() - cpu + started_workers_cpu
            start_wall = time.perf_counter() - wall
            cpu, wall = time.process_time(), time.perf_counter()
            cold = await poll_once(config, sources, output, extractor=pool)
            cold_wall = time.perf_counter() - wall
            daemon_cpu = time.process_time() - cpu
            workers_cpu = _worker_cpu(pool) - started_workers_cpu
            cold_cpu = daemon_cpu + workers_cpu
            wall = time.perf_counter()
            warm = await poll_once(config, sources, output, extractor=pool)
            round_wall = time.perf_counter() - wall
            workers = [s for s in pool.stats()]
            peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        finally:
            pool.close()
        written = sum(1 for p in output.rglob("*.jsonl") for _ in p.open("rb"))

    cpu = time.process_time()
    bodies = await _bare(pages, {})
    fetch_cpu = time.process_time() - cpu
    cpu = time.process_time()
    for url, body in zip(pages, bodies, strict=True):
        extract(body, url, content_type="text/html")
    extract_cpu = time.process_time() - cpu
    wall = time.perf_counter()
    await _bare(feeds, {"If-None-Match": ETAG})
    bare_round_wall = time.perf_counter() - wall

    articles = max(1, sum(r.counts.new for r in cold.reports))
    floor = (fetch_cpu + extract_cpu) / len(pages)
    per_article = cold_cpu / articles
    with_start = (cold_cpu + start_cpu) / articles
    render: dict[str, float] = {}
    for name, draw in (
            ("rich", lambda: Console(file=io.StringIO(), force_terminal=True, width=160).print(
                summary_table(warm.reports))),
            ("plain", lambda: summary_text(warm.reports))):
        cpu = time.process_time()
        draw()
        render[name] = round((time.process_time() - cpu) * 1000, 1)
    result: dict[str, Any] = {
        "feeds": len(cold.reports),
        "articles": articles,
        "records_written": written,
        "failed_feeds": sum(not r.ok for r in cold.reports),
        "failed_pages": sum(r.counts.page_failures for r in cold.reports),
        "workers": pool.workers,
        "workers_start_s": round(start_wall, 2),
        "workers_start_cpu_s": round(start_cpu, 2),
        "cold_articles_per_s": round(articles / (cold_wall + start_wall), 1),
        "cold_cpu_ms_per_article": round(with_start * 1000, 2),
        "cold_cpu_ms_per_article_started": round(per_article * 1000, 2),
        "cold_daemon_cpu_ms_per_article": round(daemon_cpu / articles * 1000, 2),
        "cold_workers_cpu_ms_per_article": round(workers_cpu / articles * 1000, 2),
        "floor_cpu_ms_per_article": round(floor * 1000, 2),
        "floor_fetch_ms_per_article": round(fetch_cpu / len(pages) * 1000, 2),
        "floor_extract_ms_per_article": round(extract_cpu / len(pages) * 1000, 2),
        "cold_cpu_vs_floor": round(with_start / floor, 2),
        "cold_cpu_vs_floor_started": round(per_article / floor, 2),
        "round_304_s": round(round_wall, 2),
        "round_304_answers": sum(r.status == 304 for r in warm.reports),
        "bare_client_304_s": round(bare_round_wall, 2),
        "round_304_vs_bare": round(round_wall / bare_round_wall, 2),
        "summary_render_ms": render,
        "daemon_peak_rss_mb": _mb(peak_rss),  # this process, after the two polls
        "worker_peak_rss_mb": [_mb(s.peak_rss) for s in workers],
    }
    if args.concurrent_polls:
        some = sources[:args.concurrent_sources]
        lost = await _concurrent(Config(config.path, tuple(some), config.fetch), some,
                                 args.concurrent_polls)
        result["concurrent_polls_lost"] = lost
    return result


if __name__ == "__main__":
    main()
