"""Author names from bylines and metadata: names only, in any of the common languages.

>>> split_authors("By Jane Doe and John Smith, Staff Writers")
['Jane Doe', 'John Smith']
>>> split_authors("Von Anna Müller und Max Mustermann")
['Anna Müller', 'Max Mustermann']
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from scraper.extract.lexicon import (
    AND_WORDS,
    AUTHOR_LABELS,
    BYLINE_LEADS,
    BYLINE_PREPOSITIONS,
    NAME_PARTICLES,
    ROLE_SUFFIXES,
    ROLE_WORDS,
)
from scraper.extract.text import grouped_alternation, normalize_space

__all__ = ["dedupe_names", "has_byline_word", "split_authors"]

_URL = re.compile(r"(?:https?://|www\.)[^\s()\[\]]+|\S+@\S+\.\w+|(?<!\w)@\w+",
                  re.IGNORECASE)
_PARENS = re.compile(r"\s*[(\[][^)\]]*[)\]]")
# Words that introduce a byline ("By", "Von", "Por", "Par", "Di", "Av", "Text:" ...): a
# lead and a preposition ("Written by"), a preposition, or a label.
_PREFIX = re.compile(
    rf"^(?:(?:{'|'.join(BYLINE_LEADS)})"
    rf"(?:\s+(?:and|und|&)\s+\w+)?\s*(?:by|von|:)\s*|"
    rf"{'|'.join(BYLINE_PREPOSITIONS + AUTHOR_LABELS)})"
    r"(?:\s*:\s*|\s+|$)", re.IGNORECASE)
# Names are split on punctuation first (a piece that is a role goes whole: "corresponsal
# en Bruselas"), then on the word for "and" of many languages.
_SPLIT_MARK = re.compile(r"\s*[,;|/•·]\s*")
_SPLIT_AND = re.compile(rf"\s+(?:{'|'.join(AND_WORDS)})\s+", re.IGNORECASE)
# A piece with a word for what a person is rather than who is dropped from the name list.
_ROLE = re.compile(rf"\b(?:{grouped_alternation(ROLE_WORDS)})\b", re.IGNORECASE)
_ROLE_AFTER_IN = re.compile(r"^(?:in|en|à|a|aus|from|at)\s+\S", re.IGNORECASE)
# Role words East Asian bylines put after the name ("신현주 기자", "松岡大地記者").
_ROLE_SUFFIX = re.compile(rf"\s*(?:{'|'.join(ROLE_SUFFIXES)})$")
# "Doe, Jane": one person written surname first (the form of library catalogues and some
# feeds), not two: a list of people gives each a full name ("Jane Doe, John Roe").
_SURNAME_FIRST = re.compile(r"^[^\W\d_][\w'’.-]*,\s*[^\W\d_][\w'’.-]*$")
# Punctuation trimmed off a name's ends (a final "." may end an initial: "John Q.").
_LEAD_TRIM = " \t\n-–—:,;.|*•·"
_TAIL_TRIM = " \t\n-–—:,;|*•·"
# A name has a letter and no digit (a piece with one is a date, a time or "5 min read").
_NAME_LIKE = re.compile(r"^[^\d]*[^\W\d_][^\d]*$")
# Longer than this it is a sentence, not a name.
_MAX_WORDS = 6
_MAX_CHARS = 70


def _strip_prefix(text: str) -> str:
    while True:
        match = _PREFIX.match(text)
        if match is None:
            return text
        word = match.group(0).strip().rstrip(":").strip().lower()
        rest = text[match.end():]
        if word in NAME_PARTICLES and not match.group(0).rstrip().endswith(":") and (
                text[:1].isupper() or not rest[:1].isupper()):
            return text
        if not rest:
            return ""
        text = rest


def _clean_piece(piece: str) -> str | None:
    """One name from a piece of a byline whose part was checked for roles already."""
    piece = _strip_prefix(piece.lstrip(_LEAD_TRIM).rstrip(_TAIL_TRIM))
    if not piece.isascii():
        piece = _ROLE_SUFFIX.sub("", piece)
    piece = piece.lstrip(_LEAD_TRIM).rstrip(_TAIL_TRIM)
    if not piece or len(piece) > _MAX_CHARS or piece.count(" ") >= _MAX_WORDS:
        return None
    if _NAME_LIKE.match(piece) is None or _ROLE_AFTER_IN.match(piece):
        return None
    return piece


def has_byline_word(text: str) -> bool:
    """``text`` opens with a word that introduces a byline ("By", "Von", "Text:" ...)."""
    match = _PREFIX.match(text.lstrip())
    if match is None:
        return False
    word = match.group(0).strip().rstrip(":").strip().lower()
    return word not in NAME_PARTICLES or text.lstrip()[:1].islower()


def split_authors(text: str | None) -> list[str]:
    """The names in one byline or author field: "By", roles, e-mail addresses, handles
    and links removed; several names split ("A and B", "A, B und C", "A y B")."""
    text = normalize_space(text)
    if not text:
        return []
    if "@" in text or "http" in text or "www." in text:
        text = normalize_space(_URL.sub(" ", text))
    if "(" in text or "[" in text:
        text = normalize_space(_PARENS.sub("", text))
    text = _strip_prefix(text)
    # Not for acronyms: "Reuters, AP" are two agencies.
    if _SURNAME_FIRST.match(text) and not _ROLE.search(text) and not any(
            piece.strip().isupper() for piece in text.split(",")):
        name = _clean_piece(text)
        return [name] if name else []
    names = []
    for part in _SPLIT_MARK.split(text):
        if _ROLE.search(part):
            continue
        for piece in _SPLIT_AND.split(part):
            name = _clean_piece(piece)
            if name is not None:
                names.append(name)
    return names


def dedupe_names(names: Iterable[str]) -> tuple[str, ...]:
    """``names`` without repeats (compared case-insensitively), first spelling kept."""
    seen: set[str] = set()
    out = []
    for name in names:
        key = name.casefold()
        if key not in seen:
            seen.add(key)
            out.append(name)
    return tuple(out)
