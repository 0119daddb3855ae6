"""Writing, sealing and verifying the audit log (the chain itself is described in models/audit.py).

``record()`` adds the event to the current database transaction and never commits: the event
is written if and only if the action it records is. It is written to ``audit_pending`` (one
insert, no lock), so requests that only read do not queue behind each other on the chain's
head row. ``seal()`` moves committed pending events into the chain in one short transaction
that holds the head row: numbered, hashed onto the previous entry, removed from pending. It
runs after each response that recorded events has been sent (``init_app``), after a commit
outside a request (commands), and before anyone reads or verifies the log; a sealer that finds
the head busy leaves its events to the one holding it, which seals until nothing is left.
Under load a worker seals once per ``AUDIT_SEAL_DELAY`` for all the responses of that moment
(``_Sealer``), so the chain's cost per request falls as the load grows.

Values logged are who, what, which record, when, from where and the outcome — never an
identifying value.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import json
import logging
import os
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, g, has_request_context, request
from flask_login import current_user
from sqlalchemy import delete, insert, literal, select, union_all, update
from sqlalchemy import event as orm_events
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, scoped_session

from config import ConfigurationError
from models import AuditEvent, AuditHead, AuditPending, User, db, utcnow
from models.keys import keyring

OUTCOMES = ("success", "failure", "denied")
SEAL_BATCH = 500
_UNSEALED = "audit_unsealed"
_CONTENT = ("at", "actor_id", "actor_name", "action", "target_type", "target_id", "outcome", "ip", "details")

log = logging.getLogger(__name__)


def _canonical(event: AuditEvent) -> bytes:
    at = event.at.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
    content = [
        event.seq,
        at,
        event.actor_id,
        event.actor_name,
        event.action,
        event.target_type,
        event.target_id,
        event.outcome,
        event.ip,
        event.details,
    ]
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def chain_hash(audit_key: bytes, previous: str, event: AuditEvent) -> str:
    return hmac.new(audit_key, previous.encode() + b"\n" + _canonical(event), hashlib.sha256).hexdigest()


def record(
    action: str,
    *,
    outcome: str = "success",
    actor: User | None = None,
    actor_name: str | None = None,
    target_type: str | None = None,
    target_id: object = None,
    details: dict[str, Any] | None = None,
) -> AuditPending:
    if outcome not in OUTCOMES:
        raise ValueError(f"audit outcome must be one of {OUTCOMES}")
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user._get_current_object()
    event = AuditPending(
        at=utcnow(),
        actor_id=actor.id if actor else None,
        actor_name=actor.username if actor else actor_name,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        outcome=outcome,
        ip=request.remote_addr if has_request_context() else None,
        details=details or None,
    )
    db.session.add(event)
    db.session.info[_UNSEALED] = True
    return event


def commit_read() -> None:
    """Commit the events of a page that only read, once the page is built.

    What the request loaded is left as it is rather than expired, as a commit does by default:
    nothing reads it again, and expiring the hundred-odd rows of a list cost more than the
    event's insert."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def _take_head(conn: Connection, *, wait: bool) -> tuple[int, str] | None:
    """Lock the head row, or None when another sealer holds it (and will seal our events).

    PostgreSQL locks the row (SKIP LOCKED: a busy head costs nothing); SQLite has no row
    locks, so the no-op update takes its database write lock first, before anything is read."""
    if conn.dialect.name == "sqlite":
        conn.execute(update(AuditHead).where(AuditHead.id == 1).values(last_seq=AuditHead.last_seq))
    head = conn.execute(
        select(AuditHead.last_seq, AuditHead.last_hash)
        .where(AuditHead.id == 1)
        .with_for_update(skip_locked=not wait)
    ).first()
    if head is None:
        if conn.execute(select(AuditHead.id).where(AuditHead.id == 1)).first() is not None:
            return None
        conn.execute(insert(AuditHead).values(id=1, last_seq=0, last_hash=""))
        return 0, ""
    return int(head[0]), str(head[1])


def _seal_batch(conn: Connection, audit_key: bytes, *, wait: bool) -> int | None:
    """Seal up to SEAL_BATCH pending events; None when the head is busy."""
    head = _take_head(conn, wait=wait)
    if head is None:
        return None
    seq, previous = head
    oldest = select(AuditPending.id).order_by(AuditPending.id).limit(SEAL_BATCH).scalar_subquery()
    taken = conn.execute(
        delete(AuditPending)
        .where(AuditPending.id.in_(oldest))
        .returning(AuditPending.id, *(getattr(AuditPending, name) for name in _CONTENT))
    ).all()
    if not taken:
        return 0
    rows = []
    for pending in sorted(taken, key=lambda row: row.id):
        seq += 1
        entry = AuditEvent(seq=seq, **{name: getattr(pending, name) for name in _CONTENT})
        entry.chain_hash = previous = chain_hash(audit_key, previous, entry)
        rows.append({"seq": seq, "chain_hash": entry.chain_hash, **{n: getattr(pending, n) for n in _CONTENT}})
    conn.execute(insert(AuditEvent), rows)
    conn.execute(update(AuditHead).where(AuditHead.id == 1).values(last_seq=seq, last_hash=previous))
    return len(rows)


def seal(*, wait: bool = False) -> int:
    """Seal every committed pending event into the chain; returns how many were sealed.

    Each batch is its own short transaction on its own connection, so the caller's session is
    left alone. ``wait=False`` gives way at once when another sealer holds the head."""
    audit_key = keyring().audit_key
    sealed = 0
    while True:
        try:
            with db.engine.begin() as conn:
                done = _seal_batch(conn, audit_key, wait=wait)
        except DBAPIError:
            # A concurrent sealer won the head (SQLite reports it as a conflict), or the database
            # is away: the events stay pending, committed, and the next seal takes them.
            log.warning("audit seal stopped: events left waiting for the next seal", exc_info=True)
            return sealed
        if not done:
            return sealed
        sealed += done
        if done < SEAL_BATCH:
            return sealed


def _after_commit(session: Session) -> None:
    if not session.info.pop(_UNSEALED, False):
        return
    if has_request_context():
        g.audit_unsealed = True  # sealed once the response is out (init_app)
    else:
        seal(wait=True)


def _after_rollback(session: Session) -> None:
    session.info.pop(_UNSEALED, None)


def _seal_in(app: Flask) -> None:
    with app.app_context():
        seal()


class _Sealer:
    """A worker's seals, a moment after the responses: the first response with events to seal
    starts a timer, the responses sent before it fires add their events to the same seal.

    The events are already committed in ``audit_pending`` (a worker that stops before its timer
    loses nothing: the next seal anywhere, the log page, ``audit verify`` or ``audit seal`` from
    cron chain them)."""

    def __init__(self, app: Flask, delay: float) -> None:
        self._app, self._delay = app, delay
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._pid = os.getpid()

    def soon(self) -> None:
        with self._lock:
            if self._timer is not None and self._pid == os.getpid():
                return  # the coming seal takes this response's events too (committed before it)
            self._pid = os.getpid()  # a timer of the process this one was forked from is not ours
            self._timer = threading.Timer(self._delay, self.run)
            self._timer.daemon = True
            self._timer.start()

    def run(self) -> None:
        # Cleared before sealing: an event committed after this point starts the next timer,
        # one committed before it is seen by this seal.
        with self._lock:
            self._timer = None
        _seal_in(self._app)

    @property
    def waiting(self) -> threading.Timer | None:
        return self._timer


def init_app(app: Flask) -> None:
    """Seal after the response: the reader has its page, the worker then chains the events."""
    if not orm_events.contains(db.session, "after_commit", _after_commit):  # one session, every app
        orm_events.listen(db.session, "after_commit", _after_commit)
        orm_events.listen(db.session, "after_rollback", _after_rollback)
    delay = float(app.config.get("AUDIT_SEAL_DELAY", 0))
    if not 0 <= delay <= 5:
        raise ConfigurationError(
            f"SUTURA_AUDIT_SEAL_DELAY: {delay} seconds; between 0 and 5 (events wait unchained that long)"
        )
    app.extensions["sutura.audit_sealer"] = _Sealer(app, delay) if delay else None

    @app.after_request
    def seal_after_response(response: Response) -> Response:
        if g.pop("audit_unsealed", False):
            sealer: _Sealer | None = app.extensions["sutura.audit_sealer"]
            response.call_on_close(sealer.soon if sealer is not None else functools.partial(_seal_in, app))
        return response

    @app.teardown_appcontext
    def seal_without_response(_error: BaseException | None) -> None:
        # A request context that never made a response (a script's) seals when it ends.
        if g.pop("audit_unsealed", False):
            seal()


def case_history(target_id: str, actions: Sequence[str], limit: int) -> list[Row[Any]]:
    """A record's successful events, newest first, whether sealed yet or not (a correction
    shows in the history of the page the browser is sent to, even if the seal is a moment late)."""
    columns = ("at", "actor_name", "action", "details")
    sealed = select(*(getattr(AuditEvent, c) for c in columns), AuditEvent.seq.label("seq")).where(
        AuditEvent.target_type == "case",
        AuditEvent.target_id == target_id,
        AuditEvent.action.in_(actions),
        AuditEvent.outcome == "success",
    )
    waiting = select(*(getattr(AuditPending, c) for c in columns), literal(None).label("seq")).where(
        AuditPending.target_type == "case",
        AuditPending.target_id == target_id,
        AuditPending.action.in_(actions),
        AuditPending.outcome == "success",
    )
    both = union_all(sealed, waiting).subquery()
    return list(db.session.execute(select(both).order_by(both.c.at.desc()).limit(limit)).all())


@dataclass(frozen=True)
class Verification:
    checked: int
    broken_seq: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def _events(session: Session | scoped_session[Any]) -> Iterator[AuditEvent]:
    yield from session.scalars(select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=1000))


def verify(session: Session | scoped_session[Any], audit_key: bytes) -> Verification:
    """Walk the chain from the first entry; report the first entry that does not hold.

    Callers seal first (``seal(wait=True)``): an event still pending is not yet in the chain."""
    previous, expected, checked = "", 1, 0
    for event in _events(session):
        if event.seq != expected:
            return Verification(checked, expected, f"entry {expected} is missing (next found: {event.seq})")
        if not hmac.compare_digest(chain_hash(audit_key, previous, event), event.chain_hash or ""):
            return Verification(checked, event.seq, f"entry {event.seq} was altered or moved")
        previous, expected, checked = event.chain_hash, expected + 1, checked + 1
    head = session.get(AuditHead, 1)
    if head is not None and (head.last_seq != checked or head.last_hash != previous):
        return Verification(checked, checked + 1, f"entries after {checked} were deleted (head says {head.last_seq})")
    return Verification(checked)
