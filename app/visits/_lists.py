"""Looking matters up: one by id or number, the day's register, the open matters and pending
handovers, the search page, the list's quick number filter, an ID number revealed, colleagues."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.core.dto import SessionUser
from app.core.errors import NotFound, PermissionDenied, ValidationError
from app.core.identity import canonical_id, normalise_phone
from app.core.pinyin import is_spelling
from app.core.reveal_purposes import ID_NUMBER_PURPOSES, check_reveal
from app.core.roles import Permission, Role, allows
from app.core.service_base import load_station
from app.core.validation import code_text
from app.printing.qr_codes import parse_scan, visit_id_of_scan
from app.visits._base import VisitBase
from app.visits._rows import handover_query, handover_row, row_query
from app.visits.dto import HandoverRow, VisitDetail, VisitPage, VisitQuery, VisitRow
from app.visits.name_search import spelled_names
from app.visits.queries import handled_by, held_by, is_open
from app.visits.rules import VisitStatus
from db.models import DayReview, Handover, Officer, ServiceItemVersion, Visit
from db.queries import sqlite_index, unindexed
from db.sealed import cipher_of

_FULL_SERIAL = re.compile(r"^[A-Z0-9]{2,12}-\d{4}-\d{6}$")


class Lists(VisitBase):
    """What the counter looks up: a matter, the day's register, open matters, the search."""

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
            tz = ZoneInfo(load_station(session).timezone)
            local_today = self._clock.now().astimezone(tz).date()
            del actor  # the day's register is shared by the station's counters
            query = row_query().where(Visit.local_date == (day or local_today))
            return self._rows(session, query.order_by(Visit.arrived_at.desc()), local_today)

    def day_lock_notice(self, user: SessionUser) -> str:
        """What the counter should know once today's ledger is reviewed ("" while it is not):
        who locked it, what can no longer change, and that the counter's work goes on."""
        with self._sessions.begin() as session:
            self._require_case_work(session, user, reading=True)
            tz = ZoneInfo(load_station(session).timezone)
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
            tz = ZoneInfo(load_station(session).timezone)
            local_today = self._clock.now().astimezone(tz).date()
            query = row_query().where(held_by(actor.id) if not everyone else is_open())
            query = query.order_by(Visit.due_date.is_(None), Visit.due_date, Visit.arrived_at)
            return self._rows(session, query, local_today)

    def handovers(self, user: SessionUser, everyone: bool = False) -> list[HandoverRow]:
        """Pending handovers to or from the officer (the chief: all of the station's)."""
        with self._sessions.begin() as session:
            actor = self._require_case_work(session, user, reading=True)
            if everyone and not allows(Role(actor.role), Permission.VIEW_ALL_VISITS):
                raise PermissionDenied("只有所长、副所长可以查看全所移交。")
            query = handover_query().where(Handover.state == "pending")
            if not everyone:
                query = query.where(
                    or_(Handover.to_officer_id == actor.id, Handover.from_officer_id == actor.id)
                )
            return [handover_row(r) for r in session.execute(query.order_by(Handover.created_at))]

    # ---- the search page ----------------------------------------------------------------

    def search(self, user: SessionUser, q: VisitQuery) -> VisitPage:
        """Filter by number, name, ID, phone, dates, officer, matter, status; one page at a time."""
        if q.limit < 1 or q.limit > 1000 or q.offset < 0:
            raise ValidationError("分页参数不正确。", "limit")
        if q.date_from and q.date_to and q.date_to < q.date_from:
            raise ValidationError("结束日期不能早于开始日期。", "date_to")
        with self._sessions.begin() as session:
            actor = self._require_case_work(session, user, reading=True)
            tz = ZoneInfo(load_station(session).timezone)
            local_today = self._clock.now().astimezone(tz).date()
            conds, by_date_and_name = _search_conditions(session, q)
            ids = _matching_ids(q, conds, by_date_and_name)
            if not conds or (len(conds) == 1 and q.status):
                found, total = _newest_page(session, q, ids)
            else:
                found, total = _counted_page(session, q, ids)
            rows = self._build_rows(session, found, local_today)
            del actor
            return VisitPage(tuple(rows), total, q.offset)

    # ---- numbers on a list, revealed numbers, colleagues --------------------------------

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


# ---- the steps of a search -----------------------------------------------------------------


def _search_conditions(session: Session, q: VisitQuery) -> tuple[list[Any], bool]:
    """The search's filters as conditions on the visits, in the form's order, and whether a
    name search reads its date range first (``_date_range_first``)."""
    conds = _serial_conditions(session, q.serial)
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
    return conds, by_date_and_name


def _serial_conditions(session: Session, typed: str) -> list[Any]:
    """The number typed or scanned: an exact match when whole, else a part of it."""
    serial = code_text(typed)
    scanned = parse_scan(serial, "serial")
    if scanned is not None:
        # A scanned receipt or notice finds its visit only if its checksum matches.
        return [Visit.id == visit_id_of_scan(session, scanned, "serial")]
    if serial and _FULL_SERIAL.match(serial):
        return [Visit.serial == serial]  # the index answers at once
    if serial:
        return [Visit.serial.contains(serial, autoescape=True)]
    return []


def _matching_ids(q: VisitQuery, conds: list[Any], by_date_and_name: bool) -> Any:
    """The ids of the matching visits, from the visits alone (an index walk for most filters).

    The page's ids come first, then the joins for those rows only: skipped rows of a deep
    page cost no joins.
    """
    ids = select(Visit.id)
    if q.service_item_id:
        ids = ids.join(ServiceItemVersion, ServiceItemVersion.id == Visit.service_version_id)
    ids = ids.where(*conds)
    if by_date_and_name:  # the weeks' entries hold name and arrival (migration 0020)
        ids = sqlite_index(ids, Visit, "ix_visits_date_name")
    return ids


def _newest_page(session: Session, q: VisitQuery, ids: Any) -> tuple[Sequence[Any], int]:
    """An unfiltered (or status-only) page and the total.

    The newest page comes straight off an index in arrival order (a few hundred entries);
    the total is counted apart, on a narrow index.
    """
    newest_first = (Visit.arrived_at.desc(), Visit.id.desc())
    total = session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    page = ids.order_by(*newest_first).offset(q.offset).limit(q.limit)
    query = row_query().where(Visit.id.in_(page.scalar_subquery()))
    found = session.execute(query.order_by(*newest_first)).all() if total else []
    return found, total


def _counted_page(session: Session, q: VisitQuery, ids: Any) -> tuple[Sequence[Any], int]:
    """A filtered page and the total.

    Every match is read (and sorted) for the page anyway: count them in the same pass, a
    window over the matches, instead of reading them twice.
    """
    newest_first = (Visit.arrived_at.desc(), Visit.id.desc())
    counted = (
        ids.add_columns(func.count().over().label("total"))
        .order_by(*newest_first)
        .offset(q.offset)
        .limit(q.limit)
        .subquery()
    )
    query = row_query().add_columns(counted.c.total)
    query = query.join(counted, counted.c.id == Visit.id)
    found = session.execute(query.order_by(*newest_first)).all()
    if found:
        total = found[0].total
    elif q.offset:  # a page past the end: how many there are, then
        total = session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    else:
        total = 0
    return found, total


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
