"""Kinds of case, and what each records beyond the case core.

The core (registration, consent, scope, stages, closure, purge) is the same for every kind and
never asks which kind it serves. What differs hangs off ``CaseKind``: whether the case records
incidents on the GBVIMS Incident Recording Form (classification tool, GBVIMS statistics) and
whether a recorded rape starts the post-rape care clock. A new kind, or a new form for one,
is added here and in the module that implements it, not as ``if kind == …`` in the core.
"""

from __future__ import annotations

from dataclasses import dataclass

from gbvims.options import CASE_KIND
from models import Case


@dataclass(frozen=True)
class CaseKind:
    code: str
    records_gbv_incidents: bool  # the IRF and classification tool (app/cases/incidents.py)
    post_rape_care_clock: bool  # PEP and emergency-contraception windows (gbvims/care.py)


KINDS: dict[str, CaseKind] = {
    "gbv": CaseKind("gbv", records_gbv_incidents=True, post_rape_care_clock=True),
    # Child protection has no forms of its own yet: a CP case records incidents on the IRF, as a
    # caseworker would do on paper today. Its own forms (assessment, BIA/BID, tracing) replace
    # this entry's answers when they exist.
    "cp": CaseKind("cp", records_gbv_incidents=True, post_rape_care_clock=True),
}
assert set(KINDS) == set(CASE_KIND), "every kind offered needs its entry"  # noqa: S101


def kind_of(case: Case) -> CaseKind:
    return KINDS[case.kind]
