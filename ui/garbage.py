"""Garbage collection on the UI thread only.

Python's cyclic collector runs in whichever thread happens to allocate when a threshold is
crossed — often a worker of the thread pool (ui.tasks). If the garbage then holds Qt widgets
(a closed dialog caught in a reference cycle), their C++ side is destroyed off the GUI thread
and Qt aborts the process. As Anki does, automatic collection is switched off and the UI
thread collects on a timer instead.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 5_000


class GarbageCollector(QObject):
    """Collects cyclic garbage every few seconds on the thread that owns it (the UI thread)."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self.collect)
        self._timer.start()

    @staticmethod
    def collect() -> None:
        """One full collection, here and now."""
        gc.collect()
