"""ORM models of the foundation: station settings, officers, service catalogue, holidays, audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base
from db.sealed import SealedBytes, SealedText, cipher_of

ROLES = ("window", "auxiliary", "deputy", "chief", "admin")
TIME_LIMIT_UNITS = ("working_days", "calendar_days", "on_the_spot")
MATERIAL_FORMS = ("原件", "复印件", "原件及复印件", "出示原件")
PAPER_SIZES = ("A4", "A5", "80mm")


class Station(Base):
    """The station's settings: one row. Everything that varies by place lives here."""

    __tablename__ = "stations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    code: Mapped[str] = mapped_column(String(12))
    address: Mapped[str] = mapped_column(String(120), default="")
    hours: Mapped[str] = mapped_column(String(120), default="")
    phone_consult: Mapped[str] = mapped_column(String(40), default="")
    phone_supervision: Mapped[str] = mapped_column(String(40), default="")
    phone_12389: Mapped[str] = mapped_column(String(40), default="12389")
    phone_12345: Mapped[str] = mapped_column(String(40), default="12345")
    paper_size: Mapped[str] = mapped_column(String(8), default="A5")
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Shanghai")
    lockout_attempts: Mapped[int] = mapped_column(Integer, default=5)
    lockout_minutes: Mapped[int] = mapped_column(Integer, default=15)
    rating_dimensions: Mapped[str] = mapped_column(
        String(200), default="办事效率,服务态度,办理结果,规范廉洁"
    )
    verify_days: Mapped[int] = mapped_column(Integer, default=1)
    rectify_days: Mapped[int] = mapped_column(Integer, default=5)
    callback_share: Mapped[int] = mapped_column(Integer, default=10)
    callback_period: Mapped[str] = mapped_column(String(8), default="day")
    complaint_verify_days: Mapped[int] = mapped_column(Integer, default=3)
    complaint_handle_days: Mapped[int] = mapped_column(Integer, default=10)
    complaint_reply_days: Mapped[int] = mapped_column(Integer, default=15)
    # Today's ledger may be reviewed (and so locked) only from this local time, HH:MM.
    review_after: Mapped[str] = mapped_column(String(5), default="17:30")
    # The window locks after this many minutes without input (0 never: not offered).
    idle_lock_minutes: Mapped[int] = mapped_column(Integer, default=5)
    # Where automatic backups go (a USB drive or a share); empty: beside the database.
    backup_folder: Mapped[str] = mapped_column(String(400), default="")
    # How many automatic backups the folder keeps (the oldest are removed).
    backup_keep: Mapped[int] = mapped_column(Integer, default=30)
    # Years a finished matter's ID number, phone and signature images are kept
    # (app/retention/service.py).
    retain_contact_years: Mapped[int] = mapped_column(Integer, default=3)
    # 上门服务 promise in working days from the request: in town, in the countryside.
    home_days_town: Mapped[int] = mapped_column(Integer, default=5)
    home_days_country: Mapped[int] = mapped_column(Integer, default=10)
    # Named on every 不予受理告知书 as where the citizen may seek redress (行政复议, 行政诉讼);
    # the refusal form offers them, the officer may change them. NULL before migration 0019.
    redress_review_body: Mapped[str | None] = mapped_column(String(100))
    redress_court: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime]

    __table_args__ = (
        CheckConstraint("paper_size IN ('A4', 'A5', '80mm')", name="paper_size"),
        CheckConstraint("lockout_attempts >= 1", name="lockout_attempts"),
        CheckConstraint("lockout_minutes >= 1", name="lockout_minutes"),
    )


class Officer(Base):
    """A person who logs in. Never deleted: records keep their officers."""

    __tablename__ = "officers"

    id: Mapped[int] = mapped_column(primary_key=True)
    badge_no: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(30))
    role: Mapped[str] = mapped_column(String(12))
    phone: Mapped[str] = mapped_column(String(40), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]

    __table_args__ = (
        CheckConstraint("role IN ('window', 'auxiliary', 'deputy', 'chief', 'admin')", name="role"),
    )


class ServiceItem(Base):
    """A matter of the catalogue (服务事项); its content lives in immutable versions."""

    __tablename__ = "service_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    current_version_no: Mapped[int] = mapped_column(Integer, default=1)

    versions: Mapped[list[ServiceItemVersion]] = relationship(
        back_populates="item", order_by="ServiceItemVersion.version_no"
    )


class ServiceItemVersion(Base):
    """One version of a matter. Never changed once written; records point at the version used."""

    __tablename__ = "service_item_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("service_items.id"))
    version_no: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(60))
    category: Mapped[str] = mapped_column(String(20))
    legal_basis: Mapped[str] = mapped_column(Text)
    conditions: Mapped[str] = mapped_column(Text)
    procedure: Mapped[str] = mapped_column(Text)
    time_limit_value: Mapped[int] = mapped_column(Integer)
    time_limit_unit: Mapped[str] = mapped_column(String(16))
    time_limit_note: Mapped[str] = mapped_column(Text, default="")
    fee: Mapped[str] = mapped_column(String(200))
    fee_basis: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(100))
    hours: Mapped[str] = mapped_column(String(100))
    search_key: Mapped[str] = mapped_column(Text)
    change_note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))

    item: Mapped[ServiceItem] = relationship(back_populates="versions")
    materials: Mapped[list[ServiceMaterial]] = relationship(
        back_populates="version", order_by="ServiceMaterial.position"
    )

    __table_args__ = (
        UniqueConstraint("item_id", "version_no", name="uq_service_item_versions_item_version"),
        CheckConstraint("time_limit_value >= 0", name="time_limit_value"),
        CheckConstraint(
            "time_limit_unit IN ('working_days', 'calendar_days', 'on_the_spot')",
            name="time_limit_unit",
        ),
    )


class ServiceMaterial(Base):
    """One material a matter needs, as listed in one catalogue version."""

    __tablename__ = "service_materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("service_item_versions.id"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    copies: Mapped[int] = mapped_column(Integer, default=1)
    form: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(100), default="")
    is_key: Mapped[bool] = mapped_column(Boolean, default=True)

    version: Mapped[ServiceItemVersion] = relationship(back_populates="materials")

    __table_args__ = (
        UniqueConstraint("version_id", "position", name="uq_service_materials_version_position"),
        CheckConstraint("copies >= 1", name="copies"),
    )


class HolidayOverride(Base):
    """A station-entered calendar day: a holiday (休) or a make-up working day (班)."""

    __tablename__ = "holiday_overrides"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(String(30), default="")
    created_at: Mapped[dt.datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))


class CalendarYear(Base):
    """A year whose holiday schedule the station has entered completely (库未收录的年份)."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    confirmed_at: Mapped[dt.datetime]
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))


class AuditEvent(Base):
    """Append-only, hash-chained record of every change, print, export and unmasked view."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime]
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    action: Mapped[str] = mapped_column(String(40))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(40))
    before_json: Mapped[str] = mapped_column(Text, default="")
    after_json: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # SHA-256 over the rows this event's transaction left behind (its ``audit_seals``); keyed
    # events only, empty on events that sealed no rows and on events from before keying.
    seals: Mapped[str] = mapped_column(String(64), default="", server_default="")

    __table_args__ = (
        Index("ix_audit_events_entity", "entity_type", "entity_id"),
        # The audit log viewer (app/audit_log/service.py): a period newest first, all or one
        # officer's.
        Index("ix_audit_events_at", "at", "id"),
        Index("ix_audit_events_officer_at", "officer_id", "at", "id"),
        # A rare kind over a long period (a year's reveals, prints, exports): its own entries.
        Index("ix_audit_events_action_at", "action", "at", "id"),
    )


class AuditSeal(Base):
    """A business row as a transaction left it: the hash of its stored values (or deleted).

    Written with the transaction's last audit event, whose keyed hash covers them all, so a
    row changed, inserted or deleted outside the program no longer matches its latest seal.
    """

    __tablename__ = "audit_seals"

    event_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    table_name: Mapped[str] = mapped_column(String(40), primary_key=True)
    row_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # 32 hex digits of SHA-256 over the row's stored values; empty: the row was deleted.
    row_hash: Mapped[str] = mapped_column(String(32))

    __table_args__ = (Index("ix_audit_seals_row", "table_name", "row_id", "event_id"),)


class StationKey(Base):
    """Which station key seals this database: its fingerprint and a value sealed with it.

    The key itself is never here (it is in the credential store or key file of each counter
    and on the chief's recovery sheet); ``check_value`` tells the right key from a wrong one.
    """

    __tablename__ = "station_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[str] = mapped_column(String(32))
    check_value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime]


class AuditHead(Base):
    """The chain's tip: one row, locked by every writer so events get gap-free ids in order."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))
    # Keyed since this event (0: not yet keyed); the highest id of each business table when
    # the chain was keyed (rows up to it carry no seal); and HMAC with the station's audit key
    # over all of it, so none of it can be moved without the key.
    keyed_from: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sealed_from: Mapped[str] = mapped_column(Text, default="", server_default="")
    mac: Mapped[str] = mapped_column(String(64), default="", server_default="")


VISIT_STATUSES = (
    "registered",
    "in_progress",
    "waiting_materials",
    "completed",
    "guided",
    "refused",
    "answered",
    "voided",
)
CHANNELS = ("window", "phone", "appointment", "home")
HANDOVER_STATES = ("pending", "accepted", "declined", "cancelled")


class Counter(Base):
    """Gap-free numbering: the last number given per kind (visit, notice …) and year."""

    __tablename__ = "counters"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_no: Mapped[int] = mapped_column(Integer, default=0)


class Visit(Base):
    """One walk-in matter (办事登记) from arrival to its end."""

    __tablename__ = "visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    # 窗口号: the counter (a per-PC setting) this record was made at; stamped on every new
    # record by app.station.counter_stamp, "" where none was set (and for records made before 0018).
    counter: Mapped[str] = mapped_column(String(16), default="", server_default="")
    serial: Mapped[str] = mapped_column(String(30), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    arrived_at: Mapped[dt.datetime]
    started_at: Mapped[dt.datetime | None]
    ended_at: Mapped[dt.datetime | None]
    # True where the officer stamped the time by hand (F5/F6/F7); otherwise it was stamped
    # from an action the officer took anyway (opening the form, the first step, finishing).
    arrived_by_hand: Mapped[bool] = mapped_column(Boolean, default=False)
    started_by_hand: Mapped[bool] = mapped_column(Boolean, default=False)
    ended_by_hand: Mapped[bool] = mapped_column(Boolean, default=False)
    local_date: Mapped[dt.date] = mapped_column(Date)
    citizen_name: Mapped[str] = mapped_column(String(40))
    id_type: Mapped[str] = mapped_column(String(16))
    # Sealed with the station key; looked up by the keyed hashes below (db/sealed.py).
    id_number: Mapped[str] = mapped_column(SealedText, default="")
    phone: Mapped[str] = mapped_column(SealedText, default="")
    id_number_hash: Mapped[str] = mapped_column(String(32), default="")
    phone_hash: Mapped[str] = mapped_column(String(32), default="")
    # The phone's last four digits, as every masked phone shows them: the list's quick filter.
    phone_tail: Mapped[str] = mapped_column(String(4), default="")
    service_version_id: Mapped[int] = mapped_column(ForeignKey("service_item_versions.id"))
    channel: Mapped[str] = mapped_column(String(12))
    summary: Mapped[str] = mapped_column(String(200), default="")
    in_scope: Mapped[bool] = mapped_column(Boolean, default=True)
    first_officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    status: Mapped[str] = mapped_column(String(20))
    accepted_at: Mapped[dt.datetime | None]
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    due_assumed: Mapped[bool] = mapped_column(Boolean, default=False)
    paused_at: Mapped[dt.datetime | None]
    remaining_days: Mapped[int | None] = mapped_column(Integer)
    result: Mapped[str] = mapped_column(String(500), default="")
    guided_unit: Mapped[str] = mapped_column(String(100), default="")
    guided_address: Mapped[str] = mapped_column(String(200), default="")
    guided_phone: Mapped[str] = mapped_column(String(40), default="")
    refusal_reason: Mapped[str] = mapped_column(Text, default="")
    refusal_redress: Mapped[str] = mapped_column(Text, default="")
    # A refusal's legal basis and the redress bodies it names (migration 0019); NULL for the
    # refusals recorded before, whose notice says 历史未记载 and prints the free text above.
    refusal_basis: Mapped[str | None] = mapped_column(Text)
    refusal_review_body: Mapped[str | None] = mapped_column(String(100))
    refusal_court: Mapped[str | None] = mapped_column(String(100))
    # Why the citizen did not sign the refusal notice (the officer and a witness sign instead).
    refusal_unsigned: Mapped[str | None] = mapped_column(String(200))
    void_reason: Mapped[str] = mapped_column(String(200), default="")
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime]

    __table_args__ = (
        UniqueConstraint("year", "seq", name="uq_visits_year_seq"),
        CheckConstraint(
            "status IN ('registered', 'in_progress', 'waiting_materials', 'completed', "
            "'guided', 'refused', 'answered', 'voided')",
            name="status",
        ),
        CheckConstraint("channel IN ('window', 'phone', 'appointment', 'home')", name="channel"),
        # A date range with a name (or none) from one index, newest first without reading the
        # rows (arrived_at); also "the visits of a day".
        Index("ix_visits_date_name", "local_date", "citizen_name", "arrived_at"),
        Index("ix_visits_arrived", "arrived_at", "id"),
        Index("ix_visits_status_arrived", "status", "arrived_at"),
        Index("ix_visits_first_officer", "first_officer_id"),
        Index("ix_visits_owner_status", "owner_id", "status"),
        Index("ix_visits_status_due", "status", "due_date"),
        Index("ix_visits_id_number_hash", "id_number_hash"),
        Index("ix_visits_phone_hash", "phone_hash"),
        # A name (prefix), within a date range or not, from one index.
        Index("ix_visits_name_date", "citizen_name", "local_date"),
        Index("ix_visits_service_version", "service_version_id"),
        # The statistics read a period's visits, and the visits their finishings, ratings,
        # notices and callbacks name, from these alone (every column they need is in them).
        Index(
            "ix_visits_date_figures",
            "local_date",
            "status",
            "first_officer_id",
            "service_version_id",
            "arrived_at",
            "started_at",
            "ended_at",
            "arrived_by_hand",
            "started_by_hand",
            "ended_by_hand",
        ),
        # Status last: an IN over statuses is checked in the entry, not sought once per status.
        Index("ix_visits_id_figures", "id", "owner_id", "service_version_id", "due_date", "status"),
    )


class VisitTransition(Base):
    """Who moved a visit from which status to which, when and why."""

    __tablename__ = "visit_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # 窗口号: the counter (a per-PC setting) this record was made at; stamped on every new
    # record by app.station.counter_stamp, "" where none was set (and for records made before 0018).
    counter: Mapped[str] = mapped_column(String(16), default="", server_default="")
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    at: Mapped[dt.datetime]
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    from_status: Mapped[str] = mapped_column(String(20), default="")
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(500), default="")

    __table_args__ = (
        # "Finished (or closed) in a period", bounded by the period, not all of history; with
        # the visit, so the period's finishings are read from the index alone.
        Index("ix_visit_transitions_status_at_visit", "to_status", "at", "visit_id"),
        Index("ix_visit_transitions_at", "at"),
    )


class PrintRecord(Base):
    """Every print of a slip: the first is the original, later ones are 补打 copies."""

    __tablename__ = "print_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    copy_no: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime]
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))

    __table_args__ = (
        UniqueConstraint("visit_id", "kind", "copy_no", name="uq_print_records_visit_kind_copy"),
    )


class Handover(Base):
    """A matter offered to a colleague (移交); the first owner stays responsible until accepted."""

    __tablename__ = "handovers"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    from_officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    to_officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    reason: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(12), default="pending")
    created_at: Mapped[dt.datetime]
    decided_at: Mapped[dt.datetime | None]
    decline_reason: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (
        CheckConstraint("state IN ('pending', 'accepted', 'declined', 'cancelled')", name="state"),
        # The pending ones, oldest first, from one index (however many were decided before).
        Index("ix_handovers_state_created", "state", "created_at"),
        Index("ix_handovers_created_at", "created_at"),
    )


NOTICE_STATES = ("open", "fulfilled", "voided")
NOTICE_KINDS = ("notice", "pledge")
ITEM_STATES = ("provided", "missing", "correction")


class Notice(Base):
    """A one-time notice (一次性告知单) or a pledge (容缺受理承诺书); its content is frozen."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    # 窗口号: the counter (a per-PC setting) this record was made at; stamped on every new
    # record by app.station.counter_stamp, "" where none was set (and for records made before 0018).
    counter: Mapped[str] = mapped_column(String(16), default="", server_default="")
    number: Mapped[str] = mapped_column(String(30), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    state: Mapped[str] = mapped_column(String(12))
    snapshot_json: Mapped[str] = mapped_column(Text)
    content_sha256: Mapped[str] = mapped_column(String(64))
    supplement_deadline: Mapped[dt.date | None] = mapped_column(Date)
    issued_at: Mapped[dt.datetime]
    local_date: Mapped[dt.date] = mapped_column(Date, index=True)
    fulfilled_at: Mapped[dt.datetime | None]
    voided_at: Mapped[dt.datetime | None]
    void_reason: Mapped[str] = mapped_column(String(200), default="")
    signature_declined_note: Mapped[str] = mapped_column(String(200), default="")
    return_visits: Mapped[int] = mapped_column(Integer, default=0)
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (
        UniqueConstraint("year", "seq", name="uq_notices_year_seq"),
        CheckConstraint("state IN ('open', 'fulfilled', 'voided')", name="state"),
        CheckConstraint("kind IN ('notice', 'pledge')", name="kind"),
        # Open notices past their supplement deadline, without reading every notice ever.
        Index("ix_notices_state_deadline", "state", "supplement_deadline"),
    )


class NoticeItem(Base):
    """One material on a notice: provided, missing or to be corrected; and whether it arrived."""

    __tablename__ = "notice_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    copies: Mapped[int] = mapped_column(Integer)
    form: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(100), default="")
    is_key: Mapped[bool] = mapped_column(Boolean)
    state: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(String(200), default="")
    extra: Mapped[bool] = mapped_column(Boolean, default=False)
    arrived_at: Mapped[dt.datetime | None]

    __table_args__ = (
        UniqueConstraint("notice_id", "position", name="uq_notice_items_notice_position"),
        CheckConstraint("state IN ('provided', 'missing', 'correction')", name="state"),
    )


class Signature(Base):
    """A citizen's signature on exactly one document, bound to the hash of what was signed."""

    __tablename__ = "signatures"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_type: Mapped[str] = mapped_column(String(20))
    document_id: Mapped[int] = mapped_column(Integer)
    signer_name: Mapped[str] = mapped_column(String(40))
    signed_at: Mapped[dt.datetime]
    content_sha256: Mapped[str] = mapped_column(String(64))
    # Sealed with the station key; ``image_sha256`` is of the clear strokes and image.
    strokes_json: Mapped[str] = mapped_column(SealedText)
    png: Mapped[bytes] = mapped_column(SealedBytes)
    image_sha256: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        UniqueConstraint("document_type", "document_id", name="uq_signatures_document"),
    )


class NoticeBreach(Base):
    """A demand beyond what the notice listed (超出告知范围), counted against its issuer."""

    __tablename__ = "notice_breaches"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    item_name: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(String(500))
    at: Mapped[dt.datetime]
    local_date: Mapped[dt.date] = mapped_column(Date, index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    issuer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)


RATING_KINDS = ("on_site", "phone", "home", "follow_up", "sms")
RECTIFICATION_STATES = ("open", "verified", "rectified", "closed")


class Rating(Base):
    """A citizen's 好差评: five levels overall and per dimension, or a refusal to rate."""

    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    # 窗口号: the counter (a per-PC setting) this record was made at; stamped on every new
    # record by app.station.counter_stamp, "" where none was set (and for records made before 0018).
    counter: Mapped[str] = mapped_column(String(16), default="", server_default="")
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    declined: Mapped[bool] = mapped_column(Boolean, default=False)
    overall: Mapped[int | None] = mapped_column(Integer)
    dimensions_json: Mapped[str] = mapped_column(Text, default="{}")
    comment: Mapped[str] = mapped_column(String(500), default="")
    rated_at: Mapped[dt.datetime]
    local_date: Mapped[dt.date] = mapped_column(Date, index=True)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    rated_officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    # The citizen asked to be called back (现场评价时勾选): always sampled for a phone callback.
    callback_requested: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        CheckConstraint("kind IN ('on_site', 'phone', 'home', 'follow_up', 'sms')", name="kind"),
        CheckConstraint("overall IS NULL OR (overall BETWEEN 1 AND 5)", name="overall"),
        # One on-site rating per visit (一次一评); phone and follow-up ratings may repeat.
        Index(
            "uq_ratings_on_site_visit",
            "visit_id",
            unique=True,
            sqlite_where=text("kind = 'on_site'"),
            postgresql_where=text("kind = 'on_site'"),
        ),
        # A period's on-site ratings for the statistics, every column they read in the entry.
        Index(
            "ix_ratings_kind_date_figures",
            "kind",
            "local_date",
            "rated_officer_id",
            "visit_id",
            "declined",
            "overall",
            "dimensions_json",
        ),
    )


class Rectification(Base):
    """整改督办 opened by a 差评: owned by the chief or a deputy, never the rated officer."""

    __tablename__ = "rectifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("ratings.id"), unique=True)
    rated_officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    state: Mapped[str] = mapped_column(String(12))
    opened_at: Mapped[dt.datetime]
    verify_due: Mapped[dt.date] = mapped_column(Date)
    rectify_due: Mapped[dt.date] = mapped_column(Date)
    verified_at: Mapped[dt.datetime | None]
    cause: Mapped[str] = mapped_column(Text, default="")
    action: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str] = mapped_column(Text, default="")
    follow_up_rating_id: Mapped[int | None] = mapped_column(ForeignKey("ratings.id"))
    appeal_text: Mapped[str] = mapped_column(Text, default="")
    appeal_decision: Mapped[str] = mapped_column(String(12), default="")
    appeal_reason: Mapped[str] = mapped_column(Text, default="")
    appeal_decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    closed_at: Mapped[dt.datetime | None]
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (
        UniqueConstraint("year", "seq", name="uq_rectifications_year_seq"),
        CheckConstraint("state IN ('open', 'verified', 'rectified', 'closed')", name="state"),
        Index("ix_rectifications_opened_at", "opened_at"),
        Index("ix_rectifications_state_due", "state", "rectify_due"),
        # Closed (销号) in a period: the statistics.
        Index("ix_rectifications_state_closed", "state", "closed_at"),
    )


CALLBACK_KINDS = ("phone", "home")
CALLBACK_REASONS = ("sample", "bad", "requested", "dissatisfied", "manual")
CALLBACK_STATES = ("pending", "reached", "refused", "unreachable")
CALLBACK_OUTCOMES = ("reached", "no_answer", "wrong_number", "refused")


class CallbackBatch(Base):
    """One sampling of finished matters for phone callbacks (电话回访抽样), reproducible by seed."""

    __tablename__ = "callback_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_kind: Mapped[str] = mapped_column(String(8))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    share: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(Integer)
    eligible: Mapped[int] = mapped_column(Integer)
    sampled: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))

    __table_args__ = (
        UniqueConstraint("period_start", "period_end", name="uq_callback_batches_period"),
        CheckConstraint("period_kind IN ('day', 'month', 'custom')", name="period_kind"),
        CheckConstraint("share BETWEEN 1 AND 100", name="share"),
    )


class Callback(Base):
    """A phone callback (电话回访) or home visit (上门回访), never by an officer who handled it."""

    __tablename__ = "callbacks"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("callback_batches.id"), index=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(String(12))
    assigned_to_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    created_at: Mapped[dt.datetime]
    local_date: Mapped[dt.date] = mapped_column(Date, index=True)
    due_date: Mapped[dt.date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(12), default="pending")
    rating_id: Mapped[int | None] = mapped_column(ForeignKey("ratings.id"))
    # Phone rating two or more levels below the on-site one: a sign of pressure at the counter.
    pressure: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_at: Mapped[dt.datetime | None]
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (
        UniqueConstraint("visit_id", "kind", name="uq_callbacks_visit_kind"),
        CheckConstraint("kind IN ('phone', 'home')", name="kind"),
        CheckConstraint(
            "reason IN ('sample', 'bad', 'requested', 'dissatisfied', 'manual')", name="reason"
        ),
        CheckConstraint("state IN ('pending', 'reached', 'refused', 'unreachable')", name="state"),
        # The worklist: what is pending (and what closed lately), mine or everyone's, without
        # reading every callback of ten years.
        Index("ix_callbacks_state_closed", "state", "closed_at"),
        Index("ix_callbacks_assignee_state", "assigned_to_id", "state", "closed_at"),
    )


class CallbackAttempt(Base):
    """One call or visit attempt: 接通, 无人接听, 号码错误 or 拒绝回访, with its time."""

    __tablename__ = "callback_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    callback_id: Mapped[int] = mapped_column(ForeignKey("callbacks.id"), index=True)
    at: Mapped[dt.datetime]
    local_date: Mapped[dt.date] = mapped_column(Date, index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    outcome: Mapped[str] = mapped_column(String(14))
    note: Mapped[str] = mapped_column(String(500), default="")
    # How the citizen was reached: "direct" (the callback's own call or visit) or "sms" (a
    # reply imported from the station's SMS platform, recorded by the officer who imported it).
    via: Mapped[str] = mapped_column(String(8), default="direct")

    __table_args__ = (
        CheckConstraint(
            "outcome IN ('reached', 'no_answer', 'wrong_number', 'refused')", name="outcome"
        ),
        CheckConstraint("via IN ('direct', 'sms')", name="via"),
    )


COMPLAINT_CHANNELS = ("12389", "12345", "所长信箱", "当面", "电话", "来信", "其他")
COMPLAINT_STATES = ("received", "verified", "handled", "replied", "closed")
COMPLAINT_FINDINGS = ("属实", "部分属实", "不属实")
COMPLAINT_OUTCOMES = ("改进", "澄清正名", "追责")


class Complaint(Base):
    """A complaint (投诉) or praise letter (表扬); hidden from the officer it concerns."""

    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))
    channel: Mapped[str] = mapped_column(String(10))
    received_on: Mapped[dt.date] = mapped_column(Date, index=True)
    recorded_at: Mapped[dt.datetime]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    complainant_name: Mapped[str] = mapped_column(String(40), default="")
    complainant_phone: Mapped[str] = mapped_column(SealedText, default="")
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"), index=True)
    content: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10))
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), index=True)
    verify_due: Mapped[dt.date | None] = mapped_column(Date)
    handle_due: Mapped[dt.date | None] = mapped_column(Date)
    reply_due: Mapped[dt.date | None] = mapped_column(Date)
    finding: Mapped[str] = mapped_column(String(8), default="")
    verify_note: Mapped[str] = mapped_column(Text, default="")
    verified_at: Mapped[dt.datetime | None]
    outcome: Mapped[str] = mapped_column(String(8), default="")
    handle_note: Mapped[str] = mapped_column(Text, default="")
    handled_at: Mapped[dt.datetime | None]
    reply_method: Mapped[str] = mapped_column(String(20), default="")
    reply_text: Mapped[str] = mapped_column(Text, default="")
    replied_at: Mapped[dt.datetime | None]
    closed_at: Mapped[dt.datetime | None]
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (
        UniqueConstraint("year", "seq", name="uq_complaints_year_seq"),
        CheckConstraint("kind IN ('complaint', 'praise')", name="kind"),
        CheckConstraint(
            "state IN ('received', 'verified', 'handled', 'replied', 'closed')", name="state"
        ),
        Index("ix_complaints_recorded_at", "recorded_at"),
        Index("ix_complaints_state", "state"),
    )


BACKUP_REASONS = ("manual", "after_review", "daily", "before_restore")


class BackupRecord(Base):
    """One backup written (or tried): where, how big, its SHA-256 and whether it checked out."""

    __tablename__ = "backup_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime]
    reason: Mapped[str] = mapped_column(String(20))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    path: Mapped[str] = mapped_column(String(600))
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    ok: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(String(400), default="")

    __table_args__ = (
        CheckConstraint(
            "reason IN ('manual', 'after_review', 'daily', 'before_restore')", name="reason"
        ),
        Index("ix_backup_records_ok_at", "ok", "at"),
    )


class DayReview(Base):
    """The chief's review of one day's ledger (每日台账): signed, and from then on locked.

    ``content_json`` is the ledger exactly as reviewed; its SHA-256 is printed in the QR code.
    """

    __tablename__ = "day_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, unique=True)
    reviewed_by_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    reviewed_at: Mapped[dt.datetime]
    comment: Mapped[str] = mapped_column(Text, default="")
    content_json: Mapped[str] = mapped_column(Text)
    content_sha256: Mapped[str] = mapped_column(String(64))
    # The audit chain's head just before the review's own event (0 and "": reviewed before
    # this was kept): printed on the signed ledger, so removing the newest events shows.
    audit_head_id: Mapped[int] = mapped_column(Integer, default=0)
    audit_head_hash: Mapped[str] = mapped_column(String(64), default="")


class Addendum(Base):
    """更正记录: a dated correction of a record of a locked day; the original stays as reviewed."""

    __tablename__ = "addenda"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    day: Mapped[dt.date] = mapped_column(Date, index=True)  # the locked day corrected
    made_on: Mapped[dt.date] = mapped_column(Date, index=True)  # shows on this day's ledger
    at: Mapped[dt.datetime]
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    entity_type: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[int] = mapped_column(Integer)
    entity_label: Mapped[str] = mapped_column(String(40))
    field: Mapped[str] = mapped_column(String(30))
    field_label: Mapped[str] = mapped_column(String(30))
    old_value: Mapped[str] = mapped_column(Text, default="")
    new_value: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("year", "seq", name="uq_addenda_year_seq"),)


class ShiftHandover(Base):
    """交接班记录: what an officer left open at the end of a shift, and who has each item now.

    ``items_json`` is the list as the officer confirmed and printed it (matters kept or
    offered to a colleague, handovers waiting, callbacks and notices due): a record of the
    moment, not a view of today's state.
    """

    __tablename__ = "shift_handovers"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"), index=True)
    at: Mapped[dt.datetime]
    local_date: Mapped[dt.date] = mapped_column(Date, index=True)
    items_json: Mapped[str] = mapped_column(Text)
    kept: Mapped[int] = mapped_column(Integer, default=0)
    handed: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (UniqueConstraint("year", "seq", name="uq_shift_handovers_year_seq"),)


APPOINTMENT_KINDS = ("counter", "home")
APPOINTMENT_REASONS = ("elderly", "disabled", "ill", "other")
APPOINTMENT_AREAS = ("town", "country")
APPOINTMENT_STATES = ("booked", "registered", "served", "cancelled", "missed")


class Appointment(Base):
    """预约服务 at the counter, or 上门服务 at the citizen's home, booked ahead.

    A counter booking has a time (``slot_at``) and becomes a visit when the citizen comes
    (``registered``). A home-service request is due within the station's promise in working
    days (``due_date``); the officer who went records the date, the result and the citizen's
    signature on site (``served``), which registers the finished visit (channel ``home``).
    """

    __tablename__ = "appointments"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(String(12))
    area: Mapped[str] = mapped_column(String(8), default="town")
    citizen_name: Mapped[str] = mapped_column(String(40))
    id_type: Mapped[str] = mapped_column(String(16))
    id_number: Mapped[str] = mapped_column(SealedText, default="")
    phone: Mapped[str] = mapped_column(SealedText, default="")
    address: Mapped[str] = mapped_column(SealedText, default="")
    id_number_hash: Mapped[str] = mapped_column(String(32), default="")
    phone_hash: Mapped[str] = mapped_column(String(32), default="")
    phone_tail: Mapped[str] = mapped_column(String(4), default="")
    service_version_id: Mapped[int] = mapped_column(ForeignKey("service_item_versions.id"))
    summary: Mapped[str] = mapped_column(String(200), default="")
    # The day it is for (a counter booking's day; the day agreed for a home visit, or the
    # request's day when none is agreed yet) and, when agreed, the time.
    slot_date: Mapped[dt.date] = mapped_column(Date)
    slot_at: Mapped[dt.datetime | None]
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    state: Mapped[str] = mapped_column(String(12), default="booked")
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"), unique=True)
    served_at: Mapped[dt.datetime | None]
    result: Mapped[str] = mapped_column(String(500), default="")
    close_reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime]
    local_date: Mapped[dt.date] = mapped_column(Date)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    closed_at: Mapped[dt.datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"))
    row_version: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (
        UniqueConstraint("year", "seq", name="uq_appointments_year_seq"),
        CheckConstraint("kind IN ('counter', 'home')", name="kind"),
        CheckConstraint("reason IN ('elderly', 'disabled', 'ill', 'other')", name="reason"),
        CheckConstraint("area IN ('town', 'country')", name="area"),
        CheckConstraint(
            "state IN ('booked', 'registered', 'served', 'cancelled', 'missed')", name="state"
        ),
        # A day's bookings in time order; what is still open and when it is due.
        Index("ix_appointments_slot", "slot_date", "slot_at"),
        Index("ix_appointments_state_due", "state", "due_date"),
        Index("ix_appointments_id_number_hash", "id_number_hash"),
        Index("ix_appointments_phone_hash", "phone_hash"),
    )


class LedgerImport(Base):
    """One import of a station's earlier Excel 台账 (历史台账导入): which file, who, what came in.

    Every visit it created is listed in ``ledger_import_visits``; the days it filled are
    locked as reviewed by the supervisor who imported them.
    """

    __tablename__ = "ledger_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime]
    local_date: Mapped[dt.date] = mapped_column(Date)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    file_name: Mapped[str] = mapped_column(String(260))
    file_sha256: Mapped[str] = mapped_column(String(64))
    sheet: Mapped[str] = mapped_column(String(100), default="")
    mapping_json: Mapped[str] = mapped_column(Text, default="{}")
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_imported: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    date_from: Mapped[dt.date | None] = mapped_column(Date)
    date_to: Mapped[dt.date | None] = mapped_column(Date)

    __table_args__ = (UniqueConstraint("year", "seq", name="uq_ledger_imports_year_seq"),)


class LedgerImportVisit(Base):
    """A visit that came from an Excel import, and the row of the sheet it came from."""

    __tablename__ = "ledger_import_visits"

    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("ledger_imports.id"), index=True)
    row_no: Mapped[int] = mapped_column(Integer)


@event.listens_for(Appointment, "before_insert")
@event.listens_for(Appointment, "before_update")
def _appointment_lookup_hashes(_mapper: Any, connection: Any, booking: Appointment) -> None:
    """The keyed lookup hashes of a booking, as of a visit."""
    cipher = cipher_of(connection.dialect)
    number, phone = booking.id_number or "", booking.phone or ""
    booking.id_number_hash = cipher.blind("id", number) if number else ""
    booking.phone_hash = cipher.blind("phone", phone) if phone else ""
    booking.phone_tail = phone[-4:]


@event.listens_for(Visit, "before_insert")
@event.listens_for(Visit, "before_update")
def _visit_lookup_hashes(_mapper: Any, connection: Any, visit: Visit) -> None:
    """Keep the keyed lookup hashes in step with the sealed ID number and phone."""
    cipher = cipher_of(connection.dialect)
    number, phone = visit.id_number or "", visit.phone or ""
    visit.id_number_hash = cipher.blind("id", number) if number else ""
    visit.phone_hash = cipher.blind("phone", phone) if phone else ""
    visit.phone_tail = phone[-4:]
