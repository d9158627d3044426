"""Loading and validating ``sources.yaml``.

Interface contract::

    config = load_config(Path("sources.yaml"))      # raises ConfigError naming file/source/key
    for source in config.sources: source.name, source.feeds, source.interval ...
    config.fetch, config.poll, config.extraction    # the process-wide ``settings:``

Every mistake a person can make in the file is an error with the file, the source and the
key named, never a silently ignored value: an unknown key (with the closest known key
suggested), a value of the wrong type, a bad duration, regex or CSS selector, a duplicate
source name or a duplicate YAML key.

>>> parse_duration("15m")
900.0
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from selectolax.lexbor import LexborHTMLParser, SelectolaxError

from scraper.errors import ConfigError
from scraper.models import ExtractRules
from scraper.urls import is_http_url

__all__ = [
    "DEFAULT_USER_AGENT",
    "ArchiveSettings",
    "Config",
    "ExtractionSettings",
    "FetchSettings",
    "PollSettings",
    "SourceConfig",
    "load_config",
    "parse_duration",
]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SourceConfig:
    """One news source: its feeds and how to poll and extract them."""

    name: str
    feeds: tuple[str, ...]
    interval: float = 900.0  # seconds
    enabled: bool = True
    user_agent: str | None = None
    allow_private_networks: bool = False
    max_articles_per_poll: int | None = None
    include: tuple[re.Pattern[str], ...] = ()
    exclude: tuple[re.Pattern[str], ...] = ()
    extract: ExtractRules = field(default_factory=ExtractRules)

    def accepts(self, url: str) -> bool:
        """True when ``url`` passes the include/exclude filters."""
        if self.include and not any(p.search(url) for p in self.include):
            return False
        return not any(p.search(url) for p in self.exclude)


# The three settings records below live here rather than beside the fetcher, the poller and
# the pool that use them: those modules import this one, so config stays the bottom of the
# import graph, and reading sources.yaml loads no HTTP stack.

DEFAULT_USER_AGENT = (
    "scraper/0.1 (news-feed scraper; +https://github.com/news-scraper/scraper)")


@dataclass(frozen=True, slots=True)
class FetchSettings:
    """Every knob of the fetcher; the defaults are what a polite crawler uses."""

    user_agent: str = DEFAULT_USER_AGENT
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    deadline: float = 60.0  # seconds for one attempt, headers and body included
    # Seconds for the whole fetch: robots.txt, every attempt and redirect, and the backoff
    # waits between them. Without it a dripping server costs attempts x deadline, and more.
    total_deadline: float = 120.0
    max_bytes: int = 10_000_000  # counted on decoded bytes
    max_redirects: int = 10
    max_attempts: int = 3
    backoff_base: float = 1.0  # first retry waits this long, then twice as long each time
    backoff_jitter: float = 0.5  # each backoff is stretched by a random 0..50 %
    max_backoff: float = 60.0
    max_retry_after: float = 120.0
    respect_robots: bool = True
    robots_ttl: float = 86_400.0
    robots_error_ttl: float = 600.0  # a robots.txt that failed is asked again this soon
    robots_max_bytes: int = 500_000  # RFC 9309 asks parsers to read at least 500 KiB
    max_crawl_delay: float = 60.0  # a longer Crawl-delay would stall the host for good
    max_connections: int = 16  # all hosts together
    per_host_concurrency: int = 2
    per_host_delay: float = 1.0  # minimum seconds between request starts to one host
    allow_private_networks: bool = False


@dataclass(frozen=True, slots=True)
class PollSettings:
    """Limits of the polling logic (``settings:`` keys of the same names; these defaults are
    what the daemon uses when the file does not set them)."""

    max_revisions: int = 10  # a jittering page (live ticker) stops being rewritten here
    max_page_retries: int = 3  # later polls that retry a page that failed, before giving up
    max_backoff: float = 86_400.0  # cap of the exponential backoff of a failing feed
    max_cache_delay: float = 6 * 3600.0  # how far Cache-Control max-age may push a poll
    # Entries whose feed text changed (title, summary, dates) fetched again per feed poll:
    # a feed that rewrites every entry on every poll must not cause a fetch storm.
    max_changes_per_poll: int = 20
    # Entries read of one feed: the newest are kept, the rest counted and logged (a feed of
    # 50,000 items is an archive, not news, and would take a minute to parse).
    max_feed_entries: int = 1000


@dataclass(frozen=True, slots=True)
class ExtractionSettings:
    """The extraction process pool (``settings:`` keys ``extract_time_limit``,
    ``extract_workers``, ``extract_tasks_per_worker``)."""

    time_limit: float = 30.0  # seconds one page may take before its worker is killed
    workers: int | None = None  # None: one per CPU but one, at most four (pool.default_workers)
    # Tasks before a worker is replaced. A worker whose memory grows is replaced sooner (see
    # scraper.pool), so this only bounds what a leak too slow to see could do.
    tasks_per_worker: int = 5000


@dataclass(frozen=True, slots=True)
class ArchiveSettings:
    """The raw page archive (``settings:`` keys ``archive`` and ``archive_max_size``)."""

    format: Literal["warc"] | None = None  # None: pages are not archived
    max_size: int = 1_000_000_000  # bytes a WARC file grows to before the next one starts


@dataclass(frozen=True, slots=True)
class Config:
    """The whole file: sources plus process-wide settings."""

    path: Path
    sources: tuple[SourceConfig, ...]
    fetch: FetchSettings = field(default_factory=FetchSettings)
    poll: PollSettings = field(default_factory=PollSettings)
    extraction: ExtractionSettings = field(default_factory=ExtractionSettings)
    archive: ArchiveSettings = field(default_factory=ArchiveSettings)

    def source(self, name: str) -> SourceConfig:
        """The source called ``name``; KeyError when there is none."""
        for source in self.sources:
            if source.name == name:
                return source
        raise KeyError(name)


_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd])")
_DURATION = re.compile(r"(?:\d+(?:\.\d+)?\s*[smhd]\s*)+")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def parse_duration(value: object) -> float:
    """``30s``, ``15m``, ``2h``, ``1d`` (or a number of seconds) -> seconds; ValueError else.

    Parts may be combined (``1h30m``). Zero is accepted (a delay may be 0); negative,
    infinite and non-numeric values are not.

    >>> parse_duration("1h30m"), parse_duration(45), parse_duration("2.5s")
    (5400.0, 45.0, 2.5)
    """
    # bool is an int subclass: `interval: yes` must not mean one second.
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip().lower()
        if _NUMBER.fullmatch(text):
            seconds = float(text)
        elif _DURATION.fullmatch(text):
            seconds = sum(float(n) * _UNITS[u] for n, u in _DURATION_PART.findall(text))
        else:
            raise ValueError(f"not a duration: {value!r}")
    else:
        raise ValueError(f"not a duration: {value!r}")
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"not a duration: {value!r}")
    return seconds


# --- YAML ------------------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key repeated in one mapping (PyYAML keeps the last one,
    which would silently drop half of a source)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        # Keys brought in by a `<<: *anchor` merge may be overridden: only the mapping's own
        # keys must be unique, so this runs before flatten_mapping.
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=True)
        try:
            first = seen.get(key)
        except TypeError:  # an unhashable key; construct_mapping reports it properly
            continue
        if first is not None:
            raise yaml.constructor.ConstructorError(
                None, None,
                f"duplicate key {key!r} (first at line {first})",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line + 1
    loader.flatten_mapping(node)
    return loader.construct_mapping(node, deep=True)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping
)


def _load_yaml(path: Path) -> object:
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("file not found", file=file) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the file: {exc}", file=file) from None
    try:
        # A SafeLoader subclass: plain data only, no arbitrary Python objects.
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown line"
        problem = exc.problem or exc.context or "syntax error"
        raise ConfigError(f"invalid YAML at {where}: {problem}", file=file) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        char = f"#x{exc.character:04x}" if isinstance(exc.character, int) else "character"
        raise ConfigError(f"invalid YAML at line {line}: unacceptable {char}: {exc.reason}",
                          file=file) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}", file=file) from None


# --- validation helpers ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Where:
    """Where a value sits in the file, to build errors that name file, source and key."""

    file: str
    source: str | None
    prefix: str = ""  # "defaults.", "settings.", "extract." ... before the key

    def key(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def error(self, key: str | None, message: str) -> ConfigError:
        return ConfigError(
            message, file=self.file, source=self.source,
            key=self.key(key) if key is not None else (self.prefix.rstrip(".") or None),
        )


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_keys(data: Mapping[Any, Any], known: tuple[str, ...], where: _Where) -> None:
    for key in data:
        if not isinstance(key, str):
            raise where.error(None, f"keys must be strings, got {_show(key)}")
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise where.error(key, f"unknown key {key!r}{hint}; known keys: {', '.join(known)}")


def _bool(value: object, key: str, where: _Where) -> bool:
    if not isinstance(value, bool):
        raise where.error(key, f"{key} must be true or false, got {_show(value)}")
    return value


def _positive_int(value: object, key: str, where: _Where) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise where.error(key, f"{key} must be a positive integer, got {_show(value)}")
    return value


def _count(value: object, key: str, where: _Where) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise where.error(key, f"{key} must be an integer of 0 or more, got {_show(value)}")
    return value


def _duration(value: object, key: str, where: _Where, *, allow_zero: bool = False) -> float:
    try:
        seconds = parse_duration(value)
    except ValueError:
        raise where.error(
            key, f"{key} must be a duration like 15m, 30s, 2h or 1d, got {_show(value)}"
        ) from None
    if seconds == 0 and not allow_zero:
        raise where.error(key, f"{key} must be greater than zero, got {_show(value)}")
    return seconds


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _text(value: object, key: str, where: _Where) -> str:
    if not isinstance(value, str) or not value.strip():
        raise where.error(key, f"{key} must be a non-empty string, got {_show(value)}")
    # It goes into an HTTP header: a line break would be refused (or worse) at fetch time.
    if _CONTROL.search(value.strip()):
        raise where.error(key, f"{key} must be one line without control characters, "
                               f"got {_show(value)}")
    return value.strip()


_SIZE = re.compile(r"(\d+)\s*(b|kb|mb|gb)?", re.IGNORECASE)
_SIZE_UNITS = {"b": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3}


def _size(value: object, key: str, where: _Where) -> int:
    if isinstance(value, str) and (match := _SIZE.fullmatch(value.strip())):
        value = int(match[1]) * _SIZE_UNITS[(match[2] or "b").lower()]
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise where.error(
            key, f"{key} must be a positive number of bytes like 10000000 or 10MB, "
            f"got {_show(value)}"
        )
    return value


def _regexes(value: object, key: str, where: _Where) -> tuple[re.Pattern[str], ...]:
    if value is None:  # `include:` left empty
        return ()
    if not isinstance(value, list):
        raise where.error(key, f"{key} must be a list of regular expressions, got {_show(value)}")
    patterns = []
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item:
            raise where.error(
                key, f"{key}[{i}] must be a non-empty regular expression, got {_show(item)}"
            )
        try:
            patterns.append(re.compile(item))
        except re.error as exc:
            raise where.error(key, f"{key}[{i}] is not a valid regular expression "
                                   f"{item!r}: {exc}") from None
    return tuple(patterns)


def _feeds(value: object, key: str, where: _Where) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise where.error(key, f"{key} must be a non-empty list of feed URLs, got {_show(value)}")
    urls: list[str] = []
    for i, item in enumerate(value):
        if not isinstance(item, str) or not is_http_url(item):
            raise where.error(
                key, f"{key}[{i}] must be an absolute http(s) URL, got {_show(item)}"
            )
        url = item.strip()
        if url in urls:
            raise where.error(key, f"{key}[{i}] repeats {url!r}")
        urls.append(url)
    return tuple(urls)


def _selector(value: object, key: str, where: _Where) -> str:
    if not isinstance(value, str) or not value.strip():
        raise where.error(key, f"{key} must be a CSS selector string, got {_show(value)}")
    selector = value.strip()
    try:
        # Lexbor only parses a selector when it runs it; a tiny document makes that cheap.
        LexborHTMLParser("<p>x</p>").css(selector)
    except SelectolaxError:
        raise where.error(key, f"{key} is not a valid CSS selector: {selector!r}") from None
    return selector


# --- the extract: block ----------------------------------------------------------------

_EXTRACT_KEYS = ("headline", "body", "caption", "remove")


def _extract_mapping(value: object, where: _Where) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise where.error("extract", "extract must be a mapping of CSS selectors "
                                     f"(headline, body, caption, remove), got {_show(value)}")
    _check_keys(value, _EXTRACT_KEYS, _Where(where.file, where.source, where.key("extract.")))
    return value


def _extract_rules(value: dict[str, Any], where: _Where) -> ExtractRules:
    inner = _Where(where.file, where.source, where.key("extract."))
    rules: dict[str, Any] = {}
    for key in ("headline", "body", "caption"):
        if value.get(key) is not None:
            rules[key] = _selector(value[key], key, inner)
    remove = value.get("remove")
    if remove is not None:
        if not isinstance(remove, list):
            raise inner.error("remove", f"remove must be a list of CSS selectors, got "
                                        f"{_show(remove)}")
        rules["remove"] = tuple(
            _selector(item, f"remove[{i}]", inner) for i, item in enumerate(remove)
        )
    return ExtractRules(**rules)


# --- sources ---------------------------------------------------------------------------

_SOURCE_KEYS = (
    "name", "feeds", "interval", "enabled", "user_agent", "allow_private_networks",
    "max_articles_per_poll", "include", "exclude", "extract",
)
_DEFAULT_KEYS = tuple(k for k in _SOURCE_KEYS if k not in ("name", "feeds"))
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")


def _optional(convert: Callable[[object, str, _Where], T]) -> Callable[[object, str, _Where],
                                                                      T | None]:
    """``null`` means "not set" (e.g. no cap, or the process-wide user agent)."""
    def check(value: object, key: str, where: _Where) -> T | None:
        return None if value is None else convert(value, key, where)
    return check


_SOURCE_FIELDS: dict[str, Callable[[object, str, _Where], Any]] = {
    "interval": _duration,
    "enabled": _bool,
    "user_agent": _optional(_text),
    "allow_private_networks": _bool,
    "max_articles_per_poll": _optional(_positive_int),
    "include": _regexes,
    "exclude": _regexes,
}


def _check_fields(data: Mapping[str, Any], where: _Where) -> dict[str, Any]:
    """Validate the scalar and list keys shared by a source and ``defaults:``."""
    return {key: convert(data[key], key, where)
            for key, convert in _SOURCE_FIELDS.items() if key in data}


def _defaults(value: object, file: str) -> tuple[dict[str, Any], dict[str, Any]]:
    where = _Where(file, None, "defaults.")
    if value is None:
        return {}, {}
    if not isinstance(value, dict):
        raise ConfigError(f"defaults must be a mapping, got {_show(value)}", file=file,
                          key="defaults")
    for key in ("name", "feeds"):
        if key in value:
            raise where.error(key, f"{key} is not allowed in defaults: every source sets its own")
    _check_keys(value, _DEFAULT_KEYS, where)
    extract = _extract_mapping(value.get("extract"), where)
    _extract_rules(extract, where)  # report a bad selector in defaults as such
    return _check_fields(value, where), extract


# The store's names (scraper/store.py STATE_FILE, LOCK_FILE, UNSOURCED), repeated here
# because config is the bottom of the import graph; a source directory must not shadow them
# (nor the database's -wal and -shm companions).
_STATE_FILE = "state.sqlite3"
_RESERVED_NAMES = frozenset({".lock", "_unsourced"})


def _source(value: object, index: int, file: str, defaults: dict[str, Any],
            default_extract: dict[str, Any]) -> SourceConfig:
    label = f"#{index + 1}"
    if not isinstance(value, dict):
        raise ConfigError(f"each source must be a mapping with name and feeds, got "
                          f"{_show(value)}", file=file, source=label)
    name = value.get("name")
    if isinstance(name, str) and _NAME.fullmatch(name):
        label = name
    where = _Where(file, label)
    _check_keys(value, _SOURCE_KEYS, where)
    if name is None:
        raise where.error("name", "name is required")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise where.error(
            "name", "name is used as a directory name: use 1 to 100 of the characters "
            f"A-Z a-z 0-9 _ . - and do not start with a dot, got {_show(name)}"
        )
    if name.startswith(_STATE_FILE) or name in _RESERVED_NAMES:
        raise where.error(
            "name", f"name {name!r} is reserved: the output directory holds a file or "
            "directory of that name (the state database, its lock, records without a source)"
        )
    if "feeds" not in value:
        raise where.error("feeds", "feeds is required: a list of feed URLs")
    feeds = _feeds(value["feeds"], "feeds", where)
    settings = {**defaults, **_check_fields(value, where)}
    # extract: sub-keys merge, so a source can override only the body selector of defaults.
    extract = {**default_extract, **_extract_mapping(value.get("extract"), where)}
    return SourceConfig(name=name, feeds=feeds, extract=_extract_rules(extract, where),
                        **settings)


# --- settings: (process-wide) ---------------------------------------------------------

_Group = Literal["fetch", "poll", "extraction", "archive"]


def _archive_format(value: object, key: str, where: _Where) -> str | None:
    if value is None or value == "warc":
        return value
    raise where.error(key, f"{key} must be warc or null (no archive), got {_show(value)}")


# key in the file -> (settings record, its field, check)
_SETTINGS_FIELDS: dict[str, tuple[_Group, str, Callable[[object, str, _Where], Any]]] = {
    "user_agent": ("fetch", "user_agent", _text),
    "connect_timeout": ("fetch", "connect_timeout", _duration),
    "read_timeout": ("fetch", "read_timeout", _duration),
    "deadline": ("fetch", "deadline", _duration),
    "total_deadline": ("fetch", "total_deadline", _duration),
    "max_bytes": ("fetch", "max_bytes", _size),
    "max_attempts": ("fetch", "max_attempts", _positive_int),
    "respect_robots": ("fetch", "respect_robots", _bool),
    "max_connections": ("fetch", "max_connections", _positive_int),
    "per_host_concurrency": ("fetch", "per_host_concurrency", _positive_int),
    "per_host_delay": ("fetch", "per_host_delay",
                       lambda v, k, w: _duration(v, k, w, allow_zero=True)),
    "max_revisions": ("poll", "max_revisions", _positive_int),
    "max_page_retries": ("poll", "max_page_retries", _count),
    "max_backoff": ("poll", "max_backoff", _duration),
    "max_changes_per_poll": ("poll", "max_changes_per_poll", _positive_int),
    "max_feed_entries": ("poll", "max_feed_entries", _positive_int),
    "extract_time_limit": ("extraction", "time_limit", _duration),
    "extract_workers": ("extraction", "workers", _optional(_positive_int)),
    "extract_tasks_per_worker": ("extraction", "tasks_per_worker", _positive_int),
    "archive": ("archive", "format", _archive_format),
    "archive_max_size": ("archive", "max_size", _size),
}


def _settings(value: object, file: str) -> tuple[FetchSettings, PollSettings,
                                                 ExtractionSettings, ArchiveSettings]:
    if value is None:
        return FetchSettings(), PollSettings(), ExtractionSettings(), ArchiveSettings()
    if not isinstance(value, dict):
        raise ConfigError(f"settings must be a mapping, got {_show(value)}", file=file,
                          key="settings")
    where = _Where(file, None, "settings.")
    _check_keys(value, tuple(_SETTINGS_FIELDS), where)
    checked: dict[_Group, dict[str, Any]] = {"fetch": {}, "poll": {}, "extraction": {},
                                             "archive": {}}
    for key, (group, name, convert) in _SETTINGS_FIELDS.items():
        if key in value:
            checked[group][name] = convert(value[key], key, where)
    return (replace(FetchSettings(), **checked["fetch"]),
            replace(PollSettings(), **checked["poll"]),
            replace(ExtractionSettings(), **checked["extraction"]),
            replace(ArchiveSettings(), **checked["archive"]))


# --- the file --------------------------------------------------------------------------

_TOP_KEYS = ("defaults", "settings", "sources")


def load_config(path: Path) -> Config:
    """Read and validate a sources file; raise ConfigError naming file, source and key.

    >>> config = load_config(Path("sources.yaml"))  # doctest: +SKIP
    >>> config.sources[0].interval                  # doctest: +SKIP
    900.0
    """
    path = Path(path)
    file = str(path)
    data = _load_yaml(path)
    if data is None:
        raise ConfigError("the file is empty: it needs a sources: list", file=file)
    if not isinstance(data, dict):
        raise ConfigError(f"the file must be a mapping with a sources: list, got "
                          f"{_show(data)}", file=file)
    _check_keys(data, _TOP_KEYS, _Where(file, None))
    fetch, poll, extraction, archive = _settings(data.get("settings"), file)
    defaults, default_extract = _defaults(data.get("defaults"), file)
    if "sources" not in data:
        raise ConfigError("sources is required: a list of sources", file=file, key="sources")
    raw_sources = data["sources"]
    if not isinstance(raw_sources, list) or not raw_sources:
        raise ConfigError(f"sources must be a non-empty list, got {_show(raw_sources)}",
                          file=file, key="sources")
    sources: list[SourceConfig] = []
    # Names are directory names, and "BBC" and "bbc" are one directory on a case-insensitive
    # file system (macOS, Windows): they count as the same name.
    names: dict[str, tuple[int, str]] = {}
    feed_owner: dict[str, str] = {}
    for index, raw in enumerate(raw_sources):
        source = _source(raw, index, file, defaults, default_extract)
        folded = source.name.casefold()
        if folded in names:
            first_index, first_name = names[folded]
            first = f"source #{first_index + 1}"
            if first_name != source.name:
                first += f", {first_name!r}: names that differ only in letter case are one " \
                         "directory on some systems"
            raise ConfigError(
                f"duplicate source name {source.name!r} (source #{index + 1}; first defined "
                f"as {first})",
                file=file, source=source.name, key="name",
            )
        names[folded] = (index, source.name)
        for feed in source.feeds:
            # Feed state (validators, backoff) is kept per feed URL: two owners would share it.
            if feed in feed_owner:
                raise ConfigError(
                    f"feed {feed!r} is already listed by source {feed_owner[feed]!r}",
                    file=file, source=source.name, key="feeds",
                )
            feed_owner[feed] = source.name
        sources.append(source)
    return Config(path=path, sources=tuple(sources), fetch=fetch, poll=poll,
                  extraction=extraction, archive=archive)
