"""Referral to a service without a Sutura account, in French on a phone: the caseworker refers the
survivor to a state health centre, prints the inter-agency referral form (a PDF carrying only what
the survivor agreed to share), then records the centre's answers on its behalf — accepted, then
delivered — so the referral does not stay "sent" and overdue."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import Flask
from flask_babel import force_locale, gettext

from app.referrals.directory_admin import upsert_provider
from models import Referral, db

from ..conftest import PASSWORD
from ..integration.cases_helpers import make_case
from .pages import LoginPage


def french(app: Flask, message: str) -> str:
    """The words the French page shows for ``message`` (its translation once the catalogue has it)."""
    with app.test_request_context(), force_locale("fr"):
        return gettext(message)


def test_refer_print_and_answer_on_behalf(visit, people, live, tmp_path: Path) -> None:
    app = live[0]
    people.user("awa.traore", work_phone="+223 20 22 33 44")
    people.agency("SANTE", isp_signed=False)
    with app.app_context():
        upsert_provider(
            {
                "code": "CSREF-GAO",
                "name": "CSRéf de Gao",
                "agency": "SANTE",
                "services": "health",
                "locations": "ML-7",
                "contact": "+223 21 82 00 00",
                "hours": "24h/24",
            }
        )
        db.session.commit()
    case_id = make_case(app, "awa.traore")

    # The caseworker refers the survivor to the centre, which has no account
    page = visit.page
    LoginPage(visit).open().sign_in("awa.traore", PASSWORD)
    visit.goto(f"/cases/{case_id}")
    page.get_by_role("link", name="Référer vers un service").click()
    page.wait_for_load_state("load")
    visit.check()
    page.get_by_label("Service nécessaire").select_option("health")
    page.get_by_role("button", name="Trouver des prestataires").click()
    page.wait_for_load_state("load")
    visit.check()
    choice = page.get_by_label("CSRéf de Gao", exact=False)
    assert choice.is_checked()
    assert "+223 21 82 00 00" in page.locator("fieldset").first.inner_text()
    page.get_by_role("button", name="Envoyer le référencement").click()
    page.wait_for_load_state("load")
    visit.check()
    with app.app_context():
        referral_id = db.session.scalar(db.select(Referral.id).where(Referral.case_id == case_id))
    card = page.locator(f"#referral-{referral_id}")
    assert "Envoyé, en attente de réponse" in card.inner_text()

    # She prints the referral form: a PDF, downloaded, never a page
    with page.expect_response(lambda r: r.url.endswith("/print")) as answered, page.expect_download() as download:
        card.locator("form[action$='/print'] button").click()
    response = answered.value
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    saved = tmp_path / "form.pdf"
    download.value.save_as(saved)
    pdf = saved.read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000
    assert download.value.suggested_filename.startswith("referral-")
    assert "Aïssata" not in download.value.suggested_filename

    # The centre accepted (on the reply slip): she records it on its behalf
    today = dt.date.today().isoformat()
    card.locator("summary").click()
    card.locator("input[name=event][value=accept]").check()
    assert card.locator("input[name=date]").input_value() == today
    card.locator("form[action$='/on-behalf'] button[type=submit]").click()
    page.wait_for_load_state("load")
    visit.check()
    card = page.locator(f"#referral-{referral_id}")
    text = card.inner_text()
    assert "Accepté" in text
    assert french(app, "Answer recorded by the caseworker on the service's behalf") in text

    # Then the service was delivered
    card.locator("summary").click()
    card.locator("input[name=event][value=deliver]").check()
    card.locator("textarea[name=feedback]").fill("PEP commencée, revoir J+7.")
    card.locator("form[action$='/on-behalf'] button[type=submit]").click()
    page.wait_for_load_state("load")
    visit.check()
    card = page.locator(f"#referral-{referral_id}")
    text = card.inner_text()
    assert "Service fourni" in text and "PEP commencée, revoir J+7." in text
    assert card.locator("form[action$='/print']").count() == 0  # nothing is left to print
    with app.app_context():
        referral = db.session.get(Referral, referral_id)
        assert referral.state == "service_delivered" and referral.answered_on_behalf
