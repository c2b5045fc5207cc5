"""预约/上门, 短信回访 and 历史台账导入 on PostgreSQL: the same queries and rules as on SQLite
(keyed lookups in chunked IN lists, the bookings' day list, the import's bulk insert and its
locked days), and ``stationdesk check`` sound afterwards."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from app.appointments.service import NewAppointment
from app.core.clock import FixedClock
from app.core.database import open_database
from app.core.identity import IdType
from app.core.passwords import PasswordHashing
from app.demo import DEMO_OFFICERS, DEMO_PASSWORD, build_demo
from app.services import build_services
from tests.app.appointments.test_appointments import SIGNED
from tests.app.ledger.test_ledger_import import IDS, SIGN, row, workbook
from tests.pg_server import PgServer, pg_server  # noqa: F401  (the fixture)

NOW = dt.datetime(2026, 3, 20, 2, 30, tzinfo=dt.UTC)
TODAY = NOW.astimezone(ZoneInfo("Asia/Shanghai")).date()
CHEAP = PasswordHashing(time_cost=1, memory_cost_kib=1024, parallelism=1)


def test_bookings_sms_replies_and_an_imported_ledger_on_postgresql(
    pg_server: PgServer,  # noqa: F811  (the fixture)
    tmp_path: Path,
) -> None:
    db = open_database(pg_server.new_database("issue16"))
    try:
        build_demo(db.sessions, days=5, now=NOW, hashing=CHEAP)
        clock = FixedClock(NOW)
        s = build_services(db.sessions, clock, CHEAP, database=db)
        chief = s.auth.login(DEMO_OFFICERS[0][0], DEMO_PASSWORD)
        officer = s.auth.login(DEMO_OFFICERS[2][0], DEMO_PASSWORD)

        # A home service booked, served with the signature, listed and found by the check.
        item = s.catalogue.list_items("ZM-WFZ")[0].item_id
        home = s.appointments.book(
            officer,
            NewAppointment(
                kind="home", reason="ill", citizen_name="王老伯", id_type=IdType.RESIDENT,
                id_number=IDS[0], phone="13805719999", service_item_id=item,
                slot_date=TODAY + dt.timedelta(days=1), address="和平路 12 号",
            ),
        )  # fmt: skip
        assert home.id in {r.id for r in s.appointments.open_home(chief)}
        clock.advance(dt.timedelta(hours=2))
        served = s.appointments.serve(
            officer, home.id, home.row_version, clock.now(), "已办结", SIGNED
        )
        assert served.state == "served" and served.visit_serial

        # The SMS list of the pending callbacks, and a reply to the first read back.
        listed = s.sms.export(
            chief, TODAY - dt.timedelta(days=6), TODAY, "callbacks", tmp_path / "l.csv",
            "回访联系", "短信回访群众对近期办结事项的评价",
        )  # fmt: skip
        with (tmp_path / "l.csv").open(encoding="utf-8-sig") as f:
            first = list(csv.reader(f))[1:2]
        assert listed.rows > 0
        phone = first[0][0]
        replies = tmp_path / "r.csv"
        sent = clock.now().astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
        replies.write_text(f"手机号码,回复内容,回复时间\n{phone},1,{sent}\n", "utf-8")
        report = s.sms.import_replies(chief, replies)
        # Matched to its matter by the keyed hash: rated, or refused by a rule (the chief
        # handled it, it was asked already) - never unknown.
        assert report.total == 1 and report.rows[0].result in ("rated", "rejected")
        again = s.sms.import_replies(chief, replies)
        assert again.rated == 0

        # An earlier ledger from before the demo's first day, imported and locked.
        day = TODAY - dt.timedelta(days=60)
        path = workbook(
            tmp_path / "台账.xlsx",
            [row(day=day.isoformat(), officer="张伟"), row(day=day.isoformat(), name="李四光",
                                                        number=IDS[1], officer="张伟")],
        )  # fmt: skip
        source = s.ledger_import.read(chief, path)
        result = s.ledger_import.import_(chief, path, source.sheet, source.suggested, SIGN)
        assert (result.visits, result.days) == (2, 1)

        plan = s.retention.plan(chief)  # its queries run on PostgreSQL
        assert plan.bookings == 0  # served today: years from its retention
        assert s.audit_log.check(chief).ok
    finally:
        db.dispose()
