"""Benchmark: years of counter history and the queries the counter runs all day.

Run: .venv/bin/python benchmarks/bench_visits.py [--visits 300000]
Prints figures; asserts nothing (speed targets are read, not tested).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select

from app.database import open_database
from app.dto import NewOfficer, StationSettings
from app.identity import IdType, check_digit
from app.passwords import PasswordHashing
from app.roles import Role
from app.services import build_services
from app.visit_dto import NewVisit, VisitQuery
from db.models import Counter, ServiceItemVersion, Visit

STATUSES = ["completed"] * 80 + ["answered"] * 8 + ["guided"] * 3 + ["refused"] * 2 + ["voided"] * 2


def timed(label: str, call, repeat: int = 5) -> None:  # type: ignore[no-untyped-def]
    best = float("inf")
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = call()
        best = min(best, time.perf_counter() - start)
    size = len(result) if hasattr(result, "__len__") else getattr(result, "total", "")
    print(f"  {label:<44} {best * 1000:8.1f} ms   ({size} rows)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--visits", type=int, default=300_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    db = open_database(folder / "bench.sqlite3")
    services = build_services(db.sessions, hashing=PasswordHashing(1, 1024, 1))
    chief = services.station.initialize(
        StationSettings(name="基准测试派出所", code="BM"),
        NewOfficer("100001", "王所长", Role.CHIEF, "Bench1234"),
    )
    officers = []
    for i in range(12):
        services.officers.add_officer(
            chief,
            NewOfficer(
                f"2000{i:02d}", "张民警", Role.WINDOW, "Bench1234", must_change_password=False
            ),
        )
        officers.append(services.auth.login(f"2000{i:02d}", "Bench1234"))
    with db.sessions() as session:
        versions = list(session.scalars(select(ServiceItemVersion.id)))
    rng = random.Random(1)
    today = dt.date.today()
    start_day = today - dt.timedelta(days=int(args.visits / 60))
    rows = []
    seq_by_year: dict[int, int] = {}
    t0 = time.perf_counter()
    for n in range(args.visits):
        day = start_day + dt.timedelta(days=n * (today - start_day).days // args.visits)
        year = day.year
        seq_by_year[year] = seq_by_year.get(year, 0) + 1
        seq = seq_by_year[year]
        at = dt.datetime.combine(day, dt.time(1 + rng.randrange(8), rng.randrange(60)), dt.UTC)
        first17 = f"3301{rng.randrange(10, 99)}{1950 + rng.randrange(55)}0{rng.randrange(1, 10)}1{rng.randrange(0, 9)}{rng.randrange(1, 999):03d}"
        owner = rng.choice(officers).officer_id
        recent = (today - day).days < 30
        status = (
            rng.choice(["in_progress", "waiting_materials", "completed"])
            if recent
            else rng.choice(STATUSES)
        )
        rows.append(
            dict(
                serial=f"BM-{year}-{seq:06d}",
                year=year,
                seq=seq,
                arrived_at=at,
                started_at=at,
                ended_at=at,
                local_date=day,
                citizen_name=rng.choice("王李张刘陈杨黄赵") + "某某",
                id_type="resident",
                id_number=first17 + check_digit(first17),
                phone=f"138{rng.randrange(10**8):08d}",
                service_version_id=rng.choice(versions),
                channel="window",
                summary="",
                in_scope=True,
                first_officer_id=owner,
                owner_id=owner,
                status=status,
                accepted_at=at,
                due_date=day + dt.timedelta(days=20),
                due_assumed=False,
                result="",
                guided_unit="",
                guided_address="",
                guided_phone="",
                refusal_reason="",
                refusal_redress="",
                void_reason="",
                row_version=1,
                created_at=at,
            )
        )
    with db.sessions.begin() as session:
        for i in range(0, len(rows), 20_000):
            session.execute(insert(Visit), rows[i : i + 20_000])
        for year, last in seq_by_year.items():
            session.add(Counter(kind="visit", year=year, last_no=last))
    load = time.perf_counter() - t0
    size = (folder / "bench.sqlite3").stat().st_size / 1e6
    print(
        f"{args.visits} visits over {(today - start_day).days} days loaded in {load:.1f} s; file {size:.0f} MB"
    )
    officer = officers[0]
    probe = rows[len(rows) // 2]
    v = services.visits
    print("query timings (best of 5):")
    timed("today()", lambda: v.today(officer))
    timed("open_matters() — one officer", lambda: v.open_matters(officer))
    timed("open_matters(everyone) — chief", lambda: v.open_matters(chief, everyone=True))
    timed("handovers(everyone)", lambda: v.handovers(chief, everyone=True))
    timed(
        "search: full ID number",
        lambda: v.search(officer, VisitQuery(id_number=probe["id_number"])),
    )
    timed("search: phone", lambda: v.search(officer, VisitQuery(phone=probe["phone"])))
    timed("search: serial", lambda: v.search(officer, VisitQuery(serial=probe["serial"])))
    timed(
        "search: name prefix, 30 days, page 1",
        lambda: v.search(
            officer, VisitQuery(name="王", date_from=today - dt.timedelta(days=30), date_to=today)
        ),
    )
    timed(
        "search: one year, all, page 1 (100)",
        lambda: v.search(
            officer, VisitQuery(date_from=today - dt.timedelta(days=365), date_to=today, limit=100)
        ),
    )
    timed(
        "search: one year, page 50 (offset 4900)",
        lambda: v.search(
            officer,
            VisitQuery(
                date_from=today - dt.timedelta(days=365), date_to=today, offset=4900, limit=100
            ),
        ),
    )
    timed(
        "register() — one walk-in",
        lambda: [
            v.register(
                officer,
                NewVisit(
                    "李四",
                    IdType.RESIDENT,
                    probe["id_number"],
                    "13805710011",
                    services.catalogue.list_items("SFZ-SL")[0].item_id,
                ),
            )
        ],
        repeat=3,
    )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS): {rss:.0f} MB")
    db.dispose()


if __name__ == "__main__":
    main()
