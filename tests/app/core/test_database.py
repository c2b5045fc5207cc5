"""open_database: every unusable location is refused in Chinese and left as it was."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from app.core.database import open_database
from app.core.errors import DatabaseProblem
from app.core.passwords import PasswordHashing
from app.core.roles import Role
from app.officers.dto import NewOfficer
from app.services import build_services
from app.station.dto import StationSettings
from db.migrate import current_revision, head_revision
from tests.app.helpers import has_chinese

RUNNING_AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def refused(target: object, **kwargs: bool) -> str:
    """The Chinese message open_database gives for ``target``."""
    with pytest.raises(DatabaseProblem) as caught:
        open_database(target, **kwargs)  # type: ignore[arg-type]
    message = caught.value.message
    assert has_chinese(message), message
    assert str(caught.value) == message
    return message


def foreign_database(path: Path) -> None:
    """A SQLite file written by another program: its own tables, no alembic_version."""
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT)")
    con.execute("INSERT INTO contacts (name) VALUES ('张三'), ('李四')")
    con.commit()
    con.close()


def test_a_folder_that_does_not_exist_is_refused_and_not_created(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "station.sqlite3"

    message = refused(target)

    assert "文件夹不存在" in message
    assert str(target.parent) in message
    assert not target.parent.exists()


def test_a_path_that_is_a_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()

    message = refused(folder)

    assert "文件夹" in message
    assert list(folder.iterdir()) == []


def test_a_file_that_is_not_a_database_is_refused_and_left_unchanged(tmp_path: Path) -> None:
    target = tmp_path / "notes.sqlite3"
    target.write_text("这不是数据库，只是一段随便写的文字。\nrandom text 12345\n", encoding="utf-8")
    original = target.read_bytes()

    message = refused(target)

    assert "不是" in message
    assert target.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.sqlite3"]


def test_a_missing_file_with_create_false_is_refused_and_not_created(tmp_path: Path) -> None:
    target = tmp_path / "station.sqlite3"

    message = refused(target, create=False)

    assert "找不到" in message
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kind", ["zero bytes", "an empty SQLite file"])
def test_an_empty_file_is_left_as_it_is_by_every_command_but_init(
    tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from app import cli

    path = tmp_path / "station.sqlite3"
    if kind == "zero bytes":
        path.write_bytes(b"")
    else:
        sqlite3.connect(path).execute("PRAGMA user_version = 0").connection.close()
    before = path.read_bytes()

    with pytest.raises(DatabaseProblem) as caught:
        open_database(path, create=False)
    assert "空的" in caught.value.message and "stationdesk init" in caught.value.message

    code = cli.main(["export", "statistics", "--from", "2026-11-01", "--db", str(path),
                     "--badge", "031001", "--out", str(tmp_path / "x.xlsx")])  # fmt: skip
    assert code != 0 and "空的" in capsys.readouterr().err
    assert path.read_bytes() == before  # not given a schema before the refusal
    assert sorted(p.name for p in tmp_path.iterdir()) == ["station.sqlite3"]

    # init still makes a station of it.
    open_database(path).dispose()
    assert current_revision_of(path) == head_revision()


def current_revision_of(path: Path) -> str | None:
    with sqlite3.connect(path) as con:
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    return row[0] if row else None


@pytest.mark.skipif(RUNNING_AS_ROOT, reason="root ignores file permissions")
def test_a_read_only_file_is_refused_and_left_unchanged(tmp_path: Path) -> None:
    target = tmp_path / "station.sqlite3"
    open_database(target).dispose()
    original = target.read_bytes()
    target.chmod(0o444)
    try:
        message = refused(target)
    finally:
        target.chmod(0o644)

    assert "不可写" in message or "只读" in message
    assert target.read_bytes() == original


def test_a_database_of_another_program_is_refused_with_its_tables_intact(
    tmp_path: Path,
) -> None:
    target = tmp_path / "contacts.db"
    foreign_database(target)

    message = refused(target)

    assert "其他程序" in message
    con = sqlite3.connect(target)
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert tables == {"contacts"}
        assert con.execute("SELECT name FROM contacts ORDER BY id").fetchall() == [
            ("张三",),
            ("李四",),
        ]
    finally:
        con.close()


def test_a_refused_database_of_another_program_is_byte_for_byte_unchanged(
    tmp_path: Path,
) -> None:
    target = tmp_path / "contacts.db"
    foreign_database(target)
    original = target.read_bytes()

    refused(target)

    con = sqlite3.connect(target)
    try:
        journal_mode = con.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        con.close()
    assert journal_mode == "delete"
    assert target.read_bytes() == original


def test_an_empty_location_is_refused() -> None:
    assert "不能为空" in refused("   ")


def test_an_unsupported_url_is_refused_without_showing_the_password() -> None:
    message = refused("postgresql+nosuchdriver://desk:s3cret-pw@server/ledger")

    assert "不支持" in message
    assert "s3cret-pw" not in message


def test_a_sqlite_url_opens_and_migrates_the_file_it_names(tmp_path: Path) -> None:
    target = tmp_path / "by-url.sqlite3"

    db = open_database(f"sqlite:///{target}")
    try:
        assert db.file == target
        assert db.location == str(target)
        assert current_revision(db.engine) == head_revision()
        services = build_services(db.sessions, hashing=PasswordHashing(1, 1024, 1))
        services.station.initialize(
            StationSettings(name="测试派出所", code="CS"),
            NewOfficer("900001", "测试所长", Role.CHIEF, "Secret123"),
        )
    finally:
        db.dispose()
    assert target.exists()

    # The same file opened by plain path sees what was written through the URL.
    again = open_database(target, create=False)
    try:
        assert build_services(again.sessions).station.is_initialized()
    finally:
        again.dispose()
