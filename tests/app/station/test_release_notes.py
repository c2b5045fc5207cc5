"""更新说明 (issue 15): the shipped notes, which of them a start shows, and what this PC
remembers having shown (a fresh install is told nothing; an upgrade once; a broken file never
stops the start)."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import stat
import tomllib
from pathlib import Path

import pytest

import app.station.release_notes as rn
from app.core.database import open_database
from app.services import build_services
from app.station.release_notes import (
    Announcement,
    ReleaseNote,
    announced,
    current_version,
    load_notes,
    load_seen,
    notes_since,
    parse_notes,
    pending,
    remember,
    seen_file,
    version_key,
)
from db.migrate import head_revision
from tests.db.test_upgrade import make_0001_database

ROOT = Path(__file__).resolve().parents[3]
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")
ALLOWED_LATIN = {"Ctrl", "Shift", "Enter", "Esc", "StationDesk"}
FAKE = (
    ReleaseNote("0.3.0", "2027-03-01", ("第三版的变化",)),
    ReleaseNote("0.2.0", "2027-02-01", ("第二版的变化",)),
    ReleaseNote("0.1.0", "2027-01-01", ("第一版的变化",)),
)


@pytest.fixture(autouse=True)
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This PC's settings in a folder of the test's own."""
    folder = tmp_path / "config"
    monkeypatch.setenv("STATIONDESK_CONFIG_DIR", str(folder))
    return folder


@pytest.fixture
def fake_notes(monkeypatch: pytest.MonkeyPatch) -> tuple[ReleaseNote, ...]:
    """The program is 0.3.0, with the three notes above."""
    monkeypatch.setattr(rn, "load_notes", lambda: FAKE)
    return FAKE


# ---- the shipped notes -----------------------------------------------------------------------


def test_the_shipped_notes_are_newest_first_and_name_the_program_s_version() -> None:
    notes = load_notes()
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert current_version() == notes[0].version == pyproject["project"]["version"]
    keys = [version_key(n.version) for n in notes]
    assert keys == sorted(keys, reverse=True) and len(set(keys)) == len(keys)
    assert len(notes) >= 2


def test_the_shipped_notes_are_short_chinese_sentences() -> None:
    for note in load_notes():
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", note.date)
        assert "年" in note.heading() and note.version in note.heading()
        for item in note.items:
            assert re.search(r"[\u4e00-\u9fff]", item), item
            assert len(item) <= 120, item
            assert set(ENGLISH_WORD.findall(item)) <= ALLOWED_LATIN, item


def test_the_resources_package_ships_the_notes() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "*.json" in pyproject["tool"]["setuptools"]["package-data"]["resources"]
    assert rn.NOTES_FILE.parent == ROOT / "resources"


# ---- versions and which notes ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("older", "newer"),
    [("0.1.0", "0.2.0"), ("0.9.9", "0.10.0"), ("0.1", "0.1.1"), ("1.9", "10.0"), ("0.0.2", "0.1")],
)
def test_versions_compare_as_numbers(older: str, newer: str) -> None:
    assert version_key(older) < version_key(newer)


def test_trailing_zeros_do_not_make_another_version() -> None:
    assert version_key("0.1.0") == version_key("0.1") == version_key(" 0.1.0 ")


@pytest.mark.parametrize(
    "text", ["", "v0.1.0", "0.1.0rc1", "0..1", "一.二", "1.2.3.4.5", "0.1-dev"]
)
def test_anything_else_is_not_a_version(text: str) -> None:
    with pytest.raises(ValueError):
        version_key(text)


def test_notes_since_a_version_are_the_newer_ones_newest_first() -> None:
    assert [n.version for n in notes_since("0.1.0", FAKE)] == ["0.3.0", "0.2.0"]
    assert [n.version for n in notes_since("0.2", FAKE)] == ["0.3.0"]
    assert [n.version for n in notes_since("0.0.9", FAKE)] == ["0.3.0", "0.2.0", "0.1.0"]
    assert notes_since("0.3.0", FAKE) == ()
    assert notes_since("0.4.0", FAKE) == ()  # a newer program ran here before


def test_an_unknown_earlier_version_gets_the_newest_notes_only() -> None:
    assert [n.version for n in notes_since(None, FAKE)] == ["0.3.0"]
    assert [n.version for n in notes_since("最新版", FAKE)] == ["0.3.0"]


@pytest.mark.parametrize(
    "data",
    [
        [],
        {"version": "0.1.0"},
        [{"version": "0.1.0", "date": "2026-12-04", "items": []}],
        [{"version": "0.1.0", "date": "2026年12月4日", "items": ["变化"]}],
        [{"version": "0.1.0", "date": "2026-12-04", "items": ["  "]}],
        [{"version": "v1", "date": "2026-12-04", "items": ["变化"]}],
        [
            {"version": "0.1.0", "date": "2026-11-01", "items": ["旧"]},
            {"version": "0.2.0", "date": "2026-12-04", "items": ["新"]},
        ],
        [
            {"version": "0.1.0", "date": "2026-12-04", "items": ["甲"]},
            {"version": "0.1", "date": "2026-12-04", "items": ["乙"]},
        ],
    ],
)
def test_notes_out_of_order_or_incomplete_are_refused(data: object) -> None:
    with pytest.raises(ValueError):
        parse_notes(data)


def test_a_missing_notes_file_is_one_chinese_sentence(tmp_path: Path) -> None:
    with pytest.raises(rn.ReleaseNotesProblem, match="无法读取更新说明文件"):
        load_notes(tmp_path / "none.json")


# ---- what a start shows ----------------------------------------------------------------------


def test_a_fresh_install_records_its_version_silently(fake_notes: object) -> None:
    assert not seen_file().exists()
    assert pending(None) is None
    assert load_seen().version == "0.3.0"
    assert pending(None) is None


def test_an_upgrade_is_told_once_with_the_notes_since_the_last_shown(
    fake_notes: object, tmp_path: Path
) -> None:
    remember("0.1.0")
    backup = tmp_path / "station.sqlite3.bak-20270301-before-0020"
    first = pending(backup)
    assert first is not None and first.upgraded
    assert [n.version for n in first.notes] == ["0.3.0", "0.2.0"]
    assert first.backup == backup
    upgraded = "派出所窗口服务台账已升级到 0.3.0。"
    assert first.summary() == f"{upgraded}升级前已自动备份数据库到：{backup}"
    assert pending(backup) == first  # not yet shown (the start stopped before): again
    announced(first)
    assert pending(backup) is None  # the same start's second login
    assert pending(None) is None  # the next start
    assert load_seen().version == "0.3.0"


def test_an_upgrade_without_a_backup_says_so_without_one(fake_notes: object) -> None:
    remember("0.2.0")  # a server's database was upgraded by the administrator, not here
    told = pending(None)
    assert told is not None
    assert [n.version for n in told.notes] == ["0.3.0"]
    assert told.summary() == "派出所窗口服务台账已升级到 0.3.0。"
    announced(told)
    assert pending(None) is None


def test_an_upgrade_from_a_release_that_kept_no_record_shows_the_current_notes(
    fake_notes: object, tmp_path: Path
) -> None:
    backup = tmp_path / "before.bak"
    told = pending(backup)  # nothing remembered, but this start migrated the database
    assert told == Announcement("0.3.0", FAKE[:1], backup)
    announced(told)
    assert pending(None) is None


def test_a_migration_within_the_same_version_only_names_the_backup(
    fake_notes: object, tmp_path: Path
) -> None:
    remember("0.3.0")
    backup = tmp_path / "old-copy.bak"  # e.g. an older file opened with --db
    told = pending(backup)
    assert told is not None and not told.upgraded and told.notes == ()
    assert told.summary() == f"数据库已更新为 0.3.0 版的结构。更新前已自动备份数据库到：{backup}"
    announced(told)
    assert pending(backup) is None
    other = tmp_path / "another.bak"
    assert pending(other) == Announcement("0.3.0", (), other)


def test_an_older_program_after_a_newer_one_tells_nothing(fake_notes: object) -> None:
    remember("0.4.0")
    assert pending(None) is None
    assert load_seen().version == "0.3.0"  # a later upgrade to 0.4.0 is told again


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"",
        b"\xff\xfe\x00garbage",
        b"[]",
        b'{"version": 3}',
        b'{"version": "next"}',
        b'{"format": 1}',
        b'{"version": "0.2.0", "backup": 7}',
    ],
)
def test_a_damaged_record_shows_the_current_notes_once_more_and_is_repaired(
    fake_notes: object, config_dir: Path, content: bytes
) -> None:
    config_dir.mkdir()
    seen_file().write_bytes(content)
    told = pending(None)  # the program ran here before: not a fresh install
    assert told is not None and [n.version for n in told.notes] == ["0.3.0"]
    announced(told)
    assert json.loads(seen_file().read_text(encoding="utf-8"))["version"] == "0.3.0"
    assert pending(None) is None


def test_the_record_is_written_whole_and_owner_only(fake_notes: object, config_dir: Path) -> None:
    backup = Path("/数据/本所 台账.sqlite3.bak")
    assert remember("0.3.0", backup)
    data = json.loads(seen_file().read_text(encoding="utf-8"))
    assert data == {"format": 1, "version": "0.3.0", "backup": str(backup)}
    assert os.listdir(config_dir) == [seen_file().name]  # no temporary file left
    if os.name == "posix":
        assert stat.S_IMODE(seen_file().stat().st_mode) == 0o600
        assert stat.S_IMODE(config_dir.stat().st_mode) == 0o700


def test_a_failed_write_keeps_the_old_record_and_leaves_no_part_file(
    fake_notes: object, config_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    remember("0.1.0")
    before = seen_file().read_bytes()

    def no_rename(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("app.exports.files.os.replace", no_rename)
    assert remember("0.3.0") is False
    assert seen_file().read_bytes() == before
    assert os.listdir(config_dir) == [seen_file().name]
    told = pending(None)  # still shown: it could not be remembered
    assert told is not None
    announced(told)  # logged, never raised
    monkeypatch.undo()


def test_a_config_folder_that_cannot_be_made_never_stops_the_start(
    fake_notes: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("STATIONDESK_CONFIG_DIR", str(blocker / "config"))
    assert pending(None) is None  # a fresh install that could not be recorded: still silent
    assert remember("0.3.0") is False


# ---- a real upgrade --------------------------------------------------------------------------


def test_an_old_database_opened_by_this_program_is_kept_backed_up_and_announced(
    tmp_path: Path,
) -> None:
    path = tmp_path / "station.sqlite3"
    make_0001_database(path)  # a station as the first release left it
    remember("0.0.1")  # this PC last showed the first internal release's notes

    db = open_database(path)
    try:
        assert build_services(db.sessions).station.settings().name == "旧版派出所"
        told = pending(db.backup)
    finally:
        db.dispose()

    assert db.backup is not None and db.backup.exists()
    assert db.backup.name.startswith("station.sqlite3.bak-")
    assert db.backup.name.endswith(f"before-{head_revision()}")
    old = sqlite3.connect(db.backup)
    try:
        assert old.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        assert old.execute("SELECT name FROM stations").fetchone() == ("旧版派出所",)
    finally:
        old.close()
    assert told is not None and told.backup == db.backup
    assert told.version == current_version()
    assert [n.version for n in told.notes] == [
        n.version for n in load_notes() if version_key(n.version) > version_key("0.0.1")
    ]
    assert f"升级前已自动备份数据库到：{db.backup}" in told.summary()
    announced(told)

    again = open_database(path)  # the second start: nothing migrated, nothing to tell
    try:
        assert again.backup is None
        assert pending(again.backup) is None
    finally:
        again.dispose()
