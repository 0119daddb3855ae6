"""Each code list has one home (a domain package or a model); everything else derives from it or
is checked against it here: the OpenAPI document's enums, the label dicts, the codes the docs list."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from app.admin.forms import ROLE_LABELS
from app.api.openapi import document
from app.cases import labels as case_labels
from app.cp.profile import CLOCKS
from app.referrals import labels as referral_labels
from cpims import family
from cpims import options as cp_options
from gbvims import options
from gbvims.care import CARE_HOURS, CARE_STATES
from gbvims.classification import ANSWER_KEYS, GBV_TYPES
from models import ROLES, Incident
from models.case import STAGES
from models.casework import (
    ASSESSMENT_AREAS,
    CLOSURE_CHECKLIST,
    CLOSURE_REASONS,
    GOAL_AREAS,
    GOAL_STATUSES,
    PLAN_STATUSES,
)
from models.incident import PATHWAY_COLUMNS
from referral.packet import CONSENT_AREA, PACKET_FIELDS, PATHWAY_LINE, SERVICE_TYPES
from referral.sla import URGENCIES
from referral.states import DECLINE_REASONS, NOT_DELIVERED_REASONS, STATES

ROOT = Path(__file__).resolve().parents[2]

# The schema property (the last names of its path, most specific first) → its one code list.
ENUMS: dict[tuple[str, ...], Sequence[Any]] = {
    ("survivor", "sex"): options.SEX,
    ("perpetrators", "sex"): options.PERPETRATOR_SEX,
    ("marital_status",): options.MARITAL_STATUS,
    ("caretaker_marital_status",): options.MARITAL_STATUS,
    ("displacement_status",): options.DISPLACEMENT_STATUS,
    ("disability",): options.DISABILITY,
    ("unaccompanied",): options.UNACCOMPANIED,
    ("lives_alone",): options.YES_NO_UNKNOWN,
    ("past_gbv",): options.YES_NO_UNKNOWN,
    ("caretaker_relation",): options.CARETAKER_RELATION,
    ("kind",): options.CASE_KIND,
    ("given_by",): options.CONSENT_GIVEN_BY,
    ("assent",): options.ASSENT,
    ("risk_level",): options.RISK_LEVEL,
    ("age_group",): options.AGE_GROUP,
    ("relationship",): options.RELATIONSHIP,
    ("time_of_day",): options.TIME_OF_DAY,
    ("perpetrator_count",): options.PERPETRATOR_COUNT,
    ("stage_of_displacement",): options.STAGE_OF_DISPLACEMENT,
    ("harmful_traditional_practice",): options.HARMFUL_TRADITIONAL_PRACTICE,
    ("abduction",): options.ABDUCTION,
    ("reported_elsewhere",): options.REPORTED_ELSEWHERE,
    ("reported_elsewhere_to",): options.REFERRED_BY,
    ("referred_by",): options.REFERRED_BY,
    ("wants_legal_action",): options.LEGAL_ACTION,
    **{("pathway", service): options.PATHWAY_STATUS for service in options.PATHWAY_SERVICES},
    ("gbv_type",): GBV_TYPES,
    ("perpetrator_sex",): options.INCIDENT_PERPETRATOR_SEX,
    ("care_windows", "care"): CARE_HOURS,
    ("care_windows", "state"): CARE_STATES,
    ("service_type",): SERVICE_TYPES,
    ("urgency",): URGENCIES,
    ("role",): ROLES,
    # Child protection.
    ("protection_concerns",): cp_options.PROTECTION_CONCERNS,
    ("no_caregiver_reason",): cp_options.NO_CAREGIVER_REASONS,
    ("violation",): cp_options.GRAVE_VIOLATIONS,
    ("perpetrator",): cp_options.MRM_PERPETRATORS,
    ("clock",): CLOCKS,
    ("BestInterests", "kind"): (family.BIA, family.BID),
    ("priority",): cp_options.BIA_PRIORITY,
    ("BestInterests", "recommendation"): cp_options.BI_RECOMMENDATIONS,
    ("decision",): cp_options.BID_DECISIONS,
    ("panel_decision",): cp_options.BID_DECISIONS,
    ("step",): family.TRACING_STEPS,
    ("cause",): cp_options.SEPARATION_CAUSES,
    ("action",): cp_options.TRACING_ACTIONS,
    ("outcome",): cp_options.TRACING_OUTCOMES,
    ("TracingStep", "recommendation"): cp_options.VERIFICATION,
    ("reunification_type",): cp_options.REUNIFICATION_TYPES,
    ("arrangement",): cp_options.CARE_ARRANGEMENTS,
}


def _enums(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], list[Any]]]:
    """Every enum of the document, with the property names leading to it (and the titles of the
    schemas on the way: one name may mean two lists in two records, e.g. a recommendation)."""
    if isinstance(node, dict):
        if isinstance(node.get("title"), str):
            path = (*path, node["title"])
        if "enum" in node:
            yield path, node["enum"]
        for key, value in node.items():
            if key == "properties":
                for name, schema in value.items():
                    yield from _enums(schema, (*path, name))
            elif key != "enum":
                yield from _enums(value, path)
    elif isinstance(node, list):
        for item in node:
            yield from _enums(item, path)


def _domain_list(path: tuple[str, ...]) -> Sequence[Any]:
    for length in range(len(path), 0, -1):
        if path[-length:] in ENUMS:
            return ENUMS[path[-length:]]
    raise AssertionError(f"the enum at {'.'.join(path)} has no code list in ENUMS: derive it from one")


def test_every_openapi_enum_is_its_domain_list() -> None:
    found = list(_enums(document()))
    assert len(found) > 30
    for path, enum in found:
        codes = [v for v in enum if isinstance(v, str)]  # null: not recorded; perpetrator_count's 1-3: ints too
        assert codes == list(_domain_list(path)), ".".join(path)


def test_openapi_lists_outside_enums_come_from_the_domain() -> None:
    incident = document()["paths"]["/cases/{case_id}/incidents"]["post"]["requestBody"]["content"]
    fields = incident["application/json"]["schema"]["properties"]
    assert list(fields["classification"]["properties"]) == list(ANSWER_KEYS)
    assert list(fields["pathway"]["properties"]) == list(options.PATHWAY_SERVICES)
    case = document()["paths"]["/cases"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert case["properties"]["consent"]["properties"]["release"]["description"] == ", ".join(options.RELEASE_AREAS)
    decline = document()["paths"]["/referrals/{referral_id}/decline"]["post"]["summary"]
    assert decline.endswith(f"({', '.join(DECLINE_REASONS)})")


LABEL_DICTS: dict[str, tuple[dict[str, Any], Sequence[str] | frozenset[str]]] = {
    "referral service types": (referral_labels.SERVICE_TYPE_LABELS, SERVICE_TYPES),
    "urgencies": (referral_labels.URGENCY_LABELS, URGENCIES),
    "referral states": (referral_labels.STATE_LABELS, STATES),
    # Decline and not-delivered reasons share "other": one label set, compared as sets.
    "referral reasons": (referral_labels.REASON_LABELS, frozenset([*DECLINE_REASONS, *NOT_DELIVERED_REASONS])),
    "packet fields": (referral_labels.FIELD_LABELS, PACKET_FIELDS),
    "case stages": (case_labels.STAGE_LABELS, STAGES),
    "plan statuses": (case_labels.PLAN_STATUS_LABELS, PLAN_STATUSES),
    "goal statuses": (case_labels.GOAL_STATUS_LABELS, GOAL_STATUSES),
    "closure reasons": (case_labels.REASON_LABELS, CLOSURE_REASONS),
    "closure checklist": (case_labels.CHECKLIST_LABELS, CLOSURE_CHECKLIST),
    "closure checklist, child protection": (cp_options.CLOSURE_CHECKLIST, CLOSURE_CHECKLIST),
    "assessment areas": (case_labels.ASSESSMENT_LABELS, ASSESSMENT_AREAS),
    "plan goal areas": (case_labels.AREA_LABELS, GOAL_AREAS),
    "roles": (ROLE_LABELS, ROLES),
}


@pytest.mark.parametrize("name", LABEL_DICTS)
def test_each_label_dict_has_exactly_its_code_list(name: str) -> None:
    labels, codes = LABEL_DICTS[name]
    if isinstance(codes, frozenset):
        assert set(labels) == codes
    else:
        assert list(labels) == list(codes)  # in the same order: forms list the choices in it


def test_referral_service_types_map_into_the_gbvims_lists() -> None:
    assert set(CONSENT_AREA.values()) <= set(options.RELEASE_AREAS)
    assert set(PATHWAY_LINE.values()) - {None} <= set(options.PATHWAY_SERVICES)


def test_the_incident_has_a_column_per_pathway_service() -> None:
    assert PATHWAY_COLUMNS == tuple(options.PATHWAY_SERVICES)
    columns = set(Incident.__table__.columns.keys())
    assert {f"pathway_{service}" for service in PATHWAY_COLUMNS} <= columns
    assert {c for c in columns if c.startswith("pathway_")} == {f"pathway_{s}" for s in PATHWAY_COLUMNS}


BACKTICKED = re.compile(r"`([^`]+)`")
WORD = re.compile(r"[a-z_]+")
# (doc, what the list follows, how its codes are written, the one code list). The list runs from
# the end of the pattern to the next ")" (or "|" in a table row, or ";" after the pathway statuses).
DOC_LISTS: list[tuple[str, str, re.Pattern[str], Sequence[Any]]] = [
    ("api.md", r"`service_type` \(", BACKTICKED, SERVICE_TYPES),
    ("api.md", r"`urgency` \(", BACKTICKED, URGENCIES),
    ("api.md", r"`given_by` \(", BACKTICKED, options.CONSENT_GIVEN_BY),
    ("api.md", r"`assent` \(", BACKTICKED, options.ASSENT),
    ("api.md", r"one boolean per area:", BACKTICKED, options.RELEASE_AREAS),
    ("api.md", r"answer\s+keys of the tool in order:", BACKTICKED, ANSWER_KEYS),
    ("api.md", r"`perpetrator_count` \(", BACKTICKED, options.PERPETRATOR_COUNT),
    ("api.md", r"`reported_elsewhere`\s+\(", BACKTICKED, options.REPORTED_ELSEWHERE),
    ("api.md", r"`share` \(packet fields among", BACKTICKED, PACKET_FIELDS),
    ("api.md", r"`reason`:", BACKTICKED, DECLINE_REASONS),
    ("gbvims.md", r"one status per service \(", BACKTICKED, options.PATHWAY_SERVICES),
    ("gbvims.md", r"one status per service \([^)]*\):", BACKTICKED, options.PATHWAY_STATUS),
    ("gbvims.md", r"may receive information for a referral \(", WORD, options.RELEASE_AREAS),
    ("gbvims.md", r"own IRF answer \(", BACKTICKED, options.PERPETRATOR_COUNT),
    ("gbvims.md", r"state is", BACKTICKED, CARE_STATES),
]


@pytest.mark.parametrize(("doc", "after", "written", "codes"), DOC_LISTS, ids=[d[1] for d in DOC_LISTS])
def test_the_docs_list_the_domain_codes(doc: str, after: str, written: re.Pattern[str], codes: Sequence[Any]) -> None:
    text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
    found = re.search(after + r"(?P<list>[^)|;.]*)", text)
    assert found is not None, f"docs/{doc}: no list after {after!r}"
    assert written.findall(found["list"]) == list(codes), f"docs/{doc}, after {after!r}"
