"""Logging a print that came out: its copy number and what the audit event says."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core import audit
from app.core.errors import ValidationError
from db.models import AuditEvent, PrintRecord

VIA = ("gui", "cli")


def logged_copy(printed: int, expected: int, via: str) -> tuple[int, dict[str, Any]]:
    """The copy number to log and the audit event's ``after`` data.

    A print is logged once the printer took the job or the file was written, so the paper
    exists. If another counter logged a print of the same document in between, the copy on
    paper carries a number (or no 补打 mark) that is already taken: it is logged as the next
    copy anyway, with the number printed on the paper noted, rather than lost.
    """
    if printed < 1:
        raise ValidationError("打印份次不正确，请重新预览后再打印。", "copy_no")
    if via not in VIA:
        raise ValueError(f"unknown print channel {via!r}")
    after: dict[str, Any] = {"copy_no": expected, "via": via}
    if printed != expected:
        after["printed_copy_no"] = printed
        after["note"] = (
            f"纸面按第 {printed} 次打印标注；打印期间其他窗口已登记同一单据的打印，"
            f"按登记顺序记为第 {expected} 次。"
        )
    return expected, after


# The station's own documents: their print's audit event (action, entity type). The entity
# id names one document: the ledger's day, the register's number, the report's month.
STATION_DOCUMENTS: dict[str, tuple[str, str]] = {
    "ledger": ("ledger_printed", "ledger"),
    "register": ("register_printed", "rating_register"),
    "monthly": ("monthly_report_printed", "monthly_report"),
}


def station_copy_no(session: Session, document: str, key: str) -> int:
    """Which print the next one of a station document is: 1 for the first, 2 and later 补打.

    Counted from the audit trail, where every print and saved file of the document is an
    event (a ledger exported to Excel is another action and does not count).
    """
    action, entity_type = STATION_DOCUMENTS[document]
    done = session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.entity_type == entity_type,
            AuditEvent.entity_id == key,
            AuditEvent.action == action,
        )
    )
    return int(done or 0) + 1


def count_prints(session: Session, visit_id: int, kind: str) -> int:
    """How often a paper of ``kind`` was printed for a matter (its slips, notices, 督办单)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(PrintRecord)
            .where(PrintRecord.visit_id == visit_id, PrintRecord.kind == kind)
        )
        or 0
    )


def record_paper_print(
    session: Session,
    *,
    at: dt.datetime,
    officer_id: int,
    visit_id: int,
    kind: str,
    copy_no: int,
    via: str,
    printed: str,
    reprinted: str,
    entity_type: str,
    entity_id: str,
    extra: dict[str, Any],
) -> int:
    """Log a paper of one matter that came out (a receipt, a notice, a 督办单): its print
    record and the audit event, ``printed`` for the first copy and ``reprinted`` for 补打.

    ``copy_no`` is the number on the paper; a print of the same paper logged meanwhile at
    another counter makes this the next copy, with a note (``logged_copy``). Returns the
    copy number logged.
    """
    logged, after = logged_copy(copy_no, count_prints(session, visit_id, kind) + 1, via)
    session.add(
        PrintRecord(visit_id=visit_id, kind=kind, copy_no=logged, at=at, officer_id=officer_id)
    )
    audit.record(
        session,
        at=at,
        officer_id=officer_id,
        action=reprinted if logged > 1 else printed,
        entity_type=entity_type,
        entity_id=entity_id,
        after={**extra, **after},
    )
    return logged


def station_print_after(
    session: Session, document: str, key: str, copy_no: int | None, via: str
) -> dict[str, Any]:
    """The audit data of a station document's print (``STATION_DOCUMENTS``): which copy it
    is, counted from the trail; ``copy_no`` is the number on the paper (0 or None: unknown,
    taken to be the next)."""
    expected = station_copy_no(session, document, key)
    return logged_copy(copy_no or expected, expected, via)[1]
