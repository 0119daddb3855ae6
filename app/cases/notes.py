"""Dated case notes: what happened, in the caseworker's words, encrypted under the case's key.

Shared by the case page and the API. A note is casework: only an open case with consent to
services takes one. The audit entry names the note and its date, never its text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from models import Case, CaseNote, User, db, utcnow

from .. import audit, clock
from ..errors import Conflict
from ..policy import require
from ..validation import Reader

MAX_NOTE_LENGTH = 4000
# The case page shows the latest notes; the print of the case holds them all.
SHOWN_ON_PAGE = 10


def accepts_notes(case: Case) -> bool:
    return case.status == "open" and case.consent_services and case.purged_at is None


def add_note(user: User, case: Case, payload: Mapping[str, Any], today: dt.date | None = None) -> CaseNote:
    """Validate and write a note (the day it is about: today when not given, never in the future)."""
    require("case.update", case, user=user)
    if not accepts_notes(case):
        raise Conflict(_("This case is closed or its consent was withdrawn."))
    day = today or clock.today()
    r = Reader(payload)
    date = r.date("date")
    if date is None and not r.errors:
        date = day
    elif date is not None and date > day:
        r.fail("date", _("A case note cannot be dated in the future."))
    text = r.text("text", required=True, max_length=MAX_NOTE_LENGTH, multiline=True)
    r.raise_if_invalid()
    note = CaseNote(case=case, date=date, created_by_id=user.id)
    db.session.add(note)
    db.session.flush()  # the row first: its encrypted text is bound to its id
    note.text = text
    case.updated_at = utcnow()
    audit.record(
        "case.note_added",
        actor=user,
        target_type="case",
        target_id=case.id,
        details={"note": note.id, "date": date.isoformat() if date else None},
    )
    return note


def notes_of(case: Case) -> list[CaseNote]:
    """The case's notes, the latest first (by the day they are about, then when written)."""
    return sorted(case.notes, key=lambda n: (n.date, n.created_at), reverse=True)


def note_json(note: CaseNote) -> dict[str, Any]:
    return {
        "id": note.id,
        "date": note.date.isoformat(),
        "text": note.text,
        "created_by": note.created_by.username if note.created_by else None,
        "created_at": note.created_at.isoformat(),
    }
