"""An officer leaves: their open matters are offered to colleagues, or they stay listed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from sqlalchemy import update

from app.core.database import Database
from app.core.dto import SessionUser
from app.core.errors import ConflictError, PermissionDenied, ValidationError
from app.core.identity import IdType
from app.core.roles import Role
from app.services import Services
from app.visits.dto import NameChoice, NewVisit, VisitDetail
from app.visits.rules import VisitStatus
from db.models import AuditEvent, Handover, Officer, Visit

E = TypeVar("E", bound=Exception)
VALID_ID = "11010519491231002X"


def refused(kind: type[E], call: Callable[..., object], *args: Any, **kwargs: Any) -> E:
    """The error of ``kind`` that the call must raise."""
    with pytest.raises(kind) as exc:
        call(*args, **kwargs)
    return exc.value


class Station:
    """李明 leaves; 赵刚 and 钱亮 stay at the counters; 王所长 decides who takes what."""

    def __init__(
        self,
        services: Services,
        chief: SessionUser,
        make_officer: Callable[..., SessionUser],
        count: Callable[[type], int],
    ) -> None:
        self.s, self.chief, self.make_officer, self.count = services, chief, make_officer, count
        self.item = services.catalogue.list_items("ZM-WFZ")[0].item_id
        self.leaving = make_officer(Role.WINDOW, "李明")
        self.zhao = make_officer(Role.WINDOW, "赵刚")
        self.qian = make_officer(Role.AUXILIARY, "钱亮")

    def register(self, user: SessionUser | None = None, name: str = "陈静") -> VisitDetail:
        form = NewVisit(
            name,
            IdType.RESIDENT,
            VALID_ID,
            "13800138000",
            self.item,
            name_choice=NameChoice.CURRENT,  # one test ID under several names
        )
        return self.s.visits.register(user or self.leaving, form)

    def accepted(self, user: SessionUser | None = None) -> VisitDetail:
        d = self.register(user)
        return self.s.visits.accept(user or self.leaving, d.row.id, d.row.row_version)

    def saved(self) -> tuple[int, int, int]:
        return self.count(Handover), self.count(AuditEvent), self.count(Visit)

    def active(self, user: SessionUser) -> bool:
        rows = self.s.officers.list_officers(self.chief)
        return next(r.active for r in rows if r.id == user.officer_id)

    def deactivate(self, plan: dict[int, int] | None = None, by: SessionUser | None = None) -> Any:
        return self.s.officers.set_active(by or self.chief, self.leaving.officer_id, False, plan)


@pytest.fixture
def st(services, chief, make_officer, count) -> Station:  # type: ignore[no-untyped-def]
    return Station(services, chief, make_officer, count)


def test_an_officer_with_open_matters_is_not_deactivated_without_a_plan(st: Station) -> None:
    st.register()
    st.accepted()
    done = st.register()
    st.s.visits.answer(st.leaving, done.row.id, done.row.row_version, "已当场解答")
    before = st.saved()

    error = refused(ConflictError, st.deactivate)

    assert "2 件在办事项" in error.message and "接手" in error.message
    assert st.active(st.leaving) and st.saved() == before


def test_an_officer_without_open_matters_is_deactivated_as_before(st: Station) -> None:
    done = st.register()
    st.s.visits.void(st.leaving, done.row.id, done.row.row_version, "登记有误")

    row = st.deactivate()

    assert not row.active and st.s.officers.departure(st.chief, row.id).matters == ()


def test_the_departure_lists_open_matters_masked_and_the_colleagues_who_may_take_them(
    st: Station,
) -> None:
    st.make_officer(Role.ADMIN, "吴管理")
    gone = st.make_officer(Role.WINDOW, "周离")
    st.s.officers.set_active(st.chief, gone.officer_id, False)
    registered, working = st.register(name="欧阳明月"), st.accepted()
    st.register(st.zhao)  # a colleague's matter is not part of it

    d = st.s.officers.departure(st.chief, st.leaving.officer_id)

    assert d.officer.name == "李明" and d.may_reassign
    # Due first: the accepted matter has a due date, the registered one none yet.
    assert [m.serial for m in d.matters] == [working.row.serial, registered.row.serial]
    assert [m.citizen_masked for m in d.matters] == ["陈*", "欧**月"]
    assert [m.status for m in d.matters] == [VisitStatus.IN_PROGRESS, VisitStatus.REGISTERED]
    assert d.matters[0].due_date == working.row.due_date and d.matters[1].due_date is None
    names = [label.split("（")[0] for _id, label in d.colleagues]
    assert names == ["王所长", "赵刚", "钱亮"]
    refused(PermissionDenied, st.s.officers.departure, st.zhao, st.leaving.officer_id)


def test_the_plan_must_cover_every_open_matter_and_nothing_is_written_otherwise(
    st: Station,
) -> None:
    a, b, c = st.register(), st.accepted(), st.register()
    before = st.saved()

    error = refused(ValidationError, st.deactivate, {a.row.id: st.zhao.officer_id})

    assert "2 件在办事项未选择接手人" in error.message and b.row.serial in error.message
    assert c.row.serial in error.message and error.field == "plan"
    assert st.active(st.leaving) and st.saved() == before


@pytest.mark.parametrize("who", ["inactive", "admin", "leaving", "unknown"])
def test_a_plan_naming_an_ineligible_colleague_is_refused(st: Station, who: str) -> None:
    receiver = {
        "inactive": lambda: st.make_officer(Role.WINDOW, "周离").officer_id,
        "admin": lambda: st.make_officer(Role.ADMIN, "吴管理").officer_id,
        "leaving": lambda: st.leaving.officer_id,
        "unknown": lambda: 99999,
    }[who]()
    if who == "inactive":
        st.s.officers.set_active(st.chief, receiver, False)
    a, b = st.register(), st.accepted()
    before = st.saved()

    error = refused(
        ValidationError, st.deactivate, {a.row.id: st.zhao.officer_id, b.row.id: receiver}
    )

    assert b.row.serial in error.message and error.field == "to_officer"
    assert st.active(st.leaving) and st.saved() == before


def test_a_stale_plan_is_a_conflict(st: Station) -> None:
    a, b = st.register(), st.accepted()
    st.s.visits.void(st.leaving, a.row.id, a.row.row_version, "登记有误")

    error = refused(
        ConflictError, st.deactivate, {a.row.id: st.zhao.officer_id, b.row.id: st.zhao.officer_id}
    )

    assert "刷新" in error.message and st.active(st.leaving)


def test_the_administrator_may_not_decide_who_takes_the_matters(
    st: Station, make_officer: Callable[..., SessionUser]
) -> None:
    admin = make_officer(Role.ADMIN, "吴管理")
    a = st.register()
    assert not st.s.officers.departure(admin, st.leaving.officer_id).may_reassign

    error = refused(PermissionDenied, st.deactivate, {a.row.id: st.zhao.officer_id}, admin)

    assert "所长" in error.message and st.active(st.leaving)


def test_the_plan_offers_pending_handovers_and_the_colleague_accepts_in_their_session(
    st: Station, audit_log: Any
) -> None:
    a, b = st.register(), st.accepted()

    row = st.deactivate({a.row.id: st.zhao.officer_id, b.row.id: st.qian.officer_id})

    assert not row.active
    v = st.s.visits
    d = v.get(st.chief, a.row.id)
    pending = d.pending_handover
    assert pending is not None and (pending.from_name, pending.to_name) == ("李明", "赵刚")
    assert "李明账号停用" in pending.reason and "所长王所长代为移交" in pending.reason
    assert d.row.owner_name == "李明"  # not yet accepted: nobody new is responsible yet
    orphans = v.orphaned_matters(st.chief)
    assert {(r.serial, r.pending_handover_to) for r in orphans} == {
        (a.row.serial, "赵刚"),
        (b.row.serial, "钱亮"),
    }
    assert [h.visit_id for h in v.handovers(st.zhao)] == [a.row.id]

    taken = v.accept_handover(st.zhao, pending.id)

    assert taken.row.owner_name == "赵刚" and taken.row.first_officer_name == "李明"
    assert [r.serial for r in v.orphaned_matters(st.chief)] == [b.row.serial]
    v.accept(st.zhao, a.row.id, taken.row.row_version)

    events = audit_log()
    offers = [e for e in events if e["action"] == "handover_requested"]
    assert len(offers) == 2 and all(e["officer_id"] == st.chief.officer_id for e in offers)
    assert offers[0]["after"]["on_behalf_of"] == st.leaving.badge_no
    assert offers[0]["after"]["initiated_by"] == st.chief.badge_no
    deactivated = next(e for e in events if e["action"] == "officer_deactivated")
    assert sorted(deactivated["after"]["handed_over"]) == sorted([a.row.serial, b.row.serial])
    assert deactivated["id"] > offers[-1]["id"]  # one transaction, offers first


def test_a_declined_matter_stays_orphaned_and_the_chief_offers_it_again(st: Station) -> None:
    a = st.register()
    st.deactivate({a.row.id: st.qian.officer_id})
    v = st.s.visits
    h = v.handovers(st.qian)[0]

    v.decline_handover(st.qian, h.id, "本周在外培训")

    orphan = v.orphaned_matters(st.chief)
    assert [(r.serial, r.pending_handover_to, r.owner_name) for r in orphan] == [
        (a.row.serial, "", "李明")
    ]
    d = v.hand_over_orphan(
        st.chief, a.row.id, orphan[0].row_version, st.zhao.officer_id, "赵刚熟悉该事项"
    )
    assert d.pending_handover is not None and d.pending_handover.to_name == "赵刚"
    assert "赵刚熟悉该事项" in d.pending_handover.reason
    assert v.orphaned_matters(st.chief)[0].pending_handover_to == "赵刚"
    assert v.accept_handover(st.zhao, d.pending_handover.id).row.owner_name == "赵刚"
    assert v.orphaned_matters(st.chief) == []


def test_a_new_offer_of_an_orphan_replaces_the_one_still_waiting(st: Station) -> None:
    a = st.register()
    st.deactivate({a.row.id: st.qian.officer_id})
    v = st.s.visits
    row = v.orphaned_matters(st.chief)[0]

    d = v.hand_over_orphan(st.chief, a.row.id, row.row_version, st.zhao.officer_id, "")

    states = {h.to_name: h.state for h in d.handovers}
    assert states == {"钱亮": "cancelled", "赵刚": "pending"}
    assert v.handovers(st.qian) == []


def test_a_handover_the_officer_offered_before_leaving_stays_valid(st: Station) -> None:
    a, b = st.register(), st.accepted()
    v = st.s.visits
    a = v.request_handover(st.leaving, a.row.id, a.row.row_version, st.zhao.officer_id, "休假")
    d = st.s.officers.departure(st.chief, st.leaving.officer_id)
    assert {m.serial: m.pending_to_name for m in d.matters} == {
        a.row.serial: "赵刚",
        b.row.serial: "",
    }
    error = refused(ConflictError, st.deactivate, {})  # b still needs a colleague
    assert "2 件在办事项（其中 1 件尚未移交）" in error.message

    st.deactivate({b.row.id: st.qian.officer_id})

    own = v.get(st.chief, a.row.id).pending_handover
    assert own is not None and own.reason == "休假" and own.from_name == "李明"
    assert v.accept_handover(st.zhao, own.id).row.owner_name == "赵刚"


def test_a_plan_may_redirect_a_handover_the_officer_offered(st: Station) -> None:
    a = st.register()
    v = st.s.visits
    v.request_handover(st.leaving, a.row.id, a.row.row_version, st.zhao.officer_id, "休假")

    st.deactivate({a.row.id: st.qian.officer_id})

    states = {h.to_name: h.state for h in v.get(st.chief, a.row.id).handovers}
    assert states == {"赵刚": "cancelled", "钱亮": "pending"}


def test_only_the_chief_and_deputy_see_and_offer_orphans(
    st: Station, make_officer: Callable[..., SessionUser]
) -> None:
    deputy = make_officer(Role.DEPUTY, "孙副所")
    admin = make_officer(Role.ADMIN, "吴管理")
    a, mine = st.register(), st.register(st.zhao)
    st.deactivate({a.row.id: st.qian.officer_id})
    v = st.s.visits

    assert [r.serial for r in v.orphaned_matters(deputy)] == [a.row.serial]
    for user in (st.zhao, admin):
        refused(PermissionDenied, v.orphaned_matters, user)
    row = v.orphaned_matters(st.chief)[0]
    refused(
        PermissionDenied,
        v.hand_over_orphan,
        st.zhao,
        a.row.id,
        row.row_version,
        st.zhao.officer_id,
        "",
    )
    error = refused(
        ConflictError,
        v.hand_over_orphan,
        st.chief,
        mine.row.id,
        mine.row.row_version,
        st.qian.officer_id,
        "",
    )
    assert "指派" in error.message


def test_orphans_from_before_this_rule_are_listed_and_can_be_assigned(
    st: Station, db: Database
) -> None:
    a = st.accepted()
    # Deactivated by an earlier version, which did not ask about open matters.
    with db.sessions.begin() as session:
        session.execute(
            update(Officer).where(Officer.id == st.leaving.officer_id).values(active=False)
        )
    v = st.s.visits

    row = v.orphaned_matters(st.chief)[0]
    assert (row.serial, row.pending_handover_to) == (a.row.serial, "")
    d = v.reassign(st.chief, a.row.id, row.row_version, st.zhao.officer_id, "李明已调离")

    assert d.row.owner_name == "赵刚" and v.orphaned_matters(st.chief) == []
