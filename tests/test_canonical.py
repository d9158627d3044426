"""Which URL becomes an article's canonical URL, and so its id."""

from __future__ import annotations

from scraper import extract
from scraper.models import article_id

BODY = "<p>" + "An article paragraph with enough words to be the body of the page. " * 3 + "</p>"


def _page(head: str) -> str:
    return f"<html><head>{head}</head><body><article><h1>T</h1>{BODY}</article></body></html>"


def test_rel_canonical_wins_and_is_resolved() -> None:
    a = extract(_page('<link rel="canonical" href="/news/story-1">'),
                "https://www.example.com/amp/news/story-1?utm_source=rss")
    assert a.canonical_url == "https://www.example.com/news/story-1"
    assert a.id == article_id("https://www.example.com/news/story-1")


def test_canonical_pointing_at_the_front_page_is_ignored() -> None:
    url = "https://www.example.com/news/story-2?utm_medium=feed"
    a = extract(_page('<link rel="canonical" href="/">'), url)
    assert a.canonical_url == "https://www.example.com/news/story-2"
    assert a.id == article_id("https://www.example.com/news/story-2")


def test_front_page_may_be_its_own_canonical() -> None:
    a = extract(_page('<link rel="canonical" href="https://www.example.com/">'),
                "https://www.example.com/?ref_src=x")
    assert a.canonical_url == "https://www.example.com/"


def test_no_canonical_and_no_url() -> None:
    a = extract(_page(""))
    assert a.canonical_url is None and a.url is None
    assert len(a.id) == 32
