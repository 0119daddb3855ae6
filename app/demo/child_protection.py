"""Synthetic child protection cases for the demo: every protection concern and risk level,
separated children with tracing (one reunified and followed up), a child in interim care, a
best interests assessment and determination, grave violations documented for the MRM, and a
child about to turn 18. Written through the real services — validated, encrypted, audited —
from a fixed list, so the demo is the same every day (dates move with the day)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cpims.options import PROTECTION_CONCERNS
from gbvims.consent import rule_for_age
from models import User

from ..cases import casework, service
from ..cp import best_interests, care, tracing

# (given name, family name, sex, age, location, concerns, risk, caregiver or None)
CHILDREN: tuple[tuple[str, str, str, int, str, tuple[str, ...], str, str | None], ...] = (
    ("Moussa", "Touré", "male", 13, "ML-7-03", ("separated",), "high", "Fanta Touré (tante)"),
    ("Aminata", "Cissé", "female", 9, "ML-6", ("unaccompanied",), "high", None),
    ("Hamadoun", "Maïga", "male", 16, "ML-7", ("associated_with_armed_groups", "detention"), "high", None),
    ("Oumar", "Diallo", "male", 11, "ML-5", ("talibe", "street_connected"), "medium", None),
    ("Salimata", "Traoré", "female", 14, "ML-4", ("child_labour",), "medium", "Awa Traoré (mère)"),
    ("Issa", "Ag Mohamed", "male", 15, "ML-8", ("child_headed_household",), "medium", None),
    ("Kadiatou", "Keïta", "female", 12, "ML-5", ("sexual_violence", "child_marriage"), "high", "Oumou Keïta (mère)"),
    ("Boubacar", "Sidibé", "male", 7, "ML-7-03", ("physical_violence", "neglect"), "medium", "Ali Sidibé (oncle)"),
    ("Fadimata", "Walet", "female", 10, "ML-9", ("trafficking",), "high", None),
    ("Alassane", "Haïdara", "male", 8, "ML-6", ("disability",), "low", "Mariam Haïdara (mère)"),
    ("Sékou", "Coulibaly", "male", 12, "ML-5", ("explosive_ordnance_victim",), "medium", "Bakary Coulibaly (père)"),
    ("Nana", "Dicko", "female", 6, "ML-BKO", ("other",), "low", "Kadia Dicko (grand-mère)"),
    ("Ousmane", "Guindo", "male", 17, "ML-5", ("separated", "child_labour"), "low", "Dramane Guindo (cousin)"),
)
REUNIFIED = 0  # Moussa: traced, verified, reunified with his mother and followed up
IN_INTERIM_CARE = 1  # Aminata
MRM = {
    2: ("recruitment_use", "armed_group", 60),
    10: ("killing_maiming", "unknown", 20),
    6: ("sexual_violence", "armed_group", 45),
}
TURNING_18 = 12  # Ousmane: born 17 years and 11 months ago
assert {c for child in CHILDREN for c in child[5]} == set(PROTECTION_CONCERNS)  # noqa: S101 — every concern


def _consent(age: int, caregiver: str | None) -> dict[str, Any]:
    rule = rule_for_age(age)
    given_by = "survivor" if "survivor" in rule.consent_from else ("caregiver" if caregiver else "caseworker")
    return {
        "services": True,
        "reporting": True,
        "given_by": given_by,
        "assent": rule.assent,
        "release": {
            "health": True,
            "psychosocial": True,
            "legal": False,
            "security": False,
            "shelter": True,
            "livelihoods": False,
            "other": True,
        },
    }


def payloads(today: dt.date) -> list[dict[str, Any]]:
    made = []
    for n, (given, family, sex, age, location, concerns, risk, caregiver) in enumerate(CHILDREN):
        survivor: dict[str, Any] = {
            "given_name": given,
            "family_name": family,
            "sex": sex,
            "age": age,
            "age_estimated": n % 3 == 1,
            "displacement_status": "idp" if n % 2 else "resident",
        }
        if n == TURNING_18:
            survivor.pop("age")
            survivor.pop("age_estimated")
            survivor["date_of_birth"] = (today.replace(year=today.year - 18) + dt.timedelta(days=30)).isoformat()
        if caregiver:
            survivor["caregiver_name"] = caregiver
        payload: dict[str, Any] = {
            "kind": "cp",
            "location": location,
            "survivor": survivor,
            "protection_concerns": list(concerns),
            "risk_level": risk,
            "urgent": risk == "high" and n % 2 == 0,
            "consent": _consent(age, caregiver),
        }
        if caregiver is None:
            payload["no_caregiver_reason"] = (
                "unaccompanied"
                if "unaccompanied" in concerns
                else "child_headed_household"
                if "child_headed_household" in concerns
                else "caregiver_unknown"
            )
        if n in MRM:
            violation, perpetrator, days_ago = MRM[n]
            payload["grave_violations"] = [
                {
                    "violation": violation,
                    "perpetrator": perpetrator,
                    "date": (today - dt.timedelta(days=days_ago)).isoformat(),
                }
            ]
        made.append(payload)
    return made


def load_child_protection(caseworker: User, today: dt.date) -> int:
    """The CP cases, owned by ``caseworker``; returns how many."""

    def day(days_ago: int) -> str:
        return (today - dt.timedelta(days=days_ago)).isoformat()

    cases = [service.create_case(caseworker, payload, today=today) for payload in payloads(today)]
    moussa, aminata = cases[REUNIFIED], cases[IN_INTERIM_CARE]
    casework.record_assessment(
        caseworker,
        moussa,
        {
            "needs": {"family": True, "psychosocial": True},
            "risk_level": "high",
            "safety_plan": "Reste chez sa tante jusqu'à la réunification.",
        },
    )
    tracing.record_separation(
        caseworker,
        moussa,
        {"date": day(40), "cause": "conflict", "place": "Marché de Ménaka", "sought": "Sa mère, Mariam Touré"},
        today,
    )
    tracing.add_action(caseworker, moussa, {"date": day(30), "action": "photo", "outcome": "successful"}, today)
    tracing.add_verification(caseworker, moussa, {"date": day(20), "recommendation": "reunification"}, today)
    tracing.add_reunification(caseworker, moussa, {"date": day(15), "reunification_type": "parents"}, today)
    casework.add_follow_up(
        caseworker,
        moussa,
        {
            "date": day(5),
            "risk_level": "low",
            "purpose": "after_reunification",
            "notes": "Moussa va à l'école, sa mère est soutenue.",
        },
        today,
    )
    care.start(
        caseworker,
        aminata,
        {"arrangement": "interim_care_centre", "started": day(10), "carer": "Centre de transit de Tombouctou"},
        today,
    )
    tracing.record_separation(caseworker, aminata, {"cause": "population_movement"}, today)
    best_interests.record_assessment(
        caseworker,
        aminata,
        {"priority": "1_week", "recommendation": "reunification", "child_views": "Elle veut retrouver sa grand-mère."},
    )
    best_interests.submit_determination(caseworker, aminata, {"recommendation": "reunification"})
    return len(cases)
