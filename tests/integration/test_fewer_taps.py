"""What the measured journeys slimmed, checked through the app: each home page starts the day's
work, and no answer is stored that nobody gave (the child's assent, the date of the interview)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from app import clock
from gbvims.classification import ANSWER_KEYS
from models import Case, Incident, db

from ..conftest import client_of, csrf_token
from ..conftest import text as page_text
from .cases_helpers import make_case


@pytest.fixture
def team(factory):
    factory.user("awa", role="caseworker", agency="ESPOIR")
    factory.user("fatou", role="supervisor", agency="ESPOIR")
    factory.user("moussa", role="provider", agency="ESPOIR")
    factory.user("mariam", role="cluster_lead", agency=None)
    return factory


def test_a_provider_lands_on_the_inbox_and_a_caseworker_can_register_from_home(app, team) -> None:
    provider = client_of(app, "moussa")
    home = provider.get("/")
    assert home.status_code == 302 and home.headers["Location"].endswith("/inbox")
    inbox = page_text(provider.get("/inbox"))
    assert "Votre compte n'a pas encore de second facteur." in inbox  # the home page's reminder follows
    caseworker = page_text(client_of(app, "awa").get("/"))
    assert 'href="/cases/new"' in caseworker and 'href="/cases/new?kind=cp"' in caseworker
    lead = page_text(client_of(app, "mariam").get("/"))  # a cluster lead registers no case
    assert 'href="/cases/new"' not in lead


def _registration(web, **fields: str) -> dict[str, str]:
    token = csrf_token(web.get("/cases/new").get_data(as_text=True))
    base = {
        "kind": "gbv", "consent.services": "yes", "consent.reporting": "yes", "consent.given_by": "survivor",
        "survivor.given_name": "Kadidia", "survivor.sex": "female", "location": "ML-7-03",
    }
    return {"csrf_token": token, **base, **fields}


def test_no_answer_is_chosen_before_the_caseworker_answers(app, team) -> None:
    web = client_of(app, "awa")
    form = page_text(web.get("/cases/new"))
    assert " checked" not in form and " selected" not in form
    # An adult: the assent left unanswered is stored as "none" (no assent asked), never offered as chosen.
    assert web.post("/cases/new", data=_registration(web, **{"survivor.age": "30"})).status_code == 302
    # A child of 13 without the assent the rule asks for is refused, with the assent named.
    refused = web.post("/cases/new", data=_registration(web, **{"survivor.age": "13",
                                                                "consent.given_by": "caregiver"}))
    assert refused.status_code == 422 and 'id="f-consent-assent"' in page_text(refused)
    with app.app_context():
        [case] = db.session.scalars(select(Case)).all()
        assert case.current_consent.assent == "none"


def _incident_form(web, case_id: str) -> tuple[str, str]:
    url = f"/cases/{case_id}/incidents/new"
    token = csrf_token(web.get(url).get_data(as_text=True))
    page = web.post(url, data={"csrf_token": token, "step": "classify", f"classification.{ANSWER_KEYS[0]}": "yes"})
    return url, page_text(page)


def _incident(web, url: str, page: str, **fields: str):
    answers = {f"classification.{ANSWER_KEYS[0]}": "yes"}
    return web.post(url, data={
        "csrf_token": csrf_token(page), **answers, "step": "save", "date_of_incident": "2026-11-20",
        "time_of_day": "morning", "place_type": "road", "reported_elsewhere": "no", "perpetrator_count": "1",
        **fields,
    })


def test_the_interview_is_today_in_one_tap_or_another_day_never_assumed(app, team) -> None:
    case_id = make_case(app, "awa")
    web = client_of(app, "awa")
    url, page = _incident_form(web, case_id)
    with app.app_context():
        today = clock.today().isoformat()
    interview = re.search(r'<legend>Date de l.entretien.*?</fieldset>', page, re.S)
    assert interview is not None
    assert f'name="interview_when" value="{today}">' in interview[0] and " checked" not in interview[0]
    assert 'name="date_of_interview" type="date" value=""' in interview[0]

    missing = _incident(web, url, page)
    assert missing.status_code == 422 and 'href="#f-date_of_interview"' in page_text(missing)
    # "Today" is the date the form was shown on, even if the caseworker types another date as well.
    assert _incident(web, url, page, interview_when=today, date_of_interview="2026-11-21").status_code == 302
    assert _incident(web, url, page, interview_when="other", date_of_interview="2026-11-22").status_code == 302
    forged = _incident(web, url, page, interview_when="hier")
    assert forged.status_code == 422
    with app.app_context():
        dates = sorted(i.date_of_interview for i in db.session.scalars(select(Incident)))
    assert dates == sorted([dt.date.fromisoformat(today), dt.date(2026, 11, 22)])
