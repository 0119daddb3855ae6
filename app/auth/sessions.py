"""Browser sessions recorded on the server (``models/web_session.py``).

The signed cookie carries a random token; the row with its digest says whether the session is
still alive. Signing out, the idle timeout (``SESSION_IDLE_TIMEOUT``) and the absolute lifetime
(``SESSION_ABSOLUTE_LIFETIME``, counted from sign-in whatever the activity) end it for good: a
copy of the cookie taken before is worth nothing afterwards.
"""

from __future__ import annotations

import datetime as dt
import secrets

from flask import current_app, g, session
from sqlalchemy import delete, or_, select, update

from models import User, WebSession, db, utcnow
from models.api_token import digest

# Last activity is written at most this often: a page view should not always cost a write.
SEEN_EVERY = dt.timedelta(seconds=60)
# Ended and expired rows are deleted after this long (they only serve the checks above).
KEEP_ENDED = dt.timedelta(days=30)


def start(user: User) -> None:
    """Open a session for ``user`` in the current (fresh) cookie; the caller commits."""
    token = secrets.token_urlsafe(32)
    db.session.add(WebSession(token_digest=digest(token), user_id=user.id))
    session["sid"] = token
    _prune()


def alive(user: User) -> bool:
    """Whether the cookie's session is open for ``user``. An idle or expired one is ended here
    and the reason left in ``g.session_ended`` for the sign-in page to explain."""
    row = _current_row()
    if row is None or row.user_id != user.id or row.ended_at is not None:
        return False
    now = utcnow()
    config = current_app.config
    reason = (
        "expired"
        if now - row.created_at > config["SESSION_ABSOLUTE_LIFETIME"]
        else "idle"
        if now - row.last_seen_at > config["SESSION_IDLE_TIMEOUT"]
        else None
    )
    if reason is not None:
        _end(row, reason)
        g.session_ended = reason
        return False
    if now - row.last_seen_at > SEEN_EVERY:
        row.last_seen_at = now
        db.session.commit()  # the user loader runs first in a request: nothing else is pending
    return True


def end_current(reason: str) -> None:
    row = _current_row()
    if row is not None and row.ended_at is None:
        row.ended_at, row.end_reason = utcnow(), reason


def end_all(user: User, reason: str) -> None:
    """End every session and API token of ``user`` (password changed, account changed)."""
    user.end_all_sessions()
    db.session.execute(
        update(WebSession)
        .where(WebSession.user_id == user.id, WebSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
        .execution_options(synchronize_session=False)
    )


def _current_row() -> WebSession | None:
    token = session.get("sid")
    if not isinstance(token, str) or not token:
        return None
    return db.session.scalar(select(WebSession).where(WebSession.token_digest == digest(token)))


def _end(row: WebSession, reason: str) -> None:
    row.ended_at, row.end_reason = utcnow(), reason
    db.session.commit()


def _prune() -> None:
    limit = utcnow() - KEEP_ENDED
    db.session.execute(
        delete(WebSession)
        .where(or_(WebSession.ended_at < limit, WebSession.last_seen_at < limit))
        .execution_options(synchronize_session=False)
    )
