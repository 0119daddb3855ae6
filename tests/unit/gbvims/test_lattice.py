"""Suppression decided over a year's lattice: the differencing attacks of the attack review,
replayed on the engine, and an audit of its own (tests/security/disclosure.py) on each result."""

from __future__ import annotations

from collections.abc import Hashable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gbvims.families import incident_families, one_way
from gbvims.lattice import NATION, Family, Lattice, Protection, protect

from ...security.disclosure import exposures

K = 5
TYPES = one_way("types", "gbv_type", ["rape", "sexual_assault", "physical_assault"]).family
LATTICE = Lattice(2025, ("ML-6", "ML-7"))
Counts = dict[tuple[Hashable, int, str | None, Hashable], int]


def year(monthly: dict[str, list[int]], region: str = "ML-6", agency: int = 1) -> Counts:
    """{code: [January … December]} in one region, one agency."""
    return {(code, month + 1, region, agency): n for code, months in monthly.items() for month, n in enumerate(months)}


def merged(*parts: Counts) -> Counts:
    found: Counts = {}
    for part in parts:
        for key, n in part.items():
            found[key] = found.get(key, 0) + n
    return found


def safe(protection: Protection) -> Protection:
    assert exposures(protection, K) == []
    return protection


BUSY = {"rape": [9] * 12, "sexual_assault": [8] * 12, "physical_assault": [12] * 12}


def test_a_busy_year_is_published_whole() -> None:
    counts = merged(year(BUSY), year(BUSY, "ML-7"))
    p = safe(protect(TYPES, LATTICE, counts, K))
    for time in LATTICE.times:
        assert p.value("total", time) is not None and p.value("code:rape", time) is not None
    for time in [*LATTICE.quarters, "2025"]:
        assert p.value("code:rape", time, "ML-7") is not None


def test_a_small_july_is_not_given_back_by_its_quarter_and_the_other_months() -> None:
    """The finding: Jan–Nov minus Aug–Nov gave July = 2 incidents, 1 rape."""
    quiet = {code: [n if m != 6 else 0 for m, n in enumerate(months)] for code, months in BUSY.items()}
    quiet["rape"][6], quiet["sexual_assault"][6] = 1, 1
    p = safe(protect(TYPES, LATTICE, merged(year(quiet), year(BUSY, "ML-7")), K))
    july = p.value("total", "2025-07", "ML-6")  # a region's month is never published
    assert july is None
    assert p.value("code:rape", "2025-07") is not None  # the nation's July is large enough
    q3 = [p.value("code:rape", t, "ML-6") for t in ("2025-Q3", "2025-07", "2025-08", "2025-09")]
    assert q3[1] is None  # and the quarter with its months cannot pin July down: the audit says so


def test_a_small_region_is_not_given_back_by_the_nation_and_the_other_regions() -> None:
    small = {"rape": [0] * 11 + [2], "sexual_assault": [0] * 12, "physical_assault": [0] * 11 + [1]}
    p = safe(protect(TYPES, LATTICE, merged(year(small), year(BUSY, "ML-7")), K))
    assert p.value("total", "2025", "ML-6") is None and p.value("total", "2025-Q4", "ML-6") is None
    # nation − Gao would be Ségou: so one of them is hidden wherever Ségou is
    for time in ("2025", "2025-Q4"):
        assert p.value("code:rape", time) is None or p.value("code:rape", time, "ML-7") is None


def test_the_supervisor_of_the_big_agency_cannot_subtract_their_own_survivors() -> None:
    """The lead's count minus the supervisor's own would be the other agency's: 2."""
    theirs = {"rape": [0] * 11 + [2], "sexual_assault": [0] * 12, "physical_assault": [0] * 12}
    counts = merged(year(BUSY, agency=1), year(theirs, agency=2))
    lead = safe(protect(TYPES, LATTICE, counts, K))
    assert lead.value("code:rape", "2025") is None and lead.value("code:rape", "2025-Q4") is None
    assert lead.value("code:physical_assault", "2025") == 144  # nobody else's in it: shown
    own = protect(TYPES, LATTICE, year(BUSY, agency=1), K, by_agency=False)
    assert own.value("code:rape", "2025") == 108  # the supervisor's own view


def test_overlapping_age_groups_do_not_give_back_a_hidden_age_row() -> None:
    """The finding: children (12) − 12–17 (8) gave back 0–11 = 4."""
    ages = next(c for c in incident_families() if c.family.id == "ages").family
    atoms = {
        ("10-11", "female"): 1,
        ("0-9", "female"): 2,
        ("0-9", "male"): 1,
        ("12-17", "female"): 8,
        ("20-49", "female"): 30,
        ("50+", "female"): 6,
        ("18-19", "female"): 2,
    }
    counts = {(atom, 3, "ML-6", 1): n for atom, n in atoms.items()}
    p = safe(protect(ages, LATTICE, counts, K, by_agency=False))
    assert p.value("age:0-11", "2025") is None
    children, teens = p.value("group:children", "2025"), p.value("age:12-17", "2025")
    assert children is None or teens is None


def test_a_family_whose_parts_do_not_add_up_is_refused() -> None:
    cells = {"total": frozenset({"a", "b"}), "a": frozenset({"a"}), "b": frozenset({"a", "b"})}
    with pytest.raises(ValueError, match="partition"):
        Family("bad", cells, (("total", ("a", "b")),), frozenset(cells)).check()


def test_a_pinned_total_stays_shown_and_a_withheld_node_shows_nothing() -> None:
    counts = merged(year(BUSY), year(BUSY, "ML-7"))
    p = safe(protect(TYPES, LATTICE, counts, K, withheld={("2025-Q1", "ML-7")}, pinned={"total"}))
    assert all(p.value(cell, "2025-Q1", "ML-7") is None for cell in TYPES.cells)
    assert p.value("total", "2025-Q2", "ML-7") == 87


small_years = st.dictionaries(
    st.tuples(
        st.sampled_from(["rape", "sexual_assault", "physical_assault"]),
        st.integers(1, 12),
        st.sampled_from(["ML-6", "ML-7", None]),
        st.integers(1, 2),
    ),
    st.integers(1, 6),
    min_size=1,
    max_size=40,
)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_years)
def test_no_hidden_count_of_one_to_four_can_be_narrowed_below_five(counts: Counts) -> None:
    """Whatever the year: nothing an outsider or either agency could pin within less than k,
    and every shown count is 0 or at least k — also once an agency takes its own away."""
    p = safe(protect(TYPES, LATTICE, counts, K))
    for key, value in p.values.items():
        if key not in p.hidden and key[2] != "?" and LATTICE.published(key[1], key[2]):
            assert value == 0 or value >= K, key
    for cell in TYPES.cells:
        shown = p.value(cell, "2025", NATION)
        assert shown is None or shown == sum(
            n for (code, *_r), n in counts.items() if cell == "total" or cell == f"code:{code}"
        )


def test_every_family_shows_the_number_of_incidents_exactly_where_the_incidents_family_does() -> None:
    """Families share only that number: shown alike everywhere, or the whole report withheld —
    and each family's year passes the audit of its own."""
    import random

    from gbvims.aggregates import _protect_year

    rnd = random.Random(7)
    families = incident_families()
    lattice = Lattice(2025, ("ML-5", "ML-6", "ML-7"))
    atoms = {c.family.id: sorted({a for cell in c.family.cells.values() for a in cell}, key=repr) for c in families}
    leaves: dict[str, Counts] = {c.family.id: {} for c in families}
    for _ in range(240):  # each incident falls in one atom of every family
        month, region, agency = rnd.randint(1, 12), rnd.choice(["ML-5", "ML-6", "ML-7", "ML-7"]), rnd.choice([1, 1, 2])
        for c in families:
            real = [a for a in atoms[c.family.id] if "?" not in repr(a)]
            key = (rnd.choice(real), month, region, agency)
            leaves[c.family.id][key] = leaves[c.family.id].get(key, 0) + 1
    protections = _protect_year(lattice, families, leaves, K, True)
    base = protections["incidents"]
    for protection in protections.values():
        for time in lattice.times:
            for area in [*lattice.regions, NATION]:
                assert (protection.value("total", time, area) is None) == (base.value("total", time, area) is None)
        assert exposures(protection, K) == [], protection.family.id


def test_a_family_may_show_every_cell_it_defines_and_no_other() -> None:
    cells = {"total": frozenset({"a", "b"}), "a": frozenset({"a"}), "b": frozenset({"b"})}
    Family("all", cells, (("total", ("a", "b")),), frozenset(cells)).check()
    with pytest.raises(ValueError, match="does not define"):
        Family("more", cells, (("total", ("a", "b")),), frozenset({*cells, "c"})).check()


def test_a_finished_protection_is_kept_even_when_nobody_waits_for_it(monkeypatch) -> None:
    """Computed in the background: done, it moves to the cache (a later request is immediate)
    and leaves nothing behind among the pending ones."""
    import time

    from gbvims import aggregates

    monkeypatch.setattr(aggregates, "_CACHE", {})
    families = [one_way("types", "gbv_type", ["rape", "sexual_assault", "physical_assault"])]
    leaves = {"types": merged(year(BUSY), year(BUSY, "ML-7"))}
    busy = aggregates._WORKER.submit(time.sleep, 0.3)
    with pytest.raises(aggregates.Preparing):
        aggregates._protect_year(LATTICE, families, leaves, K, True, wait=0)
    busy.result()
    for _ in range(100):
        if aggregates._CACHE:
            break
        time.sleep(0.05)
    assert len(aggregates._CACHE) == 1 and not aggregates._PENDING
    kept = next(iter(aggregates._CACHE.values()))
    assert aggregates._protect_year(LATTICE, families, leaves, K, True, wait=0) is kept
