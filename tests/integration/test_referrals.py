"""Referrals through the API and pages: directory, suggestions and gaps, consented packets,
both sides of the state machine, scope, idempotency, withdrawal, transfers, CLI and CSV."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.referrals.directory_admin import upsert_provider
from models import Case, CaseTransfer, Incident, Provider, Referral, ServiceGap, User, db

from ..conftest import PASSWORD, post_form, sign_in
from ..conftest import api_token as token
from ..conftest import text as page_text
from .cases_helpers import add_incident, case_payload, incident_payload, make_case

EN = {"Accept-Language": "en"}
PACKET_KEYS = {"given_name", "age", "sex"}



@pytest.fixture
def world(app, factory):
    factory.user("awa", role="caseworker", agency="ESPOIR")
    factory.user("fatou", role="supervisor", agency="ESPOIR")
    factory.agency("SAHEL", isp_signed=False)
    factory.agency("DJIGUIYA")
    with app.app_context():
        ids = {}
        for code, services, locations, children in (
            ("CLINIC-GAO", "health", "ML-7", True),
            ("CLINIC-CERCLE", "health", "ML-7-03", False),
            ("PSS-GAO", "psychosocial", "ML-7", True),
            ("CLINIC-MOPTI", "health", "ML-5", True),
        ):
            ids[code] = upsert_provider(
                {
                    "code": code,
                    "name": code.title(),
                    "agency": "SAHEL",
                    "services": services,
                    "locations": locations,
                    "serves_children": children,
                    "clinical_management_of_rape": True,
                }
            ).id
        db.session.commit()
    factory.user("moussa", role="provider", agency="SAHEL", provider_id=ids["CLINIC-GAO"])
    factory.user("other", role="provider", agency="SAHEL", provider_id=ids["PSS-GAO"])
    factory.user("ousmane", role="supervisor", agency="DJIGUIYA")
    return ids


def refer(client, headers, case_id, provider, **extra):
    body = {"service_type": "health", "provider_id": provider, "share": ["given_name", "age", "sex"], **extra}
    return client.post(f"/api/v1/cases/{case_id}/referrals", json=body, headers=headers)


def test_directory_for_every_role(client, world, factory) -> None:
    factory.user("mariam", role="cluster_lead", agency=None)
    for user in ("awa", "moussa", "mariam"):
        listed = client.get(
            "/api/v1/services", query_string={"region": "ML-7", "service_type": "health"}, headers=token(client, user)
        ).get_json()
        assert {p["code"] for p in listed["items"]} == {"CLINIC-GAO", "CLINIC-CERCLE"}
    web = client
    sign_in(web, "mariam")
    assert "Clinic-Gao" in page_text(web.get("/services?region=ML-7"))


def test_suggestions_follow_location_and_age(app, client, world) -> None:
    adult = make_case(app, "awa")  # in ML-7-03
    child = make_case(app, "awa", case_payload(age=16))
    with app.app_context():
        from app.referrals.service import suggestions

        names = [m.candidate.id for m in suggestions(db.session.get(Case, adult), "health")]
        assert names == [world["CLINIC-CERCLE"], world["CLINIC-GAO"]]  # the cercle's own clinic first
        child_names = [m.candidate.id for m in suggestions(db.session.get(Case, child), "health")]
        assert child_names == [world["CLINIC-GAO"]]  # the cercle clinic does not serve children


def test_refer_then_provider_accepts_and_delivers(app, client, world) -> None:
    case_id = make_case(app, "awa")
    add_incident(app, "awa", case_id)  # a rape yesterday: health is due at once
    sent = refer(client, token(client, "awa"), case_id, world["CLINIC-GAO"])
    assert sent.status_code == 201, sent.get_json()
    referral = sent.get_json()
    assert referral["state"] == "sent"
    due = dt.datetime.fromisoformat(referral["due_at"])
    assert due - dt.datetime.now(dt.UTC) < dt.timedelta(hours=1, minutes=1)

    provider = token(client, "moussa")
    inbox = client.get("/api/v1/referrals", headers=provider).get_json()["items"]
    assert len(inbox) == 1
    item = inbox[0]
    assert set(item["packet"]) == PACKET_KEYS and item["packet"]["given_name"] == "Aïssata"
    body = repr(item)
    for outside in ("Maïga", "76 12 34 56", "Château", "route du marché", "case", "incident"):
        assert outside not in body
    assert client.post(f"/api/v1/referrals/{item['id']}/deliver", headers=provider).status_code == 409
    assert client.post(f"/api/v1/referrals/{item['id']}/accept", headers=provider).get_json()["state"] == "accepted"
    done = client.post(f"/api/v1/referrals/{item['id']}/deliver", json={"feedback": "PEP donnée"}, headers=provider)
    assert done.get_json()["state"] == "service_delivered"
    with app.app_context():
        incident = db.session.scalar(select(Incident).where(Incident.case_id == case_id))
        assert incident.pathway_health == "referred"
    detail = client.get(f"/api/v1/cases/{case_id}", headers=token(client, "awa"))
    assert detail.status_code == 200
    web = app.test_client()
    sign_in(web, "awa")
    page = page_text(web.get(f"/cases/{case_id}"))
    assert "PEP donnée" in page


def test_decline_needs_a_reason(app, client, world) -> None:
    case_id = make_case(app, "awa")
    referral_id = refer(client, token(client, "awa"), case_id, world["CLINIC-GAO"]).get_json()["id"]
    provider = token(client, "moussa")
    assert client.post(f"/api/v1/referrals/{referral_id}/decline", json={}, headers=provider).status_code == 422
    declined = client.post(f"/api/v1/referrals/{referral_id}/decline", json={"reason": "capacity"}, headers=provider)
    assert declined.get_json()["state"] == "declined"


def test_another_provider_sees_nothing(app, client, world) -> None:
    case_id = make_case(app, "awa")
    referral_id = refer(client, token(client, "awa"), case_id, world["CLINIC-GAO"]).get_json()["id"]
    other = token(client, "other")
    assert client.get("/api/v1/referrals", headers=other).get_json()["items"] == []
    for event in ("accept", "decline", "deliver"):
        response = client.post(f"/api/v1/referrals/{referral_id}/{event}", json={"reason": "capacity"}, headers=other)
        assert response.status_code in (403, 404) and "Aïssata" not in response.get_data(as_text=True)
    web = app.test_client()
    sign_in(web, "other")
    assert web.get(f"/inbox/{referral_id}").status_code == 404
    # and a provider can never open the case itself
    assert client.get(f"/api/v1/cases/{case_id}", headers=token(client, "moussa")).status_code in (403, 404)


def test_no_referral_without_consent(app, client, world) -> None:
    payload = case_payload()
    payload["consent"]["release"]["health"] = False
    case_id = make_case(app, "awa", payload)
    refused = refer(client, token(client, "awa"), case_id, world["CLINIC-GAO"])
    assert refused.status_code == 409
    assert "did not consent" in refused.get_json()["error"]["message"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Referral)) == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"provider_id": "nope"}, "provider_id"),
        ({"service_type": "teleport"}, "service_type"),
        ({"share": ["account"]}, "share"),
        ({"urgency": "panic"}, "urgency"),
    ],
)
def test_bad_referrals_are_explained(app, client, world, change, field) -> None:
    case_id = make_case(app, "awa")
    response = refer(client, token(client, "awa"), case_id, world["CLINIC-GAO"], **change)
    assert response.status_code == 422 and field in response.get_json()["error"]["fields"]


def test_provider_must_offer_the_service_where_the_survivor_is(app, client, world) -> None:
    case_id = make_case(app, "awa")
    headers = token(client, "awa")
    assert refer(client, headers, case_id, world["CLINIC-MOPTI"]).status_code == 422  # another region
    assert refer(client, headers, case_id, world["PSS-GAO"]).status_code == 422  # not a health service


def test_double_click_sends_once(app, client, world) -> None:
    case_id = make_case(app, "awa")
    headers = token(client, "awa")
    first = refer(client, headers, case_id, world["CLINIC-GAO"], request_key="abc123")
    again = refer(client, headers, case_id, world["CLINIC-GAO"], request_key="abc123")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["id"] == again.get_json()["id"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Referral)) == 1


def test_withdrawn_consent_ends_the_providers_access(app, client, world) -> None:
    case_id = make_case(app, "awa")
    referral_id = refer(client, token(client, "awa"), case_id, world["CLINIC-GAO"]).get_json()["id"]
    web = app.test_client()
    sign_in(web, "awa")
    post_form(web, f"/cases/{case_id}", {"what": "all", "confirm": "yes"}, action=f"/cases/{case_id}/consent/withdraw")
    provider = token(client, "moussa")
    assert client.get("/api/v1/referrals", headers=provider).get_json()["items"] == []
    assert client.post(f"/api/v1/referrals/{referral_id}/accept", headers=provider).status_code in (403, 404)
    with app.app_context():
        referral = db.session.get(Referral, referral_id)
        assert referral.state == "withdrawn" and referral.data_key_record.wrapped_key is None


def test_closing_shreds_the_packet_but_keeps_the_feedback(app, client, world) -> None:
    case_id = make_case(app, "awa")
    referral_id = refer(client, token(client, "awa"), case_id, world["CLINIC-GAO"]).get_json()["id"]
    provider = token(client, "moussa")
    client.post(f"/api/v1/referrals/{referral_id}/accept", headers=provider)
    client.post(f"/api/v1/referrals/{referral_id}/deliver", json={"feedback": "Vue le 30"}, headers=provider)
    web = app.test_client()
    sign_in(web, "awa")
    closed = post_form(web, f"/cases/{case_id}", {}, action=f"/cases/{case_id}/referrals/{referral_id}/close")
    assert closed.status_code == 302
    with app.app_context():
        referral = db.session.get(Referral, referral_id)
        assert referral.state == "closed" and referral.data_key_record.wrapped_key is None
        assert referral.feedback == "Vue le 30"
    assert client.get("/api/v1/referrals", headers=provider).get_json()["items"] == []


def test_service_unavailable_is_recorded(app, world) -> None:
    case_id = make_case(app, "awa")
    add_incident(app, "awa", case_id)
    web = app.test_client()
    sign_in(web, "awa")
    assert "refer/unavailable" in web.get(f"/cases/{case_id}/refer?service_type=legal").get_data(as_text=True)
    response = post_form(
        web,
        f"/cases/{case_id}/refer?service_type=legal",
        {"service_type": "legal"},
        action=f"/cases/{case_id}/refer/unavailable",
    )
    assert response.status_code == 302
    with app.app_context():
        gap = db.session.scalar(select(ServiceGap))
        assert (gap.service_type, gap.region_code) == ("legal", "ML-7")
        assert db.session.scalar(select(Incident.pathway_legal)) == "service_unavailable"
    # where a provider exists, the gap cannot be claimed
    refused = post_form(
        web,
        f"/cases/{case_id}/refer?service_type=health",
        {"service_type": "health"},
        action=f"/cases/{case_id}/refer/unavailable",
    )
    assert refused.status_code == 409


def test_provider_inbox_pages(app, client, world) -> None:
    case_id = make_case(app, "awa")
    referral_id = refer(client, token(client, "awa"), case_id, world["CLINIC-GAO"]).get_json()["id"]
    web = app.test_client()
    sign_in(web, "moussa")
    assert web.get("/cases").status_code == 403
    page = page_text(web.get(f"/inbox/{referral_id}"))
    assert "Aïssata" in page and "Maïga" not in page
    refused = post_form(web, f"/inbox/{referral_id}", {"event": "decline"})
    assert refused.status_code == 422
    accepted = post_form(web, f"/inbox/{referral_id}", {"event": "accept"})
    assert accepted.status_code == 302
    with app.app_context():
        assert db.session.get(Referral, referral_id).state == "accepted"


def test_transfer_needs_consent_and_the_receiving_supervisor(app, world) -> None:
    case_id = make_case(app, "awa")
    awa = app.test_client()
    sign_in(awa, "awa")
    refused = post_form(awa, f"/cases/{case_id}/transfer", {"agency": "DJIGUIYA"})
    assert refused.status_code == 422
    assert post_form(awa, f"/cases/{case_id}/transfer", {"agency": "DJIGUIYA", "consent": "yes"}).status_code == 302
    with app.app_context():
        transfer_id = db.session.scalar(select(CaseTransfer.id))
        assert db.session.get(Case, case_id).agency.code == "ESPOIR"  # nothing moves yet
    fatou = app.test_client()
    sign_in(fatou, "fatou")
    assert post_form(fatou, "/cases", {}, action=f"/transfers/{transfer_id}/accept").status_code == 404
    ousmane = app.test_client()
    sign_in(ousmane, "ousmane")
    assert "Cas proposés à votre agence" in page_text(ousmane.get("/cases")) or ousmane.get("/cases").status_code == 200
    assert post_form(ousmane, "/cases", {}, action=f"/transfers/{transfer_id}/accept").status_code == 302
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.agency.code == "DJIGUIYA" and case.owner.username == "ousmane"
    assert awa.get(f"/cases/{case_id}").status_code == 404


def test_cli_providers_and_csv_import(app, tmp_path, world) -> None:
    runner = app.test_cli_runner()
    ok = runner.invoke(
        args=[
            "providers",
            "create",
            "LEGAL-GAO",
            "--agency",
            "SAHEL",
            "--service",
            "legal",
            "--location",
            "ML-7",
            "--location",
            "ML-9",
        ]
    )
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(
        args=["providers", "create", "X1", "--agency", "NOPE", "--service", "magic", "--location", "ML-99"]
    )
    assert bad.exit_code == 2 and "NOPE" in bad.output and "magic" in bad.output and "ML-99" in bad.output
    csv_file = tmp_path / "directory.csv"
    csv_file.write_text(
        "code,name,agency,services,locations,serves_children\n"
        "SHELTER-GAO,Abri Gao,SAHEL,shelter,ML-7-03,no\n"
        "BROKEN,Broken,SAHEL,health,ML-404,yes\n",
        encoding="utf-8",
    )
    refused = runner.invoke(args=["providers", "import", str(csv_file)])
    assert refused.exit_code == 2 and "line 3" in refused.output
    with app.app_context():
        assert db.session.scalar(select(Provider).where(Provider.code == "SHELTER-GAO")) is None  # all or nothing
    csv_file.write_text(
        "code,name,agency,services,locations,serves_children\nSHELTER-GAO,Abri Gao,SAHEL,shelter,ML-7-03,no\n",
        encoding="utf-8",
    )
    assert runner.invoke(args=["providers", "import", str(csv_file)]).exit_code == 0
    user = runner.invoke(
        args=["users", "create", "focal.abri", "--role", "provider", "--agency", "SAHEL", "--provider", "SHELTER-GAO"],
        input="a long enough password\n",
    )
    assert user.exit_code == 0, user.output
    with app.app_context():
        focal = db.session.scalar(select(User).where(User.username == "focal.abri"))
        assert db.session.get(Provider, focal.provider_id).code == "SHELTER-GAO"


def test_admin_edits_the_directory(app, world, signed_in) -> None:
    client = signed_in("admin", "chief")
    assert client.get("/admin/providers").status_code == 200
    response = post_form(
        client,
        "/admin/providers/new",
        {
            "code": "PSS-KIDAL",
            "name": "PSS Kidal",
            "agency": "SAHEL",
            "services": "psychosocial",
            "locations": "ML-8",
            "active": "yes",
        },
    )
    assert response.status_code == 302
    bad = post_form(client, "/admin/providers/new", {"code": "", "services": "nothing"})
    assert bad.status_code == 422


def test_survivor_declining_a_service_is_recorded(app, world) -> None:
    case_id = make_case(app, "awa")
    add_incident(app, "awa", case_id)
    web = app.test_client()
    sign_in(web, "awa")
    response = post_form(
        web,
        f"/cases/{case_id}/refer?service_type=psychosocial",
        {"service_type": "psychosocial", "confirm": "yes"},
        action=f"/cases/{case_id}/refer/declined",
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Incident.pathway_psychosocial)) == "declined_by_survivor"
        assert db.session.scalar(select(func.count()).select_from(Referral)) == 0


def test_response_times_follow_the_settings(app, client, world) -> None:
    case_id = make_case(app, "awa")
    app.config["REFERRAL_DEFAULT_HOURS"] = 10
    try:
        referral = refer(client, token(client, "awa"), case_id, world["CLINIC-GAO"]).get_json()
    finally:
        app.config["REFERRAL_DEFAULT_HOURS"] = 72
    due = dt.datetime.fromisoformat(referral["due_at"]) - dt.datetime.fromisoformat(referral["sent_at"])
    assert due == dt.timedelta(hours=10)


def test_admin_makes_a_focal_point_for_a_service(app, world, signed_in) -> None:
    client = signed_in("admin", "chief")
    response = post_form(
        client,
        "/admin/users/new",
        {
            "username": "focal.gao",
            "role": "provider",
            "agency": "SAHEL",
            "provider": "CLINIC-GAO",
            "password": PASSWORD,
            "language": "fr",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "focal.gao"))
        assert user.provider_id == world["CLINIC-GAO"]
    wrong = post_form(
        client,
        "/admin/users/new",
        {
            "username": "not.focal",
            "role": "caseworker",
            "agency": "SAHEL",
            "provider": "CLINIC-GAO",
            "password": PASSWORD,
            "language": "fr",
        },
    )
    assert wrong.status_code == 422


def test_a_new_consent_without_health_withdraws_the_open_health_referral(app, client, world) -> None:
    headers = token(client, "awa")
    case_id = make_case(app, "awa")
    referral = refer(client, headers, case_id, world["CLINIC-GAO"]).get_json()
    consent = {"services": True, "reporting": True, "given_by": "survivor", "release": {"psychosocial": True}}
    assert client.post(f"/api/v1/cases/{case_id}/consent", json=consent, headers=headers).status_code == 201
    with app.app_context():
        withdrawn = db.session.get(Referral, referral["id"])
        assert withdrawn.state == "withdrawn" and withdrawn.data_key_record.wrapped_key is None
    provider = token(client, "moussa")
    assert client.get("/api/v1/referrals", headers=provider).get_json()["items"] == []


def test_a_referral_updates_the_pathway_of_the_incident_it_was_made_for(app, client, world) -> None:
    headers = token(client, "awa")
    case_id = make_case(app, "awa")
    older = add_incident(app, "awa", case_id, incident_payload(days_ago=40))
    newer = add_incident(app, "awa", case_id, incident_payload(days_ago=2))
    unsaid = refer(client, headers, case_id, world["CLINIC-GAO"])
    assert unsaid.status_code == 422 and "incident_id" in unsaid.get_json()["error"]["fields"]
    assert refer(client, headers, case_id, world["CLINIC-GAO"], incident_id=older).status_code == 201
    with app.app_context():
        assert db.session.get(Incident, older).pathway_health == "referred"
        assert db.session.get(Incident, newer).pathway_health is None
    other = make_case(app, "awa")
    foreign = refer(client, headers, other, world["CLINIC-GAO"], incident_id=older)
    assert foreign.status_code == 422 and "incident_id" in foreign.get_json()["error"]["fields"]


def test_a_case_is_transferred_only_to_an_agency_that_manages_cases(app, world, factory) -> None:
    """The finding: a case could be sent to an agency with nobody to take it (the cluster lead's
    or a provider's organisation), where it would sit, or be read by whoever joins later."""
    factory.agency("UNFPA")  # the sub-cluster lead's organisation: no case management
    factory.user("pending.sup", role="supervisor", agency="UNFPA", role_approved_at=None)
    case_id = make_case(app, "awa")
    awa = app.test_client()
    sign_in(awa, "awa")
    form = page_text(awa.get(f"/cases/{case_id}/transfer"))
    assert "Agence DJIGUIYA" in form and "Agence UNFPA" not in form and "Agence SAHEL" not in form
    for elsewhere in ("UNFPA", "SAHEL", "ESPOIR", "NOWHERE"):
        refused = post_form(awa, f"/cases/{case_id}/transfer", {"agency": elsewhere, "consent": "yes"})
        assert refused.status_code == 422, elsewhere
    with app.app_context():
        assert db.session.scalar(select(CaseTransfer.id)) is None


def test_the_packet_closes_to_the_provider_once_their_part_is_done(app, client, world) -> None:
    """The finding: a provider kept reading the survivor's name after declining or delivering."""
    for answer in ("decline", "deliver", "not_deliver"):
        case_id = make_case(app, "awa")
        referral_id = refer(client, token(client, "awa"), case_id, world["CLINIC-GAO"]).get_json()["id"]
        provider = token(client, "moussa")
        if answer != "decline":
            client.post(f"/api/v1/referrals/{referral_id}/accept", headers=provider)
        opened = client.get("/api/v1/referrals", headers=provider).get_json()["items"]
        assert any(item["packet"].get("given_name") == "Aïssata" for item in opened)
        reason = {"decline": "capacity", "not_deliver": "survivor_did_not_come"}.get(answer)
        body = {"feedback": "Vue le 30", **({"reason": reason} if reason else {})}
        if answer == "not_deliver":
            answer, body["delivered"] = "deliver", False
        assert client.post(f"/api/v1/referrals/{referral_id}/{answer}", json=body, headers=provider).status_code == 200
        item = next(i for i in client.get("/api/v1/referrals", headers=provider).get_json()["items"]
                    if i["id"] == referral_id)
        assert item["packet"] == {} and item["note"] is None  # still listed, nothing identifying
        web = app.test_client()
        sign_in(web, "moussa")
        page = page_text(web.get(f"/inbox/{referral_id}"))
        assert "Aïssata" not in page and "Votre part de cette orientation est terminée" in page
        with app.app_context():
            referral = db.session.get(Referral, referral_id)
            assert referral.data_key_record.wrapped_key is None  # shredded, not only hidden
            assert referral.feedback == "Vue le 30"  # the caseworker keeps the answer
