"""Which reports of a year may be published at all: the lattice of node totals.

A report is a node of the lattice — a calendar month, quarter or year (``period.py``) × a
region or the nation. A node with fewer than ``k`` incidents (but some) is withheld; and since
a quarter is the sum of its months and the nation the sum of its regions, a withheld node could
be recovered from its published neighbours (Q3 − August − September = July). So nodes are
withheld jointly: after the small ones, the audit (``sdc_audit``) finds each withheld node an
attacker could still pin down, and a neighbour is withheld with it — the smallest node that
lies inside a published node containing the exposed one without overlapping it — until no
withheld total can be narrowed below ``k``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .sdc_audit import Cell, exposed

NATION = ""  # the area of the nation in node names


@dataclass(frozen=True)
class Node:
    period: str  # "2026", "2026-Q3" or "2026-07"
    area: str  # a region code, or NATION


def periods_of(year: int) -> dict[str, frozenset[int]]:
    """Every period of the year's lattice and its months."""
    found = {f"{year}-{m:02d}": frozenset({m}) for m in range(1, 13)}
    found |= {f"{year}-Q{q}": frozenset(range(3 * q - 2, 3 * q + 1)) for q in range(1, 5)}
    found[str(year)] = frozenset(range(1, 13))
    return found


def withheld(year: int, totals: Mapping[tuple[int, str], int], regions: Sequence[str], k: int) -> set[Node]:
    """The nodes of ``year`` that may not be published. ``totals``: incidents by (month, region)
    (a region outside ``regions``, e.g. "unknown", counts in the nation only)."""
    areas = {code: frozenset({code}) for code in regions}
    every_region = frozenset({region for _month, region in totals} | set(regions))
    areas[NATION] = every_region
    cells: dict[Node, Cell] = {}
    for period, months in periods_of(year).items():
        for area, places in areas.items():
            atoms = frozenset((m, r) for m in months for r in places)
            value = sum(totals.get(atom, 0) for atom in atoms)
            node = Node(period, area)
            cells[node] = Cell(f"{period}|{area}", atoms, None if 0 < value < k else value)
    by_name = {cell.name: node for node, cell in cells.items()}
    for _round in range(len(cells)):
        found = exposed(list(cells.values()), k)
        if not found:
            break
        for exposure in found:
            node = by_name[exposure.cell]
            partner = _partner(cells, node)
            if partner is None:  # nothing left to hide next to it: withhold its parents instead
                for other, cell in cells.items():
                    if cell.value and cells[node].atoms < cell.atoms:
                        cells[other] = Cell(cell.name, cell.atoms, None)
            else:
                cell = cells[partner]
                cells[partner] = Cell(cell.name, cell.atoms, None)
    return {node for node, cell in cells.items() if cell.value is None}


def _partner(cells: Mapping[Node, Cell], node: Node) -> Node | None:
    """The smallest published, non-empty node beside ``node`` inside a node that contains it."""
    atoms = cells[node].atoms
    parents = [cell.atoms for cell in cells.values() if cell.value is not None and atoms < cell.atoms]
    candidates = [
        (cell.value, other.period, other.area, other)
        for other, cell in cells.items()
        if cell.value and not (cell.atoms & atoms) and any(cell.atoms <= parent for parent in parents)
    ]
    return min(candidates)[3] if candidates else None
