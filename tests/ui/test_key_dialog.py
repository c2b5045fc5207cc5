"""A counter without the station key asks for the recovery code once, then opens as usual."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.core import station_key
from app.core.crypto import new_key, recovery_groups
from app.core.database import open_database
from app.core.errors import DatabaseProblem
from ui.application import open_with_key
from ui.key_dialog import KeyEntryDialog


@pytest.fixture
def locked_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, bytes]:
    """A database made on another computer, and its key (which this computer lacks)."""
    monkeypatch.setenv(station_key.KEY_DIR_ENV, str(tmp_path / "first-pc"))
    path = tmp_path / "station.sqlite3"
    open_database(path).dispose()
    [key_file] = list((tmp_path / "first-pc").glob("*.key"))
    key = station_key._decode(key_file.read_text())
    assert key is not None
    monkeypatch.setenv(station_key.KEY_DIR_ENV, str(tmp_path / "this-pc"))
    return path, key


def answer(qtbot: QtBot, *codes: str) -> list[str]:
    """Type ``codes`` into the key dialog as it comes up, one per showing; the errors seen."""
    seen: list[str] = []
    pending = list(codes)

    def step() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, KeyEntryDialog):
            QTimer.singleShot(20, step)
            return
        if dialog.error_label.text():
            seen.append(dialog.error_label.text())
        if not pending:
            dialog.reject()
            return
        dialog.code_edit.setText(pending.pop(0))
        qtbot.keyClick(dialog.code_edit, Qt.Key.Key_Return)
        QTimer.singleShot(20, step)

    QTimer.singleShot(0, step)
    return seen


def test_a_wrong_group_is_named_and_the_right_code_opens_the_database(
    qtbot: QtBot, locked_out: tuple[Path, bytes]
) -> None:
    path, key = locked_out
    groups = recovery_groups(key)
    typo = [*groups[:3], "000000", *groups[4:]]
    seen = answer(qtbot, " ".join(typo), " ".join(recovery_groups(new_key())), " ".join(groups))

    db = open_with_key(path)
    db.dispose()

    assert any("第 4 组" in text for text in seen)
    assert any("不符" in text for text in seen)
    open_database(path).dispose()  # kept: no question the next time


def test_giving_up_says_why_in_chinese(qtbot: QtBot, locked_out: tuple[Path, bytes]) -> None:
    path, _key = locked_out
    answer(qtbot)

    with pytest.raises(DatabaseProblem, match="密钥恢复单"):
        open_with_key(path)
