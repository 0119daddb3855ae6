"""Who must consent, and whether the child's assent is needed, by age (Caring for Child
Survivors, IRC/UNICEF 2012; docs/gbvims.md §4). A deployment may change the bands.

An adolescent (15–17) consents themself; where it is safe and in the child's best interest, a
caregiver's consent may be recorded as well — in addition, never instead. Assent is the
agreement of a child someone else consents for: it never stands for a consent that is required.
"""

from __future__ import annotations

from dataclasses import dataclass

from .labels import N_


@dataclass(frozen=True)
class ConsentRule:
    consent_from: frozenset[str]  # who may give consent
    assent: str  # "none", "oral" or "written": the child's own agreement also needed
    explanation: str
    # Whether a caregiver's consent may be recorded beside the survivor's own (15–17), and why.
    caregiver_consent: bool = False
    caregiver_note: str = ""


@dataclass(frozen=True)
class AgeBand:
    up_to: int  # inclusive upper age
    rule: ConsentRule


# When the caregiver is absent or is the perpetrator, a trusted adult — or the caseworker in
# the child's best interest — gives consent instead; that is always recorded.
_INSTEAD_OF_CAREGIVER = frozenset({"caregiver", "trusted_adult", "caseworker"})

CAREGIVER_AS_WELL = N_(
    "Where it is safe and in the child's best interest, a caregiver's consent may be recorded as well: "
    "in addition to the adolescent's own consent, never instead of it."
)
CAREGIVER_NOT_APPLICABLE = N_(
    "A caregiver's consent is recorded only beside the own consent of an adolescent of 15 to 17: "
    "leave it empty (not asked) for this age."
)
ASSENT_IS_NOT_CONSENT = N_(
    "At this age the survivor gives their own consent: an assent cannot stand for it. "
    "Record the consent as given by the survivor, with no assent."
)

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
    AgeBand(
        17,
        ConsentRule(
            frozenset({"survivor"}),
            "none",
            N_("Adolescents 15–17 give their own informed consent."),
            caregiver_consent=True,
            caregiver_note=CAREGIVER_AS_WELL,
        ),
    ),
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


def rule_texts(bands: tuple[AgeBand, ...] = DEFAULT_BANDS) -> list[tuple[str, str]]:
    """Every band's explanation, youngest first, then the adults' — each with its note on a
    caregiver's consent (empty where none is recorded): what a consent form tells the caseworker."""
    rules = [band.rule for band in bands] + [ADULT]
    return [(rule.explanation, rule.caregiver_note) for rule in rules]


def consent_problems(
    age: int | None, given_by: str, assent: str, bands: tuple[AgeBand, ...] = DEFAULT_BANDS
) -> list[str]:
    """Why this consent is not valid for this age (English source messages; empty: valid)."""
    rule = rule_for_age(age, bands)
    problems = []
    if given_by not in rule.consent_from:
        problems.append(rule.explanation)
    needed = ("none", "oral", "written")
    given = assent if assent in needed else "none"
    if needed.index(given) < needed.index(rule.assent):
        problems.append(rule.explanation)
    if "survivor" in rule.consent_from and given != "none":
        # Whoever must consent themself is not asked for an assent: it is no consent.
        problems.append(ASSENT_IS_NOT_CONSENT)
    return sorted(set(problems))


def caregiver_consent_problems(
    age: int | None, caregiver_consent: bool | None, bands: tuple[AgeBand, ...] = DEFAULT_BANDS
) -> list[str]:
    """Why a caregiver's consent cannot be recorded for this age (None: not asked, always valid)."""
    if caregiver_consent is None or rule_for_age(age, bands).caregiver_consent:
        return []
    return [CAREGIVER_NOT_APPLICABLE]
