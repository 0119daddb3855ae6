"""Care arrangements of a CP case: where and with whom the child lives. The current arrangement
has no end date; starting a new one ends the previous one on the new start date, and no
arrangement ends before it started (cpims.family).

Each function validates, writes in the current transaction and audits by field name; the
caller commits. Nothing is written when a field is refused (``ValidationFailed``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from cpims import family, options
from models import CareArrangement, Case, User, db

from .. import clock
from ..errors import Conflict
from ..validation import Reader, present
from .family import log, open_cp_case, past_date, written


def arrangements_of(case: Case) -> list[CareArrangement]:
    """Oldest first."""
    return sorted(case.care_arrangements, key=lambda a: (a.started, a.ended is None, a.ended or a.started))


def current(case: Case) -> CareArrangement | None:
    return next((a for a in reversed(arrangements_of(case)) if a.ended is None), None)


def start(user: User, case: Case, payload: Mapping[str, Any], today: dt.date | None = None) -> CareArrangement:
    """A new current arrangement; the previous one ends on its start date."""
    open_cp_case(user, case)
    r = Reader(payload)
    arrangement = r.choice("arrangement", options.CARE_ARRANGEMENTS, required=True)
    started = past_date(r, "started", today or clock.today())
    carer = r.text("carer", max_length=200)
    notes = r.text("notes", max_length=4000, multiline=True)
    latest = arrangements_of(case)[-1] if case.care_arrangements else None
    if started is not None and latest is not None and not family.may_follow(latest.started, latest.ended, started):
        if latest.ended is None:
            message = _(
                "A new arrangement cannot start before the current one did (%(date)s).", date=clock.day(latest.started)
            )
        else:
            message = _(
                "A new arrangement cannot start before the previous one ended (%(date)s).", date=clock.day(latest.ended)
            )
        r.fail("started", message)
    r.raise_if_invalid()
    started = present(started)
    previous = current(case)
    if previous is not None:
        previous.ended = started
    row = CareArrangement(case=case, arrangement=present(arrangement), started=started, recorded_by_id=user.id)
    db.session.add(row)
    db.session.flush()  # the row's id first: its encrypted text is bound to it
    row.carer, row.notes = carer, notes
    log(
        user,
        case,
        "cp.care_started",
        row.id,
        written(arrangement=arrangement, started=started, carer=carer, notes=notes),
    )
    return row


def end(user: User, case: Case, payload: Mapping[str, Any], today: dt.date | None = None) -> CareArrangement:
    """End the current arrangement without another (the child left it)."""
    open_cp_case(user, case)
    arrangement = current(case)
    if arrangement is None:
        raise Conflict(_("The child has no current care arrangement to end."))
    r = Reader(payload)
    ended = past_date(r, "ended", today or clock.today())
    if ended is not None and not family.period_valid(arrangement.started, ended):
        r.fail(
            "ended",
            _("An arrangement cannot end before it started (%(date)s).", date=clock.day(arrangement.started)),
        )
    r.raise_if_invalid()
    arrangement.ended = ended
    log(user, case, "cp.care_ended", arrangement.id, ["ended"])
    return arrangement


@dataclass(frozen=True)
class CareSection:
    """What the case page shows of care (decrypted: the page is in scope)."""

    current: CareArrangement | None
    past: list[CareArrangement]


def section(case: Case) -> CareSection:
    rows = arrangements_of(case)
    now = current(case)
    return CareSection(current=now, past=[a for a in reversed(rows) if a is not now])
