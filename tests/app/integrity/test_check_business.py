"""``stationdesk check`` over the business records: every tampering named by record, no false alarm.

The attacks are made as someone holding the file would make them: with the sqlite3 module,
dropping the triggers that stand in the way first.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select

from app import cli
from app.core import station_key
from app.core.clock import FixedClock
from app.core.database import open_database
from app.core.dto import SessionUser
from app.core.identity import IdType
from app.core.passwords import PasswordHashing
from app.core.roles import Role
from app.demo import DEMO_PASSWORD, build_demo
from app.integrity import business_check
from app.integrity.dto import CheckReport
from app.integrity.service import check_database
from app.ledger.export import ledger_sheets
from app.ledger.pdf import ledger_document
from app.ledger.service import ReviewSignature
from app.officers.dto import OfficerChanges
from app.printing.register_pdf import render_register
from app.ratings.service import RatingInput
from app.services import Services, build_services
from app.visits.dto import NewVisit
from db.models import AuditEvent, DayReview
from tests.app.ratings.test_rating_pdfs import pages_text

NOW = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)  # 10:00 in Beijing
LATER = NOW + dt.timedelta(hours=1)
CHEAP = PasswordHashing(1, 1024, 1)
CHIEF = "031001"
CORRECTED_NAME = "王更正"


def _png(color: str = "white") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), color).save(out, format="PNG")
    return out.getvalue()


STROKES = (((10.0, 10.0, 0.5), (60.0, 40.0, 0.5)),)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo station with reviewed days, a correction of a locked visit's name made through
    the program, and an officer renamed since his registrations were signed."""
    path = tmp_path_factory.mktemp("check") / "demo.sqlite3"
    db = open_database(path)
    try:
        build_demo(db.sessions, days=5, now=NOW, hashing=CHEAP)
        services = build_services(db.sessions, FixedClock(LATER), CHEAP)
        chief = services.auth.login(CHIEF, DEMO_PASSWORD)
        con = sqlite3.connect(path)
        visit_id, first_officer = con.execute(LOCKED_VISITS + " LIMIT 1").fetchone()[:2]
        con.close()
        services.ledger.correct(chief, visit_id, "citizen_name", CORRECTED_NAME, "姓名录入错误")
        officer = next(o for o in services.officers.list_officers(chief) if o.id == first_officer)
        services.officers.update_officer(
            chief, officer.id, OfficerChanges(officer.name + "改", officer.role, officer.phone)
        )
    finally:
        db.dispose()
    return path


@pytest.fixture
def demo(demo_file: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "demo.sqlite3"
    shutil.copy2(demo_file, copy)
    return copy


# Visits registered on a reviewed day before its review, oldest first.
LOCKED_VISITS = (
    "SELECT v.id, v.first_officer_id, v.serial, v.citizen_name, r.day FROM visits v"
    " JOIN day_reviews r ON r.day = v.local_date AND v.created_at <= r.reviewed_at ORDER BY v.id"
)
SIGNED_RATINGS = (
    "SELECT g.id, v.serial, g.overall, s.id FROM ratings g JOIN visits v ON v.id = g.visit_id"
    " JOIN signatures s ON s.document_type = 'rating' AND s.document_id = g.id"
    " WHERE g.kind = 'on_site' AND NOT g.declined ORDER BY g.id"
)
REVIEWED_NOTICES = (
    "SELECT n.id, n.number, s.id FROM notices n JOIN day_reviews r ON r.day = n.local_date"
    " AND n.issued_at <= r.reviewed_at"
    " JOIN signatures s ON s.document_type = 'notice' AND s.document_id = n.id ORDER BY n.id"
)


def check(path: Path) -> CheckReport:
    db = open_database(path, create=False, migrate=False)
    try:
        return check_database(db)
    finally:
        db.dispose()


def tamper(path: Path, attack: Callable[[sqlite3.Connection], Any]) -> Any:
    """Change the file as the sqlite3 shell would (no foreign keys, no application)."""
    con = sqlite3.connect(path)
    try:
        result = attack(con)
        con.commit()
        return result
    finally:
        con.close()


def finding(report: CheckReport, *parts: str) -> str:
    """The one line that names every part; fails showing the report if there is none."""
    lines = [line for line in report.lines if all(p in line for p in parts)]
    assert lines, "\n".join(report.lines)
    return lines[0]


def second_locked(con: sqlite3.Connection) -> tuple[Any, ...]:
    """A locked visit other than the one corrected, whose name was never corrected."""
    return tuple(con.execute(LOCKED_VISITS).fetchall()[1])


# ---- no false alarms -------------------------------------------------------------------------


def test_a_clean_demo_with_a_correction_and_a_renamed_officer_is_sound(demo: Path) -> None:
    report = check(demo)

    assert report.ok, "\n".join(report.lines)
    text = "\n".join(report.lines)
    assert "业务记录：未发现问题" in text
    assert "已审核台账：2 天" in text and "审计链锚点 2 个" in text
    assert "证件号码未核对" not in text and "已重算签字图像校验值" in text
    assert "早期评价事件" not in text  # every rating event of this version carries its level
    corrected = tamper(demo, lambda c: c.execute(LOCKED_VISITS).fetchone())
    assert corrected[3] == CORRECTED_NAME


def test_without_the_station_key_the_sealed_parts_are_skipped_in_one_line_each(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(station_key.KEY_DIR_ENV, str(tmp_path / "no-keys"))

    report = check(demo)

    assert report.ok, "\n".join(report.lines)
    assert sum("证件号码未核对（本机没有站点密钥）" in line for line in report.lines) == 1
    assert sum("签字图像未核对（本机没有站点密钥）" in line for line in report.lines) == 1


def test_personal_data_cleared_after_its_retention_period_is_counted_not_reported(
    demo: Path,
) -> None:
    # The purge of app/retention/service.py, four years on: blank ID numbers and phones, blank
    # images
    # that keep their hashes; saved through the program, so every row still matches its seal.
    db = open_database(demo)
    try:
        later = build_services(db.sessions, FixedClock(NOW.replace(year=NOW.year + 4)), CHEAP)
        done = later.retention.purge(later.auth.login(CHIEF, DEMO_PASSWORD))
    finally:
        db.dispose()
    report = check(demo)

    assert done.visits and done.signatures
    assert report.ok, "\n".join(report.lines)
    finding(report, "条证件号码已按保存期限清除")
    finding(report, f"{done.signatures} 个签字图像已按保存期限清除")


def test_personal_data_blanked_outside_the_program_is_found(demo: Path) -> None:
    # The same blanking done with a SQLite shell is not the program's purge.
    def purge(con: sqlite3.Connection) -> tuple[str, int]:
        visit, _officer, serial, *_ = second_locked(con)
        con.execute("DROP TRIGGER visits_locked_update")
        con.execute("UPDATE visits SET id_number = '', phone = '' WHERE id = ?", (visit,))
        signature = con.execute(SIGNED_RATINGS + " LIMIT 1").fetchone()[3]
        con.execute("DROP TRIGGER signatures_frozen")
        con.execute("UPDATE signatures SET strokes_json = '', png = X'' WHERE id = ?", (signature,))
        return serial, signature

    serial, _signature = tamper(demo, purge)
    report = check(demo)

    assert not report.ok
    finding(report, f"登记 {serial}：内容与最后一次经本程序保存时不符")
    finding(report, "签字", "内容与最后一次经本程序保存时不符")


# ---- tampering, each named by record -----------------------------------------------------------


def test_a_locked_days_visit_name_edited(demo: Path) -> None:
    def attack(con: sqlite3.Connection) -> tuple[Any, ...]:
        row = second_locked(con)
        con.execute("DROP TRIGGER visits_locked_update")
        con.execute("UPDATE visits SET citizen_name = '张四' WHERE id = ?", (row[0],))
        return row

    _id, _officer, serial, name, day = tamper(demo, attack)
    report = check(demo)

    assert not report.ok
    line = finding(report, f"{day} 台账：登记 {serial} 的姓名")
    assert line.endswith(f"的姓名审核时为“{name}”，现为“张四”，无更正记录")


def test_a_locked_days_visit_deleted(demo: Path) -> None:
    def attack(con: sqlite3.Connection) -> tuple[Any, ...]:
        row = second_locked(con)
        con.execute("DROP TRIGGER visits_locked_delete")
        con.execute("DELETE FROM visits WHERE id = ?", (row[0],))
        return row

    _id, _officer, serial, _name, day = tamper(demo, attack)
    report = check(demo)

    assert not report.ok
    finding(report, f"{day} 台账：登记 {serial} 审核时在册，现已不存在（被删除）")


def test_two_locked_visits_serial_numbers_swapped(demo: Path) -> None:
    def attack(con: sqlite3.Connection) -> tuple[str, str, str]:
        (a, _o, first, _n, day), (b, _p, second, _m, _d) = con.execute(LOCKED_VISITS).fetchall()[
            1:3
        ]
        con.execute("DROP TRIGGER visits_locked_update")
        con.execute("UPDATE visits SET serial = 'TMP' WHERE id = ?", (a,))
        con.execute("UPDATE visits SET serial = ? WHERE id = ?", (first, b))
        con.execute("UPDATE visits SET serial = ? WHERE id = ?", (second, a))
        return str(day), first, second

    day, first, second = tamper(demo, attack)
    report = check(demo)

    assert not report.ok
    finding(report, f"{day} 台账：登记 {first} 的编号现为 {second}")
    finding(report, f"{day} 台账：登记 {second} 的编号现为 {first}")


def test_a_name_edit_dressed_up_as_a_correction_is_told_by_the_audit_trail(demo: Path) -> None:
    # The trigger lets a locked visit change while the newest addendum is about it: an
    # attacker can insert one, but not the audited event the program writes with it.
    def attack(con: sqlite3.Connection) -> tuple[Any, ...]:
        row = second_locked(con)
        con.execute(
            "INSERT INTO addenda (number, year, seq, day, made_on, at, officer_id, entity_type,"
            " entity_id, entity_label, field, field_label, old_value, new_value, reason)"
            " VALUES ('QNL-GZJL-2026-09999', 2026, 9999, ?, ?, '2026-11-25 02:30:00.000000', 1,"
            " 'visit', ?, ?, 'citizen_name', '群众姓名', ?, '张四', '姓名录入错误')",
            (row[4], row[4], row[0], row[2], row[3]),
        )
        con.execute("UPDATE visits SET citizen_name = '张四' WHERE id = ?", (row[0],))
        return row

    serial = tamper(demo, attack)[2]
    report = check(demo)

    assert not report.ok
    finding(report, f"更正记录 QNL-GZJL-2026-09999（登记 {serial}）：找不到登记时的审计事件")


def test_a_visit_inserted_into_a_locked_day(demo: Path) -> None:
    def attack(con: sqlite3.Connection) -> str:
        con.row_factory = sqlite3.Row
        row = dict(
            con.execute(
                "SELECT v.* FROM visits v JOIN day_reviews r ON r.day = v.local_date"
                " AND v.created_at <= r.reviewed_at ORDER BY v.id LIMIT 1"
            ).fetchone()
        )
        row.update(
            id=con.execute("SELECT max(id) + 1 FROM visits").fetchone()[0],
            serial="QNL-2026-099999",
            seq=99999,
            citizen_name="冒名",
        )
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        con.execute(f"INSERT INTO visits ({columns}) VALUES ({marks})", tuple(row.values()))
        return str(row["local_date"])

    day = tamper(demo, attack)
    report = check(demo)

    assert not report.ok
    finding(report, f"{day} 台账：登记 QNL-2026-099999 创建于审核之前，却不在审核签字的台账中")


def test_a_rating_level_changed(demo: Path) -> None:
    def attack(con: sqlite3.Connection) -> tuple[Any, ...]:
        row = con.execute(SIGNED_RATINGS + " LIMIT 1").fetchone()
        con.execute("UPDATE ratings SET overall = 1 WHERE id = ?", (row[0],))
        return tuple(row)

    _id, serial, overall, _sig = tamper(demo, attack)
    report = check(demo)

    assert not report.ok
    levels = {5: "非常满意", 4: "满意", 3: "基本满意"}
    finding(
        report,
        f"登记 {serial} 的现场评价：现为“非常不满意”，评价时记录为“{levels[overall]}”",
    )
    finding(report, f"登记 {serial} 的现场评价签字：所签的评价与现存评价不符")


@pytest.mark.parametrize("pair", ["two ratings", "a rating and a notice"])
def test_a_signature_image_swapped_between_two_signatures(demo: Path, pair: str) -> None:
    def attack(con: sqlite3.Connection) -> tuple[str, str]:
        ratings = con.execute(SIGNED_RATINGS).fetchall()
        first = (ratings[0][3], f"登记 {ratings[0][1]} 的现场评价签字")
        if pair == "two ratings":
            second = (ratings[1][3], f"登记 {ratings[1][1]} 的现场评价签字")
        else:
            notice = con.execute(REVIEWED_NOTICES).fetchone()
            second = (notice[2], f"告知单 {notice[1]} 的群众签字")
        con.execute("DROP TRIGGER signatures_frozen")
        columns = "strokes_json, png, image_sha256"
        a = con.execute(f"SELECT {columns} FROM signatures WHERE id = ?", (first[0],)).fetchone()
        b = con.execute(f"SELECT {columns} FROM signatures WHERE id = ?", (second[0],)).fetchone()
        swap = "UPDATE signatures SET strokes_json = ?, png = ?, image_sha256 = ? WHERE id = ?"
        con.execute(swap, (*b, first[0]))
        con.execute(swap, (*a, second[0]))
        return first[1], second[1]

    names = tamper(demo, attack)
    report = check(demo)

    assert not report.ok
    for name in names:
        finding(report, f"{name}：签字图像与签字时记录的不同（签字被调换）")
    # Each image still fits the hash swapped with it: only the record of the signing tells.
    assert not any("图像被改动" in line for line in report.lines)


def test_a_notice_snapshot_edited(demo: Path) -> None:
    def attack(con: sqlite3.Connection) -> str:
        notice_id, number, _sig = con.execute(REVIEWED_NOTICES).fetchone()
        con.execute("DROP TRIGGER notices_content_frozen")
        con.execute(
            "UPDATE notices SET snapshot_json = replace(snapshot_json, '原件', '复印件')"
            " WHERE id = ?",
            (notice_id,),
        )
        return str(number)

    number = tamper(demo, attack)
    report = check(demo)

    assert not report.ok
    finding(report, f"告知单 {number}：存档内容与其校验值不符（告知内容被改动）")


def test_a_day_reviews_content_edited(demo: Path) -> None:
    def attack(con: sqlite3.Connection) -> tuple[Any, ...]:
        row = second_locked(con)
        con.execute("DROP TRIGGER day_reviews_no_update")
        con.execute(
            "UPDATE day_reviews SET content_json = replace(content_json, ?, ?) WHERE day = ?",
            (f'"{row[3]}"', '"张四"', row[4]),
        )
        return row

    _id, _officer, serial, _name, day = tamper(demo, attack)
    report = check(demo)

    assert not report.ok
    finding(report, f"{day} 台账：存档内容与审核时的校验值不符（台账内容被改动）")
    finding(report, f"{day} 台账：登记 {serial} 的姓名")


def test_the_newest_audit_events_deleted(demo: Path) -> None:
    def attack(con: sqlite3.Connection) -> tuple[str, int, int]:
        day, anchor = con.execute(
            "SELECT day, audit_head_id FROM day_reviews ORDER BY audit_head_id DESC"
        ).fetchone()
        con.execute("DROP TRIGGER audit_events_no_delete")
        con.execute("DELETE FROM audit_events WHERE id >= ?", (anchor - 3,))
        # The head moved back too: without the station key its HMAC cannot follow.
        last, digest = con.execute(
            "SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1"
        ).fetchone()
        con.execute("UPDATE audit_head SET last_id = ?, last_hash = ?", (last, digest))
        return str(day), int(anchor), int(last)

    day, anchor, last = tamper(demo, attack)
    report = check(demo)

    assert not report.ok
    assert any(
        line.startswith("审计链：") and "链头与本所密钥的校验值不符" in line
        for line in report.lines
    )
    finding(report, f"{day} 台账：审核时审计链已到第 {anchor} 号事件，现仅到第 {last} 号")
    finding(report, f"{day} 台账：找不到审核时的审计事件")


def test_the_command_exits_non_zero_and_names_the_record(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def attack(con: sqlite3.Connection) -> tuple[Any, ...]:
        row = con.execute(SIGNED_RATINGS + " LIMIT 1").fetchone()
        con.execute("UPDATE ratings SET overall = 1 WHERE id = ?", (row[0],))
        return tuple(row)

    serial = tamper(demo, attack)[1]

    code = cli.main(["check", "--db", str(demo)])

    out, err = capsys.readouterr()
    assert code == 1 and err == ""
    assert f"登记 {serial} 的现场评价" in out
    assert "业务记录：发现 3 处问题" in out
    assert out.rstrip().endswith("结论：发现问题，请联系系统管理员并保留数据库文件。")


def test_the_findings_shown_are_capped_with_a_count_of_the_rest() -> None:
    found = business_check.Findings(limit=3)
    for n in range(5):
        found.add(f"问题 {n}")

    assert found.total == 5
    assert found.lines() == ["问题 0", "问题 1", "问题 2", "…… 另有 2 处问题未逐条列出（共 5 处）"]


# ---- what the review and the rating now record ------------------------------------------------


def test_a_review_keeps_and_prints_the_audit_chains_head_before_its_own_event(
    services: Services, chief: SessionUser, make_officer: Any, clock: FixedClock, db: Any
) -> None:
    officer = make_officer(Role.WINDOW, "张伟")
    item = services.catalogue.list_items("ZM-BGGZ")[0].item_id
    visit = services.visits.register(
        officer, NewVisit("王小明", IdType.RESIDENT, "11010519491231002X", "13805710011", item)
    )
    visit = services.visits.complete_on_the_spot(
        officer, visit.row.id, visit.row.row_version, "办结"
    )
    dims = tuple((d, 5) for d in services.ratings.dimensions())
    rated = services.ratings.rate_on_site(
        officer,
        visit.row.id,
        RatingInput(5, dims, "", signer_name="王小明", strokes=STROKES, png=_png()),
    )
    clock.advance(dt.timedelta(hours=8))
    day = dt.date(2025, 9, 29)
    sha = services.ledger.ledger(chief, day).content_sha256

    ledger = services.ledger.review(chief, day, sha, "已审核", ReviewSignature(STROKES, _png()))

    with db.sessions() as session:
        review = session.scalars(select(DayReview)).one()
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "day_reviewed")).one()
        saved = session.scalars(select(AuditEvent).where(AuditEvent.action == "rating_saved")).one()
    assert review.audit_head_id == event.id - 1
    assert review.audit_head_hash == event.prev_hash
    assert ledger.review is not None
    assert (ledger.review.audit_head_id, ledger.review.audit_head_hash) == (
        event.id - 1,
        event.prev_hash,
    )
    assert f'"rating":{rated.rating_id}' in saved.after_json and '"overall":5' in saved.after_json
    doc = ledger_document(ledger, "Asia/Shanghai", clock.now())
    text = "\n".join(pages_text(render_register(doc)))
    anchor = f"第 {event.id - 1} 号事件 {event.prev_hash[:16].upper()}"
    assert re.search(rf"审计链锚点：\s*{anchor}", text), text
    # The Excel copy carries it as well.
    summary = ledger_sheets(ledger, "Asia/Shanghai")[0].rows
    assert ("审计链锚点", anchor) in summary


# Notices signed on a day not yet reviewed: only their notice_issued event knows the image.
UNREVIEWED_NOTICES = (
    "SELECT n.id, n.number, s.id FROM notices n"
    " JOIN signatures s ON s.document_type = 'notice' AND s.document_id = n.id"
    " WHERE NOT EXISTS (SELECT 1 FROM day_reviews r WHERE r.day = n.local_date"
    " AND n.issued_at <= r.reviewed_at) ORDER BY n.id"
)


def test_two_signatures_swapped_on_notices_of_a_day_not_yet_reviewed(demo: Path) -> None:
    def attack(con: sqlite3.Connection) -> list[str]:
        notices = con.execute(UNREVIEWED_NOTICES).fetchall()
        assert len(notices) >= 2, "the demo signs notices on its unreviewed day"
        columns = "strokes_json, png, image_sha256"
        first, second = notices[0], notices[1]
        con.execute("DROP TRIGGER signatures_frozen")
        a = con.execute(f"SELECT {columns} FROM signatures WHERE id = ?", (first[2],)).fetchone()
        b = con.execute(f"SELECT {columns} FROM signatures WHERE id = ?", (second[2],)).fetchone()
        swap = "UPDATE signatures SET strokes_json = ?, png = ?, image_sha256 = ? WHERE id = ?"
        con.execute(swap, (*b, first[2]))
        con.execute(swap, (*a, second[2]))
        return [first[1], second[1]]

    numbers = tamper(demo, attack)
    report = check(demo)

    assert not report.ok
    for number in numbers:
        finding(report, f"告知单 {number} 的群众签字：签字图像与签字时记录的不同（签字被调换）")


def test_a_signature_deleted_from_a_notice_of_a_day_not_yet_reviewed(demo: Path) -> None:
    def attack(con: sqlite3.Connection) -> str:
        notice = con.execute(UNREVIEWED_NOTICES).fetchone()
        con.execute("DELETE FROM signatures WHERE id = ?", (notice[2],))
        return str(notice[1])

    number = tamper(demo, attack)
    report = check(demo)

    assert not report.ok
    finding(report, f"告知单 {number}：出具时有群众签字，现已不存在（被删除）")
