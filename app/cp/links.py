"""Links between a child's GBV case and their CP case. A link is shown only to a person who may
read the other case: a CP caseworker never learns that a GBV case exists in another team or
agency, and the reverse. Creating one needs the right to read both."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import or_, select

from models import Case, CaseLink, User, db

from .. import audit
from ..errors import Conflict
from ..policy import can, require
from ..validation import Reader

PAIR = {"gbv": "cp", "cp": "gbv"}


def link(user: User, case: Case, payload: Mapping[str, Any]) -> Case:
    """Link ``case`` to the case whose code is ``payload["case_code"]`` (the other kind)."""
    require("case.update", case, user=user)
    if case.status != "open" or not case.consent_services:
        raise Conflict(_("This case is closed or its consent was withdrawn."))
    r = Reader(payload)
    code = (r.text("case_code", required=True, max_length=24) or "").strip().upper()
    other = db.session.scalar(select(Case).where(Case.case_code == code, Case.purged_at.is_(None))) if code else None
    # A code out of the user's scope is answered like an unknown one: no existence leaks.
    if code and (other is None or not can(user, "case.read", other)):
        r.fail("case_code", _("No case with this code that you may open."))
    elif other is not None and other.kind != PAIR.get(case.kind):
        r.fail("case_code", _("Link a child's GBV case to their child protection case, or the reverse."))
    r.raise_if_invalid()
    assert other is not None  # noqa: S101 — the reader failed otherwise
    gbv, cp = (case, other) if case.kind == "gbv" else (other, case)
    exists = db.session.scalar(select(CaseLink.id).where(CaseLink.gbv_case_id == gbv.id, CaseLink.cp_case_id == cp.id))
    if exists:
        raise Conflict(_("These cases are already linked."))
    db.session.add(CaseLink(gbv_case_id=gbv.id, cp_case_id=cp.id, created_by_id=user.id))
    for one, another in ((case, other), (other, case)):
        audit.record("case.linked", actor=user, target_type="case", target_id=one.id, details={"case": another.id})
    return other


def linked_cases(user: User, case: Case) -> list[Case]:
    """The cases linked to ``case`` that ``user`` may read (the others stay unseen)."""
    rows = db.session.scalars(
        select(CaseLink).where(or_(CaseLink.gbv_case_id == case.id, CaseLink.cp_case_id == case.id))
    ).all()
    ids = [row.cp_case_id if row.gbv_case_id == case.id else row.gbv_case_id for row in rows]
    found = [db.session.get(Case, i) for i in ids]
    return [c for c in found if c is not None and c.purged_at is None and can(user, "case.read", c)]
