"""The organisations a survivor agreed to release information to are free text: encrypted under
the case's key like every other identifying value, instead of a plaintext JSON column.

Revision ID: 0009
Revises: 0008

Existing values are encrypted with the running deployment's keys (``flask --app wsgi db
upgrade`` loads them); a consent whose case key was shredded (a purged case) keeps nothing.
Downgrade decrypts them back.
"""
import json

import sqlalchemy as sa
from alembic import op

from crypto import DataKeyShredded, decrypt_bytes, encrypt_bytes, field_context, unwrap

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

consents = sa.table(
    'consents',
    sa.column('id', sa.Integer),
    sa.column('case_id', sa.String),
    sa.column('release_to', sa.JSON),
    sa.column('release_to_json', sa.LargeBinary),
)
data_keys = sa.table('data_keys', sa.column('owner', sa.String), sa.column('wrapped_key', sa.LargeBinary))


def _case_keys(conn):
    """Each case's data key, unwrapped once (None when shredded)."""
    from models.keys import keyring  # the running app's key ring

    cache = {}

    def key_of(case_id):
        if case_id not in cache:
            owner = f'case:{case_id}'
            wrapped = conn.execute(sa.select(data_keys.c.wrapped_key).where(data_keys.c.owner == owner)).scalar()
            try:
                cache[case_id] = unwrap(wrapped, keyring(), owner) if wrapped is not None else None
            except DataKeyShredded:
                cache[case_id] = None
        return cache[case_id]

    return key_of


def _context(consent_id):
    return field_context('consents', 'release_to_json', consent_id)


def upgrade():
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('release_to_json', sa.LargeBinary(), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.select(consents.c.id, consents.c.case_id, consents.c.release_to)).all()
    named = [(row.id, row.case_id, {k: v for k, v in (row.release_to or {}).items() if v}) for row in rows]
    named = [row for row in named if row[2]]
    if named:
        key_of = _case_keys(conn)
        for consent_id, case_id, organisations in named:
            key = key_of(case_id)
            blob = None
            if key is not None:
                text = json.dumps(organisations, ensure_ascii=False, sort_keys=True).encode()
                blob = encrypt_bytes(key, text, _context(consent_id))
            conn.execute(consents.update().where(consents.c.id == consent_id).values(release_to_json=blob))
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.drop_column('release_to')


def downgrade():
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('release_to', sa.JSON(), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(consents.c.id, consents.c.case_id, consents.c.release_to_json).where(
            consents.c.release_to_json.is_not(None)
        )
    ).all()
    key_of = _case_keys(conn) if rows else None
    for row in rows:
        key = key_of(row.case_id)
        value = json.loads(decrypt_bytes(key, row.release_to_json, _context(row.id))) if key is not None else {}
        conn.execute(consents.update().where(consents.c.id == row.id).values(release_to=value))
    conn.execute(consents.update().where(consents.c.release_to.is_(None)).values(release_to={}))
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.alter_column('release_to', nullable=False)
        batch_op.drop_column('release_to_json')
