"""Datelines at the start of the lede: "ERBIL, Kurdistan Region - ", "WASHINGTON (AP) — ".

A dateline is a place written the way wire services write it, followed by a dash:

* a place in capitals: ``WASHINGTON —``, ``SIOUX FALLS, S.D. –``, ``NEW YORK, March 3, 2024 --``,
  ``WASHINGTON (January 24, 2017) —``;
* a place in capitals or title case with an agency in parentheses or slashes:
  ``Berlin (dpa) -``, ``LONDON, Nov 28 (Reuters) -``, ``NEW YORK /PRNewswire/ --``;
* a place in capitals with a title-case region: ``ERBIL, Kurdistan Region -``;
* a place in title case, one word (or places joined by "/"), or with its state or country
  or a date, when what follows the dash reads as a lede: ``Denver –``, ``London/Teheran -``,
  ``Portland, OR –``, ``Springfield, Ill. —``, ``Nendeln, 27.6.2025 –``;
* a one-word place in title case with an agency abbreviation in lower case, the way German
  wires and their imitators write theirs, when a lede follows: ``Kiel (dts) -``;
* or the text the page declared as its dateline (``hint``), when the lede starts with it.

A title-case opening without an agency is a dateline only in that last, narrow form:
ordinary sentences ("The president said - in a speech"), headings ("Bayern München -
Borussia Dortmund 2:1") and compounds ("Denver – based company") start the same way.

>>> split_dateline("WASHINGTON (AP) — The Senate voted on Tuesday.")
('WASHINGTON (AP)', 'The Senate voted on Tuesday.')
>>> split_dateline("The president said - in a speech - that he would stay.")
(None, 'The president said - in a speech - that he would stay.')
"""

from __future__ import annotations

import re

from scraper.extract.lexicon import (
    MONTH_NAMES,
    NEWS_AGENCIES,
    NOT_PLACES,
    NOT_TITLE_PLACES,
    PICTURE_POSITIONS,
    WEEKDAY_NAMES,
    WIRE_WORDS,
)

__all__ = ["split_dateline"]

# An em/en dash may touch the next word ("(AP) —Russian"); a hyphen must be spaced after;
# ".-" is the Spanish agencies' form, " _ " the old AP wire's.
_DASH = r"(?:\s*(?:--|[–—‒―])\s*|\s*-\s+|\.-\s*|\s+_\s+)"
# Upper-case place words: "WASHINGTON", "SIOUX FALLS", "ST. LOUIS", "SÃO PAULO", "N'DJAMENA".
_UPPER_WORD = r"(?:[A-ZÀ-ÖØ-ÞĀ-Ž][A-ZÀ-ÖØ-ÞĀ-Ž'’.\-]*[A-ZÀ-ÖØ-ÞĀ-Ž.]|[A-Z])"
# Atomic groups ("(?>...)") and possessive repeats keep the match linear: a lede of place-like
# words and commas ("WASHINGTON, WASHINGTON, ...") must not make the engine try every split.
_UPPER_PLACE = rf"(?>{_UPPER_WORD}(?:[ -]{_UPPER_WORD}){{0,4}})"
# Title-case words: "Kurdistan Region", "Ukraine", "S.D.", "Calif.", "Rio de Janeiro".
_TITLE_WORD = r"(?:[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’.\-]*\.?|de|del|da|do|la|le|am|an|im|upon|on|sur)"
_TITLE_PLACE = rf"(?>[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’.\-/]*(?: {_TITLE_WORD}){{0,4}})"
# Month names of every language we read, longest first so that "Sept" is not read as "Sep".
_MONTH_NAMES = sorted({name for names in MONTH_NAMES for name in names.split()},
                      key=lambda name: (-len(name), name))
_MONTH = rf"(?i:{'|'.join(_MONTH_NAMES)})(?!\w)\.?"
_DATE = rf"(?>(?:{_MONTH} \d{{1,2}}(?:st|nd|rd|th)?|\d{{1,2}}\.? {_MONTH})(?:,? \d{{4}})?)"
# "(AP)", "(Reuters)", "(dpa)", "(EUROPA PRESS)", "/PRNewswire/", "(AFP)", "(dpa-AFX)".
_AGENCY = r"(?:\((?P<paren>[A-Za-z][\w.&\-/ ]{0,30})\)|/\s?(?P<slash>[A-Z][\w\-. ]{1,30})/)"
_QUALIFIERS = rf"(?>, (?:{_DATE}|{_TITLE_PLACE}|{_UPPER_PLACE}))*+"

# Press releases put the date in parentheses: "WASHINGTON (January 24, 2017) —".
_UPPER_DATELINE = re.compile(
    rf"(?P<dateline>{_UPPER_PLACE}{_QUALIFIERS}(?:,? {_DATE})?(?: ?\({_DATE}\))?"
    rf"(?: ?{_AGENCY})?)"
    rf"{_DASH}(?=\w|[\"“‘'«„(])"
)
_AGENCY_DATELINE = re.compile(
    rf"(?P<dateline>{_TITLE_PLACE}{_QUALIFIERS}(?:,? {_DATE})? ?{_AGENCY}){_DASH}(?=\w|[\"“‘'«„(])"
)
# A place in title case without an agency: one word ("Denver"), or up to three with the
# state or country after a comma: a postal code ("OR"), an AP abbreviation ("Ill.",
# "N.Y."), or a name ("Texas", "New Mexico"). Several words alone could be a person.
_CITY_WORD = r"(?:(?:St|Ft|Mt)\. ?)?[A-ZÀ-ÖØ-Þ][a-zà-ÿ'’]+(?:-[A-ZÀ-ÖØ-Þ][a-zà-ÿ'’]+)?"
_REGION = (r"(?:[A-Z]{2}|(?:[A-Z]\.){2}|[A-Z][a-z]{1,4}\.|"
           r"[A-ZÀ-ÖØ-Þ][a-zà-ÿ]+(?: [A-ZÀ-ÖØ-Þ][a-zà-ÿ]+)?)")
# Only the dashes of datelines: spaced, or a double hyphen (a bare hyphen joins words).
_SPACED_DASH = r"(?:\s+(?:--|[-–—])\s+|\s*[–—]\s*(?=[A-Z0-9\"“‘'«„]))"
# A date in figures, the German and Swiss press releases' "27.6.2025", "27.6.25", "27.6.".
_NUMERIC_DATE = r"\d{1,2}\.\d{1,2}\.(?:\d{4}|\d{2})?"
_TITLE_DATE = rf"(?:{_DATE}|{_NUMERIC_DATE})"
_TITLE_DATELINE = re.compile(
    rf"(?P<dateline>(?:{_CITY_WORD}(?: {_CITY_WORD}){{0,2}}"
    rf"(?:, {_REGION}(?:, {_TITLE_DATE})?|, {_TITLE_DATE})"
    rf"|{_CITY_WORD}(?:/{_CITY_WORD}){{0,2}}))"
    rf"{_SPACED_DASH}(?=[A-Z0-9\"“‘'«„])"
)
# What follows a title-case dateline must read as a lede: a sentence of some length
# with lower-case words, not a heading, a score or a name list.
_LEDE_MIN_WORDS = 10
_LEDE_LOWER_WORDS = 3
# After a place in capitals any short parenthesis is accepted; after title case only a news
# agency or a wire ("Berlin (dpa) -"), since "Christian Lindner (FDP) - ..." is a sentence,
# or, before a lede, an abbreviation in lower case after a one-word place ("Kiel (dts) -").
_WIRE = re.compile("|".join(WIRE_WORDS), re.IGNORECASE)
_LOWER_AGENCY = re.compile(r"[a-z]{2,4}(?:/[a-z]{2,4})?")
_ONE_PLACE = re.compile(rf"{_CITY_WORD}(?:/{_CITY_WORD}){{0,2}}")
_LOWER = re.compile(r"[a-zà-ÿ]")
_MAX_DATELINE = 80
_HINT_SEPARATOR = re.compile(r"\s*(?:--|[-–—‒―:]|\.-)\s*")


def split_dateline(paragraph: str, hint: str | None = None,
                   following: str | None = None) -> tuple[str | None, str]:
    """Split a lede into (dateline, rest); (None, paragraph) when it has no dateline.

    ``hint`` is a dateline the page declared in markup or JSON-LD: it is used when the lede
    starts with it. ``following`` is the paragraph after the lede: when it too opens with
    a place-like word and a dash, the two are items of a list ("Pros – ...", "Cons – ..."),
    unless the lede names its agency. The dateline is returned as printed, without the dash
    after it, and the rest starts with the lede's first real word.
    """
    text = paragraph.strip()
    hint = (hint or "").strip().rstrip(" -–—").strip()
    head = text[:_MAX_DATELINE + 10]  # a dateline is short: never scan the whole lede
    for pattern in (_UPPER_DATELINE, _AGENCY_DATELINE):
        match = pattern.match(head)
        if match is None:
            continue
        dateline = match.group("dateline").strip()
        rest = text[match.end():].strip()
        if rest and _plausible(match, pattern is _UPPER_DATELINE, rest) and (
            not hint or dateline.startswith(hint) or not text.startswith(hint)
        ) and (match.group("paren") or match.group("slash") or not _item(following)):
            return dateline, rest
    match = _TITLE_DATELINE.match(head)
    if match is not None and (not hint or not text.startswith(hint)):
        dateline = match.group("dateline")
        rest = text[match.end():].strip()
        if _title_place(dateline) and _reads_as_lede(rest) and not _item(following):
            return dateline, rest
    if hint and text.startswith(hint):
        # "Erbil, the capital, ..." starts with the declared place but is a sentence
        separator = _HINT_SEPARATOR.match(text, len(hint))
        rest = text[separator.end():].strip() if separator is not None else ""
        if rest:
            return hint, rest
    return None, paragraph


def _item(following: str | None) -> bool:
    """Whether the paragraph after a lede opens the way the lede does (a list's next item)."""
    return following is not None and split_dateline(following)[0] is not None


def _plausible(match: re.Match[str], upper: bool, rest: str) -> bool:
    dateline = match.group("dateline")
    if len(dateline) > _MAX_DATELINE:
        return False
    agency = match.group("paren") or match.group("slash")
    if upper:
        head = re.split(r"[,(/]", dateline, maxsplit=1)[0].strip()
        letters = sum(ch.isalpha() for ch in head)
        # the place itself is in capitals and more than an acronym opening a sentence; the
        # pattern's letter ranges take Latin Extended-A, where cases alternate ("Āā")
        return (not any(ch.islower() for ch in head) and head not in NOT_PLACES
                and (letters > 3 or agency is not None))
    if agency is None:
        return False
    first = re.split(r"[/ ]", agency.strip(), maxsplit=1)[0].lower()
    if (agency.strip().lower() in NEWS_AGENCIES or first in NEWS_AGENCIES
            or _WIRE.search(agency)):
        return True
    # an agency we do not know, written the wires' way: "Kiel (dts) - ..."; a surname with
    # a picture position ("Smith (left) - ...") or a party ("Lindner (FDP)") is not one
    place = dateline[:dateline.index("(")].strip() if match.group("paren") else ""
    return (_LOWER_AGENCY.fullmatch(agency) is not None and agency not in PICTURE_POSITIONS
            and _ONE_PLACE.fullmatch(place) is not None and _title_place(place)
            and _reads_as_lede(rest))


def _title_place(dateline: str) -> bool:
    # a day before a date ("Monday, March 3 –", "Samstag, 27.6. –") heads a diary entry
    return all(place.upper() not in NOT_PLACES and place.lower() not in NOT_TITLE_PLACES
               and place.lower() not in WEEKDAY_NAMES
               for place in dateline.split(",", 1)[0].split("/"))


def _reads_as_lede(rest: str) -> bool:
    words = rest.split()
    if len(words) < _LEDE_MIN_WORDS:
        return False
    return sum(1 for word in words if _LOWER.match(word)) >= _LEDE_LOWER_WORDS
