"""Counters see each other at once (PostgreSQL) or at the periodic refresh (SQLite).

``start(database, on_change, on_status)`` listens for other counters' commits on a thread;
``on_change`` gets the tables they changed, ``on_status`` whether the server can be reached.
Which lists a change concerns is decided here, so the window only asks ``concerns``.
"""

from __future__ import annotations

from collections.abc import Callable

from app.core.database import Database
from db.pg_notify import ChangeListener

# The tables each list is built from: a change to one of them reloads the list.
PAGE_TABLES: dict[str, frozenset[str]] = {
    "today": frozenset(
        {
            "visits",
            "visit_transitions",
            "handovers",
            "notices",
            "ratings",
            "appointments",
            "day_reviews",
        }
    ),
    "appointments": frozenset({"appointments", "visits"}),
    "search": frozenset({"visits", "visit_transitions", "handovers"}),
    "notices": frozenset({"notices", "notice_items", "notice_breaches", "visits"}),
    "ledger": frozenset(
        {
            "visits",
            "visit_transitions",
            "handovers",
            "notices",
            "ratings",
            "day_reviews",
            "addenda",
            "callbacks",
            "complaints",
            "rectifications",
        }
    ),
    "callbacks": frozenset({"callbacks", "callback_attempts", "visits", "ratings"}),
    "rectifications": frozenset({"rectifications", "ratings"}),
    "complaints": frozenset({"complaints"}),
}


def concerns(page: str, tables: frozenset[str]) -> bool:
    """Whether a change to ``tables`` shows on the list ``page``."""
    return bool(PAGE_TABLES.get(page, frozenset()) & tables)


def is_shared_server(database: Database) -> bool:
    """Whether the counters share a server (PostgreSQL), not one SQLite file."""
    return database.engine.dialect.name == "postgresql"


def start(
    database: Database,
    on_change: Callable[[frozenset[str]], None],
    on_status: Callable[[bool], None],
) -> ChangeListener | None:
    """Listen for other counters' changes on a thread; None on SQLite (no channel)."""
    if not is_shared_server(database):
        return None
    listener = ChangeListener(database.engine.url, on_change, on_status)
    listener.start()
    return listener
