"""News-feed scraper and normalizer.

>>> from scraper import extract
>>> extract("<article><h1>Hi</h1><p>Body.</p></article>").body
'Body.'
"""

from __future__ import annotations

from scraper.errors import (
    ConfigError,
    ExtractionError,
    FeedError,
    FetchError,
    ScraperError,
    StoreError,
)
from scraper.extract import extract
from scraper.models import Article, ExtractRules, Image

__all__ = [
    "Article",
    "ConfigError",
    "ExtractRules",
    "ExtractionError",
    "FeedError",
    "FetchError",
    "Image",
    "ScraperError",
    "StoreError",
    "extract",
]

__version__ = "0.1.0"
