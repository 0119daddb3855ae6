"""The CLI commands (docs/api.md), with their refusals."""

from __future__ import annotations

from sqlalchemy import func, select

from app.demo import DEMO_USERS
from crypto import KeyRing, kek_id_of
from gbvims.classification import GBV_TYPES
from models import Agency, DataKeyRecord, User, db


def run(app, *args: str, stdin: str | None = None):
    return app.test_cli_runner().invoke(args=list(args), input=stdin)


def test_agencies_and_users_create(app) -> None:
    assert run(app, "agencies", "create", "ESPOIR", "--name", "ONG Espoir", "--isp-signed").exit_code == 0
    result = run(
        app,
        "users",
        "create",
        "awa.traore",
        "--role",
        "caseworker",
        "--agency",
        "espoir",
        stdin="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "awa.traore"))
        assert user.agency.code == "ESPOIR" and user.agency.isp_signed and user.password_hash.startswith("$argon2id$")


def test_unknown_role_or_agency_is_refused_and_nothing_written(app) -> None:
    bad_role = run(app, "users", "create", "x.user", "--role", "superuser", stdin="a long enough password\n")
    assert bad_role.exit_code == 2 and "role" in bad_role.output
    bad_agency = run(
        app, "users", "create", "x.user", "--role", "caseworker", "--agency", "NOPE", stdin="a long enough password\n"
    )
    assert bad_agency.exit_code == 2 and "NOPE" in bad_agency.output
    weak = run(app, "users", "create", "x.user", "--role", "admin", stdin="short\n")
    assert weak.exit_code == 2 and "password" in weak.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_duplicate_agency_is_refused(app) -> None:
    run(app, "agencies", "create", "ESPOIR", "--name", "ONG Espoir")
    again = run(app, "agencies", "create", "espoir", "--name", "Autre")
    assert again.exit_code == 2
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Agency)) == 1


def test_keys_generate_and_rotate(app, tmp_path, factory) -> None:
    key_file = tmp_path / "keys.json"
    ring = app.extensions["sutura.keyring"]
    ring.write(key_file)
    app.config["SUTURA_KEY_FILE"] = str(key_file)
    try:
        user_ids = {name: factory.user(name) for name in ("a1", "a2", "a3")}
        with app.app_context():
            for name, user_id in user_ids.items():
                user = db.session.get(User, user_id)
                user.ensure_data_key()
                user.totp_seed = f"SEED{name.upper()}AAAAAAAAAAAAAAAAAA"
            db.session.commit()
        generated = run(app, "keys", "generate")
        assert generated.exit_code == 0 and "keys rotate" in generated.output
        new_ring = KeyRing.from_file(key_file)
        assert len(new_ring.kek_ids) == 2
        app.extensions["sutura.keyring"] = new_ring
        rotated = run(app, "keys", "rotate", "--batch-size", "2")
        assert rotated.exit_code == 0 and "remaining 0" in rotated.output and "re-wrapped 2" in rotated.output
        with app.app_context():
            kek_ids = {kek_id_of(r.wrapped_key) for r in db.session.scalars(select(DataKeyRecord))}
            assert kek_ids == {new_ring.newest_id}
        # The old KEK can go: everything still reads under the new ring alone.
        app.extensions["sutura.keyring"] = new_ring.without_kek(ring.newest_id)
        with app.app_context():
            seeds = sorted(u.totp_seed for u in db.session.scalars(select(User)))
            assert seeds == [f"SEED{n}AAAAAAAAAAAAAAAAAA" for n in ("A1", "A2", "A3")]
    finally:
        app.extensions["sutura.keyring"] = ring
        app.config["SUTURA_KEY_FILE"] = None


def test_demo_load_once_and_never_in_production(app) -> None:
    first = run(app, "demo", "load")
    assert first.exit_code == 0 and "demo-Admin-sutura-2026" in first.output
    second = run(app, "demo", "load")
    assert second.exit_code == 0 and "demo data loaded" not in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == len(DEMO_USERS)
        from models import Case, Incident

        assert db.session.scalar(select(func.count()).select_from(Case)) >= 30
        assert set(db.session.scalars(select(Incident.gbv_type))) == set(GBV_TYPES)
        roles = set(db.session.scalars(select(User.role)))
        assert roles == {"caseworker", "supervisor", "provider", "cluster_lead", "admin"}
        assert db.session.scalar(select(func.count()).select_from(Agency).where(Agency.isp_signed.is_(False))) >= 1
    app.config["DEMO_DATA_ALLOWED"] = False
    try:
        refused = run(app, "demo", "load")
        assert refused.exit_code != 0 and "production" in refused.output
    finally:
        app.config["DEMO_DATA_ALLOWED"] = True


def test_a_cluster_lead_is_created_for_its_sub_cluster_on_the_command_line(app) -> None:
    without = run(app, "users", "create", "lead.gbv", "--role", "cluster_lead", stdin="a long enough password\n")
    assert without.exit_code == 2 and "sub_cluster" in without.output
    made = run(app, "users", "create", "lead.cp", "--role", "cluster_lead", "--sub-cluster", "cp",
               stdin="a long enough password\n")
    assert made.exit_code == 0, made.output
    with app.app_context():
        assert db.session.scalar(select(User.sub_cluster).where(User.username == "lead.cp")) == "cp"
