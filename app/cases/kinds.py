"""Kinds of case, and what each records beyond the case core.

The core (registration, consent, scope, stages, closure, purge) is the same for every kind and
never asks which kind it serves. What differs hangs off ``CaseKind``: whether the case records
incidents on the GBVIMS Incident Recording Form (classification tool, GBVIMS statistics) and
whether a recorded rape starts the post-rape care clock, and whether it is a child protection
case with the forms of that practice (app/cp/). A new kind, or a new form for one,
is added here and in the module that implements it, not as ``if kind == …`` in the core.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from cpims import options as cp_options
from gbvims.options import CASE_KIND
from models import Case

from . import labels


@dataclass(frozen=True)
class CaseworkLists:
    """The codes (→ English labels) of a kind's assessment, plan and closure."""

    assessment_areas: Mapping[str, str]  # needs assessed
    goal_areas: Mapping[str, str]  # a plan row's area or domain
    closure_reasons: Mapping[str, str]
    closure_checklist: Mapping[str, str]  # the codes of models.casework.CLOSURE_CHECKLIST, worded


GBV_CASEWORK = CaseworkLists(
    labels.ASSESSMENT_LABELS, labels.AREA_LABELS, labels.REASON_LABELS, labels.CHECKLIST_LABELS
)
# Child protection assesses and plans per domain of the child's well-being (Inter-Agency
# Guidelines for Case Management and Child Protection) and closes for its own reasons.
CP_CASEWORK = CaseworkLists(
    cp_options.NEED_DOMAINS, cp_options.NEED_DOMAINS, cp_options.CLOSURE_REASONS, cp_options.CLOSURE_CHECKLIST
)


@dataclass(frozen=True)
class CaseKind:
    code: str
    records_gbv_incidents: bool  # the IRF and classification tool (app/cases/incidents.py)
    post_rape_care_clock: bool  # PEP and emergency-contraception windows (gbvims/care.py)
    # The child protection forms (app/cp/): concerns and response clock, best interests,
    # tracing and reunification, care, MRM; its cases count in the CP statistics, never GBVIMS.
    child_protection: bool = False
    casework: CaseworkLists = field(default=GBV_CASEWORK)


KINDS: dict[str, CaseKind] = {
    "gbv": CaseKind("gbv", records_gbv_incidents=True, post_rape_care_clock=True),
    # A child survivor of GBV has a GBV case (IRF, care clock, GBVIMS), linked to their CP
    # case where one exists; the CP case itself records no GBV incident.
    "cp": CaseKind(
        "cp", records_gbv_incidents=False, post_rape_care_clock=False, child_protection=True, casework=CP_CASEWORK
    ),
}
assert set(KINDS) == set(CASE_KIND), "every kind offered needs its entry"  # noqa: S101


def kind_of(case: Case) -> CaseKind:
    return KINDS[case.kind]


def kind_named(code: object) -> str:
    """The kind a form or a link asks for; a GBV case when it names none we know."""
    return code if isinstance(code, str) and code in KINDS else "gbv"
