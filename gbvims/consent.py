"""Who must consent, and whether the child's assent is needed, by age (Caring for Child
Survivors, IRC/UNICEF 2012; docs/gbvims.md §4). A deployment may change the bands."""

from __future__ import annotations

from dataclasses import dataclass

from .labels import N_


@dataclass(frozen=True)
class ConsentRule:
    consent_from: frozenset[str]  # who may give consent
    assent: str  # "none", "oral" or "written": the child's own agreement also needed
    explanation: str


@dataclass(frozen=True)
class AgeBand:
    up_to: int  # inclusive upper age
    rule: ConsentRule


# When the caregiver is absent or is the perpetrator, a trusted adult — or the caseworker in
# the child's best interest — gives consent instead; that is always recorded.
_INSTEAD_OF_CAREGIVER = frozenset({"caregiver", "trusted_adult", "caseworker"})

DEFAULT_BANDS: tuple[AgeBand, ...] = (
    AgeBand(
        5,
        ConsentRule(_INSTEAD_OF_CAREGIVER, "none", N_("Children 0–5: consent from a caregiver (or a trusted adult).")),
    ),
    AgeBand(
        11,
        ConsentRule(
            _INSTEAD_OF_CAREGIVER, "oral", N_("Children 6–11: consent from a caregiver and the child's oral assent.")
        ),
    ),
    AgeBand(
        14,
        ConsentRule(
            _INSTEAD_OF_CAREGIVER,
            "written",
            N_("Children 12–14: consent from a caregiver and the child's written assent."),
        ),
    ),
    AgeBand(17, ConsentRule(frozenset({"survivor"}), "none", N_("Adolescents 15–17 give their own informed consent."))),
)
ADULT = ConsentRule(frozenset({"survivor"}), "none", N_("Adults give their own informed consent."))


def rule_for_age(age: int | None, bands: tuple[AgeBand, ...] = DEFAULT_BANDS) -> ConsentRule:
    """The consent rule for a survivor of ``age`` years (unknown age: treated as an adult only
    when no age can be estimated at all — callers require an age for children's cases)."""
    if age is None:
        return ADULT
    if age < 0:
        raise ValueError("age cannot be negative")
    for band in bands:
        if age <= band.up_to:
            return band.rule
    return ADULT


def consent_problems(
    age: int | None, given_by: str, assent: str, bands: tuple[AgeBand, ...] = DEFAULT_BANDS
) -> list[str]:
    """Why this consent is not valid for this age (English source messages; empty: valid)."""
    rule = rule_for_age(age, bands)
    problems = []
    if given_by not in rule.consent_from:
        problems.append(rule.explanation)
    needed = ("none", "oral", "written")
    if needed.index(assent if assent in needed else "none") < needed.index(rule.assent):
        problems.append(rule.explanation)
    return sorted(set(problems))
