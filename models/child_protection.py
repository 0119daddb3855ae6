"""What a child protection case records beyond the case core (CPIMS+ practice): the child's
protection profile and response clock, best interests (BIA, BID), family tracing and
reunification, care arrangements, the MRM grave violations a case documents, and links between
a child's GBV and CP cases. Free text is encrypted under the case's key; codes and dates stay
plain, so the CP and MRM statistics count them without any key."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crypto.sqla import Ciphertext, EncryptedField

from .base import UTCDateTime, UuidRow, db, new_uuid, utcnow
from .case import Case
from .keys import EncryptedUnderCase
from .user import User


class ChildProfile(UuidRow, db.Model):  # type: ignore[name-defined]
    """One per CP case: the protection concerns, the urgent flag and the response clock."""

    __tablename__ = "child_profiles"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    case: Mapped[Case] = relationship(
        backref=db.backref("child_profile", uselist=False, lazy="joined", cascade="all, delete-orphan")
    )
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    # Why no caregiver is named (None when one is): a CP case says which, never leaves it blank.
    no_caregiver_reason: Mapped[str | None] = mapped_column(String(32))
    # The response clock (cpims.response): set from the risk level at registration and on change.
    first_action_due: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    first_action_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    next_review: Mapped[dt.date | None] = mapped_column(Date, index=True)
    turns_18_on: Mapped[dt.date | None] = mapped_column(Date, index=True)


class ChildConcern(db.Model):  # type: ignore[name-defined]
    """One protection concern of a CP case (several may apply): a row each, so the statistics
    count cases per concern with a GROUP BY and no key."""

    __tablename__ = "child_concerns"
    __table_args__ = (UniqueConstraint("case_id", "concern"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    case: Mapped[Case] = relationship(
        backref=db.backref(
            "child_concerns", order_by="ChildConcern.concern", cascade="all, delete-orphan", lazy="selectin"
        )
    )
    concern: Mapped[str] = mapped_column(String(32), index=True)


class BestInterests(UuidRow, db.Model, EncryptedUnderCase):  # type: ignore[name-defined]
    """A Best Interests Assessment, or a Best Interests Determination submitted to a panel
    (``kind`` "bia" or "bid"; a BID rests on a BIA)."""

    __tablename__ = "best_interests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    case: Mapped[Case] = relationship(
        backref=db.backref("best_interests", order_by="BestInterests.created_at", cascade="all, delete-orphan")
    )
    kind: Mapped[str] = mapped_column(String(4))
    assessment_id: Mapped[str | None] = mapped_column(ForeignKey("best_interests.id"))  # the BIA of a BID
    priority: Mapped[str | None] = mapped_column(String(12))
    recommendation: Mapped[str] = mapped_column(String(24))
    created_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    _child_views: Mapped[bytes | None] = mapped_column("child_views", Ciphertext)
    child_views = EncryptedField()
    _summary: Mapped[bytes | None] = mapped_column("summary", Ciphertext)
    summary = EncryptedField()
    # The panel's decision on a BID.
    panel_decision: Mapped[str | None] = mapped_column(String(12))
    panel_date: Mapped[dt.date | None] = mapped_column(Date)
    decided_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    _panel_notes: Mapped[bytes | None] = mapped_column("panel_notes", Ciphertext)
    panel_notes = EncryptedField()


class Separation(UuidRow, db.Model, EncryptedUnderCase):  # type: ignore[name-defined]
    """How a separated or unaccompanied child lost their family: where tracing starts."""

    __tablename__ = "separations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    case: Mapped[Case] = relationship(backref=db.backref("separation", uselist=False, cascade="all, delete-orphan"))
    date: Mapped[dt.date | None] = mapped_column(Date)
    cause: Mapped[str] = mapped_column(String(24))
    _place: Mapped[bytes | None] = mapped_column("place", Ciphertext)
    place = EncryptedField()
    # Who the child is looking for: names of parents and relatives are identifying.
    _sought: Mapped[bytes | None] = mapped_column("sought", Ciphertext)
    sought = EncryptedField()


class TracingStep(UuidRow, db.Model, EncryptedUnderCase):  # type: ignore[name-defined]
    """A tracing action and its result, a verification, or the reunification itself."""

    __tablename__ = "tracing_steps"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    case: Mapped[Case] = relationship(
        backref=db.backref("tracing_steps", order_by="TracingStep.date", cascade="all, delete-orphan")
    )
    step: Mapped[str] = mapped_column(String(16))  # "action", "verification" or "reunification"
    date: Mapped[dt.date] = mapped_column(Date)
    action: Mapped[str | None] = mapped_column(String(16))  # cpims.options.TRACING_ACTIONS
    outcome: Mapped[str | None] = mapped_column(String(16))  # TRACING_OUTCOMES
    recommendation: Mapped[str | None] = mapped_column(String(24))  # VERIFICATION
    reunification_type: Mapped[str | None] = mapped_column(String(20))  # REUNIFICATION_TYPES
    recorded_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    _notes: Mapped[bytes | None] = mapped_column("notes", Ciphertext)
    notes = EncryptedField()


class CareArrangement(UuidRow, db.Model, EncryptedUnderCase):  # type: ignore[name-defined]
    """Where and with whom the child lives; the current one has no end date."""

    __tablename__ = "care_arrangements"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    case: Mapped[Case] = relationship(
        backref=db.backref("care_arrangements", order_by="CareArrangement.started", cascade="all, delete-orphan")
    )
    arrangement: Mapped[str] = mapped_column(String(24))
    started: Mapped[dt.date] = mapped_column(Date)
    ended: Mapped[dt.date | None] = mapped_column(Date)
    recorded_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    _carer: Mapped[bytes | None] = mapped_column("carer", Ciphertext)
    carer = EncryptedField()
    _notes: Mapped[bytes | None] = mapped_column("notes", Ciphertext)
    notes = EncryptedField()


class GraveViolation(UuidRow, db.Model, EncryptedUnderCase):  # type: ignore[name-defined]
    """A grave violation (MRM) the case documents: codes and a date only, plus the case's
    agency, region and consent to statistics copied so the MRM counts need no join to a
    record. No verification here: that stays with the country task force."""

    __tablename__ = "grave_violations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    case: Mapped[Case] = relationship(
        backref=db.backref("grave_violations", order_by="GraveViolation.date", cascade="all, delete-orphan")
    )
    violation: Mapped[str] = mapped_column(String(32), index=True)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    perpetrator: Mapped[str] = mapped_column(String(24))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    region_code: Mapped[str | None] = mapped_column(String(32))
    reporting_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseLink(db.Model):  # type: ignore[name-defined]
    """A child's GBV case and CP case are the same child's: each side sees the link only when
    the other case is in its own scope (app/policy.py)."""

    __tablename__ = "case_links"
    __table_args__ = (UniqueConstraint("gbv_case_id", "cp_case_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    gbv_case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    cp_case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
