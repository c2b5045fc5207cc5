"""The wheel scrolls the page, not an unfocused number or choice under the pointer (issue 20)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QComboBox, QSpinBox, QVBoxLayout, QWidget

from ui.widgets.wheel_guard import guard_wheel


def _wheel(widget: QWidget) -> None:
    centre = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(centre.toPoint())),
        QPoint(0, 0),
        QPoint(0, -120),  # one notch towards the officer
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def test_the_wheel_changes_a_value_only_once_the_officer_is_in_it(qtbot) -> None:  # type: ignore[no-untyped-def]
    page = QWidget()
    qtbot.addWidget(page)
    box = QVBoxLayout(page)
    other = QSpinBox()
    spin = QSpinBox()
    spin.setRange(1, 30)
    spin.setValue(5)
    combo = QComboBox()
    combo.addItems(["A4", "A5", "B5"])
    for w in (other, spin, combo):
        box.addWidget(w)
    guard_wheel(page)
    guard_wheel(page)  # a second call adds nothing
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page)
    other.setFocus()
    qtbot.waitUntil(other.hasFocus)

    _wheel(spin)
    _wheel(combo)
    assert spin.value() == 5 and combo.currentIndex() == 0  # passed by: unchanged
    assert spin.focusPolicy() == Qt.FocusPolicy.StrongFocus  # the wheel gives no focus

    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus)
    _wheel(spin)
    assert spin.value() == 4  # in it: the wheel works as before


def test_every_page_of_the_main_window_is_guarded(qtbot, services, chief, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QSettings

    from ui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    window = MainWindow(services, chief, "db", settings)
    qtbot.addWidget(window)
    window.show_page("settings")
    page = window.pages["settings"]
    spins = page.findChildren(QSpinBox)
    assert spins and all(s.focusPolicy() == Qt.FocusPolicy.StrongFocus for s in spins)
