"""Extraction: page HTML in, :class:`~scraper.models.Article` out. Pure: no I/O, no globals.

>>> from scraper.extract import extract
>>> a = extract("<html><body><article><h1>Title</h1><p>Some text.</p></article></body></html>",
...             "https://example.com/a")
>>> a.headline, a.body
('Title', 'Some text.')

The steps, in order: parse; read the page's metadata; apply per-source removals; find the
content block; take the images (before cleaning, which removes figures); clean the block and
read its paragraphs; move the dateline off the lede; assemble the record.
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.encoding import detect_charset
from scraper.errors import ExtractionError
from scraper.extract.body import BodyText, ContentBlock, extract_body, find_content_root
from scraper.extract.captions import extract_images
from scraper.extract.dateline import split_dateline
from scraper.extract.metadata import PageMetadata, extract_metadata
from scraper.extract.text import normalize_space
from scraper.models import Article, ExtractRules, Image, article_id
from scraper.urls import canonicalize, is_http_url

__all__ = ["extract"]


def _parse(html: bytes | str, content_type: str | None) -> LexborHTMLParser:
    if isinstance(html, bytes):
        charset = detect_charset(html, content_type)
        if charset == "utf-8":
            # Lexbor reads bytes as UTF-8 itself: decoding here would cost a copy both ways.
            data: bytes | str = html
        elif charset == "utf-8-sig":
            data = html[3:]
        else:
            data = html.decode(charset, errors="replace")
    else:
        data = html
    try:
        return LexborHTMLParser(data)
    except Exception as exc:  # selectolax raises bare errors on internal failures
        raise ExtractionError(f"could not parse HTML: {exc}") from exc


def _canonical(meta: PageMetadata, url: str | None) -> str | None:
    if meta.canonical_url:
        candidate = canonicalize(meta.canonical_url, url)
        if is_http_url(candidate):
            return candidate
    return canonicalize(url) if url else None


def _apply_rules_before(tree: LexborHTMLParser, rules: ExtractRules) -> None:
    for selector in rules.remove:
        for node in tree.css(selector):
            node.decompose()


def _rule_root(tree: LexborHTMLParser, rules: ExtractRules) -> LexborNode | None:
    return tree.css_first(rules.body) if rules.body else None


def _rule_headline(tree: LexborHTMLParser, rules: ExtractRules) -> str | None:
    node = tree.css_first(rules.headline) if rules.headline else None
    return (normalize_space(node.text()) or None) if node is not None else None


def _rule_captions(tree: LexborHTMLParser, rules: ExtractRules, images: list[Image]) -> list[Image]:
    if not rules.caption:
        return images
    captions = [normalize_space(n.text()) for n in tree.css(rules.caption)]
    captions = [c for c in captions if c]
    merged = [
        Image(url=img.url, caption=captions[i] if i < len(captions) else img.caption,
              credit=img.credit)
        for i, img in enumerate(images)
    ]
    merged.extend(Image(caption=c) for c in captions[len(images):])
    return merged


def extract(
    html: bytes | str, url: str | None = None, rules: ExtractRules | None = None,
    *, content_type: str | None = None,
) -> Article:
    """Extract the article from a page.

    ``html`` as bytes is decoded by BOM, then the charset of ``content_type`` (the HTTP
    header, for fetched pages), then ``<meta charset>``, then detection; ``url`` is the
    page's address (resolves relative links, gives the id when the page has no canonical
    link); ``rules`` are per-source selectors that win over the generic result.
    Raises :class:`~scraper.errors.ExtractionError` only when the input cannot be parsed.
    """
    rules = rules or ExtractRules()
    tree = _parse(html, content_type)
    notes: list[str] = []
    meta = extract_metadata(tree, url)
    _apply_rules_before(tree, rules)
    rule_root = _rule_root(tree, rules)
    block = ContentBlock(rule_root) if rule_root is not None else find_content_root(tree, meta)
    root = block.node if block is not None else None
    images = _rule_captions(tree, rules, extract_images(tree, root, meta, url))
    headline = _rule_headline(tree, rules) or meta.headline
    body = extract_body(block, meta) if block is not None else BodyText(())
    paragraphs = list(body.paragraphs)
    dateline = None
    if paragraphs:
        dateline, lede = split_dateline(paragraphs[0], meta.dateline)
        paragraphs[0] = lede
        paragraphs = [p for p in paragraphs if p]
    else:
        notes.append("no article text found")
    canonical = _canonical(meta, url)
    key = canonical or url
    text = "\n\n".join(paragraphs)
    return Article(
        id=article_id(key) if key else article_id(text),
        url=url,
        canonical_url=canonical,
        headline=headline,
        summary=body.summary,
        dateline=dateline,
        authors=meta.authors,
        published=meta.published,
        modified=meta.modified,
        language=meta.language,
        section=meta.section,
        tags=meta.tags,
        images=tuple(images),
        body=text,
        paywalled=meta.paywalled,
        notes=tuple(notes),
    )
