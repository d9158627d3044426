"""The headline: candidates from JSON-LD, Open Graph, Twitter cards, ``<title>`` and the
``<h1>``, cleaned of site-name prefixes and suffixes, then chosen.

>>> site = Site.of(("Example News",), "www.example.com")
>>> strip_site("Storm hits coast | Example News", site)
'Storm hits coast'
>>> choose_headline(h1=["Storm hits coast"], jsonld=None, jsonld_name=None,
...                 og="Storm hits coast - Example", twitter=None, title=None, site=site)
'Storm hits coast'
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from scraper.extract.text import normalize_space

__all__ = ["Site", "choose_headline", "clean_title", "site_key", "strip_site"]

# A separator between a title and a site name or section: spaced pipes, dashes, colons,
# middle dots, slashes, a colon after a word ("Site: Title"), a pipe with space on one
# side; the full-width forms East Asian sites use need no spaces. The characters are
# found by this class, their surroundings checked in Python (a regex that starts with
# optional space is tried at every position: ten times slower on titles).
_SEPARATOR_CHAR = re.compile(r"::|\|\||[|\-–—·•/:»ㅣ｜：]")
_WIDE_SEPARATORS = frozenset("ㅣ｜：")
_ENTITY = re.compile(r"&(?:#\d{2,7}|#x[0-9a-fA-F]{2,6}|[a-zA-Z]{2,8});")
_MARKDOWN_HEADING = re.compile(r"^\s*#{1,6}\s+")
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|…)\s*$")
_DATE_ONLY = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$")
_KEY_DROP = re.compile(r"[\W_]+")
_HOST_PREFIX = re.compile(r"^(?:www\d?|m|amp|mobile|edition|news)\.")
_HOST_SUFFIX = re.compile(r"\.(?:co|com|org|net|gov|ac)?\.?[a-z]{2,6}$")
# Longer than this, a segment is a sentence of the headline, not a site or section name.
_MAX_SITE_WORDS = 5
# Keys shorter than this are matched whole only ("dw" must not eat every "dw" inside),
# or, from three letters on, as the start of a name ("MDR THÜRINGEN" for mdr.de).
_MIN_CONTAINED_KEY = 4
_MIN_PREFIX_KEY = 3


def site_key(text: str) -> str:
    """Comparison key of a site name: case-folded letters and digits only, so that
    "n-tv.de", "NTV" and "ntv.de" meet; a leading "www." and a trailing top-level domain
    are ignored."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    text = text.casefold().strip()
    if "." in text:
        text = _HOST_SUFFIX.sub("", _HOST_PREFIX.sub("", text))
    return _KEY_DROP.sub("", text)


@dataclass(frozen=True, slots=True)
class Site:
    """The names a page gives its site (og:site_name, publisher ...) and its host, as
    comparison keys."""

    keys: frozenset[str]
    host_key: str = ""
    # Names matched only whole (a section such as "Chemnitz" must not eat "Chemnitzer").
    exact: frozenset[str] = frozenset()

    @classmethod
    def of(cls, names: Iterable[str], host: str | None, sections: Iterable[str] = ()
           ) -> Site:
        """Keys of ``names``, of ``host`` and of ``sections``."""
        host_key = site_key(host) if host else ""
        keys = {k for k in (site_key(n) for n in dict.fromkeys(names)) if k}
        if host_key:
            keys.add(host_key)
        exact = frozenset(k for k in (site_key(n) for n in sections) if k)
        return cls(frozenset(keys), host_key, exact)

    def names(self, text: str) -> bool:
        """``text`` is the site's name, or contains it or its host name, or is contained
        in it ("n-tv NACHRICHTEN" for n-tv.de, "Globalnews.ca" for "Global News")."""
        key = site_key(text)
        if not key:
            return False
        if key in self.keys or key in self.exact:
            return True
        return any((len(k) >= _MIN_CONTAINED_KEY and k in key)
                   or (len(key) >= _MIN_CONTAINED_KEY and key in k)
                   or (len(k) >= _MIN_PREFIX_KEY and key.startswith(k))
                   for k in self.keys)


def clean_title(text: str | None) -> str:
    """Entities decoded (some pages double-encode them in meta and JSON-LD), whitespace
    collapsed."""
    if not text:
        return ""
    if "&" in text:
        text = html.unescape(text)
        if _ENTITY.search(text):  # encoded twice: "&amp;#8230;"
            text = html.unescape(text)
    if text.startswith("#"):  # a Markdown heading written into the metadata
        text = _MARKDOWN_HEADING.sub("", text)
    return normalize_space(text)


def _is_site_segment(segment: str, site: Site) -> bool:
    """The segment names the site, or is only a date."""
    segment = segment.strip()
    if not segment or _DATE_ONLY.match(segment):
        return True
    if len(segment.split()) > _MAX_SITE_WORDS:
        return False
    return site.names(segment) or not site_key(segment)


def _separators(title: str) -> list[tuple[int, int]]:
    """Spans of the separators in ``title``, with the space around them."""
    spans: list[tuple[int, int]] = []
    end_of_last = 0
    size = len(title)
    for match in _SEPARATOR_CHAR.finditer(title):
        i, j = match.span()
        char = match.group()
        space_before = i > 0 and title[i - 1].isspace()
        space_after = j < size and title[j].isspace()
        if not (char in _WIDE_SEPARATORS or (space_before and space_after)
                or (char == ":" and space_after and i > 0 and title[i - 1].isalnum())
                or (char == "|" and (space_before or space_after))):
            continue
        while i > 0 and title[i - 1].isspace():
            i -= 1
        while j < size and title[j].isspace():
            j += 1
        if i >= end_of_last:
            spans.append((i, j))
            end_of_last = j
    return spans


def strip_site(title: str, site: Site) -> str:
    """``title`` without leading or trailing segments that name the site or give only a
    date ("Title | Site", "Site: Title", "Title | DW | 28.04.2023")."""
    if not (site.keys or site.exact):
        return title
    spans = _separators(title)
    if not spans:
        return title
    bounds = [0, *(x for span in spans for x in span), len(title)]
    parts = [title[bounds[k]:bounds[k + 1]] for k in range(0, len(bounds), 2)]
    end = len(parts)
    while end > 1 and _is_site_segment(parts[end - 1], site):
        end -= 1
    start = 0
    while start < end - 1 and _is_site_segment(parts[start], site):
        start += 1
    if start == 0 and end == len(parts):
        return title
    # Part k runs from bounds[2k] to bounds[2k + 1]; the separators between stay as written.
    return title[bounds[2 * start]:bounds[2 * end - 1]].strip()


def _key(text: str) -> str:
    if text.isascii():
        return text.casefold()
    return unicodedata.normalize("NFKC", text).casefold()


def _with_suffix(short: str, long: str) -> bool:
    """``long`` is ``short`` followed by a separator and more (a suffix to strip)."""
    if len(long) <= len(short) or not long.startswith(short):
        return False
    spans = _separators(long)
    return any(i == len(short) for i, _ in spans)


def _expand_truncated(text: str, others: list[str]) -> str:
    """A title cut short with an ellipsis, replaced by a candidate it is the start of."""
    if not text.endswith(("...", "…")):
        return text
    match = _ELLIPSIS.search(text)
    if match is None:
        return text
    stem = _key(text[:match.start()])
    if len(stem) < 10:
        return text
    for other in others:
        if other is not text and not other.endswith(("...", "…")) and (
                len(other) > len(stem) and _key(other).startswith(stem)):
            return other
    return text


# An h1 shorter than this is a site's or a section's name, or a navigation label
# ("Search", "Stanford Online", "Whatever"), more often than a headline.
_MIN_H1_WORDS = 4
# An h1 whose parts are glued together ("Israel:Palästinenser", "not.Defining",
# "Jobs(latimes.com)") is a kicker and a headline read as one text, or a headline with
# its source appended; soft hyphens show a headline set for line breaks.
_GLUED = re.compile(r"[^\W\d_][:\-–«»][«\"“]?[^\W\d_]|[a-z][.(][A-Za-z]|\u00ad|\{\{")
# A breadcrumb ("Computer Science > Artificial Intelligence") is not a headline.
_BREADCRUMB = re.compile(r"\s[>›]\s")


def _visible_wins(h1: str, social: str, site: Site) -> bool:
    """Without a JSON-LD headline, the h1 is the headline rather than og:title (an SEO or
    social rewrite: "... [2024 Guide]", "Top 19 Companies") when it reads as one: a few
    words, no more than the og:title has, not glued, not the site's name."""
    words = len(h1.split())
    return (_MIN_H1_WORDS <= words <= len(social.split()) and not _GLUED.search(h1)
            and not _BREADCRUMB.search(h1) and not site.names(h1))


def choose_headline(
    *, h1: list[str], jsonld: str | None, jsonld_name: str | None, og: str | None,
    twitter: str | None, title: str | None, site: Site,
) -> str | None:
    """The headline, from the candidates of a page (each cleaned of site names first).

    Order: the JSON-LD ``headline`` (replaced by the article's ``name`` when the two differ
    and the name is the visible h1 or the og:title: the headline is then an SEO rewrite),
    the first h1 when it reads as a headline no longer than og:title, og:title,
    twitter:title, the first h1, ``<title>``. A metadata title that is an h1 plus
    a suffix becomes that h1; one that agrees with an h1 is given as the h1 shows it.
    A JSON-LD headline cut short with "..." is replaced by the candidate it starts.
    """
    h1s = [t for t in (clean_title(x) for x in h1) if t]
    h1_keys = {_key(t): t for t in h1s}
    done: dict[str, str] = {}
    cleaned: list[str] = []
    for raw in (jsonld, jsonld_name, og, twitter, title):
        if not raw:
            cleaned.append("")
            continue
        text = done.get(raw)
        if text is None:
            text = strip_site(clean_title(raw), site)
            if h1_keys:
                key = _key(text)
                for h1_key, h1_text in h1_keys.items():
                    if _with_suffix(h1_key, key):
                        text = h1_text
                        break
            done[raw] = text
        cleaned.append(text)
    others = [c for c in cleaned if c] + h1s
    ld, name, og_c, tw_c, title_c = (_expand_truncated(c, others) if c else c for c in cleaned)
    if name and ld and _key(name) != _key(ld) and (
            _key(name) in h1_keys or (og_c and _key(name) == _key(og_c))):
        ld = name
    social = og_c or tw_c
    if not ld and social and h1s and _key(social) not in h1_keys and _visible_wins(
            h1s[0], social, site):
        return h1s[0]
    for candidate in (ld, og_c, tw_c):
        if candidate:
            return h1_keys.get(_key(candidate), candidate)
    if h1s:
        if title_c:
            return h1_keys.get(_key(title_c), h1s[0])
        return h1s[0]
    return title_c or name or None
