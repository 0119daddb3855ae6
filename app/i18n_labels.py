"""Translating the labels that domain packages mark with ``N_`` (they cannot import Flask)."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext


def label(text: str) -> str:
    return gettext(text) if text else text


def choices(options: Mapping[str, str]) -> list[tuple[str, str]]:
    """(code, translated label) pairs, in the list's order."""
    return [(code, gettext(text)) for code, text in options.items()]
