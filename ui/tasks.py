"""Run a service call off the UI thread; the result or error comes back on the UI thread.

The contract (after Anki's CollectionOp): the callable touches no widget. Each service call
opens its own session, so running it on a worker thread is safe.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QEventLoop, QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

T = TypeVar("T")
logger = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
# Work that ends sooner shows no dialog (it would only flicker).
SHOW_AFTER_MS = 500


class _Relay(QObject):
    finished = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, work: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._work = work
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._work()
        except Exception as exc:  # handed to the UI thread, which decides what to show
            self._report(self._relay.failed, exc)
        else:
            self._report(self._relay.finished, result)

    @staticmethod
    def _report(signal: Any, value: Any) -> None:
        try:
            signal.emit(value)
        except RuntimeError:
            # The window that asked was closed meanwhile (its relay deleted with it): there
            # is no one left to tell, and the work itself is done or rolled back.
            logger.debug("background result dropped: its window is gone")


class TaskRunner(QObject):
    """Starts jobs on the global thread pool and keeps their relays alive until they report."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._relays: set[_Relay] = set()

    def start(
        self,
        work: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        """Run ``work`` in the background; call ``on_done`` or ``on_error`` on the UI thread."""
        relay = _Relay(self)
        self._relays.add(relay)

        def done(result: Any) -> None:
            self._relays.discard(relay)
            on_done(result)

        def failed(exc: BaseException) -> None:
            self._relays.discard(relay)
            on_error(exc)

        relay.finished.connect(done)
        relay.failed.connect(failed)
        QThreadPool.globalInstance().start(_Job(work, relay))

    def wait(self, msecs: int = 10_000) -> bool:
        """Wait for running jobs (tests and shutdown)."""
        return QThreadPool.globalInstance().waitForDone(msecs)


class _ProgressRelay(QObject):
    step = Signal(int, int)


class BusyDialog(QProgressDialog):
    """A progress dialog that cannot be cancelled: Esc and the close button do nothing."""

    def __init__(self, text: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(text, "", 0, 0, parent)
        self.setWindowTitle(title)
        self.setCancelButton(None)  # no button: the work cannot be stopped halfway
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setMinimumWidth(420)
        self.running = True

    def show_step(self, done: int, total: int) -> None:
        """``done`` of ``total`` steps (a busy bar while ``total`` is 0)."""
        if total > 0:
            self.setMaximum(total)
            self.setValue(min(done, total))

    def reject(self) -> None:
        if not self.running:
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.running:
            event.ignore()
        else:
            super().closeEvent(event)


def run_with_progress(
    parent: QWidget | None,
    text: str,
    work: Callable[[Progress], T],
    title: str = "请稍候",
) -> T:
    """Run ``work(progress)`` on a worker thread and wait for it, the window kept responsive.

    A modal progress dialog shows ``text`` once the work has taken half a second; ``work``
    may call ``progress(done, total)`` from its thread to fill the bar. ``parent`` takes no
    input meanwhile. Returns the result, or raises what the work raised.
    """
    dialog = BusyDialog(text, title, parent)
    dialog.setMinimumDuration(SHOW_AFTER_MS)
    relay = _ProgressRelay()
    relay.step.connect(dialog.show_step)
    outcome: dict[str, Any] = {}
    loop = QEventLoop()

    def done(result: Any) -> None:
        outcome["result"] = result
        loop.quit()

    def failed(exc: BaseException) -> None:
        outcome["error"] = exc
        loop.quit()

    runner = TaskRunner()
    if parent is not None:
        parent.setEnabled(False)
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        dialog.setValue(0)  # starts the half-second timer after which the dialog shows
        runner.start(lambda: work(relay.step.emit), done, failed)
        loop.exec()
    finally:
        QApplication.restoreOverrideCursor()
        if parent is not None:
            parent.setEnabled(True)
        dialog.running = False
        dialog.close()
        dialog.deleteLater()
        relay.deleteLater()
        runner.deleteLater()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]
