"""Audit events wait in audit_pending (written with their action, no lock) until sealed into the chain

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 22:10:02.869967

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_pending',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.String(length=36), nullable=True),
    sa.Column('actor_name', sa.String(length=64), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('target_type', sa.String(length=32), nullable=True),
    sa.Column('target_id', sa.String(length=64), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_pending'))
    )
    with op.batch_alter_table('audit_pending', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_pending_target_id'), ['target_id'], unique=False)



def downgrade():
    with op.batch_alter_table('audit_pending', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_pending_target_id'))

    op.drop_table('audit_pending')
