"""scripts/start.sh says each step in Chinese and waits for a busy apt instead of failing.

The script runs for real under bash, with fake ``fuser``, ``apt-get``, ``dpkg-query``, ``id`` and
Python executables first on PATH: no apt and no pip is ever called.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WAITING = "系统正在自动更新，等待其完成后继续安装…（最多等待 10 分钟）"
STEPS = (
    "检查系统组件…",
    "准备 Python 环境…",
    "安装所需软件包（首次约需 1 分钟）…",
    "启动 StationDesk…",
)

pytestmark = pytest.mark.skipif(
    sys.platform == "win32" or shutil.which("bash") is None, reason="a bash script"
)


def _executable(path: Path, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/usr/bin/env bash\n" + body, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def _fakes(tmp_path: Path, busy_polls: int) -> dict[str, str]:
    """Fake programs logging to calls.log; the apt lock is held for ``busy_polls`` looks."""
    bin_dir = tmp_path / "bin"
    calls = tmp_path / "calls.log"
    calls.write_text("", encoding="utf-8")
    (tmp_path / "busy").write_text(str(busy_polls), encoding="utf-8")
    # fuser exits 0 while some process uses one of the files: the lock holder goes away after
    # busy_polls looks.
    _executable(
        bin_dir / "fuser",
        f'echo "fuser $*" >> "{calls}"\n'
        f'n=$(cat "{tmp_path}/busy")\n'
        f'if [ "$n" -gt 0 ]; then echo $((n - 1)) > "{tmp_path}/busy"; exit 0; fi\n'
        "exit 1\n",
    )
    _executable(bin_dir / "apt-get", f'echo "apt-get $*" >> "{calls}"\necho "Reading lists"\n')
    # Everything installed except the cursor library a desktop often lacks.
    _executable(
        bin_dir / "dpkg-query",
        'case "$*" in *libxcb-cursor0*) printf "unknown ok not-installed";;'
        ' *) printf "install ok installed";; esac\n',
    )
    _executable(bin_dir / "id", 'if [ "$1" = "-u" ]; then echo 0; else command -p id "$@"; fi\n')
    # The system Python: passes the version check and makes a venv of fakes.
    venv_python = (
        f'echo "venv-python $*" >> "{calls}"\n'
        'echo "Collecting stationdesk"\necho "Successfully installed stationdesk"\n'
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
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHON", "APT_WAIT_SECONDS", "APT_POLL_SECONDS")
    }
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}",
        PYTHON=str(bin_dir / "python3"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        APT_POLL_SECONDS="0.05",
        LC_ALL="C.UTF-8",
    )
    return env


def _calls(tmp_path: Path) -> list[str]:
    return (tmp_path / "calls.log").read_text(encoding="utf-8").splitlines()


def _source_and_run(
    tmp_path: Path, env: dict[str, str], command: str
) -> subprocess.CompletedProcess[str]:
    script = ROOT / "scripts" / "start.sh"
    return subprocess.run(
        ["bash", "-c", f'source "$1"; open_start_log; {command}', "start.sh", str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_busy_apt_is_waited_for_in_chinese_then_apt_proceeds(tmp_path: Path) -> None:
    env = _fakes(tmp_path, busy_polls=3)

    done = _source_and_run(tmp_path, env, "apt-get update -qq && echo PROCEEDED")

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == WAITING
    assert lines[-1] == "PROCEEDED"
    calls = _calls(tmp_path)
    looks = [c for c in calls if c.startswith("fuser ")]
    assert len(looks) == 4  # three busy looks, then free
    assert "/var/lib/dpkg/lock-frontend" in looks[0]
    # apt ran once, after the lock was free, and would itself wait for a lock taken meanwhile.
    assert calls[-1] == "apt-get -o DPkg::Lock::Timeout=600 update -qq"
    # apt's own (English) output went to the log, not to the officer's terminal.
    log = (tmp_path / "state" / "StationDesk" / "log" / "start.log").read_text(encoding="utf-8")
    assert "Reading lists" in log and "Reading" not in done.stdout


def test_a_free_apt_is_used_at_once_without_a_word(tmp_path: Path) -> None:
    env = _fakes(tmp_path, busy_polls=0)

    done = _source_and_run(tmp_path, env, "wait_for_apt && echo PROCEEDED")

    assert done.stdout.splitlines() == ["PROCEEDED"]


def test_an_apt_busy_for_too_long_ends_in_one_chinese_sentence(tmp_path: Path) -> None:
    env = _fakes(tmp_path, busy_polls=10_000)
    env["APT_WAIT_SECONDS"] = "1"

    done = _source_and_run(tmp_path, env, "apt-get update -qq; echo NOT-REACHED")

    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0].startswith("系统正在自动更新，等待其完成后继续安装…")
    assert lines[-1].startswith("等待系统自动更新超时") and "scripts/start.sh" in lines[-1]
    assert "NOT-REACHED" not in done.stdout
    assert not [c for c in _calls(tmp_path) if c.startswith("apt-get")]


def test_a_failing_apt_is_one_chinese_sentence_with_the_log(tmp_path: Path) -> None:
    env = _fakes(tmp_path, busy_polls=0)
    _executable(tmp_path / "bin" / "apt-get", 'echo "E: Failed to fetch http://deb"\nexit 100\n')

    done = _source_and_run(tmp_path, env, "apt-get install -y libxcb-cursor0")

    assert done.returncode == 1
    log = tmp_path / "state" / "StationDesk" / "log" / "start.log"
    assert done.stdout.splitlines() == [
        f"安装系统组件失败，请检查网络和软件源设置后重新运行 bash scripts/start.sh。详细记录：{log}"
    ]
    assert "Failed to fetch" in log.read_text(encoding="utf-8")


def test_a_first_start_says_every_step_and_starts_the_program(tmp_path: Path) -> None:
    # A copy of the project's scripts: the script works in its own folder (.venv, the stamp).
    project = tmp_path / "project"
    (project / "scripts").mkdir(parents=True)
    for name in ("start.sh", "lib.sh"):
        shutil.copy(ROOT / "scripts" / name, project / "scripts" / name)
    (project / "pyproject.toml").write_text("[project]\nname = 'stationdesk'\n", encoding="utf-8")
    env = _fakes(tmp_path, busy_polls=2)

    done = subprocess.run(
        ["bash", str(project / "scripts" / "start.sh"), "--demo"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    positions = [lines.index(step) for step in STEPS]
    assert positions == sorted(positions)
    # The missing library is installed after waiting for the busy apt.
    assert WAITING in lines and lines.index(WAITING) < positions[1]
    assert any("libxcb-cursor0" in line for line in lines[: positions[1]])
    # pip's own progress reaches the terminal.
    assert "Collecting stationdesk" in lines
    calls = _calls(tmp_path)
    apt = [c for c in calls if c.startswith("apt-get")]
    assert apt[0] == "apt-get -o DPkg::Lock::Timeout=600 update -qq"
    assert apt[1].endswith("install -y -qq --no-install-recommends libxcb-cursor0")
    # Two looks found apt busy, the third found it free, then apt ran.
    assert [c.split()[0] for c in calls[: calls.index(apt[0])]] == ["fuser"] * 3
    pip = [c for c in calls if c.startswith("venv-python -m pip install")]
    assert len(pip) == 1 and pip[0].endswith("-e .")
    assert calls[-1] == "stationdesk --demo"

    # Started again: nothing to install, the same steps said, the program started.
    (tmp_path / "calls.log").write_text("", encoding="utf-8")
    again = subprocess.run(
        ["bash", str(project / "scripts" / "start.sh")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.splitlines() == [
        "检查系统组件…",
        "正在安装系统依赖： libxcb-cursor0",
        "准备 Python 环境…",
        "所需软件包已安装。",
        "启动 StationDesk…",
    ]
    assert not [c for c in _calls(tmp_path) if c.startswith("venv-python -m pip")]
