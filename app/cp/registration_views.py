"""What the registration page needs for a child protection case (the page is app.cases')."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from cpims import options

from ..i18n_labels import choices
from . import CP_KIND
from .profile import times


def cp_registration_context(values: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    if values.get("kind") != CP_KIND:
        return {}
    high, medium, low = (times()[level].act_within for level in ("high", "medium", "low"))
    return {
        "cp_choices": {
            name: choices(getattr(options, name))
            for name in ("PROTECTION_CONCERNS", "NO_CAREGIVER_REASONS", "GRAVE_VIOLATIONS", "MRM_PERPETRATORS")
        },
        "risk_hint": _(
            "First action due within %(high)s for a high risk, %(medium)s for a medium risk, %(low)s for a low risk.",
            high=_duration(high),
            medium=_duration(medium),
            low=_duration(low),
        ),
        "mrm_open": any(name.startswith("grave_violations") for name in errors),
    }


def _duration(span: Any) -> str:
    hours = int(span.total_seconds() // 3600)
    if hours % 24 or hours < 24:
        return ngettext("%(num)d hour", "%(num)d hours", hours)
    return ngettext("%(num)d day", "%(num)d days", hours // 24)
