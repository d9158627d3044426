"""Images of the article: lead image, figures and caption structures, credits, teasers left out."""

from __future__ import annotations

import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from scraper.extract import captions
from scraper.extract.captions import _any_of, extract_images
from scraper.extract.metadata import PageMetadata
from scraper.models import Image

BASE = "https://news.example.com/world/story-1"


def _images(html: str, meta: PageMetadata | None = None, root: str = "article") -> list[Image]:
    tree = LexborHTMLParser(html)
    return extract_images(tree, tree.css_first(root) or tree.body, meta or PageMetadata(), BASE)


@pytest.mark.parametrize(("img", "url"), [
    ('<img src="  " data-src="/img/lazy.jpg">', "https://news.example.com/img/lazy.jpg"),
    ('<img src="   ">', None),
    ('<img src="//[cdn.example.com/a.jpg">', None),
])
def test_blank_and_unparsable_picture_addresses_are_skipped(img: str, url: str | None) -> None:
    html = f"<article><figure>{img}<figcaption>Rescue workers at the site.</figcaption>" \
           "</figure><p>Text.</p></article>"
    assert _images(html) == [Image(url=url, caption="Rescue workers at the site.")]


def test_figure_with_figcaption_and_credit_label() -> None:
    html = """<article><figure><img src="/img/a.jpg" width="800">
      <figcaption>Rescue workers at the site. Photo: Jane Doe/Reuters</figcaption></figure>
      <p>Text.</p></article>"""
    assert _images(html) == [Image(url="https://news.example.com/img/a.jpg",
                                   caption="Rescue workers at the site.",
                                   credit="Jane Doe/Reuters")]


def test_credit_in_its_own_element_is_cut_from_the_caption() -> None:
    html = """<article><figure><picture><img src="https://cdn.example.com/b.jpg"></picture>
      <figcaption><span class="caption">A crowd at the castle</span>
      <span class="credit">(Image: LightRocket via Getty Images)</span></figcaption></figure>
      </article>"""
    assert _images(html) == [Image(url="https://cdn.example.com/b.jpg",
                                   caption="A crowd at the castle",
                                   credit="LightRocket via Getty Images")]


def test_credit_in_small_and_cite_elements() -> None:
    html = """<article>
      <figure><img src="/1.jpg"><figcaption>Der Kanzler in Berlin.
        <small>© Axel Heimken/dpa</small></figcaption></figure>
      <figure><img src="/2.jpg"><figcaption>Marina Lacerda, 37
        <cite>(Image: Bloomberg via Getty Images)</cite></figcaption></figure></article>"""
    assert _images(html) == [
        Image(url="https://news.example.com/1.jpg", caption="Der Kanzler in Berlin.",
              credit="Axel Heimken/dpa"),
        Image(url="https://news.example.com/2.jpg", caption="Marina Lacerda, 37",
              credit="Bloomberg via Getty Images"),
    ]


def test_credit_beside_the_caption_in_the_figure() -> None:
    html = """<article><figure><img src="/c.jpg"><figcaption>Nach der Demo in Hamburg.
      </figcaption><footer>Imago/Blaulicht-News.de</footer></figure></article>"""
    assert _images(html) == [Image(url="https://news.example.com/c.jpg",
                                   caption="Nach der Demo in Hamburg.",
                                   credit="Imago/Blaulicht-News.de")]


def test_wordpress_caption_without_figure() -> None:
    html = """<article><div class="entry-content">
      <div id="attachment_7" class="wp-caption alignnone"><img src="/wp/7.jpg" width="600">
      <p class="wp-caption-text">Vorstandsmitglieder beim Treffen in Bozen</p></div>
      <p>Text.</p><p>More.</p></div></article>"""
    assert _images(html) == [Image(url="https://news.example.com/wp/7.jpg",
                                   caption="Vorstandsmitglieder beim Treffen in Bozen",
                                   credit=None)]


def test_caption_after_the_picture_in_a_long_column() -> None:
    html = """<article><div class="body"><p>One.</p><p>Two.</p><p>Three.</p><p>Four.</p>
      <img src="/col.jpg"><p class="caption">Wir erwarten neue Geräte.</p>
      <p>Five.</p><p>Six.</p><p>Seven.</p></div></article>"""
    assert _images(html) == [Image(url="https://news.example.com/col.jpg",
                                   caption="Wir erwarten neue Geräte.", credit=None)]


def test_image_without_caption_keeps_its_url_and_alt_is_not_a_caption() -> None:
    html = """<article><figure><img src="/d.jpg" alt="A man in a grey shirt"></figure></article>"""
    assert _images(html) == [Image(url="https://news.example.com/d.jpg")]


def test_lazy_loaded_source() -> None:
    html = """<article><figure><img src="data:image/gif;base64,R0lGOD" data-src="/lazy.jpg">
      <figcaption>Lazy picture</figcaption></figure></article>"""
    assert _images(html) == [Image(url="https://news.example.com/lazy.jpg",
                                   caption="Lazy picture")]


def test_teasers_navigation_and_tracking_pixels_are_left_out() -> None:
    html = """<body><nav><figure><img src="/logo.png"><figcaption>Home</figcaption></figure></nav>
      <article><figure><img src="/lead.jpg"><figcaption>The lead picture</figcaption></figure>
      <p>Text.</p>
      <div class="related-stories"><figure><img src="/t1.jpg">
        <figcaption>Another story</figcaption></figure></div>
      <ul><li><a href="/other-story"><figure><img src="/t2.jpg">
        <figcaption>Yet another story</figcaption></figure></a></li></ul>
      <figure><img src="/pixel.gif" width="1" height="1"></figure></article>
      <aside><figure><img src="/ad.jpg"><figcaption>Buy now</figcaption></figure></aside>
      </body>"""
    assert _images(html) == [Image(url="https://news.example.com/lead.jpg",
                                   caption="The lead picture")]


def test_figure_linked_to_its_full_size_picture_is_kept() -> None:
    html = """<article><a href="/full/e.jpg"><figure><img src="/e.jpg">
      <figcaption>Zoomable</figcaption></figure></a></article>"""
    assert _images(html) == [Image(url="https://news.example.com/e.jpg", caption="Zoomable")]


def test_lead_image_from_metadata_merges_with_the_same_figure() -> None:
    meta = PageMetadata(images=(Image(url="https://cdn.example.com/2025/lead_1200x675.jpg",
                                      caption=None, credit="AFP"),))
    html = """<article><figure><img src="https://cdn.example.com/2025/lead_640x360.jpg?w=640">
      <figcaption>Leaders meet in Paris.</figcaption></figure>
      <figure><img src="/second.jpg"><figcaption>Second. Photo: Jane Doe</figcaption></figure>
      </article>"""
    assert _images(html, meta) == [
        Image(url="https://cdn.example.com/2025/lead_1200x675.jpg",
              caption="Leaders meet in Paris.", credit="AFP"),
        Image(url="https://news.example.com/second.jpg", caption="Second.", credit="Jane Doe"),
    ]


def test_lead_image_from_metadata_comes_first_when_not_in_the_page() -> None:
    lead = Image(url="https://cdn.example.com/og.jpg", caption="From JSON-LD", credit="Reuters")
    html = """<article><figure><img src="/body.jpg"><figcaption>In the body</figcaption>
      </figure></article>"""
    assert _images(html, PageMetadata(images=(lead,))) == [
        lead, Image(url="https://news.example.com/body.jpg", caption="In the body")]


def test_repeated_caption_is_given_once() -> None:
    html = """<article>
      <figure><img src="/a.jpg"><figcaption>Same caption here</figcaption></figure>
      <figure><img src="/a-mobile.jpg"><figcaption>Same caption here</figcaption></figure>
      </article>"""
    assert _images(html) == [
        Image(url="https://news.example.com/a.jpg", caption="Same caption here"),
        Image(url="https://news.example.com/a-mobile.jpg"),
    ]


def test_caption_that_is_only_a_credit_becomes_the_credit() -> None:
    html = """<article><figure><img src="/f.jpg"><figcaption>Michael Kappeler/dpa</figcaption>
      </figure></article>"""
    assert _images(html) == [Image(url="https://news.example.com/f.jpg",
                                   credit="Michael Kappeler/dpa")]


def test_byline_portraits_and_consent_notices_are_not_captions() -> None:
    html = """<article>
      <figure><img src="/author.jpg"><figcaption>Von Jane Doe, Redakteurin</figcaption></figure>
      <figure><img src="/video.jpg"><figcaption>Bitte aktivieren Sie JavaScript.</figcaption>
      </figure><p>Text.</p></article>"""
    assert _images(html) == []


def test_data_caption_is_the_last_resort() -> None:
    html = """<article><figure data-caption="Caption from the attribute"><img src="/g.jpg">
      </figure></article>"""
    assert _images(html) == [Image(url="https://news.example.com/g.jpg",
                                   caption="Caption from the attribute")]


def test_page_without_content_block_or_images() -> None:
    tree = LexborHTMLParser("<html><body><p>Only text.</p></body></html>")
    assert extract_images(tree, None, PageMetadata(), None) == []
    assert extract_images(tree, tree.body, PageMetadata(), None) == []


def test_relative_urls_stay_relative_without_a_base() -> None:
    tree = LexborHTMLParser('<article><figure><img src="/h.jpg"><figcaption>Caption text'
                            '</figcaption></figure></article>')
    assert extract_images(tree, tree.css_first("article"), PageMetadata(), None) == [
        Image(url="/h.jpg", caption="Caption text")]


def test_gallery_work_is_bounded() -> None:
    slides = "".join(f'<figure><img src="/s{i}.jpg"><figcaption>Slide number {i}</figcaption>'
                     "</figure>" for i in range(2000))
    tree = LexborHTMLParser(f"<article>{slides}</article>")
    # The time it takes: benchmarks/bounded_work.py.
    images = extract_images(tree, tree.css_first("article"), PageMetadata(), BASE)
    assert len(images) == 60
    assert images[0] == Image(url="https://news.example.com/s0.jpg", caption="Slide number 0")


def test_layout_that_holds_a_sidebar_is_not_a_sidebar() -> None:
    html = """<main><div class="detailBodyContainer withSidebar"><div class="story">
      <figure><img src="/i.jpg"><figcaption>Jamil Al Saadouni in Gaza. (Mohamed El Saife/CBC)
      </figcaption></figure><p>Text.</p></div>
      <div class="sidebar-right"><figure><img src="/j.jpg"><figcaption>Popular now</figcaption>
      </figure></div></div></main>"""
    assert _images(html, root="main") == [Image(url="https://news.example.com/i.jpg",
                                                caption="Jamil Al Saadouni in Gaza.",
                                                credit="Mohamed El Saife/CBC")]


def test_credit_marked_only_by_its_place_as_the_captions_last_part() -> None:
    html = """<article><figure><img src="/k.jpg"><figcaption><span class="sc-1">Knoblauch hilft
      gegen Erkältungen.</span><span class="sc-2">Pexels/AS Photography</span></figcaption>
      </figure><figure><img src="/l.jpg"><figcaption><span>Ruhe hilft.</span>
      <span>Viel Schlaf auch.</span></figcaption></figure></article>"""
    assert _images(html) == [
        Image(url="https://news.example.com/k.jpg", caption="Knoblauch hilft gegen Erkältungen.",
              credit="Pexels/AS Photography"),
        Image(url="https://news.example.com/l.jpg", caption="Ruhe hilft. Viel Schlaf auch."),
    ]


_TAGS = st.sampled_from(["figure", "figcaption", "div", "span", "p", "a", "small", "cite",
                         "picture", "aside", "nav", "footer", "li"])
_CLASSES = st.sampled_from(["", "caption", "wp-caption", "credit", "related", "image-caption",
                            "copyright", "withSidebar", "teaser"])


@st.composite
def _fragments(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 25))):
        kind = draw(st.integers(0, 3))
        if kind == 0:
            parts.append(f'<{draw(_TAGS)} class="{draw(_CLASSES)}">')
        elif kind == 1:
            parts.append(f"</{draw(_TAGS)}>")
        elif kind == 2:
            parts.append(f'<img src="/{draw(st.integers(0, 9))}.jpg" '
                         f'width="{draw(st.integers(0, 900))}">')
        else:
            parts.append(draw(st.text(max_size=40)).replace("<", " "))
    return "<article>" + "".join(parts) + "</article>"


@given(_fragments())
def test_any_markup_gives_wellformed_images(html: str) -> None:
    images = _images(html)
    assert len(images) <= 60
    for image in images:
        assert image.url or image.caption or image.credit
        assert image.caption is None or image.caption == image.caption.strip() != ""
        assert image.credit is None or image.credit != ""


def test_style_and_layout_names_are_not_teasers_or_sidebars() -> None:
    html = """<article><div class="sidebar-grid sidebar-grid--narrow"><header class="hero">
      <figure><img src="/m.jpg"><figcaption>Catherine Connolly in Galway.</figcaption></figure>
      </header><div class="gallery typo-teaser-info-medium"><figure><img src="/n.jpg">
      <figcaption>John Paulson at the gala.</figcaption></figure></div></div></article>"""
    assert _images(html) == [
        Image(url="https://news.example.com/m.jpg", caption="Catherine Connolly in Galway."),
        Image(url="https://news.example.com/n.jpg", caption="John Paulson at the gala."),
    ]


def test_undecodable_bytes_in_a_caption_read_as_replacement_characters() -> None:
    # Lexbor keeps the invalid byte; its fast text reader cannot decode it, the slow one can
    tree = LexborHTMLParser(b'<article><figure><img src="/a.jpg"><figcaption>Caf\xe9 at noon'
                            b'</figcaption></figure></article>')
    assert extract_images(tree, tree.css_first("article"), PageMetadata(), BASE) == [
        Image(url="https://news.example.com/a.jpg", caption="Caf\ufffd at noon")]


def test_a_comment_after_a_caption_is_not_read_as_its_credit() -> None:
    html = """<article><figure><img src="/a.jpg"><figcaption><span>A dog.</span>
      <span>On the beach</span><!-- Jane Doe/Reuters --></figcaption></figure></article>"""
    assert _images(html) == [Image(url="https://news.example.com/a.jpg",
                                   caption="A dog. On the beach")]


@given(st.lists(st.text("ab-_c", min_size=1, max_size=4), min_size=1, max_size=6),
       st.text("ab-_c ", max_size=30))
def test_any_of_finds_exactly_the_texts_that_hold_a_word(words: list[str], text: str) -> None:
    assert (_any_of("|".join(words)).search(text) is not None) == any(w in text for w in words)


def test_doctests() -> None:
    assert doctest.testmod(captions).failed == 0
