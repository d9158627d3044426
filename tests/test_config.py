from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.config import (
    ArchiveSettings,
    Config,
    ExtractionSettings,
    PollSettings,
    SourceConfig,
    load_config,
    parse_duration,
)
from scraper.errors import ConfigError
from scraper.fetch import FetchSettings
from scraper.models import ExtractRules

REPO = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load(tmp_path: Path, text: str) -> Config:
    return load_config(write(tmp_path, text))


def error(tmp_path: Path, text: str) -> ConfigError:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return info.value


def message(tmp_path: Path, text: str) -> str:
    """The message without the file name prefix (asserted once, in test_error_names_file)."""
    exc = error(tmp_path, text)
    prefix = f"{tmp_path / 'sources.yaml'}: "
    assert str(exc).startswith(prefix)
    return str(exc)[len(prefix):]


ONE = """\
sources:
  - name: a
    feeds: [https://example.com/feed]
"""


def one(**extra: str) -> str:
    """A one-source file with extra raw YAML lines for that source."""
    lines = "".join(f"    {key}: {value}\n" for key, value in extra.items())
    return ONE + lines


# --- durations -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("30s", 30.0), ("15m", 900.0), ("2h", 7200.0), ("1d", 86400.0), ("1h30m", 5400.0),
        ("1.5h", 5400.0), (" 15M ", 900.0), ("90", 90.0), (45, 45.0), (2.5, 2.5), (0, 0.0),
        ("0s", 0.0), ("1d 2h", 93600.0),
    ],
)
def test_parse_duration(value: object, seconds: float) -> None:
    assert parse_duration(value) == seconds


@pytest.mark.parametrize(
    "value", ["", "m", "15 minutes", "-5m", -1, True, None, [1, 2], "1w", "inf",
              float("inf"), float("nan"), "15m30", "s15"],
)
def test_parse_duration_rejects(value: object) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(value)


# --- a valid file ----------------------------------------------------------------------


def test_minimal_source_gets_builtin_defaults(tmp_path: Path) -> None:
    config = load(tmp_path, ONE)
    assert config.path == tmp_path / "sources.yaml"
    assert config.fetch == FetchSettings()
    assert config.poll == PollSettings()
    assert config.extraction == ExtractionSettings()
    assert config.sources == (SourceConfig(name="a", feeds=("https://example.com/feed",)),)


def test_defaults_apply_where_source_does_not_set_the_key(tmp_path: Path) -> None:
    config = load(tmp_path, """\
        defaults:
          interval: 2h
          enabled: false
          user_agent: "bot/1 (+https://example.com/bot)"
          allow_private_networks: true
          max_articles_per_poll: 50
          include: ['/news/']
          exclude: ['/video/']
          extract:
            body: "article .text"
            remove: [".ad", ".share"]
        sources:
          - name: inherits
            feeds: [https://example.com/feed]
          - name: overrides
            feeds: [https://example.org/rss, "http://example.org/atom"]
            interval: 30s
            enabled: true
            user_agent: null
            allow_private_networks: false
            max_articles_per_poll: null
            include: []
            exclude: ['\\.pdf$']
            extract:
              headline: "h1.title"
              remove: []
        """)
    inherits, overrides = config.sources
    assert inherits == SourceConfig(
        name="inherits", feeds=("https://example.com/feed",), interval=7200.0, enabled=False,
        user_agent="bot/1 (+https://example.com/bot)", allow_private_networks=True,
        max_articles_per_poll=50, include=(re.compile("/news/"),),
        exclude=(re.compile("/video/"),),
        extract=ExtractRules(body="article .text", remove=(".ad", ".share")),
    )
    assert overrides == SourceConfig(
        name="overrides", feeds=("https://example.org/rss", "http://example.org/atom"),
        interval=30.0, enabled=True, user_agent=None, allow_private_networks=False,
        max_articles_per_poll=None, include=(), exclude=(re.compile(r"\.pdf$"),),
        # extract sub-keys are inherited one by one: body from defaults, remove overridden.
        extract=ExtractRules(headline="h1.title", body="article .text", remove=()),
    )


def test_empty_include_exclude_mean_no_filter(tmp_path: Path) -> None:
    text = "defaults:\n  exclude: ['/video/']\n" + one(include="", exclude="null")
    source = load(tmp_path, text).sources[0]
    assert (source.include, source.exclude) == ((), ())
    assert source.accepts("https://example.com/video/1")


def test_include_exclude_filters(tmp_path: Path) -> None:
    source = load(tmp_path, one(include="['/world/', '/politics/']",
                                exclude="['/live/']")).sources[0]
    assert source.accepts("https://example.com/world/story-1")
    assert source.accepts("https://example.com/politics/x")
    assert not source.accepts("https://example.com/sport/story-2")
    assert not source.accepts("https://example.com/world/live/ticker")


def test_settings_map_onto_fetch_settings(tmp_path: Path) -> None:
    config = load(tmp_path, textwrap.dedent("""\
        settings:
          user_agent: "bot/2"
          connect_timeout: 5s
          read_timeout: 1m
          deadline: 90
          total_deadline: 3m
          max_bytes: 5MB
          max_attempts: 4
          respect_robots: false
          max_connections: 32
          per_host_concurrency: 1
          per_host_delay: 0
        """) + ONE)
    assert config.fetch == FetchSettings(
        user_agent="bot/2", connect_timeout=5.0, read_timeout=60.0, deadline=90.0,
        total_deadline=180.0,
        max_bytes=5_000_000, max_attempts=4, respect_robots=False, max_connections=32,
        per_host_concurrency=1, per_host_delay=0.0,
    )


def test_settings_carry_the_poll_and_extraction_limits(tmp_path: Path) -> None:
    config = load(tmp_path, textwrap.dedent("""\
        settings:
          per_host_delay: 2s
          max_revisions: 1
          max_page_retries: 0
          max_backoff: 6h
          extract_time_limit: 1m30s
          extract_workers: 2
          extract_tasks_per_worker: 50
        """) + ONE)
    assert config.fetch == FetchSettings(per_host_delay=2.0)
    assert config.poll == PollSettings(max_revisions=1, max_page_retries=0, max_backoff=21600.0)
    assert config.extraction == ExtractionSettings(time_limit=90.0, workers=2,
                                                   tasks_per_worker=50)


def test_archive_settings(tmp_path: Path) -> None:
    config = load(tmp_path, "settings:\n  archive: warc\n  archive_max_size: 50MB\n" + ONE)
    assert config.archive == ArchiveSettings(format="warc", max_size=50_000_000)
    assert load(tmp_path, "settings:\n  archive: null\n" + ONE).archive == ArchiveSettings()
    assert ArchiveSettings().format is None  # off unless asked for


def test_extract_workers_null_means_one_per_cpu(tmp_path: Path) -> None:
    config = load(tmp_path, "settings:\n  extract_workers: null\n  max_revisions: 3\n" + ONE)
    assert config.extraction == ExtractionSettings(workers=None)
    assert config.poll == PollSettings(max_revisions=3)


@pytest.mark.parametrize(("text", "expected"), [("2kb", 2000), ("7", 7), (123, 123),
                                                ("1 GB", 1_000_000_000)])
def test_max_bytes_units(tmp_path: Path, text: object, expected: int) -> None:
    config = load(tmp_path, f"settings:\n  max_bytes: {text}\n" + ONE)
    assert config.fetch.max_bytes == expected


def test_source_lookup_by_name(tmp_path: Path) -> None:
    config = load(tmp_path, ONE)
    assert config.source("a").name == "a"
    with pytest.raises(KeyError):
        config.source("b")


def test_bundled_sources_yaml_loads() -> None:
    config = load_config(REPO / "sources.yaml")
    names = [s.name for s in config.sources]
    assert len(names) >= 12
    assert "rudaw" in names
    assert all(s.enabled and s.max_articles_per_poll for s in config.sources)
    assert config.source("rudaw").feeds == ("https://www.rudaw.net/rss/english",)
    assert config.source("npr").interval == 900.0
    assert config.source("slashdot").interval == 3600.0
    assert config.fetch == FetchSettings()
    assert config.poll == PollSettings()
    assert config.extraction == ExtractionSettings()
    assert config.archive == ArchiveSettings()


def test_bundled_sources_yaml_documents_every_key() -> None:
    text = (REPO / "sources.yaml").read_text(encoding="utf-8")
    header = text.split("\nsettings:", 1)[0]
    keys = ["settings", "defaults", "sources", "name", "feeds", "interval", "enabled",
            "user_agent", "allow_private_networks", "max_articles_per_poll", "include",
            "exclude", "extract", "headline", "body", "caption", "remove",
            "connect_timeout", "read_timeout", "deadline", "total_deadline", "max_bytes",
            "max_attempts",
            "respect_robots", "max_connections", "per_host_concurrency", "per_host_delay",
            "max_revisions", "max_page_retries", "max_backoff", "max_changes_per_poll",
            "max_feed_entries",
            "extract_time_limit",
            "extract_workers", "extract_tasks_per_worker", "archive", "archive_max_size"]
    missing = [k for k in keys if not re.search(rf"^#\s+{k}\b", header, re.MULTILINE)]
    assert missing == []


# --- errors: the file ------------------------------------------------------------------


def test_error_names_file_source_and_key(tmp_path: Path) -> None:
    exc = error(tmp_path, one(interval="[1, 2]"))
    path = str(tmp_path / "sources.yaml")
    assert (exc.file, exc.source, exc.key) == (path, "a", "interval")
    assert str(exc) == (f"{path}: source 'a': key 'interval': interval must be a duration "
                        "like 15m, 30s, 2h or 1d, got [1, 2]")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "nope.yaml")
    assert str(info.value) == f"{tmp_path / 'nope.yaml'}: file not found"


def test_unreadable_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_bytes(b"sources: \xff\xfe\n")
    with pytest.raises(ConfigError, match=r"cannot read the file: 'utf-8' codec"):
        load_config(path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sources:\n  - name: a\n    feeds: [x\n",
         "invalid YAML at line 4, column 1: expected ',' or ']', but got '<stream end>'"),
        ("sources:\n  - name: a\n   feeds: 1\n",
         "invalid YAML at line 3, column 4: expected <block end>, but found "
         "'<block mapping start>'"),
        ("sources:\n\t- name: a\n",
         "invalid YAML at line 2, column 1: found character '\\t' that cannot start any token"),
        ("sources:\n  - name: a\x00\n",
         "invalid YAML at line 2: unacceptable #x0000: special characters are not allowed"),
        ("sources:\n  - name: a\n    feeds: [https://e.com/f]\n    name: b\n",
         "invalid YAML at line 4, column 5: duplicate key 'name' (first at line 2)"),
    ],
)
def test_yaml_errors_give_the_line(tmp_path: Path, text: str, expected: str) -> None:
    assert message(tmp_path, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "the file is empty: it needs a sources: list"),
        ("# only a comment\n", "the file is empty: it needs a sources: list"),
        ("- a\n", "the file must be a mapping with a sources: list, got ['a']"),
        ("defaults: {}\n", "key 'sources': sources is required: a list of sources"),
        ("sources: []\n", "key 'sources': sources must be a non-empty list, got []"),
        ("sources: {name: a}\n",
         "key 'sources': sources must be a non-empty list, got {'name': 'a'}"),
        ("source: []\n", "key 'source': unknown key 'source' (did you mean 'sources'?); "
                         "known keys: defaults, settings, sources"),
        ("zzz: 1\n" + ONE,
         "key 'zzz': unknown key 'zzz'; known keys: defaults, settings, sources"),
        ("1: 2\n" + ONE, "keys must be strings, got 1"),
    ],
)
def test_file_level_errors(tmp_path: Path, text: str, expected: str) -> None:
    assert message(tmp_path, text) == expected


# --- errors: sources -------------------------------------------------------------------

INTERVAL_HINT = "interval must be a duration like 15m, 30s, 2h or 1d, got"


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"interval": "[1, 2]"}, f"key 'interval': {INTERVAL_HINT} [1, 2]"),
        ({"interval": "15 minutes"}, f"key 'interval': {INTERVAL_HINT} '15 minutes'"),
        ({"interval": "-5m"}, f"key 'interval': {INTERVAL_HINT} '-5m'"),
        ({"interval": "yes"}, f"key 'interval': {INTERVAL_HINT} True"),
        ({"interval": "null"}, f"key 'interval': {INTERVAL_HINT} None"),
        ({"interval": "0s"}, "key 'interval': interval must be greater than zero, got '0s'"),
        ({"interval": "0"}, "key 'interval': interval must be greater than zero, got 0"),
        ({"enabled": "maybe"}, "key 'enabled': enabled must be true or false, got 'maybe'"),
        ({"allow_private_networks": "1"},
         "key 'allow_private_networks': allow_private_networks must be true or false, got 1"),
        ({"user_agent": "''"}, "key 'user_agent': user_agent must be a non-empty string, "
                               "got ''"),
        ({"user_agent": "[a]"}, "key 'user_agent': user_agent must be a non-empty string, "
                                "got ['a']"),
        ({"user_agent": '"bot/1\\r\\nX-Evil: 1"'},
         "key 'user_agent': user_agent must be one line without control characters, "
         "got 'bot/1\\r\\nX-Evil: 1'"),
        ({"max_articles_per_poll": "0"},
         "key 'max_articles_per_poll': max_articles_per_poll must be a positive integer, "
         "got 0"),
        ({"max_articles_per_poll": "2.5"},
         "key 'max_articles_per_poll': max_articles_per_poll must be a positive integer, "
         "got 2.5"),
        ({"max_articles_per_poll": "true"},
         "key 'max_articles_per_poll': max_articles_per_poll must be a positive integer, "
         "got True"),
        ({"include": "'/news/'"},
         "key 'include': include must be a list of regular expressions, got '/news/'"),
        ({"exclude": "['ok', '(unclosed']"},
         "key 'exclude': exclude[1] is not a valid regular expression '(unclosed': "
         "missing ), unterminated subpattern at position 0"),
        ({"include": "['']"},
         "key 'include': include[0] must be a non-empty regular expression, got ''"),
        ({"intervall": "15m"},
         "key 'intervall': unknown key 'intervall' (did you mean 'interval'?); known keys: "
         "name, feeds, interval, enabled, user_agent, allow_private_networks, "
         "max_articles_per_poll, include, exclude, extract"),
        ({"colour": "red"},
         "key 'colour': unknown key 'colour'; known keys: name, feeds, interval, enabled, "
         "user_agent, allow_private_networks, max_articles_per_poll, include, exclude, "
         "extract"),
    ],
)
def test_source_value_errors(tmp_path: Path, extra: dict[str, str], expected: str) -> None:
    assert message(tmp_path, one(**extra)) == f"source 'a': {expected}"


@pytest.mark.parametrize(
    ("feeds", "expected"),
    [
        ("[]", "feeds must be a non-empty list of feed URLs, got []"),
        ("https://example.com/feed",
         "feeds must be a non-empty list of feed URLs, got 'https://example.com/feed'"),
        ("[/feed.xml]", "feeds[0] must be an absolute http(s) URL, got '/feed.xml'"),
        ("[https://e.com/a, 'ftp://e.com/feed']",
         "feeds[1] must be an absolute http(s) URL, got 'ftp://e.com/feed'"),
        ("[https://e.com/a, 3]", "feeds[1] must be an absolute http(s) URL, got 3"),
        ("[https://e.com/a, ' https://e.com/a']", "feeds[1] repeats 'https://e.com/a'"),
    ],
)
def test_feed_errors(tmp_path: Path, feeds: str, expected: str) -> None:
    text = f"sources:\n  - name: a\n    feeds: {feeds}\n"
    assert message(tmp_path, text) == f"source 'a': key 'feeds': {expected}"


def test_missing_feeds(tmp_path: Path) -> None:
    assert message(tmp_path, "sources:\n  - name: a\n    interval: 1h\n") == (
        "source 'a': key 'feeds': feeds is required: a list of feed URLs"
    )


def test_missing_name_names_the_source_by_position(tmp_path: Path) -> None:
    exc = error(tmp_path, ONE + "  - feeds: [https://e.com/b]\n")
    assert (exc.source, exc.key) == ("#2", "name")
    assert str(exc).endswith(": source '#2': key 'name': name is required")


@pytest.mark.parametrize("name", ["'a/b'", "'..'", "'.hidden'", "'two words'", "''", "7",
                                  "'x" + "y" * 100 + "'", "'café'"])
def test_bad_source_names(tmp_path: Path, name: str) -> None:
    text = f"sources:\n  - name: {name}\n    feeds: [https://e.com/f]\n"
    exc = error(tmp_path, text)
    assert (exc.source, exc.key) == ("#1", "name")
    assert "name is used as a directory name: use 1 to 100 of the characters A-Z a-z 0-9 _ . -"\
        " and do not start with a dot, got " in str(exc)


@pytest.mark.parametrize("name", ["state.sqlite3", "state.sqlite3-wal", "state.sqlite3-shm",
                                  "state.sqlite3.bak", "_unsourced"])
def test_source_names_of_store_files_are_reserved(tmp_path: Path, name: str) -> None:
    exc = error(tmp_path, f"sources:\n  - name: {name}\n    feeds: [https://e.com/f]\n")
    assert (exc.source, exc.key) == (name, "name")
    assert str(exc) == (
        f"{tmp_path / 'sources.yaml'}: source {name!r}: key 'name': name {name!r} is "
        "reserved: the output directory holds a file or directory of that name (the state "
        "database, its lock, records without a source)")


def test_good_source_names(tmp_path: Path) -> None:
    text = ("sources:\n  - name: Rudaw_EN-1.2\n    feeds: [https://e.com/f]\n"
            "  - name: '2024'\n    feeds: [https://e.com/g]\n")
    assert [s.name for s in load(tmp_path, text).sources] == ["Rudaw_EN-1.2", "2024"]


def test_source_must_be_a_mapping(tmp_path: Path) -> None:
    assert message(tmp_path, ONE + "  - just-a-string\n") == (
        "source '#2': each source must be a mapping with name and feeds, got 'just-a-string'"
    )


def test_duplicate_source_name(tmp_path: Path) -> None:
    text = ONE + "  - name: a\n    feeds: [https://example.org/other]\n"
    assert message(tmp_path, text) == (
        "source 'a': key 'name': duplicate source name 'a' (source #2; first defined as "
        "source #1)"
    )


def test_source_names_differing_only_in_case_are_duplicates(tmp_path: Path) -> None:
    text = ONE + "  - name: A\n    feeds: [https://example.org/other]\n"
    assert message(tmp_path, text) == (
        "source 'A': key 'name': duplicate source name 'A' (source #2; first defined as "
        "source #1, 'a': names that differ only in letter case are one directory on some "
        "systems)"
    )


def test_feed_shared_by_two_sources(tmp_path: Path) -> None:
    text = ONE + "  - name: b\n    feeds: [https://example.com/feed]\n"
    assert message(tmp_path, text) == (
        "source 'b': key 'feeds': feed 'https://example.com/feed' is already listed by "
        "source 'a'"
    )


# --- errors: extract -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extract", "expected"),
    [
        ("'article'", "key 'extract': extract must be a mapping of CSS selectors (headline, "
                      "body, caption, remove), got 'article'"),
        ("{bodyy: p}", "key 'extract.bodyy': unknown key 'bodyy' (did you mean 'body'?); "
                       "known keys: headline, body, caption, remove"),
        ("{body: 'div >'}", "key 'extract.body': body is not a valid CSS selector: 'div >'"),
        ("{headline: 'h1::foo'}",
         "key 'extract.headline': headline is not a valid CSS selector: 'h1::foo'"),
        ("{caption: 3}", "key 'extract.caption': caption must be a CSS selector string, got 3"),
        ("{caption: '  '}",
         "key 'extract.caption': caption must be a CSS selector string, got '  '"),
        ("{remove: '.ad'}",
         "key 'extract.remove': remove must be a list of CSS selectors, got '.ad'"),
        ("{remove: ['.ad', 'p:contains(x)']}",
         "key 'extract.remove[1]': remove[1] is not a valid CSS selector: 'p:contains(x)'"),
    ],
)
def test_extract_errors(tmp_path: Path, extract: str, expected: str) -> None:
    assert message(tmp_path, one(extract=extract)) == f"source 'a': {expected}"


def test_extract_selectors_become_rules(tmp_path: Path) -> None:
    extract = ("{headline: 'h1.headline', body: ' div.article-body ', caption: "
               "'figure > figcaption', remove: ['.related', 'aside[data-ad]']}")
    source = load(tmp_path, one(extract=extract)).sources[0]
    assert source.extract == ExtractRules(
        headline="h1.headline", body="div.article-body", caption="figure > figcaption",
        remove=(".related", "aside[data-ad]"),
    )


def test_empty_extract_is_no_rules(tmp_path: Path) -> None:
    source = load(tmp_path, one(extract="")).sources[0]
    assert source.extract == ExtractRules()
    assert not source.extract


# --- errors: defaults and settings -----------------------------------------------------


@pytest.mark.parametrize(
    ("defaults", "expected"),
    [
        ("{name: x}", "key 'defaults.name': name is not allowed in defaults: every source "
                      "sets its own"),
        ("{feeds: [https://e.com/f]}",
         "key 'defaults.feeds': feeds is not allowed in defaults: every source sets its own"),
        ("{interval: soon}",
         "key 'defaults.interval': interval must be a duration like 15m, 30s, 2h or 1d, "
         "got 'soon'"),
        ("{enable: true}", "key 'defaults.enable': unknown key 'enable' (did you mean "
                           "'enabled'?); known keys: interval, enabled, user_agent, "
                           "allow_private_networks, max_articles_per_poll, include, exclude, "
                           "extract"),
        ("{extract: {body: '##'}}",
         "key 'defaults.extract.body': body is not a valid CSS selector: '##'"),
        ("[1]", "key 'defaults': defaults must be a mapping, got [1]"),
    ],
)
def test_defaults_errors(tmp_path: Path, defaults: str, expected: str) -> None:
    exc = error(tmp_path, f"defaults: {defaults}\n" + ONE)
    assert exc.source is None
    assert str(exc) == f"{tmp_path / 'sources.yaml'}: {expected}"


SETTINGS_KEYS = ("user_agent, connect_timeout, read_timeout, deadline, total_deadline, "
                 "max_bytes, max_attempts, "
                 "respect_robots, max_connections, per_host_concurrency, per_host_delay, "
                 "max_revisions, max_page_retries, max_backoff, max_changes_per_poll, "
                 "max_feed_entries, "
                 "extract_time_limit, "
                 "extract_workers, extract_tasks_per_worker, archive, archive_max_size")


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ("{deadline: forever}",
         "key 'settings.deadline': deadline must be a duration like 15m, 30s, 2h or 1d, "
         "got 'forever'"),
        ("{connect_timeout: 0}",
         "key 'settings.connect_timeout': connect_timeout must be greater than zero, got 0"),
        ("{per_host_delay: -1}",
         "key 'settings.per_host_delay': per_host_delay must be a duration like 15m, 30s, "
         "2h or 1d, got -1"),
        ("{max_bytes: 10 megs}",
         "key 'settings.max_bytes': max_bytes must be a positive number of bytes like "
         "10000000 or 10MB, got '10 megs'"),
        ("{max_bytes: 0}",
         "key 'settings.max_bytes': max_bytes must be a positive number of bytes like "
         "10000000 or 10MB, got 0"),
        ("{max_attempts: 0}",
         "key 'settings.max_attempts': max_attempts must be a positive integer, got 0"),
        ("{respect_robots: no-thanks}",
         "key 'settings.respect_robots': respect_robots must be true or false, "
         "got 'no-thanks'"),
        ("{useragent: x}", "key 'settings.useragent': unknown key 'useragent' (did you mean "
                           f"'user_agent'?); known keys: {SETTINGS_KEYS}"),
        ("{max_revision: 2}", "key 'settings.max_revision': unknown key 'max_revision' (did "
                              f"you mean 'max_revisions'?); known keys: {SETTINGS_KEYS}"),
        ("{max_revisions: 0}",
         "key 'settings.max_revisions': max_revisions must be a positive integer, got 0"),
        ("{max_revisions: 2.5}",
         "key 'settings.max_revisions': max_revisions must be a positive integer, got 2.5"),
        ("{max_page_retries: -1}",
         "key 'settings.max_page_retries': max_page_retries must be an integer of 0 or more, "
         "got -1"),
        ("{max_page_retries: true}",
         "key 'settings.max_page_retries': max_page_retries must be an integer of 0 or more, "
         "got True"),
        ("{max_page_retries: null}",
         "key 'settings.max_page_retries': max_page_retries must be an integer of 0 or more, "
         "got None"),
        ("{max_backoff: 0s}",
         "key 'settings.max_backoff': max_backoff must be greater than zero, got '0s'"),
        ("{max_backoff: a day}",
         "key 'settings.max_backoff': max_backoff must be a duration like 15m, 30s, 2h or 1d, "
         "got 'a day'"),
        ("{extract_time_limit: 0}",
         "key 'settings.extract_time_limit': extract_time_limit must be greater than zero, "
         "got 0"),
        ("{extract_time_limit: -5s}",
         "key 'settings.extract_time_limit': extract_time_limit must be a duration like 15m, "
         "30s, 2h or 1d, got '-5s'"),
        ("{extract_workers: 0}",
         "key 'settings.extract_workers': extract_workers must be a positive integer, got 0"),
        ("{extract_workers: four}",
         "key 'settings.extract_workers': extract_workers must be a positive integer, "
         "got 'four'"),
        ("{extract_tasks_per_worker: -200}",
         "key 'settings.extract_tasks_per_worker': extract_tasks_per_worker must be a "
         "positive integer, got -200"),
        ("{extract_tasks_per_worker: null}",
         "key 'settings.extract_tasks_per_worker': extract_tasks_per_worker must be a "
         "positive integer, got None"),
        ("{archive: gzip}",
         "key 'settings.archive': archive must be warc or null (no archive), got 'gzip'"),
        ("{archive: true}",
         "key 'settings.archive': archive must be warc or null (no archive), got True"),
        ("{archive_max_size: 0}",
         "key 'settings.archive_max_size': archive_max_size must be a positive number of "
         "bytes like 10000000 or 10MB, got 0"),
        ("[]", "key 'settings': settings must be a mapping, got []"),
    ],
)
def test_settings_errors(tmp_path: Path, settings: str, expected: str) -> None:
    exc = error(tmp_path, f"settings: {settings}\n" + ONE)
    assert (exc.file, exc.source) == (str(tmp_path / "sources.yaml"), None)
    assert str(exc) == f"{tmp_path / 'sources.yaml'}: {expected}"


def test_null_defaults_and_settings_are_empty(tmp_path: Path) -> None:
    config = load(tmp_path, "defaults:\nsettings:\n" + ONE)
    assert config.fetch == FetchSettings()
    assert (config.poll, config.extraction) == (PollSettings(), ExtractionSettings())
    assert config.sources[0] == SourceConfig(name="a", feeds=("https://example.com/feed",))


def test_yaml_anchors_and_merge_keys_may_override(tmp_path: Path) -> None:
    config = load(tmp_path, """\
        sources:
          - &base
            name: a
            feeds: [https://e.com/a]
            interval: 1h
            exclude: ['/video/']
          - <<: *base
            name: b
            feeds: [https://e.com/b]
            interval: 2h
        """)
    a, b = config.sources
    assert (a.interval, b.interval) == (3600.0, 7200.0)
    assert b.exclude == a.exclude == (re.compile("/video/"),)


def test_unhashable_yaml_key(tmp_path: Path) -> None:
    assert message(tmp_path, "? [1]\n: 2\n" + ONE) == (
        "invalid YAML at line 1, column 3: found unhashable key"
    )


# --- robustness ------------------------------------------------------------------------

_KEYS = st.sampled_from([
    "defaults", "settings", "sources", "name", "feeds", "interval", "enabled", "user_agent",
    "allow_private_networks", "max_articles_per_poll", "include", "exclude", "extract",
    "headline", "body", "caption", "remove", "deadline", "max_bytes", "per_host_delay", "x",
    "max_revisions", "max_page_retries", "max_backoff", "max_changes_per_poll",
    "max_feed_entries",
    "extract_time_limit",
    "extract_workers", "extract_tasks_per_worker", "archive", "archive_max_size",
])
_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=True),
    st.sampled_from(["15m", "0s", "-1h", "https://e.com/f", "p", "div >", "(", "a/b", "..",
                     "bbc", "BBC", "10MB", ""]),
    st.text(max_size=8),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(_KEYS, inner, max_size=5)),
    max_leaves=25,
)


@pytest.mark.slow
@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(data=st.one_of(st.dictionaries(_KEYS, _VALUES, max_size=4), _VALUES))
def test_any_yaml_document_loads_or_raises_config_error(tmp_path_factory: pytest.TempPathFactory,
                                                        data: object) -> None:
    # A reload (SIGHUP) must never die of a TypeError on an odd file: it is either a Config
    # or a ConfigError that names the file.
    path = tmp_path_factory.mktemp("cfg") / "sources.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    try:
        config = load_config(path)
    except ConfigError as exc:
        assert exc.file == str(path)
        assert str(exc).startswith(f"{path}: ")
        return
    assert config.sources
    assert all(s.interval > 0 and s.feeds for s in config.sources)


@pytest.mark.slow
@settings(max_examples=200, derandomize=True, database=None, deadline=None)
@given(text=st.text(max_size=200))
def test_any_text_loads_or_raises_config_error(tmp_path_factory: pytest.TempPathFactory,
                                               text: str) -> None:
    path = tmp_path_factory.mktemp("cfg") / "sources.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    with pytest.raises(ConfigError):
        load_config(path)
