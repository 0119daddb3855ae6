"""SQLAlchemy models, one module per aggregate. Importing this package registers them all."""

from .agency import Agency
from .api_token import ApiToken
from .audit import AuditEvent, AuditHead, AuditPending
from .base import Base, db, utcnow
from .case import Case, CaseAssignment
from .case_note import CaseNote
from .casework import ActionPlan, Assessment, CaseDecision, FollowUp, PlanGoal
from .child_protection import (
    BestInterests,
    CareArrangement,
    CaseLink,
    ChildConcern,
    ChildProfile,
    GraveViolation,
    Separation,
    TracingStep,
)
from .consent import Consent
from .form_draft import FormDraft
from .incident import Incident, Perpetrator
from .keys import DataKeyRecord
from .location import Location
from .login_throttle import LoginThrottle
from .referral import CaseTransfer, Provider, ProviderLocation, ProviderService, Referral, ServiceGap
from .statistics import StatisticsCount, StatisticsState
from .survivor import Survivor
from .user import AGENCY_ROLES, ROLES, User
from .web_session import WebSession

__all__ = [
    "AGENCY_ROLES",
    "ROLES",
    "ActionPlan",
    "BestInterests",
    "CareArrangement",
    "CaseLink",
    "ChildConcern",
    "ChildProfile",
    "GraveViolation",
    "Separation",
    "TracingStep",
    "Agency",
    "Assessment",
    "CaseDecision",
    "FollowUp",
    "PlanGoal",
    "ApiToken",
    "AuditEvent",
    "AuditHead",
    "AuditPending",
    "Base",
    "CaseTransfer",
    "Provider",
    "ProviderLocation",
    "ProviderService",
    "Referral",
    "ServiceGap",
    "StatisticsCount",
    "StatisticsState",
    "Case",
    "CaseAssignment",
    "CaseNote",
    "Consent",
    "FormDraft",
    "DataKeyRecord",
    "Incident",
    "LoginThrottle",
    "WebSession",
    "Location",
    "Perpetrator",
    "Survivor",
    "User",
    "db",
    "utcnow",
]
