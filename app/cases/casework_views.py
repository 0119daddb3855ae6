"""Pages for the steps after registration: assessment, plan, follow-up, closure, purge."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from cpims.options import FOLLOW_UP_PURPOSES, TIMEFRAMES
from gbvims import options
from models import Case, db
from models.casework import CLOSURE_CHECKLIST, GOAL_STATUSES

from .. import clock
from ..auth import acting_user
from ..errors import Conflict
from ..forms import check_csrf, confirmation, confirmed, flatten, form_page
from ..i18n_labels import choices, label
from ..lookup import load_case
from ..policy import can, requires
from ..referrals.labels import SERVICE_TYPE_LABELS
from ..referrals.service import providers_for
from . import casework
from .kinds import kind_of
from .labels import GOAL_STATUS_LABELS
from .views import bp


@bp.route("/<case_id>/assessment", methods=["GET", "POST"])
@requires("case.update")
def assessment(case_id: str) -> Response | str | tuple[str, int]:
    lists = kind_of(load_case(case_id, "case.update")).casework
    return form_page(
        case_id,
        "cases/assessment.html",
        lambda case, payload: casework.record_assessment(acting_user(), case, payload),
        _("Assessment saved."),
        {"areas": choices(lists.assessment_areas), "risks": choices(options.RISK_LEVEL)},
    )


@bp.route("/<case_id>/plan", methods=["GET", "POST"])
@requires("case.update")
def plan(case_id: str) -> Response | str | tuple[str, int]:
    case = load_case(case_id, "case.update")
    kind = kind_of(case)
    current = casework.current_plan(case)
    initial: dict[str, Any] = {}
    if current is not None:
        initial = flatten(
            {
                "goals": [
                    {
                        "area": goal.area,
                        "goal": goal.goal,
                        "responsible": goal.responsible,
                        "due_date": goal.due_date.isoformat() if goal.due_date else "",
                        "status": goal.status,
                        "service_type": goal.service_type or "",
                        "provider_id": goal.provider_id or "",
                        "timeframe": goal.timeframe or "",
                    }
                    for goal in current.goals
                ]
            }
        )
    return form_page(
        case_id,
        "cases/plan.html",
        lambda c, payload: casework.save_plan(acting_user(), c, payload),
        _("Case action plan saved as a draft."),
        {
            "areas": choices(kind.casework.goal_areas),
            "statuses": [(s, _(GOAL_STATUS_LABELS[s])) for s in GOAL_STATUSES],
            "rows": max(3, len(current.goals) + 2 if current else 3),
            "child_protection": kind.child_protection,
            "services": choices(SERVICE_TYPE_LABELS) if kind.child_protection else [],
            "providers": providers_for(case) if kind.child_protection else [],
            "timeframes": choices(TIMEFRAMES),
        },
        initial,
    )


@bp.route("/<case_id>/plan/submit", methods=["POST"])
@requires("case.update")
def submit_plan(case_id: str) -> Response:
    case = load_case(case_id, "case.update")
    check_csrf()
    casework.submit_plan(acting_user(), case)
    db.session.commit()
    flash(_("The plan was sent to the supervisor for approval."), "success")
    return redirect(url_for("cases.show", case_id=case_id))


@bp.route("/<case_id>/plan/decide", methods=["POST"])
@requires("case.approve")
def decide_plan(case_id: str) -> Response:
    case = load_case(case_id, "case.approve")
    check_csrf()
    approve = request.form.get("decision") == "approve"
    casework.decide_plan(acting_user(), case, approve, request.form.get("comment"))
    db.session.commit()
    flash(_("Plan approved.") if approve else _("Plan sent back with your comment."), "success")
    return redirect(url_for("cases.show", case_id=case_id))


@bp.route("/<case_id>/follow-ups/new", methods=["GET", "POST"])
@requires("case.update")
def follow_up(case_id: str) -> Response | str | tuple[str, int]:
    case = load_case(case_id, "case.update")
    current = casework.current_plan(case)
    goals = current.goals if current is not None and current.status == "approved" else []
    initial = {
        "date": clock.today().isoformat(),
        "risk_level": case.risk_level or "",
        **{f"progress.{goal.id}": goal.status for goal in goals},
    }
    return form_page(
        case_id,
        "cases/follow_up.html",
        lambda c, payload: casework.add_follow_up(acting_user(), c, payload),
        _("Follow-up saved."),
        {
            "goals": goals,
            "risks": choices(options.RISK_LEVEL),
            "statuses": [(s, _(GOAL_STATUS_LABELS[s])) for s in GOAL_STATUSES],
            "area_labels": dict(choices(kind_of(case).casework.goal_areas)),
            "purposes": choices(FOLLOW_UP_PURPOSES) if kind_of(case).child_protection else [],
        },
        initial,
    )


@bp.route("/<case_id>/closure", methods=["GET", "POST"])
@requires("case.update")
def closure(case_id: str) -> Response | str | tuple[str, int]:
    lists = kind_of(load_case(case_id, "case.update")).casework
    return form_page(
        case_id,
        "cases/closure.html",
        lambda case, payload: casework.request_closure(acting_user(), case, payload),
        _("Closure requested: the supervisor will review it."),
        {
            "reasons": choices(lists.closure_reasons),
            "checklist": [(c, _(lists.closure_checklist[c])) for c in CLOSURE_CHECKLIST],
        },
    )


@bp.route("/<case_id>/decisions/<decision_id>", methods=["POST"])
@requires("case.approve")
def decide(case_id: str, decision_id: str) -> Response | str:
    case = load_case(case_id, "case.approve")
    check_csrf()
    approve = request.form.get("decision") == "approve"
    if approve and not confirmed():  # refusing changes nothing for good: no second step
        return _confirm_decision(case, decision_id)
    decision = casework.decide(acting_user(), case, decision_id, approve, request.form.get("comment"))
    erased = decision.kind == "purge" and approve  # read before the commit: the row is gone after
    db.session.commit()
    if erased:
        flash(_("The case was erased: its identifying data can never be read again."), "success")
        return redirect(url_for("cases.index"))
    flash(_("Decision recorded."), "success")
    return redirect(url_for("cases.show", case_id=case_id))


@bp.route("/<case_id>/reopen", methods=["POST"])
@requires("case.update")
def reopen(case_id: str) -> Response:
    case = load_case(case_id, "case.update")
    check_csrf()
    casework.reopen(acting_user(), case)
    db.session.commit()
    flash(_("Case reopened."), "success")
    return redirect(url_for("cases.show", case_id=case_id))


@bp.route("/<case_id>/purge", methods=["POST"])
@requires("case.update")
def request_purge(case_id: str) -> Response | str:
    case = load_case(case_id, "case.update")
    check_csrf()
    if not confirmed():
        if case.purged_at is not None or casework.pending(case, "purge") is not None:
            raise Conflict(_("An erasure of this case is already waiting for approval."))
        return confirmation(
            case,
            title=_("Ask to erase this case?"),
            consequences=[
                _("A supervisor other than the one asking must approve the erasure: until then nothing is erased."),
                _(
                    "Once approved, the case's key is destroyed: names, contacts, notes and the account "
                    "of the incidents can never be read again."
                ),
                _("Ask only when the survivor asked to be forgotten."),
            ],
            confirm_label=_("Yes, ask to erase this case"),
            undoable=True,
        )
    casework.request_purge(acting_user(), case)
    db.session.commit()
    flash(_("Erasure requested: a supervisor must approve it."), "success")
    return redirect(url_for("cases.show", case_id=case_id))


def _confirm_decision(case: Case, decision_id: str) -> str:
    """Approving a closure or an erasure: what it will do, before it does it. A request no longer
    waiting, or one the user made, is refused here already (as ``casework.decide`` would)."""
    decision = next((d for d in case.decisions if d.id == decision_id and d.status == "pending"), None)
    if decision is None:
        raise Conflict(_("This request is no longer waiting for a decision: it may already have been decided."))
    if not can(acting_user(), "request.decide", decision):
        raise Conflict(_("You made this request: another supervisor must decide it."))
    fields = {"decision": "approve", "comment": request.form.get("comment", "")}
    if decision.kind == "purge":
        return confirmation(
            case,
            title=_("Erase this case for good?"),
            consequences=[
                _(
                    "The case's key is destroyed: names, contacts, notes, the account of the incidents "
                    "and what was shared in referrals become unreadable forever."
                ),
                _("Every record about the survivor is deleted, the case itself included."),
                _("Only the coded incident data the survivor allowed in statistics is kept, cut from the case.")
                if case.consent_reporting
                else _("No incident data is kept: the survivor did not consent to statistics."),
            ],
            confirm_label=_("Yes, erase for good"),
            fields=fields,
        )
    gaps = [label(casework.CLOSURE_GAPS[code]) for code in casework.closure_gaps(case)]
    return confirmation(
        case,
        title=_("Approve the closure?"),
        consequences=[
            _("The case is closed: nothing more can be recorded in it until someone reopens it."),
            _("The file is incomplete: %(gaps)s", gaps=" ".join(gaps)) if gaps else "",
        ],
        confirm_label=_("Yes, close the case"),
        fields=fields,
        undoable=True,
    )
