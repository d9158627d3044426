"""Dates as pages print them, normalized to ISO 8601.

A time with a zone keeps the page's offset (RFC 3339, ``Z`` for UTC): converting a local
time to UTC would move the calendar day of evening stories. A time without a zone is kept
as given (no offset); a plain date stays a plain date. ISO forms are read with
:meth:`datetime.fromisoformat` (fast); textual forms ("28 April 2024, 14:26",
"28. März 2024", "April 28, 2024 2:26 PM EDT") by a small multilingual reader; the rest by
python-dateutil, which is slow and is therefore the last resort.

>>> normalize_date("2024-04-28T14:26:01+02:00")
'2024-04-28T14:26:01+02:00'
>>> normalize_date("Thu, 04 Sep 2025 23:30:00 GMT")
'2025-09-04T23:30:00Z'
>>> normalize_date("2024-04-28T14:26:01")
'2024-04-28T14:26:01'
>>> normalize_date("28. März 2024")
'2024-03-28'
"""

from __future__ import annotations

import re
import warnings
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from urllib.parse import urlsplit

from dateutil import parser as du_parser

from scraper.extract.lexicon import DATE_LINE_WORDS, MONTH_NAMES, UPDATED_LABELS, WEEKDAY_NAMES
from scraper.extract.text import grouped_alternation, has_digit

__all__ = ["date_line", "normalize_date", "update_line", "url_date"]

_ISO = re.compile(r"^\d{4}-?\d{2}-?\d{2}(?:$|[T ]\d)")
_ISO_DATE_ONLY = re.compile(r"^\d{4}-?\d{2}-?\d{2}$")
# Fractions of a second beyond microseconds, and a zone written "+02" or "+0200", which
# fromisoformat of Python 3.11 reads; a space before the zone it does not.
_ISO_FIX = re.compile(r"(\.\d{6})\d+|\s+(?=[+-]\d{2}:?\d{2}$|Z$)")
_EPOCH = re.compile(r"^\d{10}(?:\d{3})?$")

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(MONTH_NAMES, start=1):
    for _name in _names.split():
        _MONTHS.setdefault(_name, _number)

# Longest names first ("september" before "sep"), grouped by first letter: no two first
# letters are one letter under IGNORECASE (tests/test_dates.py), so the same name matches,
# at a quarter of the cost of the flat alternation, tried at every position of a line.
_MONTH_ALT = grouped_alternation(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
_TIME = r"(?:\D{0,12}?\b(\d{1,2})[:h.](\d{2})(?:[:.](\d{2}))?\s*([ap]\.?m\.?)?)?"
# "28 April 2024", "28. März 2024", "28 de abril de 2024", "4th of September 2025", each
# optionally with a time.
_DAY_MONTH_YEAR = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\.?\s*(?:de\s+|of\s+)?({_MONTH_ALT})\.?,?\s*(?:de\s+|del\s+)?(\d{{4}})\b"
    + _TIME, re.IGNORECASE)
# "April 28, 2024", "Apr. 28 2024 2:26 PM".
_MONTH_DAY_YEAR = re.compile(
    rf"\b({_MONTH_ALT})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b" + _TIME,
    re.IGNORECASE)
# "28.04.2024 14:26", "28/04/2024", "25.04.24" (day first: the order of most of the world;
# a slash date of a page written for the United States is month first, see _scan).
_NUMERIC = re.compile(r"\b(\d{1,2})([./])(\d{1,2})\2(\d{4}|\d{2})(?![\d.])" + _TIME)
# "2024/04/28 10:00", "2025年1月13日 21時37分", "2025. 05. 15 20:00".
_YEAR_FIRST = re.compile(
    r"\b(\d{4})\s*(?:[./-]|年)\s*(\d{1,2})\s*(?:[./-]|月)\s*(\d{1,2})(?!\d)"
    r"(?:\D{0,12}?(\d{1,2})\s*[:時시h]\s*(\d{2})(?:\s*[:分분]\s*(\d{2}))?()?)?")
_ZONE = re.compile(
    r"(?:\b(UTC|GMT|Z)\s*([+-]\d{1,2}(?::?\d{2})?)?|([+-]\d{2}:?\d{2})|\b([A-Z]{2,5})\b)\s*$")
_ZONE_HOURS: dict[str, float] = {
    "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "BST": 1, "WEST": 1, "CET": 1,
    "MEZ": 1, "CEST": 2, "MESZ": 2, "EET": 2, "EEST": 3, "MSK": 3, "TRT": 3,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    "AKST": -9, "AKDT": -8, "HST": -10, "IST": 5.5, "JST": 9, "KST": 9, "HKT": 8, "SGT": 8,
    "AEST": 10, "AEDT": 11, "ACST": 9.5, "AWST": 8, "NZST": 12, "NZDT": 13, "SAST": 2,
    "WAT": 1, "CAT": 2, "EAT": 3,
}
_TZINFOS = {name: int(hours * 3600) for name, hours in _ZONE_HOURS.items()}
_MINUTE = timedelta(minutes=1)
_NO_OFFSET = timedelta(0)
# Years outside this range are typing errors or placeholders, not publication dates.
_MIN_YEAR, _MAX_YEAR = 1990, 2100


def _format(value: datetime | date, has_time: bool) -> str | None:
    # isoformat starts with "YYYY-MM-DD" (then "THH:MM:SS") for these years; it costs a
    # fifth of strftime, which goes through the time module on every call.
    if not _MIN_YEAR <= value.year <= _MAX_YEAR:
        return None
    if not has_time or not isinstance(value, datetime):
        return value.isoformat()[:10]
    offset = value.utcoffset()
    if offset is None:
        return value.isoformat()[:19]
    if offset % _MINUTE:
        # RFC 3339 offsets are whole minutes; only historical zones (local mean time) have
        # seconds, and UTC says the same instant.
        try:
            value, offset = value.astimezone(UTC), _NO_OFFSET
        except (OverflowError, ValueError):
            return None
    if not offset:
        return value.isoformat()[:19] + "Z"
    minutes = offset // _MINUTE
    sign = "-" if minutes < 0 else "+"
    return f"{value.isoformat()[:19]}{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _from_iso(text: str) -> str | None:
    # What _ISO_FIX repairs needs a "." or a space (any other space is not printable).
    fixed = text
    if "." in text or " " in text or not text.isprintable():
        fixed = _ISO_FIX.sub(lambda m: m.group(1) or "", text)
    if fixed.endswith(("z", "Z")):
        fixed = fixed[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(fixed)
    except ValueError:
        return None
    return _format(value, not _ISO_DATE_ONLY.match(text))


def _zone(text: str) -> tzinfo | None:
    match = _ZONE.search(text)
    if match is None:
        return None
    named, named_offset, offset, abbrev = match.groups()
    if offset or named_offset:
        raw = (offset or named_offset).replace(":", "")
        sign = -1 if raw[0] == "-" else 1
        digits = raw[1:]
        hours = int(digits[:2]) if len(digits) > 2 else int(digits)
        minutes = int(digits[2:4]) if len(digits) > 2 else 0
        if hours > 14 or minutes > 59:
            return None
        return timezone(sign * timedelta(hours=hours, minutes=minutes))
    name = named or abbrev
    if name in _ZONE_HOURS:
        return timezone(timedelta(hours=_ZONE_HOURS[name]))
    return None


def _build(text: str, year: int, month: int, day: int, time: tuple[str | None, ...]
           ) -> str | None:
    hour_s, minute_s, second_s, ampm = time
    try:
        if hour_s is None or minute_s is None:
            return _format(date(year, month, day), False)
        hour = int(hour_s)
        if ampm:
            hour = hour % 12 + (12 if ampm.lower().startswith("p") else 0)
        value = datetime(year, month, day, hour, int(minute_s), int(second_s or 0),
                         tzinfo=_zone(text))
    except ValueError:
        return None
    return _format(value, True)


def _scan(text: str, month_first: bool = False) -> tuple[str | None, re.Match[str]] | None:
    """The first textual date of ``text`` (None when it is no valid date) and its match.
    ``month_first``: a slash date whose two numbers could both be the month ("8/1/2025")
    is read in the order of the United States (August 1), not day first."""
    match = _DAY_MONTH_YEAR.search(text)
    if match is not None:
        day, month, year = match.group(1, 2, 3)
        return _build(text, int(year), _MONTHS[month.lower()], int(day),
                      match.groups()[3:]), match
    match = _MONTH_DAY_YEAR.search(text)
    if match is not None:
        month, day, year = match.group(1, 2, 3)
        return _build(text, int(year), _MONTHS[month.lower()], int(day),
                      match.groups()[3:]), match
    match = _YEAR_FIRST.search(text)
    if match is not None:
        year, month, day = match.group(1, 2, 3)
        return _build(text, int(year), int(month), int(day), match.groups()[3:]), match
    match = _NUMERIC.search(text)
    if match is not None:
        first, sep, second, year_s = match.group(1, 2, 3, 4)
        day, month = int(first), int(second)
        year = int(year_s) + (2000 if len(year_s) == 2 else 0)
        # Only slashes: a date with dots is day first in the United States too.
        if sep == "/" and (month > 12 >= day or (month_first and day <= 12)):
            day, month = month, day  # the US order: only it fits, or the page's
        return _build(text, year, month, day, match.groups()[4:]), match
    return None


def _from_text(text: str, month_first: bool) -> str | None:
    found = _scan(text, month_first)
    return found[0] if found is not None else None


def _from_dateutil(text: str) -> str | None:
    sentinel = datetime(1, 1, 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # Month first where the numbers allow both ("03-09-2026"), whatever the page's
            # locale: pages of the United States without a region in their language tag
            # write their metadata so (one gave "03-09-2026", March 9; review of 4a9ed61).
            value = du_parser.parse(text, default=sentinel, tzinfos=_TZINFOS)
    except (ValueError, OverflowError, TypeError, du_parser.ParserError):
        return None
    if value.year == 1:
        return None
    has_time = (value.hour, value.minute, value.second) != (0, 0, 0) or ":" in text
    return _format(value, has_time)


def normalize_date(value: object, month_first: bool = False) -> str | None:
    """``value`` (a string, or a Unix timestamp in seconds or milliseconds) as ISO 8601,
    or None when it holds no recognisable date. Never raises. ``month_first``: the page is
    written for the United States, where "8/1/2025" is August 1 (else January 8).

    >>> normalize_date("8/1/2025"), normalize_date("8/1/2025", month_first=True)
    ('2025-01-08', '2025-08-01')
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        text = str(int(value))
    elif isinstance(value, str):
        text = value.strip()
    else:
        return None
    if not text or len(text) > 200:
        return None
    if _ISO.match(text):
        result = _from_iso(text)
        if result is not None:
            return result
    if _EPOCH.match(text):
        seconds = int(text[:10])
        return _format(datetime.fromtimestamp(seconds, UTC), True)
    result = _from_text(text, month_first)
    if result is not None:
        return result
    if not has_digit(text):
        return None
    return _from_dateutil(text)


# A date line is short: a label, the date, perhaps a name or a read time. A date inside a
# sentence of prose ("The company was founded on 4 May 2021 in Denver and ...") is not the
# page's date.
_LINE_MAX_CHARS = 80
_LINE_MAX_WORDS = 8
# Besides labels: a name, a weekday. A caption ending in its date ("Soldiers near
# Bakhmut, 24 April 2023") has more.
_LINE_MAX_OTHER_WORDS = 3
_LETTERS = re.compile(r"[^\W\d_]+")
# The words around a date on a date line: labels, prepositions, read-time words, weekdays.
_LINE_WORDS = DATE_LINE_WORDS | WEEKDAY_NAMES
# Labels of a line that gives when the article was changed, not first published.
_UPDATE_LABEL = re.compile(rf"\b(?:{'|'.join(UPDATED_LABELS)})\b", re.IGNORECASE)
# A path segment /2025/09/04/ or /2025-09-04-slug: blogs and news sites put the day of
# publication there.
_URL_DATE = re.compile(
    r"/((?:19|20)\d{2})([/-])(0[1-9]|1[0-2])\2(0[1-9]|[12]\d|3[01])(?=[/_.-]|$)")


def date_line(text: str, month_first: bool = False) -> str | None:
    """The date of a short line that is mostly a date, as :func:`normalize_date` gives it
    (``month_first`` as there); None for anything else, a sentence that mentions a date
    included.

    >>> date_line("Published: 28/08/2025 18:42")
    '2025-08-28T18:42:00'
    >>> date_line("By Ann Lee · Sep 16, 2025 · 4 min read")
    '2025-09-16'
    >>> date_line("The plant opened on Sep 16, 2025 after two years of work on the site.") is None
    True
    """
    if len(text) > 4 * _LINE_MAX_CHARS:
        return None
    text = " ".join(text.split())
    if len(text) > _LINE_MAX_CHARS or not has_digit(text):
        return None
    found = _scan(text, month_first)
    if found is None or found[0] is None:
        return None
    value, match = found
    words = _LETTERS.findall(f"{text[:match.start()]} {text[match.end():]}")
    if len(words) > _LINE_MAX_WORDS:
        return None
    if sum(word.lower() not in _LINE_WORDS for word in words) > _LINE_MAX_OTHER_WORDS:
        return None
    return value


def update_line(text: str) -> bool:
    """Whether a date line says when the article was updated rather than published."""
    return _UPDATE_LABEL.search(text) is not None


def url_date(url: str | None) -> str | None:
    """The day an address gives in its path (``/2025/09/04/slug``, ``/2025-09-04-slug``),
    as ``YYYY-MM-DD``; None when it gives none.

    >>> url_date("https://example.com/2025/09/04/top-trends/")
    '2025-09-04'
    """
    if not url:
        return None
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    match = _URL_DATE.search(path)
    if match is None:
        return None
    year, _, month, day = match.groups()
    try:
        return _format(date(int(year), int(month), int(day)), False)
    except ValueError:
        return None
