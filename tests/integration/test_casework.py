"""Assessment, plan with supervisor approval, follow-up, closure with approval, reopen, and the
right to be forgotten — through the pages, as caseworker and supervisor."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from models import ActionPlan, Case, CaseDecision, DataKeyRecord, Incident, ServiceGap, Survivor, User, db

from ..conftest import client_of, post_form
from ..conftest import text as page_text
from .cases_helpers import add_incident, case_payload, make_case


@pytest.fixture
def team(factory):
    factory.user("awa", role="caseworker", agency="ESPOIR")
    factory.user("fatou", role="supervisor", agency="ESPOIR")
    factory.user("aminata", role="supervisor", agency="ESPOIR")
    factory.user("ousmane", role="supervisor", agency="DJIGUIYA")
    return factory


def case_row(app, case_id: str) -> Case:
    with app.app_context():
        case = db.session.get(Case, case_id)
        db.session.expunge(case)
        return case


def plan_goals(app, case_id: str) -> list[str]:
    with app.app_context():
        plan = db.session.scalars(
            select(ActionPlan).where(ActionPlan.case_id == case_id).order_by(ActionPlan.version.desc())
        ).first()
        return [g.id for g in plan.goals]


def approved_plan(app, case_id: str) -> list[str]:
    awa, fatou = client_of(app, "awa"), client_of(app, "fatou")
    page = f"/cases/{case_id}"
    assert (
        post_form(
            awa,
            f"{page}/plan",
            {
                "goals.0.area": "health",
                "goals.0.goal": "Soins médicaux",
                "goals.0.responsible": "CSREF Gao",
                "goals.1.area": "psychosocial",
                "goals.1.goal": "Soutien psychosocial",
            },
        ).status_code
        == 302
    )
    assert post_form(awa, page, {}, action=f"{page}/plan/submit").status_code == 302
    assert post_form(fatou, page, {"decision": "approve"}, action=f"{page}/plan/decide").status_code == 302
    return plan_goals(app, case_id)


def test_assessment_sets_risk_and_requires_a_safety_plan_when_high(app, team) -> None:
    case_id = make_case(app, "awa")
    awa = client_of(app, "awa")
    refused = post_form(
        awa, f"/cases/{case_id}/assessment", {"risk_level": "high", "needs.safety": "yes", "summary": "Menaces du mari"}
    )
    assert refused.status_code == 422 and "plan de sécurité" in page_text(refused).lower()
    assert "Menaces du mari" in page_text(refused)  # what was typed is still there
    ok = post_form(
        awa,
        f"/cases/{case_id}/assessment",
        {
            "risk_level": "high",
            "needs.safety": "yes",
            "summary": "Menaces du mari",
            "safety_plan": "Aller chez la voisine, appeler 80 00",
        },
    )
    assert ok.status_code == 302
    case = case_row(app, case_id)
    assert case.risk_level == "high" and case.stage == "action_plan"


def test_plan_needs_supervisor_approval(app, team) -> None:
    case_id = make_case(app, "awa")
    awa, fatou, ousmane = client_of(app, "awa"), client_of(app, "fatou"), client_of(app, "ousmane")
    page = f"/cases/{case_id}"
    assert post_form(awa, f"{page}/plan", {}).status_code == 422  # at least one goal
    post_form(awa, f"{page}/plan", {"goals.0.area": "health", "goals.0.goal": "Soins médicaux"})
    post_form(awa, page, {}, action=f"{page}/plan/submit")
    # A caseworker cannot approve, nor a supervisor of another agency.
    assert post_form(awa, page, {"decision": "approve"}, action=f"{page}/plan/decide").status_code == 403
    assert post_form(ousmane, "/cases", {"decision": "approve"}, action=f"{page}/plan/decide").status_code == 404
    refused = post_form(fatou, page, {"decision": "reject"}, action=f"{page}/plan/decide")
    assert refused.status_code == 422  # sending back needs a comment
    post_form(fatou, page, {"decision": "reject", "comment": "Ajouter l'abri"}, action=f"{page}/plan/decide")
    assert "Ajouter l'abri" in page_text(awa.get(page))
    post_form(awa, page, {}, action=f"{page}/plan/submit")
    post_form(fatou, page, {"decision": "approve"}, action=f"{page}/plan/decide")
    case = case_row(app, case_id)
    assert case.stage == "implementation"
    with app.app_context():
        assert db.session.scalar(select(ActionPlan.status).where(ActionPlan.case_id == case_id)) == "approved"


def test_follow_up_records_progress_per_goal(app, team) -> None:
    case_id = make_case(app, "awa")
    goals = approved_plan(app, case_id)
    awa = client_of(app, "awa")
    today = dt.date.today()
    response = post_form(
        awa,
        f"/cases/{case_id}/follow-ups/new",
        {
            "date": today.isoformat(),
            "risk_level": "medium",
            f"progress.{goals[0]}": "done",
            f"progress.{goals[1]}": "in_progress",
            "notes": "Elle va mieux",
            "next_follow_up": (today + dt.timedelta(days=14)).isoformat(),
        },
    )
    assert response.status_code == 302
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert [g.status for g in case.plans[-1].goals] == ["done", "in_progress"]
        assert case.next_follow_up == today + dt.timedelta(days=14) and case.stage == "follow_up"
    bad = post_form(
        awa,
        f"/cases/{case_id}/follow-ups/new",
        {"date": (today + dt.timedelta(days=3)).isoformat(), "risk_level": "low", "progress.not-a-goal": "done"},
    )
    assert bad.status_code == 422


def test_overdue_follow_up_filter(app, team) -> None:
    late, fine = make_case(app, "awa"), make_case(app, "awa", case_payload(given_name="Fanta"))
    with app.app_context():
        db.session.get(Case, late).next_follow_up = dt.date.today() - dt.timedelta(days=2)
        db.session.get(Case, fine).next_follow_up = dt.date.today() + dt.timedelta(days=2)
        db.session.commit()
    html = page_text(client_of(app, "awa").get("/cases?overdue=1"))
    assert "Aïssata" in html and "Fanta" not in html


def test_closure_with_checklist_and_supervisor_approval_then_reopen(app, team) -> None:
    case_id = make_case(app, "awa")
    awa, fatou = client_of(app, "awa"), client_of(app, "fatou")
    page = f"/cases/{case_id}"
    missing = post_form(awa, f"{page}/closure", {"reason": "needs_met", "checklist.needs_met": "yes"})
    assert missing.status_code == 422 and "revenir à tout moment" in page_text(missing)
    asked = post_form(
        awa,
        f"{page}/closure",
        {"reason": "needs_met", "checklist.needs_met": "yes", "checklist.told_can_come_back": "yes"},
    )
    assert asked.status_code == 302
    assert (
        post_form(awa, f"{page}/closure", {"reason": "needs_met", "checklist.told_can_come_back": "yes"}).status_code
        == 409
    )  # one request at a time
    with app.app_context():
        decision_id = db.session.scalar(select(CaseDecision.id).where(CaseDecision.case_id == case_id))
    assert (
        post_form(
            awa, page, {"decision": "approve", "confirm": "yes"}, action=f"{page}/decisions/{decision_id}"
        ).status_code
        == 403
    )
    assert (
        post_form(
            fatou, page, {"decision": "approve", "confirm": "yes"}, action=f"{page}/decisions/{decision_id}"
        ).status_code
        == 302
    )
    case = case_row(app, case_id)
    assert case.status == "closed" and case.closed_at is not None
    assert post_form(awa, page, {}, action=f"{page}/reopen").status_code == 302
    assert case_row(app, case_id).status == "open"


def test_purge_needs_a_second_person_and_keeps_only_consented_statistics(app, team) -> None:
    kept = make_case(app, "awa")
    add_incident(app, "awa", kept)
    no_stats_payload = case_payload(given_name="Fanta")
    no_stats_payload["consent"]["reporting"] = False
    dropped = make_case(app, "awa", no_stats_payload)
    add_incident(app, "awa", dropped)
    fatou, aminata = client_of(app, "fatou"), client_of(app, "aminata")
    for case_id in (kept, dropped):
        page = f"/cases/{case_id}"
        assert post_form(fatou, page, {"confirm": "yes"}, action=f"{page}/purge").status_code == 302
        with app.app_context():
            decision_id = db.session.scalar(
                select(CaseDecision.id).where(CaseDecision.case_id == case_id, CaseDecision.kind == "purge")
            )
        # The supervisor who asked cannot approve; another one can.
        assert (
            post_form(
                fatou, page, {"decision": "approve", "confirm": "yes"}, action=f"{page}/decisions/{decision_id}"
            ).status_code
            == 409
        )
        assert (
            post_form(
                aminata, page, {"decision": "approve", "confirm": "yes"}, action=f"{page}/decisions/{decision_id}"
            ).status_code
            == 302
        )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Survivor)) == 0
        incidents = db.session.scalars(select(Incident)).all()
        assert len(incidents) == 1  # only where reporting consent was given
        assert incidents[0].case_id not in (kept, dropped)  # cut from the erased case
        assert incidents[0].gbv_type == "rape" and incidents[0]._account is None
        assert db.session.get(Case, kept) is None and db.session.get(Case, dropped) is None
        keys = db.session.scalars(select(DataKeyRecord).where(DataKeyRecord.owner.like("case:%"))).all()
        assert keys and all(k.wrapped_key is None and k.shredded_at for k in keys)
        dump = repr(db.session.execute(text("SELECT * FROM incidents")).all())
        path = db.engine.url.database if db.engine.url.get_backend_name() == "sqlite" else None
    assert "route du marché" not in dump
    if path:
        assert "Aïssata".encode() not in Path(path).read_bytes()
    # The purged case is gone from every page.
    assert fatou.get(f"/cases/{kept}").status_code == 404
    assert "Aïssata" not in page_text(fatou.get("/cases"))


def test_unused_plan_lines_are_ignored(app, team) -> None:
    case_id = make_case(app, "awa")
    awa = client_of(app, "awa")
    response = post_form(awa, f"/cases/{case_id}/plan", {
        "goals.0.area": "health", "goals.0.goal": "Soins", "goals.0.status": "not_started",
        "goals.1.status": "not_started", "goals.2.status": "not_started"})
    assert response.status_code == 302
    assert len(plan_goals(app, case_id)) == 1


def test_a_supervisor_cannot_approve_a_closure_they_requested(app, team) -> None:
    """Separation of duties: a supervisor who asks to close a case does not also close it."""
    case_id = make_case(app, "awa")
    fatou, aminata = client_of(app, "fatou"), client_of(app, "aminata")
    page = f"/cases/{case_id}"
    closure = {"reason": "needs_met", "checklist.needs_met": "yes", "checklist.told_can_come_back": "yes"}
    asked = post_form(fatou, f"{page}/closure", closure)
    assert asked.status_code == 302
    with app.app_context():
        decision_id = db.session.scalar(select(CaseDecision.id).where(CaseDecision.case_id == case_id))
    own_page = page_text(fatou.get(page))
    assert "Approuver la clôture" not in own_page and "un autre superviseur doit la trancher" in own_page
    refused = post_form(
        fatou, page, {"decision": "approve", "confirm": "yes"}, action=f"{page}/decisions/{decision_id}"
    )
    assert refused.status_code == 409 and case_row(app, case_id).status == "open"
    assert "Approuver la clôture" in page_text(aminata.get(page))
    approved = post_form(
        aminata, page, {"decision": "approve", "confirm": "yes"}, action=f"{page}/decisions/{decision_id}"
    )
    assert approved.status_code == 302 and case_row(app, case_id).status == "closed"


def test_an_erased_case_leaves_only_coarse_statistics_with_no_link_back(app, team) -> None:
    """The finding: after purge the case row kept its code and exact dates, the incident its
    exact dates and age, the gap its row, and audit entries linked them to a provider."""
    from app.referrals.service import record_gap
    from gbvims.aggregates import Scope, build
    from gbvims.period import parse

    from .cases_helpers import incident_payload

    case_id = make_case(app, "awa", case_payload(date_of_birth="2011-03-14"))
    incident_id = add_incident(app, "awa", case_id, incident_payload(days_ago=9))
    with app.test_request_context():
        awa = db.session.scalar(select(User).where(User.username == "awa"))
        record_gap(awa, db.session.get(Case, case_id), "legal", incident_id)
        db.session.commit()
        code = db.session.get(Case, case_id).case_code
        scope = Scope(period=parse(str(dt.date.today().year)), k=1)
        before = build(db.session, scope)
    fatou, aminata = client_of(app, "fatou"), client_of(app, "aminata")
    page = f"/cases/{case_id}"
    post_form(fatou, page, {"confirm": "yes"}, action=f"{page}/purge")
    with app.app_context():
        decision_id = db.session.scalar(select(CaseDecision.id).where(CaseDecision.kind == "purge"))
    approved = post_form(
        aminata, page, {"decision": "approve", "confirm": "yes"}, action=f"{page}/decisions/{decision_id}"
    )
    assert approved.status_code == 302
    with app.test_request_context():
        after = build(db.session, scope)
        # The statistics are exactly the same...
        assert [(t.id, t.protected) for t in after.tables] == [(t.id, t.protected) for t in before.tables]
        assert after.incidents == before.incidents == 1
        # ...from rows that point to nobody.
        remains = db.session.scalar(select(Incident))
        assert remains.id != incident_id and remains.case_id != case_id
        assert remains.date_of_interview.day == 1 and remains.time_of_incident is None
        assert remains.age_at_incident in (0, 10, 12, 18, 20, 50) and remains.location_code is None
        holder = db.session.get(Case, remains.case_id)
        assert holder.case_code != code and holder.case_code.startswith("ERASED-")
        assert holder.created_at.day == 1 and holder.created_at.hour == 0
        gap = db.session.scalar(select(ServiceGap))
        assert gap.case_id == holder.id and gap.incident_id == remains.id and gap.recorded_at.day == 1
        tables = ("cases", "incidents", "service_gaps", "perpetrators", "case_decisions")
        everything = repr([db.session.execute(text(f"SELECT * FROM {t}")).all() for t in tables])  # noqa: S608
        assert code not in everything and case_id not in everything and incident_id not in everything
        audit = repr(db.session.execute(text("SELECT target_id, details FROM audit_events")).all())
        assert holder.id not in audit and remains.id not in audit  # the audit trail links to nothing kept

