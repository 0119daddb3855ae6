"""Cases: one survivor's file, owned by a caseworker of an agency, encrypted under its own key."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .agency import Agency
from .base import UTCDateTime, db, new_uuid, utcnow
from .keys import HasEncryptedFields
from .user import User

if TYPE_CHECKING:
    from .consent import Consent

KINDS = ("gbv", "cp")
STATUSES = ("open", "closed")
# Interagency GBV Case Management Guidelines, in order.
STAGES = ("engagement", "assessment", "action_plan", "implementation", "follow_up", "closure")
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud on a phone


def new_case_code(kind: str, year: int) -> str:
    """Random, non-identifying and non-sequential (a sequence would leak caseload and order)."""
    return f"{kind.upper()}-{year}-" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(6))


class Case(db.Model, HasEncryptedFields):  # type: ignore[name-defined]
    __tablename__ = "cases"
    DATA_KEY_OWNER = "case"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    kind: Mapped[str] = mapped_column(String(8), index=True)
    case_code: Mapped[str] = mapped_column(String(24), unique=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    agency: Mapped[Agency] = relationship(lazy="joined")
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    owner: Mapped[User] = relationship(lazy="joined")
    status: Mapped[str] = mapped_column(String(12), default="open", index=True)
    stage: Mapped[str] = mapped_column(String(20), default="engagement")
    risk_level: Mapped[str | None] = mapped_column(String(8), index=True)
    location_code: Mapped[str | None] = mapped_column(ForeignKey("locations.code"), index=True)
    region_code: Mapped[str | None] = mapped_column(String(32), index=True)  # for filters and statistics
    # Denormalised from the current consent, so lists and statistics filter in SQL.
    consent_services: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_reporting: Mapped[bool] = mapped_column(Boolean, default=False)
    next_follow_up: Mapped[dt.date | None] = mapped_column(Date, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    purged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    assignments: Mapped[list[CaseAssignment]] = relationship(back_populates="case", cascade="all, delete-orphan",
                                                             lazy="selectin")

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("id", new_uuid())
        super().__init__(**kwargs)

    @property
    def assigned_user_ids(self) -> set[str]:
        return {a.user_id for a in self.assignments}

    @property
    def current_consent(self) -> Consent | None:
        """The consent in force: the latest version (a change adds a version, none is edited)."""
        versions: list[Consent] = self.consents  # a backref declared in models/consent.py
        return versions[-1] if versions else None


class CaseAssignment(db.Model):  # type: ignore[name-defined]
    """Caseworkers other than the owner who work on the case."""

    __tablename__ = "case_assignments"
    __table_args__ = (UniqueConstraint("case_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    case: Mapped[Case] = relationship(back_populates="assignments")
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    user: Mapped[User] = relationship(lazy="joined")
    assigned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
