"""Child protection case management: the child's profile, concerns and response clock, best
interests, family tracing and reunification, care arrangements, MRM grave violations, links
between a child's GBV and CP cases; plan rows with service, provider and timeframe; follow-up
purposes; the sub-cluster of cluster leads (the leads that existed coordinate the GBV one).

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('best_interests',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=4), nullable=False),
    sa.Column('assessment_id', sa.String(length=36), nullable=True),
    sa.Column('priority', sa.String(length=12), nullable=True),
    sa.Column('recommendation', sa.String(length=24), nullable=False),
    sa.Column('created_by_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('child_views', sa.LargeBinary(), nullable=True),
    sa.Column('summary', sa.LargeBinary(), nullable=True),
    sa.Column('panel_decision', sa.String(length=12), nullable=True),
    sa.Column('panel_date', sa.Date(), nullable=True),
    sa.Column('decided_by_id', sa.String(length=36), nullable=True),
    sa.Column('panel_notes', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['assessment_id'], ['best_interests.id'], name=op.f('fk_best_interests_assessment_id_best_interests')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_best_interests_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_best_interests_created_by_id_users')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_best_interests_decided_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_best_interests'))
    )
    with op.batch_alter_table('best_interests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_best_interests_case_id'), ['case_id'], unique=False)

    op.create_table('care_arrangements',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('arrangement', sa.String(length=24), nullable=False),
    sa.Column('started', sa.Date(), nullable=False),
    sa.Column('ended', sa.Date(), nullable=True),
    sa.Column('recorded_by_id', sa.String(length=36), nullable=False),
    sa.Column('carer', sa.LargeBinary(), nullable=True),
    sa.Column('notes', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_care_arrangements_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_care_arrangements_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_arrangements'))
    )
    with op.batch_alter_table('care_arrangements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_arrangements_case_id'), ['case_id'], unique=False)

    op.create_table('case_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gbv_case_id', sa.String(length=36), nullable=False),
    sa.Column('cp_case_id', sa.String(length=36), nullable=False),
    sa.Column('created_by_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cp_case_id'], ['cases.id'], name=op.f('fk_case_links_cp_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_case_links_created_by_id_users')),
    sa.ForeignKeyConstraint(['gbv_case_id'], ['cases.id'], name=op.f('fk_case_links_gbv_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_links')),
    sa.UniqueConstraint('gbv_case_id', 'cp_case_id', name=op.f('uq_case_links_gbv_case_id'))
    )
    with op.batch_alter_table('case_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_links_cp_case_id'), ['cp_case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_links_gbv_case_id'), ['gbv_case_id'], unique=False)

    op.create_table('child_concerns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('concern', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_child_concerns_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_child_concerns')),
    sa.UniqueConstraint('case_id', 'concern', name=op.f('uq_child_concerns_case_id'))
    )
    with op.batch_alter_table('child_concerns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_child_concerns_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_child_concerns_concern'), ['concern'], unique=False)

    op.create_table('child_profiles',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('no_caregiver_reason', sa.String(length=32), nullable=True),
    sa.Column('first_action_due', sa.DateTime(), nullable=True),
    sa.Column('first_action_at', sa.DateTime(), nullable=True),
    sa.Column('next_review', sa.Date(), nullable=True),
    sa.Column('turns_18_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_child_profiles_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_child_profiles')),
    sa.UniqueConstraint('case_id', name=op.f('uq_child_profiles_case_id'))
    )
    with op.batch_alter_table('child_profiles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_child_profiles_first_action_due'), ['first_action_due'], unique=False)
        batch_op.create_index(batch_op.f('ix_child_profiles_next_review'), ['next_review'], unique=False)
        batch_op.create_index(batch_op.f('ix_child_profiles_turns_18_on'), ['turns_18_on'], unique=False)

    op.create_table('grave_violations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('violation', sa.String(length=32), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('perpetrator', sa.String(length=24), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=32), nullable=True),
    sa.Column('reporting_consent', sa.Boolean(), nullable=False),
    sa.Column('recorded_by_id', sa.String(length=36), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_grave_violations_agency_id_agencies')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_grave_violations_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_grave_violations_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grave_violations'))
    )
    with op.batch_alter_table('grave_violations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grave_violations_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_grave_violations_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_grave_violations_date'), ['date'], unique=False)
        batch_op.create_index(batch_op.f('ix_grave_violations_violation'), ['violation'], unique=False)

    op.create_table('separations',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('date', sa.Date(), nullable=True),
    sa.Column('cause', sa.String(length=24), nullable=False),
    sa.Column('place', sa.LargeBinary(), nullable=True),
    sa.Column('sought', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_separations_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_separations')),
    sa.UniqueConstraint('case_id', name=op.f('uq_separations_case_id'))
    )
    op.create_table('tracing_steps',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('step', sa.String(length=16), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('recommendation', sa.String(length=24), nullable=True),
    sa.Column('reunification_type', sa.String(length=20), nullable=True),
    sa.Column('recorded_by_id', sa.String(length=36), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('notes', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_tracing_steps_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_tracing_steps_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tracing_steps'))
    )
    with op.batch_alter_table('tracing_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tracing_steps_case_id'), ['case_id'], unique=False)

    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purpose', sa.String(length=24), nullable=True))

    with op.batch_alter_table('plan_goals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('service_type', sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column('provider_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('timeframe', sa.String(length=12), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_plan_goals_provider_id_providers'), 'providers', ['provider_id'], ['id'])

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sub_cluster', sa.String(length=4), nullable=True))
    users = sa.table('users', sa.column('role', sa.String), sa.column('sub_cluster', sa.String))
    op.execute(users.update().where(users.c.role == 'cluster_lead').values(sub_cluster='gbv'))



def downgrade():
    # Not a batch: rebuilding users would fail on SQLite while cases and audit rows point at it.
    op.drop_column('users', 'sub_cluster')

    with op.batch_alter_table('plan_goals', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_plan_goals_provider_id_providers'), type_='foreignkey')
        batch_op.drop_column('timeframe')
        batch_op.drop_column('provider_id')
        batch_op.drop_column('service_type')

    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_column('purpose')

    with op.batch_alter_table('tracing_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tracing_steps_case_id'))

    op.drop_table('tracing_steps')
    op.drop_table('separations')
    with op.batch_alter_table('grave_violations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grave_violations_violation'))
        batch_op.drop_index(batch_op.f('ix_grave_violations_date'))
        batch_op.drop_index(batch_op.f('ix_grave_violations_case_id'))
        batch_op.drop_index(batch_op.f('ix_grave_violations_agency_id'))

    op.drop_table('grave_violations')
    with op.batch_alter_table('child_profiles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_child_profiles_turns_18_on'))
        batch_op.drop_index(batch_op.f('ix_child_profiles_next_review'))
        batch_op.drop_index(batch_op.f('ix_child_profiles_first_action_due'))

    op.drop_table('child_profiles')
    with op.batch_alter_table('child_concerns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_child_concerns_concern'))
        batch_op.drop_index(batch_op.f('ix_child_concerns_case_id'))

    op.drop_table('child_concerns')
    with op.batch_alter_table('case_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_links_gbv_case_id'))
        batch_op.drop_index(batch_op.f('ix_case_links_cp_case_id'))

    op.drop_table('case_links')
    with op.batch_alter_table('care_arrangements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_arrangements_case_id'))

    op.drop_table('care_arrangements')
    with op.batch_alter_table('best_interests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_best_interests_case_id'))

    op.drop_table('best_interests')
