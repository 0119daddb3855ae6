"""Anonymized GBVIMS statistics, counted by the database (GROUP BY), from coded columns only.

This module declares its own minimal view of the tables — only the coded columns it counts.
Names, phones, narratives and every ciphertext column are not even known to it, and it imports
nothing that holds a key: it cannot leak what it cannot name.

Counting rules (docs/gbvims.md §6): only incidents of GBV cases (never a child protection
case's: those count in the CP statistics, ``cp_counts``), only GBV incidents (never one the
classification tool found not to be GBV), only incidents whose survivor consented to non-identifiable reporting (the
incident's copy of the case's consent), never an incident already reported to another GBVIMS
agency (double counting), and — for a report across agencies — only from agencies that signed the
Information Sharing Protocol. The protocol governs sharing, not internal analysis: a supervisor's
report of their own agency counts it whether or not it signed.

No answer is invented: a coded answer nobody recorded (NULL) is counted as "not recorded" where
the IRF has an "unknown" answer of its own to keep apart from it (referral pathway, previous
GBV), else as "unknown".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field, replace
from threading import RLock
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Subquery,
    and_,
    case,
    column,
    func,
    or_,
    select,
    table,
    text,
    true,
    tuple_,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, scoped_session

from . import families, options
from .classification import CONTEXT_FLAGS, GBV_TYPES, NON_GBV
from .families import INCIDENTS, Counted, gap_records, incident_families, one_way_tables
from .labels import N_
from .lattice import NATION, UNKNOWN, Lattice, Protection, protect
from .period import Period

FLAGS = tuple(CONTEXT_FLAGS)
PATHWAY_SERVICES = tuple(options.PATHWAY_SERVICES)

incidents = table(
    "incidents",
    *(
        column(name)
        for name in (
            "id",
            "case_id",
            "agency_id",
            "date_of_incident",
            "date_of_interview",
            "time_of_day",
            "place_type",
            "region_code",
            "gbv_type",
            "age_at_incident",
            "survivor_sex",
            "marital_status",
            "displacement_status",
            "stage_of_displacement",
            "disability",
            "unaccompanied",
            "referred_by",
            "reporting_consent",
            "perpetrator_count",
            "perpetrator_sex",
            "primary_relationship",
            "primary_age_group",
            "primary_occupation",
            "reported_elsewhere",
            "previous_gbv",
            *(f"flag_{f}" for f in FLAGS),
            *(f"pathway_{s}" for s in PATHWAY_SERVICES),
        )
    ),
)
AnySession = Session | scoped_session[Any]

agencies = table("agencies", column("id"), column("isp_signed"))
cases = table("cases", column("id"), column("kind"))
GBV_KIND = "gbv"  # the kind of case whose incidents and recorded gaps GBVIMS counts
service_gaps = table(
    "service_gaps",
    column("id"),
    column("case_id"),
    column("agency_id"),
    column("incident_id"),
    column("service_type"),
    column("region_code"),
    column("recorded_at"),
    column("reporting_consent"),
)


@dataclass(frozen=True)
class Scope:
    period: Period
    region: str | None = None
    agency_id: int | None = None  # a supervisor's view of their own agency (signed the ISP or not)
    k: int = 5


@dataclass(frozen=True)
class Protected:
    """A published table: ``cells[r][c]``, ``row_totals[r]``, ``column_totals[c]``, ``total``,
    each an int or None when suppressed (or, for totals, not published)."""

    cells: list[list[int | None]]
    row_totals: list[int | None]
    column_totals: list[int | None]
    total: int | None


@dataclass
class Table:
    id: str
    title: str
    rows: list[tuple[str, str]]  # (code, English label)
    columns: list[tuple[str, str]]
    protected: Protected
    additive: bool = True  # rows partition the incidents (a total is meaningful)
    unit: str = "incidents"  # what a number counts: incidents, records, children, referrals, …


@dataclass
class Report:
    scope: Scope
    tables: list[Table] = field(default_factory=list)
    counted: int | None = 0  # what the report counts (see ``kind``); suppressed (None) when 1 to k−1
    agencies: int | None = 0
    gaps: list[Gap] = field(default_factory=list)
    protections: dict[str, Protection] = field(default_factory=dict, repr=False)  # what the tables read
    # "gbvims": incidents; "cp": child protection cases (``cp_counts``); "mrm": grave violations.
    kind: str = "gbvims"

    @property
    def incidents(self) -> int | None:
        """The GBVIMS report's name for what it counts."""
        return self.counted

    def table(self, table_id: str) -> Table:
        return next(t for t in self.tables if t.id == table_id)


@dataclass(frozen=True)
class Gap:
    service: str
    needed: int | None  # incidents where the service was relevant (a recorded status other than not applicable)
    unavailable: int | None  # ... and it was not available
    share: float | None


def _agencies_counted(scope: Scope, agency_id: ColumnElement[Any]) -> ColumnElement[bool]:
    """A supervisor's own agency, signed or not (the ISP governs sharing, not internal analysis);
    across agencies, only those that signed the Information Sharing Protocol."""
    if scope.agency_id is not None:
        return agency_id == scope.agency_id
    return agencies.c.isp_signed == true()


def of_gbv_cases(case_id: ColumnElement[Any]) -> ColumnElement[bool]:
    """Only a GBV case's records count in GBVIMS: never a child protection case's (even one
    recorded before CP cases stopped recording incidents, or inserted directly), nor a record
    whose case is unknown. Written as an anti-join on the cases of another kind (``cases.kind``
    is indexed; every record's case exists, by its foreign key): PostgreSQL hashes the few
    cases of other kinds instead of every GBV case, and the count keeps its pace."""
    other_kind = select(cases.c.id).where(cases.c.id == case_id, cases.c.kind != GBV_KIND)
    return and_(case_id.is_not(None), ~other_kind.exists())


def countable() -> ColumnElement[bool]:
    """Whether an incident counts at all, wherever and whenever (the module's counting rules)."""
    return and_(
        of_gbv_cases(incidents.c.case_id),
        incidents.c.reporting_consent == true(),
        incidents.c.gbv_type != NON_GBV,
        incidents.c.reported_elsewhere != "gbvims_agency",
    )


def _counted(scope: Scope) -> ColumnElement[bool]:
    conditions = [
        countable(),
        incidents.c.date_of_interview >= scope.period.start,
        incidents.c.date_of_interview <= scope.period.end,
        _agencies_counted(scope, incidents.c.agency_id),
    ]
    if scope.region:
        conditions.append(incidents.c.region_code == scope.region)
    return and_(*conditions)


def _from() -> Any:
    return incidents.join(agencies, agencies.c.id == incidents.c.agency_id)


UNKNOWN_CODE = ("unknown", N_("Unknown"))
COUNTRY = "ML"  # the one row of the gap table when no region is known
GAP_RECORDS = "gap_records"
NOT_RECORDED = (families.NOT_RECORDED, options.NOT_RECORDED)
COUNT = [("count", N_("Incidents"))]
AGE_BANDS = [("0-11", "0–11"), ("12-17", "12–17"), ("18-49", "18–49"), ("50+", "50+"), UNKNOWN_CODE]
REPORT_DELAY = [
    ("0-3", N_("0–3 days")),
    ("4-5", N_("4–5 days")),
    ("6-14", N_("6–14 days")),
    ("15-30", N_("2 weeks to 1 month")),
    ("31+", N_("More than 1 month")),
]
HEALTH_SEEN = ("referred", "provided_by_agency", "received_elsewhere")


def _codes(mapping: dict[str, str], extra: Sequence[tuple[str, str]] = ()) -> list[tuple[str, str]]:
    return [*mapping.items(), *extra]


def _dialect(session: AnySession) -> str:
    return session.get_bind().dialect.name


def _delay_days(session: AnySession) -> ColumnElement[Any]:
    interview, incident = incidents.c.date_of_interview, incidents.c.date_of_incident
    if _dialect(session) == "postgresql":
        return interview - incident
    return func.julianday(interview) - func.julianday(incident)


def _month(session: AnySession, day: ColumnElement[Any] = incidents.c.date_of_interview) -> ColumnElement[Any]:
    """The month as the number YYYYMM: far cheaper per row than formatting text."""
    if _dialect(session) == "postgresql":
        return func.extract("year", day) * 100 + func.extract("month", day)
    return func.cast(func.strftime("%Y%m", day), Integer)


def _yes(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    """1 when true, else 0 (grouping on a small number is cheaper than on text)."""
    return case((condition, 1), else_=0)


def counted_rows(session: AnySession, where: ColumnElement[bool]) -> Subquery:
    """One row per counted incident, holding only the coded values the tables group by
    (``where``: ``_counted(scope)``, or ``countable()`` and a choice of incidents)."""
    i = incidents.c
    age, days = i.age_at_incident, _delay_days(session)
    columns = [
        i.gbv_type.label("gbv_type"),
        i.time_of_day.label("time_of_day"),
        i.place_type.label("place_type"),
        case((days <= 3, "0-3"), (days <= 5, "4-5"), (days <= 14, "6-14"), (days <= 30, "15-30"), else_="31+").label(
            "delay"
        ),
        _yes(i.pathway_health.in_(HEALTH_SEEN)).label("health"),
        case(
            (age.is_(None), "unknown"),
            (age <= 9, "0-9"),
            (age <= 11, "10-11"),
            (age <= 17, "12-17"),
            (age <= 19, "18-19"),
            (age <= 49, "20-49"),
            else_="50+",
        ).label("age_fine"),
        i.survivor_sex.label("sex"),
        _month(session).label("month"),
        i.region_code.label("region"),
        i.agency_id.label("agency"),
        *(
            i[name].label(name)
            for name in (
                "marital_status",
                "displacement_status",
                "stage_of_displacement",
                "disability",
                "unaccompanied",
                "referred_by",
            )
        ),
        *(i[f"pathway_{s}"].label(f"pathway_{s}") for s in PATHWAY_SERVICES),
        *(_yes(i[f"flag_{f}"] == true()).label(f"flag_{f}") for f in FLAGS),
        i.perpetrator_count.label("perp_n"),
        i.perpetrator_sex.label("perp_sex"),
        i.previous_gbv.label("previous_gbv"),
        *(i[f"primary_{name}"].label(f"perp_{name}") for name in ("relationship", "age_group", "occupation")),
    ]
    return select(*columns).select_from(_from()).where(where).subquery("counted")


# What a NULL (nobody answered) is counted as, column by column — mapped here rather than by the
# database (a NULL is a group of its own in GROUP BY and GROUPING SETS alike): "not recorded"
# where the IRF has an "unknown" answer of its own to keep apart from it, else "unknown".
NULL_AS: dict[str, str] = {
    "region": UNKNOWN_CODE[0],
    **dict.fromkeys(
        (
            "marital_status",
            "displacement_status",
            "stage_of_displacement",
            "disability",
            "unaccompanied",
            "referred_by",
            "perp_n",
            "perp_sex",
            "perp_relationship",
            "perp_age_group",
            "perp_occupation",
        ),
        UNKNOWN_CODE[0],
    ),
    **dict.fromkeys((f"pathway_{s}" for s in PATHWAY_SERVICES), NOT_RECORDED[0]),
    "previous_gbv": NOT_RECORDED[0],
}


def key_of(pack: tuple[str, ...], values: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(NULL_AS.get(name) if value is None else value for name, value in zip(pack, values, strict=True))


def _tally(found: dict[tuple[Any, ...], int], key: tuple[Any, ...], n: int) -> None:
    found[key] = found.get(key, 0) + n  # NULL and "unknown" may fall in one group


Counts = dict[tuple[str, ...], dict[tuple[Any, ...], int]]
PackCounts = Counts


# Groupings counted together: each pack is grouped by all its columns at once (a few thousand
# groups at most) and every table is then a marginal of one pack, summed here. Seven hash
# aggregations per row instead of one per table: the scan, not the counting, sets the pace.
# Every pack is counted per month, region and agency: the lattice's leaves (gbvims/lattice.py).
LATTICE_DIMS = ("month", "region", "agency")
PACKS: tuple[tuple[str, ...], ...] = (
    ("gbv_type", "delay", "health"),
    ("age_fine", "sex", "marital_status", "displacement_status", "disability"),
    ("time_of_day", "place_type", "stage_of_displacement", "unaccompanied", "referred_by"),
    ("pathway_shelter", "pathway_health", "pathway_psychosocial", "pathway_legal"),
    ("pathway_security", "pathway_livelihoods", "pathway_child_protection", "perp_n"),
    (*(f"flag_{f}" for f in FLAGS), "perp_relationship"),
    ("perp_age_group", "perp_occupation", "perp_sex", "previous_gbv"),
)
PACKS = tuple((*pack, *LATTICE_DIMS) for pack in PACKS)


def _count_packs(session: AnySession, where: ColumnElement[bool], packs: Sequence[tuple[str, ...]]) -> PackCounts:
    rows = counted_rows(session, where)
    found: PackCounts = {pack: {} for pack in packs}
    if _dialect(session) != "postgresql":
        for pack in packs:
            dims = [rows.c[name] for name in pack]
            for row in session.execute(select(*dims, func.count()).group_by(*dims)):
                _tally(found[pack], key_of(pack, row[:-1]), int(row[-1]))
        return found
    # Enough memory to hash every pack at once rather than sort, and no JIT: compiling the
    # expressions costs more than evaluating them (both for this transaction only).
    session.execute(text("SET LOCAL work_mem = '64MB'"))
    session.execute(text("SET LOCAL jit = off"))
    names = sorted({name for pack in packs for name in pack})
    columns = [rows.c[name] for name in names]
    stmt = select(*columns, *(func.grouping(c) for c in columns), func.count()).group_by(
        func.grouping_sets(*(tuple_(*(rows.c[name] for name in pack)) for pack in packs))
    )
    by_mask = {tuple(0 if name in pack else 1 for name in names): pack for pack in packs}
    width = len(names)
    for row in session.execute(stmt):
        pack = by_mask[tuple(row[width : 2 * width])]
        _tally(found[pack], key_of(pack, [row[names.index(name)] for name in pack]), int(row[-1]))
    return found


def _halves(period: Period) -> list[Period]:
    """The period cut in two whole-month parts (for counting in parallel; never published)."""
    months = _months(period)
    cut = len(months) // 2
    first_end = dt.date.fromisoformat(months[cut][0] + "-01") - dt.timedelta(days=1)
    return [
        Period(period.start, first_end, period.label),
        Period(first_end + dt.timedelta(days=1), period.end, period.label),
    ]


def _count_packs_in_parallel(engine: Engine, scope: Scope, packs: Sequence[tuple[str, ...]]) -> PackCounts:
    """PostgreSQL does not spread GROUPING SETS over its workers: two connections count the two
    halves of the period side by side, and the counts add up."""

    def count(period: Period) -> PackCounts:
        with Session(engine) as own, own.begin():
            return _count_packs(own, _counted(replace(scope, period=period)), packs)

    total: PackCounts = {pack: {} for pack in packs}
    with ThreadPoolExecutor(max_workers=2) as pool:
        for part in pool.map(count, _halves(scope.period)):
            for pack, found in part.items():
                for key, n in found.items():
                    total[pack][key] = total[pack].get(key, 0) + n
    return total


def count_sets(
    session: AnySession, scope: Scope, sets: Sequence[tuple[str, ...]], where: ColumnElement[bool] | None = None
) -> Counts:
    """Counts for each wanted grouping, from the incidents themselves, as marginals of the packs
    that hold it. PostgreSQL counts all packs in one scan (GROUPING SETS); SQLite, which lacks
    them, in one query per pack. ``where`` replaces the scope's conditions (the maintained
    aggregate counts every agency over all time: ``gbvims/maintained.py``)."""
    packs = [pack for pack in PACKS if any(set(group) <= set(pack) for group in sets)]
    missing = [group for group in sets if not any(set(group) <= set(pack) for pack in packs)]
    if missing:
        raise ValueError(f"no pack holds {missing}")
    bind = session.get_bind()
    if where is None and _dialect(session) == "postgresql" and scope.period.months > 1 and isinstance(bind, Engine):
        pack_counts = _count_packs_in_parallel(bind, scope, packs)
    else:
        pack_counts = _count_packs(session, _counted(scope) if where is None else where, packs)
    counts: Counts = {}
    for group in sets:
        pack = next(p for p in packs if set(group) <= set(p))
        positions = [pack.index(name) for name in group]
        marginal: dict[tuple[Any, ...], int] = {}
        for key, n in pack_counts[pack].items():
            projected = tuple(key[i] for i in positions)
            marginal[projected] = marginal.get(projected, 0) + n
        counts[group] = marginal
    return counts


def _months(period: Period) -> list[tuple[str, str]]:
    out, year, month = [], period.start.year, period.start.month
    while (year, month) <= (period.end.year, period.end.month):
        out.append((f"{year}-{month:02d}", f"{year}-{month:02d}"))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def lattice_time(period: Period) -> str:
    """The period's node in its year's lattice: "2026", "2026-Q3" or "2026-07"."""
    year, month = period.start.year, period.start.month
    aligned = {1: True, 3: month % 3 == 1, 12: month == 1}
    if period.months not in aligned or not aligned[period.months] or period.end.year != year:
        raise ValueError("statistics are published for calendar months, quarters and years only")
    return {1: f"{year}-{month:02d}", 3: f"{year}-Q{(month - 1) // 3 + 1}", 12: str(year)}[period.months]


# --- The year, protected once for everything that can be published from it ---

Protections = dict[str, Protection]
_CACHE: dict[Hashable, Protections] = {}
_CACHE_LOCK = RLock()  # re-entrant: a protection already done settles as its callback is added
_CACHE_SIZE = 32


def _leaf_counts(
    counted: Counted, found: dict[tuple[Any, ...], int]
) -> dict[tuple[Hashable, int, str | None, Any], int]:
    """(values of the family's columns, YYYYMM, region, agency) → (atom, month, region, agency)."""
    width = len(counted.columns)
    leaves: dict[tuple[Hashable, int, str | None, Any], int] = {}
    for key, n in found.items():
        month, region, agency = key[width:]
        leaf = (counted.atom(key[:width]), int(month) % 100, region, agency)
        leaves[leaf] = leaves.get(leaf, 0) + n
    return leaves


class Preparing(Exception):  # noqa: N818 — a state, not a failure
    """The year is still being protected, in the background: ask again shortly."""


_PENDING: dict[Hashable, Future[Protections]] = {}
# One background protection at a time per process: it is CPU-bound, and requests keep a core.
_WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sutura-statistics")


def _protect_year(
    lattice: Lattice,
    families: Sequence[Counted],
    leaves: Mapping[str, Mapping[Any, int]],
    k: int,
    by_agency: bool,
    wait: float | None = None,
) -> Protections:
    """The year's protection for these counts: kept once made; made in the background, and
    waited for ``wait`` seconds at most (None: as long as it takes), else ``Preparing``."""
    fingerprint = (
        lattice,
        k,
        by_agency,
        tuple((c.family.id, frozenset(leaves[c.family.id].items())) for c in families),
    )
    with _CACHE_LOCK:
        if fingerprint in _CACHE:
            return _CACHE[fingerprint]
        future = _PENDING.get(fingerprint)
        if future is None:
            future = _WORKER.submit(_protect_all, lattice, families, leaves, k, by_agency)
            _PENDING[fingerprint] = future
            future.add_done_callback(lambda done: _settle(fingerprint, done))
    try:
        return future.result(timeout=wait)
    except FutureTimeout:
        raise Preparing from None


def _settle(fingerprint: Hashable, future: Future[Protections]) -> None:
    """A finished protection moves to the cache (bounded), whether or not anyone still waits
    for it; a failed one is forgotten, so the next request tries again."""
    with _CACHE_LOCK:
        _PENDING.pop(fingerprint, None)
        if future.exception() is None:
            if len(_CACHE) >= _CACHE_SIZE:
                _CACHE.pop(next(iter(_CACHE)))
            _CACHE[fingerprint] = future.result()


def _protect_all(
    lattice: Lattice, families: Sequence[Counted], leaves: Mapping[str, Mapping[Any, int]], k: int, by_agency: bool
) -> Protections:
    """The first family (the incidents; for child protection, the cases) first: where it hides
    the number counted, the whole node is withheld in every family (and it runs again with those
    nodes withheld, until no new total is hidden); then every other family, that number pinned
    where it is shown. The families counted in units of their own (the gaps recorded by
    caseworkers, referrals, reunifications: ``Counted.own_total``) last, each on its own."""
    linked, apart = [c for c in families if not c.own_total], [c for c in families if c.own_total]
    withheld: set[tuple[str, str]] = set()
    while True:
        result = _protect_with(lattice, linked, leaves, k, by_agency, withheld)
        needed = set().union(*(protection.withhold for protection in result.values()))
        if not needed:
            break
        withheld |= needed  # some family can be protected only without these nodes
    for counted in apart:
        result[counted.family.id] = protect(counted.family, lattice, leaves[counted.family.id], k, by_agency)
    return result


def _protect_with(
    lattice: Lattice,
    families: Sequence[Counted],
    leaves: Mapping[str, Mapping[Any, int]],
    k: int,
    by_agency: bool,
    withheld: set[tuple[str, str]],
) -> Protections:
    base, *others = families
    while True:
        first = protect(base.family, lattice, leaves[base.family.id], k, by_agency, withheld=withheld)
        hidden_totals = {
            (time, area)
            for time in lattice.times
            for area in lattice.areas
            if area != UNKNOWN and lattice.published(time, area) and first.value("total", time, area) is None
        }
        if hidden_totals <= withheld:
            break
        withheld |= hidden_totals
    result = {base.family.id: first}
    for counted in others:
        result[counted.family.id] = protect(
            counted.family, lattice, leaves[counted.family.id], k, by_agency, withheld=withheld, pinned={"total"}
        )
    return result


# --- The published tables: which protected cell each number is read from ---

Pairs = list[tuple[str, str]]


@dataclass(frozen=True)
class _Inputs:
    scope: Scope
    regions: Sequence[tuple[str, str]]
    service_types: Mapping[str, str]
    protections: Protections
    time: str  # the report's node in the lattice
    area: str

    def value(self, family: str, cell: str, time: str | None = None, area: str | None = None) -> int | None:
        return self.protections[family].value(cell, time or self.time, area or self.area)


Labels = Callable[[_Inputs], Pairs]


@dataclass(frozen=True)
class TableSpec:
    """One standard GBVIMS table, as data: its rows and columns, and the family cell each of
    its numbers is read from. ``layout``: "report" (every row at the report's period and area),
    "months" or "quarters" (a row per month or quarter of the period: the row's code is its time
    node), "regions" (a row per region), "region_times" (a row per region and time node: code
    "<region>/<time>")."""

    id: str
    title: str
    rows: Labels
    family: Callable[[str], str]  # the family a row's numbers come from
    cell: Callable[[str, str], str]  # (row, column) → cell
    columns: Labels | None = None  # None: one column, the number of incidents
    row_total: Callable[[str], str] | None = None
    column_total: Callable[[str], str] | None = None
    total: str | None = "total"
    additive: bool = True  # rows partition the incidents (totals are published)
    layout: str = "report"
    across_regions: bool = False  # only when no region is chosen and the regions are known
    unit: str = "incidents"


def _listed(mapping: dict[str, str], *extra: tuple[str, str]) -> Labels:
    """An options list read when the report is built, not at import: a deployment adds its
    country's places and occupations to some lists at start-up (options.adopt_country)."""
    return lambda _inputs: _codes(mapping, extra)


def _fixed(pairs: Pairs) -> Labels:
    return lambda _inputs: pairs


def _counted_types(_inputs: _Inputs) -> Pairs:
    return [(code, name) for code, name in GBV_TYPES.items() if code != NON_GBV]  # never counted


def _period_months(inputs: _Inputs) -> Pairs:
    return _months(inputs.scope.period)


def _known_regions(inputs: _Inputs) -> Pairs:
    return list(inputs.regions)


def _gap_regions(inputs: _Inputs) -> Pairs:
    # No known region to show: one row for the country.
    chosen = [(code, name) for code, name in inputs.regions if not inputs.scope.region or code == inputs.scope.region]
    return chosen or [(COUNTRY, "Mali")]


def _gap_services(inputs: _Inputs) -> Pairs:
    return _codes(dict(inputs.service_types))


def _same(family: str) -> Callable[[str], str]:
    return lambda _row: family


def _one_way(table_id: str, title: str) -> TableSpec:
    """A table of one coded answer: its rows are its family's (``families.one_way_tables``)."""
    return TableSpec(
        table_id, title, lambda _inputs: one_way_tables()[table_id][1], _same(table_id), lambda row, _c: f"code:{row}"
    )


def _delay(table_id: str, title: str, group: str, total: str) -> TableSpec:
    return TableSpec(
        table_id, title, _fixed(REPORT_DELAY), _same(INCIDENTS), lambda row, _c: f"{group}:{row}", total=total
    )


AGE_GROUPS: Pairs = [
    ("children", N_("Children (17 and under)")),
    ("adults", N_("Adults (18 and over)")),
    ("adolescents", N_("Adolescents (10–19)")),
    ("elderly", N_("Elderly (50 and over)")),
]


def _by_type(table_id: str, title: str, rows: Labels, layout: str, across_regions: bool = False) -> TableSpec:
    return TableSpec(
        table_id,
        title,
        rows,
        _same(INCIDENTS),
        lambda _row, column: f"type:{column}",
        columns=_counted_types,
        row_total=lambda _row: "total",
        column_total=lambda column: f"type:{column}",
        layout=layout,
        across_regions=across_regions,
    )


# The published tables, in the order the dashboard, the API and the files show them.
TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "incidents_by_type",
        N_("Incidents by type of GBV"),
        _counted_types,
        _same(INCIDENTS),
        lambda row, _c: f"type:{row}",
    ),
    _one_way("incidents_by_time_of_day", N_("Incidents by time of day")),
    _one_way("incidents_by_place", N_("Incidents by type of place")),
    TableSpec(
        "incidents_by_context",
        N_("Incidents by case context (an incident may have several)"),
        _listed(CONTEXT_FLAGS),
        lambda row: f"context:{row}",
        lambda _row, _c: "yes",
        additive=False,
    ),
    _delay("report_delay_all", N_("Time between incident and report — all incidents"), "delay", "total"),
    _delay("report_delay_rape", N_("Time between incident and report — rape"), "rape", "type:rape"),
    _delay(
        "report_delay_rape_health",
        N_("Time between incident and report — rape, with health care referred or provided"),
        "rape_health",
        "rape_health",
    ),
    TableSpec(
        "survivors_age_sex",
        N_("Survivors by age and sex"),
        _fixed(AGE_BANDS),
        _same("ages"),
        lambda row, column: f"age:{row}:{column}",
        columns=_listed(options.SEX),
        row_total=lambda row: f"age:{row}",
        column_total=lambda column: f"sex:{column}",
    ),
    TableSpec(
        "survivors_age_groups",
        N_("Survivors in selected age groups (the groups overlap)"),
        _fixed(AGE_GROUPS),
        _same("ages"),
        lambda row, _c: f"group:{row}",
        additive=False,
    ),
    _one_way("survivors_marital_status", N_("Survivors by marital status")),
    _one_way("survivors_displacement", N_("Survivors by displacement status")),
    _one_way("survivors_stage_of_displacement", N_("Incidents by stage of displacement")),
    _one_way("survivors_disability", N_("Survivors by disability")),
    _one_way("survivors_vulnerable_children", N_("Unaccompanied, separated and other vulnerable children")),
    _one_way("referred_by", N_("Who referred the survivor (first point of contact)")),
    _one_way("perpetrators_relationship", N_("Primary alleged perpetrator: relationship to the survivor")),
    _one_way("perpetrators_age_group", N_("Primary alleged perpetrator: age group")),
    _one_way("perpetrators_occupation", N_("Primary alleged perpetrator: main occupation")),
    _one_way("perpetrators_number", N_("Incidents by number of alleged perpetrators")),
    _one_way("perpetrators_sex", N_("Incidents by sex of the alleged perpetrators")),
    _one_way("incidents_previous_gbv", N_("Incidents by previous GBV against the survivor")),
    # Each row is a service, counted over every incident: rows do not add up, no totals.
    TableSpec(
        "referrals_by_service",
        N_("Referral pathway per service"),
        _listed(options.PATHWAY_SERVICES),
        lambda row: f"pathway:{row}",
        lambda _row, column: f"code:{column}",
        columns=_listed(options.PATHWAY_STATUS, NOT_RECORDED),
        additive=False,
    ),
    _by_type("trend_by_month", N_("Incidents by month and type"), _period_months, "months"),
    _by_type("incidents_by_region", N_("Incidents by region and type"), _known_regions, "regions", across_regions=True),
    # Counted from the gaps caseworkers recorded, not from the incidents.
    TableSpec(
        "service_unavailable_records",
        N_("'Service unavailable' recorded by caseworkers, by region and service"),
        _gap_regions,
        _same(GAP_RECORDS),
        lambda _row, column: f"code:{column}",
        columns=_gap_services,
        row_total=lambda _row: "total",
        column_total=lambda column: f"code:{column}",
        layout="regions",
        unit="records",
    ),
)


REGION_TIME = "/"  # a "region_times" row's code: region, then its time node ("ML-7/2026-Q1")


def _node(spec: TableSpec, inputs: _Inputs, row: str) -> tuple[str, str]:
    if spec.layout in ("months", "quarters"):
        return row, inputs.area
    if spec.layout == "regions":
        return inputs.time, NATION if row == COUNTRY else row
    if spec.layout == "region_times":
        region, _sep, time = row.partition(REGION_TIME)
        return time, region
    return inputs.time, inputs.area


def _table(spec: TableSpec, inputs: _Inputs) -> Table:
    rows = spec.rows(inputs)
    columns = spec.columns(inputs) if spec.columns is not None else COUNT
    cells: list[list[int | None]] = []
    row_totals: list[int | None] = []
    for row, _label in rows:
        time, area = _node(spec, inputs, row)
        family = spec.family(row)
        cells.append([inputs.value(family, spec.cell(row, column), time, area) for column, _l in columns])
        if not spec.additive:
            row_totals.append(None)
        elif spec.row_total is not None:
            row_totals.append(inputs.value(family, spec.row_total(row), time, area))
        else:
            row_totals.append(cells[-1][0])  # one column: the row is its own total
    family = spec.family(rows[0][0] if rows else "")
    if spec.additive and spec.total is not None:
        if spec.column_total is not None:
            column_totals = [inputs.value(family, spec.column_total(column)) for column, _l in columns]
        else:
            column_totals = [inputs.value(family, spec.total)]
        total = inputs.value(family, spec.total)
    else:
        column_totals, total = [None] * len(columns), None
    protected = Protected(cells=cells, row_totals=row_totals, column_totals=column_totals, total=total)
    return Table(spec.id, spec.title, rows, columns, protected, spec.additive, spec.unit)


@dataclass(frozen=True)
class Frame:
    """Where a report sits in its year's lattice, and the scope its whole year is counted for
    (every region: the lattice holds them all)."""

    lattice: Lattice
    time: str  # the report's node: "2026", "2026-Q3" or "2026-07"
    area: str  # a region's code, or NATION
    year: Scope
    across_regions: bool  # regions are known and none is chosen: the tables by region are shown


def frame(scope: Scope, regions: Sequence[tuple[str, str]]) -> Frame:
    lattice = Lattice(scope.period.start.year, tuple(code for code, _name in regions))
    if scope.region is not None and scope.region not in lattice.regions:
        raise ValueError(f"unknown region {scope.region}")
    year = replace(
        scope, period=Period(dt.date(lattice.year, 1, 1), dt.date(lattice.year, 12, 31), str(lattice.year)), region=None
    )
    return Frame(lattice, lattice_time(scope.period), scope.region or NATION, year, bool(regions) and not scope.region)


def agencies_in(where: Frame, leaves: Mapping[tuple[Hashable, int, str | None, Any], int]) -> int:
    """How many agencies a base family's leaves count at the report's node."""
    months = set(where.lattice.months_of(where.time))
    return len(
        {
            agency
            for (_atom, month, region, agency), n in leaves.items()
            if n and month in months and (where.area == NATION or region == where.area)
        }
    )


def build(
    session: AnySession,
    scope: Scope,
    regions: Sequence[tuple[str, str]] = (),
    service_types: Mapping[str, str] | None = None,
    wait: float | None = None,
) -> Report:
    """Every standard table for the scope, read from its year protected as a whole (module
    ``lattice``). ``regions`` and ``service_types`` (code → label, for the table of services
    recorded as unavailable) are the deployment's: referral service types belong to the
    referral package, which gbvims does not import. ``wait``: seconds to wait for the year's
    protection when these counts have none yet (``Preparing`` after that)."""
    where = frame(scope, regions)
    families = incident_families()
    groupings = [(*counted.columns, *LATTICE_DIMS) for counted in families]
    from .maintained import stored_counts, stored_gaps  # they build on this module's counting rules

    counts = stored_counts(session, where.year, groupings)
    leaves = {c.family.id: _leaf_counts(c, counts[(*c.columns, *LATTICE_DIMS)]) for c in families}
    gaps = gap_records(list(service_types or {}))
    leaves[GAP_RECORDS] = _leaf_counts(gaps, stored_gaps(session, where.year))
    by_agency = scope.agency_id is None
    protections = _protect_year(where.lattice, [*families, gaps], leaves, scope.k, by_agency, wait)
    inputs = _Inputs(scope, regions, service_types or {}, protections, where.time, where.area)
    return Report(
        scope,
        tables=[_table(spec, inputs) for spec in TABLES if where.across_regions or not spec.across_regions],
        counted=inputs.value(INCIDENTS, "total"),
        agencies=agencies_in(where, leaves[INCIDENTS]),
        gaps=_gaps(inputs),
        protections=protections,
    )


def gap_counts(
    session: AnySession, scope: Scope | None, chosen: ColumnElement[bool] | None = None
) -> dict[tuple[Any, ...], int]:
    """Counts of the gaps caseworkers recorded, under the rules of the incident tables: the
    survivor's consent to reporting (the gap's copy of it), the agencies counted, the period —
    and never a gap recorded for an incident found not to be GBV, nor for a case that is not a
    GBV case (a child protection case's gaps are its own sub-cluster's). Keyed as the packs
    are: (service, YYYYMM, region, agency). Without a scope: every agency, all time (the
    maintained aggregate's view), optionally only the ``chosen`` gaps."""
    g = service_gaps.c
    month = _month(session, g.recorded_at)
    conditions = [
        g.reporting_consent == true(),
        of_gbv_cases(g.case_id),
        or_(g.incident_id.is_(None), incidents.c.gbv_type != NON_GBV),
    ]
    if scope is not None:
        day = func.date(g.recorded_at) if _dialect(session) != "postgresql" else func.cast(g.recorded_at, Date)
        conditions += [_agencies_counted(scope, g.agency_id), day >= scope.period.start, day <= scope.period.end]
    if chosen is not None:
        conditions.append(chosen)
    stmt = (
        select(g.service_type, month, g.region_code, g.agency_id, func.count())
        .select_from(
            service_gaps.join(agencies, agencies.c.id == g.agency_id).outerjoin(
                incidents, incidents.c.id == g.incident_id
            )
        )
        .where(and_(*conditions))
        .group_by(g.service_type, month, g.region_code, g.agency_id)
    )
    return {tuple(row[:4]): int(row[4]) for row in session.execute(stmt)}


GAP_SERVICES = ("health", "psychosocial", "legal", "security", "shelter")


def _gaps(inputs: _Inputs) -> list[Gap]:
    """The strategy's indicators: for how many survivors a needed service was unavailable."""
    found = []
    for service in GAP_SERVICES:
        family = f"pathway:{service}"
        needed = inputs.value(family, "needed")
        unavailable = inputs.value(family, "code:service_unavailable")
        share = unavailable / needed if needed and unavailable is not None else None
        found.append(Gap(service, needed, unavailable, share))
    return found
