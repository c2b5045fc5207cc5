"""The shared libraries a frozen folder needs from the system, and what it carries for nothing.

    python3 packaging/elf_deps.py dist/stationdesk [--packages] [--strict]

Reads every ELF file's DT_NEEDED entries (``objdump -p``, binutils). A needed library the folder
carries is satisfied inside it; the rest must come from the system (listed, with the Debian
package that holds it when ``--packages``: what packaging/deb/control's Depends must cover).
``--strict`` fails (exit 1) when a system library is not installed here, or when a carried
library nothing needs is left in the folder's top level or Qt's lib folder (a plugin dropped
from the build whose libraries stayed behind). Libraries loaded with ctypes (pypdfium2's
libpdfium) are not DT_NEEDED by anything: they are outside those folders, so never "unused".

Standard library only: runs with the system's python3, no venv.
"""

# ruff: noqa: T201  (a command-line tool: it prints its report)

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

ELF_MAGIC = b"\x7fELF"
# Loaded by the C library itself: never bundled, always there.
LIBC_NAMES = (
    "libc.so",
    "libm.so",
    "libdl.so",
    "libpthread.so",
    "librt.so",
    "libutil.so",
    "ld-linux",
    "linux-vdso",
)
# Loaded by the bootloader with dlopen, not DT_NEEDED.
DLOPENED = ("libpython",)
# Folders whose libraries are only reached through DT_NEEDED (no ctypes, no plugin loading).
PRUNABLE_FOLDERS = ("_internal", "_internal/PySide6/Qt/lib")


def prunable_dest(dest: str) -> bool:
    """A library in the build's top folder or Qt's lib folder (a path inside _internal)."""
    dest = dest.replace("\\", "/")
    name = dest.rsplit("/", 1)[-1]
    in_folder = "/" not in dest or dest.startswith("PySide6/Qt/lib/")
    return in_folder and name.startswith("lib") and ".so" in name


def is_elf(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(4) == ELF_MAGIC
    except OSError:
        return False


def parse_needed(objdump_output: str) -> list[str]:
    """The NEEDED sonames of ``objdump -p`` output."""
    needed = []
    for line in objdump_output.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "NEEDED":
            needed.append(parts[1])
    return needed


def needed_of(path: Path) -> list[str]:
    out = subprocess.run(
        ["objdump", "-p", str(path)], capture_output=True, text=True, check=False
    ).stdout
    return parse_needed(out)


def is_libc(soname: str) -> bool:
    return soname.startswith(LIBC_NAMES)


def external_needs(needs: dict[str, list[str]], carried: Iterable[str]) -> dict[str, set[str]]:
    """soname → the files needing it, for every soname the folder does not carry (nor libc)."""
    have = set(carried)
    missing: dict[str, set[str]] = {}
    for file, sonames in needs.items():
        for soname in sonames:
            if soname not in have and not is_libc(soname):
                missing.setdefault(soname, set()).add(file)
    return missing


def unused_libraries(needs: dict[str, list[str]], prunable: Iterable[str]) -> list[str]:
    """Carried libraries (relative paths in the prunable folders) that nothing kept needs.

    Repeated until nothing changes: a library needed only by an unused one is unused too.
    """
    candidates = {rel for rel in prunable if not Path(rel).name.startswith(DLOPENED)}
    unused: set[str] = set()
    while True:
        wanted = {
            soname for file, sonames in needs.items() if file not in unused for soname in sonames
        }
        more = {rel for rel in candidates - unused if Path(rel).name not in wanted}
        if not more:
            return sorted(unused)
        unused |= more


def system_path(soname: str) -> str | None:
    out = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=False).stdout
    for line in out.splitlines():
        line = line.strip()
        if line.startswith(soname + " ") and "x86-64" in line and "=>" in line:
            return line.split("=>", 1)[1].strip()
    return None


def debian_package(path: str) -> str | None:
    result = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        real = str(Path(path).resolve())
        result = subprocess.run(["dpkg", "-S", real], capture_output=True, text=True, check=False)
    if result.returncode != 0 or ":" not in result.stdout:
        return None
    return result.stdout.split(":", 1)[0].strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--packages", action="store_true", help="name the Debian packages")
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args(argv)
    root: Path = args.folder.resolve()
    files = [p for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()]
    carried = {p.name for p in root.rglob("*") if p.is_file() or p.is_symlink()}
    needs = {p.relative_to(root).as_posix(): needed_of(p) for p in files if is_elf(p)}
    prunable = [
        p.relative_to(root).as_posix()
        for folder in PRUNABLE_FOLDERS
        for p in sorted((root / folder).glob("lib*.so*"))
    ]
    failed = False
    print(f"{len(needs)} 个 ELF 文件")
    print("需要系统提供的库：")
    packages: set[str] = set()
    for soname, users in sorted(external_needs(needs, carried).items()):
        where = system_path(soname)
        package = debian_package(where) if (where and args.packages) else None
        if package:
            packages.add(package)
        example = sorted(users)[0]
        more = f" 等 {len(users)} 个" if len(users) > 1 else ""
        print(f"  {soname:32} {package or where or '（本机没有）'}  ← {example}{more}")
        if where is None:
            failed = True
    if args.packages:
        print("Debian 软件包：" + ", ".join(sorted(packages)))
    unused = unused_libraries(needs, prunable)
    if unused:
        print("无用的库（没有文件需要）：")
        for rel in unused:
            print(f"  {rel}")
        failed = True
    return 1 if (args.strict and failed) else 0


if __name__ == "__main__":
    sys.exit(main())
