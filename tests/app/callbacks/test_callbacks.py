"""Phone callbacks and home visits: the sampler, assignment, attempts, pressure, coverage."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from app.callbacks.service import Candidate, choose_sample
from app.core.clock import FixedClock
from app.core.database import open_database
from app.core.dto import SessionUser
from app.core.errors import ConflictError, PermissionDenied, ValidationError
from app.core.identity import IdType
from app.core.roles import Role
from app.ratings.service import RatingInput
from app.services import Services, build_services
from app.visits.dto import NameChoice, NewVisit
from db.models import Callback, CallbackAttempt, Rating, Rectification

DAY = dt.date(2025, 9, 29)  # the test clock's Monday
DIMS = ("办事效率", "服务态度", "办理结果", "规范廉洁")
IDS = ["11010519491231002X", "440308199001011239", "320102198506153418"]


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(out, format="PNG")
    return out.getvalue()


def on_site(level: int | None, *, requested: bool = False, declined: bool = False) -> RatingInput:
    return RatingInput(
        overall=level,
        dimensions=tuple((d, level) for d in DIMS),
        declined=declined,
        signer_name="群众",
        strokes=(((1.0, 1.0, 0.5), (30.0, 20.0, 0.5)),),
        png=_png(),
        callback_requested=requested,
    )


def phone(level: int) -> RatingInput:
    return RatingInput(overall=level, dimensions=tuple((d, level) for d in DIMS))


class Desk:
    """A station with three window officers finishing matters of several types."""

    def __init__(self, services: Services, make_officer, chief: SessionUser) -> None:  # type: ignore[no-untyped-def]
        self.s = services
        self.chief = chief
        self.a = make_officer(Role.WINDOW, "甲民警")
        self.b = make_officer(Role.WINDOW, "乙民警")
        self.c = make_officer(Role.AUXILIARY, "丙辅警")
        self.items = {
            code: services.catalogue.list_items(code)[0].item_id
            for code in ("ZM-BGGZ", "HJ-CS", "JZ-DJ")
        }
        self.n = 0
        self.names = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻"

    def finish(self, officer: SessionUser, code: str, phone_no: str = "13805710011") -> int:
        self.n += 1
        v = self.s.visits.register(
            officer,
            NewVisit(
                f"{self.names[self.n % 40]}某",
                IdType.RESIDENT,
                IDS[self.n % 3],
                phone_no,
                self.items[code],
                name_choice=NameChoice.CURRENT,  # three test ID numbers under many names
            ),
        )
        v = self.s.visits.complete_on_the_spot(officer, v.row.id, v.row.row_version, "已办结")
        return v.row.id


@pytest.fixture
def desk(services: Services, make_officer, chief: SessionUser) -> Desk:  # type: ignore[no-untyped-def]
    return Desk(services, make_officer, chief)


def callbacks(db) -> list[Callback]:  # type: ignore[no-untyped-def]
    with db.sessions() as session:
        return list(session.scalars(select(Callback).order_by(Callback.id)))


# ---- the sampler as a pure function -----------------------------------------------------


def _pool() -> list[Candidate]:
    pool = []
    n = 0
    # Officer 1 does most of the work; officer 3 did a single matter of a rare type.
    for officer, code, count in (
        (1, "A", 60),
        (1, "B", 20),
        (2, "A", 15),
        (2, "B", 4),
        (3, "C", 1),
    ):
        for _ in range(count):
            n += 1
            pool.append(Candidate(n, officer, code))
    pool[5] = Candidate(6, 1, "A", "bad")
    pool[70] = Candidate(71, 1, "B", "requested")
    return pool


def test_the_sample_represents_every_officer_and_matter_type_and_every_mandatory_one() -> None:
    pool = _pool()
    chosen = choose_sample(pool, share=5, seed=7)
    by_id = {c.visit_id: c for c in pool}
    assert {by_id[i].officer_id for i in chosen} == {1, 2, 3}
    assert {by_id[i].item_code for i in chosen} == {"A", "B", "C"}
    assert chosen[6] == "bad" and chosen[71] == "requested"
    assert len(chosen) == 5  # ceil(5% of 100); coverage and mandatory fit inside it


def test_the_share_is_allocated_in_proportion_to_the_strata() -> None:
    pool = _pool()
    chosen = choose_sample(pool, share=50, seed=3)
    by_id = {c.visit_id: c for c in pool}
    assert len(chosen) == 50
    per_stratum: dict[tuple[int, str], int] = {}
    for i in chosen:
        key = (by_id[i].officer_id, by_id[i].item_code)
        per_stratum[key] = per_stratum.get(key, 0) + 1
    # 60 of 100 → about 30; 20 → 10; 15 → 7 or 8; 4 → 2; 1 → 1 (coverage).
    assert 29 <= per_stratum[(1, "A")] <= 31
    assert 9 <= per_stratum[(1, "B")] <= 11
    assert 7 <= per_stratum[(2, "A")] <= 8
    assert per_stratum[(3, "C")] == 1


def test_a_small_day_with_many_matter_types_is_sampled_at_the_setting_not_covered_whole() -> None:
    # 20 finished matters of 10 types by 4 officers: covering every type would call half.
    pool = [Candidate(i, 1 + i % 4, f"T{i % 10}") for i in range(1, 21)]
    for seed in range(20):
        chosen = choose_sample(pool, share=10, seed=seed)
        assert len(chosen) == 2  # ceil(10% of 20)
        by_id = {c.visit_id: c for c in pool}
        assert len({by_id[i].officer_id for i in chosen}) == 2  # two officers, not one twice
    # Over many draws every officer is called, not always the first two in badge order.
    drawn = {
        next(c.officer_id for c in pool if c.visit_id == i)
        for seed in range(20)
        for i in choose_sample(pool, share=10, seed=seed)
    }
    assert drawn == {1, 2, 3, 4}


def test_the_same_seed_draws_the_same_sample_and_another_seed_another() -> None:
    pool = _pool()
    assert choose_sample(pool, 10, 123) == choose_sample(list(reversed(pool)), 10, 123)
    assert set(choose_sample(pool, 10, 123)) != set(choose_sample(pool, 10, 124))


def test_mandatory_calls_exceed_the_share_when_they_must() -> None:
    pool = [Candidate(i, 1, "A", "bad") for i in range(1, 11)]
    assert len(choose_sample(pool, 1, 1)) == 10
    assert choose_sample([], 10, 1) == {}


# ---- the sampler against the database ---------------------------------------------------


def test_sampling_calls_every_bad_rating_and_requested_call_and_never_the_handler(
    desk: Desk,
    services: Services,
    db,  # type: ignore[no-untyped-def]
) -> None:
    bad = desk.finish(desk.a, "ZM-BGGZ")
    services.ratings.rate_on_site(desk.a, bad, on_site(2))
    asked = desk.finish(desk.b, "HJ-CS")
    services.ratings.rate_on_site(desk.b, asked, on_site(5, requested=True))
    for _ in range(20):
        desk.finish(desk.a, "ZM-BGGZ")
    for _ in range(5):
        desk.finish(desk.b, "ZM-BGGZ")
    desk.finish(desk.c, "JZ-DJ")
    no_phone = desk.finish(desk.c, "JZ-DJ", phone_no="")

    result = services.callbacks.sample(desk.chief, DAY, share=10, seed=99)

    rows = callbacks(db)
    reasons = {c.visit_id: c.reason for c in rows}
    assert reasons[bad] == "bad" and reasons[asked] == "requested"
    assert no_phone not in reasons
    assert result.eligible == 28 and result.without_phone == 1 and result.mandatory == 2
    assert result.sampled == len(rows) >= 3  # ceil(10% of 28) = 3, plus coverage
    owners = {desk.a.officer_id, desk.b.officer_id, desk.c.officer_id}
    with db.sessions() as session:
        from db.models import Visit

        for c in rows:
            visit = session.get(Visit, c.visit_id)
            assert visit is not None
            assert c.assigned_to_id not in {visit.owner_id, visit.first_officer_id}
        sampled_owners = {session.get(Visit, c.visit_id).owner_id for c in rows}  # type: ignore[union-attr]
    assert sampled_owners == owners
    assert all(c.kind == "phone" and c.state == "pending" for c in rows)


def test_a_matter_handed_over_is_called_by_neither_officer(
    desk: Desk,
    services: Services,
    db,  # type: ignore[no-untyped-def]
) -> None:
    item = desk.items["ZM-BGGZ"]
    v = services.visits.register(
        desk.a,
        NewVisit(
            "赵某", IdType.RESIDENT, IDS[0], "13805710011", item, name_choice=NameChoice.CURRENT
        ),
    )
    v = services.visits.request_handover(
        desk.a, v.row.id, v.row.row_version, desk.b.officer_id, "午休换班"
    )
    pending = services.visits.handovers(desk.b)[0]
    v = services.visits.accept_handover(desk.b, pending.id)
    services.visits.complete_on_the_spot(desk.b, v.row.id, v.row.row_version, "已办结")
    services.callbacks.sample(desk.chief, DAY, share=100, seed=1)
    (only,) = callbacks(db)
    assert only.assigned_to_id not in {desk.a.officer_id, desk.b.officer_id}


def test_the_same_seed_on_the_same_data_samples_the_same_matters(
    desk: Desk,
    services: Services,
    db,
    db_path: Path,
    clock: FixedClock,
    hashing,  # type: ignore[no-untyped-def]
) -> None:
    for i in range(30):
        desk.finish((desk.a, desk.b, desk.c)[i % 3], ("ZM-BGGZ", "HJ-CS", "JZ-DJ")[i % 2])
    copy = db_path.with_name("copy.sqlite3")
    db.dispose()
    shutil.copy(db_path, copy)
    services.callbacks.sample(desk.chief, DAY, share=20, seed=2025)
    first = {(c.visit_id, c.reason) for c in callbacks(db)}
    other = open_database(copy)
    try:
        again = build_services(other.sessions, clock, hashing)
        again.callbacks.sample(desk.chief, DAY, share=20, seed=2025)
        second = {(c.visit_id, c.reason) for c in callbacks(other)}
    finally:
        other.dispose()
    assert first == second and len(first) == 6


def test_sampling_is_for_supervisors_once_per_period_and_never_the_future(
    desk: Desk,
    services: Services,
    count,  # type: ignore[no-untyped-def]
) -> None:
    desk.finish(desk.a, "ZM-BGGZ")
    with pytest.raises(PermissionDenied, match="所长或副所长"):
        services.callbacks.sample(desk.a, DAY)
    with pytest.raises(ValidationError, match="未来"):
        services.callbacks.sample(desk.chief, DAY, DAY + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="早于"):
        services.callbacks.sample(desk.chief, DAY, DAY - dt.timedelta(days=1))
    services.callbacks.sample(desk.chief, DAY, seed=1)
    with pytest.raises(ConflictError, match="已经抽样过"):
        services.callbacks.sample(desk.chief, DAY - dt.timedelta(days=3), DAY, seed=1)
    assert count(Callback) == 1


# ---- attempts, ratings, pressure, home visits --------------------------------------------


def _login(services: Services, officer_id: int, desk: Desk) -> SessionUser:
    for user in (desk.a, desk.b, desk.c, desk.chief):
        if user.officer_id == officer_id:
            return user
    raise AssertionError(officer_id)


def test_only_the_assignee_logs_attempts_and_three_unanswered_calls_end_it(
    desk: Desk,
    services: Services,
    db,
    count,  # type: ignore[no-untyped-def]
) -> None:
    desk.finish(desk.a, "ZM-BGGZ")
    services.callbacks.sample(desk.chief, DAY, share=100, seed=1)
    (row,) = services.callbacks.worklist(desk.chief, everyone=True)
    caller = _login(services, row.assigned_to_id, desk)
    with pytest.raises(PermissionDenied, match="被指派"):
        services.callbacks.log_attempt(desk.a, row.id, row.row_version, "no_answer")
    with pytest.raises(ValidationError, match="回访结果"):
        services.callbacks.log_attempt(caller, row.id, row.row_version, "busy")
    for n in range(3):
        row = services.callbacks.log_attempt(caller, row.id, row.row_version, "no_answer", "无人接")
        assert row.state == ("unreachable" if n == 2 else "pending")
    assert [a.outcome_label for a in row.attempts] == ["无人接听"] * 3
    with pytest.raises(ConflictError, match="已经结束"):
        services.callbacks.log_attempt(caller, row.id, row.row_version, "no_answer")
    assert count(CallbackAttempt) == 3


def test_a_reached_citizen_rates_and_a_much_lower_phone_rating_flags_pressure(
    desk: Desk,
    services: Services,
    db,  # type: ignore[no-untyped-def]
) -> None:
    visit = desk.finish(desk.a, "ZM-BGGZ")
    services.ratings.rate_on_site(desk.a, visit, on_site(5))
    services.callbacks.sample(desk.chief, DAY, share=100, seed=1)
    (row,) = services.callbacks.worklist(desk.chief, everyone=True)
    caller = _login(services, row.assigned_to_id, desk)
    with pytest.raises(ValidationError, match="评价"):
        services.callbacks.log_attempt(caller, row.id, row.row_version, "reached")
    row = services.callbacks.log_attempt(caller, row.id, row.row_version, "reached", "", phone(3))
    assert row.state == "reached" and row.pressure
    assert row.on_site_level == "非常满意" and row.callback_level == "基本满意"
    with db.sessions() as session:
        kinds = sorted(r.kind for r in session.scalars(select(Rating)))
    assert kinds == ["on_site", "phone"]


def test_one_level_lower_is_not_pressure(desk: Desk, services: Services) -> None:
    visit = desk.finish(desk.a, "ZM-BGGZ")
    services.ratings.rate_on_site(desk.a, visit, on_site(5))
    services.callbacks.sample(desk.chief, DAY, share=100, seed=1)
    (row,) = services.callbacks.worklist(desk.chief, everyone=True)
    caller = _login(services, row.assigned_to_id, desk)
    row = services.callbacks.log_attempt(caller, row.id, row.row_version, "reached", "", phone(4))
    assert not row.pressure


def test_a_bad_phone_rating_opens_a_rectification_and_a_home_visit_by_the_chief(
    desk: Desk,
    services: Services,
    db,  # type: ignore[no-untyped-def]
) -> None:
    visit = desk.finish(desk.a, "ZM-BGGZ")
    services.ratings.rate_on_site(desk.a, visit, on_site(4))
    services.callbacks.sample(desk.chief, DAY, share=100, seed=1)
    (row,) = services.callbacks.worklist(desk.chief, everyone=True)
    caller = _login(services, row.assigned_to_id, desk)
    row = services.callbacks.log_attempt(caller, row.id, row.row_version, "reached", "", phone(1))
    assert row.pressure  # 满意 on site, 非常不满意 on the phone
    with db.sessions() as session:
        rect = session.scalars(select(Rectification)).one()
        assert rect.rated_officer_id == desk.a.officer_id
    home = [c for c in services.callbacks.worklist(desk.chief) if c.kind == "home"]
    assert len(home) == 1 and home[0].reason_label == "回访不满意"
    assert home[0].due_date == dt.date(2025, 10, 13)  # 5 working days after 9-29 (国庆)
    done = services.callbacks.log_attempt(
        desk.chief, home[0].id, home[0].row_version, "reached", "上门解释", phone(4)
    )
    assert done.state == "reached" and done.callback_level == "满意"
    assert [a.outcome_label for a in done.attempts] == ["见到本人"]


def test_callbacks_are_never_reassigned_to_a_handler(desk: Desk, services: Services) -> None:
    desk.finish(desk.a, "ZM-BGGZ")
    services.callbacks.sample(desk.chief, DAY, share=100, seed=1)
    (row,) = services.callbacks.worklist(desk.chief, everyone=True)
    with pytest.raises(ValidationError, match="经办过该事项"):
        services.callbacks.reassign(desk.chief, row.id, row.row_version, desk.a.officer_id)
    allowed = {i for i, _ in services.callbacks.callers(desk.chief, row.id)}
    assert desk.a.officer_id not in allowed and desk.b.officer_id in allowed
    row = services.callbacks.reassign(desk.chief, row.id, row.row_version, desk.b.officer_id)
    assert row.assigned_to == "乙民警"
    with pytest.raises(PermissionDenied):
        services.callbacks.reassign(desk.b, row.id, row.row_version, desk.c.officer_id)


def test_the_full_phone_number_is_for_the_caller_only_and_audited(
    desk: Desk,
    services: Services,
    audit_log,  # type: ignore[no-untyped-def]
) -> None:
    desk.finish(desk.a, "ZM-BGGZ")
    services.callbacks.sample(desk.chief, DAY, share=100, seed=1)
    (row,) = services.callbacks.worklist(desk.chief, everyone=True)
    assert row.phone_masked == "138****0011"
    caller = _login(services, row.assigned_to_id, desk)
    other = desk.a if caller is not desk.a else desk.b
    detail = "电话回访群众对办证的评价"
    with pytest.raises(PermissionDenied):
        services.callbacks.reveal_phone(other, row.id, "回访联系", detail)
    events = len(audit_log())
    with pytest.raises(ValidationError) as caught:
        services.callbacks.reveal_phone(caller, row.id, "回访联系", "看看")
    assert caught.value.field == "detail"
    with pytest.raises(ValidationError) as caught:
        services.callbacks.reveal_phone(caller, row.id, "核查身份", detail)
    assert caught.value.field == "purpose" and "回访联系" in caught.value.message
    assert len(audit_log()) == events

    assert services.callbacks.reveal_phone(caller, row.id, "回访联系", detail) == "13805710011"
    event = audit_log()[-1]
    assert event["action"] == "phone_revealed"
    assert event["after"] == {"purpose": "回访联系", "detail": detail, "callback": row.id}


def test_overdue_callbacks_are_marked(desk: Desk, services: Services, clock: FixedClock) -> None:
    desk.finish(desk.a, "ZM-BGGZ")
    services.callbacks.sample(desk.chief, DAY, share=100, seed=1)
    (row,) = services.callbacks.worklist(desk.chief, everyone=True)
    assert row.due_date == dt.date(2025, 10, 9) and not row.overdue  # 2 working days, 国庆
    clock.advance(dt.timedelta(days=11))
    assert services.callbacks.worklist(desk.chief, everyone=True)[0].overdue


# ---- coverage ---------------------------------------------------------------------------


def test_coverage_per_period_on_hand_computed_data(
    desk: Desk, services: Services, clock: FixedClock
) -> None:
    """Day 1: 4 sampled, 3 called, 2 reached. Day 2: 2 sampled, none called."""
    for _ in range(4):
        desk.finish(desk.a, "ZM-BGGZ")
    services.callbacks.sample(desk.chief, DAY, share=100, seed=1)
    rows = services.callbacks.worklist(desk.chief, everyone=True)
    for row, outcome in zip(rows, ("reached", "reached", "wrong_number"), strict=False):
        caller = _login(services, row.assigned_to_id, desk)
        services.callbacks.log_attempt(
            caller, row.id, row.row_version, outcome, "", phone(5) if outcome == "reached" else None
        )
    clock.advance(dt.timedelta(days=1))
    for _ in range(2):
        desk.finish(desk.b, "HJ-CS")
    services.callbacks.sample(desk.chief, DAY + dt.timedelta(days=1), share=100, seed=1)

    day1, day2, total = services.callbacks.coverage(desk.chief, DAY, DAY + dt.timedelta(days=1))
    assert (day1.label, day1.sampled, day1.called, day1.reached) == ("2025年9月29日", 4, 3, 2)
    assert day1.call_rate == 0.75 and day1.reach_rate == pytest.approx(2 / 3)
    assert (day2.sampled, day2.called, day2.reached, day2.reach_rate) == (2, 0, 0, None)
    assert (total.sampled, total.called, total.reached) == (6, 3, 2)
    assert total.call_rate == 0.5
    (empty,) = services.callbacks.coverage(
        desk.chief, DAY + dt.timedelta(days=5), DAY + dt.timedelta(days=6)
    )
    assert (empty.label, empty.sampled, empty.call_rate) == ("合计", 0, None)


def test_home_visits_can_be_scheduled_by_the_chief_for_a_finished_matter(
    desk: Desk, services: Services
) -> None:
    visit = desk.finish(desk.a, "ZM-BGGZ")
    with pytest.raises(PermissionDenied):
        services.callbacks.schedule_home_visit(desk.b, visit)
    with pytest.raises(ValidationError, match="经办过"):
        services.callbacks.schedule_home_visit(desk.chief, visit, desk.a.officer_id)
    row = services.callbacks.schedule_home_visit(desk.chief, visit, desk.c.officer_id)
    assert (row.kind_label, row.reason_label, row.assigned_to) == ("上门回访", "所长安排", "丙辅警")
    with pytest.raises(ConflictError, match="已经安排过"):
        services.callbacks.schedule_home_visit(desk.chief, visit)
