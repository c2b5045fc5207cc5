"""Automatic backups off the UI thread; the outcome goes to the status bar, never a dialog.

A backup after the chief's review or at the first start of a day must never stop the counter:
it runs on the thread pool, and whether it worked or failed is one line in the main window's
status bar (and the log), plus the warning on the chief's today page when a backup is due.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import shiboken6
from PySide6.QtWidgets import QApplication, QWidget

from app.backup.dto import BackupResult
from app.backup.service import size_text
from app.core.errors import StationDeskError
from ui.files import announce
from ui.tasks import TaskRunner

logger = logging.getLogger(__name__)


def back_up_in_background(
    widget: QWidget,
    work: Callable[[], BackupResult | None],
    what: str,
    after: Callable[[], None] | None = None,
) -> TaskRunner:
    """Run ``work`` (a backup, or None when none was due) and say how it went near ``widget``.

    ``what`` names the backup in the status line (e.g. 审核后自动备份); ``after`` runs on the
    UI thread once it is over, whatever the outcome (e.g. to refresh a warning). The runner
    belongs to the application, so closing the window meanwhile loses nothing.
    """
    runner = TaskRunner(QApplication.instance())

    def done(result: BackupResult | None) -> None:
        if result is not None:
            logger.info("%s: %s", what, result.path)
            _say(
                widget,
                f"{what}已完成：{result.path}（{size_text(result.size_bytes)}）",
                result.path.parent,
            )
        _finish()

    def failed(exc: BaseException) -> None:
        if isinstance(exc, StationDeskError):
            logger.warning("%s failed: %s", what, exc.message)
            _say(widget, f"{what}失败：{exc.message}")
        else:
            logger.error("%s failed", what, exc_info=exc)
            _say(widget, f"{what}失败（意外错误，详情见日志）。请联系系统管理员。")
        _finish()

    def _finish() -> None:
        runner.deleteLater()
        if after is not None and shiboken6.isValid(widget):
            after()

    runner.start(work, done, failed)
    return runner


def _say(widget: QWidget, text: str, folder: Path | None = None) -> None:
    if shiboken6.isValid(widget):
        announce(widget, text, folder)
