"""Script and SQL injection through every free-text field a person can fill — of a GBV case and
of a child protection case (its caregiver, best interests, tracing and care records too): stored
as typed, shown escaped on every page that shows it, never executed or interpreted."""

from __future__ import annotations

import html
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.cases.validation import SURVIVOR_TEXT
from models import Case, Survivor, User, db

from ..conftest import api_token, post_form, sign_in
from ..integration.cases_helpers import incident_payload, payload_of_kind
from ..integration.test_cp_security import CP_TEXTS, add_cp_records

SCRIPT = '<script>alert("x")</script>'
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
SQL = "'; DROP TABLE cases; --"
PAYLOADS = (SCRIPT, ATTRIBUTE, SQL)
CP_SECTIONS = ("best-interests-h", "tracing-h", "care-h")  # the case page's sections of a CP case's records


def _register(app: Flask, client: Any, headers: dict[str, str], payload: str, kind: str) -> str:
    survivor = {name: payload for name in SURVIVOR_TEXT if name not in ("phone", "caregiver_phone")}
    body = payload_of_kind(kind, **survivor, notes=payload, phone="76 12 34 56")
    body["consent"]["release_to"] = {"health": payload}
    created = client.post("/api/v1/cases", json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    case_id = str(created.get_json()["id"])
    if kind == "gbv":
        incident = incident_payload(account=payload, perpetrators=[{"sex": "male", "age_group": "26-40",
                                                                    "relationship": "no_relation",
                                                                    "ethnicity": payload}])
        assert client.post(f"/api/v1/cases/{case_id}/incidents", json=incident, headers=headers).status_code == 201
    else:  # every free text of the child's own records: best interests, the panel, tracing, care
        add_cp_records(app, "awa", case_id, dict.fromkeys(CP_TEXTS, payload), decider="fatou")
    return case_id


def _raw_in(page: str, payload: str) -> bool:
    """The payload as markup (unescaped) in the page."""
    return payload in page and payload not in ("", SQL)


@pytest.mark.parametrize("kind", ["gbv", "cp"])
def test_payloads_in_every_field_are_stored_verbatim_and_shown_escaped(app: Flask, factory, kind: str) -> None:
    factory.user("awa")
    factory.user("fatou", role="supervisor")
    client = app.test_client()
    headers = api_token(client, "awa")
    web = app.test_client()
    sign_in(web, "awa")
    with app.app_context():
        tables_before = db.session.scalar(select(func.count()).select_from(User))
    for payload in PAYLOADS:
        case_id = _register(app, client, headers, payload, kind)
        with app.app_context():
            survivor = db.session.scalar(select(Survivor).where(Survivor.case_id == case_id))
            assert survivor.given_name == payload and survivor.notes == payload  # stored as typed
            assert survivor.caregiver_name == payload
            if kind == "cp":
                case = db.session.get(Case, case_id)
                assert case.separation.place == payload and case.care_arrangements[0].carer == payload
                assert {b.summary for b in case.best_interests} == {payload}
        pages = {
            "case": web.get(f"/cases/{case_id}"),
            "correction": web.get(f"/cases/{case_id}/edit"),
            "consent": web.get(f"/cases/{case_id}/consent"),
            "search": post_form(web, "/cases", {"q": payload}),
        }
        if kind == "cp":  # the separation form shows what was recorded, to correct it
            pages["separation"] = web.get(f"/cases/{case_id}/tracing/separation")
        for name, response in pages.items():
            assert response.status_code == 200, (name, response.status_code)
            body = response.get_data(as_text=True)
            if payload != SQL:
                assert not _raw_in(body, payload), f"{name} page shows {payload!r} unescaped"
        assert "&lt;script&gt;" in pages["case"].get_data(as_text=True) or payload != SCRIPT
        if kind == "cp":  # the child's records are on the case page — escaped, as checked above
            shown = pages["case"].get_data(as_text=True)
            for section in CP_SECTIONS:
                start = shown.index(f'id="{section}"')
                assert payload in html.unescape(shown[start:shown.find("<h2", start + 1)]), section
        detail = client.get(f"/api/v1/cases/{case_id}", headers=headers)
        assert detail.get_json()["survivor"]["given_name"] == payload
        assert detail.get_json()["survivor"]["caregiver_name"] == payload
        assert detail.headers["Content-Type"].startswith("application/json")
    with app.app_context():  # the SQL payload was data, not a statement
        assert db.session.scalar(select(func.count()).select_from(Case)) == len(PAYLOADS)
        assert db.session.scalar(select(func.count()).select_from(User)) == tables_before
