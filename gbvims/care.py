"""Time-critical care after rape: post-exposure prophylaxis (PEP) for HIV must start within
72 hours, emergency contraception (EC) within 120 hours.

The moment of the incident is often not known exactly. It is kept as an interval — the exact
time when the survivor knows it, else the IRF's time of day, else the whole day — and each
window closes somewhere between ``earliest_close`` and ``closes_at``. A window is only ever
called closed once it is closed whatever the true time was: care that may still help is never
hidden.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

PEP_HOURS = 72
EMERGENCY_CONTRACEPTION_HOURS = 120
CARE_HOURS = {"pep": PEP_HOURS, "ec": EMERGENCY_CONTRACEPTION_HOURS}
# A window's state: surely open, open or closed depending on the unknown true time, surely closed.
OPEN, MAYBE_OPEN, CLOSED = CARE_STATES = ("open", "maybe_open", "closed")

# The IRF's times of day, as local clock bounds wide enough for every season in the Sahel
# (sunrise 05:45–06:50, sunset 17:50–19:15 in Mali). Evening/night runs from sunset to sunrise,
# so on a given date it covers both the small hours and the late evening: the whole day.
_DAY = (dt.time(0, 0), None)  # None: midnight at the end of the day
TIME_OF_DAY_BOUNDS: dict[str, tuple[dt.time, dt.time | None]] = {
    "morning": (dt.time(5, 30), dt.time(12, 0)),
    "afternoon": (dt.time(12, 0), dt.time(19, 30)),
    "evening_night": _DAY,
    "unknown": _DAY,
}
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def parse_hhmm(value: str) -> dt.time:
    """ "21:30" → time(21, 30); ValueError when it is not a 24-hour HH:MM time."""
    if not HHMM.match(value):
        raise ValueError(value)
    hours, minutes = value.split(":")
    return dt.time(int(hours), int(minutes))


def time_of_day_of(clock: dt.time) -> str:
    """The IRF's time of day for an exact local time (sunrise and sunset taken at 06:00, 18:00)."""
    if dt.time(6, 0) <= clock < dt.time(12, 0):
        return "morning"
    if dt.time(12, 0) <= clock < dt.time(18, 0):
        return "afternoon"
    return "evening_night"


@dataclass(frozen=True)
class IncidentTime:
    """When the incident may have happened (aware datetimes, earliest ≤ latest)."""

    earliest: dt.datetime
    latest: dt.datetime
    exact: bool


def incident_time(day: dt.date, exact: str | None, time_of_day: str | None, zone: ZoneInfo) -> IncidentTime:
    """The interval for an incident recorded with a date and, if known, an exact local time
    or the IRF's time of day."""
    if exact:
        moment = dt.datetime.combine(day, parse_hhmm(exact), zone)
        return IncidentTime(moment, moment, True)
    start, end = TIME_OF_DAY_BOUNDS.get(time_of_day or "unknown", _DAY)
    earliest = dt.datetime.combine(day, start, zone)
    latest = (
        dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), zone)
        if end is None
        else dt.datetime.combine(day, end, zone)
    )
    return IncidentTime(earliest, latest, False)


@dataclass(frozen=True)
class CareWindow:
    care: str  # a key of CARE_HOURS
    earliest_close: dt.datetime  # if the incident happened at the earliest possible moment
    closes_at: dt.datetime  # the latest possible close
    exact: bool  # the time of the incident is known: both closes are the same

    def state(self, now: dt.datetime) -> str:
        if now < self.earliest_close:
            return OPEN
        if now < self.closes_at:
            return MAYBE_OPEN
        return CLOSED

    def hours_left(self, now: dt.datetime) -> float:
        """Hours until the latest possible close (negative once surely closed)."""
        return (self.closes_at - now).total_seconds() / 3600


def care_windows(gbv_type: str, when: IncidentTime) -> list[CareWindow]:
    """The PEP and EC windows of an incident (none unless it is a rape)."""
    if gbv_type != "rape":
        return []
    return [
        CareWindow(
            care,
            when.earliest + dt.timedelta(hours=hours),
            when.latest + dt.timedelta(hours=hours),
            when.exact,
        )
        for care, hours in CARE_HOURS.items()
    ]
