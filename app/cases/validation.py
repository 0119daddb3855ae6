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
from gbvims.care import parse_hhmm, time_of_day_of
from gbvims.classification import ANSWER_KEYS, IncompleteAnswers, classify
from gbvims.consent import ASSENT_IS_NOT_CONSENT, caregiver_consent_problems, consent_problems

from ..cp.registration import read_registration, refuse_cp_fields
from ..i18n_labels import label
from ..validation import Reader, present
from .kinds import KINDS
from .payloads import CaseData, ConsentData, IncidentData, PerpetratorData, SurvivorData


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


def read_case(payload: Mapping[str, Any], today: dt.date, known_locations: set[str]) -> CaseData:
    """Validate a new case (kind, location, survivor, consent); raise ValidationFailed."""
    r = Reader(payload)
    kind = r.choice("kind", options.CASE_KIND, required=True)
    location = read_location(r, known_locations, required=True)
    survivor = read_survivor(r.child("survivor"), today)
    consent = read_consent(r.child("consent"), survivor.age)
    child = None
    if kind and KINDS[kind].child_protection:
        child = read_registration(r, age=survivor.age, caregiver_named=bool(survivor.caregiver_name), today=today)
    else:
        refuse_cp_fields(r)
    r.raise_if_invalid()
    return CaseData(kind=present(kind), location=present(location), survivor=survivor, consent=consent, child=child)


def read_location(r: Reader, known_locations: set[str], *, required: bool) -> str | None:
    location = r.text("location", required=required, max_length=32)
    if location and location not in known_locations:
        r.fail("location", _("Unknown location code."))
    return location


def read_survivor(s: Reader, today: dt.date) -> SurvivorData:
    """The survivor's section of a case: identifying text (encrypted later), coded values.
    Use it only once the reader's errors are empty (``raise_if_invalid``)."""
    texts = {name: s.text(name, max_length=length) for name, length in SURVIVOR_TEXT.items()}
    if not (texts["given_name"] or texts["nickname"]):
        s.fail("given_name", _("Give at least a given name or a nickname."))
    notes = s.text("notes", max_length=4000, multiline=True)
    sex = s.choice("sex", options.SEX, required=True)
    born = s.date("date_of_birth")
    age_estimated = bool(s.boolean("age_estimated", default=False))
    age = s.integer("age", low=0, high=120)
    if born is not None:
        if born > today:
            s.fail("date_of_birth", _("The date of birth cannot be in the future."))
        elif age is not None and age != age_on(born, today):
            s.fail(
                "age",
                _(
                    "This age does not match the date of birth (%(age)d years today): correct one of them, "
                    "or leave the age empty.",
                    age=age_on(born, today),
                ),
            )
        else:
            age = age_on(born, today)
    elif age is None and not s.errors.get(s.path("age")):
        s.fail("age", _("Give the date of birth or the age (estimated if need be)."))
    nationality = s.country("nationality")
    country_of_origin = s.country("country_of_origin")
    coded = {name: s.choice(name, allowed) for name, allowed in SURVIVOR_CODED}
    dependants_count = s.integer("dependants_count", low=0, high=30)
    dependants_ages = s.text("dependants_ages", max_length=120)
    if dependants_ages and not DEPENDANTS_AGES.match(dependants_ages):
        s.fail("dependants_ages", _("Give the ages as numbers separated by commas, for example 2, 5, 9."))
    survivor = SurvivorData(
        sex=sex or "",
        age=age,
        age_estimated=age_estimated,
        date_of_birth=born,
        notes=notes,
        nationality=nationality,
        country_of_origin=country_of_origin,
        dependants_count=dependants_count,
        dependants_ages=dependants_ages,
        lives_alone=s.answer("lives_alone"),
        caretaker_relation=s.choice("caretaker_relation", options.CARETAKER_RELATION),
        caretaker_marital_status=s.choice("caretaker_marital_status", options.MARITAL_STATUS),
        caretaker_occupation=s.choice("caretaker_occupation", options.OCCUPATION),
        **texts,
        **coded,
    )
    if age is not None and age >= 18:
        for name in CHILD_BLOCK:  # the IRF asks these of child survivors only
            setattr(survivor, name, None)
    return survivor


def read_consent(c: Reader, age: int | None) -> ConsentData:
    """The survivor's informed consent. Use it only once the reader's errors are empty."""
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
    # An adolescent's caregiver may consent as well (yes / no; empty: not asked): never instead.
    caregiver_consent = c.boolean("caregiver_consent")
    if age is not None and given_by and not c.errors:
        for problem in consent_problems(age, given_by, assent):
            c.fail("assent" if problem == ASSENT_IS_NOT_CONSENT else "given_by", label(problem))
    if age is not None or not c.errors:  # an age missing for an error elsewhere is told there
        for problem in caregiver_consent_problems(age, caregiver_consent):
            c.fail("caregiver_consent", label(problem))
    return ConsentData(
        services=bool(services),
        reporting=bool(reporting),
        release=release,
        release_to=release_to,
        given_by=given_by or "",
        assent=assent,
        caregiver_consent=caregiver_consent,
    )


PERPETRATOR_NUMBERS = {"1": 1, "2": 2, "3": 3, "more_than_3": 4}


def read_incident(payload: Mapping[str, Any], today: dt.date, known_locations: set[str]) -> IncidentData:
    """Validate an incident (the docs/api.md shape); the GBV type comes from the classification answers.

    Nothing is assumed: a coded answer left empty is stored as "not recorded" (None) unless the
    IRF requires it, in which case it is an error here.
    """
    r = Reader(payload)
    occurred = r.date("date_of_incident", required=True)
    interviewed = r.date("date_of_interview", required=True)
    if interviewed and interviewed > today:
        r.fail("date_of_interview", _("The interview cannot be in the future."))
    if occurred and interviewed and occurred > interviewed:
        r.fail("date_of_incident", _("The incident cannot be after the interview."))
    exact = r.clock("time_of_incident")
    time_of_day = r.choice("time_of_day", options.TIME_OF_DAY)
    if time_of_day is None and exact is not None:
        time_of_day = time_of_day_of(parse_hhmm(exact))
    elif time_of_day is None and not r.errors.get("time_of_day"):
        r.fail("time_of_day", _("Choose the time of day, or Unknown."))
    place_type = r.choice("place_type", options.PLACE_TYPE, required=True)
    stage_of_displacement = r.choice("stage_of_displacement", options.STAGE_OF_DISPLACEMENT)
    location = read_location(r, known_locations, required=False)
    practice = r.choice("harmful_traditional_practice", options.HARMFUL_TRADITIONAL_PRACTICE)
    money_or_goods_exchanged = r.answer("money_or_goods_exchanged")
    abduction = r.choice("abduction", options.ABDUCTION)
    # Required: an incident already reported to another GBVIMS agency must not be counted twice.
    reported_elsewhere = r.choice("reported_elsewhere", options.REPORTED_ELSEWHERE, required=True)
    reported_elsewhere_to = r.choice("reported_elsewhere_to", options.REFERRED_BY)
    previous_gbv = r.answer("previous_gbv")
    referred_by = r.choice("referred_by", options.REFERRED_BY)
    wants_legal_action = r.choice("wants_legal_action", options.LEGAL_ACTION)
    mandatory_report_made = r.boolean("mandatory_report_made")
    survivor_informed_of_report = r.boolean("survivor_informed_of_report")
    account = r.text("account", max_length=8000, multiline=True)
    pathway = read_pathway(r.child("pathway"))
    answers, gbv_type = read_classification(r.child("classification"))
    description = r.text("non_gbv_description", max_length=2000, multiline=True)
    perpetrators, count, perpetrator_sex = read_perpetrators(r, payload)
    r.raise_if_invalid()
    return IncidentData(
        date_of_incident=present(occurred),
        date_of_interview=present(interviewed),
        time_of_incident=exact,
        time_of_day=present(time_of_day),
        place_type=present(place_type),
        stage_of_displacement=stage_of_displacement,
        location=location,
        harmful_traditional_practice=practice,
        money_or_goods_exchanged=money_or_goods_exchanged,
        abduction=abduction,
        reported_elsewhere=present(reported_elsewhere),
        reported_elsewhere_to=None if reported_elsewhere == "no" else reported_elsewhere_to,
        previous_gbv=previous_gbv,
        referred_by=referred_by,
        wants_legal_action=wants_legal_action,
        mandatory_report_made=mandatory_report_made,
        survivor_informed_of_report=survivor_informed_of_report,
        account=account,
        pathway=pathway,
        answers=answers,
        gbv_type=present(gbv_type),
        non_gbv_description=description if gbv_type == "non_gbv" else None,
        perpetrators=perpetrators,
        perpetrator_count=present(count),
        perpetrator_sex=perpetrator_sex,
    )


def read_pathway(pathway: Reader) -> dict[str, str | None]:
    """The IRF's service lines: for each, whether the survivor was referred, or why not."""
    lines = {service: pathway.choice(service, options.PATHWAY_STATUS) for service in options.PATHWAY_SERVICES}
    for service in sorted(set(pathway.data) - set(options.PATHWAY_SERVICES)):
        pathway.fail(service, _("This option is not in the list."))
    return lines


def read_classification(answers_reader: Reader) -> tuple[dict[str, bool], str | None]:
    """The classification tool's answers given, and the GBV type they lead to."""
    answers: dict[str, bool | None] = {key: answers_reader.boolean(key) for key in ANSWER_KEYS}
    try:
        gbv_type: str | None = classify(answers)
    except IncompleteAnswers as missing:
        answers_reader.fail(missing.missing, _("Answer this question: the tool needs it to classify the incident."))
        gbv_type = None
    return {k: v for k, v in answers.items() if v is not None}, gbv_type


def read_perpetrators(r: Reader, payload: Mapping[str, Any]) -> tuple[list[PerpetratorData], str | None, str]:
    """The perpetrator rows (exactly one of them primary), the number of perpetrators (its own
    answer, never fewer than the rows) and the incident-level sex derived from the rows."""
    raw = payload.get("perpetrators") or []
    rows: list[PerpetratorData] = []
    if not isinstance(raw, list) or len(raw) > 20:
        r.fail("perpetrators", _("Give a list of at most 20 perpetrators."))
        raw = []
    flagged = []
    for position, item in enumerate(raw):
        p = Reader(item if isinstance(item, Mapping) else {}, f"perpetrators.{position}.", r.errors)
        if p.boolean("primary", default=False):
            flagged.append(position)
        rows.append(
            PerpetratorData(
                sex=p.choice("sex", options.PERPETRATOR_SEX, required=True) or "",
                age_group=p.choice("age_group", options.AGE_GROUP, required=True) or "",
                relationship=p.choice("relationship", options.RELATIONSHIP, required=True) or "",
                occupation=p.choice("occupation", options.OCCUPATION),
                nationality=p.country("nationality"),
                ethnicity=p.text("ethnicity", max_length=60),
                past_gbv=p.choice("past_gbv", options.YES_NO_UNKNOWN),
            )
        )
    if len(flagged) > 1:
        r.fail("perpetrators", _("Only one perpetrator can be the primary one."))
    elif len(flagged) == 1:
        rows[flagged[0]].primary = True
    elif len(rows) == 1:
        rows[0].primary = True  # a single perpetrator is the primary one
    elif rows:
        r.fail("perpetrators", _("Mark which perpetrator is the primary one."))

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
    sexes = {row.sex for row in rows} - {"unknown", ""}
    sex = "both" if sexes == {"female", "male"} else next(iter(sexes)) if sexes else "unknown"
    return rows, number, sex
