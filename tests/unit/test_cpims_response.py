"""Child protection response times: defaults from the reference, a deployment's overrides, the
clocks' arithmetic (review every month for high risk, three months otherwise; turning 18)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpims.response import (
    DEFAULT_RESPONSE_TIMES,
    eighteenth_birthday,
    first_action_due,
    next_review,
    response_times,
    turns_18_within,
)


def test_the_defaults_are_the_references() -> None:
    high, medium, low = (DEFAULT_RESPONSE_TIMES[level] for level in ("high", "medium", "low"))
    assert high.assign_within == dt.timedelta(hours=1) and high.act_within == dt.timedelta(hours=24)
    assert medium.act_within == dt.timedelta(days=3) and low.act_within == dt.timedelta(weeks=1)
    assert high.review_every < medium.review_every <= dt.timedelta(days=92)


def test_overrides_change_only_what_they_name() -> None:
    times = response_times({"high": {"act_within": 12}})
    assert times["high"].act_within == dt.timedelta(hours=12)
    assert times["high"].assign_within == dt.timedelta(hours=1) and times["low"] == DEFAULT_RESPONSE_TIMES["low"]


@pytest.mark.parametrize(
    "overrides",
    [{"urgent": {"act_within": 1}}, {"high": {"act_in": 1}}, {"high": {"act_within": 0}}, {"high": {"act_within": -3}}],
)
def test_a_bad_override_is_refused(overrides) -> None:
    with pytest.raises(ValueError):
        response_times(overrides)


def test_first_action_due_follows_the_risk() -> None:
    registered = dt.datetime(2026, 11, 30, 8, tzinfo=dt.UTC)
    assert first_action_due(registered, "high", DEFAULT_RESPONSE_TIMES) == registered + dt.timedelta(hours=24)
    assert first_action_due(registered, "low", DEFAULT_RESPONSE_TIMES) == registered + dt.timedelta(days=7)


@given(
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 1, 1)), st.sampled_from(["high", "medium", "low"])
)
def test_a_review_is_never_more_than_three_months_away(day: dt.date, level: str) -> None:
    due = next_review(day, level, DEFAULT_RESPONSE_TIMES)
    assert day < due <= day + dt.timedelta(days=92)
    assert next_review(day, "high", DEFAULT_RESPONSE_TIMES) <= next_review(day, "low", DEFAULT_RESPONSE_TIMES)


def test_turning_18() -> None:
    assert eighteenth_birthday(dt.date(2009, 3, 1), None, dt.date(2026, 1, 1)) == dt.date(2027, 3, 1)
    assert eighteenth_birthday(dt.date(2008, 2, 29), None, dt.date(2026, 1, 1)) == dt.date(2026, 3, 1)
    # From an age only, the latest the birthday can be: a year after registration at 17.
    assert eighteenth_birthday(None, 17, dt.date(2026, 5, 10)) == dt.date(2027, 5, 10)
    assert eighteenth_birthday(None, None, dt.date(2026, 5, 10)) is None
    assert turns_18_within(dt.date(2027, 1, 15), dt.date(2026, 11, 30), 90)
    assert not turns_18_within(dt.date(2027, 6, 1), dt.date(2026, 11, 30), 90)
    assert not turns_18_within(None, dt.date(2026, 11, 30), 90)
