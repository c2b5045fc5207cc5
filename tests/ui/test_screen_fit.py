"""Dialogs fit the counter's screen (issue 20): clamped to the free area, long content
scrolls while the buttons stay visible, messages make room; and the notice editor by keys."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QVBoxLayout

from app.core.errors import DatabaseProblem
from app.core.identity import IdType
from app.core.roles import Role
from app.services import Services
from app.visits.dto import NewVisit
from tests.ui.test_notice_ui import sign
from ui.dialogs.notice_dialog import NoticeDialog
from ui.login_dialog import LoginDialog
from ui.widgets import screen_fit
from ui.widgets.screen_fit import fit_to_screen, room, scrolling


@pytest.fixture
def counter_screen(monkeypatch: pytest.MonkeyPatch) -> QRect:
    """A 1366×768 screen with a 40 px taskbar: 1366×728 free."""
    area = QRect(0, 0, 1366, 728)
    monkeypatch.setattr(screen_fit, "available_area", lambda _widget: area)
    return area


def _inside(dialog: QDialog, button: QPushButton) -> bool:
    corner = button.mapTo(dialog, button.rect().bottomRight())
    return dialog.rect().contains(corner) and button.isVisible()


def test_a_tall_dialog_is_clamped_to_the_free_area_and_its_content_scrolls(
    qtbot, counter_screen: QRect
) -> None:  # type: ignore[no-untyped-def]
    dialog = QDialog()
    qtbot.addWidget(dialog)
    body = QVBoxLayout()
    for n in range(60):
        body.addWidget(QLabel(f"第 {n + 1} 行"))
    ok = QPushButton("确定")
    layout = QVBoxLayout(dialog)
    layout.addWidget(scrolling(body), 1)
    layout.addWidget(ok)
    size = fit_to_screen(dialog, 900, 2000)
    free = room(dialog)
    assert size.height() == free.height() < counter_screen.height()
    assert free.width() <= counter_screen.width()
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.height() <= free.height()
    assert _inside(dialog, ok)


def _notice_dialog(qtbot, services: Services, make_officer) -> NoticeDialog:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW, "张伟")
    item = services.catalogue.list_items("HJ-QR-RC")[0]  # seven materials
    visit = services.visits.register(
        officer,
        NewVisit("王小明", IdType.RESIDENT, "11010519491231002X", "13805710011", item.item_id),
    )
    dialog = NoticeDialog(services.notices, officer, services.notices.draft(officer, visit.row.id))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()  # shortcuts act in the active window, as at the counter
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def test_the_notice_editor_fits_the_counter_screen_with_its_buttons_in_view(
    qtbot, services: Services, make_officer, counter_screen: QRect
) -> None:  # type: ignore[no-untyped-def]
    dialog = _notice_dialog(qtbot, services, make_officer)
    assert dialog.width() <= room(dialog).width() and dialog.height() <= room(dialog).height()
    assert _inside(dialog, dialog.issue_button)
    assert dialog.issue_button.text() == "出具告知单（Ctrl+Enter）"


def test_the_notice_materials_are_marked_by_keys_and_ctrl_enter_issues(
    qtbot, services: Services, make_officer
) -> None:  # type: ignore[no-untyped-def]
    dialog = _notice_dialog(qtbot, services, make_officer)
    table = dialog.table
    assert dialog.focusWidget() is table and table.currentRow() == 0
    header = table.horizontalHeaderItem(4)
    assert header is not None and "1 已提供" in header.toolTip()
    assert "1 已提供" in dialog.keys_hint.text()

    QTest.keyClick(table, Qt.Key.Key_2)
    QTest.keyClick(table, Qt.Key.Key_Down)
    QTest.keyClick(table, Qt.Key.Key_3)  # 需更正: the note opens for typing
    assert table.state() == table.State.EditingState
    editor = dialog.focusWidget()
    assert editor is not None
    QTest.keyClicks(editor, "demo")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    qtbot.wait(20)  # a turn of the event loop, as between two keys at the counter
    QTest.keyClick(table, Qt.Key.Key_Down)
    QTest.keyClick(table, Qt.Key.Key_2)
    QTest.keyClick(table, Qt.Key.Key_1)  # changed the officer's mind
    assert [dialog.state_of(r) for r in range(3)] == ["missing", "correction", "provided"]
    items = dialog.items()
    assert items[1].note == "demo"

    QTest.keyClick(table, Qt.Key.Key_Tab)  # Tab leaves the table for the deadline
    assert dialog.focusWidget() is dialog.deadline_check

    sign(qtbot, dialog.pad)
    QTest.keyClick(dialog.deadline_check, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.issued is not None, dialog.errors.general_message
    assert [i.state for i in dialog.issued.items[:2]] == ["missing", "correction"]


def test_esc_on_a_changed_notice_asks_and_closing_from_code_does_not(
    qtbot, services: Services, make_officer, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    asked: list[str] = []
    answer = [False]

    def confirm(_parent, message, *_args):  # type: ignore[no-untyped-def]
        asked.append(message)
        return answer[0]

    monkeypatch.setattr("ui.dialogs.notice_dialog.confirm", confirm)
    dialog = _notice_dialog(qtbot, services, make_officer)
    QTest.keyClick(dialog.table, Qt.Key.Key_Escape)  # nothing changed: closes at once
    assert not dialog.isVisible() and asked == []

    dialog = _notice_dialog(qtbot, services, make_officer)
    QTest.keyClick(dialog.table, Qt.Key.Key_2)
    QTest.keyClick(dialog.table, Qt.Key.Key_Escape)
    assert dialog.isVisible() and len(asked) == 1  # 取消 keeps the form
    answer[0] = True
    QTest.keyClick(dialog.table, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and len(asked) == 2

    dialog = _notice_dialog(qtbot, services, make_officer)
    QTest.mousePress(dialog.pad, Qt.MouseButton.LeftButton, pos=QPoint(30, 60))
    QTest.mouseMove(dialog.pad, QPoint(90, 80))
    QTest.mouseRelease(dialog.pad, Qt.MouseButton.LeftButton, pos=QPoint(120, 70))
    dialog.close()  # from code (the program closing, a test): no question
    assert not dialog.isVisible() and len(asked) == 2


def test_the_login_dialog_grows_with_a_long_message_instead_of_squashing_its_fields(
    qtbot, services: Services
) -> None:  # type: ignore[no-untyped-def]
    def fail():  # type: ignore[no-untyped-def]
        raise DatabaseProblem(
            "无法打开数据库：文件 D:/StationDesk/ledger.sqlite3 正被另一个程序占用，"
            "请关闭其他窗口后重试；如仍不行，请联系系统管理员。"
        )

    dialog = LoginDialog(fail, "和平路派出所")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    before = dialog.height()
    field_height = dialog.badge_edit.height()
    dialog.badge_edit.setText("031011")
    dialog.password_edit.setText("x")
    dialog.ok_button.click()
    qtbot.wait(50)
    assert "被另一个程序占用" in dialog.errors.general_message
    assert dialog.height() > before
    assert dialog.badge_edit.height() == field_height
    assert dialog.password_edit.height() == field_height
    assert _inside(dialog, dialog.ok_button)


def test_frozen_columns_follow_the_table_and_stay_in_view(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QTableView

    from ui.widgets.frozen_columns import FrozenColumns

    model = QStandardItemModel(30, 12)
    for row in range(30):
        for column in range(12):
            model.setItem(row, column, QStandardItem(f"{row}-{column}"))
    table = QTableView()
    # The table owns its model: a parentless model held only by this function's local was
    # deleted when the test returned, under a table pytest-qt still processed events for
    # (a segfault in a fresh-clone CI run, now and then, depending on when it was collected).
    model.setParent(table)
    table.setModel(model)
    qtbot.addWidget(table)
    frozen = FrozenColumns(table, 2)
    table.resize(500, 300)
    table.show()
    qtbot.waitExposed(table)
    table.setColumnWidth(1, 90)
    view = frozen.view
    assert [view.isColumnHidden(c) for c in range(4)] == [False, False, True, True]
    assert view.columnWidth(1) == 90
    rows = table.verticalHeader().width()
    assert view.width() == rows + table.columnWidth(0) + 90 + 2
    assert view.verticalHeader().width() == rows  # the row numbers line up
    table.horizontalScrollBar().setValue(table.horizontalScrollBar().maximum())
    table.verticalScrollBar().setValue(10)
    assert view.verticalScrollBar().value() == 10  # scrolls down with the table
    assert view.isVisible() and view.geometry().left() <= 1  # and never sideways


def test_frozen_columns_keep_the_services_order_of_a_sortable_table(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QSortFilterProxyModel, Qt
    from PySide6.QtGui import QStandardItem, QStandardItemModel

    from ui.models.row_table_model import SORT_ROLE
    from ui.widgets.frozen_columns import FrozenColumns
    from ui.widgets.tables import make_table

    model = QStandardItemModel(3, 4)
    for row, rank in enumerate(("1", "2", "3")):  # as the 红黑榜 comes: best first
        item = QStandardItem(rank)
        item.setData(int(rank), SORT_ROLE)
        model.setItem(row, 0, item)
        for column in range(1, 4):
            model.setItem(row, column, QStandardItem(f"{rank}-{column}"))
    from ui.models.filter_proxy_model import FilterProxyModel

    proxy = FilterProxyModel()
    proxy.setSourceModel(model)
    table = make_table(proxy, stretch_column=3)
    model.setParent(proxy)  # owned by what shows them, as above
    proxy.setParent(table)
    qtbot.addWidget(table)
    frozen = FrozenColumns(table, 2)  # kept: its filter lives as long as this test

    assert isinstance(table.model(), QSortFilterProxyModel)
    assert [table.model().index(r, 0).data() for r in range(3)] == ["1", "2", "3"]
    assert table.horizontalHeader().sortIndicatorSection() == -1 or (
        table.horizontalHeader().sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
    )
    assert frozen.view.model() is table.model()
