"""A counter joins the station's server: 连接本所服务器 in the first-run wizard, tested before
it is saved, by keyboard alone; the next start opens the server; 本机设置 changes it later.
Against a real PostgreSQL server."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt, QTimer
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QDialog, QWidget, QWizard
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import make_url

import ui.application as application
from app.core import station_key
from app.core.crypto import recovery_groups
from app.core.database import open_database
from app.core.roles import Role
from app.officers.dto import NewOfficer
from app.services import Services, build_services
from app.station import workstation
from app.station.dto import StationSettings
from app.station.workstation import (
    ServerConnection,
    Workstation,
    load_password,
    load_workstation,
    save_workstation,
)
from tests.conftest import TEST_PASSWORD
from tests.pg_server import PgServer, pg_server  # noqa: F401  (the fixture)
from ui.dialogs import workstation_dialog
from ui.dialogs.server_dialog import ServerDialog, ServerPasswordDialog
from ui.dialogs.workstation_dialog import WorkstationDialog
from ui.first_run_wizard import SERVER_JOINED, FirstRunWizard
from ui.fonts import FONT_SIZES, STANDARD_POINTS, apply_font_size
from ui.key_dialog import KeyEntryDialog
from ui.widgets import screen_fit
from ui.widgets.screen_fit import room

STATION = "测试市公安局测试分局和平路派出所"


def ime_commit(widget: QWidget, text: str) -> None:
    """What an input method (拼音输入法) sends when the officer picks the characters."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


@pytest.fixture(autouse=True)
def _this_pc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """This PC's settings, keys and default data folder in the test's folder."""
    monkeypatch.setenv(workstation.CONFIG_DIR_ENV, str(tmp_path / "config"))
    monkeypatch.setenv(station_key.KEY_DIR_ENV, str(tmp_path / "keys"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


def _station_server(
    server: PgServer, *, initialized: bool = True
) -> tuple[str, ServerConnection, str]:
    """A migrated station database on the server: its URL, connection and password."""
    url = server.new_database("station")
    db = open_database(url)
    if initialized:
        build_services(db.sessions).station.initialize(
            StationSettings(name=STATION, code="HPL"),
            NewOfficer("100001", "王所长", Role.CHIEF, TEST_PASSWORD),
        )
    db.dispose()
    parsed = make_url(url)
    connection = ServerConnection(server.host, server.port, str(parsed.database), server.user)
    return url, connection, server.password


def _fill(dialog: ServerDialog, connection: ServerConnection, password: str) -> None:
    dialog.host_edit.setText(connection.host)
    dialog.port_edit.setText(str(connection.port))
    dialog.database_edit.setText(connection.database)
    dialog.user_edit.setText(connection.user)
    dialog.password_edit.setText(password)


def _dialog(qtbot: QtBot) -> ServerDialog:
    dialog = ServerDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def _saved_file() -> Path:
    return workstation.workstation_file()


def test_save_is_refused_until_the_values_passed_a_test(
    qtbot: QtBot,
    pg_server: PgServer,  # noqa: F811
) -> None:
    _url, connection, password = _station_server(pg_server)
    dialog = _dialog(qtbot)
    _fill(dialog, connection, "Wrong-Password")

    dialog.save_button.click()  # no 窗口号 yet: nothing is even tried

    assert dialog.errors.message_of("counter").startswith("请填写本机的窗口号")
    ime_commit(dialog.counter_edit, "户籍2")
    dialog.save_button.click()  # tested first: the server refuses the password

    assert dialog.errors.message_of("password").startswith("用户名或密码不正确")
    assert dialog.isVisible() and not _saved_file().exists()
    dialog.password_edit.setText(password)
    dialog.test_button.click()

    assert dialog.result_label.isVisible()
    assert dialog.result_label.text().startswith("连接成功")
    assert f"本所“{STATION}”已在服务器上建立" in dialog.result_label.text()
    dialog.port_edit.setText("1")  # another value: the finding no longer stands
    assert not dialog.result_label.isVisible()
    dialog.save_button.click()

    assert "拒绝了端口 1 上的连接" in dialog.errors.message_of("port")
    assert not _saved_file().exists()
    dialog.port_edit.setText(str(connection.port))
    dialog.save_button.click()

    assert dialog.result() == QDialog.DialogCode.Accepted
    assert load_workstation() == Workstation("户籍2", connection)
    assert load_password(connection) == password
    assert password not in _saved_file().read_text(encoding="utf-8")


def _press(qtbot: QtBot, key: Qt.Key) -> None:
    widget = QApplication.focusWidget()
    assert widget is not None
    qtbot.keyClick(widget, key)


def test_the_whole_dialog_by_keyboard(qtbot: QtBot, pg_server: PgServer) -> None:  # noqa: F811
    _url, connection, password = _station_server(pg_server)
    dialog = _dialog(qtbot)
    assert QApplication.focusWidget() is dialog.host_edit

    # Tab walks the fields in reading order; each field's text is selected on the way in,
    # so typing replaces the suggested value.
    for value in (connection.host, str(connection.port), connection.database, connection.user):
        qtbot.keyClicks(QApplication.focusWidget(), value)
        _press(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.password_edit
    qtbot.keyClicks(dialog.password_edit, password)
    _press(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.tls_check
    _press(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.counter_edit
    ime_commit(dialog.counter_edit, "1号窗口")
    order = []
    for _ in range(3):
        _press(qtbot, Qt.Key.Key_Tab)
        order.append(QApplication.focusWidget())
    assert order == [dialog.test_button, dialog.save_button, dialog.cancel_button]
    assert dialog.test_button.text() == "测试连接(&T)" and dialog.save_button.text() == "保存(&S)"
    dialog.counter_edit.setFocus()

    _press(qtbot, Qt.Key.Key_Return)  # Enter: 保存, which tests first

    assert dialog.result() == QDialog.DialogCode.Accepted
    assert load_workstation() == Workstation("1号窗口", connection)
    assert dialog.check is not None and dialog.check.initialized


def test_escape_cancels_and_keeps_nothing(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    ime_commit(dialog.counter_edit, "1号窗口")
    dialog.host_edit.setText("192.168.1.10")

    _press(qtbot, Qt.Key.Key_Escape)

    assert dialog.result() == QDialog.DialogCode.Rejected
    assert not _saved_file().exists()


def test_the_wizard_s_button_joins_the_server(
    qtbot: QtBot,
    services: Services,
    pg_server: PgServer,  # noqa: F811
) -> None:
    _url, connection, password = _station_server(pg_server)
    wizard = FirstRunWizard(services.station, services.auth)
    qtbot.addWidget(wizard)
    wizard.show()
    assert wizard.welcome_page.server_button.text() == "连接本所服务器（多窗口）(&C)"
    seen: list[QWidget] = []

    def join() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ServerDialog):
            QTimer.singleShot(20, join)
            return
        seen.append(dialog)
        _fill(dialog, connection, password)
        ime_commit(dialog.counter_edit, "出入境")
        dialog.save_button.click()

    QTimer.singleShot(0, join)
    wizard.welcome_page.server_button.click()

    assert seen and wizard.result() == SERVER_JOINED
    assert wizard.joined == Workstation("出入境", connection)
    assert not services.station.is_initialized()  # the local file is left as it was


def test_a_counter_that_joined_starts_on_the_server(
    qapp: QApplication,
    pg_server: PgServer,  # noqa: F811
) -> None:
    url, connection, password = _station_server(pg_server)
    save_workstation(Workstation("1号窗口", connection), password)

    target = application.start_target(None, demo=False)

    assert target is not None
    assert make_url(target).set(query={}) == make_url(url)
    assert application.start_target("other.sqlite3", demo=False) == "other.sqlite3"  # --db
    assert application.start_target(None, demo=True) is None
    opened = application._open_station(target, demo=False)
    assert opened is not None
    try:
        assert opened.db.file is None and opened.user is None  # the login window comes next
        assert opened.services.station.settings().name == STATION
    finally:
        opened.db.dispose()


def test_a_lost_password_is_asked_for_and_kept_again(
    qtbot: QtBot,
    pg_server: PgServer,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _url, connection, password = _station_server(pg_server)
    save_workstation(Workstation("1号窗口", connection), password)
    for file in (tmp_path / "keys").glob("server-*.password"):
        file.unlink()
    asked: list[str] = []

    def answer(dialog: ServerPasswordDialog) -> int:
        qtbot.addWidget(dialog)
        dialog.password_edit.setText("Wrong-Password")
        dialog.connect_server()
        asked.append(dialog.errors.message_of("password"))
        dialog.password_edit.setText(password)
        dialog.connect_server()
        return dialog.result()

    monkeypatch.setattr(ServerPasswordDialog, "exec", answer)

    target = application.start_target(None, demo=False)

    assert asked and asked[0].startswith("用户名或密码不正确")
    assert target is not None and make_url(target).password == password
    assert load_password(connection) == password


def test_the_first_counter_sets_the_station_up_on_the_server(
    qapp: QApplication,
    pg_server: PgServer,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, connection, password = _station_server(pg_server, initialized=False)
    runs: list[str] = []

    def exec_(wizard: FirstRunWizard) -> int:
        runs.append(wizard.windowTitle())
        if len(runs) == 1:  # the fresh PC: 连接本所服务器, saved by the dialog
            save_workstation(Workstation("所长室", connection), password)
            return SERVER_JOINED
        assert wizard.startId() == wizard.pageIds()[1]  # straight to the station's page
        wizard.station_page.name_edit.setText(STATION)
        wizard.station_page.code_edit.setText("HPL")
        wizard.finish_setup(NewOfficer("120001", "赵所长", Role.CHIEF, TEST_PASSWORD))
        return int(QWizard.DialogCode.Accepted.value)

    monkeypatch.setattr(FirstRunWizard, "exec", exec_)

    opened = application._open_station(None, demo=False)

    assert opened is not None
    try:
        assert opened.db.file is None and opened.user is not None
        assert opened.user.badge_no == "120001"
    finally:
        opened.db.dispose()
    assert runs[1].endswith(f"（本所服务器 {connection.display()}）")
    assert list((tmp_path / "data").rglob("*.sqlite3*")) == []  # the local file went
    on_server = open_database(url)
    try:
        assert build_services(on_server.sessions).station.settings().name == STATION
    finally:
        on_server.dispose()


def test_a_counter_without_the_station_key_enters_the_recovery_code(
    qtbot: QtBot,
    pg_server: PgServer,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, connection, password = _station_server(pg_server)
    [key_file] = list((tmp_path / "keys").glob("*.key"))
    key = station_key._decode(key_file.read_text())
    assert key is not None
    monkeypatch.setenv(station_key.KEY_DIR_ENV, str(tmp_path / "second-counter"))
    shown: list[str] = []

    def answer(dialog: KeyEntryDialog) -> int:
        qtbot.addWidget(dialog)
        shown.append(dialog.windowTitle())
        dialog.code_edit.setText(" ".join(recovery_groups(key)))
        dialog._on_ok()
        return dialog.result()

    monkeypatch.setattr(KeyEntryDialog, "exec", answer)

    db = application.open_with_key(connection.url(password))
    db.dispose()

    assert shown == ["录入本所密钥"]
    assert list((tmp_path / "second-counter").glob("*.key"))  # kept: asked only once
    open_database(url).dispose()


def test_workstation_dialog_changes_the_counter_at_once_and_the_server_after_a_restart(
    qtbot: QtBot,
    pg_server: PgServer,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _url, connection, password = _station_server(pg_server)
    save_workstation(Workstation("1号窗口", connection), password)
    told: list[str] = []
    monkeypatch.setattr(workstation_dialog, "show_info", lambda _p, text, _t: told.append(text))
    dialog = WorkstationDialog()
    qtbot.addWidget(dialog)
    assert dialog.server_check.isChecked() and dialog.host_edit.text() == connection.host
    assert dialog.password_edit.text() == ""  # the saved one is used unless another is typed
    dialog.counter_edit.clear()
    ime_commit(dialog.counter_edit, "2号窗口")

    dialog.save_button.click()

    assert dialog.result() == QDialog.DialogCode.Accepted
    assert load_workstation().counter == "2号窗口"
    assert not dialog.restart_needed and told == []
    other = _station_server(pg_server)[1]
    again = WorkstationDialog()
    qtbot.addWidget(again)
    again.database_edit.setText(other.database)
    again.save_button.click()  # another server needs its password typed

    assert again.errors.message_of("password").startswith("请填写密码")
    again.password_edit.setText(password)
    again.save_button.click()

    assert again.result() == QDialog.DialogCode.Accepted
    assert load_workstation() == Workstation("2号窗口", other)
    assert again.restart_needed and told and "重新启动" in told[0]


def test_workstation_dialog_on_a_single_counter_saves_the_counter_alone(qtbot: QtBot) -> None:
    dialog = WorkstationDialog()
    qtbot.addWidget(dialog)
    assert not dialog.server_check.isChecked() and not dialog.host_edit.isEnabled()
    ime_commit(dialog.counter_edit, "综合")

    dialog.save_button.click()

    assert load_workstation() == Workstation("综合", None)


@pytest.mark.parametrize("points", [points for _name, points in FONT_SIZES])
def test_the_dialogs_fit_the_counter_screen_at_every_font_size(
    qtbot: QtBot, qapp: QApplication, app_look: None, monkeypatch: pytest.MonkeyPatch, points: int
) -> None:
    monkeypatch.setattr(screen_fit, "available_area", lambda _widget: QRect(0, 0, 1366, 728))
    apply_font_size(qapp, points)
    try:
        for dialog in (ServerDialog(), WorkstationDialog()):
            qtbot.addWidget(dialog)
            dialog.show()
            qtbot.waitExposed(dialog)
            free = room(dialog)
            assert dialog.width() <= free.width() and dialog.height() <= free.height()
            for widget in (dialog.save_button, dialog.cancel_button, dialog.counter_edit):
                corner = widget.mapTo(dialog, widget.rect().bottomRight())
                assert dialog.rect().contains(corner)
            assert dialog.height() >= dialog.sizeHint().height()  # nothing squeezed
    finally:
        apply_font_size(qapp, STANDARD_POINTS)
