"""Disclosure control: no published count from 1 to k−1, and no hidden count recoverable by
subtraction within a row, a column or the totals (docs/gbvims.md §7).

A table is a matrix of counts; its row totals, column totals and grand total are published
with it. Every one of those numbers is a cell of the extended matrix, and every row and every
column of the extended matrix is a "line" whose last cell is the sum of the others. The rule:

1. hide every cell (totals included) whose count is 1 to k−1 — zeros stay visible;
2. wherever a line has exactly one hidden cell, hide the smallest other non-zero visible cell of
   that line too; repeat until no line has exactly one hidden cell.

Hiding small totals goes beyond the usual rule: a row total of 3 would name three people as
surely as a cell would.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

HIDDEN = None


@dataclass(frozen=True)
class Protected:
    """A published table: ``cells[r][c]``, ``row_totals[r]``, ``column_totals[c]``, ``total``,
    each an int or None when suppressed."""

    cells: list[list[int | None]]
    row_totals: list[int | None]
    column_totals: list[int | None]
    total: int | None


def protect(counts: Sequence[Sequence[int]], k: int = 5) -> Protected:
    rows = len(counts)
    cols = len(counts[0]) if rows else 0
    if any(len(r) != cols for r in counts) or any(v < 0 for r in counts for v in r):
        raise ValueError("counts must be a rectangular matrix of non-negative integers")
    # The extended matrix: the last column holds row totals, the last row column totals.
    grid = [list(r) + [sum(r)] for r in counts]
    grid.append([sum(counts[r][c] for r in range(rows)) for c in range(cols)] + [sum(map(sum, counts))])
    hidden = [[0 < grid[r][c] < k for c in range(cols + 1)] for r in range(rows + 1)]

    lines = [[(r, c) for c in range(cols + 1)] for r in range(rows + 1)]
    lines += [[(r, c) for r in range(rows + 1)] for c in range(cols + 1)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden_here = [cell for cell in line if hidden[cell[0]][cell[1]]]
            if len(hidden_here) != 1:
                continue
            candidates = [cell for cell in line if not hidden[cell[0]][cell[1]] and grid[cell[0]][cell[1]] > 0]
            if not candidates:
                continue  # the rest are zeros: the hidden one equals the total, itself hidden or 0
            r, c = min(candidates, key=lambda cell: (grid[cell[0]][cell[1]], cell))
            hidden[r][c] = True
            changed = True

    def shown(r: int, c: int) -> int | None:
        return HIDDEN if hidden[r][c] else grid[r][c]

    return Protected(
        cells=[[shown(r, c) for c in range(cols)] for r in range(rows)],
        row_totals=[shown(r, cols) for r in range(rows)],
        column_totals=[shown(rows, c) for c in range(cols)],
        total=shown(rows, cols),
    )
