"""The offline bundle (issue 15): scripts/bundle_lock.py and scripts/start.sh --offline.

No network: tiny wheels made here stand for the real ones. The full download, the offline
install and a demo station are scripts/check_bundle.sh's.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load_bundle_lock() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bundle_lock", ROOT / "scripts" / "bundle_lock.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bundle_lock"] = module
    spec.loader.exec_module(module)
    return module


bl = _load_bundle_lock()
HOST = bl.host_target()
needs_host_target = pytest.mark.skipif(HOST is None, reason="not a bundle platform")
needs_bash = pytest.mark.skipif(
    sys.platform == "win32" or shutil.which("bash") is None, reason="a bash script"
)


def make_wheel(
    folder: Path,
    name: str,
    version: str,
    tag: str = "py3-none-any",
    requires: tuple[str, ...] = (),
    requires_python: str | None = None,
) -> Path:
    """A minimal but installable wheel."""
    folder.mkdir(parents=True, exist_ok=True)
    dist = name.replace("-", "_")
    path = folder / f"{dist}-{version}-{tag}.whl"
    info = f"{dist}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    if requires_python:
        metadata += f"Requires-Python: {requires_python}\n"
    metadata += "".join(f"Requires-Dist: {r}\n" for r in requires)
    files = {
        f"{dist}/__init__.py": f"VERSION = {version!r}\n",
        f"{info}/METADATA": metadata,
        f"{info}/WHEEL": (
            f"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: {tag}\n"
        ),
    }
    with zipfile.ZipFile(path, "w") as archive:
        for member, text in files.items():
            archive.writestr(member, text)
        archive.writestr(f"{info}/RECORD", "".join(f"{m},,\n" for m in [*files, f"{info}/RECORD"]))
    return path


def fake_wheelhouse(folder: Path, platform_tag: str = "manylinux_2_17_x86_64") -> Path:
    """stationdesk with a Windows-only and a Python-version dependency, an extra and a C wheel."""
    make_wheel(
        folder,
        "stationdesk",
        "0.1.0",
        requires=(
            "fastlib>=1.0",
            "tzdata>=2024.1; sys_platform == 'win32'",
            "psycopg[binary]>=3.2; extra == 'postgres'",
        ),
    )
    make_wheel(folder, "fastlib", "1.2", tag=f"cp311-abi3-{platform_tag}")
    make_wheel(
        folder,
        "psycopg",
        "3.3.0",
        requires=("psycopg-binary==3.3.0; extra == 'binary'", "oldback; python_version < '3.12'"),
    )
    make_wheel(folder, "psycopg-binary", "3.3.0", tag=f"cp311-cp311-{platform_tag}")
    make_wheel(folder, "oldback", "1.0", requires_python=">=3.8")
    return folder


# -- targets and markers ----------------------------------------------------------------------


def test_each_target_maps_to_the_platform_tags_pip_needs() -> None:
    x86 = bl.TARGETS["linux-x86_64"].platform_tags()
    # PySide6-Essentials 6.11.3 is manylinux_2_34 on x86_64: the newest tag first, every older
    # glibc down to manylinux2014 after it (pip does not expand manylinux_2_X itself).
    assert x86[0] == "manylinux_2_34_x86_64"
    assert x86[1:3] == ["manylinux_2_33_x86_64", "manylinux_2_32_x86_64"]
    assert "manylinux_2_17_x86_64" in x86 and "manylinux_2_16_x86_64" not in x86
    assert x86[-3:] == ["manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"]
    arm = bl.TARGETS["linux-aarch64"].platform_tags()
    assert arm[0] == "manylinux_2_39_aarch64" and arm[-1] == "manylinux2014_aarch64"
    assert all(tag.endswith("_aarch64") for tag in arm)
    assert bl.TARGETS["win-amd64"].platform_tags() == ["win_amd64"]
    assert bl.TARGETS["linux-x86_64"].platform_tags((2, 28))[0] == "manylinux_2_28_x86_64"
    with pytest.raises(bl.BundleError, match="glibc"):
        bl.TARGETS["linux-x86_64"].platform_tags((2, 12))
    assert bl.parse_glibc("2.31") == (2, 31)
    with pytest.raises(bl.BundleError):
        bl.parse_glibc("glibc-2.31")


def test_markers_are_those_of_the_target_not_of_this_machine() -> None:
    from packaging.markers import Marker

    tzdata = Marker("sys_platform == 'win32'")
    windows = bl.TARGETS["win-amd64"].marker_environment("3.12")
    linux = bl.TARGETS["linux-aarch64"].marker_environment("3.11")
    assert tzdata.evaluate(windows) and not tzdata.evaluate(linux)
    assert Marker("platform_machine == 'AMD64' and os_name == 'nt'").evaluate(windows)
    assert Marker("platform_machine == 'aarch64'").evaluate(linux)
    backport = Marker("python_version < '3.12'")
    assert backport.evaluate(linux) and not backport.evaluate(windows)


def test_the_target_tags_accept_only_wheels_for_it() -> None:
    from packaging.tags import parse_tag

    def accepts(target: str, python: str, tag: str) -> bool:
        return bool(parse_tag(tag) & bl.TARGETS[target].tags(python))

    assert accepts("linux-x86_64", "3.11", "cp310-abi3-manylinux_2_34_x86_64")
    assert accepts("linux-x86_64", "3.11", "cp311-cp311-manylinux2014_x86_64")
    assert accepts("linux-x86_64", "3.12", "py3-none-any")
    assert not accepts("linux-x86_64", "3.11", "cp310-abi3-manylinux_2_39_x86_64")  # glibc
    assert not accepts("linux-x86_64", "3.11", "cp312-cp312-manylinux2014_x86_64")  # Python
    assert not accepts("linux-x86_64", "3.11", "cp311-cp311-manylinux2014_aarch64")
    assert not accepts("win-amd64", "3.12", "cp312-cp312-manylinux2014_x86_64")
    assert accepts("win-amd64", "3.12", "cp312-cp312-win_amd64")
    assert accepts("linux-aarch64", "3.12", "cp310-abi3-manylinux_2_39_aarch64")


# -- the dependency check and the hash-pinned requirements -----------------------------------


def test_the_closure_follows_extras_and_the_targets_markers(tmp_path: Path) -> None:
    wheels = bl.wheels_in(fake_wheelhouse(tmp_path))
    linux = bl.TARGETS["linux-x86_64"].marker_environment("3.11")

    closure = bl.resolve_closure(wheels, ["stationdesk[postgres]==0.1.0"], linux)

    assert [w.name for w in closure] == [
        "fastlib", "oldback", "psycopg", "psycopg-binary", "stationdesk",
    ]  # fmt: skip
    # Without the extra, psycopg's wheels are files nothing needs.
    with pytest.raises(bl.BundleError, match=r"不需要的文件.*psycopg"):
        bl.resolve_closure(wheels, ["stationdesk==0.1.0"], linux)
    # For Python 3.12 the backport is not needed; for Windows tzdata is, and it is missing.
    py312 = bl.TARGETS["linux-x86_64"].marker_environment("3.12")
    with pytest.raises(bl.BundleError, match=r"不需要的文件.*oldback"):
        bl.resolve_closure(wheels, ["stationdesk[postgres]"], py312)
    windows = bl.TARGETS["win-amd64"].marker_environment("3.11")
    with pytest.raises(
        bl.BundleError, match=re.escape("缺少 tzdata>=2024.1（stationdesk 0.1.0 需要）")
    ):
        bl.resolve_closure(wheels, ["stationdesk[postgres]"], windows)


def test_the_closure_refuses_a_version_outside_a_requirement(tmp_path: Path) -> None:
    fake_wheelhouse(tmp_path)
    (tmp_path / "fastlib-1.2-cp311-abi3-manylinux_2_17_x86_64.whl").unlink()
    make_wheel(tmp_path, "fastlib", "0.9", tag="cp311-abi3-manylinux_2_17_x86_64")
    linux = bl.TARGETS["linux-x86_64"].marker_environment("3.11")

    with pytest.raises(bl.BundleError, match=r"fastlib-0.9.*不满足 fastlib>=1.0"):
        bl.resolve_closure(bl.wheels_in(tmp_path), ["stationdesk[postgres]"], linux)


def test_requirements_pin_every_file_by_version_and_sha256(tmp_path: Path) -> None:
    wheels = bl.wheels_in(fake_wheelhouse(tmp_path))

    text = bl.requirements_text(wheels)

    pinned = bl.parse_requirements(text)
    assert set(pinned) == {w.name for w in wheels}
    for wheel in wheels:
        digest = hashlib.sha256(wheel.path.read_bytes()).hexdigest()
        assert pinned[wheel.name] == (str(wheel.version), digest)
        assert f"{wheel.name}=={wheel.version} \\\n    --hash=sha256:{digest}" in text


def _lock(folder: Path, target: str, python: str = "3.11") -> dict[str, object]:
    return bl.lock(folder, bl.TARGETS[target], python, ["postgres"], None, {"commit": "abc"})


def test_lock_writes_requirements_manifest_and_a_chinese_readme(tmp_path: Path) -> None:
    folder = fake_wheelhouse(tmp_path / "bundle")

    manifest = _lock(folder, "linux-x86_64")

    assert json.loads((folder / "manifest.json").read_text(encoding="utf-8")) == manifest
    assert manifest["target"] == "linux-x86_64" and manifest["python"] == "3.11"
    assert manifest["stationdesk_version"] == "0.1.0" and manifest["wheels"] == 5
    assert manifest["glibc"] == "2.17" and manifest["commit"] == "abc"
    readme = (folder / "说明.txt").read_text(encoding="utf-8")
    assert "bash scripts/start.sh --offline ." in readme and "Python：3.11" in readme
    # A wheel the target cannot install is refused: these are Linux wheels.
    windows = fake_wheelhouse(tmp_path / "windows")
    make_wheel(windows, "tzdata", "2026.1")
    with pytest.raises(bl.BundleError, match="不能安装在 Windows x64"):
        _lock(windows, "win-amd64")


def test_pip_installs_the_pinned_files_offline_and_refuses_an_altered_one(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "bundle"
    make_wheel(folder, "stationdesk", "0.1.0", requires=("purelib>=1",))
    make_wheel(folder, "purelib", "1.0")
    _lock(folder, "linux-x86_64")

    def pip_install() -> subprocess.CompletedProcess[str]:
        target = tmp_path / f"site-{len(list(tmp_path.glob('site-*')))}"
        return subprocess.run(
            [sys.executable, "-m", "pip", "install", "--disable-pip-version-check",
             "--no-index", "--find-links", str(folder), "--require-hashes", "--target",
             str(target), "-r", str(folder / "requirements.txt")],
            env={**os.environ, "PIP_CONFIG_FILE": os.devnull},
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    done = pip_install()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Successfully installed purelib-1.0 stationdesk-0.1.0" in done.stdout

    wheel = folder / "purelib-1.0-py3-none-any.whl"
    make_wheel(folder, "purelib", "1.0", requires=("evil",))  # same name, other bytes
    refused = pip_install()
    assert refused.returncode != 0
    assert "DO NOT MATCH THE HASHES" in refused.stderr and wheel.exists()


# -- check, at the counter PC -----------------------------------------------------------------


def _host_bundle(folder: Path) -> Path:
    """A bundle for this very machine and Python (pure wheels only)."""
    make_wheel(folder, "stationdesk", "0.1.0", requires=("purelib>=1",))
    make_wheel(folder, "purelib", "1.0")
    bl.lock(folder, bl.TARGETS[HOST], bl.host_python(), [], None)
    return folder


@needs_host_target
def test_check_accepts_a_bundle_for_this_machine(tmp_path: Path) -> None:
    bl.check(_host_bundle(tmp_path))


@needs_host_target
def test_check_refuses_a_bundle_for_another_platform_or_python_in_chinese(
    tmp_path: Path,
) -> None:
    folder = _host_bundle(tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    other = "win-amd64" if HOST != "win-amd64" else "linux-x86_64"
    here = bl.TARGETS[HOST].label

    (folder / "manifest.json").write_text(json.dumps({**manifest, "target": other}))
    with pytest.raises(bl.CheckError) as refused:
        bl.check(folder)
    assert refused.value.code == bl.CHECK_WRONG_TARGET
    assert str(refused.value).startswith(
        f"此离线安装包适用于 {bl.TARGETS[other].label}、Python {bl.host_python()}，本机为 {here}"
    )
    assert f"--target {HOST} --python {bl.host_python()}" in str(refused.value)

    other_python = "3.12" if bl.host_python() != "3.12" else "3.11"
    (folder / "manifest.json").write_text(json.dumps({**manifest, "python": other_python}))
    with pytest.raises(bl.CheckError, match=f"适用于 {here}、Python {other_python}，本机为"):
        bl.check(folder)


@needs_host_target
def test_check_refuses_a_missing_or_altered_file_and_a_too_old_system(tmp_path: Path) -> None:
    folder = _host_bundle(tmp_path)
    wheel = folder / "purelib-1.0-py3-none-any.whl"
    original = wheel.read_bytes()

    make_wheel(folder, "purelib", "1.0", requires=("evil",))
    with pytest.raises(
        bl.CheckError, match=r"校验值不符.*purelib-1\.0-py3-none-any\.whl"
    ) as altered:
        bl.check(folder)
    assert altered.value.code == bl.CHECK_DAMAGED

    wheel.unlink()
    with pytest.raises(bl.CheckError, match=re.escape("不完整，缺少：purelib==1.0")):
        bl.check(folder)

    wheel.write_bytes(original)
    with pytest.raises(bl.CheckError, match="不能安装：") as old:
        bl.check(folder, supported=set())  # a machine that installs none of them
    assert old.value.code == bl.CHECK_WRONG_TARGET

    (folder / "manifest.json").unlink()
    with pytest.raises(bl.CheckError, match="不是 StationDesk 离线安装包"):
        bl.check(folder)


def test_the_archive_unpacks_into_one_folder(tmp_path: Path) -> None:
    folder = fake_wheelhouse(tmp_path / "stationdesk-0.1.0-win-amd64-py312")
    (folder / "scripts").mkdir()
    (folder / "scripts" / "start.ps1").write_text("# start", encoding="utf-8")

    zipped = bl.make_archive(folder, "zip")
    tarred = bl.make_archive(folder, "tar.gz")

    with zipfile.ZipFile(zipped) as archive:
        names = archive.namelist()
    assert "stationdesk-0.1.0-win-amd64-py312/scripts/start.ps1" in names
    assert {n.split("/")[0] for n in names} == {folder.name}
    shutil.unpack_archive(tarred, tmp_path / "unpacked")
    assert sorted(p.name for p in (tmp_path / "unpacked").iterdir()) == [folder.name]


# -- start.sh --offline -----------------------------------------------------------------------


def _executable(path: Path, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/usr/bin/env bash\n" + body, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def _project(tmp_path: Path, with_pyproject: bool = True) -> Path:
    """A copy of the scripts: start.sh works in its own folder (.venv, the stamp)."""
    project = tmp_path / "project"
    (project / "scripts").mkdir(parents=True)
    for name in bl.BUNDLED_SCRIPTS:
        shutil.copy(ROOT / "scripts" / name, project / "scripts" / name)
    if with_pyproject:
        (project / "pyproject.toml").write_text("[project]\nname = 'stationdesk'\n")
    return project


def _fakes(tmp_path: Path, pip_body: str = "") -> dict[str, str]:
    """dpkg says all is installed; python3 makes a venv whose python runs bundle_lock.py for
    real and only logs pip (``pip_body`` runs then); stationdesk logs its arguments."""
    bin_dir = tmp_path / "bin"
    calls = tmp_path / "calls.log"
    calls.write_text("", encoding="utf-8")
    _executable(bin_dir / "dpkg-query", 'printf "install ok installed"\n')
    venv_python = (
        'case "$1" in *bundle_lock.py) exec "' + sys.executable + '" "$@";; esac\n'
        f'echo "venv-python $*" >> "{calls}"\n'
        'echo "Looking in links: somewhere"\n' + pip_body
    )
    stationdesk = f'echo "stationdesk $*" >> "{calls}"\n'
    _executable(
        bin_dir / "python3",
        f'echo "python3 $*" >> "{calls}"\n'
        'if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then\n'
        '  mkdir -p "$3/bin"\n'
        f"  cat > \"$3/bin/python\" <<'EOF'\n#!/usr/bin/env bash\n{venv_python}EOF\n"
        f"  cat > \"$3/bin/stationdesk\" <<'EOF'\n#!/usr/bin/env bash\n{stationdesk}EOF\n"
        '  chmod +x "$3/bin/python" "$3/bin/stationdesk"\n'
        "fi\n",
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHON"}
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}",
        PYTHON=str(bin_dir / "python3"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        LC_ALL="C.UTF-8",
    )
    return env


def _calls(tmp_path: Path) -> list[str]:
    return (tmp_path / "calls.log").read_text(encoding="utf-8").splitlines()


def _start(
    script: Path, args: list[str], cwd: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(script), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )


@needs_bash
def test_offline_arguments_are_taken_out_and_the_rest_go_to_stationdesk(tmp_path: Path) -> None:
    def parse(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-c", 'source "$1"; shift; parse_start_args "$@"; '
             'printf "%s\\n" "dir=$OFFLINE_DIR" "${START_ARGS[@]}"',
             "t", str(ROOT / "scripts" / "start.sh"), *args],
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip

    assert parse("--demo", "--offline", "/media/usb/b", "--db", "x").stdout.splitlines() == [
        "dir=/media/usb/b", "--demo", "--db", "x",
    ]  # fmt: skip
    assert parse("--offline=/b").stdout.splitlines() == ["dir=/b"]
    # After --, everything is stationdesk's.
    assert parse("--", "--offline", "x").stdout.splitlines() == ["dir=", "--", "--offline", "x"]
    missing = parse("--demo", "--offline")
    assert missing.returncode == 2
    assert missing.stdout.startswith("--offline 后面须写离线安装包文件夹，例如：")


@needs_bash
def test_an_offline_folder_that_is_missing_or_an_archive_is_one_chinese_sentence(
    tmp_path: Path,
) -> None:
    project = _project(tmp_path)
    env = _fakes(tmp_path)
    archive = tmp_path / "b.tar.gz"
    archive.write_bytes(b"x")

    missing = _start(project / "scripts" / "start.sh", ["--offline", "nowhere"], tmp_path, env)
    packed = _start(project / "scripts" / "start.sh", ["--offline", "b.tar.gz"], tmp_path, env)
    plain = tmp_path / "plain"
    plain.mkdir()
    not_bundle = _start(project / "scripts" / "start.sh", ["--offline", "plain"], tmp_path, env)

    assert (missing.returncode, missing.stdout) == (1, "找不到离线安装包文件夹：nowhere\n")
    assert packed.returncode == 1
    assert (
        packed.stdout
        == "b.tar.gz 是压缩包，请先解压（tar -xzf b.tar.gz），再指定解压出的文件夹。\n"
    )
    assert not_bundle.returncode == 1
    assert f"{plain} 不是 StationDesk 离线安装包（缺少 requirements.txt）" in not_bundle.stdout
    assert not [c for c in _calls(tmp_path) if "pip" in c or c.startswith("stationdesk")]


@needs_bash
@needs_host_target
def test_a_bundle_for_another_platform_is_refused_before_pip(tmp_path: Path) -> None:
    bundle = _host_bundle(tmp_path / "bundle")
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    other = "win-amd64" if HOST != "win-amd64" else "linux-x86_64"
    (bundle / "manifest.json").write_text(json.dumps({**manifest, "target": other}))
    project = _project(tmp_path)
    env = _fakes(tmp_path)

    done = _start(project / "scripts" / "start.sh", ["--offline", "bundle"], tmp_path, env)

    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:3] == ["检查系统组件…", "准备 Python 环境…", "检查离线安装包…"]
    assert lines[3].startswith(f"此离线安装包适用于 {bl.TARGETS[other].label}、Python ")
    assert lines[4].startswith("未安装。详细记录：")
    assert not [c for c in _calls(tmp_path) if c.startswith(("venv-python", "stationdesk"))]
    assert not (project / ".venv" / ".stationdesk-installed").exists()


@needs_bash
@needs_host_target
def test_an_offline_start_installs_with_no_index_then_starts_and_later_just_starts(
    tmp_path: Path,
) -> None:
    bundle = _host_bundle(tmp_path / "bundle")
    project = _project(tmp_path)
    env = _fakes(tmp_path)
    script = project / "scripts" / "start.sh"

    done = _start(script, ["--demo", "--offline", "bundle"], tmp_path, env)

    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines() == [
        "检查系统组件…",
        "准备 Python 环境…",
        "检查离线安装包…",
        "从离线安装包安装所需软件包（约需 1 分钟）…",
        "启动 StationDesk…",
    ]
    pip = [c for c in _calls(tmp_path) if c.startswith("venv-python")]
    assert pip == [
        "venv-python -m pip install --disable-pip-version-check --no-index --find-links "
        f"{bundle} --require-hashes --force-reinstall -r {bundle}/requirements.txt"
    ]
    assert _calls(tmp_path)[-1] == "stationdesk --demo"
    # pip's English is in the log, not on the officer's screen.
    log = tmp_path / "state" / "StationDesk" / "log" / "start.log"
    assert "Looking in links" in log.read_text(encoding="utf-8")
    digest = hashlib.sha256((bundle / "requirements.txt").read_bytes()).hexdigest()
    stamp = project / ".venv" / ".stationdesk-installed"
    assert stamp.read_text(encoding="utf-8").split() == ["offline", digest]

    # Again with the bundle: nothing to install. Without it (no network): no pip -e . either.
    for args in (["--offline", str(bundle)], []):
        (tmp_path / "calls.log").write_text("", encoding="utf-8")
        again = _start(script, args, tmp_path, env)
        assert again.returncode == 0, again.stdout + again.stderr
        assert again.stdout.splitlines()[2].startswith("所需软件包已安装")
        assert [c for c in _calls(tmp_path) if not c.startswith("python3 -c")] == ["stationdesk "]


@needs_bash
@needs_host_target
def test_an_altered_file_stops_the_install_in_chinese(tmp_path: Path) -> None:
    bundle = _host_bundle(tmp_path / "bundle")
    make_wheel(bundle, "purelib", "1.0", requires=("evil",))
    project = _project(tmp_path)
    env = _fakes(tmp_path)

    done = _start(project / "scripts" / "start.sh", ["--offline", "bundle"], tmp_path, env)

    assert done.returncode == 1
    assert (
        "离线安装包中的文件已损坏或被改动（校验值不符）：purelib-1.0-py3-none-any.whl"
        in done.stdout
    )
    assert not [c for c in _calls(tmp_path) if c.startswith("venv-python")]


@needs_bash
@needs_host_target
def test_a_hash_failure_reported_by_pip_is_one_chinese_sentence(tmp_path: Path) -> None:
    _host_bundle(tmp_path / "bundle")
    project = _project(tmp_path)
    # A file changed between the check and pip (or pip's own reading differs): pip refuses.
    env = _fakes(
        tmp_path,
        pip_body='echo "ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS '
        'FILE." >&2\nexit 1\n',
    )

    done = _start(project / "scripts" / "start.sh", ["--offline", "bundle"], tmp_path, env)

    assert done.returncode == 1
    log = tmp_path / "state" / "StationDesk" / "log" / "start.log"
    assert done.stdout.splitlines()[-1] == (
        "离线安装包中的文件已损坏或被改动（校验值不符），已停止安装。"
        f"请从原介质重新复制整个安装包。详细记录：{log}"
    )
    assert not (project / ".venv" / ".stationdesk-installed").exists()
    assert not [c for c in _calls(tmp_path) if c.startswith("stationdesk")]


@needs_bash
@needs_host_target
def test_an_unpacked_bundle_installs_itself_without_naming_it(tmp_path: Path) -> None:
    # The bundle's own copy of the scripts, no pyproject.toml: bash scripts/start.sh is enough.
    bundle = _host_bundle(_project(tmp_path, with_pyproject=False))
    env = _fakes(tmp_path)

    done = _start(bundle / "scripts" / "start.sh", [], tmp_path, env)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "从离线安装包安装所需软件包（约需 1 分钟）…" in done.stdout.splitlines()
    pip = [c for c in _calls(tmp_path) if c.startswith("venv-python")]
    assert len(pip) == 1 and f"--find-links {bundle} " in pip[0]
