"""Referral endpoints (docs/api.md): the directory, referring from a case, the provider's side."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from werkzeug.wrappers import Response

from models import Provider, Referral, db
from referral.packet import SERVICE_TYPES
from referral.states import PACKET_OPEN

from .. import audit
from ..auth import acting_user
from ..errors import NotFound
from ..lookup import load_case
from ..pagination import paginate
from ..policy import requires
from ..referrals import packets, service
from . import bp
from .payload import json_object


def provider_json(p: Provider) -> dict[str, Any]:
    return {
        "id": p.id,
        "code": p.code,
        "name": p.name,
        "agency": p.agency.code,
        "service_types": p.service_types,
        "locations": p.location_codes,
        "hours": p.hours,
        "languages": p.languages,
        "serves_children": p.serves_children,
        "clinical_management_of_rape": p.clinical_management_of_rape,
        "pep_kits_in_stock": p.pep_kits_in_stock,
        "contact": p.contact,
    }


def referral_for_caseworker(r: Referral) -> dict[str, Any]:
    return {
        "id": r.id,
        "state": r.state,
        "service_type": r.service_type,
        "provider_id": r.provider_id,
        "urgency": r.urgency,
        "due_at": r.due_at.isoformat() if r.due_at else None,
        "sent_at": r.sent_at.isoformat() if r.sent_at else None,
        "reason": r.reason,
        "shared_fields": [f for f in r.packet_fields.split(",") if f],
        "feedback": r.feedback,
        "reference": service.reference(r),
        "answered_on_behalf": r.answered_on_behalf,
    }


def referral_for_provider(r: Referral) -> dict[str, Any]:
    """The provider's view: the packet and what they need to answer — nothing of the case."""
    return {
        "id": r.id,
        "state": r.state,
        "service_type": r.service_type,
        "urgency": r.urgency,
        "sent_at": r.sent_at.isoformat() if r.sent_at else None,
        "due_at": r.due_at.isoformat() if r.due_at else None,
        "packet": service.packet(r),
        "note": r.note if r.state in PACKET_OPEN else None,
        "reference": service.reference(r),
        "referred_by": packets.sender(r),
    }


@bp.route("/services", methods=["GET"])
@requires("directory.read")
def services() -> Response:
    service_type = request.args.get("service_type", "")[:24]
    stmt = service.directory_query(
        request.args.get("region", "")[:32], service_type if service_type in SERVICE_TYPES else ""
    )
    page = paginate(stmt, per_page=100)
    return jsonify(items=[provider_json(p) for p in page.items], total=page.total, page=page.number)


@bp.route("/cases/<case_id>/referrals", methods=["POST"])
@requires("case.update")
def create_referral(case_id: str) -> tuple[Response, int]:
    case = load_case(case_id, "case.update")
    referral, new = service.create_referral(acting_user(), case, json_object())
    db.session.commit()
    return jsonify(referral_for_caseworker(referral)), 201 if new else 200


@bp.route("/referrals", methods=["GET"])
@requires("referral.inbox")
def provider_referrals() -> Response:
    page = paginate(service.inbox_query(acting_user()), per_page=100)
    body = jsonify(items=[referral_for_provider(r) for r in page.items], total=page.total, page=page.number)
    if page.items:
        audit.record(
            "referral.inbox_viewed",
            target_type="referral",
            details={"referrals": [r.id for r in page.items], "via": "api"},
        )
        audit.commit_read()
    return body


@bp.route("/referrals/<referral_id>/accept", methods=["POST"], defaults={"event": "accept"})
@bp.route("/referrals/<referral_id>/decline", methods=["POST"], defaults={"event": "decline"})
@bp.route("/referrals/<referral_id>/deliver", methods=["POST"], defaults={"event": "deliver"})
@requires("referral.respond")
def respond(referral_id: str, event: str) -> Response:
    user = acting_user()
    referral = service.load_for_provider(user, referral_id)
    body = json_object() if request.get_data() else {}
    if event == "deliver" and body.get("delivered") is False:
        event = "not_deliver"
    service.transition(user, referral, event, body.get("reason"), body.get("feedback"))
    db.session.commit()
    return jsonify(referral_for_provider(referral))


@bp.route("/cases/<case_id>/referrals/<referral_id>/on-behalf", methods=["POST"])
@requires("referral.answer_on_behalf")
def answer_on_behalf(case_id: str, referral_id: str) -> Response:
    """The answer of a service without a Sutura account, recorded by the case's caseworker."""
    case = load_case(case_id, "case.update")
    referral = next((r for r in case.referrals if r.id == referral_id), None)
    if referral is None:
        raise NotFound()
    service.answer_on_behalf(acting_user(), referral, json_object())
    db.session.commit()
    return jsonify(referral_for_caseworker(referral))
