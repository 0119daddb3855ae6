"""The maintained aggregate: every GBVIMS table's coded counts per month × region × agency, kept
in ``statistics_counts`` so that a report reads a year's thousands of counts instead of counting
its incidents again.

Counts change in the transaction of the incident write that changes them (the app's
``app/stats/upkeep.py`` hands the incidents touched to ``contribution`` before and after, and
``add`` the difference), so a report never sees an incident its counts do not, and a rolled-back
write changes nothing. The rules are this package's alone: a contribution is counted by the same
query as the raw count (``aggregates.counted_rows``), and ``rebuild``/``differences`` compare
with that count in full. The aggregate keeps every agency, signed or not; the Information
Sharing Protocol is applied when a report reads it, as for the raw count.

Like ``aggregates``, this module names coded columns only and imports nothing that holds a key.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, column, delete, insert, or_, select, table, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .aggregates import (
    GAP_RECORDS,
    LATTICE_DIMS,
    NULL_AS,
    AnySession,
    Counts,
    Scope,
    agencies,
    count_sets,
    countable,
    counted_rows,
    gap_counts,
    incidents,
    key_of,
    service_gaps,
)
from .families import incident_families
from .period import Period

GROUPINGS: tuple[tuple[str, ...], ...] = tuple((*c.columns, *LATTICE_DIMS) for c in incident_families())
# Change RULES with any change to how an incident is counted: a stale aggregate is then rebuilt
# before it is read (the groupings and the NULL mapping are part of the fingerprint already).
RULES = "2026-11 incidents by interview month, recorded gaps by month recorded"
FINGERPRINT = hashlib.sha256(repr((RULES, GROUPINGS, sorted(NULL_AS.items()))).encode()).hexdigest()[:32]

counts = table(
    "statistics_counts",
    column("month"),
    column("agency_id"),
    column("region"),
    column("dimension"),
    column("key"),
    column("n"),
)
state = table("statistics_state", column("id"), column("built_for"), column("built_at"))
UNIQUE = ("month", "agency_id", "region", "dimension", "key")
ALL_TIME = Scope(Period(dt.date(1, 1, 1), dt.date(9999, 12, 31), "all"))

# (grouping, its values as JSON, YYYYMM, region, agency) → incidents
Tally = dict[tuple[str, str, int, str, int], int]


def _name(grouping: Sequence[str]) -> str:
    return ",".join(grouping[: -len(LATTICE_DIMS)])


GAP_DIMENSION = (GAP_RECORDS, *LATTICE_DIMS)  # recorded gaps, by service


def _entry(grouping: Sequence[str], key: Sequence[Any]) -> tuple[str, str, int, str, int]:
    *values, month, region, agency = key
    return _name(grouping), json.dumps(values, separators=(",", ":")), int(month), str(region), int(agency)


def contribution(
    session: AnySession,
    *,
    ids: Collection[str] = (),
    case_ids: Collection[str] = (),
    gap_ids: Collection[int] = (),
) -> Tally:
    """What these incidents and recorded gaps add to the aggregate as they are now in the
    transaction — the incidents by id, the gaps by id or recorded for one of these incidents,
    everything of these cases — read by the raw count's own queries."""
    tally: Tally = {}
    chosen: list[ColumnElement[bool]] = []
    if ids:
        chosen.append(incidents.c.id.in_(list(ids)))
    if case_ids:
        chosen.append(incidents.c.case_id.in_(list(case_ids)))
    if chosen:
        rows = counted_rows(session, and_(countable(), or_(*chosen)))
        for row in session.execute(select(rows)).mappings():
            for grouping in GROUPINGS:
                entry = _entry(grouping, key_of(grouping, [row[name] for name in grouping]))
                tally[entry] = tally.get(entry, 0) + 1
    g = service_gaps.c
    gaps = [
        condition
        for condition, wanted in (
            (g.id.in_(list(gap_ids)), gap_ids),
            (g.incident_id.in_(list(ids)), ids),  # a reclassified incident moves its gaps in or out
            (g.case_id.in_(list(case_ids)), case_ids),
        )
        if wanted
    ]
    if gaps:
        for key, n in gap_counts(session, None, or_(*gaps)).items():
            entry = _gap_entry(key)
            tally[entry] = tally.get(entry, 0) + n
    return tally


def _gap_entry(key: Sequence[Any]) -> tuple[str, str, int, str, int]:
    service, month, region, agency = key
    return GAP_RECORDS, json.dumps([service]), int(month), region or "", int(agency)


def difference(after: Tally, before: Tally) -> Tally:
    changed = {entry: after.get(entry, 0) - before.get(entry, 0) for entry in after.keys() | before.keys()}
    return {entry: n for entry, n in changed.items() if n}


def _upsert(session: AnySession, rows: list[dict[str, Any]]) -> Any:
    dialect = session.get_bind().dialect.name
    stmt = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(counts).values(rows)
    return stmt.on_conflict_do_update(
        index_elements=[counts.c[name] for name in UNIQUE], set_={"n": counts.c.n + stmt.excluded.n}
    )


def is_current(session: AnySession, *, share: bool = False) -> bool:
    """Whether the aggregate was built, for these counting rules."""
    stmt = select(state.c.built_for).where(state.c.id == 1)
    if share:
        stmt = stmt.with_for_update(read=True)  # a rebuild waits for this transaction, and it for a rebuild
    return session.execute(stmt).scalar() == FINGERPRINT


def add(session: AnySession, change: Tally) -> None:
    """Add a write's change to the counts, in the write's transaction. Nothing to do before the
    aggregate is first built (the build will count the write)."""
    if not change or not is_current(session, share=True):
        return
    # One statement; rows in the unique index's order, so two writers lock shared rows alike.
    ordered = sorted(change.items(), key=lambda item: (item[0][2], item[0][4], item[0][3], item[0][0], item[0][1]))
    rows = [
        {"month": m, "agency_id": a, "region": r, "dimension": g, "key": k, "n": n} for (g, k, m, r, a), n in ordered
    ]
    session.execute(_upsert(session, rows))


def _lock_state(session: AnySession) -> None:
    if session.execute(select(state.c.id).where(state.c.id == 1)).first() is None:
        session.execute(insert(state).values(id=1, built_for="", built_at=dt.datetime.now(dt.UTC)))
    session.execute(select(state.c.id).where(state.c.id == 1).with_for_update())


def rebuild(session: AnySession) -> int:
    """Count every incident again, for every agency and month, and replace the aggregate (the
    state row locked: writers wait, then add their changes on top). Returns the rows written."""
    _lock_state(session)
    return _replace(session)


def _replace(session: AnySession) -> int:
    session.execute(delete(counts))
    rows = [
        {"month": m, "agency_id": a, "region": r, "dimension": g, "key": k, "n": n}
        for (g, k, m, r, a), n in _raw(session).items()
    ]
    for start in range(0, len(rows), 5000):
        session.execute(insert(counts), rows[start : start + 5000])
    built = {"built_for": FINGERPRINT, "built_at": dt.datetime.now(dt.UTC)}
    session.execute(update(state).where(state.c.id == 1).values(**built))
    return len(rows)


def _raw(session: AnySession) -> Tally:
    tally: Tally = {_gap_entry(key): n for key, n in gap_counts(session, None).items() if n}
    for grouping, found in count_sets(session, ALL_TIME, GROUPINGS, where=countable()).items():
        for key, n in found.items():
            if n:
                entry = _entry(grouping, key)
                tally[entry] = tally.get(entry, 0) + n
    return tally


def _stored(session: AnySession, groupings: Iterable[Sequence[str]], *conditions: ColumnElement[bool]) -> Tally:
    names = [_name(grouping) for grouping in groupings]
    stmt = select(counts.c.dimension, counts.c.key, counts.c.month, counts.c.region, counts.c.agency_id, counts.c.n)
    stmt = stmt.where(counts.c.dimension.in_(names), counts.c.n != 0, *conditions)
    return {(g, k, int(m), r, int(a)): int(n) for g, k, m, r, a, n in session.execute(stmt).all()}


@functools.lru_cache(maxsize=65536)
def _values(key: str) -> tuple[Any, ...]:
    """A key's coded values (a few hundred distinct keys, read thousands of times a report)."""
    return tuple(json.loads(key))


def differences(session: AnySession) -> list[str]:
    """Every count where the aggregate and a full recount disagree (empty: they agree)."""
    stored, raw = _stored(session, [*GROUPINGS, GAP_DIMENSION]), _raw(session)
    return [
        f"{g} {k} month {m} region {r} agency {a}: aggregate {stored.get(entry, 0)}, incidents {raw.get(entry, 0)}"
        for entry in sorted(stored.keys() | raw.keys())
        for g, k, m, r, a in [entry]
        if stored.get(entry, 0) != raw.get(entry, 0)
    ]


def _month_number(day: dt.date) -> int:
    return day.year * 100 + day.month


def ensure_built(session: AnySession) -> None:
    """Build the aggregate if it was never built, or built for other rules (after an upgrade),
    in a transaction of its own, committed at once (the caller may only be reading, or may stop
    with "still preparing"); a second first report waits for the lock, then finds it built."""
    if is_current(session):
        return
    with Session(session.get_bind()) as own, own.begin():
        _lock_state(own)
        if not is_current(own):
            _replace(own)


def stored_counts(session: AnySession, scope: Scope, groupings: Sequence[tuple[str, ...]]) -> Counts:
    """The scope's counts for each grouping, in ``count_sets``'s shape, from the aggregate."""
    ensure_built(session)
    conditions = _scope_conditions(scope)
    by_name = {_name(grouping): grouping for grouping in groupings}
    found: Counts = {grouping: {} for grouping in groupings}
    for (g, k, m, r, a), n in _stored(session, groupings, *conditions).items():
        found[by_name[g]][(*_values(k), m, r, a)] = n
    return found


def stored_gaps(session: AnySession, scope: Scope) -> dict[tuple[Any, ...], int]:
    """The scope's recorded gaps, in ``gap_counts``'s shape, from the aggregate."""
    ensure_built(session)
    stored = _stored(session, [GAP_DIMENSION], *_scope_conditions(scope))
    return {(_values(k)[0], m, r or None, a): n for (_g, k, m, r, a), n in stored.items()}


def _scope_conditions(scope: Scope) -> list[ColumnElement[bool]]:
    conditions = [
        counts.c.month >= _month_number(scope.period.start),
        counts.c.month <= _month_number(scope.period.end),
    ]
    if scope.agency_id is not None:
        conditions.append(counts.c.agency_id == scope.agency_id)
    else:
        conditions.append(counts.c.agency_id.in_(select(agencies.c.id).where(agencies.c.isp_signed == true())))
    if scope.region:
        conditions.append(counts.c.region == scope.region)
    return conditions
