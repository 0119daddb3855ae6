"""The referral state machine over every (state, event) pair; response times; consent packets."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from referral import (
    EVENTS,
    STATES,
    ConsentMissing,
    IllegalTransition,
    ReasonRequired,
    check_share,
    due_at,
    events_from,
    is_overdue,
    next_state,
)

# Written out by hand from docs/architecture.md ("Referrals"), independently of the implementation's table.
EXPECTED = {
    ("draft", "send"): "sent",
    ("draft", "withdraw"): "withdrawn",
    ("sent", "accept"): "accepted",
    ("sent", "decline"): "declined",
    ("sent", "withdraw"): "withdrawn",
    ("accepted", "deliver"): "service_delivered",
    ("accepted", "not_deliver"): "not_delivered",
    ("accepted", "withdraw"): "withdrawn",
    ("declined", "close"): "closed",
    ("declined", "withdraw"): "withdrawn",
    ("service_delivered", "close"): "closed",
    ("service_delivered", "withdraw"): "withdrawn",
    ("not_delivered", "close"): "closed",
    ("not_delivered", "withdraw"): "withdrawn",
}


@pytest.mark.parametrize(("state", "event"), list(itertools.product(STATES, EVENTS)))
def test_every_pair(state: str, event: str) -> None:
    if (state, event) in EXPECTED:
        assert next_state(state, event, reason="capacity") == EXPECTED[(state, event)]
    else:
        with pytest.raises(IllegalTransition):
            next_state(state, event, reason="capacity")


@pytest.mark.parametrize("event", ["decline", "not_deliver"])
def test_reasons_are_required(event: str) -> None:
    state = "sent" if event == "decline" else "accepted"
    with pytest.raises(ReasonRequired):
        next_state(state, event)


def test_unknown_states_and_events() -> None:
    for state, event in (("lost", "send"), ("draft", "teleport")):
        with pytest.raises(IllegalTransition):
            next_state(state, event)


def test_each_side_gets_its_own_buttons() -> None:
    assert events_from("sent", "provider") == ["accept", "decline"]
    assert events_from("sent", "caseworker") == ["withdraw"]
    assert events_from("accepted", "provider") == ["deliver", "not_deliver"]
    assert set(events_from("service_delivered", "caseworker")) == {"close", "withdraw"}
    assert events_from("closed", "caseworker") == events_from("withdrawn", "provider") == []


SENT = dt.datetime(2026, 11, 30, 8, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("service", "urgency", "rape_hours_ago", "due_in"),
    [
        ("health", "normal", 10, dt.timedelta(hours=1)),  # PEP: at once
        ("health", "normal", 71, dt.timedelta(hours=1)),
        ("health", "normal", 100, dt.timedelta(hours=20)),  # EC: before 120 h
        ("health", "normal", 130, dt.timedelta(days=3)),
        ("psychosocial", "normal", 10, dt.timedelta(days=3)),  # the rape rule is for health
        ("legal", "high", None, dt.timedelta(hours=24)),
        ("shelter", "normal", None, dt.timedelta(days=3)),
    ],
)
def test_due_times(service, urgency, rape_hours_ago, due_in) -> None:
    rape_at = None if rape_hours_ago is None else SENT - dt.timedelta(hours=rape_hours_ago)
    assert due_at(SENT, service, urgency, rape_at) == SENT + due_in


def test_overdue_only_while_waiting_for_an_answer() -> None:
    due = SENT + dt.timedelta(hours=1)
    later = SENT + dt.timedelta(hours=2)
    assert is_overdue(due, later, "sent") and not is_overdue(due, later, "accepted")


def test_packet_needs_consent_for_the_service_area() -> None:
    release = {"health": True, "legal": False}
    assert check_share(["given_name", "phone", "phone"], "health", release, True, False) == ["given_name", "phone"]
    with pytest.raises(ConsentMissing):
        check_share(["given_name"], "legal", release, True, False)
    with pytest.raises(ConsentMissing):
        check_share(["given_name"], "health", release, True, True)  # withdrawn
    with pytest.raises(ConsentMissing):
        check_share([], "health", release, False, False)  # no consent to services at all
    with pytest.raises(ValueError):
        check_share(["account_of_incident"], "health", release, True, False)


from referral.directory import Candidate, ancestors, serves, suggest  # noqa: E402

TREE = {"ML-7": None, "ML-7-03": "ML-7", "ML-7-03-01": "ML-7-03", "ML-8": None, "ML-8-02": "ML-8"}


def candidate(name: str, *locations: str, services=("health",), children=True, active=True) -> Candidate:
    return Candidate(
        id=name,
        name=name,
        service_types=frozenset(services),
        location_codes=frozenset(locations),
        serves_children=children,
        active=active,
    )


def test_ancestors_nearest_first() -> None:
    assert ancestors("ML-7-03-01", TREE) == ["ML-7-03-01", "ML-7-03", "ML-7"]
    assert ancestors(None, TREE) == []


def test_suggestions_closest_level_first_and_only_fitting_providers() -> None:
    providers = [
        candidate("Regional hospital", "ML-7"),
        candidate("Cercle clinic", "ML-7-03"),
        candidate("Commune post", "ML-7-03-01"),
        candidate("Kidal clinic", "ML-8-02"),
        candidate("Legal clinic", "ML-7-03", services=("legal",)),
        candidate("Closed clinic", "ML-7-03", active=False),
        candidate("Adults only", "ML-7-03", children=False),
    ]
    adult = [m.candidate.name for m in suggest(providers, "health", "ML-7-03-01", TREE, child=False)]
    assert adult == ["Commune post", "Adults only", "Cercle clinic", "Regional hospital"]
    child = [m.candidate.name for m in suggest(providers, "health", "ML-7-03-01", TREE, child=True)]
    assert "Adults only" not in child
    assert suggest(providers, "shelter", "ML-7-03", TREE, child=False) == []  # a gap
    assert not serves(providers[3], "health", "ML-7-03", TREE, child=False)
