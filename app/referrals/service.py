"""Referral work shared by pages and API: directory, suggestions, service gaps, consented
packets, transitions on both sides, transfers. Rules live in ``referral/``; this module loads,
checks scope, writes and audits."""

from __future__ import annotations

import datetime as dt
import json
import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import joinedload, lazyload

from gbvims.options import RELEASE_AREAS
from models import (
    Agency,
    Case,
    CaseTransfer,
    Incident,
    Location,
    Provider,
    ProviderLocation,
    ProviderService,
    Referral,
    ServiceGap,
    Survivor,
    User,
    db,
    utcnow,
)
from referral import ConsentMissing, IllegalTransition, ReasonRequired, Rules, check_share, due_at, next_state
from referral.directory import Candidate, Match, post_rape_care_first, ready_for_post_rape_care, suggest
from referral.packet import CONSENT_AREA, PACKET_FIELDS, PATHWAY_LINE, SERVICE_TYPES
from referral.sla import URGENCIES
from referral.states import (
    DECLINE_REASONS,
    EVENTS,
    FINAL,
    NOT_DELIVERED_REASONS,
    ON_BEHALF_EVENTS,
    PACKET_OPEN,
    events_on_behalf,
)

from .. import audit
from ..clock import deployment_zone, local, today, when_incident
from ..cp import CP_KIND
from ..cp.profile import note_action
from ..errors import Conflict, NotFound, ValidationFailed
from ..policy import answering_in_sutura, can, case_scope, deciders_of, require, role_allows
from ..validation import Reader, present


class TransitionRefused(Conflict):
    """IllegalTransition through HTTP: 409 with a message a person understands."""


def parent_map() -> dict[str, str | None]:
    return dict(db.session.execute(select(Location.code, Location.parent_code)).tuples().all())


def _candidate(provider: Provider) -> Candidate:
    return Candidate(
        id=provider.id,
        name=provider.name,
        service_types=frozenset(provider.service_types),
        location_codes=frozenset(provider.location_codes),
        serves_children=provider.serves_children,
        active=provider.active,
        clinical_management_of_rape=provider.clinical_management_of_rape,
        pep_kits_in_stock=provider.pep_kits_in_stock,
    )


def directory_query(region: str = "", service_type: str = "", active_only: bool = True) -> Select[Any]:
    stmt = select(Provider).order_by(Provider.name)
    if active_only:
        stmt = stmt.where(Provider.active.is_(True))
    if service_type:
        stmt = stmt.where(
            Provider.id.in_(select(ProviderService.provider_id).where(ProviderService.service_type == service_type))
        )
    if region:
        in_region = select(Location.code).where((Location.code == region) | (Location.parent_code == region))
        stmt = stmt.where(
            Provider.id.in_(select(ProviderLocation.provider_id).where(ProviderLocation.location_code.in_(in_region)))
        )
    return stmt


def is_child(case: Case) -> bool:
    """A child protection case is a child's, whatever its recorded age; another case by its age."""
    s = case.survivor
    return case.kind == CP_KIND or (s is not None and s.age_at_registration is not None and s.age_at_registration < 18)


def suggestions(case: Case, service_type: str) -> list[Match]:
    """The providers that fit, closest first; after a rape within 72 hours the health services
    ready for post-rape care (clinical management of rape, PEP kits in stock) come first."""
    offering = db.session.scalars(directory_query(service_type=service_type)).all()
    matches = suggest([_candidate(p) for p in offering], service_type, case.location_code, parent_map(), is_child(case))
    if service_type == "health" and pep_window_open(case):
        matches = post_rape_care_first(matches)
    return matches


def pep_window_open(case: Case, now: dt.datetime | None = None) -> bool:
    """Whether the survivor may still be within the 72 hours for PEP after a rape (the latest time
    the rape may have happened counts: care that may still help is never hidden)."""
    rape_at = _recent_rape(case)
    return rape_at is not None and (now or utcnow()) - rape_at < sla_rules().pep_window


@dataclass(frozen=True)
class Suggestion:
    """A provider as the referral page offers it: how close, how to reach it, whether it answers
    in Sutura or on paper, whether it is ready for post-rape care."""

    match: Match
    provider: Provider
    answers_in_sutura: bool
    post_rape_care: bool


def suggestions_for_page(case: Case, service_type: str) -> list[Suggestion]:
    matches = suggestions(case, service_type)
    ids = [m.candidate.id for m in matches]
    providers = {p.id: p for p in db.session.scalars(select(Provider).where(Provider.id.in_(ids)))} if ids else {}
    online = answering_in_sutura(ids)
    return [
        Suggestion(m, providers[m.candidate.id], m.candidate.id in online, ready_for_post_rape_care(m.candidate))
        for m in matches
    ]


def reference(referral: Referral) -> str:
    """The referral's short reference on the provider's page, the printed form and its reply slip:
    random (from the referral's id), it says nothing of the case or the survivor."""
    return referral.id.replace("-", "")[:8].upper()


def providers_for(case: Case) -> list[tuple[str, str]]:
    """(id, name) of the active providers that could serve this case here, for any service —
    a case plan names them; a child's case sees only services that serve children."""
    offering = db.session.scalars(directory_query()).all()
    candidates = [_candidate(p) for p in offering]
    parents, child = parent_map(), is_child(case)
    found: dict[str, str] = {}
    for service_type in SERVICE_TYPES:
        for match in suggest(candidates, service_type, case.location_code, parents, child):
            found.setdefault(match.candidate.id, match.candidate.name)
    return sorted(found.items(), key=lambda item: item[1])


def incident_for(case: Case, r: Reader) -> Incident | None:
    """The incident a referral, a gap or a refusal is about: the one named, else the case's only
    incident. With several incidents the caseworker must say which — its pathway line is set."""
    incident_id = r.text("incident_id", max_length=36)
    if incident_id:
        found = next((i for i in case.incidents if i.id == incident_id), None)
        if found is None:
            r.fail("incident_id", _("This incident is not one of the case's."))
        return found
    if len(case.incidents) == 1:
        return case.incidents[0]
    if case.incidents:
        r.fail("incident_id", _("Say which incident this is for."))
    return None


def _set_pathway(incident: Incident | None, service_type: str, status: str) -> None:
    """Record the outcome on the pathway line of the incident it was for (never another one)."""
    line = PATHWAY_LINE[service_type]
    if incident is not None and line is not None:
        setattr(incident, f"pathway_{line}", status)


def record_gap(user: User, case: Case, service_type: str, incident_id: str | None = None) -> ServiceGap:
    require("case.update", case, user=user)
    r = Reader({"service_type": service_type, "incident_id": incident_id})
    r.choice("service_type", dict.fromkeys(SERVICE_TYPES, ""), required=True)
    incident = incident_for(case, r)
    r.raise_if_invalid()
    if suggestions(case, service_type):
        raise Conflict(_("A provider offers this service here: refer the survivor to it."))
    gap = ServiceGap(
        case_id=case.id,
        incident_id=incident.id if incident else None,
        reporting_consent=case.consent_reporting,
        agency_id=case.agency_id,
        service_type=service_type,
        location_code=case.location_code,
        region_code=case.region_code,
        recorded_by_id=user.id,
    )
    db.session.add(gap)
    _set_pathway(incident, service_type, "service_unavailable")
    audit.record(
        "referral.service_unavailable",
        actor=user,
        target_type="case",
        target_id=case.id,
        details={"service_type": service_type, "region": case.region_code},
    )
    return gap


def record_declined_by_survivor(user: User, case: Case, service_type: str, incident_id: str | None = None) -> None:
    """The survivor chose not to be referred to this service: the IRF says so, nothing is sent."""
    require("case.update", case, user=user)
    r = Reader({"service_type": service_type, "incident_id": incident_id})
    r.choice("service_type", dict.fromkeys(SERVICE_TYPES, ""), required=True)
    incident = incident_for(case, r)
    r.raise_if_invalid()
    _set_pathway(incident, service_type, "declined_by_survivor")
    audit.record(
        "referral.declined_by_survivor",
        actor=user,
        target_type="case",
        target_id=case.id,
        details={"service_type": service_type},
    )


def sla_rules() -> Rules:
    """Response-time rules from the settings (hours), so a deployment can tune them."""
    cfg = current_app.config
    return Rules(
        high_urgency=dt.timedelta(hours=cfg.get("REFERRAL_HIGH_URGENCY_HOURS", 24)),
        default=dt.timedelta(hours=cfg.get("REFERRAL_DEFAULT_HOURS", 72)),
    )


def _packet_values(case: Case, fields: list[str]) -> dict[str, Any]:
    s = case.survivor
    values: dict[str, Any] = {}
    for name in fields:
        if name == "age":
            values[name] = s.age_at_registration
        else:
            value = getattr(s, name)
            values[name] = value.isoformat() if isinstance(value, dt.date) else value
    return values


@dataclass(frozen=True)
class ReferralRequest:
    """A validated request to refer: where to, how urgent, what the caseworker asks to share."""

    service_type: str
    provider: Provider
    incident: Incident | None
    urgency: str
    note: str | None
    share: list[str]


def create_referral(user: User, case: Case, payload: Mapping[str, Any]) -> tuple[Referral, bool]:
    """Validate, check consent, copy the packet under its own key and send. Returns the referral
    and whether it is new (False: the same request was already received — a double click)."""
    require("case.update", case, user=user)
    r = Reader(payload)
    request_key = r.text("request_key", max_length=64) or secrets.token_urlsafe(16)
    existing = db.session.scalar(
        select(Referral).where(Referral.case_id == case.id, Referral.request_key == request_key)
    )
    if existing is not None:
        return existing, False
    if case.status != "open":
        raise Conflict(_("This case is closed or its consent was withdrawn."))
    request = read_referral_request(case, r, payload)
    fields = consented_fields(case, request)
    referral = write_packet(user, case, request, fields, request_key)
    send(user, referral, request, fields)
    return referral, True


def read_referral_request(case: Case, r: Reader, payload: Mapping[str, Any]) -> ReferralRequest:
    """Validate the request; the provider must offer the service where the survivor is."""
    service_type = r.choice("service_type", dict.fromkeys(SERVICE_TYPES, ""), required=True)
    provider_id = r.text("provider_id", required=True, max_length=36)
    incident = incident_for(case, r)
    urgency = r.choice("urgency", dict.fromkeys(URGENCIES, ""), default="normal") or "normal"
    note = r.text("note", max_length=2000, multiline=True)
    share = payload.get("share") or []
    if isinstance(share, str):
        share = [share]
    if not isinstance(share, list) or not all(isinstance(f, str) for f in share):
        r.fail("share", _("Give the list of fields to share."))
        share = []
    elif unknown := [f for f in share if f not in PACKET_FIELDS]:
        r.fail("share", _("These fields cannot be shared: %(fields)s.", fields=", ".join(unknown[:5])))
    provider = db.session.get(Provider, provider_id) if provider_id else None
    if provider_id and service_type:
        fitting = {m.candidate.id for m in suggestions(case, service_type)}
        if provider is None or provider.id not in fitting:
            r.fail(
                "provider_id",
                _("This provider does not offer this service where the survivor is, or is not available."),
            )
    r.raise_if_invalid()
    return ReferralRequest(
        service_type=present(service_type),
        provider=present(provider),
        incident=incident,
        urgency=urgency,
        note=note,
        share=[f for f in share if f in PACKET_FIELDS],
    )


def consented_fields(case: Case, request: ReferralRequest) -> list[str]:
    """The fields the packet may carry: those asked for that the survivor's consent releases to
    this kind of service (409 when consent does not cover the service at all)."""
    consent = case.current_consent
    try:
        return check_share(
            request.share,
            request.service_type,
            consent.release if consent else {},
            case.consent_services,
            consent.withdrawn if consent else True,
        )
    except ConsentMissing:
        raise Conflict(
            _(
                "The survivor did not consent to share information with %(area)s services: no referral can be sent.",
                area=_area_label(request.service_type),
            )
        ) from None


def write_packet(user: User, case: Case, request: ReferralRequest, fields: list[str], request_key: str) -> Referral:
    """The referral as a draft, with a copy of the shared values encrypted under its own key:
    the provider reads the packet, never the case."""
    referral = Referral(
        case=case,
        provider=request.provider,
        service_type=request.service_type,
        urgency=request.urgency,
        state="draft",
        request_key=request_key,
        created_by_id=user.id,
        packet_fields=",".join(fields),
        incident_id=request.incident.id if request.incident else None,
    )
    db.session.add(referral)
    db.session.flush()
    referral.ensure_data_key()
    referral.packet_json = json.dumps(_packet_values(case, fields), ensure_ascii=False).encode()
    referral.note = request.note
    return referral


def send(user: User, referral: Referral, request: ReferralRequest, fields: list[str]) -> None:
    """Send the draft: its response time starts, the IRF's pathway line says "referred"."""
    case = referral.case
    now = utcnow()
    referral.state = next_state(referral.state, "send")
    referral.sent_at = now
    referral.due_at = due_at(now, request.service_type, request.urgency, _recent_rape(case), sla_rules())
    _set_pathway(request.incident, request.service_type, "referred")
    note_action(case, now)
    audit.record(
        "referral.sent",
        actor=user,
        target_type="referral",
        target_id=referral.id,
        details={
            "case": case.id,
            "service_type": request.service_type,
            "provider": request.provider.code,
            "fields": fields,
        },
    )


def _area_label(service_type: str) -> str:
    return _(RELEASE_AREAS[CONSENT_AREA[service_type]]).lower()


def _recent_rape(case: Case) -> dt.datetime | None:
    """The latest moment the most recent rape may have happened: the response time errs on the
    side of urgency when the time of the incident is uncertain."""
    rapes = [
        when_incident(i.date_of_incident, i.time_of_incident, i.time_of_day).latest
        for i in case.incidents
        if i.gbv_type == "rape"
    ]
    return max(rapes) if rapes else None


def packet(referral: Referral) -> dict[str, Any]:
    """What the provider may read: the packet fields and the note, nothing else."""
    if referral.state not in PACKET_OPEN or referral.packet_json is None:
        return {}
    data: dict[str, Any] = json.loads(referral.packet_json)
    return data


def transition(
    user: User, referral: Referral, event: str, reason: str | None = None, feedback: str | None = None
) -> Referral:
    if event not in EVENTS:
        raise TransitionRefused()
    side = EVENTS[event].side
    if side == "provider":
        require("referral.respond", referral, user=user)
    else:
        require("case.update", referral.case, user=user)
    return _apply(user, referral, event, Reader({"reason": reason, "feedback": feedback}))


def answer_on_behalf(user: User, referral: Referral, payload: Mapping[str, Any]) -> Referral:
    """A service without a Sutura account answered (reply slip, phone call): its caseworker
    records the answer for it — accepted, declined with a reason, delivered or not — with the
    day it happened. Refused for a service whose focal point answers in Sutura."""
    require("case.update", referral.case, user=user)  # another agency's referral: 404
    if not can(user, "referral.answer_on_behalf", referral):
        raise Conflict(_("This service has its own account in Sutura: it answers there itself."))
    r = Reader(payload)
    event = r.choice("event", dict.fromkeys(ON_BEHALF_EVENTS, ""), required=True)
    if event and event not in events_on_behalf(referral.state):
        raise TransitionRefused(_("This referral cannot do that in its current state."))
    day = r.date("date", required=True)
    at = _moment_of(day, referral) if day is not None else None
    if day is not None and at is None:
        r.fail("date", _("Give a day between the referral (or the service's previous answer) and today."))
    if event is None:
        r.raise_if_invalid()
    return _apply(user, referral, present(event), r, at=at, on_behalf=True)


def _moment_of(day: dt.date, referral: Referral) -> dt.datetime | None:
    """When an answer recorded for ``day`` happened, as a moment: now for today, midday (local)
    otherwise — never before the referral or the service's previous answer, never in the future.
    None when the day is outside those bounds."""
    now = utcnow()
    since = referral.responded_at or referral.sent_at or referral.created_at
    if day > today() or (since is not None and day < local(since).date()):
        return None
    if day == today():
        return now
    noon = dt.datetime.combine(day, dt.time(12), deployment_zone()).astimezone(dt.UTC)
    return max(noon, since) if since is not None else noon


def _apply(
    user: User,
    referral: Referral,
    event: str,
    r: Reader,
    at: dt.datetime | None = None,
    on_behalf: bool = False,
) -> Referral:
    """Validate the reason and feedback, move the referral, audit; ``at``: when it happened."""
    allowed = {"decline": DECLINE_REASONS, "not_deliver": NOT_DELIVERED_REASONS}.get(event, ())
    reason = r.choice("reason", dict.fromkeys(allowed, ""), required=bool(allowed)) if allowed else None
    feedback = r.text("feedback", max_length=2000, multiline=True)
    r.raise_if_invalid()
    try:
        referral.state = next_state(referral.state, event, reason)
    except IllegalTransition:
        raise TransitionRefused(_("This referral cannot do that in its current state.")) from None
    except ReasonRequired:
        raise ValidationFailed(fields={"reason": [_("Give a reason.")]}) from None
    now = at or utcnow()
    if event in ("accept", "decline"):
        referral.responded_at = now
    if event in ("deliver", "not_deliver", "decline"):
        referral.finished_at = now
    if reason:
        referral.reason = reason
    if feedback:
        referral.feedback = feedback
    if on_behalf:
        referral.answered_on_behalf = True
    if referral.state not in PACKET_OPEN:
        _end_access(referral)
    details: dict[str, Any] = {"state": referral.state, "reason": reason, "fields": ["feedback"] if feedback else []}
    if on_behalf:
        details.update(on_behalf=True, on=local(now).date().isoformat())
    audit.record(f"referral.{event}", actor=user, target_type="referral", target_id=referral.id, details=details)
    return referral


def _end_access(referral: Referral) -> None:
    """The provider's part is over (declined, outcome reported) or the referral ended (closed,
    withdrawn): shred the packet's key, so the provider can never read it again."""
    if referral.data_key_record is not None and referral.data_key_record.wrapped_key is not None:
        referral.data_key_record.shred()
    referral.__dict__.pop("_unwrapped", None)


def withdraw_all(user: User, case: Case, areas: set[str] | None = None) -> int:
    """Consent withdrawn: every open referral of the case (or, when ``areas`` is given, every one
    to a service in those consent areas) is withdrawn and its packet shredded."""
    count = 0
    for referral in case.referrals:
        if referral.state not in FINAL and (areas is None or CONSENT_AREA[referral.service_type] in areas):
            referral.state = next_state(referral.state, "withdraw")
            _end_access(referral)
            audit.record(
                "referral.withdraw",
                actor=user,
                target_type="referral",
                target_id=referral.id,
                details={"state": referral.state, "cause": "consent_withdrawn"},
            )
            count += 1
    return count


def inbox_query(user: User, include_finished: bool = True) -> Select[Any]:
    states = (
        ("sent", "accepted")
        if not include_finished
        else ("sent", "accepted", "declined", "service_delivered", "not_delivered")
    )
    return (
        select(Referral)
        .where(Referral.provider_id == user.provider_id, Referral.state.in_(states))
        .options(joinedload(Referral.data_key_record))
        .order_by(Referral.due_at)
    )


@dataclass(frozen=True)
class InboxCard:
    """One referral on the provider's inbox: what they need to choose what to do first."""

    referral: Referral
    reference: str
    first_name: str | None  # only when the survivor shared it
    age_band: str | None  # from the age, only when shared
    hours_left: int | None  # until the answer is due (negative: overdue)


_STATE_GROUP = sql_case({"sent": 0, "accepted": 1}, value=Referral.state, else_=2)
_URGENT_FIRST = sql_case({"high": 0}, value=Referral.urgency, else_=1)


def inbox_ordered(user: User) -> Select[Any]:
    """The provider's referrals as a task list: to answer (urgent first, then by due time), then
    accepted ones to deliver (by due time), then the finished ones (latest answer first)."""
    return (
        inbox_query(user)
        .order_by(None)
        .order_by(
            _STATE_GROUP,
            sql_case((Referral.state == "sent", _URGENT_FIRST), else_=1),
            sql_case((Referral.state.in_(("sent", "accepted")), Referral.due_at), else_=None),
            Referral.responded_at.desc(),
            Referral.id,
        )
    )


def inbox_cards(referrals: list[Referral]) -> list[InboxCard]:
    now = utcnow()
    return [_card(r, now, packet_open=r.state in ("sent", "accepted")) for r in referrals]


def _card(referral: Referral, now: dt.datetime, packet_open: bool = True) -> InboxCard:
    shared = packet(referral) if packet_open else {}
    age = shared.get("age")
    band = None
    if isinstance(age, int):
        band = "0-11" if age < 12 else "12-17" if age < 18 else "18+"
    left = None
    if referral.due_at is not None and referral.state == "sent":
        left = math.floor((referral.due_at - now).total_seconds() / 3600)
    return InboxCard(referral, reference(referral), shared.get("given_name"), band, left)


def load_for_provider(user: User, referral_id: str) -> Referral:
    referral = db.session.get(Referral, referral_id) if len(referral_id) <= 36 else None
    if referral is None:
        raise NotFound()
    require("referral.respond", referral, user=user)
    return referral


def receiving_agencies(case: Case) -> Select[tuple[Agency]]:
    """Where a case can go: another active agency that manages cases, i.e. has a supervisor to
    accept the transfer (not, say, the cluster lead's or the administrators' organisation)."""
    managed = select(User.agency_id).where(deciders_of("transfer.decide"), User.agency_id.is_not(None))
    return (
        select(Agency)
        .where(Agency.active.is_(True), Agency.id != case.agency_id, Agency.id.in_(managed))
        .order_by(Agency.name)
    )


def request_transfer(user: User, case: Case, agency_code: str, consented: bool) -> CaseTransfer:
    require("case.update", case, user=user)
    r = Reader({"agency": agency_code})
    code = (agency_code or "").strip().upper()
    agency = db.session.scalar(receiving_agencies(case).where(Agency.code == code)) if code else None
    if agency is None:
        r.fail("agency", _("Choose another agency that manages cases (one with a supervisor to accept it)."))
    if not consented:
        r.fail("consent", _("A case is transferred only with the survivor's consent."))
    r.raise_if_invalid()
    if any(t.status == "pending" for t in case.transfers):
        raise Conflict(_("A transfer of this case is already waiting for the other agency's answer."))
    if not case.consent_services:
        raise Conflict(_("The survivor withdrew consent to services: the case cannot be transferred."))
    assert agency is not None  # noqa: S101
    transfer = CaseTransfer(case=case, from_agency_id=case.agency_id, to_agency_id=agency.id, requested_by_id=user.id)
    db.session.add(transfer)
    audit.record(
        "case.transfer_requested", actor=user, target_type="case", target_id=case.id, details={"to": agency.code}
    )
    return transfer


def decide_transfer(user: User, transfer: CaseTransfer, accept: bool) -> None:
    require("transfer.decide", transfer, user=user)
    if transfer.status != "pending":
        raise Conflict(_("This transfer has already been decided."))
    transfer.status = "accepted" if accept else "declined"
    transfer.decided_by_id, transfer.decided_at = user.id, utcnow()
    case = transfer.case
    if accept:
        case.agency_id, case.owner_id = transfer.to_agency_id, user.id
        for violation in case.grave_violations:  # the MRM copies follow the case's agency
            violation.agency_id = case.agency_id
        case.assignments = []
        if case.survivor is not None:
            case.survivor.reindex()  # blind indexes are per agency: the new agency's key now
    audit.record(
        "case.transfer_accepted" if accept else "case.transfer_declined",
        actor=user,
        target_type="case",
        target_id=case.id,
    )


def pending_transfers(user: User) -> list[CaseTransfer]:
    if not role_allows(user, "transfer.decide") or user.agency_id is None:
        return []
    return list(
        db.session.scalars(
            select(CaseTransfer).where(CaseTransfer.to_agency_id == user.agency_id, CaseTransfer.status == "pending")
        )
    )


ALERTS_SHOWN = 50  # of each kind


def alerts(user: User, now: dt.datetime | None = None) -> tuple[list[Referral], list[Referral]]:
    """For the caseworker's and supervisor's dashboard: overdue referrals, and providers'
    answers of the last 14 days still waiting to be closed; the first ``ALERTS_SHOWN`` of each,
    soonest due first, in one query (one kind never crowds the other out)."""
    moment = now or utcnow()
    overdue = and_(Referral.state == "sent", Referral.due_at < moment)
    answered = and_(
        Referral.state.in_(("accepted", "declined", "service_delivered", "not_delivered")),
        Referral.responded_at >= moment - dt.timedelta(days=14),
    )
    ranked = (
        select(
            Referral.id,
            func.row_number().over(partition_by=Referral.state == "sent", order_by=Referral.due_at).label("rank"),
        )
        .join(Case, Case.id == Referral.case_id)
        .where(case_scope(user), Case.purged_at.is_(None), or_(overdue, answered))
        .subquery()
    )
    shown = db.session.scalars(
        select(Referral)
        .join(ranked, ranked.c.id == Referral.id)
        .where(ranked.c.rank <= ALERTS_SHOWN)
        # The dashboard shows the referral, its case's code and the survivor's name: only those
        # are read (every other eager relationship of a referral or a case — provider, its
        # agency, the packet's key, owner, team, a child's profile — made it a join of ten
        # tables to plan, and the survivor's other columns are not shown).
        .options(
            lazyload("*"),
            joinedload(Referral.case).options(
                lazyload("*"),
                joinedload(Case.survivor)
                .load_only(Survivor.case_id, Survivor._given_name, Survivor._family_name, Survivor._nickname)
                .lazyload("*"),
                joinedload(Case.data_key_record),
            ),
        )
        .order_by(Referral.due_at)
    ).all()
    return [r for r in shown if r.state == "sent"], [r for r in shown if r.state != "sent"]
