"""Article metadata from JSON-LD, Open Graph / ``article:*`` meta, Twitter cards, Dublin
Core and other ``<meta>`` conventions, ``itemprop`` microdata, ``<time>`` elements and the
visible page.

The budget is a fraction of a millisecond per page, so the tree is read in few queries:
the head's meta, link, title and JSON-LD elements; one query over the body for its h1
elements and JSON-LD, unless the head's JSON-LD already gives the article's headline;
and, only when the metadata leaves the author or the date unknown, a search for bylines
or printed dates near the headline.

>>> from selectolax.lexbor import LexborHTMLParser
>>> page = LexborHTMLParser('<html lang="en_gb"><head>'
...     '<meta property="og:title" content="Storm hits coast | Example News">'
...     '<meta property="og:site_name" content="Example News">'
...     '<meta property="article:published_time" content="2024-04-28T14:26:01+02:00">'
...     '<meta name="author" content="By Jane Doe and John Smith">'
...     '</head><body><h1>Storm hits coast</h1></body></html>')
>>> meta = extract_metadata(page, "https://example.com/a")
>>> meta.headline, meta.published, meta.authors, meta.language
('Storm hits coast', '2024-04-28T14:26:01+02:00', ('Jane Doe', 'John Smith'), 'en-GB')
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.extract.authors import dedupe_names, has_byline_word, split_authors
from scraper.extract.dates import date_line, normalize_date, update_line, url_date
from scraper.extract.headline import Site, choose_headline, clean_title
from scraper.extract.jsonld import flatten, page_object, parse_jsonld, pick_article, types_of
from scraper.extract.tags import ancestor_with_tag, tag_ids
from scraper.extract.text import fold, has_digit, normalize_space
from scraper.models import Image
from scraper.urls import absolute, canonicalize, hostname

__all__ = ["PageMetadata", "extract_metadata"]


@dataclass(frozen=True, slots=True)
class PageMetadata:
    """What the page says about itself, before the body is read.

    ``summary`` is the page's description (meta/Open Graph/JSON-LD), a candidate standfirst
    that the body step may use; ``dek`` is set only when the page marks a real standfirst
    (JSON-LD ``alternativeHeadline`` or ``abstract``). ``dateline`` is a hint from JSON-LD
    (dateline markup at the start of the lede is read by the body step, which meets it).
    ``images`` holds the lead image (URL resolved against the page, with the caption and
    credit that the metadata gives). ``site_name`` is the name the site gives itself.
    """

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
    dek: str | None = None


# The head is small: a few queries on it cost little. The body is queried at most once,
# for its h1 elements and JSON-LD only: each selector added to a full-tree query costs as
# much again, so microdata, <time> elements and bylines are looked for near the headline,
# and only when the metadata leaves the field empty. Meta tags in the body (left there by
# a broken head) are read only when the head has almost none.
_BODY_SELECTOR = 'h1, script[type="application/ld+json"]'
_BODY_SELECTOR_THIN_HEAD = 'h1, script[type="application/ld+json"], meta[content]'
_THIN_HEAD_METAS = 4
# Bylines and printed dates are looked for near the headline only (in the subtree of an
# ancestor of the h1, widening step by step): cheaper than the whole page, and it keeps
# the bylines and dates of teasers out. A byline element has a class holding one of
# _BYLINE_CLASS_WORDS, or rel="author", or itemprop="author"; a date element is a <time>,
# has itemprop datePublished or dateCreated, or a class holding one of _DATE_CLASS_WORDS.
# Each selector of a list costs a walk of the subtree, so the queries are wider than that
# (one selector for "byline" and "Byline": "yline"), and _is_byline and _is_date drop
# the few matches that only the wider selectors take ("skyline", "template").
_BYLINE_SELECTOR = (
    '[class*="yline"], [class*="uthor"], [class*="utor"], [class*="meta"], [class*="info"], '
    '[rel~="author"], [itemprop~="author"]'
)
_BYLINE_CLASS_WORDS = ("byline", "Byline", "author", "Author", "autor", "Autor", "meta", "info")
_DATE_SELECTOR = (
    'time, [itemprop*="date"], [class*="ate"], [class*="ime"], [class*="meta"], '
    '[class*="info"], [class*="byline"]'
)
# The element HTML has for a date: one walk of the subtree near the headline, where
# _DATE_SELECTOR's seven take about seven times as long (its test runs on every page
# with a published time in its metadata).
_DATE_ELEMENT_SELECTOR = "time"
_DATE_CLASS_WORDS = ("date", "Date", "time", "Time", "meta", "info", "byline")
_DATE_ITEMPROPS = frozenset({"datePublished", "dateCreated"})
# What separates the words of an attribute for CSS's ``~=``.
_CSS_SPACE = re.compile(r"[ \t\n\r\f]+")
_NAIVE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
_TITLE_DATE = re.compile(r"[|–—-]\s*(\d{1,2}\.\d{1,2}\.\d{4}|\d{4}-\d{2}-\d{2})\s*$")
# How far up from the h1 the search for a byline or a date goes.
_NEAR_H1_LEVELS = 3
# Parent steps spent placing the matches near the h1 in levels (a few hundred on real
# pages), past which the levels are queried one by one.
_MAX_WALK_UP = 4000

_PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "article:published",
    "datepublished", "og:published_time", "published_time", "parsely-pub-date",
    "sailthru.date", "dc.date.issued", "dcterms.issued", "dc.date.created",
    "dcterms.created", "date.created", "publishdate", "publish-date", "publish_date",
    "pubdate", "article.published", "article_date_original", "cxenseparse:recs:publishtime",
    "originalpublicationdate", "dc.date", "dcterms.date", "date",
)
_MODIFIED_META = (
    "article:modified_time", "og:article:modified_time", "datemodified", "og:updated_time",
    "article:updated_time", "dcterms.modified", "dc.date.modified", "last-modified",
    "lastmod", "article.updated",
)
_AUTHOR_META = (
    "author", "article:author", "og:article:author", "parsely-author", "sailthru.author",
    "dc.creator", "dcterms.creator", "byl", "cxenseparse:author", "article.author",
)
_SECTION_META = (
    "article:section", "og:article:section", "parsely-section", "section",
    "cxenseparse:recs:category", "article.section",
)
_TAG_META = ("article:tag", "og:article:tag", "news_keywords", "parsely-tags",
             "sailthru.tags", "keywords")
_DESCRIPTION_META = ("description", "og:description", "twitter:description",
                     "dc.description", "dcterms.description")
_SITE_META = ("og:site_name", "application-name", "apple-mobile-web-app-title")
_IMAGE_META = ("og:image", "og:image:url", "og:image:secure_url", "twitter:image",
               "twitter:image:src")
_PAYWALL_TIERS = {"locked": True, "metered": True, "premium": True, "paid": True,
                  "subscriber": True, "free": False, "open": False}
_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})
_LANG = re.compile(r"^([a-zA-Z]{2,3})(?:[-_]([a-zA-Z]{2}|\d{3}|[a-zA-Z]{4}))?(?:[-_].*)?$")
_TAG_SPLIT = re.compile(r"\s*[,;]\s*")
# Internal codes some CMSs put among keywords: ids ("98be933f-38cf-..."), paths
# ("sections/sverige"), prefixed labels ("Category:News"); "COVID-19: Impfung" stays.
_TAG_CODE = re.compile(r"^(?:[0-9a-f]{8,}(?:-[0-9a-f]+)*|\S+/\S+|[\w-]+:\S+)$", re.IGNORECASE)
# A section written as a slug or a path: "news_news", "Deportes/formula-1".
_SLUG = re.compile(r"^[^\s]*[_/][^\s]*$")
_MAX_TAGS = 30
_MAX_TAG_CHARS = 60
# How many h1 elements are worth reading: pages with more use them for teasers.
_MAX_H1 = 6
_PERSON_TYPES = frozenset({"person"})
_PARENS = re.compile(r"\s*\([^)]*\)")
# A site name has at most this many words; more is a sentence (a misplaced headline).
_MAX_SITE_WORDS = 6
# A standfirst is a sentence: shorter, it is a label or another headline.
_MIN_DEK_WORDS = 8


@dataclass(slots=True)
class _Signals:
    """What the page's nodes say."""

    meta: dict[str, list[str]] = field(default_factory=dict)
    canonical: str | None = None
    title: str | None = None
    h1: list[str] = field(default_factory=list)
    h1_node: LexborNode | None = None
    jsonld: list[str] = field(default_factory=list)


def _read_metas(nodes: list[LexborNode], meta: dict[str, list[str]]) -> None:
    """``<meta content>`` elements into ``meta``: name (lower-cased) -> contents."""
    for node in nodes:
        attrs = node.attributes
        key = attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or attrs.get(
            "http-equiv")
        if not key:
            continue
        key = key.lower().strip()
        values = meta.get(key)
        content = attrs.get("content") or ""
        if values is None:
            meta[key] = [content]
        else:
            values.append(content)


# The head's elements are sorted by numeric tag id, which costs a fifth of reading the
# tag name; one query for all of them saves three queries' fixed cost (a few µs each).
_HEAD_SELECTOR = (
    'meta[content], script[type="application/ld+json"], link[rel~="canonical"], title'
)
_IDS = tag_ids({"meta", "script", "link", "h1", "a", "body", "html", "figure", "figcaption",
                "picture", "img", "style", "article", "main", "section", "svg", "time",
                "-text", "nav", "footer", "aside", "noscript", "template", "button",
                "select", "option", "textarea"})
_META_ID = _IDS["meta"]
_SCRIPT_ID = _IDS["script"]
_LINK_ID = _IDS["link"]
_H1_ID = _IDS["h1"]
_A_ID = _IDS["a"]
_PAGE_IDS = frozenset({_IDS["body"], _IDS["html"]})
_FIGURE_IDS = frozenset({_IDS["figure"], _IDS["figcaption"], _IDS["picture"]})
_A_IDS = frozenset({_A_ID})
_TIME_ID = _IDS["time"]
# A byline this close under a figure is a photographer's, not the writer's; a date this
# close under a link belongs to a teaser of another article.
_FIGURE_LEVELS = 5
_LINK_LEVELS = 4


def _read_head(tree: LexborHTMLParser, sig: _Signals) -> None:
    head = tree.head
    if head is None:
        return
    metas: list[LexborNode] = []
    link = title = None
    for node in head.css(_HEAD_SELECTOR):
        tag = node.tag_id
        if tag == _META_ID:
            metas.append(node)
        elif tag == _SCRIPT_ID:
            sig.jsonld.append(node.text())
        elif tag == _LINK_ID:
            link = link or node
        else:
            title = title or node
    _read_metas(metas, sig.meta)
    if link is not None:
        sig.canonical = link.attributes.get("href")
    if title is not None:
        sig.title = title.text()


def _read_body(tree: LexborHTMLParser, sig: _Signals) -> None:
    body = tree.body
    if body is None:
        return
    thin_head = len(sig.meta) < _THIN_HEAD_METAS
    h1: list[str] = []
    metas: list[LexborNode] = []
    for node in body.css(_BODY_SELECTOR_THIN_HEAD if thin_head else _BODY_SELECTOR):
        tag = node.tag_id
        if tag == _H1_ID:
            if len(h1) < _MAX_H1:
                text = normalize_space(node.text())
                if text:
                    h1.append(text)
                    if sig.h1_node is None:
                        sig.h1_node = node
        elif tag == _SCRIPT_ID:
            sig.jsonld.append(node.text())
        else:
            metas.append(node)
    _read_metas(metas, sig.meta)
    sig.h1 = h1


def _near_h1(h1: LexborNode | None, selector: str, levels: int = _NEAR_H1_LEVELS
             ) -> list[LexborNode]:
    """Nodes matching ``selector`` near the headline, nearest first: in the subtree of the
    h1's parent, then of each ancestor above it (a few levels), each node once; none
    without an h1 (the whole page would be slow to search and full of teasers)."""
    if h1 is None:
        return []
    ancestors: list[LexborNode] = []
    node = h1.parent
    while node is not None and len(ancestors) < levels and node.tag_id not in _PAGE_IDS:
        ancestors.append(node)
        node = node.parent
    if not ancestors:
        return []
    # One query on the widest subtree: each selector of a list costs a walk of its own, so
    # querying every level's subtree would walk the inner ones again. The matches are few;
    # each goes to the nearest ancestor that holds it, found by walking up from it. Matches
    # nested deep in one another would make that walk quadratic: past a budget of steps,
    # each level's subtree is queried instead.
    found = ancestors[-1].css(selector)
    if len(ancestors) == 1:
        return found
    level_of = {ancestor.mem_id: level for level, ancestor in enumerate(ancestors)}
    by_level: list[list[LexborNode]] = [[] for _ in ancestors]
    steps = 0
    for match in found:
        up: LexborNode | None = match
        while up is not None:
            level = level_of.get(up.mem_id)
            if level is not None:
                by_level[level].append(match)
                break
            steps += 1
            if steps > _MAX_WALK_UP:
                return _near_h1_by_level(ancestors, selector)
            up = up.parent
    return [match for level in by_level for match in level]


def _near_h1_by_level(ancestors: list[LexborNode], selector: str) -> list[LexborNode]:
    """What _near_h1 gives, by one query per ancestor (linear in the subtrees' size)."""
    seen: set[int] = set()
    nodes: list[LexborNode] = []
    for ancestor in ancestors:
        for found in ancestor.css(selector):
            key = found.mem_id
            if key not in seen:
                seen.add(key)
                nodes.append(found)
    return nodes


def _is_byline(attrs: dict[str, str | None]) -> bool:
    """The attributes of a byline element (see _BYLINE_SELECTOR)."""
    cls = attrs.get("class")
    if cls and any(word in cls for word in _BYLINE_CLASS_WORDS):
        return True
    rel = attrs.get("rel")
    # HTML compares rel values case-insensitively; lower() maps no other letter to these.
    if rel and "author" in _CSS_SPACE.split(rel.lower()):
        return True
    itemprop = attrs.get("itemprop")
    return itemprop is not None and "author" in _CSS_SPACE.split(itemprop)


def _is_date(node: LexborNode, attrs: dict[str, str | None]) -> bool:
    """A date element (see _DATE_SELECTOR)."""
    if node.tag_id == _TIME_ID:
        return True
    itemprop = attrs.get("itemprop")
    if itemprop and not _DATE_ITEMPROPS.isdisjoint(_CSS_SPACE.split(itemprop)):
        return True
    cls = attrs.get("class")
    return cls is not None and any(word in cls for word in _DATE_CLASS_WORDS)


def _first(meta: dict[str, list[str]], keys: Iterable[str]) -> str | None:
    for key in keys:
        values = meta.get(key)
        if values:
            for value in values:
                text = normalize_space(value)
                if text:
                    return text
    return None


def _text(value: Any) -> str | None:
    """A JSON-LD value as text: strings as they are, the first of a list, an object's name."""
    if isinstance(value, str):
        return normalize_space(value) or None
    if isinstance(value, list):
        for item in value:
            text = _text(item)
            if text:
                return text
        return None
    if isinstance(value, dict):
        return _text(value.get("name")) or _text(value.get("@value"))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _resolve(value: Any, ids: dict[str, dict[str, Any]]) -> Any:
    """An ``{"@id": ...}`` reference replaced by the object it names in the same graph."""
    if isinstance(value, dict) and len(value) <= 2 and "@id" in value and "@type" not in value:
        return ids.get(str(value["@id"]), value)
    return value


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


class _Page:
    """The page being read: its signals, JSON-LD objects and the article object."""

    def __init__(self, tree: LexborHTMLParser, url: str | None) -> None:
        self.tree = tree
        self.url = url
        self._canonical: str | None = None
        self.sig = _Signals()
        self.body_read = False
        self._h1_looked_up = False
        self.objects: list[dict[str, Any]] = []
        self._jsonld_parsed = 0
        _read_head(tree, self.sig)
        self._parse_jsonld()
        headline = self.article.get("headline") if self.article is not None else None
        if not isinstance(headline, str) or not headline.strip() or headline.rstrip().endswith(
                ("...", "…")):
            self.read_body()

    def _parse_jsonld(self) -> None:
        # Blocks already parsed (the head's, when the body is read later) are not parsed
        # again: their objects are kept, and the article is chosen anew among all.
        objects = self.objects
        for text in self.sig.jsonld[self._jsonld_parsed:]:
            objects.extend(flatten(parse_jsonld(text)))
        self._jsonld_parsed = len(self.sig.jsonld)
        self.ids = _index(objects)
        self.article = pick_article(objects, url=self.canonical or self.url, h1=self.sig.h1)

    def read_body(self) -> None:
        """Read the body's h1 elements and JSON-LD (once). Pages whose head holds the
        article's JSON-LD with a whole headline skip this: the h1 seldom changes the choice
        then, and JSON-LD in their body describes other things."""
        if self.body_read:
            return
        self.body_read = True
        count = len(self.sig.jsonld)
        _read_body(self.tree, self.sig)
        if len(self.sig.jsonld) > count:
            self._parse_jsonld()

    def h1_node(self) -> LexborNode | None:
        """The first h1 with text: from the body's signals, else from a query that stops at
        the first h1."""
        sig = self.sig
        if not self.body_read and not self._h1_looked_up:
            self._h1_looked_up = True
            body = self.tree.body
            node = body.css_first("h1") if body is not None else None
            if node is not None and normalize_space(node.text()):
                sig.h1_node = node
        return sig.h1_node

    @cached_property
    def _here(self) -> frozenset[str]:
        # The page's own addresses, canonical and as fetched, without a trailing slash.
        return frozenset(canonicalize(address).rstrip("/")
                         for address in (self.url, self.canonical) if address)

    def links_here(self, link: LexborNode) -> bool:
        """Whether the link ``link`` (an ``<a>``) goes to this page itself."""
        attrs = link.attributes
        if attrs.get("aria-current") == "page":
            return True
        href = attrs.get("href")
        if not href or not self._here:
            return False
        return canonicalize(href, self.url).rstrip("/") in self._here

    @cached_property
    def language(self) -> str | None:
        """The page's language tag ("en-US", "de"), as its markup gives it."""
        return _language(self)

    @cached_property
    def month_first(self) -> bool:
        """Whether the page is written for the United States (its language's region),
        where a slash date such as "8/1/2025" gives the month first."""
        return (self.language or "").endswith("-US")

    @property
    def canonical(self) -> str | None:
        """The page's canonical link (else og:url), absolute."""
        if self._canonical is None:
            raw = normalize_space(self.sig.canonical) or _first(self.sig.meta, ("og:url",))
            self._canonical = absolute(raw, self.url) or ""
        return self._canonical or None


# -- fields ---------------------------------------------------------------------------


def _index(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    ids: dict[str, dict[str, Any]] = {}
    for obj in objects:
        key = obj.get("@id")
        if isinstance(key, str) and key not in ids:
            ids[key] = obj
    return ids


def _ld_authors(article: dict[str, Any], ids: dict[str, dict[str, Any]]
                ) -> tuple[list[str], list[str]]:
    """(people, organisations) named as the article's authors."""
    people: list[str] = []
    orgs: list[str] = []
    for raw in _as_list(article.get("author")) or _as_list(article.get("creator")):
        item = _resolve(raw, ids)
        if isinstance(item, str):
            people.extend(split_authors(item))
            continue
        if not isinstance(item, dict):
            continue
        name = item.get("name")
        if not name and (item.get("givenName") or item.get("familyName")):
            name = f"{_text(item.get('givenName')) or ''} {_text(item.get('familyName')) or ''}"
        names = [n for v in _as_list(name) if isinstance(v, str) for n in split_authors(v)]
        types = types_of(item)
        if types and not _PERSON_TYPES.intersection(types):
            orgs.extend(names)
        else:
            people.extend(names)
    return people, orgs


def _authors(page: _Page, site: Site) -> list[str]:
    """People first: JSON-LD persons, author meta; then an organisation that JSON-LD names
    as the author; then bylines near the headline (byline classes, microdata, rel=author
    links); the site itself only when no person is named anywhere."""
    fallback: list[str] = []

    def people_of(names: list[str]) -> list[str]:
        persons = [n for n in names if not site.names(n)]
        if not persons and names and not fallback:
            fallback.extend(names)
        return persons

    sig = page.sig
    orgs: list[str] = []
    if page.article is not None:
        people, orgs = _ld_authors(page.article, page.ids)
        found = people_of(people)
        if found:
            return found
    for key in _AUTHOR_META:
        values = sig.meta.get(key)
        if values:
            found = people_of([n for v in values if not _looks_like_url(v)
                               for n in split_authors(v)])
            if found:
                return found
    if orgs:
        # The publisher says in so many words that an organisation wrote it.
        return orgs
    found = people_of(_page_bylines(page))
    return found or fallback


def _looks_like_url(value: str) -> bool:
    value = value.strip().lower()
    return value.startswith(("http://", "https://", "//", "www.", "/"))


# A byline element's text longer than this is an author box or a teaser, not a byline.
_MAX_BYLINE_CHARS = 120
_AUTHOR_CLASS = re.compile(r"author|byline|autor", re.IGNORECASE)
# Byline and date candidates read after the headline; later ones are teasers of other
# articles.
_MAX_NEAR_H1_NODES = 12
_SKIP_BYLINE_TAGS = frozenset({"img", "meta", "script", "style", "link", "body", "html",
                               "article", "main", "section", "picture", "svg"})
_SKIP_BYLINE_IDS = frozenset(_IDS[name] for name in _SKIP_BYLINE_TAGS)


def _candidates_near_h1(
    page: _Page, selector: str, accepts: Callable[[LexborNode, dict[str, str | None]], bool],
    skip_ids: frozenset[int], away_ids: frozenset[int], away_levels: int,
    anchor: LexborNode | None = None,
) -> Iterator[tuple[LexborNode, dict[str, str | None]]]:
    """The elements near the headline (``anchor``, else the h1) that ``accepts`` takes,
    with their attributes: the first _MAX_NEAR_H1_NODES of them, less those of a tag in
    ``skip_ids`` or sitting (at most ``away_levels`` up) in an element of ``away_ids``."""
    count = 0
    for node in _near_h1(anchor or page.h1_node(), selector):
        attrs = node.attributes
        if not accepts(node, attrs):
            continue
        if count >= _MAX_NEAR_H1_NODES:
            break
        count += 1
        if node.tag_id in skip_ids or ancestor_with_tag(node, away_ids, away_levels) is not None:
            continue
        yield node, attrs


def _page_bylines(page: _Page) -> list[str]:
    """Names from byline elements near the headline: every microdata author, else the
    first byline that opens with a byline word ("By", "Von", "Por" ...), else the first
    author element that holds a name of two words or more. Meta and info lines count only
    when they open with a byline word."""
    micro: list[str] = []
    worded: list[str] = []
    first: list[str] = []
    candidates = _candidates_near_h1(page, _BYLINE_SELECTOR, lambda _, attrs: _is_byline(attrs),
                                     _SKIP_BYLINE_IDS, _FIGURE_IDS, _FIGURE_LEVELS)
    for node, attrs in candidates:
        text = normalize_space(node.text(separator=" "))
        if not text or len(text) > _MAX_BYLINE_CHARS:
            continue
        names = split_authors(text)
        if not names:
            continue
        if "author" in (attrs.get("itemprop") or "").lower().split():
            micro.extend(names)
        elif not worded and has_byline_word(text):
            worded = names
        elif not first and _AUTHOR_CLASS.search(attrs.get("class") or ""):
            # Without a byline word, a one-word text is more often a button or a label.
            first = [n for n in names if " " in n]
    return micro or worded or first


def _date_of(values: Iterable[Any], month_first: bool) -> str | None:
    for value in values:
        result = normalize_date(value, month_first)
        if result is not None:
            return result
    return None


def _published(page: _Page, headline: str | None, modified: str | None) -> str | None:
    """The article's own publication time: JSON-LD of the article object, then meta tags,
    then a date element near the headline, meta names that say "published", a date line
    near the headline, the address, the title. A date shown near the headline before
    the metadata's day replaces it when the metadata has no history (see _restamped).
    The headline's element is the first h1, else the h1 or h2 that shows ``headline``
    (the first h1 of a blog is often its name), else, on a page without h1, its first
    h2 (page builders that style the title as an h2)."""
    article, sig = page.article, page.sig
    if article is not None:
        found = _date_of(_as_list(article.get("datePublished"))
                         + _as_list(article.get("dateCreated")), page.month_first)
        if found:
            found = _with_zone(found, sig.meta) if _NAIVE_TIME.match(found) else found
            return _restamped(page, headline, found, modified)
    for key in _PUBLISHED_META:
        values = sig.meta.get(key)
        if values:
            found = _date_of(values, page.month_first)
            if found:
                return _restamped(page, headline, found, modified)
    anchor = _headline_node(page, headline)
    return (_page_date(page, anchor) or _meta_date_by_name(page)
            or _printed_date(page, anchor) or _article_date(page)
            or url_date(page.url)
            or _title_date(page))


def _restamped(page: _Page, headline: str | None, published: str,
               modified: str | None) -> str:
    """The date shown near the headline instead of ``published`` (the metadata's value)
    when it is earlier: a page is not published after the day it shows.

    A ``<time>`` near the first h1 (its datetime, else its text) wins when its day is two
    days or more before ``published``'s: the metadata was stamped again (a migration, a
    republication); a day apart can be a time zone (a UTC day against a local one), and
    the metadata's own day is kept.
    Any date shown near the headline, a printed line too, wins by a day when the
    metadata has no history of the page: ``published`` has no zone (a date, or a
    wall-clock time) and the page says it was modified no later (``modified``, the
    metadata's modification time), as when a template or a migration fills both fields
    from one value. A zoned time is kept as its local day where the address gives one
    (_local_day); zoned is told before _local_day, since the day it gives has no zone."""
    zoned = len(published) > 19
    if zoned:
        published = _local_day(published, page.url)
    element = _page_date(page, page.h1_node(), _DATE_ELEMENT_SELECTOR)
    if element is not None and _days_apart(element, published) >= _RESTAMP_DAYS:
        return element
    if zoned or modified is None or modified[:19] > published[:19]:
        return published
    anchor = _headline_node(page, headline)
    shown = _page_date(page, anchor) or _printed_date(page, anchor)
    return shown if shown is not None and shown[:10] < published[:10] else published


# Days by which a date element must precede the metadata's day to replace it: more
# than any two time zones' days differ.
_RESTAMP_DAYS = 2


def _days_apart(earlier: str, later: str) -> int:
    """Calendar days from ``earlier``'s day to ``later``'s (ISO 8601 values)."""
    return (date.fromisoformat(later[:10]) - date.fromisoformat(earlier[:10])).days


def _headline_node(page: _Page, headline: str | None) -> LexborNode | None:
    h1 = page.h1_node()
    if not headline or (h1 is not None and fold(h1.text()) == fold(headline)):
        return h1
    body = page.tree.body
    key = fold(headline)
    first_h2: LexborNode | None = None
    for node in body.css("h1, h2") if body is not None else ():
        text = fold(node.text())
        if text == key:
            return node
        if first_h2 is None and text.strip():
            first_h2 = node
    return h1 if h1 is not None else first_h2


_ONE_DAY = timedelta(days=1)


def _local_day(found: str, url: str | None) -> str:
    """A time in UTC whose day is next to the day the address gives: the same moment,
    written in UTC by a CMS that files the story under its local day; the local day is
    the one readers see, so it wins (the time of day in UTC is then not theirs)."""
    if not found.endswith("Z"):
        return found
    day = url_date(url)
    if day is None or day == found[:10]:
        return found
    try:
        apart = abs(date.fromisoformat(day) - date.fromisoformat(found[:10]))
    except ValueError:
        return found
    return day if apart == _ONE_DAY else found


# Meta names outside _PUBLISHED_META that still say what they hold: "published_on",
# "citation_publication_date", "article-publish-date" (the names of one convention each).
_PUBLISH_NAME = re.compile(r"publi(?:sh|cation)|\bpub[-_.]?date")
_NOT_PUBLISH_NAME = re.compile(r"modif|updat|expir|revis")


def _meta_date_by_name(page: _Page) -> str | None:
    """The earliest day that such meta names give: when two of them disagree, the page
    was published on the earlier one (the later is a render's or a republication's
    time: one page's "published-time" came after its own "modified-time")."""
    earliest: str | None = None
    for key, values in page.sig.meta.items():
        if _PUBLISH_NAME.search(key) and not _NOT_PUBLISH_NAME.search(key):
            found = _date_of(values, page.month_first)
            if found and (earliest is None or found[:10] < earliest[:10]):
                earliest = found
    return earliest


# The printed date is looked for this many levels up from the h1 (nearest first), in at
# most this many nodes per level: far enough for a date line in the header block around
# the headline, never the whole page.
_PRINTED_LEVELS = 6
_PRINTED_NODES = 1500
# Text in these elements is not the article's date line: links (teasers of other
# stories), navigation, asides, scripts and form controls.
_NOT_DATE_LINE_IDS = frozenset(_IDS[name] for name in (
    "a", "nav", "footer", "aside", "script", "style", "noscript", "template", "button",
    "select", "option", "textarea", "figure", "figcaption", "h1"))
_NOT_DATE_LINE_LEVELS = 3
_TEXT_ID = _IDS["-text"]


def _printed_date(page: _Page, h1: LexborNode | None) -> str | None:
    """A date printed on a line of its own near the headline ("Sep 16, 2025", "Published:
    28/08/2025 18:42"), when no date element or metadata gives one: in the nearest
    ancestor of the h1 that holds one, the first line after the h1 that does not say
    "updated" (else the first after it, else the last before it)."""
    if h1 is None:
        return None
    node = h1.parent
    inner: LexborNode | None = None
    inner_size = 0
    for _ in range(_PRINTED_LEVELS):
        if node is None:
            return None
        found, size = _date_lines(page, node, h1, inner, inner_size)
        if found is not None or node.tag_id in _PAGE_IDS:
            return found
        inner, inner_size = node, size
        node = node.parent
    return None


def _not_date_line(page: _Page, node: LexborNode) -> bool:
    """Whether ``node``'s text is kept from the date lines: it is, or sits in, an element
    of _NOT_DATE_LINE_IDS, a link to the page itself aside (a card with the story's
    author and date that links to the story, on its own page: no teaser of another)."""
    found = node if node.tag_id in _NOT_DATE_LINE_IDS else ancestor_with_tag(
        node, _NOT_DATE_LINE_IDS, _NOT_DATE_LINE_LEVELS)
    while found is not None and found.tag_id == _A_ID and page.links_here(found):
        found = ancestor_with_tag(found, _NOT_DATE_LINE_IDS, _NOT_DATE_LINE_LEVELS)
    return found is not None


def _walk(ancestor: LexborNode, skip: LexborNode | None) -> Iterator[LexborNode | None]:
    """The nodes of ``ancestor`` in document order, text included, with None in place of
    the subtree of its child ``skip``."""
    if skip is None:
        yield from ancestor.traverse(include_text=True)
        return
    yield ancestor
    key = skip.mem_id
    for child in ancestor.iter(include_text=True):
        if child.mem_id == key:
            yield None
        else:
            yield from child.traverse(include_text=True)


def _date_lines(page: _Page, ancestor: LexborNode, h1: LexborNode, inner: LexborNode | None,
                inner_size: int) -> tuple[str | None, int]:
    """The date line of ``ancestor`` (see _printed_date), and the number of nodes read
    (-1 when the cap cut the reading short). ``inner``, the child that holds the h1, was
    read at the level below and had no date line, so its ``inner_size`` nodes are only
    counted against the cap, not read again: the levels cost one walk of the widest."""
    before: str | None = None
    updated: str | None = None
    after_h1 = False
    # Each element's text is read once: a date line is its whole text, or, in an element
    # with more in it, a text run of its own ("<legend>Title</legend> 20 December 2025").
    read: dict[int, str | None] = {}
    excluded: set[int] = set()
    count = -1
    for node in _walk(ancestor, inner):
        if node is None:
            if inner_size < 0:
                return updated or before, -1
            count += inner_size
            after_h1 = True
            if count > _PRINTED_NODES:
                return updated or before, -1
            continue
        count += 1
        if count > _PRINTED_NODES:
            return updated or before, -1
        if not after_h1:
            after_h1 = node.mem_id == h1.mem_id
        if node.tag_id != _TEXT_ID:
            continue
        parent = node.parent
        raw = node.text_content
        if parent is None or not raw or not has_digit(raw):
            continue
        key = parent.mem_id
        if key in excluded:
            continue
        if key in read:
            if read[key] is not None:
                continue  # the element's line was taken already
            line = raw
        else:
            if _not_date_line(page, parent):
                excluded.add(key)
                continue
            line = parent.text(separator=" ")
        found = date_line(line, page.month_first)
        if found is None and key not in read and len(line) > len(raw):
            line = raw
            found = date_line(line, page.month_first)
        read[key] = found
        if found is None:
            continue
        if parent.tag_id == _TIME_ID:
            # The machine-readable form of the same date has its time and zone.
            machine = normalize_date(parent.attributes.get("datetime"))
            if machine is not None and machine[:10] == found[:10]:
                found = machine
        if not after_h1:
            before = found
        elif not update_line(line):
            return found, count + 1
        elif updated is None:
            updated = found
    return updated or before, count + 1


# Away from the headline (an h1 that is the site's name, no h1 at all): microdata that
# says published, or a <time> in the article, and not in a link (a teaser's).
_ARTICLE_DATE_SELECTOR = (
    '[itemprop~="datePublished"], article time, main time, [itemprop~="articleBody"] time'
)


def _article_date(page: _Page) -> str | None:
    body = page.tree.body
    if body is None:
        return None
    for node in body.css(_ARTICLE_DATE_SELECTOR):
        attrs = node.attributes
        if node.tag_id == _TIME_ID and ancestor_with_tag(node, _A_IDS, _LINK_LEVELS):
            continue
        for value in (attrs.get("datetime"), attrs.get("content"), attrs.get("title")):
            found = normalize_date(value, page.month_first) if value else None
            if found:
                return found
        found = date_line(node.text(separator=" "), page.month_first)
        if found:
            return found
    return None


def _with_zone(naive: str, meta: dict[str, list[str]]) -> str:
    """A time without zone replaced by the meta tags' same wall-clock time with one."""
    for key in _PUBLISHED_META:
        for value in meta.get(key, ()):
            raw = value.strip().replace(" ", "T", 1)
            if raw[:16] == naive[:16] and len(raw) > 19:
                zoned = normalize_date(raw)
                if zoned is not None and len(zoned) > 19:
                    return zoned
    return naive


_SKIP_DATE_TAGS = _SKIP_BYLINE_TAGS - {"meta"}
_SKIP_DATE_IDS = frozenset(_IDS[name] for name in _SKIP_DATE_TAGS)
# A date element's text longer than this is a paragraph, not a date line.
_MAX_DATE_CHARS = 100


def _page_date(page: _Page, anchor: LexborNode | None, selector: str = _DATE_SELECTOR
               ) -> str | None:
    """The date near the headline, the last resort: a machine-readable one (``<time
    datetime>``, microdata) first, else the first printed one; of the date elements that
    ``selector`` finds (all by default, see _DATE_SELECTOR)."""
    printed: str | None = None
    candidates = _candidates_near_h1(page, selector, _is_date, _SKIP_DATE_IDS, _A_IDS,
                                     _LINK_LEVELS, anchor)
    for node, attrs in candidates:
        value = attrs.get("datetime") or attrs.get("content")
        if value:
            found = normalize_date(value, page.month_first)
            if found:
                return found
        if printed is None:
            text = normalize_space(node.text(separator=" "))
            if text and len(text) <= _MAX_DATE_CHARS and has_digit(text):
                printed = normalize_date(text, page.month_first)
    return printed


def _title_date(page: _Page) -> str | None:
    """A date that the title gives as a segment of its own ("Title | Site | 28.04.2023")."""
    for text in (_first(page.sig.meta, ("og:title",)), page.sig.title):
        if text:
            match = _TITLE_DATE.search(text)
            if match is not None:
                return normalize_date(match.group(1))
    return None


def _modified(page: _Page) -> str | None:
    article, sig = page.article, page.sig
    if article is not None:
        found = _date_of(_as_list(article.get("dateModified")), page.month_first)
        if found:
            return found
    for key in _MODIFIED_META:
        values = sig.meta.get(key)
        if values:
            found = _date_of(values, page.month_first)
            if found:
                return found
    return None


def _language(page: _Page) -> str | None:
    for raw in _language_candidates(page):
        if not raw:
            continue
        match = _LANG.match(raw.strip().split(",")[0])
        if match is None:
            continue
        lang, region = match.groups()
        if region:
            region = region.upper() if len(region) == 2 else region.title()
            return f"{lang.lower()}-{region}"
        return lang.lower()
    return None


def _language_candidates(page: _Page) -> Iterator[str | None]:
    """The page's language as its markup gives it, best first; read only as far as needed
    (most pages stop at the first)."""
    root = page.tree.root
    attrs = root.attributes if root is not None else {}
    yield attrs.get("lang")
    yield attrs.get("xml:lang")
    if page.article is not None:
        yield _text(page.article.get("inLanguage"))
    yield _first(page.sig.meta, ("og:locale", "content-language", "language", "dc.language",
                                 "dcterms.language"))


def _section(page: _Page) -> str | None:
    """The section's name; a slug ("news_news") or a sentence (a headline put in the
    section field) only when nothing better is given."""
    candidates = [_first(page.sig.meta, _SECTION_META)]
    if page.article is not None:
        candidates.append(_text(page.article.get("articleSection")))
    present = [clean_title(c) for c in candidates if c]
    present = [c for c in present if c]
    for candidate in present:
        if not _SLUG.match(candidate) and len(candidate.split()) <= _MAX_SITE_WORDS:
            return candidate
    return present[0] if present else None


def _split_tags(values: Iterable[Any]) -> list[str]:
    tags = []
    for value in values:
        if isinstance(value, str):
            tags.extend(_TAG_SPLIT.split(value))
        elif isinstance(value, (list, dict)):
            tags.extend(t for t in (_text(v) for v in _as_list(value)) if t)
    cleaned = (clean_title(t) for t in tags)
    return [t for t in cleaned if t and len(t) <= _MAX_TAG_CHARS and not _TAG_CODE.match(t)]


def _tags(page: _Page) -> tuple[str, ...]:
    meta = page.sig.meta
    sources: list[Iterable[Any]] = [meta.get("article:tag", ()), meta.get("og:article:tag", ())]
    if page.article is not None:
        sources.append(_as_list(page.article.get("keywords")))
    sources += [meta.get(key, ()) for key in _TAG_META[2:]]
    for source in sources:
        if not source:
            continue
        tags = dedupe_names(_split_tags(source))
        if tags:
            return tags[:_MAX_TAGS]
    return ()


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    return None


def _paywalled(page: _Page) -> bool | None:
    for obj in _paywall_objects(page):
        free = _flag(obj.get("isAccessibleForFree"))
        if free is None:
            for part in _as_list(obj.get("hasPart")):
                if isinstance(part, dict):
                    free = _flag(part.get("isAccessibleForFree"))
                    if free is not None:
                        break
        if free is not None:
            return not free
    tier = _first(page.sig.meta, ("article:content_tier", "og:article:content_tier"))
    if tier:
        return _PAYWALL_TIERS.get(tier.lower())
    return None


def _paywall_objects(page: _Page) -> Iterator[dict[str, Any]]:
    """The article's JSON-LD object, then the page's (looked for only when needed)."""
    if page.article is not None:
        yield page.article
    web_page = page_object(page.objects)
    if web_page is not None:
        yield web_page


def _site_names(page: _Page) -> list[str]:
    names = [normalize_space(v) for key in _SITE_META for v in page.sig.meta.get(key, ())]
    if page.article is not None:
        for item in _as_list(_resolve(page.article.get("publisher"), page.ids)):
            name = _text(item) if isinstance(item, dict) else None
            if name:
                names.append(name)
    for key in ("publisher", "twitter:site"):
        names.extend(normalize_space(v) for v in page.sig.meta.get(key, ()))
    names = [_PARENS.sub("", n).lstrip("@").strip() for n in names]
    return [n for n in names if n and len(n.split()) <= _MAX_SITE_WORDS
            and not _looks_like_url(n)]


def _image_url(value: Any) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        return _image_url(value.get("url") or value.get("contentUrl"))
    if isinstance(value, list):
        for item in value:
            found = _image_url(item)
            if found:
                return found
    return None


def _credit(obj: dict[str, Any]) -> str | None:
    for key in ("creditText", "copyrightHolder", "author", "creator", "copyrightNotice"):
        text = _text(obj.get(key))
        if text:
            return text
    return None


def _images(page: _Page) -> tuple[Image, ...]:
    if page.article is not None:
        for raw in _as_list(page.article.get("image")):
            item = _resolve(raw, page.ids)
            url = absolute(_image_url(item), page.url)
            if not url:
                continue
            if isinstance(item, dict):
                caption = _text(item.get("caption")) or _text(item.get("description"))
                return (Image(url=url, caption=clean_title(caption) or None,
                              credit=clean_title(_credit(item)) or None),)
            return (Image(url=url),)
    url = absolute(_first(page.sig.meta, _IMAGE_META), page.url)
    return (Image(url=url),) if url else ()


def _summary(page: _Page) -> str | None:
    found = _first(page.sig.meta, _DESCRIPTION_META)
    if found:
        return clean_title(found) or None
    if page.article is not None:
        return clean_title(_text(page.article.get("description"))) or None
    return None


def _dek(page: _Page, headline: str | None) -> str | None:
    """A standfirst the JSON-LD names (``abstract``, ``alternativeHeadline``): a sentence
    longer than the headline, not another version of a title."""
    if page.article is None or not (page.article.get("abstract")
                                    or page.article.get("alternativeHeadline")):
        return None
    titles = {t.casefold() for t in (headline, _text(page.article.get("headline")),
                                     _first(page.sig.meta, ("og:title", "twitter:title"))) if t}
    for key in ("abstract", "alternativeHeadline"):
        text = clean_title(_text(page.article.get(key)))
        if (text and len(text.split()) >= _MIN_DEK_WORDS and text.casefold() not in titles
                and len(text) > len(headline or "")):
            return text
    return None


def _headline(page: _Page, site: Site) -> str | None:
    sig, article = page.sig, page.article
    jsonld = name = None
    if article is not None:
        jsonld = _text(article.get("headline"))
        name = _text(article.get("name"))
    return choose_headline(
        h1=sig.h1, jsonld=jsonld, jsonld_name=name,
        og=_first(sig.meta, ("og:title",)),
        twitter=_first(sig.meta, ("twitter:title",)),
        title=normalize_space(sig.title) or _first(sig.meta, ("title", "dc.title")),
        site=site)


def extract_metadata(tree: LexborHTMLParser, url: str | None) -> PageMetadata:
    """Read the page's metadata; ``url`` (the page's address) resolves relative links.

    Never raises on odd input: what cannot be read is left empty.
    """
    page = _Page(tree, url)
    canonical = page.canonical
    host = hostname(canonical or url or "")
    sites = _site_names(page)
    section = _section(page)
    site = Site.of(sites, host, (section,) if section else ())
    article = page.article
    dateline = _text(article.get("dateline")) if article is not None else None
    headline = _headline(page, site)
    modified = _modified(page)
    return PageMetadata(
        headline=headline,
        summary=_summary(page),
        authors=dedupe_names(_authors(page, site)),
        published=_published(page, headline, modified),
        modified=modified,
        language=page.language,
        section=section,
        tags=_tags(page),
        canonical_url=canonical,
        paywalled=_paywalled(page),
        dateline=dateline,
        site_name=sites[0] if sites else None,
        images=_images(page),
        dek=_dek(page, headline),
    )
