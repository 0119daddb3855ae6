"""Countries: ISO 3166-1 codes for nationality and country of origin, and the data a country
deployment adds to the IRF's adaptable lists (``<ISO code>.json`` beside this file)."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from babel import Locale

UNKNOWN = "unknown"
# Codes CLDR knows that are not countries of ISO 3166-1 (groupings, reserved, unknown region).
_NOT_COUNTRIES = frozenset({"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ"})


@cache
def country_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 code (from the CLDR data Babel ships)."""
    territories: Mapping[str, str] = dict(Locale.parse("en").territories)
    return frozenset(str(c) for c in territories if len(str(c)) == 2 and str(c).isalpha() and c not in _NOT_COUNTRIES)


@cache
def country_names(language: str) -> tuple[tuple[str, str], ...]:
    """(code, name) in ``language``, sorted by name as a reader of that language expects
    (built once per language: every form with a country field needs the list)."""
    territories: Mapping[str, str] = dict(Locale.parse(language).territories)
    return tuple(sorted(((c, territories.get(c, c)) for c in country_codes()), key=lambda pair: _sort_key(pair[1])))


LANGUAGES = ("en", "fr")
_UNKNOWN_WORDS = frozenset({"unknown", "inconnu", "inconnue"})


@cache
def _by_name() -> dict[str, str]:
    """Every country's name, in each language, folded → its code."""
    index: dict[str, str] = {}
    for language in LANGUAGES:
        for code, name in country_names(language):
            index[_sort_key(name)] = code
    return index


def code_for(text: str) -> str | None:
    """The ISO code of a country given as its code or its name in English or French (accents and
    case ignored); "unknown" for unknown; None when it is not a country."""
    cleaned = " ".join(text.split())
    if cleaned.upper() in country_codes():
        return cleaned.upper()
    folded = _sort_key(cleaned)
    if folded in _UNKNOWN_WORDS:
        return UNKNOWN
    return _by_name().get(folded)


def _sort_key(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()


def country_data(code: str) -> dict[str, dict[str, dict[str, str]]]:
    """A country's additions to the adaptable IRF lists (empty when it has none)."""
    path = Path(__file__).with_name(f"{code.upper()}.json")
    if not code.isalpha() or not path.exists():
        return {}
    data: dict[str, dict[str, dict[str, str]]] = json.loads(path.read_text(encoding="utf-8"))
    return data
