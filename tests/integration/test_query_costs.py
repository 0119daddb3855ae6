"""What a page costs the database, counted in statements and tables rather than timed: a list
costs what the caseworker holds, whatever the agency's size (timings live in ``make bench``)."""

from __future__ import annotations

import re

from ..conftest import captured_sql, client_of
from .cases_helpers import case_payload, make_case


def _list_statements(app, web) -> list[str]:
    with captured_sql(app) as statements:
        assert web.get("/cases").status_code == 200
    # The page's rows: cases with their survivors, a page at a time.
    return [s for s in statements if s.startswith("SELECT cases.id") and "LIMIT" in s.upper() and "survivors" in s]


def test_a_caseworkers_list_reads_her_cases_through_one_indexed_set(app, factory) -> None:
    factory.user("awa", role="caseworker", agency="ESPOIR")
    factory.user("binta", role="caseworker", agency="ESPOIR")
    make_case(app, "awa")
    make_case(app, "binta")
    [rows] = _list_statements(app, client_of(app, "awa"))
    # Owned and assigned as one set (indexed lookups), not "owner = me OR id IN (…)" over the agency.
    assert "UNION" in rows.upper() and not re.search(r"owner_id = \S+ OR", rows)
    # A row is the case, its survivor and the key to read the name: no agency, owner or team joined.
    assert not re.search(r"\b(agencies|users|case_assignments)\b", re.split(r"\sWHERE\s", rows)[0])


def test_the_list_costs_the_same_statements_whatever_the_agency_holds(app, factory) -> None:
    factory.user("awa", role="caseworker", agency="ESPOIR")
    factory.user("binta", role="caseworker", agency="ESPOIR")
    for n in range(3):
        make_case(app, "awa", case_payload(given_name=f"A{n}"))
    web = client_of(app, "awa")
    with captured_sql(app) as before:
        web.get("/cases")
    for n in range(40):  # the agency grows; her caseload does not
        make_case(app, "binta", case_payload(given_name=f"B{n}"))
    with captured_sql(app) as after:
        web.get("/cases")
    assert len(after) == len(before)


def test_registering_reads_the_locations_once_per_process(app, factory) -> None:
    factory.user("awa", role="caseworker", agency="ESPOIR")
    make_case(app, "awa")
    with captured_sql(app) as statements:
        make_case(app, "awa")
        make_case(app, "awa", case_payload())
    assert not [s for s in statements if re.search(r"\bFROM locations\b", s)]


def test_without_a_child_protection_case_the_clocks_cost_one_small_query(app, factory) -> None:
    factory.user("awa", role="caseworker", agency="ESPOIR")
    make_case(app, "awa")
    with captured_sql(app) as statements:
        assert client_of(app, "awa").get("/cases").status_code == 200
    assert not [s for s in statements if "FROM child_profiles" in s]
