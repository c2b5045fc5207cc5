"""What the citizen slips say (issue 14): the station's address and hours, who signs for the
station (a 辅警 with the responsible 民警), a citizen who will not sign, the seal, the refusal's
two copies and its legal basis, redress bodies and limits."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import update

from app.core.database import Database
from app.core.dto import SessionUser
from app.core.errors import ValidationError, ValidationErrors
from app.core.identity import IdType
from app.core.roles import Role
from app.printing.slip_data import SlipData
from app.printing.slip_pdf import render_slip
from app.services import Services
from app.station.dto import StationSettings
from app.visits.dto import NameChoice, NewVisit
from app.visits.refusal import COMMON_BASIS
from db.models import Visit
from tests.app.notices.test_notices import Counter

FULL_ID = "11010519491231002X"
ADDRESS = "测试市和平区和平路 1 号"
HOURS = "工作日 8:30-12:00，14:00-17:30"
REVIEW = "测试市和平区人民政府"
COURT = "测试市和平区人民法院"
BASIS = f"{COMMON_BASIS}第一款第（二）项"


@pytest.fixture
def station(services: Services, chief: SessionUser) -> StationSettings:
    settings = dataclasses.replace(
        services.station.settings(),
        address=ADDRESS,
        hours=HOURS,
        phone_consult="0571-86001110",
        phone_supervision="0571-86001234",
        redress_review_body=REVIEW,
        redress_court=COURT,
    )
    return services.station.update_settings(chief, settings)


def register(services: Services, officer: SessionUser, code: str = "ZM-WFZ") -> int:
    item = services.catalogue.list_items(code)[0]
    visit = services.visits.register(
        officer,
        NewVisit(
            "王小明",
            IdType.RESIDENT,
            FULL_ID,
            "13805710011",
            item.item_id,
            name_choice=NameChoice.CURRENT,
        ),
    )
    return visit.row.id


def refuse(services: Services, officer: SessionUser, visit_id: int, **changes: str) -> SlipData:
    row = services.visits.get(officer, visit_id).row
    given = {"basis": BASIS, "review_body": REVIEW, "court": COURT, **changes}
    services.visits.refuse(
        officer,
        visit_id,
        row.row_version,
        "申请人户籍不在本所辖区。",
        "也可拨打 12389 反映。",
        **given,
    )
    return services.visits.slip(officer, visit_id, "refusal")


def pdftotext(tmp_path: Path, pdf: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "slip.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return out.stdout


def rows(data: SlipData) -> dict[str, str]:
    return dict(data.rows)


def paragraphs(data: SlipData) -> dict[str, str]:
    return dict(data.paragraphs)


# ---- address, hours, officer line, seal on every citizen slip ----------------------------


def test_every_citizen_slip_carries_the_address_hours_officer_and_seal(
    services: Services, chief: SessionUser, make_officer, station: StationSettings, clock
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW, "张伟")
    line = f"民警 张伟（警号 {officer.badge_no}）"
    accepted = register(services, officer)
    row = services.visits.get(officer, accepted).row
    services.visits.accept(officer, accepted, row.row_version)
    guided = services.visits.register(
        officer,
        NewVisit(
            "钱七",
            IdType.RESIDENT,
            FULL_ID,
            "13805710011",
            services.catalogue.list_items("ZX-ZC")[0].item_id,
            in_scope=False,
            name_choice=NameChoice.CURRENT,
        ),
    )
    services.visits.guide(
        officer, guided.row.id, guided.row.row_version, "城南区社保中心", "解放路 12 号", "12333"
    )
    desk = Counter(services, chief, officer, clock)
    notice = services.notices.slip(officer, desk.issue(desk.visit()).id)
    pledge_visit = desk.visit("HJ-QR-GF")
    draft = services.notices.draft(officer, pledge_visit)
    non_key = next(i.name for i in draft.items if not i.is_key)
    pledge = services.notices.slip(
        officer,
        desk.issue(
            pledge_visit,
            missing=(non_key,),
            pledge=True,
            supplement_deadline=draft.latest_deadline,
        ).id,
    )
    slips = {
        "receipt": services.visits.slip(officer, accepted, "receipt"),
        "guidance": services.visits.slip(officer, guided.row.id, "guidance"),
        "refusal": refuse(services, officer, register(services, officer)),
        "notice": notice,
        "pledge": pledge,
    }
    assert pledge.title == "容缺受理承诺书"

    for kind, data in slips.items():
        assert (data.station_address, data.station_hours) == (ADDRESS, HOURS), kind
        assert data.officer_line.endswith(line), kind
        assert data.sealed is (kind != "guidance"), kind
    # Where to go or to bring the missing materials: the address, not 户籍窗口 alone.
    assert rows(slips["receipt"])["办理地点"].startswith(ADDRESS)
    for kind in ("notice", "pledge"):
        assert rows(slips[kind])["补正材料递交地点"] == f"{ADDRESS}，本所户籍窗口"
        assert slips[kind].officer_line == f"告知{line}"


def test_a_notice_of_an_auxiliary_officer_names_their_role_and_the_responsible_officer(
    services: Services, chief: SessionUser, make_officer, station: StationSettings, clock
) -> None:  # type: ignore[no-untyped-def]
    police = make_officer(Role.WINDOW, "张伟")
    aux = make_officer(Role.AUXILIARY, "孙丽娟")
    # The police officer registered the matter (first contact) and handed it to the 辅警.
    visit_id = register(services, police)
    row = services.visits.get(police, visit_id).row
    handover = services.visits.request_handover(
        police, visit_id, row.row_version, aux.officer_id, "代办"
    )
    services.visits.accept_handover(aux, handover.handovers[0].id)
    desk = Counter(services, chief, aux, clock)

    data = services.notices.slip(aux, desk.issue(visit_id).id)

    assert data.officer_line == (
        f"告知辅警 孙丽娟（{aux.badge_no}）　责任民警 张伟（警号 {police.badge_no}）"
    )
    assert rows(data)["告知辅警"].startswith(f"孙丽娟（辅警 {aux.badge_no}）")
    assert "告知民警" not in rows(data)
    assert f"警号 {aux.badge_no}" not in "".join(data.texts())


def test_an_auxiliary_officers_own_matter_names_the_chief_as_responsible(
    services: Services, chief: SessionUser, make_officer, station: StationSettings
) -> None:  # type: ignore[no-untyped-def]
    aux = make_officer(Role.AUXILIARY, "赵磊")
    visit_id = register(services, aux)
    row = services.visits.get(aux, visit_id).row
    services.visits.accept(aux, visit_id, row.row_version)

    data = services.visits.slip(aux, visit_id, "receipt")

    assert data.officer_line == (
        f"经办辅警 赵磊（{aux.badge_no}）　责任民警 {chief.name}（警号 {chief.badge_no}）"
    )
    assert rows(data)["首接责任人"] == f"赵磊（辅警 {aux.badge_no}）"


# ---- the citizen who does not sign -------------------------------------------------------


def test_a_notice_the_citizen_refused_to_sign_says_why_for_the_witness_lines(
    services: Services, chief: SessionUser, make_officer, station: StationSettings, clock
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW, "张伟")
    desk = Counter(services, chief, officer, clock)
    unsigned = services.notices.issue(
        officer, desk.new(desk.visit(), signature_declined_note="群众称赶时间，拒绝签字")
    )
    signed = desk.issue(desk.visit(name="李四"))

    declined = services.notices.slip(officer, unsigned.id)
    assert declined.citizen_not_signing == "申请人拒绝签字。民警说明：群众称赶时间，拒绝签字"
    assert not any("拒绝签字" in s for s in declined.signatures)  # said once, not twice
    assert services.notices.slip(officer, signed.id).citizen_not_signing == ""


def test_a_refusal_the_citizen_would_not_sign_says_why_and_drops_the_receipt_line(
    services: Services, make_officer, station: StationSettings
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW, "陈静")
    signed = refuse(services, officer, register(services, officer))
    unsigned = refuse(services, officer, register(services, officer), unsigned="申请人当场拒绝签收")

    assert signed.citizen_not_signing == ""
    assert any(s.startswith("申请人签收") for s in signed.signatures)
    assert unsigned.citizen_not_signing == "申请人拒绝签收。民警说明：申请人当场拒绝签收"
    assert not any(s.startswith("申请人签收") for s in unsigned.signatures)
    assert not any("（盖章）" in s for s in signed.signatures)  # the seal area is the layout's


# ---- the refusal: two copies in one print, basis, bodies, limits ------------------------


def test_the_refusal_prints_both_copies_at_once_and_only_a_later_print_is_a_reprint(
    services: Services, make_officer, station: StationSettings
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW, "陈静")
    visit_id = register(services, officer)
    first = refuse(services, officer, visit_id)

    assert first.parts == ("（群众联）", "（存根联）")
    assert first.copy_no == 1 and not first.is_reprint
    text = "".join(render_pdf_text(first).split())
    assert "群众联" in text and "存根联" in text and "补打" not in text
    services.visits.record_print(officer, visit_id, "refusal", first.copy_no)
    again = services.visits.slip(officer, visit_id, "refusal")
    assert again.copy_no == 2 and again.is_reprint


def test_the_refusal_is_dated_the_day_it_was_decided(
    services: Services, make_officer, station: StationSettings, clock
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW, "陈静")
    visit_id = register(services, officer)
    registered = services.visits.get(officer, visit_id).row.local_date
    clock.advance(dt.timedelta(days=3))  # decided after checking, days later

    data = refuse(services, officer, visit_id)

    assert rows(data)["申请日期"] == registered.isoformat()
    assert rows(data)["决定日期"] == (registered + dt.timedelta(days=3)).isoformat()


def render_pdf_text(data: SlipData) -> str:
    from tests.app.visits.test_slips import pdf_text

    return pdf_text(render_slip(data))


def test_the_refusal_cites_the_basis_names_the_bodies_and_the_limits(
    tmp_path: Path, services: Services, make_officer, station: StationSettings
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW, "陈静")
    data = refuse(services, officer, register(services, officer))

    said = paragraphs(data)
    assert said["法律依据"] == BASIS
    assert said["救济途径"] == (
        f"申请人对本决定不服的，可以自收到本告知书之日起六十日内向{REVIEW}申请行政复议，"
        f"也可以自收到本告知书之日起六个月内向{COURT}提起行政诉讼。也可拨打 12389 反映。"
    )
    flat = "".join(pdftotext(tmp_path, render_slip(data)).split())
    for text in (BASIS, REVIEW, COURT, "六十日内", "六个月内", "申请行政复议", "提起行政诉讼"):
        assert text in flat


def test_a_refusal_without_basis_or_bodies_is_refused_in_chinese_and_nothing_saved(
    services: Services, make_officer, station: StationSettings
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW, "陈静")
    visit_id = register(services, officer)
    row = services.visits.get(officer, visit_id).row

    with pytest.raises(ValidationErrors) as several:
        services.visits.refuse(
            officer, visit_id, row.row_version, "理由", basis=" ", review_body="", court=""
        )
    fields = [e.field for e in several.value.errors]
    assert fields == ["refusal_basis", "refusal_review_body", "refusal_court"]
    assert "请填写不予受理所依据的法律条款" in several.value.errors[0].message
    assert "行政复议的机关" in several.value.errors[1].message
    assert "行政诉讼的人民法院" in several.value.errors[2].message
    with pytest.raises(ValidationError, match="行政复议机关不能超过 100 个字"):
        services.visits.refuse(
            officer, visit_id, row.row_version, "理由", basis=BASIS, review_body="政" * 101,
            court=COURT,
        )  # fmt: skip
    assert services.visits.get(officer, visit_id).row.status.value == "registered"


def test_the_refusal_form_starts_from_the_common_basis_and_the_stations_bodies(
    services: Services, chief: SessionUser, make_officer, station: StationSettings
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW, "陈静")
    visit_id = register(services, officer, "ZM-QSGX")

    draft = services.visits.refusal_draft(officer, visit_id)

    assert (draft.basis, draft.review_body, draft.court) == (COMMON_BASIS, REVIEW, COURT)
    assert "五个一律" in draft.matter_basis
    cleared = dataclasses.replace(station, redress_review_body=" ", redress_court="")
    services.station.update_settings(chief, cleared)
    assert services.visits.refusal_draft(officer, visit_id).court == ""


def test_station_settings_keep_the_redress_bodies_and_refuse_them_too_long(
    services: Services, chief: SessionUser, station: StationSettings
) -> None:
    assert services.station.settings().redress_review_body == REVIEW
    assert services.station.settings().redress_court == COURT
    with pytest.raises(ValidationError) as error:
        services.station.update_settings(
            chief, dataclasses.replace(station, redress_court="法" * 101)
        )
    assert error.value.field == "redress_court" and "不能超过" in error.value.message


def test_a_refusal_recorded_before_the_basis_was_asked_prints_its_free_text(
    db: Database, services: Services, make_officer, station: StationSettings
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW, "陈静")
    visit_id = register(services, officer)
    refuse(services, officer, visit_id)
    # As a refusal recorded before migration 0019 reads: the new columns NULL.
    with db.sessions.begin() as session:
        session.execute(
            update(Visit)
            .where(Visit.id == visit_id)
            .values(
                refusal_basis=None,
                refusal_review_body=None,
                refusal_court=None,
                refusal_unsigned=None,
                refusal_redress="可依法申请行政复议或提起行政诉讼。",
            )
        )

    data = services.visits.slip(officer, visit_id, "refusal")

    said = paragraphs(data)
    assert said["不予受理的理由和依据"] == "申请人户籍不在本所辖区。"
    assert said["法律依据"] == "（历史未记载）"
    assert said["救济途径"] == "可依法申请行政复议或提起行政诉讼。"
    assert "六十日" in said["救济期限"] and "六个月" in said["救济期限"]
    assert data.citizen_not_signing == "" and data.sealed
