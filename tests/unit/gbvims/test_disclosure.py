"""Disclosure control over random tables: no published count from 1 to k−1, no line (row,
column, totals) with exactly one hidden count, and every published count is the true one."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gbvims.disclosure import protect

counts = st.integers(0, 40) | st.integers(0, 4)  # plenty of small numbers
tables = st.integers(1, 6).flatmap(
    lambda cols: st.lists(st.lists(counts, min_size=cols, max_size=cols), min_size=1, max_size=8)
)


def extended(table: list[list[int]]) -> list[list[int]]:
    grid = [row + [sum(row)] for row in table]
    grid.append([sum(col) for col in zip(*grid, strict=True)])
    return grid


def published(p) -> list[list[int | None]]:
    grid = [row + [total] for row, total in zip(p.cells, p.row_totals, strict=True)]
    grid.append(list(p.column_totals) + [p.total])
    return grid


@settings(max_examples=400)
@given(tables, st.integers(2, 10))
def test_no_small_cell_and_nothing_derivable(table: list[list[int]], k: int) -> None:
    truth, shown = extended(table), published(protect(table, k))
    for true_row, shown_row in zip(truth, shown, strict=True):
        for true_value, value in zip(true_row, shown_row, strict=True):
            assert value is None or value == true_value  # never a wrong number
            assert value is None or value == 0 or value >= k  # never a small one
    lines = [list(row) for row in shown] + [list(col) for col in zip(*shown, strict=True)]
    for line in lines:
        assert sum(v is None for v in line) != 1, line  # one hidden value in a line = derivable


def test_zeros_stay_visible_and_nothing_to_hide_changes_nothing() -> None:
    p = protect([[10, 0], [6, 7]], 5)
    assert p.cells == [[10, 0], [6, 7]] and p.total == 23


def test_a_lone_small_cell_takes_a_partner() -> None:
    p = protect([[10, 3, 6], [7, 8, 9]], 5)
    assert p.cells[0][1] is None and sum(v is None for v in p.cells[0]) >= 2
    assert p.row_totals == [19, 24] and p.total == 43


def test_everything_small_hides_everything() -> None:
    p = protect([[1, 2], [0, 1]], 5)
    assert p.total is None and all(v in (None, 0) for row in p.cells for v in row)
