"""Dated case notes (encrypted under the case's key, audited without their text, in the case's
history) and the print of a case (HTML and PDF, redacted unless the reader asks otherwise,
every print audited with its choices) — through the pages and the API, on a real database."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re

import pytest
from flask_login import login_user
from sqlalchemy import select, text, update

from app import audit
from app.cases import editing, service
from models import AuditEvent, Case, CaseNote, Consent, User, db
from models.keys import keyring

from ..conftest import api_token, client_of, csrf_token, post_form
from ..conftest import text as page_text
from .cases_helpers import add_incident, make_case, payload_of_kind
from .test_cp_security import ADDRESS, CP_TEXTS, REGISTERED, add_cp_records

EN = {"Accept-Language": "en"}
NOTE = "Visite à domicile : la tante de Mariam a promis de l'accompagner au CSCom."
ACCOUNT = "Sur la route du marché."  # the account of cases_helpers.incident_payload
NAMES = ("Aïssata", "Maïga", "76 12 34 56", "Château")  # the survivor's name, phone and address


@pytest.fixture
def team(factory):
    factory.user("awa", role="caseworker", agency="ESPOIR")
    factory.user("fatou", role="supervisor", agency="ESPOIR")
    factory.user("ousmane", role="supervisor", agency="DJIGUIYA")
    factory.user("root", role="admin", agency=None)
    return factory


def events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)))
        for row in rows:
            db.session.expunge(row)
        return rows


def audit_dump(app) -> str:
    with app.app_context():
        return repr(db.session.execute(text("SELECT * FROM audit_events")).all())


def note_count(app) -> int:
    with app.app_context():
        return len(db.session.scalars(select(CaseNote)).all())


def close(app, case_id: str) -> None:
    with app.app_context():
        db.session.execute(update(Case).where(Case.id == case_id).values(status="closed"))
        db.session.commit()


# --- case notes -------------------------------------------------------------------------------


def test_a_note_is_stored_encrypted_audited_without_its_text_and_shown(app, client, team) -> None:
    case_id = make_case(app, "awa")
    headers = api_token(client, "awa")
    day = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    response = client.post(f"/api/v1/cases/{case_id}/notes", json={"date": day, "text": NOTE}, headers=headers)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["date"] == day and body["text"] == NOTE and body["created_by"] == "awa"
    with app.app_context():
        stored = db.session.execute(text("SELECT text FROM case_notes")).scalar_one()
        raw = bytes(stored) if not isinstance(stored, str) else stored.encode()
        assert NOTE.encode() not in raw and b"Mariam" not in raw  # ciphertext only
        assert db.session.get(CaseNote, body["id"]).text == NOTE  # and it decrypts under the case's key
    [added] = events(app, "case.note_added")
    assert added.target_id == case_id and added.actor_name == "awa"
    assert added.details == {"note": body["id"], "date": day}
    assert "Mariam" not in audit_dump(app) and NOTE not in audit_dump(app)
    detail = client.get(f"/api/v1/cases/{case_id}", headers=headers).get_json()
    assert [n["text"] for n in detail["notes"]] == [NOTE]
    web = client_of(app, "awa")
    page = page_text(web.get(f"/cases/{case_id}", headers=EN))
    notes_section = page[page.index('id="notes"'):page.index("</section>", page.index('id="notes"'))]
    assert "Case notes" in notes_section and NOTE in notes_section
    # The section sits right after the consent.
    assert page.index('id="consent-h"') < page.index('id="notes"') < page.index('id="referrals"')
    history = page[page.index('id="history"'):]
    assert "Case note added" in history and NOTE not in history
    with app.app_context():
        assert "case.note_added" in [e.action for e in editing.history(db.session.get(Case, case_id))]
    assert chain_intact(app)


def chain_intact(app) -> bool:
    with app.app_context():
        return audit.verify(db.session, keyring().audit_key).ok


def test_notes_are_added_from_the_case_page_latest_first(app, team) -> None:
    case_id = make_case(app, "awa")
    web = client_of(app, "awa")
    page = f"/cases/{case_id}"
    older = (dt.date.today() - dt.timedelta(days=3)).isoformat()
    first = post_form(web, page, {"date": older, "text": "Premier entretien."}, action=f"{page}/notes")
    assert first.status_code == 302 and first.headers["Location"].endswith("#notes")
    today = post_form(web, page, {"date": "", "text": "Appel de suivi."}, action=f"{page}/notes")  # today
    assert today.status_code == 302
    shown = page_text(web.get(page, headers=EN))
    assert shown.index("Appel de suivi.") < shown.index("Premier entretien.")
    with app.app_context():
        dates = sorted(n.date for n in db.session.scalars(select(CaseNote)))
        assert dates == [dt.date.fromisoformat(older), dt.date.today()]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"date": (dt.date.today() + dt.timedelta(days=1)).isoformat(), "text": "Demain."}, "date"),
        ({"date": "31/12/2025", "text": "Format."}, "date"),
        ({"date": "", "text": "   "}, "text"),
        ({"date": "", "text": "x" * 4001}, "text"),
    ],
)
def test_a_bad_note_is_refused_with_what_was_typed(app, client, team, fields, field) -> None:
    case_id = make_case(app, "awa")
    web = client_of(app, "awa")
    page = f"/cases/{case_id}"
    refused = post_form(web, page, fields, action=f"{page}/notes")
    assert refused.status_code == 422
    body = page_text(refused)
    assert f'id="f-{field}-err"' in body  # the message sits by its field
    if fields["text"].strip():
        assert fields["text"] in body  # nothing typed is lost
    api = client.post(f"/api/v1/cases/{case_id}/notes", json=fields, headers=api_token(client, "awa"))
    assert api.status_code == 422 and field in api.get_json()["error"]["fields"]
    assert note_count(app) == 0 and events(app, "case.note_added") == []


def test_the_future_is_refused_in_the_users_language(app, client, team) -> None:
    case_id = make_case(app, "awa")
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    refused = client.post(f"/api/v1/cases/{case_id}/notes", json={"date": tomorrow, "text": "x"},
                          headers=api_token(client, "awa"))
    assert refused.get_json()["error"]["fields"]["date"] == ["A case note cannot be dated in the future."]


def test_another_agency_gets_404_and_nothing_is_written(app, client, team) -> None:
    case_id = make_case(app, "awa")
    headers = api_token(client, "ousmane")
    api = client.post(f"/api/v1/cases/{case_id}/notes", json={"text": NOTE}, headers=headers)
    assert api.status_code == 404
    ousmane = client_of(app, "ousmane")
    assert post_form(ousmane, "/cases", {"text": NOTE}, action=f"/cases/{case_id}/notes").status_code == 404
    assert ousmane.get(f"/cases/{case_id}/print?show=names").status_code == 404
    pdf = post_form(ousmane, "/cases", {"show": "names"}, action=f"/cases/{case_id}/print.pdf")
    assert pdf.status_code == 404 and not pdf.get_data().startswith(b"%PDF")
    # An administrator never reads a case.
    root = client_of(app, "root")
    assert root.get(f"/cases/{case_id}/print").status_code == 403
    assert note_count(app) == 0 and events(app, "case.printed") == []


def test_a_closed_case_or_a_withdrawn_consent_takes_no_note(app, client, team) -> None:
    headers = api_token(client, "awa")
    closed = make_case(app, "awa")
    close(app, closed)
    refused = client.post(f"/api/v1/cases/{closed}/notes", json={"text": NOTE}, headers=headers)
    assert refused.status_code == 409
    web = client_of(app, "awa")
    page = web.get(f"/cases/{closed}", headers=EN)
    assert f'action="/cases/{closed}/notes"' not in page.get_data(as_text=True)  # no form offered
    sent = post_form(web, f"/cases/{closed}", {"text": NOTE}, action=f"/cases/{closed}/notes")
    assert sent.status_code == 302
    assert "flash flash-error" in page_text(web.get(f"/cases/{closed}"))  # told why, on the case page
    withdrawn = make_case(app, "awa")
    with app.test_request_context():
        user = db.session.scalar(select(User).where(User.username == "awa"))
        login_user(user)
        service.withdraw_consent(user, db.session.get(Case, withdrawn), "all")
        db.session.commit()
    refused = client.post(f"/api/v1/cases/{withdrawn}/notes", json={"text": NOTE}, headers=headers)
    assert refused.status_code == 409
    assert note_count(app) == 0


# --- the print of a case --------------------------------------------------------------------


def _case_with_everything(app, client) -> str:
    case_id = make_case(app, "awa")
    add_incident(app, "awa", case_id)
    response = client.post(f"/api/v1/cases/{case_id}/notes", json={"text": NOTE}, headers=api_token(client, "awa"))
    assert response.status_code == 201
    return case_id


def test_the_print_is_redacted_by_default_and_audited(app, client, team) -> None:
    case_id = _case_with_everything(app, client)
    web = client_of(app, "awa")
    case_page = page_text(web.get(f"/cases/{case_id}", headers=EN))
    assert f'href="/cases/{case_id}/print"' in case_page  # the link beside the correction link
    response = web.get(f"/cases/{case_id}/print", headers=EN)
    assert response.status_code == 200 and response.mimetype == "text/html"
    body = page_text(response)
    assert '<html lang="en"' in body[:200]
    for secret in (*NAMES, ACCOUNT, NOTE):
        assert secret not in body, secret
    assert "GBV-" in body and "Hidden from this print" in body and "1 case note, hidden in this print." in body
    # What the case page shows, coded: the survivor's age and sex, consent, incident type, referrals' section.
    for heading in ("Survivor", "Consent", "Incidents", "Assessment", "Case action plan", "Follow-ups",
                    "Referrals", "Case notes"):
        assert f"<h2>{heading}</h2>" in body, heading
    [printed] = events(app, "case.printed")
    assert printed.actor_name == "awa" and printed.target_id == case_id
    assert printed.details == {"format": "html", "shown": [], "hidden": ["names", "account", "notes"]}


def test_the_print_has_an_a4_print_layout_allowed_by_its_own_csp(app, client, team) -> None:
    case_id = _case_with_everything(app, client)
    response = client_of(app, "awa").get(f"/cases/{case_id}/print")
    html = response.get_data(as_text=True)
    [css] = re.findall(r"<style>(.*?)</style>", html, re.S)
    assert "@media print" in css and "size:A4" in css
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    policy = response.headers["Content-Security-Policy"]
    assert f"style-src 'sha256-{digest}'" in policy and "unsafe-inline" not in policy
    assert "<script" not in html and "<link" not in html and "http://" not in html and "https://" not in html
    assert response.headers["Cache-Control"] == "no-store"


def test_the_reader_chooses_what_the_print_shows(app, client, team) -> None:
    case_id = _case_with_everything(app, client)
    web = client_of(app, "awa")
    names_only = page_text(web.get(f"/cases/{case_id}/print?show=names", headers=EN))
    assert all(value in names_only for value in NAMES)
    assert ACCOUNT not in names_only and NOTE not in names_only
    everything = page_text(web.get(f"/cases/{case_id}/print?show=names&show=account&show=notes&show=bogus"))
    assert all(value in everything for value in (*NAMES, ACCOUNT, NOTE))
    shown = [e.details for e in events(app, "case.printed")]
    assert shown == [
        {"format": "html", "shown": ["names"], "hidden": ["account", "notes"]},
        {"format": "html", "shown": ["names", "account", "notes"], "hidden": []},
    ]
    dump = audit_dump(app)
    assert not [s for s in (*NAMES, ACCOUNT, NOTE) if s in dump]


def test_the_pdf_is_a_pdf_of_the_chosen_print_and_audited(app, client, team) -> None:
    case_id = _case_with_everything(app, client)
    web = client_of(app, "awa")
    form = page_text(web.get(f"/cases/{case_id}/print?show=account"))
    assert f'action="/cases/{case_id}/print.pdf"' in form and 'name="show" value="account"' in form
    response = web.post(f"/cases/{case_id}/print.pdf",
                        data={"csrf_token": csrf_token(form), "show": ["account"]})
    assert response.status_code == 200
    assert response.mimetype == "application/pdf" and response.get_data().startswith(b"%PDF")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert events(app, "case.printed")[-1].details == {"format": "pdf", "shown": ["account"],
                                                        "hidden": ["names", "notes"]}
    redacted = post_form(web, f"/cases/{case_id}/print", {}, action=f"/cases/{case_id}/print.pdf")
    assert redacted.get_data().startswith(b"%PDF")
    assert events(app, "case.printed")[-1].details["hidden"] == ["names", "account", "notes"]
    # Without the form's token nothing is printed.
    assert web.post(f"/cases/{case_id}/print.pdf", data={"show": "names"}).status_code == 400
    assert len(events(app, "case.printed")) == 4  # two pages with the choices, two PDFs; the refused one is not


def test_the_pdf_is_rendered_from_the_redacted_html_only(app, client, team, monkeypatch) -> None:
    """What the PDF holds is the HTML handed to WeasyPrint: with the default choice, none of
    the identifying values is in it."""
    from app.cases import print_views

    case_id = _case_with_everything(app, client)
    rendered: list[str] = []
    original = print_views.render_pdf

    def keep(html: str) -> bytes:
        rendered.append(html)
        return original(html)

    monkeypatch.setattr(print_views, "render_pdf", keep)
    web = client_of(app, "awa")
    post_form(web, f"/cases/{case_id}/print", {}, action=f"/cases/{case_id}/print.pdf")
    [html] = rendered
    assert not [s for s in (*NAMES, ACCOUNT, NOTE) if s in html]
    assert "<form" not in html  # the choices are not printed


def test_a_child_protection_print_hides_the_childs_records_by_default(app, client, team) -> None:
    case_id = make_case(app, "awa", payload_of_kind("cp", address=ADDRESS))
    add_cp_records(app, "awa", case_id, decider="fatou")
    web = client_of(app, "fatou")
    redacted = page_text(web.get(f"/cases/{case_id}/print", headers=EN))
    secrets = (*REGISTERED["cp"], *CP_TEXTS.values())
    assert not [s for s in secrets if s in redacted]
    for heading in ("Child protection", "Best interests", "Family tracing and reunification", "Care arrangement"):
        assert f"<h2>{heading}</h2>" in redacted, heading
    full = page_text(web.get(f"/cases/{case_id}/print?show=names&show=account&show=notes", headers=EN))
    assert not [s for s in secrets if s not in full]


def test_the_print_of_a_closed_case_is_still_possible(app, client, team) -> None:
    case_id = _case_with_everything(app, client)
    close(app, case_id)
    web = client_of(app, "fatou")
    assert web.get(f"/cases/{case_id}/print").status_code == 200
    page = page_text(web.get(f"/cases/{case_id}", headers=EN))
    assert f'href="/cases/{case_id}/print"' in page


def test_the_consent_in_force_prints_the_caregivers_consent(app, client, team) -> None:
    payload = payload_of_kind("gbv", age=16)
    payload["consent"]["caregiver_consent"] = True
    case_id = make_case(app, "awa", payload)
    body = page_text(client_of(app, "awa").get(f"/cases/{case_id}/print", headers=EN))
    assert "The caregiver's consent as well" in body
    with app.app_context():
        assert db.session.scalar(select(Consent.caregiver_consent).where(Consent.case_id == case_id)) is True


def test_erasing_the_case_erases_its_notes(app, client, team) -> None:
    from app.cases import erasure

    case_id = _case_with_everything(app, client)
    with app.app_context():
        erasure.erase(db.session.get(Case, case_id))
        db.session.commit()
        assert db.session.scalars(select(CaseNote)).all() == []
