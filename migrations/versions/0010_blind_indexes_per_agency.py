"""Blind indexes per agency: a survivor's name and phone fall in different buckets in each
agency, so the three indexes of a leaked database no longer fingerprint one person across
agencies.

Revision ID: 0010
Revises: 0009

Every survivor's indexes are computed again with their agency's index key (the deployment's
keys are loaded by ``flask --app wsgi db upgrade``); downgrade computes them with the shared key
again. Survivors whose case key was shredded keep no index.
"""
import sqlalchemy as sa
from alembic import op

from crypto import BlindIndex, DataKeyShredded, decrypt_bytes, field_context, normalize_name, normalize_phone, unwrap
from crypto.blind_index import scoped_index_key

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

INDEXED = {'given_name': normalize_name, 'family_name': normalize_name, 'phone': normalize_phone}

survivors = sa.table(
    'survivors',
    sa.column('id', sa.String),
    sa.column('case_id', sa.String),
    *(sa.column(name, sa.LargeBinary) for name in INDEXED),
    *(sa.column(f'{name}_bidx', sa.Integer) for name in INDEXED),
)
cases = sa.table('cases', sa.column('id', sa.String), sa.column('agency_id', sa.Integer))
data_keys = sa.table('data_keys', sa.column('owner', sa.String), sa.column('wrapped_key', sa.LargeBinary))


def _recompute(per_agency):
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(survivors, cases.c.agency_id).join(cases, cases.c.id == survivors.c.case_id)
    ).all()
    if not rows:
        return
    from models.keys import keyring  # the running app's key ring

    ring = keyring()
    for row in rows:
        owner = f'case:{row.case_id}'
        wrapped = conn.execute(sa.select(data_keys.c.wrapped_key).where(data_keys.c.owner == owner)).scalar()
        try:
            key = unwrap(wrapped, ring, owner) if wrapped is not None else None
        except DataKeyShredded:
            key = None
        index_key = scoped_index_key(ring.index_key, f'agency:{row.agency_id}') if per_agency else ring.index_key
        values = {}
        for name, normalizer in INDEXED.items():
            blob = getattr(row, name)
            bucket = None
            if key is not None and blob is not None:
                plain = decrypt_bytes(key, bytes(blob), field_context('survivors', name, row.id)).decode()
                bucket = BlindIndex('survivors', name, normalizer).compute(index_key, plain)
            values[f'{name}_bidx'] = bucket
        conn.execute(survivors.update().where(survivors.c.id == row.id).values(**values))


def upgrade():
    _recompute(per_agency=True)


def downgrade():
    _recompute(per_agency=False)
