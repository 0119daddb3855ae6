"""The statistics reports as CSV and XLSX: HXL-tagged, disclosure-controlled, formula-safe.

The GBVIMS report has a file of its own; the child protection file holds the CP report and the
MRM report (whichever can be published), with the sector, sub-sector and unit of each number.
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
# The child protection file: the same columns, with the sector, the sub-sector (child
# protection, or the MRM's grave violations) and what each number counts.
CP_COLUMNS = (
    ("sector", "#sector+code"),
    ("subsector", "#subsector+code"),
    *zip(HEADERS[:-2], HXL[:-2], strict=True),
    ("unit", "#meta+unit"),
    *zip(HEADERS[-2:], HXL[-2:], strict=True),
)
CP_HEADERS = tuple(name for name, _tag in CP_COLUMNS)
CP_HXL = tuple(tag for _name, tag in CP_COLUMNS)
SUBSECTOR = {"cp": "child_protection", "mrm": "mrm"}
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
            line = [
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
            if report.kind != "gbvims":
                line = ["protection", SUBSECTOR[report.kind], *line[:-2], table.unit, *line[-2:]]
            yield line


def _columns(reports: tuple[Report, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return (HEADERS, HXL) if reports[0].kind == "gbvims" else (CP_HEADERS, CP_HXL)


def to_csv(*reports: Report) -> str:
    """One file of one report, or of a child protection report and its MRM twin."""
    headers, tags = _columns(reports)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerow(tags)
    for report in reports:
        for row in rows(report):
            writer.writerow([safe(v) for v in row])
    return out.getvalue()


def _suppression(report: Report) -> tuple[str, str]:
    return (
        _("Suppression rule"),
        _(
            "Counts from 1 to %(k)d are suppressed, with complementary suppression so that no "
            "suppressed count can be recovered from rows, columns or totals.",
            k=report.scope.k - 1,
        ),
    )


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
        _suppression(report),
        (_("Generated at"), dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")),
    ]


def cp_metadata(reports: tuple[Report, ...]) -> list[tuple[str, Any]]:
    """What the child protection file holds, and under which rules."""
    by_kind = {report.kind: report for report in reports}
    scope = reports[0].scope
    withheld = _("Withheld: too few to publish without risk to the children")
    cp, mrm = by_kind.get("cp"), by_kind.get("mrm")
    return [
        (_("Report"), _("Child protection and MRM statistics (anonymized)")),
        (_("Period"), f"{scope.period.start.isoformat()} — {scope.period.end.isoformat()} ({scope.period.label})"),
        (_("Area"), scope.region or _("All regions")),
        (_("Child protection cases counted"), cp.counted if cp is not None else withheld),
        (_("Grave violations counted"), mrm.counted if mrm is not None else withheld),
        (_("Agencies counted"), max(report.agencies or 0 for report in reports)),
        (
            _("Counting rules"),
            _(
                "Child protection cases registered in the period, with consent to non-identifiable "
                "reporting, not erased, from agencies that signed the Information Sharing Protocol; "
                "a case counts once under each of its protection concerns. Referrals of those cases "
                "sent in the period and reunifications dated in it. Grave violations (MRM) dated in "
                "the period, with the same consent and agency rules. GBV cases are never counted here."
            )
            if scope.agency_id is None
            else _(
                "Only your agency's child protection cases registered in the period, with consent to "
                "non-identifiable reporting, not erased; a case counts once under each of its "
                "protection concerns. Referrals of those cases sent in the period and reunifications "
                "dated in it. Your agency's grave violations (MRM) dated in the period, with consent."
            ),
        ),
        _suppression(reports[0]),
        (_("Generated at"), dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")),
    ]


def to_xlsx(*reports: Report) -> bytes:
    """One workbook of one report, or of a child protection report and its MRM twin."""
    headers, tags = _columns(reports)
    workbook = Workbook()
    meta = workbook.active
    meta.title = "Metadata"
    for key, value in metadata(reports[0]) if reports[0].kind == "gbvims" else cp_metadata(reports):
        meta.append([safe(key), safe(value)])
    meta.column_dimensions["A"].width = 24
    meta.column_dimensions["B"].width = 100
    data = workbook.create_sheet("Data")
    data.append(list(headers))
    data.append(list(tags))
    for cell in data[1]:
        cell.font = Font(bold=True)
    for report in reports:
        for row in rows(report):
            data.append([safe(v) for v in row])
    for table in (table for report in reports for table in report.tables):
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


def file_response(report: Report, fmt: str, *more: Report) -> Response:
    """The report (and ``more`` of its scope) as a download (``fmt``: "csv" or "xlsx"), named
    after its kind, region and period."""
    prefix = "gbvims" if report.kind == "gbvims" else "cp"  # the CP file holds the MRM tables
    name = f"{prefix}-{report.scope.region or 'ML'}-{report.scope.period.label.replace('/', '_')}.{fmt}"
    if fmt == "csv":
        body: bytes | str = to_csv(report, *more)
        mimetype = "text/csv; charset=utf-8"
    else:
        body = to_xlsx(report, *more)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
