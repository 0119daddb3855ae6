"""The differencing attacks of the attack review, run through the API as a cluster lead (and a
supervisor) would: fetch every report the lattice offers, write each published number as an
equation over the counts it sums, and ask a linear programme how narrowly each hidden count is
pinned. This attacker is independent of the product's code: it reads only the JSON."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from gbvims.sdc_audit import Audit, Numbering

from ..conftest import api_token
from ..integration.cases_helpers import add_incident, case_payload, incident_payload, make_case

K = 5
YEAR = 2025
GAO, SEGOU = "ML-7", "ML-5"
PLACE = {GAO: "ML-7-03", SEGOU: "ML-5-06"}
TYPES = ("rape", "sexual_assault", "physical_assault", "forced_marriage", "denial_of_resources", "psychological_abuse")
NOT_RAPE = {"penetration": False, "unwanted_sexual_contact": False, "physical_assault": True}
Atom = tuple[str, int, str]  # (type, month, region)


@pytest.fixture
def year_of_incidents(app, factory) -> Counter[tuple[str, Atom]]:
    """A year in two regions and two agencies, with the small groups the review recovered:
    July in Gao (1 rape), Ségou (2 rapes in March), and SAHEL's 2 rapes among ESPOIR's many."""
    factory.user("awa", role="caseworker", agency="ESPOIR")
    factory.user("fatou", role="supervisor", agency="ESPOIR")
    factory.user("sali", role="caseworker", agency="SAHEL")
    factory.user("mariam", role="cluster_lead", agency=None)
    plan: list[tuple[str, str, int, str, int]] = []  # (user, region, month, type, how many)
    for month in range(1, 13):
        plan.append(("awa", GAO, month, "rape", 1 if month == 7 else 5))
    plan += [("awa", GAO, 8, "physical_assault", 5), ("awa", GAO, 9, "physical_assault", 5)]
    plan += [("awa", SEGOU, 3, "rape", 2), ("sali", GAO, 12, "rape", 2)]
    truth: Counter[tuple[str, Atom]] = Counter()
    for user, region, month, gbv_type, count in plan:
        payload = case_payload()
        payload["location"] = PLACE[region]
        interview = dt.date(YEAR, month, 14)
        for n in range(count):
            answers = {"penetration": True} if gbv_type == "rape" else NOT_RAPE
            late = gbv_type == "physical_assault" and month == 9 and n < 2  # two reported after 10 days
            incident = incident_payload(
                classification=answers,
                date_of_interview=interview.isoformat(),
                date_of_incident=(interview - dt.timedelta(days=10 if late else 2)).isoformat(),
            )
            add_incident(app, user, make_case(app, user, payload), incident)
            truth[(user, (gbv_type, month, region))] += 1
    return truth


def months_of(period: str) -> list[int]:
    if "-Q" in period:
        first = 3 * int(period[-1]) - 2
        return [first, first + 1, first + 2]
    return list(range(1, 13)) if len(period) == 4 else [int(period[-2:])]


PERIODS = [str(YEAR), *(f"{YEAR}-Q{q}" for q in range(1, 5)), *(f"{YEAR}-{m:02d}" for m in range(1, 13))]
REGIONS = (GAO, SEGOU, "elsewhere")
AGENCIES = ("awa", "sali")  # ESPOIR's and SAHEL's survivors, by the caseworker who recorded them
Leaf = tuple[str, int, str, str]  # (type, month, region, agency)
Cells = list[tuple[frozenset[Leaf], int | None]]


def published(client, username: str, agencies: tuple[str, ...] = AGENCIES) -> Cells:
    """Every incidents-by-type count the user can fetch: (the leaves it sums, its value or
    None). A refused report publishes nothing. ``agencies``: whose survivors the figures count."""
    headers = api_token(client, username)
    found: Cells = []

    def cell(types: tuple[str, ...], period: str, places: tuple[str, ...]) -> frozenset[Leaf]:
        return frozenset((t, m, p, a) for t in types for m in months_of(period) for p in places for a in agencies)

    for period in PERIODS:
        for region in (None, GAO, SEGOU):
            query = {"period": period, **({"region": region} if region else {})}
            response = client.get("/api/v1/stats/gbvims", query_string=query, headers=headers)
            if response.status_code == 422:
                continue
            assert response.status_code == 200, response.get_json()
            report = response.get_json()
            places = (region,) if region else REGIONS
            by_type = next(t for t in report["tables"] if t["id"] == "incidents_by_type")
            for gbv_type, (value,) in zip(by_type["rows"], by_type["cells"], strict=True):
                found.append((cell((gbv_type,), period, places), value))
            found.append((cell(TYPES, period, places), report["incidents"]))
            by_region = next((t for t in report["tables"] if t["id"] == "incidents_by_region"), None)
            if by_region is None:
                continue
            for code, values, total in zip(by_region["rows"], by_region["cells"], by_region["row_totals"], strict=True):
                if code in (GAO, SEGOU):
                    found += [
                        (cell((t,), period, (code,)), v) for t, v in zip(by_region["columns"], values, strict=True)
                    ]
                    found.append((cell(TYPES, period, (code,)), total))
    return found


def narrowed(cells: Cells, truth: Counter[Leaf], attacker: str | None = None) -> list[tuple[list[Leaf], int, float]]:
    """The counts of 1 to k−1 survivors the attacker does not know (all of them for an
    outsider; the other agency's for a supervisor, who knows every one of their own agency's)
    that the published figures pin within less than k, whether the figure itself is hidden or
    shown."""
    numbering = Numbering(leaf for cell, _v in cells for leaf in cell)
    own = [(frozenset({leaf}), truth[leaf]) for leaf in numbering.number if leaf[3] == attacker]  # known exactly
    published = [*cells, *own]
    audit = Audit(numbering.size, [(numbering.of(cell), value) for cell, value in published if value is not None])
    found = []
    for cell, _value in cells:
        theirs = frozenset(leaf for leaf in cell if leaf[3] != attacker)
        count = sum(truth[leaf] for leaf in theirs)
        if 0 < count < K:
            low, high = audit.interval(numbering.of(theirs))
            if high - low < K - 1e-9:
                found.append((sorted(theirs)[:3], count, high - low))
    return found


def totals(plan: Counter[tuple[str, Atom]]) -> Counter[Leaf]:
    return Counter({(*atom, user): n for (user, atom), n in plan.items()})


def test_no_combination_of_periods_and_regions_gives_back_a_small_count(client, year_of_incidents) -> None:
    """Overlapping periods (July = Q3 − August − September) and region against nation (Ségou =
    Mali − Gao): every report the lead can fetch, subtracted every way at once."""
    cells = published(client, "mariam")
    assert sum(1 for _c, v in cells if v) > 10  # the year is published, not refused
    assert narrowed(cells, totals(year_of_incidents)) == []
    july = [v for cell, v in cells if cell == frozenset((t, 7, p, a) for t in TYPES for p in REGIONS for a in AGENCIES)]
    assert july in ([], [None])  # July alone: refused or hidden


def test_the_tables_of_one_report_do_not_give_each_other_away(client, year_of_incidents) -> None:
    """Overlapping tables: delays of all incidents minus delays of rape would be the two
    physical assaults reported after 10 days; types, delays and totals subtracted every way."""
    headers = api_token(client, "mariam")
    report = client.get("/api/v1/stats/gbvims", query_string={"period": f"{YEAR}-Q3"}, headers=headers).get_json()
    tables = {t["id"]: t for t in report["tables"]}
    bands = tables["report_delay_all"]["rows"]
    cells: list[tuple[frozenset[tuple[str, str]], int | None]] = [
        (frozenset((t, b) for t in TYPES for b in bands), report["incidents"])
    ]
    by_type = tables["incidents_by_type"]
    for gbv_type, (value,) in zip(by_type["rows"], by_type["cells"], strict=True):
        cells.append((frozenset((gbv_type, b) for b in bands), value))
    for table, types in (("report_delay_all", TYPES), ("report_delay_rape", ("rape",))):
        for band, (value,) in zip(bands, tables[table]["cells"], strict=True):
            cells.append((frozenset((t, band) for t in types), value))
    truth = Counter({("rape", "0-3"): 11, ("physical_assault", "0-3"): 8, ("physical_assault", "6-14"): 2})
    assert report["incidents"] == 21
    assert tables["report_delay_all"]["cells"][bands.index("6-14")] == [None]
    numbering = Numbering(atom for cell, _v in cells for atom in cell)
    audit = Audit(numbering.size, [(numbering.of(cell), v) for cell, v in cells if v is not None])
    for cell, value in cells:
        if value is None and 0 < sum(truth[a] for a in cell) < K:
            low, high = audit.interval(numbering.of(cell))
            assert high - low >= K - 1e-9, (sorted(cell), low, high)


def test_the_supervisor_of_the_big_agency_learns_nothing_of_the_other_from_the_lead(client, year_of_incidents) -> None:
    """Supervisor against lead: ESPOIR's supervisor knows every one of ESPOIR's survivors (and
    sees ESPOIR's own statistics); the lead's figures must not leave them 1 to 4 of SAHEL's."""
    cells = published(client, "mariam") + published(client, "fatou", agencies=("awa",))
    assert narrowed(cells, totals(year_of_incidents), attacker="awa") == []


def test_the_attacker_finds_what_table_by_table_suppression_leaves(client, year_of_incidents, monkeypatch) -> None:
    """The attacker above is not blind: with the joint protection replaced by the old rule
    (each cell of 1 to k−1 hidden, nothing more), it recovers small counts."""
    from gbvims import aggregates, lattice

    original = lattice.protect

    def small_cells_only(family, lattice_, counts, k, by_agency=True, withheld=(), pinned=()):
        protection = original(family, lattice_, counts, k, by_agency=False)
        protection.hidden = {
            key for key, value in protection.values.items() if 0 < value < k or not lattice_.published(key[1], key[2])
        }
        protection.hidden |= {key for key in protection.hidden if key[1:] in set(withheld)}
        return protection

    monkeypatch.setattr(aggregates, "protect", small_cells_only)
    monkeypatch.setattr(aggregates, "_CACHE", {})
    monkeypatch.setattr("tests.security.disclosure.exposures", lambda protection, k: [])
    truth = totals(year_of_incidents)
    assert narrowed(published(client, "mariam"), truth)
    assert narrowed(published(client, "mariam") + published(client, "fatou", agencies=("awa",)), truth, "awa")
