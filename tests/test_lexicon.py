"""The lexicon: one list per concept, exported, and clean enough to build matchers from."""

from __future__ import annotations

import re

import pytest

from scraper.extract import lexicon

LISTS = {name: getattr(lexicon, name) for name in lexicon.__all__}


def test_every_public_list_is_exported() -> None:
    public = {name for name in vars(lexicon) if name.isupper() and not name.startswith("_")}
    assert public == set(lexicon.__all__)
    assert list(lexicon.__all__) == sorted(lexicon.__all__)


@pytest.mark.parametrize("name", sorted(LISTS))
def test_lists_are_not_empty_and_have_no_repeats(name: str) -> None:
    value = LISTS[name]
    if isinstance(value, str):
        assert value
        return
    entries = list(value)
    assert entries
    assert len(entries) == len(set(entries)), f"{name} repeats an entry"


@pytest.mark.parametrize("name", sorted(LISTS))
def test_entries_compile_as_regex_fragments(name: str) -> None:
    # the users build alternations from the entries: each must stand on its own
    value = LISTS[name]
    for entry in [value] if isinstance(value, str) else value:
        re.compile(f"(?:{entry})")


def test_month_names_are_twelve_lower_case_lists() -> None:
    assert len(lexicon.MONTH_NAMES) == 12
    assert all(names == names.lower() for names in lexicon.MONTH_NAMES)
    assert lexicon.MONTH_NAMES[4].split()[0] == "may"
