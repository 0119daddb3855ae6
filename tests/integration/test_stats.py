"""Anonymized statistics: counting rules, disclosure control in every output, role limits."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook

from app.stats.exports import safe
from gbvims.options import PATHWAY_SERVICES as PATHWAY

from ..conftest import api_token as token
from ..conftest import sign_in
from ..conftest import text as page_text
from .cases_helpers import add_incident, case_payload, incident_payload, make_case

EN = {"Accept-Language": "en"}
IDENTIFYING = ("Aïssata", "Maïga", "76 12 34 56", "Château", "route du marché", "ESPOIR", "Agence")



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
        ({"start": "2026-01", "end": "2026-06"}, "calendar month, quarter or year only"),
        ({"start": "2026-01"}, "calendar month, quarter or year only"),
        ({"period": ""}, "Choose a period"),
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
    few = client.get("/api/v1/stats/gbvims", query_string={"period": year()}, headers=token(client, "boss"))
    assert few.status_code == 422 and "Too few incidents" in repr(few.get_json())  # 3: their own, not published
    for _ in range(2):
        add_incident(app, "kadi", make_case(app, "kadi"))
    other = client.get("/api/v1/stats/gbvims", query_string={"period": year()}, headers=token(client, "boss"))
    assert other.status_code == 200 and other.get_json()["incidents"] == 5  # no ISP: still their own statistics
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
    # /healthz, /readyz and /metrics (from loopback) are the operators' endpoints, not pages.
    allowed_prefixes = ("/stats", "/services", "/account", "/language", "/logout", "/static", "/login",
                        "/healthz", "/readyz", "/metrics")
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
    post_form(
        web, f"/cases/{case_id}", {"what": "reporting", "confirm": "yes"}, action=f"/cases/{case_id}/consent/withdraw"
    )
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


# --- A fixture with a known answer: every table checked to the unit (k = 1: nothing hidden) ---

NOT_GBV = dict.fromkeys(
    (
        "penetration",
        "unwanted_sexual_contact",
        "physical_assault",
        "forced_marriage",
        "denial_of_resources",
        "psychological_abuse",
    ),
    False,
)


def as_user(app, username: str, action):
    """Run ``action(user)`` through the real services, signed in as ``username``; commit."""
    from flask_login import login_user

    from models import User, db

    with app.test_request_context():
        user = db.session.query(User).filter_by(username=username).one()
        login_user(user)
        result = action(user)
        db.session.commit()
        return result


def record_gap(app, username: str, case_id: str, service_type: str, incident_id: str | None) -> None:
    from app.referrals.service import record_gap as record
    from models import Case, db

    as_user(app, username, lambda user: record(user, db.session.get(Case, case_id), service_type, incident_id))


@pytest.fixture
def known(app, factory):
    """Five counted incidents (ESPOIR, ISP signed, all in Gao) and everything that must not count."""
    from sqlalchemy import update

    from app.referrals.directory_admin import upsert_provider
    from app.referrals.service import create_referral
    from models import Case, Incident, db

    factory.user("awa", role="caseworker", agency="ESPOIR")
    factory.user("fatou", role="supervisor", agency="ESPOIR")
    factory.agency("NOISP", isp_signed=False)
    factory.user("kadi", role="caseworker", agency="NOISP")
    factory.user("boss", role="supervisor", agency="NOISP")
    factory.user("mariam", role="cluster_lead", agency=None)
    factory.agency("SAHEL")
    with app.app_context():  # health is offered in Gao; legal is not (a gap can be recorded)
        clinic = upsert_provider(
            {"code": "CLINIC-GAO", "name": "Clinique", "agency": "SAHEL", "services": "health", "locations": "ML-7"}
        ).id
        db.session.commit()
    ids: dict[str, str] = {}
    # 1. The primary perpetrator is row 2 (index 1), not row 0.
    one = make_case(app, "awa")
    ids["primary_in_row_2"] = add_incident(
        app,
        "awa",
        one,
        incident_payload(
            days_ago=1,
            perpetrator_count="3",
            previous_gbv="yes",
            perpetrators=[
                {"sex": "male", "age_group": "18-25", "relationship": "intimate_partner", "occupation": "farmer"},
                {
                    "sex": "female",
                    "age_group": "41-60",
                    "relationship": "family_other",
                    "occupation": "trader",
                    "primary": True,
                },
            ],
        ),
    )
    # 2. Two incidents of one case: the health referral is for the older one, the gap for the newer.
    two = make_case(app, "awa")
    ids["older"] = add_incident(
        app,
        "awa",
        two,
        incident_payload(
            days_ago=10,
            classification={"penetration": False, "unwanted_sexual_contact": False, "physical_assault": True},
        ),
    )
    ids["newer"] = add_incident(app, "awa", two, incident_payload(days_ago=2))
    as_user(
        app,
        "awa",
        lambda user: create_referral(
            user,
            db.session.get(Case, two),
            {"service_type": "health", "provider_id": clinic, "incident_id": ids["older"], "share": []},
        ),
    )
    record_gap(app, "awa", two, "legal", ids["newer"])
    # 3. Pathway lines answered on the form; one perpetrator described, "more than 3" in all.
    ids["answered"] = add_incident(
        app,
        "awa",
        make_case(app, "awa"),
        incident_payload(
            days_ago=0,
            previous_gbv="no",
            perpetrator_count="more_than_3",
            perpetrators=[{"sex": "female", "age_group": "26-40", "relationship": "intimate_partner"}],
            pathway={"health": "provided_by_agency", "psychosocial": "not_applicable", "legal": "service_unavailable"},
        ),
    )
    # 4. Nobody described: number and sex unknown.
    ids["nobody"] = add_incident(
        app,
        "awa",
        make_case(app, "awa"),
        incident_payload(
            days_ago=20,
            classification={"penetration": False, "unwanted_sexual_contact": True},
            previous_gbv="unknown",
            perpetrator_count="unknown",
            perpetrators=[],
        ),
    )
    # Not counted: two non-GBV incidents (one with a recorded gap), from the same agency.
    for n in range(2):
        case_id = make_case(app, "awa")
        incident_id = add_incident(
            app, "awa", case_id, incident_payload(classification=NOT_GBV, non_gbv_description="Litige foncier.")
        )
        if n == 0:
            record_gap(app, "awa", case_id, "legal", incident_id)
    # Not counted: a survivor who did not consent to reporting, with a recorded gap.
    no_consent = case_payload()
    no_consent["consent"]["reporting"] = False
    refused = make_case(app, "awa", no_consent)
    record_gap(app, "awa", refused, "legal", add_incident(app, "awa", refused, incident_payload()))
    # The agency that did not sign the ISP: two physical assaults and a gap.
    for n in range(2):
        case_id = make_case(app, "kadi")
        incident_id = add_incident(
            app,
            "kadi",
            case_id,
            incident_payload(
                classification={"penetration": False, "unwanted_sexual_contact": False, "physical_assault": True}
            ),
        )
        if n == 0:
            record_gap(app, "kadi", case_id, "legal", incident_id)
    with app.app_context():  # a record migrated from before the IRF's own answers: NULL, not recorded
        db.session.execute(
            update(Incident).where(Incident.id == ids["older"]).values(perpetrator_count=None, perpetrator_sex=None)
        )
        db.session.commit()
    return ids


def tables(client, username: str, **query: str) -> dict:
    response = client.get(
        "/api/v1/stats/gbvims", query_string={"period": year(), **query}, headers=token(client, username)
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def one_way(report: dict, table_id: str) -> dict[str, int]:
    table = next(t for t in report["tables"] if t["id"] == table_id)
    return {row: cells[0] for row, cells in zip(table["rows"], table["cells"], strict=True) if cells[0]}


def test_known_fixture_gives_exactly_the_expected_tables(app, client, known, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "STATS_MIN_CELL", 1)
    report = tables(client, "mariam")
    assert report["incidents"] == 5 and report["agencies"] == 1
    by_type = next(t for t in report["tables"] if t["id"] == "incidents_by_type")
    assert "non_gbv" not in by_type["rows"] and by_type["total"] == 5
    assert one_way(report, "incidents_by_type") == {"rape": 3, "sexual_assault": 1, "physical_assault": 1}
    trend = next(t for t in report["tables"] if t["id"] == "trend_by_month")
    assert "non_gbv" not in trend["columns"] and trend["total"] == 5
    # the primary perpetrator is the row flagged primary (row 2 of the first incident)
    assert one_way(report, "perpetrators_relationship") == {
        "family_other": 1,
        "no_relation": 2,
        "intimate_partner": 1,
        "unknown": 1,
    }
    assert one_way(report, "perpetrators_age_group") == {"41-60": 1, "26-40": 3, "unknown": 1}
    assert one_way(report, "perpetrators_occupation") == {"trader": 1, "unknown": 4}
    # the number is the IRF's own answer; NULL (a migrated record) and "unknown" are one row
    assert one_way(report, "perpetrators_number") == {"1": 1, "3": 1, "more_than_3": 1, "unknown": 2}
    assert one_way(report, "perpetrators_sex") == {"both": 1, "male": 1, "female": 1, "unknown": 2}
    previous = next(t for t in report["tables"] if t["id"] == "incidents_previous_gbv")
    assert previous["rows"] == ["yes", "no", "unknown", "not_recorded"]
    assert [row[0] for row in previous["cells"]] == [1, 1, 1, 2] and previous["total"] == 5
    # the referral pathway: an unanswered line is "not recorded", and every row adds up to 5
    pathway = next(t for t in report["tables"] if t["id"] == "referrals_by_service")
    assert pathway["columns"][-1] == "not_recorded"
    lines = {
        service: {status: n for status, n in zip(pathway["columns"], row, strict=True) if n}
        for service, row in zip(pathway["rows"], pathway["cells"], strict=True)
    }
    assert lines == {
        "shelter": {"not_recorded": 5},
        "health": {"referred": 1, "provided_by_agency": 1, "not_recorded": 3},  # referred: the older incident
        "psychosocial": {"not_applicable": 1, "not_recorded": 4},
        "legal": {"service_unavailable": 2, "not_recorded": 3},
        "security": {"not_recorded": 5},
        "livelihoods": {"not_recorded": 5},
        "child_protection": {"not_recorded": 5},
    }
    # every row counts every incident once: no totals (a column total would add up services)
    assert pathway["row_totals"] is None and pathway["column_totals"] is None and pathway["total"] is None
    gaps = {g["service"]: (g["needed"], g["unavailable"], g["share"]) for g in report["service_gaps"]}
    assert gaps == {
        "health": (2, 0, 0.0),
        "psychosocial": (0, 0, None),  # "not applicable" and unanswered lines are not needs
        "legal": (2, 2, 1.0),
        "security": (0, 0, None),
        "shelter": (0, 0, None),
    }
    # report delays: the health referral of the older incident does not count for the newer rape
    assert one_way(report, "report_delay_all") == {"0-3": 3, "6-14": 1, "15-30": 1}
    assert one_way(report, "report_delay_rape") == {"0-3": 3}
    assert one_way(report, "report_delay_rape_health") == {"0-3": 1}
    # recorded gaps: only the consenting survivor's GBV incident, only agencies that signed
    records = next(t for t in report["tables"] if t["id"] == "service_unavailable_records")
    assert records["total"] == 1
    assert records["cells"][records["rows"].index("ML-7")][records["columns"].index("legal")] == 1
    # one month (PostgreSQL: one scan, no split of the period): the same tables — except that
    # months are published for the nation only, so the tables by region are withheld
    month = tables(client, "mariam", period=dt.date.today().strftime("%Y-%m"))
    by_region = ("trend_by_month", "incidents_by_region", "service_unavailable_records")
    same = [t for t in month["tables"] if t["id"] not in by_region]
    assert same == [t for t in report["tables"] if t["id"] not in by_region]
    regions = next(t for t in month["tables"] if t["id"] == "incidents_by_region")
    assert all(v is None for row in regions["cells"] for v in row) and regions["total"] == 5


def test_the_referral_and_the_gap_set_the_pathway_of_their_own_incident(app, known) -> None:
    from models import Incident, db

    with app.app_context():
        older, newer = db.session.get(Incident, known["older"]), db.session.get(Incident, known["newer"])
        assert (older.pathway_health, older.pathway_legal) == ("referred", None)
        assert (newer.pathway_health, newer.pathway_legal) == (None, "service_unavailable")


def test_supervisors_see_their_own_agency_whether_or_not_it_signed_the_isp(app, client, known, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "STATS_MIN_CELL", 1)
    own = tables(client, "fatou")
    assert own["incidents"] == 5 and own["agencies"] == 1
    unsigned = tables(client, "boss")
    assert unsigned["incidents"] == 2 and unsigned["agencies"] == 1
    assert one_way(unsigned, "incidents_by_type") == {"physical_assault": 2}
    records = next(t for t in unsigned["tables"] if t["id"] == "service_unavailable_records")
    assert records["total"] == 1  # their own gap, and nobody else's
    assert tables(client, "mariam")["incidents"] == 5  # across agencies, still only those that signed
    web = app.test_client()
    sign_in(web, "boss")
    page = page_text(web.get(f"/stats?period={year()}", headers=EN))
    assert "Your agency's incidents only" in page and "Incidents by sex of the alleged perpetrators" in page


def test_withdrawn_consent_takes_recorded_gaps_out_too(app, client, known, monkeypatch) -> None:
    from models import Incident, db

    from ..conftest import post_form

    monkeypatch.setitem(app.config, "STATS_MIN_CELL", 1)
    with app.app_context():
        case_id = db.session.get(Incident, known["newer"]).case_id
    web = app.test_client()
    sign_in(web, "awa")
    post_form(
        web, f"/cases/{case_id}", {"what": "reporting", "confirm": "yes"}, action=f"/cases/{case_id}/consent/withdraw"
    )
    report = tables(client, "mariam")
    assert report["incidents"] == 3  # the case's two incidents are gone
    records = next(t for t in report["tables"] if t["id"] == "service_unavailable_records")
    assert records["total"] == 0


def test_new_tables_are_in_the_dashboard_and_the_files(app, client, data) -> None:
    headers = token(client, "mariam")
    rows = list(
        csv.reader(
            io.StringIO(
                client.get("/api/v1/exports/gbvims.csv", query_string={"period": year()}, headers=headers).get_data(
                    as_text=True
                )
            )
        )
    )
    published = {(row[3], row[5], row[7]): row[9] for row in rows[2:]}
    assert published[("perpetrators_sex", "male", "count")] == "12"
    assert published[("incidents_previous_gbv", "not_recorded", "count")] == "12"
    assert published[("referrals_by_service", "health", "not_recorded")] == "12"
    assert published[("referrals_by_service", "health", "referred")] == "0"
    book = load_workbook(
        io.BytesIO(client.get("/api/v1/exports/gbvims.xlsx", query_string={"period": year()}, headers=headers).data)
    )
    assert {"perpetrators_sex", "incidents_previous_gbv"} <= set(book.sheetnames)
    header = next(book["referrals_by_service"].iter_rows(min_row=2, max_row=2, values_only=True))
    assert "Not recorded" in header
    web = app.test_client()
    sign_in(web, "mariam")
    page = page_text(web.get(f"/stats?period={year()}", headers=EN))
    for title in (
        "Incidents by sex of the alleged perpetrators",
        "Incidents by previous GBV against the survivor",
        "Not recorded",
    ):
        assert title in page


class BrowserForm(HTMLParser):
    """What a browser would send for one form if nobody touched it: each select's selected
    option (else its first), checked radios and boxes, every other field's value."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.fields = action, False, {}
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("action", "").endswith(self.action)
        if not self.inside or not a.get("name") and tag != "option":
            return
        if tag == "input" and a.get("type") not in ("submit", "button"):
            if a.get("type") not in ("radio", "checkbox") or "checked" in a:
                self.fields[a["name"]] = a.get("value", "")
        elif tag == "select":
            self.select = a["name"]
        elif tag == "option" and self.select is not None:
            if self.select not in self.fields or "selected" in a:
                self.fields[self.select] = a.get("value", "")
        elif tag == "textarea":
            self.textarea = a["name"]
            self.fields[a["name"]] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.fields[self.textarea] += data


def untouched(page: str, action: str) -> dict[str, str]:
    form = BrowserForm(action)
    form.feed(page)
    return form.fields


def test_incidents_saved_from_the_form_without_touching_the_pathway_are_never_referred(app, client, factory) -> None:
    from sqlalchemy import select

    from models import Incident, db

    from ..conftest import csrf_token

    factory.user("awa", role="caseworker", agency="ESPOIR")
    factory.user("mariam", role="cluster_lead", agency=None)
    web = app.test_client()
    sign_in(web, "awa")
    for _ in range(5):
        case_id = make_case(app, "awa")
        action = f"/cases/{case_id}/incidents/new"
        first = web.get(action).get_data(as_text=True)
        form_page = web.post(
            action, data={"csrf_token": csrf_token(first), "step": "classify", "classification.penetration": "yes"}
        ).get_data(as_text=True)
        fields = untouched(form_page, action)
        assert any(name.startswith("pathway.") for name in fields)  # the lines are on the form, left as they are
        fields.update(
            {
                "date_of_incident": dt.date.today().isoformat(),
                "date_of_interview": dt.date.today().isoformat(),
                "time_of_day": "morning",
                "place_type": "road",
                "reported_elsewhere": "no",
                "perpetrator_count": "1",
                "perpetrators.0.sex": "male",
                "perpetrators.0.age_group": "26-40",
                "perpetrators.0.relationship": "no_relation",
                "step": "save",
            }
        )
        saved = web.post(action, data=fields)
        assert saved.status_code == 302, page_text(saved)
    with app.app_context():
        lines = db.session.execute(select(*(Incident.__table__.c[f"pathway_{s}"] for s in PATHWAY))).all()
        assert len(lines) == 5 and all(value is None for line in lines for value in line)
    report = tables(client, "mariam")
    assert report["incidents"] == 5
    pathway = next(t for t in report["tables"] if t["id"] == "referrals_by_service")
    for row in pathway["cells"]:
        assert row == [5 if status == "not_recorded" else 0 for status in pathway["columns"]]
    assert all(g["needed"] == 0 for g in report["service_gaps"])
    assert one_way(report, "report_delay_rape_health") == {}


def test_a_year_still_being_protected_answers_503_then_the_report(app, client, data, monkeypatch) -> None:
    """The year's protection is worked out in the background; a request that cannot wait for
    it is told so in words, and a later one gets the report."""
    import time

    from gbvims import aggregates

    monkeypatch.setattr(aggregates, "_CACHE", {})
    monkeypatch.setitem(app.config, "STATS_WAIT_SECONDS", 0)
    started = aggregates._WORKER.submit(time.sleep, 0.5)  # the worker is busy: nothing is ready at once
    headers = token(client, "mariam")
    first = client.get("/api/v1/stats/gbvims", query_string={"period": year()}, headers=headers)
    assert first.status_code == 503 and "being prepared" in first.get_json()["error"]["message"]
    started.result()
    for _ in range(100):
        later = client.get("/api/v1/stats/gbvims", query_string={"period": year()}, headers=headers)
        if later.status_code == 200:
            break
        time.sleep(0.1)
    assert later.status_code == 200 and later.get_json()["incidents"] == 12
