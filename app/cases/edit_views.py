"""Pages that correct a case's records: the survivor and the case, each incident."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from gbvims.classification import GBV_TYPES, IncompleteAnswers, classify
from models import Case, Incident, db

from ..auth import acting_user
from ..errors import NotFound, ValidationFailed
from ..forms import check_csrf, flatten, nest
from ..lookup import load_case
from ..policy import requires
from . import editing, service
from .views import PERPETRATOR_BLOCKS, _incident_context, _registration_context, bp, incident_payload


def _closed(case: Case) -> Response | None:
    if case.status != "open":
        flash(_("This case is closed: reopen it to correct its records."), "error")
        return redirect(url_for("cases.show", case_id=case.id))
    return None


@bp.route("/<case_id>/edit", methods=["GET", "POST"])
@requires("case.update")
def edit(case_id: str) -> Response | str | tuple[str, int]:
    case = load_case(case_id, "case.update")
    if (refused := _closed(case)) is not None:
        return refused
    current = {
        "survivor": editing.survivor_answers(case.survivor),
        "location": case.location_code,
        "risk_level": case.risk_level,
    }
    if request.method == "GET":
        editing.record_read(case, "edit")
        html = render_template("cases/edit.html", case=case, **_registration_context(flatten(current)))
        db.session.commit()
        return html
    check_csrf()
    payload = nest(request.form.to_dict())
    survivor = payload.setdefault("survivor", {})
    if isinstance(survivor, dict):
        survivor.setdefault("age_estimated", "no")  # an unticked box is sent as nothing
    try:
        changed = editing.edit_case(acting_user(), case, payload)
    except ValidationFailed as exc:
        db.session.rollback()
        case = load_case(case_id, "case.update")
        errors = exc.fields or {"": [str(exc.message)]}
        return render_template("cases/edit.html", case=case, **_registration_context(flatten(payload), errors)), 422
    db.session.commit()
    flash(_("Correction saved (%(n)d fields).", n=len(changed)), "success")
    return redirect(url_for("cases.show", case_id=case.id, _anchor="history"))


def _incident(case: Case, incident_id: str) -> Incident:
    incident = next((i for i in case.incidents if i.id == incident_id), None)
    if incident is None:
        raise NotFound()
    return incident


def _answers_from(values: dict[str, Any]) -> dict[str, bool | None]:
    raw = values.get("classification") or {}
    return {key: {"yes": True, "no": False, True: True, False: False}.get(raw.get(key)) for key in raw}


@bp.route("/<case_id>/incidents/<incident_id>/edit", methods=["GET", "POST"])
@requires("case.update")
def edit_incident(case_id: str, incident_id: str) -> Response | str | tuple[str, int]:
    case = load_case(case_id, "case.update")
    if (refused := _closed(case)) is not None:
        return refused
    incident = _incident(case, incident_id)
    if request.method == "GET":
        current = {
            **editing.incident_answers(incident),
            "account": incident.account,
            "non_gbv_description": incident.non_gbv_description,
        }
        values = flatten(current)
        values.update({f"classification.{k}": "yes" if v else "no" for k, v in incident.answers.items()})
        rows = max(PERPETRATOR_BLOCKS, len(incident.perpetrators))
        editing.record_read(case, "edit_incident")
        html = render_template(
            "cases/incident_edit.html",
            incident=incident,
            **_incident_context(case, values, gbv_type=incident.gbv_type, rows=rows),
        )
        db.session.commit()
        return html
    check_csrf()
    payload, rows = incident_payload(request.form.to_dict(), more=request.form.get("step") == "more")
    try:
        gbv_type = classify(_answers_from(payload))
    except IncompleteAnswers:  # the validator says which answer is missing
        gbv_type = incident.gbv_type
    if request.form.get("step") == "more":
        return render_template(
            "cases/incident_edit.html",
            incident=incident,
            **_incident_context(case, flatten(payload), gbv_type=gbv_type, rows=rows),
        )
    try:
        changed = editing.edit_incident(acting_user(), case, incident, payload)
    except ValidationFailed as exc:
        db.session.rollback()
        case = load_case(case_id, "case.update")
        incident = _incident(case, incident_id)
        errors = exc.fields or {"": [str(exc.message)]}
        return render_template(
            "cases/incident_edit.html",
            incident=incident,
            **_incident_context(case, flatten(payload), errors, gbv_type, rows),
        ), 422
    db.session.commit()
    flash(
        _("Incident corrected (%(n)d fields). Type: %(type)s.", n=len(changed), type=_(GBV_TYPES[incident.gbv_type])),
        "success",
    )
    return redirect(url_for("cases.show", case_id=case.id, _anchor=f"incident-{incident.id}"))


@bp.route("/<case_id>/consent", methods=["GET", "POST"])
@requires("case.update")
def consent(case_id: str) -> Response | str | tuple[str, int]:
    case = load_case(case_id, "case.update")
    current = case.current_consent
    if case.status != "open" or current is None or not case.consent_services:
        flash(_("This case is closed or its consent was withdrawn."), "error")
        return redirect(url_for("cases.show", case_id=case.id))
    if request.method == "GET":
        values = flatten(
            {
                "consent": {
                    "services": current.services,
                    "reporting": current.reporting,
                    "release": {area: "yes" for area, ok in current.release.items() if ok},
                    "release_to": current.release_to,
                    "given_by": current.given_by,
                    "assent": current.assent,
                }
            }
        )
        html = render_template("cases/consent.html", case=case, **_registration_context(values))
        service.record_view(case)  # the organisations named in the consent are decrypted here
        db.session.commit()
        return html
    check_csrf()
    payload = nest(request.form.to_dict())
    try:
        service.record_consent(acting_user(), case, payload.get("consent") or {})
    except ValidationFailed as exc:
        db.session.rollback()
        case = load_case(case_id, "case.update")
        errors = {f"consent.{k}": v for k, v in (exc.fields or {}).items()} or {"": [str(exc.message)]}
        return render_template("cases/consent.html", case=case, **_registration_context(flatten(payload), errors)), 422
    db.session.commit()
    flash(_("New consent recorded."), "success")
    return redirect(url_for("cases.show", case_id=case.id, _anchor="consent-h"))
