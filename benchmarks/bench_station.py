"""Issue 11 benchmark: every screen, search, print and statistic of a station at full size.

Run against a built database (benchmarks/build_station.py), or let it build one:

    .venv/bin/python benchmarks/bench_station.py --db /tmp/bench1m.sqlite3
    .venv/bin/python benchmarks/bench_station.py --sizes 100000,1000000 [--cache-dir DIR]

Prints, per database, one line per figure: what, measured, the anchor measured in the same run,
the ratio, the target, OK or MISS (ERROR when the call raised: the app is changing under us).
Medians over repeated runs; p95 where the target is a p95. Everything goes through the app's
real services (app.services.build_services, logged in with the demo password); GUI figures run
offscreen in subprocesses (benchmarks/gui_probe.py) so RSS is per process. The database is
used as the app uses it: logins, prints and `stationdesk print` add audit events and print
records to it, as they would at the counter.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
STATIONDESK = str(Path(PYTHON).with_name("stationdesk"))
PROBE = str(Path(__file__).with_name("gui_probe.py"))
PASSWORD = "Demo2026"  # app.demo.DEMO_PASSWORD; the builder creates the demo logins
CHIEF, OFFICER = "031001", "031011"


# ---- figures ------------------------------------------------------------------------------


@dataclass
class Line:
    """One row of the table."""

    what: str
    measured: str = ""
    anchor: str = ""
    ratio: str = ""
    target: str = ""
    result: str = ""
    value: float | None = None  # the measured figure in seconds/MB, for growth across sizes
    note: str = ""


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(0.95 * len(ordered) + 0.5) - 1))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.1f} s"


def timed(call: Callable[[], Any], repeat: int, warm: int = 1) -> list[float]:
    """Wall times of ``repeat`` calls after ``warm`` unmeasured ones."""
    for _ in range(warm):
        call()
    out = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        out.append(time.perf_counter() - began)
    return out


def verdict(*checks: bool) -> str:
    return "OK" if all(checks) else "MISS"


def _load() -> str:
    with contextlib.suppress(OSError):
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return "?"


# ---- the benchmark of one database --------------------------------------------------------


@dataclass
class Bench:
    """All figures of one database."""

    db: Path
    repeat: int
    gui_runs: int
    cli_runs: int
    log: Callable[[str], None]
    lines: list[Line] = field(default_factory=list)
    build_seconds: float | None = None

    def guard(self, what: str, target: str, measure: Callable[[], list[Line] | Line]) -> None:
        """Run one measurement; a failure becomes an ERROR line and the run goes on."""
        self.log(f"measuring: {what}")
        try:
            got = measure()
        except Exception as exc:  # the app is being changed by others concurrently
            message = f"{type(exc).__name__}: {exc}".splitlines()[0][:90]
            self.lines.append(Line(what, target=target, result="ERROR", note=message))
            self.log(traceback.format_exc(limit=3))
            return
        self.lines.extend(got if isinstance(got, list) else [got])

    # -- set-up ----------------------------------------------------------------------------

    def prepare(self) -> None:
        """Bring the schema to head without the app's multi-GB backup copy; open services.

        The database is sealed with its station key: the key must be on this computer (the
        builder keeps it where ``STATIONDESK_KEY_DIR`` says, else in the user's key folder).
        """
        from app.core.database import open_database
        from app.core.station_key import StationKeyNeeded, key_record, new_station_cipher
        from app.services import build_services
        from db.engine import make_engine
        from db.migrate import current_revision, head_revision, upgrade_to_head
        from db.sealed import cipher_of, open_text

        engine = make_engine(f"sqlite:///{self.db}")
        try:
            current, head = current_revision(engine), head_revision()
            if current != head:
                began = time.perf_counter()
                # As app.core.database does: a database from before sealing gets its key first.
                cipher = new_station_cipher() if key_record(engine) is None else None
                upgrade_to_head(engine, cipher)
                self.log(f"migrated {current} → {head} in {time.perf_counter() - began:.1f} s")
        finally:
            engine.dispose()
        try:
            self.database = open_database(self.db)
        except StationKeyNeeded as exc:
            raise SystemExit(
                f"{exc}\n(run with the STATIONDESK_KEY_DIR the database was built with)"
            ) from None
        self.cipher = cipher_of(self.database.engine.dialect)
        self.services = build_services(self.database.sessions)
        self.chief = self.services.auth.login(CHIEF, PASSWORD)
        self.officer = self.services.auth.login(OFFICER, PASSWORD)
        self.raw = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)
        self.today = self.services.station.today()
        self.visits = self.raw.execute("SELECT max(id) FROM visits").fetchone()[0] or 0
        rng = random.Random(11)
        ids = [rng.randint(1, self.visits) for _ in range(self.repeat)]
        # (ID number, phone, serial, name, date, ID number's hash, phone's hash): the clear
        # values a user types, opened with the station key, and the keyed hashes they look up.
        self.probes = []
        for i in ids:
            number, phone, serial, name, day, number_hash, phone_hash = self.raw.execute(
                "SELECT id_number, phone, serial, citizen_name, local_date, id_number_hash,"
                " phone_hash FROM visits WHERE id = ?",
                (i,),
            ).fetchone()
            number, phone = open_text(self.cipher, number), open_text(self.cipher, phone)
            if number_hash != (self.cipher.blind("id", number) if number else ""):
                raise RuntimeError(f"visit {i}: id_number_hash is not the ID number's keyed hash")
            if phone_hash != (self.cipher.blind("phone", phone) if phone else ""):
                raise RuntimeError(f"visit {i}: phone_hash is not the phone's keyed hash")
            self.probes.append((number, phone, serial, name, day, number_hash, phone_hash))
        sidecar = Path(f"{self.db}.build.json")
        if sidecar.exists() and self.build_seconds is None:
            with contextlib.suppress(ValueError, KeyError):
                self.build_seconds = float(json.loads(sidecar.read_text())["seconds"])

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.raw.close()
            self.database.dispose()

    # -- the figures -----------------------------------------------------------------------

    def run(self, only: Sequence[str] = ()) -> list[Line]:
        parts = [
            ("login", "start to login window (wall)", "≤ 1.5× anchor", self.login_window),
            (
                "lookups",
                "lookups by ID number, phone, serial",
                "p95 ≤ 5 ms, ≤ 5× anchor",
                self.lookups,
            ),
            ("names", "name + date-range search, page 1 + count", "p95 ≤ 10 ms", self.name_search),
            ("open", "all open matters (service)", "≤ 150 ms", self.open_matters),
            ("audit", "audit log pages (service)", "≤ 200 ms", self.audit_pages),
            ("windows", "chief's main window", "≤ 1.5 s", self.windows),
            ("ledger", "daily ledger", "≤ 300 ms / ≤ 0.5 s", self.ledger),
            ("statistics", "statistics", "≤ 100 ms / ≤ 500 ms", self.statistics),
            ("notice", "one-time notice PDF in process", "≤ 30 ms", self.notice_pdf),
            ("print", "stationdesk print (whole process)", "≤ 0.8 s", self.cli_prints),
        ]
        for key, what, target, measure in parts:
            if not only or key in only:
                self.guard(what, target, measure)
        if not only or "builder" in only:
            self.lines.append(self.builder_line())
        return self.lines

    def login_window(self) -> list[Line]:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        anchor = [_process(PYTHON, PROBE, "anchor", env=env) for _ in range(self.gui_runs)]
        login = [
            _process(PYTHON, PROBE, "login", "--db", str(self.db), env=env)
            for _ in range(self.gui_runs)
        ]
        wall, base = median([r.wall for r in login]), median([r.wall for r in anchor])
        rss = median([r.report.get("rss_mb", 0.0) for r in login])
        base_rss = median([r.report.get("rss_mb", 0.0) for r in anchor])
        peak = median([r.peak_mb for r in login])
        lines = [
            Line(
                "start to login window, whole process (wall)",
                ms(wall),
                f"{ms(base)} bare QMainWindow",
                f"{wall / base:.2f}×",
                "≤ 1.5× anchor",
                verdict(wall <= 1.5 * base),
                wall,
            ),
            Line(
                "  RSS at the login window",
                f"{rss:.0f} MB",
                f"{base_rss:.0f} MB bare",
                f"{rss / base_rss:.2f}×",
                "≤ 90 MB",
                verdict(rss <= 90),
                rss,
                note=f"peak RSS of the process {peak:.0f} MB",
            ),
        ]
        flag = _exit_at_login_flag()
        if flag:
            app_env = dict(env, **{flag: "1"})
            runs = [
                _process(PYTHON, "main.py", "--db", str(self.db), env=app_env, json_out=False)
                for _ in range(self.gui_runs)
            ]
            if any(r.code for r in runs):
                raise RuntimeError(f"main.py with {flag}: {runs[0].stderr.strip()[-200:]}")
            app_wall = median([r.wall for r in runs])
            lines.append(
                Line(
                    f"  same, python main.py with {flag}=1",
                    ms(app_wall),
                    f"{ms(base)} bare QMainWindow",
                    f"{app_wall / base:.2f}×",
                    "≤ 1.5× anchor",
                    verdict(app_wall <= 1.5 * base),
                    app_wall,
                    note=f"peak RSS {median([r.peak_mb for r in runs]):.0f} MB (the app's own flag)",
                )
            )
        return lines

    def lookups(self) -> list[Line]:
        from app.visits.dto import VisitQuery

        v, user = self.services.visits, self.officer
        # ID numbers and phones are sealed: a lookup goes by the keyed hash of what was typed
        # (probe columns 5 and 6), through the hash columns' indexes.
        cases = [
            (
                "find_citizen by ID number",
                5,
                lambda p: v.find_citizen(user, id_number=p[0]),
                "SELECT * FROM visits WHERE id_number_hash = ?",
            ),
            (
                "find_citizen by phone",
                6,
                lambda p: v.find_citizen(user, phone=p[1]),
                "SELECT * FROM visits WHERE phone_hash = ?",
            ),
            (
                "search by ID number",
                5,
                lambda p: v.search(user, VisitQuery(id_number=p[0])),
                "SELECT * FROM visits WHERE id_number_hash = ?",
            ),
            (
                "search by phone",
                6,
                lambda p: v.search(user, VisitQuery(phone=p[1])),
                "SELECT * FROM visits WHERE phone_hash = ?",
            ),
            (
                "search by serial",
                2,
                lambda p: v.search(user, VisitQuery(serial=p[2])),
                "SELECT * FROM visits WHERE serial = ?",
            ),
        ]
        lines = []
        for label, column, call, sql in cases:
            service = _each(self.probes, call)
            # The anchor: the very statements the service ran for each probe (its permission
            # check, station settings and lookup by keyed hash), replayed through the raw
            # sqlite3 module with the same parameters. What the service adds on top of it is
            # the ORM, the session, the keyed hash of what was typed, opening the sealed ID
            # numbers and phones of the rows it found, and building its rows.
            replays = [self._statements_of(lambda p=p, call=call: call(p)) for p in self.probes]
            looked_up = {5: "id_number_hash = ?", 6: "phone_hash = ?"}.get(column)
            if looked_up and not any(looked_up in statement for statement, _ in replays[0]):
                raise RuntimeError(f"{label}: the service did not look up by {looked_up}")
            raw = _each(replays, self._replay)
            single = _each(
                self.probes,
                lambda p, sql=sql, column=column: self.raw.execute(sql, (p[column],)).fetchall(),
            )
            lines.append(
                Line(
                    f"lookup: {label}",
                    f"p95 {ms(p95(service))}",
                    f"p95 {ms(p95(raw))} same SQL raw",
                    f"{p95(service) / p95(raw):.1f}×",
                    "p95 ≤ 5 ms, ≤ 5×",
                    verdict(p95(service) <= 0.005, p95(service) <= 5 * p95(raw)),
                    p95(service),
                    note=(
                        f"median {ms(median(service))}; {len(replays[0])} statements; "
                        f"the lookup's SELECT alone p95 {ms(p95(single))} "
                        f"({p95(service) / p95(single):.0f}×)"
                    ),
                )
            )
        return lines

    def _statements_of(self, call: Callable[[], Any]) -> list[tuple[str, Any]]:
        """The SQL statements (with their parameters) ``call`` runs once warm."""
        from sqlalchemy import event

        call()
        seen: list[tuple[str, Any]] = []

        def record(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _m: Any) -> None:
            if statement.lstrip().upper().startswith("SELECT"):
                seen.append((statement, params))

        engine = self.database.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            call()
        finally:
            event.remove(engine, "before_cursor_execute", record)
        return seen

    def _replay(self, statements: list[tuple[str, Any]]) -> None:
        for statement, params in statements:
            self.raw.execute(statement, params).fetchall()

    def name_search(self) -> list[Line]:
        from app.visits.dto import VisitQuery

        v, user = self.services.visits, self.officer
        year_ago = self.today - dt.timedelta(days=365)
        month_ago = self.today - dt.timedelta(days=30)
        full = _each(
            self.probes,
            lambda p: v.search(user, VisitQuery(name=p[3], date_from=year_ago, date_to=self.today)),
        )
        surname = _each(
            self.probes,
            lambda p: v.search(
                user, VisitQuery(name=p[3][0], date_from=month_ago, date_to=self.today)
            ),
        )
        counts = [
            v.search(user, VisitQuery(name=p[3][0], date_from=month_ago, date_to=self.today)).total
            for p in self.probes[:20]
        ]
        return [
            Line(
                "name search: full name, 1 year, page 1 + count",
                f"p95 {ms(p95(full))}",
                "",
                "",
                "p95 ≤ 10 ms",
                verdict(p95(full) <= 0.010),
                p95(full),
                note=f"median {ms(median(full))}",
            ),
            Line(
                "name search: surname, 30 days, page 1 + count",
                f"p95 {ms(p95(surname))}",
                "",
                "",
                "p95 ≤ 10 ms",
                verdict(p95(surname) <= 0.010),
                p95(surname),
                note=f"median {ms(median(surname))}; ~{median(counts):.0f} matches",
            ),
        ]

    def open_matters(self) -> list[Line]:
        v = self.services.visits
        rows = len(v.open_matters(self.chief, everyone=True))
        every = timed(lambda: v.open_matters(self.chief, everyone=True), max(3, self.repeat // 10))
        today = timed(lambda: v.today(self.chief), max(3, self.repeat // 10))
        return [
            Line(
                "all open matters, VisitService.open_matters(chief)",
                ms(median(every)),
                "",
                "",
                "≤ 150 ms",
                verdict(median(every) <= 0.150),
                median(every),
                note=f"{rows} rows",
            ),
            Line(
                "today's register, VisitService.today",
                ms(median(today)),
                "",
                "",
                "—",
                "",
                median(today),
            ),
        ]

    def audit_pages(self) -> list[Line]:
        """审计日志: the first page of a week, a year's reveals, an officer's month, a record,
        and the tenth page of a month (keyset: as fast as the first)."""
        from app.audit_log.service import AuditFilter

        log = self.services.audit_log
        today = self.today
        serial = self.probes[0][2]
        cases = [
            ("last 7 days, page 1", AuditFilter(today - dt.timedelta(days=6), today)),
            (
                "a year's reveals, page 1",
                AuditFilter(today - dt.timedelta(days=365), today, category="reveal"),
            ),
            (
                "a year's prints, page 1",
                AuditFilter(today - dt.timedelta(days=365), today, category="print"),
            ),
            (
                "a year's casework, page 1",
                AuditFilter(today - dt.timedelta(days=365), today, category="casework"),
            ),
            (
                "one officer's month, page 1",
                AuditFilter(
                    today - dt.timedelta(days=30), today, officer_id=self.officer.officer_id
                ),
            ),
            (
                "one record over ten years",
                AuditFilter(today.replace(year=today.year - 10), today, record=serial),
            ),
        ]
        lines = []
        for label, flt in cases:
            rows = len(log.page(self.chief, flt).rows)
            took = timed(lambda flt=flt: log.page(self.chief, flt), max(3, self.repeat // 10))
            lines.append(
                Line(
                    f"audit log: {label}",
                    ms(median(took)),
                    "",
                    "",
                    "≤ 200 ms",
                    verdict(median(took) <= 0.200),
                    median(took),
                    note=f"{rows} rows",
                )
            )
        month = AuditFilter(today - dt.timedelta(days=30), today)

        def tenth() -> None:
            page = log.page(self.chief, month)
            for _ in range(9):
                assert page.cursor is not None
                page = log.page(self.chief, month, page.cursor)

        took = timed(tenth, 3)
        lines.append(
            Line(
                "audit log: a month, pages 1-10",
                ms(median(took)),
                "",
                "",
                "≤ 2 s",
                verdict(median(took) <= 2.0),
                median(took),
            )
        )
        with tempfile.TemporaryDirectory() as folder:
            for suffix, target in ((".csv", 10.0), (".xlsx", 60.0)):
                out = Path(folder) / f"audit{suffix}"
                began = time.perf_counter()
                rows = log.export(self.chief, month, out).rows
                seconds = time.perf_counter() - began
                lines.append(
                    Line(
                        f"audit log: export a month ({suffix})",
                        f"{seconds:.1f} s",
                        "",
                        "",
                        f"≤ {target:.0f} s",
                        verdict(seconds <= target),
                        seconds,
                        note=f"{rows} rows, {out.stat().st_size / 1e6:.1f} MB",
                    )
                )
        return lines

    def windows(self) -> list[Line]:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", STATIONDESK_PASSWORD=PASSWORD)
        lines = []
        for who, badge in (("chief", CHIEF), ("officer", OFFICER)):
            runs = [
                _process(PYTHON, PROBE, "window", "--db", str(self.db), "--badge", badge, env=env)
                for _ in range(max(1, self.gui_runs // 2))
            ]
            build = median([r.report["build_s"] for r in runs])
            reload_ = median([median(r.report.get("today_reload_s", [0.0])) for r in runs])
            rss = median([r.report["rss_mb"] for r in runs])
            if who == "chief":
                lines.append(
                    Line(
                        "chief's main window built (MainWindow, offscreen)",
                        ms(build),
                        "",
                        "",
                        "≤ 1.5 s",
                        verdict(build <= 1.5),
                        build,
                    )
                )
            lines.append(
                Line(
                    f"{who}'s today page reload (GUI)",
                    ms(reload_),
                    "",
                    "",
                    "≤ 150 ms",
                    verdict(reload_ <= 0.150),
                    reload_,
                )
            )
            lines.append(
                Line(
                    f"RSS of the GUI, {who}: today + search pages shown",
                    f"{rss:.0f} MB",
                    "",
                    "",
                    "≤ 200 MB",
                    verdict(rss <= 200),
                    rss,
                    note=f"search page query {ms(median([r.report.get('search_page_s', 0) for r in runs]))}",
                )
            )
        return lines

    def _ledger_days(self) -> tuple[dt.date, dt.date | None]:
        """The busiest recent unreviewed day (built live) and busiest reviewed day (stored)."""
        since = (self.today - dt.timedelta(days=40)).isoformat()
        rows = self.raw.execute(
            "SELECT local_date, count(*), local_date IN (SELECT day FROM day_reviews)"
            " FROM visits WHERE local_date >= ? AND local_date < ? GROUP BY local_date",
            (since, self.today.isoformat()),
        ).fetchall()
        live = [r for r in rows if not r[2]] or rows
        stored = [r for r in rows if r[2]]

        def near_300(r: tuple[Any, ...]) -> tuple[int, str]:
            return (abs(r[1] - 300), r[0])

        day = min(live, key=near_300)[0]
        reviewed = min(stored, key=near_300)[0] if stored else None
        self.ledger_sizes = {r[0]: r[1] for r in rows}
        return dt.date.fromisoformat(day), dt.date.fromisoformat(reviewed) if reviewed else None

    def ledger(self) -> list[Line]:
        from app.ledger.pdf import ledger_document
        from app.printing.register_pdf import render_register

        ledgers = self.services.ledger
        tz = self.services.station.settings().timezone
        live, stored = self._ledger_days()
        self.ledger_day = live
        lines = []
        for day, kind in (
            (live, "not yet reviewed (built live)"),
            (stored, "reviewed (stored copy)"),
        ):
            if day is None:
                continue
            screen = timed(lambda day=day: ledgers.ledger(self.chief, day), 5)

            def pdf(day: dt.date = day) -> bytes:
                ledger = ledgers.ledger(self.chief, day)
                return render_register(ledger_document(ledger, tz, dt.datetime.now(dt.UTC)))

            printed = timed(pdf, 3)
            size = self.ledger_sizes.get(day.isoformat(), 0)
            lines.append(
                Line(
                    f"ledger of a ~300-visit day, {kind}: screen",
                    ms(median(screen)),
                    "",
                    "",
                    "≤ 300 ms",
                    verdict(median(screen) <= 0.300),
                    median(screen),
                )
            )
            lines.append(
                Line(
                    f"ledger of a ~300-visit day, {kind}: PDF",
                    ms(median(printed)),
                    "",
                    "",
                    "≤ 0.5 s",
                    verdict(median(printed) <= 0.5),
                    median(printed),
                    note=f"{day} ({size} visits); ledger + ledger_document + render_register",
                )
            )
        return lines

    def statistics(self) -> list[Line]:
        stats = self.services.statistics
        last = self.today.replace(day=1) - dt.timedelta(days=1)
        month = (last.replace(day=1), last)
        year = (self.today - dt.timedelta(days=365), self.today - dt.timedelta(days=1))
        one = timed(lambda: stats.compute(self.chief, *month), 3)
        twelve = timed(lambda: stats.compute(self.chief, *year), 3)
        return [
            Line(
                f"statistics, one month ({month[0]:%Y-%m})",
                ms(median(one)),
                "",
                "",
                "≤ 100 ms",
                verdict(median(one) <= 0.100),
                median(one),
            ),
            Line(
                "statistics, one year (365 days)",
                ms(median(twelve)),
                "",
                "",
                "≤ 500 ms",
                verdict(median(twelve) <= 0.500),
                median(twelve),
            ),
        ]

    def notice_pdf(self) -> list[Line]:
        from app.printing.fonts import register_fonts
        from app.printing.slip_pdf import render_slip

        notices = self.services.notices
        nid = self.raw.execute("SELECT max(id) FROM notices").fetchone()[0]
        data = notices.slip(self.officer, nid)
        register_fonts()
        whole = timed(
            lambda: render_slip(notices.slip(self.officer, nid)), max(5, self.repeat // 4)
        )
        render = timed(lambda: render_slip(data), max(5, self.repeat // 4))
        bare = timed(lambda: _bare_canvas(data.texts()), max(5, self.repeat // 4))
        lines = [
            Line(
                "one-time notice PDF in process (slip data + render)",
                ms(median(whole)),
                f"{ms(median(bare))} bare canvas",
                f"{median(whole) / median(bare):.1f}×",
                "≤ 30 ms",
                verdict(median(whole) <= 0.030),
                median(whole),
                note=f"render alone {ms(median(render))}; p95 {ms(p95(whole))}",
            ),
        ]
        soffice = shutil.which("soffice") or shutil.which("libreoffice")
        if soffice is None:
            lines.append(
                Line(
                    "  vs soffice --convert-to pdf of a .docx",
                    "skipped",
                    "",
                    "",
                    "≥ 20× faster",
                    "",
                    note="LibreOffice is not installed here",
                )
            )
        else:
            office = _soffice_seconds(soffice, data.texts())
            lines.append(
                Line(
                    "  vs soffice --convert-to pdf of a .docx",
                    ms(median(whole)),
                    f"{ms(office)} soffice",
                    f"{office / median(whole):.0f}× faster",
                    "≥ 20× faster",
                    verdict(office >= 20 * median(whole)),
                    median(whole),
                )
            )
        return lines

    def cli_prints(self) -> list[Line]:
        day = getattr(self, "ledger_day", self.today - dt.timedelta(days=1))
        serial = self.raw.execute(
            "SELECT serial FROM visits WHERE accepted_at IS NOT NULL AND status = 'completed'"
            " ORDER BY id DESC LIMIT 1"
        ).fetchone()[0]
        notice = self.raw.execute("SELECT number FROM notices ORDER BY id DESC LIMIT 1").fetchone()[
            0
        ]
        rect = self.raw.execute(
            "SELECT number FROM rectifications ORDER BY id DESC LIMIT 1"
        ).fetchone()[0]
        jobs = [
            ("receipt", [serial], OFFICER),
            ("notice", [notice], OFFICER),
            ("rectification", [rect], CHIEF),
            ("ledger", [day.isoformat()], CHIEF),
            ("register", ["--from", day.isoformat()], CHIEF),
        ]
        env = dict(os.environ, STATIONDESK_PASSWORD=PASSWORD)
        bare = [_process(PYTHON, "-c", "pass", json_out=False).wall for _ in range(self.cli_runs)]
        lines = []
        with tempfile.TemporaryDirectory() as folder:
            for kind, args, badge in jobs:
                walls: list[float] = []
                peaks: list[float] = []
                for k in range(self.cli_runs):
                    out = Path(folder) / f"{kind}-{k}.pdf"
                    run = _process(
                        STATIONDESK,
                        "print",
                        kind,
                        *args,
                        "--db",
                        str(self.db),
                        "--out",
                        str(out),
                        "--badge",
                        badge,
                        env=env,
                        json_out=False,
                    )
                    if run.code != 0:
                        raise RuntimeError(f"stationdesk print {kind}: {run.stderr.strip()[:120]}")
                    walls.append(run.wall)
                    peaks.append(run.peak_mb)
                wall = median(walls)
                lines.append(
                    Line(
                        f"stationdesk print {kind}",
                        ms(wall),
                        f"{ms(median(bare))} python -c pass",
                        f"{wall / median(bare):.1f}×",
                        "≤ 0.8 s",
                        verdict(wall <= 0.8),
                        wall,
                        note=f"peak RSS {median(peaks):.0f} MB",
                    )
                )
        return lines

    def builder_line(self) -> Line:
        if self.build_seconds is None:
            return Line(
                "loading the visits with their history (builder)",
                "unknown",
                "",
                "",
                "≤ 60 s",
                "",
                note="build with build_station.py to time it",
            )
        return Line(
            "loading the visits with their history (builder)",
            ms(self.build_seconds),
            "",
            "",
            "≤ 60 s",
            verdict(self.build_seconds <= 60),
            self.build_seconds,
            note=f"{self.visits:,} visits (from {self.db}.build.json; load at build time matters)",
        )


def _exit_at_login_flag() -> str | None:
    """The app's own "quit once the login window is up" variable, if it has one yet."""
    try:
        from ui.application import EXIT_AT_LOGIN_ENV  # type: ignore[attr-defined]
    except ImportError:
        return None
    return str(EXIT_AT_LOGIN_ENV)


def _each(probes: Sequence[Any], call: Callable[[Any], Any]) -> list[float]:
    call(probes[0])
    out = []
    for probe in probes:
        began = time.perf_counter()
        call(probe)
        out.append(time.perf_counter() - began)
    return out


def _bare_canvas(texts: list[str]) -> bytes:
    """The anchor: the same characters drawn with the same font on a bare ReportLab canvas."""
    import io

    from reportlab.lib.pagesizes import A5
    from reportlab.pdfgen import canvas

    from app.printing.fonts import REGULAR

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A5)
    y = A5[1] - 30
    for text in texts:
        for chunk in [text[i : i + 40] for i in range(0, len(text), 40)] or [""]:
            pdf.setFont(REGULAR, 9)
            pdf.drawString(20, y, chunk)
            y -= 12
            if y < 30:
                pdf.showPage()
                y = A5[1] - 30
    pdf.save()
    return buffer.getvalue()


def _soffice_seconds(soffice: str, texts: list[str]) -> float:
    """soffice --headless --convert-to pdf of a .docx with the same text (median of 3)."""
    from openpyxl import Workbook  # noqa: F401  (only to fail early if the env is odd)

    with tempfile.TemporaryDirectory() as folder:
        docx = Path(folder) / "notice.docx"
        _write_docx(docx, texts)
        walls = [
            _process(
                soffice,
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                folder,
                str(docx),
                json_out=False,
            ).wall
            for _ in range(3)
        ]
    return median(walls)


def _write_docx(path: Path, texts: list[str]) -> None:
    """A minimal WordprocessingML document, one paragraph per text."""
    import zipfile
    from xml.sax.saxutils import escape

    body = "".join(f"<w:p><w:r><w:t>{escape(t)}</w:t></w:r></w:p>" for t in texts)
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    )
    types = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
        '"application/xml"/><Override PartName="/word/document.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
        '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/'
        'document.xml"/></Relationships>'
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("_rels/.rels", rels)
        z.writestr("word/document.xml", document)


@dataclass
class Run:
    """A finished subprocess: wall time, its own peak RSS, exit code, JSON report."""

    wall: float
    peak_mb: float
    code: int
    report: dict[str, Any]
    stderr: str


def _installed_env(env: dict[str, str] | None) -> dict[str, str]:
    """The environment of a process started as an installed StationDesk starts.

    pip compiles an installed package's modules to bytecode; a developer's shell may say
    ``PYTHONDONTWRITEBYTECODE`` (this machine's does), which would make every measured process
    compile the project's ~150 modules from source again (about 0.2 s each time), a cost no
    counter PC pays. The bytecode is written once by ``compile_bytecode`` before measuring.
    """
    clean = dict(os.environ if env is None else env)
    clean.pop("PYTHONDONTWRITEBYTECODE", None)
    return clean


def compile_bytecode() -> None:
    """Write the project's bytecode as ``pip install`` does for an installed copy."""
    import compileall

    for folder in ("app", "db", "ui", "resources"):
        compileall.compile_dir(str(ROOT / folder), quiet=1)
    compileall.compile_file(str(ROOT / "main.py"), quiet=1)


def _process(*argv: str, env: dict[str, str] | None = None, json_out: bool = True) -> Run:
    """Run a process to its end: wall time from spawn to exit, and its own peak RSS.

    The peak comes from GNU time when it is installed (the kernel carries a forked child's
    ``ru_maxrss`` over from the parent it was forked from, here a process with a big database
    open), else from the JSON report of a probe, else it is 0.
    """
    gnu_time = shutil.which("time") if Path("/usr/bin/time").exists() else None
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r", suffix=".rss") as rss,
    ):
        command = [gnu_time, "-f", "%M", "-o", rss.name, *argv] if gnu_time else list(argv)
        began = time.perf_counter()
        child = subprocess.run(
            command, stdout=out, stderr=err, env=_installed_env(env), cwd=ROOT, check=False
        )
        wall = time.perf_counter() - began
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
        text = rss.read().strip().splitlines()
    peak = float(text[-1]) / 1024 if text and text[-1].isdigit() else 0.0
    report: dict[str, Any] = {}
    if json_out:
        lines = [x for x in stdout.splitlines() if x.startswith("{")]
        if not lines or child.returncode != 0:
            name = Path(argv[1]).name if len(argv) > 1 else argv[0]
            raise RuntimeError(f"{name} failed: {(stderr or stdout).strip()[-300:]}")
        report = json.loads(lines[-1])
        peak = peak or float(report.get("peak_mb", 0.0))
    return Run(wall, peak, child.returncode, report, stderr)


# ---- output -------------------------------------------------------------------------------

HEADERS = ("what", "measured", "anchor", "ratio", "target", "result")


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def print_table(lines: list[Line], out: Any = sys.stdout) -> None:
    rows = [HEADERS] + [(x.what, x.measured, x.anchor, x.ratio, x.target, x.result) for x in lines]
    widths = [max(_width(r[i]) for r in rows) for i in range(len(HEADERS))]
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    print(rule, file=out)
    for n, row in enumerate(rows):
        print(
            "| " + " | ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)) + " |", file=out
        )
        if n == 0:
            print(rule, file=out)
    print(rule, file=out)
    notes = [(x.what.strip(), x.note) for x in lines if x.note]
    for what, note in notes:
        print(f"  · {what}: {note}", file=out)


def print_growth(results: list[tuple[str, list[Line]]], out: Any = sys.stdout) -> None:
    """The same figures side by side across sizes, with the growth factor."""
    if len(results) < 2:
        return
    names = [name for name, _ in results]
    first = {x.what: x for x in results[0][1]}
    rows = [("what", *names, "growth")]
    for what, line in first.items():
        values = []
        for _name, lines in results:
            match = next((x for x in lines if x.what == what), None)
            values.append(match)
        shown = [m.measured if m is not None else "—" for m in values]
        growth = ""
        if all(m is not None and m.value for m in values):
            growth = f"{values[-1].value / values[0].value:.1f}×"  # type: ignore[union-attr, operator]
        rows.append((what, *shown, growth))
        del line
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    print("\nGrowth across sizes:", file=out)
    for n, row in enumerate(rows):
        print("  " + "  ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)), file=out)
        if n == 0:
            print("  " + "  ".join("-" * w for w in widths), file=out)


def _log_to_stderr(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def bench_one(db: Path, args: argparse.Namespace, build_seconds: float | None = None) -> list[Line]:
    log = _log_to_stderr if args.verbose else (lambda _t: None)
    bench = Bench(db, args.repeat, args.gui_runs, args.cli_runs, log, build_seconds=build_seconds)
    load_before = _load()
    bench.prepare()
    try:
        lines = bench.run([p.strip() for p in args.only.split(",") if p.strip()])
    finally:
        bench.close()
    size = db.stat().st_size / 1e6
    print(
        f"\n{db} — {bench.visits:,} visits, {size:,.0f} MB; Python {platform.python_version()},"
        f" {os.cpu_count()} CPUs; load average {load_before} → {_load()};"
        f" {dt.datetime.now():%Y-%m-%d %H:%M}"
    )
    print_table(lines)
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db", action="append", type=Path, default=[], help="a built database (repeatable)"
    )
    parser.add_argument("--visits", type=int, help="build a database of this size first")
    parser.add_argument(
        "--sizes", help="comma-separated sizes to build (or reuse from --cache-dir) and compare"
    )
    parser.add_argument(
        "--cache-dir", type=Path, help="keep built databases here (station-N.sqlite3)"
    )
    parser.add_argument("--repeat", type=int, default=100, help="probes per lookup figure")
    parser.add_argument("--gui-runs", type=int, default=5, help="runs per GUI process figure")
    parser.add_argument("--cli-runs", type=int, default=3, help="runs per stationdesk print")
    parser.add_argument("--verbose", action="store_true", help="progress and tracebacks on stderr")
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated parts to measure: login, lookups, names, open, windows, ledger, "
        "statistics, notice, print, audit, builder (default: all)",
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else []
    if args.visits:
        sizes.append(args.visits)
    targets: list[tuple[Path, float | None]] = [(p, None) for p in args.db]
    scratch = None
    if sizes:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from build_station import build_station

        folder = args.cache_dir or Path(scratch := tempfile.mkdtemp(prefix="stationdesk-bench-"))
        folder.mkdir(parents=True, exist_ok=True)
        for size in sizes:
            path = folder / f"station-{size}.sqlite3"
            seconds = None
            if not path.exists():
                print(f"building {size:,} visits into {path} …", file=sys.stderr, flush=True)
                report = build_station(path, size, quiet=not args.verbose)
                seconds = report.seconds
                Path(f"{path}.build.json").write_text(
                    json.dumps({"seconds": seconds, "visits": size, "bytes": report.size_bytes})
                )
            targets.append((path, seconds))
    if not targets:
        parser.error("give --db, --visits or --sizes")
    results = []
    compile_bytecode()
    try:
        for path, seconds in targets:
            results.append((path.name, bench_one(path, args, seconds)))
        print_growth(results)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
