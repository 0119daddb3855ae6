"""Tiny timing harness: best-of-N of a timed loop, reported beside a baseline from the same run."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Figure:
    name: str
    seconds_per_op: float
    baseline: str | None = None
    ratio: float | None = None


def per_op(fn: Callable[[], object], *, number: int, repeat: int = 5) -> float:
    """Best of ``repeat`` runs of ``number`` calls, in seconds per call (least noisy estimate)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, time.perf_counter() - start)
    return best / number


def paired(
    baseline: Callable[[], object], candidate: Callable[[], object], *, number: int, repeat: int = 7
) -> tuple[float, float]:
    """Best-of timings of two functions measured in alternation, so that a slow spell of the
    machine hits both alike and their ratio stays honest."""
    best_base = best_cand = float("inf")
    for _ in range(repeat):
        best_base = min(best_base, per_op(baseline, number=number, repeat=1))
        best_cand = min(best_cand, per_op(candidate, number=number, repeat=1))
    return best_base, best_cand


def print_table(title: str, figures: list[Figure]) -> None:
    print(f"\n{title}")
    print(f"{'measure':<52} {'per op':>12} {'ratio':>8} {'added':>8}  baseline")
    for f in figures:
        ratio = f"{f.ratio:.2f}x" if f.ratio is not None else ""
        added = f"{f.ratio - 1:.2f}x" if f.ratio is not None else ""  # the package's own cost over the baseline
        print(f"{f.name:<52} {f.seconds_per_op * 1e6:>9.2f} µs {ratio:>8} {added:>8}  {f.baseline or ''}")
