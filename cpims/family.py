"""Rules of best interests, family tracing and reunification, and care arrangements (CPIMS+
practice; Inter-Agency Guidelines on Unaccompanied and Separated Children). Pure rules on codes
and dates: the web layer reads the records, asks these, and words the answers.

- A best interests determination (BID) rests on an assessment (BIA) of the same case; the
  panel's decision other than a plain approval says why.
- Tracing is for a separated or unaccompanied child; a reunification follows a verification
  that recommends it, and is followed up within two weeks.
- A child has one current care arrangement: starting a new one ends the previous one that day,
  and no arrangement ends before it started.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from .options import TRACING_CONCERNS

# Best interests ------------------------------------------------------------------------------

BIA, BID = "bia", "bid"
# A panel decision other than a plain approval is explained in the panel's notes.
PANEL_DECISIONS_WITH_REASONS = frozenset({"modified", "deferred", "rejected"})


def panel_notes_required(decision: str | None) -> bool:
    return decision in PANEL_DECISIONS_WITH_REASONS


def panel_date_valid(panel_date: dt.date, submitted_on: dt.date, today: dt.date) -> bool:
    """A panel decides a determination once it is submitted, and not in the future."""
    return submitted_on <= panel_date <= today


# Family tracing and reunification ------------------------------------------------------------

SEPARATION, ACTION, VERIFICATION, REUNIFICATION = "separation", "action", "verification", "reunification"
TRACING_STEPS = (SEPARATION, ACTION, VERIFICATION, REUNIFICATION)
# Verification recommendations that open the way to a reunification.
RECOMMENDS_REUNIFICATION = frozenset({"reunification", "reunification_support"})
# The first follow-up visit after a reunification is due within this time.
REUNIFICATION_FOLLOW_UP_WITHIN = dt.timedelta(weeks=2)
# A follow-up's purpose (cpims.options.FOLLOW_UP_PURPOSES) that answers a reunification; a
# follow-up whose purpose was not recorded counts too, one recorded for another purpose does not.
AFTER_REUNIFICATION = "after_reunification"


class Step(Protocol):
    """What the rules read of a recorded tracing step (a verification or a reunification)."""

    @property
    def step(self) -> str: ...

    @property
    def date(self) -> dt.date: ...

    @property
    def recommendation(self) -> str | None: ...


S = TypeVar("S", bound=Step)


def tracing_needed(concerns: Iterable[str]) -> bool:
    """Tracing is for a separated or unaccompanied child (other cases may still open it)."""
    return any(concern in TRACING_CONCERNS for concern in concerns)


def _latest(steps: Sequence[S], kind: str) -> S | None:
    """The latest step of ``kind`` by date; among steps of one day, the last recorded
    (``steps`` come in the order they were recorded)."""
    found = [s for s in steps if s.step == kind]
    return sorted(found, key=lambda s: s.date)[-1] if found else None


def reunification_basis(steps: Sequence[S]) -> S | None:
    """The verification a reunification may rest on: the latest verification, if it recommends
    reunification and no reunification has been recorded on or after it. None otherwise."""
    verification = _latest(steps, VERIFICATION)
    if verification is None or verification.recommendation not in RECOMMENDS_REUNIFICATION:
        return None
    reunification = _latest(steps, REUNIFICATION)
    if reunification is not None and reunification.date >= verification.date:
        return None
    return verification


def last_reunification(steps: Sequence[S]) -> S | None:
    return _latest(steps, REUNIFICATION)


@dataclass(frozen=True)
class FollowUpAfterReunification:
    reunified_on: dt.date
    due: dt.date
    done_on: dt.date | None  # the first follow-up that answers the reunification

    def overdue(self, today: dt.date) -> bool:
        return self.done_on is None and today > self.due


def follow_up_after_reunification(
    reunified_on: dt.date, follow_ups: Iterable[tuple[dt.date, str | None]]
) -> FollowUpAfterReunification:
    """When the first follow-up after a reunification is due, and whether one took place:
    ``follow_ups`` are (date, purpose) pairs of the case's follow-ups."""
    answering = sorted(
        day for day, purpose in follow_ups if day >= reunified_on and purpose in (None, AFTER_REUNIFICATION)
    )
    return FollowUpAfterReunification(
        reunified_on=reunified_on,
        due=reunified_on + REUNIFICATION_FOLLOW_UP_WITHIN,
        done_on=answering[0] if answering else None,
    )


# Care arrangements ---------------------------------------------------------------------------


def period_valid(started: dt.date, ended: dt.date | None) -> bool:
    """An arrangement never ends before it started (it may end the day it started)."""
    return ended is None or ended >= started


def may_follow(previous_started: dt.date | None, previous_ended: dt.date | None, new_started: dt.date) -> bool:
    """A new arrangement starts after the latest one: a current one (no end) ends on the new
    start date, so the new one cannot start before it did; an ended one cannot overlap it."""
    if previous_started is None:
        return True
    return new_started >= (previous_ended or previous_started)
