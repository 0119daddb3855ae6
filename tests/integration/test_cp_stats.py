"""Child protection (CP) and MRM statistics for the CP sub-cluster: counting rules with a known
answer, disclosure control (k = 5, as configured), who may read them, the files, and GBVIMS
never counting a child protection case."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections.abc import Iterable
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from ..conftest import api_token as token
from ..conftest import sign_in
from ..conftest import text as page_text
from .cases_helpers import add_incident, incident_payload, make_case

EN = {"Accept-Language": "en"}
TODAY = dt.date.today()
YEAR = str(TODAY.year)
LAST_YEAR = str(TODAY.year - 1)
QUARTER = f"{TODAY.year}-Q{(TODAY.month - 1) // 3 + 1}"
GAO, TOMBOUCTOU = "ML-7", "ML-6"


class Records:
    """Rows written straight through the models (no form, no validation): what any CP
    registration, past or future, leaves in the tables the statistics count."""

    def __init__(self, app) -> None:
        self.app = app

    def _user(self, username: str):
        from models import User, db

        return db.session.query(User).filter_by(username=username).one()

    def cases(
        self,
        username: str,
        n: int,
        *,
        region: str = GAO,
        sex: str = "female",
        age: int | None = 13,
        risk: str | None = "high",
        status: str = "open",
        concerns: Iterable[str] = ("separated",),
        consent: bool = True,
        kind: str = "cp",
        created_at: dt.datetime | None = None,
        purged: bool = False,
    ) -> list[str]:
        from models import Case, ChildConcern, Survivor, db, utcnow
        from models.case import new_case_code

        ids = []
        with self.app.app_context():
            user = self._user(username)
            for _ in range(n):
                now = created_at or utcnow()
                case = Case(
                    kind=kind,
                    case_code=new_case_code(kind, now.year),
                    agency_id=user.agency_id,
                    owner_id=user.id,
                    status=status,
                    risk_level=risk,
                    region_code=region,
                    consent_services=True,
                    consent_reporting=consent,
                    created_at=now,
                    closed_at=utcnow() if status == "closed" else None,
                    purged_at=utcnow() if purged else None,
                )
                db.session.add(case)
                db.session.add(Survivor(case=case, sex=sex, age_at_registration=age))
                for concern in concerns:
                    db.session.add(ChildConcern(case=case, concern=concern))
                ids.append(case.id)
            db.session.commit()
        return ids

    def referrals(self, username: str, case_ids: list[str], service_type: str, *, sent: bool = True) -> None:
        from models import Provider, Referral, db, utcnow

        with self.app.app_context():
            user = self._user(username)
            provider = db.session.query(Provider).filter_by(code="CP-DESK").one_or_none()
            if provider is None:
                provider = Provider(code="CP-DESK", name="Bureau CP", agency_id=user.agency_id)
                db.session.add(provider)
                db.session.flush()
            for case_id in case_ids:
                db.session.add(
                    Referral(
                        case_id=case_id,
                        provider_id=provider.id,
                        service_type=service_type,
                        state="sent" if sent else "draft",
                        request_key=uuid.uuid4().hex,
                        created_by_id=user.id,
                        sent_at=utcnow() if sent else None,
                    )
                )
            db.session.commit()

    def tracing(self, username: str, case_ids: list[str], step: str = "reunification", **fields: Any) -> None:
        from models import TracingStep, db

        with self.app.app_context():
            user = self._user(username)
            for case_id in case_ids:
                db.session.add(
                    TracingStep(
                        case_id=case_id,
                        step=step,
                        date=fields.get("date", TODAY),
                        recorded_by_id=user.id,
                        reunification_type=fields.get("reunification_type"),
                    )
                )
            db.session.commit()

    def violations(self, username: str, case_ids: list[str], violation: str, *, day: dt.date = TODAY) -> None:
        from models import Case, GraveViolation, db

        with self.app.app_context():
            user = self._user(username)
            for case_id in case_ids:
                case = db.session.get(Case, case_id)
                db.session.add(
                    GraveViolation(
                        case_id=case_id,
                        violation=violation,
                        date=day,
                        perpetrator="armed_group",
                        agency_id=case.agency_id,
                        region_code=case.region_code,
                        reporting_consent=case.consent_reporting,
                        recorded_by_id=user.id,
                    )
                )
            db.session.commit()


@pytest.fixture
def known(app, factory) -> Records:
    """Twenty counted CP cases of ESPOIR (signed the ISP) in three identical groups — so that every
    published cell is 0 or at least 5 at every period and region — and everything that must not
    count."""
    factory.user("awa", role="caseworker", agency="ESPOIR")
    factory.user("fatou", role="supervisor", agency="ESPOIR")
    factory.agency("NOISP", isp_signed=False)
    factory.user("kadi", role="caseworker", agency="NOISP")
    factory.user("boss", role="supervisor", agency="NOISP")
    factory.user("mariam", role="cluster_lead", agency=None)  # GBV sub-cluster
    factory.user("ama", role="cluster_lead", agency=None, sub_cluster="cp")
    r = Records(app)
    # A: 10 girls of 13 in Gao, high risk, open: separated and working.
    a = r.cases("awa", 10, concerns=("separated", "child_labour"))
    # B: 5 boys of 4 in Gao, medium risk, closed: separated.
    b = r.cases("awa", 5, sex="male", age=4, risk="medium", status="closed")
    # C: 5 boys of 16 in Tombouctou, low risk, open: associated with an armed group.
    c = r.cases("awa", 5, region=TOMBOUCTOU, sex="male", age=16, risk="low", concerns=("associated_with_armed_groups",))
    r.referrals("awa", a[:5], "family_tracing")
    r.referrals("awa", a[5:] + b[:1], "health")
    r.referrals("awa", a[:2], "education", sent=False)  # a draft: never sent
    r.tracing("awa", a[:5], reunification_type="parents")
    r.tracing("awa", a[5:7], step="action")  # tracing, not a reunification
    r.violations("awa", c, "recruitment_use")
    r.violations("awa", a[:6], "killing_maiming")
    # Not counted: no consent to reporting (their referrals, reunifications and violations neither).
    refused = r.cases("awa", 3, consent=False, concerns=("trafficking",))
    r.referrals("awa", refused, "health")
    r.tracing("awa", refused, reunification_type="relatives")
    r.violations("awa", refused, "abduction")
    # Not counted: erased cases' remains.
    r.cases("awa", 3, purged=True, concerns=("trafficking",))
    # Not counted: GBV cases, even with CP rows inserted directly.
    gbv = r.cases("awa", 4, kind="gbv", concerns=("child_marriage",))
    r.referrals("awa", gbv, "health")
    r.tracing("awa", gbv, reunification_type="relatives")
    # Not counted for the lead: an agency that did not sign the ISP (its supervisor sees its own).
    noisp = r.cases("kadi", 5, age=8, concerns=("talibe",))
    r.violations("kadi", noisp[:3], "abduction")
    # Not counted this year: registered last year (5 cases, 2 violations).
    last = dt.datetime(TODAY.year - 1, 3, 10, 9, 0, tzinfo=dt.UTC)
    earlier = r.cases("awa", 5, created_at=last, concerns=("neglect",))
    r.violations("awa", earlier[:2], "abduction", day=last.date())
    return r


def get(client, path: str, username: str, **query: str):
    return client.get(f"/api/v1{path}", query_string={"period": YEAR, **query}, headers=token(client, username))


def table(report: dict, table_id: str) -> dict:
    return next(t for t in report["tables"] if t["id"] == table_id)


def column(report: dict, table_id: str) -> dict[str, int | None]:
    """A one-column table as {row: value}, zeros left out."""
    found = table(report, table_id)
    return {row: cells[0] for row, cells in zip(found["rows"], found["cells"], strict=True) if cells[0] != 0}


def grid(report: dict, table_id: str) -> dict[tuple[str, str], int | None]:
    """A table's non-zero cells as {(row, column): value}."""
    found = table(report, table_id)
    return {
        (row, col): value
        for row, cells in zip(found["rows"], found["cells"], strict=True)
        for col, value in zip(found["columns"], cells, strict=True)
        if value != 0
    }


def small_counts(report: dict) -> list[tuple[str, int]]:
    """Every published number from 1 to 4: there must be none."""
    found = []
    for t in report["tables"]:
        numbers = [v for row in t["cells"] for v in row]
        numbers += [*(t["row_totals"] or []), *(t["column_totals"] or []), t["total"]]
        found += [(t["id"], v) for v in numbers if v is not None and 0 < v < 5]
    return found


def test_cp_tables_give_exactly_the_expected_counts(client, known) -> None:
    response = get(client, "/stats/cp", "ama")
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert report["min_published_count"] == 5
    assert report["cases"] == 20 and report["agencies"] == 1
    assert column(report, "cp_cases_by_concern") == {
        "separated": 15,
        "child_labour": 10,
        "associated_with_armed_groups": 5,
    }
    concerns = table(report, "cp_cases_by_concern")  # a case under each concern: no totals
    assert concerns["total"] is None and concerns["row_totals"] is None
    assert column(report, "cp_cases_by_risk") == {"high": 10, "medium": 5, "low": 5}
    assert table(report, "cp_cases_by_risk")["total"] == 20
    assert grid(report, "cp_children_age_sex") == {("12-14", "female"): 10, ("0-5", "male"): 5, ("15-17", "male"): 5}
    ages = table(report, "cp_children_age_sex")
    assert ages["rows"] == ["0-5", "6-11", "12-14", "15-17", "18+/unknown"]
    assert ages["row_totals"] == [5, 0, 10, 5, 0] and ages["column_totals"] == [10, 10] and ages["total"] == 20
    assert column(report, "cp_cases_by_region") == {GAO: 15, TOMBOUCTOU: 5}
    assert column(report, "cp_cases_by_status") == {"open": 15, "closed": 5}
    assert column(report, "cp_referrals_by_service") == {"family_tracing": 5, "health": 6}
    assert table(report, "cp_referrals_by_service")["total"] == 11
    assert column(report, "cp_reunifications") == {"parents": 5}
    assert {t["unit"] for t in report["tables"]} == {"children", "referrals", "reunifications"}
    assert small_counts(report) == []
    # The quarter and the month hold the same cases; a region's report, its own.
    assert get(client, "/stats/cp", "ama", period=QUARTER).get_json()["cases"] == 20
    assert get(client, "/stats/cp", "ama", period=TODAY.strftime("%Y-%m")).get_json()["cases"] == 20
    tombouctou = get(client, "/stats/cp", "ama", region=TOMBOUCTOU).get_json()
    assert tombouctou["cases"] == 5 and column(tombouctou, "cp_cases_by_concern") == {"associated_with_armed_groups": 5}
    assert "cp_cases_by_region" not in {t["id"] for t in tombouctou["tables"]}


def test_mrm_tables_give_exactly_the_expected_counts(client, known) -> None:
    response = get(client, "/stats/mrm", "ama")
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert report["violations"] == 11 and report["agencies"] == 1
    assert grid(report, "mrm_violations_by_sex") == {("recruitment_use", "male"): 5, ("killing_maiming", "female"): 6}
    by_sex = table(report, "mrm_violations_by_sex")
    assert by_sex["column_totals"] == [6, 5] and by_sex["total"] == 11
    assert grid(report, "mrm_violations_by_age") == {("recruitment_use", "15-17"): 5, ("killing_maiming", "12-14"): 6}
    by_region = table(report, "mrm_violations_by_region")
    assert len(by_region["rows"]) == 4 * len({row.split("/")[0] for row in by_region["rows"]})  # every quarter
    assert grid(report, "mrm_violations_by_region") == {
        (f"{TOMBOUCTOU}/{QUARTER}", "recruitment_use"): 5,
        (f"{GAO}/{QUARTER}", "killing_maiming"): 6,
    }
    assert {t["unit"] for t in report["tables"]} == {"violations"}
    assert small_counts(report) == []
    quarter = get(client, "/stats/mrm", "ama", period=QUARTER).get_json()
    rows = table(quarter, "mrm_violations_by_region")["rows"]
    assert all(row.endswith(f"/{QUARTER}") for row in rows) and quarter["violations"] == 11


def test_supervisors_see_their_own_agency(client, known) -> None:
    own = get(client, "/stats/cp", "fatou").get_json()
    assert own["cases"] == 20
    unsigned = get(client, "/stats/cp", "boss")
    assert unsigned.status_code == 200 and unsigned.get_json()["cases"] == 5  # no ISP: still their own
    assert column(unsigned.get_json(), "cp_cases_by_concern") == {"talibe": 5}
    few = get(client, "/stats/mrm", "boss")  # their 3 abductions: too few to publish
    assert few.status_code == 422 and "Too few grave violations" in few.get_json()["error"]["fields"]["period"][0]
    assert get(client, "/stats/cp", "ama").get_json()["cases"] == 20  # the lead: still only the signed


def test_a_small_cell_is_suppressed_and_cannot_be_worked_out(client, known) -> None:
    known.cases("awa", 2, concerns=("separated", "child_labour", "trafficking"))
    report = get(client, "/stats/cp", "ama").get_json()
    assert report["cases"] == 22
    concerns = dict(
        zip(
            table(report, "cp_cases_by_concern")["rows"],
            [row[0] for row in table(report, "cp_cases_by_concern")["cells"]],
            strict=True,
        )
    )
    assert concerns["trafficking"] is None  # 2 children
    assert (concerns["separated"], concerns["child_labour"]) == (17, 12)
    assert small_counts(report) == []  # and the autouse audit found no way back to the 2


def test_too_few_cases_are_not_published(client, known) -> None:
    mrm = get(client, "/stats/mrm", "ama", period=LAST_YEAR)  # 2 violations last year
    assert mrm.status_code == 422
    assert "Too few grave violations" in mrm.get_json()["error"]["fields"]["period"][0]
    assert get(client, "/stats/cp", "ama", period=LAST_YEAR).get_json()["cases"] == 5
    known.cases("kadi", 3, created_at=dt.datetime(TODAY.year - 1, 5, 1, tzinfo=dt.UTC))
    few = get(client, "/stats/cp", "boss", period=LAST_YEAR)
    assert few.status_code == 422 and "Too few child protection cases" in repr(few.get_json())
    french = client.get(
        "/api/v1/stats/cp",
        query_string={"period": LAST_YEAR},
        headers={**token(client, "boss"), "Accept-Language": "fr"},
    )
    assert french.status_code == 422
    bad = get(client, "/stats/cp", "ama", period="2026-13")
    assert bad.status_code == 422 and "Give the period" in repr(bad.get_json())


@pytest.mark.parametrize("path", ["/stats/cp", "/stats/mrm", "/exports/cp.csv", "/exports/cp.xlsx"])
def test_only_the_cp_sub_cluster_and_supervisors_read_them(client, known, path) -> None:
    assert get(client, path, "mariam").status_code == 403  # the GBV sub-cluster's lead
    assert get(client, path, "awa").status_code == 403  # a caseworker
    assert get(client, path, "ama").status_code == 200
    supervisor = get(client, path, "fatou").status_code
    assert supervisor == (200 if path.startswith("/stats") else 403)  # their agency; no files to share


def test_the_cp_lead_does_not_read_gbvims(client, known) -> None:
    for path in ("/stats/gbvims", "/exports/gbvims.csv", "/exports/gbvims.xlsx"):
        assert get(client, path, "ama").status_code == 403
    web = client.application.test_client()
    sign_in(web, "ama")
    assert web.get(f"/stats/gbvims.csv?period={YEAR}").status_code == 403
    assert web.get(f"/stats?period={YEAR}&sub_cluster=gbv").status_code == 403


def test_files_carry_hxl_the_cp_and_mrm_tables_and_no_small_count(client, known) -> None:
    response = get(client, "/exports/cp.csv", "ama")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="cp-ML-{YEAR}.csv"'
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    header, tags = rows[0], rows[1]
    assert all(tag.startswith("#") for tag in tags) and len(tags) == len(header)
    assert {"#sector+code", "#subsector+code", "#adm1+code", "#meta+unit", "#indicator+num"} <= set(tags)
    at = {name: header.index(name) for name in header}
    published = {(row[at["table"]], row[at["row"]], row[at["column"]]): row[at["value"]] for row in rows[2:]}
    assert published[("cp_cases_by_concern", "separated", "count")] == "15"
    assert published[("cp_referrals_by_service", "total", "count")] == "11"
    assert published[("mrm_violations_by_sex", "recruitment_use", "male")] == "5"
    assert {row[at["subsector"]] for row in rows[2:]} == {"child_protection", "mrm"}
    assert {row[at["sector"]] for row in rows[2:]} == {"protection"}
    units = {row[at["table"]]: row[at["unit"]] for row in rows[2:]}
    assert units["cp_cases_by_concern"] == "children" and units["mrm_violations_by_age"] == "violations"
    assert all(v == "" or int(v) == 0 or int(v) >= 5 for v in (row[at["value"]] for row in rows[2:]))
    xlsx = get(client, "/exports/cp.xlsx", "ama")
    book = load_workbook(io.BytesIO(xlsx.data))
    assert book.sheetnames[:2] == ["Metadata", "Data"]
    assert {"cp_cases_by_concern", "mrm_violations_by_region"} <= set(book.sheetnames)
    assert next(book["Data"].iter_rows(min_row=2, max_row=2, values_only=True)) == tuple(tags)
    meta = dict(row for row in book["Metadata"].iter_rows(values_only=True))
    assert meta["Child protection cases counted"] == 20 and meta["Grave violations counted"] == 11
    assert "suppressed" in meta["Suppression rule"]
    numbers = [
        v
        for sheet in book.worksheets
        if sheet.title != "Metadata"
        for row in sheet.iter_rows(values_only=True)
        for v in row
        if isinstance(v, int)
    ]
    assert numbers and all(v == 0 or v >= 5 for v in numbers)


def test_a_file_holds_what_can_be_published(client, known) -> None:
    """Last year: 5 cases but 2 violations — the file has the CP tables and says the MRM ones
    are withheld."""
    response = get(client, "/exports/cp.csv", "ama", period=LAST_YEAR)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert {row[1] for row in rows[2:]} == {"child_protection"}
    book = load_workbook(io.BytesIO(get(client, "/exports/cp.xlsx", "ama", period=LAST_YEAR).data))
    meta = dict(row for row in book["Metadata"].iter_rows(values_only=True))
    assert meta["Child protection cases counted"] == 5 and meta["Grave violations counted"].startswith("Withheld")


def test_views_and_exports_are_audited(app, client, known) -> None:
    from models import AuditEvent, db

    get(client, "/stats/cp", "ama")
    get(client, "/stats/mrm", "ama")
    get(client, "/exports/cp.csv", "ama")
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("stats.%"))).all()
        seen = [(e.action, (e.details or {}).get("report"), (e.details or {}).get("format")) for e in events]
    assert seen == [("stats.viewed", "cp", None), ("stats.viewed", "mrm", None), ("stats.exported", "cp", "csv")]


def test_the_dashboard_shows_each_lead_their_sub_cluster(app, known) -> None:
    web = app.test_client()
    sign_in(web, "ama")
    page = web.get(f"/stats?period={YEAR}", headers=EN)
    assert page.status_code == 200
    body = page_text(page)
    assert "Child protection statistics" in body and "Grave violations against children (MRM)" in body
    assert "Cases by protection concern (a case may have several)" in body and "<svg" in body
    assert "GBVIMS statistics" not in body and "GBV (GBVIMS)" not in body  # a lead: no switch
    french = page_text(web.get(f"/stats?period={YEAR}"))
    assert "<svg" in french
    assert web.get(f"/stats/cp.xlsx?period={YEAR}").status_code == 200
    bad = web.get("/stats?period=2026-13", headers=EN)
    assert bad.status_code == 422 and "Give the period" in page_text(bad)
    gbv = app.test_client()
    sign_in(gbv, "mariam")
    assert "Child protection statistics" not in page_text(gbv.get(f"/stats?period={YEAR}", headers=EN))
    assert gbv.get(f"/stats?period={YEAR}&sub_cluster=cp").status_code == 403
    assert gbv.get(f"/stats/cp.csv?period={YEAR}").status_code == 403


def test_a_supervisor_switches_between_both_for_their_agency(app, known) -> None:
    web = app.test_client()
    sign_in(web, "fatou")
    gbv = web.get(f"/stats?period={YEAR}", headers=EN)
    assert "Child protection and MRM" in page_text(gbv)  # the switch
    cp = page_text(web.get(f"/stats?period={YEAR}&sub_cluster=cp", headers=EN))
    assert "Child protection statistics" in cp and "Your agency's cases only" in cp
    assert "Download the data" not in cp  # files are the leads'
    unsigned = app.test_client()
    sign_in(unsigned, "boss")
    page = unsigned.get(f"/stats?period={YEAR}&sub_cluster=cp", headers=EN)
    assert page.status_code == 200  # the CP tables; the MRM's 3 violations withheld, in words
    assert "Too few grave violations" in page_text(page)


# --- GBVIMS never counts a child protection case ---


def test_gbvims_never_counts_a_cp_case_incident_or_gap(app, client, factory, monkeypatch) -> None:
    """Incidents and recorded gaps of a case of kind "cp" — recorded before CP cases stopped
    recording incidents, or written directly — are never GBVIMS figures; a GBV case's are."""
    from models import Case, ServiceGap, User, db

    monkeypatch.setitem(app.config, "STATS_MIN_CELL", 1)  # every count shown: exact answers
    factory.user("awa", role="caseworker", agency="ESPOIR")
    factory.user("mariam", role="cluster_lead", agency=None)
    case_ids = []
    for n in range(8):
        case_ids.append(make_case(app, "awa"))
        answers = {"penetration": True} if n < 5 else {"penetration": False, "unwanted_sexual_contact": True}
        add_incident(app, "awa", case_ids[-1], incident_payload(classification=answers))
    cp_ids = case_ids[3:6]  # two rapes and a sexual assault become child protection cases' records
    with app.app_context():
        db.session.execute(update(Case).where(Case.id.in_(cp_ids)).values(kind="cp"))
        awa = db.session.query(User).filter_by(username="awa").one()
        for case_id in (case_ids[0], *cp_ids):
            db.session.add(
                ServiceGap(
                    case_id=case_id,
                    agency_id=awa.agency_id,
                    service_type="legal",
                    reporting_consent=True,
                    region_code="ML-7",
                    recorded_by_id=awa.id,
                )
            )
        db.session.commit()
    report = get(client, "/stats/gbvims", "mariam").get_json()
    assert report["incidents"] == 5
    assert column(report, "incidents_by_type") == {"rape": 3, "sexual_assault": 2}
    gaps = table(report, "service_unavailable_records")
    assert gaps["total"] == 1  # the GBV case's gap, not the three CP cases'
    with app.app_context():  # and back: the same cases as GBV cases count again
        db.session.execute(update(Case).where(Case.id.in_(cp_ids)).values(kind="gbv"))
        db.session.commit()
    # Written behind the application's back: the aggregate follows once rebuilt, as the operator's
    # daily `stats check` would have asked.
    assert app.test_cli_runner().invoke(args=["stats", "check"]).exit_code == 1
    assert app.test_cli_runner().invoke(args=["stats", "rebuild"]).exit_code == 0
    again = get(client, "/stats/gbvims", "mariam").get_json()
    assert again["incidents"] == 8 and table(again, "service_unavailable_records")["total"] == 4
