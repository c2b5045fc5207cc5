"""The frozen build's file lists and helpers (packaging/): fast, nothing is built here.

scripts/check_frozen.sh and scripts/check_deb.sh build and run the real thing.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"


def _load(name: str) -> ModuleType:
    # packaging/ is no package (the name is pip's "packaging" library's): load by path.
    spec = importlib.util.spec_from_file_location(f"_stationdesk_{name}", PACKAGING / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


frozen_data = _load("frozen_data")
elf_deps = _load("elf_deps")
startup_times = _load("startup_times")


def _tree_files(folder: Path) -> set[str]:
    return {
        p.relative_to(ROOT).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in {".pyc", ".pyo"}
    }


def test_every_resource_file_goes_into_the_frozen_build() -> None:
    shipped = frozen_data.shipped_relative_paths(ROOT)
    # resources/__init__.py is a module (compiled into the archive), everything else is data.
    wanted = _tree_files(ROOT / "resources") - {"resources/__init__.py"}
    assert wanted - shipped == set(), "add the pattern to pyproject.toml's package-data"


def test_every_migration_goes_in_as_a_file() -> None:
    # Alembic reads env.py, script.py.mako and versions/*.py from disk at run time.
    shipped = frozen_data.shipped_relative_paths(ROOT)
    wanted = _tree_files(ROOT / "db" / "migrations")
    assert wanted - shipped == set()
    assert "db/migrations/env.py" in shipped
    assert "db/migrations/script.py.mako" in shipped
    assert any(re.match(r"db/migrations/versions/0001_.*\.py$", p) for p in shipped)


def test_data_files_land_in_their_package_folder() -> None:
    # Path(__file__) of resources/__init__.py is _internal/resources/ when frozen.
    for source, dest in frozen_data.project_data_files(ROOT):
        rel = Path(source).relative_to(ROOT)
        assert dest == rel.parent.as_posix()


def test_every_package_data_pattern_matches_something() -> None:
    for package, patterns in frozen_data.package_data_patterns(ROOT).items():
        for pattern in patterns:
            folder = ROOT / package.replace(".", "/")
            assert any(p.is_file() for p in folder.glob(pattern)), f"{package}: {pattern}"


@pytest.mark.parametrize(
    ("dest", "dropped"),
    [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", False),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", False),
        ("PySide6/Qt/plugins/platforms/libqwayland-egl.so", True),
        ("PySide6/Qt/plugins/platforms/libqvnc.so", True),
        ("PySide6/Qt/plugins/imageformats/libqsvg.so", False),
        ("PySide6/Qt/plugins/imageformats/libqtiff.so", True),
        ("PySide6/Qt/plugins/printsupport/libcupsprintersupport.so", False),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", True),
        ("PySide6/Qt/translations/qtbase_zh_CN.qm", False),
        ("PySide6/Qt/translations/qtbase_de.qm", True),
        ("PySide6\\Qt\\translations\\qtbase_fr.qm", True),
        ("PySide6/Qt/lib/libQt6WaylandClient.so.6", True),
        ("libQt6WaylandClient.so.6", True),
        ("PySide6/Qt/lib/libQt6Gui.so.6", False),
        ("libpango-1.0.so.0", True),
        ("libfontconfig.so.1", False),
        ("resources/fonts/HanaMinB.ttf", False),
    ],
)
def test_dropped(dest: str, dropped: bool) -> None:
    assert frozen_data.dropped(dest) is dropped


def test_no_data_file_is_dropped() -> None:
    for _, dest in frozen_data.project_data_files(ROOT):
        assert not frozen_data.dropped(dest + "/x")


def test_spec_uses_the_data_list_and_the_filter() -> None:
    spec = (PACKAGING / "stationdesk.spec").read_text(encoding="utf-8")
    assert "frozen_data.project_data_files(ROOT)" in spec
    assert "frozen_data.dropped(" in spec
    assert "frozen_data.EXCLUDES" in spec


def test_nothing_used_is_excluded() -> None:
    used = {"PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets", "PySide6.QtPrintSupport"}
    used |= {"PySide6.QtDBus", "PySide6.QtSvg", "sqlalchemy", "alembic", "reportlab", "unittest"}
    assert used.isdisjoint(frozen_data.EXCLUDES)


def test_parse_needed() -> None:
    output = """
Dynamic Section:
  NEEDED               libQt6Gui.so.6
  NEEDED               libc.so.6
  SONAME               libqxcb.so
"""
    assert elf_deps.parse_needed(output) == ["libQt6Gui.so.6", "libc.so.6"]


def test_external_needs_skip_carried_and_libc() -> None:
    needs = {"a.so": ["libQt6Gui.so.6", "libc.so.6", "libGL.so.1"], "b.so": ["libGL.so.1"]}
    assert elf_deps.external_needs(needs, {"libQt6Gui.so.6"}) == {"libGL.so.1": {"a.so", "b.so"}}


def test_unused_libraries_follow_chains() -> None:
    needs = {
        "_internal/stationdesk_ext.so": ["libkeep.so.1"],
        "_internal/libkeep.so.1": [],
        "_internal/libpango.so.0": ["libharfbuzz.so.0"],
        "_internal/libharfbuzz.so.0": [],
        "_internal/libpython3.11.so.1.0": [],
    }
    prunable = [
        "_internal/libkeep.so.1",
        "_internal/libpango.so.0",
        "_internal/libharfbuzz.so.0",
        "_internal/libpython3.11.so.1.0",
    ]
    assert elf_deps.unused_libraries(needs, prunable) == [
        "_internal/libharfbuzz.so.0",
        "_internal/libpango.so.0",
    ]


def test_median_ms() -> None:
    assert startup_times.median_ms([0.3, 0.1, 0.2]) == pytest.approx(200)
    with pytest.raises(ValueError):
        startup_times.median_ms([])


def test_parse_program() -> None:
    assert startup_times.parse_program("frozen=dist/x") == ("frozen", "dist/x")


@pytest.mark.parametrize(
    ("dest", "prunable"),
    [
        ("libpango-1.0.so.0", True),
        ("PySide6/Qt/lib/libQt6Gui.so.6", True),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", False),
        ("pypdfium2_raw/libpdfium.so", False),
        ("_cffi_backend.cpython-311-x86_64-linux-gnu.so", False),
        ("numpy.libs/libscipy_openblas64_-32a4b2a6.so", False),
        ("python3.11/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so", False),
    ],
)
def test_prunable_dest(dest: str, prunable: bool) -> None:
    assert elf_deps.prunable_dest(dest) is prunable
