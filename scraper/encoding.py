"""Turning the bytes of a page into text, the way browsers choose the charset.

Order: byte-order mark, then the HTTP ``Content-Type`` charset (for fetched pages), then
``<meta charset>`` / ``http-equiv`` in the first bytes of the page, then detection.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

__all__ = ["charset_from_content_type", "decode_html", "detect_charset"]

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
            "us-ascii": "cp1252", "ascii": "cp1252", "iso8859-1": "cp1252"}


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
    return "utf-8" if name.startswith("utf-16") else name


def charset_from_content_type(content_type: str | None) -> str | None:
    """The charset named in a ``Content-Type`` header, if it is one Python knows."""
    if not content_type:
        return None
    match = _CT_CHARSET.search(content_type)
    return _known(match.group(1)) if match else None


def detect_charset(data: bytes, content_type: str | None = None) -> str:
    """The charset of page bytes, as a Python codec name ("utf-8", "cp1252", ...).

    BOM, then the HTTP charset, then ``<meta>``, then detection; a legacy single-byte label
    on bytes that are valid multi-byte UTF-8 is taken as the mislabelling it always is.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return "utf-8-sig" if name == "utf-8" else name
    charset = charset_from_content_type(content_type)
    if charset is None:
        match = _META_CHARSET.search(data[:_PRESCAN_BYTES])
        charset = _known(match.group(1).decode("ascii", "replace")) if match else None
    if charset is not None and _is_single_byte(charset):
        # A page labelled with a legacy code page whose bytes are valid UTF-8 with
        # multi-byte sequences is UTF-8 mislabelled (CMS templates keep old labels);
        # such byte runs are vanishingly rare in real Latin-1 text.
        if not data.isascii() and _decodes(data, "utf-8"):
            return "utf-8"
        return charset
    if charset is None:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            best = charset_normalizer.from_bytes(data[:200_000]).best()
            charset = _known(best.encoding) if best is not None else None
            # Statistics cannot tell Latin code pages apart on short texts; browsers fall
            # back to windows-1252 for undeclared Western pages, and so do we.
            if charset in _LATIN_SINGLE_BYTE and _decodes(data, "cp1252"):
                charset = "cp1252"
    return charset or "utf-8"


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
    charset = detect_charset(data, content_type)
    if charset in ("utf-16-le", "utf-16-be"):
        data = data[2:]
    return data.decode(charset, errors="replace")
