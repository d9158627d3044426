"""The ``scraper`` command: ``extract`` and ``scrape`` for a person at a terminal, ``run``,
``poll`` and ``status`` for the daemon."""

from __future__ import annotations

import asyncio
import gzip
import json
import sys
from dataclasses import replace
from pathlib import Path

import click

from scraper.errors import ExtractionError, FetchError, ScraperError
from scraper.extract import extract
from scraper.fetch import Fetcher, FetchSettings
from scraper.models import Article

__all__ = ["main"]


def _line(article: Article) -> str:
    return json.dumps(article.to_dict(), ensure_ascii=False, separators=(",", ":"))


def _fail(what: str, why: object) -> None:
    click.echo(f"scraper: {what}: {why}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="scraper")
def main() -> None:
    """News-feed scraper and normalizer: one JSON record per article."""


@main.command("extract")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--url", help="The page's address (for relative links and the id).")
def extract_command(files: tuple[Path, ...], url: str | None) -> None:
    """Extract articles from local .html or .html.gz FILES, one JSON line each on stdout."""
    failed = 0
    for path in files:
        try:
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data)
            article = extract(data, url)
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            _fail(str(path), exc.strerror if isinstance(exc, OSError) and exc.strerror else exc)
            failed += 1
            continue
        except ExtractionError as exc:
            _fail(str(path), exc)
            failed += 1
            continue
        click.echo(_line(article))
    sys.exit(1 if failed else 0)


async def _scrape(urls: tuple[str, ...], settings: FetchSettings, output: Path | None) -> int:
    failed = 0
    async with Fetcher(settings) as fetcher:

        async def one(url: str) -> Article | None:
            try:
                result = await fetcher.fetch(url, kind="page", trusted=True)
                article = extract(result.content, result.url,
                                  content_type=result.headers.get("content-type"))
            except (FetchError, ExtractionError) as exc:
                _fail(url, exc.reason if isinstance(exc, FetchError) else exc)
                return None
            return replace(
                article, url=result.url,
                fetched_at=result.fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            )

        # Results print in the order given; fetches run concurrently within the fetcher's
        # per-host limits.
        results = await asyncio.gather(*(one(u) for u in urls))
    sink = output.open("a", encoding="utf-8") if output else None
    try:
        for article in results:
            if article is None:
                failed += 1
                continue
            if sink:
                sink.write(_line(article) + "\n")
            else:
                click.echo(_line(article))
    finally:
        if sink:
            sink.close()
    return failed


@main.command()
@click.argument("urls", nargs=-1, required=True)
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Append to this JSONL file.")
@click.option("--ignore-robots", is_flag=True, help="Do not obey robots.txt.")
@click.option("--timeout", type=float, default=20.0, show_default=True, help="Read timeout (s).")
@click.option("--max-bytes", type=int, default=10_000_000, show_default=True)
@click.option("--user-agent", help="User-Agent header to send.")
@click.option("--delay", type=float, default=1.0, show_default=True,
              help="Minimum seconds between two requests to one host.")
def scrape(urls: tuple[str, ...], output: Path | None, ignore_robots: bool, timeout: float,
           max_bytes: int, user_agent: str | None, delay: float) -> None:
    """Fetch article URLS and print one JSON record per line."""
    settings = FetchSettings(respect_robots=not ignore_robots, read_timeout=timeout,
                             max_bytes=max_bytes, per_host_delay=delay)
    if user_agent:
        settings = replace(settings, user_agent=user_agent)
    try:
        failed = asyncio.run(_scrape(urls, settings, output))
    except ScraperError as exc:
        _fail("scrape", exc)
        sys.exit(2)
    sys.exit(1 if failed else 0)


@main.command()
def run() -> None:
    """Run the daemon on sources.yaml (not built yet)."""
    _fail("run", "the daemon is not built yet")
    sys.exit(2)
