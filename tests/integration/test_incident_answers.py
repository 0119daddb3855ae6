"""The Incident Recording Form as a caseworker fills it: the care clock from the time of the
incident, no invented answers, perpetrators as the IRF counts them, the urgent box."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.referrals.directory_admin import upsert_provider
from models import Incident, Referral, db

from ..conftest import api_token as token
from ..conftest import csrf_token, sign_in
from ..conftest import text as page_text
from .cases_helpers import add_incident, incident_payload, make_case

EN = {"Accept-Language": "en"}
BAMAKO = ZoneInfo("Africa/Bamako")



@pytest.fixture
def team(app, factory):
    factory.user("awa", role="caseworker", agency="ESPOIR")
    factory.user("ousmane", role="caseworker", agency="DJIGUIYA")
    factory.agency("SAHEL")
    with app.app_context():
        clinic = upsert_provider(
            {
                "code": "CLINIC-GAO",
                "name": "Clinique Sahel",
                "agency": "SAHEL",
                "services": "health",
                "locations": "ML-7",
                "serves_children": True,
                "clinical_management_of_rape": True,
            }
        ).id
        db.session.commit()
    return clinic


def hours_ago(hours: float) -> tuple[str, str]:
    """Local date and HH:MM of a moment ``hours`` ago (the deployment's time zone)."""
    moment = dt.datetime.now(BAMAKO) - dt.timedelta(hours=hours)
    return moment.date().isoformat(), moment.strftime("%H:%M")


def test_a_rape_at_a_known_time_30_hours_ago_leaves_42_hours_of_pep(app, client, team) -> None:
    day, clock = hours_ago(30)
    case_id = make_case(app, "awa")
    add_incident(app, "awa", case_id, incident_payload(date_of_incident=day, time_of_incident=clock))
    detail = client.get(f"/api/v1/cases/{case_id}", headers=token(client, "awa")).get_json()
    windows = {w["care"]: w for w in detail["care_windows"]}
    assert 41.9 <= windows["pep"]["hours_left"] <= 42.0
    assert windows["pep"]["state"] == "open" and windows["pep"]["time_known"] is True
    assert windows["pep"]["closes_at"] == windows["pep"]["earliest_close"]
    assert 89.9 <= windows["ec"]["hours_left"] <= 90.0
    web = app.test_client()
    sign_in(web, "awa")
    page = page_text(web.get(f"/cases/{case_id}", headers=EN))
    assert re.search(r"About 4[12] hours left to start post-exposure prophylaxis", page)


def test_an_evening_rape_two_days_ago_still_shows_pep_as_maybe_open(app, client, team) -> None:
    """Midnight counting hid this window although PEP could still be given."""
    now = dt.datetime.now(BAMAKO)
    day = (now - dt.timedelta(days=2)).date()
    case_id = make_case(app, "awa")
    add_incident(app, "awa", case_id, incident_payload(date_of_incident=day.isoformat(), time_of_day="evening_night"))
    detail = client.get(f"/api/v1/cases/{case_id}", headers=token(client, "awa")).get_json()
    pep = next(w for w in detail["care_windows"] if w["care"] == "pep")
    assert pep["state"] in ("open", "maybe_open") and pep["hours_left"] > 0
    assert pep["closes_at"] > pep["earliest_close"]
    web = app.test_client()
    sign_in(web, "awa")
    assert "(exact time of the incident unknown)" in page_text(web.get(f"/cases/{case_id}", headers=EN))


def test_the_urgent_box_opens_a_high_urgency_referral_then_shows_it(app, team) -> None:
    day, clock = hours_ago(5)
    case_id = make_case(app, "awa")
    incident_id = add_incident(app, "awa", case_id, incident_payload(date_of_incident=day, time_of_incident=clock))
    web = app.test_client()
    sign_in(web, "awa")
    page = page_text(web.get(f"/cases/{case_id}", headers=EN))
    urgent = page.index('class="urgent"')
    assert urgent < page.index('class="lead"'), "the urgent box comes first under the case code"
    link = re.search(r'href="(/cases/[^"]+/refer\?[^"]*urgency=high[^"]*)"', page)
    assert link and incident_id in link.group(1)
    form = page_text(web.get(link.group(1).replace("&amp;", "&"), headers=EN))
    assert re.search(r'<option value="high" selected>', form)
    response = web.post(
        f"/cases/{case_id}/refer",
        data={
            "csrf_token": csrf_token(form),
            "service_type": "health",
            "provider_id": team,
            "urgency": "high",
            "incident_id": incident_id,
            "request_key": "k1",
            "share": ["given_name"],
        },
    )
    assert response.status_code == 302
    with app.app_context():
        referral = db.session.scalar(select(Referral))
        assert referral.urgency == "high" and referral.incident_id == incident_id
        assert db.session.get(Incident, incident_id).pathway_health == "referred"
    page = page_text(web.get(f"/cases/{case_id}", headers=EN))
    assert "Post-rape care: health referral made" in page and "Refer to health care now" not in page
    assert f'href="#referral-{referral.id}"' in page


def _classify_and_open_the_form(web, case_id: str, answers: dict[str, str]) -> str:
    page = web.get(f"/cases/{case_id}/incidents/new", headers=EN).get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "step": "classify"}
    data.update({f"classification.{k}": v for k, v in answers.items()})
    return page_text(web.post(f"/cases/{case_id}/incidents/new", data=data, headers=EN))


def test_the_form_preselects_no_answer(app, team) -> None:
    case_id = make_case(app, "awa")
    web = app.test_client()
    sign_in(web, "awa")
    form = _classify_and_open_the_form(web, case_id, {"penetration": "yes"})
    for select_tag in re.findall(r"<select[^>]*>.*?</select>", form, re.S):
        name = re.search(r'name="([^"]+)"', select_tag).group(1)
        assert " selected" not in select_tag, f"{name} has a pre-selected answer"
    assert " checked" not in form, "a radio or box is pre-checked"


def test_incidents_saved_without_pathway_lines_are_not_referred(app, team) -> None:
    case_id = make_case(app, "awa")
    web = app.test_client()
    sign_in(web, "awa")
    for _ in range(3):
        form = _classify_and_open_the_form(web, case_id, {"penetration": "no", "unwanted_sexual_contact": "yes"})
        response = web.post(
            f"/cases/{case_id}/incidents/new",
            data={
                "csrf_token": csrf_token(form),
                "step": "save",
                "classification.penetration": "no",
                "classification.unwanted_sexual_contact": "yes",
                "date_of_incident": dt.date.today().isoformat(),
                "date_of_interview": dt.date.today().isoformat(),
                "time_of_day": "morning",
                "place_type": "market",
                "reported_elsewhere": "no",
                "perpetrator_count": "1",
                "perpetrators.0.sex": "male",
                "perpetrators.0.age_group": "18-25",
                "perpetrators.0.relationship": "other_resident",
            },
            headers=EN,
        )
        assert response.status_code == 302, page_text(response)
    with app.app_context():
        incidents = db.session.scalars(select(Incident)).all()
        assert len(incidents) == 3
        for incident in incidents:
            assert set(incident.pathway().values()) == {None}, "nobody answered: not recorded"
            assert incident.referred_by is None and incident.previous_gbv is None
            assert incident.money_or_goods_exchanged is None and incident.abduction is None
            assert incident.perpetrators[0].primary and incident.primary_relationship == "other_resident"


def test_the_form_describes_more_than_three_perpetrators_and_flags_the_primary(app, team) -> None:
    case_id = make_case(app, "awa")
    web = app.test_client()
    sign_in(web, "awa")
    form = _classify_and_open_the_form(web, case_id, {"penetration": "yes"})
    rows = {
        f"perpetrators.{n}.{field}": value
        for n, (sex, relationship) in enumerate(
            [("male", "no_relation"), ("male", "intimate_partner"), ("female", "family_other")]
        )
        for field, value in (("sex", sex), ("age_group", "26-40"), ("relationship", relationship))
    }
    base = {
        "csrf_token": csrf_token(form),
        "classification.penetration": "yes",
        "date_of_incident": dt.date.today().isoformat(),
        "date_of_interview": dt.date.today().isoformat(),
        "time_of_incident": "06:15",
        "place_type": "road",
        "reported_elsewhere": "no",
        "perpetrator_count": "more_than_3",
        "perpetrator_rows": "3",
        "perpetrator_primary": "1",
        **rows,
    }
    more = page_text(web.post(f"/cases/{case_id}/incidents/new", data={**base, "step": "more"}, headers=EN))
    assert 'name="perpetrators.3.sex"' in more, "a fourth block to describe another perpetrator"
    assert re.search(r'name="perpetrator_primary" value="1" checked', more)
    fourth = {"perpetrators.3.sex": "male", "perpetrators.3.age_group": "18-25", "perpetrators.3.relationship": "other"}
    response = web.post(
        f"/cases/{case_id}/incidents/new",
        data={**base, **fourth, "perpetrator_rows": "4", "step": "save", "csrf_token": csrf_token(more)},
        headers=EN,
    )
    assert response.status_code == 302, page_text(response)
    with app.app_context():
        incident = db.session.scalar(select(Incident))
        assert len(incident.perpetrators) == 4 and [p.primary for p in incident.perpetrators] == [
            False, True, False, False
        ]
        assert incident.primary_relationship == "intimate_partner" and incident.flag_intimate_partner_violence
        assert incident.perpetrator_count == "more_than_3" and incident.perpetrator_sex == "both"
        assert incident.time_of_incident == "06:15" and incident.time_of_day == "morning"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"time_of_incident": "9h30"}, "time_of_incident"),
        ({"time_of_incident": "24:00"}, "time_of_incident"),
        ({"time_of_day": None, "time_of_incident": None}, "time_of_day"),
        ({"perpetrator_count": 1, "perpetrators": [
            {"sex": "male", "age_group": "18-25", "relationship": "other"},
            {"sex": "male", "age_group": "18-25", "relationship": "other", "primary": True},
        ]}, "perpetrator_count"),
        ({"perpetrator_count": 2, "perpetrators": [
            {"sex": "male", "age_group": "18-25", "relationship": "other", "primary": True},
            {"sex": "male", "age_group": "18-25", "relationship": "other", "primary": True},
        ]}, "perpetrators"),
        ({"perpetrator_count": 2, "perpetrators": [
            {"sex": "male", "age_group": "18-25", "relationship": "other"},
            {"sex": "male", "age_group": "18-25", "relationship": "other"},
        ]}, "perpetrators"),
        ({"perpetrator_count": None}, "perpetrator_count"),
        ({"perpetrator_count": "7"}, "perpetrator_count"),
        ({"perpetrators": [{"sex": "both", "age_group": "18-25", "relationship": "other"}]}, "perpetrators.0.sex"),
        ({"reported_elsewhere": None}, "reported_elsewhere"),
        ({"previous_gbv": "maybe"}, "previous_gbv"),
        ({"pathway": {"health": "referred", "spa": "referred"}}, "pathway.spa"),
        ({"perpetrators": [{"sex": "male", "age_group": "18-25", "relationship": "other", "nationality": "Atlantis"}]},
         "perpetrators.0.nationality"),
    ],
)
def test_bad_irf_answers_are_refused_whole(app, client, team, change, field) -> None:
    case_id = make_case(app, "awa")
    response = client.post(
        f"/api/v1/cases/{case_id}/incidents", json=incident_payload(**change), headers=token(client, "awa")
    )
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"], response.get_json()
    with app.app_context():
        assert db.session.scalar(select(Incident)) is None


def test_french_errors_for_a_bad_time(app, client, team) -> None:
    case_id = make_case(app, "awa")
    headers = {**token(client, "awa"), "Accept-Language": "fr"}
    response = client.post(
        f"/api/v1/cases/{case_id}/incidents", json=incident_payload(time_of_incident="9h30"), headers=headers
    )
    assert "HH:MM" in response.get_json()["error"]["fields"]["time_of_incident"][0]
    assert "Indiquez" in response.get_json()["error"]["fields"]["time_of_incident"][0]


def test_unknown_answers_are_kept_as_unknown(app, client, team) -> None:
    case_id = make_case(app, "awa")
    created = client.post(
        f"/api/v1/cases/{case_id}/incidents",
        json=incident_payload(money_or_goods_exchanged="unknown", previous_gbv=True, perpetrator_count="unknown"),
        headers=token(client, "awa"),
    ).get_json()
    assert created["money_or_goods_exchanged"] == "unknown" and created["previous_gbv"] == "yes"
    assert created["perpetrator_count"] == "unknown" and created["pathway"]["health"] is None


def test_today_is_the_deployment_s_today(app, client, team, monkeypatch) -> None:
    """Far east of UTC it is already tomorrow: an interview today, local time, is not 'future'."""
    zone = ZoneInfo("Pacific/Kiritimati")  # UTC+14
    monkeypatch.setitem(app.extensions, "sutura.timezone", zone)
    local_today = dt.datetime.now(zone).date().isoformat()
    case_id = make_case(app, "awa")
    response = client.post(
        f"/api/v1/cases/{case_id}/incidents",
        json=incident_payload(date_of_incident=local_today, date_of_interview=local_today, time_of_incident="00:05"),
        headers=token(client, "awa"),
    )
    assert response.status_code == 201, response.get_json()
    detail = client.get(f"/api/v1/cases/{case_id}", headers=token(client, "awa")).get_json()
    pep = next(w for w in detail["care_windows"] if w["care"] == "pep")
    assert pep["closes_at"].endswith("+14:00") and pep["state"] == "open"
