"""投诉 and 表扬: recording, the supervised workflow with its deadlines, and who may see what."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import update

from app.complaints.service import NO_REPLY, ComplaintService, NewComplaint
from app.core.clock import FixedClock
from app.core.database import Database
from app.core.dto import SessionUser
from app.core.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from app.core.identity import IdType
from app.core.roles import Role
from app.officers.dto import NewOfficer
from app.services import Services
from app.visits.dto import NewVisit
from db.models import AuditEvent, Complaint, Counter, Officer
from tests.app.helpers import has_chinese
from tests.conftest import TEST_PASSWORD

TODAY = dt.date(2025, 9, 29)  # the test clock's station-local day, a Monday
PHONE = "13805710011"


@pytest.fixture
def complaints(db: Database, clock: FixedClock, chief: SessionUser) -> ComplaintService:
    return ComplaintService(db.sessions, clock)


@pytest.fixture
def zhang(make_officer) -> SessionUser:  # type: ignore[no-untyped-def]
    """The window officer complaints are about."""
    return make_officer(Role.WINDOW, "张伟")


@pytest.fixture
def liu(make_officer) -> SessionUser:  # type: ignore[no-untyped-def]
    """The window officer who takes complaints at the counter."""
    return make_officer(Role.WINDOW, "刘洋")


def complaint(officer: SessionUser | None = None, **changes: Any) -> NewComplaint:
    fields: dict[str, Any] = {
        "kind": "complaint",
        "channel": "12345",
        "received_on": TODAY,
        "content": "办理居住证明时民警态度生硬",
        "complainant_name": "王小明",
        "complainant_phone": PHONE,
        "officer_id": officer.officer_id if officer else None,
    }
    fields.update(changes)
    return NewComplaint(**fields)


def set_clock(clock: FixedClock, day: dt.date) -> None:
    """Move the clock to 10:00 Beijing time on ``day``."""
    target = dt.datetime(day.year, day.month, day.day, 2, 0, tzinfo=dt.UTC)
    clock.advance(target - clock.now())


def test_recording_checks_every_field_and_writes_nothing_when_refused(
    complaints: ComplaintService,
    liu: SessionUser,
    zhang: SessionUser,
    count: Callable[[type], int],
) -> None:
    events = count(AuditEvent)
    refused: list[tuple[NewComplaint, str, str]] = [
        (complaint(zhang, kind="other"), "kind", "类别"),
        (complaint(zhang, channel="微信"), "channel", "渠道"),
        (complaint(zhang, content="  "), "content", "请填写投诉内容"),
        (complaint(zhang, content="长" * 2001), "content", "2000"),
        (complaint(zhang, complainant_phone="138abc"), "complainant_phone", "联系电话"),
        (complaint(zhang, complainant_name="名" * 41), "complainant_name", "投诉人姓名"),
        (complaint(zhang, received_on=TODAY + dt.timedelta(days=1)), "received_on", "晚于今天"),
        (complaint(zhang, received_on=dt.date(2024, 9, 28)), "received_on", "2024-09-29"),
        (complaint(zhang, visit_serial="HPL-2025-999999"), "visit_serial", "HPL-2025-999999"),
        (complaint(officer_id=99999), "officer_id", "民警"),
    ]
    for given, field, words in refused:
        with pytest.raises(ValidationError, match=words) as caught:
            complaints.record(liu, given)
        assert caught.value.field == field and has_chinese(caught.value.message)

    assert count(Complaint) == 0 and count(Counter) == 0 and count(AuditEvent) == events
    row = complaints.record(liu, complaint(zhang, received_on=dt.date(2024, 9, 29)))
    assert row.number == "HPL-TS-2025-00001"  # the refusals used no number


def test_numbers_run_without_gaps_and_the_phone_is_only_ever_masked(
    complaints: ComplaintService,
    chief: SessionUser,
    liu: SessionUser,
    zhang: SessionUser,
    audit_log: Callable[[], list[dict[str, Any]]],
) -> None:
    first = complaints.record(liu, complaint(zhang))
    with pytest.raises(PermissionDenied, match="投诉涉及您本人，请由其他民警登记。"):
        complaints.record(liu, complaint(liu))
    second = complaints.record(liu, complaint(zhang, complainant_name="", complainant_phone=""))
    praise = complaints.record(liu, complaint(zhang, kind="praise", content="热情周到"))

    assert [first.number, second.number, praise.number] == [
        "HPL-TS-2025-00001",
        "HPL-TS-2025-00002",
        "HPL-TS-2025-00003",
    ]
    assert first.phone_masked == "138****0011" and first.complainant == "王小明"
    assert second.complainant == "匿名" and second.phone_masked == "" and second.anonymous
    for row in complaints.list_complaints(chief):
        assert PHONE not in repr(dataclasses.asdict(row))
    assert PHONE not in repr(audit_log())
    recorded = [e for e in audit_log() if e["entity_type"] == "complaint"]
    assert [e["action"] for e in recorded] == [
        "complaint_recorded",
        "complaint_recorded",
        "praise_recorded",
    ]


def test_the_officer_concerned_defaults_to_the_owner_of_the_related_visit(
    services: Services,
    complaints: ComplaintService,
    liu: SessionUser,
    zhang: SessionUser,
) -> None:
    item = services.catalogue.list_items("ZM-WFZ")[0]
    visit = services.visits.register(
        zhang,
        NewVisit("王小明", IdType.RESIDENT, "11010519491231002X", PHONE, item.item_id),
    )
    serial = visit.row.serial

    row = complaints.record(liu, complaint(visit_serial=serial.lower()))

    assert row.officer_name == "张伟" and row.visit_serial == serial
    # The owner of the matter cannot record a complaint about it, not even without naming himself.
    with pytest.raises(PermissionDenied, match="涉及您本人"):
        complaints.record(zhang, complaint(visit_serial=serial))
    with pytest.raises(ValidationError, match="早于关联事项的登记日期") as caught:
        complaints.record(
            liu, complaint(visit_serial=serial, received_on=TODAY - dt.timedelta(days=1))
        )
    assert caught.value.field == "received_on"


def test_a_complaint_runs_through_every_step_with_deadlines_in_working_days(
    complaints: ComplaintService,
    chief: SessionUser,
    liu: SessionUser,
    zhang: SessionUser,
    audit_log: Callable[[], list[dict[str, Any]]],
) -> None:
    row = complaints.record(liu, complaint(zhang))

    # Received Monday 29 September; National Day holiday 1–8 October, Saturday 11 October worked.
    assert row.handler_name == "王所长" and row.state_label == "待核实"
    assert row.verify_due == dt.date(2025, 10, 10)  # 30 Sep, 9 Oct, 10 Oct
    assert row.handle_due == dt.date(2025, 10, 20)
    assert row.reply_due == dt.date(2025, 10, 27)
    assert row.next_step == "核实" and row.next_due == row.verify_due and not row.overdue

    row = complaints.verify(chief, row.id, row.row_version, "部分属实", "调取录像，语气确有不当")
    assert (row.state_label, row.finding, row.next_due) == ("待处理", "部分属实", row.handle_due)
    row = complaints.handle(chief, row.id, row.row_version, "改进", "批评教育，窗口开展礼仪培训")
    assert (row.state_label, row.outcome, row.next_due) == ("待答复", "改进", row.reply_due)
    row = complaints.reply(
        chief, row.id, row.row_version, "电话", "已电话告知处理结果，群众表示认可"
    )
    assert row.state_label == "待办结" and row.next_due is None
    row = complaints.close(chief, row.id, row.row_version)

    assert row.state_label == "已办结" and row.closed_at is not None
    assert row.verified_at and row.handled_at and row.replied_at
    steps = [e for e in audit_log() if e["entity_id"] == row.number]
    assert [e["action"] for e in steps] == [
        "complaint_recorded",
        "complaint_verified",
        "complaint_handled",
        "complaint_replied",
        "complaint_closed",
    ]
    assert all(e["officer_id"] == chief.officer_id for e in steps[1:])


def test_late_steps_are_marked_overdue_until_done(
    complaints: ComplaintService,
    clock: FixedClock,
    chief: SessionUser,
    liu: SessionUser,
    zhang: SessionUser,
) -> None:
    late = complaints.record(liu, complaint(zhang))
    on_time = complaints.record(liu, complaint(zhang, channel="电话"))

    set_clock(clock, dt.date(2025, 10, 10))  # the verify deadline itself is not late yet
    assert not complaints.get(chief, late.id).overdue
    set_clock(clock, dt.date(2025, 10, 11))
    on_time = complaints.verify(chief, on_time.id, on_time.row_version, "不属实", "录像显示规范")

    late = complaints.get(chief, late.id)
    assert late.overdue_steps == ("核实",) and late.overdue_text == "核实逾期"
    assert not on_time.overdue
    assert [r.id for r in complaints.list_complaints(chief, overdue_only=True)] == [late.id]
    assert complaints.summary(chief, TODAY).overdue == 1

    set_clock(clock, dt.date(2025, 10, 28))
    late = complaints.get(chief, late.id)
    assert late.overdue_text == "核实、处理、答复逾期"
    late = complaints.verify(chief, late.id, late.row_version, "属实", "属实")
    assert late.overdue_steps == ("处理", "答复")  # verified late: the later steps still are
    on_time = complaints.handle(chief, on_time.id, on_time.row_version, "澄清正名", "当面澄清")
    assert on_time.overdue_text == "答复逾期"
    on_time = complaints.reply(chief, on_time.id, on_time.row_version, "当面", "已当面说明")
    assert not on_time.overdue  # closing has no deadline of its own
    on_time = complaints.close(chief, on_time.id, on_time.row_version)
    assert not on_time.overdue
    assert [r.id for r in complaints.list_complaints(chief, overdue_only=True)] == [late.id]
    summary = complaints.summary(chief, TODAY)
    assert (summary.complaints_received, summary.open, summary.overdue) == (2, 1, 1)


def test_steps_go_in_order_on_the_current_version(
    complaints: ComplaintService, chief: SessionUser, liu: SessionUser, zhang: SessionUser
) -> None:
    row = complaints.record(liu, complaint(zhang))
    with pytest.raises(ConflictError, match="请先核实，再处理"):
        complaints.handle(chief, row.id, row.row_version, "改进", "提前处理")
    with pytest.raises(ConflictError, match="请先核实，再办结"):
        complaints.close(chief, row.id, row.row_version)
    row = complaints.verify(chief, row.id, row.row_version, "属实", "属实")
    with pytest.raises(ConflictError, match="该投诉刚被修改过，请刷新后再试。"):
        complaints.handle(chief, row.id, row.row_version - 1, "改进", "旧版本")
    with pytest.raises(ConflictError, match="已经核实过"):
        complaints.verify(chief, row.id, row.row_version, "不属实", "再核一次")
    with pytest.raises(ConflictError, match="请先处理，再答复"):
        complaints.reply(chief, row.id, row.row_version, "电话", "答复")
    row = complaints.handle(chief, row.id, row.row_version, "追责", "给予批评")
    row = complaints.reply(chief, row.id, row.row_version, "书面", "书面答复")
    row = complaints.close(chief, row.id, row.row_version)
    with pytest.raises(ConflictError, match="已办结"):
        complaints.close(chief, row.id, row.row_version)


def test_step_inputs_are_checked_and_the_outcome_must_fit_the_finding(
    complaints: ComplaintService, chief: SessionUser, liu: SessionUser, zhang: SessionUser
) -> None:
    row = complaints.record(liu, complaint(zhang))
    with pytest.raises(ValidationError, match="核实结论") as caught:
        complaints.verify(chief, row.id, row.row_version, "无法核实", "说明")
    assert caught.value.field == "finding"
    with pytest.raises(ValidationError, match="请填写核实情况") as caught:
        complaints.verify(chief, row.id, row.row_version, "不属实", " ")
    assert caught.value.field == "verify_note"
    row = complaints.verify(chief, row.id, row.row_version, "不属实", "录像显示接待规范")
    with pytest.raises(ValidationError, match="只能是澄清正名"):
        complaints.handle(chief, row.id, row.row_version, "改进", "说明")
    with pytest.raises(ValidationError, match="请填写处理情况"):
        complaints.handle(chief, row.id, row.row_version, "澄清正名", "")
    row = complaints.handle(chief, row.id, row.row_version, "澄清正名", "所内通报澄清")
    with pytest.raises(ValidationError, match="不能选择无法答复") as caught:
        complaints.reply(chief, row.id, row.row_version, NO_REPLY, "匿名")
    assert caught.value.field == "reply_method"
    with pytest.raises(ValidationError, match="答复方式"):
        complaints.reply(chief, row.id, row.row_version, "微信", "答复")

    other = complaints.record(liu, complaint(zhang, complainant_name="", complainant_phone=""))
    other = complaints.verify(chief, other.id, other.row_version, "属实", "属实")
    with pytest.raises(ValidationError, match="应为改进或追责"):
        complaints.handle(chief, other.id, other.row_version, "澄清正名", "说明")
    other = complaints.handle(chief, other.id, other.row_version, "改进", "改进")
    other = complaints.reply(chief, other.id, other.row_version, NO_REPLY, "匿名来信，无从答复")
    assert other.reply_method == NO_REPLY


def test_the_officer_concerned_can_neither_see_nor_handle_the_complaint(
    db: Database,
    complaints: ComplaintService,
    chief: SessionUser,
    liu: SessionUser,
    make_officer,  # type: ignore[no-untyped-def]
) -> None:
    deputy = make_officer(Role.DEPUTY, "李副所长")
    row = complaints.record(liu, complaint(deputy))
    mine = complaints.record(liu, complaint(None, content="另一投诉"))

    assert row.handler_name == "王所长"
    assert [r.id for r in complaints.list_complaints(deputy)] == [mine.id]
    assert complaints.summary(deputy, TODAY).complaints_received == 1
    with pytest.raises(NotFound, match="找不到该投诉记录"):
        complaints.get(deputy, row.id)
    with pytest.raises(NotFound):
        complaints.handlers(deputy, row.id)
    # Reassigning it to him is refused, and even a record that names him handler (changed
    # outside the program) does not let him act on it.
    with pytest.raises(ValidationError, match="涉及的民警本人不能承办"):
        complaints.reassign(chief, row.id, row.row_version, deputy.officer_id, "回避")
    with db.sessions.begin() as session:
        session.execute(
            update(Complaint).where(Complaint.id == row.id).values(handler_id=deputy.officer_id)
        )
    steps: list[Callable[[], object]] = [
        lambda: complaints.verify(deputy, row.id, row.row_version, "不属实", "不是我"),
        lambda: complaints.handle(deputy, row.id, row.row_version, "澄清正名", "澄清"),
        lambda: complaints.reply(deputy, row.id, row.row_version, "电话", "答复"),
        lambda: complaints.close(deputy, row.id, row.row_version),
        lambda: complaints.reassign(deputy, row.id, row.row_version, chief.officer_id, "转"),
        lambda: complaints.reveal_phone(deputy, row.id, "投诉处理", "电话答复投诉人"),
    ]
    for step in steps:
        with pytest.raises(NotFound, match="找不到该投诉记录"):
            step()
    assert complaints.get(chief, row.id).state == "received"


def test_a_window_officer_sees_only_what_they_recorded_and_cannot_handle_it(
    complaints: ComplaintService,
    chief: SessionUser,
    liu: SessionUser,
    zhang: SessionUser,
    make_officer,  # type: ignore[no-untyped-def]
) -> None:
    chen = make_officer(Role.AUXILIARY, "陈辅警")
    by_liu = complaints.record(liu, complaint(zhang))
    by_chen = complaints.record(chen, complaint(zhang, channel="当面"))
    unnamed = complaints.record(chen, complaint(channel="来信", content="大厅排队秩序混乱"))

    assert [r.id for r in complaints.list_complaints(liu)] == [by_liu.id]
    assert {r.id for r in complaints.list_complaints(chen)} == {by_chen.id, unnamed.id}
    # No officer named: every supervisor sees it (a NULL officer is nobody's own complaint).
    assert {r.id for r in complaints.list_complaints(chief)} == {by_liu.id, by_chen.id, unnamed.id}
    with pytest.raises(NotFound):
        complaints.get(liu, by_chen.id)
    with pytest.raises(PermissionDenied, match="由王所长承办，只有承办人可以核实"):
        complaints.verify(liu, by_liu.id, by_liu.row_version, "属实", "自查")
    with pytest.raises(PermissionDenied, match="只有所长或副所长可以改派"):
        complaints.reassign(liu, by_liu.id, by_liu.row_version, chief.officer_id, "改派")


def test_when_the_chief_is_concerned_a_deputy_handles_and_without_one_nothing_is_written(
    complaints: ComplaintService,
    chief: SessionUser,
    liu: SessionUser,
    count: Callable[[type], int],
    make_officer,  # type: ignore[no-untyped-def]
) -> None:
    before = (count(Complaint), count(Counter), count(AuditEvent))
    with pytest.raises(ConflictError, match="没有其他在用的所长或副所长"):
        complaints.record(liu, complaint(chief))
    assert (count(Complaint), count(Counter), count(AuditEvent)) == before

    deputy = make_officer(Role.DEPUTY, "李副所长")
    row = complaints.record(liu, complaint(chief))

    assert row.number == "HPL-TS-2025-00001" and row.handler_name == "李副所长"
    assert complaints.list_complaints(chief) == []
    with pytest.raises(NotFound):
        complaints.verify(chief, row.id, row.row_version, "不属实", "不是我")
    row = complaints.verify(deputy, row.id, row.row_version, "属实", "所长接待时未使用规范用语")
    assert row.state == "verified"


def test_a_supervisor_can_reassign_to_another_supervisor_and_it_is_audited(
    complaints: ComplaintService,
    chief: SessionUser,
    liu: SessionUser,
    zhang: SessionUser,
    audit_log: Callable[[], list[dict[str, Any]]],
    make_officer,  # type: ignore[no-untyped-def]
) -> None:
    deputy = make_officer(Role.DEPUTY, "李副所长")
    row = complaints.record(liu, complaint(zhang))
    assert complaints.handlers(chief, row.id) == [(deputy.officer_id, "李副所长（副所长）")]
    with pytest.raises(ValidationError, match="在用的所长或副所长"):
        complaints.reassign(chief, row.id, row.row_version, liu.officer_id, "改派")
    with pytest.raises(ValidationError, match="改派原因"):
        complaints.reassign(chief, row.id, row.row_version, deputy.officer_id, "")

    row = complaints.reassign(chief, row.id, row.row_version, deputy.officer_id, "所长出差")

    assert row.handler_name == "李副所长"
    with pytest.raises(PermissionDenied, match="由李副所长承办"):
        complaints.verify(chief, row.id, row.row_version, "属实", "属实")
    complaints.verify(deputy, row.id, row.row_version, "属实", "属实")
    event = audit_log()[-2]
    assert event["action"] == "complaint_reassigned"
    assert event["before"] == {"handler": chief.officer_id}
    assert event["after"] == {"handler": deputy.officer_id, "reason": "所长出差"}


def test_praise_is_closed_at_once_and_visible_to_everyone_including_the_praised(
    complaints: ComplaintService,
    chief: SessionUser,
    liu: SessionUser,
    zhang: SessionUser,
    make_officer,  # type: ignore[no-untyped-def]
) -> None:
    other = make_officer(Role.WINDOW, "赵民警")
    row = complaints.record(
        liu, complaint(zhang, kind="praise", channel="来信", content="耐心细致，一次办好")
    )

    assert (row.kind_label, row.state_label, row.handler_id) == ("表扬", "已登记", None)
    assert (row.verify_due, row.handle_due, row.reply_due, row.next_due) == (None,) * 4
    for user in (chief, liu, zhang, other):
        assert [r.id for r in complaints.list_complaints(user, kind="praise")] == [row.id]
        assert complaints.get(user, row.id).officer_name == "张伟"
    with pytest.raises(ConflictError, match="表扬只需登记"):
        complaints.verify(chief, row.id, row.row_version, "属实", "属实")
    with pytest.raises(PermissionDenied, match="表扬涉及您本人"):
        complaints.record(zhang, complaint(zhang, kind="praise"))
    assert complaints.summary(chief, TODAY).praise_received == 1


def test_filters_narrow_the_ledger(
    complaints: ComplaintService,
    clock: FixedClock,
    chief: SessionUser,
    liu: SessionUser,
    zhang: SessionUser,
) -> None:
    old = complaints.record(liu, complaint(zhang, received_on=dt.date(2025, 9, 1)))
    new = complaints.record(liu, complaint(zhang, channel="12389"))
    praise = complaints.record(liu, complaint(zhang, kind="praise", channel="所长信箱"))

    assert [r.id for r in complaints.list_complaints(chief)] == [praise.id, new.id, old.id]
    assert [r.id for r in complaints.list_complaints(chief, start=TODAY)] == [praise.id, new.id]
    assert [r.id for r in complaints.list_complaints(chief, end=dt.date(2025, 9, 2))] == [old.id]
    assert [r.id for r in complaints.list_complaints(chief, channel="12389")] == [new.id]
    assert [r.id for r in complaints.list_complaints(chief, kind="complaint")] == [new.id, old.id]
    complaints.verify(chief, new.id, new.row_version, "属实", "属实")
    assert [r.id for r in complaints.list_complaints(chief, state="verified")] == [new.id]
    with pytest.raises(ValidationError, match="开始日期不能晚于结束日期"):
        complaints.list_complaints(chief, start=TODAY, end=dt.date(2025, 9, 1))


def test_the_full_phone_is_for_the_handler_only_and_every_look_is_audited(
    complaints: ComplaintService,
    chief: SessionUser,
    liu: SessionUser,
    zhang: SessionUser,
    audit_log: Callable[[], list[dict[str, Any]]],
) -> None:
    row = complaints.record(liu, complaint(zhang))
    with pytest.raises(PermissionDenied, match="只有承办人"):
        complaints.reveal_phone(liu, row.id, "投诉处理", "电话答复投诉人")
    events = len(audit_log())
    with pytest.raises(ValidationError, match="具体事由"):
        complaints.reveal_phone(chief, row.id, "投诉处理", "看看")
    with pytest.raises(ValidationError, match="具体事由"):
        complaints.reveal_phone(chief, row.id, "投诉处理", "。。")
    with pytest.raises(ValidationError, match="投诉处理"):
        complaints.reveal_phone(chief, row.id, "办理业务", "电话答复投诉人")
    assert len(audit_log()) == events

    assert complaints.reveal_phone(chief, row.id, "投诉处理", "电话答复投诉人") == PHONE
    event = audit_log()[-1]
    assert (event["action"], event["after"]) == (
        "complaint_phone_revealed",
        {"purpose": "投诉处理", "detail": "电话答复投诉人"},
    )


def test_an_administrator_does_not_record_complaints(
    services: Services, complaints: ComplaintService, chief: SessionUser, zhang: SessionUser
) -> None:
    services.officers.add_officer(
        chief,
        NewOfficer("300001", "内勤", Role.ADMIN, TEST_PASSWORD, must_change_password=False),
    )
    admin = services.auth.login("300001", TEST_PASSWORD)
    with pytest.raises(PermissionDenied, match="系统管理员不登记投诉"):
        complaints.record(admin, complaint(zhang))


def test_a_handler_no_longer_a_supervisor_must_hand_the_complaint_on(
    db: Database,
    complaints: ComplaintService,
    chief: SessionUser,
    liu: SessionUser,
    zhang: SessionUser,
    make_officer,  # type: ignore[no-untyped-def]
) -> None:
    deputy = make_officer(Role.DEPUTY, "李副所长")
    row = complaints.record(liu, complaint(zhang))
    row = complaints.reassign(chief, row.id, row.row_version, deputy.officer_id, "分管")
    with db.sessions.begin() as session:
        session.execute(
            update(Officer).where(Officer.id == deputy.officer_id).values(role="window")
        )
    with pytest.raises(PermissionDenied, match="请先改派承办人"):
        complaints.verify(deputy, row.id, row.row_version, "属实", "属实")
    assert [r.id for r in complaints.list_complaints(deputy)] == [row.id]  # still his to hand on
    row = complaints.reassign(chief, row.id, row.row_version, chief.officer_id, "李调岗")
    assert complaints.verify(chief, row.id, row.row_version, "属实", "属实").state == "verified"
