"""Administrative locations (region → cercle → commune), loaded from a data file.

The hierarchy is data, never code: Mali's administrative reforms add regions and cercles, and
a deployment updates the file, not the program. Migration 0005 loads Mali's regions and cercles
from ``data/locations_ml.csv``; communes come from ``flask --app wsgi locations import FILE`` and
the admin pages (docs/operations.md). A location is never deleted while a record uses it: it is
deactivated, and forms stop offering it.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, ForeignKey, String, select, true
from sqlalchemy.orm import Mapped, Session, mapped_column, scoped_session

from .base import db

LEVELS = ("region", "cercle", "commune")
MALI_LOCATIONS = Path(__file__).parent / "data" / "locations_ml.csv"


class Location(db.Model):  # type: ignore[name-defined]
    __tablename__ = "locations"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_fr: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    level: Mapped[str] = mapped_column(String(16), index=True)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("locations.code"), index=True)
    # Deactivated places are no longer offered in forms; records that use them keep them.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_fr


class LocationFileError(ValueError):
    """The location file is malformed (the message gives the line)."""


def load_locations(session: Session | scoped_session[Any], path: Path = MALI_LOCATIONS) -> int:
    """Insert or update every row of ``path`` (code,name_fr,name_en,level,parent); returns the count."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    known = {loc.code: loc for loc in session.scalars(select(Location))}
    seen: set[str] = set()
    for line, row in enumerate(rows, start=2):
        code, level, parent = row.get("code", "").strip(), row.get("level", "").strip(), row.get("parent", "").strip()
        if not code or level not in LEVELS or not row.get("name_fr") or not row.get("name_en"):
            raise LocationFileError(f"{path.name} line {line}: needs code, name_fr, name_en and a level in {LEVELS}")
        if parent and parent not in seen and parent not in known:
            raise LocationFileError(f"{path.name} line {line}: parent {parent} must come before its children")
        location = known.get(code) or Location(code=code)
        location.name_fr, location.name_en = row["name_fr"].strip(), row["name_en"].strip()
        location.level, location.parent_code = level, parent or None
        session.add(location)
        known[code] = location
        seen.add(code)
    session.flush()
    return len(rows)
