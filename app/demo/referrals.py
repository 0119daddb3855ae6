"""Demo service directory (with the gaps the strategy reports) and referrals in every state."""

from __future__ import annotations

from sqlalchemy import select

from models import Case, Incident, User, db

from ..referrals import service
from ..referrals.directory_admin import upsert_provider

# code, name, agency, services, locations, children?, clinical management of rape?, PEP kits?
PROVIDERS = (
    ("SAHEL-GAO", "Clinique Sahel Santé — Gao", "SAHELSANTE", "health", "ML-7", True, True, True),
    ("CSREF-MOPTI", "CSRéf de Mopti (démo)", "SAHELSANTE", "health", "ML-5", True, True, True),
    ("CSCOM-TOMBOUCTOU", "CSCom Tombouctou (démo)", "SAHELSANTE", "health", "ML-6", True, True, False),
    ("CSCOM-KIDAL", "CSCom Kidal (démo)", "SAHELSANTE", "health", "ML-8-02", True, False, False),
    ("CSCOM-MENAKA", "CSCom Ménaka (démo)", "SAHELSANTE", "health", "ML-9-03", True, True, True),
    ("ESPOIR-PSS", "Espace d'écoute Espoir — Gao", "ESPOIR", "psychosocial", "ML-7", True, False, False),
    ("ESPOIR-PSS-TBK", "Espace d'écoute Espoir — Tombouctou", "ESPOIR", "psychosocial", "ML-6", True, False, False),
    (
        "DJIGUIYA-PSS",
        "Djiguiya — soutien psychosocial et AGR",
        "DJIGUIYA",
        "psychosocial;livelihoods",
        "ML-5;ML-4",
        True,
        False,
        False,
    ),
    ("DJIGUIYA-JUR", "Clinique juridique Djiguiya — Mopti", "DJIGUIYA", "legal", "ML-5-06", False, False, False),
    ("MAISON-SEGOU", "Maison d'accueil des femmes — Ségou", "DJIGUIYA", "shelter", "ML-4-06", False, False, False),
    ("POLICE-GAO", "Commissariat de Gao — point focal VBG", "SUTURA", "security", "ML-7-03", True, False, False),
    (
        "ESPOIR-EDU",
        "Espoir — éducation et recherche familiale",
        "ESPOIR",
        "child_protection;education;family_tracing",
        "ML-7;ML-6",
        True,
        False,
        False,
    ),
)
# Each state the demo shows, with the provider's answers that lead to it.
STORIES: tuple[list[str | tuple[str, str]], ...] = (
    [],
    ["accept"],
    [("decline", "capacity")],
    ["accept", "deliver"],
    ["accept", ("not_deliver", "stock_out")],
    ["accept", "deliver", "close"],
    ["withdraw"],
)


def load_directory() -> None:
    for code, name, agency, services, locations, children, cmr, pep in PROVIDERS:
        upsert_provider(
            {
                "code": code,
                "name": name,
                "agency": agency,
                "services": services,
                "locations": locations,
                "serves_children": children,
                "clinical_management_of_rape": cmr,
                "pep_kits_in_stock": pep,
                "hours": "Lun–Ven 8h–17h, urgences 24h/24" if "health" in services else "Lun–Ven 8h–16h",
                "languages": "français, songhaï, tamasheq" if "ML-7" in locations else "français, bambara",
            }
        )


def offered(service_type: str, location_code: str, child: bool) -> bool:
    """Whether a demo provider offers this service where the survivor is: the directory's rule
    (the provider covers the place or a parent of it, and takes children when need be). The demo
    cases use it so that "service unavailable" is only ever answered where nobody offers it."""
    for _code, _name, _agency, services, locations, children, _cmr, _pep in PROVIDERS:
        if service_type not in services.split(";") or (child and not children):
            continue
        if any(location_code == place or location_code.startswith(f"{place}-") for place in locations.split(";")):
            return True
    return False


def _health_incident(case: Case) -> Incident | None:
    """The incident a health referral is for: the latest one whose health line the caseworker
    answered "referred" or left unanswered (never one where care was refused or received)."""
    eligible = [i for i in case.incidents if i.pathway_health in ("referred", None)]
    return max(eligible, key=lambda i: i.date_of_incident) if eligible else None


def load_referrals(focal_point: User) -> int:
    """Referrals from Gao cases to the Gao clinic, one per story, each for the incident it
    answers; a gap recorded for every pathway line answered "service unavailable"."""
    gao = db.session.scalars(select(Case).where(Case.region_code == "ML-7").order_by(Case.created_at, Case.id)).all()
    targets = [(case, incident) for case in gao if (incident := _health_incident(case)) is not None]
    made = 0
    for (case, incident), story in zip(targets, STORIES, strict=False):
        owner = case.owner
        match = next(m for m in service.suggestions(case, "health") if m.candidate.name.startswith("Clinique Sahel"))
        child = service.is_child(case)
        referral, _new = service.create_referral(
            owner,
            case,
            {
                "service_type": "health",
                "provider_id": match.candidate.id,
                # Named even when the case has one incident; required as soon as it has several.
                "incident_id": incident.id,
                "share": ["given_name", "age", "sex", *(["caregiver_name", "caregiver_phone"] if child else ["phone"])],
                "urgency": "high" if incident.gbv_type == "rape" or made % 2 else "normal",
                "note": f"{'Survivant orienté' if case.survivor.sex == 'male' else 'Survivante orientée'} "
                "après un entretien d'accueil.",
            },
        )
        for step in story:
            event, reason = step if isinstance(step, tuple) else (step, None)
            actor = owner if event in ("close", "withdraw") else focal_point
            service.transition(
                actor,
                referral,
                event,
                reason,
                "Prise en charge faite, revoir dans 2 semaines." if event == "deliver" else None,
            )
        made += 1
    for case in db.session.scalars(select(Case).order_by(Case.created_at, Case.id)):
        for incident in case.incidents:
            for line, status in incident.pathway().items():
                if status == "service_unavailable" and not service.suggestions(case, line):
                    service.record_gap(case.owner, case, line, incident_id=incident.id)
    return made
