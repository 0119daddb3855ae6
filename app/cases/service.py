"""Case work shared by the pages and the API: create a case with its survivor and consent,
record consent changes and incidents, find cases. Every change is audited by field name."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import joinedload

from crypto.blind_index import normalize_code, normalize_name
from gbvims.care import CareWindow, care_windows
from gbvims.classification import IncidentContext, context_flags
from models import (
    ActionPlan,
    Case,
    CaseDecision,
    Consent,
    Incident,
    Location,
    Perpetrator,
    Referral,
    ServiceGap,
    Survivor,
    User,
    db,
    utcnow,
)
from models.case import new_case_code
from models.incident import FLAG_COLUMNS, PATHWAY_COLUMNS
from models.keys import keyring

from .. import audit, clock
from ..clock import when_incident
from ..errors import Conflict, NothingToChange
from ..policy import case_scope, require
from .validation import Reader, age_on, read_case, read_consent, read_incident


def known_locations() -> dict[str, str | None]:
    """Location code → its region code (every location knows its region)."""
    rows = db.session.execute(select(Location.code, Location.parent_code, Location.level)).all()
    parent = {code: parent for code, parent, _level in rows}
    regions = {}
    for code, _parent, _level in rows:
        walk: str | None = code
        while walk is not None and parent.get(walk) is not None:
            walk = parent[walk]
        regions[code] = walk
    return regions


def create_case(user: User, payload: dict[str, Any], today: dt.date | None = None) -> Case:
    """Validate everything, then write case, survivor and consent in one transaction."""
    require("case.create", user=user)
    locations = known_locations()
    data = read_case(payload, today or clock.today(), set(locations))
    year = (today or clock.today()).year
    code = new_case_code(data["kind"], year)
    while db.session.scalar(select(func.count()).select_from(Case).where(Case.case_code == code)):
        code = new_case_code(data["kind"], year)
    consent = data["consent"]
    case = Case(
        kind=data["kind"],
        case_code=code,
        agency_id=user.agency_id,
        owner_id=user.id,
        status="open",
        stage="assessment",
        location_code=data["location"],
        region_code=locations[data["location"]],
        consent_services=bool(consent["services"]),
        consent_reporting=bool(consent["reporting"]),
    )
    db.session.add(case)
    db.session.flush()
    case.ensure_data_key()
    survivor = Survivor(case=case)
    written = write_survivor(survivor, data["survivor"])
    db.session.add(survivor)
    db.session.add(Consent(case=case, version=1, recorded_by_id=user.id, **consent))
    audit.record(
        "case.created",
        actor=user,
        target_type="case",
        target_id=case.id,
        details={"kind": case.kind, "fields": written, "consent": _consent_summary(consent)},
    )
    return case


SURVIVOR_CODED_FIELDS = (
    "sex", "marital_status", "displacement_status", "disability", "unaccompanied", "nationality",
    "country_of_origin", "occupation", "dependants_count", "lives_alone", "caretaker_relation",
    "caretaker_marital_status", "caretaker_occupation",
)


def write_survivor(survivor: Survivor, values: dict[str, Any]) -> list[str]:
    """Set the survivor's fields from validated values; the identifying ones written (names)."""
    for name in SURVIVOR_CODED_FIELDS:
        setattr(survivor, name, values[name])
    survivor.age_at_registration = values["age"]
    survivor.age_estimated = values["age_estimated"] and values["date_of_birth"] is None
    written = []
    for name in Survivor.IDENTIFYING:
        value = values.get(name)
        setattr(survivor, name, value if value not in (None, "") else None)
        if value not in (None, ""):
            written.append(name)
    return written


def _consent_summary(consent: dict[str, Any]) -> dict[str, Any]:
    """What the audit log keeps of a consent: which areas, never who or the organisations' notes."""
    return {
        "services": consent["services"],
        "reporting": consent["reporting"],
        "release": sorted(a for a, ok in consent["release"].items() if ok),
        "given_by": consent["given_by"],
    }


def current_consent(case: Case) -> Consent | None:
    return case.consents[-1] if case.consents else None


def withdraw_consent(user: User, case: Case, what: str) -> Consent:
    """Withdraw consent to services ("all") or to statistics ("reporting"), at once everywhere."""
    require("case.update", case, user=user)
    previous = current_consent(case)
    if previous is None:
        raise Conflict()
    fields = {
        "services": previous.services,
        "reporting": previous.reporting,
        "release": dict(previous.release),
        "release_to": dict(previous.release_to),
        "given_by": previous.given_by,
        "assent": previous.assent,
    }
    if what == "reporting":
        fields["reporting"] = False
    else:
        fields.update(services=False, reporting=False, release=dict.fromkeys(previous.release, False))
    consent = Consent(
        case=case, version=previous.version + 1, recorded_by_id=user.id, withdrawn=what != "reporting", **fields
    )
    db.session.add(consent)
    case.consent_services, case.consent_reporting = bool(fields["services"]), bool(fields["reporting"])
    _sync_reporting_consent(case)
    if what != "reporting":
        # Imported here: referrals build on cases, not the other way round.
        from ..referrals.service import withdraw_all

        withdraw_all(user, case)
    audit.record("case.consent_withdrawn", actor=user, target_type="case", target_id=case.id, details={"what": what})
    return consent


def _sync_reporting_consent(case: Case) -> None:
    """The incidents' and service gaps' copies of the consent to statistics follow the case's."""
    for model in (Incident, ServiceGap):
        db.session.execute(
            update(model)
            .where(model.case_id == case.id)
            .values(reporting_consent=case.consent_reporting)
            .execution_options(synchronize_session="fetch")
        )


def record_consent(user: User, case: Case, payload: dict[str, Any]) -> Consent:
    """A new consent given by the survivor (or for a child): a new version, never an edit.
    Release areas no longer consented to end the open referrals to those services."""
    require("case.update", case, user=user)
    previous = current_consent(case)
    if case.status != "open" or previous is None or not case.consent_services:
        raise Conflict(_("This case is closed or its consent was withdrawn."))
    r = Reader(payload)
    fields = read_consent(r, case.survivor.age_at_registration if case.survivor else None)
    r.raise_if_invalid()
    before = {name: getattr(previous, name) for name in fields}
    if before == fields:
        raise NothingToChange()
    consent = Consent(case=case, version=previous.version + 1, recorded_by_id=user.id, **fields)
    db.session.add(consent)
    case.consent_reporting = bool(fields["reporting"])
    _sync_reporting_consent(case)
    no_longer = {area for area, ok in previous.release.items() if ok and not fields["release"].get(area)}
    if no_longer:
        from ..referrals.service import withdraw_all  # referrals build on cases, not the reverse

        withdraw_all(user, case, no_longer)
    audit.record(
        "case.consent_changed",
        actor=user,
        target_type="case",
        target_id=case.id,
        details={"consent": _consent_summary(fields), "version": consent.version},
    )
    return consent


def add_incident(user: User, case: Case, payload: dict[str, Any], today: dt.date | None = None) -> Incident:
    require("case.update", case, user=user)
    if case.status != "open" or not case.consent_services:
        raise Conflict(_("This case is closed or its consent was withdrawn: no incident can be added."))
    locations = known_locations()
    data = read_incident(payload, today or clock.today(), set(locations))
    incident = Incident(case=case, agency_id=case.agency_id, created_by_id=user.id)
    incident.reporting_consent = case.consent_reporting
    db.session.add(incident)
    write_incident(incident, case, data, locations)
    case.updated_at = utcnow()
    audit.record(
        "incident.created",
        actor=user,
        target_type="case",
        target_id=case.id,
        details={
            "incident": incident.id,
            "gbv_type": incident.gbv_type,
            "fields": [name for name in ("account", "non_gbv_description") if data[name]],
        },
    )
    return incident


INCIDENT_FIELDS = (
    "date_of_incident", "date_of_interview", "time_of_incident", "time_of_day", "stage_of_displacement",
    "place_type", "answers", "gbv_type", "harmful_traditional_practice", "money_or_goods_exchanged", "abduction",
    "reported_elsewhere", "reported_elsewhere_to", "previous_gbv", "referred_by", "wants_legal_action",
    "mandatory_report_made", "survivor_informed_of_report", "perpetrator_count", "perpetrator_sex",
)


def write_incident(incident: Incident, case: Case, data: dict[str, Any], locations: dict[str, str | None]) -> None:
    """Set every IRF field of the incident from validated data, with what is derived from it:
    the context flags, the survivor's coded values at the time, the primary perpetrator."""
    for name in INCIDENT_FIELDS:
        setattr(incident, name, data[name])
    for service in PATHWAY_COLUMNS:
        setattr(incident, f"pathway_{service}", data["pathway"][service])
    location = data["location"] or case.location_code
    incident.location_code, incident.region_code = location, locations.get(location or "")
    primary = next((p for p in data["perpetrators"] if p["primary"]), None)
    incident.primary_relationship = primary["relationship"] if primary else None
    incident.primary_age_group = primary["age_group"] if primary else None
    incident.primary_occupation = (primary["occupation"] or "unknown") if primary else None
    incident.perpetrators = [
        Perpetrator(
            position=n,
            primary=p["primary"],
            sex=p["sex"],
            age_group=p["age_group"],
            relationship_code=p["relationship"],
            occupation=p["occupation"],
            nationality=p["nationality"],
            past_gbv=p["past_gbv"],
        )
        for n, p in enumerate(data["perpetrators"])
    ]
    refresh_from_survivor(incident, case)
    db.session.flush()  # ids first: each encrypted value is bound to its row
    incident.account = data["account"]
    incident.non_gbv_description = data["non_gbv_description"]
    for row, p in zip(incident.perpetrators, data["perpetrators"], strict=True):
        row.ethnicity = p["ethnicity"]


def refresh_from_survivor(incident: Incident, case: Case) -> None:
    """The survivor's coded values at the time, copied onto the incident for statistics without
    a join, and the context flags that depend on them (age) and on the incident's answers."""
    survivor = case.survivor
    age = age_at_incident(survivor, incident.date_of_incident, case.created_at.date())
    flags = context_flags(
        incident.gbv_type,
        IncidentContext(
            age_at_incident=age,
            perpetrator_relationships=[p.relationship_code for p in incident.perpetrators],
            money_or_goods_exchanged=incident.money_or_goods_exchanged == "yes",
            abduction=incident.abduction or "none",
            harmful_traditional_practice=incident.harmful_traditional_practice or "no",
        ),
    )
    for flag in FLAG_COLUMNS:
        setattr(incident, flag, flag.removeprefix("flag_") in flags)
    incident.age_at_incident = age
    incident.survivor_sex = survivor.sex
    incident.marital_status = survivor.marital_status
    incident.displacement_status = survivor.displacement_status
    incident.disability = survivor.disability
    incident.unaccompanied = survivor.unaccompanied


def age_at_incident(survivor: Survivor, day: dt.date, registered: dt.date) -> int | None:
    if survivor.date_of_birth is not None:
        return age_on(survivor.date_of_birth, day)
    if survivor.age_at_registration is None:
        return None
    return max(0, survivor.age_at_registration - age_on(day, registered))


@dataclass(frozen=True)
class CareAlert:
    """A rape whose PEP or emergency-contraception window is open or may still be open, and
    the health referral made for it, if any."""

    incident: Incident
    windows: list[CareWindow]
    health_referral: Referral | None


def care_alerts(case: Case, now: dt.datetime | None = None) -> list[CareAlert]:
    moment = now or utcnow()
    found = []
    for incident in case.incidents:
        windows = [w for w in incident_windows(incident) if w.state(moment) != "closed"]
        if windows:
            found.append(CareAlert(incident, windows, health_referral_for(case, incident)))
    return found


def incident_windows(incident: Incident) -> list[CareWindow]:
    when = when_incident(incident.date_of_incident, incident.time_of_incident, incident.time_of_day)
    return care_windows(incident.gbv_type, when)


def health_referral_for(case: Case, incident: Incident) -> Referral | None:
    """The newest health referral made for this incident (or for the case, made after it)."""
    since = dt.datetime.combine(incident.date_of_incident, dt.time(), dt.UTC)
    made = [
        r
        for r in case.referrals
        if r.service_type == "health"
        and (r.incident_id == incident.id or (r.incident_id is None and r.created_at >= since))
    ]
    return max(made, key=lambda r: r.created_at) if made else None


@dataclass(frozen=True)
class CaseFilters:
    q: str = ""
    status: str = ""
    risk: str = ""
    region: str = ""
    kind: str = ""
    overdue: bool = False


def list_query(user: User, filters: CaseFilters) -> Select[Any]:
    """The caller's cases, filtered, newest first; ``q`` goes through blind indexes only."""
    stmt = (
        select(Case)
        .where(case_scope(user), Case.purged_at.is_(None))
        .options(joinedload(Case.survivor), joinedload(Case.data_key_record))
        .order_by(Case.created_at.desc(), Case.id)
    )
    if filters.status:
        stmt = stmt.where(Case.status == filters.status)
    if filters.risk:
        stmt = stmt.where(Case.risk_level == filters.risk)
    if filters.region:
        stmt = stmt.where(Case.region_code == filters.region)
    if filters.kind:
        stmt = stmt.where(Case.kind == filters.kind)
    if filters.overdue:
        stmt = stmt.where(Case.status == "open", Case.next_follow_up < clock.today())
    if filters.q:
        stmt = stmt.join(Survivor, Survivor.case_id == Case.id).where(_search_condition(filters.q))
    return stmt


def _search_condition(q: str) -> Any:
    key = keyring().index_key
    conditions = [Case.case_code == q.strip().upper()]
    code = normalize_code(q)
    if len(code) >= 8:
        conditions.append(func.replace(Case.case_code, "-", "") == code)
    words = [q, *q.split()] if len(q.split()) > 1 else [q]
    for field in (Survivor.given_name, Survivor.family_name):
        index = field.blind_index("survivors")
        buckets = {b for b in (index.compute(key, w) for w in words) if b is not None}
        if buckets:
            conditions.append(getattr(Survivor, f"{field.name}_bidx").in_(buckets))
    phone_bucket = Survivor.phone.blind_index("survivors").compute(key, q) if any(c.isdigit() for c in q) else None
    if phone_bucket is not None:
        conditions.append(Survivor.phone_bidx == phone_bucket)
    return or_(*conditions)


def exact_matches(cases: list[Case], q: str) -> list[Case]:
    """Drop the blind index's false positives, after decrypting only the candidates."""
    if not q:
        return cases
    wanted = normalize_name(q)
    phone = Survivor.phone.blind_index("survivors")
    kept = []
    for case in cases:
        s = case.survivor
        names = {normalize_name(n) for n in (s.given_name, s.family_name, s.display_name) if n}
        if (
            case.case_code.replace("-", "") == normalize_code(q)
            or wanted in names
            or (s.phone and any(ch.isdigit() for ch in q) and phone.matches(q, s.phone))
        ):
            kept.append(case)
    return kept


def record_view(case: Case, what: str = "case.viewed") -> None:
    audit.record(what, target_type="case", target_id=case.id)


def awaiting_approval(user: User) -> list[Case]:
    """Cases of the supervisor's agency with a plan, closure or erasure waiting for a decision."""
    if user.role != "supervisor":
        return []
    waiting = (
        select(CaseDecision.case_id)
        .where(CaseDecision.status == "pending")
        .union(select(ActionPlan.case_id).where(ActionPlan.status == "submitted"))
    )
    stmt = (
        select(Case)
        .where(case_scope(user), Case.purged_at.is_(None), Case.id.in_(waiting))
        .options(joinedload(Case.survivor), joinedload(Case.data_key_record))
        .order_by(Case.updated_at)
    )
    return list(db.session.scalars(stmt.limit(50)).unique())
