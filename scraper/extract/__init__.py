"""Extraction: page HTML in, :class:`~scraper.models.PageFields` out (the page's fields; the
record's identity is the decide step's, ``scraper.records``). Pure: no I/O, no globals.

>>> from scraper.extract import extract
>>> a = extract("<html><body><article><h1>Title</h1><p>Some text.</p></article></body></html>",
...             "https://example.com/a")
>>> a.headline, a.body
('Title', 'Some text.')

The steps, in order: parse (refusing pages nested too deep to parse in bounded time);
read the page's metadata; apply per-source removals; find the content block (or take the
source's ``body`` rule); take the images (the body reader skips figures and captions); read
the block's paragraphs without boilerplate; give a standfirst that opens with a
dateline back to the body as its lede; move the dateline off the lede; assemble the
record.
"""

from __future__ import annotations

from typing import AnyStr
from urllib.parse import urlsplit

from selectolax.lexbor import (
    LexborDocumentOptions,
    LexborHTMLParser,
    LexborNode,
    SelectolaxError,
)

from scraper.encoding import PageText, read_page
from scraper.errors import ExtractionError
from scraper.extract.body import BodyText, ContentBlock, extract_body, find_content_root
from scraper.extract.captions import extract_images
from scraper.extract.dateline import split_dateline
from scraper.extract.metadata import PageMetadata, extract_metadata
from scraper.extract.text import normalize_space
from scraper.models import ExtractRules, Image, PageFields
from scraper.urls import canonicalize, is_http_url

__all__ = ["extract"]


# Lexbor's time grows with the square of the nesting depth of block elements (100k nested
# <div> take half a minute); pages nested deeper than this are refused. Real pages stay
# under a few hundred.
_MAX_NESTING = 5000
# Nesting is estimated only where a sample of the page has this many more start tags than
# end tags per window: a full count would cost a tenth of the parse on every page.
_PROBES = 8
_PROBE_SIZE = 1024
_PROBE_NET_OPEN = 30
_CHUNK = 65536
_VOIDS = (b"<br", b"<img", b"<meta", b"<link", b"<input", b"<hr", b"<wbr", b"<source",
          b"<BR", b"<IMG", b"<META", b"<LINK", b"<INPUT", b"<HR")


def _nesting(data: AnyStr, lt: AnyStr, end: AnyStr) -> int:
    """Estimate of how deep the page nests elements; 0 when a sample shows no sign.

    ``lt`` and ``end`` are "<" and "</" in the type of ``data``.
    """
    size = len(data)
    step = max(_PROBE_SIZE, size // _PROBES)
    for start in range(0, size, step):
        stop = start + _PROBE_SIZE
        opened = data.count(lt, start, stop)
        if (opened > _PROBE_NET_OPEN
                and opened - 2 * data.count(end, start, stop) > _PROBE_NET_OPEN):
            break
    else:
        return 0
    return _depth(data if isinstance(data, bytes) else data.encode("utf-8", "replace"))


def _depth(data: bytes) -> int:
    """The most elements open at once, counted chunk by chunk: start tags minus end tags,
    comments, self-closed and void elements (which never nest)."""
    depth = peak = 0
    for start in range(0, len(data), _CHUNK):
        chunk = data[start:start + _CHUNK]
        closed = chunk.count(b"</")
        depth += (chunk.count(b"<") - 2 * closed - chunk.count(b"<!") - chunk.count(b"/>")
                  - sum(chunk.count(void) for void in _VOIDS))
        peak = max(peak, depth)
    return peak


def _parse(data: bytes | str) -> LexborHTMLParser:
    depth = (_nesting(data, "<", "</") if isinstance(data, str)
             else _nesting(data, b"<", b"</"))
    if depth > _MAX_NESTING:
        raise ExtractionError(
            f"elements nested about {depth} deep (more than {_MAX_NESTING}): not parsed, "
            "since the parser's time grows with the square of the depth")
    try:
        # No DOM mutation events: nothing here listens to them, and dispatching them costs
        # about 2% of the parse (and some of each removal in the body's cleanup).
        return LexborHTMLParser(data, options=LexborDocumentOptions.WO_EVENTS)
    except Exception as exc:  # selectolax raises bare errors on internal failures
        raise ExtractionError(f"could not parse HTML: {exc}") from exc


def _canonical(meta: PageMetadata, url: str | None) -> str | None:
    if meta.canonical_url:
        candidate = canonicalize(meta.canonical_url, url)
        if is_http_url(candidate) and not _front_page_link(candidate, url):
            return candidate
    return canonicalize(url) if url else None


def _front_page_link(candidate: str, url: str | None) -> bool:
    """A canonical link to the site's front page from an article: a template mistake;
    trusting it would give every article of the site one id."""
    if urlsplit(candidate).path != "/":
        return False
    try:
        return not (url and urlsplit(url).path in ("", "/"))
    except ValueError:  # an address that cannot be parsed is no front page
        return True


def _select(tree: LexborHTMLParser, selector: str) -> list[LexborNode]:
    try:
        return tree.css(selector)
    except SelectolaxError as exc:
        raise ExtractionError(f"invalid CSS selector {selector!r} in extract rules") from exc


def _apply_rules_before(tree: LexborHTMLParser, rules: ExtractRules) -> None:
    for selector in rules.remove:
        for node in _select(tree, selector):
            node.decompose()


def _rule_root(tree: LexborHTMLParser, rules: ExtractRules) -> LexborNode | None:
    if not rules.body:
        return None
    nodes = _select(tree, rules.body)
    return nodes[0] if nodes else None


def _rule_headline(tree: LexborHTMLParser, rules: ExtractRules) -> str | None:
    if not rules.headline:
        return None
    nodes = _select(tree, rules.headline)
    return (normalize_space(nodes[0].text()) or None) if nodes else None


def _rule_captions(tree: LexborHTMLParser, rules: ExtractRules, images: list[Image]) -> list[Image]:
    if not rules.caption:
        return images
    captions = [normalize_space(n.text()) for n in _select(tree, rules.caption)]
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
) -> PageFields:
    """Extract the article's fields from a page (``records.one_off(page, url)`` makes the
    record of it).

    ``html`` as bytes is decoded by BOM, then the charset of ``content_type`` (the HTTP
    header, for fetched pages), then ``<meta charset>``, then detection; ``url`` is the
    page's address (resolves relative links; the canonical URL when the page names none);
    ``rules`` are per-source selectors that win over the generic result.
    Raises :class:`~scraper.errors.NotText` when the input is not HTML or text (an image,
    a PDF, empty, binary data), :class:`~scraper.errors.ExtractionError` when it cannot be
    parsed.
    """
    rules = rules or ExtractRules()
    # Lexbor reads UTF-8 bytes itself (decoding here would cost a copy both ways), so
    # they are handed over as they are.
    page = read_page(html, content_type)
    notes = [page.warning] if page.warning else []
    try:
        return _extract(_parse(page.data), url, rules, notes)
    except UnicodeDecodeError:
        # Lexbor keeps bytes that are not valid UTF-8 as they are, and selectolax fails
        # when it reads them back: read such a page again from replaced text.
        if not isinstance(page.data, bytes):
            raise  # pragma: no cover - a str is valid Unicode by construction
        page = PageText.decoded(page.data, page.charset)
        return _extract(_parse(page.data), url, rules, [page.warning] if page.warning else [])


def _extract(tree: LexborHTMLParser, url: str | None, rules: ExtractRules,
             notes: list[str]) -> PageFields:
    meta = extract_metadata(tree, url)
    _apply_rules_before(tree, rules)
    rule_root = _rule_root(tree, rules)
    block = ContentBlock(rule_root) if rule_root is not None else find_content_root(tree, meta)
    root = block.node if block is not None else None
    images = _rule_captions(tree, rules, extract_images(tree, root, meta, url))
    headline = _rule_headline(tree, rules) or meta.headline
    body = extract_body(block, meta, url) if block is not None else BodyText(())
    paragraphs = list(body.paragraphs)
    summary = body.summary
    hint = body.dateline or meta.dateline
    if summary:
        # A standfirst that opens with a dateline is the lede (wire copy's first paragraph
        # often doubles as the page's description): it goes back to the body.
        ledes = paragraphs if paragraphs and paragraphs[0] == summary else [summary, *paragraphs]
        if split_dateline(summary, hint, ledes[1] if len(ledes) > 1 else None)[0]:
            paragraphs, summary = ledes, None
    dateline = None
    if paragraphs:
        dateline, lede = split_dateline(paragraphs[0], hint,
                                        paragraphs[1] if len(paragraphs) > 1 else None)
        paragraphs[0] = lede
        paragraphs = [p for p in paragraphs if p]
    else:
        notes.append("no article text found")
    canonical = _canonical(meta, url)
    text = "\n\n".join(paragraphs)
    return PageFields(
        canonical_url=canonical,
        headline=headline,
        summary=summary,
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
