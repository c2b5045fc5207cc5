"""Counters see each other at once: PostgreSQL's NOTIFY on commit, LISTEN on a thread.

Every transaction that changed a table a counter's lists show sends one notice on the
channel ``stationdesk_changes`` naming those tables and the sending process; NOTIFY is
transactional, so a notice is delivered only when (and if) the change is committed.
Identical notices of one transaction are folded by the server (several flushes, one notice).

A ``ChangeListener`` thread holds its own connection (autocommit, LISTEN), hands each notice
to a callback, pings the server every few seconds, and reports when the connection is lost
and when it is back (then reconnecting by itself). SQLite has no such channel: its counters
keep the periodic refresh.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, UOWTransaction, sessionmaker

logger = logging.getLogger(__name__)

CHANNEL = "stationdesk_changes"
# This process: its own notices are not news to it (its pages reload after their own saves).
PROCESS_TOKEN = uuid.uuid4().hex[:12]
PING_SECONDS = 3.0
WAIT_SECONDS = 0.5
RETRY_SECONDS = 2.0
_TOKEN_KEY = "stationdesk_notice_token"


def announce_changes(
    engine: Engine, sessions: sessionmaker[Session], token: str = PROCESS_TOKEN
) -> bool:
    """Send a notice with every committed change made through ``sessions`` (PostgreSQL only).

    Installed once per session factory; ``token`` names the sender (tests run two counters
    in one process). False (nothing installed) on other engines.
    """
    if engine.dialect.name != "postgresql":
        return False
    info = sessions.kw.setdefault("info", {})
    first = _TOKEN_KEY not in info
    info[_TOKEN_KEY] = token
    if first:
        event.listen(sessions, "after_flush", _after_flush)
    return True


def changed_tables(objects: Iterable[Any]) -> set[str]:
    """The tables of the mapped objects a flush wrote."""
    tables = set()
    for obj in objects:
        table = getattr(type(obj), "__tablename__", None)
        if table:
            tables.add(str(table))
    return tables


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    tables = changed_tables((*session.new, *session.dirty, *session.deleted))
    if not tables:
        return
    token = session.info.get(_TOKEN_KEY, PROCESS_TOKEN)
    payload = json.dumps({"p": token, "t": sorted(tables)}, separators=(",", ":"))
    session.connection().exec_driver_sql(
        "SELECT pg_notify(%(c)s, %(p)s)", {"c": CHANNEL, "p": payload}
    )


def parse_notice(payload: str) -> tuple[str, frozenset[str]] | None:
    """(sending process, tables) of a notice; None for one that is not ours."""
    try:
        data = json.loads(payload)
        return str(data["p"]), frozenset(str(t) for t in data["t"])
    except (ValueError, KeyError, TypeError):
        return None


def libpq_url(url: URL) -> str:
    """The engine's URL as psycopg's own ``connect`` takes it (no SQLAlchemy driver part)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class ChangeListener(threading.Thread):
    """LISTEN on its own connection; ``on_change(tables)`` for other processes' commits.

    ``on_status(True/False)`` when the connection to the server is made, lost, made again.
    Both callbacks run on this thread: hand them to the GUI thread (a Qt signal does).
    """

    def __init__(
        self,
        url: URL,
        on_change: Callable[[frozenset[str]], None],
        on_status: Callable[[bool], None],
        own_token: str = PROCESS_TOKEN,
    ) -> None:
        super().__init__(name="stationdesk-listen", daemon=True)
        self._own = own_token
        self._url = libpq_url(url)
        self._on_change = on_change
        self._on_status = on_status
        self._stop_event = threading.Event()
        self._connected: bool | None = None

    def stop(self, wait: float = 5.0) -> None:
        """End the thread (and its connection) within about a second."""
        self._stop_event.set()
        if self.is_alive():
            self.join(wait)

    def run(self) -> None:  # pragma: no cover - exercised through tests with a server
        import psycopg

        while not self._stop_event.is_set():
            try:
                with psycopg.connect(
                    self._url,
                    autocommit=True,
                    connect_timeout=5,
                    application_name="stationdesk-listen",
                ) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._status(True)
                    self._listen(conn)
            except psycopg.Error as exc:
                logger.info("change listener: %s", exc)
                self._status(False)
                self._stop_event.wait(RETRY_SECONDS)
            except Exception:  # a bug must not end the counter's live refresh for good
                logger.exception("change listener failed")
                self._status(False)
                self._stop_event.wait(RETRY_SECONDS)

    def _listen(self, conn: Any) -> None:
        pinged = time.monotonic()
        while not self._stop_event.is_set():
            # Short waits, so a closing window's ``stop`` ends the thread within a second.
            for notice in conn.notifies(timeout=WAIT_SECONDS):
                parsed = parse_notice(notice.payload)
                if parsed is not None and parsed[0] != self._own:
                    self._on_change(parsed[1])
                if self._stop_event.is_set():
                    return
            if time.monotonic() - pinged >= PING_SECONDS:
                conn.execute("SELECT 1")  # a server gone without a word is found here
                pinged = time.monotonic()

    def _status(self, connected: bool) -> None:
        if connected != self._connected:
            self._connected = connected
            self._on_status(connected)
