"""The maintained statistics aggregate: GBVIMS counts per month, agency, region and table, kept in
the transaction of each incident write (built on first use after this upgrade)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 22:19:45.835793

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('statistics_counts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('region', sa.String(length=32), nullable=False),
    sa.Column('dimension', sa.String(length=120), nullable=False),
    sa.Column('key', sa.String(length=400), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statistics_counts')),
    sa.UniqueConstraint('month', 'agency_id', 'region', 'dimension', 'key', name=op.f('uq_statistics_counts_month'))
    )
    op.create_table('statistics_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('built_for', sa.String(length=64), nullable=False),
    sa.Column('built_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statistics_state'))
    )


def downgrade():
    op.drop_table('statistics_state')
    op.drop_table('statistics_counts')
