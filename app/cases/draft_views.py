"""Saving and discarding the drafts of the long forms (``drafts``): by the page's script in the
background (a small JSON answer), or by a "save the draft" button when scripts do not run (back
to the form, at the next section)."""

from __future__ import annotations

from flask import flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from models import db

from .. import clock
from ..auth import acting_user
from ..forms import check_csrf, confirmation, confirmed
from ..lookup import load_case
from ..policy import requires
from . import drafts
from .kinds import kind_named
from .views import bp

AUTOSAVE_HEADER = "X-Sutura-Autosave"


def _saved(form: str, key: str, back: str) -> Response:
    draft = drafts.save(acting_user(), form, key, request.form.to_dict())
    db.session.commit()
    when = clock.moment(draft.updated_at) if draft is not None else ""
    message = _("Draft saved on the server (%(when)s).", when=when) if draft is not None else ""
    if request.headers.get(AUTOSAVE_HEADER):
        return jsonify(saved=draft is not None, message=message)
    if message:
        flash(message, "success")
    section = request.form.get("next", "")
    anchor = section if section.startswith("s-") and section[2:].isdigit() else None
    return redirect(back + (f"#{anchor}" if anchor else ""))


def _discarded(form: str, key: str, back: str, title: str, fields: dict[str, str] | None = None) -> Response | str:
    if not confirmed():
        return confirmation(
            None,
            title=title,
            consequences=[
                _("What was typed in this form and saved as a draft is destroyed."),
                _("Nothing already registered or recorded changes."),
            ],
            confirm_label=_("Yes, discard the draft"),
            fields=fields,
            back=back,
        )
    drafts.discard(acting_user(), form, key)
    db.session.commit()
    flash(_("Draft discarded."), "success")
    return redirect(back)


@bp.route("/new/draft", methods=["POST"])
@requires("case.create")
def save_registration_draft() -> Response:
    check_csrf()
    kind = kind_named(request.form.get("kind"))
    return _saved("registration", kind, url_for("cases.new", kind=kind))


@bp.route("/new/draft/discard", methods=["POST"])
@requires("case.create")
def discard_registration_draft() -> Response | str:
    check_csrf()
    kind = kind_named(request.form.get("kind"))
    back = url_for("cases.new", kind=kind)
    return _discarded("registration", kind, back, _("Discard this registration draft?"), {"kind": kind})


@bp.route("/<case_id>/incidents/draft", methods=["POST"])
@requires("case.update")
def save_incident_draft(case_id: str) -> Response:
    case = load_case(case_id, "case.update")
    check_csrf()
    return _saved("incident", case.id, url_for("cases.new_incident", case_id=case.id))


@bp.route("/<case_id>/incidents/draft/discard", methods=["POST"])
@requires("case.update")
def discard_incident_draft(case_id: str) -> Response | str:
    case = load_case(case_id, "case.update")
    check_csrf()
    back = url_for("cases.new_incident", case_id=case.id)
    return _discarded("incident", case.id, back, _("Discard this incident draft?"))
