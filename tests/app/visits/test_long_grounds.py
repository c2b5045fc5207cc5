"""A refusal's grounds may run to 1,000 characters; the history's step label holds 500. On
PostgreSQL (VARCHAR enforced) the whole refusal failed; the history now keeps the label cut
with …, the visit keeps the grounds whole."""

from __future__ import annotations

from sqlalchemy import select

from app.core.database import Database
from app.core.dto import SessionUser
from app.core.roles import Role
from app.services import Services
from db.models import VisitTransition
from tests.app.printing.test_slip_data import BASIS, COURT, REVIEW, register


def test_a_refusal_with_grounds_of_the_longest_allowed_length_is_saved(
    db: Database,
    services: Services,
    chief: SessionUser,
    make_officer,  # type: ignore[no-untyped-def]
) -> None:
    officer = make_officer(Role.WINDOW, "张伟")
    visit_id = register(services, officer)
    grounds = ("申请人户籍不在本所辖区，" * 84)[:993] + "请回原籍办理。"  # 1,000 characters
    assert len(grounds) == 1000
    row = services.visits.get(officer, visit_id).row
    detail = services.visits.refuse(
        officer, visit_id, row.row_version, grounds, basis=BASIS, review_body=REVIEW, court=COURT
    )
    assert detail.refusal_reason == grounds
    with db.sessions() as session:
        last = session.scalars(
            select(VisitTransition)
            .where(VisitTransition.visit_id == visit_id)
            .order_by(VisitTransition.id.desc())
        ).first()
    assert last is not None and len(last.reason) == 500 and last.reason.endswith("…")
