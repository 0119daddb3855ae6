"""Case endpoints of API.md: the same service, policy, validation and audit as the pages."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request
from werkzeug.wrappers import Response

from models import Case, Incident, db

from ..auth import acting_user as _user
from ..cases import service
from ..cases.views import load_case
from ..pagination import paginate
from ..policy import requires
from . import bp
from .payload import json_object


def case_summary(case: Case) -> dict[str, Any]:
    return {
        "id": case.id,
        "case_code": case.case_code,
        "kind": case.kind,
        "status": case.status,
        "stage": case.stage,
        "risk_level": case.risk_level,
        "location": case.location_code,
        "region": case.region_code,
        "created_at": case.created_at.isoformat(),
        "survivor_name": case.survivor.display_name if case.survivor else None,
    }


def incident_json(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.id,
        "gbv_type": incident.gbv_type,
        "context_flags": incident.context_flags,
        "date_of_incident": incident.date_of_incident.isoformat(),
        "date_of_interview": incident.date_of_interview.isoformat(),
        "classification": incident.answers,
        "time_of_day": incident.time_of_day,
        "place_type": incident.place_type,
        "location": incident.location_code,
        "age_at_incident": incident.age_at_incident,
        "perpetrators": [
            {
                "sex": p.sex,
                "age_group": p.age_group,
                "relationship": p.relationship_code,
                "occupation": p.occupation,
                "primary": p.primary,
            }
            for p in incident.perpetrators
        ],
        "pathway": incident.pathway(),
        "referred_by": incident.referred_by,
        "account": incident.account,
    }


def case_detail(case: Case) -> dict[str, Any]:
    s = case.survivor
    consent = service.current_consent(case)
    return {
        **case_summary(case),
        "survivor": {
            "given_name": s.given_name,
            "family_name": s.family_name,
            "nickname": s.nickname,
            "phone": s.phone,
            "address": s.address,
            "date_of_birth": s.date_of_birth.isoformat() if s.date_of_birth else None,
            "age": s.age_at_registration,
            "age_estimated": s.age_estimated,
            "sex": s.sex,
            "marital_status": s.marital_status,
            "displacement_status": s.displacement_status,
            "disability": s.disability,
            "unaccompanied": s.unaccompanied,
            "caregiver_name": s.caregiver_name,
            "caregiver_phone": s.caregiver_phone,
            "notes": s.notes,
        },
        "consent": None
        if consent is None
        else {
            "services": consent.services,
            "reporting": consent.reporting,
            "release": consent.release,
            "given_by": consent.given_by,
            "assent": consent.assent,
            "withdrawn": consent.withdrawn,
            "version": consent.version,
        },
        "incidents": [incident_json(i) for i in case.incidents],
        "care_windows": [
            {"incident": i.id, "window": w.name, "hours_left": round(w.hours_left, 1)}
            for i, windows in service.windows_for(case)
            for w in windows
        ],
    }


@bp.route("/cases", methods=["GET"])
@requires("case.list")
def list_cases() -> Response:
    args = request.args
    filters = service.CaseFilters(
        q=args.get("q", "").strip()[:100],
        status=args.get("status", "")[:12],
        risk=args.get("risk", "")[:8],
        region=args.get("region", "")[:32],
        kind=args.get("kind", "")[:4],
        overdue=args.get("overdue") in ("1", "true"),
    )
    stmt = service.list_query(_user(), filters)
    if filters.q:
        found = service.exact_matches(list(db.session.scalars(stmt.limit(500)).unique()), filters.q)
        items, total, number = found[:50], len(found), 1
    else:
        page = paginate(stmt, per_page=current_app.config.get("API_PAGE_SIZE", 50))
        items, total, number = page.items, page.total, page.number
    body = jsonify(items=[case_summary(c) for c in items], total=total, page=number)
    if items:
        service.audit.record(
            "case.list_viewed",
            target_type="case",
            details={"cases": [c.id for c in items], "search": bool(filters.q), "via": "api"},
        )
        db.session.commit()
    return body


@bp.route("/cases", methods=["POST"])
@requires("case.create")
def create_case() -> tuple[Response, int]:
    case = service.create_case(_user(), json_object())
    db.session.commit()
    return jsonify(case_summary(case)), 201


@bp.route("/cases/<case_id>", methods=["GET"])
@requires("case.read")
def get_case(case_id: str) -> Response:
    case = load_case(case_id)
    body = jsonify(case_detail(case))
    service.record_view(case)
    db.session.commit()
    return body


@bp.route("/cases/<case_id>/incidents", methods=["POST"])
@requires("case.update")
def create_incident(case_id: str) -> tuple[Response, int]:
    case = load_case(case_id, "case.update")
    incident = service.add_incident(_user(), case, json_object())
    db.session.commit()
    return jsonify(incident_json(incident)), 201
