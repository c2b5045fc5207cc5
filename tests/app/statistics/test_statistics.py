"""统计: every figure of the chief's statistics against a small fixture computed by hand.

The fixture (the test clock starts on Monday 2025-09-29, 10:00 Beijing; 10-01 to 10-08 is the
National Day holiday, 10-11 a make-up working day):

Officers, in badge order: 王所长 (chief, does nothing himself), 甲 (window), 乙 (window),
丙 (auxiliary), 丁 (window, does nothing), 戊 (window, one matter, then deactivated),
己 (window, deactivated, nothing: no row), 赵副所长 (deputy, only a complaint about him).

Matters: BG = ZM-BGGZ (on the spot), WFZ = ZM-WFZ (3 working days), ZC = ZX-ZC (answered).
Wait = start − arrival, service = end − start, in minutes. Every wait below was stamped with
开始 (F6), except V10 and V12: questions answered by the registering officer without a key,
whose service starts at the arrival, so their wait is unknown (—), not 0.

  visit reg.   first→owner  matter wait svc  how it ends                         on-site rating
  V1    09-29  甲           BG     5    10   completed 09-29 (due 09-29)         5
  V2    09-29  甲           BG     15   20   completed 09-29                     4, dims 2: 差评, R1
  V3    09-29  甲           ZC     10   6    answered 09-29 (no due date)        3
  V4    09-29  甲           WFZ    20   8    accepted 09-29 (due 10-10), 结束 marked after 8 min;
                                              completed 10-13: overdue
  V9    09-29  丙→甲        WFZ    30   12   丙 hands over to 甲; 甲 completes 09-30 (on time)
  V10   09-29  戊           ZC     —    4    answered 09-29
  V5    09-29  乙           WFZ    8    7    notice N1; back 09-30 with all; completed 09-30;
                                              declined to rate
  V6    09-29  乙           WFZ    2    3    notice N2; breach 09-30; back 09-30 (due 10-11);
                                              completed 10-13: overdue
  V7    09-29  乙           BG     6    4    completed 09-29                     2: 差评 → R2
  V8    09-29  乙           BG     —    —    voided: never counted
  V11   10-13  甲           BG     3    5    completed 10-13                     5
  V12   10-13  乙           ZC     —    1    answered 10-13                      1: 差评 → R3
  V13   10-13  乙           WFZ    12   —    accepted 10-13 (due 10-16), still open on 10-20

Rectifications: R1 (甲, due 10-13) closed 09-30: on time; R2 (乙, due 10-13) closed 10-20: late.
Callbacks: sampling of 09-29 at 100 % = V1 V2 V3 V7 V10. V1 reached; V2 no answer; V3 never
called; V7 wrong number; V10 refused → sampled 5, called 4, reached 1. Sampling of 10-13 =
V4 V6 V11 V12, nobody called yet.
Complaints (投诉): K1 甲 09-29 on V1, 属实/改进; K2 甲 09-15, 不属实/澄清正名; K3 乙 09-20,
部分属实, not handled; K4 no officer 09-29; K5 赵副所长 09-29; K6 甲 08-31; K7 乙 10-13,
属实/追责. A praise letter for 甲 on 09-29 never counts.

September by officer (the chief looking):
                     甲            乙            丙      戊      丁/王所长/赵副所长
  visits             4             3             1       1       0
  finished/on time   4/4           2/2           0/0     1/1     0
  waits              5 15 10 20    8 2 6         30      —       —
    mean / median    12.5 / 12.5   16/3 / 6      30/30   None    None
  services           10 20 6 8     7 3 4         12      4       —
    mean / median    11 / 9        14/3 / 4      12/12   4/4     None
  notices/one visit  0/0 (None)    2/1 (50 %)    0       0
  breaches           0             1             0       0
  rated/satisf/strict/bad/declined
                     3/3/2/1/0     1/0/0/1/1     0       0
  callbacks s/c/r    3/2/1         1/1/0         0       1/1/0
  complaints         甲 2: 属实1 不属实1, 改进1 澄清正名1; 乙 1: 部分属实, 未处理;
                     赵副所长 1: 未核实, 未处理
  rect closed/on time 1/1          0             0       0
September total: visits 9, finished 7 (all on time), waits 2 5 6 8 10 15 20 30 → mean 96/8,
median 9 (8 of 9 timed with a key: all but V10); services 3 4 4 6 7 8 10 12 20 → mean 74/9,
median 7; notices 2, one visit 1 (50 %);
breaches 1; rated 4, satisfied 3 (75 %), strict 2 (50 %), 差评 2, declined 1; callbacks 5/4/1
(80 %, 25 %); complaints 5 (属实1 部分属实1 不属实1 未核实2; 改进1 澄清正名1 未处理3);
rectifications closed 1, on time 1.
September by matter: BG visits 3, finished 3, waits 5 15 6 (26/3, 6), services 10 20 4 (34/3,
10), rated 3 satisfied 2 strict 2 bad 2, callbacks 3/3/1, complaints 1 (K1), rect 1/1.
WFZ visits 4, finished 2, waits 20 30 8 2 (15, 14), services 8 12 7 3 (7.5, 7.5), notices 2/1,
breaches 1, declined 1. ZC visits 2, finished 2, waits 10 (10, 10), services 6 4 (5, 5), rated 1
satisfied 1 strict 0, callbacks 2/1/0.
October (on 10-20): visits 3 (甲 1, 乙 2); finished 4 (甲: V4 late, V11; 乙: V6 late, V12) → on
time 2, overdue 2; open overdue 1 (乙, V13); waits 3 12 (7.5, 7.5); services 5 1 (3, 3); rated 2
(satisfied 1, strict 1, 差评 1); callbacks 4/0/0 (call 0 %, reach None); complaints 1
(乙 属实/追责); rectifications closed 1, on time 0.
红黑榜 September (threshold lowered to 3): station rates S 0.75, T 1.0, O 0.5, R 0.25.
  甲: 100 × (0.4×1 + 0.3×1 + 0.2×0.5[station] + 0.1×0.5) − 2×1 − 0 − 5×1 = 85 − 7 = 78
  乙: 100 × (0.4×0 + 0.3×1 + 0.2×0.5 + 0.1×0) − 2×1 − 3×1 − 5×1 = 40 − 10 = 30
  → 甲 1 红榜, 乙 2 黑榜; the rest 不参与排名 by pinyin: 丙辅警 丁民警 王所长 戊民警 赵副所长.
October: station O and R have no data → 100 % for everyone.
  甲: 100 × (0.4×1 + 0.3×0.5 + 0.2 + 0.1) = 85;  乙: 100 × (0 + 0.15 + 0.2 + 0.1) − 2 − 5 = 38.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections.abc import Callable

import pytest
from PIL import Image

from app.complaints.service import NewComplaint
from app.core.clock import FixedClock
from app.core.database import Database
from app.core.dto import SessionUser
from app.core.errors import PermissionDenied, ValidationError
from app.core.identity import IdType
from app.core.roles import Role
from app.notices.dto import NewNotice
from app.ratings.service import RatingInput
from app.services import Services
from app.statistics import service as statistics_service
from app.statistics.service import (
    DEFINITIONS,
    FINDINGS,
    OUTCOMES,
    RANKING_FORMULA,
    STEPS,
    StatisticsService,
    StatRow,
    check_period,
    format_minutes,
    format_rate,
    period,
    period_text,
    rank_officers,
)
from app.visits.dto import NameChoice, NewVisit
from tests.app.helpers import has_chinese

BEIJING = dt.timezone(dt.timedelta(hours=8))
DIMS = ("办事效率", "服务态度", "办理结果", "规范廉洁")
IDS = ("11010519491231002X", "440308199001011239", "320102198506153418")
NAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许"
SEPT = (dt.date(2025, 9, 1), dt.date(2025, 9, 30))
OCT = (dt.date(2025, 10, 1), dt.date(2025, 10, 31))
ZERO_FINDINGS = tuple((f, 0) for f in FINDINGS)
ZERO_OUTCOMES = tuple((o, 0) for o in OUTCOMES)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(out, format="PNG")
    return out.getvalue()


def on_site(overall: int, each: int | None = None) -> RatingInput:
    level = overall if each is None else each
    return RatingInput(
        overall=overall,
        dimensions=tuple((d, level) for d in DIMS),
        signer_name="群众",
        strokes=(((1.0, 1.0, 0.5), (30.0, 20.0, 0.5)),),
        png=_png(),
    )


def by_phone(level: int) -> RatingInput:
    return RatingInput(overall=level, dimensions=tuple((d, level) for d in DIMS))


def findings(**counts: int) -> tuple[tuple[str, int], ...]:
    return tuple((f, counts.get(f, 0)) for f in FINDINGS)


def outcomes(**counts: int) -> tuple[tuple[str, int], ...]:
    return tuple((o, counts.get(o, 0)) for o in OUTCOMES)


class World:
    """The fixture of the module docstring, built through the real services."""

    def __init__(
        self,
        services: Services,
        db: Database,
        chief: SessionUser,
        make_officer: Callable[..., SessionUser],
        clock: FixedClock,
    ) -> None:
        self.s, self.chief, self.clock = services, chief, clock
        self.a = make_officer(Role.WINDOW, "甲民警")
        self.b = make_officer(Role.WINDOW, "乙民警")
        self.c = make_officer(Role.AUXILIARY, "丙辅警")
        self.d = make_officer(Role.WINDOW, "丁民警")
        self.e = make_officer(Role.WINDOW, "戊民警")
        self.f = make_officer(Role.WINDOW, "己民警")
        self.g = make_officer(Role.DEPUTY, "赵副所长")
        people = (chief, self.a, self.b, self.c, self.d, self.e, self.f, self.g)
        self.users = {u.officer_id: u for u in people}
        self.items = {
            code: services.catalogue.list_items(code)[0].item_id
            for code in ("ZM-BGGZ", "ZM-WFZ", "ZX-ZC")
        }
        self.n = 0
        self.stats = StatisticsService(db.sessions, clock)
        self.v: dict[str, int] = {}
        self.build()

    # ---- steps ------------------------------------------------------------------------

    def at(self, month: int, day: int) -> None:
        target = dt.datetime(2025, month, day, 10, 0, tzinfo=BEIJING)
        assert target >= self.clock.now()
        self.clock.advance(target - self.clock.now())

    def minutes(self, n: int) -> None:
        self.clock.advance(dt.timedelta(minutes=n))

    def rv(self, user: SessionUser, visit_id: int) -> int:
        return self.s.visits.get(user, visit_id).row.row_version

    def register(self, user: SessionUser, code: str, waited: int) -> int:
        self.n += 1
        arrived = self.clock.now() - dt.timedelta(minutes=waited)
        return self.s.visits.register(
            user,
            NewVisit(
                f"{NAMES[self.n % len(NAMES)]}某",
                IdType.RESIDENT,
                IDS[self.n % 3],
                "13805710011",
                self.items[code],
                arrived_at=arrived,
                name_choice=NameChoice.CURRENT,  # three test ID numbers under many names
            ),
        ).row.id

    def start(self, user: SessionUser, vid: int) -> None:
        """开始 (F6) pressed as the officer takes the citizen up."""
        self.s.visits.mark_time(user, vid, self.rv(user, vid), "started")

    def served(self, user: SessionUser, code: str, waited: int, service: int, how: str) -> int:
        vid = self.register(user, code, waited)
        self.s.visits.mark_time(user, vid, self.rv(user, vid), "started")
        self.minutes(service)
        if how == "spot":
            self.s.visits.complete_on_the_spot(user, vid, self.rv(user, vid), "已办结")
        else:
            self.s.visits.answer(user, vid, self.rv(user, vid), "已当场答复")
        return vid

    def notice(self, user: SessionUser, vid: int) -> int:
        draft = self.s.notices.draft(user, vid)
        items = tuple(
            dataclasses.replace(i, state="missing") if n == 0 else i
            for n, i in enumerate(draft.items)
        )
        new = NewNotice(vid, draft.row_version, items, signature_declined_note="群众拒绝签字")
        return self.s.notices.issue(user, new).id

    def back_with_everything(self, user: SessionUser, vid: int) -> None:
        notice = self.s.notices.for_visit(user, vid)[0]
        owed = [i.id for i in notice.items if i.owed]
        self.s.notices.record_return(user, notice.id, notice.row_version, owed)

    def complaint(self, officer: SessionUser | None, day: dt.date, serial: str = "") -> int:
        return self.s.complaints.record(
            self.d,
            NewComplaint(
                kind="complaint",
                channel="12345",
                received_on=day,
                content="办事时民警态度生硬",
                complainant_name="王小明",
                complainant_phone="13805710011",
                officer_id=officer.officer_id if officer else None,
                visit_serial=serial,
            ),
        ).id

    def verify(self, cid: int, finding: str, outcome: str = "") -> None:
        row = self.s.complaints.verify(
            self.chief, cid, self.s.complaints.get(self.chief, cid).row_version, finding, "已核实"
        )
        if outcome:
            self.s.complaints.handle(self.chief, cid, row.row_version, outcome, "已处理")

    def close_rectification(self, vid: int) -> None:
        serial = self.s.visits.get(self.chief, vid).row.serial
        rect = next(
            r for r in self.s.rectifications.rectifications(self.chief) if r.visit_serial == serial
        )
        rectifications = self.s.rectifications
        rect = rectifications.verify(self.chief, rect.id, rect.row_version, "态度问题")
        rect = rectifications.rectify(self.chief, rect.id, rect.row_version, "批评教育", "已改进")
        rect = rectifications.record_follow_up(self.chief, rect.id, rect.row_version, by_phone(4))
        rectifications.close(self.chief, rect.id, rect.row_version)

    def call(self, vid: int, outcome: str) -> None:
        row = next(
            r
            for r in self.s.callbacks.worklist(self.chief, everyone=True, include_done=True)
            if r.visit_id == vid
        )
        caller = self.users[row.assigned_to_id]
        rating = by_phone(5) if outcome == "reached" else None
        self.s.callbacks.log_attempt(caller, row.id, row.row_version, outcome, rating=rating)

    # ---- the story --------------------------------------------------------------------

    def build(self) -> None:
        self.monday_29_september()
        self.tuesday_30_september()
        self.monday_13_october()
        self.monday_20_october()

    def monday_29_september(self) -> None:
        s, a, b, c, v = self.s, self.a, self.b, self.c, self.v
        # Monday 09-29.
        v["V1"] = self.served(a, "ZM-BGGZ", 5, 10, "spot")
        s.ratings.rate_on_site(a, v["V1"], on_site(5))
        v["V2"] = self.served(a, "ZM-BGGZ", 15, 20, "spot")
        s.ratings.rate_on_site(a, v["V2"], on_site(4, 2))
        v["V3"] = self.served(a, "ZX-ZC", 10, 6, "answer")
        s.ratings.rate_on_site(a, v["V3"], on_site(3))
        v["V4"] = self.register(a, "ZM-WFZ", 20)
        self.start(a, v["V4"])
        s.visits.accept(a, v["V4"], self.rv(a, v["V4"]))
        self.minutes(8)
        s.visits.mark_time(a, v["V4"], self.rv(a, v["V4"]), "ended")

        v["V9"] = self.register(c, "ZM-WFZ", 30)
        self.start(c, v["V9"])
        s.visits.accept(c, v["V9"], self.rv(c, v["V9"]))
        self.minutes(12)
        s.visits.mark_time(c, v["V9"], self.rv(c, v["V9"]), "ended")
        offered = s.visits.request_handover(c, v["V9"], self.rv(c, v["V9"]), a.officer_id, "换班")
        assert offered.pending_handover is not None
        s.visits.accept_handover(a, offered.pending_handover.id)

        v["V10"] = self.register(self.e, "ZX-ZC", 4)
        s.visits.answer(self.e, v["V10"], self.rv(self.e, v["V10"]), "已答复")
        s.officers.set_active(self.chief, self.e.officer_id, False)
        s.officers.set_active(self.chief, self.f.officer_id, False)

        v["V5"] = self.register(b, "ZM-WFZ", 8)
        self.start(b, v["V5"])
        self.notice(b, v["V5"])
        self.minutes(7)
        s.visits.mark_time(b, v["V5"], self.rv(b, v["V5"]), "ended")
        v["V6"] = self.register(b, "ZM-WFZ", 2)
        self.start(b, v["V6"])
        self.notice(b, v["V6"])
        self.minutes(3)
        s.visits.mark_time(b, v["V6"], self.rv(b, v["V6"]), "ended")
        v["V7"] = self.served(b, "ZM-BGGZ", 6, 4, "spot")
        s.ratings.rate_on_site(b, v["V7"], on_site(2))
        v["V8"] = self.register(b, "ZM-BGGZ", 0)
        s.visits.void(b, v["V8"], self.rv(b, v["V8"]), "登记错误")

        k1 = self.complaint(a, dt.date(2025, 9, 29), s.visits.get(a, v["V1"]).row.serial)
        k2 = self.complaint(a, dt.date(2025, 9, 15))
        k3 = self.complaint(b, dt.date(2025, 9, 20))
        self.complaint(None, dt.date(2025, 9, 29))
        self.complaint(self.g, dt.date(2025, 9, 29))
        self.complaint(a, dt.date(2025, 8, 31))
        s.complaints.record(
            self.d,
            NewComplaint(
                "praise", "当面", dt.date(2025, 9, 29), "热情周到", officer_id=a.officer_id
            ),
        )
        self.verify(k1, "属实", "改进")
        self.verify(k2, "不属实", "澄清正名")
        self.verify(k3, "部分属实")

    def tuesday_30_september(self) -> None:
        s, a, b, c, v = self.s, self.a, self.b, self.c, self.v
        # Tuesday 09-30.
        self.at(9, 30)
        self.back_with_everything(b, v["V5"])
        s.visits.complete(b, v["V5"], self.rv(b, v["V5"]), "已出具")
        s.ratings.rate_on_site(b, v["V5"], RatingInput(None, declined=True))
        n2 = s.notices.for_visit(b, v["V6"])[0]
        s.notices.record_breach(c, n2.id, "单位在职证明", "用途单位新要求")
        self.back_with_everything(b, v["V6"])
        s.visits.complete(a, v["V9"], self.rv(a, v["V9"]), "已出具")
        self.close_rectification(v["V2"])
        s.callbacks.sample(self.chief, dt.date(2025, 9, 29), share=100, seed=1)
        self.call(v["V1"], "reached")
        self.call(v["V2"], "no_answer")
        self.call(v["V7"], "wrong_number")
        self.call(v["V10"], "refused")

    def monday_13_october(self) -> None:
        s, a, b, v = self.s, self.a, self.b, self.v
        # Monday 10-13, after the holiday.
        self.at(10, 13)
        s.visits.complete(a, v["V4"], self.rv(a, v["V4"]), "已出具")
        s.visits.complete(b, v["V6"], self.rv(b, v["V6"]), "已出具")
        v["V11"] = self.served(a, "ZM-BGGZ", 3, 5, "spot")
        s.ratings.rate_on_site(a, v["V11"], on_site(5))
        v["V12"] = self.register(b, "ZX-ZC", 1)
        s.visits.answer(b, v["V12"], self.rv(b, v["V12"]), "已答复")
        s.ratings.rate_on_site(b, v["V12"], on_site(1))
        v["V13"] = self.register(b, "ZM-WFZ", 12)
        self.start(b, v["V13"])
        s.visits.accept(b, v["V13"], self.rv(b, v["V13"]))
        self.verify(self.complaint(b, dt.date(2025, 10, 13)), "属实", "追责")

    def monday_20_october(self) -> None:
        s, v = self.s, self.v
        # Monday 10-20.
        self.at(10, 20)
        self.close_rectification(v["V7"])
        s.callbacks.sample(self.chief, dt.date(2025, 10, 13), share=100, seed=1)


@pytest.fixture
def world(
    services: Services,
    db: Database,
    chief: SessionUser,
    make_officer: Callable[..., SessionUser],
    clock: FixedClock,
) -> World:
    return World(services, db, chief, make_officer, clock)


def rows(stats: statistics_service.Statistics) -> dict[str, StatRow]:
    return {r.label: r for r in stats.by_officer}


def matters(stats: statistics_service.Statistics) -> dict[str, StatRow]:
    return {r.code: r for r in stats.by_matter}


def test_the_fixture_has_the_dates_the_table_assumes(world: World) -> None:
    get = world.s.visits.get
    chief = world.chief
    assert get(chief, world.v["V1"]).row.due_date == dt.date(2025, 9, 29)
    assert get(chief, world.v["V3"]).row.due_date is None
    assert get(chief, world.v["V4"]).row.due_date == dt.date(2025, 10, 10)
    assert get(chief, world.v["V6"]).row.due_date == dt.date(2025, 10, 11)
    assert get(chief, world.v["V13"]).row.due_date == dt.date(2025, 10, 16)
    assert {
        r.visit_serial: r.rectify_due for r in world.s.rectifications.rectifications(chief)
    } == {
        get(chief, world.v["V2"]).row.serial: dt.date(2025, 10, 13),
        get(chief, world.v["V7"]).row.serial: dt.date(2025, 10, 13),
        get(chief, world.v["V12"]).row.serial: dt.date(2025, 10, 20),
    }


def test_september_per_officer(world: World) -> None:
    stats = world.stats.compute(world.chief, *SEPT)
    assert stats.label == "2025年9月" and (stats.start, stats.end) == SEPT
    by = rows(stats)
    # Every active officer who handles matters, plus 戊 (inactive, but worked); never 己.
    assert [r.label for r in stats.by_officer] == [
        "王所长",
        "甲民警",
        "乙民警",
        "丙辅警",
        "丁民警",
        "戊民警",
        "赵副所长",
    ]
    assert by["戊民警"].note == "窗口民警（已停用）" and by["丙辅警"].note == "辅警"

    a = by["甲民警"]
    assert (a.visits, a.finished, a.on_time, a.overdue, a.open_overdue) == (4, 4, 4, 0, 0)
    assert a.on_time_rate == 1.0
    assert (a.waited, a.wait_mean, a.wait_median) == (4, 12.5, 12.5)
    assert (a.served, a.service_mean, a.service_median) == (4, 11.0, 9.0)
    assert (a.notices, a.one_visit, a.one_visit_rate, a.breaches) == (0, 0, None, 0)
    assert (a.rated, a.satisfied, a.strict, a.bad, a.declined) == (3, 3, 2, 1, 0)
    assert a.satisfaction_rate == 1.0 and a.strict_rate == pytest.approx(2 / 3)
    assert (a.callbacks_sampled, a.callbacks_called, a.callbacks_reached) == (3, 2, 1)
    assert a.call_rate == pytest.approx(2 / 3) and a.reach_rate == 0.5
    assert a.complaints == 2 and a.complaints_founded == 1
    assert a.complaints_by_finding == findings(属实=1, 不属实=1)
    assert a.complaints_by_outcome == outcomes(改进=1, 澄清正名=1)
    assert (a.rectifications_closed, a.rectifications_closed_on_time) == (1, 1)
    assert a.rect_on_time_rate == 1.0

    b = by["乙民警"]
    assert (b.visits, b.finished, b.on_time, b.overdue, b.open_overdue) == (3, 2, 2, 0, 0)
    assert b.wait_mean == pytest.approx(16 / 3) and b.wait_median == 6.0
    assert b.service_mean == pytest.approx(14 / 3) and b.service_median == 4.0
    assert (b.notices, b.one_visit, b.one_visit_rate, b.breaches) == (2, 1, 0.5, 1)
    assert (b.rated, b.satisfied, b.strict, b.bad, b.declined) == (1, 0, 0, 1, 1)
    assert b.satisfaction_rate == 0.0 and b.strict_rate == 0.0
    assert (b.callbacks_sampled, b.callbacks_called, b.callbacks_reached) == (1, 1, 0)
    assert b.call_rate == 1.0 and b.reach_rate == 0.0
    assert b.complaints == 1 and b.complaints_founded == 1
    assert b.complaints_by_finding == findings(部分属实=1)
    assert b.complaints_by_outcome == outcomes(未处理=1)
    assert (b.rectifications_closed, b.rect_on_time_rate) == (0, None)

    c = by["丙辅警"]  # registered V9 and handed it over: the visit is hers, the finish is 甲's
    assert (c.visits, c.finished, c.wait_mean, c.wait_median) == (1, 0, 30.0, 30.0)
    assert (c.service_mean, c.service_median, c.on_time_rate) == (12.0, 12.0, None)

    e = by["戊民警"]
    assert (e.visits, e.finished, e.on_time, e.wait_median, e.service_median) == (1, 1, 1, None, 4)
    assert (e.waited, e.served, e.timed_by_hand) == (0, 1, 0)
    assert (e.callbacks_sampled, e.callbacks_called, e.callbacks_reached) == (1, 1, 0)

    g = by["赵副所长"]  # a complaint about him, not yet verified
    assert g.complaints == 1 and g.complaints_by_finding == findings(未核实=1)
    assert g.complaints_by_outcome == outcomes(未处理=1) and g.visits == 0

    for idle in (by["丁民警"], by["王所长"]):  # no visits: zeros and None, never omitted
        assert idle == StatRow(
            kind="officer",
            label=idle.label,
            code=idle.code,
            note=idle.note,
            officer_id=idle.officer_id,
        )
        assert idle.wait_mean is None and idle.wait_median is None
        for rate in ("on_time_rate", "one_visit_rate", "satisfaction_rate", "strict_rate"):
            assert getattr(idle, rate) is None
        assert idle.call_rate is None and idle.reach_rate is None
        assert idle.rect_on_time_rate is None


def test_september_per_matter_and_total(world: World) -> None:
    stats = world.stats.compute(world.chief, *SEPT)
    m = matters(stats)
    assert list(m) == ["ZM-BGGZ", "ZM-WFZ", "ZX-ZC"]
    assert m["ZM-WFZ"].label == "无犯罪记录证明"

    bg = m["ZM-BGGZ"]
    assert (bg.visits, bg.finished, bg.on_time, bg.overdue) == (3, 3, 3, 0)
    assert bg.wait_mean == pytest.approx(26 / 3) and bg.wait_median == 6.0
    assert bg.service_mean == pytest.approx(34 / 3) and bg.service_median == 10.0
    assert (bg.rated, bg.satisfied, bg.strict, bg.bad, bg.notices) == (3, 2, 2, 2, 0)
    assert (bg.callbacks_sampled, bg.callbacks_called, bg.callbacks_reached) == (3, 3, 1)
    assert bg.complaints == 1 and bg.complaints_by_finding == findings(属实=1)
    assert (bg.rectifications_closed, bg.rectifications_closed_on_time) == (1, 1)

    wfz = m["ZM-WFZ"]
    assert (wfz.visits, wfz.finished, wfz.on_time, wfz.open_overdue) == (4, 2, 2, 0)
    assert (wfz.wait_mean, wfz.wait_median) == (15.0, 14.0)
    assert (wfz.served, wfz.service_mean, wfz.service_median) == (4, 7.5, 7.5)
    assert (wfz.notices, wfz.one_visit, wfz.breaches) == (2, 1, 1)
    assert (wfz.rated, wfz.declined, wfz.satisfaction_rate) == (0, 1, None)
    assert (wfz.callbacks_sampled, wfz.call_rate, wfz.complaints) == (0, None, 0)

    zc = m["ZX-ZC"]
    assert (zc.visits, zc.finished, zc.on_time) == (2, 2, 2)
    assert (zc.wait_mean, zc.wait_median, zc.service_mean, zc.service_median) == (10, 10, 5, 5)
    assert (zc.rated, zc.satisfied, zc.strict, zc.bad) == (1, 1, 0, 0)
    assert (zc.callbacks_sampled, zc.callbacks_called, zc.callbacks_reached) == (2, 1, 0)

    t = stats.total
    assert (t.kind, t.label) == ("total", "合计")
    assert (t.visits, t.finished, t.on_time, t.overdue, t.open_overdue) == (9, 7, 7, 0, 0)
    assert (t.waited, t.wait_mean, t.wait_median) == (8, 12.0, 9.0)
    assert (t.served, t.service_mean, t.service_median) == (9, pytest.approx(74 / 9), 7.0)
    assert t.timed_by_hand == 8  # every visit but V10 had a time stamped with a key
    assert (t.notices, t.one_visit, t.one_visit_rate, t.breaches) == (2, 1, 0.5, 1)
    assert (t.rated, t.satisfied, t.strict, t.bad, t.declined) == (4, 3, 2, 2, 1)
    assert (t.satisfaction_rate, t.strict_rate) == (0.75, 0.5)
    assert (t.callbacks_sampled, t.callbacks_called, t.callbacks_reached) == (5, 4, 1)
    assert (t.call_rate, t.reach_rate) == (0.8, 0.25)
    assert t.complaints == 5
    assert t.complaints_by_finding == findings(属实=1, 部分属实=1, 不属实=1, 未核实=2)
    assert t.complaints_by_outcome == outcomes(改进=1, 澄清正名=1, 未处理=3)
    assert (t.rectifications_closed, t.rectifications_closed_on_time) == (1, 1)
    printed = {c.attr: c.text(t) for c in statistics_service.COLUMNS}
    assert (printed["visits"], printed["wait_mean"], printed["service_median"]) == (
        "9",
        "12.0",
        "7.0",
    )
    assert printed["timed_by_hand"] == "8"
    assert (printed["satisfaction_rate"], printed["strict_rate"]) == ("75.0%", "50.0%")


def test_the_totals_agree_with_the_pages_that_show_the_same_figures(world: World) -> None:
    stats = world.stats.compute(world.chief, *SEPT)
    coverage = world.s.callbacks.coverage(world.chief, *SEPT)[-1]
    t = stats.total
    assert (coverage.sampled, coverage.called, coverage.reached) == (
        t.callbacks_sampled,
        t.callbacks_called,
        t.callbacks_reached,
    )
    assert (coverage.call_rate, coverage.reach_rate) == (t.call_rate, t.reach_rate)
    for completion in world.s.notices.completion(world.chief, *SEPT, "officer"):
        row = rows(stats)[completion.label]
        assert (row.notices, row.one_visit) == (completion.issued, completion.one_visit)


def test_october_overdue_open_and_late_rectification(world: World) -> None:
    stats = world.stats.compute(world.chief, *OCT)
    t = stats.total
    assert (t.visits, t.finished, t.on_time, t.overdue, t.open_overdue) == (3, 4, 2, 2, 1)
    assert t.on_time_rate == 0.5
    assert (t.wait_mean, t.wait_median, t.service_mean, t.service_median) == (7.5, 7.5, 3, 3)
    assert (t.notices, t.one_visit_rate, t.breaches) == (0, None, 0)
    assert (t.rated, t.satisfied, t.strict, t.bad) == (2, 1, 1, 1)
    assert (t.callbacks_sampled, t.callbacks_called, t.call_rate, t.reach_rate) == (4, 0, 0.0, None)
    assert t.complaints == 1 and t.complaints_by_outcome == outcomes(追责=1)
    assert (t.rectifications_closed, t.rectifications_closed_on_time) == (1, 0)
    assert t.rect_on_time_rate == 0.0

    by = rows(stats)
    a, b = by["甲民警"], by["乙民警"]
    assert (a.visits, a.finished, a.on_time, a.overdue, a.open_overdue) == (1, 2, 1, 1, 0)
    assert (b.visits, b.finished, b.on_time, b.overdue, b.open_overdue) == (2, 2, 1, 1, 1)
    assert (b.wait_mean, b.wait_median, b.service_mean, b.service_median) == (12, 12, 1, 1)
    assert (b.rectifications_closed, b.rect_on_time_rate) == (1, 0.0)
    assert "戊民警" not in by  # inactive and idle in October

    m = matters(stats)
    assert (m["ZM-WFZ"].finished, m["ZM-WFZ"].overdue, m["ZM-WFZ"].open_overdue) == (2, 2, 1)
    assert (m["ZM-WFZ"].waited, m["ZM-WFZ"].served, m["ZM-WFZ"].service_median) == (1, 0, None)
    assert m["ZM-BGGZ"].rectifications_closed == 1  # R2 was about V7, a BG matter


def test_open_overdue_is_judged_at_the_period_end(world: World) -> None:
    # On 10-20, V13 (due 10-16) is open: overdue at the end of 10-17, not yet at the end of 10-16.
    def open_overdue(end: dt.date) -> int:
        return world.stats.compute(world.chief, dt.date(2025, 10, 13), end).total.open_overdue

    assert open_overdue(dt.date(2025, 10, 16)) == 0
    assert open_overdue(dt.date(2025, 10, 17)) == 1
    assert open_overdue(dt.date(2025, 12, 31)) == 1  # a future end counts as today


def test_a_day_counts_what_happened_that_day(world: World) -> None:
    day = world.stats.compute(world.chief, dt.date(2025, 9, 30), dt.date(2025, 9, 30))
    t = day.total
    assert day.label == "2025年9月30日"
    assert (t.visits, t.waited, t.wait_mean, t.finished, t.on_time) == (0, 0, None, 2, 2)
    assert (t.notices, t.breaches, t.rated, t.declined, t.satisfaction_rate) == (0, 1, 0, 1, None)
    assert (t.callbacks_sampled, t.rectifications_closed, t.complaints) == (0, 1, 0)
    assert {r.label: r.finished for r in day.by_officer if r.finished} == {
        "甲民警": 1,
        "乙民警": 1,
    }
    assert [r.code for r in day.by_matter] == ["ZM-BGGZ", "ZM-WFZ"]


def test_an_empty_period_is_all_zeros_and_no_rates(world: World) -> None:
    stats = world.stats.compute(world.chief, dt.date(2025, 7, 1), dt.date(2025, 7, 31))
    assert stats.by_matter == ()
    assert [r.label for r in stats.by_officer] == [
        "王所长",
        "甲民警",
        "乙民警",
        "丙辅警",
        "丁民警",
        "赵副所长",
    ]
    assert stats.total == StatRow(kind="total", label="合计")
    for row in (*stats.by_officer, stats.total):
        assert row.complaints_by_finding == ZERO_FINDINGS
        assert row.complaints_by_outcome == ZERO_OUTCOMES
        for column in statistics_service.COLUMNS:
            value = getattr(row, column.attr)
            assert value == 0 if column.fmt == "count" else value is None, column.attr
            assert column.text(row) == ("0" if column.fmt == "count" else "—")


def test_the_complaints_about_the_viewer_are_kept_from_them(world: World) -> None:
    seen_by_deputy = world.stats.compute(world.g, *SEPT)
    assert seen_by_deputy.total.complaints == 4
    assert seen_by_deputy.total.complaints_by_finding == findings(
        属实=1, 部分属实=1, 不属实=1, 未核实=1
    )
    assert rows(seen_by_deputy)["赵副所长"].complaints == 0
    assert rows(world.stats.compute(world.chief, *SEPT))["赵副所长"].complaints == 1


def test_bad_ranges_and_other_roles_are_refused_in_chinese(world: World) -> None:
    stats = world.stats
    refusals = [
        (lambda: stats.compute(world.chief, dt.date(2025, 9, 30), dt.date(2025, 9, 1)), "早于"),
        (lambda: stats.compute(world.chief, None, dt.date(2025, 9, 1)), "开始日期"),
        (lambda: stats.compute(world.chief, dt.date(2025, 1, 1), dt.date(2026, 1, 2)), "366"),
        (lambda: stats.monthly_trend(world.chief, 0, dt.date(2025, 9, 1)), "个月"),
        (lambda: stats.monthly_trend(world.chief, 37, dt.date(2025, 9, 1)), "个月"),
        (lambda: stats.ranking(world.chief, None), "月份"),
    ]
    for call, words in refusals:
        with pytest.raises(ValidationError, match=words) as caught:
            call()
        assert has_chinese(caught.value.message)
    # 366 days (a leap year) is still one range.
    assert stats.compute(world.chief, dt.date(2024, 1, 1), dt.date(2024, 12, 31)).total.visits == 0
    for user in (world.a, world.c):
        with pytest.raises(PermissionDenied, match="无权查看统计") as denied:
            stats.compute(user, *SEPT)
        assert has_chinese(denied.value.message)
        with pytest.raises(PermissionDenied):
            stats.monthly_trend(user, 2, dt.date(2025, 10, 1))
        with pytest.raises(PermissionDenied):
            stats.ranking(user, dt.date(2025, 9, 1))


def test_the_monthly_trend(world: World) -> None:
    calls: list[tuple[int, int]] = []
    points = world.stats.monthly_trend(
        world.chief, 3, dt.date(2025, 10, 15), lambda i, n: calls.append((i, n))
    )
    assert [p.label for p in points] == ["2025年8月", "2025年9月", "2025年10月"]
    assert [p.month for p in points] == [dt.date(2025, m, 1) for m in (8, 9, 10)]
    aug, sept, octo = points
    assert (aug.visits, aug.finished, aug.bad, aug.complaints) == (0, 0, 0, 1)  # K6, 08-31
    assert (aug.on_time_rate, aug.satisfaction_rate, aug.call_rate) == (None, None, None)
    assert (sept.visits, sept.finished, sept.on_time_rate) == (9, 7, 1.0)
    assert (sept.satisfaction_rate, sept.strict_rate, sept.one_visit_rate) == (0.75, 0.5, 0.5)
    assert (sept.call_rate, sept.reach_rate, sept.bad, sept.complaints) == (0.8, 0.25, 2, 5)
    assert (octo.visits, octo.finished, octo.on_time_rate) == (3, 4, 0.5)
    assert (octo.satisfaction_rate, octo.strict_rate, octo.one_visit_rate) == (0.5, 0.5, None)
    assert (octo.call_rate, octo.reach_rate, octo.bad, octo.complaints) == (0.0, None, 1, 1)
    assert calls[-1] == (3 * STEPS, 3 * STEPS)
    assert [i for i, _ in calls] == sorted(i for i, _ in calls)


def test_compute_reports_its_progress(world: World) -> None:
    calls: list[tuple[int, int]] = []
    world.stats.compute(world.chief, *SEPT, progress=lambda i, n: calls.append((i, n)))
    assert calls == [(i, STEPS) for i in range(1, STEPS + 1)]


def test_the_september_ranking(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    assert all(r.board == "unranked" for r in world.stats.ranking(world.chief, SEPT[0]))
    monkeypatch.setattr(statistics_service, "RANK_MIN_SAMPLE", 3)
    ranking = world.stats.ranking(world.chief, dt.date(2025, 9, 17))  # any day names the month
    assert [(r.rank, r.label, r.score, r.board_label) for r in ranking] == [
        (1, "甲民警", 78.0, "红榜"),
        (2, "乙民警", 30.0, "黑榜"),
        (None, "丙辅警", None, "不参与排名（样本不足）"),
        (None, "丁民警", None, "不参与排名（样本不足）"),
        (None, "王所长", None, "不参与排名（样本不足）"),
        (None, "戊民警", None, "不参与排名（样本不足）"),
        (None, "赵副所长", None, "不参与排名（样本不足）"),
    ]
    a, b = ranking[0], ranking[1]
    assert (a.sample, a.bad, a.breaches, a.complaints_founded) == (8, 1, 0, 1)
    assert (a.one_visit_rate, a.substituted) == (None, ("一次办结率",))
    assert (b.sample, b.bad, b.breaches, b.complaints_founded, b.substituted) == (5, 1, 1, 1, ())
    assert ranking[5].sample == 2  # 戊: one visit and one finish, below the threshold


def test_the_october_ranking_falls_back_to_full_marks_without_station_data(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(statistics_service, "RANK_MIN_SAMPLE", 3)
    ranking = world.stats.ranking(world.chief, OCT[0])
    assert [(r.label, r.score, r.board) for r in ranking[:2]] == [
        ("甲民警", 85.0, "red"),
        ("乙民警", 38.0, "black"),
    ]
    assert ranking[0].substituted == ("一次办结率", "回访接通率")


_IDS = iter(range(1000, 2000))


def _row(name: str, **figures: object) -> StatRow:
    return StatRow(kind="officer", label=name, officer_id=next(_IDS), **figures)  # type: ignore[arg-type]


def test_boards_ties_and_the_full_board_rule() -> None:
    total = StatRow(kind="total", label="合计")  # no station data: every rate counts as 100 %
    team = [
        _row("陈", visits=10),
        _row("白", visits=10, bad=1),  # 100 − 2 = 98
        _row("安", visits=10, bad=1),  # 98 with as many 差评 as 白: 安 (an) before 白 (bai)
        _row("丁", visits=10, breaches=1),  # 97
        _row("冯", visits=10, breaches=2),  # 94
        _row("高", visits=10, bad=3),  # 94 like 冯, but more 差评
        _row("胡", visits=10, complaints_by_finding=findings(部分属实=1)),  # 95
        _row("新人", visits=2, finished=7),  # 9 < 10: not ranked
    ]
    ranked = rank_officers(team, total)
    assert [(r.rank, r.label, r.score, r.board) for r in ranked] == [
        (1, "陈", 100.0, "red"),
        (2, "安", 98.0, "red"),
        (2, "白", 98.0, "red"),  # tied with 安: one rank (issue 14)
        (4, "丁", 97.0, ""),
        (5, "胡", 95.0, "black"),
        (6, "冯", 94.0, "black"),
        (7, "高", 94.0, "black"),
        (None, "新人", None, "unranked"),
    ]
    assert ranked[0].substituted == ("满意率", "按时办结率", "一次办结率", "回访接通率")


def test_a_small_team_splits_into_halves_and_the_middle_one_stays_off_the_boards() -> None:
    total = StatRow(kind="total", label="合计", finished=4, on_time=3)  # station on time: 75 %
    team = [_row(name, visits=10, bad=n) for n, name in enumerate("甲乙丙丁戊")]
    ranked = rank_officers(team, total)
    assert [r.board for r in ranked] == ["red", "red", "", "black", "black"]
    # Own on-time rate missing: the station's 75 % stands in (100 − 0.3 × 25 = 92.5).
    assert [r.score for r in ranked] == [92.5, 90.5, 88.5, 86.5, 84.5]
    alone = rank_officers(team[:1], total)
    assert [(r.rank, r.board) for r in alone] == [(1, "")]
    one_own = rank_officers([_row("甲", visits=10, finished=4, on_time=2)], total)
    assert one_own[0].score == 85.0 and "按时办结率" not in one_own[0].substituted


def test_periods_and_their_names() -> None:
    day = dt.date(2025, 9, 30)
    assert period("day", day) == (day, day)
    assert period("week", day) == (dt.date(2025, 9, 29), dt.date(2025, 10, 5))
    assert period("month", day) == SEPT
    assert period("quarter", day) == (dt.date(2025, 7, 1), dt.date(2025, 9, 30))
    assert period("quarter", dt.date(2024, 2, 29)) == (dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    assert period("month", dt.date(2024, 12, 5)) == (dt.date(2024, 12, 1), dt.date(2024, 12, 31))
    for kind, given in (("custom", day), ("year", day), ("day", None)):
        with pytest.raises(ValidationError) as caught:
            period(kind, given)
        assert caught.value.field == "period" and has_chinese(caught.value.message)
    with pytest.raises(ValidationError, match="结束日期早于开始日期"):
        check_period(day, day - dt.timedelta(days=1))
    assert check_period(day, day) == (day, day)
    assert period_text(*period("quarter", day)) == "2025年第3季度"
    assert period_text(dt.date(2025, 1, 1), dt.date(2025, 12, 31)) == "2025年"
    assert period_text(*period("week", day)) == "2025年9月29日至2025年10月5日"
    assert (format_rate(None), format_rate(2 / 3), format_minutes(None)) == ("—", "66.7%", "—")
    assert format_minutes(96 / 9) == "10.7"


def test_every_definition_and_the_formula_are_in_chinese() -> None:
    assert all(has_chinese(text) for text in DEFINITIONS.values())
    assert "0.4" in RANKING_FORMULA and "红榜" in RANKING_FORMULA and "10" in RANKING_FORMULA
    for column in statistics_service.COLUMNS:
        assert has_chinese(column.header) and column.topic in DEFINITIONS
        assert column.attr in StatRow.__dataclass_fields__ or hasattr(StatRow, column.attr)
