"""The access matrix, generated: every GET route of the pages and of the API (from the URL map
and the OpenAPI document) × every role × a record of one's own, of one's agency and of another
agency. The answer must be exactly what ``app.policy`` says: the page when allowed, a refusal
(403, or 404 for a record out of scope) otherwise — and never the survivor's name in a refusal.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from app.policy import can, role_allows
from models import Case, Referral, User, db

from ..conftest import api_token, sign_in
from ..integration.cases_helpers import add_incident, case_payload, make_case

NAME = "Aïssata"
# The users of the matrix: (username, role, agency).
PEOPLE = (
    ("awa", "caseworker", "ESPOIR"),
    ("binta", "caseworker", "ESPOIR"),
    ("fatou", "supervisor", "ESPOIR"),
    ("ousmane", "caseworker", "DJIGUIYA"),
    ("sidi", "supervisor", "DJIGUIYA"),
    ("moussa", "provider", "ESPOIR"),
    ("mariam", "cluster_lead", None),
    ("root", "admin", None),
)
# Parameters a route may take, and the record each names.
RECORD_PARAMS = {"case_id": Case, "referral_id": Referral}
SKIPPED = {"static", "prometheus_metrics", "health.healthz", "health.readyz"}


@pytest.fixture
def world(app: Flask, factory) -> dict[str, Any]:
    from app.referrals.directory_admin import upsert_provider

    for username, role, agency in PEOPLE:
        if role != "provider":
            factory.user(username, role=role, agency=agency)
    with app.app_context():
        provider = upsert_provider(
            {"code": "CLINIC-GAO", "name": "Clinique", "agency": "ESPOIR", "services": "health", "locations": "ML-7"}
        )
        db.session.commit()
        provider_id = provider.id
    factory.user("moussa", role="provider", agency="ESPOIR", provider_id=provider_id)
    own = make_case(app, "awa", case_payload(given_name=NAME))
    add_incident(app, "awa", own)
    other_agency = make_case(app, "ousmane", case_payload(given_name=NAME))
    client = app.test_client()
    headers = api_token(client, "awa")
    sent = client.post(
        f"/api/v1/cases/{own}/referrals",
        json={"service_type": "health", "provider_id": provider_id, "share": ["given_name", "age"]},
        headers=headers,
    )
    assert sent.status_code == 201, sent.get_json()
    return {"case": {"own": own, "other_agency": other_agency}, "referral": sent.get_json()["id"]}


def _routes(app: Flask) -> list[tuple[str, str, str]]:
    """(kind, rule, endpoint) of every GET route whose parameters are records we can name."""
    routes = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()) or rule.endpoint in SKIPPED:
            continue
        params = set(rule.arguments)
        if params - set(RECORD_PARAMS):
            continue  # ids of other records (decisions, incidents …): covered by their own tests
        routes.append(("api" if rule.rule.startswith("/api/") else "web", rule.rule, rule.endpoint))
    return routes


# Who may open which record, written down independently of app/policy.py (docs/architecture.md,
# "Roles and access policy"): the awa/binta/fatou agency owns "own"; ousmane/sidi's owns
# "other_agency"; moussa's service received the referral.
READS_CASE = {
    "own": {"awa", "fatou"},  # binta is in the agency but neither owner nor assigned
    "other_agency": {"ousmane", "sidi"},
}
READS_REFERRAL = {"moussa"}


def _oracle(username: str, world: dict[str, Any], record: Any) -> bool | None:
    """The independent answer for a record, or None when the route names no record."""
    if isinstance(record, Case):
        relation = next(k for k, v in world["case"].items() if v == record.id)
        return username in READS_CASE[relation]
    if isinstance(record, Referral):
        return username in READS_REFERRAL
    return None


def _expected(app: Flask, user: User, endpoint: str, record: Any) -> bool:
    view = app.view_functions[endpoint]
    action = getattr(view, "required_action", None)
    if action is None:
        return True
    if not role_allows(user, action):
        return False
    if record is None:
        return True
    if isinstance(record, Referral) and action.startswith("referral."):
        return can(user, "referral.respond", record)
    return can(user, action, record if isinstance(record, Case) else record.case)


def test_every_route_answers_every_role_as_the_policy_says(app: Flask, world: dict[str, Any]) -> None:
    routes = _routes(app)
    assert len(routes) >= 20
    api_routes = {rule for kind, rule, _ in routes if kind == "api"}
    documented = {"/api/v1" + re.sub(r"\{(\w+)\}", r"<\1>", path) for path in _openapi_paths(app)}
    assert api_routes - {"/api/v1/openapi.json"} <= documented  # the document lists every API route we walk
    checked, offenders = 0, []
    for username, _role, _agency in PEOPLE:
        web = app.test_client()
        assert sign_in(web, username).status_code == 302
        headers = api_token(app.test_client(), username)
        for kind, rule, endpoint in routes:
            for url, record_ref in _urls(rule, world):
                with app.app_context():
                    user = db.session.scalar(db.select(User).where(User.username == username))
                    record = db.session.get(*record_ref) if record_ref else None
                    allowed = _expected(app, user, endpoint, record)
                    oracle = _oracle(username, world, record)
                if oracle is not None and allowed and not oracle:
                    offenders.append(f"the policy lets {username} open {url}")
                response = web.get(url) if kind == "web" else web.get(url, headers=headers)
                status, body = response.status_code, response.get_data(as_text=True)
                checked += 1
                if allowed and status >= 400 and status != 422:
                    offenders.append(f"{username} refused {url}: {status}")
                if not allowed and (status not in (403, 404) or NAME in body):
                    offenders.append(f"{username} reached {url}: {status}")
    assert checked > 300
    assert offenders == []


def _urls(rule: str, world: dict[str, Any]) -> list[tuple[str, tuple[type, str] | None]]:
    if "<case_id>" in rule:
        return [(rule.replace("<case_id>", cid), (Case, cid)) for cid in world["case"].values()]
    if "<referral_id>" in rule:
        return [(rule.replace("<referral_id>", world["referral"]), (Referral, world["referral"]))]
    return [(rule, None)]


def _openapi_paths(app: Flask) -> set[str]:
    from app.api.openapi import document

    with app.test_request_context():
        return set(document()["paths"])
