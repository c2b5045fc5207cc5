"""What the frozen build carries besides Python modules (read by packaging/stationdesk.spec).

Pure Python, no PyInstaller import: tests/test_packaging.py checks that the list covers every
file pyproject.toml ships as package data and every migration, so a new resource cannot be
left out of the frozen build.

The app finds its files next to its modules (``Path(__file__)`` in resources/__init__.py and
db/migrate.py). In a PyInstaller one-folder build a module's ``__file__`` is
``<_internal>/<package>/<module>.pyc``, so each file goes to the folder of its package, under
the same relative path as in the source tree: nothing in app/, ui/ or db/ changes when frozen.
Alembic loads db/migrations/env.py, versions/*.py and script.py.mako as files at run time:
they go in as source files (the modules themselves are also compiled into the archive).
"""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

# Python modules and caches are never data (resources/__init__.py is compiled into the archive).
_SKIP_DIRS = {"__pycache__"}
_SKIP_SUFFIXES = {".pyc", ".pyo"}

# Modules nothing in StationDesk imports, that an installed package might still pull in.
EXCLUDES = [
    "tkinter",
    "_tkinter",
    "turtle",
    "turtledemo",
    "idlelib",
    "lib2to3",
    "pydoc_data",
    "test",
    "pytest",
    "_pytest",
    "pytestqt",
    "hypothesis",
    "mypy",
    "ruff",
    "IPython",
    "jedi",
    "setuptools",
    "pkg_resources",
    "pip",
    "importlinter",
    "grimp",
    "alembic.testing",
    "sqlalchemy.testing",
    "matplotlib.tests",
    "numpy.tests",
    "numpy.f2py",
    "PIL.ImageTk",
    "PIL.ImageQt",
    "matplotlib.backends.backend_tkagg",
    "matplotlib.backends.backend_tkcairo",
    "matplotlib.backends.backend_qtagg",
    "matplotlib.backends.backend_qtcairo",
    "matplotlib.backends.backend_qt",
    "matplotlib.backends.backend_qt5agg",
    "matplotlib.backends.backend_webagg",
    "matplotlib.backends.backend_nbagg",
    "matplotlib.backends.backend_gtk3agg",
    "matplotlib.backends.backend_gtk4agg",
    "matplotlib.backends.backend_wxagg",
    "matplotlib.backends.backend_macosx",
    # Qt modules StationDesk does not use (it uses QtCore, QtGui, QtWidgets, QtPrintSupport,
    # QtDBus; QtSvg only as the image-format plugin for the style sheet's arrows).
    "PySide6.QtNetwork",
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtQuickWidgets",
    "PySide6.QtOpenGL",
    "PySide6.QtOpenGLWidgets",
    "PySide6.QtSql",
    "PySide6.QtTest",
    "PySide6.QtXml",
    "PySide6.QtConcurrent",
    "PySide6.QtHelp",
    "PySide6.QtDesigner",
    "PySide6.QtUiTools",
    "PySide6.QtPdf",
    "PySide6.QtPdfWidgets",
    "PySide6.QtMultimedia",
    "PySide6.QtMultimediaWidgets",
    "PySide6.QtWebEngineCore",
    "PySide6.QtWebEngineWidgets",
    "PySide6.QtCharts",
    "PySide6.QtStateMachine",
    "PySide6.QtSvgWidgets",
    "PySide6.QtNetworkAuth",
]

# Files the hooks collect that StationDesk never loads (fnmatch on the path in the build, "/").
# Qt: the window runs on X11 (xcb; under Wayland through XWayland) or offscreen; no Wayland,
# EGLFS, VNC or framebuffer platforms, no GTK theme (it needs GTK at run time), no touch input
# plugins, only the image formats a style sheet or a scanned signature could use, and Qt's own
# translations in Simplified Chinese only (ui/files.py loads qtbase_zh_CN).
DROPPED = [
    "PySide6/Qt/plugins/egldeviceintegrations/*",
    "PySide6/Qt/plugins/generic/*",
    "PySide6/Qt/plugins/wayland-*/*",
    "PySide6/Qt/plugins/platforms/libqeglfs.so",
    "PySide6/Qt/plugins/platforms/libqlinuxfb.so",
    "PySide6/Qt/plugins/platforms/libqminimal.so",
    "PySide6/Qt/plugins/platforms/libqminimalegl.so",
    "PySide6/Qt/plugins/platforms/libqvkkhrdisplay.so",
    "PySide6/Qt/plugins/platforms/libqvnc.so",
    "PySide6/Qt/plugins/platforms/libqwayland*.so",
    "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
    "PySide6/Qt/plugins/imageformats/libqicns.*",
    "PySide6/Qt/plugins/imageformats/libqtga.*",
    "PySide6/Qt/plugins/imageformats/libqtiff.*",
    "PySide6/Qt/plugins/imageformats/libqwbmp.*",
    "PySide6/Qt/plugins/imageformats/libqwebp.*",
    # Their libraries (in PySide6/Qt/lib and as links in the top folder) and Qt's network and
    # OpenGL modules, which nothing kept needs (packaging/elf_deps.py --strict checks).
    "*libQt6Wayland*",
    "*libQt6Wl*",
    "*libQt6EglFS*",
    "*libQt6EglFs*",
    "*libQt6Network.so*",
    "*libQt6OpenGL.so*",
    # What the GTK theme plugin dragged in from this system (GTK itself is not bundled).
    *(
        f"lib{name}.so.*"
        for name in (
            "atk-1.0",
            "cairo",
            "cairo-gobject",
            "pango-1.0",
            "pangocairo-1.0",
            "pangoft2-1.0",
            "gdk_pixbuf-2.0",
            "pixman-1",
            "thai",
            "datrie",
            "fribidi",
            "graphite2",
            "harfbuzz",
            "gio-2.0",
            "gmodule-2.0",
            "gobject-2.0",
            "mount",
            "blkid",
            "selinux",
            "bsd",
            "md",
            "Xext",
            "Xrender",
            "jpeg",
            # Bundled copies of what the system's libxcb1 brings along anyway.
            "Xau",
            "Xdmcp",
        )
    ),
]
# Qt translations kept (all others dropped).
QT_TRANSLATIONS_KEPT = ["qtbase_zh_CN.qm", "qt_zh_CN.qm"]


def dropped(dest: str) -> bool:
    """Whether a collected file (its path inside the build) is left out."""
    dest = dest.replace("\\", "/")
    if dest.startswith("PySide6/Qt/translations/"):
        return dest.rsplit("/", 1)[1] not in QT_TRANSLATIONS_KEPT
    return any(fnmatch.fnmatchcase(dest, pattern) for pattern in DROPPED)


# Imported by name at run time, not by an import statement PyInstaller can see.
# reportlab.graphics.barcode imports its symbologies with exec().
HIDDEN_IMPORT_PACKAGES = ["app", "ui", "db", "resources", "reportlab.graphics.barcode"]
# Imported by the migration files Alembic loads from disk (sqlalchemy itself is seen anyway).
HIDDEN_IMPORTS = [
    "alembic.op",
    "alembic.context",
    "alembic.runtime.migration",
    "alembic.runtime.environment",
    "alembic.ddl.sqlite",
    "alembic.ddl.postgresql",
    "sqlalchemy.dialects.sqlite",
    "sqlalchemy.dialects.postgresql",
    "mako.template",
]
# Third-party data read as files (pypinyin, matplotlib, reportlab, tzdata and pypdfium2 bring
# their own hooks; these are the ones collected explicitly in the spec, with their metadata).
DATA_PACKAGES = ["reportlab", "pypinyin", "chinese_calendar", "tzdata"]
METADATA_PACKAGES = ["keyring", "stationdesk", "PySide6_Essentials", "reportlab", "pypdfium2"]


def package_data_patterns(root: Path) -> dict[str, list[str]]:
    """pyproject.toml's ``[tool.setuptools.package-data]``: package → file patterns."""
    with (root / "pyproject.toml").open("rb") as fh:
        project = tomllib.load(fh)
    data = project["tool"]["setuptools"]["package-data"]
    return {package: list(patterns) for package, patterns in data.items()}


def _package_files(root: Path, package: str, pattern: str) -> list[Path]:
    folder = root / package.replace(".", "/")
    found = []
    for path in sorted(folder.glob(pattern)):
        if not path.is_file() or path.suffix in _SKIP_SUFFIXES:
            continue
        if _SKIP_DIRS.intersection(path.relative_to(root).parts):
            continue
        found.append(path)
    return found


def project_data_files(root: Path) -> list[tuple[str, str]]:
    """Every package-data file as PyInstaller's ``(source file, destination folder)`` pair.

    The destination is the file's folder relative to the project root, so ``resources/fonts/
    X.ttf`` lands in ``_internal/resources/fonts/`` and ``Path(__file__)`` finds it there.
    """
    root = root.resolve()
    pairs: dict[str, tuple[str, str]] = {}
    for package, patterns in package_data_patterns(root).items():
        for pattern in patterns:
            for path in _package_files(root, package, pattern):
                rel = path.relative_to(root)
                pairs[rel.as_posix()] = (str(path), rel.parent.as_posix())
    return [pairs[key] for key in sorted(pairs)]


def shipped_relative_paths(root: Path) -> set[str]:
    """The project files the frozen build carries, relative to the root (posix)."""
    root = root.resolve()
    return {Path(src).relative_to(root).as_posix() for src, _ in project_data_files(root)}


def matches_any(name: str, patterns: list[str]) -> bool:
    """``fnmatch`` of a posix relative path against any pattern."""
    return any(fnmatch.fnmatch(name, pattern) for pattern in patterns)
