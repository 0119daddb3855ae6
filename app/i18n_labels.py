"""Translating the labels that domain packages mark with ``N_`` (they cannot import Flask)."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import get_locale, gettext
from sqlalchemy import select

from gbvims.countries import UNKNOWN, country_names
from gbvims.options import NOT_RECORDED, CountryLabel
from models import Location, db


def label(text: str | None) -> str:
    """A domain label in the user's language (a country's own labels carry their translations)."""
    if not text:
        return gettext(NOT_RECORDED)
    if isinstance(text, CountryLabel):
        return text.translations.get(str(get_locale() or "fr"), str(text))
    return gettext(text)


def coded(options: Mapping[str, str], code: str | None) -> str:
    """The label of a stored code; "Not recorded" when nobody answered. Never the raw code."""
    if code is None or code == "":
        return gettext(NOT_RECORDED)
    text = options.get(code)
    return label(text) if text is not None else gettext("Unknown")


def choices(options: Mapping[str, str]) -> list[tuple[str, str]]:
    """(code, translated label) pairs, in the list's order."""
    return [(code, label(text)) for code, text in options.items()]


def countries() -> list[tuple[str, str]]:
    """ISO 3166-1 countries named in the user's language, then "unknown"."""
    return [*country_names(str(get_locale() or "fr")), (UNKNOWN, gettext("Unknown"))]


def country_name(value: str | None) -> str:
    """What a country field shows: the name of a stored code, or the text as typed."""
    if not value:
        return ""
    if value == UNKNOWN:
        return gettext("Unknown")
    return dict(country_names(str(get_locale() or "fr"))).get(value, value)


def country(code: str | None) -> str:
    if not code:
        return gettext(NOT_RECORDED)
    if code == UNKNOWN:
        return gettext("Unknown")
    return dict(country_names(str(get_locale() or "fr"))).get(code, code)


def place_names() -> dict[str, str]:
    """Every location code → its name in the user's language."""
    language = str(get_locale() or "fr")
    return {loc.code: loc.name(language) for loc in db.session.scalars(select(Location))}


def regions() -> list[tuple[str, str]]:
    """(code, name) of the regions, by name."""
    language = str(get_locale() or "fr")
    rows = db.session.scalars(select(Location).where(Location.level == "region")).all()
    return sorted(((loc.code, loc.name(language)) for loc in rows), key=lambda pair: pair[1])
