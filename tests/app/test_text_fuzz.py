"""Any text a paste can carry, through the services that take text (issue 18 item 7, issue 21).

Every Unicode character (lone surrogates, NUL and other controls, combining marks, bidi
controls, ideographs of Extensions B–G), and text far over each field's limit: the service
either refuses it with a Chinese ValidationError and writes nothing, or stores it exactly as
given (surrounding whitespace trimmed). Never a crash, never a partial write, never a cut.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.complaints.service import NewComplaint
from app.core.database import Database
from app.core.errors import ValidationError
from app.core.identity import IdType
from app.core.roles import Role
from app.integrity.service import check_database
from app.services import Services
from app.visits.dto import NewVisit
from db.models import AuditEvent, AuditSeal, Complaint, Visit
from tests.app.helpers import has_chinese

VALID_ID = "11010519491231002X"
SPECIAL = [
    "\x00", "\ud800", "\udfff", "\u202e", "\u200f", "\u2066", "\u0301", "\u0336", "\ufeff",
    "\x1b", "\x7f", "\u2028", "\n", "\t", " ", "·", "𠮷", "𪜊", "𫝊", "𫠪", "𬺺", "\U00030000",
    "\U00031350", "\U0002f800", "\uf900", "㐀",
]  # fmt: skip
ANY_CHAR = st.characters(exclude_categories=())  # surrogates and controls included
TEXT = st.one_of(
    st.text(ANY_CHAR, max_size=40),
    st.lists(st.sampled_from(SPECIAL) | st.sampled_from("张王李赵abcＡ１ "), max_size=12).map(
        "".join
    ),
    st.text(st.sampled_from("张三丰𠮷 "), min_size=150, max_size=2500),
)
FUZZ = settings(
    # STATIONDESK_FUZZ_EXAMPLES=5000 for a long run by hand; CI runs the default.
    max_examples=int(os.environ.get("STATIONDESK_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _counts(db: Database) -> tuple[int, ...]:
    with db.sessions() as session:
        return tuple(
            int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (Visit, Complaint, AuditEvent, AuditSeal)
        )


def _either_refused_or_exact(
    db: Database, call: Callable[[], Any], stored: Callable[[Any], tuple[str, ...]],
    given_: tuple[str, ...],
) -> str:  # fmt: skip
    before = _counts(db)
    try:
        result = call()
    except ValidationError as refused:
        assert has_chinese(refused.message), refused.message
        assert _counts(db) == before, "a refused save wrote something"
        return "refused"
    assert stored(result) == given_
    return "stored"


@pytest.fixture
def desk(services: Services, make_officer):  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW)
    return officer, services.catalogue.list_items("SFZ-SL")[0].item_id


@given(name=TEXT, summary=TEXT)
@FUZZ
def test_registration_refuses_or_stores_exactly(
    db: Database, services: Services, desk: Any, name: str, summary: str
) -> None:
    officer, item = desk

    def stored(saved: Any) -> tuple[str, ...]:
        again = services.visits.get(officer, saved.row.id)
        return again.row.citizen_name, again.summary

    _either_refused_or_exact(
        db,
        lambda: services.visits.register(
            officer, NewVisit(name, IdType.RESIDENT, VALID_ID, "", item, summary=summary)
        ),
        stored,
        (name.strip(), summary.strip()),
    )


@given(content=TEXT, complainant=TEXT)
@FUZZ
def test_a_complaint_refuses_or_stores_exactly(
    db: Database, services: Services, desk: Any, content: str, complainant: str
) -> None:
    officer, _item = desk
    new = NewComplaint(
        "complaint", "12345", dt.date(2025, 9, 26), content, complainant_name=complainant
    )

    _either_refused_or_exact(
        db,
        lambda: services.complaints.record(officer, new),
        lambda row: (row.content, row.complainant),
        (content.strip(), complainant.strip() or "匿名"),  # the list's word for no name
    )


def test_after_the_fuzz_the_station_still_checks_sound(
    db: Database, services: Services, desk: Any
) -> None:
    officer, item = desk
    for text in ["𠮷" * 3, "\u202e张三", "e\u0301", "王\u3000五"]:
        with contextlib.suppress(ValidationError):
            services.visits.register(officer, NewVisit(text, IdType.RESIDENT, VALID_ID, "", item))
    assert check_database(db).ok
