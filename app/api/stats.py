"""Anonymized statistics in the API: the same reports, disclosure-controlled, as JSON or files.

GBVIMS for the GBV sub-cluster; child protection (CP) and the MRM's grave violations for the
CP sub-cluster. A cluster lead reads their own sub-cluster's only; a supervisor reads both, for
their own agency (``policy.statistics_agency``)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from gbvims.aggregates import Report
from models import db

from .. import audit
from ..auth import acting_user
from ..policy import requires
from ..stats import service
from ..stats.exports import file_response
from . import bp

# The name of what each report counts, in its JSON.
COUNTED_AS = {"gbvims": "incidents", "cp": "cases", "mrm": "violations"}


def _args() -> dict[str, str]:
    return {k: request.args.get(k, "")[:20] for k in ("period", "start", "end", "region")}


def report_json(report: Report, gaps: list[Any] | None = None) -> dict[str, Any]:
    scope = report.scope
    body: dict[str, Any] = {
        "period": {
            "start": scope.period.start.isoformat(),
            "end": scope.period.end.isoformat(),
            "label": scope.period.label,
        },
        "region": scope.region,
        "min_published_count": scope.k,
        COUNTED_AS[report.kind]: report.counted,
        "agencies": report.agencies,
        "tables": [
            {
                "id": t.id,
                "title": _(t.title),
                "unit": t.unit,
                "rows": [code for code, _l in t.rows],
                "columns": [code for code, _l in t.columns],
                "cells": t.protected.cells,
                "row_totals": t.protected.row_totals if t.additive else None,
                "column_totals": t.protected.column_totals if t.additive else None,
                "total": t.protected.total if t.additive else None,
            }
            for t in report.tables
        ],
    }
    if report.kind == "gbvims":
        body["service_gaps"] = [
            {
                "service": g.service,
                "needed": g.needed,
                "unavailable": g.unavailable,
                "share": None if g.share is None else round(g.share, 3),
            }
            for g in gaps or []
        ]
    return body


@bp.route("/stats/gbvims", methods=["GET"])
@requires("stats.read")
def stats() -> Response:
    report, gaps = service.report_for(acting_user(), _args())
    body = jsonify(report_json(report, gaps))
    audit.record("stats.viewed", target_type="stats", details={"period": report.scope.period.label, "via": "api"})
    db.session.commit()
    return body


@bp.route("/stats/cp", methods=["GET"], defaults={"which": "cp"})
@bp.route("/stats/mrm", methods=["GET"], defaults={"which": "mrm"})
@requires("stats.read")
def child_protection_stats(which: str) -> Response:
    """The CP tables, or the MRM tables: the CP sub-cluster's lead, and supervisors (their agency)."""
    user = acting_user()
    report = service.cp_report_for(user, _args()) if which == "cp" else service.mrm_report_for(user, _args())
    body = jsonify(report_json(report))
    audit.record(
        "stats.viewed",
        target_type="stats",
        details={"report": which, "period": report.scope.period.label, "region": report.scope.region, "via": "api"},
    )
    db.session.commit()
    return body


@bp.route("/exports/gbvims.csv", methods=["GET"], defaults={"fmt": "csv"})
@bp.route("/exports/gbvims.xlsx", methods=["GET"], defaults={"fmt": "xlsx"})
@requires("stats.export")
def export(fmt: str) -> Response:
    report, _gaps = service.report_for(acting_user(), _args())
    audit.record("stats.exported", target_type="stats", details={"format": fmt, "via": "api"})
    db.session.commit()
    return file_response(report, fmt)


@bp.route("/exports/cp.csv", methods=["GET"], defaults={"fmt": "csv"})
@bp.route("/exports/cp.xlsx", methods=["GET"], defaults={"fmt": "xlsx"})
@requires("stats.export")
def export_cp(fmt: str) -> Response:
    """The CP and MRM tables in one file (whichever can be published): the CP sub-cluster's lead."""
    reports = service.cp_reports_for(acting_user(), _args())
    audit.record(
        "stats.exported",
        target_type="stats",
        details={
            "report": "cp",
            "format": fmt,
            "period": reports[0].scope.period.label,
            "region": reports[0].scope.region,
            "via": "api",
        },
    )
    db.session.commit()
    return file_response(reports[0], fmt, *reports[1:])
