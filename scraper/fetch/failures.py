"""What went wrong, in words: HTTP statuses, Retry-After, and transport failures turned
into the FetchError classes and reasons the CLI prints::

    describe_transport_error(exc, connect_timeout=10, read_timeout=20)
    # -> (NetworkError, "connection refused")
"""

from __future__ import annotations

import errno
import http
import ssl
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from scraper.errors import FetchError, FetchTimeout, NetworkError

__all__ = ["describe_transport_error", "retry_after", "status_text"]


def status_text(status: int) -> str:
    """``404`` -> ``"HTTP 404 Not Found"``."""
    try:
        return f"HTTP {status} {http.HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


_ERRNO_TEXT = {
    errno.ECONNREFUSED: "connection refused",
    errno.ECONNRESET: "connection reset by the server",
    errno.ECONNABORTED: "connection aborted",
    errno.ENETUNREACH: "network unreachable",
    errno.EHOSTUNREACH: "host unreachable",
    errno.ETIMEDOUT: "connection timed out",
    errno.EPIPE: "connection closed by the server",
}


def describe_transport_error(exc: httpx.HTTPError, *, connect_timeout: float,
                             read_timeout: float) -> tuple[type[FetchError], str]:
    """The error class and human reason for an httpx transport failure."""
    if isinstance(exc, httpx.ConnectTimeout):
        return FetchTimeout, f"connection timed out after {connect_timeout:g} s"
    if isinstance(exc, httpx.ReadTimeout):
        return FetchTimeout, f"no data from the server for {read_timeout:g} s"
    if isinstance(exc, httpx.TimeoutException):
        return FetchTimeout, f"timed out ({type(exc).__name__})"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return FetchError, f"unusable URL ({exc})"
    cause = _root_cause(exc)
    if isinstance(cause, ssl.SSLCertVerificationError):
        return NetworkError, f"TLS certificate rejected ({cause.verify_message})"
    if isinstance(cause, ssl.SSLError):
        return NetworkError, f"TLS error ({cause.reason or cause})"
    text = _ERRNO_TEXT.get(cause.errno or 0) if isinstance(cause, OSError) else None
    if isinstance(exc, httpx.ConnectError):
        return NetworkError, text or f"could not connect ({exc})"
    if isinstance(exc, httpx.RemoteProtocolError):
        return NetworkError, f"broken HTTP response ({exc})"
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return NetworkError, f"connection lost ({text or exc or type(exc).__name__})"
    return NetworkError, str(exc) or type(exc).__name__


def _root_cause(exc: BaseException) -> BaseException:
    """The innermost exception of a chain (where the OSError or SSLError is)."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        if isinstance(current, ssl.SSLError) or (isinstance(current, OSError) and current.errno):
            return current
        current = current.__cause__ or current.__context__
    return seen[-1]

