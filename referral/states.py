"""The referral state machine (docs/architecture.md, "Referrals"), pure and exhaustively tested.

    draft → sent → accepted | declined(reason)
    accepted → service_delivered | not_delivered(reason)
    declined, service_delivered, not_delivered → closed
    withdrawn: from any state before closure

Each event belongs to one side: the referring caseworker's or the receiving provider's. A service
with no Sutura account answers on paper or by phone, and the caseworker records its answers on its
behalf: the provider's own events, by another hand (``events_on_behalf``) — one state machine.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import IllegalTransition, ReasonRequired

STATES = ("draft", "sent", "accepted", "declined", "service_delivered", "not_delivered", "closed", "withdrawn")
FINAL = frozenset({"closed", "withdrawn"})
# States in which the provider sees the referral in their inbox (its code, service, dates, state).
PROVIDER_VISIBLE = frozenset({"sent", "accepted", "declined", "service_delivered", "not_delivered"})
# States in which the provider still has work to do and so reads what was shared (the packet and
# the caseworker's note). Once they declined or reported the outcome, the packet's key is
# shredded: the caseworker keeps the feedback, the provider keeps nothing identifying.
PACKET_OPEN = frozenset({"draft", "sent", "accepted"})


@dataclass(frozen=True)
class Event:
    name: str
    side: str  # "caseworker" or "provider"
    needs_reason: bool = False


EVENTS = {
    "send": Event("send", "caseworker"),
    "accept": Event("accept", "provider"),
    "decline": Event("decline", "provider", needs_reason=True),
    "deliver": Event("deliver", "provider"),
    "not_deliver": Event("not_deliver", "provider", needs_reason=True),
    "close": Event("close", "caseworker"),
    "withdraw": Event("withdraw", "caseworker"),
}

TRANSITIONS: dict[tuple[str, str], str] = {
    ("draft", "send"): "sent",
    ("sent", "accept"): "accepted",
    ("sent", "decline"): "declined",
    ("accepted", "deliver"): "service_delivered",
    ("accepted", "not_deliver"): "not_delivered",
    ("declined", "close"): "closed",
    ("service_delivered", "close"): "closed",
    ("not_delivered", "close"): "closed",
    **{(state, "withdraw"): "withdrawn" for state in STATES if state not in FINAL},
}

DECLINE_REASONS = ("capacity", "not_offered", "outside_area", "survivor_not_reached", "other")
NOT_DELIVERED_REASONS = ("survivor_did_not_come", "survivor_refused", "stock_out", "other")


def next_state(state: str, event: str, reason: str | None = None) -> str:
    """The state after ``event``; raises IllegalTransition or ReasonRequired."""
    if state not in STATES or event not in EVENTS:
        raise IllegalTransition(state, event)
    try:
        target = TRANSITIONS[(state, event)]
    except KeyError:
        raise IllegalTransition(state, event) from None
    if EVENTS[event].needs_reason and not reason:
        raise ReasonRequired(event)
    return target


def events_from(state: str, side: str) -> list[str]:
    """The events ``side`` may trigger from ``state`` (what the buttons offer)."""
    return [event for (source, event) in TRANSITIONS if source == state and EVENTS[event].side == side]


def events_on_behalf(state: str) -> list[str]:
    """The provider's events the caseworker may record for a service without an account (its
    answer on the printed form's reply slip, or by phone): the same transitions and reasons."""
    return events_from(state, "provider")


# Every event a caseworker may record on a service's behalf, whatever the state.
ON_BEHALF_EVENTS = tuple(name for name, event in EVENTS.items() if event.side == "provider")
