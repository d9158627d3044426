"""Feeds: bytes plus response headers in, entries out (feedparser never fetches anything).

Interface contract::

    feed = parse_feed(content, url, headers)     # raises FeedError when unusable
    for entry in feed.entries: entry.entry_id, entry.link ...

feedparser is handed an in-memory stream, never a string: given a ``str`` that looks like a
URL it fetches it (with no timeout), and given ``bytes`` or a ``str`` it first tries to
``open()`` them as a local file name.
"""

from __future__ import annotations

import functools
import hashlib
import io
import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from html import unescape
from typing import Any
from xml.etree import ElementTree
from xml.sax import SAXParseException

import feedparser
import feedparser.api
import feedparser.mixin
import feedparser.urls
from selectolax.lexbor import LexborHTMLParser

from scraper.config import PollSettings
from scraper.errors import FeedError
from scraper.extract.authors import dedupe_names, split_authors
from scraper.extract.dates import normalize_date
from scraper.urls import canonicalize, is_http_url

__all__ = ["FeedEntry", "ParsedFeed", "parse_feed"]


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a feed, normalized."""

    entry_id: str  # GUID/id, else the link
    link: str | None  # absolute, canonicalized
    title: str | None = None
    summary: str | None = None  # plain text
    authors: tuple[str, ...] = ()
    published: str | None = None  # ISO 8601 as extract.dates gives it (the feed's offset)
    updated: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A parsed feed: its entries in feed order, without repeated ids."""

    url: str
    title: str | None
    format: str  # feedparser's version: rss20, atom10, rss10 ...
    entries: tuple[FeedEntry, ...]
    bozo: bool = False
    bozo_reason: str | None = None
    duplicate_ids: int = 0  # entries dropped because their id repeated
    dropped: int = 0  # entries dropped: no link, and no title with an id or a date
    cut: int = 0  # entries not read: beyond the newest ``max_entries``


# Entries read of one feed at most (``settings: max_feed_entries``): feedparser costs about
# a millisecond per entry, so a feed of 50,000 would take a minute; real feeds list tens.
MAX_ENTRIES = PollSettings().max_feed_entries

# feedparser asks xml.sax for drv_libxml2 first on every parse; where it is not installed (it
# never is: it is Python 2's libxml2 binding) the failed import searches sys.path each time,
# about 0.07 ms of the 0.68 a two-item feed costs. Expat, the parser we rely on (safe against
# entity expansion since 2.4), is what xml.sax falls back to anyway.
feedparser.api.PREFERRED_XML_PARSERS = []

# feedparser joins each element's xml:base with the document's base on every start tag
# (urlparse and urljoin, again and again on the same two strings: the feed's URL) and joins
# each link with it: a fifth of the cost of parsing a small feed. Both joins are pure
# functions of their strings (the schemes allowed are a constant), so they are remembered.
feedparser.mixin.make_safe_absolute_uri = functools.lru_cache(maxsize=1024)(
    feedparser.urls.make_safe_absolute_uri)
feedparser.mixin._urljoin = functools.lru_cache(maxsize=1024)(feedparser.urls._urljoin)


def parse_feed(content: bytes, url: str, headers: Mapping[str, str], *,
               max_entries: int = MAX_ENTRIES) -> ParsedFeed:
    """Parse a feed; a bozo feed with entries is returned (bozo set), an unusable one raises.

    ``url`` is the feed's final URL (after redirects): relative links and a relative
    ``xml:base`` are resolved against it. ``headers`` are the response headers (their
    ``Content-Type`` charset is used for decoding). Of a feed with more than
    ``max_entries`` entries only the newest are read (``cut`` counts the others).

    >>> feed = parse_feed(b'<rss version="2.0"><channel><title>T</title><item>'
    ...                   b'<link>/a?utm_source=x</link></item></channel></rss>',
    ...                   "https://example.com/feed", {})
    >>> feed.format, feed.entries[0].link
    ('rss20', 'https://example.com/a')
    """
    if not content.strip():
        raise FeedError(url, "empty response: no feed in it")
    response_headers = {k.lower(): v for k, v in headers.items()}
    # feedparser resolves xml:base against Content-Location; the URL we fetched is the base.
    response_headers["content-location"] = url
    content, cut = _newest(content, max_entries)
    if cut:
        # The cut document is serialized as UTF-8, whatever the response said.
        response_headers["content-type"] = "application/xml; charset=utf-8"
    try:
        result = feedparser.parse(
            io.BytesIO(content),
            response_headers=response_headers,
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    # feedparser promises to report problems through `bozo`, but it is a large parser fed
    # untrusted bytes: anything it still raises is this feed's failure, not the daemon's.
    except Exception as exc:
        raise FeedError(url, f"the feed parser failed: {type(exc).__name__}: {exc}") from exc
    version = str(result.get("version") or "")
    raw_entries = result.get("entries") or []
    problem = result.get("bozo_exception") if result.get("bozo") else None
    reason = _reason(problem) if problem is not None else None
    if not version:
        raise FeedError(url, _not_a_feed(content, problem))

    entries: list[FeedEntry] = []
    seen: set[str] = set()
    duplicates = dropped = 0
    for raw in raw_entries:
        entry = _entry(raw, url, version)
        if entry is None:
            dropped += 1
        elif entry.entry_id in seen:
            duplicates += 1
        else:
            seen.add(entry.entry_id)
            entries.append(entry)
    if not entries and reason is not None:
        raise FeedError(url, f"unusable feed with no entries: {reason}")
    feed_info = result.get("feed") or {}
    return ParsedFeed(
        url=url,
        title=_title(feed_info),
        format=version,
        entries=tuple(entries),
        bozo=reason is not None,
        bozo_reason=reason,
        duplicate_ids=duplicates,
        dropped=dropped,
        cut=cut,
    )


# --- oversized feeds -------------------------------------------------------------------

_ITEM_TAGS = frozenset({"item", "entry"})
# Where RSS, Atom and RDF put an entry's date, in order of preference.
_DATE_TAGS = ("published", "pubDate", "date", "issued", "updated", "modified")
_ITEM_START = re.compile(rb"<(?:[\w-]+:)?(?:item|entry)[\s>/]")
_ITEM_END = re.compile(rb"</(?:[\w-]+:)?(?:item|entry)\s*>")


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _newest(content: bytes, max_entries: int) -> tuple[bytes, int]:
    """``content`` with only its newest ``max_entries`` items, and how many were cut.

    The whole document is read with expat (fast, C, safe against entity expansion since
    2.4) to rank the items by date; feedparser then reads the kept ones. A feed that is not
    well-formed is cut after its first ``max_entries`` items instead.
    """
    count = len(_ITEM_START.findall(content))
    if count <= max_entries:
        return content, 0
    try:
        root = ElementTree.fromstring(content)
    except ElementTree.ParseError:
        ends = list(itertools.islice(_ITEM_END.finditer(content), max_entries))
        if len(ends) < max_entries:
            return content, 0
        return content[:ends[-1].end()], count - max_entries
    items = [(parent, child) for parent in root.iter() for child in parent
             if _local(child.tag) in _ITEM_TAGS]
    if len(items) <= max_entries:
        return content, 0
    # Newest first; undated items after dated ones, each group in document order.
    ranked = sorted(range(len(items)), key=lambda i: (_instant(items[i][1]), -i),
                    reverse=True)
    cut = {id(items[index][1]) for index in ranked[max_entries:]}
    # One pass per parent: Element.remove searches the children, which made this quadratic.
    for parent in {id(p): p for p, _ in items}.values():
        parent[:] = [child for child in parent if id(child) not in cut]
    return (ElementTree.tostring(root, encoding="utf-8", xml_declaration=True),
            len(items) - max_entries)


_NO_DATE = datetime.min.replace(tzinfo=UTC)


def _instant(item: ElementTree.Element) -> datetime:
    dates = {_local(child.tag): child.text for child in item}
    for tag in _DATE_TAGS:
        text = dates.get(tag)
        value = normalize_date(text) if text else None
        if value is None:
            continue
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            continue
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return _NO_DATE


# --- feed-level helpers ----------------------------------------------------------------


def _reason(exc: object) -> str:
    if isinstance(exc, SAXParseException):
        # str() would start with "<unknown>:" (the stream has no name).
        return f"{exc.getMessage()} at line {exc.getLineNumber()}, column {exc.getColumnNumber()}"
    text = str(exc).strip()
    return text or type(exc).__name__


_HTML_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b",
                         re.IGNORECASE | re.DOTALL)


def _not_a_feed(content: bytes, problem: object) -> str:
    head = content[:2048].lstrip(b"\xef\xbb\xbf")
    if _HTML_START.match(head):
        return "not a feed: the response is an HTML page"
    # Other bozo reasons ("no Content-type specified") would mislead when the trouble is
    # that the document is not a feed at all.
    if isinstance(problem, SAXParseException):
        return f"not a feed: the response is not well-formed XML ({_reason(problem)})"
    return "not a feed: no RSS, Atom or RDF document in the response"


def _title(data: object) -> str | None:
    value = _get(data, "title")
    if not isinstance(value, str):
        return None
    detail = _get(data, "title_detail") or {}
    if "html" in str(_get(detail, "type") or ""):
        return _html_text(value)
    return _squash(value)


# --- entries ---------------------------------------------------------------------------


def _get(data: object, key: str) -> Any:
    # dict.get, not FeedParserDict.get: the latter maps `updated` to `published` (with a
    # DeprecationWarning) and `description` to `summary`, which would blur the fields.
    return dict.get(data, key) if isinstance(data, dict) else None


def _entry(raw: object, feed_url: str, version: str) -> FeedEntry | None:
    link = _link(raw, feed_url)
    title = _title(raw)
    updated = _date(raw, "updated")
    published = _date(raw, "published")
    if published is None and version.startswith("rss"):
        # feedparser files dc:date under `updated`; in RSS (RDF feeds above all) it is the
        # publication date. Atom's `updated` is a revision time and is not used this way.
        published = updated
    guid = _get(raw, "id")
    guid = guid.strip() if isinstance(guid, str) and guid.strip() else None
    if link is not None:
        entry_id = guid or link
    elif title is None:
        return None  # nothing a reader could use
    elif guid is not None:
        entry_id = guid
    elif published is not None:
        # With neither id nor link, title and date are what identifies the item across polls;
        # a title alone would merge distinct items ("Live updates").
        entry_id = _content_hash_id(title, published)
    else:
        return None
    summary = _summary(raw)
    if summary is not None and title is not None and summary.casefold() == title.casefold():
        summary = None  # a description that repeats the title is no standfirst
    return FeedEntry(
        entry_id=entry_id,
        link=link,
        title=title,
        summary=summary,
        authors=_authors(raw),
        published=published,
        updated=updated,
        tags=_tags(raw),
    )


def _link(raw: object, feed_url: str) -> str | None:
    candidates: list[object] = [_get(raw, "link")]
    for item in _get(raw, "links") or []:
        if _get(item, "rel") in (None, "alternate"):
            candidates.append(_get(item, "href"))
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.strip():
            url = canonicalize(candidate, feed_url)
            if is_http_url(url):  # a malformed URL (an unbalanced IPv6 bracket) is not
                return url
    return None


def _summary(raw: object) -> str | None:
    # feedparser copies an entry's full content into `summary` when there is no summary of
    # its own; that is the article text, not a standfirst, so it is only used when the
    # entry had a real summary/description (summary_detail is only set for those).
    detail = _get(raw, "summary_detail")
    value = _get(raw, "summary")
    if not isinstance(detail, dict) or not isinstance(value, str):
        return None
    if "html" not in str(_get(detail, "type") or "") and not _TAG.search(value):
        text = _squash(value[:_MAX_HTML])
    else:
        text = _html_text(value)
        if text and _TAG.search(text):  # escaped twice: the first pass uncovered the tags
            text = _html_text(text)
    return _squash(_strip_trailer(text)) if text else None


def _strip_trailer(text: str) -> str:
    # Only the tail can hold a trailer; searching it alone bounds the regex's work on a
    # long summary.
    cut = max(0, len(text) - _TRAILER_SPAN)
    return text[:cut] + _TRAILER.sub("", text[cut:])


# Link texts and CMS footers that feeds append to every summary (the Guardian's "Continue
# reading...", WordPress's "The post X appeared first on Y."): they are not the standfirst.
_TRAILER = re.compile(
    r"(?:\s*(?:continue reading|read more|read the full (?:story|article)|\(more\u2026\))"
    r"\s*(?:\.\.\.|\u2026|\u00bb|\u2192|>>)?"
    r"|\s*the post .{1,300}? appeared first on .{1,200}?)\s*$",
    re.IGNORECASE | re.DOTALL,
)
_TRAILER_SPAN = 600  # longer than the longest trailer _TRAILER matches (about 550)


def _tags(raw: object) -> tuple[str, ...]:
    terms = []
    for tag in _get(raw, "tags") or []:
        term = _get(tag, "term")
        if isinstance(term, str):
            terms.append(term)
    return dedupe_names(tag for tag in map(_squash, terms) if tag)


# --- dates and authors: the page's normalizer, so that a feed and a page agree ----------


def _date(raw: object, key: str) -> str | None:
    # The text as the feed wrote it, not feedparser's reading of it (``*_parsed``): that one
    # knows other zone names than the page's reader and drops the time of some forms.
    text = _get(raw, key)
    return normalize_date(text) if isinstance(text, str) else None


# A longer "name" is not a byline (and reading it costs time on untrusted input).
_MAX_BYLINE = 300


def _authors(raw: object) -> tuple[str, ...]:
    names: list[str] = []
    for author in _get(raw, "authors") or []:
        name = _get(author, "name")
        if isinstance(name, str):
            names.append(name)
    author = _get(raw, "author")
    if not names and isinstance(author, str):
        names.append(author)
    return dedupe_names(name for value in names if len(value) <= _MAX_BYLINE
                        for name in split_authors(value))


# --- text ------------------------------------------------------------------------------

_BLOCK_TAG = re.compile(
    r"<(/?)(p|div|br|li|ul|ol|h[1-6]|tr|td|th|table|blockquote|section|article|figure"
    r"|figcaption|header|footer|pre|hr|dd|dt)\b",
    re.IGNORECASE,
)
# Feeds that escape their HTML twice deliver it as "plain text"; tags in it are still tags.
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_SPACE = re.compile(r"\s+")
# Lexbor's parse time grows with the square of the nesting depth (100k nested <div>: 12 s),
# and a feed is untrusted input parsed with the daemon waiting: cap the size, and strip the
# tags of a fragment with too many of them instead of building a tree.
_MAX_HTML = 64 * 1024
_MAX_TAGS = 4000
_ANY_TAG = re.compile(r"<[^<>]*(?:>|$)")


def _squash(text: str) -> str | None:
    text = _SPACE.sub(" ", text).strip()
    return text or None


def _html_text(html: str) -> str | None:
    """Plain text of an HTML fragment, block boundaries kept as spaces."""
    html = html[:_MAX_HTML]
    if "<" not in html and "&" not in html:
        return _squash(html)
    if html.count("<") > _MAX_TAGS:
        text = _ANY_TAG.sub(" ", html)
        return _squash(unescape(text))
    # A space before each block tag so "<p>a</p><p>b</p>" reads "a b", not "ab".
    tree = LexborHTMLParser(_BLOCK_TAG.sub(r" <\1\2", html))
    for node in tree.css("script, style, noscript, template"):
        node.decompose()
    body = tree.body
    return _squash(body.text(deep=True) if body is not None else "")



def _content_hash_id(title: str | None, published: str | None) -> str:
    return "sha256:" + hashlib.sha256(f"{title}\n{published}".encode()).hexdigest()[:32]
