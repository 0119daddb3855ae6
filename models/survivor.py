"""The survivor of a case: identifying values encrypted under the case's key, coded values plain."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crypto.blind_index import normalize_phone, scoped_index_key
from crypto.sqla import Ciphertext, EncryptedField

from .base import db, new_uuid
from .case import Case
from .keys import EncryptedUnderCase, keyring


def agency_index_key(agency_id: int) -> bytes:
    """The blind-index key of one agency's survivors (``crypto.blind_index.scoped_index_key``)."""
    return scoped_index_key(keyring().index_key, f"agency:{agency_id}")


class Survivor(db.Model, EncryptedUnderCase):  # type: ignore[name-defined]
    __tablename__ = "survivors"
    # A full name is looked up as a (given, family) pair of buckets: one index scan for the pair,
    # rather than two bitmaps holding every survivor with that given name or that family name.
    __table_args__ = (Index("ix_survivors_name_buckets", "given_name_bidx", "family_name_bidx"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    case: Mapped[Case] = relationship(backref=db.backref("survivor", uselist=False, lazy="joined"))

    # Identifying: ciphertext only in the database; blind indexes for exact-match search.
    _given_name: Mapped[bytes | None] = mapped_column("given_name", Ciphertext)
    given_name_bidx: Mapped[int | None] = mapped_column(index=True)
    given_name = EncryptedField(index="given_name_bidx")
    _family_name: Mapped[bytes | None] = mapped_column("family_name", Ciphertext)
    family_name_bidx: Mapped[int | None] = mapped_column(index=True)
    family_name = EncryptedField(index="family_name_bidx")
    _nickname: Mapped[bytes | None] = mapped_column("nickname", Ciphertext)
    nickname = EncryptedField()
    _phone: Mapped[bytes | None] = mapped_column("phone", Ciphertext)
    phone_bidx: Mapped[int | None] = mapped_column(index=True)
    phone = EncryptedField(index="phone_bidx", normalizer=normalize_phone)
    _address: Mapped[bytes | None] = mapped_column("address", Ciphertext)
    address = EncryptedField()
    _date_of_birth: Mapped[bytes | None] = mapped_column("date_of_birth", Ciphertext)
    date_of_birth: EncryptedField[dt.date] = EncryptedField("date")
    _caregiver_name: Mapped[bytes | None] = mapped_column("caregiver_name", Ciphertext)
    caregiver_name = EncryptedField()
    _caregiver_phone: Mapped[bytes | None] = mapped_column("caregiver_phone", Ciphertext)
    caregiver_phone = EncryptedField()
    _notes: Mapped[bytes | None] = mapped_column("notes", Ciphertext)
    notes = EncryptedField()
    # Ethnicity/clan and religion can single a person out in a small community: encrypted too.
    _ethnicity: Mapped[bytes | None] = mapped_column("ethnicity", Ciphertext)
    ethnicity = EncryptedField()
    _religion: Mapped[bytes | None] = mapped_column("religion", Ciphertext)
    religion = EncryptedField()
    # The ages of a survivor's dependants, with the rest, can point to one household.
    _dependants_ages: Mapped[bytes | None] = mapped_column("dependants_ages", Ciphertext)
    dependants_ages = EncryptedField()

    # Coded, non-identifying (GBVIMS): aggregated by SQL without any key.
    sex: Mapped[str] = mapped_column(String(8))
    age_at_registration: Mapped[int | None] = mapped_column(Integer)
    age_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    marital_status: Mapped[str | None] = mapped_column(String(16))
    displacement_status: Mapped[str | None] = mapped_column(String(20))
    disability: Mapped[str | None] = mapped_column(String(12))
    unaccompanied: Mapped[str | None] = mapped_column(String(24))
    nationality: Mapped[str | None] = mapped_column(String(8))  # ISO 3166-1 alpha-2 or "unknown"
    country_of_origin: Mapped[str | None] = mapped_column(String(8))
    occupation: Mapped[str | None] = mapped_column(String(32))
    dependants_count: Mapped[int | None] = mapped_column(Integer)
    # The IRF's child-survivor block (under 18).
    lives_alone: Mapped[str | None] = mapped_column(String(8))  # yes / no / unknown
    caretaker_relation: Mapped[str | None] = mapped_column(String(20))
    caretaker_marital_status: Mapped[str | None] = mapped_column(String(16))
    caretaker_occupation: Mapped[str | None] = mapped_column(String(32))

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("id", new_uuid())
        super().__init__(**kwargs)

    IDENTIFYING = ("given_name", "family_name", "nickname", "phone", "address", "date_of_birth",
                   "caregiver_name", "caregiver_phone", "notes", "ethnicity", "religion", "dependants_ages")
    INDEXED = ("given_name", "family_name", "phone")

    def field_index_key(self) -> bytes:
        # One index key per agency: a dump cannot link a survivor's records across agencies.
        return agency_index_key(self.case.agency_id)

    def reindex(self) -> None:
        """Compute the blind indexes again (the case moved to another agency)."""
        for name in self.INDEXED:
            setattr(self, name, getattr(self, name))

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.family_name) if p) or (self.nickname or "")
