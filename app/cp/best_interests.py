"""Best interests of a CP case: the assessment (BIA) with the child's own views, and the
determination (BID) submitted to a panel, which rests on a BIA of the same case; the panel's
decision is recorded by a supervisor of the case's agency other than the BID's author.

Each function validates, writes in the current transaction and audits by field name; the
caller commits. Nothing is written when a field is refused (``ValidationFailed``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from cpims import options
from cpims.family import BIA, BID, panel_date_valid, panel_notes_required
from models import BestInterests, Case, User, db

from .. import clock
from ..errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..policy import can
from ..validation import Reader
from .family import log, open_cp_case, past_date, written

KINDS: Mapping[str, str] = {BIA: BIA, BID: BID}
MAX_TEXT = 4000


def may_record_panel_decision(user: Any, bid: Any) -> bool:
    """Whether ``user`` records the panel's decision on ``bid`` (``bid.decide`` in app.policy)."""
    return can(user, "bid.decide", bid)


def assessments(case: Case) -> list[BestInterests]:
    return [b for b in case.best_interests if b.kind == BIA]


def determinations(case: Case) -> list[BestInterests]:
    return [b for b in case.best_interests if b.kind == BID]


def awaiting_panel(case: Case) -> BestInterests | None:
    return next((b for b in determinations(case) if b.panel_decision is None), None)


def record(user: User, case: Case, payload: Mapping[str, Any]) -> BestInterests:
    """A BIA or a BID, by the payload's ``kind`` (the API's one endpoint)."""
    open_cp_case(user, case)
    r = Reader(payload)
    kind = r.choice("kind", KINDS, required=True)
    r.raise_if_invalid()
    return record_assessment(user, case, payload) if kind == BIA else submit_determination(user, case, payload)


def record_assessment(user: User, case: Case, payload: Mapping[str, Any]) -> BestInterests:
    open_cp_case(user, case)
    r = Reader(payload)
    priority = r.choice("priority", options.BIA_PRIORITY, required=True)
    child_views = r.text("child_views", required=True, max_length=MAX_TEXT, multiline=True)
    recommendation = r.choice("recommendation", options.BI_RECOMMENDATIONS, required=True)
    summary = r.text("summary", max_length=MAX_TEXT, multiline=True)
    r.raise_if_invalid()
    bia = BestInterests(case=case, kind=BIA, priority=priority, recommendation=recommendation, created_by_id=user.id)
    db.session.add(bia)
    db.session.flush()  # the row's id first: its encrypted text is bound to it
    bia.child_views, bia.summary = child_views, summary
    fields = written(priority=priority, child_views=child_views, recommendation=recommendation, summary=summary)
    log(user, case, "cp.bia_recorded", bia.id, fields)
    return bia


def submit_determination(user: User, case: Case, payload: Mapping[str, Any]) -> BestInterests:
    open_cp_case(user, case)
    if awaiting_panel(case) is not None:
        raise Conflict(_("A best interests determination is already waiting for the panel's decision."))
    r = Reader(payload)
    basis = _basis(r, case)
    recommendation = r.choice("recommendation", options.BI_RECOMMENDATIONS, required=True)
    summary = r.text("summary", max_length=MAX_TEXT, multiline=True)
    if basis is None and not r.errors.get("assessment_id"):
        message = _("A best interests determination rests on an assessment: record the BIA first.")
        r.fail("assessment_id", message)
        raise ValidationFailed(message, fields=r.errors)
    r.raise_if_invalid()
    assert basis is not None  # noqa: S101 — the reader failed otherwise
    bid = BestInterests(
        case=case, kind=BID, assessment_id=basis.id, recommendation=recommendation, created_by_id=user.id
    )
    db.session.add(bid)
    db.session.flush()
    bid.summary = summary
    log(
        user,
        case,
        "cp.bid_submitted",
        bid.id,
        written(assessment_id=basis.id, recommendation=recommendation, summary=summary),
    )
    return bid


def _basis(r: Reader, case: Case) -> BestInterests | None:
    """The BIA a BID rests on: the one named, else the case's latest."""
    named = r.text("assessment_id", max_length=36)
    found = assessments(case)
    if named is None:
        return found[-1] if found else None
    basis = next((b for b in found if b.id == named), None)
    if basis is None and found:
        r.fail("assessment_id", _("Choose a best interests assessment of this case."))
    return basis


def decide(
    user: User, case: Case, bid_id: str, payload: Mapping[str, Any], today: dt.date | None = None
) -> BestInterests:
    """The panel's decision on a BID, recorded by a supervisor other than its author."""
    open_cp_case(user, case, "case.approve")
    bid = next((b for b in determinations(case) if b.id == bid_id), None)
    if bid is None:
        raise NotFound()
    if bid.panel_decision is not None:
        raise Conflict(_("The panel's decision on this determination is already recorded."))
    if not may_record_panel_decision(user, bid):
        raise Forbidden(_("You submitted this determination: another supervisor records the panel's decision."))
    day = today or clock.today()
    r = Reader(payload)
    decision = r.choice("decision", options.BID_DECISIONS, required=True)
    panel_date = past_date(r, "date", day)
    notes = r.text("notes", max_length=MAX_TEXT, multiline=True)
    submitted_on = clock.local(bid.created_at).date()
    if panel_date is not None and not panel_date_valid(panel_date, submitted_on, day):
        r.fail(
            "date",
            _(
                "The panel cannot decide before the determination was submitted (%(date)s).",
                date=clock.day(submitted_on),
            ),
        )
    if panel_notes_required(decision) and not notes:
        r.fail("notes", _("Say why: the panel changed, deferred or rejected the recommendation."))
    r.raise_if_invalid()
    bid.panel_decision, bid.panel_date, bid.decided_by_id = decision, panel_date, user.id
    bid.panel_notes = notes
    log(user, case, "cp.bid_decided", bid.id, written(decision=decision, date=panel_date, notes=notes))
    return bid


@dataclass(frozen=True)
class Determination:
    record: BestInterests
    basis: BestInterests | None
    may_decide: bool  # the person reading may record the panel's decision now


@dataclass(frozen=True)
class BestInterestsSection:
    """What the case page shows of a case's best interests (decrypted: the page is in scope)."""

    assessments: list[BestInterests]
    determinations: list[Determination]
    awaiting: BestInterests | None


def section(case: Case, user: Any) -> BestInterestsSection:
    found = assessments(case)
    by_id = {b.id: b for b in found}
    return BestInterestsSection(
        assessments=found,
        determinations=[
            Determination(
                b, by_id.get(b.assessment_id or ""), b.panel_decision is None and may_record_panel_decision(user, b)
            )
            for b in determinations(case)
        ],
        awaiting=awaiting_panel(case),
    )
