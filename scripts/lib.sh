# Shared set-up steps of scripts/start.sh and scripts/test.sh (sourced, not run).
# Debian/Ubuntu: installs missing system libraries with apt when run as root, otherwise prints
# the exact apt line and stops. Then makes .venv and installs the project into it.

# Qt offscreen (tests, screenshots) and the Python venv.
BASE_PACKAGES="python3-venv ca-certificates libglib2.0-0 libgl1 libegl1 libfontconfig1 libxkbcommon0 libdbus-1-3"
# A real window on X11 (Qt >= 6.5 will not start on xcb without libxcb-cursor0), and CUPS printing.
GUI_PACKAGES="libx11-xcb1 libxcb1 libxcb-cursor0 libxcb-glx0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-render0 libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-util1 libxcb-xfixes0 libxcb-xkb1 libxkbcommon-x11-0 libcups2"
# PDF checks in the tests (pdftotext, pdffonts, pdftoppm) and QR decoding (zbarimg).
TEST_PACKAGES="poppler-utils zbar-tools postgresql"

ensure_system_packages() {
    command -v dpkg-query >/dev/null 2>&1 || return 0   # not Debian-like: nothing to check
    local missing=""
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
            missing="$missing $pkg"
        fi
    done
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" = "0" ]; then
        echo "正在安装系统依赖：$missing"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        # shellcheck disable=SC2086
        apt-get install -y -qq --no-install-recommends $missing
    else
        echo "缺少系统依赖。请先以管理员身份运行："
        echo "  sudo apt-get install -y --no-install-recommends$missing"
        exit 1
    fi
}

ensure_venv() {
    local python="${PYTHON:-python3}"
    if ! command -v "$python" >/dev/null 2>&1; then
        echo "找不到 $python：请先安装 Python 3.11 或更新版本。"
        exit 1
    fi
    if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
        echo "需要 Python 3.11 或更新版本，当前为：$("$python" --version 2>&1)"
        exit 1
    fi
    if [ ! -x .venv/bin/python ]; then
        "$python" -m venv .venv
    fi
    # Install again only when the dependencies changed, so a counter PC without network access
    # starts from what is already installed.
    local stamp=".venv/.stationdesk-installed"
    local want
    want="$(cat pyproject.toml | sha256sum | cut -d' ' -f1) $*"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    .venv/bin/python -m pip install --quiet --disable-pip-version-check "$@"
    echo "$want" > "$stamp"
}
