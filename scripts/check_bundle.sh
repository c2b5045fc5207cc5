#!/usr/bin/env bash
# CI check of the offline bundle (issue 15), end to end, on this PC's Python (Linux x86_64):
#   1. scripts/bundle.sh makes the bundle (needs PyPI or its mirror);
#   2. its archive is unpacked in a temporary folder and installed into a fresh venv there by the
#      bundle's own copy of start.sh (prepare_python_offline), with every index, mirror, pip
#      configuration and proxy pointing nowhere: any download would fail;
#   3. the installed program makes a demo station and `stationdesk check` checks it; Qt, ReportLab's
#      accelerator and psycopg's binary build are imported.
# Exits non-zero on any failure and prints what it measured. KEEP_BUNDLE_CHECK=1 keeps the folder.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
export PYTHON

say() {
    printf '%s\n' "$*"
}

fail() {
    say "离线安装包检查未通过：$*"
    exit 1
}

seconds_since() {
    echo $(($(date +%s) - $1))
}

main() {
    local work
    work="$(mktemp -d "${TMPDIR:-/tmp}/stationdesk-check-bundle.XXXXXX")"
    if [ "${KEEP_BUNDLE_CHECK:-0}" = "1" ]; then
        say "（保留临时文件夹：$work）"
    else
        # shellcheck disable=SC2064
        trap "rm -rf '$work'" EXIT
    fi
    [ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || fail "本检查须在 Linux x86_64 上运行"
    local pyver
    pyver="$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
    export XDG_STATE_HOME="$work/state"

    say "== 1/3 制作 Linux x86_64、Python $pyver 的离线安装包"
    local started elapsed_bundle
    started="$(date +%s)"
    bash "$ROOT/scripts/bundle.sh" --target linux-x86_64 --python "$pyver" --out "$work/out" \
        || fail "制作安装包失败（记录：$work/state/StationDesk/log/bundle.log）"
    elapsed_bundle="$(seconds_since "$started")"
    local archive
    archive="$(find "$work/out" -maxdepth 1 -name 'stationdesk-*-linux-x86_64-py*.tar.gz' | head -n 1)"
    [ -n "$archive" ] || fail "没有生成压缩包"
    (cd "$work/out" && sha256sum -c --quiet "$(basename "$archive").sha256") \
        || fail "压缩包与其 .sha256 不符"

    say "== 2/3 在断网条件下从压缩包安装到新的 Python 环境"
    mkdir "$work/unpacked"
    tar -xzf "$archive" -C "$work/unpacked"
    local bundle
    bundle="$(find "$work/unpacked" -mindepth 1 -maxdepth 1 -type d | head -n 1)"
    local wheels
    wheels="$(find "$bundle" -maxdepth 1 -name '*.whl' | wc -l)"
    [ "$wheels" -eq "$(grep -c -- '--hash=sha256:' "$bundle/requirements.txt")" ] \
        || fail "软件包文件数与 requirements.txt 不一致"
    # Every way pip could reach a package index leads nowhere.
    local blocked=(env -u PIP_FIND_LINKS -u PIP_EXTRA_INDEX_URL PIP_NO_INDEX=1
        PIP_INDEX_URL=http://127.0.0.1:9/ PIP_CONFIG_FILE=/dev/null
        http_proxy=http://127.0.0.1:9/ https_proxy=http://127.0.0.1:9/
        HTTP_PROXY=http://127.0.0.1:9/ HTTPS_PROXY=http://127.0.0.1:9/ PIP_RETRIES=0
        PIP_DEFAULT_TIMEOUT=2)
    # The blocking itself is checked: a download must fail.
    if "${blocked[@]}" "$PYTHON" -m pip download --no-deps --no-cache-dir -d "$work/probe" \
        six >/dev/null 2>&1; then
        fail "断网设置无效：pip 仍能下载软件包"
    fi
    started="$(date +%s)"
    # The bundle's own start.sh, sourced: its offline installation step only (no apt, no GUI).
    (
        cd "$bundle"
        # shellcheck disable=SC2016 # expanded by the inner bash
        "${blocked[@]}" bash -c \
            'set -euo pipefail; source scripts/start.sh; cd "$START_ROOT"; open_start_log; prepare_python_offline "$1"' \
            check-bundle "$bundle"
    ) || fail "从离线安装包安装失败（记录：$work/state/StationDesk/log/start.log）"
    local elapsed_install
    elapsed_install="$(seconds_since "$started")"
    grep -q "Looking in links: $bundle" "$work/state/StationDesk/log/start.log" \
        || fail "安装记录中没有看到 pip 使用安装包文件夹"
    local venv="$bundle/.venv"

    say "== 3/3 用安装好的程序生成演示所并检查数据库"
    export STATIONDESK_KEY_DIR="$work/keys" STATIONDESK_CONFIG_DIR="$work/config" \
        STATIONDESK_KEYRING=0 QT_QPA_PLATFORM=offscreen
    started="$(date +%s)"
    "$venv/bin/stationdesk" demo --db "$work/demo.sqlite3" --days "${BUNDLE_DEMO_DAYS:-30}" \
        >"$work/demo.out" 2>&1 || { cat "$work/demo.out"; fail "stationdesk demo 失败"; }
    "$venv/bin/stationdesk" check --db "$work/demo.sqlite3" >"$work/check.out" 2>&1 \
        || { cat "$work/check.out"; fail "stationdesk check 未通过"; }
    local elapsed_demo
    elapsed_demo="$(seconds_since "$started")"
    "$venv/bin/python" - >"$work/imports.out" 2>&1 <<'EOF' || { cat "$work/imports.out"; fail "导入检查失败"; }
import psycopg
from PySide6.QtWidgets import QApplication
from reportlab.lib import rl_accel  # noqa: F401 - the C speed-ups of reportlab[accel]

app = QApplication([])
assert psycopg.pq.__impl__ == "binary", psycopg.pq.__impl__
print("Qt", app.applicationName(), "psycopg", psycopg.pq.__impl__)
EOF
    # What was installed is exactly what the bundle pinned.
    local installed
    installed="$("$venv/bin/python" -m pip list --format=freeze --disable-pip-version-check 2>/dev/null | grep -c '==')"

    local folder_mb archive_mb
    folder_mb="$(($(du -sb --exclude=.venv "$bundle" | cut -f1) / 1000000))"
    archive_mb="$(($(stat -c %s "$archive") / 1000000))"
    say "离线安装包检查通过："
    say "  安装包：$(basename "$archive")，软件包 $wheels 个，文件夹 ${folder_mb} MB，压缩包 ${archive_mb} MB"
    say "  制作用时 ${elapsed_bundle} 秒；断网安装用时 ${elapsed_install} 秒（环境中共 $installed 个软件包）"
    say "  演示所生成与数据库检查用时 ${elapsed_demo} 秒：$(tail -n 1 "$work/check.out")"
}

main "$@"
