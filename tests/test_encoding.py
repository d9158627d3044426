from __future__ import annotations

import codecs

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scraper.encoding import (
    charset_from_content_type,
    decode_html,
    detect_charset,
    garbage_reason,
    read_page,
)
from scraper.errors import NotText


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
    # Read with the superset browsers use for the label (WHATWG Encoding Standard).
    assert detect_charset(b'<meta charset="Shift_JIS">') == "cp932"


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


CYRILLIC = "Президент страны заявил журналистам, что переговоры продолжатся в пятницу. " * 20


def test_utf8_label_on_cp1251_bytes_gives_way_to_detection() -> None:
    page = f'<html><head><meta charset="utf-8"></head><body><p>{CYRILLIC}</p></body></html>'
    data = page.encode("cp1251")
    assert detect_charset(data) == "cp1251"
    assert detect_charset(data, "text/html; charset=UTF-8") == "cp1251"
    read = read_page(data, "text/html; charset=utf-8")
    assert (read.data, read.charset, read.warning) == (page, "cp1251", None)


def test_a_stray_byte_in_a_utf8_page_keeps_the_label_and_is_counted() -> None:
    page = f'<meta charset="utf-8"><p>{CYRILLIC}</p><p>caf\x00</p>'.encode()
    data = page.replace(b"caf\x00", b"caf\xe9")
    assert detect_charset(data) == "utf-8"
    read = read_page(data)
    assert read.charset == "utf-8"
    assert isinstance(read.data, str) and read.data.endswith("<p>caf\ufffd</p>")
    assert read.warning == "1 characters do not fit the charset utf-8 and were replaced"


@pytest.mark.parametrize("label", ["GB2312", "Shift_JIS", "EUC-KR", "Big5", "EUC-JP"])
def test_utf8_bytes_under_a_multibyte_legacy_label_are_utf8(label: str) -> None:
    page = f'<meta charset="{label}"><p>北京市 東京都 서울특별시 – “quoted” café</p>'
    assert detect_charset(page.encode()) == "utf-8"
    assert decode_html(page.encode(), f"text/html; charset={label}") == page


def test_multibyte_legacy_labels_read_with_the_browsers_supersets() -> None:
    # "髙" (a cp932 extension) and "镕" (GBK, not GB2312) are common in names.
    assert decode_html('<meta charset="shift_jis"><p>髙橋</p>'.encode("cp932")) == (
        '<meta charset="shift_jis"><p>髙橋</p>')
    assert decode_html('<meta charset="gb2312"><p>朱镕基</p>'.encode("gbk")) == (
        '<meta charset="gb2312"><p>朱镕基</p>')
    # Real legacy bytes keep their label.
    euc = '<meta charset="euc-kr"><p>서울특별시</p>'
    assert detect_charset(euc.encode("cp949")) == "cp949"


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "empty"),
    (b"  \n\t", "empty"),
    ("", "empty"),
    (b"%PDF-1.4\n<p>text</p>", "a PDF document"),
    (b"\x1f\x8b\x08\x00", "gzip-compressed data"),
    (b"\x00\x00\x00\x18ftypheic", "an MP4 or HEIF media file"),
    ("a\x00b\x01c\x02d\x03e\x04f\x05g\x06h\x07", "binary data: 50% of its characters "
     "are control or replacement characters"),
])
def test_garbage_reason_names_what_the_input_is(data: bytes | str, reason: str) -> None:
    assert garbage_reason(data) == reason
    with pytest.raises(NotText) as caught:
        read_page(data)
    assert caught.value.reason == reason


@pytest.mark.parametrize("data", [
    b"<p>Hello</p>", "<p>Hello</p>", "plain text, no markup",
    f"<p>{CYRILLIC}</p>".encode("cp1251"), f"<p>{CYRILLIC}</p>".encode("koi8-r"),
    # Seven stray bytes in a short page: under the floor, read with replacements.
    b"<p>" + b"caf\xe9 " * 7 + b"</p>",
    # Tabs, newlines and form feeds are text.
    b"<p>a\tb\r\nc\x0cd</p>" * 50,
])
def test_garbage_reason_accepts_text(data: bytes | str) -> None:
    assert garbage_reason(data) is None
    assert read_page(data).data


def test_garbage_in_a_large_text_shows_in_the_sampled_windows() -> None:
    noise = bytes(range(256)) * 4000
    assert garbage_reason(b"<html><p>" + noise) is not None
    assert garbage_reason("<p>text</p>" * 100_000) is None


@given(st.binary(max_size=4000), st.one_of(st.none(), st.text(max_size=40)))
def test_read_page_gives_text_or_a_reason(data: bytes, content_type: str | None) -> None:
    try:
        read = read_page(data, content_type)
    except NotText as exc:
        assert exc.reason == garbage_reason(data, content_type)
    else:
        assert garbage_reason(data, content_type) is None
        text = read.data if isinstance(read.data, str) else read.data.decode("utf-8")
        assert (read.warning is None) == ("\ufffd" not in text)
