"""好差评 at the counter (the rectification a 差评 opens: tests/app/rectifications)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from app.core.dto import SessionUser
from app.core.errors import ConflictError, PermissionDenied, ValidationError
from app.core.identity import IdType
from app.core.roles import Role
from app.ratings.service import RatingInput
from app.services import Services
from app.visits.dto import NewVisit

DIMS = ("办事效率", "服务态度", "办理结果", "规范廉洁")
STROKES = (((10.0, 10.0, 0.5), (60.0, 40.0, 0.5)),)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(out, format="PNG")
    return out.getvalue()


def rating(overall: int | None, each: int | None = None, **kw: object) -> RatingInput:
    level = overall if each is None else each
    return RatingInput(
        overall=overall,
        dimensions=tuple((d, level) for d in DIMS),
        signer_name="王小明",
        strokes=STROKES,
        png=png(),
        **kw,  # type: ignore[arg-type]
    )


@pytest.fixture
def finished(services: Services, make_officer):  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW, "张伟")
    item = services.catalogue.list_items("ZM-WFZ")[0]

    def make() -> int:
        v = services.visits.register(
            officer,
            NewVisit("王小明", IdType.RESIDENT, "11010519491231002X", "13805710011", item.item_id),
        )
        v = services.visits.complete_on_the_spot(officer, v.row.id, v.row.row_version, "已出具")
        return v.row.id

    return officer, make


def test_a_rating_needs_a_level_for_everything_or_a_refusal(services: Services, finished) -> None:  # type: ignore[no-untyped-def]
    officer, make = finished
    visit_id = make()
    with pytest.raises(ValidationError, match="总体评价"):
        services.ratings.rate_on_site(officer, visit_id, rating(None))
    partial = RatingInput(5, (("办事效率", 5),), signer_name="王", strokes=STROKES, png=png())
    with pytest.raises(ValidationError, match="服务态度"):
        services.ratings.rate_on_site(officer, visit_id, partial)
    unsigned = RatingInput(5, tuple((d, 5) for d in DIMS), signer_name="王")
    with pytest.raises(ValidationError, match="签名"):
        services.ratings.rate_on_site(officer, visit_id, unsigned)

    declined = services.ratings.rate_on_site(officer, visit_id, RatingInput(None, declined=True))

    assert declined.declined and not declined.bad
    with pytest.raises(ConflictError, match="只评价一次"):
        services.ratings.rate_on_site(officer, visit_id, rating(5))


def test_a_good_rating_opens_nothing(services: Services, chief: SessionUser, finished) -> None:  # type: ignore[no-untyped-def]
    officer, make = finished
    result = services.ratings.rate_on_site(officer, make(), rating(5, 4))
    assert not result.bad and result.rectification == ""
    assert services.rectifications.rectifications(chief) == []


# ---- who records the citizen's on-site rating (issue 18, item 5) --------------------------


def test_only_the_officer_who_finished_the_matter_records_its_on_site_rating(
    services: Services,
    chief: SessionUser,
    make_officer,  # type: ignore[no-untyped-def]
    finished,  # type: ignore[no-untyped-def]
    audit_log,  # type: ignore[no-untyped-def]
) -> None:
    officer, make = finished
    visit_id = make()
    colleague = make_officer(Role.WINDOW, "刘洋")
    events = len(audit_log())

    # Neither a colleague nor the chief can take the one rating before the citizen does.
    for other in (colleague, chief):
        with pytest.raises(PermissionDenied, match="张伟的窗口"):
            services.ratings.rate_on_site(other, visit_id, rating(5))
        with pytest.raises(PermissionDenied, match="他人不能代为录入"):
            services.ratings.rate_on_site(other, visit_id, RatingInput(None, declined=True))
    assert len(audit_log()) == events
    assert not services.ratings.rated_on_site(officer, visit_id)

    # The citizen still rates at the owner's counter, later too (请群众评价 on his panel).
    result = services.ratings.rate_on_site(officer, visit_id, rating(2))
    assert result.bad and audit_log()[-1]["officer_id"] == officer.officer_id


def test_the_system_administrator_never_records_a_citizens_rating(
    services: Services,
    make_officer,  # type: ignore[no-untyped-def]
    finished,  # type: ignore[no-untyped-def]
    audit_log,  # type: ignore[no-untyped-def]
) -> None:
    officer, make = finished
    visit_id = make()
    admin = make_officer(Role.ADMIN, "周管理")
    events = len(audit_log())

    for given in (rating(1), RatingInput(None, declined=True)):
        with pytest.raises(PermissionDenied, match="系统管理员不办理窗口事项，不能录入群众评价"):
            services.ratings.rate_on_site(admin, visit_id, given)

    assert len(audit_log()) == events
    assert services.rectifications.rectifications(officer) == []
    assert not services.ratings.rated_on_site(officer, visit_id)


def test_a_matter_handed_over_is_rated_at_the_counter_of_the_officer_who_finished_it(
    services: Services,
    make_officer,  # type: ignore[no-untyped-def]
) -> None:
    first = make_officer(Role.WINDOW, "张伟")
    taker = make_officer(Role.WINDOW, "刘洋")
    item = services.catalogue.list_items("ZM-WFZ")[0]
    v = services.visits.register(
        first,
        NewVisit("王小明", IdType.RESIDENT, "11010519491231002X", "13805710011", item.item_id),
    )
    offered = services.visits.request_handover(
        first, v.row.id, v.row.row_version, taker.officer_id, "换班交接"
    )
    assert offered.pending_handover is not None
    v = services.visits.accept_handover(taker, offered.pending_handover.id)
    v = services.visits.complete_on_the_spot(taker, v.row.id, v.row.row_version, "已出具")

    with pytest.raises(PermissionDenied, match="刘洋的窗口"):
        services.ratings.rate_on_site(first, v.row.id, rating(5))
    assert not services.ratings.rate_on_site(taker, v.row.id, rating(5)).bad
