"""The rules of best interests, tracing and reunification, and care arrangements (cpims.family)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from cpims import family, options

D = dt.date(2026, 3, 10)


@dataclass(frozen=True)
class Step:
    step: str
    date: dt.date
    recommendation: str | None = None


def days(n: int) -> dt.date:
    return D + dt.timedelta(days=n)


def test_codes_the_rules_name_are_in_the_lists() -> None:
    assert family.RECOMMENDS_REUNIFICATION <= set(options.VERIFICATION)
    assert family.PANEL_DECISIONS_WITH_REASONS < set(options.BID_DECISIONS)
    assert family.AFTER_REUNIFICATION in options.FOLLOW_UP_PURPOSES
    assert set(family.TRACING_STEPS) == {"separation", "action", "verification", "reunification"}


def test_tracing_is_for_separated_and_unaccompanied_children() -> None:
    assert family.tracing_needed(["neglect", "separated"])
    assert family.tracing_needed(iter(["unaccompanied"]))
    assert not family.tracing_needed(["neglect", "child_labour"])
    assert not family.tracing_needed([])


def test_panel_notes_explain_all_but_a_plain_approval() -> None:
    assert not family.panel_notes_required("approved")
    assert not family.panel_notes_required(None)
    for decision in ("modified", "deferred", "rejected"):
        assert family.panel_notes_required(decision)


def test_the_panel_decides_after_the_submission_and_not_in_the_future() -> None:
    assert family.panel_date_valid(D, D, D)
    assert family.panel_date_valid(days(1), D, days(2))
    assert not family.panel_date_valid(days(-1), D, days(2))
    assert not family.panel_date_valid(days(3), D, days(2))


@pytest.mark.parametrize("recommendation", sorted(family.RECOMMENDS_REUNIFICATION))
def test_a_reunification_rests_on_a_verification_recommending_it(recommendation: str) -> None:
    verification = Step("verification", days(1), recommendation)
    assert family.reunification_basis([Step("action", D), verification]) is verification


def test_no_reunification_without_a_verification_recommending_it() -> None:
    assert family.reunification_basis([]) is None
    assert family.reunification_basis([Step("action", D)]) is None
    assert family.reunification_basis([Step("verification", D, "further_tracing")]) is None
    assert family.reunification_basis([Step("verification", D, "long_term_care")]) is None


def test_the_latest_verification_decides() -> None:
    yes, no = Step("verification", D, "reunification"), Step("verification", days(5), "further_tracing")
    assert family.reunification_basis([yes, no]) is None
    # By date, not by the order recorded: a verification recorded late for an earlier day.
    assert family.reunification_basis([no, yes]) is None
    later = Step("verification", days(9), "reunification_support")
    assert family.reunification_basis([yes, no, later]) is later
    # Two on one day: the last recorded.
    assert family.reunification_basis([Step("verification", D, "further_tracing"), yes]) is yes
    assert family.reunification_basis([yes, Step("verification", D, "further_tracing")]) is None


def test_one_reunification_per_verification() -> None:
    verification = Step("verification", D, "reunification")
    reunified = Step("reunification", days(2))
    assert family.reunification_basis([verification, reunified]) is None
    assert family.last_reunification([verification, reunified]) is reunified
    # The reunification broke down: a new verification opens the way again.
    again = Step("verification", days(30), "reunification")
    assert family.reunification_basis([verification, reunified, again]) is again
    assert family.last_reunification([verification]) is None


def test_follow_up_after_reunification_within_two_weeks() -> None:
    assert family.REUNIFICATION_FOLLOW_UP_WITHIN == dt.timedelta(days=14)
    state = family.follow_up_after_reunification(D, [])
    assert (state.due, state.done_on) == (days(14), None)
    assert not state.overdue(days(14)) and state.overdue(days(15))


def test_which_follow_ups_answer_a_reunification() -> None:
    before = (days(-1), "after_reunification")
    other_purpose = (days(3), "service")
    assert family.follow_up_after_reunification(D, [before, other_purpose]).done_on is None
    answered = family.follow_up_after_reunification(D, [(days(20), None), (days(4), "after_reunification")])
    assert answered.done_on == days(4) and not answered.overdue(days(60))
    assert family.follow_up_after_reunification(D, [(D, None)]).done_on == D


def test_care_periods_never_end_before_they_start() -> None:
    assert family.period_valid(D, None)
    assert family.period_valid(D, D)
    assert family.period_valid(D, days(1))
    assert not family.period_valid(D, days(-1))


def test_a_new_arrangement_follows_the_latest() -> None:
    assert family.may_follow(None, None, D)
    # The current one (no end) ends on the new start date: not before it started.
    assert family.may_follow(D, None, D)
    assert family.may_follow(D, None, days(3))
    assert not family.may_follow(D, None, days(-1))
    # An ended one: no overlap.
    assert family.may_follow(D, days(5), days(5))
    assert not family.may_follow(D, days(5), days(4))
