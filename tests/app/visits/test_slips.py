"""Receipts, guidance slips and refusal notices: what the paper says, fonts, reprints."""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import pypdfium2
import pytest

from app import cli
from app.core.database import open_database
from app.core.dto import SessionUser
from app.core.errors import ConflictError
from app.core.identity import IdType
from app.core.roles import Role
from app.printing.fonts import missing_glyphs
from app.printing.slip_pdf import render_slip
from app.services import Services, build_services
from app.station.dto import StationSettings
from app.visits.dto import NewVisit
from tests.conftest import TEST_PASSWORD

FULL_ID = "11010519491231002X"


def pdf_text(pdf: bytes) -> str:
    doc = pypdfium2.PdfDocument(pdf)
    try:
        return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


@pytest.fixture
def station(services: Services, chief: SessionUser) -> StationSettings:
    settings = dataclasses.replace(
        services.station.settings(),
        phone_consult="0571-86001110",
        phone_supervision="0571-86001234",
    )
    return services.station.update_settings(chief, settings)


@pytest.fixture
def accepted(services: Services, make_officer, station: StationSettings):  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW, "张伟")
    item = services.catalogue.list_items("ZM-WFZ")[0]
    visit = services.visits.register(
        officer, NewVisit("王小明", IdType.RESIDENT, FULL_ID.lower(), "13805710011", item.item_id)
    )
    detail = services.visits.accept(officer, visit.row.id, visit.row.row_version)
    return officer, detail


@pytest.mark.parametrize("paper", ["A4", "A5", "80mm"])
def test_receipt_says_what_the_citizen_needs_and_hides_the_id(
    services: Services, chief: SessionUser, accepted, paper: str
) -> None:  # type: ignore[no-untyped-def]
    officer, detail = accepted
    settings = dataclasses.replace(services.station.settings(), paper_size=paper)
    services.station.update_settings(chief, settings)

    data = services.visits.slip(officer, detail.row.id, "receipt")
    pdf = render_slip(data)
    text = pdf_text(pdf)

    assert pdf.startswith(b"%PDF-")
    assert detail.row.serial in text
    assert "张伟" in text and officer.badge_no in text
    assert detail.row.due_date is not None and detail.row.due_date.isoformat() in text
    for phone in ("0571-86001110", "0571-86001234", "12389", "12345"):
        assert phone in text
    assert FULL_ID not in text and "110105********002X" in text
    assert "第 1 页 共 1 页" in text
    assert "补打" not in text


def test_receipt_fonts_are_embedded_subsets(tmp_path: Path, services: Services, accepted) -> None:  # type: ignore[no-untyped-def]
    officer, detail = accepted
    path = tmp_path / "receipt.pdf"
    path.write_bytes(render_slip(services.visits.slip(officer, detail.row.id, "receipt")))
    try:
        out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    except FileNotFoundError:
        pytest.skip("pdffonts (poppler-utils) is not installed")
    fonts = out.stdout.strip().splitlines()[2:]
    assert fonts, "no fonts listed"
    for line in fonts:
        assert "NotoSansSC" in line
        assert line.split()[-5] == "yes"  # the 'emb' column


def test_a_second_print_is_marked_as_a_reprint_and_logged(
    services: Services, accepted, audit_log
) -> None:  # type: ignore[no-untyped-def]
    officer, detail = accepted
    first = services.visits.slip(officer, detail.row.id, "receipt")
    services.visits.record_print(officer, detail.row.id, "receipt", first.copy_no)
    second = services.visits.slip(officer, detail.row.id, "receipt")

    assert second.copy_no == 2 and second.is_reprint
    assert "补打" in pdf_text(render_slip(second))
    services.visits.record_print(officer, detail.row.id, "receipt", second.copy_no)
    actions = [e["action"] for e in audit_log()]
    assert actions[-2:] == ["slip_printed", "slip_reprinted"]
    assert audit_log()[-1]["after"] == {"kind": "receipt", "copy_no": 2, "via": "gui"}


def test_a_print_logged_elsewhere_meanwhile_is_recorded_as_the_next_copy(
    services: Services, accepted, audit_log, make_officer
) -> None:  # type: ignore[no-untyped-def]
    officer, detail = accepted
    colleague = make_officer(Role.WINDOW, "刘洋")
    mine = services.visits.slip(officer, detail.row.id, "receipt")
    theirs = services.visits.slip(colleague, detail.row.id, "receipt")
    assert mine.copy_no == theirs.copy_no == 1
    services.visits.record_print(colleague, detail.row.id, "receipt", theirs.copy_no)

    # Mine came out of the printer after theirs was logged: the paper exists, log it anyway.
    services.visits.record_print(officer, detail.row.id, "receipt", mine.copy_no)

    event = audit_log()[-1]
    assert (event["action"], event["officer_id"]) == ("slip_reprinted", officer.officer_id)
    assert event["after"]["copy_no"] == 2 and event["after"]["printed_copy_no"] == 1
    assert "第 1 次" in event["after"]["note"] and "第 2 次" in event["after"]["note"]
    assert services.visits.slip(officer, detail.row.id, "receipt").copy_no == 3


def test_refusal_notice_carries_reason_redress_and_signature_line(
    services: Services, make_officer, station: StationSettings
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW, "陈静")
    item = services.catalogue.list_items("ZM-QSGX")[0]
    visit = services.visits.register(
        officer, NewVisit("赵敏", IdType.RESIDENT, FULL_ID, "13805710011", item.item_id)
    )
    services.visits.refuse(
        officer,
        visit.row.id,
        visit.row.row_version,
        "申请人与被证明人不存在亲属关系。",
        "可申请行政复议。",
        basis="《中华人民共和国行政许可法》第三十二条",
        review_body="测试市和平区人民政府",
        court="测试市和平区人民法院",
    )
    text = pdf_text(render_slip(services.visits.slip(officer, visit.row.id, "refusal")))
    flat = "".join(text.split())  # paragraphs wrap
    assert "不予受理告知书" in text
    assert "申请人与被证明人不存在亲属关系。" in flat and "可申请行政复议。" in flat
    assert "申请人签收" in text and "陈静" in text
    with pytest.raises(ConflictError):
        services.visits.slip(officer, visit.row.id, "receipt")


def test_guidance_slip_names_the_receiving_unit(
    services: Services, make_officer, station: StationSettings
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW)
    item = services.catalogue.list_items("ZX-ZC")[0]
    visit = services.visits.register(
        officer,
        NewVisit("钱七", IdType.RESIDENT, FULL_ID, "13805710011", item.item_id, in_scope=False),
    )
    services.visits.guide(
        officer, visit.row.id, visit.row.row_version, "城南区社保中心", "解放路 12 号", "0571-12333"
    )
    text = pdf_text(render_slip(services.visits.slip(officer, visit.row.id, "guidance")))
    for part in ("群众办事引导单", "城南区社保中心", "解放路 12 号", "0571-12333"):
        assert part in text


def test_rare_name_characters_are_found_before_printing() -> None:
    assert missing_glyphs("张三") == []
    # Extension B: Noto Sans SC lacks it, the bundled HanaMinB draws it.
    assert missing_glyphs("王𠇔") == []
    # Added by Unicode 13, after GB 18030-2022: no bundled font has it.
    assert missing_glyphs("王\u9ff0") == ["\u9ff0"]


def test_cli_prints_the_same_receipt_and_counts_it(
    tmp_path: Path, db_path: Path, services: Services, accepted, capsys, monkeypatch, audit_log
) -> None:  # type: ignore[no-untyped-def]
    officer, detail = accepted
    monkeypatch.setenv(cli.LOGIN_PASSWORD_ENV, TEST_PASSWORD)
    out = tmp_path / "r.pdf"
    base = ["--db", str(db_path), "--out", str(out), "--badge", officer.badge_no]
    assert cli.main(["print", "receipt", detail.row.serial, *base]) == 0
    text = pdf_text(out.read_bytes())
    assert detail.row.serial in text and "补打" not in text
    assert cli.main(["print", "receipt", detail.row.serial, *base]) == 0
    assert "补打" in pdf_text(out.read_bytes())
    assert "补打" in capsys.readouterr().out
    event = audit_log()[-1]
    assert (event["action"], event["officer_id"]) == ("slip_reprinted", officer.officer_id)
    assert event["after"] == {"kind": "receipt", "copy_no": 2, "via": "cli"}
    assert cli.main(["print", "receipt", "QNL-1999-000001", *base]) == 1
    assert "没有编号为" in capsys.readouterr().err
    assert not list(tmp_path.glob(".*.part"))
    db = open_database(db_path)
    try:
        assert (
            build_services(db.sessions)
            .visits.slip_by_serial(officer, detail.row.serial, "receipt")[1]
            .copy_no
            == 3
        )
    finally:
        db.dispose()


def test_cli_warns_when_a_name_has_a_character_the_font_lacks(
    tmp_path: Path, db_path: Path, services: Services, make_officer, station, capsys, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    officer = make_officer(Role.WINDOW)
    item = services.catalogue.list_items("ZM-WFZ")[0]
    visit = services.visits.register(
        officer, NewVisit("王\u9ff0", IdType.RESIDENT, FULL_ID, "13805710011", item.item_id)
    )
    visit = services.visits.accept(officer, visit.row.id, visit.row.row_version)
    out = tmp_path / "r.pdf"
    monkeypatch.setenv(cli.LOGIN_PASSWORD_ENV, TEST_PASSWORD)
    argv = ["print", "receipt", visit.row.serial, "--db", str(db_path), "--out", str(out)]

    assert cli.main([*argv, "--badge", officer.badge_no]) == 0

    # Named by its code, not drawn as the box it would print as.
    assert "字库中没有 U+9FF0（基本区汉字）" in capsys.readouterr().err
