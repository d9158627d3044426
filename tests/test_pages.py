"""Snapshot tests: every ``tests/pages/<name>.html`` (or ``.html.gz``) has a
``<name>.json`` beside it with the page's URL (``"url"``, may be null) and the exact
expected value of each record field it lists; fields it does not list are not checked."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from scraper import extract
from scraper.records import one_off

PAGES = Path(__file__).parent / "pages"
CASES = sorted(p for p in PAGES.glob("*.json"))


def _html(case: Path) -> bytes:
    plain = case.with_suffix(".html")
    if plain.exists():
        return plain.read_bytes()
    return gzip.decompress(case.with_suffix(".html.gz").read_bytes())


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_page(case: Path) -> None:
    expected = json.loads(case.read_text(encoding="utf-8"))
    url = expected.pop("url")
    record = one_off(extract(_html(case), url), url).to_dict()
    assert expected, "a snapshot must expect at least one field"
    assert {key: record[key] for key in expected} == expected
