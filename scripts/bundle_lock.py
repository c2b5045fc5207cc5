"""The offline bundle (issue 15): every wheel StationDesk needs, for one platform and Python.

Run by scripts/bundle.sh and scripts/bundle.ps1 inside a throwaway venv (``build``), and by
scripts/start.sh and scripts/start.ps1 at the counter PC before installing (``check``). Only the
standard library and ``packaging`` (pip's own copy when it is not installed) are used, so it
runs on any Python 3.11+ with pip.

pip download ``--platform`` picks wheels for the target but evaluates environment markers
(``tzdata; sys_platform == 'win32'``, keyring's ``pywin32-ctypes``) on the machine that runs it
(pypa/pip#11664). ``pip`` below runs pip with the marker environment of the target, and
``lock`` checks the result independently: from ``stationdesk[extras]`` it walks every wheel's
Requires-Dist with the target's markers and refuses a bundle that misses a dependency, has a
file none requires, a version outside a requirement or a wheel the target cannot install.

Everything said to the officer is Chinese; pip's own output goes to the log.
"""

from __future__ import annotations

import argparse
import datetime as dt
import email.parser
import hashlib
import json
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

try:  # the project's venv has packaging; a bare venv has pip's copy
    from packaging.requirements import Requirement
    from packaging.specifiers import SpecifierSet
    from packaging.tags import Tag, sys_tags
    from packaging.utils import canonicalize_name, parse_wheel_filename
    from packaging.version import Version
except ImportError:  # pragma: no cover - depends on the venv
    from pip._vendor.packaging.requirements import Requirement  # type: ignore[no-redef]
    from pip._vendor.packaging.specifiers import SpecifierSet  # type: ignore[no-redef]
    from pip._vendor.packaging.tags import Tag, sys_tags  # type: ignore[no-redef]
    from pip._vendor.packaging.utils import (  # type: ignore[no-redef]
        canonicalize_name,
        parse_wheel_filename,
    )
    from pip._vendor.packaging.version import Version  # type: ignore[no-redef]

FORMAT = 1
MANIFEST = "manifest.json"
REQUIREMENTS = "requirements.txt"
README = "说明.txt"
PYTHONS = ("3.11", "3.12")
# What the bundle installs on top of stationdesk itself: PostgreSQL (本所服务器) support.
DEFAULT_EXTRAS = ("postgres",)
# Copied into the bundle so that an unpacked bundle alone installs and starts the program.
BUNDLED_SCRIPTS = ("start.sh", "lib.sh", "start.ps1", "bundle_lock.py")

# Exit codes of ``check``, read by start.sh and start.ps1.
CHECK_WRONG_TARGET = 3
CHECK_DAMAGED = 4


class BundleError(Exception):
    """A refusal, in Chinese, for the officer."""


@dataclass(frozen=True)
class Target:
    name: str
    label: str
    sys_platform: str
    os_name: str
    platform_system: str
    platform_machine: str
    # manylinux: the newest glibc the bundle may need by default. PySide6-Essentials 6.11.3
    # ships manylinux_2_34 x86_64 and manylinux_2_39 aarch64 wheels only: a lower floor cannot
    # resolve at all.
    glibc: tuple[int, int] | None
    archive: str

    def platform_tags(self, glibc: tuple[int, int] | None = None) -> list[str]:
        """pip download --platform values, best first (pip does not expand manylinux_2_X)."""
        if self.glibc is None:
            return ["win_amd64"]
        major, minor = glibc or self.glibc
        if major != 2 or minor < 17:
            raise BundleError(f"glibc 版本 {major}.{minor} 不受支持（最低 2.17）")
        arch = self.platform_machine
        tags = [f"manylinux_2_{m}_{arch}" for m in range(minor, 16, -1)]
        tags.append(f"manylinux2014_{arch}")
        if arch == "x86_64":
            tags += [f"manylinux2010_{arch}", f"manylinux1_{arch}"]
        return tags

    def marker_environment(self, python: str) -> dict[str, str]:
        """PEP 508 marker values of CPython ``python`` (3.11, 3.12) on this target.

        The patch level, the kernel and OS build are unknown: X.Y.0 and empty strings.
        """
        full = f"{python}.0"
        return {
            "implementation_name": "cpython",
            "implementation_version": full,
            "os_name": self.os_name,
            "platform_machine": self.platform_machine,
            "platform_release": "",
            "platform_system": self.platform_system,
            "platform_version": "",
            "python_full_version": full,
            "platform_python_implementation": "CPython",
            "python_version": python,
            "sys_platform": self.sys_platform,
        }

    def tags(self, python: str, glibc: tuple[int, int] | None = None) -> set[Tag]:
        """Every wheel tag CPython ``python`` installs on this target (as pip --platform)."""
        nodot = python.replace(".", "")
        platforms = [*self.platform_tags(glibc), "any"]
        minor = int(python.split(".")[1])
        found = set()
        for plat in platforms:
            if plat != "any":
                found.add(Tag(f"cp{nodot}", f"cp{nodot}", plat))
                found.add(Tag(f"cp{nodot}", "none", plat))
                found |= {Tag(f"cp3{m}", "abi3", plat) for m in range(2, minor + 1)}
            found |= {Tag(f"py3{m}", "none", plat) for m in range(0, minor + 1)}
            found.add(Tag("py3", "none", plat))
        found.add(Tag(f"cp{nodot}", "none", "any"))
        return found


TARGETS = {
    "linux-x86_64": Target(
        "linux-x86_64", "Linux x86_64", "linux", "posix", "Linux", "x86_64", (2, 34), "tar.gz"
    ),
    "linux-aarch64": Target(
        "linux-aarch64", "Linux aarch64（ARM64）", "linux", "posix", "Linux", "aarch64", (2, 39),
        "tar.gz",
    ),
    "win-amd64": Target(
        "win-amd64", "Windows x64", "win32", "nt", "Windows", "AMD64", None, "zip"
    ),
}  # fmt: skip


def host_target() -> str | None:
    """The target name of the machine running this, or None (e.g. macOS, 32-bit Windows)."""
    machine = platform.machine().lower()
    if sys.platform.startswith("linux"):
        return {"x86_64": "linux-x86_64", "amd64": "linux-x86_64", "aarch64": "linux-aarch64",
                "arm64": "linux-aarch64"}.get(machine)  # fmt: skip
    if sys.platform == "win32" and machine in ("amd64", "x86_64"):
        return "win-amd64"
    return None


def host_python() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def parse_glibc(text: str) -> tuple[int, int]:
    try:
        major, minor = (int(part) for part in text.split("."))
    except ValueError:
        raise BundleError(f"glibc 版本应写作 2.34 这样的格式，而不是 {text!r}") from None
    return major, minor


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# -- pip with the target's markers ------------------------------------------------------------


def run_pip_for_target(target: Target, python: str, args: Sequence[str]) -> int:
    """pip's main in this process, every environment marker evaluated for the target."""
    from pip._internal.cli.main import main as pip_main
    from pip._vendor.packaging import markers as pip_markers

    environment = target.marker_environment(python)
    pip_markers.default_environment = lambda: dict(environment)  # type: ignore[assignment]
    if hasattr(pip_markers, "_cached_default_environment"):
        pip_markers._cached_default_environment = lambda: environment  # type: ignore[attr-defined]
    probe = pip_markers.Marker(f"sys_platform == 'win32' and python_version == '{python}'")
    if probe.evaluate() != (target.sys_platform == "win32"):
        raise BundleError("无法让 pip 按目标平台判断依赖条件（pip 版本不兼容）")
    return pip_main(list(args))


# -- reading wheels ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Wheel:
    path: Path
    name: str  # canonical
    version: Version
    tags: frozenset[Tag]
    requires: tuple[str, ...]
    requires_python: str | None


def read_wheel(path: Path) -> Wheel:
    name, version, _build, tags = parse_wheel_filename(path.name)
    with zipfile.ZipFile(path) as archive:
        metadata_names = [
            n for n in archive.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA")
        ]
        if len(metadata_names) != 1:
            raise BundleError(f"{path.name} 不是有效的 wheel 文件（没有 METADATA）")
        text = archive.read(metadata_names[0]).decode("utf-8")
    metadata = email.parser.Parser().parsestr(text, headersonly=True)
    return Wheel(
        path=path,
        name=canonicalize_name(name),
        version=version,
        tags=frozenset(tags),
        requires=tuple(metadata.get_all("Requires-Dist") or ()),
        requires_python=metadata.get("Requires-Python"),
    )


def wheels_in(folder: Path) -> list[Wheel]:
    return [read_wheel(path) for path in sorted(folder.glob("*.whl"))]


def resolve_closure(
    wheels: Iterable[Wheel], roots: Iterable[str], environment: dict[str, str]
) -> list[Wheel]:
    """The wheels ``roots`` (requirement strings) need under ``environment``, checked.

    Raises BundleError naming a missing dependency, a version outside a requirement, two
    files of one project or a wheel no requirement reaches.
    """
    by_name: dict[str, Wheel] = {}
    for wheel in wheels:
        if wheel.name in by_name:
            raise BundleError(
                f"同一软件包有两个文件：{by_name[wheel.name].path.name}、{wheel.path.name}"
            )
        by_name[wheel.name] = wheel
    python_full = environment["python_full_version"]
    needed: dict[str, set[str]] = {}  # name -> extras asked of it
    queue = [(Requirement(root), "安装包本身") for root in roots]
    while queue:
        requirement, wanted_by = queue.pop()
        name = canonicalize_name(requirement.name)
        wanted = f"{requirement.name}{requirement.specifier}"  # without its marker
        wheel = by_name.get(name)
        if wheel is None:
            raise BundleError(f"缺少 {wanted}（{wanted_by} 需要）")
        if requirement.specifier and not requirement.specifier.contains(
            wheel.version, prereleases=True
        ):
            raise BundleError(f"{wheel.path.name} 的版本不满足 {wanted}（{wanted_by} 需要）")
        if wheel.requires_python and not SpecifierSet(wheel.requires_python).contains(
            python_full, prereleases=True
        ):
            raise BundleError(f"{wheel.path.name} 要求 Python {wheel.requires_python}")
        extras = set(requirement.extras)
        if name in needed and extras <= needed[name]:
            continue
        new_extras = extras - needed.get(name, set())
        first_visit = name not in needed
        needed.setdefault(name, set()).update(extras)
        for line in wheel.requires:
            dependency = Requirement(line)
            marker = dependency.marker
            applies = marker is None and first_visit
            if marker is not None:
                contexts = ([""] if first_visit else []) + sorted(new_extras)
                applies = any(
                    marker.evaluate({**environment, "extra": extra}) for extra in contexts
                )
            if applies:
                queue.append((dependency, f"{wheel.name} {wheel.version}"))
    unused = sorted(w.path.name for n, w in by_name.items() if n not in needed)
    if unused:
        raise BundleError(f"安装包中有不需要的文件：{'、'.join(unused)}")
    return sorted((by_name[n] for n in needed), key=lambda w: w.name)


def unsupported(wheels: Iterable[Wheel], supported: set[Tag]) -> list[Wheel]:
    return [w for w in wheels if not (w.tags & supported)]


def requirements_text(wheels: Iterable[Wheel]) -> str:
    """requirements.txt for pip --require-hashes: every file pinned to its version and hash."""
    lines = [
        "# StationDesk 离线安装包：每个文件的版本和 SHA-256 校验值（bundle_lock.py 生成，勿手改）",
        "# pip install --no-index --find-links <本文件夹> --require-hashes -r requirements.txt",
    ]
    for wheel in sorted(wheels, key=lambda w: w.name):
        lines.append(f"{wheel.name}=={wheel.version} \\\n    --hash=sha256:{sha256_of(wheel.path)}")
    return "\n".join(lines) + "\n"


def parse_requirements(text: str) -> dict[str, tuple[str, str]]:
    """name -> (version, sha256) of a requirements.txt written by requirements_text."""
    pinned: dict[str, tuple[str, str]] = {}
    for logical in text.replace("\\\n", " ").splitlines():
        logical = logical.split("#", 1)[0].strip()
        if not logical:
            continue
        spec, _, rest = logical.partition(" ")
        name, _, version = spec.partition("==")
        hashes = [p.removeprefix("--hash=sha256:") for p in rest.split() if p.startswith("--hash=")]
        if not version or len(hashes) != 1:
            raise BundleError(f"requirements.txt 格式不对：{logical}")
        pinned[canonicalize_name(name)] = (version, hashes[0])
    return pinned


# -- lock: requirements.txt, manifest and 说明 -------------------------------------------------


def lock(
    folder: Path,
    target: Target,
    python: str,
    extras: Sequence[str],
    glibc: tuple[int, int] | None,
    source: dict[str, str] | None = None,
) -> dict[str, object]:
    """Checks the wheels of ``folder`` for the target and writes requirements.txt and manifest."""
    wheels = wheels_in(folder)
    own = [w for w in wheels if w.name == "stationdesk"]
    if len(own) != 1:
        raise BundleError("安装包中应有且只有一个 stationdesk 程序文件")
    root = f"stationdesk[{','.join(extras)}]" if extras else "stationdesk"
    closure = resolve_closure(
        wheels, [f"{root}=={own[0].version}"], target.marker_environment(python)
    )
    wrong = unsupported(closure, target.tags(python, glibc))
    if wrong:
        names = "、".join(w.path.name for w in wrong)
        raise BundleError(f"以下文件不能安装在 {target.label}、Python {python} 上：{names}")
    (folder / REQUIREMENTS).write_text(requirements_text(closure), encoding="utf-8")
    manifest: dict[str, object] = {
        "format": FORMAT,
        "stationdesk_version": str(own[0].version),
        "target": target.name,
        "target_label": target.label,
        "python": python,
        "glibc": needed_glibc(closure),
        "extras": list(extras),
        "created": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "wheels": len(closure),
        "bytes": sum(w.path.stat().st_size for w in closure),
        **(source or {}),
    }
    (folder / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    (folder / README).write_text(readme_text(manifest), encoding="utf-8", newline="\r\n")
    return manifest


def needed_glibc(wheels: Iterable[Wheel]) -> str | None:
    """The newest glibc any wheel asks for (manylinux_2_X), e.g. "2.34"; None if none does."""
    legacy = {"manylinux1": 5, "manylinux2010": 12, "manylinux2014": 17}
    newest = 0
    for wheel in wheels:
        least = None
        for tag in wheel.tags:
            plat = tag.platform
            if plat.startswith("manylinux_2_"):
                minor = int(plat.split("_")[2])
            elif plat.split("_")[0] in legacy:
                minor = legacy[plat.split("_")[0]]
            else:
                continue
            least = minor if least is None else min(least, minor)
        if least is not None:
            newest = max(newest, least)
    return f"2.{newest}" if newest else None


def folder_name(version: str, target: Target, python: str) -> str:
    return f"stationdesk-{version}-{target.name}-py{python.replace('.', '')}"


def readme_text(manifest: dict[str, object]) -> str:
    windows = manifest["target"] == "win-amd64"
    glibc = manifest.get("glibc")
    system = (
        "Windows 10/11 64 位"
        if windows
        else f"{manifest['target_label']} 的 Linux（glibc {glibc} 或更新，"
        "例如 Ubuntu 22.04+、Debian 12+、银河麒麟/统信 UOS 的相应新版；查看：ldd --version）"
    )
    if windows:
        run = [
            "  1. 把压缩包解压到本机（例如 D:\\StationDesk\\），得到本文件夹；",
            "  2. 在本文件夹中打开 PowerShell，运行：",
            "       powershell -ExecutionPolicy Bypass -File scripts\\start.ps1 -Offline .",
            "     也可以在程序源代码文件夹中运行：scripts\\start.ps1 -Offline <本文件夹>",
        ]
    else:
        run = [
            "  1. 把压缩包复制到本机并解压：tar -xzf <压缩包文件名>，进入解压出的文件夹；",
            "  2. 运行：bash scripts/start.sh --offline .",
            "     也可以在程序源代码文件夹中运行：bash scripts/start.sh --offline <本文件夹>",
        ]
    lines = [
        "StationDesk 派出所窗口服务台账 —— 离线安装包",
        "",
        f"程序版本：{manifest['stationdesk_version']}"
        + (f"（源代码 {manifest['commit']}）" if manifest.get("commit") else ""),
        f"适用系统：{system}",
        f"适用 Python：{manifest['python']}（64 位；Windows 可从 python.org 下载安装程序一并拷入）",
        f"制作时间：{manifest['created']}",
        f"软件包：{manifest['wheels']} 个，共 {int(str(manifest['bytes'])) / 1e6:.0f} MB",
        "",
        "用途：在不能访问互联网的窗口电脑（公安网）上安装 StationDesk 所需的全部 Python 软件包，",
        "无需联网、无需 PyPI 镜像。",
        "",
        "安装步骤：",
        *run,
        "  3. 脚本会逐步用中文说明进度：检查本安装包是否适用于本机、逐个核对文件的校验值、",
        "     安装到程序文件夹中的 .venv，然后启动程序。",
        "     以后每次启动运行同一命令即可（已装好时不再安装）。",
        "",
        "注意：",
        "  - 安装包只适用于上面写明的系统和 Python 版本；不适用时脚本会说明，并提示应制作哪一种。",
        "  - requirements.txt 中记录了每个文件的 SHA-256 校验值，文件损坏或被改动时安装会被拒绝：",
        "    请从原介质重新复制。不要往本文件夹中增删文件。",
        "  - 系统组件（Linux 上的 libxcb-cursor0 等图形界面库）不在本安装包中：",
        "    须由本机已有的系统软件源（内网镜像或系统光盘）提供；缺少时脚本会列出所需的 apt 命令。",
        "  - 离线安装的是本安装包中的程序版本；升级时制作并拷入新的安装包，运行同一命令即可。",
        "",
        "制作方法（在能访问互联网的电脑上，程序源代码文件夹中）：",
        f"  bash scripts/bundle.sh --target {manifest['target']} --python {manifest['python']}",
        f"  或 Windows：scripts\\bundle.ps1 -Target {manifest['target']}"
        f" -Python {manifest['python']}",
        "",
        "文件：manifest.json（目标平台、版本等）、requirements.txt（版本与校验值）、*.whl（软件包）、",
        "scripts/（安装启动脚本）。",
    ]
    return "\n".join(lines) + "\n"


# -- check: at the counter PC -----------------------------------------------------------------


def check(folder: Path, supported: set[Tag] | None = None) -> None:
    """Refuses (BundleError with a code) a bundle for another platform or Python, or damaged."""
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file() or not (folder / REQUIREMENTS).is_file():
        raise CheckError(
            CHECK_DAMAGED,
            f"{folder} 不是 StationDesk 离线安装包（缺少 {MANIFEST} 或 {REQUIREMENTS}）。"
            "请指定解压后的安装包文件夹。",
        )
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    target = TARGETS.get(str(manifest.get("target")))
    here_target, here_python = host_target(), host_python()
    if target is None or manifest.get("format") != FORMAT:
        raise CheckError(
            CHECK_DAMAGED, "无法识别此离线安装包的格式，请用本版本的 bundle 脚本重新制作。"
        )
    label = f"{target.label}、Python {manifest.get('python')}"
    if here_target != target.name or here_python != manifest.get("python"):
        here = (
            TARGETS[here_target].label
            if here_target
            else f"{platform.system()} {platform.machine()}"
        )
        hint = (
            "请在联网电脑上运行 bash scripts/bundle.sh"
            f" --target {here_target} --python {here_python}"
            "（Windows：scripts\\bundle.ps1）制作适合本机的安装包。"
            if here_target
            else "本机的系统不在支持之列。"
        )
        raise CheckError(
            CHECK_WRONG_TARGET,
            f"此离线安装包适用于 {label}，本机为 {here}、Python {here_python}，不能安装。{hint}",
        )
    pinned = parse_requirements((folder / REQUIREMENTS).read_text(encoding="utf-8"))
    wheels = {w.name: w for w in wheels_in(folder)}
    missing = sorted(f"{n}=={v}" for n, (v, _) in pinned.items() if n not in wheels)
    if missing:
        raise CheckError(
            CHECK_DAMAGED,
            f"离线安装包不完整，缺少：{'、'.join(missing)}。请从原介质重新复制整个文件夹。",
        )
    damaged = sorted(
        wheels[n].path.name
        for n, (version, digest) in pinned.items()
        if str(wheels[n].version) != version or sha256_of(wheels[n].path) != digest
    )
    if damaged:
        raise CheckError(
            CHECK_DAMAGED,
            f"离线安装包中的文件已损坏或被改动（校验值不符）：{'、'.join(damaged)}。"
            "请从原介质重新复制整个文件夹。",
        )
    tags = set(sys_tags()) if supported is None else supported
    wrong = unsupported((wheels[n] for n in pinned), tags)
    if wrong:
        glibc = manifest.get("glibc")
        libc = platform.libc_ver()
        why = (
            f"本机系统库版本（{libc[0]} {libc[1]}）低于安装包要求（glibc {glibc}）"
            if glibc and libc[0] == "glibc"
            else "本机不支持其中的软件包"
        )
        raise CheckError(
            CHECK_WRONG_TARGET,
            f"{why}，不能安装：{'、'.join(w.path.name for w in wrong)}。"
            "请升级操作系统，或联系程序维护人员。",
        )


class CheckError(BundleError):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


# -- build: the whole bundle ------------------------------------------------------------------


def build(
    root: Path,
    target: Target,
    python: str,
    out: Path,
    log: Path,
    extras: Sequence[str] = DEFAULT_EXTRAS,
    glibc: tuple[int, int] | None = None,
) -> Path:
    """Builds ``out/<name>/`` and its archive; returns the archive. Says each step in Chinese."""
    started = time.monotonic()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="stationdesk-bundle-") as work_dir:
        work = Path(work_dir)
        stage = work / "wheels"
        stage.mkdir()
        say("准备程序源代码…")
        source_dir, source = _source(root, work / "src", log)
        say("打包 StationDesk 程序本身…")
        _pip(log, ["wheel", "--no-deps", "--wheel-dir", str(stage), str(source_dir)])
        own = next(stage.glob("stationdesk-*.whl"))
        say(f"下载 {target.label}、Python {python} 所需的软件包（约 150 MB，需几分钟）…")
        nodot = python.replace(".", "")
        args = ["download", "--dest", str(stage), "--only-binary=:all:", "--implementation", "cp",
                "--python-version", python, "--abi", f"cp{nodot}"]  # fmt: skip
        for tag in target.platform_tags(glibc):
            args += ["--platform", tag]
        spec = f"{own}[{','.join(extras)}]" if extras else str(own)
        try:
            _pip(log, [*args, spec], target=target, python=python)
        except BundleError:
            raise BundleError(
                f"下载失败：有的软件包没有适用于 {target.label}、Python {python} 的文件，"
                f"或网络不通。详细记录：{log}"
            ) from None
        say("核对依赖关系并计算校验值…")
        manifest = lock(stage, target, python, extras, glibc, source)
        name = folder_name(str(manifest["stationdesk_version"]), target, python)
        final = out / name
        if final.exists():
            shutil.rmtree(final)
        final.mkdir()
        for path in stage.iterdir():
            shutil.copy2(path, final / path.name)
        (final / "scripts").mkdir()
        for script in BUNDLED_SCRIPTS:
            shutil.copy2(root / "scripts" / script, final / "scripts" / script)
    say("生成压缩包…")
    archive = make_archive(final, target.archive)
    digest = sha256_of(archive)
    archive.with_name(archive.name + ".sha256").write_text(
        f"{digest}  {archive.name}\n", encoding="utf-8"
    )
    say(
        f"完成：{manifest['wheels']} 个软件包，共 {int(str(manifest['bytes'])) / 1e6:.1f} MB；"
        f"压缩包 {archive.stat().st_size / 1e6:.1f} MB，用时 {time.monotonic() - started:.0f} 秒。"
    )
    say(f"  文件夹：{final}")
    say(f"  压缩包：{archive}")
    say(f"  SHA-256：{digest}")
    return archive


def make_archive(folder: Path, kind: str) -> Path:
    """folder.tar.gz or folder.zip holding ``folder/`` itself (unpacks into one folder)."""
    if kind == "zip":
        archive = folder.with_name(folder.name + ".zip")
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
            for path in sorted(folder.rglob("*")):
                zipped.write(path, path.relative_to(folder.parent).as_posix())
        return archive
    archive = folder.with_name(folder.name + ".tar.gz")
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(folder, arcname=folder.name)
    return archive


def _source(root: Path, dest: Path, log: Path) -> tuple[Path, dict[str, str]]:
    """The committed tree of a git checkout (HEAD), else the folder itself."""
    if not (root / ".git").exists() or shutil.which("git") is None:
        return root, {}
    git = ["git", "-C", str(root)]
    commit = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True)
    if commit.returncode != 0:
        return root, {}
    dest.mkdir()
    with (dest.parent / "src.tar").open("wb") as tar_file:
        subprocess.run([*git, "archive", "--format=tar", "HEAD"], stdout=tar_file, check=True)
    with tarfile.open(dest.parent / "src.tar") as tar:
        tar.extractall(dest, filter="data")
    changed = subprocess.run(
        [*git, "status", "--porcelain", "--", "app", "ui", "db", "resources", "main.py",
         "pyproject.toml"],
        capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    if changed:
        say("注意：源代码有未提交的改动，安装包使用的是最近一次提交（HEAD）。")
    with log.open("a", encoding="utf-8") as file:
        file.write(f"== source: git HEAD {commit.stdout.strip()}; uncommitted:\n{changed}\n")
    return dest, {"commit": commit.stdout.strip()[:12]}


def _pip(
    log: Path, args: list[str], target: Target | None = None, python: str | None = None
) -> None:
    """pip (for the target's markers: this file's ``pip`` command) with its output in the log."""
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    if target is not None:
        command = [sys.executable, str(Path(__file__).resolve()), "pip", "--target", target.name,
                   "--python", str(python), "--", "--disable-pip-version-check"]  # fmt: skip
    with log.open("a", encoding="utf-8") as file:
        file.write(f"== {' '.join([*command, *args])}\n")
        file.flush()
        done = subprocess.run([*command, *args], stdout=file, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        raise BundleError(f"pip 运行失败，详细记录：{log}")


# -- command line -----------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bundle_lock.py", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build_cmd = commands.add_parser("build", help="制作离线安装包")
    build_cmd.add_argument("--target", choices=sorted(TARGETS), default=host_target())
    build_cmd.add_argument("--python", choices=PYTHONS, default=None)
    build_cmd.add_argument("--glibc", default=None)
    build_cmd.add_argument("--out", type=Path, required=True)
    build_cmd.add_argument("--log", type=Path, required=True)
    build_cmd.add_argument("--without-postgres", action="store_true")
    pip_cmd = commands.add_parser("pip", help="以目标平台的环境标记运行 pip")
    pip_cmd.add_argument("--target", choices=sorted(TARGETS), required=True)
    pip_cmd.add_argument("--python", choices=PYTHONS, required=True)
    pip_cmd.add_argument("pip_args", nargs=argparse.REMAINDER)
    lock_cmd = commands.add_parser(
        "lock", help="核对文件夹并写出 requirements.txt 和 manifest.json"
    )
    lock_cmd.add_argument("folder", type=Path)
    lock_cmd.add_argument("--target", choices=sorted(TARGETS), required=True)
    lock_cmd.add_argument("--python", choices=PYTHONS, required=True)
    lock_cmd.add_argument("--extra", action="append", default=[])
    check_cmd = commands.add_parser("check", help="核对离线安装包是否适用于本机、是否完好")
    check_cmd.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "pip":
            pip_args = args.pip_args[1:] if args.pip_args[:1] == ["--"] else args.pip_args
            return run_pip_for_target(TARGETS[args.target], args.python, pip_args)
        if args.command == "lock":
            lock(args.folder, TARGETS[args.target], args.python, args.extra, None)
            return 0
        if args.command == "check":
            check(args.folder)
            return 0
        if args.target is None:
            raise BundleError(
                "无法判断本机平台，请用 --target 指定（linux-x86_64、linux-aarch64、win-amd64）"
            )
        python = args.python or (host_python() if host_python() in PYTHONS else PYTHONS[0])
        build(
            Path(__file__).resolve().parent.parent,
            TARGETS[args.target],
            python,
            args.out.resolve(),
            args.log.resolve(),
            () if args.without_postgres else DEFAULT_EXTRAS,
            parse_glibc(args.glibc) if args.glibc else None,
        )
        return 0
    except CheckError as refusal:
        say(str(refusal))
        return refusal.code
    except BundleError as refusal:
        say(str(refusal))
        return 1


if __name__ == "__main__":
    sys.exit(main())
