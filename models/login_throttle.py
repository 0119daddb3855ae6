"""Failed sign-ins counted per (account name, source), so that nobody can lock someone else out.

Both parts are keyed hashes (``app/auth/throttle.py``): a database dump shows neither which
names were tried, nor from which addresses. Names that match no account are counted the same
way as real ones, so the answers never tell whether an account exists.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import UTCDateTime, db, utcnow


class LoginThrottle(db.Model):  # type: ignore[name-defined]
    __tablename__ = "login_throttles"

    name_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    source_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
