"""Case management after registration (Interagency GBV Case Management Guidelines): assessment,
case action plan with its goals, follow-ups, closure and purge requests with a supervisor's
decision. Free text is encrypted under the case's key; codes and dates stay plain."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crypto.sqla import Ciphertext, EncryptedField
from gbvims.options import RELEASE_AREAS

from .base import UTCDateTime, UuidRow, db, new_uuid, utcnow
from .case import Case
from .keys import EncryptedUnderCase
from .user import User

ASSESSMENT_AREAS = ("safety", "health", "psychosocial", "legal", "practical")
PLAN_STATUSES = ("draft", "submitted", "approved", "rejected")
GOAL_STATUSES = ("not_started", "in_progress", "done")
# A plan's goals are in the areas the survivor can be referred for, plus safety and child protection.
GOAL_AREAS = (*RELEASE_AREAS, "safety", "child_protection")
DECISION_STATUSES = ("pending", "approved", "rejected")
CLOSURE_REASONS = ("needs_met", "survivor_request", "no_contact", "left_area", "transferred", "other")
CLOSURE_CHECKLIST = (
    "needs_met", "no_contact_30_days", "survivor_asked_to_close", "safety_plan_reviewed", "told_can_come_back",
    "supervisor_reviewed_file",
)



class Assessment(UuidRow, db.Model, EncryptedUnderCase):  # type: ignore[name-defined]
    __tablename__ = "assessments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    case: Mapped[Case] = relationship(backref=db.backref("assessments", order_by="Assessment.created_at",
                                                         cascade="all, delete-orphan"))
    created_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_by: Mapped[User] = relationship()
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    needs: Mapped[dict[str, bool]] = mapped_column(JSON, default=dict)
    risk_level: Mapped[str] = mapped_column(String(8))
    _summary: Mapped[bytes | None] = mapped_column("summary", Ciphertext)
    summary = EncryptedField()
    _safety_plan: Mapped[bytes | None] = mapped_column("safety_plan", Ciphertext)
    safety_plan = EncryptedField()


class ActionPlan(UuidRow, db.Model, EncryptedUnderCase):  # type: ignore[name-defined]
    __tablename__ = "action_plans"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    case: Mapped[Case] = relationship(backref=db.backref("plans", order_by="ActionPlan.version",
                                                         cascade="all, delete-orphan"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    created_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    _decision_comment: Mapped[bytes | None] = mapped_column("decision_comment", Ciphertext)
    decision_comment = EncryptedField()
    goals: Mapped[list[PlanGoal]] = relationship(back_populates="plan", cascade="all, delete-orphan",
                                                 order_by="PlanGoal.position", lazy="selectin")


class PlanGoal(UuidRow, db.Model, EncryptedUnderCase):  # type: ignore[name-defined]
    __tablename__ = "plan_goals"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    plan_id: Mapped[str] = mapped_column(ForeignKey("action_plans.id", ondelete="CASCADE"), index=True)
    plan: Mapped[ActionPlan] = relationship(back_populates="goals")
    position: Mapped[int] = mapped_column(Integer, default=0)
    area: Mapped[str] = mapped_column(String(24))
    _goal: Mapped[bytes | None] = mapped_column("goal", Ciphertext)
    goal = EncryptedField()
    _responsible: Mapped[bytes | None] = mapped_column("responsible", Ciphertext)
    responsible = EncryptedField()
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="not_started")
    # A child protection plan row also names the service, the provider and the timeframe.
    service_type: Mapped[str | None] = mapped_column(String(24))
    provider_id: Mapped[str | None] = mapped_column(ForeignKey("providers.id"))
    timeframe: Mapped[str | None] = mapped_column(String(12))

    @property
    def case(self) -> Case:
        return self.plan.case


class FollowUp(UuidRow, db.Model, EncryptedUnderCase):  # type: ignore[name-defined]
    __tablename__ = "follow_ups"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    case: Mapped[Case] = relationship(backref=db.backref("follow_ups", order_by="FollowUp.date",
                                                         cascade="all, delete-orphan"))
    created_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_by: Mapped[User] = relationship()
    date: Mapped[dt.date] = mapped_column(Date)
    risk_level: Mapped[str] = mapped_column(String(8))
    progress: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # goal id → goal status
    recommend_closure: Mapped[bool] = mapped_column(default=False)
    # Child protection: what the visit was for (cpims.options.FOLLOW_UP_PURPOSES); a "review"
    # resets the review clock.
    purpose: Mapped[str | None] = mapped_column(String(24))
    _notes: Mapped[bytes | None] = mapped_column("notes", Ciphertext)
    notes = EncryptedField()


class CaseDecision(UuidRow, db.Model, EncryptedUnderCase):  # type: ignore[name-defined]
    """A request that needs a supervisor: closing the case, or purging it (right to be forgotten)."""

    __tablename__ = "case_decisions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    case: Mapped[Case] = relationship(backref=db.backref("decisions", order_by="CaseDecision.requested_at",
                                                         cascade="all, delete-orphan"))
    kind: Mapped[str] = mapped_column(String(12))  # "closure" or "purge"
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    reason: Mapped[str | None] = mapped_column(String(24))
    checklist: Mapped[dict[str, bool]] = mapped_column(JSON, default=dict)
    requested_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    _comment: Mapped[bytes | None] = mapped_column("comment", Ciphertext)
    comment = EncryptedField()
