"""Sign-in rules shared by the web pages and the API.

Failed attempts and the lock are kept in the database, not in a process: every server process
(and the API) sees the same count, so spreading guesses over workers gains nothing. The count
is incremented by a single UPDATE, which the database applies atomically.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select, update

from models import User, db, utcnow

from .. import audit, passwords, totp
from . import may_sign_in


class Outcome(enum.Enum):
    OK = "ok"
    NEED_CODE = "need_code"
    BAD_CREDENTIALS = "bad_credentials"
    BAD_CODE = "bad_code"
    LOCKED = "locked"


@dataclass(frozen=True)
class Attempt:
    outcome: Outcome
    user: User | None = None


def normalize_username(username: str) -> str:
    return username.strip().casefold()[:64]


def find_user(username: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.username) == normalize_username(username)))


def _register_failure(user: User, action: str, reason: str) -> Outcome:
    """Count a failure atomically; lock on the fifth. Commits (the failure must be kept)."""
    count = db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(failed_logins=User.failed_logins + 1)
        .returning(User.failed_logins)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    audit.record(
        action,
        outcome="failure",
        actor=user,
        target_type="user",
        target_id=user.id,
        details={"reason": reason, "failures": count},
    )
    outcome = Outcome.BAD_CREDENTIALS if reason == "password" else Outcome.BAD_CODE
    if count >= current_app.config["LOGIN_MAX_FAILURES"]:
        db.session.execute(
            update(User)
            .where(User.id == user.id)
            .values(failed_logins=0, locked_until=utcnow() + current_app.config["LOGIN_LOCKOUT"])
            .execution_options(synchronize_session=False)
        )
        audit.record(
            "auth.lockout",
            outcome="denied",
            actor=user,
            target_type="user",
            target_id=user.id,
            details={"minutes": int(current_app.config["LOGIN_LOCKOUT"].total_seconds() // 60)},
        )
        outcome = Outcome.LOCKED
    db.session.commit()
    db.session.refresh(user)
    return outcome


def _locked(user: User, action: str) -> Attempt:
    audit.record(
        action, outcome="denied", actor=user, target_type="user", target_id=user.id, details={"reason": "locked"}
    )
    db.session.commit()
    return Attempt(Outcome.LOCKED, user)


def check_password(username: str, password: str, action: str = "auth.login") -> Attempt:
    """First factor. A locked account is refused before the password is even checked."""
    user = find_user(username)
    if user is not None and user.is_locked():
        passwords.verify_password(None, password)  # same cost as a real check
        return _locked(user, action)
    eligible = user is not None and may_sign_in(user)
    # Always one hash, so response time does not tell whether the username exists.
    valid = passwords.verify_password(user.password_hash if user is not None and eligible else None, password)
    if user is None or not eligible:
        # No name is logged: a mistyped username is sometimes a password.
        audit.record(action, outcome="failure", details={"reason": "unknown_or_inactive"})
        db.session.commit()
        return Attempt(Outcome.BAD_CREDENTIALS)
    if not valid:
        return Attempt(_register_failure(user, action, "password"), user)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    if user.totp_enabled:
        return Attempt(Outcome.NEED_CODE, user)
    return Attempt(Outcome.OK, user)


def check_code(user: User, code: str, action: str = "auth.login") -> Attempt:
    """Second factor; wrong codes count toward the same lock as wrong passwords."""
    if user.is_locked():
        return _locked(user, action)
    if not totp.verify_and_consume(user, code):
        db.session.rollback()
        return Attempt(_register_failure(user, action, "code"), user)
    return Attempt(Outcome.OK, user)


def record_success(user: User, action: str = "auth.login", method: str = "password") -> None:
    """Reset the failure count and log the sign-in; the caller commits."""
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = utcnow()
    audit.record(action, actor=user, target_type="user", target_id=user.id, details={"method": method})
