"""The child's response clock (cpims.response): when the first action is due after
registration, when the next case review is due, when the child turns 18 — set at registration,
moved by a change of risk and by each review, and shown on the caseworker's and supervisor's
pages like the post-rape care windows."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload, lazyload

from cpims.options import PROTECTION_CONCERNS
from cpims.response import ResponseTime, eighteenth_birthday, next_review, response_times, turns_18_within
from models import Case, ChildProfile, User, db, utcnow

from .. import clock
from ..policy import case_scope
from . import CP_KIND

SOON_DAYS = 7  # a review due within this many days is listed as coming
ADULTHOOD_NOTICE_DAYS = 90  # a child turning 18 this soon is flagged: plan the move to adult services


def times() -> dict[str, ResponseTime]:
    """The deployment's response times (config ``CP_RESPONSE_TIMES``, hours per risk level)."""
    return response_times(current_app.config.get("CP_RESPONSE_TIMES") or {})


def start_clock(case: Case, profile: ChildProfile, *, date_of_birth: dt.date | None) -> None:
    """At registration: first action due by the risk level, first review, 18th birthday."""
    registered = case.created_at or utcnow()
    level = case.risk_level or "low"
    profile.first_action_due = registered + times()[level].act_within
    profile.next_review = next_review(clock.today(), level, times())
    age = case.survivor.age_at_registration if case.survivor else None
    profile.turns_18_on = eighteenth_birthday(date_of_birth, age, clock.today())


def risk_changed(case: Case) -> None:
    """A new risk level (assessment, follow-up): a first action not yet taken and the next
    review are due by the new level's times, when that is sooner."""
    profile = case.child_profile
    if profile is None or not case.risk_level:
        return
    level_times = times()[case.risk_level]
    if profile.first_action_at is None and profile.first_action_due is not None:
        profile.first_action_due = min(profile.first_action_due, case.created_at + level_times.act_within)
    sooner = next_review(clock.today(), case.risk_level, times())
    if profile.next_review is None or sooner < profile.next_review:
        profile.next_review = sooner


def note_action(case: Case, when: dt.datetime | None = None) -> None:
    """Something was done for the child (assessment, referral, follow-up, tracing, best
    interests): the first one stops the first-action clock."""
    profile = case.child_profile if case.kind == CP_KIND else None
    if profile is not None and profile.first_action_at is None:
        profile.first_action_at = when or utcnow()


def reviewed(case: Case, on: dt.date) -> None:
    """A case review took place: the next one is due by the current risk level."""
    profile = case.child_profile
    if profile is not None:
        profile.next_review = next_review(on, case.risk_level or "low", times())


CLOCKS = ("first_action", "review", "turns_18")


@dataclass(frozen=True)
class Clock:
    case: Case
    what: str  # one of CLOCKS
    due: dt.datetime | dt.date
    overdue: bool
    hours_left: int | None  # for the first-action clock


def clocks_of(profile: ChildProfile, now: dt.datetime, today: dt.date) -> list[Clock]:
    case = profile.case
    found = []
    if profile.first_action_at is None and profile.first_action_due is not None:
        left = profile.first_action_due - now
        hours = math.ceil(left.total_seconds() / 3600)  # 23 h 59 min left reads "24 hours"
        found.append(Clock(case, "first_action", profile.first_action_due, left.total_seconds() < 0, max(hours, 0)))
    if profile.next_review is not None and profile.next_review <= today + dt.timedelta(days=SOON_DAYS):
        found.append(Clock(case, "review", profile.next_review, profile.next_review < today, None))
    if turns_18_within(profile.turns_18_on, today, ADULTHOOD_NOTICE_DAYS) and profile.turns_18_on is not None:
        found.append(Clock(case, "turns_18", profile.turns_18_on, profile.turns_18_on <= today, None))
    return found


def case_clocks(case: Case) -> list[Clock]:
    profile = case.child_profile if case.kind == CP_KIND else None
    if profile is None or case.status != "open":
        return []
    return clocks_of(profile, utcnow(), clock.today())


def due_clocks(user: User, limit: int = 20) -> list[Clock]:
    """The open CP cases in the user's scope with a clock running out: first actions not taken,
    reviews overdue or due within a week, children about to turn 18.
    One bounded, indexed query per clock: a pile of reviews never pushes a new high-risk child's
    24-hour clock off the page."""
    today, now = clock.today(), utcnow()
    open_in_scope = (case_scope(user), Case.status == "open", Case.purged_at.is_(None))
    if db.session.scalar(select(Case.id).where(*open_in_scope, Case.kind == CP_KIND).limit(1)) is None:
        return []  # no child protection case open in scope (most GBV caseworkers): one cheap query
    per_clock: tuple[tuple[Any, Any], ...] = (
        (
            ChildProfile.first_action_at.is_(None) & ChildProfile.first_action_due.is_not(None),
            ChildProfile.first_action_due,
        ),
        (ChildProfile.next_review <= today + dt.timedelta(days=SOON_DAYS), ChildProfile.next_review),
        (ChildProfile.turns_18_on <= today + dt.timedelta(days=ADULTHOOD_NOTICE_DAYS), ChildProfile.turns_18_on),
    )
    profiles: dict[str, ChildProfile] = {}
    for condition, due in per_clock:
        stmt: Any = (
            select(ChildProfile)
            .join(Case, Case.id == ChildProfile.case_id)
            .where(*open_in_scope, condition)
            .options(
                joinedload(ChildProfile.case).options(
                    lazyload(Case.agency), lazyload(Case.owner), lazyload(Case.assignments)
                )
            )
            .order_by(due, ChildProfile.id)
            .limit(limit)
        )
        for profile in db.session.scalars(stmt).unique():
            profiles.setdefault(profile.id, profile)
    found = [c for profile in profiles.values() for c in clocks_of(profile, now, today)]
    order = {what: n for n, what in enumerate(CLOCKS)}
    # First actions lead (a new high-risk child has hours), then reviews, then turning 18;
    # within each, the overdue first.
    return sorted(found, key=lambda c: (order[c.what], not c.overdue, str(c.due)))


def concerns_of(case: Case) -> list[str]:
    """The case's protection concerns, in the order of the list."""
    held = {c.concern for c in case.child_concerns}
    return [code for code in PROTECTION_CONCERNS if code in held]


def child_protection_json(case: Case) -> dict[str, Any] | None:
    """A CP case's own registration and clocks, in the API's shape (None for another kind)."""
    profile = case.child_profile if case.kind == CP_KIND else None
    if profile is None:
        return None
    return {
        "protection_concerns": concerns_of(case),
        "urgent": profile.urgent,
        "no_caregiver_reason": profile.no_caregiver_reason,
        "first_action_due": profile.first_action_due.isoformat() if profile.first_action_due else None,
        "first_action_at": profile.first_action_at.isoformat() if profile.first_action_at else None,
        "next_review": profile.next_review.isoformat() if profile.next_review else None,
        "turns_18_on": profile.turns_18_on.isoformat() if profile.turns_18_on else None,
        "grave_violations": [
            {"id": v.id, "violation": v.violation, "date": v.date.isoformat(), "perpetrator": v.perpetrator}
            for v in case.grave_violations
        ],
        "clocks": [
            {"clock": c.what, "due": c.due.isoformat(), "overdue": c.overdue, "hours_left": c.hours_left}
            for c in case_clocks(case)
        ],
    }
