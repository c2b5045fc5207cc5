"""A matter's course by its owner: finished (办结, 当场办结, 咨询答复), guided elsewhere (引导),
refused in writing (不予受理), voided, paused for materials and resumed, its times stamped."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.core import audit, text_limits
from app.core.dto import SessionUser
from app.core.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from app.core.roles import Permission, Role, allows
from app.core.service_base import load_station
from app.core.validation import Collector, clean_phone, clean_text
from app.visits._base import VisitBase
from app.visits._clock import pause_clock, resume_clock
from app.visits._moves import open_notice, stamp_start
from app.visits.dto import VisitDetail
from app.visits.refusal import COMMON_BASIS, RefusalDraft
from app.visits.rules import VisitStatus
from db.models import ServiceItemVersion, Visit


@dataclass(frozen=True)
class _Grounds:
    """A refusal's written grounds, checked: what the notice prints."""

    reason: str
    basis: str
    review_body: str
    court: str
    redress: str
    unsigned: str


class Course(VisitBase):
    """The owner's steps that finish, pause or resume a matter, and its time stamps."""

    def complete(
        self, user: SessionUser, visit_id: int, row_version: int, result: str
    ) -> VisitDetail:
        """办结, with what was done."""
        text = clean_text(result, field="result", label="办理结果", max_len=text_limits.NOTE)
        with self._writing() as session:
            actor, visit = self._owned(session, user, visit_id, row_version)
            now = self._clock.now()
            visit.result = text
            self._close(actor, visit, now)
            self._move(session, actor, visit, VisitStatus.COMPLETED, text, now)
            return self._detail(session, visit)

    def complete_on_the_spot(
        self, user: SessionUser, visit_id: int, row_version: int, result: str
    ) -> VisitDetail:
        """Accept and finish at once (当场办结), in one transaction; both steps stay in history."""
        text = clean_text(result, field="result", label="办理结果", max_len=text_limits.NOTE)
        with self._writing() as session:
            actor, visit = self._owned(session, user, visit_id, row_version)
            now = self._clock.now()
            self._accept(session, actor, visit, now)
            visit.result = text
            self._close(actor, visit, now)
            self._move(session, actor, visit, VisitStatus.COMPLETED, text, now)
            return self._detail(session, visit)

    def answer(
        self, user: SessionUser, visit_id: int, row_version: int, answer: str
    ) -> VisitDetail:
        """A question answered on the spot (咨询答复)."""
        text = clean_text(answer, field="result", label="答复内容", max_len=text_limits.NOTE)
        with self._writing() as session:
            actor, visit = self._owned(session, user, visit_id, row_version)
            now = self._clock.now()
            visit.result = text
            self._close(actor, visit, now)
            self._move(session, actor, visit, VisitStatus.ANSWERED, text, now)
            return self._detail(session, visit)

    def guide(
        self,
        user: SessionUser,
        visit_id: int,
        row_version: int,
        unit: str,
        address: str,
        phone: str,
        note: str = "",
    ) -> VisitDetail:
        """Not this station's business: close as guided (引导) to the unit that handles it."""
        unit_text = clean_text(
            unit, field="guided_unit", label="承办单位", max_len=text_limits.UNIT
        )
        address_text = clean_text(
            address, field="guided_address", label="单位地址", max_len=text_limits.ADDRESS
        )
        phone_text = clean_phone(phone, field="guided_phone", label="单位电话", required=True)
        note_text = clean_text(
            note, field="result", label="引导说明", max_len=text_limits.NOTE, required=False
        )
        with self._writing() as session:
            actor, visit = self._owned(session, user, visit_id, row_version)
            now = self._clock.now()
            visit.guided_unit, visit.guided_address, visit.guided_phone = (
                unit_text,
                address_text,
                phone_text,
            )
            visit.result = note_text or f"引导至{unit_text}"
            visit.in_scope = False
            self._close(actor, visit, now)
            self._move(session, actor, visit, VisitStatus.GUIDED, f"引导至{unit_text}", now)
            return self._detail(session, visit)

    # ---- 不予受理 -----------------------------------------------------------------------

    def refuse(
        self,
        user: SessionUser,
        visit_id: int,
        row_version: int,
        reason: str,
        redress: str = "",
        *,
        basis: str,
        review_body: str,
        court: str,
        unsigned: str = "",
    ) -> VisitDetail:
        """不予受理 in writing: the reason, the legal basis it rests on and the redress bodies
        (行政复议机关, 人民法院) are required; ``redress`` adds other channels (12389 …), and
        ``unsigned`` says why the citizen would not sign the notice (a witness signs)."""
        grounds = _refusal_grounds(reason, redress, basis, review_body, court, unsigned)
        with self._writing() as session:
            actor, visit = self._owned(session, user, visit_id, row_version)
            if not allows(Role(actor.role), Permission.REFUSE_VISITS):
                raise PermissionDenied("不予受理须由民警作出，辅警请移交民警办理。")
            now = self._clock.now()
            _write_grounds(visit, grounds)
            self._close(actor, visit, now)
            self._move(session, actor, visit, VisitStatus.REFUSED, grounds.reason, now)
            return self._detail(session, visit)

    def refusal_draft(self, user: SessionUser, visit_id: int) -> RefusalDraft:
        """What the refusal form starts from: the common legal basis, the station's redress
        bodies (settings) and the matter's own basis from the catalogue."""
        with self._sessions.begin() as session:
            self._require_case_work(session, user, reading=True)
            visit = session.get(Visit, visit_id)
            if visit is None:
                raise NotFound("找不到该登记记录。")
            station = load_station(session)
            version = session.get(ServiceItemVersion, visit.service_version_id)
            return RefusalDraft(
                basis=COMMON_BASIS,
                review_body=station.redress_review_body or "",
                court=station.redress_court or "",
                matter_basis=version.legal_basis if version is not None else "",
            )

    # ---- voided, paused, resumed --------------------------------------------------------

    def void(self, user: SessionUser, visit_id: int, row_version: int, reason: str) -> VisitDetail:
        """作废 (registered by mistake, citizen left): the number stays used, the reason kept."""
        text = clean_text(reason, field="void_reason", label="作废原因", max_len=text_limits.REASON)
        with self._writing() as session:
            actor, visit = self._owned(session, user, visit_id, row_version)
            now = self._clock.now()
            visit.void_reason = text  # no desk times: a voided registration was no service
            self._move(session, actor, visit, VisitStatus.VOIDED, text, now)
            return self._detail(session, visit)

    def pause_for_materials(
        self, user: SessionUser, visit_id: int, row_version: int, reason: str
    ) -> VisitDetail:
        """待补材料: the clock stops, keeping the working days still left."""
        text = clean_text(reason, field="reason", label="待补材料说明", max_len=text_limits.NOTE)
        with self._writing() as session:
            actor, visit = self._owned(session, user, visit_id, row_version)
            if open_notice(session, visit.id) is not None:
                raise ConflictError("该事项已出具告知单，补交材料请在告知单上登记。")
            now = self._clock.now()
            pause_clock(session, visit, now)
            self._move(session, actor, visit, VisitStatus.WAITING_MATERIALS, text, now)
            return self._detail(session, visit)

    def resume(
        self, user: SessionUser, visit_id: int, row_version: int, note: str = ""
    ) -> VisitDetail:
        """The citizen is back with the materials: the deadline moves by the time paused.

        The due date is pushed back by the working (or calendar) days that passed while the
        clock stood still, so the days left are kept and an overdue matter stays overdue.
        """
        text = clean_text(
            note, field="reason", label="说明", max_len=text_limits.NOTE, required=False
        )
        with self._writing() as session:
            actor, visit = self._owned(session, user, visit_id, row_version)
            if visit.status != VisitStatus.WAITING_MATERIALS.value:
                raise ConflictError("该事项不在待补材料状态，无需恢复办理。")
            notice = open_notice(session, visit.id)
            if notice is not None:
                raise ConflictError(
                    f"请在告知单 {notice.number} 上登记群众补交的材料，补齐后自动恢复办理。"
                )
            now = self._clock.now()
            resume_clock(session, visit, now)
            self._move(
                session, actor, visit, VisitStatus.IN_PROGRESS, text or "材料补齐，恢复办理", now
            )
            return self._detail(session, visit)

    # ---- times --------------------------------------------------------------------------

    def mark_time(
        self, user: SessionUser, visit_id: int, row_version: int, which: str
    ) -> VisitDetail:
        """One key each: 到达 (arrival), 开始 (service starts), 结束 (service ends) — now."""
        if which not in ("arrived", "started", "ended"):
            raise ValidationError("未知的时间类型。", "which")
        with self._writing() as session:
            actor, visit = self._owned(session, user, visit_id, row_version)
            now = self._clock.now()
            before = {which: _iso(getattr(visit, f"{which}_at"))}
            if which == "started" and now < visit.arrived_at:
                raise ValidationError("开始办理时间不能早于到达时间。", "started_at")
            if which == "started" and visit.ended_at is not None:
                raise ValidationError("已记录结束时间，不能再记录开始。", "started_at")
            if which == "ended" and visit.started_at is None:
                stamp_start(actor, visit, now)
            if which == "arrived" and visit.started_at is not None and now > visit.started_at:
                raise ValidationError("已开始办理，不能再把到达时间改晚。", "arrived_at")
            setattr(visit, f"{which}_at", now)
            setattr(visit, f"{which}_by_hand", True)
            visit.row_version += 1
            audit.record(
                session,
                at=now,
                officer_id=actor.id,
                action=f"visit_time_{which}",
                entity_type="visit",
                entity_id=visit.serial,
                before=before,
                after={which: _iso(now)},
            )
            return self._detail(session, visit)


def _refusal_grounds(
    reason: str, redress: str, basis: str, review_body: str, court: str, unsigned: str
) -> _Grounds:
    """A refusal's grounds checked, every missing or overlong one named at once."""
    errors = Collector()
    reason_text = errors.check(
        lambda: clean_text(
            reason,
            field="refusal_reason",
            label="不予受理理由",
            max_len=text_limits.GROUNDS,
        ),
        reason,
    )
    basis_text = errors.check(
        lambda: _required(
            basis,
            "refusal_basis",
            "法律依据",
            text_limits.GROUNDS,
            f"请填写不予受理所依据的法律条款（法律依据），如{COMMON_BASIS}。",
        ),
        basis,
    )
    review_text = errors.check(
        lambda: _required(
            review_body,
            "refusal_review_body",
            "行政复议机关",
            text_limits.UNIT,
            "请填写群众可以申请行政复议的机关，如 某区人民政府（可在“本所设置”中预设）。",
        ),
        review_body,
    )
    court_text = errors.check(
        lambda: _required(
            court,
            "refusal_court",
            "行政诉讼法院",
            text_limits.UNIT,
            "请填写群众可以提起行政诉讼的人民法院，如 某区人民法院（可在“本所设置”中预设）。",
        ),
        court,
    )
    other_text = errors.check(
        lambda: clean_text(
            redress,
            field="refusal_redress",
            label="其他救济渠道",
            max_len=text_limits.GROUNDS,
            required=False,
        ),
        redress,
    )
    unsigned_text = errors.check(
        lambda: clean_text(
            unsigned,
            field="refusal_unsigned",
            label="群众拒绝签收的情况",
            max_len=text_limits.REASON,
            required=False,
        ),
        unsigned,
    )
    errors.done()
    return _Grounds(reason_text, basis_text, review_text, court_text, other_text, unsigned_text)


def _write_grounds(visit: Visit, grounds: _Grounds) -> None:
    """The refusal's grounds kept on the visit (the notice, its detail and case file read them)."""
    visit.refusal_reason, visit.refusal_redress = grounds.reason, grounds.redress
    visit.refusal_basis = grounds.basis
    visit.refusal_review_body, visit.refusal_court = grounds.review_body, grounds.court
    visit.refusal_unsigned = grounds.unsigned


def _required(value: str, field: str, label: str, max_len: int, missing: str) -> str:
    """A required text whose absence is explained by ``missing`` (what to write, an example)."""
    text = clean_text(value, field=field, label=label, max_len=max_len, required=False)
    if not text:
        raise ValidationError(missing, field)
    return text


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None
