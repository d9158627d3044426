"""Small text helpers shared by the extraction steps."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

__all__ = ["fold", "grouped_alternation", "has_digit", "normalize_space"]

_WORD = re.compile(r"\w+")
_DECIMAL = re.compile(r"\d")


def normalize_space(text: str | None) -> str:
    """Collapse every run of white space (including no-break and zero-width) to one space."""
    if not text:
        return ""
    # Most text is already clean. Every white space but " " (and the zero-width ones
    # below) is unprintable, so this C-level scan rules out the split and join that
    # would rebuild the same string word by word.
    if text.isprintable() and "  " not in text and text[0] != " " and text[-1] != " ":
        return text
    if "\u200b" in text or "\ufeff" in text:
        text = text.replace("\u200b", " ").replace("\ufeff", " ")
    # str.split() without arguments splits on every Unicode space (no-break and thin
    # spaces included) and is several times faster than a regular expression.
    return " ".join(text.split())


def has_digit(text: str) -> bool:
    """Whether a character of ``text`` is a digit (``str.isdigit``), as
    ``any(ch.isdigit() for ch in text)`` says at several times the cost.

    A regex ``\\d`` (a decimal digit) is a digit too, and finds the common case in one C-level
    scan; the other digits (superscripts, circled figures) lie beyond ASCII.
    """
    return _DECIMAL.search(text) is not None or (
        not text.isascii() and any(map(str.isdigit, text)))


def fold(text: str) -> str:
    """A comparison key: case-folded words only, so that punctuation, quotes and dashes
    do not make two renderings of the same sentence differ.

    >>> fold("Hello — “World”!") == fold("hello - 'world'")
    True
    """
    # The runs of word characters joined by one space: a fifth cheaper than replacing
    # the runs between them and stripping the ends.
    return " ".join(_WORD.findall(unicodedata.normalize("NFKC", text).casefold()))


def grouped_alternation(fragments: Iterable[str]) -> str:
    """Regex fragments as one alternation grouped by their first character
    ("a(?:d|uthor)|b(?:yline)"): Python's engine tries every alternative at every position
    of the text, so a list of dozens of words costs about three times less grouped.
    Fragments that do not start with a letter or digit stay on their own."""
    groups: dict[str, list[str]] = {}
    loose: list[str] = []
    for fragment in fragments:
        if fragment[:1].isalnum():
            groups.setdefault(fragment[0], []).append(fragment[1:])
        else:
            loose.append(fragment)
    return "|".join([*(f"{first}(?:{'|'.join(rests)})" for first, rests in groups.items()),
                     *loose])
