"""GBV incidents: recording an incident on the GBVIMS Incident Recording Form, the values
derived from it for statistics (context flags, the survivor's coded values at the time, the
primary perpetrator), and the post-rape care windows it opens. Shared by the pages and the API;
every change is audited by field name."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from gbvims.care import CareWindow, care_windows
from gbvims.classification import IncidentContext, context_flags
from models import Case, Incident, Perpetrator, Referral, Survivor, User, db, utcnow
from models.incident import FLAG_COLUMNS, PATHWAY_COLUMNS

from .. import audit, clock
from ..clock import when_incident
from ..errors import Conflict
from ..policy import require
from .kinds import kind_of
from .payloads import IncidentData
from .service import known_locations
from .validation import age_on, read_incident


def add_incident(user: User, case: Case, payload: dict[str, Any], today: dt.date | None = None) -> Incident:
    require("case.update", case, user=user)
    if case.status != "open" or not case.consent_services:
        raise Conflict(_("This case is closed or its consent was withdrawn: no incident can be added."))
    if not kind_of(case).records_gbv_incidents:
        raise Conflict(_("This kind of case does not record incidents on the GBVIMS form."))
    locations = known_locations(payload.get("location") if isinstance(payload, dict) else None)
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
            "fields": [name for name in ("account", "non_gbv_description") if getattr(data, name)],
        },
    )
    return incident


INCIDENT_FIELDS = (
    "date_of_incident",
    "date_of_interview",
    "time_of_incident",
    "time_of_day",
    "stage_of_displacement",
    "place_type",
    "answers",
    "gbv_type",
    "harmful_traditional_practice",
    "money_or_goods_exchanged",
    "abduction",
    "reported_elsewhere",
    "reported_elsewhere_to",
    "previous_gbv",
    "referred_by",
    "wants_legal_action",
    "mandatory_report_made",
    "survivor_informed_of_report",
    "perpetrator_count",
    "perpetrator_sex",
)


def write_incident(incident: Incident, case: Case, data: IncidentData, locations: dict[str, str | None]) -> None:
    """Set every IRF field of the incident from validated data, with what is derived from it:
    the context flags, the survivor's coded values at the time, the primary perpetrator."""
    for name in INCIDENT_FIELDS:
        setattr(incident, name, getattr(data, name))
    for service in PATHWAY_COLUMNS:
        setattr(incident, f"pathway_{service}", data.pathway[service])
    location = data.location or case.location_code
    incident.location_code, incident.region_code = location, locations.get(location or "")
    primary = next((p for p in data.perpetrators if p.primary), None)
    incident.primary_relationship = primary.relationship if primary else None
    incident.primary_age_group = primary.age_group if primary else None
    incident.primary_occupation = (primary.occupation or "unknown") if primary else None
    incident.perpetrators = [
        Perpetrator(
            position=n,
            primary=p.primary,
            sex=p.sex,
            age_group=p.age_group,
            relationship_code=p.relationship,
            occupation=p.occupation,
            nationality=p.nationality,
            past_gbv=p.past_gbv,
        )
        for n, p in enumerate(data.perpetrators)
    ]
    refresh_from_survivor(incident, case)
    db.session.flush()  # ids first: each encrypted value is bound to its row
    incident.account = data.account
    incident.non_gbv_description = data.non_gbv_description
    for row, p in zip(incident.perpetrators, data.perpetrators, strict=True):
        row.ethnicity = p.ethnicity


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
    """The care windows the incident opened (none for a kind of case without the care clock)."""
    if not kind_of(incident.case).post_rape_care_clock:
        return []
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
