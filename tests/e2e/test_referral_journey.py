"""Referral journey in French on a phone: a caseworker refers a survivor to a health provider;
the provider signs in, sees only the packet, accepts and reports the service delivered; the
caseworker sees the feedback."""

from __future__ import annotations

from app.referrals.directory_admin import upsert_provider
from models import db

from ..conftest import PASSWORD
from ..integration.cases_helpers import add_incident, make_case
from .conftest import PHONE, Visit
from .pages import Header, LoginPage


def test_refer_accept_deliver_feedback(visit, people, live, browser) -> None:
    app = live[0]
    people.user("awa.traore")
    people.agency("SAHEL", isp_signed=False)
    with app.app_context():
        clinic_id = upsert_provider({"code": "CLINIC-GAO", "name": "Clinique Sahel Santé — Gao", "agency": "SAHEL",
                                     "services": "health", "locations": "ML-7",
                                     "clinical_management_of_rape": True, "pep_kits_in_stock": True}).id
        db.session.commit()
    people.user("moussa.keita", role="provider", agency="SAHEL", provider_id=clinic_id)
    case_id = make_case(app, "awa.traore")
    add_incident(app, "awa.traore", case_id)  # a rape yesterday

    # The caseworker refers from the PEP banner
    page = visit.page
    LoginPage(visit).open().sign_in("awa.traore", PASSWORD)
    visit.goto(f"/cases/{case_id}")
    page.get_by_role("link", name="Référer immédiatement vers les soins de santé").click()
    page.wait_for_load_state("load")
    visit.check()
    assert page.get_by_label("Clinique Sahel Santé — Gao", exact=False).is_checked()
    page.get_by_role("button", name="Envoyer le référencement").click()
    page.wait_for_load_state("load")
    visit.check()
    assert page.get_by_text("Envoyé, en attente de réponse").first.is_visible()

    # The provider sees only the packet, accepts, reports the service delivered
    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    try:
        provider = Visit(context.new_page(), visit.base, visit.artifacts)
        LoginPage(provider).open().sign_in("moussa.keita", PASSWORD)
        provider.goto("/inbox")
        provider.page.get_by_role("link", name="Santé").first.click()
        provider.page.wait_for_load_state("load")
        provider.check()
        shared = provider.page.get_by_role("region", name="Ce que la personne survivante a accepté de partager")
        text = shared.inner_text()
        assert "Aïssata" in text and "Maïga" not in text and "76 12 34 56" not in text
        assert "Château" not in provider.page.content()
        provider.page.get_by_role("button", name="Accepter").click()
        provider.page.wait_for_load_state("load")
        provider.check()
        provider.page.get_by_label("Retour pour le gestionnaire de cas").fill("PEP commencée à 10 h, revoir J+7.")
        provider.page.get_by_role("button", name="Service fourni").click()
        provider.page.wait_for_load_state("load")
        provider.check()
        assert provider.page.get_by_text("Service fourni").first.is_visible()
        Header(provider).sign_out()
    finally:
        context.close()

    # The caseworker sees the feedback on her dashboard and in the case
    visit.goto("/cases")
    assert page.get_by_role("region", name="Référencements").is_visible()
    visit.goto(f"/cases/{case_id}")
    assert page.get_by_text("PEP commencée à 10 h, revoir J+7.").is_visible()
