"""A walk-in from the main window to a printed receipt by keys alone, counted (issue 20).

The real logged-in main window is driven with key events only: no mouse and no calls on its
widgets. Each key goes to whatever has the keyboard focus at that moment, in whichever window
(the registration form, the print preview, Qt's print dialog) is in front, exactly as at the
counter. Keys that carry the citizen's data (the ID number, the name through the input method,
the phone, the matter's pinyin) are not counted; every other key is, and the walk-in must take
at most ten. The printer is the only thing replaced: its driver receives the PDF here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app.core.dto import SessionUser
from app.core.roles import Role
from app.services import Services
from app.visits.rules import VisitStatus
from tests.ui.test_intake import ime_commit
from ui.main_window import MainWindow

ID_NUMBER = "11010519491231002X"
PHONE = "13805710011"
RECEIPT_KEYS = 10  # the limit beyond the data


@dataclass
class Step:
    """One key (counted unless it carries data) or a piece of data, sent when ``ready``."""

    send: Callable[[QWidget], None]
    counted: bool
    label: str
    ready: Callable[[], bool] = lambda: True


@dataclass
class KeyDriver:
    """Sends the steps one by one to the focus widget, from a timer (modal loops included)."""

    qtbot: object
    steps: list[Step]
    sent: list[str] = field(default_factory=list)
    counted: int = 0
    failure: str = ""

    def start(self, limit_ms: int = 25_000) -> None:
        # A watchdog: whatever happens, the windows left open are closed in time, so the
        # test fails with what was sent instead of hanging in a modal loop.
        def late() -> None:
            if not self.failure and (self.steps or QApplication.activeModalWidget()):
                front = QApplication.activeModalWidget()
                said = front.text() if isinstance(front, QMessageBox) else ""
                self.failure = f"not finished in {limit_ms} ms; in front: {front!r} {said}"
            self._timer.stop()
            unwind()

        QTimer.singleShot(limit_ms, late)
        self._timer = QTimer()
        self._timer.setInterval(40)
        self._timer.timeout.connect(self._tick)
        self._waited = 0
        self._timer.start()

    def done(self) -> bool:
        return not self.steps or bool(self.failure)

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        if not self.steps:
            self._timer.stop()
            return
        step = self.steps[0]
        ready = step.ready()  # first: it may bring a window to the front
        target = QApplication.focusWidget()
        if target is None or not ready:
            self._waited += 1
            if self._waited > 250:  # 10 s
                modal = QApplication.activeModalWidget()
                self.failure = (
                    f"never ready for {step.label} (focus: {target!r}, in front: {modal!r}, "
                    f"active: {QApplication.activeWindow()!r})"
                )
                self._timer.stop()
                unwind()
            return
        self._waited = 0
        self.steps.pop(0)
        self.sent.append(f"{step.label} → {type(target).__name__}")
        if step.counted:
            self.counted += 1
        # Sent from its own turn of the event loop: a key that opens a modal window (whose
        # loop runs until it closes) must not hold up the driver's timer.
        QTimer.singleShot(0, lambda: step.send(target))


def unwind() -> None:
    """Close every window left in front (reject, then hide)."""
    for _ in range(10):
        modal = QApplication.activeModalWidget()
        if modal is None:
            return
        modal.close()
        if QApplication.activeModalWidget() is modal:
            modal.hide()


def key(
    k: Qt.Key,
    label: str,
    mods: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
    ready: Callable[[], bool] = lambda: True,
) -> Step:
    from PySide6.QtTest import QTest

    return Step(lambda w: QTest.keyClick(w, k, mods), True, label, ready)


def data(text: str, ready: Callable[[], bool] = lambda: True) -> Step:
    from PySide6.QtTest import QTest

    def send(widget: QWidget) -> None:
        if text.isascii():
            QTest.keyClicks(widget, text)
        else:
            ime_commit(widget, text)  # Chinese arrives from the input method

    return Step(send, False, f"data {text!r}", ready)


def modal_named(name: str) -> Callable[[], bool]:
    def ready() -> bool:
        modal = QApplication.activeModalWidget()
        return modal is not None and type(modal).__name__ == name and modal.isActiveWindow()

    return ready


def focus_in(name: str) -> Callable[[], bool]:
    def ready() -> bool:
        modal = QApplication.activeModalWidget()
        return modal is not None and type(modal).__name__ == name and modal.isActiveWindow()

    return ready


@pytest.fixture
def qsettings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def printed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[bytes]:
    """The station's printer: installed, chosen in Qt's own print dialog, and its driver
    receives the pages (the PDFs sent to it, in order)."""
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    pages: list[bytes] = []
    monkeypatch.setattr("ui.print_preview_dialog.printer_installed", lambda: True)
    monkeypatch.setattr(
        "ui.print_preview_dialog.print_pdf", lambda pdf, _printer: pages.append(pdf)
    )

    class StationPrintDialog(QPrintDialog):
        """Qt's print dialog as at the counter, its printer chosen (here: a file)."""

        def __init__(self, printer: QPrinter, parent: QWidget) -> None:
            printer.setOutputFileName(str(tmp_path / "printer.pdf"))
            super().__init__(printer, parent)

    monkeypatch.setattr("ui.print_preview_dialog.QPrintDialog", StationPrintDialog)
    return pages


def test_a_walk_in_to_a_printed_receipt_takes_at_most_ten_keys_beyond_the_data(
    qtbot, services: Services, make_officer, qsettings: QSettings, printed: list[bytes]
) -> None:  # type: ignore[no-untyped-def]
    officer: SessionUser = make_officer(Role.WINDOW, "张伟")
    window = MainWindow(services, officer, "db", qsettings, today=dt.date(2026, 11, 20))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()  # what the window manager does when the program starts
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)

    in_form = modal_named("RegistrationDialog")
    steps = [
        key(Qt.Key.Key_F2, "F2 新登记"),
        data(ID_NUMBER, ready=in_form),
        key(Qt.Key.Key_Tab, "Tab"),
        data("李四光"),
        key(Qt.Key.Key_Tab, "Tab"),
        data(PHONE),
        key(Qt.Key.Key_Tab, "Tab"),
        data("sfzsl"),  # the matter by its pinyin initials
        key(Qt.Key.Key_Return, "Ctrl+Enter 登记并受理", Qt.KeyboardModifier.ControlModifier),
        key(Qt.Key.Key_Return, "Enter 打印", ready=modal_named("PrintPreviewDialog")),
        key(Qt.Key.Key_Return, "Enter 确定打印", ready=modal_named("StationPrintDialog")),
    ]
    driver = KeyDriver(qtbot, steps)
    driver.start()
    try:
        qtbot.waitUntil(
            lambda: bool(driver.failure) or (driver.done() and bool(printed)), timeout=30_000
        )
    finally:
        driver.stop()
    assert not driver.failure, driver.failure + "\n" + "\n".join(driver.sent)

    assert printed and printed[0].startswith(b"%PDF")
    visits = services.visits.today(officer)
    assert len(visits) == 1
    visit = visits[0]
    assert visit.status is VisitStatus.IN_PROGRESS and visit.citizen_name == "李四光"
    slip = services.visits.slip(officer, visit.id, "receipt")
    assert slip.is_reprint  # the receipt printed above is on record
    assert driver.counted <= RECEIPT_KEYS, "\n".join(driver.sent)
    print(f"walk-in to printed receipt: {driver.counted} keys beyond the data")


NOTICE_KEYS = 15  # the limit beyond the data and the signature


def sign_on_the_pad() -> Step:
    """The citizen signs with the pen: mouse events on the pad (the only mouse use, not a key)."""
    from PySide6.QtCore import QPoint
    from PySide6.QtTest import QTest

    from ui.dialogs.notice_dialog import NoticeDialog

    def send(_focus: QWidget) -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, NoticeDialog)
        pad = dialog.pad
        QTest.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(30, 100))
        for x, y in ((80, 60), (140, 110), (200, 50), (260, 100)):
            QTest.mouseMove(pad, QPoint(x, y))
        QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(300, 80))

    return Step(send, False, "signature on the pad", modal_named("NoticeDialog"))


def test_a_one_time_notice_takes_at_most_fifteen_keys_beyond_the_data_and_the_signature(
    qtbot, services: Services, make_officer, qsettings: QSettings, printed: list[bytes]
) -> None:  # type: ignore[no-untyped-def]
    from app.core.identity import IdType
    from app.visits.dto import NewVisit

    officer: SessionUser = make_officer(Role.WINDOW, "张伟")
    # Set up: a walk-in registered and accepted; 无犯罪记录证明 asks for five materials.
    item = services.catalogue.list_items("ZM-WFZ")[0]
    checklist = services.notices.draft(
        officer,
        services.visits.accept(
            officer,
            (
                visit := services.visits.register(
                    officer, NewVisit("王小明", IdType.RESIDENT, ID_NUMBER, PHONE, item.item_id)
                )
            ).row.id,
            visit.row.row_version,
        ).row.id,
    ).items
    assert len(checklist) >= 2

    window = MainWindow(services, officer, "db", qsettings, today=dt.date(2026, 11, 20))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)

    in_editor = modal_named("NoticeDialog")
    note = "申请表第 3 栏用途写明“出国留学”"
    steps = [
        # From the page list (where the focus starts) back past the detail pane to the list.
        key(Qt.Key.Key_Tab, "Shift+Tab", Qt.KeyboardModifier.ShiftModifier),
        # The list shows its current row selected as soon as it has the focus.
        key(Qt.Key.Key_Tab, "Shift+Tab 到今日接待列表", Qt.KeyboardModifier.ShiftModifier),
        key(Qt.Key.Key_G, "Ctrl+G 一次性告知", Qt.KeyboardModifier.ControlModifier),
        key(Qt.Key.Key_2, "2 第一项需补交", ready=in_editor),
        key(Qt.Key.Key_Down, "↓"),
        key(Qt.Key.Key_3, "3 第二项需更正"),
        data(note),
        key(Qt.Key.Key_Return, "Enter 说明写好"),
        sign_on_the_pad(),
        key(Qt.Key.Key_Return, "Ctrl+Enter 出具", Qt.KeyboardModifier.ControlModifier),
        key(Qt.Key.Key_Return, "Enter 打印", ready=modal_named("PrintPreviewDialog")),
        key(Qt.Key.Key_Return, "Enter 确定打印", ready=modal_named("StationPrintDialog")),
    ]
    driver = KeyDriver(qtbot, steps)
    driver.start()
    try:
        qtbot.waitUntil(
            lambda: bool(driver.failure) or (driver.done() and bool(printed)), timeout=30_000
        )
    finally:
        driver.stop()
    assert not driver.failure, driver.failure + "\n" + "\n".join(driver.sent)

    assert printed and printed[0].startswith(b"%PDF")
    notices = services.notices.for_visit(officer, visit.row.id)
    assert len(notices) == 1
    notice = notices[0]
    owed = {i.name: (i.state, i.note) for i in notice.items if i.state != "provided"}
    assert owed == {
        checklist[0].name: ("missing", ""),
        checklist[1].name: ("correction", note),
    }
    assert notice.signer_name == "王小明"
    assert services.notices.slip(officer, notice.id).is_reprint  # the print is on record
    assert driver.counted <= NOTICE_KEYS, "\n".join(driver.sent)
    print(f"one-time notice, signed and printed: {driver.counted} keys beyond the data")


def test_after_a_plain_save_the_new_visits_keys_act_at_once(
    qtbot, services: Services, make_officer, qsettings: QSettings
) -> None:  # type: ignore[no-untyped-def]
    # 保存登记 (Enter) closes the form on 今日接待 with the new visit selected: the focus is on
    # that list, so Ctrl+G (一次性告知) acts on it without a Tab first. It was left on the
    # navigation the form was opened from, where the visit's keys do nothing.
    officer: SessionUser = make_officer(Role.WINDOW, "张伟")
    window = MainWindow(services, officer, "db", qsettings, today=dt.date(2026, 11, 20))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.nav.setFocus()  # where the focus starts after logging in

    def back_in_the_window() -> bool:
        # The form closed: the window manager activates the main window again (offscreen
        # has none to do it).
        if QApplication.activeModalWidget() is None and not window.isActiveWindow():
            window.activateWindow()
        return window.isActiveWindow()

    opened: list[str] = []

    def notice_in_front() -> bool:
        modal = QApplication.activeModalWidget()
        if type(modal).__name__ != "NoticeDialog":
            return False
        assert modal is not None
        modal.activateWindow()
        opened.append(modal.windowTitle())
        return modal.isActiveWindow()

    steps = [
        key(Qt.Key.Key_F2, "F2 新登记"),
        data(ID_NUMBER, ready=modal_named("RegistrationDialog")),
        key(Qt.Key.Key_Tab, "Tab"),
        data("李四光"),
        key(Qt.Key.Key_Tab, "Tab"),
        data(PHONE),
        key(Qt.Key.Key_Tab, "Tab"),
        data("sfzsl"),
        key(Qt.Key.Key_Return, "Enter 选定事项"),
        key(Qt.Key.Key_Return, "Enter 保存登记"),
        key(
            Qt.Key.Key_G,
            "Ctrl+G 一次性告知",
            Qt.KeyboardModifier.ControlModifier,
            ready=back_in_the_window,
        ),
        key(Qt.Key.Key_Escape, "Esc 关闭告知单", ready=notice_in_front),
    ]
    driver = KeyDriver(qtbot, steps)
    driver.start()
    try:
        qtbot.waitUntil(
            lambda: (
                bool(driver.failure) or (driver.done() and QApplication.activeModalWidget() is None)
            ),
            timeout=30_000,
        )
    finally:
        driver.stop()
    assert not driver.failure, driver.failure + "\n" + "\n".join(driver.sent)
    assert opened and "李四光" in opened[-1]  # the notice of the visit just saved


def test_enter_on_a_detail_pane_button_presses_it(
    qtbot, services: Services, make_officer, qsettings: QSettings
) -> None:  # type: ignore[no-untyped-def]
    # The pane lays its buttons out only when a matter is shown, after the page was built:
    # Enter on a focused 受理 did nothing (Space did), found while writing the F1 manual.
    from app.core.identity import IdType
    from app.visits.dto import NewVisit

    officer: SessionUser = make_officer(Role.WINDOW, "张伟")
    item = services.catalogue.list_items("SFZ-SL")[0]
    visit = services.visits.register(
        officer, NewVisit("李四光", IdType.RESIDENT, ID_NUMBER, PHONE, item.item_id)
    )
    window = MainWindow(services, officer, "db", qsettings, today=dt.date(2026, 11, 20))
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    panel = window.pages["today"].panel  # type: ignore[attr-defined]
    panel.show_visit(visit.row.id)
    accept = panel.buttons["accept"]
    assert accept.isVisible() and accept.isEnabled()
    accept.setFocus()
    qtbot.keyClick(accept, Qt.Key.Key_Return)
    assert services.visits.get(officer, visit.row.id).row.status == VisitStatus.IN_PROGRESS
