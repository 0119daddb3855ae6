"""Writing and verifying the audit log (the chain itself is described in models/audit.py).

``record()`` adds the event to the current database transaction and never commits: the event
is written if and only if the action it records is. Values logged are who, what, which record,
when, from where and the outcome — never an identifying value.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import select, update
from sqlalchemy.orm import Session, scoped_session

from models import AuditEvent, AuditHead, User, db, utcnow
from models.keys import keyring

OUTCOMES = ("success", "failure", "denied")


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


def _claim_next_seq(session: Session | scoped_session[Any]) -> tuple[int, str]:
    """Take the next sequence number. The UPDATE locks the head row (PostgreSQL) or the
    database (SQLite) until commit, so two writers can never chain onto the same entry."""
    head_seq = session.execute(
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(last_seq=AuditHead.last_seq + 1)
        .returning(AuditHead.last_seq, AuditHead.last_hash)
        .execution_options(synchronize_session=False)
    ).first()
    if head_seq is None:
        session.add(AuditHead(id=1, last_seq=1, last_hash=""))
        session.flush()
        return 1, ""
    return int(head_seq[0]), str(head_seq[1])


def record(
    action: str,
    *,
    outcome: str = "success",
    actor: User | None = None,
    actor_name: str | None = None,
    target_type: str | None = None,
    target_id: object = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    if outcome not in OUTCOMES:
        raise ValueError(f"audit outcome must be one of {OUTCOMES}")
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user._get_current_object()
    session = db.session
    seq, previous = _claim_next_seq(session)
    event = AuditEvent(
        seq=seq,
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
    event.chain_hash = chain_hash(keyring().audit_key, previous, event)
    session.add(event)
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(last_hash=event.chain_hash))
    return event


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
    """Walk the chain from the first entry; report the first entry that does not hold."""
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
