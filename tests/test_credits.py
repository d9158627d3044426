"""Photo credits: split off caption text, labels stripped."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scraper.extract.credits import clean_credit, is_credit, split_credit, strip_separators

SPLITS = [
    ("A dog in the park. Photo: Jane Doe", "A dog in the park.", "Jane Doe"),
    ("A dog in the park. Photograph: Jane Doe/The Guardian", "A dog in the park.",
     "Jane Doe/The Guardian"),
    ("Ein Hund im Park. Foto: Max Muster/dpa", "Ein Hund im Park.", "Max Muster/dpa"),
    ("Im Vorjahr zog das Fest Tausende an. Bild: Andreas Seidel/Archiv",
     "Im Vorjahr zog das Fest Tausende an.", "Andreas Seidel/Archiv"),
    ("Der Kanzler in Berlin. Quelle: dpa", "Der Kanzler in Berlin.", "dpa"),
    ("Kallas und Jaishankar | Bildquelle: EU-Kommission", "Kallas und Jaishankar", "EU-Kommission"),
    ("A crowd at the castle (Image: LightRocket via Getty Images)", "A crowd at the castle",
     "LightRocket via Getty Images"),
    ("Fans at the match. Credit: PA Wire", "Fans at the match.", "PA Wire"),
    ("The new dark mode. Image Credits: Strava", "The new dark mode.", "Strava"),
    ("Rejoice Ndlovu. Isithombe: Sithunyelwe", "Rejoice Ndlovu.", "Sithunyelwe"),
    ("Fire crews at work. Picture: iStock", "Fire crews at work.", "iStock"),
    ("Az új híd. Fotó: MTI/Kovács", "Az új híd.", "MTI/Kovács"),
    ("An aerial view of the ice.Photograph by Doug Johnson", "An aerial view of the ice.",
     "Doug Johnson"),
    ("A rally in Ohio. Photo by Jane Doe/Getty Images", "A rally in Ohio.",
     "Jane Doe/Getty Images"),
    ("A flag over a refinery. (AP Photo/Damian Dovarganes)", "A flag over a refinery.",
     "AP Photo/Damian Dovarganes"),
    ("Markets fell on Monday (Reuters)", "Markets fell on Monday", "Reuters"),
    ("Arnaldo Báez intenta marcharse. (Edu Luque)", "Arnaldo Báez intenta marcharse.",
     "Edu Luque"),
    ("Jamil Al Saadouni in Gaza. (Mohamed El Saife/CBC)", "Jamil Al Saadouni in Gaza.",
     "Mohamed El Saife/CBC"),
    ("The gutted remains of the buildings. Eva Manez/Reuters",
     "The gutted remains of the buildings.", "Eva Manez/Reuters"),
    ("Kamala Harris at a rally. Jane Doe / AFP", "Kamala Harris at a rally.", "Jane Doe / AFP"),
    ("Fireworks over the castle. Walt Disney World Resort via Getty Images",
     "Fireworks over the castle.", "Walt Disney World Resort via Getty Images"),
    ("Chelsea beat Tottenham | REUTERS", "Chelsea beat Tottenham", "REUTERS"),
    ("Ein Motorrad in Wolfsburg © VW", "Ein Motorrad in Wolfsburg", "VW"),
    ("Ein Motorrad in Wolfsburg. Copyright Volkswagen AG", "Ein Motorrad in Wolfsburg.",
     "Volkswagen AG"),
    ("Syrian President Ahmed al-Sharaa receives the delegation. Photo: Syrian presidency",
     "Syrian President Ahmed al-Sharaa receives the delegation.", "Syrian presidency"),
    ("Анвар Ибрагим. Фото: Дмитрий Азаров, Коммерсантъ", "Анвар Ибрагим.",
     "Дмитрий Азаров, Коммерсантъ"),
]

KEPT = [
    "Werden bald alljährlich gefeiert: Deutsche Soldaten in Kundus",
    "Mario Voigt (CDU) und Björn Höcke (AfD)",
    "Die Ex-Außenministerin tritt am Dienstag an. (Archivbild)",
    "Sieger Arthur Kluckers umrahmt von Luc Wirtgen (l.) und Alexandre Kess (r.).",
    "Tourists and locals gather. And/or visitors",
    "Kamala Harris, centre, poses with classmates in 1981.",
    "V. l.: Katja Wolf (BSW), Thomas L. Kemmerich (FDP), Georg Maier (SPD)",
    "Strava: Leaderboard integrity powered by AI",
    "Russell, Sainz, Verstappen y PÃ©rez, durante la vuelta",
    "Friedrich Merz",
    "Donald Trump bleibt vage.",
    "The photo shows a rally. Many people came",
    "",
]


@pytest.mark.parametrize(("text", "caption", "credit"), SPLITS, ids=[s[0][:30] for s in SPLITS])
def test_credit_is_split_off(text: str, caption: str, credit: str) -> None:
    assert split_credit(text) == (caption, credit)


@pytest.mark.parametrize("text", KEPT, ids=[k[:30] or "empty" for k in KEPT])
def test_captions_without_a_credit_are_kept_whole(text: str) -> None:
    assert split_credit(text) == (text, None)


@pytest.mark.parametrize(("raw", "clean"), [
    ("Photo: Jane Doe", "Jane Doe"),
    ("(Image: Getty)", "Getty"),
    ("Foto: Lisa Mattisson", "Lisa Mattisson"),
    ("© Axel Heimken/dpa", "Axel Heimken/dpa"),
    ("Quelle: Martin Schutt/dpa", "Martin Schutt/dpa"),
    ("Photo by David Kawai/Bloomberg", "David Kawai/Bloomberg"),
    ("Image credit: Google", "Google"),
    ("(NPA)", "NPA"),
    ("Copyright Fredrik Persson/AP", "Fredrik Persson/AP"),
    ("Tous droits réservés Euronews", "Euronews"),
    ("© Photo: Jane Doe", "Jane Doe"),
    ("Getty Images", "Getty Images"),
    ("Reuters /", "Reuters"),
])
def test_credit_labels_are_stripped(raw: str, clean: str) -> None:
    assert clean_credit(raw) == clean


@pytest.mark.parametrize(("text", "expected"), [
    ("Michael Kappeler/dpa", True),
    ("picture alliance/dpa", True),
    ("© AFP", True),
    ("Foto: Jane Doe", True),
    ("Getty Images", True),
    ("Bloomberg via Getty Images", True),
    ("Friedrich Merz", False),
    ("Der Kanzler spricht in Berlin.", False),
    ("A dog and/or a cat sleep here", False),
])
def test_whole_caption_that_is_a_credit(text: str, expected: bool) -> None:
    assert is_credit(text) is expected


def test_separators_left_by_a_cut_are_stripped() -> None:
    assert strip_separators("A dog in the park | ") == "A dog in the park"
    assert strip_separators("A dog — ") == "A dog"
    assert strip_separators("A dog.") == "A dog."


@given(st.text(max_size=400))
def test_split_never_invents_text(text: str) -> None:
    caption, credit = split_credit(text)
    if credit is None:
        assert caption == text
    else:
        assert credit and len(caption) < len(text)
        assert text.lstrip().startswith(caption)


@given(st.text(max_size=200))
def test_clean_credit_only_shortens(text: str) -> None:
    cleaned = clean_credit(text)
    assert len(cleaned) <= len(text)
    assert cleaned == cleaned.strip()


@pytest.mark.parametrize("text", ["(The Independent)", "cristianstorto - stock.adobe.com",
                                  "n-tv.de"])
def test_source_notes_are_credits(text: str) -> None:
    assert is_credit(text)
