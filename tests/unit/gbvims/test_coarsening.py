"""Coarsening keeps every band the statistics count by, and nothing finer."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from gbvims.coarsening import coarse_age, coarse_dates, coarse_delay, coarse_moment


def age_cell(age: int) -> tuple[str, bool]:
    """The GBVIMS age band and the adolescent flag, as gbvims/aggregates.py counts them."""
    band = "0-11" if age <= 11 else "12-17" if age <= 17 else "18-49" if age <= 49 else "50+"
    return band, 10 <= age <= 19


def delay_band(days: int) -> str:
    return "0-3" if days <= 3 else "4-5" if days <= 5 else "6-14" if days <= 14 else "15-30" if days <= 30 else "31+"


@given(st.integers(0, 120))
def test_an_age_keeps_its_band_and_adolescence(age: int) -> None:
    kept = coarse_age(age)
    assert kept is not None and age_cell(kept) == age_cell(age)


def test_ages_collapse_to_six_values() -> None:
    assert {coarse_age(a) for a in range(121)} == {0, 10, 12, 18, 20, 50}
    assert coarse_age(None) is None


@given(st.dates(dt.date(2015, 1, 1), dt.date(2030, 12, 31)), st.integers(0, 800))
def test_dates_keep_the_interview_month_and_the_delay_band(interview: dt.date, days: int) -> None:
    incident = interview - dt.timedelta(days=days)
    kept_incident, kept_interview = coarse_dates(incident, interview)
    assert kept_interview == interview.replace(day=1)
    assert delay_band((kept_interview - kept_incident).days) == delay_band(days)
    assert coarse_delay(days) in (0, 4, 6, 15, 31)


def test_a_moment_keeps_its_month_only() -> None:
    moment = dt.datetime(2026, 11, 17, 21, 42, 5, tzinfo=dt.UTC)
    assert coarse_moment(moment) == dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
