"""A worker function whose module is hard to import in a worker process, as the environment
variable WORKER_START says: ``hang`` never finishes the import (the start-up bound), ``fail``
raises (a start-up error), ``slow`` takes 1.5 s, as starting a worker can on a loaded
machine. In the test process itself the module imports at once, so that the function can be
handed to the pool."""

from __future__ import annotations

import multiprocessing
import os
import threading

from scraper.extract import extract as _extract
from scraper.models import ExtractRules, PageFields

if multiprocessing.parent_process() is not None:
    _MODE = os.environ.get("WORKER_START")
    if _MODE == "fail":
        raise ImportError("the extractor cannot be imported here")
    if _MODE == "hang":
        threading.Event().wait()  # never set: the worker never says it is ready
    if _MODE == "slow":
        threading.Event().wait(1.5)


def extract(html: bytes, url: str | None = None, rules: ExtractRules | None = None,
            *, content_type: str | None = None) -> PageFields:
    """The extractor, in a worker that was slow (or unable) to start."""
    return _extract(html, url, rules, content_type=content_type)


def loaded_modules(html: bytes, url: str | None = None, rules: ExtractRules | None = None,
                   *, content_type: str | None = None) -> PageFields:
    """The modules the worker has loaded, one per line of the body."""
    import sys

    return PageFields(canonical_url=url, body="\n".join(sorted(sys.modules)))
