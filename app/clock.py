"""Dates and times as people read them: the deployment's local time zone (caseworkers record
times of incidents in it) and date formats per language (30/11/2026 04:23 in French)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from flask import current_app
from flask_babel import format_datetime, get_locale

from gbvims.care import IncidentTime, incident_time

# Patterns (CLDR): day first in both languages, as in Mali; 24-hour clock.
DATE_PATTERNS = {"fr": "dd/MM/yyyy", "en": "d MMM yyyy"}
MOMENT_PATTERNS = {"fr": "dd/MM/yyyy HH:mm", "en": "d MMM yyyy, HH:mm"}


def deployment_zone() -> ZoneInfo:
    zone: ZoneInfo = current_app.extensions["sutura.timezone"]
    return zone


def when_incident(day: dt.date, time_of_incident: str | None, time_of_day: str | None) -> IncidentTime:
    return incident_time(day, time_of_incident, time_of_day, deployment_zone())


def _language() -> str:
    language = str(get_locale() or "fr")
    return language if language in DATE_PATTERNS else "fr"


def day(value: dt.date | dt.datetime | None) -> str:
    """A date as the reader writes it (a datetime is first put in local time)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = local(value).date()
    return _day(value, _language())


@lru_cache(maxsize=4096)
def _day(value: dt.date, language: str) -> str:
    # A list shows a date per row; Babel takes longer to format one than the row to render.
    noon = dt.datetime.combine(value, dt.time(12))
    return babel_dates.format_datetime(noon, DATE_PATTERNS[language], locale=language)


def moment(value: dt.datetime | None) -> str:
    """A moment in the deployment's local time, as the reader writes it."""
    if value is None:
        return ""
    return format_datetime(local(value), MOMENT_PATTERNS[_language()], rebase=False)


def local(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:  # stored in UTC
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(deployment_zone())


def today() -> dt.date:
    """Today where the caseworkers are (an interview at 01:00 in UTC+3 is not tomorrow's)."""
    return dt.datetime.now(deployment_zone()).date()
