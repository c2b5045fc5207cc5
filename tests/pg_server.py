"""A throwaway PostgreSQL server for tests: ``initdb`` and ``pg_ctl`` in a temporary folder.

``pg_server`` (session-scoped) starts one server on a free local port with a password login
(scram-sha-256, so the tools' PGPASSWORD path is exercised), and stops and removes it at the end.
When it cannot (no PostgreSQL binaries, no psycopg, the server does not start), every test that
uses it is skipped with the reason. As root, the server runs as the ``postgres`` user (PostgreSQL
refuses to run as root). Use it from a conftest or a test module::

    from tests.pg_server import pg_server  # noqa: F401  (the fixture)

    def test_x(pg_server: PgServer) -> None:
        url = pg_server.new_database("ledger")
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

USER = "stationdesk"
PASSWORD = "pg-Test-2026"


@dataclass(frozen=True)
class PgServer:
    """A running server: where it listens and how to log in."""

    port: int
    folder: Path
    user: str = USER
    password: str = PASSWORD
    host: str = "127.0.0.1"

    def url(self, database: str) -> str:
        """The SQLAlchemy URL of ``database`` on this server."""
        return (
            f"postgresql+psycopg://{self.user}:{self.password}@{self.host}:{self.port}/{database}"
        )

    def new_database(self, prefix: str = "test") -> str:
        """Create an empty database with a unique name; its URL."""
        import psycopg

        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self._dsn("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def _dsn(self, database: str) -> str:
        return (
            f"host={self.host} port={self.port} user={self.user} "
            f"password={self.password} dbname={database}"
        )


def _binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_server_user() -> tuple[Callable[[], None] | None, int | None, int | None]:
    """A pre-exec that drops root to ``postgres`` (PostgreSQL will not run as root)."""
    if os.geteuid() != 0:
        return None, None, None
    try:
        entry = pwd.getpwnam("postgres")
    except KeyError:
        entry = pwd.getpwnam("nobody")
    uid, gid = entry.pw_uid, entry.pw_gid

    def drop() -> None:
        os.setgid(gid)
        os.setuid(uid)

    return drop, uid, gid


def start_server() -> tuple[PgServer | None, str, Callable[[], None]]:
    """Start a server; (server, "", stop) or (None, why not, stop)."""
    folder = Path(tempfile.mkdtemp(prefix="stationdesk-pg-"))

    def remove() -> None:
        shutil.rmtree(folder, ignore_errors=True)

    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    if initdb is None or pg_ctl is None:
        return None, "initdb/pg_ctl not found (PostgreSQL server binaries not installed)", remove
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return None, "psycopg is not installed (pip install 'psycopg[binary]')", remove
    drop, uid, gid = _as_server_user()
    data, log, pwfile = folder / "data", folder / "server.log", folder / "pw"
    pwfile.write_text(PASSWORD + "\n")
    if uid is not None and gid is not None:
        os.chown(folder, uid, gid)
        os.chown(pwfile, uid, gid)
    port = _free_port()
    run = {"capture_output": True, "text": True, "preexec_fn": drop, "timeout": 120}
    made = subprocess.run(
        [
            initdb,
            "-D",
            str(data),
            "-U",
            USER,
            f"--pwfile={pwfile}",
            "--auth=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        ],
        check=False,
        **run,  # type: ignore[call-overload]
    )
    if made.returncode != 0:
        return None, f"initdb failed: {made.stderr.strip()[-300:]}", remove
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    started = subprocess.run(
        [pg_ctl, "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "60", "start"],
        check=False,
        **run,  # type: ignore[call-overload]
    )

    def stop() -> None:
        subprocess.run(
            [pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"],
            check=False,
            **run,  # type: ignore[call-overload]
        )
        remove()

    if started.returncode != 0:
        reason = log.read_text(errors="replace")[-300:] if log.exists() else started.stderr
        return None, f"the PostgreSQL server did not start: {reason.strip()}", stop
    return PgServer(port, folder), "", stop


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A PostgreSQL server for the session, or a skip saying why there is none."""
    server, reason, stop = start_server()
    try:
        if server is None:
            if os.environ.get("STATIONDESK_TEST_POSTGRES", "").strip().lower() == "require":
                pytest.fail(f"STATIONDESK_TEST_POSTGRES=require, but no server: {reason}")
            pytest.skip(f"no PostgreSQL server for the test: {reason}")
        yield server
    finally:
        with contextlib.suppress(Exception):
            stop()
