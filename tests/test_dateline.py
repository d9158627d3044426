"""Datelines: the forms wire services print, and ledes that only look like them."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from scraper.extract.dateline import split_dateline

# (lede, dateline as printed, the lede's first words after it)
POSITIVE = [
    ("ERBIL, Kurdistan Region - Syria's interim president", "ERBIL, Kurdistan Region",
     "Syria's interim president"),
    ("WASHINGTON (AP) — The Senate voted", "WASHINGTON (AP)", "The Senate voted"),
    ("LONDON, Nov 28 (Reuters) - Oil prices rose", "LONDON, Nov 28 (Reuters)", "Oil prices rose"),
    ("BERLIN -- Germany's parliament", "BERLIN", "Germany's parliament"),
    ("SIOUX FALLS, S.D. – A man was", "SIOUX FALLS, S.D.", "A man was"),
    ("KYIV, Ukraine (AP) —Russian drones", "KYIV, Ukraine (AP)", "Russian drones"),
    ("NEW YORK, March 3, 2024 /PRNewswire/ -- Acme Corp. today", "NEW YORK, March 3, 2024 "
     "/PRNewswire/", "Acme Corp. today"),
    ("PARIS (AFP) - Le gouvernement", "PARIS (AFP)", "Le gouvernement"),
    ("Berlin (dpa) - Die Bundesregierung", "Berlin (dpa)", "Die Bundesregierung"),
    ("MADRID, 12 Mar. (EUROPA PRESS) - El Gobierno", "MADRID, 12 Mar. (EUROPA PRESS)",
     "El Gobierno"),
    ("BUFFALO, N.Y. — Ten people were", "BUFFALO, N.Y.", "Ten people were"),
    ("HONG KONG, Dec 2 (Reuters) - Stocks fell", "HONG KONG, Dec 2 (Reuters)", "Stocks fell"),
    ("ST. LOUIS (AP) — A jury", "ST. LOUIS (AP)", "A jury"),
    ("UNITED NATIONS (AP) — The Security Council", "UNITED NATIONS (AP)",
     "The Security Council"),
    ("SÃO PAULO, 5 mars (Reuters) - La Bourse", "SÃO PAULO, 5 mars (Reuters)", "La Bourse"),
    ("WASHINGTON—The Supreme Court", "WASHINGTON", "The Supreme Court"),
    ("WASHINGTON -- “We will not back down,” she said.", "WASHINGTON",
     "“We will not back down,” she said."),
    ("LOS ANGELES — Firefighters", "LOS ANGELES", "Firefighters"),
    ("WINSTON-SALEM, N.C. (AP) — Police", "WINSTON-SALEM, N.C. (AP)", "Police"),
    ("BEIJING, Jan 5 (Reuters) - China's exports", "BEIJING, Jan 5 (Reuters)", "China's exports"),
    ("TOKYO (Kyodo) -- Japan's government", "TOKYO (Kyodo)", "Japan's government"),
    ("Hamburg (dpa/lno) - Ein Feuer", "Hamburg (dpa/lno)", "Ein Feuer"),
    ("Wien (APA) - Die Regierung", "Wien (APA)", "Die Regierung"),
    ("Rom (ANSA) – Il premier", "Rom (ANSA)", "Il premier"),
    ("Washington (CNN) — President", "Washington (CNN)", "President"),
    ("MEXICO CITY (AP) — Mexico's president", "MEXICO CITY (AP)", "Mexico's president"),
    ("GAZA CITY, Gaza Strip (AP) — Israeli strikes", "GAZA CITY, Gaza Strip (AP)",
     "Israeli strikes"),
    ("JERUSALEM, May 4 (Reuters) - Israel", "JERUSALEM, May 4 (Reuters)", "Israel"),
    ("SAN FRANCISCO, Calif. — Tech companies", "SAN FRANCISCO, Calif.", "Tech companies"),
    ("DES MOINES, Iowa - Voters", "DES MOINES, Iowa", "Voters"),
    ("LAGOS, Nigeria — The central bank", "LAGOS, Nigeria", "The central bank"),
    ("NEW DELHI, Oct. 3 (Reuters) - India", "NEW DELHI, Oct. 3 (Reuters)", "India"),
    ("BRUSSELS, 14 March 2024 (AFP) - EU leaders", "BRUSSELS, 14 March 2024 (AFP)",
     "EU leaders"),
    ("CHICAGO, Sept. 9, 2024 /PRNewswire/ -- Acme", "CHICAGO, Sept. 9, 2024 /PRNewswire/",
     "Acme"),
    ("TORONTO, Jan. 2, 2025 /CNW/ - Maple Leaf", "TORONTO, Jan. 2, 2025 /CNW/", "Maple Leaf"),
    ("AUSTIN, Texas, Feb. 1, 2024 /PRNewswire/ -- Dell", "AUSTIN, Texas, Feb. 1, 2024 "
     "/PRNewswire/", "Dell"),
    ("ISTANBUL — Turkey's central bank", "ISTANBUL", "Turkey's central bank"),
    ("OSLO, Norway — The Nobel committee", "OSLO, Norway", "The Nobel committee"),
    ("KHARTOUM, Sudan (AP) — Fighting", "KHARTOUM, Sudan (AP)", "Fighting"),
    ("BAGHDAD - Iraq's parliament", "BAGHDAD", "Iraq's parliament"),
    ("SULAIMANI, Kurdistan Region – Teachers", "SULAIMANI, Kurdistan Region", "Teachers"),
    ("N'DJAMENA, Chad (AP) — Chad's", "N'DJAMENA, Chad (AP)", "Chad's"),
    ("ŁÓDŹ (PAP) - Policja", "ŁÓDŹ (PAP)", "Policja"),
    ("Frankfurt/Main (dpa) - Der Dax", "Frankfurt/Main (dpa)", "Der Dax"),
    ("CAPE CANAVERAL, Fla. (AP) _ NASA", "CAPE CANAVERAL, Fla. (AP)", "NASA"),
    ("Madrid, 12 mar (EFE).- El Gobierno", "Madrid, 12 mar (EFE)", "El Gobierno"),
    ("WASHINGTON (January 24, 2017) — A clinical trial", "WASHINGTON (January 24, 2017)",
     "A clinical trial"),
    ("BOSTON, Mass. (Sept. 5, 2024) -- Researchers", "BOSTON, Mass. (Sept. 5, 2024)",
     "Researchers"),
]

NEGATIVE = [
    "The president said - in a speech on Monday - that he would stay.",
    "Yes, we can - and we will.",
    "In 2023 - the year of the election - turnout fell.",
    "Smith, 45, - a father of three - was arrested.",
    "“We will win,” he said - and the crowd cheered.",
    "\"It is over\" - that was all she wrote.",
    "NATO - the alliance founded in 1949 - met in Vilnius.",
    "U.S. - China talks resumed on Monday.",
    "Christian Lindner (FDP) - der Finanzminister - trat zurück.",
    "Der Kanzler sagte - wie erwartet - nichts.",
    "Am Montag - kurz vor Mitternacht - brannte es.",
    "Le président a dit - lors d'un discours - qu'il resterait.",
    "El presidente dijo - en un discurso - que seguiría.",
    "Il governo ha deciso - ancora una volta - di rinviare.",
    "De minister zei - in een toespraak - dat hij blijft.",
    "Prezydent powiedział - w przemówieniu - że zostaje.",
    "Президент сказал - в своей речи - что останется.",
    "UPDATE - This story has been updated.",
    "BREAKING: The Senate voted.",
    "EXCLUSIVE - A leaked memo shows.",
    "Tesla (TSLA) - shares fell 5% on Monday.",
    "John Smith (left) - with his wife - arrived.",
    "Apple Inc. - the world's most valuable company - reported.",
    "I - like many others - was surprised.",
    "A - B testing is common.",
    "OK - so here is the deal.",
    "TV - the medium that changed politics - is fading.",
    "Washington - a city of monuments - is crowded.",
    "London-based Barclays said on Monday.",
    "Berlin is a city of contrasts - and of cheap rent.",
    "Paris, the capital of France - and of fashion - is busy.",
    "The U.N. (United Nations) - an international body - met.",
    "WHO - the World Health Organization - warned.",
    "Kurdistan Region - a semi-autonomous region - voted.",
    "New York, New York - the song - turns 50.",
    "2024 - a year to forget.",
    "10 things to know - before you go.",
    "COVID-19 - the disease - spread quickly.",
    "Photo: Reuters - The president arrives.",
    "Syria's interim president on Monday received a delegation.",
    "Erbil and Baghdad reach deal on salary payments.",
    "",
    "WASHINGTON",
    "WASHINGTON (AP)",
    "WASHINGTON —",
    "Biden (D) - who won - spoke.",
    "Opinion - Why the euro matters.",
    "ANALYSIS - Markets are jittery.",
    "Teil 2 - Die Rückkehr.",
    "Q&A - What you need to know.",
    "Sen. Smith (R-Texas) - who chairs the panel - said.",
    "Dr. Jane Doe (MIT) - a physicist - said.",
    "Mr. Obama (2009-2017) - the former president - spoke.",
    "Ukraine war - live updates.",
    "Bundesliga: Bayern - Dortmund 2:1.",
    "Bayern München - Borussia Dortmund 2:1.",
    "Real Madrid (ESP) - FC Barcelona (ESP).",
]


# Datelines in title case with no agency: read only when the rest is a lede (ten words or
# more, lower-case words among them). (lede, dateline as printed)
LEDE = "The city council voted on Tuesday to expand the bus network after years of delays."
TITLE_CASE = [
    (f"Portland, OR – {LEDE}", "Portland, OR"),
    (f"Springfield, Ill. — {LEDE}", "Springfield, Ill."),
    (f"Denver – {LEDE}", "Denver"),
    (f"Denver - {LEDE}", "Denver"),
    (f"Denver -- {LEDE}", "Denver"),
    (f"Denver—{LEDE}", "Denver"),
    (f"Salt Lake City, Utah — {LEDE}", "Salt Lake City, Utah"),
    (f"St. Louis, Mo. – {LEDE}", "St. Louis, Mo."),
    (f"Winston-Salem, N.C. - {LEDE}", "Winston-Salem, N.C."),
    (f"Santa Fe, New Mexico – {LEDE}", "Santa Fe, New Mexico"),
    (f"Austin, TX – “We are ready,” the mayor said as {LEDE[4:]}", "Austin, TX"),
    ("Gundremmingen – Die beiden Kühltürme des früheren Kernkraftwerks wurden am Samstag "
     "gesprengt, tausende Menschen sahen zu.", "Gundremmingen"),
    ("Lyon – Le conseil municipal a voté mardi pour étendre le réseau de bus de la ville.",
     "Lyon"),
    ("Sevilla — El ayuntamiento aprobó el martes la ampliación de la red de autobuses.",
     "Sevilla"),
    # places joined by "/", a date in figures or words, an agency in lower case
    ("London/Teheran - Iranische Sicherheitskräfte haben eine junge Aktivistin in ihrer "
     "Wohnung festgenommen.", "London/Teheran"),
    ("Nendeln, 27.6.2025 – Anlässlich der Generalversammlung des Vereins wurde ein neuer "
     "Präsident gewählt.", "Nendeln, 27.6.2025"),
    ("Vaduz, 3.7. – Die Regierung hat am Dienstag den Bericht über die Finanzen des Landes "
     "vorgestellt.", "Vaduz, 3.7."),
    (f"Springfield, Ill., March 3 — {LEDE}", "Springfield, Ill., March 3"),
    ("Kiel (dts) - Die Landesregierung hat am Montag einen neuen Plan für die Häfen des "
     "Landes vorgestellt.", "Kiel (dts)"),
    ("Berlin (red) – Der Senat hat am Dienstag beschlossen, die Mieten in der Stadt zu "
     "begrenzen.", "Berlin (red)"),
]
# Openings in title case with a dash that are not datelines.
TITLE_CASE_NEGATIVE = [
    "Denver – based company Acme said on Monday it would hire more people for the plant.",
    "Denver-based Acme said on Monday it would hire more people for the new plant in town.",
    "Salt Lake City – The council voted on Tuesday to expand the bus network after years.",
    "John Smith – We started the company in 2010 after years of working for others here.",
    "Opinion – Why the city council should vote for the bus network after years of delays.",
    "Update – The council voted on Tuesday to expand the bus network after years of delays.",
    "Introduction – In this guide we explain how the bus network will grow over the years.",
    "Denver – The council voted.",
    "Denver – Colorado's capital",
    "Bayern München - Borussia Dortmund 2:1.",
    "Portland, OR – Seattle, WA – Boise, ID – Spokane, WA",
    "Step 1 – Open the app and tap the menu button in the top left corner of the screen.",
    "Berlin – eine Stadt, die sich ständig verändert und neu erfindet, seit vielen Jahren.",
    "Today – The council voted on Tuesday to expand the bus network after years of delays.",
    "Denver, a city of 700,000 – The council voted on Tuesday to expand the bus network.",
    "DENVER based startups – are growing fast in the city, according to a new report here.",
    "Update/Berlin – The council voted on Tuesday to expand the bus network after years.",
    "Smith (left) – The council voted on Tuesday to expand the bus network after years.",
    "Müller (li.) – Der Minister hat am Montag seinen Rücktritt erklärt, sagte ein Sprecher.",
    "Lindner (FDP) – Der Minister hat am Montag seinen Rücktritt erklärt, sagte ein Sprecher.",
    "Kiel (dts) - Finnland!",
    "Salt Lake City, 45 – The council voted on Tuesday to expand the bus network after years.",
    "John Smith (dts) – The council voted on Tuesday to expand the bus network after years.",
    "Monday, March 3 – The council voted on Tuesday to expand the bus network after years.",
    "Samstag, 27.6. – Der Stadtrat hat am Dienstag beschlossen, das Busnetz zu erweitern.",
]


@pytest.mark.parametrize(("lede", "dateline"), TITLE_CASE, ids=[t[0][:30] for t in TITLE_CASE])
def test_title_case_datelines_before_a_lede(lede: str, dateline: str) -> None:
    found, rest = split_dateline(lede)
    assert found == dateline
    assert lede.startswith(found) and lede.endswith(rest)
    assert rest[0].isupper() or rest[0] in "“\""


@pytest.mark.parametrize("lede", TITLE_CASE_NEGATIVE, ids=[n[:30] for n in TITLE_CASE_NEGATIVE])
def test_title_case_openings_that_are_not_datelines(lede: str) -> None:
    assert split_dateline(lede) == (None, lede)


@pytest.mark.parametrize(("lede", "dateline", "rest"), POSITIVE, ids=[p[0][:30] for p in POSITIVE])
def test_datelines_are_split_off(lede: str, dateline: str, rest: str) -> None:
    assert split_dateline(lede + " more text.") == (dateline, rest + " more text.")


@pytest.mark.parametrize("lede", NEGATIVE, ids=[n[:30] or "empty" for n in NEGATIVE])
def test_ordinary_openings_are_not_datelines(lede: str) -> None:
    assert split_dateline(lede) == (None, lede)


def test_sets_are_large_enough() -> None:
    assert len(POSITIVE) >= 40 and len(NEGATIVE) >= 50
    assert len(TITLE_CASE) >= 12 and len(TITLE_CASE_NEGATIVE) >= 15



# A run of items that each open with a word and a dash: a list, not a dateline and a lede.
LIST_ITEMS = [
    ("Pros - Great performance for the price, a screen that is bright and a battery that "
     "lasts the day.", "Cons - Loud fans when gaming and a keyboard that flexes under the "
     "fingers all the time."),
    ("Ninja – These are popular, so we did a separate review of them and of the best "
     "models to buy.", "Cuisinart – If you like this brand, here is our list of the "
     "best models of the year."),
    ("LIGHTEN YOUR LOAD – Start by weeding out the things you do not need on the trail.",
     "CLOTHING – The clothing you pack will change with the season and the weather."),
]


@pytest.mark.parametrize(("item", "following"), LIST_ITEMS, ids=[i[0][:20] for i in LIST_ITEMS])
def test_items_of_a_list_are_not_datelines(item: str, following: str) -> None:
    assert split_dateline(item)[0] is not None  # alone, the item reads as a dateline
    assert split_dateline(item, None, following) == (None, item)


def test_a_dateline_with_an_agency_stands_before_any_paragraph() -> None:
    following = "KYIV (Reuters) - Ukraine said on Monday that it had shot down the drones."
    assert split_dateline("MOSCOW (Reuters) - Russia said on Monday it had launched drones.",
                          None, following) == (
        "MOSCOW (Reuters)", "Russia said on Monday it had launched drones.")
    assert split_dateline(f"Denver – {LEDE}", None, "The plan costs $2 billion.") == (
        "Denver", LEDE)


def test_declared_dateline_is_used_when_the_lede_starts_with_it() -> None:
    assert split_dateline("Erbil - The talks began.", "Erbil") == ("Erbil", "The talks began.")
    assert split_dateline("Erbil – The talks began.", "Erbil –") == ("Erbil", "The talks began.")


def test_declared_dateline_that_the_lede_does_not_start_with_is_ignored() -> None:
    assert split_dateline("The talks began in Erbil.", "ERBIL") == (None,
                                                                     "The talks began in Erbil.")
    assert split_dateline("Erbilians voted.", "Erbil") == (None, "Erbilians voted.")


def test_longer_printed_dateline_wins_over_the_declared_place() -> None:
    assert split_dateline("WASHINGTON (AP) — The Senate voted.", "WASHINGTON") == (
        "WASHINGTON (AP)", "The Senate voted.")


def test_dateline_alone_is_not_split() -> None:
    assert split_dateline("BERLIN - ") == (None, "BERLIN - ")


@given(st.text(max_size=300))
def test_any_text_splits_into_a_prefix_and_the_rest(text: str) -> None:
    dateline, rest = split_dateline(text)
    if dateline is None:
        assert rest == text
    else:
        assert dateline and rest
        assert text.strip().startswith(dateline)
        assert text.strip().endswith(rest)


@given(st.text(alphabet=st.characters(categories=["Ll", "Zs"]), max_size=80),
       st.sampled_from(["-", "–", "—", "--"]))
@example("āāāā", "-")  # Latin Extended-A lower case sits inside the capitals' ranges
def test_lowercase_openings_are_never_datelines(words: str, dash: str) -> None:
    lede = f"{words} {dash} and so on"
    assert split_dateline(lede) == (None, lede)


_PLACES = st.sampled_from(["Denver", "Portland, OR", "Springfield, Ill.", "Boise, Idaho",
                           "St. Paul, Minn.", "Winston-Salem, N.C.", "Lyon"])
_DASHES = st.sampled_from([" – ", " — ", " - ", " -- ", "—"])
_LOWER_WORDS = st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=9),
                        min_size=9, max_size=30)


@given(_PLACES, _DASHES, _LOWER_WORDS)
def test_a_title_case_place_before_a_lede_is_a_dateline(place: str, dash: str,
                                                         words: list[str]) -> None:
    rest = "The " + " ".join(words) + "."
    assert split_dateline(place + dash + rest) == (place, rest)


@given(_PLACES, _DASHES, _LOWER_WORDS)
def test_a_title_case_place_before_lower_case_or_a_short_line_is_not(
        place: str, dash: str, words: list[str]) -> None:
    lower = place + dash + " ".join(words) + "."
    assert split_dateline(lower) == (None, lower)
    short = place + dash + "The " + " ".join(words[:5]) + "."
    assert split_dateline(short) == (None, short)


@pytest.mark.timeout(5)
@pytest.mark.parametrize("lede", [
    "WASHINGTON, " * 200 + "x",
    "New York, Texas, Ohio, " * 200 + "x",
    "NEW YORK, March 3, 2024, " * 100,
    "A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q, R, S, T, " * 40,
    "AB CD EF GH IJ " * 200,
])
def test_place_like_openings_are_not_datelines(lede: str) -> None:
    # A backtracking blow-up would hang here (the timeout); the time it takes is measured
    # against twice the length in benchmarks/bounded_work.py.
    assert split_dateline(lede) == (None, lede)


def test_declared_place_opening_a_sentence_is_not_split() -> None:
    assert split_dateline("Erbil, the capital, is growing.", "Erbil") == (
        None, "Erbil, the capital, is growing.")
    assert split_dateline("Erbil: The talks began.", "Erbil") == ("Erbil", "The talks began.")


def test_a_standfirst_opening_with_a_dateline_is_the_lede() -> None:
    from scraper.extract import extract

    lede = ("LA CROSSE, Wis. (AP) — After a summer of historic tumult, the path to the "
            "presidency is becoming much clearer.")
    second = ("The two campaigns will devote almost all of their remaining time and "
              "resources to just seven states, their aides said on Monday.")
    html = (f'<html><head><meta name="description" content="{lede}"></head><body><article>'
            f"<h1>Seven states decide</h1><p>{lede}</p><p>{second}</p>"
            f"<p>{second} Again, with more words.</p></article></body></html>")
    article = extract(html, "https://example.com/politics/seven-states")
    assert article.summary is None
    assert article.dateline == "LA CROSSE, Wis. (AP)"
    assert article.body.split("\n\n") == [
        "After a summer of historic tumult, the path to the presidency is becoming much "
        "clearer.", second, f"{second} Again, with more words."]
    # A standfirst without a dateline stays the summary.
    plain = html.replace("LA CROSSE, Wis. (AP) — ", "")
    assert extract(plain, "https://example.com/politics/seven-states").summary == (
        "After a summer of historic tumult, the path to the presidency is becoming much "
        "clearer.")


def test_a_dateline_date_in_any_language_the_dates_read() -> None:
    # the month names are the date reader's (lexicon.MONTH_NAMES), Polish included
    assert split_dateline("WARSZAWA, 3 marca (PAP) - Rząd przyjął w poniedziałek projekt.") == (
        "WARSZAWA, 3 marca (PAP)", "Rząd przyjął w poniedziałek projekt.")


def test_a_body_opening_with_a_list_of_items_has_no_dateline() -> None:
    from scraper.extract import extract

    items = [
        "Ducks - Believe it or not, having ducks around the garden keeps the slugs away "
        "from the beds all summer.",
        "Netting - The birds like to get into the berries, so we cover the bushes with "
        "netting before they ripen.",
        "Fencing - The usual advice for a deer fence around a garden is eight feet, "
        "which is more than most of us want.",
    ]
    html = ("<html><body><article><h1>Keeping pests out of the garden</h1>"
            + "".join(f"<p>{item}</p>" for item in items) + "</article></body></html>")
    article = extract(html, "https://example.com/garden/pests")
    assert article.dateline is None
    assert article.body.split("\n\n") == items
