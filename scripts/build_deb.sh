#!/usr/bin/env bash
# Builds dist/stationdesk_<version>_amd64.deb from the frozen one-folder build with dpkg-deb
# (no debhelper): /opt/stationdesk, the /usr/bin/stationdesk launcher, the menu entry
# 派出所窗口服务台账 and its icon. See packaging/README.md.
#
#   scripts/build_deb.sh                         build the frozen folder, then the .deb
#   STATIONDESK_FROZEN_PREBUILT=1                package dist/stationdesk as it is
#   STATIONDESK_DEB_COMPRESS=xz|gzip|none        dpkg-deb compression (default xz; gzip is
#                                                faster for CI; zstd is not offered: dpkg before
#                                                1.21, as on UOS 20 or Kylin V10, cannot read it)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
. scripts/lib.sh
# dpkg-deb is part of dpkg; binutils: objdump for packaging/elf_deps.py.
# shellcheck disable=SC2086
ensure_system_packages $BASE_PACKAGES $GUI_PACKAGES binutils

if [ "${STATIONDESK_FROZEN_PREBUILT:-0}" != "1" ]; then
    scripts/build_frozen.sh
fi
dist="$root/dist/stationdesk"
[ -x "$dist/stationdesk" ] || { echo "找不到冻结程序：$dist/stationdesk（先运行 scripts/build_frozen.sh）"; exit 1; }

version="$(sed -n 's/^version = "\(.*\)"$/\1/p' pyproject.toml | head -1)"
[ -n "$version" ] || { echo "pyproject.toml 中没有版本号"; exit 1; }
arch="$(dpkg --print-architecture)"
[ "$arch" = "amd64" ] || echo "注意：本机架构为 $arch，软件包仍按 amd64 标注（冻结版只在 amd64 上构建和验证过）"
# The frozen Python and Qt need at least the C library they were built against.
glibc="$(dpkg-query -W -f='${Version}' libc6 | sed 's/-.*//')"

stage="$root/build/deb/stationdesk_${version}_amd64"
rm -rf "$stage"
mkdir -p "$stage/DEBIAN" "$stage/opt" "$stage/usr/bin" "$stage/usr/share/applications" \
    "$stage/usr/share/doc/stationdesk"
cp -a "$dist" "$stage/opt/stationdesk"
install -m 0755 packaging/deb/stationdesk.sh "$stage/usr/bin/stationdesk"
install -m 0644 packaging/deb/stationdesk.desktop "$stage/usr/share/applications/stationdesk.desktop"
for size in 16 32 48 64 128 256; do
    install -D -m 0644 "packaging/icons/hicolor-$size.png" \
        "$stage/usr/share/icons/hicolor/${size}x${size}/apps/stationdesk.png"
done
install -D -m 0644 packaging/icons/stationdesk.svg \
    "$stage/usr/share/icons/hicolor/scalable/apps/stationdesk.svg"
{
    echo "派出所窗口服务台账 StationDesk $version"
    echo
    echo "Bundled fonts: Noto Sans SC (SIL Open Font License 1.1), HanaMinB and StationDeskHanCompat"
    echo "(Hanazono fonts licence); common-password list from zxcvbn (MIT). The licence texts are in"
    echo "/opt/stationdesk/_internal/resources/fonts and /opt/stationdesk/_internal/resources/passwords."
    echo "Python, Qt (LGPLv3, PySide6) and the other libraries keep their licences in their"
    echo "*.dist-info folders under /opt/stationdesk/_internal."
} > "$stage/usr/share/doc/stationdesk/copyright"

# Owner root, everything readable, nothing writable but by root; programs stay executable.
chmod -R u+rwX,go+rX,go-w "$stage"
find "$stage" -type d -exec chmod 0755 {} +

installed_kb="$(du -sk --exclude=DEBIAN "$stage" | cut -f1)"
sed -e "s/@VERSION@/$version/" -e "s/@INSTALLED_SIZE@/$installed_kb/" -e "s/@GLIBC@/$glibc/" \
    packaging/deb/control.in > "$stage/DEBIAN/control"
install -m 0755 packaging/deb/postinst "$stage/DEBIAN/postinst"
install -m 0755 packaging/deb/postrm "$stage/DEBIAN/postrm"

# Every library the build needs from the system must be in Depends (ldd-like check on the
# ELF files' DT_NEEDED entries: packaging/elf_deps.py).
depends="$(sed -n 's/^Depends: //p' "$stage/DEBIAN/control")"
needed="$(python3 packaging/elf_deps.py "$dist" --packages --strict | sed -n 's/^Debian 软件包：//p')"
for pkg in ${needed//,/ }; do
    case ", $depends," in
        *", $pkg "* | *", $pkg,"* | *" $pkg,"* | *"| $pkg"*) ;;
        *) echo "control 的 Depends 缺少 $pkg（冻结版需要它的库）：$depends"; exit 1 ;;
    esac
done

compress="${STATIONDESK_DEB_COMPRESS:-xz}"
out="$root/dist/stationdesk_${version}_amd64.deb"
rm -f "$out"
start=$(date +%s)
dpkg-deb --root-owner-group -Z"$compress" --build "$stage" "$out" >/dev/null
rm -rf "$stage"
echo "已生成：$out（$(du -h "$out" | cut -f1)，安装后 $((installed_kb / 1024)) MB，压缩 $compress 用时 $(($(date +%s) - start)) 秒）"
