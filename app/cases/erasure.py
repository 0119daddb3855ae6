"""The survivor's right to be forgotten: what an erased case leaves behind, and nothing more.

The case's key is shredded (every encrypted value becomes unreadable, here and in backups once
the shred journal is applied), every row about the survivor is deleted, and the incidents the
survivor allowed in statistics survive only as coarse, coded rows under a new case row that
nothing else — audit log, printed form, referral — points to. The same holds for the grave
violations (MRM) a child protection case documented.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.orm import Session, scoped_session

from gbvims.coarsening import coarse_age, coarse_dates, coarse_moment, month_start
from models import (
    Assessment,
    BestInterests,
    CareArrangement,
    Case,
    CaseAssignment,
    CaseDecision,
    CaseLink,
    CaseNote,
    CaseTransfer,
    ChildConcern,
    ChildProfile,
    Consent,
    FollowUp,
    GraveViolation,
    Incident,
    Perpetrator,
    Separation,
    ServiceGap,
    Survivor,
    TracingStep,
    db,
    utcnow,
)
from models.base import new_uuid

from ..stats import upkeep
from . import drafts

# A child protection case's own rows: deleted with the survivor's, explicitly (a database being
# restored may not enforce the foreign keys' cascades). Its grave violations are statistics:
# kept, coarsened, like the incidents, when the child allowed statistics.
CHILD_PROTECTION_ROWS = (ChildProfile, ChildConcern, BestInterests, Separation, TracingStep, CareArrangement)
CASEWORK_ROWS = (Survivor, Consent, Assessment, FollowUp, CaseNote)


def erase(case: Case, session: Session | scoped_session[Any] | None = None) -> None:
    """Shred the case's key and delete everything but the coded incident rows the survivor
    allowed in statistics, which are cut from the case (``_anonymous_remains``). Not audited
    here: the purge records it; restoring a backup older than the purge runs it again (in the
    session of the database being restored)."""
    session = session if session is not None else db.session
    keep_incidents = case.consent_reporting
    case_id = case.id
    if keep_incidents:
        for incident in case.incidents:
            incident._account = None
    else:
        for incident in list(case.incidents):
            session.delete(incident)
    for model in (*CASEWORK_ROWS, *CHILD_PROTECTION_ROWS):
        session.execute(delete(model).where(model.case_id == case_id))
    drafts.discard_for_case(case_id, session)
    session.execute(delete(CaseLink).where(or_(CaseLink.gbv_case_id == case_id, CaseLink.cp_case_id == case_id)))
    if not keep_incidents:
        session.execute(delete(GraveViolation).where(GraveViolation.case_id == case_id))
    for plan in list(case.plans):
        session.delete(plan)
    for referral in list(case.referrals):  # packets are copies: their keys go too
        if referral.data_key_record is not None:
            referral.data_key_record.shred()
        session.delete(referral)
    if case.data_key_record is not None:
        case.data_key_record.shred()
    session.flush()
    if keep_incidents:
        remains_id = new_uuid()
        with upkeep.recounted(session, [case.id, remains_id]):  # the counts move with the rows
            _anonymous_remains(case, remains_id, session)
    _forget(case, session)


def _forget(case: Case, session: Session | scoped_session[Any]) -> None:
    """Delete the original case row (its decisions, transfers and assignments go with it) and
    every gap still tied to it; the session forgets the objects of those rows."""
    cases, gaps = Case.__table__, ServiceGap.__table__
    session.execute(delete(gaps).where(gaps.c.case_id == case.id))
    # Explicitly, not by cascade: a database being restored may not enforce foreign keys.
    for model in (CaseDecision, CaseTransfer, CaseAssignment):
        session.execute(delete(model.__table__).where(model.__table__.c.case_id == case.id))
    session.execute(delete(cases).where(cases.c.id == case.id))
    for obj in list(session.identity_map.values()):
        # Expunging cascades along relationships: some are gone by the time the loop gets there.
        if (obj is case or getattr(obj, "case_id", None) == case.id) and obj in session:
            session.expunge(obj)


def _anonymous_remains(case: Case, remains_id: str, session: Session | scoped_session[Any]) -> None:
    """What statistics keep of an erased case, cut from it: the counted incidents move to a new
    case row with a new id and a meaningless code, their dates and ages coarsened to what the
    tables count (``gbvims.coarsening``); the original row, its code, dates and every id the
    audit log or a printed form could link to, are deleted. Runs after the rest of the purge."""
    session.flush()
    now = coarse_moment(utcnow())
    cases, incidents, gaps = Case.__table__, Incident.__table__, ServiceGap.__table__
    session.execute(
        insert(cases).values(
            id=remains_id,
            kind=case.kind,
            case_code=f"ERASED-{secrets.token_hex(8).upper()}",
            agency_id=case.agency_id,
            owner_id=case.owner_id,
            status="closed",
            stage="closure",
            region_code=case.region_code,
            consent_services=False,
            consent_reporting=True,
            created_at=coarse_moment(case.created_at),
            updated_at=now,
            closed_at=now,
            purged_at=now,
        )
    )
    for row in session.execute(select(incidents).where(incidents.c.case_id == case.id)).mappings().all():
        kept_id = new_uuid()
        incident_date, interview_date = coarse_dates(row["date_of_incident"], row["date_of_interview"])
        values = {
            **row,
            "id": kept_id,
            "case_id": remains_id,
            "created_at": now,
            "date_of_incident": incident_date,
            "date_of_interview": interview_date,
            "time_of_incident": None,
            "location_code": None,
            "age_at_incident": coarse_age(row["age_at_incident"]),
            "account": None,
            "non_gbv_description": None,
        }
        session.execute(insert(incidents).values(**values))
        session.execute(
            update(Perpetrator.__table__)
            .where(Perpetrator.__table__.c.incident_id == row["id"])
            .values(incident_id=kept_id, ethnicity=None)
        )
        session.execute(update(gaps).where(gaps.c.incident_id == row["id"]).values(incident_id=kept_id))
        session.execute(delete(incidents).where(incidents.c.id == row["id"]))
    violations = GraveViolation.__table__
    for row in session.execute(select(violations).where(violations.c.case_id == case.id)).mappings().all():
        # A new id: the old one was shown in the case's pages and API answers.
        kept = {**row, "id": new_uuid(), "case_id": remains_id, "date": month_start(row["date"]), "recorded_at": now}
        session.execute(insert(violations).values(**kept))
        session.execute(delete(violations).where(violations.c.id == row["id"]))
    case_gaps = select(gaps.c.id, gaps.c.recorded_at).where(gaps.c.case_id == case.id)
    for gap_id, recorded_at in session.execute(case_gaps).all():
        session.execute(
            update(gaps)
            .where(gaps.c.id == gap_id)
            .values(case_id=remains_id, location_code=None, recorded_at=coarse_moment(recorded_at))
        )
