"""Pages of a CP case's MRM records and of the links between a child's GBV and CP cases."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from cpims import options
from models import db

from ..auth import acting_user
from ..forms import check_csrf, form_page
from ..i18n_labels import choices
from ..policy import requires
from . import links, mrm
from .views import bp, load_cp_case


@bp.route("/<case_id>/violations", methods=["GET", "POST"])
@requires("case.update")
def violations(case_id: str) -> Response | str | tuple[str, int]:
    load_cp_case(case_id)
    return form_page(
        case_id,
        "cp/violations.html",
        lambda case, payload: mrm.record_violations(acting_user(), case, payload),
        _("Grave violations recorded."),
        {"violations": choices(options.GRAVE_VIOLATIONS), "perpetrators": choices(options.MRM_PERPETRATORS)},
    )


@bp.route("/<case_id>/violations/<violation_id>/remove", methods=["POST"])
@requires("case.update")
def remove_violation(case_id: str, violation_id: str) -> Response:
    case = load_cp_case(case_id)
    check_csrf()
    mrm.remove_violation(acting_user(), case, violation_id)
    db.session.commit()
    flash(_("The grave violation was removed."), "success")
    return redirect(url_for("cases.show", case_id=case_id, _anchor="mrm-h"))


@bp.route("/<case_id>/links", methods=["GET", "POST"])
@requires("case.update")
def link(case_id: str) -> Response | str | tuple[str, int]:
    return form_page(
        case_id,
        "cp/link.html",
        lambda case, payload: links.link(acting_user(), case, payload),
        _("The cases are linked."),
        {},
    )
