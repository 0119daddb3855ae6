"""What every template can use: the navigation the user may see, the language switcher."""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from . import clock
from .admin.forms import ROLE_LABELS
from .auth.forms import LanguageForm
from .cases.labels import field_label
from .i18n_labels import label
from .policy import role_allows

# (endpoint, label, action required to see it)
NAVIGATION = (
    ("main.home", _l("Home"), "account.manage"),
    ("cases.index", _l("Cases"), "case.list"),
    ("referrals.inbox", _l("Referrals received"), "referral.inbox"),
    ("stats.dashboard", _l("Statistics"), "stats.read"),
    ("referrals.directory", _l("Services"), "directory.read"),
    ("auth.team", _l("Team"), "team.unlock"),
    ("admin.users", _l("Users"), "users.manage"),
    ("admin.agencies", _l("Agencies"), "agencies.manage"),
    ("admin.providers", _l("Directory"), "providers.manage"),
    ("admin.locations", _l("Locations"), "locations.manage"),
    ("admin.audit_log", _l("Audit log"), "audit.read"),
    ("auth.account", _l("My account"), "account.manage"),
)


def _context() -> dict[str, Any]:
    nav = [(endpoint, label) for endpoint, label, action in NAVIGATION if role_allows(current_user, action)]
    return {
        "navigation": nav,
        "language_form": LanguageForm(next=request.full_path.rstrip("?") if request.method == "GET" else "/"),
        "current_language": str(get_locale() or "fr"),
        "role_labels": ROLE_LABELS,
    }


def register(app: Flask) -> None:
    app.context_processor(_context)
    app.jinja_env.filters["day"] = clock.day
    app.jinja_env.filters["moment"] = clock.moment
    app.jinja_env.filters["field_label"] = lambda name: label(field_label(name))
