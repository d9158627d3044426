"""Date normalization: every form pages print, the page's offset kept."""

from __future__ import annotations

import doctest
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scraper.extract import dates
from scraper.extract.dates import date_line, normalize_date, update_line, url_date


@pytest.mark.parametrize(("raw", "expected"), [
    # ISO 8601 with a zone: the offset kept (RFC 3339), Z for UTC.
    ("2024-04-28T14:26:01+02:00", "2024-04-28T14:26:01+02:00"),
    ("2024-04-28T14:26:01Z", "2024-04-28T14:26:01Z"),
    ("2024-04-28T14:26:01z", "2024-04-28T14:26:01Z"),
    ("2024-04-28T14:26:01.123+0200", "2024-04-28T14:26:01+02:00"),
    ("2024-04-28T14:26:01.123456789-04:00", "2024-04-28T14:26:01-04:00"),
    # An evening story keeps its calendar day.
    ("2024-04-28T23:30:00-05:00", "2024-04-28T23:30:00-05:00"),
    ("2024-04-28T10:00:00+00:00", "2024-04-28T10:00:00Z"),
    ("2024-04-28T10:00:00+05:30", "2024-04-28T10:00:00+05:30"),
    ("2024-04-28 14:26:01 +0200", "2024-04-28T14:26:01+02:00"),
    ("2024-04-28T14:26+02", "2024-04-28T14:26:00+02:00"),
    ("20240428T142601+0200", "2024-04-28T14:26:01+02:00"),
    ("2025-01-13T21:37:00+09:00", "2025-01-13T21:37:00+09:00"),
    # ISO without a zone: kept as given.
    ("2024-04-28T14:26:01", "2024-04-28T14:26:01"),
    ("2024-04-28 14:26", "2024-04-28T14:26:00"),
    ("2023-06-13T12:15:32.158000", "2023-06-13T12:15:32"),
    # Only a date.
    ("2024-04-28", "2024-04-28"),
    ("  2024-04-28\n", "2024-04-28"),
    # RFC 822 and US forms with zone names.
    ("Thu, 28 Apr 2024 14:26:01 GMT", "2024-04-28T14:26:01Z"),
    ("Sun, 28 Apr 2024 14:26:01 +0200", "2024-04-28T14:26:01+02:00"),
    # IST in news is India's (+05:30), as Indian publishers print it: "Sep 2, 2024, 17:07 IST".
    ("Sep 2, 2024, 17:07 IST", "2024-09-02T17:07:00+05:30"),
    ("April 28, 2024 2:26 PM EDT", "2024-04-28T14:26:00-04:00"),
    ("Apr. 28, 2024", "2024-04-28"),
    ("Updated 9:05 a.m. ET, April 3rd, 2024", "2024-04-03"),
    # Other languages.
    ("28. März 2024", "2024-03-28"),
    ("28. April 2024, 15:25 Uhr", "2024-04-28T15:25:00"),
    ("erstellt: 01. April 2025, 15:25", "2025-04-01T15:25:00"),
    ("28 de abril de 2024 - 10:22 CEST", "2024-04-28T10:22:00+02:00"),
    ("3 janvier 2025 à 18h30", "2025-01-03T18:30:00"),
    ("12 dicembre 2024", "2024-12-12"),
    ("5 мая 2025", "2025-05-05"),
    ("2025年1月13日 21時37分", "2025-01-13T21:37:00"),
    ("입력 2025.05.15 20:00", "2025-05-15T20:00:00"),
    # Numeric day-first forms, and the US order only when the day cannot be a month.
    ("28.04.2024 14:26", "2024-04-28T14:26:00"),
    ("Do 25.04.24 | 14:07 Uhr", "2024-04-25T14:07:00"),
    ("28/04/2024", "2024-04-28"),
    ("4/28/2024 3:00 pm", "2024-04-28T15:00:00"),
    ("Published: 2024/04/28 10:00", "2024-04-28T10:00:00"),
    # Unix timestamps, seconds and milliseconds.
    ("1714300000", "2024-04-28T10:26:40Z"),
    ("1714300000123", "2024-04-28T10:26:40Z"),
    (1714300000, "2024-04-28T10:26:40Z"),
])
def test_normalize_date(raw: object, expected: str) -> None:
    assert normalize_date(raw) == expected


@pytest.mark.parametrize("raw", [
    None, "", "   ", "garbage", "vor 2 Stunden", "12 hours ago", "9999-01-01",
    "1890-05-01", "2024-13-45", "31.02.2024", True, 3.5e30, ["2024-04-28"], {"a": 1},
    "x" * 500,
])
def test_normalize_date_rejects_what_is_no_date(raw: object) -> None:
    assert normalize_date(raw) is None


@pytest.mark.parametrize(("raw", "day_first", "month_first"), [
    # Both numbers could be the month: the page's locale decides.
    ("8/1/2025", "2025-01-08", "2025-08-01"),
    ("08/01/25 10:00 am", "2025-01-08T10:00:00", "2025-08-01T10:00:00"),
    # Only one order fits, whatever the locale.
    ("15/12/2025", "2025-12-15", "2025-12-15"),
    ("12/15/2025", "2025-12-15", "2025-12-15"),
    # Dots are day first in the United States too.
    ("8.1.2025", "2025-01-08", "2025-01-08"),
])
def test_slash_dates_follow_the_locale(raw: str, day_first: str, month_first: str) -> None:
    assert normalize_date(raw) == day_first
    assert normalize_date(raw, month_first=True) == month_first
    assert date_line(f"Published: {raw}", month_first=True) == month_first


def test_dates_only_dateutil_reads_are_month_first() -> None:
    # A US page's metadata whose language tag has no region ("en").
    assert normalize_date("03-09-2026") == "2026-03-09"
    assert normalize_date("03-09-2026", month_first=True) == "2026-03-09"


def test_doctests() -> None:
    assert doctest.testmod(dates).failed == 0


@given(st.text(max_size=80))
def test_normalize_date_never_raises(text: str) -> None:
    result = normalize_date(text)
    assert result is None or result[:4].isdigit()


@given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2099, 12, 31)))
def test_naive_iso_round_trips(value: datetime) -> None:
    text = value.isoformat(timespec="seconds")
    assert normalize_date(text) == text


@pytest.mark.slow
@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 12, 31),
                    timezones=st.one_of(st.none(), st.timezones())),
       st.booleans())
def test_format_writes_what_strftime_writes(value: datetime, has_time: bool) -> None:
    in_range = 1990 <= value.year <= 2100
    if not in_range:
        expected = None
    elif not has_time:
        expected = value.strftime("%Y-%m-%d")
    elif value.tzinfo is None:
        expected = value.strftime("%Y-%m-%dT%H:%M:%S")
    elif (value.utcoffset() or timedelta(0)) % timedelta(minutes=1):
        expected = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    else:
        zone = value.strftime("%z")
        expected = value.strftime("%Y-%m-%dT%H:%M:%S") + (
            "Z" if zone == "+0000" else f"{zone[:3]}:{zone[3:5]}")
    assert dates._format(value, has_time) == expected
    assert dates._format(value.date(), has_time) == (value.strftime("%Y-%m-%d")
                                                      if in_range else None)


_ISO_PIECES = st.sampled_from(["2024-04-28", "20240428", "T", " ", "\t", "\u2003", "14:26",
                               ":01", ".1234567", ".5", "Z", "z", "+02:00", "+0200", "-05",
                               " +02:00", "\u00a0Z", "x"])


@given(st.lists(_ISO_PIECES, min_size=1, max_size=6).map("".join))
def test_iso_repair_is_skipped_only_where_it_changes_nothing(text: str) -> None:
    repaired = dates._ISO_FIX.sub(lambda m: m.group(1) or "", text)
    if repaired != text:
        assert "." in text or " " in text or not text.isprintable()


@pytest.mark.parametrize(("line", "expected"), [
    ("Sep 16, 2025", "2025-09-16"),
    ("Published: 28/08/2025 18:42", "2025-08-28T18:42:00"),
    ("Posted on April 13, 2023", "2023-04-13"),
    ("Friday, December 19, 2025", "2025-12-19"),
    ("Faith Katunga • Oct 20, 2025", "2025-10-20"),
    ("December 18, 2025 ・ 3 min read", "2025-12-18"),
    ("Posted on the 15/12/2025 at 19:00 by @GuillaumeGomez", "2025-12-15T19:00:00"),
    ("Datum 28.04.2023", "2023-04-28"),
    ("publié le 3 janvier 2025 à 18h30", "2025-01-03T18:30:00"),
    # An ordinal day before the month, the British way.
    ("Posted on 21st March 2024 by Ann Lee", "2024-03-21"),
    ("Thursday 4th of September 2025", "2025-09-04"),
    ("Publicado el 12 de mayo de 2025", "2025-05-12"),
    # Prose, captions and long lines are not date lines.
    ("The plant opened on Sep 16, 2025 after two years of work on the site.", None),
    ("Ukrainische Kriegstechnik bei den Kämpfen um Bachmut, 24. April 2023", None),
    ("Sep 16, 2025 " + "word " * 20, None),
    ("No date here", None),
    ("Version 2.10.4", None),
    ("31.02.2024", None),
])
def test_date_line(line: str, expected: str | None) -> None:
    assert date_line(line) == expected


def test_update_line() -> None:
    assert update_line("Last updated: Dec 12, 2025")
    assert update_line("Aktualisiert am 3. März 2025")
    assert not update_line("Published: Dec 12, 2025")
    assert not update_line("Dec 12, 2025")


@pytest.mark.parametrize(("url", "expected"), [
    ("https://example.com/2025/09/04/top-trends/", "2025-09-04"),
    ("https://example.com/news/2025-09-04-top-trends", "2025-09-04"),
    ("https://example.com/2025/09/04", "2025-09-04"),
    ("https://example.com/2025/02/30/slug", None),
    ("https://example.com/2025/09/slug", None),
    ("https://example.com/id/20250904/slug", None),
    ("https://example.com/2025/09-04/slug", None),
    ("https://example.com/slug?d=2025/09/04", None),
    ("https://[broken/2025/09/04/", None),
    (None, None),
])
def test_url_date(url: str | None, expected: str | None) -> None:
    assert url_date(url) == expected


@given(st.text(max_size=120))
def test_date_line_never_raises_and_gives_a_date_of_the_line(text: str) -> None:
    result = date_line(text)
    if result is not None:
        assert result == normalize_date(result)
        assert len(" ".join(text.split())) <= 80


@given(st.text(max_size=80), st.dates(min_value=date(1990, 1, 1),
                                        max_value=date(2099, 12, 31)))
def test_url_date_reads_any_day_in_a_path(slug: str, day: date) -> None:
    assert url_date(f"https://example.com/{day:%Y/%m/%d}/{slug}") == day.isoformat()
    assert url_date(f"https://example.com/blog/{day:%Y-%m-%d}-{slug}") == day.isoformat()


def test_month_names_grouped_by_first_letter_match_as_the_flat_list() -> None:
    # The grouped alternation keeps the flat list's matches only while no two first
    # letters of month names are one letter to a case-insensitive match.
    firsts = sorted({re.escape(name)[0] for name in dates._MONTHS})
    assert not [(a, b) for a in firsts for b in firsts
                if a != b and re.fullmatch(re.escape(a), b, re.IGNORECASE)]
    flat = "|".join(sorted((re.escape(m) for m in dates._MONTHS), key=len, reverse=True))
    flat_pattern = re.compile(rf"\b({flat})\.?\s+(\d{{1,2}})", re.IGNORECASE)
    grouped = re.compile(rf"\b({dates._MONTH_ALT})\.?\s+(\d{{1,2}})", re.IGNORECASE)
    for name in dates._MONTHS:
        for text in (f"{name} 4", f"On {name.upper()}. 16, 2025", f"x{name} 4 {name.title()} 5"):
            expected = flat_pattern.search(text)
            found = grouped.search(text)
            assert (found and found.span(), found and found.groups()) == (
                expected and expected.span(), expected and expected.groups())
