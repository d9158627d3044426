"""The full chaos run: ``scraper run`` under a kill -9 loop (20 kills mid-poll, pages changing
between kills) and hostile servers, with every promise of the README checked at the end (see
tests/chaos.py; tests/test_chaos.py runs a small version in the test suite).

    PYTHONPATH=. python benchmarks/chaos.py [--kills 20] [--sources 4] [--stories 10]
        [--seed 1] [--work DIR]

Prints a line per kill, then the figures; exits 1 (with the assertion) when a promise broke.
The logs of every run and the output stay in ``--work`` (a temporary folder by default).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from tests.chaos import run_chaos


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--sources", type=int, default=4)
    parser.add_argument("--stories", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, help="folder for the output and the logs")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="scraper-chaos-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"work folder: {work}", flush=True)
    try:
        figures = run_chaos(work, kills=args.kills, sources=args.sources,
                            stories=args.stories, seed=args.seed,
                            progress=lambda text: print(text, flush=True))
    except AssertionError as exc:
        print(f"PROMISE BROKEN: {exc}", file=sys.stderr)
        return 1
    print("\n".join(figures.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
