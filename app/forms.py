"""Turning the case pages' form fields into the API's JSON shape, so both share one validator.

Field names carry the path: ``survivor.given_name``, ``consent.release.health``,
``perpetrators.0.sex``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from models import Case, db

from . import audit
from .errors import ValidationFailed
from .lookup import load_case

SKIP = {"csrf_token", "step", "action"}


class CsrfForm(FlaskForm):
    """No fields of its own: the pages render their fields by hand, this checks the CSRF token."""


def check_csrf() -> None:
    """Refuse a post whose CSRF token is missing, stale or not from Sutura."""
    if not CsrfForm().validate_on_submit():
        raise ValidationFailed(_("This form has expired or was not sent from Sutura. Reload the page and try again."))


def nest(form: Mapping[str, str]) -> dict[str, Any]:
    """{"a.b": v, "p.0.c": w} → {"a": {"b": v}, "p": [{"c": w}]}."""
    root: dict[str, Any] = {}
    for flat, value in form.items():
        if flat in SKIP or len(flat) > 100:
            continue
        parts = flat.split(".")
        if len(parts) > 4:
            continue
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                break
        else:
            node[parts[-1]] = value
    # Numbered groups ("perpetrators.0") become lists, in order, dropping blank rows.
    for key, value in list(root.items()):
        if isinstance(value, dict) and value and all(k.isascii() and k.isdecimal() for k in value):
            rows = [value[k] for k in sorted(value, key=int)]
            root[key] = [row for row in rows if isinstance(row, dict) and any(v for v in row.values())]
    return root


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """The inverse of ``nest``, to refill a form from what was submitted."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, path + "."))
        elif isinstance(value, list):
            for n, row in enumerate(value):
                if isinstance(row, Mapping):
                    flat.update(flatten(row, f"{path}.{n}."))
        else:
            flat[path] = value
    return flat


def form_page(
    case_id: str,
    template: str,
    save: Callable[[Case, dict[str, Any]], Any],
    done: str,
    context: dict[str, Any],
    initial: dict[str, Any] | None = None,
) -> Response | str | tuple[str, int]:
    """A form page of one case (``case.update``): GET shows the form; POST validates through
    ``save`` and commits, or shows the errors with everything that was typed."""
    case = load_case(case_id, "case.update")
    if request.method == "GET":
        html = render_template(template, case=case, values=initial or {}, errors={}, form=CsrfForm(), **context)
        audit.record("case.viewed", target_type="case", target_id=case.id)  # the forms show decrypted text
        db.session.commit()
        return html
    check_csrf()
    payload = nest(request.form)
    try:
        save(case, payload)
    except ValidationFailed as exc:
        db.session.rollback()
        case = load_case(case_id, "case.update")
        html = render_template(
            template, case=case, values=flatten(payload), errors=exc.fields or {}, form=CsrfForm(), **context
        )
        audit.record("case.viewed", target_type="case", target_id=case.id)  # the form shows decrypted text again
        db.session.commit()
        return html, 422
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("cases.show", case_id=case_id))


def confirmed() -> bool:
    """Whether a heavy action's form came back from its confirmation page (``confirmation``)."""
    return request.form.get("confirm") == "yes"


def confirmation(
    case: Case | None,
    *,
    title: str,
    consequences: list[str],
    confirm_label: str,
    fields: dict[str, Any] | None = None,
    undoable: bool = False,
    back: str | None = None,
) -> str:
    """The confirmation step of an action that cannot be undone or weighs heavily: what will
    happen, and the same form (``fields``) to send again to the same address with confirm=yes.
    Nothing is changed, nothing identifying is shown (the case's code only). ``back`` is where
    "cancel" goes: the case, unless said otherwise."""
    if back is None:
        if case is None:
            raise ValueError("a confirmation needs a case or a page to go back to")
        back = url_for("cases.show", case_id=case.id)
    return render_template(
        "confirm.html",
        case=case,
        title=title,
        consequences=[line for line in consequences if line],
        confirm_label=confirm_label,
        action=request.path,
        fields=fields or {},
        undoable=undoable,
        back=back,
        form=CsrfForm(),
    )
