"""First browser journeys: sign in in French, wrong password, sign-in paused after five failures
and opened again by the supervisor, switch to English, sign out — on a 360 px phone screen."""

from __future__ import annotations

import re

from ..conftest import PASSWORD
from .pages import Header, LoginPage


def test_caseworker_signs_in_in_french_switches_to_english_and_signs_out(visit, people) -> None:
    # Given a caseworker account
    people.user("awa.traore")
    # When she opens Sutura, the login page is in French
    login = LoginPage(visit).open()
    page = visit.page
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", name="Se connecter").is_visible()
    # And she signs in
    login.sign_in("awa.traore", PASSWORD)
    assert page.get_by_role("heading", name="Bienvenue, awa.traore").is_visible()
    assert page.get_by_text("Gestionnaire de cas").first.is_visible()
    # When she switches to English, the same page is in English and stays so
    Header(visit).switch_to("English")
    assert page.get_by_role("heading", name="Welcome, awa.traore").is_visible()
    visit.goto("/account")
    assert page.get_by_role("heading", name="My account").is_visible()
    # Then she signs out and is back on the login page, in English
    Header(visit).sign_out("Sign out")
    assert re.search(r"/login$", page.url)
    assert page.get_by_text("You are signed out.").is_visible()


def test_wrong_password_is_explained(visit, people) -> None:
    people.user("awa.traore")
    login = LoginPage(visit).open()
    login.sign_in("awa.traore", "not my password")
    assert login.error() == "Nom d'utilisateur ou mot de passe incorrect."
    assert visit.page.get_by_label("Nom d'utilisateur").input_value() == "awa.traore"


def test_five_failures_pause_sign_in_and_the_supervisor_opens_it_again(visit, people) -> None:
    people.user("awa.traore")
    people.user("fatou.diallo", role="supervisor")
    login = LoginPage(visit).open()
    for _ in range(5):
        login.sign_in("awa.traore", "not my password")
    # Even the right password is refused from here now, with the same words as a wrong one.
    login.sign_in("awa.traore", PASSWORD)
    assert login.error() == "Nom d'utilisateur ou mot de passe incorrect."
    assert visit.page.get_by_text("en pause pendant 15 minutes").is_visible()
    # Her supervisor opens sign-in again from the team page.
    login.sign_in("fatou.diallo", PASSWORD)
    visit.page.get_by_role("link", name="Équipe").click()
    visit.page.wait_for_load_state("load")
    visit.check()
    visit.page.get_by_role("button", name="Rouvrir la connexion").click()
    visit.page.wait_for_load_state("load")
    visit.check()
    assert visit.page.get_by_text("La connexion est de nouveau ouverte pour awa.traore.").is_visible()
    Header(visit).sign_out()
    login.sign_in("awa.traore", PASSWORD)
    assert visit.page.get_by_role("heading", name="Bienvenue, awa.traore").is_visible()


def test_admin_pages_are_usable_on_a_phone(visit, people) -> None:
    people.user("chief", role="admin", agency=None)
    LoginPage(visit).open().sign_in("chief", PASSWORD)
    for path in ("/admin/users", "/admin/users/new", "/admin/agencies", "/admin/agencies/new", "/admin/audit",
                 "/account", "/account/password", "/account/2fa"):
        visit.goto(path)
    page = visit.page
    visit.goto("/admin/users/new")
    page.get_by_label("Nom d'utilisateur").fill("fatou.diallo")
    page.get_by_label("Rôle").select_option("cluster_lead")
    page.get_by_label("Mot de passe initial").fill("a long initial passphrase")
    page.get_by_role("button", name="Créer l'utilisateur").click()
    page.wait_for_load_state("load")
    visit.check()
    # A lead coordinates one sub-cluster: the form asks which, and keeps what was typed
    assert page.get_by_text("Choisissez le sous-cluster coordonné").is_visible()
    page.get_by_label("Sous-cluster (coordination de sous-cluster seulement)").select_option("gbv")
    page.get_by_label("Mot de passe initial").fill("a long initial passphrase")
    page.get_by_role("button", name="Créer l'utilisateur").click()
    page.wait_for_load_state("load")
    visit.check()
    assert page.get_by_text("Utilisateur fatou.diallo créé.").is_visible()
    visit.goto("/admin/audit")
    assert page.get_by_role("cell", name="user.created").is_visible()
    visit.goto("/nowhere")
    assert page.get_by_role("heading", name="Erreur 404").is_visible()


def test_a_new_caseworker_replaces_her_password_and_waits_for_her_supervisor(visit, people) -> None:
    """Separation of duties, as people live it: the administrator creates the account, the new
    caseworker chooses her own password, and her supervisor confirms she is in the team."""
    people.user("chief", role="admin", agency=None)
    people.user("fatou.diallo", role="supervisor")
    page = visit.page
    login = LoginPage(visit).open()
    login.sign_in("chief", PASSWORD)
    visit.goto("/admin/users/new")
    page.get_by_label("Nom d'utilisateur").fill("mariam.coulibaly")
    page.get_by_label("Rôle").select_option("caseworker")
    page.get_by_label("Agence").select_option("ESPOIR")
    page.get_by_label("Mot de passe initial").fill("initial words for mariam")
    page.get_by_role("button", name="Créer l'utilisateur").click()
    page.wait_for_load_state("load")
    visit.check()
    assert page.get_by_role("heading", name="Rôle en attente d'approbation").is_visible()
    Header(visit).sign_out()
    # Mariam's first sign-in: her own password first.
    login.sign_in("mariam.coulibaly", "initial words for mariam")
    assert page.get_by_text("celui qui vous a été donné est temporaire").is_visible()
    page.get_by_label("Mot de passe actuel").fill("initial words for mariam")
    page.get_by_label("Nouveau mot de passe", exact=True).fill("mariam's own long passphrase")
    page.get_by_label("Confirmer le nouveau mot de passe").fill("mariam's own long passphrase")
    page.get_by_role("button", name="Changer le mot de passe").click()
    page.wait_for_load_state("load")
    visit.check()
    visit.goto("/")
    assert page.get_by_text("Votre rôle attend l'approbation d'une deuxième personne").is_visible()
    Header(visit).sign_out()
    # Her supervisor approves her on the team page.
    login.sign_in("fatou.diallo", PASSWORD)
    visit.goto("/team")
    page.get_by_role("button", name="Approuver le rôle").click()
    page.wait_for_load_state("load")
    visit.check()
    assert page.get_by_text("Rôle approuvé : mariam.coulibaly").is_visible()
    Header(visit).sign_out()
    login.sign_in("mariam.coulibaly", "mariam's own long passphrase")
    visit.goto("/cases")
    assert page.get_by_role("heading", name="Dossiers").is_visible()
