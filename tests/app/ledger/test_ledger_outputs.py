"""The ledger on paper and in Excel: a busy day of 300 visits, reviewed and signed."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import openpyxl
import pytest
from PIL import Image

from app import cli
from app.core.clock import FixedClock
from app.core.errors import ValidationError
from app.core.identity import IdType, check_digit
from app.core.roles import Role
from app.ledger.pdf import ledger_document
from app.ledger.service import ReviewSignature
from app.printing.register_pdf import render_register
from app.services import Services
from app.visits.dto import NameChoice, NewVisit
from tests.app.ratings.test_rating_pdfs import assert_fonts_embedded, image_count, pages_text
from tests.conftest import TEST_PASSWORD

DAY = dt.date(2025, 9, 29)
VISITS = 300


def _sig() -> ReviewSignature:
    out = io.BytesIO()
    Image.new("RGB", (60, 30), "white").save(out, format="PNG")
    return ReviewSignature((((1.0, 1.0, 0.5), (40.0, 20.0, 0.5)),), out.getvalue())


@pytest.fixture
def busy_day(services: Services, chief, make_officer, clock: FixedClock):  # type: ignore[no-untyped-def]
    """300 walk-ins between 08:30 and 17:30, most finished on the spot, then the review."""
    clock.advance(dt.timedelta(hours=-1, minutes=-30))  # 08:30
    officers = [make_officer(Role.WINDOW, n) for n in ("张伟", "刘洋", "陈静")]
    item = services.catalogue.list_items("ZM-BGGZ")[0].item_id
    ids = []
    for n in range(VISITS):
        first17 = f"330106{dt.date(1960, 1, 1) + dt.timedelta(days=47 * n):%Y%m%d}{n % 900 + 1:03d}"
        number = first17 + check_digit(first17)
        ids.append(number)
        user = officers[n % 3]
        visit = services.visits.register(
            user, NewVisit("王小明", IdType.RESIDENT, number, f"138{n:08d}", item)
        )
        if n % 5:
            services.visits.complete_on_the_spot(user, visit.row.id, visit.row.row_version, "办结")
        clock.advance(dt.timedelta(seconds=108))
    clock.advance(dt.timedelta(minutes=30))
    sha = services.ledger.ledger(chief, DAY).content_sha256
    services.ledger.review(chief, DAY, sha, "已逐条核对", _sig())
    return ids


def test_the_ledger_pdf_of_a_300_visit_day(
    services: Services, chief, busy_day, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    ledger = services.ledger.ledger(chief, DAY)
    assert len(ledger.section("visits").rows) == VISITS
    doc = ledger_document(ledger, "Asia/Shanghai", dt.datetime(2025, 9, 29, 10, tzinfo=dt.UTC))
    pdf = render_register(doc)
    pages = pages_text(pdf)
    total = len(pages)
    assert total >= 10
    for number, text in enumerate(pages, start=1):
        assert f"第 {number} 页 共 {total} 页" in text
        assert "TZ-20250929" in text
    text = "\n".join(pages)
    assert "窗口服务每日台账" in text and "2025年9月29日（星期一）" in text
    assert "登记：300 件" in text
    # Every serial printed once; the table header repeats on every page it runs over.
    assert len(set(re.findall(r"HPL-2025-\d{6}", text))) == VISITS
    visit_pages = [p for p in pages if "HPL-2025-" in p]
    assert all("首接民警" in p for p in visit_pages)
    # Masked IDs only; the chief's name, time and signature in the review block.
    assert not any(number in text for number in busy_day)
    assert "330106********" in text
    assert "王所长（所长）" in text and "已逐条核对" in text
    assert image_count(pdf) == 1  # the signature (the QR code is drawn as vectors)
    assert_fonts_embedded(tmp_path, pdf)


def test_the_ledger_workbook_reads_back(
    services: Services, chief, busy_day, tmp_path: Path, audit_log
) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "台账.xlsx"
    services.ledger.export_xlsx(chief, DAY, target)
    book = openpyxl.load_workbook(target)
    assert book.sheetnames[:3] == ["概况", "接待登记", "移交"]
    summary = book["概况"]
    values = [c.value for row in summary.iter_rows() for c in row if c.value]
    assert any("已审核锁定：王所长" in str(v) for v in values)
    sheet = book["接待登记"]
    header = [c.value for c in sheet[3]]
    assert header[:3] == ["编号", "到达", "开始"]
    assert sheet.freeze_panes is not None
    assert sheet["A3"].font.bold
    assert sheet.column_dimensions["A"].width >= 14
    serials = [r[0] for r in sheet.iter_rows(min_row=4, values_only=True) if r[0]]
    assert len(serials) == VISITS
    ids = [r[5] for r in sheet.iter_rows(min_row=4, values_only=True) if r[0]]
    assert all("********" in i for i in ids)
    assert audit_log()[-1]["action"] == "ledger_exported"


def test_a_failed_export_leaves_nothing_behind(
    services: Services, chief, tmp_path: Path, audit_log
) -> None:  # type: ignore[no-untyped-def]
    before = len(audit_log())
    with pytest.raises(ValidationError, match="不存在"):
        services.ledger.export_xlsx(chief, DAY, tmp_path / "无此目录" / "台账.xlsx")
    (tmp_path / "已有.xlsx").mkdir()  # a folder where the file would go
    with pytest.raises(ValidationError, match="是一个文件夹"):
        services.ledger.export_xlsx(chief, DAY, tmp_path / "已有.xlsx")
    with pytest.raises(ValidationError, match=r"\.xlsx 结尾"):
        services.ledger.export_xlsx(chief, DAY, tmp_path / "台账.pdf")
    left = [p.name for p in tmp_path.iterdir() if not p.name.startswith("station.sqlite3")]
    assert left == ["已有.xlsx"]  # no workbook and no temporary file
    assert len(audit_log()) == before


def test_stationdesk_print_ledger(  # type: ignore[no-untyped-def]
    busy_day, chief, db_path: Path, tmp_path: Path, capsys, monkeypatch, audit_log
) -> None:
    out_file = tmp_path / "台账.pdf"
    monkeypatch.setenv(cli.LOGIN_PASSWORD_ENV, TEST_PASSWORD)
    args = ["print", "ledger", "2025-09-29", "--db", str(db_path), "--out", str(out_file)]
    args += ["--badge", chief.badge_no]
    assert cli.main(args) == 0 and out_file.read_bytes().startswith(b"%PDF")
    assert "已审核" in capsys.readouterr().out
    event = audit_log()[-1]
    assert (event["action"], event["officer_id"]) == ("ledger_printed", chief.officer_id)
    assert event["after"] == {"format": "pdf", "via": "cli", "copy_no": 1}
    args[2] = "2025-13-01"
    assert cli.main(args) == 1
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_records_after_the_review_print_and_export_apart_from_the_signed_copy(
    services: Services, chief, busy_day, make_officer, clock: FixedClock, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    clock.advance(dt.timedelta(minutes=30))  # 18:30, after the review
    late = services.visits.register(
        make_officer(Role.WINDOW, "赵刚"),
        NewVisit(
            "李晓",
            IdType.RESIDENT,
            busy_day[0],
            "13800138000",
            services.catalogue.list_items("ZM-BGGZ")[0].item_id,
            name_choice=NameChoice.CURRENT,  # the busy day's first citizen's ID number
        ),
    )
    ledger = services.ledger.ledger(chief, DAY)

    doc = ledger_document(ledger, "Asia/Shanghai", clock.now())
    text = "\n".join(pages_text(render_register(doc)))
    assert "审核后·接待登记（1，未经本次审核，列入次日台账）" in text
    assert late.row.serial in text

    target = tmp_path / "台账.xlsx"
    services.ledger.export_xlsx(chief, DAY, target)
    sheet = openpyxl.load_workbook(target)["审核后·接待登记"]
    assert [r[0] for r in sheet.iter_rows(min_row=4, values_only=True) if r[0]] == [late.row.serial]
