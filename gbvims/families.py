"""The published tables' counts, grouped into families that share them (see ``lattice``).

A family is one classification of the counted incidents — every incident in exactly one atom —
with every cell some table shows, the cells those imply (a total minus what is shown), and the
lines that tie them (a total and the parts that make it). Two tables whose counts can be
subtracted from each other belong to one family: the three delay tables and the types (the
rapes are a row of one and the total of another); age by sex and the overlapping age groups.
Families that share nothing but the number of incidents are linked through it: that total is
decided once, in the incidents family, and every other family shows it where that one does.

Cell names: ``total``; ``code:<code>`` in one-way families; the others say what they hold.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from . import options
from .classification import CONTEXT_FLAGS, GBV_TYPES, NON_GBV
from .lattice import Family

NOT_RECORDED = "not_recorded"  # a coded answer nobody recorded, where the IRF has an "unknown" of its own
OTHER = "?"  # a value outside the code list (none is expected): counted, never shown apart

COUNTED_TYPES = tuple(code for code in GBV_TYPES if code != NON_GBV)
TYPES = (*COUNTED_TYPES, OTHER)
DELAYS = ("0-3", "4-5", "6-14", "15-30", "31+")
AGE_BANDS = ("0-11", "12-17", "18-49", "50+", "unknown")
# The finest age cells the tables need: the bands, cut where adolescence (10–19) starts and ends.
FINE_AGES: dict[str, str] = {
    "0-9": "0-11",
    "10-11": "0-11",
    "12-17": "12-17",
    "18-19": "18-49",
    "20-49": "18-49",
    "50+": "50+",
    "unknown": "unknown",
}
ADOLESCENT_AGES = ("10-11", "12-17", "18-19")
AGE_GROUPS = ("children", "adults", "adolescents", "elderly")
PATHWAY_NOT_NEEDED = ("not_applicable", NOT_RECORDED)  # a gap needs a recorded need
INCIDENTS = "incidents"


@dataclass(frozen=True)
class Counted:
    """A family and where its atoms come from: the counted rows' columns, and the atom a
    row's values fall in."""

    family: Family
    columns: tuple[str, ...]
    atom: Callable[[tuple[Any, ...]], Hashable]
    base: bool = False  # decides the total for every family
    # Counted in units of its own (records, not incidents): a total of its own, protected apart.
    own_total: bool = False


def _family(
    family_id: str,
    cells: dict[str, frozenset[Hashable]],
    lines: list[tuple[str, tuple[str, ...]]],
    shown: Sequence[str],
) -> Family:
    family = Family(family_id, cells, tuple(lines), frozenset(shown))
    family.check()
    return family


def _incidents() -> Counted:
    """Types of GBV, and the delay from incident to report for all, for rape, and for rape with
    health care: one family, since the rapes are a row of the first and the total of the others."""
    atoms = [(t, d, h) for t in TYPES for d in DELAYS for h in (0, 1)]
    cells: dict[str, frozenset[Hashable]] = {"total": frozenset(atoms)}
    lines: list[tuple[str, tuple[str, ...]]] = []
    for t in TYPES:
        cells[f"type:{t}"] = frozenset(a for a in atoms if a[0] == t)
    groups: dict[str, Callable[[str, int], bool]] = {
        "delay": lambda t, h: True,
        "rape": lambda t, h: t == "rape",
        "other": lambda t, h: t != "rape",
        "rape_health": lambda t, h: t == "rape" and h == 1,
        "rape_nohealth": lambda t, h: t == "rape" and h == 0,
    }
    for group, keep in groups.items():
        for d in DELAYS:
            cells[f"{group}:{d}"] = frozenset(a for a in atoms if a[1] == d and keep(a[0], a[2]))
        if group in ("other", "rape_health", "rape_nohealth"):
            cells[group] = frozenset(a for a in atoms if keep(a[0], a[2]))
    group_total = {
        "delay": "total",
        "rape": "type:rape",
        "other": "other",
        "rape_health": "rape_health",
        "rape_nohealth": "rape_nohealth",
    }
    lines.append(("total", tuple(f"type:{t}" for t in TYPES)))
    lines.append(("total", ("type:rape", "other")))
    lines.append(("type:rape", ("rape_health", "rape_nohealth")))
    for group, total in group_total.items():
        lines.append((total, tuple(f"{group}:{d}" for d in DELAYS)))
    for d in DELAYS:
        lines.append((f"delay:{d}", (f"rape:{d}", f"other:{d}")))
        lines.append((f"rape:{d}", (f"rape_health:{d}", f"rape_nohealth:{d}")))
    shown = [
        "total",
        *(f"type:{t}" for t in COUNTED_TYPES),
        "rape_health",
        *(f"{g}:{d}" for g in ("delay", "rape", "rape_health") for d in DELAYS),
    ]
    family = _family(INCIDENTS, cells, lines, shown)

    def atom(values: tuple[Any, ...]) -> Hashable:
        gbv_type, delay, health = values
        return (gbv_type if gbv_type in COUNTED_TYPES else OTHER, delay, int(health or 0))

    return Counted(family, ("gbv_type", "delay", "health"), atom, base=True)


def one_way(family_id: str, column: str, codes: Sequence[str]) -> Counted:
    """One coded answer: a cell per code, and the total."""
    known = tuple(dict.fromkeys(codes))
    cells: dict[str, frozenset[Hashable]] = {f"code:{c}": frozenset({c}) for c in (*known, OTHER)}
    cells["total"] = frozenset((*known, OTHER))
    family = _family(
        family_id,
        cells,
        [("total", tuple(f"code:{c}" for c in (*known, OTHER)))],
        ["total", *(f"code:{c}" for c in known)],
    )
    return Counted(family, (column,), lambda values: values[0] if values[0] in known else OTHER)


def _ages() -> Counted:
    """Survivors by age band and sex, and the overlapping age groups read from the same atoms."""
    sexes = (*options.SEX, OTHER)
    atoms = [(age, sex) for age in FINE_AGES for sex in sexes]
    cells: dict[str, frozenset[Hashable]] = {"total": frozenset(atoms)}
    for band in AGE_BANDS:
        cells[f"age:{band}"] = frozenset(a for a in atoms if FINE_AGES[a[0]] == band)
        for sex in sexes:
            cells[f"age:{band}:{sex}"] = frozenset(a for a in atoms if FINE_AGES[a[0]] == band and a[1] == sex)
    for sex in sexes:
        cells[f"sex:{sex}"] = frozenset(a for a in atoms if a[1] == sex)
    for fine in ("0-9", "10-11", "18-19", "20-49"):  # the others are whole bands
        cells[f"fine:{fine}"] = frozenset(a for a in atoms if a[0] == fine)
    cells["group:children"] = cells["age:0-11"] | cells["age:12-17"]
    cells["group:adults"] = cells["age:18-49"] | cells["age:50+"]
    cells["group:adolescents"] = frozenset(a for a in atoms if a[0] in ADOLESCENT_AGES)
    cells["group:elderly"] = cells["age:50+"]
    lines: list[tuple[str, tuple[str, ...]]] = [
        ("total", tuple(f"age:{band}" for band in AGE_BANDS)),
        ("total", tuple(f"sex:{sex}" for sex in sexes)),
        *((f"age:{band}", tuple(f"age:{band}:{sex}" for sex in sexes)) for band in AGE_BANDS),
        *((f"sex:{sex}", tuple(f"age:{band}:{sex}" for band in AGE_BANDS)) for sex in sexes),
        ("age:0-11", ("fine:0-9", "fine:10-11")),
        ("age:18-49", ("fine:18-19", "fine:20-49")),
        ("group:children", ("age:0-11", "age:12-17")),
        ("group:adults", ("age:18-49", "age:50+")),
        ("group:adolescents", ("fine:10-11", "age:12-17", "fine:18-19")),
        ("group:elderly", ("age:50+",)),
    ]
    shown = [
        "total",
        *(f"age:{b}" for b in AGE_BANDS),
        *(f"sex:{s}" for s in options.SEX),
        *(f"age:{b}:{s}" for b in AGE_BANDS for s in options.SEX),
        *(f"group:{g}" for g in AGE_GROUPS),
    ]
    family = _family("ages", cells, lines, shown)
    return Counted(
        family,
        ("age_fine", "sex"),
        lambda values: (
            values[0] if values[0] in FINE_AGES else "unknown",
            values[1] if values[1] in options.SEX else OTHER,
        ),
    )


def flag(family_id: str, column: str) -> Counted:
    """A yes/no answer of a multi-response table: with it, without it (implied: the total minus
    those with it)."""
    cells: dict[str, frozenset[Hashable]] = {"yes": frozenset({1}), "no": frozenset({0}), "total": frozenset({0, 1})}
    family = _family(family_id, cells, [("total", ("yes", "no"))], ["yes", "total"])
    return Counted(family, (column,), lambda values: 1 if values[0] == 1 else 0)


def _context(context_flag: str) -> Counted:
    """One case-context flag."""
    return flag(f"context:{context_flag}", f"flag_{context_flag}")


def _pathway(service: str) -> Counted:
    """One line of the IRF's referral pathway: its statuses, and the survivors who needed the
    service (any recorded status but "not applicable")."""
    counted = one_way(f"pathway:{service}", f"pathway_{service}", [*options.PATHWAY_STATUS, NOT_RECORDED])
    family = counted.family
    needed = [c for c in (*options.PATHWAY_STATUS, OTHER) if c not in PATHWAY_NOT_NEEDED]
    cells = dict(family.cells)
    cells["needed"] = frozenset(needed)
    lines = [
        *family.lines,
        ("needed", tuple(f"code:{c}" for c in needed)),
        ("total", ("needed", *(f"code:{c}" for c in PATHWAY_NOT_NEEDED))),
    ]
    return Counted(_family(family.id, cells, lines, [*family.shown, "needed"]), counted.columns, counted.atom)


Rows = list[tuple[str, str]]  # (code, English label)


def _listed(mapping: Mapping[str, str], *extra: tuple[str, str]) -> Rows:
    return [*mapping.items(), *extra]


def _with_unrecorded(mapping: Mapping[str, str]) -> Rows:
    """A code list and, when it has no "unknown" answer of its own, a row for the answers nobody
    recorded (counted as "unknown")."""
    return _listed(mapping, *([] if "unknown" in mapping else [("unknown", options.NOT_RECORDED)]))


def one_way_tables() -> dict[str, tuple[str, Rows]]:
    """table id → (counted column, rows): the tables that show one coded answer. Read when a
    report is built: a deployment adds its country's places and occupations at start-up."""
    return {
        "incidents_by_time_of_day": ("time_of_day", _listed(options.TIME_OF_DAY)),
        "incidents_by_place": ("place_type", _listed(options.PLACE_TYPE)),
        "survivors_marital_status": ("marital_status", _with_unrecorded(options.MARITAL_STATUS)),
        "survivors_displacement": ("displacement_status", _with_unrecorded(options.DISPLACEMENT_STATUS)),
        "survivors_stage_of_displacement": ("stage_of_displacement", _with_unrecorded(options.STAGE_OF_DISPLACEMENT)),
        "survivors_disability": ("disability", _with_unrecorded(options.DISABILITY)),
        "survivors_vulnerable_children": ("unaccompanied", _with_unrecorded(options.UNACCOMPANIED)),
        "referred_by": ("referred_by", _with_unrecorded(options.REFERRED_BY)),
        "perpetrators_relationship": ("perp_relationship", _with_unrecorded(options.RELATIONSHIP)),
        "perpetrators_age_group": ("perp_age_group", _with_unrecorded(options.AGE_GROUP)),
        "perpetrators_occupation": ("perp_occupation", _with_unrecorded(options.OCCUPATION)),
        "perpetrators_number": ("perp_n", _listed(options.PERPETRATOR_COUNT)),
        "perpetrators_sex": ("perp_sex", _listed(options.INCIDENT_PERPETRATOR_SEX)),
        "incidents_previous_gbv": (
            "previous_gbv",
            _listed(options.YES_NO_UNKNOWN, (NOT_RECORDED, options.NOT_RECORDED)),
        ),
    }


def incident_families() -> list[Counted]:
    """Every family counted from the incidents; the incidents family first (it decides the total)."""
    return [
        _incidents(),
        _ages(),
        *(one_way(table_id, column, [c for c, _l in rows]) for table_id, (column, rows) in one_way_tables().items()),
        *(_context(flag) for flag in CONTEXT_FLAGS),
        *(_pathway(service) for service in options.PATHWAY_SERVICES),
    ]


def gap_records(service_types: Sequence[str]) -> Counted:
    """The gaps caseworkers recorded, by service: counted in records, not incidents, so a
    family of its own with its own total."""
    return replace(one_way("gap_records", "service_type", service_types), own_total=True)
