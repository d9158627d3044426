"""Daemon benchmark: one ``poll`` pass over a few hundred feeds served from 127.0.0.1.

    python benchmarks/daemon_bench.py [--sources 30] [--feeds 10] [--entries 5]
                                      [--paragraphs 30] [--workers N] [--json]

Builds ``sources x feeds`` RSS feeds of ``entries`` items each (every item its own article
page of ``paragraphs`` paragraphs), polls them all once through the real fetcher, process
pool and store (as ``scraper poll`` does), then polls again (every feed answers 304), and
prints articles per second of the first pass, the time of the second, and the peak resident
memory of this process (``resource.getrusage``) and of the largest extraction worker.

All feeds are on one host, so ``per_host_concurrency`` (raised here to 16) bounds the number
of requests in flight; robots.txt and the per-host delay are off, as on a local network.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import resource
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

# The loopback server of the tests serves the site: run from a checkout, the repository root
# must be importable (a script's own directory is what Python puts on sys.path).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scraper.config import Config, SourceConfig
from scraper.daemon import PollOutcome, poll_once
from scraper.fetch import FetchSettings
from scraper.pool import ExtractorPool
from tests.httpserver import LoopbackServer, Reply, Request

LOREM = ("The regional government said on Tuesday that the new water project would serve "
         "more than two hundred thousand people across the province once it is complete, "
         "and officials expect the first phase to open before the summer heat arrives. ")


def _page(title: str, paragraphs: int) -> bytes:
    body = "".join(f"<p>{LOREM * 2}({n})</p>" for n in range(paragraphs))
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta property="og:title" content="{title}"></head><body>'
        '<header><nav><a href="/">Home</a> <a href="/world">World</a></nav></header>'
        f"<main><article><h1>{title}</h1><div class=\"byline\">By A. Writer</div>{body}"
        '<div class="share">Share this story</div></article>'
        '<aside class="related"><a href="/x">Related story</a></aside></main>'
        "<footer>Copyright</footer></body></html>"
    ).encode()


def _feed(base: str, feed: int, entries: int) -> bytes:
    items = "".join(
        f"<item><guid>f{feed}-e{e}</guid><link>{base}/p/{feed}/{e}</link>"
        f"<title>Story {feed}.{e}</title><description>Summary {feed}.{e}</description>"
        "<pubDate>Sun, 01 Mar 2026 09:00:00 GMT</pubDate></item>" for e in range(entries))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>F{feed}'
            f"</title><link>http://example.com/</link>{items}</channel></rss>").encode()


def serve(args: argparse.Namespace, conn: Connection) -> None:
    """The site, in its own process so that serving does not compete with the scraper for
    the interpreter lock: every feed and page, feeds answering 304 to their ETag."""
    server = LoopbackServer()
    feeds: dict[str, bytes] = {}
    page_html = {}
    for feed in range(args.sources * args.feeds):
        feeds[f"/feed/{feed}"] = _feed(server.base, feed, args.entries)
        for e in range(args.entries):
            page_html[f"/p/{feed}/{e}"] = _page(f"Story {feed}.{e}", args.paragraphs)

    def feed_route(request: Request) -> Reply:
        if request.headers.get("if-none-match") == '"v1"':
            return Reply(304, b"", headers={"ETag": '"v1"'}, content_type=None)
        return Reply(200, feeds[request.path], headers={"ETag": '"v1"'},
                     content_type="application/rss+xml")

    for path in feeds:
        server.route(path, feed_route)
    for path, html in page_html.items():
        server.route(path, Reply(200, html))
    conn.send(server.base)
    conn.recv()  # until the benchmark is done
    server.close()


def worker_peak_mb(pool: ExtractorPool) -> float:
    """The largest peak RSS of the pool's workers, as they last reported it."""
    return round(max((s.peak_rss for s in [*pool.stats(), *pool.retired]), default=0) / 2**20, 1)


def sources_for(base: str, args: argparse.Namespace) -> list[SourceConfig]:
    """The same numbering as :func:`serve`: source s has feeds s*feeds ... s*feeds+feeds-1."""
    return [
        SourceConfig(name=f"source{s}", allow_private_networks=True, feeds=tuple(
            f"{base}/feed/{s * args.feeds + f}" for f in range(args.feeds)))
        for s in range(args.sources)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=30)
    parser.add_argument("--feeds", type=int, default=10, help="feeds per source")
    parser.add_argument("--entries", type=int, default=5, help="articles per feed")
    parser.add_argument("--paragraphs", type=int, default=30, help="paragraphs per page")
    parser.add_argument("--workers", type=int, default=None, help="extraction processes")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    parent, child = multiprocessing.get_context("spawn").Pipe()
    site = multiprocessing.get_context("spawn").Process(target=serve, args=(args, child))
    site.start()
    try:
        sources = sources_for(parent.recv(), args)
        settings = FetchSettings(per_host_delay=0.0, respect_robots=False,
                                 per_host_concurrency=16, max_connections=32)
        config = Config(Path("bench.yaml"), tuple(sources), settings)
        with tempfile.TemporaryDirectory() as tmp:
            output = Path(tmp)

            async def both() -> tuple[PollOutcome, float, PollOutcome, float, float]:
                pool = ExtractorPool(args.workers)
                try:
                    start = time.perf_counter()
                    first = await poll_once(config, sources, output, extractor=pool)
                    first_s = time.perf_counter() - start
                    start = time.perf_counter()
                    second = await poll_once(config, sources, output, extractor=pool)
                    second_s = time.perf_counter() - start
                    return first, first_s, second, second_s, worker_peak_mb(pool)
                finally:
                    pool.close()

            first, first_s, second, second_s, worker_mb = asyncio.run(both())
            written = sum(1 for p in output.rglob("*.jsonl") for _ in p.open("rb"))
            out_bytes = sum(p.stat().st_size for p in output.rglob("*.jsonl"))
    finally:
        parent.send("done")
        site.join(10)

    articles = sum(r.new for r in first.reports)
    page_bytes = len(_page("Story 0.0", args.paragraphs))
    result: dict[str, Any] = {
        "feeds": len(first.reports),
        "articles": articles,
        "records_written": written,
        "failed_feeds": sum(not r.ok for r in first.reports),
        "failed_pages": sum(r.failed for r in first.reports),
        "page_bytes": page_bytes,
        "output_bytes": out_bytes,
        "workers": args.workers or ExtractorPool.default_workers(),
        "first_pass_s": round(first_s, 2),
        "articles_per_s": round(articles / first_s, 1),
        "second_pass_s": round(second_s, 2),
        "second_pass_304": sum(r.status == 304 for r in second.reports),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "peak_worker_rss_mb": worker_mb,
    }
    if args.json:
        print(json.dumps(result))
        return
    for key, value in result.items():
        print(f"{key:>20}: {value}")
    if result["failed_feeds"] or result["failed_pages"] or written != articles:
        sys.exit(1)


if __name__ == "__main__":
    main()
