"""Reading typed values out of a submitted payload (JSON or a page's nested form fields).

``Reader`` collects one message per bad field, in the user's language, keyed by its dotted path
("survivor.phone"), so that a payload is written whole or not at all. Every blueprint's
validators build on it; what a *case* payload must contain lives in ``app/cases/validation.py``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any, TypeVar

from flask_babel import gettext as _

from gbvims import options
from gbvims.care import HHMM
from gbvims.countries import code_for

from .errors import ValidationFailed

# Agency and provider codes: short, upper case, safe in file names and URLs.
AGENCY_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,31}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MIN_DATE = dt.date(1900, 1, 1)


class Reader:
    """Pulls typed values out of a nested mapping, recording a message per bad field."""

    def __init__(self, data: Mapping[str, Any], prefix: str = "", errors: dict[str, list[str]] | None = None):
        self.data = data if isinstance(data, Mapping) else {}
        self.prefix = prefix
        self.errors: dict[str, list[str]] = {} if errors is None else errors

    def path(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(self.path(name), []).append(message)

    def child(self, name: str) -> Reader:
        value = self.data.get(name)
        if value is not None and not isinstance(value, Mapping):
            self.fail(name, _("This field must be an object."))
            value = {}
        return Reader(value or {}, self.path(name) + ".", self.errors)

    def text(self, name: str, *, required: bool = False, max_length: int = 200, multiline: bool = False) -> str | None:
        value = self.data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(name, _("This field is required."))
            return None
        if not isinstance(value, str):
            self.fail(name, _("This field must be text."))
            return None
        value = value.strip() if not multiline else value.strip("\n\r ")
        if len(value) > max_length:
            self.fail(name, _("At most %(n)d characters.", n=max_length))
            return None
        if _CONTROL.search(value) or (not multiline and ("\n" in value or "\r" in value)):
            self.fail(name, _("This field contains characters that are not allowed."))
            return None
        return value

    def choice(
        self, name: str, allowed: Mapping[str, str], *, required: bool = False, default: str | None = None
    ) -> str | None:
        value = self.data.get(name)
        if value is None or value == "":
            if required:
                self.fail(name, _("Choose an option."))
            return default
        if not isinstance(value, str) or value not in allowed:
            self.fail(name, _("This option is not in the list."))
            return default
        return value

    def codes(self, name: str, allowed: Mapping[str, str], *, required: bool = False) -> list[str]:
        """Several codes of one list, in the list's order: a JSON list, or the pages' ticked
        boxes (``{"code": "on"}``)."""
        value = self.data.get(name)
        if isinstance(value, Mapping):
            value = [code for code, ticked in value.items() if ticked not in (None, "", False, "off", "no")]
        if value is None or value == "" or value == []:
            if required:
                self.fail(name, _("Choose at least one option."))
            return []
        if not isinstance(value, list) or len(value) > len(allowed) * 2:
            self.fail(name, _("Give a list of options."))
            return []
        unknown = [code for code in value if not isinstance(code, str) or code not in allowed]
        if unknown:
            self.fail(name, _("This option is not in the list."))
            return []
        return [code for code in allowed if code in value]

    def boolean(self, name: str, *, required: bool = False, default: bool | None = None) -> bool | None:
        value = self.data.get(name)
        if value is None or value == "":
            if required:
                self.fail(name, _("Answer yes or no."))
            return default
        if isinstance(value, bool):
            return value
        if value in ("yes", "true", "on", "1"):
            return True
        if value in ("no", "false", "0"):
            return False
        self.fail(name, _("Answer yes or no."))
        return default

    def answer(self, name: str) -> str | None:
        """A yes / no / unknown answer the IRF allows to be unknown (booleans accepted too);
        None when nobody answered: "not recorded", never "no"."""
        value = self.data.get(name)
        if value is True or value is False:
            return "yes" if value else "no"
        return self.choice(name, options.YES_NO_UNKNOWN)

    def clock(self, name: str) -> str | None:
        """A local time "HH:MM" (24-hour)."""
        value = self.data.get(name)
        if value is None or value == "":
            return None
        if not isinstance(value, str) or not HHMM.match(value.strip()):
            self.fail(name, _("Give the time as HH:MM, for example 21:30."))
            return None
        return value.strip()

    def country(self, name: str) -> str | None:
        """A country, stored as its ISO 3166-1 alpha-2 code (or "unknown"); given as the code or
        the country's name in French or English."""
        value = self.data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        code = code_for(value[:80]) if isinstance(value, str) else None
        if code is None:
            self.fail(name, _("Choose a country from the list (its name or ISO 3166-1 code)."))
        return code

    def date(self, name: str, *, required: bool = False) -> dt.date | None:
        value = self.data.get(name)
        if value is None or value == "":
            if required:
                self.fail(name, _("Give a date."))
            return None
        try:
            parsed = dt.date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
        except ValueError:
            parsed = None
        if parsed is None:
            self.fail(name, _("Give the date as YYYY-MM-DD."))
        elif parsed < MIN_DATE:
            self.fail(name, _("This date is too far in the past."))
            return None
        return parsed

    def integer(self, name: str, *, low: int, high: int, required: bool = False) -> int | None:
        value = self.data.get(name)
        if value is None or value == "":
            if required:
                self.fail(name, _("This field is required."))
            return None
        try:
            number = int(value) if not isinstance(value, bool) and str(value).strip().lstrip("-").isdigit() else None
        except (TypeError, ValueError):
            number = None
        if number is None:
            self.fail(name, _("Give a whole number."))
            return None
        if not low <= number <= high:
            self.fail(name, _("Give a number from %(low)d to %(high)d.", low=low, high=high))
            return None
        return number

    def raise_if_invalid(self) -> None:
        if self.errors:
            raise ValidationFailed(fields=self.errors)


T = TypeVar("T")


def present(value: T | None) -> T:
    """A required value read before ``raise_if_invalid``: there, or the reader has already failed."""
    if value is None:
        raise ValidationFailed()
    return value
