"""Reading and checking case and incident payloads — one validator for the pages and the API.

Input is the JSON shape of API.md (the pages build the same shape from their form fields);
errors are collected per dotted field path ("survivor.phone") in the user's language, and
nothing is written unless everything is valid.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from gbvims import options
from gbvims.classification import ANSWER_KEYS, IncompleteAnswers, classify
from gbvims.consent import consent_problems

from ..errors import ValidationFailed
from ..i18n_labels import label

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


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


SURVIVOR_TEXT = {  # identifying free text, and its longest sensible length
    "given_name": 100,
    "family_name": 100,
    "nickname": 100,
    "phone": 40,
    "address": 300,
    "caregiver_name": 200,
    "caregiver_phone": 40,
    "ethnicity": 60,
    "religion": 60,
}


def read_case(payload: Mapping[str, Any], today: dt.date, known_locations: set[str]) -> dict[str, Any]:
    """Validate a new case (kind, location, survivor, consent); raise ValidationFailed."""
    r = Reader(payload)
    kind = r.choice("kind", options.CASE_KIND, required=True)
    location = r.text("location", required=True, max_length=32)
    if location and location not in known_locations:
        r.fail("location", _("Unknown location code."))
    s = r.child("survivor")
    survivor: dict[str, Any] = {name: s.text(name, max_length=length) for name, length in SURVIVOR_TEXT.items()}
    if not (survivor["given_name"] or survivor["nickname"]):
        s.fail("given_name", _("Give at least a given name or a nickname."))
    survivor["notes"] = s.text("notes", max_length=4000, multiline=True)
    survivor["sex"] = s.choice("sex", options.SEX, required=True)
    survivor["date_of_birth"] = s.date("date_of_birth")
    survivor["age_estimated"] = bool(s.boolean("age_estimated", default=False))
    age = s.integer("age", low=0, high=120)
    born = survivor["date_of_birth"]
    if born is not None:
        if born > today:
            s.fail("date_of_birth", _("The date of birth cannot be in the future."))
        else:
            age = age_on(born, today)
    elif age is None and not s.errors.get(s.path("age")):
        s.fail("age", _("Give the date of birth or the age (estimated if need be)."))
    survivor["age"] = age
    survivor["nationality"] = s.text("nationality", max_length=48)
    survivor["country_of_origin"] = s.text("country_of_origin", max_length=48)
    for name, allowed in (
        ("marital_status", options.MARITAL_STATUS),
        ("displacement_status", options.DISPLACEMENT_STATUS),
        ("disability", options.DISABILITY),
        ("unaccompanied", options.UNACCOMPANIED),
    ):
        survivor[name] = s.choice(name, allowed)
    consent = read_consent(r.child("consent"), age)
    r.raise_if_invalid()
    return {"kind": kind, "location": location, "survivor": survivor, "consent": consent}


def read_consent(c: Reader, age: int | None) -> dict[str, Any]:
    services = c.boolean("services", required=True)
    if services is False:
        c.fail(
            "services",
            _(
                "Without consent to services nothing can be recorded: explain the services again, "
                "or refer the survivor without opening a case."
            ),
        )
    reporting = c.boolean("reporting", required=True)
    release_reader = c.child("release")
    release = {area: bool(release_reader.boolean(area, default=False)) for area in options.RELEASE_AREAS}
    unknown = set(release_reader.data) - set(options.RELEASE_AREAS)
    for area in sorted(unknown):
        release_reader.fail(area, _("This option is not in the list."))
    to_reader = c.child("release_to")
    release_to = {
        area: to_reader.text(area, max_length=200) for area in options.RELEASE_AREAS if to_reader.data.get(area)
    }
    given_by = c.choice("given_by", options.CONSENT_GIVEN_BY, default="survivor") or "survivor"
    assent = c.choice("assent", options.ASSENT, default="none") or "none"
    if age is not None and not c.errors:
        for problem in consent_problems(age, given_by, assent):
            c.fail("given_by", label(problem))
    return {
        "services": services,
        "reporting": reporting,
        "release": release,
        "release_to": release_to,
        "given_by": given_by,
        "assent": assent,
    }


def read_incident(payload: Mapping[str, Any], today: dt.date, known_locations: set[str]) -> dict[str, Any]:
    """Validate an incident (API.md shape); the GBV type comes from the classification answers."""
    r = Reader(payload)
    incident: dict[str, Any] = {}
    occurred = r.date("date_of_incident", required=True)
    interviewed = r.date("date_of_interview", required=True)
    if interviewed and interviewed > today:
        r.fail("date_of_interview", _("The interview cannot be in the future."))
    if occurred and interviewed and occurred > interviewed:
        r.fail("date_of_incident", _("The incident cannot be after the interview."))
    incident["date_of_incident"], incident["date_of_interview"] = occurred, interviewed
    incident["time_of_day"] = r.choice("time_of_day", options.TIME_OF_DAY, default="unknown")
    incident["place_type"] = r.choice("place_type", options.PLACE_TYPE, default="other")
    incident["stage_of_displacement"] = r.choice("stage_of_displacement", options.STAGE_OF_DISPLACEMENT)
    location = r.text("location", max_length=32)
    if location and location not in known_locations:
        r.fail("location", _("Unknown location code."))
    incident["location"] = location
    incident["harmful_traditional_practice"] = r.choice(
        "harmful_traditional_practice", options.HARMFUL_TRADITIONAL_PRACTICE, default="no"
    )
    incident["money_or_goods_exchanged"] = bool(r.boolean("money_or_goods_exchanged", default=False))
    incident["abduction"] = r.choice("abduction", options.ABDUCTION, default="none")
    incident["reported_elsewhere"] = r.choice("reported_elsewhere", options.REPORTED_ELSEWHERE, default="no")
    incident["reported_elsewhere_to"] = r.choice("reported_elsewhere_to", options.REFERRED_BY)
    if incident["reported_elsewhere"] == "no":
        incident["reported_elsewhere_to"] = None
    incident["previous_gbv"] = bool(r.boolean("previous_gbv", default=False))
    incident["referred_by"] = r.choice("referred_by", options.REFERRED_BY, default="self_referral")
    incident["wants_legal_action"] = r.choice("wants_legal_action", options.LEGAL_ACTION)
    incident["mandatory_report_made"] = r.boolean("mandatory_report_made")
    incident["survivor_informed_of_report"] = r.boolean("survivor_informed_of_report")
    incident["account"] = r.text("account", max_length=8000, multiline=True)

    pathway = r.child("pathway")
    incident["pathway"] = {
        service: pathway.choice(service, options.PATHWAY_STATUS, default="not_applicable")
        for service in options.PATHWAY_SERVICES
    }

    answers_reader = r.child("classification")
    answers: dict[str, bool | None] = {key: answers_reader.boolean(key) for key in ANSWER_KEYS}
    try:
        incident["gbv_type"] = classify(answers)
    except IncompleteAnswers as missing:
        answers_reader.fail(missing.missing, _("Answer this question: the tool needs it to classify the incident."))
        incident["gbv_type"] = None
    incident["answers"] = {k: v for k, v in answers.items() if v is not None}

    raw = payload.get("perpetrators") or []
    perpetrators = []
    if not isinstance(raw, list) or len(raw) > 20:
        r.fail("perpetrators", _("Give a list of at most 20 perpetrators."))
        raw = []
    for position, item in enumerate(raw):
        p = Reader(item if isinstance(item, Mapping) else {}, f"perpetrators.{position}.", r.errors)
        perpetrators.append(
            {
                "sex": p.choice("sex", options.PERPETRATOR_SEX, required=True),
                "age_group": p.choice("age_group", options.AGE_GROUP, default="unknown"),
                "relationship": p.choice("relationship", options.RELATIONSHIP, required=True),
                "occupation": p.choice("occupation", options.OCCUPATION, default="unknown"),
                "nationality": p.text("nationality", max_length=48),
                "past_gbv": p.choice("past_gbv", options.YES_NO_UNKNOWN),
                "primary": bool(p.boolean("primary", default=position == 0)),
            }
        )
    incident["perpetrators"] = perpetrators
    r.raise_if_invalid()
    return incident
