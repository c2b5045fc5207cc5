"""更新说明 at the counter (issue 15): the dialog by keyboard and at every 字号, shown once after
the first login of an upgraded program (through the real start, ui.application.run_gui), and
from 帮助 → 更新说明."""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

import app.station.release_notes as rn
import ui.main_window
from app.core.dto import SessionUser
from app.core.roles import Role
from app.services import Services
from app.station.release_notes import (
    Announcement,
    ReleaseNote,
    current_version,
    load_notes,
    remember,
)
from tests.db.test_upgrade import make_0001_database
from ui import application
from ui.about_dialog import VERSION
from ui.dialogs.release_notes_dialog import (
    AGAIN_HINT,
    ReleaseNotesDialog,
    announce_upgrade,
    welcome_after_start,
)
from ui.fonts import FONT_SIZES, STANDARD_POINTS, apply_font_size
from ui.main_window import MainWindow
from ui.widgets.screen_fit import room

BACKUP = Path("/home/民警/.local/share/StationDesk/stationdesk.sqlite3.bak-20261204-081500-0019")


@pytest.fixture(autouse=True)
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "config"
    monkeypatch.setenv("STATIONDESK_CONFIG_DIR", str(folder))
    return folder


@pytest.fixture
def parent(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def upgrade_announcement() -> Announcement:
    return Announcement(current_version(), load_notes()[:1], BACKUP)


def test_the_about_box_names_the_version_the_notes_announce() -> None:
    assert current_version() == VERSION


def test_an_upgrade_shows_the_version_the_backup_and_every_item(
    qtbot: QtBot, parent: QWidget
) -> None:
    told = upgrade_announcement()
    dialog = ReleaseNotesDialog(told.notes, parent, told)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.windowTitle() == "更新说明"
    assert dialog.title.text() == f"派出所窗口服务台账已升级到 {current_version()}"
    text = dialog.browser.toPlainText()
    assert f"升级前已自动备份数据库到：{BACKUP}" in text
    for item in told.notes[0].items:
        assert item in text
    assert told.notes[0].heading() in text
    assert dialog.hint.isVisible() and dialog.hint.text() == AGAIN_HINT
    assert dialog.focusWidget() is dialog.ok_button and dialog.ok_button.text() == "知道了"


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Enter])
def test_enter_closes_it(qtbot: QtBot, parent: QWidget, key: Qt.Key) -> None:
    told = upgrade_announcement()
    dialog = ReleaseNotesDialog(told.notes, parent, told)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClick(dialog.focusWidget(), key)
    assert dialog.result() == ReleaseNotesDialog.DialogCode.Accepted
    assert not dialog.isVisible()


def test_esc_closes_it_too(qtbot: QtBot, parent: QWidget) -> None:
    dialog = ReleaseNotesDialog(load_notes(), parent)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_page_down_scrolls_the_notes_while_the_focus_stays_on_the_button(
    qtbot: QtBot, parent: QWidget
) -> None:
    many = (ReleaseNote("9.0.0", "2030-01-01", tuple(f"第 {i} 项变化" for i in range(80))),)
    dialog = ReleaseNotesDialog(many, parent)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()  # shortcuts act in the active window, as at the counter
    qtbot.waitUntil(dialog.isActiveWindow)
    bar = dialog.browser.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == 0
    qtbot.keyClick(dialog.ok_button, Qt.Key.Key_PageDown)
    assert bar.value() > 0
    qtbot.keyClick(dialog.ok_button, Qt.Key.Key_PageUp)
    assert bar.value() == 0
    qtbot.keyClick(dialog.ok_button, Qt.Key.Key_Down)
    assert bar.value() > 0
    assert dialog.isVisible() and dialog.focusWidget() is dialog.ok_button


def test_the_menu_s_notes_list_every_version_without_the_upgrade_lines(
    qtbot: QtBot, parent: QWidget
) -> None:
    dialog = ReleaseNotesDialog(load_notes(), parent)
    qtbot.addWidget(dialog)
    text = dialog.browser.toPlainText()
    assert dialog.title.text() == f"派出所窗口服务台账更新说明（当前版本 {current_version()}）"
    for note in load_notes():
        assert note.heading() in text
    assert "备份" not in text.split(load_notes()[0].heading())[0]
    assert not dialog.hint.isVisibleTo(dialog)


@pytest.mark.parametrize(("label", "points"), FONT_SIZES)
def test_it_fits_the_counter_screen_at_every_font_size(
    qtbot: QtBot, parent: QWidget, app_look: None, label: str, points: int
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_font_size(app, points)
    try:
        told = upgrade_announcement()
        dialog = ReleaseNotesDialog(told.notes, parent, told)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        free = room(dialog)
        assert dialog.width() <= free.width() and dialog.height() <= free.height()
        assert dialog.width() >= dialog.minimumSizeHint().width()
        assert dialog.title.width() >= dialog.title.sizeHint().width(), label
        assert dialog.ok_button.isVisible()
        assert dialog.ok_button.width() >= dialog.ok_button.sizeHint().width()
        # Wider at a larger 字号 (up to the screen), so a line keeps about as many characters.
        assert dialog.width() >= min(
            free.width(), 40 * dialog.fontMetrics().horizontalAdvance("汉")
        )
    finally:
        apply_font_size(app, STANDARD_POINTS)


# ---- shown once, from the start --------------------------------------------------------------


def test_announce_upgrade_shows_once_and_then_never(
    qtbot: QtBot, parent: QWidget, monkeypatch: pytest.MonkeyPatch
) -> None:
    remember("0.0.1")
    shown: list[str] = []
    monkeypatch.setattr(
        ReleaseNotesDialog, "exec", lambda self: shown.append(self.browser.toPlainText()) or 1
    )
    assert announce_upgrade(parent, BACKUP)
    assert not announce_upgrade(parent, BACKUP)  # a colleague logging in at the same start
    assert not announce_upgrade(parent, None)  # the next start
    assert len(shown) == 1 and str(BACKUP) in shown[0]


def test_a_fresh_install_shows_nothing_and_the_tour_still_comes(
    qtbot: QtBot, services: Services, make_officer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(ReleaseNotesDialog, "exec", lambda self: pytest.fail("notes shown"))
    toured: list[str] = []
    monkeypatch.setattr(MainWindow, "show_tour", lambda self: toured.append("tour"))
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    officer = make_officer(Role.WINDOW, "张伟")
    window = MainWindow(services, officer, "/tmp/x.sqlite3", settings, today=dt.date(2026, 12, 4))
    qtbot.addWidget(window)
    welcome_after_start(window, None)
    assert toured == ["tour"]
    assert rn.load_seen().version == current_version()


def test_a_broken_notes_file_never_stops_the_start(
    qtbot: QtBot, parent: QWidget, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> tuple[ReleaseNote, ...]:
        raise rn.ReleaseNotesProblem("无法读取更新说明文件")

    monkeypatch.setattr(rn, "load_notes", broken)
    assert announce_upgrade(parent, BACKUP) is False


class FakeWindow(QWidget):
    """The main window's part the start touches; it counts its tours."""

    tours: list[str] = []  # noqa: RUF012  (shared by the test's windows)
    logout_requested = False

    def __init__(self, _services: object, user: SessionUser, *_args: object) -> None:
        super().__init__()
        self.setWindowTitle("派出所窗口服务台账")

    def offer_tour(self) -> None:
        FakeWindow.tours.append("tour")


def test_the_real_start_shows_the_notes_once_after_an_upgrade(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "station.sqlite3"
    make_0001_database(path)  # a station the first release left
    remember("0.0.1")  # and this PC showed that release's notes
    chief = SessionUser(1, "100001", "王所长", Role.CHIEF)
    opened: list[object] = []

    def log_in(station, _preview, _hint):  # type: ignore[no-untyped-def]
        station.auth()  # the database is opened (and migrated) at the login
        opened.append(station.db)
        return chief if len(opened) == 1 else None

    FakeWindow.tours = []
    seen: list[str] = []

    def close_notes() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, ReleaseNotesDialog) and widget.isVisible():
                seen.append(f"{widget.title.text()}\n{widget.browser.toPlainText()}")
                assert isinstance(widget.parentWidget(), FakeWindow)
                focus = widget.focusWidget()
                assert focus is widget.ok_button
                qtbot.keyClick(focus, Qt.Key.Key_Return)

    driver = QTimer()
    driver.setInterval(50)
    driver.timeout.connect(close_notes)
    driver.start()

    def run_until_the_tour(*_args: object) -> int:
        deadline = time.monotonic() + 20
        while not FakeWindow.tours and time.monotonic() < deadline:
            QApplication.processEvents()
            time.sleep(0.01)
        return 0

    monkeypatch.setattr(application, "_log_in", log_in)
    monkeypatch.setattr(ui.main_window, "MainWindow", FakeWindow)
    monkeypatch.setattr(QApplication, "exec", run_until_the_tour)
    monkeypatch.setattr(application, "start_daily_backup", lambda *_a: None)
    ini = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    monkeypatch.setattr(application, "QSettings", lambda: ini)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # run_gui installs its own
    try:
        assert application.run_gui(str(path)) == 0
        backup = opened[0].backup  # type: ignore[attr-defined]
        assert backup is not None and backup.exists()
        assert len(seen) == 1 and FakeWindow.tours == ["tour"]
        assert f"派出所窗口服务台账已升级到 {current_version()}" in seen[0]
        assert f"升级前已自动备份数据库到：{backup}" in seen[0]
        assert load_notes()[0].items[0] in seen[0]

        # The second start: the database is current, the notes were shown: only the tour.
        opened.clear()
        FakeWindow.tours = []
        assert application.run_gui(str(path)) == 0
        assert opened[0].backup is None  # type: ignore[attr-defined]
        assert len(seen) == 1 and FakeWindow.tours == ["tour"]
    finally:
        driver.stop()
        apply_font_size(QApplication.instance(), STANDARD_POINTS)  # type: ignore[arg-type]


# ---- 帮助 → 更新说明 --------------------------------------------------------------------------


def test_the_help_menu_opens_every_version_s_notes(
    qtbot: QtBot,
    services: Services,
    chief: SessionUser,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shown: list[ReleaseNotesDialog] = []
    monkeypatch.setattr(ReleaseNotesDialog, "exec", lambda self: shown.append(self) or 1)
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    window = MainWindow(services, chief, "/tmp/x.sqlite3", settings, today=dt.date(2026, 12, 4))
    qtbot.addWidget(window)
    window.show()
    help_menu = next(
        a.menu() for a in window.menuBar().actions() if a.text() == "帮助(&H)" and a.menu()
    )
    texts = [a.text() for a in help_menu.actions()]
    assert "更新说明…" in texts
    assert texts.index("更新说明…") < texts.index("关于…")
    next(a for a in help_menu.actions() if a.text() == "更新说明…").trigger()
    assert len(shown) == 1
    dialog = shown[0]
    assert dialog.parentWidget() is window
    text = dialog.browser.toPlainText()
    for note in load_notes():
        assert note.heading() in text and note.items[-1] in text


def test_a_migration_without_a_new_version_names_only_the_backup(
    qtbot: QtBot, parent: QWidget
) -> None:
    told = Announcement(current_version(), (), BACKUP)  # e.g. an older copy opened with --db
    dialog = ReleaseNotesDialog(told.notes, parent, told)
    qtbot.addWidget(dialog)
    assert dialog.title.text() == f"数据库已更新为 {current_version()} 版的结构"
    text = dialog.browser.toPlainText()
    assert text.strip() == f"更新前已自动备份数据库到：{BACKUP}"
