"""Mistakes the interface must not invite: a heavy action asks for confirmation first (and
changes nothing until then), the supervisor sees what a closure leaves undone, a failed form
lists its errors at the top with links to the fields, "yes" and "no" weigh the same, and a
language chosen on the sign-in page is the one the account keeps."""

from __future__ import annotations

import re

import pytest
from flask import render_template_string
from sqlalchemy import func, select

from app.cases import casework
from app.referrals.directory_admin import upsert_provider
from models import AuditEvent, Case, CaseDecision, Consent, Incident, Referral, Survivor, User, db

from ..conftest import api_token, client_of, csrf_token, post_form, sign_in
from ..conftest import text as page_text
from .cases_helpers import add_incident, make_case

CONFIRM_FORM = re.compile(r'<button type="submit" name="confirm" value="yes" class="danger">')


@pytest.fixture
def team(factory):
    # Pages in English: these tests read the new wording before the French catalogue has it.
    factory.user("awa", role="caseworker", agency="ESPOIR", language="en")
    factory.user("fatou", role="supervisor", agency="ESPOIR", language="en")
    factory.user("aminata", role="supervisor", agency="ESPOIR", language="en")
    return factory


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def audited(app, action: str) -> int:
    return count(app, AuditEvent, AuditEvent.action == action)


def is_confirmation(response) -> bool:
    return response.status_code == 200 and bool(CONFIRM_FORM.search(response.get_data(as_text=True)))


# --- Withdrawing consent --------------------------------------------------------------------


@pytest.mark.parametrize("what", ["all", "reporting"])
def test_withdrawing_consent_asks_first_and_changes_nothing_until_confirmed(app, team, what) -> None:
    case_id = make_case(app, "awa")
    awa = client_of(app, "awa")
    page = f"/cases/{case_id}"
    first = post_form(awa, page, {"what": what}, action=f"{page}/consent/withdraw")
    assert is_confirmation(first)
    body = page_text(first)
    assert ("Withdraw all consent?" if what == "all" else "Withdraw consent to statistics?") in body
    assert "Nothing has changed yet." in body
    assert f'name="what" value="{what}"' in body  # the same form comes back with confirm=yes
    assert count(app, Consent) == 1 and audited(app, "case.consent_withdrawn") == 0
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.consent_services and case.consent_reporting

    done = post_form(awa, page, {"what": what, "confirm": "yes"}, action=f"{page}/consent/withdraw")
    assert done.status_code == 302
    assert count(app, Consent) == 2 and audited(app, "case.consent_withdrawn") == 1
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert not case.consent_reporting and case.consent_services == (what == "reporting")


def test_withdrawing_all_consent_says_which_referrals_end(app, client, team) -> None:
    with app.app_context():
        provider_id = upsert_provider(
            {
                "code": "CLINIC-GAO",
                "name": "Clinique de Gao",
                "agency": "ESPOIR",
                "services": "health",
                "locations": "ML-7",
                "serves_children": True,
            }
        ).id
        db.session.commit()
    case_id = make_case(app, "awa")
    sent = client.post(
        f"/api/v1/cases/{case_id}/referrals",
        headers=api_token(client, "awa"),
        json={"service_type": "health", "provider_id": provider_id, "share": ["given_name"]},
    )
    assert sent.status_code == 201, sent.get_json()
    awa = client_of(app, "awa")
    first = post_form(awa, f"/cases/{case_id}", {"what": "all"}, action=f"/cases/{case_id}/consent/withdraw")
    assert is_confirmation(first)
    assert "1 open referral will be withdrawn" in page_text(first)
    assert count(app, Referral, Referral.state == "sent") == 1


def test_the_case_page_marks_heavy_actions_as_dangerous(app, team) -> None:
    case_id = make_case(app, "awa")
    body = client_of(app, "awa").get(f"/cases/{case_id}").get_data(as_text=True)
    for label in ("Withdraw all consent", "Withdraw consent to statistics", "Ask to erase this case"):
        assert re.search(r'<button type="submit" class="danger">' + re.escape(label), body), label


# --- Erasure --------------------------------------------------------------------------------


def test_asking_to_erase_asks_first(app, team) -> None:
    case_id = make_case(app, "awa")
    awa = client_of(app, "awa")
    page = f"/cases/{case_id}"
    first = post_form(awa, page, {}, action=f"{page}/purge")
    assert is_confirmation(first) and "Ask to erase this case?" in page_text(first)
    assert count(app, CaseDecision) == 0 and audited(app, "case.purge_requested") == 0
    assert post_form(awa, page, {"confirm": "yes"}, action=f"{page}/purge").status_code == 302
    assert count(app, CaseDecision, CaseDecision.kind == "purge") == 1
    # Asked already: the confirmation is not offered again.
    assert post_form(awa, page, {}, action=f"{page}/purge").status_code == 409


def test_approving_an_erasure_asks_first_then_erases(app, team) -> None:
    case_id = make_case(app, "awa")
    fatou, aminata = client_of(app, "fatou"), client_of(app, "aminata")
    page = f"/cases/{case_id}"
    post_form(fatou, page, {"confirm": "yes"}, action=f"{page}/purge")
    with app.app_context():
        decision_id = db.session.scalar(select(CaseDecision.id))
    shown = aminata.get(page).get_data(as_text=True)
    assert '<button type="submit" name="decision" value="approve" class="danger">' in shown

    first = post_form(
        aminata, page, {"decision": "approve", "comment": "Demande écrite"}, action=f"{page}/decisions/{decision_id}"
    )
    assert is_confirmation(first)
    body = page_text(first)
    assert "Erase this case for good?" in body and "This cannot be undone." in body
    assert 'name="comment" value="Demande écrite"' in body
    assert count(app, Survivor) == 1 and audited(app, "case.purged") == 0
    with app.app_context():
        assert db.session.get(CaseDecision, decision_id).status == "pending"

    done = post_form(
        aminata,
        page,
        {"decision": "approve", "comment": "Demande écrite", "confirm": "yes"},
        action=f"{page}/decisions/{decision_id}",
    )
    assert done.status_code == 302 and count(app, Survivor) == 0


def test_the_requester_is_refused_before_any_confirmation(app, team) -> None:
    case_id = make_case(app, "awa")
    fatou = client_of(app, "fatou")
    page = f"/cases/{case_id}"
    post_form(fatou, page, {"confirm": "yes"}, action=f"{page}/purge")
    with app.app_context():
        decision_id = db.session.scalar(select(CaseDecision.id))
    refused = post_form(fatou, page, {"decision": "approve"}, action=f"{page}/decisions/{decision_id}")
    assert refused.status_code == 409 and count(app, Survivor) == 1
    gone = post_form(fatou, page, {"decision": "approve"}, action=f"{page}/decisions/not-a-decision")
    assert gone.status_code == 409


def test_refusing_needs_no_confirmation(app, team) -> None:
    case_id = make_case(app, "awa")
    fatou, aminata = client_of(app, "fatou"), client_of(app, "aminata")
    page = f"/cases/{case_id}"
    post_form(fatou, page, {"confirm": "yes"}, action=f"{page}/purge")
    with app.app_context():
        decision_id = db.session.scalar(select(CaseDecision.id))
    refused = post_form(
        aminata,
        page,
        {"decision": "reject", "comment": "Pas demandé par la survivante"},
        action=f"{page}/decisions/{decision_id}",
    )
    assert refused.status_code == 302
    with app.app_context():
        assert db.session.get(CaseDecision, decision_id).status == "rejected"


# --- Closure --------------------------------------------------------------------------------


def request_closure(app, case_id: str) -> str:
    awa = client_of(app, "awa")
    asked = post_form(
        awa,
        f"/cases/{case_id}/closure",
        {
            "reason": "survivor_request",
            "checklist.survivor_asked_to_close": "yes",
            "checklist.told_can_come_back": "yes",
        },
    )
    assert asked.status_code == 302
    with app.app_context():
        return db.session.scalar(select(CaseDecision.id).where(CaseDecision.kind == "closure"))


def test_the_supervisor_sees_the_checklist_and_what_is_missing_before_approving(app, team) -> None:
    case_id = make_case(app, "awa")
    decision_id = request_closure(app, case_id)
    fatou = client_of(app, "fatou")
    page = f"/cases/{case_id}"
    shown = page_text(fatou.get(page))
    closure = shown[shown.index('id="closure-h"') : shown.index('id="erase-h"')]
    # The caseworker's answers, every item of the kind's checklist, yes or no
    assert re.search(r"The survivor asked to close the case</dt><dd>Yes", closure)
    assert re.search(r"The survivor knows they can come back at any time</dt><dd>Yes", closure)
    assert re.search(
        r"The survivor&#39;s needs have been met</dt><dd>No|The survivor's needs have been met</dt><dd>No", closure
    )
    # and the gaps of the file
    for gap in ("No assessment was recorded.", "No case action plan was written.", "No follow-up was recorded."):
        assert gap in closure
    assert "Some referrals are still open." not in closure
    assert '<button type="submit" name="decision" value="approve" class="danger">Approve the closure' in closure

    first = post_form(fatou, page, {"decision": "approve"}, action=f"{page}/decisions/{decision_id}")
    assert is_confirmation(first)
    body = page_text(first)
    assert "Approve the closure?" in body and "The file is incomplete: No assessment was recorded." in body
    with app.app_context():
        assert db.session.get(Case, case_id).status == "open"
    done = post_form(fatou, page, {"decision": "approve", "confirm": "yes"}, action=f"{page}/decisions/{decision_id}")
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(Case, case_id).status == "closed"


def test_closure_gaps(app, team) -> None:
    from .test_casework import approved_plan

    case_id = make_case(app, "awa")
    with app.app_context():
        assert casework.closure_gaps(db.session.get(Case, case_id)) == ["no_assessment", "no_plan", "no_follow_up"]
    awa = client_of(app, "awa")
    page = f"/cases/{case_id}"
    assert post_form(awa, f"{page}/assessment", {"risk_level": "low"}).status_code == 302
    assert post_form(awa, f"{page}/plan", {"goals.0.area": "health", "goals.0.goal": "Soins"}).status_code == 302
    with app.app_context():
        assert casework.closure_gaps(db.session.get(Case, case_id)) == ["plan_not_approved", "no_follow_up"]
    approved_plan(app, case_id)
    assert post_form(awa, f"{page}/follow-ups/new", {"date": "2026-01-05", "risk_level": "low"}).status_code == 302
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert casework.closure_gaps(case) == []
        with db.session.no_autoflush:  # never saved: the rule only
            case.referrals.append(Referral(case_id=case.id, state="accepted"))
            assert casework.closure_gaps(case) == ["open_referrals"]
        db.session.rollback()


# --- The survivor declines a service --------------------------------------------------------


def test_a_survivor_declining_a_service_asks_first(app, team) -> None:
    with app.app_context():
        upsert_provider(
            {
                "code": "PSS-GAO",
                "name": "Écoute Gao",
                "agency": "ESPOIR",
                "services": "psychosocial",
                "locations": "ML-7",
                "serves_children": True,
            }
        )
        db.session.commit()
    case_id = make_case(app, "awa")
    add_incident(app, "awa", case_id)
    awa = client_of(app, "awa")
    form = f"/cases/{case_id}/refer?service_type=psychosocial"
    shown = awa.get(form).get_data(as_text=True)
    assert '<button type="submit" class="danger">The survivor declines this service' in shown
    first = post_form(awa, form, {"service_type": "psychosocial"}, action=f"/cases/{case_id}/refer/declined")
    assert is_confirmation(first)
    body = page_text(first)
    assert "Record that the survivor declines this service?" in body and "Psychosocial" in body
    assert "will say “declined by the survivor”" in body
    with app.app_context():
        assert db.session.scalar(select(Incident.pathway_psychosocial)) != "declined_by_survivor"
    assert audited(app, "referral.declined_by_survivor") == 0

    done = post_form(
        awa, form, {"service_type": "psychosocial", "confirm": "yes"}, action=f"/cases/{case_id}/refer/declined"
    )
    assert done.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Incident.pathway_psychosocial)) == "declined_by_survivor"


def test_declining_an_unknown_service_is_refused_before_any_confirmation(app, team) -> None:
    case_id = make_case(app, "awa")
    awa = client_of(app, "awa")
    refused = post_form(
        awa,
        f"/cases/{case_id}/refer?service_type=health",
        {"service_type": "spaceship"},
        action=f"/cases/{case_id}/refer/declined",
    )
    assert refused.status_code == 422 and not CONFIRM_FORM.search(refused.get_data(as_text=True))


# --- The error summary ----------------------------------------------------------------------


def summary_links(body: str) -> list[tuple[str, str]]:
    match = re.search(
        r'<div class="error-summary" id="error-summary" role="alert" tabindex="-1"[^>]*>(.*?)</div>', body, re.S
    )
    assert match, "no error summary"
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', match.group(1))


def test_a_failed_registration_lists_each_error_with_a_link_to_its_field(app, team) -> None:
    awa = client_of(app, "awa")
    bad = post_form(awa, "/cases/new", {"kind": "gbv", "survivor.given_name": "Kadi"})
    assert bad.status_code == 422
    body = bad.get_data(as_text=True)
    links = summary_links(body)
    targets = dict(links)
    for anchor, label in (
        ("f-consent-services", "Does the survivor consent to receive case management services?"),
        ("f-survivor-sex", "Sex"),
        ("f-location", "Location"),
        ("f-consent-given_by", "Consent given by"),
    ):
        assert anchor in targets and targets[anchor].startswith(label + ": "), (anchor, targets.get(anchor))
    for anchor, _label in links:  # every link leads to a field of the page
        assert f'id="{anchor}"' in body
    # The summary comes before the form, the page says what * means
    assert body.index('id="error-summary"') < body.index('<form method="post" novalidate')
    assert "Fields marked with * are required." in body


@pytest.mark.parametrize(
    ("path", "data", "anchor"),
    [
        ("closure", {"reason": "needs_met"}, "f-checklist-told_can_come_back"),
        ("assessment", {}, "f-risk_level"),
        ("follow-ups/new", {"risk_level": "low"}, "f-date"),
        ("consent", {"consent.services": "yes"}, "f-consent-reporting"),
        ("edit", {"survivor.sex": "spaceship"}, "f-survivor-sex"),
    ],
)
def test_every_case_form_has_the_summary(app, team, path, data, anchor) -> None:
    case_id = make_case(app, "awa")
    bad = post_form(client_of(app, "awa"), f"/cases/{case_id}/{path}", data)
    assert bad.status_code == 422
    body = bad.get_data(as_text=True)
    links = summary_links(body)
    assert anchor in dict(links)
    for target, _label in links:
        assert f'id="{target}"' in body


SUMMARY = (
    '{% import "_fields.html" as f %}{% call f.error_summary(errors) %}<form>'
    '{{ f.input("survivor.phone", "Phone", {}, errors) }}{{ f.yesno("consent.services", "Services?", {}, errors) }}'
    "</form>{% endcall %}"
)


def test_the_summary_links_fields_shown_and_lists_the_other_messages(app) -> None:
    errors = {
        "": ["Nothing to change."],
        "goals": ["Write at least one goal."],
        "survivor.phone": ["Too long."],
        "consent.services": ["Answer yes or no."],
    }
    with app.test_request_context(headers={"Accept-Language": "en"}):
        body = render_template_string(SUMMARY, errors=errors)
        alone = render_template_string(SUMMARY, errors={"": ["Nothing to change."]})
        clean = render_template_string(SUMMARY, errors={})
    summary = body[body.index('id="error-summary"') : body.index("<form>")]
    assert re.findall(r'<a href="#([^"]+)">', summary) == ["f-survivor-phone", "f-consent-services"]  # page order
    assert "Phone: Too long." in summary and "Services?: Answer yes or no." in summary
    assert "<li>Nothing to change.</li>" in summary and "<li>Write at least one goal.</li>" in summary
    assert 'id="f-consent-services"' in body  # the link's target: the first answer of the question
    assert "Some fields need correcting." in summary
    assert 'id="error-summary"' in alone and "Some fields need correcting." not in alone
    assert "error-summary" not in clean and "<form>" in clean


def test_required_marks(app, team) -> None:
    case_id = make_case(app, "awa")
    awa = client_of(app, "awa")
    closure = awa.get(f"/cases/{case_id}/closure").get_data(as_text=True)
    assert re.search(r'name="checklist.told_can_come_back"[^>]*> [^<]+ <span class="req">\*</span>', closure)
    assert "Fields marked with * are required." in closure
    assert 'aria-required="true"' in closure  # the reason's select


# --- Classification: yes and no weigh the same ----------------------------------------------


def test_yes_and_no_look_the_same(app, team) -> None:
    case_id = make_case(app, "awa")
    body = client_of(app, "awa").get(f"/cases/{case_id}/incidents/new").get_data(as_text=True)
    buttons = re.findall(r'<button type="submit" name="classification\.\w+" value="(yes|no)"([^>]*)>', body)
    assert [value for value, _attrs in buttons] == ["yes", "no"]
    assert buttons[0][1] == buttons[1][1]  # the same attributes, so the same style


# --- The language chosen on the sign-in page ------------------------------------------------


def choose_language(client, lang: str) -> None:
    page = client.get("/login")
    client.post(
        "/language", data={"csrf_token": csrf_token(page.get_data(as_text=True)), "lang": lang, "next": "/login"}
    )


def test_a_language_chosen_before_signing_in_is_kept(app, client, factory) -> None:
    factory.user("awa", language="fr")
    choose_language(client, "en")
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)
    assert sign_in(client, "awa").status_code == 302
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User.language).where(User.username == "awa")) == "en"
    # and the next time, on another device
    assert '<html lang="en">' in client_of(app, "awa").get("/").get_data(as_text=True)


def test_the_language_a_sign_out_leaves_is_not_someone_elses_choice(app, client, factory) -> None:
    factory.user("awa", language="en")
    factory.user("kadi", language="fr")
    sign_in(client, "awa")
    post_form(client, "/", {}, action="/logout")
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)  # as awa left it
    sign_in(client, "kadi")
    assert '<html lang="fr">' in client.get("/").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User.language).where(User.username == "kadi")) == "fr"


def test_the_language_survives_the_second_factor(app, client, factory) -> None:
    import pyotp

    from .test_auth import enrol

    user_id = factory.user("awa", language="fr")
    sign_in(client, "awa")
    seed = enrol(app, client, user_id)
    post_form(client, "/", {}, action="/logout")
    choose_language(client, "en")
    assert sign_in(client, "awa").headers["Location"].endswith("/login/code")
    assert '<html lang="en">' in client.get("/login/code").get_data(as_text=True)
    import time

    response = post_form(client, "/login/code", {"code": pyotp.TOTP(seed).at(time.time() + 30)})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, user_id).language == "en"
