"""First browser journeys: sign in in French, wrong password, lockout after five failures,
switch to English, sign out — on a 360 px phone screen."""

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


def test_five_failures_lock_the_account(visit, people) -> None:
    people.user("awa.traore")
    login = LoginPage(visit).open()
    for _ in range(5):
        login.sign_in("awa.traore", "not my password")
    assert "verrouillé pendant 15 minutes" in login.error()
    login.sign_in("awa.traore", PASSWORD)
    assert "verrouillé pendant 15 minutes" in login.error()
    assert visit.page.get_by_role("heading", name="Se connecter").is_visible()


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
    assert page.get_by_text("Utilisateur fatou.diallo créé.").is_visible()
    visit.goto("/admin/audit")
    assert page.get_by_role("cell", name="user.created").is_visible()
    visit.goto("/nowhere")
    assert page.get_by_role("heading", name="Erreur 404").is_visible()
