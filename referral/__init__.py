"""Referral pathways: service directory queries, the referral state machine, consent packets and
response-time (SLA) rules (docs/architecture.md, "Referrals"). Plain Python, no Flask import."""

from .errors import ConsentMissing, IllegalTransition, ReasonRequired, ReferralError
from .packet import CONSENT_AREA, PACKET_FIELDS, SERVICE_TYPES, check_share, consent_area
from .sla import URGENCIES, Rules, due_at, is_overdue
from .states import EVENTS, FINAL, STATES, TRANSITIONS, events_from, next_state

__all__ = [
    "CONSENT_AREA",
    "EVENTS",
    "FINAL",
    "PACKET_FIELDS",
    "SERVICE_TYPES",
    "STATES",
    "TRANSITIONS",
    "URGENCIES",
    "ConsentMissing",
    "IllegalTransition",
    "ReasonRequired",
    "ReferralError",
    "Rules",
    "check_share",
    "consent_area",
    "due_at",
    "events_from",
    "is_overdue",
    "next_state",
]
