"""Roles of accounts and the second person who approves a case role (separation of duties).

Shared by the administrators' pages, a supervisor's team page and the CLI; the rule itself —
who may approve whom — is ``role.approve`` in ``app/policy.py``.
"""

from __future__ import annotations

from flask_babel import gettext as _

from models import Agency, User, utcnow

from .. import audit
from ..policy import CASE_ROLES, require
from . import sessions


def set_role(user: User, role: str, agency: Agency | None, *, by: User | None) -> None:
    """Give ``user`` a role in ``agency``. A case role given by an administrator waits for a
    second person's approval (``policy.role_in_force``); given by the operator (``by`` None) it
    is in force at once."""
    user.role, user.agency = role, agency
    user.role_requested_by_id = by.id if by else None
    pending = by is not None and role in CASE_ROLES
    user.role_approved_by_id = None
    user.role_approved_at = None if pending else utcnow()


def approve_role(approver: User, member: User) -> None:
    require("role.approve", member, user=approver)
    member.role_approved_by_id, member.role_approved_at = approver.id, utcnow()
    audit.record(
        "user.role_approved",
        actor=approver,
        target_type="user",
        target_id=member.id,
        details={"role": member.role, "agency": member.agency.code if member.agency else None},
    )


def decide_role(approver: User, member: User, *, approve: bool) -> str:
    """Approve or refuse ``member``'s case role; what to tell the approver."""
    if approve:
        approve_role(approver, member)
        return _("Role approved: %(name)s can now work on cases.", name=member.username)
    refuse_role(approver, member)
    return _("Role refused: the account of %(name)s is deactivated.", name=member.username)


def refuse_role(approver: User, member: User) -> None:
    """A role the second person does not recognise: the account is deactivated."""
    require("role.approve", member, user=approver)
    member.active = False
    sessions.end_all(member, "account_changed")
    audit.record(
        "user.role_refused", actor=approver, target_type="user", target_id=member.id, details={"role": member.role}
    )
