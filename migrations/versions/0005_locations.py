"""Locations ship with the schema: Mali's regions and cercles, and an "active" flag.

Revision ID: 0005
Revises: 0004

A production database built by ``flask --app wsgi db upgrade`` had no location, so no case could
be registered. This revision inserts the ISO 3166-2:ML regions and the cercles from
``models/data/locations_ml.csv``: rows whose code is already present are left as they are (an
administrator may have renamed them), so running it on a database that has them changes nothing.
Downgrade removes the rows of that file that no record uses, then the flag.
"""
import csv
from pathlib import Path

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

LOCATIONS_FILE = Path(__file__).resolve().parents[2] / "models" / "data" / "locations_ml.csv"

locations = sa.table(
    "locations",
    sa.column("code", sa.String),
    sa.column("name_fr", sa.String),
    sa.column("name_en", sa.String),
    sa.column("level", sa.String),
    sa.column("parent_code", sa.String),
    sa.column("active", sa.Boolean),
)


def _rows():
    with LOCATIONS_FILE.open(encoding="utf-8", newline="") as handle:
        return [
            {
                "code": row["code"].strip(),
                "name_fr": row["name_fr"].strip(),
                "name_en": row["name_en"].strip(),
                "level": row["level"].strip(),
                "parent_code": row["parent"].strip() or None,
                "active": True,
            }
            for row in csv.DictReader(handle)
        ]


def upgrade():
    # A plain ADD COLUMN, also on SQLite: a batch copy of the table would drop it, which SQLite
    # refuses while rows (cases, child locations) point at it.
    op.add_column('locations', sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))

    bind = op.get_bind()
    present = set(bind.execute(sa.select(locations.c.code)).scalars())
    missing = [row for row in _rows() if row["code"] not in present]  # the file lists parents first
    if missing:
        op.bulk_insert(locations, missing)


def _codes_in_use(bind):
    """Every location code a row of another table points at (foreign keys and region columns)."""
    inspector = sa.inspect(bind)
    used = set()
    for table in inspector.get_table_names():
        columns = {c["name"] for c in inspector.get_columns(table)}
        names = {"region_code"} & columns
        for fk in inspector.get_foreign_keys(table):
            if fk["referred_table"] == "locations" and table != "locations":
                names.update(fk["constrained_columns"])
        for name in names:
            # Table and column names come from the database's own catalogue, not from input.
            query = sa.text(f'SELECT DISTINCT "{name}" FROM "{table}"')  # noqa: S608
            used.update(bind.execute(query).scalars())
    return used - {None}


def downgrade():
    bind = op.get_bind()
    used = _codes_in_use(bind)
    for row in reversed(_rows()):  # children before their parents
        code = row["code"]
        if code in used:
            continue
        has_children = bind.execute(
            sa.select(sa.func.count()).select_from(locations).where(locations.c.parent_code == code)
        ).scalar()
        if not has_children:
            bind.execute(locations.delete().where(locations.c.code == code))

    if bind.dialect.name == "sqlite":
        op.execute("ALTER TABLE locations DROP COLUMN active")
    else:
        op.drop_column('locations', 'active')
