"""Consent and assent by age; the PEP and emergency-contraception windows."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gbvims.care import CARE_HOURS, care_windows, incident_time, parse_hhmm, time_of_day_of
from gbvims.consent import consent_problems, rule_for_age


@pytest.mark.parametrize(
    ("age", "consent_from", "assent"),
    [
        (0, {"caregiver", "trusted_adult", "caseworker"}, "none"),
        (5, {"caregiver", "trusted_adult", "caseworker"}, "none"),
        (6, {"caregiver", "trusted_adult", "caseworker"}, "oral"),
        (11, {"caregiver", "trusted_adult", "caseworker"}, "oral"),
        (12, {"caregiver", "trusted_adult", "caseworker"}, "written"),
        (14, {"caregiver", "trusted_adult", "caseworker"}, "written"),
        (15, {"survivor"}, "none"),
        (17, {"survivor"}, "none"),
        (18, {"survivor"}, "none"),
        (70, {"survivor"}, "none"),
    ],
)
def test_bands(age, consent_from, assent) -> None:
    rule = rule_for_age(age)
    assert set(rule.consent_from) == consent_from and rule.assent == assent


def test_invalid_consents_are_explained() -> None:
    assert consent_problems(30, "survivor", "none") == []
    assert consent_problems(30, "caregiver", "none")  # an adult consents for herself
    assert consent_problems(8, "caregiver", "none")  # the child's assent is missing
    assert consent_problems(8, "caregiver", "oral") == []
    assert consent_problems(13, "caregiver", "oral")  # written assent needed at 12–14
    assert consent_problems(13, "trusted_adult", "written") == []
    assert consent_problems(16, "caregiver", "none")  # 15–17 consent themselves


@given(st.integers(0, 120))
def test_every_age_has_exactly_one_rule(age: int) -> None:
    rule = rule_for_age(age)
    assert rule.consent_from and rule.assent in ("none", "oral", "written")
    assert ("survivor" in rule.consent_from) == (age >= 15)


def test_negative_age_is_refused() -> None:
    with pytest.raises(ValueError):
        rule_for_age(-1)


BAMAKO = ZoneInfo("Africa/Bamako")
LAGOS = ZoneInfo("Africa/Lagos")  # UTC+1: the clock is local, not UTC


def test_a_rape_at_a_known_time_30_hours_ago_leaves_42_hours_of_pep() -> None:
    when = incident_time(dt.date(2026, 11, 27), "21:30", None, BAMAKO)
    now = dt.datetime(2026, 11, 29, 3, 30, tzinfo=BAMAKO)  # 30 hours later
    windows = {w.care: w for w in care_windows("rape", when)}
    assert windows["pep"].hours_left(now) == 42 and windows["pep"].state(now) == "open"
    assert windows["ec"].hours_left(now) == 90
    assert windows["pep"].earliest_close == windows["pep"].closes_at
    later = now + dt.timedelta(hours=42)
    assert windows["pep"].state(later) == "closed" and windows["ec"].state(later) == "open"


def test_the_clock_is_local_time_of_the_deployment() -> None:
    when = incident_time(dt.date(2026, 11, 27), "21:30", None, LAGOS)
    assert when.earliest == dt.datetime(2026, 11, 27, 20, 30, tzinfo=dt.UTC)


def test_a_rape_two_days_ago_in_the_evening_keeps_its_pep_window() -> None:
    """The bug found in the field: evening, two days ago, time unknown — PEP may still help."""
    when = incident_time(dt.date(2026, 11, 27), None, "evening_night", BAMAKO)
    now = dt.datetime(2026, 11, 30, 8, 0, tzinfo=BAMAKO)  # 80 h after midnight, 56 h after 20:00
    pep = next(w for w in care_windows("rape", when) if w.care == "pep")
    assert pep.state(now) == "maybe_open" and 15 < pep.hours_left(now) < 17


def test_time_of_day_of_an_exact_time() -> None:
    assert time_of_day_of(dt.time(7, 0)) == "morning"
    assert time_of_day_of(dt.time(13, 0)) == "afternoon"
    assert time_of_day_of(dt.time(21, 30)) == "evening_night"
    assert time_of_day_of(dt.time(2, 0)) == "evening_night"
    with pytest.raises(ValueError):
        parse_hhmm("25:00")
    with pytest.raises(ValueError):
        parse_hhmm("9h30")


@given(
    day=st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)),
    minute=st.integers(0, 24 * 60 - 1),
    known=st.sampled_from(["exact", "time_of_day", "unknown"]),
    after=st.integers(0, 200 * 60),
)
def test_an_uncertain_time_never_closes_a_window_early(day, minute, known, after) -> None:
    """Whatever the true moment of the rape within what was recorded, a window that is still
    open for that moment is never reported closed — and one reported open truly is."""
    truth = dt.datetime.combine(day, dt.time(minute // 60, minute % 60), BAMAKO)
    clock = truth.time()
    if known == "exact":
        when = incident_time(day, clock.strftime("%H:%M"), None, BAMAKO)
    elif known == "time_of_day":
        part = time_of_day_of(clock)
        when = incident_time(day, None, part, BAMAKO)
    else:
        when = incident_time(day, None, None, BAMAKO)
    assert when.earliest <= truth <= when.latest
    now = truth + dt.timedelta(minutes=after)
    for window in care_windows("rape", when):
        truly_open = now < truth + dt.timedelta(hours=CARE_HOURS[window.care])
        state = window.state(now)
        if truly_open:
            assert state != "closed"
        if state == "open":
            assert truly_open
        if state == "closed":
            assert not truly_open


def test_no_window_for_other_types() -> None:
    when = incident_time(dt.date(2026, 11, 30), None, None, BAMAKO)
    assert care_windows("sexual_assault", when) == []
