"""What counts as boilerplate inside the content block: navigation, share bars, related
links, newsletter and subscription boxes, author bios, tag lists, comment sections and
their policy text.

Two kinds of evidence, kept here as data: class/id words and tag names (an element is
skipped with its whole subtree), and text patterns in several languages (a short paragraph
is dropped: pointers such as "Read more:", labels, bylines, dates, credits, captions,
cookie, newsletter and comment-policy notices; a comment-section heading cuts off the rest
of the body, policy text and forms included, even when it shares the article's tags).
"""

from __future__ import annotations

import enum
import functools
import re

from scraper.extract.lexicon import (
    ACCOUNT_LABELS,
    AD_LABELS,
    ARCHIVE_PHOTO_LABELS,
    ARTICLE_CLASS_PREFIXES,
    ARTICLE_CLASS_WORDS,
    AUTHOR_BOX_LABELS,
    BODY_CLASS_MARKS,
    BROWSER_NOTICES,
    BYLINE_PREPOSITIONS,
    CHROME_CLASS_PREFIXES,
    CHROME_CLASS_WORDS,
    COLLAPSIBLE_CLASS_WORDS,
    COMMENT_NOTICES,
    COMMENT_SECTION_HEADINGS,
    CONTENTS_LABELS,
    COOKIE_NOTICES,
    CSS_PROPERTY_CLASS_WORDS,
    DEK_CLASS_STEMS,
    DEK_CLASS_WORDS,
    FOLLOW_NOTICES,
    HAVING_CLASS_WORDS,
    MEDIA_CLASS_WORDS,
    MODULE_CLASS_WORD,
    NAVIGATION_LABELS,
    NEWS_AGENCIES,
    NEWSLETTER_NOTICES,
    PAGE_LABELS,
    PHOTO_AGENCIES,
    PHOTO_CREDIT_LABELS,
    POINTER_PHRASES,
    PUBLISHED_LABELS,
    READ_TIME_HEADS,
    READ_TIME_LABELS,
    RELATED_LABELS,
    RELATIVE_TIME_LABELS,
    REPORTING_CREDITS,
    RIGHTS_RESERVED,
    SCREEN_CLASS_WORDS,
    SECOND_LEVEL_DOMAINS,
    SHARE_LABELS,
    SHARE_NOTICES,
    SKIP_TAGS,
    SOURCE_LABELS,
    TAG_LABELS,
    TAXONOMY_CLASSES,
    TOGGLE_LABELS,
    UPDATED_LABELS,
    VISIBILITY_CLASS_WORDS,
)
from scraper.extract.text import grouped_alternation
from scraper.urls import hostname

__all__ = [
    "SKIP_TAGS",
    "ElementKind",
    "could_be_dek",
    "drop_boilerplate",
    "element_kind",
    "hint_words",
    "is_body_mark",
    "is_dek",
    "is_negative",
    "is_positive",
    "site_name",
]

# Every alternation of lexicon words is grouped by first letter (grouped_alternation): the
# same matches at a third of the cost, and the phrases that can match at one place (those
# with the same first letter) keep their order, so a group captured after one is the same.
# Chrome words (lexicon) are matched against the words of a class/id value ("share-bar",
# "article__related", "comments") so that "shadow" or "thread" do not match "ad". Words
# that start with one of the prefixes count too ("relatedarticles", "socialshare").
# A word that starts with a prefix, found by one search over the words joined with a
# space in front of each: cheaper than a Python-level startswith() per word.
_NEGATIVE_START = re.compile(
    " (?:" + grouped_alternation(map(re.escape, CHROME_CLASS_PREFIXES)) + ")")
# Every dek word contains one of these: a cheap test before splitting a class value.
_DEK_STEM = re.compile(grouped_alternation(DEK_CLASS_STEMS))
# "article-body" beats "article-meta" in the same value: a container that says it holds
# the body is kept even when another of its words looks like chrome.
_BODY_MARK = re.compile(grouped_alternation(map(re.escape, BODY_CLASS_MARKS)))


# Class grammar that names no role of the element itself (its words in the lexicon):
# - WordPress post classes ("post-12 type-post hentry tag-comments category-sidebar"): the
#   taxonomy classes carry the post's tag and category slugs, whatever words those are.
_WP_POST = re.compile(r"(?:^| )(?:hentry|status-publish|post-\d+)(?= |$)")
# - Responsive and print utilities ("hidden-xs", "d-print-none", "offset-print-1", "md:hidden"):
#   the element shows on some screens, and its words say so, not what it is.
# - Page-builder modules ("elementor-widget-container", "hs_cos_wrapper_widget"): a word
#   such as "widget" after the first part names the builder's unit, any content at all; a
#   sidebar widget puts it first ("widget", "widget_text", "widget-area").
# - What an element has or lacks ("with-sidebar", "card-has-image", "no-ads"): its layout.
# - A CSS utility ("overflow-hidden"): how the element's content is clipped.
# - "hidden" on a collapsed part ("accordion-panel hidden"): folded until a click.
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def hint_words(hints: str) -> list[str]:
    """The words of a class/id value that may say what the element is, lower-cased.

    Classes split on "-", "_" and camelCase ("Article__related-Links" -> 3 words); the
    words of grammar that says something else are left out: a BEM modifier, the state or
    variant of what the name before it says ("field--label-hidden", "node--promoted"),
    what an element has ("with-sidebar"), WordPress taxonomy classes on a post
    ("tag-<slug>"), responsive utilities ("hidden-xs", "md:hidden") and a page builder's
    "widget" ("elementor-widget-container").
    """
    return list(_hint_words(hints))


# Pages repeat their class values on many elements, and themes recur from page to page:
# each value is split once.
@functools.lru_cache(maxsize=4096)
def _hint_words(hints: str) -> tuple[str, ...]:
    if not hints.islower():
        hints = _CAMEL.sub(" ", hints).lower() if hints.isascii() else hints.lower()
    words: list[str] = []
    post = None
    for name in hints.split():
        if ":" in name:
            continue
        if "-" not in name and "_" not in name:
            words.append(name)
            continue
        parts = name.partition("--")[0].replace("-", " ").replace("_", " ").split()
        if len(parts) < 2:
            words += parts
            continue
        if not HAVING_CLASS_WORDS.isdisjoint(parts):
            parts = parts[:min(parts.index(w) for w in HAVING_CLASS_WORDS if w in parts)]
        if not parts or parts[0] in CSS_PROPERTY_CLASS_WORDS:
            continue
        if parts[0] in TAXONOMY_CLASSES:
            if post is None:
                post = _WP_POST.search(hints) is not None
            if post:
                continue
        if not SCREEN_CLASS_WORDS.isdisjoint(parts) and (
                not VISIBILITY_CLASS_WORDS.isdisjoint(parts) or parts[-1].isdigit()):
            continue
        words += [parts[0]] + [w for w in parts[1:] if not w.startswith(MODULE_CLASS_WORD)]
    if "hidden" in words and not COLLAPSIBLE_CLASS_WORDS.isdisjoint(words):
        words = [w for w in words if w != "hidden"]
    return tuple(words)


def is_negative(words: list[str]) -> bool:
    """Whether class/id words name chrome (comments, share bars, ads, related links...)."""
    return (not CHROME_CLASS_WORDS.isdisjoint(words)
            or _NEGATIVE_START.search(" " + " ".join(words)) is not None)


def is_positive(words: list[str]) -> bool:
    """Whether class/id words name an article or its text."""
    return any(w in ARTICLE_CLASS_WORDS or w.startswith(ARTICLE_CLASS_PREFIXES) for w in words)


# Asked of the class of every element ahead of a block (the standfirst's search): themes
# repeat their class values, so each is searched once.
@functools.lru_cache(maxsize=4096)
def could_be_dek(hints: str) -> bool:
    """A cheap test before :func:`is_dek`: whether the value has a dek word's stem."""
    return _DEK_STEM.search(hints.lower()) is not None


def is_dek(words: list[str]) -> bool:
    """Whether class/id words name a standfirst/dek/lead (and not its picture)."""
    return not DEK_CLASS_WORDS.isdisjoint(words) and MEDIA_CLASS_WORDS.isdisjoint(words)


class ElementKind(enum.Enum):
    """What a block element is, from its tag and class/id."""

    TEXT = 0
    CHROME = 1
    DEK = 2


def element_kind(tag: str, hints: str) -> ElementKind:
    """Whether a block is chrome to skip, a standfirst, or possibly text.

    >>> element_kind("div", "share-bar"), element_kind("p", "standfirst")
    (<ElementKind.CHROME: 1>, <ElementKind.DEK: 2>)
    """
    if tag in SKIP_TAGS:
        return ElementKind.CHROME
    if not hints:
        return ElementKind.TEXT
    return _hints_kind(hints)


# Themes give the same class values to the blocks of every page they render.
@functools.lru_cache(maxsize=4096)
def _hints_kind(hints: str) -> ElementKind:
    words = hint_words(hints)
    if is_negative(words) and not is_body_mark(hints):
        return ElementKind.CHROME
    return ElementKind.DEK if is_dek(words) else ElementKind.TEXT


def is_body_mark(hints: str) -> bool:
    """Whether a class/id value says its element holds the article body ("article-body")."""
    # One scan for all the marks rather than a substring search per mark.
    return _BODY_MARK.search(hints.lower()) is not None


# Starts of paragraphs that point elsewhere ("Read more: ...") or sell something.
_POINTER = re.compile(
    rf"^\W*(?:{grouped_alternation(POINTER_PHRASES)})\b(\s*[:：»>|\-–—】]|\s*$)?", re.IGNORECASE)
# A pointer phrase without a colon after it ("Mehr zum Thema Hitze") is a pointer only in
# a line this short.
_SHORT_POINTER = 50
# "Quelle: dpa", "Source: AFP": the source line under a story.
_SOURCE = re.compile(
    rf"^\(?(?:{grouped_alternation(SOURCE_LABELS)})\s*:|^(?:{grouped_alternation(REPORTING_CREDITS)})\b",
    re.IGNORECASE)

# "5 min read", "3 MIN. READ", "Reading time: 4 minutes", "Lesedauer: 3 Min.": a read-time line,
# also after the byline or date fields it closes ("Jane Doe | 5 min read", "May 2 · 4 min read").
_READ_TIME_LINE = (
    rf"\W*(?:\d+\s*(?:min(?:ute)?s?|min)\.?\s*(?:{grouped_alternation(READ_TIME_LABELS)})"
    rf"|(?:{grouped_alternation(READ_TIME_HEADS)})\W*(?:ca\.?\s*)?\d+\s*(?:min\w*|minutes?)\.?)\W*$")
_READ_TIME = re.compile(rf"^(?:[^|·•]{{1,60}}[|·•]\s*){{0,3}}{_READ_TIME_LINE}", re.IGNORECASE)
# A line without a field mark has no fields before the read time: matched without the
# fields' repeat, whose backtracking over the line is half the cost of the test.
_READ_TIME_ALONE = re.compile(rf"^{_READ_TIME_LINE}", re.IGNORECASE)
# "Tags: Health, Fitness", "Filed under: Politics": the tag list under a story, as a line.
_TAG_LINE = re.compile(rf"^(?:{grouped_alternation(TAG_LABELS)})\s*:", re.IGNORECASE)

# Phrases (lower case) that mark a short paragraph as boilerplate wherever they stand.
# Plain substring tests: a regular expression alternating them is a hundred times slower.
_PHRASES = (RIGHTS_RESERVED + COMMENT_NOTICES + COOKIE_NOTICES + NEWSLETTER_NOTICES
            + SHARE_NOTICES + BROWSER_NOTICES + FOLLOW_NOTICES)
_COPYRIGHT = ("©", "(c) ", "(C) ")
# Every phrase above has one of these words: the phrases are looked for only in a
# paragraph that has one (a set lookup per word instead of a scan per phrase).
_TRIGGER_WORDS = frozenset(
    word + end
    for word in (
        "reserved", "vorbehalten", "réservés", "reservados", "riservati", "voorbehouden",
        "zastrzeżone", "защищены", "comments", "comment", "kommentar", "kommentare",
        "commentaires", "conversation", "cookies", "newsletter", "sign", "subscribe",
        "abonnieren", "inscrivez-vous", "suscríbete", "share", "teilen", "copyright",
        "browser", "browser,", "javascript", "verfügbar", "available", "failed",
        "refreshing", "refresh", "load", "supported", "supported.", "up", "signing", "inbox",
        "providing", "abmelden", "abmelden,", "mailing", "preferred",
    )
    for end in ("", ".", ",", ":", ";", "!", ")", "?")
)

# An agency or a picture library alone on a line, or any short name in parentheses, is a
# credit ("REUTERS", "(dpa)").
_AGENCY_LABELS = (*sorted(NEWS_AGENCIES), *PHOTO_AGENCIES, r"\(\w{2,5}\)")
# Whole short paragraphs that are labels, not prose.
_LABEL = re.compile(
    r"^\W*(?:" + grouped_alternation(AD_LABELS + SHARE_LABELS + NAVIGATION_LABELS + RELATED_LABELS
                               + ACCOUNT_LABELS + _AGENCY_LABELS + RELATIVE_TIME_LABELS
                               + CONTENTS_LABELS + AUTHOR_BOX_LABELS + PAGE_LABELS) + r")\W*$",
    re.IGNORECASE,
)
# The labels of page widgets left as text: expand/collapse toggles ("Personen-Box aufklappen
# Personen-Box zuklappen", "Show more"), and the placeholders of embeds waiting for consent
# ("Link zum YouTube-Inhalt", "Ein Klick für den Datenschutz").
_WIDGET = re.compile(r"^(?:" + grouped_alternation(TOGGLE_LABELS) + r")\W*$", re.IGNORECASE)
_WIDGET_SIZE = 80
# A short line that is a date or a time and nothing else: "2024.03.17 08:00", "12:40".
_DATE_ONLY = re.compile(
    r"\d{1,2}:\d{2}|\d{4}[./-]\d{1,2}[./-]\d{1,2}|\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{1,2}月\d{1,2}日")
_EMAIL = re.compile(r"\S@\S+\.\w")
# A label, a colon and an address closing the paragraph: a print or citation line ("This
# article was printed from: https://...").
_ADDRESS_LINE = re.compile(r"^[^:]{1,80}:\s*https?://\S+$")
# Fields separated by " | " with a date or a time among them: a line of programme or
# article data ("Radio | News | 28 April 2023 | 10:00"), not prose.
_FIELD_SEPARATOR = " | "
_MIN_FIELDS = 3
# A caption set as a paragraph ends with its photo credit (looked for in the last
# characters only: a search through the whole text would cost ten times more).
_CREDIT_TAIL = 80
_CITATION = 160
_ADDRESS = re.compile(r"https?://\S+")
_WORD = re.compile(r"[^\W\d_]{3}")
_PHOTO_CREDIT = re.compile(
    rf"(?:\b(?i:{grouped_alternation(PHOTO_CREDIT_LABELS)})\s*:\s*[A-ZÀ-ÞĀ-Ž][^.:]{{1,60}}"
    rf"|©\s*[^.]{{2,60}}|\((?i:{grouped_alternation(ARCHIVE_PHOTO_LABELS)})\))\W*$")

# A heading or label that opens the comment section: everything from here on is dropped.
_COMMENTS_START = re.compile(
    rf"^\W*(?:\d+\s+)?(?:{grouped_alternation(COMMENT_SECTION_HEADINGS)})(?:\s*\(\d+\))?\W*$"
    r"|^\W*(?:\d+\s+discussions?|(?:discussion|diskussion)\s*\(\d+\))\W*$",
    re.IGNORECASE,
)

# "By Jane Doe", "Von Max Muster und Erika Beispiel": a preposition, then only names (and a
# date after them: "di Teresa Fallavollita 20 Novembre 2024").
_BYLINE = re.compile(
    rf"^(?i:{grouped_alternation(BYLINE_PREPOSITIONS)})(?:\s*:)?\s+"
    r"(?:[A-ZÀ-ÞĀ-Ž][\w.'’-]*(?:\s*(?:,|&|\band\b|\bund\b|\bet\b|\by\b|\be\b)?\s*)){1,8}"
    r"(?:\s*[|/–—-]\s*.{0,40}|\s+\d{1,2}\.?\s+\w+\.?\s+\d{4})?$",
)
_DATE_LINE = re.compile(rf"^(?:{grouped_alternation(PUBLISHED_LABELS + UPDATED_LABELS)})\b",
                        re.IGNORECASE)

# Boilerplate is short: longer paragraphs are prose whatever words they use.
_LONG = 250
# Two letters in a row: a short line without them, above the body, is a date, a time or a
# separator.
_WORDY = re.compile(r"[^\W\d_]{2}")


def _is_boilerplate_text(text: str, site: str = "") -> bool:
    size = len(text)
    if size > _LONG:
        return False
    if size < 40 and _LABEL.match(text):
        return True
    if size < _WIDGET_SIZE and _WIDGET.match(text):
        return True
    pointer = _POINTER.match(text)
    if pointer and (pointer.group(1) or size < _SHORT_POINTER):
        return True
    if size < 80 and (_SOURCE.match(text) or _is_read_time(text)):
        return True
    if size < 150 and _TAG_LINE.match(text):
        return True
    if size < 100 and (_BYLINE.match(text) or _DATE_LINE.match(text)):
        return True
    # An address has an "@": a C-level scan for it rules out the search, which the engine
    # starts at every character (the pattern opens with no literal to look for).
    if text.startswith(_COPYRIGHT) or (size < 80 and "@" in text and _EMAIL.search(text)):
        return True
    tail = max(0, size - _CREDIT_TAIL)
    if ("©" in text or ":" in text[tail:] or text.endswith(")")) and _PHOTO_CREDIT.search(
            text, tail):
        return True  # a caption set as a paragraph
    if "://" in text and (size < _CITATION or _ADDRESS_LINE.match(text)) and not _away(
            text, site):
        return True  # a citation or print line, not a sentence that mentions a site
    if text.count(_FIELD_SEPARATOR) >= _MIN_FIELDS - 1 and _DATE_ONLY.search(text):
        return True
    lowered = text.lower()
    if _TRIGGER_WORDS.isdisjoint(lowered.split()):
        return False
    return any(phrase in lowered for phrase in _PHRASES)


def _is_read_time(text: str) -> bool:
    """Whether a line is a read time (_READ_TIME), fields before it or not."""
    if "|" in text or "·" in text or "•" in text:
        return _READ_TIME.match(text) is not None
    return _READ_TIME_ALONE.match(text) is not None


def site_name(url: str) -> str:
    """The name a site's domain is registered under ("bbc" for www.bbc.co.uk and bbc.com,
    one publisher's sites), from an absolute http(s) address; "" for a relative one."""
    if not url.startswith(("http://", "https://", "//")):
        return ""
    host = hostname(url) or ""
    labels = host.split(".")
    if len(labels) > 2 and labels[-2] in SECOND_LEVEL_DOMAINS:
        return labels[-3]
    return labels[-2] if len(labels) > 1 else host


def _away(text: str, site: str) -> bool:
    """Whether a paragraph says something beside addresses that all lead to other sites
    than the page's: a pointer of the article ("Registration: https://...", a shop's link
    under a product), where the page's own address is its print or citation line, and
    bare addresses are a list of references or profiles."""
    if not site or _WORD.search(_ADDRESS.sub("", text)) is None:
        return False
    return all(site_name(address) != site for address in _ADDRESS.findall(text))


def drop_boilerplate(paragraphs: list[str], site: str = "") -> list[str]:
    """Paragraphs without boilerplate; a comment-section heading cuts the rest off.

    ``site``: the page's site (:func:`site_name`), "" when unknown."""
    kept: list[str] = []
    for text in paragraphs:
        if len(text) < 60 and _COMMENTS_START.match(text):
            break
        if len(text) < 40 and not _WORDY.search(text) and (not kept or _DATE_ONLY.search(text)):
            continue  # a separator above the body, or a date anywhere (not a row of figures)
        if not _is_boilerplate_text(text, site):
            kept.append(text)
    return kept
