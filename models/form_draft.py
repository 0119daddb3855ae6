"""A long form saved as the caseworker goes (registration, incident): a dropped connection on a
slow field network loses nothing. The draft is encrypted under its own data key, shredded when
the form is submitted or discarded, so an abandoned draft leaves nothing readable behind."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crypto.sqla import Ciphertext, EncryptedField

from .base import UTCDateTime, UuidRow, db, new_uuid, utcnow
from .keys import HasEncryptedFields

FORMS = ("registration", "incident")


class FormDraft(UuidRow, db.Model, HasEncryptedFields):  # type: ignore[name-defined]
    __tablename__ = "form_drafts"
    __table_args__ = (UniqueConstraint("user_id", "form", "case_key"),)
    DATA_KEY_OWNER = "draft"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    form: Mapped[str] = mapped_column(String(16))  # one of FORMS
    # The case the form is for (the kind of case, "gbv" or "cp", for a registration): one draft
    # per user, form and case.
    case_key: Mapped[str] = mapped_column(String(36), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    _payload: Mapped[bytes | None] = mapped_column("payload", Ciphertext)
    payload = EncryptedField()  # the form's fields as JSON
