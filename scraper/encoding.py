"""Turning the bytes of a page into text, the way browsers choose the charset, and
refusing input that is not text at all.

Order: byte-order mark, then the HTTP ``Content-Type`` charset (for fetched pages), then
``<meta charset>`` / ``http-equiv`` in the first bytes of the page, then detection. A label
the bytes do not fit is overruled: by UTF-8 when the bytes are valid UTF-8, else by
detection when most of their non-ASCII bytes fail under the label.

Garbage is refused with :class:`~scraper.errors.NotText`, whose ``reason`` says what the
input is instead::

    >>> garbage_reason(b"%PDF-1.7 ...")
    'a PDF document'
    >>> read_page(b"<p>Hello</p>").data
    b'<p>Hello</p>'
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import charset_normalizer

from scraper.errors import NotText

__all__ = ["PageText", "charset_from_content_type", "decode_html", "detect_charset",
           "garbage_reason", "read_page"]

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# The HTML spec's prescan looks at the first 1024 bytes; real pages put long <script>s
# before their <meta>, so we look further. Detection is the fallback, not this.
_PRESCAN_BYTES = 8192
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
_CT_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# WHATWG Encoding Standard: these labels mean windows-1252 in every browser.
_LATIN_SINGLE_BYTE = frozenset(
    {"cp1250", "cp1252", "cp1254", "cp1257", "iso8859-1", "mac-roman"}
    | {f"iso8859-{n}" for n in (2, 3, 4, 9, 10, 13, 14, 15, 16)}
)
_ALIASES = {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
            "us-ascii": "cp1252", "ascii": "cp1252", "iso8859-1": "cp1252",
            "windows-31j": "cp932", "x-sjis": "cp932"}
# WHATWG Encoding Standard: browsers read these East Asian labels with the superset the
# vendors shipped (pages labelled GB2312 use GBK characters, Shift_JIS ones use cp932's).
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "shift_jis": "cp932",
              "euc_kr": "cp949", "big5": "big5hkscs"}
# File signatures of what servers and users hand us instead of a page.
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive or office document"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"OggS", "an Ogg media file"),
    (b"\x7fELF", "an executable"),
)
# Text is judged on windows spread over it: counting over a whole page would cost a few
# percent of its extraction, and garbage shows in any part of it.
_WINDOW = 2048
_WINDOWS = 8
# Control characters that never occur in text (tab, newlines and form feed do), and the
# replacement character that decoding leaves for bytes that do not fit the charset.
_GARBAGE = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")
_CONTROL_BYTES = bytes([*range(0x09), 0x0B, *range(0x0E, 0x20), 0x7F])
# Random bytes read as UTF-8 give about 38 % such characters; real pages, even with a
# wrong label, stay far below one in ten. The floor keeps a stray byte in a short
# snippet from condemning it.
_GARBAGE_SHARE = 0.1
_GARBAGE_MIN = 8
# A label whose sampled windows turn more than this share of the non-ASCII bytes into
# U+FFFD does not describe the bytes (a stray byte in a real UTF-8 page stays far below).
_MISFIT_SHARE = 0.25


def _known(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    label = _ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # A page that says utf-16 in a <meta> it could be read with is really ASCII-compatible.
    return "utf-8" if name.startswith("utf-16") else _SUPERSETS.get(name, name)


def charset_from_content_type(content_type: str | None) -> str | None:
    """The charset named in a ``Content-Type`` header, if it is one Python knows."""
    if not content_type:
        return None
    match = _CT_CHARSET.search(content_type)
    return _known(match.group(1)) if match else None


def detect_charset(data: bytes, content_type: str | None = None) -> str:
    """The charset of page bytes, as a Python codec name ("utf-8", "cp1252", ...).

    BOM, then the HTTP charset, then ``<meta>``, then detection; a legacy label on bytes
    that are valid multi-byte UTF-8 is taken as the mislabelling it always is, and a label
    that most non-ASCII bytes do not fit gives way to detection.
    """
    return _choose(data, content_type)[0]


def _choose(data: bytes, content_type: str | None) -> tuple[str, tuple[bytes, str] | None]:
    """detect_charset, and the sample of _windows with its decode by the charset chosen
    when choosing it took them (UTF-8 labels: the decode is a fifth of read_page)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return ("utf-8-sig" if name == "utf-8" else name), None
    charset = charset_from_content_type(content_type)
    if charset is None:
        match = _META_CHARSET.search(data[:_PRESCAN_BYTES])
        charset = _known(match.group(1).decode("ascii", "replace")) if match else None
    if charset is not None and _is_single_byte(charset):
        # A page labelled with a legacy code page whose bytes are valid UTF-8 with
        # multi-byte sequences is UTF-8 mislabelled (CMS templates keep old labels);
        # such byte runs are vanishingly rare in real Latin-1 text.
        if not data.isascii() and _decodes(data, "utf-8"):
            return "utf-8", None
        return charset, None
    if charset == "utf-8":
        # Checked on a sample: a full decode would cost every page, and a page the label
        # does not fit shows it everywhere.
        sample = _windows(data)
        text = sample.decode(charset, errors="replace")
        if _misfit(sample, text):
            detected = _detect(data)
            if detected is not None and _decodes(data, detected):
                return detected, None
        return charset, (sample, text)
    if charset is not None:
        # A legacy multi-byte label on bytes it cannot decode (pages are rarely in
        # these, so the full decode is affordable): UTF-8 if they are, else detection.
        if _decodes(data, charset):
            return charset, None
        if _decodes(data, "utf-8"):
            return "utf-8", None
        sample = _windows(data)
        misfit = _misfit(sample, sample.decode(charset, errors="replace"))
        detected = _detect(data) if misfit else None
        if detected is not None and _decodes(data, detected):
            return detected, None
        return charset, None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        charset = _detect(data)
    return charset or "utf-8", None


def _detect(data: bytes) -> str | None:
    best = charset_normalizer.from_bytes(data[:200_000]).best()
    charset = _known(best.encoding) if best is not None else None
    # Statistics cannot tell Latin code pages apart on short texts; browsers fall back to
    # windows-1252 for undeclared Western pages, and so do we.
    if charset in _LATIN_SINGLE_BYTE and _decodes(data, "cp1252"):
        charset = "cp1252"
    return charset


def _windows(data: bytes) -> bytes:
    """Windows spread over ``data``, joined; cut where no UTF-8 sequence is split, so
    that the cuts make no U+FFFD (two-byte encodings stay aligned on even offsets)."""
    if len(data) <= _WINDOW * _WINDOWS:
        return data
    step = len(data) // _WINDOWS & ~1
    parts = []
    for i in range(_WINDOWS):
        start, end = i * step, i * step + _WINDOW
        while start < end and 0x80 <= data[start] < 0xC0:
            start += 1
        while start < end < len(data) and 0x80 <= data[end] < 0xC0:
            end -= 1
        parts.append(data[start:end])
    return b"".join(parts)


def _garbage_in_sample(data: bytes, charset: str, sampled: tuple[bytes, str] | None = None
                       ) -> tuple[str | None, bool]:
    """The reason to refuse page bytes read as ``charset``, if any, and whether the
    sampled windows hold U+FFFD (``sampled``: the sample and its decode, if taken)."""
    if charset in ("utf-16-le", "utf-16-be"):
        text = _windows(data[2:]).decode(charset, errors="replace")
        return _garbage_in(text, len(_GARBAGE.findall(text))), "\ufffd" in text
    if sampled is None:
        sample = _windows(data)
        text = sample.decode(charset, errors="replace")
    else:
        sample, text = sampled
    replaced = text.count("\ufffd")
    # Every other charset we read is ASCII-compatible, a control character one byte:
    # counted on the bytes, four times as fast as the pattern.
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return _garbage_in(text, controls + replaced), replaced > 0


def _misfit(sample: bytes, text: str) -> bool:
    """Whether most of the non-ASCII bytes of a sample fail under the charset that
    decoded it to ``text``."""
    replaced = text.count("\ufffd")
    if replaced < _GARBAGE_MIN:
        return False
    foreign = len(sample) - len(sample.decode("ascii", errors="ignore"))
    return replaced > foreign * _MISFIT_SHARE


def _is_single_byte(charset: str) -> bool:
    return charset in _LATIN_SINGLE_BYTE or charset.startswith(("cp12", "iso8859", "koi8"))


def _decodes(data: bytes, charset: str) -> bool:
    try:
        data.decode(charset)
    except UnicodeDecodeError:
        return False
    return True


def decode_html(data: bytes, content_type: str | None = None) -> str:
    """Decode page bytes to text; never raises (undecodable bytes become U+FFFD)."""
    return _decode(data, detect_charset(data, content_type))


def _decode(data: bytes, charset: str) -> str:
    if charset in ("utf-16-le", "utf-16-be"):
        data = data[2:]
    return data.decode(charset, errors="replace")


def _signature(data: bytes) -> str | None:
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return what
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "a WebP image"
    if data[4:8] == b"ftyp":
        return "an MP4 or HEIF media file"
    return None


def _blank(data: bytes) -> bool:
    # isspace() stops at the first other byte; strip() would copy the page.
    return not data or data.isspace()


def _garbage_in(text: str, bad: int) -> str | None:
    """The reason to refuse ``text``, which holds ``bad`` control or replacement
    characters, if any."""
    if bad >= _GARBAGE_MIN and bad > len(text) * _GARBAGE_SHARE:
        return (f"binary data: {bad / len(text):.0%} of its characters are control or "
                "replacement characters")
    return None


def garbage_reason(data: bytes | str, content_type: str | None = None) -> str | None:
    """Why ``data`` cannot be a page, or None when it reads as text.

    The reasons: a file signature ("a PNG image", "a PDF document", ...), "empty" (nothing
    but whitespace), or "binary data: N% of its characters are control or replacement
    characters" (one in ten or more, measured on windows spread over the text as decoded
    by :func:`detect_charset`). ``content_type`` is the HTTP header, for fetched bytes.

    >>> garbage_reason(bytes(range(256)) * 40)
    'binary data: 61% of its characters are control or replacement characters'
    """
    if isinstance(data, str):
        if not data.strip():
            return "empty"
        step = max(_WINDOW, len(data) // _WINDOWS)
        text = "".join(data[i:i + _WINDOW] for i in range(0, len(data), step))
        return _garbage_in(text, len(_GARBAGE.findall(text)))
    return _signature(data) or ("empty" if _blank(data) else None) or _garbage_in_sample(
        data, *_choose(data, content_type))[0]


@dataclass(frozen=True, slots=True)
class PageText:
    """Page bytes made ready for the HTML parser.

    ``data`` is the input itself when it is valid UTF-8 bytes (the parser reads them
    without a copy) or a string, else the decoded text; ``warning`` says how many
    characters did not fit the charset and were replaced by U+FFFD.
    """

    data: bytes | str
    charset: str
    warning: str | None = None

    @classmethod
    def decoded(cls, data: bytes, charset: str) -> PageText:
        """``data`` decoded, bytes that do not fit ``charset`` replaced and counted."""
        text = _decode(data, charset)
        # A U+FFFD the page itself wrote is counted too: it reads the same.
        replaced = text.count("\ufffd")
        warning = (f"{replaced} characters do not fit the charset {charset} and were "
                   "replaced" if replaced else None)
        return cls(text, charset, warning)


def read_page(data: bytes | str, content_type: str | None = None) -> PageText:
    """Choose the charset of page bytes, decode them if needed, and refuse garbage.

    Raises :class:`~scraper.errors.NotText` with the reason of :func:`garbage_reason`.
    """
    if isinstance(data, str):
        reason = garbage_reason(data)
        if reason is not None:
            raise NotText(reason)
        return PageText(data, "utf-8")
    reason = _signature(data) or ("empty" if _blank(data) else None)
    if reason is not None:
        raise NotText(reason)
    charset, sampled = _choose(data, content_type)
    reason, replaced = _garbage_in_sample(data, charset, sampled)
    if reason is not None:
        raise NotText(reason)
    if charset == "utf-8-sig":
        data, charset = data[3:], "utf-8"
    if charset == "utf-8" and not replaced:
        return PageText(data, charset)
    return PageText.decoded(data, charset)
