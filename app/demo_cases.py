"""Synthetic GBV cases for the demo: invented people across the northern and central regions,
incidents of every type, and two recent rapes so the PEP countdown shows.

Generated from a fixed seed through the real service, so they are validated, encrypted and
audited exactly like cases typed by a caseworker.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from gbvims.classification import ANSWER_KEYS
from models import User

from .cases import service

GIVEN = (
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
    "Ousmane",
    "Moussa",
)
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
RELATIONSHIPS = (
    "intimate_partner",
    "family_other",
    "no_relation",
    "other_resident",
    "unknown",
    "family_friend_neighbour",
    "supervisor_employer",
)
OCCUPATIONS = ("non_state_armed_actor", "farmer", "trader", "unknown", "state_military", "unemployed")


def _answers_for(type_index: int) -> dict[str, bool]:
    """Answers that lead the tool to the type at ``type_index`` (6 = none of them: non-GBV)."""
    answers = {key: False for key in ANSWER_KEYS[:type_index]}
    if type_index < len(ANSWER_KEYS):
        answers[ANSWER_KEYS[type_index]] = True
    return answers


def load_cases(owners: list[User], count: int = 36, today: dt.date | None = None) -> int:
    rng = random.Random(2016)  # noqa: S311 — synthetic demo data, not secrets
    day = today or dt.date.today()
    created = 0
    for n in range(count):
        owner = owners[n % len(owners)]
        age = rng.choice((9, 14, 16, 19, 23, 27, 31, 36, 42, 55))
        child = age < 18
        sex = "male" if n % 11 == 10 else "female"
        payload: dict[str, Any] = {
            "kind": "gbv",
            # The first cases are in Gao, where the demo clinic's focal point answers referrals.
            "location": LOCATIONS[n % 3] if n < 9 else rng.choice(LOCATIONS),
            "survivor": {
                "given_name": rng.choice(GIVEN[:-2] if sex == "female" else GIVEN[-2:]),
                "family_name": rng.choice(FAMILY),
                "age": age,
                "age_estimated": n % 3 == 0,
                "sex": sex,
                "phone": f"+223 7{rng.randint(0, 9)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                "marital_status": "single" if child else rng.choice(("married", "single", "widowed", "divorced")),
                "displacement_status": rng.choice(("idp", "resident", "idp", "returnee", "refugee")),
                "disability": "no" if n % 7 else "physical",
                "unaccompanied": ("separated" if n % 5 == 0 else "no") if child else None,
                "address": f"Site de déplacés n°{rng.randint(1, 12)}",
            },
            "consent": {
                "services": True,
                "reporting": n % 6 != 0,
                "release": {
                    "health": True,
                    "psychosocial": True,
                    "legal": n % 2 == 0,
                    "security": n % 4 == 0,
                    "shelter": n % 3 == 0,
                    "livelihoods": n % 5 == 0,
                },
                "given_by": "caregiver" if child and age < 15 else "survivor",
                "assent": ("written" if age >= 12 else "oral") if child and age < 15 else "none",
            },
        }
        case = service.create_case(owner, payload, today=day)
        type_index = n % 7
        days_ago = 1 if n in (0, 7) else rng.randint(3, 120)
        occurred = day - dt.timedelta(days=days_ago)
        relationship = rng.choice(RELATIONSHIPS)
        service.add_incident(
            owner,
            case,
            {
                "date_of_incident": occurred.isoformat(),
                "date_of_interview": min(
                    day, occurred + dt.timedelta(days=rng.randint(0, 3) if days_ago > 3 else 1)
                ).isoformat(),
                "classification": _answers_for(type_index),
                "time_of_day": rng.choice(("morning", "afternoon", "evening_night", "evening_night")),
                "place_type": rng.choice(("bush_forest", "road", "survivor_home", "garden_field", "market", "latrine")),
                "stage_of_displacement": rng.choice(("during_flight", "during_refuge", "not_displaced")),
                "harmful_traditional_practice": "early_marriage" if type_index == 3 and child else "no",
                "money_or_goods_exchanged": n % 9 == 4,
                "abduction": "other_abduction" if n % 13 == 1 else "none",
                "referred_by": rng.choice(("self_referral", "health", "community_leader", "psychosocial")),
                "perpetrators": [
                    {
                        "sex": "male",
                        "age_group": rng.choice(("18-25", "26-40", "41-60")),
                        "relationship": relationship,
                        "occupation": rng.choice(OCCUPATIONS),
                    }
                ],
                "pathway": {
                    "health": "referred" if type_index == 0 else "not_applicable",
                    "psychosocial": "provided_by_agency",
                    "legal": "service_unavailable" if n % 2 else "referred",
                    "security": "service_unavailable" if n % 3 else "declined_by_survivor",
                    "shelter": "service_unavailable" if n % 4 == 0 else "not_applicable",
                },
            },
            today=day,
        )
        case.risk_level = ("high", "medium", "low")[n % 3]
        case.next_follow_up = day + dt.timedelta(days=rng.randint(-10, 20))
        created += 1
    return created
