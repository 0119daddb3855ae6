"""Building cases for tests through the real service (validation, encryption, audit)."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from flask import Flask
from flask_login import login_user

from app.cases import incidents, service
from models import Case, User, db

CASE: dict[str, Any] = {
    "kind": "gbv",
    "location": "ML-7-03",
    "survivor": {"given_name": "Aïssata", "family_name": "Maïga", "phone": "+223 76 12 34 56",
                 "address": "Quartier Château, chez sa tante", "age": 24, "sex": "female",
                 "displacement_status": "idp"},
    "consent": {"services": True, "reporting": True,
                "release": {"health": True, "psychosocial": True, "legal": False, "security": False,
                            "shelter": True, "livelihoods": False},
                "given_by": "survivor"},
}


def _with_survivor(base: dict[str, Any], survivor: dict[str, Any]) -> dict[str, Any]:
    payload = copy.deepcopy(base)
    if "date_of_birth" in survivor and "age" not in survivor:
        payload["survivor"].pop("age")  # an age given beside a date of birth must match it
    payload["survivor"].update(survivor)
    return payload


def case_payload(**survivor: Any) -> dict[str, Any]:
    return _with_survivor(CASE, survivor)


CP_CASE: dict[str, Any] = {
    "kind": "cp",
    "location": "ML-7-03",
    "survivor": {"given_name": "Moussa", "family_name": "Touré", "age": 13, "sex": "male",
                 "caregiver_name": "Fanta Touré (tante)", "caregiver_phone": "+223 66 00 11 22",
                 "displacement_status": "idp"},
    "protection_concerns": ["separated"],
    "risk_level": "high",
    "urgent": False,
    "consent": {"services": True, "reporting": True,
                "release": {"health": True, "psychosocial": True, "legal": False, "security": False,
                            "shelter": True, "livelihoods": False, "other": True},
                "given_by": "caregiver", "assent": "written"},
}


def cp_case_payload(**survivor: Any) -> dict[str, Any]:
    """A separated 13-year-old at high risk, with a caregiver named (written assent at 12–14)."""
    return _with_survivor(CP_CASE, survivor)


def payload_of_kind(kind: str, **survivor: Any) -> dict[str, Any]:
    """A valid new case of ``kind``: tests proven for GBV cases run for CP cases too."""
    return cp_case_payload(**survivor) if kind == "cp" else case_payload(**survivor)


def incident_payload(days_ago: int = 1, **overrides: Any) -> dict[str, Any]:
    today = dt.date.today()
    payload: dict[str, Any] = {
        "date_of_incident": (today - dt.timedelta(days=days_ago)).isoformat(),
        "date_of_interview": today.isoformat(),
        "classification": {"penetration": True},
        "perpetrators": [{"sex": "male", "age_group": "26-40", "relationship": "no_relation"}],
        "time_of_day": "evening_night", "place_type": "road", "account": "Sur la route du marché.",
        "reported_elsewhere": "no", "perpetrator_count": 1,
    }
    payload.update(overrides)
    return payload


def make_case(app: Flask, username: str, payload: dict[str, Any] | None = None) -> str:
    with app.test_request_context():
        user = db.session.query(User).filter_by(username=username).one()
        login_user(user)
        case = service.create_case(user, payload or case_payload())
        db.session.commit()
        return case.id


def add_incident(app: Flask, username: str, case_id: str, payload: dict[str, Any] | None = None) -> str:
    with app.test_request_context():
        user = db.session.query(User).filter_by(username=username).one()
        login_user(user)
        incident = incidents.add_incident(user, db.session.get(Case, case_id), payload or incident_payload())
        db.session.commit()
        return incident.id
