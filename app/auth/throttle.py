"""Failed sign-ins counted per (account name, source address) — ``models/login_throttle.py``.

Five failures within ``LOGIN_LOCKOUT`` pause sign-in to that name *from that source* for the
same time: someone guessing from elsewhere cannot lock a caseworker out of their account. A
name that matches no account is counted exactly like a real one, and the answer is the same
("wrong username or password") whether the name exists, the password is wrong or sign-in is
paused, so the sign-in form tells nobody which accounts exist. Guessing spread over many
sources is bounded by the account-wide limit (``LOGIN_ACCOUNT_MAX_FAILURES``, in
``service.py``); a supervisor or an administrator lifts both.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from flask import current_app, request
from sqlalchemy import case, delete, select, update
from sqlalchemy.exc import IntegrityError

from models import LoginThrottle, db, utcnow


def normalize_username(username: str) -> str:
    return username.strip().casefold()[:64]


def _keyed(purpose: str, value: str) -> str:
    # Keyed, not a plain hash: names and addresses are short enough to be guessed back.
    secret = str(current_app.secret_key or "").encode()
    return hmac.new(secret, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()


def _name(username: str) -> str:
    return _keyed("name", normalize_username(username))


def _source() -> str:
    return _keyed("source", request.remote_addr or "")


def _lockout() -> dt.timedelta:
    value: dt.timedelta = current_app.config["LOGIN_LOCKOUT"]
    return value


def paused(username: str) -> bool:
    """Whether sign-in to this name from this source is paused."""
    until = db.session.scalar(
        select(LoginThrottle.locked_until).where(
            LoginThrottle.name_digest == _name(username), LoginThrottle.source_digest == _source()
        )
    )
    return until is not None and until > utcnow()


def count_failure(username: str) -> bool:
    """Count one failure for (name, source); True when it pauses sign-in. The caller commits."""
    name, source, now = _name(username), _source(), utcnow()
    failures = _increment(name, source, now)
    if failures is None:
        try:
            with db.session.begin_nested():
                db.session.add(LoginThrottle(name_digest=name, source_digest=source, failures=1, window_started_at=now))
            failures = 1
        except IntegrityError:  # a concurrent first failure from the same source inserted it
            failures = _increment(name, source, now) or 1
    if failures < current_app.config["LOGIN_MAX_FAILURES"]:
        return False
    db.session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.name_digest == name, LoginThrottle.source_digest == source)
        .values(failures=0, locked_until=now + _lockout())
        .execution_options(synchronize_session=False)
    )
    return True


def _increment(name: str, source: str, now: dt.datetime) -> int | None:
    """Add one failure atomically (a new window when the last one is over); None: no row yet."""
    stale = LoginThrottle.window_started_at < now - _lockout()
    return db.session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.name_digest == name, LoginThrottle.source_digest == source)
        .values(
            failures=case((stale, 1), else_=LoginThrottle.failures + 1),
            window_started_at=case((stale, now), else_=LoginThrottle.window_started_at),
        )
        .returning(LoginThrottle.failures)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()


def clear(username: str) -> None:
    """A successful sign-in from this source forgets its failures."""
    db.session.execute(
        delete(LoginThrottle)
        .where(LoginThrottle.name_digest == _name(username), LoginThrottle.source_digest == _source())
        .execution_options(synchronize_session=False)
    )


def clear_everywhere(username: str) -> None:
    """Unlocking an account lifts the pauses of every source."""
    db.session.execute(
        delete(LoginThrottle)
        .where(LoginThrottle.name_digest == _name(username))
        .execution_options(synchronize_session=False)
    )


def paused_anywhere(username: str) -> bool:
    """Whether sign-in to this name is paused from at least one source (for the team page)."""
    until = db.session.scalar(
        select(LoginThrottle.locked_until)
        .where(LoginThrottle.name_digest == _name(username), LoginThrottle.locked_until > utcnow())
        .limit(1)
    )
    return until is not None
