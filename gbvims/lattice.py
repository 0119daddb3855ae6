"""Suppression decided once for a whole year of statistics, then read by every report.

A lead can ask for any calendar month, quarter or year, for the nation or any region; a
supervisor sees the same for their own agency. Those reports overlap (a quarter is three
months, the nation is the regions), and the tables of one report overlap (children are the
0–11 and 12–17 rows of the age table). Protecting each report alone let subtraction give back
what it hid. So suppression is decided jointly, over everything that can be published from one
year of one scope — the *lattice*:

- **time**: 12 months, 4 quarters, the year (a quarter is the sum of its months, the year of
  its quarters);
- **area**: every region, and the nation, which is the sum of the regions and of the incidents
  whose region nobody recorded (those are never shown apart, but an attacker can subtract);
- **inner cells**: each family's cells (see ``Family``): a table's rows and totals, and every
  other table that shares its counts.

The method, after τ-ARGUS and sdcTable (secondary suppression over linked hierarchical tables):

1. *Primary*: every cell from 1 to k−1 is hidden. Across agencies, so is every cell where
   one agency's supervisor — who knows their own survivors — would be left with 1 to k−1 of the
   others' (the dominance rule of business statistics, agencies as contributors).
2. *Secondary*: no line (a total and the parts that make it, in any of the three dimensions) may
   have exactly one hidden cell, and where a line's total is shown its hidden parts must hold k
   between them; the complement hidden is the one that costs readers least (``cost`` in
   ``protect``).
3. *Audit*: linear programming (``sdc_audit``) computes, for every sensitive hidden cell, the
   interval an attacker infers from everything the lattice publishes — as an outsider, and as
   each agency knowing its own counts. An interval narrower than k takes one more complement
   and the audit runs again, until none is left.

Only then is anything read from it. The result depends only on the year's counts, so it is
computed once for them and kept (``protect`` is pure; the caller caches it).
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .sdc_audit import Audit

NATION = "*"
UNKNOWN = "?"  # incidents whose region nobody recorded: part of the nation, never shown apart

Key = tuple[str, str, str]  # (inner cell, time node, area node)
Cost = tuple[bool, bool, int, bool, int, Key]
Counts = Mapping[tuple[Hashable, int, str | None, Hashable], int]  # (inner atom, month, region, agency)


@dataclass(frozen=True)
class Family:
    """Counts that published tables share, as cells over one set of inner atoms.

    ``cells``: each cell and the inner atoms it sums. ``lines``: (total, parts) — the parts
    partition the total's atoms; they are what subtraction works on. ``shown``: the cells some
    table displays; the others are implied by them (a total minus its shown parts) and are
    hidden for free when they must be.
    """

    id: str
    cells: Mapping[str, frozenset[Hashable]]
    lines: tuple[tuple[str, tuple[str, ...]], ...]
    shown: frozenset[str]

    def check(self) -> None:
        """Every line's parts partition its total (a family that lies would void the audit)."""
        for total, parts in self.lines:
            atoms = [atom for part in parts for atom in self.cells[part]]
            if len(atoms) != len(set(atoms)) or set(atoms) != set(self.cells[total]):
                raise ValueError(f"{self.id}: {parts} do not partition {total}")
        if not self.shown <= set(self.cells):
            raise ValueError(f"{self.id}: shows cells it does not define")


@dataclass(frozen=True)
class Lattice:
    year: int
    regions: tuple[str, ...]

    @property
    def months(self) -> list[str]:
        return [f"{self.year}-{m:02d}" for m in range(1, 13)]

    @property
    def quarters(self) -> list[str]:
        return [f"{self.year}-Q{q}" for q in range(1, 5)]

    @property
    def times(self) -> list[str]:
        return [*self.months, *self.quarters, str(self.year)]

    @property
    def areas(self) -> list[str]:
        return [*self.regions, UNKNOWN, NATION]

    def months_of(self, time: str) -> list[int]:
        if time == str(self.year):
            return list(range(1, 13))
        if "-Q" in time:
            first = 3 * int(time[-1]) - 2
            return [first, first + 1, first + 2]
        return [int(time[-2:])]

    def times_of(self, month: int) -> tuple[str, str, str]:
        return (f"{self.year}-{month:02d}", f"{self.year}-Q{(month - 1) // 3 + 1}", str(self.year))

    def published(self, time: str, area: str) -> bool:
        """Months are published for the nation only: a region's month is too small to show in
        most of a country, and every region-month shown would need neighbours hidden with it."""
        return area == NATION or time not in self.months

    def areas_of(self, area: str) -> list[str]:
        return [*self.regions, UNKNOWN] if area == NATION else [area]

    def lines(self, cells: Iterable[str]) -> list[tuple[Key, ...]]:
        """The lattice's own lines for each inner cell: quarters of the year, months of each
        quarter, regions (and the unrecorded) of the nation."""
        found: list[tuple[Key, ...]] = []
        cells = list(cells)
        for cell in cells:
            for area in self.areas:
                found.append(((cell, str(self.year), area), *((cell, q, area) for q in self.quarters)))
                for q in self.quarters:
                    found.append(((cell, q, area), *((cell, self.months[m - 1], area) for m in self.months_of(q))))
            for time in self.times:
                found.append(((cell, time, NATION), *((cell, time, area) for area in self.areas_of(NATION))))
        return found


@dataclass
class Protection:
    """A family's year, protected: read a cell with ``value``; None when hidden."""

    family: Family
    lattice: Lattice
    values: dict[Key, int]
    hidden: set[Key]
    # Nodes to withhold in every family: a cell here is pinned by the shown total alone. While
    # not empty, this protection must not be used (the caller withholds them and starts again).
    withhold: set[tuple[str, str]] = field(default_factory=set)
    # What each agency knows: its count in every leaf. Kept for the audit of what is published.
    leaves: Leaves | None = field(default=None, repr=False)
    shares: dict[Hashable, dict[int, int]] = field(default_factory=dict, repr=False)

    def value(self, cell: str, time: str, area: str = NATION) -> int | None:
        key = (cell, time, area)
        return None if key in self.hidden else self.values.get(key, 0)


class Leaves:
    """The leaves of a family's lattice — (inner atom, month, area) — numbered for the audit."""

    def __init__(self, family: Family, lattice: Lattice) -> None:
        self.lattice = lattice
        atoms = sorted({atom for atoms in family.cells.values() for atom in atoms}, key=repr)
        self.atom = {atom: n for n, atom in enumerate(atoms)}
        self.area = {area: n for n, area in enumerate(lattice.areas_of(NATION))}
        self.size = len(atoms) * 12 * len(self.area)
        self._cells = {
            name: np.array([self.atom[a] for a in cell], dtype=np.int64) for name, cell in family.cells.items()
        }

    def number(self, atom: Hashable, month: int, area: str) -> int:
        return (self.atom[atom] * 12 + month - 1) * len(self.area) + self.area[area]

    def of(self, key: Key) -> np.ndarray:
        cell, time, area = key
        months = np.array(self.lattice.months_of(time), dtype=np.int64) - 1
        areas = np.array([self.area[a] for a in self.lattice.areas_of(area)], dtype=np.int64)
        width = len(self.area)
        return ((self._cells[cell][:, None, None] * 12 + months[None, :, None]) * width + areas[None, None, :]).ravel()


def protect(
    family: Family,
    lattice: Lattice,
    counts: Counts,
    k: int,
    by_agency: bool = True,
    withheld: Iterable[tuple[str, str]] = (),
    pinned: Iterable[str] = (),
) -> Protection:
    """Suppression for every cell of the family's year, checked by the audit (module docstring).

    ``by_agency``: the counts span several agencies, whose supervisors each know their own.
    ``withheld``: (time, area) nodes where nothing is shown. ``pinned``: cells decided elsewhere
    (the number of incidents, by the incidents family) — shown wherever the node is not withheld,
    never chosen to hide another.
    """
    withheld = set(withheld)
    pinned = set(pinned)
    known_regions = set(lattice.regions)
    of_atom: dict[Hashable, list[str]] = defaultdict(list)
    for name, atoms in family.cells.items():
        for atom in atoms:
            of_atom[atom].append(name)
    values: dict[Key, int] = defaultdict(int)
    shares: dict[Key, dict[Hashable, int]] = defaultdict(lambda: defaultdict(int))
    leaves = Leaves(family, lattice)
    leaf_shares: dict[Hashable, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for (atom, month, region, agency), n in counts.items():
        if not n:
            continue
        area = region if region in known_regions else UNKNOWN
        if atom in leaves.atom:
            leaf_shares[agency][leaves.number(atom, month, area)] += n
        for time in lattice.times_of(month):
            for place in (area, NATION):
                for cell in of_atom.get(atom, ()):
                    values[(cell, time, place)] += n
                    shares[(cell, time, place)][agency] += n

    keys = [(cell, time, area) for cell in family.cells for time in lattice.times for area in lattice.areas]
    lines = [
        ((total, time, area), *((part, time, area) for part in parts))
        for total, parts in family.lines
        for time in lattice.times
        for area in lattice.areas
    ]
    lines += lattice.lines(family.cells)
    lines_of: dict[Key, list[int]] = defaultdict(list)
    for n, line in enumerate(lines):
        for key in line:
            lines_of[key].append(n)

    def small(v: int) -> bool:
        return 0 < v < k

    def sensitive_for(key: Key) -> list[Hashable | None]:
        """Who could narrow this cell below k: None for anyone; an agency for its supervisor."""
        v = values.get(key, 0)
        found: list[Hashable | None] = [None] if small(v) else []
        if by_agency:
            mine = shares.get(key, {})
            found += [agency for agency in leaf_shares if small(v - mine.get(agency, 0))]
        return found

    months = set(lattice.months)

    def displayed(key: Key) -> bool:
        return key[0] in family.shown and key[2] != UNKNOWN

    def cost(key: Key) -> Cost:
        """What hiding a cell costs readers: nothing if it is never shown apart; then a node's
        total (it withholds a whole report) costs most, a coarser node more than a finer one,
        and a larger count more than a smaller one."""
        cell, time, area = key
        level = 0 if time in months else 1 if "-Q" in time else 2
        return (displayed(key), cell == "total", level, area == NATION, values.get(key, 0), key)

    sensitive = {key: who for key in keys if (who := sensitive_for(key))}
    # Never published: hidden from the start, yet audited — subtraction must not give them away.
    hidden: set[Key] = set(sensitive) | {
        key for key in keys if not lattice.published(key[1], key[2]) or key[1:] in withheld
    }
    hidden -= {key for key in keys if key[0] in pinned and key[1:] not in withheld and lattice.published(*key[1:])}
    fixed = {key for key in keys if key[0] in pinned and key not in hidden}
    # What the lines must keep from being subtracted out: the sensitive cells and every cell
    # hidden to protect one. A never-published cell that is neither may be derivable: it tells
    # nothing small (the audit checks it all the same).
    guarded: set[Key] = set(sensitive) | {key for key in hidden if key[1:] in withheld}
    queue: deque[int] = deque(range(len(lines)))

    def hide(key: Key) -> None:
        hidden.add(key)
        guarded.add(key)
        queue.extend(lines_of[key])

    def complete_lines() -> None:
        while queue:
            n = queue.popleft()
            need = _shortfall(lines[n], hidden, guarded, sensitive, values, k)
            if need is None:
                continue
            candidates = [key for key in lines[n] if key not in hidden and key not in fixed and values.get(key, 0) > 0]
            if candidates:
                enough = [key for key in candidates if values.get(key, 0) >= need]
                hide(min(enough, key=cost) if enough else max(candidates, key=lambda key: values.get(key, 0)))
                queue.append(n)  # look again: one complement may not be enough

    result = Protection(
        family, lattice, dict(values), hidden, leaves=leaves, shares={a: dict(per) for a, per in leaf_shares.items()}
    )
    pending: Mapping[Key, list[Hashable | None]] = sensitive
    while True:
        complete_lines()
        # Hiding more only widens intervals: a cell found safe stays safe; only the exposed
        # ones are asked again.
        exposed, pinning = _audit(leaves, keys, values, hidden, pending, leaf_shares, k)
        pending = exposed
        if not exposed:
            return result
        before = len(hidden)
        stuck: set[tuple[str, str]] = set()
        for key in exposed:
            # What pins it, as the solver says; failing that, the lines; failing that, any overlap.
            pins = [other for other in pinning.get(key, []) if other not in hidden and other not in fixed]
            found = (
                min(pins, key=cost) if pins else _nearest_complement(key, lines, lines_of, hidden | fixed, cost, values)
            )
            if found is None:  # pinned by cells no line names together: any visible overlap
                mine = leaves.of(key)
                overlapping = [
                    other
                    for other in keys
                    if other not in hidden and values.get(other, 0) > 0 and np.intersect1d(mine, leaves.of(other)).size
                ]
                if not overlapping:
                    continue  # what pinned it was hidden for another cell this round
                free = [other for other in overlapping if other not in fixed]
                if not free:  # only pinned totals pin it: a node to withhold, unless this round helped
                    stuck.add(min(overlapping, key=cost)[1:])
                    continue
                found = min(free, key=cost)
            hide(found)
        if len(hidden) > before:
            continue  # audit again: what was hidden this round may have freed the others
        # Nothing left to hide here: the caller withholds the nodes whose pinned total pins them.
        result.withhold = stuck or {key[1:] for key in exposed if lattice.published(key[1], key[2])}
        if not result.withhold:
            raise RuntimeError(f"{family.id}: cannot protect {list(exposed)[:3]}")
        return result


def _shortfall(
    line: tuple[Key, ...],
    hidden: set[Key],
    guarded: set[Key],
    sensitive: Mapping[Key, object],
    values: Mapping[Key, int],
    k: int,
) -> int | None:
    """What the line still needs hidden, or None when it is safe as far as the line itself goes.

    A line with one hidden cell gives it back by subtraction. A line whose total is visible
    tells the sum of its hidden parts: below k, every hidden part is known within less than k.
    """
    total, parts = line[0], line[1:]
    hidden_here = [key for key in line if key in hidden]
    if not hidden_here:
        return None
    if len(hidden_here) == 1:
        if hidden_here[0] not in guarded:
            return None
        return max(1, k - values.get(hidden_here[0], 0)) if total not in hidden else 1
    if total in hidden or not any(key in sensitive for key in hidden_here):
        return None
    held = sum(values.get(key, 0) for key in parts if key in hidden)
    return k - held if held < k else None


def _nearest_complement(
    key: Key,
    lines: Sequence[tuple[Key, ...]],
    lines_of: Mapping[Key, list[int]],
    hidden: set[Key],
    cost: Callable[[Key], Cost],
    values: Mapping[Key, int],
) -> Key | None:
    """The cheapest visible non-zero cell in a line with ``key``; failing that, in a line with a
    hidden cell of those lines, and so on outwards; None when the lines lead nowhere."""
    seen, frontier = {key}, [key]
    while frontier:
        members = {other for cell in frontier for n in lines_of[cell] for other in lines[n]} - seen
        candidates = [other for other in members if other not in hidden and values.get(other, 0) > 0]
        if candidates:
            return min(candidates, key=cost)
        seen |= members
        frontier = [other for other in members if other in hidden]
    return None


def _audit(
    leaves: Leaves,
    keys: Sequence[Key],
    values: Mapping[Key, int],
    hidden: set[Key],
    sensitive: Mapping[Key, list[Hashable | None]],
    leaf_shares: Mapping[Hashable, Mapping[int, int]],
    k: int,
) -> tuple[dict[Key, list[Hashable | None]], dict[Key, list[Key]]]:
    """The sensitive hidden cells, and who can narrow each below k, given everything not hidden;
    and for each, the shown cells that pin it (what hiding can widen it)."""
    published = [key for key in keys if key not in hidden]
    audit = Audit(leaves.size, ((leaves.of(key), values.get(key, 0)) for key in published))
    exposed: dict[Key, list[Hashable | None]] = defaultdict(list)
    by_attacker: dict[Hashable | None, list[Key]] = defaultdict(list)
    for key, who in sensitive.items():
        for attacker in who:
            by_attacker[attacker].append(key)
    pinning: dict[Key, list[Key]] = {}
    for attacker in sorted(by_attacker, key=lambda a: (a is not None, repr(a))):
        audit.know(leaf_shares.get(attacker, {}) if attacker is not None else {})
        asked = by_attacker[attacker]
        for n in audit.narrow([(leaves.of(key), values.get(key, 0)) for key in asked], k):
            exposed[asked[n]].append(attacker)
            pins = pinning.setdefault(asked[n], [])
            pins += [published[i] for i in audit.binding(leaves.of(asked[n]))]
    return exposed, pinning
