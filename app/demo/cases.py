"""Synthetic GBV cases for the demo: invented people across the northern and central regions,
incidents of every type, and two recent rapes so the PEP countdown shows.

The answers are varied the way real intake forms are: exact times for some incidents, only the
time of day or "unknown" for others; pathway lines referred, provided, declined, unavailable
where no provider works (legal aid and shelter in the north) — or simply not recorded; groups of
perpetrators whose primary one is not always the first described; children whose consent and
assent follow their age. Generated from a fixed seed (``demo_cases`` is a pure function of the
day), then written through the real service, so the cases are validated, encrypted and audited
exactly like cases typed by a caseworker.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from gbvims.classification import NON_GBV, QUESTIONS
from gbvims.consent import rule_for_age
from gbvims.options import RELEASE_AREAS
from models import User

from ..cases import incidents, service
from .referrals import offered

GIVEN_FEMALE = (
    "Aïssata",
    "Fatoumata",
    "Mariam",
    "Kadidia",
    "Hawa",
    "Aminata",
    "Oumou",
    "Assétou",
    "Djénéba",
    "Fanta",
    "Rokia",
    "Salimata",
    "Bintou",
    "Nana",
    "Zeinabou",
    "Aïcha",
    "Fadimata",
    "Tata",
)
GIVEN_MALE = ("Ousmane", "Moussa", "Hamadoun", "Alassane")
FAMILY = (
    "Maïga",
    "Touré",
    "Cissé",
    "Traoré",
    "Diallo",
    "Coulibaly",
    "Keïta",
    "Sidibé",
    "Ag Mohamed",
    "Walet",
    "Haïdara",
    "Dicko",
    "Sangaré",
    "Kanté",
    "Diarra",
    "Konaté",
)
LOCATIONS = (
    "ML-7-03",
    "ML-7-01",
    "ML-7-02",
    "ML-6-05",
    "ML-6-02",
    "ML-8-02",
    "ML-9-03",
    "ML-10-06",
    "ML-5-06",
    "ML-5-04",
    "ML-5-01",
    "ML-5-05",
    "ML-4-06",
    "ML-4-04",
    "ML-4-05",
)
# Tombouctou, Gao, Kidal, Ménaka, Taoudénit: where the strategy reports legal aid and shelter missing.
NORTH = ("ML-6", "ML-7", "ML-8", "ML-9", "ML-10")
ETHNICITIES = {"north": ("Songhaï", "Tamasheq", "Peul", "Arabe"), "centre": ("Peul", "Dogon", "Bambara", "Bozo")}

# The types in the Classification Tool's order, then non-GBV; case n has the type n % 7.
TYPES = tuple(gbv_type for _key, gbv_type, _question in QUESTIONS) + (NON_GBV,)
SEXUAL = ("rape", "sexual_assault")
RECENT_RAPES = {0: {"time_of_incident": "22:40"}, 7: {"time_of_day": "evening_night"}}  # within 72 h
MALE_SURVIVORS = (13, 21, 30)
# Children in every consent band: 0–5 caregiver; 6–11 + oral assent; 12–14 + written; 15–17 themselves.
CHILD_AGES = {8: 9, 10: 14, 15: 11, 17: 16, 22: 5, 29: 12}  # 10 and 15 are separated children
PARTNER_CASES = (2, 12, 25)  # violence by the same partner, an older incident disclosed too
SECOND_INCIDENTS = {2: "psychological_abuse", 12: "denial_of_resources", 20: "rape", 25: "physical_assault"}
NON_GBV_STORIES = (
    ("Vol de bétail lors d'une attaque du campement ; aucune violence basée sur le genre.", "bush_forest", "armed"),
    ("Racket à un poste de contrôle sur la route nationale ; pas d'élément de VBG.", "checkpoint", "armed"),
    ("Différend foncier avec un voisin au sujet d'un champ ; menaces sans lien avec le genre.", "garden_field", "one"),
    ("Vol de marchandises au marché ; orientée vers un appui en moyens de subsistance.", "market", "unknown"),
    ("Bagarre entre jeunes au site de déplacés ; blessure légère sans motif lié au genre.", "displacement_site", "one"),
)
PLACES = {
    "rape": (
        "bush_forest",
        "road",
        "checkpoint",
        "armed_group_base",
        "gold_mining_site",
        "displacement_site",
        "survivor_home",
        "garden_field",
        "streamside",
    ),
    "sexual_assault": ("market", "displacement_site", "road", "latrine", "gold_mining_site", "checkpoint"),
    "physical_assault": ("survivor_home", "survivor_home", "displacement_site", "market", "road"),
    "forced_marriage": ("survivor_home", "perpetrator_home"),
    "denial_of_resources": ("survivor_home", "survivor_home", "displacement_site"),
    "psychological_abuse": ("survivor_home", "displacement_site", "market", "checkpoint"),
}
Weights = dict[str | None, int]  # None: the line is left unanswered ("not recorded")


@dataclass(frozen=True)
class Who:
    """What an incident's answers depend on: the case number, the survivor, the place."""

    n: int
    age: int
    sex: str
    location: str
    displacement: str

    @property
    def child(self) -> bool:
        return self.age < 18

    @property
    def north(self) -> bool:
        return self.location.rsplit("-", 1)[0] in NORTH


@dataclass
class DemoCase:
    payload: dict[str, Any]
    incidents: list[dict[str, Any]]
    risk_level: str
    follow_up_in_days: int


def _pick(rng: random.Random, weights: Weights) -> str | None:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _answers_for(gbv_type: str) -> dict[str, bool]:
    """Answers that lead the Classification Tool to ``gbv_type`` (all "no": non-GBV)."""
    answers = {}
    for key, leads_to, _question in QUESTIONS:
        answers[key] = leads_to == gbv_type
        if answers[key]:
            break
    return answers


def _phone(rng: random.Random) -> str:
    return f"+223 7{rng.randint(0, 9)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"


def _row(sex: str, age_group: str, relationship: str, occupation: str | None = None, **extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"sex": sex, "age_group": age_group, "relationship": relationship}
    if occupation:
        row["occupation"] = occupation
    row.update({key: value for key, value in extra.items() if value is not None})
    return row


def _group(rng: random.Random, size: int, relationship: str = "no_relation") -> tuple[list[dict[str, Any]], str]:
    """Armed men: the survivor described ``size`` of them and pointed out the one in charge,
    seldom the first one she spoke of; more may have been there than she could describe."""
    rows = [
        _row(
            "male",
            rng.choice(("18-25", "18-25", "26-40", "unknown")),
            relationship,
            "non_state_armed_actor",
            nationality=rng.choice(("ML", "unknown", "unknown", None)),
            past_gbv=rng.choice((None, "unknown", "yes")),
        )
        for _ in range(size)
    ]
    rows[rng.randint(1, size - 1)]["primary"] = True
    return rows, "more_than_3" if size > 3 or rng.random() < 0.3 else str(size)


OCCUPATIONS_BY_RELATIONSHIP = {
    "no_relation": ("state_military", "non_state_armed_actor", "gold_miner", "unknown"),
    "supervisor_employer": ("trader", "gold_miner", "herder"),
    "intimate_partner": ("farmer", "herder", "trader", "unemployed", "gold_miner", "state_military"),
}


def _single(
    rng: random.Random,
    relationship: str,
    *,
    sex: str = "male",
    age_group: str | None = None,
    occupation: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    occupations = OCCUPATIONS_BY_RELATIONSHIP.get(relationship, ("farmer", "herder", "trader", "unemployed", "unknown"))
    drawn_age, drawn_occupation = rng.choice(("18-25", "26-40", "26-40", "41-60")), rng.choice(occupations)
    return _row(
        sex,
        age_group or drawn_age,
        relationship,
        occupation or drawn_occupation,
        nationality=rng.choice(("ML", "ML", "ML", None)),
        past_gbv=rng.choice((None, None, "unknown", "yes", "no")),
        **extra,
    )


def _perpetrators(
    rng: random.Random, gbv_type: str, *, n: int, age: int, sex: str, north: bool, place: str
) -> tuple[list[dict[str, Any]], str, str | None]:
    """The perpetrator rows, the number of perpetrators and the harmful traditional practice."""
    child = age < 18
    partner = n in PARTNER_CASES or (not child and rng.random() < 0.6)  # an adult's abuser: mostly her partner
    if gbv_type == "rape":
        shape = "group" if n == 21 else _pick(rng, {"one": 5, "group": 4 if north else 1, "unknown": 1})
        if shape == "group":
            return (*_group(rng, rng.choice((2, 3, 4))), None)
        if shape == "unknown":  # the survivor could tell nothing about him
            return [_row("male", "unknown", "unknown", "unknown")], "unknown", None
        relationships = ["family_friend_neighbour", "no_relation", "other_resident", "supervisor_employer"]
        if not child:
            relationships += ["intimate_partner", "other_refugee_idp_returnee"]
        return [_single(rng, rng.choice(relationships))], "1", None
    if gbv_type == "sexual_assault":
        if age <= 5:  # cutting: a traditional practitioner, brought by the grandmother
            return (
                [
                    _row("female", "41-60", "other_resident", "other", primary=True),
                    _row("female", "61+", "family_other", "unknown"),
                ],
                "2",
                "fgm_c",
            )
        if place in ("koranic_school", "school"):
            occupation = "koranic_teacher" if place == "koranic_school" else "teacher"
            return [_single(rng, "teacher", age_group="41-60", occupation=occupation)], "1", None
        if rng.random() < 0.3:
            return (*_group(rng, 2, "no_relation"), None)
        return [_single(rng, rng.choice(("family_friend_neighbour", "no_relation", "supervisor_employer")))], "1", None
    if gbv_type == "physical_assault":
        if sex == "male":  # beaten by men of the host community
            rows = [_single(rng, "other_resident") for _ in range(3)]
            rows[2]["primary"] = True
            return rows, "3", None
        if child:
            return [_single(rng, "primary_caregiver", age_group="26-40")], "1", None
        if partner:
            husband = _single(rng, "intimate_partner", primary=True)
            if rng.random() < 0.3:  # his mother joined in
                return [husband, _row("female", "41-60", "family_other", "trader")], "2", None
            return [husband], "1", None
        return [_single(rng, "no_relation")], rng.choice(("1", "unknown")), None
    if gbv_type == "forced_marriage":
        if child:  # the father arranged it: the primary one, though the husband is spoken of first
            rows = [
                _row("male", "41-60", "intimate_partner", rng.choice(("herder", "trader", "gold_miner"))),
                _row("male", "41-60", "primary_caregiver", rng.choice(("farmer", "herder")), primary=True),
            ]
            if rng.random() < 0.5:
                rows.append(_row("female", "26-40", "primary_caregiver", "trader"))
            return rows, str(len(rows)), "early_marriage"
        # a widow given to her late husband's brother
        rows = [_single(rng, "family_other", age_group="26-40"), _single(rng, "family_other", age_group="61+")]
        rows[rng.randint(0, 1)]["primary"] = True
        return rows, "2", None
    if gbv_type == "denial_of_resources":
        if child:  # kept from school
            return [_single(rng, "primary_caregiver", age_group="41-60")], "1", None
        if partner and rng.random() < 0.5:
            return [_single(rng, "intimate_partner"), _row("female", "41-60", "family_other", primary=True)], "2", None
        return [_single(rng, "intimate_partner" if partner else "family_other")], "1", None
    if gbv_type == "psychological_abuse":
        if place == "checkpoint" and not partner:
            rows, count = _group(rng, 2)
            return rows, rng.choice((count, "unknown")), None
        if partner:
            return [_single(rng, "intimate_partner")], "1", None
        if not child and rng.random() < 0.5:  # a co-wife
            return [_row("female", "26-40", "family_other", "trader")], "1", None
        return [_single(rng, "family_friend_neighbour")], "1", None
    raise ValueError(gbv_type)  # non-GBV incidents come from NON_GBV_STORIES


def _non_gbv_perpetrators(rng: random.Random, kind: str) -> tuple[list[dict[str, Any]], str]:
    if kind == "armed":
        return [_row("male", "unknown", "no_relation", "non_state_armed_actor")], "more_than_3"
    if kind == "unknown":
        return [_row("unknown", "unknown", "unknown")], "unknown"
    return [_single(rng, "family_friend_neighbour", age_group="26-40")], "1"


# Health care for most rapes (referred, or given by the agency's own clinic team), rarely refused.
HEALTH: dict[str, Weights] = {
    "rape": {"referred": 6, "provided_by_agency": 2, "received_elsewhere": 2, "declined_by_survivor": 1},
    "sexual_assault": {"referred": 3, "received_elsewhere": 1, "not_applicable": 2, None: 2, "declined_by_survivor": 1},
    "physical_assault": {"referred": 4, "received_elsewhere": 2, "provided_by_agency": 1, None: 1},
    "forced_marriage": {"referred": 1, "not_applicable": 2, None: 4},
}


def _pathway(rng: random.Random, gbv_type: str, location: str, *, child: bool, north: bool) -> dict[str, str | None]:
    """The referral-pathway lines of the IRF, each answered or not (None: not recorded). A
    referral the caseworker would make becomes "service unavailable" where no provider of the
    directory (demo/referrals.py) offers the service — always for legal aid and shelter in the north."""
    sexual, intimate = gbv_type in SEXUAL, gbv_type in ("physical_assault", "forced_marriage", "denial_of_resources")
    health = HEALTH.get(gbv_type, {"referred": 1, "not_applicable": 4, None: 4})
    psychosocial: Weights = (
        {"provided_by_agency": 1, "not_applicable": 2, None: 3}
        if gbv_type == NON_GBV
        else {"provided_by_agency": 6, "referred": 1, "declined_by_survivor": 1, None: 2}
    )
    legal: Weights = (
        {"not_applicable": 2, None: 4}
        if gbv_type == NON_GBV
        else {"referred": 5 if north else 3, "declined_by_survivor": 2, "not_applicable": 1, None: 3}
    )
    shelter: Weights = (
        {"referred": 4 if north else 2, "not_applicable": 3, None: 4, "declined_by_survivor": 1}
        if intimate or gbv_type == "rape"
        else {"not_applicable": 3, None: 5}
    )
    security: Weights = (
        {"referred": 2, "declined_by_survivor": 2, "not_applicable": 1, None: 4}
        if sexual or gbv_type == "physical_assault"
        else {"referred": 1, "declined_by_survivor": 1, "not_applicable": 2, None: 5}
    )
    livelihoods: Weights = (
        {"referred": 3, "not_applicable": 1, None: 4}
        if intimate or gbv_type == NON_GBV
        else {"referred": 1, "not_applicable": 2, None: 6}
    )
    child_protection: Weights = (
        {"referred": 4, "provided_by_agency": 2, None: 1} if child else {"not_applicable": 3, None: 4}
    )
    lines = {
        "health": health,
        "psychosocial": psychosocial,
        "legal": legal,
        "shelter": shelter,
        "security": security,
        "livelihoods": livelihoods,
        "child_protection": child_protection,
    }
    answered: dict[str, str | None] = {}
    for line, weights in lines.items():
        status = _pick(rng, weights)
        # Health, psychosocial and child protection actors the demo directory does not list
        # work in the centre; in the north, nobody listed means nobody there.
        outside_directory = not north and line in ("health", "psychosocial", "child_protection")
        if status == "referred" and not outside_directory and not offered(line, location, child):
            status = "service_unavailable"
        answered[line] = status
    return answered


DAYTIME_PLACES = ("school", "koranic_school", "market", "perpetrator_home")


def _when(rng: random.Random, n: int, place: str) -> dict[str, str]:
    """An exact local time for some incidents, only the time of day for most, unknown for a few."""
    if n in RECENT_RAPES:
        return RECENT_RAPES[n]
    roll = rng.random()
    time_of_day = rng.choice(
        ("morning", "afternoon", "afternoon")
        if place in DAYTIME_PLACES
        else ("morning", "afternoon", "evening_night", "evening_night")
    )
    if roll < 0.35:
        hours = {"morning": range(6, 12), "afternoon": range(12, 18)}.get(time_of_day, (19, 20, 21, 22, 23, 0, 2, 4))
        return {"time_of_incident": f"{rng.choice(hours):02d}:{rng.choice(range(0, 60, 5)):02d}"}
    return {"time_of_day": time_of_day if roll < 0.85 else "unknown"}


def _incident(
    rng: random.Random, gbv_type: str, who: Who, *, occurred: dt.date, interviewed: dt.date, earlier_gbv: bool
) -> dict[str, Any]:
    n, age, location, displacement = who.n, who.age, who.location, who.displacement
    description = None
    if gbv_type == NON_GBV:
        description, place, kind = NON_GBV_STORIES[(n // 7) % len(NON_GBV_STORIES)]
        perpetrators, count = _non_gbv_perpetrators(rng, kind)
        practice: str | None = "no"
    else:
        places = PLACES[gbv_type]
        if gbv_type == "sexual_assault" and age <= 5:
            places = ("perpetrator_home",)
        elif gbv_type == "sexual_assault" and age < 15:
            places = ("koranic_school", "school", "latrine")
        elif n in PARTNER_CASES:
            places = ("survivor_home",)
        elif gbv_type == "physical_assault" and who.sex == "male":
            places = ("market", "road", "displacement_site")
        place = rng.choice(places)
        perpetrators, count, practice = _perpetrators(
            rng, gbv_type, n=n, age=age, sex=who.sex, north=who.north, place=place
        )
        practice = practice or rng.choice(("no", "no", "no", None))
    pathway = _pathway(rng, gbv_type, location, child=who.child, north=who.north)
    if n in RECENT_RAPES and gbv_type == "rape":
        pathway.update(health="referred", psychosocial="provided_by_agency")  # PEP first, then listening
    elif n in PARTNER_CASES and gbv_type == "physical_assault":
        pathway["health"] = "referred"  # injuries seen at the clinic
    elif who.child and gbv_type in SEXUAL and pathway["health"] not in ("received_elsewhere", "provided_by_agency"):
        pathway["health"] = "referred"  # a child is always referred for medical care after sexual violence
    reported = rng.choice(("no", "no", "no", "no", "no", "gbvims_agency", "non_gbvims_agency", "non_gbvims_agency"))
    reported_to = {
        "gbvims_agency": ("health", "psychosocial"),
        "non_gbvims_agency": ("police_security", "community_leader"),
    }
    payload: dict[str, Any] = {
        "date_of_incident": occurred.isoformat(),
        "date_of_interview": interviewed.isoformat(),
        "classification": _answers_for(gbv_type),
        **_when(rng, n, place),
        "place_type": place,
        "stage_of_displacement": {
            "resident": "not_displaced",
            "returnee": rng.choice(("during_return", "post_displacement")),
        }.get(displacement, rng.choice(("during_flight", "during_refuge", "during_refuge"))),
        "harmful_traditional_practice": practice,
        "money_or_goods_exchanged": _pick(
            rng, {"no": 5, "yes": 1, "unknown": 1, None: 1} if gbv_type in SEXUAL else {"no": 3, "unknown": 1, None: 3}
        ),
        "abduction": _pick(
            rng,
            {"forced_conscription": 1}
            if n == 21
            else {"none": 2, "other_abduction": 1}
            if place == "armed_group_base"
            else {"none": 6, None: 2},
        ),
        "reported_elsewhere": reported,
        "reported_elsewhere_to": rng.choice(reported_to[reported]) if reported in reported_to else None,
        "previous_gbv": "yes" if earlier_gbv else _pick(rng, {"no": 4, "yes": 2, "unknown": 2, None: 2}),
        "referred_by": rng.choice(("self_referral", "self_referral", "health", "community_leader", "psychosocial")),
        "wants_legal_action": {
            "referred": "yes",
            "declined_by_survivor": "no",
            "service_unavailable": rng.choice(("yes", "undecided")),
        }.get(pathway["legal"] or "", rng.choice((None, None, "undecided"))),
        "perpetrator_count": count,
        "perpetrators": perpetrators,
        "pathway": {line: status for line, status in pathway.items() if status is not None},
    }
    if description:
        payload["non_gbv_description"] = description
    return {key: value for key, value in payload.items() if value is not None}


def _release(rng: random.Random, incidents: list[dict[str, Any]]) -> dict[str, bool]:
    """What the survivor agreed to share, with whom: every area she was referred for, health and
    psychosocial unless she refused them, some others for later."""
    answers: dict[str, set[str]] = {}
    for incident in incidents:
        for line, status in incident["pathway"].items():
            answers.setdefault("other" if line == "child_protection" else line, set()).add(status)
    release = {}
    for area in RELEASE_AREAS:
        given = answers.get(area, set())
        if "declined_by_survivor" in given and "referred" not in given:
            release[area] = False
        else:
            release[area] = "referred" in given or area in ("health", "psychosocial") or rng.random() < 0.25
    return release


def _survivor(
    rng: random.Random, *, n: int, age: int, sex: str, nationality: str, displacement: str, north: bool
) -> dict[str, Any]:
    child = age < 18
    family = rng.choice(FAMILY)
    survivor: dict[str, Any] = {
        "given_name": rng.choice(GIVEN_MALE if sex == "male" else GIVEN_FEMALE),
        "family_name": family,
        "age": age,
        "age_estimated": n % 3 == 0,
        "sex": sex,
        "phone": _phone(rng),
        "nationality": nationality,
        "country_of_origin": rng.choice((nationality, nationality, nationality, None)),
        "displacement_status": displacement,
        "disability": "no" if n % 7 else rng.choice(("physical", "mental")),
        "address": f"Site de déplacés n°{rng.randint(1, 12)}"
        if displacement in ("idp", "refugee", "asylum_seeker")
        else f"Quartier {rng.choice(('Château', 'Aljanabandia', 'Sosso-Koïra', 'Sévaré', 'Médine'))}",
        "ethnicity": rng.choice((*ETHNICITIES["north" if north else "centre"], None)),
    }
    if child:
        survivor["unaccompanied"] = "separated" if _separated(n) else "no"
        survivor["occupation"] = rng.choice(
            ("student", "student", "trader", "other", None) if age >= 12 else ("student", "student", None)
        )
        survivor["caregiver_name"] = f"{rng.choice(GIVEN_FEMALE)} {family}"
        survivor["caregiver_phone"] = _phone(rng)
        return survivor
    survivor["occupation"] = rng.choice(
        (
            "farmer",
            "trader",
            "trader",
            "herder",
            "unemployed",
            "gold_miner",
            "teacher",
            "health_worker",
            "other",
            "unknown",
            None,
        )
        if sex == "female"
        else ("herder", "farmer", "gold_miner", "trader")
    )
    dependants = rng.choice((0, 1, 2, 3, 4, 5, 6, None))
    survivor["dependants_count"] = dependants
    if dependants and rng.random() < 0.8:
        survivor["dependants_ages"] = ", ".join(str(a) for a in sorted(rng.randint(0, 16) for _ in range(dependants)))
    return survivor


def _separated(n: int) -> bool:
    """Whether the survivor of case n, if a child, was separated from her family."""
    return n % 5 == 0


def _child_block(rng: random.Random, n: int, married: bool) -> dict[str, Any]:
    """The IRF's questions about who the child lives with."""
    separated = _separated(n)
    relation = "spouse" if married else rng.choice(("relative", "other")) if separated else "parent_guardian"
    return {
        "lives_alone": rng.choice(("yes", "unknown")) if separated else "no",
        "caretaker_relation": relation,
        "caretaker_marital_status": "married" if married else rng.choice(("married", "married", "widowed", "divorced")),
        "caretaker_occupation": rng.choice(("farmer", "herder", "trader", "gold_miner", "unemployed", "unknown")),
    }


def _consent(age: int, *, caregiver_is_perpetrator: bool, separated: bool) -> dict[str, str]:
    """Who consents, and the child's assent, as the age rule asks (gbvims/consent.py): a trusted
    adult when the caregiver is a perpetrator, the caseworker for a separated child."""
    rule = rule_for_age(age)
    if "survivor" in rule.consent_from:
        given_by = "survivor"
    elif caregiver_is_perpetrator:
        given_by = "trusted_adult"
    elif separated:
        given_by = "caseworker"
    else:
        given_by = "caregiver"
    return {"given_by": given_by, "assent": rule.assent}


def demo_cases(today: dt.date, count: int = 36) -> list[DemoCase]:
    """The demo cases as the payloads a caseworker would send: the same for the same day."""
    rng = random.Random(2016)  # noqa: S311 — synthetic demo data, not secrets
    made = []
    for n in range(count):
        gbv_type = TYPES[n % len(TYPES)]
        # The first cases are in Gao, where the demo clinic's focal point answers referrals.
        location = LOCATIONS[n % 3] if n < 12 else rng.choice(LOCATIONS)
        north = location.rsplit("-", 1)[0] in NORTH
        sex = "male" if n in MALE_SURVIVORS else "female"
        if n in CHILD_AGES:
            age = CHILD_AGES[n]
        elif sex == "male":
            age = rng.choice((24, 31, 38))
        elif n in PARTNER_CASES:
            age = rng.choice((23, 27, 31, 36, 42))
        elif gbv_type == "forced_marriage":
            age = rng.choice((15, 17, 19, 23, 34))
        else:
            age = rng.choice((16, 19, 21, 23, 25, 27, 31, 36, 42, 55))
        child = age < 18
        nationality = rng.choices(("ML", "BF", "NE", "MR", "unknown"), weights=(26, 3, 3, 2, 2))[0]
        if nationality == "ML":
            displacement = rng.choice(("idp", "resident", "idp", "returnee"))
        elif nationality == "unknown":
            displacement = "idp"
        else:
            displacement = rng.choice(("refugee", "refugee", "asylum_seeker"))

        days_ago = 1 if n in RECENT_RAPES else rng.randint(3, 120)
        occurred = today - dt.timedelta(days=days_ago)
        interviewed = min(today, occurred + dt.timedelta(days=rng.randint(0, 3) if days_ago > 3 else 1))
        who = Who(n, age, sex, location, displacement)
        incidents = [
            _incident(rng, gbv_type, who, occurred=occurred, interviewed=interviewed, earlier_gbv=n in SECOND_INCIDENTS)
        ]
        if n in SECOND_INCIDENTS:  # an older incident, disclosed at the same interview
            before = occurred - dt.timedelta(days=rng.randint(25, 300))
            earlier = _incident(
                rng, SECOND_INCIDENTS[n], who, occurred=before, interviewed=interviewed, earlier_gbv=False
            )
            if n in PARTNER_CASES:  # the same partner
                partner = next(p for p in incidents[0]["perpetrators"] if p["relationship"] == "intimate_partner")
                partner = {key: value for key, value in partner.items() if key != "primary"}
                earlier.update(perpetrators=[partner], perpetrator_count="1")
            incidents.append(earlier)

        rows = [p for incident in incidents for p in incident["perpetrators"]]
        caregiver_is_perpetrator = any(p["relationship"] == "primary_caregiver" for p in rows)
        married = child and gbv_type == "forced_marriage"
        survivor = _survivor(
            rng, n=n, age=age, sex=sex, nationality=nationality, displacement=displacement, north=north
        )
        if child:
            survivor["marital_status"] = "married" if married else "single"
            survivor.update(_child_block(rng, n, married))
        elif any(p["relationship"] == "intimate_partner" for p in rows):
            survivor["marital_status"] = rng.choice(("married", "married", "married", "divorced"))
        elif gbv_type == "forced_marriage":
            survivor["marital_status"] = "widowed"
        else:
            survivor["marital_status"] = rng.choice(("married", "single", "widowed", "divorced", None))
        payload = {
            "kind": "gbv",
            "location": location,
            "survivor": {key: value for key, value in survivor.items() if value is not None},
            "consent": {
                "services": True,
                "reporting": n % 6 != 0,
                "release": _release(rng, incidents),
                **_consent(age, caregiver_is_perpetrator=caregiver_is_perpetrator, separated=child and _separated(n)),
            },
        }
        made.append(DemoCase(payload, incidents, ("high", "medium", "low")[n % 3], rng.randint(-10, 20)))
    return made


def load_cases(owners: list[User], count: int = 36, today: dt.date | None = None) -> int:
    day = today or dt.date.today()
    created = 0
    for n, demo in enumerate(demo_cases(day, count)):
        owner = owners[n % len(owners)]
        case = service.create_case(owner, demo.payload, today=day)
        for incident in demo.incidents:
            incidents.add_incident(owner, case, incident, today=day)
        case.risk_level = demo.risk_level
        case.next_follow_up = day + dt.timedelta(days=demo.follow_up_in_days)
        created += 1
    return created
