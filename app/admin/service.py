"""Creating and changing users, agencies and locations: the rules shared by the admin pages and the CLI."""

from __future__ import annotations

import csv
import io
import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from cpims.options import SUB_CLUSTERS
from models import AGENCY_ROLES, ROLES, Agency, Location, Provider, User, db
from models.location import LEVELS

from .. import audit, passwords
from ..auth import accounts
from ..errors import ValidationFailed
from ..policy import answers_for_provider, coordinates_sub_cluster
from ..validation import AGENCY_CODE

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")


def agency_by_code(code: str) -> Agency | None:
    return db.session.scalar(select(Agency).where(Agency.code == code.strip().upper()))


def validate_role_and_agency(role: str, agency: Agency | None, errors: dict[str, list[str]]) -> None:
    if role not in ROLES:
        errors.setdefault("role", []).append(str(_l("Unknown role. Choose one of: %(roles)s.", roles=", ".join(ROLES))))
    elif role in AGENCY_ROLES and agency is None:
        errors.setdefault("agency", []).append(str(_l("This role works for an agency: choose one.")))
    if agency is not None and not agency.active:
        errors.setdefault("agency", []).append(str(_l("This agency is deactivated.")))


def validate_sub_cluster(role: str, sub_cluster: str | None, errors: dict[str, list[str]]) -> str | None:
    """A cluster lead coordinates the GBV or the CP sub-cluster and must say which; no other
    role has one. Returns the code to store."""
    code = (sub_cluster or "").strip().lower() or None
    if coordinates_sub_cluster(role):
        if code not in SUB_CLUSTERS:
            errors.setdefault("sub_cluster", []).append(
                str(
                    _l(
                        "Choose the sub-cluster this lead coordinates: %(names)s.",
                        names=", ".join(f"{code} ({_l(label)})" for code, label in SUB_CLUSTERS.items()),
                    )
                )
            )
        return code
    if code is not None:
        errors.setdefault("sub_cluster", []).append(str(_l("Only a sub-cluster lead belongs to a sub-cluster.")))
    return None


def create_user(
    username: str,
    role: str,
    agency_code: str | None,
    password: str,
    *,
    language: str | None = None,
    is_demo: bool = False,
    provider_code: str | None = None,
    created_by: User | None = None,
    sub_cluster: str | None = None,
) -> User:
    """Validate everything first, then write: a refused user leaves nothing behind.

    ``created_by`` is the administrator at work; None is the server's operator (CLI, demo),
    whose case roles are in force at once. Every new account but a demo one replaces its
    initial password at first sign-in."""
    errors: dict[str, list[str]] = {}
    name = username.strip().casefold()
    if not USERNAME.match(name):
        errors["username"] = [str(_l("3 to 64 characters: lower-case letters, digits, dot, dash, underscore."))]
    elif db.session.scalar(select(func.count()).select_from(User).where(func.lower(User.username) == name)):
        errors["username"] = [str(_l("This username is taken."))]
    agency = None
    if agency_code:
        agency = agency_by_code(agency_code)
        if agency is None:
            errors["agency"] = [str(_l("No agency has the code %(code)s.", code=agency_code))]
    validate_role_and_agency(role, agency, errors)
    provider = None
    if provider_code:
        provider = db.session.scalar(select(Provider).where(Provider.code == provider_code.strip().upper()))
        if provider is None:
            errors["provider"] = [str(_l("No service in the directory has the code %(code)s.", code=provider_code))]
        elif not answers_for_provider(role):
            errors["provider"] = [str(_l("Only a service provider user answers for a directory entry."))]
    sub_cluster = validate_sub_cluster(role, sub_cluster, errors)
    if problems := passwords.password_problems(password, name):
        errors["password"] = problems
    if errors:
        raise ValidationFailed(fields=errors)
    user = User(
        username=name,
        password_hash=passwords.hash_password(password),
        language=language,
        is_demo=is_demo,
        provider_id=provider.id if provider else None,
        sub_cluster=sub_cluster,
        created_by_id=created_by.id if created_by else None,
        must_change_password=not is_demo,
    )
    accounts.set_role(user, role, agency, by=created_by)
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.created",
        target_type="user",
        target_id=user.id,
        details={"role": role, "agency": agency.code if agency else None, "sub_cluster": sub_cluster},
    )
    return user


def create_agency(code: str, name: str, isp_signed: bool) -> Agency:
    errors: dict[str, list[str]] = {}
    code = code.strip().upper()
    if not AGENCY_CODE.match(code):
        errors["code"] = [str(_l("2 to 32 characters: capital letters, digits, dash, underscore."))]
    elif agency_by_code(code) is not None:
        errors["code"] = [str(_l("An agency already has this code."))]
    if not name.strip() or len(name) > 200:
        errors["name"] = [str(_l("Give the agency's name (at most 200 characters)."))]
    if errors:
        raise ValidationFailed(fields=errors)
    agency = Agency(code=code, name=name.strip(), isp_signed=isp_signed)
    db.session.add(agency)
    db.session.flush()
    audit.record(
        "agency.created", target_type="agency", target_id=agency.id, details={"code": code, "isp_signed": isp_signed}
    )
    return agency


# Locations ----------------------------------------------------------------------------------

LOCATION_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,31}$")
LOCATION_COLUMNS = ("code", "name_fr", "name_en", "level", "parent")
LEVEL_LABELS = {"region": _l("Region"), "cercle": _l("Cercle"), "commune": _l("Commune")}


def _good_name(text: str) -> bool:
    """1 to 120 characters, none of them a control character (PostgreSQL refuses NUL)."""
    return 0 < len(text) <= 120 and not any(ord(ch) < 32 or ord(ch) == 127 for ch in text)


def _location_errors(
    values: dict[str, str], known: dict[str, Location | dict[str, str]], prefix: str = ""
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Normalise and check one location (new or re-imported); ``known`` maps code → location."""
    errors: dict[str, list[str]] = {}
    code = (values.get("code") or "").strip().upper()
    level = (values.get("level") or "").strip().casefold()
    parent = (values.get("parent") or "").strip().upper()
    names = {k: (values.get(k) or "").strip() for k in ("name_fr", "name_en")}
    if not LOCATION_CODE.match(code):
        errors[prefix + "code"] = [str(_l("2 to 32 characters: capital letters, digits, dash, underscore."))]
    for key, text in names.items():
        if not _good_name(text):
            errors[prefix + key] = [str(_l("Give the name (at most 120 characters)."))]
    if level not in LEVELS:
        errors[prefix + "level"] = [str(_l("Choose one of: %(levels)s.", levels=", ".join(LEVELS)))]
    elif level == "region" and parent:
        errors[prefix + "parent"] = [str(_l("A region has no parent."))]
    elif level != "region" and not parent:
        errors[prefix + "parent"] = [str(_l("Give the code of the place it belongs to."))]
    elif parent:
        above = known.get(parent)
        above_level = above.get("level", "") if isinstance(above, dict) else getattr(above, "level", "")
        if above is None:
            errors[prefix + "parent"] = [str(_l("No location has the code %(code)s.", code=parent))]
        elif LEVELS.index(above_level) >= LEVELS.index(level):
            errors[prefix + "parent"] = [
                str(_l("%(code)s is a %(level)s: the parent must be a larger place.", code=parent,
                       level=str(LEVEL_LABELS.get(above_level, above_level)).lower()))
            ]
    existing = known.get(code) if code else None
    if isinstance(existing, Location) and (existing.level, existing.parent_code or "") != (level, parent):
        errors[prefix + "code"] = [
            str(_l("%(code)s already exists with another level or parent; only its names can change.", code=code))
        ]
    return {"code": code, "level": level, "parent": parent, **names}, errors


def _known_locations() -> dict[str, Location | dict[str, str]]:
    return {loc.code: loc for loc in db.session.scalars(select(Location))}


def _new_location(clean: dict[str, str]) -> Location:
    """An active location from checked values (code, names, level, parent)."""
    return Location(
        code=clean["code"],
        name_fr=clean["name_fr"],
        name_en=clean["name_en"],
        level=clean["level"],
        parent_code=clean["parent"] or None,
        active=True,
    )


def create_location(values: dict[str, str]) -> Location:
    """Add one location (admin page); validated in full before it is written."""
    known = _known_locations()
    clean, errors = _location_errors(values, known)
    if clean["code"] in known and "code" not in errors:
        errors["code"] = [str(_l("A location already has this code."))]
    if errors:
        raise ValidationFailed(fields=errors)
    location = _new_location(clean)
    db.session.add(location)
    db.session.flush()
    audit.record(
        "location.created",
        target_type="location",
        target_id=location.code,
        details={"level": location.level, "parent": location.parent_code},
    )
    return location


def update_location(location: Location, name_fr: str, name_en: str, active: bool) -> list[str]:
    """Rename or (de)activate; the code, level and parent never change (records point at them)."""
    errors: dict[str, list[str]] = {}
    names = {"name_fr": name_fr.strip(), "name_en": name_en.strip()}
    for key, text in names.items():
        if not _good_name(text):
            errors[key] = [str(_l("Give the name (at most 120 characters)."))]
    if errors:
        raise ValidationFailed(fields=errors)
    changed = sorted(
        k for k, v in (*names.items(), ("active", active)) if v != getattr(location, k)
    )
    location.name_fr, location.name_en, location.active = names["name_fr"], names["name_en"], active
    if changed:
        audit.record("location.updated", target_type="location", target_id=location.code, details={"changed": changed})
    return changed


def import_locations(text: str) -> tuple[int, int]:
    """Create or rename locations from CSV (code,name_fr,name_en,level,parent): all lines or none.

    A bad line names itself (``line N: column``) and nothing is written. A code that exists keeps
    its level and parent (records point at them); its names are updated. Parents come from the
    database or from an earlier line. Returns (created, renamed).
    """
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in LOCATION_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValidationFailed(fields={"file": [str(_l("Missing columns: %(columns)s.", columns=", ".join(missing)))]})
    known = _known_locations()
    errors: dict[str, list[str]] = {}
    entries: list[dict[str, str]] = []
    seen: set[str] = set()
    for line, row in enumerate(reader, start=2):
        clean, row_errors = _location_errors(row, known, prefix=f"line {line}: ")
        if clean["code"] in seen:
            row_errors.setdefault(f"line {line}: code", []).append(str(_l("This code is already on an earlier line.")))
        errors.update(row_errors)
        if not row_errors:
            seen.add(clean["code"])
            entries.append(clean)
            if clean["code"] not in known:
                known[clean["code"]] = clean
        if len(errors) > 50:
            break
    if not entries and not errors:
        errors["file"] = [str(_l("The file has no location."))]
    if errors:  # validated in full before the first write
        raise ValidationFailed(fields=errors)
    created = renamed = 0
    for entry in entries:
        existing = known.get(entry["code"])
        if isinstance(existing, Location):
            if (existing.name_fr, existing.name_en) != (entry["name_fr"], entry["name_en"]):
                existing.name_fr, existing.name_en = entry["name_fr"], entry["name_en"]
                renamed += 1
            continue
        db.session.add(_new_location(entry))
        db.session.flush()  # a later line may name it as its parent
        created += 1
    audit.record("locations.imported", target_type="location", details={"created": created, "renamed": renamed})
    return created, renamed
