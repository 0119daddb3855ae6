"""Reading and checking case and incident payloads — one validator for the pages and the API.

Input is the JSON shape of docs/api.md (the pages build the same shape from their form fields);
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
from gbvims.care import HHMM, parse_hhmm, time_of_day_of
from gbvims.classification import ANSWER_KEYS, IncompleteAnswers, classify
from gbvims.consent import consent_problems
from gbvims.countries import code_for

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
SURVIVOR_CODED = (
    ("marital_status", options.MARITAL_STATUS),
    ("displacement_status", options.DISPLACEMENT_STATUS),
    ("disability", options.DISABILITY),
    ("unaccompanied", options.UNACCOMPANIED),
    ("occupation", options.OCCUPATION),
)
CHILD_BLOCK = ("lives_alone", "caretaker_relation", "caretaker_marital_status", "caretaker_occupation")
DEPENDANTS_AGES = re.compile(r"^\d{1,2}(\s*[,;]\s*\d{1,2})*$")


def read_case(payload: Mapping[str, Any], today: dt.date, known_locations: set[str]) -> dict[str, Any]:
    """Validate a new case (kind, location, survivor, consent); raise ValidationFailed."""
    r = Reader(payload)
    kind = r.choice("kind", options.CASE_KIND, required=True)
    location = read_location(r, known_locations, required=True)
    survivor = read_survivor(r.child("survivor"), today)
    consent = read_consent(r.child("consent"), survivor["age"])
    r.raise_if_invalid()
    return {"kind": kind, "location": location, "survivor": survivor, "consent": consent}


def read_location(r: Reader, known_locations: set[str], *, required: bool) -> str | None:
    location = r.text("location", required=required, max_length=32)
    if location and location not in known_locations:
        r.fail("location", _("Unknown location code."))
    return location


def read_survivor(s: Reader, today: dt.date) -> dict[str, Any]:
    """The survivor's section of a case: identifying text (encrypted later), coded values."""
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
    survivor["nationality"] = s.country("nationality")
    survivor["country_of_origin"] = s.country("country_of_origin")
    for name, allowed in SURVIVOR_CODED:
        survivor[name] = s.choice(name, allowed)
    survivor["dependants_count"] = s.integer("dependants_count", low=0, high=30)
    ages = s.text("dependants_ages", max_length=120)
    if ages and not DEPENDANTS_AGES.match(ages):
        s.fail("dependants_ages", _("Give the ages as numbers separated by commas, for example 2, 5, 9."))
    survivor["dependants_ages"] = ages
    survivor["lives_alone"] = s.answer("lives_alone")
    survivor["caretaker_relation"] = s.choice("caretaker_relation", options.CARETAKER_RELATION)
    survivor["caretaker_marital_status"] = s.choice("caretaker_marital_status", options.MARITAL_STATUS)
    survivor["caretaker_occupation"] = s.choice("caretaker_occupation", options.OCCUPATION)
    if age is not None and age >= 18:
        for name in CHILD_BLOCK:  # the IRF asks these of child survivors only
            survivor[name] = None
    return survivor


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
    # Who gave consent is asked, never assumed: for a child it decides whether consent is valid.
    given_by = c.choice("given_by", options.CONSENT_GIVEN_BY, required=True)
    assent = c.choice("assent", options.ASSENT, default="none") or "none"
    if age is not None and given_by and not c.errors:
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


PERPETRATOR_NUMBERS = {"1": 1, "2": 2, "3": 3, "more_than_3": 4}


def read_incident(payload: Mapping[str, Any], today: dt.date, known_locations: set[str]) -> dict[str, Any]:
    """Validate an incident (the docs/api.md shape); the GBV type comes from the classification answers.

    Nothing is assumed: a coded answer left empty is stored as "not recorded" (None) unless the
    IRF requires it, in which case it is an error here.
    """
    r = Reader(payload)
    incident: dict[str, Any] = {}
    occurred = r.date("date_of_incident", required=True)
    interviewed = r.date("date_of_interview", required=True)
    if interviewed and interviewed > today:
        r.fail("date_of_interview", _("The interview cannot be in the future."))
    if occurred and interviewed and occurred > interviewed:
        r.fail("date_of_incident", _("The incident cannot be after the interview."))
    incident["date_of_incident"], incident["date_of_interview"] = occurred, interviewed
    exact = r.clock("time_of_incident")
    incident["time_of_incident"] = exact
    time_of_day = r.choice("time_of_day", options.TIME_OF_DAY)
    if time_of_day is None and exact is not None:
        time_of_day = time_of_day_of(parse_hhmm(exact))
    elif time_of_day is None and not r.errors.get("time_of_day"):
        r.fail("time_of_day", _("Choose the time of day, or Unknown."))
    incident["time_of_day"] = time_of_day
    incident["place_type"] = r.choice("place_type", options.PLACE_TYPE, required=True)
    incident["stage_of_displacement"] = r.choice("stage_of_displacement", options.STAGE_OF_DISPLACEMENT)
    incident["location"] = read_location(r, known_locations, required=False)
    incident["harmful_traditional_practice"] = r.choice(
        "harmful_traditional_practice", options.HARMFUL_TRADITIONAL_PRACTICE
    )
    incident["money_or_goods_exchanged"] = r.answer("money_or_goods_exchanged")
    incident["abduction"] = r.choice("abduction", options.ABDUCTION)
    # Required: an incident already reported to another GBVIMS agency must not be counted twice.
    incident["reported_elsewhere"] = r.choice("reported_elsewhere", options.REPORTED_ELSEWHERE, required=True)
    incident["reported_elsewhere_to"] = r.choice("reported_elsewhere_to", options.REFERRED_BY)
    if incident["reported_elsewhere"] == "no":
        incident["reported_elsewhere_to"] = None
    incident["previous_gbv"] = r.answer("previous_gbv")
    incident["referred_by"] = r.choice("referred_by", options.REFERRED_BY)
    incident["wants_legal_action"] = r.choice("wants_legal_action", options.LEGAL_ACTION)
    incident["mandatory_report_made"] = r.boolean("mandatory_report_made")
    incident["survivor_informed_of_report"] = r.boolean("survivor_informed_of_report")
    incident["account"] = r.text("account", max_length=8000, multiline=True)

    pathway = r.child("pathway")
    incident["pathway"] = {
        service: pathway.choice(service, options.PATHWAY_STATUS) for service in options.PATHWAY_SERVICES
    }
    unknown_services = set(pathway.data) - set(options.PATHWAY_SERVICES)
    for service in sorted(unknown_services):
        pathway.fail(service, _("This option is not in the list."))

    answers_reader = r.child("classification")
    answers: dict[str, bool | None] = {key: answers_reader.boolean(key) for key in ANSWER_KEYS}
    try:
        incident["gbv_type"] = classify(answers)
    except IncompleteAnswers as missing:
        answers_reader.fail(missing.missing, _("Answer this question: the tool needs it to classify the incident."))
        incident["gbv_type"] = None
    incident["answers"] = {k: v for k, v in answers.items() if v is not None}
    description = r.text("non_gbv_description", max_length=2000, multiline=True)
    incident["non_gbv_description"] = description if incident["gbv_type"] == "non_gbv" else None
    read_perpetrators(r, payload, incident)
    r.raise_if_invalid()
    return incident


def read_perpetrators(r: Reader, payload: Mapping[str, Any], incident: dict[str, Any]) -> None:
    """The perpetrator rows, the number of perpetrators (its own answer) and the incident-level
    sex, with exactly one primary perpetrator among the rows."""
    raw = payload.get("perpetrators") or []
    rows: list[dict[str, Any]] = []
    if not isinstance(raw, list) or len(raw) > 20:
        r.fail("perpetrators", _("Give a list of at most 20 perpetrators."))
        raw = []
    flagged = []
    for position, item in enumerate(raw):
        p = Reader(item if isinstance(item, Mapping) else {}, f"perpetrators.{position}.", r.errors)
        primary = p.boolean("primary", default=False)
        if primary:
            flagged.append(position)
        rows.append(
            {
                "sex": p.choice("sex", options.PERPETRATOR_SEX, required=True),
                "age_group": p.choice("age_group", options.AGE_GROUP, required=True),
                "relationship": p.choice("relationship", options.RELATIONSHIP, required=True),
                "occupation": p.choice("occupation", options.OCCUPATION),
                "nationality": p.country("nationality"),
                "ethnicity": p.text("ethnicity", max_length=60),
                "past_gbv": p.choice("past_gbv", options.YES_NO_UNKNOWN),
                "primary": False,
            }
        )
    if len(flagged) > 1:
        r.fail("perpetrators", _("Only one perpetrator can be the primary one."))
    elif len(flagged) == 1:
        rows[flagged[0]]["primary"] = True
    elif len(rows) == 1:
        rows[0]["primary"] = True  # a single perpetrator is the primary one
    elif rows:
        r.fail("perpetrators", _("Mark which perpetrator is the primary one."))
    incident["perpetrators"] = rows

    count = payload.get("perpetrator_count")
    if isinstance(count, int) and not isinstance(count, bool):  # the API may send 1, 2, 3 or more
        count = str(count) if 1 <= count <= 3 else "more_than_3" if count > 3 else "0"
    number = Reader({"perpetrator_count": count}, r.prefix, r.errors).choice(
        "perpetrator_count", options.PERPETRATOR_COUNT, required=True
    )
    if number in PERPETRATOR_NUMBERS and len(rows) > PERPETRATOR_NUMBERS[number]:
        r.fail(
            "perpetrator_count",
            _("%(rows)d perpetrators are described: the number cannot be smaller.", rows=len(rows)),
        )
    incident["perpetrator_count"] = number
    sexes = {row["sex"] for row in rows} - {"unknown", None}
    incident["perpetrator_sex"] = (
        "both" if sexes == {"female", "male"} else next(iter(sexes)) if sexes else "unknown"
    )
