"""The service directory, referrals with their consented packet, service gaps and transfers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crypto import DataKey
from crypto.sqla import Ciphertext, EncryptedField

from .agency import Agency
from .base import UTCDateTime, db, new_uuid, utcnow
from .case import Case
from .keys import HasEncryptedFields
from .user import User


class Provider(db.Model):  # type: ignore[name-defined]
    """A service in the directory: who offers what, where, for whom."""

    __tablename__ = "providers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    agency: Mapped[Agency] = relationship(lazy="joined")
    hours: Mapped[str | None] = mapped_column(String(120))
    languages: Mapped[str | None] = mapped_column(String(120))
    contact: Mapped[str | None] = mapped_column(String(120))  # the service's own desk, not a survivor's
    serves_children: Mapped[bool] = mapped_column(Boolean, default=True)
    clinical_management_of_rape: Mapped[bool] = mapped_column(Boolean, default=False)
    pep_kits_in_stock: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    services: Mapped[list[ProviderService]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    locations: Mapped[list[ProviderLocation]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("id", new_uuid())
        super().__init__(**kwargs)

    @property
    def service_types(self) -> list[str]:
        return sorted(s.service_type for s in self.services)

    @property
    def location_codes(self) -> list[str]:
        return sorted(loc.location_code for loc in self.locations)


class ProviderService(db.Model):  # type: ignore[name-defined]
    __tablename__ = "provider_services"
    __table_args__ = (UniqueConstraint("provider_id", "service_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"), index=True)
    service_type: Mapped[str] = mapped_column(String(24), index=True)


class ProviderLocation(db.Model):  # type: ignore[name-defined]
    __tablename__ = "provider_locations"
    __table_args__ = (UniqueConstraint("provider_id", "location_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"), index=True)
    location_code: Mapped[str] = mapped_column(ForeignKey("locations.code"), index=True)


class Referral(db.Model, HasEncryptedFields):  # type: ignore[name-defined]
    """A referral and its packet. The packet is a copy encrypted under the referral's own data
    key: the provider reads it without the case's key, and shredding it ends the provider's
    access for good (consent withdrawn, referral closed)."""

    __tablename__ = "referrals"
    __table_args__ = (UniqueConstraint("case_id", "request_key"),)
    DATA_KEY_OWNER = "referral"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    case: Mapped[Case] = relationship(backref=db.backref("referrals", order_by="Referral.created_at",
                                                         cascade="all, delete-orphan"))
    provider_id: Mapped[str] = mapped_column(ForeignKey("providers.id"), index=True)
    provider: Mapped[Provider] = relationship(lazy="joined")
    service_type: Mapped[str] = mapped_column(String(24), index=True)
    # The incident this referral answers: its outcome goes on that incident's pathway line.
    incident_id: Mapped[str | None] = mapped_column(ForeignKey("incidents.id", ondelete="SET NULL"), index=True)
    urgency: Mapped[str] = mapped_column(String(8), default="normal")
    state: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    # A random key sent with the form: a double click or a retried request finds this row
    # instead of making a second referral.
    request_key: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    responded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(String(32))  # decline / not-delivered reason code
    # A service with no Sutura account (police, courts, state health centres): the caseworker
    # records its answers on its behalf, from the printed form's reply slip or a call.
    answered_on_behalf: Mapped[bool] = mapped_column(Boolean, default=False)
    packet_fields: Mapped[str] = mapped_column(String(300), default="")  # names only, comma-separated
    _packet_json: Mapped[bytes | None] = mapped_column("packet", Ciphertext)
    packet_json: EncryptedField[bytes] = EncryptedField("bytes")
    _note: Mapped[bytes | None] = mapped_column("note", Ciphertext)
    note = EncryptedField()
    # The provider's feedback is for the caseworker: kept under the case's key, so it outlives
    # the packet (shredded when the referral is closed).
    _feedback: Mapped[bytes | None] = mapped_column("feedback", Ciphertext)
    feedback = EncryptedField(key="case_data_key")

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("id", new_uuid())
        super().__init__(**kwargs)

    def case_data_key(self) -> DataKey:
        return self.case.field_data_key()


class ServiceGap(db.Model):  # type: ignore[name-defined]
    """'Service unavailable': no provider offers this service here. Data for the sub-cluster."""

    __tablename__ = "service_gaps"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    service_type: Mapped[str] = mapped_column(String(24), index=True)
    incident_id: Mapped[str | None] = mapped_column(ForeignKey("incidents.id", ondelete="SET NULL"), index=True)
    # The survivor's consent to statistics, copied from the case and kept in step with it.
    reporting_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    location_code: Mapped[str | None] = mapped_column(ForeignKey("locations.code"))
    region_code: Mapped[str | None] = mapped_column(String(32), index=True)
    recorded_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class CaseTransfer(db.Model):  # type: ignore[name-defined]
    """A whole case moving to another agency; ownership changes when its supervisor accepts."""

    __tablename__ = "case_transfers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    case: Mapped[Case] = relationship(backref=db.backref("transfers", cascade="all, delete-orphan"))
    from_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    to_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    to_agency: Mapped[Agency] = relationship(foreign_keys=[to_agency_id], lazy="joined")
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    requested_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("id", new_uuid())
        super().__init__(**kwargs)
