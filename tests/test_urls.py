from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from scraper.urls import absolute, canonicalize, file_name, hostname, is_http_url


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
    assert not is_http_url("https://[example.com/a")


@pytest.mark.parametrize(("url", "base", "expected"), [
    (" /img/a.jpg ", "https://example.com/news/1", "https://example.com/img/a.jpg"),
    ("https://cdn.example.com/a.jpg", "https://[broken/", "https://cdn.example.com/a.jpg"),
    ("a.jpg", None, "a.jpg"),
    ("//[cdn.example.com/a.jpg", "https://example.com/", None),
    ("  ", "https://example.com/", None),
    (None, "https://example.com/", None),
])
def test_absolute(url: str | None, base: str | None, expected: str | None) -> None:
    assert absolute(url, base) == expected


def test_a_url_that_cannot_be_parsed_is_returned_stripped() -> None:
    assert canonicalize(" https://[example.com/a?utm_source=x ") == (
        "https://[example.com/a?utm_source=x")
    assert canonicalize("/a", "https://[broken/") == "/a"


@given(st.text(max_size=200))
def test_canonicalize_is_idempotent_and_total(text: str) -> None:
    once = canonicalize(text, "https://example.com/a/")
    assert canonicalize(once) == once


_URL_PART = st.sampled_from(["http://", "https://", "HTTPS://", " https://", "https:/", "ftp://",
                             "Example.COM", "news.example.com", "a-b.example", "host", "",
                             ":8080", "@", "user:pw@", "[::1]", "[", "\t", "\n", "/", "?q=1",
                             "#f", "\\", "é", ".", "-", "%41"])


@pytest.mark.slow
@settings(max_examples=500, deadline=None)
@given(st.lists(_URL_PART, max_size=6).map("".join))
@example("https://News.Example.com/a?b#c")
@example("https://exa\tmple.com/")
def test_host_is_what_urlsplit_gives(address: str) -> None:
    try:
        expected = urlsplit(address).hostname
    except ValueError:
        expected = None
    assert hostname(address) == expected


@given(st.sampled_from(["https://", "http://", "HTTPS://", "//", "", "data:"]),
       st.text("ab/?#:.[]@ \t%\u00e9-_", max_size=20))
def test_file_name_is_the_last_segment_of_the_path_as_urlsplit_gives_it(
    scheme: str, rest: str
) -> None:
    url = scheme + rest
    try:
        expected = urlsplit(url).path.rsplit("/", 1)[-1]
    except ValueError:  # unbalanced IPv6 brackets
        expected = ""
    assert file_name(url) == expected
