"""Translating the labels that domain packages mark with ``N_`` (they cannot import Flask)."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import get_locale, gettext
from sqlalchemy import select

from models import Location, db


def label(text: str) -> str:
    return gettext(text) if text else text


def choices(options: Mapping[str, str]) -> list[tuple[str, str]]:
    """(code, translated label) pairs, in the list's order."""
    return [(code, gettext(text)) for code, text in options.items()]


def place_names() -> dict[str, str]:
    """Every location code → its name in the user's language."""
    language = str(get_locale() or "fr")
    return {loc.code: loc.name(language) for loc in db.session.scalars(select(Location))}


def regions() -> list[tuple[str, str]]:
    """(code, name) of the regions, by name."""
    language = str(get_locale() or "fr")
    rows = db.session.scalars(select(Location).where(Location.level == "region")).all()
    return sorted(((loc.code, loc.name(language)) for loc in rows), key=lambda pair: pair[1])
