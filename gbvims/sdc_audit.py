"""What an attacker can infer about each suppressed cell from everything published with it.

Published tables that share counts (overlapping tables of one report; the same table over a
month, its quarter and its year; a region and the nation; an agency and all agencies) are
linear relations over the same unknown counts. For every suppressed cell this module computes,
by linear programming (HiGHS), the smallest and largest value it can take given every published
cell — the interval an attacker who combines them all would know (the audit of τ-ARGUS and
sdcTable). A cell is *exposed* when that interval is narrower than the threshold ``k``:
publishing must then hide more, or refuse.

An attacker may also know some counts exactly — an agency's supervisor knows how many of their
own agency's survivors fall in every cell. That knowledge is a floor under each atom: the count
of everyone else is what remains above it.

Counts are modelled as non-negative reals (the LP relaxation): the intervals are those the
statistical offices' audits use; integrality could only narrow them by less than one.

The model: *atoms* are the counts of the finest cross-classification the tables share; each
published or suppressed cell is the sum of some atoms.
"""

from __future__ import annotations

import os
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from threading import Lock

import highspy
import numpy as np

_quiet = Lock()


def _solver() -> highspy.Highs:
    """A HiGHS instance that prints nothing (the first one of a process prints a banner on the
    C side, which Python's own redirection does not catch)."""
    with _quiet:
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as devnull:
                os.dup2(devnull.fileno(), 1)
                solver = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
    solver.setOptionValue("output_flag", False)
    # Each question changes only the objective: the last optimum stays feasible, so the primal
    # simplex restarts from it (about five times faster here than the default dual simplex).
    solver.setOptionValue("simplex_strategy", 4)
    return solver


class Audit:
    """One attacker's knowledge: every published cell as an equation over the atoms.

    Atoms are numbered 0 to size − 1; a cell is the array of its atoms' numbers. The model is
    built once; each question changes only the objective (and, for an attacker who knows some
    counts, the atoms' floors), so HiGHS starts from the last basis and answers in a few pivots.
    """

    ZERO, FREE = -1, -2  # an atom in a published zero; an atom in no published cell

    def __init__(self, size: int, published: Iterable[tuple[np.ndarray, int]]) -> None:
        rows = [(np.asarray(atoms, dtype=np.int64), int(value)) for atoms, value in published]
        covered = np.zeros(size, dtype=bool)
        zero = np.zeros(size, dtype=bool)
        for atoms, value in rows:
            covered[atoms] = True
            if value == 0:
                zero[atoms] = True  # a published zero says every atom in it is zero
        unknown = np.flatnonzero(covered & ~zero)
        self.column = np.full(size, self.FREE, dtype=np.int64)
        self.column[zero] = self.ZERO
        self.column[unknown] = np.arange(len(unknown))
        self.size = len(unknown)
        self.highs = _solver()
        self.highs.addVars(self.size, np.zeros(self.size), np.full(self.size, highspy.kHighsInf))
        starts: list[int] = []
        columns: list[np.ndarray] = []
        right: list[float] = []
        filled = 0
        self.source: list[int] = []  # for each equation, the published cell it came from
        for number, (atoms, value) in enumerate(rows):
            if value == 0:
                continue
            self.source.append(number)
            members = np.unique(self.column[atoms][self.column[atoms] >= 0])
            if not len(members):
                raise ValueError("the published cells contradict each other")
            starts.append(filled)
            columns.append(members)
            filled += len(members)
            right.append(float(value))
        if right:
            bounds = np.array(right)
            entries = np.concatenate(columns).astype(np.int32)
            self.highs.addRows(
                len(right), bounds, bounds, filled, np.array(starts, dtype=np.int32), entries, np.ones(filled)
            )
        self._floored = np.zeros(0, dtype=np.int32)

    def know(self, floor: Mapping[int, int]) -> None:
        """The attacker knows these atoms hold at least so many (their own agency's share)."""
        if len(self._floored):
            n = len(self._floored)
            self.highs.changeColsBounds(n, self._floored, np.zeros(n), np.full(n, highspy.kHighsInf))
        known = [(int(self.column[atom]), count) for atom, count in floor.items() if count and self.column[atom] >= 0]
        self._floored = np.array([column for column, _n in known], dtype=np.int32)
        if known:
            n = len(known)
            lows = np.array([float(count) for _c, count in known])
            self.highs.changeColsBounds(n, self._floored, lows, np.full(n, highspy.kHighsInf))

    def _members(self, atoms: np.ndarray) -> np.ndarray | None:
        """The unknowns a cell sums; None when one of its atoms is in no published cell (nothing
        bounds it: the cell can be anything above its floor)."""
        columns = self.column[np.asarray(atoms, dtype=np.int64)]
        if (columns == self.FREE).any():
            return None
        return np.unique(columns[columns >= 0]).astype(np.int32)

    def interval(self, atoms: np.ndarray) -> tuple[float, float]:
        """The smallest and largest value the sum of ``atoms`` can take."""
        members = self._members(atoms)
        if members is None:
            columns = self.column[np.asarray(atoms, dtype=np.int64)]
            return (self._optimum(columns[columns >= 0].astype(np.int32)), float("inf"))
        if not len(members):
            return (0.0, 0.0)  # every atom of it is a published zero
        return (self._optimum(members), self._optimum(members, highest=True))

    def binding(self, atoms: np.ndarray) -> list[int]:
        """The published cells (by their order in ``published``) that hold the sum of ``atoms``
        in: those whose equation binds at its smallest or its largest value. Hiding one of
        them is what can widen it."""
        members = self._members(atoms)
        if members is None or not len(members):
            return []
        found: set[int] = set()
        for highest in (True, False):
            if self._optimum(members, highest=highest) == float("inf"):
                continue
            duals = np.array(self.highs.getSolution().row_dual)
            found |= {self.source[row] for row in np.flatnonzero(np.abs(duals) > 1e-9)}
        return sorted(found)

    def narrow(self, questions: Sequence[tuple[np.ndarray, int]], k: int) -> list[int]:
        """Which questions — (atoms, true value) — range over less than ``k``.

        Any solution that puts a cell k above its true value proves it wide (the true counts
        are a solution too). So the solver first pushes all open cells up at once and keeps
        the proofs it finds; only the cells left are asked one by one, and each answer is tried
        on the others as well.
        """
        members: dict[int, np.ndarray] = {}
        narrow: list[int] = []
        for n, (atoms, _value) in enumerate(questions):
            found = self._members(atoms)
            if found is None:
                continue  # unbounded above: wide
            if not len(found):
                narrow.append(n)  # all published zeros: known exactly
                continue
            members[n] = found
        target = {n: questions[n][1] + k - 1e-9 for n in members}

        def proved(solution: np.ndarray, open_: list[int]) -> list[int]:
            return [n for n in open_ if solution[members[n]].sum() < target[n]]

        open_ = sorted(members)
        while len(open_) > 1:
            weights = np.zeros(self.size)
            for n in open_:
                weights[members[n]] += 1.0
            left = proved(self._push(weights), open_)
            if len(left) == len(open_):
                break
            open_ = left
        while open_:
            n, *rest = open_
            unit = np.zeros(self.size)
            unit[members[n]] = 1.0
            solution = self._push(unit)
            high = float(solution[members[n]].sum())
            if high < target[n] and high - self._optimum(members[n]) < k - 1e-9:
                narrow.append(n)
            open_ = proved(solution, rest)
        return sorted(narrow)

    def _push(self, weights: np.ndarray) -> np.ndarray:
        """A solution that maximises the weighted sum of the unknowns."""
        self._costs(weights)
        self._run(highspy.ObjSense.kMaximize)
        return np.array(self.highs.getSolution().col_value)

    def _optimum(self, members: np.ndarray, highest: bool = False) -> float:
        if not len(members):
            return 0.0
        weights = np.zeros(self.size)
        weights[members] = 1.0
        self._costs(weights)
        if not self._run(highspy.ObjSense.kMaximize if highest else highspy.ObjSense.kMinimize):
            return float("inf")
        return float(self.highs.getInfo().objective_function_value)

    def _costs(self, weights: np.ndarray) -> None:
        if self.size:
            self.highs.changeColsCost(self.size, np.arange(self.size, dtype=np.int32), weights)

    def _run(self, sense: highspy.ObjSense) -> bool:
        """Solve; False when unbounded."""
        self.highs.changeObjectiveSense(sense)
        self.highs.run()
        status = self.highs.getModelStatus()
        if status == highspy.HighsModelStatus.kUnbounded:
            return False
        if status != highspy.HighsModelStatus.kOptimal:
            raise ValueError(f"the published cells contradict each other ({status})")
        return True


class Numbering:
    """Atoms of any kind, numbered for an ``Audit``: ``size`` of them, ``of`` a cell's array."""

    def __init__(self, atoms: Iterable[Hashable]) -> None:
        self.number = {atom: n for n, atom in enumerate(sorted(set(atoms), key=repr))}
        self.size = len(self.number)

    def of(self, atoms: Iterable[Hashable]) -> np.ndarray:
        return np.array([self.number[atom] for atom in atoms], dtype=np.int64)


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
    numbering = Numbering(atom for cell in cells for atom in cell.atoms)
    audit = Audit(numbering.size, ((numbering.of(cell.atoms), cell.value) for cell in cells if cell.value is not None))
    return {cell.name: audit.interval(numbering.of(cell.atoms)) for cell in cells if cell.value is None}


def exposed(cells: Sequence[Cell], k: int) -> list[Exposure]:
    """The suppressed cells an attacker can pin down to an interval narrower than ``k``."""
    return [Exposure(name, low, high) for name, (low, high) in intervals(cells).items() if high - low < k - 1e-9]
