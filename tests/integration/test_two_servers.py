"""Two app servers behind one name: two gunicorn instances under production settings (2FA on,
argon2id at full cost, rate limits in Redis, one proxy trusted for the client address) share a
PostgreSQL schema, Redis and the key file. What one server decides holds on the other: a case
written on one is read on the other, an account locked on one is locked on both, the sign-in
rate limit counts attempts made to both, a password change (new session epoch) ends the old
session on both, a token revoked on one is refused by both, and a key rotation run while both
serve loses nothing."""

from __future__ import annotations

import http.cookiejar
import json
import random
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pyotp
import pytest
from sqlalchemy import select

from crypto import KeyRing
from models import Case, User, db

from ..conftest import PASSWORD, Factory, create_schema, make_app
from ..databases import isolated_database, postgres_url
from .cases_helpers import case_payload
from .serve import Gunicorn, flask_cli, production_env

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
NEW_PASSWORD = "another long enough passphrase"


class LoopbackCookies(http.cookiejar.DefaultCookiePolicy):
    """Send the Secure session cookie over the loopback's plain HTTP: in production TLS ends at
    the proxy in front of gunicorn, which this test stands in for."""

    def return_ok_secure(self, cookie: http.cookiejar.Cookie, request: urllib.request.Request) -> bool:
        return True


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Client:
    """One person (one client address, given to the servers as the proxy would) with a cookie
    jar, talking to whichever server it is pointed at."""

    def __init__(self) -> None:
        self.address = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"  # noqa: S311
        self.jar = http.cookiejar.CookieJar(policy=LoopbackCookies())
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def send(self, base: str, path: str, *, method: str = "GET", form: dict[str, str] | None = None,
             body: Any = None, token: str | None = None) -> tuple[int, str, dict[str, str]]:
        headers = {"X-Forwarded-For": self.address, "Accept-Language": "en"}
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(base + path, data=data, method=method, headers=headers)  # noqa: S310
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace"), dict(exc.headers)

    def json(self, base: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        status, text, _headers = self.send(base, path, **kwargs)
        try:
            return status, json.loads(text) if text else None
        except ValueError:
            return status, text

    def token(self, base: str, username: str, seed: str | None, password: str = PASSWORD) -> tuple[int, Any]:
        body = {"username": username, "password": password}
        if seed:
            body["otp"] = pyotp.TOTP(seed).now()
        return self.json(base, "/api/v1/auth/token", method="POST", body=body)

    def submit(self, base: str, page: str, fields: dict[str, str], action: str | None = None) -> tuple[int, str]:
        status, text, _ = self.send(base, page)
        assert status == 200, (page, status)
        match = CSRF.search(text)
        assert match, f"no form on {page}"
        status, text, headers = self.send(base, action or page, method="POST",
                                          form={"csrf_token": match.group(1), **fields})
        return status, headers.get("Location", "")

    def sign_in(self, base: str, username: str, seed: str) -> None:
        status, location = self.submit(base, "/login", {"username": username, "password": PASSWORD})
        assert status == 302 and location.endswith("/login/code"), (status, location)
        status, location = self.submit(base, "/login/code", {"code": pyotp.TOTP(seed).now()})
        assert status == 302 and "/login" not in location, (status, location)

    def copy(self) -> Client:
        twin = Client()
        twin.address = self.address
        for cookie in self.jar:
            twin.jar.set_cookie(cookie)
        return twin

    def signed_in(self, base: str) -> bool:
        status, _text, headers = self.send(base, "/account")
        if status == 200:
            return True
        assert status == 302 and "/login" in headers.get("Location", ""), status
        return False


def redis_available() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


def enrol(setup: Any, username: str) -> str:
    """A caseworker who has set up her second factor; returns the TOTP seed."""
    Factory(setup).user(username)
    with setup.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        user.ensure_data_key()
        user.totp_seed = pyotp.random_base32()
        user.totp_enabled = True
        seed = str(user.totp_seed)
        db.session.commit()
        db.session.remove()
    return seed


@pytest.mark.skipif(postgres_url() is None, reason="two app servers need a shared PostgreSQL database "
                    "(set TEST_DATABASE_URL); SQLite is one file for one server")
def test_two_gunicorn_servers_share_every_decision(tmp_path: Path) -> None:
    if not redis_available():
        pytest.skip("no Redis on 127.0.0.1:6379: rate limits are shared through Redis")
    key_file = tmp_path / "keys" / "keys.json"
    ring = KeyRing.generate()
    ring.write(key_file)
    old_kek = ring.newest_id
    with isolated_database(tmp_path) as url:
        setup = make_app(url, ring)
        create_schema(setup)
        seeds = {name: enrol(setup, name) for name in ("awa", "binta", "coumba", "djeneba")}
        env = production_env(url, key_file, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/14",
                             SUTURA_TRUSTED_PROXIES="1", SUTURA_KEYRING_CHECK_SECONDS="1")
        servers = [Gunicorn(env, tmp_path / f"gunicorn-{n}.log", workers=2) for n in range(2)]
        try:
            for server in servers:
                server.wait_until_up()
            a, b = (server.base for server in servers)
            check_servers_share_every_decision(setup, env, key_file, old_kek, seeds, a, b)
            for server in servers:
                log = server.log.read_text()
                assert "Traceback" not in log, log[-3000:]
        finally:
            for server in servers:
                server.stop()
            with setup.app_context():
                db.engine.dispose()


def check_servers_share_every_decision(setup: Any, env: dict[str, str], key_file: Path, old_kek: str,
                                       seeds: dict[str, str], a: str, b: str) -> None:
    # A case written on one server is read on the other.
    awa = Client()
    status, body = awa.token(a, "awa", seeds["awa"])
    assert status == 200, body
    token = body["token"]
    status, created = awa.json(a, "/api/v1/cases", method="POST", body=case_payload(given_name="Kadiatou"),
                               token=token)
    assert status == 201, created
    first_case = created["id"]
    status, detail = awa.json(b, f"/api/v1/cases/{first_case}", token=token)
    assert status == 200 and detail["survivor"]["given_name"] == "Kadiatou"

    # A token revoked on one server is refused by both.
    coumba = Client()
    status, body = coumba.token(b, "coumba", seeds["coumba"])
    assert status == 200, body
    assert coumba.json(a, "/api/v1/me", token=body["token"])[0] == 200
    assert coumba.json(a, "/api/v1/auth/token", method="DELETE", token=body["token"])[0] == 204
    assert coumba.json(b, "/api/v1/me", token=body["token"])[0] == 401
    assert coumba.json(a, "/api/v1/me", token=body["token"])[0] == 401

    # Five wrong passwords from one address, sent alternately to both servers, pause that name
    # from that address on both — and only from there: the owner elsewhere still signs in.
    binta = Client()
    statuses = [binta.token(a if i % 2 else b, "binta", None, password="wrong password!")[0] for i in range(5)]
    assert statuses == [401] * 5
    assert binta.token(a, "binta", seeds["binta"])[0] == 401  # right password and code: still paused
    assert binta.token(b, "binta", seeds["binta"])[0] == 401
    assert Client().token(b, "binta", seeds["binta"])[0] == 200

    # The sign-in rate limit (20 a minute per client address) counts attempts made to both servers.
    guesser = Client()
    statuses = [guesser.token(a if i % 2 else b, f"nobody{i}", None, password="guess")[0] for i in range(21)]
    assert statuses == [401] * 20 + [429]
    assert guesser.token(a, "awa", seeds["awa"])[0] == 429  # even a right password, from that address
    assert Client().token(b, "nobody", None, password="guess")[0] == 401  # others are not affected

    # A session works on both servers; a password change on one (a new session epoch) ends the
    # other copies of that session on both, and signing out on one signs out on both.
    djeneba = Client()
    djeneba.sign_in(a, "djeneba", seeds["djeneba"])
    assert djeneba.signed_in(b) and djeneba.signed_in(a)
    stolen = djeneba.copy()  # the same cookie on another device
    status, location = djeneba.submit(b, "/account/password",
                                      {"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert status == 302, (status, location)
    assert not stolen.signed_in(a) and not stolen.signed_in(b)
    assert djeneba.signed_in(a)  # the session that changed it carries on, on both
    assert djeneba.submit(a, "/account", {}, action="/logout")[0] == 302
    assert not djeneba.signed_in(b) and not djeneba.signed_in(a)

    # Key rotation while both serve: a new key reaches both without a restart.
    generated = flask_cli(env, "keys", "generate")
    assert generated.returncode == 0, generated.stderr
    new_kek = KeyRing.from_file(key_file).newest_id
    time.sleep(2.5)  # every worker checks the key file once a second
    status, created = awa.json(b, "/api/v1/cases", method="POST", body=case_payload(given_name="Oumou"),
                               token=token)
    assert status == 201, created
    second_case = created["id"]
    with setup.app_context():
        assert db.session.get(Case, second_case).data_key_record.kek_id == new_kek
        db.session.remove()
    expected = {first_case: "Kadiatou", second_case: "Oumou"}

    def all_readable() -> None:
        for base in (a, b, a, b):  # two workers each
            for case_id, name in expected.items():
                status, detail = awa.json(base, f"/api/v1/cases/{case_id}", token=token)
                assert status == 200 and detail["survivor"]["given_name"] == name, (base, status, detail)

    all_readable()
    rotated = flask_cli(env, "keys", "rotate")
    assert rotated.returncode == 0 and "remaining 0" in rotated.stdout, rotated.stdout + rotated.stderr
    all_readable()
    retired = flask_cli(env, "keys", "retire", old_kek)
    assert retired.returncode == 0, retired.stdout + retired.stderr
    time.sleep(1.5)
    all_readable()
