"""The API skeleton: tokens, JSON errors in the caller's language, the OpenAPI document."""

from __future__ import annotations

import datetime as dt
import time

import pyotp
import pytest
from sqlalchemy import select

from models import ApiToken, User, db

from ..conftest import PASSWORD

EN = {"Accept-Language": "en"}
FR = {"Accept-Language": "fr"}


def get_token(client, username: str = "awa", password: str = PASSWORD, **extra):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password, **extra}, headers=EN)


def test_token_round_trip(client, factory) -> None:
    factory.user("awa")
    response = get_token(client)
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"token", "token_type", "expires_at"} and len(body["token"]) >= 40
    assert dt.datetime.fromisoformat(body["expires_at"]) > dt.datetime.now(dt.UTC) + dt.timedelta(hours=7)
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.get_json()["username"] == "awa"


def test_token_is_stored_hashed(app, client, factory) -> None:
    factory.user("awa")
    token = get_token(client).get_json()["token"]
    with app.app_context():
        stored = db.session.scalars(select(ApiToken.token_digest)).all()
    assert token not in stored and len(stored) == 1


@pytest.mark.parametrize(("username", "password"), [("awa", "wrong"), ("ghost", PASSWORD)])
def test_wrong_credentials_401_in_callers_language(client, factory, username, password) -> None:
    factory.user("awa")
    en = get_token(client, username, password)
    assert en.status_code == 401
    assert en.get_json() == {"error": {"code": "bad_credentials", "message": "Wrong username, password or code."}}
    fr = client.post("/api/v1/auth/token", json={"username": username, "password": password}, headers=FR)
    assert fr.get_json()["error"]["message"] == "Nom d'utilisateur, mot de passe ou code incorrect."


def test_a_paused_name_answers_like_a_wrong_password(app, client, factory) -> None:
    """After five failures the API pauses that name from that source, and says no more than
    "bad credentials": the answer is the same for names that do not exist."""
    factory.user("awa")
    real = [get_token(client, "awa", "wrong") for _ in range(5)] + [get_token(client)]
    unknown = [get_token(client, "nobody", "wrong") for _ in range(5)] + [get_token(client, "nobody")]
    assert [(r.status_code, r.get_json()) for r in real] == [(r.status_code, r.get_json()) for r in unknown]
    assert {r.status_code for r in real} == {401}
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "10.4.0.1"
    assert get_token(elsewhere).status_code == 200


def test_rate_limit_gives_429(app, client, factory) -> None:
    factory.user("awa")
    app.config["SUTURA_LOGIN_RATE_LIMIT"] = "3 per minute"
    try:
        statuses = [client.post("/api/v1/auth/token", json={"username": "x", "password": "y"}).status_code
                    for _ in range(4)]
    finally:
        app.config["SUTURA_LOGIN_RATE_LIMIT"] = "20 per minute"
    assert statuses == [401, 401, 401, 429]


def test_second_factor_required_for_enrolled_users(app, client, factory) -> None:
    user_id = factory.user("awa")
    with app.app_context():
        user = db.session.get(User, user_id)
        user.ensure_data_key()
        user.totp_seed = pyotp.random_base32()
        user.totp_enabled = True
        seed = user.totp_seed
        db.session.commit()
    missing = get_token(client)
    assert missing.status_code == 422 and "otp" in missing.get_json()["error"]["fields"]
    assert get_token(client, otp="000000").status_code == 401
    good = pyotp.TOTP(seed).at(time.time())
    assert get_token(client, otp=good).status_code == 200
    assert get_token(client, otp=good).status_code == 401  # replayed


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({"data": "{not json", "content_type": "application/json"}, 400, "malformed_json"),
        ({"data": "username=a", "content_type": "application/x-www-form-urlencoded"}, 415, "unsupported_media_type"),
        ({"json": ["a", "list"]}, 422, "invalid"),
        ({"json": {"username": 5}}, 422, "invalid"),
        ({"data": '{"username": "' + "a" * 2_000_000 + '"}', "content_type": "application/json"}, 413, "too_large"),
    ],
)
def test_bad_payloads_are_explained(client, kwargs, status, code) -> None:
    response = client.post("/api/v1/auth/token", headers=EN, **kwargs)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code


def test_missing_fields_are_listed(client) -> None:
    response = client.post("/api/v1/auth/token", json={}, headers=EN)
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"username", "password"}


def test_expired_revoked_and_stale_tokens_are_refused(app, client, factory) -> None:
    user_id = factory.user("awa")
    tokens = [get_token(client).get_json()["token"] for _ in range(3)]
    auth = [{"Authorization": f"Bearer {t}", **EN} for t in tokens]
    with app.app_context():
        first = db.session.scalars(select(ApiToken).order_by(ApiToken.created_at)).first()
        first.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        db.session.commit()
    expired = [h for h in auth if client.get("/api/v1/me", headers=h).status_code == 401]
    assert len(expired) == 1
    live = [h for h in auth if h not in expired]
    assert client.delete("/api/v1/auth/token", headers=live[0]).status_code == 204
    assert client.get("/api/v1/me", headers=live[0]).status_code == 401
    with app.app_context():
        db.session.get(User, user_id).end_all_sessions()  # what a password change does
        db.session.commit()
    assert client.get("/api/v1/me", headers=live[1]).status_code == 401


def test_session_cookie_does_not_authenticate_the_api(client, factory) -> None:
    from ..conftest import sign_in

    factory.user("awa")
    sign_in(client, "awa")
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/me").status_code == 401


def test_unknown_api_path_is_json_404(client) -> None:
    response = client.get("/api/v1/nothing-here", headers=EN)
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_openapi_describes_every_api_route(app, client) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = rule.rule.removeprefix("/api/v1").replace("<", "{").replace(">", "}")
        assert path in doc["paths"], f"{rule.rule} is missing from the OpenAPI document"
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            assert method.lower() in doc["paths"][path], f"{method} {rule.rule} is not described"
