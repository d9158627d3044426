from __future__ import annotations

import codecs

from hypothesis import given
from hypothesis import strategies as st

from scraper.encoding import charset_from_content_type, decode_html, detect_charset


def test_bom_wins_over_everything() -> None:
    data = codecs.BOM_UTF8 + '<meta charset="windows-1252"><p>café</p>'.encode()
    assert detect_charset(data, "text/html; charset=iso-8859-2") == "utf-8-sig"
    assert decode_html(data, "text/html; charset=iso-8859-2") == (
        '<meta charset="windows-1252"><p>café</p>')


def test_utf16_bom() -> None:
    data = codecs.BOM_UTF16_LE + "<p>žluťoučký</p>".encode("utf-16-le")
    assert decode_html(data) == "<p>žluťoučký</p>"


def test_http_charset_comes_before_meta() -> None:
    data = '<meta charset="utf-8"><p>Zürich</p>'.encode("iso-8859-15")
    assert decode_html(data, 'text/html; charset="ISO-8859-15"') == (
        '<meta charset="utf-8"><p>Zürich</p>')


def test_meta_charset_and_http_equiv() -> None:
    page = ('<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=windows-1252">'
            "<p>“Hi” — é</p>")
    assert decode_html(page.encode("cp1252")) == page
    assert detect_charset(b'<meta charset="Shift_JIS">') == "shift_jis"


def test_latin1_label_means_windows_1252() -> None:
    # Browsers decode a page labelled iso-8859-1 as windows-1252, so 0x93/0x94 are quotes.
    assert decode_html(b'<meta charset="iso-8859-1"><p>\x93q\x94</p>') == (
        '<meta charset="iso-8859-1"><p>\u201cq\u201d</p>')


def test_undeclared_utf8_and_undeclared_legacy() -> None:
    assert detect_charset("<p>naïve café</p>".encode()) == "utf-8"
    text = "<p>Ceci est une phrase française assez longue, écrite à l’été, déjà lue.</p>" * 5
    assert decode_html(text.encode("cp1252")) == text


def test_unknown_labels_are_ignored() -> None:
    assert charset_from_content_type("text/html; charset=x-no-such-charset") is None
    assert charset_from_content_type(None) is None
    assert detect_charset(b'<meta charset="bogus"><p>ok</p>') == "utf-8"


@given(st.binary(max_size=2000), st.one_of(st.none(), st.text(max_size=40)))
def test_decode_never_raises(data: bytes, content_type: str | None) -> None:
    assert isinstance(decode_html(data, content_type), str)


def test_utf8_bytes_under_a_legacy_label_are_utf8() -> None:
    data = '<meta charset="iso-8859-15"><p>sanción, über</p>'.encode()
    assert detect_charset(data) == "utf-8"
    assert detect_charset(data, "text/html; charset=windows-1252") == "utf-8"
    # Real Latin-1 bytes keep their label.
    legacy = '<meta charset="iso-8859-15"><p>sanción</p>'.encode("iso-8859-15")
    assert decode_html(legacy) == '<meta charset="iso-8859-15"><p>sanción</p>'
