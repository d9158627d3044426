"""A throwaway PostgreSQL for the tests of the distributed mode: ``initdb`` into a temporary
folder, a free port on 127.0.0.1, stopped (and its folder removed) on exit.

Standard library only, so that ``.ci/run`` can start the server with the system ``python3``
before the README's test command, and export its URL for the tests::

    url=$(python3 tests/pgserver.py start "$dir")   # prints postgresql://...
    python3 tests/pgserver.py stop "$dir"

The fixture ``pg_server_url`` (``tests/conftest.py``) uses :func:`start` for local runs when
no URL is given. The binaries are those of the machine's ``postgresql`` package
(``/usr/lib/postgresql/<version>/bin``). PostgreSQL refuses to run as root, so as root the
server runs as the package's ``postgres`` user.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

USER = "scraper"  # the superuser initdb creates; trust authentication on loopback only


@dataclass(frozen=True)
class PgServer:
    """A running throwaway server: its folder and the URL of its ``postgres`` database."""

    folder: Path
    url: str

    def stop(self) -> None:
        """Stop the server at once and remove its folder."""
        stop(self.folder)


def find_bin() -> Path | None:
    """The bin folder of the newest installed PostgreSQL, None when there is none."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name)
                   if Path(p).parent.parent.name.isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def _as_owner(argv: list[str]) -> list[str]:
    """Run as the ``postgres`` user when we are root (initdb and postgres refuse root)."""
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", "postgres", "--", *argv]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(folder: Path, bin_dir: Path | None = None, attempts: int = 3) -> PgServer:
    """initdb into ``folder/data`` and start the server on a free loopback port.

    Durability settings are off: the tests kill workers, never the machine, and a commit
    that reached the server's memory is enough for them.
    """
    bin_dir = bin_dir or find_bin()
    if bin_dir is None:
        raise RuntimeError("no PostgreSQL binaries under /usr/lib/postgresql/*/bin: "
                           "install the postgresql package")
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / "data"
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    made = subprocess.run(
        _as_owner([str(bin_dir / "initdb"), "-D", str(data), "-U", USER, "--auth=trust",
                   "--encoding=UTF8", "--locale=C", "--no-sync"]),
        check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    if made.returncode != 0:
        raise RuntimeError(f"initdb failed in {data} (as root, every folder above it must be "
                           f"open to the postgres user): {made.stderr.decode(errors='replace')}")
    failure = ""
    for _attempt in range(attempts):
        port = _free_port()
        options = (f"-c listen_addresses=127.0.0.1 -p {port} "
                   f"-c unix_socket_directories={folder} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        done = subprocess.run(
            _as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"),
                       "-w", "-t", "60", "-o", options, "start"]),
            check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        if done.returncode == 0:
            (folder / "bin").write_text(str(bin_dir))
            return PgServer(folder, f"postgresql://{USER}@127.0.0.1:{port}/postgres")
        # Another process may have taken the port between our probe and the server's bind.
        log = folder / "log"
        failure = done.stderr.decode(errors="replace") + (
            log.read_text(errors="replace") if log.exists() else "")
    raise RuntimeError(f"PostgreSQL did not start: {failure}")


def stop(folder: Path) -> None:
    """Stop the server started in ``folder`` (if it runs) and remove the folder."""
    marker = folder / "bin"
    if marker.exists() and (folder / "data" / "postmaster.pid").exists():
        bin_dir = Path(marker.read_text())
        subprocess.run(
            _as_owner([str(bin_dir / "pg_ctl"), "-D", str(folder / "data"), "-m", "immediate",
                       "-w", "stop"]),
            check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
    with contextlib.suppress(OSError):
        shutil.rmtree(folder)


def main(argv: list[str]) -> int:
    """``start DIR`` prints the URL of a new server; ``stop DIR`` stops it."""
    if len(argv) != 2 or argv[0] not in ("start", "stop"):
        print("usage: pgserver.py start|stop DIR", file=sys.stderr)
        return 2
    folder = Path(argv[1])
    if argv[0] == "start":
        print(start(folder).url)
    else:
        stop(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
