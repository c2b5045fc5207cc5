"""每日台账: content, review and sign, the lock in every service, corrections, reminders."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import replace

import pytest
from PIL import Image
from sqlalchemy import select

from app.complaints.service import ComplaintService, NewComplaint
from app.core.clock import FixedClock
from app.core.dto import SessionUser
from app.core.errors import ConflictError, PermissionDenied, ValidationError
from app.core.identity import IdType
from app.core.roles import Role
from app.ledger.service import ReviewSignature
from app.ratings.service import RatingInput
from app.services import Services
from app.visits.dto import NameChoice, NewVisit
from db.models import DayReview

DAY = dt.date(2025, 9, 29)  # Monday; the test clock starts at 10:00 Beijing
STROKES = (((10.0, 10.0, 0.5), (60.0, 40.0, 0.5)),)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(out, format="PNG")
    return out.getvalue()


SIGN = ReviewSignature(STROKES, png())


def rating(level: int) -> RatingInput:
    dims = tuple((d, level) for d in ("办事效率", "服务态度", "办理结果", "规范廉洁"))
    return RatingInput(level, dims, "", signer_name="王小明", strokes=STROKES, png=png())


class Counter:
    """Two window officers at work on the test day."""

    def __init__(self, services: Services, make_officer, chief: SessionUser) -> None:  # type: ignore[no-untyped-def]
        self.s = services
        self.chief = chief
        self.a = make_officer(Role.WINDOW, "张伟")
        self.b = make_officer(Role.WINDOW, "刘洋")
        self.spot = services.catalogue.list_items("ZM-BGGZ")[0].item_id
        self.slow = services.catalogue.list_items("ZM-WFZ")[0].item_id

    def visit(self, user: SessionUser, item: int, name: str = "王小明"):  # type: ignore[no-untyped-def]
        return self.s.visits.register(
            user,
            NewVisit(
                name,
                IdType.RESIDENT,
                "11010519491231002X",
                "13805710011",
                item,
                name_choice=NameChoice.CURRENT,  # one test ID under several names
            ),
        )


@pytest.fixture
def desk(services: Services, make_officer, chief: SessionUser) -> Counter:  # type: ignore[no-untyped-def]
    return Counter(services, make_officer, chief)


def test_the_day_ledger_lists_the_days_records_with_a_summary(
    desk: Counter, services: Services, clock: FixedClock
) -> None:
    done = desk.visit(desk.a, desk.spot)
    done = services.visits.complete_on_the_spot(desk.a, done.row.id, done.row.row_version, "办结")
    services.ratings.rate_on_site(desk.a, done.row.id, rating(2))
    open_ = desk.visit(desk.b, desk.slow, "李四")
    open_ = services.visits.accept(desk.b, open_.row.id, open_.row.row_version)
    services.visits.request_handover(
        desk.b, open_.row.id, open_.row.row_version, desk.a.officer_id, "轮休"
    )
    ledger = services.ledger.ledger(desk.chief, DAY)
    visits = ledger.section("visits")
    assert [r.cells[0] for r in visits.rows] == [done.row.serial, open_.row.serial]
    assert visits.rows[0].cells[5] == "110105********002X"  # masked ID
    assert "11010519491231002X" not in str(ledger)
    assert visits.rows[1].cells[9] == "办理中"
    handovers = ledger.section("handovers")
    assert handovers.rows[0].marked and handovers.rows[0].cells[-1] == "待接收"
    ratings = ledger.section("ratings")
    assert ratings.rows[0].marked and ratings.rows[0].cells[3] == "不满意"
    summary = dict(ledger.summary)
    assert summary["登记"].startswith("2 件")
    assert summary["当日办结"].startswith("1 件，按期 1 件，按期率 100.0%")
    assert "差评 1 件" in summary["现场评价"]
    assert "满意率 0.0%" in summary["现场评价"]
    assert len(ledger.section("rectifications").rows) == 1  # opened by the 差评
    # Filter by officer: 刘洋's visit and handover only.
    mine = services.ledger.ledger(desk.chief, DAY, desk.b.officer_id)
    assert [r.cells[0] for r in mine.section("visits").rows] == [open_.row.serial]
    assert mine.section("ratings").rows == ()


def test_only_the_chief_or_a_deputy_reviews_once_never_a_future_day(
    desk: Counter,
    services: Services,
    clock: FixedClock,
    make_officer,
    count,  # type: ignore[no-untyped-def]
) -> None:
    desk.visit(desk.a, desk.spot)
    clock.advance(dt.timedelta(hours=8))  # 18:00, after the counter closed
    sha = services.ledger.ledger(desk.chief, DAY).content_sha256
    with pytest.raises(PermissionDenied, match="所长或副所长"):
        services.ledger.review(desk.a, DAY, sha, "", SIGN)
    with pytest.raises(ValidationError, match="未来"):
        services.ledger.review(desk.chief, DAY + dt.timedelta(days=1), sha, "", SIGN)
    with pytest.raises(ValidationError, match="签名"):
        services.ledger.review(desk.chief, DAY, sha, "", ReviewSignature((), b""))
    with pytest.raises(ConflictError, match="刷新"):
        services.ledger.review(desk.chief, DAY, "0" * 64, "", SIGN)
    assert count(DayReview) == 0
    deputy = make_officer(Role.DEPUTY, "李副所长")
    sha = services.ledger.ledger(deputy, DAY).content_sha256
    ledger = services.ledger.review(deputy, DAY, sha, "已核对", SIGN)
    assert ledger.locked and ledger.review is not None
    assert ledger.review.reviewer == "李副所长" and ledger.review.signature_png == SIGN.png
    with pytest.raises(ConflictError, match="已经审核过"):
        services.ledger.review(desk.chief, DAY, sha, "", SIGN)


def test_a_content_change_after_loading_needs_a_fresh_review(
    desk: Counter, services: Services, clock: FixedClock
) -> None:
    desk.visit(desk.a, desk.spot)
    clock.advance(dt.timedelta(hours=8))
    shown = services.ledger.ledger(desk.chief, DAY)
    desk.visit(desk.b, desk.spot, "李四")  # a walk-in while the chief reads
    with pytest.raises(ConflictError, match="刷新后重新审核"):
        services.ledger.review(desk.chief, DAY, shown.content_sha256, "", SIGN)


def _review(services: Services, chief: SessionUser, day: dt.date) -> None:
    sha = services.ledger.ledger(chief, day).content_sha256
    services.ledger.review(chief, day, sha, "已审核", SIGN)


def test_today_is_reviewed_only_from_the_closing_hour_and_the_ledger_says_so(
    desk: Counter,
    services: Services,
    clock: FixedClock,
    count,  # type: ignore[no-untyped-def]
) -> None:
    desk.visit(desk.a, desk.spot)  # 10:00, the counter is open
    shown = services.ledger.ledger(desk.chief, DAY)
    assert "17:30" in shown.review_blocked and "次日台账" in shown.review_blocked

    with pytest.raises(ValidationError, match="17:30（窗口下班）以后审核"):
        services.ledger.review(desk.chief, DAY, shown.content_sha256, "", SIGN)
    assert count(DayReview) == 0
    # An earlier day is over: it can be reviewed at any time.
    assert services.ledger.ledger(desk.chief, DAY - dt.timedelta(days=1)).review_blocked == ""

    # The hour is a station setting.
    settings = services.station.settings()
    services.station.update_settings(desk.chief, replace(settings, review_after="9:45"))
    assert services.station.settings().review_after == "09:45"
    shown = services.ledger.ledger(desk.chief, DAY)
    assert shown.review_blocked == ""
    assert services.ledger.review(desk.chief, DAY, shown.content_sha256, "", SIGN).locked


def test_after_todays_review_the_counter_goes_on_and_later_records_reach_the_next_review(
    desk: Counter,
    services: Services,
    clock: FixedClock,
    db,
    count,  # type: ignore[no-untyped-def]
) -> None:
    before = desk.visit(desk.a, desk.spot)
    slow = desk.visit(desk.b, desk.slow, "李四")
    slow = services.visits.accept(desk.b, slow.row.id, slow.row.row_version)
    complaints = ComplaintService(db.sessions, clock)
    clock.advance(dt.timedelta(hours=8))  # 18:00: the chief signs today
    _review(services, desk.chief, DAY)
    signed = services.ledger.ledger(desk.chief, DAY)

    # 18:20: a citizen arrives late; nothing stops the counter.
    clock.advance(dt.timedelta(minutes=20))
    late = desk.visit(desk.a, desk.spot, "周九")
    late = services.visits.complete_on_the_spot(desk.a, late.row.id, late.row.row_version, "办结")
    services.ratings.rate_on_site(desk.a, late.row.id, rating(1))  # 差评: a rectification
    clock.advance(dt.timedelta(minutes=5))
    services.visits.complete(desk.b, slow.row.id, slow.row.row_version, "办结")
    complaints.record(
        desk.a, NewComplaint("complaint", "电话", DAY, "等太久", "吴十", "", desk.b.officer_id)
    )
    handed = desk.visit(desk.a, desk.slow, "冯十二")
    services.visits.request_handover(
        desk.a, handed.row.id, handed.row.row_version, desk.b.officer_id, "换班"
    )
    # A registration made after the review was never signed: it can still be voided.
    clock.advance(dt.timedelta(minutes=5))
    extra = desk.visit(desk.b, desk.spot, "郑十一")
    services.visits.void(desk.b, extra.row.id, extra.row.row_version, "重复登记")
    # One signed before the review stays as reviewed.
    with pytest.raises(ConflictError, match="2025-09-29 的台账已由王所长审核锁定"):
        services.visits.void(desk.a, before.row.id, before.row.row_version, "误登")

    # The signed copy is unchanged; what came after is listed under it, not signed.
    locked = services.ledger.ledger(desk.chief, DAY)
    assert locked.content_sha256 == signed.content_sha256
    assert locked.sections == signed.sections and locked.summary == signed.summary
    after = {x.key: x for x in locked.after_review}
    assert list(after) == [
        "visits",
        "handovers",
        "ratings",
        "rectifications",
        "complaints",
        "steps",
    ]
    assert all(x.title.startswith("审核后·") for x in after.values())
    serials = [r.cells[0] for r in after["visits"].rows]
    assert serials == [late.row.serial, handed.row.serial, extra.row.serial]
    assert "11010519491231002X" not in str(after["visits"].rows)
    assert [r.cells[3] for r in after["ratings"].rows] == ["非常不满意"]
    assert [(r.cells[1], r.cells[2]) for r in after["steps"].rows] == [
        (late.row.serial, "已登记 → 办理中"),
        (late.row.serial, "办理中 → 已办结"),
        (slow.row.serial, "办理中 → 已办结"),
        (extra.row.serial, "已登记 → 已作废"),
    ]
    assert after["steps"].rows[2].cells[0] == "18:25"

    # The next day needs a review even though nobody came; its ledger carries them all.
    clock.advance(dt.timedelta(hours=24))
    nxt_day = DAY + dt.timedelta(days=1)
    pending = services.ledger.pending_days(desk.chief)
    assert [(p.day, p.visits) for p in pending] == [(nxt_day, 0)]
    assert pending[0].note == "含2025-09-29审核后记录 11 条"
    nxt = services.ledger.ledger(desk.chief, nxt_day)
    carried = {x.key: x for x in nxt.sections if x.key.startswith("prior_")}
    assert {k: v.rows for k, v in carried.items()} == {
        f"prior_{k}": v.rows for k, v in after.items()
    }
    assert carried["prior_visits"].title == "2025-09-29 审核后·接待登记"
    assert ("上日审核后记录", "11 条（前一审核日审核以后登记，本次审核一并签字）") in nxt.summary
    reviewed = services.ledger.review(desk.chief, nxt_day, nxt.content_sha256, "", SIGN)
    assert reviewed.section("prior_steps").rows == carried["prior_steps"].rows
    assert services.ledger.pending_days(desk.chief) == []


def test_a_locked_days_registration_stays_as_reviewed_but_the_matter_goes_on(
    desk: Counter, services: Services, clock: FixedClock
) -> None:
    slow = desk.visit(desk.b, desk.slow, "李四")
    slow = services.visits.accept(desk.b, slow.row.id, slow.row.row_version)
    waiting = desk.visit(desk.a, desk.spot)
    clock.advance(dt.timedelta(hours=8))
    _review(services, desk.chief, DAY)
    clock.advance(dt.timedelta(hours=15))  # next morning
    with pytest.raises(ConflictError, match="2025-09-29 的台账已由王所长审核锁定"):
        services.visits.void(desk.a, waiting.row.id, waiting.row.row_version, "误登")
    with pytest.raises(ConflictError, match="更正记录"):
        services.visits.mark_time(desk.a, waiting.row.id, waiting.row.row_version, "arrived")
    done = services.visits.complete(desk.b, slow.row.id, slow.row.row_version, "已办结")
    assert done.row.status.label == "已办结"
    # A walk-in left waiting at the counter is served the next day: a later event.
    served = services.visits.accept(desk.a, waiting.row.id, waiting.row.row_version)
    assert served.row.status.label == "办理中"
    # The locked ledger still shows the matter as reviewed: 办理中.
    locked = services.ledger.ledger(desk.chief, DAY)
    assert locked.section("visits").rows[0].cells[9] == "办理中"
    # The next day's ledger counts it as finished that day.
    assert (
        services.ledger.ledger(desk.chief, DAY + dt.timedelta(days=1))
        .summary[1][1]
        .startswith("1 件")
    )


def test_a_correction_is_a_dated_addendum_on_the_next_ledger_and_on_the_locked_one(
    desk: Counter,
    services: Services,
    clock: FixedClock,
    audit_log,  # type: ignore[no-untyped-def]
) -> None:
    visit = desk.visit(desk.a, desk.spot, "王小名")
    with pytest.raises(ConflictError, match="尚未审核"):
        services.ledger.correct(desk.a, visit.row.id, "citizen_name", "王小明", "姓名录入错误")
    clock.advance(dt.timedelta(hours=8))
    _review(services, desk.chief, DAY)
    reviewed_sha = services.ledger.ledger(desk.chief, DAY).content_sha256
    clock.advance(dt.timedelta(hours=15))
    with pytest.raises(PermissionDenied):
        services.ledger.correct(desk.b, visit.row.id, "citizen_name", "王小明", "姓名录入错误")
    with pytest.raises(ValidationError, match="原因"):
        services.ledger.correct(desk.a, visit.row.id, "citizen_name", "王小明", "错")
    with pytest.raises(ValidationError, match="只能更正"):
        services.ledger.correct(desk.a, visit.row.id, "id_number", "x", "证件号码录入错误")
    row = services.ledger.correct(desk.a, visit.row.id, "citizen_name", "王小明", "姓名录入错误")
    assert (row.old_value, row.new_value, row.officer) == ("王小名", "王小明", "张伟")
    assert row.number == "HPL-GZJL-2025-00001" and row.made_on == DAY + dt.timedelta(days=1)
    phone = services.ledger.correct(desk.a, visit.row.id, "phone", "13905710022", "号码记错一位")
    assert (phone.old_value, phone.new_value) == ("138****0011", "139****0022")
    assert services.visits.get(desk.a, visit.row.id).row.citizen_name == "王小明"

    locked = services.ledger.ledger(desk.chief, DAY)
    assert locked.content_sha256 == reviewed_sha  # the reviewed copy is unchanged
    assert locked.section("visits").rows[0].cells[4] == "王小名"
    assert [c.cells[3] for c in locked.corrections] == ["群众姓名", "联系电话"]
    following = services.ledger.ledger(desk.chief, DAY + dt.timedelta(days=1))
    added = following.section("addenda").rows
    assert [r.cells[0] for r in added] == ["HPL-GZJL-2025-00001", "HPL-GZJL-2025-00002"]
    assert added[0].cells[1] == "2025-09-29" and added[0].cells[6] == "姓名录入错误"
    assert audit_log()[-1]["action"] == "correction_recorded"


def test_a_corrected_name_is_checked_as_the_document_shows_it(
    desk: Counter, services: Services, clock: FixedClock
) -> None:
    visit = desk.visit(desk.a, desk.spot, "王吉祥")  # a 居民身份证 holder
    clock.advance(dt.timedelta(hours=8))
    _review(services, desk.chief, DAY)
    clock.advance(dt.timedelta(hours=15))
    with pytest.raises(ValidationError, match="字母") as caught:
        services.ledger.correct(
            desk.a, visit.row.id, "citizen_name", "Wang Jixiang", "姓名录入错误"
        )
    assert caught.value.field == "new_value"

    # 𠮷 (Extension B) and 﨑 (a compatibility ideograph) are names a citizen carries.
    row = services.ledger.correct(
        desk.a, visit.row.id, "citizen_name", "王\U00020bb7祥\ufa11", "姓名录入错误"
    )
    assert row.new_value == "王\U00020bb7祥\ufa11"


def test_a_registered_visit_of_a_locked_day_is_voided_only_by_a_correction(
    desk: Counter, services: Services, clock: FixedClock
) -> None:
    visit = desk.visit(desk.a, desk.spot)
    clock.advance(dt.timedelta(hours=8))
    _review(services, desk.chief, DAY)
    clock.advance(dt.timedelta(hours=15))
    services.ledger.correct(desk.a, visit.row.id, "void", "", "群众未办理即离开，登记作废")
    assert services.visits.get(desk.a, visit.row.id).row.status.label == "已作废"


def test_days_with_visits_and_no_review_are_listed_as_a_reminder(
    desk: Counter, services: Services, clock: FixedClock
) -> None:
    desk.visit(desk.a, desk.spot)
    clock.advance(dt.timedelta(days=1))
    desk.visit(desk.a, desk.spot)
    desk.visit(desk.b, desk.spot, "李四")
    assert [(p.day, p.visits) for p in services.ledger.pending_days(desk.chief)] == [
        (DAY, 1),
        (DAY + dt.timedelta(days=1), 2),
    ]
    _review(services, desk.chief, DAY)
    assert [p.day for p in services.ledger.pending_days(desk.chief)] == [DAY + dt.timedelta(days=1)]
    with pytest.raises(PermissionDenied):
        services.ledger.pending_days(desk.a)


def test_the_review_is_frozen_in_the_database(
    desk: Counter,
    services: Services,
    clock: FixedClock,
    db,  # type: ignore[no-untyped-def]
) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import DatabaseError

    desk.visit(desk.a, desk.spot)
    clock.advance(dt.timedelta(hours=8))
    _review(services, desk.chief, DAY)
    with db.sessions() as session, pytest.raises(DatabaseError):
        session.execute(text("UPDATE day_reviews SET comment = 'x'"))
    with db.sessions() as session, pytest.raises(DatabaseError):
        session.execute(text("DELETE FROM day_reviews"))
    with db.sessions() as session:
        assert session.scalars(select(DayReview.comment)).one() == "已审核"


def test_every_way_into_the_ledger_needs_a_logged_in_officer() -> None:
    import inspect

    from app.ledger.service import LedgerService

    # The station's time zone is the only thing read without an officer: it names no one.
    no_login = {"settings_timezone"}
    public = inspect.getmembers(LedgerService, inspect.isfunction)
    # A method given the caller's session runs inside another service's transaction, which
    # checked its own officer (the import signs days so); the UI never holds a session.
    without_user = {
        name
        for name, method in public
        if not name.startswith("_")
        and "user" not in inspect.signature(method).parameters
        and "session" not in inspect.signature(method).parameters
    }
    assert without_user == no_login


def test_administration_that_records_no_days_business_is_never_blocked_by_a_lock(
    desk: Counter, services: Services, clock: FixedClock
) -> None:
    open_one = desk.visit(desk.a, desk.spot)
    desk.visit(desk.b, desk.slow)
    clock.advance(dt.timedelta(hours=8))
    _review(services, desk.chief, DAY)

    # Officers whose registrations the chief signed are still administered as usual, and
    # an open matter of the locked day is handed on by the deactivation.
    services.officers.reset_password(desk.chief, desk.b.officer_id, "Reset2026x")
    plan = {open_one.row.id: desk.b.officer_id}
    row = services.officers.set_active(desk.chief, desk.a.officer_id, False, plan)
    assert not row.active
    again = services.officers.set_active(desk.chief, desk.a.officer_id, True)
    assert again.active
    assert services.ledger.ledger(desk.chief, DAY).locked


def test_a_withdrawn_handover_reads_in_chinese_on_the_ledger(
    desk: Counter, services: Services
) -> None:
    # The model calls it "cancelled"; the ledger's own table said "withdrawn" and printed the
    # English word. One table of handover wording now serves the pane, ledger and case file.
    open_ = desk.visit(desk.b, desk.slow, "李四")
    open_ = services.visits.accept(desk.b, open_.row.id, open_.row.row_version)
    offered = services.visits.request_handover(
        desk.b, open_.row.id, open_.row.row_version, desk.a.officer_id, "轮休"
    )
    pending = offered.pending_handover
    assert pending is not None
    services.visits.cancel_handover(desk.b, pending.id)

    handovers = services.ledger.ledger(desk.chief, DAY).section("handovers")

    assert [r.cells[-1] for r in handovers.rows] == ["已撤回"]
