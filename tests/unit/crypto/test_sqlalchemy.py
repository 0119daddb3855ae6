"""Encrypted columns on a real SQLite database: SQL sees ciphertext only; rotation is
resumable; shredding makes a record's values unrecoverable."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import ForeignKey, String, create_engine, event, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

from crypto import DataKeyShredded, DecryptionError, KeyRing, kek_id_of, rotate
from crypto.blind_index import normalize_phone
from crypto.rotation import StoredKey
from crypto.sqla import Ciphertext, DataKeyMixin, EncryptedField, SqlWrappedKeyStore


class Base(DeclarativeBase):
    pass


class DataKeyRecord(Base, DataKeyMixin):
    __tablename__ = "data_keys"


KEYRING: dict[str, KeyRing] = {}


class Person(Base):
    __tablename__ = "persons"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    data_key_id: Mapped[str] = mapped_column(ForeignKey("data_keys.id"))
    data_key_record: Mapped[DataKeyRecord] = relationship()
    _given_name: Mapped[bytes | None] = mapped_column("given_name", Ciphertext)
    given_name_bidx: Mapped[int | None] = mapped_column(index=True)
    _phone: Mapped[bytes | None] = mapped_column("phone", Ciphertext)
    phone_bidx: Mapped[int | None] = mapped_column(index=True)
    _note: Mapped[bytes | None] = mapped_column("note", Ciphertext)

    given_name = EncryptedField(index="given_name_bidx")
    phone = EncryptedField(index="phone_bidx", normalizer=normalize_phone)
    note = EncryptedField()

    def field_data_key(self):
        return self.data_key_record.unwrap(KEYRING["ring"])

    def field_index_key(self) -> bytes:
        return KEYRING["ring"].index_key


@pytest.fixture
def ring():
    KEYRING["ring"] = KeyRing.generate()
    return KEYRING["ring"]


@pytest.fixture
def session(tmp_path, ring):
    engine = create_engine(f"sqlite:///{tmp_path / 'crypto.db'}")
    statements: list[tuple[str, object]] = []
    event.listen(
        engine, "before_cursor_execute", lambda c, cur, stmt, params, ctx, many: statements.append((stmt, params))
    )
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        s.info["statements"] = statements
        s.info["path"] = tmp_path / "crypto.db"
        yield s


def new_person(session: Session, ring: KeyRing, **values) -> Person:
    pid = str(uuid.uuid4())
    record, _ = DataKeyRecord.create(ring, f"person:{pid}")
    person = Person(id=pid, data_key_record=record)
    for name, value in values.items():
        setattr(person, name, value)
    session.add(person)
    return person


def test_sql_and_file_hold_ciphertext_only(session, ring) -> None:
    new_person(session, ring, given_name="Aïssata", phone="+223 76 00 11 22", note="dort chez sa tante à Sévaré")
    session.commit()
    logged = repr(session.info["statements"])
    raw = session.info["path"].read_bytes()
    for secret in ("Aïssata", "76 00 11 22", "Sévaré"):
        assert secret not in logged
        assert secret.encode() not in raw
    session.expunge_all()
    person = session.scalars(select(Person)).one()
    assert (person.given_name, person.phone) == ("Aïssata", "+223 76 00 11 22")


def test_ciphertext_column_refuses_plaintext(session, ring) -> None:
    person = new_person(session, ring)
    person._given_name = "Aïssata"  # bypassing the descriptor
    with pytest.raises(Exception, match="encrypted bytes only"):
        session.commit()


@settings(max_examples=25, deadline=None)
@given(st.text(min_size=1, max_size=40).filter(str.strip))
def test_round_trip_through_database(tmp_path_factory, value) -> None:
    KEYRING["ring"] = ring = KeyRing.generate()
    engine = create_engine(f"sqlite:///{tmp_path_factory.mktemp('rt') / 'db.sqlite'}")
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        new_person(s, ring, note=value)
        s.commit()
        s.expunge_all()
        assert s.scalars(select(Person)).one().note == value


def test_value_moved_to_another_row_or_column_fails(session, ring) -> None:
    a = new_person(session, ring, given_name="Awa", note="x")
    b = new_person(session, ring, given_name="Kadi")
    session.commit()
    a._note = a._given_name  # same row and key, other column
    with pytest.raises(DecryptionError):
        _ = a.note
    b._given_name = a._given_name  # other row (and other key)
    with pytest.raises(DecryptionError):
        _ = b.given_name


def test_search_by_blind_index_then_filter(session, ring) -> None:
    for i in range(300):
        new_person(session, ring, given_name=f"Personne {i}")
    new_person(session, ring, given_name="Aïcha Maïga", phone="76 12 34 56")
    session.commit()
    index = Person.given_name.blind_index("persons")
    bucket = index.compute(ring.index_key, "aicha maiga")
    candidates = session.scalars(select(Person).where(Person.given_name_bidx == bucket)).all()
    found = [p for p in candidates if index.matches("aicha maiga", p.given_name)]
    assert [p.given_name for p in found] == ["Aïcha Maïga"]
    phone_bucket = Person.phone.blind_index("persons").compute(ring.index_key, "+22376123456")
    assert session.scalars(select(Person).where(Person.phone_bidx == phone_bucket)).first() is not None


def test_rotation_keeps_everything_readable_and_retires_old_kek(session, ring) -> None:
    people = [new_person(session, ring, given_name=f"Nom {i}") for i in range(25)]
    session.commit()
    old = ring.newest_id
    KEYRING["ring"] = ring2 = ring.with_new_kek()
    progress = []
    result = rotate(SqlWrappedKeyStore(session, DataKeyRecord), ring2, batch_size=10, on_progress=progress.append)
    assert (result.rewrapped, result.remaining) == (25, 0)
    assert [p.rewrapped for p in progress] == [10, 20, 25]
    KEYRING["ring"] = ring2.without_kek(old)
    session.expire_all()
    assert [p.given_name for p in people] == [f"Nom {i}" for i in range(25)]


class CrashingStore(SqlWrappedKeyStore):
    def __init__(self, *args, crash_after: int) -> None:
        super().__init__(*args)
        self.left = crash_after

    def replace(self, item: StoredKey, new_wrapped: bytes, new_kek_id: str) -> bool:
        if self.left == 0:
            raise RuntimeError("power cut")
        self.left -= 1
        return super().replace(item, new_wrapped, new_kek_id)


def test_interrupted_rotation_loses_nothing_and_resumes(session, ring) -> None:
    people = [new_person(session, ring, given_name=f"Nom {i}") for i in range(30)]
    session.commit()
    KEYRING["ring"] = ring2 = ring.with_new_kek()
    with pytest.raises(RuntimeError):
        rotate(CrashingStore(session, DataKeyRecord, crash_after=15), ring2, batch_size=10)
    session.rollback()  # the half-done batch is lost, the committed one stays
    session.expire_all()
    assert [p.given_name for p in people] == [f"Nom {i}" for i in range(30)]
    kek_ids = {kek_id_of(r.wrapped_key) for r in session.scalars(select(DataKeyRecord))}
    assert kek_ids == {ring.newest_id, ring2.newest_id}
    result = rotate(SqlWrappedKeyStore(session, DataKeyRecord), ring2)
    assert (result.rewrapped, result.remaining) == (20, 0)
    session.expire_all()
    assert [p.given_name for p in people] == [f"Nom {i}" for i in range(30)]


def test_shredding_makes_every_field_unrecoverable(session, ring) -> None:
    victim = new_person(session, ring, given_name="Hawa", phone="76000000", note="adresse")
    other = new_person(session, ring, given_name="Salimata")
    session.commit()
    stolen = (victim._given_name, victim._phone, victim._note)
    victim.data_key_record.shred()
    session.commit()
    session.expire_all()
    for name in ("given_name", "phone", "note"):
        with pytest.raises(DataKeyShredded):
            getattr(victim, name)
    assert victim.data_key_record.wrapped_key is None
    # Even with a ciphertext kept from before and the full key ring, nothing decrypts.
    assert other.given_name == "Salimata"
    assert all(stolen)
    result = rotate(SqlWrappedKeyStore(session, DataKeyRecord), ring.with_new_kek())
    assert result.rewrapped == 1  # only the living key; the shredded one is not resurrected
