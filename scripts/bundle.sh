#!/usr/bin/env bash
# Makes the offline bundle (issue 15) on a PC with internet access: every wheel StationDesk needs
# for one platform and Python, pinned with SHA-256 in requirements.txt, in a folder and one
# archive that a counter PC on the police network installs with
#   bash scripts/start.sh --offline <folder>
#
#   bash scripts/bundle.sh [--target linux-x86_64|linux-aarch64|win-amd64] [--python 3.11|3.12]
#                          [--out DIR] [--glibc 2.34] [--without-postgres]
#
# Defaults: this PC's platform and Python, dist/offline. The work is scripts/bundle_lock.py's,
# run in a throwaway venv; pip's English goes to the log, each step is said in Chinese.
set -euo pipefail

BUNDLE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOG_DIR="${XDG_STATE_HOME:-$HOME/.local/state}/StationDesk/log"
LOG="$LOG_DIR/bundle.log"

say() {
    printf '%s\n' "$*"
}

usage() {
    say "用法：bash scripts/bundle.sh [--target linux-x86_64|linux-aarch64|win-amd64] [--python 3.11|3.12] [--out 文件夹] [--glibc 2.34] [--without-postgres]"
}

main() {
    local out="$BUNDLE_ROOT/dist/offline"
    local args=()
    while [ "$#" -gt 0 ]; do
        case "$1" in
            --target | --python | --glibc)
                [ "$#" -ge 2 ] || { usage; exit 2; }
                args+=("$1" "$2")
                shift 2
                ;;
            --out)
                [ "$#" -ge 2 ] || { usage; exit 2; }
                out="$2"
                shift 2
                ;;
            --without-postgres)
                args+=("$1")
                shift
                ;;
            -h | --help)
                usage
                exit 0
                ;;
            *)
                say "无法识别的参数：$1"
                usage
                exit 2
                ;;
        esac
    done
    if ! { mkdir -p "$LOG_DIR" && : >"$LOG"; } 2>/dev/null; then
        LOG="${TMPDIR:-/tmp}/stationdesk-bundle.log"
        : >"$LOG"
    fi
    printf '== %s bash scripts/bundle.sh %s\n' "$(date '+%F %T')" "${args[*]:-}" >>"$LOG"

    local python="${PYTHON:-python3}"
    if ! command -v "$python" >/dev/null 2>&1 \
        || ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
        say "需要 Python 3.11 或更新版本（$python）来制作安装包。"
        exit 1
    fi
    local tool
    tool="$(mktemp -d "${TMPDIR:-/tmp}/stationdesk-bundle-tool.XXXXXX")"
    # shellcheck disable=SC2064
    trap "rm -rf '$tool'" EXIT
    say "准备制作工具（临时 Python 环境）…"
    if ! "$python" -m venv "$tool/venv" >>"$LOG" 2>&1; then
        say "无法创建临时 Python 环境，请确认已安装 python3-venv。详细记录：$LOG"
        exit 1
    fi
    mkdir -p "$out"
    "$tool/venv/bin/python" "$BUNDLE_ROOT/scripts/bundle_lock.py" build \
        --out "$out" --log "$LOG" "${args[@]}"
}

main "$@"
