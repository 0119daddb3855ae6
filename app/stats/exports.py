"""The GBVIMS report as CSV and XLSX: HXL-tagged, disclosure-controlled, formula-safe.

Every number comes from a ``gbvims.aggregates.Protected`` table; a suppressed count is written
as an empty value with the marker "suppressed", never as a number. No identifying column
exists to export, and agency names are left out of consolidated files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

from flask import Response
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from gbvims.aggregates import Report, Table

from ..i18n_labels import label

HXL = (
    "#date+start",
    "#date+end",
    "#adm1+code",
    "#indicator+code",
    "#indicator+name",
    "#category+row+code",
    "#category+row+name",
    "#category+column+code",
    "#category+column+name",
    "#indicator+num",
    "#meta+status",
)
HEADERS = (
    "period_start",
    "period_end",
    "region",
    "table",
    "table_name",
    "row",
    "row_name",
    "column",
    "column_name",
    "value",
    "status",
)
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def safe(value: Any) -> Any:
    """Spreadsheets run text that starts with = + - @ as a formula: neutralise it."""
    if isinstance(value, str) and value.startswith(_DANGEROUS):
        return "'" + value
    return value


def _lines(table: Table) -> Iterator[tuple[str, str, str, str, int | None]]:
    p = table.protected
    for r, (row_code, row_label) in enumerate(table.rows):
        for c, (col_code, col_label) in enumerate(table.columns):
            yield row_code, label(row_label), col_code, label(col_label), p.cells[r][c]
        if table.additive and len(table.columns) > 1:
            yield row_code, label(row_label), "total", _("Total"), p.row_totals[r]
    if table.additive:
        for c, (col_code, col_label) in enumerate(table.columns):
            yield "total", _("Total"), col_code, label(col_label), p.column_totals[c]


def rows(report: Report) -> Iterator[list[Any]]:
    scope = report.scope
    for table in report.tables:
        for row_code, row_label, col_code, col_label, value in _lines(table):
            yield [
                scope.period.start.isoformat(),
                scope.period.end.isoformat(),
                scope.region or "ML",
                table.id,
                label(table.title),
                row_code,
                row_label,
                col_code,
                col_label,
                "" if value is None else value,
                "suppressed" if value is None else "published",
            ]


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerow(HXL)
    for row in rows(report):
        writer.writerow([safe(v) for v in row])
    return out.getvalue()


def metadata(report: Report) -> list[tuple[str, Any]]:
    scope = report.scope
    return [
        (_("Report"), _("GBVIMS statistics (anonymized)")),
        (_("Period"), f"{scope.period.start.isoformat()} — {scope.period.end.isoformat()} ({scope.period.label})"),
        (_("Area"), scope.region or _("All regions")),
        (_("Incidents counted"), report.incidents),
        (_("Agencies counted"), report.agencies),
        (
            _("Counting rules"),
            _(
                "Only GBV incidents (not those the classification tool found not to be GBV) with "
                "the survivor's consent to non-identifiable reporting, from agencies that signed "
                "the Information Sharing Protocol, not already reported to another GBVIMS agency; "
                "counted by date of interview. 'Service unavailable' records follow the same "
                "consent and agency rules. 'Not recorded' means nobody answered the question."
            )
            if scope.agency_id is None
            else _(
                "Only your agency's GBV incidents (not those the classification tool found not "
                "to be GBV) with the survivor's consent to non-identifiable reporting, not already "
                "reported to another GBVIMS agency; counted by date of interview. 'Not recorded' "
                "means nobody answered the question."
            ),
        ),
        (
            _("Suppression rule"),
            _(
                "Counts from 1 to %(k)d are suppressed, with complementary suppression so that no "
                "suppressed count can be recovered from rows, columns or totals.",
                k=scope.k - 1,
            ),
        ),
        (_("Generated at"), dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")),
    ]


def to_xlsx(report: Report) -> bytes:
    workbook = Workbook()
    meta = workbook.active
    meta.title = "Metadata"
    for key, value in metadata(report):
        meta.append([safe(key), safe(value)])
    meta.column_dimensions["A"].width = 24
    meta.column_dimensions["B"].width = 100
    data = workbook.create_sheet("Data")
    data.append(list(HEADERS))
    data.append(list(HXL))
    for cell in data[1]:
        cell.font = Font(bold=True)
    for row in rows(report):
        data.append([safe(v) for v in row])
    for table in report.tables:
        sheet = workbook.create_sheet(table.id[:31])
        sheet.append([safe(label(table.title))])
        sheet.append(
            [""]
            + [safe(label(name)) for _code, name in table.columns]
            + ([_("Total")] if table.additive and len(table.columns) > 1 else [])
        )
        p = table.protected
        for r, (_code, name) in enumerate(table.rows):
            values = ["—" if v is None else v for v in p.cells[r]]
            total = (
                [p.row_totals[r] if p.row_totals[r] is not None else "—"]
                if table.additive and len(table.columns) > 1
                else []
            )
            sheet.append([safe(label(name)), *values, *total])
    # Read-only by intent (ISP): protect the sheets against accidental edits.
    for sheet in workbook.worksheets:
        sheet.protection.sheet = True
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def file_response(report: Any, fmt: str) -> Response:
    """The report as a download (``fmt``: "csv" or "xlsx"), named after its region and period."""
    name = f"gbvims-{report.scope.region or 'ML'}-{report.scope.period.label.replace('/', '_')}.{fmt}"
    if fmt == "csv":
        body: bytes | str = to_csv(report)
        mimetype = "text/csv; charset=utf-8"
    else:
        body = to_xlsx(report)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
