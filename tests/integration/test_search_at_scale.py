"""Search finds the survivor searched for, whatever the agency's size: a full name must match the
given AND the family name, no cap drops the answer, the total is
exact when the candidates are few (a lower bound otherwise, each page checking what it shows),
and further pages of results are reached without a name in a URL."""

from __future__ import annotations

import time

import pytest
from flask import Flask
from flask_login import login_user

from app.cases import service
from models import User, db

from ..conftest import api_token, client_of, csrf_token
from ..conftest import text as page_text
from .cases_helpers import case_payload, make_case

WANTED = {"given_name": "Fatoumata", "family_name": "Traoré", "phone": "+223 76 00 00 01"}


def _register_many(app: Flask, username: str, people: list[dict[str, str]]) -> None:
    """Cases registered through the service in one transaction (real encryption and indexes)."""
    with app.test_request_context():
        user = db.session.query(User).filter_by(username=username).one()
        login_user(user)
        for n, person in enumerate(people):
            service.create_case(user, case_payload(phone=f"+223 66 {n // 10000:02d} {n % 10000:04d}", **person))
        db.session.commit()


@pytest.fixture
def crowded(app, factory):
    """An agency where the wanted survivor is the oldest of 1,200 cases that share her given name
    or her family name (600 of each), and six namesakes with her full name, newer than her."""
    factory.user("awa", role="caseworker", agency="ESPOIR")
    factory.user("fatou", role="supervisor", agency="ESPOIR")
    wanted = make_case(app, "awa", case_payload(**WANTED))
    people = [{"given_name": "Fatoumata", "family_name": f"Coulibaly{n}"} for n in range(600)]
    people += [{"given_name": f"Aminata{n}", "family_name": "Traoré"} for n in range(600)]
    people += [{"given_name": "Fatoumata", "family_name": "Traoré"} for _ in range(6)]
    started = time.monotonic()
    _register_many(app, "awa", people)
    assert time.monotonic() - started < 600  # a guard against a hang, not a timing
    return wanted


def test_the_oldest_namesake_is_found_among_a_thousand_partial_matches(app, client, crowded) -> None:
    headers = api_token(client, "fatou")
    for query in ("Fatoumata Traoré", "TRAORE fatoumata", "fatoumata  traoré"):
        body = client.post("/api/v1/cases/search", json={"q": query}, headers=headers).get_json()
        assert crowded in [c["id"] for c in body["items"]], query
        assert body["total"] == len(body["items"]) == 7, query
    by_phone = client.post("/api/v1/cases/search", json={"q": "76 00 00 01"}, headers=headers).get_json()
    assert [c["id"] for c in by_phone["items"]] == [crowded] and by_phone["total"] == 1


def test_a_page_checks_what_it_shows_and_every_page_is_reached(app, client, crowded, monkeypatch) -> None:
    """607 cases match "Fatoumata": a page reads and decrypts the candidates it needs (one round
    for 20 results and the one that shows a next page), gives the total as a lower bound, and
    paging on reaches every one of them, the last page with the exact total."""
    from ..conftest import captured_sql

    monkeypatch.setattr(service, "SEARCH_RESULTS", 20)
    headers = api_token(client, "fatou")
    with captured_sql(app) as statements:
        first = client.post("/api/v1/cases/search", json={"q": "Fatoumata"}, headers=headers).get_json()
    assert len([s for s in statements if "AS candidates" in s]) == 1  # one round, not every Fatoumata
    assert len(first["items"]) == 20 and first["page"] == 1
    assert first["total_exact"] is False and first["total"] > 20  # "more than 20": a next page exists
    seen: set[str] = set()
    number = 1
    while True:
        body = client.post("/api/v1/cases/search", json={"q": "Fatoumata", "page": number}, headers=headers).get_json()
        seen.update(c["id"] for c in body["items"])
        if body["total_exact"]:
            break
        assert body["total"] > number * 20, number
        number += 1
    assert (number, body["total"], len(seen)) == (31, 607, 607) and crowded in seen
    refused = client.post("/api/v1/cases/search", json={"q": "Fatoumata", "page": 0}, headers=headers)
    assert refused.status_code == 422 and "page" in refused.get_json()["error"]["fields"]


def test_the_page_says_more_than_when_the_total_is_not_counted(app, crowded, monkeypatch) -> None:
    monkeypatch.setattr(service, "SEARCH_RESULTS", 5)
    web = client_of(app, "fatou")
    token = csrf_token(web.get("/cases").get_data(as_text=True))
    first = page_text(web.post("/cases", data={"csrf_token": token, "q": "Fatoumata"}))
    assert "Plus de 5 dossiers : ajoutez un filtre" in first
    assert "Page 1" in first and "Page 1 sur" not in first
    assert '<button type="submit" form="case-search" name="page" value="2"' in first


def test_the_next_page_of_a_search_is_asked_in_the_body(app, crowded, monkeypatch) -> None:
    monkeypatch.setattr(service, "SEARCH_RESULTS", 5)
    web = client_of(app, "fatou")
    token = csrf_token(web.get("/cases").get_data(as_text=True))
    first = page_text(web.post("/cases", data={"csrf_token": token, "q": "Fatoumata Traoré"}))
    assert "7 dossiers" in first and "Page 1 sur 2" in first
    assert '<button type="submit" form="case-search" name="page" value="2"' in first
    second = web.post("/cases", data={"csrf_token": token, "q": "Fatoumata Traoré", "page": "2"})
    assert second.status_code == 200 and "Page 2 sur 2" in page_text(second)
    assert f'href="/cases/{crowded}"' in page_text(second)  # the oldest, last by registration date
