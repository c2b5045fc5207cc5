"""The multi-counter benchmark (benchmarks/bench_counters.py) still runs, and its check bites."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from sqlalchemy import update

from app.core.clock import SystemClock
from app.core.identity import IdType
from app.core.passwords import PasswordHashing
from app.services import build_services
from app.visits.dto import NewVisit
from db.models import Counter

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_counters.py"


def bench_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_counters", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_counters"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_two_counters_on_one_sqlite_file_lose_nothing(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    args = ["--engine", "sqlite", "--counters", "2", "--seconds", "3", "--json", str(out)]
    run = subprocess.run(
        [sys.executable, str(BENCH), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    (report,) = json.loads(out.read_text(encoding="utf-8"))
    assert report["sound"] and report["check_ok"]
    assert report["lost_writes"] == report["unreported_writes"] == 0
    assert report["duplicate_serials"] == report["missing_serials"] == 0
    assert report["wrong_counter"] == 0
    assert report["unexpected"] == 0
    # Work was done (how much depends on what else the machine is running).
    assert report["registrations"] > 0
    assert report["finishes"] + report["handovers_requested"] + report["accepts"] > 0
    assert "| 丢失的写入 | 0 |" in run.stdout


def test_the_check_finds_lost_unreported_and_missing_writes(tmp_path: Path) -> None:
    bench = bench_module()
    database, desks = bench.set_up_station(f"sqlite:///{tmp_path / 'ledger.sqlite3'}", 1)
    try:
        hashing = PasswordHashing(time_cost=1, memory_cost_kib=1024, parallelism=1)
        services = build_services(
            database.sessions, SystemClock(), hashing, counter=bench.counter_label(0)
        )
        officer = services.auth.login(desks[0]["officer"], bench.PASSWORD)
        item = services.catalogue.list_items()[0].item_id
        saved = []
        for _ in range(3):
            number = bench.citizen_id(bench.random.Random(len(saved)))
            new = NewVisit(bench.citizen_name(number), IdType.RESIDENT, number, "13800138000", item)
            saved.append(services.visits.register(officer, new).row)

        def checked(tally: Any) -> Any:
            report = bench.Report("sqlite", 1, 1.0)
            bench.verify(database, report, [tally])
            return report

        honest = bench.Tally(0)
        honest.registered = [(r.id, r.serial) for r in saved]
        honest.states = {r.id: (r.row_version, r.status.value, r.owner_id) for r in saved}
        assert checked(honest).sound

        # Told saved but absent; saved but never told; told of a newer version than stored.
        wrong = bench.Tally(0)
        wrong.registered = [(r.id, r.serial) for r in saved[:2]] + [(999, "BCH-2026-000999")]
        wrong.states = {r.id: (r.row_version + (r is saved[0]), "registered", r.owner_id)
                        for r in saved[:2]}  # fmt: skip
        report = checked(wrong)
        assert report.lost_registrations == 1
        assert report.unreported_writes == 1
        assert report.lost_updates == 1

        # A visit reported by another counter than the one stamped on it.
        elsewhere = bench.Tally(1)
        elsewhere.registered = honest.registered
        elsewhere.states = honest.states
        assert checked(elsewhere).wrong_counter == 3

        # A number handed out twice more than there are visits: two missing serials.
        with database.sessions.begin() as session:
            session.execute(
                update(Counter).where(Counter.kind == "visit").values(last_no=Counter.last_no + 2)
            )
        report = checked(honest)
        assert report.missing_serials == 2 and not report.sound
    finally:
        database.dispose()
