"""Consent and assent by age; the PEP and emergency-contraception windows."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gbvims.care import care_windows
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


def test_rape_windows_count_down() -> None:
    incident = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)
    windows = {w.name: w for w in care_windows("rape", incident, incident + dt.timedelta(hours=30))}
    assert windows["pep"].hours_left == 42 and windows["pep"].open
    assert windows["emergency_contraception"].hours_left == 90
    late = {w.name: w for w in care_windows("rape", incident, incident + dt.timedelta(hours=100))}
    assert not late["pep"].open and late["emergency_contraception"].open


def test_no_window_for_other_types() -> None:
    now = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
    assert care_windows("sexual_assault", now, now) == []
