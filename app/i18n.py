"""Language choice: the user's own setting, then the browser's, then French (Mali works in French).

API clients are answered in their Accept-Language first, as docs/api.md says.
"""

from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_login import current_user


def supported() -> tuple[str, ...]:
    languages: tuple[str, ...] = current_app.config["LANGUAGES"]
    return languages


def select_locale() -> str:
    languages = supported()
    if not has_request_context():  # CLI: messages in the default language
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    browser = request.accept_languages.best_match(languages)
    if request.blueprint == "api" and browser:
        return browser
    user_choice = getattr(current_user, "language", None)
    if user_choice in languages:
        return str(user_choice)
    if session.get("lang") in languages:
        return str(session["lang"])
    return browser or current_app.config["BABEL_DEFAULT_LOCALE"]
