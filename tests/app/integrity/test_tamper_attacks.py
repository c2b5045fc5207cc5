"""Issue 18, item 1: someone holding the file but not the station key cannot rewrite history.

Each attack is made as such a person would make it: the sqlite3 module on the file, triggers
dropped first, and, where it helps them, the chain re-hashed with the project's own function
(``app.core.audit.event_hash``) without the key, or with a key of their own, and the head moved.
Every attack must make ``stationdesk check`` fail and name the record (or the event) touched.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from app.core.audit import GENESIS_HASH, event_hash
from tests.app.integrity.test_check_business import (  # noqa: F401  (fixtures)
    LOCKED_VISITS,
    SIGNED_RATINGS,
    check,
    demo,
    demo_file,
    second_locked,
    tamper,
)

TRIGGERS = (
    "audit_events_no_update", "audit_events_no_delete", "audit_seals_no_update",
    "audit_seals_no_delete", "visits_locked_update", "visits_locked_delete", "signatures_frozen",
)  # fmt: skip


def _drop_triggers(con: sqlite3.Connection) -> None:
    for name in TRIGGERS:
        con.execute(f"DROP TRIGGER IF EXISTS {name}")
    for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        con.execute(f"DROP TRIGGER IF EXISTS {name}")


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def rehash(con: sqlite3.Connection, start: int, key: bytes | None = None) -> None:
    """Recompute every hash from event ``start`` on and move the head, as an attacker would."""
    prev = (
        con.execute("SELECT hash FROM audit_events WHERE id = ?", (start - 1,)).fetchone()[0]
        if start > 1
        else GENESIS_HASH
    )
    rows = con.execute(
        "SELECT id, at, officer_id, action, entity_type, entity_id, before_json, after_json,"
        " seals FROM audit_events WHERE id >= ? ORDER BY id",
        (start,),
    ).fetchall()
    for ev_id, at, officer, action, etype, eid, before, after, seals in rows:
        digest = event_hash(
            event_id=ev_id, at=_at(at), officer_id=officer, action=action, entity_type=etype,
            entity_id=eid, before_json=before, after_json=after, prev_hash=prev,
            seals=seals, key=key,
        )  # fmt: skip
        con.execute(
            "UPDATE audit_events SET prev_hash = ?, hash = ? WHERE id = ?", (prev, digest, ev_id)
        )
        prev = digest
    last = con.execute("SELECT max(id) FROM audit_events").fetchone()[0]
    con.execute("UPDATE audit_head SET last_id = ?, last_hash = ?", (last, prev))


def shift(con: sqlite3.Connection, start: int, by: int) -> None:
    """Renumber events (and their seals) from ``start`` on by ``by``."""
    for table, column in (("audit_events", "id"), ("audit_seals", "event_id")):
        far = 10_000_000
        con.execute(f"UPDATE {table} SET {column} = {column} + {far} WHERE {column} >= {start}")
        con.execute(
            f"UPDATE {table} SET {column} = {column} - {far} + ({by}) WHERE {column} >= {far}"
        )


def last_event(con: sqlite3.Connection) -> int:
    return int(con.execute("SELECT max(id) FROM audit_events").fetchone()[0])


# Each attack changes the file and returns the words the report must hold (all in one line).
Attack = Callable[[sqlite3.Connection], tuple[str, ...]]


def edit_event(con: sqlite3.Connection) -> tuple[str, ...]:
    con.execute("UPDATE audit_events SET after_json = '{\"forged\":1}' WHERE id = 20")
    return ("第 20 号", "被改动")


def edit_event_rehash_unkeyed(con: sqlite3.Connection) -> tuple[str, ...]:
    con.execute("UPDATE audit_events SET action = 'forged' WHERE id = 20")
    rehash(con, 20)
    return ("审计链", "链头与本所密钥的校验值不符")


def edit_event_rehash_own_key(con: sqlite3.Connection) -> tuple[str, ...]:
    con.execute("UPDATE audit_events SET officer_id = 1 WHERE id = 30")
    rehash(con, 30, os.urandom(32))
    return ("审计链", "链头与本所密钥的校验值不符")


def delete_middle_event(con: sqlite3.Connection) -> tuple[str, ...]:
    con.execute("DELETE FROM audit_events WHERE id = 25")
    return ("第 25 号", "缺少")


def delete_and_renumber(con: sqlite3.Connection) -> tuple[str, ...]:
    con.execute("DELETE FROM audit_events WHERE id = 25")
    con.execute("DELETE FROM audit_seals WHERE event_id = 25")
    shift(con, 26, -1)
    rehash(con, 25)
    return ("审计链", "链头与本所密钥的校验值不符")


def append_forged_event(con: sqlite3.Connection) -> tuple[str, ...]:
    last = last_event(con)
    prev, at = con.execute("SELECT hash, at FROM audit_events WHERE id = ?", (last,)).fetchone()
    digest = event_hash(
        event_id=last + 1, at=_at(at), officer_id=1, action="visit_completed",
        entity_type="visit", entity_id="X", before_json="", after_json="", prev_hash=prev,
    )  # fmt: skip
    con.execute(
        "INSERT INTO audit_events (id, at, officer_id, action, entity_type, entity_id,"
        " before_json, after_json, prev_hash, hash, seals)"
        " VALUES (?, ?, 1, 'visit_completed', 'visit', 'X', '', '', ?, ?, '')",
        (last + 1, at, prev, digest),
    )
    con.execute("UPDATE audit_head SET last_id = ?, last_hash = ?", (last + 1, digest))
    return ("审计链", "链头与本所密钥的校验值不符")


def insert_event_in_the_middle(con: sqlite3.Connection) -> tuple[str, ...]:
    shift(con, 40, 1)
    con.execute(
        "INSERT INTO audit_events (id, at, officer_id, action, entity_type, entity_id,"
        " before_json, after_json, prev_hash, hash, seals)"
        " SELECT 40, at, officer_id, 'rating_saved', 'visit', 'X', '', '', '', '', ''"
        " FROM audit_events WHERE id = 39"
    )
    rehash(con, 40)
    return ("审计链", "链头与本所密钥的校验值不符")


def swap_two_events(con: sqlite3.Connection) -> tuple[str, ...]:
    con.execute("UPDATE audit_events SET id = -1 WHERE id = 50")
    con.execute("UPDATE audit_events SET id = 50 WHERE id = 51")
    con.execute("UPDATE audit_events SET id = 51 WHERE id = -1")
    return ("第 50 号",)


def truncate_and_move_head(con: sqlite3.Connection) -> tuple[str, ...]:
    last = last_event(con)
    con.execute("DELETE FROM audit_events WHERE id > ?", (last - 5,))
    con.execute("DELETE FROM audit_seals WHERE event_id > ?", (last - 5,))
    digest = con.execute("SELECT hash FROM audit_events WHERE id = ?", (last - 5,)).fetchone()[0]
    con.execute("UPDATE audit_head SET last_id = ?, last_hash = ?", (last - 5, digest))
    return ("审计链", "链头与本所密钥的校验值不符")


def clear_the_head_mac(con: sqlite3.Connection) -> tuple[str, ...]:
    con.execute("UPDATE audit_head SET mac = '', keyed_from = 0")
    rehash(con, 1)
    return ("审计链", "缺少密钥校验值")


def unkey_the_chain(con: sqlite3.Connection) -> tuple[str, ...]:
    last = last_event(con)
    con.execute("UPDATE audit_head SET keyed_from = ?", (last + 1,))
    con.execute("UPDATE audit_events SET seals = ''")
    con.execute("DELETE FROM audit_seals")
    rehash(con, 1)
    return ("审计链", "链头与本所密钥的校验值不符")


def delete_a_seal(con: sqlite3.Connection) -> tuple[str, ...]:
    event = con.execute("SELECT max(event_id) FROM audit_seals WHERE event_id < 60").fetchone()[0]
    con.execute("DELETE FROM audit_seals WHERE rowid = (SELECT min(rowid) FROM audit_seals"
                " WHERE event_id = ?)", (event,))  # fmt: skip
    return (f"第 {event} 号", "业务记录校验值")


def forge_a_seal_for_an_edit(con: sqlite3.Connection) -> tuple[str, ...]:
    from app.core.row_seals import row_hash

    visit_id = con.execute("SELECT id FROM visits ORDER BY id DESC").fetchone()[0]
    con.execute("UPDATE visits SET citizen_name = '李假' WHERE id = ?", (visit_id,))
    con.row_factory = sqlite3.Row
    row = con.execute("SELECT * FROM visits WHERE id = ?", (visit_id,)).fetchone()
    con.row_factory = None
    forged = row_hash("visits", row.keys(), tuple(row))  # close enough to look real
    con.execute(
        "UPDATE audit_seals SET row_hash = ? WHERE table_name = 'visits' AND row_id = ?"
        " AND event_id = (SELECT max(event_id) FROM audit_seals"
        " WHERE table_name = 'visits' AND row_id = ?)",
        (forged, visit_id, visit_id),
    )
    return ("业务记录校验值被改动",)


def add_a_seal(con: sqlite3.Connection) -> tuple[str, ...]:
    event = con.execute("SELECT max(event_id) FROM audit_seals").fetchone()[0]
    con.execute(
        "INSERT INTO audit_seals (event_id, table_name, row_id, row_hash)"
        " VALUES (?, 'visits', 999999, 'x')",
        (event,),
    )
    return (f"第 {event} 号", "业务记录校验值")


def bad_rating_made_good(con: sqlite3.Connection) -> tuple[str, ...]:
    rating, serial, *_ = con.execute(SIGNED_RATINGS + " LIMIT 1").fetchone()
    con.execute("UPDATE ratings SET overall = 5 WHERE id = ?", (rating,))
    con.execute("UPDATE ratings SET overall = 1 WHERE id = ?", (rating,))
    con.execute("UPDATE ratings SET overall = 5, comment = '很好' WHERE id = ?", (rating,))
    return ("评价", f"登记 {serial}", "被直接改动")


def locked_visit_renamed(con: sqlite3.Connection) -> tuple[str, ...]:
    visit, _o, serial, *_ = second_locked(con)
    con.execute("UPDATE visits SET citizen_name = '张四' WHERE id = ?", (visit,))
    return (f"登记 {serial}：", "被直接改动")


def locked_visit_deleted(con: sqlite3.Connection) -> tuple[str, ...]:
    visit = second_locked(con)[0]
    con.execute("PRAGMA foreign_keys = OFF")
    con.execute("DELETE FROM visits WHERE id = ?", (visit,))
    return ("登记（内部编号", "被删除")


def auxiliary_made_chief(con: sqlite3.Connection) -> tuple[str, ...]:
    badge = con.execute("SELECT badge_no FROM officers WHERE role = 'auxiliary'").fetchone()[0]
    con.execute("UPDATE officers SET role = 'chief' WHERE badge_no = ?", (badge,))
    return (f"人员 {badge}", "被直接改动")


def complaint_deleted(con: sqlite3.Connection) -> tuple[str, ...]:
    con.execute("PRAGMA foreign_keys = OFF")
    con.execute("DELETE FROM complaints WHERE id = (SELECT max(id) FROM complaints)")
    return ("投诉（内部编号", "被删除")


def signature_image_swapped(con: sqlite3.Connection) -> tuple[str, ...]:
    (a, b) = con.execute(
        "SELECT id FROM signatures WHERE document_type = 'rating' ORDER BY id LIMIT 2"
    ).fetchall()
    con.execute(
        "UPDATE signatures SET png = (SELECT png FROM signatures WHERE id = ?),"
        " strokes_json = (SELECT strokes_json FROM signatures WHERE id = ?),"
        " image_sha256 = (SELECT image_sha256 FROM signatures WHERE id = ?) WHERE id = ?",
        (b[0], b[0], b[0], a[0]),
    )
    return (f"签字（内部编号 {a[0]}）", "被直接改动")


def phone_ciphertext_swapped(con: sqlite3.Connection) -> tuple[str, ...]:
    (a, sa), (b, _sb) = con.execute(
        "SELECT id, serial FROM visits WHERE phone != '' ORDER BY id DESC LIMIT 2"
    ).fetchall()
    con.execute(
        "UPDATE visits SET phone = (SELECT phone FROM visits WHERE id = ?) WHERE id = ?", (b, a)
    )
    return (f"登记 {sa}：", "被直接改动")


def visit_inserted(con: sqlite3.Connection) -> tuple[str, ...]:
    con.row_factory = sqlite3.Row
    row = dict(con.execute("SELECT * FROM visits ORDER BY id DESC LIMIT 1").fetchone())
    con.row_factory = None
    row["id"] += 1000
    row["serial"] = "QNL-2026-999999"
    row["seq"] = 999999
    names = ", ".join(row)
    marks = ", ".join("?" * len(row))
    con.execute(f"INSERT INTO visits ({names}) VALUES ({marks})", tuple(row.values()))
    return ("登记 QNL-2026-999999", "没有经本程序保存的记录")


def notice_item_deleted(con: sqlite3.Connection) -> tuple[str, ...]:
    con.execute("DELETE FROM notice_items WHERE id = (SELECT max(id) FROM notice_items)")
    return ("告知单材料（内部编号", "被删除")


def handover_state_changed(con: sqlite3.Connection) -> tuple[str, ...]:
    handover = con.execute("SELECT id FROM handovers LIMIT 1").fetchone()[0]
    con.execute("UPDATE handovers SET state = 'declined' WHERE id = ?", (handover,))
    return (f"移交记录（内部编号 {handover}）", "被直接改动")


def complaint_closed(con: sqlite3.Connection) -> tuple[str, ...]:
    number = con.execute("SELECT number FROM complaints ORDER BY id LIMIT 1").fetchone()[0]
    con.execute("UPDATE complaints SET state = 'closed' WHERE number = ?", (number,))
    return (f"投诉 {number}", "被直接改动")


def station_phone_changed(con: sqlite3.Connection) -> tuple[str, ...]:
    con.execute("UPDATE stations SET phone_supervision = '0000-0000000'")
    return ("本所设置", "被直接改动")


def catalogue_fee_changed(con: sqlite3.Connection) -> tuple[str, ...]:
    con.execute("UPDATE service_item_versions SET fee = '收费 200 元' WHERE id = 1")
    return ("事项版本（内部编号 1）", "被直接改动")


ATTACKS: list[Attack] = [
    edit_event,
    edit_event_rehash_unkeyed,
    edit_event_rehash_own_key,
    delete_middle_event,
    delete_and_renumber,
    append_forged_event,
    insert_event_in_the_middle,
    swap_two_events,
    truncate_and_move_head,
    clear_the_head_mac,
    unkey_the_chain,
    delete_a_seal,
    forge_a_seal_for_an_edit,
    add_a_seal,
    bad_rating_made_good,
    locked_visit_renamed,
    locked_visit_deleted,
    auxiliary_made_chief,
    complaint_deleted,
    signature_image_swapped,
    phone_ciphertext_swapped,
    visit_inserted,
    notice_item_deleted,
    handover_state_changed,
    complaint_closed,
    station_phone_changed,
    catalogue_fee_changed,
]


def test_there_are_at_least_the_issues_26_attack_kinds() -> None:
    assert len({a.__name__ for a in ATTACKS}) >= 26


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.__name__)
def test_every_attack_is_detected_and_named(demo: Path, attack: Attack) -> None:  # noqa: F811
    def run(con: sqlite3.Connection) -> tuple[str, ...]:
        _drop_triggers(con)
        return attack(con)

    words = tamper(demo, run)
    report = check(demo)

    assert not report.ok, "\n".join(report.lines)
    named = [line for line in report.lines if all(w in line for w in words)]
    assert named, "\n".join(report.lines)


def test_a_file_put_back_to_an_older_copy_is_told_by_the_head_kept_at_the_backup(
    demo: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    from app.core.clock import FixedClock
    from app.core.database import open_database
    from app.demo import DEMO_PASSWORD
    from app.services import build_services
    from tests.app.integrity.test_check_business import CHEAP, CHIEF, LATER

    older = tmp_path / "older.sqlite3"
    shutil.copy2(demo, older)  # a copy taken earlier: a sound chain of its own
    db = open_database(demo)
    try:
        services = build_services(db.sessions, FixedClock(LATER), CHEAP)
        chief = services.auth.login(CHIEF, DEMO_PASSWORD)
        services.backup.backup(chief, tmp_path)
    finally:
        db.dispose()
    assert "一致" in next(line for line in check(demo).lines if line.startswith("链头锚点"))

    shutil.copy2(older, demo)  # and put back over the station's file
    report = check(demo)

    assert not report.ok
    [line] = [line for line in report.lines if line.startswith("链头锚点")]
    assert "现已不存在" in line and "更早的副本" in line
