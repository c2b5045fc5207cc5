"""Run a service call off the UI thread; the result or error comes back on the UI thread.

The contract (after Anki's CollectionOp): the callable touches no widget. Each service call
opens its own session, so running it on a worker thread is safe.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


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
            self._relay.failed.emit(exc)
        else:
            self._relay.finished.emit(result)


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
