"""The complaint's workflow: 核实, 处理, 答复 and 办结 in order by its handler, handing it
to another handler (改派), and the complainant's phone for the handler who must answer."""

from __future__ import annotations

from collections.abc import Callable

from app.complaints._base import ComplaintBase, _check_version, _visible
from app.complaints.dto import FINDINGS, NO_REPLY, OUTCOMES, REPLY_METHODS, ComplaintRow
from app.core import audit, text_limits
from app.core.dto import SessionUser
from app.core.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from app.core.reveal_purposes import COMPLAINT_PHONE_PURPOSES, audit_after, check_reveal
from app.core.roles import Permission, Role, allows
from app.core.validation import clean_text
from db.models import Complaint, Officer

# The workflow: (state before the step, state after it, the step's Chinese name).
_STEPS: dict[str, tuple[str, str, str]] = {
    "verify": ("received", "verified", "核实"),
    "handle": ("verified", "handled", "处理"),
    "reply": ("handled", "replied", "答复"),
    "close": ("replied", "closed", "办结"),
}
_ORDER = ("received", "verified", "handled", "replied", "closed")


class Workflow(ComplaintBase):
    """Each step of a complaint, its reassignment and the reveal of the complainant's phone."""

    # ---- the workflow -------------------------------------------------------------------

    def verify(
        self, user: SessionUser, complaint_id: int, row_version: int, finding: str, note: str
    ) -> ComplaintRow:
        """核实: 属实, 部分属实 or 不属实, with what the check found."""
        if finding not in FINDINGS:
            raise ValidationError("请选择核实结论（属实、部分属实或不属实）。", "finding")
        text = clean_text(
            note, field="verify_note", label="核实情况", max_len=text_limits.CASE_TEXT
        )
        return self._step(
            user,
            complaint_id,
            row_version,
            "verify",
            {"finding": finding, "verify_note": text},
        )

    def handle(
        self, user: SessionUser, complaint_id: int, row_version: int, outcome: str, note: str
    ) -> ComplaintRow:
        """处理: 改进 or 追责 for a founded complaint, 澄清正名 for an unfounded one."""
        if outcome not in OUTCOMES:
            raise ValidationError("请选择处理结果（改进、澄清正名或追责）。", "outcome")
        text = clean_text(
            note, field="handle_note", label="处理情况", max_len=text_limits.CASE_TEXT
        )

        def consistent(complaint: Complaint) -> None:
            if complaint.finding == "不属实" and outcome != "澄清正名":
                raise ValidationError("核实为不属实的投诉，处理结果只能是澄清正名。", "outcome")
            if complaint.finding != "不属实" and outcome == "澄清正名":
                raise ValidationError(
                    f"核实为{complaint.finding}的投诉，处理结果应为改进或追责。", "outcome"
                )

        return self._step(
            user,
            complaint_id,
            row_version,
            "handle",
            {"outcome": outcome, "handle_note": text},
            consistent,
        )

    def reply(
        self, user: SessionUser, complaint_id: int, row_version: int, method: str, text: str
    ) -> ComplaintRow:
        """答复: how and what the complainant was told; 无法答复 only when nobody can be reached."""
        if method not in (*REPLY_METHODS, NO_REPLY):
            raise ValidationError("请选择答复方式。", "reply_method")
        body = clean_text(
            text,
            field="reply_text",
            label="无法答复的情况说明" if method == NO_REPLY else "答复内容",
            max_len=text_limits.CASE_TEXT,
        )

        def reachable(complaint: Complaint) -> None:
            if method == NO_REPLY and (complaint.complainant_name or complaint.complainant_phone):
                raise ValidationError(
                    "投诉人留有姓名或联系电话，应当答复，不能选择无法答复。", "reply_method"
                )

        return self._step(
            user,
            complaint_id,
            row_version,
            "reply",
            {"reply_method": method, "reply_text": body},
            reachable,
        )

    def close(self, user: SessionUser, complaint_id: int, row_version: int) -> ComplaintRow:
        """办结: after the reply, the handler closes the complaint."""
        return self._step(user, complaint_id, row_version, "close", {})

    def reassign(
        self,
        user: SessionUser,
        complaint_id: int,
        row_version: int,
        handler_id: int,
        reason: str,
    ) -> ComplaintRow:
        """改派: the chief or a deputy hands the complaint to another supervisor not concerned."""
        why = clean_text(reason, field="reason", label="改派原因", max_len=text_limits.REASON)
        with self._writing() as session:
            actor = self._officer(session, user)
            complaint = _visible(session, actor, complaint_id)
            if not allows(Role(actor.role), Permission.VIEW_ALL_VISITS):
                raise PermissionDenied("只有所长或副所长可以改派投诉的承办人。")
            if complaint.kind == "praise":
                raise ConflictError("表扬无需办理，不能改派。")
            if complaint.state == "closed":
                raise ConflictError("该投诉已办结，不能改派。")
            _check_version(complaint, row_version)
            if handler_id == complaint.officer_id:
                raise ValidationError("投诉涉及的民警本人不能承办这条投诉。", "handler_id")
            if handler_id == complaint.handler_id:
                raise ValidationError("所选民警已经是承办人。", "handler_id")
            handler = session.get(Officer, handler_id)
            if (
                handler is None
                or not handler.active
                or not allows(Role(handler.role), Permission.VIEW_ALL_VISITS)
            ):
                raise ValidationError("承办人须是在用的所长或副所长。", "handler_id")
            before = complaint.handler_id
            complaint.handler_id = handler.id
            complaint.row_version += 1
            audit.record(
                session,
                at=self._clock.now(),
                officer_id=actor.id,
                action="complaint_reassigned",
                entity_type="complaint",
                entity_id=complaint.number,
                before={"handler": before},
                after={"handler": handler.id, "reason": why},
            )
            return self._row(session, complaint)

    def reveal_phone(self, user: SessionUser, complaint_id: int, purpose: str, detail: str) -> str:
        """The complainant's full phone, for the handler who must answer (投诉处理, with a
        stated detail); every view is audited with both."""
        chosen, why = check_reveal(purpose, detail, COMPLAINT_PHONE_PURPOSES)
        with self._writing() as session:
            actor = self._officer(session, user)
            complaint = _visible(session, actor, complaint_id)
            if complaint.handler_id != actor.id:
                raise PermissionDenied("只有承办人可以查看投诉人的完整电话。")
            if not complaint.complainant_phone:
                raise ConflictError("投诉人没有留下电话。")
            audit.record(
                session,
                at=self._clock.now(),
                officer_id=actor.id,
                action="complaint_phone_revealed",
                entity_type="complaint",
                entity_id=complaint.number,
                after=audit_after(chosen, why),
            )
            return complaint.complainant_phone

    # ---- internals ----------------------------------------------------------------------

    def _step(
        self,
        user: SessionUser,
        complaint_id: int,
        row_version: int,
        step: str,
        values: dict[str, str],
        check: Callable[[Complaint], None] | None = None,
    ) -> ComplaintRow:
        source, target, label = _STEPS[step]
        with self._writing() as session:
            actor = self._officer(session, user)
            complaint = _visible(session, actor, complaint_id)
            if complaint.kind == "praise":
                raise ConflictError("表扬只需登记，无需核实、处理和答复。")
            # Both checks, even though a concerned officer is never made handler: the record
            # may have been assigned before a change of roles, or edited outside the program.
            if complaint.officer_id == actor.id:
                raise NotFound("找不到该投诉记录。")
            if complaint.handler_id != actor.id:
                handler = session.get(Officer, complaint.handler_id or 0)
                name = handler.name if handler is not None else "承办人"
                raise PermissionDenied(f"这条投诉由{name}承办，只有承办人可以{label}。")
            if not allows(Role(actor.role), Permission.VIEW_ALL_VISITS):
                raise PermissionDenied("投诉须由所长或副所长承办，请先改派承办人。")
            _check_version(complaint, row_version)
            _check_order(complaint.state, source, label)
            if check is not None:
                check(complaint)
            now = self._clock.now()
            for key, value in values.items():
                setattr(complaint, key, value)
            complaint.state = target
            setattr(complaint, f"{target}_at", now)
            complaint.row_version += 1
            audit.record(
                session,
                at=now,
                officer_id=actor.id,
                action=f"complaint_{target}",
                entity_type="complaint",
                entity_id=complaint.number,
                before={"state": source},
                after={"state": target, **values},
            )
            return self._row(session, complaint)


def _check_order(state: str, source: str, label: str) -> None:
    if state == source:
        return
    if state == "closed":
        raise ConflictError("该投诉已办结。")
    if _ORDER.index(state) > _ORDER.index(source):
        raise ConflictError(f"该投诉已经{label}过了。")
    missing = next(name for src, _, name in _STEPS.values() if src == state)
    raise ConflictError(f"投诉须依次核实、处理、答复、办结：请先{missing}，再{label}。")
