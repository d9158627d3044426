"""Images of the article with their captions and credits, the lead image first."""

from __future__ import annotations

from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.extract.metadata import PageMetadata
from scraper.extract.text import normalize_space
from scraper.models import Image

__all__ = ["extract_images"]


def extract_images(
    tree: LexborHTMLParser, root: LexborNode | None, meta: PageMetadata, base_url: str | None
) -> list[Image]:
    """Images of the article; ``root`` is the content block (None: the page has none).

    Reads the tree without changing it.
    """
    images: list[Image] = list(meta.images)
    scope = root or tree.root
    for figure in scope.css("figure") if scope is not None else []:
        img = figure.css_first("img")
        src = img.attributes.get("src") if img is not None else None
        cap = figure.css_first("figcaption")
        images.append(
            Image(
                url=urljoin(base_url or "", src) if src else None,
                caption=(normalize_space(cap.text()) or None) if cap is not None else None,
            )
        )
    return images
