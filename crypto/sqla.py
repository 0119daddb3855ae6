"""SQLAlchemy integration: encrypted columns that keep models readable.

A model stores each identifying value in a ``Ciphertext`` column and exposes the plaintext
through an ``EncryptedField`` descriptor::

    class Person(Base):
        _given_name: Mapped[bytes | None] = mapped_column("given_name", Ciphertext)
        given_name_bidx: Mapped[int | None] = mapped_column(index=True)
        given_name = EncryptedField(index="given_name_bidx")

        def field_data_key(self) -> DataKey: ...        # the row's (owner's) data key
        def field_index_key(self) -> bytes: ...         # only when a field is indexed

Values are encrypted when assigned, so SQL statements, their logs and the session's bound
parameters only ever hold ciphertext; ``Ciphertext`` refuses a ``str`` outright, which turns a
forgotten descriptor into an error instead of a plaintext column. Rows need their id before a
value is assigned (the models use client-side UUIDs), because the id is bound into the
associated data.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any, Generic, Literal, Protocol, TypeVar, overload

from sqlalchemy import DateTime, LargeBinary, String, func, select, update
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, Session, mapped_column, scoped_session
from sqlalchemy.types import TypeDecorator

from .blind_index import DEFAULT_BITS, BlindIndex, Normalizer, normalize_name
from .envelope import DataKey, unwrap, wrap
from .errors import DataKeyShredded
from .fields import decrypt_bytes, encrypt_bytes, field_context
from .keyring import KeyRing
from .rotation import StoredKey


class Ciphertext(TypeDecorator[bytes]):
    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> bytes | None:
        if value is None or isinstance(value, bytes):
            return value
        raise TypeError("Ciphertext columns take encrypted bytes only; assign through the EncryptedField")


class EncryptedRecord(Protocol):
    id: Any
    __tablename__: str

    def field_data_key(self) -> DataKey: ...


T = TypeVar("T", str, bytes, dt.date)
Kind = Literal["text", "bytes", "date"]


class EncryptedField(Generic[T]):
    """Descriptor exposing the plaintext of the ``Ciphertext`` column ``_<name>``."""

    def __init__(
        self,
        kind: Kind = "text",
        *,
        index: str | None = None,
        normalizer: Normalizer = normalize_name,
        bits: int = DEFAULT_BITS,
        key: str = "field_data_key",
    ) -> None:
        self.kind = kind
        self.key = key  # the model method that returns the data key for this field
        self.index_attr = index
        self.normalizer = normalizer
        self.bits = bits
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.storage = f"_{name}"
        if self.storage not in vars(owner):
            # Without its column the value would live in a plain attribute and never be saved.
            raise TypeError(f"{owner.__name__}.{name} needs a Ciphertext column attribute named {self.storage}")

    def blind_index(self, table: str) -> BlindIndex:
        return BlindIndex(table, self.name, self.normalizer, self.bits)

    def _context(self, instance: Any) -> bytes:
        if instance.id is None:
            raise ValueError(f"{type(instance).__name__} needs its id before {self.name} is set")
        return field_context(instance.__tablename__, self.name, instance.id)

    @overload
    def __get__(self, instance: None, owner: type) -> EncryptedField[T]: ...
    @overload
    def __get__(self, instance: object, owner: type) -> T | None: ...

    def __get__(self, instance: Any, owner: type) -> Any:
        if instance is None:
            return self
        blob = getattr(instance, self.storage)
        if blob is None:
            return None
        raw = decrypt_bytes(getattr(instance, self.key)(), blob, self._context(instance))
        if self.kind == "bytes":
            return raw
        text = raw.decode("utf-8")
        return dt.date.fromisoformat(text) if self.kind == "date" else text

    def __set__(self, instance: Any, value: T | None) -> None:
        if self.index_attr is not None:
            key = instance.field_index_key()
            bucket = None if value is None else self.blind_index(instance.__tablename__).compute(key, str(value))
            setattr(instance, self.index_attr, bucket)
        if value is None or value == "":
            setattr(instance, self.storage, None)
            return
        if self.kind == "bytes":
            if not isinstance(value, bytes):
                raise TypeError(f"{self.name} takes bytes")
            raw = value
        elif self.kind == "date":
            if not isinstance(value, dt.date):
                raise TypeError(f"{self.name} takes a date")
            raw = value.isoformat().encode()
        else:
            if not isinstance(value, str):
                raise TypeError(f"{self.name} takes text")
            raw = value.encode("utf-8")
        setattr(instance, self.storage, encrypt_bytes(getattr(instance, self.key)(), raw, self._context(instance)))


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class DataKeyMixin:
    """Columns and behaviour of the table that holds wrapped data keys, one row per owner.

    The app's model is ``class DataKeyRecord(Base, DataKeyMixin)``. Shredding clears the
    wrapped key and keeps the row (the date of shredding is itself worth keeping).
    """

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    owner: Mapped[str] = mapped_column(String(80), unique=True)
    kek_id: Mapped[str | None] = mapped_column(String(64), index=True)
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_utcnow)
    rotated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    shredded_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    @classmethod
    def create(cls, keyring: KeyRing, owner: str) -> tuple[Any, DataKey]:
        """A new row with a fresh data key wrapped under the newest KEK, and the key itself."""
        data_key = DataKey.generate()
        mapped: Any = cls  # the concrete mapped subclass supplies the keyword constructor
        record = mapped(
            id=str(uuid.uuid4()),
            owner=owner,
            kek_id=keyring.newest_id,
            wrapped_key=wrap(data_key, keyring, owner),
        )
        return record, data_key

    def unwrap(self, keyring: KeyRing) -> DataKey:
        if self.wrapped_key is None:
            raise DataKeyShredded(f"the data key of {self.owner} was shredded")
        return unwrap(self.wrapped_key, keyring, self.owner)

    def shred(self) -> None:
        """Destroy the data key: every value encrypted under it becomes unrecoverable."""
        self.wrapped_key = None
        self.kek_id = None
        self.shredded_at = _utcnow()


class SqlWrappedKeyStore:
    """``WrappedKeyStore`` over a ``DataKeyMixin`` model, for ``rotation.rotate``."""

    def __init__(self, session: Session | scoped_session[Any], model: type[DataKeyMixin]) -> None:
        self.session = session
        self.model = model

    def _stale(self, kek_id: str) -> Any:
        m = self.model
        return (m.wrapped_key.is_not(None)) & (m.kek_id != kek_id)

    def count_not_under(self, kek_id: str) -> int:
        stmt = select(func.count()).select_from(self.model).where(self._stale(kek_id))
        return int(self.session.scalar(stmt) or 0)

    def batch_not_under(self, kek_id: str, limit: int) -> Sequence[StoredKey]:
        m = self.model
        rows = self.session.execute(
            select(m.id, m.owner, m.wrapped_key).where(self._stale(kek_id)).order_by(m.id).limit(limit)
        ).all()
        return [StoredKey(ref=r.id, owner=r.owner, wrapped=r.wrapped_key) for r in rows]

    def replace(self, item: StoredKey, new_wrapped: bytes, new_kek_id: str) -> bool:
        m = self.model
        result = self.session.execute(
            update(m)
            .where(m.id == item.ref, m.wrapped_key == item.wrapped)
            .values(wrapped_key=new_wrapped, kek_id=new_kek_id, rotated_at=_utcnow())
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    def commit(self) -> None:
        self.session.commit()
