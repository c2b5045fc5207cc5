"""交接班 (issue 16, item 1): at the end of a shift every open matter is kept or handed over,
and the list is kept as a numbered record that prints for the next shift to sign."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from app.core.dto import SessionUser
from app.core.errors import PermissionDenied, ValidationError
from app.core.roles import Role
from app.printing.register_pdf import render_register
from app.services import Services
from app.shifts.service import KEEP
from db.models import AuditEvent, Handover, ShiftHandover
from tests.app.notices.test_notices import Counter, desk

__all__ = ["desk"]


def _visit(desk: Counter, name: str) -> int:
    return desk.visit(name=name)


def test_the_review_lists_open_matters_handovers_callbacks_and_near_notices(
    desk: Counter,
    make_officer,  # type: ignore[no-untyped-def]
) -> None:
    colleague: SessionUser = make_officer(Role.WINDOW, "刘洋")
    kept = _visit(desk, "王小明")
    waiting = _visit(desk, "李四光")
    deadline = desk.clock.now().date() + dt.timedelta(days=10)
    notice = desk.issue(waiting, supplement_deadline=deadline)  # waiting for materials
    assert notice.supplement_deadline == deadline
    offered = _visit(desk, "赵钱孙")
    version = desk.s.visits.get(desk.officer, offered).row.row_version
    desk.s.visits.request_handover(desk.officer, offered, version, colleague.officer_id, "轮休")
    closed = _visit(desk, "周吴郑")
    row = desk.s.visits.get(desk.officer, closed).row
    desk.s.visits.complete_on_the_spot(desk.officer, closed, row.row_version, "已办结")

    review = desk.s.shifts.review(desk.officer)
    assert not any(i.kind == "notice" for i in review.items)  # its deadline is far yet
    desk.clock.advance(notice.supplement_deadline - desk.clock.now().date() - dt.timedelta(days=2))
    review = desk.s.shifts.review(desk.officer)

    kinds = [(i.kind, i.number) for i in review.items]
    serial = {v: desk.s.visits.get(desk.officer, v).row.serial for v in (kept, waiting, offered)}
    assert ("matter", serial[kept]) in kinds and ("matter", serial[waiting]) in kinds
    assert ("outgoing", serial[offered]) in kinds  # not a matter to decide: already offered
    assert ("matter", serial[offered]) not in kinds
    assert any(kind == "notice" for kind, _n in kinds)
    assert all(i.citizen in ("王*明", "李*光", "赵*孙") for i in review.items)
    assert (colleague.officer_id, "刘洋（" + colleague.badge_no + "）") in review.colleagues
    # The colleague sees the same handover as waiting on them.
    theirs = desk.s.shifts.review(colleague)
    assert [(i.kind, i.number) for i in theirs.items] == [("incoming", serial[offered])]


def test_every_open_matter_needs_a_decision_and_a_refusal_saves_nothing(
    desk: Counter,
    make_officer,  # type: ignore[no-untyped-def]
    count,  # type: ignore[no-untyped-def]
) -> None:
    colleague: SessionUser = make_officer(Role.WINDOW, "刘洋")
    first, second = _visit(desk, "王小明"), _visit(desk, "李四光")
    before = (count(ShiftHandover), count(Handover), count(AuditEvent))

    with pytest.raises(ValidationError, match="本人继续负责") as refused:
        desk.s.shifts.hand_over(desk.officer, {first: colleague.officer_id})
    assert desk.s.visits.get(desk.officer, second).row.serial in refused.value.message
    with pytest.raises(ValidationError, match="不能移交给自己"):
        desk.s.shifts.hand_over(
            desk.officer, {first: colleague.officer_id, second: desk.officer.officer_id}
        )
    assert (count(ShiftHandover), count(Handover), count(AuditEvent)) == before


def test_the_record_keeps_each_decision_offers_the_handovers_and_prints(
    desk: Counter,
    make_officer,  # type: ignore[no-untyped-def]
    db,  # type: ignore[no-untyped-def]
) -> None:
    colleague: SessionUser = make_officer(Role.WINDOW, "刘洋")
    first, second = _visit(desk, "王小明"), _visit(desk, "李四光")

    record = desk.s.shifts.hand_over(
        desk.officer, {first: None, second: colleague.officer_id}, "晚班交接"
    )

    assert record.number.endswith("-00001") and "-JJB-" in record.number
    assert (record.kept, record.handed) == (1, 1)
    decisions = {i.ref_id: i.decision for i in record.items if i.kind == "matter"}
    assert decisions[first] == KEEP and decisions[second].startswith("移交给刘洋")
    # The colleague accepts as any handover; until then the officer still owns the matter.
    assert desk.s.visits.get(desk.officer, second).row.owner_id == desk.officer.officer_id
    (offer,) = desk.s.visits.handovers(colleague)
    assert offer.reason == "晚班交接"
    desk.s.visits.accept_handover(colleague, offer.id)
    assert desk.s.visits.get(colleague, second).row.owner_id == colleague.officer_id
    # The record is what was confirmed then, not today's state.
    again = desk.s.shifts.record(desk.officer, record.number)
    assert again.items == record.items
    with db.sessions() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "shift_handed_over")
        ).one()
        assert json.loads(event.after_json) == {"items": 2, "kept": 1, "handed": 1}
        assert session.scalar(select(func.count()).select_from(ShiftHandover)) == 1

    doc = desk.s.shifts.document(desk.chief, record.number)
    text = "\n".join(doc.texts())
    for expected in ("交接班记录", record.number, KEEP, "移交给刘洋", "接班人签字", "王*明"):
        assert expected in text, expected
    assert "王小明" not in text
    assert render_register(doc).startswith(b"%PDF-")


def test_only_the_officer_and_supervisors_read_a_record_and_an_administrator_has_no_shift(
    desk: Counter,
    services: Services,
    make_officer,  # type: ignore[no-untyped-def]
) -> None:
    colleague: SessionUser = make_officer(Role.WINDOW, "刘洋")
    admin: SessionUser = make_officer(Role.ADMIN, "周强")
    record = desk.s.shifts.hand_over(desk.officer, {_visit(desk, "王小明"): None})
    with pytest.raises(PermissionDenied):
        services.shifts.record(colleague, record.number)
    assert services.shifts.record(desk.chief, record.number).number == record.number
    with pytest.raises(PermissionDenied):
        services.shifts.review(admin)


def test_with_nothing_open_the_review_is_empty(
    desk: Counter,
) -> None:
    assert desk.s.shifts.review(desk.officer).empty


def test_the_review_reads_in_the_same_few_statements_however_much_is_open(
    desk: Counter,
    make_officer,  # type: ignore[no-untyped-def]
    db,  # type: ignore[no-untyped-def]
) -> None:
    from tests.conftest import StatementCounter

    colleague: SessionUser = make_officer(Role.WINDOW, "刘洋")
    sql = StatementCounter(db.engine)

    def statements() -> int:
        with sql:
            desk.s.shifts.review(desk.officer)
        return sql.count

    offered = _visit(desk, "赵钱孙")
    version = desk.s.visits.get(desk.officer, offered).row.row_version
    desk.s.visits.request_handover(desk.officer, offered, version, colleague.officer_id, "轮休")
    _visit(desk, "王小明")
    few = statements()
    for name in ("李四光", "周吴郑", "冯陈褚", "卫蒋沈", "韩杨朱"):
        _visit(desk, name)
    assert len(desk.s.shifts.review(desk.officer).items) == 7
    assert statements() == few


def test_the_review_lists_the_home_services_the_officer_is_to_make(desk: Counter) -> None:
    from app.appointments.service import NewAppointment
    from app.core.identity import IdType

    item = desk.s.catalogue.list_items("ZM-WFZ")[0].item_id
    booking = desk.s.appointments.book(
        desk.officer,
        NewAppointment(
            kind="home",
            reason="ill",
            citizen_name="王老伯",
            id_type=IdType.RESIDENT,
            id_number="11010519491231002X",
            phone="13805710011",
            service_item_id=item,
            slot_date=desk.clock.now().date() + dt.timedelta(days=1),
            address="和平路 12 号",
            officer_id=desk.officer.officer_id,
        ),
    )
    homes = [i for i in desk.s.shifts.review(desk.officer).items if i.kind == "home"]
    assert [(i.number, i.citizen, i.state, i.kind_label) for i in homes] == [
        (booking.number, "王*伯", "待上门", "待上门服务")
    ]
    assert booking.due_date is not None and homes[0].due == booking.due_date.isoformat()


def test_the_chief_lists_every_shift_record_an_officer_only_their_own(
    desk: Counter,
    make_officer,  # type: ignore[no-untyped-def]
) -> None:
    colleague: SessionUser = make_officer(Role.WINDOW, "刘洋")
    mine = _visit(desk, "王小明")
    desk.s.shifts.hand_over(desk.officer, {mine: None}, "早班交接")
    desk.s.shifts.hand_over(colleague, {}, "无在办事项")  # a record with nothing open
    day = desk.clock.now().date()
    rows = desk.s.shifts.records(desk.chief, day, day)
    assert {r.officer.split("（")[0] for r in rows} == {"张伟", "刘洋"}
    own = desk.s.shifts.records(desk.officer, day, day)
    assert [(r.officer.startswith("张伟"), r.items, r.kept, r.note) for r in own] == [
        (True, 1, 1, "早班交接")
    ]
    with pytest.raises(ValidationError, match="不能早于"):
        desk.s.shifts.records(desk.chief, day, day - dt.timedelta(days=1))
