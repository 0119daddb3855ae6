"""What a service receives: the packet as a person reads it (codes as words), who referred and
how to reach them, and — for a service without a Sutura account (police, courts, state health
centres) — the printed inter-agency referral form with its reply slip, as a PDF.

The form is the app's own HTML template with inline CSS, rendered by WeasyPrint without fetching
anything (no external font, image or stylesheet). It carries only what the provider's page shows:
the consented packet fields, never the case code or anything the survivor did not agree to share.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from flask import render_template
from flask_babel import get_locale
from flask_babel import gettext as _

from gbvims.options import SEX
from models import Referral, User
from referral.states import DECLINE_REASONS, NOT_DELIVERED_REASONS

from .. import audit, clock
from ..errors import Conflict
from ..i18n_labels import coded, label
from ..policy import can, require
from . import labels, service

# WeasyPrint narrates each rendering step at INFO: not for the application's log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# The states in which the form can be printed: sent, waiting for the service or accepted by it.
# Before (a draft) there is nothing to hand over; after, the packet is shredded.
PRINTABLE = frozenset({"sent", "accepted"})


def readable_packet(packet: dict[str, Any]) -> dict[str, Any]:
    """The packet as a person reads it: coded sex as a word, dates in the reader's format."""
    shown = dict(packet)
    if shown.get("sex"):
        shown["sex"] = coded(SEX, shown["sex"])
    if shown.get("date_of_birth"):
        try:
            shown["date_of_birth"] = clock.day(dt.date.fromisoformat(shown["date_of_birth"]))
        except (TypeError, ValueError):
            pass
    return shown


def packet_rows(referral: Referral) -> list[tuple[str, str]]:
    """(label, value) of each shared field, in the reader's language ("Sexe", "Féminin")."""
    shown = readable_packet(service.packet(referral))
    return [
        (label(labels.FIELD_LABELS[name]), "—" if value is None or value == "" else str(value))
        for name, value in shown.items()
        if name in labels.FIELD_LABELS
    ]


def sender(referral: Referral) -> dict[str, str | None]:
    """Who referred: the agency, the caseworker and their work phone (to call back)."""
    caseworker: User | None = referral.created_by
    return {
        "agency": referral.case.agency.name if referral.case.agency else None,
        "name": caseworker.username if caseworker else None,
        "work_phone": caseworker.work_phone if caseworker else None,
    }


def form_html(referral: Referral, include_note: bool = False) -> str:
    """The inter-agency referral form as HTML, in the current user's language: what the PDF is
    made from (tests read it here: the PDF itself is compressed)."""
    note = referral.note if include_note and referral.state in PRINTABLE else None
    return render_template(
        "referrals/print.html",
        referral=referral,
        reference=service.reference(referral),
        provider=referral.provider,
        service_label=label(labels.SERVICE_TYPE_LABELS[referral.service_type]),
        urgency_label=label(labels.URGENCY_LABELS.get(referral.urgency, labels.URGENCY_LABELS["normal"])),
        sender=sender(referral),
        rows=packet_rows(referral),
        note=note,
        decline_reasons=[label(labels.REASON_LABELS[code]) for code in DECLINE_REASONS],
        not_delivered_reasons=[label(labels.REASON_LABELS[code]) for code in NOT_DELIVERED_REASONS],
        printed_on=clock.day(service.utcnow()),
        language=str(get_locale() or "fr"),
    )


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The form is self-contained: WeasyPrint may not fetch anything (no font, image, stylesheet)."""
    raise ValueError(f"no external resource in a printed form: {url[:40]}")


def to_pdf(html: str) -> bytes:
    """Render the form's HTML (inline CSS only) to PDF."""
    from weasyprint import HTML  # imported on first print: a heavy import the other pages never need

    pdf: bytes = HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()
    return pdf


def print_form(user: User, referral: Referral, include_note: bool = False) -> bytes:
    """The PDF for a service without an account; audited with the names of the fields printed."""
    require("case.update", referral.case, user=user)  # another agency's referral: 404
    if not can(user, "referral.print", referral):
        raise Conflict(_("This service has its own account in Sutura: it reads the referral there."))
    if referral.state not in PRINTABLE:
        raise Conflict(_("Only a referral waiting for the service or accepted by it can be printed."))
    include_note = include_note and bool(referral.note)
    pdf = to_pdf(form_html(referral, include_note))
    fields = [f for f in referral.packet_fields.split(",") if f]
    audit.record(
        "referral.printed",
        actor=user,
        target_type="referral",
        target_id=referral.id,
        details={
            "case": referral.case_id,
            "fields": fields + (["note"] if include_note else []),
            "language": str(get_locale() or "fr"),
        },
    )
    return pdf
