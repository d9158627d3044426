"""Fetching over HTTP: the :class:`Fetcher` and its settings, the package's one facade.

The modules behind it each own one part of a fetch: ``client`` (the fetcher: redirects,
retries, deadlines), ``content`` (bounded decompression, content sniffing), ``netguard``
(the private-address check at connect time), ``robots`` (robots.txt rules and cache),
``politeness`` (per-host slots and delays) and ``failures`` (error wording)::

    async with Fetcher(FetchSettings(per_host_delay=0.5)) as fetcher:
        result = await fetcher.fetch("https://example.com/news", kind="page", trusted=True)
"""

from __future__ import annotations

from scraper.config import DEFAULT_USER_AGENT, FetchSettings
from scraper.fetch.client import Fetcher, FetchResult

__all__ = ["DEFAULT_USER_AGENT", "FetchResult", "FetchSettings", "Fetcher"]
