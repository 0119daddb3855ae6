"""Deny by default: every endpoint is public by name or refused to anonymous clients (the routes
of a real GBV or child protection case too), each role reaches exactly the admin actions the
policy grants, and what lists show agrees with what pages open, for cases of either kind."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.policy import ADMIN_ACTIONS, PUBLIC_ENDPOINTS, can, case_scope, role_allows
from models import ROLES

from ..conftest import post_form, text
from .cases_helpers import make_case, payload_of_kind

KINDS = ("gbv", "cp")


def concrete(rule: str) -> str:
    """A URL for a rule, with placeholder values (an unknown id must still be refused)."""
    url = re.sub(r"<int:[^>]+>", "1", rule)
    url = re.sub(r"<any\(([^,)]+)[^>]*>", lambda m: m.group(1).strip("'\" "), url)
    return re.sub(r"<[^>]+>", "00000000-0000-4000-8000-000000000000", url)


def every_route(app):
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_endpoint_is_public_by_name_or_refused_to_anonymous(app, client) -> None:
    offenders = []
    checked = 0
    for rule, method in every_route(app):
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        response = client.open(concrete(rule.rule), method=method, json={} if rule.rule.startswith("/api/") else None)
        checked += 1
        refused = response.status_code in (401, 403) or (
            response.status_code == 302 and "/login" in response.headers.get("Location", "")
        )
        # A form POST without a CSRF token is refused with 400 before anything else runs;
        # resend it with a token to be sure it is the sign-in rule that refuses it.
        if response.status_code == 400 and method == "POST" and not rule.rule.startswith("/api/"):
            response = post_form(client, "/login", {}, action=concrete(rule.rule))
            refused = response.status_code == 302 and "/login" in response.headers.get("Location", "")
        if not refused:
            offenders.append(f"{method} {rule.rule} -> {response.status_code}")
    assert checked > 10
    assert offenders == []


@pytest.mark.parametrize("kind", KINDS)
def test_anonymous_clients_are_refused_every_route_of_a_real_case(app, client, factory, kind) -> None:
    """With the id of a case that exists, not a placeholder: refused for who asks (sign in first),
    never answered by whether the case exists, and nothing of the case shown."""
    factory.user("awa")
    case_id = make_case(app, "awa", payload_of_kind(kind))
    name = "Moussa" if kind == "cp" else "Aïssata"
    offenders, checked = [], 0
    for rule, method in every_route(app):
        if "<case_id>" not in rule.rule:
            continue
        url = concrete(rule.rule.replace("<case_id>", case_id))
        api = rule.rule.startswith("/api/")
        response = client.open(url, method=method, json={} if api else None)
        if response.status_code == 400 and method == "POST" and not api:  # no CSRF token: resend with one
            response = post_form(client, "/login", {}, action=url)
        checked += 1
        refused = response.status_code in (401, 403) or (
            response.status_code == 302 and "/login" in response.headers.get("Location", "")
        )
        if not refused or name in text(response) or json.dumps(name)[1:-1] in text(response):
            offenders.append(f"{method} {url} -> {response.status_code}")
    assert checked > 20
    assert offenders == []


def test_public_list_names_only_existing_endpoints(app) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert PUBLIC_ENDPOINTS <= endpoints


def test_api_refuses_anonymous_with_json(client) -> None:
    response = client.get("/api/v1/me", headers={"Accept-Language": "en"})
    assert response.status_code == 401
    assert response.get_json() == {"error": {"code": "unauthorized", "message": "Sign in to continue."}}


ADMIN_PAGES = {
    "users.manage": ("GET", "/admin/users"),
    "agencies.manage": ("GET", "/admin/agencies"),
    "audit.read": ("GET", "/admin/audit"),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ADMIN_ACTIONS)
def test_admin_actions_by_role(app, factory, role, action) -> None:
    with app.app_context():
        from models import User, db

        user_id = factory.user(f"{role}x", role=role, agency=None if role in ("admin", "cluster_lead") else "ESPOIR")
        user = db.session.get(User, user_id)
        assert role_allows(user, action) is (role == "admin")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", sorted(ADMIN_PAGES))
def test_admin_pages_by_role(signed_in, role, page) -> None:
    client = signed_in(role)
    method, url = ADMIN_PAGES[page]
    response = client.open(url, method=method)
    assert response.status_code == (200 if role == "admin" else 403)
    if role != "admin":
        body = text(response)
        assert "Vous n'êtes pas autorisé à faire cela." in body and "Traceback" not in body


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_non_admin_cannot_create_users_by_posting(signed_in, app, role) -> None:
    client = signed_in(role)
    response = post_form(client, "/account", {"username": "intruder", "role": "admin", "password": "x" * 20},
                         action="/admin/users/new")
    assert response.status_code == 403
    with app.app_context():
        from models import User, db

        assert db.session.query(User).filter_by(username="intruder").count() == 0


def test_admin_cannot_demote_or_deactivate_themself(signed_in, app) -> None:
    client = signed_in("admin", "chief")
    with app.app_context():
        from models import User, db

        me = db.session.query(User).filter_by(username="chief").one()
        me_id = me.id
    response = post_form(client, f"/admin/users/{me_id}", {"role": "caseworker", "agency": "ESPOIR"})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(User, me_id).role == "admin"


def test_inactive_or_anonymous_users_are_denied_everything() -> None:
    class Anonymous:
        is_authenticated = False

    assert not role_allows(None, "account.manage")
    assert not role_allows(Anonymous(), "account.manage")


def test_unknown_action_is_denied(signed_in, app) -> None:
    signed_in("admin", "chief")
    with app.app_context():
        from models import User, db

        admin = db.session.query(User).filter_by(username="chief").one()
        assert not role_allows(admin, "cases.read_everything")


def test_a_record_permission_needs_the_record(app, factory) -> None:
    with app.app_context():
        from models import User, db

        user = db.session.get(User, factory.user("awa", role="caseworker"))
        assert role_allows(user, "case.read")
        assert not can(user, "case.read", None)


# Users and cases drawn at random: (role, agency, active, role approved) and (agency, owner,
# assigned users).
_USERS = st.lists(
    st.tuples(st.sampled_from(ROLES), st.sampled_from([0, 1, None]), st.booleans(), st.booleans()),
    min_size=1,
    max_size=6,
)
_CASES = st.lists(
    st.tuples(st.sampled_from([0, 1]), st.integers(0, 5), st.sets(st.integers(0, 5), max_size=3)), max_size=8
)


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(users=_USERS, cases=_CASES)
def test_the_sql_scope_and_the_record_check_agree(app, kind, users, cases) -> None:
    """``case_scope`` (what lists and searches return) and ``can`` (what a page opens) are twins,
    for GBV and child protection cases alike."""
    from models import Agency, Case, CaseAssignment, User, db, utcnow

    with app.app_context():
        try:
            agencies = [Agency(code=f"AG{n}", name=f"Agency {n}") for n in range(2)]
            db.session.add_all(agencies)
            db.session.flush()
            people = [
                User(
                    username=f"u{n}",
                    role=role,
                    agency_id=None if agency is None else agencies[agency].id,
                    password_hash="-",
                    active=active,
                    role_approved_at=utcnow() if approved else None,
                )
                for n, (role, agency, active, approved) in enumerate(users)
            ]
            db.session.add_all(people)
            db.session.flush()
            records = []
            for n, (agency, owner, assigned) in enumerate(cases):
                case = Case(
                    kind=kind,
                    case_code=f"{kind.upper()}-TEST-{n}",
                    agency_id=agencies[agency].id,
                    owner_id=people[owner % len(people)].id,
                )
                case.assignments = [CaseAssignment(user_id=people[i].id) for i in {i % len(people) for i in assigned}]
                records.append(case)
            db.session.add_all(records)
            db.session.flush()
            for person in people:
                listed = set(db.session.scalars(select(Case.id).where(case_scope(person))))
                for action in ("case.read", "case.update"):
                    opened = {c.id for c in records if can(person, action, c)}
                    assert listed == opened, (person.role, action)
        finally:
            db.session.rollback()
