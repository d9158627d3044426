"""Finding the main content block and reading its paragraphs in order."""

from __future__ import annotations

from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.extract.cleanup import remove_boilerplate
from scraper.extract.metadata import PageMetadata
from scraper.extract.text import normalize_space

__all__ = ["BodyText", "extract_body", "find_content_root"]


@dataclass(frozen=True, slots=True)
class BodyText:
    """The body's paragraphs, and the standfirst if one was found in the page."""

    paragraphs: tuple[str, ...]
    summary: str | None = None


def find_content_root(tree: LexborHTMLParser, meta: PageMetadata) -> LexborNode | None:
    """The element that holds the article's text, or None when the page has none."""
    return tree.css_first("article") or tree.body


def extract_body(root: LexborNode, meta: PageMetadata) -> BodyText:
    """Clean ``root`` (in place) and return its paragraphs in reading order."""
    remove_boilerplate(root)
    paragraphs = []
    for node in root.css("p, h2, h3, li, blockquote"):
        text = normalize_space(node.text())
        if text:
            paragraphs.append(text)
    return BodyText(tuple(paragraphs))
