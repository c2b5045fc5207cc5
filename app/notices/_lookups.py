"""Finding notices: by number or scanned code, a matter's notices, the register of a period
and the one-visit completion rates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, defer

from app.core.dto import SessionUser
from app.core.errors import NotFound, ValidationError
from app.core.validation import code_text
from app.notices._base import NoticeBase, _shown_state
from app.notices.dto import CompletionRow, NoticeDetail, NoticeRow
from app.printing.qr_codes import check_notice_scan, parse_scan, visit_id_of_scan
from db.models import Notice, NoticeBreach, NoticeItem, Officer, ServiceItemVersion, Visit


class Lookups(NoticeBase):
    """One notice, a matter's notices, the register and its completion rates."""

    # ---- one notice -------------------------------------------------------------------

    def find(self, user: SessionUser, text: str) -> NoticeDetail:
        """A notice by its number or a scanned QR code (SD|number|checksum, checked)."""
        scanned = parse_scan(text, "number")
        number = scanned.number if scanned is not None else code_text(text)
        if not number:
            raise ValidationError("请输入告知单编号，或扫描告知单上的二维码。", "number")
        with self._sessions.begin() as session:
            self._case_worker(session, user)
            notice = session.scalars(select(Notice).where(Notice.number == number)).first()
            if notice is None:
                if scanned is not None:
                    # A slip's code of another kind: its checksum is checked all the same (a
                    # forged code is refused as such), then the officer is told what it is.
                    visit_id_of_scan(session, scanned, "number")
                    raise NotFound(
                        f"扫描的是受理回执（编号 {number}）的二维码，不是告知单。"
                        "请扫描告知单上的二维码，或在“查询”中按此编号查找该事项。"
                    )
                raise NotFound(f"没有编号为 {number} 的告知单。")
            if scanned is not None:
                check_notice_scan(notice, scanned, "number")
            return self._detail(session, notice)

    def for_visit(self, user: SessionUser, visit_id: int) -> list[NoticeDetail]:
        """Every notice of a visit, newest first."""
        with self._sessions.begin() as session:
            self._case_worker(session, user)
            notices = session.scalars(
                select(Notice).where(Notice.visit_id == visit_id).order_by(Notice.id.desc())
            )
            return [self._detail(session, n) for n in notices]

    # ---- the register -----------------------------------------------------------------

    def register(
        self,
        user: SessionUser,
        date_from: dt.date,
        date_to: dt.date,
        officer_id: int | None = None,
        state: str | None = None,
    ) -> list[NoticeRow]:
        """Notices issued between the dates, newest first; state 'overdue' is open past its date."""
        if date_to < date_from:
            raise ValidationError("结束日期不能早于开始日期。", "date_to")
        with self._sessions.begin() as session:
            self._case_worker(session, user)
            today = self._today(session)
            query = (
                select(Notice, Visit.citizen_name, ServiceItemVersion.name, Officer.name)
                .join(Visit, Visit.id == Notice.visit_id)
                .join(ServiceItemVersion, ServiceItemVersion.id == Visit.service_version_id)
                .join(Officer, Officer.id == Notice.officer_id)
                .where(Notice.local_date >= date_from, Notice.local_date <= date_to)
                .order_by(Notice.issued_at.desc())
                .options(defer(Notice.snapshot_json, raiseload=True))
            )
            if officer_id:
                query = query.where(Notice.officer_id == officer_id)
            rows = []
            period = _in_period(date_from, date_to)
            owed = _owed_counts(session, period)
            breaches = _breach_counts(session, period)
            for notice, citizen, service, officer in session.execute(query):
                shown = _shown_state(notice, today)
                if state and shown != state:
                    continue
                rows.append(
                    NoticeRow(
                        id=notice.id,
                        number=notice.number,
                        kind=notice.kind,
                        state=shown,
                        local_date=notice.local_date,
                        citizen_name=citizen,
                        service_name=service,
                        officer_name=officer,
                        supplement_deadline=notice.supplement_deadline,
                        owed=owed.get(notice.id, 0),
                        breaches=breaches.get(notice.id, 0),
                    )
                )
            return rows

    def completion(
        self, user: SessionUser, date_from: dt.date, date_to: dt.date, by: str
    ) -> list[CompletionRow]:
        """One-visit completion per officer or per matter.

        A notice counts as done in one visit when it was fulfilled at the first return and no
        breach was recorded against it; voided notices do not count as issued.
        """
        if by not in ("officer", "matter"):
            raise ValidationError("请选择按人员或按事项统计。", "by")
        with self._sessions.begin() as session:
            self._case_worker(session, user)
            key = Officer.id if by == "officer" else ServiceItemVersion.item_id
            label = Officer.name if by == "officer" else ServiceItemVersion.name
            query = (
                select(key, label, Notice)
                .join(Visit, Visit.id == Notice.visit_id)
                .join(ServiceItemVersion, ServiceItemVersion.id == Visit.service_version_id)
                .join(Officer, Officer.id == Notice.officer_id)
                .where(
                    Notice.local_date >= date_from,
                    Notice.local_date <= date_to,
                    Notice.state != "voided",
                )
                .options(defer(Notice.snapshot_json, raiseload=True))
            )
            breaches = _breach_counts(session, _in_period(date_from, date_to))
            tally: dict[int, list[int]] = {}
            names: dict[int, str] = {}
            for group, name, notice in session.execute(query):
                names[group] = name
                counts = tally.setdefault(group, [0, 0])
                counts[0] += 1
                if (
                    notice.state == "fulfilled"
                    and notice.return_visits == 1
                    and not breaches.get(notice.id)
                ):
                    counts[1] += 1
            return sorted(
                (CompletionRow(names[k], v[0], v[1]) for k, v in tally.items()),
                key=lambda r: r.label,
            )


def _in_period(date_from: dt.date, date_to: dt.date) -> Select[Any]:
    """The ids of the notices issued between the dates (index ``ix_notices_local_date``)."""
    return select(Notice.id).where(Notice.local_date >= date_from, Notice.local_date <= date_to)


def _owed_counts(session: Session, notice_ids: Select[Any]) -> dict[int, int]:
    """Items still owed per notice, for the notices ``notice_ids`` selects only."""
    return {
        nid: n
        for nid, n in session.execute(
            select(NoticeItem.notice_id, func.count())
            .where(
                NoticeItem.notice_id.in_(notice_ids.scalar_subquery()),
                NoticeItem.state != "provided",
                NoticeItem.arrived_at.is_(None),
            )
            .group_by(NoticeItem.notice_id)
        )
    }


def _breach_counts(session: Session, notice_ids: Select[Any]) -> dict[int, int]:
    """Breaches per notice, for the notices ``notice_ids`` selects only."""
    return {
        nid: n
        for nid, n in session.execute(
            select(NoticeBreach.notice_id, func.count())
            .where(NoticeBreach.notice_id.in_(notice_ids.scalar_subquery()))
            .group_by(NoticeBreach.notice_id)
        )
    }
