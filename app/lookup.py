"""Fetching a record named in a URL, with the access check that must come with it.

A record that does not exist and one the user may not see answer the same 404, so that an id
reveals nothing (docs/architecture.md, "Roles and access policy").
"""

from __future__ import annotations

from models import Case, db

from .errors import NotFound
from .policy import require


def load_case(case_id: str, action: str = "case.read") -> Case:
    """The case, if it exists and the user may see it; 404 either way otherwise."""
    case = db.session.get(Case, case_id) if len(case_id) <= 36 else None
    if case is None or case.purged_at is not None:
        raise NotFound()
    require(action, case)
    return case
