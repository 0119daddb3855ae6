"""Keeping the service directory: one validator for the admin form, the CLI and CSV imports."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from models import Agency, Location, Provider, ProviderLocation, ProviderService, User, db
from referral.packet import SERVICE_TYPES

from .. import audit
from ..errors import ValidationFailed
from ..validation import AGENCY_CODE, Reader, present

CSV_COLUMNS = (
    "code",
    "name",
    "agency",
    "services",
    "locations",
    "hours",
    "languages",
    "serves_children",
    "clinical_management_of_rape",
    "pep_kits_in_stock",
    "active",
    "contact",
)


def _split(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value or "").replace(",", ";").split(";") if part.strip()]


@dataclass(frozen=True)
class ProviderEntry:
    """One validated entry of the service directory (from the admin form or a CSV line)."""

    code: str
    name: str
    agency: Agency
    services: list[str]
    locations: list[str]
    flags: dict[str, bool]  # serves_children, clinical_management_of_rape, pep_kits_in_stock, active
    hours: str | None
    languages: str | None
    contact: str | None


def upsert_provider(data: Mapping[str, Any], actor: User | None = None) -> Provider:
    """Create or update the directory entry ``data["code"]``; raise ValidationFailed."""
    return save_provider(read_provider(data), actor)


def read_provider(data: Mapping[str, Any], prefix: str = "") -> ProviderEntry:
    """Validate one entry without writing anything."""
    r = Reader(data, prefix)
    code = (r.text("code", required=True, max_length=32) or "").upper()
    if code and not AGENCY_CODE.match(code):
        r.fail("code", _("2 to 32 characters: capital letters, digits, dash, underscore."))
    name = r.text("name", required=True, max_length=200)
    agency_code = (r.text("agency", required=True, max_length=32) or "").upper()
    agency = db.session.scalar(select(Agency).where(Agency.code == agency_code)) if agency_code else None
    if agency_code and agency is None:
        r.fail("agency", _("No agency has the code %(code)s.", code=agency_code))
    services = _split(data.get("services"))
    if not services:
        r.fail("services", _("Give at least one service type."))
    elif unknown := [s for s in services if s not in SERVICE_TYPES]:
        r.fail("services", _("Unknown service types: %(codes)s.", codes=", ".join(unknown)))
    locations = _split(data.get("locations"))
    known = set(db.session.scalars(select(Location.code).where(Location.code.in_(locations)))) if locations else set()
    if not locations:
        r.fail("locations", _("Give at least one location served."))
    elif unknown := [c for c in locations if c not in known]:
        r.fail("locations", _("Unknown location codes: %(codes)s.", codes=", ".join(unknown)))
    flags = {
        name: bool(r.boolean(name, default=default))
        for name, default in (
            ("serves_children", True),
            ("clinical_management_of_rape", False),
            ("pep_kits_in_stock", False),
            ("active", True),
        )
    }
    hours, languages = r.text("hours", max_length=120), r.text("languages", max_length=120)
    contact = r.text("contact", max_length=120)
    r.raise_if_invalid()
    return ProviderEntry(
        code=code,
        name=present(name),
        agency=present(agency),
        services=services,
        locations=locations,
        flags=flags,
        hours=hours,
        languages=languages,
        contact=contact,
    )


def save_provider(entry: ProviderEntry, actor: User | None = None) -> Provider:
    code, services, locations = entry.code, entry.services, entry.locations
    provider = db.session.scalar(select(Provider).where(Provider.code == code))
    created = provider is None
    if provider is None:
        provider = Provider(code=code)
        db.session.add(provider)
    provider.name, provider.agency = entry.name, entry.agency
    provider.hours, provider.languages, provider.contact = entry.hours, entry.languages, entry.contact
    for flag, value in entry.flags.items():
        setattr(provider, flag, value)
    # Rows kept where they already exist: replacing the lists wholesale would insert the new
    # (provider, service) rows before deleting the old ones and break their unique constraint.
    kept_services = {s.service_type: s for s in provider.services}
    provider.services = [kept_services.get(s) or ProviderService(service_type=s) for s in dict.fromkeys(services)]
    kept_locations = {loc.location_code: loc for loc in provider.locations}
    provider.locations = [
        kept_locations.get(c) or ProviderLocation(location_code=c) for c in dict.fromkeys(locations)
    ]
    db.session.flush()
    audit.record(
        "provider.created" if created else "provider.updated",
        actor=actor,
        actor_name=None if actor else "cli",
        target_type="provider",
        target_id=provider.id,
        details={"code": code, "services": services, "locations": len(locations)},
    )
    return provider


def import_csv(text: str, actor: User | None = None) -> int:
    """All rows or none: a bad line names itself and nothing is written."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("code", "name", "agency", "services", "locations") if c not in (reader.fieldnames or [])]
    if missing:
        raise ValidationFailed(fields={"file": [_("Missing columns: %(columns)s.", columns=", ".join(missing))]})
    errors: dict[str, list[str]] = {}
    entries = []
    for line, row in enumerate(reader, start=2):
        try:
            entries.append(read_provider(row, prefix=f"line {line}: "))
        except ValidationFailed as exc:
            errors.update(exc.fields or {})
        if len(errors) > 50:
            break
    if errors:  # validated in full before the first write
        raise ValidationFailed(fields=errors)
    for entry in entries:
        save_provider(entry, actor)
    return len(entries)
