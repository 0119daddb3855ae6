"""Alembic: an empty database migrates up to head and back down, and head matches the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from models import AuditHead, Base, db

from ..conftest import make_app
from ..databases import isolated_database


def test_upgrade_to_head_and_down_to_base(tmp_path) -> None:
    with isolated_database(tmp_path) as url:
        app = make_app(url)
        with app.app_context():
            upgrade()
            tables = set(inspect(db.engine).get_table_names())
            assert {"users", "agencies", "locations", "audit_events", "audit_head", "data_keys", "api_tokens"} <= tables
            assert db.session.get(AuditHead, 1).last_seq == 0
            with db.engine.connect() as conn:
                differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
            assert differences == [], f"models and migrations disagree: {differences}"
            db.session.remove()
            downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
            db.engine.dispose()
