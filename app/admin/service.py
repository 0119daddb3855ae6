"""Creating and changing users and agencies: the rules shared by the admin pages and the CLI."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from models import AGENCY_ROLES, ROLES, Agency, Provider, User, db

from .. import audit, passwords
from ..errors import ValidationFailed

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
AGENCY_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,31}$")


def agency_by_code(code: str) -> Agency | None:
    return db.session.scalar(select(Agency).where(Agency.code == code.strip().upper()))


def validate_role_and_agency(role: str, agency: Agency | None, errors: dict[str, list[str]]) -> None:
    if role not in ROLES:
        errors.setdefault("role", []).append(str(_l("Unknown role. Choose one of: %(roles)s.", roles=", ".join(ROLES))))
    elif role in AGENCY_ROLES and agency is None:
        errors.setdefault("agency", []).append(str(_l("This role works for an agency: choose one.")))
    if agency is not None and not agency.active:
        errors.setdefault("agency", []).append(str(_l("This agency is deactivated.")))


def create_user(
    username: str,
    role: str,
    agency_code: str | None,
    password: str,
    *,
    language: str | None = None,
    is_demo: bool = False,
    provider_code: str | None = None,
) -> User:
    """Validate everything first, then write: a refused user leaves nothing behind."""
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
        elif role != "provider":
            errors["provider"] = [str(_l("Only a service provider user answers for a directory entry."))]
    if problems := passwords.password_problems(password, name):
        errors["password"] = problems
    if errors:
        raise ValidationFailed(fields=errors)
    user = User(
        username=name,
        role=role,
        agency=agency,
        password_hash=passwords.hash_password(password),
        language=language,
        is_demo=is_demo,
        provider_id=provider.id if provider else None,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.created",
        target_type="user",
        target_id=user.id,
        details={"role": role, "agency": agency.code if agency else None},
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
