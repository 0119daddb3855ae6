"""The grave violations (MRM) a CP case documents, recorded after registration too: codes and a
date only, counted anonymously (gbvims/cp_counts.py). No verification workflow here: that
stays with the country task force."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from models import Case, User, db

from .. import audit, clock
from ..errors import Conflict, NotFound
from ..policy import require
from ..validation import Reader
from . import CP_KIND
from .registration import ViolationData, add_violations, read_violations


def record_violations(user: User, case: Case, payload: Mapping[str, Any]) -> list[ViolationData]:
    """Add the violations of ``payload["grave_violations"]`` (at least one) to an open CP case."""
    require("case.update", case, user=user)
    if case.kind != CP_KIND or case.status != "open":
        raise Conflict(_("Grave violations are recorded on an open child protection case."))
    r = Reader(payload)
    found = read_violations(r, payload.get("grave_violations"), clock.today())
    if not found and not r.errors:
        r.fail("grave_violations", _("Record at least one grave violation."))
    r.raise_if_invalid()
    add_violations(user, case, found)
    return found


def remove_violation(user: User, case: Case, violation_id: str) -> None:
    """A violation recorded by mistake: removed, and the removal audited (by code, never more)."""
    require("case.update", case, user=user)
    if case.status != "open":
        raise Conflict(_("Grave violations are recorded on an open child protection case."))
    row = next((v for v in case.grave_violations if v.id == violation_id), None)
    if row is None:
        raise NotFound()
    audit.record(
        "cp.violation_removed", actor=user, target_type="case", target_id=case.id, details={"violation": row.violation}
    )
    db.session.delete(row)

