from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.errors import FeedError
from scraper.extract import extract
from scraper.feeds import FeedEntry, ParsedFeed, parse_feed
from tests.httpserver import LoopbackServer, Reply

FEEDS = Path(__file__).resolve().parent / "feeds"
XML = {"content-type": "application/xml"}


def fixture(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


ITEM = ('<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>T'
        '</title><item><link>https://example.com/a</link>{}</item></channel></rss>')


def one_entry(inner: str) -> FeedEntry:
    """The single entry of an RSS feed whose item holds ``inner`` besides its link."""
    (entry,) = parse_feed(ITEM.format(inner).encode(), "https://example.com/feed", XML).entries
    return entry


# --- the three flavours ----------------------------------------------------------------


def test_rss20() -> None:
    feed = parse_feed(fixture("rss20.xml"), "https://news.example.com/feeds/world.xml", XML)
    assert (feed.url, feed.title, feed.format) == (
        "https://news.example.com/feeds/world.xml", "Example News: World", "rss20")
    assert (feed.bozo, feed.bozo_reason, feed.duplicate_ids, feed.dropped) == (
        False, None, 1, 1)
    assert feed.entries == (
        FeedEntry(
            entry_id="urn:example:1001",
            # relative link resolved against the feed URL; utm_* and the fragment dropped
            link="https://news.example.com/world/2024/03/talks-resume?id=7",
            title="Talks resume in Erbil",
            summary="Delegations met on Tuesday. More talks are planned.",
            authors=("Jane Doe", "John Roe"),
            published="2024-03-05T14:30:00+03:00",  # the feed's offset kept (RFC 3339)
            tags=("World", "Middle East"),
        ),
        FeedEntry(
            entry_id="https://news.example.com/business/markets",  # no guid: the link
            link="https://news.example.com/business/markets",
            title="Markets close higher",
            summary="Stocks rose for a third day.",
            authors=("Ann Lee",),
            published="2024-03-05T16:00:00Z",
        ),
        # the repeated guid urn:example:1001 is dropped (duplicate_ids == 1)
        FeedEntry(
            entry_id="https://news.example.com/science/comet",  # permalink guid is the link
            link="https://news.example.com/science/comet",
            title="Permalink guid",
            authors=("Kim Park", "Lee Chan"),
        ),
        # "Headline only, no link, no guid, no date" is dropped (dropped == 1)
        FeedEntry(
            entry_id="bulletin-42", link=None, title="Bulletin without a link",
            summary="Radio bulletin.", published="2024-03-06T08:00:00Z",
        ),
        FeedEntry(
            entry_id="sha256:741dc84712a4691e833bf7d0e5e79b8d", link=None,
            title="Flash: no link, no guid", published="2024-03-06T10:00:00Z",
        ),
        FeedEntry(
            entry_id="https://news.example.com/odd-date",
            link="https://news.example.com/odd-date",
            title="Dated only in a format feedparser cannot read",
            authors=("Smith, Jo",),
            published="2024-03-06T09:15:00-05:00",
        ),
    )


def test_atom10() -> None:
    feed = parse_feed(fixture("atom10.xml"), "https://tech.example.org/feeds/atom.xml",
                      {"content-type": "application/atom+xml"})
    assert (feed.title, feed.format, feed.bozo, feed.duplicate_ids, feed.dropped) == (
        "Tech & Things", "atom10", False, 0, 0)
    assert feed.entries == (
        FeedEntry(
            entry_id="tag:tech.example.org,2024:post-1",
            # xml:base="/blog/" resolved against the feed URL, then the relative href
            link="https://tech.example.org/blog/2024/new-chip?ref=home",
            title="New chip announced",
            summary="It is fast & small.",
            authors=("Ada Byte", "Grace Hop"),
            published="2024-03-05T09:00:00+01:00",
            updated="2024-03-05T11:30:00+01:00",
            tags=("hardware", "chips"),
        ),
        FeedEntry(
            entry_id="tag:tech.example.org,2024:post-2",
            link="https://mirror.example.net/posts/mirror-1",  # the entry's own xml:base
            title="Mirror post",
            summary=None,  # content only: the article text is not passed off as a summary
            published=None,  # Atom's updated is a revision time, not a publication date
            updated="2024-03-04T08:00:00Z",
        ),
        FeedEntry(
            entry_id="https://tech.example.org/blog/2024/no-id",
            link="https://tech.example.org/blog/2024/no-id",
            title="No id, link only",
        ),
    )


def test_rdf10() -> None:
    feed = parse_feed(fixture("rdf10.rdf"), "https://nachrichten.example.de/rdf",
                      {"content-type": "application/rdf+xml"})
    assert (feed.title, feed.format, feed.bozo) == ("Nachrichten", "rss10", False)
    assert feed.entries == (
        FeedEntry(
            entry_id="https://nachrichten.example.de/meldung/1",
            link="https://nachrichten.example.de/meldung/1",
            title="Grüne Woche eröffnet",  # ISO-8859-1 declared and honoured
            summary="Die Messe in München – mit 1.000 Ausstellern.",
            authors=("Hans Müller", "Eva Schmidt"),
            published="2024-03-05T10:00:00+01:00",  # dc:date
            updated="2024-03-05T10:00:00+01:00",
            tags=("Wirtschaft",),
        ),
        FeedEntry(
            entry_id="https://nachrichten.example.de/meldung/2",
            link="https://nachrichten.example.de/meldung/2",
            title="Ohne Datum",
        ),
    )


def test_valid_feed_without_entries_is_empty_not_an_error() -> None:
    feed = parse_feed(fixture("empty.xml"), "https://quiet.example.com/rss", XML)
    assert feed == ParsedFeed(url="https://quiet.example.com/rss", title="Quiet feed",
                              format="rss20", entries=())


# --- bozo feeds ------------------------------------------------------------------------


def test_bozo_feed_with_entries_is_used() -> None:
    # An undefined entity (&nbsp;) and a Latin-1 byte in a file declared UTF-8.
    feed = parse_feed(fixture("bozo.xml"), "https://cafe.example.com/rss", {})
    assert feed.bozo is True
    assert feed.bozo_reason == "undefined entity at line 2, column 40"
    assert feed.title == "Café News"
    assert feed.entries == (FeedEntry(
        entry_id="https://cafe.example.com/a", link="https://cafe.example.com/a",
        title="Entity © item", summary="Café au lait.",
    ),)


LATIN1_AS_UTF8 = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>'
                  'Café</title><item><title>Crème</title><link>https://e.com/a</link></item>'
                  '</channel></rss>').encode("latin-1")


def test_wrong_encoding_declaration_is_bozo_but_usable() -> None:
    feed = parse_feed(LATIN1_AS_UTF8, "https://e.com/rss", {})
    assert (feed.bozo, feed.bozo_reason) == (
        True, "document declared as utf-8, but parsed as windows-1252")
    assert [e.title for e in feed.entries] == ["Crème"]


def test_http_charset_wins_over_the_declaration() -> None:
    feed = parse_feed(LATIN1_AS_UTF8, "https://e.com/rss",
                      {"Content-Type": "text/xml; charset=ISO-8859-1"})
    assert (feed.bozo, feed.title, feed.entries[0].title) == (False, "Café", "Crème")


def test_truncated_feed_keeps_the_complete_entries() -> None:
    content = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item>'
               b'<title>A</title><link>https://e.com/a</link></item><item><title>B')
    feed = parse_feed(content, "https://e.com/rss", XML)
    assert feed.bozo_reason == "no element found at line 1, column 153"
    assert [e.link for e in feed.entries] == ["https://e.com/a"]


# --- unusable responses ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty response: no feed in it"),
        (b" \r\n\t ", "empty response: no feed in it"),
        (fixture("page.html"), "not a feed: the response is an HTML page"),
        (b"\xef\xbb\xbf<!DOCTYPE html><html></html>", "not a feed: the response is an HTML page"),
        (b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body>x</body>'
         b"</html>", "not a feed: the response is an HTML page"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
         "not a feed: the response is not well-formed XML (not well-formed (invalid token) "
         "at line 2, column 0)"),
        (b"garbage", "not a feed: the response is not well-formed XML (syntax error at line 2, "
                     "column 0)"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": []}',
         "not a feed: the response is not well-formed XML (not well-formed (invalid token) "
         "at line 2, column 0)"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>',
         "not a feed: no RSS, Atom or RDF document in the response"),
        (b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>A',
         "unusable feed with no entries: no element found at line 1, column 96"),
    ],
)
def test_unusable_feeds_raise(content: bytes, reason: str) -> None:
    with pytest.raises(FeedError) as info:
        parse_feed(content, "https://e.com/feed", XML)
    assert (info.value.url, info.value.reason) == ("https://e.com/feed", reason)
    assert str(info.value) == f"https://e.com/feed: {reason}"


def test_content_is_never_opened_as_a_file_name(tmp_path: Path) -> None:
    # feedparser open()s a str or bytes argument when it names a file.
    path = tmp_path / "feed.xml"
    path.write_bytes(fixture("rss20.xml"))
    with pytest.raises(FeedError, match="not well-formed XML"):
        parse_feed(str(path).encode(), "https://e.com/feed", XML)


def test_content_is_never_fetched_as_a_url(server: LoopbackServer) -> None:
    server.route("/feed.xml", Reply(body=fixture("rss20.xml"),
                                    content_type="application/rss+xml"))
    with pytest.raises(FeedError, match="not well-formed XML"):
        parse_feed(server.url("/feed.xml").encode(), "https://e.com/feed", XML)
    assert server.requests == []


def _mutations() -> st.SearchStrategy[bytes]:
    """Real feeds cut, spliced with random bytes, or random bytes alone."""
    base = st.sampled_from([fixture(n) for n in ("rss20.xml", "atom10.xml", "rdf10.rdf",
                                                 "bozo.xml", "page.html")])
    spliced = st.tuples(base, st.integers(0, 4000), st.binary(max_size=40)).map(
        lambda t: t[0][: t[1]] + t[2] + t[0][t[1]:])
    cut = st.tuples(base, st.integers(0, 4000)).map(lambda t: t[0][: t[1]])
    return st.one_of(st.binary(max_size=500), spliced, cut)


@pytest.mark.slow
@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(content=_mutations(), content_type=st.sampled_from(
    [None, "application/rss+xml", "text/html", "text/xml; charset=utf-16", "text/plain"]))
def test_arbitrary_bytes_give_a_feed_or_feed_error(content: bytes,
                                                   content_type: str | None) -> None:
    headers = {"content-type": content_type} if content_type else {}
    try:
        feed = parse_feed(content, "https://e.com/feed", headers)
    except FeedError as exc:
        assert exc.url == "https://e.com/feed"
        assert exc.reason
        return
    assert isinstance(feed, ParsedFeed)
    ids = [e.entry_id for e in feed.entries]
    assert len(ids) == len(set(ids))
    assert all(e.link is None or e.link.startswith(("http://", "https://"))
               for e in feed.entries)


# --- field normalization ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("inner", "authors"),
    [
        ("<dc:creator>By Jane Doe and John Roe</dc:creator>", ("Jane Doe", "John Roe")),
        ("<dc:creator>BY: JANE DOE</dc:creator>", ("JANE DOE",)),
        ("<dc:creator>Jane Doe, John Roe</dc:creator>", ("Jane Doe", "John Roe")),
        ("<dc:creator>Jane Doe &amp; John Roe; Ann Lee</dc:creator>",
         ("Jane Doe", "John Roe", "Ann Lee")),
        ("<dc:creator>Doe, Jane</dc:creator>", ("Doe, Jane",)),
        ("<dc:creator>Jane Doe (jane.doe@example.com)</dc:creator>", ("Jane Doe",)),
        ("<dc:creator>Ann Bell</dc:creator><dc:creator>Carl Dunn</dc:creator>",
         ("Ann Bell", "Carl Dunn")),
        ("<dc:creator>Jane Doe and jane doe</dc:creator>", ("Jane Doe",)),
        ("<author>jane@example.com (Jane Doe)</author>", ("Jane Doe",)),
        ("<author>jane@example.com</author>", ()),
        ("<dc:creator>Brandon Anderson</dc:creator>", ("Brandon Anderson",)),
        ("<dc:creator>Byron Bay</dc:creator>", ("Byron Bay",)),
        # The page's rules: a name is at most 70 characters; past 300 none is read at all.
        (f"<dc:creator>{'x' * 71}</dc:creator>", ()),
        (f"<dc:creator>{'x' * 70}</dc:creator>", ("x" * 70,)),
        (f"<dc:creator>{'Jane Doe; ' * 40}</dc:creator>", ()),
    ],
)
def test_authors(inner: str, authors: tuple[str, ...]) -> None:
    assert one_entry(inner).authors == authors


@pytest.mark.parametrize(
    ("date", "iso"),
    [
        # The page's reader (extract/dates): the feed's offset kept, RFC 3339.
        ("Tue, 05 Mar 2024 14:30:00 +0300", "2024-03-05T14:30:00+03:00"),
        ("Tue, 05 Mar 2024 00:00:00 GMT", "2024-03-05T00:00:00Z"),
        ("2024-03-05T14:30:00-05:00", "2024-03-05T14:30:00-05:00"),
        ("2024-03-06 09:15 EST", "2024-03-06T09:15:00-05:00"),
        ("March 6, 2024 9:15 AM EST", "2024-03-06T09:15:00-05:00"),
        ("06.03.2024 09:15", "2024-03-06T09:15:00"),  # no zone: as given, no Z
        ("not a date", None),
        # The reader finds the date in text too long to be all date (the time is too far).
        ("March 6, 2024" + " " * 90 + "9:15 AM EST", "2024-03-06"),
        ("", None),
    ],
)
def test_dates(date: str, iso: str | None) -> None:
    assert one_entry(f"<pubDate>{date}</pubDate>").published == iso


@pytest.mark.parametrize("zone", ["IST", "EST", "CEST", "+0530"])
def test_a_feed_and_a_page_read_one_time_and_one_byline_alike(zone: str) -> None:
    """One normalizer: the same text gives the same instant and names on both paths."""
    when, byline = f"Tue, 05 Mar 2024 09:00:00 {zone}", "By Jane Doe, Staff Writer"
    entry = one_entry(f"<pubDate>{when}</pubDate><dc:creator>{byline}</dc:creator>")
    page = extract(
        f'<html><head><meta property="article:published_time" content="{when}">'
        f'<meta name="author" content="{byline}"></head><body><article><h1>Title</h1>'
        "<p>Some text of the story.</p></article></body></html>", "https://example.com/a")
    assert entry.published is not None and page.published is not None
    assert datetime.fromisoformat(entry.published) == datetime.fromisoformat(page.published)
    assert datetime.fromisoformat(entry.published).utcoffset() is not None
    assert entry.authors == page.authors == ("Jane Doe",)


@pytest.mark.parametrize(
    ("inner", "summary"),
    [
        ("<description>&lt;p&gt;One&lt;/p&gt;&lt;p&gt;T&lt;b&gt;w&lt;/b&gt;o&lt;/p&gt;"
         "</description>", "One Two"),
        ("<description><![CDATA[<p>Hi<br>there</p><style>p{}</style><script>x()</script>]]>"
         "</description>", "Hi there"),
        ("<description>&amp;lt;p&amp;gt;Twice &amp;amp;amp; escaped&amp;lt;/p&amp;gt;"
         "</description>", "Twice & escaped"),
        ("<description><![CDATA[a < b and c > d]]></description>", "a < b and c > d"),
        ("<description><![CDATA[<img src=x>  ]]></description>", None),
        ("<description>  </description>", None),
        ("", None),
        ("<description><![CDATA[<p>Troops withdrew.</p> <a href='https://e.com/a'>Continue "
         "reading...</a>]]></description>", "Troops withdrew."),
        ("<description><![CDATA[<p>New tools.</p><p>The post <a href='x'>Tools</a> appeared "
         "first on <a href='y'>Dev Blog</a>.</p>]]></description>", "New tools."),
        ("<description>Prices rose. Read more \u00bb</description>", "Prices rose."),
        ("<description>Why you should read more books</description>",
         "Why you should read more books"),
        ("<description>Read more</description>", None),
        ("<title>Same words</title><description>same words</description>", None),
    ],
)
def test_summaries(inner: str, summary: str | None) -> None:
    assert one_entry(inner).summary == summary


def test_titles_and_tags_are_normalized() -> None:
    entry = one_entry("<title>  Two\n  lines </title><category>World</category>"
                      "<category>world</category><category> </category>"
                      "<category>Asia</category>")
    assert (entry.title, entry.tags) == ("Two lines", ("World", "Asia"))


def test_links_resolve_against_the_fetched_url_not_content_location() -> None:
    content = ITEM.replace("https://example.com/a", "story/1").format("").encode()
    feed = parse_feed(content, "https://example.com/news/feed.xml",
                      {"Content-Location": "https://elsewhere.example.net/x/"})
    assert feed.entries[0].link == "https://example.com/news/story/1"


def test_remembered_joins_keep_each_feed_to_its_own_base() -> None:
    # feedparser's URL joins are remembered across parses (scraper.feeds): the same relative
    # links in feeds at two addresses, and under two xml:base values, read one after the
    # other, each resolve against their own base.
    rss = ITEM.replace("https://example.com/a", "story/1").format("").encode()
    atom = (b'<feed xmlns="http://www.w3.org/2005/Atom" xml:base="%s"><title>T</title>'
            b'<entry><id>1</id><title>A</title><link href="story/1"/></entry></feed>')
    links = [parse_feed(content, url, XML).entries[0].link for content, url in (
        (rss, "https://a.example/x/feed"), (rss, "https://b.example/y/feed"),
        (rss, "https://a.example/x/feed"), (atom % b"/base/", "https://a.example/x/feed"),
        (atom % b"/other/", "https://a.example/x/feed"))]
    assert links == ["https://a.example/x/story/1", "https://b.example/y/story/1",
                     "https://a.example/x/story/1", "https://a.example/base/story/1",
                     "https://a.example/other/story/1"]


def test_links_that_are_not_http_are_dropped() -> None:
    content = ITEM.replace("https://example.com/a", "javascript:alert(1)").format(
        "<title>T</title><guid isPermaLink='false'>x-1</guid>").encode()
    (entry,) = parse_feed(content, "https://example.com/feed", XML).entries
    assert (entry.entry_id, entry.link) == ("x-1", None)


def test_links_that_cannot_be_parsed_are_dropped() -> None:
    content = ITEM.replace("https://example.com/a", "https://[example.com/a").format(
        "<title>T</title><guid isPermaLink='false'>x-2</guid>").encode()
    (entry,) = parse_feed(content, "https://example.com/feed", XML).entries
    assert (entry.entry_id, entry.link) == ("x-2", None)


# --- records from entries --------------------------------------------------------------

ENTRY = FeedEntry(
    entry_id="urn:example:1001",
    link="https://news.example.com/world/talks",
    title="Talks resume",
    summary="Delegations met.",
    authors=("Jane Doe",),
    published="2024-03-05T11:30:00Z",
    updated="2024-03-05T12:00:00Z",
    tags=("World",),
)


@pytest.mark.slow
def test_deeply_nested_summary_is_stripped_not_parsed() -> None:
    """100k nested <div>s took Lexbor 12 s; too many tags are stripped with a regex."""
    nested = "<div>" * 100_000 + "deep" + "</div>" * 100_000
    escaped = nested.replace("<", "&lt;").replace(">", "&gt;")
    entry = one_entry(f"<description>a &amp;amp; {escaped}</description>")
    # The summary is cut at 64 KB first, so the text after the opening tags is gone.
    assert entry.summary == "a &"
    short = "<b>" * 5000 + "deep &amp; x" + "</b>" * 5000
    entry = one_entry(f"<description>{short.replace('<', '&lt;').replace('>', '&gt;')}"
                      "</description>")
    assert entry.summary == "deep & x"


# --- oversized feeds -------------------------------------------------------------------


def _dated_rss(days: list[int], tail: str = "</channel></rss>") -> bytes:
    items = "".join(
        f"<item><guid>g{day}</guid><link>https://example.com/{day}</link><title>Day {day}"
        f"</title><pubDate>{day:02d} Mar 2024 10:00:00 +0100</pubDate></item>"
        for day in days)
    return ('<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"><channel>'
            f"<title>Caf\xe9</title>{items}{tail}").encode("iso-8859-1")


def test_an_oversized_feed_keeps_its_newest_entries_in_feed_order() -> None:
    content = _dated_rss([3, 17, 1, 25, 9, 30, 12])
    headers = {"content-type": "application/rss+xml; charset=iso-8859-1"}
    feed = parse_feed(content, "https://example.com/feed", headers, max_entries=3)
    assert ([e.title for e in feed.entries], feed.cut, feed.title, feed.bozo) == (
        ["Day 17", "Day 25", "Day 30"], 4, "Caf\xe9", False)
    whole = parse_feed(content, "https://example.com/feed", headers, max_entries=7)
    assert (len(whole.entries), whole.cut) == (7, 0)


def test_an_oversized_atom_feed_ranks_undated_entries_last() -> None:
    entries = "".join(
        f"<entry><id>e{n}</id><link href='https://example.com/{n}'/><title>T{n}</title>"
        + (f"<updated>2024-03-0{n}T10:00:00Z</updated>" if n != 2 else "") + "</entry>"
        for n in range(1, 5))
    content = ('<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>'
               f"{entries}</feed>").encode()
    feed = parse_feed(content, "https://example.com/feed", {}, max_entries=2)
    assert ([e.title for e in feed.entries], feed.format, feed.cut) == (
        ["T3", "T4"], "atom10", 2)


def test_an_oversized_feed_that_is_not_well_formed_is_cut_in_document_order() -> None:
    content = _dated_rss([3, 17, 1, 25], tail="<item><title>broken")
    feed = parse_feed(content, "https://example.com/feed", {}, max_entries=2)
    assert ([e.title for e in feed.entries], feed.cut) == (["Day 3", "Day 17"], 3)


# --- markup in summaries, and the parser's cost -----------------------------------------

MARKUP = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Site &amp; Co</title><link>/</link>
<item><guid isPermaLink="false">m-1</guid><link>/news/one?utm_source=rss</link>
<title>One &amp; <![CDATA[two]]></title>
<description><![CDATA[<p>Lead with <a href="/rel/link">a link</a> and <img src="img/x.jpg"/>
<b>bold</b>.</p><script>track()</script><p>Second <i>para</i>.</p>
<p><a href="/news/one">Continue reading...</a></p>]]></description>
<content:encoded><![CDATA[<div><p>Full body, <a href="../up">up</a>.</p></div>]]></content:encoded>
<pubDate>Sun, 01 Mar 2026 09:00:00 GMT</pubDate></item>
<item><link>news/two</link><title>Two</title>
<description>&lt;p&gt;Escaped &lt;a href="/x"&gt;markup&lt;/a&gt;&lt;/p&gt;</description></item>
</channel></rss>"""


def test_markup_and_relative_links_in_summaries_give_exact_text() -> None:
    # Summaries are kept as plain text only, so feedparser neither sanitizes nor resolves
    # the URIs inside them: the text must come out the same either way.
    feed = parse_feed(MARKUP, "https://site.example/feeds/main.xml", XML)
    assert (feed.title, feed.format, feed.bozo) == ("Site & Co", "rss20", False)
    assert feed.entries == (
        FeedEntry(entry_id="m-1", link="https://site.example/news/one", title="One & two",
                  summary="Lead with a link and bold. Second para.",
                  published="2026-03-01T09:00:00Z"),
        FeedEntry(entry_id="https://site.example/feeds/news/two",
                  link="https://site.example/feeds/news/two", title="Two",
                  summary="Escaped markup"),
    )


def test_parse_does_not_look_for_libxml2_each_time(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    from importlib.machinery import ModuleSpec

    looked_up: list[str] = []

    class Recorder:
        @staticmethod
        def find_spec(name: str, path: object = None, target: object = None) -> ModuleSpec | None:
            looked_up.append(name)
            return None

    monkeypatch.setattr(sys, "meta_path", [Recorder(), *sys.meta_path])
    parse_feed(MARKUP, "https://site.example/feeds/main.xml", XML)
    assert "drv_libxml2" not in looked_up
