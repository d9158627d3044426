"""Author names from bylines: prefixes, roles, contacts removed; several names split."""

from __future__ import annotations

import doctest
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scraper.extract import authors
from scraper.extract.authors import dedupe_names, has_byline_word, split_authors
from scraper.extract.lexicon import ROLE_WORDS


@pytest.mark.parametrize(("byline", "expected"), [
    ("Jane Doe", ["Jane Doe"]),
    ("By Jane Doe", ["Jane Doe"]),
    ("BY JANE DOE", ["JANE DOE"]),
    ("by Jane Doe and John Smith", ["Jane Doe", "John Smith"]),
    ("By Jane Doe, John Smith and Ann Lee", ["Jane Doe", "John Smith", "Ann Lee"]),
    ("Jane Doe & John Smith", ["Jane Doe", "John Smith"]),
    ("Jane Doe, Staff Writer", ["Jane Doe"]),
    ("Jane Doe | Senior Correspondent", ["Jane Doe"]),
    ("Jane Doe, Correspondent in Kabul", ["Jane Doe"]),
    ("Jane Doe (AP)", ["Jane Doe"]),
    ("Jane Doe jane.doe@example.com", ["Jane Doe"]),
    ("Jane Doe @janedoe", ["Jane Doe"]),
    ("Jane Doe https://example.com/authors/jane", ["Jane Doe"]),
    ("Deutsche Welle (www.dw.com)", ["Deutsche Welle"]),
    ("Reporting by Jane Doe", ["Jane Doe"]),
    ("Written by Jane Doe", ["Jane Doe"]),
    # One person written surname first; two agencies are two
    ("Doe, Jane", ["Doe, Jane"]),
    ("By Müller, Hans", ["Müller, Hans"]),
    ("Reuters, AP", ["Reuters", "AP"]),
    # German
    ("Von Anna Müller und Max Mustermann", ["Anna Müller", "Max Mustermann"]),
    ("von Ursula von der Leyen", ["Ursula von der Leyen"]),
    ("Text: Anna Müller", ["Anna Müller"]),
    ("Anna Müller, Redakteurin", ["Anna Müller"]),
    ("David Straub, 05:00 Uhr", ["David Straub"]),
    # Spanish, Portuguese, French, Italian, Dutch, Scandinavian
    ("Por María R. Sahuquillo y Carlos Pérez", ["María R. Sahuquillo", "Carlos Pérez"]),
    ("Carlos Pérez, corresponsal en Bruselas", ["Carlos Pérez"]),
    ("Par Jean Dupont et Marie Curie", ["Jean Dupont", "Marie Curie"]),
    ("di Mario Rossi e Luigi Bianchi", ["Mario Rossi", "Luigi Bianchi"]),
    ("Di Maio", ["Di Maio"]),
    ("De Niro", ["De Niro"]),
    ("door Jan de Vries en Piet Jansen", ["Jan de Vries", "Piet Jansen"]),
    ("Av Kari Nordmann og Ola Nordmann", ["Kari Nordmann", "Ola Nordmann"]),
    # East Asian role suffixes
    ("신현주 기자", ["신현주"]),
    ("松岡大地記者", ["松岡大地"]),
    # Nothing that is a name
    ("", []),
    ("   ", []),
    ("By", []),
    ("Staff Reporter", []),
    ("5 min read", []),
    ("https://www.facebook.com/example", []),
])
def test_split_authors(byline: str, expected: list[str]) -> None:
    assert split_authors(byline) == expected


def test_dedupe_names_keeps_first_spelling() -> None:
    assert dedupe_names(["Jane Doe", "JANE DOE", "John Smith", "jane doe"]) == (
        "Jane Doe", "John Smith")


@pytest.mark.parametrize(("text", "expected"), [
    ("By Jane Doe", True), ("Von Anna Müller", True), ("von Anna Müller", True),
    ("Text: Anna Müller", True), ("di Mario Rossi", True), ("Di Maio", False),
    ("Jane Doe", False), ("Themen bearbeiten", False),
])
def test_has_byline_word(text: str, expected: bool) -> None:
    assert has_byline_word(text) is expected


def test_doctests() -> None:
    assert doctest.testmod(authors).failed == 0


@pytest.mark.slow
@given(st.text(max_size=200))
def test_split_authors_never_raises_and_returns_clean_names(text: str) -> None:
    for name in split_authors(text):
        assert name == name.strip()
        assert name
        assert not any(ch.isdecimal() for ch in name)


_FLAT_ROLE = re.compile(rf"\b(?:{'|'.join(ROLE_WORDS)})\b", re.IGNORECASE)
_ROLE_TEXT = st.lists(st.one_of(
    st.sampled_from(["Staff", "WRITER", "reporterin", "Redakteurin", "rédactrice", "news desk",
                     "newsdesk", "Min  Read", "e-mail", "Jane", "Doe", "ß", "İ", "\u212a"]),
    st.text(max_size=4)), max_size=6).map(" ".join)


def test_role_words_start_with_a_letter() -> None:
    assert all(word[:1].isalpha() for word in ROLE_WORDS)


@given(_ROLE_TEXT)
def test_role_grouped_by_first_letter_finds_what_the_flat_alternation_finds(text: str) -> None:
    assert bool(authors._ROLE.search(text)) == bool(_FLAT_ROLE.search(text))
