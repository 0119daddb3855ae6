"""A caseworker's day: dated case notes (encrypted under the case's key), drafts of long forms
(encrypted under their own key, shredded when used or discarded), the caregiver's consent beside
an adolescent's own, answers recorded on behalf of services without an account, a staff work
phone for referral packets, and the choice to hide names in lists.

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('form_drafts',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('form', sa.String(length=16), nullable=False),
    sa.Column('case_key', sa.String(length=36), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('payload', sa.LargeBinary(), nullable=True),
    sa.Column('data_key_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['data_key_id'], ['data_keys.id'], name=op.f('fk_form_drafts_data_key_id_data_keys')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_form_drafts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_drafts')),
    sa.UniqueConstraint('user_id', 'form', 'case_key', name=op.f('uq_form_drafts_user_id'))
    )
    with op.batch_alter_table('form_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_drafts_user_id'), ['user_id'], unique=False)

    op.create_table('case_notes',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('created_by_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('text', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_notes_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_case_notes_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_notes'))
    )
    with op.batch_alter_table('case_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_notes_case_id'), ['case_id'], unique=False)

    # In place, not batches: rebuilding these tables fails on SQLite while other rows point at them.
    op.add_column('consents', sa.Column('caregiver_consent', sa.Boolean(), nullable=True))
    op.add_column('referrals', sa.Column('answered_on_behalf', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('users', sa.Column('work_phone', sa.String(length=40), nullable=True))
    op.add_column('users', sa.Column('hide_names_in_lists', sa.Boolean(), nullable=False, server_default=sa.false()))

def downgrade():
    # In place, not batches: rebuilding these tables fails on SQLite while other rows point at them.
    op.drop_column('users', 'hide_names_in_lists')
    op.drop_column('users', 'work_phone')
    op.drop_column('referrals', 'answered_on_behalf')
    op.drop_column('consents', 'caregiver_consent')

    with op.batch_alter_table('case_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_notes_case_id'))

    op.drop_table('case_notes')
    with op.batch_alter_table('form_drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_drafts_user_id'))

    op.drop_table('form_drafts')
