"""A station's PostgreSQL server: roles, the database, least privilege, triggers (SQL only).

Two roles per station database: the **owner** owns the database, its schema and every table
(it runs the migrations: ``stationdesk server init`` and ``server upgrade``), and the
**application** role the counters log in with, which can read and write the records but never
change the schema (no CREATE on the schema, not the owner of anything: no DROP, ALTER,
TRUNCATE). The privileges of the application role are decided in one place,
``table_privileges``: ``APPEND_ONLY_TABLES`` (the audit chain and what a reviewed day froze)
get SELECT and INSERT only, ``READ_ONLY_TABLES`` SELECT only, every other table SELECT,
INSERT, UPDATE and DELETE. Default privileges give a table a later migration adds the
ordinary grant at once; ``grant_app_privileges`` (run by ``server upgrade`` after migrating)
then narrows it by the same rule, so an audit-like table added later stays append-only once
it is named here.

Identifiers are checked by the caller (``valid_name``) and quoted here; passwords never reach
the server in clear (encrypted by libpq as SCRAM-SHA-256 before ``CREATE ROLE``), so they do
not appear in a server log that records DDL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import DBAPIError

# Tables the counters may only read and append to: the audit chain and its row seals, and
# what the chief's review froze (day reviews, their corrections), which triggers already
# refuse to change on both engines. TRUNCATE (which skips row triggers) is never granted.
APPEND_ONLY_TABLES = frozenset({"audit_events", "audit_seals", "day_reviews", "addenda"})
# Written by migrations only (the owner).
READ_ONLY_TABLES = frozenset({"alembic_version"})
ORDINARY = ("SELECT", "INSERT", "UPDATE", "DELETE")
EVERY_TABLE_PRIVILEGE = (
    "SELECT",
    "INSERT",
    "UPDATE",
    "DELETE",
    "TRUNCATE",
    "REFERENCES",
    "TRIGGER",
)

# The triggers the migrations make on PostgreSQL (db/migrations/versions 0001, 0003, 0006,
# 0012, 0013, 0014): trigger name -> table. SQLite has the same rules under its own names
# (one trigger per verb for the append-only tables).
EXPECTED_TRIGGERS: dict[str, str] = {
    "audit_events_append_only": "audit_events",
    "audit_seals_append_only": "audit_seals",
    "notices_content_frozen": "notices",
    "signatures_frozen": "signatures",
    "day_reviews_no_update": "day_reviews",
    "day_reviews_no_delete": "day_reviews",
    "addenda_no_update": "addenda",
    "addenda_no_delete": "addenda",
    "visits_locked_update": "visits",
    "visits_locked_delete": "visits",
    "ratings_locked_delete": "ratings",
    "notices_locked_delete": "notices",
    "complaints_locked_delete": "complaints",
    "visit_transitions_locked_delete": "visit_transitions",
    "signatures_locked_delete": "signatures",
}
TRIGGER_KINDS = {
    "append_only": ("audit_events_append_only", "audit_seals_append_only"),
    "frozen": (
        "notices_content_frozen",
        "signatures_frozen",
        "day_reviews_no_update",
        "day_reviews_no_delete",
        "addenda_no_update",
        "addenda_no_delete",
    ),
    "day_lock": (
        "visits_locked_update",
        "visits_locked_delete",
        "ratings_locked_delete",
        "notices_locked_delete",
        "complaints_locked_delete",
        "visit_transitions_locked_delete",
        "signatures_locked_delete",
    ),
}

_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
SCHEMA = "public"


def valid_name(name: str) -> bool:
    """A role or database name we create: lower-case letters, digits, underscores."""
    return bool(_NAME.match(name))


def q(name: str) -> str:
    """``name`` as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def table_privileges(table: str) -> tuple[str, ...]:
    """What the application role may do on ``table``: the one rule (see the module text)."""
    if table in READ_ONLY_TABLES:
        return ("SELECT",)
    if table in APPEND_ONLY_TABLES:
        return ("SELECT", "INSERT")
    return ORDINARY


# ---- the server --------------------------------------------------------------------------


def server_facts(conn: Connection) -> dict[str, object]:
    """Version, TLS, and what the connected login may do."""
    row = conn.execute(
        text(
            "SELECT current_setting('server_version'), current_setting('ssl'),"
            " r.rolsuper, r.rolcreaterole, r.rolcreatedb, current_user"
            " FROM pg_roles r WHERE r.rolname = current_user"
        )
    ).one()
    return {
        "version": str(row[0]),
        "ssl": str(row[1]) == "on",
        "superuser": bool(row[2]),
        "createrole": bool(row[3]),
        "createdb": bool(row[4]),
        "user": str(row[5]),
    }


def role_exists(conn: Connection, name: str) -> bool:
    """Whether a role of that name exists on the server."""
    found = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name})
    return found.first() is not None


def database_exists(conn: Connection, name: str) -> bool:
    """Whether a database of that name exists on the server."""
    found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
    return found.first() is not None


def encrypted_password(conn: Connection, role: str, password: str) -> str:
    """The SCRAM-SHA-256 verifier of ``password``, made by libpq on this side."""
    raw = conn.connection.driver_connection
    pgconn = getattr(raw, "pgconn", None)
    if pgconn is None:
        raise RuntimeError("the PostgreSQL driver is not psycopg 3")
    verifier = pgconn.encrypt_password(password.encode(), role.encode(), b"scram-sha-256")
    return bytes(verifier).decode("ascii")


def create_login_role(conn: Connection, name: str, password: str) -> None:
    """A login role with no special powers (not superuser, cannot create roles or databases)."""
    verifier = encrypted_password(conn, name, password).replace("'", "''")
    # Not text(): the verifier's colons would be read as bind parameters.
    conn.exec_driver_sql(
        f"CREATE ROLE {q(name)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION"
        f" NOBYPASSRLS INHERIT PASSWORD '{verifier}'"
    )


def set_password(conn: Connection, name: str, password: str) -> None:
    """Give an existing role a new password (encrypted on this side)."""
    verifier = encrypted_password(conn, name, password).replace("'", "''")
    conn.exec_driver_sql(f"ALTER ROLE {q(name)} PASSWORD '{verifier}'")


def join_role(conn: Connection, role: str) -> None:
    """Make the connected (non-superuser) login a member of ``role``, so it may act as it."""
    conn.execute(text(f"GRANT {q(role)} TO CURRENT_USER"))


def create_database(conn: Connection, name: str, owner: str) -> None:
    """An empty UTF-8 database owned by ``owner`` (autocommit connection).

    Collation "C": text sorts by code point, as SQLite's, and the same on every server
    whatever locales its operating system has.
    """
    conn.execute(
        text(
            f"CREATE DATABASE {q(name)} OWNER {q(owner)} TEMPLATE template0 ENCODING 'UTF8'"
            " LC_COLLATE 'C' LC_CTYPE 'C'"
        )
    )


def drop_database(conn: Connection, name: str) -> None:
    """Drop a database (autocommit connection), ending sessions still connected to it."""
    conn.execute(
        text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = :n AND pid <> pg_backend_pid()"
        ),
        {"n": name},
    )
    conn.execute(text(f"DROP DATABASE IF EXISTS {q(name)}"))


def drop_role(conn: Connection, name: str) -> None:
    """Drop a role (its database already dropped)."""
    conn.execute(text(f"DROP ROLE IF EXISTS {q(name)}"))


# ---- inside the station database ----------------------------------------------------------


def secure_database(conn: Connection, database: str, owner: str, app: str) -> None:
    """Nobody but the two roles connects; only the owner creates anything.

    Run as the administrator on the new database, before the migrations.
    """
    conn.execute(text(f"REVOKE ALL ON DATABASE {q(database)} FROM PUBLIC"))
    conn.execute(text(f"GRANT CONNECT ON DATABASE {q(database)} TO {q(app)}"))
    conn.execute(text(f"ALTER SCHEMA {SCHEMA} OWNER TO {q(owner)}"))
    conn.execute(text(f"REVOKE ALL ON SCHEMA {SCHEMA} FROM PUBLIC"))
    conn.execute(text(f"GRANT USAGE ON SCHEMA {SCHEMA} TO {q(app)}"))
    ordinary = ", ".join(ORDINARY)
    conn.execute(
        text(
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {q(owner)} IN SCHEMA {SCHEMA}"
            f" GRANT {ordinary} ON TABLES TO {q(app)}"
        )
    )
    conn.execute(
        text(
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {q(owner)} IN SCHEMA {SCHEMA}"
            f" GRANT USAGE, SELECT ON SEQUENCES TO {q(app)}"
        )
    )


def public_tables(conn: Connection) -> list[str]:
    """The tables of the station's schema."""
    return sorted(inspect(conn).get_table_names(schema=SCHEMA))


def grant_app_privileges(conn: Connection, app: str) -> None:
    """Give ``app`` exactly ``table_privileges`` on every table, and its sequences.

    Run as the owner (or a superuser) after every migration: a table a migration added got
    the default privileges, which this narrows for the append-only and read-only tables.
    """
    for table in public_tables(conn):
        conn.execute(text(f"REVOKE ALL ON TABLE {SCHEMA}.{q(table)} FROM {q(app)}"))
        conn.execute(text(f"REVOKE ALL ON TABLE {SCHEMA}.{q(table)} FROM PUBLIC"))
        allowed = ", ".join(table_privileges(table))
        conn.execute(text(f"GRANT {allowed} ON TABLE {SCHEMA}.{q(table)} TO {q(app)}"))
    conn.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {SCHEMA} TO {q(app)}"))


def privilege_problems(conn: Connection, app: str) -> list[str]:
    """Where ``app``'s privileges differ from the rule (empty when they match), in English."""
    problems: list[str] = []
    for table in public_tables(conn):
        wanted = set(table_privileges(table))
        for privilege in EVERY_TABLE_PRIVILEGE:
            has = conn.execute(
                text("SELECT has_table_privilege(:r, :t, :p)"),
                {"r": app, "t": f"{SCHEMA}.{q(table)}", "p": privilege},
            ).scalar_one()
            if bool(has) != (privilege in wanted):
                problems.append(f"{table}: {privilege} {'granted' if has else 'missing'}")
    row = conn.execute(
        text(
            "SELECT has_schema_privilege(:r, :s, 'CREATE'), r.rolsuper, r.rolcreatedb,"
            " r.rolcreaterole FROM pg_roles r WHERE r.rolname = :r"
        ),
        {"r": app, "s": SCHEMA},
    ).one()
    if any(row):
        problems.append(f"{app}: may create in the schema, or is superuser/createdb/createrole")
    owned = conn.execute(
        text(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = :s AND pg_get_userbyid(c.relowner) = :r"
        ),
        {"r": app, "s": SCHEMA},
    ).scalar_one()
    if owned:
        problems.append(f"{app} owns {owned} objects")
    return problems


def app_roles(conn: Connection, owner: str) -> list[str]:
    """The roles other than the owner granted anything on the schema's version table."""
    rows = conn.execute(
        text(
            "SELECT DISTINCT grantee FROM information_schema.role_table_grants"
            " WHERE table_schema = :s AND table_name = 'alembic_version'"
            " AND grantee NOT IN (:o, 'PUBLIC')"
        ),
        {"s": SCHEMA, "o": owner},
    )
    return sorted(str(r[0]) for r in rows)


def tables_owner(conn: Connection) -> str | None:
    """The role that owns the version table (the station's owner role), if any."""
    row = conn.execute(
        text(
            "SELECT pg_get_userbyid(c.relowner) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = :s AND c.relname = 'alembic_version'"
        ),
        {"s": SCHEMA},
    ).first()
    return str(row[0]) if row is not None else None


def trigger_states(conn: Connection) -> dict[str, bool]:
    """Each trigger of the schema (not the foreign keys' own): name -> enabled."""
    rows = conn.execute(
        text(
            "SELECT t.tgname, t.tgenabled FROM pg_trigger t"
            " JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = :s AND NOT t.tgisinternal"
        ),
        {"s": SCHEMA},
    )
    return {str(name): str(state) != "D" for name, state in rows}


def missing_triggers(conn: Connection) -> list[str]:
    """The expected triggers that are absent or disabled."""
    found = trigger_states(conn)
    return sorted(name for name in EXPECTED_TRIGGERS if not found.get(name, False))


def may_migrate(engine: Engine) -> bool:
    """Whether the connected login can change the schema (always, except on PostgreSQL).

    On PostgreSQL: it owns the tables (is a member of their owner, or a superuser), or, in a
    database without tables yet, may create in the schema.
    """
    if engine.dialect.name != "postgresql":
        return True
    with engine.connect() as conn:
        owner = tables_owner(conn)
        if owner is not None:
            allowed = conn.execute(
                text("SELECT pg_has_role(current_user, :o, 'USAGE')"), {"o": owner}
            ).scalar_one()
        else:
            allowed = conn.execute(
                text("SELECT has_schema_privilege(current_schema(), 'CREATE')")
            ).scalar_one()
    return bool(allowed)


def other_sessions(conn: Connection) -> int:
    """How many other sessions are connected to the current database."""
    return int(
        conn.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
            )
        ).scalar_one()
    )


# ---- copying a station in ---------------------------------------------------------------


def set_user_triggers(conn: Connection, tables: Iterable[str], *, enabled: bool) -> None:
    """Switch the tables' own triggers (not the foreign keys') off or on, as their owner.

    Inside a transaction: a rollback leaves them as they were.
    """
    verb = "ENABLE" if enabled else "DISABLE"
    for table in tables:
        conn.execute(text(f"ALTER TABLE {SCHEMA}.{q(table)} {verb} TRIGGER USER"))


def reset_sequences(conn: Connection) -> int:
    """Set every column's sequence past the highest value in its column; how many."""
    rows = conn.execute(
        text(
            "SELECT s.relname, t.relname, a.attname FROM pg_class s"
            " JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass"
            " AND d.deptype IN ('a', 'i')"
            " JOIN pg_class t ON t.oid = d.refobjid"
            " JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid"
            " JOIN pg_namespace n ON n.oid = s.relnamespace"
            " WHERE s.relkind = 'S' AND n.nspname = :s"
        ),
        {"s": SCHEMA},
    ).all()
    for sequence, table, column in rows:
        conn.execute(
            text(
                f"SELECT setval('{SCHEMA}.{q(str(sequence))}',"
                f" COALESCE((SELECT max({q(str(column))}) FROM {SCHEMA}.{q(str(table))}), 0) + 1,"
                " false)"
            )
        )
    return len(rows)


def copy_rows(
    conn: Connection, table: str, columns: list[str], rows: Iterable[tuple[Any, ...]]
) -> int:
    """COPY ``rows`` into ``table`` on this connection's transaction; how many."""
    raw = conn.connection.driver_connection
    assert raw is not None
    names = ", ".join(q(c) for c in columns)
    count = 0
    statement = f"COPY {SCHEMA}.{q(table)} ({names}) FROM STDIN"
    driver_error = conn.dialect.loaded_dbapi.Error
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    except driver_error as exc:
        # As SQLAlchemy reports a failed statement, so callers catch one kind of error.
        raise DBAPIError.instance(statement, None, exc, driver_error) from exc
    return count
