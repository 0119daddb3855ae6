"""Outages: the database or Redis stops answering.

Database down: pages and the API answer a 503 in the user's language with Retry-After (never a
500, never the WSGI server's bare page), the error page itself sends no query, and the app
recovers alone when the database is back. Redis down: sign-in goes on, limited per process,
with a warning in the log; the account lockout (kept in the database) still holds.
/healthz and /readyz say what a load balancer needs and nothing more.
"""

from __future__ import annotations

import io
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import create_engine, event, make_url, text

from app.errors import _HTTP_MESSAGES
from app.extensions import limiter
from models import db, utcnow

from ..conftest import PASSWORD, create_schema, csrf_token, make_app, sign_in
from ..conftest import text as page_text
from ..databases import postgres_url

CLOSED_POSTGRES = "postgresql+psycopg://sutura@127.0.0.1:1/sutura"
CLOSED_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture(autouse=True)
def _limiter_back_on_the_session_app(app: Flask) -> Iterator[None]:
    """Every app created here re-binds the process-wide limiter: give it back afterwards."""
    yield
    limiter.init_app(app)



def unavailable_message(app: Flask, language: str) -> str:
    with app.test_request_context(), force_locale(language):
        return str(_HTTP_MESSAGES[503][1])


def assert_unavailable_page(app: Flask, response: Any, language: str) -> None:
    assert response.status_code == 503, response.get_data(as_text=True)[:500]
    assert int(response.headers["Retry-After"]) > 0
    body = page_text(response)
    assert "Internal Server Error" not in body
    if response.mimetype == "application/json":
        assert response.get_json()["error"] == {"code": "unavailable", "message": unavailable_message(app, language)}
    else:
        assert f'lang="{language}"' in body
        assert unavailable_message(app, language) in body


def signed_in_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("sutura_session")
    assert cookie is not None
    return cookie.value


def api_token(client: FlaskClient, username: str) -> str:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code in (200, 201), response.get_data(as_text=True)
    token: str = response.get_json()["token"]
    return token


# ---------------------------------------------------------------- database down


def test_a_database_that_refuses_connections_gets_a_localized_503(app: Flask, client: FlaskClient, factory,
                                                                    logs: io.StringIO) -> None:
    factory.user("awa")
    assert sign_in(client, "awa").status_code == 302
    cookie = signed_in_cookie(client)  # the same SECRET_KEY signs the dead app's sessions

    dead = make_app(CLOSED_POSTGRES)
    for language in ("fr", "en"):
        browser = dead.test_client()
        browser.set_cookie("sutura_session", cookie)
        # A signed-in user: loading the user is the first query, and it fails.
        assert_unavailable_page(dead, browser.get("/cases", headers={"Accept-Language": language}), language)

        anonymous = dead.test_client()
        form = anonymous.get("/login", headers={"Accept-Language": language})
        assert form.status_code == 200
        response = anonymous.post("/login", headers={"Accept-Language": language}, data={
            "csrf_token": csrf_token(form.get_data(as_text=True)), "username": "awa", "password": PASSWORD})
        assert_unavailable_page(dead, response, language)

        api = dead.test_client()
        assert_unavailable_page(dead, api.get("/api/v1/cases", headers={
            "Accept-Language": language, "Authorization": "Bearer not-checked-without-a-database"}), language)
        assert_unavailable_page(dead, api.post("/api/v1/auth/token", headers={"Accept-Language": language},
                                               json={"username": "awa", "password": PASSWORD}), language)

    probe = dead.test_client()
    assert probe.get("/healthz").status_code == 200  # alive: a supervisor must not restart it
    ready = probe.get("/readyz")
    assert ready.status_code == 503 and ready.get_data(as_text=True).strip() == "unavailable"
    assert ready.headers["Retry-After"]
    captured = logs.getvalue()
    assert '"event": "database_unavailable"' in captured and "OperationalError" in captured
    assert "127.0.0.1:1" not in captured and "Connection refused" not in captured  # type, not message


def test_the_error_page_sends_no_query(app: Flask, signed_in) -> None:
    client = signed_in("caseworker")
    after_failure: list[str] = []

    def failing_view() -> str:
        g.failed = True
        raise RuntimeError("boom")

    def listener(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if g.get("failed"):
            after_failure.append(statement)

    original = app.view_functions["main.home"]
    app.view_functions["main.home"] = failing_view
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = client.get("/")
    finally:
        event.remove(engine, "before_cursor_execute", listener)
        app.view_functions["main.home"] = original
    assert response.status_code == 500
    assert "Internal Server Error" not in page_text(response)
    assert after_failure == []


def _sqlite_only() -> None:
    if postgres_url() is not None:
        pytest.skip("the SQLite variant (the PostgreSQL run uses a proxy it can cut)")


def test_sqlite_app_recovers_when_its_database_file_comes_back(tmp_path: Path, app: Flask) -> None:
    _sqlite_only()
    home = tmp_path / "data"
    url = f"sqlite:///{home / 'sutura.db'}"
    served = make_app(url)  # its directory does not exist yet: every connection fails
    client = served.test_client()
    assert client.get("/readyz").status_code == 503
    form = client.get("/login")
    response = client.post("/login", data={"csrf_token": csrf_token(form.get_data(as_text=True)),
                                           "username": "awa", "password": PASSWORD})
    assert_unavailable_page(served, response, "fr")

    # The volume comes back (restored, remounted): same process, no restart.
    staging = tmp_path / "staging"
    staging.mkdir()
    builder = make_app(f"sqlite:///{staging / 'sutura.db'}")
    create_schema(builder)
    _add_user(builder, "awa")
    with builder.app_context():
        db.engine.dispose()
    shutil.move(str(staging), str(home))

    assert client.get("/readyz").status_code == 200
    assert sign_in(client, "awa").status_code == 302
    assert client.get("/cases").status_code == 200


def _add_user(application: Flask, username: str) -> None:
    from app.passwords import hash_password
    from models import Agency, User

    with application.app_context():
        agency = Agency(code="ESPOIR", name="Agence ESPOIR", isp_signed=True)
        db.session.add(agency)
        db.session.add(User(username=username, role="caseworker", agency=agency, password_hash=hash_password(PASSWORD),
                            role_approved_at=utcnow()))
        db.session.commit()


class CuttableProxy:
    """A TCP relay to PostgreSQL that the test can cut (every connection dropped, new ones
    refused) and restore on the same port: an outage as the app sees it."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.listener: socket.socket | None = None
        self.connections: list[socket.socket] = []
        self.lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.connections += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        if self.listener is not None:
            try:  # wakes the thread blocked in accept(); close() alone would not stop it listening
                self.listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.listener.close()
            self.listener = None
        with self.lock:
            for connection in self.connections:
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                connection.close()
            self.connections.clear()


@pytest.fixture
def postgres_behind_a_proxy(_database: str) -> Iterator[tuple[CuttableProxy, str]]:
    if postgres_url() is None:
        pytest.skip("PostgreSQL only (set TEST_DATABASE_URL)")
    url = make_url(_database)
    proxy = CuttableProxy(url.host or "127.0.0.1", url.port or 5432)
    proxy.start()
    try:
        yield proxy, url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    finally:
        proxy.cut()


def test_postgres_outage_gives_503_then_the_app_recovers_alone(app: Flask, factory, postgres_behind_a_proxy) -> None:
    proxy, url = postgres_behind_a_proxy
    factory.user("awa")
    served = make_app(url)
    browser = served.test_client()
    assert sign_in(browser, "awa").status_code == 302
    assert browser.get("/cases").status_code == 200
    token = api_token(served.test_client(), "awa")
    api = served.test_client()
    bearer = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    assert api.get("/api/v1/cases", headers=bearer).status_code == 200

    proxy.cut()  # the server goes away under pooled connections
    for _ in range(3):
        assert_unavailable_page(served, browser.get("/cases"), "fr")
        assert_unavailable_page(served, api.get("/api/v1/cases", headers=bearer), "en")
    assert browser.get("/healthz").status_code == 200
    assert browser.get("/readyz").status_code == 503

    proxy.start()  # back on the same address: no restart, the same session and token work
    assert browser.get("/readyz").status_code == 200
    assert browser.get("/cases").status_code == 200
    assert api.get("/api/v1/cases", headers=bearer).status_code == 200


def test_postgres_dropping_connections_is_invisible(app: Flask, factory, _database: str) -> None:
    if postgres_url() is None:
        pytest.skip("PostgreSQL only (set TEST_DATABASE_URL)")
    factory.user("awa")
    name = "sutura-dropped"
    served = make_app(make_url(_database).update_query_dict({"application_name": name}).render_as_string(False))
    client = served.test_client()
    assert sign_in(client, "awa").status_code == 302
    assert client.get("/cases").status_code == 200
    admin = create_engine(_database, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            dropped = conn.execute(
                text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = :name"),
                {"name": name},
            ).scalar()
    finally:
        admin.dispose()
    assert dropped
    # The pool's connections are dead (a database restart, a failover): pre-ping replaces
    # them before use, and nobody sees an error.
    assert client.get("/cases").status_code == 200
    assert client.get("/readyz").status_code == 200


# ---------------------------------------------------------------- Redis down


def test_sign_in_works_when_redis_is_down_with_a_per_process_limit(app: Flask, factory, logs: io.StringIO) -> None:
    factory.user("awa")
    served = make_app(app.config["SQLALCHEMY_DATABASE_URI"], RATELIMIT_STORAGE_URI=CLOSED_REDIS,
                      SUTURA_LOGIN_RATE_LIMIT="3 per minute")
    client = served.test_client()
    assert sign_in(client, "awa").status_code == 302  # the first hit finds Redis gone
    assert client.get("/cases").status_code == 200
    assert "rate_limit_storage_unreachable" in logs.getvalue()

    # Still limited, in this process's memory: 3 sign-in posts a minute from one address.
    other = served.test_client()
    statuses = [sign_in(other, "awa", "wrong password").status_code for _ in range(3)]
    assert statuses == [401, 401, 429]

    # Readiness says the shared store is missing (unless told to only log it).
    assert client.get("/readyz").status_code == 503
    served.config["SUTURA_READY_NEEDS_REDIS"] = False
    assert client.get("/readyz").status_code == 200


def test_sign_in_pause_still_holds_when_redis_is_down(app: Flask, factory) -> None:
    factory.user("awa")
    served = make_app(app.config["SQLALCHEMY_DATABASE_URI"], RATELIMIT_STORAGE_URI=CLOSED_REDIS,
                      SUTURA_LOGIN_RATE_LIMIT="100 per minute")
    client = served.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    for _ in range(5):
        assert sign_in(client, "awa", "wrong password").status_code in (401, 429)
    paused = sign_in(client, "awa")  # the right password, too late
    assert paused.status_code == 401
    assert "paused for 15 minutes" in page_text(paused)


def test_readyz_checks_a_working_redis(app: Flask) -> None:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    served = make_app(app.config["SQLALCHEMY_DATABASE_URI"], RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/14")
    assert served.test_client().get("/readyz").status_code == 200


# ---------------------------------------------------------------- health endpoints


def test_health_endpoints_are_public_unaudited_and_say_nothing(app: Flask, client: FlaskClient) -> None:
    from models import AuditEvent

    for _ in range(50):  # a load balancer probes often: never rate limited
        live, ready = client.get("/healthz"), client.get("/readyz")
        assert (live.status_code, ready.status_code) == (200, 200)
    assert live.get_data(as_text=True).strip() == "ok" and ready.get_data(as_text=True).strip() == "ok"
    assert live.mimetype == "text/plain"
    assert "Set-Cookie" not in live.headers
    with app.app_context():
        assert db.session.query(AuditEvent).count() == 0
    assert client.head("/healthz").status_code == 200


def test_readyz_fails_without_keys(app: Flask) -> None:
    served = make_app(app.config["SQLALCHEMY_DATABASE_URI"])
    served.extensions.pop("sutura.keyring", None)
    served.extensions.pop("sutura.keyring_watcher", None)
    served.extensions["sutura.keyring_error"] = "no key material loaded"
    response = served.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_data(as_text=True).strip() == "unavailable"
