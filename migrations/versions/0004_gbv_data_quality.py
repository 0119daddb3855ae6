"""GBV data quality: time of incident, no invented answers, perpetrators as the IRF counts
them, referrals and gaps tied to their incident, coded nationality, the rest of the IRF.

Revision ID: 0004
Revises: 0003

Existing answers are converted without inventing any: a stored "false" for money exchanged or
previous GBV may have been an unanswered question (the old form defaulted to it), so it becomes
"not recorded", not "no". Free-text nationalities become ISO codes where the spelling is known,
else "not recorded".
"""
from alembic import op
import sqlalchemy as sa

import crypto.sqla

NATIONALITY_SPELLINGS = {
    "ML": ("mali", "malien", "malienne", "malian"),
    "BF": ("burkina faso", "burkinabe", "burkinabè", "burkinabé"),
    "NE": ("niger", "nigerien", "nigérien", "nigerienne", "nigérienne"),
    "MR": ("mauritanie", "mauritania", "mauritanien", "mauritanienne", "mauritanian"),
    "DZ": ("algerie", "algérie", "algeria", "algerien", "algérien", "algerienne", "algérienne"),
    "CI": ("cote d'ivoire", "côte d'ivoire", "ivoirien", "ivoirienne"),
    "GN": ("guinee", "guinée", "guinea", "guineen", "guinéen", "guineenne", "guinéenne"),
    "SN": ("senegal", "sénégal", "senegalais", "sénégalais", "senegalaise", "sénégalaise"),
}


def _code_nationalities(table, columns):
    for column in columns:
        for code, spellings in NATIONALITY_SPELLINGS.items():
            quoted = ", ".join("'" + s.replace("'", "''") + "'" for s in spellings)
            op.execute(f"UPDATE {table} SET {column} = '{code}' WHERE lower(trim({column})) IN ({quoted})")
        op.execute(f"UPDATE {table} SET {column} = NULL WHERE length({column}) > 2")


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    _code_nationalities("survivors", ("nationality", "country_of_origin"))
    _code_nationalities("perpetrators", ("nationality",))
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_of_incident', sa.String(length=5), nullable=True))
        batch_op.add_column(sa.Column('perpetrator_sex', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('non_gbv_description', crypto.sqla.Ciphertext(), nullable=True))
        batch_op.alter_column('harmful_traditional_practice',
               existing_type=sa.VARCHAR(length=16),
               nullable=True)
        batch_op.alter_column('money_or_goods_exchanged',
               existing_type=sa.BOOLEAN(),
               type_=sa.String(length=8),
               nullable=True,
               postgresql_using="CASE WHEN money_or_goods_exchanged THEN 'yes' END")
        batch_op.alter_column('abduction',
               existing_type=sa.VARCHAR(length=24),
               nullable=True)
        batch_op.alter_column('previous_gbv',
               existing_type=sa.BOOLEAN(),
               type_=sa.String(length=8),
               nullable=True,
               postgresql_using="CASE WHEN previous_gbv THEN 'yes' END")
        batch_op.alter_column('perpetrator_count',
               existing_type=sa.INTEGER(),
               type_=sa.String(length=12),
               nullable=True,
               postgresql_using="perpetrator_count::text")
        batch_op.alter_column('referred_by',
               existing_type=sa.VARCHAR(length=24),
               nullable=True)
        batch_op.alter_column('pathway_shelter',
               existing_type=sa.VARCHAR(length=24),
               nullable=True)
        batch_op.alter_column('pathway_health',
               existing_type=sa.VARCHAR(length=24),
               nullable=True)
        batch_op.alter_column('pathway_psychosocial',
               existing_type=sa.VARCHAR(length=24),
               nullable=True)
        batch_op.alter_column('pathway_legal',
               existing_type=sa.VARCHAR(length=24),
               nullable=True)
        batch_op.alter_column('pathway_security',
               existing_type=sa.VARCHAR(length=24),
               nullable=True)
        batch_op.alter_column('pathway_livelihoods',
               existing_type=sa.VARCHAR(length=24),
               nullable=True)
        batch_op.alter_column('pathway_child_protection',
               existing_type=sa.VARCHAR(length=24),
               nullable=True)

    with op.batch_alter_table('perpetrators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ethnicity', crypto.sqla.Ciphertext(), nullable=True))
        batch_op.alter_column('occupation',
               existing_type=sa.VARCHAR(length=32),
               nullable=True)
        batch_op.alter_column('nationality',
               existing_type=sa.VARCHAR(length=48),
               type_=sa.String(length=8),
               existing_nullable=True)

    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('incident_id', sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f('ix_referrals_incident_id'), ['incident_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_referrals_incident_id_incidents'), 'incidents', ['incident_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('service_gaps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('incident_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('reporting_consent', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.create_index(batch_op.f('ix_service_gaps_incident_id'), ['incident_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_service_gaps_incident_id_incidents'), 'incidents', ['incident_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('service_gaps', schema=None) as batch_op:
        batch_op.alter_column('reporting_consent', server_default=None)
    op.execute(
        "UPDATE service_gaps SET reporting_consent = (SELECT cases.consent_reporting FROM cases "
        "WHERE cases.id = service_gaps.case_id) WHERE case_id IS NOT NULL"
    )
    # SQLite copied the booleans and integers as text ('1', '0'): the same codes everywhere.
    op.execute("UPDATE incidents SET money_or_goods_exchanged = CASE WHEN money_or_goods_exchanged "
               "IN ('1', 'yes', 'true') THEN 'yes' END")
    op.execute("UPDATE incidents SET previous_gbv = CASE WHEN previous_gbv IN ('1', 'yes', 'true') THEN 'yes' END")
    op.execute("UPDATE incidents SET perpetrator_count = CASE WHEN perpetrator_count IN ('1', '2', '3') "
               "THEN perpetrator_count WHEN perpetrator_count IN ('0') OR perpetrator_count IS NULL THEN NULL "
               "ELSE 'more_than_3' END")

    with op.batch_alter_table('survivors', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dependants_ages', crypto.sqla.Ciphertext(), nullable=True))
        batch_op.add_column(sa.Column('occupation', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('dependants_count', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('lives_alone', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('caretaker_relation', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('caretaker_marital_status', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('caretaker_occupation', sa.String(length=32), nullable=True))
        batch_op.alter_column('nationality',
               existing_type=sa.VARCHAR(length=48),
               type_=sa.String(length=8),
               existing_nullable=True)
        batch_op.alter_column('country_of_origin',
               existing_type=sa.VARCHAR(length=48),
               type_=sa.String(length=8),
               existing_nullable=True)



def downgrade():
    # Back to the old shapes: "not recorded" answers take the old defaults again.
    op.execute("UPDATE incidents SET perpetrator_count = CASE WHEN perpetrator_count IN ('1', '2', '3') "
               "THEN perpetrator_count WHEN perpetrator_count = 'more_than_3' THEN '4' ELSE '0' END")
    for column, default in (("referred_by", "self_referral"), ("harmful_traditional_practice", "no"),
                            ("abduction", "none"),
                            *((f"pathway_{s}", "not_applicable") for s in (
                                "shelter", "health", "psychosocial", "legal", "security", "livelihoods",
                                "child_protection"))):
        op.execute(f"UPDATE incidents SET {column} = '{default}' WHERE {column} IS NULL")
    op.execute("UPDATE perpetrators SET occupation = 'unknown' WHERE occupation IS NULL")
    if op.get_bind().dialect.name == "sqlite":  # SQLite copies the text as it is: make it 1/0 first
        for column in ("previous_gbv", "money_or_goods_exchanged"):
            op.execute(f"UPDATE incidents SET {column} = CASE WHEN {column} = 'yes' THEN 1 ELSE 0 END")
    with op.batch_alter_table('survivors', schema=None) as batch_op:
        batch_op.alter_column('country_of_origin',
               existing_type=sa.String(length=8),
               type_=sa.VARCHAR(length=48),
               existing_nullable=True)
        batch_op.alter_column('nationality',
               existing_type=sa.String(length=8),
               type_=sa.VARCHAR(length=48),
               existing_nullable=True)
        batch_op.drop_column('caretaker_occupation')
        batch_op.drop_column('caretaker_marital_status')
        batch_op.drop_column('caretaker_relation')
        batch_op.drop_column('lives_alone')
        batch_op.drop_column('dependants_count')
        batch_op.drop_column('occupation')
        batch_op.drop_column('dependants_ages')

    with op.batch_alter_table('service_gaps', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_service_gaps_incident_id_incidents'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_service_gaps_incident_id'))
        batch_op.drop_column('reporting_consent')
        batch_op.drop_column('incident_id')

    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_referrals_incident_id_incidents'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_referrals_incident_id'))
        batch_op.drop_column('incident_id')

    with op.batch_alter_table('perpetrators', schema=None) as batch_op:
        batch_op.alter_column('nationality',
               existing_type=sa.String(length=8),
               type_=sa.VARCHAR(length=48),
               existing_nullable=True)
        batch_op.alter_column('occupation',
               existing_type=sa.VARCHAR(length=32),
               nullable=False)
        batch_op.drop_column('ethnicity')

    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.alter_column('pathway_child_protection',
               existing_type=sa.VARCHAR(length=24),
               nullable=False)
        batch_op.alter_column('pathway_livelihoods',
               existing_type=sa.VARCHAR(length=24),
               nullable=False)
        batch_op.alter_column('pathway_security',
               existing_type=sa.VARCHAR(length=24),
               nullable=False)
        batch_op.alter_column('pathway_legal',
               existing_type=sa.VARCHAR(length=24),
               nullable=False)
        batch_op.alter_column('pathway_psychosocial',
               existing_type=sa.VARCHAR(length=24),
               nullable=False)
        batch_op.alter_column('pathway_health',
               existing_type=sa.VARCHAR(length=24),
               nullable=False)
        batch_op.alter_column('pathway_shelter',
               existing_type=sa.VARCHAR(length=24),
               nullable=False)
        batch_op.alter_column('referred_by',
               existing_type=sa.VARCHAR(length=24),
               nullable=False)
        batch_op.alter_column('perpetrator_count',
               existing_type=sa.String(length=12),
               type_=sa.INTEGER(),
               nullable=False,
               postgresql_using="perpetrator_count::integer")
        batch_op.alter_column('previous_gbv',
               existing_type=sa.String(length=8),
               type_=sa.BOOLEAN(),
               nullable=False,
               postgresql_using="coalesce(previous_gbv = 'yes', false)")
        batch_op.alter_column('abduction',
               existing_type=sa.VARCHAR(length=24),
               nullable=False)
        batch_op.alter_column('money_or_goods_exchanged',
               existing_type=sa.String(length=8),
               type_=sa.BOOLEAN(),
               nullable=False,
               postgresql_using="coalesce(money_or_goods_exchanged = 'yes', false)")
        batch_op.alter_column('harmful_traditional_practice',
               existing_type=sa.VARCHAR(length=16),
               nullable=False)
        batch_op.drop_column('non_gbv_description')
        batch_op.drop_column('perpetrator_sex')
        batch_op.drop_column('time_of_incident')
