"""Which URL becomes an article's canonical URL, and so its id."""

from __future__ import annotations

from scraper import extract
from scraper.models import article_id
from scraper.records import one_off

BODY = "<p>" + "An article paragraph with enough words to be the body of the page. " * 3 + "</p>"


def _page(head: str) -> str:
    return f"<html><head>{head}</head><body><article><h1>T</h1>{BODY}</article></body></html>"


def test_rel_canonical_wins_and_is_resolved() -> None:
    url = "https://www.example.com/amp/news/story-1?utm_source=rss"
    a = extract(_page('<link rel="canonical" href="/news/story-1">'), url)
    assert a.canonical_url == "https://www.example.com/news/story-1"
    assert one_off(a, url).id == article_id("https://www.example.com/news/story-1")


def test_canonical_pointing_at_the_front_page_is_ignored() -> None:
    url = "https://www.example.com/news/story-2?utm_medium=feed"
    a = extract(_page('<link rel="canonical" href="/">'), url)
    assert a.canonical_url == "https://www.example.com/news/story-2"
    assert one_off(a, url).id == article_id("https://www.example.com/news/story-2")


def test_front_page_may_be_its_own_canonical() -> None:
    a = extract(_page('<link rel="canonical" href="https://www.example.com/">'),
                "https://www.example.com/?ref_src=x")
    assert a.canonical_url == "https://www.example.com/"


def test_no_canonical_and_no_url() -> None:
    a = extract(_page(""))
    assert a.canonical_url is None
    # The record of a page with no address is keyed by its text.
    assert one_off(a, None).id == article_id(a.body) and one_off(a, None).url is None
