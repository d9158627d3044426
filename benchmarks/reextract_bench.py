"""Page archive and re-extraction benchmark, on real pages (a corpus folder of
``<id>.html.gz`` + ``<id>.json``, e.g. ``../shared/corpus/fundus-dev``).

    python benchmarks/reextract_bench.py ../shared/corpus/fundus-dev [--copies 3]
                                         [--workers 1,2] [--json]

1. Writes every page ``copies`` times (under distinct URLs) to a WARC archive, as the poller
   does, and prints the archive's cost per page (CPU ms, and its ratio to the CPU of
   extracting the same page, measured in the same run).
2. Runs ``scraper reextract`` (scan, process pool, decide, store) into an empty output with
   each worker count, then once more into the filled output (every page unchanged), and
   prints pages per second and CPU ms per page of this process and its workers together,
   as a ratio to ``extract()`` alone on the same pages.

The absolute figures are noisy on a shared machine; the ratios are measured in one run.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import multiprocessing
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scraper.archive import ArchivedPage, WarcArchive
from scraper.extract import extract
from scraper.reextract import Summary, reextract_into, scan


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _pages(corpus: Path, copies: int) -> list[tuple[str, bytes]]:
    pages = []
    for meta in sorted(corpus.glob("*.json")):
        html = meta.with_suffix(".html.gz")
        if not html.exists():
            continue
        url = json.loads(meta.read_text(encoding="utf-8")).get("url") or f"https://x/{meta.stem}"
        data = gzip.decompress(html.read_bytes())
        for copy in range(copies):
            pages.append((f"{url}?copy={copy}" if copy else url, data))
    return pages


def _reextract(archive: Path, output: Path, workers: int) -> tuple[Summary, float, float]:
    wall = time.perf_counter()
    cpu = _cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN)
    summary = asyncio.run(reextract_into([archive], output, workers=workers))
    wall = time.perf_counter() - wall
    # A worker's CPU is counted once it is reaped: wait for the retired ones to exit.
    for child in multiprocessing.active_children():
        child.join(10)
    cpu = _cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN) - cpu
    return summary, wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--copies", type=int, default=3)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    pages = _pages(args.corpus, args.copies)
    size = sum(len(data) for _, data in pages)
    result: dict[str, Any] = {"pages": len(pages), "mb": round(size / 1e6, 1)}

    # The floor: extract() on every page, in this process.
    cpu = _cpu(resource.RUSAGE_SELF)
    for url, data in pages:
        extract(data, url, content_type="text/html; charset=utf-8")
    floor = (_cpu(resource.RUSAGE_SELF) - cpu) / len(pages)
    result["extract_cpu_ms"] = round(floor * 1000, 2)

    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "archive"
        fetched_at = datetime(2026, 3, 1, tzinfo=UTC)
        cpu = _cpu(resource.RUSAGE_SELF)
        with WarcArchive(archive) as writer:
            for url, data in pages:
                writer.write(ArchivedPage(
                    url=url, status=200, headers={"content-type": "text/html; charset=utf-8"},
                    content=data, fetched_at=fetched_at, requested_url=url, source="bench",
                    feed_url="https://bench/feed",
                    entry={"entry_id": url, "link": url, "title": None}))
        write = (_cpu(resource.RUSAGE_SELF) - cpu) / len(pages)
        stored = sum(p.stat().st_size for p in archive.iterdir())
        result["archive_write_cpu_ms"] = round(write * 1000, 2)
        result["archive_write_vs_extract"] = round(write / floor, 2)
        result["archive_mb"] = round(stored / 1e6, 1)

        cpu = _cpu(resource.RUSAGE_SELF)
        plan = scan([archive])
        result["scan_cpu_ms"] = round((_cpu(resource.RUSAGE_SELF) - cpu) / plan.read * 1000, 2)

        runs = []
        for workers in (int(w) for w in args.workers.split(",")):
            output = Path(tmp) / f"out{workers}"
            for label in ("empty output", "unchanged"):
                summary, wall, cpu = _reextract(archive, output, workers)
                runs.append({
                    "workers": workers, "run": label, "pages_per_s": round(
                        summary.read / wall, 1),
                    "cpu_ms_per_page": round(cpu / summary.read * 1000, 2),
                    "cpu_vs_extract": round(cpu / summary.read / floor, 2),
                    "written": summary.written, "unchanged": summary.unchanged,
                    "failed": summary.failed})
        result["runs"] = runs

    if args.json:
        print(json.dumps(result, indent=1))
        return
    print(f"{result['pages']} pages ({result['mb']} MB of HTML; archive {result['archive_mb']}"
          f" MB)")
    print(f"extract() alone: {result['extract_cpu_ms']} ms CPU per page")
    print(f"archive write:   {result['archive_write_cpu_ms']} ms CPU per page "
          f"({result['archive_write_vs_extract']}x extraction)")
    print(f"scan:            {result['scan_cpu_ms']} ms CPU per page")
    for run in runs:
        print(f"reextract, {run['workers']} worker(s), {run['run']}: {run['pages_per_s']} "
              f"pages/s, {run['cpu_ms_per_page']} ms CPU per page "
              f"({run['cpu_vs_extract']}x extraction); written {run['written']}, "
              f"unchanged {run['unchanged']}, failed {run['failed']}")


if __name__ == "__main__":
    main()
