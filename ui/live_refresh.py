"""Lists follow other counters' work: at once on a shared server, else on the page's timer.

The listener (app.core.live_updates) runs on its own thread; its callbacks only emit signals of
this object, which Qt delivers on the GUI thread. Changes arriving within a moment are
gathered and applied once. A page in front is reloaded unless a dialog is open (then as
soon as it is closed); a page behind is reloaded when it is next shown. The status bar says
when the server is lost and when it is back (what was missed is then reloaded).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QLabel, QStatusBar, QWidget

from app.core import live_updates
from app.core.database import Database

logger = logging.getLogger(__name__)

GATHER_MS = 300
RETRY_MS = 1000
CONNECTED_TEXT = "本所服务器：已连接"
LOST_TEXT = "与服务器的连接已中断，正在自动重连…"
LOST_TIP = (
    "与本所服务器的连接已中断（服务器重启或网络故障）。程序每隔几秒自动重新连接，恢复后列表自动更新。"
    "其间保存会被拒绝，已填写的内容不会丢失，恢复后再保存一次即可。"
)
BACK_TEXT = "已重新连接本所服务器，列表已更新。"


class LiveRefresh(QObject):
    """Reloads the pages other counters' changes concern; shows the server's state."""

    changed = Signal(object)  # frozenset[str]: the tables another counter changed
    status = Signal(bool)  # whether the server can be reached

    def __init__(
        self,
        database: Database,
        pages: Callable[[], dict[str, QWidget]],
        current: Callable[[], str],
        bar: QStatusBar,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._pages = pages
        self._current = current
        self._bar = bar
        self._waiting: set[str] = set()
        self.stale: set[str] = set()  # pages behind, reloaded when next shown
        self.connected: bool | None = None
        self.label = QLabel()
        self.label.setObjectName("serverState")
        self.label.hide()
        self._gather = QTimer(self)
        self._gather.setSingleShot(True)
        self._gather.setInterval(GATHER_MS)
        self._gather.timeout.connect(self._apply)
        self.changed.connect(self._on_changed, Qt.ConnectionType.QueuedConnection)
        self.status.connect(self._on_status, Qt.ConnectionType.QueuedConnection)
        self.shared = live_updates.is_shared_server(database)
        self._listener = live_updates.start(database, self.changed.emit, self.status.emit)
        if self.shared:
            bar.addPermanentWidget(self.label)
            self.label.setText("正在连接本所服务器…")
            self.label.show()

    def stop(self) -> None:
        """End the listener thread (the window closes)."""
        if self._listener is not None:
            self._listener.stop(wait=1.0)  # a daemon thread: never holds the window longer
            self._listener = None

    def page_shown(self, key: str) -> None:
        """A page comes to the front: reload it if it missed a change while behind."""
        if key in self.stale:
            self.stale.discard(key)
            self._reload(key)

    def _on_changed(self, tables: frozenset[str]) -> None:
        self._waiting |= tables
        if not self._gather.isActive():
            self._gather.start()

    def _apply(self, tables: frozenset[str] | None = None) -> None:
        waiting = frozenset(self._waiting) if tables is None else tables
        if not waiting:
            return
        if QApplication.activeModalWidget() is not None:
            self._gather.start(RETRY_MS)  # a dialog is open: after it is closed
            return
        self._waiting.clear()
        front = self._current()
        for key in self._pages():
            if not live_updates.concerns(key, waiting):
                continue
            if key == front:
                self._reload(key)
            else:
                self.stale.add(key)

    def _reload(self, key: str) -> None:
        page = self._pages().get(key)
        reload = getattr(page, "reload", None)
        if reload is None:
            return
        try:
            reload()
        except Exception:  # the next change or the page's timer tries again
            logger.exception("live reload of %s failed", key)

    def _on_status(self, connected: bool) -> None:
        was = self.connected
        self.connected = connected
        self.label.setProperty("lost", not connected)
        self.label.setText(CONNECTED_TEXT if connected else LOST_TEXT)
        self.label.setToolTip("" if connected else LOST_TIP)
        self.label.setStyleSheet("" if connected else "color: #b00020; font-weight: bold;")
        if connected and was is False:
            # Notices sent while the connection was down are lost: reload everything shown.
            self._bar.showMessage(BACK_TEXT, 10_000)
            self._waiting |= frozenset().union(*live_updates.PAGE_TABLES.values())
            self._apply()
