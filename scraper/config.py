"""Loading and validating ``sources.yaml``.

Interface contract::

    config = load_config(Path("sources.yaml"))      # raises ConfigError naming file/source/key
    for source in config.sources: source.name, source.feeds, source.interval ...
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from scraper.fetch import FetchSettings
from scraper.models import ExtractRules

__all__ = ["Config", "SourceConfig", "load_config", "parse_duration"]


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


@dataclass(frozen=True, slots=True)
class Config:
    """The whole file: sources plus process-wide settings."""

    path: Path
    sources: tuple[SourceConfig, ...]
    fetch: FetchSettings = field(default_factory=FetchSettings)


def parse_duration(value: object) -> float:
    """``30s``, ``15m``, ``2h``, ``1d`` (or a number of seconds) -> seconds; ValueError else."""
    raise NotImplementedError


def load_config(path: Path) -> Config:
    """Read and validate a sources file; raise ConfigError naming file, source and key."""
    raise NotImplementedError
