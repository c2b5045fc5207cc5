"""A catalogue version as rich text for the detail panels."""

from __future__ import annotations

from app.catalogue.dto import ServiceItemDetail
from ui.localtime import fmt
from ui.widgets.html import esc


def detail_html(d: ServiceItemDetail) -> str:
    """The whole matter as the counter reads it out to a citizen."""
    draft = d.draft
    items = []
    for m in draft.materials:
        key = "　<span style='color:#b3261e'>要件</span>" if m.is_key else ""
        source = f"<br><span style='color:#57606a'>来源：{esc(m.source)}</span>" if m.source else ""
        items.append(f"<li><b>{esc(m.name)}</b>　{esc(m.form)} {m.copies} 份{key}{source}</li>")
    materials = "".join(items)
    state = "" if d.active else "<span style='color:#b3261e'>（已停用）</span>"
    limit_note = (
        f"<br><span style='color:#57606a'>{esc(draft.time_limit_note)}</span>"
        if draft.time_limit_note
        else ""
    )
    fee_basis = (
        f"<br><span style='color:#57606a'>依据：{esc(draft.fee_basis)}</span>"
        if draft.fee_basis
        else ""
    )
    return (
        f"<h2>{esc(draft.name)}{state}</h2>"
        f"<p style='color:#57606a'>编码 {esc(d.code)} · {esc(draft.category)}"
        f" · 第 {d.version_no} 版"
        f"（{fmt(d.created_at, '%Y-%m-%d')}，{esc(d.created_by)}）</p>"
        f"<h3>办理时限</h3><p>{esc(d.time_limit_text)}{limit_note}</p>"
        f"<h3>收费标准</h3><p>{esc(draft.fee)}{fee_basis}</p>"
        f"<h3>所需材料（{len(draft.materials)} 项）</h3><ol>{materials}</ol>"
        f"<h3>设定依据</h3><p>{esc(draft.legal_basis)}</p>"
        f"<h3>办理条件</h3><p>{esc(draft.conditions)}</p>"
        f"<h3>办理流程</h3><p>{esc(draft.procedure)}</p>"
        f"<h3>办理地点和时间</h3><p>{esc(draft.place)}；{esc(draft.hours)}</p>"
    )
