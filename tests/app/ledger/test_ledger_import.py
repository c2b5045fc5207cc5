"""历史台账导入 (issue 16, item 5): an earlier Excel ledger is read, every row checked with the
registration form's checks, and imported whole or not at all, its days locked as reviewed."""

from __future__ import annotations

import datetime as dt
import io
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from PIL import Image
from sqlalchemy import func, select

from app.cli import main
from app.core.clock import FixedClock
from app.core.database import Database
from app.core.dto import SessionUser
from app.core.errors import ConflictError, PermissionDenied, ValidationError
from app.core.identity import IdType
from app.core.roles import Role
from app.integrity.service import check_database
from app.ledger.importer import (
    ImportRejected,
    guess_mapping,
    parse_date,
    preview_rows,
    status_of,
    write_report,
)
from app.ledger.service import ReviewSignature
from app.services import Services
from app.visits.dto import NameChoice, NewVisit, VisitQuery
from app.visits.rules import VisitStatus
from db.models import (
    AuditEvent,
    DayReview,
    LedgerImport,
    LedgerImportVisit,
    Signature,
    Visit,
    VisitTransition,
)
from tests.conftest import TEST_PASSWORD

HEADERS = ("序号", "登记日期", "到达时间", "群众姓名", "证件类型", "身份证号", "联系电话",
           "办理事项", "事由", "办理结果", "经办民警", "办结时间")  # fmt: skip
# Valid resident ID numbers (GB 11643 check digits).
IDS = ("11010519491231002X", "440308199001011239", "110101199003077758", "320102198501012835")


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(out, format="PNG")
    return out.getvalue()


SIGN = ReviewSignature((((1.0, 1.0, 0.5), (40.0, 20.0, 0.5)),), _png())


def row(
    day: Any = "2025-03-03",
    name: str = "王小明",
    number: str = IDS[0],
    matter: str = "无犯罪记录证明",
    result: str = "已办结",
    officer: str = "张伟",
    **more: Any,
) -> dict[str, Any]:
    values = {
        "序号": 1,
        "登记日期": day,
        "到达时间": "09:30",
        "群众姓名": name,
        "证件类型": "居民身份证",
        "身份证号": number,
        "联系电话": "13805710011",
        "办理事项": matter,
        "事由": "出国留学",
        "办理结果": result,
        "经办民警": officer,
        "办结时间": "",
    }
    values.update(more)
    return values


def workbook(path: Path, rows: Sequence[dict[str, Any]], title: bool = True) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "2025年台账"
    if title:
        sheet.append(["和平路派出所窗口服务台账（2025年）"])
    sheet.append(list(HEADERS))
    for values in rows:
        sheet.append([values.get(h) for h in HEADERS])
    book.create_sheet("说明").append(["本表由内勤填写"])
    book.save(path)
    return path


@pytest.fixture
def officer(make_officer: Callable[..., SessionUser]) -> SessionUser:
    return make_officer(Role.WINDOW, "张伟")


def _import(services: Services, chief: SessionUser, path: Path) -> Any:
    source = services.ledger_import.read(chief, path)
    return services.ledger_import.import_(chief, path, source.sheet, source.suggested, SIGN)


def test_the_header_row_and_the_mapping_are_guessed_from_common_chinese_headers(
    services: Services, chief: SessionUser, officer: SessionUser, tmp_path: Path
) -> None:
    path = workbook(tmp_path / "台账.xlsx", [row()])
    source = services.ledger_import.read(chief, path)
    assert source.sheets == ("2025年台账", "说明")
    assert source.header_row == 2  # under the title line
    column = {key: (source.headers[i] if i is not None else None)
              for key, i in source.suggested.items()}  # fmt: skip
    assert column == {
        "date": "登记日期", "time": "到达时间", "citizen_name": "群众姓名",
        "id_type": "证件类型", "id_number": "身份证号", "phone": "联系电话",
        "matter": "办理事项", "summary": "事由", "result": "办理结果", "officer": "经办民警",
        "ended": "办结时间", "channel": None,
    }  # fmt: skip
    other = guess_mapping(["日期", "时间", "办事人", "证件号码", "手机", "业务类型", "备注",
                           "状态", "承办民警*", "受理日期"])  # fmt: skip
    assert other["date"] == 0 and other["time"] == 1 and other["citizen_name"] == 2
    assert other["id_number"] == 3 and other["phone"] == 4 and other["matter"] == 5
    assert other["summary"] == 6 and other["result"] == 7 and other["officer"] == 8
    # The preview is as imported, and masks the ID number and phone as every list does.
    (preview,) = preview_rows(source, source.suggested)
    assert preview.cells[1:4] == ("2025-03-03", "09:30", "王*明")
    assert preview.cells[4] == "110105********002X" and preview.cells[5] == "138****0011"
    assert preview.cells[8] == "已办结"
    assert IDS[0] not in "".join(preview.cells)


def test_dates_results_and_csv_encodings_are_read_as_chinese_excel_writes_them(
    services: Services, chief: SessionUser, officer: SessionUser, tmp_path: Path
) -> None:
    day = dt.date(2025, 3, 1)
    for text in ("2025-03-01", "2025/3/1", "2025年3月1日", "2025.3.1", "20250301"):
        assert parse_date(text) == (day, None), text
    assert parse_date(dt.datetime(2025, 3, 1, 9, 5)) == (day, dt.time(9, 5))
    assert parse_date(45717) == (day, None)  # an Excel date serial
    assert parse_date("2025-02-30") is None and parse_date("三月一日") is None
    assert status_of("已办结") is VisitStatus.COMPLETED
    assert status_of("当场办结") is VisitStatus.COMPLETED
    assert status_of("引导至社保局") is VisitStatus.GUIDED
    assert status_of("指引") is VisitStatus.GUIDED
    assert status_of("不予受理（材料不全）") is VisitStatus.REFUSED
    assert status_of("咨询") is VisitStatus.ANSWERED and status_of("解答") is VisitStatus.ANSWERED
    assert status_of("未办结") is None and status_of("办理中") is None and status_of("") is None
    lines = ["日期,姓名,身份证号,事项,结果,经办人",
             f"2025/3/4,李四光,{IDS[1]},无犯罪记录证明,办结,张伟"]  # fmt: skip
    for encoding in ("utf-8", "utf-8-sig", "gb18030"):
        path = tmp_path / f"台账-{encoding}.csv"
        path.write_bytes("\r\n".join(lines).encode(encoding))
        source = services.ledger_import.read(chief, path)
        assert source.headers[1] == "姓名"
        check = services.ledger_import.check(chief, path, source.sheet, source.suggested)
        assert check.ok and check.accepted == 1, (encoding, check.problems)


def test_every_rejection_names_the_row_the_column_and_the_reason_in_chinese(
    services: Services,
    chief: SessionUser,
    officer: SessionUser,
    make_officer: Callable[..., SessionUser],
    tmp_path: Path,
) -> None:
    make_officer(Role.WINDOW, "李军")
    make_officer(Role.WINDOW, "李军")  # two of one name
    make_officer(Role.AUXILIARY, "赵辅")
    rows = [
        row(),  # row 3: fine
        row(day=""),  # 4
        row(day="三月三日"),  # 5
        row(number="110105194912310021"),  # 6: check digit
        row(matter="办理护照"),  # 7: not in the catalogue
        row(officer="钱无名"),  # 8: unknown officer
        row(officer="李军"),  # 9: ambiguous
        row(result="办理中"),  # 10: not finished
        row(result="不予受理", officer="赵辅"),  # 11: an auxiliary refuses
        row(day="2025-10-08"),  # 12: in the future
        row(name="王1明"),  # 13: a digit in the name
        row(**{"联系电话": "12345"}),  # 14: not a phone
        row(day="2025-09-29"),  # 15: today
        row(**{"办结时间": "2025-03-01 10:00"}),  # 16: finished before arriving
        row(**{"事由": "长" * 201}),  # 17: summary too long
        row(number=440308199001011239),  # type: ignore[arg-type]  # 18: a number in Excel
        row(**{"证件类型": "驾驶证"}),  # 19
    ]
    path = workbook(tmp_path / "台账.xlsx", rows)
    source = services.ledger_import.read(chief, path)
    check = services.ledger_import.check(chief, path, source.sheet, source.suggested)
    assert (check.rows_total, check.accepted, check.rejected_rows) == (17, 1, 16)
    assert not check.ok
    found = {(p.row_no, p.column): p.reason for p in check.problems}
    assert found[(4, "登记日期")] == "请填写日期。"
    assert "无法识别" in found[(5, "登记日期")]
    assert "校验位不符" in found[(6, "身份证号")]
    assert "服务事项目录中没有“办理护照”" in found[(7, "办理事项")]
    assert "人员名单中没有“钱无名”" in found[(8, "经办民警")]
    assert "有 2 位民警叫“李军”" in found[(9, "经办民警")]
    assert "不是已办完的结果" in found[(10, "办理结果")]
    assert "不予受理须由民警作出" in found[(11, "经办民警")]
    assert "晚于今天" in found[(12, "登记日期")]
    assert "昨天及以前" in found[(15, "登记日期")]
    assert (13, "群众姓名") in found and (14, "联系电话") in found
    assert "早于到达时间" in found[(16, "办结时间")]
    assert "不能超过 200 个字" in found[(17, "事由")]
    assert "存成了数字" in found[(18, "身份证号")]
    assert "证件类型“驾驶证”无法识别" in found[(19, "证件类型")]
    assert all(any("\u4e00" <= c <= "\u9fff" for c in p.reason) for p in check.problems)
    # The report, as .xlsx and .csv: row, column, reason; no citizen's data in it.
    report = write_report(check, tmp_path / "报告.xlsx")
    sheet = load_workbook(report).active
    assert sheet is not None
    cells = [[c.value for c in r] for r in sheet.iter_rows()]
    assert ["行号", "列", "原因"] in cells
    assert any(r[:2] == [6, "身份证号"] for r in cells)
    text = write_report(check, tmp_path / "报告.csv").read_bytes().decode("utf-8-sig")
    assert "6,身份证号," in text and IDS[0] not in text and "王小明" not in text


def test_a_file_with_a_rejected_row_imports_nothing(
    services: Services,
    chief: SessionUser,
    officer: SessionUser,
    tmp_path: Path,
    count: Callable[[type], int],
) -> None:
    path = workbook(tmp_path / "台账.xlsx", [row(), row(name="李四光", number=IDS[1]),
                                            row(matter="办理护照")])  # fmt: skip
    before = {m: count(m) for m in (Visit, VisitTransition, AuditEvent, DayReview, LedgerImport)}
    source = services.ledger_import.read(chief, path)
    with pytest.raises(ImportRejected) as refused:
        services.ledger_import.import_(chief, path, source.sheet, source.suggested, SIGN)
    assert "未导入任何记录" in refused.value.message
    assert refused.value.check.rejected_rows == 1
    assert {m: count(m) for m in before} == before
    with pytest.raises(ValidationError, match="签字板"):
        services.ledger_import.import_(
            chief, path, source.sheet, source.suggested, ReviewSignature((), b"")
        )


def test_an_import_writes_numbered_finished_visits_their_history_and_locks_the_days(
    services: Services,
    chief: SessionUser,
    officer: SessionUser,
    make_officer: Callable[..., SessionUser],
    tmp_path: Path,
    db: Database,
    audit_log: Callable[[], list[dict[str, Any]]],
) -> None:
    window = make_officer(Role.WINDOW, "刘洋")
    rows = [
        row(day="2025-03-04", name="王小明", **{"到达时间": "14:00"}),
        row(day="2025/3/3", name="李四光", number=IDS[1], result="引导至社保局"),
        row(day="2025年3月3日", name="赵钱孙", number=IDS[2], result="不予受理（不符合条件）",
            officer=window.badge_no),
        row(day="2025-03-03", name="周吴郑", number=IDS[3], matter="ZX-ZC", result="咨询",
            **{"到达时间": "08:15"}),
        row(day="2025-03-05", name="孙悟空", number=IDS[0],
            matter="居民身份证换领（到期、信息变更或损坏）", result="已办结",
            **{"办结时间": "2025-03-06 10:00"}),
    ]  # fmt: skip
    path = workbook(tmp_path / "台账.xlsx", rows)
    result = _import(services, chief, path)
    assert result.number == "HPL-DR-2025-00001"
    assert (result.visits, result.date_from, result.date_to) == (
        5, dt.date(2025, 3, 3), dt.date(2025, 3, 5),
    )  # fmt: skip
    # 3, 4 and 5 March; not the 6th, when the last was finished (a later file may fill it).
    assert result.days == 3
    with db.sessions() as session:
        visits = session.scalars(select(Visit).order_by(Visit.seq)).all()
        # Gap-free in the year, in the order the citizens came.
        assert [v.serial for v in visits] == [f"HPL-2025-{n:06d}" for n in range(1, 6)]
        assert [v.citizen_name for v in visits] == [
            "周吴郑",
            "李四光",
            "赵钱孙",
            "王小明",
            "孙悟空",
        ]
        by_name = {v.citizen_name: v for v in visits}
        assert by_name["王小明"].status == "completed" and by_name["王小明"].due_date is not None
        assert by_name["李四光"].status == "guided" and not by_name["李四光"].in_scope
        assert by_name["赵钱孙"].status == "refused"
        assert by_name["赵钱孙"].first_officer_id == window.officer_id
        assert by_name["周吴郑"].status == "answered"
        assert by_name["王小明"].id_number == IDS[0]  # sealed, opened with the key
        assert by_name["王小明"].phone_tail == "0011" and by_name["王小明"].id_number_hash
        steps = {
            v.citizen_name: [
                (t.from_status, t.to_status, t.officer_id)
                for t in session.scalars(
                    select(VisitTransition)
                    .where(VisitTransition.visit_id == v.id)
                    .order_by(VisitTransition.id)
                )
            ]
            for v in visits
        }
        assert steps["王小明"] == [
            ("", "registered", officer.officer_id),
            ("registered", "in_progress", officer.officer_id),
            ("in_progress", "completed", officer.officer_id),
        ]
        assert steps["李四光"] == [("", "registered", officer.officer_id),
                                   ("registered", "guided", officer.officer_id)]  # fmt: skip
        finished = session.scalar(
            select(VisitTransition.at).where(
                VisitTransition.visit_id == by_name["孙悟空"].id,
                VisitTransition.to_status == "completed",
            )
        )
        assert finished is not None
        assert finished == dt.datetime(2025, 3, 6, 2, 0, tzinfo=dt.UTC)
        assert session.scalar(select(func.count()).select_from(LedgerImportVisit)) == 5
        record = session.scalars(select(LedgerImport)).one()
        assert (record.file_name, record.rows_total, record.rows_imported) == ("台账.xlsx", 5, 5)
        assert len(record.file_sha256) == 64 and "登记日期" in record.mapping_json
        reviews = session.scalars(select(DayReview).order_by(DayReview.day)).all()
        assert [r.day.day for r in reviews] == [3, 4, 5]
        assert all(r.reviewed_by_id == chief.officer_id for r in reviews)
        assert all("历史台账导入 HPL-DR-2025-00001" in r.comment for r in reviews)
        assert session.scalar(select(func.count()).select_from(Signature)) == 3
    events = audit_log()
    imported = [e for e in events if e["action"] == "ledger_imported"]
    assert len(imported) == 1 and imported[0]["entity_id"] == result.number
    assert imported[0]["after"]["visits"] == 5 and imported[0]["after"]["days"] == 3
    assert sum(e["action"] == "day_reviewed" for e in events) == 3
    assert not any(e["action"] == "visit_registered" for e in events)  # one event per import
    # The days read as any reviewed day: the ledger lists the visits, the reminder is quiet.
    ledger = services.ledger.ledger(chief, dt.date(2025, 3, 3))
    assert ledger.locked and ledger.review is not None
    listed = ledger.section("visits").rows
    assert len(listed) == 3
    masked = [r.cells[5] for r in listed]
    assert "110101********7758" in masked and IDS[2] not in str(listed)
    assert services.ledger.pending_days(chief) == []
    stats = services.statistics.compute(chief, dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    assert stats.total.visits == 5
    search = services.visits.search(chief, VisitQuery(date_from=dt.date(2025, 3, 3),
                                                      date_to=dt.date(2025, 3, 3)))  # fmt: skip
    assert {r.id_masked for r in search.rows} >= {"110101********7758"}
    # Locked: a registration of an imported day is changed only by a correction (更正记录,
    # which is refused for a day not locked).
    fixed = services.ledger.correct(chief, by_name["王小明"].id, "summary", "出国", "原台账抄错")
    assert fixed.number.startswith("HPL-GZJL-2025-")
    # And the whole file passes stationdesk check: chain, seals, signed ledgers.
    report = check_database(db)
    assert report.ok, report.lines


def test_the_same_file_again_is_refused_naming_the_earlier_import(
    services: Services, chief: SessionUser, officer: SessionUser, tmp_path: Path
) -> None:
    path = workbook(tmp_path / "台账.xlsx", [row()])
    first = _import(services, chief, path)
    copy = tmp_path / "台账-副本.xlsx"
    copy.write_bytes(path.read_bytes())
    source = services.ledger_import.read(chief, copy)
    with pytest.raises(ConflictError, match=first.number):
        services.ledger_import.check(chief, copy, source.sheet, source.suggested)
    with pytest.raises(ConflictError, match="不能重复导入"):
        services.ledger_import.import_(chief, copy, source.sheet, source.suggested, SIGN)


def test_only_days_before_the_station_went_live_and_not_reviewed_are_filled(
    services: Services,
    chief: SessionUser,
    officer: SessionUser,
    clock: FixedClock,
    tmp_path: Path,
) -> None:
    item = services.catalogue.list_items("ZM-WFZ")[0]
    clock.advance(dt.datetime(2025, 9, 1, 2, 0, tzinfo=dt.UTC) - clock.now())
    services.visits.register(
        officer,
        NewVisit("王小明", IdType.RESIDENT, IDS[0], "", item.item_id,
                 name_choice=NameChoice.CURRENT),
    )  # fmt: skip
    clock.advance(dt.datetime(2025, 9, 29, 2, 0, tzinfo=dt.UTC) - clock.now())
    path = workbook(tmp_path / "台账.xlsx", [row(day="2025-08-31"), row(day="2025-09-01"),
                                            row(day="2025-09-10")])  # fmt: skip
    source = services.ledger_import.read(chief, path)
    check = services.ledger_import.check(chief, path, source.sheet, source.suggested)
    assert check.accepted == 1 and check.rejected_rows == 2
    assert all("2025-09-01" in p.reason for p in check.problems)
    # An import's own visits do not move the line: a second file may fill earlier days.
    only = workbook(tmp_path / "八月.xlsx", [row(day="2025-08-31")])
    # Numbered after the counter's own visit of the year: gap-free, whatever the order.
    assert _import(services, chief, only).first_serial == "HPL-2025-000002"
    again = workbook(tmp_path / "八月二.xlsx", [row(day="2025-08-30", name="李四光"),
                                               row(day="2025-08-31", name="赵钱孙")])  # fmt: skip
    source = services.ledger_import.read(chief, again)
    check = services.ledger_import.check(chief, again, source.sheet, source.suggested)
    assert check.accepted == 1
    (problem,) = check.problems
    assert problem.row_no == 4 and "已审核锁定" in problem.reason


def test_only_the_chief_or_a_deputy_imports(
    services: Services,
    chief: SessionUser,
    officer: SessionUser,
    make_officer: Callable[..., SessionUser],
    tmp_path: Path,
) -> None:
    path = workbook(tmp_path / "台账.xlsx", [row()])
    deputy = make_officer(Role.DEPUTY, "副所长")
    assert services.ledger_import.read(deputy, path).suggested["date"] is not None
    for role in (Role.WINDOW, Role.AUXILIARY, Role.ADMIN):
        user = officer if role is Role.WINDOW else make_officer(role, "某人")
        with pytest.raises(PermissionDenied, match="所长或副所长"):
            services.ledger_import.read(user, path)
        with pytest.raises(PermissionDenied):
            services.ledger_import.check(user, path, None, guess_mapping(HEADERS))
        with pytest.raises(PermissionDenied):
            services.ledger_import.import_(user, path, None, guess_mapping(HEADERS), SIGN)


def test_a_missing_mapping_or_a_bad_file_is_named_in_chinese(
    services: Services, chief: SessionUser, officer: SessionUser, tmp_path: Path
) -> None:
    path = workbook(tmp_path / "台账.xlsx", [row()])
    source = services.ledger_import.read(chief, path)
    mapping = dict(source.suggested) | {"matter": None}
    with pytest.raises(ValidationError, match="请为“办理事项”选择"):
        services.ledger_import.check(chief, path, source.sheet, mapping)
    twice = dict(source.suggested) | {"summary": source.suggested["result"]}
    with pytest.raises(ValidationError, match="同一列不能同时"):
        services.ledger_import.check(chief, path, source.sheet, twice)
    broken = tmp_path / "坏.xlsx"
    broken.write_bytes(b"not a workbook")
    with pytest.raises(ValidationError, match="不是有效的 Excel"):
        services.ledger_import.read(chief, broken)
    (tmp_path / "旧.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ValidationError, match="另存为"):
        services.ledger_import.read(chief, tmp_path / "旧.xls")
    with pytest.raises(ValidationError, match="找不到文件"):
        services.ledger_import.read(chief, tmp_path / "无.xlsx")


def _big(path: Path, n: int) -> Path:
    days = [dt.date(2025, 1, 1) + dt.timedelta(days=i) for i in range(240)]
    matters = ("无犯罪记录证明", "居民身份证申领（首次）", "政策咨询", "户口迁出")
    results = ("已办结", "已办结", "咨询", "已办结")
    book = Workbook(write_only=True)
    sheet = book.create_sheet("台账")
    sheet.append(list(HEADERS))
    for i in range(n):
        day = days[i % len(days)]
        k = i % 4
        sheet.append([i + 1, day, f"{8 + i % 9}:{i % 60:02d}", "王小明", "居民身份证",
                      IDS[i % 4], f"138{i % 100000000:08d}", matters[k], "", results[k],
                      "张伟", None])  # fmt: skip
    book.save(path)
    return path


def test_the_check_reads_its_lookups_once_not_once_per_row(
    services: Services, chief: SessionUser, officer: SessionUser, tmp_path: Path, sql: Any
) -> None:
    small = _big(tmp_path / "小.xlsx", 10)
    large = _big(tmp_path / "大.xlsx", 400)
    counts = []
    for path in (small, large):
        source = services.ledger_import.read(chief, path)
        with sql:
            check = services.ledger_import.check(chief, path, source.sheet, source.suggested)
        assert check.ok, check.problems[:3]
        counts.append(sql.count)
    assert counts[0] == counts[1] <= 12


@pytest.mark.skipif(not os.environ.get("STATIONDESK_BENCH"), reason="STATIONDESK_BENCH=1 to time")
def test_fifty_thousand_rows_check_and_import_in_well_under_a_minute(
    services: Services, chief: SessionUser, officer: SessionUser, tmp_path: Path, db: Database
) -> None:
    path = _big(tmp_path / "年.xlsx", 50_000)
    source = services.ledger_import.read(chief, path)
    started = time.perf_counter()
    check = services.ledger_import.check(chief, path, source.sheet, source.suggested)
    checked = time.perf_counter() - started
    assert check.ok
    started = time.perf_counter()
    result = services.ledger_import.import_(chief, path, source.sheet, source.suggested, SIGN)
    imported = time.perf_counter() - started
    print(f"\ncheck {checked:.1f} s, import {imported:.1f} s, {result.days} days")
    assert result.visits == 50_000 and imported < 60
    started = time.perf_counter()
    report = check_database(db)
    print(f"stationdesk check {time.perf_counter() - started:.1f} s")
    assert report.ok, report.lines


def test_the_command_line_checks_and_reports_with_exit_codes(
    services: Services,
    chief: SessionUser,
    officer: SessionUser,
    db_path: Path,
    tmp_path: Path,
    count: Callable[[type], int],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("STATIONDESK_PASSWORD", TEST_PASSWORD)
    good = workbook(tmp_path / "好.xlsx", [row()])
    bad = workbook(tmp_path / "坏.xlsx", [row(), row(matter="办理护照")])

    def cli(*args: str) -> tuple[int, str, str]:
        code = main(["import", "ledger", *args, "--db", str(db_path)])
        done = capsys.readouterr()
        assert "Traceback" not in done.err
        return code, done.out, done.err

    code, out, _err = cli(str(good), "--check-only", "--badge", chief.badge_no)
    assert code == 0 and "可导入 1 行" in out and "日期←登记日期" in out
    report = tmp_path / "报告.xlsx"
    code, out, _err = cli(str(bad), "--report", str(report), "--badge", chief.badge_no)
    assert code == 1 and "未通过 1 行" in out and "第 4 行【办理事项】" in out
    assert report.exists() and count(Visit) == 0
    code, out, err = cli(str(good), "--badge", chief.badge_no)  # passes, but needs a signature
    assert code == 1 and "签字" in err and count(Visit) == 0
    code, _out, err = cli(str(good), "--check-only", "--badge", officer.badge_no)
    assert code == 1 and "所长或副所长" in err
    code, _out, err = cli(str(tmp_path / "无.xlsx"), "--badge", chief.badge_no)
    assert code == 1 and "找不到文件" in err
    code, _out, err = cli(str(good))
    assert code == 2 and "--badge" in err
    code, _out, err = cli(str(good), "--report", "报告.pdf", "--badge", chief.badge_no)
    assert code == 2 and ".xlsx 或 .csv" in err


def test_a_later_file_fills_the_day_an_earlier_one_only_finished_a_matter_on(
    services: Services, chief: SessionUser, officer: SessionUser, tmp_path: Path, db: Database
) -> None:
    january = [row(day="2025-01-27", **{"办结时间": "2025-02-10 10:00"})]
    _import(services, chief, workbook(tmp_path / "一月.xlsx", january))
    february = [row(day="2025-02-10", name="李四光", number=IDS[1])]
    result = _import(services, chief, workbook(tmp_path / "二月.xlsx", february))
    assert result.visits == 1
    with db.sessions() as session:
        days = [r.day for r in session.scalars(select(DayReview).order_by(DayReview.day))]
    assert days == [dt.date(2025, 1, 27), dt.date(2025, 2, 10)]


def test_imported_matters_are_not_sampled_for_callbacks_nor_sent_an_sms(
    services: Services, chief: SessionUser, officer: SessionUser, tmp_path: Path, db: Database
) -> None:
    _import(services, chief, workbook(tmp_path / "台账.xlsx", [row(day="2025-03-03")]))
    batch = services.callbacks.sample(
        chief, dt.date(2025, 3, 1), dt.date(2025, 3, 31), share=100, seed=1
    )
    assert batch.eligible == 0 and batch.sampled == 0


def test_a_refusal_or_guidance_says_what_the_old_ledger_did_not_keep(
    services: Services, chief: SessionUser, officer: SessionUser, tmp_path: Path, db: Database
) -> None:
    rows = [
        row(day="2025-03-03", result="不予受理（不符合条件）"),
        row(day="2025-03-03", name="李四光", number=IDS[1], result="引导至社保局"),
    ]
    _import(services, chief, workbook(tmp_path / "台账.xlsx", rows))
    with db.sessions() as session:
        by_name = {v.citizen_name: v for v in session.scalars(select(Visit))}
    assert by_name["王小明"].refusal_redress == "（历史台账未记载）"
    assert by_name["李四光"].guided_unit == "（历史台账未记载）"
