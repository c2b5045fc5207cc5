"""The station's name read straight from its SQLite file, so the login window shows at once.

Opening the database properly (SQLAlchemy, the models, the checks and any migration) costs
about as much as starting Qt itself. When the database is an initialised SQLite file, the
login window needs only the station's name: it is read here with the standard library,
read-only, and the database is opened for real at the first login attempt. Whenever anything
is unusual (no file, a server URL, not initialised, unreadable), there is no preview and the
database is opened first, as before, with its own checks and messages.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import NamedTuple

# app.core.database.DEFAULT_FILE_NAME and the folder of app.core.database.default_database_path
# (importing app.core.database would import SQLAlchemy;
# tests/app/station/test_station_preview.py keeps the two in step).
DEFAULT_FILE_NAME = "stationdesk.sqlite3"
SQLITE_HEADER = b"SQLite format 3\x00"


class StationPreview(NamedTuple):
    """What the login window shows before the database is opened."""

    name: str
    path: Path


def default_database_file() -> Path:
    """The SQLite file in the user data directory (not created here)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("StationDesk", appauthor=False)) / DEFAULT_FILE_NAME


def preview_station(target: str | os.PathLike[str] | None) -> StationPreview | None:
    """The station's name if ``target`` is an initialised SQLite file; None when in doubt."""
    if target is None:
        path = default_database_file()
    else:
        text = os.fspath(target).strip()
        if not text or "://" in text:
            return None
        path = Path(text).expanduser().resolve()
    try:
        with path.open("rb") as fh:
            if fh.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                return None
        if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
            return None  # opened first, to say so before anyone types a password
        con = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=1.0)
    except (OSError, sqlite3.Error):
        return None
    try:
        tables = {
            row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if not {"alembic_version", "stations"} <= tables:
            return None
        row = con.execute("SELECT name FROM stations WHERE id = 1").fetchone()
    except sqlite3.Error:
        return None
    finally:
        con.close()
    if row is None or not isinstance(row[0], str) or not row[0].strip():
        return None
    return StationPreview(row[0], path)
