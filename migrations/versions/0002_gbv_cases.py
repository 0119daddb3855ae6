"""GBV case management: cases, survivors, consents, incidents, perpetrators, assessments, plans, follow-ups, decisions

Revision ID: 0002
Revises: 0001

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cases',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('case_code', sa.String(length=24), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('risk_level', sa.String(length=8), nullable=True),
    sa.Column('location_code', sa.String(length=32), nullable=True),
    sa.Column('region_code', sa.String(length=32), nullable=True),
    sa.Column('consent_services', sa.Boolean(), nullable=False),
    sa.Column('consent_reporting', sa.Boolean(), nullable=False),
    sa.Column('next_follow_up', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('purged_at', sa.DateTime(), nullable=True),
    sa.Column('data_key_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_cases_agency_id_agencies')),
    sa.ForeignKeyConstraint(['data_key_id'], ['data_keys.id'], name=op.f('fk_cases_data_key_id_data_keys')),
    sa.ForeignKeyConstraint(['location_code'], ['locations.code'], name=op.f('fk_cases_location_code_locations')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_cases_owner_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
    sa.UniqueConstraint('case_code', name=op.f('uq_cases_case_code'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_location_code'), ['location_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_next_follow_up'), ['next_follow_up'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_region_code'), ['region_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_risk_level'), ['risk_level'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_status'), ['status'], unique=False)

    op.create_table('action_plans',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_by_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.String(length=36), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_comment', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_action_plans_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_action_plans_created_by_id_users')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_action_plans_decided_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_plans'))
    )
    with op.batch_alter_table('action_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_plans_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_plans_status'), ['status'], unique=False)

    op.create_table('assessments',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('created_by_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('needs', sa.JSON(), nullable=False),
    sa.Column('risk_level', sa.String(length=8), nullable=False),
    sa.Column('summary', sa.LargeBinary(), nullable=True),
    sa.Column('safety_plan', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_assessments_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_assessments_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessments'))
    )
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessments_case_id'), ['case_id'], unique=False)

    op.create_table('case_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=False),
    sa.Column('assigned_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_assignments_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_case_assignments_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_assignments')),
    sa.UniqueConstraint('case_id', 'user_id', name=op.f('uq_case_assignments_case_id'))
    )
    with op.batch_alter_table('case_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_assignments_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_assignments_user_id'), ['user_id'], unique=False)

    op.create_table('case_decisions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.String(length=24), nullable=True),
    sa.Column('checklist', sa.JSON(), nullable=False),
    sa.Column('requested_by_id', sa.String(length=36), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.String(length=36), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('comment', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_decisions_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_case_decisions_decided_by_id_users')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_case_decisions_requested_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_decisions'))
    )
    with op.batch_alter_table('case_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_decisions_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_decisions_status'), ['status'], unique=False)

    op.create_table('consents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('services', sa.Boolean(), nullable=False),
    sa.Column('reporting', sa.Boolean(), nullable=False),
    sa.Column('release', sa.JSON(), nullable=False),
    sa.Column('release_to', sa.JSON(), nullable=False),
    sa.Column('given_by', sa.String(length=16), nullable=False),
    sa.Column('assent', sa.String(length=8), nullable=False),
    sa.Column('withdrawn', sa.Boolean(), nullable=False),
    sa.Column('recorded_by_id', sa.String(length=36), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_consents_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_consents_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consents')),
    sa.UniqueConstraint('case_id', 'version', name=op.f('uq_consents_case_id'))
    )
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consents_case_id'), ['case_id'], unique=False)

    op.create_table('follow_ups',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('created_by_id', sa.String(length=36), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('risk_level', sa.String(length=8), nullable=False),
    sa.Column('progress', sa.JSON(), nullable=False),
    sa.Column('recommend_closure', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_follow_ups_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_follow_ups_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_ups'))
    )
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_ups_case_id'), ['case_id'], unique=False)

    op.create_table('incidents',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('date_of_incident', sa.Date(), nullable=False),
    sa.Column('date_of_interview', sa.Date(), nullable=False),
    sa.Column('time_of_day', sa.String(length=16), nullable=False),
    sa.Column('stage_of_displacement', sa.String(length=20), nullable=True),
    sa.Column('place_type', sa.String(length=20), nullable=False),
    sa.Column('location_code', sa.String(length=32), nullable=True),
    sa.Column('region_code', sa.String(length=32), nullable=True),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('gbv_type', sa.String(length=24), nullable=False),
    sa.Column('flag_intimate_partner_violence', sa.Boolean(), nullable=False),
    sa.Column('flag_child_sexual_abuse', sa.Boolean(), nullable=False),
    sa.Column('flag_early_marriage', sa.Boolean(), nullable=False),
    sa.Column('flag_possible_sexual_exploitation', sa.Boolean(), nullable=False),
    sa.Column('flag_possible_sexual_slavery', sa.Boolean(), nullable=False),
    sa.Column('flag_harmful_traditional_practice', sa.Boolean(), nullable=False),
    sa.Column('harmful_traditional_practice', sa.String(length=16), nullable=False),
    sa.Column('money_or_goods_exchanged', sa.Boolean(), nullable=False),
    sa.Column('abduction', sa.String(length=24), nullable=False),
    sa.Column('reported_elsewhere', sa.String(length=20), nullable=False),
    sa.Column('reported_elsewhere_to', sa.String(length=24), nullable=True),
    sa.Column('previous_gbv', sa.Boolean(), nullable=False),
    sa.Column('age_at_incident', sa.Integer(), nullable=True),
    sa.Column('survivor_sex', sa.String(length=8), nullable=False),
    sa.Column('marital_status', sa.String(length=16), nullable=True),
    sa.Column('displacement_status', sa.String(length=20), nullable=True),
    sa.Column('disability', sa.String(length=12), nullable=True),
    sa.Column('unaccompanied', sa.String(length=24), nullable=True),
    sa.Column('reporting_consent', sa.Boolean(), nullable=False),
    sa.Column('perpetrator_count', sa.Integer(), nullable=False),
    sa.Column('primary_relationship', sa.String(length=32), nullable=True),
    sa.Column('primary_age_group', sa.String(length=8), nullable=True),
    sa.Column('primary_occupation', sa.String(length=32), nullable=True),
    sa.Column('referred_by', sa.String(length=24), nullable=False),
    sa.Column('pathway_shelter', sa.String(length=24), nullable=False),
    sa.Column('pathway_health', sa.String(length=24), nullable=False),
    sa.Column('pathway_psychosocial', sa.String(length=24), nullable=False),
    sa.Column('pathway_legal', sa.String(length=24), nullable=False),
    sa.Column('pathway_security', sa.String(length=24), nullable=False),
    sa.Column('pathway_livelihoods', sa.String(length=24), nullable=False),
    sa.Column('pathway_child_protection', sa.String(length=24), nullable=False),
    sa.Column('wants_legal_action', sa.String(length=12), nullable=True),
    sa.Column('mandatory_report_made', sa.Boolean(), nullable=True),
    sa.Column('survivor_informed_of_report', sa.Boolean(), nullable=True),
    sa.Column('account', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_incidents_agency_id_agencies')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_incidents_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_incidents_created_by_id_users')),
    sa.ForeignKeyConstraint(['location_code'], ['locations.code'], name=op.f('fk_incidents_location_code_locations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incidents'))
    )
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incidents_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incidents_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incidents_date_of_incident'), ['date_of_incident'], unique=False)
        batch_op.create_index(batch_op.f('ix_incidents_date_of_interview'), ['date_of_interview'], unique=False)
        batch_op.create_index(batch_op.f('ix_incidents_gbv_type'), ['gbv_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_incidents_location_code'), ['location_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_incidents_region_code'), ['region_code'], unique=False)

    op.create_table('survivors',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('given_name', sa.LargeBinary(), nullable=True),
    sa.Column('given_name_bidx', sa.Integer(), nullable=True),
    sa.Column('family_name', sa.LargeBinary(), nullable=True),
    sa.Column('family_name_bidx', sa.Integer(), nullable=True),
    sa.Column('nickname', sa.LargeBinary(), nullable=True),
    sa.Column('phone', sa.LargeBinary(), nullable=True),
    sa.Column('phone_bidx', sa.Integer(), nullable=True),
    sa.Column('address', sa.LargeBinary(), nullable=True),
    sa.Column('date_of_birth', sa.LargeBinary(), nullable=True),
    sa.Column('caregiver_name', sa.LargeBinary(), nullable=True),
    sa.Column('caregiver_phone', sa.LargeBinary(), nullable=True),
    sa.Column('notes', sa.LargeBinary(), nullable=True),
    sa.Column('ethnicity', sa.LargeBinary(), nullable=True),
    sa.Column('religion', sa.LargeBinary(), nullable=True),
    sa.Column('sex', sa.String(length=8), nullable=False),
    sa.Column('age_at_registration', sa.Integer(), nullable=True),
    sa.Column('age_estimated', sa.Boolean(), nullable=False),
    sa.Column('marital_status', sa.String(length=16), nullable=True),
    sa.Column('displacement_status', sa.String(length=20), nullable=True),
    sa.Column('disability', sa.String(length=12), nullable=True),
    sa.Column('unaccompanied', sa.String(length=24), nullable=True),
    sa.Column('nationality', sa.String(length=48), nullable=True),
    sa.Column('country_of_origin', sa.String(length=48), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_survivors_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survivors')),
    sa.UniqueConstraint('case_id', name=op.f('uq_survivors_case_id'))
    )
    with op.batch_alter_table('survivors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survivors_family_name_bidx'), ['family_name_bidx'], unique=False)
        batch_op.create_index(batch_op.f('ix_survivors_given_name_bidx'), ['given_name_bidx'], unique=False)
        batch_op.create_index(batch_op.f('ix_survivors_phone_bidx'), ['phone_bidx'], unique=False)

    op.create_table('perpetrators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('primary', sa.Boolean(), nullable=False),
    sa.Column('sex', sa.String(length=8), nullable=False),
    sa.Column('age_group', sa.String(length=8), nullable=False),
    sa.Column('relationship', sa.String(length=32), nullable=False),
    sa.Column('occupation', sa.String(length=32), nullable=False),
    sa.Column('nationality', sa.String(length=48), nullable=True),
    sa.Column('past_gbv', sa.String(length=8), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_perpetrators_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_perpetrators'))
    )
    with op.batch_alter_table('perpetrators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_perpetrators_incident_id'), ['incident_id'], unique=False)

    op.create_table('plan_goals',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('plan_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('area', sa.String(length=24), nullable=False),
    sa.Column('goal', sa.LargeBinary(), nullable=True),
    sa.Column('responsible', sa.LargeBinary(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['action_plans.id'], name=op.f('fk_plan_goals_plan_id_action_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_goals'))
    )
    with op.batch_alter_table('plan_goals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_goals_plan_id'), ['plan_id'], unique=False)



def downgrade():
    with op.batch_alter_table('plan_goals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_goals_plan_id'))

    op.drop_table('plan_goals')
    with op.batch_alter_table('perpetrators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_perpetrators_incident_id'))

    op.drop_table('perpetrators')
    with op.batch_alter_table('survivors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survivors_phone_bidx'))
        batch_op.drop_index(batch_op.f('ix_survivors_given_name_bidx'))
        batch_op.drop_index(batch_op.f('ix_survivors_family_name_bidx'))

    op.drop_table('survivors')
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incidents_region_code'))
        batch_op.drop_index(batch_op.f('ix_incidents_location_code'))
        batch_op.drop_index(batch_op.f('ix_incidents_gbv_type'))
        batch_op.drop_index(batch_op.f('ix_incidents_date_of_interview'))
        batch_op.drop_index(batch_op.f('ix_incidents_date_of_incident'))
        batch_op.drop_index(batch_op.f('ix_incidents_case_id'))
        batch_op.drop_index(batch_op.f('ix_incidents_agency_id'))

    op.drop_table('incidents')
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_ups_case_id'))

    op.drop_table('follow_ups')
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consents_case_id'))

    op.drop_table('consents')
    with op.batch_alter_table('case_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_decisions_status'))
        batch_op.drop_index(batch_op.f('ix_case_decisions_case_id'))

    op.drop_table('case_decisions')
    with op.batch_alter_table('case_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_assignments_user_id'))
        batch_op.drop_index(batch_op.f('ix_case_assignments_case_id'))

    op.drop_table('case_assignments')
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessments_case_id'))

    op.drop_table('assessments')
    with op.batch_alter_table('action_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_plans_status'))
        batch_op.drop_index(batch_op.f('ix_action_plans_case_id'))

    op.drop_table('action_plans')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_status'))
        batch_op.drop_index(batch_op.f('ix_cases_risk_level'))
        batch_op.drop_index(batch_op.f('ix_cases_region_code'))
        batch_op.drop_index(batch_op.f('ix_cases_owner_id'))
        batch_op.drop_index(batch_op.f('ix_cases_next_follow_up'))
        batch_op.drop_index(batch_op.f('ix_cases_location_code'))
        batch_op.drop_index(batch_op.f('ix_cases_kind'))
        batch_op.drop_index(batch_op.f('ix_cases_created_at'))
        batch_op.drop_index(batch_op.f('ix_cases_agency_id'))

    op.drop_table('cases')
