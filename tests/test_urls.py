from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scraper.urls import canonicalize, is_http_url


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        ("HTTPS://WWW.Example.COM:443/News/A?b=2&a=1#comments", None,
         "https://www.example.com/News/A?b=2&a=1"),
        ("http://example.com:8080/a?utm_source=rss&utm_medium=feed&id=7", None,
         "http://example.com:8080/a?id=7"),
        ("/story/1?fbclid=abc&gclid=x&page=2", "https://news.example.org/section/",
         "https://news.example.org/story/1?page=2"),
        ("../b?x=", "http://example.com/a/b/c", "http://example.com/a/b?x="),
        ("http://example.com", None, "http://example.com/"),
        ("http://[::1]:80/a", None, "http://[::1]/a"),
        ("https://e.com/story.php?12345&utm_campaign=x", None, "https://e.com/story.php?12345"),
        ("https://e.com/s?q=a+b&x=%2F&&utm_source=y", None, "https://e.com/s?q=a+b&x=%2F"),
        ("https://user:secret@e.com/a", None, "https://e.com/a"),
        ("https://e.com/a b?q=c d", None, "https://e.com/a%20b?q=c%20d"),
        ("https://e.com/a?UTM_Source=x&id=1", None, "https://e.com/a?id=1"),
    ],
)
def test_canonicalize(url: str, base: str | None, expected: str) -> None:
    assert canonicalize(url, base) == expected


def test_is_http_url() -> None:
    assert is_http_url("https://example.com/a")
    assert not is_http_url("mailto:a@example.com")
    assert not is_http_url("/relative")
    assert not is_http_url("ftp://example.com/")


@given(st.text(max_size=200))
def test_canonicalize_is_idempotent_and_total(text: str) -> None:
    once = canonicalize(text, "https://example.com/a/")
    assert canonicalize(once) == once
