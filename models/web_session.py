"""Signed-in browser sessions, kept on the server so that signing out really ends them.

The cookie holds a random session token; the database holds only its SHA-256 digest. A cookie
copied before sign-out, after an idle timeout or past the absolute lifetime finds its row
ended or expired and reads nothing.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import UTCDateTime, db, utcnow

END_REASONS = ("logout", "idle", "expired", "password_changed", "account_changed")


class WebSession(db.Model):  # type: ignore[name-defined]
    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(String(20))
