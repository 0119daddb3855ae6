"""The audit log: one row per security-relevant event, chained by HMAC.

Each row's ``chain_hash`` is HMAC-SHA256 (audit key) over the previous row's hash and this
row's content; ``audit_head`` holds the sequence number and hash of the last row. Editing,
deleting or reordering any row, or truncating the tail, breaks the chain, and without the
audit key (outside the database) nobody can forge a consistent one.

An event is first written to ``audit_pending`` in the transaction of the action it records
(one insert, no lock), then sealed into the chain, in commit order, right after the response
has gone (``app/audit.py``): readers no longer queue on the head row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import UTCDateTime, db, utcnow


class AuditEvent(db.Model):  # type: ignore[name-defined]
    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                     autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[str | None] = mapped_column(String(36), index=True)
    actor_name: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(64), index=True)
    outcome: Mapped[str] = mapped_column(String(16), index=True)  # success | failure | denied
    ip: Mapped[str | None] = mapped_column(String(64))
    # Non-identifying context only (field names, counts, codes) — never a survivor's value.
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    chain_hash: Mapped[str] = mapped_column(String(64))


class AuditPending(db.Model):  # type: ignore[name-defined]
    """An event committed with its action and not yet sealed into the chain (milliseconds)."""

    __tablename__ = "audit_pending"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                    autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[str | None] = mapped_column(String(36))
    actor_name: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(64), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    ip: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class AuditHead(db.Model):  # type: ignore[name-defined]
    """A single row; the sealer locks it so the chain stays linear."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default="")
