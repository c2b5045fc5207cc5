"""The officer's session in the main window: the lock and its hand-over to a colleague,
交接班, 切换人员 and 退出 (ui.main_window).

The window locks (系统 → 锁定屏幕, Ctrl+L) after the station's number of minutes without input
and when the system's session locks: the lock page shows, every open dialog is covered where
it is (ui.lock_cover), and the same officer's password gives it all back as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QListWidget, QMainWindow, QStackedWidget

from app.core.dto import SessionUser
from app.core.errors import StationDeskError
from app.core.roles import Permission, allows
from app.services import Services
from ui.change_password_dialog import ChangePasswordDialog
from ui.idle import IdleWatcher
from ui.lock_cover import close_windows, cover_windows
from ui.login_dialog import LoginDialog
from ui.tasks import BusyDialog
from ui.widgets.messages import show_error, show_info

# The mixin is a QMainWindow to the type checker only: at run time MainWindow brings it.
if TYPE_CHECKING:
    _WindowBase = QMainWindow
else:
    _WindowBase = object


class MainWindowSession(_WindowBase):
    """Locking, handing over and leaving; mixed into MainWindow, which holds the state."""

    _services: Services
    _user: SessionUser
    _today: dt.date
    _station_name: str
    _shift_checked: bool
    _uncover: list[Callable[[], None]]
    _previous_row: int
    logout_requested: bool
    next_user: SessionUser | None
    locked: bool
    lock_dialog: LoginDialog | None
    nav: QListWidget
    stack: QStackedWidget
    lock_page: QLabel
    idle_watcher: IdleWatcher

    def request_lock(self) -> None:
        """Lock from the event loop's next turn (safe from a native or D-Bus handler)."""
        QTimer.singleShot(0, self, self.lock)

    def lock(self) -> None:
        """Hide everything until the same officer enters the password again.

        Open dialogs are covered, not closed (ui.lock_cover). A colleague's login instead
        hands the window over (``hand_over``); 退出程序 on the lock screen quits.
        """
        if self.locked:
            return
        self.locked = True
        self.idle_watcher.pause()
        self._previous_row = self.nav.currentRow()
        self.nav.setEnabled(False)
        self.menuBar().setEnabled(False)
        self.stack.setCurrentWidget(self.lock_page)
        self._uncover = cover_windows(keep=[self])
        dialog = self.lock_dialog = LoginDialog(
            self._services.auth, self._station_name, locked_user=self._user, parent=self
        )
        try:
            accepted = dialog.exec()
        finally:
            self.lock_dialog = None
            dialog.deleteLater()
        if accepted and dialog.took_over and dialog.user is not None:
            self.hand_over(dialog.user)
        elif accepted:
            self.unlock()
        else:
            self._uncover = []
            close_windows(keep=[self])
            self.close()

    def unlock(self) -> None:
        """Show the pages, and every dialog the lock covered, again."""
        self.locked = False
        self.nav.setEnabled(True)
        self.menuBar().setEnabled(True)
        self.stack.setCurrentIndex(max(0, self._previous_row))
        uncover, self._uncover = self._uncover, []
        for give_back in uncover:
            give_back()
        self.idle_watcher.resume()

    def hand_over(self, colleague: SessionUser) -> None:
        """A colleague logged in at the locked window: this officer's session ends here.

        The dialogs close unsaved, the window stays locked until it closes, and
        ui.application opens the colleague's window (``next_user``) without another login.
        """
        self.next_user = colleague
        self.logout_requested = True
        self._uncover = []
        self.idle_watcher.stop()
        close_windows(keep=[self])
        QTimer.singleShot(0, self, self._close_when_settled)

    def _close_when_settled(self) -> None:
        """Close once no background work waits on a progress dialog (its loop must end first)."""
        busy = [w for w in QApplication.topLevelWidgets() if isinstance(w, BusyDialog)]
        if any(w.running for w in busy):
            QTimer.singleShot(200, self, self._close_when_settled)
            return
        self.close()

    def _on_change_password(self) -> None:
        ChangePasswordDialog(self._services.auth, self._user, parent=self).exec()

    def _on_logout(self) -> None:
        if not self.end_shift(leaving=True):
            return
        self.logout_requested = True
        self.close()

    def _on_quit(self) -> None:
        if self.end_shift(leaving=True):
            self._shift_checked = True
            self.close()

    def end_shift(self, leaving: bool = False) -> bool:
        """交接班: the officer's open items, each matter kept or handed over, recorded (and
        printed if asked). Leaving (退出, 切换人员) with nothing open asks nothing; False:
        the officer cancelled, and stays."""
        if self.locked or not allows(self._user.role, Permission.HANDLE_VISITS):
            return True
        from ui.dialogs.shift_dialog import ShiftDialog, print_shift_record

        shifts = self._services.shifts
        try:
            review = shifts.review(self._user)
        except StationDeskError as exc:
            show_error(self, exc.message)
            return True  # a failed list must not keep the officer from logging out
        if review.empty:
            if not leaving:
                show_info(self, "您名下没有在办事项、待接收的移交、待回访或临期告知单，无需交接。")
            return True
        if leaving and not any(item.needs_decision for item in review.items):
            # Nothing to decide (callbacks, notices, handovers waiting): leave without a
            # record each time; 系统 → 交接班… records one when wanted.
            return True
        dialog = ShiftDialog(shifts, self._user, review, self)
        if not dialog.exec() or dialog.record is None:
            return False
        if dialog.print_after:
            print_shift_record(shifts, self._user, dialog.record, self)
        self.statusBar().showMessage(f"已登记交接班记录 {dialog.record.number}。", 10_000)
        return True

    def show_shift_records(self) -> None:
        """系统 → 交接班记录…: a period's records (the chief's: everyone's), reprinted by Enter."""
        if self.locked:
            return
        from ui.dialogs.shift_records_dialog import ShiftRecordsDialog

        ShiftRecordsDialog(self._services.shifts, self._user, self._today, self).exec()

    def import_ledger(self) -> None:
        """系统 → 历史台账导入…: the chief or a deputy brings in an earlier Excel ledger."""
        if self.locked:
            return
        from ui.dialogs.ledger_import_dialog import LedgerImportDialog

        LedgerImportDialog(self._services.ledger_import, self._user, self).exec()
