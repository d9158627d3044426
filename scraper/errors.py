"""The one exception tree of the project.

Every error says what failed (the URL, file or source concerned) and, where there is
something to do about it, what to do::

    ScraperError
    ├── ConfigError            sources.yaml is invalid (file, source and key named)
    ├── FetchError             a URL could not be fetched (url named)
    │   ├── NetworkError       DNS failure, refused or reset connection   (transient)
    │   │   └── FetchTimeout   connect/read timeout or total deadline hit (transient)
    │   ├── HTTPStatusError    the server answered with an error status (status kept)
    │   ├── RobotsDisallowed   robots.txt forbids the URL for our user agent
    │   ├── ResponseTooLarge   the decoded body passed the size cap
    │   ├── UnsupportedContent the response is not HTML/XML (e.g. an image or a PDF)
    │   └── BlockedAddress     the URL resolves to a private/reserved address
    ├── FeedError              a feed could not be parsed into entries
    ├── ExtractionError        a page could not be turned into an article
    │   └── NotText            the input is not a page: an image, a PDF, empty, binary
    ├── StoreError             the output or state database could not be written
    └── ArchiveError           a WARC file could not be written or read (file named)
"""

from __future__ import annotations

from typing import Any, Self

__all__ = [
    "ArchiveError",
    "BlockedAddress",
    "ConfigError",
    "ExtractionError",
    "FeedError",
    "FetchError",
    "FetchTimeout",
    "HTTPStatusError",
    "NetworkError",
    "NotText",
    "ResponseTooLarge",
    "RobotsDisallowed",
    "ScraperError",
    "StoreError",
    "UnsupportedContent",
]


class ScraperError(Exception):
    """Base of every error this package raises on purpose.

    ``reason`` says what went wrong; ``url`` (the page or feed concerned), ``source`` (its
    name in sources.yaml) and ``feed`` (the feed a page was found through) say where, as far
    as the code that raised the error, or passed it on (:meth:`located`), knew it. ``str()``
    names them all::

        str(FetchError("https://example.com/a", "HTTP 404").located(
            source="example", feed="https://example.com/rss"))
        # 'https://example.com/a: HTTP 404 (source example, feed https://example.com/rss)'

    Every error pickles with all its fields (:meth:`__reduce__`), so one raised in an
    extraction worker reaches the daemon as the same class, not as a string.
    """

    url: str | None = None
    source: str | None = None
    feed: str | None = None

    def __init__(self, reason: str, *, url: str | None = None, source: str | None = None,
                 feed: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.url = url
        self.source = source
        self.feed = feed

    def located(self, *, url: str | None = None, source: str | None = None,
                feed: str | None = None) -> Self:
        """Add where the error happened, keeping what it already names; returns the error,
        so ``raise exc.located(source=name, feed=feed_url)`` passes it on."""
        self.url = self.url or url
        self.source = self.source or source
        self.feed = self.feed or feed
        return self

    def _text(self) -> str:
        """The message without its place (url, source, feed)."""
        return self.reason

    def __str__(self) -> str:
        text = f"{self.url}: {self._text()}" if self.url else self._text()
        where = [f"source {self.source}"] if self.source else []
        if self.feed and self.feed != self.url:
            where.append(f"feed {self.feed}")
        return f"{text} ({', '.join(where)})" if where else text

    def __reduce__(self) -> tuple[Any, ...]:
        # Exception pickles as cls(*args), which the subclasses' own constructors (url,
        # status ...) do not accept; rebuilding from the fields needs no constructor.
        return _rebuild, (type(self), self.args, self.__dict__.copy())


def _rebuild(cls: type[ScraperError], args: tuple[Any, ...],
             fields: dict[str, Any]) -> ScraperError:
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(fields)
    return error


class ConfigError(ScraperError):
    """The configuration file is invalid.

    The message names the file and, where known, the source and the key.
    """

    def __init__(
        self, message: str, *, file: str | None = None, source: str | None = None,
        key: str | None = None,
    ) -> None:
        super().__init__(message, source=source)
        self.file = file
        self.key = key

    def __str__(self) -> str:
        where = ": ".join(
            part
            for part in (
                self.file,
                f"source {self.source!r}" if self.source else None,
                f"key {self.key!r}" if self.key else None,
            )
            if part
        )
        return f"{where}: {self.reason}" if where else self.reason


class FetchError(ScraperError):
    """A URL could not be fetched; ``reason`` is a short human explanation."""

    transient = False

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(reason, url=url)


class NetworkError(FetchError):
    """The host could not be reached (DNS, refused, reset). Worth retrying later."""

    transient = True


class FetchTimeout(NetworkError):
    """A phase timeout or the total deadline of a fetch was hit."""


class HTTPStatusError(FetchError):
    """The server answered with an error status; 429 and 5xx are transient."""

    def __init__(self, url: str, status: int, reason: str | None = None,
                 retry_after: float | None = None) -> None:
        self.status = status
        self.retry_after = retry_after
        self.transient = status == 429 or status >= 500
        super().__init__(url, reason or f"HTTP {status}")


class RobotsDisallowed(FetchError):
    """robots.txt disallows the URL for our user agent (use --ignore-robots to override)."""


class ResponseTooLarge(FetchError):
    """The decoded response passed the configured size cap."""


class UnsupportedContent(FetchError):
    """The response's content type is not one we can parse; ``is_feed`` when a page was
    asked for and a feed came (``scraper scrape`` then points to ``scraper poll``)."""

    def __init__(self, url: str, reason: str, *, is_feed: bool = False) -> None:
        super().__init__(url, reason)
        self.is_feed = is_feed


class BlockedAddress(FetchError):
    """The URL resolves to a private, loopback or reserved address and the configuration
    does not allow private networks."""


class FeedError(ScraperError):
    """A feed yielded no usable entries."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(reason, url=url, feed=url)


class ExtractionError(ScraperError):
    """A page could not be turned into an article at all (``url`` named when known)."""


class NotText(ExtractionError):
    """The input is not HTML or text: ``reason`` names what it is instead ("a PNG image",
    "empty", "binary data: 38% of its characters are control or replacement characters").

    Nothing can be extracted from it; refetching it gives the same bytes.
    """

    def _text(self) -> str:
        return f"not HTML or text: {self.reason}"


class StoreError(ScraperError):
    """The output files or the state database could not be written."""


class ArchiveError(ScraperError):
    """A WARC file of the page archive could not be written, or is damaged or truncated
    (``path`` names the file, ``reason`` what is wrong with it)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(reason)
        self.path = path

    def _text(self) -> str:
        return f"{self.path}: {self.reason}"
