"""Lexbor tag ids and the bounded ancestor lookup built on them."""

from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from scraper.extract.tags import MAX_KNOWN_ID, TEXT_ID, ancestor_with_tag, tag_ids

IDS = tag_ids({"figure", "a", "div", "span", "td"})


def test_tag_ids_are_lexbors_own() -> None:
    tree = LexborHTMLParser("<figure><a><span>x</span></a></figure>")
    span = tree.css_first("span")
    assert span is not None and span.parent is not None
    assert (span.tag_id, span.parent.tag_id) == (IDS["span"], IDS["a"])
    assert span.child is not None and span.child.tag_id == TEXT_ID
    assert all(tag_id <= MAX_KNOWN_ID for tag_id in IDS.values())


def test_unknown_names_are_refused() -> None:
    with pytest.raises(ValueError, match="amp-img"):
        tag_ids({"amp-img"})


def test_ancestor_with_tag_looks_up_from_the_parent_within_the_levels() -> None:
    tree = LexborHTMLParser(
        '<figure id="f"><div><div><a id="l"><span id="s">x</span></a></div></div></figure>')
    span = tree.css_first("#s")
    assert span is not None
    figure, link = frozenset({IDS["figure"]}), frozenset({IDS["a"]})
    found = ancestor_with_tag(span, link, 1)
    assert found is not None and found.attributes["id"] == "l"
    assert ancestor_with_tag(span, figure, 3) is None  # the figure is four levels up
    found = ancestor_with_tag(span, figure, 4)
    assert found is not None and found.attributes["id"] == "f"
    assert ancestor_with_tag(span, frozenset({IDS["span"]}), 5) is None  # never the node
