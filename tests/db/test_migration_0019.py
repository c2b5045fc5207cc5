"""Migration 0019 (refusal grounds, redress bodies): down and up again on a station's SQLite
file with records in it; refusals from before print their free text, nothing reads as tampered."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from alembic import command
from sqlalchemy import inspect, text

from app.core.database import open_database
from app.core.identity import IdType
from app.core.roles import Role
from app.integrity.service import check_database
from app.officers.dto import NewOfficer
from app.services import build_services
from app.station.dto import StationSettings
from app.visits.dto import NameChoice, NewVisit
from db.engine import make_engine
from db.migrate import alembic_config, current_revision, head_revision
from tests.conftest import TEST_PASSWORD

ID, PHONE = "11010519491231002X", "13805710011"
NEW_VISIT_COLUMNS = {"refusal_basis", "refusal_review_body", "refusal_court", "refusal_unsigned"}
NEW_STATION_COLUMNS = {"redress_review_body", "redress_court"}


def columns(db_path: Path, table: str) -> set[str]:
    engine = make_engine(f"sqlite:///{db_path}")
    try:
        return {c["name"] for c in inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


def downgrade_to_0018(db_path: Path) -> None:
    engine = make_engine(f"sqlite:///{db_path}")
    try:
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0018")
        assert current_revision(engine) == "0018"
    finally:
        engine.dispose()


def test_0019_down_and_up_keeps_the_records_and_old_refusals_print(db_path: Path) -> None:
    db = open_database(db_path)
    try:
        services = build_services(db.sessions)
        chief = services.station.initialize(
            StationSettings(name="测试市公安局测试分局和平路派出所", code="HPL"),
            NewOfficer("100001", "王所长", Role.CHIEF, TEST_PASSWORD),
        )
        item = services.catalogue.list_items("ZM-WFZ")[0]
        kept = services.visits.register(
            chief, NewVisit("王小明", IdType.RESIDENT, ID, PHONE, item.item_id)
        )
        services.visits.accept(chief, kept.row.id, kept.row.row_version)
        refused = services.visits.register(
            chief,
            NewVisit(
                "赵敏", IdType.RESIDENT, ID, PHONE, item.item_id, name_choice=NameChoice.CURRENT
            ),
        )
        services.visits.refuse(
            chief,
            refused.row.id,
            refused.row.row_version,
            "不符合条件。",
            "可依法申请行政复议或提起行政诉讼。",
            basis="《中华人民共和国行政许可法》第三十二条",
            review_body="测试市和平区人民政府",
            court="测试市和平区人民法院",
        )
    finally:
        db.dispose()
    assert columns(db_path, "visits") >= NEW_VISIT_COLUMNS
    assert columns(db_path, "stations") >= NEW_STATION_COLUMNS

    downgrade_to_0018(db_path)

    assert not NEW_VISIT_COLUMNS & columns(db_path, "visits")
    assert not NEW_STATION_COLUMNS & columns(db_path, "stations")

    db = open_database(db_path)  # upgrades to head again, as a station's next start does
    try:
        assert current_revision(db.engine) == head_revision()
        with db.engine.connect() as conn:
            reason, basis = conn.execute(
                text("SELECT refusal_reason, refusal_basis FROM visits WHERE id = :i"),
                {"i": refused.row.id},
            ).one()
        assert (reason, basis) == ("不符合条件。", None)
        services = build_services(db.sessions)
        assert services.station.settings().redress_court == ""
        slip = services.visits.slip(chief, refused.row.id, "refusal")
        said = dict(slip.paragraphs)
        assert said["法律依据"] == "（历史未记载）"
        assert said["救济途径"] == "可依法申请行政复议或提起行政诉讼。"
        assert "六十日" in said["救济期限"]
        report = check_database(db)
    finally:
        db.dispose()
    # The added columns are NULL, which the row seals leave out: the registration sealed
    # before reads as it was. (The refused visit and the station row had values in the dropped
    # columns, so the downgrade itself changed them; only those two may be named.)
    changed = [line for line in report.lines if "被直接改动" in line]
    assert not [line for line in changed if kept.row.serial in line], changed
    assert [line.split("：")[0] for line in changed] == [
        "本所设置（内部编号 1）",
        f"登记 {refused.row.serial}",
    ]


def test_the_settings_saved_after_the_upgrade_fill_the_new_columns(db_path: Path) -> None:
    db = open_database(db_path)
    try:
        services = build_services(db.sessions)
        chief = services.station.initialize(
            StationSettings(name="测试市公安局测试分局和平路派出所", code="HPL"),
            NewOfficer("100001", "王所长", Role.CHIEF, TEST_PASSWORD),
        )
        settings = dataclasses.replace(
            services.station.settings(),
            redress_review_body="测试市和平区人民政府",
            redress_court="测试市和平区人民法院",
        )
        services.station.update_settings(chief, settings)
        with db.engine.connect() as conn:
            stored = conn.execute(
                text("SELECT redress_review_body, redress_court FROM stations")
            ).one()
    finally:
        db.dispose()
    assert tuple(stored) == ("测试市和平区人民政府", "测试市和平区人民法院")
