"""本机设置: this PC's 窗口号 and, for a multi-counter station, the server it works on.

The same fields and the same test as when the counter joined (ServerDialog). A new 窗口号
counts from the next record on; another server (or password) from the next start.
"""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QWidget

from app.core.errors import StationDeskError
from app.station.workstation import Workstation, load_workstation
from ui.dialogs.server_dialog import ServerDialog
from ui.widgets.messages import show_info
from ui.widgets.screen_fit import fit_to_content

WORKSTATION_INTRO = (
    "窗口号和本所服务器是这台电脑的设置，与谁登录无关。窗口号保存后立即用于新的登记；"
    "更换服务器或密码要重新启动本程序后才生效。"
)
RESTART_MESSAGE = (
    "本机设置已保存。新的服务器设置在重新启动本程序后生效：请先办完手头的事项，"
    "退出本程序后再重新启动。"
)


class WorkstationDialog(ServerDialog):
    """本机设置; Accepted once saved. ``restart_needed``: the server or its password changed
    (said in a message unless ``starting``: the start that could not reach the server)."""

    COUNTER_FIRST = True

    def __init__(self, parent: QWidget | None = None, *, starting: bool = False) -> None:
        problem: StationDeskError | None = None
        try:
            current = load_workstation()
        except StationDeskError as exc:  # a damaged file: start afresh, saying why
            current, problem = Workstation(), exc
        super().__init__(parent, current)
        # At a start that could not reach the server the new settings are used at once.
        self._starting = starting
        self.restart_needed = False
        self.server_check = QCheckBox("本机连接本所服务器（多个窗口共用一本台账）(&F)")
        self.server_check.setChecked(current.server is not None)
        self.setWindowTitle("本机设置")
        self.intro.setText(WORKSTATION_INTRO)
        self.layout_box.insertWidget(2, self.server_check)
        QWidget.setTabOrder(self.counter_edit, self.server_check)
        QWidget.setTabOrder(self.server_check, self.host_edit)
        self.server_check.toggled.connect(self._server_toggled)
        self._server_toggled(self.server_check.isChecked())
        fit_to_content(self, 600)  # the intro and the checkbox changed the size it needs
        self.counter_edit.setFocus()
        if problem is not None:
            self.errors.show(problem)

    def uses_server(self) -> bool:
        return self.server_check.isChecked()

    def _server_toggled(self, on: bool) -> None:
        self.server_box.setEnabled(on)
        self.test_button.setEnabled(on)
        self._values_changed()

    def save(self) -> None:
        before = self._current.server
        super().save()
        if self.saved is None:
            return
        self.restart_needed = self.saved.server != before or (
            self.saved.server is not None and bool(self.password_edit.text())
        )
        if self.restart_needed and not self._starting:
            show_info(self.parentWidget(), RESTART_MESSAGE, "本机设置")
