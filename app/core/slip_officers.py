"""Who a citizen slip names for the station: the officer as their role is, and for an auxiliary
officer (辅警) the police officer (民警) who answers for the matter beside them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.roles import Role
from db.models import Officer, Visit

# Police officers who handle citizens' matters: a 辅警 is not one, and the administrator (内勤
# account) handles none, so neither is named as the responsible officer.
_POLICE = (Role.WINDOW, Role.DEPUTY, Role.CHIEF)


def is_police(officer: Officer) -> bool:
    """A police officer (民警), not an auxiliary officer (辅警)."""
    return Role(officer.role) is not Role.AUXILIARY


def kind_of(officer: Officer) -> str:
    """民警 or 辅警, as a label ends: 告知民警, 经办辅警."""
    return "民警" if is_police(officer) else "辅警"


def person(officer: Officer) -> str:
    """ "张伟（警号 031011）", or for an auxiliary officer "赵磊（辅警 F03121）": a 辅警's number
    is not a 警号."""
    if is_police(officer):
        return f"{officer.name}（警号 {officer.badge_no}）"
    return f"{officer.name}（辅警 {officer.badge_no}）"


def responsible_officer(session: Session, visit: Visit | None) -> Officer | None:
    """The police officer who answers for an auxiliary officer's slip.

    The matter's first-contact officer (首接责任人) if a serving 民警, else its current owner
    if one, else the station's chief (所长), else a deputy (副所长); None when the station has
    none of them (the slip then leaves the name to be written in).
    """
    if visit is not None:
        for officer_id in (visit.first_officer_id, visit.owner_id):
            officer = session.get(Officer, officer_id)
            if officer is not None and officer.active and Role(officer.role) in _POLICE:
                return officer
    for role in (Role.CHIEF, Role.DEPUTY):
        leader = session.scalars(
            select(Officer)
            .where(Officer.role == role.value, Officer.active.is_(True))
            .order_by(Officer.id)
        ).first()
        if leader is not None:
            return leader
    return None


def officer_line(session: Session, issuer: Officer, visit: Visit | None, duty: str = "经办") -> str:
    """The station's signature line: "经办民警 张伟（警号 031011）", or for a 辅警
    "经办辅警 赵磊（F03121）　责任民警 张伟（警号 031011）"."""
    if is_police(issuer):
        return f"{duty}民警 {issuer.name}（警号 {issuer.badge_no}）"
    line = f"{duty}辅警 {issuer.name}（{issuer.badge_no}）"
    responsible = responsible_officer(session, visit)
    if responsible is None:
        return f"{line}　责任民警 ＿＿＿＿＿＿"
    return f"{line}　责任民警 {responsible.name}（警号 {responsible.badge_no}）"
