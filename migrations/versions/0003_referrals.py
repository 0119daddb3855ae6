"""referral pathways: service directory, referrals, service gaps, transfers

Revision ID: 0003
Revises: 0002

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('providers',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('hours', sa.String(length=120), nullable=True),
    sa.Column('languages', sa.String(length=120), nullable=True),
    sa.Column('contact', sa.String(length=120), nullable=True),
    sa.Column('serves_children', sa.Boolean(), nullable=False),
    sa.Column('clinical_management_of_rape', sa.Boolean(), nullable=False),
    sa.Column('pep_kits_in_stock', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_providers_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_providers')),
    sa.UniqueConstraint('code', name=op.f('uq_providers_code'))
    )
    with op.batch_alter_table('providers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_providers_agency_id'), ['agency_id'], unique=False)

    op.create_table('provider_locations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.String(length=36), nullable=False),
    sa.Column('location_code', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['location_code'], ['locations.code'], name=op.f('fk_provider_locations_location_code_locations')),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_provider_locations_provider_id_providers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_locations')),
    sa.UniqueConstraint('provider_id', 'location_code', name=op.f('uq_provider_locations_provider_id'))
    )
    with op.batch_alter_table('provider_locations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_locations_location_code'), ['location_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_provider_locations_provider_id'), ['provider_id'], unique=False)

    op.create_table('provider_services',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.String(length=36), nullable=False),
    sa.Column('service_type', sa.String(length=24), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_provider_services_provider_id_providers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_services')),
    sa.UniqueConstraint('provider_id', 'service_type', name=op.f('uq_provider_services_provider_id'))
    )
    with op.batch_alter_table('provider_services', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_services_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_provider_services_service_type'), ['service_type'], unique=False)

    op.create_table('case_transfers',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('from_agency_id', sa.Integer(), nullable=False),
    sa.Column('to_agency_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('requested_by_id', sa.String(length=36), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.String(length=36), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_transfers_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_case_transfers_decided_by_id_users')),
    sa.ForeignKeyConstraint(['from_agency_id'], ['agencies.id'], name=op.f('fk_case_transfers_from_agency_id_agencies')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_case_transfers_requested_by_id_users')),
    sa.ForeignKeyConstraint(['to_agency_id'], ['agencies.id'], name=op.f('fk_case_transfers_to_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_transfers'))
    )
    with op.batch_alter_table('case_transfers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_transfers_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_transfers_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_transfers_to_agency_id'), ['to_agency_id'], unique=False)

    op.create_table('referrals',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('provider_id', sa.String(length=36), nullable=False),
    sa.Column('service_type', sa.String(length=24), nullable=False),
    sa.Column('urgency', sa.String(length=8), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('request_key', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('due_at', sa.DateTime(), nullable=True),
    sa.Column('responded_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('reason', sa.String(length=32), nullable=True),
    sa.Column('packet_fields', sa.String(length=300), nullable=False),
    sa.Column('packet', sa.LargeBinary(), nullable=True),
    sa.Column('note', sa.LargeBinary(), nullable=True),
    sa.Column('feedback', sa.LargeBinary(), nullable=True),
    sa.Column('data_key_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_referrals_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_referrals_created_by_id_users')),
    sa.ForeignKeyConstraint(['data_key_id'], ['data_keys.id'], name=op.f('fk_referrals_data_key_id_data_keys')),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_referrals_provider_id_providers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals')),
    sa.UniqueConstraint('case_id', 'request_key', name=op.f('uq_referrals_case_id'))
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referrals_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_service_type'), ['service_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_state'), ['state'], unique=False)

    op.create_table('service_gaps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=True),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('service_type', sa.String(length=24), nullable=False),
    sa.Column('location_code', sa.String(length=32), nullable=True),
    sa.Column('region_code', sa.String(length=32), nullable=True),
    sa.Column('recorded_by_id', sa.String(length=36), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_service_gaps_agency_id_agencies')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_service_gaps_case_id_cases'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['location_code'], ['locations.code'], name=op.f('fk_service_gaps_location_code_locations')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_service_gaps_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_gaps'))
    )
    with op.batch_alter_table('service_gaps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_gaps_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_gaps_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_gaps_recorded_at'), ['recorded_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_gaps_region_code'), ['region_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_gaps_service_type'), ['service_type'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('provider_id', sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f('ix_users_provider_id'), ['provider_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_users_provider_id_providers'), 'providers', ['provider_id'], ['id'])



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_provider_id_providers'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_users_provider_id'))
        batch_op.drop_column('provider_id')

    with op.batch_alter_table('service_gaps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_gaps_service_type'))
        batch_op.drop_index(batch_op.f('ix_service_gaps_region_code'))
        batch_op.drop_index(batch_op.f('ix_service_gaps_recorded_at'))
        batch_op.drop_index(batch_op.f('ix_service_gaps_case_id'))
        batch_op.drop_index(batch_op.f('ix_service_gaps_agency_id'))

    op.drop_table('service_gaps')
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referrals_state'))
        batch_op.drop_index(batch_op.f('ix_referrals_service_type'))
        batch_op.drop_index(batch_op.f('ix_referrals_provider_id'))
        batch_op.drop_index(batch_op.f('ix_referrals_due_at'))
        batch_op.drop_index(batch_op.f('ix_referrals_case_id'))

    op.drop_table('referrals')
    with op.batch_alter_table('case_transfers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_transfers_to_agency_id'))
        batch_op.drop_index(batch_op.f('ix_case_transfers_status'))
        batch_op.drop_index(batch_op.f('ix_case_transfers_case_id'))

    op.drop_table('case_transfers')
    with op.batch_alter_table('provider_services', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_services_service_type'))
        batch_op.drop_index(batch_op.f('ix_provider_services_provider_id'))

    op.drop_table('provider_services')
    with op.batch_alter_table('provider_locations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_locations_provider_id'))
        batch_op.drop_index(batch_op.f('ix_provider_locations_location_code'))

    op.drop_table('provider_locations')
    with op.batch_alter_table('providers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_providers_agency_id'))

    op.drop_table('providers')
