"""Response times: when a referral is due, by configurable rules (docs/gbvims.md §5).

Rape within 72 hours of the incident → a health referral is due at once (PEP); within 120 hours
→ due before the emergency-contraception window closes; high urgency → 24 hours; otherwise 3 days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# A referral's urgency: "high" is due within Rules.high_urgency, "normal" within Rules.default.
URGENCIES = ("normal", "high")


@dataclass(frozen=True)
class Rules:
    immediate: dt.timedelta = dt.timedelta(hours=1)
    pep_window: dt.timedelta = dt.timedelta(hours=72)
    ec_window: dt.timedelta = dt.timedelta(hours=120)
    high_urgency: dt.timedelta = dt.timedelta(hours=24)
    default: dt.timedelta = dt.timedelta(days=3)


def due_at(
    sent_at: dt.datetime, service_type: str, urgency: str, rape_at: dt.datetime | None, rules: Rules = Rules()
) -> dt.datetime:  # noqa: B008 — an immutable default
    """The latest time the provider should act; the earliest rule that applies wins."""
    candidates = [sent_at + (rules.high_urgency if urgency == "high" else rules.default)]
    if service_type == "health" and rape_at is not None:
        since = sent_at - rape_at
        if since < rules.pep_window:
            candidates.append(sent_at + rules.immediate)
        elif since < rules.ec_window:
            candidates.append(rape_at + rules.ec_window)
    return min(candidates)


def is_overdue(due: dt.datetime, now: dt.datetime, state: str) -> bool:
    return state == "sent" and now > due
