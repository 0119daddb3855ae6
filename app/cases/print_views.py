"""Pages of a caseworker's day on the case: adding a dated case note, and the print of a case
(HTML for the browser's print, and a PDF) for supervision files and court referrals.

The print shows what the case page shows, in a sober A4 layout, with identifying parts hidden
unless the reader ticks them: names and contacts, the account of the incident and the other
narratives, the case notes. Every print is audited (``case.printed``) with the parts shown and
hidden and its format, never a value. The PDF is the same HTML, rendered by WeasyPrint with its
CSS inline and nothing fetched from anywhere.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from typing import Any

from flask import flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from cpims.options import TIMEFRAMES
from gbvims import options
from gbvims.classification import CONTEXT_FLAGS, GBV_TYPES
from gbvims.consent import rule_texts
from gbvims.labels import N_
from models import Case, db, utcnow
from models.case import STAGES

from .. import audit
from ..auth import acting_user
from ..cp.page import cp_page_context
from ..errors import Conflict, ValidationFailed
from ..forms import check_csrf, nest
from ..i18n_labels import coded, country, label
from ..lookup import load_case
from ..policy import requires
from ..referrals import labels as referral_labels
from . import casework, labels, notes
from .kinds import kind_of
from .views import bp, show

# What a print may hide, in the order the form lists them: hidden unless ticked (the safer choice).
REDACTIONS = {
    "names": N_("Names and contacts (names, phone numbers, address, date of birth, organisations named, "
                "people sought and carers)"),
    "account": N_("The account of the incident and the other narratives (assessment, safety plan, goals, "
                  "the child's views, tracing and care notes, feedback)"),
    "notes": N_("Case notes (with the follow-ups' notes and the notes on the survivor's record)"),
}
SHORT_REDACTIONS = {
    "names": N_("names and contacts"),
    "account": N_("the account of the incident and the narratives"),
    "notes": N_("case notes"),
}
PDF_MEDIA = "application/pdf"
_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def shown_parts(values: Iterable[str]) -> list[str]:
    """The parts the reader ticked to show, in the list's order (anything else stays hidden)."""
    ticked = set(values)
    return [code for code in REDACTIONS if code in ticked]


def _context(case: Case, shown: list[str], pdf: bool) -> dict[str, Any]:
    hidden = [code for code in REDACTIONS if code not in shown]
    return {
        "case": case,
        "survivor": case.survivor,
        "consent": case.current_consent,
        "kind": kind_of(case),
        "shown": shown,
        "hidden": hidden,
        "hidden_text": ", ".join(label(SHORT_REDACTIONS[code]) for code in hidden),
        "redactions": [(code, label(text)) for code, text in REDACTIONS.items()],
        "pdf": pdf,
        "printed_at": utcnow(),
        "printed_by": current_user.username,
        "assessment": case.assessments[-1] if case.assessments else None,
        "plan": casework.current_plan(case),
        "case_notes": notes.notes_of(case),
        "options": options,
        "labels": labels,
        "referral_labels": referral_labels,
        "gbv_types": GBV_TYPES,
        "flags": CONTEXT_FLAGS,
        "stages": STAGES,
        "cp_timeframes": TIMEFRAMES,
        "label": label,
        "coded": coded,
        "country": country,
        **cp_page_context(acting_user(), case),
    }


def _record(case: Case, shown: list[str], fmt: str) -> None:
    audit.record(
        "case.printed",
        target_type="case",
        target_id=case.id,
        details={"format": fmt, "shown": shown, "hidden": [code for code in REDACTIONS if code not in shown]},
    )


def _style_hashes(html: str) -> str:
    """CSP sources allowing exactly the page's own inline style (the print is one file)."""
    return " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode() + "'"
        for css in _STYLE.findall(html)
    )


@bp.route("/<case_id>/print")
@requires("case.read")
def print_case(case_id: str) -> Response:
    """The print of a case, redacted unless the reader ticks what to show (``?show=names``…)."""
    case = load_case(case_id)
    shown = shown_parts(request.args.getlist("show"))
    html = render_template("cases/print.html", **_context(case, shown, pdf=False))
    _record(case, shown, "html")
    db.session.commit()
    response = make_response(html)
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src {_style_hashes(html)}; img-src 'self'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    )
    return response


@bp.route("/<case_id>/print.pdf", methods=["POST"])
@requires("case.read")
def print_pdf(case_id: str) -> Response:
    """The same print as a PDF (A4), for a supervision file or a court referral. Asked for by a
    form (POST, with its CSRF token): a document leaving the system is an action, audited."""
    case = load_case(case_id)
    check_csrf()
    shown = shown_parts(request.form.getlist("show"))
    html = render_template("cases/print.html", **_context(case, shown, pdf=True))
    document = render_pdf(html)
    _record(case, shown, "pdf")
    db.session.commit()
    response = make_response(document)
    response.mimetype = PDF_MEDIA
    response.headers["Content-Disposition"] = f'attachment; filename="{case.case_code}.pdf"'
    return response


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError("the print is self-contained: nothing is fetched")


def render_pdf(html: str) -> bytes:
    """A PDF of the app's own HTML; nothing is fetched (no base URL, every URL refused)."""
    from weasyprint import HTML  # imported when used: loading Pango takes a moment

    pdf: bytes = HTML(string=html, url_fetcher=_no_fetching).write_pdf()
    return pdf


@bp.route("/<case_id>/notes", methods=["POST"])
@requires("case.update")
def add_note(case_id: str) -> Response | tuple[str, int]:
    """A dated note from the case page; with a mistake, the case page again with what was typed."""
    case = load_case(case_id, "case.update")
    check_csrf()
    try:
        notes.add_note(acting_user(), case, nest(request.form))
    except Conflict as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(url_for("cases.show", case_id=case_id))
    except ValidationFailed as exc:
        db.session.rollback()
        g.note_errors = exc.fields or {"text": [str(exc.message)]}
        return show(case_id), 422
    db.session.commit()
    flash(_("Case note added."), "success")
    return redirect(url_for("cases.show", case_id=case_id, _anchor="notes"))


@bp.app_template_global()
def consent_rules() -> list[tuple[str, str]]:
    """The consent rule of every age band, translated, for the consent forms (gbvims/consent.py)."""
    return [(label(text), label(note) if note else "") for text, note in rule_texts()]
