"""Anonymized child protection (CP) and MRM statistics, for the CP sub-cluster lead: counted by
the database (GROUP BY) from coded columns only, protected exactly as the GBVIMS tables are
(module ``lattice``: one decision for a whole year of a scope, audited by linear programming),
and read through the same report and table types (module ``aggregates``).

Like ``aggregates``, this module declares its own minimal view of the tables — the coded
columns it counts, nothing else — and imports nothing that holds a key. The code lists of child
protection belong to ``cpims`` and the referral service types to the referral package, which
gbvims does not import: the app passes them in (``CpCodes``).

Counting rules (docs/child_protection_statistics.md):

- *Cases*: child protection cases (kind "cp"; never a GBV case) with consent to
  non-identifiable reporting, not erased, from the agencies counted (across agencies, those
  that signed the Information Sharing Protocol; a supervisor's report, their own agency),
  registered in the period (the date of registration, UTC). By protection concern (a case counts
  once under each of its concerns: those rows do not add up), risk level, the child's age at
  registration and sex, region, and status today.
- *Referrals*: of those cases (whenever registered), sent in the period, by service type.
- *Reunifications*: of those cases, the tracing steps "reunification" dated in the period.
- *Grave violations (MRM)*: dated in the period, with the consent the violation carries (the
  case's, copied), from the agencies counted; by violation and the child's sex and age band,
  and by region and quarter.

A code nobody recorded (NULL) is counted as "not recorded" where a table shows it (risk level,
type of reunification); an age nobody recorded falls in the last age band, "18 and over, or
unknown" (a CP case is a child's: an age of 18 or more is a recording error to be seen, not a
group of its own).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    DateTime,
    Subquery,
    and_,
    case,
    column,
    func,
    literal,
    select,
    table,
    true,
)

from . import options
from .aggregates import (
    REGION_TIME,
    AnySession,
    Frame,
    Pairs,
    Report,
    Scope,
    TableSpec,
    _agencies_counted,
    _fixed,
    _Inputs,
    _known_regions,
    _leaf_counts,
    _month,
    _protect_year,
    _same,
    _table,
    _tally,
    agencies,
    agencies_in,
    frame,
)
from .families import NOT_RECORDED, OTHER, Counted, flag, one_way
from .labels import N_
from .lattice import Family
from .period import Period

CP_KIND = "cp"
CHILDREN, VIOLATIONS = "children", "violations"  # what the tables count: a CP case is one child
REUNIFICATION = "reunification"  # the tracing step that is a reunification

cases = table(
    "cases",
    *(
        column(name)
        for name in (
            "id",
            "kind",
            "agency_id",
            "region_code",
            "status",
            "risk_level",
            "consent_reporting",
            "created_at",
            "purged_at",
        )
    ),
)
survivors = table("survivors", column("case_id"), column("sex"), column("age_at_registration"))
child_concerns = table("child_concerns", column("case_id"), column("concern"))
referrals = table("referrals", column("case_id"), column("service_type"), column("sent_at"))
tracing_steps = table("tracing_steps", column("case_id"), column("step"), column("date"), column("reunification_type"))
grave_violations = table(
    "grave_violations",
    *(column(name) for name in ("case_id", "violation", "date", "agency_id", "region_code", "reporting_consent")),
)


@dataclass(frozen=True)
class CpCodes:
    """The deployment's code lists (code → English label), from ``cpims`` and the referral
    package: the rows of the tables, in their order."""

    concerns: Mapping[str, str]
    violations: Mapping[str, str]
    reunification_types: Mapping[str, str]
    service_types: Mapping[str, str]


# The child's age at registration, by the bands of child protection reporting.
UNKNOWN_BAND = "18+/unknown"
AGE_BANDS: Pairs = [
    ("0-5", "0–5"),
    ("6-11", "6–11"),
    ("12-14", "12–14"),
    ("15-17", "15–17"),
    (UNKNOWN_BAND, N_("18 and over, or unknown")),
]
BANDS = tuple(code for code, _label in AGE_BANDS)
SEXES = (*options.SEX, OTHER)  # a sex outside the list (none is expected): counted, never shown apart
NOT_RECORDED_ROW = (NOT_RECORDED, options.NOT_RECORDED)

# Family ids. The cases family decides where the number of cases is shown (``aggregates``).
CASES = "cp_cases"
RISK = "cp_risk"
AGES = "cp_ages"
CONCERN = "cp_concern:"
REFERRALS = "cp_referrals"
REUNIFICATIONS = "cp_reunifications"
MRM = "mrm"


def _band(age: ColumnElement[Any]) -> ColumnElement[Any]:
    return case(
        (age.is_(None), UNKNOWN_BAND),
        (age < 0, UNKNOWN_BAND),
        (age <= 5, "0-5"),
        (age <= 11, "6-11"),
        (age <= 14, "12-14"),
        (age <= 17, "15-17"),
        else_=UNKNOWN_BAND,
    )


def _on_days(day: ColumnElement[Any], period: Period) -> ColumnElement[bool]:
    """A date column within the period."""
    return and_(day >= literal(period.start, Date()), day <= literal(period.end, Date()))


def _at_times(moment: ColumnElement[Any], period: Period) -> ColumnElement[bool]:
    """A UTC timestamp within the period's days (a range on the column: its index serves)."""
    start = dt.datetime.combine(period.start, dt.time())
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time())
    return and_(moment >= literal(start, DateTime()), moment < literal(end, DateTime()))


def _cases_counted(scope: Scope) -> ColumnElement[bool]:
    """The child protection cases whose records count, whenever registered (joined to agencies)."""
    c = cases.c
    return and_(
        c.kind == CP_KIND,
        c.consent_reporting == true(),
        c.purged_at.is_(None),
        _agencies_counted(scope, c.agency_id),
    )


def _cases_from() -> Any:
    return cases.join(agencies, agencies.c.id == cases.c.agency_id)


# --- Counting: every count keyed (coded values …, YYYYMM, region, agency), as ``aggregates`` ---

CASE_VALUES = ("status", "risk", "band", "sex")
Found = dict[tuple[Any, ...], int]


def _registered(session: AnySession, scope: Scope) -> Subquery:
    """One row per counted case registered in the period: its coded values and lattice dims."""
    c, s = cases.c, survivors.c
    return (
        select(
            c.id.label("id"),
            c.status.label("status"),
            c.risk_level.label("risk"),
            _band(s.age_at_registration).label("band"),
            s.sex.label("sex"),
            _month(session, c.created_at).label("month"),
            c.region_code.label("region"),
            c.agency_id.label("agency"),
        )
        .select_from(_cases_from().outerjoin(survivors, s.case_id == c.id))
        .where(_cases_counted(scope), _at_times(c.created_at, scope.period))
        .subquery("cp_registered")
    )


def _grouped(session: AnySession, rows: Subquery, names: Sequence[str]) -> Found:
    dims = [rows.c[name] for name in names]
    return {tuple(row[:-1]): int(row[-1]) for row in session.execute(select(*dims, func.count()).group_by(*dims))}


def _case_counts(session: AnySession, scope: Scope, concerns: Sequence[str]) -> tuple[Found, Found]:
    """The registered cases by (status, risk, band, sex, month, region, agency); and by
    (concern, month, region, agency), a case once under each of its concerns."""
    registered = _registered(session, scope)
    dims = ("month", "region", "agency")
    found = _grouped(session, registered, (*CASE_VALUES, *dims))
    k = child_concerns.c
    concern_rows = (
        select(k.concern.label("concern"), *(registered.c[name] for name in dims))
        .select_from(child_concerns.join(registered, registered.c.id == k.case_id))
        .where(k.concern.in_(list(concerns)))
        .subquery("cp_concerns")
    )
    return found, _grouped(session, concern_rows, ("concern", *dims))


def _referral_counts(session: AnySession, scope: Scope) -> Found:
    """Referrals of the counted cases sent in the period: (service type, month, region, agency),
    the case's region and agency."""
    r, c = referrals.c, cases.c
    month = _month(session, r.sent_at)
    stmt = (
        select(r.service_type, month, c.region_code, c.agency_id, func.count())
        .select_from(referrals.join(_cases_from(), c.id == r.case_id))
        .where(_cases_counted(scope), r.sent_at.is_not(None), _at_times(r.sent_at, scope.period))
        .group_by(r.service_type, month, c.region_code, c.agency_id)
    )
    return {tuple(row[:4]): int(row[4]) for row in session.execute(stmt)}


def _reunification_counts(session: AnySession, scope: Scope) -> Found:
    """Reunifications of the counted cases dated in the period: (type, month, region, agency)."""
    t, c = tracing_steps.c, cases.c
    month = _month(session, t.date)
    stmt = (
        select(t.reunification_type, month, c.region_code, c.agency_id, func.count())
        .select_from(tracing_steps.join(_cases_from(), c.id == t.case_id))
        .where(_cases_counted(scope), t.step == REUNIFICATION, _on_days(t.date, scope.period))
        .group_by(t.reunification_type, month, c.region_code, c.agency_id)
    )
    found: Found = {}
    for row in session.execute(stmt):
        _tally(found, (row[0] or NOT_RECORDED, *row[1:4]), int(row[4]))
    return found


def _violation_counts(session: AnySession, scope: Scope) -> Found:
    """Grave violations dated in the period: (violation, sex, band, month, region, agency); the
    violation's own copy of the consent, agency and region; the child's sex and age band."""
    g, s = grave_violations.c, survivors.c
    rows = (
        select(
            g.violation.label("violation"),
            s.sex.label("sex"),
            _band(s.age_at_registration).label("band"),
            _month(session, g.date).label("month"),
            g.region_code.label("region"),
            g.agency_id.label("agency"),
        )
        .select_from(
            grave_violations.join(agencies, agencies.c.id == g.agency_id).outerjoin(survivors, s.case_id == g.case_id)
        )
        .where(g.reporting_consent == true(), _agencies_counted(scope, g.agency_id), _on_days(g.date, scope.period))
        .subquery("mrm_counted")
    )
    return _grouped(session, rows, ("violation", "sex", "band", "month", "region", "agency"))


def _project(found: Found, names: Sequence[str], keep: Sequence[str]) -> Found:
    """The counts by some of the coded values (and the lattice dims, which follow them)."""
    positions = [names.index(name) for name in keep]
    out: Found = {}
    for key, n in found.items():
        projected = (*(key[i] for i in positions), *key[len(names) :])
        out[projected] = out.get(projected, 0) + n
    return out


# --- Families (module ``families``): the cells the tables show, and what those imply ---


def _age_sex(family_id: str) -> Counted:
    """Age band by sex: the table, its totals and the lines that tie them."""
    atoms = [(band, sex) for band in BANDS for sex in SEXES]
    cells: dict[str, frozenset[Hashable]] = {"total": frozenset(atoms)}
    for band in BANDS:
        cells[f"age:{band}"] = frozenset(a for a in atoms if a[0] == band)
        for sex in SEXES:
            cells[f"age:{band}:{sex}"] = frozenset({(band, sex)})
    for sex in SEXES:
        cells[f"sex:{sex}"] = frozenset(a for a in atoms if a[1] == sex)
    lines = (
        ("total", tuple(f"age:{band}" for band in BANDS)),
        ("total", tuple(f"sex:{sex}" for sex in SEXES)),
        *((f"age:{band}", tuple(f"age:{band}:{sex}" for sex in SEXES)) for band in BANDS),
        *((f"sex:{sex}", tuple(f"age:{band}:{sex}" for band in BANDS)) for sex in SEXES),
    )
    shown = frozenset(
        (
            "total",
            *(f"age:{band}" for band in BANDS),
            *(f"sex:{sex}" for sex in options.SEX),
            *(f"age:{band}:{sex}" for band in BANDS for sex in options.SEX),
        )
    )
    family = Family(family_id, cells, lines, shown)
    family.check()
    return Counted(family, ("band", "sex"), lambda values: (_in(values[0], BANDS, UNKNOWN_BAND), _in(values[1], SEXES)))


def _in(value: Any, known: Sequence[str], other: str = OTHER) -> str:
    return value if value in known else other


def _violations(codes: Sequence[str]) -> Counted:
    """Grave violations by type, the child's sex and age band: one family, since both tables
    show the violations' totals (and the regions' table too, at every region and quarter)."""
    kinds = (*codes, OTHER)
    atoms = [(v, sex, band) for v in kinds for sex in SEXES for band in BANDS]
    cells: dict[str, frozenset[Hashable]] = {"total": frozenset(atoms)}
    for v in kinds:
        cells[f"viol:{v}"] = frozenset(a for a in atoms if a[0] == v)
        for sex in SEXES:
            cells[f"viol:{v}:sex:{sex}"] = frozenset(a for a in atoms if a[0] == v and a[1] == sex)
        for band in BANDS:
            cells[f"viol:{v}:age:{band}"] = frozenset(a for a in atoms if a[0] == v and a[2] == band)
    for sex in SEXES:
        cells[f"sex:{sex}"] = frozenset(a for a in atoms if a[1] == sex)
    for band in BANDS:
        cells[f"age:{band}"] = frozenset(a for a in atoms if a[2] == band)
    lines = (
        ("total", tuple(f"viol:{v}" for v in kinds)),
        ("total", tuple(f"sex:{sex}" for sex in SEXES)),
        ("total", tuple(f"age:{band}" for band in BANDS)),
        *((f"viol:{v}", tuple(f"viol:{v}:sex:{sex}" for sex in SEXES)) for v in kinds),
        *((f"viol:{v}", tuple(f"viol:{v}:age:{band}" for band in BANDS)) for v in kinds),
        *((f"sex:{sex}", tuple(f"viol:{v}:sex:{sex}" for v in kinds)) for sex in SEXES),
        *((f"age:{band}", tuple(f"viol:{v}:age:{band}" for v in kinds)) for band in BANDS),
    )
    shown = frozenset(
        (
            "total",
            *(f"viol:{v}" for v in codes),
            *(f"sex:{sex}" for sex in options.SEX),
            *(f"age:{band}" for band in BANDS),
            *(f"viol:{v}:sex:{sex}" for v in codes for sex in options.SEX),
            *(f"viol:{v}:age:{band}" for v in codes for band in BANDS),
        )
    )
    family = Family(MRM, cells, lines, shown)
    family.check()
    return Counted(
        family,
        ("violation", "sex", "band"),
        lambda values: (_in(values[0], codes), _in(values[1], SEXES), _in(values[2], BANDS, UNKNOWN_BAND)),
    )


def _risk_rows() -> Pairs:
    return [*options.RISK_LEVEL.items(), NOT_RECORDED_ROW]


def _reunification_rows(codes: CpCodes) -> Pairs:
    return [*codes.reunification_types.items(), NOT_RECORDED_ROW]


def cp_families(codes: CpCodes) -> list[Counted]:
    """Every CP family: the cases (by status) first, since they decide the number of cases shown;
    the referrals and reunifications, counted in units of their own, last."""
    return [
        one_way(CASES, "status", list(options.CASE_STATUS)),
        one_way(RISK, "risk", [code for code, _label in _risk_rows()]),
        _age_sex(AGES),
        *(flag(f"{CONCERN}{code}", "concern") for code in codes.concerns),
        replace(one_way(REFERRALS, "service_type", list(codes.service_types)), own_total=True),
        replace(
            one_way(REUNIFICATIONS, "reunification_type", [code for code, _label in _reunification_rows(codes)]),
            own_total=True,
        ),
    ]


def _cp_leaves(session: AnySession, scope: Scope, codes: CpCodes, families: Sequence[Counted]) -> dict[str, Any]:
    by_id = {counted.family.id: counted for counted in families}
    raw, concerns = _case_counts(session, scope, list(codes.concerns))
    found: Found = {}
    for (status, risk, *rest), n in raw.items():
        _tally(found, (status, risk or NOT_RECORDED, *rest), n)
    leaves: dict[str, Any] = {
        CASES: _leaf_counts(by_id[CASES], _project(found, CASE_VALUES, ("status",))),
        RISK: _leaf_counts(by_id[RISK], _project(found, CASE_VALUES, ("risk",))),
        AGES: _leaf_counts(by_id[AGES], _project(found, CASE_VALUES, ("band", "sex"))),
    }
    # A concern family's atoms: the cases with it (1) and the others (0): every case is in one.
    registered = _project(found, CASE_VALUES, ())
    for code in codes.concerns:
        yes = {key[1:]: n for key, n in concerns.items() if key[0] == code}
        with_it = {(1, *dims): n for dims, n in yes.items()}
        without = {(0, *dims): n - yes.get(dims, 0) for dims, n in registered.items()}
        leaves[f"{CONCERN}{code}"] = _leaf_counts(by_id[f"{CONCERN}{code}"], {**with_it, **without})
    leaves[REFERRALS] = _leaf_counts(by_id[REFERRALS], _referral_counts(session, scope))
    leaves[REUNIFICATIONS] = _leaf_counts(by_id[REUNIFICATIONS], _reunification_counts(session, scope))
    return leaves


# --- The published tables ---


def _counted_as(label: str) -> Pairs:
    return [("count", label)]


def _region_times(inputs: _Inputs) -> Pairs:
    """A row per region (the chosen one, or every known one) and quarter of the period (the
    period itself when shorter than a quarter: a region's month is never published)."""
    period = inputs.scope.period
    if period.kind == "year":
        times = [f"{period.start.year}-Q{q}" for q in range(1, 5)]
    else:
        times = [inputs.time]
    regions = [(code, name) for code, name in inputs.regions if not inputs.scope.region or code == inputs.scope.region]
    return [(f"{code}{REGION_TIME}{time}", f"{name} — {time}") for code, name in regions for time in times]


def cp_tables(codes: CpCodes) -> tuple[TableSpec, ...]:
    """The CP tables, in the order the dashboard, the API and the files show them."""
    return (
        TableSpec(
            "cp_cases_by_concern",
            N_("Cases by protection concern (a case may have several)"),
            _fixed(list(codes.concerns.items())),
            lambda row: f"{CONCERN}{row}",
            lambda _row, _c: "yes",
            columns=_fixed(_counted_as(N_("Cases"))),
            additive=False,
            unit=CHILDREN,
        ),
        TableSpec(
            "cp_cases_by_risk",
            N_("Cases by risk level"),
            _fixed(_risk_rows()),
            _same(RISK),
            lambda row, _c: f"code:{row}",
            columns=_fixed(_counted_as(N_("Cases"))),
            unit=CHILDREN,
        ),
        TableSpec(
            "cp_children_age_sex",
            N_("Children by age at registration and sex"),
            _fixed(AGE_BANDS),
            _same(AGES),
            lambda row, column: f"age:{row}:{column}",
            columns=_fixed(list(options.SEX.items())),
            row_total=lambda row: f"age:{row}",
            column_total=lambda column: f"sex:{column}",
            unit=CHILDREN,
        ),
        TableSpec(
            "cp_cases_by_region",
            N_("Cases by region"),
            _known_regions,
            _same(CASES),
            lambda _row, _c: "total",
            columns=_fixed(_counted_as(N_("Cases"))),
            layout="regions",
            across_regions=True,
            unit=CHILDREN,
        ),
        TableSpec(
            "cp_cases_by_status",
            N_("Cases by status today"),
            _fixed(list(options.CASE_STATUS.items())),
            _same(CASES),
            lambda row, _c: f"code:{row}",
            columns=_fixed(_counted_as(N_("Cases"))),
            unit=CHILDREN,
        ),
        TableSpec(
            "cp_referrals_by_service",
            N_("Referrals sent, by service type"),
            _fixed(list(codes.service_types.items())),
            _same(REFERRALS),
            lambda row, _c: f"code:{row}",
            columns=_fixed(_counted_as(N_("Referrals"))),
            unit="referrals",
        ),
        TableSpec(
            "cp_reunifications",
            N_("Family reunifications, by type"),
            _fixed(_reunification_rows(codes)),
            _same(REUNIFICATIONS),
            lambda row, _c: f"code:{row}",
            columns=_fixed(_counted_as(N_("Reunifications"))),
            unit="reunifications",
        ),
    )


def mrm_tables(codes: CpCodes) -> tuple[TableSpec, ...]:
    """The MRM tables: violations by the child's sex and age band, and by region and quarter."""
    violations = _fixed(list(codes.violations.items()))
    return (
        TableSpec(
            "mrm_violations_by_sex",
            N_("Grave violations by type and sex of the child"),
            violations,
            _same(MRM),
            lambda row, column: f"viol:{row}:sex:{column}",
            columns=_fixed(list(options.SEX.items())),
            row_total=lambda row: f"viol:{row}",
            column_total=lambda column: f"sex:{column}",
            unit=VIOLATIONS,
        ),
        TableSpec(
            "mrm_violations_by_age",
            N_("Grave violations by type and age of the child"),
            violations,
            _same(MRM),
            lambda row, column: f"viol:{row}:age:{column}",
            columns=_fixed(AGE_BANDS),
            row_total=lambda row: f"viol:{row}",
            column_total=lambda column: f"age:{column}",
            unit=VIOLATIONS,
        ),
        TableSpec(
            "mrm_violations_by_region",
            N_("Grave violations by region, quarter and type"),
            _region_times,
            _same(MRM),
            lambda _row, column: f"viol:{column}",
            columns=violations,
            row_total=lambda _row: "total",
            column_total=lambda column: f"viol:{column}",
            layout="region_times",
            unit=VIOLATIONS,
        ),
    )


def _report(
    kind: str,
    scope: Scope,
    where: Frame,
    regions: Sequence[tuple[str, str]],
    codes: CpCodes,
    specs: Sequence[TableSpec],
    protections: dict[str, Any],
    base: str,
    base_leaves: Mapping[Any, int],
) -> Report:
    inputs = _Inputs(scope, regions, codes.service_types, protections, where.time, where.area)
    tables = [_table(spec, inputs) for spec in specs if where.across_regions or not spec.across_regions]
    return Report(
        scope,
        tables=[table for table in tables if table.rows],
        counted=inputs.value(base, "total"),
        agencies=agencies_in(where, base_leaves),
        protections=protections,
        kind=kind,
    )


def build_cp(
    session: AnySession,
    scope: Scope,
    regions: Sequence[tuple[str, str]],
    codes: CpCodes,
    wait: float | None = None,
) -> Report:
    """Every CP table for the scope (``Report.counted``: the cases), read from its year
    protected as a whole, as ``aggregates.build`` reads the GBVIMS tables. ``wait``: seconds to
    wait for the year's protection (``aggregates.Preparing`` after that)."""
    where = frame(scope, regions)
    families = cp_families(codes)
    leaves = _cp_leaves(session, where.year, codes, families)
    protections = _protect_year(where.lattice, families, leaves, scope.k, scope.agency_id is None, wait)
    return _report("cp", scope, where, regions, codes, cp_tables(codes), protections, CASES, leaves[CASES])


def build_mrm(
    session: AnySession,
    scope: Scope,
    regions: Sequence[tuple[str, str]],
    codes: CpCodes,
    wait: float | None = None,
) -> Report:
    """Every MRM table for the scope (``Report.counted``: the grave violations)."""
    where = frame(scope, regions)
    violations = _violations(list(codes.violations))
    leaves = {MRM: _leaf_counts(violations, _violation_counts(session, where.year))}
    protections = _protect_year(where.lattice, [violations], leaves, scope.k, scope.agency_id is None, wait)
    return _report("mrm", scope, where, regions, codes, mrm_tables(codes), protections, MRM, leaves[MRM])
