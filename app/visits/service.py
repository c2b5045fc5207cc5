"""Walk-in intake under first-contact responsibility (首接责任制): register, own, hand over."""

from __future__ import annotations

import datetime as dt
import functools
import re
import time
import unicodedata
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, event, func, or_, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from app.catalogue.service import time_limit_text
from app.core import audit, slip_officers, text_limits
from app.core.clock import Clock
from app.core.dto import SessionUser
from app.core.errors import ConflictError, NameDiffers, NotFound, PermissionDenied, ValidationError
from app.core.identity import (
    IdType,
    canonical_id,
    check_citizen_name,
    check_id,
    check_phone,
    mask_id,
    mask_name,
    mask_phone,
    normalise_phone,
)
from app.core.pinyin import is_spelling
from app.core.print_log import count_prints, record_paper_print
from app.core.reveal_purposes import (
    ID_NUMBER_PURPOSES,
    VISIT_PHONE_PURPOSES,
    audit_after,
    check_reveal,
)
from app.core.roles import Permission, Role, allows
from app.core.service_base import ServiceBase
from app.core.validation import Collector, clean_phone, clean_text, code_text
from app.core.workdays import WorkingDayCalendar
from app.holidays.service import load_calendar
from app.printing.qr_codes import parse_scan, visit_id_of_scan, visit_qr_payload
from app.printing.slip_data import SlipData
from app.visits.dto import (
    CitizenHint,
    HandoverRow,
    NameChoice,
    NewVisit,
    TransitionRow,
    VisitDetail,
    VisitPage,
    VisitQuery,
    VisitRow,
)
from app.visits.name_search import spelled_names
from app.visits.queries import handled_by, held_by, is_open
from app.visits.refusal import (
    COMMON_BASIS,
    RefusalDraft,
    refusal_paragraphs,
)
from app.visits.rules import DUE_SOON_WORKING_DAYS, Channel, VisitStatus, can_move
from app.visits.succession import check_successor, offer_on_behalf, on_behalf_reason
from db.models import (
    CalendarYear,
    Counter,
    DayReview,
    Handover,
    HolidayOverride,
    Notice,
    Officer,
    ServiceItem,
    ServiceItemVersion,
    Station,
    Visit,
    VisitTransition,
)
from db.queries import sqlite_index, unindexed
from db.sealed import cipher_of

Owner = aliased(Officer, name="owner")
First = aliased(Officer, name="first_officer")
Receiver = aliased(Officer, name="receiver")
PendingHandover = aliased(Handover, name="pending_handover")


_FULL_SERIAL = re.compile(r"^[A-Z0-9]{2,12}-\d{4}-\d{6}$")


def serial_for(code: str, year: int, seq: int) -> str:
    """The visit's number as printed: station code, year, six-digit sequence."""
    return f"{code}-{year}-{seq:06d}"


def next_number(session: Session, kind: str, year: int) -> int:
    """The next gap-free number of ``kind`` in ``year`` (inside the caller's write lock).

    A counter behind the highest number used (file edited, restore gone wrong) is first moved
    up to it, never back, with an audit event; read in the one statement that reads the counter.
    """
    from app.core import numbering

    counter, highest = numbering.counter_and_highest(session, kind, year)
    if counter is None:
        counter = Counter(kind=kind, year=year, last_no=0)
        session.add(counter)
    if counter.last_no < highest:
        numbering.repair_forward(session, counter, highest)
    counter.last_no += 1
    session.flush()
    return counter.last_no


def offer_handover(
    session: Session,
    actor: Officer,
    visit: Visit,
    to_officer_id: int,
    reason: str,
    now: dt.datetime,
) -> Handover:
    """Offer ``visit`` (owned by ``actor``, checked by the caller) to a colleague, audited; the
    owner stays responsible until the colleague accepts. ``reason`` is already cleaned."""
    if to_officer_id == actor.id:
        raise ValidationError("不能移交给自己。", "to_officer")
    receiver = session.get(Officer, to_officer_id)
    if receiver is None or not receiver.active:
        raise ValidationError("接收人不存在或账号已停用，请另选同事。", "to_officer")
    if not allows(Role(receiver.role), Permission.HANDLE_VISITS):
        raise ValidationError(
            f"{receiver.name}（{Role(receiver.role).label}）不办理窗口事项。", "to_officer"
        )
    if _pending(session, visit.id) is not None:
        raise ConflictError("该事项已有待接收的移交，请等对方处理或先撤回。")
    handover = Handover(
        visit_id=visit.id,
        from_officer_id=actor.id,
        to_officer_id=receiver.id,
        reason=reason,
        state="pending",
        created_at=now,
        decline_reason="",
    )
    session.add(handover)
    visit.row_version += 1
    session.flush()
    audit.record(
        session,
        at=now,
        officer_id=actor.id,
        action="handover_requested",
        entity_type="visit",
        entity_id=visit.serial,
        after={"handover": handover.id, "to": receiver.badge_no, "reason": reason},
    )
    return handover


# visit_transitions.reason is VARCHAR(500): PostgreSQL refuses more, SQLite would keep it.
TRANSITION_REASON_MAX = 500


class VisitService(ServiceBase):
    """Every use case of a walk-in matter; each is one transaction with its audit event."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        super().__init__(sessions, clock)
        # ((local date, holiday edits seen), when computed, due-soon limit): see _due_soon.
        self._soon_cache: tuple[tuple[dt.date, int], float, dt.date] | None = None

    def now(self) -> dt.datetime:
        """The service's clock (the registration form stamps arrival with it)."""
        return self._clock.now()

    # ---- registration -------------------------------------------------------------------

    def register(self, user: SessionUser, new: NewVisit) -> VisitDetail:
        """Register a walk-in; the registering officer becomes first-contact officer for good."""
        with self._writing() as session:
            visit = self.register_in(session, user, new)
            return self._detail(session, visit)

    def register_in(self, session: Session, user: SessionUser, new: NewVisit) -> Visit:
        """``register`` inside the caller's transaction (a booking registered as it arrives)."""
        try:
            channel = Channel(new.channel)
        except ValueError:
            raise ValidationError("请选择来访渠道。", "channel") from None
        try:
            id_type = IdType(new.id_type)
        except ValueError:
            raise ValidationError("请选择证件类型。", "id_type") from None
        try:
            choice = NameChoice(new.name_choice)
        except ValueError:
            raise ValidationError(
                "请选择以本次填写的姓名为准，还是改回上次登记的姓名。", "citizen_name"
            ) from None
        if new.arrived_at is not None and new.arrived_at.tzinfo is None:
            raise ValidationError("到达时间缺少时区。", "arrived_at")
        actor = self._require_case_work(session, user)
        station = _station(session)
        tz = ZoneInfo(station.timezone)
        now = self._clock.now()
        today = now.astimezone(tz).date()
        # Every field is checked and every wrong one named at once, in the form's order
        # (the cursor goes to the first); nothing is written and no number used up.
        errors = Collector()
        number = ""
        if new.id_number.strip() or channel is not Channel.PHONE:
            number = errors.check(lambda: check_id(id_type, new.id_number, today).number, "")
        # A returning citizen: a name or phone left empty is the earlier visit's.
        source: Visit | None = None
        reuse = new.reuse_from
        if (
            reuse is not None
            and not errors.failed("id_number")
            and not (new.citizen_name.strip() and new.phone.strip())
        ):
            source = errors.check(lambda: _reuse_source(session, reuse, number, new.phone), None)
        name = errors.check(lambda: _citizen_name(id_type, new.citizen_name, source), "")
        phone = errors.check(lambda: _citizen_phone(new.phone, source, channel), "")
        item: ServiceItem | None = None
        if new.service_item_id is None:
            errors.add(ValidationError("请选择办理事项（可输入名称或拼音首字母查找）。", "service"))
        else:
            item = session.get(ServiceItem, new.service_item_id)
            if item is None or not item.active:
                errors.add(ValidationError("该事项不存在或已停用，请重新选择。", "service"))
        summary = errors.check(
            lambda: clean_text(
                new.summary,
                field="summary",
                label="事由摘要",
                max_len=text_limits.SUMMARY,
                required=False,
            ),
            "",
        )
        arrived = new.arrived_at or now
        if arrived > now + dt.timedelta(minutes=1):
            errors.add(ValidationError("到达时间不能晚于现在。", "arrived_at"))
        errors.done()
        assert item is not None
        name, name_check = _confirm_name(session, number, name, choice)
        version = _current_version(session, item)
        year = arrived.astimezone(tz).year
        seq = next_number(session, "visit", year)
        visit = Visit(
            serial=serial_for(station.code, year, seq),
            year=year,
            seq=seq,
            arrived_at=arrived,
            started_at=None,
            ended_at=None,
            arrived_by_hand=bool(new.arrived_by_hand),
            local_date=arrived.astimezone(tz).date(),
            citizen_name=name,
            id_type=id_type.value,
            id_number=number,
            phone=phone,
            service_version_id=version.id,
            channel=channel.value,
            summary=summary,
            in_scope=bool(new.in_scope),
            first_officer_id=actor.id,
            owner_id=actor.id,
            status=VisitStatus.REGISTERED.value,
            result="",
            row_version=1,
            created_at=now,
        )
        session.add(visit)
        session.flush()
        session.add(
            VisitTransition(
                visit_id=visit.id,
                at=now,
                officer_id=actor.id,
                from_status="",
                to_status=VisitStatus.REGISTERED.value,
                reason="登记",
            )
        )
        audit.record(
            session,
            at=now,
            officer_id=actor.id,
            action="visit_registered",
            entity_type="visit",
            entity_id=visit.serial,
            after={
                "serial": visit.serial,
                "citizen": name,
                "id": mask_id(number) if number else "",
                "service_version": version.id,
                "channel": channel.value,
                "in_scope": visit.in_scope,
            }
            | ({"name_check": name_check} if name_check else {}),
        )
        return visit

    def find_citizen(
        self, user: SessionUser, id_number: str = "", phone: str = ""
    ) -> CitizenHint | None:
        """The last visit of a citizen with this ID number (or else this phone), masked."""
        number = canonical_id(id_number)
        digits = normalise_phone(phone)
        with self._sessions.begin() as session:
            self._require_case_work(session, user)
            # By ID number first; a phone only when the number finds nobody.
            cipher = cipher_of(session.get_bind().dialect)
            for matched_by, cond in (
                ("id", Visit.id_number_hash == cipher.blind("id", number) if number else None),
                (
                    "phone",
                    Visit.phone_hash == cipher.blind("phone", digits) if len(digits) >= 7 else None,
                ),
            ):
                if cond is None:
                    continue
                found = self._last_visit(session, cond, matched_by)
                if found is not None:
                    return found
            return None

    def reveal_citizen_phone(
        self, user: SessionUser, visit_id: int, purpose: str, detail: str
    ) -> str:
        """The full phone of an earlier visit, for a listed purpose and a stated detail; audited."""
        chosen, text = check_reveal(purpose, detail, VISIT_PHONE_PURPOSES)
        return self._reveal(user, visit_id, chosen, text, "phone", "phone_revealed")

    @staticmethod
    def _last_visit(session: Session, cond: Any, matched_by: str) -> CitizenHint | None:
        # The last visit and how many there were, in one statement (the window counts them all).
        last = session.execute(
            select(
                Visit.id,
                Visit.citizen_name,
                Visit.id_type,
                Visit.id_number,
                Visit.phone,
                Visit.local_date,
                ServiceItemVersion.name,
                func.count().over(),
            )
            .join(ServiceItemVersion, ServiceItemVersion.id == Visit.service_version_id)
            .where(cond, Visit.status != VisitStatus.VOIDED.value)
            .order_by(Visit.arrived_at.desc())
            .limit(1)
        ).first()
        if last is None:
            return None
        visit_id, name, id_type, id_number, phone, local_date, service_name, count = last
        return CitizenHint(
            visit_id=visit_id,
            matched_by=matched_by,
            citizen_name_masked=mask_name(name),
            id_type=IdType(id_type),
            id_number_masked=mask_id(id_number) if id_number else "",
            phone_masked=mask_phone(phone) if phone else "",
            last_date=local_date,
            last_service=service_name,
            visits=count,
        )

    # ---- transitions --------------------------------------------------------------------

    def accept(self, user: SessionUser, visit_id: int, row_version: int) -> VisitDetail:
        """受理: the clock starts; the due date follows from the catalogue version's time limit."""
        with self._writing() as session:
            actor, visit = self._owned(session, user, visit_id, row_version)
            self._accept(session, actor, visit, self._clock.now())
            return self._detail(session, visit)

    def _accept(self, session: Session, actor: Officer, visit: Visit, now: dt.datetime) -> None:
        accept_visit(session, actor, visit, now)

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
        with self._writing() as session:
            actor, visit = self._owned(session, user, visit_id, row_version)
            if not allows(Role(actor.role), Permission.REFUSE_VISITS):
                raise PermissionDenied("不予受理须由民警作出，辅警请移交民警办理。")
            now = self._clock.now()
            visit.refusal_reason, visit.refusal_redress = reason_text, other_text
            visit.refusal_basis = basis_text
            visit.refusal_review_body, visit.refusal_court = review_text, court_text
            visit.refusal_unsigned = unsigned_text
            self._close(actor, visit, now)
            self._move(session, actor, visit, VisitStatus.REFUSED, reason_text, now)
            return self._detail(session, visit)

    def refusal_draft(self, user: SessionUser, visit_id: int) -> RefusalDraft:
        """What the refusal form starts from: the common legal basis, the station's redress
        bodies (settings) and the matter's own basis from the catalogue."""
        with self._sessions.begin() as session:
            self._require_case_work(session, user, reading=True)
            visit = session.get(Visit, visit_id)
            if visit is None:
                raise NotFound("找不到该登记记录。")
            station = _station(session)
            version = session.get(ServiceItemVersion, visit.service_version_id)
            return RefusalDraft(
                basis=COMMON_BASIS,
                review_body=station.redress_review_body or "",
                court=station.redress_court or "",
                matter_basis=version.legal_basis if version is not None else "",
            )

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

    # ---- handovers ----------------------------------------------------------------------

    def request_handover(
        self, user: SessionUser, visit_id: int, row_version: int, to_officer_id: int, reason: str
    ) -> VisitDetail:
        """Offer the matter to a colleague; the current owner stays responsible until accepted."""
        text = clean_text(reason, field="reason", label="移交原因", max_len=text_limits.REASON)
        with self._writing() as session:
            actor, visit = self._owned(session, user, visit_id, row_version)
            offer_handover(session, actor, visit, to_officer_id, text, self._clock.now())
            return self._detail(session, visit)

    def accept_handover(self, user: SessionUser, handover_id: int) -> VisitDetail:
        """The receiver accepts in their own session and becomes the owner."""
        with self._writing() as session:
            actor = self._require_case_work(session, user)
            handover = self._pending_for(session, handover_id)
            if handover.to_officer_id != actor.id:
                raise PermissionDenied("这条移交不是给您的，只能由接收人本人接收。")
            visit = session.get(Visit, handover.visit_id)
            assert visit is not None
            now = self._clock.now()
            handover.state, handover.decided_at = "accepted", now
            _change_owner(
                session, actor, visit, actor.id, f"接收移交：{handover.reason}",
                "handover_accepted", {"handover": handover.id}, now,
            )  # fmt: skip
            return self._detail(session, visit)

    def decline_handover(self, user: SessionUser, handover_id: int, reason: str) -> HandoverRow:
        """The receiver declines, saying why; the matter stays with its owner."""
        text = clean_text(reason, field="reason", label="拒收原因", max_len=text_limits.REASON)
        with self._writing() as session:
            actor = self._require_case_work(session, user)
            handover = self._pending_for(session, handover_id)
            if handover.to_officer_id != actor.id:
                raise PermissionDenied("这条移交不是给您的，只能由接收人本人处理。")
            return self._decide(session, actor, handover, "declined", text)

    def cancel_handover(self, user: SessionUser, handover_id: int) -> HandoverRow:
        """The owner withdraws a pending handover."""
        with self._writing() as session:
            actor = self._require_case_work(session, user)
            handover = self._pending_for(session, handover_id)
            if handover.from_officer_id != actor.id:
                raise PermissionDenied("只有发起移交的民警可以撤回。")
            return self._decide(session, actor, handover, "cancelled", "")

    def reassign(
        self, user: SessionUser, visit_id: int, row_version: int, to_officer_id: int, reason: str
    ) -> VisitDetail:
        """The chief assigns an open matter to an officer (the owner left, fell ill …).

        The first-contact officer stays on record; a pending handover is withdrawn.
        """
        text = clean_text(reason, field="reason", label="指派原因", max_len=text_limits.REASON)
        with self._writing() as session:
            actor = self._officer(session, user)
            if not allows(Role(actor.role), Permission.VIEW_ALL_VISITS):
                raise PermissionDenied("只有所长、副所长可以指派事项；同事之间请用移交。")
            visit = session.get(Visit, visit_id)
            if visit is None:
                raise NotFound("找不到该登记记录。")
            if visit.row_version != row_version:
                raise ConflictError("该事项刚被其他窗口修改过，已为您刷新，请核对后重试。")
            if not VisitStatus(visit.status).is_open:
                raise ConflictError(f"该事项已{VisitStatus(visit.status).label}，无需指派。")
            receiver = session.get(Officer, to_officer_id)
            if receiver is None or not receiver.active:
                raise ValidationError("接收人不存在或账号已停用，请另选。", "to_officer")
            if not allows(Role(receiver.role), Permission.HANDLE_VISITS):
                raise ValidationError(
                    f"{receiver.name}（{Role(receiver.role).label}）不办理窗口事项。", "to_officer"
                )
            if receiver.id == visit.owner_id:
                raise ValidationError(f"该事项已由{receiver.name}负责。", "to_officer")
            now = self._clock.now()
            pending = _pending(session, visit.id)
            if pending is not None:
                pending.state, pending.decided_at = "cancelled", now
                pending.decline_reason = "所长已另行指派"
            _change_owner(
                session, actor, visit, receiver.id, f"指派给{receiver.name}：{text}",
                "visit_reassigned", {"reason": text}, now,
            )  # fmt: skip
            return self._detail(session, visit)

    def orphaned_matters(self, user: SessionUser) -> list[VisitRow]:
        """Open matters whose owner's account is inactive (无人负责), due first.

        Each row names the colleague a pending handover waits for, if any. For the chief and
        deputy, who decide who takes such a matter over.
        """
        with self._sessions.begin() as session:
            actor = self._officer(session, user)
            if not allows(Role(actor.role), Permission.VIEW_ALL_VISITS):
                raise PermissionDenied("只有所长、副所长可以查看无人负责的在办事项。")
            tz = ZoneInfo(_station(session).timezone)
            local_today = self._clock.now().astimezone(tz).date()
            query = (
                _row_query()
                .where(is_open())
                .where(Owner.active.is_(False))
                .order_by(Visit.due_date.is_(None), Visit.due_date, Visit.arrived_at)
            )
            return self._rows(session, query, local_today)

    def hand_over_orphan(
        self, user: SessionUser, visit_id: int, row_version: int, to_officer_id: int, note: str
    ) -> VisitDetail:
        """The chief offers a matter whose owner left to a colleague, on the owner's behalf.

        Unlike 指派 the colleague must accept it in their own session (or decline it, and the
        matter stays listed as 无人负责); an offer still waiting for someone else is withdrawn.
        """
        text = clean_text(
            note,
            field="reason",
            label="移交说明",
            max_len=text_limits.HANDOVER_NOTE,
            required=False,
        )
        with self._writing() as session:
            actor = self._officer(session, user)
            if not allows(Role(actor.role), Permission.VIEW_ALL_VISITS):
                raise PermissionDenied("只有所长、副所长可以代为移交无人负责的事项。")
            visit = session.get(Visit, visit_id)
            if visit is None:
                raise NotFound("找不到该登记记录。")
            if visit.row_version != row_version:
                raise ConflictError("该事项刚被其他窗口修改过，已为您刷新，请核对后重试。")
            if not VisitStatus(visit.status).is_open:
                raise ConflictError(f"该事项已{VisitStatus(visit.status).label}，无需移交。")
            owner = session.get(Officer, visit.owner_id)
            assert owner is not None
            if owner.active:
                raise ConflictError(
                    f"该事项由在岗的{owner.name}负责，请由其本人移交；确需改派请用“指派”。"
                )
            receiver = check_successor(session, to_officer_id, owner)
            now = self._clock.now()
            reason = on_behalf_reason(actor, owner, text)
            offer_on_behalf(session, actor, visit, owner, receiver, reason, now)
            return self._detail(session, visit)

    # ---- reading ------------------------------------------------------------------------

    def get(self, user: SessionUser, visit_id: int) -> VisitDetail:
        """One visit with its history (ID number masked).

        Window work is shared: any case-handling officer may look a matter up to answer the
        citizen; only its current owner may act on it.
        """
        with self._sessions.begin() as session:
            self._require_case_work(session, user, reading=True)
            visit = session.get(Visit, visit_id)
            if visit is None:
                raise NotFound("找不到该登记记录。")
            return self._detail(session, visit)

    def find_by_serial(self, user: SessionUser, serial: str) -> VisitDetail:
        """A visit by its printed number."""
        with self._sessions.begin() as session:
            self._require_case_work(session, user, reading=True)
            visit = session.scalars(select(Visit).where(Visit.serial == code_text(serial))).first()
            if visit is None:
                raise NotFound(f"没有编号为 {serial.strip()} 的登记记录。")
            return self._detail(session, visit)

    def today(self, user: SessionUser, day: dt.date | None = None) -> list[VisitRow]:
        """Every visit registered at the station on ``day`` (default: today), newest first."""
        with self._sessions.begin() as session:
            actor = self._require_case_work(session, user, reading=True)
            tz = ZoneInfo(_station(session).timezone)
            local_today = self._clock.now().astimezone(tz).date()
            del actor  # the day's register is shared by the station's counters
            query = _row_query().where(Visit.local_date == (day or local_today))
            return self._rows(session, query.order_by(Visit.arrived_at.desc()), local_today)

    def day_lock_notice(self, user: SessionUser) -> str:
        """What the counter should know once today's ledger is reviewed ("" while it is not):
        who locked it, what can no longer change, and that the counter's work goes on."""
        with self._sessions.begin() as session:
            self._require_case_work(session, user, reading=True)
            tz = ZoneInfo(_station(session).timezone)
            today = self._clock.now().astimezone(tz).date()
            row = session.execute(
                select(Officer.name, DayReview.reviewed_at)
                .join(Officer, Officer.id == DayReview.reviewed_by_id)
                .where(DayReview.day == today)
            ).first()
        if row is None:
            return ""
        name, at = row
        if at.tzinfo is None:  # stored in UTC
            at = at.replace(tzinfo=dt.UTC)
        return (
            f"今日（{today.isoformat()}）台账已由{name}于 {at.astimezone(tz):%H:%M} 审核锁定："
            "审核前的登记内容不能再修改或作废（确需更正的，请所长登记更正记录）。"
            "接待、受理、办结、告知、评价等照常办理，记入“审核后记录”，随次日台账审核。"
        )

    def open_matters(self, user: SessionUser, everyone: bool = False) -> list[VisitRow]:
        """Open matters the officer owns (the chief: everyone's with ``everyone``), due first."""
        with self._sessions.begin() as session:
            actor = self._require_case_work(session, user, reading=True)
            if everyone and not allows(Role(actor.role), Permission.VIEW_ALL_VISITS):
                raise PermissionDenied("只有所长、副所长可以查看全所在办事项。")
            tz = ZoneInfo(_station(session).timezone)
            local_today = self._clock.now().astimezone(tz).date()
            query = _row_query().where(held_by(actor.id) if not everyone else is_open())
            query = query.order_by(Visit.due_date.is_(None), Visit.due_date, Visit.arrived_at)
            return self._rows(session, query, local_today)

    def handovers(self, user: SessionUser, everyone: bool = False) -> list[HandoverRow]:
        """Pending handovers to or from the officer (the chief: all of the station's)."""
        with self._sessions.begin() as session:
            actor = self._require_case_work(session, user, reading=True)
            if everyone and not allows(Role(actor.role), Permission.VIEW_ALL_VISITS):
                raise PermissionDenied("只有所长、副所长可以查看全所移交。")
            query = _handover_query().where(Handover.state == "pending")
            if not everyone:
                query = query.where(
                    or_(Handover.to_officer_id == actor.id, Handover.from_officer_id == actor.id)
                )
            return [_handover_row(r) for r in session.execute(query.order_by(Handover.created_at))]

    def search(self, user: SessionUser, q: VisitQuery) -> VisitPage:
        """Filter by number, name, ID, phone, dates, officer, matter, status; one page at a time."""
        if q.limit < 1 or q.limit > 1000 or q.offset < 0:
            raise ValidationError("分页参数不正确。", "limit")
        if q.date_from and q.date_to and q.date_to < q.date_from:
            raise ValidationError("结束日期不能早于开始日期。", "date_to")
        with self._sessions.begin() as session:
            actor = self._require_case_work(session, user, reading=True)
            tz = ZoneInfo(_station(session).timezone)
            local_today = self._clock.now().astimezone(tz).date()
            conds: list[Any] = []
            serial = code_text(q.serial)
            scanned = parse_scan(serial, "serial")
            if scanned is not None:
                # A scanned receipt or notice finds its visit only if its checksum matches.
                conds.append(Visit.id == visit_id_of_scan(session, scanned, "serial"))
            elif serial and _FULL_SERIAL.match(serial):
                conds.append(Visit.serial == serial)  # the index answers at once
            elif serial:
                conds.append(Visit.serial.contains(serial, autoescape=True))
            # The dates as an index bound, unless the name's index answers first.
            local_date: Any = Visit.local_date
            by_date_and_name = False
            if is_spelling(q.name):  # jx for 𠮷祥, or a name in Latin letters
                conds.append(spelled_names(session, q.name, q.date_from, q.date_to))
            elif q.name.strip():
                name = q.name.strip()
                conds.append(Visit.citizen_name.startswith(name, autoescape=True))
                by_date_and_name = _date_range_first(name, q.date_from, q.date_to)
                if not by_date_and_name:
                    # The range lets the name index answer; LIKE keeps the result exact.
                    conds.append(Visit.citizen_name >= name)
                    conds.append(Visit.citizen_name < name + "\U0010ffff")
                    # Without per-value statistics both ranges look alike to SQLite, which
                    # may then read a year of dates (~70k entries) for a handful of names.
                    local_date = unindexed(Visit.local_date)
            cipher = cipher_of(session.get_bind().dialect)
            if q.id_number.strip():
                conds.append(Visit.id_number_hash == cipher.blind("id", canonical_id(q.id_number)))
            if q.phone.strip():
                conds.append(Visit.phone_hash == cipher.blind("phone", normalise_phone(q.phone)))
            if q.date_from:
                conds.append(local_date >= q.date_from)
            if q.date_to:
                conds.append(local_date <= q.date_to)
            if q.officer_id:
                conds.append(handled_by(q.officer_id))
            if q.service_item_id:
                conds.append(ServiceItemVersion.item_id == q.service_item_id)
            if q.status:
                conds.append(Visit.status == VisitStatus(q.status).value)
            # The page's ids first, from the visits alone (an index walk for most filters),
            # then the joins for those rows only: skipped rows of a deep page cost no joins.
            ids = select(Visit.id)
            if q.service_item_id:
                ids = ids.join(
                    ServiceItemVersion, ServiceItemVersion.id == Visit.service_version_id
                )
            ids = ids.where(*conds)
            if by_date_and_name:  # the weeks' entries hold name and arrival (migration 0020)
                ids = sqlite_index(ids, Visit, "ix_visits_date_name")
            newest_first = (Visit.arrived_at.desc(), Visit.id.desc())
            if not conds or (len(conds) == 1 and q.status):
                # The newest page comes straight off an index in arrival order (a few hundred
                # entries); the total is counted apart, on a narrow index.
                total = session.scalar(select(func.count()).select_from(ids.subquery())) or 0
                page = ids.order_by(*newest_first).offset(q.offset).limit(q.limit)
                query = _row_query().where(Visit.id.in_(page.scalar_subquery()))
                found = session.execute(query.order_by(*newest_first)).all() if total else []
            else:
                # Every match is read (and sorted) for the page anyway: count them in the same
                # pass, a window over the matches, instead of reading them twice.
                counted = (
                    ids.add_columns(func.count().over().label("total"))
                    .order_by(*newest_first)
                    .offset(q.offset)
                    .limit(q.limit)
                    .subquery()
                )
                query = _row_query().add_columns(counted.c.total)
                query = query.join(counted, counted.c.id == Visit.id)
                found = session.execute(query.order_by(*newest_first)).all()
                if found:
                    total = found[0].total
                elif q.offset:  # a page past the end: how many there are, then
                    total = session.scalar(select(func.count()).select_from(ids.subquery())) or 0
                else:
                    total = 0
            rows = self._build_rows(session, found, local_today)
            del actor
            return VisitPage(tuple(rows), total, q.offset)

    def match_numbers(self, user: SessionUser, visit_ids: Sequence[int], text: str) -> set[int]:
        """Which of ``visit_ids`` (a list on screen) have this full ID number or phone, or a
        phone ending in these digits (four or more): the list's quick filter finds a number
        typed in full or the phone's last four, while the numbers stay masked on screen."""
        typed = text.strip()
        digits = normalise_phone(typed)
        full_id = len(typed) >= 15
        phone_typed = len(digits) >= 4 and digits.isdigit() and bool(_PHONE_TYPED.fullmatch(typed))
        tail = digits if phone_typed and len(digits) <= 8 else ""  # a phone's last digits
        if not (full_id or phone_typed) or not visit_ids:
            return set()
        found: set[int] = set()
        with self._sessions.begin() as session:
            self._require_case_work(session, user, reading=True)
            cipher = cipher_of(session.get_bind().dialect)
            id_hash = cipher.blind("id", canonical_id(typed)) if full_id else None
            phone_hash = cipher.blind("phone", digits) if phone_typed else None
            conds: list[Any] = []
            if id_hash:
                conds.append(Visit.id_number_hash == id_hash)
            if phone_hash:
                conds.append(Visit.phone_hash == phone_hash)
            if tail:
                # The stored last four narrow it down; a longer ending is checked in clear.
                conds.append(Visit.phone_tail == tail[-4:])
            ids = list(visit_ids)
            for start in range(0, len(ids), 500):  # bounded by the list, never all history
                rows = session.execute(
                    select(Visit.id, Visit.id_number_hash, Visit.phone_hash, Visit.phone).where(
                        Visit.id.in_(ids[start : start + 500]), or_(*conds)
                    )
                )
                for visit_id, number_hash, stored_hash, phone in rows:
                    if (
                        number_hash == id_hash
                        or stored_hash == phone_hash
                        or (tail and phone.endswith(tail))
                    ):
                        found.add(visit_id)
        return found

    def reveal_id_number(self, user: SessionUser, visit_id: int, purpose: str, detail: str) -> str:
        """The full ID number, for a listed purpose and a stated detail; every reveal is audited."""
        chosen, text = check_reveal(purpose, detail, ID_NUMBER_PURPOSES)
        return self._reveal(user, visit_id, chosen, text, "id_number", "id_number_revealed")

    def _reveal(
        self, user: SessionUser, visit_id: int, purpose: str, detail: str, field: str, action: str
    ) -> str:
        """A field of a visit unmasked, with the checked purpose and detail on the audit record."""
        with self._writing() as session:
            actor = self._require_case_work(session, user, reading=True)
            visit = session.get(Visit, visit_id)
            if visit is None:
                raise NotFound("找不到该登记记录。")
            audit.record(
                session,
                at=self._clock.now(),
                officer_id=actor.id,
                action=action,
                entity_type="visit",
                entity_id=visit.serial,
                after=audit_after(purpose, detail),
            )
            return str(getattr(visit, field))

    def colleagues(self, user: SessionUser, include_self: bool = False) -> list[tuple[int, str]]:
        """Active officers who handle matters (not the caller unless asked): (id, label)."""
        with self._sessions.begin() as session:
            actor = self._require_case_work(session, user, reading=True)
            query = select(Officer).where(Officer.active.is_(True)).order_by(Officer.badge_no)
            if not include_self:
                query = query.where(Officer.id != actor.id)
            officers = session.scalars(query)
            return [
                (o.id, f"{o.name}（{Role(o.role).label}，{o.badge_no}）")
                for o in officers
                if allows(Role(o.role), Permission.HANDLE_VISITS)
            ]

    # ---- slips --------------------------------------------------------------------------

    def slip(self, user: SessionUser, visit_id: int, kind: str) -> SlipData:
        """A receipt, guidance slip or refusal notice of a visit, ready to render."""
        with self._sessions.begin() as session:
            self._require_case_work(session, user, reading=True)
            visit = session.get(Visit, visit_id)
            if visit is None:
                raise NotFound("找不到该登记记录。")
            return self._slip(session, visit, kind)

    def slip_by_serial(self, user: SessionUser, serial: str, kind: str) -> tuple[int, SlipData]:
        """For ``stationdesk print``: the visit id and its slip (the same check as ``slip``)."""
        with self._sessions.begin() as session:
            self._require_case_work(session, user, reading=True)
            visit = session.scalars(select(Visit).where(Visit.serial == code_text(serial))).first()
            if visit is None:
                raise NotFound(f"没有编号为 {serial.strip()} 的登记记录。")
            return visit.id, self._slip(session, visit, kind)

    def record_print(
        self, user: SessionUser, visit_id: int, kind: str, copy_no: int, via: str = "gui"
    ) -> None:
        """Log a print that came out (the original, or a 补打 copy) under the officer.

        Called once the printer took the job or the file was written (``via`` "cli": by
        ``stationdesk print``). ``copy_no`` is the number on the paper; if another counter
        logged a print in between, this one is logged as the next copy with a note.
        """
        if kind not in ("receipt", "guidance", "refusal"):
            raise ValidationError("未知的单据类型。", "kind")
        with self._writing() as session:
            officer_id = self._require_case_work(session, user, reading=True).id
            visit = session.get(Visit, visit_id)
            if visit is None:
                raise NotFound("找不到该登记记录。")
            record_paper_print(
                session,
                at=self._clock.now(),
                officer_id=officer_id,
                visit_id=visit.id,
                kind=kind,
                copy_no=copy_no,
                via=via,
                printed="slip_printed",
                reprinted="slip_reprinted",
                entity_type="visit",
                entity_id=visit.serial,
                extra={"kind": kind},
            )

    def _slip(self, session: Session, visit: Visit, kind: str) -> SlipData:
        status = VisitStatus(visit.status)
        allowed = {
            # A receipt is for a matter accepted and not finished on the spot.
            "receipt": visit.accepted_at is not None
            and status
            in (VisitStatus.IN_PROGRESS, VisitStatus.WAITING_MATERIALS, VisitStatus.COMPLETED),
            "guidance": status is VisitStatus.GUIDED,
            "refusal": status is VisitStatus.REFUSED,
        }
        if kind not in allowed:
            raise ValidationError("未知的单据类型。", "kind")
        if not allowed[kind]:
            names = {"receipt": "受理回执", "guidance": "引导单", "refusal": "不予受理告知书"}
            raise ConflictError(f"事项当前为“{status.label}”，不能打印{names[kind]}。")
        station = _station(session)
        tz = ZoneInfo(station.timezone)
        version = session.get(ServiceItemVersion, visit.service_version_id)
        first = session.get(Officer, visit.first_officer_id)
        owner = session.get(Officer, visit.owner_id)
        assert version is not None and first is not None and owner is not None
        id_text = (
            f"{IdType(visit.id_type).label} {mask_id(visit.id_number)}"
            if visit.id_number
            else "（未提供）"
        )
        phone_text = mask_phone(visit.phone) if visit.phone else "（未提供）"
        phones = (
            f"进度查询电话：{station.phone_consult or '（本所未设置）'}；"
            f"本所监督电话：{station.phone_supervision or '（本所未设置）'}；"
            f"公安监督举报电话：{station.phone_12389}；政务服务便民热线：{station.phone_12345}"
        )
        day = visit.local_date.isoformat()
        rows: list[tuple[str, str]]
        paragraphs: list[tuple[str, str]]
        notes: list[str]
        signatures: list[str] = []
        parts: tuple[str, ...] = ()
        not_signing = ""
        # The owner issues each of these slips: accepting, guiding and refusing are theirs.
        officer_text = slip_officers.officer_line(session, owner, visit)
        if kind == "receipt":
            title, copy_label = "受理回执", "（群众留存联）"
            accepted = (
                visit.accepted_at.astimezone(tz).date().isoformat() if visit.accepted_at else day
            )
            due = visit.due_date.isoformat() if visit.due_date else "当场办结"
            rows = [
                ("申请人", visit.citizen_name),
                ("证件", id_text),
                ("联系电话", phone_text),
                ("办理事项", version.name),
                ("受理日期", accepted),
                ("办理时限", time_limit_text(version.time_limit_value, version.time_limit_unit)),
                ("承诺办结日期", f"{due}（补充材料期间不计入）"),
                ("首接责任人", slip_officers.person(first)),
            ]
            if owner.id != first.id:
                rows.append(("当前承办人", slip_officers.person(owner)))
            rows.append(("办理地点", where_to_go(station.address, version.place)))
            paragraphs = [("查询与监督", phones)]
            notes = [
                "请妥善保管本回执，凭编号或二维码查询办理进度、领取结果。",
                "本所实行首问首接责任制：首接责任人对本事项负责到底；如需移交，接手民警将继续为您办理。",
            ]
        elif kind == "guidance":
            title, copy_label = "群众办事引导单", "（群众留存联）"
            rows = [
                ("群众", visit.citizen_name),
                ("来访日期", day),
                ("咨询或办理事项", version.name + (f"：{visit.summary}" if visit.summary else "")),
                ("承办单位", visit.guided_unit),
                ("单位地址", visit.guided_address),
                ("单位电话", visit.guided_phone),
                ("说明", visit.result),
                (f"首接{slip_officers.kind_of(first)}", slip_officers.person(first)),
            ]
            paragraphs = [("监督电话", phones)]
            notes = [
                "该事项不属本所职责。如承办单位推诿或不予办理，可拨打上述电话反映，本所将协助联系。"
            ]
        else:
            title, copy_label = "不予受理告知书", ""
            # Both copies in one print, as the notice: the first print is the original.
            parts = ("（群众联）", "（存根联）")
            rows = [
                ("申请人", visit.citizen_name),
                ("证件", id_text),
                ("申请事项", version.name),
                ("申请日期", day),
                (f"承办{slip_officers.kind_of(owner)}", slip_officers.person(owner)),
            ]
            paragraphs = [*_refusal_paragraphs(visit), ("监督电话", phones)]
            notes = ["本告知书一式两份，申请人与本所各执一份。"]
            # The day of the decision: its transition (the counter's end time is the sitting's).
            decided = session.scalar(
                select(func.max(VisitTransition.at)).where(
                    VisitTransition.visit_id == visit.id,
                    VisitTransition.to_status == VisitStatus.REFUSED.value,
                )
            )
            ended = decided.astimezone(tz).date().isoformat() if decided else day
            not_signing = (
                f"申请人拒绝签收。民警说明：{visit.refusal_unsigned}"
                if visit.refusal_unsigned
                else ""
            )
            rows.append(("决定日期", ended))
            # The station's name, seal and date are the seal area's (``sealed``); the citizen
            # signs for receipt unless they refused (then the officer and a witness sign).
            if not not_signing:
                signatures = ["申请人签收：________________", "签收日期：______年____月____日"]
        return SlipData(
            kind=kind,
            title=title,
            copy_label=copy_label,
            station_name=station.name,
            station_address=station.address,
            number=visit.serial,
            rows=tuple(rows),
            paragraphs=tuple(paragraphs),
            notes=tuple(notes),
            signatures=tuple(signatures),
            qr_payload=visit_qr_payload(visit),
            copy_no=count_prints(session, visit.id, kind) + 1,
            printed_at=self._clock.now().astimezone(tz),
            paper_size=station.paper_size,
            parts=parts,
            station_hours=station.hours,
            officer_line=officer_text,
            citizen_not_signing=not_signing,
            # The receipt and the refusal are the station's written decisions: sealed.
            sealed=kind in ("receipt", "refusal"),
        )

    # ---- internals ----------------------------------------------------------------------

    def _require_case_work(
        self, session: Session, user: SessionUser, reading: bool = False
    ) -> Officer:
        officer = self._officer(session, user)
        role = Role(officer.role)
        if allows(role, Permission.HANDLE_VISITS):
            return officer
        if reading and allows(role, Permission.VIEW_ALL_VISITS):
            return officer
        raise PermissionDenied(f"{role.label}不办理窗口事项。")

    def _owned(
        self,
        session: Session,
        user: SessionUser,
        visit_id: int,
        row_version: int,
        closed_ok: bool = False,
    ) -> tuple[Officer, Visit]:
        actor = self._require_case_work(session, user)
        visit = session.get(Visit, visit_id)
        if visit is None:
            raise NotFound("找不到该登记记录。")
        if visit.owner_id != actor.id:
            owner = session.get(Officer, visit.owner_id)
            raise PermissionDenied(
                f"该事项由{owner.name if owner else '他人'}负责，只有当前负责人可以办理；"
                "如需接手，请对方移交给您。"
            )
        if visit.row_version != row_version:
            raise ConflictError("该事项刚被其他窗口修改过，已为您刷新，请核对后重试。")
        if not closed_ok and not VisitStatus(visit.status).is_open:
            raise ConflictError(f"该事项已{VisitStatus(visit.status).label}，不能再办理。")
        return actor, visit

    def _move(
        self,
        session: Session,
        actor: Officer,
        visit: Visit,
        target: VisitStatus,
        reason: str,
        now: dt.datetime,
    ) -> None:
        move_visit(session, actor, visit, target, reason, now)

    @staticmethod
    def _close(actor: Officer, visit: Visit, now: dt.datetime) -> None:
        stamp_start(actor, visit, now)
        # Without an F7 stamp the counter session ends now, if it is still the same sitting;
        # a matter finished days later has no counter end time (it is not service time).
        started = visit.started_at
        if visit.ended_at is None and started is not None and now - started <= SAME_SITTING:
            visit.ended_at = now

    def _pending_for(self, session: Session, handover_id: int) -> Handover:
        handover = session.get(Handover, handover_id)
        if handover is None:
            raise NotFound("找不到该移交记录。")
        if handover.state != "pending":
            raise ConflictError("该移交已处理过。")
        return handover

    def _decide(
        self, session: Session, actor: Officer, handover: Handover, state: str, reason: str
    ) -> HandoverRow:
        now = self._clock.now()
        handover.state, handover.decided_at, handover.decline_reason = state, now, reason
        visit = session.get(Visit, handover.visit_id)
        assert visit is not None
        visit.row_version += 1
        audit.record(
            session,
            at=now,
            officer_id=actor.id,
            action=f"handover_{state}",
            entity_type="visit",
            entity_id=visit.serial,
            after={"handover": handover.id, "reason": reason},
        )
        session.flush()
        row = session.execute(_handover_query().where(Handover.id == handover.id)).one()
        return _handover_row(row)

    def _rows(self, session: Session, query: Any, today: dt.date) -> list[VisitRow]:
        return self._build_rows(session, session.execute(query).all(), today)

    def _build_rows(self, session: Session, found: Sequence[Any], today: dt.date) -> list[VisitRow]:
        """List rows from ``_row_query`` result rows (extra columns after its own are ignored)."""
        if not found:
            return []
        soon = self._due_soon(session, today)
        open_ids = [r.id for r in found if VisitStatus(r.status).is_open]
        late = late_supplements(session, open_ids, today)
        return [_visit_row(r, soon, today, late) for r in found]

    def _due_soon(self, session: Session, today: dt.date) -> dt.date:
        """The due-soon limit of ``today``, computed once until the holiday table changes.

        Every list needs it; loading the calendar costs two statements. An edit through any
        session of this process invalidates it at once, another counter's within minutes.
        """
        key = (today, _calendar_edits)
        cached = self._soon_cache
        now = time.monotonic()
        if cached is not None and cached[0] == key and now - cached[1] < CALENDAR_REUSE_SECONDS:
            return cached[2]
        soon = due_soon_limit(load_calendar(session), today)
        self._soon_cache = (key, now, soon)
        return soon

    def detail_in(self, session: Session, visit: Visit) -> VisitDetail:
        """A visit's detail inside the caller's transaction (after ``register_in``)."""
        return self._detail(session, visit)

    def _detail(self, session: Session, visit: Visit) -> VisitDetail:
        session.flush()
        tz = ZoneInfo(_station(session).timezone)
        today = self._clock.now().astimezone(tz).date()
        soon = self._due_soon(session, today)
        row = _visit_row(
            session.execute(_row_query().where(Visit.id == visit.id)).one(), soon, today
        )
        version = session.get(ServiceItemVersion, visit.service_version_id)
        assert version is not None
        item = session.get(ServiceItem, version.item_id)
        assert item is not None
        first = session.get(Officer, visit.first_officer_id)
        owner = session.get(Officer, visit.owner_id)
        assert first is not None and owner is not None
        names = {i: n for i, n in session.execute(select(Officer.id, Officer.name))}
        transitions = tuple(
            TransitionRow(
                at=t.at,
                officer_name=names.get(t.officer_id, ""),
                from_status=VisitStatus(t.from_status) if t.from_status else None,
                to_status=VisitStatus(t.to_status),
                reason=t.reason,
            )
            for t in session.scalars(
                select(VisitTransition)
                .where(VisitTransition.visit_id == visit.id)
                .order_by(VisitTransition.at, VisitTransition.id)
            )
        )
        handovers = tuple(
            _handover_row(r)
            for r in session.execute(
                _handover_query().where(Handover.visit_id == visit.id).order_by(Handover.created_at)
            )
        )
        warning = ""
        if visit.due_assumed and visit.due_date is not None:
            warning = (
                f"{visit.due_date.year}年的节假日安排尚未录入完整，期限按周一至周五估算，"
                "请在“节假日设置”中补录并确认。"
            )
        return VisitDetail(
            row=row,
            id_type=IdType(visit.id_type),
            channel=Channel(visit.channel),
            summary=visit.summary,
            in_scope=visit.in_scope,
            service_item_id=item.id,
            service_version_id=version.id,
            service_code=item.code,
            time_limit_text=time_limit_text(version.time_limit_value, version.time_limit_unit),
            time_limit_unit=version.time_limit_unit,
            started_at=visit.started_at,
            ended_at=visit.ended_at,
            times_by_hand=tuple(
                which
                for which in ("arrived", "started", "ended")
                if getattr(visit, f"{which}_by_hand")
            ),
            accepted_at=visit.accepted_at,
            paused=visit.paused_at is not None,
            remaining_days=visit.remaining_days,
            due_warning=warning,
            result=visit.result,
            guided_unit=visit.guided_unit,
            guided_address=visit.guided_address,
            guided_phone=visit.guided_phone,
            refusal_reason=visit.refusal_reason,
            refusal_redress=visit.refusal_redress,
            refusal_lines=(
                tuple(_refusal_paragraphs(visit)) if visit.status == VisitStatus.REFUSED else ()
            ),
            refusal_unsigned=visit.refusal_unsigned or "",
            void_reason=visit.void_reason,
            first_officer_badge=first.badge_no,
            owner_badge=owner.badge_no,
            transitions=transitions,
            handovers=handovers,
        )


# ---- module helpers ---------------------------------------------------------------------


def _change_owner(
    session: Session,
    actor: Officer,
    visit: Visit,
    owner_id: int,
    reason: str,
    action: str,
    extra: dict[str, Any],
    now: dt.datetime,
) -> None:
    """A new owner: kept in the history (status unchanged) and in the audit chain."""
    previous = visit.owner_id
    visit.owner_id = owner_id
    visit.row_version += 1
    session.add(
        VisitTransition(
            visit_id=visit.id,
            at=now,
            officer_id=actor.id,
            from_status=visit.status,
            to_status=visit.status,
            reason=reason,
        )
    )
    audit.record(
        session,
        at=now,
        officer_id=actor.id,
        action=action,
        entity_type="visit",
        entity_id=visit.serial,
        before={"owner": previous},
        after={"owner": owner_id, **extra},
    )


def open_notice(session: Session, visit_id: int) -> Notice | None:
    """The visit's one-time notice or pledge still waiting for materials."""
    return session.scalars(
        select(Notice).where(Notice.visit_id == visit_id, Notice.state == "open")
    ).first()


def _settle_open_notice(
    session: Session, actor: Officer, visit: Visit, target: VisitStatus, now: dt.datetime
) -> None:
    """A matter cannot finish with materials still owed; ending it otherwise voids the notice."""
    notice = open_notice(session, visit.id)
    if notice is None:
        return
    if target is VisitStatus.COMPLETED:
        title = "承诺书" if notice.kind == "pledge" else "告知单"
        raise ConflictError(f"{title} {notice.number} 所列材料尚未补齐，不能办结。")
    notice.state, notice.voided_at = "voided", now
    notice.void_reason = f"事项{target.label}，告知单随之作废"
    notice.row_version += 1
    audit.record(
        session,
        at=now,
        officer_id=actor.id,
        action="notice_voided",
        entity_type="notice",
        entity_id=notice.number,
        after={"reason": notice.void_reason},
    )


def accept_visit(session: Session, actor: Officer, visit: Visit, now: dt.datetime) -> None:
    """受理 inside the caller's transaction: due date from the catalogue version, clock starts."""
    if visit.status != VisitStatus.REGISTERED.value:
        raise ConflictError(f"该事项已{VisitStatus(visit.status).label}，不能重复受理。")
    if not visit.in_scope:
        raise ConflictError("该事项不属本所职责，请按引导办理，不能受理。")
    version = session.get(ServiceItemVersion, visit.service_version_id)
    assert version is not None
    tz = ZoneInfo(_station(session).timezone)
    due = _due(
        load_calendar(session),
        now.astimezone(tz).date(),
        version.time_limit_value,
        version.time_limit_unit,
    )
    visit.accepted_at = now
    visit.due_date = due.due
    visit.due_assumed = bool(due.assumed_years)
    stamp_start(actor, visit, now)
    move_visit(session, actor, visit, VisitStatus.IN_PROGRESS, "受理", now)


def move_visit(
    session: Session,
    actor: Officer,
    visit: Visit,
    target: VisitStatus,
    reason: str,
    now: dt.datetime,
) -> None:
    """Apply a status change the rules allow, with its history row and audit event."""
    source = VisitStatus(visit.status)
    if not can_move(source, target):
        raise ConflictError(f"事项当前为“{source.label}”，不能改为“{target.label}”。")
    if target is not VisitStatus.VOIDED:
        stamp_start(actor, visit, now)
    if not target.is_open:
        _settle_open_notice(session, actor, visit, target, now)
        pending = _pending(session, visit.id)
        if pending is not None:
            pending.state, pending.decided_at = "cancelled", now
            pending.decline_reason = f"事项已{target.label}，移交自动撤回"
            audit.record(
                session,
                at=now,
                officer_id=actor.id,
                action="handover_cancelled",
                entity_type="visit",
                entity_id=visit.serial,
                after={"handover": pending.id, "reason": pending.decline_reason},
            )
    visit.status = target.value
    visit.row_version += 1
    session.add(
        VisitTransition(
            visit_id=visit.id,
            at=now,
            officer_id=actor.id,
            from_status=source.value,
            to_status=target.value,
            # The history keeps the step's label; a longer text (a refusal's grounds) is the
            # visit's own and whole there.
            reason=reason
            if len(reason) <= TRANSITION_REASON_MAX
            else reason[: TRANSITION_REASON_MAX - 1] + "…",
        )
    )
    audit.record(
        session,
        at=now,
        officer_id=actor.id,
        action=f"visit_{target.value}",
        entity_type="visit",
        entity_id=visit.serial,
        before={"status": source.value},
        after={
            "status": target.value,
            "reason": reason,
            "due_date": visit.due_date.isoformat() if visit.due_date else None,
        },
    )
    session.flush()


def _reuse_source(session: Session, source_id: int, number: str, phone: str) -> Visit:
    """The earlier visit a blank name or phone is taken from (the returning citizen's).

    Only a visit of the same document number (or, without one, the same phone), so a visit
    id cannot be used to fetch someone else's data.
    """
    source = session.get(Visit, source_id)
    same = source is not None and (
        source.id_number == number
        if number
        else bool(source.phone) and source.phone == normalise_phone(phone)
    )
    if source is None or not same:
        raise ValidationError(
            "上次登记与本次证件号码（或电话）不一致，请直接填写姓名和电话。", "citizen_name"
        )
    return source


def _citizen_name(id_type: IdType, typed: str, source: Visit | None) -> str:
    """The name typed, checked for the document; left empty, the returning citizen's."""
    if source is not None and typed == "":
        return source.citizen_name
    if source is not None and not typed.strip():
        raise ValidationError(
            "姓名只有空格。要沿用上次登记的姓名，请把此栏清空；否则请填写群众姓名。",
            "citizen_name",
        )
    return check_citizen_name(id_type, typed)


def _citizen_phone(typed: str, source: Visit | None, channel: Channel) -> str:
    """The phone typed, checked; left empty, the returning citizen's."""
    if source is not None and typed == "":
        return source.phone
    if source is not None and typed and not typed.strip():
        raise ValidationError(
            "联系电话只有空格。要沿用上次登记的电话，请把此栏清空；否则请填写电话号码。",
            "phone",
        )
    return check_phone(typed, required=channel is Channel.PHONE)


def _same_name(one: str, other: str) -> bool:
    """The same name but for case, spacing, compatibility forms and variation selectors."""

    def key(name: str) -> str:
        plain = "".join(c for c in name if not _is_variation_selector(c))
        return " ".join(unicodedata.normalize("NFC", plain).split()).casefold()

    return key(one) == key(other)


def _is_variation_selector(char: str) -> bool:
    return "\ufe00" <= char <= "\ufe0f" or "\U000e0100" <= char <= "\U000e01ef"


def _confirm_name(
    session: Session, number: str, name: str, choice: NameChoice
) -> tuple[str, dict[str, str]]:
    """The name to register and, when the ID number's last registration had another, the
    officer's answer for the audit event. Without an answer, NameDiffers asks for one.

    The last registration is found through the keyed hash of the number (its index), never
    by decrypting numbers.
    """
    if not number:
        return name, {}
    cipher = cipher_of(session.get_bind().dialect)
    last = session.execute(
        select(Visit.serial, Visit.citizen_name, Visit.local_date)
        .where(
            Visit.id_number_hash == cipher.blind("id", number),
            Visit.status != VisitStatus.VOIDED.value,
        )
        .order_by(Visit.arrived_at.desc(), Visit.id.desc())
        .limit(1)
    ).first()
    if last is None or _same_name(last.citizen_name, name):
        return name, {}
    if choice is NameChoice.NONE:
        masked = mask_name(last.citizen_name)
        raise NameDiffers(
            f"此证件号码上次（{last.local_date.isoformat()}）登记的姓名是“{masked}”，"
            f"与本次填写的“{name}”不同。请向群众核对：以本次为准，还是改回上次的姓名？",
            typed=name,
            previous_masked=masked,
            previous_date=last.local_date.isoformat(),
        )
    note = {
        "last_visit": last.serial,
        "last_name": mask_name(last.citizen_name),
        "typed_name": name,
        "choice": choice.value,
        "choice_label": choice.label,
    }
    return (last.citizen_name if choice is NameChoice.PREVIOUS else name), note


def stamp_start(actor: Officer, visit: Visit, now: dt.datetime) -> None:
    """The first step on a matter starts its service time, unless F6 already stamped it.

    The officer who registered the citizen and acts in the same sitting has been serving
    them since the form opened (its arrival stamp), so an on-the-spot answer or completion
    has a real service time. Anyone else, or the same officer on a later occasion, starts
    now: the time since arrival is the citizen's wait.
    """
    if visit.started_at is not None:
        return
    same_sitting = (
        actor.id == visit.first_officer_id
        and visit.arrived_at <= now
        and now - visit.arrived_at <= SAME_SITTING_START
    )
    visit.started_at = visit.arrived_at if same_sitting else now


def _station(session: Session) -> Station:
    station = session.get(Station, 1)
    if station is None:
        raise NotFound("本数据库尚未初始化，请先完成首次设置。")
    return station


def _current_version(session: Session, item: ServiceItem) -> ServiceItemVersion:
    return session.scalars(
        select(ServiceItemVersion).where(
            ServiceItemVersion.item_id == item.id,
            ServiceItemVersion.version_no == item.current_version_no,
        )
    ).one()


def _due(calendar: WorkingDayCalendar, start: dt.date, days: int, unit: str) -> Any:
    if unit == "working_days":
        return calendar.add_working_days(start, days)
    if unit == "calendar_days":
        return calendar.add_calendar_days(start, days)
    return calendar.add_calendar_days(start, 0)


def pause_clock(session: Session, visit: Visit, now: dt.datetime) -> None:
    """Stop the deadline clock, keeping the days left (shown while paused)."""
    if visit.due_date is not None:
        version = session.get(ServiceItemVersion, visit.service_version_id)
        assert version is not None
        today = now.astimezone(ZoneInfo(_station(session).timezone)).date()
        visit.remaining_days = _days_left(
            load_calendar(session), today, visit.due_date, version.time_limit_unit
        )
    visit.paused_at = now


def resume_clock(session: Session, visit: Visit, now: dt.datetime) -> None:
    """Run the clock again: the due date moves by the working (or calendar) days paused."""
    if visit.due_date is not None and visit.paused_at is not None:
        version = session.get(ServiceItemVersion, visit.service_version_id)
        assert version is not None
        tz = ZoneInfo(_station(session).timezone)
        calendar = load_calendar(session)
        paused_on = visit.paused_at.astimezone(tz).date()
        today = now.astimezone(tz).date()
        if version.time_limit_unit == "working_days":
            shift = calendar.working_days_between(paused_on, today)
            due = calendar.add_working_days(visit.due_date, shift)
        else:
            due = calendar.add_calendar_days(visit.due_date, (today - paused_on).days)
        visit.due_date = due.due
        visit.due_assumed = visit.due_assumed or bool(due.assumed_years)
    visit.paused_at = None
    visit.remaining_days = None


def _days_left(calendar: WorkingDayCalendar, today: dt.date, due: dt.date, unit: str) -> int:
    if due <= today:
        return 0
    if unit == "working_days":
        return calendar.working_days_between(today, due)
    return (due - today).days


def _pending(session: Session, visit_id: int) -> Handover | None:
    return session.scalars(
        select(Handover).where(Handover.visit_id == visit_id, Handover.state == "pending")
    ).first()


def _required(value: str, field: str, label: str, max_len: int, missing: str) -> str:
    """A required text whose absence is explained by ``missing`` (what to write, an example)."""
    text = clean_text(value, field=field, label=label, max_len=max_len, required=False)
    if not text:
        raise ValidationError(missing, field)
    return text


def where_to_go(address: str, place: str) -> str:
    """Where the citizen goes: the station's address and the window, never the window alone."""
    if not address:
        return place
    return f"{address}，本所{place}" if place else address


def _refusal_paragraphs(visit: Visit) -> list[tuple[str, str]]:
    """A refused visit's reason, basis and redress (``app.visits.refusal.refusal_paragraphs``)."""
    return refusal_paragraphs(
        visit.refusal_reason,
        visit.refusal_basis or "",
        visit.refusal_review_body or "",
        visit.refusal_court or "",
        visit.refusal_redress,
    )


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


# Another counter's holiday edits reach this process's due-soon colouring within this time.
CALENDAR_REUSE_SECONDS = 300.0
_calendar_edits = 0


@event.listens_for(Session, "after_flush")
def _watch_calendar_edits(session: Session, _context: Any) -> None:
    """Count flushes that change the holiday table, so cached due-soon limits are renewed."""
    global _calendar_edits
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(o, (HolidayOverride, CalendarYear)) for o in changed):
        _calendar_edits += 1


# A surname alone matches up to a tenth of all visits of all years: for a range of about a month
# (the search page's default) the date range is the narrower way in, for longer ones the name.
SURNAME_BY_DATE_SPAN = dt.timedelta(days=31)


def _date_range_first(name: str, date_from: dt.date | None, date_to: dt.date | None) -> bool:
    """Whether a name search reads its date range first (``ix_visits_date_name``).

    The name is then checked in that index, instead of reading every visit of that name
    prefix in all of history (``ix_visits_name_date``).
    """
    if len(name) > 1 or date_from is None or date_to is None:
        return False
    return date_to - date_from <= SURNAME_BY_DATE_SPAN


# What a phone (or its last digits) looks like when typed: digits, spaces, dashes, +86.
_PHONE_TYPED = re.compile(r"[\d\s\-+()]+")


@functools.cache  # statements are immutable: build the joins once, not on every call
def _row_query() -> Any:
    """The columns a list row needs, in the order ``_visit_row`` unpacks them (not entities)."""
    return (
        select(
            Visit.id,
            Visit.serial,
            Visit.local_date,
            Visit.arrived_at,
            Visit.started_at,
            Visit.ended_at,
            Visit.started_by_hand,
            Visit.citizen_name,
            Visit.id_number,
            Visit.phone,
            Visit.status,
            Visit.owner_id,
            Visit.due_date,
            Visit.row_version,
            ServiceItemVersion.name.label("service_name"),
            Owner.name.label("owner_name"),
            First.name.label("first_name"),
            Receiver.name.label("receiver_name"),
        )
        .join(ServiceItemVersion, ServiceItemVersion.id == Visit.service_version_id)
        .join(Owner, Owner.id == Visit.owner_id)
        .join(First, First.id == Visit.first_officer_id)
        .outerjoin(
            PendingHandover,
            and_(PendingHandover.visit_id == Visit.id, PendingHandover.state == "pending"),
        )
        .outerjoin(Receiver, Receiver.id == PendingHandover.to_officer_id)
    )


# More ids than this are cheaper to match in Python against the few open notices past their
# deadline than to bind one by one (and stay far below SQLite's cap on bound variables).
_LATE_BY_ID = 50


def late_supplements(session: Session, visit_ids: Sequence[int], today: dt.date) -> set[int]:
    """Which of these (open) visits have an open notice or pledge past its supplement deadline.

    Bounded by the visits asked about: a few dozen by their ids, else the open notices past
    their deadline (``ix_notices_state_deadline``: the backlog), never every notice ever.
    """
    if not visit_ids:
        return set()
    query = select(Notice.visit_id).where(
        Notice.state == "open", Notice.supplement_deadline < today
    )
    if len(visit_ids) <= _LATE_BY_ID:
        return set(session.scalars(query.where(Notice.visit_id.in_(visit_ids))))
    return set(session.scalars(query)) & set(visit_ids)


SAME_SITTING = dt.timedelta(hours=12)
# The registering officer's first step this soon after arrival continues the same sitting.
SAME_SITTING_START = dt.timedelta(hours=2)


def _minutes(start: dt.datetime | None, end: dt.datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return max(0, int((end - start).total_seconds() // 60))


def due_soon_limit(calendar: WorkingDayCalendar, today: dt.date) -> dt.date:
    """The last date that still counts as due soon (two working days from today)."""
    return calendar.add_working_days(today, DUE_SOON_WORKING_DAYS).due


def _visit_row(r: Any, soon: dt.date, today: dt.date, late: set[int] | None = None) -> VisitRow:
    """A list row from a ``_row_query`` result row (unpacked once: lists are long)."""
    (
        visit_id, serial, local_date, arrived_at, started_at, ended_at, started_by_hand,
        citizen_name, id_number, phone, status_value, owner_id, due_date, row_version,
        service_name, owner_name, first_name, receiver_name, *_extra,
    ) = r  # fmt: skip
    status = VisitStatus(status_value)
    state = ""
    past_due = status is VisitStatus.IN_PROGRESS and due_date and due_date < today
    if late and visit_id in late and status.is_open and not past_due:
        # A notice's or pledge's supplement deadline has passed: the owner must follow up.
        state = "supplement_overdue"
    elif status is VisitStatus.WAITING_MATERIALS:
        state = "paused"
    elif status is VisitStatus.REGISTERED and local_date < today:
        state = "unaccepted"
    elif status is VisitStatus.IN_PROGRESS and due_date:
        if due_date < today:
            state = "overdue"
        elif due_date <= soon:
            state = "due_soon"
    return VisitRow(
        id=visit_id,
        serial=serial,
        local_date=local_date,
        arrived_at=arrived_at,
        citizen_name=citizen_name,
        id_masked=mask_id(id_number) if id_number else "",
        phone_masked=mask_phone(phone) if phone else "",
        service_name=service_name,
        status=status,
        owner_id=owner_id,
        owner_name=owner_name,
        first_officer_name=first_name,
        due_date=due_date,
        due_state=state,
        pending_handover_to=receiver_name or "",
        waiting_minutes=_waiting(arrived_at, started_at, started_by_hand),
        service_minutes=_minutes(started_at, ended_at),
        row_version=row_version,
    )


def waiting_minutes(visit: Visit) -> int | None:
    """The citizen's wait, when it was measured.

    A start stamped automatically at the arrival itself (the registering officer served
    the citizen from the moment the form opened) measures no wait at all: it is unknown,
    not zero, unless the officer stamped the start by hand (F6).
    """
    return _waiting(visit.arrived_at, visit.started_at, visit.started_by_hand)


def _waiting(arrived: dt.datetime, started: dt.datetime | None, by_hand: bool) -> int | None:
    if started == arrived and not by_hand:
        return None
    return _minutes(arrived, started)


FromOfficer = aliased(Officer, name="from_officer")
ToOfficer = aliased(Officer, name="to_officer")


def _handover_query() -> Any:
    return (
        select(
            Handover,
            Visit.serial,
            Visit.citizen_name,
            ServiceItemVersion.name,
            FromOfficer.name,
            ToOfficer.name,
        )
        .join(Visit, Visit.id == Handover.visit_id)
        .join(ServiceItemVersion, ServiceItemVersion.id == Visit.service_version_id)
        .join(FromOfficer, FromOfficer.id == Handover.from_officer_id)
        .join(ToOfficer, ToOfficer.id == Handover.to_officer_id)
    )


def _handover_row(r: Sequence[Any]) -> HandoverRow:
    h, serial, citizen, service, from_name, to_name = r
    return HandoverRow(
        id=h.id,
        visit_id=h.visit_id,
        serial=serial,
        citizen_name=citizen,
        service_name=service,
        from_officer_id=h.from_officer_id,
        from_name=from_name,
        to_officer_id=h.to_officer_id,
        to_name=to_name,
        reason=h.reason,
        state=h.state,
        created_at=h.created_at,
        decided_at=h.decided_at,
        decline_reason=h.decline_reason,
    )
