"""Referral pages: the service directory, referring from a case, the provider's inbox, transfers."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from gbvims.classification import GBV_TYPES
from models import Case, CaseTransfer, Referral, db
from referral.packet import PACKET_FIELDS, PATHWAY_LINE, SERVICE_TYPES, consent_area
from referral.states import DECLINE_REASONS, NOT_DELIVERED_REASONS, PACKET_OPEN, events_from, events_on_behalf

from .. import audit, clock
from ..auth import acting_user
from ..errors import NotFound, ValidationFailed
from ..forms import CsrfForm, check_csrf, confirmation, confirmed, flatten, nest
from ..i18n_labels import label, place_names, regions
from ..lookup import load_case
from ..pagination import paginate
from ..policy import answering_in_sutura, can, requires
from ..validation import Reader
from . import labels, packets, service
from .packets import readable_packet

bp = Blueprint("referrals", __name__)


@bp.app_template_global()
def offline_referral(referral: Referral) -> bool:
    """Whether the signed-in user prints the form and records the answers for this referral's
    service (it has no Sutura account): the case page's referral card asks."""
    return can(current_user, "referral.answer_on_behalf", referral)


@bp.app_template_global()
def referral_reference(referral: Referral) -> str:
    return service.reference(referral)



@bp.route("/services")
@requires("directory.read")
def directory() -> str:
    region = request.args.get("region", "")[:32]
    service_type = request.args.get("service_type", "")[:24]
    if service_type and service_type not in SERVICE_TYPES:
        service_type = ""
    page = paginate(service.directory_query(region, service_type), per_page=30)
    names = place_names()
    return render_template(
        "referrals/directory.html",
        page=page,
        names=names,
        regions=regions(),
        region=region,
        service_type=service_type,
        online=answering_in_sutura([p.id for p in page.items]),
        labels=labels,
        label=label,
    )


@bp.route("/cases/<case_id>/refer", methods=["GET", "POST"])
@requires("case.update")
def refer(case_id: str) -> Response | str | tuple[str, int]:
    case = load_case(case_id, "case.update")
    service_type = (request.values.get("service_type") or "")[:24]
    if service_type not in SERVICE_TYPES:
        service_type = ""
    # The urgent box after a rape opens this page for its incident, at high urgency.
    urgency = "high" if request.args.get("urgency") == "high" else "normal"
    incident_id = (request.args.get("incident_id") or "")[:36]
    if not incident_id and len(case.incidents) == 1:
        incident_id = case.incidents[0].id
    values: dict[str, Any] = {
        "request_key": secrets.token_urlsafe(16),
        "urgency": urgency,
        "incident_id": incident_id,
    }
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        check_csrf()
        payload = nest(request.form)
        payload["share"] = request.form.getlist("share")
        try:
            referral, new = service.create_referral(acting_user(), case, payload)
        except ValidationFailed as exc:
            db.session.rollback()
            case = load_case(case_id, "case.update")
            values, errors = {**flatten(payload), "share": payload["share"]}, exc.fields or {}
            if not service_type:  # the form below shows only once a known service is chosen
                flash(_("Choose the service needed from the list, then a provider."), "error")
        else:
            db.session.commit()
            if new:
                flash(_("Referral sent to %(provider)s.", provider=referral.provider.name), "success")
                if not answering_in_sutura([referral.provider_id]):
                    flash(
                        _(
                            "This service has no Sutura account: print the referral form for it, then record "
                            "its answer on its behalf."
                        ),
                        "info",
                    )
            return redirect(url_for("cases.show", case_id=case.id, _anchor=f"referral-{referral.id}"))
    consent = case.current_consent
    allowed = bool(service_type and consent and consent.allows_release(consent_area(service_type)))
    matches = service.suggestions_for_page(case, service_type) if service_type else []
    html = render_template(
        "referrals/new.html",
        case=case,
        service_type=service_type,
        matches=matches,
        post_rape=service_type == "health" and service.pep_window_open(case),
        allowed=allowed,
        values=values,
        errors=errors,
        form=CsrfForm(),
        fields=PACKET_FIELDS,
        labels=labels,
        label=label,
        types=SERVICE_TYPES,
        names=place_names(),
        urgencies=[(code, label(text)) for code, text in labels.URGENCY_LABELS.items()],
        incidents=[
            (i.id, f"{label(GBV_TYPES[i.gbv_type])} — {clock.day(i.date_of_incident)}") for i in case.incidents
        ],
    )
    audit.record("case.viewed", target_type="case", target_id=case.id, details={"page": "refer"})
    db.session.commit()
    return (html, 422) if errors else html


@bp.route("/cases/<case_id>/refer/unavailable", methods=["POST"])
@requires("case.update")
def unavailable(case_id: str) -> Response:
    case = load_case(case_id, "case.update")
    check_csrf()
    service_type = request.form.get("service_type", "")
    service.record_gap(acting_user(), case, service_type, request.form.get("incident_id"))
    db.session.commit()
    flash(
        _("Recorded: this service is not available for the survivor's location. The sub-cluster counts it."), "success"
    )
    return redirect(url_for("cases.show", case_id=case.id, _anchor="referrals"))


@bp.route("/cases/<case_id>/refer/declined", methods=["POST"])
@requires("case.update")
def declined_by_survivor(case_id: str) -> Response | str:
    case = load_case(case_id, "case.update")
    check_csrf()
    if not confirmed():
        return _confirm_declined(case)
    service.record_declined_by_survivor(
        acting_user(), case, request.form.get("service_type", ""), request.form.get("incident_id")
    )
    db.session.commit()
    flash(_("Recorded: the survivor declined this service."), "success")
    return redirect(url_for("cases.show", case_id=case.id, _anchor="referrals"))


def _confirm_declined(case: Case) -> str:
    """The survivor declines a service: checked like the record itself (which service, which
    incident), then said in full before it is recorded (templates/confirm.html)."""
    service_type = request.form.get("service_type", "")
    r = Reader({"service_type": service_type, "incident_id": request.form.get("incident_id")})
    r.choice("service_type", dict.fromkeys(SERVICE_TYPES, ""), required=True)
    incident = service.incident_for(case, r)
    r.raise_if_invalid()
    named = label(labels.SERVICE_TYPE_LABELS[service_type])
    consequences = [
        _("No referral is sent: no provider receives anything."),
        _("The case records that the survivor declined this service: %(service)s.", service=named),
    ]
    if incident is not None and PATHWAY_LINE[service_type] is not None:
        consequences.append(
            _(
                "The referral pathway of the incident of %(date)s will say “declined by the survivor”.",
                date=clock.day(incident.date_of_incident),
            )
        )
    consequences.append(_("If the survivor changes their mind, refer them from the case page."))
    return confirmation(
        case,
        title=_("Record that the survivor declines this service?"),
        consequences=consequences,
        confirm_label=_("Yes, the survivor declines this service"),
        fields={"service_type": service_type, "incident_id": incident.id if incident is not None else ""},
        undoable=True,
        back=url_for("referrals.refer", case_id=case.id, service_type=service_type),
    )


@bp.route("/cases/<case_id>/referrals/<referral_id>/<any(withdraw, close):event>", methods=["POST"])
@requires("case.update")
def caseworker_event(case_id: str, referral_id: str, event: str) -> Response:
    case = load_case(case_id, "case.update")
    check_csrf()
    referral = _referral_of(case, referral_id)
    service.transition(acting_user(), referral, event)
    db.session.commit()
    flash(_("Referral updated."), "success")
    return redirect(url_for("cases.show", case_id=case.id, _anchor="referrals"))


@bp.route("/cases/<case_id>/referrals/<referral_id>/print", methods=["POST"])
@requires("referral.print")
def print_form(case_id: str, referral_id: str) -> Response:
    """The inter-agency referral form (PDF) for a service without a Sutura account. A POST: each
    print is a deliberate, audited act (nothing prefetches it, no history keeps it)."""
    case = load_case(case_id, "case.update")
    check_csrf()
    referral = _referral_of(case, referral_id)
    pdf = packets.print_form(acting_user(), referral, include_note=request.form.get("include_note") == "yes")
    db.session.commit()
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    # The reference only: a file name lands in download lists, it must not name anyone.
    response.headers["Content-Disposition"] = f'attachment; filename="referral-{service.reference(referral)}.pdf"'
    return response


@bp.route("/cases/<case_id>/referrals/<referral_id>/on-behalf", methods=["POST"])
@requires("referral.answer_on_behalf")
def on_behalf(case_id: str, referral_id: str) -> Response | tuple[str, int]:
    """The answer of a service without an account, recorded by the caseworker (reply slip, call)."""
    case = load_case(case_id, "case.update")
    check_csrf()
    referral = _referral_of(case, referral_id)
    payload = {k: request.form.get(k) or None for k in ("event", "date", "reason", "feedback")}
    try:
        service.answer_on_behalf(acting_user(), referral, payload)
    except ValidationFailed as exc:
        db.session.rollback()
        case = load_case(case_id, "case.update")
        referral = _referral_of(case, referral_id)
        html = render_template(
            "referrals/on_behalf.html",
            case=case,
            referral=referral,
            values=payload,
            errors=exc.fields or {},
            form=CsrfForm(),
            labels=labels,
            label=label,
        )
        return html, 422
    db.session.commit()
    flash(_("The service's answer was recorded on its behalf."), "success")
    return redirect(url_for("cases.show", case_id=case.id, _anchor=f"referral-{referral.id}"))


def _referral_of(case: Any, referral_id: str) -> Referral:
    referral = next((r for r in case.referrals if r.id == referral_id), None)
    if referral is None:
        raise NotFound()
    return referral


@bp.app_template_global()
def on_behalf_choices(referral: Referral) -> list[tuple[str, str]]:
    """(event, label) of the answers the caseworker may record now for the referral's service."""
    return [(event, label(labels.ON_BEHALF_LABELS[event])) for event in events_on_behalf(referral.state)]


@bp.app_template_global()
def on_behalf_today() -> str:
    """Today where the caseworkers are: the default and the latest day of a recorded answer."""
    return clock.today().isoformat()


@bp.app_template_global()
def on_behalf_reasons(referral: Referral) -> list[tuple[str, str]]:
    """(code, label) of the reasons that go with those answers (declined, or not delivered)."""
    codes = DECLINE_REASONS if referral.state == "sent" else NOT_DELIVERED_REASONS
    return [(code, label(labels.REASON_LABELS[code])) for code in codes]


@bp.route("/inbox")
@requires("referral.inbox")
def inbox() -> str:
    user = acting_user()
    page = paginate(service.inbox_ordered(user), per_page=30)
    cards = service.inbox_cards(page.items)
    html = render_template(
        "referrals/inbox.html",
        page=page,
        new=[c for c in cards if c.referral.state == "sent"],
        doing=[c for c in cards if c.referral.state == "accepted"],
        done=[c for c in cards if c.referral.state not in ("sent", "accepted")],
        labels=labels,
        label=label,
    )
    shown = [c.referral.id for c in cards]
    if shown:  # first names shared in the packets are read here
        audit.record("referral.inbox_viewed", target_type="referral", details={"referrals": shown})
        audit.commit_read()
    return html


@bp.route("/inbox/<referral_id>", methods=["GET", "POST"])
@requires("referral.respond")
def inbox_referral(referral_id: str) -> Response | str | tuple[str, int]:
    user = acting_user()
    referral = service.load_for_provider(user, referral_id)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        check_csrf()
        event = request.form.get("event", "")
        if event not in events_from(referral.state, "provider"):
            raise service.TransitionRefused(_("This referral cannot do that in its current state."))
        try:
            service.transition(
                user, referral, event, request.form.get("reason") or None, request.form.get("feedback") or None
            )
        except ValidationFailed as exc:
            db.session.rollback()
            referral = service.load_for_provider(user, referral_id)
            errors = exc.fields or {}
        else:
            db.session.commit()
            flash(_("Your answer was sent to the caseworker."), "success")
            return redirect(url_for("referrals.inbox_referral", referral_id=referral.id))
    html = render_template(
        "referrals/provider_referral.html",
        referral=referral,
        reference=service.reference(referral),
        sender=packets.sender(referral),
        packet=readable_packet(service.packet(referral)),
        packet_open=referral.state in PACKET_OPEN,
        events=events_from(referral.state, "provider"),
        errors=errors,
        form=CsrfForm(),
        labels=labels,
        label=label,
        decline_reasons=DECLINE_REASONS,
        not_delivered_reasons=NOT_DELIVERED_REASONS,
    )
    audit.record("referral.viewed", target_type="referral", target_id=referral.id)
    db.session.commit()
    return (html, 422) if errors else html


@bp.route("/cases/<case_id>/transfer", methods=["GET", "POST"])
@requires("case.update")
def transfer(case_id: str) -> Response | str | tuple[str, int]:
    case = load_case(case_id, "case.update")
    agencies = [(a.code, a.name) for a in db.session.scalars(service.receiving_agencies(case))]
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        check_csrf()
        try:
            service.request_transfer(
                acting_user(), case, request.form.get("agency", ""), request.form.get("consent") == "yes"
            )
        except ValidationFailed as exc:
            db.session.rollback()
            errors = exc.fields or {}
        else:
            db.session.commit()
            flash(_("Transfer requested: the receiving agency's supervisor must accept it."), "success")
            return redirect(url_for("cases.show", case_id=case_id))
    html = render_template(
        "referrals/transfer.html", case=case, agencies=agencies, errors=errors, form=CsrfForm(), values=request.form
    )
    return (html, 422) if errors else html


@bp.route("/transfers/<transfer_id>/<any(accept, decline):decision>", methods=["POST"])
@requires("transfer.decide")
def decide_transfer(transfer_id: str, decision: str) -> Response:
    check_csrf()
    transfer = db.session.get(CaseTransfer, transfer_id) if len(transfer_id) <= 36 else None
    if transfer is None:
        raise NotFound()
    service.decide_transfer(acting_user(), transfer, decision == "accept")
    db.session.commit()
    if decision == "accept":
        flash(_("Transfer accepted: the case is now your agency's."), "success")
        return redirect(url_for("cases.show", case_id=transfer.case_id))
    flash(_("Transfer declined."), "success")
    return redirect(url_for("cases.index"))
