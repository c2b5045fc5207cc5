"""Registering a walk-in (登记) and finding a returning citizen's last visit."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core import audit, text_limits
from app.core.dto import SessionUser
from app.core.errors import NameDiffers, ValidationError
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
from app.core.reveal_purposes import VISIT_PHONE_PURPOSES, check_reveal
from app.core.service_base import load_station
from app.core.validation import Collector, clean_text
from app.visits._base import VisitBase
from app.visits.dto import CitizenHint, NameChoice, NewVisit, VisitDetail
from app.visits.rules import Channel, VisitStatus
from db.models import (
    Counter,
    Officer,
    ServiceItem,
    ServiceItemVersion,
    Station,
    Visit,
    VisitTransition,
)
from db.sealed import cipher_of


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


@dataclass(frozen=True)
class _Form:
    """A registration form with every field checked: what the new visit is made of."""

    channel: Channel
    id_type: IdType
    number: str
    name: str
    phone: str
    item: ServiceItem
    summary: str
    arrived: dt.datetime
    arrived_by_hand: bool
    in_scope: bool


class Registration(VisitBase):
    """登记: a walk-in registered, and the citizen's last visit found to fill the form."""

    def register(self, user: SessionUser, new: NewVisit) -> VisitDetail:
        """Register a walk-in; the registering officer becomes first-contact officer for good."""
        with self._writing() as session:
            visit = self.register_in(session, user, new)
            return self._detail(session, visit)

    def register_in(self, session: Session, user: SessionUser, new: NewVisit) -> Visit:
        """``register`` inside the caller's transaction (a booking registered as it arrives)."""
        channel, id_type, choice = _choices(new)
        actor = self._require_case_work(session, user)
        station = load_station(session)
        tz = ZoneInfo(station.timezone)
        now = self._clock.now()
        form = _checked_form(session, new, channel, id_type, now, now.astimezone(tz).date())
        name, name_check = _confirm_name(session, form.number, form.name, choice)
        version = _current_version(session, form.item)
        visit = _new_visit(session, actor, station, form, name, version, now)
        _record_registration(session, actor, visit, form, version, name_check, now)
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


# ---- the steps of a registration -----------------------------------------------------------


def _choices(new: NewVisit) -> tuple[Channel, IdType, NameChoice]:
    """The form's channel, document type and name choice; and an arrival time with its zone."""
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
    return channel, id_type, choice


def _checked_form(
    session: Session,
    new: NewVisit,
    channel: Channel,
    id_type: IdType,
    now: dt.datetime,
    today: dt.date,
) -> _Form:
    """Every field of the form checked, or every wrong one named (``Collector``)."""
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
    return _Form(
        channel=channel,
        id_type=id_type,
        number=number,
        name=name,
        phone=phone,
        item=item,
        summary=summary,
        arrived=arrived,
        arrived_by_hand=bool(new.arrived_by_hand),
        in_scope=bool(new.in_scope),
    )


def _new_visit(
    session: Session,
    actor: Officer,
    station: Station,
    form: _Form,
    name: str,
    version: ServiceItemVersion,
    now: dt.datetime,
) -> Visit:
    """The visit under its new number, with its first history row (登记)."""
    tz = ZoneInfo(station.timezone)
    year = form.arrived.astimezone(tz).year
    seq = next_number(session, "visit", year)
    visit = Visit(
        serial=serial_for(station.code, year, seq),
        year=year,
        seq=seq,
        arrived_at=form.arrived,
        started_at=None,
        ended_at=None,
        arrived_by_hand=form.arrived_by_hand,
        local_date=form.arrived.astimezone(tz).date(),
        citizen_name=name,
        id_type=form.id_type.value,
        id_number=form.number,
        phone=form.phone,
        service_version_id=version.id,
        channel=form.channel.value,
        summary=form.summary,
        in_scope=form.in_scope,
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
    return visit


def _record_registration(
    session: Session,
    actor: Officer,
    visit: Visit,
    form: _Form,
    version: ServiceItemVersion,
    name_check: dict[str, str],
    now: dt.datetime,
) -> None:
    """The registration's audit event (with the officer's answer to a differing name)."""
    audit.record(
        session,
        at=now,
        officer_id=actor.id,
        action="visit_registered",
        entity_type="visit",
        entity_id=visit.serial,
        after={
            "serial": visit.serial,
            "citizen": visit.citizen_name,
            "id": mask_id(form.number) if form.number else "",
            "service_version": version.id,
            "channel": form.channel.value,
            "in_scope": visit.in_scope,
        }
        | ({"name_check": name_check} if name_check else {}),
    )


def _current_version(session: Session, item: ServiceItem) -> ServiceItemVersion:
    return session.scalars(
        select(ServiceItemVersion).where(
            ServiceItemVersion.item_id == item.id,
            ServiceItemVersion.version_no == item.current_version_no,
        )
    ).one()


# ---- the citizen's name and phone ----------------------------------------------------------


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
