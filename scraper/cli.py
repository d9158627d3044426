"""The ``scraper`` command: ``extract`` and ``scrape`` for a person at a terminal, ``run``,
``poll`` and ``status`` for the daemon, ``reextract`` for the page archive, ``worker`` and
``dispatch`` for the distributed mode."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import os
import sys
import zlib
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import click

from scraper import __version__
from scraper.errors import ExtractionError, FetchError, ScraperError, UnsupportedContent

if TYPE_CHECKING:
    from scraper.archive import WarcArchive
    from scraper.config import FetchSettings
    from scraper.models import Article

# Each command imports what it uses when it runs: `scraper --help` and `--version` load
# click and nothing of the extractor, the HTTP stack, the scheduler or rich.

__all__ = ["main"]


_FEED_HINT = "{}; feeds are read by `scraper poll` (add the feed to sources.yaml)"


def _fail(what: str, why: object) -> None:
    click.echo(f"scraper: {what}: {why}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
# The version is the package's own, not looked up in the installed distributions' metadata.
@click.version_option(__version__, prog_name="scraper")
def main() -> None:
    """News-feed scraper and normalizer: one JSON record per article."""


@main.command("extract")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--url", help="The page's address (for relative links and the id).")
def extract_command(files: tuple[Path, ...], url: str | None) -> None:
    """Extract articles from local .html or .html.gz FILES, one JSON line each on stdout."""
    from scraper.extract import extract
    from scraper.models import record_line
    from scraper.records import one_off

    failed = 0
    for path in files:
        try:
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data)
            article = one_off(extract(data, url), url)
        except (OSError, EOFError, gzip.BadGzipFile, zlib.error) as exc:
            _fail(str(path), exc.strerror if isinstance(exc, OSError) and exc.strerror else exc)
            failed += 1
            continue
        except ExtractionError as exc:
            _fail(str(path), exc)
            failed += 1
            continue
        click.echo(record_line(article), nl=False)
    sys.exit(1 if failed else 0)


async def _scrape(urls: tuple[str, ...], settings: FetchSettings, sink: BinaryIO | None,
                  archive: WarcArchive | None = None) -> int:
    from scraper.archive import ArchivedPage
    from scraper.extract import extract
    from scraper.fetch import Fetcher
    from scraper.fetch.content import looks_like_feed
    from scraper.models import record_line
    from scraper.records import one_off

    async with Fetcher(settings) as fetcher:

        async def one(url: str) -> Article | str:
            try:
                result = await fetcher.fetch(url, kind="page", trusted=True)
                if looks_like_feed(result.content):  # a feed served as text/html
                    return _FEED_HINT.format("a feed (RSS, Atom or RDF), not an HTML page")
                if archive is not None:
                    archive.write(ArchivedPage(
                        url=result.url, status=result.status, headers=result.headers,
                        content=result.content, fetched_at=result.fetched_at,
                        requested_url=url))
                article = extract(result.content, result.url,
                                  content_type=result.headers.get("content-type"))
            except UnsupportedContent as exc:
                return _FEED_HINT.format(exc.reason) if exc.is_feed else exc.reason
            except FetchError as exc:
                return exc.reason
            except ExtractionError as exc:
                return str(exc)
            return one_off(article, result.url, result.fetched_at)

        # Fetches run concurrently (within the fetcher's per-host limits); results and
        # failures are reported in the order the URLs were given, each as soon as it and
        # those before it are done.
        tasks = [asyncio.create_task(one(u)) for u in urls]
        failed = 0
        for url, task in zip(urls, tasks, strict=True):
            outcome = await task
            if isinstance(outcome, str):
                _fail(url, outcome)
                failed += 1
            elif sink is not None:
                sink.write(record_line(outcome))
                sink.flush()
            else:
                click.echo(record_line(outcome), nl=False)
    return failed


class _FetchDefault:
    """The default of a ``FetchSettings`` field, read when an option needs it: help shows
    the value and a run gets it, without loading the configuration module at start-up."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self) -> object:
        from scraper.config import FetchSettings

        return getattr(FetchSettings(), self.name)

    def __str__(self) -> str:
        return str(self())


@main.command()
@click.argument("urls", nargs=-1, required=True)
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Append to this JSONL file.")
@click.option("--ignore-robots", is_flag=True, help="Do not obey robots.txt.")
@click.option("--timeout", type=float, default=_FetchDefault("read_timeout"), show_default=True,
              help="Read timeout (s).")
@click.option("--max-bytes", type=int, default=_FetchDefault("max_bytes"), show_default=True)
@click.option("--user-agent", help="User-Agent header to send.")
@click.option("--delay", type=float, default=_FetchDefault("per_host_delay"), show_default=True,
              help="Minimum seconds between two requests to one host.")
@click.option("--attempts", type=click.IntRange(1, 10), default=_FetchDefault("max_attempts"),
              show_default=True,
              help="Tries per URL; connection errors, 429 and 5xx are retried with backoff.")
@click.option("--archive", "archive_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Also write every page fetched to WARC files in this directory "
                   "(for scraper reextract).")
@click.option("--allow-private-networks", is_flag=True,
              help="Let redirects reach private, loopback and reserved addresses (the URLs "
                   "given are always fetched as typed).")
def scrape(urls: tuple[str, ...], output: Path | None, ignore_robots: bool, timeout: float,
           max_bytes: int, user_agent: str | None, delay: float, attempts: int,
           allow_private_networks: bool, archive_dir: Path | None) -> None:
    """Fetch article URLS and print one JSON record per line."""
    from scraper.config import FetchSettings

    settings = FetchSettings(respect_robots=not ignore_robots, read_timeout=timeout,
                             max_bytes=max_bytes, per_host_delay=delay, max_attempts=attempts,
                             allow_private_networks=allow_private_networks)
    if user_agent:
        settings = replace(settings, user_agent=user_agent)
    try:
        # Opened before any fetch, so a bad path costs no requests.
        with (output.open("ab") if output else contextlib.nullcontext()
              ) as sink, contextlib.ExitStack() as closing:
            archive = None
            if archive_dir is not None:
                from scraper.archive import WarcArchive

                archive = closing.enter_context(WarcArchive(archive_dir))
            failed = asyncio.run(_scrape(urls, settings, sink, archive))
            if sink is not None:
                os.fsync(sink.fileno())
    except OSError as exc:
        _fail(str(output), exc.strerror or exc)
        sys.exit(2)
    except ScraperError as exc:
        _fail("scrape", exc)
        sys.exit(2)
    sys.exit(1 if failed else 0)


# -- the daemon's commands (their machinery lives in scraper.daemon) ----------------------

_SOURCES = click.option("--sources", "sources_file", type=click.Path(path_type=Path),
                        default=Path("sources.yaml"), show_default=True,
                        help="The sources file.")
_OUTPUT = click.option("--output", "output", type=click.Path(path_type=Path, file_okay=False),
                       default=Path("output"), show_default=True,
                       help="Directory of the JSONL files and state.sqlite3.")


@main.command()
@_SOURCES
@_OUTPUT
@click.option("--json-logs", is_flag=True, help="Log one JSON object per line.")
def run(sources_file: Path, output: Path, json_logs: bool) -> None:
    """Run the daemon: poll every enabled source on its schedule until SIGTERM/SIGINT."""
    from scraper.daemon import Daemon
    from scraper.logs import configure_logging

    configure_logging(json_logs)
    try:
        code = asyncio.run(Daemon(sources_file, output).run())
    except ScraperError as exc:
        _fail("run", exc)
        sys.exit(2)
    sys.exit(code)


_DB = click.option("--db", "db", required=True, envvar="SCRAPER_DB", metavar="URL",
                   help="PostgreSQL URL of the shared state and job queue "
                        "(postgresql://user@host/db; or $SCRAPER_DB).")


@main.command()
@_DB
@_SOURCES
@_OUTPUT
@click.option("--worker-name", "name", metavar="NAME",
              help="Names this worker's output segments; default <host>-<n>, the first free.")
@click.option("--concurrency", type=click.IntRange(min=1), default=8, show_default=True,
              help="Feeds this worker polls at once.")
@click.option("--dispatch-every", type=click.IntRange(1, 60), default=10, show_default=True,
              help="Seconds between the periodic dispatches of due feeds (divides 60).")
@click.option("--stalled-after", type=click.FloatRange(min=1), default=30.0,
              show_default=True,
              help="Seconds without a heartbeat after which a worker's jobs go to others.")
@click.option("--json-logs", is_flag=True, help="Log one JSON object per line.")
def worker(db: str, sources_file: Path, output: Path, name: str | None, concurrency: int,
           dispatch_every: int, stalled_after: float, json_logs: bool) -> None:
    """Run a worker of the distributed mode until SIGTERM/SIGINT (any number, anywhere)."""
    from scraper.config import load_config
    from scraper.logs import configure_logging
    from scraper.worker import WorkerOptions, run_worker

    configure_logging(json_logs)
    options = WorkerOptions(name=name, concurrency=concurrency, dispatch_every=dispatch_every,
                            stalled_after=stalled_after,
                            heartbeat=max(0.5, min(10.0, stalled_after / 4)))
    try:
        code = asyncio.run(run_worker(db, load_config(sources_file), output, options))
    except ScraperError as exc:
        _fail("worker", exc)
        sys.exit(2)
    sys.exit(code)


@main.command()
@_DB
@_SOURCES
def dispatch(db: str, sources_file: Path) -> None:
    """Enqueue one poll job per due feed (the workers also do this every few seconds)."""
    from datetime import UTC, datetime

    from scraper.config import load_config
    from scraper.worker import build_app, prepare_database
    from scraper.worker import dispatch as dispatch_feeds

    async def once() -> str:
        config = load_config(sources_file)
        await prepare_database(db)
        app = build_app(db)
        async with app.open_async():
            done = await dispatch_feeds(app, db, config, datetime.now(UTC))
        return (f"{done.queued} feeds queued ({done.due} due of {done.feeds}, "
                f"{done.busy} already queued or running)")

    try:
        click.echo(asyncio.run(once()))
    except ScraperError as exc:
        _fail("dispatch", exc)
        sys.exit(2)


@main.command()
@_SOURCES
@_OUTPUT
@click.option("--source", "names", multiple=True, help="Poll only this source (repeatable).")
@click.option("--json-logs", is_flag=True, help="Log one JSON object per line.")
def poll(sources_file: Path, output: Path, names: tuple[str, ...], json_logs: bool) -> None:
    """Poll every feed once, print a summary; exit 1 if a feed failed."""
    import logging

    from rich.console import Console

    from scraper.config import load_config
    from scraper.daemon import poll_once, poll_progress, select_sources
    from scraper.logs import configure_logging
    from scraper.report import poll_footer, summary_table, summary_text

    console = Console()
    # On a terminal the bar shows progress and only warnings are logged; elsewhere (cron)
    # the log has one line per feed instead.
    configure_logging(json_logs, level=logging.WARNING if console.is_terminal else logging.INFO)
    try:
        config = load_config(sources_file)
        sources = select_sources(config, names)
        with poll_progress(console) as progress:
            outcome = asyncio.run(poll_once(config, sources, output, progress=progress))
    except ScraperError as exc:
        _fail("poll", exc)
        sys.exit(2)
    except (asyncio.CancelledError, KeyboardInterrupt):
        _fail("poll", "interrupted")
        sys.exit(130)
    if console.is_terminal:
        console.print(summary_table(outcome.reports))
    else:
        click.echo(summary_text(outcome.reports))
    click.echo(poll_footer(outcome.reports, output))
    sys.exit(1 if outcome.failed else 0)


@main.command()
@_OUTPUT
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object per feed: its state and counters.")
@click.option("--db", "db", metavar="URL",
              help="Read the distributed mode's state in this PostgreSQL instead of --output.")
def status(output: Path, as_json: bool, db: str | None) -> None:
    """Show every feed's last poll, errors, next poll and articles written (a table on a
    terminal, aligned plain text in a pipe, JSON with --json)."""
    from datetime import UTC, datetime

    from rich.console import Console

    from scraper.daemon import status_rows
    from scraper.report import status_json, status_table, status_text

    now = datetime.now(UTC)
    try:
        if db is None:
            rows = status_rows(output, now)
        else:
            from scraper.models import format_time
            from scraper.pgstore import read_statuses

            rows = read_statuses(db, format_time(now)[:10])
    except ScraperError as exc:
        _fail("status", exc)
        sys.exit(2)
    if as_json:
        click.echo(status_json(rows or []))
    elif rows is None:
        click.echo("nothing has been polled into that database yet" if db else
                   f"nothing has been polled into {output} yet")
    elif (console := Console()).is_terminal:
        console.print(status_table(rows, now))
    else:
        click.echo(status_text(rows, now))


@main.command()
@click.argument("archives", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@_OUTPUT
@click.option("--sources", "sources_file", type=click.Path(path_type=Path, dir_okay=False),
              help="The sources file whose extract: rules and max_revisions apply "
                   "(default: sources.yaml when there is one).")
@click.option("--workers", type=click.IntRange(1, 64),
              help="Extraction processes (default: extract_workers of the sources file, "
                   "else one per CPU, at most 4).")
@click.option("--db", "db", metavar="URL",
              help="Enqueue the pages as jobs for the distributed workers of this PostgreSQL "
                   "instead of extracting here; the workers must read ARCHIVES at the same "
                   "paths.")
@click.option("--json-logs", is_flag=True, help="Log one JSON object per line.")
def reextract(archives: tuple[Path, ...], output: Path, sources_file: Path | None,
              workers: int | None, db: str | None, json_logs: bool) -> None:
    """Re-extract ARCHIVES (WARC files of the page archive, saved .html/.html.gz pages,
    folders of them) into the output directory: a record with a new revision where the
    content changed, nothing where it did not. Exit 1 if a file or page failed. With --db,
    the pages go as jobs to the workers (which must see ARCHIVES at the same paths)."""
    if db is not None:
        _reextract_on_workers(archives, db)
        return
    import logging

    from rich.console import Console

    from scraper.config import load_config
    from scraper.daemon import poll_progress
    from scraper.logs import configure_logging
    from scraper.reextract import reextract_into, render_summary

    console = Console()
    configure_logging(json_logs, level=logging.WARNING if console.is_terminal else logging.INFO)
    try:
        default = Path("sources.yaml")
        path = sources_file or (default if default.is_file() else None)
        config = load_config(path) if path is not None else None
        with poll_progress(console) as progress:
            summary = asyncio.run(reextract_into(list(archives), output, config=config,
                                                 workers=workers, progress=progress))
    except ScraperError as exc:
        _fail("reextract", exc)
        sys.exit(2)
    except KeyboardInterrupt:
        _fail("reextract", "interrupted")
        sys.exit(130)
    for where, why in summary.failures:
        _fail(where, why)
    console.print(render_summary(summary))
    sys.exit(1 if summary.failed else 0)


def _reextract_on_workers(archives: tuple[Path, ...], db: str) -> None:
    """``reextract --db``: scan here, enqueue the pages for the workers, say how many jobs."""
    from scraper.reextract import scan
    from scraper.worker import build_app, enqueue_reextraction, prepare_database

    plan = scan(archives)

    async def enqueue() -> int:
        await prepare_database(db)
        app = build_app(db)
        async with app.open_async():
            return await enqueue_reextraction(app, plan.pages)

    try:
        jobs = asyncio.run(enqueue())
    except ScraperError as exc:
        _fail("reextract", exc)
        sys.exit(2)
    for where, why in plan.failures:
        _fail(where, why)
    click.echo(f"{jobs} jobs enqueued for {len(plan.pages)} pages ({plan.read} read, "
               f"{plan.superseded} superseded by a later fetch)")
    sys.exit(1 if plan.failures else 0)
