"""Offscreen GUI probes for bench_station.py; each run prints one JSON line and exits.

    python benchmarks/gui_probe.py login  --db PATH   the real entry (main.main, as `python
        main.py --db PATH` runs it) up to the login window: shown, then the process quits
    python benchmarks/gui_probe.py anchor             an empty QMainWindow shown, then quit
    python benchmarks/gui_probe.py window --db PATH --badge B   an officer's main window:
        build time, today page reloads, today + search pages shown, RSS

Set QT_QPA_PLATFORM=offscreen (bench_station.py does). ``login`` patches nothing but the
login dialog's ``exec``: the dialog is built by ui.application exactly as at the counter,
shown and painted, and then answers "cancel", so run_gui returns and the process exits.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _memory() -> dict[str, float]:
    """Current and peak resident set size of this process, in MB."""
    out = {}
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value, _unit = line.split()
                out[key.rstrip(":")] = int(value) / 1024
    return {"rss_mb": out.get("VmRSS", 0.0), "peak_mb": out.get("VmHWM", 0.0)}


def _exposed(widget: object) -> None:
    """Process events until the window is exposed (painted) on the offscreen platform."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtTest import QTest

    QTest.qWaitForWindowExposed(widget, 2000)  # type: ignore[arg-type]
    QCoreApplication.processEvents()


def login(db: str) -> None:
    sys.path.insert(0, str(ROOT))
    started = time.perf_counter()
    import main as entry  # the composition root, as `python main.py` imports it
    import ui.application as application

    shown: dict[str, float] = {}

    class ProbeLogin(application.LoginDialog):  # type: ignore[misc, name-defined]
        def exec(self) -> int:
            self.show()
            _exposed(self)
            shown["at"] = time.perf_counter() - started
            shown.update(_memory())
            shown["visible"] = float(self.isVisible())
            return 0  # 取消: run_gui returns and the process ends as it would

    application.LoginDialog = ProbeLogin  # type: ignore[attr-defined, misc]
    code = entry.main(["--db", db])
    print(json.dumps({"code": code, **shown}), flush=True)


def anchor() -> None:
    started = time.perf_counter()
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.show()
    _exposed(window)
    result = {"at": time.perf_counter() - started, **_memory()}
    window.close()
    del app
    print(json.dumps(result), flush=True)


def window(db: str, badge: str, password: str, reloads: int) -> None:
    sys.path.insert(0, str(ROOT))
    import tempfile

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from app.core.database import open_database
    from app.services import build_services
    from ui.fonts import install_fonts_and_style
    from ui.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    app.setApplicationName("StationDesk")
    install_fonts_and_style(app)
    database = open_database(db)
    services = build_services(database.sessions)
    user = services.auth.login(badge, password)
    before = _memory()
    with tempfile.TemporaryDirectory() as folder:
        settings = QSettings(str(Path(folder) / "probe.ini"), QSettings.Format.IniFormat)
        began = time.perf_counter()
        main_window = MainWindow(services, user, database.location, settings)
        main_window.show()
        _exposed(main_window)
        build = time.perf_counter() - began
        result: dict[str, object] = {"build_s": build, "before_window": before}
        today = main_window.pages.get("today")
        if today is not None:
            times = []
            for _ in range(reloads):
                began = time.perf_counter()
                today.reload()  # type: ignore[attr-defined]
                app.processEvents()
                times.append(time.perf_counter() - began)
            result["today_reload_s"] = times
        if "search" in main_window.pages:
            main_window.show_page("search")
            app.processEvents()
            search = main_window.pages["search"]
            began = time.perf_counter()
            search.search()  # type: ignore[attr-defined]
            app.processEvents()
            result["search_page_s"] = time.perf_counter() - began
            main_window.show_page("today")
            app.processEvents()
        result.update(_memory())
        main_window.close()
    database.dispose()
    print(json.dumps(result), flush=True)


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("login", "anchor", "window"))
    parser.add_argument("--db")
    parser.add_argument("--badge", default="031001")
    parser.add_argument("--reloads", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if args.mode == "login":
        login(args.db)
    elif args.mode == "anchor":
        anchor()
    else:
        window(
            args.db, args.badge, os.environ.get("STATIONDESK_PASSWORD", "Demo2026"), args.reloads
        )


if __name__ == "__main__":
    main()
