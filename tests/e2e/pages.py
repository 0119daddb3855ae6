"""Page objects: what a person does on each page, in the words of the page."""

from __future__ import annotations

from dataclasses import dataclass

from .conftest import Visit


@dataclass
class LoginPage:
    visit: Visit

    def open(self) -> LoginPage:
        self.visit.goto("/login")
        return self

    def sign_in(self, username: str, password: str, *, label_user: str = "Nom d'utilisateur",
                label_password: str = "Mot de passe", button: str = "Se connecter") -> None:
        page = self.visit.page
        page.get_by_label(label_user).fill(username)
        page.get_by_label(label_password, exact=True).fill(password)
        page.get_by_role("button", name=button).click()
        page.wait_for_load_state("load")
        self.visit.check()

    def error(self) -> str:
        return str(self.visit.page.get_by_role("alert").inner_text())


@dataclass
class Header:
    visit: Visit

    def switch_to(self, language_button: str) -> None:
        self.visit.page.get_by_role("button", name=language_button).click()
        self.visit.page.wait_for_load_state("load")
        self.visit.check()

    def sign_out(self, name: str = "Se déconnecter") -> None:
        self.visit.page.get_by_role("button", name=name).click()
        self.visit.page.wait_for_load_state("load")
        self.visit.check()
