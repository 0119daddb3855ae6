"""SQLAlchemy models, one module per aggregate. Importing this package registers them all."""

from .agency import Agency
from .api_token import ApiToken
from .audit import AuditEvent, AuditHead
from .base import Base, db, utcnow
from .keys import DataKeyRecord
from .location import Location
from .user import AGENCY_ROLES, ROLES, User

__all__ = [
    "AGENCY_ROLES", "ROLES", "Agency", "ApiToken", "AuditEvent", "AuditHead", "Base", "DataKeyRecord",
    "Location", "User", "db", "utcnow",
]
