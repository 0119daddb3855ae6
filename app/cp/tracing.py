"""Family tracing and reunification of a CP case: the separation (one per case: where tracing
starts), tracing actions and their results, the verification of the family found with its
recommendation, and the reunification, which follows a verification recommending it and is
followed up within two weeks (cpims.family).

Each function validates, writes in the current transaction and audits by field name; the
caller commits. Nothing is written when a field is refused (``ValidationFailed``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from cpims import family, options
from models import Case, Separation, TracingStep, User, db

from .. import clock
from ..errors import ValidationFailed
from ..validation import Reader, present
from .family import log, open_cp_case, past_date, written

STEPS: Mapping[str, str] = {step: step for step in family.TRACING_STEPS}
MAX_NOTES = 4000


def steps_of(case: Case) -> list[TracingStep]:
    """The case's tracing steps by date, those of one day in the order they were recorded."""
    return sorted(
        case.tracing_steps, key=lambda s: (s.date, s.recorded_at.timestamp() if s.recorded_at else float("inf"))
    )


def needed(case: Case) -> bool:
    return family.tracing_needed(c.concern for c in case.child_concerns)


def record(
    user: User, case: Case, payload: Mapping[str, Any], today: dt.date | None = None
) -> Separation | TracingStep:
    """The separation or a tracing step, by the payload's ``step`` (the API's one endpoint)."""
    open_cp_case(user, case)
    r = Reader(payload)
    step = r.choice("step", STEPS, required=True)
    r.raise_if_invalid()
    if step == family.SEPARATION:
        return record_separation(user, case, payload, today)
    recorders = {
        family.ACTION: add_action,
        family.VERIFICATION: add_verification,
        family.REUNIFICATION: add_reunification,
    }
    return recorders[present(step)](user, case, payload, today)


def record_separation(user: User, case: Case, payload: Mapping[str, Any], today: dt.date | None = None) -> Separation:
    """Record the separation, or correct the one recorded (a case has one)."""
    open_cp_case(user, case)
    r = Reader(payload)
    date = past_date(r, "date", today or clock.today(), required=False)
    cause = r.choice("cause", options.SEPARATION_CAUSES, required=True)
    place = r.text("place", max_length=500, multiline=True)
    sought = r.text("sought", max_length=1000, multiline=True)
    r.raise_if_invalid()
    cause = present(cause)
    separation = case.separation
    action = "cp.separation_corrected" if separation is not None else "cp.separation_recorded"
    if separation is None:
        separation = Separation(case=case, cause=cause)
        db.session.add(separation)
        db.session.flush()  # the row's id first: its encrypted text is bound to it
    separation.date, separation.cause = date, cause
    separation.place, separation.sought = place, sought
    log(user, case, action, separation.id, written(date=date, cause=cause, place=place, sought=sought))
    return separation


def _step(
    user: User, case: Case, step: str, date: dt.date | None, notes: str | None, **codes: str | None
) -> TracingStep:
    row = TracingStep(case=case, step=step, date=date, recorded_by_id=user.id, **codes)
    db.session.add(row)
    db.session.flush()
    row.notes = notes
    log(user, case, f"cp.tracing_{step}_recorded", row.id, written(date=date, notes=notes, **codes))
    return row


def add_action(user: User, case: Case, payload: Mapping[str, Any], today: dt.date | None = None) -> TracingStep:
    open_cp_case(user, case)
    r = Reader(payload)
    date = past_date(r, "date", today or clock.today())
    action = r.choice("action", options.TRACING_ACTIONS, required=True)
    outcome = r.choice("outcome", options.TRACING_OUTCOMES, required=True)
    notes = r.text("notes", max_length=MAX_NOTES, multiline=True)
    r.raise_if_invalid()
    return _step(user, case, family.ACTION, date, notes, action=action, outcome=outcome)


def add_verification(user: User, case: Case, payload: Mapping[str, Any], today: dt.date | None = None) -> TracingStep:
    open_cp_case(user, case)
    r = Reader(payload)
    date = past_date(r, "date", today or clock.today())
    recommendation = r.choice("recommendation", options.VERIFICATION, required=True)
    notes = r.text("notes", max_length=MAX_NOTES, multiline=True)
    r.raise_if_invalid()
    return _step(user, case, family.VERIFICATION, date, notes, recommendation=recommendation)


def add_reunification(user: User, case: Case, payload: Mapping[str, Any], today: dt.date | None = None) -> TracingStep:
    """A reunification, only after a verification recommending it (and not before its date)."""
    open_cp_case(user, case)
    r = Reader(payload)
    date = past_date(r, "date", today or clock.today())
    kind = r.choice("reunification_type", options.REUNIFICATION_TYPES, required=True)
    notes = r.text("notes", max_length=MAX_NOTES, multiline=True)
    basis = family.reunification_basis(steps_of(case))
    if basis is None:
        message = _(
            "A reunification follows a verification that recommends it: record the verification of the family first."
        )
        r.fail("step", message)
        raise ValidationFailed(message, fields=r.errors)
    if date is not None and date < basis.date:
        r.fail(
            "date", _("The reunification cannot come before the verification (%(date)s).", date=clock.day(basis.date))
        )
    r.raise_if_invalid()
    return _step(user, case, family.REUNIFICATION, date, notes, reunification_type=kind)


@dataclass(frozen=True)
class TracingSection:
    """What the case page shows of tracing (decrypted: the page is in scope)."""

    needed: bool
    separation: Separation | None
    steps: list[TracingStep]
    may_reunify: bool
    follow_up: family.FollowUpAfterReunification | None
    overdue: bool


def section(case: Case, today: dt.date | None = None) -> TracingSection:
    steps = steps_of(case)
    reunified = family.last_reunification(steps)
    follow_up = None
    if reunified is not None:
        follow_up = family.follow_up_after_reunification(reunified.date, ((f.date, f.purpose) for f in case.follow_ups))
    return TracingSection(
        needed=needed(case),
        separation=case.separation,
        steps=steps,
        may_reunify=family.reunification_basis(steps) is not None,
        follow_up=follow_up,
        overdue=follow_up is not None and follow_up.overdue(today or clock.today()),
    )
