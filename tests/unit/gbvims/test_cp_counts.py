"""Child protection and MRM statistics: their families, their age bands and their protection,
with the engine and the independent audit of the GBVIMS tables (tests/security/disclosure.py)."""

from __future__ import annotations

from collections.abc import Hashable

import pytest
from sqlalchemy import create_engine, literal, select

from gbvims import aggregates
from gbvims.aggregates import Scope
from gbvims.cp_counts import (
    AGES,
    BANDS,
    CASES,
    MRM,
    REFERRALS,
    REUNIFICATIONS,
    CpCodes,
    _band,
    _region_times,
    _violations,
    cp_families,
    cp_tables,
    mrm_tables,
)
from gbvims.lattice import NATION, Lattice, protect
from gbvims.period import parse

from ...security.disclosure import exposures

K = 5
LATTICE = Lattice(2025, ("ML-6", "ML-7"))
CODES = CpCodes(
    concerns={"separated": "Separated", "talibe": "Talibé", "child_labour": "Child labour"},
    violations={"killing_maiming": "Killing", "recruitment_use": "Recruitment", "abduction": "Abduction"},
    reunification_types={"parents": "Parents", "relatives": "Relatives"},
    service_types={"health": "Health", "family_tracing": "Tracing"},
)
Counts = dict[tuple[Hashable, int, str | None, Hashable], int]


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (None, "18+/unknown"),
        (-1, "18+/unknown"),
        (0, "0-5"),
        (5, "0-5"),
        (6, "6-11"),
        (11, "6-11"),
        (12, "12-14"),
        (14, "12-14"),
        (15, "15-17"),
        (17, "15-17"),
        (18, "18+/unknown"),
        (40, "18+/unknown"),
    ],
)
def test_age_bands_at_their_edges(age: int | None, band: str) -> None:
    with create_engine("sqlite://").connect() as conn:
        assert conn.execute(select(_band(literal(age)))).scalar_one() == band


def test_cp_families_the_cases_first_and_records_apart() -> None:
    families = cp_families(CODES)
    ids = [c.family.id for c in families]
    assert ids[0] == CASES and len(set(ids)) == len(ids)
    assert {c.family.id for c in families if c.own_total} == {REFERRALS, REUNIFICATIONS}
    concerns = [c for c in families if c.family.id.startswith("cp_concern:")]
    assert [c.family.id.split(":")[1] for c in concerns] == list(CODES.concerns)
    for counted in concerns:  # multi-response: with it, without it (never shown), and the total
        assert counted.family.shown == {"yes", "total"}
    ages = next(c for c in families if c.family.id == AGES)
    assert ages.atom(("12-14", "female")) == ("12-14", "female")
    assert ages.atom((None, "x")) == ("18+/unknown", "?")
    for family in (c.family for c in families):
        family.check()


def test_every_cell_a_table_reads_is_one_its_family_defines() -> None:
    families = {c.family.id: c.family for c in cp_families(CODES)}
    families[MRM] = _violations(list(CODES.violations)).family
    inputs = aggregates._Inputs(Scope(parse("2025")), [("ML-6", "Tombouctou"), ("ML-7", "Gao")], {}, {}, "2025", NATION)
    for spec in (*cp_tables(CODES), *mrm_tables(CODES)):
        rows = spec.rows(inputs)
        columns = spec.columns(inputs) if spec.columns else aggregates.COUNT
        assert rows, spec.id
        for row, _label in rows:
            family = families[spec.family(row)]
            for column, _l in columns:
                assert spec.cell(row, column) in family.shown, (spec.id, row, column)
            if spec.row_total:
                assert spec.row_total(row) in family.shown


def test_rows_by_region_and_quarter() -> None:
    regions = [("ML-6", "Tombouctou"), ("ML-7", "Gao")]
    year = aggregates._Inputs(Scope(parse("2025")), regions, {}, {}, "2025", NATION)
    assert [code for code, _l in _region_times(year)] == [
        *(f"ML-6/2025-Q{q}" for q in range(1, 5)),
        *(f"ML-7/2025-Q{q}" for q in range(1, 5)),
    ]
    one = aggregates._Inputs(Scope(parse("2025-Q2"), region="ML-7"), regions, {}, {}, "2025-Q2", "ML-7")
    assert _region_times(one) == [("ML-7/2025-Q2", "Gao — 2025-Q2")]
    spec = next(s for s in mrm_tables(CODES) if s.layout == "region_times")
    assert aggregates._node(spec, one, "ML-6/2025-Q3") == ("2025-Q3", "ML-6")


def test_a_small_violation_is_hidden_and_cannot_be_worked_out() -> None:
    """Two abductions of a girl of 8 in Gao in July, beside busy months: hidden in every table
    that would show them (by sex, by age, by region and quarter), and the audit agrees."""
    counted = _violations(list(CODES.violations))
    counts: Counts = {}
    for month in range(1, 13):
        counts[(("killing_maiming", "male", "15-17"), month, "ML-7", 1)] = 6
        counts[(("recruitment_use", "male", "15-17"), month, "ML-6", 1)] = 7
    counts[(("abduction", "female", "6-11"), 7, "ML-7", 1)] = 2
    p = protect(counted.family, LATTICE, counts, K)
    assert exposures(p, K) == []
    for cell in ("viol:abduction", "viol:abduction:sex:female", "viol:abduction:age:6-11"):
        assert p.value(cell, "2025") is None
        assert p.value(cell, "2025-Q3", "ML-7") is None
    assert p.value("total", "2025") == 158
    # else the total minus the other violations gives the 2 back: one is hidden with it
    assert None in [p.value(f"viol:{v}", "2025") for v in ("killing_maiming", "recruitment_use")]


def test_records_counted_apart_do_not_withhold_the_report() -> None:
    """Three referrals are too few to show; the cases' report is still published."""
    families = [c for c in cp_families(CODES) if c.family.id in (CASES, REFERRALS)]
    leaves: dict[str, Counts] = {
        CASES: {("open", month, "ML-7", 1): 6 for month in range(1, 13)},
        REFERRALS: {("health", 3, "ML-7", 1): 3},
    }
    result = aggregates._protect_all(LATTICE, families, leaves, K, True)
    assert result[CASES].value("total", "2025") == 72
    assert result[REFERRALS].value("total", "2025") is None
    assert result[REFERRALS].value("code:health", "2025") is None
    for protection in result.values():
        assert exposures(protection, K) == []


def test_ages_cover_every_band() -> None:
    assert BANDS == ("0-5", "6-11", "12-14", "15-17", "18+/unknown")
