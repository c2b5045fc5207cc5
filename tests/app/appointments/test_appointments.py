"""预约服务 / 上门服务 (issue 16, item 2): bookings in time order, registered from the booking
without retyping, home service within the promise with the citizen's signature on site, and
overdue home services for the chief."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.appointments.service import NewAppointment
from app.core.clock import FixedClock
from app.core.dto import SessionUser
from app.core.errors import ConflictError, PermissionDenied, ValidationError
from app.core.identity import IdType
from app.core.roles import Role
from app.notices.dto import SignatureInput
from app.services import Services
from db.models import Appointment, AuditEvent, Signature, Visit, VisitTransition

FULL_ID = "11010519491231002X"
BEIJING = dt.timezone(dt.timedelta(hours=8))


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(out, format="PNG")
    return out.getvalue()


SIGNED = SignatureInput("王老伯", (((1.0, 1.0, 0.5), (20.0, 10.0, 0.5)),), _png(), "")


@pytest.fixture
def officer(make_officer) -> SessionUser:  # type: ignore[no-untyped-def]
    return make_officer(Role.WINDOW, "张伟")


def _item(services: Services, code: str = "ZM-WFZ") -> int:
    return services.catalogue.list_items(code)[0].item_id


def _booking(services: Services, **changes: object) -> NewAppointment:
    base = NewAppointment(
        kind="counter",
        reason="elderly",
        citizen_name="王老伯",
        id_type=IdType.RESIDENT,
        id_number=FULL_ID,
        phone="13805710011",
        service_item_id=_item(services),
        slot_date=dt.date(2025, 9, 30),
        slot_time="09:30",
        summary="开无犯罪记录证明",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_bookings_show_on_their_day_in_time_order_masked(
    services: Services, officer: SessionUser
) -> None:
    later = services.appointments.book(officer, _booking(services, slot_time="14:00"))
    home = services.appointments.book(
        officer,
        _booking(services, kind="home", slot_time="", address="和平路 12 号 3 单元 201"),
    )
    early = services.appointments.book(
        officer, _booking(services, citizen_name="李老太", slot_time="9:05")
    )
    assert early.number.endswith("-YY-2025-00003") and later.number.endswith("-YY-2025-00001")
    day = services.appointments.day(officer, dt.date(2025, 9, 30))
    assert [r.id for r in day] == [early.id, later.id, home.id]  # no time agreed: last
    assert early.slot_time == "09:05" and early.when == "9月30日 09:05"
    assert early.citizen == "李老太" and early.id_masked == "110105********002X"
    assert early.phone_masked != "13805710011" and early.phone_masked.endswith("0011")
    assert early.address == "" and home.address == "和平路 12 号 3 单元 201"
    assert services.appointments.day(officer, dt.date(2025, 10, 9)) == []


def test_a_booking_is_checked_as_the_form_is_and_nothing_is_written(
    services: Services, officer: SessionUser, count
) -> None:  # type: ignore[no-untyped-def]
    before = (count(Appointment), count(AuditEvent))
    with pytest.raises(ValidationError) as caught:
        services.appointments.book(
            officer, _booking(services, id_number="110105194912310021", slot_time="25:00")
        )
    fields = {e.field for e in caught.value.errors} if caught.value.errors else {caught.value.field}
    assert {"id_number", "slot_time"} <= fields
    with pytest.raises(ValidationError, match="不能早于今天"):
        services.appointments.book(officer, _booking(services, slot_date=dt.date(2025, 9, 28)))
    with pytest.raises(ValidationError, match="预约时间已过"):
        services.appointments.book(
            officer, _booking(services, slot_date=dt.date(2025, 9, 29), slot_time="08:00")
        )
    with pytest.raises(ValidationError, match="预约时间"):
        services.appointments.book(officer, _booking(services, slot_time=""))
    with pytest.raises(ValidationError, match="上门地址"):
        services.appointments.book(officer, _booking(services, kind="home", address=" "))
    assert (count(Appointment), count(AuditEvent)) == before


def test_the_booked_citizen_is_registered_from_the_booking_in_one_step(
    services: Services, officer: SessionUser, audit_log, db
) -> None:  # type: ignore[no-untyped-def]
    booking = services.appointments.book(officer, _booking(services))
    detail = services.appointments.arrive(officer, booking.id, booking.row_version)
    assert detail.channel.value == "appointment"
    assert detail.row.citizen_name == "王老伯"
    assert detail.summary == "开无犯罪记录证明"
    assert detail.row.owner_name == "张伟"
    with db.sessions() as session:
        visit = session.get(Visit, detail.row.id)
        assert visit is not None and visit.id_number == FULL_ID  # not retyped: the booking's
    after = services.appointments.get(officer, booking.id)
    assert after.state == "registered" and after.visit_serial == detail.row.serial
    with pytest.raises(ConflictError, match="已到窗口登记"):
        services.appointments.arrive(officer, booking.id, after.row_version)
    actions = [e["action"] for e in audit_log()]
    assert actions[-2:] == ["visit_registered", "appointment_arrived"]


def test_home_service_is_due_within_the_promise_in_working_days(
    services: Services, officer: SessionUser, chief: SessionUser, clock: FixedClock
) -> None:
    # Requested Monday 2025-09-29: 9-30, then the National Day holiday to 10-08, then
    # 10-09, 10-10, Saturday 10-11 (a make-up working day) and 10-13: five working days.
    town = services.appointments.book(
        officer, _booking(services, kind="home", slot_time="", address="和平路 12 号")
    )
    assert town.due_date == dt.date(2025, 10, 13)
    settings = dataclasses.replace(services.station.settings(), home_days_country=2)
    services.station.update_settings(chief, settings)
    country = services.appointments.book(
        officer,
        _booking(services, kind="home", area="country", slot_time="", address="李家村 5 组"),
    )
    assert country.due_date == dt.date(2025, 10, 9)
    with pytest.raises(ValidationError, match="2025-10-09 前）完成"):
        services.appointments.book(
            officer,
            _booking(
                services,
                kind="home",
                area="country",
                address="李家村",
                slot_date=dt.date(2025, 10, 10),
            ),
        )
    assert services.appointments.overdue(chief) == []
    clock.advance(dt.timedelta(days=10))  # 10-09 10:00: the country one is due today
    assert services.appointments.overdue(chief) == []
    clock.advance(dt.timedelta(days=1))
    late = services.appointments.overdue(chief)
    assert [r.id for r in late] == [country.id] and late[0].state_label == "已超期"
    assert [r.id for r in services.appointments.open_home(officer)] == [country.id, town.id]


def test_a_home_service_is_recorded_with_its_result_and_the_signature_on_site(
    services: Services, officer: SessionUser, clock: FixedClock, db, audit_log
) -> None:  # type: ignore[no-untyped-def]
    booking = services.appointments.book(
        officer, _booking(services, kind="home", slot_time="", address="和平路 12 号")
    )
    with pytest.raises(ValidationError, match="签字"):
        services.appointments.serve(
            officer, booking.id, booking.row_version, clock.now(), "已办结", None
        )
    clock.advance(dt.timedelta(days=1, hours=4))
    went = clock.now() - dt.timedelta(hours=3)
    done = services.appointments.serve(
        officer, booking.id, booking.row_version, went, "上门采集指纹，已受理并办结", SIGNED
    )
    assert done.state == "served" and done.officer_name == "张伟" and done.visit_serial
    with db.sessions() as session:
        visit = session.get(Visit, done.visit_id)
        assert visit is not None
        assert (visit.channel, visit.status) == ("home", "completed")
        assert visit.arrived_at == went and visit.started_at == went
        assert visit.result == "上门采集指纹，已受理并办结"
        steps = session.scalars(
            select(VisitTransition.to_status)
            .where(VisitTransition.visit_id == visit.id)
            .order_by(VisitTransition.id)
        ).all()
        assert list(steps) == ["registered", "in_progress", "completed"]
        signature = session.scalars(
            select(Signature).where(
                Signature.document_type == "appointment", Signature.document_id == booking.id
            )
        ).one()
        assert signature.signer_name == "王老伯" and signature.png == SIGNED.png
    served = [e for e in audit_log() if e["action"] == "appointment_served"]
    assert served and served[0]["after"]["signature"] == signature.image_sha256


def test_a_citizen_who_cannot_sign_is_recorded_with_the_reason(
    services: Services, officer: SessionUser, clock: FixedClock, count
) -> None:  # type: ignore[no-untyped-def]
    booking = services.appointments.book(
        officer, _booking(services, kind="home", slot_time="", address="和平路 12 号")
    )
    signatures = count(Signature)
    done = services.appointments.serve(
        officer,
        booking.id,
        booking.row_version,
        clock.now(),
        "已办结",
        None,
        "病重无法书写，家属在场",
    )
    assert done.close_reason == "病重无法书写，家属在场" and count(Signature) == signatures


def test_a_counter_booking_missed_or_cancelled_ends_it(
    services: Services, officer: SessionUser, clock: FixedClock
) -> None:
    today = services.appointments.book(
        officer, _booking(services, slot_date=dt.date(2025, 9, 29), slot_time="16:00")
    )
    later = services.appointments.book(officer, _booking(services, slot_date=dt.date(2025, 10, 9)))
    with pytest.raises(ConflictError, match="还没到"):
        services.appointments.mark_missed(officer, later.id, later.row_version)
    clock.advance(dt.timedelta(days=1))
    assert services.appointments.get(officer, today.id).state_label == "逾期未到"
    missed = services.appointments.mark_missed(officer, today.id, today.row_version)
    assert missed.state_label == "未到"
    with pytest.raises(ValidationError, match="取消原因"):
        services.appointments.cancel(officer, later.id, later.row_version, "  ")
    gone = services.appointments.cancel(officer, later.id, later.row_version, "群众电话取消")
    assert gone.state == "cancelled" and gone.close_reason == "群众电话取消"


def test_rescheduling_moves_the_booking_and_a_stale_copy_is_refused(
    services: Services, officer: SessionUser
) -> None:
    booking = services.appointments.book(officer, _booking(services))
    moved = services.appointments.reschedule(
        officer, booking.id, booking.row_version, dt.date(2025, 10, 9), "10:15"
    )
    assert (moved.slot_date, moved.slot_time) == (dt.date(2025, 10, 9), "10:15")
    with pytest.raises(ConflictError, match="刚被其他窗口修改过"):
        services.appointments.cancel(officer, booking.id, booking.row_version, "重复")


def test_only_officers_who_handle_visits_book(services: Services, make_officer) -> None:  # type: ignore[no-untyped-def]
    admin = make_officer(Role.ADMIN, "管理员")
    with pytest.raises(PermissionDenied):
        services.appointments.book(admin, _booking(services))
    with pytest.raises(PermissionDenied):
        services.appointments.day(admin)


def test_the_day_list_takes_one_query_however_many_bookings(
    services: Services, officer: SessionUser, sql, db
) -> None:  # type: ignore[no-untyped-def]
    for hour in (9, 10, 11):
        services.appointments.book(officer, _booking(services, slot_time=f"{hour}:00"))
    with sql:
        rows = services.appointments.day(officer, dt.date(2025, 9, 30))
    few = sql.count
    for hour in (13, 14, 15, 16):
        services.appointments.book(officer, _booking(services, slot_time=f"{hour}:00"))
    with sql:
        rows = services.appointments.day(officer, dt.date(2025, 9, 30))
    assert len(rows) == 7 and sql.count == few
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Appointment)) == 7


def test_the_case_file_of_a_home_service_says_who_went_when_and_that_the_citizen_signed(
    services: Services, officer: SessionUser, clock: FixedClock
) -> None:
    booking = services.appointments.book(
        officer, _booking(services, kind="home", slot_time="", address="和平路 12 号")
    )
    clock.advance(dt.timedelta(hours=3))
    done = services.appointments.serve(
        officer, booking.id, booking.row_version, clock.now(), "已办结", SIGNED
    )
    document = services.case_files.document(officer, done.visit_serial)
    text = "\n".join(
        " ".join(str(cell) for cell in row.cells)
        for block in document.blocks
        if hasattr(block, "rows")
        for row in block.rows  # type: ignore[union-attr]
    )
    assert booking.number in text and "上门服务（老年人）" in text
    assert "承诺 2025-10-13 前上门" in text
    assert "张伟 于" in text and "群众已签字（签名人 王老伯）" in text


def test_the_open_list_keeps_what_is_overdue_however_the_dates_are_set(
    services: Services, officer: SessionUser, clock: FixedClock
) -> None:
    home = services.appointments.book(
        officer, _booking(services, kind="home", slot_time="", address="和平路 12 号")
    )
    later = services.appointments.book(officer, _booking(services, slot_date=dt.date(2025, 10, 9)))
    clock.advance(dt.timedelta(days=20))  # 2025-10-19: the home service is past its promise
    today = dt.date(2025, 10, 19)
    both = services.appointments.listing(officer, today, today, open_only=True)
    assert [r.id for r in both] == [home.id, later.id]
    assert all(r.overdue for r in both)
    assert services.appointments.listing(officer, today, today) == []


def test_a_home_service_result_changed_behind_the_program_is_told_by_its_signature(
    services: Services, officer: SessionUser, clock: FixedClock, db, db_path
) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    from app.integrity.service import check_database

    booking = services.appointments.book(
        officer, _booking(services, kind="home", slot_time="", address="和平路 12 号")
    )
    clock.advance(dt.timedelta(hours=3))
    services.appointments.serve(
        officer, booking.id, booking.row_version, clock.now(), "已办结", SIGNED
    )
    assert check_database(db).ok
    raw = sqlite3.connect(db_path)
    raw.execute("UPDATE appointments SET result = '未办理' WHERE id = ?", (booking.id,))
    raw.commit()
    raw.close()
    lines = "\n".join(check_database(db).lines)
    assert f"上门服务 {booking.number} 的群众签字：所签的上门记录与现存记录不符" in lines
