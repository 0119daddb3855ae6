"""Drafts of the long forms: what a caseworker typed survives a dropped connection (kept on the
server, encrypted, readable by its author only), comes back when she opens the form again, and
is shredded once the form is saved, given up, left too long, or its case erased."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from click.testing import Result
from sqlalchemy import select, text, update

from app.cases import drafts, erasure
from gbvims.classification import ANSWER_KEYS
from models import AuditEvent, Case, DataKeyRecord, FormDraft, db

from ..conftest import client_of, csrf_token
from ..conftest import text as page_text
from .cases_helpers import make_case

AUTOSAVE = {"X-Sutura-Autosave": "1"}


@pytest.fixture
def team(factory):
    factory.user("awa", role="caseworker", agency="ESPOIR")
    factory.user("binta", role="caseworker", agency="ESPOIR")
    factory.user("ousmane", role="caseworker", agency="DJIGUIYA")
    return factory


def _token(client, url: str) -> str:
    return csrf_token(client.get(url).get_data(as_text=True))


def _registration(client, **fields: str) -> dict[str, str]:
    return {"csrf_token": _token(client, "/cases/new"), "kind": "gbv", **fields}


def _drafts(app) -> list[FormDraft]:
    with app.app_context():
        return list(db.session.scalars(select(FormDraft)))


def test_autosave_keeps_the_registration_encrypted_and_brings_it_back(app, team) -> None:
    awa = client_of(app, "awa")
    saved = awa.post("/cases/new/draft", headers=AUTOSAVE, data=_registration(
        awa, **{"survivor.given_name": "Kadidia", "survivor.phone": "66 01 02 03", "consent.services": "yes"}))
    assert saved.status_code == 200 and saved.get_json()["saved"] is True
    assert "Brouillon enregistré" in saved.get_json()["message"]
    with app.app_context():
        raw = repr([tuple(row) for row in db.session.execute(text("SELECT * FROM form_drafts"))])
    assert "Kadidia" not in raw and "66 01 02 03" not in raw and "csrf" not in raw

    page = page_text(awa.get("/cases/new"))
    assert 'value="Kadidia"' in page and 'value="66 01 02 03"' in page
    assert "Votre brouillon est de retour" in page
    assert re.search(r'name="consent.services" value="yes" checked', page)
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "draft.restored")) is not None

    # Another caseworker of the same agency opens a blank form.
    binta = client_of(app, "binta")
    assert "Kadidia" not in page_text(binta.get("/cases/new"))
    # A child protection registration is another draft.
    assert "Kadidia" not in page_text(awa.get("/cases/new?kind=cp"))


def test_registering_shreds_the_draft(app, team) -> None:
    awa = client_of(app, "awa")
    awa.post("/cases/new/draft", headers=AUTOSAVE, data=_registration(awa, **{"survivor.given_name": "Kadidia"}))
    [draft] = _drafts(app)
    key_id = draft.data_key_id
    form = {
        "consent.services": "yes", "consent.reporting": "yes", "consent.given_by": "survivor",
        "consent.assent": "none", "survivor.given_name": "Kadidia", "survivor.family_name": "Coulibaly",
        "survivor.sex": "female", "survivor.age": "24", "location": "ML-7-03",
    }
    response = awa.post("/cases/new", data=_registration(awa, **form))
    assert response.status_code == 302, page_text(response)[:2000]
    assert _drafts(app) == []
    with app.app_context():
        assert db.session.get(DataKeyRecord, key_id).wrapped_key is None
    assert "Votre brouillon" not in page_text(awa.get("/cases/new"))


def test_a_refused_registration_is_kept_as_a_draft(app, team) -> None:
    awa = client_of(app, "awa")
    response = awa.post("/cases/new", data=_registration(awa, **{"survivor.given_name": "Kadidia"}))
    assert response.status_code == 422
    assert len(_drafts(app)) == 1
    # The connection drops; she opens the form again later: what she typed is there.
    again = client_of(app, "awa")
    assert 'value="Kadidia"' in page_text(again.get("/cases/new"))


def test_the_save_button_works_without_scripts_and_goes_to_the_next_section(app, team) -> None:
    awa = client_of(app, "awa")
    form = _registration(awa, **{"survivor.given_name": "Kadidia", "next": "s-3"})
    response = awa.post("/cases/new/draft", data=form)
    assert response.status_code == 302 and response.headers["Location"].endswith("/cases/new?kind=gbv#s-3")
    # A forged anchor is not followed.
    response = awa.post("/cases/new/draft", data=_registration(awa, next="javascript:alert(1)"))
    assert response.headers["Location"].endswith("/cases/new?kind=gbv")


def test_a_draft_needs_the_csrf_token_and_a_signed_in_caseworker(app, client, team) -> None:
    awa = client_of(app, "awa")
    assert awa.post("/cases/new/draft", headers=AUTOSAVE, data={"survivor.given_name": "X"}).status_code == 400
    assert client.post("/cases/new/draft", data={"survivor.given_name": "X"}).status_code in (302, 400, 401)
    team.user("moussa", role="provider")
    provider = client_of(app, "moussa")
    assert provider.post("/cases/new/draft", data={"csrf_token": _token(provider, "/inbox")}).status_code == 403
    assert _drafts(app) == []


def test_a_draft_is_bounded(app, team) -> None:
    awa = client_of(app, "awa")
    data = _registration(awa, account="y" * 30_000, **{f"field{n}": "x" * 2_000 for n in range(400)})
    assert awa.post("/cases/new/draft", headers=AUTOSAVE, data=data).status_code == 200
    with app.app_context():
        [draft] = db.session.scalars(select(FormDraft))
        kept = json.loads(draft.payload)
    assert len(kept) == drafts.MAX_FIELDS and kept["account"] == "y" * drafts.MAX_VALUE


def test_incident_draft_of_a_case_the_caseworker_may_update(app, team) -> None:
    case_id = make_case(app, "awa")
    awa = client_of(app, "awa")
    url = f"/cases/{case_id}/incidents/new"
    token = _token(awa, url)
    answers = {f"classification.{key}": "no" for key in ANSWER_KEYS}
    answers[f"classification.{ANSWER_KEYS[0]}"] = "yes"  # penetration: a rape
    form = {"csrf_token": token, **answers, "date_of_incident": "2026-11-28",
            "perpetrators.1.sex": "male", "perpetrator_rows": "3", "account": "Sur la route du marché", "next": "s-4"}
    response = awa.post(f"/cases/{case_id}/incidents/draft", data=form)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{url}#s-4")
    page = page_text(awa.get(url))
    # Straight back to the form (the classification answers were in the draft), as it was left.
    assert "Votre brouillon est de retour" in page and "Sur la route du marché" in page
    assert 'value="2026-11-28"' in page
    # The one perpetrator described comes back in the first block; the others stay folded.
    assert re.search(r'name="perpetrators.0.sex".*?<option value="male" selected>', page, re.S)
    assert re.search(r'<details class="perpetrator-more"><summary>Décrire l.auteur 2', page)
    assert re.search(r'<details class="perpetrator-more"><summary>Décrire l.auteur 3', page)

    # Someone of another agency cannot save a draft on this case, nor read hers.
    ousmane = client_of(app, "ousmane")
    refused = ousmane.post(f"/cases/{case_id}/incidents/draft", data={"csrf_token": _token(ousmane, "/cases"),
                                                                      "account": "x"})
    assert refused.status_code in (403, 404)
    assert len(_drafts(app)) == 1


def test_discarding_a_draft_asks_first(app, team) -> None:
    case_id = make_case(app, "awa")
    awa = client_of(app, "awa")
    url = f"/cases/{case_id}/incidents/new"
    awa.post(f"/cases/{case_id}/incidents/draft", data={"csrf_token": _token(awa, url), "account": "Texte"})
    first = awa.post(f"/cases/{case_id}/incidents/draft/discard", data={"csrf_token": _token(awa, url)})
    assert first.status_code == 200 and "Abandonner ce brouillon" in page_text(first)
    assert len(_drafts(app)) == 1
    second = awa.post(f"/cases/{case_id}/incidents/draft/discard",
                      data={"csrf_token": _token(awa, url), "confirm": "yes"})
    assert second.status_code == 302 and _drafts(app) == []


def test_drafts_left_too_long_are_shredded(app, team) -> None:
    awa = client_of(app, "awa")
    awa.post("/cases/new/draft", headers=AUTOSAVE, data=_registration(awa, **{"survivor.given_name": "Kadidia"}))
    awa.post("/cases/new/draft", headers=AUTOSAVE, data={"csrf_token": _token(awa, "/cases/new?kind=cp"),
                                                          "kind": "cp", "survivor.given_name": "Ami"})
    with app.app_context():
        old = dt.datetime.now(dt.UTC) - drafts.LIFETIME - dt.timedelta(hours=1)
        db.session.execute(update(FormDraft).where(FormDraft.case_key == "gbv").values(updated_at=old))
        db.session.commit()
    # Not brought back once too old ...
    assert "Kadidia" not in page_text(awa.get("/cases/new"))
    awa.post("/cases/new/draft", headers=AUTOSAVE, data=_registration(awa, **{"survivor.given_name": "Kadidia"}))
    with app.app_context():
        db.session.execute(update(FormDraft).values(updated_at=old))
        db.session.commit()
    # ... and shredded by the daily command.
    result: Result = app.test_cli_runner().invoke(args=["drafts", "purge-expired"])
    assert result.exit_code == 0 and "2 expired drafts shredded" in result.output
    assert _drafts(app) == []


def test_erasing_a_case_shreds_the_drafts_about_it(app, team) -> None:
    case_id = make_case(app, "awa")
    awa = client_of(app, "awa")
    url = f"/cases/{case_id}/incidents/new"
    awa.post(f"/cases/{case_id}/incidents/draft", data={"csrf_token": _token(awa, url), "account": "Texte"})
    [draft] = _drafts(app)
    with app.app_context():
        erasure.erase(db.session.get(Case, case_id))
        db.session.commit()
        assert db.session.scalar(select(FormDraft)) is None
        assert db.session.get(DataKeyRecord, draft.data_key_id).wrapped_key is None
