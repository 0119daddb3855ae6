"""Drafts of the long forms (registration, incident), kept on the server as the caseworker types.

A field connection drops mid-form; a phone's browser kills a tab in the background. The form's
fields are saved, encrypted under the draft's own data key, by the page's small script (every
few seconds after a change, and when the page is hidden), by the "save the draft" buttons and by
every submit that fails validation. Opening the form again brings them back.

One draft per person, form and case (or kind of case, for a registration). Only its author can
read it, and only while the policy lets them fill that form. Submitting the form or discarding
the draft shreds its key; a draft left alone is shredded after ``LIFETIME``; erasing a case
shreds the drafts of its incidents.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, scoped_session

from models import FormDraft, User, db, utcnow

from .. import audit

LIFETIME = dt.timedelta(days=7)
# What a draft may hold: the forms have under 200 fields; the incident's account is the longest.
MAX_FIELDS = 300
MAX_NAME = 100
MAX_VALUE = 20_000
# Not the survivor's answers: the CSRF token, which button was pressed, confirmations.
NOT_SAVED = {"csrf_token", "step", "confirm", "duplicate_checked", "next"}


def keep(fields: Mapping[str, str]) -> dict[str, str]:
    """The fields worth saving, bounded (a draft is never a way to store anything else)."""
    kept: dict[str, str] = {}
    for name, value in fields.items():
        if name in NOT_SAVED or len(name) > MAX_NAME or not value:
            continue
        kept[name] = str(value)[:MAX_VALUE]
        if len(kept) >= MAX_FIELDS:
            break
    return kept


def _row(user: User, form: str, key: str) -> FormDraft | None:
    return db.session.scalar(
        select(FormDraft).where(FormDraft.user_id == user.id, FormDraft.form == form, FormDraft.case_key == key)
    )


def _shred(draft: FormDraft, session: Session | scoped_session[Any] | None = None) -> None:
    if draft.data_key_record is not None:
        draft.data_key_record.shred()
    (session if session is not None else db.session).delete(draft)


def load(user: User, form: str, key: str) -> tuple[dict[str, str], dt.datetime] | None:
    """The saved fields and when they were saved, or None. Audited: the fields are decrypted to
    be shown again. An expired draft is shredded instead."""
    draft = _row(user, form, key)
    if draft is None:
        return None
    if draft.updated_at < utcnow() - LIFETIME:
        _shred(draft)
        return None
    try:
        fields = json.loads(draft.payload or "{}")
    except ValueError:
        fields = {}
    audit.record("draft.restored", target_type="form_draft", target_id=draft.id, details={"form": form})
    return (fields if isinstance(fields, dict) else {}), draft.updated_at


def save(user: User, form: str, key: str, fields: Mapping[str, str]) -> FormDraft | None:
    """Save what the form holds now (replacing the last save). An empty form saves nothing."""
    kept = keep(fields)
    draft = _row(user, form, key)
    if not kept:
        return draft
    if draft is None:
        draft = FormDraft(user_id=user.id, form=form, case_key=key)
        db.session.add(draft)
        draft.ensure_data_key()
        audit.record("draft.started", target_type="form_draft", target_id=draft.id, details={"form": form})
    draft.payload = json.dumps(kept, ensure_ascii=False)
    draft.updated_at = utcnow()
    return draft


def discard(user: User, form: str, key: str) -> bool:
    """Shred the draft (the form was submitted, or its author gave it up)."""
    draft = _row(user, form, key)
    if draft is None:
        return False
    _shred(draft)
    return True


def discard_for_case(case_id: str, session: Session | scoped_session[Any]) -> None:
    """Every draft about a case, whoever wrote it (the case is being erased)."""
    for draft in session.scalars(select(FormDraft).where(FormDraft.case_key == case_id)).all():
        _shred(draft, session)


def purge_expired() -> int:
    """Shred the drafts nobody came back to within ``LIFETIME``; how many there were."""
    old = db.session.scalars(select(FormDraft).where(FormDraft.updated_at < utcnow() - LIFETIME)).all()
    for draft in old:
        _shred(draft)
    return len(old)
