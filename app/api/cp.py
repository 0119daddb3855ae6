"""Child protection endpoints of a CP case: best interests (BIA, BID and the panel's decision),
family tracing and reunification, care arrangements. The same services, policy, validation and
audit as the pages (app/cp/); errors are ``{error: {code, message, fields}}``."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from werkzeug.wrappers import Response

from cpims import family, options
from models import BestInterests, CareArrangement, Separation, TracingStep, db

from ..auth import acting_user
from ..cp import best_interests, care, tracing
from ..cp.views import load_cp_case
from ..policy import requires
from . import bp
from .payload import json_object


def _day(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def best_interests_json(record: BestInterests) -> dict[str, Any]:
    return {
        "id": record.id,
        "kind": record.kind,
        "assessment_id": record.assessment_id,
        "priority": record.priority,
        "recommendation": record.recommendation,
        "child_views": record.child_views,
        "summary": record.summary,
        "created_at": record.created_at.isoformat(),
        "panel_decision": record.panel_decision,
        "panel_date": _day(record.panel_date),
        "panel_notes": record.panel_notes,
    }


def tracing_json(record: Separation | TracingStep) -> dict[str, Any]:
    if isinstance(record, Separation):
        return {
            "id": record.id,
            "step": family.SEPARATION,
            "date": _day(record.date),
            "cause": record.cause,
            "place": record.place,
            "sought": record.sought,
        }
    body = {
        "id": record.id,
        "step": record.step,
        "date": _day(record.date),
        "action": record.action,
        "outcome": record.outcome,
        "recommendation": record.recommendation,
        "reunification_type": record.reunification_type,
        "notes": record.notes,
    }
    if record.step == family.REUNIFICATION:
        body["follow_up_due"] = _day(record.date + family.REUNIFICATION_FOLLOW_UP_WITHIN)
    return body


def care_json(record: CareArrangement) -> dict[str, Any]:
    return {
        "id": record.id,
        "arrangement": record.arrangement,
        "started": _day(record.started),
        "ended": _day(record.ended),
        "carer": record.carer,
        "notes": record.notes,
    }


@bp.route("/cases/<case_id>/best-interests", methods=["POST"])
@requires("case.update")
def record_best_interests(case_id: str) -> tuple[Response, int]:
    case = load_cp_case(case_id, "case.update")
    record = best_interests.record(acting_user(), case, json_object())
    db.session.commit()
    return jsonify(best_interests_json(record)), 201


@bp.route("/cases/<case_id>/best-interests/<bid_id>/decision", methods=["POST"])
@requires("case.approve")
def record_panel_decision(case_id: str, bid_id: str) -> Response:
    case = load_cp_case(case_id, "case.approve")
    record = best_interests.decide(acting_user(), case, bid_id, json_object())
    db.session.commit()
    return jsonify(best_interests_json(record))


@bp.route("/cases/<case_id>/tracing", methods=["POST"])
@requires("case.update")
def record_tracing(case_id: str) -> tuple[Response, int]:
    case = load_cp_case(case_id, "case.update")
    record = tracing.record(acting_user(), case, json_object())
    db.session.commit()
    return jsonify(tracing_json(record)), 201


@bp.route("/cases/<case_id>/care-arrangements", methods=["POST"])
@requires("case.update")
def start_care_arrangement(case_id: str) -> tuple[Response, int]:
    case = load_cp_case(case_id, "case.update")
    record = care.start(acting_user(), case, json_object())
    db.session.commit()
    return jsonify(care_json(record)), 201


@bp.route("/cases/<case_id>/care-arrangements/end", methods=["POST"])
@requires("case.update")
def end_care_arrangement(case_id: str) -> Response:
    case = load_cp_case(case_id, "case.update")
    record = care.end(acting_user(), case, json_object())
    db.session.commit()
    return jsonify(care_json(record))


# The OpenAPI document's entries for these endpoints (app/api/openapi.py adds them) -----------


def _enum(codes: Any, *, nullable: bool = True) -> dict[str, Any]:
    values = list(codes)
    return {"type": ["string", "null"], "enum": [*values, None]} if nullable else {"type": "string", "enum": values}


_TEXT = {"type": ["string", "null"], "description": "encrypted at rest"}
_DATE = {"type": ["string", "null"], "format": "date"}
_ERRORS = (400, 401, 403, 404, 409, 413, 415, 422)

BEST_INTERESTS_BODY = {
    "type": "object",
    "title": "BestInterests",
    "required": ["kind", "recommendation"],
    "description": "A BIA needs priority and child_views; a BID rests on a BIA of the same case "
    "(assessment_id, by default the latest): without one it is refused (422, field assessment_id)",
    "properties": {
        "kind": _enum((family.BIA, family.BID), nullable=False),
        "priority": {**_enum(options.BIA_PRIORITY), "description": "BIA only, required there"},
        "child_views": {**_TEXT, "description": "BIA only, required there; encrypted at rest"},
        "recommendation": _enum(options.BI_RECOMMENDATIONS, nullable=False),
        "summary": _TEXT,
        "assessment_id": {"type": ["string", "null"], "description": "BID only: the BIA it rests on"},
    },
}
BEST_INTERESTS = {
    "type": "object",
    "title": "BestInterests",
    "properties": {
        "id": {"type": "string"},
        "kind": _enum((family.BIA, family.BID), nullable=False),
        "assessment_id": {"type": ["string", "null"]},
        "priority": _enum(options.BIA_PRIORITY),
        "recommendation": _enum(options.BI_RECOMMENDATIONS, nullable=False),
        "child_views": _TEXT,
        "summary": _TEXT,
        "created_at": {"type": "string", "format": "date-time"},
        "panel_decision": _enum(options.BID_DECISIONS),
        "panel_date": _DATE,
        "panel_notes": _TEXT,
    },
}
PANEL_DECISION_BODY = {
    "type": "object",
    "required": ["decision", "date"],
    "properties": {
        "decision": _enum(options.BID_DECISIONS, nullable=False),
        "date": {"type": "string", "format": "date", "description": "the panel's date: not before the BID, not future"},
        "notes": {**_TEXT, "description": "required unless approved; encrypted at rest"},
    },
}
TRACING_BODY = {
    "type": "object",
    "title": "TracingStep",
    "required": ["step"],
    "description": "separation: cause (date, place, sought optional; a second one corrects the first); "
    "action: date, action, outcome; verification: date, recommendation; reunification: date, "
    "reunification_type — only after a verification recommending reunification (else 422, field step)",
    "properties": {
        "step": _enum(family.TRACING_STEPS, nullable=False),
        "date": {**_DATE, "description": "not in the future"},
        "cause": _enum(options.SEPARATION_CAUSES),
        "place": _TEXT,
        "sought": _TEXT,
        "action": _enum(options.TRACING_ACTIONS),
        "outcome": _enum(options.TRACING_OUTCOMES),
        "recommendation": _enum(options.VERIFICATION),
        "reunification_type": _enum(options.REUNIFICATION_TYPES),
        "notes": _TEXT,
    },
}
TRACING_RECORD = {
    "type": "object",
    "title": "TracingStep",
    "properties": {
        "id": {"type": "string"},
        "step": _enum(family.TRACING_STEPS, nullable=False),
        "date": _DATE,
        "cause": _enum(options.SEPARATION_CAUSES),
        "place": _TEXT,
        "sought": _TEXT,
        "action": _enum(options.TRACING_ACTIONS),
        "outcome": _enum(options.TRACING_OUTCOMES),
        "recommendation": _enum(options.VERIFICATION),
        "reunification_type": _enum(options.REUNIFICATION_TYPES),
        "notes": _TEXT,
        "follow_up_due": {**_DATE, "description": "reunification: the first follow-up is due by this date"},
    },
}
CARE_BODY = {
    "type": "object",
    "required": ["arrangement", "started"],
    "properties": {
        "arrangement": _enum(options.CARE_ARRANGEMENTS, nullable=False),
        "started": {"type": "string", "format": "date", "description": "not in the future, nor before the latest"},
        "carer": _TEXT,
        "notes": _TEXT,
    },
}
CARE_END_BODY = {
    "type": "object",
    "required": ["ended"],
    "properties": {"ended": {"type": "string", "format": "date", "description": "not before it started"}},
}
CARE_ARRANGEMENT = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "arrangement": _enum(options.CARE_ARRANGEMENTS, nullable=False),
        "started": {"type": "string", "format": "date"},
        "ended": _DATE,
        "carer": _TEXT,
        "notes": _TEXT,
    },
}


def _operation(summary: str, body: dict[str, Any], answer: dict[str, Any], status: int, *ids: str) -> dict[str, Any]:
    errors = {str(s): {"$ref": "#/components/responses/Error"} for s in _ERRORS}
    return {
        "post": {
            "summary": summary,
            "parameters": [
                {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                for name in ("case_id", *ids)
            ],
            "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
            "responses": {
                str(status): {"description": "Recorded", "content": {"application/json": {"schema": answer}}},
                **errors,
            },
        }
    }


def openapi_paths() -> dict[str, Any]:
    """The paths of these endpoints in the OpenAPI document (open CP cases with consent to
    services only: another case answers 409)."""
    return {
        "/cases/{case_id}/best-interests": _operation(
            "Record a best interests assessment (BIA) or submit a determination (BID) to the panel",
            BEST_INTERESTS_BODY,
            BEST_INTERESTS,
            201,
        ),
        "/cases/{case_id}/best-interests/{bid_id}/decision": _operation(
            "Record the panel's decision on a BID (a supervisor of the case's agency, not the BID's author: 403)",
            PANEL_DECISION_BODY,
            BEST_INTERESTS,
            200,
            "bid_id",
        ),
        "/cases/{case_id}/tracing": _operation(
            "Record the separation, a tracing action, a verification or the reunification (by step)",
            TRACING_BODY,
            TRACING_RECORD,
            201,
        ),
        "/cases/{case_id}/care-arrangements": _operation(
            "Start a care arrangement; the current one ends on its start date",
            CARE_BODY,
            CARE_ARRANGEMENT,
            201,
        ),
        "/cases/{case_id}/care-arrangements/end": _operation(
            "End the current care arrangement without another",
            CARE_END_BODY,
            CARE_ARRANGEMENT,
            200,
        ),
    }
