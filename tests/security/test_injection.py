"""Script and SQL injection through every free-text field a person can fill: stored as typed,
shown escaped on every page that shows it, never executed or interpreted."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import func, select

from app.cases.validation import SURVIVOR_TEXT
from models import Case, Survivor, User, db

from ..conftest import api_token, post_form, sign_in
from ..integration.cases_helpers import case_payload, incident_payload

SCRIPT = '<script>alert("x")</script>'
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
SQL = "'; DROP TABLE cases; --"
PAYLOADS = (SCRIPT, ATTRIBUTE, SQL)


def _register(client: Any, headers: dict[str, str], payload: str) -> str:
    survivor = {name: payload for name in SURVIVOR_TEXT if name not in ("phone", "caregiver_phone")}
    body = case_payload(**survivor, notes=payload, phone="76 12 34 56")
    body["consent"]["release_to"] = {"health": payload}
    created = client.post("/api/v1/cases", json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    case_id = created.get_json()["id"]
    incident = incident_payload(account=payload, perpetrators=[{"sex": "male", "age_group": "26-40",
                                                                "relationship": "no_relation", "ethnicity": payload}])
    assert client.post(f"/api/v1/cases/{case_id}/incidents", json=incident, headers=headers).status_code == 201
    return str(case_id)


def _raw_in(page: str, payload: str) -> bool:
    """The payload as markup (unescaped) in the page."""
    return payload in page and payload not in ("", SQL)


def test_payloads_in_every_field_are_stored_verbatim_and_shown_escaped(app: Flask, factory) -> None:
    factory.user("awa")
    client = app.test_client()
    headers = api_token(client, "awa")
    web = app.test_client()
    sign_in(web, "awa")
    with app.app_context():
        tables_before = db.session.scalar(select(func.count()).select_from(User))
    for payload in PAYLOADS:
        case_id = _register(client, headers, payload)
        with app.app_context():
            survivor = db.session.scalar(select(Survivor).where(Survivor.case_id == case_id))
            assert survivor.given_name == payload and survivor.notes == payload  # stored as typed
        pages = {
            "case": web.get(f"/cases/{case_id}"),
            "correction": web.get(f"/cases/{case_id}/edit"),
            "consent": web.get(f"/cases/{case_id}/consent"),
            "search": post_form(web, "/cases", {"q": payload}),
        }
        for name, response in pages.items():
            assert response.status_code == 200, (name, response.status_code)
            body = response.get_data(as_text=True)
            if payload != SQL:
                assert not _raw_in(body, payload), f"{name} page shows {payload!r} unescaped"
        assert "&lt;script&gt;" in pages["case"].get_data(as_text=True) or payload != SCRIPT
        detail = client.get(f"/api/v1/cases/{case_id}", headers=headers)
        assert detail.get_json()["survivor"]["given_name"] == payload
        assert detail.headers["Content-Type"].startswith("application/json")
    with app.app_context():  # the SQL payload was data, not a statement
        assert db.session.scalar(select(func.count()).select_from(Case)) == len(PAYLOADS)
        assert db.session.scalar(select(func.count()).select_from(User)) == tables_before
