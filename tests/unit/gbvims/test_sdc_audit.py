"""The linear-programming audit finds what subtraction reveals, and only that."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from gbvims.sdc_audit import Audit, Cell, exposed, intervals


def table(name: str, counts: dict[tuple[str, ...], int], hidden: set[tuple[str, ...]]) -> list[Cell]:
    """A two-way table of atoms (r, c) with row, column and grand totals; ``hidden`` cells suppressed."""
    rows = sorted({r for r, _ in counts})
    cols = sorted({c for _, c in counts})
    cells = [Cell(f"{name}[{r},{c}]", frozenset({(r, c)}), None if (r, c) in hidden else n)
             for (r, c), n in counts.items()]
    cells += [Cell(f"{name}[{r},*]", frozenset((r, c) for c in cols), sum(counts[r, c] for c in cols)) for r in rows]
    cells += [Cell(f"{name}[*,{c}]", frozenset((r, c) for r in rows), sum(counts[r, c] for r in rows)) for c in cols]
    cells.append(Cell(f"{name}[*,*]", frozenset(counts), sum(counts.values())))
    return cells


COUNTS = {("a", "x"): 2, ("a", "y"): 9, ("b", "x"): 7, ("b", "y"): 12}


def test_a_lone_suppressed_cell_is_recovered_by_subtraction() -> None:
    found = exposed(table("t", COUNTS, {("a", "x")}), k=5)
    assert [(e.cell, round(e.low), round(e.high)) for e in found] == [("t[a,x]", 2, 2)]


def test_complementary_suppression_leaves_a_wide_interval() -> None:
    hidden = {("a", "x"), ("a", "y"), ("b", "x"), ("b", "y")}
    cells = table("t", COUNTS, hidden)
    assert exposed(cells, k=5) == []
    assert intervals(cells)["t[a,x]"] == (0.0, 9.0)  # at most its row (11) and its column (9)


def test_overlapping_age_groups_minus_age_by_sex_gave_back_a_hidden_cell() -> None:
    """The finding: "survivors in selected age groups" (overlapping) and "survivors by age and
    sex", protected separately: children 0–11 = children (12) − 12–17 (8) = 4."""
    ages = {"0-11": 4, "12-17": 8, "18-49": 30, "50+": 6}
    atoms = {(band, sex): n for band in ages for sex, n in zip(("f", "m"), (ages[band] - 1, 1), strict=True)}
    by_age = [Cell(f"age[{band}]", frozenset((band, s) for s in ("f", "m")), None if n < 5 else n)
              for band, n in ages.items()]
    children = Cell("groups[children]", frozenset(a for a in atoms if a[0] in ("0-11", "12-17")), 12)
    adults = Cell("groups[adults]", frozenset(a for a in atoms if a[0] in ("18-49", "50+")), 36)
    total = Cell("total", frozenset(atoms), sum(atoms.values()))
    found = {e.cell: (round(e.low), round(e.high)) for e in exposed([*by_age, children, adults, total], k=5)}
    assert found == {"age[0-11]": (4, 4)}


def test_overlapping_periods_gave_back_a_hidden_month() -> None:
    """The finding: Jan–Nov minus Aug–Nov gave July."""
    months = {m: n for m, n in zip(range(1, 12), (9, 8, 7, 9, 6, 8, 2, 9, 7, 8, 6), strict=True)}
    cells = [
        Cell("jan-nov", frozenset(months), sum(months.values())),
        Cell("aug-nov", frozenset(m for m in months if m >= 8), sum(n for m, n in months.items() if m >= 8)),
        Cell("jan-jun", frozenset(m for m in months if m <= 6), sum(n for m, n in months.items() if m <= 6)),
        Cell("jul", frozenset({7}), None),
    ]
    assert [(e.cell, round(e.low)) for e in exposed(cells, k=5)] == [("jul", 2)]


@pytest.mark.parametrize("seed", range(5))
def test_the_true_value_is_always_inside_the_interval(seed: int) -> None:
    counts = {key: (seed * 7 + n * 3) % 11 for n, key in enumerate(itertools.product("abc", "xyz"))}
    hidden = {key for key, n in counts.items() if 0 < n < 5}
    for name, (low, high) in intervals(table("t", counts, hidden)).items():
        r, c = name[2:-1].split(",")
        assert low - 1e-6 <= counts[r, c] <= high + 1e-6


def test_contradictory_publications_are_an_error() -> None:
    cells = [Cell("a", frozenset({1}), 3), Cell("b", frozenset({1}), 4), Cell("c", frozenset({1, 2}), None)]
    with pytest.raises(ValueError, match="contradict"):
        intervals(cells)


def test_an_interval_exactly_k_wide_is_enough_and_one_narrower_is_not() -> None:
    """Two hidden cells of one line whose visible total is 5: each is anywhere in [0, 5]."""
    cells = [Cell("a", frozenset({1}), None), Cell("b", frozenset({2}), None), Cell("t", frozenset({1, 2}), 5)]
    assert intervals(cells) == {"a": (0.0, 5.0), "b": (0.0, 5.0)}
    assert exposed(cells, k=5) == []
    assert [e.cell for e in exposed(cells, k=6)] == ["a", "b"]


def test_what_an_attacker_knows_narrows_the_interval_and_is_forgotten_for_the_next() -> None:
    """A supervisor who knows 3 of a + b = 5 are theirs (in a) leaves at most 2 for b; the
    next attacker knows nothing of it."""
    audit = Audit(3, [(np.array([0, 1]), 5), (np.array([1, 2]), 4)])
    assert audit.interval(np.array([1])) == (0.0, 4.0)
    audit.know({0: 3})
    assert audit.interval(np.array([1])) == (0.0, 2.0)
    assert audit.interval(np.array([0])) == (3.0, 5.0)
    audit.know({2: 1})
    assert audit.interval(np.array([1])) == (0.0, 3.0)
    audit.know({})
    assert audit.interval(np.array([1])) == (0.0, 4.0)
    assert audit.narrow([(np.array([1]), 1)], k=5) == [0]  # [0, 4]: narrower than 5
