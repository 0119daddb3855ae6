"""Cluster lead journey in French: filter by region and quarter, see the charts, download the XLSX."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from gbvims.period import quarter_of

from ..conftest import PASSWORD
from ..integration.cases_helpers import add_incident, incident_payload, make_case
from .pages import LoginPage


def test_cluster_lead_filters_sees_charts_and_downloads(visit, people, live) -> None:
    app = live[0]
    people.user("awa.traore")
    people.user("mariam.sidibe", role="cluster_lead", agency=None)
    for n in range(8):
        answers = (
            {"penetration": True}
            if n < 5
            else {"penetration": False, "unwanted_sexual_contact": False, "physical_assault": True}
        )
        add_incident(
            app, "awa.traore", make_case(app, "awa.traore"), incident_payload(days_ago=1, classification=answers)
        )
    page = visit.page
    LoginPage(visit).open().sign_in("mariam.sidibe", PASSWORD)
    assert page.get_by_role("link", name="Dossiers").count() == 0  # no case anywhere for this role
    visit.goto("/stats")
    page.get_by_label("Période").fill(quarter_of(dt.date.today()))
    page.get_by_label("Région", exact=True).select_option("ML-7")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_load_state("load")
    visit.check()
    assert page.locator("svg[role=img]").count() >= 2
    assert page.get_by_text("8", exact=True).first.is_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger le rapport (XLSX)").click()
    book = load_workbook(io.BytesIO(open(download_info.value.path(), "rb").read()))
    numbers = [
        v
        for sheet in book.worksheets
        if sheet.title != "Metadata"
        for row in sheet.iter_rows(values_only=True)
        for v in row
        if isinstance(v, int)
    ]
    assert numbers and all(v == 0 or v >= 5 for v in numbers)
    text = " ".join(str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row if v)
    assert "Aïssata" not in text and "Maïga" not in text
