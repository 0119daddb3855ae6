"""Wrapped per-owner data keys, and the mixin that gives a model encrypted fields."""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import ForeignKey, String, event, inspect
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column, relationship

from crypto import DataKey, KeyRing, ShredJournal, UnknownKeyId
from crypto.sqla import DataKeyMixin

from .base import db


class DataKeyRecord(db.Model, DataKeyMixin):  # type: ignore[name-defined]
    __tablename__ = "data_keys"


class KeySettings(Protocol):
    """What the models need from the application running them: its key ring and its shred
    journal. The app factory passes one in (``app/keys.py``), so models import neither Flask
    nor ``config``."""

    def keyring(self, *, refresh: bool = False) -> KeyRing: ...

    def shred_journal(self) -> ShredJournal | None: ...


_settings: KeySettings | None = None


def use_key_settings(settings: KeySettings) -> None:
    """Called by ``create_app``: where ``keyring()`` and ``shred_journal()`` find the keys."""
    global _settings
    _settings = settings


def keyring(*, refresh: bool = False) -> KeyRing:
    """The running app's key ring. Loaded at start-up from the key file or the environment;
    with a key file, a running worker re-reads it when it changes (checked every few seconds,
    and at once with ``refresh=True``), so new keys reach every worker without a restart.
    Raises ``config.ConfigurationError`` when the app has no key material."""
    if _settings is None:
        raise RuntimeError("no key settings: create the app (create_app) before using encrypted models")
    return _settings.keyring(refresh=refresh)


class HasEncryptedFields:
    """A model whose identifying fields are encrypted under its own (or its owner's) data key.

    Subclasses set ``DATA_KEY_OWNER`` (e.g. ``"user"``); ``ensure_data_key()`` must run once the
    row has its id and before any encrypted value is assigned.
    """

    DATA_KEY_OWNER = ""

    @declared_attr
    def data_key_id(cls) -> Mapped[str | None]:  # noqa: N805 — SQLAlchemy's declared_attr idiom
        return mapped_column(String(36), ForeignKey("data_keys.id"))

    @declared_attr
    def data_key_record(cls) -> Mapped[DataKeyRecord | None]:  # noqa: N805
        return relationship(DataKeyRecord, lazy="joined")

    def ensure_data_key(self) -> None:
        if self.data_key_record is None:
            record, data_key = DataKeyRecord.create(keyring(), f"{self.DATA_KEY_OWNER}:{self.id}")
            self.data_key_record = record
            self._unwrapped = data_key

    def field_data_key(self) -> DataKey:
        # Unwrapped once per loaded instance (per request), never stored.
        cached: DataKey | None = self.__dict__.get("_unwrapped")
        if cached is None:
            if self.data_key_record is None:
                self.ensure_data_key()
                return self.__dict__["_unwrapped"]
            cached = unwrap_record(self.data_key_record)
            self.__dict__["_unwrapped"] = cached
        return cached

    def field_index_key(self) -> bytes:
        return keyring().index_key

    id: Any


class EncryptedUnderCase:
    """A row whose identifying fields use its case's data key (survivor, incident): erasing
    the case's key erases them too, and the row's own id still binds each value to it."""

    case: Any

    def field_data_key(self) -> DataKey:
        return self.case.field_data_key()

    def field_index_key(self) -> bytes:
        return keyring().index_key


def unwrap_record(record: DataKeyRecord) -> DataKey:
    """Unwrap a data key; on an unknown KEK id, reload the key file (another process may have
    added the key a moment ago) and re-read the row (it may have been re-wrapped meanwhile)."""
    try:
        return record.unwrap(keyring())
    except UnknownKeyId:
        ring = keyring(refresh=True)
        try:
            return record.unwrap(ring)
        except UnknownKeyId:
            state: Any = inspect(record)
            session: Session | None = state.session
            if session is None or state.pending:
                raise
            session.refresh(record)
            return record.unwrap(ring)


# --- the shred journal: every shredded data key is noted outside the database -------------

_PENDING = "sutura.shreds_pending"


def shred_journal() -> ShredJournal | None:
    """The app's shred journal; None outside an app context or when none is configured."""
    return _settings.shred_journal() if _settings is not None else None


@event.listens_for(Session, "after_flush")
def _journal_shreds(session: Session, _context: Any) -> None:
    """Before the transaction that shreds a data key commits, append it to the journal (an
    unwritable journal aborts the transaction: a purge must not succeed unrecorded)."""
    journal = shred_journal()
    if journal is None:
        return
    shredded: list[tuple[str, str]] = []
    for obj in session.dirty:
        if isinstance(obj, DataKeyRecord) and obj.wrapped_key is None:
            history: Any = inspect(obj).attrs.wrapped_key.history
            if any(value is not None for value in history.deleted):
                shredded.append((obj.id, obj.owner))
    if shredded:
        journal.record(shredded)
        session.info.setdefault(_PENDING, []).extend(shredded)


@event.listens_for(Session, "after_commit")
def _shreds_committed(session: Session) -> None:
    session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_rollback")
def _shreds_rolled_back(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    journal = shred_journal()
    if pending and journal is not None:
        journal.cancel(pending)
