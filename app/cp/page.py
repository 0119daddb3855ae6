"""What a CP case's page shows of the child protection sections (app/templates/cp/)."""

from __future__ import annotations

from typing import Any

from cpims import options
from models import Case

from .profile import case_clocks, concerns_of


def cp_page_context(case: Case) -> dict[str, Any]:
    """The codes' labels and the running clocks of a CP case (empty for another kind)."""
    if case.kind != "cp" or case.child_profile is None:
        return {}
    return {"cp": {"options": options, "concerns": concerns_of(case), "clocks": case_clocks(case),
                   "profile": case.child_profile}}
