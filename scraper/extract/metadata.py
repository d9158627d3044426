"""Article metadata from JSON-LD, Open Graph / article:* meta, Twitter cards, microdata,
``<time>`` elements and the visible page."""

from __future__ import annotations

from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

from scraper.extract.text import normalize_space
from scraper.models import Image

__all__ = ["PageMetadata", "extract_metadata"]


@dataclass(frozen=True, slots=True)
class PageMetadata:
    """What the page says about itself, before the body is read."""

    headline: str | None = None
    summary: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None
    modified: str | None = None
    language: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    canonical_url: str | None = None
    paywalled: bool | None = None
    dateline: str | None = None
    site_name: str | None = None
    images: tuple[Image, ...] = ()


def _meta(tree: LexborHTMLParser, key: str) -> str | None:
    node = tree.css_first(f'meta[property="{key}"], meta[name="{key}"]')
    if node is None:
        return None
    return normalize_space(node.attributes.get("content")) or None


def extract_metadata(tree: LexborHTMLParser, url: str | None) -> PageMetadata:
    """Read the page's metadata; ``url`` resolves relative links."""
    h1 = tree.css_first("h1")
    headline = (normalize_space(h1.text()) if h1 is not None else "") or _meta(tree, "og:title")
    canonical = tree.css_first('link[rel="canonical"]')
    html = tree.css_first("html")
    return PageMetadata(
        headline=headline or None,
        summary=_meta(tree, "description"),
        published=_meta(tree, "article:published_time"),
        canonical_url=canonical.attributes.get("href") if canonical is not None else None,
        language=html.attributes.get("lang") if html is not None else None,
    )
