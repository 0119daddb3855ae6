"""Case endpoints (docs/api.md): the same service, policy, validation and audit as the pages."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from models import Case, Incident, db, utcnow

from .. import audit
from ..auth import acting_user
from ..cases import editing, incidents, notes, service
from ..cases.editing import incident_answers, survivor_answers
from ..cp.profile import child_protection_json
from ..errors import NotFound, ValidationFailed
from ..lookup import load_case
from ..pagination import paginate
from ..policy import requires
from . import bp
from .payload import json_object, text_field


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
    """An incident in the API's shape — the same names the create and edit payloads take."""
    return {
        "id": incident.id,
        "gbv_type": incident.gbv_type,
        "context_flags": incident.context_flags,
        "date_of_incident": incident.date_of_incident.isoformat(),
        "date_of_interview": incident.date_of_interview.isoformat(),
        "time_of_incident": incident.time_of_incident,
        **incident_answers(incident),
        "age_at_incident": incident.age_at_incident,
        "perpetrator_sex": incident.perpetrator_sex,
        "account": incident.account,
        "non_gbv_description": incident.non_gbv_description,
    }


def care_windows_json(case: Case) -> list[dict[str, Any]]:
    """PEP and EC windows of the case's rapes: from the earliest to the latest possible close."""
    now = utcnow()
    return [
        {
            "incident": incident.id,
            "care": window.care,
            "earliest_close": window.earliest_close.isoformat(),
            "closes_at": window.closes_at.isoformat(),
            "state": window.state(now),
            "hours_left": max(0.0, round(window.hours_left(now), 1)),
            "time_known": window.exact,
        }
        for incident in case.incidents
        for window in incidents.incident_windows(incident)
    ]


def case_detail(case: Case) -> dict[str, Any]:
    s = case.survivor
    consent = case.current_consent
    return {
        **case_summary(case),
        "survivor": survivor_answers(s),
        "consent": None
        if consent is None
        else {
            "services": consent.services,
            "reporting": consent.reporting,
            "release": consent.release,
            "given_by": consent.given_by,
            "assent": consent.assent,
            "caregiver_consent": consent.caregiver_consent,
            "withdrawn": consent.withdrawn,
            "version": consent.version,
        },
        "incidents": [incident_json(i) for i in case.incidents],
        "care_windows": care_windows_json(case),
        "child_protection": child_protection_json(case),
        "notes": [notes.note_json(note) for note in notes.notes_of(case)],
    }


def _filters(source: Any, q: str) -> service.CaseFilters:
    return service.CaseFilters.read(source, q)


@bp.route("/cases", methods=["GET"])
@requires("case.list")
def list_cases() -> Response:
    q = request.args.get("q", "").strip()[:100]
    if q and not service.CASE_CODE_QUERY.match(q):
        # A name or a phone number in a URL is written in logs and browser histories.
        message = _("Only a case code goes in the URL: search names and phone numbers with POST /cases/search.")
        raise ValidationFailed(fields={"q": [message]})
    filters = _filters(request.args, q)
    if filters.q:
        results = service.search(acting_user(), filters)
        return _listed(results.items, results.total, 1, searched=True, exact=results.exact)
    per_page = current_app.config.get("API_PAGE_SIZE", 50)
    page = paginate(service.list_query(acting_user(), filters), per_page=per_page)
    return _listed(page.items, page.total, page.number, searched=False)


@bp.route("/cases/search", methods=["POST"])
@requires("case.list")
def search_cases() -> Response:
    """Search by case code, name or phone, the terms in the body (never in the URL)."""
    body = json_object()
    errors: dict[str, list[str]] = {}
    q = text_field(body, "q", errors, max_length=100).strip()
    number = body.get("page", 1)
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= 10_000:
        errors["page"] = [_("The page must be a whole number from 1 to 10,000.")]
    if errors:
        raise ValidationFailed(fields=errors)
    results = service.search(acting_user(), _filters(body, q), number)
    return _listed(results.items, results.total, number, searched=True, exact=results.exact)


def _listed(items: list[Case], total: int, number: int, *, searched: bool, exact: bool = True) -> Response:
    """``total_exact`` false: a search checked only the candidates its page needed, and ``total``
    is a lower bound, always larger than the matches up to this page (ask the next one)."""
    body = jsonify(items=[case_summary(c) for c in items], total=total, total_exact=exact, page=number)
    if items:
        service.audit.record(
            "case.list_viewed",
            target_type="case",
            details={"cases": [c.id for c in items], "search": searched, "via": "api"},
        )
        audit.commit_read()
    return body


@bp.route("/cases", methods=["POST"])
@requires("case.create")
def create_case() -> tuple[Response, int]:
    case = service.create_case(acting_user(), json_object())
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
    incident = incidents.add_incident(acting_user(), case, json_object())
    db.session.commit()
    return jsonify(incident_json(incident)), 201


@bp.route("/cases/<case_id>", methods=["PATCH"])
@requires("case.update")
def edit_case(case_id: str) -> Response:
    case = load_case(case_id, "case.update")
    changed = editing.edit_case(acting_user(), case, json_object())
    db.session.commit()
    return jsonify({**case_detail(case), "changed": changed})


@bp.route("/cases/<case_id>/incidents/<incident_id>", methods=["PATCH"])
@requires("case.update")
def edit_incident(case_id: str, incident_id: str) -> Response:
    case = load_case(case_id, "case.update")
    incident = next((i for i in case.incidents if i.id == incident_id), None)
    if incident is None:
        raise NotFound()
    changed = editing.edit_incident(acting_user(), case, incident, json_object())
    db.session.commit()
    return jsonify({**incident_json(incident), "changed": changed})


@bp.route("/cases/<case_id>/consent", methods=["POST"])
@requires("case.update")
def record_consent(case_id: str) -> tuple[Response, int]:
    case = load_case(case_id, "case.update")
    service.record_consent(acting_user(), case, json_object())
    db.session.commit()
    return jsonify(case_detail(case)), 201


@bp.route("/cases/<case_id>/notes", methods=["POST"])
@requires("case.update")
def add_note(case_id: str) -> tuple[Response, int]:
    case = load_case(case_id, "case.update")
    note = notes.add_note(acting_user(), case, json_object())
    db.session.commit()
    return jsonify(notes.note_json(note)), 201
