"""Time the pathological inputs whose cost the tests only bound by behaviour: each is run at
size n and 2n in the same process, and the ratio says how the work grows (about 1: bounded,
about 2: linear, 4 or more: quadratic or worse). The tests assert what is returned; this script
shows that it is returned quickly.

    python benchmarks/bounded_work.py [--repeat 3]

Timed by ``time.process_time`` (CPU of this process, best of ``--repeat``) so that the other
processes on the machine count little; the fetch deadline is wall time by nature.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from scraper.errors import ExtractionError, FetchTimeout
from scraper.extract import extract
from scraper.extract.captions import extract_images
from scraper.extract.dateline import split_dateline
from scraper.extract.metadata import PageMetadata
from scraper.fetch import Fetcher, FetchSettings
from tests.httpserver import LoopbackServer, Reply

PROSE = ("The dam will irrigate thousands of hectares of farmland, officials said on "
         "Tuesday, and the work is due to be finished next spring.")


def best(fn: Callable[[], Any], repeat: int) -> float:
    """Least CPU seconds per call over ``repeat`` rounds (of as many calls as make a round
    last 20 ms at least, so that quick cases are not lost in the clock's resolution)."""
    loops = 1
    while True:
        start = time.process_time()
        for _ in range(loops):
            fn()
        first = time.process_time() - start
        if first >= 0.02:
            break
        loops *= 10
    times = [first]
    for _ in range(repeat - 1):
        start = time.process_time()
        for _ in range(loops):
            fn()
        times.append(time.process_time() - start)
    return min(times) / loops


def gallery(slides: int) -> Callable[[], Any]:
    figures = "".join(f'<figure><img src="/s{i}.jpg"><figcaption>Slide number {i}'
                      "</figcaption></figure>" for i in range(slides))
    tree = LexborHTMLParser(f"<article>{figures}</article>")
    scope = tree.css_first("article")
    return lambda: extract_images(tree, scope, PageMetadata(), "https://news.example.com/")


def dateline(copies: int) -> Callable[[], Any]:
    ledes = ["WASHINGTON, " * copies + "x", "New York, Texas, Ohio, " * copies + "x",
             "NEW YORK, March 3, 2024, " * (copies // 2), "AB CD EF GH IJ " * copies]
    return lambda: [split_dateline(lede) for lede in ledes]


def nested(depth: int) -> Callable[[], Any]:
    html = "<div>" * depth + f"<p>{PROSE}</p>"

    def run() -> None:
        try:
            extract(html)
        except ExtractionError:
            return
        raise AssertionError("deep nesting was not refused")

    return run


def big_page(teasers: int) -> Callable[[], Any]:
    filler = "<div class='teaser'><p>" + "filler words here, " * 8 + "</p></div>"
    html = (f"<html><body><article class='story'><h1>Big</h1><p>{PROSE}</p></article>"
            f"<aside>{filler * teasers}</aside></body></html>").encode()
    return lambda: extract(html)


def drip_deadline(deadline: float) -> float:
    """Wall seconds until a fetch of a page dripping for 10 s gives up at ``deadline``."""
    server = LoopbackServer()
    try:
        drip = (b"<html>" if i == 0 else b"x" for i in range(200))
        server.route("/drip", Reply(body=drip, chunk_delay=0.05))
        settings = replace(FetchSettings(), deadline=deadline, max_attempts=1,
                           respect_robots=False, allow_private_networks=True)

        async def go() -> float:
            async with Fetcher(settings) as fetcher:
                start = time.monotonic()
                try:
                    await fetcher.fetch(server.url("/drip"), trusted=True)
                except FetchTimeout:
                    return time.monotonic() - start
                raise AssertionError("the dripping page did not time out")

        return asyncio.run(go())
    finally:
        server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    repeat = parser.parse_args().repeat
    cases: list[tuple[str, Callable[[int], Callable[[], Any]], int]] = [
        ("captions: gallery of n slides", gallery, 2000),
        ("dateline: place-like openings, n copies", dateline, 200),
        ("extract: n nested <div> (refused)", nested, 100_000),
        ("extract: page with n teasers (~20 MB at n)", big_page, 120_000),
    ]
    print(f"{'case':46} {'n':>8} {'cpu ms at n':>12} {'at 2n':>9} {'ratio':>6}")
    for name, build, n in cases:
        one = best(build(n), repeat)
        two = best(build(2 * n), repeat)
        print(f"{name:46} {n:>8} {one * 1000:>12.3f} {two * 1000:>9.3f} {two / one:>6.2f}")
    for deadline in (0.3, 0.6):
        took = drip_deadline(deadline)
        print(f"fetch: 10 s drip, deadline {deadline:g} s: gave up after {took:.2f} s "
              f"(x{took / deadline:.2f} the deadline)")


if __name__ == "__main__":
    main()
