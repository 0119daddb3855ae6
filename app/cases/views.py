"""Case pages: list and search, registration (consent first), the case, incidents."""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from cpims.options import TIMEFRAMES
from gbvims import options
from gbvims.classification import ANSWER_KEYS, CONTEXT_FLAGS, GBV_TYPES, QUESTIONS, classify, next_question
from models import Case, Location, db, utcnow
from models.case import STAGES
from referral.states import FINAL, events_from

from .. import audit, clock
from ..auth import acting_user
from ..cp.page import cp_page_context
from ..cp.profile import due_clocks
from ..cp.registration_views import cp_registration_context
from ..errors import ValidationFailed
from ..forms import CsrfForm, check_csrf, confirmation, confirmed, flatten, nest
from ..i18n_labels import choices, coded, countries, country, country_name, label, regions
from ..lookup import load_case
from ..pagination import Page, paginate
from ..policy import can, requires
from ..referrals import labels as referral_labels
from ..referrals.service import alerts as referral_alerts
from ..referrals.service import pending_transfers
from . import casework, drafts, editing, incidents, labels, service
from .kinds import kind_named, kind_of

bp = Blueprint("cases", __name__, url_prefix="/cases")


def _locations(keep: object = None) -> list[tuple[str, str]]:
    """The places a form offers: the active ones, and ``keep`` (the record's own, even deactivated)."""
    language = str(get_locale() or "fr")
    rows = db.session.scalars(select(Location).order_by(Location.code)).all()
    names = {loc.code: loc.name(language) for loc in rows}
    out = []
    for loc in rows:
        if not loc.active and loc.code != keep:
            continue
        prefix = f"{names[loc.parent_code]} — " if loc.parent_code else ""
        out.append((loc.code, prefix + names[loc.code]))
    return sorted(out, key=lambda pair: pair[1])


@bp.route("/names", methods=["POST"])
@requires("case.list")
def toggle_names() -> Response:
    """Shared offices: show case codes only in lists (a preference of the user, kept)."""
    check_csrf()
    current_user.hide_names_in_lists = not current_user.hide_names_in_lists
    db.session.commit()
    return redirect(request.referrer if _same_site(request.referrer) else url_for("cases.index"))


def _same_site(url: str | None) -> bool:
    return bool(url) and urlsplit(url or "").netloc in ("", request.host)


@bp.route("", methods=["GET", "POST"])
@requires("case.list")
def index() -> Response | str:
    """The case list with its filters (in the URL), and the search by code, name or phone (sent
    in the body of a POST: a name in a URL would be written in logs and browser histories)."""
    searching = request.method == "POST"
    if searching:
        check_csrf()
    source = request.form if searching else request.args
    filters = service.CaseFilters.read(source, request.form.get("q", "").strip()[:100] if searching else "")
    if searching and not filters.q:  # filters only: back to a plain, bookmarkable list
        kept: dict[str, Any] = {
            k: "1" if v is True else v
            for k, v in dataclasses.asdict(filters).items()
            if v and k != "q" and not (k == "sort" and v == "created")
        }
        return redirect(url_for("cases.index", **kept))
    if filters.q:
        number = max(1, min(request.form.get("page", 1, type=int) or 1, 10_000))
        results = service.search(acting_user(), filters, number)
        page = Page(results.items, number, service.SEARCH_RESULTS, results.total, exact=results.exact)
    else:
        page = paginate(service.list_query(acting_user(), filters), per_page=25)
    waiting = service.awaiting_approval(acting_user())
    transfers = pending_transfers(acting_user())
    overdue, answered = referral_alerts(acting_user())
    clocks = due_clocks(acting_user())
    html = render_template(
        "cases/index.html",
        clocks=clocks,
        page=page,
        filters=filters,
        regions=regions(),
        waiting=waiting,
        overdue=overdue,
        answered=answered,
        referral_labels=referral_labels,
        label=label,
        transfers=transfers,
        form=CsrfForm(),
        statuses=choices(options.CASE_STATUS),
        risks=choices(options.RISK_LEVEL),
        kinds=choices(options.CASE_KIND),
        stages=choices(labels.STAGE_LABELS),
        sexes=choices(options.SEX),
        age_bands=list(service.AGE_BANDS),
        sorts=choices(labels.SORT_LABELS),
        hide_names=current_user.hide_names_in_lists,
    )
    # Logged once the page is built and before it is sent: no page leaves unaudited.
    shown = list(dict.fromkeys([c.id for c in page.items] + [c.id for c in waiting] + [c.case.id for c in clocks]))
    if shown:
        service.audit.record(
            "case.list_viewed", target_type="case", details={"cases": shown, "search": bool(filters.q)}
        )
        audit.commit_read()
    return html


def _registration_context(values: dict[str, Any], errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {
        "values": values,
        "errors": errors or {},
        "form": CsrfForm(),
        "locations": _locations(values.get("location")),
        "countries": countries(),
        "country_name": country_name,
        "option_choices": {
            name: choices(getattr(options, name))
            for name in (
                "SEX",
                "MARITAL_STATUS",
                "DISPLACEMENT_STATUS",
                "DISABILITY",
                "UNACCOMPANIED",
                "OCCUPATION",
                "CARETAKER_RELATION",
                "RELEASE_AREAS",
                "CONSENT_GIVEN_BY",
                "ASSENT",
                "RISK_LEVEL",
            )
        },
        **cp_registration_context(values, errors or {}),
    }


@bp.route("/new", methods=["GET", "POST"])
@requires("case.create")
def new() -> Response | str | tuple[str, int]:
    if request.method == "GET":
        kind = kind_named(request.args.get("kind"))
        restored = drafts.load(acting_user(), "registration", kind)
        values = {**restored[0], "kind": kind} if restored else {"kind": kind}
        html = render_template(
            "cases/new.html", **_registration_context(values), draft_saved=restored[1] if restored else None
        )
        db.session.commit()  # the restore is audited
        return html
    check_csrf()
    form = request.form.to_dict()
    kind = kind_named(form.get("kind"))
    # A second submit after the warning about possible duplicates registers anyway.
    checked = form.pop("duplicate_checked", "") == "yes"
    payload = nest(form)
    try:
        duplicates = [] if checked else service.possible_duplicates(acting_user(), payload)
        if not duplicates:
            case = service.create_case(acting_user(), payload)
    except ValidationFailed as exc:
        db.session.rollback()
        context = _registration_context(flatten(payload), exc.fields)
        html = render_template("cases/new.html", **context)
        drafts.save(acting_user(), "registration", kind, request.form.to_dict())  # nothing typed is lost
        db.session.commit()
        return html, 422
    if duplicates:
        html = render_template("cases/new.html", **_registration_context(flatten(payload)), duplicates=duplicates)
        # The warning shows cases like a list does: audited the same way, by id.
        service.audit.record(
            "case.list_viewed",
            target_type="case",
            details={"cases": [c.id for c in duplicates], "duplicates": True},
        )
        db.session.commit()
        return html
    drafts.discard(acting_user(), "registration", kind)
    db.session.commit()
    flash(_("Case %(code)s registered.", code=case.case_code), "success")
    return redirect(url_for("cases.show", case_id=case.id))


@bp.route("/<case_id>")
@requires("case.read")
def show(case_id: str) -> str:
    case = load_case(case_id)
    pending_closure, pending_purge = casework.pending(case, "closure"), casework.pending(case, "purge")
    html = render_template(
        "cases/show.html",
        case=case,
        survivor=case.survivor,
        consent=case.current_consent,
        alerts=incidents.care_alerts(case),
        kind=kind_of(case),
        history=editing.history(case),
        coded=coded,
        country=country,
        form=CsrfForm(),
        stages=STAGES,
        gbv_types=GBV_TYPES,
        flags=CONTEXT_FLAGS,
        options=options,
        label=label,
        labels=labels,
        plan=casework.current_plan(case),
        assessment=case.assessments[-1] if case.assessments else None,
        pending_closure=pending_closure,
        pending_purge=pending_purge,
        can_approve=can(current_user, "case.approve", case),
        can_reassign=case.status == "open" and can(current_user, "case.assign", case),
        can_decide_closure=can(current_user, "request.decide", pending_closure),
        closure_gaps=casework.closure_gaps(case) if pending_closure else [],
        closure_gap_labels=casework.CLOSURE_GAPS,
        can_decide_purge=can(current_user, "request.decide", pending_purge),
        referral_labels=referral_labels,
        now=utcnow(),
        referral_events=lambda state: events_from(state, "caseworker"),
        cp_timeframes=TIMEFRAMES,
        **cp_page_context(acting_user(), case),
    )
    service.record_view(case)
    audit.commit_read()
    return html


@bp.route("/<case_id>/consent/withdraw", methods=["POST"])
@requires("case.update")
def withdraw(case_id: str) -> Response | str:
    case = load_case(case_id, "case.update")
    if not CsrfForm().validate_on_submit():
        raise ValidationFailed()
    what = "reporting" if request.form.get("what") == "reporting" else "all"
    if not confirmed():
        return _confirm_withdrawal(case, what)
    service.withdraw_consent(acting_user(), case, what)
    db.session.commit()
    flash(_("Consent withdrawal recorded. It applies everywhere at once."), "success")
    return redirect(url_for("cases.show", case_id=case.id))


def _confirm_withdrawal(case: Case, what: str) -> str:
    if what == "reporting":
        return confirmation(
            case,
            title=_("Withdraw consent to statistics?"),
            consequences=[
                _("Nothing of this case will be counted in the statistics any more."),
                _("Case management, referrals and what the survivor agreed to share go on as before."),
                _("If the survivor agrees again later, record a new consent."),
            ],
            confirm_label=_("Yes, withdraw consent to statistics"),
            fields={"what": what},
            undoable=True,
        )
    still_open = sum(1 for r in case.referrals if r.state not in FINAL)
    return confirmation(
        case,
        title=_("Withdraw all consent?"),
        consequences=[
            _(
                "The survivor's consent to case management services, to statistics and to sharing "
                "information with any service is withdrawn, everywhere at once."
            ),
            ngettext(
                "%(num)d open referral will be withdrawn and what was shared with its provider destroyed.",
                "%(num)d open referrals will be withdrawn and what was shared with their providers destroyed.",
                still_open,
            )
            if still_open
            else "",
            _("No incident, referral, assessment, plan or follow-up can be added to this case any more."),
        ],
        confirm_label=_("Yes, withdraw all consent"),
        fields={"what": what},
    )


def _incident_context(
    case: Case,
    values: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
    gbv_type: str | None = None,
    rows: int = 3,
) -> dict[str, Any]:
    return {
        "case": case,
        "values": values,
        "errors": errors or {},
        "form": CsrfForm(),
        "gbv_type": gbv_type,
        "gbv_types": GBV_TYPES,
        "locations": _locations(values.get("location")),
        "countries": countries(),
        "country_name": country_name,
        "answer_keys": ANSWER_KEYS,
        "questions": [(key, label(text)) for key, _type, text in QUESTIONS],
        "perpetrator_rows": rows,
        "interview_today": clock.today().isoformat(),
        "interview_today_text": clock.day(clock.today()),
        "option_choices": {
            name: choices(getattr(options, name))
            for name in (
                "TIME_OF_DAY",
                "PLACE_TYPE",
                "STAGE_OF_DISPLACEMENT",
                "HARMFUL_TRADITIONAL_PRACTICE",
                "ABDUCTION",
                "REPORTED_ELSEWHERE",
                "PERPETRATOR_SEX",
                "PERPETRATOR_COUNT",
                "AGE_GROUP",
                "RELATIONSHIP",
                "OCCUPATION",
                "REFERRED_BY",
                "PATHWAY_SERVICES",
                "PATHWAY_STATUS",
                "YES_NO_UNKNOWN",
                "LEGAL_ACTION",
            )
        },
        "label": label,
    }


MAX_PERPETRATOR_ROWS = 20
# Blocks on the page at first: the first open, the others folded until the caseworker opens one.
PERPETRATOR_BLOCKS = 2


def incident_payload(flat: dict[str, str], more: bool = False) -> tuple[dict[str, Any], int]:
    """The incident form's fields as the API's payload, and how many perpetrator blocks to show
    (``more``: the caseworker asked for another one).

    The primary perpetrator is one radio across the blocks; it is set on its row only when
    that row describes someone (an empty block stays empty and is dropped)."""
    flat = dict(flat)
    # A new incident's interview: "today" is a radio holding the date it was chosen on.
    when = flat.pop("interview_when", "")
    if when and when != "other":
        flat["date_of_interview"] = when
    primary = flat.pop("perpetrator_primary", "")
    shown = flat.pop("perpetrator_rows", "")
    if primary.isdigit():
        prefix = f"perpetrators.{primary}."
        if any(value for name, value in flat.items() if name.startswith(prefix)):
            flat[prefix + "primary"] = "yes"
    payload = nest(flat)
    described = len(payload.get("perpetrators") or [])
    rows = max(PERPETRATOR_BLOCKS, described, int(shown) if shown.isdigit() else 0)
    if more:
        rows = described + 1 if described >= rows else rows + 1
    return payload, min(rows, MAX_PERPETRATOR_ROWS)


def _answers(values: dict[str, Any]) -> dict[str, bool | None]:
    raw = values.get("classification") or {}
    return {key: {"yes": True, "no": False}.get(raw.get(key, "")) for key in ANSWER_KEYS}


@bp.route("/<case_id>/incidents/new", methods=["GET", "POST"])
@requires("case.update")
def new_incident(case_id: str) -> Response | str | tuple[str, int]:
    """The classification questions one after the other, then the rest of the form."""
    case = load_case(case_id, "case.update")
    if case.status != "open" or not case.consent_services:
        flash(_("This case is closed or its consent was withdrawn: no incident can be added."), "error")
        return redirect(url_for("cases.show", case_id=case.id))
    if not kind_of(case).records_gbv_incidents:
        flash(_("This kind of case does not record incidents on the GBVIMS form."), "error")
        return redirect(url_for("cases.show", case_id=case.id))
    restored = None
    if request.method == "POST":
        check_csrf()
        values, rows = incident_payload(request.form.to_dict(), more=request.form.get("step") == "more")
    else:
        restored = drafts.load(acting_user(), "incident", case.id)
        values, rows = incident_payload(restored[0]) if restored else ({}, PERPETRATOR_BLOCKS)
    answers = _answers(values)
    pending = next_question(answers)
    if pending is not None:
        number = ANSWER_KEYS.index(pending) + 1
        question = next(q for key, _type, q in QUESTIONS if key == pending)
        return render_template(
            "cases/incident_question.html",
            case=case,
            key=pending,
            number=number,
            question=label(question),
            answers=answers,
            form=CsrfForm(),
        )
    gbv_type = classify(answers)
    if request.form.get("step") != "save":
        html = render_template(
            "cases/incident_form.html",
            **_incident_context(case, flatten(values), gbv_type=gbv_type, rows=rows),
            draft_saved=restored[1] if restored else None,
        )
        if request.form.get("step") == "more":  # a round trip to the server: keep what it carried
            drafts.save(acting_user(), "incident", case.id, request.form.to_dict())
        db.session.commit()  # a restored draft is audited
        return html
    try:
        incident = incidents.add_incident(acting_user(), case, values)
    except ValidationFailed as exc:
        db.session.rollback()
        html = render_template(
            "cases/incident_form.html", **_incident_context(case, flatten(values), exc.fields, gbv_type, rows)
        )
        drafts.save(acting_user(), "incident", case.id, request.form.to_dict())  # nothing typed is lost
        db.session.commit()
        return html, 422
    drafts.discard(acting_user(), "incident", case.id)
    db.session.commit()
    flash(_("Incident recorded: %(type)s.", type=label(GBV_TYPES[incident.gbv_type])), "success")
    return redirect(url_for("cases.show", case_id=case.id, _anchor=f"incident-{incident.id}"))
