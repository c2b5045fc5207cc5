"""Walk-in matters (办事登记) under first-contact responsibility: register, own, hand over."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest

from app.core.clock import FixedClock
from app.core.dto import SessionUser
from app.core.errors import (
    ConflictError,
    NameDiffers,
    PermissionDenied,
    ValidationError,
    ValidationErrors,
)
from app.core.identity import IdType, check_digit
from app.core.roles import Role
from app.services import Services
from app.visits.dto import HandoverRow, NameChoice, NewVisit, VisitDetail, VisitQuery
from app.visits.rules import TRANSITIONS, Channel, VisitStatus, can_move
from app.visits.service import VisitService
from db.models import AuditEvent, Counter, Handover, Visit, VisitTransition
from tests.app.helpers import has_chinese

S = VisitStatus
E = TypeVar("E", bound=Exception)
BEIJING = ZoneInfo("Asia/Shanghai")
SAVED = (Visit, VisitTransition, Handover, Counter, AuditEvent)


def with_check(first17: str) -> str:
    return first17 + check_digit(first17)


VALID_ID = "11010519491231002X"
OTHER_ID = with_check("44030819900101123")
THIRD_ID = with_check("32010619850315456")
MASKED = "110105********002X"
REASON, REDRESS = "不符合开具条件（无法律依据）", "也可拨打 12389 投诉"
# Issue 14: a refusal cites its legal basis and names the redress bodies.
GROUNDS = {
    "basis": "《中华人民共和国行政许可法》第三十二条",
    "review_body": "测试市和平区人民政府",
    "court": "测试市和平区人民法院",
}
GUIDE = ("区行政服务中心", "人民路 1 号", "0571-86001234")

# The use cases that lead to each status. Nothing leads back to REGISTERED: only register().
# complete_on_the_spot() is accept() then complete(), two steps in the history (see below).
USE_CASES: dict[VisitStatus, tuple[str, ...]] = {
    S.IN_PROGRESS: ("accept", "resume"),
    S.WAITING_MATERIALS: ("pause",),
    S.COMPLETED: ("complete",),
    S.GUIDED: ("guide",),
    S.REFUSED: ("refuse",),
    S.ANSWERED: ("answer",),
    S.VOIDED: ("void",),
}
PATH = {status: cases[:1] for status, cases in USE_CASES.items()}  # how a test gets there
PATH[S.REGISTERED] = ()
PATH[S.WAITING_MATERIALS] = ("accept", "pause")
PATH[S.COMPLETED] = ("accept", "complete")


def new_visit(item_id: int | None, **changes: Any) -> NewVisit:
    form = NewVisit("陈静", IdType.RESIDENT, VALID_ID, "13800138000", item_id, Channel.WINDOW)
    return replace(form, **({"summary": "开具无犯罪记录证明"} | changes))


def run_together(*calls: Callable[[], Any]) -> list[Any]:
    """Start the calls in threads at the same instant; results or raised errors, in order."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> Any:
        barrier.wait()
        try:
            return call()
        except Exception as exc:
            return exc

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def refused(kind: type[E], call: Callable[..., object], *args: Any, **kwargs: Any) -> E:
    """The error of ``kind`` that the call must raise."""
    with pytest.raises(kind) as exc:
        call(*args, **kwargs)
    return exc.value


def field_of(call: Callable[..., object], *args: Any, **kwargs: Any) -> str | None:
    """The field named by the ValidationError that the call must raise."""
    return refused(ValidationError, call, *args, **kwargs).field


class Desk:
    """The station's front desk: 李明 and 赵刚 at the counters, 王所长 in charge."""

    def __init__(
        self,
        services: Services,
        chief: SessionUser,
        make_officer: Callable[..., SessionUser],
        clock: FixedClock,
        count: Callable[[type], int],
    ) -> None:
        self.services, self.chief, self.make_officer = services, chief, make_officer
        self.clock, self.count = clock, count
        self.items = {row.code: row.item_id for row in services.catalogue.list_items()}
        self.officer = make_officer(Role.WINDOW, "李明")
        self.colleague = make_officer(Role.WINDOW, "赵刚")

    @property
    def v(self) -> VisitService:
        return self.services.visits

    def register(
        self, user: SessionUser | None = None, code: str = "ZM-WFZ", **kw: Any
    ) -> VisitDetail:
        return self.v.register(user or self.officer, new_visit(self.items[code], **kw))

    def act(self, use_case: str, d: VisitDetail, user: SessionUser | None = None) -> VisitDetail:
        v, u, vid, rv = self.v, user or self.officer, d.row.id, d.row.row_version
        calls: dict[str, Callable[[], VisitDetail]] = {
            "accept": lambda: v.accept(u, vid, rv),
            "resume": lambda: v.resume(u, vid, rv, "材料已补齐"),
            "pause": lambda: v.pause_for_materials(u, vid, rv, "缺户口簿原件"),
            "complete": lambda: v.complete(u, vid, rv, "已出具证明"),
            "guide": lambda: v.guide(u, vid, rv, *GUIDE),
            "refuse": lambda: v.refuse(u, vid, rv, REASON, REDRESS, **GROUNDS),
            "answer": lambda: v.answer(u, vid, rv, "已当场解答"),
            "void": lambda: v.void(u, vid, rv, "登记有误"),
        }
        return calls[use_case]()

    def reach(self, status: VisitStatus, user: SessionUser | None = None) -> VisitDetail:
        d = self.register(user)
        for use_case in PATH[status]:
            d = self.act(use_case, d, user)
        assert d.row.status is status
        return d

    def hand_over(
        self, d: VisitDetail, to: SessionUser | None = None, why: str = "交接"
    ) -> VisitDetail:
        to_id = (to or self.colleague).officer_id
        return self.v.request_handover(self.officer, d.row.id, d.row.row_version, to_id, why)

    def pending(self, d: VisitDetail) -> HandoverRow:
        assert d.pending_handover is not None
        return d.pending_handover

    def saved(self) -> dict[str, int]:
        return {model.__name__: self.count(model) for model in SAVED}

    def on(self, day: dt.date, hour: int = 10, minute: int = 0) -> None:
        target = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=BEIJING)
        self.clock.advance(target - self.clock.now())


@pytest.fixture
def desk(services, chief, make_officer, clock, count) -> Desk:  # type: ignore[no-untyped-def]
    return Desk(services, chief, make_officer, clock, count)


# ---- registration and the ID checker ----------------------------------------------------


def test_registration_fixes_the_first_contact_officer(desk: Desk, audit_log: Any) -> None:
    d = desk.register(channel=Channel.APPOINTMENT, summary="出国留学用")

    assert (d.row.serial, d.row.status, d.row.due_date) == ("HPL-2025-000001", S.REGISTERED, None)
    assert d.row.owner_id == desk.officer.officer_id
    assert d.row.first_officer_name == d.row.owner_name == "李明"
    assert (d.channel, d.summary, d.in_scope) == (Channel.APPOINTMENT, "出国留学用", True)
    assert d.service_code == "ZM-WFZ"
    assert (d.row.id_masked, d.row.phone_masked) == (MASKED, "138****8000")
    [t] = d.transitions
    assert (t.from_status, t.to_status, t.officer_name) == (None, S.REGISTERED, "李明")
    event = audit_log()[-1]
    assert (event["action"], event["entity_id"]) == ("visit_registered", d.row.serial)
    assert VALID_ID not in json.dumps(audit_log(), ensure_ascii=False)
    phoned = desk.register(channel=Channel.PHONE, id_number="", code="ZX-ZC")
    assert phoned.row.id_masked == "" and phoned.channel is Channel.PHONE


@pytest.mark.parametrize(
    ("raw", "cause"),
    [
        ("110105194912310021", "校验位不符"),
        (with_check("11010519490230002"), "出生日期无效"),
        (with_check("11010520300101002"), "出生日期无效"),
        ("1101051949123100", "应为 18 位"),
        (with_check("99010519491231002"), "地址码无效"),
        (with_check("11010519491231000"), "顺序码无效"),
        ("11010519491231002Y", "末位为数字或 X"),
        ("", "请填写证件号码"),
    ],
)
def test_a_bad_resident_id_is_refused_and_nothing_is_saved(
    desk: Desk, raw: str, cause: str
) -> None:
    before = desk.saved()

    with pytest.raises(ValidationError) as exc:
        desk.register(id_number=raw)

    assert exc.value.field == "id_number" and cause in exc.value.message
    assert desk.saved() == before
    assert desk.register().row.serial.endswith("-000001")  # no number was used up


FULL_WIDTH = "".join(chr(ord(c) + 0xFEE0) for c in "11010519491231002x")


@pytest.mark.parametrize("raw", ["11010519491231002x", FULL_WIDTH, " 110105 19491231 002x "])
def test_id_numbers_are_stored_normalised(desk: Desk, raw: str) -> None:
    d = desk.register(id_number=raw)

    assert desk.v.reveal_id_number(desk.officer, d.row.id, "核查身份", "核对户籍信息") == VALID_ID
    assert d.row.id_masked == MASKED


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"citizen_name": "  "}, "citizen_name"),
        ({"citizen_name": "陈静2"}, "citizen_name"),
        ({"phone": "12345"}, "phone"),
        ({"phone": "86001234"}, "phone"),
        ({"channel": Channel.PHONE, "phone": ""}, "phone"),
        ({"service_item_id": None}, "service"),
        ({"service_item_id": 99999}, "service"),
        ({"summary": "事" * 201}, "summary"),
        ({"id_type": IdType.PASSPORT, "id_number": "E12"}, "id_number"),
        ({"id_type": IdType.HK_MACAO, "id_number": "X12345678"}, "id_number"),
        ({"arrived_at": dt.datetime(2025, 9, 29, 3, 0, tzinfo=dt.UTC)}, "arrived_at"),
    ],
)
def test_bad_registration_fields_are_named_and_nothing_is_saved(
    desk: Desk, changes: dict[str, Any], field: str
) -> None:
    before = desk.saved()

    assert field_of(desk.register, **changes) == field
    assert desk.saved() == before


@pytest.mark.parametrize("field", ["channel", "id_type"])
def test_an_unknown_channel_or_id_type_is_a_validation_error(desk: Desk, field: str) -> None:
    assert field_of(desk.register, **{field: ""}) == field


def test_reveal_needs_a_purpose_and_a_detail_and_is_audited(desk: Desk, audit_log: Any) -> None:
    d = desk.register()
    events = len(audit_log())

    assert (
        field_of(desk.v.reveal_id_number, desk.officer, d.row.id, "", "出具证明核对") == "purpose"
    )
    assert field_of(desk.v.reveal_id_number, desk.officer, d.row.id, "办理业务", " ") == "detail"
    assert len(audit_log()) == events

    assert desk.v.reveal_id_number(desk.officer, d.row.id, "办理业务", "出具证明核对") == VALID_ID
    event = audit_log()[-1]
    assert (event["action"], event["officer_id"]) == ("id_number_revealed", desk.officer.officer_id)
    assert (event["entity_id"], event["after"]) == (
        d.row.serial,
        {"purpose": "办理业务", "detail": "出具证明核对"},
    )


FILLER_DETAILS = [
    "看看",
    "。。",
    "看看看看",
    "查看一下。",
    "工作需要",
    "测试测试",
    "查看完整号码",
    "abcd",
]


@pytest.mark.parametrize("detail", FILLER_DETAILS)
def test_a_reveal_for_filler_shows_nothing_and_records_nothing(
    desk: Desk, audit_log: Any, detail: str
) -> None:
    d = desk.register()
    events = len(audit_log())

    error = refused(
        ValidationError, desk.v.reveal_id_number, desk.officer, d.row.id, "办理业务", detail
    )

    assert error.field == "detail" and "具体事由" in error.message
    assert len(audit_log()) == events


@pytest.mark.parametrize("purpose", ["看看", "回访联系", "其他"])
def test_a_reveal_takes_only_a_purpose_from_its_list(
    desk: Desk, audit_log: Any, purpose: str
) -> None:
    d = desk.register()
    events = len(audit_log())

    error = refused(
        ValidationError, desk.v.reveal_id_number, desk.officer, d.row.id, purpose, "出具证明核对"
    )

    assert error.field == "purpose" and "办理业务" in error.message
    assert len(audit_log()) == events


def test_a_returning_citizen_is_recognised_by_id_number_or_phone(desk: Desk) -> None:
    desk.register()
    desk.clock.advance(dt.timedelta(minutes=30))
    desk.register(desk.colleague, code="SFZ-LS")

    by_id = desk.v.find_citizen(desk.colleague, id_number="11010519491231002x")
    by_phone = desk.v.find_citizen(desk.officer, phone="138-0013-8000")

    assert by_id is not None and by_phone is not None
    assert (by_id.matched_by, by_phone.matched_by) == ("id", "phone")
    assert by_id.visit_id == by_phone.visit_id
    assert (by_id.citizen_name_masked, by_id.visits, by_id.id_number_masked) == ("陈*", 2, MASKED)
    assert by_id.last_service == "临时居民身份证申领"
    assert desk.v.find_citizen(desk.officer, id_number=OTHER_ID) is None
    assert desk.v.find_citizen(desk.officer) is None


# ---- the state machine ----------------------------------------------------------------


def test_nothing_leads_back_to_registered() -> None:
    assert all(S.REGISTERED not in targets for targets in TRANSITIONS.values())
    assert S.REGISTERED not in USE_CASES


@pytest.mark.parametrize(
    ("source", "target"),
    [(s, t) for s, t in itertools.product(S, S) if t is not S.REGISTERED],
    ids=lambda s: s.value,
)
def test_only_the_allowed_transitions_succeed(
    desk: Desk, source: VisitStatus, target: VisitStatus
) -> None:
    d = desk.reach(source)

    if can_move(source, target):
        resuming = (source, target) == (S.WAITING_MATERIALS, S.IN_PROGRESS)
        after = desk.act("resume" if resuming else USE_CASES[target][0], d)
        assert after.row.status is target and after.row.row_version > d.row.row_version
        last = after.transitions[-1]
        assert (last.from_status, last.to_status, last.officer_name) == (source, target, "李明")
        assert last.reason and last.at == desk.clock.now()
    else:
        before = desk.saved()
        for use_case in USE_CASES[target]:
            refused(ConflictError, desk.act, use_case, d)
        assert desk.saved() == before
        assert desk.v.get(desk.officer, d.row.id).row == d.row


@pytest.mark.parametrize(
    ("source", "use_case"), [(S.WAITING_MATERIALS, "accept"), (S.REGISTERED, "resume")]
)
def test_accept_only_registered_and_resume_only_paused_matters(
    desk: Desk, source: VisitStatus, use_case: str
) -> None:
    # accept() on a paused matter restarts its clock from the full limit and leaves it "paused";
    # resume() on a registered one skips acceptance: no accepted_at, no due date.
    refused(ConflictError, desk.act, use_case, desk.reach(source))


def test_completing_on_the_spot_without_a_result_changes_nothing(desk: Desk) -> None:
    d = desk.register(code="HJ-CS")
    before = desk.saved()

    done = desk.v.complete_on_the_spot
    assert field_of(done, desk.officer, d.row.id, d.row.row_version, " ") == "result"
    assert desk.v.get(desk.officer, d.row.id).row.status is S.REGISTERED
    assert desk.saved() == before


def test_every_step_keeps_who_when_and_why(desk: Desk) -> None:
    d = desk.register()
    times = [desk.clock.now()]
    for use_case in ("accept", "pause", "resume", "complete"):
        desk.clock.advance(dt.timedelta(minutes=7))
        times.append(desk.clock.now())
        d = desk.act(use_case, d)

    assert [
        (t.at, t.officer_name, t.from_status, t.to_status, t.reason) for t in d.transitions
    ] == [
        (times[0], "李明", None, S.REGISTERED, "登记"),
        (times[1], "李明", S.REGISTERED, S.IN_PROGRESS, "受理"),
        (times[2], "李明", S.IN_PROGRESS, S.WAITING_MATERIALS, "缺户口簿原件"),
        (times[3], "李明", S.WAITING_MATERIALS, S.IN_PROGRESS, "材料已补齐"),
        (times[4], "李明", S.IN_PROGRESS, S.COMPLETED, "已出具证明"),
    ]
    assert d.result == "已出具证明" and d.ended_at == times[4]


def test_an_out_of_scope_matter_cannot_be_accepted_only_guided(desk: Desk) -> None:
    d = desk.register(in_scope=False, code="ZX-ZC")
    refused(ConflictError, desk.v.accept, desk.officer, d.row.id, d.row.row_version)
    for i, field in enumerate(("guided_unit", "guided_address", "guided_phone")):
        blanked = [" " if j == i else part for j, part in enumerate(GUIDE)]
        assert field_of(desk.v.guide, desk.officer, d.row.id, d.row.row_version, *blanked) == field

    g = desk.act("guide", d)

    assert g.row.status is S.GUIDED and g.in_scope is False
    assert (g.guided_unit, g.guided_address, g.guided_phone) == GUIDE


def test_a_refusal_needs_reason_basis_redress_bodies_and_a_police_officer(desk: Desk) -> None:
    # Issue 14 changed this: the free-text redress became optional ("其他反映渠道"); the legal
    # basis and the two redress bodies are required instead.
    aux = desk.make_officer(Role.AUXILIARY, "孙辅警")
    d = desk.register(aux)
    before = desk.saved()

    for reason, grounds, field in [
        (" ", GROUNDS, "refusal_reason"),
        (REASON, {**GROUNDS, "basis": " "}, "refusal_basis"),
        (REASON, {**GROUNDS, "review_body": ""}, "refusal_review_body"),
        (REASON, {**GROUNDS, "court": "　"}, "refusal_court"),
    ]:
        assert (
            field_of(desk.v.refuse, aux, d.row.id, d.row.row_version, reason, REDRESS, **grounds)
            == field
        )
    refused(
        PermissionDenied,
        desk.v.refuse,
        aux,
        d.row.id,
        d.row.row_version,
        REASON,
        REDRESS,
        **GROUNDS,
    )
    assert desk.saved() == before

    decided = desk.reach(S.REFUSED, desk.chief)
    assert (decided.refusal_reason, decided.refusal_redress) == (REASON, REDRESS)


# ---- handovers ----------------------------------------------------------------------------


def test_a_pending_handover_leaves_the_owner_responsible(desk: Desk) -> None:
    v, officer, colleague = desk.v, desk.officer, desk.colleague
    d = desk.hand_over(desk.register(), why="下班交接")

    pending = desk.pending(d)
    assert (pending.to_name, pending.reason) == ("赵刚", "下班交接")
    assert d.row.owner_id == officer.officer_id and d.row.pending_handover_to == "赵刚"
    assert [r.id for r in v.open_matters(officer)] == [d.row.id]
    assert v.open_matters(colleague) == []
    for user, everyone in ((officer, False), (colleague, False), (desk.chief, True)):
        assert [h.id for h in v.handovers(user, everyone=everyone)] == [pending.id]
    refused(PermissionDenied, v.handovers, colleague, everyone=True)
    refused(PermissionDenied, v.accept, colleague, d.row.id, d.row.row_version)
    assert v.accept(officer, d.row.id, d.row.row_version).row.status is S.IN_PROGRESS


def test_the_receiver_accepts_in_their_own_session(desk: Desk, audit_log: Any) -> None:
    v, officer, colleague = desk.v, desk.officer, desk.colleague
    third = desk.make_officer(Role.WINDOW, "钱亮")
    h = desk.pending(desk.hand_over(desk.register(), why="需入户核查"))
    for user in (officer, third):
        refused(PermissionDenied, v.accept_handover, user, h.id)
        refused(PermissionDenied, v.decline_handover, user, h.id, "不是我的")
    for user in (colleague, third):
        refused(PermissionDenied, v.cancel_handover, user, h.id)

    d = v.accept_handover(colleague, h.id)

    assert (d.row.owner_id, d.owner_badge) == (colleague.officer_id, colleague.badge_no)
    assert (d.row.first_officer_name, d.first_officer_badge) == ("李明", officer.badge_no)
    assert d.row.pending_handover_to == "" and d.handovers[0].state == "accepted"
    assert d.transitions[-1].officer_name == "赵刚" and "需入户核查" in d.transitions[-1].reason
    assert audit_log()[-1]["action"] == "handover_accepted"
    assert [r.id for r in v.open_matters(colleague)] == [d.row.id] and v.open_matters(officer) == []
    refused(PermissionDenied, v.accept, officer, d.row.id, d.row.row_version)
    refused(ConflictError, v.accept_handover, colleague, h.id)
    assert v.accept(colleague, d.row.id, d.row.row_version).row.first_officer_name == "李明"


def test_decline_and_cancel_leave_the_matter_with_its_owner(desk: Desk) -> None:
    v, officer, colleague = desk.v, desk.officer, desk.colleague
    h = desk.pending(desk.hand_over(desk.register()))
    assert field_of(v.decline_handover, colleague, h.id, "") == "reason"

    declined = v.decline_handover(colleague, h.id, "明天休假")
    assert (declined.state, declined.decline_reason) == ("declined", "明天休假")
    d = v.get(officer, h.visit_id)
    assert d.row.owner_id == officer.officer_id and d.pending_handover is None
    assert v.handovers(colleague) == []

    h2 = desk.pending(desk.hand_over(d))
    assert v.cancel_handover(officer, h2.id).state == "cancelled"
    refused(ConflictError, v.accept_handover, colleague, h2.id)
    assert v.get(officer, d.row.id).row.owner_id == officer.officer_id


def test_bad_handovers_are_refused_and_nothing_is_saved(desk: Desk) -> None:
    gone = desk.make_officer(Role.WINDOW, "周离")
    admin = desk.make_officer(Role.ADMIN, "吴管理")
    desk.services.officers.set_active(desk.chief, gone.officer_id, False)
    d, closed = desk.register(), desk.reach(S.ANSWERED)
    before = desk.saved()

    for to, why, field in [
        (desk.officer, "交接", "to_officer"),
        (gone, "交接", "to_officer"),
        (admin, "交接", "to_officer"),
        (replace(gone, officer_id=99999), "交接", "to_officer"),
        (desk.colleague, " ", "reason"),
    ]:
        assert field_of(desk.hand_over, d, to, why) == field
    refused(ConflictError, desk.hand_over, closed)
    assert desk.saved() == before

    d = desk.hand_over(d)
    refused(ConflictError, desk.hand_over, d, desk.chief, "改交所长")


def test_closing_a_matter_cancels_its_pending_handover(desk: Desk) -> None:
    d = desk.hand_over(desk.register())
    assert d.pending_handover is not None

    d = desk.act("void", d)

    assert d.pending_handover is None and d.handovers[0].state == "cancelled"
    assert desk.v.handovers(desk.colleague) == [] and desk.v.handovers(desk.chief, True) == []
    refused(ConflictError, desk.v.accept_handover, desk.colleague, d.handovers[0].id)


# ---- due dates on the working-day calendar ------------------------------------------------


def test_working_days_skip_the_national_day_holiday_and_pauses_keep_them(desk: Desk) -> None:
    desk.on(dt.date(2025, 9, 30))
    d = desk.act("accept", desk.register())
    # Oct 1–8 are off; Oct 9, 10 and the make-up Saturday Oct 11 are the three working days.
    assert d.row.due_date == dt.date(2025, 10, 11)
    assert d.time_limit_text == "3个工作日" and d.accepted_at == desk.clock.now()
    desk.on(dt.date(2025, 9, 30), hour=15)
    d = desk.act("pause", d)
    assert d.paused and d.remaining_days == 3 and d.row.due_state == "paused"

    desk.on(dt.date(2025, 10, 9))
    d = desk.act("resume", d)

    # Three working days counted again from the day of return: Oct 10, 11 (调休), 13.
    assert d.row.due_date == dt.date(2025, 10, 13)
    assert not d.paused and d.remaining_days is None


def test_calendar_day_and_on_the_spot_limits(desk: Desk) -> None:
    desk.on(dt.date(2025, 9, 30))
    temp = desk.act("accept", desk.register(code="SFZ-LS"))
    birth = desk.register(code="HJ-CS")
    spot = desk.v.complete_on_the_spot(desk.officer, birth.row.id, birth.row.row_version, "已落户")

    assert (temp.row.due_date, temp.time_limit_text) == (dt.date(2025, 10, 3), "3日（自然日）")
    assert spot.row.due_date == dt.date(2025, 9, 30) and spot.row.status is S.COMPLETED
    assert [t.to_status for t in spot.transitions] == [S.REGISTERED, S.IN_PROGRESS, S.COMPLETED]

    desk.on(dt.date(2025, 10, 1))
    temp = desk.act("pause", temp)
    assert temp.remaining_days == 2
    desk.on(dt.date(2025, 10, 9))
    assert desk.act("resume", temp).row.due_date == dt.date(2025, 10, 11)


def test_due_states_in_the_lists_follow_the_clock(desk: Desk) -> None:
    desk.on(dt.date(2025, 9, 30))
    running = desk.act("accept", desk.register()).row.id
    desk.clock.advance(dt.timedelta(minutes=1))
    paused = desk.act("pause", desk.act("accept", desk.register())).row.id
    desk.clock.advance(dt.timedelta(minutes=1))
    fresh = desk.register().row.id

    def states() -> dict[int, str]:
        return {r.id: r.due_state for r in desk.v.open_matters(desk.officer)}

    assert states() == {running: "", paused: "paused", fresh: ""}
    desk.on(dt.date(2025, 10, 9))
    # A registration left unaccepted since an earlier day is flagged too.
    assert states() == {running: "due_soon", paused: "paused", fresh: "unaccepted"}
    desk.on(dt.date(2025, 10, 13))
    rows = desk.v.open_matters(desk.officer)
    assert [r.id for r in rows] == [running, paused, fresh]  # due first
    assert states() == {running: "overdue", paused: "paused", fresh: "unaccepted"}
    assert rows[2].due_text == "（登记后未受理）"
    assert rows[0].due_text == "2025-10-11（已超期）"
    assert desk.v.today(desk.officer) == []
    day = desk.v.today(desk.officer, dt.date(2025, 9, 30))
    assert [r.id for r in day] == [fresh, paused, running]  # newest first


def test_marked_times_give_waiting_and_service_minutes(desk: Desk) -> None:
    v, officer = desk.v, desk.officer
    d = desk.register(arrived_at=desk.clock.now() - dt.timedelta(minutes=20))
    assert field_of(v.mark_time, officer, d.row.id, d.row.row_version, "lunch") == "which"

    d = v.mark_time(officer, d.row.id, d.row.row_version, "started")
    desk.clock.advance(dt.timedelta(minutes=12))
    d = v.mark_time(officer, d.row.id, d.row.row_version, "ended")

    assert (d.row.waiting_minutes, d.row.service_minutes) == (20, 12)
    assert field_of(v.mark_time, officer, d.row.id, d.row.row_version, "arrived") == "arrived_at"


def test_the_start_cannot_be_marked_after_the_end(desk: Desk) -> None:
    d = desk.reach(S.IN_PROGRESS)
    d = desk.v.mark_time(desk.officer, d.row.id, d.row.row_version, "ended")
    desk.clock.advance(dt.timedelta(minutes=5))

    started = field_of(desk.v.mark_time, desk.officer, d.row.id, d.row.row_version, "started")
    assert started == "started_at"


def test_times_of_a_closed_matter_cannot_be_marked_again(desk: Desk) -> None:
    d = desk.reach(S.ANSWERED)
    desk.clock.advance(dt.timedelta(minutes=5))

    with pytest.raises(ConflictError):
        desk.v.mark_time(desk.officer, d.row.id, d.row.row_version, "started")


# ---- serial numbers ---------------------------------------------------------------------


def test_serials_are_gap_free_under_rapid_and_concurrent_registration(desk: Desk) -> None:
    aux = desk.make_officer(Role.AUXILIARY, "孙辅警")
    counters = [desk.officer, desk.colleague, desk.chief, aux]
    loop = [desk.register(code="ZX-ZC").row.serial for _ in range(200)]

    def burst(user: SessionUser) -> Callable[[], list[str]]:
        return lambda: [desk.register(user, code="ZX-ZC").row.serial for _ in range(10)]

    results = run_together(*(burst(u) for u in counters))

    assert not [r for r in results if isinstance(r, Exception)]
    serials = loop + [s for batch in results for s in batch]
    assert sorted(serials) == [f"HPL-2025-{n:06d}" for n in range(1, 241)]


def test_a_voided_visit_keeps_its_number_and_a_new_year_restarts(desk: Desk) -> None:
    first = desk.reach(S.VOIDED)
    second = desk.register()

    assert (first.row.serial, second.row.serial) == ("HPL-2025-000001", "HPL-2025-000002")
    assert desk.v.find_by_serial(desk.officer, "hpl-2025-000001").void_reason == "登记有误"

    desk.on(dt.date(2026, 1, 1), hour=0, minute=5)
    late = desk.register(arrived_at=desk.clock.now() - dt.timedelta(minutes=15))
    new_year = desk.register()

    assert late.row.serial == "HPL-2025-000003"  # arrived 2025-12-31 23:50
    assert new_year.row.serial == "HPL-2026-000001"
    assert new_year.row.local_date == dt.date(2026, 1, 1)


# ---- catalogue versions -----------------------------------------------------------------


def test_a_visit_keeps_the_catalogue_version_it_was_registered_under(desk: Desk) -> None:
    old = desk.register()
    item = desk.services.catalogue.get_item(desk.items["ZM-WFZ"])
    longer = replace(item.draft, time_limit_value=10)
    desk.services.catalogue.save_new_version(desk.chief, item.item_id, 1, longer, "时限调整")

    kept = desk.act("accept", old)
    new = desk.register()

    assert kept.service_version_id == old.service_version_id == item.version_id
    assert kept.time_limit_text == "3个工作日"
    assert kept.row.due_date == dt.date(2025, 10, 10)  # Sep 30, Oct 9, Oct 10
    assert new.service_version_id != item.version_id and new.time_limit_text == "10个工作日"


# ---- permissions ------------------------------------------------------------------------


def test_roles_decide_who_registers_acts_and_sees_everything(desk: Desk) -> None:
    v, colleague = desk.v, desk.colleague
    admin = desk.make_officer(Role.ADMIN, "吴管理")
    before = desk.saved()
    refused(PermissionDenied, desk.register, admin)
    assert desk.saved() == before

    mine, theirs = desk.register(), desk.register(colleague)
    for use_case in ("accept", "void", "answer"):
        refused(PermissionDenied, desk.act, use_case, mine, colleague)
    assert v.get(colleague, mine.row.id).row == mine.row
    both = {mine.row.id, theirs.row.id}
    assert {r.id for r in v.today(colleague)} == both
    refused(PermissionDenied, v.open_matters, desk.officer, everyone=True)
    assert {r.id for r in v.open_matters(desk.chief, everyone=True)} == both
    deputy = desk.make_officer(Role.DEPUTY, "刘副所长")
    assert {r.id for r in v.open_matters(deputy, everyone=True)} == both


# ---- search -----------------------------------------------------------------------------


def test_search_filters_and_pages_with_masked_rows(desk: Desk) -> None:
    a1 = desk.register().row.id
    a2 = desk.register(code="SFZ-LS").row.id
    b = desk.register(
        desk.colleague, citizen_name="欧阳娜", id_number=OTHER_ID, phone="0571-86001234"
    ).row.id
    desk.on(dt.date(2025, 9, 30))
    a3 = desk.reach(S.ANSWERED).row.id

    def ids(**filters: Any) -> list[int]:
        page = desk.v.search(desk.officer, VisitQuery(**filters))
        assert page.total == len(page.rows)
        return [r.id for r in page.rows]

    assert ids(serial="000003") == ids(name="欧阳") == ids(phone="0571-8600 1234") == [b]
    assert ids(id_number="11010519491231002x") == [a3, a2, a1]
    assert ids(date_from=dt.date(2025, 9, 30)) == ids(status=S.ANSWERED) == [a3]
    assert ids(date_to=dt.date(2025, 9, 29)) == [b, a2, a1]
    assert ids(officer_id=desk.colleague.officer_id) == [b]
    assert ids(service_item_id=desk.items["SFZ-LS"]) == [a2]
    page = desk.v.search(desk.officer, VisitQuery(offset=2, limit=2))
    assert page.total == 4 and [r.id for r in page.rows] == [a2, a1]
    assert page.rows[1].id_masked == MASKED and VALID_ID not in repr(page)
    for query, field in [
        (VisitQuery(date_from=dt.date(2025, 10, 2), date_to=dt.date(2025, 10, 1)), "date_to"),
        (VisitQuery(limit=0), "limit"),
    ]:
        assert field_of(desk.v.search, desk.officer, query) == field


# ---- two counters on one matter ---------------------------------------------------------


def test_a_stale_row_version_is_refused_and_the_fresh_one_works(desk: Desk) -> None:
    v, officer = desk.v, desk.officer
    d = desk.register()
    v.mark_time(officer, d.row.id, d.row.row_version, "started")  # counter A saves first
    before = desk.saved()

    # counter B: the same officer at another window, with the same stale row_version
    refused(ConflictError, desk.act, "accept", d)
    assert desk.saved() == before

    fresh = v.get(officer, d.row.id)
    assert desk.act("accept", fresh).row.status is S.IN_PROGRESS


def test_two_counters_saving_at_once_one_wins_the_other_retries(desk: Desk) -> None:
    d = desk.register()
    calls: list[Callable[[VisitDetail], VisitDetail]] = [
        lambda d: desk.act("accept", d),
        lambda d: desk.hand_over(d),
    ]

    results = run_together(*(lambda c=c: c(d) for c in calls))

    winners = [i for i, r in enumerate(results) if isinstance(r, VisitDetail)]
    losers = [i for i, r in enumerate(results) if isinstance(r, ConflictError)]
    assert len(winners) == len(losers) == 1
    calls[losers[0]](desk.v.get(desk.officer, d.row.id))
    final = desk.v.get(desk.officer, d.row.id)
    assert final.row.status is S.IN_PROGRESS and final.row.pending_handover_to == "赵刚"


# ---- returning citizens and lookups -------------------------------------------------------


def test_a_legacy_15_digit_number_finds_the_citizen_stored_under_18(desk: Desk) -> None:
    desk.register(id_number="110105491231002")  # stored as 11010519491231002X

    hint = desk.v.find_citizen(desk.officer, id_number="110105491231002")
    page = desk.v.search(desk.officer, VisitQuery(id_number="110105491231002"))

    assert hint is not None and hint.citizen_name_masked == "陈*"
    assert page.total == 1


def test_the_phone_is_tried_when_the_id_number_finds_nobody(desk: Desk) -> None:
    desk.register(phone="0571 86001234")

    hint = desk.v.find_citizen(desk.officer, id_number=OTHER_ID, phone="0571-8600 1234")

    assert hint is not None and hint.phone_masked == "057*****1234"


def test_voided_visits_count_neither_as_last_visit_nor_in_the_total(desk: Desk) -> None:
    kept = desk.register()
    voided = desk.register()
    desk.act("void", voided)

    hint = desk.v.find_citizen(desk.officer, id_number=VALID_ID)

    assert hint is not None and hint.visits == 1
    assert hint.last_date == kept.row.local_date


def test_closing_a_matter_withdraws_its_pending_handover_on_the_record(
    desk: Desk, audit_log
) -> None:  # type: ignore[no-untyped-def]
    d = desk.reach(S.IN_PROGRESS)
    d = desk.v.request_handover(
        desk.officer, d.row.id, d.row.row_version, desk.colleague.officer_id, "休假"
    )

    d = desk.act("complete", d)

    assert d.pending_handover is None
    assert d.handovers[-1].state == "cancelled" and "自动撤回" in d.handovers[-1].decline_reason
    assert "handover_cancelled" in [e["action"] for e in audit_log()]


# ---- when an officer leaves ----------------------------------------------------------------


def test_the_chief_reassigns_a_matter_whose_owner_was_deactivated(desk: Desk) -> None:
    d = desk.reach(S.IN_PROGRESS)
    plan = {d.row.id: desk.chief.officer_id}  # offered to the chief, who reassigns instead
    desk.services.officers.set_active(desk.chief, desk.officer.officer_id, False, plan)
    d = desk.v.get(desk.chief, d.row.id)

    refused(
        PermissionDenied,
        desk.v.reassign,
        desk.colleague,
        d.row.id,
        d.row.row_version,
        desk.colleague.officer_id,
        "我来",
    )
    d = desk.v.reassign(
        desk.chief, d.row.id, d.row.row_version, desk.colleague.officer_id, "李明离岗"
    )

    assert d.row.owner_name == "赵刚" and d.row.first_officer_name == "李明"
    assert "指派给赵刚" in d.transitions[-1].reason
    d = desk.act("complete", d, desk.colleague)
    assert d.row.status is S.COMPLETED


def test_deactivating_an_officer_withdraws_handovers_waiting_for_them(desk: Desk) -> None:
    d = desk.reach(S.IN_PROGRESS)
    d = desk.v.request_handover(
        desk.officer, d.row.id, d.row.row_version, desk.colleague.officer_id, "休假"
    )

    desk.services.officers.set_active(desk.chief, desk.colleague.officer_id, False)

    d = desk.v.get(desk.officer, d.row.id)
    assert d.pending_handover is None and d.row.owner_name == "李明"
    assert "已停用" in d.handovers[-1].decline_reason


def test_pausing_an_overdue_matter_does_not_clear_the_overdue(desk: Desk) -> None:
    d = desk.reach(S.IN_PROGRESS)  # 3 working days, due 2025-10-11
    desk.clock.advance(dt.timedelta(days=30))
    assert desk.v.open_matters(desk.officer)[0].due_state == "overdue"
    d = desk.act("pause", desk.v.get(desk.officer, d.row.id))
    assert desk.v.open_matters(desk.officer)[0].due_text.endswith("（暂停计时）")
    desk.clock.advance(dt.timedelta(days=1))

    d = desk.act("resume", d)

    assert d.row.due_state == "overdue"


# ---- returning citizens: recognised by masked data only (issue 10) --------------------------


def test_recognising_a_returning_citizen_shows_nothing_beyond_the_masks(
    desk: Desk, audit_log
) -> None:  # type: ignore[no-untyped-def]
    desk.register(citizen_name="欧阳明月")
    events = len(audit_log())

    hint = desk.v.find_citizen(desk.colleague, id_number=VALID_ID)

    assert hint is not None
    shown = repr(hint)
    assert "欧阳明月" not in shown and "13800138000" not in shown and VALID_ID not in shown
    assert (hint.citizen_name_masked, hint.phone_masked) == ("欧**月", "138****8000")
    assert len(audit_log()) == events  # recognising reveals nothing, so nothing to audit


def test_blank_name_and_phone_are_taken_from_the_earlier_visit_unseen(desk: Desk) -> None:
    desk.register(phone="13900139000")
    hint = desk.v.find_citizen(desk.colleague, id_number=VALID_ID)
    assert hint is not None

    again = desk.register(desk.colleague, citizen_name="", phone="", reuse_from=hint.visit_id)
    typed = desk.register(
        desk.colleague,
        citizen_name="陈晶",
        phone="",
        reuse_from=hint.visit_id,
        name_choice=NameChoice.CURRENT,
    )

    assert (again.row.citizen_name, again.row.phone_masked) == ("陈静", "139****9000")
    assert (typed.row.citizen_name, typed.row.phone_masked) == ("陈晶", "139****9000")


def test_an_earlier_visit_of_another_citizen_cannot_fill_the_form(desk: Desk) -> None:
    other = desk.register(id_number=OTHER_ID, citizen_name="周红")
    before = desk.saved()

    error = refused(
        ValidationError,
        desk.v.register,
        desk.officer,
        new_visit(desk.items["ZM-WFZ"], citizen_name="", reuse_from=other.row.id),
    )

    assert error.field == "citizen_name" and "不一致" in error.message
    assert desk.saved() == before


def test_the_full_phone_of_a_returning_citizen_needs_a_purpose_and_is_audited(
    desk: Desk, audit_log
) -> None:  # type: ignore[no-untyped-def]
    d = desk.register()
    events = len(audit_log())
    reveal = desk.v.reveal_citizen_phone
    assert field_of(reveal, desk.colleague, d.row.id, "核查身份", " ") == "detail"
    assert field_of(reveal, desk.colleague, d.row.id, "核查身份", "看看") == "detail"
    assert field_of(reveal, desk.colleague, d.row.id, "依法协助调查", "核对联系电话") == "purpose"
    assert len(audit_log()) == events

    assert reveal(desk.colleague, d.row.id, "核查身份", "核对联系电话") == "13800138000"
    event = audit_log()[-1]
    assert (event["action"], event["officer_id"]) == ("phone_revealed", desk.colleague.officer_id)
    assert (event["entity_id"], event["after"]) == (
        d.row.serial,
        {"purpose": "核查身份", "detail": "核对联系电话"},
    )


# ---- desk timing from the officer's own actions (issue 10) ---------------------------------


def test_an_on_the_spot_completion_without_keys_has_its_real_service_time(desk: Desk) -> None:
    opened = desk.clock.now()
    d = desk.register(arrived_at=opened)  # the form opened as the citizen sat down
    desk.clock.advance(dt.timedelta(minutes=6))

    d = desk.v.complete_on_the_spot(desk.officer, d.row.id, d.row.row_version, "已办结")

    assert (d.started_at, d.ended_at) == (opened, opened + dt.timedelta(minutes=6))
    assert (d.row.waiting_minutes, d.row.service_minutes) == (None, 6)
    assert d.times_by_hand == ()


def test_an_answered_question_is_timed_from_the_form_and_its_wait_is_unknown(desk: Desk) -> None:
    d = desk.register(arrived_at=desk.clock.now())
    desk.clock.advance(dt.timedelta(minutes=3))

    d = desk.act("answer", d)

    assert (d.row.waiting_minutes, d.row.service_minutes) == (None, 3)


def test_a_colleague_taking_up_the_matter_later_measures_the_wait(desk: Desk) -> None:
    d = desk.register(arrived_at=desk.clock.now())  # registered at the guidance desk
    d = desk.hand_over(d)
    desk.v.accept_handover(desk.colleague, desk.pending(d).id)
    desk.clock.advance(dt.timedelta(minutes=25))
    d = desk.v.get(desk.colleague, d.row.id)
    d = desk.act("accept", d, desk.colleague)
    desk.clock.advance(dt.timedelta(minutes=10))
    d = desk.act("complete", d, desk.colleague)

    assert (d.row.waiting_minutes, d.row.service_minutes) == (25, 10)


def test_keys_correct_the_stamps_and_are_marked_as_by_hand(desk: Desk) -> None:
    v, officer = desk.v, desk.officer
    d = desk.register(arrived_at=desk.clock.now())
    desk.clock.advance(dt.timedelta(minutes=8))
    d = v.mark_time(officer, d.row.id, d.row.row_version, "started")
    desk.clock.advance(dt.timedelta(minutes=4))
    d = desk.act("answer", d)

    assert (d.row.waiting_minutes, d.row.service_minutes) == (8, 4)
    assert d.times_by_hand == ("started",)
    pressed = desk.register(arrived_at=desk.clock.now(), arrived_by_hand=True)
    assert v.get(officer, pressed.row.id).times_by_hand == ("arrived",)


def test_a_relative_sharing_the_phone_registers_under_their_own_id(desk: Desk) -> None:
    mother = desk.register(citizen_name="陈静", phone="13900139000")
    hint = desk.v.find_citizen(desk.officer, id_number=OTHER_ID, phone="13900139000")
    assert hint is not None and hint.matched_by == "phone" and hint.visit_id == mother.row.id

    son = desk.register(
        id_number=OTHER_ID, citizen_name="李明轩", phone="13900139000", reuse_from=hint.visit_id
    )

    assert (son.row.citizen_name, son.row.id_masked) == (
        "李明轩",
        OTHER_ID[:6] + "********" + OTHER_ID[-4:],
    )


def test_a_voided_registration_gets_no_desk_times(desk: Desk) -> None:
    d = desk.register(arrived_at=desk.clock.now())
    desk.clock.advance(dt.timedelta(minutes=4))

    d = desk.act("void", d)

    assert (d.started_at, d.ended_at) == (None, None)


def test_a_list_filter_matches_full_numbers_and_a_phones_last_digits_within_the_list(
    services: Services, make_officer
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW)
    item = services.catalogue.list_items("SFZ-SL")[0]
    a = services.visits.register(
        officer, NewVisit("李四光", IdType.RESIDENT, VALID_ID, "13805710011", item.item_id)
    )
    b = services.visits.register(
        officer, NewVisit("王五", IdType.RESIDENT, OTHER_ID, "0571-86005678", item.item_id)
    )
    c = services.visits.register(
        officer, NewVisit("赵六", IdType.RESIDENT, THIRD_ID, "13905710011", item.item_id)
    )
    listed = [a.row.id, b.row.id]  # c is not on the officer's list
    match = services.visits.match_numbers

    assert match(officer, listed, VALID_ID.lower()) == {a.row.id}
    assert match(officer, listed, "138 0571 0011") == {a.row.id}
    assert match(officer, listed, "0011") == {a.row.id}  # c also ends so, but is not listed
    assert match(officer, listed, "5678") == {b.row.id}
    assert match(officer, listed, "0571-86005678") == {b.row.id}
    assert match(officer, listed, "4242") == set()
    assert match(officer, listed, "001") == set()  # fewer than four digits: the text filter
    assert match(officer, listed, "李四") == set()
    assert match(officer, [], "0011") == set()
    assert match(officer, [*listed, c.row.id], "0011") == {a.row.id, c.row.id}


# ---- issue 21: nothing typed is lost or silently changed --------------------------------------


@pytest.mark.parametrize("phone", ["abcdefghijk", "电话号码没有", "----", "138abc00138"])
def test_a_phone_of_letters_or_symbols_is_refused_not_stored_as_no_phone(
    desk: Desk, phone: str
) -> None:
    before = desk.saved()

    error = refused(ValidationError, desk.register, phone=phone)

    assert error.field == "phone" and "区号" not in error.message
    assert desk.saved() == before


@pytest.mark.parametrize(
    ("changes", "field", "said"),
    [
        ({"summary": "事" * 2000}, "summary", "不能超过 200 个字（现有 2000 个）"),
        ({"citizen_name": "张" * 31}, "citizen_name", "不能超过 30 个字（现有 31 个）"),
    ],
)
def test_text_over_its_limit_is_refused_not_cut(
    desk: Desk, changes: dict[str, Any], field: str, said: str
) -> None:
    before = desk.saved()

    error = refused(ValidationError, desk.register, **changes)

    assert (error.field, said in error.message) == (field, True)
    assert desk.saved() == before


def test_the_name_is_checked_against_the_document(desk: Desk) -> None:
    error = refused(ValidationError, desk.register, citizen_name="John Smith")
    assert error.field == "citizen_name" and "居民身份证" in error.message

    d = desk.register(citizen_name="John Smith", id_type=IdType.PASSPORT, id_number="E12345678")

    assert d.row.citizen_name == "John Smith"


def test_every_wrong_field_is_named_at_once_in_the_forms_order(desk: Desk) -> None:
    before = desk.saved()

    error = refused(
        ValidationErrors,
        desk.register,
        id_number="11010519491231002",
        citizen_name="John",
        phone="138abc00138",
        service_item_id=None,
        summary="事" * 201,
    )

    assert [field for field, _ in error.fields] == [
        "id_number",
        "citizen_name",
        "phone",
        "service",
        "summary",
    ]
    assert error.field == "id_number"  # the cursor goes to the first
    assert all(has_chinese(message) for _, message in error.fields)
    assert desk.saved() == before


def test_the_same_id_under_another_name_asks_which_is_right_and_records_the_answer(
    desk: Desk, audit_log
) -> None:  # type: ignore[no-untyped-def]
    first = desk.register(citizen_name="陈静")
    before = desk.saved()

    question = refused(NameDiffers, desk.register, citizen_name="陈晶")
    assert question.field == "citizen_name" and "陈*" in question.message
    assert "陈静" not in question.message  # the earlier name only masked
    assert desk.saved() == before

    previous = desk.register(citizen_name="陈晶", name_choice=NameChoice.PREVIOUS)
    current = desk.register(citizen_name="陈晶", name_choice=NameChoice.CURRENT)
    same = desk.register(citizen_name="陈晶")  # now the last registration's name: no question

    assert [d.row.citizen_name for d in (previous, current, same)] == ["陈静", "陈晶", "陈晶"]
    checks = {
        e["entity_id"]: e["after"].get("name_check")
        for e in audit_log()
        if e["action"] == "visit_registered"
    }
    assert checks[first.row.serial] is None and checks[same.row.serial] is None
    assert checks[previous.row.serial] == {
        "last_visit": first.row.serial,
        "last_name": "陈*",
        "typed_name": "陈晶",
        "choice": "previous",
        "choice_label": "改回上次的姓名",
    }
    assert checks[current.row.serial]["choice"] == "current"
    assert checks[current.row.serial]["last_visit"] == previous.row.serial


def test_the_name_question_finds_the_last_registration_by_the_keyed_hash(desk: Desk) -> None:
    desk.register(citizen_name="陈静", id_number=" 110105 19491231 002x ")  # stored normalised
    with desk.services.visits._sessions() as session:
        stored = session.query(Visit).one()
        assert stored.id_number_hash and VALID_ID not in stored.id_number_hash

    assert refused(NameDiffers, desk.register, citizen_name="李四").field == "citizen_name"


def test_a_name_or_phone_of_spaces_for_a_known_id_is_refused_not_replaced(desk: Desk) -> None:
    desk.register(phone="13900139000")
    hint = desk.v.find_citizen(desk.colleague, id_number=VALID_ID)
    assert hint is not None
    before = desk.saved()

    name = refused(
        ValidationError,
        desk.register,
        desk.colleague,
        citizen_name="   ",
        phone="",
        reuse_from=hint.visit_id,
    )
    phone = refused(
        ValidationError, desk.register, desk.colleague, phone="  ", reuse_from=hint.visit_id
    )

    assert (name.field, "只有空格" in name.message) == ("citizen_name", True)
    assert (phone.field, "只有空格" in phone.message) == ("phone", True)
    assert desk.saved() == before
