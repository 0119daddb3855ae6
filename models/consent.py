"""Informed consent, versioned: each change is a new row, the latest one is in force.

Consent comes first in the case flow (nothing is recorded without consent to services) and a
withdrawal is a new version that says so; the case's denormalised flags change in the same
transaction, so every list, referral and statistic sees it at once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, db, utcnow
from .case import Case
from .user import User


class Consent(db.Model):  # type: ignore[name-defined]
    __tablename__ = "consents"
    __table_args__ = (UniqueConstraint("case_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    case: Mapped[Case] = relationship(backref=db.backref("consents", order_by="Consent.version",
                                                         cascade="all, delete-orphan"))
    version: Mapped[int] = mapped_column(Integer)
    services: Mapped[bool] = mapped_column(Boolean)
    reporting: Mapped[bool] = mapped_column(Boolean)
    # {"health": true, ...} over gbvims.options.RELEASE_AREAS; organisations named per area.
    release: Mapped[dict[str, bool]] = mapped_column(JSON, default=dict)
    release_to: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    given_by: Mapped[str] = mapped_column(String(16))
    assent: Mapped[str] = mapped_column(String(8), default="none")
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    recorded_by: Mapped[User] = relationship()
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    def allows_release(self, area: str) -> bool:
        return not self.withdrawn and self.services and bool(self.release.get(area))
