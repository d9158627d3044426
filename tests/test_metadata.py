"""extract_metadata: every field from JSON-LD, meta tags, microdata and the visible page."""

from __future__ import annotations

import doctest
import json
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from scraper.extract import metadata
from scraper.extract.metadata import PageMetadata, extract_metadata
from scraper.models import Image

URL = "https://news.example.com/world/2024/storm-hits-coast?utm_source=feed"


def _page(head: str = "", body: str = "", lang: str = "en") -> str:
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">{head}</head>'
            f"<body>{body}</body></html>")


def _ld(*objects: Any) -> str:
    return "".join(f'<script type="application/ld+json">{json.dumps(o)}</script>'
                   for o in objects)


def _meta(html: str, url: str | None = URL) -> PageMetadata:
    return extract_metadata(LexborHTMLParser(html), url)


ARTICLE = {
    "@context": "https://schema.org",
    "@type": "NewsArticle",
    "headline": "Storm hits coast",
    "datePublished": "2024-04-28T14:26:01+02:00",
    "dateModified": "2024-04-28T16:00:00+02:00",
    "author": [{"@type": "Person", "name": "Jane Doe"},
               {"@type": "Person", "name": "By John Smith, Staff Writer"}],
    "publisher": {"@type": "NewsMediaOrganization", "name": "Example News"},
    "articleSection": "World",
    "keywords": "storm, coast, Weather, storm",
    "inLanguage": "en-GB",
    "isAccessibleForFree": "False",
    "image": {"@type": "ImageObject", "url": "/img/storm.jpg",
              "caption": "Waves break on the pier.", "creditText": "Jo Photo/Agency"},
    "description": "A storm hit the coast.",
    "alternativeHeadline": "Thousands are without power after the night's storm",
    "dateline": "LONDON",
}


def test_full_jsonld_article() -> None:
    html = _page(head=_ld(ARTICLE) + '<meta property="og:title" content="Storm | Example News">',
                 body="<h1>Storm hits coast</h1><p>Text.</p>", lang="")
    assert _meta(html) == PageMetadata(
        headline="Storm hits coast",
        summary="A storm hit the coast.",
        authors=("Jane Doe", "John Smith"),
        published="2024-04-28T14:26:01+02:00",
        modified="2024-04-28T16:00:00+02:00",
        language="en-GB",
        section="World",
        tags=("storm", "coast", "Weather"),
        canonical_url=None,
        paywalled=True,
        dateline="LONDON",
        site_name="Example News",
        images=(Image(url="https://news.example.com/img/storm.jpg",
                      caption="Waves break on the pier.", credit="Jo Photo/Agency"),),
        dek="Thousands are without power after the night's storm",
    )


def test_graph_with_references_and_body_jsonld() -> None:
    graph = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "@id": "#site", "name": "Example News"},
        {"@type": "Person", "@id": "#jane", "name": "Jane Doe"},
        {"@type": "ImageObject", "@id": "#img", "url": "https://cdn.example.com/a.jpg",
         "caption": "A caption", "copyrightHolder": {"@type": "Organization", "name": "AFP"}},
        {"@type": ["Article", "NewsArticle"], "headline": "Graph headline",
         "author": {"@id": "#jane"}, "image": {"@id": "#img"},
         "datePublished": "2024-04-28"},
    ]}
    meta = _meta(_page(body="<h1>Graph headline</h1>" + _ld(graph)))
    assert (meta.headline, meta.authors, meta.published) == (
        "Graph headline", ("Jane Doe",), "2024-04-28")
    assert meta.images == (Image(url="https://cdn.example.com/a.jpg", caption="A caption",
                                 credit="AFP"),)


def test_broken_jsonld_is_repaired() -> None:
    broken = ('<script type="application/ld+json"><!--\n{"@type": "NewsArticle", '
              '"headline": "Repaired",\n"author": {"@type": "Person", "name": "Ann Lee"},}\n'
              "--></script>")
    meta = _meta(_page(head=broken))
    assert (meta.headline, meta.authors) == ("Repaired", ("Ann Lee",))


def test_related_article_objects_lose_to_the_one_of_this_page() -> None:
    teaser = {"@type": "NewsArticle", "headline": "Other story",
              "url": "https://news.example.com/other", "datePublished": "2020-01-01"}
    story = {"@type": "NewsArticle", "headline": "Storm hits coast",
             "url": "https://news.example.com/world/2024/storm-hits-coast",
             "datePublished": "2024-04-28"}
    meta = _meta(_page(head=_ld([teaser, story])))
    assert (meta.headline, meta.published) == ("Storm hits coast", "2024-04-28")


def test_organization_author_dropped_when_a_person_is_named() -> None:
    article = {"@type": "NewsArticle", "headline": "H", "author": [
        {"@type": "Organization", "name": "Example News"}, {"@type": "Person", "name": "Ann Lee"}]}
    assert _meta(_page(head=_ld(article))).authors == ("Ann Lee",)


def test_organization_only_author_is_kept() -> None:
    article = {"@type": "NewsArticle", "headline": "H",
               "author": {"@type": "Organization", "name": "Example News"}}
    assert _meta(_page(head=_ld(article))).authors == ("Example News",)


def test_site_named_as_person_gives_way_to_the_byline() -> None:
    article = {"@type": "NewsArticle", "headline": "Storm hits coast",
               "author": {"name": "EXAMPLE.com"}}
    body = ('<header><h1>Storm hits coast</h1><div class="meta"><span class="brand-author">'
            'example</span><p class="article-author">By Ann Lee and Bo Chan</p></div></header>')
    meta = _meta(_page(head=_ld(article), body=body), "https://www.example.com/a")
    assert meta.authors == ("Ann Lee", "Bo Chan")


def test_meta_tags_without_jsonld() -> None:
    head = (
        '<meta property="og:title" content="Storm hits coast &amp; pier - Example News">'
        '<meta property="og:site_name" content="Example News">'
        '<meta property="og:locale" content="pt_BR">'
        '<meta property="og:url" content="/world/storm">'
        '<meta property="og:image" content="//cdn.example.com/og.jpg">'
        '<meta property="article:published_time" content="2024-04-28T14:26:01-03:00">'
        '<meta property="article:modified_time" content="1714320000">'
        '<meta property="article:section" content="Mundo">'
        '<meta property="article:tag" content="tempestade">'
        '<meta property="article:tag" content="costa">'
        '<meta name="keywords" content="ignored, because, article tags exist">'
        '<meta name="author" content="Por Ana Souza e Bruno Lima">'
        '<meta name="description" content="Uma tempestade atingiu a costa.">'
        '<meta property="article:content_tier" content="metered">'
    )
    meta = _meta(_page(head=head, body="<h1>Storm hits coast &amp; pier</h1>", lang=""))
    assert meta == PageMetadata(
        headline="Storm hits coast & pier",
        summary="Uma tempestade atingiu a costa.",
        authors=("Ana Souza", "Bruno Lima"),
        published="2024-04-28T14:26:01-03:00",
        modified="2024-04-28T16:00:00Z",
        language="pt-BR",
        section="Mundo",
        tags=("tempestade", "costa"),
        canonical_url="https://news.example.com/world/storm",
        paywalled=True,
        site_name="Example News",
        images=(Image(url="https://cdn.example.com/og.jpg"),),
    )


def test_canonical_link_wins_over_og_url() -> None:
    head = ('<link rel="canonical" href="https://news.example.com/a">'
            '<meta property="og:url" content="https://news.example.com/b">')
    assert _meta(_page(head=head)).canonical_url == "https://news.example.com/a"


def test_microdata_and_time_elements() -> None:
    body = ('<article itemscope itemtype="https://schema.org/NewsArticle">'
            '<h1 itemprop="headline">Microdata story</h1>'
            '<span itemprop="author" itemscope><span itemprop="name">Ann Lee</span></span>'
            '<time itemprop="datePublished" datetime="2024-04-28T09:00:00+00:00">Apr 28</time>'
            '<meta itemprop="dateModified" content="2024-04-29T09:00:00Z">'
            "<p>Text.</p></article>")
    meta = _meta(_page(body=body))
    assert (meta.headline, meta.authors, meta.published, meta.modified) == (
        "Microdata story", ("Ann Lee",), "2024-04-28T09:00:00Z", "2024-04-29T09:00:00Z")


def test_time_of_a_related_teaser_is_never_the_date() -> None:
    body = ('<aside><a href="/old"><h3>Old story</h3><time datetime="2019-01-01">x</time></a>'
            "</aside><h1>Storm</h1><p>Text.</p>"
            '<a href="/other"><time datetime="2020-02-02">y</time></a>')
    assert _meta(_page(body=body)).published is None


def test_visible_dates_and_bylines_near_the_headline() -> None:
    body = ('<div class="teaser"><span class="date">01.01.2020</span>'
            '<span class="author">Von Old Writer</span></div>'
            '<div class="article"><h1>Schwere Unwetter</h1><div class="article-meta">'
            '<span class="meta_date">erstellt: 28. April 2024, 15:25</span>'
            '<span class="author">Von Anna Müller und Max Mustermann</span></div>'
            "<p>Text.</p></div>")
    meta = _meta(_page(body=body, lang="de-DE"))
    assert (meta.published, meta.authors, meta.language) == (
        "2024-04-28T15:25:00", ("Anna Müller", "Max Mustermann"), "de-DE")


def test_date_from_a_title_segment_as_last_resort() -> None:
    head = "<title>Ziele, Chancen, Risiken | Europa | DW | 28.04.2023</title>"
    meta = _meta(_page(head=head, body="<h1>Ziele, Chancen, Risiken</h1>"),
                 "https://www.dw.com/de/a-1")
    assert (meta.headline, meta.published) == ("Ziele, Chancen, Risiken", "2023-04-28")


def test_paywall_from_has_part_and_free_flags() -> None:
    part = {"@type": "NewsArticle", "headline": "H", "hasPart": {
        "@type": "WebPageElement", "isAccessibleForFree": False, "cssSelector": ".paid"}}
    assert _meta(_page(head=_ld(part))).paywalled is True
    free = {"@type": "NewsArticle", "headline": "H", "isAccessibleForFree": True}
    assert _meta(_page(head=_ld(free))).paywalled is False
    page = {"@type": "WebPage", "isAccessibleForFree": "false"}
    assert _meta(_page(head=_ld({"@type": "NewsArticle", "headline": "H"}, page))
                 ).paywalled is True
    assert _meta(_page(head=_ld({"@type": "NewsArticle", "headline": "H"}))).paywalled is None


def test_language_normalization() -> None:
    for lang, expected in [("EN", "en"), ("en-us", "en-US"), ("pt_BR", "pt-BR"),
                           ("zh-Hant-TW", "zh-Hant"), ("es-419", "es-419"), ("x", None)]:
        assert _meta(_page(lang=lang)).language == expected


def test_keywords_split_deduped_and_capped() -> None:
    words = ", ".join(f"tag{i}" for i in range(40))
    head = f'<meta name="news_keywords" content="Storm; storm , {words}">'
    tags = _meta(_page(head=head)).tags
    assert tags[:3] == ("Storm", "tag0", "tag1")
    assert len(tags) == 30


def test_empty_and_odd_documents() -> None:
    for html in ["", "<html></html>", "plain text", "<h1></h1>", "\x00\x01\x02",
                 "<script type='application/ld+json'>{</script>", "<title>T</title>"]:
        meta = _meta(html, None)
        assert isinstance(meta, PageMetadata)
    assert _meta("<title>T</title>", None).headline == "T"


def test_doctests() -> None:
    assert doctest.testmod(metadata).failed == 0


_TAGS = st.sampled_from(["h1", "p", "time", "span", "div", "a", "meta", "title", "script",
                         "article", "header"])
_ATTRS = st.sampled_from([
    "", ' itemprop="author"', ' itemprop="datePublished" datetime="2024-01-01"',
    ' class="byline"', ' class="date"', ' rel="author"', ' type="application/ld+json"',
    ' property="og:title" content="X | Y"', ' name="author" content="By A and B"',
    ' datetime="garbage"', ' property="article:published_time" content="2024-99-99"',
])
_CHUNK = st.one_of(
    st.text(max_size=20),
    st.builds(lambda t, a, x: f"<{t}{a}>{x}</{t}>", _TAGS, _ATTRS, st.text(max_size=30)),
    st.sampled_from(['{"@type": "NewsArticle", "author": [1, null, {"name": []}]}',
                     '{"@graph": [{"@type": "Article", "image": [{}, "x"]}]}',
                     "[[[[", "<![CDATA[", "-->"]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_CHUNK, max_size=12), st.sampled_from([None, URL, "not a url", "http://[::1"]))
def test_extract_metadata_never_raises(chunks: list[str], url: str | None) -> None:
    html = "".join(chunks)
    meta = _meta(html, url)
    assert isinstance(meta, PageMetadata)
    assert all(isinstance(a, str) and a for a in meta.authors)


def test_large_and_deep_pages_stay_bounded() -> None:
    metas = "".join(f'<meta name="k{i}" content="v{i}">' for i in range(20_000))
    authors = json.dumps({"@type": "NewsArticle", "headline": "Big",
                          "author": [{"@type": "Person", "name": f"Person {chr(65 + i % 26)}"}
                                     for i in range(5_000)]})
    deep = "<div>" * 5_000 + "<h1>Deep</h1>" + "</div>" * 5_000
    html = _page(head=metas + f'<script type="application/ld+json">{authors}</script>',
                 body=deep + '<script type="application/ld+json">' + "[" * 50_000 + "</script>")
    meta = _meta(html)
    assert meta.headline == "Big"
    assert len(meta.authors) == 26


def test_section_prefers_a_name_over_a_slug_or_a_sentence() -> None:
    article = {"@type": "NewsArticle", "headline": "H", "articleSection": "World &amp; Europe"}
    slug = '<meta property="article:section" content="news_news">'
    assert _meta(_page(head=slug + _ld(article))).section == "World & Europe"
    assert _meta(_page(head=slug)).section == "news_news"
    sentence = ('<meta property="article:section" content="A headline that someone put in '
                'the section field">')
    assert _meta(_page(head=sentence + _ld(article))).section == "World & Europe"


def test_tags_drop_internal_codes() -> None:
    head = ('<meta name="keywords" content="98be933f-38cf-4fba-b6c6-ad438e82010a, '
            'sections/sverige, Category:News, Bitcoin/USD Coin Metrics, COVID-19: Impfung">')
    assert _meta(_page(head=head)).tags == ("Bitcoin/USD Coin Metrics", "COVID-19: Impfung")


def test_dek_is_a_sentence_not_another_headline() -> None:
    same = {"@type": "NewsArticle", "headline": "Storm hits coast",
            "alternativeHeadline": "Storm hits the coast of the north overnight, police say"}
    assert _meta(_page(head=_ld(same))).dek == (
        "Storm hits the coast of the north overnight, police say")
    variant = {"@type": "NewsArticle", "headline": "Storm hits coast",
               "alternativeHeadline": "Coast hit by storm"}
    assert _meta(_page(head=_ld(variant))).dek is None
    og = ('<meta property="og:title" content="Thousands without power as the storm hits the '
          'coast overnight">')
    repeat = {"@type": "NewsArticle", "headline": "Storm hits coast", "alternativeHeadline":
              "Thousands without power as the storm hits the coast overnight"}
    assert _meta(_page(head=og + _ld(repeat))).dek is None


def test_naive_jsonld_time_takes_the_zone_of_the_same_meta_time() -> None:
    article = {"@type": "NewsArticle", "headline": "H", "datePublished": "2024-04-28T14:26:01"}
    zoned = '<meta property="article:published_time" content="2024-04-28T14:26:01+02:00">'
    assert _meta(_page(head=zoned + _ld(article))).published == "2024-04-28T14:26:01+02:00"
    other = '<meta property="article:published_time" content="2024-04-27T09:00:00+02:00">'
    assert _meta(_page(head=other + _ld(article))).published == "2024-04-28T14:26:01"


def test_meta_tags_left_in_the_body_by_a_broken_head_are_read() -> None:
    html = ('<html><head><title>T</title></head><body><div>Menu</div>'
            '<meta name="author" content="Ann Lee">'
            '<meta property="article:published_time" content="2024-04-28">'
            "<h1>Broken head</h1></body></html>")
    meta = _meta(html)
    assert (meta.headline, meta.authors, meta.published) == (
        "Broken head", ("Ann Lee",), "2024-04-28")


def test_meta_lines_count_as_bylines_only_with_a_byline_word() -> None:
    head = '<meta name="author" content="LTO">'
    worded = ('<div class="reader"><h1>Verfassungsbeschwerde eingelegt</h1>'
              '<p class="reader__meta-info">von <a href="/autoren/x">Dr. Max Kolter</a></p>'
              "</div>")
    meta = _meta(_page(head=head, body=worded), "https://www.lto.de/a")
    assert meta.authors == ("Dr. Max Kolter",)
    label = ('<div class="reader"><h1>Verfassungsbeschwerde eingelegt</h1>'
             '<p class="reader__meta-info">Mehr zum Thema</p></div>')
    assert _meta(_page(head=head, body=label), "https://www.lto.de/a").authors == ("LTO",)


# The byline and date elements as plain CSS: the queries use wider selectors plus a test in
# Python, which must keep exactly what these select.
_EXACT_BYLINE = ('[class*="byline"], [class*="author"], [class*="Author"], [class*="Byline"], '
                 '[class*="autor"], [class*="Autor"], [rel~="author"], [itemprop~="author"], '
                 '[class*="meta"], [class*="info"]')
_EXACT_DATE = ('time, [itemprop~="datePublished"], [itemprop~="dateCreated"], '
               '[class*="date"], [class*="Date"], [class*="time"], [class*="Time"], '
               '[class*="meta"], [class*="info"], [class*="byline"]')
_WORDS = st.sampled_from(["byline", "Byline", "BYLINE", "skyline", "author", "Author", "AUTHOR",
                          "coauthor", "autor", "Autor", "contributor", "meta", "Meta", "info",
                          "date", "Date", "template", "update", "time", "Time", "regime",
                          "datePublished", "dateCreated", "dateModified", "datepublished",
                          "x", "", "\u212aelvin"])
_SPACES = st.sampled_from([" ", "\t", "\n", "\r", "\f", "\x0b", "\u00a0", "-", ""])
_VALUE = st.lists(st.tuples(_WORDS, _SPACES), max_size=4).map(
    lambda parts: "".join(w + s for w, s in parts))
_ELEMENT = st.tuples(
    st.sampled_from(["span", "time", "a", "div"]),
    st.dictionaries(st.sampled_from(["class", "rel", "itemprop"]),
                    st.one_of(st.none(), _VALUE), max_size=3))


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(_ELEMENT)
@example(("a", {"rel": "nofollow\fAUTHOR"}))
@example(("span", {"itemprop": "x\u00a0author"}))
@example(("span", {"itemprop": "name dateCreated"}))
@example(("span", {"class": "skyline contributor template", "itemprop": "dateModified"}))
@example(("time", {"class": None}))
def test_byline_and_date_tests_keep_what_the_exact_selectors_select(
        element: tuple[str, dict[str, str | None]]) -> None:
    tag, attrs = element
    written = "".join(f" {k}" if v is None else f' {k}="{v}"' for k, v in attrs.items())
    body = LexborHTMLParser(f"<!doctype html><body><{tag}{written}>x</{tag}>").body
    assert body is not None
    node = body.child
    assert node is not None
    read = node.attributes
    is_byline = bool(body.css(_EXACT_BYLINE))
    is_date = bool(body.css(_EXACT_DATE))
    assert bool(body.css(metadata._BYLINE_SELECTOR)) >= is_byline
    assert bool(body.css(metadata._DATE_SELECTOR)) >= is_date
    assert (metadata._is_byline(read), metadata._is_date(node, read)) == (is_byline, is_date)


def _ancestors_and_h1(html: str) -> tuple[list[Any], Any]:
    tree = LexborHTMLParser(html)
    h1 = tree.css_first("h1")
    assert h1 is not None
    ancestors = [h1.parent, h1.parent.parent, h1.parent.parent.parent]
    return ancestors, h1


@pytest.mark.parametrize("depth", [0, 3000])
def test_near_h1_orders_matches_by_level_as_one_query_per_level_would(
        depth: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # Matches before, inside and after each level's subtree; with depth, thousands of
    # matches nested in one another (the walk up from each would be quadratic).
    nested = '<div class="meta">' * depth + "x" + "</div>" * depth
    html = ('<body><main><i class="info">3a</i><article><b class="meta">2a</b>'
            f'<header><span class="byline">1a</span><h1>Storm</h1><span class="info">1b</span>'
            f'</header>{nested}<b class="info">2b</b></article><i class="meta">3b</i></main>'
            "</body>")
    ancestors, h1 = _ancestors_and_h1(html)
    selector = metadata._BYLINE_SELECTOR
    by_level = metadata._near_h1_by_level
    fallbacks: list[int] = []
    monkeypatch.setattr(metadata, "_near_h1_by_level",
                        lambda *args: fallbacks.append(1) or by_level(*args))
    found = metadata._near_h1(h1, selector)
    # Past the budget of steps up, the walk gives way to one query per level.
    assert fallbacks == ([1] if depth else [])
    assert [n.mem_id for n in found] == [n.mem_id for n in by_level(ancestors, selector)]
    assert [n.text() for n in found][:4] == ["1a", "1b", "2a", "x" if depth else "2b"]
    assert len(found) == 6 + depth


# -- visible dates, when the metadata gives none --------------------------------------

PROSE = "<p>The storm reached the coast overnight, and thousands lost power by morning.</p>"


@pytest.mark.parametrize(("header", "published"), [
    # A date line of its own under the headline, in the forms and labels pages print.
    ('<p class="text-sm">Sep 16, 2025</p>', "2025-09-16"),
    ("<div><span>Published:</span> <span>28/08/2025 18:42</span></div>", "2025-08-28T18:42:00"),
    ("<p>By Ann Lee · 16. September 2025 · 4 min read</p>", "2025-09-16"),
    ("<div>Posted on the 15/12/2025 at 19:00 by @ann</div>", "2025-12-15T19:00:00"),
    ("<p>Veröffentlicht am 3. März 2025</p>", "2025-03-03"),
    # The published line wins over an updated one printed before it...
    ("<p>Updated: Oct 2, 2025</p><p>Published: Sep 30, 2025</p>", "2025-09-30"),
    # ... and an updated line is taken when it is the only one.
    ("<p>Last updated: Dec 12, 2025</p>", "2025-12-12"),
    # A caption or a sentence that ends in a date is not a date line; a teaser's date
    # sits in a link.
    ("<p>Soldiers near the frontline town of Bakhmut, 24 April 2023</p>", None),
    ('<p><a href="/other">Another story, Sep 2, 2025</a></p>', None),
    ("<p>The plant opened on Sep 16, 2025 after two years of work on the site.</p>", None),
])
def test_a_date_line_near_the_headline_gives_the_date(header: str, published: str | None
                                                      ) -> None:
    body = f"<article><header><h1>Storm hits coast</h1>{header}</header>{PROSE}</article>"
    assert _meta(_page(body=body), "https://example.com/news/storm").published == published


@pytest.mark.parametrize(("lang", "published"), [
    ("en-US", "2025-08-01"), ("en-GB", "2025-01-08"), ("en", "2025-01-08")])
def test_a_slash_date_is_read_in_the_order_of_the_pages_locale(lang: str, published: str
                                                               ) -> None:
    body = f"<article><h1>Storm hits coast</h1><p>Posted 8/1/2025</p>{PROSE}</article>"
    page = _page(body=body, lang=lang)
    assert _meta(page, "https://example.com/news/storm").published == published


@pytest.mark.parametrize(("link", "published"), [
    # A card with the author and the date that links to the story, on the story's page.
    ('href="https://example.com/post/storm"', "2025-09-04"),
    ('href="/post/storm/"', "2025-09-04"),
    ('href="/post/storm.html" aria-current="page"', "2025-09-04"),
    # Another address is another page: a teaser's date.
    ('href="/post/storm?page=2"', None),
    ('href="/post/other-story"', None),
])
def test_a_date_in_a_link_to_the_page_itself_is_the_pages(link: str, published: str | None
                                                         ) -> None:
    body = (f"<main><div><a {link}><div>Ann Lee</div><div>September 4, 2025</div>"
            f"</a></div><div><h1>Storm hits coast</h1>{PROSE}</div></main>")
    assert _meta(_page(body=body), "https://example.com/post/storm").published == published


def test_a_date_line_above_the_headline_is_taken_when_none_follows_it() -> None:
    body = ("<main><div><p>December 19th, 2025</p><h1>Storm hits coast</h1></div>"
            f"{PROSE}</main>")
    assert _meta(_page(body=body), "https://example.com/storm").published == "2025-12-19"


def test_metadata_wins_over_the_printed_date() -> None:
    head = '<meta property="article:published_time" content="2025-09-14T08:00:00+02:00">'
    body = f"<article><h1>Storm hits coast</h1><p>Sep 16, 2025</p>{PROSE}</article>"
    assert _meta(_page(head=head, body=body)).published == "2025-09-14T08:00:00+02:00"


@pytest.mark.parametrize("name", [
    "citation_publication_date", "published_on", "article-publish-date", "pub_date"])
def test_meta_names_that_say_published(name: str) -> None:
    head = f'<meta name="{name}" content="2024/05/02">'
    assert _meta(_page(head=head, body="<h1>T</h1>")).published == "2024-05-02"
    updated = f'<meta name="{name}_updated" content="2024/05/02">'
    assert _meta(_page(head=updated, body="<h1>T</h1>")).published is None


@pytest.mark.parametrize("order", [1, -1])
def test_meta_names_that_say_published_disagree_the_earliest_wins(order: int) -> None:
    metas = ['<meta name="published-time" content="2026-03-09T08:45:32.183Z">',
             '<meta name="published-date" content="2021-02-16">']
    head = "".join(metas[::order])
    assert _meta(_page(head=head, body="<h1>T</h1>")).published == "2021-02-16"


@pytest.mark.parametrize(("url", "published"), [
    ("https://example.com/2025/09/04/top-trends/", "2025-09-04"),
    ("https://example.com/blog/2025-12-17-minisgl", "2025-12-17"),
    ("https://example.com/2025/13/04/not-a-month/", None),
    ("https://example.com/2025/09/story", None),
])
def test_the_address_gives_the_day_last(url: str, published: str | None) -> None:
    assert _meta(_page(body=f"<h1>T</h1>{PROSE}"), url).published == published


@pytest.mark.parametrize(("meta_time", "published"), [
    # Filed under the 18th, written in UTC on the 19th: the reader's day is the 18th.
    ("2025-12-19T02:41:41Z", "2025-12-18"),
    # Same day, or a time with the page's own offset, or days apart: kept as given.
    ("2025-12-18T20:00:00Z", "2025-12-18T20:00:00Z"),
    ("2025-12-18T21:41:41-05:00", "2025-12-18T21:41:41-05:00"),
    ("2025-12-21T02:41:41Z", "2025-12-21T02:41:41Z"),
])
def test_a_utc_time_next_to_the_addresss_day_gives_that_day(meta_time: str, published: str
                                                             ) -> None:
    head = f'<meta property="article:published_time" content="{meta_time}">'
    page = _page(head=head, body="<h1>T</h1>")
    assert _meta(page, "https://example.com/2025/12/18/story/").published == published


def test_dates_in_the_article_away_from_the_headline() -> None:
    site_h1 = '<header><h1><a href="/">My Blog</a></h1></header>'
    teaser = '<aside><a href="/old"><time datetime="2024-01-02">Jan 2</time></a></aside>'
    time_in_article = (f"<body>{site_h1}{teaser}<article><h2>Post</h2>"
                       f'<time datetime="2025-12-17T00:00:00+00:00">17 Dec 2025</time>'
                       f"{PROSE}</article></body>")
    url = "https://example.com/post"
    assert _meta(f"<html>{time_in_article}</html>", url).published == "2025-12-17T00:00:00Z"
    # Microdata that says published, wherever it is (Blogger's permalink: an abbr in a link).
    microdata = (f"<body>{site_h1}<div><a href='/p' rel='bookmark'><abbr itemprop="
                 f"'datePublished' title='2025-12-19T15:18:00-05:00'>December 19</abbr></a>"
                 f"</div>{PROSE}</body>")
    assert _meta(f"<html>{microdata}</html>", url).published == "2025-12-19T15:18:00-05:00"
    # A teaser's date in a link is not the article's.
    only_teaser = f"<body>{site_h1}<article>{teaser}{PROSE}</article></body>"
    assert _meta(f"<html>{only_teaser}</html>", url).published is None


def test_dates_are_looked_for_near_the_element_that_shows_the_headline() -> None:
    # The first h1 is the blog's name in a header, with today's date beside it; the
    # post's title is an h2 with its date line under it.
    head = '<meta property="og:title" content="Advent of Code, week two">'
    body = ("<header><div><div><div><h1>Roger's Blog</h1></div></div>"
            "<p>Friday, 26 December 2025</p></div></header>"
            "<main><section><div><h2>Advent of Code, week two</h2><p>20 December 2025</p>"
            f"</div>{PROSE}</section></main>")
    meta = _meta(_page(head=head, body=body), "https://example.com/post")
    assert (meta.headline, meta.published) == ("Advent of Code, week two", "2025-12-20")


def test_a_date_line_may_be_a_text_run_of_its_own_in_a_larger_element() -> None:
    body = ("<fieldset><legend><h1>Advent of Code, week two</h1></legend> 20 December 2025 "
            f"<div>{PROSE}</div><p>Posted in 2024 and 2025 to 12 groups.</p></fieldset>")
    assert _meta(_page(body=body), "https://example.com/post").published == "2025-12-20"
    # A date inside a sentence of a paragraph is still not a date line.
    prose = ("<div><h1>Advent of Code</h1><p>The puzzles began on <b>1 December</b> "
             "2025 and ran until the day before Christmas, as every year.</p></div>")
    assert _meta(_page(body=prose), "https://example.com/post").published is None


def _stamped(published: str, modified: str, header: str) -> str | None:
    article = {"@type": "BlogPosting", "headline": "Storm hits coast",
               "datePublished": published, "dateModified": modified}
    body = f"<article><header><h1>Storm hits coast</h1>{header}</header>{PROSE}</article>"
    return _meta(_page(head=_ld(article), body=body), "https://example.com/storm").published


@pytest.mark.parametrize(("published", "modified", "header", "expected"), [
    # One value without a zone in both fields (a template's, a migration's): the page
    # shows an earlier day, which is when it was published.
    ("2025-06-24", "2025-06-24", "<p>August 25, 2024</p>", "2024-08-25"),
    ("2025-11-13T09:21:40", "2025-11-13T09:21:40", "<p>12 November 2025</p>", "2025-11-12"),
    ("2025-06-24", "2025-06-24", '<time datetime="2024-08-25T10:00:00+02:00">Aug 25</time>',
     "2024-08-25T10:00:00+02:00"),
    # Modified before published: the fields hold no history either.
    ("2025-06-12", "2025-06-10", "<p>November 2, 2022</p>", "2022-11-02"),
    # Modified after published: the metadata has a history and wins.
    ("2025-01-29", "2025-08-19", "<p>January 2, 2025</p>", "2025-01-29"),
    ("2025-01-29T20:47:55", "2025-01-29T20:50:00", "<p>January 2, 2025</p>",
     "2025-01-29T20:47:55"),
    # A zoned time is a publishing system's clock, kept even when equal to modified.
    ("2025-03-10T09:00:00+01:00", "2025-03-10T09:00:00+01:00", "<p>2 May 2024</p>",
     "2025-03-10T09:00:00+01:00"),
    # A later shown day changes nothing.
    ("2025-06-24", "2025-06-24", "<p>August 25, 2025</p>", "2025-06-24"),
    # A teaser's date in a link is not the page's.
    ("2025-06-24", "2025-06-24", '<p><a href="/old">August 25, 2024</a></p>', "2025-06-24"),
])
def test_a_page_is_not_published_after_the_day_it_shows(
        published: str, modified: str, header: str, expected: str) -> None:
    assert _stamped(published, modified, header) == expected


@pytest.mark.parametrize(("header", "expected"), [
    # A <time> two days or more before a zoned time: the metadata was stamped again.
    ("<p>On <time>8 Oct 2022</time></p>", "2022-10-08"),
    ('<time datetime="2022-10-08T09:00:00-04:00">Oct 8</time>', "2022-10-08T09:00:00-04:00"),
    # A day before is a time zone's day (UTC against local), not a different one.
    ('<time datetime="2022-10-23T20:40:59-04:00">Oct 23</time>', "2022-10-24T00:40:59Z"),
    # A later day, a printed line that is no <time>, a teaser's <time> in a link.
    ("<time>26 Oct 2022</time>", "2022-10-24T00:40:59Z"),
    ("<p>8 Oct 2022</p>", "2022-10-24T00:40:59Z"),
    ('<p><a href="/old"><time>8 Oct 2022</time></a></p>', "2022-10-24T00:40:59Z"),
])
def test_a_time_element_days_before_a_zoned_time_wins(header: str, expected: str) -> None:
    assert _stamped("2022-10-24T00:40:59Z", "2022-12-02T08:16:16Z", header) == expected


def test_a_zoned_time_moved_to_the_addresss_day_is_kept() -> None:
    # A UTC time filed under the next day in the address is that local day (_local_day),
    # a day without a zone: it is still the publishing system's clock, not restamped.
    article = {"@type": "BlogPosting", "headline": "Storm hits coast",
               "datePublished": "2025-03-10T23:30:00Z", "dateModified": "2025-03-10T23:30:00Z"}
    body = ("<article><header><h1>Storm hits coast</h1><p>2 May 2024</p></header>"
            f"{PROSE}</article>")
    page = _page(head=_ld(article), body=body)
    assert _meta(page, "https://example.com/2025/03/11/storm").published == "2025-03-11"


def test_without_an_h1_the_dates_are_looked_for_near_the_first_h2() -> None:
    # A page builder's title styled as an h2, whose text is not the title's.
    head = "<title>Introducing Cayenne | Example</title>"
    body = ("<nav><ul><li>Home</li></ul></nav><section><div class='head'>"
            "<h2>Introducing Cayenne: a data accelerator</h2><div class='author'>"
            "<p>Luke Kim</p><small>December 17, 2025</small></div></div>"
            f"<div>{PROSE}</div></section>")
    assert _meta(_page(head=head, body=body), "https://example.com/p").published == (
        "2025-12-17")


def _printed(html: str) -> str | None:
    tree = LexborHTMLParser(html)
    return metadata._printed_date(metadata._Page(tree, None), tree.css_first("h1"))


def test_printed_dates_up_the_levels_read_each_node_once() -> None:
    # Each level reads only what the level below did not: the h1's own block has no date
    # line, the next ones up give the first line after the h1, else the last before it.
    nested = ("<main><p>1 May 2024</p><div><section><div><h1>Storm hits coast</h1></div>"
              "<p>No date here</p></section><p>2 May 2024</p></div><p>3 May 2024</p></main>")
    assert _printed(nested) == "2024-05-02"
    before_only = "<main><p>1 May 2024</p><div><section><h1>T</h1></section></div></main>"
    assert _printed(before_only) == "2024-05-01"
    # Past the node budget of a level, counted with the nodes read below, nothing is read.
    filler = "<span>x</span>" * (metadata._PRINTED_NODES // 2)
    far = (f"<main><div><section><h1>T</h1>{filler}</section><p>2 May 2024</p></div>"
           "</main>")
    assert _printed(far) is None
    near = far.replace(filler, filler[: len(filler) // 4])
    assert _printed(near) == "2024-05-02"
