"""Which engines the database tests run on, and the migrated PostgreSQL database they copy.

``STATIONDESK_TEST_POSTGRES`` decides PostgreSQL's part:

- ``require`` (``scripts/test.sh``, so CI): every database test also runs on PostgreSQL, and a
  server that cannot be started fails those tests instead of skipping them;
- ``auto`` (the default): the same, but skipped with the reason when there is no server;
- ``0``: SQLite only (a quick run on a machine without PostgreSQL).
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass

from tests.pg_server import PgServer


def postgres_mode() -> str:
    """``require``, ``auto`` or ``0`` (see the module's text)."""
    mode = os.environ.get("STATIONDESK_TEST_POSTGRES", "auto").strip().lower()
    return mode if mode in {"require", "auto", "0"} else "auto"


def engines_to_test() -> list[str]:
    """The engines a database test is parametrized over."""
    return ["sqlite"] if postgres_mode() == "0" else ["sqlite", "postgresql"]


@dataclass
class PgTemplate:
    """One migrated, empty station database; each test gets a copy of it."""

    server: PgServer
    name: str

    @classmethod
    def make(cls, server: PgServer) -> PgTemplate:
        """Migrate a new database once to copy from.

        Only the schema: the station key is made when a copy is first opened, in the key folder
        of that moment (a test may have pointed ``STATIONDESK_KEY_DIR`` elsewhere when the
        template was made, and that folder is gone by the next test).
        """
        from db.engine import make_engine
        from db.migrate import upgrade_to_head

        url = server.new_database("template")
        engine = make_engine(url)
        try:
            upgrade_to_head(engine)
        finally:
            engine.dispose()
        return cls(server, url.rsplit("/", 1)[1])

    def copy(self) -> str:
        """A new database with the template's content; its URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self._admin_dsn(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.name}"')
        return self.server.url(name)

    def drop(self, url: str) -> None:
        """Remove a copy (whatever connection the test left open to it is ended)."""
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self._admin_dsn(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _admin_dsn(self) -> str:
        s = self.server
        return f"host={s.host} port={s.port} user={s.user} password={s.password} dbname=postgres"
