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


def _clinic(app, factory) -> int:
    """A health service of another agency, to refer to."""
    from app.referrals.directory_admin import upsert_provider
    from models import db

    factory.agency("SANTE")
    with app.app_context():
        clinic = upsert_provider(
            {"code": "CLINIC", "name": "Clinique", "agency": "SANTE", "services": "health", "locations": "ML-7"}
        ).id
        db.session.commit()
    return clinic


def _statements(app, web, path: str, headers: dict[str, str] | None = None) -> int:
    with captured_sql(app) as statements:
        assert web.get(path, headers=headers or {}).status_code == 200, path
    return len(statements)


def test_every_daily_page_costs_the_same_statements_whatever_the_caseload(app, client, factory) -> None:
    """A caseworker's, a supervisor's and a provider's daily pages, with 3 then 30 cases in
    scope (each with an incident and a referral): the same number of statements."""
    from ..conftest import api_token
    from .cases_helpers import add_incident

    factory.user("awa", role="caseworker", agency="ESPOIR")
    factory.user("fatou", role="supervisor", agency="ESPOIR")
    clinic = _clinic(app, factory)
    factory.user("moussa", role="provider", agency="SANTE", provider_id=clinic)
    headers = api_token(client, "awa")

    def add(n: int) -> str:
        case_id = make_case(app, "awa", case_payload(given_name=f"P{n}"))
        add_incident(app, "awa", case_id)
        sent = client.post(
            f"/api/v1/cases/{case_id}/referrals",
            headers=headers,
            json={"service_type": "health", "provider_id": clinic, "share": ["given_name"]},
        )
        assert sent.status_code == 201, sent.get_json()
        return case_id

    first = [add(n) for n in range(3)]
    webs = {name: client_of(app, name) for name in ("awa", "fatou", "moussa")}
    pages = [
        ("awa", "/"),
        ("awa", "/cases"),
        ("awa", f"/cases/{first[0]}"),
        ("fatou", "/"),
        ("fatou", "/cases"),
        ("moussa", "/inbox"),
    ]
    few = {(who, path): _statements(app, webs[who], path) for who, path in pages}
    few_api = _statements(app, client, "/api/v1/cases", headers)
    for n in range(3, 30):
        add(n)
    many = {(who, path): _statements(app, webs[who], path) for who, path in pages}
    assert many == few
    assert _statements(app, client, "/api/v1/cases", headers) == few_api


def test_a_list_page_is_one_query_with_its_total_and_reads_no_child_concern(app, client, factory) -> None:
    """The page and its total in one statement (a window count); a child's concerns are not on
    a list row (only the response clocks read them, once), so 3 or 30 child protection cases
    cost the same."""
    from ..conftest import api_token
    from .cases_helpers import cp_case_payload

    factory.user("awa", role="caseworker", agency="ESPOIR")
    web, headers = client_of(app, "awa"), api_token(client, "awa")
    for n in range(3):
        make_case(app, "awa", cp_case_payload(given_name=f"E{n}"))
    with captured_sql(app) as page:
        assert web.get("/cases").status_code == 200
    assert not [s for s in page if "count(*)" in s.lower() and "over" not in s.lower()]
    assert len([s for s in page if "FROM child_concerns" in s]) <= 1
    few = (_statements(app, web, "/cases"), _statements(app, client, "/api/v1/cases", headers))
    for n in range(3, 30):
        make_case(app, "awa", cp_case_payload(given_name=f"E{n}"))
    assert (_statements(app, web, "/cases"), _statements(app, client, "/api/v1/cases", headers)) == few
    listed = client.get("/api/v1/cases", headers=headers).get_json()
    assert listed["total"] == 30 and len(listed["items"]) == 30
    past_the_end = web.get("/cases?page=9")  # a stale link: the last page, with the right total
    assert past_the_end.status_code == 200 and "E0" in past_the_end.get_data(as_text=True)


def test_the_referral_alerts_join_only_what_the_list_shows(app, client, factory) -> None:
    """Overdue and answered referrals show the case's code and the survivor's name: the provider,
    agencies, users and the packet's key are not joined (a ten-table join cost more to plan
    than to run)."""
    from ..conftest import api_token

    factory.user("awa", role="caseworker", agency="ESPOIR")
    clinic = _clinic(app, factory)
    headers = api_token(client, "awa")
    case_id = make_case(app, "awa")
    sent = client.post(f"/api/v1/cases/{case_id}/referrals", headers=headers,
                       json={"service_type": "health", "provider_id": clinic, "share": ["given_name"]})
    assert sent.status_code == 201
    with captured_sql(app) as statements:
        assert client_of(app, "awa").get("/cases").status_code == 200
    alerts = [s for s in statements if s.startswith("SELECT referrals.id")]
    assert len(alerts) == 1  # overdue and answered together
    for statement in alerts:
        joined = set(re.findall(r"(?:FROM|JOIN) (\w+)", statement))
        assert joined <= {"referrals", "cases", "survivors", "data_keys", "case_assignments"}, joined  # + scope


def test_many_overdue_referrals_never_hide_an_answer(app, client, factory) -> None:
    """Overdue and answered referrals come from one query, the first 50 of each: sixty overdue
    referrals do not crowd out the provider's answer, nor does another caseworker's case show."""
    import datetime as dt

    from flask_login import login_user
    from sqlalchemy import update

    from app.referrals.service import ALERTS_SHOWN, alerts
    from models import Referral, User, db, utcnow

    from ..conftest import api_token

    factory.user("awa", role="caseworker", agency="ESPOIR")
    factory.user("binta", role="caseworker", agency="ESPOIR")
    clinic = _clinic(app, factory)
    headers = {"awa": api_token(client, "awa"), "binta": api_token(client, "binta")}
    sent: dict[str, list[str]] = {"awa": [], "binta": []}
    for owner, count in (("awa", ALERTS_SHOWN + 11), ("binta", 1)):
        for _ in range(count):
            case_id = make_case(app, owner)
            made = client.post(f"/api/v1/cases/{case_id}/referrals", headers=headers[owner],
                               json={"service_type": "health", "provider_id": clinic, "share": ["given_name"]})
            assert made.status_code == 201, made.get_json()
            sent[owner].append(made.get_json()["id"])
    now = utcnow()
    answered_id, *overdue_ids = sent["awa"]
    with app.app_context():
        for n, referral_id in enumerate(overdue_ids + sent["binta"]):  # due 1, 2, … hours ago
            db.session.execute(update(Referral).where(Referral.id == referral_id)
                               .values(due_at=now - dt.timedelta(hours=len(overdue_ids) + 1 - n)))
        db.session.execute(update(Referral).where(Referral.id == answered_id)
                           .values(state="accepted", responded_at=now - dt.timedelta(days=1)))
        db.session.commit()
    with app.test_request_context():
        awa = db.session.scalars(db.select(User).where(User.username == "awa")).one()
        login_user(awa)
        overdue, answered = alerts(awa, now)
        assert [r.id for r in answered] == [answered_id]
        assert [r.id for r in overdue] == overdue_ids[:ALERTS_SHOWN]  # the longest overdue first
        assert not {r.id for r in overdue} & set(sent["binta"])
        assert all(r.case.survivor.display_name for r in overdue)
