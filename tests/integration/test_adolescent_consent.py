"""An adolescent's consent (15–17): their own, always; a caregiver's as well where it is safe
and in the child's best interest — an addition, never a replacement, and refused for any other
age. An assent never stands for a consent that is required. The rule is written on the forms
from the same bands that validate them (gbvims/consent.py)."""

from __future__ import annotations

from typing import Any

import pytest
from flask_login import login_user
from sqlalchemy import select

from app.cases import service
from gbvims.consent import (
    ADULT,
    ASSENT_IS_NOT_CONSENT,
    CAREGIVER_AS_WELL,
    CAREGIVER_NOT_APPLICABLE,
    DEFAULT_BANDS,
    caregiver_consent_problems,
    consent_problems,
    rule_for_age,
    rule_texts,
)
from models import Case, Consent, User, db

from ..conftest import api_token, client_of, csrf_token, post_form
from ..conftest import text as page_text
from .cases_helpers import case_payload

EN = {"Accept-Language": "en"}


@pytest.fixture
def team(factory):
    factory.user("awa", role="caseworker", agency="ESPOIR")
    return factory


def adolescent(age: int = 16, **consent: Any) -> dict[str, Any]:
    payload = case_payload(age=age)
    payload["consent"].update(consent)
    return payload


def consents(app, case_id: str) -> list[Consent]:
    with app.app_context():
        rows = list(db.session.scalars(select(Consent).where(Consent.case_id == case_id).order_by(Consent.version)))
        for row in rows:
            db.session.expunge(row)
        return rows


def register(client, headers, payload) -> Any:
    return client.post("/api/v1/cases", json=payload, headers=headers)


# --- the rule (pure) --------------------------------------------------------------------------


def test_only_the_adolescents_band_takes_a_caregivers_consent() -> None:
    assert [age for age in range(0, 40) if rule_for_age(age).caregiver_consent] == [15, 16, 17]
    assert rule_for_age(16).consent_from == frozenset({"survivor"})  # an addition, never instead
    for age in (0, 5, 9, 14, 18, 30, None):
        assert caregiver_consent_problems(age, True) == [CAREGIVER_NOT_APPLICABLE]
        assert caregiver_consent_problems(age, False) == [CAREGIVER_NOT_APPLICABLE]
        assert caregiver_consent_problems(age, None) == []
    for age in (15, 16, 17):
        assert caregiver_consent_problems(age, True) == caregiver_consent_problems(age, False) == []


def test_an_assent_never_stands_for_a_required_consent() -> None:
    assert consent_problems(16, "survivor", "none") == []
    assert ASSENT_IS_NOT_CONSENT in consent_problems(16, "survivor", "oral")
    assert ASSENT_IS_NOT_CONSENT in consent_problems(30, "survivor", "written")
    refused = consent_problems(16, "caregiver", "written")  # a caregiver's consent and the child's assent
    assert rule_for_age(16).explanation in refused
    assert consent_problems(13, "caregiver", "written") == []  # younger children: assent is asked


def test_the_forms_list_every_band_and_the_adults() -> None:
    texts = rule_texts()
    assert [text for text, _note in texts] == [band.rule.explanation for band in DEFAULT_BANDS] + [ADULT.explanation]
    assert [note for _text, note in texts if note] == [CAREGIVER_AS_WELL]


# --- registration and consent changes, through the API ----------------------------------------


def test_a_16_year_old_consents_herself(app, client, team) -> None:
    headers = api_token(client, "awa")
    refused = register(client, headers, adolescent(given_by="caregiver"))
    assert refused.status_code == 422
    assert refused.get_json()["error"]["fields"]["consent.given_by"] == [
        "Adolescents 15–17 give their own informed consent."
    ]
    with_assent = register(client, headers, adolescent(given_by="caregiver", assent="written"))
    assert with_assent.status_code == 422 and "consent.given_by" in with_assent.get_json()["error"]["fields"]
    assent_only = register(client, headers, adolescent(given_by="survivor", assent="oral"))
    assert assent_only.status_code == 422 and "consent.assent" in assent_only.get_json()["error"]["fields"]
    with app.app_context():
        assert db.session.scalar(select(Case)) is None


@pytest.mark.parametrize("caregiver", [None, True, False])
def test_her_own_consent_with_or_without_the_caregivers(app, client, team, caregiver) -> None:
    headers = api_token(client, "awa")
    payload = adolescent(given_by="survivor")
    if caregiver is not None:
        payload["consent"]["caregiver_consent"] = caregiver
    created = register(client, headers, payload)
    assert created.status_code == 201, created.get_json()
    case_id = created.get_json()["id"]
    [consent] = consents(app, case_id)
    assert consent.given_by == "survivor" and consent.caregiver_consent is caregiver
    detail = client.get(f"/api/v1/cases/{case_id}", headers=headers).get_json()
    assert detail["consent"]["caregiver_consent"] is caregiver


@pytest.mark.parametrize("age", [30, 9, 14, 18])
def test_a_caregivers_consent_is_refused_for_other_ages(app, client, team, age) -> None:
    payload = case_payload(age=age)
    if age < 15:
        payload["consent"].update(given_by="caregiver", assent="oral" if age < 12 else "written")
    payload["consent"]["caregiver_consent"] = True
    refused = register(client, api_token(client, "awa"), payload)
    assert refused.status_code == 422, refused.get_json()
    fields = refused.get_json()["error"]["fields"]
    assert fields == {"consent.caregiver_consent": [CAREGIVER_NOT_APPLICABLE]}


def test_a_new_consent_and_a_withdrawal_keep_the_caregivers_answer(app, client, team) -> None:
    headers = api_token(client, "awa")
    case_id = register(client, headers, adolescent(given_by="survivor")).get_json()["id"]
    consent = {**adolescent()["consent"], "caregiver_consent": True}
    changed = client.post(f"/api/v1/cases/{case_id}/consent", json=consent, headers=headers)
    assert changed.status_code == 201, changed.get_json()
    assert changed.get_json()["consent"]["caregiver_consent"] is True
    again = client.post(f"/api/v1/cases/{case_id}/consent", json=consent, headers=headers)
    assert again.status_code == 422  # nothing to change: the caregiver's answer is compared too
    instead = client.post(f"/api/v1/cases/{case_id}/consent", json={**consent, "given_by": "caregiver"},
                          headers=headers)
    assert instead.status_code == 422 and "given_by" in instead.get_json()["error"]["fields"]
    with app.test_request_context():
        user = db.session.scalar(select(User).where(User.username == "awa"))
        login_user(user)
        service.withdraw_consent(user, db.session.get(Case, case_id), "reporting")
        db.session.commit()
    assert [c.caregiver_consent for c in consents(app, case_id)] == [None, True, True]


def test_the_consent_is_in_the_openapi_document(client) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    properties = doc["paths"]["/cases"]["post"]["requestBody"]["content"]["application/json"]["schema"][
        "properties"]["consent"]["properties"]
    assert properties["caregiver_consent"]["type"] == ["boolean", "null"]


# --- the pages ----------------------------------------------------------------------------------


def test_the_registration_page_states_the_rule_by_age(app, team) -> None:
    web = client_of(app, "awa")
    page = page_text(web.get("/cases/new", headers=EN))
    for text, note in rule_texts():
        assert text in page
        if note:
            assert note in page
    assert 'name="consent.caregiver_consent"' in page
    french = page_text(web.get("/cases/new"))
    assert "15" in french[french.index('id="consent-rule"'):]  # the same list, in the reader's language


def test_registering_an_adolescent_with_her_caregivers_consent_from_the_page(app, team) -> None:
    web = client_of(app, "awa")
    fields = {
        "kind": "gbv",
        "location": "ML-5-06",
        "consent.services": "yes",
        "consent.reporting": "yes",
        "consent.given_by": "survivor",
        "consent.caregiver_consent": "yes",
        "survivor.given_name": "Kadiatou",
        "survivor.sex": "female",
        "survivor.age": "16",
    }
    created = post_form(web, "/cases/new", fields)
    assert created.status_code == 302, page_text(created)[:500]
    case_id = created.headers["Location"].rsplit("/", 1)[-1]
    assert [c.caregiver_consent for c in consents(app, case_id)] == [True]
    form = page_text(web.get(f"/cases/{case_id}/consent", headers=EN))
    assert '<option value="yes" selected>' in form  # the consent page starts from the consent in force
    changed = web.post(
        f"/cases/{case_id}/consent",
        data={"csrf_token": csrf_token(form), "consent.services": "yes", "consent.reporting": "yes",
              "consent.given_by": "survivor", "consent.caregiver_consent": "no"},
    )
    assert changed.status_code == 302
    assert [c.caregiver_consent for c in consents(app, case_id)] == [True, False]


def test_the_page_refuses_a_caregivers_consent_for_an_adult(app, team) -> None:
    web = client_of(app, "awa")
    refused = post_form(web, "/cases/new", {
        "kind": "gbv", "location": "ML-5-06", "consent.services": "yes", "consent.reporting": "yes",
        "consent.given_by": "survivor", "consent.caregiver_consent": "yes", "survivor.given_name": "Awa",
        "survivor.sex": "female", "survivor.age": "30",
    })
    assert refused.status_code == 422
    assert 'id="f-consent-caregiver_consent-err"' in page_text(refused)
    with app.app_context():
        assert db.session.scalar(select(Case)) is None
