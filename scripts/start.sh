#!/usr/bin/env bash
# Sets up StationDesk on this machine and starts it, saying each step in Chinese. Arguments go to
# stationdesk, e.g. --demo. Sourced (tests/test_start_script.py), it only defines its functions.
#
# --offline DIR installs from an offline bundle (scripts/bundle.sh) instead of the internet: a
# counter PC on the police network. In an unpacked bundle (its own copy of this script, no
# pyproject.toml) the bundle itself is used.

START_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib.sh
. "$START_ROOT/scripts/lib.sh"

# A new PC runs unattended upgrades in its first minutes: wait for them rather than fail.
APT_WAIT_SECONDS="${APT_WAIT_SECONDS:-600}"
APT_POLL_SECONDS="${APT_POLL_SECONDS:-5}"
APT_LOCKS="/var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock /var/cache/apt/archives/lock"
# Next to the program's own log (platformdirs' user_log_dir on Linux).
START_LOG_DIR="${XDG_STATE_HOME:-$HOME/.local/state}/StationDesk/log"
START_LOG="$START_LOG_DIR/start.log"

say() {
    printf '%s\n' "$*"
}

# Where apt's and pip's details go; the terminal gets one Chinese sentence and this path.
open_start_log() {
    if ! { mkdir -p "$START_LOG_DIR" && : >"$START_LOG"; } 2>/dev/null; then
        START_LOG="${TMPDIR:-/tmp}/stationdesk-start.log"
        : >"$START_LOG"
    fi
    printf '== %s bash scripts/start.sh\n' "$(date '+%F %T')" >>"$START_LOG"
}

# True while another apt or dpkg (unattended upgrades, a software centre) holds a lock.
apt_busy() {
    if command -v fuser >/dev/null 2>&1; then
        # shellcheck disable=SC2086
        fuser $APT_LOCKS >/dev/null 2>&1
        return
    fi
    # No fuser (psmisc): the programs that take the locks. DPkg::Lock::Timeout covers the rest.
    command -v pgrep >/dev/null 2>&1 && pgrep -x 'apt|apt-get|aptitude|dpkg' >/dev/null 2>&1
}

# Waits (at most APT_WAIT_SECONDS) until apt is free; returns 1 if it never was.
wait_for_apt() {
    apt_busy || return 0
    say "系统正在自动更新，等待其完成后继续安装…（最多等待 $(((APT_WAIT_SECONDS + 59) / 60)) 分钟）"
    local deadline=$((SECONDS + APT_WAIT_SECONDS))
    while apt_busy; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            say "等待系统自动更新超时，未能安装系统组件。请等更新结束后重新运行 bash scripts/start.sh。"
            return 1
        fi
        sleep "$APT_POLL_SECONDS"
    done
    say "系统更新已结束，继续安装系统组件…"
}

# lib.sh's ensure_system_packages calls apt-get: here that call waits for a busy apt, keeps apt's
# English in the log and fails with one Chinese sentence.
apt-get() {
    local attempt=1
    while :; do
        wait_for_apt || exit 1
        if command apt-get -o DPkg::Lock::Timeout="$APT_WAIT_SECONDS" "$@" >>"$START_LOG" 2>&1; then
            return 0
        fi
        # Someone took the lock between our look and apt's: wait again (twice at most).
        if [ "$attempt" -lt 3 ] && tail -n 5 "$START_LOG" | grep -qiE 'could not get lock|unable to acquire|无法获得锁'; then
            attempt=$((attempt + 1))
            continue
        fi
        say "安装系统组件失败，请检查网络和软件源设置后重新运行 bash scripts/start.sh。详细记录：$START_LOG"
        exit 1
    done
}

# The venv, made with a Python 3.11 or newer.
make_venv() {
    local python="${PYTHON:-python3}"
    if ! command -v "$python" >/dev/null 2>&1; then
        say "找不到 $python：请先安装 Python 3.11 或更新版本。"
        exit 1
    fi
    if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
        say "需要 Python 3.11 或更新版本，当前为：$("$python" --version 2>&1)"
        exit 1
    fi
    if [ ! -x .venv/bin/python ] && ! "$python" -m venv .venv >>"$START_LOG" 2>&1; then
        say "无法创建 Python 环境（.venv），请确认已安装 python3-venv。详细记录：$START_LOG"
        exit 1
    fi
}

# The venv and the project in it (lib.sh's ensure_venv, with pip's own progress shown).
prepare_python() {
    make_venv
    # The same stamp as lib.sh: installed again only when the dependencies changed, so a counter
    # PC without network access starts from what is already installed.
    local stamp=".venv/.stationdesk-installed"
    if [ -f "$stamp" ] && [ "$(cut -d' ' -f1 "$stamp")" = "offline" ]; then
        say "所需软件包已安装（来自离线安装包；要改为联网安装，请删除 .venv 文件夹后重新运行）。"
        return 0
    fi
    local want
    want="$(sha256sum <pyproject.toml | cut -d' ' -f1) $*"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        say "所需软件包已安装。"
        return 0
    fi
    say "安装所需软件包（首次约需 1 分钟）…"
    if ! .venv/bin/python -m pip install --disable-pip-version-check --log "$START_LOG" "$@"; then
        say "安装软件包失败，请检查网络连接（或内网 PyPI 镜像设置）后重新运行 bash scripts/start.sh。详细记录：$START_LOG"
        exit 1
    fi
    echo "$want" >"$stamp"
}

# Takes --offline DIR (or --offline=DIR) out of the arguments: OFFLINE_DIR, and START_ARGS for
# stationdesk.
parse_start_args() {
    OFFLINE_DIR=""
    START_ARGS=()
    while [ "$#" -gt 0 ]; do
        case "$1" in
            --offline)
                if [ "$#" -lt 2 ] || [ -z "$2" ]; then
                    say "--offline 后面须写离线安装包文件夹，例如：bash scripts/start.sh --offline /media/usb/stationdesk-0.1.0-linux-x86_64-py311"
                    exit 2
                fi
                OFFLINE_DIR="$2"
                shift 2
                ;;
            --offline=*)
                OFFLINE_DIR="${1#--offline=}"
                shift
                ;;
            --)
                START_ARGS+=("$@")
                break
                ;;
            *)
                START_ARGS+=("$1")
                shift
                ;;
        esac
    done
}

# OFFLINE_DIR made absolute (the script changes to its own folder), or one Chinese sentence.
resolve_offline_dir() {
    local dir="$OFFLINE_DIR"
    if [ -f "$dir" ]; then
        say "$dir 是压缩包，请先解压（tar -xzf $dir），再指定解压出的文件夹。"
        exit 1
    fi
    if [ ! -d "$dir" ]; then
        say "找不到离线安装包文件夹：$dir"
        exit 1
    fi
    OFFLINE_DIR="$(cd "$dir" && pwd)"
}

# The venv and the bundle's exact files in it: pip without any index, every file checked against
# its SHA-256 in the bundle's requirements.txt. pip's English goes to the log.
prepare_python_offline() {
    local dir="$1"
    make_venv
    if [ ! -f "$dir/requirements.txt" ]; then
        say "$dir 不是 StationDesk 离线安装包（缺少 requirements.txt）。请指定解压后的安装包文件夹。"
        exit 1
    fi
    local stamp=".venv/.stationdesk-installed"
    local want
    want="offline $(sha256sum <"$dir/requirements.txt" | cut -d' ' -f1)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        say "所需软件包已安装。"
        return 0
    fi
    say "检查离线安装包…"
    # Another platform or Python, a missing or altered file: bundle_lock.py says which in Chinese.
    if ! .venv/bin/python "$START_ROOT/scripts/bundle_lock.py" check "$dir" 2>>"$START_LOG"; then
        say "未安装。详细记录：$START_LOG"
        exit 1
    fi
    say "从离线安装包安装所需软件包（约需 1 分钟）…"
    # No index, no pip configuration (a mirror, find-links): only the bundle's files.
    if ! PIP_CONFIG_FILE=/dev/null .venv/bin/python -m pip install --disable-pip-version-check \
        --no-index --find-links "$dir" --require-hashes --force-reinstall \
        -r "$dir/requirements.txt" >>"$START_LOG" 2>&1; then
        if grep -q "DO NOT MATCH THE HASHES" "$START_LOG"; then
            say "离线安装包中的文件已损坏或被改动（校验值不符），已停止安装。请从原介质重新复制整个安装包。详细记录：$START_LOG"
        elif grep -qiE "No matching distribution|is not a supported wheel" "$START_LOG"; then
            say "离线安装包不适用于本机或不完整，已停止安装。详细记录：$START_LOG"
        else
            say "从离线安装包安装失败。详细记录：$START_LOG"
        fi
        exit 1
    fi
    echo "$want" >"$stamp"
}

start_main() {
    set -euo pipefail
    parse_start_args "$@"
    if [ -n "$OFFLINE_DIR" ]; then
        resolve_offline_dir
    fi
    cd "$START_ROOT"
    # An unpacked bundle has this script but no pyproject.toml: it installs itself.
    if [ -z "$OFFLINE_DIR" ] && [ ! -f pyproject.toml ] && [ -f manifest.json ]; then
        OFFLINE_DIR="$START_ROOT"
    fi
    open_start_log
    say "检查系统组件…"
    # shellcheck disable=SC2086
    ensure_system_packages $BASE_PACKAGES $GUI_PACKAGES
    say "准备 Python 环境…"
    if [ -n "$OFFLINE_DIR" ]; then
        prepare_python_offline "$OFFLINE_DIR"
    else
        prepare_python -e .
    fi
    say "启动 StationDesk…"
    exec .venv/bin/stationdesk "${START_ARGS[@]}"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    start_main "$@"
fi
