"""办件档案: one matter on A4, every field and every event, for the file or an inspector.

Registration, the steps of its handling, handovers, one-time notices with their returns and
breaches, ratings with the citizen's signature, callbacks and their attempts, and who printed
or unmasked what; for the chief and deputies also the rectifications and the complaints about
it (never a complaint about the officer printing it). ID numbers and phones are masked as on
every slip. The document is built in one read; printing it is audited (``record_print``).

The document is put together in ``_Builder`` from one class per part of the file, each in a
module of its own: the matter (``_matter``), the notices (``_notices``), ratings and
rectifications (``_ratings``), callbacks (``_callbacks``), complaints (``_complaints``) and
the history of who saw or printed what (``_history``), over ``_base``.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.casefile._base import PRINTED as PRINTED
from app.casefile._base import _supervises
from app.casefile._callbacks import CallbackSection
from app.casefile._complaints import ComplaintSection
from app.casefile._history import SEEN_AND_PRINTED as SEEN_AND_PRINTED
from app.casefile._history import SLIP_NAMES as SLIP_NAMES
from app.casefile._history import HistorySection
from app.casefile._matter import MatterSections
from app.casefile._notices import NoticeSection
from app.casefile._ratings import APPEAL_DECISIONS as APPEAL_DECISIONS
from app.casefile._ratings import RECTIFICATION_STATES as RECTIFICATION_STATES
from app.casefile._ratings import RatingSections
from app.core import audit
from app.core.dto import SessionUser
from app.core.errors import NotFound, PermissionDenied
from app.core.print_log import VIA
from app.core.roles import Permission, Role, allows
from app.core.service_base import ServiceBase
from app.core.validation import code_text
from app.printing.register_pdf import RegisterDocument, RegisterTable, RegisterText
from app.visits.rules import STATUS_LABELS, VisitStatus
from db.models import Notice, Officer, ServiceItemVersion, Visit

TITLE = "办件档案"
NOT_FOR_YOU = "（整改督办和投诉表扬只在所长、副所长打印的档案中列出。）"
NOT_YOURS = "（他人的评价和回访只在所长、副所长打印的档案中列出。）"
NO_AUDIT = "（查看完整信息与打印记录只在所长、副所长打印的档案中列出。）"


class CaseFileService(ServiceBase):
    """The 办件档案 of one matter, and the record that it was printed."""

    def document(self, user: SessionUser, serial: str) -> RegisterDocument:
        """The case file of the matter numbered ``serial`` (as printed on its receipt).

        Any officer who handles matters may print it; the rectification and complaint
        sections only the chief and deputies, as on their pages.
        """
        with self._sessions.begin() as session:
            actor = self._reader(session, user)
            visit = _visit(session, serial)
            return _Builder(session, actor, visit, self._clock.now()).document()

    def record_print(self, user: SessionUser, serial: str, via: str = "gui") -> None:
        """Log a print of the case file that came out (``via`` "cli": ``stationdesk print``)."""
        if via not in VIA:
            raise ValueError(f"unknown print channel {via!r}")
        with self._writing() as session:
            actor = self._reader(session, user)
            visit = _visit(session, serial)
            audit.record(
                session,
                at=self._clock.now(),
                officer_id=actor.id,
                action=PRINTED,
                entity_type="visit",
                entity_id=visit.serial,
                after={"via": via, "supervisor": _supervises(actor)},
            )

    def _reader(self, session: Session, user: SessionUser) -> Officer:
        actor = self._officer(session, user)
        role = Role(actor.role)
        if not (allows(role, Permission.HANDLE_VISITS) or allows(role, Permission.VIEW_ALL_VISITS)):
            raise PermissionDenied("办件档案由办理业务的民警或所长、副所长打印。")
        return actor


def _visit(session: Session, serial: str) -> Visit:
    number = code_text(serial or "")
    visit = session.scalars(select(Visit).where(Visit.serial == number)).first()
    if visit is None:
        raise NotFound(f"没有编号为 {number} 的登记记录。")
    return visit


class _Builder(
    MatterSections,
    NoticeSection,
    RatingSections,
    CallbackSection,
    ComplaintSection,
    HistorySection,
):
    """Reads everything about one visit in one session and lays it out as tables, one
    section after another."""

    # ---- the document -----------------------------------------------------------------------

    def document(self) -> RegisterDocument:
        v = self.visit
        version = self.s.get(ServiceItemVersion, v.service_version_id)
        matter = version.name if version is not None else "—"
        status = STATUS_LABELS[VisitStatus(v.status)]
        notices = list(
            self.s.scalars(select(Notice).where(Notice.visit_id == v.id).order_by(Notice.id))
        )
        supervisor = _supervises(self.actor)
        blocks: list[RegisterTable | RegisterText] = [
            self.registration(matter, version),
            self.steps(),
            self.handovers(),
            self.notices(notices),
            self.ratings(supervisor),
            self.callbacks(supervisor),
        ]
        if supervisor:
            # The audit trail (who unmasked or printed what, and why) as the audit page shows
            # it to the chief and deputies; never to a window officer.
            blocks += [self.rectifications(), self.complaints(), self.seen_and_printed(notices)]
        else:
            blocks.append(RegisterText((NOT_YOURS, NOT_FOR_YOU, NO_AUDIT), small=True))
        blocks.append(
            RegisterText(
                (
                    "证件号码、电话按个人信息保护规定遮盖显示；查看完整号码须另经审批并记入审计日志。",
                    f"本档案由{self.actor.name}（警号 {self.actor.badge_no}）"
                    f"于 {self.at(self.now)} 打印，打印已记入审计日志。",
                ),
                small=True,
            )
        )
        return RegisterDocument(
            title=TITLE,
            station_name=self.station.name,
            subtitle=f"{v.serial}　{matter}　{status}",
            printed_at=self.now.astimezone(self.tz),
            tables=(),
            number=v.serial,
            landscape=False,
            blocks=tuple(blocks),
        )
