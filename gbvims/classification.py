"""The GBVIMS Classification Tool: six questions in a fixed order, the first "yes" decides.

The type is never typed by hand: the caseworker answers the questions and the tool's answer
is what is saved, so two agencies classify the same incident the same way and the statistics
add up. Case-context flags are derived too, never entered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .labels import N_

# (answer key, type code, question) — in the tool's order.
QUESTIONS: tuple[tuple[str, str, str], ...] = (
    (
        "penetration",
        "rape",
        N_(
            "Did the incident involve penetration, however slight, of the vagina, anus or mouth with a penis or other "
            "body part, or of the vagina or anus with an object?"
        ),
    ),
    (
        "unwanted_sexual_contact",
        "sexual_assault",
        N_(
            "Did the incident involve unwanted sexual contact without penetration (including attempted rape, unwanted "
            "kissing or touching, and female genital mutilation/cutting)?"
        ),
    ),
    (
        "physical_assault",
        "physical_assault",
        N_(
            "Did the incident involve physical violence that is not sexual (hitting, slapping, choking, burning, "
            "attack with a weapon or acid)?"
        ),
    ),
    ("forced_marriage", "forced_marriage", N_("Was the incident a marriage against the person's will?")),
    (
        "denial_of_resources",
        "denial_of_resources",
        N_(
            "Did the incident involve denial of rightful access to resources, opportunities or services (inheritance, "
            "earnings, contraception, school)? General poverty is not enough."
        ),
    ),
    (
        "psychological_abuse",
        "psychological_abuse",
        N_(
            "Did the incident involve psychological or emotional abuse (threats, intimidation, humiliation, forced "
            "isolation, stalking, harassment)?"
        ),
    ),
)
ANSWER_KEYS = tuple(key for key, _type, _question in QUESTIONS)
NON_GBV = "non_gbv"

GBV_TYPES: dict[str, str] = {
    "rape": N_("Rape"),
    "sexual_assault": N_("Sexual assault"),
    "physical_assault": N_("Physical assault"),
    "forced_marriage": N_("Forced marriage"),
    "denial_of_resources": N_("Denial of resources, opportunities or services"),
    "psychological_abuse": N_("Psychological or emotional abuse"),
    NON_GBV: N_("Not GBV"),
}

CONTEXT_FLAGS: dict[str, str] = {
    "intimate_partner_violence": N_("Intimate partner violence"),
    "child_sexual_abuse": N_("Child sexual abuse"),
    "early_marriage": N_("Early marriage"),
    "possible_sexual_exploitation": N_("Possible sexual exploitation"),
    "possible_sexual_slavery": N_("Possible sexual slavery"),
    "harmful_traditional_practice": N_("Harmful traditional practice"),
}
SEXUAL_TYPES = frozenset({"rape", "sexual_assault"})
PARTNER_RELATIONSHIPS = frozenset({"intimate_partner"})


class IncompleteAnswers(ValueError):
    """A question the tool would have asked was not answered."""

    def __init__(self, missing: str) -> None:
        super().__init__(missing)
        self.missing = missing


def classify(answers: Mapping[str, bool | None]) -> str:
    """The GBV type for the answers, applying the tool's order. Questions after the first "yes"
    need no answer; every question before it must have one."""
    for key, gbv_type, _question in QUESTIONS:
        answer = answers.get(key)
        if answer is None:
            raise IncompleteAnswers(key)
        if answer:
            return gbv_type
    return NON_GBV


def next_question(answers: Mapping[str, bool | None]) -> str | None:
    """The key of the next question to ask, or None when the tool has its answer."""
    for key, _type, _question in QUESTIONS:
        answer = answers.get(key)
        if answer is None:
            return key
        if answer:
            return None
    return None


@dataclass(frozen=True)
class IncidentContext:
    """What the flags depend on, besides the type (all coded values)."""

    age_at_incident: int | None = None
    perpetrator_relationships: Iterable[str] = ()
    money_or_goods_exchanged: bool = False
    abduction: str = "none"
    harmful_traditional_practice: str = "no"


def context_flags(gbv_type: str, context: IncidentContext) -> list[str]:
    """The case-context flags of docs/gbvims.md §1, in a stable order."""
    flags = []
    is_gbv = gbv_type != NON_GBV
    child = context.age_at_incident is not None and context.age_at_incident < 18
    if is_gbv and PARTNER_RELATIONSHIPS & set(context.perpetrator_relationships):
        flags.append("intimate_partner_violence")
    if gbv_type in SEXUAL_TYPES and child:
        flags.append("child_sexual_abuse")
    if gbv_type == "forced_marriage" and child:
        flags.append("early_marriage")
    if gbv_type in SEXUAL_TYPES and context.money_or_goods_exchanged:
        flags.append("possible_sexual_exploitation")
    if gbv_type in SEXUAL_TYPES and context.abduction not in ("none", ""):
        flags.append("possible_sexual_slavery")
    if is_gbv and context.harmful_traditional_practice not in ("no", ""):
        flags.append("harmful_traditional_practice")
    return flags
