"""What the validators in ``validation.py`` return: one typed record per payload.

The services read ``incident.place_type``, not ``data["place_type"]``: a misspelt field is an
error mypy reports, not a ``KeyError`` in front of a caseworker. Values are already checked and
coded; ``None`` always means "not recorded", never "no".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from ..cp.registration import ChildRegistration


@dataclasses.dataclass
class SurvivorData:
    sex: str
    age: int | None
    age_estimated: bool
    date_of_birth: dt.date | None
    # Identifying free text (encrypted when written).
    given_name: str | None = None
    family_name: str | None = None
    nickname: str | None = None
    phone: str | None = None
    address: str | None = None
    caregiver_name: str | None = None
    caregiver_phone: str | None = None
    ethnicity: str | None = None
    religion: str | None = None
    notes: str | None = None
    dependants_ages: str | None = None
    # Coded.
    nationality: str | None = None
    country_of_origin: str | None = None
    marital_status: str | None = None
    displacement_status: str | None = None
    disability: str | None = None
    unaccompanied: str | None = None
    occupation: str | None = None
    dependants_count: int | None = None
    lives_alone: str | None = None
    caretaker_relation: str | None = None
    caretaker_marital_status: str | None = None
    caretaker_occupation: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class ConsentData:
    services: bool
    reporting: bool
    release: dict[str, bool]  # every release area, True where the survivor agreed
    release_to: dict[str, str | None]  # the organisation named per area, when one is
    given_by: str
    assent: str
    # An adolescent's (15–17) caregiver consents as well: True/False when asked, None when not
    # asked or not applicable (gbvims/consent.py). An addition, never instead of ``given_by``.
    caregiver_consent: bool | None = None

    def columns(self) -> dict[str, Any]:
        """The values of a ``models.Consent`` row (organisations only where one is named)."""
        values = dataclasses.asdict(self)
        values["release_to"] = {area: org for area, org in self.release_to.items() if org}
        return values

    def summary(self) -> dict[str, Any]:
        """What the audit log keeps of a consent: which areas, never who or the organisations' notes."""
        return {
            "services": self.services,
            "reporting": self.reporting,
            "release": sorted(area for area, agreed in self.release.items() if agreed),
            "given_by": self.given_by,
            "caregiver_consent": self.caregiver_consent,
        }


@dataclasses.dataclass
class CaseData:
    kind: str
    location: str
    survivor: SurvivorData
    consent: ConsentData
    child: ChildRegistration | None = None  # a child protection case's own registration


@dataclasses.dataclass
class PerpetratorData:
    sex: str
    age_group: str
    relationship: str
    occupation: str | None
    nationality: str | None
    ethnicity: str | None  # identifying: encrypted when written
    past_gbv: str | None
    primary: bool = False


@dataclasses.dataclass
class IncidentData:
    date_of_incident: dt.date
    date_of_interview: dt.date
    time_of_incident: str | None  # "HH:MM", local time of the deployment
    time_of_day: str
    place_type: str
    stage_of_displacement: str | None
    location: str | None  # None: the case's location
    harmful_traditional_practice: str | None
    money_or_goods_exchanged: str | None
    abduction: str | None
    reported_elsewhere: str
    reported_elsewhere_to: str | None
    previous_gbv: str | None
    referred_by: str | None
    wants_legal_action: str | None
    mandatory_report_made: bool | None
    survivor_informed_of_report: bool | None
    pathway: dict[str, str | None]  # per service line of the IRF
    answers: dict[str, bool]  # the classification tool's answers given
    gbv_type: str
    perpetrators: list[PerpetratorData]
    perpetrator_count: str
    perpetrator_sex: str
    account: str | None = None  # the survivor's account: encrypted when written
    non_gbv_description: str | None = None
