"""Median start times of StationDesk commands, frozen next to source (scripts/check_frozen.sh).

    python3 packaging/startup_times.py --runs 5 --db demo.db \\
        frozen=dist/stationdesk/stationdesk source=.venv/bin/stationdesk

Per program: ``--help`` (the interpreter, argparse, no Qt) and the login window offscreen
(``--db <file>`` with STATIONDESK_EXIT_AT_LOGIN=1: the window is shown and closed at once,
exit code 0). One unmeasured run first warms the page cache. Standard library only.
"""

# ruff: noqa: T201  (a command-line tool: it prints its report)

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence


def median_ms(samples: Sequence[float]) -> float:
    """The median of durations in seconds, in milliseconds."""
    if not samples:
        raise ValueError("no samples")
    return statistics.median(samples) * 1000


def time_run(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        error = result.stderr.decode(errors="replace")
        raise SystemExit(f"{' '.join(command)} 退出码 {result.returncode}：{error}")
    return elapsed


def measure(command: list[str], env: dict[str, str], runs: int) -> float:
    time_run(command, env)  # warm-up
    return median_ms([time_run(command, env) for _ in range(runs)])


def parse_program(text: str) -> tuple[str, str]:
    """``label=path`` → (label, path)."""
    label, sep, path = text.partition("=")
    if not sep or not label or not path:
        raise argparse.ArgumentTypeError(f"应为 名称=程序路径：{text}")
    return label, path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", required=True, help="an existing station database (demo)")
    parser.add_argument("programs", nargs="+", type=parse_program)
    args = parser.parse_args(argv)
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    login_env = dict(env, STATIONDESK_EXIT_AT_LOGIN="1")
    print(f"启动时间（{args.runs} 次的中位数，毫秒）")
    print(f"  {'程序':10} {'--help':>8} {'登录窗口':>8}")
    for label, path in args.programs:
        help_ms = measure([path, "--help"], env, args.runs)
        login_ms = measure([path, "--db", args.db], login_env, args.runs)
        print(f"  {label:10} {help_ms:8.0f} {login_ms:8.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
