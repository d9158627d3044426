"""Response bodies without a server: bounded decoding of Content-Encoding, the size cap,
content sniffing, Retry-After parsing."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import zlib
from collections.abc import AsyncIterator
from datetime import timedelta
from email.utils import format_datetime

import brotli  # type: ignore[import-untyped]
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scraper.fetch.content import (
    PIECE,
    BodyDecodeError,
    BodyTruncated,
    Decoder,
    UnknownEncoding,
    content_verdict,
    looks_like_feed,
    looks_like_html,
    media_type,
    read_capped,
)
from scraper.fetch.failures import retry_after
from tests.test_fetch_support import NOW


def _compress(data: bytes, encoding: str) -> bytes:
    if encoding == "gzip":
        return gzip.compress(data)
    if encoding == "deflate":
        return zlib.compress(data)
    return bytes(brotli.compress(data, quality=4))


def _decode_in_chunks(wire: bytes, encoding: str, cuts: list[int]) -> list[bytes]:
    decoder = Decoder(encoding)
    pieces: list[bytes] = []
    start = 0
    for cut in [*sorted(c % (len(wire) + 1) for c in cuts), len(wire)]:
        pieces.extend(decoder.feed(wire[start:cut]))
        start = max(start, cut)
    pieces.extend(decoder.finish())
    return pieces


@given(st.binary(max_size=5000), st.sampled_from(["gzip", "deflate", "br"]),
       st.lists(st.integers(min_value=0, max_value=10_000), max_size=8))
def test_decoding_in_any_chunking_gives_back_the_body(data: bytes, encoding: str,
                                                      cuts: list[int]) -> None:
    pieces = _decode_in_chunks(_compress(data, encoding), encoding, cuts)

    assert b"".join(pieces) == data


@given(st.binary(max_size=3000), st.sampled_from(["gzip", "deflate", "br", "gzip, br"]))
def test_garbage_fails_only_with_body_decode_error(data: bytes, encoding: str) -> None:
    decoder = Decoder(encoding)
    with contextlib.suppress(BodyDecodeError):
        b"".join(decoder.feed(data)) + b"".join(decoder.finish())


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_output_comes_in_bounded_pieces(encoding: str) -> None:
    wire = _compress(bytes(20_000_000), encoding)
    decoder = Decoder(encoding)

    pieces = decoder.feed(wire)
    sizes = [len(next(pieces)) for _ in range(5)]

    assert max(sizes) <= 2 * PIECE


@pytest.mark.parametrize("header", ["", "identity", " Identity "])
def test_identity_passes_through(header: str) -> None:
    decoder = Decoder(header)

    assert decoder.identity
    assert list(decoder.feed(b"abc")) == [b"abc"]


def test_unknown_encoding() -> None:
    with pytest.raises(UnknownEncoding):
        Decoder("gzip, compress")


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_truncated_stream_is_reported(encoding: str) -> None:
    wire = _compress(bytes(range(256)) * 40, encoding)
    decoder = Decoder(encoding)
    b"".join(decoder.feed(wire[: len(wire) // 2]))

    with pytest.raises(BodyTruncated, match=f"^{encoding} data ends early$"):
        list(decoder.finish())


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "gzip, br"])
def test_an_empty_body_is_empty(encoding: str) -> None:
    decoder = Decoder(encoding)

    assert [*decoder.feed(b""), *decoder.finish()] == []


def test_one_byte_of_deflate_is_truncated() -> None:
    decoder = Decoder("deflate")

    assert list(decoder.feed(b"x")) == []
    with pytest.raises(BodyTruncated):
        list(decoder.finish())


def test_trailing_bytes_after_the_stream_are_ignored() -> None:
    decoder = Decoder("gzip")

    assert b"".join(decoder.feed(gzip.compress(b"<html>") + b"\0\0\0")) == b"<html>"
    assert list(decoder.finish()) == []


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


def test_read_capped_stops_and_optionally_keeps_the_head() -> None:
    async def go() -> list[tuple[bytes, bool]]:
        return [
            await read_capped(_chunks(b"abc", b"def"), Decoder(None), 6),
            await read_capped(_chunks(b"abc", b"defg", b"never"), Decoder(None), 6),
            await read_capped(_chunks(b"abc", b"defg"), Decoder(None), 6, keep_cut=True),
            await read_capped(_chunks(gzip.compress(b"x" * 100)), Decoder("gzip"), 50),
        ]

    assert asyncio.run(go()) == [(b"abcdef", False), (b"", True), (b"abcdef", True),
                                 (b"", True)]


@pytest.mark.parametrize(("value", "expected"), [
    ("text/html; charset=UTF-8", "text/html"),
    (" Application/XHTML+XML ", "application/xhtml+xml"),
    (None, ""),
    ("", ""),
])
def test_media_type(value: str | None, expected: str) -> None:
    assert media_type(value) == expected


@pytest.mark.parametrize(("kind", "mtype", "verdict"), [
    ("page", "text/html", "accept"),
    ("page", "application/xhtml+xml", "accept"),
    ("page", "", "sniff"),
    ("page", "text/plain", "refuse"),
    ("page", "application/rss+xml", "refuse"),
    ("page", "image/jpeg", "refuse"),
    ("feed", "application/rss+xml", "accept"),
    ("feed", "application/atom+xml", "accept"),
    ("feed", "application/rdf+xml", "accept"),
    ("feed", "application/xml", "accept"),
    ("feed", "text/xml", "accept"),
    ("feed", "application/feed+json", "accept"),
    ("feed", "text/html", "sniff"),
    ("feed", "text/plain", "sniff"),
    ("feed", "", "sniff"),
    ("feed", "image/svg+xml", "refuse"),
    ("feed", "application/pdf", "refuse"),
    ("feed", "application/octet-stream", "refuse"),
])
def test_content_verdicts(kind: str, mtype: str, verdict: str) -> None:
    assert content_verdict(kind, mtype) == verdict  # type: ignore[arg-type]


@pytest.mark.parametrize(("body", "html"), [
    (b"<!DOCTYPE html><html>", True),
    (b"\xef\xbb\xbf\r\n<html lang=en>", True),
    (b"  <HEAD><title>x", True),
    (b"<!-- generated --><div>", True),
    (b"<p>Short note</p>", True),
    (b"<?xml version='1.0'?><rss>", False),
    (b"<htmlx>", False),
    (b"Plain words <html>", False),
    (b"%PDF-1.7", False),
    (b"", False),
])
def test_looks_like_html(body: bytes, html: bool) -> None:
    assert looks_like_html(body) is html


@pytest.mark.parametrize(("body", "feed"), [
    (b'<?xml version="1.0"?>\n<rss version="2.0">', True),
    (b"\xef\xbb\xbf<feed xmlns='http://www.w3.org/2005/Atom'>", True),
    (b"<rdf:RDF xmlns:rdf='x'>", True),
    (b"<?xml version='1.0'?><?xml-stylesheet href='s.xsl'?><!-- c --><rss>", True),
    (b"<!DOCTYPE html><html><body>rss feed</body></html>", False),
    (b"<?xml version='1.0'?><html xmlns='http://www.w3.org/1999/xhtml'>", False),
    (b"rss: <rss>", False),
    (b"", False),
])
def test_looks_like_feed(body: bytes, feed: bool) -> None:
    assert looks_like_feed(body) is feed


@given(st.binary(max_size=600))
def test_sniffers_take_any_bytes(body: bytes) -> None:
    assert looks_like_html(body) in (True, False)
    assert looks_like_feed(body) in (True, False)
    assert looks_like_html(b" \n" + body) is looks_like_html(body)


@pytest.mark.parametrize(("value", "seconds"), [
    ("120", 120.0),
    (" 0 ", 0.0),
    (format_datetime(NOW + timedelta(minutes=2), usegmt=True), 120.0),
    (format_datetime(NOW - timedelta(minutes=2), usegmt=True), 0.0),
    ("Wed, 04 Mar 2026 05:07:07", 60.0),  # no zone: taken as GMT
    ("-5", None),
    ("later", None),
    ("", None),
    (None, None),
])
def test_retry_after(value: str | None, seconds: float | None) -> None:
    assert retry_after(value, NOW) == seconds
