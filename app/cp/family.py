"""What best interests, tracing and care share: which cases accept their records, the audit
entry of a write (field names, never values), dates that cannot be in the future."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _

from models import Case, User

from .. import audit
from ..errors import Conflict
from ..policy import require
from ..validation import Reader
from . import CP_KIND
from .profile import note_action


def open_cp_case(user: User, case: Case, action: str = "case.update") -> None:
    """Writes go to an open CP case whose consent to services stands, by someone the policy
    lets do ``action`` to it."""
    require(action, case, user=user)
    if case.kind != CP_KIND:
        raise Conflict(_("Only a child protection case records this."))
    if case.status != "open" or not case.consent_services:
        raise Conflict(_("This case is closed or its consent was withdrawn."))


def log(user: User, case: Case, action: str, record_id: str, fields: list[str]) -> None:
    """Audit a write by the names of the fields written, never their values; what was done
    for the child also stops the first-action clock."""
    details: dict[str, Any] = {"record": record_id, "fields": fields}
    audit.record(action, actor=user, target_type="case", target_id=case.id, details=details)
    note_action(case)


def past_date(r: Reader, name: str, today: dt.date, *, required: bool = True) -> dt.date | None:
    """A date of something that happened: not after today."""
    day = r.date(name, required=required)
    if day is not None and day > today:
        r.fail(name, _("The date cannot be in the future."))
        return None
    return day


def written(**values: object) -> list[str]:
    """The names of the fields given a value, for the audit entry."""
    return [name for name, value in values.items() if value not in (None, "")]
