"""Correcting records: the survivor, the case, each incident — validated like a create, audited
by field name only, shown as the case's history, refused whole when anything is wrong."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from models import AuditEvent, Case, Incident, Survivor, db

from ..conftest import api_token as token
from ..conftest import csrf_token, sign_in
from ..conftest import text as page_text
from .cases_helpers import add_incident, case_payload, make_case

EN = {"Accept-Language": "en"}



@pytest.fixture
def team(factory):
    factory.user("awa", role="caseworker", agency="ESPOIR")
    factory.user("fatou", role="supervisor", agency="ESPOIR")
    factory.user("ousmane", role="caseworker", agency="DJIGUIYA")
    factory.user("mariam", role="cluster_lead", agency=None)
    factory.user("admin", role="admin", agency=None)
    return factory


def audit_details(app, action: str) -> list[dict]:
    with app.app_context():
        return [e.details for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action == action))]


def test_correct_a_name_through_the_api(app, client, team) -> None:
    case_id = make_case(app, "awa")
    headers = token(client, "awa")
    response = client.patch(
        f"/api/v1/cases/{case_id}",
        json={"survivor": {"family_name": "Maïga-Touré", "nationality": "BF"}, "risk_level": "high"},
        headers=headers,
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["survivor"]["family_name"] == "Maïga-Touré" and body["survivor"]["nationality"] == "BF"
    assert sorted(body["changed"]) == ["risk_level", "survivor.family_name", "survivor.nationality"]
    # the blind index follows the new name: search finds it, and no longer finds the old one
    assert client.post("/api/v1/cases/search", json={"q": "Maïga-Touré"}, headers=headers).get_json()["total"] == 1
    with app.app_context():
        survivor = db.session.scalar(select(Survivor))
        assert survivor.given_name == "Aïssata" and db.session.get(Case, case_id).risk_level == "high"
    details = audit_details(app, "case.edited")
    assert details == [{"fields": ["risk_level", "survivor.family_name", "survivor.nationality"]}]
    assert "Maïga-Touré" not in json.dumps(details, ensure_ascii=False)


def test_a_correction_of_sex_or_age_reaches_the_incident_copies(app, client, team) -> None:
    case_id = make_case(app, "awa")
    incident_id = add_incident(app, "awa", case_id)
    client.patch(f"/api/v1/cases/{case_id}", json={"survivor": {"age": 15}}, headers=token(client, "awa"))
    with app.app_context():
        incident = db.session.get(Incident, incident_id)
        assert incident.age_at_incident == 15 and incident.flag_child_sexual_abuse


def test_correct_an_incident_reclassifies_it(app, client, team) -> None:
    case_id = make_case(app, "awa")
    incident_id = add_incident(app, "awa", case_id)  # a rape
    headers = token(client, "awa")
    response = client.patch(
        f"/api/v1/cases/{case_id}/incidents/{incident_id}",
        json={
            "classification": {"penetration": False, "unwanted_sexual_contact": True},
            "date_of_incident": "2026-01-03",
            "pathway": {"psychosocial": "provided_by_agency"},
        },
        headers=headers,
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["gbv_type"] == "sexual_assault" and body["date_of_incident"] == "2026-01-03"
    assert body["pathway"]["psychosocial"] == "provided_by_agency" and body["pathway"]["health"] is None
    assert body["account"] == "Sur la route du marché."  # untouched fields stay as they were
    assert set(body["changed"]) == {
        "classification.penetration", "classification.unwanted_sexual_contact", "date_of_incident",
        "pathway.psychosocial",
    }
    (details,) = audit_details(app, "incident.edited")
    assert details["reclassified"] is True and details["incident"] == incident_id
    assert client.get(f"/api/v1/cases/{case_id}", headers=headers).get_json()["care_windows"] == []


@pytest.mark.parametrize(
    ("path", "patch", "field"),
    [
        ("", {"case_code": "GBV-X"}, "case_code"),
        ("", {"kind": "cp"}, "kind"),
        ("", {"consent": {"reporting": False}}, "consent"),
        ("", {"survivor": {"given_name": "", "nickname": None}}, "survivor.given_name"),
        ("", {"survivor": {"date_of_birth": "2999-01-01"}}, "survivor.date_of_birth"),
        ("", {"survivor": {"password": "x"}}, "survivor.password"),
        ("", {"location": "ML-99"}, "location"),
        ("/incidents/{incident}", {"gbv_type": "rape"}, "gbv_type"),
        ("/incidents/{incident}", {"time_of_incident": "25:61"}, "time_of_incident"),
        ("/incidents/{incident}", {"date_of_incident": "2999-01-01"}, "date_of_incident"),
        ("/incidents/{incident}", {"perpetrator_count": 2, "perpetrators": [
            {"sex": "male", "age_group": "18-25", "relationship": "other", "primary": True},
            {"sex": "male", "age_group": "18-25", "relationship": "other", "primary": True}]}, "perpetrators"),
    ],
)
def test_bad_corrections_are_refused_whole(app, client, team, path, patch, field) -> None:
    case_id = make_case(app, "awa")
    incident_id = add_incident(app, "awa", case_id)
    url = f"/api/v1/cases/{case_id}" + path.format(incident=incident_id)
    before = client.get(f"/api/v1/cases/{case_id}", headers=token(client, "awa")).get_json()
    response = client.patch(url, json=patch, headers=token(client, "awa"))
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"], response.get_json()
    after = client.get(f"/api/v1/cases/{case_id}", headers=token(client, "awa")).get_json()
    assert after == before
    assert audit_details(app, "case.edited") == [] and audit_details(app, "incident.edited") == []


def test_a_correction_that_changes_nothing_says_so(app, client, team) -> None:
    case_id = make_case(app, "awa")
    incident_id = add_incident(app, "awa", case_id)
    headers = token(client, "awa")
    for url, patch in (
        (f"/api/v1/cases/{case_id}", {"survivor": {"given_name": "Aïssata"}}),
        (f"/api/v1/cases/{case_id}", {}),
        (f"/api/v1/cases/{case_id}/incidents/{incident_id}", {"place_type": "road"}),
    ):
        response = client.patch(url, json=patch, headers=headers)
        assert response.status_code == 422 and "Nothing to change" in response.get_json()["error"]["message"]


def test_who_may_correct_is_who_may_read(app, client, team) -> None:
    case_id = make_case(app, "awa")
    incident_id = add_incident(app, "awa", case_id)
    patch = {"survivor": {"given_name": "X"}}
    for outsider in ("ousmane", "mariam", "admin"):
        headers = token(client, outsider)
        assert client.patch(f"/api/v1/cases/{case_id}", json=patch, headers=headers).status_code in (403, 404)
        assert client.patch(
            f"/api/v1/cases/{case_id}/incidents/{incident_id}", json={"place_type": "market"}, headers=headers
        ).status_code in (403, 404)
    assert client.patch(f"/api/v1/cases/{case_id}", json=patch, headers=token(client, "fatou")).status_code == 200
    other_case = make_case(app, "ousmane", case_payload())
    assert client.patch(
        f"/api/v1/cases/{other_case}/incidents/{incident_id}", json={"place_type": "market"},
        headers=token(client, "ousmane"),
    ).status_code == 404


def test_closed_cases_are_not_corrected(app, client, team) -> None:
    case_id = make_case(app, "awa")
    with app.app_context():
        db.session.get(Case, case_id).status = "closed"
        db.session.commit()
    response = client.patch(f"/api/v1/cases/{case_id}", json={"survivor": {"given_name": "X"}},
                            headers=token(client, "awa"))
    assert response.status_code == 409


def test_correction_pages_and_the_history(app, team) -> None:
    case_id = make_case(app, "awa")
    incident_id = add_incident(app, "awa", case_id)
    web = app.test_client()
    sign_in(web, "awa")
    form = page_text(web.get(f"/cases/{case_id}/edit", headers=EN))
    assert 'value="Aïssata"' in form
    fields = dict(re_fields(form))
    fields.update({"csrf_token": csrf_token(form), "survivor.given_name": "Aïchata"})
    response = web.post(f"/cases/{case_id}/edit", data=fields, headers=EN)
    assert response.status_code == 302, page_text(response)
    form = page_text(web.get(f"/cases/{case_id}/incidents/{incident_id}/edit", headers=EN))
    fields = dict(re_fields(form))
    fields.update({"csrf_token": csrf_token(form), "date_of_incident": "2026-02-01", "step": "save"})
    response = web.post(f"/cases/{case_id}/incidents/{incident_id}/edit", data=fields, headers=EN)
    assert response.status_code == 302, page_text(response)
    page = page_text(web.get(f"/cases/{case_id}", headers=EN))
    history = page[page.index('id="history"'):]
    assert "Case corrected: Given name" in history and "Incident corrected: Date of the incident" in history
    assert "awa" in history and "Aïchata" not in history
    again = web.post(f"/cases/{case_id}/edit", data={**fields, "csrf_token": csrf_token(form)}, headers=EN)
    assert again.status_code == 422


def re_fields(page: str):
    """The values a browser would send back from a form page: inputs, selected options,
    checked radios and boxes, textareas."""
    import html as html_lib
    import re

    page = re.search(r'<form method="post" novalidate class="wide">(.*?)</form>', page, re.S).group(1)
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) == "csrf_token":
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if kind and kind.group(1) in ("radio", "checkbox") and " checked" not in tag:
            continue
        yield name.group(1), html_lib.unescape(value.group(1)) if value else ""
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        yield name, chosen.group(1) if chosen else ""
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        yield name, html_lib.unescape(body)


def test_a_new_consent_is_a_new_version_and_applies_everywhere(app, client, team) -> None:
    case_id = make_case(app, "awa")
    incident_id = add_incident(app, "awa", case_id)
    headers = token(client, "awa")
    consent = {"services": True, "reporting": False, "given_by": "survivor",
               "release": {"health": True, "psychosocial": False, "legal": True}}
    response = client.post(f"/api/v1/cases/{case_id}/consent", json=consent, headers=headers)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["consent"]["version"] == 2 and body["consent"]["release"]["legal"] is True
    with app.app_context():
        assert db.session.get(Incident, incident_id).reporting_consent is False
    again = client.post(f"/api/v1/cases/{case_id}/consent", json=consent, headers=headers)
    assert again.status_code == 422 and "Nothing to change" in again.get_json()["error"]["message"]
    refused = client.post(f"/api/v1/cases/{case_id}/consent", json={**consent, "given_by": None}, headers=headers)
    assert refused.status_code == 422 and "given_by" in refused.get_json()["error"]["fields"]
    web = app.test_client()
    sign_in(web, "awa")
    page = page_text(web.get(f"/cases/{case_id}", headers=EN))
    assert "New consent recorded" in page[page.index('id="history"'):]
    form = page_text(web.get(f"/cases/{case_id}/consent", headers=EN))
    fields = dict(re_fields(form))
    fields.update({"csrf_token": csrf_token(form), "consent.reporting": "yes"})
    assert web.post(f"/cases/{case_id}/consent", data=fields, headers=EN).status_code == 302
    with app.app_context():
        assert db.session.get(Incident, incident_id).reporting_consent is True
