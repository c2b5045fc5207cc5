#!/usr/bin/env bash
# Builds the frozen one-folder StationDesk (PyInstaller): dist/stationdesk/stationdesk plus its
# _internal folder (Python, Qt, fonts, catalogue, help, migrations …). Runs without a Python
# on the target computer. See packaging/README.md.
#
#   scripts/build_frozen.sh            build into dist/stationdesk (build/pyinstaller: cache)
#   STATIONDESK_BUILD_VENV=/path       use that venv instead of .venv (made if missing)
#   STATIONDESK_FROZEN_CLEAN=1         rebuild from scratch (pyinstaller --clean)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

# PyInstaller pinned: the spec and the checks are verified with these versions.
PYINSTALLER_VERSION="6.22.3"
HOOKS_CONTRIB_VERSION="2026.9"

# binutils: objdump and strip, which PyInstaller uses on Linux (ldd is in libc-bin).
# shellcheck disable=SC2086
ensure_system_packages $BASE_PACKAGES $GUI_PACKAGES binutils

venv="${STATIONDESK_BUILD_VENV:-.venv}"
if [ "$venv" = ".venv" ]; then
    # The project's own venv (scripts/test.sh made it with [dev]); only when missing.
    [ -x .venv/bin/python ] || ensure_venv -e '.[postgres]'
else
    # A separate build venv: the project (not editable) with the PostgreSQL driver only.
    if [ ! -x "$venv/bin/python" ]; then
        "${PYTHON:-python3}" -m venv "$venv"
    fi
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check '.[postgres]'
fi
py="$venv/bin/python"

have="$("$py" -c 'import importlib.metadata as m; print(m.version("pyinstaller"), m.version("pyinstaller-hooks-contrib"))' 2>/dev/null || true)"
if [ "$have" != "$PYINSTALLER_VERSION $HOOKS_CONTRIB_VERSION" ]; then
    echo "安装 PyInstaller $PYINSTALLER_VERSION"
    "$py" -m pip install --quiet --disable-pip-version-check \
        "pyinstaller==$PYINSTALLER_VERSION" "pyinstaller-hooks-contrib==$HOOKS_CONTRIB_VERSION"
fi

clean=()
[ "${STATIONDESK_FROZEN_CLEAN:-0}" = "1" ] && clean=(--clean)
start=$(date +%s)
"$py" -m PyInstaller --noconfirm "${clean[@]}" --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/stationdesk.spec
# Python's own libraries carry their debug information (libpython alone 23 MB, 5 MB without).
# Only these: strip breaks libraries that auditwheel patched (numpy's OpenBLAS), so the spec
# strips nothing.
find dist/stationdesk/_internal -maxdepth 1 -name 'libpython3*.so*' -type f -exec strip --strip-debug {} +
find dist/stationdesk/_internal/python3*/lib-dynload -name '*.so' -type f -exec strip --strip-debug {} +
echo "已生成：dist/stationdesk/stationdesk（$(du -sh dist/stationdesk | cut -f1)，用时 $(($(date +%s) - start)) 秒）"
