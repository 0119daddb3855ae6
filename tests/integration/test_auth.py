"""Signing in and out through the real pages: lockout, second factor, sessions."""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import select, update

from models import AuditEvent, LoginThrottle, User, WebSession, db, utcnow

from ..conftest import PASSWORD, csrf_token, post_form, sign_in, text


def user_row(app, user_id: str) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def test_login_page_is_french_by_default(client) -> None:
    page = client.get("/login")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<html lang="fr">' in html and "Se connecter" in html and "Mot de passe" in html


def test_sign_in_and_out(client, factory) -> None:
    factory.user("awa")
    response = sign_in(client, "awa")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/")
    assert "Bienvenue, awa" in text(home)
    out = post_form(client, "/", {}, action="/logout")
    assert out.status_code == 302
    assert client.get("/").status_code == 302  # signed out: back to the login page


@pytest.mark.parametrize(("username", "password"), [("awa", "wrong password!"), ("nobody", PASSWORD), ("AWA", "x")])
def test_wrong_credentials_get_one_message(client, factory, username, password) -> None:
    factory.user("awa")
    response = sign_in(client, username, password)
    assert response.status_code == 401
    assert "Nom d'utilisateur ou mot de passe incorrect." in text(response)


def test_missing_fields_are_named(client) -> None:
    response = sign_in(client, "", "")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Saisissez votre nom d'utilisateur." in html and "Saisissez votre mot de passe." in html


def test_username_is_case_insensitive(client, factory) -> None:
    factory.user("awa")
    assert sign_in(client, "  AWA ").status_code == 302


def client_from(app, address: str):
    """A browser on another machine: same app, another source address."""
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = address
    return other


REFUSED = "Nom d'utilisateur ou mot de passe incorrect."


def test_five_failures_pause_sign_in_from_that_source_only(app, client, factory) -> None:
    """Anyone can type a caseworker's name five times: that must not lock the caseworker out."""
    factory.user("awa")
    statuses = [sign_in(client, "awa", "wrong password!").status_code for _ in range(5)]
    assert statuses == [401] * 5
    paused = sign_in(client, "awa")  # even the right password is refused from this source now
    assert paused.status_code == 401 and REFUSED in text(paused)
    assert "en pause pendant 15 minutes" in text(paused)
    assert sign_in(client_from(app, "10.9.8.7"), "awa").status_code == 302  # the owner, elsewhere
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
        row = db.session.scalar(select(LoginThrottle))
    assert actions.count("auth.paused") == 1
    remaining = (row.locked_until - utcnow()).total_seconds()
    assert 14 * 60 < remaining <= 15 * 60
    assert "awa" not in row.name_digest and "127.0.0.1" not in row.source_digest


def _answers(client, username: str, password: str, attempts: int) -> list[tuple[int, str]]:
    """Status and visible text of each attempt, without what differs anyway (the CSRF token)."""
    out = []
    for _ in range(attempts):
        response = sign_in(client, username, password)
        out.append((response.status_code, re.sub(r'value="[^"]*"', "", text(response))))
    return out


def test_unknown_and_real_names_get_the_same_answers(app, factory) -> None:
    """No enumeration: wrong passwords for a real account, then the right one while paused,
    answer exactly like attempts on a name that does not exist."""
    factory.user("awa")
    real = _answers(client_from(app, "10.0.0.1"), "awa", "wrong password!", 5)
    real += _answers(client_from(app, "10.0.0.1"), "awa", PASSWORD, 2)
    unknown = _answers(client_from(app, "10.0.0.2"), "aw4", "wrong password!", 5)
    unknown += _answers(client_from(app, "10.0.0.2"), "aw4", PASSWORD, 2)
    assert real == unknown
    assert {status for status, _body in real} == {401}


def test_guessing_from_many_sources_pauses_the_whole_account(app, factory) -> None:
    factory.user("awa")
    factory.user("fatou", role="supervisor")
    app.config["LOGIN_ACCOUNT_MAX_FAILURES"] = 8
    try:
        for n in range(8):  # two failures each from four places: no single source is paused
            sign_in(client_from(app, f"10.1.0.{n // 2}"), "awa", "wrong password!")
        assert sign_in(client_from(app, "10.2.0.1"), "awa").status_code == 401
    finally:
        app.config["LOGIN_ACCOUNT_MAX_FAILURES"] = 50
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "awa")).is_locked()
        assert "auth.lockout" in db.session.scalars(select(AuditEvent.action)).all()
    # Her supervisor opens it again at once, from the team page.
    supervisor = app.test_client()
    sign_in(supervisor, "fatou")
    team = supervisor.get("/team")
    assert team.status_code == 200 and "En pause" in text(team)
    with app.app_context():
        awa_id = db.session.scalar(select(User.id).where(User.username == "awa"))
    assert post_form(supervisor, "/team", {}, action=f"/team/{awa_id}/unlock").status_code == 302
    assert sign_in(client_from(app, "10.2.0.1"), "awa").status_code == 302


def test_a_supervisor_unlocks_only_their_own_agency(app, client, factory) -> None:
    factory.user("awa")
    other = factory.user("moussa", agency="DJIGUIYA")
    factory.user("fatou", role="supervisor")
    for _ in range(5):
        sign_in(client_from(app, "10.3.0.1"), "moussa", "wrong password!")
    sign_in(client, "fatou")
    assert "moussa" not in text(client.get("/team"))
    assert post_form(client, "/team", {}, action=f"/team/{other}/unlock").status_code == 404
    assert sign_in(client_from(app, "10.3.0.1"), "moussa").status_code == 401  # still paused
    caseworker = app.test_client()
    sign_in(caseworker, "awa")
    assert caseworker.get("/team").status_code == 403


def test_pause_expires(app, client, factory) -> None:
    factory.user("awa")
    for _ in range(5):
        sign_in(client, "awa", "wrong password!")
    with app.app_context():
        db.session.execute(update(LoginThrottle).values(locked_until=utcnow() - dt.timedelta(seconds=1)))
        db.session.commit()
    assert sign_in(client, "awa").status_code == 302


def test_success_resets_the_failure_count(app, client, factory) -> None:
    user_id = factory.user("awa")
    for _ in range(4):
        sign_in(client, "awa", "wrong password!")
    assert sign_in(client, "awa").status_code == 302
    assert user_row(app, user_id).failed_logins == 0
    with app.app_context():
        assert db.session.scalar(select(LoginThrottle)) is None
    post_form(client, "/", {}, action="/logout")
    assert [sign_in(client, "awa", "wrong password!").status_code for _ in range(4)] == [401] * 4
    assert sign_in(client, "awa").status_code == 302  # a fresh count: four more were allowed


def test_password_is_rehashed_when_parameters_change(app, client, factory) -> None:
    user_id = factory.user("awa")
    before = user_row(app, user_id).password_hash
    app.config["PASSWORD_TIME_COST"] = 2
    try:
        assert sign_in(client, "awa").status_code == 302
    finally:
        app.config["PASSWORD_TIME_COST"] = 1
    after = user_row(app, user_id).password_hash
    assert after != before and "t=2" in after


def test_session_is_regenerated_at_login(client, factory) -> None:
    factory.user("awa")
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    sign_in(client, "awa")
    with client.session_transaction() as session:
        assert "planted" not in session


def _age_sessions(app, **ago: dt.timedelta) -> None:
    """Move every open session's sign-in or last activity back in time."""
    with app.app_context():
        values = {f"{column}_at": utcnow() - delta for column, delta in ago.items()}
        db.session.execute(update(WebSession).values(**values))
        db.session.commit()


@pytest.mark.parametrize(
    ("ago", "message"),
    [
        ({"last_seen": dt.timedelta(minutes=31)}, "30 minutes d'inactivité"),
        ({"created": dt.timedelta(hours=12, minutes=1)}, "une session dure au plus 12 heures"),
    ],
)
def test_idle_timeout_and_absolute_lifetime_sign_out(app, client, factory, ago, message) -> None:
    factory.user("awa")
    sign_in(client, "awa")
    assert client.get("/account").status_code == 200
    stolen = client.get_cookie("sutura_session").value
    _age_sessions(app, **ago)
    response = client.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert message in text(client.get(response.headers["Location"]))
    replay = app.test_client()
    replay.set_cookie("sutura_session", stolen)
    assert replay.get("/account").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(WebSession.end_reason)) == ("idle" if "last_seen" in ago else "expired")


def test_activity_keeps_a_session_alive_until_its_absolute_limit(app, client, factory) -> None:
    factory.user("awa")
    sign_in(client, "awa")
    _age_sessions(app, last_seen=dt.timedelta(minutes=29), created=dt.timedelta(hours=11))
    assert client.get("/account").status_code == 200
    with app.app_context():
        seen = db.session.scalar(select(WebSession.last_seen_at))
        assert utcnow() - seen < dt.timedelta(minutes=1)  # the page view counted as activity


def test_a_cookie_copied_before_sign_out_reads_nothing_after(app, client, factory) -> None:
    """Signing out ends the session on the server, not only in this browser."""
    from .cases_helpers import make_case

    factory.user("awa")
    sign_in(client, "awa")
    case_id = make_case(app, "awa")
    assert "Aïssata" in text(client.get(f"/cases/{case_id}"))
    copied = client.get_cookie("sutura_session").value
    post_form(client, "/", {}, action="/logout")
    thief = app.test_client()
    thief.set_cookie("sutura_session", copied)
    replayed = thief.get(f"/cases/{case_id}")
    assert replayed.status_code == 302 and "/login" in replayed.headers["Location"]
    assert "Aïssata" not in text(thief.get(f"/cases/{case_id}", follow_redirects=True))
    with app.app_context():
        assert db.session.scalar(select(WebSession.end_reason)) == "logout"
        assert db.session.scalar(select(WebSession.token_digest)) != copied  # only a digest is stored


def test_password_change_ends_other_sessions(app, factory) -> None:
    factory.user("awa")
    phone, laptop = app.test_client(), app.test_client()
    sign_in(phone, "awa")
    sign_in(laptop, "awa")
    new = "a brand new long passphrase"
    response = post_form(laptop, "/account/password", {"current": PASSWORD, "new": new, "confirm": new})
    assert response.status_code == 302
    assert laptop.get("/account").status_code == 200  # the session that changed it stays
    assert phone.get("/account").status_code == 302  # every other one is gone
    assert sign_in(app.test_client(), "awa", new).status_code == 302


@pytest.mark.parametrize(
    ("new", "confirm", "message"),
    [("short", "short", "au moins 12"), ("awa-awa-awa-awa", "awa-awa-awa-awa", "nom d'utilisateur"),
     ("a long enough one", "another long one", "différents")],
)
def test_bad_new_password_is_explained(client, factory, new, confirm, message) -> None:
    factory.user("awa")
    sign_in(client, "awa")
    response = post_form(client, "/account/password", {"current": PASSWORD, "new": new, "confirm": confirm})
    assert response.status_code == 422 and message in text(response)


def test_wrong_current_password_changes_nothing(app, client, factory) -> None:
    user_id = factory.user("awa")
    before = user_row(app, user_id).password_hash
    sign_in(client, "awa")
    response = post_form(client, "/account/password", {"current": "nope", "new": "x" * 5 + "long enough pass",
                                                       "confirm": "x" * 5 + "long enough pass"})
    assert response.status_code == 422
    assert user_row(app, user_id).password_hash == before


def test_form_without_csrf_token_is_refused(client, factory) -> None:
    factory.user("awa")
    response = client.post("/login", data={"username": "awa", "password": PASSWORD})
    assert response.status_code == 400
    assert "Ce formulaire a expiré" in text(response)


@pytest.mark.parametrize("target", ["//evil.example/x", "/\\evil.example", "https://evil.example/", "javascript:x"])
def test_next_never_leaves_the_site(client, factory, target) -> None:
    factory.user("awa")
    page = client.get("/login")
    response = client.post("/login", data={"csrf_token": csrf_token(page.get_data(as_text=True)),
                                           "username": "awa", "password": PASSWORD, "next": target})
    assert response.headers["Location"] == "/"
    assert client.get("/login").status_code == 302  # already signed in: sent home


def test_next_keeps_the_page_asked_for(client, factory) -> None:
    factory.user("awa")
    first = client.get("/account")
    assert first.headers["Location"].endswith("/login?next=/account")
    page = client.get(first.headers["Location"])
    response = client.post("/login", data={"csrf_token": csrf_token(page.get_data(as_text=True)), "username": "awa",
                                           "password": PASSWORD, "next": "/account"})
    assert response.headers["Location"] == "/account"


def enrol(app, client, user_id: str) -> str:
    """Enrol the signed-in user's second factor through the page; returns the seed."""
    page = client.get("/account/2fa")
    assert page.status_code == 200 and "<svg" in text(page)
    with app.app_context():
        seed = db.session.get(User, user_id).totp_seed
    code = pyotp.TOTP(seed).now()
    response = client.post("/account/2fa", data={"csrf_token": csrf_token(page.get_data(as_text=True)), "code": code})
    assert response.status_code == 302
    return seed


def test_second_factor_enrolment_then_sign_in_with_code(app, client, factory) -> None:
    user_id = factory.user("awa")
    sign_in(client, "awa")
    seed = enrol(app, client, user_id)
    post_form(client, "/", {}, action="/logout")

    first = sign_in(client, "awa")
    assert first.headers["Location"].endswith("/login/code")
    assert client.get("/").status_code == 302  # the password alone opens nothing
    # The enrolment used the current step: a code from a later step is needed now.
    later = pyotp.TOTP(seed).at(time.time() + 30)
    response = post_form(client, "/login/code", {"code": later})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200


def test_totp_code_cannot_be_replayed(app, client, factory) -> None:
    user_id = factory.user("awa")
    sign_in(client, "awa")
    seed = enrol(app, client, user_id)
    post_form(client, "/", {}, action="/logout")
    code = pyotp.TOTP(seed).at(time.time() + 30)
    sign_in(client, "awa")
    assert post_form(client, "/login/code", {"code": code}).status_code == 302
    post_form(client, "/", {}, action="/logout")
    sign_in(client, "awa")
    replay = post_form(client, "/login/code", {"code": code})
    assert replay.status_code == 401
    assert "déjà été utilisé" in text(replay)


def test_wrong_codes_count_toward_the_lock(app, client, factory) -> None:
    user_id = factory.user("awa")
    sign_in(client, "awa")
    enrol(app, client, user_id)
    post_form(client, "/", {}, action="/logout")
    sign_in(client, "awa")
    statuses = [post_form(client, "/login/code", {"code": "000000"}).status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    with app.app_context():
        assert db.session.scalar(select(LoginThrottle.locked_until)) > utcnow()
    assert sign_in(client, "awa").status_code == 401  # paused from here, password or not


def test_totp_seed_is_encrypted_in_the_database(app, client, factory) -> None:
    user_id = factory.user("awa")
    sign_in(client, "awa")
    seed = enrol(app, client, user_id)
    with app.app_context():
        raw = db.session.execute(db.text("SELECT totp_seed FROM users WHERE id = :id"), {"id": user_id}).scalar_one()
        dump = b"".join(bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode()
                        for row in db.session.execute(db.text("SELECT * FROM users")) for v in row if v is not None)
    assert seed.encode() not in bytes(raw) and seed.encode() not in dump
    with app.app_context():
        database_file = db.engine.url.database if db.engine.url.get_backend_name() == "sqlite" else None
    if database_file:  # the stolen-laptop case: the file itself
        assert seed.encode() not in Path(database_file).read_bytes()


def test_enrolment_is_required_when_configured(app, client, factory) -> None:
    factory.user("awa")
    app.config["SUTURA_REQUIRE_2FA"] = True
    try:
        response = sign_in(client, "awa")
        assert response.headers["Location"].endswith("/account/2fa")
        blocked = client.get("/account")
        assert blocked.status_code == 302 and blocked.headers["Location"].endswith("/account/2fa")
    finally:
        app.config["SUTURA_REQUIRE_2FA"] = False


def test_wrong_enrolment_code_is_explained(client, factory) -> None:
    factory.user("awa")
    sign_in(client, "awa")
    response = post_form(client, "/account/2fa", {"code": "123456"})
    assert response.status_code == 422 and "ne correspond pas" in text(response)


def test_deactivated_user_cannot_sign_in(app, client, factory) -> None:
    factory.user("awa", active=False)
    assert sign_in(client, "awa").status_code == 401


def test_demo_accounts_are_refused_under_production_settings(app, client, factory) -> None:
    factory.user("demo", is_demo=True)
    app.config["DEMO_DATA_ALLOWED"] = False
    try:
        assert sign_in(client, "demo").status_code == 401
    finally:
        app.config["DEMO_DATA_ALLOWED"] = True
