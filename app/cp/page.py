"""What a CP case's page shows of the child protection sections (app/templates/cp/)."""

from __future__ import annotations

from typing import Any

from cpims import options
from models import Case, User

from . import CP_KIND
from .links import linked_cases
from .profile import case_clocks, concerns_of


def cp_page_context(user: User, case: Case) -> dict[str, Any]:
    """The cases linked to this one that the user may open; for a CP case, the codes' labels
    and the running clocks."""
    context: dict[str, Any] = {"linked": linked_cases(user, case), "cp": None}
    if case.kind == CP_KIND and case.child_profile is not None:
        context["cp"] = {
            "options": options,
            "concerns": concerns_of(case),
            "clocks": case_clocks(case),
            "profile": case.child_profile,
        }
    return context
