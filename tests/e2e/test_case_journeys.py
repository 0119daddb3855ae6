"""Case journeys in French on a phone: register a survivor with consent, record an incident
through the classification questions, see the type and the PEP countdown."""

from __future__ import annotations

import datetime as dt
import re

from ..conftest import PASSWORD
from .pages import LoginPage


def test_caseworker_registers_a_survivor_and_records_a_rape(visit, people) -> None:
    people.user("awa.traore")
    LoginPage(visit).open().sign_in("awa.traore", PASSWORD)
    page = visit.page
    # Given the case list, when she registers a survivor
    visit.goto("/cases")
    page.get_by_role("link", name="Enregistrer une personne survivante").click()
    page.wait_for_load_state("load")
    visit.check()
    # Consent comes first
    page.get_by_role("group", name="La personne survivante consent-elle à recevoir des services de gestion de cas ?") \
        .get_by_label("Oui").check()
    page.get_by_role("group", name="La personne survivante consent-elle à ce que des informations non identifiantes "
                     "soient utilisées dans les statistiques ?").get_by_label("Oui").check()
    page.get_by_label("Services de santé ou médicaux").check()
    page.get_by_role("group", name=re.compile("^Consentement donné par")).get_by_label("La personne survivante").check()
    page.get_by_label("Prénom").fill("Aïssata")
    page.get_by_label("Nom de famille").fill("Maïga")
    page.get_by_role("group", name="Sexe").get_by_label("Féminin").check()
    page.get_by_label("Âge (ans)").fill("22")
    page.get_by_label("Téléphone").first.fill("76 12 34 56")
    page.get_by_label(re.compile(r"^Lieu")).select_option("ML-7-03")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_load_state("load")
    visit.check()
    assert page.get_by_text("Aïssata Maïga").is_visible()
    case_url = page.url

    # When she records an incident, the tool asks one question at a time
    page.get_by_role("link", name="Enregistrer un incident").click()
    page.wait_for_load_state("load")
    visit.check()
    assert page.get_by_text("question 1 sur 6").is_visible()
    page.get_by_role("button", name="Oui").click()  # penetration: the first "yes" decides
    page.wait_for_load_state("load")
    visit.check()
    assert page.get_by_role("status").get_by_text("Viol").is_visible()
    yesterday = dt.date.today() - dt.timedelta(days=1)
    page.get_by_label("Date de l'incident").fill(yesterday.isoformat())
    page.get_by_role("group", name=re.compile("^Date de l'entretien")).get_by_label(re.compile("Aujourd'hui")).check()
    page.get_by_role("group", name=re.compile("^Moment de la journée")).get_by_label(re.compile("Soir ou nuit")).check()
    page.get_by_label(re.compile("^Type de lieu")).select_option("road")
    page.get_by_role("group", name=re.compile("^Déjà signalé à une autre agence")).get_by_label("Non").check()
    page.get_by_role("group", name=re.compile("^Nombre d'auteurs présumés")).get_by_label("1", exact=True).check()
    page.get_by_label("Sexe").first.select_option("male")
    page.get_by_label("Tranche d'âge").first.select_option("26-40")
    page.get_by_label("Lien avec la personne survivante").first.select_option("no_relation")
    page.get_by_role("button", name="Enregistrer l'incident").click()
    page.wait_for_load_state("load")
    visit.check()
    # Then the case shows the type and the hours left for PEP, as an upper bound: the exact
    # time is unknown, so the window is never shown shorter than it may be.
    assert page.url.startswith(case_url)
    assert page.get_by_role("heading", name=f"Viol — {yesterday.strftime('%d/%m/%Y')}").is_visible()
    urgent = page.get_by_role("alert").filter(has_text="prophylaxie post-exposition")
    assert urgent.is_visible()
    hours = int(urgent.inner_text().split("Jusqu'à ")[1].split(" heures")[0])
    assert 24 <= hours <= 72  # up to midnight after the incident day, plus 72 hours
    assert "heure exacte de l'incident inconnue" in urgent.inner_text()


def test_a_dropped_connection_loses_nothing_typed(visit, people) -> None:
    """The registration form in sections, saved as a draft on the server as she types: the
    network goes, comes back, the tab is closed; the form opened again holds everything."""
    from playwright.sync_api import expect

    people.user("awa.traore")
    LoginPage(visit).open().sign_in("awa.traore", PASSWORD)
    page = visit.page
    visit.goto("/cases/new")
    sections = page.get_by_role("navigation", name="Sections de ce formulaire")
    consent = sections.get_by_role("listitem").first
    expect(consent).to_contain_text("réponses obligatoires manquantes : 3")
    page.get_by_role("group", name="La personne survivante consent-elle à recevoir des services de gestion de cas ?") \
        .get_by_label("Oui").check()
    expect(consent).to_contain_text("réponses obligatoires manquantes : 2")
    page.get_by_label("Prénom").fill("Kadidia")
    status = page.locator("#draft-status")
    expect(status).to_contain_text("Brouillon enregistré sur le serveur", timeout=15_000)

    page.context.set_offline(True)
    page.get_by_label("Nom de famille").fill("Coulibaly")
    expect(status).to_contain_text("pas de connexion", timeout=15_000)
    page.context.set_offline(False)
    expect(status).to_contain_text("Brouillon enregistré sur le serveur", timeout=15_000)

    visit.goto("/cases")  # the tab is closed; later she opens the form again
    visit.goto("/cases/new")
    assert page.get_by_role("heading", name="Votre brouillon est de retour").is_visible()
    assert page.get_by_label("Prénom").input_value() == "Kadidia"
    assert page.get_by_label("Nom de famille").input_value() == "Coulibaly"
    assert page.get_by_role("group", name="La personne survivante consent-elle à recevoir des services de gestion de "
                            "cas ?").get_by_label("Oui").is_checked()
    expect(consent).to_contain_text("réponses obligatoires manquantes : 2")


def test_wrong_answers_never_lose_what_was_typed(visit, people) -> None:
    people.user("awa.traore")
    LoginPage(visit).open().sign_in("awa.traore", PASSWORD)
    page = visit.page
    visit.goto("/cases/new")
    page.get_by_label("Prénom").fill("Kadidia")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_load_state("load")
    visit.check()
    assert page.get_by_role("alert").first.is_visible()
    assert page.get_by_label("Prénom").input_value() == "Kadidia"


def test_plan_follow_up_and_closure_approved_by_the_supervisor(visit, people, live, browser) -> None:
    from ..integration.cases_helpers import make_case

    people.user("awa.traore")
    people.user("fatou.diallo", role="supervisor")
    case_id = make_case(live[0], "awa.traore")
    page = visit.page
    LoginPage(visit).open().sign_in("awa.traore", PASSWORD)
    visit.goto(f"/cases/{case_id}")
    # The caseworker writes the plan and sends it for approval
    page.get_by_role("link", name="Rédiger le plan").click()
    page.wait_for_load_state("load")
    visit.check()
    page.locator("#f-goals-0-area").select_option("health")
    page.locator("#f-goals-0-goal").fill("Soins médicaux et PEP")
    page.locator("#f-goals-0-responsible").fill("CSREF de Gao")
    page.get_by_role("button", name="Enregistrer le plan").click()
    page.wait_for_load_state("load")
    visit.check()
    page.get_by_role("button", name="Envoyer au superviseur pour approbation").click()
    page.wait_for_load_state("load")
    visit.check()

    # The supervisor sees it waiting and approves it
    supervisor = browser.new_context(viewport={"width": 360, "height": 740}, locale="fr-FR")
    try:
        from .conftest import Visit

        boss = Visit(supervisor.new_page(), visit.base, visit.artifacts)
        LoginPage(boss).open().sign_in("fatou.diallo", PASSWORD)
        boss.goto("/cases")
        boss.page.get_by_role("region", name="En attente de votre approbation").get_by_role("link").click()
        boss.page.wait_for_load_state("load")
        boss.check()
        boss.page.get_by_role("button", name="Approuver le plan").click()
        boss.page.wait_for_load_state("load")
        boss.check()

        # The caseworker follows up and asks to close
        visit.goto(f"/cases/{case_id}/follow-ups/new")
        page.get_by_label(re.compile("Soins médicaux et PEP")).select_option("done")
        page.get_by_label(re.compile("^Niveau de risque actuel")).select_option("low")
        page.get_by_role("button", name="Enregistrer le suivi").click()
        page.wait_for_load_state("load")
        visit.check()
        assert page.get_by_role("cell", name="Réalisé").is_visible()
        page.get_by_role("link", name="Demander la clôture").click()
        page.wait_for_load_state("load")
        visit.check()
        page.get_by_label(re.compile("^Motif de clôture")).select_option("needs_met")
        page.get_by_label("La personne survivante sait qu'elle peut revenir à tout moment").check()
        page.get_by_role("button", name="Demander la clôture").click()
        page.wait_for_load_state("load")
        visit.check()

        # The supervisor approves the closure
        boss.goto(f"/cases/{case_id}")
        boss.page.get_by_role("button", name="Approuver la clôture").click()
        boss.page.wait_for_load_state("load")
        boss.check()
        boss.page.locator("button[name=confirm][value=yes]").click()  # the confirmation step
        boss.page.wait_for_load_state("load")
        boss.check()
        assert boss.page.get_by_text(re.compile("Clôturé le")).is_visible()
    finally:
        supervisor.close()
    visit.goto(f"/cases/{case_id}")
    assert page.get_by_role("button", name="Rouvrir le cas").is_visible()


def test_caseworker_corrects_a_name_and_an_incident_date_and_sees_the_history(visit, people, live) -> None:
    from ..integration.cases_helpers import add_incident, incident_payload, make_case

    people.user("awa.traore")
    case_id = make_case(live[0], "awa.traore")
    add_incident(live[0], "awa.traore", case_id, incident_payload(days_ago=10))
    LoginPage(visit).open().sign_in("awa.traore", PASSWORD)
    page = visit.page
    visit.goto(f"/cases/{case_id}")
    # Given a mistyped name, when she corrects the survivor's record
    page.get_by_role("link", name="Corriger la fiche de la personne survivante ou le cas").click()
    page.wait_for_load_state("load")
    visit.check()
    assert page.get_by_label("Prénom").input_value() == "Aïssata"
    page.get_by_label("Prénom").fill("Aïchata")
    page.get_by_role("button", name="Enregistrer la correction").click()
    page.wait_for_load_state("load")
    visit.check()
    assert page.get_by_text("Aïchata Maïga").is_visible()
    # and the date of the incident
    page.get_by_role("link", name="Corriger cet incident").click()
    page.wait_for_load_state("load")
    visit.check()
    page.get_by_label("Date de l'incident").fill("2026-03-14")
    page.get_by_role("button", name="Enregistrer la correction").click()
    page.wait_for_load_state("load")
    visit.check()
    assert page.get_by_role("heading", name="14/03/2026", exact=False).is_visible()
    # Then the history says what was corrected, by whom and when — never the values
    history = page.locator("#history").inner_text()
    assert "Cas corrigé : Prénom" in history and "Incident corrigé : Date de l'incident" in history
    assert "awa.traore" in history and "Aïchata" not in history
    # A correction that changes nothing is refused and says so
    page.get_by_role("link", name="Corriger cet incident").click()
    page.wait_for_load_state("load")
    visit.check()
    page.get_by_role("button", name="Enregistrer la correction").click()
    page.wait_for_load_state("load")
    visit.check()
    assert page.get_by_role("alert").filter(has_text="Rien à changer").is_visible()


def test_caseworker_finds_a_survivor_by_name_without_the_name_in_the_address(visit, people, live) -> None:
    from ..integration.cases_helpers import case_payload, make_case

    people.user("awa.traore")
    wanted = make_case(live[0], "awa.traore")
    for n in range(3):
        make_case(live[0], "awa.traore", case_payload(given_name=f"Kadiatou{n}", phone=f"6600000{n}"))
    LoginPage(visit).open().sign_in("awa.traore", PASSWORD)
    page = visit.page
    visit.goto("/cases")
    page.get_by_label("Code du cas, nom ou téléphone").fill("aïssata maïga")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_load_state("load")
    visit.check()
    assert page.get_by_text("1 dossier").is_visible()
    assert page.locator(f'a[href="/cases/{wanted}"]').is_visible()
    # The name went in the body of the request: neither the address bar nor the history has it.
    assert "a%C3%AFssata" not in page.url.lower() and "aissata" not in page.url.lower() and "q=" not in page.url
