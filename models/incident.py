"""Incidents on the GBVIMS Incident Recording Form, and their alleged perpetrators.

Everything here is coded (for statistics in SQL) except the account of the incident, which is
free text and identifying: encrypted under the case's key.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crypto import DataKey
from crypto.sqla import Ciphertext, EncryptedField
from gbvims.options import PATHWAY_SERVICES

from .base import UTCDateTime, db, new_uuid, utcnow
from .case import Case
from .keys import EncryptedUnderCase, keyring

# One pathway_<service> column per service of the IRF's referral pathway (a test checks they exist).
PATHWAY_COLUMNS = tuple(PATHWAY_SERVICES)


class Incident(db.Model, EncryptedUnderCase):  # type: ignore[name-defined]
    __tablename__ = "incidents"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_uuid)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    case: Mapped[Case] = relationship(
        backref=db.backref("incidents", order_by="Incident.date_of_incident", cascade="all, delete-orphan")
    )
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    created_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    date_of_incident: Mapped[dt.date] = mapped_column(Date, index=True)
    date_of_interview: Mapped[dt.date] = mapped_column(Date, index=True)
    # Local time of the deployment ("HH:MM") when the survivor knows it; else the IRF's time of day.
    time_of_incident: Mapped[str | None] = mapped_column(String(5))
    time_of_day: Mapped[str] = mapped_column(String(16))
    stage_of_displacement: Mapped[str | None] = mapped_column(String(20))
    place_type: Mapped[str] = mapped_column(String(20))
    location_code: Mapped[str | None] = mapped_column(ForeignKey("locations.code"), index=True)
    region_code: Mapped[str | None] = mapped_column(String(32), index=True)

    # The classification tool's answers and its verdict (never typed by hand).
    answers: Mapped[dict[str, bool]] = mapped_column(JSON)
    gbv_type: Mapped[str] = mapped_column(String(24), index=True)
    flag_intimate_partner_violence: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_child_sexual_abuse: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_early_marriage: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_possible_sexual_exploitation: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_possible_sexual_slavery: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_harmful_traditional_practice: Mapped[bool] = mapped_column(Boolean, default=False)

    # No answer is assumed: None means "not recorded", never "no".
    harmful_traditional_practice: Mapped[str | None] = mapped_column(String(16))
    money_or_goods_exchanged: Mapped[str | None] = mapped_column(String(8))  # yes / no / unknown
    abduction: Mapped[str | None] = mapped_column(String(24))
    reported_elsewhere: Mapped[str] = mapped_column(String(20))
    reported_elsewhere_to: Mapped[str | None] = mapped_column(String(24))  # type of provider
    previous_gbv: Mapped[str | None] = mapped_column(String(8))  # yes / no / unknown
    # Survivor at the time of the incident (coded copies, for statistics without joins).
    age_at_incident: Mapped[int | None] = mapped_column(Integer)
    survivor_sex: Mapped[str] = mapped_column(String(8))
    marital_status: Mapped[str | None] = mapped_column(String(16))
    displacement_status: Mapped[str | None] = mapped_column(String(20))
    disability: Mapped[str | None] = mapped_column(String(12))
    unaccompanied: Mapped[str | None] = mapped_column(String(24))

    # Perpetrators as the IRF counts them: the number is its own answer ("1", "2", "3",
    # "more_than_3", "unknown"; the rows may describe fewer), the sex is female, male, both
    # (derived from the rows) or unknown, and the primary one is the row flagged primary —
    # copied here so statistics need no join over the subform.
    perpetrator_count: Mapped[str | None] = mapped_column(String(12))
    perpetrator_sex: Mapped[str | None] = mapped_column(String(8))
    primary_relationship: Mapped[str | None] = mapped_column(String(32))
    primary_age_group: Mapped[str | None] = mapped_column(String(8))
    primary_occupation: Mapped[str | None] = mapped_column(String(32))

    # The survivor's consent to non-identifiable reporting, copied from the case and kept in step
    # with it (a withdrawal updates it at once), so statistics read one table.
    reporting_consent: Mapped[bool] = mapped_column(Boolean, default=False)

    referred_by: Mapped[str | None] = mapped_column(String(24))
    # Referral pathway per service; None: not recorded (nobody answered), never "referred".
    pathway_shelter: Mapped[str | None] = mapped_column(String(24))
    pathway_health: Mapped[str | None] = mapped_column(String(24))
    pathway_psychosocial: Mapped[str | None] = mapped_column(String(24))
    pathway_legal: Mapped[str | None] = mapped_column(String(24))
    pathway_security: Mapped[str | None] = mapped_column(String(24))
    pathway_livelihoods: Mapped[str | None] = mapped_column(String(24))
    pathway_child_protection: Mapped[str | None] = mapped_column(String(24))
    wants_legal_action: Mapped[str | None] = mapped_column(String(12))
    # Mandatory reporting (GBV case management guidelines).
    mandatory_report_made: Mapped[bool | None] = mapped_column(Boolean)
    survivor_informed_of_report: Mapped[bool | None] = mapped_column(Boolean)

    _account: Mapped[bytes | None] = mapped_column("account", Ciphertext)
    account = EncryptedField()
    # "If non-GBV, describe": free text about a person's life, so encrypted like the account.
    _non_gbv_description: Mapped[bytes | None] = mapped_column("non_gbv_description", Ciphertext)
    non_gbv_description = EncryptedField()

    perpetrators: Mapped[list[Perpetrator]] = relationship(
        back_populates="incident", cascade="all, delete-orphan", order_by="Perpetrator.position", lazy="selectin"
    )

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("id", new_uuid())
        super().__init__(**kwargs)

    @property
    def context_flags(self) -> list[str]:
        return [name.removeprefix("flag_") for name in FLAG_COLUMNS if getattr(self, name)]

    def pathway(self) -> dict[str, str | None]:
        return {service: getattr(self, f"pathway_{service}") for service in PATHWAY_COLUMNS}


FLAG_COLUMNS = (
    "flag_intimate_partner_violence",
    "flag_child_sexual_abuse",
    "flag_early_marriage",
    "flag_possible_sexual_exploitation",
    "flag_possible_sexual_slavery",
    "flag_harmful_traditional_practice",
)


class Perpetrator(db.Model):  # type: ignore[name-defined]
    __tablename__ = "perpetrators"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    incident: Mapped[Incident] = relationship(back_populates="perpetrators")
    position: Mapped[int] = mapped_column(Integer, default=0)
    primary: Mapped[bool] = mapped_column(Boolean, default=False)
    sex: Mapped[str] = mapped_column(String(8))  # female, male or unknown ("both" is incident-level)
    age_group: Mapped[str] = mapped_column(String(8))
    relationship_code: Mapped[str] = mapped_column("relationship", String(32))
    occupation: Mapped[str | None] = mapped_column(String(32))
    nationality: Mapped[str | None] = mapped_column(String(8))  # ISO 3166-1 alpha-2 or "unknown"
    past_gbv: Mapped[str | None] = mapped_column(String(8))
    # Ethnicity or clan singles a person out in a small community: encrypted under the case key.
    _ethnicity: Mapped[bytes | None] = mapped_column("ethnicity", Ciphertext)
    ethnicity = EncryptedField()

    def field_data_key(self) -> DataKey:
        return self.incident.case.field_data_key()

    def field_index_key(self) -> bytes:
        return keyring().index_key
