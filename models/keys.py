"""Wrapped per-owner data keys, and the mixin that gives a model encrypted fields."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from crypto import DataKey, KeyRing
from crypto.sqla import DataKeyMixin

from .base import db


class DataKeyRecord(db.Model, DataKeyMixin):  # type: ignore[name-defined]
    __tablename__ = "data_keys"


def keyring() -> KeyRing:
    """The running app's key ring (loaded once at start-up from the key file or environment)."""
    ring: KeyRing | None = current_app.extensions.get("sutura.keyring")
    if ring is None:
        from config import ConfigurationError

        raise ConfigurationError(current_app.extensions.get("sutura.keyring_error", "no key material loaded"))
    return ring


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
            cached = self.data_key_record.unwrap(keyring())
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
