"""办件档案 (issue 16, item 3): one matter on A4, every field and every event, masked."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.casefile.service import NO_AUDIT, NOT_FOR_YOU, NOT_YOURS, PRINTED
from app.complaints.service import NewComplaint
from app.core.clock import FixedClock
from app.core.database import Database, open_database
from app.core.dto import SessionUser
from app.core.errors import NotFound, PermissionDenied
from app.core.passwords import PasswordHashing
from app.core.reveal_purposes import COMPLAINT, IDENTITY
from app.demo import DEMO_OFFICERS, DEMO_PASSWORD, build_demo
from app.printing.register_pdf import RegisterDocument, render_register
from app.services import Services, build_services
from db.models import AuditEvent, Notice, Rating, Rectification, Visit

NOW = dt.datetime(2026, 3, 20, 2, 30, tzinfo=dt.UTC)
HASHING = PasswordHashing(time_cost=1, memory_cost_kib=1024, parallelism=1)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three weeks of the demo station: notices, ratings, rectifications and callbacks."""
    path = tmp_path_factory.mktemp("case") / "demo.sqlite3"
    db = open_database(path)
    try:
        build_demo(db.sessions, days=21, seed=5, now=NOW, hashing=HASHING)
    finally:
        db.dispose()
    return path


@dataclass
class Desk:
    db: Database
    s: Services
    chief: SessionUser
    deputy: SessionUser
    admin: SessionUser

    def login(self, badge: str) -> SessionUser:
        return self.s.auth.login(badge, DEMO_PASSWORD)


@pytest.fixture
def desk(demo_file: Path, tmp_path: Path) -> Iterator[Desk]:
    path = tmp_path / "copy.sqlite3"
    path.write_bytes(demo_file.read_bytes())
    db = open_database(path)
    s = build_services(db.sessions, FixedClock(NOW), HASHING)
    chief, deputy, admin = (s.auth.login(DEMO_OFFICERS[i][0], DEMO_PASSWORD) for i in (0, 1, 7))
    yield Desk(db, s, chief, deputy, admin)
    db.dispose()


def _texts(doc: RegisterDocument) -> str:
    return "\n".join(doc.texts())


def _rectified_visit(desk: Desk) -> tuple[Visit, Rectification, Notice | None]:
    """A demo matter a 差评 sent to rectification (with its notice, if it had one)."""
    with desk.db.sessions() as session:
        rect = session.scalars(select(Rectification).order_by(Rectification.id)).first()
        assert rect is not None, "the demo has no rectification"
        visit = session.get(Visit, rect.visit_id)
        assert visit is not None
        notice = session.scalars(select(Notice).where(Notice.visit_id == visit.id)).first()
        session.expunge_all()
        return visit, rect, notice


def test_the_chiefs_case_file_holds_every_part_of_the_matter_masked(desk: Desk) -> None:
    visit, rect, _notice = _rectified_visit(desk)
    with desk.db.sessions() as session:
        steps = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.entity_id == visit.serial)
        )
        rating = session.scalars(select(Rating).where(Rating.id == rect.rating_id)).one()
    assert steps

    doc = desk.s.case_files.document(desk.chief, visit.serial.lower())  # as typed
    text = _texts(doc)

    assert doc.title == "办件档案" and doc.number == visit.serial and not doc.landscape
    for heading in (
        "一、登记信息",
        "二、办理经过",
        "五、评价",
        "七、整改督办",
        "九、查看完整信息与打印记录",
    ):
        assert heading in text
    assert visit.citizen_name in text and rect.number in text
    assert "（差评）" in text  # the rating that opened it, marked
    if rating.comment:
        assert rating.comment in text
    # Personal data masked as on every slip: never the full ID number or phone.
    assert visit.id_number not in text and visit.phone not in text
    assert f"{visit.id_number[:6]}********{visit.id_number[-4:]}" in text
    assert NOT_FOR_YOU not in text
    pdf = render_register(doc)
    assert pdf.startswith(b"%PDF")


def test_an_officer_prints_it_without_rectifications_or_complaints(desk: Desk) -> None:
    visit, rect, _notice = _rectified_visit(desk)
    officer = desk.login(next(b for b, _n, r, _p in DEMO_OFFICERS if r.value == "window"))

    text = _texts(desk.s.case_files.document(officer, visit.serial))

    assert visit.serial in text and "七、整改督办" not in text and "八、投诉与表扬" not in text
    assert rect.number not in text and "整改回访" not in text
    assert "九、查看完整信息与打印记录" not in text  # the audit trail is the chief's
    assert NOT_FOR_YOU in text and NO_AUDIT in text and NOT_YOURS in text
    if officer.officer_id != rect.rated_officer_id:
        assert "（差评）" not in text  # a colleague's 差评 is not his to print


def test_a_complaint_about_the_reader_is_left_out_and_reveals_and_prints_are_listed(
    desk: Desk,
) -> None:
    visit, _rect, _notice = _rectified_visit(desk)
    desk.s.complaints.record(
        desk.chief,
        NewComplaint(
            "complaint",
            "12345",
            NOW.date(),
            "副所长接待时态度生硬",
            officer_id=desk.deputy.officer_id,
            visit_serial=visit.serial,
        ),
    )
    desk.s.complaints.record(
        desk.deputy,
        NewComplaint("praise", "当面", NOW.date(), "窗口民警耐心细致", visit_serial=visit.serial),
    )
    desk.s.visits.reveal_id_number(desk.chief, visit.id, IDENTITY, "核对群众本人身份证件")
    desk.s.visits.reveal_id_number(desk.chief, visit.id, COMPLAINT, "核实对副所长态度的投诉")

    seen_by_chief = _texts(desk.s.case_files.document(desk.chief, visit.serial))
    seen_by_deputy = _texts(desk.s.case_files.document(desk.deputy, visit.serial))

    assert "副所长接待时态度生硬" in seen_by_chief and "窗口民警耐心细致" in seen_by_chief
    assert "副所长接待时态度生硬" not in seen_by_deputy  # about him: never on his copy
    assert "窗口民警耐心细致" in seen_by_deputy
    assert "查看完整证件号码" in seen_by_chief and "核对群众本人身份证件" in seen_by_chief
    assert "核实对副所长态度的投诉" in seen_by_chief
    # Not even its traces on the copy of the officer the complaint is about.
    assert "核实对副所长态度的投诉" not in seen_by_deputy
    assert "核对群众本人身份证件" in seen_by_deputy


def test_a_print_is_audited_and_listed_on_the_next_copy(desk: Desk) -> None:
    visit, _rect, _notice = _rectified_visit(desk)

    desk.s.case_files.record_print(desk.chief, visit.serial)

    with desk.db.sessions() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == PRINTED).order_by(AuditEvent.id.desc())
        ).first()
    assert event is not None and event.entity_id == visit.serial
    assert json.loads(event.after_json)["via"] == "gui"
    assert "打印办件档案" in _texts(desk.s.case_files.document(desk.chief, visit.serial))


def test_who_may_not_and_what_does_not_exist_is_said_in_chinese(desk: Desk) -> None:
    visit, _rect, _notice = _rectified_visit(desk)
    with pytest.raises(PermissionDenied, match="办件档案"):
        desk.s.case_files.document(desk.admin, visit.serial)  # keeps the system, no matters
    with pytest.raises(NotFound, match="QNL-2026-999999"):
        desk.s.case_files.document(desk.chief, "QNL-2026-999999")
    with pytest.raises(PermissionDenied):
        desk.s.case_files.record_print(desk.admin, visit.serial)


def test_stationdesk_print_case_writes_the_pdf_and_logs_it(
    demo_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cli.sqlite3"
    path.write_bytes(demo_file.read_bytes())
    with open_database(path).sessions() as session:
        serial = session.scalars(select(Visit.serial).order_by(Visit.id)).first()
    assert serial
    out = tmp_path / "case.pdf"
    monkeypatch.setenv("STATIONDESK_PASSWORD", DEMO_PASSWORD)
    from app.cli import main

    badge = DEMO_OFFICERS[0][0]
    code = main(["print", "case", serial, "--db", str(path), "--out", str(out), "--badge", badge])
    assert code == 0
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "办件档案" in text and serial in text
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True).stdout
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])  # all embedded
    db = open_database(path)
    try:
        with db.sessions() as session:
            event = session.scalars(select(AuditEvent).where(AuditEvent.action == PRINTED)).one()
        assert json.loads(event.after_json)["via"] == "cli"
    finally:
        db.dispose()
