"""News-feed scraper and normalizer.

>>> from scraper import extract
>>> extract("<article><h1>Hi</h1><p>Body.</p></article>").body
'Body.'
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from typing import TYPE_CHECKING

from scraper.errors import (
    ConfigError,
    ExtractionError,
    FeedError,
    FetchError,
    ScraperError,
    StoreError,
)
from scraper.models import Article, ExtractRules, Image, PageFields

if TYPE_CHECKING:
    from scraper.extract import extract

__all__ = [
    "Article",
    "ConfigError",
    "ExtractRules",
    "ExtractionError",
    "FeedError",
    "FetchError",
    "Image",
    "PageFields",
    "ScraperError",
    "StoreError",
    "extract",
]

__version__ = "0.1.0"


class _Package(types.ModuleType):
    """The package, whose ``extract`` is the function, imported on first use.

    The extractor compiles its word lists and patterns at import, most of the start-up of
    ``scraper --help`` and ``scraper status``, which never extract. A plain lazy import is
    not enough: loading the subpackage ``scraper.extract`` binds that name to the
    subpackage, so the binding is ignored here and the name always means the function.
    """

    @property
    def extract(self) -> Callable[..., PageFields]:
        from scraper.extract import extract

        return extract

    @extract.setter
    def extract(self, subpackage: object) -> None:
        pass


sys.modules[__name__].__class__ = _Package
