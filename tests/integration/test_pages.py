"""Pages: security headers, error pages, languages, admin work on users and agencies."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app import create_app
from config import ProductionConfig
from models import Agency, AuditEvent, User, db

from ..conftest import PASSWORD, post_form, sign_in, text


def test_security_headers_on_every_page(client) -> None:
    for url in ("/login", "/nowhere"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert "http" not in csp  # no third-party origin
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["Cache-Control"] == "no-store"
        assert "Strict-Transport-Security" not in headers


def test_static_files_may_be_cached_and_pages_have_no_inline_script(client) -> None:
    css = client.get("/static/css/sutura.css")
    assert css.status_code == 200 and css.headers.get("Cache-Control") != "no-store"
    assert "<script>" not in client.get("/login").get_data(as_text=True)


def test_session_cookie_flags(client, factory) -> None:
    factory.user("awa")
    response = sign_in(client, "awa")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_production_sends_hsts_and_secure_cookies(monkeypatch, tmp_path) -> None:
    from crypto import KeyRing

    key_file = tmp_path / "keys.json"
    KeyRing.generate().write(key_file)
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "x" * 40)
    monkeypatch.setenv("SUTURA_KEY_FILE", str(key_file))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.db'}")
    app = create_app(
        ProductionConfig,
        {"SUTURA_KEY_FILE": str(key_file), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}"},
    )
    response = app.test_client().get("/login")
    assert "max-age=" in response.headers["Strict-Transport-Security"]
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SUTURA_REQUIRE_2FA"]


@pytest.mark.parametrize(("language", "expected"), [("fr", "Erreur 404"), ("en", "Error 404")])
def test_not_found_page_in_both_languages(client, language, expected) -> None:
    response = client.get("/does-not-exist", headers={"Accept-Language": language})
    assert response.status_code == 404 and expected in text(response)


def test_server_error_shows_no_trace(client, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("SELECT secret FROM survivors")

    monkeypatch.setattr("app.auth.views.render_template", broken)
    response = client.get("/login", headers={"Accept-Language": "en"})
    body = text(response)
    assert response.status_code == 500
    assert "Nothing was saved" in body and "SELECT" not in body and "Traceback" not in body
    api = client.get("/api/v1/me", headers={"Authorization": "Bearer x", "Accept-Language": "fr"})
    assert api.status_code == 401 and api.is_json


def test_method_not_allowed_page(client) -> None:
    response = client.get("/logout")
    assert response.status_code in (302, 405)


def test_browser_language_then_user_choice(client, factory) -> None:
    assert '<html lang="en">' in client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.8"}).get_data(True)
    assert '<html lang="fr">' in client.get("/login", headers={"Accept-Language": "bm,de"}).get_data(True)
    factory.user("awa", language="en")
    sign_in(client, "awa")
    assert "Welcome, awa" in client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)


def test_language_switcher_remembers_the_choice(app, client, factory) -> None:
    user_id = factory.user("awa")
    switched = post_form(client, "/login", {"lang": "en", "next": "/login"}, action="/language")
    assert switched.status_code == 302 and switched.headers["Location"] == "/login"
    assert "Sign in" in client.get("/login").get_data(as_text=True)
    sign_in(client, "awa")
    post_form(client, "/", {"lang": "en", "next": "/"}, action="/language")
    with app.app_context():
        assert db.session.get(User, user_id).language == "en"


def test_admin_creates_a_user_and_sees_field_errors(signed_in, app) -> None:
    client = signed_in("admin", "chief")
    with app.app_context():
        db.session.add(Agency(code="ESPOIR", name="ONG Espoir", isp_signed=True))
        db.session.commit()
    bad = post_form(
        client,
        "/admin/users/new",
        {"username": "A", "role": "caseworker", "agency": "", "password": "short", "language": "fr"},
    )
    body = text(bad)
    assert bad.status_code == 422
    assert "3 à 64 caractères" in body and "au moins 12" in body and "choisissez-en une" in body
    good = post_form(
        client,
        "/admin/users/new",
        {"username": "awa.traore", "role": "caseworker", "agency": "ESPOIR", "password": PASSWORD, "language": "fr"},
    )
    assert good.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "awa.traore"))
        assert user.agency.code == "ESPOIR"
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.created")) is not None


def test_admin_unlocks_and_signs_out_a_user(signed_in, app, factory) -> None:
    victim_id = factory.user("awa")
    other = app.test_client()
    for _ in range(5):
        sign_in(other, "awa", "wrong!")
    client = signed_in("admin", "chief")
    assert (
        post_form(client, f"/admin/users/{victim_id}", {}, action=f"/admin/users/{victim_id}/unlock").status_code == 302
    )
    assert sign_in(other, "awa").status_code == 302
    post_form(client, f"/admin/users/{victim_id}", {}, action=f"/admin/users/{victim_id}/sign-out")
    assert other.get("/account").status_code == 302


def test_admin_deactivating_a_user_ends_their_session(signed_in, app, factory) -> None:
    victim_id = factory.user("awa")
    other = app.test_client()
    sign_in(other, "awa")
    client = signed_in("admin", "chief")
    response = post_form(client, f"/admin/users/{victim_id}", {"role": "caseworker", "agency": "ESPOIR"})
    assert response.status_code == 302
    assert other.get("/account").status_code == 302
    assert sign_in(app.test_client(), "awa").status_code == 401


def test_admin_agency_pages(signed_in, app) -> None:
    client = signed_in("admin", "chief")
    assert post_form(client, "/admin/agencies/new", {"code": "x", "name": ""}).status_code == 422
    created = post_form(client, "/admin/agencies/new", {"code": "djiguiya", "name": "Association Djiguiya"})
    assert created.status_code == 302
    with app.app_context():
        agency = db.session.scalar(select(Agency).where(Agency.code == "DJIGUIYA"))
        assert not agency.isp_signed
        agency_id = agency.id
    edited = post_form(
        client,
        f"/admin/agencies/{agency_id}",
        {"code": "DJIGUIYA", "name": "Djiguiya", "isp_signed": "y", "active": "y"},
    )
    assert edited.status_code == 302
    with app.app_context():
        assert db.session.get(Agency, agency_id).isp_signed
    assert "Djiguiya" in client.get("/admin/agencies").get_data(as_text=True)


def test_unknown_user_or_agency_page_is_404(signed_in) -> None:
    client = signed_in("admin", "chief")
    assert client.get("/admin/users/nope").status_code == 404
    assert client.get("/admin/agencies/999").status_code == 404
