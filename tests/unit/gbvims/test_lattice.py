"""Node totals withheld jointly: no withheld month or region can be recovered from its
quarter, its year or the nation."""

from __future__ import annotations

from gbvims.lattice import NATION, Node, periods_of, withheld
from gbvims.sdc_audit import Cell, exposed

REGIONS = ("ML-6", "ML-7")


def published_cells(totals: dict[tuple[int, str], int], hidden: set[Node]) -> list[Cell]:
    areas = {r: {r} for r in REGIONS} | {NATION: set(REGIONS)}
    cells = []
    for period, months in periods_of(2026).items():
        for area, places in areas.items():
            atoms = frozenset((m, r) for m in months for r in places)
            value = sum(totals.get(a, 0) for a in atoms)
            cells.append(Cell(f"{period}|{area}", atoms, None if Node(period, area) in hidden else value))
    return cells


def busy_year(**small: int) -> dict[tuple[int, str], int]:
    totals = {(m, r): 12 for m in range(1, 13) for r in REGIONS}
    for key, value in small.items():
        month, region = key.split("_")
        totals[int(month[1:]), region.replace("ML", "ML-")] = value
    return totals


def test_a_small_month_takes_a_neighbour_with_it() -> None:
    """The finding: July withheld, but Q3 − August − September gave it back."""
    totals = busy_year(m7_ML7=2)
    hidden = withheld(2026, totals, REGIONS, k=5)
    assert Node("2026-07", "ML-7") in hidden
    assert len(hidden) > 1  # not alone
    assert exposed(published_cells(totals, hidden), k=5) == []


def test_a_small_region_is_not_the_nation_minus_the_others() -> None:
    totals = {(m, "ML-6"): 30 for m in range(1, 13)} | {(m, "ML-7"): 0 for m in range(1, 13)}
    totals[3, "ML-7"] = 3
    hidden = withheld(2026, totals, REGIONS, k=5)
    assert {Node("2026-03", "ML-7"), Node("2026-Q1", "ML-7"), Node("2026", "ML-7")} <= hidden
    assert exposed(published_cells(totals, hidden), k=5) == []


def test_nothing_small_withholds_nothing_and_zeros_stay() -> None:
    totals = {(m, r): 0 if m == 5 else 9 for m in range(1, 13) for r in REGIONS}
    assert withheld(2026, totals, REGIONS, k=5) == set()


def test_many_small_months_never_leave_one_recoverable() -> None:
    for pattern in range(1, 64, 5):
        totals = busy_year()
        for bit in range(6):
            if pattern >> bit & 1:
                totals[bit + 1, "ML-7"] = 1 + bit % 4
        hidden = withheld(2026, totals, REGIONS, k=5)
        assert exposed(published_cells(totals, hidden), k=5) == [], pattern
