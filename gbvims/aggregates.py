"""Anonymized GBVIMS statistics, counted by the database (GROUP BY), from coded columns only.

This module declares its own minimal view of the tables — only the coded columns it counts.
Names, phones, narratives and every ciphertext column are not even known to it, and it imports
nothing that holds a key: it cannot leak what it cannot name.

Counting rules (docs/gbvims.md §6): only GBV incidents (never one the classification tool
found not to be GBV), only incidents whose survivor consented to non-identifiable reporting (the
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
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
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
    literal,
    or_,
    select,
    table,
    text,
    true,
    tuple_,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, scoped_session

from . import options
from .classification import CONTEXT_FLAGS, GBV_TYPES, NON_GBV
from .disclosure import Protected, protect
from .labels import N_
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
service_gaps = table(
    "service_gaps",
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


@dataclass
class Table:
    id: str
    title: str
    rows: list[tuple[str, str]]  # (code, English label)
    columns: list[tuple[str, str]]
    protected: Protected
    additive: bool = True  # rows partition the incidents (a total is meaningful)


@dataclass
class Report:
    scope: Scope
    tables: list[Table] = field(default_factory=list)
    incidents: int | None = 0  # suppressed (None) when 1 to k−1
    agencies: int | None = 0
    gaps: list[Gap] = field(default_factory=list)

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


def _counted(scope: Scope) -> ColumnElement[bool]:
    conditions = [
        incidents.c.reporting_consent == true(),
        incidents.c.gbv_type != NON_GBV,
        incidents.c.reported_elsewhere != "gbvims_agency",
        incidents.c.date_of_interview >= scope.period.start,
        incidents.c.date_of_interview <= scope.period.end,
        _agencies_counted(scope, incidents.c.agency_id),
    ]
    if scope.region:
        conditions.append(incidents.c.region_code == scope.region)
    return and_(*conditions)


def _from() -> Any:
    return incidents.join(agencies, agencies.c.id == incidents.c.agency_id)


UNKNOWN = ("unknown", N_("Unknown"))
NOT_RECORDED = ("not_recorded", options.NOT_RECORDED)
COUNT = [("count", N_("Incidents"))]
AGE_BANDS = [("0-11", "0–11"), ("12-17", "12–17"), ("18-49", "18–49"), ("50+", "50+"), UNKNOWN]
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


def _month(session: AnySession) -> ColumnElement[Any]:
    """The month as the number YYYYMM: far cheaper per row than formatting text."""
    day = incidents.c.date_of_interview
    if _dialect(session) == "postgresql":
        return func.extract("year", day) * 100 + func.extract("month", day)
    return func.cast(func.strftime("%Y%m", day), Integer)


def _yes(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    """1 when true, else 0 (grouping on a small number is cheaper than on text)."""
    return case((condition, 1), else_=0)


def _counted_rows(session: AnySession, scope: Scope) -> Subquery:
    """One row per counted incident, holding only the coded values the tables group by."""
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
            (age.is_(None), "unknown"), (age <= 11, "0-11"), (age <= 17, "12-17"), (age <= 49, "18-49"), else_="50+"
        ).label("age_band"),
        _yes(age.between(10, 19)).label("adolescent"),
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
    return select(*columns).select_from(_from()).where(_counted(scope)).subquery("counted")


# What a NULL (nobody answered) is counted as, column by column — mapped here rather than by the
# database (a NULL is a group of its own in GROUP BY and GROUPING SETS alike): "not recorded"
# where the IRF has an "unknown" answer of its own to keep apart from it, else "unknown".
NULL_AS: dict[str, str] = {
    "region": UNKNOWN[0],
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
        UNKNOWN[0],
    ),
    **dict.fromkeys((f"pathway_{s}" for s in PATHWAY_SERVICES), NOT_RECORDED[0]),
    "previous_gbv": NOT_RECORDED[0],
}


def _key(pack: tuple[str, ...], values: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(NULL_AS.get(name) if value is None else value for name, value in zip(pack, values, strict=True))


def _tally(found: dict[tuple[Any, ...], int], key: tuple[Any, ...], n: int) -> None:
    found[key] = found.get(key, 0) + n  # NULL and "unknown" may fall in one group


Counts = dict[tuple[str, ...], dict[tuple[Any, ...], int]]
PackCounts = Counts


# Groupings counted together: each pack is grouped by all its columns at once (a few thousand
# groups at most) and every table is then a marginal of one pack, summed here. Seven hash
# aggregations per row instead of one per table: the scan, not the counting, sets the pace.
PACKS: tuple[tuple[str, ...], ...] = (
    ("gbv_type", "month", "region", "delay", "health"),
    ("age_band", "adolescent", "sex", "marital_status", "displacement_status", "disability"),
    ("time_of_day", "place_type", "stage_of_displacement", "unaccompanied", "referred_by"),
    ("pathway_shelter", "pathway_health", "pathway_psychosocial", "pathway_legal"),
    ("pathway_security", "pathway_livelihoods", "pathway_child_protection", "perp_n", "agency"),
    (*(f"flag_{f}" for f in FLAGS), "perp_relationship"),
    ("perp_age_group", "perp_occupation", "perp_sex", "previous_gbv"),
)


def _count_packs(session: AnySession, scope: Scope, packs: Sequence[tuple[str, ...]]) -> PackCounts:
    rows = _counted_rows(session, scope)
    found: PackCounts = {pack: {} for pack in packs}
    if _dialect(session) != "postgresql":
        for pack in packs:
            dims = [rows.c[name] for name in pack]
            for row in session.execute(select(*dims, func.count()).group_by(*dims)):
                _tally(found[pack], _key(pack, row[:-1]), int(row[-1]))
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
        _tally(found[pack], _key(pack, [row[names.index(name)] for name in pack]), int(row[-1]))
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
            return _count_packs(own, replace(scope, period=period), packs)

    total: PackCounts = {pack: {} for pack in packs}
    with ThreadPoolExecutor(max_workers=2) as pool:
        for part in pool.map(count, _halves(scope.period)):
            for pack, found in part.items():
                for key, n in found.items():
                    total[pack][key] = total[pack].get(key, 0) + n
    return total


def _count_sets(session: AnySession, scope: Scope, sets: Sequence[tuple[str, ...]]) -> Counts:
    """Counts for each wanted grouping, as marginals of the packs that hold it. PostgreSQL counts
    all packs in one scan (GROUPING SETS); SQLite, which lacks them, in one query per pack."""
    packs = [pack for pack in PACKS if any(set(group) <= set(pack) for group in sets)]
    missing = [group for group in sets if not any(set(group) <= set(pack) for pack in packs)]
    if missing:
        raise ValueError(f"no pack holds {missing}")
    bind = session.get_bind()
    if _dialect(session) == "postgresql" and scope.period.months > 1 and isinstance(bind, Engine):
        pack_counts = _count_packs_in_parallel(bind, scope, packs)
    else:
        pack_counts = _count_packs(session, scope, packs)
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


def _month_keys(found: dict[tuple[Any, ...], int]) -> dict[tuple[Any, ...], int]:
    """(202511, type) → ("2026-11", type): the database counts months as numbers."""
    return {(f"{int(key[0]) // 100}-{int(key[0]) % 100:02d}", *key[1:]): n for key, n in found.items()}


Pairs = list[tuple[str, str]]
Found = dict[tuple[Any, ...], int]
Grouping = tuple[str, ...]


@dataclass(frozen=True)
class _Inputs:
    """What a table's rows, columns and cells are drawn from, once the packs are counted."""

    session: AnySession
    scope: Scope
    regions: Sequence[tuple[str, str]]
    service_types: Mapping[str, str]
    counts: Counts


Labels = Callable[[_Inputs], Pairs]


@dataclass(frozen=True)
class TableSpec:
    """One standard GBVIMS table, as data: the groupings it reads and how they lay out its cells."""

    id: str
    title: str
    rows: Labels
    groupings: tuple[Grouping, ...] = ()  # each must be held by one of PACKS
    cells: Callable[[_Inputs], Found] | None = None  # None: the one grouping, as counted
    columns: Labels | None = None  # None: one column, the number of incidents
    additive: bool = True  # rows partition the incidents (a total is meaningful)
    across_regions: bool = False  # only when no region is chosen and the regions are known


def _listed(mapping: dict[str, str], *extra: tuple[str, str]) -> Labels:
    """An options list read when the report is built, not at import: a deployment adds its
    country's places and occupations to some lists at start-up (options.adopt_country)."""
    return lambda _inputs: _codes(mapping, extra)


def _with_unrecorded(mapping: dict[str, str]) -> Labels:
    """An options list and, when it has no "unknown" answer of its own, a row for the answers
    nobody recorded (NULL_AS counts them as "unknown")."""
    return lambda _inputs: _codes(mapping, [] if "unknown" in mapping else [(UNKNOWN[0], options.NOT_RECORDED)])


def _fixed(pairs: Pairs) -> Labels:
    return lambda _inputs: pairs


def _counted_types(_inputs: _Inputs) -> Pairs:
    return [(code, name) for code, name in GBV_TYPES.items() if code != NON_GBV]  # never counted


def _period_months(inputs: _Inputs) -> Pairs:
    return _months(inputs.scope.period)


def _known_regions(inputs: _Inputs) -> Pairs:
    return list(inputs.regions)


def _gap_regions(inputs: _Inputs) -> Pairs:
    # No known region to show: one row for the country, as _gap_records counts without regions.
    chosen = [(code, name) for code, name in inputs.regions if not inputs.scope.region or code == inputs.scope.region]
    return chosen or [("ML", "Mali")]


def _gap_services(inputs: _Inputs) -> Pairs:
    return _codes(dict(inputs.service_types))


def _one_way(table_id: str, title: str, mapping: dict[str, str], name: str, unrecorded: bool = False) -> TableSpec:
    labels = _with_unrecorded(mapping) if unrecorded else _listed(mapping)
    return TableSpec(table_id, title, labels, groupings=((name,),))


def _context(inputs: _Inputs) -> Found:
    return {(f,): inputs.counts[(f"flag_{f}",)].get((1,), 0) for f in FLAGS}


def _delay(table_id: str, title: str, keep: Callable[[str, int], bool]) -> TableSpec:
    def cells(inputs: _Inputs) -> Found:
        found: Found = {}
        for (band, gbv_type, health), n in inputs.counts[("delay", "gbv_type", "health")].items():
            if keep(gbv_type, health):
                found[(band,)] = found.get((band,), 0) + n
        return found

    return TableSpec(table_id, title, _fixed(REPORT_DELAY), groupings=(("delay", "gbv_type", "health"),), cells=cells)


AGE_GROUPS: Pairs = [
    ("children", N_("Children (17 and under)")),
    ("adults", N_("Adults (18 and over)")),
    ("adolescents", N_("Adolescents (10–19)")),
    ("elderly", N_("Elderly (50 and over)")),
]


def _age_groups(inputs: _Inputs) -> Found:
    ages = inputs.counts[("age_band", "adolescent")]
    groups = {
        "children": sum(n for (band, _a), n in ages.items() if band in ("0-11", "12-17")),
        "adults": sum(n for (band, _a), n in ages.items() if band in ("18-49", "50+")),
        "adolescents": sum(n for (_b, adolescent), n in ages.items() if adolescent == 1),
        "elderly": sum(n for (band, _a), n in ages.items() if band == "50+"),
    }
    return {(name,): n for name, n in groups.items()}


def _pathway(counts: Counts) -> Found:
    """(service, status) → incidents: the referral table and the gap indicators both read it."""
    return {
        (service, status): n for service in PATHWAY_SERVICES for (status,), n in counts[(f"pathway_{service}",)].items()
    }


def _trend(inputs: _Inputs) -> Found:
    return _month_keys(inputs.counts[("month", "gbv_type")])


def _recorded_gaps(inputs: _Inputs) -> Found:
    return _gap_records(inputs.session, inputs.scope, bool(inputs.regions))


# The published tables, in the order the dashboard, the API and the files show them.
TABLES: tuple[TableSpec, ...] = (
    TableSpec("incidents_by_type", N_("Incidents by type of GBV"), _counted_types, groupings=(("gbv_type",),)),
    _one_way("incidents_by_time_of_day", N_("Incidents by time of day"), options.TIME_OF_DAY, "time_of_day"),
    _one_way("incidents_by_place", N_("Incidents by type of place"), options.PLACE_TYPE, "place_type"),
    TableSpec(
        "incidents_by_context",
        N_("Incidents by case context (an incident may have several)"),
        _listed(CONTEXT_FLAGS),
        groupings=tuple((f"flag_{f}",) for f in FLAGS),
        cells=_context,
        additive=False,
    ),
    _delay("report_delay_all", N_("Time between incident and report — all incidents"), lambda t, h: True),
    _delay("report_delay_rape", N_("Time between incident and report — rape"), lambda t, h: t == "rape"),
    _delay(
        "report_delay_rape_health",
        N_("Time between incident and report — rape, with health care referred or provided"),
        lambda t, h: t == "rape" and h == 1,
    ),
    TableSpec(
        "survivors_age_sex",
        N_("Survivors by age and sex"),
        _fixed(AGE_BANDS),
        groupings=(("age_band", "sex"),),
        columns=_listed(options.SEX),
    ),
    TableSpec(
        "survivors_age_groups",
        N_("Survivors in selected age groups (the groups overlap)"),
        _fixed(AGE_GROUPS),
        groupings=(("age_band", "adolescent"),),
        cells=_age_groups,
        additive=False,
    ),
    _one_way(
        "survivors_marital_status",
        N_("Survivors by marital status"),
        options.MARITAL_STATUS,
        "marital_status",
        unrecorded=True,
    ),
    _one_way(
        "survivors_displacement",
        N_("Survivors by displacement status"),
        options.DISPLACEMENT_STATUS,
        "displacement_status",
        unrecorded=True,
    ),
    _one_way(
        "survivors_stage_of_displacement",
        N_("Incidents by stage of displacement"),
        options.STAGE_OF_DISPLACEMENT,
        "stage_of_displacement",
        unrecorded=True,
    ),
    _one_way("survivors_disability", N_("Survivors by disability"), options.DISABILITY, "disability", unrecorded=True),
    _one_way(
        "survivors_vulnerable_children",
        N_("Unaccompanied, separated and other vulnerable children"),
        options.UNACCOMPANIED,
        "unaccompanied",
        unrecorded=True,
    ),
    _one_way(
        "referred_by",
        N_("Who referred the survivor (first point of contact)"),
        options.REFERRED_BY,
        "referred_by",
        unrecorded=True,
    ),
    _one_way(
        "perpetrators_relationship",
        N_("Primary alleged perpetrator: relationship to the survivor"),
        options.RELATIONSHIP,
        "perp_relationship",
        unrecorded=True,
    ),
    _one_way(
        "perpetrators_age_group",
        N_("Primary alleged perpetrator: age group"),
        options.AGE_GROUP,
        "perp_age_group",
        unrecorded=True,
    ),
    _one_way(
        "perpetrators_occupation",
        N_("Primary alleged perpetrator: main occupation"),
        options.OCCUPATION,
        "perp_occupation",
        unrecorded=True,
    ),
    _one_way(
        "perpetrators_number",
        N_("Incidents by number of alleged perpetrators"),
        options.PERPETRATOR_COUNT,
        "perp_n",
    ),
    _one_way(
        "perpetrators_sex",
        N_("Incidents by sex of the alleged perpetrators"),
        options.INCIDENT_PERPETRATOR_SEX,
        "perp_sex",
    ),
    TableSpec(
        "incidents_previous_gbv",
        N_("Incidents by previous GBV against the survivor"),
        _listed(options.YES_NO_UNKNOWN, NOT_RECORDED),
        groupings=(("previous_gbv",),),
    ),
    TableSpec(
        "referrals_by_service",
        N_("Referral pathway per service"),
        _listed(options.PATHWAY_SERVICES),
        groupings=tuple((f"pathway_{s}",) for s in PATHWAY_SERVICES),
        cells=lambda inputs: _pathway(inputs.counts),
        columns=_listed(options.PATHWAY_STATUS, NOT_RECORDED),
    ),
    TableSpec(
        "trend_by_month",
        N_("Incidents by month and type"),
        _period_months,
        groupings=(("month", "gbv_type"),),
        cells=_trend,
        columns=_counted_types,
    ),
    TableSpec(
        "incidents_by_region",
        N_("Incidents by region and type"),
        _known_regions,
        groupings=(("region", "gbv_type"),),
        columns=_counted_types,
        across_regions=True,
    ),
    # Counted from the gaps caseworkers recorded, not from the incidents' packs.
    TableSpec(
        "service_unavailable_records",
        N_("'Service unavailable' recorded by caseworkers, by region and service"),
        _gap_regions,
        cells=_recorded_gaps,
        columns=_gap_services,
    ),
)
# Read for the report's totals rather than for a table.
TOTALS: tuple[Grouping, ...] = (("gbv_type",), ("agency",))


def _table(spec: TableSpec, inputs: _Inputs) -> Table:
    rows = spec.rows(inputs)
    cols = spec.columns(inputs) if spec.columns is not None else None
    found = spec.cells(inputs) if spec.cells is not None else inputs.counts[spec.groupings[0]]
    if cols is None:
        matrix = [[found.get((r,), 0)] for r, _label in rows]
    else:
        matrix = [[found.get((r, c), 0) for c, _label in cols] for r, _label in rows]
    k = inputs.scope.k
    protected = protect(matrix, k) if spec.additive else _primary_only(matrix, k)
    return Table(spec.id, spec.title, rows, cols or COUNT, protected, spec.additive)


def build(
    session: AnySession,
    scope: Scope,
    regions: Sequence[tuple[str, str]] = (),
    service_types: Mapping[str, str] | None = None,
) -> Report:
    """Every standard table for the scope, each already disclosure-controlled. ``regions`` and
    ``service_types`` (code → label, for the table of services recorded as unavailable) are the
    deployment's: referral service types belong to the referral package, which gbvims does not
    import."""
    across_regions = bool(regions) and not scope.region
    specs = [spec for spec in TABLES if across_regions or not spec.across_regions]
    groupings = list(dict.fromkeys([*TOTALS, *(g for spec in specs for g in spec.groupings)]))
    counts = _count_sets(session, scope, groupings)
    inputs = _Inputs(session, scope, regions, service_types or {}, counts)
    total = sum(counts[("gbv_type",)].values())
    return Report(
        scope,
        tables=[_table(spec, inputs) for spec in specs],
        incidents=total if total == 0 or total >= scope.k else None,
        agencies=len(counts[("agency",)]),
        gaps=_gaps(_pathway(counts), scope.k),
    )


def _gap_records(session: AnySession, scope: Scope, by_region: bool) -> dict[tuple[Any, ...], int]:
    """Counts of the gaps caseworkers recorded, under the rules of the incident tables: the
    survivor's consent to reporting (the gap's copy of it), the agencies counted, the period, the
    region — and never a gap recorded for an incident found not to be GBV."""
    g = service_gaps.c
    day = func.date(g.recorded_at) if _dialect(session) != "postgresql" else func.cast(g.recorded_at, Date)
    conditions = [
        g.reporting_consent == true(),
        _agencies_counted(scope, g.agency_id),
        or_(g.incident_id.is_(None), incidents.c.gbv_type != NON_GBV),
        day >= scope.period.start,
        day <= scope.period.end,
    ]
    if scope.region:
        conditions.append(g.region_code == scope.region)
    region = g.region_code if by_region else literal("ML")
    stmt = (
        select(region, g.service_type, func.count())
        .select_from(
            service_gaps.join(agencies, agencies.c.id == g.agency_id).outerjoin(
                incidents, incidents.c.id == g.incident_id
            )
        )
        .where(and_(*conditions))
        .group_by(region, g.service_type)
    )
    return {(row[0], row[1]): int(row[2]) for row in session.execute(stmt)}


def _primary_only(matrix: list[list[int]], k: int) -> Protected:
    """Multi-response tables (an incident counts in several rows): no total is published, so
    each count stands alone and only small counts are hidden."""
    cells: list[list[int | None]] = [[None if 0 < v < k else v for v in row] for row in matrix]
    return Protected(cells=cells, row_totals=[None] * len(matrix), column_totals=[None] * len(matrix[0]), total=None)


GAP_SERVICES = ("health", "psychosocial", "legal", "security", "shelter")


def _gaps(pathway: dict[tuple[str, str], int], k: int) -> list[Gap]:
    """The strategy's indicators: for how many survivors a needed service was unavailable."""
    gaps = []
    for service in GAP_SERVICES:
        statuses = {status: n for (svc, status), n in pathway.items() if svc == service}
        # Needed: a recorded status other than "not applicable" (an unanswered line says nothing).
        needed = sum(n for status, n in statuses.items() if status not in ("not_applicable", NOT_RECORDED[0]))
        unavailable = statuses.get("service_unavailable", 0)
        protected = protect([[unavailable, needed - unavailable]], k)
        shown_needed, shown_unavailable = protected.row_totals[0], protected.cells[0][0]
        share = unavailable / needed if shown_needed and shown_unavailable is not None else None
        gaps.append(Gap(service, shown_needed, shown_unavailable, share))
    return gaps
