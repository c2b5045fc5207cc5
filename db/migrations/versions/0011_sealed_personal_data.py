"""Personal data sealed with the station key; exact lookups by keyed hash (issue 12).

ID numbers, phones, complainants' phones and signatures (strokes and image) are stored sealed
(AES-256-GCM, db/sealed.py). The station key is never in the database: the program passes a
cipher in the Alembic config's attributes (``cipher``) and this migration seals the rows that
exist, fills the lookup hashes and records the key's fingerprint. Without a cipher it refuses
a database that holds personal data (an empty one needs none).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

import base64
import datetime as dt

from alembic import context, op
import sqlalchemy as sa

from db.sealed import seal_bytes, seal_text


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

CHUNK = 5000


def upgrade() -> None:
    op.create_table('station_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key_id', sa.String(length=32), nullable=False),
    sa.Column('check_value', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_station_key'))
    )
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('id_number_hash', sa.String(length=32), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('phone_hash', sa.String(length=32), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('phone_tail', sa.String(length=4), nullable=False, server_default=''))
        batch_op.alter_column('id_number', existing_type=sa.String(length=30), type_=sa.Text(), existing_nullable=False)
        batch_op.alter_column('phone', existing_type=sa.String(length=20), type_=sa.Text(), existing_nullable=False)
        batch_op.drop_index('ix_visits_id_number')
        batch_op.drop_index('ix_visits_phone')
        batch_op.create_index('ix_visits_id_number_hash', ['id_number_hash'], unique=False)
        batch_op.create_index('ix_visits_phone_hash', ['phone_hash'], unique=False)
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.alter_column('complainant_phone', existing_type=sa.String(length=40), type_=sa.Text(), existing_nullable=False)
    _seal_existing_rows()


def _seal_existing_rows() -> None:
    conn = op.get_bind()
    cipher = context.config.attributes.get('cipher') if context.config is not None else None
    holds_data = any(
        conn.execute(sa.text(sql)).first() is not None
        for sql in (
            "SELECT 1 FROM visits WHERE id_number != '' OR phone != '' LIMIT 1",
            "SELECT 1 FROM complaints WHERE complainant_phone != '' LIMIT 1",
            "SELECT 1 FROM signatures LIMIT 1",
        )
    )
    if cipher is None:
        if holds_data:
            raise RuntimeError('sealing the personal data needs the station key (cipher)')
        return
    last = 0
    while True:
        rows = conn.execute(sa.text(
            "SELECT id, id_number, phone FROM visits WHERE id > :last"
            " AND (id_number != '' OR phone != '') ORDER BY id LIMIT :n"
        ), {'last': last, 'n': CHUNK}).all()
        if not rows:
            break
        conn.execute(sa.text(
            "UPDATE visits SET id_number = :n, phone = :p, id_number_hash = :nh,"
            " phone_hash = :ph, phone_tail = :pt WHERE id = :id"
        ), [
            {
                'id': r.id,
                'n': seal_text(cipher, r.id_number or ''),
                'p': seal_text(cipher, r.phone or ''),
                'nh': cipher.blind('id', r.id_number) if r.id_number else '',
                'ph': cipher.blind('phone', r.phone) if r.phone else '',
                'pt': (r.phone or '')[-4:],
            }
            for r in rows
        ])
        last = rows[-1].id
    rows = conn.execute(sa.text(
        "SELECT id, complainant_phone FROM complaints WHERE complainant_phone != ''"
    )).all()
    if rows:
        conn.execute(sa.text("UPDATE complaints SET complainant_phone = :p WHERE id = :id"), [
            {'id': r.id, 'p': seal_text(cipher, r.complainant_phone)} for r in rows
        ])
    _seal_signatures(conn, cipher)
    conn.execute(sa.text(
        "INSERT INTO station_key (id, key_id, check_value, created_at) VALUES (1, :k, :c, :at)"
    ), {
        'k': cipher.key_id,
        'c': base64.b64encode(cipher.check_value()).decode('ascii'),
        'at': dt.datetime.now(dt.UTC).replace(tzinfo=None),
    })


def _seal_signatures(conn: sa.Connection, cipher: object) -> None:
    # Signatures are frozen by a trigger: lifted for this one rewrite of their storage form
    # (the strokes and image stay the same, and so does image_sha256), then put back.
    dialect = conn.dialect.name
    if dialect == 'sqlite':
        op.execute("DROP TRIGGER IF EXISTS signatures_frozen")
    else:
        op.execute("DROP TRIGGER IF EXISTS signatures_frozen ON signatures")
    last = 0
    while True:
        rows = conn.execute(sa.text(
            "SELECT id, strokes_json, png FROM signatures WHERE id > :last ORDER BY id LIMIT :n"
        ), {'last': last, 'n': CHUNK}).all()
        if not rows:
            break
        conn.execute(sa.text("UPDATE signatures SET strokes_json = :s, png = :p WHERE id = :id"), [
            {'id': r.id, 's': seal_text(cipher, r.strokes_json or ''), 'p': seal_bytes(cipher, bytes(r.png or b''))}  # type: ignore[arg-type]
            for r in rows
        ])
        last = rows[-1].id
    if dialect == 'sqlite':
        op.execute(
            "CREATE TRIGGER signatures_frozen BEFORE UPDATE ON signatures "
            "BEGIN SELECT RAISE(ABORT, 'signatures are frozen'); END"
        )
    else:
        op.execute(
            "CREATE TRIGGER signatures_frozen BEFORE UPDATE ON signatures "
            "FOR EACH ROW EXECUTE FUNCTION stationdesk_frozen()"
        )


def downgrade() -> None:
    # Sealed values cannot be turned back into clear text here (the key is not in the database).
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.alter_column('complainant_phone', existing_type=sa.Text(), type_=sa.String(length=40), existing_nullable=False)
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_index('ix_visits_phone_hash')
        batch_op.drop_index('ix_visits_id_number_hash')
        batch_op.create_index('ix_visits_phone', ['phone'], unique=False)
        batch_op.create_index('ix_visits_id_number', ['id_number'], unique=False)
        batch_op.alter_column('phone', existing_type=sa.Text(), type_=sa.String(length=20), existing_nullable=False)
        batch_op.alter_column('id_number', existing_type=sa.Text(), type_=sa.String(length=30), existing_nullable=False)
        batch_op.drop_column('phone_tail')
        batch_op.drop_column('phone_hash')
        batch_op.drop_column('id_number_hash')
    op.drop_table('station_key')
