"""Sign-in rules shared by the web pages and the API.

Failed attempts and pauses are kept in the database, not in a process: every server process
(and the API) sees the same counts, so spreading guesses over workers gains nothing. Counts
are incremented by single UPDATEs, which the database applies atomically. Failures are counted
per (name, source) in ``throttle.py`` and per account here.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select, update

from models import User, db, utcnow

from .. import audit, passwords, totp
from . import may_sign_in, throttle
from .throttle import normalize_username


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


def find_user(username: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.username) == normalize_username(username)))


def _register_failure(user: User | None, username: str, action: str, reason: str) -> Outcome:
    """Count a failure for (name, source) and, for a real account, account-wide; commits (the
    failure must be kept even though the request fails)."""
    now_paused = throttle.count_failure(username)
    if now_paused and user is not None:
        audit.record(
            "auth.paused",
            outcome="denied",
            actor=user,
            target_type="user",
            target_id=user.id,
            details={"minutes": int(current_app.config["LOGIN_LOCKOUT"].total_seconds() // 60)},
        )
    if user is None:
        # No name is logged: a mistyped username is sometimes a password.
        audit.record(action, outcome="failure", details={"reason": "unknown_or_inactive"})
        db.session.commit()
        return Outcome.BAD_CREDENTIALS
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
    if count >= current_app.config["LOGIN_ACCOUNT_MAX_FAILURES"]:
        # Guessing spread over many sources: the whole account pauses, until it times out or a
        # supervisor or an administrator unlocks it.
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
    db.session.commit()
    db.session.refresh(user)
    if reason == "code":  # the password was right: the pause can be named
        return Outcome.LOCKED if now_paused or user.is_locked() else Outcome.BAD_CODE
    return Outcome.BAD_CREDENTIALS


def _refused_while_paused(user: User | None, action: str) -> None:
    if user is not None:
        audit.record(
            action, outcome="denied", actor=user, target_type="user", target_id=user.id, details={"reason": "paused"}
        )
    db.session.commit()


def check_password(username: str, password: str, action: str = "auth.login") -> Attempt:
    """First factor. Every refusal is the same ``BAD_CREDENTIALS`` — unknown name, wrong
    password or sign-in paused — and costs one password hash, so neither the answer nor its
    time tells whether the account exists."""
    user = find_user(username)
    eligible = user is not None and may_sign_in(user)
    if throttle.paused(username) or (user is not None and user.is_locked()):
        passwords.verify_password(None, password)
        _refused_while_paused(user, action)
        return Attempt(Outcome.BAD_CREDENTIALS)
    valid = passwords.verify_password(user.password_hash if user is not None and eligible else None, password)
    if user is None or not eligible:
        return Attempt(_register_failure(None, username, action, "password"))
    if not valid:
        return Attempt(_register_failure(user, username, action, "password"), user)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    if user.totp_enabled:
        return Attempt(Outcome.NEED_CODE, user)
    return Attempt(Outcome.OK, user)


def check_code(user: User, code: str, action: str = "auth.login") -> Attempt:
    """Second factor; wrong codes count toward the same pause as wrong passwords. Here the
    password is already proven, so a pause can be named as such."""
    if throttle.paused(user.username) or user.is_locked():
        _refused_while_paused(user, action)
        return Attempt(Outcome.LOCKED, user)
    if not totp.verify_and_consume(user, code):
        db.session.rollback()
        return Attempt(_register_failure(user, user.username, action, "code"), user)
    return Attempt(Outcome.OK, user)


def record_success(user: User, action: str = "auth.login", method: str = "password") -> None:
    """Reset the failure counts and log the sign-in; the caller commits."""
    throttle.clear(user.username)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = utcnow()
    audit.record(action, actor=user, target_type="user", target_id=user.id, details={"method": method})


def unlock(user: User) -> None:
    """Lift every pause on the account (a supervisor's or an administrator's reset)."""
    throttle.clear_everywhere(user.username)
    user.failed_logins, user.locked_until = 0, None
