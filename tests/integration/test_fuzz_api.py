"""Schemathesis over the API's own OpenAPI document, in-process (WSGI), for every role: valid
and invalid requests, path ids both random and real. No request may end in a server error,
and every answer must match the document (status code, content type, body schema).

Bounded and repeatable: EXAMPLES examples per operation, generation mode and path-id variant
for the operations a role may use (FORBIDDEN_EXAMPLES for the ones it may not: they stop at
403), derandomized, no deadline, no shrinking. A second test sends one valid request to every
operation that writes, so the success answers are checked against the document too."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import Failure, FailureGroup
from sqlalchemy import func, select

from app import audit
from app.extensions import limiter
from models import AuditEvent, Case, Referral, db

from ..conftest import PASSWORD
from .cases_helpers import add_incident, case_payload, incident_payload, make_case
from .test_referrals import world  # noqa: F401 — the fixture, reused here

EXAMPLES = 20
FORBIDDEN_EXAMPLES = 5
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
ROLES = {"caseworker": "awa", "supervisor": "fatou", "provider": "moussa", "cluster_lead": "mariam", "admin": "root"}
CASEWORK = ("/cases", "/cases/{case_id}", "/cases/{case_id}/consent", "/cases/{case_id}/incidents",
            "/cases/{case_id}/incidents/{incident_id}", "/cases/{case_id}/referrals")
PROVIDER = ("/referrals", "/referrals/{referral_id}/accept", "/referrals/{referral_id}/decline",
            "/referrals/{referral_id}/deliver")
STATS = ("/stats/gbvims", "/exports/gbvims.csv", "/exports/gbvims.xlsx")
EVERYONE = ("/me", "/services", "/auth/token")
# What each role may do (app/policy.py): the rest is fuzzed lightly, it ends at 403.
ALLOWED = {
    "caseworker": (*EVERYONE, *CASEWORK),
    "supervisor": (*EVERYONE, *CASEWORK, "/stats/gbvims"),
    "provider": (*EVERYONE, *PROVIDER),
    "cluster_lead": (*EVERYONE, *STATS),
    "admin": EVERYONE,
}
PUBLIC = {("POST", "/auth/token"), ("GET", "/openapi.json")}  # the same for every role: fuzzed once
HEADERS = {"Accept-Language": "en"}


def _token(client: Any, username: str) -> str:
    limiter.reset()
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.get_json()
    return str(response.get_json()["token"])


@pytest.fixture
def ids(app: Flask, factory: Any, world: dict[str, str]) -> dict[str, str]:  # noqa: F811 — the fixture
    factory.user("mariam", role="cluster_lead", agency=None)
    factory.user("root", role="admin", agency=None)
    case_id = make_case(app, "awa")
    incident_id = add_incident(app, "awa", case_id)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {_token(client, 'awa')}"}
    sent = client.post(f"/api/v1/cases/{case_id}/referrals", headers=headers,
                       json={"service_type": "health", "provider_id": world["CLINIC-GAO"], "share": ["age"]})
    assert sent.status_code == 201, sent.get_json()
    return {"case_id": case_id, "incident_id": incident_id, "referral_id": sent.get_json()["id"],
            "provider_id": world["CLINIC-GAO"]}


def _validate(case: schemathesis.Case, response: Any, failures: list[str], label: str) -> None:
    try:
        case.validate_response(response, checks=CHECKS)
    except (Failure, FailureGroup) as exc:  # collected, reported together
        failures.append(f"{case.method} {case.formatted_path} [{label}] {response.status_code}: {str(exc)[:800]}")


def _fuzz(strategy: Any, examples: int, send: Callable[[schemathesis.Case], None]) -> None:
    @settings(max_examples=examples, derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def run(case: schemathesis.Case) -> None:
        send(case)

    run()


def _sender(client: Any, role: str, token: str, revokes: bool, failures: list[str], label: str,
            figures: Counter[str]) -> Callable[[schemathesis.Case], None]:
    def send(case: schemathesis.Case) -> None:
        bearer = _token(client, ROLES[role]) if revokes else token  # revoking needs a fresh token each time
        response = case.call(headers={"Authorization": f"Bearer {bearer}", **HEADERS})
        figures["examples"] += 1
        _validate(case, response, failures, label)

    return send


@pytest.mark.parametrize("role", list(ROLES))
def test_the_api_answers_every_request_as_documented(app: Flask, ids: dict[str, str], role: str) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    client = app.test_client()
    token = _token(client, ROLES[role])
    failures: list[str] = []
    figures: Counter[str] = Counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        method, path = operation.method.upper(), operation.path
        if (method, path) in PUBLIC and role != "caseworker":
            continue
        figures["operations"] += 1
        allowed = path in ALLOWED[role] or (method, path) in PUBLIC
        names = {p.name for p in operation.path_parameters}
        real = {name: value for name, value in ids.items() if name in names}
        revokes = (method, path) == ("DELETE", "/auth/token")
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            # Where the role may use real records, valid requests go to them (a random id is
            # only ever a 404); invalid ones go to both (a malformed id must be a 4xx too).
            variants: list[dict[str, Any] | None] = [None]
            if real and allowed:
                variants = [real] if mode is GenerationMode.POSITIVE else [None, real]
            for path_parameters in variants:
                label = f"{role} {mode.value}{' real ids' if path_parameters else ''}"
                strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)
                send = _sender(client, role, token, revokes, failures, label, figures)
                _fuzz(strategy, EXAMPLES if allowed else FORBIDDEN_EXAMPLES, send)
    print(f"\nschemathesis {role}: {figures['operations']} operations, {figures['examples']} examples")
    assert not failures, "\n\n".join(failures[:15])
    with app.app_context():  # the fuzzing broke nothing it was not allowed to touch
        assert db.session.get(Case, ids["case_id"]) is not None
        assert db.session.get(Referral, ids["referral_id"]) is not None


def test_successful_answers_match_the_document(app: Flask, ids: dict[str, str]) -> None:
    """Random bodies rarely pass validation: one valid request per writing operation, each
    answer checked against the document."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    client = app.test_client()
    awa = {"Authorization": f"Bearer {_token(client, 'awa')}", **HEADERS}
    moussa = {"Authorization": f"Bearer {_token(client, 'moussa')}", **HEADERS}
    mariam_token = {"Authorization": f"Bearer {_token(client, 'mariam')}", **HEADERS}
    failures: list[str] = []
    case_id, incident_id = ids["case_id"], ids["incident_id"]
    consent = case_payload()["consent"]
    steps: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
        ("POST", "/cases", {"body": case_payload()}, awa),
        ("GET", "/cases", {"query": {"page": "1"}}, awa),
        ("POST", "/cases/search", {"body": {"q": "Aïssata Maïga", "status": "open"}}, awa),
        ("GET", "/cases/{case_id}", {"path_parameters": {"case_id": case_id}}, awa),
        ("PATCH", "/cases/{case_id}", {"path_parameters": {"case_id": case_id},
                                       "body": {"risk_level": "high", "survivor": {"nickname": "Aya"}}}, awa),
        ("POST", "/cases/{case_id}/incidents", {"path_parameters": {"case_id": case_id},
                                                "body": incident_payload(days_ago=3)}, awa),
        ("PATCH", "/cases/{case_id}/incidents/{incident_id}",
         {"path_parameters": {"case_id": case_id, "incident_id": incident_id}, "body": {"place_type": "school"}}, awa),
        ("POST", "/cases/{case_id}/referrals",
         {"path_parameters": {"case_id": case_id},
          "body": {"service_type": "health", "provider_id": ids["provider_id"], "share": ["age", "sex"],
                   "incident_id": incident_id, "request_key": "fuzz-1"}}, awa),
        ("POST", "/cases/{case_id}/referrals",  # the same request again: 200, the first referral
         {"path_parameters": {"case_id": case_id},
          "body": {"service_type": "health", "provider_id": ids["provider_id"], "share": ["age", "sex"],
                   "incident_id": incident_id, "request_key": "fuzz-1"}}, awa),
        ("GET", "/services", {"query": {"region": "ML-7"}}, awa),
        ("GET", "/me", {}, awa),
        ("GET", "/referrals", {}, moussa),
        ("POST", "/referrals/{referral_id}/accept", {"path_parameters": {"referral_id": ids["referral_id"]}}, moussa),
        ("POST", "/referrals/{referral_id}/deliver", {"path_parameters": {"referral_id": ids["referral_id"]},
                                                      "body": {"feedback": "Soins donnés."}}, moussa),
        ("GET", "/stats/gbvims", {"query": {"period": str(dt.date.today().year)}}, mariam_token),
        ("GET", "/exports/gbvims.csv", {"query": {"period": str(dt.date.today().year)}}, mariam_token),
        ("GET", "/exports/gbvims.xlsx", {"query": {"period": str(dt.date.today().year)}}, mariam_token),
        ("POST", "/cases/{case_id}/consent", {"path_parameters": {"case_id": case_id},
                                              "body": {**consent, "release": {**consent["release"], "health": False}}},
         awa),
        ("GET", "/openapi.json", {}, HEADERS),
        ("POST", "/auth/token", {"body": {"username": "awa", "password": PASSWORD}}, HEADERS),
        ("DELETE", "/auth/token", {}, awa),
    ]
    statuses = []
    for method, path, parts, headers in steps:
        operation = schema[path][method]
        extra = {"media_type": "application/json"} if "body" in parts else {}
        case = operation.Case(**parts, **extra)
        limiter.reset()
        response = case.call(headers=headers)
        statuses.append(response.status_code)
        # Statistics of a single case are withheld (disclosure control): a documented 422.
        acceptable = response.status_code < 400 or (path in STATS and response.status_code == 422)
        assert acceptable, f"{method} {path}: {response.status_code} {response.text[:300]}"
        _validate(case, response, failures, "valid")
    assert not failures, "\n\n".join(failures)
    with app.app_context():
        audit.seal(wait=True)  # the fuzzer's client never closes a response, as a server does once sent
        assert (db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0) > len(steps)
