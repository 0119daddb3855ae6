"""Dated case notes: what happened, in the caseworker's words, encrypted under the case's key."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crypto.sqla import Ciphertext, EncryptedField

from .base import UTCDateTime, UuidRow, db, new_uuid, utcnow
from .case import Case
from .keys import EncryptedUnderCase
from .user import User


class CaseNote(UuidRow, db.Model, EncryptedUnderCase):  # type: ignore[name-defined]
    __tablename__ = "case_notes"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    case: Mapped[Case] = relationship(backref=db.backref("notes", order_by="CaseNote.date",
                                                         cascade="all, delete-orphan"))
    date: Mapped[dt.date] = mapped_column(Date)
    created_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_by: Mapped[User] = relationship()
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    _text: Mapped[bytes | None] = mapped_column("text", Ciphertext)
    text = EncryptedField()
