"""Issue 13 benchmark: several counters (processes) on one ledger, then the ledger is checked.

    .venv/bin/python benchmarks/bench_counters.py                       # both engines, 60 s each
    .venv/bin/python benchmarks/bench_counters.py --engine sqlite --counters 4 --seconds 60
    .venv/bin/python benchmarks/bench_counters.py --engine postgresql --url postgresql+psycopg://…

One migrated station is set up in a fresh database: a SQLite file in a temporary folder, or a
database on a throwaway PostgreSQL cluster started here with ``tests.pg_server.start_server``
(restarted with ``fsync`` on) and prepared as ``stationdesk server init`` prepares one, the
counters logging in with its least-privilege application role; ``--url`` names an existing,
empty PostgreSQL database instead (e.g. the counters' address ``server init`` printed).
Each counter is a process of its own (this script with ``--child``) with its own engine and
services, opened as the program opens a database (``app.core.database.open_database``), logged in
as its window officer and as a colleague sitting beside them. From one instant on, every
counter loops until the deadline as fast as it can: refresh its pending handovers and accept
those sent to it, look the citizen up by ID number (the form does as the number is typed),
register a walk-in with valid fake citizen data, then finish it on the spot, accept it (受理)
and finish it later, or hand it over to the next counter's officer or to the colleague beside,
who accepts it and finishes it later. Only the services' public methods are called.

Each counter reports what it was told was saved (the visit, its serial, every handover, the
state and row version of every visit it touched) and every error: a ``StationDeskError`` is
what a user would see (its Chinese message); anything else is a bug. The parent then checks the
database against the reports: lost writes (reported saved, not there, or older than reported),
writes nobody was told about, duplicate and missing serial numbers per year, visits not
stamped with the 窗口号 of the counter that registered them, and runs
``stationdesk check``'s integrity check (audit chain, counters, records). The exit status is 1
when any of those is not zero, a bug was raised, or the check fails.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "Bench2026x"
CHIEF_BADGE = "090001"
DEFAULT_COUNTERS = {"sqlite": 4, "postgresql": 8}
START = "启动"  # the kind of a refused start (opening the database), apart from the loop's
ENGINE_LABELS = {"sqlite": "SQLite（一个文件）", "postgresql": "PostgreSQL"}
T = TypeVar("T")


# ---- fake citizens --------------------------------------------------------------------------

# County-level area codes (Beijing Dongcheng, Shanghai Huangpu, Hangzhou Xihu, Guangzhou
# Yuexiu, Chengdu Wuhou, Nanjing Xuanwu, Wuhan Jiang'an, Xi'an Beilin).
AREAS = ("110101", "310101", "330106", "440104", "510107", "320102", "420102", "610103")
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国文斌宇浩凯婷雪琳"
SUMMARIES = ("", "", "咨询户口迁移", "补领身份证", "开具无犯罪记录证明", "居住证签注")
MOBILE_PREFIXES = ("130", "135", "138", "139", "150", "158", "177", "186", "189", "199")


def citizen_id(rng: random.Random) -> str:
    """A valid 18-digit resident ID number (GB 11643 check digit)."""
    from app.core.identity import check_digit

    born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 66))
    first17 = f"{rng.choice(AREAS)}{born:%Y%m%d}{rng.randint(1, 999):03d}"
    return first17 + check_digit(first17)


def citizen_name(id_number: str) -> str:
    """The name of the holder of ``id_number``: always the same one (no 姓名与上次不同)."""
    digest = hashlib.sha256(id_number.encode("ascii")).digest()
    given = GIVEN[digest[1] % len(GIVEN)] + (GIVEN[digest[2] % len(GIVEN)] if digest[3] % 3 else "")
    return SURNAMES[digest[0] % len(SURNAMES)] + given


def counter_label(index: int) -> str:
    """The 窗口号 of counter ``index`` (0-based), as an administrator would set it."""
    return f"{index + 1}号窗口"


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


# ---- one counter (a child process) ----------------------------------------------------------


@dataclass
class Tally:
    """What one counter did and saw."""

    counter: int
    ok: Counter[str] = field(default_factory=Counter)  # kind → calls that succeeded
    latency: dict[str, list[float]] = field(default_factory=dict)  # kind → seconds, every call
    user_errors: Counter[str] = field(default_factory=Counter)  # "kind: message" → count
    bugs: list[str] = field(default_factory=list)  # "kind: Type: text" (+ first tracebacks)
    registered: list[tuple[int, str]] = field(default_factory=list)  # (visit id, serial)
    requested: list[tuple[int, int, int, int]] = field(default_factory=list)  # (h, visit, from, to)
    accepted: list[int] = field(default_factory=list)  # handover ids accepted here
    states: dict[int, tuple[int, str, int]] = field(default_factory=dict)  # visit → (rv, st, owner)
    tracebacks: list[str] = field(default_factory=list)
    cpu_seconds: float = 0.0  # the counter's own CPU time during the run


class Desk:
    """One counter: its services, its officer and the colleague beside, and its tally."""

    def __init__(self, config: dict[str, Any]) -> None:
        from app.core.clock import SystemClock
        from app.core.database import open_database
        from app.core.errors import DatabaseProblem
        from app.core.passwords import PasswordHashing
        from app.services import build_services

        self.rng = random.Random(config["seed"])
        self.tally = Tally(config["counter"])
        # The program refuses to start now and then when counters start at once on one SQLite
        # file (see the README); the officer starts it again, and so does the counter here.
        for attempt in range(10):
            try:
                self.database = open_database(config["url"])
                break
            except DatabaseProblem as exc:
                self.tally.user_errors[f"{START}: {exc.message}"] += 1
                if attempt == 9:
                    raise
                time.sleep(0.5 + self.rng.random())
        hashing = PasswordHashing(time_cost=1, memory_cost_kib=1024, parallelism=1)
        # The counter's 窗口号 (a per-PC setting), stamped on every record made here.
        self.services = build_services(
            self.database.sessions, SystemClock(), hashing, counter=counter_label(config["counter"])
        )
        self.officer = self.services.auth.login(config["officer"], PASSWORD)
        self.colleague = self.services.auth.login(config["colleague"], PASSWORD)
        self.next_counter_officer: int | None = config["next_officer_id"]
        self.items = [row.item_id for row in self.services.catalogue.list_items()]
        self.citizens: list[str] = []  # ID numbers registered here (returning citizens)
        # Matters held open to finish later: (user, visit id, row version).
        self.held: list[tuple[Any, int, int]] = []

    def call(self, kind: str, action: Callable[[], T]) -> T | None:
        """Run one service call; its latency and outcome go in the tally, errors never out."""
        from app.core.errors import StationDeskError

        began = time.perf_counter()
        try:
            result = action()
        except StationDeskError as exc:
            self._took(kind, began)
            self.tally.user_errors[f"{kind}: {exc.message}"] += 1
            return None
        except Exception as exc:  # a bug: counted apart, and the counter goes on
            self._took(kind, began)
            self.tally.bugs.append(f"{kind}: {type(exc).__name__}: {exc}".splitlines()[0][:300])
            if len(self.tally.tracebacks) < 3:
                self.tally.tracebacks.append(traceback.format_exc())
            return None
        self._took(kind, began)
        self.tally.ok[kind] += 1
        return result

    def _took(self, kind: str, began: float) -> None:
        self.tally.latency.setdefault(kind, []).append(time.perf_counter() - began)

    def _seen(self, detail: Any) -> None:
        """The state a saved call returned: the newest one this counter knows of the visit."""
        row = detail.row
        known = self.tally.states.get(row.id)
        if known is None or known[0] < row.row_version:
            self.tally.states[row.id] = (row.row_version, row.status.value, row.owner_id)

    # -- the loop --------------------------------------------------------------------------

    def run(self, until: float) -> None:
        while time.monotonic() < until:
            self.take_handovers()
            if time.monotonic() >= until:
                break
            self.register_one()
            if time.monotonic() >= until:
                break
            if self.held and self.rng.random() < 0.6:
                self.finish_held()

    def take_handovers(self) -> None:
        """What the today page shows: pending handovers; accept those sent to us."""
        visits = self.services.visits
        for user in (self.officer, self.colleague):
            pending = self.call("移交列表", partial(visits.handovers, user)) or []
            for handover in pending:
                if handover.to_officer_id != user.officer_id:
                    continue
                detail = self.call("接收移交", partial(visits.accept_handover, user, handover.id))
                if detail is not None:
                    self.tally.accepted.append(handover.id)
                    self._seen(detail)
                    self.held.append((user, detail.row.id, detail.row.row_version))

    def register_one(self) -> None:
        from app.core.identity import IdType
        from app.visits.dto import NewVisit

        visits, rng = self.services.visits, self.rng
        returning = bool(self.citizens) and rng.random() < 0.2
        number = rng.choice(self.citizens) if returning else citizen_id(rng)
        hint = self.call("来人识别", lambda: visits.find_citizen(self.officer, id_number=number))
        new = NewVisit(
            citizen_name=citizen_name(number),
            id_type=IdType.RESIDENT,
            id_number=number,
            # A returning citizen's phone is taken from the earlier visit, as the form does.
            phone="" if hint is not None else mobile(rng),
            service_item_id=rng.choice(self.items),
            summary=rng.choice(SUMMARIES),
            reuse_from=hint.visit_id if hint is not None else None,
        )
        detail = self.call("登记", lambda: visits.register(self.officer, new))
        if detail is None:
            return
        self.tally.registered.append((detail.row.id, detail.row.serial))
        self._seen(detail)
        if not returning:
            self.citizens.append(number)
        visit_id, version = detail.row.id, detail.row.row_version
        roll = rng.random()
        if roll < 0.40:
            done = self.call(
                "当场办结",
                lambda: visits.complete_on_the_spot(self.officer, visit_id, version, "当场办结"),
            )
            if done is not None:
                self._seen(done)
        elif roll < 0.60:
            accepted = self.call("受理", lambda: visits.accept(self.officer, visit_id, version))
            if accepted is not None:
                self._seen(accepted)
                self.held.append((self.officer, visit_id, accepted.row.row_version))
        elif roll < 0.95:
            beside = self.next_counter_officer is None or rng.random() < 0.3
            to = self.colleague.officer_id if beside else self.next_counter_officer
            assert to is not None
            offered = self.call(
                "发起移交",
                lambda: visits.request_handover(
                    self.officer, visit_id, version, to, "转交同事继续办理"
                ),
            )
            if offered is not None:
                self._seen(offered)
                pending = offered.pending_handover
                if pending is None:  # saved, yet the matter shows no handover waiting
                    self.tally.bugs.append(f"发起移交: {detail.row.serial} 无待接收的移交")
                else:
                    self.tally.requested.append(
                        (pending.id, visit_id, self.officer.officer_id, pending.to_officer_id)
                    )
        # else: left registered (the citizen stepped away); it stays open.

    def finish_held(self) -> None:
        """Finish a matter held open here (accepted earlier or taken over by handover)."""
        user, visit_id, version = self.held.pop(self.rng.randrange(len(self.held)))
        visits = self.services.visits
        status = self.tally.states[visit_id][1]
        if status == "registered":  # handed over before 受理: accept and finish at once
            done = self.call(
                "当场办结",
                lambda: visits.complete_on_the_spot(user, visit_id, version, "接手后办结"),
            )
        else:
            done = self.call(
                "办结", lambda: visits.complete(user, visit_id, version, "材料齐全，已办结")
            )
        if done is not None:
            self._seen(done)

    def close(self) -> None:
        self.database.dispose()


def child_main(config_path: str) -> int:
    """A counter: set up, say ready, wait for the common start, loop, write the tally."""
    config = json.loads(Path(config_path).read_text(encoding="utf-8"))
    desk = Desk(config)
    print("ready", flush=True)
    line = sys.stdin.readline().split()
    if not line or line[0] != "go":
        return 2
    start, end = float(line[1]), float(line[2])
    time.sleep(max(0.0, start - time.time()))
    cpu = time.process_time()
    desk.run(time.monotonic() + (end - time.time()))
    desk.tally.cpu_seconds = time.process_time() - cpu
    desk.close()
    tally = desk.tally
    # By hand: dataclasses.asdict would rebuild a Counter from its (key, count) pairs.
    out = {**vars(tally), "ok": dict(tally.ok), "user_errors": dict(tally.user_errors)}
    Path(config["out"]).write_text(json.dumps(out), encoding="utf-8")
    return 0


# ---- the run of one engine (the parent) -----------------------------------------------------


@dataclass
class Report:
    """The figures of one engine."""

    engine: str
    counters: int
    seconds: float
    server: str = ""
    registrations: int = 0
    handovers_requested: int = 0
    handovers_accepted: int = 0
    accepts: int = 0
    finishes: int = 0
    writes: int = 0
    reads: int = 0
    register_ms: tuple[float, float, float] = (0.0, 0.0, 0.0)  # p50, p95, max
    register_attempts: int = 0
    lost_registrations: int = 0
    lost_handovers: int = 0
    lost_updates: int = 0
    unreported_writes: int = 0
    duplicate_serials: int = 0
    wrong_counter: int = 0  # visits not stamped with the 窗口号 of the counter that registered
    missing_serials: int = 0
    user_errors: int = 0
    start_refusals: int = 0  # starts refused (then repeated), before the common start
    user_messages: list[tuple[str, int]] = field(default_factory=list)
    unexpected: int = 0
    unexpected_samples: list[str] = field(default_factory=list)
    check_ok: bool = False
    check_lines: list[str] = field(default_factory=list)
    counters_cpu: float = 0.0  # CPU seconds of all counter processes during the run
    machine_busy: float = 0.0  # share of the machine's CPU in use during the run (all jobs)
    server_cpu: float | None = None  # CPU seconds of the local PostgreSQL server in the run
    problems: list[str] = field(default_factory=list)  # what exactly was lost or duplicated

    @property
    def lost_writes(self) -> int:
        return self.lost_registrations + self.lost_handovers + self.lost_updates

    @property
    def sound(self) -> bool:
        return (
            self.lost_writes == 0
            and self.unreported_writes == 0
            and self.duplicate_serials == 0
            and self.wrong_counter == 0
            and self.missing_serials == 0
            and self.unexpected == 0
            and self.check_ok
        )


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(-(-share * len(ordered) // 1)) - 1))]


def set_up_station(url: str, counters: int) -> tuple[Any, list[dict[str, Any]]]:
    """A migrated station with a chief, and per counter a window officer and a colleague."""
    from app.core.clock import SystemClock
    from app.core.database import open_database
    from app.core.passwords import PasswordHashing
    from app.core.roles import Role
    from app.officers.dto import NewOfficer
    from app.services import build_services
    from app.station.dto import StationSettings

    database = open_database(url)
    hashing = PasswordHashing(time_cost=1, memory_cost_kib=1024, parallelism=1)
    services = build_services(database.sessions, SystemClock(), hashing, database=database)
    chief = services.station.initialize(
        StationSettings(name="基准市公安局基准分局和平路派出所", code="BCH"),
        NewOfficer(CHIEF_BADGE, "王所长", Role.CHIEF, PASSWORD, must_change_password=False),
    )
    desks: list[dict[str, Any]] = []
    for i in range(counters):
        # The counter's window officer and the colleague sitting beside them.
        pair = (
            (f"0910{i:02d}", SURNAMES[i % len(SURNAMES)] + "明"),
            (f"0920{i:02d}", SURNAMES[(i + 20) % len(SURNAMES)] + "华"),
        )
        ids = [
            services.officers.add_officer(
                chief, NewOfficer(badge, name, Role.WINDOW, PASSWORD, must_change_password=False)
            ).id
            for badge, name in pair
        ]
        desks.append(
            {"counter": i, "officer": pair[0][0], "colleague": pair[1][0], "officer_id": ids[0]}
        )
    for i, desk in enumerate(desks):
        desk["next_officer_id"] = desks[(i + 1) % counters]["officer_id"] if counters > 1 else None
    return database, desks


def run_counters(
    url: str,
    desks: list[dict[str, Any]],
    seconds: float,
    folder: Path,
    seed: int,
    log: Any,
    server_cpu: Callable[[], float | None] = lambda: None,
) -> tuple[list[Tally], float, float | None]:
    """Start one process per counter, start them together, wait; their tallies, the share of
    the machine's CPU that was busy meanwhile (everything running on it, not only us) and the
    CPU seconds ``server_cpu`` counted meanwhile (the local database server's)."""
    procs: list[subprocess.Popen[str]] = []
    outs: list[Path] = []
    errs = []
    try:
        for desk in desks:
            i = desk["counter"]
            out = folder / f"counter{i}.json"
            config = folder / f"counter{i}.config.json"
            config.write_text(
                json.dumps({**desk, "url": url, "seed": seed * 1000 + i, "out": str(out)}),
                encoding="utf-8",
            )
            err = (folder / f"counter{i}.stderr").open("w", encoding="utf-8")
            errs.append(err)
            procs.append(
                subprocess.Popen(
                    [sys.executable, str(Path(__file__).resolve()), "--child", str(config)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=err,
                    text=True,
                    env=os.environ.copy(),
                )
            )
            outs.append(out)
        for i, proc in enumerate(procs):
            assert proc.stdout is not None
            if proc.stdout.readline().strip() != "ready":
                proc.wait(timeout=30)
                raise RuntimeError(f"counter {i} did not start:\n{_tail(folder, i)}")
        start = time.time() + 0.5
        busy_before, server_before = _cpu_ticks(), server_cpu()
        log(f"{len(procs)} counters ready; running {seconds:g} s")
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write(f"go {start} {start + seconds}\n")
            proc.stdin.flush()
        for i, proc in enumerate(procs):
            code = proc.wait(timeout=seconds + 300)
            if code != 0:
                raise RuntimeError(f"counter {i} exited with {code}:\n{_tail(folder, i)}")
        busy_after = _cpu_ticks()
        time.sleep(0.5)  # the server reaps the counters' backends (their CPU goes to it)
        server_after = server_cpu()
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        for err in errs:
            err.close()
    tallies = []
    for out in outs:
        raw = json.loads(out.read_text(encoding="utf-8"))
        tally = Tally(raw["counter"])
        tally.ok = Counter(raw["ok"])
        tally.latency = raw["latency"]
        tally.user_errors = Counter(raw["user_errors"])
        tally.bugs = raw["bugs"]
        tally.tracebacks = raw["tracebacks"]
        tally.registered = [(v, s) for v, s in raw["registered"]]
        tally.requested = [(h, v, f, to) for h, v, f, to in raw["requested"]]
        tally.accepted = raw["accepted"]
        tally.states = {int(k): (v[0], v[1], v[2]) for k, v in raw["states"].items()}
        tally.cpu_seconds = raw["cpu_seconds"]
        tallies.append(tally)
    busy = busy_after[0] - busy_before[0]
    share = busy / max(1, busy + busy_after[1] - busy_before[1])
    spent = None
    if server_before is not None and server_after is not None:
        spent = server_after - server_before
    return tallies, share, spent


def _cpu_ticks() -> tuple[int, int]:
    """(busy, idle) ticks of the whole machine so far, from /proc/stat; zeros elsewhere."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0, 0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields[:8]) - idle, idle


def _tail(folder: Path, i: int) -> str:
    with contextlib.suppress(OSError):
        return (folder / f"counter{i}.stderr").read_text(encoding="utf-8")[-3000:]
    return ""


def verify(database: Any, report: Report, tallies: list[Tally]) -> None:
    """Hold the counters' reports against the database (lost, unreported, numbering, check)."""
    from sqlalchemy import select

    from app.integrity.service import check_database
    from db.models import Counter as NumberCounter
    from db.models import Handover, Visit

    with database.sessions() as session:
        visits = {
            r.id: r
            for r in session.execute(
                select(
                    Visit.id, Visit.serial, Visit.year, Visit.seq, Visit.row_version,
                    Visit.status, Visit.owner_id, Visit.counter,
                )
            )
        }  # fmt: skip
        handovers = {
            r.id: r
            for r in session.execute(
                select(
                    Handover.id, Handover.visit_id, Handover.from_officer_id,
                    Handover.to_officer_id, Handover.state,
                )
            )
        }  # fmt: skip
        last_numbers = {
            year: last
            for year, last in session.execute(
                select(NumberCounter.year, NumberCounter.last_no).where(
                    NumberCounter.kind == "visit"
                )
            )
        }

    # Registrations: every one a counter was told was saved is there, with its serial.
    registered = {v: s for t in tallies for v, s in t.registered}
    for visit_id, serial in registered.items():
        row = visits.get(visit_id)
        if row is None or row.serial != serial:
            report.lost_registrations += 1
            report.problems.append(f"登记 {serial}（id {visit_id}）报告已保存，库中没有")
    for visit_id, row in visits.items():
        if visit_id not in registered:
            report.unreported_writes += 1
            report.problems.append(f"库中有 {row.serial}，没有窗口被告知保存了它")

    # 窗口号: each visit carries the counter it was registered at.
    for tally in tallies:
        for visit_id, _serial in tally.registered:
            row = visits.get(visit_id)
            if row is not None and row.counter != counter_label(tally.counter):
                report.wrong_counter += 1
                report.problems.append(
                    f"{row.serial}：在{counter_label(tally.counter)}登记，记为“{row.counter}”"
                )

    # Handovers: every offer is there as made; every acceptance reported is accepted.
    requested = {h: (v, f, to) for t in tallies for h, v, f, to in t.requested}
    accepted = {h for t in tallies for h in t.accepted}
    for handover_id, (visit_id, from_id, to_id) in requested.items():
        row = handovers.get(handover_id)
        if row is None or (row.visit_id, row.from_officer_id, row.to_officer_id) != (
            visit_id,
            from_id,
            to_id,
        ):
            report.lost_handovers += 1
            report.problems.append(f"移交 {handover_id}（visit {visit_id}）报告已发起，库中没有")
    for handover_id in accepted:
        row = handovers.get(handover_id)
        if row is None or row.state != "accepted":
            report.lost_handovers += 1
            report.problems.append(f"移交 {handover_id} 报告已接收，库中为 {row and row.state}")
    for handover_id, row in handovers.items():
        if handover_id not in requested or (
            row.state == "accepted" and handover_id not in accepted
        ):
            report.unreported_writes += 1
            report.problems.append(f"移交 {handover_id}（{row.state}）没有窗口被告知")
        elif row.state not in ("pending", "accepted"):
            report.unreported_writes += 1
            report.problems.append(f"移交 {handover_id} 为 {row.state}，没有窗口这样做过")

    # States: the newest state any counter was told of is the visit's state now.
    newest: dict[int, tuple[int, str, int]] = {}
    for tally in tallies:
        for visit_id, state in tally.states.items():
            if visit_id not in newest or newest[visit_id][0] < state[0]:
                newest[visit_id] = state
    for visit_id, (version, status, owner) in newest.items():
        row = visits.get(visit_id)
        if row is None:
            continue  # counted as a lost registration
        if row.row_version < version:
            report.lost_updates += 1
            report.problems.append(
                f"{row.serial}：窗口最后得到第 {version} 版（{status}），库中仍是第 "
                f"{row.row_version} 版（{row.status}）"
            )
        elif row.row_version > version:
            report.unreported_writes += 1
            report.problems.append(
                f"{row.serial}：库中为第 {row.row_version} 版，窗口只知道第 {version} 版"
            )
        elif (row.status, row.owner_id) != (status, owner):
            report.lost_updates += 1
            report.problems.append(
                f"{row.serial}：第 {version} 版窗口得到 {status}/{owner}，库中 "
                f"{row.status}/{row.owner_id}"
            )

    # Serial numbers: per year unique, 1 … the counter's last number with no gap.
    by_year: dict[int, list[int]] = {}
    for row in visits.values():
        by_year.setdefault(row.year, []).append(row.seq)
    serials = [row.serial for row in visits.values()]
    report.duplicate_serials = len(serials) - len(set(serials))
    for year in sorted(set(by_year) | set(last_numbers)):
        seqs = by_year.get(year, [])
        report.duplicate_serials += len(seqs) - len(set(seqs))
        top = max([*seqs, last_numbers.get(year, 0)])
        gaps = sorted(set(range(1, top + 1)) - set(seqs))
        report.missing_serials += len(gaps)
        if gaps:
            report.problems.append(f"{year} 年缺号 {len(gaps)} 个，最早 {gaps[:5]}")

    checked = check_database(database)
    report.check_ok, report.check_lines = checked.ok, list(checked.lines)


def summarise(report: Report, tallies: list[Tally]) -> None:
    ok: Counter[str] = Counter()
    user: Counter[str] = Counter()
    bugs: list[str] = []
    register_times: list[float] = []
    for tally in tallies:
        ok.update(tally.ok)
        user.update(tally.user_errors)
        bugs.extend(tally.bugs)
        register_times.extend(tally.latency.get("登记", []))
    report.counters_cpu = sum(t.cpu_seconds for t in tallies)
    report.registrations = ok["登记"]
    report.handovers_requested = ok["发起移交"]
    report.handovers_accepted = ok["接收移交"]
    report.accepts = ok["受理"]
    report.finishes = ok["当场办结"] + ok["办结"]
    report.writes = sum(ok[k] for k in ("登记", "发起移交", "接收移交", "受理", "当场办结", "办结"))
    report.reads = ok["来人识别"] + ok["移交列表"]
    report.register_attempts = len(register_times)
    report.register_ms = (
        percentile(register_times, 0.50) * 1000,
        percentile(register_times, 0.95) * 1000,
        max(register_times, default=0.0) * 1000,
    )
    report.start_refusals = sum(n for text, n in user.items() if text.startswith(f"{START}:"))
    report.user_errors = sum(user.values()) - report.start_refusals
    report.user_messages = user.most_common(5)
    report.unexpected = len(bugs)
    report.unexpected_samples = [text for text, _ in Counter(bugs).most_common(5)]


def bench_engine(
    engine: str, counters: int, seconds: float, url: str | None, seed: int, log: Any
) -> Report:
    """Set up, run and verify one engine in a folder of its own (removed afterwards)."""
    folder = Path(tempfile.mkdtemp(prefix=f"stationdesk-counters-{engine}-"))
    stop: Callable[[], None] = lambda: None  # noqa: E731
    server_cpu: Callable[[], float | None] = lambda: None  # noqa: E731
    database = None
    try:
        server = ""
        if engine == "sqlite":
            target = f"sqlite:///{folder / 'ledger.sqlite3'}"
            server = f"SQLite {_sqlite_version()}，WAL，synchronous=FULL，busy_timeout=10 s"
        elif url:
            target = url
            server = _pg_settings(url)
        else:
            from tests.pg_server import start_server

            pg, reason, stop = start_server()
            if pg is None:
                raise RuntimeError(f"no PostgreSQL server: {reason}")
            _restart_with_fsync(pg)
            # As a station server is prepared (stationdesk server init): the counters log in
            # with the least-privilege application role, the schema owned by another role.
            from app.station.server import init_server

            target = init_server(pg.url("postgres"), "counters_bench").counter.url()
            server_cpu = partial(_postmaster_cpu, pg.folder / "data" / "postmaster.pid")
            server = _pg_settings(target)
        log(f"{engine}: setting up the station ({counters} counters)")
        database, desks = set_up_station(target, counters)
        tallies, busy, server_seconds = run_counters(
            target, desks, seconds, folder, seed, log, server_cpu
        )
        report = Report(engine, counters, seconds, server, machine_busy=busy)
        report.server_cpu = server_seconds
        summarise(report, tallies)
        for tally in tallies:
            for text in tally.tracebacks:
                log(f"counter {tally.counter}: unexpected exception\n{text}")
        log(f"{engine}: checking the ledger")
        verify(database, report, tallies)
        return report
    finally:
        if database is not None:
            database.dispose()
        with contextlib.suppress(Exception):
            stop()
        shutil.rmtree(folder, ignore_errors=True)


def _postmaster_cpu(pid_file: Path) -> float | None:
    """CPU seconds of the local server: the postmaster and its reaped backends (Linux)."""
    try:
        pid = int(pid_file.read_text().split()[0])
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, ValueError, IndexError):
        return None
    # utime, stime, cutime, cstime: fields 14–17 of stat, 12–15 after the command.
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _restart_with_fsync(pg: Any) -> None:
    """The test cluster runs with ``fsync=off`` (set on its command line, which no ALTER
    SYSTEM overrides); a station server writes its commits to disk, so restart it with the
    same options but fsync on."""
    from tests.pg_server import _as_server_user, _binary

    pg_ctl = _binary("pg_ctl")
    assert pg_ctl is not None
    drop, _uid, _gid = _as_server_user()
    options = f"-p {pg.port} -k {pg.folder} -c listen_addresses=127.0.0.1 -c fsync=on"
    data, log = pg.folder / "data", pg.folder / "server.log"
    subprocess.run(
        [pg_ctl, "-D", str(data), "-l", str(log), "-o", options, "-m", "fast", "-w", "restart"],
        check=True,
        capture_output=True,
        preexec_fn=drop,  # as tests.pg_server starts it: never as root
        timeout=120,
    )


def _sqlite_version() -> str:
    import sqlite3

    return sqlite3.sqlite_version


def _sql(url: str, *statements: str) -> list[Any]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            results = [conn.execute(text(s)) for s in statements]
            return [r.scalar() if r.returns_rows else None for r in results]
    finally:
        engine.dispose()


def _pg_settings(url: str) -> str:
    version, fsync, commit = _sql(
        url, "SHOW server_version", "SHOW fsync", "SHOW synchronous_commit"
    )
    from sqlalchemy.engine import make_url

    where = make_url(url)
    return (
        f"PostgreSQL {version}，fsync={fsync}，synchronous_commit={commit}，"
        f"经 TCP 连 {where.host}:{where.port}，窗口以 {where.username} 角色登录"
    )


# ---- output ---------------------------------------------------------------------------------


def table(reports: Sequence[Report]) -> str:
    """The figures as a Markdown table, one column per engine (column heads in Chinese)."""

    def row(label: str, values: Sequence[str]) -> str:
        return "| " + " | ".join([label, *values]) + " |"

    def n(value: float) -> str:
        return f"{value:,.0f}"

    lines = [
        row("项目", [ENGINE_LABELS[r.engine] for r in reports]),
        row("---", ["---:" for _ in reports]),
        row("窗口（进程）数", [str(r.counters) for r in reports]),
        row("时长（秒）", [f"{r.seconds:g}" for r in reports]),
        row("登记", [n(r.registrations) for r in reports]),
        row("移交（发起 / 接收）", [f"{r.handovers_requested} / {r.handovers_accepted}" for r in reports]),
        row("受理", [n(r.accepts) for r in reports]),
        row("办结", [n(r.finishes) for r in reports]),
        row("写操作 / 秒", [f"{r.writes / r.seconds:.1f}" for r in reports]),
        row("查询（来人识别、移交列表）/ 秒", [f"{r.reads / r.seconds:.1f}" for r in reports]),
        row(
            "一次登记耗时 p50 / p95 / 最长（毫秒）",
            [" / ".join(f"{v:.0f}" for v in r.register_ms) for r in reports],
        ),
        row("丢失的写入", [str(r.lost_writes) for r in reports]),
        row("无人知晓的写入", [str(r.unreported_writes) for r in reports]),
        row("重复流水号", [str(r.duplicate_serials) for r in reports]),
        row("缺失流水号", [str(r.missing_serials) for r in reports]),
        row("窗口号不符", [str(r.wrong_counter) for r in reports]),
        row("用户可见的错误（运行中）", [str(r.user_errors) for r in reports]),
        row("启动被拒（再启动即成功）", [str(r.start_refusals) for r in reports]),
        row("意外异常（程序缺陷）", [str(r.unexpected) for r in reports]),
        row("完整性检查（stationdesk check）", ["通过" if r.check_ok else "未通过" for r in reports]),
    ]  # fmt: skip
    return "\n".join(lines)


def details(report: Report) -> str:
    lines = [f"{ENGINE_LABELS[report.engine]}：{report.server}"]
    lines.append(f"  登记尝试 {report.register_attempts} 次（耗时按每次尝试计，含未保存的）")
    cores = os.cpu_count() or 1
    ours = report.counters_cpu + (report.server_cpu or 0.0)
    lines.append(
        f"  运行期间整机 CPU 占用 {report.machine_busy:.0%}（{cores} 核，含其他任务）；"
        f"各窗口进程 CPU 合计 {report.counters_cpu:.1f} s"
        + (
            f"，数据库服务器进程 CPU 合计 {report.server_cpu:.1f} s"
            if report.server_cpu is not None
            else ""
        )
        + f"，即本基准得到整机 CPU 的 {ours / (report.seconds * cores):.0%}"
    )
    for message, count in report.user_messages:
        lines.append(f"  用户可见：{count} 次  {message}")
    for text in report.unexpected_samples:
        lines.append(f"  意外异常：{text}")
    if not report.check_ok:
        lines.extend(f"  检查：{line}" for line in report.check_lines)
    lines.extend(f"  问题：{p}" for p in report.problems[:20])
    return "\n".join(lines)


def machine() -> str:
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return (
        f"{platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu}), "
        f"Python {platform.python_version()}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--counters", type=int, help="counters (processes); 4 SQLite, 8 PostgreSQL")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument(
        "--url",
        help="an existing PostgreSQL database with no station in it yet (e.g. just prepared by "
        "stationdesk server init), as the counters reach it; else a throwaway cluster is started",
    )
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child_main(args.child)
    if args.counters is not None and args.counters < 1:
        parser.error("--counters must be at least 1")

    def log(text: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)

    # Station keys go to a folder of this run (parent and counters), never the credential store.
    keys = tempfile.mkdtemp(prefix="stationdesk-counters-keys-")
    os.environ["STATIONDESK_KEY_DIR"] = keys
    os.environ["STATIONDESK_KEYRING"] = "0"
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p
    )
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    reports = []
    try:
        for engine in engines:
            counters = args.counters or DEFAULT_COUNTERS[engine]
            url = args.url if engine == "postgresql" else None
            reports.append(bench_engine(engine, counters, args.seconds, url, args.seed, log))
    finally:
        shutil.rmtree(keys, ignore_errors=True)
    print(f"{machine()}, load average {_load()} after the run, {time.strftime('%Y-%m-%d %H:%M')}")
    print()
    print(table(reports))
    print()
    for report in reports:
        print(details(report))
    if args.json:
        args.json.write_text(
            json.dumps(
                [{**asdict(r), "lost_writes": r.lost_writes, "sound": r.sound} for r in reports],
                ensure_ascii=False,
                indent=1,
            ),
            encoding="utf-8",
        )
    return 0 if all(r.sound for r in reports) else 1


def _load() -> str:
    with contextlib.suppress(OSError):
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return "?"


if __name__ == "__main__":
    sys.exit(main())
