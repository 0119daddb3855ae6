"""The child protection journey in French on a phone: register a separated 13-year-old at high
risk, see the 24-hour clock, assess, plan (approved by the supervisor), refer to family
tracing, record the verification, the reunification and the follow-up after it, close with the
supervisor's approval."""

from __future__ import annotations

import datetime as dt
import re

from app.referrals.directory_admin import upsert_provider
from models import db

from ..conftest import PASSWORD
from .conftest import PHONE, Visit
from .pages import LoginPage


def _submit(visit: Visit, button: str) -> None:
    visit.page.get_by_role("button", name=button, exact=True).click()
    visit.page.wait_for_load_state("load")
    visit.check()


def _follow(visit: Visit, link: str) -> None:
    visit.page.get_by_role("link", name=link).first.click()
    visit.page.wait_for_load_state("load")
    visit.check()


def test_a_separated_child_is_registered_traced_reunified_and_the_case_closed(visit, people, live, browser) -> None:
    app = live[0]
    people.user("binta.coulibaly")
    people.user("fatou.diallo", role="supervisor")
    people.agency("CICR", isp_signed=False)
    with app.app_context():
        upsert_provider({"code": "CICR-GAO", "name": "CICR — rétablissement des liens familiaux, Gao",
                         "agency": "CICR", "services": "family_tracing", "locations": "ML-7", "serves_children": True})
        db.session.commit()
    page = visit.page
    LoginPage(visit).open().sign_in("binta.coulibaly", PASSWORD)

    # Register: consent first, then the child, then the protection concerns and the risk
    visit.goto("/cases/new")
    _follow(visit, "Un enfant a besoin de protection ? Enregistrez un cas de protection de l'enfant.")
    page.get_by_role("group", name=re.compile("consent-elle à recevoir")).get_by_label("Oui").check()
    page.get_by_role("group", name=re.compile("utilisées dans les statistiques")).get_by_label("Oui").check()
    page.get_by_label("Autres services").check()
    page.get_by_role("group", name=re.compile("^Consentement donné par")) \
        .get_by_label("Parent ou donneur de soins").check()
    page.get_by_role("group", name=re.compile("^Assentiment de l'enfant")).get_by_label("Assentiment écrit").check()
    page.get_by_label("Prénom").fill("Moussa")
    page.get_by_label("Nom de famille").fill("Touré")
    page.get_by_role("group", name="Sexe").get_by_label("Masculin").check()
    page.get_by_label("Âge (ans)").fill("13")
    page.get_by_label(re.compile(r"^Lieu")).select_option("ML-7-03")
    page.get_by_label("Nom du donneur de soins").fill("Fanta Touré, sa tante")
    page.get_by_label("Enfant séparé").check()
    page.get_by_label(re.compile("^Niveau de risque")).select_option("high")
    _submit(visit, "Enregistrer")
    clock = page.get_by_role("alert").filter(has_text="Première action due dans les")
    assert clock.is_visible() and "24 heures" in clock.inner_text()
    case_url = page.url[len(visit.base):]

    # Assess and plan
    _follow(visit, "Évaluer les besoins et les risques")
    page.get_by_label("Famille et prise en charge").check()
    page.get_by_label(re.compile("^Niveau de risque")).select_option("high")
    page.get_by_label("Plan de sécurité").fill("Reste chez sa tante ; appeler Binta au moindre danger.")
    _submit(visit, "Enregistrer l'évaluation")
    assert not page.get_by_role("alert").filter(has_text="Première action").is_visible()
    _follow(visit, "Rédiger le plan")
    page.locator("#f-goals-0-area").select_option("family")
    page.locator("#f-goals-0-goal").fill("Retrouver la mère de Moussa")
    page.locator("#f-goals-0-service_type").select_option("family_tracing")
    page.locator("#f-goals-0-provider_id").select_option(label="CICR — rétablissement des liens familiaux, Gao")
    page.locator("#f-goals-0-timeframe").select_option("1_week")
    _submit(visit, "Enregistrer le plan")
    _submit(visit, "Envoyer au superviseur pour approbation")

    supervisor = browser.new_context(viewport=PHONE, locale="fr-FR")
    try:
        boss = Visit(supervisor.new_page(), visit.base, visit.artifacts)
        LoginPage(boss).open().sign_in("fatou.diallo", PASSWORD)
        boss.goto(case_url)
        boss.page.get_by_role("button", name="Approuver le plan").click()
        boss.page.wait_for_load_state("load")
        boss.check()

        # Refer to family tracing
        visit.goto(case_url)
        _follow(visit, "Référer vers un service")
        page.get_by_label("Service nécessaire").select_option("family_tracing")
        _submit(visit, "Trouver des prestataires")
        _submit(visit, "Envoyer le référencement")
        assert page.get_by_text("Envoyé, en attente de réponse").first.is_visible()

        # The family is found and verified; Moussa goes home; the follow-up comes after
        today = dt.date.today()
        _follow(visit, "Enregistrer une vérification")
        page.get_by_label(re.compile("^Date de la vérification")).fill((today - dt.timedelta(days=2)).isoformat())
        page.get_by_label(re.compile("^Recommandation")).select_option("reunification")
        _submit(visit, "Enregistrer la vérification")
        _follow(visit, "Enregistrer la réunification")
        page.get_by_label(re.compile("^Date de la réunification")).fill((today - dt.timedelta(days=1)).isoformat())
        page.get_by_label(re.compile("^Réunifié")).select_option("parents")
        _submit(visit, "Enregistrer la réunification")
        assert page.get_by_text(re.compile("Suivi après la réunification à faire avant le")).first.is_visible()
        _follow(visit, "Enregistrer un suivi")
        page.get_by_label(re.compile("^Niveau de risque")).select_option("low")
        page.get_by_label("Objet de ce suivi").select_option("after_reunification")
        _submit(visit, "Enregistrer le suivi")
        assert not page.get_by_text(re.compile("Suivi après la réunification à faire")).is_visible()

        # Close, approved by the supervisor
        _follow(visit, "Demander la clôture")
        page.get_by_label(re.compile("^Motif de la clôture|^Motif de clôture")).select_option("goals_met")
        page.get_by_label(re.compile("savent qu'ils peuvent revenir")).check()
        page.get_by_label(re.compile("plan de sécurité")).check()
        _submit(visit, "Demander la clôture")
        boss.goto(case_url)
        boss.page.get_by_role("button", name="Approuver la clôture").click()
        boss.page.wait_for_load_state("load")
        boss.check()
        boss.page.locator("button[name=confirm][value=yes]").click()  # the confirmation step
        boss.page.wait_for_load_state("load")
        boss.check()
        assert boss.page.get_by_text(re.compile("Clôturé le")).is_visible()
    finally:
        supervisor.close()
