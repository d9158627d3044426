"""JSON-LD: repair of broken blocks, flattening, the choice of the article object."""

from __future__ import annotations

import doctest
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scraper.extract import jsonld
from scraper.extract.jsonld import flatten, page_object, parse_jsonld, pick_article, types_of


@pytest.mark.parametrize(("text", "expected"), [
    ('{"@type": "NewsArticle", "headline": "A"}', [{"@type": "NewsArticle", "headline": "A"}]),
    ('  [{"a": 1}, {"b": 2}]  ', [[{"a": 1}, {"b": 2}]]),
    # trailing commas
    ('{"a": 1, "b": [1, 2,],}', [{"a": 1, "b": [1, 2]}]),
    # control characters inside and outside strings
    ('{"a": "line\nbreak\ttab"}', [{"a": "line\nbreak\ttab"}]),
    ('{"a":\x0b 1}', [{"a": 1}]),
    # HTML comment and CDATA wrappers
    ('<!-- {"a": 1} -->', [{"a": 1}]),
    ('//<![CDATA[\n{"a": 1}\n//]]>', [{"a": 1}]),
    ('<![CDATA[{"a": 1}]]>', [{"a": 1}]),
    # several objects concatenated, with or without separators
    ('{"a": 1}{"b": 2}', [{"a": 1}, {"b": 2}]),
    ('{"a": 1}\n;\n{"b": 2}', [{"a": 1}, {"b": 2}]),
    # what cannot be repaired is dropped; what came before it is kept
    ('{"a": 1} {"b": ', [{"a": 1}]),
    ("{not json at all", []),
    ("", []),
    ("   ", []),
])
def test_parse_jsonld_repairs(text: str, expected: list[object]) -> None:
    assert parse_jsonld(text) == expected


def test_parse_jsonld_survives_deep_nesting() -> None:
    assert parse_jsonld("[" * 100_000) == []
    deep = '{"a": ' * 5000 + "1" + "}" * 5000
    assert isinstance(parse_jsonld(deep), list)


def test_flatten_opens_graph_arrays_and_main_entity() -> None:
    values = parse_jsonld("""[
        {"@context": "https://schema.org", "@graph": [
            {"@type": "WebSite", "name": "Site"},
            {"@type": "WebPage", "mainEntity": {"@type": "NewsArticle", "headline": "H"}}
        ]},
        {"@type": ["Person"], "name": "P"}
    ]""")
    assert [types_of(o) for o in flatten(values)] == [
        ("website",), ("webpage",), ("newsarticle",), ("person",)]


def test_types_of_strips_vocabulary_prefixes_and_ignores_non_strings() -> None:
    assert types_of({"@type": ["schema:NewsArticle", "http://schema.org/Article", 3]}) == (
        "newsarticle", "article")
    assert types_of({}) == ()


def test_pick_article_prefers_news_types_then_the_page_url_then_the_h1() -> None:
    teaser = {"@type": "NewsArticle", "headline": "Other", "url": "https://x.test/other"}
    story = {"@type": "NewsArticle", "headline": "Story", "url": "https://x.test/story/"}
    page = {"@type": "WebPage", "headline": "Page"}
    blog = {"@type": "BlogPosting", "headline": "Blog"}
    assert pick_article([page, blog, teaser, story]) is teaser
    assert pick_article([page, teaser, story], url="https://x.test/story?utm=1") is story
    assert pick_article([teaser, story], h1=["Story"]) is story
    assert pick_article([page, blog]) is blog
    assert pick_article([page]) is page
    assert pick_article([{"@type": "WebPage", "name": "no article fields"}]) is None
    assert pick_article([{"@type": "Organization", "name": "O"}]) is None


def test_reportage_and_other_news_subtypes_rank_with_news_articles() -> None:
    objects = flatten(parse_jsonld(
        '{"@context": "https://schema.org", "@graph": ['
        '{"@type": "Organization", "name": "Daily"},'
        '{"@type": "Article", "headline": "Generic"},'
        '{"@type": ["ReportageNewsArticle", "NewsArticle"], "headline": "On the ground",'
        ' "dateline": "KHARKIV, Ukraine"}]}'))
    article = pick_article(objects)
    assert article is not None
    assert (article["headline"], article["dateline"]) == ("On the ground", "KHARKIV, Ukraine")
    analysis = {"@type": "http://schema.org/AnalysisNewsArticle", "headline": "Why"}
    assert pick_article([{"@type": "BlogPosting", "headline": "B"}, analysis]) is analysis


def test_page_object() -> None:
    page = {"@type": "WebPage", "isAccessibleForFree": False}
    assert page_object([{"@type": "NewsArticle"}, page]) is page
    assert page_object([{"@type": "NewsArticle"}]) is None


def test_doctests() -> None:
    assert doctest.testmod(jsonld).failed == 0


@given(st.text(max_size=300))
def test_parse_jsonld_never_raises(text: str) -> None:
    values = parse_jsonld(text)
    assert isinstance(values, list)
    for obj in flatten(values):
        assert isinstance(obj, dict)


def test_an_embedded_video_is_not_the_article() -> None:
    video = {"@type": "VideoObject", "name": "Clip", "uploadDate": "2020-01-01"}
    assert pick_article([video]) is None
    story = {"@type": "NewsArticle", "headline": "Story"}
    assert pick_article([video, story]) is story


def _types_by_rule(obj: dict[str, Any]) -> tuple[str, ...]:
    raw = obj.get("@type")
    items = raw if isinstance(raw, list) else [raw]
    return tuple(t.rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower()
                 for t in items if isinstance(t, str))


_TYPE = st.one_of(st.none(), st.integers(), st.sampled_from(
    ["NewsArticle", "schema:Person", "http://schema.org/WebPage", "", "A/B:C", "ÉTAT"]),
    st.text(max_size=12))


@given(st.one_of(_TYPE, st.lists(_TYPE, max_size=3)))
def test_types_of_lowers_and_drops_vocabulary_prefixes(raw: Any) -> None:
    obj = {"@type": raw}
    assert types_of(obj) == _types_by_rule(obj)
