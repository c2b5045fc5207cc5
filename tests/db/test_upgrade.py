"""A station's database from an older release upgrades with its data, after a backup copy."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command

from app.core.database import open_database
from app.services import build_services
from db.engine import make_engine
from db.migrate import alembic_config, current_revision, head_revision


def make_0001_database(path: Path) -> None:
    """A database at revision 0001 with a station and an officer, as the first release left it."""
    engine = make_engine(f"sqlite:///{path}")
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    engine.dispose()
    con = sqlite3.connect(path)
    con.execute(
        "INSERT INTO stations (id, name, code, address, hours, phone_consult, phone_supervision,"
        " phone_12389, phone_12345, paper_size, timezone, lockout_attempts, lockout_minutes,"
        " created_at) VALUES (1, '旧版派出所', 'OLD', '', '', '', '', '12389', '12345', 'A5',"
        " 'Asia/Shanghai', 5, 15, '2026-01-01 00:00:00')"
    )
    con.execute(
        "INSERT INTO officers (badge_no, name, role, phone, password_hash, must_change_password,"
        " active, failed_attempts, created_at) VALUES ('100001', '王所长', 'chief', '', 'x', 0, 1,"
        " 0, '2026-01-01 00:00:00')"
    )
    con.commit()
    con.close()


def test_an_old_database_upgrades_with_its_data_after_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "station.sqlite3"
    make_0001_database(path)

    db = open_database(path)
    try:
        assert current_revision(db.engine) == head_revision() != "0001"
        assert db.backup is not None and db.backup.exists()
        assert build_services(db.sessions).station.settings().name == "旧版派出所"
    finally:
        db.dispose()

    backup = sqlite3.connect(db.backup)
    try:
        assert backup.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        assert backup.execute("SELECT name FROM stations").fetchone() == ("旧版派出所",)
    finally:
        backup.close()
