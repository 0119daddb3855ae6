"""A composite index on the survivors' two name buckets: a full-name search reads the pair in one
index scan instead of intersecting every survivor with that given name and that family name

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 03:12:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('survivors', schema=None) as batch_op:
        batch_op.create_index('ix_survivors_name_buckets', ['given_name_bidx', 'family_name_bidx'], unique=False)


def downgrade():
    with op.batch_alter_table('survivors', schema=None) as batch_op:
        batch_op.drop_index('ix_survivors_name_buckets')
