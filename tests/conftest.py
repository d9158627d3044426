from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from hypothesis import HealthCheck, settings

from tests import pgserver
from tests.httpserver import LoopbackServer

PG_URL_VARIABLE = "SCRAPER_TEST_PG_URL"

# Property tests without wall-clock checks, the same examples on every run: Hypothesis's
# default 200 ms deadline per example and its too-slow health check fail a test whose
# examples merely ran on a loaded machine (CI runs the suite once on two cores), and a
# random seed makes a run depend on luck. A test's own @settings still sets the rest.
settings.register_profile("scraper", deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("scraper")


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    """A fresh HTTP server on 127.0.0.1 for one test."""
    srv = LoopbackServer()
    try:
        yield srv
    finally:
        srv.close()
    assert srv.errors == [], f"the test server's handlers raised: {srv.errors!r}"


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """The URL of a PostgreSQL server for the distributed-mode tests.

    ``SCRAPER_TEST_PG_URL`` when set (``.ci/run`` starts a server and sets it); otherwise a
    throwaway server started here from the machine's binaries for this session. Under
    ``CI=true`` these tests must run: a missing URL fails them instead of skipping them.
    """
    url = os.environ.get(PG_URL_VARIABLE)
    if url:
        yield url
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {PG_URL_VARIABLE} is not set: .ci/run starts PostgreSQL "
                    "and exports its URL; the distributed-mode tests must not be skipped in CI")
    if pgserver.find_bin() is None:
        pytest.skip("no PostgreSQL here: install the postgresql package (binaries under "
                    f"/usr/lib/postgresql/*/bin) or set {PG_URL_VARIABLE}")
    server = pgserver.start(Path(tempfile.mkdtemp(prefix="scraper-pg-")))
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server_url: str) -> Iterator[str]:
    """The URL of a new, empty database for one test, dropped after it."""
    import psycopg

    name = f"test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        # FILE_COPY: about twice as fast as the default for an empty database.
        conn.execute(f'CREATE DATABASE "{name}" STRATEGY FILE_COPY')
    parts = urlsplit(pg_server_url)
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(pg_server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
