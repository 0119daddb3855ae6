"""Correcting a case: the survivor's record, the case's location and risk, each incident.

An edit is the current record with the caller's changes laid over it, validated by the same
readers as a new record — so a correction can never store what registration would refuse —
and written in one transaction. The audit log keeps which fields changed and who changed them,
never the values; those entries are the case's dated history. Consent is not edited: a change
of consent is a new consent version.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.engine import Row

from gbvims import options
from gbvims.classification import ANSWER_KEYS
from models import Case, Incident, Survivor, User, utcnow
from models.incident import PATHWAY_COLUMNS

from .. import audit, clock
from ..cp.registration import after_correction, check_correction
from ..errors import Conflict, NothingToChange, ValidationFailed
from ..policy import require
from ..validation import Reader
from . import incidents, service
from .payloads import IncidentData, SurvivorData
from .validation import SURVIVOR_TEXT, read_incident, read_location, read_survivor

CASE_EDITABLE = ("location", "risk_level", "survivor")
HISTORY_ACTIONS = (
    "case.created",
    "case.edited",
    "incident.created",
    "incident.edited",
    "case.consent_changed",
    "case.consent_withdrawn",
    "case.note_added",
)


def survivor_answers(s: Survivor) -> dict[str, Any]:
    """The survivor's record in the API's shape (identifying values decrypted)."""
    values: dict[str, Any] = {name: getattr(s, name) for name in SURVIVOR_TEXT}
    values.update(
        notes=s.notes,
        dependants_ages=s.dependants_ages,
        date_of_birth=s.date_of_birth.isoformat() if s.date_of_birth else None,
        age=s.age_at_registration,
        age_estimated=s.age_estimated,
        **{name: getattr(s, name) for name in service.SURVIVOR_CODED_FIELDS},
    )
    return values


def incident_answers(incident: Incident) -> dict[str, Any]:
    """Every answer of the incident form, in the shape the create and edit payloads take."""
    return {
        "date_of_incident": incident.date_of_incident.isoformat(),
        "date_of_interview": incident.date_of_interview.isoformat(),
        "time_of_incident": incident.time_of_incident,
        "time_of_day": incident.time_of_day,
        "place_type": incident.place_type,
        "stage_of_displacement": incident.stage_of_displacement,
        "location": incident.location_code,
        "classification": dict(incident.answers),
        "harmful_traditional_practice": incident.harmful_traditional_practice,
        "money_or_goods_exchanged": incident.money_or_goods_exchanged,
        "abduction": incident.abduction,
        "reported_elsewhere": incident.reported_elsewhere,
        "reported_elsewhere_to": incident.reported_elsewhere_to,
        "previous_gbv": incident.previous_gbv,
        "referred_by": incident.referred_by,
        "wants_legal_action": incident.wants_legal_action,
        "mandatory_report_made": incident.mandatory_report_made,
        "survivor_informed_of_report": incident.survivor_informed_of_report,
        "pathway": incident.pathway(),
        "perpetrator_count": incident.perpetrator_count,
        "perpetrators": [
            {
                "primary": p.primary,
                "sex": p.sex,
                "age_group": p.age_group,
                "relationship": p.relationship_code,
                "occupation": p.occupation,
                "nationality": p.nationality,
                "ethnicity": p.ethnicity,
                "past_gbv": p.past_gbv,
            }
            for p in incident.perpetrators
        ],
    }


def _editable(user: User, case: Case) -> None:
    # Who may correct a record is who may work on it: the same policy as reading and updating.
    require("case.update", case, user=user)
    if case.purged_at is not None or case.status != "open":
        raise Conflict(_("This case is closed: reopen it to correct its records."))


def _refuse_unknown(patch: Mapping[str, Any], allowed: tuple[str, ...] | set[str]) -> None:
    errors = {}
    for name in patch:
        if name not in allowed:
            errors[str(name)[:64]] = [
                _("Consent changes are recorded as a new consent, not edited.")
                if name == "consent"
                else _("This field cannot be changed.")
            ]
    if errors:
        raise ValidationFailed(fields=errors)


def _changed(before: Mapping[str, Any], after: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Names of the fields whose value differs (nested mappings by dotted path)."""
    names = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if isinstance(old, Mapping) and isinstance(new, Mapping):
            names += _changed(old, new, f"{prefix}{key}.")
        elif old != new:
            names.append(f"{prefix}{key}")
    return names


def edit_case(user: User, case: Case, patch: Mapping[str, Any], today: dt.date | None = None) -> list[str]:
    """Correct the survivor's record, the case's location or risk level; the changed fields."""
    _editable(user, case)
    if not isinstance(patch, Mapping) or not patch:
        raise NothingToChange()
    _refuse_unknown(patch, CASE_EDITABLE)
    survivor = case.survivor
    current = survivor_answers(survivor)
    survivor_patch = patch.get("survivor") or {}
    r = Reader(patch)
    if not isinstance(survivor_patch, Mapping):
        r.fail("survivor", _("This field must be an object."))
        survivor_patch = {}
    unknown = set(survivor_patch) - set(current)
    for name in sorted(unknown):
        r.fail(f"survivor.{str(name)[:64]}", _("This field cannot be changed."))
    merged = {**current, **survivor_patch}
    if "date_of_birth" in survivor_patch and survivor_patch["date_of_birth"] and "age" not in survivor_patch:
        merged["age"] = None  # the date of birth gives the age
    # The age recorded at registration: computed on the day the case was registered.
    values = read_survivor(Reader(merged, "survivor.", r.errors), case.created_at.date())
    locations = service.known_locations(patch.get("location"))
    location = read_location(
        Reader({"location": patch.get("location", case.location_code)}, "", r.errors), set(locations), required=True
    )
    risk = r.choice("risk_level", options.RISK_LEVEL) if "risk_level" in patch else case.risk_level
    check_correction(r, case, age=values.age, caregiver_named=bool(values.caregiver_name), risk=risk)
    r.raise_if_invalid()
    before = {**current, "location": case.location_code, "risk_level": case.risk_level}
    after = {**_as_answers(values), "location": location, "risk_level": risk}
    changed = [name for name in _changed(before, after) if name in patch or name in survivor_patch]
    if not changed:
        raise NothingToChange()
    service.write_survivor(survivor, values)
    case.location_code, case.region_code = location, locations.get(location or "")
    for violation in case.grave_violations:  # a corrected location reaches the MRM copies
        violation.region_code = case.region_code
    case.risk_level = risk
    after_correction(case, date_of_birth=values.date_of_birth, age=values.age)
    for incident in case.incidents:  # corrections of the survivor's coded values reach the IRF copies
        incidents.refresh_from_survivor(incident, case)
    case.updated_at = utcnow()
    fields = sorted(name if name in ("location", "risk_level") else f"survivor.{name}" for name in changed)
    audit.record("case.edited", actor=user, target_type="case", target_id=case.id, details={"fields": fields})
    return fields


def _as_answers(values: SurvivorData) -> dict[str, Any]:
    """Validated survivor values in the shape of ``survivor_answers`` (for comparison)."""
    out = values.as_dict()
    born = values.date_of_birth
    out["date_of_birth"] = born.isoformat() if born else None
    out["age_estimated"] = bool(values.age_estimated and born is None)
    return out


INCIDENT_EDITABLE = (
    "date_of_incident",
    "date_of_interview",
    "time_of_incident",
    "time_of_day",
    "place_type",
    "stage_of_displacement",
    "location",
    "classification",
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
    "pathway",
    "perpetrator_count",
    "perpetrators",
    "account",
    "non_gbv_description",
)


def edit_incident(
    user: User, case: Case, incident: Incident, patch: Mapping[str, Any], today: dt.date | None = None
) -> list[str]:
    """Correct an incident; the classification is re-run on its (possibly new) answers."""
    _editable(user, case)
    if not isinstance(patch, Mapping) or not patch:
        raise NothingToChange()
    _refuse_unknown(patch, INCIDENT_EDITABLE)
    current = {
        **incident_answers(incident),
        "account": incident.account,
        "non_gbv_description": incident.non_gbv_description,
    }
    merged = dict(current)
    for name, value in patch.items():
        if name in ("classification", "pathway") and isinstance(value, Mapping):
            merged[name] = {**current[name], **value}  # a partial set of answers or lines
        else:
            merged[name] = value
    if patch.get("time_of_incident") and "time_of_day" not in patch:
        merged["time_of_day"] = None  # derived again from the new time
    locations = service.known_locations(merged.get("location"))
    data = read_incident(merged, today or clock.today(), set(locations))
    after = {**merged, **_normalised(data)}
    before = {**current, **_normalised_current(incident, current)}
    changed = [name for name in _changed(before, after) if name.split(".")[0] in patch]
    if not changed:
        raise NothingToChange()
    previous_type = incident.gbv_type
    incidents.write_incident(incident, case, data, locations)
    case.updated_at = utcnow()
    audit.record(
        "incident.edited",
        actor=user,
        target_type="case",
        target_id=case.id,
        details={
            "incident": incident.id,
            "fields": changed,
            "gbv_type": incident.gbv_type,
            "reclassified": previous_type != incident.gbv_type,
        },
    )
    return changed


def _normalised(data: IncidentData) -> dict[str, Any]:
    """Validated incident data in the shape of ``incident_answers`` (for comparison)."""
    validated = dataclasses.asdict(data)
    out = {name: validated[name] for name in INCIDENT_EDITABLE if name in validated}
    out["classification"] = data.answers
    out["date_of_incident"] = data.date_of_incident.isoformat()
    out["date_of_interview"] = data.date_of_interview.isoformat()
    out["pathway"] = {service_name: data.pathway[service_name] for service_name in PATHWAY_COLUMNS}
    return out


def _normalised_current(incident: Incident, current: dict[str, Any]) -> dict[str, Any]:
    return {
        "classification": {k: v for k, v in incident.answers.items() if k in ANSWER_KEYS},
        "location": incident.location_code,
        "perpetrators": current["perpetrators"],
    }


def history(case: Case, limit: int = 100) -> list[Row[Any]]:
    """The case's dated history of records and corrections (field names, never values)."""
    return audit.case_history(case.id, HISTORY_ACTIONS, limit)


def record_read(case: Case, page: str) -> None:
    """Opening a correction form shows the decrypted record: a read like any other."""
    audit.record("case.viewed", target_type="case", target_id=case.id, details={"page": page})
