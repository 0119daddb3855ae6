"""Separation of duties on accounts: a case role given by an administrator is in force only once
a second person approves it; an administrator's password is replaced at first sign-in."""

from __future__ import annotations

from sqlalchemy import select

from models import AuditEvent, User, db

from ..conftest import PASSWORD, client_of, post_form, sign_in, text

NEW_PASSWORD = "a passphrase of her very own"


def user_id(app, username: str) -> str:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def replace_password(client, current: str):
    return post_form(client, "/account/password", {"current": current, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})


def create_on_admin_pages(admin, username: str, role: str = "caseworker", agency: str = "ESPOIR"):
    return post_form(
        admin,
        "/admin/users/new",
        {"username": username, "role": role, "agency": agency, "password": "initial password 2026", "language": "fr"},
    )


def test_a_case_role_given_by_one_admin_waits_for_a_second_person(app, factory) -> None:
    """The finding: one admin turned a second account into a supervisor and read the cases."""
    factory.user("root", role="admin", agency=None)
    factory.user("fatou", role="supervisor")
    factory.user("awa")
    root = client_of(app, "root")
    assert create_on_admin_pages(root, "mole", role="supervisor").status_code == 302
    mole = app.test_client()
    first = sign_in(mole, "mole", "initial password 2026")
    assert first.status_code == 302 and first.headers["Location"].endswith("/account/password")
    assert mole.get("/cases").status_code == 302  # nothing else before the password is replaced
    assert replace_password(mole, "initial password 2026").status_code == 302
    assert "attend l'approbation d'une deuxième personne" in text(mole.get("/"))
    assert mole.get("/cases").status_code == 403 and mole.get("/team").status_code == 403
    # The admin who gave the role cannot approve it.
    mole_id = user_id(app, "mole")
    page = f"/admin/users/{mole_id}"
    assert "Approuver le rôle" not in text(root.get(page))
    refused = post_form(root, page, {}, action=f"{page}/role/approve")
    assert refused.status_code == 409 and "deuxième personne" in text(refused)
    # Nor an admin account that admin created.
    assert create_on_admin_pages(root, "sock", role="admin", agency="").status_code == 302
    sock = app.test_client()
    sign_in(sock, "sock", "initial password 2026")
    replace_password(sock, "initial password 2026")
    assert post_form(sock, page, {}, action=f"{page}/role/approve").status_code == 409
    # A supervisor of the agency, who knows her team, approves it on the team page.
    fatou = client_of(app, "fatou")
    team = text(fatou.get("/team"))
    assert "Rôles en attente de votre approbation" in team and "mole" in team
    assert post_form(fatou, "/team", {}, action=f"/team/{mole_id}/role/approve").status_code == 302
    assert mole.get("/cases").status_code == 200
    with app.app_context():
        approved = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.role_approved"))
        assert approved is not None and approved.actor_name == "fatou"


def test_changing_a_role_suspends_case_access_until_approved(app, factory) -> None:
    factory.user("root", role="admin", agency=None)
    factory.user("second", role="admin", agency=None)
    awa_id = factory.user("awa")
    awa = client_of(app, "awa")
    assert awa.get("/cases").status_code == 200
    root = client_of(app, "root")
    page = f"/admin/users/{awa_id}"
    assert post_form(root, page, {"role": "supervisor", "agency": "ESPOIR", "active": "y"}).status_code == 302
    awa = client_of(app, "awa")  # her sessions ended with the change
    assert awa.get("/cases").status_code == 403
    second = client_of(app, "second")
    assert "Approuver le rôle" in text(second.get(page))
    assert post_form(second, page, {}, action=f"{page}/role/approve").status_code == 302
    assert awa.get("/cases").status_code == 200


def test_a_refused_role_deactivates_the_account(app, factory) -> None:
    factory.user("root", role="admin", agency=None)
    factory.user("fatou", role="supervisor")
    root = client_of(app, "root")
    create_on_admin_pages(root, "stranger")
    stranger_id = user_id(app, "stranger")
    fatou = client_of(app, "fatou")
    assert post_form(fatou, "/team", {}, action=f"/team/{stranger_id}/role/refuse").status_code == 302
    with app.app_context():
        assert db.session.get(User, stranger_id).active is False
    assert sign_in(app.test_client(), "stranger", "initial password 2026").status_code == 401


def test_a_supervisor_approves_only_in_their_own_agency(app, factory) -> None:
    factory.user("root", role="admin", agency=None)
    factory.user("ousmane", role="supervisor", agency="DJIGUIYA")
    root = client_of(app, "root")
    create_on_admin_pages(root, "newcomer")
    ousmane = client_of(app, "ousmane")
    assert "newcomer" not in text(ousmane.get("/team"))
    newcomer_id = user_id(app, "newcomer")
    assert post_form(ousmane, "/team", {}, action=f"/team/{newcomer_id}/role/approve").status_code == 404


def test_the_api_refuses_a_temporary_password(app, client, factory) -> None:
    factory.user("awa", must_change_password=True)
    response = client.post("/api/v1/auth/token", json={"username": "awa", "password": PASSWORD})
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "password_change_required"


def test_an_admin_sets_a_temporary_password_for_someone_who_forgot(app, factory) -> None:
    factory.user("root", role="admin", agency=None)
    awa_id = factory.user("awa")
    awa = client_of(app, "awa")
    root = client_of(app, "root")
    page = f"/admin/users/{awa_id}"
    short = post_form(root, page, {"password": "short"}, action=f"{page}/password")
    assert short.status_code == 422
    assert post_form(root, page, {"password": "temporary words 42"}, action=f"{page}/password").status_code == 302
    assert awa.get("/account").status_code == 302  # her open session ended
    again = app.test_client()
    first = sign_in(again, "awa", "temporary words 42")
    assert first.headers["Location"].endswith("/account/password")
    replace_password(again, "temporary words 42")
    assert again.get("/cases").status_code == 200
    with app.app_context():
        assert db.session.get(User, awa_id).must_change_password is False


def test_with_a_second_factor_required_the_password_comes_first_then_the_enrolment(app, factory, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "SUTURA_REQUIRE_2FA", True)
    factory.user("awa", must_change_password=True)
    client = app.test_client()
    first = sign_in(client, "awa")
    assert first.headers["Location"].endswith("/account/password")
    assert client.get("/account/password").status_code == 200  # not bounced to the enrolment
    assert client.get("/account/2fa").headers["Location"].endswith("/account/password")
    changed = replace_password(client, PASSWORD)
    assert changed.status_code == 302 and changed.headers["Location"].endswith("/account/2fa")
    assert client.get("/account/2fa").status_code == 200
    assert client.get("/cases").headers["Location"].endswith("/account/2fa")
