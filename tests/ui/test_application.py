"""Start-up wiring: a database that cannot be opened is one Chinese dialog and exit code 1."""

from __future__ import annotations

from pathlib import Path

import pytest

import ui.application as application


def test_unopenable_database_shows_one_chinese_message(
    qapp, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        application, "show_error", lambda _parent, message, title="": shown.append((title, message))
    )
    missing = tmp_path / "no-such-folder" / "station.sqlite3"
    assert application.run_gui(str(missing)) == 1
    assert len(shown) == 1
    title, message = shown[0]
    assert title == "无法打开数据库"
    assert "文件夹不存在" in message and str(missing.parent) in message
    assert not missing.parent.exists()


def test_newer_database_is_refused_before_anything_is_written(
    qapp, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    path = tmp_path / "newer.sqlite3"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
    con.execute("INSERT INTO alembic_version VALUES ('9999_future')")
    con.commit()
    con.close()
    before = con_dump(path)
    shown: list[str] = []
    monkeypatch.setattr(
        application, "show_error", lambda _p, message, title="": shown.append(message)
    )
    assert application.run_gui(str(path)) == 1
    assert shown and "更新版本" in shown[0]
    assert con_dump(path) == before


def con_dump(path: Path) -> list[str]:
    """Every statement that rebuilds the database: schema and rows."""
    import sqlite3

    con = sqlite3.connect(path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def test_the_program_has_its_icon_in_every_size_it_asks_for(qapp: object) -> None:
    icon = application.application_icon()
    assert not icon.isNull()
    sizes = {(s.width(), s.height()) for s in icon.availableSizes()}
    assert sizes == {(n, n) for n in application.ICON_SIZES}
