"""What an attacker can infer about each suppressed cell from everything published with it.

Published tables that share counts (overlapping tables of one report; the same table over a
month, its quarter and its year; a region and the nation; an agency and all agencies) are
linear relations over the same unknown counts. For every suppressed cell this module computes,
by linear programming (HiGHS, through ``scipy.optimize.linprog``), the smallest and largest
value it can take given every published cell — the interval an attacker who combines them
all would know (the audit of τ-ARGUS and sdcTable). A cell is *exposed* when that interval is
narrower than the threshold ``k``: publishing must then hide more, or refuse.

Counts are modelled as non-negative reals (the LP relaxation): the intervals are those the
statistical offices' audits use; integrality could only narrow them by less than one.

The model: *atoms* are the counts of the finest cross-classification the tables share; each
published or suppressed cell is the sum of some atoms.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog


@dataclass(frozen=True)
class Cell:
    """One cell of a published table: the atoms it sums, and its value (None: suppressed)."""

    name: str
    atoms: frozenset[Hashable]
    value: int | None


@dataclass(frozen=True)
class Exposure:
    cell: str
    low: float
    high: float


def intervals(cells: Sequence[Cell]) -> dict[str, tuple[float, float]]:
    """For each suppressed cell, the [low, high] its value can take given every published one."""
    atoms = sorted({atom for cell in cells for atom in cell.atoms}, key=repr)
    index = {atom: n for n, atom in enumerate(atoms)}

    def row(cell: Cell) -> np.ndarray:
        vector = np.zeros(len(atoms))
        for atom in cell.atoms:
            vector[index[atom]] = 1.0
        return vector

    published = [cell for cell in cells if cell.value is not None]
    a_eq = np.array([row(cell) for cell in published]) if published else None
    b_eq = np.array([float(cell.value or 0) for cell in published]) if published else None
    found: dict[str, tuple[float, float]] = {}
    for cell in cells:
        if cell.value is not None:
            continue
        objective = row(cell)
        bounds = [(0, None)] * len(atoms)
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        if low.status != 0:
            raise ValueError(f"the published cells contradict each other around {cell.name}")
        top = float("inf") if high.status == 3 else -float(high.fun)  # 3: unbounded above
        found[cell.name] = (float(low.fun), top)
    return found


def exposed(cells: Sequence[Cell], k: int) -> list[Exposure]:
    """The suppressed cells an attacker can pin down to an interval narrower than ``k``."""
    return [
        Exposure(name, low, high)
        for name, (low, high) in intervals(cells).items()
        if high - low < k - 1e-9
    ]
