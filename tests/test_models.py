from __future__ import annotations

import json
from dataclasses import replace
from importlib import resources

import jsonschema
import pytest

import scraper
from scraper.models import Article, Image, article_id, content_hash

SCHEMA = json.loads(resources.files("scraper").joinpath("schema/article.schema.json").read_text())


def _full() -> Article:
    url = "https://example.com/world/2025/story"
    return Article(
        id=article_id(url), url=url + "?utm_source=x", canonical_url=url, source="example",
        feed_url="https://example.com/rss", headline="A headline", summary="A dek.",
        dateline="WASHINGTON (AP)", authors=("Ann Lee", "Bo Chen"),
        published="2025-03-10T11:32:00Z", modified="2025-03-10", language="en",
        section="World", tags=("Politics",),
        images=(Image("https://example.com/a.jpg", "A caption.", "Jane Doe/AP"),),
        body="First paragraph.\n\nSecond one.", paywalled=False,
        fetched_at="2025-03-10T12:00:00Z",
    )


def test_record_has_exactly_the_schema_fields_in_order() -> None:
    record = _full().to_dict()
    assert list(record) == SCHEMA["required"]
    assert set(record) == set(SCHEMA["properties"])
    jsonschema.validate(record, SCHEMA)


def test_record_values() -> None:
    record = _full().to_dict()
    assert record["schema"] == 1
    assert record["id"] == article_id("https://example.com/world/2025/story")
    assert len(record["id"]) == 32
    assert record["word_count"] == 4
    assert record["content_hash"] == content_hash("A headline", "First paragraph.\n\nSecond one.")
    assert record["images"] == [
        {"url": "https://example.com/a.jpg", "caption": "A caption.", "credit": "Jane Doe/AP"}]


@pytest.mark.parametrize(("value", "valid"), [
    ("2025-09-04T23:30:00-05:00", True), ("2025-09-04T23:30:00+05:30", True),
    ("2025-09-04T23:30:00Z", True), ("2025-09-04T23:30:00", True), ("2025-09-04", True),
    ("2025-09-04T23:30:00-0500", False), ("2025-09-04T23:30:00 EST", False),
    ("04/09/2025", False),
])
def test_schema_times_are_rfc3339_with_the_pages_offset(value: str, valid: bool) -> None:
    record = replace(_full(), published=value, modified=value).to_dict()
    if valid:
        jsonschema.validate(record, SCHEMA)
    else:
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(record, SCHEMA)


def test_missing_values_are_json_null() -> None:
    empty = Article(id=article_id("x"), url=None, canonical_url=None)
    text = json.dumps(empty.to_dict())
    assert '"None"' not in text
    record = json.loads(text)
    assert record["headline"] is None and record["authors"] == [] and record["body"] == ""
    jsonschema.validate(record, SCHEMA)


def test_content_hash_changes_with_content_only() -> None:
    a = _full()
    assert replace(a, fetched_at="2026-01-01T00:00:00Z").content_hash == a.content_hash
    assert replace(a, body="Changed.").content_hash != a.content_hash


def test_public_names_do_not_drift() -> None:
    assert sorted(scraper.__all__) == [
        "Article", "ConfigError", "ExtractRules", "ExtractionError", "FeedError", "FetchError",
        "Image", "PageFields", "ScraperError", "StoreError", "extract",
    ]
    for name in scraper.__all__:
        assert getattr(scraper, name) is not None


def test_counters_of_records_left_out_move_to_skipped() -> None:
    from dataclasses import replace

    from scraper.models import KEPT_COUNTERS, Counters

    new = Article(id="a", url=None, canonical_url=None)
    feed_only = replace(new, id="b", status="feed_only")
    update = replace(new, id="c", revision=2)
    counts = Counters(polls=1, new=3, feed_only=1, updated=2, page_failures=1)
    assert counts.left_out([new, feed_only, update]) == Counters(
        polls=1, new=1, updated=1, page_failures=1, skipped=3)
    assert counts.left_out([]) is counts
    # A pass's own counts are not among a feed's totals in the state.
    assert "skipped" not in KEPT_COUNTERS and "pending" not in KEPT_COUNTERS
    assert len(KEPT_COUNTERS) == 13
