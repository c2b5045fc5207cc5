"""The visit panel's text: the visit as the officer reads it, and its notices (VisitPanel)."""

from __future__ import annotations

from typing import Any

from app.notices.dto import NoticeDetail
from app.visits.dto import VisitDetail
from ui.localtime import fmt
from ui.widgets.html import esc


def _time(value: Any) -> str:
    return fmt(value)


def _detail_lines(d: VisitDetail) -> list[tuple[str, str]]:
    """The visit's rows (label, HTML): who, what, times, deadline, outcome, pending handover."""
    r = d.row
    state = {"overdue": "（已超期）", "due_soon": "（即将到期）"}.get(r.due_state, "")
    colour = {"overdue": "#b3261e", "due_soon": "#9a6700"}.get(r.due_state, "#1f2328")
    lines = [
        ("群众", f"{esc(r.citizen_name)}　{esc(d.id_type.label)} {esc(r.id_masked) or '—'}"),
        ("电话", esc(r.phone_masked) or "—"),
        ("事项", f"{esc(r.service_name)}（{esc(d.time_limit_text)}）"),
        ("渠道", f"{d.channel.label}{'' if d.in_scope else '　不属本所职责'}"),
        ("首接责任人", f"{esc(r.first_officer_name)}（{esc(d.first_officer_badge)}）"),
        ("当前负责人", f"{esc(r.owner_name)}（{esc(d.owner_badge)}）"),
        (
            "到达 / 开始 / 结束",
            " / ".join(
                _time(at) + ("（手动）" if which in d.times_by_hand and at else "")
                for which, at in (
                    ("arrived", r.arrived_at),
                    ("started", d.started_at),
                    ("ended", d.ended_at),
                )
            ),
        ),
    ]
    spent = []
    if r.waiting_minutes is not None:
        spent.append(f"等候 {r.waiting_minutes} 分钟")
    if r.service_minutes is not None:
        spent.append(f"办理 {r.service_minutes} 分钟")
    if spent:
        lines.append(("用时", "，".join(spent)))
    if r.due_date:
        lines.append(
            ("期限", f"<span style='color:{colour}'>{r.due_date.isoformat()}{state}</span>")
        )
    if d.paused and d.remaining_days is not None:
        lines.append(("计时", f"已暂停，剩余 {d.remaining_days} 天"))
    if d.summary:
        lines.append(("事由", esc(d.summary)))
    if d.result:
        lines.append(("结果", esc(d.result)))
    if d.guided_unit:
        lines.append(
            ("引导至", f"{esc(d.guided_unit)}，{esc(d.guided_address)}，{esc(d.guided_phone)}")
        )
    # The reason, the legal basis and the redress bodies, as the refusal notice prints them.
    lines.extend((label, esc(text)) for label, text in d.refusal_lines)
    if d.refusal_unsigned:
        lines.append(("拒绝签收", esc(d.refusal_unsigned)))
    if d.void_reason:
        lines.append(("作废原因", esc(d.void_reason)))
    pending = d.pending_handover
    if pending is not None:
        lines.append(
            (
                "待接收移交",
                f"<span style='color:#9a6700'>{esc(pending.from_name)} → {esc(pending.to_name)}"
                f"：{esc(pending.reason)}（接收前仍由{esc(pending.from_name)}负责）</span>",
            )
        )
    return lines


def visit_html(d: VisitDetail) -> str:
    """The visit as the officer reads it: who, what, deadline, history."""
    r = d.row
    lines = _detail_lines(d)
    table = "".join(
        f"<tr><td style='color:#57606a;padding-right:10px'>{k}</td><td>{v}</td></tr>"
        for k, v in lines
    )
    history = "".join(
        f"<li>{_time(t.at)}　{esc(t.officer_name)}　"
        f"{(t.from_status.label + ' → ') if t.from_status and t.from_status != t.to_status else ''}"
        f"{t.to_status.label}{('：' + esc(t.reason)) if t.reason else ''}</li>"
        for t in d.transitions
    )
    handovers = "".join(
        f"<li>{_time(h.created_at)}　{esc(h.from_name)} → {esc(h.to_name)}：{esc(h.reason)}"
        f"（{h.state_label}{('，' + esc(h.decline_reason)) if h.decline_reason else ''}）</li>"
        for h in d.handovers
    )
    warning = f"<p style='color:#9a6700'>{esc(d.due_warning)}</p>" if d.due_warning else ""
    return (
        f"<h3>{esc(r.serial)}　{r.status.label}</h3>{warning}<table>{table}</table>"
        f"<h4>办理经过</h4><ul>{history}</ul>"
        + (f"<h4>移交记录</h4><ul>{handovers}</ul>" if handovers else "")
    )


def notices_html(notices: list[NoticeDetail]) -> str:
    """The visit's notices, newest first."""
    if not notices:
        return ""
    items = "".join(
        f"<li>{esc(n.number)}　{esc(n.title)}　{esc(n.state_label)}　{n.local_date.isoformat()}"
        f"　待补 {sum(1 for i in n.items if i.owed)} 项"
        + (
            f"　<span style='color:#b3261e'>超范围要求 {len(n.breaches)} 次</span>"
            if n.breaches
            else ""
        )
        + "</li>"
        for n in notices
    )
    return f"<h4>告知单</h4><ul>{items}</ul>"
