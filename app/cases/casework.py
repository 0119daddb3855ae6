"""Assessment, case action plan, follow-up, closure and purge — the steps after registration.

Each function validates, changes the case in the current transaction and audits by field name;
the caller commits. Supervisor decisions go through the policy's ``case.approve``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from cpims.options import FOLLOW_UP_PURPOSES, TIMEFRAMES
from gbvims import options
from gbvims.labels import N_
from models import (
    ActionPlan,
    Assessment,
    Case,
    CaseDecision,
    FollowUp,
    PlanGoal,
    User,
    db,
    utcnow,
)
from models.case import STAGES
from models.casework import CLOSURE_CHECKLIST, GOAL_STATUSES
from referral.packet import SERVICE_TYPES
from referral.states import FINAL

from .. import audit, clock
from ..cp.profile import note_action, reviewed, risk_changed
from ..errors import Conflict
from ..policy import can, require
from ..referrals.service import providers_for
from ..validation import Reader
from . import erasure
from .kinds import kind_of

MAX_GOALS = 12


@dataclass(frozen=True)
class GoalData:
    """One validated goal of an action plan (read only once the reader has no errors)."""

    area: str
    goal: str  # encrypted when written
    responsible: str | None  # encrypted when written
    due_date: dt.date | None
    status: str
    # Child protection plan rows also say which service, which provider and how soon.
    service_type: str | None = None
    provider_id: str | None = None
    timeframe: str | None = None


def advance(case: Case, stage: str) -> None:
    """Move the case forward to ``stage``; never backwards (a new assessment mid-way keeps the stage)."""
    if STAGES.index(stage) > STAGES.index(case.stage):
        case.stage = stage


def _log(user: User, case: Case, action: str, **details: Any) -> None:
    audit.record(action, actor=user, target_type="case", target_id=case.id, details=details or None)


def _open_case(user: User, case: Case, action: str = "case.update") -> None:
    require(action, case, user=user)
    if case.status != "open" or not case.consent_services:
        raise Conflict(_("This case is closed or its consent was withdrawn."))


def record_assessment(user: User, case: Case, payload: Mapping[str, Any]) -> Assessment:
    _open_case(user, case)
    r = Reader(payload)
    needs_reader = r.child("needs")
    needs = {area: bool(needs_reader.boolean(area, default=False)) for area in kind_of(case).casework.assessment_areas}
    risk = r.choice("risk_level", options.RISK_LEVEL, required=True)
    summary = r.text("summary", max_length=4000, multiline=True)
    safety_plan = r.text("safety_plan", max_length=4000, multiline=True)
    if risk == "high" and not safety_plan:
        r.fail("safety_plan", _("A high-risk case needs a safety plan."))
    r.raise_if_invalid()
    assessment = Assessment(case=case, created_by_id=user.id, needs=needs, risk_level=risk or "low")
    db.session.add(assessment)
    db.session.flush()
    assessment.summary, assessment.safety_plan = summary, safety_plan
    case.risk_level = risk
    risk_changed(case)
    note_action(case)
    advance(case, "action_plan")
    _log(
        user,
        case,
        "case.assessed",
        risk_level=risk,
        fields=[n for n, v in (("summary", summary), ("safety_plan", safety_plan)) if v],
    )
    return assessment


def current_plan(case: Case) -> ActionPlan | None:
    return case.plans[-1] if case.plans else None


def save_plan(user: User, case: Case, payload: Mapping[str, Any]) -> ActionPlan:
    """Save the goals as a draft; a plan already submitted or approved gets a new version."""
    _open_case(user, case)
    raw = payload.get("goals") or []
    r = Reader(payload)
    if isinstance(raw, list):
        # A form line with only its status set (the select always has a value) is an unused line.
        raw = [
            row
            for row in raw
            if not isinstance(row, Mapping) or any(row.get(k) for k in ("area", "goal", "responsible", "due_date"))
        ]
    if not isinstance(raw, list) or len(raw) > MAX_GOALS:
        r.fail("goals", _("Give at most %(n)d goals.", n=MAX_GOALS))
        raw = []
    goals: list[GoalData] = []
    named = any(isinstance(item, Mapping) and item.get("provider_id") for item in raw)
    offered = {provider_id for provider_id, _name in providers_for(case)} if named else set()
    for n, item in enumerate(raw):
        line = Reader(item if isinstance(item, Mapping) else {}, f"goals.{n}.", r.errors)
        goals.append(
            GoalData(
                area=line.choice("area", kind_of(case).casework.goal_areas, required=True) or "",
                goal=line.text("goal", required=True, max_length=500) or "",
                responsible=line.text("responsible", max_length=200),
                due_date=line.date("due_date"),
                status=line.choice("status", dict.fromkeys(GOAL_STATUSES, ""), default="not_started") or "not_started",
                service_type=line.choice("service_type", dict.fromkeys(SERVICE_TYPES, "")),
                provider_id=_provider(line, offered),
                timeframe=line.choice("timeframe", TIMEFRAMES),
            )
        )
    if not goals and not r.errors:
        r.fail("goals", _("Write at least one goal."))
    r.raise_if_invalid()
    plan = current_plan(case)
    if plan is None or plan.status in ("submitted", "approved"):
        plan = ActionPlan(case=case, version=(plan.version + 1) if plan else 1, created_by_id=user.id)
        db.session.add(plan)
    plan.status = "draft"
    plan.created_by_id = user.id  # whoever wrote the goals last is the author no one approves alone
    plan.goals = []
    db.session.flush()
    for n, data in enumerate(goals):
        goal = PlanGoal(
            plan=plan,
            position=n,
            area=data.area,
            due_date=data.due_date,
            status=data.status,
            service_type=data.service_type,
            provider_id=data.provider_id,
            timeframe=data.timeframe,
        )
        db.session.add(goal)
        db.session.flush()  # the row's id first: its encrypted text is bound to it
        goal.goal, goal.responsible = data.goal, data.responsible
    _log(user, case, "case.plan_saved", version=plan.version, goals=len(goals))
    return plan


def _provider(line: Reader, offered: set[str]) -> str | None:
    """A provider of the directory that serves this case (for a child: one that serves children)."""
    provider_id = line.text("provider_id", max_length=36)
    if provider_id and provider_id not in offered:
        line.fail("provider_id", _("This service is not in the directory for this case's area and age."))
        return None
    return provider_id


def submit_plan(user: User, case: Case) -> ActionPlan:
    _open_case(user, case)
    plan = current_plan(case)
    if plan is None or plan.status not in ("draft", "rejected") or not plan.goals:
        raise Conflict(_("There is no draft plan with goals to submit: it may already be waiting for approval."))
    plan.status, plan.submitted_at = "submitted", utcnow()
    _log(user, case, "case.plan_submitted", version=plan.version)
    return plan


def decide_plan(user: User, case: Case, approve: bool, comment: str | None) -> ActionPlan:
    _open_case(user, case, "case.approve")
    plan = current_plan(case)
    if plan is None or plan.status != "submitted":
        raise Conflict(_("No plan is waiting for approval: it may already have been decided."))
    if not can(user, "plan.decide", plan):
        raise Conflict(_("You wrote this plan: another supervisor must approve it."))
    comment = _comment(comment, required=not approve)
    plan.status = "approved" if approve else "rejected"
    plan.decided_by_id, plan.decided_at = user.id, utcnow()
    plan.decision_comment = comment
    if approve:
        advance(case, "implementation")
    _log(user, case, "case.plan_approved" if approve else "case.plan_rejected", version=plan.version)
    return plan


def _comment(comment: str | None, *, required: bool) -> str | None:
    r = Reader({"comment": comment})
    value = r.text("comment", required=required, max_length=2000, multiline=True)
    r.raise_if_invalid()
    return value


def add_follow_up(user: User, case: Case, payload: Mapping[str, Any], today: dt.date | None = None) -> FollowUp:
    _open_case(user, case)
    day = today or clock.today()
    r = Reader(payload)
    date = r.date("date", required=True)
    if date and date > day:
        r.fail("date", _("A follow-up cannot be in the future."))
    risk = r.choice("risk_level", options.RISK_LEVEL, required=True)
    next_date = r.date("next_follow_up")
    if next_date and date and next_date < date:
        r.fail("next_follow_up", _("The next follow-up must come after this one."))
    notes = r.text("notes", max_length=4000, multiline=True)
    recommend = bool(r.boolean("recommend_closure", default=False))
    purpose = r.choice("purpose", FOLLOW_UP_PURPOSES) if kind_of(case).child_protection else None
    plan = current_plan(case)
    goals = {g.id: g for g in plan.goals} if plan is not None and plan.status == "approved" else {}
    progress_reader = r.child("progress")
    progress = {}
    for goal_id in progress_reader.data:
        if goal_id not in goals:
            progress_reader.fail(goal_id, _("This goal is not in the approved plan."))
            continue
        status = progress_reader.choice(goal_id, dict.fromkeys(GOAL_STATUSES, ""))
        if status:
            progress[goal_id] = status
    r.raise_if_invalid()
    follow_up = FollowUp(
        case=case,
        created_by_id=user.id,
        date=date,
        risk_level=risk or "low",
        progress=progress,
        recommend_closure=recommend,
        purpose=purpose,
    )
    db.session.add(follow_up)
    db.session.flush()
    follow_up.notes = notes
    for goal_id, status in progress.items():
        goals[goal_id].status = status
    case.risk_level, case.next_follow_up = risk, next_date
    risk_changed(case)
    note_action(case)
    if purpose == "review" and date is not None:
        reviewed(case, date)
    advance(case, "follow_up")
    _log(
        user, case, "case.followed_up", risk_level=risk, goals_updated=len(progress), fields=["notes"] if notes else []
    )
    return follow_up


def pending(case: Case, kind: str) -> CaseDecision | None:
    return next((d for d in case.decisions if d.kind == kind and d.status == "pending"), None)


# What a supervisor is shown as missing before approving a closure (codes → English labels).
CLOSURE_GAPS = {
    "no_assessment": N_("No assessment was recorded."),
    "no_plan": N_("No case action plan was written."),
    "plan_not_approved": N_("The case action plan was never approved."),
    "no_follow_up": N_("No follow-up was recorded."),
    "open_referrals": N_("Some referrals are still open."),
}


def closure_gaps(case: Case) -> list[str]:
    """The codes of ``CLOSURE_GAPS`` that apply to the case, in that order: the steps of case
    management it never went through, and referrals not yet closed or withdrawn."""
    plan = current_plan(case)
    gaps = {
        "no_assessment": not case.assessments,
        "no_plan": plan is None,
        "plan_not_approved": plan is not None and not any(p.status == "approved" for p in case.plans),
        "no_follow_up": not case.follow_ups,
        "open_referrals": any(r.state not in FINAL for r in case.referrals),
    }
    return [code for code in CLOSURE_GAPS if gaps[code]]


def request_closure(user: User, case: Case, payload: Mapping[str, Any]) -> CaseDecision:
    _open_case(user, case)
    if pending(case, "closure") is not None:
        raise Conflict(_("A closure is already waiting for the supervisor."))
    r = Reader(payload)
    reason = r.choice("reason", kind_of(case).casework.closure_reasons, required=True)
    checklist_reader = r.child("checklist")
    checklist = {item: bool(checklist_reader.boolean(item, default=False)) for item in CLOSURE_CHECKLIST}
    if not checklist["told_can_come_back"]:
        checklist_reader.fail(
            "told_can_come_back",
            _("Tell the child and family they can come back at any time before closing the case.")
            if kind_of(case).child_protection
            else _("Tell the survivor they can come back at any time before closing the case."),
        )
    if not checklist["safety_plan_reviewed"] and case.risk_level == "high":
        checklist_reader.fail("safety_plan_reviewed", _("Review the safety plan of a high-risk case before closing."))
    r.raise_if_invalid()
    decision = CaseDecision(case=case, kind="closure", reason=reason, checklist=checklist, requested_by_id=user.id)
    db.session.add(decision)
    case.stage = "closure"
    _log(user, case, "case.closure_requested", reason=reason)
    return decision


def request_purge(user: User, case: Case) -> CaseDecision:
    require("case.update", case, user=user)
    if case.purged_at is not None or pending(case, "purge") is not None:
        raise Conflict(_("An erasure of this case is already waiting for approval."))
    decision = CaseDecision(case=case, kind="purge", requested_by_id=user.id)
    db.session.add(decision)
    _log(user, case, "case.purge_requested")
    return decision


def decide(user: User, case: Case, decision_id: str, approve: bool, comment: str | None) -> CaseDecision:
    require("case.approve", case, user=user)
    decision = next((d for d in case.decisions if d.id == decision_id and d.status == "pending"), None)
    if decision is None:
        raise Conflict(_("This request is no longer waiting for a decision: it may already have been decided."))
    if not can(user, "request.decide", decision):
        raise Conflict(_("You made this request: another supervisor must decide it."))
    comment = _comment(comment, required=not approve)
    decision.status = "approved" if approve else "rejected"
    decision.decided_by_id, decision.decided_at = user.id, utcnow()
    if decision.kind == "closure":
        decision.comment = comment
        if approve:
            case.status, case.closed_at = "closed", utcnow()
        else:
            case.stage = "follow_up"
        _log(user, case, "case.closed" if approve else "case.closure_rejected", reason=decision.reason)
    elif approve:
        purge(user, case)
    else:
        decision.comment = comment
        _log(user, case, "case.purge_rejected")
    return decision


def reopen(user: User, case: Case) -> None:
    require("case.update", case, user=user)
    if case.status != "closed" or case.purged_at is not None:
        raise Conflict(_("Only a closed case can be reopened."))
    case.status, case.stage, case.closed_at = "open", "follow_up", None
    _log(user, case, "case.reopened")


def purge(user: User, case: Case) -> None:
    """The survivor's right to be forgotten (``erasure.py``), once a second supervisor approved."""
    _log(user, case, "case.purged", kept_incidents=len(case.incidents) if case.consent_reporting else 0)
    erasure.erase(case)
