"""The throwaway PostgreSQL of the distributed-mode tests (tests/pgserver.py, the fixtures)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
import pytest

from tests import pgserver


def test_each_test_gets_an_empty_database_on_loopback(pg_url: str) -> None:
    with psycopg.connect(pg_url) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
        address = conn.execute("SELECT host(inet_server_addr())").fetchone()
        conn.execute("CREATE TABLE scratch (n int)")  # dropped with the database after the test
    assert tables == (0,)
    assert address == ("127.0.0.1",)
    assert pg_url.rsplit("/", 1)[1].startswith("test_")


@pytest.mark.slow  # starts a second PostgreSQL server
def test_start_and_stop_leave_nothing_behind(pg_server_url: str) -> None:
    if pgserver.find_bin() is None:  # CI has binaries; a local run may use a given URL only
        pytest.skip("no PostgreSQL binaries to start a second server with")
    # Not tmp_path: as root the server runs as ``postgres``, which cannot enter pytest's
    # private temporary folders.
    server = pgserver.start(Path(tempfile.mkdtemp(prefix="scraper-pg-")))
    with psycopg.connect(server.url) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
    server.stop()
    assert not server.folder.exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(server.url, connect_timeout=5)


def test_command_line_refuses_unknown_verbs() -> None:
    done = subprocess.run([sys.executable, "tests/pgserver.py", "restart", "/nowhere"],
                          capture_output=True, text=True, check=False,
                          cwd=Path(__file__).parent.parent)
    assert done.returncode == 2
    assert "usage: pgserver.py start|stop DIR" in done.stderr
