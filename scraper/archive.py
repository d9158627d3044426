"""The raw page archive: every fetched article page written as WARC, and read back.

The poller (and ``scraper scrape``) hand each page they fetched to a :class:`WarcArchive`;
``scraper reextract`` reads the files back with :func:`read_warc`. Each page is three
records, in this order:

* ``response``: the status line, the response headers and the body **as decoded** by the
  fetcher. The body the server sent compressed (``Content-Encoding: gzip``, ``br``...) is not
  kept: the headers are fixed to match what is stored (``Content-Encoding`` and
  ``Transfer-Encoding`` dropped, ``Content-Length`` set to the stored length), so any WARC
  tool replays the record as it is;
* ``request``: ``GET`` of the final URL with its ``Host`` (the fetcher's own request headers
  are not known outside it, so they are not claimed here);
* ``metadata`` (``application/json``, ``WARC-Concurrent-To`` the response): what the poller
  knew when it fetched the page: source, feed, the link it followed and the feed entry.
  Re-extraction needs the entry to fill the fields a page lacks exactly as the poll did.

Files are ``<directory>/<worker>-<YYYYmmddHHMMSS>-<serial>.warc.gz`` (one gzip member per
record, the usual WARC layout, so a reader can seek to a record), rotated once a file passes
``max_size`` bytes. ``worker`` names the process writing (``local`` by default; one per worker
in the distributed mode), so two writers never share a file. A file is never appended to
after it is closed: a crash leaves at most one truncated record at the end of one file,
which :func:`read_warc` reports as an :class:`~scraper.errors.ArchiveError`.

A page of the archive is named by a :class:`PageRef` (file and offset);
:func:`read_and_extract` reads one and extracts it, the job ``scraper reextract`` runs in its
worker processes (this module imports little, so a worker starts fast).

    with WarcArchive(Path("output/archive"), max_size=1_000_000_000) as archive:
        archive.write(page)
    for page in read_warc(path):
        page.url, page.content, page.entry
"""

from __future__ import annotations

import contextlib
import gzip
import http
import io
import json
import os
import re
import threading
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from scraper.errors import ArchiveError, ExtractionError
from scraper.models import ExtractRules, PageFields, format_time, parse_time

if TYPE_CHECKING:  # the configuration is read, never imported, so workers start lean
    from scraper.config import Config

__all__ = [
    "ARCHIVE_DIR",
    "DEFAULT_MAX_SIZE",
    "ArchivedPage",
    "Extracted",
    "IndexEntry",
    "PageRef",
    "WarcArchive",
    "index_path",
    "load",
    "read_and_extract",
    "read_index",
    "read_warc",
    "read_warc_at",
]

ARCHIVE_DIR = "archive"  # under the output directory


def open_archive(config: Config, output: Path, worker: str = "local") -> WarcArchive | None:
    """The raw page archive ``settings: archive`` asks for (None when it is off); ``worker``
    names this process in the file names (one writer per worker in the distributed mode)."""
    if config.archive.format != "warc":
        return None
    return WarcArchive(output / ARCHIVE_DIR, worker=worker, max_size=config.archive.max_size)

DEFAULT_MAX_SIZE = 1_000_000_000  # the size CommonCrawl and Heritrix rotate WARC files at
# zlib's default. warcio's own writer uses 9: on fundus-dev pages (290 KB on average) that
# cost 7.1 ms per page against 4.4 ms at 6, for a file 0.5 % smaller (1 would be 1.7 ms and
# 19 % larger). The poller pays it in its event loop, on every page.
COMPRESS_LEVEL = 6
# Beside each WARC file, one JSON line per page (offset, length, URLs, time): `scraper
# reextract` learns what a file holds without inflating it. The WARC stays the truth: an
# index that does not cover its file exactly is ignored.
INDEX_SUFFIX = ".idx"
METADATA_TYPE = "application/json"
# Hop-by-hop and encoding headers that describe the bytes on the wire, not the bytes stored.
_WIRE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding",
                           "connection", "keep-alive"})
_WORKER_NAME = re.compile(r"[A-Za-z0-9_.-]+")


@dataclass(frozen=True, slots=True)
class ArchivedPage:
    """One fetched page as archived: the response and what the poller knew of it."""

    url: str  # the final URL, after redirects
    status: int
    headers: Mapping[str, str]  # lower-cased names, as the fetcher gave them
    content: bytes  # decoded: no content-encoding left
    fetched_at: datetime  # UTC
    requested_url: str | None = None  # the link followed, before redirects
    source: str | None = None
    feed_url: str | None = None
    entry: Mapping[str, Any] | None = None  # the feed entry's fields (JSON values)
    offset: int = 0  # where the page's response record starts in its file
    extra: Mapping[str, Any] = field(default_factory=dict)  # other metadata fields, kept


def _stored_headers(headers: Mapping[str, str], length: int) -> list[tuple[str, str]]:
    kept = [(name, value) for name, value in headers.items()
            if name.lower() not in _WIRE_HEADERS]
    kept.append(("content-length", str(length)))
    return kept


def _status_line(status: int) -> str:
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown"
    return f"{status} {phrase}"


class WarcArchive:
    """Appends pages to size-rotated WARC files under ``directory``; one writer per process
    (or per worker: ``worker`` is part of every file name). ``write`` may be called from
    several threads: pages are compressed side by side and appended one at a time."""

    def __init__(self, directory: Path, *, worker: str = "local",
                 max_size: int = DEFAULT_MAX_SIZE,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        if not _WORKER_NAME.fullmatch(worker):
            raise ArchiveError(str(directory), f"worker name {worker!r} cannot be part of a "
                               "file name (use A-Z a-z 0-9 _ . -)")
        self.directory = directory
        self.worker = worker
        self.max_size = max_size
        self._now = now
        self._file: io.BufferedWriter | None = None
        self._index: io.BufferedWriter | None = None
        self._lock = threading.Lock()
        self._serial = 0
        self.path: Path | None = None  # the file being written
        self.pages = 0

    def __enter__(self) -> WarcArchive:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _open(self) -> io.BufferedWriter:
        stamp = self._now().astimezone(UTC).strftime("%Y%m%d%H%M%S")
        self.directory.mkdir(parents=True, exist_ok=True)
        while True:
            self._serial += 1
            path = self.directory / f"{self.worker}-{stamp}-{self._serial:05d}.warc.gz"
            try:
                # "x": a file of an earlier run (same second, same serial) is never reopened.
                self._file = path.open("xb")
            except FileExistsError:
                continue
            break
        self.path = path
        self._index = index_path(path).open("wb")
        return self._file

    def write(self, page: ArchivedPage) -> None:
        """Append one page (response, request and metadata records); ArchiveError when the
        file cannot be written. Rotates to a new file once the current one passed
        ``max_size``."""
        # One gzip member per record, the layout WARC readers seek in.
        data = b"".join(_gzip_member(record) for record in _page_records(page))
        with self._lock:
            self._append(page, data)

    def _append(self, page: ArchivedPage, data: bytes) -> None:
        try:
            file = self._file or self._open()
            start = file.tell()
            file.write(data)
            file.flush()
            if self._index is not None:
                self._index.write(_index_line(page, start, len(data)))
                self._index.flush()
            self.pages += 1
            if file.tell() >= self.max_size:
                self._close()
        except OSError as exc:
            where = str(self.path or self.directory)
            self._close()
            raise ArchiveError(where, f"cannot write the page {page.url}: "
                               f"{exc.strerror or exc}") from exc

    def close(self) -> None:
        """Close the current file (the next write opens a new one)."""
        with self._lock:
            self._close()

    def _close(self) -> None:
        for handle in (self._file, self._index):
            if handle is not None:
                with contextlib.suppress(OSError):
                    handle.close()
        self._file = self._index = None


def index_path(path: Path) -> Path:
    """The index written beside a WARC file of the archive."""
    return path.with_name(path.name + INDEX_SUFFIX)


def _index_line(page: ArchivedPage, offset: int, length: int) -> bytes:
    entry = {"offset": offset, "length": length, "url": page.url,
             "requested_url": page.requested_url,
             "fetched_at": format_time(page.fetched_at)}
    return (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One page of a WARC file as its index lists it."""

    offset: int
    url: str
    requested_url: str | None
    fetched_at: datetime


def read_index(path: Path) -> list[IndexEntry] | None:
    """The pages of the WARC file ``path`` from its index, without reading the WARC; None
    when there is no index or it does not cover the file exactly (a crash between the two
    writes, a file cut short or grown by another writer): then the WARC must be read."""
    try:
        lines = index_path(path).read_bytes().splitlines()
        size = path.stat().st_size
    except OSError:
        return None
    entries = []
    end = 0
    try:
        for line in lines:
            value = json.loads(line)
            if value["offset"] != end:
                return None
            end = value["offset"] + value["length"]
            entries.append(IndexEntry(
                value["offset"], value["url"], value.get("requested_url"),
                parse_time(value["fetched_at"])))
    except (ValueError, KeyError, TypeError):
        return None
    return entries if end == size else None


def _gzip_member(record: bytes) -> bytes:
    compressor = zlib.compressobj(COMPRESS_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS + 16)
    return compressor.compress(record) + compressor.flush()


def _page_records(page: ArchivedPage) -> tuple[bytes, bytes, bytes]:
    """The response, request and metadata records of a page, uncompressed."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)

    def serialize(record: Any) -> bytes:
        buffer.seek(0)
        buffer.truncate()
        writer.write_record(record)
        return buffer.getvalue()

    date = format_time(page.fetched_at)
    http_headers = StatusAndHeaders(_status_line(page.status),
                                    _stored_headers(page.headers, len(page.content)),
                                    protocol="HTTP/1.1")
    response = writer.create_warc_record(
        page.url, "response", payload=io.BytesIO(page.content), length=len(page.content),
        http_headers=http_headers, warc_headers_dict={"WARC-Date": date})
    parts = urlsplit(page.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    request_headers = StatusAndHeaders(f"GET {target} HTTP/1.1",
                                       [("Host", parts.netloc)], is_http_request=True)
    response_id = response.rec_headers.get_header("WARC-Record-ID")
    request = writer.create_warc_record(
        page.url, "request", http_headers=request_headers,
        warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": response_id})
    fields = {"requested_url": page.requested_url, "source": page.source,
              "feed_url": page.feed_url, "entry": page.entry, **page.extra}
    body = json.dumps(fields, ensure_ascii=False, sort_keys=True).encode("utf-8")
    metadata = writer.create_warc_record(
        page.url, "metadata", payload=io.BytesIO(body), length=len(body),
        warc_content_type=METADATA_TYPE,
        warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": response_id})
    return serialize(response), serialize(request), serialize(metadata)


# -- reading ----------------------------------------------------------------------------


def _headers(record: Any) -> dict[str, str]:
    http_headers = record.http_headers
    if http_headers is None:
        return {}
    return {name.lower(): value for name, value in http_headers.headers}


def _fetched_at(record: Any) -> datetime:
    text = record.rec_headers.get_header("WARC-Date") or ""
    try:
        return datetime.strptime(text[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return datetime.fromtimestamp(0, UTC)


def _page(response: Any, content: bytes, offset: int, meta: Mapping[str, Any]) -> ArchivedPage:
    status = response.http_headers.get_statuscode() if response.http_headers else None
    entry = meta.get("entry")
    known = ("requested_url", "source", "feed_url", "entry")

    def text(key: str) -> str | None:
        value = meta.get(key)
        return value if isinstance(value, str) else None

    return ArchivedPage(
        url=response.rec_headers.get_header("WARC-Target-URI") or "",
        status=int(status) if status and str(status).isdigit() else 0,
        headers=_headers(response), content=content, fetched_at=_fetched_at(response),
        requested_url=text("requested_url"), source=text("source"),
        feed_url=text("feed_url"), entry=entry if isinstance(entry, dict) else None,
        offset=offset, extra={k: v for k, v in meta.items() if k not in known},
    )


class _QuietIterator(ArchiveIterator):  # type: ignore[misc]
    """warcio's iterator without its warning on stderr about a record whose length is off
    (printed with the raw bytes that follow): ``_records`` reports it as an ArchiveError."""

    def _consume_blanklines(self) -> Any:
        with contextlib.redirect_stderr(io.StringIO()):
            return super()._consume_blanklines()


def _records(path: Path, start: int = 0) -> Iterator[tuple[Any, bytes, int, int]]:
    """(record, content, offset, end) of each record from ``start`` on; ArchiveError for a
    file that is damaged, truncated or not WARC (warcio itself stops silently on some)."""
    where = str(path)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ArchiveError(where, exc.strerror or str(exc)) from exc
    end = start
    with handle:
        size = os.fstat(handle.fileno()).st_size
        handle.seek(start)
        # Digests checked: a record cut short reads as a shorter body, not as an error.
        iterator = _QuietIterator(handle, check_digests="raise")
        try:
            for record in iterator:
                content = record.content_stream().read()
                offset = iterator.get_record_offset()
                decompressor = iterator.reader.decompressor if iterator.reader else None
                if decompressor is not None and not getattr(decompressor, "eof", True):
                    # The gzip member ended early: its last bytes, or its trailer, are gone.
                    raise ArchiveError(where, f"truncated record at offset {offset}")
                end = offset + iterator.get_record_length()
                if iterator.err_count:
                    raise ArchiveError(where, f"damaged record at offset {offset}: it is not "
                                       "followed by the blank line its length promises")
                yield record, content, offset, end
        except ArchiveError:
            raise
        except Exception as exc:
            # warcio meets untrusted bytes with whatever its code trips on (ArchiveLoadFailed,
            # zlib.error, but also AttributeError on a record without a target URI): every
            # one of them means this file is damaged from here on.
            decompressor = iterator.reader.decompressor if iterator.reader else None
            if (decompressor is not None and not getattr(decompressor, "eof", True)
                    and not isinstance(exc, zlib.error) and handle.tell() >= size):
                # The file ended inside a gzip member whose bytes inflated fine: cut short.
                raise ArchiveError(where, f"truncated record at offset {end}") from exc
            reason = str(exc)
            if len(reason) > 200:  # warcio quotes the whole unreadable line
                reason = reason[:200] + "..."
            raise ArchiveError(where, f"damaged record after offset {end}: {reason}") from exc
        if end < size and start == 0:
            raise ArchiveError(where, f"truncated or not WARC: {size - end} bytes after "
                               f"offset {end} are not a complete record")


def read_warc(path: Path) -> Iterator[ArchivedPage]:
    """Every archived page of a WARC file (``.warc`` or ``.warc.gz``), in file order.

    Responses of other writers come without metadata (source and entry None). Raises
    ArchiveError at the first damaged record, after yielding the pages before it."""
    pending: tuple[Any, bytes, int] | None = None
    for record, content, offset, _end in _records(path):
        kind = record.rec_type
        if kind == "response":
            if pending is not None:
                yield _page(*pending, {})
            pending = (record, content, offset)
        elif kind == "metadata" and pending is not None and (
                record.rec_headers.get_header("WARC-Concurrent-To")
                == pending[0].rec_headers.get_header("WARC-Record-ID")):
            record_meta = _metadata_of(record, content)
            yield _page(*pending, record_meta)
            pending = None
    if pending is not None:
        yield _page(*pending, {})


def _metadata_of(record: Any, content: bytes) -> dict[str, Any]:
    if record.rec_headers.get_header("Content-Type") != METADATA_TYPE:
        return {}
    try:
        value = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return {}
    return value if isinstance(value, dict) else {}


def read_warc_at(path: Path, offset: int) -> ArchivedPage:
    """The page whose response record starts at ``offset`` (see ArchivedPage.offset): the
    unit of work a job queue hands to a worker without sending the page itself."""
    for page in _read_from(path, offset):
        return page
    raise ArchiveError(str(path), f"no response record at offset {offset}")


def _read_from(path: Path, offset: int) -> Iterator[ArchivedPage]:
    pending: tuple[Any, bytes, int] | None = None
    for record, content, record_offset, _end in _records(path, offset):
        if pending is None:
            if record.rec_type != "response":
                break
            pending = (record, content, record_offset)
            continue
        if record.rec_type == "metadata" and (
                record.rec_headers.get_header("WARC-Concurrent-To")
                == pending[0].rec_headers.get_header("WARC-Record-ID")):
            yield _page(*pending, _metadata_of(record, content))
            return
        if record.rec_type == "response":
            break
    if pending is not None:
        yield _page(*pending, {})


# -- one page of the archive, the unit of work of `scraper reextract` ---------------------


@dataclass(frozen=True, slots=True, order=True)
class PageRef:
    """One page to re-extract: a WARC file and its response record's offset, or a saved
    HTML file (``offset`` None)."""

    path: Path
    offset: int | None = None


def load(ref: PageRef) -> ArchivedPage:
    """The page a PageRef names; ArchiveError when it cannot be read."""
    if ref.offset is not None:
        return read_warc_at(ref.path, ref.offset)
    try:
        data = ref.path.read_bytes()
        if ref.path.name.lower().endswith(".gz"):
            data = gzip.decompress(data)
        mtime = ref.path.stat().st_mtime
    except OSError as exc:
        raise ArchiveError(str(ref.path), exc.strerror or str(exc)) from exc
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise ArchiveError(str(ref.path), f"damaged gzip: {exc}") from exc
    # A saved page has no response: its time is the file's, its address its canonical link.
    return ArchivedPage(url="", status=200, headers={}, content=data,
                        fetched_at=datetime.fromtimestamp(int(mtime), UTC))


# A page read and extracted (its content dropped), or why it could not be.
Extracted = tuple[ArchivedPage, PageFields] | str
# scraper.extract.extract's signature: (html, url, rules, *, content_type) -> PageFields.
ExtractFunction = Callable[..., PageFields]


def read_and_extract(ref: PageRef, rules: Mapping[str, ExtractRules],
                     extract: ExtractFunction | None = None) -> Extracted:
    """One job: read the page ``ref`` names and extract it with its source's rules. Run in a
    pool worker, so the page's bytes are read there and never cross to the parent; the
    result carries the page without them."""
    if extract is None:
        from scraper.extract import extract as extract_page
    else:
        extract_page = extract
    try:
        archived = load(ref)
    except ArchiveError as exc:
        return exc.reason
    try:
        article = extract_page(archived.content, archived.url or None,
                               rules.get(archived.source or "", ExtractRules()),
                               content_type=archived.headers.get("content-type"))
    except ExtractionError as exc:
        return f"extraction failed: {exc}"
    except Exception as exc:
        # A bug met on one page (untrusted input reaches a lot of code) must not stop the
        # run: the page is counted as failed with what went wrong.
        return f"unexpected error: {exc!r}"
    if not article.body.strip():
        return "the page has no article text"
    return replace(archived, content=b""), article
