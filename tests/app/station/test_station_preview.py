"""The station's name read from its file before the database is opened (the login window)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.core import database
from app.core.database import Database
from app.core.dto import SessionUser
from app.station.preview import StationPreview, default_database_file, preview_station


def test_an_initialised_station_is_named_without_opening_the_database(
    db: Database, db_path: Path, chief: SessionUser
) -> None:
    preview = preview_station(str(db_path))

    assert preview == StationPreview("测试市公安局测试分局和平路派出所", db_path.resolve())


def test_anything_unusual_has_no_preview(db: Database, db_path: Path, tmp_path: Path) -> None:
    # Not initialised (the first-run wizard comes first), missing, not SQLite, a URL, empty.
    assert preview_station(str(db_path)) is None
    assert preview_station(str(tmp_path / "missing.sqlite3")) is None
    text = tmp_path / "notes.txt"
    text.write_text("不是数据库", encoding="utf-8")
    assert preview_station(str(text)) is None
    assert preview_station(f"sqlite:///{db_path}") is None
    assert preview_station("  ") is None
    foreign = tmp_path / "foreign.sqlite3"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE stations (id INTEGER PRIMARY KEY, name TEXT)")
    con.execute("INSERT INTO stations VALUES (1, '别的程序')")
    con.commit()
    con.close()
    assert preview_station(str(foreign)) is None  # no alembic_version: not ours


def test_the_default_file_is_the_one_the_database_opens(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))

    assert default_database_file() == database.default_database_path()
