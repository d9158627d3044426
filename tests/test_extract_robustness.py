"""Any input gives an Article or an ExtractionError, in bounded time, without crashing."""

from __future__ import annotations

import importlib
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scraper import extract
from scraper.encoding import garbage_reason
from scraper.errors import ExtractionError, NotText
from scraper.models import PageFields
from scraper.records import one_off

PROSE = "This sentence is long enough to be read as a paragraph of prose, with a comma."


def _check_record(article: PageFields) -> None:
    paragraphs = article.body.split("\n\n") if article.body else []
    assert "\n\n\n" not in article.body
    for paragraph in paragraphs:
        assert paragraph == paragraph.strip()
        assert paragraph
        assert "  " not in paragraph
    # Only short labels ("Pros", "Best for" in every card of a review) may repeat.
    repeated = {p for p in paragraphs if paragraphs.count(p) > 1}
    for label in repeated:
        assert len(label.split()) <= 4 and any(c.isalnum() for c in label), label
        assert not label.endswith((".", "!", "?")), label
    assert one_off(article, None).to_dict()["body"] == article.body


def _extract_or_refuse(data: str | bytes) -> None:
    """The input is refused as garbage exactly when garbage_reason() names a reason;
    otherwise it gives a clean article."""
    try:
        article = extract(data)
    except NotText as exc:
        assert exc.reason == garbage_reason(data)
        assert exc.reason is not None
    else:
        assert garbage_reason(data) is None
        _check_record(article)


@pytest.mark.parametrize("html", ["", b"", "   ", b" \r\n\t "])
def test_empty_input_is_refused(html: str | bytes) -> None:
    with pytest.raises(NotText, match=r"^not HTML or text: empty$") as caught:
        extract(html, "https://example.com/a")
    assert caught.value.reason == "empty"


@pytest.mark.parametrize("html", [b"\x00\x00", "</p>", "<!-->"])
def test_markup_without_text_gives_an_empty_article_with_a_reason(html: str | bytes) -> None:
    article = extract(html, "https://example.com/a")
    assert article.body == ""
    assert article.notes == ("no article text found",)


def test_page_without_body_element_content() -> None:
    article = extract("<html><head><title>T</title></head></html>")
    assert article.body == ""
    assert article.notes == ("no article text found",)


def test_frameset_page() -> None:
    article = extract('<html><frameset><frame src="a.html"><frame src="b.html"></frameset></html>')
    assert article.body == ""
    assert article.notes == ("no article text found",)


def test_truncated_html_keeps_what_was_sent() -> None:
    article = extract(f"<html><body><article><h1>Title</h1><p>{PROSE}</p><p>Cut he")
    assert article.body == f"{PROSE}\n\nCut he"


def test_text_without_any_tag() -> None:
    assert extract(PROSE).body == PROSE


def test_canonical_links_and_addresses_that_cannot_be_parsed_are_not_fatal() -> None:
    html = f'<html><head><link rel="canonical" href="https://[news.example/a"></head>' \
           f"<body><p>{PROSE}</p></body></html>"
    article = extract(html, "https://news.example/a?utm_source=x")
    assert (article.canonical_url, article.body) == ("https://news.example/a", PROSE)
    front = html.replace("https://[news.example/a", "https://news.example/")
    assert extract(front, "https://[broken/a").canonical_url == "https://[broken/a"


def test_invalid_utf8_bytes_are_replaced_not_fatal() -> None:
    html = f"<html><body><article><p>{PROSE} \x80\xff end.</p></article></body></html>"
    article = extract(html.encode("latin-1"), content_type="text/html; charset=utf-8")
    assert article.body == f"{PROSE} \ufffd\ufffd end."


def test_invalid_utf8_bytes_outside_the_body_are_replaced_not_fatal() -> None:
    html = (f"<html><body><aside><p>Side box \x80\xff with enough text to count.</p></aside>"
            f"<article><p>{PROSE}</p><p>{PROSE} Again.</p></article></body></html>")
    article = extract(html.encode("latin-1"), content_type="text/html; charset=utf-8")
    assert article.body == f"{PROSE}\n\n{PROSE} Again."


def test_binary_garbage_is_refused() -> None:
    with pytest.raises(NotText) as caught:
        extract(bytes(range(256)) * 40)
    assert caught.value.reason == (
        "binary data: 61% of its characters are control or replacement characters")


def test_a_mebibyte_of_random_bytes_is_refused_as_binary() -> None:
    data = random.Random(8).randbytes(1 << 20)
    with pytest.raises(NotText, match=r"^not HTML or text: binary data: 5[0-9]% of its"):
        extract(data, content_type="text/html; charset=utf-8")


@pytest.mark.parametrize(("head", "what"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "a PDF document"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "a JPEG image"),
    (b"GIF89a\x01\x00", "a GIF image"),
    (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "a WebP image"),
    (b"PK\x03\x04\x14\x00", "a ZIP archive or office document"),
])
def test_files_that_are_not_pages_are_refused_by_signature(head: bytes, what: str) -> None:
    # The rest is text, so only the signature can tell.
    data = head + f"<p>{PROSE}</p>".encode() * 50
    with pytest.raises(NotText) as caught:
        extract(data)
    assert caught.value.reason == what


def test_a_page_with_a_few_control_characters_is_read() -> None:
    html = f"<html><body><article><p>{PROSE}\x0b</p><p>{PROSE}\x00 Again.</p></article>"
    assert extract(html.encode()).body.startswith(PROSE)


def test_not_text_survives_pickling_with_its_reason() -> None:
    # Extraction runs in worker processes: the error crosses a process boundary.
    import pickle

    error = pickle.loads(pickle.dumps(NotText("a PNG image")))
    assert (type(error), error.reason, str(error)) == (
        NotText, "a PNG image", "not HTML or text: a PNG image")


@pytest.mark.timeout(10)
@pytest.mark.parametrize(
    "opening", ["<div>", "<ul><li>", '<div class="x">', "<b>", "<table><tr><td>"])
def test_100k_nested_elements_are_refused_before_parsing(
        opening: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # The parser's time grows with the square of the depth: refused without calling it.
    # (The time the refusal takes: benchmarks/bounded_work.py.)
    def parser(*args: object, **kwargs: object) -> None:
        raise AssertionError("the page was parsed")

    # The module, not the package's extract() of the same name.
    monkeypatch.setattr(importlib.import_module("scraper.extract"), "LexborHTMLParser", parser)
    html = opening * 100_000 + f"<p>{PROSE}</p>"
    message = r"^elements nested about \d+ deep \(more than 5000\)"
    with pytest.raises(ExtractionError, match=message):
        extract(html)


@pytest.mark.timeout(10)
def test_closed_deep_nesting_is_refused_as_bytes_too() -> None:
    html = ("<div>" * 100_000 + f"<p>{PROSE}</p>" + "</div>" * 100_000).encode()
    with pytest.raises(ExtractionError, match="nested about"):
        extract(html)


def test_moderate_nesting_is_read() -> None:
    html = "<div>" * 500 + f"<p>{PROSE}</p>" + "</div>" * 500
    assert extract(html).body == PROSE


@pytest.mark.slow
@pytest.mark.timeout(60)
def test_20_mb_page_is_read() -> None:
    filler = "<div class='teaser'><p>" + "filler words here, " * 8 + "</p></div>"
    html = (f"<html><body><article class='story'><h1>Big</h1><p>{PROSE}</p>"
            f"<p>{PROSE} Again.</p></article><aside>{filler * 120_000}</aside></body></html>")
    assert len(html) > 20_000_000
    article = extract(html.encode())
    assert article.body == f"{PROSE}\n\n{PROSE} Again."


_TAGS = st.sampled_from(["div", "p", "span", "a", "article", "section", "ul", "li", "br",
                         "h1", "h2", "table", "tr", "td", "blockquote", "aside", "nav",
                         "script", "figure", "figcaption", "b", "em", "header", "footer"])
_CLASSES = st.sampled_from(["", "article-body", "comments", "share", "related", "lead",
                            "standfirst", "content", "ad", "sidebar", "story"])
_WORDS = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)
# Elements whose attributes hold addresses, and addresses a page may get wrong.
_LINKED = st.sampled_from([
    '<img src="{}">', '<img data-src="{}" width="{}">', '<source srcset="{}">',
    '<link rel="canonical" href="{}">', '<meta property="og:image" content="{}">',
    '<meta property="og:url" content="{}">', '<a href="{}">',
])
_ADDRESSES = st.sampled_from([
    "", " ", "/a.jpg", "a b.jpg 2x", "//[cdn.example/a.jpg", "https://[bad/", "data:x",
    "https://example.com/", "http://example.com:99999/a", "javascript:void(0)",
]) | _WORDS


@st.composite
def _html(draw: st.DrawFn) -> str:
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 60))):
        kind = draw(st.integers(0, 4))
        tag = draw(_TAGS)
        if kind == 4:
            parts.append(draw(_LINKED).format(draw(_ADDRESSES), draw(_ADDRESSES)))
        elif kind == 0:
            parts.append(f'<{tag} class="{draw(_CLASSES)}">')
        elif kind == 1:
            parts.append(f"</{tag}>")
        elif kind == 2:
            parts.append(draw(_WORDS))
        else:
            parts.append(draw(st.sampled_from([PROSE, "<br><br>", "<!-- c -->", "&amp;", "<"])))
    return "".join(parts)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_html())
def test_random_markup_gives_a_clean_article(html: str) -> None:
    _extract_or_refuse(html)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=3000))
def test_random_bytes_give_an_article_or_are_refused(data: bytes) -> None:
    _extract_or_refuse(data)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=3000))
def test_random_text_gives_an_article_or_is_refused(data: str) -> None:
    _extract_or_refuse(data)


@pytest.mark.timeout(20)
def test_many_void_and_self_closed_elements_are_not_nesting() -> None:
    html = ("<html><body><article><p>" + PROSE + "</p><div>" + "line<br>" * 60_000
            + '<svg><path d="M0 0"/></svg>' * 20_000 + "</div></article></body></html>")
    article = extract(html)
    assert article.body.startswith(PROSE + "\n\nline line line")
