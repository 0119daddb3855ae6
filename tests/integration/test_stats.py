"""Anonymized statistics: counting rules, disclosure control in every output, role limits."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from app.stats.exports import safe

from ..conftest import PASSWORD, sign_in
from ..conftest import text as page_text
from .cases_helpers import add_incident, case_payload, incident_payload, make_case

EN = {"Accept-Language": "en"}
IDENTIFYING = ("Aïssata", "Maïga", "76 12 34 56", "Château", "route du marché", "ESPOIR", "Agence")


def token(client, username: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {response.get_json()['token']}", **EN}


@pytest.fixture
def data(app, factory):
    factory.user("awa", role="caseworker", agency="ESPOIR")
    factory.user("fatou", role="supervisor", agency="ESPOIR")
    factory.agency("NOISP", isp_signed=False)
    factory.user("kadi", role="caseworker", agency="NOISP")
    factory.user("mariam", role="cluster_lead", agency=None)
    for n in range(12):  # counted: 7 rapes, 5 physical assaults
        case_id = make_case(app, "awa")
        answers = (
            {"penetration": True}
            if n < 7
            else {"penetration": False, "unwanted_sexual_contact": False, "physical_assault": True}
        )
        add_incident(app, "awa", case_id, incident_payload(days_ago=2, classification=answers))
    no_consent = case_payload()
    no_consent["consent"]["reporting"] = False
    for _ in range(3):  # not counted: no consent to reporting
        add_incident(
            app,
            "awa",
            make_case(app, "awa", no_consent),
            incident_payload(classification={"penetration": False, "unwanted_sexual_contact": True}),
        )
    for _ in range(3):  # not counted: the agency did not sign the ISP
        add_incident(
            app,
            "kadi",
            make_case(app, "kadi"),
            incident_payload(classification={"penetration": False, "unwanted_sexual_contact": True}),
        )
    for _ in range(2):  # not counted: already reported to another GBVIMS agency
        add_incident(
            app,
            "awa",
            make_case(app, "awa"),
            incident_payload(
                classification={"penetration": False, "unwanted_sexual_contact": True},
                reported_elsewhere="gbvims_agency",
            ),
        )


def year() -> str:
    import datetime as dt

    return str(dt.date.today().year)


def test_counting_rules_and_suppression_in_the_api(client, data) -> None:
    response = client.get("/api/v1/stats/gbvims", query_string={"period": year()}, headers=token(client, "mariam"))
    assert response.status_code == 200
    report = response.get_json()
    assert report["incidents"] == 12
    by_type = next(t for t in report["tables"] if t["id"] == "incidents_by_type")
    counts = dict(zip(by_type["rows"], [row[0] for row in by_type["cells"]], strict=True))
    assert counts["rape"] == 7 and counts["physical_assault"] == 5
    assert counts["sexual_assault"] == 0  # the 8 uncounted incidents are all sexual assaults
    for table in report["tables"]:
        for row in table["cells"]:
            assert all(v is None or v == 0 or v >= 5 for v in row), table["id"]
    assert not any(word in response.get_data(as_text=True) for word in IDENTIFYING)


def test_files_carry_hxl_no_identifying_column_and_no_small_count(client, data) -> None:
    headers = token(client, "mariam")
    csv_response = client.get("/api/v1/exports/gbvims.csv", query_string={"period": year()}, headers=headers)
    assert csv_response.status_code == 200 and csv_response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(csv_response.get_data(as_text=True))))
    assert rows[1][0].startswith("#date") and "#adm1+code" in rows[1]
    values = [row[9] for row in rows[2:]]
    assert all(v == "" or int(v) == 0 or int(v) >= 5 for v in values)
    xlsx = client.get("/api/v1/exports/gbvims.xlsx", query_string={"period": year()}, headers=headers)
    book = load_workbook(io.BytesIO(xlsx.data))
    assert book.sheetnames[:2] == ["Metadata", "Data"]
    everything, numbers = [], []
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            everything.extend(v for v in row if v is not None)
            if sheet.title != "Metadata":  # which holds the count of agencies, as the ISP asks
                numbers.extend(v for v in row if isinstance(v, int))
    assert numbers and all(v == 0 or v >= 5 for v in numbers)
    assert not any(isinstance(v, str) and word in v for v in everything for word in IDENTIFYING)
    meta = dict(row for row in book["Metadata"].iter_rows(values_only=True))
    assert meta["Incidents counted"] == 12 and "suppressed" in meta["Suppression rule"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2026-06", "end": "2026-01"}, "ends before it starts"),
        ({"start": "2026-01"}, "both the first"),
        ({"period": "2026-13"}, "Give the period"),
        ({"period": "2999"}, "not started"),
        ({"period": year(), "region": "ML-99"}, "Unknown region"),
    ],
)
def test_bad_periods_and_regions_are_explained(client, data, query, message) -> None:
    response = client.get("/api/v1/stats/gbvims", query_string=query, headers=token(client, "mariam"))
    assert response.status_code == 422 and message in repr(response.get_json())


def test_empty_results_are_not_errors(client, data) -> None:
    headers = token(client, "mariam")
    few = client.get("/api/v1/stats/gbvims", query_string={"period": year(), "region": "ML-5"}, headers=headers)
    assert few.status_code == 200 and few.get_json()["incidents"] == 0  # nothing: shown as empty, not an error
    web_empty = client.get("/api/v1/stats/gbvims", query_string={"period": "2001"}, headers=headers)
    assert web_empty.status_code == 200 and web_empty.get_json()["incidents"] == 0


def test_small_area_cannot_be_published(app, client, data) -> None:
    payload = case_payload()
    payload["location"] = "ML-5-06"
    for _ in range(2):
        add_incident(app, "awa", make_case(app, "awa", payload))
    response = client.get(
        "/api/v1/stats/gbvims", query_string={"period": year(), "region": "ML-5"}, headers=token(client, "mariam")
    )
    assert response.status_code == 422 and "Too few incidents" in repr(response.get_json())


def test_supervisor_sees_only_their_agency_and_cannot_export(app, client, data, factory) -> None:
    factory.user("boss", role="supervisor", agency="NOISP")
    other = client.get("/api/v1/stats/gbvims", query_string={"period": year()}, headers=token(client, "boss"))
    assert other.status_code == 200 and other.get_json()["incidents"] == 0
    mine = client.get("/api/v1/stats/gbvims", query_string={"period": year()}, headers=token(client, "fatou"))
    assert mine.get_json()["incidents"] == 12
    assert (
        client.get(
            "/api/v1/exports/gbvims.csv", query_string={"period": year()}, headers=token(client, "fatou")
        ).status_code
        == 403
    )
    assert client.get("/api/v1/stats/gbvims", headers=token(client, "awa")).status_code == 403


def test_dashboard_in_both_languages(app, data) -> None:
    web = app.test_client()
    sign_in(web, "mariam")
    page = page_text(web.get(f"/stats?period={year()}"))
    assert "Statistiques GBVIMS" in page and "<svg" in page and "Viol" in page
    english = page_text(web.get(f"/stats?period={year()}", headers=EN))
    assert "incidents counted" in english or "Statistics" in english
    bad = web.get("/stats?period=2026-13")
    assert bad.status_code == 422
    xlsx = web.get(f"/stats/gbvims.xlsx?period={year()}")
    assert xlsx.status_code == 200 and xlsx.headers["Content-Disposition"].endswith('.xlsx"')


def test_cluster_lead_reaches_only_aggregates_directory_and_account(app, data) -> None:
    web = app.test_client()
    sign_in(web, "mariam")
    allowed_prefixes = ("/stats", "/services", "/account", "/language", "/logout", "/static", "/login")
    reached = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()) or rule.rule.startswith("/api/"):
            continue
        url = re.sub(r"<any\(([^,)]+)[^>]*>", lambda m: m.group(1).strip("'\" "), rule.rule)
        url = re.sub(r"<int:[^>]+>", "1", url)
        url = re.sub(r"<[^>]+>", "00000000-0000-4000-8000-000000000000", url)
        status = web.get(url + ("?period=" + year() if url.startswith("/stats") else "")).status_code
        if status == 200:
            reached.append(rule.rule)
    assert all(r == "/" or r.startswith(allowed_prefixes) for r in reached), reached
    headers = token(app.test_client(), "mariam")
    api = app.test_client()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or "GET" not in (rule.methods or set()):
            continue
        url = re.sub(r"<[^>]+>", "00000000-0000-4000-8000-000000000000", rule.rule)
        status = api.get(url, query_string={"period": year()}, headers=headers).status_code
        if status == 200:
            assert rule.rule in (
                "/api/v1/openapi.json",
                "/api/v1/me",
                "/api/v1/services",
                "/api/v1/stats/gbvims",
                "/api/v1/exports/gbvims.csv",
                "/api/v1/exports/gbvims.xlsx",
            ), rule.rule


def test_formula_injection_is_neutralised() -> None:
    assert safe('=HYPERLINK("x")') == '\'=HYPERLINK("x")' and safe("+1") == "'+1" and safe("Viol") == "Viol"
    assert safe(12) == 12


def test_withdrawn_reporting_consent_leaves_the_statistics_at_once(app, client, data) -> None:
    from sqlalchemy import select

    from models import Case, db

    from ..conftest import post_form

    headers = token(client, "mariam")
    before = client.get("/api/v1/stats/gbvims", query_string={"period": year()}, headers=headers).get_json()
    with app.app_context():
        mine = (Case.consent_reporting.is_(True)) & Case.owner.has(username="awa")
        case_id = db.session.scalars(select(Case.id).where(mine).order_by(Case.created_at)).first()
    web = app.test_client()
    sign_in(web, "awa")
    post_form(web, f"/cases/{case_id}", {"what": "reporting"}, action=f"/cases/{case_id}/consent/withdraw")
    after = client.get("/api/v1/stats/gbvims", query_string={"period": year()}, headers=headers).get_json()
    assert (before["incidents"], after["incidents"]) == (12, 11)


def test_recorded_service_gaps_are_counted(app, client, data) -> None:
    from sqlalchemy import select

    from models import Case, db

    from ..conftest import post_form

    with app.app_context():
        mine = (Case.consent_reporting.is_(True)) & Case.owner.has(username="awa")
        case_ids = db.session.scalars(select(Case.id).where(mine).order_by(Case.created_at)).all()[:5]
    web = app.test_client()
    sign_in(web, "awa")
    for case_id in case_ids:
        assert (
            post_form(
                web,
                f"/cases/{case_id}/refer?service_type=shelter",
                {"service_type": "shelter"},
                action=f"/cases/{case_id}/refer/unavailable",
            ).status_code
            == 302
        )
    report = client.get("/api/v1/stats/gbvims", query_string={"period": year()}, headers=token(client, "mariam"))
    table = next(t for t in report.get_json()["tables"] if t["id"] == "service_unavailable_records")
    gao = table["rows"].index("ML-7")
    assert table["cells"][gao][table["columns"].index("shelter")] == 5
