"""Best interests (BIA, BID and the panel's decision), family tracing and reunification, and care
arrangements of a child protection case — through the pages and the API, as caseworker and
supervisors: rules, refusals with nothing saved, encryption at rest, audit, scope."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import func, select, text

from app import clock
from models import (
    AuditEvent,
    BestInterests,
    CareArrangement,
    Case,
    ChildConcern,
    FollowUp,
    Separation,
    TracingStep,
    User,
    db,
)

from ..conftest import api_token, client_of, post_form
from ..conftest import text as page_text
from .cases_helpers import cp_case_payload, make_case

TODAY = dt.date.today()


def days_ago(n: int) -> str:
    return (TODAY - dt.timedelta(days=n)).isoformat()


@pytest.fixture
def team(factory):
    # English pages: the French catalogue of these messages is filled later.
    factory.user("awa", role="caseworker", agency="ESPOIR", language="en")
    factory.user("fatou", role="supervisor", agency="ESPOIR", language="en")
    factory.user("aminata", role="supervisor", agency="ESPOIR", language="en")
    factory.user("ousmane", role="supervisor", agency="DJIGUIYA", language="en")
    factory.user("idrissa", role="caseworker", agency="DJIGUIYA", language="en")
    return factory


@pytest.fixture
def case_id(app, team) -> str:
    """A separated 13-year-old's CP case, owned by awa."""
    return make_case(app, "awa", cp_case_payload())


def count(app, model: Any) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def raw_column(app, sql: str) -> list[bytes]:
    with app.app_context():
        return [bytes(row[0]) for row in db.session.execute(text(sql)) if row[0] is not None]


def audit_entries(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))
        for row in rows:
            db.session.expunge(row)
        return rows


def user_id(app, username: str) -> str:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


BIA = {
    "priority": "1_week",
    "child_views": "Moussa veut retrouver sa mère à Ansongo.",
    "recommendation": "reunification",
    "summary": "Oncle à Gao prêt à l'accueillir.",
}


# Best interests ------------------------------------------------------------------------------


def test_a_determination_rests_on_an_assessment(app, case_id) -> None:
    awa = client_of(app, "awa")
    page = f"/cases/{case_id}/best-interests/determination"
    assert "record the BIA first" in page_text(awa.get(page))
    refused = post_form(awa, page, {"recommendation": "reunification", "summary": "Présenté au panel"})
    assert refused.status_code == 422
    body = page_text(refused)
    assert "A best interests determination rests on an assessment: record the BIA first." in body
    assert "Présenté au panel" in body  # what was typed is still there
    assert count(app, BestInterests) == 0
    assert audit_entries(app, "cp.bid_submitted") == []


def test_assessment_errors_keep_what_was_typed_and_save_nothing(app, case_id) -> None:
    awa = client_of(app, "awa")
    refused = post_form(awa, f"/cases/{case_id}/best-interests/assessment",
                        {"summary": "Notes du BIA", "priority": "x"})
    assert refused.status_code == 422
    body = page_text(refused)
    assert "Notes du BIA" in body and "This option is not in the list." in body and "This field is required." in body
    assert count(app, BestInterests) == 0


def test_assessment_then_determination_then_the_panel(app, case_id) -> None:
    awa, fatou, aminata = client_of(app, "awa"), client_of(app, "fatou"), client_of(app, "aminata")
    base = f"/cases/{case_id}/best-interests"
    assert post_form(awa, f"{base}/assessment", BIA).status_code == 302
    # The child's views are stored as ciphertext, never as the text typed.
    stored = raw_column(app, "select child_views from best_interests")
    assert stored and all(b"Ansongo" not in value for value in stored)
    assert all(b"Oncle" not in value for value in raw_column(app, "select summary from best_interests"))
    entry = audit_entries(app, "cp.bia_recorded")[0]
    assert entry.target_id == case_id and set(entry.details["fields"]) == set(BIA)
    assert "Ansongo" not in json.dumps(entry.details) and "1_week" not in json.dumps(entry.details)

    # The BID, submitted by a supervisor, carries its recommendation and rests on the BIA.
    form = page_text(fatou.get(f"{base}/determination"))
    assert "The assessment it rests on" in form
    submitted = post_form(fatou, f"{base}/determination", {"recommendation": "reunification", "summary": "Dossier"})
    assert submitted.status_code == 302
    with app.app_context():
        bia = db.session.scalar(select(BestInterests).where(BestInterests.kind == "bia"))
        bid = db.session.scalar(select(BestInterests).where(BestInterests.kind == "bid"))
        assert bid.assessment_id == bia.id and bid.recommendation == "reunification" and bid.panel_decision is None
        bid_id = bid.id
    # One determination waits for the panel at a time.
    again = post_form(fatou, f"{base}/determination", {"recommendation": "reunification"})
    assert again.status_code == 409 and count(app, BestInterests) == 2

    shown = page_text(awa.get(f"/cases/{case_id}"))
    assert "Waiting for the panel's decision" in shown and "Moussa veut retrouver sa mère" in shown

    decision = f"{base}/{bid_id}/decision"
    # A caseworker cannot record the panel's decision; nor can the BID's author.
    assert post_form(awa, f"/cases/{case_id}", {"decision": "approved", "date": TODAY.isoformat()},
                     action=decision).status_code == 403
    assert "another supervisor records the panel's decision" in page_text(fatou.get(decision))
    refused = post_form(fatou, f"/cases/{case_id}", {"decision": "approved", "date": TODAY.isoformat()},
                        action=decision)
    assert refused.status_code == 403
    assert "You submitted this determination" in page_text(refused)
    # Another supervisor of the agency may; anything but a plain approval says why.
    why = post_form(aminata, decision, {"decision": "rejected", "date": TODAY.isoformat()})
    assert why.status_code == 422 and "Say why" in page_text(why)
    future = post_form(aminata, decision, {"decision": "approved", "date": (TODAY + dt.timedelta(days=2)).isoformat()})
    assert future.status_code == 422 and "The date cannot be in the future." in page_text(future)
    early = post_form(aminata, decision, {"decision": "approved", "date": days_ago(30)})
    assert early.status_code == 422 and "before the determination was submitted" in page_text(early)
    with app.app_context():
        assert db.session.get(BestInterests, bid_id).panel_decision is None
    done = post_form(aminata, decision, {"decision": "modified", "date": TODAY.isoformat(),
                                         "notes": "Réunification avec suivi renforcé"})
    assert done.status_code == 302
    with app.app_context():
        bid = db.session.get(BestInterests, bid_id)
        assert (bid.panel_decision, bid.panel_date, bid.decided_by_id) == ("modified", TODAY,
                                                                            user_id(app, "aminata"))
    assert all(b"renforc" not in value for value in raw_column(app, "select panel_notes from best_interests"))
    assert [e.details["fields"] for e in audit_entries(app, "cp.bid_decided")] == [["decision", "date", "notes"]]
    assert "Approved with changes" in page_text(awa.get(f"/cases/{case_id}"))
    # Decided once: the same decision again is a conflict.
    assert post_form(aminata, f"/cases/{case_id}", {"decision": "approved", "date": TODAY.isoformat()},
                     action=decision).status_code == 409


def test_another_agency_sees_nothing(app, case_id) -> None:
    awa, ousmane, idrissa = client_of(app, "awa"), client_of(app, "ousmane"), client_of(app, "idrissa")
    post_form(awa, f"/cases/{case_id}/best-interests/assessment", BIA)
    post_form(awa, f"/cases/{case_id}/best-interests/determination", {"recommendation": "reunification"})
    with app.app_context():
        bid_id = db.session.scalar(select(BestInterests.id).where(BestInterests.kind == "bid"))
    for path in ("best-interests/assessment", "best-interests/determination", "tracing/separation",
                 "tracing/actions/new", "tracing/verifications/new", "tracing/reunification", "care/new", "care/end"):
        assert idrissa.get(f"/cases/{case_id}/{path}").status_code == 404, path
    assert ousmane.get(f"/cases/{case_id}/best-interests/{bid_id}/decision").status_code == 404
    assert post_form(ousmane, "/cases", {"decision": "approved", "date": TODAY.isoformat()},
                     action=f"/cases/{case_id}/best-interests/{bid_id}/decision").status_code == 404
    assert post_form(idrissa, "/cases", BIA, action=f"/cases/{case_id}/best-interests/assessment").status_code == 404
    headers = api_token(app.test_client(), "ousmane")
    api = app.test_client()
    assert api.post(f"/api/v1/cases/{case_id}/best-interests", json={"kind": "bia", **BIA},
                    headers=headers).status_code == 404
    assert api.post(f"/api/v1/cases/{case_id}/best-interests/{bid_id}/decision",
                    json={"decision": "approved", "date": TODAY.isoformat()}, headers=headers).status_code == 404
    assert count(app, BestInterests) == 2


# Family tracing and reunification ------------------------------------------------------------


def test_tracing_from_separation_to_reunification_and_its_follow_up(app, case_id) -> None:
    awa = client_of(app, "awa")
    base = f"/cases/{case_id}/tracing"
    assert "Record the separation" in page_text(awa.get(f"/cases/{case_id}"))
    future = post_form(awa, f"{base}/separation", {"date": (TODAY + dt.timedelta(days=1)).isoformat(),
                                                   "cause": "conflict", "sought": "Mariam Touré, sa mère"})
    assert future.status_code == 422 and "The date cannot be in the future." in page_text(future)
    assert "Mariam Touré, sa mère" in page_text(future) and count(app, Separation) == 0
    ok = post_form(awa, f"{base}/separation", {"date": days_ago(60), "cause": "conflict",
                                               "place": "Marché de Ménaka", "sought": "Mariam Touré, sa mère"})
    assert ok.status_code == 302
    assert all(b"Mariam" not in value for value in raw_column(app, "select sought from separations"))
    assert all("Ménaka".encode() not in value for value in raw_column(app, "select place from separations"))
    # The form shows the separation recorded; saving again corrects it (one per case).
    assert "Mariam Touré, sa mère" in page_text(awa.get(f"{base}/separation"))
    assert post_form(awa, f"{base}/separation", {"date": days_ago(60), "cause": "population_movement",
                                                 "sought": "Mariam Touré"}).status_code == 302
    assert count(app, Separation) == 1 and len(audit_entries(app, "cp.separation_corrected")) == 1

    # No reunification before a verification recommending it.
    reunify = {"date": days_ago(1), "reunification_type": "parents", "notes": "Remis à sa mère"}
    refused = post_form(awa, f"{base}/reunification", reunify)
    assert refused.status_code == 422
    assert "record the verification of the family first" in page_text(refused)
    assert count(app, TracingStep) == 0

    action = post_form(awa, f"{base}/actions/new", {"date": days_ago(40), "action": "mass", "outcome": "successful",
                                                   "notes": "Mère retrouvée à Ansongo"})
    assert action.status_code == 302
    missing = post_form(awa, f"{base}/actions/new", {"date": days_ago(40), "outcome": "pending"})
    assert missing.status_code == 422 and count(app, TracingStep) == 1
    assert post_form(awa, f"{base}/verifications/new", {"date": days_ago(20), "recommendation": "further_tracing"}
                     ).status_code == 302
    assert post_form(awa, f"{base}/reunification", reunify).status_code == 422  # the latest says further tracing
    assert post_form(awa, f"{base}/verifications/new", {"date": days_ago(10), "recommendation": "reunification_support"}
                     ).status_code == 302
    early = post_form(awa, f"{base}/reunification", {**reunify, "date": days_ago(15)})
    assert early.status_code == 422 and "cannot come before the verification" in page_text(early)
    assert post_form(awa, f"{base}/reunification", reunify).status_code == 302
    with app.app_context():
        steps = db.session.scalars(select(TracingStep).order_by(TracingStep.date)).all()
        assert [(s.step, s.action, s.outcome, s.recommendation, s.reunification_type) for s in steps] == [
            ("action", "mass", "successful", None, None),
            ("verification", None, None, "further_tracing", None),
            ("verification", None, None, "reunification_support", None),
            ("reunification", None, None, None, "parents"),
        ]
    assert all(b"Ansongo" not in value and b"Remis" not in value
               for value in raw_column(app, "select notes from tracing_steps"))
    assert len(audit_entries(app, "cp.tracing_reunification_recorded")) == 1
    # A second reunification needs a new verification.
    assert post_form(awa, f"{base}/reunification", reunify).status_code == 422

    due = (TODAY - dt.timedelta(days=1) + dt.timedelta(weeks=2))
    with app.test_request_context(headers={"Accept-Language": "en"}):
        due_text = clock.day(due)
    shown = page_text(awa.get(f"/cases/{case_id}"))
    assert f"Follow-up after reunification due by {due_text}" in shown
    # A follow-up after the reunification answers it.
    with app.app_context():
        db.session.add(FollowUp(case_id=case_id, created_by_id=user_id(app, "awa"), date=TODAY, risk_level="low",
                                purpose="after_reunification"))
        db.session.commit()
    shown = page_text(awa.get(f"/cases/{case_id}"))
    assert "Follow-up after reunification due" not in shown and "Followed up after the reunification" in shown


def test_tracing_is_not_needed_unless_separated_but_may_be_opened(app, team) -> None:
    case_id = make_case(app, "awa", {**cp_case_payload(), "protection_concerns": ["neglect"]})
    with app.app_context():
        assert [c.concern for c in db.session.get(Case, case_id).child_concerns] == ["neglect"]
    awa = client_of(app, "awa")
    assert "tracing is not needed, but it may still be opened" in page_text(awa.get(f"/cases/{case_id}"))
    assert post_form(awa, f"/cases/{case_id}/tracing/separation", {"cause": "abuse"}).status_code == 302
    with app.app_context():
        separation = db.session.scalar(select(Separation))
        assert separation.case_id == case_id and separation.date is None


# Care arrangements ---------------------------------------------------------------------------


def test_a_new_arrangement_ends_the_previous_one(app, case_id) -> None:
    awa = client_of(app, "awa")
    new = f"/cases/{case_id}/care/new"
    assert post_form(awa, new, {"arrangement": "interim_care_centre", "started": days_ago(30),
                                "carer": "Centre Nafa, Gao"}).status_code == 302
    before = post_form(awa, new, {"arrangement": "kinship", "started": days_ago(40), "carer": "Oncle Bakary"})
    assert before.status_code == 422 and "cannot start before the current one did" in page_text(before)
    assert "Oncle Bakary" in page_text(before) and count(app, CareArrangement) == 1
    assert post_form(awa, new, {"arrangement": "kinship", "started": days_ago(5), "carer": "Oncle Bakary"}
                     ).status_code == 302
    with app.app_context():
        rows = db.session.scalars(select(CareArrangement).order_by(CareArrangement.started)).all()
        assert [(a.arrangement, a.started, a.ended) for a in rows] == [
            ("interim_care_centre", TODAY - dt.timedelta(days=30), TODAY - dt.timedelta(days=5)),
            ("kinship", TODAY - dt.timedelta(days=5), None),
        ]
    assert all(b"Bakary" not in value and b"Nafa" not in value
               for value in raw_column(app, "select carer from care_arrangements"))
    shown = page_text(awa.get(f"/cases/{case_id}"))
    assert "Kinship care" in shown and "Oncle Bakary" in shown and "Earlier arrangements" in shown

    end = f"/cases/{case_id}/care/end"
    early = post_form(awa, end, {"ended": days_ago(6)})
    assert early.status_code == 422 and "cannot end before it started" in page_text(early)
    assert post_form(awa, end, {"ended": TODAY.isoformat()}).status_code == 302
    assert "No current care arrangement recorded." in page_text(awa.get(f"/cases/{case_id}"))
    assert post_form(awa, f"/cases/{case_id}", {"ended": TODAY.isoformat()}, action=end).status_code == 409
    overlap = post_form(awa, new, {"arrangement": "foster", "started": days_ago(3)})
    assert overlap.status_code == 422 and "before the previous one ended" in page_text(overlap)
    assert [len(audit_entries(app, a)) for a in ("cp.care_started", "cp.care_ended")] == [2, 1]


# Which cases accept these records ------------------------------------------------------------


def test_closed_cases_cases_without_consent_and_gbv_cases_refuse(app, case_id) -> None:
    awa = client_of(app, "awa")
    gbv_id = make_case(app, "awa")
    assert awa.get(f"/cases/{gbv_id}/tracing/separation").status_code == 409
    headers = api_token(app.test_client(), "awa")
    api = app.test_client()
    assert api.post(f"/api/v1/cases/{gbv_id}/care-arrangements", json={"arrangement": "kinship",
                    "started": TODAY.isoformat()}, headers=headers).status_code == 409
    with app.app_context():
        db.session.get(Case, case_id).consent_services = False
        db.session.commit()
    refused = post_form(awa, f"/cases/{case_id}/best-interests/assessment", BIA)
    assert refused.status_code == 409 and "consent was withdrawn" in page_text(refused)
    assert "Record a best interests assessment" not in page_text(awa.get(f"/cases/{case_id}"))
    with app.app_context():
        case = db.session.get(Case, case_id)
        case.consent_services, case.status = True, "closed"
        db.session.commit()
    answer = api.post(f"/api/v1/cases/{case_id}/tracing", json={"step": "separation", "cause": "conflict"},
                      headers=headers)
    assert answer.status_code == 409 and answer.get_json()["error"]["code"] == "conflict"
    assert count(app, BestInterests) + count(app, Separation) + count(app, CareArrangement) == 0


# API -----------------------------------------------------------------------------------------


def test_api_best_interests_and_the_panel(app, case_id) -> None:
    api = app.test_client()
    awa, fatou, aminata = (api_token(api, name) for name in ("awa", "fatou", "aminata"))
    url = f"/api/v1/cases/{case_id}/best-interests"
    no_bia = api.post(url, json={"kind": "bid", "recommendation": "reunification"}, headers=awa)
    assert no_bia.status_code == 422
    error = no_bia.get_json()["error"]
    assert error["code"] == "invalid"
    assert error["message"] == "A best interests determination rests on an assessment: record the BIA first."
    assert error["fields"]["assessment_id"] == [error["message"]]
    invalid = api.post(url, json={"kind": "bia", "priority": "tomorrow", "recommendation": 3}, headers=awa)
    assert invalid.status_code == 422
    assert set(invalid.get_json()["error"]["fields"]) == {"priority", "child_views", "recommendation"}
    assert api.post(url, json={"recommendation": "other"}, headers=awa).get_json()["error"]["fields"] == {
        "kind": ["Choose an option."]}
    assert count(app, BestInterests) == 0

    bia = api.post(url, json={"kind": "bia", **BIA}, headers=awa)
    assert bia.status_code == 201 and bia.get_json()["child_views"] == BIA["child_views"]
    wrong_basis = api.post(url, json={"kind": "bid", "recommendation": "reunification", "assessment_id": "nope"},
                           headers=awa)
    assert wrong_basis.status_code == 422 and "assessment_id" in wrong_basis.get_json()["error"]["fields"]
    bid = api.post(url, json={"kind": "bid", "recommendation": "reunification",
                              "assessment_id": bia.get_json()["id"]}, headers=fatou)
    assert bid.status_code == 201
    assert bid.get_json()["assessment_id"] == bia.get_json()["id"] and bid.get_json()["panel_decision"] is None

    decision = f"{url}/{bid.get_json()['id']}/decision"
    by_caseworker = api.post(decision, json={"decision": "approved", "date": TODAY.isoformat()}, headers=awa)
    assert by_caseworker.status_code == 403
    by_author = api.post(decision, json={"decision": "approved", "date": TODAY.isoformat()}, headers=fatou)
    assert by_author.status_code == 403 and "You submitted this determination" in by_author.get_json()["error"][
        "message"]
    bad = api.post(decision, json={"decision": "deferred", "date": "yesterday"}, headers=aminata)
    assert bad.status_code == 422 and set(bad.get_json()["error"]["fields"]) == {"date", "notes"}
    assert api.post(f"{url}/unknown/decision", json={"decision": "approved", "date": TODAY.isoformat()},
                    headers=aminata).status_code == 404
    ok = api.post(decision, json={"decision": "approved", "date": TODAY.isoformat()}, headers=aminata)
    assert ok.status_code == 200 and ok.get_json()["panel_decision"] == "approved"
    assert ok.get_json()["panel_date"] == TODAY.isoformat()
    assert [len(audit_entries(app, a)) for a in ("cp.bia_recorded", "cp.bid_submitted", "cp.bid_decided")] == [1, 1, 1]


def test_api_tracing_steps(app, case_id) -> None:
    api = app.test_client()
    awa = api_token(api, "awa")
    url = f"/api/v1/cases/{case_id}/tracing"
    no_step = api.post(url, json={"date": TODAY.isoformat()}, headers=awa)
    assert no_step.status_code == 422 and no_step.get_json()["error"]["fields"] == {"step": ["Choose an option."]}
    separation = api.post(url, json={"step": "separation", "date": days_ago(30), "cause": "conflict",
                                     "sought": "Sa mère"}, headers=awa)
    assert separation.status_code == 201 and separation.get_json()["sought"] == "Sa mère"
    early = api.post(url, json={"step": "reunification", "date": TODAY.isoformat(), "reunification_type": "parents"},
                     headers=awa)
    assert early.status_code == 422
    assert early.get_json()["error"]["fields"]["step"] == [early.get_json()["error"]["message"]]
    bad_action = api.post(url, json={"step": "action", "date": "2026-02-30", "action": "radio", "outcome": None},
                          headers=awa)
    assert bad_action.status_code == 422
    assert set(bad_action.get_json()["error"]["fields"]) == {"date", "action", "outcome"}
    assert api.post(url, json={"step": "action", "date": days_ago(20), "action": "photo", "outcome": "successful"},
                    headers=awa).status_code == 201
    assert api.post(url, json={"step": "verification", "date": days_ago(5), "recommendation": "reunification"},
                    headers=awa).status_code == 201
    reunified = api.post(url, json={"step": "reunification", "date": days_ago(2), "reunification_type": "relatives"},
                         headers=awa)
    assert reunified.status_code == 201
    assert reunified.get_json()["follow_up_due"] == (TODAY - dt.timedelta(days=2) + dt.timedelta(days=14)).isoformat()
    assert count(app, TracingStep) == 3


def test_api_care_arrangements(app, case_id) -> None:
    api = app.test_client()
    awa = api_token(api, "awa")
    url = f"/api/v1/cases/{case_id}/care-arrangements"
    invalid = api.post(url, json={"arrangement": "orphanage", "started": (TODAY + dt.timedelta(days=3)).isoformat()},
                       headers=awa)
    assert invalid.status_code == 422 and set(invalid.get_json()["error"]["fields"]) == {"arrangement", "started"}
    first = api.post(url, json={"arrangement": "foster", "started": days_ago(10), "carer": "Famille Cissé"},
                     headers=awa)
    assert first.status_code == 201 and first.get_json()["ended"] is None
    second = api.post(url, json={"arrangement": "parents", "started": days_ago(1)}, headers=awa)
    assert second.status_code == 201
    with app.app_context():
        assert db.session.get(CareArrangement, first.get_json()["id"]).ended == TODAY - dt.timedelta(days=1)
    ended = api.post(f"{url}/end", json={"ended": days_ago(3)}, headers=awa)
    assert ended.status_code == 422 and "ended" in ended.get_json()["error"]["fields"]
    ended = api.post(f"{url}/end", json={"ended": TODAY.isoformat()}, headers=awa)
    assert ended.status_code == 200 and ended.get_json()["ended"] == TODAY.isoformat()
    assert api.post(url, data="arrangement=foster", headers=awa).status_code == 415


def test_openapi_describes_the_child_protection_endpoints(client) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/cases/{case_id}/best-interests", "/cases/{case_id}/best-interests/{bid_id}/decision",
                 "/cases/{case_id}/tracing", "/cases/{case_id}/care-arrangements",
                 "/cases/{case_id}/care-arrangements/end"):
        assert {"422", "404", "403", "409"} <= set(paths[path]["post"]["responses"]), path


def test_direct_concern_rows_open_tracing(app, team) -> None:
    """The tracing section reads the case's concerns (ChildConcern rows), however they were written."""
    case_id = make_case(app, "awa", {**cp_case_payload(), "protection_concerns": ["neglect"]})
    with app.app_context():
        db.session.add(ChildConcern(case_id=case_id, concern="unaccompanied"))
        db.session.commit()
    page = page_text(client_of(app, "awa").get(f"/cases/{case_id}"))
    assert "tracing is not needed" not in page and "Separation not recorded yet." in page


NASTY = ("\x00", "a\x00b", "\u202e", "9" * 30, "2026-02-30", "31/12/2026", "x" * 5000, "<script>alert(1)</script>",
         "[]", " ")
FORMS = {
    "best-interests/assessment": ("priority", "child_views", "recommendation", "summary"),
    "best-interests/determination": ("assessment_id", "recommendation", "summary"),
    "tracing/separation": ("date", "cause", "place", "sought"),
    "tracing/actions/new": ("date", "action", "outcome", "notes"),
    "tracing/verifications/new": ("date", "recommendation", "notes"),
    "tracing/reunification": ("date", "reunification_type", "notes"),
    "care/new": ("arrangement", "started", "carer", "notes"),
    "care/end": ("ended",),
}


def test_hostile_input_is_refused_with_nothing_written(app, case_id) -> None:
    awa = client_of(app, "awa")
    post_form(awa, f"/cases/{case_id}/care/new", {"arrangement": "kinship", "started": days_ago(3)})
    tables = (BestInterests, Separation, TracingStep, CareArrangement)
    before = [count(app, t) for t in tables]
    for path, fields in FORMS.items():
        for value in NASTY:
            response = post_form(awa, f"/cases/{case_id}/{path}", dict.fromkeys(fields, value))
            assert response.status_code in (400, 409, 422), (path, value, response.status_code)
            assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
    assert [count(app, t) for t in tables] == before
    api = app.test_client()
    headers = api_token(api, "awa")
    for url, body in ((f"/api/v1/cases/{case_id}/best-interests", {"kind": ["bia"], "child_views": {"a": 1}}),
                      (f"/api/v1/cases/{case_id}/tracing", {"step": "action", "date": 20260101, "notes": "\x00"}),
                      (f"/api/v1/cases/{case_id}/care-arrangements", {"arrangement": None, "started": True}),
                      (f"/api/v1/cases/{case_id}/care-arrangements/end", {"ended": "x" * 10_000})):
        answer = api.post(url, json=body, headers=headers)
        assert answer.status_code == 422 and answer.get_json()["error"]["fields"], url
    assert [count(app, t) for t in tables] == before
