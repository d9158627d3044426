"""Per-stage CPU time of :func:`scraper.extract.extract` on a corpus folder, in µs per page.

    python benchmarks/stages.py ../shared/corpus/fundus-dev [--repeat N]

Each stage is timed on its own, page by page, in the order the pipeline runs it (the body
step mutates the tree, so every repeat parses again); the best of ``--repeat`` runs is kept
per stage, which filters out the noise of other processes.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scraper import extract
from scraper.encoding import read_page
from scraper.extract import _parse
from scraper.extract.body import BodyText, ContentBlock, extract_body, find_content_root
from scraper.extract.captions import extract_images
from scraper.extract.metadata import PageMetadata, extract_metadata

_STAGES = ("read_page", "parse", "metadata", "find_content_root", "images", "extract_body",
           "extract")


def _timed(totals: dict[str, float], stage: str, fn: Callable[..., Any], *args: Any) -> Any:
    start = time.process_time_ns()
    result = fn(*args)
    totals[stage] += time.process_time_ns() - start
    return result


def _body(block: ContentBlock | None, meta: PageMetadata) -> BodyText:
    return extract_body(block, meta) if block is not None else BodyText(())


def _run(pages: list[tuple[str | None, bytes]]) -> dict[str, float]:
    totals = dict.fromkeys(_STAGES, 0.0)
    for url, html in pages:
        page = _timed(totals, "read_page", read_page, html)
        tree = _timed(totals, "parse", _parse, page.data)
        meta = _timed(totals, "metadata", extract_metadata, tree, url)
        block = _timed(totals, "find_content_root", find_content_root, tree, meta)
        root = block.node if block is not None else None
        _timed(totals, "images", extract_images, tree, root, meta, url)
        _timed(totals, "extract_body", _body, block, meta)
        _timed(totals, "extract", extract, html, url)
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--repeat", type=int, default=7, help="runs (best per stage is kept)")
    args = parser.parse_args()
    pages = [(json.loads(p.read_text(encoding="utf-8")).get("url"),
              gzip.decompress(p.with_suffix(".html.gz").read_bytes()))
             for p in sorted(args.corpus.glob("*.json"))]
    best = dict.fromkeys(_STAGES, float("inf"))
    for _ in range(max(1, args.repeat)):
        for stage, total in _run(pages).items():
            best[stage] = min(best[stage], total)
    for stage in _STAGES:
        print(f"{stage:20}{best[stage] / len(pages) / 1000:8.0f} µs/page")
    after = sum(best[s] for s in _STAGES[1:-1]) / len(pages) / 1000
    print(f"{'after parse':20}{after:8.0f} µs/page (sum of the steps)")


if __name__ == "__main__":
    main()
