"""Composition root: arguments → logging → database → services → QApplication → main window."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from app import cli


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command, or the GUI when none is given."""
    # Everything this process creates (database, backups, logs, exports, key files) is the
    # officer's alone: citizens' data is not for other accounts of the computer. (Windows:
    # the user's profile folders are private already.)
    os.umask(0o077)
    args = cli.build_parser().parse_args(argv)
    from app.core.logs import configure_logging

    # Before anything runs: a command's details go to its log file, never the terminal.
    configure_logging(gui=args.command is None)
    if args.command == "screenshots":
        return cli.guarded(args.command, lambda: _screenshots(args.db, args.out, args.font_size))
    if args.command is not None:
        return cli.run(args)
    from ui.application import run_gui

    return run_gui(args.db, demo=args.demo)


def _screenshots(target: str, out: str, font_size: str) -> int:
    from ui.screenshots import take_screenshots

    return take_screenshots(target, Path(out), font_size)


if __name__ == "__main__":
    sys.exit(main())
