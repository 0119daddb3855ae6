"""Users: staff of an agency with one role each (docs/architecture.md)."""

from __future__ import annotations

import datetime as dt
import secrets

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crypto.sqla import Ciphertext, EncryptedField

from .agency import Agency
from .base import UTCDateTime, db, new_uuid, utcnow
from .keys import HasEncryptedFields

ROLES = ("caseworker", "supervisor", "provider", "cluster_lead", "admin")
# Roles that act inside one agency and must belong to one.
AGENCY_ROLES = ("caseworker", "supervisor", "provider")


def new_session_epoch() -> str:
    return secrets.token_urlsafe(16)


class User(db.Model, HasEncryptedFields, UserMixin):  # type: ignore[name-defined]
    __tablename__ = "users"
    DATA_KEY_OWNER = "user"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    agency: Mapped[Agency | None] = relationship(lazy="joined")
    # A provider user is the focal point of one directory entry and sees only its referrals.
    provider_id: Mapped[str | None] = mapped_column(ForeignKey("providers.id"), index=True)
    # A cluster lead coordinates one sub-cluster ("gbv" or "cp", cpims.options.SUB_CLUSTERS) and
    # reads only its statistics.
    sub_cluster: Mapped[str | None] = mapped_column(String(4))
    # The staff member's work phone: a referral packet carries it so a service can call back.
    work_phone: Mapped[str | None] = mapped_column(String(40))
    # Shared offices: lists show case codes, not names, for this user.
    hide_names_in_lists: Mapped[bool] = mapped_column(Boolean, default=False)
    password_hash: Mapped[str] = mapped_column(String(255))
    password_changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Rotated when the password changes or an admin signs the user out: every session
    # carries the epoch it was opened under and dies when it no longer matches.
    session_epoch: Mapped[str] = mapped_column(String(32), default=new_session_epoch)

    # The TOTP seed is a secret that gives the second factor: encrypted like survivor data.
    _totp_seed: Mapped[bytes | None] = mapped_column("totp_seed", Ciphertext)
    totp_seed = EncryptedField()
    totp_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Highest TOTP time step accepted so far; a code from that step or earlier is a replay.
    last_totp_step: Mapped[int] = mapped_column(Integer, default=0)

    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    language: Mapped[str | None] = mapped_column(String(5))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Demo accounts have published passwords; they never sign in under production settings.
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", use_alter=True))
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # An initial or reset password is the administrator's: the user replaces it at sign-in.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    # Separation of duties: a role that reads survivors' records is in force only once a second
    # person approved it (app/policy.py). Who set the role, who approved it and when.
    role_requested_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", use_alter=True))
    role_approved_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", use_alter=True))
    role_approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("id", new_uuid())
        kwargs.setdefault("session_epoch", new_session_epoch())
        super().__init__(**kwargs)

    def get_id(self) -> str:
        # Flask-Login keeps this in the session; the epoch part invalidates old sessions.
        return f"{self.id}:{self.session_epoch}"

    @property
    def is_active(self) -> bool:
        return self.active

    def is_locked(self, now: dt.datetime | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or utcnow())

    def end_all_sessions(self) -> None:
        self.session_epoch = new_session_epoch()

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"
