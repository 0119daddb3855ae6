"""Pages of best interests (/cases/<id>/best-interests/…), family tracing and reunification
(/cases/<id>/tracing/…) and care arrangements (/cases/<id>/care/…) of a CP case, and what the
case page's sections of them read (``cp/_best_interests.html``, ``_tracing.html``, ``_care.html``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from cpims import options as cp_options
from models import Case, db

from .. import audit, clock
from ..auth import acting_user
from ..errors import NotFound, ValidationFailed
from ..forms import CsrfForm, check_csrf, flatten, nest
from ..i18n_labels import choices, coded, label
from ..policy import requires
from . import best_interests, care, tracing
from .views import bp, load_cp_case

Page = Response | str | tuple[str, int]


def _form_page(
    case_id: str,
    template: str,
    save: Callable[[Case, dict[str, Any]], Any],
    done: str,
    context: Callable[[Case], dict[str, Any]],
    initial: Callable[[Case], dict[str, Any]] | None = None,
    *,
    action: str = "case.update",
    raw: Iterable[str] = (),
) -> Page:
    """GET shows the form (a read of the case: it shows decrypted text); POST validates through
    ``save`` and commits, or shows the errors with everything that was typed. ``raw`` fields are
    read as sent (``nest`` leaves out names such as "action")."""
    case = load_cp_case(case_id, action)
    common = {"form": CsrfForm(), "coded": coded, "label": label}
    if request.method == "GET":
        values = initial(case) if initial else {}
        html = render_template(template, case=case, values=values, errors={}, **common, **context(case))
        audit.record("case.viewed", target_type="case", target_id=case.id)
        db.session.commit()
        return html
    check_csrf()
    payload = nest(request.form)
    for name in raw:
        value = request.form.get(name)
        if value is not None and len(value) <= 100:
            payload[name] = value
    try:
        save(case, payload)
    except ValidationFailed as exc:
        db.session.rollback()
        case = load_cp_case(case_id, action)
        html = render_template(
            template, case=case, values=flatten(payload), errors=exc.fields or {}, **common, **context(case)
        )
        audit.record("case.viewed", target_type="case", target_id=case.id)  # shown again, decrypted
        db.session.commit()
        return html, 422
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("cases.show", case_id=case_id))


def _today() -> dict[str, Any]:
    return {"date": clock.today().isoformat()}


# Best interests ------------------------------------------------------------------------------


@bp.route("/<case_id>/best-interests/assessment", methods=["GET", "POST"])
@requires("case.update")
def best_interests_assessment(case_id: str) -> Page:
    return _form_page(
        case_id,
        "cp/best_interests_assessment.html",
        lambda case, payload: best_interests.record_assessment(acting_user(), case, payload),
        _("Best interests assessment saved."),
        lambda case: {
            "priorities": choices(cp_options.BIA_PRIORITY),
            "recommendations": choices(cp_options.BI_RECOMMENDATIONS),
        },
    )


@bp.route("/<case_id>/best-interests/determination", methods=["GET", "POST"])
@requires("case.update")
def best_interests_determination(case_id: str) -> Page:
    def initial(case: Case) -> dict[str, Any]:
        found = best_interests.assessments(case)
        return {"assessment_id": found[-1].id, "recommendation": found[-1].recommendation} if found else {}

    return _form_page(
        case_id,
        "cp/best_interests_determination.html",
        lambda case, payload: best_interests.submit_determination(acting_user(), case, payload),
        _("Best interests determination submitted to the panel."),
        lambda case: {
            "assessments": best_interests.assessments(case),
            "awaiting": best_interests.awaiting_panel(case),
            "recommendations": choices(cp_options.BI_RECOMMENDATIONS),
        },
        initial,
    )


@bp.route("/<case_id>/best-interests/<bid_id>/decision", methods=["GET", "POST"])
@requires("case.approve")
def best_interests_decision(case_id: str, bid_id: str) -> Page:
    def context(case: Case) -> dict[str, Any]:
        bid = next((b for b in best_interests.determinations(case) if b.id == bid_id), None)
        if bid is None:
            raise NotFound()
        basis = next((b for b in best_interests.assessments(case) if b.id == bid.assessment_id), None)
        return {
            "bid": bid,
            "basis": basis,
            "may_decide": best_interests.may_record_panel_decision(current_user, bid),
            "decisions": choices(cp_options.BID_DECISIONS),
        }

    return _form_page(
        case_id,
        "cp/best_interests_decision.html",
        lambda case, payload: best_interests.decide(acting_user(), case, bid_id, payload),
        _("The panel's decision was recorded."),
        context,
        lambda case: _today(),
        action="case.approve",
    )


# Family tracing and reunification ------------------------------------------------------------


@bp.route("/<case_id>/tracing/separation", methods=["GET", "POST"])
@requires("case.update")
def tracing_separation(case_id: str) -> Page:
    def initial(case: Case) -> dict[str, Any]:
        s = case.separation
        if s is None:
            return {}
        return {"date": s.date.isoformat() if s.date else "", "cause": s.cause, "place": s.place, "sought": s.sought}

    return _form_page(
        case_id,
        "cp/tracing_separation.html",
        lambda case, payload: tracing.record_separation(acting_user(), case, payload),
        _("Separation saved."),
        lambda case: {"causes": choices(cp_options.SEPARATION_CAUSES), "needed": tracing.needed(case)},
        initial,
    )


@bp.route("/<case_id>/tracing/actions/new", methods=["GET", "POST"])
@requires("case.update")
def tracing_action(case_id: str) -> Page:
    return _form_page(
        case_id,
        "cp/tracing_action.html",
        lambda case, payload: tracing.add_action(acting_user(), case, payload),
        _("Tracing action saved."),
        lambda case: {
            "actions": choices(cp_options.TRACING_ACTIONS),
            "outcomes": choices(cp_options.TRACING_OUTCOMES),
        },
        lambda case: _today(),
        raw=("action",),
    )


@bp.route("/<case_id>/tracing/verifications/new", methods=["GET", "POST"])
@requires("case.update")
def tracing_verification(case_id: str) -> Page:
    return _form_page(
        case_id,
        "cp/tracing_verification.html",
        lambda case, payload: tracing.add_verification(acting_user(), case, payload),
        _("Verification saved."),
        lambda case: {"recommendations": choices(cp_options.VERIFICATION)},
        lambda case: _today(),
    )


@bp.route("/<case_id>/tracing/reunification", methods=["GET", "POST"])
@requires("case.update")
def tracing_reunification(case_id: str) -> Page:
    return _form_page(
        case_id,
        "cp/tracing_reunification.html",
        lambda case, payload: tracing.add_reunification(acting_user(), case, payload),
        _("Reunification saved: follow up with the child within two weeks."),
        lambda case: {
            "types": choices(cp_options.REUNIFICATION_TYPES),
            "may_reunify": tracing.section(case).may_reunify,
        },
        lambda case: _today(),
    )


# Care arrangements ---------------------------------------------------------------------------


@bp.route("/<case_id>/care/new", methods=["GET", "POST"])
@requires("case.update")
def care_new(case_id: str) -> Page:
    return _form_page(
        case_id,
        "cp/care_new.html",
        lambda case, payload: care.start(acting_user(), case, payload),
        _("Care arrangement saved."),
        lambda case: {"arrangements": choices(cp_options.CARE_ARRANGEMENTS), "current": care.current(case)},
        lambda case: {"started": clock.today().isoformat()},
    )


@bp.route("/<case_id>/care/end", methods=["GET", "POST"])
@requires("case.update")
def care_end(case_id: str) -> Page:
    return _form_page(
        case_id,
        "cp/care_end.html",
        lambda case, payload: care.end(acting_user(), case, payload),
        _("Care arrangement ended."),
        lambda case: {"current": care.current(case)},
        lambda case: {"ended": clock.today().isoformat()},
    )


# What the case page's sections read ----------------------------------------------------------


def _register_globals(state: BlueprintSetupState) -> None:
    app = state.app
    app.add_template_global(lambda case: best_interests.section(case, current_user), "cp_best_interests")
    app.add_template_global(tracing.section, "cp_tracing")
    app.add_template_global(care.section, "cp_care")
    app.jinja_env.globals["cp_options"] = cp_options


bp.record_once(_register_globals)
