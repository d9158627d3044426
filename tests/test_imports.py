"""What each entry point loads: the CLI's start-up and the configuration carry no HTTP stack,
scheduler, table renderer or extractor they do not use (`scraper --version` stays instant)."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("httpx", "httpcore", "tenacity", "protego", "apscheduler", "rich", "pygments",
         "feedparser", "sqlite3", "scraper.extract", "scraper.fetch", "scraper.store",
         "scraper.daemon", "scraper.poller", "scraper.feeds", "warcio", "scraper.archive",
         "scraper.reextract")


def _loaded(code: str) -> set[str]:
    """The modules loaded, by top package and by scraper module, after ``code`` runs in a
    fresh interpreter."""
    probe = code + "\nimport sys\nprint('\\n'.join(sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True)
    names = set(result.stdout.split())
    return {n.split(".")[0] for n in names} | {".".join(n.split(".")[:2]) for n in names}


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["status", "--help"],
                                  ["reextract", "--help"]])
def test_cli_start_up_loads_nothing_heavy(args: list[str]) -> None:
    loaded = _loaded(f"from scraper.cli import main\ntry:\n    main({args!r})\n"
                     "except SystemExit:\n    pass")
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_configuration_loads_no_http_stack() -> None:
    loaded = _loaded("import scraper.config")
    assert {"httpx", "httpcore", "tenacity", "protego", "scraper.fetch"}.isdisjoint(loaded)


def test_version_is_the_packages_own() -> None:
    result = subprocess.run([sys.executable, "-c", "from scraper.cli import main; main()",
                             "--version"], capture_output=True, text=True, check=False)
    assert result.stdout == "scraper, version 0.1.0\n"


def test_the_package_facade_gives_the_extract_function() -> None:
    # `scraper.extract` is also a subpackage: loading it must not shadow the function.
    loaded = _loaded("import scraper\nimport scraper.extract.body\n"
                     "from scraper import extract\nassert callable(extract)\n"
                     "assert extract('<article><p>Body.</p></article>').body == 'Body.'\n"
                     "assert scraper.extract is extract")
    assert "scraper.extract" in loaded


def test_the_worker_command_loads_no_scheduler() -> None:
    # Its log setup comes from scraper.logs, not the daemon module (and APScheduler with it);
    # the database is a closed port, so the command stops after its imports.
    loaded = _loaded("from scraper.cli import main\ntry:\n    main(['worker', '--db', "
                     "'postgresql://x@127.0.0.1:1/x', '--sources', '/nonexistent.yaml'])\n"
                     "except SystemExit:\n    pass")
    assert "scraper.worker" in loaded
    assert loaded.isdisjoint({"scraper.daemon", "apscheduler"})
