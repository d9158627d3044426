"""Response bodies: bounded decoding of Content-Encoding, and content-type checks.

httpx's own decoders inflate a whole network chunk at once, and 152 bytes of brotli can
inflate to 100 MB. So the fetcher reads the raw bytes and decodes them here, at most
``PIECE`` bytes of output per step, and stops as soon as the size cap is passed::

    body, too_large = await read_capped(response.aiter_raw(), Decoder("gzip"), 10_000_000)
"""

from __future__ import annotations

import re
import zlib
from collections.abc import AsyncIterable, Iterable, Iterator
from typing import Literal, Protocol

import brotli  # type: ignore[import-untyped]

__all__ = ["ACCEPT_ENCODING", "BodyDecodeError", "BodyTruncated", "Decoder", "UnknownEncoding",
           "content_verdict", "is_feed_type", "looks_like_feed", "looks_like_html", "media_type",
           "read_capped", "refusal_reason"]

PIECE = 64 * 1024
ACCEPT_ENCODING = "gzip, deflate, br"

Kind = Literal["page", "feed"]
Verdict = Literal["accept", "sniff", "refuse"]


class BodyDecodeError(Exception):
    """The body is not valid for its Content-Encoding."""


class BodyTruncated(BodyDecodeError):
    """The compressed stream stopped before its end: the connection was cut short."""


class UnknownEncoding(Exception):
    """A Content-Encoding this module cannot undo."""


class _Layer(Protocol):
    name: str

    def feed(self, data: bytes) -> Iterator[bytes]: ...

    def finish(self) -> Iterator[bytes]: ...


class _Zlib:
    """gzip (members may follow one another) or deflate (zlib-wrapped or, as some servers
    send it, raw: the first two bytes tell which)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._gzip = name in ("gzip", "x-gzip")
        self._head = b""  # deflate: bytes kept until the format is known
        self._seen = False
        self._d: zlib._Decompress | None = self._new() if self._gzip else None

    def _new(self) -> zlib._Decompress:
        return zlib.decompressobj(16 + zlib.MAX_WBITS)

    def _start_deflate(self, data: bytes) -> bytes:
        self._head += data
        if len(self._head) < 2:
            return b""
        cmf, flg = self._head[0], self._head[1]
        wrapped = cmf & 0x0F == 8 and (cmf << 8 | flg) % 31 == 0
        self._d = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        data, self._head = self._head, b""
        return data

    def feed(self, data: bytes) -> Iterator[bytes]:
        self._seen = self._seen or bool(data)
        if self._d is None:
            data = self._start_deflate(data)
            if self._d is None:
                return
        decompressor = self._d
        while data or not decompressor.eof:
            try:
                out = decompressor.decompress(data, PIECE)
            except zlib.error as exc:
                raise BodyDecodeError(f"invalid {self.name} data ({exc})") from exc
            if out:
                yield out
            data = decompressor.unconsumed_tail
            if decompressor.eof:
                rest = decompressor.unused_data
                if not (self._gzip and rest.strip(b"\0")):
                    return  # trailing bytes after the stream are ignored, as browsers do
                decompressor = self._d = self._new()
                data = rest
            elif not data and len(out) < PIECE:
                return

    def finish(self) -> Iterator[bytes]:
        if self._d is None:
            if self._head:
                raise BodyTruncated(f"{self.name} data ends early")
            return
        out = self._d.flush()
        if out:
            yield out
        if self._seen and not self._d.eof:  # an empty body is just empty
            raise BodyTruncated(f"{self.name} data ends early")


class _Brotli:
    name = "br"

    def __init__(self) -> None:
        self._d = brotli.Decompressor()
        self._seen = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        self._seen = self._seen or bool(data)
        try:
            out = self._d.process(data, output_buffer_limit=PIECE)
            while True:
                if out:
                    yield out
                if self._d.can_accept_more_data():
                    return
                out = self._d.process(b"", output_buffer_limit=PIECE)
        except brotli.error as exc:
            raise BodyDecodeError(f"invalid br data ({exc})") from exc

    def finish(self) -> Iterator[bytes]:
        if self._seen and not self._d.is_finished():
            raise BodyTruncated("br data ends early")
        return iter(())


class Decoder:
    """Undoes a Content-Encoding header (``gzip``, ``deflate``, ``br``, chains of them)."""

    def __init__(self, content_encoding: str | None) -> None:
        names = [n.strip().lower() for n in (content_encoding or "").split(",")]
        layers: list[_Layer] = []
        for name in reversed(names):  # the last encoding applied is undone first
            if name in ("", "identity"):
                continue
            if name in ("gzip", "x-gzip", "deflate"):
                layers.append(_Zlib(name))
            elif name == "br":
                layers.append(_Brotli())
            else:
                raise UnknownEncoding(name)
        self._layers = layers

    @property
    def identity(self) -> bool:
        return not self._layers

    def feed(self, data: bytes) -> Iterator[bytes]:
        """Decoded pieces of ``data``, produced lazily."""
        return self._pipe(0, (data,))

    def finish(self) -> Iterator[bytes]:
        """What is left once the input has ended."""
        for index, layer in enumerate(self._layers):
            yield from self._pipe(index + 1, layer.finish())

    def _pipe(self, index: int, pieces: Iterable[bytes]) -> Iterator[bytes]:
        if index == len(self._layers):
            yield from pieces
            return
        for piece in pieces:
            yield from self._pipe(index + 1, self._layers[index].feed(piece))


async def read_capped(chunks: AsyncIterable[bytes], decoder: Decoder, limit: int, *,
                      keep_cut: bool = False) -> tuple[bytes, bool]:
    """Decode the body, stopping as soon as it passes ``limit`` bytes (raw or decoded).

    Returns the body and whether it was cut; a cut body is dropped (``b""``) unless
    ``keep_cut``, in which case its first ``limit`` bytes are kept.
    """
    body = bytearray()
    raw = 0

    def take(pieces: Iterable[bytes]) -> bool:
        for piece in pieces:
            body.extend(piece)
            if len(body) > limit:
                return True
        return False

    cut = False
    async for chunk in chunks:
        raw += len(chunk)
        if take(decoder.feed(chunk)) or raw > limit:
            cut = True
            break
    else:
        cut = take(decoder.finish())
    if cut and not keep_cut:
        return b"", True
    del body[limit:]
    return bytes(body), cut


_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_XML_TYPES = frozenset({"application/xml", "text/xml"})
_FEED_SNIFF_TYPES = frozenset({"", "text/html", "text/plain"})
_BOM_AND_SPACE = b"\xef\xbb\xbf\xfe\xff\x00 \t\r\n\x0c"
# The WHATWG MIME sniffing patterns for HTML: a tag name followed by a space or '>'.
_HTML_START = re.compile(
    rb"<(?:!doctype\s+html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br"
    rb"|p|meta)(?:[\s>]|$)|<!--",
    re.IGNORECASE,
)
_FEED_ROOT = re.compile(rb"<(?:[a-z0-9_-]+:)?(?:rss|feed|rdf)[\s>/:]", re.IGNORECASE)


def media_type(content_type: str | None) -> str:
    """``"Text/HTML; charset=utf-8"`` -> ``"text/html"``; missing -> ``""``."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def content_verdict(kind: Kind, mtype: str) -> Verdict:
    """Whether a response of media type ``mtype`` is accepted as ``kind``, refused, or
    accepted only if its bytes look right."""
    if kind == "page":
        if mtype in _HTML_TYPES:
            return "accept"
        return "sniff" if mtype == "" else "refuse"
    if mtype in _XML_TYPES or (mtype.startswith("application/") and mtype.endswith("+xml")):
        return "accept"
    if mtype == "application/feed+json":
        return "accept"
    # Many real feeds are served as text/html or text/plain: the body decides.
    return "sniff" if mtype in _FEED_SNIFF_TYPES else "refuse"


def is_feed_type(mtype: str) -> bool:
    """True for the media types a feed is served as, and an HTML page is not."""
    return mtype not in _HTML_TYPES and content_verdict("feed", mtype) == "accept"


def looks_like_html(body: bytes) -> bool:
    """True if the body starts as an HTML document does."""
    return _HTML_START.match(body[:1024].lstrip(_BOM_AND_SPACE)) is not None


def looks_like_feed(body: bytes) -> bool:
    """True if an RSS, Atom or RDF root element opens within the first few KB."""
    head = body[:4096].lstrip(_BOM_AND_SPACE)
    if not head.startswith(b"<"):
        return False
    return _FEED_ROOT.search(head) is not None


def refusal_reason(kind: Kind, mtype: str, *, sniffed: bool) -> str:
    """The human reason for refusing a response of media type ``mtype``."""
    what = "HTML" if kind == "page" else "a feed"
    shape = "HTML" if kind == "page" else "RSS, Atom or RDF"
    declared = f"content type {mtype}" if mtype else "no content type"
    if kind == "page" and is_feed_type(mtype):
        return f"a feed ({declared}), not an HTML page"
    if sniffed:
        return f"not {what} ({declared}, and the body does not look like {shape})"
    return f"not {what} ({declared})"
