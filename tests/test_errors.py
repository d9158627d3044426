"""The error tree: every error pickles intact (errors cross the extraction process pool) and
names the URL, source and feed it belongs to."""

from __future__ import annotations

import pickle

import pytest

from scraper import errors
from scraper.errors import (
    ArchiveError,
    BlockedAddress,
    ConfigError,
    ExtractionError,
    FeedError,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    NetworkError,
    NotText,
    ResponseTooLarge,
    RobotsDisallowed,
    ScraperError,
    StoreError,
    UnsupportedContent,
)

PAGE = "https://example.com/news/1"
FEED = "https://example.com/rss"

SAMPLES: list[ScraperError] = [
    ScraperError("something failed"),
    ConfigError("interval must be a duration", file="sources.yaml", source="example",
                key="interval"),
    FetchError(PAGE, "not an http or https URL"),
    NetworkError(PAGE, "connection refused"),
    FetchTimeout(PAGE, "read timeout after 20 s"),
    HTTPStatusError(PAGE, 503, "HTTP 503 Service Unavailable", retry_after=120.0),
    RobotsDisallowed(PAGE, "robots.txt disallows it"),
    ResponseTooLarge(PAGE, "over 10000000 bytes"),
    UnsupportedContent(PAGE, "not HTML: image/png"),
    BlockedAddress(PAGE, "resolves to a private address"),
    FeedError(FEED, "not well-formed XML"),
    ExtractionError("could not parse HTML", url=PAGE),
    NotText("a PNG image"),
    StoreError("cannot write records under output"),
    ArchiveError("archive/local-00001.warc.gz", "truncated record at offset 1024"),
]


def test_the_samples_cover_every_error_class() -> None:
    classes = {getattr(errors, name) for name in errors.__all__}
    assert classes == {type(sample) for sample in SAMPLES}


@pytest.mark.parametrize("error", SAMPLES, ids=lambda e: type(e).__name__)
def test_every_error_pickles_with_all_its_fields(error: ScraperError) -> None:
    error.located(source="example", feed=FEED)
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert copy.__dict__ == error.__dict__
    assert str(copy) == str(error)
    assert copy.args == error.args


def test_http_status_error_keeps_status_retry_after_and_transience() -> None:
    copy = pickle.loads(pickle.dumps(HTTPStatusError(PAGE, 429, retry_after=30.0)))
    assert (copy.status, copy.retry_after, copy.transient, copy.reason) == (
        429, 30.0, True, "HTTP 429")
    assert not pickle.loads(pickle.dumps(HTTPStatusError(PAGE, 404))).transient


def test_messages_name_url_source_and_feed() -> None:
    error = NetworkError(PAGE, "connection refused")
    assert str(error) == f"{PAGE}: connection refused"
    assert error.located(source="example", feed=FEED) is error
    assert str(error) == f"{PAGE}: connection refused (source example, feed {FEED})"
    assert (error.url, error.source, error.feed, error.reason) == (
        PAGE, "example", FEED, "connection refused")


def test_a_feed_error_names_its_feed_once() -> None:
    error = FeedError(FEED, "not well-formed XML").located(source="example")
    assert error.feed == FEED
    assert str(error) == f"{FEED}: not well-formed XML (source example)"


def test_located_keeps_what_the_error_already_names() -> None:
    error = ExtractionError("could not parse HTML", url=PAGE).located(
        url="https://example.com/other", source="example")
    error.located(source="another")
    assert (error.url, error.source) == (PAGE, "example")
    assert str(ExtractionError("could not parse HTML")) == "could not parse HTML"


def test_config_error_names_file_source_and_key() -> None:
    error = ConfigError("interval must be a duration", file="sources.yaml", source="example",
                        key="interval")
    assert str(error) == ("sources.yaml: source 'example': key 'interval': "
                          "interval must be a duration")
    assert str(ConfigError("the file is empty")) == "the file is empty"


def test_messages_of_errors_with_their_own_wording() -> None:
    assert str(NotText("a PNG image")) == "not HTML or text: a PNG image"
    assert NotText("a PNG image").reason == "a PNG image"
    error = NotText("empty").located(url=PAGE, source="example")
    assert str(error) == f"{PAGE}: not HTML or text: empty (source example)"
    assert str(ArchiveError("a.warc", "damaged gzip")) == "a.warc: damaged gzip"
