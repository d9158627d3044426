"""The text helpers: white space collapsed exactly like split-and-join, on any input."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scraper.extract.text import fold, normalize_space

# Every kind of white space str.split() knows, the zero-width ones, and a few letters.
_ALPHABET = st.sampled_from(
    [" ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x85", "\xa0", "\u1680", "\u2003",
     "\u2028", "\u202f", "\u3000", "\u200b", "\ufeff", "\xad", "a", "é", "ж", "字", "."])


def test_clean_text_is_returned_as_is() -> None:
    text = "Already clean, with one space between words."
    assert normalize_space(text) is text


def test_white_space_runs_collapse_to_one_space() -> None:
    assert normalize_space("\u200b Two\xa0\n words\u3000 here\ufeff ") == "Two words here"
    assert normalize_space("a  b") == "a b"
    assert normalize_space(" a") == "a"
    assert normalize_space("a ") == "a"
    assert normalize_space("") == ""
    assert normalize_space(None) == ""
    assert normalize_space(" \n ") == ""


@given(st.text(_ALPHABET, max_size=40) | st.text(max_size=40))
def test_same_as_split_and_join(text: str) -> None:
    expected = " ".join(text.replace("\u200b", " ").replace("\ufeff", " ").split())
    assert normalize_space(text) == expected


def test_fold_keeps_words_only() -> None:
    assert fold("  Hello — “World”! ") == "hello world"
    assert fold("snake_case ﬁne") == "snake_case fine"
    assert fold("—") == ""


@given(st.text(max_size=40))
def test_fold_same_as_replacing_non_word_runs(text: str) -> None:
    expected = re.sub(r"\W+", " ", unicodedata.normalize("NFKC", text).casefold()).strip()
    assert fold(text) == expected


def test_grouped_alternation_groups_by_first_character_and_keeps_the_rest_apart() -> None:
    from scraper.extract.text import grouped_alternation

    assert grouped_alternation(["staff", r"news\s*desk", "senior", r"\(AP\)"]) == (
        r"s(?:taff|enior)|n(?:ews\s*desk)|\(AP\)")


@pytest.mark.parametrize(("text", "digit"), [
    ("", False), ("no figures here", False), ("May 5", True), ("\n  2025  ", True),
    ("x²", True), ("٣ مايو", True), ("①", True), ("½ Stunde", False), ("Ⅻ", False),
])
def test_has_digit_is_any_character_isdigit(text: str, digit: bool) -> None:
    from scraper.extract.text import has_digit

    assert has_digit(text) is digit is any(ch.isdigit() for ch in text)


@given(st.text())
def test_has_digit_agrees_with_isdigit_on_any_text(text: str) -> None:
    from scraper.extract.text import has_digit

    assert has_digit(text) == any(ch.isdigit() for ch in text)
