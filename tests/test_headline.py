"""Headline: site-name suffixes and prefixes stripped, candidates chosen."""

from __future__ import annotations

import doctest

import pytest

from scraper.extract import headline
from scraper.extract.headline import Site, choose_headline, clean_title, site_key, strip_site


@pytest.mark.parametrize(("name", "key"), [
    ("n-tv.de", "ntv"), ("NTV", "ntv"), ("www.Golem.de", "golem"), ("Express.co.uk", "express"),
    ("Global News", "globalnews"), ("朝日新聞デジタル", "朝日新聞デジタル"), ("", ""),
])
def test_site_key(name: str, key: str) -> None:
    assert site_key(name) == key


@pytest.mark.parametrize(("title", "names", "host", "expected"), [
    ("Storm hits coast | Example News", ["Example News"], None, "Storm hits coast"),
    ("Storm hits coast - Example News", ["Example News"], None, "Storm hits coast"),
    ("Storm hits coast – EXAMPLE NEWS", ["Example News"], None, "Storm hits coast"),
    ("Example News: Storm hits coast", ["Example News"], None, "Storm hits coast"),
    ("Storm hits coast · example.com", [], "www.example.com", "Storm hits coast"),
    ("Storm hits coast - Golem.de", [], "www.golem.de", "Storm hits coast"),
    # a section and a date between the title and the site go with it
    ("Gegenoffensive: Ziele, Chancen | DW | 28.04.2023", ["DW.COM"], "www.dw.com",
     "Gegenoffensive: Ziele, Chancen"),
    ("Russia hits Kyiv - National | Globalnews.ca", ["Global News"],
     "globalnews.ca", "Russia hits Kyiv"),
    # East Asian separators need no spaces
    ("津波注意報 気象庁：朝日新聞デジタル", ["朝日新聞デジタル"], None, "津波注意報 気象庁"),
    ("민주당 도입 불발-정치ㅣ한국일보", ["한국일보"], None, "민주당 도입 불발-정치"),
    # the site name is contained in a longer form of it
    ("„Unermüdlicher Einsatz“ – Die Neue Südtiroler Tageszeitung", [],
     "www.tageszeitung.it", "„Unermüdlicher Einsatz“"),
    # a colon inside the headline is not a site separator
    ("Brexit: What happens next", ["Example"], None, "Brexit: What happens next"),
    ("Tony Blair: Why - and how", ["Example"], None, "Tony Blair: Why - and how"),
    # never strips everything
    ("Example News", ["Example News"], None, "Example News"),
    ("Example | News", ["Example", "News"], None, "Example"),
])
def test_strip_site(title: str, names: list[str], host: str | None, expected: str) -> None:
    assert strip_site(title, Site.of(names, host, ["National"])) == expected


def test_sections_are_stripped_only_whole() -> None:
    site = Site.of(["Freie Presse"], "www.freiepresse.de", ["Chemnitz"])
    assert strip_site("Chemnitzer Fest: Wann es steigt", site) == (
        "Chemnitzer Fest: Wann es steigt")
    assert strip_site("Wann das Fest steigt | Chemnitz | Freie Presse", site) == (
        "Wann das Fest steigt")


def test_site_names_matches_contained_names_and_host_prefixes() -> None:
    site = Site.of(["n-tv.de"], "www.mdr.de")
    assert site.names("n-tv NACHRICHTEN")
    assert site.names("MDR THÜRINGEN")
    assert site.names("mdr.de")
    assert not site.names("Jane Doe")
    assert not site.names("")


def test_clean_title_decodes_entities_and_collapses_space() -> None:
    assert clean_title("R&uuml;ckbau &amp;\n Abriss&nbsp; ") == "Rückbau & Abriss"
    assert clean_title("And finally&amp;#8230; trouble &amp;amp; more") == (
        "And finally… trouble & more")
    assert clean_title("Fish &amp;amp chips") == "Fish &amp chips"
    assert clean_title("## Regolith binding for Martian concrete") == (
        "Regolith binding for Martian concrete")
    assert clean_title("#1 pick: the best laptop") == "#1 pick: the best laptop"
    assert clean_title(None) == ""


SITE = Site.of(["Example News"], "www.example.com")


def _choose(h1: list[str] | None = None, jsonld: str | None = None, name: str | None = None,
            og: str | None = None, twitter: str | None = None,
            title: str | None = None) -> str | None:
    return choose_headline(h1=h1 or [], jsonld=jsonld, jsonld_name=name, og=og,
                           twitter=twitter, title=title, site=SITE)


def test_jsonld_headline_matching_h1_beats_og_title_with_suffix() -> None:
    assert _choose(h1=["Storm hits coast"], jsonld="Storm hits coast",
                   og="Storm hits coast | Example News - 28.04.2024") == "Storm hits coast"


def test_h1_spelling_wins_when_it_agrees() -> None:
    assert _choose(h1=["Mexico’s economy grew"], jsonld="Mexico's economy grew") == (
        "Mexico's economy grew")
    assert _choose(h1=["STORM HITS COAST"], og="Storm hits coast") == "STORM HITS COAST"


def test_metadata_title_with_a_non_site_suffix_becomes_the_h1() -> None:
    assert _choose(h1=["Storm hits coast"], og="Storm hits coast - Weather - Regional") == (
        "Storm hits coast")


def test_jsonld_name_replaces_an_seo_headline_that_disagrees_with_page_and_og() -> None:
    assert _choose(h1=["Every outfit she wore, ranked"], jsonld="Outfits ranked",
                   name="Every outfit she wore, ranked",
                   og="Every outfit she wore, ranked") == "Every outfit she wore, ranked"


def test_truncated_jsonld_headline_is_completed() -> None:
    assert _choose(h1=["Storm hits coast, thousands without power"],
                   jsonld="Storm hits coast, thousands with...") == (
        "Storm hits coast, thousands without power")
    assert _choose(jsonld="Storm hits coast, thousands…",
                   og="Storm hits coast, thousands flee") == "Storm hits coast, thousands flee"


def test_order_without_jsonld() -> None:
    assert _choose(h1=["Visible"], og="Social | Example News") == "Social"
    assert _choose(h1=["Visible"], twitter="Card") == "Card"
    assert _choose(h1=["", "Visible"], title="Other | Example News") == "Visible"
    assert _choose(title="Only the title | Example News") == "Only the title"
    assert _choose() is None


@pytest.mark.parametrize(("h1", "og", "expected"), [
    # The visible headline beats an SEO or social rewrite of it.
    ("How To Use Gym Equipment (With Confidence!)",
     "How To Use Gym Equipment: A Beginner's Guide",
     "How To Use Gym Equipment (With Confidence!)"),
    ("Top Espresso Machine under $500: Which One Should You Get?",
     "The 5 Most EPIC Espresso Machines Under $500 [2024 Guide]",
     "Top Espresso Machine under $500: Which One Should You Get?"),
    # ... unless it is longer than og:title (the social one is the edited short form),
    ("I sell Walt Disney World holidays - booking the right day could save you thousands",
     "I sell Disney World holidays - booking the right day could save you thousands",
     "I sell Disney World holidays - booking the right day could save you thousands"),
    # a kicker glued to the headline, a headline with its source glued on, soft hyphens,
    ("Waffenlieferungen an Israel:Palästinenser legt Beschwerde ein",
     "Waffenlieferungen an Israel: Beschwerde eingelegt und begründet heute",
     "Waffenlieferungen an Israel: Beschwerde eingelegt und begründet heute"),
    ("Grads Find Their Degrees No Longer Guarantee Jobs(latimes.com)",
     "Grads Find Their Degrees No Longer Guarantee Jobs",
     "Grads Find Their Degrees No Longer Guarantee Jobs"),
    ("Ein bisschen Fort\u00adschritt beim Gesetz", "Ein bisschen Fortschritt beim Gesetz heute",
     "Ein bisschen Fortschritt beim Gesetz heute"),
    # the site's name, a template, or a label of a few words.
    ("Example News Daily Blog", "A brief intro to git branches", "A brief intro to git branches"),
    ("{{ navItem.title }} Overview Page", "Keep Your Teeth Healthy Every Day",
     "Keep Your Teeth Healthy Every Day"),
    ("Stanford Online", "Certificate vs Certification", "Certificate vs Certification"),
    ("Computer Science > Artificial Intelligence", "Merging language models, a paper",
     "Merging language models, a paper"),
])
def test_visible_h1_beats_og_title_without_jsonld(h1: str, og: str, expected: str) -> None:
    assert _choose(h1=[h1], og=og) == expected
    # A JSON-LD headline still comes first.
    assert _choose(h1=[h1], og=og, jsonld="The JSON-LD headline") == "The JSON-LD headline"


def test_doctests() -> None:
    assert doctest.testmod(headline).failed == 0


def test_normalize_space_collapses_every_space_including_zero_width() -> None:
    from scraper.extract.text import normalize_space
    assert normalize_space("  a\u00a0 b\n\tc\u2009d\u3000e ") == "a b c d e"
    assert normalize_space("Fortschritt\u200b") == "Fortschritt"
    assert normalize_space("a\ufeff b") == "a b"
    assert normalize_space(None) == ""
