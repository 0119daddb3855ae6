"""What a child protection case records at registration beyond the case core: protection
concerns, risk level (which starts the response clock), the urgent flag, why no caregiver is
named when none is, and the grave violations (MRM) the case documents.

One reader for the pages and the API (the JSON shape of docs/api.md); ``app.cases.service``
calls it for a CP case, inside the same transaction as the case itself."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from cpims import options
from cpims.response import MAJORITY, RISK_LEVELS, eighteenth_birthday
from models import Case, ChildConcern, ChildProfile, GraveViolation, User, db

from .. import audit
from ..validation import Reader
from . import CP_KIND
from .profile import risk_changed, start_clock

# Registration fields only a CP case has: refused on a GBV case rather than silently dropped.
CP_ONLY_FIELDS = ("protection_concerns", "urgent", "no_caregiver_reason", "grave_violations")
RISK: Mapping[str, str] = {level: level for level in RISK_LEVELS}


@dataclass(frozen=True)
class ViolationData:
    violation: str
    date: dt.date
    perpetrator: str


@dataclass
class ChildRegistration:
    concerns: list[str]
    risk_level: str
    urgent: bool
    no_caregiver_reason: str | None
    violations: list[ViolationData] = field(default_factory=list)


def refuse_cp_fields(r: Reader) -> None:
    """A GBV case given a CP-only field: say so instead of dropping it."""
    for name in CP_ONLY_FIELDS:
        if r.data.get(name) not in (None, "", [], {}):
            r.fail(name, _("Only a child protection case records this."))


def read_registration(
    r: Reader, *, age: int | None, caregiver_named: bool, today: dt.date
) -> ChildRegistration:
    """The CP part of a new case; errors are collected on ``r`` (nothing is written here)."""
    if age is not None and age >= MAJORITY:
        r.fail(
            "survivor.age",
            _("A child protection case is for a child under 18: register an adult survivor as a GBV case."),
        )
    concerns = r.codes("protection_concerns", options.PROTECTION_CONCERNS, required=True)
    risk = r.choice("risk_level", RISK, required=True)
    urgent = bool(r.boolean("urgent", default=False))
    reason = r.choice("no_caregiver_reason", options.NO_CAREGIVER_REASONS)
    if caregiver_named and reason:
        r.fail("no_caregiver_reason", _("A caregiver is named: leave the reason why there is none empty."))
    elif not caregiver_named and not reason:
        r.fail(
            "no_caregiver_reason",
            _("Name the child's caregiver, or say why there is none (for example: unaccompanied)."),
        )
    violations = read_violations(r, r.data.get("grave_violations"), today)
    return ChildRegistration(
        concerns=concerns,
        risk_level=risk or "",
        urgent=urgent,
        no_caregiver_reason=None if caregiver_named else reason,
        violations=violations,
    )


def check_correction(r: Reader, case: Case, *, age: int | None, caregiver_named: bool, risk: str | None) -> None:
    """A correction of a CP case keeps what its registration required: a child under 18, a
    caregiver or the reason there is none, a risk level (the clocks run on it)."""
    if case.kind != CP_KIND:
        return
    if age is not None and age >= MAJORITY:
        r.fail("survivor.age", _("A child protection case is for a child under 18: close it with the reason "
                                 "\"turned 18\" instead."))
    profile = case.child_profile
    if not caregiver_named and (profile is None or profile.no_caregiver_reason is None):
        r.fail("survivor.caregiver_name", _("Name the child's caregiver, or say why there is none (for example: "
                                            "unaccompanied)."))
    if not risk:
        r.fail("risk_level", _("Choose an option."))


def after_correction(case: Case, *, date_of_birth: dt.date | None, age: int | None) -> None:
    """The clocks follow a corrected risk level or date of birth."""
    profile = case.child_profile if case.kind == CP_KIND else None
    if profile is None:
        return
    profile.turns_18_on = eighteenth_birthday(date_of_birth, age, case.created_at.date())
    risk_changed(case)


def read_violations(r: Reader, raw: Any, today: dt.date, name: str = "grave_violations") -> list[ViolationData]:
    """Grave violations as ``[{"violation", "date", "perpetrator"}]``: each code from the MRM
    lists, a date not in the future; errors under ``grave_violations.N.field``."""
    if raw in (None, "", []):
        return []
    if isinstance(raw, Mapping) and all(isinstance(k, str) and k.isascii() and k.isdecimal() for k in raw):
        raw = [raw[k] for k in sorted(raw, key=int)]  # the pages' numbered rows
    if not isinstance(raw, list) or len(raw) > len(options.GRAVE_VIOLATIONS) * 4:
        r.fail(name, _("Give a list of at most %(n)d grave violations.", n=len(options.GRAVE_VIOLATIONS) * 4))
        return []
    found = []
    for position, item in enumerate(raw):
        v = Reader(item if isinstance(item, Mapping) else {}, f"{r.path(name)}.{position}.", r.errors)
        violation = v.choice("violation", options.GRAVE_VIOLATIONS, required=True)
        day = v.date("date", required=True)
        if day is not None and day > today:
            v.fail("date", _("The date cannot be in the future."))
        perpetrator = v.choice("perpetrator", options.MRM_PERPETRATORS, required=True)
        if violation and day and perpetrator:
            found.append(ViolationData(violation, day, perpetrator))
    return found


def write_registration(user: User, case: Case, data: ChildRegistration, *, date_of_birth: dt.date | None) -> None:
    """Write the CP part of a new case (flushed with it, audited by the caller's case.created)."""
    case.risk_level = data.risk_level
    profile = ChildProfile(case=case, urgent=data.urgent, no_caregiver_reason=data.no_caregiver_reason)
    db.session.add(profile)
    for concern in data.concerns:
        db.session.add(ChildConcern(case=case, concern=concern))
    start_clock(case, profile, date_of_birth=date_of_birth)
    add_violations(user, case, data.violations, audited=False)


def add_violations(user: User, case: Case, violations: list[ViolationData], *, audited: bool = True) -> None:
    """The MRM counts read these rows alone: agency, region and consent copied from the case."""
    for item in violations:
        db.session.add(
            GraveViolation(
                case=case,
                violation=item.violation,
                date=item.date,
                perpetrator=item.perpetrator,
                agency_id=case.agency_id,
                region_code=case.region_code,
                reporting_consent=case.consent_reporting,
                recorded_by_id=user.id,
            )
        )
    if audited and violations:
        audit.record(
            "cp.violations_recorded",
            actor=user,
            target_type="case",
            target_id=case.id,
            details={"violations": sorted({v.violation for v in violations})},
        )


def summary(data: ChildRegistration) -> dict[str, Any]:
    """What the audit log keeps of a CP registration: codes only."""
    return {
        "concerns": data.concerns,
        "risk_level": data.risk_level,
        "urgent": data.urgent,
        "violations": sorted({v.violation for v in data.violations}),
    }
