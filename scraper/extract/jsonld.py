"""JSON-LD: tolerant parsing of ``<script type="application/ld+json">`` blocks and the
choice of the object that describes the article.

>>> objs = flatten(parse_jsonld('{"@graph": [{"@type": "WebSite"}, '
...                             '{"@type": "NewsArticle", "headline": "Hi",}]}'))
>>> pick_article(objs)["headline"]
'Hi'
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

__all__ = ["flatten", "page_object", "parse_jsonld", "pick_article", "types_of"]

# Types that describe one article, best first; a page with several objects of these types
# (the story plus teasers of related stories) takes the best-ranked, then the first. An
# embedded VideoObject is not the article: its name and upload date are the video's.
_ARTICLE_RANK: dict[str, int] = {
    "newsarticle": 0, "reportagenewsarticle": 0, "analysisnewsarticle": 0,
    "opinionnewsarticle": 0, "reviewnewsarticle": 0, "backgroundnewsarticle": 0,
    "askpublicnewsarticle": 0, "liveblogposting": 0,
    "article": 1, "blogposting": 1, "socialmediaposting": 2, "scholarlyarticle": 1,
    "techarticle": 1, "satiricalarticle": 1, "report": 2, "review": 3, "creativework": 4,
    "webpage": 6, "itempage": 6, "collectionpage": 9, "searchresultspage": 9,
}
_PAGE_TYPES = frozenset({"webpage", "itempage"})

_OPENERS = ("<!--", "<![CDATA[", "//<![CDATA[", "// <![CDATA[")
_CLOSERS = ("-->", "]]>", "//]]>", "// ]]>")
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_DECODER = json.JSONDecoder(strict=False)
# Nesting deeper than this is not metadata; it only costs time (and recursion depth).
_MAX_DEPTH = 12


def _decode_all(text: str) -> tuple[list[Any], bool]:
    """Every JSON value in ``text`` (several may be written one after another), and whether
    the whole text was read."""
    values: list[Any] = []
    pos, end = 0, len(text)
    while pos < end:
        while pos < end and text[pos] in " \t\r\n;,":
            pos += 1
        if pos >= end:
            break
        try:
            value, pos = _DECODER.raw_decode(text, pos)
        except (ValueError, RecursionError):
            return values, False
        values.append(value)
    return values, True


def _unwrap(text: str) -> str:
    """``text`` without the HTML comment or CDATA wrapper some pages put around JSON."""
    text = text.strip()
    if text[:1] in ("{", "[") and text[-1:] in ("}", "]"):
        return text
    for opener in _OPENERS:
        if text.startswith(opener):
            text = text[len(opener):].lstrip()
            break
    for closer in _CLOSERS:
        if text.endswith(closer):
            text = text[:-len(closer)].rstrip()
            break
    return text


def parse_jsonld(text: str) -> list[Any]:
    """The JSON values of one script block; broken JSON is repaired cheaply, never raises.

    Repairs: HTML comment / CDATA wrappers, control characters, trailing commas, several
    objects concatenated. What still does not parse is dropped.
    """
    text = _unwrap(text)
    if not text:
        return []
    try:
        return [_DECODER.decode(text)]
    except (ValueError, RecursionError):
        pass
    values, complete = _decode_all(text)
    if complete:
        return values
    repaired, _ = _decode_all(_TRAILING_COMMA.sub(r"\1", _CONTROL.sub(" ", text)))
    return repaired if len(repaired) > len(values) else values


def types_of(obj: dict[str, Any]) -> tuple[str, ...]:
    """The object's ``@type`` values, lower-cased and without a vocabulary prefix."""
    raw = obj.get("@type")
    if isinstance(raw, str) and "/" not in raw and ":" not in raw:
        return (raw.lower(),)
    items = raw if isinstance(raw, list) else [raw]
    return tuple(t.rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower()
                 for t in items if isinstance(t, str))


def flatten(values: list[Any]) -> list[dict[str, Any]]:
    """All typed objects of the blocks, in document order: arrays, ``@graph`` and a nested
    ``mainEntity`` are opened; other nested objects (authors, images) stay inside."""
    out: list[dict[str, Any]] = []
    for value in values:
        out.extend(_walk(value, 0))
    return out


def _walk(value: Any, depth: int) -> Iterator[dict[str, Any]]:
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, list):
        for item in value:
            yield from _walk(item, depth + 1)
        return
    if not isinstance(value, dict):
        return
    if "@type" in value:
        yield value
    graph = value.get("@graph")
    if graph is not None:
        yield from _walk(graph, depth + 1)
    main = value.get("mainEntity")
    if isinstance(main, (dict, list)):
        yield from _walk(main, depth + 1)


def _rank(obj: dict[str, Any]) -> int:
    ranks = [_ARTICLE_RANK[t] for t in types_of(obj) if t in _ARTICLE_RANK]
    if not ranks:
        return 99
    best = min(ranks)
    # A page object is an article only when it carries an article's fields.
    if best >= 6 and not obj.get("headline") and not obj.get("datePublished"):
        return 99
    return best


def _url_key(url: str) -> str:
    return url.split("://", 1)[-1].split("#", 1)[0].split("?", 1)[0].rstrip("/").lower()


def pick_article(objects: list[dict[str, Any]], *, url: str | None = None,
                 h1: list[str] | None = None) -> dict[str, Any] | None:
    """The object that describes the page's article, or None.

    Best type rank first; among objects of that rank (a story and teasers of related
    ones), the one whose ``url``/``mainEntityOfPage`` is the page's ``url`` or whose
    ``headline`` is an ``h1`` text, else the first.
    """
    best_rank = 99
    tied: list[dict[str, Any]] = []
    for obj in objects:
        rank = _rank(obj)
        if rank < best_rank:
            best_rank, tied = rank, [obj]
        elif rank == best_rank and rank < 99:
            tied.append(obj)
    if len(tied) <= 1:
        return tied[0] if tied else None
    page = _url_key(url) if url else None
    h1_set = {h.strip().casefold() for h in h1 or ()}
    for obj in tied:
        for key in ("url", "mainEntityOfPage", "@id"):
            value = obj.get(key)
            if isinstance(value, dict):
                value = value.get("@id") or value.get("url")
            if page and isinstance(value, str) and _url_key(value) == page:
                return obj
        headline = obj.get("headline")
        if isinstance(headline, str) and headline.strip().casefold() in h1_set:
            return obj
    return tied[0]


def page_object(objects: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The ``WebPage`` object of the page, whose fields fill what the article object lacks."""
    for obj in objects:
        if _PAGE_TYPES.intersection(types_of(obj)):
            return obj
    return None
