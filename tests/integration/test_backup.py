"""Backups: create and restore through the CLI on this run's database (SQLite, or PostgreSQL
with TEST_DATABASE_URL), an integrity check that refuses a tampered backup, no key in a backup,
and a purge made after the backup that stays a purge after the restore (the shred journal) — of
a GBV case, and of a child protection case with its best interests, tracing and care records."""

from __future__ import annotations

import base64
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_login import login_user
from sqlalchemy import func, select

from app import create_app
from app.cases import casework
from config import TestConfig
from crypto import KeyRing, ShredJournal
from models import Case, DataKeyRecord, Survivor, User, db

from ..conftest import Factory, create_schema
from ..databases import isolated_database
from .cases_helpers import case_payload, make_case, payload_of_kind
from .test_cp_security import CP_TEXTS, add_cp_records, rows_naming


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[tuple[Flask, KeyRing, Path]]:
    """An app on its own database with a key file (and the shred journal beside it)."""
    keys = tmp_path / "keys" / "keys.json"
    ring = KeyRing.generate()
    ring.write(keys)
    with isolated_database(tmp_path) as url:
        app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": url, "SUTURA_KEY_FILE": str(keys)})
        create_schema(app)
        factory = Factory(app)
        factory.user("awa")
        factory.user("fatou", role="supervisor")
        yield app, ring, tmp_path
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def cli(app: Flask, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def as_user(app: Flask, username: str):
    ctx = app.test_request_context()
    ctx.push()
    login_user(db.session.query(User).filter_by(username=username).one())
    return ctx


def purge(app: Flask, case_id: str) -> None:
    """A caseworker asks, a supervisor approves: the case's data key is shredded."""
    ctx = as_user(app, "awa")
    try:
        decision = casework.request_purge(db.session.query(User).filter_by(username="awa").one(),
                                          db.session.get(Case, case_id))
        db.session.commit()
        decision_id = decision.id
    finally:
        ctx.pop()
    ctx = as_user(app, "fatou")
    try:
        casework.decide(db.session.query(User).filter_by(username="fatou").one(), db.session.get(Case, case_id),
                        decision_id, True, "demande de la survivante")
        db.session.commit()
    finally:
        ctx.pop()


def survivor_name(app: Flask, case_id: str) -> str | None:
    with app.app_context():
        case = db.session.get(Case, case_id)
        try:
            return case.survivor.given_name if case.survivor else None
        finally:
            db.session.remove()


@pytest.mark.parametrize("kind", ["gbv", "cp"])
def test_restore_keeps_a_purge_made_after_the_backup(deployment, kind) -> None:
    app, ring, tmp = deployment
    names = ["Aïssata", "Kadiatou", "Oumou"]
    ids = [make_case(app, "awa", payload_of_kind(kind, given_name=name)) for name in names]
    if kind == "cp":  # the child's own records, in the backup with the rest
        for case_id in ids[:2]:
            add_cp_records(app, "awa", case_id, decider="fatou")
    held = rows_naming(app, ids[0])

    backup = tmp / "backup-1"
    made = cli(app, "backup", "create", str(backup))
    assert made.exit_code == 0, made.output
    assert "sha256" in made.output and sorted(p.name for p in backup.iterdir())[1] == "manifest.json"

    purge(app, ids[0])
    with app.app_context():
        assert db.session.get(Case, ids[0]) is None  # erased: not even its row is left
        record = db.session.scalar(select(DataKeyRecord).where(DataKeyRecord.owner == f"case:{ids[0]}"))
        assert record.wrapped_key is None
        journal = app.extensions["sutura.shred_journal"]
        assert isinstance(journal, ShredJournal) and journal.path.parent == tmp / "keys"
        assert [e.owner for e in journal.entries()] == [f"case:{ids[0]}"]
        db.session.remove()
    assert rows_naming(app, ids[0]) == {}
    later = make_case(app, "awa", payload_of_kind(kind, given_name="Fanta"))  # after the backup: not in it

    restored = cli(app, "backup", "restore", str(backup), "--yes")
    assert restored.exit_code == 0, restored.output
    assert "1 data keys shredded again" in restored.output

    with app.app_context():
        # The backup held the case whole; the journal erased it again, row and survivor included.
        assert db.session.get(Case, ids[0]) is None
        record = db.session.scalar(select(DataKeyRecord).where(DataKeyRecord.owner == f"case:{ids[0]}"))
        assert record.wrapped_key is None
        gone = select(func.count()).select_from(Survivor).where(Survivor.case_id == ids[0])
        assert db.session.scalar(gone) == 0
        assert db.session.get(Case, later) is None
        db.session.remove()
    # No table keeps a row of the erased case (for a CP case: its profile, concerns, best
    # interests, separation, tracing and care), though the backup held them all.
    cp_tables = {"child_profiles", "child_concerns", "best_interests", "separations", "tracing_steps",
                 "care_arrangements"}
    assert {f"{t}.case_id" for t in {"survivors", "consents"} | (cp_tables if kind == "cp" else set())} <= set(held)
    assert rows_naming(app, ids[0]) == {}
    assert [survivor_name(app, case_id) for case_id in ids[1:]] == names[1:]
    if kind == "cp":  # the other child's records came back whole and readable
        with app.app_context():
            kept = db.session.get(Case, ids[1])
            assert kept.separation.sought == CP_TEXTS["sought"] and kept.care_arrangements[0].carer == CP_TEXTS["carer"]
            assert {b.panel_notes for b in kept.best_interests} == {None, CP_TEXTS["panel_notes"]}
            db.session.remove()
    # The purged case is gone from the pages again (404), not a 500.
    client = app.test_client()
    from ..conftest import sign_in

    assert sign_in(client, "awa").status_code == 302
    assert client.get(f"/cases/{ids[0]}").status_code == 404
    assert client.get(f"/cases/{ids[1]}").status_code == 200


def test_backup_holds_no_key_and_a_tampered_backup_is_refused(deployment) -> None:
    app, ring, tmp = deployment
    ids = [make_case(app, "awa", case_payload(given_name=name)) for name in ("Aïssata", "Kadiatou")]
    backup = tmp / "backup-2"
    assert cli(app, "backup", "create", str(backup)).exit_code == 0
    assert cli(app, "backup", "create", str(backup)).exit_code != 0  # never over an existing backup

    # No key, in any encoding, anywhere in the backup; the key file is not in it either.
    blob = b"".join(p.read_bytes() for p in backup.iterdir())
    for secret in [*ring.keks.values(), ring.index_key, ring.audit_key]:
        for form in (secret, base64.b64encode(secret), secret.hex().encode()):
            assert form not in blob
    assert {p.name for p in backup.iterdir()} <= {"manifest.json", "database.pgdump", "database.sqlite3"}
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["contains_keys"] is False and set(manifest["kek_ids"]) == {ring.newest_id}

    # A flipped byte in the dump.
    tampered = tmp / "tampered"
    shutil.copytree(backup, tampered)
    dump = tampered / manifest["file"]
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0x01
    dump.write_bytes(bytes(data))
    refused = cli(app, "backup", "restore", str(tampered), "--yes")
    assert refused.exit_code != 0 and "SHA-256" in refused.output

    # The manifest rewritten to match: its signature no longer does.
    import hashlib

    forged = dict(manifest, sha256=hashlib.sha256(bytes(data)).hexdigest())
    (tampered / "manifest.json").write_text(json.dumps(forged))
    refused = cli(app, "backup", "restore", str(tampered), "--yes")
    assert refused.exit_code != 0 and "signature" in refused.output

    # Nothing was replaced by the refused restores.
    assert [survivor_name(app, case_id) for case_id in ids] == ["Aïssata", "Kadiatou"]
    with app.app_context():
        assert db.session.scalar(select(DataKeyRecord).where(DataKeyRecord.owner == f"case:{ids[0]}")) is not None
        db.session.remove()


def test_journal_ignores_rolled_back_shreds(deployment) -> None:
    app, _ring, _tmp = deployment
    case_id = make_case(app, "awa")
    with app.app_context():
        db.session.get(Case, case_id).data_key_record.shred()
        db.session.flush()
        db.session.rollback()  # the purge failed: the journal must not shred this case later
        journal = app.extensions["sutura.shred_journal"]
        assert journal.entries() == []
        assert "cancel" in journal.path.read_text()
        db.session.remove()
    assert survivor_name(app, case_id) == "Aïssata"
