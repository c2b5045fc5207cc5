"""Where the details go: a log file in the user's log folder, set up before anything runs.

The commands print one Chinese line per problem and nothing else; what lies behind it
(tracebacks, driver messages, integrity findings, Python warnings) goes to their log file
only. The GUI has a file of its own (its rotation must not meet a command's: Windows cannot
rename a file another process holds open) and also shows warnings on stderr, one line each.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

GUI_LOG = "stationdesk.log"
COMMANDS_LOG = "stationdesk-commands.log"
LOG_BYTES = 2_000_000
LOG_BACKUPS = 5

_file: Path | None = None


class _NoTracebackFormatter(logging.Formatter):
    """The terminal gets one line per problem; the full traceback goes to the log file only."""

    def formatException(self, ei: object) -> str:
        return ""

    def format(self, record: logging.LogRecord) -> str:
        record.exc_text = ""
        return super().format(record).rstrip()


def configure_logging(*, gui: bool) -> Path | None:
    """Send every record (INFO and up) to the log file; returns it (None: not writable).

    Replaces what an earlier call set up; leaves alone a root logger that something else set
    up (a test runner calling ``main.main``, a program embedding this one). Nothing reaches
    the terminal from a command, not even when the log folder cannot be written (the records
    are dropped then), nor a failure of the log file itself.
    """
    global _file
    root = logging.getLogger()
    ours = [h for h in root.handlers if getattr(h, "stationdesk", False)]
    if len(ours) != len(root.handlers):
        _file = None
        return None
    for old in ours:
        root.removeHandler(old)
        old.close()
    from platformdirs import user_log_dir

    handlers: list[logging.Handler] = []
    folder = Path(user_log_dir("StationDesk", appauthor=False))
    _file = folder / (GUI_LOG if gui else COMMANDS_LOG)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        file_handler: logging.Handler = logging.handlers.RotatingFileHandler(
            _file, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
        )
    except OSError:
        _file = None
        file_handler = logging.NullHandler()
    file_handler.setFormatter(
        logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    )
    handlers.append(file_handler)
    if gui:
        console = logging.StreamHandler(sys.stderr)
        console.setLevel(logging.WARNING)
        console.setFormatter(_NoTracebackFormatter("%(levelname)s %(name)s: %(message)s"))
        handlers.append(console)
    for handler in handlers:
        handler.stationdesk = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(logging.INFO)
    # A full disk or a log file another program holds: drop the record, print nothing.
    logging.raiseExceptions = False
    logging.captureWarnings(True)
    return _file


def log_file() -> Path | None:
    """The file ``configure_logging`` writes to (None before, or when it could not)."""
    return _file
