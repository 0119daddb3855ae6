"""An audit of what the statistics publish, written apart from the one the product runs.

The product certifies most cells in bulk and asks the solver one cell at a time only for the
rest; this one asks for the exact interval (smallest and largest value) of every hidden cell
that holds 1 to k−1 survivors — for an outsider, and for each agency's supervisor, who knows
their own agency's count in every leaf and wants the others'. Everything not hidden is taken
as published: what a table shows and what its totals imply.
"""

from __future__ import annotations

from collections.abc import Hashable

from gbvims.aggregates import Report
from gbvims.lattice import Key, Protection
from gbvims.sdc_audit import Audit

Exposure = tuple[str, Key, Hashable | None, float, float]  # family, cell, attacker, low, high


def exposures(protection: Protection, k: int) -> list[Exposure]:
    leaves, values = protection.leaves, protection.values
    assert leaves is not None
    family, lattice = protection.family, protection.lattice
    keys = [(cell, time, area) for cell in family.cells for time in lattice.times for area in lattice.areas]
    audit = Audit(leaves.size, ((leaves.of(key), values.get(key, 0)) for key in keys if key not in protection.hidden))
    hidden = [key for key in protection.hidden if values.get(key, 0) > 0]
    found: list[Exposure] = []
    for attacker in [None, *protection.shares]:
        known = protection.shares[attacker] if attacker is not None else {}
        audit.know(known)
        for key in hidden:
            atoms = leaves.of(key)
            others = values[key] - sum(known.get(int(leaf), 0) for leaf in atoms)
            if not 0 < others < k:
                continue
            low, high = audit.interval(atoms)
            if high - low < k - 1e-9:
                found.append((family.id, key, attacker, low, high))
    return found


_audited: dict[int, Protection] = {}  # kept alive, so that an id is never reused


def audit_report(report: Report) -> list[Exposure]:
    """Every family the report was read from (each protection once per test session)."""
    found: list[Exposure] = []
    for protection in report.protections.values():
        if id(protection) in _audited:
            continue
        found += exposures(protection, report.scope.k)
        _audited[id(protection)] = protection
    return found
