"""What is urgent today, for the home page of a caseworker or a supervisor: a task list, not a
summary. Every query is scoped by ``policy.case_scope`` and bounded; the pages show codes and,
unless the user hides them, names — and log the cases they show like a list."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload, selectinload

from models import ActionPlan, Assessment, Case, CaseDecision, Incident, Referral, User, db, utcnow

from .. import clock
from ..cp.profile import Clock, due_clocks
from ..policy import case_scope, role_allows
from ..referrals.service import alerts as referral_alerts
from .incidents import CareAlert, care_alerts

LIMIT = 20
RECENT_RAPE_DAYS = 6  # the emergency-contraception window (120 h) and a day of margin


@dataclass
class Workload:
    """One caseworker's late work, for their supervisor."""

    user: User
    follow_ups: int = 0
    referrals: int = 0


@dataclass
class Tasks:
    care: list[tuple[Case, CareAlert]] = field(default_factory=list)  # open PEP/EC windows, fewest hours first
    clocks: list[Clock] = field(default_factory=list)  # child protection
    follow_ups_overdue: list[Case] = field(default_factory=list)
    follow_ups_today: list[Case] = field(default_factory=list)
    referrals_overdue: list[Referral] = field(default_factory=list)
    referrals_answered: list[Referral] = field(default_factory=list)
    sent_back: list[Case] = field(default_factory=list)  # plans or closures the supervisor returned
    high_risk_without_safety_plan: list[Case] = field(default_factory=list)
    # A supervisor's.
    approvals: list[Case] = field(default_factory=list)
    unassigned: list[Case] = field(default_factory=list)  # owned by an account no longer active
    workload: list[Workload] = field(default_factory=list)
    high_risk: list[Case] = field(default_factory=list)

    def cases_shown(self) -> list[str]:
        ids = [case.id for case, _alert in self.care] + [c.case.id for c in self.clocks]
        for group in (
            self.follow_ups_overdue,
            self.follow_ups_today,
            self.sent_back,
            self.high_risk_without_safety_plan,
            self.approvals,
            self.unassigned,
            self.high_risk,
        ):
            ids += [case.id for case in group]
        ids += [r.case_id for r in (*self.referrals_overdue, *self.referrals_answered)]
        return list(dict.fromkeys(ids))

    def empty(self) -> bool:
        return not self.cases_shown() and not self.workload


def _open_cases(user: User) -> Any:
    return (
        select(Case)
        .where(case_scope(user), Case.status == "open", Case.purged_at.is_(None))
        .options(joinedload(Case.survivor), joinedload(Case.data_key_record))
    )


def for_user(user: User) -> Tasks:
    """The task list of a case role; empty for any other role."""
    tasks = Tasks()
    if not role_allows(user, "case.list"):
        return tasks
    today, now = clock.today(), utcnow()
    recent_rape = exists().where(
        Incident.case_id == Case.id,
        Incident.gbv_type == "rape",
        Incident.date_of_incident >= today - dt.timedelta(days=RECENT_RAPE_DAYS),
    )
    # Each case's incidents and referrals in one query each, not two per case.
    recent = _open_cases(user).where(recent_rape).options(selectinload(Case.incidents), selectinload(Case.referrals))
    for case in db.session.scalars(recent.limit(LIMIT)).unique():
        tasks.care += [(case, alert) for alert in care_alerts(case, now)]
    tasks.care.sort(key=lambda pair: min(w.hours_left(now) for w in pair[1].windows))
    tasks.clocks = due_clocks(user)
    tasks.follow_ups_overdue = list(
        db.session.scalars(
            _open_cases(user).where(Case.next_follow_up < today).order_by(Case.next_follow_up).limit(LIMIT)
        ).unique()
    )
    tasks.follow_ups_today = list(
        db.session.scalars(_open_cases(user).where(Case.next_follow_up == today).limit(LIMIT)).unique()
    )
    tasks.referrals_overdue, tasks.referrals_answered = referral_alerts(user, now)
    returned_plan = exists().where(ActionPlan.case_id == Case.id, ActionPlan.status == "rejected")
    returned_closure = exists().where(
        CaseDecision.case_id == Case.id,
        CaseDecision.kind == "closure",
        CaseDecision.status == "rejected",
        CaseDecision.decided_at >= now - dt.timedelta(days=14),
    )
    tasks.sent_back = list(
        db.session.scalars(_open_cases(user).where(returned_plan | returned_closure).limit(LIMIT)).unique()
    )
    with_plan = exists().where(Assessment.case_id == Case.id, Assessment._safety_plan.is_not(None))
    tasks.high_risk_without_safety_plan = list(
        db.session.scalars(_open_cases(user).where(Case.risk_level == "high", ~with_plan).limit(LIMIT)).unique()
    )
    if role_allows(user, "case.approve"):
        _supervision(user, tasks, today, now)
    return tasks


def _supervision(user: User, tasks: Tasks, today: dt.date, now: dt.datetime) -> None:
    from .service import awaiting_approval

    tasks.approvals = awaiting_approval(user)
    inactive_owner = exists().where(User.id == Case.owner_id, User.active.is_(False))
    tasks.unassigned = list(db.session.scalars(_open_cases(user).where(inactive_owner).limit(LIMIT)).unique())
    late_follow_ups = _per_owner(
        select(Case.owner_id, func.count())
        .where(case_scope(user), Case.status == "open", Case.purged_at.is_(None), Case.next_follow_up < today)
        .group_by(Case.owner_id)
    )
    late_referrals = _per_owner(
        select(Case.owner_id, func.count())
        .select_from(Referral)
        .join(Case, Case.id == Referral.case_id)
        .where(case_scope(user), Case.purged_at.is_(None), Referral.state == "sent", Referral.due_at < now)
        .group_by(Case.owner_id)
    )
    owners = set(late_follow_ups) | set(late_referrals)
    if owners:
        people = db.session.scalars(select(User).where(User.id.in_(owners)).order_by(User.username)).all()
        tasks.workload = [Workload(p, late_follow_ups[p.id], late_referrals[p.id]) for p in people]
    tasks.high_risk = list(
        db.session.scalars(
            _open_cases(user).where(Case.risk_level == "high").order_by(Case.updated_at.desc()).limit(LIMIT)
        ).unique()
    )


def _per_owner(stmt: Any) -> Counter[str]:
    return Counter({str(owner): int(count) for owner, count in db.session.execute(stmt).all()})
