"""Registering a survivor who may already have an open case: the page warns, names the cases
the caseworker may open (and only those), audits what it showed, and registers anyway on a
second submit."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select

from app.forms import flatten
from models import AuditEvent, Case, db

from ..conftest import client_of, post_form
from ..conftest import text as page_text
from .cases_helpers import case_payload, cp_case_payload, make_case

WARNING = "This survivor may already have a case"


@pytest.fixture
def team(factory):
    factory.user("awa", role="caseworker", agency="ESPOIR", language="en")
    factory.user("kadi", role="caseworker", agency="ESPOIR", language="en")
    factory.user("fatou", role="supervisor", agency="ESPOIR", language="en")
    factory.user("ousmane", role="supervisor", agency="DJIGUIYA", language="en")
    return factory


def form_of(payload: dict[str, Any]) -> dict[str, str]:
    """A case payload as the registration page sends it."""
    out = {}
    for name, value in flatten(payload).items():
        out[name] = ("yes" if value else "no") if isinstance(value, bool) else str(value)
    if isinstance(payload.get("protection_concerns"), list):
        out.pop("protection_concerns", None)
        out.update({f"protection_concerns.{code}": "yes" for code in payload["protection_concerns"]})
    return out


def cases(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Case))


def register(client, payload: dict[str, Any], **extra: str):
    return post_form(client, "/cases/new", {**form_of(payload), **extra})


def test_same_name_and_phone_warns_then_registers_anyway(app, team) -> None:
    existing = make_case(app, "awa")
    awa = client_of(app, "awa")
    # The same person, typed differently: case, accents and the phone's spacing do not matter.
    again = case_payload(given_name="aissata", family_name="MAIGA", phone="76123456")
    warned = register(awa, again)
    assert warned.status_code == 200 and cases(app) == 1
    body = page_text(warned)
    assert WARNING in body
    with app.app_context():
        code = db.session.get(Case, existing).case_code
    assert f'<a href="/cases/{existing}">{code}</a>' in body
    assert 'name="duplicate_checked" value="yes"' in body
    assert 'value="aissata"' in body  # everything typed is kept
    with app.app_context():
        shown = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case.list_viewed")).all()
        assert [e.details for e in shown] == [{"cases": [existing], "duplicates": True}]

    registered = register(awa, again, duplicate_checked="yes")
    assert registered.status_code == 302 and cases(app) == 2


def test_same_name_and_date_of_birth_warns(app, team) -> None:
    make_case(app, "awa", case_payload(date_of_birth="2001-04-09", phone=None))
    awa = client_of(app, "awa")
    warned = register(awa, case_payload(date_of_birth="2001-04-09", phone="66 00 00 00"))
    assert warned.status_code == 200 and WARNING in page_text(warned) and cases(app) == 1


@pytest.mark.parametrize(
    "other",
    [
        {"phone": "66 99 99 99"},  # same name, another phone, no date of birth
        {"given_name": "Fanta"},  # same family name and phone, another given name
        {"family_name": "Touré"},  # same given name and phone, another family name
    ],
)
def test_a_different_person_is_registered_without_a_warning(app, team, other) -> None:
    make_case(app, "awa")
    response = register(client_of(app, "awa"), case_payload(**other))
    assert response.status_code == 302 and cases(app) == 2


def test_only_cases_the_user_may_open_are_searched(app, team) -> None:
    make_case(app, "kadi")  # a colleague's case, not assigned to awa
    same = case_payload()
    quiet = register(client_of(app, "awa"), same)
    assert quiet.status_code == 302  # awa learns nothing of a case she may not open
    assert WARNING in page_text(register(client_of(app, "fatou"), same))  # the supervisor sees the agency's
    other_agency = register(client_of(app, "ousmane"), same)
    assert other_agency.status_code == 302  # never across agencies


def test_closed_cases_and_other_kinds_do_not_warn(app, team) -> None:
    closed = make_case(app, "awa")
    with app.app_context():
        db.session.get(Case, closed).status = "closed"
        db.session.commit()
    assert register(client_of(app, "awa"), case_payload()).status_code == 302

    make_case(app, "awa", cp_case_payload(phone="+223 66 00 11 22"))
    # A child's GBV case beside their child protection case is not a duplicate: it is linked.
    child = case_payload(given_name="Moussa", family_name="Touré", age=13, sex="male", phone="66 00 11 22")
    child["consent"].update(given_by="caregiver", assent="written")
    assert register(client_of(app, "awa"), child).status_code == 302
    assert WARNING in page_text(register(client_of(app, "awa"), cp_case_payload(phone="66 00 11 22")))


def test_an_invalid_form_shows_its_errors_first(app, team) -> None:
    make_case(app, "awa")
    bad = case_payload()
    bad["survivor"]["sex"] = "spaceship"
    response = register(client_of(app, "awa"), bad)
    body = page_text(response)
    assert response.status_code == 422 and WARNING not in body and 'id="error-summary"' in body
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "case.list_viewed")
            )
            == 0
        )


def test_the_warning_offers_both_choices(app, team) -> None:
    existing = make_case(app, "awa")
    body = register(client_of(app, "awa"), case_payload()).get_data(as_text=True)
    warning = body[body.index('id="duplicates"') : body.index("</section>", body.index('id="duplicates"'))]
    assert f'href="/cases/{existing}"' in warning
    assert re.search(r'<button type="submit" form="registration"[^>]*>Register anyway</button>', warning)
    assert '<form method="post" novalidate class="wide" id="registration" data-draft="/cases/new/draft">' in body
