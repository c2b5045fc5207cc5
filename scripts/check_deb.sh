#!/usr/bin/env bash
# CI check of the .deb (packaging/README.md), as root: builds it, installs it with dpkg -i
# (apt-get install -f for what it depends on), then runs /usr/bin/stationdesk as the
# unprivileged user "nobody" with a throwaway home, offscreen: a demo station, a slip as PDF,
# the integrity check, the login window. Nothing may be written under /opt/stationdesk.
# Then dpkg -r: the program goes, the user's data stays.
#
#   scripts/check_deb.sh
#   STATIONDESK_FROZEN_PREBUILT=1     package dist/stationdesk as it is (after check_frozen.sh)
#   STATIONDESK_DEB_COMPRESS=gzip     faster to build than the default xz (default here: gzip)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
. scripts/lib.sh
if [ "$(id -u)" != "0" ]; then
    echo "须以 root 运行（安装和卸载软件包）。"
    exit 1
fi
# poppler-utils: pdftotext; desktop-file-utils: desktop-file-validate.
# shellcheck disable=SC2086
ensure_system_packages $BASE_PACKAGES $GUI_PACKAGES binutils poppler-utils desktop-file-utils

fail() { echo "DEB CHECK FAILED: $*"; exit 1; }
began=$(date +%s)
if dpkg-query -W -f='${Status}' stationdesk 2>/dev/null | grep -q "install ok installed"; then
    fail "本机已安装 stationdesk：本检查会安装并卸载它，请先 dpkg -r stationdesk"
fi

echo "== 构建"
STATIONDESK_DEB_COMPRESS="${STATIONDESK_DEB_COMPRESS:-gzip}" scripts/build_deb.sh
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' pyproject.toml | head -1)"
deb="$root/dist/stationdesk_${version}_amd64.deb"
[ -f "$deb" ] || fail "没有 $deb"
built=$(date +%s)

work="$(mktemp -d)"
cleanup() {
    rc=$?
    if [ $rc -ne 0 ]; then
        cat "$work"/home/.local/state/StationDesk/log/*.log 2>/dev/null | tail -40 || true
        dpkg -r stationdesk >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
    exit $rc
}
trap cleanup EXIT

echo "== 软件包内容"
info="$(dpkg-deb -I "$deb")"
for want in "Package: stationdesk" "Architecture: amd64" "Depends: libc6"; do
    grep -q "$want" <<<"$info" || fail "control 中没有「$want」"
done
contents="$(dpkg-deb -c "$deb")"
for want in ./opt/stationdesk/stationdesk ./usr/bin/stationdesk \
    ./usr/share/applications/stationdesk.desktop \
    ./usr/share/icons/hicolor/48x48/apps/stationdesk.png \
    ./usr/share/icons/hicolor/scalable/apps/stationdesk.svg \
    ./opt/stationdesk/_internal/resources/catalogue.json \
    ./opt/stationdesk/_internal/db/migrations/script.py.mako; do
    grep -q " $want\$" <<<"$contents" || fail "软件包中没有 $want"
done
if grep -v " root/root " <<<"$contents" | grep -q .; then
    fail "有文件不属于 root"
fi

echo "== dpkg -i"
export DEBIAN_FRONTEND=noninteractive
if ! dpkg -i "$deb"; then
    apt-get update -qq
    apt-get install -f -y -qq --no-install-recommends
fi
status="$(dpkg-query -W -f='${Status}' stationdesk)"
[ "$status" = "install ok installed" ] || fail "没有装好：$status"
desktop-file-validate /usr/share/applications/stationdesk.desktop || fail "菜单项不合规"
grep -q "^Name=派出所窗口服务台账$" /usr/share/applications/stationdesk.desktop || fail "菜单名"

echo "== 以普通用户（nobody）运行 /usr/bin/stationdesk"
mkdir -p "$work/home"
chown -R nobody:nogroup "$work"
chmod 0755 "$work"
stamp="$work/stamp"
touch "$stamp"
sleep 1
as_user() {
    setpriv --reuid=nobody --regid=nogroup --clear-groups \
        env -i PATH=/usr/bin:/bin HOME="$work/home" LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen \
        STATIONDESK_KEYRING=0 STATIONDESK_KEY_DIR="$work/home/keys" \
        STATIONDESK_CONFIG_DIR="$work/home/config" STATIONDESK_PASSWORD=Demo2026 "$@"
}
db="$work/home/demo.db"
out="$(as_user /usr/bin/stationdesk --help)"
grep -q "派出所窗口服务台账" <<<"$out" || fail "--help"
demo="$(as_user /usr/bin/stationdesk demo --db "$db" --days 14)"
grep -q "031011" <<<"$demo" || { echo "$demo"; fail "demo"; }
serial="$(python3 -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
print(c.execute("select serial from visits where accepted_at is not null order by id").fetchone()[0])
' "$db")"
as_user /usr/bin/stationdesk print receipt "$serial" --db "$db" --out "$work/home/receipt.pdf" \
    --badge 031011
text="$(pdftotext "$work/home/receipt.pdf" -)"
for want in "受理回执" "$serial"; do
    grep -q "$want" <<<"$text" || fail "回执 PDF 中没有「$want」"
done
check="$(as_user /usr/bin/stationdesk check --db "$db")"
grep -q "结论：正常" <<<"$check" || { echo "$check"; fail "check"; }
as_user env STATIONDESK_EXIT_AT_LOGIN=1 /usr/bin/stationdesk --db "$db" || fail "登录窗口"
echo "演示所、回执、检查、登录窗口：正常"

written="$(find /opt/stationdesk -newer "$stamp" | head -5)"
[ -z "$written" ] || fail "运行时写入了 /opt/stationdesk：$written"
[ -f "$work/home/.local/state/StationDesk/log/stationdesk-commands.log" ] || fail "日志不在用户目录"

echo "== dpkg -r"
dpkg -r stationdesk >/dev/null
[ ! -e /opt/stationdesk ] || fail "/opt/stationdesk 未删除：$(find /opt/stationdesk | head -5)"
[ ! -e /usr/bin/stationdesk ] || fail "/usr/bin/stationdesk 未删除"
[ ! -e /usr/share/applications/stationdesk.desktop ] || fail "菜单项未删除"
[ -f "$db" ] || fail "卸载删除了用户数据"
echo "deb 检查通过：$(du -h "$deb" | cut -f1)（构建 $((built - began)) 秒，安装、运行、卸载 $(($(date +%s) - built)) 秒）"
