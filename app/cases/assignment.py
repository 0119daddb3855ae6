"""Reassigning a case to another caseworker of its agency, with a reason (audited): a
caseworker leaves, falls ill, or a case needs someone who speaks the survivor's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from gbvims.labels import N_
from models import Case, User, db

from .. import audit
from ..errors import Conflict
from ..policy import deciders_of, require
from ..validation import Reader

REASONS = {
    "left": N_("The caseworker left or is absent"),
    "workload": N_("Workload"),
    "language": N_("Language or skills the survivor needs"),
    "conflict": N_("Conflict of interest or safety"),
    "other": N_("Other"),
}


def candidates(case: Case) -> list[User]:
    """Active caseworkers of the case's agency whose role is in force, but the current owner."""
    stmt = (
        select(User)
        .where(User.agency_id == case.agency_id, deciders_of("case.update"), User.id != case.owner_id)
        .order_by(User.username)
    )
    return list(db.session.scalars(stmt))


def reassign(user: User, case: Case, payload: Mapping[str, Any]) -> User:
    """Give the case to another caseworker of its agency (supervisors, ``case.assign``)."""
    require("case.assign", case, user=user)
    if case.status != "open":
        raise Conflict(_("Only an open case is reassigned."))
    r = Reader(payload)
    new_owner_id = r.text("owner_id", required=True, max_length=36)
    reason = r.choice("reason", REASONS, required=True)
    allowed = {u.id: u for u in candidates(case)}
    if new_owner_id and new_owner_id not in allowed:
        r.fail("owner_id", _("Choose a caseworker of this case's agency."))
    r.raise_if_invalid()
    new_owner = allowed[str(new_owner_id)]
    previous = case.owner_id
    case.owner_id = new_owner.id
    case.assignments = [a for a in case.assignments if a.user_id != new_owner.id]
    audit.record(
        "case.reassigned",
        actor=user,
        target_type="case",
        target_id=case.id,
        details={"from": previous, "to": new_owner.id, "reason": reason},
    )
    return new_owner
