"""Child protection cases: registration through the API and the pages, the response clock, the
MRM violations a case documents, and the rules only a CP case has."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select, text

from models import AuditEvent, Case, ChildConcern, ChildProfile, GraveViolation, db

from ..conftest import api_token
from .cases_helpers import case_payload, cp_case_payload


def _post(client: Any, headers: dict[str, str], payload: dict[str, Any]) -> Any:
    return client.post("/api/v1/cases", json=payload, headers=headers)


def test_a_separated_child_at_high_risk_is_registered_with_a_24_hour_clock(app, client, factory) -> None:
    factory.user("awa")
    token = api_token(client, "awa")
    payload = cp_case_payload()
    payload["grave_violations"] = [
        {
            "violation": "recruitment_use",
            "date": (dt.date.today() - dt.timedelta(days=40)).isoformat(),
            "perpetrator": "armed_group",
        },
    ]
    payload["protection_concerns"] = ["separated", "associated_with_armed_groups"]
    created = _post(client, token, payload)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["case_code"].startswith("CP-") and body["risk_level"] == "high"
    detail = client.get(f"/api/v1/cases/{body['id']}", headers=token).get_json()
    cp = detail["child_protection"]
    assert cp["protection_concerns"] == ["separated", "associated_with_armed_groups"]
    assert [v["violation"] for v in cp["grave_violations"]] == ["recruitment_use"]
    first = next(c for c in cp["clocks"] if c["clock"] == "first_action")
    assert first["overdue"] is False and 23 <= first["hours_left"] <= 24
    due = dt.datetime.fromisoformat(cp["first_action_due"])
    assert (
        dt.timedelta(hours=23, minutes=59)
        < due - dt.datetime.fromisoformat(body["created_at"])
        <= dt.timedelta(hours=24)
    )
    assert detail["incidents"] == [] and detail["care_windows"] == []
    with app.app_context():
        violation = db.session.scalars(select(GraveViolation)).one()
        assert violation.region_code == "ML-7" and violation.reporting_consent is True
        created_event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case.created")).one()
        assert created_event.details["child_protection"]["concerns"] == ["separated", "associated_with_armed_groups"]
        assert "Moussa" not in str(created_event.details)


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda p: p["survivor"].pop("caregiver_name"), "no_caregiver_reason", "caregiver"),
        (lambda p: p.update(protection_concerns=[]), "protection_concerns", "at least one"),
        (lambda p: p.update(protection_concerns=["separated", "orphan"]), "protection_concerns", "not in the list"),
        (lambda p: p.pop("risk_level"), "risk_level", "Choose"),
        (lambda p: p["survivor"].update(age=19), "survivor.age", "under 18"),
        (lambda p: p["survivor"].update(age=13, date_of_birth="2010-01-01"), "survivor.age", "does not match"),
        (
            lambda p: p.update(
                grave_violations=[{"violation": "looting", "date": "2026-01-01", "perpetrator": "unknown"}]
            ),
            "grave_violations.0.violation",
            "not in the list",
        ),
        (
            lambda p: p.update(
                grave_violations=[{"violation": "abduction", "date": "2999-01-01", "perpetrator": "unknown"}]
            ),
            "grave_violations.0.date",
            "future",
        ),
        (lambda p: p.update(no_caregiver_reason="unaccompanied"), "no_caregiver_reason", "caregiver is named"),
    ],
)
def test_a_cp_case_with_bad_input_gets_a_clear_error_and_nothing_is_saved(
    app, client, factory, change, field, words
) -> None:
    factory.user("awa")
    payload = cp_case_payload()
    change(payload)
    refused = _post(client, api_token(client, "awa"), payload)
    assert refused.status_code == 422, refused.get_json()
    messages = refused.get_json()["error"]["fields"][field]
    assert any(words in m for m in messages), messages
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Case)) == 0
        assert db.session.scalar(select(db.func.count()).select_from(ChildProfile)) == 0


def test_the_error_is_in_the_callers_language(client, factory) -> None:
    factory.user("awa")
    payload = cp_case_payload()
    payload["survivor"].pop("caregiver_name")
    refused = client.post("/api/v1/cases", json=payload, headers={**api_token(client, "awa"), "Accept-Language": "fr"})
    assert refused.status_code == 422
    assert "prend soin de l'enfant" in " ".join(refused.get_json()["error"]["fields"]["no_caregiver_reason"])


def test_an_unaccompanied_child_needs_the_reason_instead_of_a_caregiver(app, client, factory) -> None:
    factory.user("awa")
    payload = cp_case_payload()
    payload["survivor"].pop("caregiver_name")
    payload["survivor"].pop("caregiver_phone")
    payload.update(no_caregiver_reason="unaccompanied", protection_concerns=["unaccompanied"], risk_level="medium")
    payload["consent"].update(given_by="caseworker")
    created = _post(client, api_token(client, "awa"), payload)
    assert created.status_code == 201, created.get_json()
    with app.app_context():
        profile = db.session.scalars(select(ChildProfile)).one()
        assert profile.no_caregiver_reason == "unaccompanied"
        assert [c.concern for c in db.session.scalars(select(ChildConcern))] == ["unaccompanied"]
        case = db.session.get(Case, created.get_json()["id"])
        assert case is not None
        assert profile.first_action_due - case.created_at == dt.timedelta(days=3)


def test_a_gbv_case_refuses_cp_fields_rather_than_dropping_them(client, factory) -> None:
    factory.user("awa")
    payload = case_payload()
    payload["protection_concerns"] = ["separated"]
    refused = _post(client, api_token(client, "awa"), payload)
    assert refused.status_code == 422
    assert "protection_concerns" in refused.get_json()["error"]["fields"]


def test_a_cp_case_records_no_gbv_incident(client, factory) -> None:
    factory.user("awa")
    token = api_token(client, "awa")
    case_id = _post(client, token, cp_case_payload()).get_json()["id"]
    refused = client.post(f"/api/v1/cases/{case_id}/incidents", json={"date_of_incident": "2026-01-01"}, headers=token)
    assert refused.status_code == 409


def test_the_cp_registration_leaves_no_identifying_text_in_clear(app, client, factory) -> None:
    factory.user("awa")
    _post(client, api_token(client, "awa"), cp_case_payload())
    with app.app_context():
        rows = db.session.execute(text("select given_name, caregiver_name, caregiver_phone from survivors")).all()
        assert rows and all(b"Moussa" not in bytes(r[0]) and b"Fanta" not in bytes(r[1]) for r in rows)


def test_the_registration_page_registers_a_child_and_shows_the_clock(app, signed_in) -> None:
    from ..conftest import post_form
    from ..conftest import text as page_text

    client = signed_in("caseworker", "awa")
    page = client.get("/cases/new?kind=cp")
    assert page.status_code == 200 and 'name="protection_concerns.separated"' in page_text(page)
    form = {
        "kind": "cp",
        "location": "ML-7-03",
        "survivor.given_name": "Moussa",
        "survivor.sex": "male",
        "survivor.age": "13",
        "survivor.caregiver_name": "Fanta",
        "protection_concerns.separated": "yes",
        "risk_level": "high",
        "consent.services": "yes",
        "consent.reporting": "yes",
        "consent.given_by": "caregiver",
        "consent.assent": "written",
        "grave_violations.0.violation": "",
        "grave_violations.0.date": "",
        "grave_violations.0.perpetrator": "",
    }
    refused = post_form(client, "/cases/new?kind=cp", {**form, "survivor.caregiver_name": ""}, action="/cases/new")
    assert refused.status_code == 422
    body = page_text(refused)
    assert "ou pourquoi il n'y en a pas" in body and 'name="protection_concerns.separated" value="yes" checked' in body
    done = post_form(client, "/cases/new?kind=cp", form, action="/cases/new")
    assert done.status_code == 302, page_text(done)
    shown = page_text(client.get(done.headers["Location"]))
    assert "Enfant séparé" in shown and "Première action due dans les 24 heures" in shown


def test_a_cp_case_is_assessed_planned_reviewed_and_closed_with_its_own_lists(app, factory) -> None:
    """Assessment per domain of the child's needs, plan rows with service, provider and
    timeframe approved by a supervisor who did not write them, a review that resets the review
    clock, closure for a CP reason approved by a supervisor."""
    from app.referrals.directory_admin import upsert_provider
    from models import ActionPlan

    from ..conftest import client_of, post_form
    from .cases_helpers import make_case

    factory.user("awa")
    factory.user("fatou", role="supervisor")
    factory.user("aminata", role="supervisor")
    factory.agency("CICR")
    with app.app_context():
        provider_id = upsert_provider(
            {
                "code": "CICR-GAO",
                "name": "CICR Gao",
                "agency": "CICR",
                "services": "family_tracing",
                "locations": "ML-7",
                "serves_children": True,
            }
        ).id
        db.session.commit()
    case_id = make_case(app, "awa", cp_case_payload())
    page = f"/cases/{case_id}"
    awa, fatou, aminata = client_of(app, "awa"), client_of(app, "fatou"), client_of(app, "aminata")

    assert "Famille et prise en charge" in awa.get(f"{page}/assessment").get_data(as_text=True)
    done = post_form(
        awa,
        f"{page}/assessment",
        {"needs.family": "yes", "risk_level": "high", "safety_plan": "Reste chez la tante, appelle le CICR"},
    )
    assert done.status_code == 302
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.assessments[-1].needs == {**dict.fromkeys(case.assessments[-1].needs, False), "family": True}
        assert case.child_profile.first_action_at is not None  # the clock stopped
    refused = post_form(awa, f"{page}/plan", {"goals.0.area": "health_care", "goals.0.goal": "x"})
    assert refused.status_code == 422
    saved = post_form(
        awa,
        f"{page}/plan",
        {
            "goals.0.area": "family",
            "goals.0.goal": "Retrouver la mère",
            "goals.0.service_type": "family_tracing",
            "goals.0.provider_id": provider_id,
            "goals.0.timeframe": "1_week",
        },
    )
    assert saved.status_code == 302
    post_form(awa, page, {}, action=f"{page}/plan/submit")
    assert post_form(fatou, page, {"decision": "approve"}, action=f"{page}/plan/decide").status_code == 302
    with app.app_context():
        plan = db.session.scalars(select(ActionPlan).where(ActionPlan.case_id == case_id)).one()
        assert plan.status == "approved" and plan.goals[0].provider_id == provider_id
        assert plan.goals[0].service_type == "family_tracing" and plan.goals[0].timeframe == "1_week"

    # A supervisor who wrote the next version cannot approve it: another one must.
    post_form(fatou, f"{page}/plan", {"goals.0.area": "education", "goals.0.goal": "Inscription à l'école"})
    post_form(fatou, page, {}, action=f"{page}/plan/submit")
    assert post_form(fatou, page, {"decision": "approve"}, action=f"{page}/plan/decide").status_code == 409
    assert post_form(aminata, page, {"decision": "approve"}, action=f"{page}/plan/decide").status_code == 302

    review_day = dt.date.today() - dt.timedelta(days=1)
    reviewed = post_form(
        awa, f"{page}/follow-ups/new", {"date": review_day.isoformat(), "risk_level": "medium", "purpose": "review"}
    )
    assert reviewed.status_code == 302
    with app.app_context():
        assert db.session.get(Case, case_id).child_profile.next_review == review_day + dt.timedelta(days=90)

    refused = post_form(awa, f"{page}/closure", {"reason": "needs_met", "checklist.told_can_come_back": "yes"})
    assert refused.status_code == 422  # a GBV reason on a CP case
    asked = post_form(
        awa,
        f"{page}/closure",
        {"reason": "turned_18", "checklist.told_can_come_back": "yes", "checklist.safety_plan_reviewed": "yes"},
    )
    assert asked.status_code == 302
    with app.app_context():
        from models import CaseDecision

        decision_id = db.session.scalars(select(CaseDecision.id).where(CaseDecision.case_id == case_id)).one()
    approved = post_form(
        fatou, page, {"decision": "approve", "confirm": "yes"}, action=f"{page}/decisions/{decision_id}"
    )
    assert approved.status_code == 302
    with app.app_context():
        assert db.session.get(Case, case_id).status == "closed"


def test_violations_are_recorded_after_registration_and_removed_when_wrong(app, factory) -> None:
    from ..conftest import client_of, post_form
    from .cases_helpers import make_case

    factory.user("awa")
    case_id = make_case(app, "awa", cp_case_payload())
    page = f"/cases/{case_id}"
    awa = client_of(app, "awa")
    refused = post_form(
        awa,
        f"{page}/violations",
        {"grave_violations.0.violation": "abduction", "grave_violations.0.date": "2026-01-05"},
    )
    assert refused.status_code == 422  # the perpetrator category is asked
    nothing = post_form(awa, f"{page}/violations", {})
    assert nothing.status_code == 422
    done = post_form(
        awa,
        f"{page}/violations",
        {
            "grave_violations.0.violation": "abduction",
            "grave_violations.0.date": "2026-01-05",
            "grave_violations.0.perpetrator": "armed_group",
        },
    )
    assert done.status_code == 302
    with app.app_context():
        row = db.session.scalars(select(GraveViolation)).one()
        assert (row.violation, row.perpetrator, row.region_code) == ("abduction", "armed_group", "ML-7")
        row_id = row.id
    removed = post_form(awa, page, {}, action=f"{page}/violations/{row_id}/remove")
    assert removed.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(GraveViolation)) == 0
        actions = set(db.session.scalars(select(AuditEvent.action)))
        assert {"cp.violations_recorded", "cp.violation_removed"} <= actions


def test_a_withdrawn_consent_to_statistics_reaches_the_violations(app, factory) -> None:
    from ..conftest import client_of, post_form
    from .cases_helpers import make_case

    factory.user("awa")
    payload = cp_case_payload()
    payload["grave_violations"] = [{"violation": "killing_maiming", "date": "2026-02-01", "perpetrator": "unknown"}]
    case_id = make_case(app, "awa", payload)
    awa = client_of(app, "awa")
    post_form(
        awa, f"/cases/{case_id}", {"what": "reporting", "confirm": "yes"}, action=f"/cases/{case_id}/consent/withdraw"
    )
    with app.app_context():
        assert db.session.scalars(select(GraveViolation.reporting_consent)).one() is False


def test_a_childs_gbv_and_cp_cases_are_linked_without_exposing_either_outside_its_scope(app, factory) -> None:
    from ..conftest import client_of, post_form
    from ..conftest import text as page_text
    from .cases_helpers import make_case

    factory.user("awa")  # GBV caseworker
    factory.user("binta")  # CP caseworker, same agency, not assigned to the GBV case
    factory.user("ousmane", agency="DJIGUIYA")
    child_gbv = case_payload(age=13, caregiver_name="Fanta")
    child_gbv["consent"].update(given_by="caregiver", assent="written")
    gbv_id = make_case(app, "awa", child_gbv)
    cp_id = make_case(app, "binta", cp_case_payload())
    other_agency_cp = make_case(app, "ousmane", cp_case_payload())
    with app.app_context():
        gbv_code = db.session.get(Case, gbv_id).case_code
        cp_code = db.session.get(Case, cp_id).case_code
        foreign_code = db.session.get(Case, other_agency_cp).case_code
    binta, awa = client_of(app, "binta"), client_of(app, "awa")
    # Binta cannot read the GBV case: its code is answered like an unknown one.
    refused = post_form(binta, f"/cases/{cp_id}/links", {"case_code": gbv_code})
    unknown = post_form(binta, f"/cases/{cp_id}/links", {"case_code": "GBV-2026-ZZZZZZ"})
    assert refused.status_code == unknown.status_code == 422

    def error_of(response: Any) -> str:
        body = page_text(response)
        return body[body.index('class="errors"') :].split("</ul>")[0]

    assert error_of(refused) == error_of(unknown)
    # Awa links from her GBV case to a CP case she cannot read: refused the same way, and a
    # foreign agency's case too.
    assert post_form(awa, f"/cases/{gbv_id}/links", {"case_code": cp_code}).status_code == 422
    assert post_form(awa, f"/cases/{gbv_id}/links", {"case_code": foreign_code}).status_code == 422
    # A supervisor reads both and links them.
    factory.user("fatou", role="supervisor")
    fatou = client_of(app, "fatou")
    assert post_form(fatou, f"/cases/{gbv_id}/links", {"case_code": cp_code}).status_code == 302
    assert post_form(fatou, f"/cases/{gbv_id}/links", {"case_code": cp_code}).status_code == 409
    assert cp_code in page_text(fatou.get(f"/cases/{gbv_id}"))
    assert gbv_code in page_text(fatou.get(f"/cases/{cp_id}"))
    # Each caseworker sees no trace of the other's case.
    assert gbv_code not in page_text(binta.get(f"/cases/{cp_id}"))
    assert cp_code not in page_text(awa.get(f"/cases/{gbv_id}"))


def test_the_api_records_violations_and_links(app, client, factory) -> None:
    factory.user("awa", role="supervisor")
    headers = api_token(client, "awa")
    cp_id = _post(client, headers, cp_case_payload()).get_json()["id"]
    gbv = case_payload(age=13)
    gbv["consent"].update(given_by="caregiver", assent="written")
    gbv_code = _post(client, headers, gbv).get_json()["case_code"]
    bad = client.post(
        f"/api/v1/cases/{cp_id}/grave-violations",
        headers=headers,
        json={"grave_violations": [{"violation": "looting", "date": "2026-01-01", "perpetrator": "unknown"}]},
    )
    assert bad.status_code == 422 and "grave_violations.0.violation" in bad.get_json()["error"]["fields"]
    good = client.post(
        f"/api/v1/cases/{cp_id}/grave-violations",
        headers=headers,
        json={"grave_violations": [{"violation": "abduction", "date": "2026-01-01", "perpetrator": "armed_group"}]},
    )
    assert good.status_code == 201 and good.get_json()["grave_violations"][0]["violation"] == "abduction"
    linked = client.post(f"/api/v1/cases/{cp_id}/links", headers=headers, json={"case_code": gbv_code})
    assert linked.status_code == 201 and linked.get_json()["linked_case_code"] == gbv_code


def test_a_cluster_lead_is_created_for_one_sub_cluster(app) -> None:
    from app.admin.service import create_user
    from app.errors import ValidationFailed
    from models import User

    with app.test_request_context():
        with pytest.raises(ValidationFailed) as missing:
            create_user("lead.one", "cluster_lead", None, "a long enough password 2026")
        assert "sub_cluster" in (missing.value.fields or {})
        with pytest.raises(ValidationFailed) as wrong:
            create_user("caseworker.one", "caseworker", None, "a long enough password 2026", sub_cluster="cp")
        assert "sub_cluster" in (wrong.value.fields or {})
        lead = create_user("lead.two", "cluster_lead", None, "a long enough password 2026", sub_cluster="CP")
        db.session.commit()
        assert db.session.get(User, lead.id).sub_cluster == "cp"


@pytest.mark.parametrize("reporting", [True, False])
def test_an_erased_cp_case_leaves_its_violations_coarse_and_only_with_consent(app, factory, reporting) -> None:
    """Like the incidents of an erased GBV case: the MRM rows the child allowed in statistics
    survive under an anonymous case row, dated to their month; without consent, nothing."""
    from models import CaseDecision, CaseLink, ChildProfile

    from ..conftest import client_of, post_form
    from .cases_helpers import make_case

    factory.user("awa")
    factory.user("fatou", role="supervisor")
    factory.user("aminata", role="supervisor")
    payload = cp_case_payload()
    payload["consent"]["reporting"] = reporting
    payload["grave_violations"] = [{"violation": "abduction", "date": "2026-03-17", "perpetrator": "armed_group"}]
    case_id = make_case(app, "awa", payload)
    page = f"/cases/{case_id}"
    fatou, aminata = client_of(app, "fatou"), client_of(app, "aminata")
    post_form(fatou, page, {"confirm": "yes"}, action=f"{page}/purge")
    with app.app_context():
        decision_id = db.session.scalar(select(CaseDecision.id).where(CaseDecision.case_id == case_id))
    assert (
        post_form(
            aminata, page, {"decision": "approve", "confirm": "yes"}, action=f"{page}/decisions/{decision_id}"
        ).status_code
        == 302
    )
    with app.app_context():
        assert db.session.get(Case, case_id) is None
        assert db.session.scalar(select(db.func.count()).select_from(ChildProfile)) == 0
        assert db.session.scalar(select(db.func.count()).select_from(CaseLink)) == 0
        kept = db.session.scalars(select(GraveViolation)).all()
        if not reporting:
            assert kept == []
        else:
            assert [(v.violation, v.date) for v in kept] == [("abduction", dt.date(2026, 3, 1))]
            remains = db.session.get(Case, kept[0].case_id)
            assert remains is not None and remains.case_code.startswith("ERASED-") and remains.purged_at is not None


def test_a_child_is_referred_only_to_services_that_serve_children(app, client, factory) -> None:
    from app.referrals.directory_admin import upsert_provider

    factory.user("awa")
    factory.agency("ETAT")
    with app.app_context():
        adults = upsert_provider(
            {
                "code": "EC-ADULTES",
                "name": "État civil (adultes)",
                "agency": "ETAT",
                "services": "civil_documentation",
                "locations": "ML-7",
                "serves_children": False,
            }
        ).id
        children = upsert_provider(
            {
                "code": "EC-GAO",
                "name": "Centre d'état civil de Gao",
                "agency": "ETAT",
                "services": "civil_documentation;alternative_care",
                "locations": "ML-7",
                "serves_children": True,
            }
        ).id
        db.session.commit()
    headers = api_token(client, "awa")
    case_id = _post(client, headers, cp_case_payload()).get_json()["id"]
    body = {"service_type": "civil_documentation", "share": ["given_name", "age"]}
    refused = client.post(f"/api/v1/cases/{case_id}/referrals", json={**body, "provider_id": adults}, headers=headers)
    assert refused.status_code == 422 and "provider_id" in refused.get_json()["error"]["fields"]
    # Civil documentation is covered by the consent to legal services, which this child has not given.
    withheld = client.post(
        f"/api/v1/cases/{case_id}/referrals", json={**body, "provider_id": children}, headers=headers
    )
    assert withheld.status_code in (409, 422)
    sent = client.post(
        f"/api/v1/cases/{case_id}/referrals",
        headers=headers,
        json={"service_type": "alternative_care", "provider_id": children, "share": ["given_name"]},
    )
    assert sent.status_code == 201, sent.get_json()
    with app.app_context():
        assert db.session.get(Case, case_id).child_profile.first_action_at is not None


def test_a_new_high_risk_child_is_never_pushed_off_the_clocks_by_older_work(app, factory) -> None:
    """25 older cases with reviews due this week must not hide today's 24-hour clock."""
    from app.cp.profile import due_clocks
    from models import ChildProfile, User

    from .cases_helpers import make_case

    factory.user("awa")
    older = [make_case(app, "awa", cp_case_payload(given_name=f"Enfant{n}")) for n in range(25)]
    with app.app_context():
        for profile in db.session.scalars(select(ChildProfile).where(ChildProfile.case_id.in_(older))):
            profile.first_action_at = profile.first_action_due
            profile.next_review = dt.date.today() - dt.timedelta(days=3)
        db.session.commit()
    newest = make_case(app, "awa", cp_case_payload(given_name="Nouveau"))
    with app.test_request_context():
        awa = db.session.scalars(select(User).where(User.username == "awa")).one()
        clocks = due_clocks(awa)
        assert clocks[0].case.id == newest and clocks[0].what == "first_action"
        assert sum(c.what == "review" for c in clocks) == 20  # bounded per clock


def test_the_last_writer_of_a_plan_cannot_approve_it(app, factory) -> None:
    from ..conftest import client_of, post_form
    from .cases_helpers import make_case

    factory.user("awa")
    factory.user("fatou", role="supervisor")
    case_id = make_case(app, "awa", cp_case_payload())
    page = f"/cases/{case_id}"
    awa, fatou = client_of(app, "awa"), client_of(app, "fatou")
    post_form(awa, f"{page}/plan", {"goals.0.area": "family", "goals.0.goal": "Retrouver la mère"})
    # The supervisor rewrites the caseworker's draft: she is its author now.
    post_form(fatou, f"{page}/plan", {"goals.0.area": "education", "goals.0.goal": "Inscrire à l'école"})
    post_form(fatou, page, {}, action=f"{page}/plan/submit")
    assert post_form(fatou, page, {"decision": "approve"}, action=f"{page}/plan/decide").status_code == 409


def test_a_cp_plan_names_only_providers_that_serve_the_child(app, factory) -> None:
    from app.referrals.directory_admin import upsert_provider

    from ..conftest import client_of, post_form
    from .cases_helpers import make_case

    factory.user("awa")
    factory.agency("ABRI")
    with app.app_context():
        adults = upsert_provider(
            {
                "code": "ABRI-ADULTES",
                "name": "Abri (adultes)",
                "agency": "ABRI",
                "services": "shelter",
                "locations": "ML-7",
                "serves_children": False,
            }
        ).id
        db.session.commit()
    case_id = make_case(app, "awa", cp_case_payload())
    refused = post_form(
        client_of(app, "awa"),
        f"/cases/{case_id}/plan",
        {"goals.0.area": "safety", "goals.0.goal": "Abri", "goals.0.provider_id": adults},
    )
    assert refused.status_code == 422


def test_odd_row_numbers_are_refused_not_crashed(client, factory) -> None:
    factory.user("awa")
    payload = cp_case_payload()
    payload["grave_violations"] = {"²": {"violation": "abduction"}}
    refused = _post(client, api_token(client, "awa"), payload)
    assert refused.status_code == 422


def test_a_correction_keeps_a_cp_case_a_child_with_a_caregiver_and_moves_its_clocks(app, client, factory) -> None:
    factory.user("awa")
    headers = api_token(client, "awa")
    payload = cp_case_payload()
    payload["risk_level"] = "low"
    case_id = _post(client, headers, payload).get_json()["id"]
    url = f"/api/v1/cases/{case_id}"
    adult = client.patch(url, json={"survivor": {"age": 19}}, headers=headers)
    assert adult.status_code == 422 and "survivor.age" in adult.get_json()["error"]["fields"]
    orphaned = client.patch(url, json={"survivor": {"caregiver_name": None}}, headers=headers)
    assert orphaned.status_code == 422 and "survivor.caregiver_name" in orphaned.get_json()["error"]["fields"]
    with app.app_context():
        before = db.session.get(Case, case_id).child_profile.first_action_due
    assert client.patch(url, json={"risk_level": "high"}, headers=headers).status_code == 200
    born = (dt.date.today().replace(year=dt.date.today().year - 14) - dt.timedelta(days=3)).isoformat()
    assert client.patch(url, json={"survivor": {"date_of_birth": born}}, headers=headers).status_code == 200
    with app.app_context():
        profile = db.session.get(Case, case_id).child_profile
        assert profile.first_action_due < before  # high risk: due within 24 h, not a week
        assert profile.turns_18_on == dt.date.fromisoformat(born).replace(year=dt.date.fromisoformat(born).year + 18)
