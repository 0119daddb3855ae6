"""Shared fixtures: one app per test session on a real database, cleaned between tests;
factories for agencies and users; a signed-in client helper that goes through the real
login form (CSRF on)."""

from __future__ import annotations

import html
import io
import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, event

from app import create_app, observability
from app.extensions import limiter
from config import TestConfig
from crypto import KeyRing
from models import Agency, AuditHead, Base, User, db, utcnow
from models.location import load_locations

from .databases import isolated_database

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile the translation catalogues (``*.mo`` are build products, not committed), so that a
    fresh clone's tests run with plain ``pytest`` as well as with ``make test``."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in sorted((ROOT / "translations").glob("*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        partial = mo.with_suffix(f".mo.{os.getpid()}")
        with partial.open("wb") as target:
            write_mo(target, catalog)
        partial.replace(mo)  # atomic: another test run may be reading it


class ServerLikeClient(FlaskClient):
    """Closes each response as a WSGI server does once it has sent it, so what the app does at
    that moment (sealing the request's audit events into the chain) has happened when a test
    reads the database, as it has when a browser asks for the next page."""

    def open(self, *args: Any, buffered: bool = True, **kwargs: Any) -> Any:
        return super().open(*args, buffered=buffered, **kwargs)


def make_app(url: str, keyring: KeyRing | None = None, **overrides: Any) -> Flask:
    app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": url, "SUTURA_KEYRING": keyring or KeyRing.generate(),
                                  **overrides})
    app.test_client_class = ServerLikeClient
    return app


def create_schema(app: Flask) -> None:
    with app.app_context():
        Base.metadata.create_all(db.engine)
        if db.session.get(AuditHead, 1) is None:
            db.session.add(AuditHead(id=1, last_seq=0, last_hash=""))
        load_locations(db.session)
        db.session.commit()


@pytest.fixture(scope="session")
def _database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with isolated_database(tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="session")
def app(_database: str) -> Iterator[Flask]:
    application = make_app(_database)
    create_schema(application)
    yield application
    with application.app_context():
        db.engine.dispose()


def wipe(app: Flask) -> None:
    with app.app_context():
        db.session.rollback()
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in {"locations"}:
                db.session.execute(delete(table))
        db.session.add(AuditHead(id=1, last_seq=0, last_hash=""))
        db.session.commit()


@pytest.fixture(autouse=True)
def _clean(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "app" in request.fixturenames:
        application = request.getfixturevalue("app")
        wipe(application)
        limiter.reset()


@pytest.fixture(autouse=True)
def _audit_published_statistics(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every statistics report a test publishes goes through an audit of its own (exact
    intervals, every attacker): a hidden count an attacker could narrow below k fails the test."""
    from app.stats import service
    from gbvims import aggregates, cp_counts

    from .security.disclosure import audit_report

    def audited(make: Any) -> Any:
        def built(*args: Any, **kwargs: Any) -> Any:
            report = make(*args, **kwargs)
            found = audit_report(report)
            assert not found, f"published statistics give away hidden counts: {found[:5]}"
            return report

        return built

    # GBVIMS, child protection and MRM: every builder the statistics service calls.
    monkeypatch.setattr(service, "build", audited(aggregates.build))
    monkeypatch.setattr(service, "build_cp", audited(cp_counts.build_cp))
    monkeypatch.setattr(service, "build_mrm", audited(cp_counts.build_mrm))


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class Factory:
    def __init__(self, app: Flask) -> None:
        self.app = app

    def agency(self, code: str = "ESPOIR", isp_signed: bool = True) -> str:
        with self.app.app_context():
            agency = db.session.query(Agency).filter_by(code=code).one_or_none()
            if agency is None:
                db.session.add(Agency(code=code, name=f"Agence {code}", isp_signed=isp_signed))
                db.session.commit()
        return code

    def user(self, username: str = "awa", role: str = "caseworker", agency: str | None = "ESPOIR",
             password: str = PASSWORD, **fields: Any) -> str:
        from app.passwords import hash_password

        with self.app.app_context():
            agency_row = None
            if agency:
                self.agency(agency)
                agency_row = db.session.query(Agency).filter_by(code=agency).one()
            # An account as it is once set up: its role approved by a second person, its own password.
            fields.setdefault("role_approved_at", utcnow())
            if role == "cluster_lead":  # a lead coordinates one sub-cluster; GBV unless a test says
                fields.setdefault("sub_cluster", "gbv")
            user = User(username=username, role=role, agency=agency_row, password_hash=hash_password(password),
                        **fields)
            db.session.add(user)
            db.session.commit()
            return user.id


@pytest.fixture
def factory(app: Flask) -> Factory:
    return Factory(app)


@contextmanager
def captured_sql(app: Flask) -> Iterator[list[str]]:
    """Every SQL statement the app sends inside the block."""
    statements: list[str] = []

    def listener(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def text(response: Any) -> str:
    """The page as a person reads it (entities such as &#39; decoded)."""
    return html.unescape(response.get_data(as_text=True))


def csrf_token(page: str) -> str:
    match = CSRF.search(page)
    assert match, "the page has no CSRF token"
    return match.group(1)


def sign_in(client: FlaskClient, username: str, password: str = PASSWORD, **extra: str) -> Any:
    page = client.get("/login")
    return client.post("/login", data={"csrf_token": csrf_token(page.get_data(as_text=True)),
                                       "username": username, "password": password, **extra})


def client_of(app: Flask, username: str, password: str = PASSWORD) -> FlaskClient:
    """A new browser signed in as ``username``."""
    client = app.test_client()
    response = sign_in(client, username, password)
    assert response.status_code == 302, text(response)
    return client


def api_token(client: FlaskClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    """Headers of an API call as ``username``: a fresh bearer token, answers in English."""
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}", "Accept-Language": "en"}


@pytest.fixture
def logs() -> Iterator[io.StringIO]:
    """What the app logs during the test, in the production format."""
    observability.configure_logging("INFO")  # as at start-up (a migration test may have reset logging)
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(observability.formatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield buffer
    finally:
        root.removeHandler(handler)


def post_form(client: FlaskClient, form_url: str, data: dict[str, Any], action: str | None = None) -> Any:
    """GET the page holding the form, then POST it with its CSRF token, like a browser."""
    page = client.get(form_url)
    return client.post(action or form_url, data={"csrf_token": csrf_token(page.get_data(as_text=True)), **data})


@pytest.fixture
def signed_in(client: FlaskClient, factory: Factory) -> Any:
    def as_role(role: str, username: str | None = None) -> FlaskClient:
        name = username or f"{role.replace('_', '')}1"
        factory.user(name, role=role, agency=None if role in ("admin", "cluster_lead") else "ESPOIR")
        response = sign_in(client, name)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return as_role


@pytest.fixture
def tmp_dir(tmp_path: Path) -> Path:
    return tmp_path
