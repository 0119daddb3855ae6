"""Time-critical care after rape: post-exposure prophylaxis (PEP) for HIV must start within
72 hours, emergency contraception within 120 hours (standards/GBVIMS.md §6)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

PEP_HOURS = 72
EMERGENCY_CONTRACEPTION_HOURS = 120


@dataclass(frozen=True)
class CareWindow:
    name: str  # "pep" or "emergency_contraception"
    hours_left: float  # negative once closed

    @property
    def open(self) -> bool:
        return self.hours_left > 0


def care_windows(gbv_type: str, incident_at: dt.datetime, now: dt.datetime) -> list[CareWindow]:
    """The windows still relevant for an incident (none unless it is a rape).

    ``incident_at`` is the start of the incident day when only the date is known: the
    countdown then errs on the side of urgency, never of comfort.
    """
    if gbv_type != "rape":
        return []
    elapsed = (now - incident_at).total_seconds() / 3600
    return [
        CareWindow("pep", PEP_HOURS - elapsed),
        CareWindow("emergency_contraception", EMERGENCY_CONTRACEPTION_HOURS - elapsed),
    ]
