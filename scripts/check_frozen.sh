#!/usr/bin/env bash
# CI check of the frozen build (packaging/README.md): builds dist/stationdesk, then with the
# frozen binary only, offscreen, in a throwaway home: a demo station, a slip and a monthly
# report as PDF (text and embedded fonts checked), an Excel export, the integrity check, the
# login window, every page's screenshot; nothing may be written into the build folder. Then
# the build's size and its start times next to the source's (.venv/bin/stationdesk).
#
#   scripts/check_frozen.sh                      build, then check
#   STATIONDESK_FROZEN_PREBUILT=1 scripts/check_frozen.sh   check dist/stationdesk as it is
#   STATIONDESK_TIMING_RUNS=5                    runs per start-time median (0: no timing)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
. scripts/lib.sh
# poppler-utils: pdftotext and pdffonts; binutils: objdump (packaging/elf_deps.py). GUI_PACKAGES:
# the X11 libraries the bundled xcb plugin loads must be on the building machine, or the check
# of the libraries the system has to provide finds them missing (a fresh machine has none).
# shellcheck disable=SC2086
ensure_system_packages $BASE_PACKAGES $GUI_PACKAGES binutils poppler-utils

began=$(date +%s)
if [ "${STATIONDESK_FROZEN_PREBUILT:-0}" != "1" ]; then
    scripts/build_frozen.sh
fi
built=$(date +%s)
dist="$root/dist/stationdesk"
bin="$dist/stationdesk"
[ -x "$bin" ] || { echo "找不到冻结程序：$bin"; exit 1; }

fail() { echo "FROZEN CHECK FAILED: $*"; exit 1; }

echo "== 系统库"
python3 packaging/elf_deps.py "$dist" --strict || fail "库不全，或带了没用的库（见上）"

work="$(mktemp -d)"
mkdir -p "$work/home"
stamp="$work/stamp"
touch "$stamp"
sleep 1  # a file written in the same second as the stamp still counts as newer
# Every user folder (platformdirs) under the throwaway home.
export HOME="$work/home"
export STATIONDESK_KEY_DIR="$work/keys" STATIONDESK_KEYRING=0 STATIONDESK_CONFIG_DIR="$work/config"
export STATIONDESK_PASSWORD=Demo2026 QT_QPA_PLATFORM=offscreen
unset XDG_CONFIG_HOME XDG_DATA_HOME XDG_CACHE_HOME XDG_STATE_HOME
db="$work/demo.db"
logs="$HOME/.local/state/StationDesk/log"
cleanup() {
    local rc=$?
    [ $rc -eq 0 ] || cat "$logs"/*.log 2>/dev/null | tail -40 || true
    rm -rf "$work"
    exit $rc
}
trap cleanup EXIT

echo "== stationdesk --help"
# (grep -q on a pipe ends the writer early: with pipefail that fails; hence the variables)
out="$("$bin" --help)"
grep -q "派出所窗口服务台账" <<<"$out" || fail "--help"

echo "== stationdesk demo"
# Two weeks: enough workdays for every kind of record even across a week-long holiday.
"$bin" demo --db "$db" --days 14 | tee "$work/demo.txt"
grep -q "031011" "$work/demo.txt" || fail "demo 没有列出演示账号"

serial="$(python3 - "$db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
row = c.execute("select serial, local_date from visits where accepted_at is not null "
                "order by id limit 1").fetchone()
print(row[0], row[1][:7])
PY
)"
month="${serial#* }"
serial="${serial% *}"
echo "受理回执：$serial，月度通报：$month"

echo "== stationdesk print receipt"
"$bin" print receipt "$serial" --db "$db" --out "$work/receipt.pdf" --badge 031011
text="$(pdftotext -layout "$work/receipt.pdf" -)"
for want in "受理回执" "$serial" "派出所" "张伟"; do
    grep -q "$want" <<<"$text" || fail "回执 PDF 中没有「$want」"
done
fonts="$(pdffonts "$work/receipt.pdf")"
grep -q "NotoSansSC.*yes yes yes" <<<"$fonts" || fail "回执未嵌入 Noto Sans SC"

echo "== stationdesk print monthly (matplotlib charts)"
"$bin" print monthly "$month" --db "$db" --out "$work/monthly.pdf" --badge 031001
text="$(pdftotext "$work/monthly.pdf" -)"
grep -q "窗口服务情况通报" <<<"$text" || fail "月度通报 PDF 文字"

echo "== stationdesk export statistics"
"$bin" export statistics --from "$month-01" --to "$month-28" --db "$db" --out "$work/stats.xlsx" --badge 031001
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).getinfo("xl/workbook.xml")' \
    "$work/stats.xlsx" || fail "统计表不是 Excel 工作簿"

echo "== stationdesk check"
"$bin" check --db "$db" | tee "$work/check.txt"
grep -q "结论：正常" "$work/check.txt" || fail "check"

echo "== 登录窗口（离屏，显示后立即关闭）"
STATIONDESK_EXIT_AT_LOGIN=1 "$bin" --db "$db" || fail "图形界面没有正常启动到登录窗口"

echo "== stationdesk screenshots（每个页面和主要对话框）"
cp "$db" "$work/shots.db"
"$bin" screenshots --db "$work/shots.db" --out "$work/shots" >/dev/null
[ -s "$work/shots/01-login.png" ] || fail "没有登录窗口截图"
count=$(find "$work/shots" -name '*.png' -size +1k | wc -l)
[ "$count" -ge 30 ] || fail "截图只有 $count 张"
echo "截图 $count 张"

echo "== 程序文件夹未被写入"
written="$(find "$dist" -newer "$stamp" | head -5)"
[ -z "$written" ] || fail "运行时写入了程序文件夹：$written"

echo "== 大小"
du -sh "$dist"
if [ "${STATIONDESK_TIMING_RUNS:-5}" != "0" ]; then
    echo "== 启动时间"
    programs=("frozen=$bin")
    [ -x .venv/bin/stationdesk ] && programs+=("source=$root/.venv/bin/stationdesk")
    python3 packaging/startup_times.py --runs "${STATIONDESK_TIMING_RUNS:-5}" --db "$db" "${programs[@]}"
fi
echo "冻结版检查通过（构建 $((built - began)) 秒，检查 $(($(date +%s) - built)) 秒）"
