"""Columns of the visit and handover tables, shared by the today and search pages."""

from __future__ import annotations

from app.core.pinyin import sort_key as name_order
from app.visits.dto import HandoverRow, VisitRow
from ui.localtime import fmt
from ui.models.row_table_model import Column

OVERDUE_COLOUR = "#b3261e"
DUE_SOON_COLOUR = "#9a6700"


def _minutes(value: int | None) -> str:
    return "" if value is None else f"{value} 分"


VISIT_COLUMNS: list[Column[VisitRow]] = [
    Column("编号", lambda r: r.serial),
    Column("群众", lambda r: r.citizen_name, lambda r: name_order(r.citizen_name)),
    Column("事项", lambda r: r.service_name),
    Column("状态", lambda r: r.status.label, align_center=True),
    Column("期限", lambda r: r.due_text, lambda r: (r.due_date is None, r.due_date)),
    Column("负责人", lambda r: r.owner_name, lambda r: name_order(r.owner_name)),
    Column("移交", lambda r: f"待{r.pending_handover_to}接收" if r.pending_handover_to else ""),
    Column("日期", lambda r: r.local_date.isoformat(), lambda r: r.arrived_at),
    Column("到达", lambda r: fmt(r.arrived_at, "%H:%M"), lambda r: r.arrived_at),
    Column("等候", lambda r: _minutes(r.waiting_minutes), lambda r: r.waiting_minutes or 0, True),
    Column("证件号码", lambda r: r.id_masked),
]


def visit_colour(row: VisitRow) -> str | None:
    """Overdue in red, due soon in amber; the 期限 column says it in words too."""
    if row.due_state in ("overdue", "supplement_overdue"):
        return OVERDUE_COLOUR
    if row.due_state in ("due_soon", "unaccepted"):
        return DUE_SOON_COLOUR
    return None


HANDOVER_COLUMNS: list[Column[HandoverRow]] = [
    Column("编号", lambda r: r.serial),
    Column("群众", lambda r: r.citizen_name, lambda r: name_order(r.citizen_name)),
    Column("事项", lambda r: r.service_name),
    Column("移交人", lambda r: r.from_name, lambda r: name_order(r.from_name)),
    Column("接收人", lambda r: r.to_name, lambda r: name_order(r.to_name)),
    Column("原因", lambda r: r.reason),
    Column(
        "发起时间",
        lambda r: fmt(r.created_at, "%m-%d %H:%M"),
        lambda r: r.created_at,
    ),
    Column("状态", lambda r: r.state_label, align_center=True),
]
