"""The synthetic demo data set: Mali locations, agencies, users of every role, GBV cases,
the service directory and referrals.

Every person and organisation here is invented. Demo users carry ``is_demo``: their published
passwords are refused under production settings even if the data were loaded there.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from models import Agency, Provider, User, db
from models.location import load_locations

from .. import audit, passwords
from ..auth import accounts
from ..clock import deployment_zone
from ..policy import answers_for_provider
from .cases import load_cases
from .child_protection import load_child_protection
from .referrals import load_directory, load_referrals

AGENCIES = (
    # code, name, signed the GBVIMS Information Sharing Protocol?
    ("ESPOIR", "ONG Espoir Gao", True),
    ("DJIGUIYA", "Association Djiguiya Mopti", True),
    ("SAHELSANTE", "Clinique Sahel Santé (n'a pas signé le protocole)", False),
    ("SCVBG", "Sous-cluster VBG Mali", True),
    ("SCPE", "Sous-cluster Protection de l'enfance Mali", True),
    ("SUTURA", "Administration Sutura", False),
)

# username: (role, password, agency code) — printed by `make run`; demo only. Binta works on
# child protection cases; Mariam leads the GBV sub-cluster, Ibrahim the child protection one.
DEMO_USERS = {
    "awa.traore": ("caseworker", "demo-Awa-caseworker-2026", "ESPOIR"),
    "seydou.kone": ("caseworker", "demo-Seydou-caseworker-2026", "DJIGUIYA"),
    "fatou.diallo": ("supervisor", "demo-Fatou-supervisor-2026", "ESPOIR"),
    "moussa.keita": ("provider", "demo-Moussa-provider-2026", "SAHELSANTE"),
    "binta.coulibaly": ("caseworker", "demo-Binta-caseworker-2026", "ESPOIR"),
    "mariam.sidibe": ("cluster_lead", "demo-Mariam-clusterlead-2026", "SCVBG"),
    "ibrahim.maiga": ("cluster_lead", "demo-Ibrahim-clusterlead-2026", "SCPE"),
    "admin": ("admin", "demo-Admin-sutura-2026", "SUTURA"),
}
CP_CASEWORKERS = ("binta.coulibaly",)
SUB_CLUSTER_OF = {"mariam.sidibe": "gbv", "ibrahim.maiga": "cp"}
DEMO_PASSWORDS = {name: (role, password) for name, (role, password, _agency) in DEMO_USERS.items()}


def load() -> bool:
    """Load once: returns False (and changes nothing but locations) when already loaded."""
    load_locations(db.session)
    if db.session.scalar(select(Agency).where(Agency.code == AGENCIES[0][0])) is not None:
        db.session.commit()
        return False
    agencies = {}
    for code, name, isp in AGENCIES:
        agencies[code] = Agency(code=code, name=name, isp_signed=isp)
        db.session.add(agencies[code])
    db.session.flush()
    load_directory()
    clinic = db.session.scalar(select(Provider).where(Provider.code == "SAHEL-GAO"))
    for n, (username, (role, password, agency_code)) in enumerate(DEMO_USERS.items(), start=10):
        user = User(
            username=username,
            password_hash=passwords.hash_password(password),
            is_demo=True,
            language="fr",
            provider_id=clinic.id if answers_for_provider(role) and clinic else None,
            sub_cluster=SUB_CLUSTER_OF.get(username),
            # Invented office numbers: a referral packet carries the caseworker's work phone.
            work_phone=f"+223 20 29 00 {n:02d}" if role in ("caseworker", "supervisor") else None,
        )
        accounts.set_role(user, role, agencies[agency_code], by=None)  # the operator's: in force
        db.session.add(user)
    db.session.flush()
    caseworkers = [
        u
        for u in db.session.scalars(select(User).where(User.role == "caseworker", User.is_demo.is_(True))).all()
        if u.username not in CP_CASEWORKERS
    ]
    # Dates as the caseworkers write them: the day in the deployment's time zone.
    today = dt.datetime.now(deployment_zone()).date()
    cases = load_cases(sorted(caseworkers, key=lambda u: u.username), today=today)
    for cp_worker in db.session.scalars(select(User).where(User.username.in_(CP_CASEWORKERS))):
        cases += load_child_protection(cp_worker, today)
    focal_point = db.session.scalar(select(User).where(User.role == "provider", User.is_demo.is_(True)))
    referrals = load_referrals(focal_point) if focal_point is not None else 0
    audit.record(
        "demo.loaded",
        actor_name="cli",
        details={"agencies": len(AGENCIES), "users": len(DEMO_USERS), "cases": cases, "referrals": referrals},
    )
    db.session.commit()
    return True
