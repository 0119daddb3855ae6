"""Alembic: an empty database migrates up to head and back down, and head matches the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text

from models import AuditHead, Base, User, db

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


def test_consent_organisations_are_encrypted_by_the_upgrade_and_restored_by_the_downgrade(tmp_path) -> None:
    """Data written before revision 0009 (plaintext JSON) comes out encrypted under the case's
    key, readable through the model, and a downgrade gives it back."""
    import datetime as dt
    import json

    from sqlalchemy import text

    from crypto import DataKey, wrap
    from models import Consent
    from models.keys import keyring

    with isolated_database(tmp_path) as url:
        app = make_app(url)
        with app.app_context():
            upgrade(revision="0008")
            now = dt.datetime(2026, 11, 1, 12, 0)
            key = DataKey.generate()
            with db.engine.begin() as conn:
                conn.execute(text(
                    "INSERT INTO agencies (id, code, name, isp_signed, active, created_at) "
                    "VALUES (1, 'ESPOIR', 'Espoir', true, true, :now)"), {"now": now})
                conn.execute(text(
                    "INSERT INTO users (id, username, role, agency_id, password_hash, password_changed_at, "
                    "session_epoch, totp_enabled, last_totp_step, failed_logins, active, is_demo, created_at, "
                    "must_change_password) VALUES ('u1', 'awa', 'caseworker', 1, '-', :now, 'e', false, 0, 0, "
                    "true, false, :now, false)"), {"now": now})
                conn.execute(text(
                    "INSERT INTO data_keys (id, owner, kek_id, wrapped_key, created_at) "
                    "VALUES ('k1', 'case:c1', :kek, :wrapped, :now)"),
                    {"kek": keyring().newest_id, "wrapped": wrap(key, keyring(), "case:c1"), "now": now})
                conn.execute(text(
                    "INSERT INTO cases (id, kind, case_code, agency_id, owner_id, status, stage, consent_services, "
                    "consent_reporting, created_at, updated_at, data_key_id) VALUES ('c1', 'gbv', 'GBV-2026-AAAAAA', "
                    "1, 'u1', 'open', 'assessment', true, true, :now, :now, 'k1')"), {"now": now})
                conn.execute(text(
                    "INSERT INTO consents (id, case_id, version, services, reporting, release, release_to, given_by, "
                    "assent, withdrawn, recorded_by_id, recorded_at) VALUES (1, 'c1', 1, true, true, :release, "
                    ":release_to, 'survivor', 'none', false, 'u1', :now)"),
                    {"release": '{"health": true}', "release_to": '{"health": "Clinique Sahel Santé"}', "now": now})
            upgrade()
            raw = db.session.execute(text("SELECT release_to_json FROM consents")).scalar_one()
            assert b"Clinique" not in bytes(raw)
            assert db.session.get(Consent, 1).release_to == {"health": "Clinique Sahel Santé"}
            db.session.remove()
            downgrade(revision="0008")
            restored = db.session.execute(text("SELECT release_to FROM consents")).scalar_one()
            assert (json.loads(restored) if isinstance(restored, str) else restored) == {
                "health": "Clinique Sahel Santé"
            }
            db.session.remove()
            db.engine.dispose()


def test_blind_indexes_are_computed_again_per_agency_by_the_upgrade(tmp_path) -> None:
    """Revision 0010 moves existing survivors' indexes to their agency's key: search still
    finds them, and the same name in two agencies no longer shares its buckets."""
    from crypto import BlindIndex
    from models import Survivor
    from models.keys import keyring
    from models.survivor import agency_index_key

    from .cases_helpers import case_payload

    with isolated_database(tmp_path) as url:
        app = make_app(url)
        with app.app_context():
            upgrade()
            from app.admin.service import create_agency, create_user
            from app.cases import service

            for code in ("ESPOIR", "DJIGUIYA"):
                create_agency(code, f"Agence {code}", True)
                create_user(f"cw-{code.lower()}", "caseworker", code, "a long enough password")
            db.session.commit()
            users = db.session.scalars(select(User).order_by(User.username)).all()
            for user in users:
                service.create_case(user, case_payload())
            db.session.commit()
            downgrade(revision="0009")  # as the indexes were before: one key for everyone
            db.session.remove()
            shared = {row[0] for row in db.session.execute(text("SELECT given_name_bidx FROM survivors"))}
            assert shared == {BlindIndex("survivors", "given_name").compute(keyring().index_key, "Aïssata")}
            upgrade()
            db.session.remove()
            rows = db.session.scalars(select(Survivor)).all()
            buckets = {s.case.agency_id: s.given_name_bidx for s in rows}
            assert len(set(buckets.values())) == 2  # unrelated across agencies
            for agency_id, bucket in buckets.items():
                assert bucket == BlindIndex("survivors", "given_name").compute(agency_index_key(agency_id), "Aïssata")
            db.session.remove()
            db.engine.dispose()
