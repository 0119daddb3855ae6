"""GBV cases through the app: registration with consent, encryption at rest, scope, search,
incidents with the classification tool, the PEP countdown, withdrawal of consent."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import select, text

from models import AuditEvent, Case, CaseAssignment, CaseTransfer, Incident, Survivor, User, db

from ..conftest import api_token as token
from ..conftest import captured_sql, post_form, sign_in
from ..conftest import text as page_text
from .cases_helpers import add_incident, case_payload, incident_payload, make_case

EN = {"Accept-Language": "en"}



@pytest.fixture
def team(factory):
    factory.user("awa", role="caseworker", agency="ESPOIR")
    factory.user("binta", role="caseworker", agency="ESPOIR")
    factory.user("fatou", role="supervisor", agency="ESPOIR")
    factory.user("ousmane", role="caseworker", agency="DJIGUIYA")
    factory.user("moussa", role="provider", agency="ESPOIR")
    factory.user("mariam", role="cluster_lead", agency=None)
    factory.user("admin", role="admin", agency=None)
    return factory


def test_register_through_the_api_and_read_back(app, client, team) -> None:
    headers = token(client, "awa")
    response = client.post("/api/v1/cases", json=case_payload(), headers=headers)
    assert response.status_code == 201
    created = response.get_json()
    assert created["case_code"].startswith("GBV-") and created["survivor_name"] == "Aïssata Maïga"
    detail = client.get(f"/api/v1/cases/{created['id']}", headers=headers).get_json()
    assert detail["survivor"]["phone"] == "+223 76 12 34 56"
    assert detail["consent"]["release"]["health"] is True and detail["consent"]["release"]["legal"] is False
    assert detail["region"] == "ML-7"


def test_identifying_values_never_reach_the_database_in_clear(app, team) -> None:
    case_id = make_case(app, "awa", case_payload(ethnicity="Songhaï", religion="Chrétienne"))
    add_incident(app, "awa", case_id)
    with app.app_context():
        dump = repr(
            [
                tuple(row)
                for table in ("survivors", "cases", "incidents", "audit_events", "consents")
                for row in db.session.execute(text(f"SELECT * FROM {table}"))  # noqa: S608 — fixed names
            ]
        )
        path = db.engine.url.database if db.engine.url.get_backend_name() == "sqlite" else None
    for secret in ("Aïssata", "Maïga", "76 12 34 56", "Château", "route du marché", "Songhaï", "Chrétienne"):
        assert secret not in dump
        if path:
            raw = Path(path).read_bytes()
            assert secret.encode() not in raw and secret.encode("utf-16-le") not in raw


def test_registration_page_consent_first_and_errors_keep_values(app, signed_in) -> None:
    client = signed_in("caseworker", "awa")
    page = page_text(client.get("/cases/new"))
    assert page.index("Consentement éclairé") < page.index("Prénom")
    bad = post_form(
        client,
        "/cases/new",
        {
            "kind": "gbv",
            "location": "ML-7",
            "consent.services": "no",
            "consent.reporting": "yes",
            "survivor.given_name": "Kadi",
            "survivor.sex": "female",
            "survivor.age": "30",
        },
    )
    body = page_text(bad)
    assert bad.status_code == 422
    assert "Sans consentement aux services, rien ne peut être enregistré" in body
    assert 'value="Kadi"' in body  # nothing is lost
    with app.app_context():
        assert db.session.scalar(select(Case)) is None  # and nothing half-written


def test_registration_page_creates_the_case(app, signed_in) -> None:
    client = signed_in("caseworker", "awa")
    response = post_form(
        client,
        "/cases/new",
        {
            "kind": "gbv",
            "location": "ML-5-06",
            "consent.services": "yes",
            "consent.reporting": "no",
            "consent.release.health": "yes",
            "consent.given_by": "survivor",
            "survivor.given_name": "Kadiatou",
            "survivor.sex": "female",
            "survivor.age": "19",
            "survivor.phone": "76 00 00 01",
        },
    )
    assert response.status_code == 302
    case_page = page_text(client.get(response.headers["Location"]))
    assert "Kadiatou" in case_page and "76 00 00 01" in case_page
    with app.app_context():
        case = db.session.scalar(select(Case))
        assert case.consent_services and not case.consent_reporting and case.region_code == "ML-5"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"survivor": {"sex": "unknown", "given_name": "A", "age": 20}}, "survivor.sex"),
        ({"survivor": {"sex": "female", "given_name": "A" * 500, "age": 20}}, "survivor.given_name"),
        ({"survivor": {"sex": "female", "given_name": "A\x00B", "age": 20}}, "survivor.given_name"),
        ({"survivor": {"sex": "female", "given_name": "A", "date_of_birth": "2099-01-01"}}, "survivor.date_of_birth"),
        ({"survivor": {"sex": "female", "given_name": "A", "date_of_birth": "30/11/2000"}}, "survivor.date_of_birth"),
        ({"survivor": {"sex": "female", "given_name": "A"}}, "survivor.age"),
        ({"survivor": {"sex": "female", "given_name": "A", "age": 200}}, "survivor.age"),
        ({"location": "ML-99"}, "location"),
        ({"kind": "other"}, "kind"),
        ({"consent": {"services": True}}, "consent.reporting"),
        ({"consent": {"services": "maybe", "reporting": True}}, "consent.services"),
        (
            {"consent": {"services": True, "reporting": True, "release": {"spaceship": True}}},
            "consent.release.spaceship",
        ),
    ],
)
def test_bad_case_payloads_get_field_errors(app, client, team, change, field) -> None:
    payload = case_payload()
    for key, value in change.items():
        if key == "survivor":
            payload["survivor"] = value
        else:
            payload[key] = value
    response = client.post("/api/v1/cases", json=payload, headers=token(client, "awa"))
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["error"]["fields"]
    with app.app_context():
        assert db.session.scalar(select(Case)) is None


def test_child_consent_rule_is_enforced(client, team) -> None:
    headers = token(client, "awa")
    child = case_payload(age=9)
    child["consent"]["given_by"] = "survivor"
    refused = client.post("/api/v1/cases", json=child, headers=headers)
    assert refused.status_code == 422 and "consent.given_by" in refused.get_json()["error"]["fields"]
    child["consent"].update(given_by="caregiver", assent="oral")
    assert client.post("/api/v1/cases", json=child, headers=headers).status_code == 201


def test_html_in_free_text_is_stored_as_text_and_escaped(client, team, app) -> None:
    headers = token(client, "awa")
    payload = case_payload(notes="<script>alert(1)</script>", given_name="<b>Awa</b>")
    case_id = client.post("/api/v1/cases", json=payload, headers=headers).get_json()["id"]
    assert client.get(f"/api/v1/cases/{case_id}", headers=headers).get_json()["survivor"]["notes"] == (
        "<script>alert(1)</script>"
    )
    web = app.test_client()
    sign_in(web, "awa")
    html = web.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html and "<b>Awa</b>" not in html


OUTSIDERS = ["ousmane", "moussa", "mariam", "admin"]


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_outsiders_are_refused_every_route_of_a_case(app, team, outsider) -> None:
    """Walks every route that takes a case id, as each outsider, with a valid CSRF token."""
    case_id = make_case(app, "awa")
    add_incident(app, "awa", case_id)
    web = app.test_client()
    sign_in(web, outsider)
    checked = 0
    for rule in app.url_map.iter_rules():
        if "<case_id>" not in rule.rule:
            continue
        url = rule.rule.replace("<case_id>", case_id).replace("<decision_id>", "x")
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if rule.rule.startswith("/api/"):
                response = web.open(url, method=method, json={})
                assert response.status_code == 401  # the API ignores the web session altogether
            elif method == "POST":
                response = post_form(web, "/account", {"decision": "approve", "what": "all"}, action=url)
            else:
                response = web.get(url)
            if not rule.rule.startswith("/api/"):
                assert response.status_code in (403, 404), (method, url, response.status_code)
            assert "Aïssata" not in response.get_data(as_text=True)
            checked += 1
    assert checked >= 12
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.status == "open" and case.consent_services and case.purged_at is None


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_outsiders_are_refused_every_case_page_and_call(app, client, team, outsider) -> None:
    case_id = make_case(app, "awa")
    web = app.test_client()
    sign_in(web, outsider)
    for url in (f"/cases/{case_id}", f"/cases/{case_id}/incidents/new"):
        response = web.get(url)
        assert response.status_code in (403, 404)
        assert "Aïssata" not in response.get_data(as_text=True)
    listing = web.get("/cases")
    assert listing.status_code in (403, 404) or "Aïssata" not in listing.get_data(as_text=True)
    withdraw = post_form(
        web, "/account", {"what": "all", "confirm": "yes"}, action=f"/cases/{case_id}/consent/withdraw"
    )
    assert withdraw.status_code in (403, 404)
    headers = token(client, outsider)
    for method, url, body in (
        ("GET", f"/api/v1/cases/{case_id}", None),
        ("GET", "/api/v1/cases", None),
        ("POST", f"/api/v1/cases/{case_id}/incidents", incident_payload()),
        ("POST", "/api/v1/cases", case_payload()),
    ):
        response = client.open(url, method=method, json=body, headers=headers)
        if outsider == "ousmane" and url == "/api/v1/cases":
            # another agency's caseworker may use the endpoints, and sees nothing of ours
            assert response.status_code in (200, 201)
            assert "Aïssata" not in response.get_data(as_text=True) or method == "POST"
            continue
        assert response.status_code in (403, 404), (method, url, response.status_code)
        assert "Aïssata" not in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Incident)) is None


def test_colleague_needs_assignment_supervisor_sees_the_agency(app, client, team) -> None:
    case_id = make_case(app, "awa")
    assert client.get(f"/api/v1/cases/{case_id}", headers=token(client, "binta")).status_code == 404
    assert client.get(f"/api/v1/cases/{case_id}", headers=token(client, "fatou")).status_code == 200
    with app.app_context():
        binta = db.session.query(User).filter_by(username="binta").one()
        db.session.add(CaseAssignment(case_id=case_id, user_id=binta.id))
        db.session.commit()
    assert client.get(f"/api/v1/cases/{case_id}", headers=token(client, "binta")).status_code == 200
    listed = client.get("/api/v1/cases", headers=token(client, "binta")).get_json()
    assert [c["id"] for c in listed["items"]] == [case_id]


def test_unknown_case_id_is_a_plain_404(client, team) -> None:
    response = client.get("/api/v1/cases/" + "x" * 500, headers=token(client, "awa"))
    assert response.status_code == 404
    assert response.get_json() == {"error": {"code": "not_found", "message": "This page or record does not exist."}}


@pytest.mark.parametrize("query", ["aissata", "AÏSSATA MAÏGA", "maiga", "76123456", "+223 76 12 34 56"])
def test_search_through_blind_indexes(app, client, team, query) -> None:
    target = make_case(app, "awa")
    for n in range(5):
        make_case(app, "awa", case_payload(given_name=f"Autre{n}", family_name="Traoré", phone=f"6600000{n}"))
    found = client.post("/api/v1/cases/search", json={"q": query}, headers=token(client, "awa")).get_json()
    assert [c["id"] for c in found["items"]] == [target]


def test_search_by_case_code_and_no_decryption_of_the_table(app, client, team) -> None:
    target = make_case(app, "awa")
    for n in range(5):
        make_case(app, "awa", case_payload(given_name=f"Autre{n}"))
    with app.app_context():
        code = db.session.get(Case, target).case_code
    headers = token(client, "awa")
    found = client.get("/api/v1/cases", query_string={"q": code.lower()}, headers=headers).get_json()
    assert [c["id"] for c in found["items"]] == [target]
    with captured_sql(app) as statements:
        client.post("/api/v1/cases/search", json={"q": "aissata"}, headers=headers)
    case_selects = [s for s in statements if "FROM cases" in s and "survivors" in s]
    assert case_selects and all("given_name_bidx" in s for s in case_selects)


def test_list_page_runs_a_constant_number_of_queries(app, team) -> None:
    web = app.test_client()
    sign_in(web, "awa")

    def count_queries() -> int:
        with captured_sql(app) as statements:
            assert web.get("/cases").status_code == 200
        return len(statements)

    make_case(app, "awa")
    few = count_queries()
    for n in range(12):
        make_case(app, "awa", case_payload(given_name=f"P{n}"))
    assert count_queries() == few


def test_incident_through_the_api_uses_the_classification_tool(app, client, team) -> None:
    case_id = make_case(app, "awa", case_payload(age=16))
    headers = token(client, "awa")
    body = incident_payload(
        classification={"penetration": False, "unwanted_sexual_contact": True, "physical_assault": True},
        perpetrators=[{"sex": "male", "age_group": "26-40", "relationship": "intimate_partner"}],
    )
    response = client.post(f"/api/v1/cases/{case_id}/incidents", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["gbv_type"] == "sexual_assault"
    assert created["context_flags"] == ["intimate_partner_violence", "child_sexual_abuse"]


def test_a_type_the_answers_rule_out_cannot_be_saved(app, client, team) -> None:
    case_id = make_case(app, "awa")
    headers = token(client, "awa")
    body = incident_payload(classification={"penetration": False, "physical_assault": True}, gbv_type="rape")
    refused = client.post(f"/api/v1/cases/{case_id}/incidents", json=body, headers=headers)
    assert refused.status_code == 422
    assert "classification.unwanted_sexual_contact" in refused.get_json()["error"]["fields"]
    body["classification"]["unwanted_sexual_contact"] = False
    saved = client.post(f"/api/v1/cases/{case_id}/incidents", json=body, headers=headers).get_json()
    assert saved["gbv_type"] == "physical_assault"  # the tool's answer, not the one sent


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"date_of_incident": "2099-01-01"}, "date_of_incident"),
        ({"date_of_interview": (dt.date.today() + dt.timedelta(days=2)).isoformat()}, "date_of_interview"),
        ({"time_of_day": "midnight"}, "time_of_day"),
        ({"perpetrators": [{"sex": "male", "relationship": "alien"}]}, "perpetrators.0.relationship"),
        ({"perpetrators": "one"}, "perpetrators"),
        ({"classification": {}}, "classification.penetration"),
        ({"account": "x" * 9000}, "account"),
    ],
)
def test_bad_incidents_get_field_errors(app, client, team, change, field) -> None:
    case_id = make_case(app, "awa")
    response = client.post(
        f"/api/v1/cases/{case_id}/incidents", json=incident_payload(**change), headers=token(client, "awa")
    )
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    with app.app_context():
        assert db.session.scalar(select(Incident)) is None


def test_rape_within_72_hours_shows_the_pep_countdown(app, team) -> None:
    case_id = make_case(app, "awa")
    add_incident(app, "awa", case_id, incident_payload(days_ago=1))
    web = app.test_client()
    sign_in(web, "awa")
    page = page_text(web.get(f"/cases/{case_id}"))
    assert "Urgent : référer immédiatement vers les soins de santé" in page
    assert "pour commencer la prophylaxie post-exposition (PEP) contre le VIH" in page


def test_no_countdown_after_120_hours(app, team) -> None:
    case_id = make_case(app, "awa")
    add_incident(app, "awa", case_id, incident_payload(days_ago=6))
    web = app.test_client()
    sign_in(web, "awa")
    assert "prophylaxie" not in page_text(web.get(f"/cases/{case_id}"))


def test_withdrawing_consent_applies_at_once(app, team) -> None:
    case_id = make_case(app, "awa")
    web = app.test_client()
    sign_in(web, "awa")
    response = post_form(
        web, f"/cases/{case_id}", {"what": "all", "confirm": "yes"}, action=f"/cases/{case_id}/consent/withdraw"
    )
    assert response.status_code == 302
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert not case.consent_services and not case.consent_reporting and case.consents[-1].withdrawn
        assert [c.version for c in case.consents] == [1, 2]
    assert web.get(f"/cases/{case_id}/incidents/new").status_code == 302  # no more recording


def test_reads_and_changes_are_audited_by_field_name_only(app, client, team) -> None:
    case_id = make_case(app, "awa")
    headers = token(client, "awa")
    client.get(f"/api/v1/cases/{case_id}", headers=headers)
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.target_id == case_id)).all()
        actions = [e.action for e in events]
        created = next(e for e in events if e.action == "case.created")
        dump = repr([(e.details, e.target_id) for e in events])
    assert "case.created" in actions and "case.viewed" in actions
    assert "given_name" in created.details["fields"] and "Aïssata" not in dump


def test_survivor_fields_are_bound_to_their_row(app, team) -> None:
    first, second = make_case(app, "awa"), make_case(app, "awa", case_payload(given_name="Fanta"))
    with app.app_context():
        a = db.session.scalar(select(Survivor).where(Survivor.case_id == first))
        b = db.session.scalar(select(Survivor).where(Survivor.case_id == second))
        b._given_name = a._given_name  # a DBA copies one survivor's name onto another
        from crypto import DecryptionError

        with pytest.raises(DecryptionError):
            _ = b.given_name
        db.session.rollback()


def test_what_a_case_records_hangs_off_its_kind(app, signed_in, monkeypatch) -> None:
    """The case core never asks for GBV: a kind declared without the IRF gets no incident form,
    no incident section and no care clock; registration, consent and the case page still work."""
    import dataclasses

    from app.cases import incidents, kinds
    from app.errors import Conflict

    client = signed_in("caseworker", "awa")
    rape = make_case(app, "awa", case_payload())
    add_incident(app, "awa", rape)  # recorded while the kind still had the IRF
    without_irf = dataclasses.replace(kinds.KINDS["gbv"], records_gbv_incidents=False, post_rape_care_clock=False)
    monkeypatch.setitem(kinds.KINDS, "gbv", without_irf)
    page = client.get(f"/cases/{rape}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert f"/cases/{rape}/incidents/new" not in body and 'id="incidents-h"' not in body
    refused = client.get(f"/cases/{rape}/incidents/new")
    assert refused.status_code == 302 and refused.headers["Location"].endswith(f"/cases/{rape}")
    with app.test_request_context():
        case = db.session.get(Case, rape)
        assert case is not None
        assert incidents.care_alerts(case) == [] and incidents.incident_windows(case.incidents[0]) == []
        with pytest.raises(Conflict):
            incidents.add_incident(case.owner, case, incident_payload())
    monkeypatch.undo()
    with app.test_request_context():
        case = db.session.get(Case, rape)
        assert case is not None and [w.care for w in incidents.incident_windows(case.incidents[0])] == ["pep", "ec"]
    assert 'id="incidents-h"' in client.get(f"/cases/{rape}").get_data(as_text=True)


def test_no_free_text_of_the_consent_or_the_survivor_is_stored_in_clear(app, signed_in) -> None:
    """The organisations named in the consent are free text: encrypted like names. Nationality,
    country of origin and the perpetrators' nationality are codes, never typed text."""
    client = signed_in("caseworker", "awa")
    payload = case_payload(nationality="Mali", country_of_origin="Burkina Faso")
    payload["consent"]["release_to"] = {"health": "Clinique Sahel Santé de Gao"}
    case_id = make_case(app, "awa", payload)
    add_incident(
        app,
        "awa",
        case_id,
        incident_payload(perpetrators=[{"sex": "male", "age_group": "26-40", "relationship": "no_relation",
                                         "nationality": "Niger"}]),
    )
    with app.app_context():
        dump = "".join(
            repr(db.session.execute(text(f"SELECT * FROM {table}")).all())  # noqa: S608 — fixed table names
            for table in ("consents", "survivors", "perpetrators", "incidents", "cases", "audit_events")
        )
        survivor = db.session.scalar(select(Survivor).where(Survivor.case_id == case_id))
        assert (survivor.nationality, survivor.country_of_origin) == ("ML", "BF")
        case = db.session.get(Case, case_id)
        assert case.current_consent.release_to == {"health": "Clinique Sahel Santé de Gao"}
        assert case.incidents[0].perpetrators[0].nationality == "NE"
    assert "Clinique" not in dump and "Burkina" not in dump and "Niger" not in dump
    consent_page = client.get(f"/cases/{case_id}/consent")
    assert "Clinique Sahel Santé de Gao" in consent_page.get_data(as_text=True)


def test_names_and_phones_are_searched_in_the_body_never_in_a_url(app, client, team) -> None:
    """The finding: /cases?q=<name> put the survivor's name in access logs and browser history."""
    target = make_case(app, "awa")
    headers = token(client, "awa")
    for query in ("Aïssata", "76123456"):
        in_url = client.get("/api/v1/cases", query_string={"q": query}, headers=headers)
        assert in_url.status_code == 422 and "POST /cases/search" in in_url.get_json()["error"]["fields"]["q"][0]
    web = app.test_client()
    sign_in(web, "awa")
    page = web.get("/cases").get_data(as_text=True)
    assert re.search(r'<form method="post" action="/cases" class="filters" role="search"[^>]*>', page)
    found = post_form(web, "/cases", {"q": "Aïssata"})
    assert found.status_code == 200 and f"/cases/{target}" in found.get_data(as_text=True)
    # An old link with a term in its URL searches nothing: the plain list, every case shown.
    assert f"/cases/{target}" in web.get("/cases?q=zzz").get_data(as_text=True)
    # Filters alone come back as a plain list URL, without any search term.
    filtered = post_form(web, "/cases", {"q": "", "status": "open", "overdue": "1"})
    assert filtered.status_code == 302 and "q=" not in filtered.headers["Location"]
    assert "status=open" in filtered.headers["Location"] and "overdue=1" in filtered.headers["Location"]


def test_blind_indexes_do_not_link_a_survivor_across_agencies(app, client, team) -> None:
    """The finding: the three 12-bit indexes (given name, family name, phone) of one person
    registered by two agencies were equal in a dump, a fingerprint that linked her records."""
    team.user("sidi", role="supervisor", agency="DJIGUIYA")
    here = make_case(app, "awa")
    there = make_case(app, "ousmane")
    with app.app_context():
        triples = {
            s.case_id: (s.given_name_bidx, s.family_name_bidx, s.phone_bidx)
            for s in db.session.scalars(select(Survivor))
        }
    assert triples[here] != triples[there]
    assert all(a != b for a, b in zip(triples[here], triples[there], strict=True))
    # Each agency still finds its own survivor, and only its own.
    for user, case_id in (("awa", here), ("ousmane", there)):
        found = client.post("/api/v1/cases/search", json={"q": "Aïssata Maïga"}, headers=token(client, user))
        assert [c["id"] for c in found.get_json()["items"]] == [case_id]
    # A transferred case is found by its new agency: its indexes follow it.
    web = app.test_client()
    sign_in(web, "awa")
    asked = post_form(web, f"/cases/{here}/transfer", {"agency": "DJIGUIYA", "consent": "yes"})
    assert asked.status_code == 302
    with app.app_context():
        transfer_id = db.session.scalar(select(CaseTransfer.id))
    sidi = app.test_client()
    sign_in(sidi, "sidi")
    assert post_form(sidi, "/cases", {}, action=f"/transfers/{transfer_id}/accept").status_code == 302
    found = client.post("/api/v1/cases/search", json={"q": "76 12 34 56"}, headers=token(client, "sidi"))
    assert sorted(c["id"] for c in found.get_json()["items"]) == sorted([here, there])
