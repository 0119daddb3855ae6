"""Separation of duties on accounts: a role that reads survivors' records (caseworker,
supervisor) is in force only once a second person approved it; an administrator's initial
password is replaced by the user at first sign-in.

Revision ID: 0008
Revises: 0007

Existing accounts keep their roles: they are marked approved at upgrade time (by nobody), and
none has to change its password.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

COLUMNS = ('created_by_id', 'role_requested_by_id', 'role_approved_by_id')


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.add_column(sa.Column(column, sa.String(length=36), nullable=True))
            batch_op.create_foreign_key(batch_op.f(f'fk_users_{column}_users'), 'users', [column], ['id'])
        batch_op.add_column(
            sa.Column('must_change_password', sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column('role_approved_at', sa.DateTime(), nullable=True))
    users = sa.table('users', sa.column('role_approved_at', sa.DateTime()))
    op.execute(users.update().values(role_approved_at=sa.func.current_timestamp()))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('must_change_password', server_default=None)


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('role_approved_at')
        batch_op.drop_column('must_change_password')
        for column in reversed(COLUMNS):
            batch_op.drop_constraint(batch_op.f(f'fk_users_{column}_users'), type_='foreignkey')
            batch_op.drop_column(column)
