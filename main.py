"""Composition root: arguments → logging → database → services → QApplication → main window."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from app import cli


class _NoTracebackFormatter(logging.Formatter):
    """The terminal gets one line per problem; the full traceback goes to the log file only."""

    def formatException(self, ei: object) -> str:
        return ""

    def format(self, record: logging.LogRecord) -> str:
        record.exc_text = ""
        return super().format(record).rstrip()


def _configure_logging() -> None:
    # Only the GUI logs to a file: the commands (app.cli) do not import the handlers.
    import logging.handlers

    from platformdirs import user_log_dir

    log_dir = Path(user_log_dir("StationDesk", appauthor=False))
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.WARNING)
    console.setFormatter(_NoTracebackFormatter("%(levelname)s %(name)s: %(message)s"))
    handlers: list[logging.Handler] = [console]
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        handlers.append(
            logging.handlers.RotatingFileHandler(
                log_dir / "stationdesk.log", maxBytes=2_000_000, backupCount=5, encoding="utf-8"
            )
        )
    except OSError:
        pass
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=handlers,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command, or the GUI when none is given."""
    # Everything this process creates (database, backups, logs, exports, key files) is the
    # officer's alone: citizens' data is not for other accounts of the computer. (Windows:
    # the user's profile folders are private already.)
    os.umask(0o077)
    args = cli.build_parser().parse_args(argv)
    if args.command in (
        "init",
        "demo",
        "check",
        "print",
        "export",
        "backup",
        "restore",
        "key",
        "purge",
    ):
        return cli.run(args)
    _configure_logging()
    if args.command == "screenshots":
        from ui.screenshots import take_screenshots

        return take_screenshots(args.db, Path(args.out), args.font_size)
    from ui.application import run_gui

    return run_gui(args.db, demo=args.demo)


if __name__ == "__main__":
    sys.exit(main())
