"""API tokens: random, opaque, stored only as a SHA-256 digest, with expiry and revocation."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import UTCDateTime, db, new_uuid, utcnow
from .user import User


def digest(token: str) -> str:
    # A 256-bit random token needs no slow hash: nobody can guess it from its digest.
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(db.Model):  # type: ignore[name-defined]
    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    user: Mapped[User] = relationship(lazy="joined")
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The user's session epoch at issue: a password change revokes every token too.
    session_epoch: Mapped[str] = mapped_column(String(32))

    @classmethod
    def issue(cls, user: User, lifetime: dt.timedelta) -> tuple[ApiToken, str]:
        token = secrets.token_urlsafe(32)
        record = cls(id=new_uuid(), user=user, token_digest=digest(token), expires_at=utcnow() + lifetime,
                     session_epoch=user.session_epoch)
        return record, token

    def is_valid(self, now: dt.datetime | None = None) -> bool:
        return (
            self.revoked_at is None
            and self.expires_at > (now or utcnow())
            and self.user.active
            and self.user.session_epoch == self.session_epoch
        )
