"""Informed consent, versioned: each change is a new row, the latest one is in force.

Consent comes first in the case flow (nothing is recorded without consent to services) and a
withdrawal is a new version that says so; the case's denormalised flags change in the same
transaction, so every list, referral and statistic sees it at once.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crypto.sqla import Ciphertext, EncryptedField

from .base import UTCDateTime, db, utcnow
from .case import Case
from .keys import EncryptedUnderCase
from .user import User


class Consent(db.Model, EncryptedUnderCase):  # type: ignore[name-defined]
    __tablename__ = "consents"
    __table_args__ = (UniqueConstraint("case_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    case: Mapped[Case] = relationship(backref=db.backref("consents", order_by="Consent.version",
                                                         cascade="all, delete-orphan"))
    version: Mapped[int] = mapped_column(Integer)
    services: Mapped[bool] = mapped_column(Boolean)
    reporting: Mapped[bool] = mapped_column(Boolean)
    # {"health": true, ...} over gbvims.options.RELEASE_AREAS.
    release: Mapped[dict[str, bool]] = mapped_column(JSON, default=dict)
    # The organisations named per area: free text, so encrypted under the case's key (JSON).
    _release_to_json: Mapped[bytes | None] = mapped_column("release_to_json", Ciphertext)
    release_to_json = EncryptedField()
    given_by: Mapped[str] = mapped_column(String(16))
    assent: Mapped[str] = mapped_column(String(8), default="none")
    # An adolescent (15–17) consents themself; where safe and in the child's best interest a
    # caregiver consents as well: True/False when asked, None when not (or not applicable).
    caregiver_consent: Mapped[bool | None] = mapped_column(Boolean)
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    recorded_by: Mapped[User] = relationship()
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def release_to(self) -> dict[str, Any]:
        text = self.release_to_json
        return dict(json.loads(text)) if text else {}

    @release_to.setter
    def release_to(self, value: dict[str, Any]) -> None:
        """Needs the row's id (flush first): it is bound into the ciphertext."""
        named = {area: org for area, org in value.items() if org}
        self.release_to_json = json.dumps(named, ensure_ascii=False, sort_keys=True) if named else None

    def allows_release(self, area: str) -> bool:
        return not self.withdrawn and self.services and bool(self.release.get(area))
