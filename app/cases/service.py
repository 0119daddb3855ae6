"""The case core, shared by the pages and the API and by every kind of case: create a case with
its survivor and consent, record consent changes, find cases, list what waits for approval.
What a kind of case records beyond that lives with the kind (``kinds.py``; GBV incidents in
``incidents.py``). Every change is audited by field name."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, and_, false, func, or_, select, update
from sqlalchemy import case as sql_case
from sqlalchemy.orm import joinedload, lazyload

from crypto.blind_index import normalize_code, normalize_name
from models import (
    ActionPlan,
    Case,
    CaseDecision,
    Consent,
    GraveViolation,
    Incident,
    Location,
    ServiceGap,
    Survivor,
    User,
    db,
)
from models.case import new_case_code
from models.survivor import agency_index_key

from .. import audit, clock
from ..cp.registration import summary as child_summary
from ..cp.registration import write_registration
from ..errors import Conflict, NothingToChange
from ..policy import case_scope, require, require_role_allows, role_allows
from ..referrals.service import withdraw_all
from ..stats import upkeep
from ..validation import Reader
from .payloads import SurvivorData
from .validation import read_case, read_consent


def known_locations(*wanted: object) -> dict[str, str | None]:
    """Location code → its region code (every location knows its region).

    A code, once created, keeps its parent and is never deleted, so the map only ever grows: a
    process keeps it and reads the table again only when asked about a code it does not hold
    (one created since, by another worker or an import)."""
    database = db.engine.url.render_as_string(hide_password=True)
    known = _LOCATIONS.get(database)
    if not known or any(isinstance(code, str) and code not in known for code in wanted):
        rows = db.session.execute(select(Location.code, Location.parent_code)).all()
        parent: dict[str, str | None] = {code: up for code, up in rows}
        regions: dict[str, str | None] = {}
        for code, _parent in rows:
            walk: str | None = code
            while walk is not None and parent.get(walk) is not None:
                walk = parent[walk]
            regions[code] = walk
        _LOCATIONS[database] = known = regions
    return known


_LOCATIONS: dict[str, dict[str, str | None]] = {}  # per database (tests run several)


def create_case(user: User, payload: dict[str, Any], today: dt.date | None = None) -> Case:
    """Validate everything, then write case, survivor and consent in one transaction."""
    require_role_allows("case.create", user)
    locations = known_locations(payload.get("location"))
    data = read_case(payload, today or clock.today(), set(locations))
    year = (today or clock.today()).year
    code = new_case_code(data.kind, year)
    while db.session.scalar(select(func.count()).select_from(Case).where(Case.case_code == code)):
        code = new_case_code(data.kind, year)
    consent = data.consent
    case = Case(
        kind=data.kind,
        case_code=code,
        agency_id=user.agency_id,
        owner_id=user.id,
        status="open",
        stage="assessment",
        location_code=data.location,
        region_code=locations[data.location],
        consent_services=consent.services,
        consent_reporting=consent.reporting,
    )
    db.session.add(case)
    db.session.flush()
    case.ensure_data_key()
    survivor = Survivor(case=case)
    written = write_survivor(survivor, data.survivor)
    db.session.add(survivor)
    add_consent(case, user, version=1, values=consent.columns())
    details: dict[str, Any] = {"kind": case.kind, "fields": written, "consent": consent.summary()}
    if data.child is not None:
        write_registration(user, case, data.child, date_of_birth=data.survivor.date_of_birth)
        details["child_protection"] = child_summary(data.child)
    audit.record("case.created", actor=user, target_type="case", target_id=case.id, details=details)
    return case


SURVIVOR_CODED_FIELDS = (
    "sex",
    "marital_status",
    "displacement_status",
    "disability",
    "unaccompanied",
    "nationality",
    "country_of_origin",
    "occupation",
    "dependants_count",
    "lives_alone",
    "caretaker_relation",
    "caretaker_marital_status",
    "caretaker_occupation",
)


def write_survivor(survivor: Survivor, values: SurvivorData) -> list[str]:
    """Set the survivor's fields from validated values; the identifying ones written (names)."""
    for name in SURVIVOR_CODED_FIELDS:
        setattr(survivor, name, getattr(values, name))
    survivor.age_at_registration = values.age
    survivor.age_estimated = values.age_estimated and values.date_of_birth is None
    written = []
    for name in Survivor.IDENTIFYING:
        value = getattr(values, name)
        setattr(survivor, name, value if value not in (None, "") else None)
        if value not in (None, ""):
            written.append(name)
    return written


def add_consent(case: Case, user: User, *, version: int, values: dict[str, Any], withdrawn: bool = False) -> Consent:
    """A new consent version; the organisations named are encrypted once the row has its id."""
    fields = dict(values)
    release_to = fields.pop("release_to", None) or {}
    consent = Consent(case=case, version=version, recorded_by_id=user.id, withdrawn=withdrawn, **fields)
    db.session.add(consent)
    db.session.flush()
    consent.release_to = release_to
    return consent


def withdraw_consent(user: User, case: Case, what: str) -> Consent:
    """Withdraw consent to services ("all") or to statistics ("reporting"), at once everywhere."""
    require("case.update", case, user=user)
    previous = case.current_consent
    if previous is None:
        raise Conflict(_("This case has no consent on record to withdraw."))
    fields = {
        "services": previous.services,
        "reporting": previous.reporting,
        "release": dict(previous.release),
        "release_to": dict(previous.release_to),
        "given_by": previous.given_by,
        "assent": previous.assent,
        "caregiver_consent": previous.caregiver_consent,
    }
    if what == "reporting":
        fields["reporting"] = False
    else:
        fields.update(services=False, reporting=False, release=dict.fromkeys(previous.release, False))
    consent = add_consent(case, user, version=previous.version + 1, values=fields, withdrawn=what != "reporting")
    case.consent_services, case.consent_reporting = bool(fields["services"]), bool(fields["reporting"])
    _sync_reporting_consent(case)
    if what != "reporting":
        withdraw_all(user, case)
    audit.record("case.consent_withdrawn", actor=user, target_type="case", target_id=case.id, details={"what": what})
    return consent


def _sync_reporting_consent(case: Case) -> None:
    """The incidents', service gaps' and grave violations' copies of the consent to statistics
    follow the case's."""
    with upkeep.recounted(db.session, [case.id]):  # the incidents' counts follow their consent
        for model in (Incident, ServiceGap, GraveViolation):
            db.session.execute(
                update(model)
                .where(model.case_id == case.id)
                .values(reporting_consent=case.consent_reporting)
                .execution_options(synchronize_session="fetch")
            )


def record_consent(user: User, case: Case, payload: dict[str, Any]) -> Consent:
    """A new consent given by the survivor (or for a child): a new version, never an edit.
    Release areas no longer consented to end the open referrals to those services."""
    require("case.update", case, user=user)
    previous = case.current_consent
    if case.status != "open" or previous is None or not case.consent_services:
        raise Conflict(_("This case is closed or its consent was withdrawn."))
    r = Reader(payload)
    given = read_consent(r, case.survivor.age_at_registration if case.survivor else None)
    r.raise_if_invalid()
    columns = given.columns()
    if {name: getattr(previous, name) for name in columns} == columns:
        raise NothingToChange()
    consent = add_consent(case, user, version=previous.version + 1, values=columns)
    case.consent_reporting = given.reporting
    _sync_reporting_consent(case)
    no_longer = {area for area, ok in previous.release.items() if ok and not given.release.get(area)}
    if no_longer:
        withdraw_all(user, case, no_longer)
    audit.record(
        "case.consent_changed",
        actor=user,
        target_type="case",
        target_id=case.id,
        details={"consent": given.summary(), "version": consent.version},
    )
    return consent


# Age bands a caseworker filters by (years at registration, inclusive).
AGE_BANDS = {"0-11": (0, 11), "12-17": (12, 17), "18+": (18, 150)}
SORTS = ("created", "activity", "due", "risk")


@dataclass(frozen=True)
class CaseFilters:
    q: str = ""
    status: str = ""
    risk: str = ""
    region: str = ""
    kind: str = ""
    overdue: bool = False
    stage: str = ""
    owner: str = ""  # a username: a supervisor's view of one caseworker's cases
    age_band: str = ""
    sex: str = ""
    since: str = ""  # registered on or after (YYYY-MM-DD)
    until: str = ""  # registered on or before
    waiting: bool = False  # a plan, closure or erasure waits for a supervisor
    sort: str = "created"

    @classmethod
    def read(cls, source: Any, q: str = "") -> CaseFilters:
        """The filters of a list request (page query string or API), once for both: a value
        outside its list, or a malformed date, filters nothing rather than failing the list."""

        def text(name: str, length: int, allowed: Any = None) -> str:
            value = source.get(name, "")
            value = value.strip()[:length] if isinstance(value, str) else ""
            return value if allowed is None or value in allowed else ""

        def day(name: str) -> str:
            value = text(name, 10)
            try:
                return dt.date.fromisoformat(value).isoformat() if value else ""
            except ValueError:
                return ""

        def flag(name: str) -> bool:
            return source.get(name) in ("1", "true", True)

        return cls(
            q=q,
            status=text("status", 12),
            risk=text("risk", 8),
            region=text("region", 32),
            kind=text("kind", 4),
            overdue=flag("overdue"),
            stage=text("stage", 20),
            owner=text("owner", 64).casefold(),
            age_band=text("age_band", 8, AGE_BANDS),
            sex=text("sex", 8),
            since=day("since"),
            until=day("until"),
            waiting=flag("waiting"),
            sort=text("sort", 10, SORTS) or "created",
        )


def list_query(user: User, filters: CaseFilters) -> Select[Any]:
    """The caller's cases, filtered and sorted (newest first unless asked otherwise); ``q`` goes
    through blind indexes only."""
    stmt = (
        select(Case)
        .where(case_scope(user), Case.purged_at.is_(None))
        # A row of the list shows the case and its survivor's name (a search also checks the
        # phone): nothing else is read for every row (agency, owner, assignments, a child's
        # profile and concerns, the survivor's other columns load only if a page asks).
        .options(
            joinedload(Case.survivor).load_only(
                Survivor.case_id, Survivor._given_name, Survivor._family_name, Survivor._nickname, Survivor._phone
            ),
            joinedload(Case.data_key_record),
            lazyload(Case.agency),
            lazyload(Case.owner),
            lazyload(Case.assignments),
            lazyload(Case.child_concerns),
            lazyload(Case.child_profile),
        )
    )
    if filters.status:
        stmt = stmt.where(Case.status == filters.status)
    if filters.risk:
        stmt = stmt.where(Case.risk_level == filters.risk)
    if filters.region:
        stmt = stmt.where(Case.region_code == filters.region)
    if filters.kind:
        stmt = stmt.where(Case.kind == filters.kind)
    if filters.overdue:
        stmt = stmt.where(Case.status == "open", Case.next_follow_up < clock.today())
    if filters.stage:
        stmt = stmt.where(Case.stage == filters.stage)
    if filters.owner:
        stmt = stmt.where(Case.owner_id.in_(select(User.id).where(func.lower(User.username) == filters.owner)))
    if filters.since:
        stmt = stmt.where(Case.created_at >= dt.datetime.fromisoformat(filters.since).replace(tzinfo=dt.UTC))
    if filters.until:
        end = dt.datetime.fromisoformat(filters.until).replace(tzinfo=dt.UTC) + dt.timedelta(days=1)
        stmt = stmt.where(Case.created_at < end)
    if filters.waiting:
        stmt = stmt.where(Case.id.in_(_waiting_for_decision()))
    survivor_conditions = []
    if filters.sex:
        survivor_conditions.append(Survivor.sex == filters.sex)
    if filters.age_band:
        low, high = AGE_BANDS[filters.age_band]
        survivor_conditions.append(Survivor.age_at_registration.between(low, high))
    if filters.q and user.agency_id is not None:  # searches stay inside the user's agency
        survivor_conditions.append(_search_condition(filters.q, user.agency_id))
    if survivor_conditions:
        stmt = stmt.join(Survivor, Survivor.case_id == Case.id).where(*survivor_conditions)
    return stmt.order_by(*_ORDER[filters.sort], Case.id)


_RISK_ORDER = sql_case({"high": 0, "medium": 1, "low": 2}, value=Case.risk_level, else_=3)
_ORDER: dict[str, tuple[Any, ...]] = {
    "created": (Case.created_at.desc(),),
    "activity": (Case.updated_at.desc(),),
    "due": (Case.next_follow_up.is_(None), Case.next_follow_up),
    "risk": (_RISK_ORDER, Case.updated_at.desc()),
}


def _waiting_for_decision() -> Any:
    return (
        select(CaseDecision.case_id)
        .where(CaseDecision.status == "pending")
        .union(select(ActionPlan.case_id).where(ActionPlan.status == "submitted"))
    )


def _search_condition(q: str, agency_id: int) -> Any:
    """A case code is looked up alone, by its unique index. Otherwise the survivors' blind
    indexes: the whole query as a given name or a family name, or split between the two in
    either order ("Fatoumata Traoré", "TRAORÉ Fatoumata") with the given AND the family name
    both matching, so a full name never brings every Fatoumata and every Traoré; and a phone."""
    if is_case_code(q):
        return Case.case_code == canonical_code(q)
    key = agency_index_key(agency_id)  # the same agency's key the indexes were computed with
    given_index = Survivor.given_name.blind_index("survivors")
    family_index = Survivor.family_name.blind_index("survivors")
    conditions = []
    whole = given_index.compute(key, q)
    if whole is not None:
        conditions.append(Survivor.given_name_bidx == whole)
        conditions.append(Survivor.family_name_bidx == family_index.compute(key, q))
    words = normalize_name(q).split()[:MAX_NAME_WORDS]
    for cut in range(1, len(words)):
        first, rest = " ".join(words[:cut]), " ".join(words[cut:])
        for given, family in ((first, rest), (rest, first)):
            conditions.append(
                and_(
                    Survivor.given_name_bidx == given_index.compute(key, given),
                    Survivor.family_name_bidx == family_index.compute(key, family),
                )
            )
    phone_bucket = Survivor.phone.blind_index("survivors").compute(key, q) if any(c.isdigit() for c in q) else None
    if phone_bucket is not None:
        conditions.append(Survivor.phone_bidx == phone_bucket)
    return or_(*conditions) if conditions else false()


def is_case_code(q: str) -> bool:
    """ "GBV-2026-7KQ4MZ", "gbv 2026 7kq4mz": a code, however typed (no name has four digits)."""
    return bool(_NORMALIZED_CODE.match(normalize_code(q)))


_NORMALIZED_CODE = re.compile(r"^[A-Z]{2,3}\d{4}[A-Z0-9]{6}$")


def canonical_code(q: str) -> str:
    """A case code as stored ("GBV-2026-7KQ4MZ") from what was typed ("gbv2026 7kq4mz")."""
    code = normalize_code(q)
    prefix = len(code) - 10
    return f"{code[:prefix]}-{code[prefix : prefix + 4]}-{code[prefix + 4 :]}"


# A case code as typed: "GBV-2026-7KQ4MZ", with or without its dashes. Codes are pseudonyms and
# may travel in a URL; names and phone numbers may not (they would be written in access logs and
# browser histories), so they are searched in a request body only.
CASE_CODE_QUERY = re.compile(r"^[A-Za-z]{2,3}-?\d{4}-?[A-Za-z0-9]{6}$")
SEARCH_SLACK = 10  # candidates read beyond the matches a page still needs (a bucket's strangers)
SEARCH_RESULTS = 50  # per page of results
SEARCH_COUNTED = 100  # candidates up to which every one is checked for an exact total
MAX_NAME_WORDS = 6


@dataclass(frozen=True)
class SearchResults:
    """One page of a search. ``total`` is exact, or — when ``exact`` is false — a lower bound that
    is always larger than the matches up to this page (so a next page exists)."""

    items: list[Case]
    total: int
    exact: bool


def search(user: User, filters: CaseFilters, page: int = 1) -> SearchResults:
    """One page of the cases matching ``filters.q`` in the user's scope, and how many there are.

    A blind index's bucket holds the people searched for and a few others, so candidates are
    decrypted and checked (``exact_matches``) in the list's order, newest first, until the page
    is full and one more match shows a next page exists: no cap leaves anyone out, any page can
    be reached, and the work is that of the page, not of every namesake in the country. When
    the candidates are few (``SEARCH_COUNTED``) all are checked and the total is exact;
    otherwise it is given as "more than" the matches found."""
    stmt = list_query(user, filters).add_columns(func.count().over().label("candidates"))
    start = (max(page, 1) - 1) * SEARCH_RESULTS
    enough = start + SEARCH_RESULTS + 1  # the page, and one more match to show a next page exists
    found: list[Case] = []
    read = candidates = 0
    ended = False

    def page_full() -> bool:
        return len(found) >= enough and candidates > SEARCH_COUNTED

    while True:
        # As many candidates as the page still needs; once the count is known, all of them when
        # they are few (for the exact total).
        few = read > 0 and candidates <= SEARCH_COUNTED
        wanted = (candidates - read if few else max(enough - len(found), 0)) + SEARCH_SLACK
        rows = db.session.execute(stmt.limit(wanted).offset(read)).unique().all()
        read += len(rows)
        candidates = int(rows[0][-1]) if rows else read
        for case, _candidates in rows:
            if page_full():
                break
            found.extend(exact_matches([case], filters.q))
        # Unless the page filled, every row read was checked.
        ended = (len(rows) < wanted or read >= candidates) and not page_full()
        if ended or page_full():
            break
    return SearchResults(found[start : start + SEARCH_RESULTS], len(found), exact=ended)


def exact_matches(cases: list[Case], q: str) -> list[Case]:
    """Drop the blind index's false positives, after decrypting only the candidates."""
    if not q:
        return cases
    wanted = normalize_name(q)
    phone = Survivor.phone.blind_index("survivors")
    kept = []
    for case in cases:
        s = case.survivor
        given, family = s.given_name, s.family_name
        both = [f"{given} {family}", f"{family} {given}"] if given and family else []
        names = {normalize_name(n) for n in (given, family, s.display_name, *both) if n}
        if (
            case.case_code.replace("-", "") == normalize_code(q)
            or wanted in names
            or (s.phone and any(ch.isdigit() for ch in q) and phone.matches(q, s.phone))
        ):
            kept.append(case)
    return kept


DUPLICATE_CANDIDATES = 200


def possible_duplicates(user: User, payload: dict[str, Any], today: dt.date | None = None) -> list[Case]:
    """Open cases of the same kind that may already be this survivor's, among those the user may
    open (their scope, inside their agency: the blind indexes are the agency's): the same given
    name (and family name when both have one) and the same phone or date of birth. The name
    indexes pick the candidates; only those are decrypted. Nothing is written. An invalid payload
    raises ``ValidationFailed`` (the form shows its errors first)."""
    require_role_allows("case.create", user)
    data = read_case(payload, today or clock.today(), set(known_locations(payload.get("location"))))
    wanted = data.survivor
    if user.agency_id is None or not wanted.given_name or not (wanted.phone or wanted.date_of_birth):
        return []
    key = agency_index_key(user.agency_id)
    given = Survivor.given_name.blind_index("survivors").compute(key, wanted.given_name)
    if given is None:
        return []
    stmt = (
        select(Case)
        .join(Survivor, Survivor.case_id == Case.id)
        .where(
            case_scope(user),
            Case.agency_id == user.agency_id,
            Case.purged_at.is_(None),
            Case.status == "open",
            Case.kind == data.kind,
            Survivor.given_name_bidx == given,
        )
        .options(joinedload(Case.survivor), joinedload(Case.data_key_record))
        .order_by(Case.created_at.desc(), Case.id)
        .limit(DUPLICATE_CANDIDATES)
    )
    family = Survivor.family_name.blind_index("survivors").compute(key, wanted.family_name)
    if family is not None:
        stmt = stmt.where(or_(Survivor.family_name_bidx == family, Survivor.family_name_bidx.is_(None)))
    phone = Survivor.phone.blind_index("survivors")
    found = []
    for case in db.session.scalars(stmt).unique():
        other = case.survivor
        if normalize_name(other.given_name or "") != normalize_name(wanted.given_name):
            continue
        if (
            wanted.family_name
            and other.family_name
            and normalize_name(other.family_name) != normalize_name(wanted.family_name)
        ):
            continue
        same_phone = bool(wanted.phone and phone.matches(wanted.phone, other.phone))
        same_birth = wanted.date_of_birth is not None and other.date_of_birth == wanted.date_of_birth
        if same_phone or same_birth:
            found.append(case)
    return found


def record_view(case: Case, what: str = "case.viewed") -> None:
    audit.record(what, target_type="case", target_id=case.id)


def awaiting_approval(user: User) -> list[Case]:
    """Cases of the supervisor's agency with a plan, closure or erasure waiting for a decision."""
    if not role_allows(user, "case.approve"):
        return []
    stmt = (
        select(Case)
        .where(case_scope(user), Case.purged_at.is_(None), Case.id.in_(_waiting_for_decision()))
        .options(joinedload(Case.survivor), joinedload(Case.data_key_record))
        .order_by(Case.updated_at)
    )
    return list(db.session.scalars(stmt.limit(50)).unique())
