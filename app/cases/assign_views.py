"""The supervisor's reassignment page (app/cases/assignment.py)."""

from __future__ import annotations

from flask_babel import gettext as _
from werkzeug.wrappers import Response

from ..auth import acting_user
from ..forms import form_page
from ..i18n_labels import choices
from ..lookup import load_case
from ..policy import requires
from . import assignment
from .views import bp


@bp.route("/<case_id>/reassign", methods=["GET", "POST"])
@requires("case.assign")
def reassign(case_id: str) -> Response | str | tuple[str, int]:
    case = load_case(case_id, "case.assign")
    people = [(u.id, u.username) for u in assignment.candidates(case)]
    return form_page(
        case_id,
        "cases/reassign.html",
        lambda c, payload: assignment.reassign(acting_user(), c, payload),
        _("Case reassigned."),
        {"people": people, "reasons": choices(assignment.REASONS)},
        {"owner_id": "", "reason": ""},
    )
