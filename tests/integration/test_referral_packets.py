"""Referrals a service can act on: what the packet always carries (reference, caseworker and work
phone, agency, urgency, due time; codes as words), the printed inter-agency form for a service
without a Sutura account (only the consented fields, audited), its answers recorded on its behalf,
post-rape care first within 72 hours, the directory's contact details, and the work phone."""

from __future__ import annotations

import datetime as dt
import json
import re
from html import unescape
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale, gettext
from sqlalchemy import select

from app.policy import can
from app.referrals import packets
from app.referrals.directory_admin import upsert_provider
from models import AuditEvent, Case, Referral, User, db

from ..conftest import api_token, client_of, csrf_token
from ..conftest import text as page_text
from .cases_helpers import add_incident, incident_payload, make_case

WORK_PHONE = "+223 20 22 33 44"
# What the survivor did not agree to share with the service (cases_helpers.CASE), and the raw code.
NOT_SHARED = ("Maïga", "76 12 34 56", "Château", "chez sa tante", "female", "route du marché")
SHARE = ["given_name", "age", "sex"]


_APP: list[Flask] = []


@pytest.fixture(autouse=True)
def _catalogues(app: Flask) -> None:
    _APP[:] = [app]


def fr(message: str, **values: Any) -> str:
    """A message as the French pages show it (the catalogue's words once translated)."""
    with _APP[0].test_request_context(), force_locale("fr"):
        return gettext(message, **values)


@pytest.fixture
def world(app: Flask, factory) -> dict[str, str]:
    factory.user("awa", role="caseworker", agency="ESPOIR", work_phone=WORK_PHONE)
    factory.user("fatou", role="supervisor", agency="ESPOIR")
    factory.user("ousmane", role="caseworker", agency="DJIGUIYA")
    factory.agency("SANTE", isp_signed=False)
    with app.app_context():
        ids = {}
        for code, name, locations, flags, contact in (
            # A state health centre: no focal point in Sutura.
            ("CSREF-GAO", "CSRéf de Gao", "ML-7", {}, "+223 21 82 00 00, route de l'hôpital"),
            # A clinic whose focal point answers in Sutura.
            ("CLINIC-GAO", "Clinique Sahel", "ML-7", {"clinical_management_of_rape": True}, None),
        ):
            ids[code] = upsert_provider(
                {
                    "code": code,
                    "name": name,
                    "agency": "SANTE",
                    "services": "health",
                    "locations": locations,
                    "hours": "Lun–Ven 8h–17h",
                    "languages": "français, songhaï",
                    "contact": contact,
                    **flags,
                }
            ).id
        db.session.commit()
    factory.user("moussa", role="provider", agency="SANTE", provider_id=ids["CLINIC-GAO"])
    ids["case"] = make_case(app, "awa")
    return ids


def refer(app: Flask, world: dict[str, str], provider: str = "CSREF-GAO", **extra: Any) -> str:
    client = app.test_client()
    body = {"service_type": "health", "provider_id": world[provider], "share": SHARE, **extra}
    sent = client.post(f"/api/v1/cases/{world['case']}/referrals", json=body, headers=api_token(client, "awa"))
    assert sent.status_code == 201, sent.get_json()
    return str(sent.get_json()["id"])


def post(client: Any, url: str, data: dict[str, Any]) -> Any:
    """A form posted like a browser: with the session's CSRF token (any page of the session has it)."""
    token = csrf_token(client.get("/account").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def audits(app: Flask, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def case_code(app: Flask, case_id: str) -> str:
    with app.app_context():
        return db.session.get(Case, case_id).case_code


@pytest.fixture
def printed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The HTML each PDF is made from (the PDF itself is compressed), still rendered for real."""
    seen: list[str] = []
    real = packets.to_pdf

    def capture(html: str) -> bytes:
        seen.append(html)
        return real(html)

    monkeypatch.setattr(packets, "to_pdf", capture)
    return seen


def test_the_printed_form_carries_only_the_consented_packet(app, world, printed) -> None:
    referral_id = refer(app, world, note="Besoin de PEP, à voir avant 17 h.")
    web = client_of(app, "awa")
    card = page_text(web.get(f"/cases/{world['case']}"))
    print_url = f"/cases/{world['case']}/referrals/{referral_id}/print"
    assert print_url in card  # the card offers the form: the service has no account
    response = post(web, print_url, {})
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    pdf = response.get_data()
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000
    reference = referral_id.replace("-", "")[:8].upper()
    assert reference in response.headers["Content-Disposition"]

    html = unescape(printed[-1])
    assert 'lang="fr"' in html
    for wanted in (
        "Aïssata",
        "24",
        fr("Sex"),
        fr("Female"),
        reference,
        "awa",
        WORK_PHONE,
        "Agence ESPOIR",
        "CSRéf de Gao",
        "route de l'hôpital",
        fr("Urgency"),
        fr("Normal"),
    ):
        assert wanted in html, wanted
    for secret in (*NOT_SHARED, case_code(app, world["case"]), "Besoin de PEP", world["case"]):
        assert secret not in html, secret
    assert "http" not in html and "url(" not in html  # self-contained: nothing to fetch

    (event,) = audits(app, "referral.printed")
    assert event.target_id == referral_id and event.actor_name == "awa"
    assert event.details["fields"] == SHARE and event.details["language"] == "fr"
    assert "Aïssata" not in json.dumps(event.details, ensure_ascii=False)


def test_the_note_is_printed_only_when_asked(app, world, printed) -> None:
    referral_id = refer(app, world, note="Besoin de PEP, à voir avant 17 h.")
    web = client_of(app, "awa")
    response = post(web, f"/cases/{world['case']}/referrals/{referral_id}/print", {"include_note": "yes"})
    assert response.status_code == 200 and response.get_data().startswith(b"%PDF")
    assert "Besoin de PEP, à voir avant 17 h." in printed[-1]
    assert audits(app, "referral.printed")[-1].details["fields"] == [*SHARE, "note"]


def test_the_form_is_in_the_users_language(app, world, printed) -> None:
    with app.app_context():
        db.session.scalar(select(User).where(User.username == "awa")).language = "en"
        db.session.commit()
    referral_id = refer(app, world)
    web = client_of(app, "awa")
    assert post(web, f"/cases/{world['case']}/referrals/{referral_id}/print", {}).status_code == 200
    html = printed[-1]
    assert 'lang="en"' in html and "Inter-agency referral form" in html
    assert "Sex" in html and "Female" in html and "Reply slip" in html
    assert audits(app, "referral.printed")[-1].details["language"] == "en"


def test_nothing_is_printed_for_a_service_with_an_account(app, world) -> None:
    referral_id = refer(app, world, provider="CLINIC-GAO")
    web = client_of(app, "awa")
    card = page_text(web.get(f"/cases/{world['case']}"))
    assert f"/referrals/{referral_id}/print" not in card and f"/referrals/{referral_id}/on-behalf" not in card
    response = post(web, f"/cases/{world['case']}/referrals/{referral_id}/print", {})
    assert response.status_code == 409 and b"%PDF" not in response.get_data()
    refused = post(
        web,
        f"/cases/{world['case']}/referrals/{referral_id}/on-behalf",
        {"event": "accept", "date": dt.date.today().isoformat()},
    )
    assert refused.status_code == 409
    api = app.test_client().post(
        f"/api/v1/cases/{world['case']}/referrals/{referral_id}/on-behalf",
        json={"event": "accept", "date": dt.date.today().isoformat()},
        headers=api_token(app.test_client(), "awa"),
    )
    assert api.status_code == 409
    with app.app_context():
        referral = db.session.get(Referral, referral_id)
        assert referral.state == "sent" and not referral.answered_on_behalf
    assert audits(app, "referral.printed") == [] and audits(app, "referral.accept") == []


def test_another_agency_gets_404_and_a_provider_403(app, world) -> None:
    referral_id = refer(app, world)
    today = dt.date.today().isoformat()
    base = f"/cases/{world['case']}/referrals/{referral_id}"
    other = client_of(app, "ousmane")
    for url, data in ((f"{base}/print", {}), (f"{base}/on-behalf", {"event": "accept", "date": today})):
        response = post(other, url, data)
        assert response.status_code == 404 and "Aïssata" not in response.get_data(as_text=True)
    api = app.test_client().post(
        f"/api/v1{base}/on-behalf",
        json={"event": "accept", "date": today},
        headers=api_token(app.test_client(), "ousmane"),
    )
    assert api.status_code == 404
    provider = client_of(app, "moussa")
    assert post(provider, f"{base}/print", {}).status_code == 403
    assert audits(app, "referral.printed") == []
    with app.app_context():
        assert db.session.get(Referral, referral_id).state == "sent"


def test_the_caseworker_records_accepted_then_delivered_on_the_services_behalf(app, world) -> None:
    referral_id = refer(app, world)
    web = client_of(app, "awa")
    base = f"/cases/{world['case']}/referrals/{referral_id}"
    today = dt.date.today().isoformat()
    accepted = post(web, f"{base}/on-behalf", {"event": "accept", "date": today})
    assert accepted.status_code == 302, page_text(accepted)
    delivered = post(web, f"{base}/on-behalf", {"event": "deliver", "date": today, "feedback": "PEP donnée."})
    assert delivered.status_code == 302
    with app.app_context():
        referral = db.session.get(Referral, referral_id)
        assert referral.state == "service_delivered" and referral.answered_on_behalf
        assert referral.responded_at is not None and referral.finished_at is not None
        from app.referrals.service import packet

        assert packet(referral) == {}  # the service's part is done: the packet is shredded
    page = page_text(web.get(f"/cases/{world['case']}"))
    assert fr("Answer recorded by the caseworker on the service's behalf") in page
    assert "PEP donnée." in page
    assert fr("Service delivered") in page
    for action in ("referral.accept", "referral.deliver"):
        (event,) = audits(app, action)
        assert event.details["on_behalf"] is True and event.details["on"] == today and event.actor_name == "awa"
    # nothing is left to print once the service's part is done
    assert post(web, f"{base}/print", {}).status_code == 409


def test_a_decline_needs_a_reason_and_a_day_that_happened(app, world) -> None:
    referral_id = refer(app, world)
    with app.app_context():  # sent three days ago
        referral = db.session.get(Referral, referral_id)
        referral.sent_at = referral.created_at = referral.sent_at - dt.timedelta(days=3)
        db.session.commit()
    web = client_of(app, "awa")
    url = f"/cases/{world['case']}/referrals/{referral_id}/on-behalf"
    today = dt.date.today()
    for data, field in (
        ({"event": "decline", "date": today.isoformat()}, "reason"),
        ({"event": "decline", "reason": "capacity", "date": (today + dt.timedelta(days=1)).isoformat()}, "date"),
        ({"event": "decline", "reason": "capacity", "date": (today - dt.timedelta(days=5)).isoformat()}, "date"),
        ({"reason": "capacity", "date": today.isoformat()}, "event"),
    ):
        response = post(web, url, data)
        assert response.status_code == 422, (data, response.status_code)
        assert f'id="ob-{field}-' in response.get_data(as_text=True)
        assert 'aria-invalid="true"' in response.get_data(as_text=True) or field == "event"
    # a provider's event that the state does not allow is a conflict, not a form error
    assert post(web, url, {"event": "deliver", "date": today.isoformat()}).status_code == 409
    yesterday = today - dt.timedelta(days=1)
    done = post(web, url, {"event": "decline", "reason": "capacity", "date": yesterday.isoformat()})
    assert done.status_code == 302
    with app.app_context():
        referral = db.session.get(Referral, referral_id)
        assert referral.state == "declined" and referral.reason == "capacity" and referral.answered_on_behalf
        assert referral.responded_at.date() == yesterday
    assert audits(app, "referral.decline")[0].details["on"] == yesterday.isoformat()


def test_the_api_records_an_answer_on_behalf(app, world) -> None:
    referral_id = refer(app, world)
    client = app.test_client()
    headers = api_token(client, "fatou")  # the supervisor of the agency may too
    url = f"/api/v1/cases/{world['case']}/referrals/{referral_id}/on-behalf"
    assert (
        client.post(url, json={"event": "decline", "date": dt.date.today().isoformat()}, headers=headers).status_code
        == 422
    )
    answered = client.post(url, json={"event": "accept", "date": dt.date.today().isoformat()}, headers=headers)
    assert answered.status_code == 200, answered.get_json()
    body = answered.get_json()
    assert body["state"] == "accepted" and body["answered_on_behalf"] is True and len(body["reference"]) == 8


def test_the_rule_follows_the_services_account(app, world) -> None:
    referral_id = refer(app, world, provider="CLINIC-GAO")
    with app.app_context():
        referral = db.session.get(Referral, referral_id)
        awa = db.session.scalar(select(User).where(User.username == "awa"))
        ousmane = db.session.scalar(select(User).where(User.username == "ousmane"))
        assert not can(awa, "referral.answer_on_behalf", referral)
        assert not can(awa, "referral.print", referral)
        focal = db.session.scalar(select(User).where(User.username == "moussa"))
        focal.active = False  # the focal point leaves: the service answers on paper again
        db.session.commit()
        assert can(awa, "referral.answer_on_behalf", referral) and can(awa, "referral.print", referral)
        assert not can(ousmane, "referral.answer_on_behalf", referral)
        assert not can(focal, "referral.answer_on_behalf", referral)
        assert not can(awa, "referral.answer_on_behalf", referral.case)  # a referral, nothing else


def test_the_provider_sees_who_referred_and_words_not_codes(app, world) -> None:
    referral_id = refer(app, world, provider="CLINIC-GAO", urgency="high")
    provider = client_of(app, "moussa")
    page = page_text(provider.get(f"/inbox/{referral_id}"))
    reference = referral_id.replace("-", "")[:8].upper()
    for wanted in (
        reference,
        "awa",
        WORK_PHONE,
        "Agence ESPOIR",
        fr("Sex"),
        fr("Female"),
        fr("High (within 24 hours)"),
    ):
        assert wanted in page, wanted
    for secret in (*NOT_SHARED, case_code(app, world["case"])):
        assert secret not in page
    item = app.test_client().get("/api/v1/referrals", headers=api_token(app.test_client(), "moussa")).get_json()
    (shown,) = item["items"]
    assert shown["reference"] == reference
    assert shown["referred_by"] == {"agency": "Agence ESPOIR", "name": "awa", "work_phone": WORK_PHONE}


def test_the_directory_shows_how_to_reach_each_service(app, world) -> None:
    web = client_of(app, "awa")
    page = page_text(web.get("/services?service_type=health"))
    for wanted in (
        "+223 21 82 00 00, route de l'hôpital",
        "Lun–Ven 8h–17h",
        "français, songhaï",
        fr("No Sutura account: referred with a printed form"),
        fr("Answers in Sutura"),
    ):
        assert wanted in page, wanted
    refer_page = page_text(web.get(f"/cases/{world['case']}/refer?service_type=health"))
    assert "+223 21 82 00 00" in refer_page and "Lun–Ven 8h–17h" in refer_page
    assert fr("No Sutura account: you will print the referral form") in refer_page


def _provider_radios(web, case_id: str) -> str:
    page = page_text(web.get(f"/cases/{case_id}/refer?service_type=health"))
    return "".join(re.findall(r'<input type="radio" name="provider_id"[^>]*>', page))


def test_after_a_rape_within_72_hours_services_ready_for_post_rape_care_come_first(app, world) -> None:
    with app.app_context():
        cercle = upsert_provider(
            {
                "code": "CSCOM-ANSONGO",
                "name": "Aaa CSCom",
                "agency": "SANTE",
                "services": "health",
                "locations": "ML-7-03",
            }
        ).id
        ready = upsert_provider(
            {
                "code": "HOPITAL-GAO",
                "name": "Hôpital de Gao",
                "agency": "SANTE",
                "services": "health",
                "locations": "ML-7",
                "clinical_management_of_rape": True,
                "pep_kits_in_stock": True,
            }
        ).id
        db.session.commit()

    def order(case_id: str) -> list[str]:
        with app.test_request_context():
            from app.referrals.service import suggestions

            return [m.candidate.id for m in suggestions(db.session.get(Case, case_id), "health")]

    # no rape: the closest first (the cercle's own centre), none chosen for the caseworker
    assert order(world["case"])[0] == cercle
    web = client_of(app, "awa")
    assert 'name="provider_id" value="' in page_text(web.get(f"/cases/{world['case']}/refer?service_type=health"))
    assert " checked>" not in _provider_radios(web, world["case"])
    # a rape five days ago: past the PEP window, the closest first again
    old = make_case(app, "awa")
    add_incident(app, "awa", old, incident_payload(days_ago=5))
    assert order(old)[0] == cercle
    # a rape yesterday: the hospital with clinical management of rape and PEP kits first, then the others
    add_incident(app, "awa", world["case"])
    ranked = order(world["case"])
    assert ranked[0] == ready and ranked[1] == cercle
    assert set(ranked) == {ready, cercle, world["CSREF-GAO"], world["CLINIC-GAO"]}
    page = page_text(web.get(f"/cases/{world['case']}/refer?service_type=health"))
    assert page.index("Hôpital de Gao") < page.index("Aaa CSCom")
    # the only service ready for post-rape care is chosen already (one tap less, and changeable)
    assert re.findall(r'value="([^"]+)" checked>', _provider_radios(web, world["case"])) == [ready]
    assert (
        fr(
            "Rape within the last 72 hours: the services with clinical management of rape and PEP kits "
            "in stock come first."
        )
        in page
    )


def test_a_user_sets_their_own_work_phone(app, factory) -> None:
    factory.user("binta", role="caseworker", agency="ESPOIR")
    web = client_of(app, "binta")
    assert web.get("/account/work-phone").status_code == 200
    bad = post(web, "/account/work-phone", {"work_phone": "appelez-moi"})
    assert bad.status_code == 422
    saved = post(web, "/account/work-phone", {"work_phone": " +223  76 00 00 01 "})
    assert saved.status_code == 302
    assert "+223 76 00 00 01" in page_text(web.get("/account"))
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "binta")).work_phone == "+223 76 00 00 01"
    (event,) = audits(app, "account.updated")
    assert event.details == {"fields": ["work_phone"]}
    assert post(web, "/account/work-phone", {"work_phone": ""}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "binta")).work_phone is None


def test_an_administrator_sets_a_users_work_phone(app, factory) -> None:
    member = factory.user("binta", role="caseworker", agency="ESPOIR")
    factory.user("root", role="admin", agency=None)
    admin = client_of(app, "root")
    form = {"role": "caseworker", "agency": "ESPOIR", "sub_cluster": "", "active": "y"}
    assert post(admin, f"/admin/users/{member}", {**form, "work_phone": "x"}).status_code == 422
    saved = post(admin, f"/admin/users/{member}", {**form, "work_phone": "+223 76 00 00 02"})
    assert saved.status_code == 302
    with app.app_context():
        user = db.session.get(User, member)
        assert user.work_phone == "+223 76 00 00 02" and user.role_approved_at is not None  # nothing else moved
    updated = audits(app, "user.updated")[-1]
    assert updated.details == {"changed": ["work_phone"]}
    assert "+223 76 00 00 02" in page_text(admin.get(f"/admin/users/{member}"))


def test_the_inbox_puts_what_to_answer_first_urgent_then_by_due_time(app: Flask, world: dict[str, str]) -> None:
    """New referrals first (urgent first, then by due time), each with its reference, the first
    name only when shared, the age band and the hours left; accepted ones apart; done ones last."""
    from app.referrals.service import reference

    normal = refer(app, world, provider="CLINIC-GAO")
    urgent = refer(app, world, provider="CLINIC-GAO", urgency="high")
    nameless = refer(app, world, provider="CLINIC-GAO", share=["age"], request_key="nameless")
    accepted = refer(app, world, provider="CLINIC-GAO", request_key="accepted")
    moussa = client_of(app, "moussa")
    post(moussa, f"/inbox/{accepted}", {"event": "accept"})
    with app.app_context():
        refs = {rid: reference(db.session.get(Referral, rid)) for rid in (normal, urgent, nameless, accepted)}
    inbox = page_text(moussa.get("/inbox"))
    to_answer = inbox[inbox.index('id="new-h"'):inbox.index('id="doing-h"')]
    assert to_answer.index(refs[urgent]) < to_answer.index(refs[normal])
    assert refs[accepted] not in to_answer and refs[accepted] in inbox[inbox.index('id="doing-h"'):]
    card = to_answer[to_answer.index(refs[nameless]):].split("</li>")[0]
    assert "Aïssata" not in card and "24-" not in card
    named = to_answer[to_answer.index(refs[normal]):].split("</li>")[0]
    assert "Aïssata" in named and ("18+" in named) and "heures" in named
    assert "Maïga" not in inbox and case_code(app, world["case"]) not in inbox
