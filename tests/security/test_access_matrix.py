"""The access matrix, generated: every GET route of the pages and of the API (from the URL map
and the OpenAPI document) × every role × a record of one's own, of one's agency and of another
agency — for a GBV case and for a child protection case. The answer must be exactly what
``app.policy`` says: the page when allowed, a refusal (403, or 404 for a record out of scope)
otherwise — and never the survivor's (or the child's caregiver's) name in a refusal.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask import Flask

from app.policy import can, role_allows
from models import Case, Referral, User, db

from ..conftest import api_token, sign_in
from ..integration.cases_helpers import add_incident, make_case, payload_of_kind

NAME = "Aïssata"
# What a refusal must never show, by kind: the name, and for a child the caregiver too.
SECRETS = {"gbv": (NAME, "Maïga"), "cp": (NAME, "Touré", "Fanta", "66 00 11 22")}
KINDS = ("gbv", "cp")
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
# Routes of one kind of case only: the other kind is refused with a conflict (409) or sent back
# to the case page (302) — once the policy has let the user in, never before.
SHARED_CP_ENDPOINTS = {"cp.link"}  # a link joins a child's GBV and CP cases: from either side
GBV_ONLY_ENDPOINTS = {"cases.new_incident", "cases.edit_incident"}


def _route_kind(endpoint: str) -> str | None:
    if endpoint.startswith("cp.") and endpoint not in SHARED_CP_ENDPOINTS:
        return "cp"
    return "gbv" if endpoint in GBV_ONLY_ENDPOINTS else None


@pytest.fixture(params=KINDS)
def world(request: pytest.FixtureRequest, app: Flask, factory) -> dict[str, Any]:
    kind = request.param
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
    own = make_case(app, "awa", payload_of_kind(kind, given_name=NAME))
    if kind == "gbv":  # a CP case records no GBV incident
        add_incident(app, "awa", own)
    other_agency = make_case(app, "ousmane", payload_of_kind(kind, given_name=NAME))
    client = app.test_client()
    headers = api_token(client, "awa")
    sent = client.post(
        f"/api/v1/cases/{own}/referrals",
        json={"service_type": "health", "provider_id": provider_id, "share": ["given_name", "age"]},
        headers=headers,
    )
    assert sent.status_code == 201, sent.get_json()
    return {"kind": kind, "case": {"own": own, "other_agency": other_agency}, "referral": sent.get_json()["id"]}


def _routes(app: Flask) -> list[tuple[str, str, str]]:
    """(where, rule, endpoint) of every GET route whose parameters are records we can name."""
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


def _readable(response: Any) -> str:
    """The body as a reader sees it: a JSON answer with its escapes (\\u00ef …) decoded."""
    body = response.get_data(as_text=True)
    if response.is_json:
        body += json.dumps(response.get_json(silent=True), ensure_ascii=False)
    return body


def test_every_route_answers_every_role_as_the_policy_says(app: Flask, world: dict[str, Any]) -> None:
    kind, secrets = world["kind"], SECRETS[world["kind"]]
    routes = _routes(app)
    assert len(routes) >= 20
    api_routes = {rule for where, rule, _ in routes if where == "api"}
    documented = {"/api/v1" + re.sub(r"\{(\w+)\}", r"<\1>", path) for path in _openapi_paths(app)}
    assert api_routes - {"/api/v1/openapi.json"} <= documented  # the document lists every API route we walk
    checked, offenders = 0, []
    for username, _role, _agency in PEOPLE:
        web = app.test_client()
        assert sign_in(web, username).status_code == 302
        headers = api_token(app.test_client(), username)
        for where, rule, endpoint in routes:
            for url, record_ref in _urls(rule, world):
                with app.app_context():
                    user = db.session.scalar(db.select(User).where(User.username == username))
                    record = db.session.get(*record_ref) if record_ref else None
                    allowed = _expected(app, user, endpoint, record)
                    oracle = _oracle(username, world, record)
                if oracle is not None and allowed and not oracle:
                    offenders.append(f"the policy lets {username} open {url}")
                response = web.get(url) if where == "web" else web.get(url, headers=headers)
                status, body = response.status_code, _readable(response)
                checked += 1
                other_kind = _route_kind(endpoint) not in (None, kind)
                if allowed and other_kind:
                    # The other kind's page is refused for what the case is, not who asks.
                    if status not in (302, 409):
                        offenders.append(f"{username} got {url} ({kind} case): {status}")
                elif allowed and status >= 400 and status != 422:
                    offenders.append(f"{username} refused {url}: {status}")
                if not allowed and (status not in (403, 404) or any(s in body for s in secrets)):
                    offenders.append(f"{username} reached {url}: {status}")
    assert checked > 300
    assert offenders == []


def test_the_matrix_walks_the_routes_of_both_kinds(app: Flask) -> None:
    """The kind-only routes named above exist: a renamed one would silently count as shared."""
    endpoints = {endpoint for _where, _rule, endpoint in _routes(app)}
    assert {_route_kind(e) for e in endpoints} >= {"cp", "gbv", None}
    assert GBV_ONLY_ENDPOINTS <= set(app.view_functions) and SHARED_CP_ENDPOINTS <= set(app.view_functions)


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
