"""Response times of child protection case management, by risk level (Inter-Agency
Guidelines; a deployment may change them): how soon a case must be assigned and first acted
upon, and how often it is reviewed. The times are data, the clocks arithmetic on them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

RISK_LEVELS = ("high", "medium", "low")
MAJORITY = 18


@dataclass(frozen=True)
class ResponseTime:
    assign_within: dt.timedelta
    act_within: dt.timedelta
    review_every: dt.timedelta


DEFAULT_RESPONSE_TIMES: Mapping[str, ResponseTime] = {
    "high": ResponseTime(dt.timedelta(hours=1), dt.timedelta(hours=24), dt.timedelta(days=30)),
    "medium": ResponseTime(dt.timedelta(days=1), dt.timedelta(days=3), dt.timedelta(days=90)),
    "low": ResponseTime(dt.timedelta(days=3), dt.timedelta(weeks=1), dt.timedelta(days=90)),
}


def response_times(overrides: Mapping[str, Mapping[str, float]] | None = None) -> dict[str, ResponseTime]:
    """The defaults with a deployment's overrides, given in hours: ``{"high": {"act_within": 12}}``."""
    times = dict(DEFAULT_RESPONSE_TIMES)
    for level, values in (overrides or {}).items():
        if level not in times:
            raise ValueError(f"unknown risk level {level!r}")
        base = times[level]
        fields = {name: getattr(base, name) for name in ("assign_within", "act_within", "review_every")}
        for name, hours in values.items():
            if name not in fields:
                raise ValueError(f"unknown response time {name!r}")
            if not hours > 0:
                raise ValueError(f"{level}.{name} must be a positive number of hours")
            fields[name] = dt.timedelta(hours=float(hours))
        times[level] = ResponseTime(**fields)
    return times


def first_action_due(registered_at: dt.datetime, risk_level: str, times: Mapping[str, ResponseTime]) -> dt.datetime:
    return registered_at + times[risk_level].act_within


def next_review(after: dt.date, risk_level: str, times: Mapping[str, ResponseTime]) -> dt.date:
    """The next review after a review (or the registration) on ``after``; never more than three
    months away, sooner for a higher risk."""
    return after + dt.timedelta(days=max(1, times[risk_level].review_every.days))


def eighteenth_birthday(date_of_birth: dt.date | None, age: int | None, registered: dt.date) -> dt.date | None:
    """When the child turns 18: from the date of birth, else estimated from the age given at
    registration (the birthday assumed a year after registration, the latest it can be)."""
    if date_of_birth is not None:
        try:
            return date_of_birth.replace(year=date_of_birth.year + MAJORITY)
        except ValueError:  # born on 29 February
            return dt.date(date_of_birth.year + MAJORITY, 3, 1)
    if age is None:
        return None
    return _add_years(registered, MAJORITY - age)


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def turns_18_within(birthday: dt.date | None, today: dt.date, days: int = 90) -> bool:
    """Flag a child who turns 18 soon (or did): the plan must prepare the move to adult services."""
    return birthday is not None and birthday <= today + dt.timedelta(days=days)
